/* The customer-analytics part of a report.  See include/horizon/report.h.
 *
 * Everything is drawn from the analysis' own numbers: the fitted models
 * (BG/NBD, Gamma-Gamma, the churn regression), the per-customer columns
 * and the segment profiles.  Model curves (expected holdout purchases,
 * the P(alive) matrix) are evaluated with the engine's model functions;
 * the ROC curve is computed from the out-of-fold probabilities. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "horizon/bgnbd.h"
#include "horizon/dataset.h"
#include "report/doc.h"

#define NUMBERS "Numbers behind the chart"

static const char *unit_name(const hz_analytics_view *v)
{
    return v->unit == HZ_UNIT_WEEKS ? "weeks" : "days";
}

static hz_status oom(hz_error *err)
{
    return hz_error_set(err, HZ_ENOMEM,
                        "out of memory while writing the report");
}

/* ---- purchases: calibration vs holdout, P(alive) matrix ---- */

#define CAL_BINS 8 /* 0..6 and "7+" repeat purchases */

static void calibration_chart(hz_report *r, const hz_analytics_view *v)
{
    double act[CAL_BINS] = {0}, exp_[CAL_BINS] = {0}, cnt[CAL_BINS] = {0};
    const hz_bgnbd_params *p = &v->bgnbd->p;
    for (size_t i = 0; i < v->n; i++) {
        double x = v->frequency[i];
        size_t bin = x >= CAL_BINS - 1 ? CAL_BINS - 1 : (size_t)x;
        double e = hz_bgnbd_conditional(p, v->duration_holdout, x,
                                        v->recency[i], v->T[i]);
        cnt[bin]++;
        act[bin] += v->frequency_holdout[i];
        exp_[bin] += e;
    }
    static const char *const cat[CAL_BINS] = {"0", "1", "2", "3",
                                              "4", "5", "6", "7+"};
    static const char *const group[2] = {"actual", "expected (BG/NBD)"};
    double vals[2 * CAL_BINS];
    for (size_t b = 0; b < CAL_BINS; b++) {
        vals[2 * b] = cnt[b] ? act[b] / cnt[b] : NAN;
        vals[2 * b + 1] = cnt[b] ? exp_[b] / cnt[b] : NAN;
    }
    hz__bars c = {0};
    c.title = "Calibration against the holdout";
    c.width = HZ__W;
    c.height = HZ__H;
    c.ncat = CAL_BINS;
    c.cat = cat;
    c.cat_label = "repeat purchases in the calibration period";
    c.ngroups = 2;
    c.group = group;
    c.v = vals;
    c.value = (hz__axis){"mean purchases in the holdout",
                         HZ__AXIS_LINEAR,
                         NAN,
                         NAN,
                         true,
                         false};
    c.kind = "calibration";
    hz__doc_figure(r, c.title);
    hz__svg_bars(&r->body, &c);
    char cap[300], d[16];
    snprintf(cap, sizeof cap,
             "Customers grouped by their repeat purchases up to %s: the "
             "mean number of purchases they made in the %g-%s holdout, "
             "against the number the model fitted on the calibration period "
             "expected.",
             hz_format_day(v->calibration_end, d), v->duration_holdout,
             v->unit == HZ_UNIT_WEEKS ? "week" : "day");
    hz__fig_caption(&r->body, cap);
    static const char *const head[] = {"repeat purchases", "customers",
                                       "actual mean", "expected mean"};
    hz__table_begin(&r->body, NUMBERS, false, 4, head);
    for (size_t b = 0; b < CAL_BINS; b++) {
        hz__table_row(&r->body);
        hz__table_str(&r->body, cat[b]);
        hz__table_num(&r->body, cnt[b]);
        hz__table_num(&r->body, vals[2 * b]);
        hz__table_num(&r->body, vals[2 * b + 1]);
    }
    hz__table_end(&r->body, NUMBERS);
    hz__fig_end(&r->body);
}

#define PA_ROWS_MAX 21
#define PA_COLS 24

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The 99th percentile of v[0..n) (n > 0), or NaN on ENOMEM. */
static double p99(const double *v, size_t n)
{
    if (n == 0)
        return NAN;
    double *s = malloc(n * sizeof *s);
    if (s == NULL)
        return NAN;
    memcpy(s, v, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_double);
    double q = s[(size_t)floor(0.99 * (double)(n - 1))];
    free(s);
    return q;
}

