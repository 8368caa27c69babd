/* Writers of a forecast result: forecasts (CSV, JSON), diagnostics and
 * fitted values (CSV).  Dates are the input's period labels. */
#pragma GCC diagnostic ignored "-Wformat-truncation" /* bounded labels */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "core/textout.h"
#include "forecast/fc_internal.h"
#include "horizon/forecast.h"
#include "horizon/reconcile.h"
#include "numeric/gsl_init.h"

char *hz_forecast_result_label(const hz_forecast_result *r, size_t i, size_t h,
                               char *buf, size_t n)
{
    const hz_forecast_series_result *s = &r->series[i];
    /* the h-th period after the history that exists (a --tz zone's
     * clocks skip none of the labels: hz_forecast_run) */
    return hz_calendar_format(
        &r->cal, hz_calendar_step(&r->cal, s->start + (int64_t)s->n, h), buf,
        n);
}

char *hz_forecast_result_history_label(const hz_forecast_result *r, size_t i,
                                       size_t t, char *buf, size_t n)
{
    return hz_calendar_format(&r->cal, r->series[i].start + (int64_t)t, buf,
                              n);
}

static void level_name(char *buf, size_t n, const char *pre, double lv)
{
    if (lv == floor(lv))
        snprintf(buf, n, "%s%.0f", pre, lv);
    else
        snprintf(buf, n, "%s%g", pre, lv);
}

static hz_status write_status(FILE *f, hz_error *err, const char *what)
{
    if (ferror(f))
        return hz_error_set(err, HZ_EIO, "could not write %s: %s", what,
                            strerror(errno ? errno : EIO));
    return HZ_OK;
}

hz_status hz_forecast_result_write_csv(const hz_forecast_result *r, FILE *f,
                                       hz_error *err)
{
    /* every series of a result has its forecast (hz_forecast_run) */
    size_t nl = r->nseries ? r->series[0].fc->nlevels : 0;
    fputs("series,date,point", f);
    for (size_t k = 0; k < nl; k++) {
        char a[32], b[32];
        level_name(a, sizeof a, "lo", r->series[0].fc->levels[k]);
        level_name(b, sizeof b, "hi", r->series[0].fc->levels[k]);
        fprintf(f, ",%s,%s", a, b);
    }
    fputs(",model,note\n", f);
    for (size_t i = 0; i < r->nseries; i++) {
        const hz_forecast_series_result *s = &r->series[i];
        for (size_t h = 0; h < r->horizon; h++) {
            char d[32];
            hz__csv_field(f, s->key);
            fputc(',', f);
            hz__csv_field(f, hz_forecast_result_label(r, i, h, d, sizeof d));
            fputc(',', f);
            hz__csv_num(f, s->fc->mean[h]);
            for (size_t k = 0; k < nl; k++) {
                fputc(',', f);
                hz__csv_num(f, s->fc->lower[k][h]);
                fputc(',', f);
                hz__csv_num(f, s->fc->upper[k][h]);
            }
            fputc(',', f);
            hz__csv_field(f, s->method);
            fputc(',', f);
            hz__csv_field(f, s->note);
            fputc('\n', f);
        }
    }
    return write_status(f, err, "forecasts");
}

static void json_seasons(FILE *f, const hz_seasons *s)
{
    fputc('[', f);
    for (size_t k = 0; k < s->n; k++) {
        if (k)
            fputc(',', f);
        hz__json_num(f, s->period[k]);
    }
    fputc(']', f);
}

static void json_series(FILE *f, const hz_forecast_result *r, size_t i)
{
    const hz_forecast_series_result *s = &r->series[i];
    char d[32];
    fputs("\"key\":", f);
    hz__json_str(f, s->key);
    fputs(",\"model\":", f);
    hz__json_str(f, s->method);
    fputs(",\"note\":", f);
    hz__json_str(f, s->note);
    fprintf(f, ",\"history\":{\"n\":%zu,\"filled\":%zu,\"last_period\":", s->n,
            s->nfilled);
    hz__json_str(
        f, s->n ? hz_forecast_result_history_label(r, i, s->n - 1, d, sizeof d)
                : "");
    fputs(",\"last12_total\":", f);
    hz__json_num(f, s->last12_total);
    fprintf(f, "},\"nonnegative\":%s,\"forecast\":[",
            s->nonnegative ? "true" : "false");
    for (size_t h = 0; h < r->horizon; h++) {
        fputs(h ? ",{\"date\":" : "{\"date\":", f);
        hz__json_str(f, hz_forecast_result_label(r, i, h, d, sizeof d));
        fputs(",\"point\":", f);
        hz__json_num(f, s->fc->mean[h]);
        for (size_t k = 0; k < s->fc->nlevels; k++) {
            char a[32], b[32];
            level_name(a, sizeof a, "lo", s->fc->levels[k]);
            level_name(b, sizeof b, "hi", s->fc->levels[k]);
            fprintf(f, ",\"%s\":", a);
            hz__json_num(f, s->fc->lower[k][h]);
            fprintf(f, ",\"%s\":", b);
            hz__json_num(f, s->fc->upper[k][h]);
        }
        fputc('}', f);
    }
    fputs("]", f);
}

