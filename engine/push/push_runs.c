/* The run log reaches the target (`gazsync_runs`, schema/supabase.sql), so a
 * dashboard on Supabase shows when data was last refreshed and what it cost.
 *
 * run_id text: "<host>:<cache id>:<local id>". The local id alone
 * (sync_runs.id) restarts at 1 in every cache file, and two machines, or a
 * cache deleted and rebuilt, would overwrite each other's runs. The cache id
 * is a random UUID made the first time a run is sent and kept in the cache's
 * meta table (key "push.cache_id"), so it follows the file, not its path or
 * inode (a copied or restored file keeps its runs); the host name is there
 * for people reading the table. The row is upserted on run_id, so sending a
 * run again (a later push of the same run) updates it in place. */
#include "push_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gazsync/error.h"
#include "gazsync/push.h"
#include "random.h"

#define CACHE_ID_KEY "push.cache_id"
#define RUNS_TABLE "gazsync_runs"
#define RUNS_SCAN 200 /* newest runs read back: ours and the unsent ones */
/* Highest local run id sent in its final state. The run being pushed is
 * still "running" when it is sent, so it is sent again, finished, by the
 * next push; runs of pull alone reach the target the same way. */
#define SENT_KEY "push.runs_sent"

static int new_uuid(char out[37])
{
    unsigned char b[16];

    if (gs__random_bytes(b, sizeof b) != GS_OK)
        return gs_error_wrap("push: no random bytes for the cache id");
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    snprintf(out, 37,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
             "%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10],
             b[11], b[12], b[13], b[14], b[15]);
    return GS_OK;
}

int gs__push_cache_id(char out[40], gs_store *store)
{
    char *cache_id = NULL;
    int rc;

    if ((rc = gs_store_meta_get(&cache_id, store, CACHE_ID_KEY)) != GS_OK)
        return rc;
    if (!cache_id) {
        if ((rc = new_uuid(out)) != GS_OK)
            return rc;
        return gs_store_meta_set(store, CACHE_ID_KEY, out);
    }
    snprintf(out, 40, "%s", cache_id);
    free(cache_id);
    return GS_OK;
}

int gs__push_run_key(char *out, size_t size, gs_store *store, long long run_id)
{
    char host[256] = "";
    char cache_id[40];
    int rc;

    if ((rc = gs__push_cache_id(cache_id, store)) != GS_OK)
        return rc;
    if (gethostname(host, sizeof host - 1) != 0 || !host[0])
        snprintf(host, sizeof host, "localhost");
    rc = snprintf(out, size, "%s:%s:%lld", host, cache_id, run_id);
    if (rc < 0 || (size_t)rc >= size)
        return gs_error_set(GS_EINVAL, GS_ECLASS_SUPABASE,
                            "push: run key too long");
    return GS_OK;
}

static const char *status_of(int push_rc)
{
    if (push_rc == GS_OK)
        return "ok";
    return push_rc == GS_EPARTIAL ? "partial" : "failed";
}

static json_int_t max_int(json_t *stored, long long ours)
{
    json_int_t value = json_integer_value(stored);
    return value > ours ? value : (json_int_t)ours;
}

/* The target's row from the cache's. The run being pushed (@p current) is
 * still "running" in the cache, as the push is its last step: it is given
 * the push's outcome, end time and figures. Every object has the same keys
 * (contracts/postgrest.md: a bulk body with differing keys is a 400). */
static json_t *run_payload(json_t *run, const char *key, int current,
                           const gs_push_report *report, int push_rc,
                           const char *now)
{
    const char *status = json_string_value(json_object_get(run, "status"));
    int running = current && (!status || strcmp(status, "running") == 0);
    json_t *finished = json_object_get(run, "finished_at");
    json_t *stats = json_object_get(run, "stats");
    json_t *error = json_object_get(run, "error");
    long long requests = current ? report->requests + 1 : 0;
    long long pushed = current ? report->rows_pushed : 0;
    json_t *payload;

    payload = json_pack(
        "{ss sO? sO? sO? ss sI sI sI sI sI}", "run_id", key, "command",
        json_object_get(run, "command"), "started_at",
        json_object_get(run, "started_at"), "finished_at", finished, "status",
        running  ? status_of(push_rc)
        : status ? status
                 : "running",
        "gazelle_requests",
        json_integer_value(json_object_get(run, "gazelle_requests")),
        "supabase_requests",
        max_int(json_object_get(run, "supabase_requests"), requests), "rows_in",
        json_integer_value(json_object_get(run, "rows_in")), "rows_changed",
        json_integer_value(json_object_get(run, "rows_changed")), "rows_pushed",
        max_int(json_object_get(run, "rows_pushed"), pushed));
    if (!payload)
        return NULL;
    if (running && !json_is_string(finished))
        json_object_set_new(payload, "finished_at", json_string(now));
    if (json_is_object(stats))
        json_object_set(payload, "stats", stats);
    else if (running)
        json_object_set_new(
            payload, "stats",
            json_pack("{so*}", "push", gs_push_report_json(report)));
    else
        json_object_set_new(payload, "stats", json_null());
    if (json_is_string(error))
        json_object_set(payload, "error", error);
    else if (running && push_rc != GS_OK)
        json_object_set_new(payload, "error",
                            json_string(gs_error_last()->message));
    else
        json_object_set_new(payload, "error", json_null());
    if (json_object_size(payload) != 12) {
        json_decref(payload);
        return NULL;
    }
    return payload;
}