/* A probability as a whole percent for the P(alive) table: 24 columns of
 * full numbers ("2.53378e-52", "0.00000506765") made the table 1805 px
 * wide, cut off on A4 paper (718 px); in percent it fits
 * (hz__fmt_pct_whole). */
static void pct_cell(hz__buf *b, double p)
{
    char s[8];
    hz__buf_puts(b, "<td class=\"n\">");
    hz__buf_esc(b, hz__fmt_pct_whole(p, s, sizeof s));
    hz__buf_puts(b, "</td>");
}

static hz_status alive_matrix(hz_report *r, const hz_analytics_view *v)
{
    double tmax = 0;
    for (size_t i = 0; i < v->n; i++)
        tmax = fmax(tmax, v->T[i]);
    double fq = p99(v->frequency, v->n);
    if (isnan(fq))
        return HZ_ENOMEM;
    long fmax_ = (long)ceil(fq);
    if (fmax_ < 1)
        fmax_ = 1;
    long step = (fmax_ + PA_ROWS_MAX - 2) / (PA_ROWS_MAX - 1);
    size_t nrows = (size_t)(fmax_ / step) + 1;
    double vals[PA_ROWS_MAX * PA_COLS], wts[PA_ROWS_MAX * PA_COLS];
    char rl[PA_ROWS_MAX][16], cl[PA_COLS][16];
    const char *rows[PA_ROWS_MAX], *cols[PA_COLS];
    double cw = tmax / PA_COLS;
    for (size_t j = 0; j < PA_COLS; j++) {
        snprintf(cl[j], sizeof cl[j], "%.0f", (double)j * cw + cw / 2);
        cols[j] = cl[j];
    }
    memset(wts, 0, sizeof wts);
    for (size_t i = 0; i < nrows; i++) {
        long x = (long)(nrows - 1 - i) * step; /* highest at the top */
        snprintf(rl[i], sizeof rl[i], "%ld", x);
        rows[i] = rl[i];
        for (size_t j = 0; j < PA_COLS; j++) {
            double tx = x == 0 ? 0 : (double)j * cw + cw / 2;
            vals[i * PA_COLS + j] = hz_bgnbd_p_alive(&v->bgnbd->p, (double)x,
                                                     tx, tmax);
        }
    }
    for (size_t c = 0; c < v->n; c++) { /* customers in each cell */
        long x = (long)v->frequency[c];
        if (x > (long)(nrows - 1) * step + step - 1)
            continue;
        size_t i = nrows - 1 - (size_t)(x / step);
        size_t j = cw > 0 ? (size_t)(v->recency[c] / cw) : 0;
        wts[i * PA_COLS + (j < PA_COLS ? j : PA_COLS - 1)]++;
    }
    hz__heat h = {0};
    char rlab[64], clab[64];
    snprintf(rlab, sizeof rlab, "repeat purchases");
    snprintf(clab, sizeof clab, "recency: age at last purchase (%s)",
             unit_name(v));
    h.title = "Probability of being alive";
    h.width = HZ__W;
    h.height = 60 + 18 * (int)nrows;
    h.nrows = nrows;
    h.ncols = PA_COLS;
    h.row = rows;
    h.col = cols;
    h.row_label = rlab;
    h.col_label = clab;
    h.value_label = "P(alive)";
    h.v = vals;
    h.weight = wts;
    h.vmin = 0;
    h.vmax = 1;
    h.percent = true;
    hz__doc_figure(r, h.title);
    hz__svg_heat(&r->body, &h);
    char cap[320];
    snprintf(cap, sizeof cap,
             "BG/NBD probability that a customer is still active, by "
             "repeat purchases and the age at the last purchase, for a "
             "customer first seen %.0f %s ago (the longest observed). "
             "Tooltips give the number of customers in each cell.",
             tmax, unit_name(v));
    hz__fig_caption(&r->body, cap);
    const char *head[1 + PA_COLS];
    head[0] = "repeat purchases \\ recency";
    for (size_t j = 0; j < PA_COLS; j++)
        head[j + 1] = cols[j];
    hz__table_begin(&r->body, NUMBERS " (P(alive) in percent)", false,
                    1 + PA_COLS, head);
    for (size_t i = 0; i < nrows; i++) {
        hz__table_row(&r->body);
        hz__table_str(&r->body, rows[i]);
        for (size_t j = 0; j < PA_COLS; j++)
            pct_cell(&r->body, vals[i * PA_COLS + j]);
    }
    hz__table_end(&r->body, NUMBERS " (P(alive) in percent)");
    hz__fig_end(&r->body);
    return HZ_OK;
}

