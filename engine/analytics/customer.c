/* Per-customer Fader-Hardie summaries (see customer.h). */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "horizon/threads.h"
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
    free(s->distinct_orders);
    free(s->repeats_by_day);
    free(s->frequency_holdout);
    free(s->monetary_holdout);
    free(s->refunds);
    free(s->holdout_refunds_cal);
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
    int64_t order; /* order id (0 without an order column) */
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

static hz_status alloc_summary(hz_customer_summary *s, size_t n, bool hold,
                               bool orders, bool refunds)
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
    if (orders)
        s->distinct_orders = malloc(m * sizeof *s->distinct_orders);
    if (hold) {
        s->frequency_holdout = malloc(m * sizeof(double));
        s->monetary_holdout = malloc(m * sizeof(double));
    }
    if (refunds)
        s->refunds = malloc(m * sizeof(double));
    if (refunds && hold)
        s->holdout_refunds_cal = malloc(m * sizeof(double));
    if ((refunds && !s->refunds) ||
        (refunds && hold && !s->holdout_refunds_cal) || !s->key || !s->first_day || !s->last_day ||
        !s->frequency || !s->recency || !s->T || !s->monetary ||
        !s->total_spend || !s->orders || (orders && !s->distinct_orders) ||
        (hold && (!s->frequency_holdout || !s->monetary_holdout)))
        return HZ_ENOMEM;
    return HZ_OK;
}

/* Rows grouped by customer: bucket b holds rows[start[b] .. start[b+1]).
 * Buckets are dense key offsets when the key range is small, else ranks
 * among the sorted distinct keys (ukeys). */
typedef struct buckets {
    size_t nb;
    bool dense;
    int64_t kmin;
    int64_t *ukeys;
    size_t *start;
    day_amt *rows;
    size_t used; /* rows at or before as_of */
} buckets;

static void buckets_free(buckets *bk)
{
    free(bk->ukeys);
    free(bk->start);
    free(bk->rows);
}

static int64_t bucket_key(const buckets *bk, size_t b)
{
    return bk->dense ? bk->kmin + (int64_t)b : bk->ukeys[b];
}

/* Choose dense offsets or ranks of distinct keys. */
static hz_status bucket_keys(buckets *bk, const int64_t *key, size_t nrows)
{
    int64_t kmax = key[0];
    bk->kmin = key[0];
    for (size_t i = 1; i < nrows; i++) {
        if (key[i] < bk->kmin)
            bk->kmin = key[i];
        if (key[i] > kmax)
            kmax = key[i];
    }
    uint64_t range = (uint64_t)kmax - (uint64_t)bk->kmin;
    if (range < (uint64_t)4 * nrows + (1u << 20) && range < (1ull << 31)) {
        bk->dense = true;
        bk->nb = (size_t)range + 1;
        return HZ_OK;
    }
    bk->ukeys = malloc(nrows * sizeof *bk->ukeys);
    if (bk->ukeys == NULL)
        return HZ_ENOMEM;
    memcpy(bk->ukeys, key, nrows * sizeof *bk->ukeys);
    qsort(bk->ukeys, nrows, sizeof *bk->ukeys, cmp_i64);
    size_t nb = 0;
    for (size_t i = 0; i < nrows; i++)
        if (nb == 0 || bk->ukeys[nb - 1] != bk->ukeys[i])
            bk->ukeys[nb++] = bk->ukeys[i];
    bk->nb = nb;
    return HZ_OK;
}

static size_t bucket_of_key(const buckets *bk, int64_t k)
{
    if (bk->dense)
        return (size_t)((uint64_t)k - (uint64_t)bk->kmin);
    size_t lo = 0, hi = bk->nb;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (bk->ukeys[mid] <= k)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Counting sort of the rows at or before as_of by customer bucket. */
static hz_status bucket_rows(buckets *bk, const int64_t *key,
                             const int32_t *day, const double *amount,
                             const int64_t *order, size_t nrows, int32_t as_of)
{
    hz_status st = bucket_keys(bk, key, nrows);
    size_t *bof = NULL, *fill = NULL;
    if (st != HZ_OK)
        return st;
    bk->start = calloc(bk->nb + 1, sizeof *bk->start);
    bof = malloc(nrows * sizeof *bof);
    if (bk->start == NULL || bof == NULL)
        goto nomem;
    bk->used = 0;
    for (size_t i = 0; i < nrows; i++) {
        if (day[i] > as_of)
            continue;
        bof[i] = bucket_of_key(bk, key[i]);
        bk->start[bof[i] + 1]++;
        bk->used++;
    }
    for (size_t b = 0; b < bk->nb; b++)
        bk->start[b + 1] += bk->start[b];
    bk->rows = malloc((bk->used ? bk->used : 1) * sizeof *bk->rows);
    fill = malloc((bk->nb ? bk->nb : 1) * sizeof *fill);
    if (bk->rows == NULL || fill == NULL)
        goto nomem;
    memcpy(fill, bk->start, bk->nb * sizeof *fill);
    for (size_t i = 0; i < nrows; i++) {
        if (day[i] > as_of)
            continue;
        day_amt *r = &bk->rows[fill[bof[i]]++];
        r->day = day[i];
        r->amt = amount ? amount[i] : 0.0;
        r->order = order ? order[i] : 0;
    }
    free(fill);
    free(bof);
    return HZ_OK;
nomem:
    free(fill);
    free(bof);
    return HZ_ENOMEM;
}

/* Distinct order ids among the n calibration rows of one customer
 * (sorted in place in tmp). */
static uint32_t count_orders(const day_amt *rows, size_t n, int32_t cal_end,
                             int64_t *tmp)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (rows[i].day <= cal_end && rows[i].amt >= 0) /* not refunds */
            tmp[m++] = rows[i].order;
    qsort(tmp, m, sizeof *tmp, cmp_i64);
    uint32_t c = 0;
    for (size_t i = 0; i < m; i++)
        c += i == 0 || tmp[i] != tmp[i - 1];
    return c;
}

