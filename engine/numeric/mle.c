/* Maximum-likelihood driver: BFGS, then a Newton polish judged by the
 * Newton decrement.  See numeric/mle.h. */
#include <math.h>
#include <string.h>

#include "numeric/chol.h"
#include "numeric/mle.h"

enum { K = HZ__MLE_KMAX };

/* Hessian of fn at th by forward differences of the analytic gradient
 * (g0 is the gradient at th; k more evaluations), symmetrised; false
 * when a gradient is not finite.  With h = 1e-6 (1 + |theta_j|) the
 * truncation error is about 1e-6 relative and the rounding of the
 * gradient sums contributes far less. */
static bool hessian(const hz__mle_problem *p, const double *th,
                    const double *g0, double *H)
{
    const size_t k = p->k;
    double t[K], gp[K];
    if (p->hess != NULL)
        return isfinite(p->hess(th, gp, H, p->ctx));
    for (size_t j = 0; j < k; j++) {
        double h = 1e-6 * (1.0 + fabs(th[j]));
        memcpy(t, th, k * sizeof *t);
        t[j] = th[j] + h;
        h = t[j] - th[j]; /* the step actually taken */
        if (!isfinite(p->fn(t, gp, p->ctx)))
            return false;
        for (size_t i = 0; i < k; i++)
            H[i * k + j] = (gp[i] - g0[i]) / h;
    }
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < i; j++)
            H[i * k + j] = H[j * k + i] = 0.5 * (H[i * k + j] + H[j * k + i]);
    return true;
}

/* Newton direction s = (H + mu I)^-1 g with the smallest mu >= 0 that
 * makes the matrix positive definite; *pd tells whether mu = 0 worked.
 * Returns the decrement g's (NaN when no mu works). */
static double newton_dir(const double *H, const double *g, size_t k, double *s,
                         bool *pd)
{
    double L[K * K], scale = 0;
    for (size_t j = 0; j < k; j++)
        scale = fmax(scale, fabs(H[j * k + j]));
    double mu = 0;
    for (int tries = 0; tries < 40; tries++) {
        memcpy(L, H, k * k * sizeof *L);
        for (size_t j = 0; j < k; j++)
            L[j * k + j] += mu;
        if (hz__chol(L, k, 0.0)) {
            *pd = mu == 0;
            memcpy(s, g, k * sizeof *s);
            hz__chol_solve(L, k, s);
            double dec = 0;
            for (size_t j = 0; j < k; j++)
                dec += g[j] * s[j];
            return dec;
        }
        mu = mu == 0 ? 1e-8 * (scale > 0 ? scale : 1.0) : mu * 10;
    }
    *pd = false;
    return NAN;
}

/* Backtracking (Armijo) along -s from th; true and th moved when f
 * strictly decreased. */
static bool line_search(const hz__mle_problem *p, double *th, double *f,
                        const double *s, double slope)
{
    double t = 1.0, trial[K];
    for (int ls = 0; ls < 40; ls++) {
        for (size_t j = 0; j < p->k; j++)
            trial[j] = th[j] - t * s[j];
        double ft = p->fn(trial, NULL, p->ctx);
        if (isfinite(ft) && ft < *f && ft <= *f - 1e-4 * t * slope) {
            memcpy(th, trial, p->k * sizeof *th);
            *f = ft;
            return true;
        }
        t *= 0.5;
    }
    return false;
}

/* The Newton iterations: full steps in the quadratic region (where the
 * gain, half the decrement, is below what the rounding of f lets a line
 * search see), damped steps with a line search elsewhere; stops at the
 * rounding floor, when no step gains, or past the bound. */
/* f and g at th, and H too when the model computes it analytically
 * (*have_h), in one evaluation. */
static double eval_at(const hz__mle_problem *p, const double *th, double *g,
                      double *H, bool *have_h)
{
    if (p->hess != NULL) {
        double f = p->hess(th, g, H, p->ctx);
        *have_h = isfinite(f);
        return f;
    }
    *have_h = false;
    return p->fn(th, g, p->ctx);
}

static void newton_loop(const hz__mle_problem *p, double *th,
                        hz__mle_info *info)
{
    const size_t k = p->k;
    double g[K], s[K], H[K * K], best[K], prev = INFINITY;
    bool have_h;
    double f = eval_at(p, th, g, H, &have_h);
    for (int it = 0; it < 60 && isfinite(f); it++) {
        bool pd, out = false;
        if (!have_h && !hessian(p, th, g, H))
            break;
        memcpy(info->H, H, k * k * sizeof *H);  /* the Hessian at th, */
        memcpy(info->H_at, th, k * sizeof *th); /* kept for finish() */
        info->H_valid = true;
        double dec = newton_dir(H, g, k, s, &pd);
        if (!isfinite(dec) || dec < 0 || (pd && dec <= 1e-22))
            break;
        if (pd && dec >= prev) {
            memcpy(th, best, k * sizeof *th); /* rounding floor */
            break;
        }
        memcpy(best, th, k * sizeof *th);
        info->newton_steps++;
        info->iterations++;
        if (pd && dec < 1e-6) {
            for (size_t j = 0; j < k; j++)
                th[j] -= s[j];
            f = eval_at(p, th, g, H, &have_h);
            if (!isfinite(f)) {
                memcpy(th, best, k * sizeof *th);
                break;
            }
            prev = dec;
        } else {
            if (!line_search(p, th, &f, s, dec))
                break;
            eval_at(p, th, g, H, &have_h);
            prev = pd ? dec : INFINITY;
        }
        for (size_t j = 0; j < k; j++)
            out |= !(fabs(th[j]) < HZ__MLE_BOUND);
        if (out)
            break;
    }
}

