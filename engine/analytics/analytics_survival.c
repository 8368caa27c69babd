/* The survival part of an analysis: one row per customer with a duration
 * and an event; a Kaplan-Meier curve and, with covariates, a Cox model
 * (numbers as they are, text as treatment dummies against the first
 * level in sorted order, as patsy/statsmodels formulas do).  See
 * analytics.h and survival.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/analytics_internal.h"

void hz__surv_free(hz__surv_part *s)
{
    hz_km_free(&s->km);
    hz_cox_free(&s->cox);
    if (s->names != NULL)
        for (size_t j = 0; s->names[j] != NULL; j++)
            free(s->names[j]);
    free(s->names);
    free(s->duration);
    free(s->event);
    free(s->risk_score);
    free(s->surv_at);
}

/* A covariate: a column, and for a text column one of its levels. */
typedef struct covar {
    const hz_column *col;
    uint32_t level; /* UINT32_MAX: the column's number */
} covar;

static const hz_column *pick(const hz_dataset *ds, const char *name,
                             const char *const *guess, const char *what,
                             hz_error *err)
{
    if (name != NULL)
        return hz_dataset_column(ds, name, err);
    const hz_column *c = hz__find_column(ds, guess);
    if (c == NULL)
        hz_error_set(err, HZ_ENOTFOUND,
                     "%s: no %s column found (name one with --%s)",
                     ds->source ? ds->source : "input", what, what);
    return c;
}

/* Levels of a text column but the first in sorted order. */
static hz_status add_dummies(const hz_column *col, covar **cv, size_t *p,
                             size_t *cap)
{
    size_t L = hz_dict_size(col->dict);
    uint32_t *lv = malloc((L ? L : 1) * sizeof *lv);
    if (lv == NULL)
        return HZ_ENOMEM;
    for (uint32_t l = 0; l < L; l++) { /* insertion sort by text */
        uint32_t j = l;
        while (j > 0 && strcmp(hz_dict_str(col->dict, lv[j - 1]),
                               hz_dict_str(col->dict, l)) > 0) {
            lv[j] = lv[j - 1];
            j--;
        }
        lv[j] = l;
    }
    for (size_t l = 1; l < L; l++) {
        if (*p == *cap) {
            *cap = *cap ? 2 * *cap : 16;
            covar *t = realloc(*cv, *cap * sizeof *t);
            if (t == NULL) {
                free(lv);
                return HZ_ENOMEM;
            }
            *cv = t;
        }
        (*cv)[(*p)++] = (covar){col, lv[l]};
    }
    free(lv);
    return HZ_OK;
}

/* Parse the comma-separated covariate list into covariates; the
 * duration, the event and the customer id (roles[0..2], may be NULL)
 * are not covariates. */
static hz_status plan_covariates(const hz_dataset *ds, const char *list,
                                 const hz_column *const roles[3], covar **cv,
                                 size_t *p, hz_error *err)
{
    static const char *const role_name[3] = {"duration", "event",
                                             "customer id"};
    size_t cap = 0;
    char name[256];
    *cv = NULL;
    *p = 0;
    for (const char *s = list; s != NULL && *s;) {
        const char *e = strchr(s, ',');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        if (len == 0 || len >= sizeof name)
            return hz_error_set(err, HZ_EINVAL, "--covariates: bad name");
        memcpy(name, s, len);
        name[len] = '\0';
        s = e ? e + 1 : NULL;
        const hz_column *col = hz_dataset_column(ds, name, err);
        if (col == NULL)
            return HZ_ENOTFOUND;
        for (int k = 0; k < 3; k++)
            if (col == roles[k])
                return hz_error_set(err, HZ_EINVAL,
                                    "--covariates: '%s' is the %s column, "
                                    "not a covariate: leave it out",
                                    name, role_name[k]);
        if (col->type == HZ_TYPE_STRING) {
            hz_status st = hz__na_marks(ds, col, err);
            if (st != HZ_OK)
                return st;
            if (add_dummies(col, cv, p, &cap) != HZ_OK)
                return hz_error_set(err, HZ_ENOMEM, "out of memory");
            continue;
        }
        if (!hz_type_is_numeric(col->type))
            return hz_error_set(err, HZ_ETYPE,
                                "covariate '%s' must be numbers or text, "
                                "found %s",
                                name, hz_type_name(col->type));
        if (*p == cap) {
            cap = cap ? 2 * cap : 16;
            covar *t = realloc(*cv, cap * sizeof *t);
            if (t == NULL)
                return hz_error_set(err, HZ_ENOMEM, "out of memory");
            *cv = t;
        }
        (*cv)[(*p)++] = (covar){col, UINT32_MAX};
    }
    return HZ_OK;
}

/* Event of row i: 1, 0, or -1 (null / unreadable). */
static int event_of(const hz_column *c, size_t i)
{
    if (hz_col_is_null(c, i))
        return -1;
    if (c->type == HZ_TYPE_STRING)
        return hz__parse_flag(hz_dict_str(c->dict, c->v.code[i]));
    double v = hz_col_number(c, i);
    return v == 1 ? 1 : v == 0 ? 0 : -1;
}