/* One customer's purchase days (a thread's scratch): the j-th is on
 * day[j], its value val[j] net of the refunds netted against it. */
typedef struct day_vals {
    double *val;
    int32_t *day;
    size_t cap;
} day_vals;

/* Net a refund (r < 0) against the purchase days val[0 .. nd), the
 * latest first, none below 0; false when they add up to less. */
static bool net_refund(double *val, size_t nd, double r)
{
    double left = -r;
    const double tiny = 1e-9 * left; /* rounding of sums of decimals */
    for (size_t j = nd; j-- > 0 && left > tiny;) {
        double m = val[j] < left ? val[j] : left;
        val[j] -= m;
        left -= m;
        if (val[j] <= tiny)
            val[j] = 0.0;
    }
    return left <= tiny;
}

/* The calibration's spend: all of its purchase days, and the repeat
 * ones (after the first). */
static void cal_spend(const double *val, size_t ncal, double *total,
                      double *rep_sum)
{
    *total = *rep_sum = 0.0;
    for (size_t j = 0; j < ncal; j++) {
        *total += val[j];
        if (j > 0)
            *rep_sum += val[j];
    }
}

/* Summary of the customer in bucket b (rows sorted by day); repeat
 * purchase days are added to rep (indexed from day0) when not NULL.
 * A row with a negative amount is a refund: not a purchase (no purchase
 * day, no order), netted against the customer's purchases on or before
 * its day, the latest first; one after the calibration end leaves the
 * calibration's figures as they stood at its end.  Returns 1, 0 when the
 * customer's first purchase is after cal_end, -1 when a refund is larger
 * than the purchases before it (*bad: its row in bk->rows). */
static int summarise_one(hz_customer_summary *s, const buckets *bk, size_t b,
                         int32_t cal_end, int32_t day0, uint32_t *rep,
                         const day_vals *dv, size_t *bad)
{
    const day_amt *rows = bk->rows;
    size_t lo = bk->start[b], hi = bk->start[b + 1];
    double *val = dv->val;
    size_t nd = 0, ncal = 0;
    double refunds = 0.0, total = 0.0, rep_sum = 0.0, ref_cal = 0.0;
    bool cal_taken = false;
    uint32_t orders = 0;
    for (size_t i = lo; i < hi;) {
        const int32_t cur = rows[i].day;
        double p = 0.0;
        size_t np = 0;
        const size_t dlo = i;
        if (cur > cal_end && !cal_taken) {
            cal_spend(val, ncal, &total, &rep_sum);
            cal_taken = true;
        }
        for (; i < hi && rows[i].day == cur; i++) {
            if (rows[i].amt >= 0) {
                p += rows[i].amt;
                np++;
            }
        }
        if (np > 0) {
            if (nd > 0 && rep != NULL && dv->day[0] <= cal_end)
                rep[cur - day0]++;
            dv->day[nd] = cur;
            val[nd++] = p;
            if (cur <= cal_end) {
                ncal = nd;
                orders += (uint32_t)np;
            }
        }
        /* the day's refunds one by one (the largest first, as sorted):
         * the one that finds too little left is the one named */
        for (size_t j = dlo; j < i && rows[j].amt < 0; j++) {
            if (cur <= cal_end)
                refunds += rows[j].amt;
            /* a holdout refund netting calibration purchases (none
             * left in the holdout to net): counted, to be said */
            double before = 0.0, after = 0.0;
            for (size_t c = 0; cur > cal_end && c < ncal; c++)
                before += val[c];
            if (!net_refund(val, nd, rows[j].amt)) {
                *bad = j;
                return -1;
            }
            for (size_t c = 0; cur > cal_end && c < ncal; c++)
                after += val[c];
            ref_cal += after - before;
        }
    }
    if (ncal == 0)
        return 0;
    if (!cal_taken)
        cal_spend(val, ncal, &total, &rep_sum);
    double hsum = 0.0;
    for (size_t j = ncal; j < nd; j++)
        hsum += val[j];
    const double x = (double)(ncal - 1), xh = (double)(nd - ncal);
    const int32_t first = dv->day[0], last = dv->day[ncal - 1];
    const hz_time_unit unit = s->unit;
    s->key[b] = bucket_key(bk, b);
    s->first_day[b] = first;
    s->last_day[b] = last;
    s->frequency[b] = x;
    s->recency[b] = hz_unit_from_days(unit, (double)(last - first));
    s->T[b] = hz_unit_from_days(unit, (double)(cal_end - first));
    s->monetary[b] = x > 0 ? rep_sum / x : 0.0;
    s->total_spend[b] = total;
    s->orders[b] = orders;
    if (s->refunds != NULL)
        s->refunds[b] = refunds;
    if (s->holdout_refunds_cal != NULL)
        s->holdout_refunds_cal[b] = ref_cal;
    if (s->has_holdout) {
        s->frequency_holdout[b] = xh;
        s->monetary_holdout[b] = xh > 0 ? hsum / xh : 0.0;
    }
    return 1;
}

