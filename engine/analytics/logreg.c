/* L2 logistic regression by Newton/IRLS, CV, AUC, design matrices
 * (see logreg.h).  This file uses OpenBLAS's <cblas.h>, so it must not
 * include GSL's BLAS headers (both declare enum CBLAS_ORDER). */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "analytics/analytics_internal.h"
#include "numeric/chol.h"
#include "numeric/rng.h"
#include "horizon/logreg.h"

void hz_logreg_options_init(hz_logreg_options *o)
{
    memset(o, 0, sizeof *o);
    o->C = 1.0;
    o->max_iter = 50;
    o->tol = 1e-10;
}

void hz_logreg_model_free(hz_logreg_model *m)
{
    if (m != NULL) {
        free(m->coef);
        m->coef = NULL;
    }
}

static inline double log1pexp(double t)
{
    return t > 0 ? t + log1p(exp(-t)) : log1p(exp(t));
}

/* Penalised objective at beta (p coefficients then the intercept); eta
 * receives the linear predictors. */
static double objective(const double *X, const double *y, size_t n, size_t p,
                        const double *beta, double C, double *eta)
{
    double f = 0;
    for (size_t i = 0; i < n; i++) {
        const double *xi = X + i * p;
        double e = beta[p];
        for (size_t j = 0; j < p; j++)
            e += xi[j] * beta[j];
        eta[i] = e;
        /* -log-lik: log(1 + e^eta) - y eta */
        f += log1pexp(e) - y[i] * e;
    }
    double pen = 0;
    for (size_t j = 0; j < p; j++)
        pen += beta[j] * beta[j];
    return f + 0.5 * pen / C;
}

static hz_status check_inputs(const double *X, const double *y, size_t n,
                              size_t p, const hz_logreg_options *opt,
                              size_t *npos, hz_error *err)
{
    if (!(opt->C > 0))
        return hz_error_set(err, HZ_EINVAL, "C must be positive, got %g",
                            opt->C);
    if (n < 2)
        return hz_error_set(err, HZ_ETOOSHORT,
                            "logistic regression needs at least 2 rows");
    *npos = 0;
    for (size_t i = 0; i < n; i++) {
        if (y[i] != 0.0 && y[i] != 1.0)
            return hz_error_set(err, HZ_EINVAL,
                                "row %zu: label %g is not 0 or 1", i + 1,
                                y[i]);
        *npos += y[i] == 1.0;
    }
    if (*npos == 0 || *npos == n)
        return hz_error_set(err, HZ_ETOOSHORT,
                            "all %zu labels are %d: both classes are needed",
                            n, *npos ? 1 : 0);
    for (size_t i = 0; i < n * p; i++)
        if (!isfinite(X[i]))
            return hz_error_set(err, HZ_EINVAL,
                                "row %zu has a non-finite feature", i / p + 1);
    return HZ_OK;
}

/* Work space of the Newton iterations. */
typedef struct lws {
    float *Z, *Hf;
    double *H, *g, *beta, *step, *cand, *eta, *eta2;
} lws;

static void lws_free(lws *w)
{
    free(w->Z);
    free(w->Hf);
    free(w->H);
    free(w->g);
    free(w->beta);
    free(w->step);
    free(w->eta);
    free(w->eta2);
}

static bool lws_alloc(lws *w, size_t n, size_t m)
{
    memset(w, 0, sizeof *w);
    n = n ? n : 1; /* no malloc(0); m >= 1 (the intercept) */
    w->Z = malloc(n * m * sizeof(float));
    w->Hf = malloc(m * m * sizeof(float));
    w->H = malloc(m * m * sizeof(double));
    w->g = malloc(m * sizeof(double));
    w->beta = calloc(m, sizeof(double));
    w->step = malloc(2 * m * sizeof(double));
    w->eta = malloc(n * sizeof(double));
    w->eta2 = malloc(n * sizeof(double));
    w->cand = w->step ? w->step + m : NULL;
    return w->Z && w->Hf && w->H && w->g && w->beta && w->step && w->eta &&
           w->eta2;
}

/* Gradient of the penalised objective at the linear predictors eta; with
 * fill_z also the rows sqrt(p(1-p)) [x_i, 1] of the Hessian factor. */
