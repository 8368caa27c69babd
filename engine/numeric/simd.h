/* Internal: four doubles in one vector (GCC vector extensions), for code
 * that runs several independent computations side by side.  Lane by lane
 * the arithmetic is IEEE double arithmetic, as in scalar code: no
 * operation is fused, so side by side gives the same numbers as one at a
 * time. */
#ifndef HZ_NUMERIC_SIMD_H
#define HZ_NUMERIC_SIMD_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define HZ_LANES 4

typedef double hz_v4d __attribute__((vector_size(32)));
typedef long long hz_v4l __attribute__((vector_size(32)));

/* Vector code lives inside one function, built twice (baseline and
 * AVX2): no vector is passed to or returned from a function (clang
 * refuses that without AVX, GCC warns), so the helpers are macros and the
 * inlined helpers of the files that use them take vectors by pointer. */
#define HZ_SIMD_INLINE static inline __attribute__((always_inline))

/* An unaligned view of four doubles in memory, for loads and stores. */
typedef double hz_v4d_u
    __attribute__((vector_size(32), aligned(8), may_alias));

/* mask ? a : b, lane by lane (mask lanes all ones or all zeros; the
 * arguments are evaluated more than once) */
#define hz_v4_sel(mask, a, b)                                                 \
    ((hz_v4d)(((mask) & (hz_v4l)(a)) | (~(mask) & (hz_v4l)(b))))

#define hz_v4_abs(x)                                                          \
    ((hz_v4d)((hz_v4l)(x) &                                                   \
              (hz_v4l){INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX}))

#define hz_v4_load(p) ((hz_v4d)(*(const hz_v4d_u *)(const void *)(p)))

#define hz_v4_store(p, v) (*(hz_v4d_u *)(void *)(p) = (v))

#define hz_v4_splat(x) ((hz_v4d){(x), (x), (x), (x)})

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
