/* Retail data generator.  See include/horizon/gen.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "data/gen_internal.h"
#include "horizon/dataset.h"
#include "horizon/gen.h"

const char *const hz__gen_regions[5] = {"North", "South", "East", "West",
                                        "Central"};
const double hz__gen_region_w[5] = {0.26, 0.22, 0.19, 0.19, 0.14};
const char *const hz__gen_categories[6] = {"Electronics", "Home",   "Apparel",
                                           "Grocery",     "Sports", "Toys"};
const double hz__gen_category_w[6] = {0.14, 0.18, 0.20, 0.26, 0.12, 0.10};
const double hz__gen_category_price[6] = {180.0, 45.0, 38.0, 9.0, 55.0, 24.0};
/* Month-of-year profile of each category (Jan..Dec), multiplicative. */
const double hz__gen_category_season[6][12] = {
    {0.85, 0.80, 0.85, 0.85, 0.90, 0.90, 0.90, 0.95, 0.95, 1.00, 1.35, 1.70},
    {0.90, 0.90, 1.00, 1.05, 1.10, 1.05, 1.00, 1.00, 0.95, 0.95, 1.00, 1.10},
    {0.80, 0.80, 0.95, 1.00, 1.05, 1.00, 0.95, 1.10, 1.05, 1.00, 1.10, 1.20},
    {1.00, 0.95, 1.00, 1.00, 1.00, 0.98, 0.98, 1.00, 0.98, 1.00, 1.02, 1.10},
    {0.75, 0.80, 0.95, 1.10, 1.25, 1.35, 1.30, 1.15, 0.95, 0.85, 0.80, 0.90},
    {0.70, 0.65, 0.70, 0.75, 0.75, 0.75, 0.80, 0.80, 0.85, 1.00, 1.50, 2.40}};
static const char *plans[] = {"Basic", "Standard", "Premium"};
static const double plan_fee[] = {9.99, 19.99, 39.99};

#define NPRODUCTS 40

typedef struct customer {
    unsigned signup; /* month index */
    unsigned churn;  /* month index of churn (>= months: active) */
    double rate;     /* relative purchase rate */
    double hazard;   /* monthly churn hazard */
    double spend;    /* spending level multiplier */
    unsigned region, plan;
    /* aggregates for the customers file */
    uint32_t orders_12m;
    double spend_12m;
    int32_t last_day, signup_day;
} customer;

typedef struct order {
    int32_t day;
    uint32_t cust;
} order;

void hz_gen_options_init(hz_gen_options *o)
{
    memset(o, 0, sizeof *o);
    o->kind = HZ_GEN_SALES;
    o->rows = 20000;
    o->customers = 2000;
    o->months = 36;
    o->start_year = 2022;
    o->start_month = 1;
    o->seed = 42;
    o->products = 200;
}

unsigned hz__gen_pick(const gsl_rng *r, const double *w, unsigned n)
{
    double u = gsl_rng_uniform(r), acc = 0;
    for (unsigned k = 0; k < n; k++) {
        acc += w[k];
        if (u < acc)
            return k;
    }
    return n - 1;
}

static int cmp_order(const void *a, const void *b)
{
    const order *x = a, *y = b;
    if (x->day != y->day)
        return x->day < y->day ? -1 : 1;
    return 0; /* qsort is not stable: ties keep generation order below */
}

void hz__ob_flush(hz__obuf *o)
{
    if (o->n && fwrite(o->b, 1, o->n, o->f) != o->n)
        o->err = 1;
    o->n = 0;
}

void hz__ob_str(hz__obuf *o, const char *s)
{
    size_t l = strlen(s);
    if (o->n + l + 64 > o->cap)
        hz__ob_flush(o);
    memcpy(o->b + o->n, s, l);
    o->n += l;
}

void hz__ob_ch(hz__obuf *o, char c)
{
    if (o->n + 64 > o->cap)
        hz__ob_flush(o);
    o->b[o->n++] = c;
}

