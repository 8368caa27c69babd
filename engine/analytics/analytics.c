/* Customer analytics entry point: the request, column guessing, the
 * customer summary and the dispatch to the parts (analytics_clv.c,
 * analytics_churn.c, analytics_segment.c, analytics_survival.c); the
 * writers are in analytics_rows.c and analytics_summary.c.  See
 * analytics.h. */
#include <ctype.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "horizon/threads.h"
#include "analytics/analytics_internal.h"
#include "numeric/gsl_init.h"

void hz_analytics_request_init(hz_analytics_request *q)
{
    memset(q, 0, sizeof *q);
    q->as_of = HZ_DAY_NONE;
    q->calibration_end = HZ_DAY_NONE;
    q->unit = HZ_UNIT_DAYS;
    q->model = HZ_PURCHASE_BGNBD;
    q->horizon_months = 12;
    q->horizon_days = 0;
    q->discount_rate = 0.01;
    q->risk = HZ_RISK_P_ALIVE;
    q->frequency = HZ_FREQ_DAYS;
    q->k = -1; /* 4, fewer for fewer distinct customers */
    q->k_max = 8;
    q->n_init = 10;
    q->inactive_days = 90;
    q->folds = 5;
    q->C = 1.0;
    q->seed = 42;
}

static const char *const kind_names[] = {"clv", "churn", "segment", "suite",
                                         "survival"};

const char *hz_analysis_kind_name(hz_analysis_kind k)
{
    return (unsigned)k <= HZ_ANALYSIS_SURVIVAL ? kind_names[k] : "?";
}

bool hz_analysis_kind_parse(const char *s, hz_analysis_kind *out)
{
    for (int i = 0; i <= HZ_ANALYSIS_SURVIVAL; i++)
        if (s != NULL && strcmp(s, kind_names[i]) == 0) {
            *out = (hz_analysis_kind)i;
            return true;
        }
    return false;
}

double hz_analytics_horizon_days(const hz_analytics_request *q)
{
    return q->horizon_days > 0 ? q->horizon_days
                               : q->horizon_months * HZ_DAYS_PER_MONTH;
}

void hz_analytics_result_free(hz_analytics_result *r)
{
    if (r == NULL)
        return;
    free(r->idbuf);
    free(r->idoff);
    hz_customer_summary_free(r->cs);
    free(r->rec_days);
    free(r->freq_count);
    hz__clv_free(&r->clv);
    hz__churn_free(&r->churn);
    hz__seg_free(&r->seg);
    hz__surv_free(&r->surv);
    free(r);
}

int hz__parse_flag(const char *s)
{
    /* spaces around it are the export's, as the reader's booleans */
    char t[32];
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n == 0 || n >= sizeof t)
        return -1;
    memcpy(t, s, n);
    t[n] = '\0';
    if (!strcasecmp(t, "yes") || !strcasecmp(t, "true") || !strcmp(t, "1") ||
        !strcasecmp(t, "y") || !strcasecmp(t, "t"))
        return 1;
    if (!strcasecmp(t, "no") || !strcasecmp(t, "false") || !strcmp(t, "0") ||
        !strcasecmp(t, "n") || !strcasecmp(t, "f"))
        return 0;
    /* 1/0 as a number ("1.0", "0.0": a float column's export), as the
     * reader's numbers were before labels were read as text */
    char *end;
    const double v = strtod(t, &end);
    if (end != t && *end == '\0' && (v == 1 || v == 0))
        return v == 1;
    return -1;
}

/* ---- column guessing ---- */

const hz_column *hz__find_column(const hz_dataset *ds,
                                 const char *const *names)
{
    for (const char *const *nm = names; *nm != NULL; nm++)
        for (size_t c = 0; c < ds->ncols; c++)
            if (strcasecmp(ds->cols[c].name, *nm) == 0)
                return &ds->cols[c];
    return NULL;
}

static bool is_dates(hz_type t)
{
    return t == HZ_TYPE_DATE || t == HZ_TYPE_TIMESTAMP;
}

