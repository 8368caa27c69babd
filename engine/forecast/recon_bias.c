/* Bias correction before reconciliation (include/horizon/reconcile.h,
 * hz_recon_bias_correct): a node's forecast s steps ahead moved by the
 * bias line (a constant and a drift) of its own rolling-origin errors,
 * weighted by how well such lines would have done in the past.
 *
 * Projections such as MinT keep unbiased base forecasts unbiased and pass
 * a bias on (Panagiotelis, Athanasopoulos, Gamakumara & Hyndman 2021,
 * "Forecast reconciliation: a geometric view with new insights on bias
 * correction", who correct the base forecasts first).  Every error mean
 * is noisy, and correcting an unbiased node only adds that noise.  A
 * significance test cannot tell them apart here: the errors of nearby
 * origins overlap, and the tens of origins a node has leave too few
 * independent ones at later steps (a t test on non-overlapping errors
 * corrected 0.4% of the biased sales nodes of bench/bench_hier.c; a
 * Newey-West one, with a long-run variance it cannot estimate from so few,
 * corrected unbiased random walks in most hierarchies).  So the choice is
 * made as a combination weight is, out of sample: each node's errors
 * replayed in time order against the bias line of the errors already
 * known at their origin, and the line weighted by the least-squares
 * weight that would have explained them best, between 0 (no correction)
 * and 1.  A line through a constant and a drift rather than a mean per
 * step: one mean of 12 overlapping errors at step 6 is nearly as noisy as
 * one error, two coefficients from all steps much less (a choice of the
 * node by means per step cost unbiased random walks 16% in squared
 * error, by the line 14%, with the weight 9%; drifting walks gain 70%
 * each way).
 *
 * One node's weight still rests on one node's tens of errors.  With the
 * levels of a hierarchy given, the nodes of a level share one weight, of
 * all their replays pooled (errors on each node's scale): the level's
 * lines, each node's its own, are trusted as far as they would have
 * helped the level (README, "Hierarchies that add up", measures both
 * rules on hierarchies of M3 series, of random walks and of generated
 * sales and products: bench/bench_hier.c --m3, --walks). */
#include <math.h>
#include <stddef.h>

#include "horizon/reconcile.h"

/* Errors of a step that a correction must rest on, at least; a node
 * needs h replayed errors to be judged. */
enum { MIN_KNOWN = 3, MIN_ERRORS = 5 };

size_t hz_recon_bias_origins(size_t h, int period)
{
    return h < 1 ? 0 : h - 1 + (period > 5 ? (size_t)period : 5);
}

/* The bias line a + d (s + 1) fitted by weighted least squares (weights
 * 1 / (s + 1), as the variance of a multi-step error grows with the step)
 * to node errors e[r * h + s] (origin r, step s; larger r older) known at
 * origin `from`: those of origins q >= from + s + 1 at step s (from -1:
 * every error).  A constant where one step only is known; false with
 * fewer than min errors. */
static bool bias_line(const double *e, double inv, size_t R, size_t h,
                      long from, size_t min, double *a, double *d)
{
    double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
    size_t k = 0;
    for (size_t s = 0; s < h; s++) {
        long q0 = from < 0 ? 0 : from + (long)s + 1;
        for (size_t q = q0 < 0 ? 0 : (size_t)q0; q < R; q++) {
            double y = e[q * h + s] * inv;
            if (!isfinite(y))
                continue;
            double w = 1.0 / (double)(s + 1), x = (double)(s + 1);
            sw += w;
            sx += w * x;
            sy += w * y;
            sxx += w * x * x;
            sxy += w * x * y;
            k++;
        }
    }
    if (k < min)
        return false;
    double det = sw * sxx - sx * sx;
    if (det > 1e-12 * sw * sxx) {
        *d = (sw * sxy - sx * sy) / det;
        *a = (sy - *d * sx) / sw;
    } else {
        *d = 0;
        *a = sy / sw;
    }
    return true;
}

/* Node errors e replayed in time order against the bias line of the
 * errors known at their origin: sum x b and sum b^2 over every error x
 * and its line's value b, added to *xb and *bb; the errors replayed. */
