/* The Gazelle GraphQL client (contracts/gazelle.md): fixed documents with
 * variables, bearer or API-key auth, one OAuth refresh on 401, and the
 * judgement of an answer (status, JSON, GraphQL `errors`, `data`). */
#include "gazsync/gazelle.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "gazsync/error.h"
#include "internal_gazelle.h"
#include "secret.h"

struct gs_gazelle {
    gs_http *http; /* borrowed */
    char *api_url;
    char *oauth_url;
    char *access_token;
    char *api_key;
    char *refresh_token;
    char *client_id;
    char *client_secret;
    gs_token_saver save_tokens;
    void *save_ctx;
    long long requests;
};

void gs_gazelle_free(gs_gazelle *client)
{
    if (!client)
        return;
    free(client->api_url);
    free(client->oauth_url);
    gs_secret_free(client->access_token);
    gs_secret_free(client->api_key);
    gs_secret_free(client->refresh_token);
    free(client->client_id);
    gs_secret_free(client->client_secret);
    free(client);
}

/* Copies @p src into *dst (NULL or "" stays NULL); 0 or GS_ENOMEM. */
static int copy_opt(char **dst, const char *src)
{
    *dst = NULL;
    if (!src || !*src)
        return GS_OK;
    *dst = strdup(src);
    return *dst ? GS_OK : GS_ENOMEM;
}

int gs_gazelle_new(gs_gazelle **out, gs_http *http, const gs_gazelle_opts *opts)
{
    gs_gazelle *client = NULL;
    int rc = GS_OK;

    *out = NULL;
    if (!http || !opts || !opts->api_url || !*opts->api_url)
        return gs_error_set(GS_EINVAL, GS_ECLASS_GAZELLE,
                            "gazelle: no API URL (GAZELLE_API_URL)");
    client = calloc(1, sizeof *client);
    if (!client)
        return gs_error_set(GS_ENOMEM, GS_ECLASS_GAZELLE, "out of memory");
    client->http = http;
    client->save_tokens = opts->save_tokens;
    client->save_ctx = opts->save_ctx;
    if (copy_opt(&client->api_url, opts->api_url) ||
        copy_opt(&client->access_token, opts->access_token) ||
        copy_opt(&client->api_key, opts->api_key) ||
        copy_opt(&client->refresh_token, opts->refresh_token) ||
        copy_opt(&client->client_id, opts->client_id) ||
        copy_opt(&client->client_secret, opts->client_secret) ||
        copy_opt(&client->oauth_url, opts->oauth_url)) {
        rc = gs_error_set(GS_ENOMEM, GS_ECLASS_GAZELLE, "out of memory");
        goto done;
    }
    if (!client->oauth_url) {
        client->oauth_url = gs__oauth_default_url(client->api_url);
        if (!client->oauth_url) {
            rc = gs_error_set(GS_ECONFIG, GS_ECLASS_CONFIG,
                              "gazelle: API URL has no scheme://host, cannot "
                              "derive the OAuth URL");
            goto done;
        }
    }
    *out = client;
    client = NULL;
done:
    gs_gazelle_free(client);
    return rc;
}

long long gs_gazelle_requests(const gs_gazelle *client)
{
    return client ? client->requests : 0;
}

/* ---- one exchange ---------------------------------------------------- */

static int build_body(gs_buf *out, const char *document, json_t *variables)
{
    json_t *req = json_object();
    char *text = NULL;
    int rc = GS_ENOMEM;

    if (!req)
        return rc;
    if (json_object_set_new(req, "query", json_string(document)) != 0)
        goto done;
    if (variables) {
        if (json_object_set(req, "variables", variables) != 0)
            goto done;
    } else if (json_object_set_new(req, "variables", json_object()) != 0) {
        goto done;
    }
    text = json_dumps(req, JSON_COMPACT);
    if (text)
        rc = gs_buf_puts(out, text);
done:
    free(text);
    json_decref(req);
    return rc;
}

/* Sends @p body with the current credentials. */
static int post(gs_http_response *resp, gs_gazelle *client, const gs_buf *body)
{
    gs_buf auth = GS_BUF_INIT;
    const char *headers[4] = {"Content-Type: application/json",
                              "Accept: application/json", NULL, NULL};
    int rc = GS_OK;

    if (client->access_token)
        rc = gs_buf_printf(&auth, "Authorization: Bearer %s",
                           client->access_token);
    else if (client->api_key)
        rc = gs_buf_printf(&auth, "x-gazelle-api-key: %s", client->api_key);
    if (rc != GS_OK) {
        memset(resp, 0, sizeof *resp);
        return gs_error_set(GS_ENOMEM, GS_ECLASS_GAZELLE, "out of memory");
    }
    headers[2] = auth.data;
    rc = gs_http_request(resp, client->http, "POST", client->api_url, headers,
                         body->data, body->len);
    client->requests += resp->attempts;
    if (auth.data)
        memset(auth.data, 0, auth.len);
    gs_buf_free(&auth);
    return rc;
}

