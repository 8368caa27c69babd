/* Root location of real polynomials: a division-free Schur-Cohn test. */
#include <stdbool.h>

#include "numeric/poly.h"
#include "numeric/simd.h"

/* One Schur-Cohn reduction p <- a0 p - ad p* per degree, division-free,
 * rescaled by a power of two so the leading coefficient stays near 1;
 * four polynomials side by side (a polynomial alone takes all four
 * lanes).  Specialised below for constant degrees (fully unrolled). */
#ifdef __OPTIMIZE__
#define HZ_UNROLL _Pragma("GCC unroll 32")
#else
#define HZ_UNROLL
#endif

/* The reductions in four lanes: a lane that fails (a leading coefficient
 * not larger than the last, or a zero or overflowing norm) goes on with
 * meaningless numbers and stays failed.  (a0 s) x - (ad s) y =
 * s (a0 x - ad y) exactly for a power of two s in the normal range, so
 * the products need not wait for s. */
HZ_SIMD_INLINE void schur_cohn4(hz_v4d *a, const int deg, hz_v4l *ok)
{
    hz_v4l alive = {-1, -1, -1, -1};
    const hz_v4l emask = {0x7ff, 0x7ff, 0x7ff, 0x7ff};
    const hz_v4l top = {2046, 2046, 2046, 2046}, zero = {0, 0, 0, 0};
    HZ_UNROLL
    for (int d = deg; d > 0; d--) {
        hz_v4d a0 = a[0], ad = a[d];
        alive &= hz_v4_abs(ad) < hz_v4_abs(a0);
        hz_v4d n0 = a0 * a0 - ad * ad;
        hz_v4l e = ((hz_v4l)n0 >> 52) & emask;
        alive &= (e != zero) & (e != emask);
        hz_v4d scale = (hz_v4d)((top - e) << 52);
        HZ_UNROLL
        for (int i = 0; i <= d / 2; i++) {
            int k = d - i;
            hz_v4d ai = a[i], ak = a[k];
            a[i] = (a0 * ai - ad * ak) * scale;
            a[k] = (a0 * ak - ad * ai) * scale;
        }
    }
    *ok = alive;
}

/* roots z of p with |z| <= 1 + 1e-10  <=>  roots w = z / (1 + 1e-10) of
 * q(w) = p(w (1 + 1e-10)) in the closed unit disc; the strict Schur-Cohn
 * test accepts roots exactly on the unit circle of p (they move inside
 * for q), as forecast's 1 + 1e-10 tolerance does. */
HZ_SIMD_INLINE void poly4_body(const double *c, int d, bool *out)
{
    hz_v4d a[HZ_POLY_MAX_DEG + 2];
    const hz_v4d sc = hz_v4_splat(1.0 + 1e-10);
    hz_v4d f = hz_v4_splat(1.0);
    for (int i = d; i >= 0; i--) {
        a[i] = hz_v4_load(c + (size_t)i * HZ_LANES) * f;
        f *= sc;
    }
    hz_v4l ok;
    switch (d) {
    case 13: schur_cohn4(a, 13, &ok); break;
    case 5: schur_cohn4(a, 5, &ok); break;
    default: schur_cohn4(a, d, &ok); break;
    }
    for (int k = 0; k < HZ_LANES; k++)
        out[k] = ok[k] != 0;
}

static void poly4_base(const double *c, int d, bool *out)
{
    poly4_body(c, d, out);
}

#if HZ_SIMD_HAVE_AVX2
HZ_SIMD_AVX2 static void poly4_avx2(const double *c, int d, bool *out)
{
    poly4_body(c, d, out);
}
#endif

void hz__poly_roots_in_unit_disc4(const double *c, int d, bool out[4])
{
    if (d > HZ_POLY_MAX_DEG || d < 0) {
        for (int k = 0; k < HZ_LANES; k++)
            out[k] = false;
        return;
    }
#if HZ_SIMD_HAVE_AVX2
    if (hz_simd_avx2()) {
        poly4_avx2(c, d, out);
        return;
    }
#endif
    poly4_base(c, d, out);
}

bool hz__poly_roots_in_unit_disc(const double *c, int d)
{
    double c4[(HZ_POLY_MAX_DEG + 1) * HZ_LANES];
    bool in[HZ_LANES];
    if (d > HZ_POLY_MAX_DEG || d < 0)
        return false;
    for (int i = 0; i <= d; i++)
        for (int k = 0; k < HZ_LANES; k++)
            c4[i * HZ_LANES + k] = c[i];
    hz__poly_roots_in_unit_disc4(c4, d, in);
    return in[0];
}
