/* Recursive-descent parser for GraphQL executable documents (spec section 2).
 * One token of lookahead; errors carry graphql-js style messages and the
 * line and column of the offending token so a client author can find it. */
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include "gql.h"

typedef struct {
    gql_lexer lx;
    gql_token tok;
    gsim_arena *arena;
    gql_document *doc;
    gql_error *err;
    int depth;    /* nesting of selection sets, lists, objects and types */
    jmp_buf fail; /* why: unwinding a deep descent on the first error keeps
                     every production free of error plumbing; all memory is
                     in the arena, so nothing leaks on the jump */
} parser;

static void describe(const gql_token *t, char *out, size_t n)
{
    switch (t->kind) {
    case GQL_T_EOF:
        snprintf(out, n, "<EOF>");
        break;
    case GQL_T_PUNCT:
        snprintf(out, n, "\"%.*s\"", (int)t->len, t->start);
        break;
    case GQL_T_NAME:
        snprintf(out, n, "Name \"%.*s\"", (int)(t->len > 40 ? 40 : t->len),
                 t->start);
        break;
    case GQL_T_INT:
        snprintf(out, n, "Int \"%.*s\"", (int)(t->len > 40 ? 40 : t->len),
                 t->start);
        break;
    case GQL_T_FLOAT:
        snprintf(out, n, "Float \"%.*s\"", (int)(t->len > 40 ? 40 : t->len),
                 t->start);
        break;
    default:
        snprintf(out, n, "String");
        break;
    }
}

static _Noreturn void fail_at(parser *p, int line, int col, const char *msg)
{
    snprintf(p->err->message, sizeof(p->err->message), "Syntax Error: %s", msg);
    p->err->line = line;
    p->err->col = col;
    longjmp(p->fail, 1);
}

static void advance(parser *p)
{
    p->tok = gql_lexer_next(&p->lx);
    if (p->tok.kind == GQL_T_ERROR)
        fail_at(p, p->tok.line, p->tok.col, p->lx.error);
}

static _Noreturn void unexpected(parser *p)
{
    char what[64], msg[96];
    describe(&p->tok, what, sizeof(what));
    snprintf(msg, sizeof(msg), "Unexpected %s.", what);
    fail_at(p, p->tok.line, p->tok.col, msg);
}

static int is_punct(const parser *p, const char *punct)
{
    return p->tok.kind == GQL_T_PUNCT && p->tok.len == strlen(punct) &&
           memcmp(p->tok.start, punct, p->tok.len) == 0;
}

static int is_name(const parser *p, const char *name)
{
    return p->tok.kind == GQL_T_NAME && p->tok.len == strlen(name) &&
           memcmp(p->tok.start, name, p->tok.len) == 0;
}

static void expect_punct(parser *p, const char *punct)
{
    if (!is_punct(p, punct)) {
        char what[64], msg[128];
        describe(&p->tok, what, sizeof(what));
        snprintf(msg, sizeof(msg), "Expected \"%s\", found %s.", punct, what);
        fail_at(p, p->tok.line, p->tok.col, msg);
    }
    advance(p);
}

/* Why a limit: the descent recurses, and validation and execution walk the
 * tree recursively too; a hostile `{{{{...` must not exhaust the stack.
 * Real documents nest a dozen levels. */
enum { MAX_DEPTH = 128 };

static void enter(parser *p)
{
    if (++p->depth > MAX_DEPTH)
        fail_at(p, p->tok.line, p->tok.col,
                "The document is nested too deeply (more than 128 levels).");
}

static void *alloc(parser *p, size_t size)
{
    void *out = gsim_arena_alloc(p->arena, size);
    if (!out)
        fail_at(p, p->tok.line, p->tok.col, "Out of memory.");
    return out;
}

static const char *take_name(parser *p)
{
    if (p->tok.kind != GQL_T_NAME) {
        char what[64], msg[128];
        describe(&p->tok, what, sizeof(what));
        snprintf(msg, sizeof(msg), "Expected Name, found %s.", what);
        fail_at(p, p->tok.line, p->tok.col, msg);
    }
    char *name = gsim_arena_strndup(p->arena, p->tok.start, p->tok.len);
    if (!name)
        fail_at(p, p->tok.line, p->tok.col, "Out of memory.");
    advance(p);
    return name;
}

static gql_value *parse_value(parser *p, int is_const);

static gql_value *parse_list(parser *p, gql_value *v, int is_const)
{
    gql_value **tail = &v->items;
    v->kind = GQL_V_LIST;
    enter(p);
    advance(p); /* [ */
    while (!is_punct(p, "]")) {
        if (p->tok.kind == GQL_T_EOF)
            unexpected(p);
        *tail = parse_value(p, is_const);
        tail = &(*tail)->next;
    }
    advance(p);
    p->depth--;
    return v;
}

