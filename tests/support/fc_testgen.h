/* Closed-form test series, mirrored in bench/r_fixtures.R so that R's
 * numbers for them (tests/support/r_fixtures.h) can be checked here. */
#ifndef HZ_FC_TESTGEN_H
#define HZ_FC_TESTGEN_H

#include <math.h>
#include <stddef.h>

/* Hourly: daily (24) and weekly (168) seasons, trend, bounded noise. */
static inline void gen_hourly(double *y, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double t = (double)(i + 1);
        y[i] = 50 + 0.02 * t + 8 * sin(2 * M_PI * t / 24) +
               4 * cos(2 * M_PI * t / 168) +
               (double)(((i + 1) * 7919) % 101) / 10 - 5;
    }
}

/* The hourly pattern multiplied: seasons that grow with the level. */
static inline void gen_hourly_mult(double *y, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double t = (double)(i + 1);
        y[i] = exp(log(50) + 0.0005 * t + 0.15 * sin(2 * M_PI * t / 24) +
                   0.08 * cos(2 * M_PI * t / 168) +
                   (double)(((i + 1) * 7919) % 101) / 1000 - 0.05);
    }
}

/* Daily: weekly (7) and yearly (365.25) seasons. */
static inline void gen_daily(double *y, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double t = (double)(i + 1);
        y[i] = 200 + 0.01 * t + 30 * sin(2 * M_PI * t / 7) +
               50 * cos(2 * M_PI * t / 365.25) +
               (double)(((i + 1) * 7919) % 101) / 5 - 10;
    }
}

/* Weekly: trend, a yearly pattern of 52.18 weeks and AR(1) noise from a
 * Park-Miller generator (exact in R's doubles too). */
static inline void gen_weekly(double *y, size_t n, double seed)
{
    double x = seed, e = 0;
    for (size_t t = 1; t <= n; t++) {
        x = fmod(16807 * x, 2147483647);
        e = 0.6 * e + (x / 2147483647 - 0.5);
        y[t - 1] = 1000 + fmod(seed, 5) * (double)t +
                   (100 + 20 * fmod(seed, 7)) * sin(2 * M_PI * t / 52.18) +
                   120 * e;
    }
}

/* Intermittent demand: sizes 1..7 in about 3 of 11 periods. */
static inline void gen_intermittent(double *y, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t t = i + 1;
        y[i] = (t * 37) % 11 < 3 ? (double)((t * 13) % 7 + 1) : 0.0;
    }
}

/* Lumpy demand: rare, widely varying sizes (zeros included). */
static inline void gen_lumpy(double *y, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t t = i + 1;
        y[i] = (t * 53) % 17 < 3 ? (double)(((t * 29) % 23) * ((t * 7) % 3 + 1))
                                 : 0.0;
    }
}

#endif
