/* Forecast combinations (mean / median of member models) and per-series
 * selection among single models and combinations by rolling-origin
 * validation.  See include/horizon/combo.h for the interval rule. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "forecast/fc_models.h"
#include "horizon/arima.h"
#include "horizon/combo.h"
#include "horizon/ets.h"
#include "horizon/forecast.h"
#include "numeric/gsl_init.h"

void hz_combo_opts_init(hz_combo_opts *o)
{
    memset(o, 0, sizeof *o);
    o->members[0] = HZ_MODEL_ETS;
    o->members[1] = HZ_MODEL_ARIMA;
    o->members[2] = HZ_MODEL_THETA;
    o->nmembers = 3;
    o->kind = HZ_COMBO_MEAN;
    o->seed = 42;
}

void hz_select_opts_init(hz_select_opts *o)
{
    memset(o, 0, sizeof *o);
    o->origins = 3;
    o->horizon = 0;
    o->seed = 42;
    o->fixed = -1;
    o->margin = 0.0;
}

static const char *const cand_names[HZ_SEL_COUNT] = {"ets",
                                                     "arima",
                                                     "theta",
                                                     "mean(ets,arima,theta)",
                                                     "median(ets,arima,theta)",
                                                     "mean(ets,theta)",
                                                     "mean(arima,theta)",
                                                     "mean(ets,arima)"};

const char *hz_select_cand_name(int cand)
{
    return cand >= 0 && cand < HZ_SEL_COUNT ? cand_names[cand] : "unknown";
}

/* ARIMA as a member: automatic orders, or the given orders (re-estimated
 * only; falls back to the automatic search when that fit fails). */
static hz_status arima_member(const double *y, size_t n, int period,
                              const hz_arima_spec *fixed,
                              hz_arima_spec *chosen, hz_forecast *out,
                              hz_error *err)
{
    hz_arima_model m;
    hz_status st = HZ_EINVAL;
    double *se = NULL;
    if (fixed != NULL)
        st = hz_arima_fit(y, n, fixed, &m, NULL);
    if (st != HZ_OK)
        st = hz_arima_auto(y, n, period, NULL, &m, err);
    if (st != HZ_OK)
        return st;
    if (chosen != NULL) {
        *chosen = m.spec;
        chosen->method = HZ_ARIMA_CSS_ML;
    }
    se = malloc(out->h * sizeof *se);
    if (se == NULL) {
        hz_arima_model_free(&m);
        return hz_error_set(err, HZ_ENOMEM, "combo: out of memory");
    }
    st = hz_arima_predict(&m, out->h, out->mean, se, err);
    if (st == HZ_OK) {
        hz__gsl_init();
        for (size_t k = 0; k < out->nlevels; k++) {
            double z = gsl_cdf_ugaussian_Pinv(0.5 + out->levels[k] / 200.0);
            for (size_t i = 0; i < out->h; i++) {
                out->lower[k][i] = out->mean[i] - z * se[i];
                out->upper[k][i] = out->mean[i] + z * se[i];
            }
        }
        hz_arima_string(&m, out->method, sizeof out->method);
        out->aicc = m.aicc;
        out->sigma2 = m.sigma2;
    }
    free(se);
    hz_arima_model_free(&m);
    return st;
}

/* "ETS(M,Ad,M)" -> fixed ETS options; 0 when the text is not ETS. */
static int parse_ets(const char *m, hz_ets_opts *o)
{
    char e, t[3] = {0}, se;
    if (strncmp(m, "ETS(", 4) != 0)
        return 0;
    const char *p = m + 4;
    e = p[0];
    if (p[1] != ',')
        return 0;
    p += 2;
    t[0] = p[0];
    if (p[1] == 'd') {
        t[1] = 'd';
        p++;
    }
    if (p[1] != ',')
        return 0;
    se = p[2];
    hz_ets_opts_init(o);
    o->error = e == 'M' ? HZ_ETS_M : HZ_ETS_A;
    o->trend = t[0] == 'N' ? HZ_ETS_N : HZ_ETS_A;
    o->damped = t[1] == 'd';
    o->season = se == 'N' ? HZ_ETS_N : (se == 'M' ? HZ_ETS_M : HZ_ETS_A);
    if ((e != 'A' && e != 'M') || (t[0] != 'N' && t[0] != 'A') ||
        (se != 'N' && se != 'A' && se != 'M'))
        return 0;
    return 1;
}

