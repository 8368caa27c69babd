/* Scale run: N generated monthly series (default 100,000 of 36 to 120
 * months, lengths uniform), automatic model, 12-month forecast, in
 * parallel.  Prints the wall time (and CPU time: the machine may be
 * shared) next to the naive floor in the same run and, when R's forecast
 * package is installed, forecast::ets() on every --r-every-th series (one
 * core) for a speed ratio.
 *
 * usage: bench_scale [--series N] [--months M | --min-months A
 *                    --max-months B] [--threads T] [--r-every K] [--no-r] */
#include <sys/resource.h>
#include <getopt.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "horizon/forecast.h"
#include "horizon/metrics.h"

/* Series i has len[i] months fitted and 12 more scored (sMAPE), stored
 * with stride nmax + 12. */
static size_t *LEN;

static double *gen(size_t ns, size_t nmin, size_t nmax)
{
    size_t st = nmax + 12;
    double *y = malloc(ns * st * sizeof *y);
    LEN = malloc(ns * sizeof *LEN);
    uint64_t s = 20240601;
    for (size_t i = 0; i < ns; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        double level = 50 + (double)(s >> 40) / (1 << 24) * 950;
        double trend = ((double)((s >> 20) & 0xfff) / 4096.0 - 0.4) * 0.02;
        double amp = (double)((s >> 8) & 0xff) / 255.0 * 0.3;
        double noise = 0.03 + (double)(s & 0xff) / 255.0 * 0.12;
        LEN[i] = nmin + (size_t)((s >> 32) % (nmax - nmin + 1));
        for (size_t t = 0; t < LEN[i] + 12; t++) {
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

static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
           (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
}

static size_t nseasonal;
static double smape_mean, cpu_used;

static double run(const double *y, size_t ns, size_t st, int model,
                  size_t *nfall, char (*first)[64], const size_t *len)
{
    const double lv[2] = {80, 95};
    size_t nf = 0, nsea = 0;
    double sm = 0.0;
    double t0 = hz_now(), c0 = cpu_seconds();
#pragma omp parallel reduction(+ : nf, nsea, sm)
    {
        hz_fc_workspace *w = hz_fc_workspace_alloc(st);
        hz_forecast *fc = hz_forecast_alloc(12, 2, lv);
#pragma omp for schedule(dynamic, 8)
        for (size_t i = 0; i < ns; i++) {
            size_t n = len[i];
            hz_forecast_series(y + i * st, n, 12, model, i, w, fc, NULL);
            sm += hz_smape(y + i * st + n, fc->mean, 12);
            nf += fc->note[0] != '\0';
            size_t ml = strlen(fc->method);
            nsea += ml > 3 && (strstr(fc->method, ",A)") != NULL ||
                               strstr(fc->method, ",M)") != NULL ||
                               strstr(fc->method, "seasonal") != NULL);
            if (i == 0 && first)
                snprintf(*first, 64, "%s", fc->method);
        }
        hz_forecast_free(fc);
        hz_fc_workspace_free(w);
    }
    *nfall = nf;
    nseasonal = nsea;
    smape_mean = sm / (double)ns;
    cpu_used = cpu_seconds() - c0;
    return hz_now() - t0;
}

/* R's ets() on every k-th series, one core: seconds, or NAN. */
static double r_ets(const double *y, size_t ns, size_t st, size_t k,
                    size_t *nr)
{
    char path[] = "/tmp/bench_scale_XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (f == NULL)
        return NAN;
    *nr = 0;
    for (size_t i = 0; i < ns; i += k, (*nr)++) {
        fprintf(f, "%s", i ? "," : "");
        for (size_t t = 0; t < LEN[i]; t++)
            fprintf(f, "%s%.10g", t ? " " : "", y[i * st + t]);
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
    if (p != NULL && fscanf(p, "%lf", &rt) != 1)
        rt = NAN;
    if (p != NULL)
        pclose(p);
    remove(path);
    return rt;
}

int main(int argc, char **argv)
{
    size_t ns = 100000, nmin = 36, nmax = 120, r_every = 1000;
    int threads = 0, no_r = 0, c;
    static const struct option lo[] = {
        {"series", required_argument, 0, 's'},
        {"months", required_argument, 0, 'm'},
        {"min-months", required_argument, 0, 'a'},
        {"max-months", required_argument, 0, 'b'},
        {"threads", required_argument, 0, 't'},
        {"r-every", required_argument, 0, 'r'},
        {"no-r", no_argument, 0, 'n'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    while ((c = getopt_long(argc, argv, "s:m:a:b:t:r:nh", lo, NULL)) != -1) {
        switch (c) {
        case 's': ns = (size_t)atol(optarg); break;
        case 'm': nmin = nmax = (size_t)atol(optarg); break;
        case 'a': nmin = (size_t)atol(optarg); break;
        case 'b': nmax = (size_t)atol(optarg); break;
        case 't': threads = atoi(optarg); break;
        case 'r': r_every = (size_t)atol(optarg); break;
        case 'n': no_r = 1; break;
        default:
            printf("usage: bench_scale [--series N] [--months M | "
                   "--min-months A --max-months B] [--threads T] "
                   "[--r-every K] [--no-r]\n");
            return c == 'h' ? 0 : 2;
        }
    }
    if (ns < 1 || nmin < 4 || nmax < nmin || r_every < 1) {
        fprintf(stderr, "bench_scale: bad sizes\n");
        return 2;
    }
    if (threads > 0)
        omp_set_num_threads(threads);
    size_t st = nmax + 12;
    double *y = gen(ns, nmin, nmax);
    printf("scale: %zu monthly series of %zu-%zu months, h = 12, %d threads "
           "(sMAPE on 12 held-out months)\n",
           ns, nmin, nmax, omp_get_max_threads());
    size_t nf;
    char first[64] = "";
    double tn = run(y, ns, st, HZ_MODEL_NAIVE, &nf, NULL, LEN);
    printf("%-8s %8.3f s  cpu %8.3f s  (floor)          sMAPE %.3f\n", "naive",
           tn, cpu_used, smape_mean);
    double tt = run(y, ns, st, HZ_MODEL_THETA, &nf, NULL, LEN);
    printf("%-8s %8.3f s  cpu %8.3f s  %6.0fx naive    sMAPE %.3f\n", "theta",
           tt, cpu_used, tt / tn, smape_mean);
    double ta = run(y, ns, st, HZ_MODEL_AUTO, &nf, &first, LEN);
    printf("%-8s %8.3f s  cpu %8.3f s  %6.0fx naive    sMAPE %.3f  %zu "
           "fallbacks, %.0f series/s, %zu seasonal (first: %s); target "
           "< 30 s\n",
           "auto", ta, cpu_used, ta / tn, smape_mean, nf, (double)ns / ta,
           nseasonal, first);
    /* R-faithful ets (maxit 2000) and auto on every 10th series, to show
     * what auto's smaller optimiser budget costs in accuracy */
    size_t nsub = (ns + 9) / 10;
    double *ysub = malloc(nsub * st * sizeof *ysub);
    size_t *lsub = malloc(nsub * sizeof *lsub);
    for (size_t i = 0; i < nsub; i++) {
        memcpy(ysub + i * st, y + i * 10 * st, st * sizeof *ysub);
        lsub[i] = LEN[i * 10];
    }
    double tas = run(ysub, nsub, st, HZ_MODEL_AUTO, &nf, NULL, lsub);
    printf("every 10th series (%zu): auto %.3f s sMAPE %.3f;", nsub, tas,
           smape_mean);
    double te = run(ysub, nsub, st, HZ_MODEL_ETS, &nf, NULL, lsub);
    printf(" ets (R's optimiser budget) %.3f s sMAPE %.3f\n", te, smape_mean);
    free(ysub);
    free(lsub);
    if (!no_r && system("Rscript -e 'suppressMessages(library(forecast))' "
                        ">/dev/null 2>&1") == 0) {
        size_t nr = 0;
        double rt = r_ets(y, ns, st, r_every, &nr);
        if (isfinite(rt)) {
            double per = rt / (double)nr;
            printf("R ets    %8.3f s for %zu series (every %zuth, one core): "
                   "%.4f s/series -> %.0f s for all; Horizon auto is %.0fx "
                   "faster\n",
                   rt, nr, r_every, per, per * (double)ns,
                   per * (double)ns / ta);
        }
    } else if (!no_r) {
        printf("R peer: SKIP (Rscript with forecast not installed)\n");
    }
    free(y);
    free(LEN);
    return 0;
}
