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

hz_status hz__triples_build(const double *x, const double *tx, const double *T,
                            size_t n, hz__triple **out, size_t *m,
                            hz_error *err)
{
    *out = NULL;
    *m = 0;
    for (size_t i = 0; i < n; i++) {
        hz_status st = hz__summary_row_check(x, tx, T, i, err);
        if (st != HZ_OK)
            return st;
    }
    hz__triple *t = malloc((n ? n : 1) * sizeof *t);
    uint32_t *ord = malloc((n ? n : 1) * sizeof *ord);
    const double *keys[3] = {x, tx, T};
    if (t == NULL || ord == NULL || hz__argsort(keys, 3, n, ord) != HZ_OK) {
        free(t);
        free(ord);
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    }
    size_t k = 0;
    for (size_t j = 0; j < n; j++) {
        size_t i = ord[j];
        if (k > 0 && t[k - 1].x == x[i] && t[k - 1].tx == tx[i] &&
            t[k - 1].T == T[i])
            t[k - 1].w += 1.0;
        else
            t[k++] = (hz__triple){x[i], tx[i], T[i], 1.0};
    }
    free(ord);
    *out = t;
    *m = k;
    return HZ_OK;
}
