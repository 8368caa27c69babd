/* Croston, SBA, TSB, ADIDA and IMAPA for intermittent demand, and the
 * Syntetos-Boylan-Croston classification (include/horizon/intermittent.h). */
#pragma GCC diagnostic ignored "-Wformat-truncation"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_min.h>

#include "horizon/intermittent.h"
#include "numeric/gsl_init.h"

void hz_idemand_opts_init(hz_idemand_opts *o)
{
    memset(o, 0, sizeof *o);
    o->method = HZ_ID_CROSTON;
    o->alpha = 0.1;
    o->alpha_d = 0.1;
    o->alpha_p = 0.1;
}

const char *hz_demand_class_name(hz_demand_class c)
{
    static const char *const names[] = {"smooth", "erratic", "intermittent",
                                        "lumpy"};
    return c <= HZ_DEMAND_LUMPY ? names[c] : "unknown";
}

/* The demand sizes (y > 0) and the intervals before each, as R's croston:
 * tt = diff(c(0, which(y > 0))).  Returns their number k. */
static size_t demands(const double *y, size_t n, double *size, double *tt)
{
    size_t k = 0, last = 0;
    for (size_t t = 0; t < n; t++)
        if (y[t] > 0) {
            size[k] = y[t];
            tt[k] = (double)(t + 1 - last);
            last = t + 1;
            k++;
        }
    return k;
}

hz_demand_class hz_demand_classify(const double *y, size_t n, double *adi,
                                   double *cv2)
{
    double sum_tt = 0.0, s = 0.0, s2 = 0.0;
    size_t k = 0, last = 0;
    for (size_t t = 0; t < n; t++)
        if (y[t] > 0) {
            sum_tt += (double)(t + 1 - last);
            last = t + 1;
            s += y[t];
            k++;
        }
    double a = k > 0 ? sum_tt / (double)k : INFINITY, c = 0.0;
    if (k > 1) {
        double mean = s / (double)k;
        for (size_t t = 0; t < n; t++)
            if (y[t] > 0)
                s2 += (y[t] - mean) * (y[t] - mean);
        c = (s2 / (double)(k - 1)) / (mean * mean);
    }
    if (adi != NULL)
        *adi = a;
    if (cv2 != NULL)
        *cv2 = c;
    if (a < HZ_SBC_ADI)
        return c < HZ_SBC_CV2 ? HZ_DEMAND_SMOOTH : HZ_DEMAND_ERRATIC;
    return c < HZ_SBC_CV2 ? HZ_DEMAND_INTERMITTENT : HZ_DEMAND_LUMPY;
}

/* forecast's ses(initial = "simple"): level from x[0], then
 * l = alpha x + (1 - alpha) l over every value (HoltWintersZZ). */
static double ses_simple(const double *x, size_t k, double alpha)
{
    double l = x[0];
    for (size_t i = 0; i < k; i++)
        l = alpha * x[i] + (1 - alpha) * l;
    return l;
}

typedef struct ses_data {
    const double *x;
    size_t k;
} ses_data;

/* In-sample squared one-step error of SES started at x[0]. */
static double ses_sse(double alpha, void *ctx)
{
    const double *x = ((const ses_data *)ctx)->x;
    size_t k = ((const ses_data *)ctx)->k;
    double f = x[0], sse = 0.0;
    for (size_t i = 1; i < k; i++) {
        f = alpha * x[i - 1] + (1 - alpha) * f;
        sse += (x[i] - f) * (x[i] - f);
    }
    return sse;
}

/* SES with alpha in [0.1, 0.3] chosen by in-sample squared error: the
 * best of a 21-point grid, refined by GSL's Brent minimiser between its
 * neighbours when it is interior. */
