/* Several seasons: a rolling-origin backtest of Horizon's models on
 * half-hourly (taylor), generated hourly, daily and weekly series, beside
 * R forecast 8.20's stlf (= forecast(mstl(y))), stlf with auto.arima and
 * tbats in the same run, on the same cells: MASE, RMSSE, sMAPE, interval
 * coverage, MSIS, scaled pinball loss and seconds (one core each).
 *
 * usage: bench_multi [SHARED_DATA_DIR] [--series N] [--tbats K] [--no-r]
 *   --series N  generated series per family (default 6)
 *   --tbats K   cells per family on which R's tbats also runs (default 3;
 *               tbats takes seconds to minutes a fit) */
#include <getopt.h>

#include "bench_rolling.h"
#include "multi_gen.h"

#define MAXCELLS 4096

typedef struct family {
    const char *name;
    cell cells[MAXCELLS];
    size_t nc;
    double *store[64];
    size_t ns;
} family;

/* Cells of one series: origins every `step` from the end. */
static void add_series(family *fa, double *y, size_t n, const hz_seasons *s,
                       size_t h, size_t origins, size_t step, int lag,
                       int *heavy_left)
{
    fa->store[fa->ns++] = y;
    for (size_t o = 0; o < origins && fa->nc < MAXCELLS; o++) {
        cell *c = &fa->cells[fa->nc++];
        c->y = y;
        c->ntr = n - h - (origins - 1 - o) * step;
        c->h = h;
        c->seasons = *s;
        c->mase_lag = lag;
        c->r_heavy = *heavy_left > 0;
        if (*heavy_left > 0)
            (*heavy_left)--;
    }
}

static const char *const MODELS[] = {"auto",       "mstl",  "mstl-arima",
                                     "mstl-theta", "dhr",   "ets",
                                     "theta",      "snaive"};
#define NMODELS (sizeof MODELS / sizeof MODELS[0])

/* Horizon's models, R's peers, and Horizon on R's tbats subset. */
static void run_family(family *fa, int use_r, int tbats)
{
    printf("\n%s: %zu cells (series x origins)\n", fa->name, fa->nc);
    score_header();
    score hs[NMODELS];
    memset(hs, 0, sizeof hs);
    for (size_t m = 0; m < NMODELS; m++) {
        int id;
        hz_fc_model_parse(MODELS[m], &id);
        run_horizon(fa->cells, fa->nc, id, NULL, &hs[m]);
        char nm[64];
        snprintf(nm, sizeof nm, "Horizon %s%s", MODELS[m],
                 m == 0 ? " (default)" : "");
        score_print(nm, &hs[m]);
        fflush(stdout);
    }
    if (!use_r)
        return;
    char cells[] = "/tmp/bench_multi_XXXXXX", out[600], cmd[2048],
         script[1024];
    int fd = mkstemp(cells);
    if (fd < 0)
        return;
    close(fd);
    snprintf(out, sizeof out, "%s.out", cells);
    bench_script(script, sizeof script, __FILE__, "multi_r.R");
    r_write_cells(cells, fa->cells, fa->nc);
    snprintf(cmd, sizeof cmd, "Rscript %s %s %s %s", script, cells, out,
             tbats ? "tbats" : "");
    if (system(cmd) != 0) {
        printf("  R peer failed\n");
    } else {
        char names[8][48];
        score rs[8];
        memset(rs, 0, sizeof rs);
        size_t nm = r_read_scores(out, fa->cells, fa->nc, names, rs, 8);
        for (size_t k = 0; k < nm; k++) {
            char nmx[64];
            snprintf(nmx, sizeof nmx, "R %s%s", names[k],
                     strcmp(names[k], "tbats") == 0 ? " (subset)" : "");
            score_print(nmx, &rs[k]);
            if (strcmp(names[k], "mstl=stlf") == 0 && rs[k].secs > 0)
                printf("  %-34s %.0fx R stlf's time\n",
                       "  Horizon default speed:", rs[k].secs / hs[0].secs);
        }
        if (tbats) {
            score sub[2];
            memset(sub, 0, sizeof sub);
            int one = 1, id;
            hz_fc_model_parse("auto", &id);
            run_horizon(fa->cells, fa->nc, id, &one, &sub[0]);
            hz_fc_model_parse("mstl", &id);
            run_horizon(fa->cells, fa->nc, id, &one, &sub[1]);
            score_print("Horizon auto (tbats subset)", &sub[0]);
            score_print("Horizon mstl (tbats subset)", &sub[1]);
        }
    }
    remove(cells);
    remove(out);
}

