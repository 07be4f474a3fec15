/* The SDL parser (spec section 3, type system definitions) on the executable
 * documents' lexer: schema, scalar, type, input and enum definitions with
 * descriptions, arguments, default values and directives (the last two are
 * read and dropped: the introspection carries neither). Interfaces, unions,
 * directive definitions and extensions are refused: Gazelle's schema has
 * none, and a schema that grew one must not be half-understood.
 *
 * Types are collected first and their names resolved after sorting, so a
 * field may name a type defined further down. */
#include "sdl.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gql.h"

/* A type name to resolve once every type is known. */
typedef struct pending_ref pending_ref;
struct pending_ref {
    gsim_tref *ref;
    const char *name;
    int line, col;
    pending_ref *next;
};

/* Definitions are chained while parsing and copied into sorted arrays at
 * the end of each list; the chains stay in the arena (a few kilobytes). */
typedef struct type_node type_node;
struct type_node {
    gsim_stype type;
    int line, col;
    type_node *next;
};

typedef struct field_node field_node;
struct field_node {
    gsim_sfield field;
    int line, col;
    field_node *next;
};

typedef struct arg_node arg_node;
struct arg_node {
    gsim_sarg arg;
    int line, col;
    arg_node *next;
};

typedef struct {
    gql_lexer lx;
    gql_token tok;
    gsim_arena *arena;
    type_node *types;
    size_t ntypes;
    pending_ref *refs;
    const char *query_name, *mutation_name;
    int query_line, query_col;
    char *err;
    size_t errlen;
    jmp_buf fail; /* as in gql_parser.c: the first error unwinds the
                     descent; everything is in the arena */
} sdl_parser;

static _Noreturn void fail_at(sdl_parser *p, int line, int col, const char *msg)
{
    snprintf(p->err, p->errlen, "%d:%d: %s", line, col, msg);
    longjmp(p->fail, 1);
}

static void advance(sdl_parser *p)
{
    p->tok = gql_lexer_next(&p->lx);
    if (p->tok.kind == GQL_T_ERROR)
        fail_at(p, p->tok.line, p->tok.col, p->lx.error);
}

static _Noreturn void unexpected(sdl_parser *p, const char *expected)
{
    char msg[160];
    if (p->tok.kind == GQL_T_EOF)
        snprintf(msg, sizeof(msg), "Syntax Error: Expected %s, found <EOF>.",
                 expected);
    else
        snprintf(msg, sizeof(msg), "Syntax Error: Expected %s, found \"%.*s\".",
                 expected, (int)(p->tok.len > 40 ? 40 : p->tok.len),
                 p->tok.start);
    fail_at(p, p->tok.line, p->tok.col, msg);
}

static int is_punct(const sdl_parser *p, char c)
{
    return p->tok.kind == GQL_T_PUNCT && p->tok.len == 1 &&
           p->tok.start[0] == c;
}

static int is_name(const sdl_parser *p, const char *name)
{
    return p->tok.kind == GQL_T_NAME && p->tok.len == strlen(name) &&
           memcmp(p->tok.start, name, p->tok.len) == 0;
}

static void expect_punct(sdl_parser *p, char c)
{
    char what[8] = {'"', c, '"', 0};
    if (!is_punct(p, c))
        unexpected(p, what);
    advance(p);
}

static void *alloc(sdl_parser *p, size_t size)
{
    void *out = gsim_arena_alloc(p->arena, size);
    if (!out)
        fail_at(p, p->tok.line, p->tok.col, "Out of memory.");
    return out;
}

static const char *take_name(sdl_parser *p)
{
    if (p->tok.kind != GQL_T_NAME)
        unexpected(p, "Name");
    char *name = gsim_arena_strndup(p->arena, p->tok.start, p->tok.len);
    if (!name)
        fail_at(p, p->tok.line, p->tok.col, "Out of memory.");
    advance(p);
    return name;
}

static void skip_description(sdl_parser *p)
{
    if (p->tok.kind == GQL_T_STRING)
        advance(p);
}