/* One refresh; the new tokens replace the old ones in memory and go to the
 * saver, since Gazelle may have invalidated the old refresh token. */
static int refresh(gs_gazelle *client)
{
    gs__oauth_tokens tokens;
    int rc;

    rc = gs__oauth_refresh(&tokens, client->http, client->oauth_url,
                           client->refresh_token, client->client_id,
                           client->client_secret, &client->requests);
    if (rc != GS_OK)
        return rc;
    gs_secret_free(client->access_token);
    client->access_token = tokens.access_token;
    tokens.access_token = NULL;
    if (tokens.refresh_token) {
        gs_secret_free(client->refresh_token);
        client->refresh_token = tokens.refresh_token;
        tokens.refresh_token = NULL;
    }
    gs__oauth_tokens_free(&tokens);
    if (client->save_tokens) {
        rc = client->save_tokens(client->save_ctx, client->access_token,
                                 client->refresh_token);
        if (rc != GS_OK) {
            /* A rotated refresh token that is not saved is lost for the
             * next run: say so now rather than fail mysteriously later. */
            if (gs_error_last()->code != rc)
                gs_error_set(rc, GS_ECLASS_GAZELLE, "saver failed");
            return gs_error_wrap("gazelle: refreshed tokens were not saved");
        }
    }
    return GS_OK;
}

/* ---- judging the answer ---------------------------------------------- */

static int status_error(const gs_http_response *resp, const char *what,
                        int refreshed)
{
    long status = resp->status;

    if (status == 401)
        return gs_error_set_http(GS_EAUTH, GS_ECLASS_GAZELLE, status,
                                 "%s: credentials rejected (HTTP 401)%s", what,
                                 refreshed ? " even after a token refresh"
                                           : "");
    if (status == 403)
        return gs_error_set_http(GS_EAUTH, GS_ECLASS_GAZELLE, status,
                                 "%s: access forbidden (HTTP 403)", what);
    if (status == 429)
        return gs_error_set_http(GS_ERATELIMIT, GS_ECLASS_GAZELLE, status,
                                 "%s: still rate limited (HTTP 429) after %d "
                                 "attempt%s",
                                 what, resp->attempts,
                                 resp->attempts == 1 ? "" : "s");
    return gs_error_set_http(GS_EHTTP, GS_ECLASS_GAZELLE, status,
                             "%s: HTTP %ld", what, status);
}

/* Quotes the first few GraphQL error messages, each shortened. */
static int graphql_errors(json_t *errors, json_t *data, const char *what)
{
    gs_buf msg = GS_BUF_INIT;
    size_t n = json_array_size(errors);
    int rc;

    for (size_t i = 0; i < n && i < 3; i++) {
        const char *text = json_string_value(
            json_object_get(json_array_get(errors, i), "message"));
        gs_buf_printf(&msg, "%s\"%.200s\"", i ? "; " : "",
                      text ? text : "(no message)");
    }
    /* Partial data is refused too: a page with a hole would look complete
     * to the pull and move its high-water mark past the missing rows. */
    rc = gs_error_set(
        GS_EPROTO, GS_ECLASS_GAZELLE, "%s: GraphQL error%s (%zu): %s%s%s", what,
        n == 1 ? "" : "s", n, msg.data ? msg.data : "", n > 3 ? "; ..." : "",
        json_is_object(data) ? " (partial data ignored)" : "");
    gs_buf_free(&msg);
    return rc;
}

/* U+0000 inside a Gazelle string is valid JSON and is accepted (issue 11,
 * defect 10), but neither end can keep it as text: PostgreSQL text and
 * jsonb refuse it (22021, 22P05), so the row would be refused by every
 * push. It becomes U+FFFD, the replacement character, before anything is
 * stored: the cache and the target hold the same text, and the mark shows
 * where something unprintable was. */
