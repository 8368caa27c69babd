/* The forecast part of a report: fan charts, the total, small multiples
 * and the table of every series.  See include/horizon/report.h. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forecast/fc_internal.h"
#include "horizon/outfile.h"
#include "horizon/reconcile.h"
#include "horizon/series.h"
#include "report/doc.h"

/* Per-series figures for the table and the ranking. */
typedef struct row {
    size_t i;
    double last12, fc_total, change, width;
} row;

/* Largest first by the size of the last 12 periods, whatever their sign
 * (a series of losses of 10K is larger than one of sales of 100). */
/* A series' name as headings show it: a group whose value is empty
 * (an empty cell in a --by column) is "(empty)", where a heading read
 * ": model" (or "total: model", a second total beside the real one); a
 * forecast of one series without groups is the total. */
static const char *label_of(const hz_forecast_result *fc, const char *key)
{
    return key[0] != '\0' ? key : fc->nseries == 1 ? "total" : "(empty)";
}

static int by_size(const void *a, const void *b)
{
    const row *x = a, *y = b;
    double sx = isfinite(x->last12) ? fabs(x->last12) : -1,
           sy = isfinite(y->last12) ? fabs(y->last12) : -1;
    if (sx != sy)
        return sx > sy ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

/* The span every series' change compares (hz_summary_span_of): the
 * same for the whole table, from the longest history. */
static hz_summary_span table_span(const hz_forecast_result *fc)
{
    size_t n_max = 0;
    for (size_t i = 0; i < fc->nseries; i++)
        if (fc->series[i].n > n_max)
            n_max = fc->series[i].n;
    return hz_summary_span_of(fc->horizon, n_max, &fc->seasons, fc->period);
}

static void series_rows(const hz_forecast_result *fc, row *rows)
{
    hz_summary_span sp = table_span(fc);
    for (size_t i = 0; i < fc->nseries; i++) {
        const hz_forecast_series_result *s = &fc->series[i];
        const hz_forecast *f = s->fc;
        double tot = 0, span = 0, base = 0;
        for (size_t k = 0; k < fc->horizon && f != NULL; k++) {
            tot += f->mean[k];
            if (k < sp.steps)
                span += f->mean[k];
        }
        /* a series whose history does not reach back to the compared
         * periods has no change */
        bool covered = sp.steps > 0 && s->n >= sp.lag;
        for (size_t k = 0; covered && k < sp.steps; k++)
            base += s->history[s->n - sp.lag + k];
        rows[i].i = i;
        rows[i].last12 = s->last12_total;
        rows[i].fc_total = tot;
        rows[i].change = covered ? hz_rel_change(span, base) : NAN;
        rows[i].width = NAN;
        if (f != NULL && f->nlevels > 0 && fc->horizon > 0) {
            size_t L = hz_forecast_widest_level(f), k = fc->horizon - 1;
            if (fabs(f->mean[k]) > 0)
                rows[i].width = (f->upper[L][k] - f->lower[L][k]) /
                                fabs(f->mean[k]);
        }
    }
}

/* Day numbers (fractional for hours and minutes) of period p's label,
 * as the input labels its periods. */
static double period_x(const hz_forecast_result *fc, int64_t p)
{
    return (double)hz_calendar_time(&fc->cal, p) / 86400.0;
}

/* Day numbers of a series' history periods. */
static void history_days(const hz_forecast_result *fc,
                         const hz_forecast_series_result *s, double *x)
{
    for (size_t k = 0; k < s->n; k++)
        x[k] = period_x(fc, s->start + (int64_t)k);
}

/* The history a forecast chart draws: the last max(6 x horizon, 3
 * seasons, 36) periods when the series holds more than twice as many
 * (a 14-day forecast after three years of days took 1% of the chart's
 * width); the whole history otherwise.  Returns the index of the first
 * period drawn.  The tables keep every period, and the full charts add
 * one of the whole history. */
static size_t history_window(const hz_forecast_result *fc)
{
    size_t w = 6 * fc->horizon;
    size_t seasons = fc->period > 1 ? 3 * (size_t)fc->period : 0;
    if (seasons > w)
        w = seasons;
    return w < 36 ? 36 : w;
}

static size_t history_from(const hz_forecast_result *fc, size_t n)
{
    size_t w = history_window(fc);
    return n > 2 * w ? n - w : 0;
}

/* "days", "15-minute periods": the plural of the frequency's unit. */
static void units(const hz_forecast_result *fc, char *buf, size_t bufsz)
{
    char unit[24];
    hz_calendar_unit(&fc->cal, unit, sizeof unit);
    bool minutes = strchr(unit, '-') != NULL; /* "15-minute" */
    snprintf(buf, bufsz, "%s%s", unit, minutes ? " periods" : "s");
}

/* "the last 84 of 1094 days of history": what a windowed chart draws. */
static void window_label(const hz_forecast_result *fc, size_t drawn,
                         size_t n, char *buf, size_t bufsz)
{
    char u[40];
    units(fc, u, sizeof u);
    snprintf(buf, bufsz, "the last %zu of %zu %s of history", drawn, n, u);
}

typedef struct fan_data {
    double *xh, *xf, *yf; /* history days; forecast days and points with
                             the last observation first */
    hz__line lines[3];
    size_t nlines;
    hz__band bands[HZ_FC_MAX_LEVELS];
    char names[HZ_FC_MAX_LEVELS][32];
    size_t nbands;
} fan_data;

/* with_fitted: the one-step fitted values too, when the result kept
 * them; the history from period `from` on (history_from). */
static bool fan_build(const hz_forecast_result *fc,
                      const hz_forecast_series_result *s, bool with_fitted,
                      size_t from, fan_data *d)
{
    size_t h = fc->horizon, n = s->n;
    d->xh = malloc((n ? n : 1) * sizeof *d->xh);
    d->xf = malloc((h + 1) * sizeof *d->xf);
    d->yf = malloc((h + 1) * sizeof *d->yf);
    if (d->xh == NULL || d->xf == NULL || d->yf == NULL)
        return false;
    history_days(fc, s, d->xh);
    size_t o = 0;
    if (n > 0) { /* join the point forecast to the last observation */
        d->xf[o] = d->xh[n - 1];
        d->yf[o++] = s->history[n - 1];
    }
    for (size_t k = 0; k < h; k++) {
        d->xf[o] = period_x(fc, hz_calendar_step(&fc->cal,
                                                 s->start + (int64_t)s->n, k));
        d->yf[o++] = s->fc->mean[k];
    }
    if (from > n)
        from = n;
    d->lines[0] = (hz__line){"observed", d->xh + from, s->history + from,
                             n - from,   HZ__LINE,     HZ__FG};
    d->lines[1] = (hz__line){"point forecast", d->xf, d->yf, o, HZ__LINE, 3};
    d->nlines = 2;
    if (with_fitted && s->fitted != NULL && n > 0)
        d->lines[d->nlines++] =
            (hz__line){"fitted (one step ahead)", d->xh + from,
                       s->fitted + from,          n - from,
                       HZ__DASHED,                4};
    const hz_forecast *f = s->fc;
    d->nbands = f->nlevels;
    /* widest interval first (drawn underneath, lighter), whatever order
     * the levels were asked in */
    size_t order[HZ_FC_MAX_LEVELS];
    for (size_t l = 0; l < f->nlevels; l++) {
        size_t j = l;
        for (; j > 0 && f->levels[order[j - 1]] < f->levels[l]; j--)
            order[j] = order[j - 1];
        order[j] = l;
    }
    for (size_t l = 0; l < f->nlevels; l++) {
        size_t L = order[l];
        snprintf(d->names[l], sizeof d->names[l], "%g%% interval",
                 f->levels[L]);
        d->bands[l] = (hz__band){
            d->names[l], d->xf + (n > 0), f->lower[L], f->upper[L], h, 3,
            l > 0};
    }
    return true;
}

static void fan_free(fan_data *d)
{
    free(d->xh);
    free(d->xf);
    free(d->yf);
}

/* "NAME: what" into buf (cap bytes), NAME cut with "..." at a character
 * boundary when the whole does not fit (a long name cut in the middle of
 * a character showed a U+FFFD in the chart's heading and title). */
static const char *chart_title(char *buf, size_t cap, const char *name,
                               const char *what)
{
    size_t w = strlen(what) + 2, room = cap > w + 4 ? cap - 1 - w : 3;
    bool cut = strlen(name) > room;
    int n = cut ? (int)hz_utf8_cut(name, room - 3) : (int)strlen(name);
    if (snprintf(buf, cap, "%.*s%s: %s", n, name, cut ? "..." : "", what) < 0)
        buf[0] = '\0';
    return buf;
}

/* xlab: the x axis' title (what part of the history is drawn), or
 * NULL. */
static void fan_plot(hz__buf *b, const hz_forecast_result *fc,
                     const fan_data *d, const char *title, const char *ylab,
                     const char *xlab, bool compact)
{
    hz__plot p = {0};
    p.title = title;
    p.width = compact ? HZ__W_SMALL : HZ__W;
    p.height = compact ? HZ__H_SMALL : HZ__H;
    p.x = (hz__axis){xlab, HZ__AXIS_DATE, NAN,
                     NAN,  false,         fc->freq >= HZ_FREQ_MONTH};
    p.y = (hz__axis){ylab, HZ__AXIS_LINEAR, NAN, NAN, false, false};
    p.lines = d->lines;
    p.nlines = d->nlines;
    p.bands = d->bands;
    p.nbands = d->nbands;
    p.marker_x = d->lines[0].n ? d->lines[0].x[d->lines[0].n - 1] : NAN;
    p.compact = compact;
    p.kind = "fan";
    hz__svg_plot(b, &p);
}

static void fan_table_head(hz__buf *b, const hz_forecast *f, bool with_key,
                           bool with_fitted, const char *summary)
{
    const char *head[5 + 2 * HZ_FC_MAX_LEVELS];
    char lab[2 * HZ_FC_MAX_LEVELS][24];
    size_t nh = 0;
    if (with_key)
        head[nh++] = "series";
    head[nh++] = "period";
    head[nh++] = "observed";
    if (with_fitted)
        head[nh++] = "fitted";
    head[nh++] = "point forecast";
    for (size_t l = 0; l < f->nlevels; l++) {
        snprintf(lab[2 * l], 24, "lower %g%%", f->levels[l]);
        snprintf(lab[2 * l + 1], 24, "upper %g%%", f->levels[l]);
        head[nh++] = lab[2 * l];
        head[nh++] = lab[2 * l + 1];
    }
    hz__table_begin(b, summary, false, nh, head);
}

static void fan_table_rows(hz__buf *b, const hz_forecast_result *fc,
                           const hz_forecast_series_result *s, bool with_key,
                           bool with_fitted)
{
    char d[32];
    for (size_t k = 0; k < s->n; k++) {
        /* an hour a --tz zone's clocks skip is no reading: not shown */
        if (hz_calendar_skipped(&fc->cal, s->start + (int64_t)k))
            continue;
        hz__table_row(b);
        if (with_key)
            hz__table_str(b, s->key);
        hz__table_str(b, hz_calendar_format(&fc->cal, s->start + (int64_t)k, d,
                                            sizeof d));
        hz__table_num(b, s->history[k]);
        if (with_fitted)
            hz__table_num(b, s->fitted[k]);
        hz__buf_puts(b, "<td></td>");
        for (size_t l = 0; l < s->fc->nlevels; l++)
            hz__buf_puts(b, "<td></td><td></td>");
    }
    for (size_t k = 0; k < fc->horizon; k++) {
        hz__table_row(b);
        if (with_key)
            hz__table_str(b, s->key);
        hz__table_str(
            b, hz_calendar_format(
                   &fc->cal,
                   hz_calendar_step(&fc->cal, s->start + (int64_t)s->n, k), d,
                   sizeof d));
        hz__buf_puts(b, with_fitted ? "<td></td><td></td>" : "<td></td>");
        hz__table_num(b, s->fc->mean[k]);
        for (size_t l = 0; l < s->fc->nlevels; l++) {
            hz__table_num(b, s->fc->lower[l][k]);
            hz__table_num(b, s->fc->upper[l][k]);
        }
    }
}

/* window: what part of the history the chart draws (window_label), or
 * NULL for all of it. */
static void model_caption(hz__buf *b, const hz_forecast_result *fc,
                          const hz_forecast_series_result *s, const row *rw,
                          const char *window)
{
    char buf[1024], v[48], w[48];
    const hz_forecast *f = s->fc;
    int n = snprintf(buf, sizeof buf, "Model %s", s->method);
    if (f->params[0])
        n += snprintf(buf + n, sizeof buf - (size_t)n, " (%s)", f->params);
    if (isfinite(f->aicc))
        n += snprintf(buf + n, sizeof buf - (size_t)n, "; AICc %s",
                      hz__fmt_value(f->aicc, 5, v, sizeof v));
    else if (isfinite(f->aic))
        n += snprintf(buf + n, sizeof buf - (size_t)n, "; AIC %s",
                      hz__fmt_value(f->aic, 5, v, sizeof v));
    if (isfinite(f->sigma2))
        n += snprintf(buf + n, sizeof buf - (size_t)n,
                      "; innovation variance %s",
                      hz__fmt_value(f->sigma2, 3, v, sizeof v));
    hz__resid_stats rs = hz__fc_resid_stats(s->history, s->fitted, s->n,
                                            fc->period);
    if (rs.lag > 0 && isfinite(rs.lb_p))
        n += snprintf(buf + n, sizeof buf - (size_t)n,
                      "; Ljung-Box p %s (lag %zu)",
                      hz__fmt_value(rs.lb_p, 3, v, sizeof v), rs.lag);
    if (isfinite(rs.mase))
        n += snprintf(buf + n, sizeof buf - (size_t)n, "; in-sample MASE %s",
                      hz__fmt_value(rs.mase, 3, v, sizeof v));
    if (isfinite(rw->change)) {
        char unit[24], what[128];
        hz_summary_span sp = table_span(fc);
        hz_summary_span_text(&sp, hz_calendar_unit(&fc->cal, unit, sizeof unit),
                             what, sizeof what);
        n += snprintf(buf + n, sizeof buf - (size_t)n,
                      "; the next %zu vs %s: %s", sp.steps, what,
                      hz_fmt_pct(rw->change, 1, w, sizeof w));
    }
    if (s->note[0])
        n += snprintf(buf + n, sizeof buf - (size_t)n, ". %s: %s",
                      hz_forecast_note_is_fallback(s->note) ? "Fallback"
                                                            : "Note",
                      s->note);
    n += snprintf(buf + n, sizeof buf - (size_t)n,
                  ". Shaded: prediction intervals; dotted line: forecast "
                  "origin%s.",
                  s->fitted ? "; dashed: one-step fitted values" : "");
    if (window != NULL && (size_t)n < sizeof buf)
        snprintf(buf + n, sizeof buf - (size_t)n,
                 " The chart draws %s; the next chart and the table draw "
                 "all of it.",
                 window);
    hz__fig_caption(b, buf);
}

/* The whole history of a series whose forecast chart draws only its
 * end: observed values and point forecasts, on a smaller chart. */
static void history_chart(hz_report *r, const hz_forecast_result *fc,
                          const hz__line *observed, const hz__line *forecast,
                          const char *title, const char *ylab)
{
    hz__line lines[2] = {*observed, *forecast};
    hz__plot p = {0};
    p.title = title;
    p.width = HZ__W;
    p.height = 220;
    p.x = (hz__axis){NULL, HZ__AXIS_DATE, NAN,
                     NAN,  false,         fc->freq >= HZ_FREQ_MONTH};
    p.y = (hz__axis){ylab, HZ__AXIS_LINEAR, NAN, NAN, false, false};
    p.lines = lines;
    p.nlines = 2;
    p.marker_x = observed->n ? observed->x[observed->n - 1] : NAN;
    p.kind = "history";
    hz__doc_figure(r, title);
    hz__svg_plot(&r->body, &p);
    hz__fig_caption(&r->body, "The whole history with the point forecast; "
                              "the numbers are in the table above.");
    hz__fig_end(&r->body);
}

static hz_status full_charts(hz_report *r, const hz_forecast_result *fc,
                             const row *rows, const char *ylab)
{
    for (size_t j = 0; j < fc->nseries; j++) {
        const hz_forecast_series_result *s = &fc->series[j];
        fan_data d = {0};
        size_t from = history_from(fc, s->n);
        if (!fan_build(fc, s, true, from, &d)) {
            fan_free(&d);
            return HZ_ENOMEM;
        }
        char title[300], window[128], xlab[192];
        const char *name = label_of(fc, s->key);
        chart_title(title, sizeof title, name, s->method);
        window_label(fc, s->n - from, s->n, window, sizeof window);
        snprintf(xlab, sizeof xlab, "%s (the whole history below)", window);
        hz__doc_figure(r, title);
        fan_plot(&r->body, fc, &d, title, ylab, from ? xlab : NULL, false);
        model_caption(&r->body, fc, s, &rows[j], from ? window : NULL);
        bool fit = s->fitted != NULL;
        fan_table_head(&r->body, s->fc, false, fit,
                       "Numbers behind the chart");
        fan_table_rows(&r->body, fc, s, false, fit);
        hz__table_end(&r->body, "Numbers behind the chart");
        hz__fig_end(&r->body);
        if (from > 0) {
            hz__line all = {"observed", d.xh, s->history, s->n, HZ__LINE,
                            HZ__FG};
            chart_title(title, sizeof title, name, "the whole history");
            history_chart(r, fc, &all, &d.lines[1], title, ylab);
        }
        fan_free(&d);
    }
    return HZ_OK;
}

/* The total of every series: observed periods x[0..n) and y[0..n), then
 * the sums of the point forecasts at x[n..n + h).  Only when all series
 * end together (false otherwise, or on ENOMEM with *oom set).  A
 * reconciled result holds every level of the hierarchy: its total is the
 * top node (series[0]), not the sum of the levels, which counts each
 * value once per level. */
typedef struct total {
    double *x, *y;
    size_t n, h;
    int64_t p0; /* period of x[0]; x[k] is period p0 + k */
} total;

static bool total_series(const hz_forecast_result *fc, total *t, bool *oom)
{
    int64_t p0 = INT64_MAX, p1 = INT64_MIN;
    *oom = false;
    size_t nsum = fc->reconcile != HZ_RECON_NONE ? 1 : fc->nseries;
    for (size_t i = 0; i < fc->nseries; i++) {
        const hz_forecast_series_result *s = &fc->series[i];
        if (s->n == 0 || s->last_day != fc->series[0].last_day)
            return false;
        if (i >= nsum)
            continue;
        p0 = s->start < p0 ? s->start : p0;
        int64_t e = s->start + (int64_t)s->n - 1;
        p1 = e > p1 ? e : p1;
    }
    size_t n = (size_t)(p1 - p0 + 1), h = fc->horizon;
    t->x = calloc(n + h, sizeof *t->x);
    t->y = calloc(n + h, sizeof *t->y);
    if (t->x == NULL || t->y == NULL) {
        *oom = true;
        return false;
    }
    for (size_t k = 0; k < n; k++)
        t->x[k] = period_x(fc, p0 + (int64_t)k);
    for (size_t i = 0; i < nsum; i++) {
        const hz_forecast_series_result *s = &fc->series[i];
        for (size_t k = 0; k < s->n; k++)
            t->y[(size_t)(s->start - p0) + k] += s->history[k];
        for (size_t k = 0; k < h; k++)
            t->y[n + k] += s->fc->mean[k];
    }
    for (size_t k = 0; k < h; k++)
        t->x[n + k] = period_x(fc, hz_calendar_step(&fc->cal, p1 + 1, k));
    t->n = n;
    t->h = h;
    t->p0 = p0;
    return true;
}

/* The total's chart: observed and point forecasts; intervals do not add
 * up and are not drawn. */
static void total_chart(hz_report *r, const hz_forecast_result *fc,
                        const total *t, const char *ylab)
{
    const double *x = t->x, *y = t->y;
    size_t n = t->n, h = t->h, from = history_from(fc, n);
    hz__line lines[2] = {
        {"observed total", x + from, y + from, n - from, HZ__LINE, HZ__FG},
        {"sum of point forecasts", x + n - 1, y + n - 1, h + 1, HZ__LINE, 3}};
    char window[128], xlab[192], cap[512];
    window_label(fc, n - from, n, window, sizeof window);
    snprintf(xlab, sizeof xlab, "%s (the whole history below)", window);
    hz__plot p = {0};
    p.title = "Total of all series";
    p.width = HZ__W;
    p.height = HZ__H;
    p.x = (hz__axis){from ? xlab : NULL, HZ__AXIS_DATE, NAN,
                     NAN,                false,         fc->freq >= HZ_FREQ_MONTH};
    p.y = (hz__axis){ylab, HZ__AXIS_LINEAR, NAN, NAN, false, false};
    p.lines = lines;
    p.nlines = 2;
    p.marker_x = x[n - 1];
    p.kind = "total";
    bool top = fc->reconcile != HZ_RECON_NONE;
    if (top)
        p.title = "Total: the top of the hierarchy";
    hz__doc_figure(r, p.title);
    hz__svg_plot(&r->body, &p);
    int cn = snprintf(
        cap, sizeof cap, "%s",
        top ? "The top node of the reconciled hierarchy: its "
              "observed values and its point forecasts, which "
              "the nodes of each level below add up to. Its "
              "intervals are in the table of every series."
            : "The sum of the observed series and of their "
              "point forecasts. Intervals of the total are "
              "not drawn: per-series intervals do not add "
              "up without the series' joint distribution.");
    if (from > 0 && cn > 0 && (size_t)cn < sizeof cap)
        snprintf(cap + cn, sizeof cap - (size_t)cn,
                 " The chart draws %s; the next chart and the table draw "
                 "all of it.",
                 window);
    hz__fig_caption(&r->body, cap);
    static const char *const head[] = {"period", "observed total",
                                       "sum of point forecasts"};
    hz__table_begin(&r->body, "Numbers behind the chart", false, 3, head);
    char d[32];
    for (size_t k = 0; k < n + h; k++) {
        /* the forecast's steps on the periods that exist; a skipped
         * hour of the history is no reading: not shown */
        const int64_t at =
            k < n ? t->p0 + (int64_t)k
                  : hz_calendar_step(&fc->cal, t->p0 + (int64_t)n, k - n);
        if (k < n && hz_calendar_skipped(&fc->cal, at))
            continue;
        hz__table_row(&r->body);
        hz__table_str(&r->body, hz_calendar_format(&fc->cal, at, d, sizeof d));
        if (k < n) {
            hz__table_num(&r->body, y[k]);
            hz__buf_puts(&r->body, "<td></td>");
        } else {
            hz__buf_puts(&r->body, "<td></td>");
            hz__table_num(&r->body, y[k]);
        }
    }
    hz__table_end(&r->body, "Numbers behind the chart");
    hz__fig_end(&r->body);
    if (from > 0) {
        lines[0].x = x;
        lines[0].y = y;
        lines[0].n = n;
        history_chart(r, fc, &lines[0], &lines[1],
                      top ? "The top of the hierarchy: the whole history"
                          : "Total of all series: the whole history",
                      ylab);
    }
}

/* Key figures: the ranked summary (summary.h) of the single series or of
 * the total. */
static hz_status key_figures(hz_report *r, const hz_forecast_result *fc,
                             const total *t, hz_error *err)
{
    hz_summary *s = hz_summary_new("forecast");
    hz_forecast *tf = NULL;
    if (s == NULL)
        return HZ_ENOMEM;
    hz_summary_forecast_in in = {0};
    char unit[24];
    in.unit = hz_calendar_unit(&fc->cal, unit, sizeof unit);
    in.period = fc->period;
    in.seasons = &fc->seasons;
    /* the forecast's periods named by their dates ("peak 2025-12-01"),
     * not by their step ("peak month 12") */
    char(*lab)[32] = calloc(fc->horizon, sizeof *lab);
    const char **labp = calloc(fc->horizon, sizeof *labp);
    if (lab == NULL || labp == NULL) {
        free(lab);
        free(labp);
        hz_summary_free(s);
        return HZ_ENOMEM;
    }
    int64_t first = fc->nseries == 1 ? fc->series[0].start +
                                           (int64_t)fc->series[0].n
                                     : t->p0 + (int64_t)t->n;
    for (size_t k = 0; k < fc->horizon; k++)
        labp[k] = hz_calendar_format(&fc->cal,
                                     hz_calendar_step(&fc->cal, first, k),
                                     lab[k], sizeof lab[k]);
    in.step_labels = labp;
    if (fc->nseries == 1) {
        in.name = fc->series[0].key[0] ? fc->series[0].key : "the series";
        in.history = fc->series[0].history;
        in.n_history = fc->series[0].n;
        in.fc = fc->series[0].fc;
    } else if (t->x != NULL) {
        tf = hz_forecast_alloc(t->h, 0, NULL);
        if (tf == NULL) {
            free(lab);
            free(labp);
            hz_summary_free(s);
            return HZ_ENOMEM;
        }
        memcpy(tf->mean, t->y + t->n, t->h * sizeof *tf->mean);
        snprintf(tf->method, sizeof tf->method, "a model per series");
        in.name = "the total";
        in.history = t->y;
        in.n_history = t->n;
        in.fc = tf;
    }
    hz_status st = HZ_OK;
    if (in.fc != NULL) {
        hz_error e2;
        if (hz_summary_forecast(&in, s, &e2) == HZ_OK)
            st = hz_report_summary(r, s, err);
    }
    hz_forecast_free(tf);
    hz_summary_free(s);
    free(lab);
    free(labp);
    return st;
}

/* How many series chose each model (the 11 most frequent, then
 * "other"). */
static hz_status models_chart(hz_report *r, const hz_forecast_result *fc)
{
    size_t n = fc->nseries, nm = 0;
    const char **name = calloc(n, sizeof *name);
    double *cnt = calloc(n + 1, sizeof *cnt);
    if (name == NULL || cnt == NULL) {
        free(name);
        free(cnt);
        return HZ_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (j < nm && strcmp(name[j], fc->series[i].method) != 0)
            j++;
        if (j == nm)
            name[nm++] = fc->series[i].method;
        cnt[j]++;
    }
    /* most frequent first, ties by name (selection sort: few models) */
    for (size_t a = 0; a < nm; a++)
        for (size_t c = a + 1; c < nm; c++)
            if (cnt[c] > cnt[a] ||
                (cnt[c] == cnt[a] && strcmp(name[c], name[a]) < 0)) {
                double t = cnt[a];
                cnt[a] = cnt[c];
                cnt[c] = t;
                const char *s = name[a];
                name[a] = name[c];
                name[c] = s;
            }
    if (nm > 12) {
        for (size_t j = 12; j < nm; j++)
            cnt[11] += cnt[j];
        name[11] = "other";
        nm = 12;
    }
    static const char *const group[] = {"series"};
    hz__bars p = {0};
    p.title = "Models chosen";
    p.width = HZ__W;
    p.height = 60 + 22 * (int)nm;
    p.ncat = nm;
    p.cat = name;
    p.ngroups = 1;
    p.group = group;
    p.v = cnt;
    p.value = (hz__axis){"series", HZ__AXIS_LINEAR, NAN, NAN,
                         true,     false,           true};
    p.horizontal = true;
    p.kind = "bars";
    hz__doc_figure(r, "Models chosen");
    hz__svg_bars(&r->body, &p);
    hz__fig_caption(&r->body, "Number of series whose forecast each model "
                              "(or fallback) made.");
    static const char *const head[] = {"model", "series"};
    hz__table_begin(&r->body, "Numbers behind the chart", false, 2, head);
    for (size_t j = 0; j < nm; j++) {
        hz__table_row(&r->body);
        hz__table_str(&r->body, name[j]);
        hz__table_num(&r->body, cnt[j]);
    }
    hz__table_end(&r->body, "Numbers behind the chart");
    hz__fig_end(&r->body);
    free(name);
    free(cnt);
    return HZ_OK;
}

static hz_status multiples(hz_report *r, const hz_forecast_result *fc,
                           const row *ranked, size_t m, const char *ylab)
{
    char title[160];
    snprintf(title, sizeof title,
             "The %zu largest series (by the size of the last 12 "
             "periods)",
             m);
    hz__buf_puts(&r->body, "<h3>");
    hz__buf_esc(&r->body, title);
    hz__buf_puts(&r->body, "</h3><div class=\"multiples\">");
    size_t windowed = 0;
    for (size_t j = 0; j < m; j++) {
        const hz_forecast_series_result *s = &fc->series[ranked[j].i];
        fan_data d = {0};
        size_t from = history_from(fc, s->n);
        if (from > 0)
            windowed++;
        if (!fan_build(fc, s, false, from, &d)) {
            fan_free(&d);
            return HZ_ENOMEM;
        }
        char t[300];
        chart_title(t, sizeof t, label_of(fc, s->key), s->method);
        hz__doc_figure(r, t);
        fan_plot(&r->body, fc, &d, t, ylab, NULL, true);
        hz__fig_end(&r->body);
        fan_free(&d);
    }
    hz__buf_puts(&r->body, "</div>");
    char note[384], u[40];
    int nn = snprintf(note, sizeof note, "%s",
                      "Each panel: observed (dark), point forecast (blue) "
                      "and prediction intervals (shaded), on its own "
                      "scale.");
    units(fc, u, sizeof u);
    if (windowed > 0 && nn > 0 && (size_t)nn < sizeof note)
        snprintf(note + nn, sizeof note - (size_t)nn,
                 " A panel of more than %zu %s of history draws the last "
                 "%zu; the table below holds every period.",
                 2 * history_window(fc), u, history_window(fc));
    hz__doc_note(r, "note", note);
    fan_table_head(&r->body, fc->series[ranked[0].i].fc, true, false,
                   "Numbers behind these charts");
    for (size_t j = 0; j < m; j++)
        fan_table_rows(&r->body, fc, &fc->series[ranked[j].i], true, false);
    hz__table_end(&r->body, "Numbers behind these charts");
    return HZ_OK;
}

static void series_table(hz_report *r, const hz_forecast_result *fc,
                         const row *rows)
{
    char lw[48];
    const hz_forecast *f0 = fc->series[0].fc;
    size_t wl = hz_forecast_widest_level(f0);
    snprintf(lw, sizeof lw, "%g%% width at h=%zu",
             f0->nlevels ? f0->levels[wl] : 0.0, fc->horizon);
    const char *head[] = {
        "series",        "model",          "parameters",  "periods",
        "last 12 total", "forecast total", "change",      lw,
        "AICc",          "sigma2",         "Ljung-Box p", "in-sample MASE",
        "note"};
    char unit[24], what[128], note[768];
    hz_summary_span sp = table_span(fc);
    hz_calendar_unit(&fc->cal, unit, sizeof unit);
    hz_summary_span_text(&sp, unit, what, sizeof what);
    char change[256];
    if (sp.steps > 0)
        snprintf(change, sizeof change,
                 "change: the forecast's first %zu against %s (empty where "
                 "the history is shorter)",
                 sp.steps, what);
    else
        snprintf(change, sizeof change,
                 "change: none, the history is shorter than the horizon");
    snprintf(note, sizeof note,
             "Last 12 total: the last 12 periods observed; forecast total: "
             "every period of the horizon (%zu); %s; width: the widest "
             "interval at the last step relative to the point forecast. "
             "AICc and sigma2 (innovation variance) as the model reports "
             "them; Ljung-Box p of the one-step residuals at lag "
             "min(2m, n/5) (10 without seasons) and the in-sample MASE, "
             "as in the --diagnostics file.",
             fc->horizon, change);
    hz__doc_note(r, "note", note);
    hz__table_begin(&r->body, NULL, true, 13, head);
    char pct[32];
    for (size_t i = 0; i < fc->nseries; i++) {
        const hz_forecast_series_result *s = &fc->series[i];
        hz__table_row(&r->body);
        hz__table_str(&r->body, s->key);
        hz__table_str(&r->body, s->method);
        hz__table_str(&r->body, s->fc->params);
        hz__table_int(&r->body, (long long)s->n);
        hz__table_num(&r->body, s->last12_total);
        hz__table_num(&r->body, rows[i].fc_total);
        hz__buf_puts(&r->body, "<td class=\"n\">");
        if (isfinite(rows[i].change))
            hz__buf_esc(&r->body, hz_fmt_pct(rows[i].change, 1, pct, 32));
        hz__buf_puts(&r->body, "</td><td class=\"n\">");
        if (isfinite(rows[i].width))
            hz__buf_esc(&r->body, hz_fmt_pct(rows[i].width, 0, pct, 32));
        hz__buf_puts(&r->body, "</td>");
        hz__resid_stats rs = hz__fc_resid_stats(s->history, s->fitted, s->n,
                                                fc->period);
        hz__table_num(&r->body, s->fc->aicc);
        hz__table_num(&r->body, s->fc->sigma2);
        hz__table_num(&r->body, rs.lag > 0 ? rs.lb_p : NAN);
        hz__table_num(&r->body, rs.mase);
        hz__table_str(&r->body, s->note);
    }
    hz__table_end(&r->body, NULL);
}

/* What the data made the forecast leave out or take as it came: part
 * periods at the table's ends, rows summed into a period already seen
 * (what `horizon forecast` says on stderr). */
static void data_notes(hz_report *r, const hz_forecast_result *fc)
{
    char line[640], d[512];
    for (int k = 0; k < 2; k++) {
        const hz_partial_period *p = &fc->partial[k];
        if (p->days <= 0)
            continue;
        hz_partial_describe(&fc->cal, p, k, d, sizeof d);
        d[0] = (char)toupper((unsigned char)d[0]);
        snprintf(line, sizeof line, "Data: %s%s.", d,
                 p->dropped && k && p->nseries_out == 0
                     ? "; the forecast starts with it"
                     : "");
        hz__doc_note(r, "note", line);
    }
    if (fc->rows_repeated > 0) {
        hz_repeated_describe(fc->rows_repeated, fc->repeated_first, d,
                             sizeof d);
        snprintf(line, sizeof line, "Data: %s.", d);
        hz__doc_note(r, "note", line);
    }
    if (fc->names_similar > 0) { /* as stderr, --json and a job's summary */
        snprintf(line, sizeof line,
                 "Data: %zu group names are another's but for case or "
                 "blanks around a value (first: '%s' and '%s'): forecast as "
                 "groups of their own; make them equal in the data if they "
                 "are one group.",
                 fc->names_similar, label_of(fc, fc->similar_first[0]),
                 label_of(fc, fc->similar_first[1]));
        hz__doc_note(r, "note", line);
    }
}

hz_status hz_report_forecast(hz_report *r, const hz_forecast_result *fc,
                             const char *value_label, hz_error *err)
{
    if (r == NULL || fc == NULL)
        return hz_error_set(err, HZ_EINVAL, "report: no forecast");
    if (fc->nseries == 0 || fc->horizon == 0)
        return hz_error_set(err, HZ_EINVAL,
                            "report: the forecast has no series");
    for (size_t i = 0; i < fc->nseries; i++)
        if (fc->series[i].fc == NULL || fc->series[i].days == NULL)
            return hz_error_set(err, HZ_EINVAL,
                                "report: series '%s' has no forecast",
                                fc->series[i].key);
    const char *ylab = value_label ? value_label : "value";
    row *rows = malloc(fc->nseries * sizeof *rows);
    row *ranked = malloc(fc->nseries * sizeof *ranked);
    hz_status st = HZ_OK;
    if (rows == NULL || ranked == NULL) {
        st = HZ_ENOMEM;
        goto out;
    }
    series_rows(fc, rows);
    memcpy(ranked, rows, fc->nseries * sizeof *rows);
    qsort(ranked, fc->nseries, sizeof *ranked, by_size);
    hz__doc_section(r, "forecast", "Forecast");
    const hz_forecast *f0 = fc->series[0].fc;
    char unit[24];
    hz__buf_printf(&r->body,
                   "<p>%zu series by %s, forecast %zu periods ahead, "
                   "with ",
                   fc->nseries, hz_calendar_unit(&fc->cal, unit, sizeof unit),
                   fc->horizon);
    for (size_t l = 0; l < f0->nlevels; l++)
        hz__buf_printf(&r->body, "%s%g%%", l ? " and " : "", f0->levels[l]);
    hz__buf_puts(&r->body, " prediction intervals; values: ");
    hz__buf_esc(&r->body, ylab);
    hz__buf_puts(&r->body, ".</p>\n");
    data_notes(r, fc);
    total tot = {0};
    bool oom = false;
    bool have_total = fc->nseries > 1 && total_series(fc, &tot, &oom);
    if (oom) {
        st = HZ_ENOMEM;
    } else if (fc->nseries <= r->opt.full_series) {
        st = full_charts(r, fc, rows, ylab);
    } else {
        if (have_total)
            total_chart(r, fc, &tot, ylab);
        else
            hz__doc_note(r, "note",
                         "No chart of the total: the series end in "
                         "different periods, so their sum would mix "
                         "observations and forecasts.");
        st = models_chart(r, fc);
        size_t m = r->opt.multiples < fc->nseries ? r->opt.multiples
                                                  : fc->nseries;
        if (st == HZ_OK && m > 0)
            st = multiples(r, fc, ranked, m, ylab);
    }
    if (st == HZ_OK) {
        hz__buf_puts(&r->body, "<h3>Every series</h3>");
        series_table(r, fc, rows);
    }
    hz__doc_section_end(r);
    if (st == HZ_OK)
        st = key_figures(r, fc, &tot, err);
    free(tot.x);
    free(tot.y);
out:
    free(rows);
    free(ranked);
    if (st == HZ_ENOMEM)
        return hz_error_set(err, st,
                            "out of memory while writing the "
                            "report");
    if (st != HZ_OK)
        return st;
    return hz__buf_status(&r->body, err);
}
