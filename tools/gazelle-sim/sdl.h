/* Gazelle's schema as data: schema/gazelle.graphql (the service's own
 * introspection, as SDL) is embedded at build time and parsed once at start
 * into these structures. Parsing at start rather than generating C tables
 * keeps one source of truth (the .graphql file people diff against a new
 * introspection) and costs a few milliseconds; the schema has no interfaces,
 * unions or directives, so object, input, enum and scalar types are all it
 * needs.
 *
 * Everything lives in the schema's arena; names point into it. Types, fields,
 * arguments and input fields are sorted by name so lookups are binary
 * searches. */
#ifndef GSIM_SDL_H
#define GSIM_SDL_H

#include <stddef.h>

#include "arena.h"
#include "buf.h"

typedef enum {
    GSIM_TK_SCALAR, /* built-in (Int Float String Boolean ID) or custom */
    GSIM_TK_OBJECT,
    GSIM_TK_INPUT,
    GSIM_TK_ENUM
} gsim_type_kind;

typedef struct gsim_stype gsim_stype;
typedef struct gsim_tref gsim_tref;

/* A type as written at a use site: `[Foo!]!` is {non_null, list_of ->
 * {non_null, named Foo}}. */
struct gsim_tref {
    int non_null;
    const gsim_tref *list_of; /* non-NULL: a list of this */
    const gsim_stype *named;  /* set when list_of is NULL */
};

/* An argument of a field, or a field of an input object. */
typedef struct {
    const char *name;
    const gsim_tref *type;
    int has_default; /* a default in the SDL: not required even if non-null */
} gsim_sarg;

typedef struct {
    const char *name;
    const gsim_tref *type;
    const gsim_sarg *args; /* sorted by name */
    size_t nargs;
} gsim_sfield;

struct gsim_stype {
    const char *name;
    gsim_type_kind kind;
    const gsim_sfield *fields; /* GSIM_TK_OBJECT, sorted by name */
    size_t nfields;
    const gsim_sarg *input_fields; /* GSIM_TK_INPUT, sorted by name */
    size_t ninput_fields;
    const char *const *enum_values; /* GSIM_TK_ENUM, in SDL order */
    const unsigned *enum_sorted;    /* indexes of enum_values by name */
    size_t nenum_values;
};

typedef struct {
    gsim_arena arena;
    const gsim_stype *types; /* sorted by name, built-in scalars included */
    size_t ntypes;
    const gsim_stype *query;    /* PrivateQuery */
    const gsim_stype *mutation; /* PrivateMutation, or NULL */
} gsim_schema;

/* schema/gazelle.graphql's text, embedded at build time (embed.cmake). */
extern const char gsim_gazelle_sdl[];
extern const size_t gsim_gazelle_sdl_len;

/* Parses SDL text. Returns 0, or -1 with a message naming line and column
 * in err. On success the caller frees with gsim_schema_free. */
int gsim_schema_parse(gsim_schema *out, const char *sdl, size_t len, char *err,
                      size_t errlen);
/* The embedded schema/gazelle.graphql, parsed on first use and kept for the
 * life of the process (freed by gsim_schema_release, for LeakSanitizer).
 * NULL only if the embedded text does not parse (a build error). */
const gsim_schema *gsim_schema_gazelle(void);
void gsim_schema_release(void);
void gsim_schema_free(gsim_schema *s);

/* Lookups; NULL when absent. */
const gsim_stype *gsim_schema_type(const gsim_schema *s, const char *name);
const gsim_sfield *gsim_stype_field(const gsim_stype *t, const char *name);
const gsim_sarg *gsim_sfield_arg(const gsim_sfield *f, const char *name);
const gsim_sarg *gsim_stype_input_field(const gsim_stype *t, const char *name);
/* The argument or input field called name in a sorted array, or NULL. */
const gsim_sarg *gsim_sarg_find(const gsim_sarg *args, size_t n,
                                const char *name);
/* Index of value among t's enum values, or -1. */
int gsim_stype_enum_index(const gsim_stype *t, const char *value);

/* The named type at the bottom of any list/non-null wrappers. */
static inline const gsim_stype *gsim_tref_named(const gsim_tref *r)
{
    while (r->list_of)
        r = r->list_of;
    return r->named;
}

/* Appends the type as GraphQL spells it ("[ClientSort!]") to out, whole: a
 * document may nest a variable's type as deep as the parser allows, and a
 * message naming a cut type would name another type. 0 or GS_ENOMEM. */
int gsim_tref_text(gs_buf *out, const gsim_tref *r);

#endif
