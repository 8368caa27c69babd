/* Internal: four doubles in one vector (GCC vector extensions), for code
 * that runs several independent computations side by side.  Lane by lane
 * the arithmetic is IEEE double arithmetic, as in scalar code: no
 * operation is fused, so side by side gives the same numbers as one at a
 * time.  Vectors are not passed between functions (the ABI of 32-byte
 * vectors differs between instruction sets): they live inside one
 * function, built twice, for the baseline and for AVX2 (HZ_SIMD_AVX2). */
#ifndef HZ_NUMERIC_SIMD_H
#define HZ_NUMERIC_SIMD_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define HZ_LANES 4

typedef double hz_v4d __attribute__((vector_size(32)));
typedef long long hz_v4l __attribute__((vector_size(32)));

#define HZ_SIMD_INLINE static inline __attribute__((always_inline))

/* The helpers here and the vector code of the files that include this
 * header are always inlined: no vector crosses a call, so GCC's note on
 * the ABI of vector returns does not apply (silenced for those files). */
#if defined(__clang__)
#if __has_warning("-Wpsabi")
#pragma clang diagnostic ignored "-Wpsabi"
#endif
#elif defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

/* mask ? a : b, lane by lane (mask lanes all ones or all zeros) */
HZ_SIMD_INLINE hz_v4d hz_v4_sel(hz_v4l mask, hz_v4d a, hz_v4d b)
{
    return (hz_v4d)((mask & (hz_v4l)a) | (~mask & (hz_v4l)b));
}

HZ_SIMD_INLINE hz_v4d hz_v4_abs(hz_v4d x)
{
    const hz_v4l nosign = {INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX};
    return (hz_v4d)((hz_v4l)x & nosign);
}

HZ_SIMD_INLINE hz_v4d hz_v4_load(const double *x)
{
    hz_v4d v;
    memcpy(&v, x, sizeof v);
    return v;
}

HZ_SIMD_INLINE hz_v4d hz_v4_splat(double x)
{
    return (hz_v4d){x, x, x, x};
}

/* Functions built for AVX2 as well: HZ_SIMD_AVX2 marks the AVX2 build
 * (no FMA: a separate target), hz_simd_avx2() says whether it runs: the
 * CPU has AVX2 and hz__simd_avx2_allowed (true; tests set it false to
 * compare the baseline build's numbers with AVX2's, which are the same). */
extern bool hz__simd_avx2_allowed;

#if defined(__x86_64__) && defined(__GNUC__)
#define HZ_SIMD_HAVE_AVX2 1
#define HZ_SIMD_AVX2 __attribute__((target("avx2")))
static inline bool hz_simd_avx2(void)
{
    return hz__simd_avx2_allowed && __builtin_cpu_supports("avx2");
}
#else
#define HZ_SIMD_HAVE_AVX2 0
#endif

#endif