static void model_table(hz_report *r, const hz_analytics_view *v)
{
    static const char *const head[] = {"model", "parameter", "estimate",
                                       "standard error"};
    hz__table_begin(&r->body, NULL, false, 4, head);
    static const char *const bn[4] = {"r", "alpha", "a", "b"};
    const double bp[4] = {v->bgnbd->p.r, v->bgnbd->p.alpha, v->bgnbd->p.a,
                          v->bgnbd->p.b};
    for (int k = 0; k < 4; k++) {
        hz__table_row(&r->body);
        hz__table_str(&r->body, "BG/NBD");
        hz__table_str(&r->body, bn[k]);
        hz__table_num(&r->body, bp[k]);
        hz__table_num(&r->body, v->bgnbd->se[k]);
    }
    if (v->gg != NULL) {
        static const char *const gn[3] = {"p", "q", "gamma"};
        const double gp[3] = {v->gg->p.p, v->gg->p.q, v->gg->p.gamma};
        for (int k = 0; k < 3; k++) {
            hz__table_row(&r->body);
            hz__table_str(&r->body, "Gamma-Gamma");
            hz__table_str(&r->body, gn[k]);
            hz__table_num(&r->body, gp[k]);
            hz__table_num(&r->body, v->gg->se[k]);
        }
    }
    hz__table_end(&r->body, NULL);
}

static hz_status purchases_section(hz_report *r, const hz_analytics_view *v)
{
    hz__doc_section(r, "customers", "Customers: purchases and activity");
    char ll[48];
    hz__buf_printf(&r->body,
                   "<p>BG/NBD fitted on %zu customer%s (log-likelihood %s)",
                   v->bgnbd->n, v->bgnbd->n == 1 ? "" : "s",
                   hz__fmt_value(v->bgnbd->loglik, 6, ll, sizeof ll));
    if (v->gg != NULL)
        hz__buf_printf(&r->body,
                       "; Gamma-Gamma spend model on %zu repeat buyer%s",
                       v->gg->n, v->gg->n == 1 ? "" : "s");
    hz__buf_puts(&r->body, ".</p>\n");
    model_table(r, v);
    if (v->frequency_holdout != NULL && v->duration_holdout > 0)
        calibration_chart(r, v);
    hz_status st = alive_matrix(r, v);
    hz__doc_section_end(r);
    return st;
}

/* ---- distributions (CLV, churn risk) ---- */

static hz_status histogram(hz_report *r, const double *x, size_t n,
                           size_t nbins, double cap_q, const char *title,
                           const char *xlab, const char *caption)
{
    double *edges = malloc((nbins + 4) * sizeof *edges);
    double *counts = malloc((nbins + 3) * sizeof *counts);
    if (edges == NULL || counts == NULL) {
        free(edges);
        free(counts);
        return HZ_ENOMEM;
    }
    bool open = false;
    size_t nb = hz__hist_bins(x, n, nbins, cap_q, edges, counts, &open);
    if (nb > 0) {
        hz__hist h = {title, HZ__W, HZ__H, edges,      counts,
                      nb,    open,  xlab,  "customers"};
        hz__doc_figure(r, title);
        hz__svg_hist(&r->body, &h);
        char cap[600], a[48], b[48];
        if (open)
            snprintf(cap, sizeof cap,
                     "%s The last bar (vermillion) holds the %.0f customer%s "
                     "above %s, up to %s; its width is not to scale.",
                     caption, counts[nb - 1], counts[nb - 1] == 1 ? "" : "s",
                     hz__fmt_value(edges[nb - 1], 4, a, sizeof a),
                     hz__fmt_value(edges[nb], 4, b, sizeof b));
        else
            snprintf(cap, sizeof cap, "%s", caption);
        hz__fig_caption(&r->body, cap);
        static const char *const head[] = {"from", "to (excluded)",
                                           "customers"};
        hz__table_begin(&r->body, NUMBERS, false, 3, head);
        for (size_t i = 0; i < nb; i++) {
            hz__table_row(&r->body);
            hz__table_num(&r->body, edges[i]);
            hz__table_num(&r->body, edges[i + 1]);
            hz__table_num(&r->body, counts[i]);
        }
        hz__table_end(&r->body, NUMBERS);
        hz__fig_end(&r->body);
    }
    free(edges);
    free(counts);
    return HZ_OK;
}

