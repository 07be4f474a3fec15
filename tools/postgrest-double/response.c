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

static json_t *string_or_null(const char *text)
{
    return text ? json_string(text) : json_null();
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
