/* Several seasons: what the default's MSTL path could do differently
 * (issue 16 item 1; README "Several seasons beside R's mstl, stlf and
 * tbats").  Variants of MSTL + a forecast of the seasonally adjusted
 * series, on taylor and on the generated hourly load of bench_multi
 * (the same cells by default) and on daily sales of 4.4 years (long
 * enough for the default's MSTL path), scored as bench_multi scores
 * them:
 *
 *   stlf        MSTL + auto-ETS (Horizon's `mstl`, equal to R's stlf)
 *   stlf-arima  MSTL + auto.arima (Horizon's `mstl-arima`, equal to R's
 *               stlf(method = "arima"))
 *   theta       MSTL (R's windows) + Theta: the default today
 *   ses         MSTL + SES (ETS(A,N,N), no drift)
 *   log         MSTL of log(y) + Theta, back-transformed
 *   periodic    MSTL with periodic seasonal windows + Theta
 *   choose-log  additive or log by the in-sample one-step MSE (original
 *               scale) of MSTL + Theta
 *   holdout     R's or periodic windows chosen on the last h values of
 *               the training part (decomposed without them, adjusted
 *               series forecast by its last value), then MSTL + SES
 *   guerrero-log  MSTL + Theta of log(y) when Guerrero's rule says so
 *               (hz_mstl_opts.log: the mean bias-adjusted as R's
 *               InvBoxCox(biasadj = TRUE)), else of y
 *   mean-theta-glog  the mean of theta and guerrero-log (bounds averaged)
 *   log-ses     MSTL of log(y) + SES, back-transformed (no bias adjustment)
 *   glog-ets    MSTL + auto-ETS of log(y) when Guerrero's rule says so
 *               (R's stlf(lambda = 0, biasadj = TRUE) when it does)
 *
 * usage: bench_multi_variants [SHARED_DATA_DIR] [--origins N]
 *                             [--series N] [--seed0 S] [--cells]
 *   --origins N  daily origins on taylor (default 7, as bench_multi)
 *   --series N   generated series a family (default 6, as bench_multi)
 *   --seed0 S    added to the seeds (default 0: bench_multi's hourly)
 *   --cells      also print each cell's MASE, a column a variant */
#include <getopt.h>

#include "bench_rolling.h"
#include "horizon/ets.h"
#include "horizon/mstl.h"
#include "horizon/theta.h"
#include "multi_gen.h"

enum { SA_THETA, SA_SES, SA_NAIVE };

typedef struct vspec {
    int log;      /* decompose log(y) */
    int periodic; /* seasonal windows 10 n + 1 (R's "periodic") */
    int sa;       /* SA_*: forecast of the adjusted series */
} vspec;

static const char *const VARIANTS[] = {
    "theta",   "ses",  "log",        "periodic",    "choose-log",
    "holdout", "stlf", "stlf-arima", "guerrero-log", "mean-theta-glog",
    "log-ses", "glog-ets"};
#define NVAR (sizeof VARIANTS / sizeof VARIANTS[0])

static hz_status sa_forecast(const double *sa, size_t n, int how,
                             hz_forecast *f)
{
    if (how == SA_THETA) {
        hz_theta_opts o;
        hz_theta_opts_init(&o);
        o.force_nonseasonal = true;
        return hz_theta_forecast(sa, n, 1, &o, f, NULL, NULL);
    }
    if (how == SA_SES) {
        hz_ets_opts o;
        hz_ets_opts_init(&o);
        o.error = HZ_ETS_A;
        o.trend = HZ_ETS_N;
        o.season = HZ_ETS_N;
        o.damped = 0;
        o.opt_crit = HZ_ETS_CRIT_MSE;
        return hz_ets_forecast(sa, n, 1, &o, f, NULL);
    }
    for (size_t j = 0; j < f->h; j++) {
        f->mean[j] = sa[n - 1];
        for (size_t k = 0; k < f->nlevels; k++)
            f->lower[k][j] = f->upper[k][j] = sa[n - 1];
    }
    return HZ_OK;
}

static double seasonal_at(const hz_mstl *d, size_t t)
{
    double s = 0;
    for (size_t k = 0; k < d->nseasons; k++)
        s += d->seasonal[k][t];
    return s;
}

/* The adjusted forecast plus the last cycle of each seasonal component,
 * back-transformed when log_scale. */
static void reseasonalise(const hz_mstl *d, size_t n, int log_scale,
                          hz_forecast *f)
{
    for (size_t j = 0; j < f->h; j++) {
        double last = 0;
        for (size_t k = 0; k < d->nseasons; k++) {
            size_t L = (size_t)d->period[k];
            last += d->seasonal[k][n - L + j % L];
        }
        double *v[5] = {&f->mean[j], &f->lower[0][j], &f->upper[0][j],
                        &f->lower[1][j], &f->upper[1][j]};
        for (size_t a = 0; a < 5; a++)
            *v[a] = log_scale ? exp(*v[a] + last) : *v[a] + last;
    }
}

/* MSTL variant v on y[0..n) into f; *mse1 (when not NULL): in-sample
 * one-step MSE of adjusted fit + seasonal, original scale. */
