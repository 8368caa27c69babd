/* Bias correction before reconciliation (include/horizon/reconcile.h,
 * hz_recon_bias_correct): each node's forecast s steps ahead moved by the
 * mean of its own rolling-origin errors s steps ahead, where that mean is
 * unlikely to be chance.
 *
 * Projections such as MinT keep unbiased base forecasts unbiased, and
 * pass a bias on (Panagiotelis, Athanasopoulos, Gamakumara & Hyndman
 * 2021, "Forecast reconciliation: a geometric view with new insights on
 * bias correction", who correct the base forecasts first).  Every error
 * mean is noisy, and correcting an unbiased node only adds that noise, so
 * a step is corrected only when its mean error is significant at alpha
 * for the whole hierarchy at once (Bonferroni over the m x h tests). */
#include <math.h>
#include <stddef.h>

#include <gsl/gsl_cdf.h>

#include "horizon/reconcile.h"
#include "numeric/gsl_init.h"

/* Fewer errors than this at a step: no test (and no correction). */
enum { MIN_ERRORS = 5 };

size_t hz_recon_bias_origins(size_t h, int period)
{
    return h < 1 ? 0 : h - 1 + (period > 5 ? (size_t)period : 5);
}

/* Mean of the R errors e[r * h] (r < R; NaN skipped) into *mean, and its
 * standard error by Newey & West with Bartlett weights up to lag L (the
 * errors of origins less than L + 1 apart share targets); *cnt the
 * errors.  The origins are consecutive, so lag l pairs r and r + l. */
static double mean_se(const double *e, size_t R, size_t h, size_t L,
                      double *mean, size_t *cnt)
{
    double sum = 0.0;
    size_t c = 0;
    for (size_t r = 0; r < R; r++)
        if (isfinite(e[r * h])) {
            sum += e[r * h];
            c++;
        }
    *cnt = c;
    *mean = c > 0 ? sum / (double)c : 0.0;
    if (c < MIN_ERRORS)
        return NAN;
    double v = 0.0;
    for (size_t l = 0; l <= L && l < R; l++) {
        double g = 0.0;
        for (size_t r = l; r < R; r++) {
            double a = e[r * h], b = e[(r - l) * h];
            if (isfinite(a) && isfinite(b))
                g += (a - *mean) * (b - *mean);
        }
        g /= (double)c;
        v += l == 0 ? g : 2.0 * (1.0 - (double)l / (double)(L + 1)) * g;
    }
    return v > 0 ? sqrt(v / (double)c) : 0.0;
}

size_t hz_recon_bias_correct(size_t m, size_t h, const hz_recon_steps *steps,
                             double alpha, hz_forecast *const *fc,
                             size_t *corrected)
{
    for (size_t i = 0; corrected != NULL && i < m; i++)
        corrected[i] = 0;
    if (steps == NULL || steps->e == NULL || steps->R == 0 || m == 0 ||
        h == 0 || !(alpha > 0 && alpha < 1))
        return 0;
    /* two-sided, Bonferroni over every node and step */
    hz__gsl_init();
    double z = gsl_cdf_ugaussian_Qinv(alpha / (2.0 * (double)m * (double)h));
    size_t total = 0;
    for (size_t i = 0; i < m; i++) {
        hz_forecast *f = fc[i];
        if (f == NULL)
            continue;
        for (size_t s = 0; s < h && s < f->h; s++) {
            double mean;
            size_t cnt;
            double se = mean_se(steps->e + i * steps->R * h + s, steps->R, h,
                                s, &mean, &cnt);
            if (isnan(se) || mean == 0.0 || fabs(mean) <= z * se)
                continue;
            f->mean[s] += mean; /* errors are y - forecast */
            for (size_t k = 0; k < f->nlevels; k++) {
                f->lower[k][s] += mean;
                f->upper[k][s] += mean;
            }
            total++;
            if (corrected != NULL)
                corrected[i]++;
        }
    }
    return total;
}