/* The problem restricted to the parameters not on the boundary, the
 * others held at their values. */
typedef struct sub_problem {
    const hz__mle_problem *p;
    double full[K];
    size_t idx[K]; /* free parameters */
    size_t m;      /* how many */
} sub_problem;

static double sub_fn(const double *t, double *g, void *ctx)
{
    sub_problem *sp = ctx;
    double th[K], gf[K];
    size_t m = 0;
    memcpy(th, sp->full, sp->p->k * sizeof *th);
    for (size_t j = 0; j < sp->p->k && m < sp->m; j++)
        if (sp->idx[m] == j)
            th[j] = t[m++];
    double f = sp->p->fn(th, g != NULL ? gf : NULL, sp->p->ctx);
    if (g != NULL)
        for (size_t i = 0; i < m; i++)
            g[i] = gf[sp->idx[i]];
    return f;
}

/* On a boundary: polish the parameters that did not run off (those past
 * HZ__MLE_BOUND are held where they are; the others stay free, so that a
 * pair running off together, whose ratio still matters, keeps it
 * adjustable). */
static void boundary_polish(const hz__mle_problem *p, double *th,
                            hz__mle_info *info)
{
    sub_problem sp = {p, {0}, {0}, 0};
    double t[K];
    size_t m = 0;
    memcpy(sp.full, th, p->k * sizeof *th);
    for (size_t j = 0; j < p->k; j++)
        if (fabs(th[j]) < HZ__MLE_BOUND) {
            sp.idx[m] = j;
            t[m++] = th[j];
        }
    sp.m = m;
    hz__mle_problem q = {m, sub_fn, &sp, p->n, p->max_iter, NULL};
    if (m == 0)
        return;
    newton_loop(&q, t, info);
    info->H_valid = false; /* that Hessian was the sub-problem's */
    for (size_t i = 0; i < m; i++)
        th[sp.idx[i]] = t[i];
}

/* Fill the final-point fields of info at th. */
static void finish(const hz__mle_problem *p, const double *th,
                   hz__mle_info *info)
{
    double g[K], s[K];
    info->f = p->fn(th, g, p->ctx);
    double gn = 0;
    for (size_t j = 0; j < p->k; j++)
        gn += g[j] * g[j];
    info->gnorm = sqrt(gn) / p->n;
    info->hessian_pd = false;
    info->decrement = NAN;
    bool same = info->H_valid;
    for (size_t j = 0; j < p->k && same; j++)
        same = info->H_at[j] == th[j];
    if (isfinite(info->f) && (same || hessian(p, th, g, info->H))) {
        bool pd;
        info->decrement = newton_dir(info->H, g, p->k, s, &pd);
        info->hessian_pd = pd;
    }
    info->at_bound = false;
    for (size_t j = 0; j < p->k; j++)
        if (!(fabs(th[j]) < 0.5 * HZ__MLE_BOUND))
            info->at_bound = true;
    /* a Hessian that is not positive definite has flat directions
     * (parameters the data do not pin down; the caller flags them by
     * their NaN standard errors): there only the gain left counts */
    info->converged = info->hessian_pd
                          ? info->decrement <= HZ__MLE_DECREMENT_TOL
                          : 0.5 * info->decrement <= HZ__MLE_BOUNDARY_GAIN;
}

bool hz__mle_newton(const hz__mle_problem *p, double *th, hz__mle_info *info)
{
    newton_loop(p, th, info);
    finish(p, th, info);
    if (info->at_bound && isfinite(info->f)) {
        /* the decrement (damped in the flat directions) is the gain left,
         * along the boundary too: a parameter whose effect dies off
         * exponentially, f = f_inf + c e^-u, has g^2 / H = f - f_inf */
        boundary_polish(p, th, info);
        finish(p, th, info);
        info->converged = info->decrement <= HZ__MLE_BOUNDARY_GAIN;
    }
    return info->converged;
}

bool hz__mle_minimize(const hz__mle_problem *p, double *th, hz__mle_info *info)
{
    memset(info, 0, sizeof *info);
    if (!isfinite(p->fn(th, NULL, p->ctx))) {
        finish(p, th, info);
        return false;
    }
    info->iterations = hz__bfgs_run(p, th, 1e-6);
    return hz__mle_newton(p, th, info);
}

void hz__mle_se_exp(const hz__mle_info *info, const double *th, size_t k,
                    double *se)
{
    /* with flat directions (not positive definite), the parameters on
     * the boundary are left out: the others may still be pinned down */
    double L[K * K];
    size_t idx[K], m = 0;
    for (size_t j = 0; j < k; j++) {
        se[j] = NAN;
        if (info->hessian_pd || fabs(th[j]) < 0.5 * HZ__MLE_BOUND)
            idx[m++] = j;
    }
    for (size_t a = 0; a < m; a++)
        for (size_t b = 0; b < m; b++)
            L[a * m + b] = info->H[idx[a] * k + idx[b]];
    if (m == 0 || !hz__chol(L, m, 0.0))
        return;
    for (size_t a = 0; a < m; a++) {
        double e[K] = {0};
        e[a] = 1.0;
        hz__chol_solve(L, m, e);
        se[idx[a]] = e[a] > 0 ? exp(th[idx[a]]) * sqrt(e[a]) : NAN;
    }
}
