/* Nelder-Mead simplex minimiser: R's nmmin (src/appl/optim.c), the
 * optimiser forecast::ets calls, with bounded evaluations (see
 * numeric/nelder_mead.h). */
#include <math.h>

#include "numeric/nelder_mead.h"

#define NM_BIG 1.0e35

/* The starting simplex around Bvec (R's nmmin): vertex 0 is Bvec, vertex
 * j moves coordinate j - 1 by a tenth of the largest |Bvec[i]| (0.1 when
 * all are 0), multiplied by 10 until the coordinate changes.  P has n + 2
 * columns of n + 1 rows (PP below); returns the simplex size. */
static double nm_simplex(double *P, int n, const double *Bvec)
{
#define PP(i, j) P[(i) * (n + 2) + (j)]
    double size = 0.0, step = 0.0;
    for (int i = 0; i < n; i++)
        PP(i, 0) = Bvec[i];
    for (int i = 0; i < n; i++)
        if (0.1 * fabs(Bvec[i]) > step)
            step = 0.1 * fabs(Bvec[i]);
    if (step == 0.0)
        step = 0.1;
    for (int j = 2; j <= n + 1; j++) {
        for (int i = 0; i < n; i++)
            PP(i, j - 1) = Bvec[i];
        double trystep = step;
        while (PP(j - 2, j - 1) == Bvec[j - 2]) {
            PP(j - 2, j - 1) = Bvec[j - 2] + trystep;
            trystep *= 10;
        }
        size += trystep;
    }
    return size;
#undef PP
}

/* Shrink every vertex halfway towards the best one (1-based L); returns
 * the new simplex size (the vertices' values must be recomputed). */
static double nm_shrink(double *P, int n, int L)
{
#define PP(i, j) P[(i) * (n + 2) + (j)]
    double size = 0.0;
    for (int j = 0; j < n + 1; j++) {
        if (j + 1 != L) {
            for (int i = 0; i < n; i++) {
                PP(i, j) = 0.5 * (PP(i, j) - PP(i, L - 1)) + PP(i, L - 1);
                size += fabs(PP(i, j) - PP(i, L - 1));
            }
        }
    }
    return size;
#undef PP
}

int hz__nelder_mead(int n, double *Bvec, double *Fmin, hz__nm_fn fn, void *ctx,
                    double abstol, double intol, int maxit)
{
    double P[(HZ_NM_MAX_PAR + 1) * (HZ_NM_MAX_PAR + 2)];
#define PP(i, j) P[(i) * (n + 2) + (j)]
    int C, H, L = 0, n1, funcount = 0;
    double convtol, f, oldsize, size, temp, VH, VL, VR;
    int calcvert;

    if (n > HZ_NM_MAX_PAR)
        return -1;
    f = fn(Bvec, INFINITY, ctx);
    if (!isfinite(f)) {
        *Fmin = f;
        return -1;
    }
    funcount = 1;
    convtol = intol * (fabs(f) + intol);
    n1 = n + 1;
    C = n + 2;
    PP(n1 - 1, 0) = f;
    L = 1;
    size = nm_simplex(P, n, Bvec);
    oldsize = size;
    calcvert = 1;
    do {
        if (calcvert) {
            for (int j = 0; j < n1; j++) {
                if (j + 1 != L) {
                    for (int i = 0; i < n; i++)
                        Bvec[i] = PP(i, j);
                    f = fn(Bvec, INFINITY, ctx);
                    if (!isfinite(f))
                        f = NM_BIG;
                    funcount++;
                    PP(n1 - 1, j) = f;
                }
            }
            calcvert = 0;
        }
        VL = PP(n1 - 1, L - 1);
        VH = VL;
        H = L;
        for (int j = 1; j <= n1; j++) {
            if (j != L) {
                f = PP(n1 - 1, j - 1);
                if (f < VL) {
                    L = j;
                    VL = f;
                }
                if (f > VH) {
                    H = j;
                    VH = f;
                }
            }
        }
        if (VH <= VL + convtol || VL <= abstol)
            break;
        for (int i = 0; i < n; i++) {
            temp = -PP(i, H - 1);
            for (int j = 0; j < n1; j++)
                temp += PP(i, j);
            PP(i, C - 1) = temp / n;
        }
        for (int i = 0; i < n; i++)
            Bvec[i] = 2.0 * PP(i, C - 1) - PP(i, H - 1);
        /* the reflected value is only stored when below VH */
        f = fn(Bvec, VH, ctx);
        if (!isfinite(f))
            f = NM_BIG;
        funcount++;
        VR = f;
        if (VR < VL) {
            PP(n1 - 1, C - 1) = f;
            for (int i = 0; i < n; i++) {
                f = 2.0 * Bvec[i] + (1 - 2.0) * PP(i, C - 1);
                PP(i, C - 1) = Bvec[i];
                Bvec[i] = f;
            }
            f = fn(Bvec, VR, ctx); /* kept only when below VR */
            if (!isfinite(f))
                f = NM_BIG;
            funcount++;
            if (f < VR) {
                for (int i = 0; i < n; i++)
                    PP(i, H - 1) = Bvec[i];
                PP(n1 - 1, H - 1) = f;
            } else {
                for (int i = 0; i < n; i++)
                    PP(i, H - 1) = PP(i, C - 1);
                PP(n1 - 1, H - 1) = VR;
            }
        } else {
            if (VR < VH) {
                for (int i = 0; i < n; i++)
                    PP(i, H - 1) = Bvec[i];
                PP(n1 - 1, H - 1) = VR;
            }
            for (int i = 0; i < n; i++)
                Bvec[i] = 0.5 * PP(i, H - 1) + 0.5 * PP(i, C - 1);
            f = fn(Bvec, PP(n1 - 1, H - 1), ctx);
            if (!isfinite(f))
                f = NM_BIG;
            funcount++;
            if (f < PP(n1 - 1, H - 1)) {
                for (int i = 0; i < n; i++)
                    PP(i, H - 1) = Bvec[i];
                PP(n1 - 1, H - 1) = f;
            } else if (VR >= VH) {
                calcvert = 1;
                size = nm_shrink(P, n, L);
                if (size < oldsize)
                    oldsize = size;
                else
                    break;
            }
        }
    } while (funcount <= maxit);
    *Fmin = PP(n1 - 1, L - 1);
    for (int i = 0; i < n; i++)
        Bvec[i] = PP(i, L - 1);
#undef PP
    return funcount;
}
