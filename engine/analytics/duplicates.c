/* Exact duplicate rows of a transactions table: a row whose every column
 * equals an earlier row's (the same customer, the same time, the same
 * amount and everything else), as an export that writes some rows twice
 * makes them.  Rows are hashed column by column (in parallel) and
 * grouped, in file order, into partitions by the top bits of their hash;
 * each partition (in parallel) goes through an open-addressing table
 * small enough to stay in cache: a row that meets an equal one is its
 * duplicate.  The same rows for any thread count.  See
 * analytics_internal.h. */
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

#define NULL_BITS 0xA5A5A5A5DEADBEEFull /* a null: a value no cell has */

/* The bits of a float64 cell compared: 0 for -0 too, as numbers compare
 * by value (1, 1.0 and 1.00 are one double already; -0 and 0 are not one
 * bit pattern). */
static uint64_t float_bits(const void *raw, size_t i)
{
    double d = ((const double *)raw)[i];
    uint64_t v = 0;
    if (d != 0.0)
        memcpy(&v, &d, sizeof v);
    return v;
}

/* Column c mixed into every row's hash: a loop per width, the value read
 * as it is stored (a float64 as float_bits). */
static void hash_column(const hz_column *c, size_t n, uint64_t *h, int th)
{
    const size_t sz = value_size(c->type);
    const uint8_t *valid = c->valid;
    const void *raw = c->v.raw;
    const bool dbl = c->type == HZ_TYPE_FLOAT64;
#pragma omp parallel for num_threads(th) schedule(static) if (n > 65536)
    for (size_t i = 0; i < n; i++) {
        uint64_t v;
        if (valid != NULL && !valid[i])
            v = NULL_BITS;
        else if (dbl)
            v = float_bits(raw, i);
        else if (sz == 8)
            v = ((const uint64_t *)raw)[i];
        else if (sz == 4)
            v = ((const uint32_t *)raw)[i];
        else
            v = ((const uint8_t *)raw)[i];
        h[i] = mix(h[i], v);
    }
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
        if (c->type == HZ_TYPE_FLOAT64) {
            if (float_bits(c->v.raw, a) != float_bits(c->v.raw, b))
                return false;
            continue;
        }
        const size_t sz = value_size(c->type);
        if (memcmp((const char *)c->v.raw + a * sz,
                   (const char *)c->v.raw + b * sz, sz) != 0)
            return false;
    }
    return true;
}

/* A table slot: a row and its hash (compared without reading h). */
typedef struct dslot {
    uint64_t h;
    size_t row; /* SIZE_MAX: empty */
} dslot;

/* One partition of the rows (rows[0 .. m), in file order, all with the
 * same top hash bits) through an open-addressing table of cap slots:
 * marks the rows that repeat an earlier one; returns how many, *first
 * the first of them (and *first_of the row it repeats), else SIZE_MAX. */
static size_t partition_dups(const hz_dataset *ds, const uint64_t *h,
                             const size_t *rows, size_t m, dslot *slot,
                             size_t cap, uint8_t *dup, size_t *first,
                             size_t *first_of)
{
    size_t count = 0;
    *first = *first_of = SIZE_MAX;
    for (size_t k = 0; k < cap; k++)
        slot[k].row = SIZE_MAX;
    for (size_t j = 0; j < m; j++) {
        const size_t i = rows[j];
        const uint64_t hi = h[i];
        size_t k = (size_t)(hi & (cap - 1));
        while (slot[k].row != SIZE_MAX &&
               !(slot[k].h == hi && rows_equal(ds, slot[k].row, i)))
            k = (k + 1) & (cap - 1);
        if (slot[k].row == SIZE_MAX) {
            slot[k].h = hi;
            slot[k].row = i;
            continue;
        }
        if (count++ == 0) { /* rows come in file order */
            *first = i;
            *first_of = slot[k].row;
        }
        if (dup != NULL)
            dup[i] = 1;
    }
    return count;
}

hz_status hz__duplicate_rows(const hz_dataset *ds, int threads,
                             const uint8_t *left_out, uint8_t *dup,
                             hz__dups *out)
{
    const size_t n = ds->nrows;
    memset(out, 0, sizeof *out);
    out->first = out->first_of = SIZE_MAX;
    if (n < 2 || ds->ncols == 0)
        return HZ_OK;
    /* partitions by the top bits of the hash, about 8,192 rows each, so
     * that each one's table stays in cache */
    int bits = 0;
    while (bits < 20 && ((size_t)8192 << bits) < n)
        bits++;
    const size_t np = (size_t)1 << bits;
    uint64_t *h = calloc(n, sizeof *h);
    size_t *rows = malloc(n * sizeof *rows);
    size_t *start = calloc(np + 1, sizeof *start);
    size_t *fill = malloc(np * sizeof *fill);
    size_t *pfirst = malloc(2 * np * sizeof *pfirst);
    if (h == NULL || rows == NULL || start == NULL || fill == NULL ||
        pfirst == NULL) {
        free(h);
        free(rows);
        free(start);
        free(fill);
        free(pfirst);
        return HZ_ENOMEM;
    }
    /* read by the num_threads clause:
     * NOLINTNEXTLINE(clang-analyzer-deadcode.DeadStores) */
    const int th = threads > 0 ? threads : 1;
    for (size_t j = 0; j < ds->ncols; j++)
        hash_column(&ds->cols[j], n, h, th);
#define PART(v) (bits ? (size_t)((v) >> (64 - bits)) : 0)
    for (size_t i = 0; i < n; i++)
        if (left_out == NULL || !left_out[i])
            start[PART(h[i]) + 1]++;
    for (size_t p = 0; p < np; p++)
        start[p + 1] += start[p];
    memcpy(fill, start, np * sizeof *fill);
    for (size_t i = 0; i < n; i++)
        if (left_out == NULL || !left_out[i])
            rows[fill[PART(h[i])]++] = i;
#undef PART
    size_t count = 0;
    int oom = 0;
#pragma omp parallel num_threads(th) if (n > 65536) reduction(+ : count) \
    reduction(| : oom)
    {
        dslot *slot = NULL;
        size_t scap = 0;
#pragma omp for schedule(dynamic, 4)
        for (size_t p = 0; p < np; p++) {
            const size_t m = start[p + 1] - start[p];
            size_t cap = 16;
            while (cap < 2 * m)
                cap *= 2;
            if (cap > scap) {
                free(slot);
                slot = malloc(cap * sizeof *slot);
                scap = slot != NULL ? cap : 0;
            }
            pfirst[2 * p] = pfirst[2 * p + 1] = SIZE_MAX;
            if (slot == NULL) {
                oom = 1;
                continue;
            }
            count += partition_dups(ds, h, rows + start[p], m, slot, cap, dup,
                                    &pfirst[2 * p], &pfirst[2 * p + 1]);
        }
        free(slot);
    }
    out->count = count;
    for (size_t p = 0; p < np; p++)
        if (pfirst[2 * p] < out->first) {
            out->first = pfirst[2 * p];
            out->first_of = pfirst[2 * p + 1];
        }
    free(h);
    free(rows);
    free(start);
    free(fill);
    free(pfirst);
    return oom ? HZ_ENOMEM : HZ_OK;
}
