/* The CLV part of an analysis: purchase models (fitted or loaded), the
 * spend model, per-customer predictions, the new-customer forecast, the
 * P(alive) grid and the holdout reports.  See analytics.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/analytics_internal.h"

void hz__clv_free(hz__clv_part *c)
{
    free(c->p_alive);
    free(c->exp_purch);
    free(c->exp_spend);
    free(c->clv);
    free(c->clv_sorted);
    free(c->p_silent);
    free(c->pam_buf);
    hz_holdout_free(&c->hold[0]);
    hz_holdout_free(&c->hold[1]);
}

double hz__quantile_sorted(const double *v, size_t n, double q)
{
    if (n == 0)
        return NAN;
    double pos = q * (double)(n - 1);
    size_t lo = (size_t)floor(pos);
    if (lo + 1 >= n)
        return v[n - 1];
    double w = pos - (double)lo;
    return v[lo] * (1 - w) + v[lo + 1] * w;
}

/* Fit one purchase model on the calibration summary. */
static hz_status fit_one(hz__clv_part *c, const hz_customer_summary *s,
                         hz_purchase_kind k, int th, hz_error *err)
{
    hz_status st;
    if (k == HZ_PURCHASE_BGNBD) {
        hz_bgnbd_options bo;
        hz_bgnbd_options_init(&bo);
        bo.threads = th;
        st = hz_bgnbd_fit(s->frequency, s->recency, s->T, s->n, &bo, &c->bg,
                          err);
        c->bg_ok = st == HZ_OK;
        if (!c->bg_ok)
            snprintf(c->bg_err, sizeof c->bg_err, "%s", err->msg);
    } else {
        st = hz_pnbd_fit(s->frequency, s->recency, s->T, s->n, th, &c->pn,
                         err);
        c->pn_ok = st == HZ_OK;
        if (!c->pn_ok)
            snprintf(c->pn_err, sizeof c->pn_err, "%s", err->msg);
    }
    return st;
}

/* Parameters from a saved model, converted to the summary's unit. */
static hz_status load_models(hz__clv_part *c, const hz_analytics_model *mi,
                             hz_time_unit unit, hz_purchase_kind want,
                             hz_error *err)
{
    hz_purchase_model pm = {HZ_PURCHASE_BGNBD, mi->bg, mi->pn};
    pm = hz_purchase_model_in_unit(&pm, mi->unit, unit);
    c->loaded = true;
    for (int j = 0; j < 4; j++)
        c->bg.se[j] = c->pn.se[j] = NAN; /* not fitted here */
    c->bg.loglik = c->pn.loglik = NAN;
    if (mi->has_bg) {
        c->bg.p = pm.bg;
        c->bg_ok = true;
    }
    if (mi->has_pn) {
        c->pn.p = pm.pn;
        c->pn_ok = true;
    }
    if (want == HZ_PURCHASE_BGNBD ? !mi->has_bg : !mi->has_pn)
        return hz_error_set(err, HZ_EINVAL,
                            "the model file has no %s parameters",
                            hz_purchase_kind_name(want));
    return HZ_OK;
}

/* The purchase model(s): the requested one, and with a holdout the other
 * too for the comparison (its failure is only recorded). */
static hz_status stage_fit(hz_analytics_result *r, int th,
                           const hz_analytics_model *mi, hz_error *err)
{
    hz__clv_part *c = &r->clv;
    const hz_customer_summary *s = r->cs;
    c->model = r->req.model;
    if (mi != NULL)
        return load_models(c, mi, s->unit, c->model, err);
    hz_status st = fit_one(c, s, c->model, th, err);
    if (st != HZ_OK)
        return st;
    if (s->has_holdout) {
        hz_error e2;
        hz_purchase_kind other = c->model == HZ_PURCHASE_BGNBD
                                     ? HZ_PURCHASE_PNBD
                                     : HZ_PURCHASE_BGNBD;
        fit_one(c, s, other, th, &e2);
    }
    return HZ_OK;
}

/* The spend model; a failure is recorded (gg_err), never fatal. */
static hz_status stage_gg(hz_analytics_result *r, int th,
                          const hz_analytics_model *mi)
{
    hz__clv_part *c = &r->clv;
    const hz_customer_summary *s = r->cs;
    hz_error e;
    if (mi != NULL) {
        if (!mi->has_gg) {
            snprintf(c->gg_err, sizeof c->gg_err,
                     "the model file has no Gamma-Gamma parameters");
            return HZ_OK;
        }
        c->gg.p = mi->gg;
        c->gg.se[0] = c->gg.se[1] = c->gg.se[2] = c->gg.loglik = NAN;
    } else if (hz_gg_fit(s->frequency, s->monetary, s->n, th, &c->gg, &e) !=
               HZ_OK) {
        snprintf(c->gg_err, sizeof c->gg_err, "%s", e.msg);
        return e.status == HZ_ENOMEM ? HZ_ENOMEM : HZ_OK;
    }
    if (!(c->gg.p.q > 1)) {
        snprintf(c->gg_err, sizeof c->gg_err,
                 "Gamma-Gamma q = %.4g <= 1: spends are so heavy-tailed "
                 "that the mean spend is undefined",
                 c->gg.p.q);
        return HZ_OK;
    }
    c->gg_ok = true;
    return HZ_OK;
}

static hz_status alloc_outputs(hz__clv_part *c, size_t n, bool value)
{
    c->p_alive = malloc(n * sizeof(double));
    c->exp_purch = malloc(n * sizeof(double));
    c->p_silent = malloc(n * sizeof(double));
    if (value) {
        c->exp_spend = malloc(n * sizeof(double));
        c->clv = malloc(n * sizeof(double));
        c->clv_sorted = malloc(n * sizeof(double));
    }
    if (!c->p_alive || !c->exp_purch || !c->p_silent ||
        (value && (!c->exp_spend || !c->clv || !c->clv_sorted)))
        return HZ_ENOMEM;
    return HZ_OK;
}

