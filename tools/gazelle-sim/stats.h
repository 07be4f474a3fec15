/* Request accounting for experiments: what a sync cost in calls, pages,
 * nodes and bytes. Only API traffic (GraphQL and OAuth) is counted, never
 * the /__sim instruments themselves. */
#ifndef GSIM_STATS_H
#define GSIM_STATS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

enum { GSIM_STATS_ROOTS = 12 };

typedef struct {
    uint64_t requests;           /* GraphQL + OAuth requests */
    uint64_t graphql_requests;
    uint64_t token_requests;
    uint64_t by_root[GSIM_STATS_ROOTS]; /* see gsim_stats_root_names */
    uint64_t by_status[600];
    uint64_t pages, nodes, bytes_sent, faults_fired;
    uint64_t limit_refusals; /* documents over --max-complexity or
                                --max-query-tokens */
} gsim_stats;

extern const char *const gsim_stats_root_names[GSIM_STATS_ROOTS];

/* Counts a request's root fields: roots[i] selected uses[i] times (each
 * alias once), under its own name or "other". */
void gsim_stats_count_roots(gsim_stats *s, const char *const *roots,
                            const uint64_t *uses, size_t nroots);
/* {"requests", "graphqlRequests", "tokenRequests", "byRootField": {..},
 *  "byStatus": {"200": n, ...}, "pages", "nodes", "bytesSent",
 *  "faultsFired", "limitRefusals"} */
json_t *gsim_stats_json(const gsim_stats *s);

#endif
