/* Deterministic randomness for the simulator. Every value the business holds
 * comes from one of these generators seeded from --seed, never from rand():
 * two runs with the same seed must produce byte-identical datasets. */
#ifndef GSIM_RNG_H
#define GSIM_RNG_H

#include <stdint.h>

typedef struct {
    uint64_t s[4];
} gsim_rng;

/* splitmix64 step: also used on its own as a bijective 64-bit mixer. */
static inline uint64_t gsim_mix64(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void gsim_rng_seed(gsim_rng *rng, uint64_t seed);
/* xoshiro256** */
uint64_t gsim_rng_next(gsim_rng *rng);
/* Uniform in [0, n); n > 0. */
uint64_t gsim_rng_below(gsim_rng *rng, uint64_t n);
/* Uniform in [lo, hi] inclusive. */
int64_t gsim_rng_range(gsim_rng *rng, int64_t lo, int64_t hi);
/* Uniform double in [0, 1). */
double gsim_rng_unit(gsim_rng *rng);
/* True with probability p. */
int gsim_rng_chance(gsim_rng *rng, double p);
/* An integer count whose mean is `expected`: floor plus a Bernoulli on the
 * fraction, so fractional daily rates (0.3 hires a day) still add up. */
uint64_t gsim_rng_count(gsim_rng *rng, double expected);

#endif
