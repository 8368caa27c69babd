/* k-means++ / Lloyd k-means with deterministic parallel sums (kmeans.h). */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "horizon/threads.h"
#include "analytics/analytics_internal.h"
#include "numeric/rng.h"
#include "horizon/kmeans.h"

void hz_kmeans_options_init(hz_kmeans_options *o)
{
    memset(o, 0, sizeof *o);
    o->k = 3;
    o->n_init = 10;
    o->max_iter = 300;
    o->tol = 1e-4;
    o->seed = 42;
}

void hz_kmeans_result_free(hz_kmeans_result *r)
{
    if (r == NULL)
        return;
    free(r->centers);
    free(r->labels);
    r->centers = NULL;
    r->labels = NULL;
}

static inline double sqdist(const double *a, const double *b, size_t d)
{
    double s = 0;
    for (size_t j = 0; j < d; j++) {
        double t = a[j] - b[j];
        s += t * t;
    }
    return s;
}

/* Index i with cumulative weight crossing u (weights w, block sums bs). */
static size_t sample_index(const double *w, const double *bs, size_t n,
                           double u)
{
    size_t nb = hz__nblocks(n), b = 0;
    while (b + 1 < nb && u >= bs[b]) {
        u -= bs[b];
        b++;
    }
    size_t lo = b * HZ__BLOCK, hi = lo + HZ__BLOCK;
    if (hi > n)
        hi = n;
    size_t last = lo;
    for (size_t i = lo; i < hi; i++) {
        if (w[i] > 0)
            last = i;
        if (u < w[i])
            return i;
        u -= w[i];
    }
    return last;
}

typedef struct kws {
    double *closest; /* n: squared distance to the nearest centre */
    double *cand;    /* n: distances to a candidate */
    double *bsum;    /* per-block sums */
    double *part;    /* per-block k*(d+1) centre sums */
    double *centers, *newc;
    int32_t *labels;
} kws;

static double block_total(const double *v, double *bs, size_t n, int th)
{
    size_t nb = hz__nblocks(n);
#pragma omp parallel for schedule(static) num_threads(th) if (nb > 4)
    for (size_t b = 0; b < nb; b++) {
        size_t lo = b * HZ__BLOCK, hi = lo + HZ__BLOCK;
        if (hi > n)
            hi = n;
        double s = 0;
        for (size_t i = lo; i < hi; i++)
            s += v[i];
        bs[b] = s;
    }
    double t = 0;
    for (size_t b = 0; b < nb; b++)
        t += bs[b];
    return t;
}

/* Greedy k-means++ seeding into ws->centers. */
static void seed_pp(const double *X, size_t n, size_t d, int k, uint64_t *rng,
                    kws *ws, int th)
{
    int trials = 2 + (int)log((double)k);
    size_t first = (size_t)(hz__rng_splitmix_uniform(rng) * (double)n);
    if (first >= n)
        first = n - 1;
    /* ws->centers is there: kws_alloc succeeded before any run.
     * NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker) */
    memcpy(ws->centers, X + first * d, d * sizeof(double));
#pragma omp parallel for schedule(static) num_threads(th) if (n > 8192)
    for (size_t i = 0; i < n; i++)
        ws->closest[i] = sqdist(X + i * d, ws->centers, d);
    double pot = block_total(ws->closest, ws->bsum, n, th);
    for (int c = 1; c < k; c++) {
        /* block sums of closest for sampling (pot already holds total) */
        block_total(ws->closest, ws->bsum, n, th);
        size_t best = 0;
        double best_pot = INFINITY;
        for (int t = 0; t < trials; t++) {
            double u = hz__rng_splitmix_uniform(rng) * pot;
            size_t cand = pot > 0
                              ? sample_index(ws->closest, ws->bsum, n, u)
                              : (size_t)(hz__rng_splitmix_uniform(rng) * n) %
                                    n;
            const double *cx = X + cand * d;
            size_t nb = hz__nblocks(n);
            double *bs2 = ws->part; /* scratch, >= nb doubles */
#pragma omp parallel for schedule(static) num_threads(th) if (nb > 4)
            for (size_t b = 0; b < nb; b++) {
                size_t lo = b * HZ__BLOCK, hi = lo + HZ__BLOCK;
                if (hi > n)
                    hi = n;
                double s = 0;
                for (size_t i = lo; i < hi; i++) {
                    double dd = sqdist(X + i * d, cx, d);
                    s += dd < ws->closest[i] ? dd : ws->closest[i];
                }
                bs2[b] = s;
            }
            double cp = 0;
            for (size_t b = 0; b < nb; b++)
                cp += bs2[b];
            if (cp < best_pot) {
                best_pot = cp;
                best = cand;
            }
        }
        memcpy(ws->centers + (size_t)c * d, X + best * d, d * sizeof(double));
        const double *cx = X + best * d;
#pragma omp parallel for schedule(static) num_threads(th) if (n > 8192)
        for (size_t i = 0; i < n; i++) {
            double dd = sqdist(X + i * d, cx, d);
            if (dd < ws->closest[i])
                ws->closest[i] = dd;
        }
        pot = best_pot;
    }
}

