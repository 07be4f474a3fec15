/* Realistic values for a Québec piano-service business: French and English
 * names with accents, addresses, piano makes, and notes with newlines,
 * quotes, emoji and the occasional very long text. All returned strings live
 * in the dataset's arena or are static. */
#ifndef GSIM_TEXT_H
#define GSIM_TEXT_H

#include "arena.h"
#include "rng.h"

typedef struct {
    const char *display; /* with accents */
    const char *ascii;   /* for e-mail addresses */
} gsim_name;

#define GSIM_PICK(rng, array) \
    ((array)[gsim_rng_below((rng), sizeof(array) / sizeof((array)[0]))])

gsim_name gsim_text_first_name(gsim_rng *rng, int french);
gsim_name gsim_text_last_name(gsim_rng *rng, int french);
const char *gsim_text_municipality(gsim_rng *rng, const char **region);
const char *gsim_text_street(gsim_arena *a, gsim_rng *rng);
const char *gsim_text_postal_code(gsim_arena *a, gsim_rng *rng);
const char *gsim_text_phone(gsim_arena *a, gsim_rng *rng);
const char *gsim_text_company(gsim_arena *a, gsim_rng *rng);
const char *gsim_text_piano_make(gsim_rng *rng, const char **model);
/* A note: one to four lines, sometimes quotes or emoji, rarely several
 * kilobytes. Never NULL (callers decide on null themselves). */
const char *gsim_text_note(gsim_arena *a, gsim_rng *rng, int french);
const char *gsim_text_summary(gsim_arena *a, gsim_rng *rng, const char *type);

#endif
