/* Hierarchies that add up: a rolling-origin backtest on generated
 * hierarchical data (`horizon gen`: total, 5 regions, 30 region x
 * category series; monthly sales revenue, seeds 5, 6, ...; weekly product
 * units, seeds 42, 43, ...), the default model's base forecasts of every
 * node against their reconciliations (bu, td, ols, wls, mint, mint-h): MASE,
 * RMSSE and 95% coverage per level, averaged over K generated hierarchies
 * and their origins.  Reconciled forecasts should be at least as accurate
 * as the base ones at every level.
 *
 * usage: bench_hier [--seeds K (10)] [--origins K (12)] [--horizon H (6;
 *                   weekly 2H)] [--rows N] [--resid base|ets] [--diag]
 *                   [--steps pooled|each] [--mint-origins R]
 *                   [--bias-correct on|off] [--seed0 K]
 *   --resid base  the base models' own one-step in-sample errors (as the
 *                 request runner, hts and fable; the default)
 *   --resid ets   auto-ETS's one-step in-sample errors of every node (the
 *                 request runner's before 2026-12: for comparison)
 *   --diag        residual diagnostics per node (last origin, first seed)
 *                 and the mean scaled error (bias) per level
 *   --steps       mint-h's W_s from the errors of steps 1..s pooled (the
 *                 default) or of step s alone
 *   --mint-origins  mint-h's rolling origins (default hz_recon_origins(h),
 *                 the request runner's)
 *   --bias-correct  on (the default, as the request runner's): every
 *                 reconciliation starts from the base forecasts with the
 *                 biases their rolling-origin errors show corrected as far
 *                 as that would have helped each level
 *                 (hz_recon_bias_correct), and the row base+bc shows those
 *                 forecasts unreconciled; node: the same with a weight per
 *                 node (the rule before 2026-12-07); off: the base
 *                 forecasts reconciled as given
 *   --seed0 K     added to the seeds (other hierarchies of both kinds)
 *   --m3 DIR      instead of the generated data: hierarchies of real series
 *                 (M3 monthly in DIR: 30 series of one category, start and
 *                 length a hierarchy, 6 a group; every such block, at most
 *                 --seeds and 30; the shared data have 18)
 *   --walks       instead: --seeds hierarchies of 30 Gaussian random walks
 *                 (nothing to correct; 6 a group) */
#include <getopt.h>

#include "bench_rolling.h"
#include "bench_util.h"
#include "horizon/csv.h"
#include "horizon/ets.h"
#include "horizon/gen.h"
#include "horizon/reconcile.h"
#include "horizon/series.h"

typedef struct hier {
    size_t m, nb, n;
    int level[64];
    double *y[64];
    double S[64 * 32];
} hier;

/* total, regions, region x category of a generated sales file (monthly). */
static int build(hier *H, const hz_gen_options *go, hz_freq freq,
                 const char *date, const char *value)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL || hz_gen_write(go, f, NULL) != HZ_OK || fclose(f) != 0)
        return -1;
    hz_csv_options co;
    hz_csv_options_init(&co);
    hz_dataset *ds = NULL;
    hz_series_set *set = NULL;
    hz_series_opts so;
    hz_series_opts_init(&so);
    const char *by[2] = {"region", "category"};
    so.date_col = date;
    so.value_col = value;
    so.by_cols = by;
    so.nby = 2;
    so.freq = freq;
    so.partial = HZ_PARTIAL_DROP; /* whole periods only */
    if (hz_csv_read_buffer(buf, len, "g.csv", &co, &ds, NULL, NULL) != HZ_OK ||
        hz_series_build(ds, &so, &set, NULL) != HZ_OK || set->nseries > 30)
        return -1;
    free(buf);
    hz_dataset_free(ds);
    size_t nb = set->nseries, n = 0;
    for (size_t b = 0; b < nb; b++)
        n = set->series[b].n > n ? set->series[b].n : n;
    H->nb = nb;
    H->n = n;
    H->m = 1 + 5 + nb;
    memset(H->S, 0, sizeof H->S);
    for (size_t i = 0; i < H->m; i++) {
        H->y[i] = calloc(n ? n : 1, sizeof(double));
        H->level[i] = i == 0 ? 0 : i < 6 ? 1 : 2;
    }
    size_t r = 0;
    for (size_t b = 0; b < nb; b++) {
        const hz_series *s = &set->series[b];
        size_t pl = strcspn(s->key, "|");
        if (b > 0 && strncmp(set->series[b - 1].key, s->key, pl + 1) != 0)
            r++;
        size_t off = n - s->n, rows[3] = {0, 1 + r, 6 + b};
        for (int k = 0; k < 3; k++) {
            H->S[rows[k] * nb + b] = 1.0;
            for (size_t t = 0; t < s->n; t++)
                H->y[rows[k]][off + t] += s->values[t];
        }
    }
    hz_series_set_free(set);
    return r == 4 ? 0 : -1;
}

