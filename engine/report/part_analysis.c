/* The parts of a customer analysis that the view (analytics_view.h) does
 * not carry: the cumulative tracking of repeat purchases over time against
 * the purchase models' expectations (holdout.h) and the Kaplan-Meier
 * survival curve with the Cox model (survival.h).  See
 * include/horizon/report.h, hz_report_analysis. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "horizon/analytics.h"
#include "horizon/dataset.h"
#include "report/doc.h"

#define NUMBERS "Numbers behind the chart"

/* ---- cumulative tracking ---- */

/* Week-end day numbers of a holdout report's tracking table. */
static double *week_days(const hz_holdout_report *h)
{
    double *x = malloc(h->weeks * sizeof *x);
    for (size_t w = 0; x != NULL && w < h->weeks; w++)
        x[w] = (double)h->day0 + 7.0 * (double)(w + 1) - 1.0;
    return x;
}

static void tracking_table(hz_report *r, const hz_holdout_report *const *h,
                           const char *const *names, size_t nm,
                           const double *x)
{
    const char *head[2 + 2];
    char lab[2][64];
    size_t nh = 0;
    head[nh++] = "week ending";
    head[nh++] = "actual";
    for (size_t k = 0; k < nm; k++) {
        snprintf(lab[k], sizeof lab[k], "expected (%s)", names[k]);
        head[nh++] = lab[k];
    }
    hz__table_begin(&r->body, NUMBERS, false, nh, head);
    char d[16];
    for (size_t w = 0; w < h[0]->weeks; w++) {
        hz__table_row(&r->body);
        hz__table_str(&r->body, hz_format_day((int32_t)x[w], d));
        hz__table_num(&r->body, h[0]->actual_cum[w]);
        for (size_t k = 0; k < nm; k++)
            hz__table_num(&r->body, h[k]->expected_cum[w]);
    }
    hz__table_end(&r->body, NUMBERS);
}

/* Actual against expected cumulative repeat purchases, week by week,
 * for each purchase model with a holdout report (same weeks). */
static hz_status tracking_chart(hz_report *r, const hz_analytics_result *res)
{
    const hz_holdout_report *h[2];
    const char *names[2];
    size_t nm = 0;
    const hz_holdout_report *bg = hz_analytics_holdout(res, HZ_PURCHASE_BGNBD);
    const hz_holdout_report *pn = hz_analytics_holdout(res, HZ_PURCHASE_PNBD);
    if (bg != NULL && bg->weeks > 0 && bg->actual_cum && bg->expected_cum) {
        h[nm] = bg;
        names[nm++] = "BG/NBD";
    }
    if (pn != NULL && pn->weeks > 0 && pn->actual_cum && pn->expected_cum &&
        (nm == 0 || (pn->weeks == h[0]->weeks && pn->day0 == h[0]->day0))) {
        h[nm] = pn;
        names[nm++] = "Pareto/NBD";
    }
    if (nm == 0)
        return HZ_OK;
    double *x = week_days(h[0]);
    if (x == NULL)
        return HZ_ENOMEM;
    hz__line lines[3];
    lines[0] = (hz__line){"actual",    x,        h[0]->actual_cum,
                          h[0]->weeks, HZ__LINE, HZ__FG};
    static const char *const lname[2] = {"expected (BG/NBD)",
                                         "expected (Pareto/NBD)"};
    for (size_t k = 0; k < nm; k++)
        lines[1 + k] = (hz__line){names[k][0] == 'B' ? lname[0] : lname[1],
                                  x,
                                  h[k]->expected_cum,
                                  h[k]->weeks,
                                  HZ__DASHED,
                                  k == 0 ? 3 : 0};
    size_t cw = h[0]->calibration_weeks;
    hz__plot p = {0};
    p.title = "Cumulative repeat purchases over time";
    p.width = HZ__W;
    p.height = HZ__H;
    p.x = (hz__axis){"week ending", HZ__AXIS_DATE, NAN, NAN, false, false};
    p.y = (hz__axis){
        "cumulative repeat purchases", HZ__AXIS_LINEAR, NAN, NAN, true, false};
    p.lines = lines;
    p.nlines = 1 + nm;
    p.marker_x = cw > 0 && cw <= h[0]->weeks ? x[cw - 1] : NAN;
    p.kind = "tracking";
    hz__doc_figure(r, p.title);
    hz__svg_plot(&r->body, &p);
    char cap[400], a[32], e[32], d[16];
    size_t last = h[0]->weeks - 1;
    snprintf(cap, sizeof cap,
             "Repeat purchases of every customer from the first purchase "
             "on %s, summed week by week, against the sum of each "
             "customer's expected purchases E[X(t)] since their own first "
             "purchase under the models fitted on the calibration period. "
             "Dotted line: the calibration end; after it, the holdout. At "
             "the last week: %s actual, %s expected (%s).",
             hz_format_day(h[0]->day0, d),
             hz__fmt_value(h[0]->actual_cum[last], 5, a, sizeof a),
             hz__fmt_value(h[0]->expected_cum[last], 5, e, sizeof e),
             names[0]);
    hz__fig_caption(&r->body, cap);
    tracking_table(r, h, names, nm, x);
    hz__fig_end(&r->body);
    free(x);
    return HZ_OK;
}