/* Every customer, in parallel; the daily repeat counts are summed per
 * thread and added up (integers: exact in any order).  keep[b] is 2 for
 * a customer whose refund is larger than the purchases before it; *bad
 * gets that refund's row in bk->rows for the first such customer (in
 * key order), else SIZE_MAX. */
static hz_status summarise_all(hz_customer_summary *s, buckets *bk,
                               uint8_t *keep, bool orders, int nthreads,
                               size_t *bad)
{
    const int32_t cal_end = s->calibration_end;
    int oom = 0;
    *bad = SIZE_MAX;
    size_t nd = s->repeats_by_day ? s->ndays : 0;
#pragma omp parallel num_threads(nthreads) reduction(| : oom)
    {
        uint32_t *rep = nd ? calloc(nd, sizeof *rep) : NULL;
        int64_t *tmp = NULL;
        size_t tcap = 0;
        day_vals dv = {NULL, NULL, 0};
        size_t my_bad = SIZE_MAX; /* rows go by bucket: the lowest row
                                     is the first customer's */
        oom |= nd && rep == NULL;
#pragma omp for schedule(dynamic, 4096)
        for (size_t b = 0; b < bk->nb; b++) {
            size_t lo = bk->start[b], hi = bk->start[b + 1], row;
            if (lo == hi || oom)
                continue;
            if (hi - lo > dv.cap) {
                free(dv.val);
                free(dv.day);
                dv.cap = 2 * (hi - lo);
                dv.val = malloc(dv.cap * sizeof *dv.val);
                dv.day = malloc(dv.cap * sizeof *dv.day);
                if (dv.val == NULL || dv.day == NULL) {
                    oom = 1;
                    dv.cap = 0;
                    continue;
                }
            }
            sort_segment(bk->rows + lo, hi - lo);
            int k = summarise_one(s, bk, b, cal_end, s->day0, rep, &dv, &row);
            keep[b] = k < 0 ? 2 : (uint8_t)k;
            if (k < 0 && row < my_bad)
                my_bad = row;
            if (k != 1 || !orders)
                continue;
            if (hi - lo > tcap) {
                free(tmp);
                tcap = 2 * (hi - lo);
                tmp = malloc(tcap * sizeof *tmp);
            }
            if (tmp == NULL) {
                oom = 1;
                tcap = 0;
                continue;
            }
            s->distinct_orders[b] = count_orders(bk->rows + lo, hi - lo,
                                                 cal_end, tmp);
        }
        /* unnamed: a named critical section is a global symbol
         * (.gomp_critical_user_NAME) that libhorizon.so would export */
#pragma omp critical
        {
            for (size_t d = 0; rep != NULL && d < nd; d++)
                s->repeats_by_day[d] += rep[d];
            if (my_bad < *bad)
                *bad = my_bad;
        }
        free(rep);
        free(tmp);
        free(dv.val);
        free(dv.day);
    }
    return oom ? HZ_ENOMEM : HZ_OK;
}

/* The input row of the refund at bk->rows[bad] (a refund larger than
 * what its customer bought before it): the first row of that customer,
 * day and amount (rows of equal amount are alike). */
static size_t refund_row(const buckets *bk, size_t bad, const int64_t *key,
                         const int32_t *day, const double *amount,
                         size_t nrows)
{
    size_t b = 0;
    while (b + 1 < bk->nb && bk->start[b + 1] <= bad)
        b++;
    const int64_t k = bucket_key(bk, b);
    const day_amt *r = &bk->rows[bad];
    for (size_t i = 0; amount != NULL && i < nrows; i++)
        if (key[i] == k && day[i] == r->day && amount[i] == r->amt)
            return i;
    return SIZE_MAX; /* not reached: the row came from the input */
}

/* Move the kept buckets to the front (ascending key order); returns how
 * many there are. */
static size_t compact(hz_customer_summary *s, const uint8_t *keep, size_t nb)
{
    size_t n = 0;
    for (size_t b = 0; b < nb; b++) {
        if (keep[b] != 1)
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
            if (s->distinct_orders)
                s->distinct_orders[n] = s->distinct_orders[b];
            if (s->refunds)
                s->refunds[n] = s->refunds[b];
            if (s->holdout_refunds_cal)
                s->holdout_refunds_cal[n] = s->holdout_refunds_cal[b];
            if (s->has_holdout) {
                s->frequency_holdout[n] = s->frequency_holdout[b];
                s->monetary_holdout[n] = s->monetary_holdout[b];
            }
        }
        n++;
    }
    return n;
}

/* Check amounts and the options; find as_of and the calibration end. */
/* The latest day before the last one (HZ_DAY_NONE: one day only). */
static int32_t day_before_last(const int32_t *day, size_t nrows)
{
    int32_t last = day[0], before = HZ_DAY_NONE;
    for (size_t i = 1; i < nrows; i++) {
        if (day[i] > last) {
            before = last;
            last = day[i];
        } else if (day[i] < last &&
                   (before == HZ_DAY_NONE || day[i] > before)) {
            before = day[i];
        }
    }
    return before;
}

