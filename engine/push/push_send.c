/* One bulk upsert and the verdict on its answer (contracts/postgrest.md,
 * "Bulk upsert" and "Errors"). The transport (engine/transport/http.c) has
 * already retried network errors, 408, 429 and 5xx; what reaches the judge is
 * final.
 */
#include "push_internal.h"

#include <stdio.h>
#include <string.h>

#include "gazsync/error.h"

/* 4xx codes that say the target table does not match the payload, whatever
 * the rows hold: splitting would quarantine every row of the entity for a
 * schema problem, so the entity stops instead and says which table. */
static const char *const schema_codes[] = {
    "PGRST204", /* a payload column is not in the table */
    "PGRST102", /* invalid body: keys differ or not JSON (a gazsync bug) */
    "PGRST100", /* unparsable query string */
    "PGRST205", /* no such table (newer PostgREST) */
    "42703",    /* undefined column */
    "42P10",    /* on_conflict column without a unique constraint */
    "42P01",    /* undefined table */
    "42501",    /* permission denied on the table */
};

static int is_schema_code(const char *code)
{
    for (size_t i = 0; i < sizeof schema_codes / sizeof schema_codes[0]; i++)
        if (strcmp(code, schema_codes[i]) == 0)
            return 1;
    return 0;
}

/* The statement timeout: PostgREST maps SQLSTATE 57014 to 500 (older
 * releases) or 504 (current), and the platform's gateway answers 504 when
 * the database is too slow (contracts/postgrest.md). Sending the same batch
 * again costs the same time for the same answer: the pusher halves it. */
static int is_statement_timeout(long status, const char *pg_code)
{
    return status == 504 || (status >= 500 && strcmp(pg_code, "57014") == 0);
}

/* A short, printable excerpt of a body, for a message: runs of white space
 * become one space, other control bytes and non-ASCII '.', so an HTML page
 * or binary garbage stays one short line. */
static void excerpt(char *out, size_t size, const char *body, size_t len)
{
    size_t n = 0;
    size_t i;

    for (i = 0; i < len && n + 4 < size; i++) {
        unsigned char c = (unsigned char)body[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            if (n > 0 && out[n - 1] != ' ')
                out[n++] = ' ';
            continue;
        }
        out[n++] = c >= 0x20 && c < 0x7f ? (char)c : '.';
    }
    if (i < len && n + 4 <= size) {
        memcpy(out + n, "...", 3);
        n += 3;
    }
    out[n] = '\0';
}

/* Reads {code, message, details, hint}; a body that is not a PostgREST
 * error (a gateway's HTML page) leaves a generic message. */
static void read_error_body(gs_push_answer *answer, const char *body)
{
    json_t *root = body && *body ? json_loads(body, 0, NULL) : NULL;
    const char *code = json_string_value(json_object_get(root, "code"));
    const char *message = json_string_value(json_object_get(root, "message"));
    const char *details = json_string_value(json_object_get(root, "details"));

    if (code)
        snprintf(answer->pg_code, sizeof answer->pg_code, "%s", code);
    if (message && details)
        snprintf(answer->message, sizeof answer->message, "%s (%s)", message,
                 details);
    else if (message)
        snprintf(answer->message, sizeof answer->message, "%s", message);
    else
        snprintf(answer->message, sizeof answer->message,
                 "HTTP %ld without a PostgREST error body", answer->status);
    json_decref(root);
}

