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
        double sum = s.s + s.c, mean = sum / (double)cnt;
        ksum v = {0, 0};
        for (size_t r = 0; r < n; r++) {
            double x = hz_col_number(c, r);
            if (!isnan(x))
                ksum_add(&v, (x - mean) * (x - mean));
        }
        p->sum = sum;
        p->mean = mean;
        p->stddev = cnt > 1 ? sqrt((v.s + v.c) / (double)(cnt - 1)) : 0.0;
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