static hz_status clv_section(hz_report *r, const hz_analytics_view *v)
{
    hz__doc_section(r, "clv", "Customers: lifetime value");
    double total = 0;
    for (size_t i = 0; i < v->n; i++)
        if (isfinite(v->clv[i]))
            total += v->clv[i];
    char t[48], cap[400];
    hz__buf_printf(&r->body,
                   "<p>Discounted value of the next %d month%s expected "
                   "purchases: %s in total over %zu customer%s.</p>\n",
                   v->horizon_months, v->horizon_months == 1 ? "'s" : "s'",
                   hz__fmt_value(total, 4, t, sizeof t),
                   v->n, v->n == 1 ? "" : "s");
    snprintf(cap, sizeof cap, "Customers by %d-month CLV.", v->horizon_months);
    char xl[64];
    snprintf(xl, sizeof xl, "CLV over %d month%s", v->horizon_months,
             v->horizon_months == 1 ? "" : "s");
    hz_status st = histogram(r, v->clv, v->n, 30, 0.99,
                             "Distribution of customer lifetime value", xl,
                             cap);
    hz__doc_section_end(r);
    return st;
}

/* ---- segments ---- */

static void segment_chart(hz_report *r, const hz_analytics_view *v)
{
    const char *cat[HZ_SEG_COUNT];
    double vals[2 * HZ_SEG_COUNT];
    static const char *const group[] = {"share of customers (%)",
                                        "share of revenue (%)"};
    for (int g = 0; g < HZ_SEG_COUNT; g++) {
        cat[g] = hz_rfm_segment_name(g);
        vals[2 * g] = 100 * v->segment_profile[g].share;
        vals[2 * g + 1] = 100 * v->segment_profile[g].revenue_share;
    }
    hz__bars c = {0};
    c.title = "Segment sizes and revenue shares";
    c.width = HZ__W;
    c.height = 90 + 30 * HZ_SEG_COUNT;
    c.ncat = HZ_SEG_COUNT;
    c.cat = cat;
    c.ngroups = 2;
    c.group = group;
    c.v = vals;
    c.value = (hz__axis){"percent", HZ__AXIS_LINEAR, NAN, NAN, true, false};
    c.horizontal = true;
    c.kind = "segments";
    hz__doc_figure(r, c.title);
    hz__svg_bars(&r->body, &c);
    hz__fig_caption(&r->body,
                    "RFM segments (quintile scores of recency and frequency): "
                    "their share of customers and of calibration-period "
                    "revenue.");
    static const char *const head[] = {"segment",
                                       "customers",
                                       "share of customers",
                                       "revenue",
                                       "share of revenue",
                                       "mean days since last",
                                       "mean purchase days",
                                       "mean total spend"};
    hz__table_begin(&r->body, NUMBERS, true, 8, head);
    for (int g = 0; g < HZ_SEG_COUNT; g++) {
        const hz_segment_profile *p = &v->segment_profile[g];
        hz__table_row(&r->body);
        hz__table_str(&r->body, cat[g]);
        hz__table_int(&r->body, (long long)p->size);
        hz__table_num(&r->body, p->share);
        hz__table_num(&r->body, p->revenue);
        hz__table_num(&r->body, p->revenue_share);
        hz__table_num(&r->body, p->size ? p->mean_recency : NAN);
        hz__table_num(&r->body, p->size ? p->mean_frequency : NAN);
        hz__table_num(&r->body, p->size ? p->mean_monetary : NAN);
    }
    hz__table_end(&r->body, NUMBERS);
    hz__fig_end(&r->body);
}