typedef struct {
    gs_http *http;
    const char *base_url;
    const char *const *headers;
} rest_sink;

static int post_run(void *sink, json_t *array)
{
    gs_http *http = ((rest_sink *)sink)->http;
    const char *base_url = ((rest_sink *)sink)->base_url;
    const char *const *headers = ((rest_sink *)sink)->headers;
    gs_http_response response;
    gs_push_answer answer;
    gs_buf url = GS_BUF_INIT;
    char *body = NULL;
    int rc = GS_OK;

    memset(&response, 0, sizeof response);
    if (!(body = json_dumps(array, JSON_COMPACT)) ||
        gs_buf_printf(&url, "%s/rest/v1/%s?on_conflict=run_id", base_url,
                      RUNS_TABLE) != GS_OK) {
        rc = gs_error_set(GS_ENOMEM, GS_ECLASS_SUPABASE, "push: out of memory");
        goto done;
    }
    rc = gs_http_request(&response, http, "POST", url.data, headers, body,
                         strlen(body));
    if (rc != GS_OK && response.status == 0) {
        rc = gs_error_wrap("push: run log to %s", RUNS_TABLE);
        goto done;
    }
    /* The same verdict as an entity's upsert: 201/200 with an empty body,
     * nothing else (an HTML page with 200 is not a logged run). */
    gs__push_judge(&answer, GS_OK, response.status, response.body);
    if (answer.verdict != GS_PUSH_LANDED) {
        char host[256];
        gs_http_url_host(host, sizeof host, base_url);
        rc = gs_error_set_http(
            response.status == 401 || response.status == 403 ? GS_EAUTH
            : answer.code == GS_EPROTO                       ? GS_EPROTO
                                                             : GS_EHTTP,
            GS_ECLASS_SUPABASE, response.status,
            "push: run log to %s at %s: HTTP %ld%s%s: %s", RUNS_TABLE, host,
            response.status, answer.pg_code[0] ? " " : "", answer.pg_code,
            answer.message);
    } else {
        rc = GS_OK;
    }
done:
    gs_http_response_free(&response);
    gs_buf_free(&url);
    free(body);
    return rc;
}

int gs__push_run_row(gs_http *http, const char *base_url,
                     const char *const *headers, gs_store *store,
                     long long run_id, const gs_push_report *report,
                     int push_rc, const char *now)
{
    rest_sink sink = {http, base_url, headers};

    return gs__push_run_log(post_run, &sink, store, run_id, report, push_rc,
                            now);
}

int gs__push_run_log(gs_push_runs_post post, void *sink, gs_store *store,
                     long long run_id, const gs_push_report *report,
                     int push_rc, const char *now)
{
    char key[400];
    char *sent_text = NULL;
    char sent_new[32];
    long long sent = 0, sent_max = 0;
    json_t *runs = NULL;
    json_t *array = NULL;
    json_t *run;
    size_t i;
    int rc;

    if ((rc = gs_store_meta_get(&sent_text, store, SENT_KEY)) != GS_OK)
        return gs_error_wrap("push: run log");
    if (sent_text)
        sent = strtoll(sent_text, NULL, 10);
    free(sent_text);
    if ((rc = gs_store_runs_list(&runs, store, RUNS_SCAN)) != GS_OK)
        return gs_error_wrap("push: run log");
    if (!(array = json_array())) {
        rc = gs_error_set(GS_ENOMEM, GS_ECLASS_SUPABASE, "out of memory");
        goto done;
    }
    json_array_foreach(runs, i, run)
    {
        long long id = json_integer_value(json_object_get(run, "id"));
        json_t *payload;
        if (id != run_id && id <= sent)
            continue;
        rc = gs__push_run_key(key, sizeof key, store, id);
        if (rc != GS_OK)
            goto done;
        payload = run_payload(run, key, id == run_id, report, push_rc, now);
        if (!payload || json_array_append_new(array, payload) != 0) {
            rc = gs_error_set(GS_ENOMEM, GS_ECLASS_SUPABASE,
                              "push: out of memory");
            goto done;
        }
        if (id != run_id && id > sent_max)
            sent_max = id;
    }
    if (json_array_size(array) == 0) {
        rc = gs_error_set(GS_ENOTFOUND, GS_ECLASS_STORE,
                          "push: run %lld is not in sync_runs", run_id);
        goto done;
    }
    if ((rc = post(sink, array)) != GS_OK)
        goto done;
    if (sent_max > sent) {
        snprintf(sent_new, sizeof sent_new, "%lld", sent_max);
        if ((rc = gs_store_meta_set(store, SENT_KEY, sent_new)) != GS_OK)
            rc = gs_error_wrap("push: run log");
    }
done:
    json_decref(array);
    json_decref(runs);
    return rc;
}
