/* The Cholesky helpers of engine/numeric/chol.c: which column of a Gram
 * matrix is a linear combination of the ones before it, and of which. */
#include <stdbool.h>
#include <string.h>

#include "hz_test.h"
#include "numeric/chol.h"

/* Gram matrix X'X of the centred columns of X (n x p, row-major). */
static void gram(const double *X, size_t n, size_t p, double *G)
{
    double mean[8] = {0};
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < p; j++)
            mean[j] += X[i * p + j] / (double)n;
    memset(G, 0, p * p * sizeof *G);
    for (size_t i = 0; i < n; i++)
        for (size_t a = 0; a < p; a++)
            for (size_t b = 0; b < p; b++)
                G[a * p + b] += (X[i * p + a] - mean[a]) *
                                (X[i * p + b] - mean[b]);
}

HZ_TEST(aliased_column_and_its_partners)
{
    /* columns: a, b, c = 2a - 3b + 7 (collinear with a constant), d */
    enum { N = 7, P = 4 };
    static const double ab[N][2] = {{1, 0.5}, {2, 1.7}, {3, 0.2}, {4, 2.9},
                                    {5, 1.1}, {6, 0.3}, {7, 2.2}};
    static const double d[N] = {0.3, -1.2, 2.385, 0.7, -0.4, 1.9, 0.05};
    double X[N * P], G[P * P], work[P * P + P];
    bool with[P];
    for (size_t i = 0; i < N; i++) {
        X[i * P] = ab[i][0];
        X[i * P + 1] = ab[i][1];
        X[i * P + 2] = 2 * ab[i][0] - 3 * ab[i][1] + 7;
        X[i * P + 3] = d[i];
    }
    gram(X, N, P, G);
    HZ_CHECK(hz__chol_aliased(G, P, 1e-10, work, with) == 2);
    HZ_CHECK(with[0] && with[1] && !with[2] && !with[3]);
    /* d first, then a, b, c: c is still the one found, d takes no part */
    double Y[N * P];
    for (size_t i = 0; i < N; i++) {
        Y[i * P] = X[i * P + 3];
        memcpy(Y + i * P + 1, X + i * P, 3 * sizeof(double));
    }
    gram(Y, N, P, G);
    HZ_CHECK(hz__chol_aliased(G, P, 1e-10, work, with) == 3);
    HZ_CHECK(!with[0] && with[1] && with[2] && !with[3]);
    /* nearly but not quite collinear: c = 2a - 3b + 7 + 0.01 u, with u in
     * no other column, keeps about 1e-5 of its variance: kept */
    for (size_t i = 0; i < N; i++)
        X[i * P + 2] += 0.01 * (double)(i * i % 5);
    gram(X, N, P, G);
    HZ_CHECK(hz__chol_aliased(G, P, 1e-10, work, with) == P);
    /* a zero (constant) column: found, with no partner */
    G[1 * P + 1] = 0;
    HZ_CHECK(hz__chol_aliased(G, P, 1e-10, work, with) == 1);
    HZ_CHECK(!with[0]);
}
