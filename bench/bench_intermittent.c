/* Intermittent demand: `horizon gen --kind products` (weekly demand of
 * every SKU), a rolling-origin backtest of Croston, SBA, TSB, ADIDA,
 * IMAPA, the default and the smooth-demand models, by Syntetos-Boylan
 * class: MASE, RMSSE, scaled pinball loss (M5, quantiles 2.5/10/50/90/
 * 97.5%), coverage; beside R forecast 8.20's croston in the same run.
 *
 * usage: bench_intermittent [--products N] [--no-r] */
#include <getopt.h>

#include "bench_rolling.h"
#include "horizon/csv.h"
#include "horizon/gen.h"
#include "horizon/intermittent.h"
#include "horizon/series.h"

#define H 8
#define ORIGINS 3

static const char *const MODELS[] = {"auto",  "croston", "sba", "tsb",
                                     "adida", "imapa",   "ets", "theta",
                                     "naive", "arima"};
#define NMODELS (sizeof MODELS / sizeof MODELS[0])

/* Weekly quantity per product of a generated products file. */
static hz_series_set *weekly_products(unsigned products, hz_error *err)
{
    hz_gen_options go;
    hz_gen_options_init(&go);
    go.kind = HZ_GEN_PRODUCTS;
    go.products = products;
    go.months = 36;
    go.seed = 11;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL || hz_gen_write(&go, f, err) != HZ_OK || fclose(f) != 0)
        return NULL;
    hz_csv_options co;
    hz_csv_options_init(&co);
    hz_dataset *ds = NULL;
    hz_series_set *set = NULL;
    if (hz_csv_read_buffer(buf, len, "products.csv", &co, &ds, NULL, err) ==
        HZ_OK) {
        hz_series_opts so;
        hz_series_opts_init(&so);
        so.date_col = "date";
        so.value_col = "quantity";
        const char *by[1] = {"product_id"};
        so.by_cols = by;
        so.nby = 1;
        so.freq = HZ_FREQ_WEEK;
        so.partial = HZ_PARTIAL_DROP; /* whole weeks only */
        if (hz_series_build(ds, &so, &set, err) != HZ_OK)
            set = NULL;
    }
    hz_dataset_free(ds);
    free(buf);
    return set;
}

int main(int argc, char **argv)
{
    int products = 300, use_r = 1, c;
    static const struct option lo[] = {{"products", required_argument, 0, 'p'},
                                       {"no-r", no_argument, 0, 'n'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
    while ((c = getopt_long(argc, argv, "p:nh", lo, NULL)) != -1) {
        switch (c) {
        case 'p': products = atoi(optarg); break;
        case 'n': use_r = 0; break;
        default:
            printf("usage: bench_intermittent [--products N] [--no-r]\n");
            return c == 'h' ? 0 : 2;
        }
    }
    hz_error err;
    hz_series_set *set = weekly_products((unsigned)products, &err);
    if (set == NULL) {
        fprintf(stderr, "bench_intermittent: %s\n", err.msg);
        return 1;
    }
    /* cells by SBC class of their training data (4 classes + all) */
    size_t cap = set->nseries * ORIGINS, ncls[5] = {0};
    cell *cells[5];
    for (int k = 0; k < 5; k++)
        cells[k] = calloc(cap, sizeof(cell));
    for (size_t i = 0; i < set->nseries; i++) {
        const hz_series *s = &set->series[i];
        for (size_t o = 0; o < ORIGINS; o++) {
            if (s->n < H * (ORIGINS - o) + 20)
                continue;
            cell x = {s->values, s->n - H * (ORIGINS - o), H, {1, {52.18}}, 1,
                      0};
            int k = (int)hz_demand_classify(x.y, x.ntr, NULL, NULL);
            cells[k][ncls[k]++] = x;
            cells[4][ncls[4]++] = x;
        }
    }
    printf("intermittent demand: %d generated products, weekly, h = %d, %d "
           "origins; one core\n",
           products, H, ORIGINS);
    const char *cname[5] = {"smooth", "erratic", "intermittent", "lumpy",
                            "all"};
    char script[1024];
    bench_script(script, sizeof script, __FILE__, "croston_r.R");
    if (use_r && !(use_r = r_available()))
        printf("R peer: SKIP (Rscript with the forecast package not "
               "installed)\n");
    for (int k = 0; k < 5; k++) {
        printf("\n%s: %zu cells\n", cname[k], ncls[k]);
        if (ncls[k] == 0)
            continue;
        score_header();
        score hz_croston = {0};
        for (size_t m = 0; m < NMODELS; m++) {
            int id;
            hz_fc_model_parse(MODELS[m], &id);
            score s = {0};
            run_horizon(cells[k], ncls[k], id, NULL, &s);
            char nm[64];
            snprintf(nm, sizeof nm, "Horizon %s%s", MODELS[m],
                     m == 0 ? " (default)" : "");
            score_print(nm, &s);
            if (m == 1)
                hz_croston = s;
        }
        if (!use_r)
            continue;
        char in[] = "/tmp/bench_intermittent_XXXXXX", out[600], cmd[2048];
        int fd = mkstemp(in);
        if (fd < 0)
            continue;
        close(fd);
        snprintf(out, sizeof out, "%s.out", in);
        r_write_cells(in, cells[k], ncls[k]);
        snprintf(cmd, sizeof cmd, "Rscript %s %s %s", script, in, out);
        if (system(cmd) == 0) {
            char names[2][48];
            score rs[2];
            memset(rs, 0, sizeof rs);
            if (r_read_scores(out, cells[k], ncls[k], names, rs, 2) > 0) {
                score_print("R croston (no intervals)", &rs[0]);
                printf("  %-34s %.0fx faster than R croston; same points: "
                       "MASE %.6f vs %.6f\n",
                       "Horizon croston:", rs[0].secs / hz_croston.secs,
                       hz_croston.mase / (double)hz_croston.n,
                       rs[0].mase / (double)rs[0].n);
            }
        }
        remove(in);
        remove(out);
    }
    for (int k = 0; k < 5; k++)
        free(cells[k]);
    hz_series_set_free(set);
    return 0;
}