static double ses_optimized(const double *x, size_t k)
{
    ses_data d = {x, k};
    void *ctx = &d;
    double best = 0.1, fbest = INFINITY;
    int ib = 0;
    for (int i = 0; i <= 20; i++) {
        double a = 0.1 + 0.01 * i, f = ses_sse(a, ctx);
        if (f < fbest) {
            fbest = f;
            best = a;
            ib = i;
        }
    }
    double alo = best - 0.01, ahi = best + 0.01;
    double flo = ib > 0 ? ses_sse(alo, ctx) : INFINITY;
    double fhi = ib < 20 ? ses_sse(ahi, ctx) : INFINITY;
    /* Brent needs a strict bracket (GSL reports an error otherwise) */
    if (ib > 0 && ib < 20 && fbest < flo && fbest < fhi) {
        hz__gsl_init();
        gsl_function F = {ses_sse, ctx};
        gsl_min_fminimizer *m = gsl_min_fminimizer_alloc(
            gsl_min_fminimizer_brent);
        if (m != NULL &&
            gsl_min_fminimizer_set_with_values(m, &F, best, fbest, alo, flo,
                                               ahi, fhi) == GSL_SUCCESS) {
            for (int it = 0; it < 50; it++) {
                if (gsl_min_fminimizer_iterate(m) != GSL_SUCCESS)
                    break;
                if (gsl_min_test_interval(gsl_min_fminimizer_x_lower(m),
                                          gsl_min_fminimizer_x_upper(m), 1e-6,
                                          0.0) == GSL_SUCCESS)
                    break;
            }
            if (gsl_min_fminimizer_f_minimum(m) < fbest)
                best = gsl_min_fminimizer_x_minimum(m);
        }
        gsl_min_fminimizer_free(m);
    }
    return ses_simple(x, k, best);
}

/* ADIDA at aggregation level a: the SES forecast of the bucket sums (the
 * first n % a periods left out) per period.  buf: n / a doubles. */
static double adida_level(const double *y, size_t n, size_t a, double *buf)
{
    size_t lost = n % a, nb = n / a;
    for (size_t b = 0; b < nb; b++) {
        double s = 0.0;
        for (size_t j = 0; j < a; j++)
            s += y[lost + b * a + j];
        buf[b] = s;
    }
    return ses_optimized(buf, nb) / (double)a;
}

/* The aggregation level of ADIDA / IMAPA: round(mean interval), in
 * [1, n]. */
static size_t agg_level(const double *tt, size_t k, size_t n)
{
    double sum = 0.0;
    for (size_t i = 0; i < k; i++)
        sum += tt[i];
    size_t a = (size_t)lround(sum / (double)k);
    return a < 1 ? 1 : a > n ? n : a;
}

/* The rate of one method (mean demand per period) and its demand
 * probability *p.  work: n doubles. */
