/* A packed request (issue 13): several pages, of several entities and of
 * several ranges of one entity, asked in one document under the aliases
 * p0, p1, ... (gs_gazelle_packed_document(), gazelle_queries.c), and its
 * answer handed back one page at a time, in the shape of a page asked
 * alone. And the one judgement a packed request adds to gs_gazelle_query()'s:
 * whether the service refused it as too costly, so that the caller can
 * split it and ask again (GS_ETOOBIG). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "gazsync/error.h"
#include "gazsync/gazelle.h"
#include "internal_gazelle.h"

/* The GraphQL error messages that refuse a document for its size or cost,
 * not for what it asks. Gazelle runs graphql-ruby (contracts/gazelle.md);
 * these are its words, matched by text because graphql-ruby gives them no
 * code (no `extensions`):
 * - GraphQL::Analysis::MaxQueryComplexity (max_complexity): "Query has
 *   complexity of C, which exceeds max complexity of N";
 * - GraphQL::Language::Lexer / Parser (max_query_string_tokens, and a
 *   parser out of stack): "This query is too large to execute.";
 * - GraphQL::Analysis::MaxQueryDepth (max_depth): "Query has depth of D,
 *   which exceeds max depth of N".
 * gazelle-sim's --max-complexity and --max-query-tokens answer the first
 * two word for word (tools/gazelle-sim/cost.c). A message matches when it
 * starts with `start` and holds `holds` (NULL: nothing more). */
static const struct {
    const char *start;
    const char *holds;
} too_costly[] = {
    {"Query has complexity of ", ", which exceeds max complexity of "},
    {"This query is too large to execute.", NULL},
    {"Query has depth of ", ", which exceeds max depth of "},
};

static int is_cost_refusal(const char *message)
{
    for (size_t i = 0; message && i < sizeof too_costly / sizeof *too_costly;
         i++)
        if (strncmp(message, too_costly[i].start,
                    strlen(too_costly[i].start)) == 0 &&
            (!too_costly[i].holds || strstr(message, too_costly[i].holds)))
            return 1;
    return 0;
}

/* Whether the failure @p rc of a packed request is one a smaller request
 * may not meet. By code and status where the transport gives them: 413
 * (the body is over the server's limit); 502 and 504 after the retries ran
 * out, and a timeout with no answer at all, which is how a proxy in front
 * of a service still working on a costly query answers (a 503 says the
 * service is down, not that the query is large: it stays GS_EHTTP). By
 * text for GraphQL errors: the table above; any one of them refuses the
 * whole document (graphql-ruby executes nothing then). */
static int refused_as_too_costly(int rc, const gs__gazelle_failure *failure)
{
    long status = gs_error_last()->http_status;
    size_t i;
    json_t *error;

    if (rc == GS_EHTTP)
        return status == 413 || status == 502 || status == 504 ||
               (status == 0 && failure->timed_out);
    if (rc != GS_EPROTO || !json_is_array(failure->errors))
        return 0;
    json_array_foreach(failure->errors, i, error)
    {
        if (is_cost_refusal(
                json_string_value(json_object_get(error, "message"))))
            return 1;
    }
    return 0;
}

/* answers[i] = {<root field of part i>: data.p<i>}. */
static int split_answer(json_t **answers, json_t *data,
                        const gs_gazelle_part *parts, size_t n,
                        const char *what)
{
    char alias[32];

    for (size_t i = 0; i < n; i++) {
        json_t *page;

        snprintf(alias, sizeof alias, "p%zu", i);
        page = json_object_get(data, alias);
        if (!page || json_is_null(page))
            return gs_error_set(GS_EPROTO, GS_ECLASS_GAZELLE,
                                "%s: the answer has no %s (the %s part)", what,
                                alias, parts[i].entity->name);
        answers[i] = json_pack("{sO}", parts[i].entity->root_field, page);
        if (!answers[i])
            return gs_error_set(GS_ENOMEM, GS_ECLASS_GAZELLE, "out of memory");
    }
    return GS_OK;
}

int gs_gazelle_query_packed(json_t **answers, gs_gazelle *client,
                            const gs_gazelle_part *parts, size_t n,
                            const char *what)
{
    gs__gazelle_failure failure = {0, NULL};
    char *document = NULL;
    json_t *variables = NULL, *data = NULL;
    int rc;

    if (!what)
        what = "packed gazelle query";
    for (size_t i = 0; answers && i < n; i++)
        answers[i] = NULL;
    if (!answers || !parts || n == 0)
        return gs_error_set(GS_EINVAL, GS_ECLASS_GAZELLE, "%s: no parts to ask",
                            what);
    document = gs_gazelle_packed_document(parts, n);
    if (!document) {
        for (size_t i = 0; i < n; i++)
            if (!parts[i].entity || !parts[i].entity->root_field ||
                parts[i].entity->shape == GS_READ_NESTED) {
                rc = gs_error_set(
                    GS_EINVAL, GS_ECLASS_GAZELLE,
                    "%s: part %zu (%s) has no read of its own", what, i,
                    parts[i].entity ? parts[i].entity->name : "no entity");
                goto done;
            }
        rc = gs_error_set(GS_ENOMEM, GS_ECLASS_GAZELLE, "out of memory");
        goto done;
    }
    variables = gs_gazelle_packed_variables(parts, n);
    if (!variables) {
        rc = gs_error_set(GS_EINVAL, GS_ECLASS_GAZELLE,
                          "%s: a part's variables are not an object (or out "
                          "of memory)",
                          what);
        goto done;
    }
    rc = gs__gazelle_query_ex(&data, &failure, client, document, variables,
                              what);
    if (rc != GS_OK) {
        if (refused_as_too_costly(rc, &failure)) {
            const gs_error *last = gs_error_last();
            char message[sizeof last->message];

            gs_copy_text(message, sizeof message, last->message);
            rc = gs_error_set_http(GS_ETOOBIG, GS_ECLASS_GAZELLE,
                                   last->http_status,
                                   "%s (refused as too costly for one "
                                   "request: %zu part%s)",
                                   message, n, n == 1 ? "" : "s");
        }
        goto done;
    }
    rc = split_answer(answers, data, parts, n, what);
done:
    if (rc != GS_OK)
        for (size_t i = 0; answers && i < n; i++) {
            json_decref(answers[i]);
            answers[i] = NULL;
        }
    json_decref(failure.errors);
    json_decref(data);
    json_decref(variables);
    free(document);
    return rc;
}
