/* Hierarchies that add up: a rolling-origin backtest on generated
 * hierarchical sales (`horizon gen`: total, 5 regions, 30 region x
 * category series), the default model's base forecasts of every node
 * against their reconciliations (bu, td, ols, wls, mint): MASE, RMSSE and
 * 95% coverage per level.  Reconciled forecasts should be at least as
 * accurate as the base ones at every level.
 *
 * usage: bench_hier [--origins K] [--horizon H] [--rows N] */
#include <getopt.h>

#include "bench_rolling.h"
#include "horizon/csv.h"
#include "horizon/ets.h"
#include "horizon/gen.h"
#include "horizon/reconcile.h"
#include "horizon/series.h"

typedef struct hier {
    size_t m, nb, n;
    int level[64];
    double *y[64];
    double S[64 * 32];
} hier;

/* total, regions, region x category of a generated sales file (monthly). */
static int build(hier *H, const hz_gen_options *go, hz_freq freq,
                 const char *date, const char *value)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL || hz_gen_write(go, f, NULL) != HZ_OK || fclose(f) != 0)
        return -1;
    hz_csv_options co;
    hz_csv_options_init(&co);
    hz_dataset *ds = NULL;
    hz_series_set *set = NULL;
    hz_series_opts so;
    hz_series_opts_init(&so);
    const char *by[2] = {"region", "category"};
    so.date_col = date;
    so.value_col = value;
    so.by_cols = by;
    so.nby = 2;
    so.freq = freq;
    if (hz_csv_read_buffer(buf, len, "g.csv", &co, &ds, NULL, NULL) != HZ_OK ||
        hz_series_build(ds, &so, &set, NULL) != HZ_OK || set->nseries > 30)
        return -1;
    free(buf);
    hz_dataset_free(ds);
    size_t nb = set->nseries, n = 0;
    for (size_t b = 0; b < nb; b++)
        n = set->series[b].n > n ? set->series[b].n : n;
    H->nb = nb;
    H->n = n;
    H->m = 1 + 5 + nb;
    memset(H->S, 0, sizeof H->S);
    for (size_t i = 0; i < H->m; i++) {
        H->y[i] = calloc(n ? n : 1, sizeof(double));
        H->level[i] = i == 0 ? 0 : i < 6 ? 1 : 2;
    }
    size_t r = 0;
    for (size_t b = 0; b < nb; b++) {
        const hz_series *s = &set->series[b];
        size_t pl = strcspn(s->key, "|");
        if (b > 0 && strncmp(set->series[b - 1].key, s->key, pl + 1) != 0)
            r++;
        size_t off = n - s->n, rows[3] = {0, 1 + r, 6 + b};
        for (int k = 0; k < 3; k++) {
            H->S[rows[k] * nb + b] = 1.0;
            for (size_t t = 0; t < s->n; t++)
                H->y[rows[k]][off + t] += s->values[t];
        }
    }
    hz_series_set_free(set);
    return r == 4 ? 0 : -1;
}

/* One-step in-sample errors of auto-ETS (300 evaluations) per node, as
 * the request runner computes them (engine/forecast/hierarchy.c). */
static void residuals(const hier *H, size_t ntr, int period, double *res)
{
#pragma omp parallel for schedule(dynamic, 1)
    for (size_t i = 0; i < H->m; i++) {
        hz_ets_workspace *w = hz_ets_alloc(ntr);
        double *fit = malloc(ntr * sizeof *fit);
        hz_ets_opts o;
        hz_ets_opts_init(&o);
        o.maxit = 300;
        hz_ets_fit f;
        for (size_t t = 0; t < ntr; t++)
            res[i * ntr + t] = NAN;
        if (hz_ets_fit_model(H->y[i], ntr, period, &o, w, &f, NULL) == HZ_OK &&
            hz_ets_fitted(&f, H->y[i], fit, NULL) == HZ_OK)
            for (size_t t = 0; t < ntr; t++)
                res[i * ntr + t] = H->y[i][t] - fit[t];
        free(fit);
        hz_ets_free(w);
    }
}

#define NMETH 6 /* base, bu, td, ols, wls, mint */