static void gradient(const double *X, const double *y, size_t n, size_t p,
                     double C, lws *w, bool fill_z)
{
    const size_t m = p + 1;
    memset(w->g, 0, m * sizeof(double));
    for (size_t i = 0; i < n; i++) {
        double pr = 1.0 / (1.0 + exp(-w->eta[i])), r = pr - y[i];
        const double *xi = X + i * p;
        for (size_t j = 0; j < p; j++)
            w->g[j] += r * xi[j];
        w->g[p] += r;
        if (!fill_z)
            continue;
        double sq = sqrt(pr * (1 - pr));
        float *zi = w->Z + i * m;
        for (size_t j = 0; j < p; j++)
            zi[j] = (float)(sq * xi[j]);
        zi[p] = (float)sq;
    }
    for (size_t j = 0; j < p; j++)
        w->g[j] += w->beta[j] / C;
}

/* H = Z'Z + I/C (intercept unpenalised) by single-precision ssyrk, then
 * its Cholesky factor in w->H; false when not positive definite. */
static bool hessian_factor(size_t n, size_t p, double C, lws *w)
{
    const size_t m = p + 1;
    cblas_ssyrk(CblasRowMajor, CblasLower, CblasTrans, (int)m, (int)n, 1.0f,
                w->Z, (int)m, 0.0f, w->Hf, (int)m);
    for (size_t a = 0; a < m; a++)
        for (size_t b = 0; b <= a; b++)
            w->H[a * m + b] = w->Hf[a * m + b];
    for (size_t j = 0; j < p; j++)
        w->H[j * m + j] += 1.0 / C;
    return hz__chol(w->H, m, 0.0);
}

/* Backtracking from beta along -step (Armijo on the penalised objective);
 * beta, eta and *f move to the accepted point. */
static void line_search(const double *X, const double *y, size_t n, size_t p,
                        double C, double dec, lws *w, double *f)
{
    const size_t m = p + 1;
    double t = 1.0, fn = *f;
    for (int ls = 0; ls < 30; ls++) {
        for (size_t j = 0; j < m; j++)
            w->cand[j] = w->beta[j] - t * w->step[j];
        fn = objective(X, y, n, p, w->cand, C, w->eta2);
        if (fn <= *f - 1e-4 * t * dec)
            break;
        t *= 0.5;
    }
    memcpy(w->beta, w->cand, m * sizeof(double));
    double *e = w->eta;
    w->eta = w->eta2;
    w->eta2 = e;
    *f = fn;
}

/* Newton iterations from w->beta; the Hessian factor is kept once the
 * step is small (the iteration still converges, each step is cheaper).
 * Returns the iterations used, or -1 (not converged), -2 (not PD). */
static int newton(const double *X, const double *y, size_t n, size_t p,
                  const hz_logreg_options *opt, lws *w, double *f)
{
    const size_t m = p + 1;
    bool reuse = false;
    *f = objective(X, y, n, p, w->beta, opt->C, w->eta);
    for (int it = 1; it <= opt->max_iter; it++) {
        gradient(X, y, n, p, opt->C, w, !reuse);
        if (!reuse && !hessian_factor(n, p, opt->C, w))
            return -2;
        memcpy(w->step, w->g, m * sizeof(double));
        hz__chol_solve(w->H, m, w->step); /* Newton step d = H^-1 g */
        double dec = 0;
        for (size_t j = 0; j < m; j++)
            dec += w->g[j] * w->step[j];
        double f0 = *f;
        line_search(X, y, n, p, opt->C, dec, w, f);
        reuse = dec / (double)n < 1e-4;
        /* converged after this (last, tiny) step */
        if (dec / (double)n < opt->tol || f0 - *f <= 1e-15 * fabs(*f))
            return it;
    }
    return -1;
}

hz_status hz_logreg_fit(const double *X, const double *y, size_t n, size_t p,
                        const hz_logreg_options *opt, hz_logreg_model *out,
                        hz_error *err)
{
    hz_logreg_options defo;
    size_t npos = 0;
    lws w;
    memset(out, 0, sizeof *out);
    if (opt == NULL) {
        hz_logreg_options_init(&defo);
        opt = &defo;
    }
    hz_status st = check_inputs(X, y, n, p, opt, &npos, err);
    if (st != HZ_OK)
        return st;
    if (!lws_alloc(&w, n, p + 1)) {
        lws_free(&w);
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    }
    /* from a given start, else the intercept-only optimum */
    if (opt->start != NULL)
        memcpy(w.beta, opt->start, (p + 1) * sizeof(double));
    else
        w.beta[p] = log((double)npos / (double)(n - npos));
    double f;
    int it = newton(X, y, n, p, opt, &w, &f);
    if (it == -2)
        st = hz_error_set(err, HZ_ENOCONV,
                          "Hessian not positive definite (perfectly "
                          "collinear features?)");
    else if (it < 0)
        st = hz_error_set(err, HZ_ENOCONV,
                          "logistic regression did not converge in %d "
                          "Newton steps",
                          opt->max_iter);
    else if ((out->coef = malloc((p ? p : 1) * sizeof(double))) == NULL)
        st = hz_error_set(err, HZ_ENOMEM, "out of memory");
    if (st == HZ_OK) {
        out->p = p;
        memcpy(out->coef, w.beta, p * sizeof(double));
        out->intercept = w.beta[p];
        out->iterations = it;
        out->objective = f;
    }
    lws_free(&w);
    return st;
}

