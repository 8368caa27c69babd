/* Purchase models behind one interface, and customer lifetime value over
 * an exact horizon.
 *
 * CLV follows lifetimes' customer_lifetime_value with exact months: over
 * the horizon H the months k = 1..K (K = ceil(H / m), the last one cut at
 * H) contribute
 *   E[spend] * (E[Y(t_k) | x, t_x, T] - E[Y(t_(k-1)) | x, t_x, T])
 *   / (1 + d)^(t_k / m),     t_k = min(k m, H),
 * with E[Y] from BG/NBD or Pareto/NBD, E[spend] from Gamma-Gamma, m the
 * length of a month (365.25 / 12 days, in the summary's unit: 30.4375
 * days or 4.348214 weeks) and d the monthly discount rate.  Because the
 * month is the same length in days and in weeks, CLV does not depend on
 * the unit. */
#ifndef HORIZON_CLV_H
#define HORIZON_CLV_H

#include <stdbool.h>
#include <stddef.h>

#include "horizon/bgnbd.h"
#include "horizon/common.h"
#include "horizon/customer.h"
#include "horizon/gammagamma.h"
#include "horizon/pnbd.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Days in a month and in a year, whatever the unit. */
#define HZ_DAYS_PER_MONTH (365.25 / 12.0)

typedef enum hz_purchase_kind {
    HZ_PURCHASE_BGNBD = 0,
    HZ_PURCHASE_PNBD = 1
} hz_purchase_kind;

/* A fitted purchase model: kind and its parameters (times in the unit of
 * the summary it was fitted on). */
typedef struct hz_purchase_model {
    hz_purchase_kind kind;
    hz_bgnbd_params bg; /* kind HZ_PURCHASE_BGNBD */
    hz_pnbd_params pn;  /* kind HZ_PURCHASE_PNBD */
} hz_purchase_model;

/* The identifier, "bgnbd" or "pnbd", of machine outputs (JSON, model
 * files, --model, job params); parse returns false when unknown.  The
 * label, "BG/NBD" or "Pareto/NBD", is the name people read (text
 * summaries, reports, narratives): each place uses one of the two. */
HZ_API const char *hz_purchase_kind_name(hz_purchase_kind k);
HZ_API const char *hz_purchase_kind_label(hz_purchase_kind k);
HZ_API bool hz_purchase_kind_parse(const char *s, hz_purchase_kind *out);

/* The model's P(alive), E[X(t)], E[Y(t) | x, t_x, T] (= numerator *
 * P(alive)), P(X(t) = k) and P(no purchase in the next t | x, t_x, T). */
HZ_API double hz_purchase_p_alive(const hz_purchase_model *m, double x,
                                  double t_x, double T);
HZ_API double hz_purchase_expected(const hz_purchase_model *m, double t);
HZ_API double hz_purchase_conditional_numerator(const hz_purchase_model *m,
                                                double t, double x, double T);
HZ_API double hz_purchase_conditional(const hz_purchase_model *m, double t,
                                      double x, double t_x, double T);
HZ_API double hz_purchase_pmf(const hz_purchase_model *m, double t,
                              unsigned k);
HZ_API double hz_purchase_p_no_purchase(const hz_purchase_model *m, double t,
                                        double x, double t_x, double T);
/* P(no purchase in the next t | alive at T, x): the part of
 * hz_purchase_p_no_purchase that does not depend on t_x. */
HZ_API double hz_purchase_p_silent_alive(const hz_purchase_model *m, double t,
                                         double x, double T);

/* E[Y(t) | x, t_x, T] for n customers into out (customers with equal
 * (x, T) share the work).  HZ_ENOMEM is the only error. */
HZ_API hz_status hz_purchase_conditional_many(const hz_purchase_model *m,
                                              double t, const double *x,
                                              const double *t_x,
                                              const double *T, size_t n,
                                              int threads, double *out);

/* Express the model's time parameters (alpha, beta) in another unit. */
HZ_API hz_purchase_model hz_purchase_model_in_unit(const hz_purchase_model *m,
                                                   hz_time_unit from,
                                                   hz_time_unit to);

typedef struct hz_clv_options {
    double horizon_days;  /* H in days (default 365.25: 12 months) */
    double discount_rate; /* monthly d, default 0.01 */
    double risk_days;     /* window of p_no_purchase (default 90 days) */
    hz_time_unit unit;    /* time unit of x, t_x, T and the models */
    int threads;          /* 0 = OpenMP default */
} hz_clv_options;

HZ_API void hz_clv_options_init(hz_clv_options *o);

/* Length of a month (365.25 / 12 days) in unit. */
HZ_API double hz_clv_month_length(hz_time_unit unit);

/* Per-customer outputs (any pointer may be NULL). */
typedef struct hz_clv_outputs {
    double *p_alive;            /* P(alive | x, t_x, T) */
    double *expected_purchases; /* E[Y(H) | x, t_x, T] */
    double *expected_spend;     /* Gamma-Gamma E[M | x, mbar] */
    double *clv;                /* discounted value over H */
    double *p_no_purchase;      /* P(no purchase in the next risk_days) */
} hz_clv_outputs;

/* Per-customer outputs for n customers.  gg may be NULL (no spend: the
 * spend and CLV outputs are then left alone).  Customers with equal
 * (x, T) share the model evaluations.  Errors: HZ_EINVAL for a bad
 * option or a Gamma-Gamma q <= 1. */
HZ_API hz_status hz_clv_compute(const hz_purchase_model *pm,
                                const hz_gg_params *gg, const double *x,
                                const double *t_x, const double *T,
                                const double *mbar, size_t n,
                                const hz_clv_options *opt,
                                const hz_clv_outputs *out, hz_error *err);

#ifdef __cplusplus
}
#endif
#endif
