/* See faults.h. Rule JSON (README.md has the full table):
 *   {"method":"POST"|"*", "table":"gazelle_clients"|"*",
 *    "nth":3 | "every":2, "count":1,
 *    "action":"status"|"delay"|"close", "status":503, "retry_after":1,
 *    "delay_ms":200, "body":{...}} */
#include "faults.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef enum { ACTION_STATUS, ACTION_DELAY, ACTION_CLOSE } action_kind;

typedef struct {
    char *method; /* NULL: any */
    char *table;  /* NULL: any */
    long nth;     /* fire on the nth match only (0: unset) */
    long every;   /* fire on every k-th match (0: unset) */
    long count;   /* at most this many firings (-1: no limit) */
    action_kind action;
    int status;
    long retry_after;
    long delay_ms;
    char *body;
    long seen;
    long fired;
} rule;

struct pd_faults {
    pthread_mutex_t lock;
    rule *rules;
    size_t count;
};

pd_faults *pd_faults_new(void)
{
    pd_faults *f = calloc(1, sizeof(*f));
    if (f)
        pthread_mutex_init(&f->lock, NULL);
    return f;
}

static void rule_free(rule *r)
{
    free(r->method);
    free(r->table);
    free(r->body);
}

void pd_faults_clear(pd_faults *f)
{
    pthread_mutex_lock(&f->lock);
    for (size_t i = 0; i < f->count; i++)
        rule_free(&f->rules[i]);
    free(f->rules);
    f->rules = NULL;
    f->count = 0;
    pthread_mutex_unlock(&f->lock);
}

void pd_faults_free(pd_faults *f)
{
    if (!f)
        return;
    pd_faults_clear(f);
    pthread_mutex_destroy(&f->lock);
    free(f);
}

/* "*" and absence both mean any. */
static char *pattern(json_t *obj, const char *key)
{
    const char *text = json_string_value(json_object_get(obj, key));
    return (text && strcmp(text, "*") != 0) ? strdup(text) : NULL;
}

static int integer(json_t *obj, const char *key, long fallback, long *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        *out = fallback;
        return 0;
    }
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return -1;
    *out = (long)json_integer_value(v);
    return 0;
}

static int parse_rule(rule *r, json_t *obj, char *err, size_t errlen)
{
    const char *action = json_string_value(json_object_get(obj, "action"));
    long status, nth_or_every;
    memset(r, 0, sizeof(*r));
    if (!json_is_object(obj)) {
        snprintf(err, errlen, "a rule must be an object");
        return -1;
    }
    if (!action || !strcmp(action, "status"))
        r->action = ACTION_STATUS;
    else if (!strcmp(action, "delay"))
        r->action = ACTION_DELAY;
    else if (!strcmp(action, "close"))
        r->action = ACTION_CLOSE;
    else {
        snprintf(err, errlen, "unknown action '%s'", action);
        return -1;
    }
    if (integer(obj, "nth", 0, &r->nth) ||
        integer(obj, "every", 0, &r->every) ||
        integer(obj, "count", -1, &r->count) ||
        integer(obj, "status", 503, &status) ||
        integer(obj, "retry_after", -1, &r->retry_after) ||
        integer(obj, "delay_ms", 0, &r->delay_ms) ||
        integer(obj, "ms", r->delay_ms, &r->delay_ms) ||
        integer(obj, "delay", r->delay_ms, &r->delay_ms)) {
        snprintf(err, errlen,
                 "nth, every, count, status, retry_after and "
                 "delay_ms must be non-negative integers");
        return -1;
    }
    nth_or_every = (r->nth > 0) + (r->every > 0);
    if (nth_or_every > 1) {
        snprintf(err, errlen, "give nth or every, not both");
        return -1;
    }
    if (r->action == ACTION_STATUS && (status < 100 || status > 599)) {
        snprintf(err, errlen, "status must be 100..599");
        return -1;
    }
    r->status = (int)status;
    json_t *body = json_object_get(obj, "body");
    r->method = pattern(obj, "method");
    r->table = pattern(obj, "table");
    if (body && !json_is_null(body))
        r->body = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
    return 0;
}