void gs__push_judge(gs_push_answer *answer, int http_rc, long status,
                    const char *body)
{
    memset(answer, 0, sizeof *answer);
    answer->status = status;
    if (http_rc != GS_OK) {
        answer->verdict = GS_PUSH_STOP;
        answer->code = http_rc;
        answer->status = 0;
        snprintf(answer->message, sizeof answer->message, "%s",
                 http_rc == GS_EHTTP ? "no answer after every retry"
                                     : gs_strerror(http_rc));
        return;
    }
    /* With return=minimal an upsert answers 201 (rows inserted) or 200
     * (PostgREST 12+: every row existed) with an empty body
     * (contracts/postgrest.md, "Bulk upsert"). Any other 2xx, or a body, is
     * not PostgREST's answer (an HTML page of a proxy or a wrong URL): it
     * proves nothing was written, so nothing may be marked pushed. */
    if (status >= 200 && status < 300) {
        size_t len = body ? strlen(body) : 0;
        char text[96];
        if ((status == 200 || status == 201) && len == 0) {
            answer->verdict = GS_PUSH_LANDED;
            return;
        }
        excerpt(text, sizeof text, body ? body : "", len);
        answer->verdict = GS_PUSH_STOP;
        answer->code = GS_EPROTO;
        snprintf(answer->message, sizeof answer->message,
                 "HTTP %ld with %zu byte(s) of body, not PostgREST's answer "
                 "to an upsert (201 or 200, empty)%s%s",
                 status, len, len ? ": " : "", text);
        return;
    }
    read_error_body(answer, body);
    answer->verdict = GS_PUSH_STOP;
    if (status == 401 || status == 403) {
        answer->verdict = GS_PUSH_STOP_ALL;
        answer->code = GS_EAUTH;
    } else if (status == 404) {
        answer->code = GS_ENOTFOUND;
    } else if (status == 429) {
        answer->code = GS_ERATELIMIT;
    } else if (is_statement_timeout(status, answer->pg_code)) {
        answer->verdict = GS_PUSH_TIMEOUT;
        answer->code = GS_EHTTP;
    } else if (status == 408 || status >= 500) {
        answer->code = GS_EHTTP;
    } else if (status == 413) {
        answer->verdict = GS_PUSH_TOO_LARGE;
    } else if (status >= 400 && status < 500) {
        if (is_schema_code(answer->pg_code))
            answer->code = GS_ECONFLICT;
        else
            answer->verdict = GS_PUSH_BAD_ROWS;
    } else {
        answer->code = GS_EPROTO; /* 1xx, 3xx: not what an upsert answers */
    }
}

/* gs_http_final_fn: a statement timeout of a batch of several rows is not
 * retried at the same size; the split halves it (push_split.c). A single
 * row is retried as any 5xx: there is nothing smaller to send. */
static int final_for_batch(void *ctx, long status, const char *body,
                           size_t body_len)
{
    const size_t *rows = ctx;
    json_t *root;
    int timeout;

    if (*rows < 2 || status < 500)
        return 0;
    if (status == 504)
        return 1;
    root = json_loadb(body ? body : "", body_len, 0, NULL);
    timeout = is_statement_timeout(
        status, json_string_value(json_object_get(root, "code"))
                    ? json_string_value(json_object_get(root, "code"))
                    : "");
    json_decref(root);
    return timeout;
}

int gs__push_post(gs_push_answer *answer, void *sender, const char *body,
                  size_t len, size_t rows)
{
    gs_push_target *target = sender;
    gs_http_response response;
    gs_http_req req = {"POST",          target->url, target->headers, body, len,
                       final_for_batch, &rows};
    int rc;

    memset(&response, 0, sizeof response);
    rc = gs_http_send(&response, target->http, &req);
    /* Retries ran out on a retryable status: the transport says so with
     * GS_EHTTP/GS_ERATELIMIT but keeps the final answer, judged as such. */
    if ((rc == GS_EHTTP || rc == GS_ERATELIMIT) && response.status != 0)
        rc = GS_OK;
    if (rc == GS_ENOMEM || rc == GS_EINVAL) {
        gs_http_response_free(&response);
        return rc; /* local failure: not the target's verdict */
    }
    gs__push_judge(answer, rc, response.status, response.body);
    if (rc != GS_OK) /* keep the transport's words: host, path and cause */
        gs_copy_text(answer->message, sizeof answer->message,
                     gs_error_last()->message);
    answer->attempts = response.attempts;
    answer->timed_out = response.timed_out;
    gs_http_response_free(&response);
    return GS_OK;
}
