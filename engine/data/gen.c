/* Retail data generator.  See include/horizon/gen.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "data/gen_internal.h"
#include "horizon/dataset.h"
#include "horizon/gen.h"
#include "numeric/gsl_init.h"

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

/* The generator's state, shared by the steps of hz_gen_write.  Every
 * step draws from rng in a fixed order: the same seed gives the same
 * bytes. */
typedef struct gen {
    const hz_gen_options *opt;
    unsigned M; /* months */
    size_t C;   /* customers */
    gsl_rng *rng;
    customer *cu;    /* [C] */
    double *mw;      /* [M] order weight of each month */
    uint64_t *mrows; /* [M] orders of each month (summing to opt->rows) */
    double *cum;     /* [C] cumulative purchase rates of active customers */
    uint32_t *idx;   /* [C] their indices */
    unsigned char *promo; /* [M] promotion months */
    int32_t *month_day;   /* [M + 1] first day of each month */
    double prices[6][NPRODUCTS];
    order *ord; /* one month's orders */
    hz__obuf ob;
} gen;

/* Month starts, product prices and promotion months. */
static void gen_calendar(gen *g)
{
    const hz_gen_options *opt = g->opt;
    for (unsigned m = 0; m <= g->M; m++) {
        unsigned mm = (opt->start_month - 1 + m) % 12 + 1;
        int yy = opt->start_year + (int)((opt->start_month - 1 + m) / 12);
        g->month_day[m] = hz_days_from_civil(yy, mm, 1);
    }
    for (unsigned k = 0; k < 6; k++)
        for (unsigned p = 0; p < NPRODUCTS; p++)
            g->prices[k][p] = hz__gen_category_price[k] *
                              gsl_ran_lognormal(g->rng, 0.0, 0.45);
    for (unsigned m = 0; m < g->M; m++)
        g->promo[m] = gsl_rng_uniform(g->rng) < 0.15;
}

/* Customers: a third already there, the rest arrive over time with
 * growth; each buys at a gamma-distributed rate and churns with a
 * beta-distributed monthly hazard (lower rates churn more). */
static void gen_customers(gen *g)
{
    const unsigned M = g->M;
    gsl_rng *rng = g->rng;
    for (size_t c = 0; c < g->C; c++) {
        customer *x = &g->cu[c];
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
        x->signup_day = g->month_day[x->signup] +
                        (int32_t)gsl_rng_uniform_int(rng, 28);
        x->last_day = INT32_MIN;
    }
}

/* Orders per month: active purchase intensity x seasonality x trend x
 * promotions x noise, scaled so that they add up to exactly rows. */
static void gen_month_rows(gen *g)
{
    const unsigned M = g->M;
    if (M == 0) /* checked by check_options */
        return;
    double total = 0;
    for (unsigned m = 0; m < M; m++) {
        double act = 0;
        for (size_t c = 0; c < g->C; c++)
            if (g->cu[c].signup <= m && g->cu[c].churn > m)
                act += g->cu[c].rate;
        unsigned moy = (g->opt->start_month - 1 + m) % 12;
        double season = 0;
        for (unsigned k = 0; k < 6; k++)
            season += hz__gen_category_w[k] * hz__gen_category_season[k][moy];
        g->mw[m] = act * season * (1.0 + 0.01 * m) *
                   (g->promo[m] ? 1.25 : 1.0) *
                   exp(gsl_ran_gaussian(g->rng, 0.05));
        total += g->mw[m];
    }
    uint64_t assigned = 0;
    for (unsigned m = 0; m < M; m++) {
        double want = total > 0 ? (double)g->opt->rows * g->mw[m] / total : 0;
        g->mrows[m] = (uint64_t)floor(want);
        assigned += g->mrows[m];
    }
    for (unsigned m = 0; assigned < g->opt->rows; m = (m + 1) % M) {
        if (g->mw[m] > 0 || total == 0) {
            g->mrows[m]++;
            assigned++;
        }
    }
}

/* Month m's orders into g->ord: a customer drawn by purchase rate among
 * the active ones and a day of the month (not before the signup), then
 * stably sorted by day.  HZ_ENOMEM or HZ_OK. */
