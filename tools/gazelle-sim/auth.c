#include "auth.h"

#include <stdio.h>
#include <string.h>

#include "rng.h"

int gsim_auth_check(gsim_auth *a, const char *authorization,
                    const char *api_key, gsim_time now)
{
    if (!a->required)
        return 0;
    if (a->api_key[0] && api_key && strcmp(api_key, a->api_key) == 0)
        return 0;
    if (!a->access_token[0] || !authorization ||
        strncmp(authorization, "Bearer ", 7) != 0 ||
        strcmp(authorization + 7, a->access_token) != 0)
        return -1;
    if (a->ttl_seconds && now - a->issued_at >= a->ttl_seconds)
        return -1;
    if (a->ttl_requests && a->used >= a->ttl_requests)
        return -1;
    a->used++;
    return 0;
}

static int hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* application/x-www-form-urlencoded into a JSON object of strings. */
static json_t *parse_form(const char *body, size_t len)
{
    json_t *out = json_object();
    char key[256], value[1024];
    size_t i = 0;
    while (i < len) {
        char *dst = key;
        size_t cap = sizeof(key), n = 0;
        int in_value = 0;
        for (; i < len && body[i] != '&'; i++) {
            int c = (unsigned char)body[i];
            if (c == '=' && !in_value) {
                dst[n] = '\0';
                dst = value;
                cap = sizeof(value);
                n = 0;
                in_value = 1;
                continue;
            }
            if (c == '+')
                c = ' ';
            else if (c == '%' && i + 2 < len && hex_digit(body[i + 1]) >= 0 &&
                     hex_digit(body[i + 2]) >= 0) {
                c = hex_digit(body[i + 1]) * 16 + hex_digit(body[i + 2]);
                i += 2;
            }
            if (n + 1 < cap)
                dst[n++] = (char)c;
        }
        dst[n] = '\0';
        if (!in_value)
            value[0] = '\0';
        json_object_set_new(out, key, json_string(value));
        i++;
    }
    return out;
}

static void issue(gsim_auth *a, gsim_time now)
{
    a->generation++;
    uint64_t x = gsim_mix64(a->seed ^ (a->generation * 0x9e37ULL));
    uint64_t y = gsim_mix64(x);
    snprintf(a->access_token, sizeof(a->access_token), "sim_at_%016llx%016llx",
             (unsigned long long)x, (unsigned long long)y);
    snprintf(a->refresh_token, sizeof(a->refresh_token),
             "sim_rt_%016llx%016llx", (unsigned long long)gsim_mix64(y),
             (unsigned long long)gsim_mix64(y + 1));
    a->used = 0;
    a->issued_at = now;
}

static const char *field(json_t *params, const char *key)
{
    return json_string_value(json_object_get(params, key));
}

int gsim_auth_token(gsim_auth *a, const char *content_type, const char *body,
                    size_t len, gsim_time now, json_t **answer)
{
    json_t *params;
    int status = 200;
    if (content_type && strstr(content_type, "application/json"))
        params = json_loadb(body, len, 0, NULL);
    else
        params = parse_form(body, len);
    const char *grant = field(params, "grant_type");
    const char *rt = field(params, "refresh_token");
    const char *cid = field(params, "client_id");
    const char *secret = field(params, "client_secret");
    if (!grant) {
        status = 400;
        *answer = json_pack("{s:s}", "error", "invalid_request");
    } else if (strcmp(grant, "refresh_token") != 0) {
        status = 400;
        *answer = json_pack("{s:s,s:s}", "error", "unsupported_grant_type",
                            "error_description",
                            "The authorization grant type is not supported "
                            "by the authorization server.");
    } else if ((a->client_id[0] && (!cid || strcmp(cid, a->client_id))) ||
               (a->client_secret[0] &&
                (!secret || strcmp(secret, a->client_secret)))) {
        status = 401;
        *answer = json_pack("{s:s}", "error", "invalid_client");
    } else if (!a->refresh_token[0] || !rt || strcmp(rt, a->refresh_token)) {
        status = 400;
        *answer = json_pack("{s:s}", "error", "invalid_grant");
    } else {
        issue(a, now);
        a->required = 1;
        *answer = json_pack(
            "{s:s,s:s,s:I,s:I,s:s}", "access_token", a->access_token,
            "token_type", "Bearer", "expires_in",
            (json_int_t)(a->ttl_seconds ? a->ttl_seconds : 7200),
            "created_at", (json_int_t)now, "refresh_token", a->refresh_token);
    }
    json_decref(params);
    return status;
}
