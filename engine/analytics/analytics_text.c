/* The human-readable summary of a result: fitted models with their
 * boundary flags, the holdout report, churn drivers, segments and the
 * survival tables.  See analytics.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/analytics_internal.h"

/* The decimals that numbers read together (a CLV's total, median and
 * p90; the segments' shares; the clusters' spend) are printed with: at
 * least min_dec, and enough for the smallest non-zero one to keep 2
 * significant digits (amounts in fractions of a unit printed "median
 * 0.00", a small segment "revenue share 0.000"); -1 (scientific for
 * all) past 12. */
static int group_decimals(const double *v, size_t n, int min_dec)
{
    double small = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i]) && v[i] != 0 && (small == 0 || fabs(v[i]) < small))
            small = fabs(v[i]);
    int dec = small > 0 ? 1 - (int)floor(log10(small)) : min_dec;
    dec = dec > min_dec ? dec : min_dec;
    return dec > 12 ? -1 : dec;
}

/* v with dec decimals, or in scientific notation when dec is -1. */
static const char *fmt_dec(double v, int dec, char *buf, size_t n)
{
    if (dec < 0)
        snprintf(buf, n, "%.3e", v);
    else
        snprintf(buf, n, "%.*f", dec, v);
    return buf;
}

/* One style for a column of numbers (a table's p-values, odds ratios),
 * as the report's tables: scientific for all when one is from 1e15 or
 * below 1e-6, else plain decimals for all ("0.811" beside "1.22e-92" or
 * "1e-05" was two styles in one column until 2026-12-07). */
static bool column_sci(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const double a = fabs(v[i]);
        if (isfinite(a) && a != 0 && (a >= 1e15 || a < 1e-6))
            return true;
    }
    return false;
}

/* v with sig significant digits in its column's style (column_sci); 0
 * and n/a as such. */
static const char *fmt_sig(double v, int sig, bool sci, char *buf, size_t n)
{
    if (!isfinite(v))
        snprintf(buf, n, "n/a");
    else if (v == 0)
        snprintf(buf, n, "0");
    else if (sci)
        snprintf(buf, n, "%.*e", sig - 1, v);
    else {
        int dec = sig - 1 - (int)floor(log10(fabs(v)));
        snprintf(buf, n, "%.*f", dec > 0 ? dec : 0, v);
    }
    return buf;
}

static void text_models(const hz__clv_part *c, FILE *f)
{
    if (c->bg_ok && c->loaded) { /* no standard errors, no likelihood */
        const hz_bgnbd_params *b = &c->bg.p;
        fprintf(f,
                "BG/NBD (model file, not refitted): r = %.4f, alpha = %.4f, "
                "a = %.4f, b = %.4f\n",
                b->r, b->alpha, b->a, b->b);
    } else if (c->bg_ok) {
        const hz_bgnbd_model *b = &c->bg;
        fprintf(f,
                "BG/NBD: r = %.4f (%.4f), alpha = %.4f (%.4f), a = %.4f "
                "(%.4f), b = %.4f (%.4f), LL = %.2f%s\n",
                b->p.r, b->se[0], b->p.alpha, b->se[1], b->p.a, b->se[2],
                b->p.b, b->se[3], b->loglik, c->loaded ? " (model file)" : "");
        if (b->boundary)
            fprintf(f, "  boundary solution: %s\n", b->note);
    } else if (c->bg_err[0]) {
        fprintf(f, "BG/NBD: failed: %s\n", c->bg_err);
    }
    if (c->pn_ok && c->loaded) {
        const hz_pnbd_params *p = &c->pn.p;
        fprintf(f,
                "Pareto/NBD (model file, not refitted): r = %.4f, alpha = "
                "%.4f, s = %.4f, beta = %.4f\n",
                p->r, p->alpha, p->s, p->beta);
    } else if (c->pn_ok) {
        const hz_pnbd_model *p = &c->pn;
        fprintf(f,
                "Pareto/NBD: r = %.4f (%.4f), alpha = %.4f (%.4f), s = %.4f "
                "(%.4f), beta = %.4f (%.4f), LL = %.2f%s\n",
                p->p.r, p->se[0], p->p.alpha, p->se[1], p->p.s, p->se[2],
                p->p.beta, p->se[3], p->loglik,
                c->loaded ? " (model file)" : "");
        if (p->boundary)
            fprintf(f, "  boundary solution: %s\n", p->note);
    } else if (c->pn_err[0]) {
        fprintf(f, "Pareto/NBD: failed: %s\n", c->pn_err);
    }
    if (c->gg_ok && c->loaded) {
        const hz_gg_params *g = &c->gg.p;
        fprintf(f,
                "Gamma-Gamma (model file, not refitted): p = %.4f, q = %.4f, "
                "gamma = %.4f\n",
                g->p, g->q, g->gamma);
    } else if (c->gg_ok) {
        const hz_gg_model *g = &c->gg;
        fprintf(f,
                "Gamma-Gamma: p = %.4f, q = %.4f, gamma = %.4f, LL = %.2f "
                "(%zu repeat buyer%s",
                g->p.p, g->p.q, g->p.gamma, g->loglik, g->n,
                g->n == 1 ? "" : "s");
        if (g->n_zero > 0) /* a spend of 0 has no place in a gamma */
            fprintf(f,
                    "; %zu with a mean repeat spend of 0, free or fully "
                    "refunded, left out of the fit",
                    g->n_zero);
        fputs(")\n", f);
        if (g->boundary)
            fprintf(f, "  boundary solution: %s\n", g->note);
    } else if (c->gg_err[0]) {
        fprintf(f, "Gamma-Gamma: failed (no CLV, other outputs kept): %s\n",
                c->gg_err);
    }
}