void hz_logreg_predict(const hz_logreg_model *m, const double *X, size_t n,
                       double *prob)
{
    for (size_t i = 0; i < n; i++) {
        double e = m->intercept;
        for (size_t j = 0; j < m->p; j++)
            e += X[i * m->p + j] * m->coef[j];
        prob[i] = 1.0 / (1.0 + exp(-e));
    }
}

typedef struct sy {
    double s, y;
} sy;

static int cmp_sy(const void *pa, const void *pb)
{
    const sy *a = pa, *b = pb;
    return (a->s > b->s) - (a->s < b->s);
}

double hz_roc_auc(const double *score, const double *y, size_t n)
{
    sy *v = malloc((n ? n : 1) * sizeof *v);
    if (v == NULL)
        return NAN;
    size_t npos = 0;
    for (size_t i = 0; i < n; i++) {
        v[i].s = score[i];
        v[i].y = y[i];
        npos += y[i] == 1.0;
    }
    size_t nneg = n - npos;
    if (npos == 0 || nneg == 0) {
        free(v);
        return NAN;
    }
    qsort(v, n, sizeof *v, cmp_sy);
    /* sum of the (average) ranks of the positives */
    double rsum = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && v[j].s == v[i].s)
            j++;
        double avg = 0.5 * ((double)i + 1 + (double)j);
        for (size_t t = i; t < j; t++)
            if (v[t].y == 1.0)
                rsum += avg;
        i = j;
    }
    free(v);
    return (rsum - 0.5 * (double)npos * ((double)npos + 1)) /
           ((double)npos * (double)nneg);
}

double hz_log_loss(const double *prob, const double *y, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        double p = prob[i];
        if (p < 1e-15)
            p = 1e-15;
        if (p > 1 - 1e-15)
            p = 1 - 1e-15;
        s -= y[i] == 1.0 ? log(p) : log(1 - p);
    }
    return n ? s / (double)n : NAN;
}