/* A constant value (a default or a directive argument), read and dropped. */
static void skip_value(sdl_parser *p)
{
    if (is_punct(p, '[') || is_punct(p, '{')) {
        char close = is_punct(p, '[') ? ']' : '}';
        int object = close == '}';
        advance(p);
        while (!is_punct(p, close)) {
            if (object) {
                take_name(p);
                expect_punct(p, ':');
            }
            skip_value(p);
        }
        advance(p);
        return;
    }
    if (p->tok.kind == GQL_T_NAME || p->tok.kind == GQL_T_INT ||
        p->tok.kind == GQL_T_FLOAT || p->tok.kind == GQL_T_STRING) {
        advance(p);
        return;
    }
    unexpected(p, "a constant value");
}

static void skip_directives(sdl_parser *p)
{
    while (is_punct(p, '@')) {
        advance(p);
        take_name(p);
        if (!is_punct(p, '('))
            continue;
        advance(p);
        while (!is_punct(p, ')')) {
            take_name(p);
            expect_punct(p, ':');
            skip_value(p);
        }
        advance(p);
    }
}

static gsim_tref *parse_type(sdl_parser *p)
{
    gsim_tref *r = alloc(p, sizeof(*r));
    if (is_punct(p, '[')) {
        advance(p);
        r->list_of = parse_type(p);
        expect_punct(p, ']');
    } else {
        pending_ref *ref = alloc(p, sizeof(*ref));
        ref->line = p->tok.line;
        ref->col = p->tok.col;
        ref->name = take_name(p);
        ref->ref = r;
        ref->next = p->refs;
        p->refs = ref;
    }
    if (is_punct(p, '!')) {
        r->non_null = 1;
        advance(p);
    }
    return r;
}

/* Types, fields, arguments and input fields all begin with their name. */
static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char *name_at(const void *items, size_t size, size_t i)
{
    return *(const char *const *)((const char *)items + i * size);
}

/* Sorts n definitions by name and refuses a name defined twice in owner. */
static void sort_unique(sdl_parser *p, void *items, size_t n, size_t size,
                        const char *owner, int line, int col)
{
    if (n == 0)
        return;
    qsort(items, n, size, by_name);
    for (size_t j = 1; j < n; j++)
        if (strcmp(name_at(items, size, j - 1), name_at(items, size, j)) == 0) {
            char msg[200];
            snprintf(msg, sizeof(msg), "\"%s\" is defined twice in %s.",
                     name_at(items, size, j), owner);
            fail_at(p, line, col, msg);
        }
}

/* `(a: T = v, ...)` or an input's `{ a: T ... }`: a sorted array. */
static const gsim_sarg *parse_input_values(sdl_parser *p, char close,
                                           const char *owner, size_t *count)
{
    arg_node *head = NULL;
    size_t n = 0;
    int line = p->tok.line, col = p->tok.col;
    advance(p); /* ( or { */
    while (!is_punct(p, close)) {
        skip_description(p);
        arg_node *a = alloc(p, sizeof(*a));
        a->line = p->tok.line;
        a->col = p->tok.col;
        a->arg.name = take_name(p);
        expect_punct(p, ':');
        a->arg.type = parse_type(p);
        if (is_punct(p, '=')) {
            advance(p);
            a->arg.has_default = 1;
            skip_value(p);
        }
        skip_directives(p);
        a->next = head;
        head = a;
        n++;
    }
    advance(p);
    gsim_sarg *out = n ? alloc(p, n * sizeof(*out)) : NULL;
    size_t i = n;
    for (arg_node *a = head; a; a = a->next)
        out[--i] = a->arg;
    sort_unique(p, out, n, sizeof(*out), owner, line, col);
    *count = n;
    return out;
}

static void parse_fields(sdl_parser *p, gsim_stype *t, int line, int col)
{
    field_node *head = NULL;
    size_t n = 0;
    advance(p); /* { */
    while (!is_punct(p, '}')) {
        skip_description(p);
        field_node *f = alloc(p, sizeof(*f));
        f->line = p->tok.line;
        f->col = p->tok.col;
        f->field.name = take_name(p);
        if (is_punct(p, '('))
            f->field.args =
                parse_input_values(p, ')', f->field.name, &f->field.nargs);
        expect_punct(p, ':');
        f->field.type = parse_type(p);
        skip_directives(p);
        f->next = head;
        head = f;
        n++;
    }
    advance(p);
    gsim_sfield *out = n ? alloc(p, n * sizeof(*out)) : NULL;
    size_t i = n;
    for (field_node *f = head; f; f = f->next)
        out[--i] = f->field;
    sort_unique(p, out, n, sizeof(*out), t->name, line, col);
    t->fields = out;
    t->nfields = n;
}

