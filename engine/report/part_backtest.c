/* The backtest part of a report: accuracy by model, the distribution of
 * per-series errors and interval coverage against nominal.  See
 * include/horizon/report.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/doc.h"

#define NUMBERS "Numbers behind the chart"

static void accuracy_chart(hz_report *r, const hz_report_backtest_in *bt,
                           const double *v, const char *title,
                           const char *axis, double ref, const char *ref_label,
                           const char *caption)
{
    static const char *const group[] = {"models"};
    hz__bars p = {0};
    p.title = title;
    p.width = HZ__W;
    p.height = 70 + 26 * (int)bt->nmodels;
    p.ncat = bt->nmodels;
    p.cat = bt->model;
    p.ngroups = 1;
    p.group = group;
    p.v = v;
    p.value = (hz__axis){axis, HZ__AXIS_LINEAR, NAN, NAN, true, false};
    p.horizontal = true;
    p.nref = isfinite(ref) ? 1 : 0;
    p.ref = &ref;
    p.ref_label = &ref_label;
    p.kind = "bars";
    hz__doc_figure(r, title);
    hz__svg_bars(&r->body, &p);
    hz__fig_caption(&r->body, caption);
    hz__fig_end(&r->body);
}

static void accuracy_table(hz_report *r, const hz_report_backtest_in *bt)
{
    const char *head[6 + HZ_FC_MAX_LEVELS];
    char lab[HZ_FC_MAX_LEVELS][32], msis[40];
    size_t nh = 0, nl = bt->nlevels < HZ_FC_MAX_LEVELS ? bt->nlevels
                                                       : HZ_FC_MAX_LEVELS;
    head[nh++] = "model";
    head[nh++] = "sMAPE (%)";
    head[nh++] = "MASE";
    head[nh++] = "OWA";
    for (size_t l = 0; l < nl; l++) {
        snprintf(lab[l], sizeof lab[l], "coverage %g%% (%%)", bt->levels[l]);
        head[nh++] = lab[l];
    }
    snprintf(msis, sizeof msis, "MSIS %g%%", bt->msis_level);
    if (bt->msis != NULL)
        head[nh++] = msis;
    if (bt->spl != NULL)
        head[nh++] = "SPL";
    hz__table_begin(&r->body, NULL, true, nh, head);
    for (size_t k = 0; k < bt->nmodels; k++) {
        hz__table_row(&r->body);
        hz__table_str(&r->body, bt->model[k]);
        hz__table_num(&r->body, bt->smape[k]);
        hz__table_num(&r->body, bt->mase[k]);
        hz__table_num(&r->body, bt->owa[k]);
        for (size_t l = 0; l < nl; l++)
            hz__table_num(&r->body, 100 * bt->coverage[k * bt->nlevels + l]);
        if (bt->msis != NULL)
            hz__table_num(&r->body, bt->msis[k]);
        if (bt->spl != NULL)
            hz__table_num(&r->body, bt->spl[k]);
    }
    hz__table_end(&r->body, NULL);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Empirical distribution functions of the per-pair sMAPE, one step
 * curve per model. */
