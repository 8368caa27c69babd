/* Automatic ARIMA on M3 monthly (1428 series, h = 18): sMAPE, MASE,
 * 80/95% interval coverage and wall time, OpenMP over series (longest
 * first).  With the output of bench/arima_m3.R (R auto.arima on every
 * 10th series, run in the same session) it prints R's figures on that
 * subset, Horizon's on the same subset, model agreement and the speed
 * ratio per series.
 *
 * usage: arima_m3 SHARED_DATA_DIR [R_OUTPUT.tsv] [PER_SERIES_OUT.tsv] */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "horizon/arima.h"

typedef struct ser {
    char id[16];
    double *y, *yt;
    size_t n, nt, cap, capt;
    char model[96];
    double smape, mase, c80, c95, secs;
    int ok;
} ser;

static int find_or_add(ser **ss, int *ns, int *cap, const char *id)
{
    if (*ns > 0 && strcmp((*ss)[*ns - 1].id, id) == 0)
        return *ns - 1;
    for (int i = 0; i < *ns; i++)
        if (strcmp((*ss)[i].id, id) == 0)
            return i;
    if (*ns == *cap) {
        *cap = *cap ? *cap * 2 : 256;
        *ss = bench_realloc(*ss, (size_t)*cap * sizeof **ss);
    }
    ser *s = &(*ss)[(*ns)++];
    memset(s, 0, sizeof *s);
    snprintf(s->id, sizeof s->id, "%s", id);
    return *ns - 1;
}

static int load(const char *path, ser **ss, int *ns, int *cap, int test)
{
    FILE *f = fopen(path, "r");
    char line[256];
    if (!f)
        return -1;
    if (!fgets(line, sizeof line, f)) {
        fclose(f);
        return -1;
    }
    while (fgets(line, sizeof line, f)) {
        char *save = NULL;
        char *id = strtok_r(line, ",", &save);
        strtok_r(NULL, ",", &save);
        strtok_r(NULL, ",", &save);
        char *v = strtok_r(NULL, ",\n", &save);
        if (!id || !v)
            continue;
        int k = find_or_add(ss, ns, cap, id);
        ser *s = &(*ss)[k];
        double **arr = test ? &s->yt : &s->y;
        size_t *len = test ? &s->nt : &s->n, *cp = test ? &s->capt : &s->cap;
        if (*len == *cp) {
            *cp = *cp ? *cp * 2 : 64;
            *arr = bench_realloc(*arr, *cp * sizeof **arr);
        }
        (*arr)[(*len)++] = atof(v);
    }
    fclose(f);
    return 0;
}

static int by_len_desc(const void *a, const void *b, void *ctx)
{
    const ser *ss = ctx;
    size_t na = ss[*(const int *)a].n, nb = ss[*(const int *)b].n;
    return (na < nb) - (na > nb);
}

static ser *g_ss;
static int cmp_idx(const void *a, const void *b)
{
    return by_len_desc(a, b, g_ss);
}

static void score(ser *s, const hz_forecast *fc)
{
    double sm = 0.0, ae = 0.0, scale = 0.0;
    int c80 = 0, c95 = 0;
    for (size_t i = 0; i < s->nt; i++) {
        double y = s->yt[i], f = fc->mean[i];
        sm += 200.0 * fabs(y - f) / (fabs(y) + fabs(f));
        ae += fabs(y - f);
        c80 += y >= fc->lower[0][i] && y <= fc->upper[0][i];
        c95 += y >= fc->lower[1][i] && y <= fc->upper[1][i];
    }
    for (size_t t = 12; t < s->n; t++)
        scale += fabs(s->y[t] - s->y[t - 12]);
    scale /= (double)(s->n - 12);
    s->smape = sm / (double)s->nt;
    s->mase = ae / (double)s->nt / scale;
    s->c80 = (double)c80 / (double)s->nt;
    s->c95 = (double)c95 / (double)s->nt;
}