static int finite_fc(const hz_forecast *f)
{
    for (size_t i = 0; i < f->h; i++)
        if (!isfinite(f->mean[i]))
            return 0;
    return 1;
}

static hz_status member(int model, const double *y, size_t n, int period,
                        uint64_t seed, hz_fc_workspace *w,
                        const hz_arima_spec *fixed, hz_arima_spec *chosen,
                        hz_forecast *out, hz_error *err)
{
    hz_forecast_reset(out);
    hz_status st;
    if (model == HZ_MODEL_ARIMA)
        st = arima_member(y, n, period, fixed, chosen, out, err);
    else if (model == HZ_MODEL_COMBO || model == HZ_MODEL_AUTO)
        return hz_error_set(err, HZ_EINVAL,
                            "combo: member must be a single model");
    else {
        hz__fc_in in = {y, n, period, {0, {0}}, seed, w};
        hz__fc_in_seasons(&in);
        st = hz__fc_run_single(model, &in, out, err);
    }
    if (st == HZ_OK && !finite_fc(out))
        st = hz_error_set(err, HZ_ENOCONV, "combo: %s forecasts not finite",
                          hz_fc_model_name(model));
    return st;
}

static double median_of(double *v, int k)
{
    for (int i = 1; i < k; i++) { /* insertion sort, k <= 4 */
        double t = v[i];
        int j = i;
        while (j > 0 && v[j - 1] > t) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = t;
    }
    return (k % 2) ? v[k / 2] : 0.5 * (v[k / 2 - 1] + v[k / 2]);
}

/* Combine k forecasts (same shape as out) point-wise. */
static void combine(hz_forecast *const *fs, int k, int kind, hz_forecast *out)
{
    double v[HZ_COMBO_MAX];
    for (size_t i = 0; i < out->h; i++) {
        for (int g = 0; g < k; g++)
            v[g] = fs[g]->mean[i];
        double s = 0.0;
        for (int g = 0; g < k; g++)
            s += v[g];
        out->mean[i] = kind == HZ_COMBO_MEDIAN ? median_of(v, k) : s / k;
        for (size_t l = 0; l < out->nlevels; l++) {
            double lo[HZ_COMBO_MAX], hi[HZ_COMBO_MAX], sl = 0, sh = 0;
            for (int g = 0; g < k; g++) {
                lo[g] = fs[g]->lower[l][i];
                hi[g] = fs[g]->upper[l][i];
                sl += lo[g];
                sh += hi[g];
            }
            if (kind == HZ_COMBO_MEDIAN) {
                out->lower[l][i] = median_of(lo, k);
                out->upper[l][i] = median_of(hi, k);
            } else {
                out->lower[l][i] = sl / k;
                out->upper[l][i] = sh / k;
            }
        }
    }
}

static void name_combo(hz_forecast *out, const char *kind,
                       hz_forecast *const *fs, int k)
{
    size_t cap = sizeof out->method;
    int len = snprintf(out->method, cap, "%s(", kind);
    for (int g = 0; g < k && len > 0 && (size_t)len < cap; g++)
        len += snprintf(out->method + len, cap - (size_t)len, "%s%s",
                        g ? "+" : "", fs[g]->method);
    if (len > 0 && (size_t)len < cap - 1)
        snprintf(out->method + len, cap - (size_t)len, ")");
}

