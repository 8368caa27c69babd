/* Exact duplicate rows of a transactions table: a row whose every column
 * equals an earlier row's (the same customer, the same time, the same
 * amount and everything else), as an export that writes some rows twice
 * makes them.  Rows are hashed column by column (in parallel), then put
 * in an open-addressing table in file order: a row that meets an equal
 * one is its duplicate.  See analytics_internal.h. */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/analytics_internal.h"

static size_t value_size(hz_type t)
{
    switch (t) {
    case HZ_TYPE_BOOL: return 1;
    case HZ_TYPE_DATE:
    case HZ_TYPE_STRING: return 4;
    default: return 8; /* int64, timestamp, float64, null */
    }
}

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    h *= 0xBF58476D1CE4E5B9ull;
    return h ^ (h >> 31);
}

/* Cell i of c as 64 bits (a null as a value no cell has). */
static uint64_t cell_bits(const hz_column *c, size_t i, size_t sz)
{
    if (hz_col_is_null(c, i))
        return 0xA5A5A5A5DEADBEEFull;
    uint64_t v = 0;
    memcpy(&v, (const char *)c->v.raw + i * sz, sz);
    return v;
}

static bool rows_equal(const hz_dataset *ds, size_t a, size_t b)
{
    for (size_t j = 0; j < ds->ncols; j++) {
        const hz_column *c = &ds->cols[j];
        const bool na = hz_col_is_null(c, a), nb = hz_col_is_null(c, b);
        if (na != nb)
            return false;
        if (na)
            continue;
        const size_t sz = value_size(c->type);
        if (memcmp((const char *)c->v.raw + a * sz,
                   (const char *)c->v.raw + b * sz, sz) != 0)
            return false;
    }
    return true;
}

hz_status hz__duplicate_rows(const hz_dataset *ds, int threads, uint8_t *dup,
                             hz__dups *out)
{
    const size_t n = ds->nrows;
    memset(out, 0, sizeof *out);
    out->first = out->first_of = SIZE_MAX;
    if (n < 2 || ds->ncols == 0)
        return HZ_OK;
    size_t cap = 16;
    while (cap < n + n / 2)
        cap *= 2;
    uint64_t *h = calloc(n, sizeof *h);
    size_t *slot = malloc(cap * sizeof *slot);
    if (h == NULL || slot == NULL) {
        free(h);
        free(slot);
        return HZ_ENOMEM;
    }
    /* read by the num_threads clause:
     * NOLINTNEXTLINE(clang-analyzer-deadcode.DeadStores) */
    const int th = threads > 0 ? threads : 1;
    for (size_t j = 0; j < ds->ncols; j++) {
        const hz_column *c = &ds->cols[j];
        const size_t sz = value_size(c->type);
#pragma omp parallel for num_threads(th) schedule(static) if (n > 65536)
        for (size_t i = 0; i < n; i++)
            h[i] = mix(h[i], cell_bits(c, i, sz));
    }
    for (size_t k = 0; k < cap; k++)
        slot[k] = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        size_t k = (size_t)(h[i] & (cap - 1));
        while (slot[k] != SIZE_MAX &&
               !(h[slot[k]] == h[i] && rows_equal(ds, slot[k], i)))
            k = (k + 1) & (cap - 1);
        if (slot[k] == SIZE_MAX) {
            slot[k] = i;
            continue;
        }
        if (out->count++ == 0) {
            out->first = i;
            out->first_of = slot[k];
        }
        if (dup != NULL)
            dup[i] = 1;
    }
    free(h);
    free(slot);
    return HZ_OK;
}