/* ARIMA_M3_EVERY=K: keep only every K-th series (quick runs). */
static int keep_every(ser *ss, int ns, int every)
{
    if (every <= 1)
        return ns;
    int k = 0;
    for (int i = 0; i < ns; i += every) {
        ser tmp = ss[k];
        ss[k] = ss[i];
        ss[i] = tmp;
        k++;
    }
    for (int i = k; i < ns; i++) {
        free(ss[i].y);
        free(ss[i].yt);
    }
    return k;
}

/* auto ARIMA on every series, longest first; returns the wall time. */
static double fit_all(ser *ss, int ns)
{
    int *order = malloc((size_t)ns * sizeof *order);
    if (order == NULL) {
        fprintf(stderr, "arima_m3: out of memory\n");
        exit(1);
    }
    for (int i = 0; i < ns; i++)
        order[i] = i;
    g_ss = ss;
    qsort(order, (size_t)ns, sizeof *order, cmp_idx);
    double t0 = hz_now();
#pragma omp parallel for schedule(dynamic, 1)
    for (int k = 0; k < ns; k++) {
        ser *s = &ss[order[k]];
        double lv[2] = {80, 95};
        hz_forecast *fc = hz_forecast_alloc(s->nt, 2, lv);
        hz_error err;
        double a = hz_now();
        hz_status st = hz_arima_forecast(s->y, s->n, 12, NULL, fc, &err);
        s->secs = hz_now() - a;
        if (st == HZ_OK) {
            s->ok = 1;
            snprintf(s->model, sizeof s->model, "%s", fc->method);
            score(s, fc);
        } else {
            snprintf(s->model, sizeof s->model, "error: %.80s", err.msg);
        }
        hz_forecast_free(fc);
    }
    free(order);
    return hz_now() - t0;
}

static void print_summary(const ser *ss, int ns, double wall)
{
    double sm = 0, ms = 0, c8 = 0, c9 = 0, cpu = 0;
    int nok = 0;
    for (int i = 0; i < ns; i++) {
        cpu += ss[i].secs;
        if (!ss[i].ok)
            continue;
        nok++;
        sm += ss[i].smape;
        ms += ss[i].mase;
        c8 += ss[i].c80;
        c9 += ss[i].c95;
    }
    printf("Horizon auto ARIMA, M3 monthly: %d series (%d fitted), %d "
           "threads\n",
           ns, nok, omp_get_max_threads());
    printf("  sMAPE %.3f  MASE %.4f  coverage 80%% %.3f  95%% %.3f\n",
           sm / nok, ms / nok, c8 / nok, c9 / nok);
    printf("  wall %.2f s (%.4f s/series), summed per-series time %.2f s "
           "(%.4f s/series)\n",
           wall, wall / ns, cpu, cpu / ns);
}

/* Sums over the series both R (rpath: id, model, sMAPE, MASE, cov80,
 * cov95, seconds; tab-separated) and Horizon fitted. */
typedef struct rsums {
    double rsm, rms, r8, r9, rt, hsm, hms, h8, h9, ht;
    int nr, same;
} rsums;

static void add_r_line(char *line, const ser *ss, int ns, rsums *t)
{
    char *save = NULL;
    char *id = strtok_r(line, "\t", &save);
    char *mod = strtok_r(NULL, "\t", &save);
    char *a1 = strtok_r(NULL, "\t", &save);
    char *a2 = strtok_r(NULL, "\t", &save);
    char *a3 = strtok_r(NULL, "\t", &save);
    char *a4 = strtok_r(NULL, "\t", &save);
    char *a5 = strtok_r(NULL, "\t\n", &save);
    if (!id || !a5)
        return;
    for (int i = 0; i < ns; i++) {
        if (strcmp(ss[i].id, id) != 0 || !ss[i].ok)
            continue;
        t->nr++;
        t->rsm += atof(a1);
        t->rms += atof(a2);
        t->r8 += atof(a3);
        t->r9 += atof(a4);
        t->rt += atof(a5);
        t->hsm += ss[i].smape;
        t->hms += ss[i].mase;
        t->h8 += ss[i].c80;
        t->h9 += ss[i].c95;
        t->ht += ss[i].secs;
        t->same += strcmp(mod, ss[i].model) == 0;
        return;
    }
}