/* Assign labels and accumulate new centres; returns inertia and the
 * number of label changes in *changed. */
/* The nearest centre of each row in [lo, hi) of 3-column X (the RFM
 * case, unrolled), with the block's sums into p (as below). */
static void assign_block3(const double *X, size_t lo, size_t hi, int k,
                          kws *ws, double *p, double *in, double *ch)
{
    const double *C = ws->centers;
    for (size_t i = lo; i < hi; i++) {
        const double x0 = X[3 * i], x1 = X[3 * i + 1], x2 = X[3 * i + 2];
        int bl = 0;
        double bd = INFINITY;
        for (int c = 0; c < k; c++) {
            double a = x0 - C[3 * c], b = x1 - C[3 * c + 1],
                   e = x2 - C[3 * c + 2];
            double dd = a * a + b * b + e * e;
            if (dd < bd) {
                bd = dd;
                bl = c;
            }
        }
        *ch += ws->labels[i] != bl;
        ws->labels[i] = bl;
        ws->closest[i] = bd;
        *in += bd;
        double *pc = p + (size_t)bl * 4;
        pc[0] += x0;
        pc[1] += x1;
        pc[2] += x2;
        pc[3] += 1;
    }
}

static double assign_update(const double *X, size_t n, size_t d, int k,
                            kws *ws, int th, size_t *changed)
{
    size_t nb = hz__nblocks(n), stride = (size_t)k * (d + 1) + 2;
#pragma omp parallel for schedule(static) num_threads(th) if (nb > 4)
    for (size_t b = 0; b < nb; b++) {
        size_t lo = b * HZ__BLOCK, hi = lo + HZ__BLOCK;
        if (hi > n)
            hi = n;
        double *p = ws->part + b * stride;
        memset(p, 0, stride * sizeof(double));
        double in = 0, ch = 0;
        if (d == 3)
            assign_block3(X, lo, hi, k, ws, p, &in, &ch);
        for (size_t i = d == 3 ? hi : lo; i < hi; i++) {
            const double *xi = X + i * d;
            int bl = 0;
            double bd = sqdist(xi, ws->centers, d);
            for (int c = 1; c < k; c++) {
                double dd = sqdist(xi, ws->centers + (size_t)c * d, d);
                if (dd < bd) {
                    bd = dd;
                    bl = c;
                }
            }
            if (ws->labels[i] != bl)
                ch += 1;
            ws->labels[i] = bl;
            ws->closest[i] = bd;
            in += bd;
            double *pc = p + (size_t)bl * (d + 1);
            for (size_t j = 0; j < d; j++)
                pc[j] += xi[j];
            pc[d] += 1;
        }
        p[stride - 2] = in;
        p[stride - 1] = ch;
    }
    size_t m = (size_t)k * (d + 1);
    memset(ws->newc, 0, m * sizeof(double));
    double inertia = 0, ch = 0;
    for (size_t b = 0; b < nb; b++) {
        const double *p = ws->part + b * stride;
        for (size_t j = 0; j < m; j++)
            ws->newc[j] += p[j];
        inertia += p[stride - 2];
        ch += p[stride - 1];
    }
    *changed = (size_t)ch;
    return inertia;
}

