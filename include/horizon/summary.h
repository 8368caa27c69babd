/* Compact, ranked summaries of results: what an LLM prompt carries instead
 * of data.
 *
 * A summary is an ordered list of short items.  Each item has an
 * importance (0 = most important; larger = dropped first when a prompt
 * must shrink), a stable key ("forecast.total") and one line of text with
 * numbers rounded to meaningful precision (3 significant digits, K/M/B
 * suffixes, percentages to one decimal).  Items hold aggregates only:
 * totals, rates, quantiles, shares — never a data row.
 *
 * Builders exist per result kind; each appends items to a summary:
 *   forecasts  totals and growth vs the previous year, the forecast
 *              against the last year, seasonal peak and trough, interval
 *              width, the model chosen
 *   churn      churn rate and the top drivers
 *   clv        CLV quantiles, mean, share of value held by the top decile
 *   segments   segment sizes and revenue shares
 *   datasets   a profile: rows, columns, date range, totals
 * The engine never prints; text is formatted into the items. */
#ifndef HORIZON_SUMMARY_H
#define HORIZON_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#include "horizon/common.h"
#include "horizon/forecast.h"
#include "horizon/profile.h"
#include "horizon/series.h"

#ifdef __cplusplus
extern "C" {
#endif

#define HZ_SUMMARY_KEY_MAX 48
#define HZ_SUMMARY_TEXT_MAX 240

typedef struct hz_summary_item {
    int importance;                 /* 0 = most important */
    char key[HZ_SUMMARY_KEY_MAX];   /* e.g. "forecast.total" */
    char text[HZ_SUMMARY_TEXT_MAX]; /* one line, no newline */
} hz_summary_item;

typedef struct hz_summary {
    char kind[32]; /* "forecast", "churn", "clv", "segment",
                               "dataset", "suite" */
    size_t n, cap;
    hz_summary_item *items;
} hz_summary;

/* New empty summary of a kind; NULL on ENOMEM. */
HZ_API hz_summary *hz_summary_new(const char *kind);
HZ_API void hz_summary_free(hz_summary *s); /* NULL allowed */

/* Append an item (text from a printf format; newlines become spaces and
 * text longer than HZ_SUMMARY_TEXT_MAX - 1 is cut at a word boundary with
 * "..."; keys are truncated).  HZ_ENOMEM or HZ_EINVAL (NULL summary). */
HZ_API hz_status hz_summary_add(hz_summary *s, int importance, const char *key,
                                const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Append every item of src to dst, adding `importance_offset` to each and
 * prefixing keys with `key_prefix` (may be NULL). */
HZ_API hz_status hz_summary_append(hz_summary *dst, const hz_summary *src,
                                   int importance_offset,
                                   const char *key_prefix);

/* Order items by importance (stable: equal importance keeps insertion
 * order). */
HZ_API void hz_summary_sort(hz_summary *s);

/* ---- number formatting (meaningful precision) ----
 * hz_fmt_num: 3 significant digits with K/M/B/T suffixes for |v| >= 1000
 * ("1.23M", "45.6K", "987", "12.3", "0.0123"), scientific from a thousand
 * trillion and below 1e-4 ("1.42e+18", "5e-05"); "n/a" for NaN.
 * hz_fmt_pct: a fraction as a percentage with one decimal below 10% and
 * none from 10% ("8.2%", "14%", "-3.1%"); with `sign` a "+" for > 0.
 * A value that rounds to zero is "0.0%" with or without `sign` (until
 * 2026-12-07 a tiny fall printed "-0.0%" and no change "+0.0%").
 * Without `sign` (a share) a fraction strictly between 0 and 1 that
 * would round to 0 or 100 is "<0.1%" or ">99%" (until 2026-12-07 "0.0%"
 * and "100%": 1 of 20,000 customers at high risk read as none).
 * Both return buf. */
HZ_API char *hz_fmt_num(double v, char *buf, size_t bufsz);
/* Numbers read together (a range, quantiles, a peak and a trough) in one
 * style: all scientific when the largest needs it ("9.97e+14 to 1.1e+15",
 * not "997T to 1.1e+15"), else none ("0.00005 to 12.3", not "5e-05 to
 * 12.3"); each otherwise as hz_fmt_num.  buf[i] gets v[i]. */
#define HZ_FMT_NUM_MAX 48
HZ_API void hz_fmt_nums(const double *v, size_t n,
                        char (*buf)[HZ_FMT_NUM_MAX]);
HZ_API char *hz_fmt_pct(double frac, int sign, char *buf, size_t bufsz);
/* The relative change from base to x, (x - base) / |base|: positive when
 * x is above base, whatever base's sign (-6K after -6.11K is +1.8%, where
 * x / base - 1 read -1.8%).  NaN when base is 0 or either is not
 * finite. */
HZ_API double hz_rel_change(double x, double base);

/* ---- like with like: what a forecast's total is compared with ----
 * The forecast's first `steps` periods against observed periods
 * [n - lag, n - lag + steps): the same periods one season before, the
 * longest season the history covers (hours: a week, else a day; days: a
 * year, else a week; months: a year), steps = min(h, season); without a
 * season the history covers, the h periods just before (n >= h); else no
 * comparison (steps 0).  Never "the next 12 hours against the last 12",
 * which compares night with day. */
typedef struct hz_summary_span {
    size_t steps;  /* forecast steps compared; 0: none */
    size_t lag;    /* periods back to the first compared observation */
    bool seasonal; /* the same periods a season before (else just
                      before) */
} hz_summary_span;

/* seasons: the result's seasonal periods (NULL or none: {period}); n the
 * history length (the longest series of a panel). */
HZ_API hz_summary_span hz_summary_span_of(size_t h, size_t n,
                                          const hz_seasons *seasons,
                                          int period);
/* "the same 12 hours a week before", "the 5 years just before" for unit
 * "hour" or "year" (a frequency's hz_calendar_unit); into buf. */
HZ_API char *hz_summary_span_text(const hz_summary_span *sp,
                                  const char *unit, char *buf, size_t n);
/* The forecast's total and its comparison, the same words in the key
 * figures and the narrative: "next 24 months: total 1.68M; the first
 * 12: 753K, +47% vs the same 12 months a year before (513K)" (or, when
 * the span is the horizon, "next 12 hours: total 1.44K, -0.1% vs ...";
 * without a span, "next 24 months: total 1.68M").  fc_span and base are
 * the totals of the forecast's first sp->steps periods and of the
 * observed periods they are compared with. */
HZ_API char *hz_summary_total_text(size_t h, const char *unit, double total,
                                   const hz_summary_span *sp, double fc_span,
                                   double base, char *buf, size_t n);

/* ---- builders ---- */

typedef struct hz_summary_forecast_in {
    const char *name;      /* series name, e.g. "revenue" or "North" */
    const char *unit;      /* frequency noun: "month", "week", "day" */
    const double *history; /* [n_history] observed values, oldest first */
    size_t n_history;
    int period;            /* seasonal period (12 monthly); 0 = none */
    const hz_seasons *seasons; /* every seasonal period (NULL: period) */
    const hz_forecast *fc; /* point forecasts + intervals + method */
    const char *const *step_labels; /* [fc->h] labels for forecast steps
                                       ("2026-12"); NULL = "step k" */
    int importance_base;            /* added to every item's importance */
} hz_summary_forecast_in;

/* Forecast items: total over the horizon and the change of its first
 * periods against the same periods observed a season before
 * (hz_summary_span_of, hz_summary_total_text), recent growth, seasonal
 * peak and trough of the
 * forecast, relative interval width at the last step, the model chosen
 * (and a fallback note).  HZ_EINVAL when fc is NULL or has h = 0. */
HZ_API hz_status hz_summary_forecast(const hz_summary_forecast_in *in,
                                     hz_summary *out, hz_error *err);

typedef struct hz_summary_driver {
    const char *name; /* feature, e.g. "support_tickets" */
    double effect;    /* signed effect (coefficient, odds ratio - 1,
                                importance); larger |effect| = stronger */
} hz_summary_driver;

/* Churn items: churn rate over n customers (and predicted rate for the
 * next period when predicted_rate is finite), customers at high risk
 * (n_high_risk; SIZE_MAX = unknown, no item), the top drivers by |effect|
 * (at most 5).  Drivers are not modified. */
HZ_API hz_status hz_summary_churn(size_t n_customers, double churn_rate,
                                  double predicted_rate, size_t n_high_risk,
                                  const hz_summary_driver *drivers,
                                  size_t ndrivers, const char *model,
                                  int importance_base, hz_summary *out,
                                  hz_error *err);

/* CLV items: mean and total, p10/p50/p90/p99 quantiles, share of total
 * value held by the top 10% of customers, horizon in months.  clv[0..n)
 * is not modified (a sorted copy is made).  NaNs are ignored. */
HZ_API hz_status hz_summary_clv(const double *clv, size_t n,
                                double horizon_months, const char *model,
                                int importance_base, hz_summary *out,
                                hz_error *err);

/* Segment items: number of segments and, for each segment in order of
 * revenue share, its size share and revenue share (largest first; the
 * items of smaller segments are less important).  names may be NULL
 * ("segment k"). */
HZ_API hz_status hz_summary_segments(const char *const *names,
                                     const size_t *sizes,
                                     const double *revenue, size_t k,
                                     int importance_base, hz_summary *out,
                                     hz_error *err);

/* Dataset profile items: rows and columns, the date range of the first
 * date column, the sum of up to 3 numeric columns whose names look like
 * amounts (revenue, amount, spend, sales, price, quantity) else the
 * first numeric ones, distinct counts of string columns, null shares. */
HZ_API hz_status hz_summary_dataset(const hz_profile *p, int importance_base,
                                    hz_summary *out, hz_error *err);

#ifdef __cplusplus
}
#endif
#endif
