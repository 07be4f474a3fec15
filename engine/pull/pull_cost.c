/* What a refusal as too costly teaches a packed pull, as numbers: the
 * service's limit and each entity's cost per node, so that the scheduler
 * fills a whole request to a share of the limit without asking
 * (engine/pull/README.md, "Limits"). Pure arithmetic: pull_packed.c reads
 * and stores it. */
#include <stdlib.h>
#include <string.h>

#include "pull_internal.h"

/* graphql-ruby's words (GraphQL::Analysis::MaxQueryComplexity), the ones
 * gazelle_packed.c's table matches to call the refusal GS_ETOOBIG. */
#define COST_WORDS "Query has complexity of "
#define LIMIT_WORDS ", which exceeds max complexity of "

int gs__pull_cost_parse(const char *message, double *cost, double *limit)
{
    const char *at = message ? strstr(message, COST_WORDS) : NULL;
    char *end;
    double c, n;

    if (!at)
        return 0;
    c = strtod(at + strlen(COST_WORDS), &end);
    if (end == at + strlen(COST_WORDS) ||
        strncmp(end, LIMIT_WORDS, strlen(LIMIT_WORDS)) != 0)
        return 0;
    at = end + strlen(LIMIT_WORDS);
    n = strtod(at, &end);
    if (end == at || c <= 0 || n <= 0 || c <= n)
        return 0;
    *cost = c;
    *limit = n;
    return 1;
}

double gs__pull_cost_per_node(const gs_pull_costs *costs, int entity)
{
    double most = 0;

    if (entity >= 0 && entity < GS_ENTITY_COUNT && costs->per_node[entity] > 0)
        return costs->per_node[entity];
    /* never refused: as costly as the costliest known, so that a guess
     * never makes a refusal */
    for (int e = 0; e < GS_ENTITY_COUNT; e++)
        if (costs->per_node[e] > most)
            most = costs->per_node[e];
    return most;
}

void gs__pull_cost_learn(gs_pull_costs *costs,
                         const long long nodes[GS_ENTITY_COUNT], double cost,
                         double limit, unsigned *exact)
{
    double residual = cost, known = 0;
    long long open_nodes = 0, unknown_nodes = 0;
    int entities = 0;

    costs->limit = limit; /* the service's own number: exact */
    for (int e = 0; e < GS_ENTITY_COUNT; e++)
        entities += nodes[e] > 0;
    for (int e = 0; e < GS_ENTITY_COUNT; e++) {
        if (nodes[e] <= 0)
            continue;
        if (entities == 1) {
            costs->per_node[e] = cost / (double)nodes[e];
            *exact |= 1u << e;
            return;
        }
        if (*exact & (1u << e))
            residual -= costs->per_node[e] * (double)nodes[e];
        else {
            open_nodes += nodes[e];
            if (costs->per_node[e] > 0)
                known += costs->per_node[e] * (double)nodes[e];
            else
                unknown_nodes += nodes[e];
        }
    }
    /* The entities not measured alone share what the measured ones leave:
     * the known ones scaled to it, or, with some never seen, those get
     * what the known ones' old costs leave, or all of it evenly. */
    if (open_nodes == 0 || residual <= 0)
        return;
    for (int e = 0; e < GS_ENTITY_COUNT; e++) {
        if (nodes[e] <= 0 || (*exact & (1u << e)))
            continue;
        if (unknown_nodes == 0)
            costs->per_node[e] *= residual / known;
        else if (residual > known && costs->per_node[e] <= 0)
            costs->per_node[e] = (residual - known) / (double)unknown_nodes;
        else if (residual <= known)
            costs->per_node[e] = residual / (double)open_nodes;
    }
}

double gs__pull_cost_room(const gs_pull_costs *costs)
{
    return costs->limit > 0 ? costs->limit * GS_PULL_COST_SHARE : 0;
}

void gs__pull_cost_clean_run(gs_pull_costs *costs, int budget)
{
    if (costs->limit <= 0 && costs->nodes <= 0)
        return;
    if (++costs->clean_runs < GS_PULL_COST_PROBE_RUNS)
        return;
    /* a week without a refusal: try a quarter more, once */
    costs->clean_runs = 0;
    if (costs->limit > 0)
        costs->limit += costs->limit / 4;
    if (costs->nodes > 0) {
        long long grown = costs->nodes + costs->nodes / 4 + 1;

        costs->nodes = grown >= budget ? 0 : (int)grown;
    }
}