hz_status hz_combo_forecast(const double *y, size_t n, int period,
                            const hz_combo_opts *opts_in, hz_fc_workspace *w,
                            hz_forecast *out, hz_error *err)
{
    hz_combo_opts o;
    hz_forecast *fs[HZ_COMBO_MAX] = {NULL};
    hz_forecast *ok[HZ_COMBO_MAX];
    hz_fc_workspace *own = NULL;
    hz_status st = HZ_OK;
    int k = 0;
    char note[192] = "";
    if (opts_in)
        o = *opts_in;
    else
        hz_combo_opts_init(&o);
    if (y == NULL || out == NULL || out->h == 0)
        return hz_error_set(err, HZ_EINVAL, "combo: bad arguments");
    if (o.nmembers == 0 || o.nmembers > HZ_COMBO_MAX)
        return hz_error_set(err, HZ_EINVAL, "combo: 1 to %d members required",
                            HZ_COMBO_MAX);
    if (o.kind != HZ_COMBO_MEAN && o.kind != HZ_COMBO_MEDIAN)
        return hz_error_set(err, HZ_EINVAL, "combo: unknown combination");
    if (w == NULL && (w = own = hz_fc_workspace_alloc(n)) == NULL)
        return hz_error_set(err, HZ_ENOMEM, "combo: out of memory");
    for (size_t i = 0; i < o.nmembers; i++) {
        fs[i] = hz_forecast_alloc(out->h, out->nlevels, out->levels);
        if (fs[i] == NULL) {
            st = hz_error_set(err, HZ_ENOMEM, "combo: out of memory");
            goto done;
        }
        hz_error e2;
        hz_status s = member(o.members[i], y, n, period, o.seed, w, NULL, NULL,
                             fs[i], &e2);
        if (s == HZ_ENOMEM) {
            st = hz_error_set(err, s, "%s", e2.msg);
            goto done;
        }
        if (s != HZ_OK) {
            size_t len = strlen(note);
            snprintf(note + len, sizeof note - len, "%s%s left out: %.100s",
                     len ? "; " : "", hz_fc_model_name(o.members[i]), e2.msg);
            continue;
        }
        ok[k++] = fs[i];
    }
    if (k == 0) {
        st = hz_error_set(err, HZ_ENOCONV,
                          "combo: no member model could be fitted (%s)", note);
        goto done;
    }
    hz_forecast_reset(out);
    combine(ok, k, o.kind, out);
    name_combo(out, o.kind == HZ_COMBO_MEDIAN ? "Median" : "Mean", ok, k);
    snprintf(out->note, sizeof out->note, "%s", note);
done:
    for (size_t i = 0; i < HZ_COMBO_MAX; i++)
        hz_forecast_free(fs[i]);
    hz_fc_workspace_free(own);
    return st;
}

/* members used by each candidate: bit 0 ETS, 1 ARIMA, 2 Theta */
static const int cand_mask[HZ_SEL_COUNT] = {1, 2, 4, 7, 7, 5, 6, 3};

static int cand_build(int cand, hz_forecast *const *m, const int *okm,
                      hz_forecast *out, int name)
{
    hz_forecast *fs[3];
    int k = 0;
    for (int b = 0; b < 3; b++)
        if (cand_mask[cand] & (1 << b)) {
            if (!okm[b])
                return -1;
            fs[k++] = m[b];
        }
    if (k == 0) /* every candidate has at least one member */
        return -1;
    int kind = cand == HZ_SEL_MEDIAN_EAT ? HZ_COMBO_MEDIAN : HZ_COMBO_MEAN;
    combine(fs, k, kind, out);
    if (name) {
        if (k == 1)
            snprintf(out->method, sizeof out->method, "%s", fs[0]->method);
        else
            name_combo(out, kind == HZ_COMBO_MEDIAN ? "Median" : "Mean", fs,
                       k);
    }
    return 0;
}

static double smape(const double *y, const double *f, size_t h)
{
    double s = 0.0;
    for (size_t i = 0; i < h; i++) {
        double d = fabs(y[i]) + fabs(f[i]);
        s += d > 0 ? 200.0 * fabs(y[i] - f[i]) / d : 0.0;
    }
    return s / (double)h;
}

/* The state of one selection: the three members fitted to all of y, the
 * ARIMA orders and ETS form they chose, and the validation scores. */
typedef struct sel {
    const double *y;
    size_t n;
    int period;
    hz_select_opts o;
    hz_fc_workspace *w;
    hz_forecast *full[3];
    int okf[3], nok;
    hz_arima_spec aspec;
    int have_aspec;
    hz_ets_opts eopts;
    int have_eopts;
    hz_ets_workspace *ews;
    double score[HZ_SEL_COUNT];
    int cnt[HZ_SEL_COUNT];
    char note[192];
} sel;

static const int sel_models[3] = {HZ_MODEL_ETS, HZ_MODEL_ARIMA,
                                  HZ_MODEL_THETA};