static hz_status rfm_scatter(hz_report *r, const hz_analytics_view *v)
{
    size_t every = v->n > r->opt.scatter_max
                       ? (v->n + r->opt.scatter_max - 1) / r->opt.scatter_max
                       : 1;
    size_t m = (v->n + every - 1) / every;
    double *x = malloc(m * sizeof *x), *y = malloc(m * sizeof *y);
    uint8_t *g = malloc(m);
    if (x == NULL || y == NULL || g == NULL) {
        free(x);
        free(y);
        free(g);
        return HZ_ENOMEM;
    }
    for (size_t k = 0; k < m; k++) {
        x[k] = v->days_since_last[k * every];
        y[k] = v->frequency[k * every] + 1;
        g[k] = v->segment[k * every];
    }
    const char *names[HZ_SEG_COUNT];
    for (int s = 0; s < HZ_SEG_COUNT; s++)
        names[s] = hz_rfm_segment_name(s);
    hz__scatter s = {0};
    s.title = "Recency and frequency by segment";
    s.width = HZ__W;
    s.height = 420;
    s.x = (hz__axis){"days since the last purchase",
                     HZ__AXIS_LINEAR,
                     NAN,
                     NAN,
                     true,
                     false};
    s.y = (hz__axis){
        "purchase days (log scale)", HZ__AXIS_LOG, NAN, NAN, false, false};
    s.xv = x;
    s.yv = y;
    s.group = g;
    s.n = m;
    s.ngroups = HZ_SEG_COUNT;
    s.group_name = names;
    hz__doc_figure(r, s.title);
    hz__svg_scatter(&r->body, &s);
    char cap[300];
    if (every > 1)
        snprintf(cap, sizeof cap,
                 "One customer in every %zu, in the result's order (%zu of "
                 "%zu), coloured by RFM segment; squares mark segments "
                 "beyond the eighth colour.",
                 every, m, v->n);
    else
        snprintf(cap, sizeof cap,
                 "%s %zu customer%s, coloured by RFM segment; squares mark "
                 "segments beyond the eighth colour.",
                 v->n == 1 ? "The" : "All", v->n, v->n == 1 ? "" : "s");
    hz__fig_caption(&r->body, cap);
    static const char *const head[] = {"segment", "days since last",
                                       "purchase days"};
    hz__table_begin(&r->body, NUMBERS " (the points drawn)", true, 3, head);
    for (size_t k = 0; k < m; k++) {
        hz__table_row(&r->body);
        hz__table_str(&r->body, names[g[k]]);
        hz__table_num(&r->body, x[k]);
        hz__table_num(&r->body, y[k]);
    }
    hz__table_end(&r->body, NUMBERS " (the points drawn)");
    hz__fig_end(&r->body);
    free(x);
    free(y);
    free(g);
    return HZ_OK;
}

static void cluster_table(hz_report *r, const hz_analytics_view *v)
{
    hz__buf_printf(&r->body,
                   "<h3>k-means clusters (k = %d)</h3><p class=\"note\">On "
                   "standardised log recency, purchase days and total "
                   "spend.</p>",
                   v->k);
    static const char *const head[] = {"cluster",
                                       "customers",
                                       "share of customers",
                                       "share of revenue",
                                       "mean days since last",
                                       "mean purchase days",
                                       "mean total spend"};
    hz__table_begin(&r->body, NULL, true, 7, head);
    for (int c = 0; c < v->k; c++) {
        const hz_segment_profile *p = &v->cluster_profile[c];
        hz__table_row(&r->body);
        hz__table_int(&r->body, c);
        hz__table_int(&r->body, (long long)p->size);
        hz__table_num(&r->body, p->share);
        hz__table_num(&r->body, p->revenue_share);
        hz__table_num(&r->body, p->size ? p->mean_recency : NAN);
        hz__table_num(&r->body, p->size ? p->mean_frequency : NAN);
        hz__table_num(&r->body, p->size ? p->mean_monetary : NAN);
    }
    hz__table_end(&r->body, NULL);
}

static hz_status segments_section(hz_report *r, const hz_analytics_view *v)
{
    hz__doc_section(r, "segments", "Customers: segments");
    segment_chart(r, v);
    hz_status st = HZ_OK;
    if (v->days_since_last != NULL && v->frequency != NULL)
        st = rfm_scatter(r, v);
    if (st == HZ_OK && v->k > 0 && v->cluster_profile != NULL)
        cluster_table(r, v);
    hz__doc_section_end(r);
    return st;
}

/* ---- churn ---- */

#define DRIVERS_MAX 15