/* One-step in-sample errors of auto-ETS (300 evaluations) per node (the
 * request runner's residuals before 2026-12; --resid ets). */
static void residuals(const hier *H, size_t ntr, int period, double *res)
{
#pragma omp parallel for schedule(dynamic, 1)
    for (size_t i = 0; i < H->m; i++) {
        hz_ets_workspace *w = hz_ets_alloc(ntr);
        double *fit = malloc((ntr ? ntr : 1) * sizeof *fit);
        hz_ets_opts o;
        hz_ets_opts_init(&o);
        o.maxit = 300;
        hz_ets_fit f;
        for (size_t t = 0; t < ntr; t++)
            res[i * ntr + t] = NAN;
        if (hz_ets_fit_model(H->y[i], ntr, period, &o, w, &f, NULL) == HZ_OK &&
            hz_ets_fitted(&f, H->y[i], fit, NULL) == HZ_OK)
            for (size_t t = 0; t < ntr; t++)
                res[i * ntr + t] = H->y[i][t] - fit[t];
        free(fit);
        hz_ets_free(w);
    }
}

#define NMETH 8 /* base, bu, td, ols, wls, mint, mint-h, base + bias */
#define BASE_BC 7 /* the base forecasts bias-corrected, not reconciled */
#define NODES 64

enum { RES_BASE = 0, RES_ETS = 1 };

typedef struct bopts {
    size_t origins, h;
    int resid;       /* RES_BASE: the base models' (as the engine); RES_ETS */
    int diag;        /* print residual diagnostics of the last origin */
    int pooled;      /* mint-h: W_s from steps 1..s */
    size_t morigins; /* mint-h's rolling origins (0: hz_recon_origins) */
    int bias;        /* bias correction before reconciling (on: the
                        request runner's default) */
    int bias_node;   /* the correction's weight per node, not per level */
} bopts;

/* Scores summed over every hierarchy and origin. */
typedef struct accum {
    double s[NMETH][3][4]; /* method, level, MASE/RMSSE/cov95/bias */
    size_t cnt[3];
    size_t corrected[3]; /* (node, step) pairs bias-corrected, per level */
    double secs[NMETH];
    size_t fails[NMETH];
} accum;

/* Sum of squares, count of finite values of x[a..b). */
static double rms(const double *x, size_t a, size_t b, size_t *nf)
{
    double s = 0.0;
    size_t k = 0;
    for (size_t t = a; t < b; t++)
        if (isfinite(x[t])) {
            s += x[t] * x[t];
            k++;
        }
    if (nf != NULL)
        *nf = k;
    return k ? sqrt(s / (double)k) : NAN;
}

/* Does the shrunk covariance see how the bottom errors add up?  The
 * variance of the summed bottom residuals against the total's own, and
 * against what the shrinkage estimate (lambda as hz_reconcile) implies
 * for the sum: sum of variances + (1 - lambda) x the covariances. */