/* Step 1: fit ETS, ARIMA and Theta to all of y. */
static hz_status sel_fit_full(sel *S, const hz_forecast *out, hz_error *err)
{
    for (int b = 0; b < 3; b++) {
        S->full[b] = hz_forecast_alloc(out->h, out->nlevels, out->levels);
        if (S->full[b] == NULL)
            return hz_error_set(err, HZ_ENOMEM, "select: out of memory");
        hz_error e2;
        hz_status s = member(sel_models[b], S->y, S->n, S->period, S->o.seed,
                             S->w, NULL, b == 1 ? &S->aspec : NULL, S->full[b],
                             &e2);
        if (s == HZ_ENOMEM)
            return hz_error_set(err, s, "%s", e2.msg);
        if (s == HZ_OK) {
            S->okf[b] = 1;
            S->nok++;
            if (b == 1)
                S->have_aspec = 1;
        } else {
            size_t len = strlen(S->note);
            snprintf(S->note + len, sizeof S->note - len,
                     "%s%s failed: %.100s", len ? "; " : "",
                     hz_fc_model_name(sel_models[b]), e2.msg);
        }
    }
    if (S->nok == 0)
        return hz_error_set(err, HZ_ENOCONV,
                            "select: no model could be fitted (%s)", S->note);
    return HZ_OK;
}

/* Member b refitted on y[0..ntr) (ETS keeps its form, ARIMA its orders)
 * into val; *ok says whether it worked.  Fails only on ENOMEM. */
static hz_status sel_member_at(sel *S, int b, size_t ntr, hz_forecast *val,
                               int *ok)
{
    hz_status s;
    if (b == 0 && S->have_eopts) {
        hz_forecast_reset(val);
        S->eopts.seed = S->o.seed;
        s = hz_ets_forecast_w(S->y, ntr, S->period, &S->eopts, S->ews, val,
                              NULL);
        if (s == HZ_OK && !finite_fc(val))
            s = HZ_ENOCONV;
        if (s != HZ_OK && s != HZ_ENOMEM)
            s = member(sel_models[b], S->y, ntr, S->period, S->o.seed, S->w,
                       NULL, NULL, val, NULL);
    } else {
        s = member(sel_models[b], S->y, ntr, S->period, S->o.seed, S->w,
                   b == 1 && S->have_aspec ? &S->aspec : NULL, NULL, val,
                   NULL);
    }
    *ok = s == HZ_OK;
    return s == HZ_ENOMEM ? s : HZ_OK;
}

/* Step 2: score every candidate by sMAPE at the rolling origins. */
static hz_status sel_validate(sel *S, size_t h, hz_error *err)
{
    hz_forecast *val[3] = {NULL}, *cv = NULL;
    hz_status st = HZ_OK;
    size_t n = S->n;
    size_t hv = S->o.horizon ? S->o.horizon : h;
    if (hv > n / 4)
        hv = n / 4;
    size_t K = S->o.origins ? S->o.origins : 1;
    size_t step = hv / K > 0 ? hv / K : 1;
    size_t minlen = S->period > 1 ? 2 * (size_t)S->period + 4 : 8;
    if (hv < 1)
        return HZ_OK;
    for (int b = 0; b < 3; b++)
        if ((val[b] = hz_forecast_alloc(hv, 0, NULL)) == NULL)
            st = HZ_ENOMEM;
    cv = hz_forecast_alloc(hv, 0, NULL);
    S->have_eopts = S->okf[0] && parse_ets(S->full[0]->method, &S->eopts);
    if (S->have_eopts && (S->ews = hz_ets_alloc(n)) == NULL)
        S->have_eopts = 0;
    if (cv == NULL || st != HZ_OK) {
        st = hz_error_set(err, HZ_ENOMEM, "select: out of memory");
        goto done;
    }
    for (size_t j = 0; j < K; j++) {
        if (hv + j * step >= n)
            break;
        size_t ntr = n - hv - j * step;
        if (ntr < minlen)
            break;
        int okv[3] = {0};
        for (int b = 0; b < 3; b++) {
            if (S->okf[b] && sel_member_at(S, b, ntr, val[b], &okv[b]) != 0) {
                st = hz_error_set(err, HZ_ENOMEM, "select: out of memory");
                goto done;
            }
        }
        for (int c = 0; c < HZ_SEL_COUNT; c++) {
            if (cand_build(c, val, okv, cv, 0) != 0)
                continue;
            S->score[c] += smape(S->y + ntr, cv->mean, hv);
            S->cnt[c]++;
        }
    }
done:
    for (int b = 0; b < 3; b++)
        hz_forecast_free(val[b]);
    hz_forecast_free(cv);
    return st;
}