static hz_status error_curves(hz_report *r, const hz_report_backtest_in *bt)
{
    size_t m = bt->nmodels, n = bt->npairs;
    double *xs = malloc(m * (n + 1) * sizeof *xs);
    double *ys = malloc(m * (n + 1) * sizeof *ys);
    hz__line *lines = calloc(m, sizeof *lines);
    if (xs == NULL || ys == NULL || lines == NULL) {
        free(xs);
        free(ys);
        free(lines);
        return HZ_ENOMEM;
    }
    for (size_t k = 0; k < m; k++) {
        double *x = xs + k * (n + 1), *y = ys + k * (n + 1);
        memcpy(x + 1, bt->pair_smape + k * n, n * sizeof *x);
        qsort(x + 1, n, sizeof *x, cmp_double);
        x[0] = 0;
        y[0] = 0;
        for (size_t i = 1; i <= n; i++)
            y[i] = (double)i / (double)n;
        lines[k] = (hz__line){bt->model[k], x,        y,
                              n + 1,        HZ__STEP, (int)(k % HZ__NCOLOURS)};
    }
    hz__plot p = {0};
    p.title = "Distribution of per-series sMAPE";
    p.width = HZ__W;
    p.height = HZ__H;
    p.x = (hz__axis){
        "sMAPE of a series (%)", HZ__AXIS_LINEAR, 0, NAN, true, false};
    p.y = (hz__axis){
        "share of series at or below", HZ__AXIS_LINEAR, 0, 1, true, false};
    p.lines = lines;
    p.nlines = m;
    p.marker_x = NAN;
    p.kind = "ecdf";
    hz__doc_figure(r, p.title);
    hz__svg_plot(&r->body, &p);
    char cap[256];
    snprintf(cap, sizeof cap,
             "For each model, the share of the %zu evaluated (series, "
             "origin) pairs whose sMAPE is at most x: curves further up and "
             "to the left are better.",
             n);
    hz__fig_caption(&r->body, cap);
    /* deciles of each model's errors */
    const char *head[12] = {"model"};
    char lab[11][16];
    for (int q = 0; q <= 10; q++) {
        snprintf(lab[q], sizeof lab[q], "%s%d",
                 q == 0    ? "min"
                 : q == 10 ? "max"
                           : "p",
                 q * 10);
        if (q == 0 || q == 10)
            snprintf(lab[q], sizeof lab[q], "%s", q == 0 ? "min" : "max");
        head[q + 1] = lab[q];
    }
    hz__table_begin(&r->body, NUMBERS " (deciles)", false, 12, head);
    for (size_t k = 0; k < m; k++) {
        const double *x = xs + k * (n + 1) + 1;
        hz__table_row(&r->body);
        hz__table_str(&r->body, bt->model[k]);
        for (int q = 0; q <= 10; q++)
            hz__table_num(&r->body,
                          x[(size_t)llround(q / 10.0 * (double)(n - 1))]);
    }
    hz__table_end(&r->body, NUMBERS " (deciles)");
    hz__fig_end(&r->body);
    free(xs);
    free(ys);
    free(lines);
    return HZ_OK;
}

static hz_status coverage_chart(hz_report *r, const hz_report_backtest_in *bt)
{
    size_t m = bt->nmodels, nl = bt->nlevels;
    double *v = malloc(m * nl * sizeof *v);
    char(*glab)[24] = malloc(nl * sizeof *glab);
    char(*rlab)[24] = malloc(nl * sizeof *rlab);
    const char **group = malloc(nl * sizeof *group);
    double *ref = malloc(nl * sizeof *ref);
    const char **ref_label = malloc(nl * sizeof *ref_label);
    hz_status st = HZ_OK;
    if (v == NULL || glab == NULL || rlab == NULL || group == NULL ||
        ref == NULL || ref_label == NULL) {
        st = HZ_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < m * nl; i++)
        v[i] = 100 * bt->coverage[i];
    for (size_t l = 0; l < nl; l++) {
        snprintf(glab[l], sizeof glab[l], "%g%% interval", bt->levels[l]);
        group[l] = glab[l];
        ref[l] = bt->levels[l];
        snprintf(rlab[l], sizeof rlab[l], "nominal %g%%", bt->levels[l]);
        ref_label[l] = rlab[l];
    }
    hz__bars p = {0};
    p.title = "Interval coverage against nominal";
    p.width = HZ__W;
    p.height = HZ__H;
    p.ncat = m;
    p.cat = bt->model;
    p.ngroups = nl;
    p.group = group;
    p.v = v;
    p.value = (hz__axis){"observations inside the interval (%)",
                         HZ__AXIS_LINEAR,
                         0,
                         100,
                         true,
                         false};
    p.nref = nl;
    p.ref = ref;
    p.ref_label = ref_label;
    p.kind = "coverage";
    hz__doc_figure(r, p.title);
    hz__svg_bars(&r->body, &p);
    hz__fig_caption(&r->body,
                    "Share of held-out observations inside each model's "
                    "prediction interval; dotted lines: the nominal levels. "
                    "Below the line, intervals are too narrow.");
    hz__fig_end(&r->body);
out:
    free(v);
    free(glab);
    free(rlab);
    free(group);
    free(ref);
    free(ref_label);
    return st;
}

