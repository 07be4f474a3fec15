#include "faults.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const action_names[] = {
    "status", "delay", "truncate", "not_json", "graphql_error", "close"};

static int read_count(json_t *rule, const char *key, uint64_t *out,
                      char *err, size_t errlen, size_t index)
{
    json_t *v = json_object_get(rule, key);
    *out = 0;
    if (!v)
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0) {
        snprintf(err, errlen, "rule %zu: \"%s\" must be a non-negative integer",
                 index, key);
        return -1;
    }
    *out = (uint64_t)json_integer_value(v);
    return 0;
}

static int parse_rule(gsim_fault_rule *r, json_t *rule, size_t i, char *err,
                      size_t errlen)
{
    memset(r, 0, sizeof(*r));
    if (!json_is_object(rule)) {
        snprintf(err, errlen, "rule %zu: not an object", i);
        return -1;
    }
    const char *field = json_string_value(json_object_get(rule, "field"));
    snprintf(r->field, sizeof(r->field), "%s", field ? field : "*");
    if (read_count(rule, "nth", &r->nth, err, errlen, i) ||
        read_count(rule, "every", &r->every, err, errlen, i) ||
        read_count(rule, "count", &r->count, err, errlen, i))
        return -1;
    if ((r->nth == 0) == (r->every == 0)) {
        snprintf(err, errlen, "rule %zu: give exactly one of \"nth\" or "
                 "\"every\" (>= 1)", i);
        return -1;
    }
    if (r->nth && r->count == 0)
        r->count = 1;
    const char *action = json_string_value(json_object_get(rule, "action"));
    size_t a = 0;
    while (action && a < sizeof(action_names) / sizeof(action_names[0]) &&
           strcmp(action, action_names[a]) != 0)
        a++;
    if (!action || a == sizeof(action_names) / sizeof(action_names[0])) {
        snprintf(err, errlen, "rule %zu: \"action\" must be one of status, "
                 "delay, truncate, not_json, graphql_error, close", i);
        return -1;
    }
    r->action = (gsim_fault_action)a;
    json_t *v = json_object_get(rule, "status");
    r->status = v ? (int)json_integer_value(v) : 500;
    if (r->action == GSIM_FAULT_STATUS && (r->status < 400 || r->status > 599)) {
        snprintf(err, errlen, "rule %zu: \"status\" must be 400-599", i);
        return -1;
    }
    v = json_object_get(rule, "retry_after");
    r->retry_after = v ? (int)json_integer_value(v) : (r->status == 429 ? 1 : -1);
    v = json_object_get(rule, "delay_ms");
    r->delay_ms = v ? (int)json_integer_value(v) : 1000;
    if (r->delay_ms < 0 || r->delay_ms > 600000) {
        snprintf(err, errlen, "rule %zu: \"delay_ms\" must be 0-600000", i);
        return -1;
    }
    v = json_object_get(rule, "keep_bytes");
    r->keep_bytes = v ? (int64_t)json_integer_value(v) : -1;
    return 0;
}

int gsim_faults_load(gsim_faults *f, json_t *doc, char *err, size_t errlen)
{
    json_t *rules = json_object_get(doc, "rules");
    if (!json_is_array(rules)) {
        snprintf(err, errlen, "expected {\"rules\": [...]}");
        return -1;
    }
    size_t n = json_array_size(rules);
    gsim_fault_rule *parsed = calloc(n ? n : 1, sizeof(*parsed));
    if (!parsed) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (parse_rule(&parsed[i], json_array_get(rules, i), i, err, errlen)) {
            free(parsed);
            return -1;
        }
    }
    gsim_faults_clear(f);
    f->rules = parsed;
    f->count = n;
    return 0;
}

void gsim_faults_clear(gsim_faults *f)
{
    free(f->rules);
    f->rules = NULL;
    f->count = 0;
}

static int rule_matches(const gsim_fault_rule *r, const char *const *roots,
                        size_t nroots, int is_graphql)
{
    if (strcmp(r->field, "*") == 0)
        return is_graphql;
    for (size_t i = 0; i < nroots; i++)
        if (strcmp(r->field, roots[i]) == 0)
            return 1;
    return 0;
}

int gsim_faults_match(gsim_faults *f, const char *const *roots,
                      size_t nroots, int is_graphql, gsim_fault_rule *out)
{
    int fired = 0;
    for (size_t i = 0; i < f->count; i++) {
        gsim_fault_rule *r = &f->rules[i];
        if (!rule_matches(r, roots, nroots, is_graphql))
            continue;
        r->seen++;
        int fire;
        if (r->nth)
            fire = r->seen >= r->nth && r->seen < r->nth + r->count;
        else
            fire = r->seen % r->every == 0 &&
                   (r->count == 0 || r->fired < r->count);
        if (fire && !fired) {
            r->fired++;
            *out = *r;
            fired = 1;
        }
    }
    return fired;
}

json_t *gsim_faults_json(const gsim_faults *f)
{
    json_t *rules = json_array();
    for (size_t i = 0; i < f->count; i++) {
        const gsim_fault_rule *r = &f->rules[i];
        json_array_append_new(
            rules, json_pack("{s:s,s:I,s:I,s:I,s:s,s:i,s:I,s:I}", "field",
                             r->field, "nth", (json_int_t)r->nth, "every",
                             (json_int_t)r->every, "count",
                             (json_int_t)r->count, "action",
                             action_names[r->action], "status", r->status,
                             "seen", (json_int_t)r->seen, "fired",
                             (json_int_t)r->fired));
    }
    return json_pack("{s:o}", "rules", rules);
}