static void text_holdout(const hz_holdout_report *h, hz_time_unit u, FILE *f)
{
    static const char *const lab[HZ_HOLDOUT_BINS] = {"0", "1", "2", "3",
                                                     "4", "5", "6", "7+"};
    fprintf(f,
            "holdout (%s, %.4g %s): predicted %.1f, actual %.0f repeat "
            "transactions; correlation %.3f, MAE %.3f\n",
            hz_purchase_kind_label(h->model), h->duration,
            u == HZ_UNIT_WEEKS ? "weeks" : "days", h->predicted_total,
            h->actual_total, h->correlation, h->mae);
    fputs("  calibration x:", f);
    for (int b = 0; b < HZ_HOLDOUT_BINS; b++)
        fprintf(f, " %7s", lab[b]);
    fputs("\n  customers    :", f);
    for (int b = 0; b < HZ_HOLDOUT_BINS; b++)
        fprintf(f, " %7zu", h->bin_customers[b]);
    fputs("\n  actual       :", f);
    for (int b = 0; b < HZ_HOLDOUT_BINS; b++)
        fprintf(f, " %7.3f", h->bin_actual[b]);
    fputs("\n  expected     :", f);
    for (int b = 0; b < HZ_HOLDOUT_BINS; b++)
        fprintf(f, " %7.3f", h->bin_predicted[b]);
    fputc('\n', f);
    if (h->weeks > 0)
        fprintf(f,
                "  cumulative repeat transactions at week %zu (calibration "
                "end) %.0f actual, %.1f expected; at week %zu %.0f, %.1f\n",
                h->calibration_weeks,
                h->calibration_weeks ? h->actual_cum[h->calibration_weeks - 1]
                                     : 0.0,
                h->calibration_weeks
                    ? h->expected_cum[h->calibration_weeks - 1]
                    : 0.0,
                h->weeks, h->actual_cum[h->weeks - 1],
                h->expected_cum[h->weeks - 1]);
}

static void text_clv(const hz_analytics_result *r, FILE *f)
{
    const hz__clv_part *c = &r->clv;
    text_models(c, f);
    if (!c->ok) {
        fprintf(f, "CLV: failed: %s\n", c->err);
        return;
    }
    if (c->clv_sorted != NULL) {
        double v[3] = {c->clv_total, c->clv_q[2], c->clv_q[4]};
        int dec = group_decimals(v, 3, 2);
        char t[3][64];
        fprintf(f, "CLV (%s) over %.4g days at %.4g/month: total %s, median "
                   "%s, p90 %s\n",
                hz_purchase_kind_label(c->model), c->horizon_days,
                r->req.discount_rate, fmt_dec(v[0], dec, t[0], 64),
                fmt_dec(v[1], dec, t[1], 64), fmt_dec(v[2], dec, t[2], 64));
    }
    fprintf(f,
            "new customer over %.4g days: E[X] = %.6f, P(X = 0, 1, 2) = "
            "%.4f, %.4f, %.4f\n",
            c->horizon_days, c->expected_new, c->pmf[0], c->pmf[1], c->pmf[2]);
    if (c->sure_alive == r->n)
        fputs("warning: P(alive) >= 0.9999 for every customer (the model "
              "sees no dropout)\n",
              f);
    for (int k = 0; k < 2; k++)
        if (c->hold_ok[k] && r->cs != NULL)
            text_holdout(&c->hold[k], r->cs->unit, f);
}