static int scrub_nul(json_t *value)
{
    size_t i, len;
    const char *key;
    json_t *item;

    if (json_is_object(value)) {
        json_object_foreach(value, key,
                            item) if (scrub_nul(item) != 0) return -1;
    } else if (json_is_array(value)) {
        json_array_foreach(value, i, item) if (scrub_nul(item) != 0) return -1;
    } else if (json_is_string(value) && (len = json_string_length(value)) !=
                                            strlen(json_string_value(value))) {
        const char *text = json_string_value(value);
        gs_buf out = GS_BUF_INIT;
        int rc = GS_OK;

        for (i = 0; i < len && rc == GS_OK; i++)
            rc = text[i] ? gs_buf_append(&out, text + i, 1)
                         : gs_buf_append(&out, "\xEF\xBF\xBD", 3);
        if (rc == GS_OK)
            rc = json_string_setn(value, out.data, out.len) == 0 ? GS_OK : -1;
        gs_buf_free(&out);
        return rc == GS_OK ? 0 : -1;
    }
    return 0;
}

static int parse_answer(json_t **data, json_t **errors_out,
                        const gs_http_response *resp, const char *what)
{
    const char *body = resp->body ? resp->body : "";
    json_t *root, *errors, *d;
    json_error_t jerr;
    int rc = GS_OK;

    root = json_loadb(body, resp->body_len, JSON_ALLOW_NUL, &jerr);
    if (!json_is_object(root)) {
        rc = gs_error_set_http(GS_EPROTO, GS_ECLASS_GAZELLE, resp->status,
                               "%s: answer is not JSON (%zu bytes; %s at "
                               "line %d, column %d)",
                               what, resp->body_len,
                               root ? "not an object" : jerr.text,
                               root ? 1 : jerr.line, root ? 1 : jerr.column);
        goto done;
    }
    if (memmem(body, resp->body_len, "\\u0000", 6) && scrub_nul(root) != 0) {
        rc = gs_error_set(GS_ENOMEM, GS_ECLASS_OS, "out of memory");
        goto done;
    }
    errors = json_object_get(root, "errors");
    d = json_object_get(root, "data");
    if (errors && !json_is_null(errors) &&
        (!json_is_array(errors) || json_array_size(errors) > 0)) {
        rc = graphql_errors(errors, d, what);
        if (errors_out)
            *errors_out = json_incref(errors);
        goto done;
    }
    if (!json_is_object(d)) {
        rc = gs_error_set_http(GS_EPROTO, GS_ECLASS_GAZELLE, resp->status,
                               "%s: answer has no data object", what);
        goto done;
    }
    *data = json_incref(d);
done:
    json_decref(root);
    return rc;
}

int gs__gazelle_query_ex(json_t **data, gs__gazelle_failure *failure,
                         gs_gazelle *client, const char *document,
                         json_t *variables, const char *what)
{
    gs_buf body = GS_BUF_INIT;
    gs_http_response resp = {0};
    int refreshed = 0;
    int rc;

    *data = NULL;
    if (failure) {
        failure->timed_out = 0;
        failure->errors = NULL;
    }
    if (!what)
        what = "gazelle query";
    if (!client || !document)
        return gs_error_set(GS_EINVAL, GS_ECLASS_GAZELLE,
                            "%s: missing client or document", what);
    if (build_body(&body, document, variables) != GS_OK) {
        rc = gs_error_set(GS_ENOMEM, GS_ECLASS_GAZELLE, "out of memory");
        goto done;
    }
    for (;;) {
        gs_http_response_free(&resp);
        rc = post(&resp, client, &body);
        if (rc == GS_ERATELIMIT) {
            rc = status_error(&resp, what, refreshed);
            goto done;
        }
        if (rc != GS_OK) {
            if (failure)
                failure->timed_out = resp.timed_out;
            gs_error_wrap("%s", what);
            goto done;
        }
        /* An expired bearer token: one refresh, then one more try. */
        if (resp.status == 401 && !refreshed && client->access_token &&
            client->refresh_token) {
            refreshed = 1;
            rc = refresh(client);
            if (rc != GS_OK) {
                gs_error_wrap("%s", what);
                goto done;
            }
            continue;
        }
        break;
    }
    if (resp.status < 200 || resp.status > 299) {
        rc = status_error(&resp, what, refreshed);
        goto done;
    }
    rc = parse_answer(data, failure ? &failure->errors : NULL, &resp, what);
done:
    gs_http_response_free(&resp);
    gs_buf_free(&body);
    return rc;
}

int gs_gazelle_query(json_t **data, gs_gazelle *client, const char *document,
                     json_t *variables, const char *what)
{
    return gs__gazelle_query_ex(data, NULL, client, document, variables, what);
}