static hz_status kmeans_once(const double *X, size_t n, size_t d, int k,
                             const hz_kmeans_options *o, double tol_abs,
                             uint64_t *rng, kws *ws, int th, double *inertia,
                             int *iters)
{
    if (o->init_centers != NULL)
        memcpy(ws->centers, o->init_centers, (size_t)k * d * sizeof(double));
    else
        seed_pp(X, n, d, k, rng, ws, th);
    for (size_t i = 0; i < n; i++)
        ws->labels[i] = -1;
    double in = 0;
    int it;
    for (it = 1; it <= o->max_iter; it++) {
        size_t changed;
        in = assign_update(X, n, d, k, ws, th, &changed);
        if (changed == 0)
            break;
        /* new centres; an empty cluster takes the farthest point */
        double shift = 0;
        for (int c = 0; c < k; c++) {
            double *s = ws->newc + (size_t)c * (d + 1);
            double *cc = ws->centers + (size_t)c * d;
            if (s[d] > 0) {
                for (size_t j = 0; j < d; j++) {
                    double v = s[j] / s[d];
                    shift += (v - cc[j]) * (v - cc[j]);
                    cc[j] = v;
                }
            } else {
                size_t far = 0;
                for (size_t i = 1; i < n; i++)
                    if (ws->closest[i] > ws->closest[far])
                        far = i;
                memcpy(cc, X + far * d, d * sizeof(double));
                ws->closest[far] = 0;
                shift = INFINITY;
            }
        }
        if (shift <= tol_abs) {
            in = assign_update(X, n, d, k, ws, th, &changed);
            break;
        }
    }
    *inertia = in;
    *iters = it > o->max_iter ? o->max_iter : it;
    return HZ_OK;
}

static void kws_free(kws *w)
{
    free(w->closest);
    free(w->bsum);
    free(w->part);
    free(w->centers);
    free(w->newc);
    free(w->labels);
}

static bool kws_alloc(kws *w, size_t n, size_t d, int k)
{
    size_t nb = hz__nblocks(n), stride = (size_t)k * (d + 1) + 2;
    memset(w, 0, sizeof *w);
    w->closest = malloc(n * sizeof(double));
    w->bsum = malloc((nb + 1) * sizeof(double));
    w->part = malloc((nb * stride + 1) * sizeof(double));
    w->centers = malloc((size_t)k * d * sizeof(double));
    w->newc = malloc((size_t)k * (d + 1) * sizeof(double));
    w->labels = malloc(n * sizeof(int32_t));
    return w->closest && w->bsum && w->part && w->centers && w->newc &&
           w->labels;
}

static hz_status check_fit(size_t n, size_t d, const hz_kmeans_options *opt,
                           const double *X, hz_error *err)
{
    if (d == 0 || n == 0)
        return hz_error_set(err, HZ_EINVAL,
                            "k-means needs data (n = %zu, d = %zu)", n, d);
    if (opt->k < 1 || (size_t)opt->k > n)
        return hz_error_set(err, HZ_EINVAL,
                            "k = %d clusters for %zu point%s: need 1 <= k "
                            "<= n",
                            opt->k, n, n == 1 ? "" : "s");
    if (opt->n_init < 1 || opt->max_iter < 1)
        return hz_error_set(err, HZ_EINVAL,
                            "n_init and max_iter must be >= 1");
    for (size_t i = 0; i < n * d; i++)
        if (!isfinite(X[i]))
            return hz_error_set(err, HZ_EINVAL,
                                "point %zu has a non-finite value", i / d + 1);
    return HZ_OK;
}

/* The tolerance relative to the mean feature variance (scikit-learn). */
static double abs_tolerance(const double *X, size_t n, size_t d, double tol)
{
    double varsum = 0;
    for (size_t j = 0; j < d; j++) {
        double m = 0, v = 0;
        for (size_t i = 0; i < n; i++)
            m += X[i * d + j];
        m /= (double)n;
        for (size_t i = 0; i < n; i++)
            v += (X[i * d + j] - m) * (X[i * d + j] - m);
        varsum += v / (double)n;
    }
    return tol * varsum / (double)d;
}

/* The best of a thread's restarts. */
typedef struct best_run {
    double inertia;
    int restart, iterations;
    kws w; /* its own workspace, then the best run's centres and labels */
    double *centers;
    int32_t *labels;
} best_run;

/* n_init restarts, one per thread at a time (each restart has its own
 * seed, so the result does not depend on the thread count); the lowest
 * inertia wins, ties to the earlier restart. */
