/* Internal: what the sample-data generators share (engine/data/gen*.c). */
#ifndef HZ_DATA_GEN_INTERNAL_H
#define HZ_DATA_GEN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <gsl/gsl_rng.h>

#include "horizon/gen.h"

extern const char *const hz__gen_regions[5];
extern const double hz__gen_region_w[5];
extern const char *const hz__gen_categories[6];
extern const double hz__gen_category_w[6];
extern const double hz__gen_category_price[6];
/* Month-of-year profile of each category (Jan..Dec), multiplicative. */
extern const double hz__gen_category_season[6][12];

/* Index drawn with probabilities w[0..n) (summing to 1). */
unsigned hz__gen_pick(const gsl_rng *r, const double *w, unsigned n);

/* Output buffer with fast integer / fixed-point formatting; err is set
 * when a write fails. */
typedef struct hz__obuf {
    char *b;
    size_t n, cap;
    FILE *f;
    int err;
} hz__obuf;

void hz__ob_flush(hz__obuf *o);
void hz__ob_str(hz__obuf *o, const char *s);
void hz__ob_ch(hz__obuf *o, char c);
/* v in decimal, zero-padded to width digits. */
void hz__ob_u64(hz__obuf *o, uint64_t v, int width);
/* Fixed point with two decimals (rounded to cents). */
void hz__ob_money(hz__obuf *o, double v);
/* YYYY-MM-DD of a day number. */
void hz__ob_day(hz__obuf *o, int32_t day);

/* The products kind (engine/data/gen_products.c). */
hz_status hz__gen_products(const hz_gen_options *opt, FILE *f, hz_error *err);

#endif