int main(int argc, char **argv)
{
    int nser = 6, tbats = 3, use_r = 1, c;
    static const struct option lo[] = {{"series", required_argument, 0, 's'},
                                       {"tbats", required_argument, 0, 't'},
                                       {"no-r", no_argument, 0, 'n'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
    while ((c = getopt_long(argc, argv, "s:t:nh", lo, NULL)) != -1) {
        switch (c) {
        case 's': nser = atoi(optarg); break;
        case 't': tbats = atoi(optarg); break;
        case 'n': use_r = 0; break;
        default:
            printf("usage: bench_multi [SHARED_DATA_DIR] [--series N] "
                   "[--tbats K] [--no-r]\n");
            return c == 'h' ? 0 : 2;
        }
    }
    if (nser < 1 || nser > 60)
        nser = 6;
    const char *dir = optind < argc ? argv[optind] : "../shared/data";
    if (use_r && !(use_r = r_available()))
        printf("R peer: SKIP (Rscript with the forecast package not "
               "installed)\n");
    printf("rolling-origin backtests, one core; R forecast 8.20 in the same "
           "run%s\n",
           use_r ? "" : " (absent)");
    static family fa;
    int heavy;
    /* taylor: 7 daily origins, h = 48 half-hours */
    memset(&fa, 0, sizeof fa);
    fa.name = "taylor (half-hourly, periods 48 and 336), h = 48";
    double *ty = malloc(5000 * sizeof *ty);
    size_t tn = load_taylor(dir, ty, 5000);
    hz_seasons st = {2, {48, 336}};
    heavy = tbats > 0 ? 1 : 0;
    if (tn == 4032) {
        add_series(&fa, ty, tn, &st, 48, 7, 48, 48, &heavy);
        run_family(&fa, use_r, tbats);
    } else {
        printf("\ntaylor: SKIP (no %s/classic/classic_series.csv)\n", dir);
        free(ty);
    }
    struct {
        const char *name;
        void (*gen)(double *, size_t, uint64_t);
        size_t n, h, origins;
        hz_seasons s;
        int lag;
    } fams[] = {
        {"hourly load (periods 24 and 168), 8 weeks, h = 24",
         gen_load,
         24 * 7 * 8,
         24,
         7,
         {2, {24, 168}},
         24},
        {"daily sales (periods 7 and 365.25), 3 years, h = 28",
         gen_sales,
         1100,
         28,
         4,
         {2, {7, 365.25}},
         7},
        {"weekly sales (period 52.18), 3 years, h = 13",
         gen_weekly,
         160,
         13,
         4,
         {1, {52.18}},
         52},
    };
    for (size_t k = 0; k < sizeof fams / sizeof fams[0]; k++) {
        memset(&fa, 0, sizeof fa);
        fa.name = fams[k].name;
        heavy = tbats;
        for (int i = 0; i < nser; i++) {
            double *y = malloc(fams[k].n * sizeof *y);
            fams[k].gen(y, fams[k].n, 1000 * (k + 1) + (uint64_t)i);
            add_series(&fa, y, fams[k].n, &fams[k].s, fams[k].h,
                       fams[k].origins, fams[k].h, fams[k].lag, &heavy);
        }
        run_family(&fa, use_r, tbats);
        for (size_t i = 0; i < fa.ns; i++)
            free(fa.store[i]);
    }
    if (tn == 4032)
        free(ty);
    return 0;
}