static hz_status restarts(const double *X, size_t n, size_t d,
                          const hz_kmeans_options *opt, double tol_abs, int th,
                          hz_kmeans_result *out)
{
    const int k = opt->k, nt = th < opt->n_init ? th : opt->n_init;
    best_run *b = calloc((size_t)nt, sizeof *b);
    bool oom = b == NULL;
    for (int t = 0; !oom && t < nt; t++) {
        b[t].inertia = INFINITY;
        b[t].restart = -1;
        b[t].centers = malloc((size_t)k * d * sizeof(double));
        b[t].labels = malloc(n * sizeof(int32_t));
        oom = !kws_alloc(&b[t].w, n, d, k) || !b[t].centers || !b[t].labels;
    }
    /* the restarts run only when every workspace is there (an if clause
     * would still run them, serially) */
    if (!oom) {
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt)
        for (int r = 0; r < opt->n_init; r++) {
            best_run *me = &b[omp_get_thread_num()];
            uint64_t rng = opt->seed ^ 0x5DEECE66Dull ^
                           (0x9E3779B97F4A7C15ull * (uint64_t)(r + 1));
            double in;
            int it;
            kmeans_once(X, n, d, k, opt, tol_abs, &rng, &me->w, 1, &in, &it);
            if (in < me->inertia || (in == me->inertia && r < me->restart)) {
                me->inertia = in;
                me->restart = r;
                me->iterations = it;
                memcpy(me->centers, me->w.centers,
                       (size_t)k * d * sizeof(double));
                memcpy(me->labels, me->w.labels, n * sizeof(int32_t));
            }
        }
    }
    int w = -1;
    for (int t = 0; !oom && t < nt; t++)
        if (b[t].restart >= 0 &&
            (w < 0 || b[t].inertia < b[w].inertia ||
             (b[t].inertia == b[w].inertia && b[t].restart < b[w].restart)))
            w = t;
    if (w >= 0) {
        out->inertia = b[w].inertia;
        out->iterations = b[w].iterations;
        memcpy(out->centers, b[w].centers, (size_t)k * d * sizeof(double));
        memcpy(out->labels, b[w].labels, n * sizeof(int32_t));
    }
    for (int t = 0; b != NULL && t < nt; t++) {
        kws_free(&b[t].w);
        free(b[t].centers);
        free(b[t].labels);
    }
    free(b);
    return oom ? HZ_ENOMEM : HZ_OK;
}

hz_status hz_kmeans_fit(const double *X, size_t n, size_t d,
                        const hz_kmeans_options *opt, hz_kmeans_result *out,
                        hz_error *err)
{
    hz_kmeans_options defo;
    memset(out, 0, sizeof *out);
    if (opt == NULL) {
        hz_kmeans_options_init(&defo);
        opt = &defo;
    }
    hz_status st = check_fit(n, d, opt, X, err);
    if (st != HZ_OK)
        return st;
    const int k = opt->k;
    const int th = opt->threads > 0 ? opt->threads : hz_default_threads();
    out->centers = malloc((size_t)k * d * sizeof(double));
    out->labels = malloc(n * sizeof(int32_t));
    out->inertia = INFINITY;
    out->k = k;
    out->d = d;
    if (!out->centers || !out->labels) {
        hz_kmeans_result_free(out);
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    }
    double tol_abs = abs_tolerance(X, n, d, opt->tol);
    if (opt->init_centers == NULL) {
        st = restarts(X, n, d, opt, tol_abs, th, out);
    } else {
        /* one run from the given centres, parallel inside */
        kws w;
        uint64_t rng = opt->seed;
        int it;
        if (!kws_alloc(&w, n, d, k)) {
            st = HZ_ENOMEM;
        } else {
            kmeans_once(X, n, d, k, opt, tol_abs, &rng, &w, th, &out->inertia,
                        &it);
            out->iterations = it;
            memcpy(out->centers, w.centers, (size_t)k * d * sizeof(double));
            memcpy(out->labels, w.labels, n * sizeof(int32_t));
        }
        kws_free(&w);
    }
    if (st != HZ_OK) {
        hz_kmeans_result_free(out);
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    }
    return HZ_OK;
}