static hz_status draw_month_orders(gen *g, unsigned m)
{
    size_t na = 0;
    double acc = 0;
    for (size_t c = 0; c < g->C; c++)
        if (g->cu[c].signup <= m && g->cu[c].churn > m) {
            acc += g->cu[c].rate;
            g->cum[na] = acc;
            g->idx[na++] = (uint32_t)c;
        }
    int32_t d0 = g->month_day[m], nd = g->month_day[m + 1] - g->month_day[m];
    order *ord = g->ord;
    const uint64_t n = g->mrows[m];
    for (uint64_t k = 0; k < n; k++) {
        double u = gsl_rng_uniform(g->rng) * acc;
        size_t lo = 0, hi = na ? na - 1 : 0;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (g->cum[mid] > u)
                hi = mid;
            else
                lo = mid + 1;
        }
        ord[k].cust = na ? g->idx[lo] : 0;
        ord[k].day = d0 +
                     (int32_t)gsl_rng_uniform_int(g->rng, (unsigned long)nd);
        const customer *x = &g->cu[ord[k].cust];
        if (ord[k].day < x->signup_day)
            ord[k].day = x->signup_day < d0 + nd ? x->signup_day : d0 + nd - 1;
    }
    /* Stable order by day: counting sort keeps generation order. */
    size_t cnt[32] = {0};
    for (uint64_t k = 0; k < n; k++)
        cnt[ord[k].day - d0 + 1]++;
    for (int d = 1; d < 32; d++)
        cnt[d] += cnt[d - 1];
    order *tmp = malloc((n ? n : 1) * sizeof *tmp);
    if (tmp == NULL)
        return HZ_ENOMEM;
    for (uint64_t k = 0; k < n; k++)
        tmp[cnt[ord[k].day - d0]++] = ord[k];
    memcpy(ord, tmp, n * sizeof *ord);
    free(tmp);
    return HZ_OK;
}

static void write_sales_row(gen *g, uint64_t order_id, const order *o,
                            unsigned cat, unsigned prod, unsigned qty,
                            double price, double disc, double revenue)
{
    hz__obuf *ob = &g->ob;
    hz__ob_u64(ob, order_id, 1);
    hz__ob_ch(ob, ',');
    hz__ob_day(ob, o->day);
    hz__ob_str(ob, ",C");
    hz__ob_u64(ob, o->cust + 1, 6);
    hz__ob_ch(ob, ',');
    hz__ob_str(ob, hz__gen_regions[g->cu[o->cust].region]);
    hz__ob_ch(ob, ',');
    hz__ob_str(ob, hz__gen_categories[cat]);
    hz__ob_str(ob, ",P");
    hz__ob_u64(ob, cat * 100 + prod + 1, 4);
    hz__ob_ch(ob, ',');
    hz__ob_u64(ob, qty, 1);
    hz__ob_ch(ob, ',');
    hz__ob_money(ob, price);
    hz__ob_ch(ob, ',');
    hz__ob_money(ob, disc);
    hz__ob_ch(ob, ',');
    hz__ob_money(ob, revenue);
    hz__ob_ch(ob, '\n');
}

/* Month m's orders: category, product, quantity, price and discount of
 * each; the customers' 12-month counts; the sales rows (sales kind). */
static void write_month_orders(gen *g, unsigned m, uint64_t *order_id)
{
    const unsigned moy = (g->opt->start_month - 1 + m) % 12;
    const int32_t end_day = g->month_day[g->M];
    gsl_rng *rng = g->rng;
    for (uint64_t k = 0; k < g->mrows[m]; k++) {
        const order *o = &g->ord[k];
        customer *x = &g->cu[o->cust];
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
        double price = g->prices[cat][prod] * x->spend *
                       (1.0 + 0.03 * gsl_ran_gaussian(rng, 1.0));
        if (price < 0.5)
            price = 0.5;
        price = llround(price * 100.0) / 100.0;
        double disc = 0;
        if (g->promo[m])
            disc = 0.05 * (double)(2 + gsl_rng_uniform_int(rng, 5));
        else if (gsl_rng_uniform(rng) < 0.05)
            disc = 0.05;
        double revenue = llround(qty * price * (1.0 - disc) * 100.0) / 100.0;
        if (o->day > x->last_day)
            x->last_day = o->day;
        if (o->day >= end_day - 365) {
            x->orders_12m++;
            x->spend_12m += revenue;
        }
        if (g->opt->kind == HZ_GEN_SALES)
            write_sales_row(g, (*order_id)++, o, cat, prod, qty, price, disc,
                            revenue);
    }
}