/* R's auto.arima on the same series (from R_OUTPUT.tsv), side by side. */
static void compare_with_r(const char *rpath, const ser *ss, int ns,
                           double wall)
{
    FILE *fr = fopen(rpath, "r");
    char line[512];
    rsums t = {0};
    if (fr && fgets(line, sizeof line, fr))
        while (fgets(line, sizeof line, fr))
            add_r_line(line, ss, ns, &t);
    if (fr)
        fclose(fr);
    if (t.nr == 0)
        return;
    int nr = t.nr;
    printf("R subset (%d series, same session):\n", nr);
    printf("  R auto.arima  sMAPE %.3f  MASE %.4f  cov %.3f/%.3f  "
           "%.3f s/series\n",
           t.rsm / nr, t.rms / nr, t.r8 / nr, t.r9 / nr, t.rt / nr);
    printf("  Horizon       sMAPE %.3f  MASE %.4f  cov %.3f/%.3f  "
           "%.4f s/series (per-series time)\n",
           t.hsm / nr, t.hms / nr, t.h8 / nr, t.h9 / nr, t.ht / nr);
    printf("  same model as R: %d of %d\n", t.same, nr);
    printf("  speed ratio R / Horizon per series: %.0fx "
           "(single-series time), %.0fx (wall over all %d series)\n",
           (t.rt / nr) / (t.ht / nr), (t.rt / nr) / (wall / ns), ns);
}

static void write_per_series(const char *path, const ser *ss, int ns)
{
    FILE *fo = fopen(path, "w");
    if (fo == NULL)
        return;
    fprintf(fo, "series\tn\tmodel\tsmape\tmase\tcov80\tcov95\t"
                "seconds\n");
    for (int i = 0; i < ns; i++)
        fprintf(fo, "%s\t%zu\t%s\t%.6f\t%.6f\t%.4f\t%.4f\t%.5f\n", ss[i].id,
                ss[i].n, ss[i].model, ss[i].smape, ss[i].mase, ss[i].c80,
                ss[i].c95, ss[i].secs);
    fclose(fo);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr,
                "usage: %s SHARED_DATA_DIR [R_OUTPUT.tsv] "
                "[PER_SERIES_OUT.tsv]\n",
                argv[0]);
        return 2;
    }
    char path[1024];
    ser *ss = NULL;
    int ns = 0, cap = 0;
    snprintf(path, sizeof path, "%s/m3/m3_monthly_train.csv", argv[1]);
    if (load(path, &ss, &ns, &cap, 0) != 0) {
        fprintf(stderr, "arima_m3: %s not found, skipping\n", path);
        return 0;
    }
    snprintf(path, sizeof path, "%s/m3/m3_monthly_test.csv", argv[1]);
    if (load(path, &ss, &ns, &cap, 1) != 0) {
        fprintf(stderr, "arima_m3: %s not found, skipping\n", path);
        return 0;
    }
    if (ns == 0) {
        fprintf(stderr, "arima_m3: no series in %s\n", path);
        return 1;
    }
    const char *ev = getenv("ARIMA_M3_EVERY");
    ns = keep_every(ss, ns, ev ? atoi(ev) : 1);
    double wall = fit_all(ss, ns);
    print_summary(ss, ns, wall);
    if (argc > 2)
        compare_with_r(argv[2], ss, ns, wall);
    if (argc > 3)
        write_per_series(argv[3], ss, ns);
    for (int i = 0; i < ns; i++) {
        free(ss[i].y);
        free(ss[i].yt);
    }
    free(ss);
    return 0;
}