hz_status hz_silhouette(const double *X, size_t n, size_t d,
                        const int32_t *labels, int k, size_t sample,
                        uint64_t seed, double *out, hz_error *err)
{
    *out = NAN;
    if (k < 2 || n < 2)
        return HZ_OK;
    size_t s = sample == 0 || sample > n ? n : sample;
    size_t *idx = malloc(n * sizeof *idx);
    double *sil = malloc(s * sizeof *sil);
    if (idx == NULL || sil == NULL) {
        free(idx);
        free(sil);
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    uint64_t rng = seed ^ 0xA5A5A5A5ull;
    if (s < n)
        for (size_t i = 0; i < s; i++) {
            size_t j = i + (size_t)(hz__rng_splitmix_uniform(&rng) *
                                    (double)(n - i));
            if (j >= n)
                j = n - 1;
            size_t t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
#pragma omp parallel
    {
        double *sum = malloc((size_t)k * sizeof(double));
        size_t *cnt = malloc((size_t)k * sizeof(size_t));
#pragma omp for schedule(static)
        for (size_t a = 0; a < s; a++) {
            if (sum == NULL || cnt == NULL) {
                sil[a] = NAN;
                continue;
            }
            memset(sum, 0, (size_t)k * sizeof(double));
            memset(cnt, 0, (size_t)k * sizeof(size_t));
            const double *xa = X + idx[a] * d;
            for (size_t b = 0; b < s; b++) {
                if (b == a)
                    continue;
                int l = labels[idx[b]];
                sum[l] += sqrt(sqdist(xa, X + idx[b] * d, d));
                cnt[l]++;
            }
            int la = labels[idx[a]];
            if (cnt[la] == 0) {
                sil[a] = 0;
                continue;
            }
            double ai = sum[la] / (double)cnt[la], bi = INFINITY;
            for (int c = 0; c < k; c++)
                if (c != la && cnt[c] > 0 && sum[c] / (double)cnt[c] < bi)
                    bi = sum[c] / (double)cnt[c];
            double mx = ai > bi ? ai : bi;
            sil[a] = isfinite(bi) && mx > 0 ? (bi - ai) / mx : 0;
        }
        free(sum);
        free(cnt);
    }
    double t = 0;
    for (size_t a = 0; a < s; a++)
        t += sil[a];
    *out = t / (double)s;
    free(idx);
    free(sil);
    return isnan(*out) ? hz_error_set(err, HZ_ENOMEM, "out of memory") : HZ_OK;
}

hz_status hz_kmeans_choose(const double *X, size_t n, size_t d, int kmin,
                           int kmax, const hz_kmeans_options *opt,
                           size_t sample, hz_kmeans_result *out,
                           double *scores, hz_error *err)
{
    hz_kmeans_options o;
    if (opt == NULL)
        hz_kmeans_options_init(&o);
    else
        o = *opt;
    memset(out, 0, sizeof *out);
    if (kmin < 2 || kmax < kmin)
        return hz_error_set(err, HZ_EINVAL, "bad k range %d..%d", kmin, kmax);
    if ((size_t)kmax > n)
        kmax = (int)n;
    if (kmax < kmin)
        return hz_error_set(err, HZ_ETOOSHORT,
                            "%zu point%s too few to choose k", n,
                            n == 1 ? " is" : "s are");
    double best = -INFINITY;
    hz_kmeans_result chosen = {0}; /* the best fit so far */
    for (int k = kmin; k <= kmax; k++) {
        hz_kmeans_result r;
        o.k = k;
        hz_status st = hz_kmeans_fit(X, n, d, &o, &r, err);
        if (st != HZ_OK) {
            hz_kmeans_result_free(&chosen);
            return st;
        }
        double sc;
        st = hz_silhouette(X, n, d, r.labels, k, sample, o.seed, &sc, err);
        if (st != HZ_OK) {
            hz_kmeans_result_free(&r);
            hz_kmeans_result_free(&chosen);
            return st;
        }
        if (scores != NULL)
            scores[k - kmin] = sc;
        if (sc > best || chosen.labels == NULL) {
            best = isnan(sc) ? -INFINITY : sc;
            hz_kmeans_result_free(&chosen);
            chosen = r;
        } else {
            hz_kmeans_result_free(&r);
        }
    }
    *out = chosen;
    return HZ_OK;
}
