/* The simulator's GraphQL front end (tools/gazelle-sim: gql_lexer.c,
 * gql_parser.c, validate*.c and coerce.c against schema/gazelle.graphql,
 * request.c, the executor) on arbitrary documents. The simulator is a test
 * double, but every gazsync test stands on it, and a client bug that sends
 * a malformed document must get a GraphQL error, not a crashed server.
 *
 * Input: a GraphQL document, optionally followed by a NUL byte and the
 * request's `variables` as JSON text. The raw bytes go through the lexer
 * (every token), the parser and the validator (whose promises to the
 * executor are checked: a valid operation comes back as plain fields, one
 * per response key, each bound to its definition); when the document is
 * valid UTF-8 the whole request {"query", "variables"} is prepared and
 * answered over a small generated business, as the server does. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "gql.h"
#include "json_out.h"
#include "request.h"
#include "sdl.h"
#include "validate.h"

static gsim_dataset business;

static void free_business(void)
{
    gsim_dataset_free(&business);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    gsim_params params;
    gsim_time now;

    (void)argc;
    (void)argv;
    /* Small, so one answer is cheap, but every kind of row exists. */
    gsim_params_default(&params);
    params.users = 3;
    params.clients = 12;
    params.pianos = 15;
    params.events = 30;
    params.timeline = 40;
    if (gsim_time_parse(&now, "2026-11-25T12:00:00Z") != 0 ||
        gsim_dataset_generate(&business, 1, now, &params) != 0) {
        fprintf(stderr, "fuzz_sim_graphql: cannot generate the business\n");
        abort();
    }
    atexit(free_business);
    if (!gsim_schema_gazelle()) {
        fprintf(stderr, "fuzz_sim_graphql: the embedded schema does not "
                        "parse\n");
        abort();
    }
    return 0;
}

static void lex_all(const char *src, size_t len)
{
    gsim_arena arena = GSIM_ARENA_INIT;
    gql_lexer lx;
    gql_token t;
    size_t tokens = 0;

    gql_lexer_init(&lx, src, len, &arena);
    do {
        t = gql_lexer_next(&lx);
        if (t.start < src || t.start + t.len > src + len)
            abort(); /* a token must lie inside its source */
    } while (t.kind != GQL_T_EOF && t.kind != GQL_T_ERROR && ++tokens <= len);
    if (tokens > len)
        abort(); /* more tokens than bytes: the lexer is not advancing */
    gsim_arena_free(&arena);
}

static void parse(const char *src, size_t len)
{
    gsim_arena arena = GSIM_ARENA_INIT;
    gql_document *doc = NULL;
    gql_error err;

    memset(&err, 0, sizeof err);
    if (gql_parse(&doc, &arena, src, len, &err) != 0 &&
        !memchr(err.message, '\0', sizeof err.message))
        abort();
    gsim_arena_free(&arena);
}

/* What validate.h promises the executor about a valid operation. */
static void check_flat(const gql_field *set, int depth)
{
    if (depth > 200)
        abort(); /* the parser caps nesting at 128 */
    for (const gql_field *f = set; f; f = f->next) {
        if (f->kind != GQL_SEL_FIELD || f->duplicate || !f->parent)
            abort();
        if (!f->def && strcmp(f->name, "__typename") != 0)
            abort();
        for (const gql_field *g = f->next; g; g = g->next)
            if (strcmp(gql_field_key(f), gql_field_key(g)) == 0)
                abort(); /* one field per response key */
        check_flat(f->selections, depth + 1);
    }
}

static void validate(const char *src, size_t len, const char *vars,
                     size_t vars_len)
{
    gsim_arena arena = GSIM_ARENA_INIT;
    gql_document *doc = NULL;
    gql_operation *op = NULL;
    json_t *coerced = NULL, *errors = json_array();
    json_t *given = vars ? json_loadb(vars, vars_len, 0, NULL) : NULL;
    gql_error err;

    if (gql_parse(&doc, &arena, src, len, &err) == 0) {
        size_t n = gsim_validate_request(gsim_schema_gazelle(), doc, &arena,
                                         NULL, given, &op, &coerced, errors);
        if (n != json_array_size(errors) || (n == 0) != (op != NULL) ||
            (op && !json_is_object(coerced)))
            abort();
        if (op)
            check_flat(op->selections, 0);
    }
    json_decref(coerced);
    json_decref(given);
    json_decref(errors);
    gsim_arena_free(&arena);
}

static void request(const char *src, size_t len, const char *vars,
                    size_t vars_len)
{
    json_t *query = json_stringn(src, len); /* NULL unless valid UTF-8 */
    json_t *body;
    char *text;
    gsim_request req;
    gsim_out out = {GS_BUF_INIT, 0};
    uint64_t pages = 0, nodes = 0;

    if (!query)
        return;
    body = json_object();
    json_object_set_new(body, "query", query);
    if (vars) {
        json_t *v = json_loadb(vars, vars_len, JSON_DECODE_ANY, NULL);
        if (v)
            json_object_set_new(body, "variables", v);
    }
    text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (!text)
        return;
    gsim_request_prepare(&req, text, strlen(text));
    gsim_request_answer(&req, &business, &out, &pages, &nodes);
    gsim_request_free(&req);
    /* What the simulator writes must be JSON a client can read. */
    if (!out.failed) {
        json_t *answer = json_loadb(out.buf.data, out.buf.len, 0, NULL);
        if (!answer) {
            fprintf(stderr, "answer is not JSON: %.*s\n", (int)out.buf.len,
                    out.buf.data);
            abort();
        }
        json_decref(answer);
    }
    gs_buf_free(&out.buf);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *bytes, size_t size)
{
    const char *src = (const char *)bytes;
    const char *nul = memchr(src, '\0', size);
    size_t len = nul ? (size_t)(nul - src) : size;

    lex_all(src, len);
    parse(src, len);
    validate(src, len, nul ? nul + 1 : NULL, nul ? size - len - 1 : 0);
    request(src, len, nul ? nul + 1 : NULL, nul ? size - len - 1 : 0);
    return 0;
}
