/* Deterministic generator of realistic retail data (for demos, tests and
 * benchmarks): customers who sign up, buy at their own rate, churn; orders
 * with trend, yearly seasonality, promotions and noise.
 *
 * The same options and seed always produce the same bytes, and the sales
 * and customers files of one seed describe the same simulated customers. */
#ifndef HORIZON_GEN_H
#define HORIZON_GEN_H

#include <stdint.h>
#include <stdio.h>

#include "horizon/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hz_gen_kind {
    HZ_GEN_SALES = 0, /* order_id,order_date,customer_id,region,category,
                          product_id,quantity,unit_price,discount,revenue */
    HZ_GEN_CUSTOMERS, /* customer_id,signup_date,region,plan,tenure_months,
                          monthly_fee,orders_12m,spend_12m,
                          days_since_last_order,support_tickets,autopay,
                          churned */
    HZ_GEN_PRODUCTS   /* date,region,category,product_id,quantity,revenue:
                          daily demand of `products` SKUs, intermittent
                          for most (slow, lumpy, obsolete and new
                          products beside fast sellers); by region and
                          category it is a sales hierarchy */
} hz_gen_kind;

typedef struct hz_gen_options {
    hz_gen_kind kind;
    uint64_t rows; /* sales rows (orders) */
    uint64_t customers;
    unsigned months; /* length of the history */
    int start_year;  /* first month of the history */
    unsigned start_month;
    uint64_t seed;
    uint64_t products; /* products kind: SKUs (default 200) */
} hz_gen_options;

/* Defaults: 20000 rows, 2000 customers, 200 products, 36 months from
 * 2022-01, seed 42. */
HZ_API void hz_gen_options_init(hz_gen_options *o);
HZ_API hz_status hz_gen_write(const hz_gen_options *o, FILE *f, hz_error *err);

#ifdef __cplusplus
}
#endif
#endif