static void text_churn(const hz_analytics_result *r, FILE *f)
{
    const hz__churn_part *c = &r->churn;
    if (!c->ok) {
        fprintf(f, "churn: failed: %s\n", c->err);
        return;
    }
    fprintf(f, "churn: %s\n", c->method);
    if (!c->labelled) {
        if (isfinite(c->mean_risk))
            fprintf(f, "inactive share %.4f, mean risk %.4f\n", c->rate,
                    c->mean_risk);
        else /* the purchase model failed: no risk, not "nan" */
            fprintf(f, "inactive share %.4f, mean risk n/a\n", c->rate);
        return;
    }
    if (c->has_cv)
        fprintf(f, "churn rate %.4f, CV AUC %.4f +- %.4f, log-loss %.4f\n",
                c->rate, c->cv.auc_mean, c->cv.auc_sd, c->cv.logloss_mean);
    else if (isnan(c->rate)) /* scored with a saved model, no label */
        fprintf(f, "no label column: churn rate and AUC unknown, mean "
                   "churn probability %.4f\n",
                c->mean_risk);
    else if (isnan(c->auc_in)) /* one label only: no ranking to judge */
        fprintf(f, "churn rate %.4f, AUC n/a (in sample: one label only)\n",
                c->rate);
    else
        fprintf(f, "churn rate %.4f, AUC %.4f (in sample)\n", c->rate,
                c->auc_in);
    const char *nm[5];
    double cf[5], orr[5];
    size_t k = hz_analytics_top_drivers(r, 5, nm, cf, orr);
    const bool sci = column_sci(orr, k);
    char o[64];
    for (size_t j = 0; j < k; j++)
        fprintf(f,
                "  driver %-40s coef %+.4f per sd, odds ratio %s per "
                "unit\n",
                nm[j], cf[j], fmt_sig(orr[j], 4, sci, o, sizeof o));
}

static void text_segments(const hz_analytics_result *r, FILE *f)
{
    const hz__seg_part *s = &r->seg;
    if (!s->ok) {
        fprintf(f, "segments: failed: %s\n", s->err);
        return;
    }
    double share[HZ_SEG_COUNT];
    for (int g = 0; g < HZ_SEG_COUNT; g++)
        share[g] = s->segprof[g].size ? s->segprof[g].revenue_share : 0;
    int sdec = group_decimals(share, HZ_SEG_COUNT, 3);
    char t[64];
    for (int g = 0; g < HZ_SEG_COUNT; g++)
        if (s->segprof[g].size)
            fprintf(f, "  %-20s %8zu customer%s, revenue share %s\n",
                    hz_rfm_segment_name(g), s->segprof[g].size,
                    s->segprof[g].size == 1 ? "" : "s",
                    fmt_dec(share[g], sdec, t, sizeof t));
    char how[160];
    hz__kmeans_k_how(s, how, sizeof how);
    fprintf(f, "k-means: k = %d (%s), inertia %.2f, %d iteration%s\n", s->k,
            how, s->inertia, s->iterations, s->iterations == 1 ? "" : "s");
    double *spend = malloc((size_t)(s->k > 0 ? s->k : 1) * sizeof *spend);
    for (int g = 0; spend != NULL && g < s->k; g++)
        spend[g] = s->centers[3 * g + 2];
    int cdec = spend != NULL ? group_decimals(spend, (size_t)s->k, 2) : 2;
    free(spend);
    for (int g = 0; g < s->k; g++)
        fprintf(f,
                "  cluster %d: %zu customer%s, centre recency %.1f days, "
                "frequency %.2f, spend %s\n",
                g, s->clprof[g].size, s->clprof[g].size == 1 ? "" : "s",
                s->centers[3 * g], s->centers[3 * g + 1],
                fmt_dec(s->centers[3 * g + 2], cdec, t, sizeof t));
}