void hz__ob_u64(hz__obuf *o, uint64_t v, int width)
{
    char t[24];
    int k = 0;
    do {
        t[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (k < width)
        t[k++] = '0';
    if (o->n + 64 > o->cap)
        hz__ob_flush(o);
    while (k)
        o->b[o->n++] = t[--k];
}

/* Fixed point with two decimals (value rounded to cents). */
void hz__ob_money(hz__obuf *o, double v)
{
    long long c = llround(v * 100.0);
    if (c < 0) {
        hz__ob_ch(o, '-');
        c = -c;
    }
    hz__ob_u64(o, (uint64_t)(c / 100), 1);
    hz__ob_ch(o, '.');
    hz__ob_u64(o, (uint64_t)(c % 100), 2);
}

void hz__ob_day(hz__obuf *o, int32_t day)
{
    char d[16];
    hz__ob_str(o, hz_format_day(day, d));
}

hz_status hz_gen_write(const hz_gen_options *opt, FILE *f, hz_error *err)
{
    if (opt->months < 1 || opt->months > 1200)
        return hz_error_set(err, HZ_EINVAL, "months must be in [1, 1200]");
    if (opt->customers < 1 || opt->customers > 100000000)
        return hz_error_set(err, HZ_EINVAL,
                            "customers must be in [1, 100000000]");
    if (opt->rows > 2000000000ULL)
        return hz_error_set(err, HZ_EINVAL, "rows must be at most 2e9");
    if (opt->start_month < 1 || opt->start_month > 12)
        return hz_error_set(err, HZ_EINVAL, "start month must be in [1, 12]");
    if (opt->kind == HZ_GEN_PRODUCTS)
        return hz__gen_products(opt, f, err);

    hz_status st = HZ_OK;
    const unsigned M = opt->months;
    const size_t C = (size_t)opt->customers;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    customer *cu = calloc(C, sizeof *cu);
    double *mw = calloc(M, sizeof *mw);
    uint64_t *mrows = calloc(M, sizeof *mrows);
    double *cum = malloc(C * sizeof *cum);
    uint32_t *idx = malloc(C * sizeof *idx);
    unsigned char *promo = calloc(M, 1);
    int32_t *month_day = malloc((M + 1) * sizeof *month_day);
    double prices[6][NPRODUCTS];
    hz__obuf ob = {malloc(1 << 20), 0, 1 << 20, f, 0};
    order *ord = NULL;
    if (!rng || !cu || !mw || !mrows || !cum || !idx || !promo || !month_day ||
        !ob.b) {
        st = hz_error_set(err, HZ_ENOMEM, "out of memory");
        goto out;
    }
    gsl_rng_set(rng, (unsigned long)(opt->seed ^ 0x9e3779b97f4a7c15ULL));

    for (unsigned m = 0; m <= M; m++) {
        unsigned mm = (opt->start_month - 1 + m) % 12 + 1;
        int yy = opt->start_year + (int)((opt->start_month - 1 + m) / 12);
        month_day[m] = hz_days_from_civil(yy, mm, 1);
    }
    for (unsigned k = 0; k < 6; k++)
        for (unsigned p = 0; p < NPRODUCTS; p++)
            prices[k][p] = hz__gen_category_price[k] *
                           gsl_ran_lognormal(rng, 0.0, 0.45);
    for (unsigned m = 0; m < M; m++)
        promo[m] = gsl_rng_uniform(rng) < 0.15;

    /* Customers: a third already there, the rest arrive over time with
     * growth; each buys at a gamma-distributed rate and churns with a
     * beta-distributed monthly hazard (lower rates churn more). */
    for (size_t c = 0; c < C; c++) {
        customer *x = &cu[c];
        if (gsl_rng_uniform(rng) < 0.35)
            x->signup = 0;
        else
            x->signup = (unsigned)(M * sqrt(gsl_rng_uniform(rng)));
        if (x->signup >= M)
            x->signup = M - 1;
        x->rate = gsl_ran_gamma(rng, 1.3, 1.0);
        x->hazard = gsl_ran_beta(rng, 1.4, 40.0) * (1.6 / (0.6 + x->rate));
        if (x->hazard > 0.9)
            x->hazard = 0.9;
        unsigned life = gsl_ran_geometric(rng, x->hazard);
        x->churn = x->signup + life;
        x->spend = gsl_ran_lognormal(rng, 0.0, 0.35);
        x->region = hz__gen_pick(rng, hz__gen_region_w, 5);
        x->plan = hz__gen_pick(rng, (const double[]){0.5, 0.35, 0.15}, 3);
        x->signup_day = month_day[x->signup] +
                        (int32_t)gsl_rng_uniform_int(rng, 28);
        x->last_day = INT32_MIN;
    }

    /* Orders per month: active purchase intensity x seasonality x trend x
     * promotions x noise, scaled so that they add up to exactly rows. */
    double total = 0;
    for (unsigned m = 0; m < M; m++) {
        double act = 0;
        for (size_t c = 0; c < C; c++)
            if (cu[c].signup <= m && cu[c].churn > m)
                act += cu[c].rate;
        unsigned moy = (opt->start_month - 1 + m) % 12;
        double season = 0;
        for (unsigned k = 0; k < 6; k++)
            season += hz__gen_category_w[k] * hz__gen_category_season[k][moy];
        mw[m] = act * season * (1.0 + 0.01 * m) * (promo[m] ? 1.25 : 1.0) *
                exp(gsl_ran_gaussian(rng, 0.05));
        total += mw[m];
    }
    uint64_t assigned = 0;
    for (unsigned m = 0; m < M; m++) {
        double want = total > 0 ? (double)opt->rows * mw[m] / total : 0;
        mrows[m] = (uint64_t)floor(want);
        assigned += mrows[m];
    }
    for (unsigned m = 0; assigned < opt->rows; m = (m + 1) % M) {
        if (mw[m] > 0 || total == 0) {
            mrows[m]++;
            assigned++;
        }
    }

    if (opt->kind == HZ_GEN_SALES)
        hz__ob_str(&ob, "order_id,order_date,customer_id,region,category,"
                        "product_id,quantity,unit_price,discount,revenue\n");
    uint64_t order_id = 100001;
    uint64_t maxrows = 0;
    for (unsigned m = 0; m < M; m++)
        if (mrows[m] > maxrows)
            maxrows = mrows[m];
    ord = malloc((maxrows ? maxrows : 1) * sizeof *ord);
    if (ord == NULL) {
        st = hz_error_set(err, HZ_ENOMEM, "out of memory");
        goto out;
    }
    const int32_t end_day = month_day[M];
    for (unsigned m = 0; m < M; m++) {
        size_t na = 0;
        double acc = 0;
        for (size_t c = 0; c < C; c++)
            if (cu[c].signup <= m && cu[c].churn > m) {
                acc += cu[c].rate;
                cum[na] = acc;
                idx[na++] = (uint32_t)c;
            }
        int32_t d0 = month_day[m], nd = month_day[m + 1] - month_day[m];
        unsigned moy = (opt->start_month - 1 + m) % 12;
        for (uint64_t k = 0; k < mrows[m]; k++) {
            double u = gsl_rng_uniform(rng) * acc;
            size_t lo = 0, hi = na ? na - 1 : 0;
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (cum[mid] > u)
                    hi = mid;
                else
                    lo = mid + 1;
            }
            ord[k].cust = na ? idx[lo] : 0;
            ord[k].day = d0 +
                         (int32_t)gsl_rng_uniform_int(rng, (unsigned long)nd);
            if (ord[k].day < cu[ord[k].cust].signup_day)
                ord[k].day = cu[ord[k].cust].signup_day < d0 + nd
                                 ? cu[ord[k].cust].signup_day
                                 : d0 + nd - 1;
        }
        /* Stable order by day: counting sort keeps generation order. */
        {
            size_t cnt[32] = {0};
            for (uint64_t k = 0; k < mrows[m]; k++)
                cnt[ord[k].day - d0 + 1]++;
            for (int d = 1; d < 32; d++)
                cnt[d] += cnt[d - 1];
            order *tmp = malloc((mrows[m] ? mrows[m] : 1) * sizeof *tmp);
            if (tmp == NULL) {
                st = hz_error_set(err, HZ_ENOMEM, "out of memory");
                goto out;
            }
            for (uint64_t k = 0; k < mrows[m]; k++)
                tmp[cnt[ord[k].day - d0]++] = ord[k];
            memcpy(ord, tmp, mrows[m] * sizeof *ord);
            free(tmp);
        }
        (void)cmp_order;
        for (uint64_t k = 0; k < mrows[m]; k++) {
            customer *x = &cu[ord[k].cust];
            double cw[6];
            double s = 0;
            for (unsigned c = 0; c < 6; c++)
                s += cw[c] = hz__gen_category_w[c] *
                             hz__gen_category_season[c][moy];
            for (unsigned c = 0; c < 6; c++)
                cw[c] /= s;
            unsigned cat = hz__gen_pick(rng, cw, 6);
            unsigned prod = (unsigned)gsl_rng_uniform_int(rng, NPRODUCTS);
            unsigned qty = 1 + gsl_ran_poisson(rng, 0.6);
            double price = prices[cat][prod] * x->spend *
                           (1.0 + 0.03 * gsl_ran_gaussian(rng, 1.0));
            if (price < 0.5)
                price = 0.5;
            price = llround(price * 100.0) / 100.0;
            double disc = 0;
            if (promo[m])
                disc = 0.05 * (double)(2 + gsl_rng_uniform_int(rng, 5));
            else if (gsl_rng_uniform(rng) < 0.05)
                disc = 0.05;
            double revenue = llround(qty * price * (1.0 - disc) * 100.0) /
                             100.0;
            if (ord[k].day > x->last_day)
                x->last_day = ord[k].day;
            if (ord[k].day >= end_day - 365) {
                x->orders_12m++;
                x->spend_12m += revenue;
            }
            if (opt->kind != HZ_GEN_SALES)
                continue;
            hz__ob_u64(&ob, order_id++, 1);
            hz__ob_ch(&ob, ',');
            hz__ob_day(&ob, ord[k].day);
            hz__ob_str(&ob, ",C");
            hz__ob_u64(&ob, ord[k].cust + 1, 6);
            hz__ob_ch(&ob, ',');
            hz__ob_str(&ob, hz__gen_regions[x->region]);
            hz__ob_ch(&ob, ',');
            hz__ob_str(&ob, hz__gen_categories[cat]);
            hz__ob_str(&ob, ",P");
            hz__ob_u64(&ob, cat * 100 + prod + 1, 4);
            hz__ob_ch(&ob, ',');
            hz__ob_u64(&ob, qty, 1);
            hz__ob_ch(&ob, ',');
            hz__ob_money(&ob, price);
            hz__ob_ch(&ob, ',');
            hz__ob_money(&ob, disc);
            hz__ob_ch(&ob, ',');
            hz__ob_money(&ob, revenue);
            hz__ob_ch(&ob, '\n');
        }
    }
    if (opt->kind == HZ_GEN_CUSTOMERS) {
        hz__ob_str(&ob,
                   "customer_id,signup_date,region,plan,tenure_months,"
                   "monthly_fee,orders_12m,spend_12m,days_since_last_order,"
                   "support_tickets,autopay,churned\n");
        for (size_t c = 0; c < C; c++) {
            customer *x = &cu[c];
            bool churned = x->churn < M;
            unsigned until = churned ? x->churn : M;
            unsigned tenure = until > x->signup ? until - x->signup : 0;
            /* Tickets and autopay carry signal about the churn hazard. */
            unsigned tickets = gsl_ran_poisson(rng, 0.4 + 25.0 * x->hazard);
            bool autopay = gsl_rng_uniform(rng) <
                           0.85 - 4.0 * x->hazard - (churned ? 0.1 : 0.0);
            hz__ob_str(&ob, "C");
            hz__ob_u64(&ob, c + 1, 6);
            hz__ob_ch(&ob, ',');
            hz__ob_day(&ob, x->signup_day);
            hz__ob_ch(&ob, ',');
            hz__ob_str(&ob, hz__gen_regions[x->region]);
            hz__ob_ch(&ob, ',');
            hz__ob_str(&ob, plans[x->plan]);
            hz__ob_ch(&ob, ',');
            hz__ob_u64(&ob, tenure, 1);
            hz__ob_ch(&ob, ',');
            hz__ob_money(&ob, plan_fee[x->plan]);
            hz__ob_ch(&ob, ',');
            hz__ob_u64(&ob, x->orders_12m, 1);
            hz__ob_ch(&ob, ',');
            hz__ob_money(&ob, x->spend_12m);
            hz__ob_ch(&ob, ',');
            if (x->last_day != INT32_MIN)
                hz__ob_u64(&ob, (uint64_t)(end_day - x->last_day), 1);
            hz__ob_ch(&ob, ',');
            hz__ob_u64(&ob, tickets, 1);
            hz__ob_str(&ob, autopay ? ",Yes," : ",No,");
            hz__ob_str(&ob, churned ? "Yes\n" : "No\n");
        }
    }
    hz__ob_flush(&ob);
    if (ob.err || fflush(f) != 0)
        st = hz_error_set(err, HZ_EIO, "could not write generated data");
out:
    free(ob.b);
    free(ord);
    free(month_day);
    free(promo);
    free(idx);
    free(cum);
    free(mrows);
    free(mw);
    free(cu);
    if (rng)
        gsl_rng_free(rng);
    return st;
}