/* ---- survival ---- */

static void km_table(hz_report *r, const hz_km_curve *km)
{
    static const char *const head[] = {"time", "at risk",   "events",
                                       "S(t)", "lower 95%", "upper 95%"};
    hz__table_begin(&r->body, NUMBERS, false, 6, head);
    for (size_t j = 0; j < km->m; j++) {
        hz__table_row(&r->body);
        hz__table_num(&r->body, km->time[j]);
        hz__table_num(&r->body, km->at_risk[j]);
        hz__table_num(&r->body, km->deaths[j]);
        hz__table_num(&r->body, km->surv[j]);
        hz__table_num(&r->body, km->lower[j]);
        hz__table_num(&r->body, km->upper[j]);
    }
    hz__table_end(&r->body, NUMBERS);
}

/* The step curve from (0, 1) through every event time, with its band
 * drawn as steps too (each event time twice: before and after). */
static hz_status km_chart(hz_report *r, const hz_km_curve *km)
{
    size_t n = km->m + 1, nb = 2 * km->m + 1;
    double *buf = malloc((2 * n + 3 * nb) * sizeof *buf);
    if (buf == NULL)
        return HZ_ENOMEM;
    double *x = buf, *s = buf + n, *bx = buf + 2 * n, *lo = bx + nb,
           *hi = lo + nb;
    x[0] = bx[0] = 0;
    s[0] = lo[0] = hi[0] = 1;
    for (size_t j = 0; j < km->m; j++) {
        x[j + 1] = km->time[j];
        s[j + 1] = km->surv[j];
        bx[2 * j + 1] = bx[2 * j + 2] = km->time[j];
        lo[2 * j + 1] = lo[2 * j];
        hi[2 * j + 1] = hi[2 * j];
        lo[2 * j + 2] = km->lower[j];
        hi[2 * j + 2] = km->upper[j];
    }
    hz__line line = {"Kaplan-Meier S(t)", x, s, n, HZ__STEP, 3};
    hz__band band = {"95% interval", bx, lo, hi, nb, 3, 0};
    hz__plot p = {0};
    p.title = "Survival curve (Kaplan-Meier)";
    p.width = HZ__W;
    p.height = HZ__H;
    p.x = (hz__axis){"time (in the duration column's unit)",
                     HZ__AXIS_LINEAR,
                     0,
                     NAN,
                     true,
                     false};
    p.y = (hz__axis){
        "share still active, S(t)", HZ__AXIS_LINEAR, 0, 1, true, false};
    p.lines = &line;
    p.nlines = 1;
    p.bands = &band;
    p.nbands = 1;
    p.marker_x = isfinite(km->median) ? km->median : NAN;
    p.kind = "survival";
    hz__doc_figure(r, p.title);
    hz__svg_plot(&r->body, &p);
    char cap[320], med[32];
    snprintf(
        cap, sizeof cap,
        "%zu subject%s, %zu event%s. Step curve: the share without the "
        "event by time t; shaded: pointwise 95%% interval (log S, as "
        "R's survfit). %s%s.",
        km->n, km->n == 1 ? "" : "s", km->events, km->events == 1 ? "" : "s",
        isfinite(km->median) ? "Dotted line: the median, "
                             : "The median is not reached",
        isfinite(km->median) ? hz__fmt_value(km->median, 4, med, sizeof med)
                             : "");
    hz__fig_caption(&r->body, cap);
    km_table(r, km);
    hz__fig_end(&r->body);
    free(buf);
    return HZ_OK;
}