static int by_enum_value(const void *a, const void *b, void *values)
{
    const char *const *v = values;
    return strcmp(v[*(const unsigned *)a], v[*(const unsigned *)b]);
}

static void parse_enum_values(sdl_parser *p, gsim_stype *t, int line, int col)
{
    arg_node *head = NULL; /* only the names are used */
    size_t n = 0;
    advance(p); /* { */
    while (!is_punct(p, '}')) {
        skip_description(p);
        arg_node *v = alloc(p, sizeof(*v));
        if (is_name(p, "true") || is_name(p, "false") || is_name(p, "null"))
            unexpected(p, "an enum value other than true, false or null");
        v->arg.name = take_name(p);
        skip_directives(p);
        v->next = head;
        head = v;
        n++;
    }
    advance(p);
    const char **values = n ? alloc(p, n * sizeof(*values)) : NULL;
    unsigned *sorted = n ? alloc(p, n * sizeof(*sorted)) : NULL;
    size_t i = n;
    for (arg_node *v = head; v; v = v->next)
        values[--i] = v->arg.name;
    for (i = 0; i < n; i++)
        sorted[i] = (unsigned)i;
    if (n)
        qsort_r(sorted, n, sizeof(*sorted), by_enum_value, values);
    for (i = 1; i < n; i++)
        if (strcmp(values[sorted[i - 1]], values[sorted[i]]) == 0) {
            char msg[200];
            snprintf(msg, sizeof(msg), "Enum value \"%s.%s\" is defined twice.",
                     t->name, values[sorted[i]]);
            fail_at(p, line, col, msg);
        }
    t->enum_values = values;
    t->enum_sorted = sorted;
    t->nenum_values = n;
}

static type_node *new_type(sdl_parser *p, gsim_type_kind kind)
{
    type_node *t = alloc(p, sizeof(*t));
    t->line = p->tok.line;
    t->col = p->tok.col;
    advance(p); /* the keyword */
    t->type.kind = kind;
    t->type.name = take_name(p);
    t->next = p->types;
    p->types = t;
    p->ntypes++;
    return t;
}

static void parse_schema_definition(sdl_parser *p)
{
    advance(p); /* schema */
    skip_directives(p);
    expect_punct(p, '{');
    while (!is_punct(p, '}')) {
        int line = p->tok.line, col = p->tok.col;
        int query = is_name(p, "query"), mutation = is_name(p, "mutation");
        if (!query && !mutation && !is_name(p, "subscription"))
            unexpected(p, "query, mutation or subscription");
        advance(p);
        expect_punct(p, ':');
        const char *name = take_name(p);
        if (query) {
            p->query_name = name;
            p->query_line = line;
            p->query_col = col;
        } else if (mutation) {
            p->mutation_name = name;
        } else {
            fail_at(p, line, col, "Subscriptions are not supported.");
        }
    }
    advance(p);
}

static void parse_definition(sdl_parser *p)
{
    skip_description(p);
    if (is_name(p, "schema")) {
        parse_schema_definition(p);
    } else if (is_name(p, "scalar")) {
        new_type(p, GSIM_TK_SCALAR);
        skip_directives(p);
    } else if (is_name(p, "type")) {
        type_node *t = new_type(p, GSIM_TK_OBJECT);
        if (is_name(p, "implements"))
            fail_at(p, p->tok.line, p->tok.col,
                    "Interfaces are not supported.");
        skip_directives(p);
        if (is_punct(p, '{'))
            parse_fields(p, &t->type, t->line, t->col);
    } else if (is_name(p, "input")) {
        type_node *t = new_type(p, GSIM_TK_INPUT);
        skip_directives(p);
        if (is_punct(p, '{'))
            t->type.input_fields = parse_input_values(p, '}', t->type.name,
                                                      &t->type.ninput_fields);
    } else if (is_name(p, "enum")) {
        type_node *t = new_type(p, GSIM_TK_ENUM);
        skip_directives(p);
        if (is_punct(p, '{'))
            parse_enum_values(p, &t->type, t->line, t->col);
    } else if (is_name(p, "interface") || is_name(p, "union") ||
               is_name(p, "directive") || is_name(p, "extend")) {
        char msg[120];
        snprintf(msg, sizeof(msg), "\"%.*s\" definitions are not supported.",
                 (int)p->tok.len, p->tok.start);
        fail_at(p, p->tok.line, p->tok.col, msg);
    } else {
        unexpected(p, "a type system definition");
    }
}

