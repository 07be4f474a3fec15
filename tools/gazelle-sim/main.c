/* gazelle-sim: command line, start-up and shutdown. Everything else lives
 * in gazelle_sim_lib. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sdl.h"
#include "server.h"

static const char usage[] =
"Usage: gazelle-sim [options]\n"
"A deterministic simulator of Gazelle's private GraphQL API for gazsync's\n"
"tests and delta-sync experiments. Binds 127.0.0.1 only; prints the base URL\n"
"(http://127.0.0.1:PORT) as the first line on stdout, then serves until\n"
"SIGTERM or SIGINT and exits 0.\n"
"\n"
"Serving\n"
"  --port N                 TCP port; 0 (default) picks a free one\n"
"  --seed N                 business seed (default 1)\n"
"  --now TIME               simulated clock start (default 2026-11-25T12:00:00Z)\n"
"  --hide-unfiltered LIST   comma-separated status values (of ClientStatus,\n"
"                           PianoStatus, EventStatus) that lists leave out\n"
"                           unless a status filter is given (default: none;\n"
"                           every status comes back unfiltered)\n"
"  --null-created-clients N the N oldest clients answer createdAt null and\n"
"                           pass no createdGet/createdLet bound (default 0)\n"
"  --log-requests FILE      append every GraphQL request to FILE as a JSON line\n"
"                           {\"query\",\"variables\",\"operationName\"}\n"
"  --latency-ms X           wait X ms before every GraphQL answer (default 0)\n"
"  --latency-per-node-ms X  and X ms more per node it returns (default 0);\n"
"                           waits run outside the data lock, side by side\n"
"                           for concurrent connections\n""  --max-complexity N       refuse a document whose graphql-ruby complexity\n"
"                           is over N (default: no limit), as graphql-ruby\n"
"                           does: 200, {\"errors\":[{\"message\":\"Query has\n"
"                           complexity of C, which exceeds max complexity of\n"
"                           N\"}]}, no data\n"
"  --max-query-tokens N     refuse a document of more than N tokens (default:\n"
"                           no limit): 200, \"This query is too large to\n"
"                           execute.\" at the first token past N\n"
"Sizes (defaults: the seed's business)\n"
"  --users N (5) --clients N (850) --pianos N (1200) --events N (8000)\n"
"  --timeline N (60000)     events span 2 years back..6 months ahead,\n"
"                           timeline entries ten years\n"
"  --scale X                multiply every size and absolute rate by X\n"
"Auth (none required when no credential flag is given)\n"
"  --token T                valid access token (Authorization: Bearer T)\n"
"  --api-key K              valid API key (x-gazelle-api-key: K)\n"
"  --refresh-token R        valid refresh token for POST /developer/oauth/token\n"
"  --client-id ID --client-secret S   checked on refresh when given\n"
"  --token-ttl-requests N   access token answers N requests, then 401\n"
"  --token-ttl-seconds N    access token expires after N simulated seconds\n"
"Churn rates (per simulated day unless said otherwise)\n"
"  --hires-per-year X (2)   --user-edits-per-year X (3)\n"
"  --client-update-pct X (1.0)   --piano-update-pct X (0.5)  (% of rows a day)\n"
"  --clients-per-day X (0.6)     --pianos-per-day X (0.8)\n"
"  --client-deletes-per-year X (4)  --piano-deletes-per-year X (6)\n"
"  --events-per-day X (9)  --reschedules-per-day X (2)  --cancels-per-day X (0.8)\n"
"  --timeline-per-day X (16)  --bulk-edit-chance P (0.05, a mass tag edit)\n"
"  --timeline-edits-per-day X (0.5) of entries created in the last\n"
"  --timeline-edit-window-days N (30) days (the comment changes, occurredAt\n"
"                           does not; no field shows when)\n"
"\n"
"Endpoints\n"
"  POST /graphql/private/          {\"query\", \"variables\", \"operationName\"}\n"
"       validated against schema/gazelle.graphql; modelled roots: allUsers\n"
"       allClients allPianos allEventsBatched allEvents allTimelineEntries\n"
"       client piano event contact user allClientTags allPianoTags; every\n"
"       other field answers a type-correct default\n"
"  POST /developer/oauth/token     grant_type=refresh_token (form or JSON)\n"
"  POST /__sim/advance?days=N      churn N days; answers counts per entity\n"
"  GET  /__sim/stats, POST /__sim/stats/reset\n"
"  GET  /__sim/dump                the whole live dataset as JSON\n"
"  POST /__sim/faults, GET /__sim/faults, DELETE /__sim/faults\n"
"\n"
"Fault rules (POST /__sim/faults)\n"
"  {\"rules\":[{\"field\":\"allClients\"|\"*\"|\"oauth\", \"nth\":K | \"every\":K,\n"
"    \"count\":C, \"action\":A, ...}]}\n"
"  A rule counts the requests matching its field (\"*\": every GraphQL\n"
"  request, \"oauth\": token requests). nth=K fires on matches K..K+C-1\n"
"  (C defaults to 1); every=K fires on matches K, 2K, ... at most C times\n"
"  (C 0 or absent: unlimited). Actions:\n"
"    status         answer \"status\" (401, 429, 500, 502, 503...);\n"
"                   429 sends Retry-After: \"retry_after\" (default 1)\n"
"    delay          wait \"delay_ms\" (default 1000) then answer normally\n"
"    truncate       send \"keep_bytes\" (default half) of the body, then cut\n"
"                   the connection (Content-Length is the full size)\n"
"    not_json       200 with an HTML error page\n"
"    graphql_error  200 with {\"errors\":[...],\"data\":null}\n"
"    close          drop the connection without answering\n"
"  DELETE /__sim/faults clears them; GET shows them with seen/fired counts.\n";

typedef struct {
    const char *name;
    double *target;
    int scaled;
} rate_flag;

static int parse_u64(const char *text, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || *end || end == text || text[0] == '-')
        return -1;
    *out = v;
    return 0;
}

static int parse_double(const char *text, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || *end || end == text || v < 0 || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static int copy_flag(char *dst, size_t cap, const char *value)
{
    if (strlen(value) >= cap)
        return -1;
    snprintf(dst, cap, "%s", value);
    return 0;
}

/* --hide-unfiltered: splits the list in place (argv strings are the
 * program's) and checks each value is a status of a modelled list. */