/* Step 3: the candidate with the best mean validation sMAPE over the most
 * origins seen; the equal-weight mean stays unless beaten by the margin or
 * when nothing could be validated. */
static int sel_pick(const sel *S)
{
    int maxc = 0, best = -1;
    for (int c = 0; c < HZ_SEL_COUNT; c++)
        if (S->cnt[c] > maxc)
            maxc = S->cnt[c];
    double bs = INFINITY;
    for (int c = 0; c < HZ_SEL_COUNT; c++) {
        if (maxc == 0 || S->cnt[c] != maxc)
            continue;
        int avail = 1;
        for (int b = 0; b < 3; b++)
            if ((cand_mask[c] & (1 << b)) && !S->okf[b])
                avail = 0;
        double sc = S->score[c] / S->cnt[c];
        if (avail && sc < bs) {
            bs = sc;
            best = c;
        }
    }
    if (best >= 0 && best != HZ_SEL_MEAN_EAT &&
        S->cnt[HZ_SEL_MEAN_EAT] == maxc &&
        !(bs < (1.0 - S->o.margin) * S->score[HZ_SEL_MEAN_EAT] / maxc))
        best = HZ_SEL_MEAN_EAT;
    return best < 0 ? HZ_SEL_MEAN_EAT : best;
}

/* Step 4: the winner on all of y.  It may need a member that failed on
 * the full series: then the mean of what worked.  Returns the candidate
 * used. */
static int sel_build(sel *S, int best, hz_forecast *out)
{
    hz_forecast_reset(out);
    if (cand_build(best, S->full, S->okf, out, 1) != 0) {
        hz_forecast *fs[3];
        int k = 0;
        for (int b = 0; b < 3; b++)
            if (S->okf[b])
                fs[k++] = S->full[b];
        combine(fs, k, HZ_COMBO_MEAN, out);
        if (k == 1)
            snprintf(out->method, sizeof out->method, "%s", fs[0]->method);
        else
            name_combo(out, "Mean", fs, k);
        size_t len = strlen(S->note);
        snprintf(S->note + len, sizeof S->note - len,
                 "%s%s unavailable, used the mean of the fitted models",
                 len ? "; " : "", hz_select_cand_name(best));
        best = HZ_SEL_MEAN_EAT;
    }
    if (best == HZ_SEL_ETS || best == HZ_SEL_ARIMA || best == HZ_SEL_THETA) {
        const hz_forecast *f = S->full[best];
        out->loglik = f->loglik;
        out->aic = f->aic;
        out->aicc = f->aicc;
        out->bic = f->bic;
        out->sigma2 = f->sigma2;
    }
    snprintf(out->note, sizeof out->note, "%s", S->note);
    return best;
}

hz_status hz_select_forecast(const double *y, size_t n, int period,
                             const hz_select_opts *opts_in, hz_fc_workspace *w,
                             hz_forecast *out, int *chosen, hz_error *err)
{
    sel S;
    memset(&S, 0, sizeof S);
    hz_fc_workspace *own = NULL;
    hz_status st = HZ_OK;
    if (opts_in)
        S.o = *opts_in;
    else
        hz_select_opts_init(&S.o);
    if (y == NULL || out == NULL || out->h == 0)
        return hz_error_set(err, HZ_EINVAL, "select: bad arguments");
    if (S.o.fixed >= HZ_SEL_COUNT)
        return hz_error_set(err, HZ_EINVAL, "select: unknown candidate %d",
                            S.o.fixed);
    if (w == NULL && (w = own = hz_fc_workspace_alloc(n)) == NULL)
        return hz_error_set(err, HZ_ENOMEM, "select: out of memory");
    S.y = y;
    S.n = n;
    S.period = period;
    S.w = w;
    st = sel_fit_full(&S, out, err);
    if (st == HZ_OK && S.o.fixed < 0)
        st = sel_validate(&S, out->h, err);
    if (st == HZ_OK) {
        int best = sel_build(&S, S.o.fixed >= 0 ? S.o.fixed : sel_pick(&S),
                             out);
        if (chosen)
            *chosen = best;
    }
    for (int b = 0; b < 3; b++)
        hz_forecast_free(S.full[b]);
    hz_ets_free(S.ews);
    hz_fc_workspace_free(own);
    return st;
}

