/* Fault injection: rules posted as JSON to /__sim/faults decide which API
 * requests get a failure instead of (or before) their answer.
 *
 *   {"rules": [{"field": "allClients" | "*" | "oauth",
 *               "nth": K | "every": K, "count": C,
 *               "action": "status" | "delay" | "truncate" | "not_json" |
 *                         "graphql_error" | "close",
 *               "status": 429, "retry_after": 1, "delay_ms": 500,
 *               "keep_bytes": 100}]}
 *
 * A rule sees the requests that match its field ("*" = every GraphQL
 * request; "oauth" = POST /developer/oauth/token; otherwise a GraphQL
 * request having that root field) and counts them from 1. With "nth": K it
 * fires on matching requests K .. K+count-1 (count defaults to 1). With
 * "every": K it fires on requests K, 2K, 3K ... at most count times (count
 * 0 or absent = no limit). Every rule counts every request it matches; the
 * first rule that fires decides the request's fate. */
#ifndef GSIM_FAULTS_H
#define GSIM_FAULTS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    GSIM_FAULT_STATUS,
    GSIM_FAULT_DELAY,
    GSIM_FAULT_TRUNCATE,
    GSIM_FAULT_NOT_JSON,
    GSIM_FAULT_GRAPHQL_ERROR,
    GSIM_FAULT_CLOSE
} gsim_fault_action;

typedef struct {
    char field[64];
    uint64_t nth, every, count;
    gsim_fault_action action;
    int status, retry_after, delay_ms;
    int64_t keep_bytes;      /* -1: half of the body */
    uint64_t seen, fired;
} gsim_fault_rule;

typedef struct {
    gsim_fault_rule *rules;
    size_t count;
} gsim_faults;

/* Replaces the rules with those in doc. 0, or -1 with err filled and the
 * old rules kept. */
int gsim_faults_load(gsim_faults *f, json_t *doc, char *err, size_t errlen);
void gsim_faults_clear(gsim_faults *f);
/* Counts the request against every matching rule and returns a copy of the
 * rule that fires (1) or 0 when none does. roots: the request's root field
 * names, or the single name "oauth". is_graphql: whether "*" applies. */
int gsim_faults_match(gsim_faults *f, const char *const *roots,
                      size_t nroots, int is_graphql, gsim_fault_rule *out);
json_t *gsim_faults_json(const gsim_faults *f);

#endif