static const char *const builtin_scalars[] = {"Boolean", "Float", "ID", "Int",
                                              "String"};

static void add_builtins(sdl_parser *p)
{
    for (size_t i = 0; i < sizeof(builtin_scalars) / sizeof(*builtin_scalars);
         i++) {
        int defined = 0;
        for (type_node *t = p->types; t && !defined; t = t->next)
            defined = strcmp(t->type.name, builtin_scalars[i]) == 0;
        if (defined)
            continue;
        type_node *t = alloc(p, sizeof(*t));
        t->type.name = builtin_scalars[i];
        t->type.kind = GSIM_TK_SCALAR;
        t->next = p->types;
        p->types = t;
        p->ntypes++;
    }
}

static const gsim_stype *find_type(const gsim_stype *types, size_t n,
                                   const char *name)
{
    gsim_stype key = {0};
    key.name = name;
    return bsearch(&key, types, n, sizeof(*types), by_name);
}

/* Sorts the types, checks names are unique, points every use at its type
 * and checks outputs are output types and inputs input types. */
static void link_types(sdl_parser *p, gsim_schema *s)
{
    char msg[200];
    gsim_stype *types = alloc(p, p->ntypes * sizeof(*types));
    size_t i = 0;
    for (type_node *t = p->types; t; t = t->next)
        types[i++] = t->type;
    qsort(types, p->ntypes, sizeof(*types), by_name);
    for (i = 1; i < p->ntypes; i++)
        if (strcmp(types[i - 1].name, types[i].name) == 0) {
            for (type_node *t = p->types; t; t = t->next)
                if (strcmp(t->type.name, types[i].name) == 0) {
                    snprintf(msg, sizeof(msg),
                             "There can be only one type named \"%s\".",
                             types[i].name);
                    fail_at(p, t->line, t->col, msg);
                }
        }
    for (pending_ref *r = p->refs; r; r = r->next) {
        r->ref->named = find_type(types, p->ntypes, r->name);
        if (!r->ref->named) {
            snprintf(msg, sizeof(msg), "Unknown type \"%s\".", r->name);
            fail_at(p, r->line, r->col, msg);
        }
    }
    for (i = 0; i < p->ntypes; i++) {
        const gsim_stype *t = &types[i];
        for (size_t f = 0; f < t->nfields; f++) {
            int bad = gsim_tref_named(t->fields[f].type)->kind == GSIM_TK_INPUT;
            for (size_t a = 0; a < t->fields[f].nargs; a++)
                bad |= gsim_tref_named(t->fields[f].args[a].type)->kind ==
                       GSIM_TK_OBJECT;
            if (bad) {
                snprintf(msg, sizeof(msg),
                         "%s.%s mixes input and output types.", t->name,
                         t->fields[f].name);
                fail_at(p, 1, 1, msg);
            }
        }
        for (size_t f = 0; f < t->ninput_fields; f++)
            if (gsim_tref_named(t->input_fields[f].type)->kind ==
                GSIM_TK_OBJECT) {
                snprintf(msg, sizeof(msg),
                         "%s.%s: an input field must have an input type.",
                         t->name, t->input_fields[f].name);
                fail_at(p, 1, 1, msg);
            }
    }
    s->types = types;
    s->ntypes = p->ntypes;
}

static const gsim_stype *root_type(sdl_parser *p, const gsim_schema *s,
                                   const char *name, int line, int col)
{
    const gsim_stype *t = gsim_schema_type(s, name);
    if (!t || t->kind != GSIM_TK_OBJECT) {
        char msg[200];
        snprintf(msg, sizeof(msg), "Root type \"%s\" is not an object type.",
                 name);
        fail_at(p, line, col, msg);
    }
    return t;
}

