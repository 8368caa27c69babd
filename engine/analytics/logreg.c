/* L2 logistic regression by Newton/IRLS, CV, AUC, design matrices
 * (see logreg.h).  This file uses OpenBLAS's <cblas.h>, so it must not
 * include GSL's BLAS headers (both declare enum CBLAS_ORDER). */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "analytics/analytics_internal.h"
#include "numeric/rng.h"
#include "horizon/logreg.h"

void hz_logreg_options_init(hz_logreg_options *o)
{
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

/* In-place Cholesky A = LL' (lower, row-major m x m); false if not PD. */
static bool cholesky(double *A, size_t m)
{
    for (size_t j = 0; j < m; j++) {
        double s = A[j * m + j];
        for (size_t k = 0; k < j; k++)
            s -= A[j * m + k] * A[j * m + k];
        if (!(s > 0))
            return false;
        double l = sqrt(s);
        A[j * m + j] = l;
        for (size_t i = j + 1; i < m; i++) {
            double t = A[i * m + j];
            for (size_t k = 0; k < j; k++)
                t -= A[i * m + k] * A[j * m + k];
            A[i * m + j] = t / l;
        }
    }
    return true;
}

static void chol_solve(const double *L, size_t m, double *b)
{
    for (size_t i = 0; i < m; i++) {
        double t = b[i];
        for (size_t k = 0; k < i; k++)
            t -= L[i * m + k] * b[k];
        b[i] = t / L[i * m + i];
    }
    for (size_t i = m; i-- > 0;) {
        double t = b[i];
        for (size_t k = i + 1; k < m; k++)
            t -= L[k * m + i] * b[k];
        b[i] = t / L[i * m + i];
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

hz_status hz_logreg_fit(const double *X, const double *y, size_t n, size_t p,
                        const hz_logreg_options *opt, hz_logreg_model *out,
                        hz_error *err)
{
    hz_logreg_options defo;
    hz_status st = HZ_OK;
    memset(out, 0, sizeof *out);
    if (opt == NULL) {
        hz_logreg_options_init(&defo);
        opt = &defo;
    }
    if (!(opt->C > 0))
        return hz_error_set(err, HZ_EINVAL, "C must be positive, got %g",
                            opt->C);
    if (n < 2)
        return hz_error_set(err, HZ_ETOOSHORT,
                            "logistic regression needs at least 2 rows");
    size_t npos = 0;
    for (size_t i = 0; i < n; i++) {
        if (y[i] != 0.0 && y[i] != 1.0)
            return hz_error_set(err, HZ_EINVAL,
                                "row %zu: label %g is not 0 or 1", i + 1,
                                y[i]);
        npos += y[i] == 1.0;
    }
    if (npos == 0 || npos == n)
        return hz_error_set(err, HZ_ETOOSHORT,
                            "all %zu labels are %d: both classes are needed",
                            n, npos ? 1 : 0);
    for (size_t i = 0; i < n * p; i++)
        if (!isfinite(X[i]))
            return hz_error_set(err, HZ_EINVAL,
                                "row %zu has a non-finite feature", i / p + 1);
    size_t m = p + 1;
    /* The Hessian is accumulated in single precision (ssyrk: half the
     * work of dsyrk); gradient, objective and the Cholesky solve stay in
     * double, so the optimum is the exact one and only the Newton steps
     * are approximate (the iteration still converges quadratically in
     * practice and is checked on the exact gradient). */
    float *Z = malloc(n * m * sizeof(float));
    float *Hf = malloc(m * m * sizeof(float));
    double *H = malloc(m * m * sizeof(double));
    double *g = malloc(m * sizeof(double));
    double *beta = calloc(m, sizeof(double));
    double *trial = malloc(2 * m * sizeof(double));
    double *eta = malloc(n * sizeof(double));
    double *eta2 = malloc(n * sizeof(double));
    if (!Z || !Hf || !H || !g || !beta || !trial || !eta || !eta2) {
        st = hz_error_set(err, HZ_ENOMEM, "out of memory");
        goto out;
    }
    /* start from the intercept-only optimum */
    beta[p] = log((double)npos / (double)(n - npos));
    double f = objective(X, y, n, p, beta, opt->C, eta);
    int it;
    bool conv = false, reuse = false;
    for (it = 1; it <= opt->max_iter; it++) {
        memset(g, 0, m * sizeof(double));
        if (reuse) {
            /* close to the optimum: keep the last Hessian factor (the
             * iteration still converges, each step is much cheaper) */
            for (size_t i = 0; i < n; i++) {
                double r = 1.0 / (1.0 + exp(-eta[i])) - y[i];
                const double *xi = X + i * p;
                for (size_t j = 0; j < p; j++)
                    g[j] += r * xi[j];
                g[p] += r;
            }
        } else {
            for (size_t i = 0; i < n; i++) {
                double pr = 1.0 / (1.0 + exp(-eta[i]));
                double s = pr * (1 - pr), r = pr - y[i], sq = sqrt(s);
                const double *xi = X + i * p;
                float *zi = Z + i * m;
                for (size_t j = 0; j < p; j++) {
                    g[j] += r * xi[j];
                    zi[j] = (float)(sq * xi[j]);
                }
                g[p] += r;
                zi[p] = (float)sq;
            }
        }
        for (size_t j = 0; j < p; j++)
            g[j] += beta[j] / opt->C;
        if (!reuse) {
            /* H = Z'Z + I/C (intercept unpenalised), lower triangle */
            cblas_ssyrk(CblasRowMajor, CblasLower, CblasTrans, (int)m, (int)n,
                        1.0f, Z, (int)m, 0.0f, Hf, (int)m);
            for (size_t a = 0; a < m; a++)
                for (size_t b = 0; b <= a; b++)
                    H[a * m + b] = Hf[a * m + b];
            for (size_t j = 0; j < p; j++)
                H[j * m + j] += 1.0 / opt->C;
            if (!cholesky(H, m)) {
                st = hz_error_set(err, HZ_ENOCONV,
                                  "Hessian not positive definite "
                                  "(perfectly collinear features?)");
                goto out;
            }
        }
        memcpy(trial, g, m * sizeof(double));
        chol_solve(H, m, trial); /* Newton step d = H^-1 g */
        double dec = 0;
        for (size_t j = 0; j < m; j++)
            dec += g[j] * trial[j];
        /* backtracking line search on the penalised objective */
        double step = 1.0, fn = f;
        double *cand = trial + m; /* m doubles after trial */
        for (int ls = 0; ls < 30; ls++) {
            for (size_t j = 0; j < m; j++)
                cand[j] = beta[j] - step * trial[j];
            fn = objective(X, y, n, p, cand, opt->C, eta2);
            if (fn <= f - 1e-4 * step * dec || dec / (double)n < opt->tol)
                break;
            step *= 0.5;
        }
        memcpy(beta, cand, m * sizeof(double));
        memcpy(eta, eta2, n * sizeof(double));
        double df = f - fn;
        f = fn;
        reuse = dec / (double)n < 1e-4;
        if (dec / (double)n < opt->tol || df <= 1e-15 * fabs(f)) {
            conv = true;
            break;
        }
    }
    if (!conv) {
        st = hz_error_set(err, HZ_ENOCONV,
                          "logistic regression did not converge in %d "
                          "Newton steps",
                          opt->max_iter);
        goto out;
    }
    out->p = p;
    out->coef = malloc((p ? p : 1) * sizeof(double));
    if (out->coef == NULL) {
        st = hz_error_set(err, HZ_ENOMEM, "out of memory");
        goto out;
    }
    memcpy(out->coef, beta, p * sizeof(double));
    out->intercept = beta[p];
    out->iterations = it;
    out->objective = f;
out:
    free(Z);
    free(Hf);
    free(H);
    free(g);
    free(beta);
    free(trial);
    free(eta);
    free(eta2);
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
            return hz_error_set(err, HZ_EINVAL,
                                "class %d has %zu rows, fewer than the %d "
                                "folds",
                                cls, m, k);
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
        st = hz_logreg_fit(Xt, yt, nt, p, opt, &mdl, err);
        out->fit_seconds += hz_now() - t0;
        if (st != HZ_OK)
            goto out;
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
    free(Xt);
    free(yt);
    free(Xv);
    free(yv);
    free(pv);
    free(iv);
    return st;
}

/* ---- design matrix ---- */

void hz_design_free(hz_design *d)
{
    if (d == NULL)
        return;
    free(d->X);
    free(d->y);
    free(d->row);
    if (d->names != NULL)
        for (size_t j = 0; j < d->p; j++)
            free(d->names[j]);
    free(d->names);
    free(d->mean);
    free(d->sd);
    memset(d, 0, sizeof *d);
}

static bool parse_num(const char *s, double *v)
{
    while (isspace((unsigned char)*s))
        s++;
    if (*s == '\0')
        return false;
    char *end;
    *v = strtod(s, &end);
    while (isspace((unsigned char)*end))
        end++;
    return *end == '\0' && isfinite(*v);
}

static bool blank(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    return *s == '\0';
}

/* Label of a cell: 1, 0, or -1 when null/unknown. */
static int label_of(const hz_column *c, size_t row)
{
    if (hz_col_is_null(c, row))
        return -1;
    if (c->type == HZ_TYPE_STRING) {
        const char *s = hz_dict_str(c->dict, c->v.code[row]);
        if (!strcasecmp(s, "yes") || !strcasecmp(s, "true") ||
            !strcmp(s, "1") || !strcasecmp(s, "y") || !strcasecmp(s, "t"))
            return 1;
        if (!strcasecmp(s, "no") || !strcasecmp(s, "false") ||
            !strcmp(s, "0") || !strcasecmp(s, "n") || !strcasecmp(s, "f"))
            return 0;
        return -1;
    }
    double v = hz_col_number(c, row);
    return v == 1.0 ? 1 : v == 0.0 ? 0 : -1;
}

typedef struct featsrc {
    const hz_column *col;
    int kind; /* 0 numeric, 1 one-hot level, 2 numeric text */
    uint32_t level;
    double *numtext; /* kind 2: per-code values (NaN = null) */
} featsrc;

static char *dupstr(const char *a, const char *b)
{
    size_t la = strlen(a), lb = b ? strlen(b) : 0;
    char *s = malloc(la + lb + 2);
    if (s == NULL)
        return NULL;
    memcpy(s, a, la);
    if (b != NULL) {
        s[la] = '=';
        memcpy(s + la + 1, b, lb);
        s[la + 1 + lb] = '\0';
    } else {
        s[la] = '\0';
    }
    return s;
}

static void note_skip(hz_design *d, const char *name, const char *why)
{
    size_t len = strlen(d->skipped);
    snprintf(d->skipped + len, sizeof d->skipped - len, "%s%s (%s)",
             len ? ", " : "", name, why);
}

hz_status hz_design_from_dataset(const hz_dataset *ds, const char *label_col,
                                 const char *id_col, size_t max_levels,
                                 hz_design *out, hz_error *err)
{
    hz_status st = HZ_OK;
    featsrc *fs = NULL;
    size_t nf = 0, cap = 0;
    const hz_column *lc = NULL;
    memset(out, 0, sizeof *out);
    if (label_col != NULL &&
        (lc = hz_dataset_column(ds, label_col, err)) == NULL)
        return HZ_ENOTFOUND;
    if (id_col != NULL && hz_dataset_column(ds, id_col, err) == NULL)
        return HZ_ENOTFOUND;
    if (lc != NULL && lc->type != HZ_TYPE_STRING &&
        !hz_type_is_numeric(lc->type))
        return hz_error_set(err, HZ_ETYPE,
                            "label column '%s' must be yes/no, true/false "
                            "or 0/1, found %s",
                            label_col, hz_type_name(lc->type));
    for (size_t c = 0; c < ds->ncols; c++) {
        const hz_column *col = &ds->cols[c];
        if (col == lc || (id_col && !strcmp(col->name, id_col)))
            continue;
        size_t add = 0;
        double *numtext = NULL;
        if (hz_type_is_numeric(col->type)) {
            add = 1;
        } else if (col->type == HZ_TYPE_STRING) {
            size_t L = hz_dict_size(col->dict);
            /* numbers stored as text because of blanks? */
            bool numeric = L > 0;
            for (uint32_t l = 0; l < L && numeric; l++) {
                double v;
                const char *s = hz_dict_str(col->dict, l);
                numeric = blank(s) || parse_num(s, &v);
            }
            if (numeric) {
                numtext = malloc(L * sizeof(double));
                if (numtext == NULL)
                    goto nomem;
                for (uint32_t l = 0; l < L; l++)
                    if (!parse_num(hz_dict_str(col->dict, l), &numtext[l]))
                        numtext[l] = NAN;
                add = 1;
            } else if (L > max_levels || L >= ds->nrows) {
                note_skip(out, col->name,
                          L >= ds->nrows ? "an identifier"
                                         : "too many levels");
                continue;
            } else {
                add = L;
            }
        } else {
            note_skip(out, col->name, hz_type_name(col->type));
            continue;
        }
        if (nf + add > cap) {
            cap = (nf + add) * 2;
            featsrc *t = realloc(fs, cap * sizeof *fs);
            if (t == NULL) {
                free(numtext);
                goto nomem;
            }
            fs = t;
        }
        for (size_t a = 0; a < add; a++) {
            fs[nf].col = col;
            fs[nf].kind = numtext ? 2 : hz_type_is_numeric(col->type) ? 0 : 1;
            fs[nf].level = (uint32_t)a;
            fs[nf].numtext = a == 0 ? numtext : NULL;
            nf++;
        }
    }
    if (nf == 0) {
        st = hz_error_set(err, HZ_EINVAL, "no usable feature columns%s%s",
                          out->skipped[0] ? ": skipped " : "", out->skipped);
        goto out;
    }
    size_t n0 = ds->nrows, p = nf;
    out->X = malloc((n0 * p + 1) * sizeof(double));
    out->row = malloc((n0 + 1) * sizeof(size_t));
    out->names = calloc(p, sizeof(char *));
    out->mean = malloc(p * sizeof(double));
    out->sd = malloc(p * sizeof(double));
    if (lc != NULL)
        out->y = malloc((n0 + 1) * sizeof(double));
    if (!out->X || !out->row || !out->names || !out->mean || !out->sd ||
        (lc && !out->y))
        goto nomem;
    out->p = p;
    for (size_t j = 0; j < p; j++) {
        const char *lev = fs[j].kind == 1
                              ? hz_dict_str(fs[j].col->dict, fs[j].level)
                              : NULL;
        if ((out->names[j] = dupstr(fs[j].col->name, lev)) == NULL)
            goto nomem;
    }
    size_t n = 0, badlabel = 0;
    for (size_t i = 0; i < n0; i++) {
        double *xi = out->X + n * p;
        bool ok = true;
        const double *nt = NULL;
        for (size_t j = 0; j < p && ok; j++) {
            const hz_column *col = fs[j].col;
            if (hz_col_is_null(col, i)) {
                ok = false;
                break;
            }
            if (fs[j].kind == 0) {
                xi[j] = hz_col_number(col, i);
            } else if (fs[j].kind == 2) {
                nt = fs[j].numtext;
                xi[j] = nt[col->v.code[i]];
            } else {
                xi[j] = col->v.code[i] == fs[j].level ? 1.0 : 0.0;
            }
            ok = isfinite(xi[j]);
        }
        if (ok && lc != NULL) {
            int l = label_of(lc, i);
            if (l < 0) {
                ok = false;
                badlabel++;
            } else {
                out->y[n] = l;
            }
        }
        if (!ok)
            continue;
        out->row[n++] = i;
    }
    out->n = n;
    out->dropped = n0 - n;
    if (lc != NULL && badlabel == n0) {
        st = hz_error_set(err, HZ_EINVAL,
                          "label column '%s' has no yes/no, true/false or "
                          "0/1 values",
                          label_col);
        goto out;
    }
    if (n < 2) {
        st = hz_error_set(err, HZ_ETOOSHORT,
                          "only %zu complete rows (%zu dropped for empty "
                          "values)",
                          n, out->dropped);
        goto out;
    }
    /* standardise (population sd, like scikit-learn's StandardScaler) */
    for (size_t j = 0; j < p; j++) {
        double m = 0, v = 0;
        for (size_t i = 0; i < n; i++)
            m += out->X[i * p + j];
        m /= (double)n;
        for (size_t i = 0; i < n; i++) {
            double t = out->X[i * p + j] - m;
            v += t * t;
        }
        double sd = sqrt(v / (double)n);
        if (!(sd > 0))
            sd = 1.0;
        out->mean[j] = m;
        out->sd[j] = sd;
        for (size_t i = 0; i < n; i++)
            out->X[i * p + j] = (out->X[i * p + j] - m) / sd;
    }
    goto out;
nomem:
    st = hz_error_set(err, HZ_ENOMEM, "out of memory");
out:
    if (fs != NULL)
        for (size_t j = 0; j < nf; j++)
            free(fs[j].numtext);
    free(fs);
    if (st != HZ_OK)
        hz_design_free(out);
    return st;
}