/* "partial": the part first and last periods (left out or kept),
 * "rows_repeated" / "first_repeated": rows summed into a period already
 * seen, "similar_groups" / "first_similar": group names another's but for
 * case and blanks; each with a trailing comma. */
static void json_data_notes(FILE *f, const hz_forecast_result *r)
{
    fputs("\"partial\":[", f);
    for (int k = 0, n = 0; k < 2; k++) {
        const hz_partial_period *p = &r->partial[k];
        if (p->days <= 0)
            continue;
        char lab[32], unit[24];
        fprintf(f,
                "%s{\"which\":\"%s\",\"period\":\"%s\",\"days\":%d,"
                "\"of\":%d,\"unit\":\"%s\",\"left_out\":%s,"
                "\"rows_left_out\":%zu,\"series_left_out\":%zu",
                n++ ? "," : "", k ? "last" : "first",
                hz_calendar_format(&r->cal, p->period, lab, sizeof lab),
                p->days, p->of, hz_partial_unit(p, unit, sizeof unit),
                p->dropped ? "true" : "false", p->rows, p->nseries_out);
        if (p->nseries_part > 0) { /* long input: the series' own periods */
            fputs(",\"series\":", f);
            hz__json_str(f, p->series_part);
            fprintf(f, ",\"series_ending_inside\":%zu", p->nseries_part);
        }
        fputc('}', f);
    }
    fprintf(f, "],\"utc_offsets\":%s,\"rows_repeated\":%zu,",
            r->zoned ? "true" : "false", r->rows_repeated);
    if (r->rows_repeated > 0) {
        fputs("\"first_repeated\":", f);
        hz__json_str(f, r->repeated_first);
        fputc(',', f);
    }
    fprintf(f, "\"similar_groups\":%zu,", r->names_similar);
    if (r->names_similar > 0) {
        fputs("\"first_similar\":[", f);
        hz__json_str(f, r->similar_first[0]);
        fputc(',', f);
        hz__json_str(f, r->similar_first[1]);
        fputs("],", f);
    }
    fprintf(f, "\"empty_group_rows\":%zu,", r->rows_empty_key);
    if (r->rows_empty_key > 0) {
        fprintf(f, "\"empty_group_series\":%zu,\"first_empty_group\":",
                r->series_empty_key);
        hz__json_str(f, r->empty_key_first);
        fputc(',', f);
    }
}

hz_status hz_forecast_result_write_json(const hz_forecast_result *r, FILE *f,
                                        hz_error *err)
{
    char unit[24];
    fprintf(f, "{\"freq\":\"%s\",\"freq_reason\":",
            hz_calendar_unit(&r->cal, unit, sizeof unit));
    hz__json_str(f, r->freq_reason);
    fprintf(f, ",\"period\":%d,\"seasons\":", r->period);
    json_seasons(f, &r->seasons);
    fprintf(f,
            ",\"horizon\":%zu,\"rows_used\":%zu,\"rows_skipped\":%zu,"
            "\"filled_periods\":%zu,",
            r->horizon, r->rows_used, r->rows_skipped, r->nfilled);
    json_data_notes(f, r);
    if (r->reconcile != HZ_RECON_NONE)
        fprintf(f,
                "\"reconcile\":\"%s\",\"bias_corrected_nodes\":%zu,"
                "\"bias_corrected_steps\":%zu,",
                hz_recon_name(r->reconcile), r->bias_nodes, r->bias_steps);
    fputs("\"series\":[", f);
    for (size_t i = 0; i < r->nseries; i++) {
        fputs(i ? ",\n{" : "\n{", f);
        json_series(f, r, i);
        fputc('}', f);
    }
    fputs("\n]}\n", f);
    return write_status(f, err, "forecasts");
}

/* ---- diagnostics ---- */

/* Ljung-Box test of the residuals at lag min(2m, n/5) for seasonal data,
 * min(10, n/5) otherwise (Hyndman & Athanasopoulos, fpp3 5.4), with
 * lag degrees of freedom (Box.test's default fitdf = 0); in-sample MASE
 * scaled by the mean absolute seasonal difference (m = 1 when n <= m),
 * as forecast::accuracy on the training set. */
