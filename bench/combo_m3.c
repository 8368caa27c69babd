/* M3 monthly (h = 18): ETS, ARIMA, Theta, their combinations and the
 * per-series selection (hz_select_forecast, rolling-origin validation on
 * the training part only).  sMAPE, MASE, 80/95% coverage and wall time.
 *
 * usage: combo_m3 SHARED_DATA_DIR
 * env: COMBO_M3_EVERY=K (every K-th series), COMBO_M3_NOSELECT=1 (skip the
 * selection, which costs about three single fits per series) */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "horizon/arima.h"
#include "horizon/combo.h"
#include "horizon/forecast.h"

typedef struct ser {
    char id[16];
    double *y, *yt;
    size_t n, nt, cap, capt;
} ser;

#define NC (3 + 5 + 1) /* ets, arima, theta, 5 combos, select */
static const char *cname[NC] = {
    "ETS",         "ARIMA",         "Theta",
    "mean(E,A,T)", "median(E,A,T)", "mean(E,T)",
    "mean(A,T)",   "mean(E,A)",     "auto: selection by validation"};

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
    int last = -1;
    while (fgets(line, sizeof line, f)) {
        char *save = NULL;
        char *id = strtok_r(line, ",", &save);
        strtok_r(NULL, ",", &save);
        strtok_r(NULL, ",", &save);
        char *v = strtok_r(NULL, ",\n", &save);
        if (!id || !v)
            continue;
        int k = -1;
        if (last >= 0 && strcmp((*ss)[last].id, id) == 0)
            k = last;
        for (int i = 0; k < 0 && i < *ns; i++)
            if (strcmp((*ss)[i].id, id) == 0)
                k = i;
        if (k < 0) {
            if (*ns == *cap) {
                *cap = *cap ? *cap * 2 : 256;
                *ss = bench_realloc(*ss, (size_t)*cap * sizeof **ss);
            }
            k = (*ns)++;
            memset(&(*ss)[k], 0, sizeof(ser));
            snprintf((*ss)[k].id, sizeof(*ss)[k].id, "%s", id);
        }
        last = k;
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

static void acc(const ser *s, const double *f, const double *lo80,
                const double *hi80, const double *lo95, const double *hi95,
                double *r)
{
    double sm = 0, ae = 0, scale = 0;
    int c8 = 0, c9 = 0;
    for (size_t i = 0; i < s->nt; i++) {
        double y = s->yt[i];
        sm += 200.0 * fabs(y - f[i]) / (fabs(y) + fabs(f[i]));
        ae += fabs(y - f[i]);
        c8 += y >= lo80[i] && y <= hi80[i];
        c9 += y >= lo95[i] && y <= hi95[i];
    }
    for (size_t t = 12; t < s->n; t++)
        scale += fabs(s->y[t] - s->y[t - 12]);
    scale /= (double)(s->n - 12);
    r[0] = sm / (double)s->nt;
    r[1] = ae / (double)s->nt / scale;
    r[2] = (double)c8 / (double)s->nt;
    r[3] = (double)c9 / (double)s->nt;
}

static double med3(double a, double b, double c)
{
    if (a > b) {
        double t = a;
        a = b;
        b = t;
    }
    if (b > c)
        b = c;
    return a > b ? a : b;
}

/* Scores of one run: res[(k * NC + c) * 4 ..] the accuracy of method c
 * on the k-th selected series, okc[k * NC + c] whether it ran. */
typedef struct scores {
    double *res;
    int *okc, *chosen;
} scores;

static void score_into(const ser *s, const hz_forecast *f, scores *sc, int k,
                       int c)
{
    acc(s, f->mean, f->lower[0], f->upper[0], f->lower[1], f->upper[1],
        sc->res + ((size_t)k * NC + c) * 4);
    sc->okc[k * NC + c] = 1;
}

/* ETS, ARIMA and Theta on s into m[0..3), okm[b] whether each ran; their
 * times add to tm[0..3). */
static void fit_members(const ser *s, hz_fc_workspace *w, hz_forecast **m,
                        int *okm, double *tm)
{
    for (int b = 0; b < 3; b++) {
        double a = hz_now();
        hz_status st;
        if (b == 0)
            st = hz_forecast_series(s->y, s->n, 12, HZ_MODEL_ETS, 42, w, m[b],
                                    NULL);
        else if (b == 1)
            st = hz_arima_forecast(s->y, s->n, 12, NULL, m[b], NULL);
        else
            st = hz_forecast_series(s->y, s->n, 12, HZ_MODEL_THETA, 42, w,
                                    m[b], NULL);
        tm[b] += hz_now() - a;
        okm[b] = st == HZ_OK;
    }
}

/* Combination c (members by bit mask mk[c]; c == 1 the median, else the
 * mean) of the members m into cb, point and interval bounds alike.  0 when
 * a member is missing. */
static int combine_members(int c, hz_forecast *const *m, const int *okm,
                           size_t nt, hz_forecast *cb)
{
    static const int mk[5] = {7, 7, 5, 6, 3};
    for (int b = 0; b < 3; b++)
        if ((mk[c] & (1 << b)) && !okm[b])
            return 0;
    for (size_t i = 0; i < nt; i++) {
        double v[3][5];
        int q = 0;
        for (int b = 0; b < 3; b++) {
            if (!(mk[c] & (1 << b)))
                continue;
            v[q][0] = m[b]->mean[i];
            v[q][1] = m[b]->lower[0][i];
            v[q][2] = m[b]->upper[0][i];
            v[q][3] = m[b]->lower[1][i];
            v[q][4] = m[b]->upper[1][i];
            q++;
        }
        double o[5];
        for (int j = 0; j < 5; j++) {
            if (c == 1)
                o[j] = med3(v[0][j], v[1][j], v[2][j]);
            else {
                double sum = 0;
                for (int g = 0; g < q; g++)
                    sum += v[g][j];
                o[j] = sum / q;
            }
        }
        cb->mean[i] = o[0];
        cb->lower[0][i] = o[1];
        cb->upper[0][i] = o[2];
        cb->lower[1][i] = o[3];
        cb->upper[1][i] = o[4];
    }
    return 1;
}

/* Every method on the k-th selected series s. */
static void run_series(const ser *s, int k, hz_fc_workspace *w, double *tm,
                       scores *sc)
{
    double lv[2] = {80, 95};
    hz_forecast *m[3], *cb = hz_forecast_alloc(s->nt, 2, lv);
    int okm[3];
    for (int b = 0; b < 3; b++)
        m[b] = hz_forecast_alloc(s->nt, 2, lv);
    fit_members(s, w, m, okm, tm);
    for (int b = 0; b < 3; b++)
        if (okm[b])
            score_into(s, m[b], sc, k, b);
    for (int c = 0; c < 5; c++)
        if (combine_members(c, m, okm, s->nt, cb))
            score_into(s, cb, sc, k, 3 + c);
    if (getenv("COMBO_M3_NOSELECT") == NULL) {
        double a = hz_now();
        hz_status st = hz_select_forecast(s->y, s->n, 12, NULL, w, cb,
                                          &sc->chosen[k], NULL);
        tm[NC - 1] += hz_now() - a;
        if (st == HZ_OK)
            score_into(s, cb, sc, k, NC - 1);
    }
    for (int b = 0; b < 3; b++)
        hz_forecast_free(m[b]);
    hz_forecast_free(cb);
}

/* The accuracy table and the selection histogram. */
static void print_results(const scores *sc, int nsel, const double *tm)
{
    printf("%-32s %8s %8s %7s %7s %6s %10s\n", "method", "sMAPE", "MASE",
           "cov80", "cov95", "n", "s/series");
    for (int c = 0; c < NC; c++) {
        double r[4] = {0};
        int cnt = 0;
        for (int k = 0; k < nsel; k++) {
            if (!sc->okc[k * NC + c])
                continue;
            cnt++;
            for (int j = 0; j < 4; j++)
                r[j] += sc->res[((size_t)k * NC + c) * 4 + j];
        }
        double t = c < 3 ? tm[c] : (c == NC - 1 ? tm[NC - 1] : NAN);
        printf("%-32s %8.3f %8.4f %7.3f %7.3f %6d %10.4f\n", cname[c],
               r[0] / cnt, r[1] / cnt, r[2] / cnt, r[3] / cnt, cnt, t / nsel);
    }
    int hist[HZ_SEL_COUNT] = {0};
    for (int k = 0; k < nsel; k++)
        if (sc->chosen[k] >= 0 && sc->chosen[k] < HZ_SEL_COUNT)
            hist[sc->chosen[k]]++;
    printf("selection: ");
    for (int c = 0; c < HZ_SEL_COUNT; c++)
        printf("%s %d%s", hz_select_cand_name(c), hist[c],
               c + 1 < HZ_SEL_COUNT ? ", " : "\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s SHARED_DATA_DIR\n", argv[0]);
        return 2;
    }
    char path[1024];
    ser *ss = NULL;
    int ns = 0, cap = 0;
    snprintf(path, sizeof path, "%s/m3/m3_monthly_train.csv", argv[1]);
    if (load(path, &ss, &ns, &cap, 0) != 0) {
        fprintf(stderr, "combo_m3: %s not found, skipping\n", path);
        return 0;
    }
    snprintf(path, sizeof path, "%s/m3/m3_monthly_test.csv", argv[1]);
    if (load(path, &ss, &ns, &cap, 1) != 0) {
        fprintf(stderr, "combo_m3: %s not found, skipping\n", path);
        return 0;
    }
    if (ns == 0) {
        fprintf(stderr, "combo_m3: no series in %s\n", path);
        return 1;
    }
    const char *ev = getenv("COMBO_M3_EVERY");
    int every = ev ? atoi(ev) : 1;
    if (every < 1)
        every = 1;
    int nsel = (ns + every - 1) / every;
    scores sc = {calloc((size_t)nsel * NC * 4, sizeof(double)),
                 calloc((size_t)nsel * NC, sizeof(int)),
                 calloc((size_t)nsel, sizeof(int))};
    if (sc.res == NULL || sc.okc == NULL || sc.chosen == NULL) {
        fprintf(stderr, "combo_m3: out of memory\n");
        free(sc.res);
        free(sc.okc);
        free(sc.chosen);
        return 1;
    }
    double tm[NC] = {0};
    double t0 = hz_now();
#pragma omp parallel reduction(+ : tm[:NC])
    {
        hz_fc_workspace *w = hz_fc_workspace_alloc(256);
#pragma omp for schedule(dynamic, 1)
        for (int k = 0; k < nsel; k++)
            run_series(&ss[k * every], k, w, tm, &sc);
        hz_fc_workspace_free(w);
    }
    double wall = hz_now() - t0;
    printf("M3 monthly, %d series (every %d), h = 18, %d threads, wall "
           "%.1f s\n",
           nsel, every, omp_get_max_threads(), wall);
    print_results(&sc, nsel, tm);
    for (int i = 0; i < ns; i++) {
        free(ss[i].y);
        free(ss[i].yt);
    }
    free(ss);
    free(sc.res);
    free(sc.okc);
    free(sc.chosen);
    return 0;
}
