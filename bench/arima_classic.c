/* Automatic ARIMA on the classic R data sets: prints the chosen model per
 * series (compare with bench/arima_classic.R, forecast 8.20).
 *
 * usage: arima_classic SHARED_DATA_DIR [R_OUTPUT.tsv]
 * With the R output (from `Rscript bench/arima_classic.R DIR`), prints
 * both models and counts the matches. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "horizon/arima.h"

#define MAXS 64
#define MAXN 10000

typedef struct ser {
    char id[64];
    double f;
    int skip;
    size_t n;
    double *y;
} ser;

static int load(const char *dir, ser *ss, int *ns)
{
    char path[1024], line[512];
    snprintf(path, sizeof path, "%s/classic/classic_meta.csv", dir);
    FILE *fm = fopen(path, "r");
    if (!fm)
        return -1;
    int k = 0;
    if (!fgets(line, sizeof line, fm)) {
        fclose(fm);
        return -1;
    }
    while (k < MAXS && fgets(line, sizeof line, fm)) {
        char *save = NULL;
        char *id = strtok_r(line, ",", &save);
        strtok_r(NULL, ",", &save);            /* package */
        strtok_r(NULL, ",", &save);            /* n */
        char *fr = strtok_r(NULL, ",", &save); /* frequency */
        strtok_r(NULL, ",", &save);
        strtok_r(NULL, ",", &save);
        char *miss = strtok_r(NULL, ",\n", &save);
        if (!id || !fr)
            continue;
        memset(&ss[k], 0, sizeof ss[k]);
        snprintf(ss[k].id, sizeof ss[k].id, "%s", id);
        ss[k].f = atof(fr);
        ss[k].skip = (miss && atoi(miss) > 0) || ss[k].f > 52 || ss[k].f < 1;
        ss[k].y = malloc(MAXN * sizeof(double));
        k++;
    }
    fclose(fm);
    *ns = k;
    snprintf(path, sizeof path, "%s/classic/classic_series.csv", dir);
    FILE *fs = fopen(path, "r");
    if (!fs)
        return -1;
    if (!fgets(line, sizeof line, fs)) {
        fclose(fs);
        return -1;
    }
    while (fgets(line, sizeof line, fs)) {
        char *save = NULL;
        char *id = strtok_r(line, ",", &save);
        strtok_r(NULL, ",", &save);
        strtok_r(NULL, ",", &save);
        char *v = strtok_r(NULL, ",\n", &save);
        if (!id || !v)
            continue;
        for (int i = 0; i < k; i++)
            if (strcmp(ss[i].id, id) == 0 && ss[i].n < MAXN) {
                ss[i].y[ss[i].n++] = (v[0] == 'N') ? 0.0 : atof(v);
                break;
            }
    }
    fclose(fs);
    return 0;
}

static void trace_cb(void *ctx, const char *model, double ic)
{
    (void)ctx;
    printf("   %-50s : %.4f\n", model, ic);
}

int main(int argc, char **argv)
{
    const char *trace = getenv("ARIMA_TRACE"); /* series id to trace */
    if (argc < 2) {
        fprintf(stderr, "usage: %s SHARED_DATA_DIR [R_OUTPUT.tsv]\n", argv[0]);
        return 2;
    }
    static ser ss[MAXS];
    int ns = 0;
    if (load(argv[1], ss, &ns) != 0) {
        fprintf(stderr,
                "arima_classic: classic data not found under %s, "
                "skipping\n",
                argv[1]);
        return 0;
    }
    char rmod[MAXS][128];
    int have_r[MAXS] = {0};
    if (argc > 2) {
        FILE *fr = fopen(argv[2], "r");
        char line[512];
        while (fr && fgets(line, sizeof line, fr)) {
            char *save = NULL;
            char *id = strtok_r(line, "\t", &save);
            strtok_r(NULL, "\t", &save);
            strtok_r(NULL, "\t", &save);
            char *mod = strtok_r(NULL, "\t", &save);
            for (int i = 0; i < ns && id && mod; i++)
                if (strcmp(ss[i].id, id) == 0) {
                    snprintf(rmod[i], sizeof rmod[i], "%s", mod);
                    have_r[i] = 1;
                }
        }
        if (fr)
            fclose(fr);
    }
    int match = 0, total = 0;
    double tsum = 0.0;
    printf("%-16s %5s %3s  %-42s %-42s %8s\n", "series", "n", "m", "horizon",
           "R forecast 8.20", "ms");
    for (int i = 0; i < ns; i++) {
        if (ss[i].skip)
            continue;
        hz_arima_opts o;
        hz_arima_opts_default(&o);
        if (trace && strcmp(trace, ss[i].id) == 0)
            o.trace = trace_cb;
        hz_arima_model mdl;
        hz_error err;
        double t0 = hz_now();
        hz_status st = hz_arima_auto(ss[i].y, ss[i].n, (int)(ss[i].f + 0.5),
                                     &o, &mdl, &err);
        double t1 = hz_now();
        tsum += t1 - t0;
        char buf[128];
        if (st == HZ_OK)
            hz_arima_string(&mdl, buf, sizeof buf);
        else
            snprintf(buf, sizeof buf, "error: %.100s", err.msg);
        int same = have_r[i] && strcmp(buf, rmod[i]) == 0;
        if (have_r[i]) {
            total++;
            match += same;
        }
        printf("%-16s %5zu %3d  %-42s %-42s %8.1f %s\n", ss[i].id, ss[i].n,
               (int)(ss[i].f + 0.5), buf, have_r[i] ? rmod[i] : "-",
               (t1 - t0) * 1e3, have_r[i] ? (same ? "same" : "DIFF") : "");
        hz_arima_model_free(&mdl);
    }
    if (total > 0)
        printf("matches: %d of %d; horizon total %.3f s\n", match, total,
               tsum);
    for (int i = 0; i < ns; i++)
        free(ss[i].y);
    return 0;
}