static hz_status check_inputs(const int32_t *day, const double *amount,
                              size_t nrows, const hz_customer_options *opt,
                              int32_t *as_of, int32_t *cal_end, hz_error *err)
{
    if (opt->unit != HZ_UNIT_DAYS && opt->unit != HZ_UNIT_WEEKS)
        return hz_error_set(err, HZ_EINVAL, "unknown time unit");
    if (amount != NULL)
        for (size_t i = 0; i < nrows; i++)
            if (!isfinite(amount[i]))
                return hz_error_set(err, HZ_EINVAL,
                                    "amount of row %zu is %g: amounts must "
                                    "be finite",
                                    i + 1, amount[i]);
    *as_of = opt->as_of;
    if (*as_of == HZ_DAY_NONE) {
        *as_of = day[0];
        for (size_t i = 1; i < nrows; i++)
            if (day[i] > *as_of)
                *as_of = day[i];
    }
    *cal_end = *as_of;
    if (opt->calibration_end != HZ_DAY_NONE) {
        char d1[16], d2[16];
        if (opt->calibration_end >= *as_of)
            return hz_error_set(
                err, HZ_EINVAL,
                "calibration end %s is %s the observation end (as-of, %s): "
                "the holdout would be empty; give an earlier "
                "--calibration-end",
                hz_format_day(opt->calibration_end, d1),
                opt->calibration_end > *as_of ? "after" : "on",
                hz_format_day(*as_of, d2));
        *cal_end = opt->calibration_end;
    }
    return HZ_OK;
}

/* The daily repeat-purchase table: from the first purchase on or before
 * the calibration end to as_of (left NULL beyond HZ__TRACK_MAX_DAYS). */
#define HZ__TRACK_MAX_DAYS 200000
static hz_status alloc_tracking(hz_customer_summary *s, const buckets *bk)
{
    int32_t d0 = s->calibration_end;
    for (size_t i = 0; i < bk->used; i++)
        if (bk->rows[i].day < d0)
            d0 = bk->rows[i].day;
    s->day0 = d0;
    s->ndays = (size_t)((int64_t)s->as_of - d0 + 1);
    if (s->ndays > HZ__TRACK_MAX_DAYS) {
        s->ndays = 0;
        return HZ_OK;
    }
    s->repeats_by_day = calloc(s->ndays, sizeof *s->repeats_by_day);
    return s->repeats_by_day ? HZ_OK : HZ_ENOMEM;
}

/* The summary; *bad gets the row of a refund larger than the customer's
 * purchases before it (HZ_EINVAL, the message left to the caller), else
 * SIZE_MAX. */