int gsim_schema_parse(gsim_schema *out, const char *sdl, size_t len, char *err,
                      size_t errlen)
{
    sdl_parser p;
    memset(out, 0, sizeof(*out));
    memset(&p, 0, sizeof(p));
    p.arena = &out->arena;
    p.err = err;
    p.errlen = errlen;
    if (errlen)
        err[0] = '\0';
    gql_lexer_init(&p.lx, sdl, len, &out->arena);
    if (setjmp(p.fail)) {
        gsim_schema_free(out);
        return -1;
    }
    advance(&p);
    while (p.tok.kind != GQL_T_EOF)
        parse_definition(&p);
    add_builtins(&p);
    link_types(&p, out);
    out->query = root_type(&p, out, p.query_name ? p.query_name : "Query",
                           p.query_line ? p.query_line : 1,
                           p.query_col ? p.query_col : 1);
    if (p.mutation_name)
        out->mutation = root_type(&p, out, p.mutation_name, 1, 1);
    else if (gsim_schema_type(out, "Mutation"))
        out->mutation = root_type(&p, out, "Mutation", 1, 1);
    return 0;
}

void gsim_schema_free(gsim_schema *s)
{
    if (!s)
        return;
    gsim_arena_free(&s->arena);
    memset(s, 0, sizeof(*s));
}

/* The embedded schema: parsed once, under a lock because the server's
 * connection threads may ask first at the same moment. */
static pthread_mutex_t gazelle_lock = PTHREAD_MUTEX_INITIALIZER;
static gsim_schema gazelle;
static int gazelle_state; /* 0 not parsed, 1 parsed, -1 does not parse */
static int gazelle_atexit;

const gsim_schema *gsim_schema_gazelle(void)
{
    const gsim_schema *out = NULL;
    pthread_mutex_lock(&gazelle_lock);
    if (gazelle_state == 0) {
        char err[256];
        if (gsim_schema_parse(&gazelle, gsim_gazelle_sdl, gsim_gazelle_sdl_len,
                              err, sizeof(err)) == 0) {
            gazelle_state = 1;
        } else {
            fprintf(stderr, "gazelle-sim: schema/gazelle.graphql:%s\n", err);
            gazelle_state = -1;
        }
        if (!gazelle_atexit && atexit(gsim_schema_release) == 0)
            gazelle_atexit = 1;
    }
    if (gazelle_state == 1)
        out = &gazelle;
    pthread_mutex_unlock(&gazelle_lock);
    return out;
}

void gsim_schema_release(void)
{
    pthread_mutex_lock(&gazelle_lock);
    gsim_schema_free(&gazelle);
    gazelle_state = 0;
    pthread_mutex_unlock(&gazelle_lock);
}

const gsim_stype *gsim_schema_type(const gsim_schema *s, const char *name)
{
    return find_type(s->types, s->ntypes, name);
}

const gsim_sfield *gsim_stype_field(const gsim_stype *t, const char *name)
{
    gsim_sfield key = {0};
    key.name = name;
    if (!t->nfields)
        return NULL;
    return bsearch(&key, t->fields, t->nfields, sizeof(*t->fields), by_name);
}

const gsim_sarg *gsim_sarg_find(const gsim_sarg *args, size_t n,
                                const char *name)
{
    gsim_sarg key = {0};
    key.name = name;
    if (!n)
        return NULL;
    return bsearch(&key, args, n, sizeof(*args), by_name);
}

const gsim_sarg *gsim_sfield_arg(const gsim_sfield *f, const char *name)
{
    return gsim_sarg_find(f->args, f->nargs, name);
}

const gsim_sarg *gsim_stype_input_field(const gsim_stype *t, const char *name)
{
    return gsim_sarg_find(t->input_fields, t->ninput_fields, name);
}

int gsim_stype_enum_index(const gsim_stype *t, const char *value)
{
    size_t lo = 0, hi = t->nenum_values;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        unsigned at = t->enum_sorted[mid];
        int c = strcmp(value, t->enum_values[at]);
        if (c == 0)
            return (int)at;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return -1;
}

int gsim_tref_text(gs_buf *out, const gsim_tref *r)
{
    int rc;
    if (r->list_of) {
        rc = gs_buf_puts(out, "[");
        if (!rc)
            rc = gsim_tref_text(out, r->list_of);
        if (!rc)
            rc = gs_buf_puts(out, "]");
    } else {
        rc = gs_buf_puts(out, r->named->name);
    }
    if (!rc && r->non_null)
        rc = gs_buf_puts(out, "!");
    return rc;
}
