/* The series of the several-seasons benchmarks (bench_multi,
 * bench_multi_variants): taylor from the shared data and the generated
 * hourly load, daily sales and weekly sales.  Header-only. */
#ifndef HZ_BENCH_MULTI_GEN_H
#define HZ_BENCH_MULTI_GEN_H

#include "bench_rolling.h"

/* Hourly load: a daily level (AR(1) around a trend), weekday and weekend
 * daily profiles, multiplicative noise. */
static inline void gen_load(double *y, size_t n, uint64_t seed)
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
static inline void gen_sales(double *y, size_t n, uint64_t seed)
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
static inline void gen_weekly(double *y, size_t n, uint64_t seed)
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

/* taylor (half-hourly, 4,032 values) into y; returns the count read. */
static inline size_t load_taylor(const char *dir, double *y, size_t cap)
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

#endif
