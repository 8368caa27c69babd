/* k-means clustering: greedy k-means++ seeding (as scikit-learn: 2 +
 * floor(ln k) candidate centres per step), Lloyd iterations, n_init
 * restarts keeping the lowest inertia.  Points are rows of a row-major
 * n x d matrix.  OpenMP over points; every sum is taken over fixed blocks
 * combined in block order, so results are identical for a given seed
 * whatever the thread count.  k can be chosen by the mean silhouette
 * (computed on a deterministic sample for large n). */
#ifndef HORIZON_KMEANS_H
#define HORIZON_KMEANS_H

#include <stddef.h>
#include <stdint.h>

#include "horizon/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hz_kmeans_options {
    int k;        /* clusters (>= 1) */
    int n_init;   /* restarts (default 10) */
    int max_iter; /* Lloyd iterations per restart (default 300) */
    double tol;   /* stop when the squared centre shift is below
                              tol * mean feature variance (default 1e-4) */
    uint64_t seed;
    int threads;                /* 0 = OpenMP default */
    const double *init_centers; /* k x d starting centres (one run, no
                              seeding) or NULL for k-means++ restarts */
} hz_kmeans_options;

typedef struct hz_kmeans_result {
    int k;
    size_t d;
    double *centers; /* k x d */
    int32_t *labels; /* n */
    double inertia;  /* sum of squared distances to the centres */
    int iterations;  /* of the best restart */
} hz_kmeans_result;

HZ_API void hz_kmeans_options_init(hz_kmeans_options *o);

/* Errors: HZ_EINVAL (k < 1, k > n, d = 0, non-finite data), HZ_ENOMEM.
 * When fewer than k distinct points exist, empty clusters keep a copy of
 * a point (inertia is still correct). */
HZ_API hz_status hz_kmeans_fit(const double *X, size_t n, size_t d,
                               const hz_kmeans_options *opt,
                               hz_kmeans_result *out, hz_error *err);

HZ_API void hz_kmeans_result_free(hz_kmeans_result *r); /* frees members */

/* Mean silhouette of labels on a deterministic sample of at most `sample`
 * points (0 = all).  NaN when there is one cluster. */
HZ_API hz_status hz_silhouette(const double *X, size_t n, size_t d,
                               const int32_t *labels, int k, size_t sample,
                               uint64_t seed, double *out, hz_error *err);

/* Fit k = kmin..kmax and keep the k with the best sampled silhouette;
 * scores[k - kmin] receives each silhouette when scores != NULL. */
HZ_API hz_status hz_kmeans_choose(const double *X, size_t n, size_t d,
                                  int kmin, int kmax,
                                  const hz_kmeans_options *opt, size_t sample,
                                  hz_kmeans_result *out, double *scores,
                                  hz_error *err);

#ifdef __cplusplus
}
#endif
#endif