/* The members' fitted values (fit[g * n ..], NAN where a member has none)
 * averaged into out->fitted, and their parameters into out->params. */
static void mean_fitted(const double *fit, int ng, size_t n, char (*names)[64],
                        char (*pars)[192], hz_forecast *out)
{
    for (size_t t = 0; fit != NULL && t < n; t++) {
        double s = 0.0;
        for (int g = 0; g < ng; g++)
            s += fit[(size_t)g * n + t];
        out->fitted[t] = s / ng;
    }
    int len = 0;
    for (int g = 0; g < ng && len < (int)sizeof out->params; g++)
        if (pars[g][0])
            len += snprintf(out->params + len,
                            sizeof out->params - (size_t)len, "%s%s: %s",
                            len ? "; " : "", names[g], pars[g]);
}

hz_status hz__fc_mean_members(const hz__fc_in *in, const hz__fc_fn *fns,
                              int nm, hz_forecast *out, hz_error *err)
{
    hz_forecast *got[HZ__FC_NTMP];
    char names[HZ__FC_NTMP][64], pars[HZ__FC_NTMP][192];
    int ng = 0;
    const size_t n = in->n;
    if (nm > HZ__FC_NTMP)
        return hz_error_set(err, HZ_EINVAL, "combo: too many members");
    double *fit = NULL; /* members' fitted values, when the caller wants */
    if (out->fitted != NULL && out->fitted_cap >= n &&
        (fit = malloc((size_t)nm * n * sizeof *fit)) == NULL)
        return hz_error_set(err, HZ_ENOMEM, "combo: out of memory");
    for (int i = 0; i < nm; i++) {
        hz_forecast *t = hz__fc_tmp(in->w, i, out);
        if (t == NULL) {
            free(fit);
            return hz_error_set(err, HZ_ENOMEM, "combo: out of memory");
        }
        t->fitted = fit ? fit + (size_t)ng * n : NULL;
        t->fitted_cap = fit ? n : 0;
        hz_forecast_reset(t);
        hz_status ms = fns[i](in, t, NULL);
        t->fitted = NULL;
        t->fitted_cap = 0;
        if (ms != HZ_OK || !hz__fc_sane(in->y, in->n, t))
            continue;
        snprintf(names[ng], sizeof names[ng], "%s", t->method);
        snprintf(pars[ng], sizeof pars[ng], "%s", t->params);
        got[ng++] = t;
    }
    if (ng == 0) {
        free(fit);
        return hz_error_set(err, HZ_ETOOSHORT,
                            "combo: no member model could be fitted");
    }
    mean_fitted(fit, ng, n, names, pars, out);
    free(fit);
    for (size_t i = 0; i < out->h; i++) {
        double s = 0.0;
        for (int g = 0; g < ng; g++)
            s += got[g]->mean[i];
        out->mean[i] = s / ng;
        for (size_t k = 0; k < out->nlevels; k++) {
            double lo = 0.0, hi = 0.0;
            for (int g = 0; g < ng; g++) {
                lo += got[g]->lower[k][i];
                hi += got[g]->upper[k][i];
            }
            out->lower[k][i] = lo / ng;
            out->upper[k][i] = hi / ng;
        }
    }
    int len = snprintf(out->method, sizeof out->method, "Combo(");
    for (int g = 0; g < ng && len < (int)sizeof out->method; g++)
        len += snprintf(out->method + len, sizeof out->method - (size_t)len,
                        "%s%s", g ? "+" : "", names[g]);
    if (len < (int)sizeof out->method)
        snprintf(out->method + len, sizeof out->method - (size_t)len, ")");
    return HZ_OK;
}
