/* Root location of real polynomials: a division-free Schur-Cohn test. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "numeric/poly.h"

/* One Schur-Cohn reduction p <- a0 p - ad p* per degree, division-free,
 * rescaled by a power of two so the leading coefficient stays near 1.
 * Specialised below for constant degrees (fully unrolled). */
#ifdef __OPTIMIZE__
#define HZ_UNROLL _Pragma("GCC unroll 32")
#else
#define HZ_UNROLL
#endif

static inline __attribute__((always_inline)) bool schur_cohn(double *a,
                                                             const int deg)
{
    HZ_UNROLL
    for (int d = deg; d > 0; d--) {
        double a0 = a[0], ad = a[d];
        if (!(fabs(ad) < fabs(a0)))
            return false;
        double n0 = a0 * a0 - ad * ad;
        uint64_t bits;
        memcpy(&bits, &n0, sizeof bits);
        int e = (int)((bits >> 52) & 0x7ff);
        if (e == 0 || e == 0x7ff)
            return false;
        uint64_t sb = (uint64_t)(2046 - e) << 52;
        double scale;
        memcpy(&scale, &sb, sizeof scale);
        double A0 = a0 * scale, AD = ad * scale;
        HZ_UNROLL
        for (int i = 0; i <= d / 2; i++) {
            int k = d - i;
            double ai = a[i], ak = a[k];
            a[i] = A0 * ai - AD * ak;
            a[k] = A0 * ak - AD * ai;
        }
    }
    return true;
}

bool hz__poly_roots_in_unit_disc(const double *c, int d)
{
    double a[HZ_POLY_MAX_DEG + 2];
    if (d > HZ_POLY_MAX_DEG || d < 0)
        return false;
    /* roots z of p with |z| <= 1 + 1e-10  <=>  roots w = z / (1 + 1e-10)
     * of q(w) = p(w (1 + 1e-10)) in the closed unit disc; the strict
     * Schur-Cohn test below accepts roots exactly on the unit circle of p
     * (they move inside for q), as forecast's 1 + 1e-10 tolerance does. */
    const double sc = 1.0 + 1e-10;
    double f = 1.0;
    for (int i = d; i >= 0; i--) {
        a[i] = c[i] * f;
        f *= sc;
    }
    switch (d) {
    case 13: return schur_cohn(a, 13); /* monthly: m + 1 */
    case 5: return schur_cohn(a, 5);   /* quarterly */
    default: return schur_cohn(a, d);
    }
}
