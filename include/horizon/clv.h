/* Customer lifetime value over a finite horizon (the approach of lifetimes'
 * customer_lifetime_value): the discounted sum over months k = 1..H of
 *   E[spend] * (E[Y(k m) | x, t_x, T] - E[Y((k-1) m) | x, t_x, T])
 *   / (1 + d)^k
 * with E[Y] from BG/NBD, E[spend] from Gamma-Gamma, m the length of a
 * month in the summary's time unit (30 days or 4.345 weeks) and d the
 * monthly discount rate. */
#ifndef HORIZON_CLV_H
#define HORIZON_CLV_H

#include <stddef.h>

#include "horizon/bgnbd.h"
#include "horizon/common.h"
#include "horizon/customer.h"
#include "horizon/gammagamma.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hz_clv_options {
    int horizon_months;   /* H, default 12 */
    double discount_rate; /* monthly d, default 0.01 */
    hz_time_unit unit;    /* time unit of x, t_x, T and the models */
    int threads;          /* 0 = OpenMP default */
} hz_clv_options;

HZ_API void hz_clv_options_init(hz_clv_options *o);

/* Length of a month in unit: 30 days or 4.345 weeks (lifetimes). */
HZ_API double hz_clv_month_length(hz_time_unit unit);

/* Per-customer outputs for n customers (any output pointer may be NULL):
 * p_alive, expected transactions over the horizon, expected spend per
 * transaction and CLV.  Customers with equal (x, T) share the
 * hypergeometric evaluations.  Errors: HZ_EINVAL for a bad option. */
HZ_API hz_status hz_clv_compute(
    const hz_bgnbd_params *bg, const hz_gg_params *gg, const double *x,
    const double *t_x, const double *T, const double *mbar, size_t n,
    const hz_clv_options *opt, double *p_alive, double *expected_purchases,
    double *expected_spend, double *clv, hz_error *err);

#ifdef __cplusplus
}
#endif
#endif
