/* M4 accuracy measures. */
#include <math.h>

#include "horizon/metrics.h"

double hz_smape(const double *y, const double *f, size_t h)
{
    if (h == 0)
        return NAN;
    double s = 0.0;
    for (size_t i = 0; i < h; i++) {
        double d = fabs(y[i]) + fabs(f[i]);
        if (d > 0)
            s += 200.0 * fabs(y[i] - f[i]) / d;
    }
    return s / (double)h;
}

double hz_mase_scale(const double *train, size_t n, int m)
{
    size_t lag = m >= 1 ? (size_t)m : 1;
    if (n <= lag)
        lag = 1;
    if (n <= lag)
        return NAN;
    double s = 0.0;
    for (size_t t = lag; t < n; t++)
        s += fabs(train[t] - train[t - lag]);
    return s / (double)(n - lag);
}

double hz_mase(const double *train, size_t n, int m, const double *y,
               const double *f, size_t h)
{
    double sc = hz_mase_scale(train, n, m);
    if (h == 0 || !(sc > 0))
        return NAN;
    return hz_mae(y, f, h) / sc;
}

double hz_coverage(const double *y, const double *lo, const double *hi,
                   size_t h)
{
    if (h == 0)
        return NAN;
    size_t c = 0;
    for (size_t i = 0; i < h; i++) {
        if (isnan(lo[i]) || isnan(hi[i]))
            return NAN; /* no interval there: neither in nor out */
        if (y[i] >= lo[i] && y[i] <= hi[i])
            c++;
    }
    return (double)c / (double)h;
}

double hz_owa(double smape, double mase, double smape_naive2,
              double mase_naive2)
{
    return 0.5 * (smape / smape_naive2 + mase / mase_naive2);
}

double hz_mae(const double *y, const double *f, size_t h)
{
    if (h == 0)
        return NAN;
    double s = 0.0;
    for (size_t i = 0; i < h; i++)
        s += fabs(y[i] - f[i]);
    return s / (double)h;
}

double hz_rmse(const double *y, const double *f, size_t h)
{
    if (h == 0)
        return NAN;
    double s = 0.0;
    for (size_t i = 0; i < h; i++)
        s += (y[i] - f[i]) * (y[i] - f[i]);
    return sqrt(s / (double)h);
}

double hz_rmsse(const double *train, size_t n, const double *y,
                const double *f, size_t h)
{
    if (n < 2 || h == 0)
        return NAN;
    double sc = 0.0;
    for (size_t t = 1; t < n; t++)
        sc += (train[t] - train[t - 1]) * (train[t] - train[t - 1]);
    sc /= (double)(n - 1);
    double r = hz_rmse(y, f, h);
    return sc > 0 ? sqrt(r * r / sc) : NAN;
}

double hz_msis(const double *train, size_t n, int m, const double *y,
               const double *lo, const double *hi, size_t h, double alpha)
{
    double sc = hz_mase_scale(train, n, m);
    if (h == 0 || !(sc > 0) || !(alpha > 0 && alpha < 1))
        return NAN;
    double s = 0.0;
    for (size_t i = 0; i < h; i++) {
        if (isnan(lo[i]) || isnan(hi[i]))
            return NAN;
        s += hi[i] - lo[i];
        if (y[i] < lo[i])
            s += 2.0 / alpha * (lo[i] - y[i]);
        if (y[i] > hi[i])
            s += 2.0 / alpha * (y[i] - hi[i]);
    }
    return s / (double)h / sc;
}

double hz_pinball(const double *y, const double *q, size_t h, double tau)
{
    if (h == 0)
        return NAN;
    double s = 0.0;
    for (size_t i = 0; i < h; i++) {
        double d = y[i] - q[i];
        s += d >= 0 ? tau * d : (tau - 1.0) * d;
    }
    return s / (double)h;
}

double hz_spl(const double *train, size_t n, const double *y,
              const double *const *q, const double *tau, size_t nq, size_t h)
{
    double sc = hz_mase_scale(train, n, 1);
    if (nq == 0 || h == 0 || !(sc > 0))
        return NAN;
    double s = 0.0;
    for (size_t j = 0; j < nq; j++)
        s += hz_pinball(y, q[j], h, tau[j]);
    return s / (double)nq / sc;
}
