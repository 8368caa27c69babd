/* Scale run: N generated monthly series (default 10,000 x 36 months),
 * automatic model, 12-month forecast, in parallel.  Prints the wall time
 * next to the naive floor in the same run and, when R's forecast package
 * is installed, forecast::ets() on every 100th series (one core) for a
 * speed ratio.
 *
 * usage: bench_scale [--series N] [--months M] [--threads T] [--no-r] */
#include <getopt.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "horizon/forecast.h"
#include "horizon/metrics.h"

/* Each series has nm + 12 months: the first nm are fitted, the last 12
 * score the forecasts (sMAPE). */
static double *gen(size_t ns, size_t nm)
{
    size_t st = nm + 12;
    double *y = malloc(ns * st * sizeof *y);
    uint64_t s = 20240601;
    for (size_t i = 0; i < ns; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        double level = 50 + (double)(s >> 40) / (1 << 24) * 950;
        double trend = ((double)((s >> 20) & 0xfff) / 4096.0 - 0.4) * 0.02;
        double amp = (double)((s >> 8) & 0xff) / 255.0 * 0.3;
        double noise = 0.03 + (double)(s & 0xff) / 255.0 * 0.12;
        for (size_t t = 0; t < st; t++) {
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            double u1 = ((double)(s >> 11) + 0.5) * 0x1.0p-53;
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            double u2 = ((double)(s >> 11) + 0.5) * 0x1.0p-53;
            double z = sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);
            double v = level * (1 + trend * (double)t) *
                       (1 + amp * sin(6.283185307179586 * (double)t / 12)) *
                       (1 + noise * z);
            y[i * st + t] = v > 0.5 ? v : 0.5;
        }
    }
    return y;
}

static size_t nseasonal;
static double smape_mean;

static double run(const double *y, size_t ns, size_t nm, int model,
                  size_t *nfall, char (*first)[64])
{
    const double lv[2] = {80, 95};
    size_t nf = 0, nsea = 0, st = nm + 12;
    double sm = 0.0;
    double t0 = hz_now();
#pragma omp parallel reduction(+ : nf, nsea, sm)
    {
        hz_fc_workspace *w = hz_fc_workspace_alloc(nm);
        hz_forecast *fc = hz_forecast_alloc(12, 2, lv);
#pragma omp for schedule(dynamic, 8)
        for (size_t i = 0; i < ns; i++) {
            hz_forecast_series(y + i * st, nm, 12, model, i, w, fc, NULL);
            sm += hz_smape(y + i * st + nm, fc->mean, 12);
            nf += fc->note[0] != '\0';
            size_t ml = strlen(fc->method);
            nsea += ml > 3 && (strcmp(fc->method + ml - 3, ",A)") == 0 ||
                               strcmp(fc->method + ml - 3, ",M)") == 0);
            if (i == 0 && first)
                snprintf(*first, 64, "%s", fc->method);
        }
        hz_forecast_free(fc);
        hz_fc_workspace_free(w);
    }
    *nfall = nf;
    nseasonal = nsea;
    smape_mean = sm / (double)ns;
    return hz_now() - t0;
}