static hz_status pick_columns(const hz_dataset *ds,
                              const hz_analytics_request *q, const char **cust,
                              const char **date, const char **amount,
                              hz_error *err)
{
    const hz_column *c;
    const char *src = ds->source ? ds->source : "input";
    *cust = q->customer_col;
    *date = q->date_col;
    *amount = q->amount_col;
    if (*cust == NULL) {
        if ((c = hz__find_column(ds, hz__customer_names)) == NULL)
            return hz_error_set(err, HZ_ENOTFOUND,
                                "%s: no customer column found (name one "
                                "with --customer)",
                                src);
        *cust = c->name;
        /* the generic 'id' of a table of orders is usually the row's own:
         * one value per row makes every order a one-time buyer */
        if (strcasecmp(c->name, "id") == 0 && c->type == HZ_TYPE_STRING &&
            ds->nrows > 1 && hz_dict_size(c->dict) == ds->nrows)
            return hz_error_set(err, HZ_EINVAL,
                                "%s: column '%s', guessed as the customer, "
                                "has a different value on each of its %zu "
                                "rows: a row or order id, not a customer's "
                                "(every order would be a one-time buyer); "
                                "name the customer column with --customer",
                                src, c->name, ds->nrows);
    }
    if (*date == NULL) {
        /* a purchase date by its name (order_date, ...) that holds dates,
         * else the first column of dates (not a signup_date before the
         * order_date), else the one by its name */
        const hz_column *named = hz__find_column(ds, hz__date_names);
        c = named != NULL && is_dates(named->type) ? named : NULL;
        for (size_t i = 0; i < ds->ncols && c == NULL; i++)
            if (is_dates(ds->cols[i].type))
                c = &ds->cols[i];
        if (c == NULL)
            c = named;
        if (c == NULL)
            return hz_error_set(err, HZ_ENOTFOUND,
                                "%s: no date column found (name one with "
                                "--date)",
                                src);
        *date = c->name;
    }
    if (*amount == NULL) {
        if ((c = hz__find_column(ds, hz__amount_names)) == NULL)
            return hz_error_set(err, HZ_ENOTFOUND,
                                "%s: no amount column found (name one with "
                                "--amount)",
                                src);
        /* a unit price beside a quantity is not a row's spend */
        static const char *const qty[] = {"quantity", "qty", "units", NULL};
        const hz_column *qc = strcasecmp(c->name, "price") == 0
                                  ? hz__find_column(ds, qty)
                                  : NULL;
        if (qc != NULL)
            return hz_error_set(err, HZ_EINVAL,
                                "%s: column '%s', guessed as the amount, is "
                                "a price per unit beside '%s': a row's "
                                "spend is their product; name a column of "
                                "spends with --amount",
                                src, c->name, qc->name);
        *amount = c->name;
    }
    return HZ_OK;
}

/* The order-id column for --frequency orders: named, or guessed. */
static hz_status pick_order_column(const hz_dataset *ds,
                                   const hz_analytics_request *q,
                                   const char **order, hz_error *err)
{
    *order = q->order_col;
    if (*order != NULL || q->frequency != HZ_FREQ_ORDERS)
        return HZ_OK;
    const hz_column *c = hz__find_column(ds, hz__order_names);
    if (c == NULL)
        return hz_error_set(err, HZ_ENOTFOUND,
                            "%s: --frequency orders needs an order id "
                            "column (name one with --order)",
                            ds->source ? ds->source : "input");
    *order = c->name;
    return HZ_OK;
}

/* ---- ids ---- */

/* v in decimal, written backwards from end (which gets the NUL). */
static const char *i64_text(int64_t v, char *end)
{
    char *p = end - 1;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    *p = '\0';
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u > 0);
    if (v < 0)
        *--p = '-';
    return p;
}