static hz_status summary_compute(const int64_t *key, const int32_t *day,
                                 const double *amount, size_t nrows,
                                 const hz_customer_options *opt,
                                 hz_customer_summary **out, size_t *bad,
                                 hz_error *err)
{
    hz_customer_options defo;
    hz_status st = HZ_OK;
    hz_customer_summary *s = NULL;
    buckets bk;
    uint8_t *keep = NULL;
    int32_t as_of = 0, cal_end = 0;

    *out = NULL;
    *bad = SIZE_MAX;
    memset(&bk, 0, sizeof bk);
    if (opt == NULL) {
        hz_customer_options_init(&defo);
        opt = &defo;
    }
    if (nrows == 0)
        return hz_error_set(err, HZ_ETOOSHORT, "no transactions to summarise");
    if (key == NULL || day == NULL)
        return hz_error_set(err, HZ_EINVAL, "customer keys and days needed");
    if ((st = check_inputs(day, amount, nrows, opt, &as_of, &cal_end, err)) !=
        HZ_OK)
        return st;
    const bool hold = opt->calibration_end != HZ_DAY_NONE;
    const bool orders = opt->order_key != NULL;
    if (bucket_rows(&bk, key, day, amount, opt->order_key, nrows, as_of) !=
        HZ_OK)
        goto nomem;
    /* refunds up to the calibration end (the figures' own) and after it
     * (the holdout's), counted apart */
    size_t nref = 0, nref_hold = 0;
    double ref_total = 0.0, ref_hold = 0.0;
    for (size_t i = 0; i < bk.used; i++)
        if (bk.rows[i].amt < 0) {
            nref++;
            if (bk.rows[i].day > cal_end) {
                nref_hold++;
                ref_hold += bk.rows[i].amt;
            } else {
                ref_total += bk.rows[i].amt;
            }
        }
    s = calloc(1, sizeof *s);
    keep = calloc(bk.nb ? bk.nb : 1, 1);
    if (s == NULL || keep == NULL ||
        alloc_summary(s, bk.nb, hold, orders, nref > 0) != HZ_OK)
        goto nomem;
    s->unit = opt->unit;
    s->as_of = as_of;
    s->calibration_end = cal_end;
    s->has_holdout = hold;
    s->rows_used = bk.used;
    s->rows_ignored = nrows - bk.used;
    s->refund_rows = nref - nref_hold;
    s->refund_total = ref_total;
    s->holdout_refund_rows = nref_hold;
    s->holdout_refund_total = ref_hold;
    s->as_of_given = opt->as_of != HZ_DAY_NONE;
    s->data_first_day = s->data_last_day = HZ_DAY_NONE;
    for (size_t i = 0; i < bk.used; i++) {
        const int32_t d = bk.rows[i].day;
        if (s->data_first_day == HZ_DAY_NONE || d < s->data_first_day)
            s->data_first_day = d;
        if (s->data_last_day == HZ_DAY_NONE || d > s->data_last_day)
            s->data_last_day = d;
    }
    s->day_before_last = s->as_of_given ? HZ_DAY_NONE
                                        : day_before_last(day, nrows);
    /* the last date may be a refund's (the analysis runs to it): said as
     * such, not as a purchase date */
    s->as_of_refund = !s->as_of_given && nref > 0 && amount != NULL;
    for (size_t i = 0; s->as_of_refund && i < nrows; i++)
        if (day[i] == as_of && amount[i] >= 0)
            s->as_of_refund = false;
    s->duration_holdout = hold ? hz_unit_from_days(opt->unit,
                                                   (double)(as_of - cal_end))
                               : 0.0;
    if (alloc_tracking(s, &bk) != HZ_OK)
        goto nomem;
    int nthreads = opt->threads > 0 ? opt->threads : hz_default_threads();
    size_t bad_row;
    if (summarise_all(s, &bk, keep, orders, nthreads, &bad_row) != HZ_OK)
        goto nomem;
    if (bad_row != SIZE_MAX) {
        *bad = refund_row(&bk, bad_row, key, day, amount, nrows);
        st = *bad != SIZE_MAX
                 ? HZ_EINVAL
                 : hz_error_set(err, HZ_EINVAL,
                                "a refund is larger than its customer's "
                                "purchases before it");
        goto out;
    }
    for (size_t b = 0; b < bk.nb; b++)
        s->n_after_calibration += !keep[b] && bk.start[b + 1] > bk.start[b];
    s->n = compact(s, keep, bk.nb);
    /* in customer order: the same sum for any thread count */
    for (size_t i = 0; s->holdout_refunds_cal != NULL && i < s->n; i++)
        if (s->holdout_refunds_cal[i] < 0) {
            s->holdout_refund_cal_customers++;
            s->holdout_refund_cal_total += s->holdout_refunds_cal[i];
        }
    if (s->n == 0) {
        /* the cut asked is before the data: said with both dates (until
         * 2026-12-07 "the calibration end" even for an --as-of alone) */
        int32_t first = HZ_DAY_NONE;
        for (size_t i = 0; i < nrows; i++)
            if ((amount == NULL || amount[i] >= 0) &&
                (first == HZ_DAY_NONE || day[i] < first))
                first = day[i];
        char d1[16], d2[16];
        if (first == HZ_DAY_NONE)
            st = hz_error_set(err, HZ_ETOOSHORT,
                              "no customer has a purchase on or before the "
                              "%s",
                              hold ? "calibration end" : "as-of date");
        else
            st = hz_error_set(err, HZ_ETOOSHORT,
                              "no customer has a purchase on or before the "
                              "%s %s: the first purchase is on %s (give a "
                              "later %s)",
                              hold ? "calibration end" : "as-of date",
                              hz_format_day(cal_end, d1),
                              hz_format_day(first, d2),
                              hold ? "--calibration-end" : "--as-of");
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
    buckets_free(&bk);
    free(keep);
    return st;
}

hz_status hz_customer_summary_compute(const int64_t *key, const int32_t *day,
                                      const double *amount, size_t nrows,
                                      const hz_customer_options *opt,
                                      hz_customer_summary **out, hz_error *err)
{
    size_t bad;
    hz_status st = summary_compute(key, day, amount, nrows, opt, out, &bad,
                                   err);
    if (bad != SIZE_MAX)
        return hz_error_set(err, HZ_EINVAL,
                            "row %zu: the refund of %g is larger than "
                            "customer %lld's purchases on or before it",
                            bad + 1, amount[bad], (long long)key[bad]);
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
        int32_t z;
        return hz_day_from_yyyymmdd(c->v.i64[row], &z) ? z : HZ_DAY_NONE;
    }
    default: return HZ_DAY_NONE;
    }
}

/* The columns of a summary, checked. */
typedef struct cols {
    const hz_column *c, *d, *a, *o; /* customer, date, amount, order */
    const char *cn, *dn, *an, *on;  /* their names */
    const char *src;
    const hz_dataset *ds;
} cols;

/* "FILE:LINE:FIELD" of row i's cell in column c (hz_dataset_place). */
#define PLACE_MAX 320
static const char *place(const cols *k, size_t i, const hz_column *c,
                         char *buf)
{
    return hz_dataset_place(k->ds, i, c, buf, PLACE_MAX);
}

/* An amount column that is not numbers (it holds $12.50 or 1,234.50):
 * the column named with its first such value and where it is. */
static hz_status amount_not_numbers(const hz_dataset *ds, const cols *k,
                                    hz_error *err)
{
    const hz_column *a = k->a;
    char pl[PLACE_MAX], tx[64];
    size_t i = 0;
    for (; a->type == HZ_TYPE_STRING && i < ds->nrows; i++) {
        if (hz_col_is_null(a, i))
            continue;
        const char *t = hz_dict_str(a->dict, a->v.code[i]);
        char *end;
        double v = strtod(t, &end);
        if (end == t || *end != '\0' || !isfinite(v))
            break;
    }
    if (a->type != HZ_TYPE_STRING || i == ds->nrows)
        return hz_error_set(err, HZ_ETYPE,
                            "%s: column '%s': expected numbers, found %s",
                            k->src, k->an, hz_type_name(a->type));
    const char *t = hz_col_text(a, i, tx, sizeof tx);
    return hz_error_set(
        err, HZ_ETYPE,
        "%s: column '%s' (amount) holds text, not numbers: '%s' is not a "
        "number (write amounts without currency signs; thousands "
        "separators are read once --decimal . or --decimal , says the "
        "decimal mark, 1,234.50 with . and 1.234,50 with ,)",
        hz_dataset_place(ds, i, a, pl, sizeof pl), k->an, t ? t : "");
}

