/* Unit-root and seasonality tests used by the automatic ARIMA search:
 * KPSS (as urca::ur.kpss, type "mu", short lags), forecast::ndiffs,
 * STL (as R's stl(), after Cleveland et al. 1990) and the seasonal
 * strength heuristic behind forecast::nsdiffs(test = "seas").
 *
 * The STL here follows the structure of the netlib/R implementation:
 * inner loop = cycle-subseries loess (degree s_degree, jumps), low-pass
 * filter (moving averages m, m, 3, then loess), detrended seasonal, and a
 * trend loess; no robustness iterations (R's default robust = FALSE). */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "forecast/fc_internal.h"
#include "horizon/arima.h"

int hz_is_constant(const double *x, size_t n)
{
    if (n == 0)
        return 1;
    double sd = 0.0, sx = 0.0;
    for (size_t i = 0; i < n; i++) {
        sd += fabs(x[i] - x[0]);
        sx += fabs(x[i]);
    }
    sd /= (double)n;
    sx /= (double)n;
    const double tol = 1.5e-8; /* all.equal() default tolerance */
    if (isfinite(sx) && sx > tol)
        sd /= sx;
    return sd <= tol;
}

double hz_kpss_stat(const double *x, size_t n)
{
    if (n < 2)
        return NAN;
    double mean = 0.0;
    for (size_t i = 0; i < n; i++)
        mean += x[i];
    mean /= (double)n;
    double s = 0.0, num = 0.0, s2 = 0.0;
    for (size_t i = 0; i < n; i++) {
        double e = x[i] - mean;
        s += e;
        num += s * s;
        s2 += e * e;
    }
    double dn = (double)n;
    num /= dn * dn;
    s2 /= dn;
    size_t lmax = (size_t)trunc(3.0 * sqrt(dn) / 13.0);
    double out = 0.0;
    for (size_t l = 1; l <= lmax && l < n; l++) {
        double c = 0.0;
        for (size_t t = l; t < n; t++)
            c += (x[t] - mean) * (x[t - l] - mean);
        out += (1.0 - (double)l / (double)(lmax + 1)) * c;
    }
    double den = s2 + 2.0 / dn * out;
    return num / den;
}

int hz_ndiffs(const double *x, size_t n, int max_d, double *work)
{
    const double crit = 0.463; /* 5% critical value, level stationarity */
    int d = 0;
    if (n == 0 || hz_is_constant(x, n))
        return 0;
    memcpy(work, x, n * sizeof *work);
    double st = hz_kpss_stat(work, n);
    if (!isfinite(st))
        return 0;
    int dodiff = st > crit;
    while (dodiff && d < max_d) {
        d++;
        for (size_t i = 0; i + 1 < n; i++)
            work[i] = work[i + 1] - work[i];
        n--;
        if (hz_is_constant(work, n))
            return d;
        st = hz_kpss_stat(work, n);
        if (!isfinite(st))
            return d - 1;
        dodiff = st > crit;
    }
    return d;
}

/* ---- STL ---- arrays below are 0-based; positions are 1-based doubles
 * as in the reference algorithm, element j lives at [j - 1]. */

static int stl_est(const double *y, int n, int len, int ideg, double xs,
                   double *ys, int nleft, int nright, double *w, int userw,
                   const double *rw)
{
    double range = (double)n - 1.0;
    double h = fmax(xs - (double)nleft, (double)nright - xs);
    if (len > n) {
        int half = (len - n) / 2; /* integer halving, as in R's stl */
        h += (double)half;
    }
    double h9 = 0.999 * h, h1 = 0.001 * h, a = 0.0;
    for (int j = nleft; j <= nright; j++) {
        double r = fabs((double)j - xs);
        if (r <= h9) {
            if (r <= h1) {
                w[j - 1] = 1.0;
            } else {
                double u = r / h;
                u = 1.0 - u * u * u;
                w[j - 1] = u * u * u;
            }
            if (userw)
                w[j - 1] *= rw[j - 1];
            a += w[j - 1];
        } else {
            w[j - 1] = 0.0;
        }
    }
    if (a <= 0.0)
        return 0;
    for (int j = nleft; j <= nright; j++)
        w[j - 1] /= a;
    if (h > 0.0 && ideg > 0) {
        a = 0.0;
        for (int j = nleft; j <= nright; j++)
            a += w[j - 1] * (double)j;
        double b = xs - a, c = 0.0;
        for (int j = nleft; j <= nright; j++)
            c += w[j - 1] * ((double)j - a) * ((double)j - a);
        if (sqrt(c) > 0.001 * range) {
            b /= c;
            for (int j = nleft; j <= nright; j++)
                w[j - 1] *= b * ((double)j - a) + 1.0;
        }
    }
    double s = 0.0;
    for (int j = nleft; j <= nright; j++)
        s += w[j - 1] * y[j - 1];
    *ys = s;
    return 1;
}

