/* What the executor's files share (resolve.h is the outside view):
 * sources, resolver tables, the walker's helpers, page queries and pages.
 *
 * A source is the modelled value behind one object of the answer: a
 * gsim_client * for a PrivateClient, a page for a connection, ... Each
 * object type's resolver table knows what its sources are; a NULL source
 * means "not modelled here" and every field of the object gets its
 * type-correct default. */
#ifndef GSIM_RESOLVE_INTERNAL_H
#define GSIM_RESOLVE_INTERNAL_H

#include "cursor.h"
#include "resolve.h"

enum { GSIM_PAGE_DEFAULT = 100, GSIM_PAGE_MAX = 200 };

typedef struct {
    const void *row; /* the modelled value */
    uint32_t index;  /* a position within it (an edge, a piano slot) */
} gsim_src;

/* Writes exactly one JSON value: field f of the object behind src. */
typedef void (*gsim_resolver)(gsim_exec *ex, const gsim_src *src,
                              const gql_field *f);

typedef struct {
    const char *field;
    gsim_resolver fn;
} gsim_field_resolver;

typedef struct {
    const char *type;
    const gsim_field_resolver *fields;
    size_t count;
} gsim_type_resolvers;

#define GSIM_RESOLVERS(type_name, table)                                       \
    {                                                                          \
        (type_name), (table), sizeof(table) / sizeof((table)[0])               \
    }

/* The tables, one per file of resolvers. */
extern const gsim_type_resolvers gsim_root_resolvers[];
extern const size_t gsim_root_resolver_count;
extern const gsim_type_resolvers gsim_client_resolvers[];
extern const size_t gsim_client_resolver_count;
extern const gsim_type_resolvers gsim_row_resolvers[];
extern const size_t gsim_row_resolver_count;
extern const gsim_type_resolvers gsim_page_resolvers[];
extern const size_t gsim_page_resolver_count;

/* ---- binding (resolve_bind.c) ---- */
typedef enum {
    GSIM_DEFAULT_NULL,  /* not a scalar */
    GSIM_DEFAULT_FALSE, /* Boolean */
    GSIM_DEFAULT_ZERO,  /* Int, Float, BigInt */
    GSIM_DEFAULT_EMPTY, /* String, ID and other custom scalars */
    GSIM_DEFAULT_TIME,  /* CoreDateTime */
    GSIM_DEFAULT_DAY,   /* CoreDate, ISO8601Date */
    GSIM_DEFAULT_OBJECT /* JSON */
} gsim_default_kind;

/* The resolver of field def on type t, or NULL when it is not modelled. */
gsim_resolver gsim_resolver_of(const gsim_stype *t, const gsim_sfield *def);
gsim_default_kind gsim_default_of(const gsim_stype *scalar);
/* The object type rows of kind are rendered as (PrivateUser, ...). */
const gsim_stype *gsim_type_of_kind(gsim_kind kind);
const gsim_schema *gsim_bound_schema(void);

/* ---- the walker (resolve_render.c) ---- */
static inline const gsim_sfield *gsim_def(const gql_field *f)
{
    return f->def;
}
/* The object for src (NULL: every field defaulted) with selection set. */
void gsim_render_object(gsim_exec *ex, const gsim_stype *t, const gsim_src *src,
                        const gql_field *set);
/* A value of the type ref when nothing models it. */
void gsim_render_default(gsim_exec *ex, const gsim_tref *type,
                         const gql_field *set);
/* Field f's object value: child NULL is null where the field is nullable
 * and a default object where it is not. */
void gsim_render_child(gsim_exec *ex, const gql_field *f,
                       const gsim_src *child);
/* A row of kind (-1: absent) as field f's object value. */
void gsim_render_ref(gsim_exec *ex, const gql_field *f, gsim_kind kind,
                     int64_t row);
/* The source of a row of kind. */
gsim_src gsim_src_of(const gsim_dataset *ds, gsim_kind kind, uint32_t row);
/* @skip / @include say the field is left out. */
int gsim_skipped(const gsim_exec *ex, const gql_field *f);

void gsim_out_time(gsim_out *o, gsim_time t);
void gsim_out_day(gsim_out *o, int64_t day); /* GSIM_NO_DAY: null */
void gsim_out_id(gsim_out *o, gsim_kind kind, uint64_t id);
void gsim_out_tags(gsim_out *o, uint32_t tags, const char *const *names,
                   size_t count);
void gsim_out_int_or_null(gsim_out *o, int64_t v); /* 0: null */

/* Resolvers of plain members: FN writes member of the row type T. */
#define GSIM_STR_FIELD(fn, T, member)                                          \
    static void fn(gsim_exec *ex, const gsim_src *s, const gql_field *f)       \
    {                                                                          \
        (void)f;                                                               \
        gsim_out_str(ex->out, ((const T *)s->row)->member);                    \
    }
#define GSIM_TIME_FIELD(fn, T, member)                                         \
    static void fn(gsim_exec *ex, const gsim_src *s, const gql_field *f)       \
    {                                                                          \
        (void)f;                                                               \
        gsim_out_time(ex->out, ((const T *)s->row)->member);                   \
    }
