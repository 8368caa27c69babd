/* The guard against forecasts that are not finite or leave the scale of
 * the data: exploding multiplicative or integrated fits (ETS with a
 * multiplicative season on a short series; ARIMA with d = 2 extrapolating
 * a last jump; seasonal ARIMA at period 52 on weekly data).
 *
 * The scale is the data's range R (at least 1% of the largest |y|, so a
 * nearly constant series still has one).  A point forecast h steps ahead
 * is out of scale when it lies more than 5 R beyond [min y, max y], the
 * allowance growing in proportion for horizons longer than the series
 * (5 R max(1, h / n)): on M3 monthly no model's point forecast goes beyond
 * 1.6 R (README "Forecasting").  Interval bounds may be wider but not by
 * orders of magnitude (100 times that allowance), and never infinite. */
#include <math.h>

#include "forecast/fc_models.h"

#define GUARD_K 5.0
#define GUARD_K_BOUNDS 500.0

/* Distance of v outside [lo, hi] (0 inside). */
static double outside(double v, double lo, double hi)
{
    return v > hi ? v - hi : v < lo ? lo - v : 0.0;
}

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
    double scale = hi - lo;
    if (scale < 0.01 * amax)
        scale = 0.01 * amax;
    if (scale == 0)
        scale = 1e-9; /* all zero: forecasts must stay at zero */
    for (size_t i = 0; i < f->h; i++) {
        double steps = (double)(i + 1) / (double)n;
        double allow = scale * (steps > 1 ? steps : 1);
        if (!isfinite(f->mean[i]) ||
            outside(f->mean[i], lo, hi) > GUARD_K * allow)
            return false;
        /* intervals may be NaN (undefined, e.g. one observation) but
         * never infinite or out of scale */
        for (size_t k = 0; k < f->nlevels; k++) {
            double a = f->lower[k][i], b = f->upper[k][i];
            if (isinf(a) || isinf(b) ||
                outside(a, lo, hi) > GUARD_K_BOUNDS * allow ||
                outside(b, lo, hi) > GUARD_K_BOUNDS * allow)
                return false;
        }
    }
    return true;
}