/* How a text cell is written as a date: its format, 0 for YYYYMMDD
 * digits, -1 when it is not a date. */
static int text_date_kind(const char *t)
{
    size_t n = strlen(t), d = 0;
    while (d < n && t[d] >= '0' && t[d] <= '9')
        d++;
    if (n == 8 && d == 8)
        return 0;
    int64_t secs;
    bool ts;
    hz_datefmt det;
    return hz_parse_datetime(t, n, HZ_DATEFMT_NONE, &secs, &ts, &det)
               ? (int)det
               : -1;
}

/* A date column read as text: the first value that is not a date, or
 * the first written another way than the column's first (2024-01-05
 * beside 20240101 or 2024/01/05), with their places. */
static hz_status date_not_dates(const hz_dataset *ds, const cols *k,
                                hz_error *err)
{
    const hz_column *d = k->d;
    char pl[PLACE_MAX], t0[64];
    int kind0 = -2;
    size_t row0 = 0;
    for (size_t i = 0; i < ds->nrows; i++) {
        if (hz_col_is_null(d, i))
            continue;
        const char *t = hz_dict_str(d->dict, d->v.code[i]);
        int kd = text_date_kind(t);
        if (kd < 0)
            return hz_error_set(err, HZ_ETYPE,
                                "%s: column '%s' (date) is '%.60s': not a "
                                "date",
                                hz_dataset_place(ds, i, d, pl, sizeof pl),
                                k->dn, t);
        if (kind0 == -2) {
            kind0 = kd;
            row0 = i;
            snprintf(t0, sizeof t0, "%.60s", t);
        } else if (kd != kind0) {
            return hz_error_set(
                err, HZ_ETYPE,
                "%s: column '%s' (date) is '%.60s', written another way "
                "than '%s' on line %zu: the column mixes date formats "
                "(export the dates in one format, such as 2024-01-05)",
                hz_dataset_place(ds, i, d, pl, sizeof pl), k->dn, t, t0,
                hz_dataset_row_line(ds, row0));
        }
    }
    return hz_error_set(err, HZ_ETYPE,
                        "%s: column '%s': expected dates, found %s", k->src,
                        k->dn, hz_type_name(d->type));
}

static hz_status find_columns(const hz_dataset *ds, cols *k, hz_error *err)
{
    if ((k->c = hz_dataset_column(ds, k->cn, err)) == NULL ||
        (k->d = hz_dataset_column(ds, k->dn, err)) == NULL ||
        (k->an && (k->a = hz_dataset_column(ds, k->an, err)) == NULL) ||
        (k->on && (k->o = hz_dataset_column(ds, k->on, err)) == NULL))
        return HZ_ENOTFOUND;
    if (k->o != NULL && k->o->type != HZ_TYPE_STRING &&
        k->o->type != HZ_TYPE_INT64)
        return hz_error_set(
            err, HZ_ETYPE,
            "%s: column '%s': order ids must be text or integers, not %s",
            k->src, k->on, hz_type_name(k->o->type));
    if (k->c->type != HZ_TYPE_STRING && k->c->type != HZ_TYPE_INT64)
        return hz_error_set(
            err, HZ_ETYPE,
            "%s: column '%s': customer ids must be text or integers, not %s",
            k->src, k->cn, hz_type_name(k->c->type));
    if (k->d->type == HZ_TYPE_STRING)
        return date_not_dates(ds, k, err);
    if (k->d->type != HZ_TYPE_DATE && k->d->type != HZ_TYPE_TIMESTAMP &&
        k->d->type != HZ_TYPE_INT64)
        return hz_error_set(err, HZ_ETYPE,
                            "%s: column '%s': expected dates, found %s",
                            k->src, k->dn, hz_type_name(k->d->type));
    if (k->a != NULL && !hz_type_is_numeric(k->a->type))
        return amount_not_numbers(ds, k, err);
    return HZ_OK;
}

static int64_t key_at(const hz_column *c, size_t i)
{
    return c->type == HZ_TYPE_STRING ? (int64_t)c->v.code[i] : c->v.i64[i];
}

/* The code of "" in a text id column (a quoted empty field, "" in the
 * file, is a value, not a null), or UINT32_MAX: an id, empty either
 * way, is refused as an empty one is. */
static uint32_t blank_code(const hz_column *c)
{
    return c->type == HZ_TYPE_STRING ? hz_dict_find(c->dict, "", 0)
                                     : UINT32_MAX;
}

static hz_status read_orders(const cols *k, size_t n, int64_t *ord,
                             hz_error *err)
{
    char pl[PLACE_MAX];
    const uint32_t blank = blank_code(k->o);
    for (size_t i = 0; i < n; i++) {
        if (hz_col_is_null(k->o, i) ||
            (blank != UINT32_MAX && k->o->v.code[i] == blank))
            return hz_error_set(err, HZ_EPARSE,
                                "%s: column '%s' (order id) is empty",
                                place(k, i, k->o, pl), k->on);
        ord[i] = key_at(k->o, i);
    }
    return HZ_OK;
}

static hz_status bad_amount(const cols *k, size_t i, hz_error *err)
{
    char pl[PLACE_MAX];
    double v = hz_col_number(k->a, i);
    if (hz_col_is_null(k->a, i))
        return hz_error_set(err, HZ_EINVAL,
                            "%s: column '%s' (amount) is empty: every "
                            "transaction needs its amount",
                            place(k, i, k->a, pl), k->an);
    return hz_error_set(err, HZ_EINVAL,
                        "%s: column '%s' (amount) is %.15g: amounts must be "
                        "finite numbers",
                        place(k, i, k->a, pl), k->an, v);
}