static double rate_of(const double *y, size_t n, const hz_idemand_opts *o,
                      const double *size, const double *tt, size_t k,
                      double *work, double *p, char *name, size_t namesz)
{
    double ms = 0.0, rate = 0.0;
    for (size_t i = 0; i < k; i++)
        ms += size[i];
    ms /= (double)k;
    size_t agg = agg_level(tt, k, n);
    switch (o->method) {
    case HZ_ID_CROSTON:
    case HZ_ID_SBA: {
        double yf = ses_simple(size, k, o->alpha);
        double pf = k == 1 ? tt[0] : ses_simple(tt, k, o->alpha);
        rate = yf / pf;
        /* the bounds' chance of a demand: one over the mean interval; with
         * one demand that interval is the wait for it alone (a demand in
         * the first period: 1, so bounds of zero width with zeros after
         * it), so the share of periods with a demand, 1 / n, instead */
        *p = k == 1 ? 1.0 / (double)n : 1.0 / pf;
        if (o->method == HZ_ID_SBA)
            rate *= 1.0 - o->alpha / 2.0;
        snprintf(name, namesz, "%s(%g)",
                 o->method == HZ_ID_SBA ? "SBA" : "Croston", o->alpha);
        return rate;
    }
    case HZ_ID_TSB:
        for (size_t t = 0; t < n; t++)
            work[t] = y[t] > 0 ? 1.0 : 0.0;
        *p = ses_simple(work, n, o->alpha_p);
        snprintf(name, namesz, "TSB(%g,%g)", o->alpha_d, o->alpha_p);
        return *p * ses_simple(size, k, o->alpha_d);
    case HZ_ID_ADIDA:
        rate = adida_level(y, n, agg, work);
        snprintf(name, namesz, "ADIDA(%zu)", agg);
        break;
    default: /* IMAPA */
        for (size_t a = 1; a <= agg; a++)
            rate += adida_level(y, n, a, work);
        rate /= (double)agg;
        snprintf(name, namesz, "IMAPA(%zu)", agg);
        break;
    }
    *p = ms > 0 ? rate / ms : 0.0;
    return rate;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Quantile q of the per-period demand: 0 with probability 1 - p, else a
 * size from the sorted sizes s[0..k) (R's type 7 quantile). */
static double demand_quantile(const double *s, size_t k, double p, double q)
{
    if (!(p > 0) || q <= 1.0 - p)
        return 0.0;
    double u = (q - (1.0 - p)) / p;
    double h = (double)(k - 1) * u;
    size_t lo = (size_t)floor(h);
    if (lo + 1 >= k)
        return s[k - 1];
    return s[lo] + (h - (double)lo) * (s[lo + 1] - s[lo]);
}

/* Flat rate and quantile bounds (never on the wrong side of the rate). */
static void fill_forecast(hz_forecast *out, double rate, const double *sorted,
                          size_t k, double p)
{
    if (p > 1)
        p = 1;
    for (size_t l = 0; l < out->nlevels; l++) {
        double a = (1.0 - out->levels[l] / 100.0) / 2.0;
        double lo = k > 0 ? demand_quantile(sorted, k, p, a) : 0.0;
        double hi = k > 0 ? demand_quantile(sorted, k, p, 1.0 - a) : 0.0;
        if (lo > rate)
            lo = rate;
        if (hi < rate)
            hi = rate;
        for (size_t i = 0; i < out->h; i++) {
            out->lower[l][i] = lo;
            out->upper[l][i] = hi;
        }
    }
    for (size_t i = 0; i < out->h; i++)
        out->mean[i] = rate;
}

hz_status hz_idemand_forecast(const double *y, size_t n,
                              const hz_idemand_opts *o, hz_forecast *out,
                              hz_error *err)
{
    hz_idemand_opts def;
    if (o == NULL) {
        hz_idemand_opts_init(&def);
        o = &def;
    }
    if (y == NULL || out == NULL)
        return hz_error_set(err, HZ_EINVAL, "intermittent: null argument");
    if (n == 0)
        return hz_error_set(err, HZ_ETOOSHORT,
                            "intermittent: series has no observations");
    if (o->method < HZ_ID_CROSTON || o->method > HZ_ID_IMAPA)
        return hz_error_set(err, HZ_EINVAL, "intermittent: unknown method");
    for (size_t i = 0; i < n; i++)
        if (!isfinite(y[i]) || y[i] < 0)
            return hz_error_set(err, HZ_EINVAL,
                                "intermittent: value at position %zu is %s", i,
                                isfinite(y[i]) ? "negative" : "not finite");
    double *buf = malloc(3 * n * sizeof(double));
    if (buf == NULL)
        return hz_error_set(err, HZ_ENOMEM, "intermittent: out of memory");
    double *size = buf, *tt = buf + n, *work = buf + 2 * n;
    size_t k = demands(y, n, size, tt);
    double p = 0.0, rate = 0.0;
    char name[64] = "";
    if (k == 0) {
        static const char *const nm[] = {"Croston", "SBA", "TSB", "ADIDA",
                                         "IMAPA"};
        snprintf(name, sizeof name, "%s(no demand)", nm[o->method]);
    } else {
        rate = rate_of(y, n, o, size, tt, k, work, &p, name, sizeof name);
        qsort(size, k, sizeof *size, cmp_double);
    }
    fill_forecast(out, rate, size, k, p);
    /* one observation says nothing of the spread: no bounds (NaN, as
     * naive's), rather than bounds of zero width at it */
    for (size_t l = 0; n == 1 && l < out->nlevels; l++)
        for (size_t i = 0; i < out->h; i++)
            out->lower[l][i] = out->upper[l][i] = NAN;
    snprintf(out->method, sizeof out->method, "%s", name);
    free(buf);
    return HZ_OK;
}