int pd_faults_add(pd_faults *f, const char *json, char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *doc = json_loads(json, 0, &jerr);
    json_t *rules = json_is_object(doc) ? json_object_get(doc, "rules") : NULL;
    int rc = -1;

    if (!doc) {
        snprintf(err, errlen, "invalid JSON: %s", jerr.text);
        return -1;
    }
    if (!rules)
        rules = json_is_array(doc) ? doc : NULL;
    size_t n = rules ? json_array_size(rules) : 1;
    rule *parsed = calloc(n ? n : 1, sizeof(*parsed));
    size_t done = 0;
    if (!parsed) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    for (; done < n; done++) {
        json_t *obj = rules ? json_array_get(rules, done) : doc;
        if (parse_rule(&parsed[done], obj, err, errlen) != 0)
            goto out;
    }
    pthread_mutex_lock(&f->lock);
    rule *grown = realloc(f->rules, (f->count + n + 1) * sizeof(*grown));
    if (grown) {
        memcpy(grown + f->count, parsed, n * sizeof(*parsed));
        f->rules = grown;
        f->count += n;
        done = 0; /* now owned by f */
        rc = 0;
    } else {
        snprintf(err, errlen, "out of memory");
    }
    pthread_mutex_unlock(&f->lock);
out:
    for (size_t i = 0; i < done; i++)
        rule_free(&parsed[i]);
    free(parsed);
    json_decref(doc);
    return rc;
}

static int matches(const rule *r, const char *method, const char *table)
{
    if (r->method && strcasecmp(r->method, method) != 0)
        return 0;
    if (r->table && (!table || strcmp(r->table, table) != 0))
        return 0;
    return 1;
}

static int fires(rule *r)
{
    if (r->count >= 0 && r->fired >= r->count)
        return 0;
    if (r->nth > 0)
        return r->seen == r->nth;
    if (r->every > 0)
        return r->seen % r->every == 0;
    return 1;
}

void pd_faults_match(pd_fault_action *out, pd_faults *f, const char *method,
                     const char *table)
{
    memset(out, 0, sizeof(*out));
    out->retry_after = -1;
    pthread_mutex_lock(&f->lock);
    for (size_t i = 0; i < f->count; i++) {
        rule *r = &f->rules[i];
        if (!matches(r, method, table))
            continue;
        r->seen++;
        /* Delays add up; the first status or close rule that fires wins,
         * and later ones do not count this request as fired. */
        if (r->action != ACTION_DELAY && out->kind != PD_FAULT_NONE)
            continue;
        if (!fires(r))
            continue;
        r->fired++;
        if (r->action == ACTION_DELAY) {
            out->delay_ms += r->delay_ms;
        } else if (r->action == ACTION_CLOSE) {
            out->kind = PD_FAULT_CLOSE;
        } else {
            out->kind = PD_FAULT_STATUS;
            out->status = r->status;
            out->retry_after = r->retry_after;
            out->body = r->body ? strdup(r->body) : NULL;
        }
    }
    pthread_mutex_unlock(&f->lock);
}

char *pd_faults_dump(pd_faults *f)
{
    static const char *const names[] = {"status", "delay", "close"};
    json_t *list = json_array();
    pthread_mutex_lock(&f->lock);
    for (size_t i = 0; list && i < f->count; i++) {
        rule *r = &f->rules[i];
        json_array_append_new(
            list,
            json_pack("{s:s?,s:s?,s:i,s:i,s:i,s:s,s:i,s:i,s:i,s:i}", "method",
                      r->method, "table", r->table, "nth", (json_int_t)r->nth,
                      "every", (json_int_t)r->every, "count",
                      (json_int_t)r->count, "action", names[r->action],
                      "status", r->status, "delay_ms", (json_int_t)r->delay_ms,
                      "seen", (json_int_t)r->seen, "fired",
                      (json_int_t)r->fired));
    }
    pthread_mutex_unlock(&f->lock);
    json_t *doc = json_pack("{s:o}", "rules", list);
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    return text;
}
