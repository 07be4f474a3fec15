/* gsim-validate: the simulator's validator (validate.h) from the command
 * line, for the conformance test (tests/conformance/) and for checking a
 * document by hand.
 *
 *   gsim-validate [--schema FILE.graphql] REQUESTS.json
 *
 * REQUESTS.json is one request {"query", "variables"?, "operationName"?}
 * or an array of them (each may carry a "name"). The answer on stdout is,
 * for each, {"name"?, "valid": bool, "errors": [...]}: one object, or an
 * array in the same order. Without --schema the embedded
 * schema/gazelle.graphql is used. Exit status: 0 when every request was
 * judged (valid or not), 2 on a usage or input error. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gql.h"
#include "sdl.h"
#include "validate.h"

static json_t *judge(const gsim_schema *schema, json_t *req)
{
    gsim_arena arena = GSIM_ARENA_INIT;
    gql_document *doc = NULL;
    gql_operation *op = NULL;
    json_t *vars = NULL;
    json_t *errors = json_array();
    gql_error err;
    const char *query = json_string_value(json_object_get(req, "query"));
    const char *name = json_string_value(json_object_get(req, "operationName"));

    if (!query) {
        gsim_error_add(errors, "the request has no \"query\" string", 0, 0);
    } else if (gql_parse(&doc, &arena, query, strlen(query), &err) != 0) {
        gsim_error_add(errors, err.message, err.line, err.col);
    } else {
        gsim_validate_request(schema, doc, &arena, name,
                              json_object_get(req, "variables"), &op, &vars,
                              errors);
    }
    json_t *out = json_pack("{s:b,s:o}", "valid", json_array_size(errors) == 0,
                            "errors", errors);
    json_t *label = json_object_get(req, "name");
    if (out && label)
        json_object_set(out, "name", label);
    json_decref(vars);
    gsim_arena_free(&arena);
    return out;
}

static int load_schema(gsim_schema *own, const char *path)
{
    FILE *f = fopen(path, "rb");
    char err[300];
    int rc = -1;
    if (!f) {
        fprintf(stderr, "gsim-validate: cannot open %s\n", path);
        return -1;
    }
    char *text = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 > cap) {
            char *grown = realloc(text, cap = cap ? cap * 2 : 65536);
            if (!grown)
                goto done;
            text = grown;
        }
        size_t n = fread(text + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    if (gsim_schema_parse(own, text, len, err, sizeof(err)) != 0)
        fprintf(stderr, "gsim-validate: %s:%s\n", path, err);
    else
        rc = 0;
done:
    free(text);
    fclose(f);
    return rc;
}

int main(int argc, char **argv)
{
    gsim_schema own;
    const gsim_schema *schema = NULL;
    const char *schema_path = NULL, *input = NULL;
    json_t *requests = NULL, *answer = NULL;
    json_error_t jerr;
    int rc = 2, own_loaded = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--schema") == 0 && i + 1 < argc)
            schema_path = argv[++i];
        else if (argv[i][0] != '-' && !input)
            input = argv[i];
        else
            input = NULL, i = argc;
    }
    if (!input) {
        fprintf(stderr,
                "usage: gsim-validate [--schema FILE.graphql] REQUESTS.json\n");
        goto done;
    }
    if (schema_path) {
        if (load_schema(&own, schema_path) != 0)
            goto done;
        own_loaded = 1;
        schema = &own;
    } else if (!(schema = gsim_schema_gazelle())) {
        goto done;
    }
    requests = json_load_file(input, 0, &jerr);
    if (!requests) {
        fprintf(stderr, "gsim-validate: %s:%d: %s\n", input, jerr.line,
                jerr.text);
        goto done;
    }
    if (json_is_array(requests)) {
        size_t i;
        json_t *req;
        answer = json_array();
        json_array_foreach(requests, i, req)
            json_array_append_new(answer, judge(schema, req));
    } else {
        answer = judge(schema, requests);
    }
    if (json_dumpf(answer, stdout, JSON_INDENT(1)) == 0 &&
        fputc('\n', stdout) != EOF)
        rc = 0;
done:
    json_decref(requests);
    json_decref(answer);
    if (own_loaded)
        gsim_schema_free(&own);
    gsim_schema_release();
    return rc;
}
