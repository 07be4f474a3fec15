/* Building answers: PostgREST's error object and JSON bodies. */
#include "double.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

void pd_response_free(pd_response *resp)
{
    if (!resp)
        return;
    gs_buf_free(&resp->body);
    pd_kvlist_free(&resp->headers);
}

/* Length of the UTF-8 sequence starting at p when it is a valid one, else
 * 0. Messages quote the URL, and a decoded %FF is not UTF-8. */
static size_t utf8_sequence(const char *p)
{
    unsigned char lead = (unsigned char)*p;
    size_t n = lead < 0x80                    ? 1
               : lead >= 0xC2 && lead <= 0xDF ? 2
               : lead >= 0xE0 && lead <= 0xEF ? 3
               : lead >= 0xF0 && lead <= 0xF4 ? 4
                                              : 0;
    json_t *check;

    if (n <= 1 || strnlen(p, n) < n)
        return n == 1;
    check = json_stringn(p, n); /* jansson's own check: overlong, surrogate */
    json_decref(check);
    return check ? n : 0;
}

/* A JSON string of text, with every byte that is not UTF-8 replaced by
 * U+FFFD as PostgREST's lenient decoding does: json_string() alone gives
 * NULL for such text, and the key (the "message" a client reads) would
 * silently vanish from the error object. */
static json_t *string_or_null(const char *text)
{
    gs_buf lossy = GS_BUF_INIT;
    json_t *out;

    if (!text)
        return json_null();
    if ((out = json_string(text)) != NULL)
        return out;
    for (const char *p = text; *p;) {
        size_t n = utf8_sequence(p);
        gs_buf_append(&lossy, n ? p : "\xEF\xBF\xBD", n ? n : 3);
        p += n ? n : 1;
    }
    out = json_stringn(lossy.data ? lossy.data : "", lossy.len);
    gs_buf_free(&lossy);
    return out;
}

void pd_response_error(pd_response *resp, int status, const char *code,
                       const char *message, const char *details,
                       const char *hint)
{
    /* PostgREST always sends all four keys, null when empty
     * (contracts/postgrest.md, "Errors"). */
    json_t *obj = json_object();
    char *text = NULL;

    if (obj) {
        json_object_set_new(obj, "code", string_or_null(code));
        json_object_set_new(obj, "details", string_or_null(details));
        json_object_set_new(obj, "hint", string_or_null(hint));
        json_object_set_new(obj, "message", string_or_null(message));
        text = json_dumps(obj, JSON_COMPACT);
        json_decref(obj);
    }
    pd_response_json(resp, status, text ? text : "{}");
    free(text);
}

void pd_response_json(pd_response *resp, int status, const char *json)
{
    resp->status = status;
    gs_buf_reset(&resp->body);
    if (gs_buf_puts(&resp->body, json) != 0)
        resp->status = 500;
    resp->content_type = "application/json; charset=utf-8";
}
