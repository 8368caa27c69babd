/* Distinct (x, t_x, T) summaries with weights, shared by the purchase
 * models.  See analytics/analytics_internal.h. */
#include <math.h>
#include <stdlib.h>

#include "analytics/analytics_internal.h"

hz_status hz__summary_row_check(const double *x, const double *tx,
                                const double *T, size_t i, hz_error *err)
{
    if (!isfinite(x[i]) || !isfinite(tx[i]) || !isfinite(T[i]) || x[i] < 0 ||
        x[i] != floor(x[i]) || tx[i] < 0 || tx[i] > T[i] ||
        (x[i] > 0 && tx[i] <= 0) || (x[i] == 0 && tx[i] != 0))
        return hz_error_set(err, HZ_EINVAL,
                            "customer %zu: inconsistent summary x = %g, t_x "
                            "= %g, T = %g (need integer x >= 0, 0 <= t_x <= "
                            "T, t_x > 0 exactly when x > 0)",
                            i + 1, x[i], tx[i], T[i]);
    return HZ_OK;
}

static int cmp_triple(const void *pa, const void *pb)
{
    const hz__triple *a = pa, *b = pb;
    if (a->x != b->x)
        return (a->x > b->x) - (a->x < b->x);
    if (a->tx != b->tx)
        return (a->tx > b->tx) - (a->tx < b->tx);
    return (a->T > b->T) - (a->T < b->T);
}

hz_status hz__triples_build(const double *x, const double *tx, const double *T,
                            size_t n, hz__triple **out, size_t *m,
                            hz_error *err)
{
    *out = NULL;
    *m = 0;
    hz__triple *t = malloc((n ? n : 1) * sizeof *t);
    if (t == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        hz_status st = hz__summary_row_check(x, tx, T, i, err);
        if (st != HZ_OK) {
            free(t);
            return st;
        }
        t[i] = (hz__triple){x[i], tx[i], T[i], 1.0};
    }
    qsort(t, n, sizeof *t, cmp_triple);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (k > 0 && cmp_triple(&t[k - 1], &t[i]) == 0)
            t[k - 1].w += 1.0;
        else
            t[k++] = t[i];
    }
    *out = t;
    *m = k;
    return HZ_OK;
}
