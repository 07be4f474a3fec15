/* The OAuth refresh of a Gazelle access token (contracts/gazelle.md,
 * "Transport"): a form-encoded refresh_token grant. Gazelle has no
 * client_credentials grant, so a refresh token from the browser flow is the
 * only way to a new access token, and the caller must persist what comes
 * back. No token ever reaches an error message. */
#include <curl/curl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "gazsync/error.h"
#include "internal_gazelle.h"

void gs__oauth_tokens_free(gs__oauth_tokens *tokens)
{
    if (!tokens)
        return;
    free(tokens->access_token);
    free(tokens->refresh_token);
    tokens->access_token = NULL;
    tokens->refresh_token = NULL;
}

char *gs__oauth_default_url(const char *api_url)
{
    const char *host, *end;
    gs_buf url = GS_BUF_INIT;

    if (!api_url || !(host = strstr(api_url, "://")))
        return NULL;
    host += 3;
    end = host + strcspn(host, "/?#");
    if (end == host)
        return NULL;
    if (gs_buf_append(&url, api_url, (size_t)(end - api_url)) != GS_OK ||
        gs_buf_puts(&url, "/developer/oauth/token") != GS_OK) {
        gs_buf_free(&url);
        return NULL;
    }
    return gs_buf_detach(&url);
}

/* Appends "&name=<escaped value>" (no '&' for the first field). */
static int add_field(gs_buf *form, const char *name, const char *value)
{
    char *escaped;
    int rc;

    /* libcurl >= 7.82 takes a NULL handle here. */
    escaped = curl_easy_escape(NULL, value ? value : "", 0);
    if (!escaped)
        return GS_ENOMEM;
    rc = gs_buf_printf(form, "%s%s=%s", form->len ? "&" : "", name, escaped);
    curl_free(escaped);
    return rc;
}

static void wipe(gs_buf *buf)
{
    if (buf->data)
        memset(buf->data, 0, buf->cap);
    gs_buf_free(buf);
}

static int read_answer(gs__oauth_tokens *out, const gs_http_response *resp)
{
    json_t *root = NULL, *v;
    int rc = GS_OK;

    root = json_loadb(resp->body, resp->body_len, 0, NULL);
    if (!json_is_object(root)) {
        rc = gs_error_set(GS_EPROTO, GS_ECLASS_GAZELLE,
                          "gazelle token refresh: answer is not a JSON object"
                          " (%zu bytes)",
                          resp->body_len);
        goto done;
    }
    v = json_object_get(root, "access_token");
    if (!json_is_string(v) || json_string_length(v) == 0) {
        rc = gs_error_set(GS_EPROTO, GS_ECLASS_GAZELLE,
                          "gazelle token refresh: answer has no access_token");
        goto done;
    }
    out->access_token = strdup(json_string_value(v));
    if (!out->access_token) {
        rc = gs_error_set(GS_ENOMEM, GS_ECLASS_GAZELLE, "out of memory");
        goto done;
    }
    /* Gazelle usually rotates the refresh token; when it does not, the
     * caller keeps the old one (NULL here). */
    v = json_object_get(root, "refresh_token");
    if (json_is_string(v) && json_string_length(v) > 0) {
        out->refresh_token = strdup(json_string_value(v));
        if (!out->refresh_token) {
            rc = gs_error_set(GS_ENOMEM, GS_ECLASS_GAZELLE, "out of memory");
            goto done;
        }
    }
    v = json_object_get(root, "expires_in");
    out->expires_in = json_is_integer(v) ? json_integer_value(v) : -1;
done:
    json_decref(root);
    if (rc != GS_OK)
        gs__oauth_tokens_free(out);
    return rc;
}

/* The OAuth error code ("invalid_grant") is not secret and says why. */
static void oauth_error_code(char *out, size_t size,
                             const gs_http_response *resp)
{
    json_t *root = json_loadb(resp->body, resp->body_len, 0, NULL);
    json_t *err = json_object_get(root, "error");
    const char *code = json_string_value(err);
    size_t n = 0;

    out[0] = '\0';
    if (code) {
        /* only a short token-like code; never echo free text */
        while (code[n] && n + 1 < size &&
               (code[n] == '_' || (code[n] >= 'a' && code[n] <= 'z')))
            n++;
        if (code[n] == '\0') {
            memcpy(out, code, n);
            out[n] = '\0';
        }
    }
    json_decref(root);
}

int gs__oauth_refresh(gs__oauth_tokens *out, gs_http *http,
                      const char *oauth_url, const char *refresh_token,
                      const char *client_id, const char *client_secret,
                      long long *requests)
{
    static const char *const headers[] = {
        "Content-Type: application/x-www-form-urlencoded",
        "Accept: application/json", NULL};
    gs_buf form = GS_BUF_INIT;
    gs_http_response resp = {0};
    char code[48];
    int rc;

    memset(out, 0, sizeof *out);
    out->expires_in = -1;
    if (!refresh_token || !*refresh_token)
        return gs_error_set(GS_EAUTH, GS_ECLASS_GAZELLE,
                            "gazelle: access token rejected and no refresh "
                            "token is configured (GAZELLE_REFRESH_TOKEN)");
    rc = add_field(&form, "grant_type", "refresh_token");
    if (rc == GS_OK)
        rc = add_field(&form, "refresh_token", refresh_token);
    if (rc == GS_OK)
        rc = add_field(&form, "client_id", client_id);
    if (rc == GS_OK)
        rc = add_field(&form, "client_secret", client_secret);
    if (rc != GS_OK) {
        rc = gs_error_set(GS_ENOMEM, GS_ECLASS_GAZELLE, "out of memory");
        goto done;
    }
    rc = gs_http_request(&resp, http, "POST", oauth_url, headers, form.data,
                         form.len);
    *requests += resp.attempts;
    if (rc != GS_OK) {
        gs_error_wrap("gazelle token refresh");
        goto done;
    }
    if (resp.status == 400 || resp.status == 401 || resp.status == 403) {
        oauth_error_code(code, sizeof code, &resp);
        rc = gs_error_set_http(GS_EAUTH, GS_ECLASS_GAZELLE, resp.status,
                               "gazelle token refresh refused (HTTP %ld%s%s):"
                               " a new token is needed from the browser flow",
                               resp.status, code[0] ? ", " : "", code);
        goto done;
    }
    if (resp.status < 200 || resp.status > 299) {
        rc = gs_error_set_http(GS_EHTTP, GS_ECLASS_GAZELLE, resp.status,
                               "gazelle token refresh: HTTP %ld", resp.status);
        goto done;
    }
    rc = read_answer(out, &resp);
done:
    if (resp.body)
        memset(resp.body, 0, resp.body_len);
    gs_http_response_free(&resp);
    wipe(&form);
    return rc;
}
