/* The HTTP front: libmicrohttpd on 127.0.0.1, one thread per connection,
 * one mutex around everything the requests share (dataset, stats, faults,
 * tokens). Requests are therefore served one at a time in arrival order,
 * which keeps fault counting and churn deterministic; only the fault delay
 * and the latency model sleep outside the lock, so concurrent connections
 * wait side by side as on a real server. */
#ifndef GSIM_SERVER_H
#define GSIM_SERVER_H

#include <pthread.h>
#include <stdint.h>

#include "auth.h"
#include "cost.h"
#include "dataset.h"
#include "faults.h"
#include "gql.h"
#include "reqlog.h"
#include "stats.h"

struct MHD_Daemon;

typedef struct {
    pthread_mutex_t lock;
    gsim_dataset ds;
    gsim_stats stats;
    gsim_faults faults;
    gsim_auth auth;
    gsim_reqlog reqlog; /* --log-requests; file NULL when off */
    gsim_arena dump_arena;
    gql_operation *dump_op;
    struct MHD_Daemon *daemon;
    /* The latency model (--latency-ms, --latency-per-node-ms): a fixed cost
     * per answered GraphQL request plus one per node it returns. */
    double latency_ms, latency_per_node_ms;
    /* --max-complexity, --max-query-tokens: graphql-ruby's refusals of a
     * document too costly or too large (cost.h); zero: none. */
    gsim_cost_limits limits;
} gsim_server;

/* Starts serving the already generated s->ds on 127.0.0.1:port (0 picks a
 * free port); *bound receives the port. 0 or -1. */
int gsim_server_start(gsim_server *s, uint16_t port, uint16_t *bound);
void gsim_server_stop(gsim_server *s);

/* The body of GET /__sim/dump (exposed for tests). Caller frees. */
char *gsim_server_dump(gsim_server *s, size_t *len);

#endif