static void cox_table(hz_report *r, const hz_cox_model *cox,
                      const char *const *names)
{
    static const char *const head[] = {"covariate",    "coefficient",
                                       "hazard ratio", "HR lower 95%",
                                       "HR upper 95%", "p-value"};
    hz__buf_puts(&r->body, "<h3>Cox proportional hazards model</h3>");
    char intro[200];
    snprintf(intro, sizeof intro,
             "%zu subject%s, %zu event%s; Breslow ties; hazard ratios above "
             "1 shorten survival.",
             cox->n, cox->n == 1 ? "" : "s", cox->events,
             cox->events == 1 ? "" : "s");
    hz__doc_note(r, "note", intro);
    hz__table_begin(&r->body, NULL, true, 6, head);
    for (size_t k = 0; k < cox->p; k++) {
        double b = cox->coef[k], se = cox->se[k];
        hz__table_row(&r->body);
        hz__table_str(&r->body, names != NULL && names[k] ? names[k] : "?");
        hz__table_num(&r->body, b);
        hz__table_num(&r->body, exp(b));
        hz__table_num(&r->body, exp(b - 1.959963984540054 * se));
        hz__table_num(&r->body, exp(b + 1.959963984540054 * se));
        hz__table_num(&r->body, cox->pvalue[k]);
    }
    hz__table_end(&r->body, NULL);
}

static hz_status survival_section(hz_report *r, const hz_analytics_result *res)
{
    const hz_km_curve *km = hz_analytics_km(res);
    if (km == NULL || km->m == 0)
        return HZ_OK;
    hz__doc_section(r, "survival", "Customers: survival");
    hz_status st = km_chart(r, km);
    const char *const *names = NULL;
    const hz_cox_model *cox = hz_analytics_cox(res, &names);
    if (st == HZ_OK && cox != NULL && cox->p > 0)
        cox_table(r, cox, names);
    hz__doc_section_end(r);
    return st;
}

hz_status hz_report_analysis(hz_report *r, const hz_analytics_result *res,
                             hz_error *err)
{
    if (r == NULL || res == NULL)
        return hz_error_set(err, HZ_EINVAL, "report: no analysis");
    hz_analytics_view v;
    hz_analytics_view_of(res, &v);
    char *notes = NULL;
    size_t nlen = 0;
    FILE *nf = open_memstream(&notes, &nlen);
    if (nf == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    hz_analytics_result_write_notes(res, nf);
    if (fclose(nf) != 0) {
        free(notes);
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    }
    v.notes = notes;
    hz_status st = hz_report_customers(r, &v, err);
    free(notes);
    if (st != HZ_OK)
        return st;
    if (hz_analytics_holdout(res, HZ_PURCHASE_BGNBD) != NULL ||
        hz_analytics_holdout(res, HZ_PURCHASE_PNBD) != NULL) {
        hz__doc_section(r, "tracking", "Customers: tracking over time");
        st = tracking_chart(r, res);
        hz__doc_section_end(r);
    }
    if (st == HZ_OK)
        st = survival_section(r, res);
    if (st != HZ_OK)
        return hz_error_set(err, st, "out of memory while writing the report");
    return hz__buf_status(&r->body, err);
}