hz_status hz__set_ids(hz_analytics_result *r, const hz_column *col,
                      const int64_t *keys, const size_t *rows, size_t n)
{
    if (keys == NULL && rows == NULL && n > 0)
        return HZ_EINVAL; /* one of them names the customers */
    size_t cap = n * 12 + 16, len = 0;
    r->idbuf = malloc(cap);
    r->idoff = malloc((n + 1) * sizeof *r->idoff);
    if (r->idbuf == NULL || r->idoff == NULL)
        return HZ_ENOMEM;
    char tmp[64];
    for (size_t i = 0; i < n; i++) {
        const char *s;
        if (keys != NULL) {
            if (col->type == HZ_TYPE_STRING)
                s = hz_dict_str(col->dict, (uint32_t)keys[i]);
            else
                s = i64_text(keys[i], tmp + sizeof tmp);
        } else if (col != NULL) {
            s = hz_col_text(col, rows[i], tmp, sizeof tmp);
            if (s == NULL)
                s = "";
        } else {
            snprintf(tmp, sizeof tmp, "%zu", rows[i] + 1);
            s = tmp;
        }
        size_t l = strlen(s);
        if (len + l + 1 > cap) {
            cap = (len + l + 1) * 2;
            char *t = realloc(r->idbuf, cap);
            if (t == NULL)
                return HZ_ENOMEM;
            r->idbuf = t;
        }
        r->idoff[i] = len;
        memcpy(r->idbuf + len, s, l + 1);
        len += l + 1;
    }
    r->idoff[n] = len;
    return HZ_OK;
}

/* Row i's id is empty: a null, or "" (a quoted empty field) in text. */
static bool id_blank(const hz_column *id, size_t i, uint32_t blank)
{
    return hz_col_is_null(id, i) ||
           (blank != UINT32_MAX && id->v.code[i] == blank);
}