static void sum_check(const hier *H, size_t ntr, const double *res,
                      const char *what)
{
    size_t m = H->m, nb = H->nb, b0 = m - nb;
    double vt = 0, vs = 0, diag = 0, off = 0;
    size_t k = 0;
    for (size_t t = 0; t < ntr; t++) {
        double sb = 0;
        int ok = isfinite(res[t]);
        for (size_t j = b0; j < m; j++) {
            sb += res[j * ntr + t];
            ok = ok && isfinite(res[j * ntr + t]);
        }
        if (!ok)
            continue;
        vt += res[t] * res[t];
        vs += sb * sb;
        k++;
        for (size_t i = b0; i < m; i++)
            for (size_t j = b0; j < m; j++)
                *(i == j ? &diag : &off) += res[i * ntr + t] *
                                            res[j * ntr + t];
    }
    hz_forecast *fc[NODES] = {0};
    const double lv[1] = {95};
    for (size_t i = 0; i < m; i++) {
        fc[i] = hz_forecast_alloc(1, 1, lv);
        fc[i]->mean[0] = 1;
        fc[i]->lower[0][0] = 0;
        fc[i]->upper[0][0] = 2;
    }
    hz_hierarchy hh = {m, nb, H->S, NULL};
    double lam = NAN;
    hz_reconcile(&hh, HZ_RECON_MINT, NULL, 0, res, ntr, fc, &lam, NULL);
    for (size_t i = 0; i < m; i++)
        hz_forecast_free(fc[i]);
    printf("  %s residuals: lambda %.3f; sd of the total's %.4g, of the "
           "summed bottom ones %.4g, as the shrunk covariance sees them "
           "%.4g, as the diagonal %.4g\n",
           what, lam, sqrt(vt / k), sqrt(vs / k),
           sqrt((diag + (1 - lam) * off) / k), sqrt(diag / k));
}

/* Residual diagnostics per node: the base model, how many residuals are
 * defined, their RMS over the first year and the rest (initial-period
 * errors dominating?), the base model's own one-step RMS and its step-1
 * sd (the 95% half-width over 1.96), and the correlation of the two
 * residual series. */
static void diagnose(const hier *H, size_t ntr, int period,
                     hz_forecast *const *base, const double *res_ets,
                     const double *res_base)
{
    printf("  node lvl %-28s %5s %10s %10s %10s %10s %8s\n", "base model",
           "nres", "ets rms1", "ets rms", "base rms", "base sd1", "corr");
    for (size_t i = 0; i < H->m; i++) {
        const double *re = res_ets + i * ntr, *rb = res_base + i * ntr;
        size_t nf = 0, p = (size_t)period < ntr ? (size_t)period : ntr;
        double r1 = rms(re, 0, p, NULL), r2 = rms(re, p, ntr, &nf);
        double rbm = rms(rb, p, ntr, NULL);
        double sd1 = (base[i]->upper[1][0] - base[i]->lower[1][0]) / 3.92;
        double sxy = 0, sxx = 0, syy = 0;
        for (size_t t = p; t < ntr; t++)
            if (isfinite(re[t]) && isfinite(rb[t])) {
                sxy += re[t] * rb[t];
                sxx += re[t] * re[t];
                syy += rb[t] * rb[t];
            }
        printf("  %4zu %3d %-28.28s %5zu %10.4g %10.4g %10.4g %10.4g %8.3f\n",
               i, H->level[i], base[i]->method, nf, r1, r2, rbm, sd1,
               sxy / sqrt(sxx * syy));
    }
    sum_check(H, ntr, res_ets, "auto-ETS");
    sum_check(H, ntr, res_base, "base");
}

/* The base forecasts of every node at one origin (ntr values), with the
 * base models' fitted values into fit (m x ntr). */
static double base_forecasts(const hier *H, size_t ntr, int period,
                             hz_forecast **base, double *fit,
                             const hz_recon_steps *steps)
{
    size_t nn[NODES];
    for (size_t i = 0; i < H->m; i++)
        nn[i] = ntr;
    for (size_t i = 0; fit != NULL && i < H->m; i++) {
        base[i]->fitted = fit + i * ntr;
        base[i]->fitted_cap = ntr;
    }
    hz_fc_batch b;
    hz_fc_batch_init(&b);
    b.nseries = H->m;
    b.y = (const double *const *)H->y;
    b.n = nn;
    b.period = period;
    if (steps != NULL) {
        b.errors = (double *)steps->e;
        b.err_origins = steps->R;
    }
    double t0 = hz_now();
    if (hz_forecast_many(&b, base, NULL) != HZ_OK) {
        fprintf(stderr, "bench_hier: forecast failed\n");
        exit(1);
    }
    for (size_t i = 0; fit != NULL && i < H->m; i++) {
        base[i]->fitted = NULL;
        base[i]->fitted_cap = 0;
    }
    return hz_now() - t0;
}

