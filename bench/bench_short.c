/* Short seasonal history: generated monthly series with two to three
 * years of history (24, 30 and 36 months) and a yearly pattern, forecast
 * 12 months ahead by every single model and the default; sMAPE and MASE.
 * The default should be at least as accurate as the best single model.
 *
 * usage: bench_short [--series N] [--threads T] */
#include <getopt.h>
#include <omp.h>

#include "bench_rolling.h"

#define H 12

/* Level, trend, a yearly profile (two harmonics, sometimes a December
 * peak) and multiplicative noise; noise from 3% to 20%. */
static void gen(double *y, size_t n, uint64_t seed)
{
    brng r = {seed * 0x9E3779B97F4A7C15ULL + 12345};
    double lvl = 100 + 900 * brng_u(&r), tr = (brng_u(&r) - 0.4) * 0.02;
    double a1 = 0.05 + 0.4 * brng_u(&r), a2 = 0.2 * brng_u(&r);
    double p1 = 2 * M_PI * brng_u(&r), p2 = 2 * M_PI * brng_u(&r);
    double peak = brng_u(&r) < 0.4 ? 0.3 + 0.8 * brng_u(&r) : 0.0;
    double sig = 0.03 + 0.17 * brng_u(&r);
    for (size_t t = 0; t < n; t++) {
        double mo = (double)(t % 12);
        double s = 1 + a1 * sin(2 * M_PI * mo / 12 + p1) +
                   a2 * sin(4 * M_PI * mo / 12 + p2) +
                   (t % 12 == 11 ? peak : 0);
        double v = lvl * (1 + tr * (double)t) * s * (1 + sig * brng_n(&r));
        y[t] = v > 1 ? v : 1;
    }
}

static const char *const MODELS[] = {"auto",   "ets",    "theta", "arima",
                                     "combo",  "snaive", "naive", "drift",
                                     "naive2", "mstl"};
#define NMODELS (sizeof MODELS / sizeof MODELS[0])

int main(int argc, char **argv)
{
    int nser = 300, threads = 0, c;
    static const struct option lo[] = {{"series", required_argument, 0, 's'},
                                       {"threads", required_argument, 0, 't'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
    while ((c = getopt_long(argc, argv, "s:t:h", lo, NULL)) != -1) {
        switch (c) {
        case 's': nser = atoi(optarg); break;
        case 't': threads = atoi(optarg); break;
        default:
            printf("usage: bench_short [--series N] [--threads T]\n");
            return c == 'h' ? 0 : 2;
        }
    }
    if (threads > 0)
        omp_set_num_threads(threads);
    const size_t lens[3] = {24, 30, 36};
    printf("short seasonal history: %d generated monthly series per length, "
           "h = %d\n",
           nser, H);
    printf("  %-8s", "model");
    for (int k = 0; k < 3; k++)
        printf("   n=%zu sMAPE   MASE", lens[k]);
    printf("   all sMAPE   MASE  seconds\n");
    for (size_t m = 0; m < NMODELS; m++) {
        int id;
        hz_fc_model_parse(MODELS[m], &id);
        double sm[4] = {0}, ms[4] = {0}, secs = 0;
        for (int k = 0; k < 3; k++) {
            size_t n = lens[k];
            double s1 = 0, s2 = 0, t0 = hz_now();
#pragma omp parallel for schedule(dynamic, 8) reduction(+ : s1, s2)
            for (int i = 0; i < nser; i++) {
                double y[64];
                const double lv[2] = {80, 95};
                gen(y, n + H, (uint64_t)i + 1000 * (uint64_t)k);
                hz_forecast *f = hz_forecast_alloc(H, 2, lv);
                hz_forecast_series(y, n, 12, id, (uint64_t)i, NULL, f, NULL);
                s1 += hz_smape(y + n, f->mean, H);
                s2 += hz_mase(y, n, 12, y + n, f->mean, H);
                hz_forecast_free(f);
            }
            secs += hz_now() - t0;
            sm[k] = s1 / nser;
            ms[k] = s2 / nser;
            sm[3] += sm[k] / 3;
            ms[3] += ms[k] / 3;
        }
        printf("  %-8s", MODELS[m]);
        for (int k = 0; k < 4; k++)
            printf("   %8.3f %6.4f", sm[k], ms[k]);
        printf(" %8.2f\n", secs);
        fflush(stdout);
    }
    return 0;
}
