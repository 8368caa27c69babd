/* The segment part of an analysis: RFM scores and named segments, and
 * k-means on standardised log RFM (k = 4 by default, or chosen by sampled
 * silhouette), with centres in original units.  See analytics.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/analytics_internal.h"

#define KM_FULL_MAX 200000 /* above: restarts on a sample */
#define KM_SAMPLE 100000
#define SIL_SAMPLE 20000

void hz__seg_free(hz__seg_part *s)
{
    free(s->rs);
    free(s->fs);
    free(s->ms);
    free(s->seg);
    free(s->cluster);
    free(s->clprof);
    free(s->centers);
    free(s->fval);
}

/* F as asked: purchase days, distinct orders or input rows. */
static hz_status frequency_values(hz_analytics_result *r, hz_error *err)
{
    const hz_customer_summary *cs = r->cs;
    hz__seg_part *s = &r->seg;
    s->fval = malloc(cs->n * sizeof(double));
    if (s->fval == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    for (size_t i = 0; i < cs->n; i++)
        s->fval[i] = r->req.frequency == HZ_FREQ_ROWS ? cs->orders[i]
                     : r->req.frequency == HZ_FREQ_ORDERS
                         ? cs->distinct_orders[i]
                         : r->freq_count[i];
    return HZ_OK;
}

/* Standardised log1p(R, F, M) into X (n x 3); mean and sd of each. */
static void features(const double *const src[3], size_t n, double *X,
                     double mu[3], double sd[3])
{
    for (int j = 0; j < 3; j++) {
        double m = 0, v = 0;
        for (size_t i = 0; i < n; i++)
            X[i * 3 + j] = log1p(src[j][i]);
        for (size_t i = 0; i < n; i++)
            m += X[i * 3 + j];
        m /= (double)n;
        for (size_t i = 0; i < n; i++)
            v += (X[i * 3 + j] - m) * (X[i * 3 + j] - m);
        double s = sqrt(v / (double)n);
        if (!(s > 0))
            s = 1;
        mu[j] = m;
        sd[j] = s;
        for (size_t i = 0; i < n; i++)
            X[i * 3 + j] = (X[i * 3 + j] - m) / s;
    }
}

/* Every step-th row of X (3 columns) into a new array. */
static double *sample_rows(const double *X, size_t n, size_t step, size_t *ns)
{
    *ns = (n + step - 1) / step;
    double *Xs = malloc(3 * *ns * sizeof(double));
    if (Xs != NULL)
        for (size_t i = 0; i < *ns; i++)
            memcpy(Xs + 3 * i, X + 3 * (i * step), 3 * sizeof(double));
    return Xs;
}

/* Distinct rows of X (n x 3), counted up to cap (<= HZ__KMEANS_MAX_K):
 * at most n x cap comparisons, no more than one k-means pass with cap
 * centres. */
static int distinct_profiles(const double *X, size_t n, int cap)
{
    size_t nd = 0, first[HZ__KMEANS_MAX_K];
    for (size_t i = 0; i < n && nd < (size_t)cap; i++) {
        bool seen = false;
        for (size_t j = 0; j < nd && !seen; j++)
            seen = X[3 * i] == X[3 * first[j]] &&
                   X[3 * i + 1] == X[3 * first[j] + 1] &&
                   X[3 * i + 2] == X[3 * first[j] + 2];
        if (!seen)
            first[nd++] = i;
    }
    return (int)nd;
}

/* k by the best silhouette of k = 2..k_max on a deterministic sample of
 * at most SIL_SAMPLE customers (at most 3 restarts each); no positive
 * silhouette (no structure) gives one cluster. */
static hz_status choose_k(hz__seg_part *s, const double *X, size_t n,
                          const hz_kmeans_options *ko, int k_max, int *k,
                          hz_error *err)
{
    int kmax = k_max > 1 ? k_max : 8;
    if (kmax - 1 > HZ__KMAX_CHOICES)
        kmax = HZ__KMAX_CHOICES + 1;
    size_t step = n > SIL_SAMPLE ? (n + SIL_SAMPLE - 1) / SIL_SAMPLE : 1, ns;
    *k = 1;
    /* chosen, from nothing until the silhouettes are in (sil_kmax <
     * sil_kmin: no k to try) */
    s->k_chosen = true;
    s->sil_kmin = 2;
    s->sil_kmax = 1;
    if ((n + step - 1) / step < 3)
        return HZ_OK;
    double *Xs = sample_rows(X, n, step, &ns);
    if (Xs == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    if ((size_t)kmax > ns - 1)
        kmax = (int)(ns - 1);
    /* no k above the distinct profiles: those would be empty clusters */
    kmax = distinct_profiles(Xs, ns, kmax);
    if (kmax < 2) {
        free(Xs);
        return HZ_OK;
    }
    hz_kmeans_options kc = *ko;
    hz_kmeans_result kr;
    if (kc.n_init > 3)
        kc.n_init = 3;
    hz_status st = hz_kmeans_choose(Xs, ns, 3, 2, kmax, &kc, 2000, &kr, s->sil,
                                    err);
    free(Xs);
    if (st != HZ_OK)
        return st;
    *k = s->sil[kr.k - 2] > 0 ? kr.k : 1;
    hz_kmeans_result_free(&kr);
    s->sil_kmax = kmax;
    return HZ_OK;
}

/* The default k: 4, or fewer when fewer distinct customers exist. */
static int default_k(const double *X, size_t n)
{
    return distinct_profiles(X, n, HZ__KMEANS_DEFAULT_K);
}

/* k-means with ko->k clusters; above KM_FULL_MAX customers the restarts
 * run on a deterministic sample and the best centres are refined by
 * Lloyd on all of them. */
static hz_status cluster(const double *X, size_t n, hz_kmeans_options *ko,
                         hz_kmeans_result *km, hz_error *err)
{
    if (n <= KM_FULL_MAX || ko->k <= 1)
        return hz_kmeans_fit(X, n, 3, ko, km, err);
    size_t ns;
    double *Xs = sample_rows(X, n, (n + KM_SAMPLE - 1) / KM_SAMPLE, &ns);
    if (Xs == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    hz_kmeans_result sk;
    hz_status st = hz_kmeans_fit(Xs, ns, 3, ko, &sk, err);
    free(Xs);
    if (st != HZ_OK)
        return st;
    hz_kmeans_options kf = *ko;
    kf.init_centers = sk.centers;
    st = hz_kmeans_fit(X, n, 3, &kf, km, err);
    hz_kmeans_result_free(&sk);
    return st;
}

/* Keep the labels, inertia, iterations and centres in original units
 * (expm1 of the de-standardised log centre: recency days, F, spend). */
static hz_status keep_clusters(hz__seg_part *s, hz_kmeans_result *km,
                               const double mu[3], const double sd[3])
{
    s->cluster = km->labels;
    km->labels = NULL;
    s->k = km->k;
    s->inertia = km->inertia;
    s->iterations = km->iterations;
    s->centers = malloc(3 * (size_t)km->k * sizeof(double));
    s->clprof = calloc((size_t)km->k, sizeof *s->clprof);
    if (s->centers == NULL || s->clprof == NULL)
        return HZ_ENOMEM;
    for (int g = 0; g < km->k; g++)
        for (int j = 0; j < 3; j++)
            s->centers[g * 3 + j] = expm1(mu[j] +
                                          sd[j] * km->centers[g * 3 + j]);
    return HZ_OK;
}

static hz_status rfm(hz_analytics_result *r, hz_error *err)
{
    hz__seg_part *s = &r->seg;
    const size_t n = r->cs->n;
    s->rs = malloc(n);
    s->fs = malloc(n);
    s->ms = malloc(n);
    s->seg = malloc(n);
    if (!s->rs || !s->fs || !s->ms || !s->seg)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    hz_status st = frequency_values(r, err);
    if (st == HZ_OK)
        st = hz_rfm_score(r->rec_days, s->fval, r->cs->total_spend, n, s->rs,
                          s->fs, s->ms, s->seg, err);
    if (st == HZ_OK)
        st = hz_segment_profiles(s->seg, NULL, HZ_SEG_COUNT, r->rec_days,
                                 s->fval, r->cs->total_spend, n, s->segprof,
                                 err);
    return st;
}

void hz__kmeans_k_how(const hz__seg_part *s, char *buf, size_t bufsz)
{
    if (s->k_chosen && s->sil_kmax < s->sil_kmin)
        snprintf(buf, bufsz,
                 "k auto, with no k to choose: fewer than 2 distinct "
                 "recency-frequency-spend profiles or 3 customers");
    else if (s->k_chosen)
        snprintf(buf, bufsz, "chosen by silhouette");
    else if (!s->k_default)
        snprintf(buf, bufsz, "requested");
    else if (s->k < HZ__KMEANS_DEFAULT_K)
        snprintf(buf, bufsz,
                 "reduced from the default %d: the customers have only %d "
                 "distinct recency-frequency-spend profile%s",
                 HZ__KMEANS_DEFAULT_K, s->k_default_max,
                 s->k_default_max == 1 ? "" : "s");
    else
        snprintf(buf, bufsz, "default");
}

static hz_status segment_inner(hz_analytics_result *r, int th, hz_error *err)
{
    hz__seg_part *s = &r->seg;
    const hz_analytics_request *q = &r->req;
    const size_t n = r->cs->n;
    double mu[3], sd[3];
    hz_status st = rfm(r, err);
    if (st != HZ_OK)
        return st;
    double *X = malloc(3 * n * sizeof(double));
    if (X == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    const double *src[3] = {r->rec_days, s->fval, r->cs->total_spend};
    features(src, n, X, mu, sd);
    hz_kmeans_options ko;
    hz_kmeans_options_init(&ko);
    ko.n_init = q->n_init;
    ko.seed = q->seed;
    ko.threads = th;
    ko.k = q->k;
    if (ko.k == 0)
        st = choose_k(s, X, n, &ko, q->k_max, &ko.k, err);
    else if (ko.k < 0) {
        ko.k = s->k_default_max = default_k(X, n);
        s->k_default = true;
    }
    if (st == HZ_OK && (size_t)ko.k > n)
        st = hz_error_set(err, HZ_EINVAL, "k = %d clusters for %zu customer%s",
                          ko.k, n, n == 1 ? "" : "s");
    /* a requested k above the distinct profiles would leave clusters
     * empty (identical customers always share the nearest centre) */
    int nd = st == HZ_OK && q->k > 1 ? distinct_profiles(X, n, ko.k) : 0;
    if (st == HZ_OK && q->k > 1 && nd < ko.k)
        st = hz_error_set(
            err, HZ_EINVAL,
            "k = %d clusters for %d distinct "
            "recency-frequency-spend profile%s (%zu customer%s): "
            "ask for at most %d",
            ko.k, nd, nd == 1 ? "" : "s", n, n == 1 ? "" : "s", nd);
    hz_kmeans_result km;
    memset(&km, 0, sizeof km);
    if (st == HZ_OK)
        st = cluster(X, n, &ko, &km, err);
    free(X);
    if (st != HZ_OK)
        return st;
    st = keep_clusters(s, &km, mu, sd);
    hz_kmeans_result_free(&km);
    if (st != HZ_OK)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    st = hz_segment_profiles(NULL, s->cluster, (size_t)s->k, r->rec_days,
                             s->fval, r->cs->total_spend, n, s->clprof, err);
    s->ok = st == HZ_OK;
    return st;
}

hz_status hz__segment_run(hz_analytics_result *r, const hz_dataset *ds,
                          int threads, hz_error *err)
{
    (void)ds;
    double t0 = hz_now();
    r->seg.run = true;
    hz_status st = segment_inner(r, threads, err);
    if (st != HZ_OK)
        snprintf(r->seg.err, sizeof r->seg.err, "%s", err->msg);
    r->t_seg = hz_now() - t0;
    return st;
}