static void backtest(hier *H, const char *name, int period, size_t h,
                     size_t origins)
{
    const double lv[2] = {80, 95};
    const size_t m = H->m;
    double acc[NMETH][3][3];
    size_t cnt[3] = {0};
    memset(acc, 0, sizeof acc);
    double secs[NMETH] = {0};
    for (size_t o = 0; o < origins; o++) {
        size_t ntr = H->n - h - (origins - 1 - o);
        hz_forecast *base[64] = {0}, *fc[64] = {0};
        size_t nn[64];
        if (m > 64) {
            fprintf(stderr, "bench_hier: at most 64 nodes\n");
            exit(1);
        }
        for (size_t i = 0; i < m; i++) {
            base[i] = hz_forecast_alloc(h, 2, lv);
            fc[i] = hz_forecast_alloc(h, 2, lv);
            nn[i] = ntr;
            if (base[i] == NULL || fc[i] == NULL) {
                fprintf(stderr, "bench_hier: out of memory\n");
                exit(1);
            }
        }
        hz_fc_batch b;
        hz_fc_batch_init(&b);
        b.nseries = m;
        b.y = (const double *const *)H->y;
        b.n = nn;
        b.period = period;
        double t0 = hz_now();
        hz_forecast_many(&b, base, NULL);
        secs[0] += hz_now() - t0;
        if (m == 0 || ntr == 0) {
            fprintf(stderr, "bench_hier: nothing to reconcile\n");
            exit(1);
        }
        double *res = malloc(m * ntr * sizeof *res);
        t0 = hz_now();
        residuals(H, ntr, period, res);
        double tres = hz_now() - t0;
        for (int k = 0; k < NMETH; k++) {
            for (size_t i = 0; i < m; i++) {
                memcpy(fc[i]->mean, base[i]->mean, 5 * h * sizeof(double));
                snprintf(fc[i]->method, sizeof fc[i]->method, "%s",
                         base[i]->method);
            }
            hz_hierarchy hh = {m, H->nb, H->S};
            t0 = hz_now();
            if (k > 0 && hz_reconcile(&hh, k, (const double *const *)H->y, ntr,
                                      res, ntr, fc, NULL, NULL) != HZ_OK)
                printf("  reconcile %s failed\n", hz_recon_name(k));
            secs[k] += k > 0 ? hz_now() - t0 + tres : 0;
            for (size_t i = 0; i < m; i++) {
                const double *y = H->y[i] + ntr;
                int L = H->level[i];
                acc[k][L][0] += hz_mase(H->y[i], ntr, period, y, fc[i]->mean,
                                        h);
                acc[k][L][1] += hz_rmsse(H->y[i], ntr, y, fc[i]->mean, h);
                acc[k][L][2] += hz_coverage(y, fc[i]->lower[1],
                                            fc[i]->upper[1], h);
                if (k == 0)
                    cnt[L]++;
            }
        }
        for (size_t i = 0; i < m; i++) {
            hz_forecast_free(base[i]);
            hz_forecast_free(fc[i]);
        }
        free(res);
    }
    printf("\n%s: %zu nodes (1 + 5 + %zu), h = %zu, %zu origins, default "
           "model\n",
           name, m, H->nb, h, origins);
    printf("  %-6s %26s %26s %26s %9s\n", "method", "total: MASE RMSSE cov95",
           "regions: MASE RMSSE cov95", "bottom: MASE RMSSE cov95", "seconds");
    static const char *const nm[NMETH] = {"base", "bu",  "td",
                                          "ols",  "wls", "mint"};
    for (int k = 0; k < NMETH; k++) {
        printf("  %-6s", nm[k]);
        for (int L = 0; L < 3; L++)
            printf("   %7.4f %7.4f %6.3f", acc[k][L][0] / cnt[L],
                   acc[k][L][1] / cnt[L], acc[k][L][2] / cnt[L]);
        printf(" %9.3f\n", secs[k]);
    }
}

int main(int argc, char **argv)
{
    int origins = 6, horizon = 6, c;
    long rows = 60000;
    static const struct option lo[] = {{"origins", required_argument, 0, 'o'},
                                       {"horizon", required_argument, 0, 'H'},
                                       {"rows", required_argument, 0, 'r'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
    while ((c = getopt_long(argc, argv, "o:H:r:h", lo, NULL)) != -1) {
        switch (c) {
        case 'o': origins = atoi(optarg); break;
        case 'H': horizon = atoi(optarg); break;
        case 'r': rows = atol(optarg); break;
        default:
            printf("usage: bench_hier [--origins K] [--horizon H] "
                   "[--rows N]\n");
            return c == 'h' ? 0 : 2;
        }
    }
    hier H;
    hz_gen_options go;
    hz_gen_options_init(&go);
    go.rows = (uint64_t)rows;
    go.customers = (uint64_t)rows / 10;
    go.months = 60;
    go.seed = 5;
    if (build(&H, &go, HZ_FREQ_MONTH, "order_date", "revenue") != 0) {
        fprintf(stderr, "bench_hier: could not build the sales hierarchy\n");
        return 1;
    }
    backtest(&H, "sales revenue, monthly (horizon gen --kind sales)", 12,
             (size_t)horizon, (size_t)origins);
    for (size_t i = 0; i < H.m; i++)
        free(H.y[i]);
    hz_gen_options_init(&go);
    go.kind = HZ_GEN_PRODUCTS;
    go.products = 300;
    go.months = 36;
    if (build(&H, &go, HZ_FREQ_WEEK, "date", "quantity") != 0) {
        fprintf(stderr,
                "bench_hier: could not build the products hierarchy\n");
        return 1;
    }
    backtest(&H, "product units, weekly (horizon gen --kind products)", 52,
             2 * (size_t)horizon, (size_t)origins);
    for (size_t i = 0; i < H.m; i++)
        free(H.y[i]);
    return 0;
}
