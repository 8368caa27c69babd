/* Per-customer transaction summaries in the conventions of Fader and Hardie
 * (the inputs of BG/NBD, Pareto/NBD, Gamma-Gamma and RFM).
 *
 * Conventions (the same as the CDNOW summary of Fader, Hardie & Lee 2005
 * and lifetimes' summary_data_from_transaction_data):
 *  - all purchases a customer makes on one calendar day are merged into one
 *    transaction whose value is the sum of that day's amounts;
 *  - frequency x  = number of purchase days after the first one (repeat
 *    transactions) inside the calibration period;
 *  - recency t_x  = last purchase day - first purchase day;
 *  - age T        = end of calibration - first purchase day;
 *  - monetary     = mean value of the repeat transactions (0 when x = 0);
 *  - total spend  = all calibration spend, first purchase included.
 *  Times are in days or in weeks (days / 7, fractional), per `unit`.
 *  The calibration period ends at `calibration_end` when a holdout split is
 *  asked for, else at `as_of`; transactions after `as_of` are ignored and
 *  customers whose first purchase falls after the calibration end are left
 *  out (they are unknown at that time).  Input rows may come in any order.
 *  A negative amount is a refund (a return, a credit): not a purchase (it
 *  makes no purchase day and no order), netted against the customer's
 *  purchases on or before its day, the latest first, none below 0 (so
 *  monetary and total spend are net of refunds); one after the calibration
 *  end leaves the calibration's figures as they stood at its end and nets
 *  the holdout's.  A refund larger than the customer's purchases on or
 *  before it (the purchase it returns is not in the data) is an error, as
 *  is a non-finite amount. */
#ifndef HORIZON_CUSTOMER_H
#define HORIZON_CUSTOMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "horizon/common.h"
#include "horizon/dataset.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hz_time_unit { HZ_UNIT_DAYS = 0, HZ_UNIT_WEEKS = 1 } hz_time_unit;

#define HZ_DAY_NONE INT32_MIN

typedef struct hz_customer_options {
    hz_time_unit unit;       /* default HZ_UNIT_DAYS */
    int32_t as_of;           /* last day observed (inclusive);
                                   HZ_DAY_NONE = last transaction day */
    int32_t calibration_end; /* HZ_DAY_NONE = no holdout split */
    int threads;             /* 0 = OpenMP default */
    /* optional order ids, to count distinct orders per customer:
     * order_key[i] for row i (hz_customer_summary_compute), or the name
     * of a text or integer column (hz_customer_summary_from_dataset);
     * NULL = none (distinct_orders stays NULL) */
    const int64_t *order_key;
    const char *order_col;
    /* hz_customer_summary_from_dataset: rows i with skip_rows[i] != 0 are
     * left out (exact duplicates, the CLI's --dedupe); NULL = none */
    const uint8_t *skip_rows;
    /* hz_customer_summary_from_dataset: rows i with dup_rows[i] != 0
     * repeat an earlier row in every column (kept): a refund refused as
     * larger than the purchases before it names its repeat, since an
     * export that wrote it twice nets it twice; NULL = none known */
    const uint8_t *dup_rows;
} hz_customer_options;