/* CLV total and quantiles. */
static void clv_stats(hz__clv_part *c, size_t n)
{
    double t = 0;
    for (size_t i = 0; i < n; i++)
        t += c->clv[i];
    c->clv_total = t;
    memcpy(c->clv_sorted, c->clv, n * sizeof(double));
    hz__sort_doubles(c->clv_sorted, n); /* ENOMEM: left unsorted */
    const double qs[5] = {0.1, 0.25, 0.5, 0.75, 0.9};
    for (int j = 0; j < 5; j++)
        c->clv_q[j] = hz__quantile_sorted(c->clv_sorted, n, qs[j]);
}

/* P(alive) on a grid of frequency x recency at the largest age. */
static hz_status palive_grid(hz__clv_part *c, const hz_customer_summary *s)
{
    double T = 0, xmax = 0;
    for (size_t i = 0; i < s->n; i++) {
        T = fmax(T, s->T[i]);
        xmax = fmax(xmax, s->frequency[i]);
    }
    const size_t nx = (size_t)fmin(xmax, 39) + 1, nr = 21;
    c->pam_buf = malloc((nr + nx * nr) * sizeof(double));
    if (c->pam_buf == NULL)
        return HZ_ENOMEM;
    double *rec = c->pam_buf, *p = c->pam_buf + nr;
    for (size_t j = 0; j < nr; j++)
        rec[j] = T * (double)j / (double)(nr - 1);
    /* x = 0 has recency 0 only; x > 0 needs a recency above 0 */
    for (size_t i = 0; i < nx; i++)
        for (size_t j = 0; j < nr; j++)
            p[i * nr + j] = (i == 0) == (j == 0)
                                ? hz_purchase_p_alive(&c->pm, (double)i,
                                                      rec[j], T)
                                : NAN;
    c->pam = (hz_palive_matrix){nx, nr, T, rec, p};
    return HZ_OK;
}

/* Holdout report of each model that was fitted. */
static hz_status holdouts(hz_analytics_result *r, int th, hz_error *err)
{
    hz__clv_part *c = &r->clv;
    for (int k = 0; k < 2; k++) {
        bool ok = k == HZ_PURCHASE_BGNBD ? c->bg_ok : c->pn_ok;
        if (!ok || !r->cs->has_holdout)
            continue;
        hz_purchase_model pm = {(hz_purchase_kind)k, c->bg.p, c->pn.p};
        hz_status st = hz_holdout_compute(&pm, r->cs, th, &c->hold[k], err);
        if (st != HZ_OK)
            return st;
        c->hold_ok[k] = true;
    }
    return HZ_OK;
}

/* Per-customer predictions with the chosen model, and what goes with
 * them. */
static hz_status stage_predict(hz_analytics_result *r, bool value, int th,
                               hz_error *err)
{
    hz__clv_part *c = &r->clv;
    const hz_customer_summary *s = r->cs;
    const size_t n = s->n;
    value = value && c->gg_ok;
    c->pm = (hz_purchase_model){c->model, c->bg.p, c->pn.p};
    c->horizon_days = hz_analytics_horizon_days(&r->req);
    if (alloc_outputs(c, n, value) != HZ_OK)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    hz_clv_options co;
    hz_clv_options_init(&co);
    co.horizon_days = c->horizon_days;
    co.discount_rate = r->req.discount_rate;
    co.risk_days = r->req.inactive_days;
    co.unit = s->unit;
    co.threads = th;
    hz_clv_outputs o = {c->p_alive, c->exp_purch, value ? c->exp_spend : NULL,
                        value ? c->clv : NULL, c->p_silent};
    hz_status st = hz_clv_compute(&c->pm, value ? &c->gg.p : NULL,
                                  s->frequency, s->recency, s->T, s->monetary,
                                  n, &co, &o, err);
    if (st != HZ_OK)
        return st;
    if (value)
        clv_stats(c, n);
    for (size_t i = 0; i < n; i++) {
        c->one_time += s->frequency[i] == 0;
        c->sure_alive += c->p_alive[i] >= 0.9999;
    }
    const double H = hz_unit_from_days(s->unit, c->horizon_days);
    c->expected_new = hz_purchase_expected(&c->pm, H);
    for (unsigned k = 0; k < HZ__PMF_MAX; k++)
        c->pmf[k] = hz_purchase_pmf(&c->pm, H, k);
    if (palive_grid(c, s) != HZ_OK)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    if ((st = holdouts(r, th, err)) != HZ_OK)
        return st;
    c->ok = true;
    return HZ_OK;
}

hz_status hz__clv_run(hz_analytics_result *r, bool with_value, int threads,
                      unsigned stages, const hz_analytics_model *mi,
                      hz_error *err)
{
    hz_status st = HZ_OK;
    r->clv.run = true;
    if (stages & HZ__CLV_FIT) {
        st = stage_fit(r, threads, mi, err);
        if (st != HZ_OK) {
            snprintf(r->clv.err, sizeof r->clv.err, "%s", err->msg);
            return st;
        }
    }
    if ((stages & HZ__CLV_GG) && with_value &&
        (st = stage_gg(r, threads, mi)) != HZ_OK)
        return hz_error_set(err, st, "out of memory");
    if (stages & HZ__CLV_PREDICT) {
        st = stage_predict(r, with_value, threads, err);
        if (st != HZ_OK)
            snprintf(r->clv.err, sizeof r->clv.err, "%s", err->msg);
    }
    return st;
}
