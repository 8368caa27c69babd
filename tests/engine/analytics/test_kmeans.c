/* k-means: hand-worked cases, determinism, silhouette, bad inputs. */
#include <math.h>
#include <stdlib.h>

#include "horizon/kmeans.h"
#include "hz_test.h"

HZ_TEST(two_pairs_hand_worked)
{
    double X[4] = {0, 1, 10, 11};
    hz_kmeans_options o;
    hz_kmeans_result r;
    hz_kmeans_options_init(&o);
    o.k = 2;
    HZ_CHECK(hz_kmeans_fit(X, 4, 1, &o, &r, NULL) == HZ_OK);
    HZ_CHECK_NEAR(r.inertia, 1.0, 1e-12);
    double lo = fmin(r.centers[0], r.centers[1]);
    double hi = fmax(r.centers[0], r.centers[1]);
    HZ_CHECK_NEAR(lo, 0.5, 1e-12);
    HZ_CHECK_NEAR(hi, 10.5, 1e-12);
    HZ_CHECK(r.labels[0] == r.labels[1] && r.labels[2] == r.labels[3] &&
             r.labels[0] != r.labels[2]);
    double s;
    HZ_CHECK(hz_silhouette(X, 4, 1, r.labels, 2, 0, 1, &s, NULL) == HZ_OK);
    HZ_CHECK_NEAR(s, (9.5 / 10.5 + 8.5 / 9.5) / 2, 1e-12);
    hz_kmeans_result_free(&r);
}

static double *blobs(size_t n, uint64_t seed)
{
    double *X = malloc(n * 2 * sizeof(double));
    const double cx[3] = {0, 8, 0}, cy[3] = {0, 0, 8};
    for (size_t i = 0; i < n; i++) {
        double u[4];
        for (int j = 0; j < 4; j++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            u[j] = ((double)(seed >> 11) + 0.5) * 0x1.0p-53;
        }
        double g1 = sqrt(-2 * log(u[0])) * cos(6.283185307179586 * u[1]);
        double g2 = sqrt(-2 * log(u[2])) * cos(6.283185307179586 * u[3]);
        X[2 * i] = cx[i % 3] + g1;
        X[2 * i + 1] = cy[i % 3] + g2;
    }
    return X;
}

HZ_TEST(three_blobs_are_found_and_k_is_chosen)
{
    size_t n = 3000;
    double *X = blobs(n, 99);
    HZ_CHECK(X != NULL);
    hz_kmeans_options o;
    hz_kmeans_result r;
    double sc[5];
    hz_kmeans_options_init(&o);
    HZ_CHECK(hz_kmeans_choose(X, n, 2, 2, 6, &o, 500, &r, sc, NULL) == HZ_OK);
    HZ_CHECK(r.k == 3);
    HZ_CHECK(sc[1] > sc[0] && sc[1] > sc[2]);
    /* every blob in one cluster */
    size_t bad = 0;
    for (size_t i = 3; i < n; i++)
        bad += r.labels[i] != r.labels[i % 3];
    HZ_CHECK(bad < 10);
    /* inertia close to n * 2 (unit variance in 2 dimensions) */
    HZ_CHECK(r.inertia > 0.9 * 2 * n && r.inertia < 1.1 * 2 * n);
    hz_kmeans_result_free(&r);
    free(X);
}

HZ_TEST(identical_for_any_thread_count)
{
    size_t n = 20000;
    double *X = blobs(n, 5);
    hz_kmeans_options o;
    hz_kmeans_result a, b;
    hz_kmeans_options_init(&o);
    o.k = 5;
    o.n_init = 3;
    o.threads = 1;
    HZ_CHECK(hz_kmeans_fit(X, n, 2, &o, &a, NULL) == HZ_OK);
    o.threads = 2;
    HZ_CHECK(hz_kmeans_fit(X, n, 2, &o, &b, NULL) == HZ_OK);
    HZ_CHECK(a.inertia == b.inertia);
    HZ_CHECK(memcmp(a.labels, b.labels, n * sizeof(int32_t)) == 0);
    /* bit for bit, not just equal: NOLINTNEXTLINE(bugprone-suspicious-memory-comparison,cert-exp42-c,cert-flp37-c) */
    HZ_CHECK(memcmp(a.centers, b.centers, 10 * sizeof(double)) == 0);
    hz_kmeans_result_free(&a);
    hz_kmeans_result_free(&b);
    o.seed = 43;
    o.threads = 2;
    HZ_CHECK(hz_kmeans_fit(X, n, 2, &o, &b, NULL) == HZ_OK);
    hz_kmeans_result_free(&b);
    free(X);
}

HZ_TEST(bad_inputs_and_identical_points)
{
    double X[6] = {1, 1, 1, 1, 1, 1};
    hz_kmeans_options o;
    hz_kmeans_result r;
    hz_error err;
    hz_kmeans_options_init(&o);
    o.k = 4;
    HZ_CHECK(hz_kmeans_fit(X, 3, 2, &o, &r, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "k = 4");
    o.k = 0;
    HZ_CHECK(hz_kmeans_fit(X, 3, 2, &o, &r, &err) == HZ_EINVAL);
    /* all points identical: a clean zero-inertia answer */
    o.k = 2;
    HZ_CHECK(hz_kmeans_fit(X, 3, 2, &o, &r, &err) == HZ_OK);
    HZ_CHECK(r.inertia == 0);
    hz_kmeans_result_free(&r);
    double Xn[4] = {1, NAN, 2, 3};
    o.k = 1;
    HZ_CHECK(hz_kmeans_fit(Xn, 2, 2, &o, &r, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "point 1");
}
