/* Internals shared by the customer-analytics engine files (customer.c,
 * bgnbd.c, gammagamma.c, clv.c, logreg.c, kmeans.c, rfm.c, analytics.c).
 * Not a public header. */
#ifndef HZ_ANALYTICS_INTERNAL_H
#define HZ_ANALYTICS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "horizon/common.h"

/* Reductions are done over fixed blocks of HZ__BLOCK items whose partial
 * sums are added in block order, so results do not depend on the thread
 * count. */
#define HZ__BLOCK 2048

static inline size_t hz__nblocks(size_t n)
{
    return (n + HZ__BLOCK - 1) / HZ__BLOCK;
}

/* Fits with more distinct rows than this first fit a deterministic
 * sample of about half as many and start the full fit from there. */
#define HZ__WARM_MIN 100000

/* splitmix64: a small deterministic generator (state owned by caller). */
static inline uint64_t hz__rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform double in [0, 1). */
static inline double hz__rng_uniform(uint64_t *s)
{
    return (double)(hz__rng_next(s) >> 11) * 0x1.0p-53;
}

/* A distinct (x, t_x, T) summary and how many customers have it. */
typedef struct hz__triple {
    double x, tx, T, w;
} hz__triple;

/* Check customer i's summary: integer x >= 0, 0 <= t_x <= T, t_x > 0
 * exactly when x > 0; HZ_EINVAL naming the customer otherwise. */
hz_status hz__summary_row_check(const double *x, const double *tx,
                                const double *T, size_t i, hz_error *err);

/* The distinct triples of n checked summaries, sorted by (x, t_x, T),
 * with weights (*out malloc'd, *m of them). */
hz_status hz__triples_build(const double *x, const double *tx, const double *T,
                            size_t n, hz__triple **out, size_t *m,
                            hz_error *err);

#endif