static void text_survival(const hz_analytics_result *r, FILE *f)
{
    const hz__surv_part *s = &r->surv;
    const hz_km_curve *k = &s->km;
    if (!s->ok) {
        fprintf(f, "survival: failed: %s\n", s->err);
        return;
    }
    fprintf(f, "Kaplan-Meier: %zu customer%s, %zu event%s, median ", k->n,
            k->n == 1 ? "" : "s", k->events, k->events == 1 ? "" : "s");
    if (isnan(k->median)) /* S(t) stays above 0.5 */
        fputs("not reached\n", f);
    else
        fprintf(f, "%g\n", k->median);
    fprintf(f, "  %8s %10s %10s %10s\n", "time", "S(t)", "lower", "upper");
    for (size_t t = 0; t < s->ntimes; t++) {
        double tt = s->times[t];
        size_t j = 0;
        while (j + 1 < k->m && k->time[j + 1] <= tt)
            j++;
        bool any = k->m > 0 && k->time[0] <= tt;
        double st = hz_km_at(k, tt);
        if (isnan(st)) /* after the longest duration */
            fprintf(f, "  %8g    unknown: after the longest duration, %g\n",
                    tt, k->max_time);
        else {
            /* a band that has no value (S reached 0: log S has none) is
             * n/a, as JSON's null, not "nan" */
            double b[2] = {any ? k->lower[j] : 1.0, any ? k->upper[j] : 1.0};
            fprintf(f, "  %8g %10.5f", tt, st);
            for (int e = 0; e < 2; e++)
                if (isnan(b[e]))
                    fprintf(f, " %10s", "n/a");
                else
                    fprintf(f, " %10.5f", b[e]);
            fputc('\n', f);
        }
    }
    if (!s->cox_ok) /* no covariates (a Cox model that fails fails all) */
        return;
    const hz_cox_model *m = &s->cox;
    fprintf(f, "Cox (Breslow ties): %zu customer%s", m->n,
            m->n == 1 ? "" : "s");
    if (m->n < k->n) /* documented: never at risk at an event time */
        fprintf(f, " (%zu with duration 0 left out: never at risk)",
                k->n - m->n);
    fprintf(f, ", %zu event%s, log partial likelihood %.4f\n", m->events,
            m->events == 1 ? "" : "s", m->loglik);
    const bool sci = column_sci(m->pvalue, m->p);
    char pv[64];
    for (size_t j = 0; j < m->p; j++)
        fprintf(f, "  %-45s coef %+.5f (SE %.5f) HR %.4f p %s\n",
                s->names[j], m->coef[j], m->se[j], exp(m->coef[j]),
                fmt_sig(m->pvalue[j], 3, sci, pv, sizeof pv));
}

/* Rows an export wrote twice: kept and counted, or dropped (--dedupe);
 * said either way. */
static void text_duplicates(const hz_analytics_result *r, FILE *f)
{
    const size_t k = r->dup_rows;
    if (k == 0)
        return;
    if (r->dup_dropped)
        fprintf(f,
                "duplicates: %zu row%s that repeat%s an earlier row in every "
                "column dropped (--dedupe; first: %s)\n",
                k, k == 1 ? "" : "s", k == 1 ? "s" : "", r->dup_first);
    else {
        const size_t nr = r->dup_refunds;
        char how[128];
        if (nr == 0)
            snprintf(how, sizeof how, "each counted as a purchase");
        else if (nr == k)
            snprintf(how, sizeof how, "each netted again as a refund");
        else
            snprintf(how, sizeof how,
                     "each counted again (%zu as purchase%s, %zu netted "
                     "again as refund%s)",
                     k - nr, k - nr == 1 ? "" : "s", nr, nr == 1 ? "" : "s");
        fprintf(f,
                "warning: %zu row%s repeat%s an earlier row in every column "
                "(first: %s): kept, %s; if the export wrote them twice, give "
                "--dedupe to drop them\n",
                k, k == 1 ? "" : "s", k == 1 ? "s" : "", r->dup_first, how);
    }
}

