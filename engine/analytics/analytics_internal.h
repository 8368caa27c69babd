/* Internals shared by the customer-analytics engine files (customer.c,
 * bgnbd.c, gammagamma.c, clv.c, logreg.c, kmeans.c, rfm.c, analytics.c).
 * Not a public header. */
#ifndef HZ_ANALYTICS_INTERNAL_H
#define HZ_ANALYTICS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

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

#endif