static gql_value *parse_object(parser *p, gql_value *v, int is_const)
{
    gql_value **tail = &v->items;
    v->kind = GQL_V_OBJECT;
    enter(p);
    advance(p); /* { */
    while (!is_punct(p, "}")) {
        int line = p->tok.line, col = p->tok.col;
        const char *key = take_name(p);
        expect_punct(p, ":");
        gql_value *member = parse_value(p, is_const);
        member->key = key;
        member->line = line;
        member->col = col;
        *tail = member;
        tail = &member->next;
    }
    advance(p);
    p->depth--;
    return v;
}

static gql_value *parse_value(parser *p, int is_const)
{
    gql_value *v = alloc(p, sizeof(*v));
    v->line = p->tok.line;
    v->col = p->tok.col;
    if (is_punct(p, "$")) {
        if (is_const)
            unexpected(p);
        advance(p);
        v->kind = GQL_V_VARIABLE;
        v->text = take_name(p);
        return v;
    }
    if (is_punct(p, "["))
        return parse_list(p, v, is_const);
    if (is_punct(p, "{"))
        return parse_object(p, v, is_const);
    switch (p->tok.kind) {
    case GQL_T_INT:
    case GQL_T_FLOAT:
        v->kind = p->tok.kind == GQL_T_INT ? GQL_V_INT : GQL_V_FLOAT;
        v->text = gsim_arena_strndup(p->arena, p->tok.start, p->tok.len);
        break;
    case GQL_T_STRING:
        v->kind = GQL_V_STRING;
        v->text = p->tok.value;
        break;
    case GQL_T_NAME:
        if (is_name(p, "true") || is_name(p, "false")) {
            v->kind = GQL_V_BOOLEAN;
            v->boolean = is_name(p, "true");
        } else if (is_name(p, "null")) {
            v->kind = GQL_V_NULL;
        } else {
            v->kind = GQL_V_ENUM;
        }
        v->text = gsim_arena_strndup(p->arena, p->tok.start, p->tok.len);
        break;
    default:
        unexpected(p);
    }
    if (!v->text)
        fail_at(p, v->line, v->col, "Out of memory.");
    advance(p);
    return v;
}

static gql_argument *parse_arguments(parser *p, int is_const)
{
    gql_argument *head = NULL, **tail = &head;
    if (!is_punct(p, "("))
        return NULL;
    advance(p);
    if (is_punct(p, ")")) {
        char msg[] = "Expected Name, found \")\".";
        fail_at(p, p->tok.line, p->tok.col, msg);
    }
    while (!is_punct(p, ")")) {
        gql_argument *a = alloc(p, sizeof(*a));
        a->line = p->tok.line;
        a->col = p->tok.col;
        a->name = take_name(p);
        expect_punct(p, ":");
        a->value = parse_value(p, is_const);
        *tail = a;
        tail = &a->next;
    }
    advance(p);
    return head;
}

static gql_directive *parse_directives(parser *p, int is_const)
{
    gql_directive *head = NULL, **tail = &head;
    while (is_punct(p, "@")) {
        gql_directive *d = alloc(p, sizeof(*d));
        d->line = p->tok.line;
        d->col = p->tok.col;
        advance(p);
        d->name = take_name(p);
        d->args = parse_arguments(p, is_const);
        *tail = d;
        tail = &d->next;
    }
    return head;
}

static gql_field *parse_selection_set(parser *p);

static void note_fragment(parser *p, int line, int col)
{
    if (!p->doc->has_fragments) {
        p->doc->has_fragments = 1;
        p->doc->fragment_line = line;
        p->doc->fragment_col = col;
    }
}

/* `...Name @dirs` or `... on Type @dirs { }` / `... @dirs { }`. */
static gql_field *parse_fragment_use(parser *p)
{
    gql_field *f = alloc(p, sizeof(*f));
    f->line = p->tok.line;
    f->col = p->tok.col;
    advance(p); /* ... */
    note_fragment(p, f->line, f->col);
    if (p->tok.kind == GQL_T_NAME && !is_name(p, "on")) {
        f->kind = GQL_SEL_SPREAD;
        f->name = take_name(p);
        f->directives = parse_directives(p, 0);
        return f;
    }
    f->kind = GQL_SEL_INLINE;
    if (is_name(p, "on")) {
        advance(p);
        f->type_cond = take_name(p);
    }
    f->directives = parse_directives(p, 0);
    f->has_selection_set = 1;
    f->selections = parse_selection_set(p);
    return f;
}

static gql_field *parse_field(parser *p)
{
    gql_field *f = alloc(p, sizeof(*f));
    f->line = p->tok.line;
    f->col = p->tok.col;
    const char *first = take_name(p);
    if (is_punct(p, ":")) {
        advance(p);
        f->alias = first;
        f->name = take_name(p);
    } else {
        f->name = first;
    }
    f->args = parse_arguments(p, 0);
    f->directives = parse_directives(p, 0);
    if (is_punct(p, "{")) {
        f->has_selection_set = 1;
        f->selections = parse_selection_set(p);
    }
    return f;
}