typedef struct hz_customer_summary {
    size_t n; /* customers kept */
    hz_time_unit unit;
    int32_t as_of;           /* effective observation end */
    int32_t calibration_end; /* effective calibration end (= as_of
                                   without a split) */
    bool has_holdout;
    size_t rows_used;          /* input rows at or before as_of */
    size_t rows_ignored;       /* rows after as_of */
    size_t refund_rows;        /* rows at or before the calibration end
                                  (as_of without a split) with a negative
                                  amount (refunds): those the figures net */
    double refund_total;       /* their sum (<= 0) */
    size_t holdout_refund_rows;  /* refunds after the calibration end, up
                                    to as_of (they net the holdout) */
    double holdout_refund_total; /* their sum (<= 0) */
    size_t holdout_refund_cal_customers; /* customers with a part of */
    double holdout_refund_cal_total; /* those refunds netting calibration
                                        purchases (no holdout purchase
                                        left to net), and its sum (<= 0):
                                        it changes no figure */
    int32_t day_before_last; /* the latest purchase day before the last
                                one (HZ_DAY_NONE: a single day) */
    int32_t data_first_day;  /* the earliest and latest dates of the */
    int32_t data_last_day;   /* rows at or before as_of (purchases and
                                refunds) */
    bool as_of_given;        /* as_of was asked, not the last day */
    bool as_of_refund;       /* as_of, not given, is the day of a refund
                                with no purchase on it */
    size_t n_after_calibration; /* customers left out: first purchase
                                   after the calibration end (new in the
                                   holdout) */
    int64_t *key;              /* customer key of each customer, ascending
                                   key order */
    int32_t *first_day;        /* first purchase (calibration) */
    int32_t *last_day;         /* last purchase (calibration) */
    double *frequency;         /* x */
    double *recency;           /* t_x, in unit */
    double *T;                 /* age, in unit */
    double *monetary;          /* mean repeat transaction value (net of
                                  refunds) */
    double *total_spend;       /* calibration spend, net of refunds */
    double *refunds;           /* the customer's calibration refunds, a sum
                                  <= 0 (NULL when no row is a refund) */
    double *holdout_refunds_cal; /* the part of the customer's holdout
                                    refunds netting calibration purchases
                                    (<= 0; NULL without a holdout or a
                                    refund) */
    uint32_t *orders;          /* calibration input rows (before merging) */
    uint32_t *distinct_orders; /* distinct order ids in the calibration
                                  (NULL without order ids) */
    /* repeat purchase days (merged per customer and day, after each
     * customer's first), summed over the customers kept, per calendar day
     * day0 + d for d < ndays (day0 = first purchase, up to as_of; the
     * calibration and the holdout); NULL when the span is over 200,000
     * days.  The cumulative tracking of the holdout report uses it. */
    int32_t day0;
    size_t ndays;
    uint32_t *repeats_by_day;
    /* holdout split only (else NULL / 0): */
    double *frequency_holdout; /* purchase days in (cal_end, as_of] */
    double *monetary_holdout;  /* mean value of those days (0 if none) */
    double duration_holdout;   /* (as_of - cal_end) in unit */
} hz_customer_summary;

HZ_API void hz_customer_options_init(hz_customer_options *o);

/* Summarise nrows transactions (key[i], day[i], amount[i]); amount may be
 * NULL (all amounts 0).  Keys are any int64 values (e.g. string codes or
 * numeric ids).  Fails with HZ_EINVAL on a non-finite amount or a refund
 * larger than the customer's purchases before it, HZ_ETOOSHORT when no
 * customer is left. */
HZ_API hz_status hz_customer_summary_compute(
    const int64_t *key, const int32_t *day, const double *amount, size_t nrows,
    const hz_customer_options *opt, hz_customer_summary **out, hz_error *err);

/* Same from dataset columns.  The customer column may be a string (key =
 * dictionary code) or an integer; the date column a date, a timestamp or
 * an integer written yyyymmdd (as in the CDNOW files); the amount column
 * numeric (amount_col NULL = no amounts).  Null cells are errors that name
 * the column and the row. */
HZ_API hz_status hz_customer_summary_from_dataset(
    const hz_dataset *ds, const char *customer_col, const char *date_col,
    const char *amount_col, const hz_customer_options *opt,
    hz_customer_summary **out, hz_error *err);

/* Day number of a cell of a date/timestamp/yyyymmdd-integer column;
 * HZ_DAY_NONE when null or not a date. */
HZ_API int32_t hz_customer_cell_day(const hz_column *c, size_t row);

HZ_API void hz_customer_summary_free(hz_customer_summary *s);

/* Convert a day count to the summary unit (days or weeks). */
static inline double hz_unit_from_days(hz_time_unit u, double days)
{
    return u == HZ_UNIT_WEEKS ? days / 7.0 : days;
}

#ifdef __cplusplus
}
#endif
#endif
