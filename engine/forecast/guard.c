/* The guard against forecasts that are not finite or leave the scale of
 * the data (exploding multiplicative or integrated fits). */
#include <math.h>

#include "forecast/fc_models.h"

bool hz__fc_sane(const double *y, size_t n, const hz_forecast *f)
{
    double amax = 0.0, lo = y[0], hi = y[0];
    for (size_t i = 0; i < n; i++) {
        if (fabs(y[i]) > amax)
            amax = fabs(y[i]);
        if (y[i] < lo)
            lo = y[i];
        if (y[i] > hi)
            hi = y[i];
    }
    double bound = 100.0 * (amax + (hi - lo)) + 1e-9;
    for (size_t i = 0; i < f->h; i++) {
        if (!isfinite(f->mean[i]) || fabs(f->mean[i]) > bound)
            return false;
        /* intervals may be NaN (undefined, e.g. one observation) but
         * never infinite */
        for (size_t k = 0; k < f->nlevels; k++)
            if (isinf(f->lower[k][i]) || isinf(f->upper[k][i]))
                return false;
    }
    return true;
}
