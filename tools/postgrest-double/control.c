/* The double's own endpoints under /__double/ (no key: they exist only in
 * tests): fault rules and counters. */
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "faults.h"
#include "stats.h"

static void answer_text(pd_response *resp, int status, char *json)
{
    pd_response_json(resp, json ? status : 500, json ? json : "{}");
    free(json);
}

void pd_control(pd_response *resp, pd_context *ctx, const pd_request *req)
{
    const char *what = req->path + strlen(PD_CONTROL_PREFIX);
    const char *m = req->method;
    char err[256];

    if (!strcmp(what, "faults") && !strcmp(m, "POST")) {
        if (pd_faults_add(ctx->faults, req->body, err, sizeof(err)) != 0)
            pd_response_error(resp, 400, "DOUBLE", err, NULL, NULL);
        else
            answer_text(resp, 201, pd_faults_dump(ctx->faults));
    } else if (!strcmp(what, "faults") && !strcmp(m, "DELETE")) {
        pd_faults_clear(ctx->faults);
        resp->status = 204;
    } else if (!strcmp(what, "faults") && !strcmp(m, "GET")) {
        answer_text(resp, 200, pd_faults_dump(ctx->faults));
    } else if (!strcmp(what, "stats") && !strcmp(m, "GET")) {
        answer_text(resp, 200, pd_stats_json(ctx->stats));
    } else if (!strcmp(what, "stats/reset") && !strcmp(m, "POST")) {
        pd_stats_reset(ctx->stats);
        resp->status = 204;
    } else {
        pd_response_error(resp, 404, "DOUBLE", "no such control endpoint", NULL,
                          NULL);
    }
}