/* A refund larger than what the customer bought on or before its day;
 * again: the row of a later copy of it (an export that wrote it twice),
 * else SIZE_MAX. */
static hz_status refund_too_large(const cols *k, size_t i, size_t again,
                                  hz_error *err)
{
    char pl[PLACE_MAX], id[96], d[16], why[200];
    if (again != SIZE_MAX)
        snprintf(why, sizeof why,
                 "line %zu repeats this row in every column, so the refund "
                 "is netted twice (if the export wrote it twice, give "
                 "--dedupe)",
                 hz_dataset_row_line(k->ds, again));
    else
        snprintf(why, sizeof why,
                 "the purchase it returns is not in the data (filter the "
                 "refund out, or give the transactions from an earlier "
                 "date)");
    const hz_column *c = k->c;
    if (c->type == HZ_TYPE_STRING)
        snprintf(id, sizeof id, "%.80s", hz_dict_str(c->dict, c->v.code[i]));
    else
        snprintf(id, sizeof id, "%lld", (long long)c->v.i64[i]);
    return hz_error_set(
        err, HZ_EINVAL,
        "%s: column '%s' (amount) is %.15g, a refund larger than what "
        "customer '%s' bought on or before %s, net of their refunds before "
        "it (a day's largest first): a refund is netted against "
        "the customer's purchases before it, and %s",
        place(k, i, k->a, pl), k->an, hz_col_number(k->a, i), id,
        hz_format_day(hz_customer_cell_day(k->d, i), d), why);
}

static hz_status bad_date(const cols *k, size_t i, hz_error *err)
{
    char pl[PLACE_MAX], tx[64];
    if (hz_col_is_null(k->d, i))
        return hz_error_set(err, HZ_EPARSE, "%s: column '%s' (date) is empty",
                            place(k, i, k->d, pl), k->dn);
    char hint[224] = "", d[16];
    int32_t sd;
    if (k->d->type == HZ_TYPE_INT64 && k->d->v.i64[i] >= 10000 &&
        k->d->v.i64[i] <= 99999 &&
        hz_day_from_excel_serial(k->d->v.i64[i], &sd))
        snprintf(hint, sizeof hint,
                 " (integers are read as days written YYYYMMDD; if the "
                 "column holds a spreadsheet's serial day numbers, %lld is "
                 "%s in Excel: give --schema '%s:date:excel', or format it "
                 "as dates before exporting)",
                 (long long)k->d->v.i64[i], hz_format_day(sd, d), k->dn);
    return hz_error_set(err, HZ_EPARSE,
                        "%s: column '%s' (date) is %s: not a valid date%s",
                        place(k, i, k->d, pl), k->dn,
                        hz_col_text(k->d, i, tx, sizeof tx), hint);
}

static bool is_pad(char c)
{
    return c == ' ' || c == '\t';
}

/* A text id that differs from another id of the column only by spaces
 * or tabs around it ("C1 " beside "C1") is one customer written two
 * ways by the export: refused with its place, never counted as two. */
static hz_status padded_ids(const cols *k, size_t n, hz_error *err)
{
    const hz_dict *dict = k->c->dict;
    const size_t L = hz_dict_size(dict);
    for (size_t l = 0; l < L; l++) {
        const char *t = hz_dict_str(dict, (uint32_t)l);
        size_t len = strlen(t), a = 0, b = len;
        while (a < b && is_pad(t[a]))
            a++;
        while (b > a && is_pad(t[b - 1]))
            b--;
        if ((a == 0 && b == len) || a == b ||
            hz_dict_find(dict, t + a, b - a) == UINT32_MAX)
            continue;
        size_t i = 0;
        while (i < n && (hz_col_is_null(k->c, i) || k->c->v.code[i] != l))
            i++;
        char pl[PLACE_MAX];
        return hz_error_set(err, HZ_EPARSE,
                            "%s: column '%s' (customer) is '%.80s', which "
                            "differs from the customer '%.*s' only by the "
                            "spaces around it: one customer written two "
                            "ways (trim the ids before the analysis)",
                            i < n ? place(k, i, k->c, pl) : k->src, k->cn, t,
                            (int)(b - a > 80 ? 80 : b - a), t + a);
    }
    return HZ_OK;
}

/* Keys, days and amounts of every row; errors name the place
 * (FILE:LINE:FIELD), the column and the value. */
