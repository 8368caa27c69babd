/* State-space pieces of ARIMA: the stationary initial covariance, the
 * exact ARMA likelihood by the Kalman filter, R's diffuse filter for the
 * integrated model and the forecast recursion.
 *
 * State form (Harvey; as R's makeARIMA): r = max(p, q + 1),
 *   x_t[i] = phi_{i+1} x_{t-1}[0] + x_{t-1}[i+1] + theta_i e_t,
 * theta_0 = 1, y_t = x_t[0] (+ Delta applied to past y for d > 0).
 * Matrices are column-major, element (i, j) at [i + r * j].
 * The likelihood used by the optimiser (hz__arma_like) works on the
 * differenced series with Chandrasekhar recursions; the full filter with
 * R's diffuse prior (hz__arima_ss_filter) runs once per final model. */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "forecast/arima_internal.h"

size_t hz__arma_work_size(int r)
{
    size_t R = (size_t)r + 2;
    return 2 * R * R + 12 * R + 16;
}

static double th_at(const double *theta, int q, int i)
{
    if (i == 0)
        return 1.0;
    return (i - 1 < q) ? theta[i - 1] : 0.0;
}

/* Solve A x = b (N x N, column-major, overwritten) by Gaussian
 * elimination with partial pivoting.  Returns -1 when singular. */
int hz__solve_small(double *A, double *b, int N)
{
    for (int k = 0; k < N; k++) {
        int piv = k;
        double best = fabs(A[k + N * k]);
        for (int i = k + 1; i < N; i++)
            if (fabs(A[i + N * k]) > best) {
                best = fabs(A[i + N * k]);
                piv = i;
            }
        if (!(best > 1e-300))
            return -1;
        if (piv != k) {
            for (int j = 0; j < N; j++) {
                double t = A[k + N * j];
                A[k + N * j] = A[piv + N * j];
                A[piv + N * j] = t;
            }
            double t = b[k];
            b[k] = b[piv];
            b[piv] = t;
        }
        for (int i = k + 1; i < N; i++) {
            double f = A[i + N * k] / A[k + N * k];
            if (f == 0.0)
                continue;
            for (int j = k; j < N; j++)
                A[i + N * j] -= f * A[k + N * j];
            b[i] -= f * b[k];
        }
    }
    for (int k = N - 1; k >= 0; k--) {
        double s = b[k];
        for (int j = k + 1; j < N; j++)
            s -= A[k + N * j] * b[j];
        b[k] = s / A[k + N * k];
    }
    return 0;
}

/* psi[0..r] (MA(inf) weights) and autocovariances gam[0..r] of the ARMA
 * with unit innovation variance.  work: (p+1)^2 + (p+1) doubles. */
static int arma_acov(const double *phi, int p, const double *theta, int q,
                     int r, double *psi, double *gam, double *work)
{
    double *bv = work, *A = work + p + 1;
    psi[0] = 1.0;
    for (int j = 1; j <= r; j++) {
        double s = (j <= q) ? theta[j - 1] : 0.0;
        for (int k = 1; k <= p && k <= j; k++)
            s += phi[k - 1] * psi[j - k];
        psi[j] = s;
    }
    if (p > 0) {
        int N = p + 1;
        memset(A, 0, (size_t)N * (size_t)N * sizeof *A);
        for (int k = 0; k <= p; k++) {
            A[k + N * k] += 1.0;
            for (int j = 1; j <= p; j++) {
                int c = k - j < 0 ? j - k : k - j;
                A[k + N * c] -= phi[j - 1];
            }
            double s = 0.0;
            for (int j = k; j <= q; j++)
                s += th_at(theta, q, j) * psi[j - k];
            bv[k] = s;
        }
        if (hz__solve_small(A, bv, N) != 0)
            return -1;
        for (int k = 0; k <= p && k <= r; k++)
            gam[k] = bv[k];
        for (int k = p + 1; k <= r; k++) {
            double s = 0.0;
            for (int j = 1; j <= p; j++)
                s += phi[j - 1] * gam[k - j];
            for (int j = k; j <= q; j++)
                s += th_at(theta, q, j) * psi[j - k];
            gam[k] = s;
        }
        if (!(gam[0] > 0.0) || !isfinite(gam[0]))
            return -1;
    } else {
        for (int k = 0; k <= r; k++) {
            double s = 0.0;
            for (int j = k; j <= q; j++)
                s += th_at(theta, q, j) * psi[j - k];
            gam[k] = s;
        }
    }
    return 0;
}

