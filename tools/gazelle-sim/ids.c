/* Gazelle ids are opaque text: a lowercase prefix, "_" and 16 letters and
 * digits (contracts/gazelle.md, Values). The simulator stores a 64-bit id
 * number per row instead of text and renders it on output: 11 base-62
 * digits carry the number and 5 more are a check derived from it, so a
 * mangled or foreign id is refused rather than mapped to some other row.
 * The number is an invertible mix of (serial XOR salt), so the row of an id
 * is found without any index. */
#include <string.h>

#include "dataset.h"

const char *const gsim_kind_prefix[GSIM_KIND_COUNT] = {
    "usr", "cli", "pia", "evt", "tle", "con", "inv", "est",
    "evp" /* never rendered: event piano slots have no id in Gazelle */};

static const char digits62[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

enum { NUMBER_DIGITS = 11, CHECK_DIGITS = 5 };

/* The splitmix64 finaliser without its additive step; every stage is a
 * bijection on 64-bit words, so unmix() undoes it. */
static uint64_t mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t inverse_odd(uint64_t a)
{
    uint64_t x = a; /* Newton's iteration doubles the correct bits. */
    for (int i = 0; i < 6; i++)
        x *= 2 - a * x;
    return x;
}

static uint64_t unxorshift(uint64_t z, int s)
{
    uint64_t x = z;
    for (int i = 0; i < 64 / s + 1; i++)
        x = z ^ (x >> s);
    return x;
}

static uint64_t unmix(uint64_t z)
{
    z = unxorshift(z, 31);
    z *= inverse_odd(0x94d049bb133111ebULL);
    z = unxorshift(z, 27);
    z *= inverse_odd(0xbf58476d1ce4e5b9ULL);
    return unxorshift(z, 30);
}

uint64_t gsim_id_new(gsim_dataset *ds, gsim_kind kind)
{
    uint64_t serial = ds->serial[kind]++;
    return mix(serial ^ ds->salt[kind]);
}

static uint64_t check_of(gsim_kind kind, uint64_t id)
{
    return gsim_mix64(id ^ (uint64_t)kind * 0x51ed270b27f4a3c1ULL);
}

void gsim_id_format(char *out, gsim_kind kind, uint64_t id)
{
    size_t plen = strlen(gsim_kind_prefix[kind]);
    memcpy(out, gsim_kind_prefix[kind], plen);
    out[plen] = '_';
    char *d = out + plen + 1;
    uint64_t n = id;
    for (int i = NUMBER_DIGITS - 1; i >= 0; i--) {
        d[i] = digits62[n % 62];
        n /= 62;
    }
    uint64_t check = check_of(kind, id);
    for (int i = 0; i < CHECK_DIGITS; i++) {
        d[NUMBER_DIGITS + i] = digits62[check % 62];
        check /= 62;
    }
    d[NUMBER_DIGITS + CHECK_DIGITS] = '\0';
}

static int digit_value(char c)
{
    const char *at = c ? strchr(digits62, c) : NULL;
    return at ? (int)(at - digits62) : -1;
}

uint64_t gsim_id_parse(gsim_kind kind, const char *text)
{
    size_t plen = strlen(gsim_kind_prefix[kind]);
    if (!text || strncmp(text, gsim_kind_prefix[kind], plen) != 0 ||
        text[plen] != '_' ||
        strlen(text + plen + 1) != NUMBER_DIGITS + CHECK_DIGITS)
        return 0;
    const char *d = text + plen + 1;
    unsigned __int128 n = 0;
    for (int i = 0; i < NUMBER_DIGITS; i++) {
        int v = digit_value(d[i]);
        if (v < 0)
            return 0;
        n = n * 62 + (unsigned)v;
    }
    if (n > UINT64_MAX)
        return 0;
    char expect[32];
    gsim_id_format(expect, kind, (uint64_t)n);
    if (strcmp(expect, text) != 0)
        return 0;
    return (uint64_t)n;
}

int64_t gsim_id_row(const gsim_dataset *ds, gsim_kind kind, uint64_t id)
{
    uint64_t serial = unmix(id) ^ ds->salt[kind];
    if (serial >= ds->serial[kind])
        return -1;
    return (int64_t)serial;
}