hz_status hz__one_row_per_id(const hz_dataset *ds, const hz_column *id,
                             hz_error *err)
{
    if (id == NULL)
        return HZ_OK;
    const uint32_t blank = id->type == HZ_TYPE_STRING
                               ? hz_dict_find(id->dict, "", 0)
                               : UINT32_MAX;
    for (size_t i = 0; i < ds->nrows; i++)
        if (id_blank(id, i, blank)) {
            char pl[320];
            hz_dataset_place(ds, i, id, pl, sizeof pl);
            return hz_error_set(err, HZ_EPARSE,
                                "%s: column '%s' (customer) is empty: a "
                                "customer table has one row per customer, "
                                "each with its id",
                                pl, id->name);
        }
    if (id->type != HZ_TYPE_STRING)
        return HZ_OK;
    size_t L = hz_dict_size(id->dict);
    size_t *first = malloc((L ? L : 1) * sizeof *first);
    if (first == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    for (size_t l = 0; l < L; l++)
        first[l] = SIZE_MAX;
    hz_status st = HZ_OK;
    for (size_t i = 0; i < ds->nrows && st == HZ_OK; i++) {
        uint32_t c = id->v.code[i];
        if (first[c] == SIZE_MAX) {
            first[c] = i;
            continue;
        }
        char pl[320];
        hz_dataset_place(ds, i, id, pl, sizeof pl);
        st = hz_error_set(err, HZ_EINVAL,
                          "%s: customer '%s' has a second row (the first is "
                          "line %zu): a customer table has one row per "
                          "customer",
                          pl, hz_dict_str(id->dict, c),
                          hz_dataset_row_line(ds, first[c]));
    }
    free(first);
    return st;
}

/* ---- request checks ---- */

static hz_status check_request(const hz_analytics_request *req,
                               hz_analysis_kind kind, hz_error *err)
{
    if ((unsigned)kind > HZ_ANALYSIS_SURVIVAL)
        return hz_error_set(err, HZ_EINVAL, "unknown analysis kind %d",
                            (int)kind);
    double hd = hz_analytics_horizon_days(req);
    if (!(hd > 0 && hd <= 36525))
        return hz_error_set(err, HZ_EINVAL,
                            "horizon must be more than 0 days and at most "
                            "100 years, got %g days",
                            hd);
    if (!(req->discount_rate >= 0 && req->discount_rate < 1))
        return hz_error_set(err, HZ_EINVAL,
                            "monthly discount rate must be in [0, 1), got %g",
                            req->discount_rate);
    if (req->k < -1 || req->k > HZ__KMEANS_MAX_K || req->n_init < 1 ||
        req->folds < 2 || req->folds > 32 || !(req->C > 0) ||
        req->inactive_days < 0 || req->n_surv_times > HZ_SURV_TIMES_MAX ||
        (unsigned)req->model > HZ_PURCHASE_PNBD ||
        (unsigned)req->risk > HZ_RISK_NO_PURCHASE ||
        (unsigned)req->frequency > HZ_FREQ_ROWS)
        return hz_error_set(err, HZ_EINVAL,
                            "bad option: need -1 <= k <= 1000, n_init >= 1, "
                            "2 <= folds <= 32, C > 0, inactive days >= 0, "
                            "a known model, risk rule and frequency");
    return HZ_OK;
}

/* ---- the customer summary ---- */

static hz_status summarise(hz_analytics_result *r, const hz_dataset *ds,
                           const char **cust, int th, hz_error *err)
{
    const hz_analytics_request *q = &r->req;
    const char *dc, *ac, *oc;
    hz_status st = pick_columns(ds, q, cust, &dc, &ac, err);
    if (st == HZ_OK)
        st = pick_order_column(ds, q, &oc, err);
    if (st != HZ_OK)
        return st;
    const char *used[3] = {*cust, dc, ac},
               *asked[3] = {q->customer_col, q->date_col, q->amount_col};
    for (int k = 0; k < 3; k++) {
        snprintf(r->col_name[k], sizeof r->col_name[k], "%s", used[k]);
        r->col_guessed[k] = asked[k] == NULL;
    }
    long di = hz_dataset_find(ds, dc);
    r->dates_zoned = di >= 0 && ds->cols[di].type == HZ_TYPE_TIMESTAMP &&
                     ds->cols[di].zoned;
    r->dates_unix = r->dates_zoned && hz_datefmt_is_unix(ds->cols[di].datefmt);
    hz_customer_options co;
    hz_customer_options_init(&co);
    co.unit = q->unit;
    co.as_of = q->as_of;
    co.calibration_end = q->calibration_end;
    co.order_col = oc;
    co.threads = th;
    double t0 = hz_now();
    /* rows an export wrote twice: said, and dropped when asked; among
     * the rows the analysis reads (not those after --as-of, which it
     * leaves out and counts as such) */
    hz__dups dd;
    uint8_t *dup = calloc(ds->nrows ? ds->nrows : 1, 1);
    uint8_t *late = NULL;
    const bool cut = q->as_of != HZ_DAY_NONE && di >= 0;
    if (cut && (late = malloc(ds->nrows ? ds->nrows : 1)) != NULL)
        for (size_t i = 0; i < ds->nrows; i++)
            late[i] = hz_customer_cell_day(&ds->cols[di], i) > q->as_of;
    if (dup == NULL || (cut && late == NULL) ||
        hz__duplicate_rows(ds, th, late, dup, &dd) != HZ_OK) {
        free(dup);
        free(late);
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    }
    free(late);
    r->dup_rows = dd.count;
    /* a repeated refund is netted again, not counted as a purchase */
    long ai = ac != NULL && dd.count > 0 ? hz_dataset_find(ds, ac) : -1;
    for (size_t i = 0; ai >= 0 && i < ds->nrows; i++)
        r->dup_refunds += dup[i] && !hz_col_is_null(&ds->cols[ai], i) &&
                          hz_col_number(&ds->cols[ai], i) < 0;
    r->dup_dropped = q->dedupe && dd.count > 0;
    if (dd.count > 0) { /* a dataset built in memory has no lines */
        char at[240];
        const size_t of = hz_dataset_row_line(ds, dd.first_of);
        hz_dataset_place(ds, dd.first, NULL, at, sizeof at);
        if (of > 0)
            snprintf(r->dup_first, sizeof r->dup_first,
                     "%s, the same as line %zu", at, of);
        else
            snprintf(r->dup_first, sizeof r->dup_first,
                     "%s, the same as data row %zu", at, dd.first_of + 1);
    }
    co.skip_rows = r->dup_dropped ? dup : NULL;
    co.dup_rows = r->dup_dropped || dd.count == 0 ? NULL : dup;
    st = hz_customer_summary_from_dataset(ds, *cust, dc, ac, &co, &r->cs, err);
    free(dup);
    r->t_summary = hz_now() - t0;
    if (st != HZ_OK)
        return st;
    const hz_customer_summary *s = r->cs;
    const size_t n = s->n;
    r->n = n;
    r->rec_days = malloc(n * sizeof(double));
    r->freq_count = malloc(n * sizeof(double));
    if (!r->rec_days || !r->freq_count)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    /* recency to the snapshot day after the calibration end (the usual
     * RFM snapshot: last date + 1 day) */
    for (size_t i = 0; i < n; i++) {
        r->rec_days[i] = (double)(s->calibration_end + 1 - s->last_day[i]);
        r->freq_count[i] = s->frequency[i] + 1;
    }
    if (hz__set_ids(r, hz_dataset_column(ds, *cust, NULL), s->key, NULL, n) !=
        HZ_OK)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    return HZ_OK;
}

void hz__as_of_text(const hz_customer_summary *s, char *buf, size_t cap)
{
    char d[16];
    int len = snprintf(buf, cap, "%s (%s)", hz_format_day(s->as_of, d),
                       s->as_of_given    ? "given"
                       : s->as_of_refund ? "the last date, a refund's: no "
                                           "purchase on it"
                                         : "the last purchase date");
    /* rows the as-of date cuts off are said, not dropped silently */
    if (s->rows_ignored > 0 && len > 0 && (size_t)len < cap)
        snprintf(buf + len, cap - (size_t)len,
                 "; %zu transaction%s after it left out", s->rows_ignored,
                 s->rows_ignored == 1 ? "" : "s");
}

bool hz__as_of_warning(const hz_customer_summary *s, char *buf, size_t cap)
{
    char d1[16], d2[16], d3[16];
    /* an as-of given far after the data's last date: no customer can
     * have bought in the gap, so every one looks lapsed and their CLV
     * near 0; warned past the same bound as a last date far after the
     * one before it (until 2026-12-07 nothing was said) */
    if (s->as_of_given && s->data_last_day != HZ_DAY_NONE &&
        s->as_of - s->data_last_day > HZ__AS_OF_GAP_DAYS) {
        snprintf(buf, cap,
                 "the as-of date, %s, is %d days after the data's last "
                 "date (%s; the data span %d days from %s): no customer "
                 "can have bought in between, so every one looks lapsed "
                 "and the CLV near 0; give an as-of near the last date "
                 "unless this is meant",
                 hz_format_day(s->as_of, d1),
                 (int)(s->as_of - s->data_last_day),
                 hz_format_day(s->data_last_day, d2),
                 (int)(s->data_last_day - s->data_first_day),
                 hz_format_day(s->data_first_day, d3));
        return true;
    }
    if (s->as_of_given || s->day_before_last == HZ_DAY_NONE ||
        s->as_of - s->day_before_last <= HZ__AS_OF_GAP_DAYS)
        return false;
    snprintf(buf, cap,
             "the last %s, %s, is %d days after the one before "
             "it (%s): every customer is aged to it; if it is a typo or an "
             "order not yet made, give --as-of",
             s->as_of_refund ? "date (a refund's)" : "purchase date",
             hz_format_day(s->as_of, d1), (int)(s->as_of - s->day_before_last),
             hz_format_day(s->day_before_last, d2));
    return true;
}

/* ---- the suite: the parts concurrently ---- */

static void note_part(hz_status st, const hz_error *e, char *dst, size_t cap,
                      bool *ok)
{
    if (st != HZ_OK) {
        *ok = false;
        snprintf(dst, cap, "%s", e->msg);
    }
}

static hz_status run_suite(hz_analytics_result *r, const hz_dataset *ds,
                           const char *cc, int th,
                           const hz_analytics_model *mi, hz_error *err)
{
    hz_error e1, e2, e3, e4;
    hz_status s1 = HZ_OK, s2 = HZ_OK, s3 = HZ_OK, s4 = HZ_OK;
    hz_error_clear(&e1);
    hz_error_clear(&e2);
    hz_error_clear(&e3);
    hz_error_clear(&e4);
    const bool labelled = r->req.label_col != NULL;
    double t0 = hz_now();
    /* purchase model(s) | segments then Gamma-Gamma | labelled churn;
     * then the CLV predictions on all threads */
#pragma omp parallel sections num_threads(th > 1 ? 2 + labelled : 1)
    {
#pragma omp section
        s1 = hz__clv_run(r, true, 1, HZ__CLV_FIT, mi, &e1);
#pragma omp section
        {
            s2 = hz__segment_run(r, ds, 1, &e2);
            s4 = hz__clv_run(r, true, 1, HZ__CLV_GG, mi, &e4);
        }
#pragma omp section
        if (labelled)
            s3 = hz__churn_suite_labelled(r, ds, cc, &e3);
    }
    (void)s4; /* a spend failure is recorded in the part (gg_err) */
    if (s1 == HZ_OK)
        s1 = hz__clv_run(r, true, th, HZ__CLV_PREDICT, mi, &e1);
    r->t_clv = hz_now() - t0; /* fits + predictions, wall */
    note_part(s1, &e1, r->clv.err, sizeof r->clv.err, &r->clv.ok);
    note_part(s2, &e2, r->seg.err, sizeof r->seg.err, &r->seg.ok);
    if (labelled)
        note_part(s3, &e3, r->churn.err, sizeof r->churn.err, &r->churn.ok);
    else
        hz__churn_unlabelled(r);
    if (s1 == HZ_ENOMEM || s2 == HZ_ENOMEM || s3 == HZ_ENOMEM)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    /* a label column that is missing or not of flags is the request's
     * fault, as in churn: the suite fails with it (exit 2, a job's
     * reason "dataset"), not as a part that failed on the data */
    if (s3 == HZ_ENOTFOUND || s3 == HZ_ETYPE)
        return hz_error_set(err, s3, "%s", e3.msg);
    return HZ_OK;
}

/* One analysis on transactions (all but a churn table and survival). */
static hz_status run_transactions(hz_analytics_result *r, const hz_dataset *ds,
                                  hz_analysis_kind kind, int th,
                                  const hz_analytics_model *mi, hz_error *err)
{
    const char *cc;
    hz_status st = summarise(r, ds, &cc, th, err);
    if (st != HZ_OK)
        return st;
    if (kind == HZ_ANALYSIS_CLV) {
        double t0 = hz_now();
        st = hz__clv_run(r, true, th, HZ__CLV_ALL, mi, err);
        r->t_clv = hz_now() - t0;
        return st;
    }
    if (kind == HZ_ANALYSIS_CHURN) {
        hz_error e2;
        double t0 = hz_now();
        if (hz__clv_run(r, false, th, HZ__CLV_ALL, mi, &e2) != HZ_OK)
            snprintf(r->clv.err, sizeof r->clv.err, "%s", e2.msg);
        r->t_clv = hz_now() - t0;
        hz__churn_unlabelled(r);
        return HZ_OK;
    }
    if (kind == HZ_ANALYSIS_SEGMENT)
        return hz__segment_run(r, ds, th, err);
    return run_suite(r, ds, cc, th, mi, err);
}

hz_status hz_analytics_run(const hz_dataset *ds, hz_analysis_kind kind,
                           const hz_analytics_request *req,
                           hz_analytics_result **out, hz_error *err)
{
    hz_analytics_request defq;
    hz_status st;
    double t0 = hz_now();
    *out = NULL;
    hz__gsl_init();
    if (req == NULL) {
        hz_analytics_request_init(&defq);
        req = &defq;
    }
    if (ds == NULL)
        return hz_error_set(err, HZ_EINVAL, "no dataset");
    if ((st = check_request(req, kind, err)) != HZ_OK)
        return st;
    hz_analytics_result *r = calloc(1, sizeof *r);
    if (r == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    r->kind = kind;
    r->req = *req; /* the pointers are valid only during this call */
    const hz_analytics_model *mi = req->model_in;
    int th = req->threads > 0 ? req->threads : hz_default_threads();
    if (kind == HZ_ANALYSIS_CHURN &&
        (req->label_col != NULL || (mi != NULL && mi->has_churn)))
        st = hz__churn_table(r, ds, req->customer_col, mi, err);
    else if (kind == HZ_ANALYSIS_SURVIVAL)
        st = hz__survival_run(r, ds, req->customer_col, err);
    else
        st = run_transactions(r, ds, kind, th, mi, err);
    r->req.customer_col = r->req.date_col = r->req.amount_col = NULL;
    r->req.label_col = r->req.order_col = NULL;
    r->req.duration_col = r->req.event_col = r->req.covariates = NULL;
    r->req.model_in = NULL;
    if (st != HZ_OK) {
        hz_analytics_result_free(r);
        return st;
    }
    r->seconds = hz_now() - t0;
    *out = r;
    return HZ_OK;
}