int main(int argc, char **argv)
{
    size_t ns = 10000, nm = 36;
    int threads = 0, no_r = 0, c;
    static const struct option lo[] = {{"series", required_argument, 0, 's'},
                                       {"months", required_argument, 0, 'm'},
                                       {"threads", required_argument, 0, 't'},
                                       {"no-r", no_argument, 0, 'n'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
    while ((c = getopt_long(argc, argv, "s:m:t:nh", lo, NULL)) != -1) {
        switch (c) {
        case 's': ns = (size_t)atol(optarg); break;
        case 'm': nm = (size_t)atol(optarg); break;
        case 't': threads = atoi(optarg); break;
        case 'n': no_r = 1; break;
        default:
            printf("usage: bench_scale [--series N] [--months M] "
                   "[--threads T] [--no-r]\n");
            return c == 'h' ? 0 : 2;
        }
    }
    if (threads > 0)
        omp_set_num_threads(threads);
    double *y = gen(ns, nm);
    printf("scale: %zu monthly series x %zu months, h = 12, %d threads "
           "(sMAPE on 12 held-out months)\n",
           ns, nm, omp_get_max_threads());
    size_t nf;
    char first[64] = "";
    double tn = run(y, ns, nm, HZ_MODEL_NAIVE, &nf, NULL);
    printf("%-8s %8.3f s  (floor)                 sMAPE %.3f\n", "naive", tn,
           smape_mean);
    double tt = run(y, ns, nm, HZ_MODEL_THETA, &nf, NULL);
    printf("%-8s %8.3f s  %6.0fx naive          sMAPE %.3f\n", "theta", tt,
           tt / tn, smape_mean);
    double ta = run(y, ns, nm, HZ_MODEL_AUTO, &nf, &first);
    printf("%-8s %8.3f s  %6.0fx naive          sMAPE %.3f  %zu fallbacks, "
           "%.0f series/s, %zu seasonal models (first: %s); target < 10 s\n",
           "auto", ta, ta / tn, smape_mean, nf, (double)ns / ta, nseasonal,
           first);
    /* R-faithful ets (maxit 2000) and auto on every 10th series, to show
     * what auto's smaller optimiser budget costs in accuracy */
    size_t nsub = (ns + 9) / 10, st = nm + 12;
    double *ysub = malloc(nsub * st * sizeof *ysub);
    for (size_t i = 0; i < nsub; i++)
        memcpy(ysub + i * st, y + i * 10 * st, st * sizeof *ysub);
    double tas = run(ysub, nsub, nm, HZ_MODEL_AUTO, &nf, NULL);
    printf("every 10th series (%zu): auto %.3f s sMAPE %.3f;", nsub, tas,
           smape_mean);
    double te = run(ysub, nsub, nm, HZ_MODEL_ETS, &nf, NULL);
    printf(" ets (R's optimiser budget) %.3f s sMAPE %.3f\n", te, smape_mean);
    free(ysub);
    if (!no_r && system("Rscript -e 'suppressMessages(library(forecast))' "
                        ">/dev/null 2>&1") == 0) {
        char path[] = "/tmp/bench_scale_XXXXXX";
        int fd = mkstemp(path);
        FILE *f = fdopen(fd, "w");
        size_t nr = 0;
        for (size_t i = 0; i < ns; i += 100, nr++) {
            fprintf(f, "%s", i ? "," : "");
            for (size_t t = 0; t < nm; t++)
                fprintf(f, "%s%.10g", t ? " " : "", y[i * (nm + 12) + t]);
        }
        fclose(f);
        char cmd[512];
        snprintf(cmd, sizeof cmd,
                 "Rscript -e 'suppressMessages(library(forecast)); "
                 "s <- strsplit(readLines(\"%s\", warn=FALSE), \",\")[[1]]; "
                 "t0 <- proc.time()[[3]]; for (x in s) { y <- ts(as.numeric("
                 "strsplit(x, \" \")[[1]]), frequency = 12); "
                 "forecast(ets(y), h = 12) }; cat(proc.time()[[3]] - t0)'",
                 path);
        FILE *p = popen(cmd, "r");
        double rt = NAN;
        if (p != NULL && fscanf(p, "%lf", &rt) == 1) {
            double per = rt / (double)nr;
            printf("R ets    %8.3f s for %zu series (every 100th, one "
                   "core): %.4f s/series -> %.0f s for all; Horizon auto "
                   "is %.0fx faster\n",
                   rt, nr, per, per * (double)ns, per * (double)ns / ta);
        }
        if (p != NULL)
            pclose(p);
        remove(path);
    } else if (!no_r) {
        printf("R peer: SKIP (Rscript with forecast not installed)\n");
    }
    free(y);
    return 0;
}