/* The loess weights of an interior point (its window centred: xs - nleft
 * = nright - xs) depend only on len and ideg, not on where the window
 * sits: computed once per smoothing (into wint, len values) and reused,
 * the estimate then a single dot product.  Robustness weights (userw)
 * differ point to point, so they always take the full path. */
typedef struct stl_win {
    double *wint; /* NULL: no cache */
    int ready;
} stl_win;

static int stl_point(const double *y, int n, int len, int ideg, int i,
                     double *ys, int nleft, int nright, double *res, int userw,
                     const double *rw, stl_win *c)
{
    int nsh = (len + 1) / 2;
    if (c->wint != NULL && !userw && i - nleft == nsh - 1 &&
        nright - i == len - nsh) {
        if (!c->ready) {
            double dummy;
            if (!stl_est(y, n, len, ideg, (double)nsh, &dummy, 1, len, res, 0,
                         NULL))
                return stl_est(y, n, len, ideg, (double)i, ys, nleft, nright,
                               res, userw, rw);
            memcpy(c->wint, res, (size_t)len * sizeof *res);
            c->ready = 1;
        }
        const double *yy = y + nleft - 1;
        double s = 0.0;
        for (int k = 0; k < len; k++)
            s += c->wint[k] * yy[k];
        *ys = s;
        return 1;
    }
    return stl_est(y, n, len, ideg, (double)i, ys, nleft, nright, res, userw,
                   rw);
}

static void stl_ess(const double *y, int n, int len, int ideg, int njump,
                    int userw, const double *rw, double *ys, double *res)
{
    if (n < 2) {
        ys[0] = y[0];
        return;
    }
    int newnj = njump < n - 1 ? njump : n - 1;
    int nleft = 1, nright = n;
    stl_win c = {NULL, 0};
    if (len < n && !userw)
        c.wint = malloc((size_t)len * sizeof *c.wint);
    if (len >= n) {
        nleft = 1;
        nright = n;
        for (int i = 1; i <= n; i += newnj)
            if (!stl_est(y, n, len, ideg, (double)i, &ys[i - 1], nleft, nright,
                         res, userw, rw))
                ys[i - 1] = y[i - 1];
    } else if (newnj == 1) {
        int nsh = (len + 1) / 2;
        nleft = 1;
        nright = len;
        for (int i = 1; i <= n; i++) {
            if (i > nsh && nright != n) {
                nleft++;
                nright++;
            }
            if (!stl_point(y, n, len, ideg, i, &ys[i - 1], nleft, nright, res,
                           userw, rw, &c))
                ys[i - 1] = y[i - 1];
        }
    } else {
        int nsh = (len + 1) / 2;
        for (int i = 1; i <= n; i += newnj) {
            if (i < nsh) {
                nleft = 1;
                nright = len;
            } else if (i >= n - nsh + 1) {
                nleft = n - len + 1;
                nright = n;
            } else {
                nleft = i - nsh + 1;
                nright = len + i - nsh;
            }
            if (!stl_point(y, n, len, ideg, i, &ys[i - 1], nleft, nright, res,
                           userw, rw, &c))
                ys[i - 1] = y[i - 1];
        }
    }
    free(c.wint);
    if (newnj != 1) {
        for (int i = 1; i <= n - newnj; i += newnj) {
            double delta = (ys[i + newnj - 1] - ys[i - 1]) / (double)newnj;
            for (int j = i + 1; j <= i + newnj - 1; j++)
                ys[j - 1] = ys[i - 1] + delta * (double)(j - i);
        }
        int k = ((n - 1) / newnj) * newnj + 1;
        if (k != n) {
            if (!stl_est(y, n, len, ideg, (double)n, &ys[n - 1], nleft, nright,
                         res, userw, rw))
                ys[n - 1] = y[n - 1];
            if (k != n - 1) {
                double delta = (ys[n - 1] - ys[k - 1]) / (double)(n - k);
                for (int j = k + 1; j <= n - 1; j++)
                    ys[j - 1] = ys[k - 1] + delta * (double)(j - k);
            }
        }
    }
}