/* One origin: base forecasts, residuals, every reconciliation, scored. */
static void one_origin(const hier *H, int period, size_t ntr, const bopts *o,
                       int diag, accum *A)
{
    const double lv[2] = {80, 95};
    const size_t m = H->m, h = o->h;
    hz_forecast *base[NODES] = {0}, *fc[NODES] = {0};
    for (size_t i = 0; i < m; i++) {
        base[i] = hz_forecast_alloc(h, 2, lv);
        fc[i] = hz_forecast_alloc(h, 2, lv);
        if (base[i] == NULL || fc[i] == NULL) {
            fprintf(stderr, "bench_hier: out of memory\n");
            exit(1);
        }
    }
    size_t cells = m * ntr > 0 ? m * ntr : 1;
    double *res = calloc(cells, sizeof *res);
    double *rb = calloc(cells, sizeof *rb);
    if (res == NULL || rb == NULL) {
        fprintf(stderr, "bench_hier: out of memory\n");
        exit(1);
    }
    A->secs[0] += base_forecasts(H, ntr, period, base, rb, NULL);
    /* mint-h's multi-step errors: the base forecasts again, with their
     * rolling-origin errors (the request runner gets both in one pass) */
    hz_recon_steps steps = {
        NULL,
        o->morigins ? o->morigins
        : o->bias   ? hz_recon_bias_origins(h, period)
                    : hz_recon_origins(h, period),
        o->pooled != 0};
    double *errs = malloc((steps.R ? m * steps.R * h : 1) * sizeof *errs);
    /* mint-h after the bias correction: the errors left (ecorr) */
    double *ecorr = malloc((steps.R ? m * steps.R * h : 1) * sizeof *ecorr);
    double shift[NODES * 64];
    if (errs == NULL || ecorr == NULL || h > 64) {
        fprintf(stderr, "bench_hier: out of memory\n");
        exit(1);
    }
    steps.e = errs;
    double tsteps = steps.R ? base_forecasts(H, ntr, period, fc, NULL, &steps)
                            : 0.0; /* h = 1 and no bias: mint-h is mint */
    for (size_t i = 0; i < m; i++)
        for (size_t t = 0; t < ntr; t++)
            rb[i * ntr + t] = H->y[i][t] - rb[i * ntr + t];
    double t0 = hz_now();
    residuals(H, ntr, period, res);
    double tres = o->resid == RES_ETS ? hz_now() - t0 : 0.0;
    if (diag)
        diagnose(H, ntr, period, base, res, rb);
    const double *use = o->resid == RES_ETS ? res : rb;
    for (int k = 0; k < NMETH; k++) {
        for (size_t i = 0; i < m; i++) {
            memcpy(fc[i]->mean, base[i]->mean, 5 * h * sizeof(double));
            snprintf(fc[i]->method, sizeof fc[i]->method, "%s",
                     base[i]->method);
        }
        hz_hierarchy hh = {m, H->nb, H->S, NULL};
        t0 = hz_now();
        size_t corr[NODES];
        if (k > 0 && o->bias) {
            hz_recon_bias_correct(m, h, &steps,
                                  o->bias_node ? NULL : H->level, fc, corr,
                                  k == HZ_RECON_MINT_H ? shift : NULL);
            for (size_t i = 0; k == HZ_RECON_MINT_H && i < m; i++)
                for (size_t q = 0; q < steps.R; q++)
                    for (size_t t = 0; t < h; t++)
                        ecorr[(i * steps.R + q) * h + t] =
                            errs[(i * steps.R + q) * h + t] - shift[i * h + t];
            for (size_t i = 0; k == BASE_BC && i < m; i++)
                A->corrected[H->level[i]] += corr[i];
        }
        hz_recon_steps ksteps = steps;
        if (o->bias && k == HZ_RECON_MINT_H)
            ksteps.e = ecorr;
        if (k > 0 && k != BASE_BC &&
            hz_reconcile_steps(&hh, k, (const double *const *)H->y, ntr, use,
                               ntr, &ksteps, fc, NULL, NULL) != HZ_OK)
            A->fails[k]++;
        A->secs[k] += k > 0 ? hz_now() - t0 + tres : 0;
        A->secs[k] += k == HZ_RECON_MINT_H || (k > 0 && o->bias) ? tsteps : 0;
        for (size_t i = 0; i < m; i++) {
            const double *y = H->y[i] + ntr;
            int L = H->level[i];
            A->s[k][L][0] += hz_mase(H->y[i], ntr, period, y, fc[i]->mean, h);
            A->s[k][L][1] += hz_rmsse(H->y[i], ntr, y, fc[i]->mean, h);
            A->s[k][L][2] += hz_coverage(y, fc[i]->lower[1], fc[i]->upper[1],
                                         h);
            double sc = hz_mase_scale(H->y[i], ntr, period), me = 0.0;
            for (size_t t = 0; t < h; t++)
                me += (y[t] - fc[i]->mean[t]) / (sc * (double)h);
            A->s[k][L][3] += me;
            A->cnt[L] += k == 0;
        }
    }
    for (size_t i = 0; i < m; i++) {
        hz_forecast_free(base[i]);
        hz_forecast_free(fc[i]);
    }
    free(res);
    free(rb);
    free(errs);
    free(ecorr);
}