static int parse_statuses(char *list, gsim_params *p)
{
    static const char *const enums[] = {"ClientStatus", "PianoStatus",
                                        "EventStatus"};
    const size_t max =
        sizeof(p->hidden_statuses) / sizeof(p->hidden_statuses[0]);
    const gsim_schema *schema = gsim_schema_gazelle();
    char *save = NULL;
    p->nhidden_statuses = 0;
    for (char *v = strtok_r(list, ",", &save); v;
         v = strtok_r(NULL, ",", &save)) {
        int known = 0;
        for (size_t e = 0; schema && e < 3; e++)
            known |= gsim_stype_enum_index(gsim_schema_type(schema, enums[e]),
                                           v) >= 0;
        if (!known || p->nhidden_statuses == max) {
            fprintf(stderr,
                    "gazelle-sim: --hide-unfiltered: %s is not a status of "
                    "clients, pianos or events (or too many values)\n",
                    v);
            return -1;
        }
        p->hidden_statuses[p->nhidden_statuses++] = v;
    }
    return 0;
}

enum {
    OPT_PORT = 256, OPT_SEED, OPT_NOW, OPT_USERS, OPT_CLIENTS, OPT_PIANOS,
    OPT_EVENTS, OPT_TIMELINE, OPT_SCALE, OPT_TOKEN, OPT_API_KEY,
    OPT_REFRESH, OPT_CLIENT_ID, OPT_CLIENT_SECRET, OPT_TTL_REQUESTS,
    OPT_TTL_SECONDS, OPT_LOG_REQUESTS, OPT_HIDE, OPT_LATENCY,
    OPT_LATENCY_NODE, OPT_MAX_COMPLEXITY, OPT_MAX_TOKENS, OPT_NULL_CREATED,
    OPT_RATE /* the rates follow it: OPT_RATE + their index */
};

