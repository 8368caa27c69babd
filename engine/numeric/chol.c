/* Cholesky factorisation and solve (see numeric/chol.h). */
#include <math.h>
#include <string.h>

#include "numeric/chol.h"

bool hz__chol(double *A, size_t p, double rtol)
{
    for (size_t j = 0; j < p; j++) {
        double g = A[j * p + j], d = g;
        for (size_t k = 0; k < j; k++)
            d -= A[j * p + k] * A[j * p + k];
        if (!(d > rtol * (g + 1e-300)) || !isfinite(d))
            return false;
        d = sqrt(d);
        A[j * p + j] = d;
        for (size_t i = j + 1; i < p; i++) {
            double v = A[i * p + j];
            for (size_t k = 0; k < j; k++)
                v -= A[i * p + k] * A[j * p + k];
            A[i * p + j] = v / d;
        }
    }
    return true;
}

void hz__chol_solve(const double *L, size_t p, double *b)
{
    for (size_t i = 0; i < p; i++) { /* L z = b */
        double v = b[i];
        for (size_t k = 0; k < i; k++)
            v -= L[i * p + k] * b[k];
        b[i] = v / L[i * p + i];
    }
    for (size_t i = p; i-- > 0;) { /* L' x = z */
        double v = b[i];
        for (size_t k = i + 1; k < p; k++)
            v -= L[k * p + i] * b[k];
        b[i] = v / L[i * p + i];
    }
}

size_t hz__chol_aliased(const double *A, size_t p, double rtol, double *work,
                        bool *with)
{
    double *L = work, *sc = work + p * p;
    memset(with, 0, p * sizeof *with);
    for (size_t j = 0; j < p; j++) {
        double a = A[j * p + j];
        sc[j] = a > 0 && isfinite(a) ? 1 / sqrt(a) : 0;
    }
    /* Cholesky of the correlations, column by column: the pivot of j is
     * the share of its variance the columns before it leave over */
    for (size_t j = 0; j < p; j++) {
        if (sc[j] == 0)
            return j;
        double r = 1;
        for (size_t k = 0; k < j; k++) {
            double v = A[j * p + k] * sc[j] * sc[k];
            for (size_t m = 0; m < k; m++)
                v -= L[j * p + m] * L[k * p + m];
            L[j * p + k] = v / L[k * p + k];
            r -= L[j * p + k] * L[j * p + k];
        }
        if (!(r > rtol)) {
            /* its regression on the columns before it: L' b = z, with z
             * row j of L; the columns with a weight take part */
            double *b = sc; /* the scales are no longer needed */
            double mx = 0;
            for (size_t k = j; k-- > 0;) {
                double v = L[j * p + k];
                for (size_t m = k + 1; m < j; m++)
                    v -= L[m * p + k] * b[m];
                b[k] = v / L[k * p + k];
                mx = fmax(mx, fabs(b[k]));
            }
            for (size_t k = 0; k < j; k++)
                with[k] = fabs(b[k]) > 1e-6 * mx;
            return j;
        }
        L[j * p + j] = sqrt(r);
    }
    return p;
}