/* A note naming the models whose coverage, MSIS and SPL are over fewer
 * pairs than their sMAPE and MASE (forecasts without intervals); none
 * when every model has intervals at every pair. */
static void intervals_note(hz_report *r, const hz_report_backtest_in *bt)
{
    if (bt->interval_pairs == NULL)
        return;
    char text[1024];
    size_t n = 0;
    for (size_t k = 0; k < bt->nmodels && n < sizeof text; k++) {
        size_t with = bt->interval_pairs[k];
        if (with >= bt->npairs)
            continue;
        int w = snprintf(text + n, sizeof text - n, "%s%s %zu of %zu%s",
                         n ? "; "
                           : "Coverage, MSIS and SPL are over the pairs whose "
                             "forecast has intervals: ",
                         bt->model[k], with, bt->npairs,
                         with == 0 ? " (it gave none: no bar, empty cells)"
                                   : "");
        n = w < 0 ? sizeof text : n + (size_t)w;
    }
    if (n == 0)
        return;
    if (n < sizeof text - 1) {
        text[n++] = '.';
        text[n] = '\0';
    }
    hz__doc_note(r, "note", text);
}

hz_status hz_report_backtest(hz_report *r, const hz_report_backtest_in *bt,
                             hz_error *err)
{
    if (r == NULL || bt == NULL || bt->nmodels == 0 || bt->model == NULL ||
        bt->smape == NULL || bt->mase == NULL || bt->owa == NULL ||
        (bt->nlevels > 0 && (bt->levels == NULL || bt->coverage == NULL)))
        return hz_error_set(err, HZ_EINVAL, "report: incomplete backtest");
    hz__doc_section(r, "backtest", "Backtest");
    hz__buf_printf(&r->body,
                   "<p>%zu series by %s; the last %zu periods held out at "
                   "%zu origin(s); %zu (series, origin) pairs scored by every "
                   "model. sMAPE and MASE as in the M4 competition; OWA "
                   "against Naive2 (below 1 is better than Naive2).</p>\n",
                   bt->nseries, bt->freq ? bt->freq : "period", bt->horizon,
                   bt->origins, bt->npairs);
    accuracy_chart(r, bt, bt->smape, "sMAPE by model", "mean sMAPE (%)", NAN,
                   NULL,
                   "Mean symmetric absolute percentage error over "
                   "the held-out periods (lower is better).");
    accuracy_chart(r, bt, bt->owa, "OWA by model", "OWA (Naive2 = 1)", 1,
                   "Naive2",
                   "Overall weighted average of sMAPE and MASE "
                   "relative to Naive2 (lower is better).");
    hz_status st = HZ_OK;
    if (bt->pair_smape != NULL && bt->npairs > 0)
        st = error_curves(r, bt);
    if (st == HZ_OK && bt->nlevels > 0)
        st = coverage_chart(r, bt);
    if (st == HZ_OK) {
        hz__buf_puts(&r->body, "<h3>Accuracy and coverage by model</h3>");
        if (bt->msis != NULL || bt->spl != NULL)
            hz__buf_puts(&r->body,
                         "<p>MSIS: mean scaled interval score of the widest "
                         "interval (M4; width plus penalties for misses, "
                         "scaled like MASE). SPL: scaled pinball loss over "
                         "the point and every interval bound (M5). Lower "
                         "is better for both.</p>");
        accuracy_table(r, bt);
        intervals_note(r, bt);
    }
    hz__doc_section_end(r);
    if (st != HZ_OK)
        return hz_error_set(err, st,
                            "out of memory while writing the "
                            "report");
    return hz__buf_status(&r->body, err);
}