#define GSIM_DAY_FIELD(fn, T, member)                                          \
    static void fn(gsim_exec *ex, const gsim_src *s, const gql_field *f)       \
    {                                                                          \
        (void)f;                                                               \
        gsim_out_day(ex->out, ((const T *)s->row)->member);                    \
    }
#define GSIM_BOOL_FIELD(fn, T, member)                                         \
    static void fn(gsim_exec *ex, const gsim_src *s, const gql_field *f)       \
    {                                                                          \
        (void)f;                                                               \
        gsim_out_bool(ex->out, ((const T *)s->row)->member);                   \
    }
#define GSIM_INT_FIELD(fn, T, member) /* 0 renders null */                     \
    static void fn(gsim_exec *ex, const gsim_src *s, const gql_field *f)       \
    {                                                                          \
        (void)f;                                                               \
        gsim_out_int_or_null(ex->out, ((const T *)s->row)->member);            \
    }
#define GSIM_ID_FIELD(fn, T, kind)                                             \
    static void fn(gsim_exec *ex, const gsim_src *s, const gql_field *f)       \
    {                                                                          \
        (void)f;                                                               \
        gsim_out_id(ex->out, (kind), ((const T *)s->row)->id);                 \
    }
#define GSIM_REF_FIELD(fn, T, kind, member) /* a row reference, -1: null */    \
    static void fn(gsim_exec *ex, const gsim_src *s, const gql_field *f)       \
    {                                                                          \
        gsim_render_ref(ex, f, (kind), ((const T *)s->row)->member);           \
    }

/* ---- arguments (resolve_args.c) ---- */
/* An AST value as JSON with variables substituted (a new reference). */
json_t *gsim_value_json(const gql_value *v, json_t *vars);
/* The argument's value with variables substituted (a new reference), or
 * NULL when the document does not give it. */
json_t *gsim_arg(const gsim_exec *ex, const gql_field *f, const char *name);
/* Adds an execution error at f and marks the execution failed. */
void gsim_exec_error(gsim_exec *ex, const gql_field *f, const char *msg);
/* An ID argument naming a row of kind: the row, -1 when absent/null, -2
 * when it names no live row. */
int64_t gsim_arg_row(gsim_exec *ex, const gql_field *f, const char *name,
                     gsim_kind kind);
int64_t gsim_id_text_row(const gsim_dataset *ds, gsim_kind kind,
                         const char *text);

/* A list filter: the rows (ids) or enum values a field must be among.
 * An empty list filters nothing (`on` stays 0): Gazelle is a Rails
 * service, where `[].present?` is false and the filter is skipped. */
typedef struct {
    int on;
    size_t count;
    int64_t *rows;       /* id lists: rows, -2 for an unknown id */
    const char **values; /* enum lists: borrowed from `held` */
} gsim_list_filter;

typedef struct {
    gsim_kind kind; /* what the items are */
    gsim_sort_key sort;
    int desc;
    int64_t first, last; /* last: 0 unless has_last */
    int has_first, has_last;
    int has_after, has_before;
    int64_t after_key, before_key;
    uint64_t after_id, before_id;
    int64_t day_lo, day_hi; /* start day (events) / created day */
    int has_time_lo;
    gsim_time time_lo; /* timeline occurredAtGet */
    gsim_list_filter client, piano, user, type, status;
    int include_archived; /* contacts */
    int64_t parent;       /* nested lists: the owning row */
    json_t *held;         /* argument values the filters borrow */
} gsim_page_query;

/* Reads the arguments of connection field f over items of kind. -1 after
 * an error (gsim_exec_error). The caller frees with
 * gsim_page_query_free. */
int gsim_page_query_read(gsim_exec *ex, const gql_field *f, gsim_kind kind,
                         int64_t parent, gsim_page_query *q);
void gsim_page_query_free(gsim_page_query *q);

/* ---- pages (resolve_page.c) ---- */
typedef struct {
    gsim_exec *ex;
    const gsim_page_query *q;
    const gsim_sort_entry *entries; /* candidates ascending by (key, id) */
    size_t lo, hi;                  /* the part the bound filters allow */
    size_t count;                   /* rows on this page */
    uint32_t rows[GSIM_PAGE_MAX];
    int64_t keys[GSIM_PAGE_MAX];
    uint64_t ids[GSIM_PAGE_MAX];
    int has_next, has_previous;
    int64_t total;          /* -1 until totalCount asks */
    gsim_sort_entry *owned; /* candidates built for a nested list */
} gsim_page;

/* Runs q; 0, or -1 when out of memory (ex->out marked failed). */
int gsim_page_run(gsim_page *pg, gsim_exec *ex, const gsim_page_query *q);
void gsim_page_free(gsim_page *pg);
/* Reads field f's arguments, runs the page and renders f's connection;
 * counts it in ex->pages/nodes when root. */
void gsim_render_connection(gsim_exec *ex, const gql_field *f, gsim_kind kind,
                            int64_t parent, int root);

#endif
