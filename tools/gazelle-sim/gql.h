/* Executable GraphQL documents (https://spec.graphql.org/October2021/):
 * operations, variable definitions with defaults, every literal kind,
 * aliases, arguments, directives, nested selection sets, fragment
 * definitions, fragment spreads and inline fragments. Validation
 * (validate.h) flattens the fragments away, so execution sees only fields.
 *
 * The whole AST of one document lives in one arena. */
#ifndef GSIM_GQL_H
#define GSIM_GQL_H

#include <stddef.h>

#include "arena.h"

/* ---- lexer ---- */
typedef enum {
    GQL_T_EOF,
    GQL_T_PUNCT, /* ! $ & ( ) ... : = @ [ ] { | } */
    GQL_T_NAME,
    GQL_T_INT,
    GQL_T_FLOAT,
    GQL_T_STRING,
    GQL_T_ERROR
} gql_token_kind;

typedef struct {
    gql_token_kind kind;
    const char *start; /* raw text in the source */
    size_t len;
    char *value;   /* decoded string (GQL_T_STRING), arena-owned */
    int line, col; /* 1-based, columns count bytes */
} gql_token;

typedef struct {
    const char *src;
    size_t len, pos;
    int line;
    size_t line_start;
    gsim_arena *arena;
    char error[160]; /* set when a GQL_T_ERROR token is returned */
} gql_lexer;

void gql_lexer_init(gql_lexer *lx, const char *src, size_t len,
                    gsim_arena *arena);
/* Reads the next token; on a lexical error returns GQL_T_ERROR with
 * lx->error describing it and line/col at the offending character. */
gql_token gql_lexer_next(gql_lexer *lx);

/* ---- AST ---- */
typedef enum {
    GQL_V_VARIABLE,
    GQL_V_INT,
    GQL_V_FLOAT,
    GQL_V_STRING,
    GQL_V_BOOLEAN,
    GQL_V_NULL,
    GQL_V_ENUM,
    GQL_V_LIST,
    GQL_V_OBJECT
} gql_value_kind;

typedef struct gql_value gql_value;
struct gql_value {
    gql_value_kind kind;
    const char *text; /* variable name, number text, string, enum name */
    int boolean;
    const char *key;  /* when this value is an object member */
    gql_value *items; /* list items / object members (linked by next) */
    gql_value *next;
    int line, col;
};

typedef struct gql_argument gql_argument;
struct gql_argument {
    const char *name;
    gql_value *value;
    gql_argument *next;
    int line, col;
};

typedef struct gql_directive gql_directive;
struct gql_directive {
    const char *name;
    gql_argument *args;
    gql_directive *next;
    int line, col;
};

/* A selection: a field, a fragment spread (name is the fragment's) or an
 * inline fragment (type_cond, possibly NULL, and selections). */
typedef enum { GQL_SEL_FIELD, GQL_SEL_SPREAD, GQL_SEL_INLINE } gql_sel_kind;

typedef struct gql_field gql_field;
struct gql_field {
    gql_sel_kind kind;
    const char *alias; /* NULL when none */
    const char *name;
    const char *type_cond; /* GQL_SEL_INLINE: `... on T`, or NULL */
    gql_argument *args;
    gql_directive *directives;
    gql_field *selections; /* NULL when the field has no selection set */
    int has_selection_set;
    gql_field *next;
    int line, col;
    /* Filled by validation (validate.h) so execution needs no lookups:
     * def is the field's `const gsim_sfield *` (NULL for __typename),
     * parent the `const gsim_stype *` it was selected on. */
    const void *def;
    const void *parent;
    int duplicate; /* a repeated response key, rendered once */
};

/* A type as written in a variable definition: `[Int!]!`. */
typedef struct gql_type gql_type;
struct gql_type {
    int non_null;
    gql_type *list_of; /* non-NULL: a list of this */
    const char *name;  /* set when list_of is NULL */
    int line, col;
};

typedef struct gql_var_def gql_var_def;
struct gql_var_def {
    const char *name;
    gql_type *type;
    const char *type_name; /* the named type inside any list/non-null */
    int non_null;          /* outermost type is non-null */
    int is_list;
    gql_value *default_value;
    gql_directive *directives;
    /* Filled by validation: the `const gsim_tref *` of type, NULL when the
     * type is unknown or not an input type. */
    const void *tref;
    gql_var_def *next;
    int line, col;
};

typedef enum { GQL_OP_QUERY, GQL_OP_MUTATION, GQL_OP_SUBSCRIPTION } gql_op_kind;

typedef struct gql_operation gql_operation;
struct gql_operation {
    gql_op_kind kind;
    const char *name; /* NULL for anonymous */
    gql_var_def *var_defs;
    gql_directive *directives;
    gql_field *selections;
    gql_operation *next;
    int line, col;
};

typedef struct gql_fragment gql_fragment;
struct gql_fragment {
    const char *name;
    const char *type_cond;
    gql_directive *directives;
    gql_field *selections;
    gql_fragment *next;
    int line, col;
};

typedef struct {
    gql_operation *operations;
    gql_fragment *fragments;
    int has_fragments; /* a fragment definition, spread or inline fragment */
    int fragment_line, fragment_col;
} gql_document;

typedef struct {
    char message[200];
    int line, col;
} gql_error;

/* Parses src into *out (allocated in arena). Returns 0, or -1 with err set
 * to a graphql-js style "Syntax Error: ..." message and its position. */
int gql_parse(gql_document **out, gsim_arena *arena, const char *src,
              size_t len, gql_error *err);

/* The response key of a field: its alias or its name. */
static inline const char *gql_field_key(const gql_field *f)
{
    return f->alias ? f->alias : f->name;
}

#endif