hz_status hz_stratified_folds(const double *y, size_t n, int k, uint64_t seed,
                              int *fold, hz_error *err)
{
    if (k < 2 || k > 32)
        return hz_error_set(err, HZ_EINVAL, "folds must be 2..32, got %d", k);
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    if (idx == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    uint64_t rng = seed ^ 0xF01D5ull;
    size_t offset = 0; /* continue the deal across classes */
    for (int cls = 0; cls <= 1; cls++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if ((y[i] == 1.0) == (cls == 1))
                idx[m++] = i;
        if (m < (size_t)k) {
            free(idx);
            const char *lab = cls ? "yes (true, 1)" : "no (false, 0)";
            if (m < 2)
                return hz_error_set(err, HZ_EINVAL,
                                    "%s row has the label %s: a model "
                                    "needs both labels, each at least "
                                    "twice",
                                    m ? "only one" : "no", lab);
            return hz_error_set(err, HZ_EINVAL,
                                "only %zu rows have the label %s, fewer "
                                "than the %d cross-validation folds (each "
                                "needs both labels): give --folds %zu or "
                                "fewer",
                                m, lab, k, m);
        }
        for (size_t i = m; i-- > 1;) {
            size_t j = (size_t)(hz__rng_splitmix_uniform(&rng) *
                                (double)(i + 1));
            if (j > i)
                j = i;
            size_t t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        for (size_t i = 0; i < m; i++)
            fold[idx[i]] = (int)((offset + i) % (size_t)k);
        offset += m;
    }
    free(idx);
    return HZ_OK;
}

hz_status hz_logreg_cross_validate(const double *X, const double *y, size_t n,
                                   size_t p, const int *fold, int k,
                                   const hz_logreg_options *opt,
                                   hz_logreg_cv *out, double *oof,
                                   hz_error *err)
{
    hz_status st = HZ_OK;
    double *start = NULL;
    memset(out, 0, sizeof *out);
    if (k < 2 || k > 32)
        return hz_error_set(err, HZ_EINVAL, "folds must be 2..32, got %d", k);
    double *Xt = malloc((n * p + 1) * sizeof(double));
    double *yt = malloc((n + 1) * sizeof(double));
    double *Xv = malloc((n * p + 1) * sizeof(double));
    double *yv = malloc((n + 1) * sizeof(double));
    double *pv = malloc((n + 1) * sizeof(double));
    size_t *iv = malloc((n + 1) * sizeof(size_t));
    if (!Xt || !yt || !Xv || !yv || !pv || !iv) {
        st = hz_error_set(err, HZ_ENOMEM, "out of memory");
        goto out;
    }
    out->k = k;
    hz_logreg_options o;
    if (opt != NULL)
        o = *opt;
    else
        hz_logreg_options_init(&o);
    start = malloc((p + 1) * sizeof(double));
    if (start == NULL) {
        st = hz_error_set(err, HZ_ENOMEM, "out of memory");
        goto out;
    }
    for (int f = 0; f < k; f++) {
        size_t nt = 0, nv = 0;
        for (size_t i = 0; i < n; i++) {
            if (fold[i] == f) {
                memcpy(Xv + nv * p, X + i * p, p * sizeof(double));
                yv[nv] = y[i];
                iv[nv++] = i;
            } else {
                memcpy(Xt + nt * p, X + i * p, p * sizeof(double));
                yt[nt++] = y[i];
            }
        }
        hz_logreg_model mdl;
        double t0 = hz_now();
        st = hz_logreg_fit(Xt, yt, nt, p, &o, &mdl, err);
        out->fit_seconds += hz_now() - t0;
        if (st != HZ_OK)
            goto out;
        /* the next fold starts from this fold's optimum: the same
         * optimum is reached in fewer Newton steps */
        memcpy(start, mdl.coef, p * sizeof(double));
        start[p] = mdl.intercept;
        o.start = start;
        hz_logreg_predict(&mdl, Xv, nv, pv);
        hz_logreg_model_free(&mdl);
        out->auc[f] = hz_roc_auc(pv, yv, nv);
        out->logloss[f] = hz_log_loss(pv, yv, nv);
        if (oof != NULL)
            for (size_t i = 0; i < nv; i++)
                oof[iv[i]] = pv[i];
    }
    double sa = 0, sl = 0;
    for (int f = 0; f < k; f++) {
        sa += out->auc[f];
        sl += out->logloss[f];
    }
    out->auc_mean = sa / k;
    out->logloss_mean = sl / k;
    double va = 0, vl = 0;
    for (int f = 0; f < k; f++) {
        va += (out->auc[f] - out->auc_mean) * (out->auc[f] - out->auc_mean);
        vl += (out->logloss[f] - out->logloss_mean) *
              (out->logloss[f] - out->logloss_mean);
    }
    out->auc_sd = sqrt(va / (k - 1));
    out->logloss_sd = sqrt(vl / (k - 1));
out:
    free(start);
    free(Xt);
    free(yt);
    free(Xv);
    free(yv);
    free(pv);
    free(iv);
    return st;
}

hz_status hz_logreg_std_errors(const hz_logreg_model *m, const double *X,
                               size_t n, double C, double *se, hz_error *err)
{
    const size_t p = m->p, k = p + 1;
    double *Z = malloc((n * k + 2 * k * k) * sizeof(double));
    if (Z == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    double *H = Z + n * k, *e = H + k * k;
    for (size_t i = 0; i < n; i++) {
        double eta = m->intercept;
        for (size_t j = 0; j < p; j++)
            eta += X[i * p + j] * m->coef[j];
        double pr = 1.0 / (1.0 + exp(-eta)), sq = sqrt(pr * (1 - pr));
        for (size_t j = 0; j < p; j++)
            Z[i * k + j] = sq * X[i * p + j];
        Z[i * k + p] = sq;
    }
    cblas_dsyrk(CblasRowMajor, CblasLower, CblasTrans, (int)k, (int)n, 1.0, Z,
                (int)k, 0.0, H, (int)k);
    for (size_t j = 0; j < p; j++)
        H[j * k + j] += 1.0 / C;
    bool pd = hz__chol(H, k, 0.0);
    for (size_t j = 0; j < k; j++) {
        se[j] = NAN;
        if (!pd)
            continue;
        memset(e, 0, k * sizeof *e);
        e[j] = 1.0;
        hz__chol_solve(H, k, e);
        se[j] = sqrt(e[j]);
    }
    free(Z);
    return HZ_OK;
}