int main(int argc, char **argv)
{
    static gsim_server server; /* large; zero-initialised */
    gsim_params params;
    gsim_params_default(&params);
    uint64_t port = 0, seed = 1, v;
    const char *log_path = NULL;
    double scale = 1;
    gsim_time now;
    gsim_time_parse(&now, "2026-11-25T12:00:00Z");
    gsim_auth *auth = &server.auth;
    rate_flag rates[] = {
        {"hires-per-year", &params.hires_per_year, 1},
        {"user-edits-per-year", &params.user_edits_per_year, 1},
        {"client-update-pct", &params.client_update_pct, 0},
        {"piano-update-pct", &params.piano_update_pct, 0},
        {"clients-per-day", &params.clients_per_day, 1},
        {"pianos-per-day", &params.pianos_per_day, 1},
        {"client-deletes-per-year", &params.client_deletes_per_year, 1},
        {"piano-deletes-per-year", &params.piano_deletes_per_year, 1},
        {"events-per-day", &params.events_per_day, 1},
        {"reschedules-per-day", &params.reschedules_per_day, 1},
        {"cancels-per-day", &params.cancels_per_day, 1},
        {"timeline-per-day", &params.timeline_per_day, 1},
        {"bulk-edit-chance", &params.bulk_edit_chance, 0},
        {"timeline-edits-per-day", &params.timeline_edits_per_day, 1},
        {"timeline-edit-window-days", &params.timeline_edit_window_days, 0},
    };
    enum { NRATES = sizeof(rates) / sizeof(rates[0]) };
    struct option options[32 + NRATES] = {
        {"help", no_argument, NULL, 'h'},
        {"port", required_argument, NULL, OPT_PORT},
        {"seed", required_argument, NULL, OPT_SEED},
        {"now", required_argument, NULL, OPT_NOW},
        {"users", required_argument, NULL, OPT_USERS},
        {"clients", required_argument, NULL, OPT_CLIENTS},
        {"pianos", required_argument, NULL, OPT_PIANOS},
        {"events", required_argument, NULL, OPT_EVENTS},
        {"timeline", required_argument, NULL, OPT_TIMELINE},
        {"scale", required_argument, NULL, OPT_SCALE},
        {"token", required_argument, NULL, OPT_TOKEN},
        {"api-key", required_argument, NULL, OPT_API_KEY},
        {"refresh-token", required_argument, NULL, OPT_REFRESH},
        {"client-id", required_argument, NULL, OPT_CLIENT_ID},
        {"client-secret", required_argument, NULL, OPT_CLIENT_SECRET},
        {"token-ttl-requests", required_argument, NULL, OPT_TTL_REQUESTS},
        {"token-ttl-seconds", required_argument, NULL, OPT_TTL_SECONDS},
        {"log-requests", required_argument, NULL, OPT_LOG_REQUESTS},
        {"hide-unfiltered", required_argument, NULL, OPT_HIDE},
        {"null-created-clients", required_argument, NULL, OPT_NULL_CREATED},
        {"latency-ms", required_argument, NULL, OPT_LATENCY},
        {"latency-per-node-ms", required_argument, NULL, OPT_LATENCY_NODE},
        {"max-complexity", required_argument, NULL, OPT_MAX_COMPLEXITY},
        {"max-query-tokens", required_argument, NULL, OPT_MAX_TOKENS},
    };
    size_t nopts = 24; /* the entries above */
    for (size_t i = 0; i < NRATES; i++)
        options[nopts++] = (struct option){rates[i].name, required_argument,
                                           NULL, OPT_RATE + (int)i};
    options[nopts] = (struct option){NULL, 0, NULL, 0};

    int opt, bad = 0, which = -1;
    while (!bad &&
           (opt = getopt_long(argc, argv, "h", options, &which)) != -1) {
        switch (opt) {
        case 'h': fputs(usage, stdout); return 0;
        case OPT_PORT: bad = parse_u64(optarg, &port) || port > 65535; break;
        case OPT_SEED: bad = parse_u64(optarg, &seed); break;
        case OPT_NOW: bad = gsim_time_parse(&now, optarg); break;
        case OPT_USERS: bad = parse_u64(optarg, &params.users); break;
        case OPT_CLIENTS: bad = parse_u64(optarg, &params.clients); break;
        case OPT_PIANOS: bad = parse_u64(optarg, &params.pianos); break;
        case OPT_EVENTS: bad = parse_u64(optarg, &params.events); break;
        case OPT_TIMELINE: bad = parse_u64(optarg, &params.timeline); break;
        case OPT_SCALE: bad = parse_double(optarg, &scale) || scale > 1000; break;
        case OPT_TOKEN:
            bad = copy_flag(auth->access_token, sizeof(auth->access_token), optarg);
            auth->required = 1;
            break;
        case OPT_API_KEY:
            bad = copy_flag(auth->api_key, sizeof(auth->api_key), optarg);
            auth->required = 1;
            break;
        case OPT_REFRESH:
            bad = copy_flag(auth->refresh_token, sizeof(auth->refresh_token), optarg);
            auth->required = 1;
            break;
        case OPT_CLIENT_ID:
            bad = copy_flag(auth->client_id, sizeof(auth->client_id), optarg);
            break;
        case OPT_CLIENT_SECRET:
            bad = copy_flag(auth->client_secret, sizeof(auth->client_secret), optarg);
            break;
        case OPT_LOG_REQUESTS: log_path = optarg; break;
        case OPT_HIDE: bad = parse_statuses(optarg, &params); break;
        case OPT_NULL_CREATED:
            bad = parse_u64(optarg, &params.null_created_clients);
            break;
        case OPT_LATENCY: bad = parse_double(optarg, &server.latency_ms); break;
        case OPT_LATENCY_NODE:
            bad = parse_double(optarg, &server.latency_per_node_ms);
            break;
        case OPT_MAX_COMPLEXITY:
            bad = parse_u64(optarg, &server.limits.max_complexity) ||
                  server.limits.max_complexity == 0;
            break;
        case OPT_MAX_TOKENS:
            bad = parse_u64(optarg, &server.limits.max_tokens) ||
                  server.limits.max_tokens == 0;
            break;
        case OPT_TTL_REQUESTS: bad = parse_u64(optarg, &auth->ttl_requests); break;
        case OPT_TTL_SECONDS:
            bad = parse_u64(optarg, &v) || v > INT64_MAX;
            auth->ttl_seconds = (int64_t)v;
            break;
        default:
            if (opt >= OPT_RATE && opt < OPT_RATE + (int)NRATES) {
                bad = parse_double(optarg, rates[opt - OPT_RATE].target);
                break;
            }
            fputs(usage, stderr);
            return 2;
        }
        if (bad && opt != OPT_HIDE) /* that one names its bad value */
            fprintf(stderr, "gazelle-sim: bad value \"%s\" for --%s\n", optarg,
                    which >= 0 ? options[which].name : "option");
    }
    if (bad || optind < argc) {
        fprintf(stderr, "gazelle-sim: invalid arguments (see --help)\n");
        return 2;
    }
    if (scale != 1) {
        uint64_t *sizes[] = {&params.users, &params.clients, &params.pianos,
                             &params.events, &params.timeline};
        for (size_t i = 0; i < 5; i++)
            *sizes[i] = (uint64_t)llround((double)*sizes[i] * scale);
        for (size_t i = 0; i < NRATES; i++)
            if (rates[i].scaled)
                *rates[i].target *= scale;
    }
    if (params.users == 0)
        params.users = 1; /* events need a technician */
    if (params.clients > INT32_MAX || params.pianos > INT32_MAX ||
        params.events > UINT32_MAX || params.timeline > UINT32_MAX) {
        fprintf(stderr, "gazelle-sim: sizes too large\n");
        return 2;
    }
    auth->seed = seed;
    auth->issued_at = now;
    if (log_path && gsim_reqlog_open(&server.reqlog, log_path) != 0) {
        fprintf(stderr, "gazelle-sim: cannot open --log-requests file %s: %s\n",
                log_path, strerror(errno));
        return 1;
    }

    if (gsim_dataset_generate(&server.ds, seed, now, &params) != 0) {
        fprintf(stderr, "gazelle-sim: out of memory generating the data\n");
        gsim_reqlog_close(&server.reqlog);
        return 1;
    }
    /* Signals are taken synchronously by this thread; the server threads
     * inherit the blocked mask and never see them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    uint16_t bound = 0;
    if (gsim_server_start(&server, (uint16_t)port, &bound) != 0) {
        fprintf(stderr, "gazelle-sim: cannot listen on 127.0.0.1:%llu\n",
                (unsigned long long)port);
        gsim_server_stop(&server);
        gsim_dataset_free(&server.ds);
        return 1;
    }
    printf("http://127.0.0.1:%u\n", (unsigned)bound);
    fflush(stdout);
    int sig = 0;
    sigwait(&stop, &sig);
    gsim_server_stop(&server);
    gsim_dataset_free(&server.ds);
    return 0;
}
