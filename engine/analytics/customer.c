/* Per-customer Fader-Hardie summaries (see customer.h). */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "horizon/customer.h"

void hz_customer_options_init(hz_customer_options *o)
{
    memset(o, 0, sizeof *o);
    o->unit = HZ_UNIT_DAYS;
    o->as_of = HZ_DAY_NONE;
    o->calibration_end = HZ_DAY_NONE;
}

void hz_customer_summary_free(hz_customer_summary *s)
{
    if (s == NULL)
        return;
    free(s->key);
    free(s->first_day);
    free(s->last_day);
    free(s->frequency);
    free(s->recency);
    free(s->T);
    free(s->monetary);
    free(s->total_spend);
    free(s->orders);
    free(s->frequency_holdout);
    free(s->monetary_holdout);
    free(s);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

typedef struct day_amt {
    int32_t day;
    double amt;
} day_amt;

static int cmp_day_amt(const void *a, const void *b)
{
    const day_amt *x = a, *y = b;
    if (x->day != y->day)
        return (x->day > y->day) - (x->day < y->day);
    return (x->amt > y->amt) - (x->amt < y->amt);
}

/* Sort one customer's rows by day (amounts follow; ties by amount so the
 * result does not depend on input order). */
static void sort_segment(day_amt *seg, size_t len)
{
    if (len > 24) {
        qsort(seg, len, sizeof *seg, cmp_day_amt);
        return;
    }
    for (size_t i = 1; i < len; i++) {
        day_amt v = seg[i];
        size_t j = i;
        while (j > 0 && cmp_day_amt(&seg[j - 1], &v) > 0) {
            seg[j] = seg[j - 1];
            j--;
        }
        seg[j] = v;
    }
}

static hz_status alloc_summary(hz_customer_summary *s, size_t n, bool hold)
{
    size_t m = n ? n : 1;
    s->key = malloc(m * sizeof *s->key);
    s->first_day = malloc(m * sizeof *s->first_day);
    s->last_day = malloc(m * sizeof *s->last_day);
    s->frequency = malloc(m * sizeof(double));
    s->recency = malloc(m * sizeof(double));
    s->T = malloc(m * sizeof(double));
    s->monetary = malloc(m * sizeof(double));
    s->total_spend = malloc(m * sizeof(double));
    s->orders = malloc(m * sizeof *s->orders);
    if (hold) {
        s->frequency_holdout = malloc(m * sizeof(double));
        s->monetary_holdout = malloc(m * sizeof(double));
    }
    if (!s->key || !s->first_day || !s->last_day || !s->frequency ||
        !s->recency || !s->T || !s->monetary || !s->total_spend ||
        !s->orders ||
        (hold && (!s->frequency_holdout || !s->monetary_holdout)))
        return HZ_ENOMEM;
    return HZ_OK;
}

hz_status hz_customer_summary_compute(const int64_t *key, const int32_t *day,
                                      const double *amount, size_t nrows,
                                      const hz_customer_options *opt,
                                      hz_customer_summary **out, hz_error *err)
{
    hz_customer_options defo;
    hz_status st = HZ_OK;
    hz_customer_summary *s = NULL;
    int64_t *ukeys = NULL;
    size_t *start = NULL;
    day_amt *rows = NULL;
    uint8_t *keep = NULL;
    size_t nb = 0;
    int64_t kmin = 0;
    bool dense = false;

    *out = NULL;
    if (opt == NULL) {
        hz_customer_options_init(&defo);
        opt = &defo;
    }
    if (nrows == 0)
        return hz_error_set(err, HZ_ETOOSHORT, "no transactions to summarise");
    if (key == NULL || day == NULL)
        return hz_error_set(err, HZ_EINVAL, "customer keys and days needed");
    if (opt->unit != HZ_UNIT_DAYS && opt->unit != HZ_UNIT_WEEKS)
        return hz_error_set(err, HZ_EINVAL, "unknown time unit");
    if (amount != NULL) {
        for (size_t i = 0; i < nrows; i++)
            if (!(amount[i] >= 0.0) || !isfinite(amount[i]))
                return hz_error_set(
                    err, HZ_EINVAL,
                    "amount of row %zu is %g: amounts must be finite and "
                    "non-negative (filter out returns first)",
                    i + 1, amount[i]);
    }
    int32_t as_of = opt->as_of;
    if (as_of == HZ_DAY_NONE) {
        as_of = day[0];
        for (size_t i = 1; i < nrows; i++)
            if (day[i] > as_of)
                as_of = day[i];
    }
    int32_t cal_end = as_of;
    bool hold = false;
    if (opt->calibration_end != HZ_DAY_NONE) {
        if (opt->calibration_end > as_of)
            return hz_error_set(
                err, HZ_EINVAL,
                "calibration end is after the observation end (as-of)");
        cal_end = opt->calibration_end;
        hold = true;
    }

    /* Map keys to dense buckets: a direct offset when the range is small,
     * else the rank among the sorted distinct keys. */
    int64_t kmax = key[0];
    kmin = key[0];
    for (size_t i = 1; i < nrows; i++) {
        if (key[i] < kmin)
            kmin = key[i];
        if (key[i] > kmax)
            kmax = key[i];
    }
    uint64_t range = (uint64_t)kmax - (uint64_t)kmin;
    if (range < (uint64_t)4 * nrows + (1u << 20) && range < (1ull << 31)) {
        dense = true;
        nb = (size_t)range + 1;
    } else {
        ukeys = malloc(nrows * sizeof *ukeys);
        if (ukeys == NULL)
            goto nomem;
        memcpy(ukeys, key, nrows * sizeof *ukeys);
        qsort(ukeys, nrows, sizeof *ukeys, cmp_i64);
        nb = 0;
        for (size_t i = 0; i < nrows; i++)
            if (nb == 0 || ukeys[nb - 1] != ukeys[i])
                ukeys[nb++] = ukeys[i];
    }

    /* Counting sort of the rows at or before as_of by bucket. */
    start = calloc(nb + 1, sizeof *start);
    if (start == NULL)
        goto nomem;
    size_t used = 0;
    size_t *bucket_of = NULL;
    if (!dense) {
        bucket_of = malloc(nrows * sizeof *bucket_of);
        if (bucket_of == NULL)
            goto nomem;
    }
    for (size_t i = 0; i < nrows; i++) {
        if (day[i] > as_of)
            continue;
        size_t b;
        if (dense) {
            b = (size_t)((uint64_t)key[i] - (uint64_t)kmin);
        } else {
            size_t lo = 0, hi = nb;
            while (hi - lo > 1) {
                size_t mid = (lo + hi) / 2;
                if (ukeys[mid] <= key[i])
                    lo = mid;
                else
                    hi = mid;
            }
            b = lo;
            bucket_of[i] = b;
        }
        start[b + 1]++;
        used++;
    }
    for (size_t b = 0; b < nb; b++)
        start[b + 1] += start[b];
    rows = malloc((used ? used : 1) * sizeof *rows);
    size_t *fill = malloc((nb ? nb : 1) * sizeof *fill);
    if (rows == NULL || fill == NULL) {
        free(fill);
        free(bucket_of);
        goto nomem;
    }
    memcpy(fill, start, nb * sizeof *fill);
    for (size_t i = 0; i < nrows; i++) {
        if (day[i] > as_of)
            continue;
        size_t b = dense ? (size_t)((uint64_t)key[i] - (uint64_t)kmin)
                         : bucket_of[i];
        size_t p = fill[b]++;
        rows[p].day = day[i];
        rows[p].amt = amount ? amount[i] : 0.0;
    }
    free(fill);
    free(bucket_of);

    s = calloc(1, sizeof *s);
    keep = calloc(nb ? nb : 1, 1);
    if (s == NULL || keep == NULL)
        goto nomem;
    if (alloc_summary(s, nb, hold) != HZ_OK)
        goto nomem;
    s->unit = opt->unit;
    s->as_of = as_of;
    s->calibration_end = cal_end;
    s->has_holdout = hold;
    s->rows_used = used;
    s->rows_ignored = nrows - used;
    s->duration_holdout = hold ? hz_unit_from_days(opt->unit,
                                                   (double)(as_of - cal_end))
                               : 0.0;

    /* read by the num_threads clause, which the analyzer does not see:
     * NOLINTNEXTLINE(clang-analyzer-deadcode.DeadStores) */
    int nthreads = opt->threads > 0 ? opt->threads : omp_get_max_threads();
    const hz_time_unit unit = opt->unit;
#pragma omp parallel for schedule(dynamic, 4096) num_threads(nthreads)
    for (size_t b = 0; b < nb; b++) {
        size_t lo = start[b], hi = start[b + 1];
        if (lo == hi)
            continue;
        sort_segment(rows + lo, hi - lo);
        if (rows[lo].day > cal_end)
            continue;
        int32_t first = rows[lo].day, last = first;
        double total = 0.0, rep_sum = 0.0;
        double x = 0.0, xh = 0.0, hsum = 0.0;
        uint32_t orders = 0;
        size_t i = lo;
        while (i < hi) {
            int32_t cur = rows[i].day;
            double v = 0.0;
            size_t cnt = 0;
            while (i < hi && rows[i].day == cur) {
                v += rows[i].amt;
                i++;
                cnt++;
            }
            if (cur <= cal_end) {
                orders += (uint32_t)cnt;
                total += v;
                if (cur != first) {
                    x += 1.0;
                    rep_sum += v;
                    last = cur;
                }
            } else {
                xh += 1.0;
                hsum += v;
            }
        }
        keep[b] = 1;
        s->key[b] = dense ? kmin + (int64_t)b : ukeys[b];
        s->first_day[b] = first;
        s->last_day[b] = last;
        s->frequency[b] = x;
        s->recency[b] = hz_unit_from_days(unit, (double)(last - first));
        s->T[b] = hz_unit_from_days(unit, (double)(cal_end - first));
        s->monetary[b] = x > 0 ? rep_sum / x : 0.0;
        s->total_spend[b] = total;
        s->orders[b] = orders;
        if (hold) {
            s->frequency_holdout[b] = xh;
            s->monetary_holdout[b] = xh > 0 ? hsum / xh : 0.0;
        }
    }

    /* Compact the kept buckets (ascending key order). */
    size_t n = 0;
    for (size_t b = 0; b < nb; b++) {
        if (!keep[b])
            continue;
        if (n != b) {
            s->key[n] = s->key[b];
            s->first_day[n] = s->first_day[b];
            s->last_day[n] = s->last_day[b];
            s->frequency[n] = s->frequency[b];
            s->recency[n] = s->recency[b];
            s->T[n] = s->T[b];
            s->monetary[n] = s->monetary[b];
            s->total_spend[n] = s->total_spend[b];
            s->orders[n] = s->orders[b];
            if (hold) {
                s->frequency_holdout[n] = s->frequency_holdout[b];
                s->monetary_holdout[n] = s->monetary_holdout[b];
            }
        }
        n++;
    }
    s->n = n;
    if (n == 0) {
        st = hz_error_set(err, HZ_ETOOSHORT,
                          "no customer has a purchase on or before the "
                          "calibration end");
        goto out;
    }
    *out = s;
    s = NULL;
    goto out;
nomem:
    st = hz_error_set(err, HZ_ENOMEM, "out of memory summarising %zu rows",
                      nrows);
out:
    hz_customer_summary_free(s);
    free(ukeys);
    free(start);
    free(rows);
    free(keep);
    return st;
}

int32_t hz_customer_cell_day(const hz_column *c, size_t row)
{
    if (hz_col_is_null(c, row))
        return HZ_DAY_NONE;
    switch (c->type) {
    case HZ_TYPE_DATE:
    case HZ_TYPE_TIMESTAMP: return hz_col_day(c, row);
    case HZ_TYPE_INT64: {
        int64_t v = c->v.i64[row];
        if (v < 10000101 || v > 99991231)
            return HZ_DAY_NONE;
        int y = (int)(v / 10000);
        unsigned m = (unsigned)(v / 100 % 100), d = (unsigned)(v % 100);
        if (m < 1 || m > 12 || d < 1 || d > 31)
            return HZ_DAY_NONE;
        int32_t z = hz_days_from_civil(y, m, d);
        int yy;
        unsigned mm, dd;
        hz_civil_from_days(z, &yy, &mm, &dd);
        if (yy != y || mm != m || dd != d)
            return HZ_DAY_NONE;
        return z;
    }
    default: return HZ_DAY_NONE;
    }
}

hz_status hz_customer_summary_from_dataset(
    const hz_dataset *ds, const char *customer_col, const char *date_col,
    const char *amount_col, const hz_customer_options *opt,
    hz_customer_summary **out, hz_error *err)
{
    hz_status st = HZ_OK;
    int64_t *key = NULL;
    int32_t *day = NULL;
    double *amt = NULL;
    const hz_column *cc, *dc, *ac = NULL;
    const char *src = ds && ds->source ? ds->source : "input";

    *out = NULL;
    if (ds == NULL || customer_col == NULL || date_col == NULL)
        return hz_error_set(err, HZ_EINVAL,
                            "a dataset and customer and date columns are "
                            "needed");
    if ((cc = hz_dataset_column(ds, customer_col, err)) == NULL)
        return HZ_ENOTFOUND;
    if ((dc = hz_dataset_column(ds, date_col, err)) == NULL)
        return HZ_ENOTFOUND;
    if (amount_col != NULL &&
        (ac = hz_dataset_column(ds, amount_col, err)) == NULL)
        return HZ_ENOTFOUND;
    if (cc->type != HZ_TYPE_STRING && cc->type != HZ_TYPE_INT64)
        return hz_error_set(
            err, HZ_ETYPE,
            "%s: column '%s': customer ids must be text or integers, "
            "not %s",
            src, customer_col, hz_type_name(cc->type));
    if (dc->type != HZ_TYPE_DATE && dc->type != HZ_TYPE_TIMESTAMP &&
        dc->type != HZ_TYPE_INT64)
        return hz_error_set(err, HZ_ETYPE,
                            "%s: column '%s': expected dates, found %s", src,
                            date_col, hz_type_name(dc->type));
    if (ac != NULL && !hz_type_is_numeric(ac->type))
        return hz_error_set(err, HZ_ETYPE,
                            "%s: column '%s': expected numbers, found %s", src,
                            amount_col, hz_type_name(ac->type));
    size_t n = ds->nrows;
    if (n == 0)
        return hz_error_set(err, HZ_ETOOSHORT, "%s: no rows", src);
    key = malloc(n * sizeof *key);
    day = malloc(n * sizeof *day);
    if (ac != NULL)
        amt = malloc(n * sizeof *amt);
    if (!key || !day || (ac && !amt)) {
        st = hz_error_set(err, HZ_ENOMEM, "out of memory");
        goto out;
    }
    /* fast path: plain columns without nulls */
    if (cc->valid == NULL && dc->valid == NULL && dc->type == HZ_TYPE_DATE &&
        (ac == NULL || (ac->valid == NULL && ac->type == HZ_TYPE_FLOAT64))) {
        for (size_t i = 0; i < n; i++) {
            key[i] = cc->type == HZ_TYPE_STRING ? (int64_t)cc->v.code[i]
                                                : cc->v.i64[i];
            day[i] = dc->v.date[i];
        }
        if (ac != NULL) {
            for (size_t i = 0; i < n; i++) {
                amt[i] = ac->v.f64[i];
                if (!(amt[i] >= 0.0) || !isfinite(amt[i])) {
                    st = hz_error_set(
                        err, HZ_EINVAL,
                        "%s: data row %zu: column '%s' (amount) is %g: "
                        "amounts must be non-negative (filter out returns "
                        "first)",
                        src, i + 1, amount_col, amt[i]);
                    goto out;
                }
            }
        }
        st = hz_customer_summary_compute(key, day, amt, n, opt, out, err);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        if (hz_col_is_null(cc, i)) {
            st = hz_error_set(
                err, HZ_EPARSE,
                "%s: data row %zu: column '%s' (customer) is empty", src,
                i + 1, customer_col);
            goto out;
        }
        key[i] = cc->type == HZ_TYPE_STRING ? (int64_t)cc->v.code[i]
                                            : cc->v.i64[i];
        day[i] = hz_customer_cell_day(dc, i);
        if (day[i] == HZ_DAY_NONE) {
            st = hz_error_set(
                err, HZ_EPARSE, "%s: data row %zu: column '%s' (date) is %s",
                src, i + 1, date_col,
                hz_col_is_null(dc, i) ? "empty" : "not a valid date");
            goto out;
        }
        if (ac != NULL) {
            amt[i] = hz_col_number(ac, i);
            if (!(amt[i] >= 0.0) || !isfinite(amt[i])) {
                st = hz_error_set(
                    err, HZ_EINVAL,
                    "%s: data row %zu: column '%s' (amount) is %s: amounts "
                    "must be non-negative (filter out returns first)",
                    src, i + 1, amount_col,
                    hz_col_is_null(ac, i) ? "empty" : "negative");
                goto out;
            }
        }
    }
    st = hz_customer_summary_compute(key, day, amt, n, opt, out, err);
out:
    free(key);
    free(day);
    free(amt);
    return st;
}