static void print_accum(const accum *A, const char *name, size_t nh,
                        int period, const bopts *o)
{
    printf("\n%s: %zu hierarchies x %zu origins (1 + 5 + 30 nodes each), "
           "h = %zu, default model, %s residuals; mint-h: %zu origins, "
           "steps %s; bias correction %s\n",
           name, nh, o->origins, o->h,
           o->resid == RES_ETS ? "auto-ETS" : "base models'",
           o->morigins ? o->morigins : hz_recon_origins(o->h, period),
           o->pooled ? "1..s pooled" : "each alone",
           o->bias_node ? "before every reconciliation, weights per node"
           : o->bias    ? "before every reconciliation, weights per level"
                        : "off");
    if (o->bias)
        printf("  bias-corrected (node, step) pairs: total %.1f%%, regions "
               "%.1f%%, bottom %.1f%%\n",
               100.0 * (double)A->corrected[0] / (double)(A->cnt[0] * o->h),
               100.0 * (double)A->corrected[1] / (double)(A->cnt[1] * o->h),
               100.0 * (double)A->corrected[2] / (double)(A->cnt[2] * o->h));
    printf("  %-7s %26s %26s %26s %9s\n", "method", "total: MASE RMSSE cov95",
           "regions: MASE RMSSE cov95", "bottom: MASE RMSSE cov95", "seconds");
    static const char *const nm[NMETH] = {"base", "bu",     "td",
                                          "ols",  "wls",    "mint",
                                          "mint-h", "base+bc"};
    static const int order[NMETH] = {0, BASE_BC, 1, 2, 3, 4, 5, 6};
    for (int j = 0; j < NMETH; j++) {
        int k = order[j];
        if (k == BASE_BC && !o->bias)
            continue;
        printf("  %-7s", nm[k]);
        for (int L = 0; L < 3; L++)
            printf("   %7.4f %7.4f %6.3f", A->s[k][L][0] / A->cnt[L],
                   A->s[k][L][1] / A->cnt[L], A->s[k][L][2] / A->cnt[L]);
        printf(" %9.3f", A->secs[k]);
        for (int L = 0; o->diag && L < 3; L++)
            printf(" %s%+.3f", L ? "" : " bias ", A->s[k][L][3] / A->cnt[L]);
        if (A->fails[k])
            printf("  (%zu failed)", A->fails[k]);
        printf("\n");
    }
}

/* Every origin of one hierarchy. */
static void backtest(const hier *H, int period, const bopts *o, int diag,
                     accum *A)
{
    if (H->m > NODES || H->n < o->h + o->origins + 2 * (size_t)period) {
        fprintf(stderr, "bench_hier: hierarchy too large or too short\n");
        exit(1);
    }
    for (size_t k = 0; k < o->origins; k++) {
        size_t ntr = H->n - o->h - (o->origins - 1 - k);
        one_origin(H, period, ntr, o, diag && k + 1 == o->origins, A);
    }
}

static void free_hier(hier *H)
{
    for (size_t i = 0; i < H->m; i++)
        free(H->y[i]);
}

