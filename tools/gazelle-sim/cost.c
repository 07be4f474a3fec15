/* Size and cost limits (cost.h), in graphql-ruby's arithmetic:
 * GraphQL::Language::Lexer counts tokens against max_query_string_tokens;
 * GraphQL::Analysis::QueryComplexity sums Schema::Field#calculate_complexity
 * over the operation, and MaxQueryComplexity refuses a total over
 * max_complexity. */
#include "cost.h"

#include <string.h>

#include "resolve_internal.h"
#include "sdl.h"

int gsim_cost_too_many_tokens(const char *src, size_t len, uint64_t max,
                              int *line, int *col)
{
    gsim_arena arena = GSIM_ARENA_INIT;
    gql_lexer lx;
    uint64_t count = 0;
    int over = 0;

    gql_lexer_init(&lx, src, len, &arena);
    for (;;) {
        gql_token t = gql_lexer_next(&lx);
        if (t.kind == GQL_T_EOF || t.kind == GQL_T_ERROR)
            break;
        if (++count > max) {
            *line = t.line;
            *col = t.col;
            over = 1;
            break;
        }
    }
    gsim_arena_free(&arena);
    return over;
}

/* Saturating: Ruby's integers do not overflow, these stop at the ends. */
static int64_t add_sat(int64_t a, int64_t b)
{
    int64_t sum;

    if (__builtin_add_overflow(a, b, &sum))
        return b > 0 ? INT64_MAX : INT64_MIN;
    return sum;
}

static int64_t mul_sat(int64_t a, int64_t b)
{
    int64_t product;

    if (__builtin_mul_overflow(a, b, &product))
        return (a > 0) == (b > 0) ? INT64_MAX : INT64_MIN;
    return product;
}

/* What the executor would see: not a repeated response key, not left out
 * by @skip/@include. */
static int counted(const gql_field *f, json_t *vars)
{
    gsim_exec ex;

    if (f->kind != GQL_SEL_FIELD || f->duplicate)
        return 0;
    if (!f->directives)
        return 1;
    memset(&ex, 0, sizeof ex);
    ex.vars = vars;
    return !gsim_skipped(&ex, f);
}

static int is_connection(const gql_field *f)
{
    const gsim_sfield *def = gsim_def(f);
    const char *name;
    size_t len, suffix = strlen("Connection");

    if (!def)
        return 0;
    name = gsim_tref_named(def->type)->name;
    len = strlen(name);
    return len > suffix && strcmp(name + len - suffix, "Connection") == 0;
}

/* `first`, or `last` when it is larger; the default page when neither is
 * an integer (absent, or null). */
static int64_t page_size(const gql_field *f, json_t *vars)
{
    json_t *first = NULL, *last = NULL;
    int64_t size = GSIM_PAGE_DEFAULT;

    for (const gql_argument *a = f->args; a; a = a->next) {
        if (strcmp(a->name, "first") == 0 && !first)
            first = gsim_value_json(a->value, vars);
        else if (strcmp(a->name, "last") == 0 && !last)
            last = gsim_value_json(a->value, vars);
    }
    if (json_is_integer(first))
        size = json_integer_value(first);
    if (json_is_integer(last) &&
        (!json_is_integer(first) || json_integer_value(last) > size))
        size = json_integer_value(last);
    json_decref(first);
    json_decref(last);
    return size;
}

static int64_t selections_complexity(const gql_field *set, json_t *vars);

static int64_t field_complexity(const gql_field *f, json_t *vars)
{
    int64_t child = selections_complexity(f->selections, vars);
    int64_t metadata = 0;

    if (!is_connection(f))
        return add_sat(1, child);
    for (const gql_field *s = f->selections; s; s = s->next) {
        if (!counted(s, vars))
            continue;
        metadata = add_sat(metadata, 1);
        if (strcmp(s->name, "nodes") != 0 && strcmp(s->name, "edges") != 0)
            for (const gql_field *sub = s->selections; sub; sub = sub->next)
                metadata = add_sat(metadata, counted(sub, vars));
    }
    return add_sat(
        1, add_sat(mul_sat(page_size(f, vars), add_sat(child, -metadata)),
                   metadata));
}

static int64_t selections_complexity(const gql_field *set, json_t *vars)
{
    int64_t sum = 0;

    for (const gql_field *f = set; f; f = f->next)
        if (counted(f, vars))
            sum = add_sat(sum, field_complexity(f, vars));
    return sum;
}

int64_t gsim_cost_complexity(const gql_operation *op, json_t *vars)
{
    return op ? selections_complexity(op->selections, vars) : 0;
}
