/* Product-level demand for `horizon gen --kind products`: many SKUs whose
 * daily demand is realistically intermittent, with the region and
 * category columns that make a sales hierarchy (see include/horizon/gen.h).
 *
 * Each product has a type:
 *   fast (20%)      1 to 15 orders a day
 *   slow (45%)      0.02 to 0.3 orders a day: intermittent
 *   lumpy (20%)     0.01 to 0.08 orders a day of widely varying size
 *   obsolete (10%)  a slow or fast seller whose demand decays from a random
 *                   point in the last 40% of the history
 *   new (5%)        starts selling at a random month, ramping up
 * Demand follows its category's month-of-year profile (the sales kind's),
 * a weekly profile (weekends higher), its own trend and, for fast sellers,
 * promotions.  Order sizes are 1 + Poisson(0.6), lumpy ones negative
 * binomial.  Each order goes to a region by the regions' weights; one row
 * per (day, product, region) with demand. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "data/gen_internal.h"
#include "horizon/dataset.h"
#include "numeric/gsl_init.h"

enum { P_FAST, P_SLOW, P_LUMPY, P_OBSOLETE, P_NEW };

typedef struct product {
    int type;
    unsigned cat;
    double rate;   /* orders a day at the start */
    double growth; /* relative change a year */
    double decay0; /* obsolete: day demand starts to decay */
    double halflife;
    double start;   /* new: first day */
    double nb_mean; /* lumpy: mean order size */
    double price;
} product;

static int pick_type(const gsl_rng *r)
{
    double u = gsl_rng_uniform(r);
    return u < 0.20   ? P_FAST
           : u < 0.65 ? P_SLOW
           : u < 0.85 ? P_LUMPY
           : u < 0.95 ? P_OBSOLETE
                      : P_NEW;
}

static void make_product(const gsl_rng *r, product *p, double ndays)
{
    p->type = pick_type(r);
    p->cat = hz__gen_pick(r, hz__gen_category_w, 6);
    p->growth = gsl_ran_gaussian(r, 0.25);
    p->price = hz__gen_category_price[p->cat] *
               gsl_ran_lognormal(r, 0.0, 0.45);
    int slow = gsl_rng_uniform(r) < 0.6;
    switch (p->type) {
    case P_FAST:
        p->rate = exp(log(1.0) + log(15.0) * gsl_rng_uniform(r));
        break;
    case P_LUMPY:
        p->rate = 0.01 + 0.07 * gsl_rng_uniform(r);
        p->nb_mean = 8 + 32 * gsl_rng_uniform(r);
        break;
    case P_OBSOLETE:
        p->rate = slow ? 0.05 + 0.25 * gsl_rng_uniform(r)
                       : 1 + 5 * gsl_rng_uniform(r);
        p->decay0 = ndays * (0.6 + 0.35 * gsl_rng_uniform(r));
        p->halflife = 20 + 60 * gsl_rng_uniform(r);
        break;
    case P_NEW:
        p->rate = 0.1 + 2 * gsl_rng_uniform(r);
        p->start = ndays * (0.2 + 0.6 * gsl_rng_uniform(r));
        break;
    default: /* slow */
        p->rate = exp(log(0.02) + (log(0.3) - log(0.02)) * gsl_rng_uniform(r));
        break;
    }
}

/* Expected orders of product p on day d (0-based) in month-of-year moy,
 * weekday dow (0 = Monday). */
static double intensity(const product *p, double d, unsigned moy, unsigned dow,
                        int promo)
{
    static const double week[7] = {0.9, 0.9, 0.95, 1.0, 1.1, 1.3, 1.2};
    double lam = p->rate * hz__gen_category_season[p->cat][moy] * week[dow] *
                 exp(p->growth * d / 365.25);
    if (p->type == P_OBSOLETE && d > p->decay0)
        lam *= exp(-M_LN2 * (d - p->decay0) / p->halflife);
    if (p->type == P_NEW)
        lam = d < p->start ? 0 : lam * (1 - exp(-(d - p->start) / 30.0));
    if (p->type == P_FAST && promo)
        lam *= 1.4;
    return lam;
}

hz_status hz__gen_products(const hz_gen_options *opt, FILE *f, hz_error *err)
{
    size_t np = opt->products;
    if (np < 1 || np > 1000000)
        return hz_error_set(err, HZ_EINVAL,
                            "products must be in [1, 1000000]");
    int32_t day0 = hz_days_from_civil(opt->start_year, opt->start_month, 1);
    unsigned ey = (unsigned)opt->start_year +
                  (opt->start_month - 1 + opt->months) / 12;
    unsigned em = (opt->start_month - 1 + opt->months) % 12 + 1;
    int32_t day1 = hz_days_from_civil((int)ey, em, 1);
    hz_status st = HZ_OK;
    hz__gsl_init();
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    product *pr = calloc(np, sizeof *pr);
    hz__obuf ob = {malloc(1 << 20), 0, 1 << 20, f, 0};
    if (r == NULL || pr == NULL || ob.b == NULL) {
        st = hz_error_set(err, HZ_ENOMEM, "out of memory");
        goto out;
    }
    gsl_rng_set(r, (unsigned long)(opt->seed ^ 0x5851f42d4c957f2dULL));
    for (size_t i = 0; i < np; i++)
        make_product(r, &pr[i], (double)(day1 - day0));
    hz__ob_str(&ob, "date,region,category,product_id,quantity,revenue\n");
    for (int32_t day = day0; day < day1; day++) {
        int y;
        unsigned m, dd;
        hz_civil_from_days(day, &y, &m, &dd);
        unsigned dow = (unsigned)(((day % 7) + 7 + 3) %
                                  7); /* 1970-01-01: Thu */
        int promo = (((unsigned)y * 12 + m) * 2654435761u >> 7) % 7 == 0;
        for (size_t i = 0; i < np; i++) {
            const product *p = &pr[i];
            double lam = intensity(p, (double)(day - day0), m - 1, dow, promo);
            unsigned k = lam > 0 ? gsl_ran_poisson(r, lam) : 0;
            unsigned qty[5] = {0};
            for (unsigned o = 0; o < k; o++) {
                unsigned q = p->type == P_LUMPY
                                 ? 1 + gsl_ran_negative_binomial(
                                           r, 0.8 / (0.8 + p->nb_mean), 0.8)
                                 : 1 + gsl_ran_poisson(r, 0.6);
                qty[hz__gen_pick(r, hz__gen_region_w, 5)] += q;
            }
            for (unsigned g = 0; g < 5; g++) {
                if (qty[g] == 0)
                    continue;
                hz__ob_day(&ob, day);
                hz__ob_ch(&ob, ',');
                hz__ob_str(&ob, hz__gen_regions[g]);
                hz__ob_ch(&ob, ',');
                hz__ob_str(&ob, hz__gen_categories[p->cat]);
                hz__ob_str(&ob, ",SKU");
                hz__ob_u64(&ob, i + 1, 5);
                hz__ob_ch(&ob, ',');
                hz__ob_u64(&ob, qty[g], 1);
                hz__ob_ch(&ob, ',');
                hz__ob_money(&ob, qty[g] * p->price);
                hz__ob_ch(&ob, '\n');
            }
        }
    }
    hz__ob_flush(&ob);
    if (ob.err || fflush(f) != 0)
        st = hz_error_set(err, HZ_EIO, "could not write generated data");
out:
    free(ob.b);
    free(pr);
    if (r != NULL)
        gsl_rng_free(r);
    return st;
}
