/* Column profiles: counts, ranges, moments, distinct values. */
#include <math.h>
#include <stdlib.h>

#include "horizon/profile.h"

/* Neumaier-compensated accumulator. */
typedef struct ksum {
    double s, c;
} ksum;

static void ksum_add(ksum *k, double x)
{
    double t = k->s + x;
    if (fabs(k->s) >= fabs(x))
        k->c += (k->s - t) + x;
    else
        k->c += (x - t) + k->s;
    k->s = t;
}

/* Mean and standard deviation of the column's cnt numbers (largest
 * magnitude amax).  Values near the top of the double range make the
 * sum, a deviation or its square overflow although the mean and the
 * deviation are doubles (three values of 9e307: mean 9e307): those
 * sums are then taken over the values scaled by a power of two (exact),
 * so that none exceeds 1 in magnitude, and scaled back. */
static void moments(const hz_column *c, size_t n, size_t cnt, double sum,
                    double amax, hz_column_profile *p)
{
    double scale = 1.0;
    for (int pass = 0; pass < 2; pass++) {
        ksum s = {0, 0}, v = {0, 0};
        for (size_t r = 0; pass > 0 && r < n; r++) {
            double x = hz_col_number(c, r);
            if (!isnan(x))
                ksum_add(&s, x * scale);
        }
        double mean = (pass > 0 ? s.s + s.c : sum) / (double)cnt;
        for (size_t r = 0; r < n; r++) {
            double x = hz_col_number(c, r);
            if (!isnan(x))
                ksum_add(&v, (x * scale - mean) * (x * scale - mean));
        }
        double sd = cnt > 1 ? sqrt((v.s + v.c) / (double)(cnt - 1)) : 0.0;
        if ((isfinite(mean) && isfinite(sd)) || pass == 1) {
            p->mean = mean / scale;
            p->stddev = sd / scale;
            return;
        }
        scale = ldexp(1.0, -(ilogb(amax) + 1)); /* |x| * scale < 1 */
    }
}

static int profile_column(const hz_column *c, size_t n, hz_column_profile *p)
{
    p->name = c->name;
    p->type = c->type;
    p->datefmt = c->datefmt;
    p->nulls = 0;
    p->min = p->max = p->mean = p->stddev = p->sum = NAN;
    p->distinct = 0;
    p->top = NULL;
    p->top_count = 0;
    if (c->type == HZ_TYPE_STRING) {
        size_t nd = hz_dict_size(c->dict);
        size_t *freq = calloc(nd ? nd : 1, sizeof *freq);
        if (freq == NULL)
            return -1;
        for (size_t r = 0; r < n; r++) {
            if (hz_col_is_null(c, r))
                p->nulls++;
            else
                freq[c->v.code[r]]++;
        }
        for (size_t k = 0; k < nd; k++)
            if (freq[k] > p->top_count) {
                p->top_count = freq[k];
                p->top = hz_dict_str(c->dict, (uint32_t)k);
            }
        p->distinct = nd;
        p->count = n - p->nulls;
        free(freq);
        return 0;
    }
    ksum s = {0, 0};
    double mn = INFINITY, mx = -INFINITY;
    size_t cnt = 0;
    bool seen0 = false, seen1 = false;
    for (size_t r = 0; r < n; r++) {
        double x = hz_col_number(c, r);
        if (isnan(x)) {
            p->nulls++;
            continue;
        }
        cnt++;
        if (x < mn)
            mn = x;
        if (x > mx)
            mx = x;
        ksum_add(&s, x);
        if (c->type == HZ_TYPE_BOOL) {
            seen0 |= x == 0;
            seen1 |= x == 1;
        }
    }
    p->count = cnt;
    if (cnt == 0)
        return 0;
    p->min = mn;
    p->max = mx;
    if (c->type == HZ_TYPE_BOOL)
        p->distinct = (size_t)seen0 + (size_t)seen1;
    if (c->type == HZ_TYPE_INT64 || c->type == HZ_TYPE_FLOAT64 ||
        c->type == HZ_TYPE_BOOL) {
        p->sum = s.s + s.c; /* NaN when it overflows: no double holds it */
        moments(c, n, cnt, p->sum, fmax(fabs(mn), fabs(mx)), p);
    }
    return 0;
}

hz_status hz_profile_compute(const hz_dataset *ds, hz_profile **out,
                             hz_error *err)
{
    *out = NULL;
    hz_profile *p = calloc(1, sizeof *p);
    if (p == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    p->nrows = ds->nrows;
    p->ncols = ds->ncols;
    p->cols = calloc(ds->ncols ? ds->ncols : 1, sizeof *p->cols);
    if (p->cols == NULL) {
        free(p);
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    }
    int fail = 0;
#pragma omp parallel for schedule(dynamic, 1) reduction(| : fail)
    for (size_t j = 0; j < ds->ncols; j++)
        fail |= profile_column(&ds->cols[j], ds->nrows, &p->cols[j]);
    if (fail) {
        hz_profile_free(p);
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    }
    *out = p;
    return HZ_OK;
}

void hz_profile_free(hz_profile *p)
{
    if (p == NULL)
        return;
    free(p->cols);
    free(p);
}