static hz_status mstl_variant(const double *y, size_t n, const hz_seasons *s,
                              const vspec *v, hz_forecast *f, double *mse1)
{
    double *buf = malloc(3 * n * sizeof *buf);
    if (buf == NULL)
        return HZ_ENOMEM;
    double *x = buf, *sa = buf + n, *fit = buf + 2 * n;
    for (size_t t = 0; t < n; t++)
        x[t] = v->log ? log(y[t]) : y[t];
    hz_mstl_opts mo;
    hz_mstl_opts_init(&mo);
    for (size_t k = 0; v->periodic && k < HZ_MAX_SEASONS; k++)
        mo.s_window[k] = 10 * (int)n + 1;
    hz_mstl d;
    hz_status st = hz_mstl_decompose(x, n, s, &mo, &d, NULL);
    if (st != HZ_OK) {
        free(buf);
        return st;
    }
    for (size_t t = 0; t < n; t++)
        sa[t] = d.trend[t] + d.remainder[t];
    f->fitted = mse1 != NULL ? fit : NULL;
    f->fitted_cap = mse1 != NULL ? n : 0;
    st = sa_forecast(sa, n, v->sa, f);
    f->fitted = NULL;
    f->fitted_cap = 0;
    if (st == HZ_OK && mse1 != NULL) {
        double sse = 0;
        for (size_t t = 1; t < n; t++) {
            double yf = fit[t] + seasonal_at(&d, t);
            yf = v->log ? exp(yf) : yf;
            sse += (y[t] - yf) * (y[t] - yf);
        }
        *mse1 = sse / (double)(n - 1);
    }
    if (st == HZ_OK)
        reseasonalise(&d, n, v->log, f);
    hz_mstl_free(&d);
    free(buf);
    return st;
}

/* Squared error over the last h values of y[0..n) of variant v fitted to
 * the values before them. */
static double holdout_sse(const double *y, size_t n, const hz_seasons *s,
                          const vspec *v, size_t h)
{
    const double lv[2] = {80, 95};
    hz_forecast *g = hz_forecast_alloc(h, 2, lv);
    double e = INFINITY;
    if (g != NULL && mstl_variant(y, n - h, s, v, g, NULL) == HZ_OK) {
        e = 0;
        for (size_t j = 0; j < h; j++)
            e += (y[n - h + j] - g->mean[j]) * (y[n - h + j] - g->mean[j]);
    }
    hz_forecast_free(g);
    return e;
}

/* Variant k on cell c into f; *picked: 1 when a choosing variant took
 * its alternative (log, periodic). */
static hz_status run_variant(const cell *c, size_t k, hz_forecast *f,
                             int *picked)
{
    const double *y = c->y;
    size_t n = c->ntr;
    const hz_seasons *s = &c->seasons;
    const vspec plain[4] = {
        {0, 0, SA_THETA}, {0, 0, SA_SES}, {1, 0, SA_THETA}, {0, 1, SA_THETA}};
    const vspec logses = {1, 0, SA_SES};
    *picked = 0;
    if (k < 4)
        return mstl_variant(y, n, s, &plain[k], f, NULL);
    if (k == 10)
        return mstl_variant(y, n, s, &logses, f, NULL);
    if (k == 9) {
        const double lv[2] = {80, 95};
        hz_forecast *g = hz_forecast_alloc(f->h, 2, lv);
        if (g == NULL)
            return HZ_ENOMEM;
        hz_mstl_opts o;
        hz_mstl_opts_init(&o);
        o.method = HZ_MSTL_THETA;
        o.log = 1;
        hz_status st = mstl_variant(y, n, s, &plain[0], g, NULL);
        if (st == HZ_OK)
            st = hz_mstl_forecast(y, n, s, &o, NULL, f, NULL);
        *picked = st == HZ_OK && strstr(f->method, "(log)") != NULL;
        for (size_t j = 0; st == HZ_OK && j < f->h; j++) {
            f->mean[j] = 0.5 * (f->mean[j] + g->mean[j]);
            for (size_t q = 0; q < 2; q++) {
                f->lower[q][j] = 0.5 * (f->lower[q][j] + g->lower[q][j]);
                f->upper[q][j] = 0.5 * (f->upper[q][j] + g->upper[q][j]);
            }
        }
        hz_forecast_free(g);
        return st;
    }
    if (k >= 6) {
        hz_mstl_opts o;
        hz_mstl_opts_init(&o);
        o.method = k == 6 || k == 11 ? HZ_MSTL_ETS
                   : k == 7          ? HZ_MSTL_ARIMA
                                     : HZ_MSTL_THETA;
        o.log = k == 8 || k == 11; /* Guerrero's choice, bias-adjusted */
        hz_status st = hz_mstl_forecast(y, n, s, &o, NULL, f, NULL);
        *picked = strstr(f->method, "(log)") != NULL;
        return st;
    }
    if (k == 4) {
        double m0, m1;
        hz_status st = mstl_variant(y, n, s, &plain[2], f, &m1);
        if (st == HZ_OK)
            st = mstl_variant(y, n, s, &plain[0], f, &m0);
        if (st == HZ_OK && (*picked = m1 < m0))
            st = mstl_variant(y, n, s, &plain[2], f, NULL);
        return st;
    }
    const vspec rw = {0, 0, SA_NAIVE}, per = {0, 1, SA_NAIVE};
    *picked = holdout_sse(y, n, s, &per, c->h) <
              holdout_sse(y, n, s, &rw, c->h);
    const vspec fin = {0, *picked, SA_SES};
    return mstl_variant(y, n, s, &fin, f, NULL);
}