hz__resid_stats hz__fc_resid_stats(const double *y, const double *fit,
                                   size_t n, int m)
{
    hz__resid_stats rs = {0, NAN, NAN};
    double *e = malloc((n ? n : 1) * sizeof *e);
    if (e == NULL || fit == NULL) {
        free(e);
        return rs;
    }
    size_t ne = 0;
    double mean = 0.0, sabs = 0.0;
    for (size_t t = 0; t < n; t++)
        if (isfinite(fit[t])) {
            e[ne] = y[t] - fit[t];
            mean += e[ne];
            sabs += fabs(e[ne++]);
        }
    size_t lag = m > 1 ? 2 * (size_t)m : 10;
    if (lag > ne / 5)
        lag = ne / 5;
    if (ne >= 3 && lag >= 1) {
        mean /= (double)ne;
        double c0 = 0.0, q = 0.0;
        for (size_t t = 0; t < ne; t++)
            c0 += (e[t] - mean) * (e[t] - mean);
        for (size_t k = 1; k <= lag && c0 > 0; k++) {
            double ck = 0.0;
            for (size_t t = k; t < ne; t++)
                ck += (e[t] - mean) * (e[t - k] - mean);
            q += (ck / c0) * (ck / c0) / (double)(ne - k);
        }
        rs.lag = lag;
        hz__gsl_init();
        rs.lb_p = c0 > 0 ? gsl_cdf_chisq_Q((double)ne * (ne + 2.0) * q,
                                           (double)lag)
                         : NAN;
    }
    size_t sm = m > 1 && n > (size_t)m ? (size_t)m : 1;
    double scale = 0.0;
    for (size_t t = sm; t < n; t++)
        scale += fabs(y[t] - y[t - sm]);
    if (ne > 0 && n > sm && scale > 0)
        rs.mase = (sabs / (double)ne) / (scale / (double)(n - sm));
    free(e);
    return rs;
}

hz_status hz_forecast_result_write_diagnostics(const hz_forecast_result *r,
                                               FILE *f, hz_error *err)
{
    fputs("series,model,params,n,nobs,filled,loglik,aic,aicc,bic,sigma2,"
          "ljung_box_lag,ljung_box_p,mase_insample,nonnegative,clamped,"
          "scale,note\n",
          f);
    for (size_t i = 0; i < r->nseries; i++) {
        const hz_forecast_series_result *s = &r->series[i];
        hz__resid_stats rs = hz__fc_resid_stats(s->history, s->fitted, s->n,
                                                r->period);
        hz__csv_field(f, s->key);
        fputc(',', f);
        hz__csv_field(f, s->method);
        fputc(',', f);
        hz__csv_field(f, s->fc->params);
        fprintf(f, ",%zu,%zu,%zu,", s->n, s->nobs, s->nfilled);
        const double v[5] = {s->fc->loglik, s->fc->aic, s->fc->aicc,
                             s->fc->bic, s->fc->sigma2};
        for (int k = 0; k < 5; k++) {
            hz__csv_num(f, v[k]);
            fputc(',', f);
        }
        if (rs.lag)
            fprintf(f, "%zu", rs.lag);
        fputc(',', f);
        hz__csv_num(f, rs.lb_p);
        fputc(',', f);
        hz__csv_num(f, rs.mase);
        fprintf(f, ",%s,%zu,", s->nonnegative ? "yes" : "no", s->nclamped);
        if (s->scale_exp)
            fprintf(f, "2^%d", s->scale_exp);
        fputc(',', f);
        hz__csv_field(f, s->note);
        fputc('\n', f);
    }
    return write_status(f, err, "diagnostics");
}

hz_status hz_forecast_result_write_fitted(const hz_forecast_result *r, FILE *f,
                                          hz_error *err)
{
    fputs("series,date,actual,fitted,residual,filled\n", f);
    for (size_t i = 0; i < r->nseries; i++) {
        const hz_forecast_series_result *s = &r->series[i];
        if (s->fitted == NULL)
            return hz_error_set(err, HZ_EINVAL,
                                "fitted values were not kept (set "
                                "keep_fitted in the request)");
        for (size_t t = 0; t < s->n; t++) {
            char d[32];
            /* a period the clocks skip: estimated for the model, no
             * reading (hz_calendar_skipped) */
            if (hz_calendar_skipped(&r->cal, s->start + (int64_t)t))
                continue;
            hz__csv_field(f, s->key);
            fputc(',', f);
            hz__csv_field(
                f, hz_forecast_result_history_label(r, i, t, d, sizeof d));
            fputc(',', f);
            hz__csv_num(f, s->history[t]);
            fputc(',', f);
            hz__csv_num(f, s->fitted[t]);
            fputc(',', f);
            hz__csv_num(f, s->history[t] - s->fitted[t]);
            fputs(s->filled_at != NULL && s->filled_at[t] ? ",yes\n" : ",no\n",
                  f);
        }
    }
    return write_status(f, err, "fitted values");
}
