/* Internal: compensated (Neumaier) summation, for sums of many values
 * whose exact total should survive: a month's sales summed from its
 * orders prints 74786.89, not 74786.8899999999 (README, "Numbers keep 15
 * significant digits"). */
#ifndef HZ_NUMERIC_KSUM_H
#define HZ_NUMERIC_KSUM_H

#include <math.h>

/* Adds x to the sum *s, keeping the rounding error in *c; the total is
 * *s + *c (hz__ksum_total). */
static inline void hz__ksum_add(double *s, double *c, double x)
{
    double t = *s + x;
    if (fabs(*s) >= fabs(x))
        *c += (*s - t) + x;
    else
        *c += (x - t) + *s;
    *s = t;
}

/* The compensated total; an overflowed sum stays non-finite. */
static inline double hz__ksum_total(double s, double c)
{
    return isfinite(s) ? s + c : s;
}

#endif
