/* BFGS minimisation (GSL vector_bfgs2) with restarts, and standard errors
 * from a Hessian.  See numeric/bfgs.h. */
#include <math.h>
#include <stddef.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_vector.h>

#include "numeric/bfgs.h"

int hz__bfgs_minimize(gsl_multimin_function_fdf *fn, gsl_vector *x,
                      size_t max_iter, double gtol, size_t *iter,
                      double *gnorm)
{
    gsl_multimin_fdfminimizer *mz = gsl_multimin_fdfminimizer_alloc(
        gsl_multimin_fdfminimizer_vector_bfgs2, fn->n);
    if (mz == NULL)
        return GSL_ENOMEM;
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int status = GSL_CONTINUE;
    size_t it = 0;
    for (int round = 0; round < 4 && status != GSL_SUCCESS; round++) {
        gsl_multimin_fdfminimizer_set(mz, fn, x, 0.05, 0.1);
        do {
            it++;
            status = gsl_multimin_fdfminimizer_iterate(mz);
            if (status)
                break;
            status = gsl_multimin_test_gradient(mz->gradient, gtol);
        } while (status == GSL_CONTINUE && it < max_iter);
        gsl_vector_memcpy(x, mz->x);
        /* a line-search stall (ENOPROG) right at the optimum */
        if (status != GSL_SUCCESS && gsl_blas_dnrm2(mz->gradient) < 1e3 * gtol)
            status = GSL_SUCCESS;
        if (it >= max_iter)
            break;
    }
    *gnorm = gsl_blas_dnrm2(mz->gradient);
    gsl_set_error_handler(old);
    gsl_multimin_fdfminimizer_free(mz);
    *iter = it;
    return status;
}

void hz__se_from_hessian(double *H, size_t k, double *se)
{
    for (size_t i = 0; i < k; i++) {
        se[i] = NAN;
        for (size_t j = 0; j < i; j++) {
            double v = 0.5 * (H[i * k + j] + H[j * k + i]);
            H[i * k + j] = H[j * k + i] = v;
        }
    }
    gsl_matrix_view hv = gsl_matrix_view_array(H, k, k);
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    if (gsl_linalg_cholesky_decomp1(&hv.matrix) == GSL_SUCCESS &&
        gsl_linalg_cholesky_invert(&hv.matrix) == GSL_SUCCESS)
        for (size_t j = 0; j < k; j++)
            se[j] = sqrt(H[j * k + j]);
    gsl_set_error_handler(old);
}
