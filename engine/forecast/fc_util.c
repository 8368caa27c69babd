/* Numeric helpers shared by the forecasting modules: classical
 * decomposition, autocorrelation, the M4 seasonality test, a tiny linear
 * fit, the normal quantile, a deterministic PRNG and notes appended to. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "forecast/fc_internal.h"
#include "horizon/outfile.h"
#include "numeric/gsl_init.h"

int hz__decompose(const double *x, size_t n, int m, int mult, double *seasonal)
{
    if (m < 2 || n < 2 * (size_t)m)
        return -1;
    double fig[256];
    size_t cnt[256];
    if (m > 256)
        return -1;
    for (int i = 0; i < m; i++) {
        fig[i] = 0.0;
        cnt[i] = 0;
    }
    size_t half = (size_t)m / 2;
    for (size_t t = half; t + half < n; t++) {
        double tr = 0.0;
        if (m % 2 == 0) {
            tr = 0.5 * x[t - half] + 0.5 * x[t + half];
            for (size_t k = t - half + 1; k < t + half; k++)
                tr += x[k];
        } else {
            for (size_t k = t - half; k <= t + half; k++)
                tr += x[k];
        }
        tr /= m;
        double s = mult ? x[t] / tr : x[t] - tr;
        if (!isfinite(s))
            continue;
        fig[t % (size_t)m] += s;
        cnt[t % (size_t)m]++;
    }
    double mean = 0.0;
    for (int i = 0; i < m; i++) {
        if (cnt[i] == 0)
            return -1;
        fig[i] /= (double)cnt[i];
        mean += fig[i];
    }
    mean /= m;
    for (int i = 0; i < m; i++)
        fig[i] = mult ? fig[i] / mean : fig[i] - mean;
    for (size_t t = 0; t < n; t++)
        seasonal[t] = fig[t % (size_t)m];
    return 0;
}

void hz__acf(const double *x, size_t n, int maxlag, double *r)
{
    double mean = 0.0;
    for (size_t t = 0; t < n; t++)
        mean += x[t];
    mean /= (double)n;
    double d = 0.0;
    for (size_t t = 0; t < n; t++)
        d += (x[t] - mean) * (x[t] - mean);
    r[0] = 1.0;
    for (int k = 1; k <= maxlag; k++) {
        double s = 0.0;
        for (size_t t = 0; t + (size_t)k < n; t++)
            s += (x[t] - mean) * (x[t + k] - mean);
        r[k] = d > 0 ? s / d : 0.0;
    }
}

int hz__seasonality_test(const double *x, size_t n, int m, size_t min_n)
{
    if (m < 2 || n < min_n || n <= (size_t)m || m > 1024)
        return 0;
    int constant = 1;
    for (size_t t = 1; t < n; t++)
        if (x[t] != x[0]) {
            constant = 0;
            break;
        }
    if (constant)
        return 0;
    double r[1025];
    hz__acf(x, n, m, r);
    double s = 0.0;
    for (int k = 1; k < m; k++)
        s += r[k] * r[k];
    double stat = sqrt((1.0 + 2.0 * s) / (double)n);
    return fabs(r[m]) / stat > hz__qnorm(0.95);
}

void hz__linfit(const double *y, size_t n, double t0, double *a, double *b)
{
    double mt = t0 + ((double)n - 1.0) / 2.0, my = 0.0;
    for (size_t i = 0; i < n; i++)
        my += y[i];
    my /= (double)n;
    double sxy = 0.0, sxx = 0.0;
    for (size_t i = 0; i < n; i++) {
        double dt = t0 + (double)i - mt;
        sxy += dt * (y[i] - my);
        sxx += dt * dt;
    }
    *b = sxx > 0 ? sxy / sxx : 0.0;
    *a = my - *b * mt;
}

const char *hz__of_count(size_t k, size_t n, const char *one, const char *many,
                         char *buf, size_t cap)
{
    if (n == 1 && k == 1)
        snprintf(buf, cap, "the one %s", one);
    else
        snprintf(buf, cap, "%zu of %zu %s", k, n, n == 1 ? one : many);
    return buf;
}

void hz__note_append(char *note, size_t cap, const char *add)
{
    if (cap == 0)
        return;
    size_t len = strnlen(note, cap - 1), alen = strlen(add);
    const char *sep = len ? "; " : "";
    if (len + strlen(sep) + alen >= cap && len > 0) {
        /* keep what fits of the note before "...; add", whole UTF-8
         * characters */
        size_t room = cap - 1 > alen + 5 ? cap - 1 - alen - 5 : 0;
        if (room < len)
            len = hz_utf8_cut(note, room);
        snprintf(note + len, cap - len, "...%s%s", sep, add);
        return;
    }
    snprintf(note + len, cap - len, "%s%s", sep, add);
}

const char *hz__note_name(const char *name, size_t max, char *buf,
                          size_t cap)
{
    size_t n = strlen(name);
    if (n <= max || cap <= max || max < 3)
        return name;
    n = hz_utf8_cut(name, max - 3);
    snprintf(buf, cap, "%.*s...", (int)n, name);
    return buf;
}

double hz__qnorm(double p)
{
    hz__gsl_init();
    return gsl_cdf_ugaussian_Pinv(p);
}

uint64_t hz__hash64(const void *data, size_t len, uint64_t h)
{
    const unsigned char *p = data;
    h ^= 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}
