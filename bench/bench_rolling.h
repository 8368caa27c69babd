/* Shared pieces of the rolling-origin benchmarks (bench_multi,
 * bench_intermittent, bench_conformal, bench_short): cells (a series cut
 * at an origin), scores, the exchange with an R peer script, and
 * printing.  Header-only. */
#ifndef HZ_BENCH_ROLLING_H
#define HZ_BENCH_ROLLING_H

#pragma GCC diagnostic ignored "-Wformat-truncation"
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "horizon/forecast.h"
#include "horizon/metrics.h"

/* Small seeded generator (LCG + Box-Muller) for the generated series. */
typedef struct brng {
    uint64_t s;
} brng;

static inline double brng_u(brng *r)
{
    r->s = r->s * 6364136223846793005ULL + 1442695040888963407ULL;
    return ((double)(r->s >> 11) + 0.5) * 0x1.0p-53;
}

static inline double brng_n(brng *r)
{
    double u1 = brng_u(r), u2 = brng_u(r);
    return sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);
}

/* One forecast task: series y cut after ntr values, h steps scored. */
typedef struct cell {
    const double *y; /* the whole series (>= ntr + h values) */
    size_t ntr, h;
    hz_seasons seasons;
    int mase_lag; /* seasonal lag of the MASE/MSIS scale */
    int r_heavy;  /* 1: the slow R peers (tbats) run on this cell too */
} cell;

/* Scores summed over cells. */
typedef struct score {
    double mase, smape, rmsse, c80, c95, msis, spl, secs;
    size_t n, fails;
} score;

static inline void score_add(score *s, const cell *c, const hz_forecast *f,
                             double secs)
{
    const double *tr = c->y, *y = c->y + c->ntr;
    size_t h = c->h;
    s->secs += secs;
    double m = hz_mase(tr, c->ntr, c->mase_lag, y, f->mean, h);
    if (!isfinite(m)) {
        s->fails++;
        return;
    }
    s->mase += m;
    s->smape += hz_smape(y, f->mean, h);
    s->rmsse += hz_rmsse(tr, c->ntr, y, f->mean, h);
    s->c80 += hz_coverage(y, f->lower[0], f->upper[0], h);
    s->c95 += hz_coverage(y, f->lower[1], f->upper[1], h);
    s->msis += hz_msis(tr, c->ntr, c->mase_lag, y, f->lower[1], f->upper[1], h,
                       0.05);
    const double *q[5] = {f->lower[1], f->lower[0], f->mean, f->upper[0],
                          f->upper[1]};
    const double tau[5] = {0.025, 0.1, 0.5, 0.9, 0.975};
    s->spl += hz_spl(tr, c->ntr, y, q, tau, 5, h);
    s->n++;
}

static inline void score_header(void)
{
    printf("  %-34s %7s %7s %7s %6s %6s %7s %7s %9s\n", "method", "MASE",
           "RMSSE", "sMAPE", "cov80", "cov95", "MSIS", "SPL", "seconds");
}

static inline void score_print(const char *name, const score *s)
{
    double k = s->n ? (double)s->n : NAN;
    printf("  %-34s %7.4f %7.4f %7.3f %6.3f %6.3f %7.3f %7.4f %9.3f%s\n", name,
           s->mase / k, s->rmsse / k, s->smape / k, s->c80 / k, s->c95 / k,
           s->msis / k, s->spl / k, s->secs,
           s->fails ? "  (some cells failed)" : "");
}

/* Horizon model `model` on every cell (one thread: times comparable with
 * R's, which runs on one core); adds to s. */
static inline void run_horizon(const cell *cells, size_t nc, int model,
                               const int *only_heavy, score *s)
{
    const double lv[2] = {80, 95};
    hz_fc_workspace *w = hz_fc_workspace_alloc(256);
    for (size_t i = 0; i < nc; i++) {
        if (only_heavy && !cells[i].r_heavy)
            continue;
        hz_forecast *f = hz_forecast_alloc(cells[i].h, 2, lv);
        double t0 = hz_now();
        hz_status st = hz_forecast_series_seasons(cells[i].y, cells[i].ntr,
                                                  &cells[i].seasons, 0, model,
                                                  (uint64_t)i + 1, w, f, NULL);
        double t = hz_now() - t0;
        if (st == HZ_OK)
            score_add(s, &cells[i], f, t);
        else
            s->fails++;
        hz_forecast_free(f);
    }
    hz_fc_workspace_free(w);
}

/* ---- the R peer ---------------------------------------------------- */

/* True when Rscript with the forecast package runs. */
static inline int r_available(void)
{
    return system("Rscript -e 'suppressMessages(library(forecast))' "
                  ">/dev/null 2>&1") == 0;
}

/* Write the cells for an R script: one line per cell,
 * "index heavy h nperiods p1 [p2 ..] ntr y1 .. y_ntr". */
static inline int r_write_cells(const char *path, const cell *cells, size_t nc)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    for (size_t i = 0; i < nc; i++) {
        const cell *c = &cells[i];
        fprintf(f, "%zu %d %zu %zu", i, c->r_heavy, c->h, c->seasons.n);
        for (size_t k = 0; k < c->seasons.n; k++)
            fprintf(f, " %.17g", c->seasons.period[k]);
        fprintf(f, " %zu", c->ntr);
        for (size_t t = 0; t < c->ntr; t++)
            fprintf(f, " %.17g", c->y[t]);
        fputc('\n', f);
    }
    return fclose(f);
}

/* Read the R script's output lines "index method seconds mean[h] lo80[h]
 * hi80[h] lo95[h] hi95[h]" and score them per method (names[k], up to
 * nmax methods). */
static inline size_t r_read_scores(const char *path, const cell *cells,
                                   size_t nc, char (*names)[48], score *sc,
                                   size_t nmax)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 0;
    size_t nm = 0, cap = 1 << 20;
    char *line = malloc(cap);
    const double lv[2] = {80, 95};
    while (line != NULL && fgets(line, (int)cap, f)) {
        char meth[48];
        size_t idx;
        double secs;
        int off = 0;
        if (sscanf(line, "%zu %47s %lf%n", &idx, meth, &secs, &off) != 3 ||
            idx >= nc)
            continue;
        size_t k;
        for (k = 0; k < nm && strcmp(names[k], meth) != 0; k++)
            ;
        if (k == nm) {
            if (nm == nmax)
                continue;
            snprintf(names[nm++], 48, "%s", meth);
        }
        const cell *c = &cells[idx];
        hz_forecast *fc = hz_forecast_alloc(c->h, 2, lv);
        double *dst[5] = {fc->mean, fc->lower[0], fc->upper[0], fc->lower[1],
                          fc->upper[1]};
        char *p = line + off;
        int ok = 1;
        for (int a = 0; a < 5 && ok; a++)
            for (size_t t = 0; t < c->h && ok; t++) {
                char *e;
                dst[a][t] = strtod(p, &e);
                ok = e != p;
                p = e;
            }
        if (ok)
            score_add(&sc[k], c, fc, secs);
        else
            sc[k].fails++;
        hz_forecast_free(fc);
    }
    free(line);
    fclose(f);
    return nm;
}

/* Path of a script next to this source file (bench/NAME). */
static inline void bench_script(char *buf, size_t n, const char *self,
                                const char *name)
{
    snprintf(buf, n, "%s", self);
    char *slash = strrchr(buf, '/');
    if (slash != NULL)
        snprintf(slash + 1, n - (size_t)(slash + 1 - buf), "%s", name);
    else
        snprintf(buf, n, "bench/%s", name);
}

#endif