static hz_status read_rows(const cols *k, size_t n, int64_t *key, int32_t *day,
                           double *amt, hz_error *err)
{
    /* fast path: plain columns without nulls */
    bool plain = k->c->valid == NULL && k->d->valid == NULL &&
                 k->d->type == HZ_TYPE_DATE;
    const uint32_t blank = blank_code(k->c);
    if (k->c->type == HZ_TYPE_STRING) {
        hz_status st = padded_ids(k, n, err);
        if (st != HZ_OK)
            return st;
    }
    for (size_t i = 0; i < n; i++) {
        if ((!plain && hz_col_is_null(k->c, i)) ||
            (blank != UINT32_MAX && k->c->v.code[i] == blank)) {
            char pl[PLACE_MAX];
            return hz_error_set(err, HZ_EPARSE,
                                "%s: column '%s' (customer) is empty",
                                place(k, i, k->c, pl), k->cn);
        }
        key[i] = key_at(k->c, i);
        day[i] = plain ? k->d->v.date[i] : hz_customer_cell_day(k->d, i);
        if (day[i] == HZ_DAY_NONE)
            return bad_date(k, i, err);
    }
    if (k->a == NULL)
        return HZ_OK;
    bool plain_a = k->a->valid == NULL && k->a->type == HZ_TYPE_FLOAT64;
    for (size_t i = 0; i < n; i++) {
        amt[i] = plain_a                   ? k->a->v.f64[i]
                 : hz_col_is_null(k->a, i) ? NAN
                                           : hz_col_number(k->a, i);
        if (!isfinite(amt[i])) /* a negative one is a refund */
            return bad_amount(k, i, err);
    }
    return HZ_OK;
}

/* Every customer's spends add up within a double: amounts near 1e308
 * can sum to infinity, which no later stage could use (k-means refused
 * "point 1", Gamma-Gamma "customer 301"); the customer is named here. */
static hz_status check_spends(const cols *k, const hz_customer_summary *s,
                              hz_error *err)
{
    for (size_t i = 0; i < s->n; i++) {
        bool ok = isfinite(s->total_spend[i]) && isfinite(s->monetary[i]) &&
                  (!s->has_holdout || isfinite(s->monetary_holdout[i]));
        if (ok)
            continue;
        char id[96];
        if (k->c->type == HZ_TYPE_STRING)
            snprintf(id, sizeof id, "%.80s",
                     hz_dict_str(k->c->dict, (uint32_t)s->key[i]));
        else
            snprintf(id, sizeof id, "%lld", (long long)s->key[i]);
        return hz_error_set(err, HZ_EINVAL,
                            "%s: customer '%s': the amounts in column '%s' "
                            "add up beyond the range of a double",
                            k->src, id, k->an ? k->an : "");
    }
    return HZ_OK;
}

hz_status hz_customer_summary_from_dataset(
    const hz_dataset *ds, const char *customer_col, const char *date_col,
    const char *amount_col, const hz_customer_options *opt,
    hz_customer_summary **out, hz_error *err)
{
    hz_customer_options o2;
    *out = NULL;
    if (ds == NULL || customer_col == NULL || date_col == NULL)
        return hz_error_set(err, HZ_EINVAL,
                            "a dataset and customer and date columns are "
                            "needed");
    cols k = {NULL,
              NULL,
              NULL,
              NULL,
              customer_col,
              date_col,
              amount_col,
              opt ? opt->order_col : NULL,
              ds->source ? ds->source : "input",
              ds};
    hz_status st = find_columns(ds, &k, err);
    if (st != HZ_OK)
        return st;
    const size_t n = ds->nrows;
    if (n == 0)
        return hz_error_set(err, HZ_ETOOSHORT, "%s: no rows", k.src);
    int64_t *key = malloc(n * sizeof *key), *ord = NULL;
    int32_t *day = malloc(n * sizeof *day);
    double *amt = k.a ? malloc(n * sizeof *amt) : NULL;
    if (k.o != NULL)
        ord = malloc(n * sizeof *ord);
    if (opt == NULL)
        hz_customer_options_init(&o2);
    else
        o2 = *opt;
    o2.order_key = ord;
    if (!key || !day || (k.a && !amt) || (k.o && !ord))
        st = hz_error_set(err, HZ_ENOMEM, "out of memory");
    if (st == HZ_OK && k.o != NULL)
        st = read_orders(&k, n, ord, err);
    if (st == HZ_OK)
        st = read_rows(&k, n, key, day, amt, err);
    /* rows left out (--dedupe): the others moved to the front, rowmap
     * gives their row in the dataset */
    size_t *rowmap = NULL, m = n;
    if (st == HZ_OK && opt != NULL && opt->skip_rows != NULL) {
        if ((rowmap = malloc(n * sizeof *rowmap)) == NULL)
            st = hz_error_set(err, HZ_ENOMEM, "out of memory");
        m = 0;
        for (size_t i = 0; st == HZ_OK && i < n; i++) {
            if (opt->skip_rows[i])
                continue;
            key[m] = key[i];
            day[m] = day[i];
            if (amt != NULL)
                amt[m] = amt[i];
            if (ord != NULL)
                ord[m] = ord[i];
            rowmap[m++] = i;
        }
    }
    size_t bad = SIZE_MAX;
    if (st == HZ_OK)
        st = summary_compute(key, day, amt, m, &o2, out, &bad, err);
    if (bad != SIZE_MAX) {
        /* a later copy of the refund (rows not moved: no rowmap) */
        size_t again = SIZE_MAX;
        const uint8_t *dr = rowmap == NULL && opt != NULL ? opt->dup_rows
                                                          : NULL;
        for (size_t i = bad + 1; dr != NULL && amt != NULL && i < n; i++)
            if (dr[i] && key[i] == key[bad] && day[i] == day[bad] &&
                amt[i] == amt[bad]) {
                again = i;
                break;
            }
        st = refund_too_large(&k, rowmap != NULL ? rowmap[bad] : bad, again,
                              err);
    }
    free(rowmap);
    if (st == HZ_OK && (st = check_spends(&k, *out, err)) != HZ_OK) {
        hz_customer_summary_free(*out);
        *out = NULL;
    }
    free(key);
    free(ord);
    free(day);
    free(amt);
    return st;
}