int hz__arma_q0(const double *phi, int p, const double *theta, int q,
                double *P0, double *work)
{
    int r = p > q + 1 ? p : q + 1;
    size_t R = (size_t)r + 2;
    double *psi = work, *gam = psi + R, *nzp = gam + R, *nzt = nzp + R;
    double *aw = nzt + R;
    int np = 0, nt = 0;

    if (arma_acov(phi, p, theta, q, r, psi, gam, aw) != 0)
        return -1;
    for (int a = 1; a <= p; a++)
        if (phi[a - 1] != 0.0)
            nzp[np++] = (double)a;
    for (int c = 0; c <= q; c++)
        if (th_at(theta, q, c) != 0.0)
            nzt[nt++] = (double)c;

    for (int i = 0; i < r; i++) {
        for (int k = i; k < r; k++) {
            double s = 0.0;
            for (int ia = 0; ia < np; ia++) {
                int a = (int)nzp[ia];
                if (a < i + 1)
                    continue;
                int j = a - i - 1;
                double fa = phi[a - 1];
                for (int ib = 0; ib < np; ib++) {
                    int b = (int)nzp[ib];
                    if (b < k + 1)
                        continue;
                    int l = b - k - 1;
                    s += fa * phi[b - 1] * gam[j > l ? j - l : l - j];
                }
                for (int ic = 0; ic < nt; ic++) {
                    int c = (int)nzt[ic];
                    if (c < k)
                        continue;
                    int l = c - k;
                    if (l - 1 - j >= 0)
                        s += fa * th_at(theta, q, c) * psi[l - 1 - j];
                }
            }
            for (int ic = 0; ic < nt; ic++) {
                int c = (int)nzt[ic];
                if (c < i)
                    continue;
                int j = c - i;
                double tc = th_at(theta, q, c);
                for (int ib = 0; ib < np; ib++) {
                    int b = (int)nzp[ib];
                    if (b < k + 1)
                        continue;
                    int l = b - k - 1;
                    if (j - 1 - l >= 0)
                        s += tc * phi[b - 1] * psi[j - 1 - l];
                }
                int c2 = k + j;
                if (c2 <= q)
                    s += tc * th_at(theta, q, c2);
            }
            P0[i + r * k] = s;
            P0[k + r * i] = s;
        }
    }
    return 0;
}

int hz__arma_like(const double *w, size_t n, const double *phi, int p,
                  const double *theta, int q, double *work, double *ssq,
                  double *sumlog, int *nu)
{
    /* Chandrasekhar recursions (Morf, Sidhu & Kailath 1974): with the
     * stationary start P_1 = P0, P_{t+1} - P_t = W_t M_t W_t' has rank one,
     * so each step costs O(r) instead of the O(r^2) covariance update:
     *   F_{t+1} = F_t + (Z W_t)^2 M_t,  K_{t+1} = K_t + T W_t M_t (Z W_t),
     *   W_{t+1} = T W_t - K_{t+1} (Z W_t) / F_{t+1},
     *   M_{t+1} = M_t F_{t+1} / F_t,
     * with K_t = T P_t Z', W_1 = K_1, M_1 = -1 / F_1.  Only the first
     * column of P0 is needed: P0[i][0] = cov(x_t[i], y_t). */
    int r = p > q + 1 ? p : q + 1;
    size_t R = (size_t)r + 2;
    double *psi = work, *gam = psi + R, *K = gam + R, *W = K + R;
    double *a = W + R, *u = a + R, *aw = u + R;
    double s_ssq = 0.0, s_log = 0.0;
    int cnt = 0;

    if (arma_acov(phi, p, theta, q, r, psi, gam, aw) != 0)
        return -1;
    /* c[i] = P0[i][0], stored in u temporarily */
    for (int i = 0; i < r; i++) {
        double s = 0.0;
        for (int j = 0; j <= r - 1 - i; j++) {
            int ia = i + 1 + j;
            if (ia <= p)
                s += phi[ia - 1] * gam[j + 1];
            s += th_at(theta, q, i + j) * psi[j];
        }
        u[i] = s;
    }
    double F = u[0];
    if (!(F > 0.0) || !isfinite(F))
        return -1;
    for (int i = 0; i < r; i++) {
        double v = (i < r - 1) ? u[i + 1] : 0.0;
        if (i < p)
            v += phi[i] * u[0];
        K[i] = v;
        W[i] = v;
        a[i] = 0.0;
    }
    double M = -1.0 / F;
    int frozen = 0;
    /* phi padded to r + 1 with zeros; a, K, W carry a trailing zero so
     * the fused loop below needs no branches */
    double *ph = aw;
    for (int i = 0; i <= r; i++)
        ph[i] = i < p ? phi[i] : 0.0;
    a[r] = W[r] = K[r] = 0.0;
    for (size_t l = 0; l < n; l++) {
        double v = w[l] - a[0];
        if (F < 1e4) {
            cnt++;
            s_ssq += v * v / F;
            s_log += log(F);
        }
        double a0 = a[0], g = v / F;
        if (frozen) {
            for (int i = 0; i < r; i++)
                a[i] = a[i + 1] + ph[i] * a0 + K[i] * g;
            continue;
        }
        double sw = W[0];
        double Fn = F + sw * sw * M;
        if (!(Fn > 0.0) || !isfinite(Fn))
            return -1;
        double ms = M * sw, kf = sw / Fn, wmax = 0.0;
        for (int i = 0; i < r; i++) {
            a[i] = a[i + 1] + ph[i] * a0 + K[i] * g;
            double ui = W[i + 1] + ph[i] * sw;
            double ki = K[i] + ui * ms;
            K[i] = ki;
            double wi = ui - ki * kf;
            W[i] = wi;
            double awi = fabs(wi);
            wmax = awi > wmax ? awi : wmax;
        }
        M = M * Fn / F;
        F = Fn;
        /* converged: the rank-one covariance change W M W' vanished */
        if (wmax * wmax * fabs(M) <= 1e-16 * F)
            frozen = 1;
    }
    *ssq = s_ssq;
    *sumlog = s_log;
    *nu = cnt;
    return 0;
}