/* Row i's cell in column c cannot be used (what: its role): an error
 * naming the place (FILE:LINE:FIELD), the column and the value.  No row
 * is left out: a customer missing from the curve would change it. */
static hz_status bad_cell_as(hz_status st, const hz_dataset *ds, size_t i,
                             const hz_column *c, const char *what,
                             const char *why, hz_error *err)
{
    char pl[320], tx[64];
    const char *v = hz_col_is_null(c, i) ? NULL
                                         : hz_col_text(c, i, tx, sizeof tx);
    hz_dataset_place(ds, i, c, pl, sizeof pl);
    if (v == NULL || v[0] == '\0')
        return hz_error_set(err, st,
                            "%s: column '%s' (%s) is empty: every customer "
                            "needs one",
                            pl, c->name, what);
    if (c->type == HZ_TYPE_INT64 || c->type == HZ_TYPE_FLOAT64)
        return hz_error_set(err, st, "%s: column '%s' (%s) is %.15g: %s", pl,
                            c->name, what, hz_col_number(c, i), why);
    return hz_error_set(err, st, "%s: column '%s' (%s) is '%s': %s", pl,
                        c->name, what, v, why);
}

static hz_status bad_cell(const hz_dataset *ds, size_t i, const hz_column *c,
                          const char *what, const char *why, hz_error *err)
{
    return bad_cell_as(HZ_EINVAL, ds, i, c, what, why, err);
}

/* A duration column read as text: the first value that is not a number,
 * with its place. */
static hz_status duration_not_numbers(const hz_dataset *ds,
                                      const hz_column *dc, hz_error *err)
{
    for (size_t i = 0; i < ds->nrows; i++) {
        if (hz_col_is_null(dc, i))
            continue;
        const char *t = hz_dict_str(dc->dict, dc->v.code[i]);
        char *end;
        (void)strtod(t, &end);
        if (end == t || *end != '\0')
            return bad_cell_as(HZ_EINVAL, ds, i, dc, "duration",
                               "durations must be non-negative numbers", err);
    }
    return hz_error_set(err, HZ_ETYPE,
                        "duration column '%s' must hold numbers, found %s",
                        dc->name, hz_type_name(dc->type));
}

/* Durations, events and the covariate matrix of every row (rows: their
 * dataset row numbers); a row that lacks one or holds a value that cannot
 * be used is an error with its place. */
static hz_status collect(hz__surv_part *s, const hz_dataset *ds,
                         const hz_column *dc, const hz_column *ec,
                         const covar *cv, size_t p, size_t **rows, double **X,
                         size_t *n, hz_error *err)
{
    const size_t n0 = ds->nrows;
    *rows = malloc((n0 + 1) * sizeof **rows);
    *X = malloc((n0 * p + 1) * sizeof **X);
    s->duration = malloc((n0 + 1) * sizeof(double));
    s->event = malloc((n0 + 1) * sizeof(double));
    if (!*rows || !*X || !s->duration || !s->event)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    for (size_t i = 0; i < n0; i++) {
        int ev = event_of(ec, i);
        double d = hz_col_is_null(dc, i) ? NAN : hz_col_number(dc, i);
        if (!(isfinite(d) && d >= 0))
            return bad_cell(ds, i, dc, "duration",
                            "durations must be non-negative numbers", err);
        if (ev < 0)
            return bad_cell(ds, i, ec, "event",
                            "expected yes/no, true/false or 0/1", err);
        for (size_t j = 0; j < p; j++) {
            const covar *c = &cv[j];
            double v = hz_col_is_null(c->col, i) ? NAN
                       : c->level == UINT32_MAX  ? hz_col_number(c->col, i)
                       : c->col->v.code[i] == c->level ? 1.0
                                                       : 0.0;
            if (!isfinite(v))
                return bad_cell(ds, i, c->col, "covariate",
                                "expected a finite number", err);
            (*X)[i * p + j] = v;
        }
        (*rows)[i] = i;
        s->duration[i] = d;
        s->event[i] = ev;
    }
    *n = n0;
    return HZ_OK;
}

/* The times S(t) is reported at. */
static void report_times(hz__surv_part *s, const hz_analytics_request *q,
                         size_t n)
{
    if (q->n_surv_times > 0) {
        memcpy(s->times, q->surv_times, q->n_surv_times * sizeof(double));
        s->ntimes = q->n_surv_times;
        return;
    }
    double mx = 0;
    for (size_t i = 0; i < n; i++)
        mx = fmax(mx, s->duration[i]);
    double step = mx <= 192 ? 12 : ceil(mx / 8);
    s->ntimes = 0;
    /* step is a whole number: step * k is exact, as the running sum was */
    for (size_t k = 1; s->ntimes < HZ_SURV_TIMES_MAX; k++) {
        double t = step * (double)k;
        if (!(t <= mx))
            break;
        s->times[s->ntimes++] = t;
    }
}

