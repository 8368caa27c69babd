/* RFM scoring and named segments.
 *
 * Inputs per customer: recency in days from the last purchase to the
 * snapshot day after the observation end (1 for a purchase on the last
 * day), frequency = number of purchase days (x + 1) and monetary = total
 * spend.  Each is scored 1..5 by quintile of its rank
 * (low recency, high frequency and high monetary score high): with
 * `worse` customers below a value and `better` above it,
 *
 *   score = 1 + floor(5 * (worse + 1/2) / (worse + better + 1)),
 *
 * the quintile of its mid-rank (Hazen's (i - 1/2) / n) when the
 * customers who share it count as one.  Without ties that is the usual
 * 1 + floor(5 (i - 1/2) / n): equal fifths, symmetric (reversing the
 * order turns s into 6 - s).  Equal values share a score, and a run of
 * them at an end of the order keeps that end's score once two customers
 * stand apart from it: the customers who bought on the last day score
 * R 5 and the one-time buyers F 1 however many they are.  Customers who
 * all share one value (a lone customer) score 3: none stands above or
 * below another.  Two ends mean the same whoever else is in the data and
 * are scored so by hz_rfm_score: a purchase on the last day (recency <= 1)
 * is R 5 and a one-time buyer (frequency <= 1) F 1, also when every
 * customer shares them or only one customer stands apart (until
 * 2026-12-07 customers who all bought once scored F 3, "potential
 * loyalists", "need attention" and "at risk", and customers who all
 * bought on the last day R 3, "about to sleep").  Until 2026-12-07 ties took the rank of the first of them,
 * so the most recent buyers, when they were many, or a lone customer
 * scored R 1 ("lost"); SPSS's mean ranks (TIES=MEAN) would score
 * one-time buyers F 2 whenever they are more than about 40% of the
 * customers (52% in CDNOW), leaving "new customers" and "lost" empty.
 * The scores depend only on the values, not on their order or the
 * thread count.
 *
 * Segments follow the widely used R-F grid (the M score is reported but
 * does not move a customer between segments):
 *
 *   R \ F   1              2-3                 4-5
 *   5       new customers  potential loyalists champions
 *   4       promising      potential loyalists loyal customers
 *   3       about to sleep (F 1-2) / need attention (F 3) / loyal (F 4-5)
 *   1-2     lost (R1 F1),  at risk (F 3-4),    can't lose them (F 5)
 *           hibernating (other R1-2 F1-2)
 *
 * precisely, first match wins:
 *   champions        R5 F4-5       loyal customers  R3-4 F4-5
 *   potential loyal. R4-5 F2-3     new customers    R5 F1
 *   promising        R4 F1         need attention   R3 F3
 *   about to sleep   R3 F1-2       can't lose them  R1-2 F5
 *   at risk          R1-2 F3-4     lost             R1 F1
 *   hibernating      R1-2 F1-2 (the rest) */
#ifndef HORIZON_RFM_H
#define HORIZON_RFM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "horizon/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hz_rfm_segment {
    HZ_SEG_CHAMPIONS = 0,
    HZ_SEG_LOYAL,
    HZ_SEG_POTENTIAL_LOYALIST,
    HZ_SEG_NEW,
    HZ_SEG_PROMISING,
    HZ_SEG_NEED_ATTENTION,
    HZ_SEG_ABOUT_TO_SLEEP,
    HZ_SEG_AT_RISK,
    HZ_SEG_CANT_LOSE,
    HZ_SEG_HIBERNATING,
    HZ_SEG_LOST,
    HZ_SEG_COUNT
} hz_rfm_segment;

/* "champions", "loyal customers", ... ("?" when out of range). */
HZ_API const char *hz_rfm_segment_name(int s);

/* The rule table above. r, f in 1..5. */
HZ_API hz_rfm_segment hz_rfm_segment_of(int r, int f);

/* Quintile scores 1..5 of v[0..n) into out (see above); higher values
 * score higher unless higher_is_better is false. */
HZ_API hz_status hz_quintile_scores(const double *v, size_t n,
                                    bool higher_is_better, uint8_t *out,
                                    hz_error *err);

/* R, F, M scores and segments for n customers (outputs may be NULL
 * except as needed).  Errors: HZ_EINVAL on NaN or negative input. */
HZ_API hz_status hz_rfm_score(const double *recency_days,
                              const double *frequency, const double *monetary,
                              size_t n, uint8_t *r, uint8_t *f, uint8_t *m,
                              uint8_t *segment, hz_error *err);

/* Profile of one group of customers. */
typedef struct hz_segment_profile {
    size_t size;
    double share; /* size / n */
    double mean_recency;
    double mean_frequency;
    double mean_monetary;
    double revenue;       /* sum of monetary */
    double revenue_share; /* revenue / total revenue (0 if total 0) */
} hz_segment_profile;

/* Profiles of ngroups groups; group[i] in [0, ngroups). */
HZ_API hz_status hz_segment_profiles(const uint8_t *group,
                                     const int32_t *group32, size_t ngroups,
                                     const double *recency,
                                     const double *frequency,
                                     const double *monetary, size_t n,
                                     hz_segment_profile *out, hz_error *err);

#ifdef __cplusplus
}
#endif
#endif