static size_t replay(const double *e, double inv, size_t R, size_t h,
                     double *xb, double *bb)
{
    size_t replayed = 0;
    for (size_t r = 0; r < R; r++) {
        double a, d;
        if (!bias_line(e, inv, R, h, (long)r, MIN_KNOWN, &a, &d))
            continue;
        for (size_t s = 0; s < h; s++) {
            double x = e[r * h + s] * inv;
            if (!isfinite(x))
                continue;
            double b = a + d * (double)(s + 1);
            *xb += x * b;
            *bb += b * b;
            replayed++;
        }
    }
    return replayed;
}

/* The least-squares weight sum x b / sum b^2 of the replayed lines,
 * clipped to [0, 1]; 0 with fewer than h replayed errors or when the
 * lines pointed the wrong way. */
static double clip_weight(double xb, double bb, size_t replayed, size_t h)
{
    if (replayed < h || !(bb > 0) || !(xb > 0) || !isfinite(xb) ||
        !isfinite(bb))
        return 0.0;
    return xb >= bb ? 1.0 : xb / bb;
}

/* 1 / the largest finite |error| of a node (its errors then at most 1 in
 * size, so that no product overflows); 0 without a non-zero one. */
static double inv_scale(const double *e, size_t R, size_t h)
{
    double c = 0.0;
    for (size_t k = 0; k < R * h; k++)
        if (isfinite(e[k]) && fabs(e[k]) > c)
            c = fabs(e[k]);
    return c > 0 ? 1.0 / c : 0.0;
}

/* Whether node j is in node g's group: the same level, or itself
 * without levels. */
static bool same_group(const int *level, size_t g, size_t j)
{
    return level != NULL ? level[j] == level[g] : j == g;
}

size_t hz_recon_bias_correct(size_t m, size_t h, const hz_recon_steps *steps,
                             const int *level, hz_forecast *const *fc,
                             size_t *corrected, double *shift)
{
    for (size_t i = 0; corrected != NULL && i < m; i++)
        corrected[i] = 0;
    for (size_t k = 0; shift != NULL && k < m * h; k++)
        shift[k] = 0.0;
    if (steps == NULL || steps->e == NULL || steps->R == 0 || h == 0)
        return 0;
    const size_t R = steps->R;
    size_t total = 0;
    /* group by group (each led by its first node): the nodes' replays
     * pooled into one weight, then each node moved by its own line times
     * it */
    for (size_t g = 0; g < m; g++) {
        bool seen = false;
        for (size_t j = 0; level != NULL && j < g && !seen; j++)
            seen = level[j] == level[g];
        if (seen)
            continue;
        const size_t end = level != NULL ? m : g + 1;
        double xb = 0.0, bb = 0.0;
        size_t replayed = 0;
        for (size_t i = g; i < end; i++) {
            const double *ei = steps->e + i * R * h;
            double inv, nxb = 0.0, nbb = 0.0;
            if (!same_group(level, g, i) || fc[i] == NULL ||
                !((inv = inv_scale(ei, R, h)) > 0) || !isfinite(inv))
                continue;
            /* a node counts with h replayed errors at least */
            size_t k = replay(ei, inv, R, h, &nxb, &nbb);
            if (k < h)
                continue;
            xb += nxb;
            bb += nbb;
            replayed += k;
        }
        double w = clip_weight(xb, bb, replayed, h);
        for (size_t i = g; w > 0 && i < end; i++) {
            hz_forecast *f = fc[i];
            const double *ei = steps->e + i * R * h;
            double inv, a, d, nxb = 0.0, nbb = 0.0;
            if (!same_group(level, g, i) || f == NULL ||
                !((inv = inv_scale(ei, R, h)) > 0) || !isfinite(inv) ||
                replay(ei, inv, R, h, &nxb, &nbb) < h ||
                !bias_line(ei, inv, R, h, -1, MIN_ERRORS, &a, &d))
                continue;
            for (size_t s = 0; s < h && s < f->h; s++) {
                double b = w * (a + d * (double)(s + 1)) / inv;
                if (b == 0.0 || !isfinite(b))
                    continue;
                if (shift != NULL)
                    shift[i * h + s] = b;
                f->mean[s] += b; /* errors are y - forecast */
                for (size_t k = 0; k < f->nlevels; k++) {
                    f->lower[k][s] += b;
                    f->upper[k][s] += b;
                }
                total++;
                if (corrected != NULL)
                    corrected[i]++;
            }
        }
    }
    return total;
}
