/* Stable radix argsort of doubles, on one key or lexicographically on
 * several.  See analytics/analytics_internal.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/analytics_internal.h"

/* A double as an unsigned key in the same order (-0 before +0; NaN
 * after +inf). */
static inline uint64_t key_of(double v)
{
    uint64_t u;
    if (isnan(v))
        return UINT64_MAX;
    memcpy(&u, &v, sizeof u);
    return (u >> 63) ? ~u : u | 0x8000000000000000ull;
}

typedef struct kv {
    uint64_t k;
    uint32_t i;
} kv;

enum { BITS = 11, BINS = 1 << BITS, MASK = BINS - 1 };

/* Stable LSD radix sort of a by key, 11 bits a pass (the counts fit in
 * the first-level cache; passes whose digit is the same everywhere are
 * skipped); b is workspace. */
static kv *radix(kv *a, kv *b, size_t n, size_t *cnt)
{
    for (int shift = 0; shift < 64; shift += BITS) {
        memset(cnt, 0, (BINS + 1) * sizeof *cnt);
        for (size_t i = 0; i < n; i++)
            cnt[((a[i].k >> shift) & MASK) + 1]++;
        if (cnt[((a[0].k >> shift) & MASK) + 1] == n)
            continue; /* one digit value: nothing moves */
        for (size_t d = 0; d < BINS; d++)
            cnt[d + 1] += cnt[d];
        for (size_t i = 0; i < n; i++)
            b[cnt[(a[i].k >> shift) & MASK]++] = a[i];
        kv *t = a;
        a = b;
        b = t;
    }
    return a;
}

hz_status hz__argsort(const double *const *keys, size_t nkeys, size_t n,
                      uint32_t *perm)
{
    if (n == 0)
        return HZ_OK;
    kv *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    size_t *cnt = malloc((BINS + 1) * sizeof *cnt);
    if (a == NULL || b == NULL || cnt == NULL) {
        free(a);
        free(b);
        free(cnt);
        return HZ_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        perm[i] = (uint32_t)i;
    /* least significant key first; each pass is stable */
    for (size_t k = nkeys; k-- > 0;) {
        for (size_t i = 0; i < n; i++)
            a[i] = (kv){key_of(keys[k][perm[i]]), perm[i]};
        kv *s = radix(a, b, n, cnt);
        for (size_t i = 0; i < n; i++)
            perm[i] = s[i].i;
    }
    free(a);
    free(b);
    free(cnt);
    return HZ_OK;
}

hz_status hz__sort_doubles(double *v, size_t n)
{
    uint32_t *perm = malloc((n ? n : 1) * sizeof *perm);
    double *t = malloc((n ? n : 1) * sizeof *t);
    const double *keys[1] = {v};
    if (perm == NULL || t == NULL || hz__argsort(keys, 1, n, perm) != HZ_OK) {
        free(perm);
        free(t);
        return HZ_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        t[i] = v[perm[i]];
    memcpy(v, t, n * sizeof *v);
    free(perm);
    free(t);
    return HZ_OK;
}