static hz_status cox_names(hz__surv_part *s, const covar *cv, size_t p)
{
    s->names = calloc(p + 1, sizeof(char *));
    if (s->names == NULL)
        return HZ_ENOMEM;
    for (size_t j = 0; j < p; j++) {
        const char *lv = cv[j].level == UINT32_MAX
                             ? NULL
                             : hz_dict_str(cv[j].col->dict, cv[j].level);
        size_t len = strlen(cv[j].col->name) + (lv ? strlen(lv) + 1 : 0) + 1;
        if ((s->names[j] = malloc(len)) == NULL)
            return HZ_ENOMEM;
        snprintf(s->names[j], len, "%s%s%s", cv[j].col->name, lv ? "=" : "",
                 lv ? lv : "");
    }
    return HZ_OK;
}

/* Cox model, risk scores and S(t | x) per customer.  A model that
 * cannot be fitted (covariates that are collinear or do not vary, no
 * convergence) fails the analysis with its reason: the Cox model was
 * asked for, so the curve alone is not the work. */
static hz_status fit_cox(hz__surv_part *s, const double *X, size_t n, size_t p,
                         const covar *cv, hz_error *err)
{
    if (cox_names(s, cv, p) != HZ_OK)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    hz_status st = hz_cox_fit_named(X, s->duration, s->event, n, p,
                                    (const char *const *)s->names, &s->cox,
                                    err);
    if (st != HZ_OK)
        return st;
    s->risk_score = malloc((n + 1) * sizeof(double));
    s->surv_at = malloc((n * s->ntimes + 1) * sizeof(double));
    if (s->risk_score == NULL || s->surv_at == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        double eta = 0;
        for (size_t j = 0; j < p; j++)
            eta += (X[i * p + j] - s->cox.mean[j]) * s->cox.coef[j];
        s->risk_score[i] = exp(eta);
        for (size_t t = 0; t < s->ntimes; t++)
            s->surv_at[i * s->ntimes + t] = hz_cox_survival(&s->cox, X + i * p,
                                                            s->times[t]);
    }
    s->cox_ok = true;
    return HZ_OK;
}

static hz_status survival_inner(hz_analytics_result *r, const hz_dataset *ds,
                                const char *id, hz_error *err)
{
    static const char *const dn[] = {"tenure", "duration", "time", NULL};
    hz__surv_part *s = &r->surv;
    const hz_analytics_request *q = &r->req;
    covar *cv = NULL;
    size_t *rows = NULL, p = 0, n = 0;
    double *X = NULL;
    const hz_column *dc = pick(ds, q->duration_col, dn, "duration", err);
    const hz_column *ec = dc ? pick(ds, q->event_col, hz__event_names, "event", err) : NULL;
    const hz_column *ic = id ? hz_dataset_column(ds, id, err)
                             : hz__find_column(ds, hz__customer_table_names);
    if (dc == NULL || ec == NULL || (id != NULL && ic == NULL))
        return HZ_ENOTFOUND;
    hz_status st0 = hz__one_row_per_id(ds, ic, err);
    if (st0 != HZ_OK)
        return st0;
    if (dc->type == HZ_TYPE_STRING)
        return duration_not_numbers(ds, dc, err);
    if (!hz_type_is_numeric(dc->type))
        return hz_error_set(err, HZ_ETYPE,
                            "duration column '%s' must hold numbers, found "
                            "%s",
                            dc->name, hz_type_name(dc->type));
    const hz_column *const roles[3] = {dc, ec, ic};
    hz_status st = plan_covariates(ds, q->covariates, roles, &cv, &p, err);
    if (st == HZ_OK)
        st = collect(s, ds, dc, ec, cv, p, &rows, &X, &n, err);
    if (st == HZ_OK && n == 0)
        st = hz_error_set(err, HZ_ETOOSHORT, "%s: no customers",
                          ds->source ? ds->source : "input");
    if (st == HZ_OK)
        st = hz_km_fit(s->duration, s->event, n, &s->km, err);
    if (st == HZ_OK) {
        r->n = n;
        report_times(s, q, n);
        if (hz__set_ids(r, ic, NULL, rows, n) != HZ_OK)
            st = hz_error_set(err, HZ_ENOMEM, "out of memory");
        else if (p > 0)
            st = fit_cox(s, X, n, p, cv, err);
    }
    free(cv);
    free(rows);
    free(X);
    return st;
}

hz_status hz__survival_run(hz_analytics_result *r, const hz_dataset *ds,
                           const char *id, hz_error *err)
{
    r->surv.run = true;
    hz_status st = survival_inner(r, ds, id, err);
    r->surv.ok = st == HZ_OK;
    if (st != HZ_OK)
        snprintf(r->surv.err, sizeof r->surv.err, "%s", err->msg);
    return st;
}