/* One row per customer with a churn label (customers kind). */
static void write_customers(gen *g)
{
    hz__obuf *ob = &g->ob;
    const unsigned M = g->M;
    const int32_t end_day = g->month_day[M];
    hz__ob_str(ob, "customer_id,signup_date,region,plan,tenure_months,"
                   "monthly_fee,orders_12m,spend_12m,days_since_last_order,"
                   "support_tickets,autopay,churned\n");
    for (size_t c = 0; c < g->C; c++) {
        const customer *x = &g->cu[c];
        bool churned = x->churn < M;
        unsigned until = churned ? x->churn : M;
        unsigned tenure = until > x->signup ? until - x->signup : 0;
        /* Tickets and autopay carry signal about the churn hazard. */
        unsigned tickets = gsl_ran_poisson(g->rng, 0.4 + 25.0 * x->hazard);
        bool autopay = gsl_rng_uniform(g->rng) <
                       0.85 - 4.0 * x->hazard - (churned ? 0.1 : 0.0);
        hz__ob_str(ob, "C");
        hz__ob_u64(ob, c + 1, 6);
        hz__ob_ch(ob, ',');
        hz__ob_day(ob, x->signup_day);
        hz__ob_ch(ob, ',');
        hz__ob_str(ob, hz__gen_regions[x->region]);
        hz__ob_ch(ob, ',');
        hz__ob_str(ob, plans[x->plan]);
        hz__ob_ch(ob, ',');
        hz__ob_u64(ob, tenure, 1);
        hz__ob_ch(ob, ',');
        hz__ob_money(ob, plan_fee[x->plan]);
        hz__ob_ch(ob, ',');
        hz__ob_u64(ob, x->orders_12m, 1);
        hz__ob_ch(ob, ',');
        hz__ob_money(ob, x->spend_12m);
        hz__ob_ch(ob, ',');
        if (x->last_day != INT32_MIN)
            hz__ob_u64(ob, (uint64_t)(end_day - x->last_day), 1);
        hz__ob_ch(ob, ',');
        hz__ob_u64(ob, tickets, 1);
        hz__ob_str(ob, autopay ? ",Yes," : ",No,");
        hz__ob_str(ob, churned ? "Yes\n" : "No\n");
    }
}

static hz_status check_options(const hz_gen_options *opt, hz_error *err)
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
    return HZ_OK;
}

static void gen_free(gen *g)
{
    free(g->ob.b);
    free(g->ord);
    free(g->month_day);
    free(g->promo);
    free(g->idx);
    free(g->cum);
    free(g->mrows);
    free(g->mw);
    free(g->cu);
    if (g->rng)
        gsl_rng_free(g->rng);
}

hz_status hz_gen_write(const hz_gen_options *opt, FILE *f, hz_error *err)
{
    hz_status st = check_options(opt, err);
    if (st != HZ_OK)
        return st;
    if (opt->kind == HZ_GEN_PRODUCTS)
        return hz__gen_products(opt, f, err);
    gen g = {opt, opt->months, (size_t)opt->customers};
    const unsigned M = g.M;
    const size_t C = g.C;
    hz__gsl_init();
    g.rng = gsl_rng_alloc(gsl_rng_mt19937);
    g.cu = calloc(C, sizeof *g.cu);
    g.mw = calloc(M, sizeof *g.mw);
    g.mrows = calloc(M, sizeof *g.mrows);
    g.cum = malloc(C * sizeof *g.cum);
    g.idx = malloc(C * sizeof *g.idx);
    g.promo = calloc(M, 1);
    g.month_day = malloc((M + 1) * sizeof *g.month_day);
    g.ob = (hz__obuf){malloc(1 << 20), 0, 1 << 20, f, 0};
    if (!g.rng || !g.cu || !g.mw || !g.mrows || !g.cum || !g.idx || !g.promo ||
        !g.month_day || !g.ob.b)
        goto nomem;
    gsl_rng_set(g.rng, (unsigned long)(opt->seed ^ 0x9e3779b97f4a7c15ULL));
    gen_calendar(&g);
    gen_customers(&g);
    gen_month_rows(&g);
    if (opt->kind == HZ_GEN_SALES)
        hz__ob_str(&g.ob, "order_id,order_date,customer_id,region,category,"
                          "product_id,quantity,unit_price,discount,revenue\n");
    uint64_t maxrows = 0;
    for (unsigned m = 0; m < M; m++)
        if (g.mrows[m] > maxrows)
            maxrows = g.mrows[m];
    g.ord = malloc((maxrows ? maxrows : 1) * sizeof *g.ord);
    if (g.ord == NULL)
        goto nomem;
    uint64_t order_id = 100001;
    for (unsigned m = 0; m < M; m++) {
        if (draw_month_orders(&g, m) != HZ_OK)
            goto nomem;
        write_month_orders(&g, m, &order_id);
    }
    if (opt->kind == HZ_GEN_CUSTOMERS)
        write_customers(&g);
    hz__ob_flush(&g.ob);
    if (g.ob.err || fflush(f) != 0)
        st = hz_error_set(err, HZ_EIO, "could not write generated data");
    gen_free(&g);
    return st;
nomem:
    gen_free(&g);
    return hz_error_set(err, HZ_ENOMEM, "out of memory");
}
