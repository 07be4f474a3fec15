#include "rng.h"

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void gsim_rng_seed(gsim_rng *rng, uint64_t seed)
{
    uint64_t z = seed;
    for (int i = 0; i < 4; i++) {
        z = gsim_mix64(z);
        rng->s[i] = z;
    }
}

uint64_t gsim_rng_next(gsim_rng *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t gsim_rng_below(gsim_rng *rng, uint64_t n)
{
    /* Rejection keeps the draw unbiased; the loop almost never repeats. */
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do {
        x = gsim_rng_next(rng);
    } while (x >= limit);
    return x % n;
}

int64_t gsim_rng_range(gsim_rng *rng, int64_t lo, int64_t hi)
{
    if (hi <= lo)
        return lo;
    return lo + (int64_t)gsim_rng_below(rng, (uint64_t)(hi - lo) + 1);
}

double gsim_rng_unit(gsim_rng *rng)
{
    return (double)(gsim_rng_next(rng) >> 11) * (1.0 / 9007199254740992.0);
}

int gsim_rng_chance(gsim_rng *rng, double p)
{
    return gsim_rng_unit(rng) < p;
}

uint64_t gsim_rng_count(gsim_rng *rng, double expected)
{
    if (expected <= 0)
        return 0;
    uint64_t whole = (uint64_t)expected;
    return whole + (gsim_rng_chance(rng, expected - (double)whole) ? 1 : 0);
}