size_t hz__arima_ss_work(int rd, int r)
{
    size_t RD = (size_t)rd;
    return 3 * RD * RD + 4 * RD + hz__arma_work_size(r) + 16;
}

/* Pnew = T P T' + V for the integrated model (structure of R's
 * ARIMA_Like); mm is rd*rd scratch. */
static void tpt(int r, int rd, const double *phi, int p, const double *theta,
                int q, const double *delta, int nd, const double *P,
                double *mm, double *Pnew)
{
    size_t RD = (size_t)rd;
    for (int i = 0; i < r; i++)
        for (int j = 0; j < rd; j++) {
            double v = 0.0;
            if (i < p)
                v += phi[i] * P[RD * j];
            if (i < r - 1)
                v += P[i + 1 + RD * j];
            mm[i + RD * j] = v;
        }
    if (nd > 0) {
        for (int j = 0; j < rd; j++) {
            double v = P[RD * j];
            for (int k = 0; k < nd; k++)
                v += delta[k] * P[r + k + RD * j];
            mm[r + RD * j] = v;
        }
        for (int i = 1; i < nd; i++)
            for (int j = 0; j < rd; j++)
                mm[r + i + RD * j] = P[r + i - 1 + RD * j];
    }
    for (int i = 0; i < r; i++)
        for (int j = 0; j < rd; j++) {
            double v = 0.0;
            if (i < p)
                v += phi[i] * mm[j];
            if (i < r - 1)
                v += mm[RD * (i + 1) + j];
            Pnew[j + RD * i] = v;
        }
    if (nd > 0) {
        for (int j = 0; j < rd; j++) {
            double v = mm[j];
            for (int k = 0; k < nd; k++)
                v += delta[k] * mm[RD * (r + k) + j];
            Pnew[RD * r + j] = v;
        }
        for (int i = 1; i < nd; i++)
            for (int j = 0; j < rd; j++)
                Pnew[RD * (r + i) + j] = mm[RD * (r + i - 1) + j];
    }
    for (int i = 0; i <= q; i++) {
        double vi = th_at(theta, q, i);
        for (int j = 0; j <= q; j++)
            Pnew[i + RD * j] += vi * th_at(theta, q, j);
    }
}

static void tx(int r, const double *phi, int p, const double *delta, int nd,
               const double *a, double *anew)
{
    for (int i = 0; i < r; i++) {
        double v = (i < r - 1) ? a[i + 1] : 0.0;
        if (i < p)
            v += phi[i] * a[0];
        anew[i] = v;
    }
    if (nd > 0) {
        for (int i = r + 1; i < r + nd; i++)
            anew[i] = a[i - 1];
        double v = a[0];
        for (int i = 0; i < nd; i++)
            v += delta[i] * a[r + i];
        anew[r] = v;
    }
}

