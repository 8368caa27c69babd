/* Cholesky factorisation and solve (see numeric/chol.h). */
#include <math.h>

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
