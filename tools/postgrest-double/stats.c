/* See stats.h. Kept as a jansson object under a lock: small, and dumping it
 * is the only read. */
#include "stats.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct pd_stats {
    pthread_mutex_t lock;
    json_t *doc;
};

static json_t *fresh(void)
{
    return json_pack("{s:i,s:{},s:{},s:i,s:{},s:{},s:i}", "requests", 0,
                     "by_method", "by_status", "rows_written", 0, "by_table",
                     "requests_by_table", "dropped", 0);
}

pd_stats *pd_stats_new(void)
{
    pd_stats *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->doc = fresh();
    if (!s->doc) {
        free(s);
        return NULL;
    }
    pthread_mutex_init(&s->lock, NULL);
    return s;
}

void pd_stats_free(pd_stats *s)
{
    if (!s)
        return;
    json_decref(s->doc);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

static void bump(json_t *obj, const char *key, long long by)
{
    json_t *v = json_object_get(obj, key);
    json_int_t now = v ? json_integer_value(v) : 0;
    json_object_set_new(obj, key, json_integer(now + by));
}

void pd_stats_record(pd_stats *s, const char *method, const char *table,
                     int status, long long rows_written)
{
    char code[16];
    pthread_mutex_lock(&s->lock);
    bump(s->doc, "requests", 1);
    bump(json_object_get(s->doc, "by_method"), method, 1);
    if (status > 0) {
        snprintf(code, sizeof(code), "%d", status);
        bump(json_object_get(s->doc, "by_status"), code, 1);
    } else {
        bump(s->doc, "dropped", 1);
    }
    bump(s->doc, "rows_written", rows_written);
    if (table) {
        bump(json_object_get(s->doc, "by_table"), table, rows_written);
        bump(json_object_get(s->doc, "requests_by_table"), table, 1);
    }
    pthread_mutex_unlock(&s->lock);
}

void pd_stats_reset(pd_stats *s)
{
    json_t *doc = fresh();
    if (!doc)
        return;
    pthread_mutex_lock(&s->lock);
    json_decref(s->doc);
    s->doc = doc;
    pthread_mutex_unlock(&s->lock);
}

char *pd_stats_json(pd_stats *s)
{
    pthread_mutex_lock(&s->lock);
    char *text = json_dumps(s->doc, JSON_COMPACT);
    pthread_mutex_unlock(&s->lock);
    return text;
}