static void stl_ma(const double *x, int n, int len, double *ave)
{
    int newn = n - len + 1;
    double flen = (double)len, v = 0.0;
    for (int i = 0; i < len; i++)
        v += x[i];
    ave[0] = v / flen;
    for (int j = 2; j <= newn; j++) {
        v = v - x[j - 2] + x[len + j - 2];
        ave[j - 1] = v / flen;
    }
}

static void stl_fts(const double *x, int n, int np, double *trend,
                    double *work)
{
    stl_ma(x, n, np, trend);
    stl_ma(trend, n - np + 1, np, work);
    stl_ma(work, n - 2 * np + 2, 3, trend);
}

/* Smooth one cycle-subseries work1[0..k) into work2[0..k+2) (one value
 * extrapolated at each end). */
static void stl_sub(const double *work1, int k, int ns, int isdeg, int nsjump,
                    int userw, const double *work3, double *work2,
                    double *work4)
{
    stl_ess(work1, k, ns, isdeg, nsjump, userw, work3, work2 + 1, work4);
    int nright = ns < k ? ns : k;
    if (!stl_est(work1, k, ns, isdeg, 0.0, &work2[0], 1, nright, work4, userw,
                 work3))
        work2[0] = work2[1];
    int nleft = k - ns + 1 > 1 ? k - ns + 1 : 1;
    if (!stl_est(work1, k, ns, isdeg, (double)(k + 1), &work2[k + 1], nleft, k,
                 work4, userw, work3))
        work2[k + 1] = work2[k];
}

/* Without robustness weights the subseries smoothing is linear in the
 * data and the same for every subseries of one length: when there are
 * many short subseries (long periods: 168, 336) it is built once per
 * length as a (k + 2) x k matrix, from the smoothings of the unit
 * vectors, and applied to each subseries. */
#define STL_OP_KMAX 64

typedef struct stl_op {
    int k;     /* subseries length, 0: none */
    double *M; /* (k + 2) x k, row-major */
} stl_op;

static int stl_op_build(stl_op *op, int k, int ns, int isdeg, int nsjump,
                        double *work1, double *work2, double *work4)
{
    op->M = malloc((size_t)(k + 2) * (size_t)k * sizeof *op->M);
    if (op->M == NULL)
        return 0;
    op->k = k;
    for (int c = 0; c < k; c++) {
        memset(work1, 0, (size_t)k * sizeof *work1);
        work1[c] = 1.0;
        stl_sub(work1, k, ns, isdeg, nsjump, 0, NULL, work2, work4);
        for (int m = 0; m < k + 2; m++)
            op->M[(size_t)m * (size_t)k + (size_t)c] = work2[m];
    }
    return 1;
}

static const stl_op *stl_op_for(stl_op ops[2], int k, int ns, int isdeg,
                                int nsjump, double *work1, double *work2,
                                double *work4)
{
    for (int i = 0; i < 2; i++) {
        if (ops[i].k == k)
            return &ops[i];
        if (ops[i].k == 0)
            return stl_op_build(&ops[i], k, ns, isdeg, nsjump, work1, work2,
                                work4)
                       ? &ops[i]
                       : NULL;
    }
    return NULL;
}

static void stl_ss(const double *y, int n, int np, int ns, int isdeg,
                   int nsjump, int userw, const double *rw, double *season,
                   double *work1, double *work2, double *work3, double *work4)
{
    stl_op ops[2] = {{0, NULL}, {0, NULL}};
    int kfirst = (n - 1) / np + 1;
    int use_op = !userw && kfirst <= STL_OP_KMAX && np >= 2 * kfirst;
    for (int j = 1; j <= np; j++) {
        int k = (n - j) / np + 1;
        const stl_op *op = use_op ? stl_op_for(ops, k, ns, isdeg, nsjump,
                                               work1, work2, work4)
                                  : NULL;
        for (int i = 1; i <= k; i++)
            work1[i - 1] = y[(i - 1) * np + j - 1];
        if (op != NULL) {
            for (int m = 0; m < k + 2; m++) {
                const double *row = op->M + (size_t)m * (size_t)k;
                double v = 0.0;
                for (int c = 0; c < k; c++)
                    v += row[c] * work1[c];
                work2[m] = v;
            }
        } else {
            if (userw)
                for (int i = 1; i <= k; i++)
                    work3[i - 1] = rw[(i - 1) * np + j - 1];
            stl_sub(work1, k, ns, isdeg, nsjump, userw, work3, work2, work4);
        }
        for (int m = 1; m <= k + 2; m++)
            season[(m - 1) * np + j - 1] = work2[m - 1];
    }
    free(ops[0].M);
    free(ops[1].M);
}

