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

#define MAXCELLS 4096

/* Hourly load: a daily level (AR(1) around a trend), weekday and weekend
 * daily profiles, multiplicative noise. */
static void gen_load(double *y, size_t n, uint64_t seed)
{
    brng r = {seed * 2654435761u + 17};
    double lvl = 100 + 50 * brng_u(&r), ar = 0;
    double amp = 0.2 + 0.3 * brng_u(&r), sig = 0.02 + 0.05 * brng_u(&r);
    double wk = 0.1 + 0.25 * brng_u(&r), p1 = 7 + 2 * brng_u(&r),
           p2 = 18 + 2 * brng_u(&r);
    for (size_t t = 0; t < n; t++) {
        size_t h = t % 24, d = t / 24, dow = d % 7;
        if (h == 0)
            ar = 0.8 * ar + 0.03 * brng_n(&r);
        double x1 = (h - p1) / 2.0, x2 = (h - p2) / 2.5, x3 = (h - 3.0) / 2.0;
        double prof = 1 +
                      amp * (exp(-0.5 * x1 * x1) + 1.2 * exp(-0.5 * x2 * x2)) -
                      0.5 * amp * exp(-0.5 * x3 * x3);
        double we = 1;
        if (dow >= 5) {
            double x4 = (h - 12.0) / 3.0;
            prof = 1 + 0.6 * amp * exp(-0.5 * x4 * x4);
            we = 1 - wk;
        }
        y[t] = lvl * (1 + 0.0005 * (double)d + ar) * prof * we *
               (1 + sig * brng_n(&r));
    }
}

/* Daily sales: weekly and yearly patterns (a December peak), trend. */
static void gen_sales(double *y, size_t n, uint64_t seed)
{
    brng r = {seed * 2654435761u + 99};
    double lvl = 200 + 300 * brng_u(&r), wk[7], ya = 0.1 + 0.3 * brng_u(&r);
    double sig = 0.05 + 0.1 * brng_u(&r), tr = (brng_u(&r) - 0.3) * 0.0008;
    double ar = 0;
    for (int i = 0; i < 7; i++)
        wk[i] = 1 + 0.3 * (brng_u(&r) - 0.5);
    wk[5] *= 1.2;
    wk[6] *= 1.3;
    for (size_t t = 0; t < n; t++) {
        double doy = fmod((double)t, 365.25), x = (doy - 355) / 6;
        ar = 0.7 * ar + 0.03 * brng_n(&r);
        double yr = 1 + ya * cos(2 * M_PI * (doy - 200) / 365.25) +
                    0.5 * ya * exp(-0.5 * x * x);
        y[t] = lvl * (1 + tr * (double)t + ar) * wk[t % 7] * yr *
               (1 + sig * brng_n(&r));
    }
}

/* Weekly sales: a yearly pattern of 52.18 weeks, trend, noise. */
static void gen_weekly(double *y, size_t n, uint64_t seed)
{
    brng r = {seed * 2654435761u + 7};
    double lvl = 500 + 500 * brng_u(&r), ya = 0.1 + 0.4 * brng_u(&r);
    double sig = 0.04 + 0.08 * brng_u(&r), tr = (brng_u(&r) - 0.3) * 0.004;
    double ph = 52.18 * brng_u(&r), ar = 0;
    for (size_t t = 0; t < n; t++) {
        double w = fmod((double)t + ph, 365.25 / 7), x = (w - 50.5) / 1.5;
        ar = 0.6 * ar + 0.04 * brng_n(&r);
        double yr = 1 + ya * sin(2 * M_PI * w / (365.25 / 7)) +
                    ya * exp(-0.5 * x * x);
        y[t] = lvl * (1 + tr * (double)t + ar) * yr * (1 + sig * brng_n(&r));
    }
}

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

static size_t load_taylor(const char *dir, double *y, size_t cap)
{
    char path[1024], line[256];
    snprintf(path, sizeof path, "%s/classic/classic_series.csv", dir);
    FILE *f = fopen(path, "r");
    size_t n = 0;
    while (f != NULL && fgets(line, sizeof line, f) && n < cap)
        if (strncmp(line, "taylor,", 7) == 0)
            y[n++] = atof(strrchr(line, ',') + 1);
    if (f != NULL)
        fclose(f);
    return n;
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