/* Split a CSV line (no quoting in the M3 files) into at most nf fields. */
static int split(char *line, char **fld, int nf)
{
    int k = 0;
    for (char *p = line; k < nf && p != NULL; k++) {
        fld[k] = p;
        p = strchr(p, ',');
        if (p != NULL)
            *p++ = '\0';
    }
    return k;
}

/* Hierarchies of real series: 30 M3 monthly series of one category that
 * start in the same month and have the same length (consecutive in the
 * meta file), train and test joined, as 5 groups of 6 under a total (the
 * shared M3 data have 18 such blocks, of 4 kinds of (category, start,
 * length)).  A block whose series differ in length (a broken file) is
 * left out; values that are not numbers make the reader fail. */
static int m3_hiers(const char *dir, hier *out, int maxh)
{
    char path[4096], line[1024], prev[256] = "";
    snprintf(path, sizeof path, "%s/m3_monthly_meta.csv", dir);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    char(*ids)[16] = NULL;
    size_t nid = 0, cap = 0, run = 0, block0 = 0, *start = NULL, nstart = 0;
    /* meta: series_id,period_type,category,n_train,h,frequency,start_year,
     * start_cycle,... */
    while (fgets(line, sizeof line, f) != NULL) {
        char *fld[8], key[256];
        if (split(line, fld, 8) < 8 || strcmp(fld[0], "series_id") == 0)
            continue;
        snprintf(key, sizeof key, "%s,%s,%s,%s", fld[2], fld[6], fld[7],
                 fld[3]);
        if (nid == cap) {
            cap = cap ? 2 * cap : 256;
            ids = bench_realloc(ids, cap * sizeof *ids);
            start = bench_realloc(start, cap * sizeof *start);
        }
        if (strcmp(key, prev) != 0) {
            run = 0;
            block0 = nid;
            snprintf(prev, sizeof prev, "%s", key);
        }
        snprintf(ids[nid], sizeof ids[nid], "%s", fld[0]);
        nid++;
        if (++run % 30 == 0)
            start[nstart++] = block0 + run - 30;
    }
    fclose(f);
    /* the values of every series, train then test */
    double **val = bench_realloc(NULL, (nid ? nid : 1) * sizeof *val);
    size_t *nv = bench_realloc(NULL, (nid ? nid : 1) * sizeof *nv);
    size_t *cv = bench_realloc(NULL, (nid ? nid : 1) * sizeof *cv);
    for (size_t i = 0; i < nid; i++) {
        val[i] = NULL;
        nv[i] = cv[i] = 0;
    }
    int nh = 0, bad = 0;
    for (int part = 0; part < 2 && !bad; part++) {
        snprintf(path, sizeof path, "%s/m3_monthly_%s.csv", dir,
                 part ? "test" : "train");
        if ((f = fopen(path, "r")) == NULL) {
            bad = 1;
            break;
        }
        size_t at = 0;
        while (fgets(line, sizeof line, f) != NULL) {
            char *c1 = strchr(line, ','), *last = strrchr(line, ',');
            if (c1 == NULL || last == NULL || nid == 0)
                continue;
            *c1 = '\0';
            if (strcmp(ids[at], line) != 0) {
                size_t j = 0;
                while (j < nid && strcmp(ids[j], line) != 0)
                    j++;
                if (j == nid)
                    continue; /* the header */
                at = j;
            }
            if (nv[at] == cv[at]) {
                cv[at] = cv[at] ? 2 * cv[at] : 256;
                val[at] = bench_realloc(val[at], cv[at] * sizeof **val);
            }
            char *endp;
            val[at][nv[at]++] = strtod(last + 1, &endp);
            if (endp == last + 1 || (*endp != '\n' && *endp != '\r' &&
                                     *endp != '\0')) {
                fprintf(stderr, "bench_hier: %s: '%s' is not a number\n",
                        path, last + 1);
                bad = 1;
                break;
            }
        }
        fclose(f);
    }
    for (size_t b = 0; !bad && b < nstart && nh < maxh; b++) {
        hier *H = &out[nh];
        size_t n = nv[start[b]], same = 1;
        for (size_t j = 0; j < 30; j++)
            same &= nv[start[b] + j] == n && n > 0;
        if (!same)
            continue;
        H->nb = 30;
        H->m = 36;
        H->n = n;
        memset(H->S, 0, sizeof H->S);
        for (size_t i = 0; i < H->m; i++) {
            H->y[i] = bench_realloc(NULL, n * sizeof(double));
            memset(H->y[i], 0, n * sizeof(double));
            H->level[i] = i == 0 ? 0 : i < 6 ? 1 : 2;
        }
        for (size_t j = 0; j < 30; j++) {
            const double *v = val[start[b] + j];
            size_t rows[3] = {0, 1 + j / 6, 6 + j};
            for (int k = 0; k < 3; k++) {
                H->S[rows[k] * 30 + j] = 1.0;
                for (size_t t = 0; t < n; t++)
                    H->y[rows[k]][t] += v[t];
            }
        }
        nh++;
    }
    for (size_t i = 0; i < nid; i++)
        free(val[i]);
    free(val);
    free(nv);
    free(cv);
    free(ids);
    free(start);
    return bad ? -1 : nh;
}