static int print_cells;

static void run_cells(const char *name, const cell *cells, size_t nc)
{
    const double lv[2] = {80, 95};
    score sc[NVAR];
    size_t picks[NVAR] = {0};
    memset(sc, 0, sizeof sc);
    for (size_t i = 0; i < nc; i++)
        for (size_t k = 0; k < NVAR; k++) {
            hz_forecast *f = hz_forecast_alloc(cells[i].h, 2, lv);
            int picked = 0;
            double m0 = sc[k].mase;
            if (f != NULL && run_variant(&cells[i], k, f, &picked) == HZ_OK)
                score_add(&sc[k], &cells[i], f, 0);
            else
                sc[k].fails++;
            if (print_cells)
                printf("%s%.4f%s", k == 0 ? "  cell " : " ", sc[k].mase - m0,
                       k + 1 == NVAR ? "\n" : "");
            picks[k] += (size_t)picked;
            hz_forecast_free(f);
        }
    printf("\n%s: %zu cells\n", name, nc);
    score_header();
    for (size_t k = 0; k < NVAR; k++) {
        char nm[64];
        if (k == 4 || k == 5 || k == 8 || k == 9 || k == 11)
            snprintf(nm, sizeof nm, "%s (took %s %zu/%zu)", VARIANTS[k],
                     k == 5 ? "periodic" : "log", picks[k], nc);
        else
            snprintf(nm, sizeof nm, "%s", VARIANTS[k]);
        score_print(nm, &sc[k]);
    }
}

static void cut(cell *cells, size_t *nc, const double *y, size_t n,
                const hz_seasons *s, size_t h, size_t origins, int lag)
{
    for (size_t o = 0; o < origins; o++) {
        cell *c = &cells[(*nc)++];
        memset(c, 0, sizeof *c);
        c->y = y;
        c->ntr = n - h - (origins - 1 - o) * h;
        c->h = h;
        c->seasons = *s;
        c->mase_lag = lag;
    }
}

int main(int argc, char **argv)
{
    int origins = 7, nser = 6, seed0 = 0, c;
    static const struct option lo[] = {{"origins", required_argument, 0, 'o'},
                                       {"series", required_argument, 0, 's'},
                                       {"seed0", required_argument, 0, 'e'},
                                       {"cells", no_argument, 0, 'c'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
    while ((c = getopt_long(argc, argv, "o:s:e:ch", lo, NULL)) != -1) {
        switch (c) {
        case 'o': origins = atoi(optarg); break;
        case 's': nser = atoi(optarg); break;
        case 'e': seed0 = atoi(optarg); break;
        case 'c': print_cells = 1; break;
        default:
            printf("usage: bench_multi_variants [SHARED_DATA_DIR] "
                   "[--origins N] [--series N] [--seed0 S] [--cells]\n");
            return c == 'h' ? 0 : 2;
        }
    }
    if (origins < 1 || origins > 60 || nser < 1 || nser > 60 || seed0 < 0) {
        fprintf(stderr, "bench_multi_variants: --origins and --series take "
                        "1-60, --seed0 a non-negative number\n");
        return 2;
    }
    const char *dir = optind < argc ? argv[optind] : "../shared/data";
    static cell cells[60 * 7];
    static double ty[5000], load[60][24 * 7 * 8], sales[60][1600];
    size_t nc = 0, tn = load_taylor(dir, ty, 5000);
    const hz_seasons st = {2, {48, 336}}, sl = {2, {24, 168}},
                     sd = {2, {7, 365.25}};
    if (tn == 4032) {
        cut(cells, &nc, ty, tn, &st, 48, (size_t)origins, 48);
        run_cells("taylor (periods 48 and 336), h = 48", cells, nc);
    } else {
        printf("\ntaylor: SKIP (no %s/classic/classic_series.csv)\n", dir);
    }
    nc = 0;
    for (int i = 0; i < nser; i++) {
        gen_load(load[i], 24 * 7 * 8, 1000 + (uint64_t)i + (uint64_t)seed0);
        cut(cells, &nc, load[i], 24 * 7 * 8, &sl, 24, 7, 24);
    }
    run_cells("hourly load (periods 24 and 168), h = 24", cells, nc);
    nc = 0; /* 4.4 years: the default takes the MSTL path (n >= 4 x 365) */
    for (int i = 0; i < nser; i++) {
        gen_sales(sales[i], 1600, 2000 + (uint64_t)i + (uint64_t)seed0);
        cut(cells, &nc, sales[i], 1600, &sd, 28, 4, 7);
    }
    run_cells("daily sales (periods 7 and 365.25), 4.4 years, h = 28", cells,
              nc);
    return 0;
}
