#include "request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolve.h"
#include "sdl.h"
#include "validate.h"

void gsim_request_prepare(gsim_request *r, const char *body, size_t len)
{
    memset(r, 0, sizeof(*r));
    r->status = 200;
    r->errors = json_array();
    json_error_t jerr;
    r->body = json_loadb(body, len, 0, &jerr);
    const char *query = json_string_value(json_object_get(r->body, "query"));
    if (!r->body || !query) {
        char msg[256];
        snprintf(msg, sizeof(msg),
                 r->body ? "The body must be a JSON object with a \"query\" "
                           "string."
                         : "The body is not JSON: %s",
                 jerr.text);
        gsim_error_add(r->errors, msg, 0, 0);
        r->status = 400;
        return;
    }
    json_t *given = json_object_get(r->body, "variables");
    if (given && !json_is_object(given) && !json_is_null(given)) {
        gsim_error_add(r->errors, "\"variables\" must be a JSON object.", 0, 0);
        r->status = 400;
        return;
    }
    gql_error err;
    if (gql_parse(&r->doc, &r->arena, query, strlen(query), &err) != 0) {
        gsim_error_add(r->errors, err.message, err.line, err.col);
        return;
    }
    const char *name =
        json_string_value(json_object_get(r->body, "operationName"));
    gsim_validate_request(gsim_schema_gazelle(), r->doc, &r->arena, name,
                          given, &r->op, &r->vars, r->errors);
    const gql_operation *counted = r->op ? r->op : r->doc->operations;
    for (gql_field *f = counted ? counted->selections : NULL; f; f = f->next)
        if (r->nroots < GSIM_MAX_ROOT_NAMES)
            r->roots[r->nroots++] = f->name;
}

void gsim_request_answer(gsim_request *r, gsim_dataset *ds, gsim_out *out,
                         uint64_t *pages, uint64_t *nodes)
{
    *pages = 0;
    *nodes = 0;
    if (json_array_size(r->errors) == 0) {
        gsim_exec ex = {.ds = ds, .out = out, .vars = r->vars,
                        .errors = r->errors};
        gsim_out_puts(out, "{\"data\":");
        if (gsim_execute(&ex, r->op) == 0) {
            gsim_out_puts(out, "}");
            *pages = ex.pages;
            *nodes = ex.nodes;
            return;
        }
        gs_buf_reset(&out->buf); /* drop the partial answer */
    }
    char *errors = json_dumps(r->errors, JSON_COMPACT);
    gsim_out_puts(out, "{\"errors\":");
    gsim_out_puts(out, errors ? errors : "[]");
    gsim_out_puts(out, r->status == 200 ? ",\"data\":null}" : "}");
    free(errors);
}

void gsim_request_free(gsim_request *r)
{
    json_decref(r->body);
    json_decref(r->vars);
    json_decref(r->errors);
    gsim_arena_free(&r->arena);
    memset(r, 0, sizeof(*r));
}