/* Hierarchies of 30 independent Gaussian random walks without drift
 * (start 100, steps N(0, 1), 60 months; 5 groups of 6): nothing to
 * correct, every bias a correction sees is noise. */
static void walk_hier(hier *H, uint64_t seed)
{
    brng r = {seed * 0x9E3779B97F4A7C15ULL + 1};
    H->nb = 30;
    H->m = 36;
    H->n = 60;
    memset(H->S, 0, sizeof H->S);
    for (size_t i = 0; i < H->m; i++) {
        H->y[i] = calloc(H->n, sizeof(double));
        if (H->y[i] == NULL)
            exit(1);
        H->level[i] = i == 0 ? 0 : i < 6 ? 1 : 2;
    }
    for (size_t j = 0; j < 30; j++) {
        size_t rows[3] = {0, 1 + j / 6, 6 + j};
        double v = 100.0;
        for (size_t t = 0; t < H->n; t++) {
            v += brng_n(&r);
            for (int k = 0; k < 3; k++)
                H->y[rows[k]][t] += v;
        }
        for (int k = 0; k < 3; k++)
            H->S[rows[k] * 30 + j] = 1.0;
    }
}

/* The two kinds of generated data over seeds 5, 6, ... */
static int run(long rows, int seeds, int seed0, const bopts *o,
               const char *m3, int walks)
{
    accum A;
    bopts os = *o;
    memset(&A, 0, sizeof A);
    if (walks) {
        for (int s = 0; s < seeds; s++) {
            hier H;
            walk_hier(&H, 1000 + (uint64_t)seed0 + (uint64_t)s);
            backtest(&H, 12, &os, o->diag && s == 0, &A);
            free_hier(&H);
        }
        print_accum(&A, "random walks, 30 a hierarchy (6 a group)",
                    (size_t)seeds, 12, &os);
        return 0;
    }
    if (m3 != NULL) {
        static hier MH[30];
        int nh = m3_hiers(m3, MH, seeds < 30 ? seeds : 30);
        if (nh < 1) {
            fprintf(stderr, "bench_hier: no M3 hierarchies in %s\n", m3);
            return 1;
        }
        for (int s = 0; s < nh; s++) {
            backtest(&MH[s], 12, &os, o->diag && s == 0, &A);
            free_hier(&MH[s]);
        }
        print_accum(&A, "M3 monthly, 30 co-temporal series of a category a "
                        "hierarchy (6 a group)",
                    (size_t)nh, 12, &os);
        return 0;
    }
    for (int s = 0; s < seeds; s++) {
        hier H;
        hz_gen_options go;
        hz_gen_options_init(&go);
        go.rows = (uint64_t)rows;
        go.customers = (uint64_t)rows / 10;
        go.months = 60;
        go.seed = 5 + (uint64_t)seed0 + (uint64_t)s;
        if (build(&H, &go, HZ_FREQ_MONTH, "order_date", "revenue") != 0) {
            fprintf(stderr, "bench_hier: no sales hierarchy (seed %d)\n", s);
            return 1;
        }
        backtest(&H, 12, &os, o->diag && s == 0, &A);
        free_hier(&H);
    }
    print_accum(&A, "sales revenue, monthly (horizon gen --kind sales)",
                (size_t)seeds, 12, &os);
    memset(&A, 0, sizeof A);
    os.h = 2 * o->h;
    for (int s = 0; s < seeds; s++) {
        hier H;
        hz_gen_options go;
        hz_gen_options_init(&go);
        go.kind = HZ_GEN_PRODUCTS;
        go.products = 300;
        go.months = 36;
        go.seed = 42 + (uint64_t)seed0 + (uint64_t)s;
        if (build(&H, &go, HZ_FREQ_WEEK, "date", "quantity") != 0) {
            fprintf(stderr, "bench_hier: no products hierarchy (seed %d)\n",
                    s);
            return 1;
        }
        backtest(&H, 52, &os, o->diag && s == 0, &A);
        free_hier(&H);
    }
    print_accum(&A, "product units, weekly (horizon gen --kind products)",
                (size_t)seeds, 52, &os);
    return 0;
}