static hz_status drivers_chart(hz_report *r, const hz_analytics_view *v)
{
    size_t n = v->nfeat, m = n < DRIVERS_MAX ? n : DRIVERS_MAX;
    size_t *idx = malloc(n * sizeof *idx);
    const char **cat = malloc(m * sizeof *cat);
    double *val = malloc(3 * m * sizeof *val);
    if (idx == NULL || cat == NULL || val == NULL) {
        free(idx);
        free(cat);
        free(val);
        return HZ_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    for (size_t a = 0; a < m; a++) /* top m by |coef|, ties by index */
        for (size_t b = a + 1; b < n; b++)
            if (fabs(v->coef[idx[b]]) > fabs(v->coef[idx[a]])) {
                size_t t = idx[a];
                idx[a] = idx[b];
                idx[b] = t;
            }
    bool ci = v->coef_lo != NULL && v->coef_hi != NULL;
    for (size_t a = 0; a < m; a++) {
        cat[a] = v->feat[idx[a]];
        val[a] = v->coef[idx[a]];
        val[m + a] = ci ? v->coef_lo[idx[a]] : NAN;
        val[2 * m + a] = ci ? v->coef_hi[idx[a]] : NAN;
    }
    static const char *const group[] = {"coefficient"};
    hz__bars c = {0};
    c.title = "Churn drivers";
    c.width = HZ__W;
    c.height = 70 + 24 * (int)m;
    c.ncat = m;
    c.cat = cat;
    c.ngroups = 1;
    c.group = group;
    c.v = val;
    c.lo = ci ? val + m : NULL;
    c.hi = ci ? val + 2 * m : NULL;
    c.value = (hz__axis){"coefficient (log-odds per standard deviation)",
                         HZ__AXIS_LINEAR,
                         NAN,
                         NAN,
                         true,
                         false};
    c.horizontal = true;
    c.kind = "drivers";
    hz__doc_figure(r, c.title);
    hz__svg_bars(&r->body, &c);
    char cap[300];
    snprintf(cap, sizeof cap,
             "The %zu largest standardised coefficients of the churn model "
             "(positive: more churn)%s.",
             m,
             ci ? "; whiskers: confidence intervals"
                : "; no intervals are available for this fit");
    hz__fig_caption(&r->body, cap);
    static const char *const head[] = {"feature", "coefficient", "odds ratio",
                                       "lower", "upper"};
    hz__table_begin(&r->body, NUMBERS " (every feature)", true, 5, head);
    for (size_t i = 0; i < n; i++) {
        hz__table_row(&r->body);
        hz__table_str(&r->body, v->feat[i]);
        hz__table_num(&r->body, v->coef[i]);
        hz__table_num(&r->body, exp(v->coef[i]));
        hz__table_num(&r->body, ci ? v->coef_lo[i] : NAN);
        hz__table_num(&r->body, ci ? v->coef_hi[i] : NAN);
    }
    hz__table_end(&r->body, NUMBERS " (every feature)");
    hz__fig_end(&r->body);
    free(idx);
    free(cat);
    free(val);
    return HZ_OK;
}

typedef struct scored {
    double p;
    int8_t y;
} scored;

static int by_score_desc(const void *a, const void *b)
{
    const scored *x = a, *y = b;
    return (x->p < y->p) - (x->p > y->p);
}

/* ROC points of the out-of-fold probabilities, thinned to steps of at
 * least 1/400 on either axis; *auc by the trapezoid rule on all of
 * them. */
static size_t roc_points(const hz_analytics_view *v, double *fpr, double *tpr,
                         size_t cap, double *auc, bool *ok)
{
    *ok = false;
    scored *s = malloc(v->n * sizeof *s);
    if (s == NULL)
        return 0;
    size_t m = 0;
    double P = 0, N = 0;
    for (size_t i = 0; i < v->n; i++)
        if (isfinite(v->churn_oof[i]) && v->label[i] >= 0) {
            s[m].p = v->churn_oof[i];
            s[m++].y = v->label[i] ? 1 : 0;
            P += v->label[i] ? 1 : 0;
        }
    N = (double)m - P;
    if (P == 0 || N == 0) {
        free(s);
        return 0;
    }
    qsort(s, m, sizeof *s, by_score_desc);
    size_t k = 0;
    double tp = 0, fp = 0, area = 0, lx = 0, ly = 0;
    fpr[k] = 0;
    tpr[k++] = 0;
    for (size_t i = 0; i < m;) {
        size_t j = i;
        while (j < m && s[j].p == s[i].p) { /* ties move together */
            tp += s[j].y;
            fp += 1 - s[j].y;
            j++;
        }
        double x = fp / N, y = tp / P;
        area += (x - lx) * (y + ly) / 2;
        lx = x;
        ly = y;
        if (k < cap - 1 && (j == m || x - fpr[k - 1] >= 1.0 / 400 ||
                            y - tpr[k - 1] >= 1.0 / 400)) {
            fpr[k] = x;
            tpr[k++] = y;
        }
        i = j;
    }
    if (fpr[k - 1] != 1 || tpr[k - 1] != 1) {
        fpr[k] = 1;
        tpr[k++] = 1;
    }
    *auc = area;
    *ok = true;
    free(s);
    return k;
}

static hz_status roc_chart(hz_report *r, const hz_analytics_view *v)
{
    size_t npts = 1000;
    double *fpr = malloc(npts * sizeof *fpr);
    double *tpr = malloc(npts * sizeof *tpr);
    if (fpr == NULL || tpr == NULL) {
        free(fpr);
        free(tpr);
        return HZ_ENOMEM;
    }
    double auc = NAN;
    bool ok;
    size_t k = roc_points(v, fpr, tpr, npts, &auc, &ok);
    if (ok) {
        hz__line line = {"out-of-fold", fpr, tpr, k, HZ__LINE, 3};
        hz__plot p = {0};
        p.title = "ROC curve";
        p.width = 520;
        p.height = 440;
        p.x = (hz__axis){
            "false positive rate", HZ__AXIS_LINEAR, 0, 1, true, false};
        p.y = (hz__axis){
            "true positive rate", HZ__AXIS_LINEAR, 0, 1, true, false};
        p.lines = &line;
        p.nlines = 1;
        p.diagonal = true;
        p.marker_x = NAN;
        p.kind = "roc";
        hz__doc_figure(r, p.title);
        hz__svg_plot(&r->body, &p);
        char cap[300], a[32], b[32], c[32];
        snprintf(cap, sizeof cap,
                 "Out-of-fold probabilities of %d-fold cross-validation: "
                 "pooled AUC %s; mean AUC over the folds %s (sd %s). Dotted: "
                 "a model no better than chance.",
                 v->folds, hz__fmt_value(auc, 4, a, sizeof a),
                 hz__fmt_value(v->auc, 4, b, sizeof b),
                 hz__fmt_value(v->auc_sd, 2, c, sizeof c));
        hz__fig_caption(&r->body, cap);
        static const char *const head[] = {"false positive rate",
                                           "true positive rate"};
        hz__table_begin(&r->body, NUMBERS, false, 2, head);
        for (size_t i = 0; i < k; i++) {
            hz__table_row(&r->body);
            hz__table_num(&r->body, fpr[i]);
            hz__table_num(&r->body, tpr[i]);
        }
        hz__table_end(&r->body, NUMBERS);
        hz__fig_end(&r->body);
    }
    free(fpr);
    free(tpr);
    return HZ_OK;
}

static hz_status churn_section(hz_report *r, const hz_analytics_view *v)
{
    hz__doc_section(r, "churn", "Customers: churn");
    char rate[32], risk[32];
    hz__buf_puts(&r->body, "<p>");
    hz__buf_esc(&r->body, v->churn_method);
    hz__buf_printf(&r->body, ". Churn rate %s; mean predicted risk %s.</p>\n",
                   hz_fmt_pct(v->churn_rate, 0, rate, sizeof rate),
                   hz_fmt_pct(v->churn_mean_risk, 0, risk, sizeof risk));
    hz_status st = HZ_OK;
    const double *risk_v = NULL;
    double *tmp = NULL;
    if (v->churn_labelled) {
        if (v->nfeat > 0)
            st = drivers_chart(r, v);
        if (st == HZ_OK && v->churn_oof != NULL && v->label != NULL)
            st = roc_chart(r, v);
        risk_v = v->churn_prob;
    } else if (v->p_alive != NULL) {
        tmp = malloc(v->n * sizeof *tmp);
        if (tmp == NULL)
            st = HZ_ENOMEM;
        for (size_t i = 0; tmp != NULL && i < v->n; i++)
            tmp[i] = 1 - v->p_alive[i];
        risk_v = tmp;
    }
    if (st == HZ_OK && risk_v != NULL)
        st = histogram(r, risk_v, v->n, 20, 1, "Distribution of churn risk",
                       v->churn_labelled ? "predicted churn probability"
                                         : "churn risk = 1 - P(alive)",
                       "Customers by predicted churn risk.");
    free(tmp);
    hz__doc_section_end(r);
    return st;
}

/* The text summary's notes on the data (as-of, refunds, duplicate rows,
 * calibration end), one paragraph a line: a warning as such (until
 * 2026-12-07 the page had none of them). */
static void data_notes(hz_report *r, const char *notes)
{
    static const char warn[] = "warning: ";
    for (const char *s = notes; s != NULL && *s != '\0';) {
        const char *nl = strchr(s, '\n');
        size_t n = nl != NULL ? (size_t)(nl - s) : strlen(s);
        char line[2048];
        snprintf(line, sizeof line, "%.*s", (int)n, s);
        const bool w = strncmp(line, warn, sizeof warn - 1) == 0;
        if (n > 0)
            hz__doc_note(r, w ? "warn" : "note",
                         w ? line + sizeof warn - 1 : line);
        s += n + (nl != NULL);
    }
}

static void part_errors(hz_report *r, const hz_analytics_view *v)
{
    const char *parts[3] = {"CLV", "churn", "segments"};
    const char *errs[3] = {v->clv_error, v->churn_error, v->segment_error};
    for (int i = 0; i < 3; i++)
        if (errs[i] != NULL && errs[i][0]) {
            char msg[HZ_ERROR_MAX + 64];
            snprintf(msg, sizeof msg, "The %s part could not be computed: %s",
                     parts[i], errs[i]);
            hz__doc_note(r, "warn", msg);
        }
}

/* Key figures: the ranked summaries (summary.h) of each part. */
static hz_status key_figures(hz_report *r, const hz_analytics_view *v,
                             hz_error *err)
{
    hz_summary *s = hz_summary_new("customers");
    hz_summary_driver *drv = calloc(v->nfeat + 1, sizeof *drv);
    if (s == NULL || drv == NULL) {
        hz_summary_free(s);
        free(drv);
        return oom(err);
    }
    hz_error e2;
    if (v->clv != NULL) {
        char model[64]; /* the model the CLV comes from, by its label */
        snprintf(model, sizeof model, "%s%s",
                 hz_purchase_kind_label(v->purchase_model),
                 v->gg != NULL ? " and Gamma-Gamma" : "");
        hz_summary_clv(v->clv, v->n, v->horizon_months, model, 0, s, &e2);
    }
    if (v->churn_run && v->churn_method != NULL) {
        for (size_t i = 0; i < v->nfeat; i++)
            drv[i] = (hz_summary_driver){v->feat[i], v->coef[i]};
        hz_summary_churn(
            v->n, v->churn_rate, v->churn_mean_risk, SIZE_MAX, drv, v->nfeat,
            v->churn_model, 1,
            s, &e2);
    }
    if (v->segment_profile != NULL) {
        const char *names[HZ_SEG_COUNT];
        size_t sizes[HZ_SEG_COUNT];
        double revenue[HZ_SEG_COUNT];
        size_t m = 0; /* the segments that hold customers, as a job's
                         summary counts them ("8 segments", not the 11
                         names of which 3 are empty) */
        for (int g = 0; g < HZ_SEG_COUNT; g++) {
            if (v->segment_profile[g].size == 0)
                continue;
            names[m] = hz_rfm_segment_name(g);
            sizes[m] = v->segment_profile[g].size;
            revenue[m] = v->segment_profile[g].revenue;
            m++;
        }
        if (m > 0)
            hz_summary_segments(names, sizes, revenue, m, 2, s, &e2);
    }
    hz_summary_sort(s);
    if (s->n > 12) /* the most important; the sections have the rest */
        s->n = 12;
    hz_status st = hz_report_summary(r, s, err);
    hz_summary_free(s);
    free(drv);
    return st;
}

hz_status hz_report_customers(hz_report *r, const hz_analytics_view *v,
                              hz_error *err)
{
    if (r == NULL || v == NULL || v->n == 0)
        return hz_error_set(err, HZ_EINVAL, "report: no customers");
    char d[16];
    hz__buf_printf(&r->body, "<p class=\"lead\">%s analysis of %zu customer%s",
                   hz_analysis_kind_name(v->kind), v->n, v->n == 1 ? "" : "s");
    if (v->frequency != NULL)
        hz__buf_printf(&r->body, " (transactions up to %s; time in %s)",
                       hz_format_day(v->as_of, d), unit_name(v));
    hz__buf_puts(&r->body, ".</p>\n");
    data_notes(r, v->notes);
    part_errors(r, v);
    hz_status st = HZ_OK;
    if (v->bgnbd != NULL && v->frequency != NULL)
        st = purchases_section(r, v);
    if (st == HZ_OK && v->clv != NULL)
        st = clv_section(r, v);
    if (st == HZ_OK && v->segment != NULL && v->segment_profile != NULL)
        st = segments_section(r, v);
    if (st == HZ_OK && v->churn_run && v->churn_method != NULL)
        st = churn_section(r, v);
    if (st != HZ_OK)
        return oom(err);
    st = key_figures(r, v, err);
    if (st != HZ_OK)
        return st;
    return hz__buf_status(&r->body, err);
}