static gql_field *parse_selection_set(parser *p)
{
    gql_field *head = NULL, **tail = &head;
    enter(p);
    expect_punct(p, "{");
    if (is_punct(p, "}")) {
        char msg[] = "Expected Name, found \"}\".";
        fail_at(p, p->tok.line, p->tok.col, msg);
    }
    while (!is_punct(p, "}")) {
        gql_field *f;
        if (is_punct(p, "...")) {
            f = parse_fragment_use(p);
        } else {
            if (p->tok.kind != GQL_T_NAME)
                unexpected(p);
            f = parse_field(p);
        }
        *tail = f;
        tail = &f->next;
    }
    advance(p);
    p->depth--;
    return head;
}

/* Type: Name | [Type], each optionally followed by !. */
static gql_type *parse_type(parser *p)
{
    gql_type *t = alloc(p, sizeof(*t));
    t->line = p->tok.line;
    t->col = p->tok.col;
    if (is_punct(p, "[")) {
        enter(p);
        advance(p);
        t->list_of = parse_type(p);
        expect_punct(p, "]");
        p->depth--;
    } else {
        t->name = take_name(p);
    }
    if (is_punct(p, "!")) {
        t->non_null = 1;
        advance(p);
    }
    return t;
}

static gql_var_def *parse_variable_definitions(parser *p)
{
    gql_var_def *head = NULL, **tail = &head;
    if (!is_punct(p, "("))
        return NULL;
    advance(p);
    if (is_punct(p, ")")) {
        char msg[] = "Expected \"$\", found \")\".";
        fail_at(p, p->tok.line, p->tok.col, msg);
    }
    while (!is_punct(p, ")")) {
        gql_var_def *d = alloc(p, sizeof(*d));
        d->line = p->tok.line;
        d->col = p->tok.col;
        expect_punct(p, "$");
        d->name = take_name(p);
        expect_punct(p, ":");
        d->type = parse_type(p);
        const gql_type *inner = d->type;
        while (inner->list_of)
            inner = inner->list_of;
        d->type_name = inner->name;
        d->non_null = d->type->non_null;
        d->is_list = d->type->list_of != NULL;
        if (is_punct(p, "=")) {
            advance(p);
            d->default_value = parse_value(p, 1);
        }
        d->directives = parse_directives(p, 1);
        *tail = d;
        tail = &d->next;
    }
    advance(p);
    return head;
}

static gql_operation *parse_operation(parser *p)
{
    gql_operation *op = alloc(p, sizeof(*op));
    op->line = p->tok.line;
    op->col = p->tok.col;
    op->kind = GQL_OP_QUERY;
    if (is_punct(p, "{")) {
        op->selections = parse_selection_set(p);
        return op;
    }
    if (is_name(p, "mutation"))
        op->kind = GQL_OP_MUTATION;
    else if (is_name(p, "subscription"))
        op->kind = GQL_OP_SUBSCRIPTION;
    else if (!is_name(p, "query"))
        unexpected(p);
    advance(p);
    if (p->tok.kind == GQL_T_NAME)
        op->name = take_name(p);
    op->var_defs = parse_variable_definitions(p);
    op->directives = parse_directives(p, 0);
    op->selections = parse_selection_set(p);
    return op;
}

static gql_fragment *parse_fragment_definition(parser *p)
{
    gql_fragment *fr = alloc(p, sizeof(*fr));
    fr->line = p->tok.line;
    fr->col = p->tok.col;
    note_fragment(p, p->tok.line, p->tok.col);
    advance(p); /* fragment */
    if (is_name(p, "on"))
        unexpected(p);
    fr->name = take_name(p);
    if (!is_name(p, "on")) {
        char what[64], msg[128];
        describe(&p->tok, what, sizeof(what));
        snprintf(msg, sizeof(msg), "Expected \"on\", found %s.", what);
        fail_at(p, p->tok.line, p->tok.col, msg);
    }
    advance(p);
    fr->type_cond = take_name(p);
    fr->directives = parse_directives(p, 0);
    fr->selections = parse_selection_set(p);
    return fr;
}

int gql_parse(gql_document **out, gsim_arena *arena, const char *src,
              size_t len, gql_error *err)
{
    parser p;
    memset(&p, 0, sizeof(p));
    memset(err, 0, sizeof(*err));
    p.arena = arena;
    p.err = err;
    *out = NULL;
    gql_lexer_init(&p.lx, src, len, arena);
    if (setjmp(p.fail))
        return -1;
    p.doc = alloc(&p, sizeof(*p.doc));
    advance(&p);
    gql_operation **tail = &p.doc->operations;
    gql_fragment **frag_tail = &p.doc->fragments;
    if (p.tok.kind == GQL_T_EOF) {
        char msg[] = "Unexpected <EOF>.";
        fail_at(&p, p.tok.line, p.tok.col, msg);
    }
    while (p.tok.kind != GQL_T_EOF) {
        if (is_name(&p, "fragment")) {
            *frag_tail = parse_fragment_definition(&p);
            frag_tail = &(*frag_tail)->next;
            continue;
        }
        gql_operation *op = parse_operation(&p);
        *tail = op;
        tail = &op->next;
    }
    *out = p.doc;
    return 0;
}
