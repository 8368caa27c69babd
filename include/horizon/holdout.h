/* Holdout validation of a purchase model: the standard check of a CLV
 * model (Fader, Hardie & Lee 2005; the BTYD walkthrough).  The model is
 * fitted on the calibration period; over the holdout period (calibration
 * end to as-of) its conditional expectations E[Y(t) | x, t_x, T] are
 * compared with each customer's actual repeat purchase days, in total,
 * by calibration frequency and per customer, and its unconditional
 * expectations E[X(t)] summed over every customer's birth are tracked
 * week by week against the actual cumulative repeat purchases. */
#ifndef HORIZON_HOLDOUT_H
#define HORIZON_HOLDOUT_H

#include <stddef.h>
#include <stdint.h>

#include "horizon/clv.h"
#include "horizon/common.h"
#include "horizon/customer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Calibration-frequency bins: x = 0, 1, ..., 6 and 7 or more. */
#define HZ_HOLDOUT_BINS 8

typedef struct hz_holdout_report {
    hz_purchase_kind model;
    double duration;        /* holdout length, in the summary's unit */
    size_t customers;       /* customers compared */
    double predicted_total; /* sum of E[Y(duration) | x, t_x, T] */
    double actual_total;    /* sum of holdout repeat purchase days */
    double correlation;     /* Pearson, per customer (NaN if constant) */
    double mae;             /* mean absolute error per customer */
    /* by calibration frequency: customers, mean actual and mean
     * predicted holdout transactions per customer */
    size_t bin_customers[HZ_HOLDOUT_BINS];
    double bin_actual[HZ_HOLDOUT_BINS];
    double bin_predicted[HZ_HOLDOUT_BINS];
    /* cumulative tracking: for weeks w = 0 .. weeks-1, repeat purchases
     * from day0 (the first purchase of anyone) to the end of the w-th
     * week, day0 + 7 (w + 1) - 1: actual, and expected = sum over
     * customers of E[X(elapsed since their first purchase)].  The first
     * calibration_weeks weeks end on or before the calibration end. */
    int32_t day0;
    size_t weeks;
    size_t calibration_weeks;
    double *actual_cum;   /* weeks values */
    double *expected_cum; /* weeks values */
} hz_holdout_report;

/* The report of model m (fitted on s's calibration period) against s's
 * holdout columns.  Errors: HZ_EINVAL when s has no holdout split. */
HZ_API hz_status hz_holdout_compute(const hz_purchase_model *m,
                                    const hz_customer_summary *s, int threads,
                                    hz_holdout_report *out, hz_error *err);

/* Frees the tracking arrays (the struct itself is the caller's). */
HZ_API void hz_holdout_free(hz_holdout_report *h);

#ifdef __cplusplus
}
#endif
#endif
