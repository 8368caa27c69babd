/* The measures of `horizon backtest` for one forecast and the number
 * formats of its tables (bt_score.h). */
#include "cli/bt_score.h"

#include <math.h>
#include <string.h>

#include "horizon/metrics.h"

/* Whether every bound of fc's first h steps is a number: a model that
 * gives no intervals (a seasonal naive trained on one season, one
 * observation) leaves them NaN. */
static int has_bounds(const hz_forecast *fc, size_t h)
{
    for (size_t l = 0; l < fc->nlevels; l++)
        for (size_t i = 0; i < h; i++)
            if (isnan(fc->lower[l][i]) || isnan(fc->upper[l][i]))
                return 0;
    return 1;
}

void hz__bt_score(const double *train, size_t ntr, int period, const double *y,
                  size_t h, const hz_forecast *fc, hz__bt_cell *cl)
{
    size_t nl = fc->nlevels, wide = 0;
    cl->smape = hz_smape(y, fc->mean, h);
    cl->mase = hz_mase(train, ntr, period, y, fc->mean, h);
    cl->rmsse = hz_rmsse(train, ntr, y, fc->mean, h);
    cl->ivl = has_bounds(fc, h);
    const double *q[2 * HZ_FC_MAX_LEVELS + 1];
    double tau[2 * HZ_FC_MAX_LEVELS + 1];
    q[0] = fc->mean;
    tau[0] = 0.5;
    for (size_t l = 0; l < nl; l++) {
        cl->cov[l] = cl->ivl ? hz_coverage(y, fc->lower[l], fc->upper[l], h)
                             : NAN;
        wide = fc->levels[l] > fc->levels[wide] ? l : wide;
        q[1 + 2 * l] = fc->lower[l];
        q[2 + 2 * l] = fc->upper[l];
        tau[1 + 2 * l] = 0.5 - fc->levels[l] / 200.0;
        tau[2 + 2 * l] = 0.5 + fc->levels[l] / 200.0;
    }
    cl->msis = nl && cl->ivl
                   ? hz_msis(train, ntr, period, y, fc->lower[wide],
                             fc->upper[wide], h, 1 - fc->levels[wide] / 100)
                   : NAN;
    cl->spl = cl->ivl ? hz_spl(train, ntr, y, q, tau, 1 + 2 * nl, h) : NAN;
    cl->fallback = hz_forecast_note_is_fallback(fc->note);
    cl->model_ivl = cl->ivl && hz_forecast_note_conformal_kept(fc->note);
    cl->ok = isfinite(cl->smape) && isfinite(cl->mase);
    snprintf(cl->method, sizeof cl->method, "%s", fc->method);
}

const char *hz__bt_cell_status(const hz__bt_cell *cl)
{
    if (cl->ok)
        return cl->ivl ? "ok" : "no-intervals";
    return cl->method[0] != '\0' ? "undefined" : "failed";
}

double hz__bt_mean(double s, size_t n)
{
    return n > 0 ? s / (double)n : NAN;
}

void hz__bt_csv_field(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\n\r") == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

void hz__bt_csv_num(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.10g", v);
}

void hz__bt_csv_num6(FILE *f, double v)
{
    fputc(',', f);
    if (isfinite(v))
        fprintf(f, "%.6g", v);
}

void hz__bt_json_num(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.6g", v);
    else
        fputs("null", f);
}

void hz__bt_txt_num(FILE *f, const char *sep, int width, int prec, double v)
{
    fputs(sep, f);
    if (isfinite(v))
        fprintf(f, "%*.*f", width, prec, v);
    else
        fprintf(f, "%*s", width, "-");
}
