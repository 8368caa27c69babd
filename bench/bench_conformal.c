/* Intervals that keep their promise: the models' own 80% / 95% intervals
 * against conformal intervals (hz_forecast_many, HZ_INTERVALS_CONFORMAL:
 * calibrated on rolling-origin errors of the training data only) on M3
 * monthly (h = 18) and on generated yearly-type series (h = 6): coverage,
 * MSIS (M4) and scaled pinball loss per model; wall time on all threads.
 *
 * usage: bench_conformal [M3_DIR] [--series N] [--models LIST] */
#include <getopt.h>

#include "bench_rolling.h"

typedef struct fam {
    const char *name;
    size_t ns, h;
    int period;
    double **y; /* train + test */
    size_t *n;  /* train lengths */
} fam;

/* Yearly-type series (M4 yearly-like): log level with a slope that
 * wanders (AR(1) around a series' own growth rate), occasional level
 * shifts and noise: the trend changes are what make model intervals too
 * narrow on yearly data. */
static void gen_yearly(fam *f, size_t ns, size_t h)
{
    f->name = "generated yearly-type";
    f->ns = ns;
    f->h = h;
    f->period = 1;
    f->y = calloc(ns, sizeof *f->y);
    f->n = calloc(ns, sizeof *f->n);
    for (size_t i = 0; i < ns; i++) {
        brng r = {i * 0x9E3779B97F4A7C15ULL + 77};
        size_t n = 20 + (size_t)(brng_u(&r) * 25);
        double lv = log(1000 + 9000 * brng_u(&r)), g = 0.06 * brng_n(&r);
        double sl = g, ss = 0.01 + 0.02 * brng_u(&r);
        double sn = 0.01 + 0.03 * brng_u(&r);
        f->n[i] = n;
        f->y[i] = malloc((n + h) * sizeof(double));
        for (size_t t = 0; t < n + h; t++) {
            sl = g + 0.8 * (sl - g) + ss * brng_n(&r);
            lv += sl + (brng_u(&r) < 0.04 ? 4 * sn * brng_n(&r) : 0);
            f->y[i][t] = exp(lv + sn * brng_n(&r));
        }
    }
}

static int load_m3(fam *f, const char *dir)
{
    char p1[1024], p2[1024], line[256];
    snprintf(p1, sizeof p1, "%s/m3_monthly_train.csv", dir);
    snprintf(p2, sizeof p2, "%s/m3_monthly_test.csv", dir);
    FILE *a = fopen(p1, "r"), *b = fopen(p2, "r");
    if (a == NULL || b == NULL) {
        if (a)
            fclose(a);
        if (b)
            fclose(b);
        return -1;
    }
    f->name = "M3 monthly";
    f->h = 18;
    f->period = 12;
    size_t cap = 1500;
    f->y = calloc(cap, sizeof *f->y);
    f->n = calloc(cap, sizeof *f->n);
    char cur[32] = "";
    double buf[512];
    size_t k = 0;
    FILE *src[2] = {a, b};
    for (int pass = 0; pass < 2; pass++) {
        size_t i = (size_t)-1;
        cur[0] = '\0';
        if (fgets(line, sizeof line, src[pass]) == NULL)
            break;
        while (fgets(line, sizeof line, src[pass])) {
            char *c1 = strchr(line, ','), *last = strrchr(line, ',');
            if (c1 == NULL || last == NULL)
                continue;
            *c1 = '\0';
            if (strcmp(line, cur) != 0) {
                snprintf(cur, sizeof cur, "%s", line);
                i++;
                if (pass == 0) {
                    f->y[i] = malloc(512 * sizeof(double));
                    f->ns = i + 1;
                }
                k = pass == 0 ? 0 : f->n[i];
            }
            if (i == (size_t)-1 || f->y[i] == NULL)
                continue; /* no series line yet, or out of memory */
            f->y[i][k++] = strtod(last + 1, NULL);
            if (pass == 0)
                f->n[i] = k;
        }
    }
    (void)buf;
    fclose(a);
    fclose(b);
    return 0;
}

/* One model, both interval kinds; prints a row each. */
static void run(const fam *f, int model, const char *mname)
{
    const double lv[2] = {80, 95};
    for (int kind = 0; kind < 2; kind++) {
        hz_forecast **fc = calloc(f->ns, sizeof *fc);
        for (size_t i = 0; i < f->ns; i++)
            fc[i] = hz_forecast_alloc(f->h, 2, lv);
        hz_fc_batch b;
        hz_fc_batch_init(&b);
        b.nseries = f->ns;
        b.y = (const double *const *)f->y;
        b.n = f->n;
        b.period = f->period;
        b.model = model;
        b.intervals = kind ? HZ_INTERVALS_CONFORMAL : HZ_INTERVALS_MODEL;
        double t0 = hz_now();
        hz_forecast_many(&b, fc, NULL);
        double secs = hz_now() - t0;
        score s = {0};
        for (size_t i = 0; i < f->ns; i++) {
            cell c = {f->y[i], f->n[i], f->h, {0, {0}}, f->period, 0};
            score_add(&s, &c, fc[i], 0);
            hz_forecast_free(fc[i]);
        }
        s.secs = secs;
        free(fc);
        char nm[64];
        snprintf(nm, sizeof nm, "%s, %s intervals", mname,
                 kind ? "conformal" : "model");
        score_print(nm, &s);
        fflush(stdout);
    }
}

int main(int argc, char **argv)
{
    int ns = 1000, c;
    char models[256] = "auto,ets,theta,naive2";
    static const struct option lo[] = {{"series", required_argument, 0, 's'},
                                       {"models", required_argument, 0, 'm'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
    while ((c = getopt_long(argc, argv, "s:m:h", lo, NULL)) != -1) {
        switch (c) {
        case 's': ns = atoi(optarg); break;
        case 'm': snprintf(models, sizeof models, "%s", optarg); break;
        default:
            printf("usage: bench_conformal [M3_DIR] [--series N] "
                   "[--models LIST]\n");
            return c == 'h' ? 0 : 2;
        }
    }
    fam fams[2];
    memset(fams, 0, sizeof fams);
    int nf = 0;
    const char *dir = optind < argc ? argv[optind] : "../shared/data/m3";
    if (load_m3(&fams[nf], dir) == 0)
        nf++;
    else
        printf("M3: SKIP (no data in %s)\n", dir);
    gen_yearly(&fams[nf++], (size_t)ns, 6);
    for (int k = 0; k < nf; k++) {
        printf("\n%s: %zu series, h = %zu (nominal coverage 0.800 / "
               "0.950)\n",
               fams[k].name, fams[k].ns, fams[k].h);
        score_header();
        char list[256], *save = NULL;
        snprintf(list, sizeof list, "%s", models);
        for (char *t = strtok_r(list, ",", &save); t;
             t = strtok_r(NULL, ",", &save)) {
            int id;
            if (hz_fc_model_parse(t, &id))
                run(&fams[k], id, t);
        }
        for (size_t i = 0; i < fams[k].ns; i++)
            free(fams[k].y[i]);
        free(fams[k].y);
        free(fams[k].n);
    }
    return 0;
}