int hz__arima_ss_filter(const double *y, size_t n, const double *phi, int p,
                        const double *theta, int q, const double *delta,
                        int nd, double kappa, double *a, double *P,
                        double *resid, double *ssq, double *sumlog, int *nu,
                        double *work)
{
    int r = p > q + 1 ? p : q + 1;
    int rd = r + nd;
    size_t RD = (size_t)rd;
    double *Pnew = work, *mm = Pnew + RD * RD, *Q0 = mm + RD * RD;
    double *anew = Q0 + RD * RD, *M = anew + RD, *qw = M + RD;
    double s_ssq = 0.0, s_log = 0.0;
    int cnt = 0;

    if (hz__arma_q0(phi, p, theta, q, Q0, qw) != 0)
        return -1;
    memset(Pnew, 0, RD * RD * sizeof *Pnew);
    for (int i = 0; i < r; i++)
        for (int j = 0; j < r; j++)
            Pnew[i + RD * j] = Q0[i + (size_t)r * j];
    for (int i = r; i < rd; i++)
        Pnew[i + RD * i] = kappa;
    memset(P, 0, RD * RD * sizeof *P);
    memset(a, 0, RD * sizeof *a);

    for (size_t l = 0; l < n; l++) {
        tx(r, phi, p, delta, nd, a, anew);
        if (l > 0)
            tpt(r, rd, phi, p, theta, q, delta, nd, P, mm, Pnew);
        double res = y[l] - anew[0];
        for (int i = 0; i < nd; i++)
            res -= delta[i] * anew[r + i];
        for (int i = 0; i < rd; i++) {
            double v = Pnew[i];
            for (int j = 0; j < nd; j++)
                v += Pnew[i + (size_t)(r + j) * RD] * delta[j];
            M[i] = v;
        }
        double gain = M[0];
        for (int j = 0; j < nd; j++)
            gain += delta[j] * M[r + j];
        if (!(gain > 0.0) || !isfinite(gain))
            return -1;
        if (gain < 1e4) {
            cnt++;
            s_ssq += res * res / gain;
            s_log += log(gain);
        }
        if (resid != NULL)
            resid[l] = res / sqrt(gain);
        for (int i = 0; i < rd; i++)
            a[i] = anew[i] + M[i] * res / gain;
        for (int i = 0; i < rd; i++)
            for (int j = 0; j < rd; j++)
                P[i + j * RD] = Pnew[i + j * RD] - M[i] * M[j] / gain;
    }
    *ssq = s_ssq;
    *sumlog = s_log;
    *nu = cnt;
    return 0;
}

void hz__arima_ss_forecast(int h, const double *phi, int p,
                           const double *theta, int q, const double *delta,
                           int nd, const double *a0, const double *P0,
                           double *mean, double *var, double *work)
{
    int r = p > q + 1 ? p : q + 1;
    int rd = r + nd;
    size_t RD = (size_t)rd;
    double *P = work, *mm = P + RD * RD, *Pn = mm + RD * RD;
    double *a = Pn + RD * RD, *an = a + RD;
    memcpy(P, P0, RD * RD * sizeof *P);
    memcpy(a, a0, RD * sizeof *a);
    for (int l = 0; l < h; l++) {
        tx(r, phi, p, delta, nd, a, an);
        double fc = an[0];
        for (int i = 0; i < nd; i++)
            fc += delta[i] * an[r + i];
        memcpy(a, an, RD * sizeof *a);
        mean[l] = fc;
        tpt(r, rd, phi, p, theta, q, delta, nd, P, mm, Pn);
        memcpy(P, Pn, RD * RD * sizeof *P);
        /* Z = (1, 0..0, delta) */
        double v = 0.0;
        for (int i = 0; i < rd; i++) {
            double zi = (i == 0) ? 1.0 : (i >= r ? delta[i - r] : 0.0);
            if (zi == 0.0)
                continue;
            for (int j = 0; j < rd; j++) {
                double zj = (j == 0) ? 1.0 : (j >= r ? delta[j - r] : 0.0);
                if (zj != 0.0)
                    v += zi * zj * P[i + RD * j];
            }
        }
        var[l] = v;
    }
}
