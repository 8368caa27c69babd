/* The BFGS phase of the maximum-likelihood driver (GSL vector_bfgs2).
 * See numeric/mle.h. */
#include <math.h>
#include <stddef.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_vector.h>

#include "numeric/gsl_init.h"
#include "numeric/mle.h"

static double mean_f(const gsl_vector *v, void *vp)
{
    const hz__mle_problem *p = vp;
    double f = p->fn(v->data, NULL, p->ctx);
    return isfinite(f) ? f / p->n : GSL_POSINF;
}

static void mean_fdf(const gsl_vector *v, void *vp, double *f, gsl_vector *g)
{
    const hz__mle_problem *p = vp;
    double gr[HZ__MLE_KMAX];
    double fv = p->fn(v->data, gr, p->ctx);
    if (f != NULL)
        *f = isfinite(fv) ? fv / p->n : GSL_POSINF;
    for (size_t j = 0; j < p->k; j++)
        gsl_vector_set(g, j, isfinite(gr[j]) ? gr[j] / p->n : 0.0);
}

static void mean_df(const gsl_vector *v, void *vp, gsl_vector *g)
{
    mean_fdf(v, vp, NULL, g);
}

size_t hz__bfgs_run(const hz__mle_problem *p, double *th, double gtol)
{
    hz__gsl_init();
    size_t max_iter = p->max_iter ? p->max_iter : 400, it = 0;
    gsl_multimin_function_fdf fn = {mean_f, mean_df, mean_fdf, p->k,
                                    (void *)p};
    gsl_vector_view x = gsl_vector_view_array(th, p->k);
    gsl_multimin_fdfminimizer *mz = gsl_multimin_fdfminimizer_alloc(
        gsl_multimin_fdfminimizer_vector_bfgs2, p->k);
    if (mz == NULL)
        return 0;
    int status = GSL_CONTINUE;
    for (int round = 0; round < 4 && status != GSL_SUCCESS; round++) {
        if (gsl_multimin_fdfminimizer_set(mz, &fn, &x.vector, 0.05, 0.1) !=
            GSL_SUCCESS)
            break;
        do {
            it++;
            status = gsl_multimin_fdfminimizer_iterate(mz);
            if (status)
                break;
            status = gsl_multimin_test_gradient(mz->gradient, gtol);
        } while (status == GSL_CONTINUE && it < max_iter);
        if (isfinite(mz->f))
            gsl_vector_memcpy(&x.vector, mz->x);
        if (it >= max_iter)
            break;
    }
    gsl_multimin_fdfminimizer_free(mz);
    return it;
}
