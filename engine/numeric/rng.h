/* The engine's seeded random streams (engine/ only; the public,
 * non-statistical generators for jobs/ are in "horizon/rng.h").
 *
 * Two streams, each kept exactly as the models have always drawn it, so
 * that results for a seed never change:
 *   - hz__rng: xoshiro256** seeded by splitmix64; uniforms in the open
 *     interval (0, 1) and normals by the polar method.  Forecast sample
 *     paths (ETS simulated intervals).
 *   - splitmix64 on a bare uint64_t state; uniforms in [0, 1).  The
 *     analytics shuffles and k-means++ seeding.
 * State is owned by the caller: one stream per thread, no hidden state. */
#ifndef HZ_NUMERIC_RNG_H
#define HZ_NUMERIC_RNG_H

#include <stdint.h>

/* splitmix64 (Steele, Lea & Flood 2014): advance *s and return the next
 * 64-bit output.  Any state, including 0, is valid. */
static inline uint64_t hz__rng_splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform double in [0, 1) from the splitmix64 stream *s (53 bits). */
static inline double hz__rng_splitmix_uniform(uint64_t *s)
{
    return (double)(hz__rng_splitmix64(s) >> 11) * 0x1.0p-53;
}

/* xoshiro256** (Blackman & Vigna) with a cached second normal. */
typedef struct hz__rng {
    uint64_t s[4];
    int have; /* spare holds the second normal of the last pair */
    double spare;
} hz__rng;

/* Seed r from seed through four splitmix64 outputs; any seed is valid. */
void hz__rng_seed(hz__rng *r, uint64_t seed);
/* The next 64-bit output. */
uint64_t hz__rng_next(hz__rng *r);
/* Uniform double in the open interval (0, 1): (k + 0.5) / 2^53. */
double hz__rng_uniform(hz__rng *r);
/* Standard normal by the polar method (pairs, the second one cached). */
double hz__rng_normal(hz__rng *r);

#endif
