/* Private to validate*.c and coerce.c: the state of one validation and the
 * rules' entry points. One file per family of rules (spec section 5):
 * validate.c operations and the order of the passes, validate_fields.c
 * fields, arguments and directives, validate_values.c literals,
 * validate_frags.c fragments, validate_vars.c variables, validate_merge.c
 * overlapping fields and flattening, coerce.c variable values. */
#ifndef GSIM_VALIDATE_INTERNAL_H
#define GSIM_VALIDATE_INTERNAL_H

#include <jansson.h>

#include "buf.h"
#include "validate.h"

enum { VPATH_MAX = 64 };

/* Expanding fragments can multiply fields (F1 spreads F0 twice, F2 spreads
 * F1 twice...): past this many field visits the document is refused. */
enum { VFIELD_BUDGET = 20000 };

typedef struct {
    gql_fragment *frag;
    const gsim_stype *type; /* its type condition, NULL when invalid */
    int state;              /* cycle search: 0 new, 1 on the path, 2 done */
    int used;               /* reached from some operation */
    unsigned visited;       /* operation number that last walked it */
} vfrag;

typedef struct {
    gql_var_def *def;
    const gsim_tref *type; /* NULL when unknown or not an input type */
    int used;
} vvar;

typedef struct {
    const gsim_schema *schema;
    gsim_arena *arena;
    json_t *errors;
    size_t count;
    gql_document *doc;
    vfrag *frags; /* sorted by name */
    size_t nfrags;
    /* The operation whose variables are being checked. */
    const gql_operation *op;
    const char *op_label; /* "Pull", "anonymous query" */
    unsigned op_number;
    vvar *vars;
    size_t nvars;
    /* graphql-ruby's error path: "query Name", field keys, argument. */
    const char *path[VPATH_MAX];
    int depth;
    gsim_tref boolean_nn; /* Boolean!, the type of @include/@skip(if:) */
    gsim_sarg if_arg;
    size_t budget;
    int over_budget;
} vctx;

/* Appends an error at (line, col) with the current path and
 * extensions.code, and returns it (borrowed) so a caller can add a second
 * location. */
json_t *verr(vctx *c, int line, int col, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void verr_add_location(json_t *error, int line, int col);
/* Replaces each byte that is not part of valid UTF-8 with '?', in place. */
void vutf8_clean(char *text);
void vpath_push(vctx *c, const char *step);
void vpath_pop(vctx *c);

/* validate_fields.c */
void vcheck_selections(vctx *c, gql_field *set, const gsim_stype *parent);
/* Checks directives at a location ("fields", "queries", ...); allowed is
 * nonzero where @include/@skip may stand. */
void vcheck_directives(vctx *c, gql_directive *d, const char *location,
                       int allowed);
/* Argument names, uniqueness, required ones, literal values. kind/owner
 * name the owner in messages ("Field" 'allClients', "Directive" ...). */
void vcheck_arguments(vctx *c, gql_argument *args, const gsim_sarg *defs,
                      size_t ndefs, const char *kind, const char *owner,
                      const char *node_name, int line, int col);

/* A fragment's type condition: an existing object type, or NULL (an error
 * added). */
const gsim_stype *vcondition_type(vctx *c, const char *name, int line, int col);

/* validate_values.c */
typedef enum { LIT_VALID, LIT_INVALID, LIT_REPORTED } vlit;
vlit vcheck_literal(vctx *c, const gql_value *v, const gsim_tref *type);
/* The literal as GraphQL prints it, for messages (truncated when long). */
void vliteral_text(gs_buf *out, const gql_value *v);
/* Whether an Int literal fits GraphQL's 32-bit Int. */
int vint_in_range(const char *text);

/* validate_frags.c */
vfrag *vfrag_find(vctx *c, const char *name);
/* Unique names, type conditions, bodies, cycles. Returns nonzero when a
 * cycle was found (later passes must not expand fragments then). */
int vcheck_fragments(vctx *c);
void vcheck_unused_fragments(vctx *c);

/* validate_vars.c */
void vcheck_variables(vctx *c, gql_operation *op, const char *op_label);

/* A declared type as written: "[ClientSort!]!". */
void vtype_text(gs_buf *out, const gql_type *t);

/* A schema type's text for a message, written into out (the caller frees
 * it); a placeholder when memory ran out, so the error is still reported. */
const char *vtref_text(gs_buf *out, const gsim_tref *r);

/* validate_merge.c: the fields of set on parent, fragments expanded and
 * same response keys merged. With vars NULL (the static check) directives
 * are ignored and conflicts are reported; with the coerced variables,
 * @skip/@include decide and the result is the executable list. Returns
 * NULL for an empty list and when the budget ran out (an error added). */
gql_field *vflatten(vctx *c, gql_field *set, json_t *vars);

#endif