int main(int argc, char **argv)
{
    int seeds = 10, seed0 = 0, c;
    const char *m3 = NULL;
    int walks = 0;
    long rows = 60000;
    bopts o = {12, 6, RES_BASE, 0, 1, 0, 1, 0};
    static const struct option lo[] = {
        {"seeds", required_argument, 0, 's'},
        {"origins", required_argument, 0, 'o'},
        {"horizon", required_argument, 0, 'H'},
        {"rows", required_argument, 0, 'r'},
        {"resid", required_argument, 0, 'e'},
        {"diag", no_argument, 0, 'd'},
        {"steps", required_argument, 0, 'p'},
        {"mint-origins", required_argument, 0, 'R'},
        {"bias-correct", required_argument, 0, 'b'},
        {"seed0", required_argument, 0, 'S'},
        {"m3", required_argument, 0, 'M'},
        {"walks", no_argument, 0, 'W'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    while ((c = getopt_long(argc, argv, "s:o:H:r:e:dp:R:b:S:M:Wh", lo, NULL)) !=
           -1) {
        switch (c) {
        case 's': seeds = atoi(optarg); break;
        case 'o': o.origins = (size_t)atoi(optarg); break;
        case 'H': o.h = (size_t)atoi(optarg); break;
        case 'r': rows = atol(optarg); break;
        case 'e':
            if (strcmp(optarg, "base") != 0 && strcmp(optarg, "ets") != 0) {
                fprintf(stderr, "bench_hier: --resid base|ets\n");
                return 2;
            }
            o.resid = strcmp(optarg, "ets") == 0 ? RES_ETS : RES_BASE;
            break;
        case 'd': o.diag = 1; break;
        case 'p':
            if (strcmp(optarg, "pooled") != 0 && strcmp(optarg, "each") != 0) {
                fprintf(stderr, "bench_hier: --steps pooled|each\n");
                return 2;
            }
            o.pooled = strcmp(optarg, "pooled") == 0;
            break;
        case 'R': o.morigins = (size_t)atoi(optarg); break;
        case 'S': seed0 = atoi(optarg); break;
        case 'M': m3 = optarg; break;
        case 'W': walks = 1; break;
        case 'b':
            if (strcmp(optarg, "on") != 0 && strcmp(optarg, "off") != 0 &&
                strcmp(optarg, "node") != 0) {
                fprintf(stderr, "bench_hier: --bias-correct on|off|node\n");
                return 2;
            }
            o.bias = strcmp(optarg, "off") != 0;
            o.bias_node = strcmp(optarg, "node") == 0;
            break;
        default:
            printf(
                "usage: bench_hier [--seeds K] [--origins K] [--horizon H] "
                "[--rows N] [--resid base|ets] [--diag] [--steps pooled|each] "
                "[--mint-origins R] [--bias-correct on|off|node] [--seed0 K] "
                "[--m3 DIR | --walks]\n");
            return c == 'h' ? 0 : 2;
        }
    }
    if (seeds < 1 || o.origins < 1 || o.h < 1 || seed0 < 0) {
        fprintf(stderr, "bench_hier: seeds, origins and horizon must be >= 1, "
                        "--seed0 >= 0\n");
        return 2;
    }
    return run(rows, seeds, seed0, &o, m3, walks);
}
