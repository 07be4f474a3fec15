/* See singular.h; PostgREST's "Singular or Plural" documentation. */
#include "singular.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

int pd_singular_wanted(const pd_request *req)
{
    const char *accept = pd_kvlist_get(&req->headers, "Accept", 1);
    return accept && strstr(accept, "application/vnd.pgrst.object+json");
}

static void not_one(pd_response *resp, long long rows)
{
    gs_buf details = GS_BUF_INIT;
    gs_buf_printf(&details, "The result contains %lld rows", rows);
    pd_response_error(resp, 406, "PGRST116",
                      "JSON object requested, multiple (or no) rows returned",
                      details.data, NULL);
    gs_buf_free(&details);
}

int pd_singular_answer(pd_response *resp, long long rows_written)
{
    json_error_t jerr;
    json_t *rows = NULL;
    long long count = rows_written;
    int rc = 0;

    if (resp->status >= 300)
        return 0;
    if (resp->body.len)
        rows = json_loadb(resp->body.data, resp->body.len, 0, &jerr);
    if (json_is_array(rows))
        count = (long long)json_array_size(rows);
    if (count != 1) {
        not_one(resp, count);
        rc = -1;
    } else if (json_is_array(rows)) {
        char *text = json_dumps(json_array_get(rows, 0), JSON_COMPACT);
        int status = resp->status;
        pd_response_json(resp, status, text ? text : "{}");
        resp->content_type = "application/vnd.pgrst.object+json; charset=utf-8";
        free(text);
    }
    json_decref(rows);
    return rc;
}