/* Refunds are netted, not dropped: said with their count and sum. */
static void text_refunds(const hz_customer_summary *s, FILE *f)
{
    if (s->refund_rows + s->holdout_refund_rows == 0)
        return;
    double v[2] = {s->refund_total, s->holdout_refund_total};
    const int dec = group_decimals(v, 2, 2);
    char t[64], th[64];
    if (s->refund_rows > 0) /* none up to the calibration end: not said */
        fprintf(f,
                "refunds: %zu row%s with a negative amount (total %s)%s: "
                "returns, not purchases; each is netted against the "
                "customer's latest purchases on or before it (total_spend "
                "and monetary_value are net, the refunds column has each "
                "customer's), frequency, recency and orders count "
                "purchases only\n",
                s->refund_rows, s->refund_rows == 1 ? "" : "s",
                fmt_dec(v[0], dec, t, sizeof t),
                s->has_holdout ? " up to the calibration end" : "");
    if (s->holdout_refund_rows > 0)
        fprintf(f,
                "refunds in the holdout: %zu row%s after the calibration end "
                "(total %s): they net the holdout's spend, not the "
                "calibration's figures, which stand as at its end\n",
                s->holdout_refund_rows, s->holdout_refund_rows == 1 ? "" : "s",
                fmt_dec(v[1], dec, th, sizeof th));
    /* a holdout refund with no holdout purchase to net returns a
     * calibration purchase: it changes no figure, and is said so (until
     * 2026-12-07 it went unsaid under "they net the holdout's spend") */
    if (s->holdout_refund_cal_customers > 0) {
        char tc[64];
        fprintf(f,
                "refunds in the holdout of calibration purchases: %s of "
                "them, from %zu customer%s with no holdout purchase left to "
                "net, change no figure\n",
                fmt_dec(s->holdout_refund_cal_total, dec, tc, sizeof tc),
                s->holdout_refund_cal_customers,
                s->holdout_refund_cal_customers == 1 ? "" : "s");
    }
}

bool hz_analytics_as_of_warning(const hz_analytics_result *r, char *buf,
                                size_t cap)
{
    return r != NULL && r->cs != NULL && hz__as_of_warning(r->cs, buf, cap);
}

void hz_analytics_result_write_notes(const hz_analytics_result *r, FILE *f)
{
    if (r->cs == NULL)
        return;
    char a[160], w[400];
    hz__as_of_text(r->cs, a, sizeof a);
    fprintf(f, "as of %s\n", a);
    if (hz__as_of_warning(r->cs, w, sizeof w))
        fprintf(f, "warning: %s\n", w);
    text_refunds(r->cs, f);
    text_duplicates(r, f);
    /* with a holdout every customer is measured at the calibration end:
     * say so, or "as of" reads as the date of the recency, the segments
     * and the risk (until 2026-12-07 the text named only as-of) */
    if (r->cs->calibration_end != r->cs->as_of) {
        char d[16];
        fprintf(f,
                "calibration end %s: customers are measured there "
                "(recency, frequency, spend, segments, risk); the "
                "purchases after it are the holdout\n",
                hz_format_day(r->cs->calibration_end, d));
    }
    if (r->cs->n_after_calibration > 0)
        fprintf(f,
                "%zu customer%s first bought after the calibration end "
                "(new in the holdout): not in the calibration cohort, left "
                "out\n",
                r->cs->n_after_calibration,
                r->cs->n_after_calibration == 1 ? "" : "s");
}

hz_status hz_analytics_result_write_text(const hz_analytics_result *r, FILE *f,
                                         hz_error *err)
{
    if (r->cs != NULL) /* transactions: the stages' times */
        fprintf(f,
                "analysis: %s, %zu customer%s (%.2f s: summary %.2f, clv "
                "%.2f, segments %.2f)\n",
                hz_analysis_kind_name(r->kind), r->n, r->n == 1 ? "" : "s",
                r->seconds, r->t_summary, r->t_clv, r->t_seg);
    else /* a customer table: none of those stages */
        fprintf(f, "analysis: %s, %zu customer%s (%.2f s)\n",
                hz_analysis_kind_name(r->kind), r->n, r->n == 1 ? "" : "s",
                r->seconds);
    if (r->cs != NULL)
        fprintf(f,
                "columns: customer '%s' (%s), date '%s' (%s), amount '%s' "
                "(%s)\n",
                r->col_name[0], r->col_guessed[0] ? "guessed" : "given",
                r->col_name[1], r->col_guessed[1] ? "guessed" : "given",
                r->col_name[2], r->col_guessed[2] ? "guessed" : "given");
    hz_analytics_result_write_notes(r, f);
    if (r->clv.run)
        text_clv(r, f);
    if (r->churn.run)
        text_churn(r, f);
    if (r->seg.run)
        text_segments(r, f);
    if (r->surv.run)
        text_survival(r, f);
    if (ferror(f))
        return hz_error_set(err, HZ_EIO, "could not write the summary");
    return HZ_OK;
}
