/* Discounted customer lifetime value (see clv.h). */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "horizon/clv.h"

void hz_clv_options_init(hz_clv_options *o)
{
    memset(o, 0, sizeof *o);
    o->horizon_months = 12;
    o->discount_rate = 0.01;
    o->unit = HZ_UNIT_DAYS;
}

double hz_clv_month_length(hz_time_unit unit)
{
    return unit == HZ_UNIT_WEEKS ? 4.345 : 30.0;
}

typedef struct xt_idx {
    double x, T;
    size_t i;
} xt_idx;

static int cmp_xt(const void *pa, const void *pb)
{
    const xt_idx *a = pa, *b = pb;
    if (a->x != b->x)
        return (a->x > b->x) - (a->x < b->x);
    if (a->T != b->T)
        return (a->T > b->T) - (a->T < b->T);
    return (a->i > b->i) - (a->i < b->i);
}

hz_status hz_clv_compute(const hz_bgnbd_params *bg, const hz_gg_params *gg,
                         const double *x, const double *t_x, const double *T,
                         const double *mbar, size_t n,
                         const hz_clv_options *opt, double *p_alive,
                         double *expected_purchases, double *expected_spend,
                         double *clv, hz_error *err)
{
    hz_clv_options defo;
    if (opt == NULL) {
        hz_clv_options_init(&defo);
        opt = &defo;
    }
    const int H = opt->horizon_months;
    if (H < 1 || H > 1200)
        return hz_error_set(err, HZ_EINVAL,
                            "horizon must be 1 to 1200 months, got %d", H);
    if (!(opt->discount_rate >= 0.0 && opt->discount_rate < 1.0))
        return hz_error_set(err, HZ_EINVAL,
                            "monthly discount rate must be in [0, 1), got %g",
                            opt->discount_rate);
    if (gg != NULL && !(gg->q > 1))
        return hz_error_set(err, HZ_EINVAL,
                            "Gamma-Gamma q = %g <= 1: mean spend undefined",
                            gg->q);
    if (n == 0)
        return HZ_OK;
    xt_idx *ord = malloc(n * sizeof *ord);
    size_t *gstart = malloc((n + 1) * sizeof *gstart);
    if (ord == NULL || gstart == NULL) {
        free(ord);
        free(gstart);
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        ord[i].x = x[i];
        ord[i].T = T[i];
        ord[i].i = i;
    }
    qsort(ord, n, sizeof *ord, cmp_xt);
    size_t ng = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || ord[i].x != ord[i - 1].x || ord[i].T != ord[i - 1].T)
            gstart[ng++] = i;
    gstart[ng] = n;

    const double month = hz_clv_month_length(opt->unit);
    const double d = opt->discount_rate;
    /* read by the num_threads clause, which the analyzer does not see:
     * NOLINTNEXTLINE(clang-analyzer-deadcode.DeadStores) */
    const int nthreads = opt->threads > 0 ? opt->threads
                                          : omp_get_max_threads();
    int oom = 0;
#pragma omp parallel num_threads(nthreads) reduction(| : oom)
    {
        /* per group: numerators at k months and their discounted sum */
        double *num = malloc(((size_t)H + 1) * sizeof *num);
        oom |= num == NULL;
#pragma omp for schedule(dynamic, 64)
        for (size_t g = 0; g < ng; g++) {
            if (num == NULL)
                continue;
            double gx = ord[gstart[g]].x, gT = ord[gstart[g]].T;
            num[0] = 0.0;
            double disc = 0.0, df = 1.0;
            for (int k = 1; k <= H; k++) {
                num[k] = hz_bgnbd_conditional_numerator(bg, k * month, gx, gT);
                df /= 1.0 + d;
                disc += (num[k] - num[k - 1]) * df;
            }
            for (size_t j = gstart[g]; j < gstart[g + 1]; j++) {
                size_t i = ord[j].i;
                double pa = hz_bgnbd_p_alive(bg, x[i], t_x[i], T[i]);
                double es = gg != NULL
                                ? hz_gg_conditional_spend(gg, x[i], mbar[i])
                                : NAN;
                if (p_alive)
                    p_alive[i] = pa;
                if (expected_purchases)
                    expected_purchases[i] = pa * num[H];
                if (expected_spend)
                    expected_spend[i] = es;
                if (clv)
                    clv[i] = pa * disc * es;
            }
        }
        free(num);
    }
    free(ord);
    free(gstart);
    if (oom)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    return HZ_OK;
}
