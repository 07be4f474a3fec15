#include "stats.h"

#include <stdio.h>
#include <string.h>

/* The modelled root fields of PrivateQuery, under their real names; any
 * other root field counts as "other". */
const char *const gsim_stats_root_names[] = {
    "allUsers",         "allClients", "allPianos",
    "allEventsBatched", "allEvents",  "allTimelineEntries",
    "client",           "piano",      "event",
    "contact",          "user",       "other"};
_Static_assert(sizeof(gsim_stats_root_names) /
                       sizeof(gsim_stats_root_names[0]) ==
                   GSIM_STATS_ROOTS,
               "one name per counter");

void gsim_stats_count_roots(gsim_stats *s, const char *const *roots,
                            const uint64_t *uses, size_t nroots)
{
    for (size_t r = 0; r < nroots; r++) {
        size_t i = 0;
        while (i < GSIM_STATS_ROOTS - 1 &&
               strcmp(gsim_stats_root_names[i], roots[r]))
            i++;
        s->by_root[i] += uses[r];
    }
}

json_t *gsim_stats_json(const gsim_stats *s)
{
    json_t *roots = json_object(), *statuses = json_object();
    for (size_t i = 0; i < GSIM_STATS_ROOTS; i++)
        json_object_set_new(roots, gsim_stats_root_names[i],
                            json_integer((json_int_t)s->by_root[i]));
    for (int code = 0; code < 600; code++) {
        if (!s->by_status[code])
            continue;
        char key[8];
        snprintf(key, sizeof(key), "%d", code);
        json_object_set_new(statuses, key,
                            json_integer((json_int_t)s->by_status[code]));
    }
    return json_pack("{s:I,s:I,s:I,s:o,s:o,s:I,s:I,s:I,s:I,s:I}", "requests",
                     (json_int_t)s->requests, "graphqlRequests",
                     (json_int_t)s->graphql_requests, "tokenRequests",
                     (json_int_t)s->token_requests, "byRootField", roots,
                     "byStatus", statuses, "pages", (json_int_t)s->pages,
                     "nodes", (json_int_t)s->nodes, "bytesSent",
                     (json_int_t)s->bytes_sent, "faultsFired",
                     (json_int_t)s->faults_fired, "limitRefusals",
                     (json_int_t)s->limit_refusals);
}