static int next_odd(double x)
{
    int v = (int)lround(x);
    if (v % 2 == 0)
        v++;
    return v;
}

void hz_stl(const double *y, size_t n_, int np, int s_window, double *season,
            double *trend, double *work)
{
    hz__stl(y, n_, (double)np, s_window, season, trend, work);
}

void hz__stl(const double *y, size_t n_, double period, int s_window,
             double *season, double *trend, double *work)
{
    int n = (int)n_;
    int np = (int)period; /* R: as.integer(period) */
    int ns = s_window < 3 ? 3 : s_window;
    if (ns % 2 == 0)
        ns++;
    int nt = next_odd(ceil(1.5 * period / (1.0 - 1.5 / (double)s_window)));
    int nl = next_odd(period);
    if (nt < 3)
        nt = 3;
    if (nl < 3)
        nl = 3;
    if (nt % 2 == 0)
        nt++;
    if (nl % 2 == 0)
        nl++;
    int nsjump = (int)ceil(s_window / 10.0);
    int ntjump = (int)ceil(nt / 10.0);
    int nljump = (int)ceil(nl / 10.0);
    if (np < 2)
        np = 2;
    const int isdeg = 0, itdeg = 1, ildeg = 1, ni = 2;
    size_t ld = (size_t)n + 2 * (size_t)np;
    double *w1 = work, *w2 = work + ld, *w3 = work + 2 * ld,
           *w4 = work + 3 * ld, *w5 = work + 4 * ld;
    for (int i = 0; i < n; i++)
        trend[i] = 0.0;
    for (int it = 0; it < ni; it++) {
        for (int i = 0; i < n; i++)
            w1[i] = y[i] - trend[i];
        stl_ss(w1, n, np, ns, isdeg, nsjump, 0, NULL, w2, w3, w4, w5, season);
        stl_fts(w2, n + 2 * np, np, w3, w1);
        stl_ess(w3, n, nl, ildeg, nljump, 0, NULL, w1, w5);
        for (int i = 0; i < n; i++)
            season[i] = w2[np + i] - w1[i];
        for (int i = 0; i < n; i++)
            w1[i] = y[i] - season[i];
        stl_ess(w1, n, nt, itdeg, ntjump, 0, NULL, trend, w3);
    }
}

static double var_of(const double *x, size_t n)
{
    double m = 0.0, s = 0.0;
    for (size_t i = 0; i < n; i++)
        m += x[i];
    m /= (double)n;
    for (size_t i = 0; i < n; i++)
        s += (x[i] - m) * (x[i] - m);
    return s / (double)(n - 1);
}

double hz_seasonal_strength(const double *x, size_t n, int m, double *work)
{
    if (m < 2 || n <= 2 * (size_t)m)
        return NAN;
    size_t ld = n + 2 * (size_t)m;
    double *season = work, *trend = work + ld, *rem = work + 2 * ld,
           *sr = work + 3 * ld, *stlw = work + 4 * ld;
    hz_stl(x, n, m, 11, season, trend, stlw);
    for (size_t i = 0; i < n; i++) {
        rem[i] = x[i] - season[i] - trend[i];
        sr[i] = rem[i] + season[i];
    }
    double vr = var_of(rem, n), vsr = var_of(sr, n);
    double s = 1.0 - vr / vsr;
    if (!(s > 0.0))
        s = 0.0; /* also NaN when var(S+R) == 0 */
    if (s > 1.0)
        s = 1.0;
    return s;
}

int hz_nsdiffs(const double *x, size_t n, int m, int max_D, double *work)
{
    if (m < 2 || hz_is_constant(x, n) || (size_t)m >= n)
        return 0;
    int D = 0;
    double s = hz_seasonal_strength(x, n, m, work);
    int dodiff = isfinite(s) && s > 0.64;
    /* With max_D = 1 (auto.arima's default) the loop runs at most once;
     * a second seasonal difference is tested like forecast does. */
    double *dx = work + 12 * (n + 2 * (size_t)m);
    size_t nn = n;
    if (dodiff)
        memcpy(dx, x, n * sizeof *dx);
    while (dodiff && D < max_D) {
        D++;
        for (size_t i = 0; i + (size_t)m < nn; i++)
            dx[i] = dx[i + (size_t)m] - dx[i];
        nn -= (size_t)m;
        if (hz_is_constant(dx, nn))
            return D;
        if (nn >= 2 * (size_t)m && D < max_D) {
            s = hz_seasonal_strength(dx, nn, m, work);
            dodiff = isfinite(s) && s > 0.64;
        } else {
            dodiff = 0;
        }
    }
    return D;
}
