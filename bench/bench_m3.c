/* M3 monthly benchmark: every Horizon model on the 1428 M3 monthly series
 * (horizon 18), sMAPE / MASE / OWA / interval coverage / wall time, next to
 * the reference figures of ../shared/data/m3/README.md; with R's forecast
 * package installed, ets() and thetaf() run on every 10th series in the
 * same run for an accuracy check and a speed ratio.
 *
 * usage: bench_m3 M3_DIR [--methods ets,theta,...] [--threads N]
 *                 [--r-every K] [--no-r] [--limit N] [--dump FILE]
 *                 [--bias-correct]
 *
 * --bias-correct also forecasts every series as the request runner does
 * (hz_forecast_many) with rolling-origin errors and prints each method
 * twice more: as it comes, and moved by hz_recon_bias_correct (the bias
 * correction of --reconcile ... --bias-correct on, here on single series),
 * with the share of series it moved.
 *
 * --dump FILE writes every forecast (method, series, model, point and
 * bounds at full precision) so that two builds can be compared digit for
 * digit (cmp FILE1 FILE2). */
#pragma GCC diagnostic ignored "-Wformat-truncation"
#include <getopt.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench_util.h"
#include "horizon/forecast.h"
#include "horizon/metrics.h"
#include "horizon/reconcile.h"

#define H 18
#define M 12

typedef struct series {
    char id[32];
    double *train, *test;
    size_t n, ntest, cap, tcap;
} series;

typedef struct acc {
    double smape, mase, c80, c95;
    int ok;
} acc;

static series *S;
static size_t NS, CAPS;

static series *find_or_add(const char *id)
{
    if (NS > 0 && strcmp(S[NS - 1].id, id) == 0)
        return &S[NS - 1];
    for (size_t i = 0; i < NS; i++)
        if (strcmp(S[i].id, id) == 0)
            return &S[i];
    if (NS == CAPS) {
        CAPS = CAPS ? 2 * CAPS : 256;
        S = bench_realloc(S, CAPS * sizeof *S);
    }
    memset(&S[NS], 0, sizeof S[NS]);
    snprintf(S[NS].id, sizeof S[NS].id, "%s", id);
    return &S[NS++];
}

static int load(const char *path, int test)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    char line[256];
    if (fgets(line, sizeof line, f) == NULL) {
        fclose(f);
        return -1;
    }
    while (fgets(line, sizeof line, f)) {
        char *c1 = strchr(line, ',');
        if (c1 == NULL)
            continue;
        *c1 = '\0';
        char *last = strrchr(c1 + 1, ',');
        if (last == NULL)
            continue;
        double v = strtod(last + 1, NULL);
        series *s = find_or_add(line);
        double **arr = test ? &s->test : &s->train;
        size_t *n = test ? &s->ntest : &s->n;
        size_t *cap = test ? &s->tcap : &s->cap;
        if (*n == *cap) {
            *cap = *cap ? 2 * *cap : 64;
            *arr = bench_realloc(*arr, *cap * sizeof(double));
        }
        (*arr)[(*n)++] = v;
    }
    fclose(f);
    return 0;
}

static acc score(const series *s, const hz_forecast *fc)
{
    acc a = {0};
    size_t h = s->ntest < H ? s->ntest : H;
    a.smape = hz_smape(s->test, fc->mean, h);
    a.mase = hz_mase(s->train, s->n, M, s->test, fc->mean, h);
    a.c80 = hz_coverage(s->test, fc->lower[0], fc->upper[0], h);
    a.c95 = hz_coverage(s->test, fc->lower[1], fc->upper[1], h);
    a.ok = isfinite(a.smape) && isfinite(a.mase);
    return a;
}

static void summarize(const acc *a, const size_t *idx, size_t n, double *out4)
{
    double s[4] = {0, 0, 0, 0};
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const acc *x = &a[idx ? idx[i] : i];
        if (!x->ok)
            continue;
        s[0] += x->smape;
        s[1] += x->mase;
        s[2] += x->c80;
        s[3] += x->c95;
        k++;
    }
    for (int j = 0; j < 4; j++)
        out4[j] = k ? s[j] / (double)k : NAN;
}

/* Every forecast of one method at full precision (--dump). */
static void dump_forecasts(FILE *f, const char *method, hz_forecast **fcs)
{
    for (size_t i = 0; i < NS; i++) {
        const hz_forecast *fc = fcs[i];
        if (fc == NULL)
            continue;
        fprintf(f, "%s,%s,%s,%s", method, S[i].id, fc->method, fc->note);
        for (size_t t = 0; t < fc->h; t++)
            fprintf(f, ",%.17g,%.17g,%.17g,%.17g,%.17g", fc->mean[t],
                    fc->lower[0][t], fc->upper[0][t], fc->lower[1][t],
                    fc->upper[1][t]);
        fputc('\n', f);
    }
}

static int cmp_len_desc(const void *a, const void *b)
{
    size_t x = S[*(const size_t *)a].n, y = S[*(const size_t *)b].n;
    return x < y ? 1 : x > y ? -1 : 0;
}

typedef struct options {
    const char *methods, *dir, *dump;
    int threads, r_every, no_r, bias;
    size_t limit;
} options;

/* The run's state shared by the steps of main. */
typedef struct run {
    size_t *order;     /* series, longest first */
    size_t *sub, nsub; /* the every-K-th subset compared with R */
    acc *res_ets, *res_theta;
    hz_forecast **fcs_ets; /* auto-ETS forecasts (for the model mix) */
    double naive2_s, naive2_m;
    FILE *dump; /* --dump */
} run;

static const double levels[2] = {80, 95};

/* 0 to go on, else the exit code + 1 (help: 1, usage error: 3). */
static int parse_args(int argc, char **argv, options *o)
{
    o->methods = "auto,ets,theta,arima,naive2,snaive,naive,drift,combo";
    o->threads = 0;
    o->r_every = 10;
    o->no_r = 0;
    o->limit = 0;
    o->dump = NULL;
    o->bias = 0;
    static const struct option lo[] = {{"methods", required_argument, 0, 'm'},
                                       {"threads", required_argument, 0, 't'},
                                       {"r-every", required_argument, 0, 'r'},
                                       {"no-r", no_argument, 0, 'n'},
                                       {"limit", required_argument, 0, 'l'},
                                       {"dump", required_argument, 0, 'd'},
                                       {"bias-correct", no_argument, 0, 'b'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "m:t:r:nl:d:bh", lo, NULL)) != -1) {
        switch (c) {
        case 'm': o->methods = optarg; break;
        case 't': o->threads = atoi(optarg); break;
        case 'r': o->r_every = atoi(optarg); break;
        case 'n': o->no_r = 1; break;
        case 'l': o->limit = (size_t)atol(optarg); break;
        case 'd': o->dump = optarg; break;
        case 'b': o->bias = 1; break;
        case 'h':
            printf("usage: bench_m3 M3_DIR [--methods LIST] [--threads N] "
                   "[--r-every K] [--no-r] [--limit N] [--dump FILE] "
                   "[--bias-correct]\n");
            return 1;
        default: return 3;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "usage: bench_m3 M3_DIR (e.g. ../shared/data/m3)\n");
        return 3;
    }
    o->dir = argv[optind];
    return 0;
}

/* Forecast every series with model; print its accuracy line; keep the
 * ETS and Theta results in R for the comparison with R. */
static void run_method(const char *tok, int model, run *R)
{
    acc *res = calloc(NS, sizeof *res);
    hz_forecast **fcs = calloc(NS, sizeof *fcs);
    size_t nfall = 0;
    double t0 = hz_now();
#pragma omp parallel reduction(+ : nfall)
    {
        hz_fc_workspace *w = hz_fc_workspace_alloc(256);
#pragma omp for schedule(dynamic, 1)
        for (size_t k = 0; k < NS; k++) {
            size_t i = R->order[k];
            hz_forecast *fc = hz_forecast_alloc(H, 2, levels);
            uint64_t seed = 0;
            for (const char *p = S[i].id; *p; p++)
                seed = seed * 131 + (unsigned char)*p;
            hz_error err;
            if (hz_forecast_series(S[i].train, S[i].n, M, model, seed, w, fc,
                                   &err) == HZ_OK) {
                res[i] = score(&S[i], fc);
                if (fc->note[0])
                    nfall++;
            }
            fcs[i] = fc;
        }
        hz_fc_workspace_free(w);
    }
    double secs = hz_now() - t0;
    double all[4], subm[4];
    summarize(res, NULL, NS, all);
    summarize(res, R->sub, R->nsub, subm);
    if (model == HZ_MODEL_NAIVE2) {
        R->naive2_s = all[0];
        R->naive2_m = all[1];
    }
    printf("%-8s %8.3f %8.4f %7.3f %7.3f %7.3f %8.2f %9zu  %.3f\n", tok,
           all[0], all[1], hz_owa(all[0], all[1], R->naive2_s, R->naive2_m),
           all[2], all[3], secs, nfall, subm[0]);
    fflush(stdout);
    if (model == HZ_MODEL_ETS && R->res_ets == NULL) {
        R->res_ets = res;
        R->fcs_ets = fcs;
        res = NULL;
        fcs = NULL;
    } else if (model == HZ_MODEL_THETA && R->res_theta == NULL) {
        R->res_theta = res;
        res = NULL;
    }
    if (R->dump != NULL)
        dump_forecasts(R->dump, tok, fcs ? fcs : R->fcs_ets);
    for (size_t i = 0; fcs && i < NS; i++)
        hz_forecast_free(fcs[i]);
    free(fcs);
    free(res);
}

/* --bias-correct: every series forecast by hz_forecast_many with its
 * rolling-origin errors, scored as it comes and after
 * hz_recon_bias_correct (one series at a time). */
static void run_bias(const char *tok, int model, const run *R)
{
    const size_t Rb = hz_recon_bias_origins(H, M);
    const double **y = malloc(NS * sizeof *y);
    size_t *n = malloc(NS * sizeof *n), moved = 0;
    double *e = malloc(NS * Rb * H * sizeof *e);
    hz_forecast **fcs = calloc(NS, sizeof *fcs);
    acc *r0 = calloc(NS, sizeof *r0), *r1 = calloc(NS, sizeof *r1);
    if (y == NULL || n == NULL || e == NULL || fcs == NULL || r0 == NULL ||
        r1 == NULL) {
        fprintf(stderr, "bench_m3: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < NS; i++) {
        y[i] = S[i].train;
        n[i] = S[i].n;
        fcs[i] = hz_forecast_alloc(H, 2, levels);
    }
    hz_fc_batch b;
    hz_fc_batch_init(&b);
    b.nseries = NS;
    b.y = y;
    b.n = n;
    b.period = M;
    b.model = model;
    b.errors = e;
    b.err_origins = Rb;
    double t0 = hz_now();
    hz_error err;
    if (hz_forecast_many(&b, fcs, &err) != HZ_OK) {
        fprintf(stderr, "bench_m3: %s\n", err.msg);
        exit(1);
    }
    double secs = hz_now() - t0;
    for (size_t i = 0; i < NS; i++) {
        r0[i] = score(&S[i], fcs[i]);
        hz_recon_steps st = {e + i * Rb * H, Rb, true};
        moved += hz_recon_bias_correct(1, H, &st, NULL, &fcs[i], NULL, NULL) > 0;
        r1[i] = score(&S[i], fcs[i]);
    }
    double a0[4], a1[4], s0[4], s1[4];
    summarize(r0, NULL, NS, a0);
    summarize(r1, NULL, NS, a1);
    summarize(r0, R->sub, R->nsub, s0);
    summarize(r1, R->sub, R->nsub, s1);
    printf("%-8s %8.3f %8.4f %7.3f %7.3f %7.3f %8.2f %9s  %.3f  (batch, as "
           "it comes)\n",
           tok, a0[0], a0[1], hz_owa(a0[0], a0[1], R->naive2_s, R->naive2_m),
           a0[2], a0[3], secs, "-", s0[0]);
    printf("%-8s %8.3f %8.4f %7.3f %7.3f %7.3f %8s %9s  %.3f  (bias-corrected: "
           "%zu of %zu series moved)\n",
           "  +bc", a1[0], a1[1], hz_owa(a1[0], a1[1], R->naive2_s, R->naive2_m),
           a1[2], a1[3], "", "-", s1[0], moved, NS);
    fflush(stdout);
    for (size_t i = 0; i < NS; i++)
        hz_forecast_free(fcs[i]);
    free(fcs);
    free(r0);
    free(r1);
    free(e);
    free(n);
    free(y);
}

/* Every method of the comma-separated list, Naive2 first (for OWA). */
static void run_methods(const char *methods, run *R, int bias)
{
    printf("\n%-8s %8s %8s %7s %7s %7s %8s %9s  %s\n", "method", "sMAPE",
           "MASE", "OWA", "cov80", "cov95", "seconds", "fallbacks",
           "(every-10th subset sMAPE)");
    char *save = NULL;
    char listcopy[512];
    snprintf(listcopy, sizeof listcopy, "naive2,%s", methods);
    int naive2_done = 0;
    for (char *tok = strtok_r(listcopy, ",", &save); tok != NULL;
         tok = strtok_r(NULL, ",", &save)) {
        int model;
        if (!hz_fc_model_parse(tok, &model)) {
            fprintf(stderr, "bench_m3: unknown method '%s'\n", tok);
            continue;
        }
        if (model == HZ_MODEL_NAIVE2 && naive2_done++)
            continue;
        run_method(tok, model, R);
        if (bias && model != HZ_MODEL_NAIVE2)
            run_bias(tok, model, R);
    }
    printf("\nreference (../shared/data/m3/README.md, R forecast 8.20): "
           "ets 14.139 / 0.8649 cov 0.777/0.920 (1,457 s); thetaf 13.856 / "
           "0.8637 cov 0.753/0.899 (10.4 s); naive2 16.764 / 1.0383\n");
}

/* Which ETS models auto-ETS picked, with counts. */
static void print_model_mix(hz_forecast *const *fcs)
{
    char names[32][64];
    size_t cnt[32] = {0}, nn = 0;
    for (size_t i = 0; i < NS; i++) {
        const char *mname = fcs[i]->method;
        size_t j;
        for (j = 0; j < nn; j++)
            if (strcmp(names[j], mname) == 0)
                break;
        if (j == nn && nn < 32)
            snprintf(names[nn++], 64, "%s", mname);
        if (j < 32)
            cnt[j]++;
    }
    printf("auto-ETS model mix:");
    for (size_t j = 0; j < nn; j++)
        printf(" %s %zu;", names[j], cnt[j]);
    printf("\n");
}

/* Run bench/m3_r.R on the subset (written to DIR/train.csv); its
 * forecasts go to outp and its timings into rt.  0 on success. */
static int run_r_script(const run *R, const char *tmpdir, const char *outp,
                        int r_every, double rt[2])
{
    char in[600], cmd[2048], script[1024], line[512];
    snprintf(in, sizeof in, "%s/train.csv", tmpdir);
    snprintf(script, sizeof script, "%s", __FILE__);
    char *slash = strrchr(script, '/');
    if (slash)
        snprintf(slash + 1, sizeof script - (size_t)(slash + 1 - script),
                 "m3_r.R");
    FILE *f = fopen(in, "w");
    if (f == NULL)
        return -1;
    fprintf(f, "series_id,value\n");
    for (size_t k = 0; k < R->nsub; k++)
        for (size_t t = 0; t < S[R->sub[k]].n; t++)
            fprintf(f, "%s,%.17g\n", S[R->sub[k]].id, S[R->sub[k]].train[t]);
    fclose(f);
    snprintf(cmd, sizeof cmd, "Rscript %s %s %d %d %s", script, in, H, M,
             outp);
    printf("\nR peer: forecast::ets and thetaf on %zu series (every %dth), "
           "one core...\n",
           R->nsub, r_every);
    fflush(stdout);
    FILE *pp = popen(cmd, "r");
    while (pp && fgets(line, sizeof line, pp)) {
        if (strncmp(line, "TIME ets ", 9) == 0)
            rt[0] = atof(line + 9);
        if (strncmp(line, "TIME theta ", 11) == 0)
            rt[1] = atof(line + 11);
    }
    return pp == NULL || pclose(pp) != 0 ? -1 : 0;
}

/* Score R's forecasts (file outp) into racc[0] (ets) and racc[1]
 * (thetaf); count the series where R and auto-ETS chose the same model. */
static void read_r_forecasts(const char *outp, const run *R, acc *racc[2],
                             size_t *same, size_t *nets)
{
    char line[512];
    FILE *f = fopen(outp, "r");
    if (f == NULL || fgets(line, sizeof line, f) == NULL) {
        if (f != NULL)
            fclose(f);
        return;
    }
    hz_forecast *fc = hz_forecast_alloc(H, 2, levels);
    char model[64] = "";
    while (fgets(line, sizeof line, f)) {
        char id[64], meth[16];
        double v[5];
        int st;
        /* "id","method",step,mean,lo80,hi80,lo95,hi95,"model" */
        if (sscanf(line,
                   "\"%63[^\"]\",\"%15[^\"]\",%d,%lf,%lf,%lf,%lf,%lf"
                   ",\"%63[^\"]\"",
                   id, meth, &st, &v[0], &v[1], &v[2], &v[3], &v[4],
                   model) < 8)
            continue;
        fc->mean[st - 1] = v[0];
        fc->lower[0][st - 1] = v[1];
        fc->upper[0][st - 1] = v[2];
        fc->lower[1][st - 1] = v[3];
        fc->upper[1][st - 1] = v[4];
        if (st == H) {
            series *s = find_or_add(id);
            size_t i = (size_t)(s - S);
            int mi = strcmp(meth, "ets") == 0 ? 0 : 1;
            racc[mi][i] = score(s, fc);
            if (mi == 0 && R->fcs_ets != NULL) {
                (*nets)++;
                if (strcmp(model, R->fcs_ets[i]->method) == 0)
                    (*same)++;
            }
        }
    }
    hz_forecast_free(fc);
    fclose(f);
}

/* Horizon's time for the subset alone (same models, one thread). */
static void time_subset(const run *R, double ht[2])
{
    for (int mi = 0; mi < 2; mi++) {
        int model = mi == 0 ? HZ_MODEL_ETS : HZ_MODEL_THETA;
        hz_forecast *fc = hz_forecast_alloc(H, 2, levels);
        hz_fc_workspace *w = hz_fc_workspace_alloc(256);
        double t0 = hz_now();
        for (size_t k = 0; k < R->nsub; k++)
            hz_forecast_series(S[R->sub[k]].train, S[R->sub[k]].n, M, model, 1,
                               w, fc, NULL);
        ht[mi] = hz_now() - t0;
        hz_fc_workspace_free(w);
        hz_forecast_free(fc);
    }
}

/* R's forecast::ets and thetaf on the subset: accuracy and speed side by
 * side with Horizon's, when Rscript and the forecast package are there. */
static void compare_with_r(const run *R, int r_every)
{
    if (system("Rscript -e 'suppressMessages(library(forecast))' "
               ">/dev/null 2>&1") != 0) {
        printf("R peer: SKIP (Rscript with the forecast package not "
               "installed)\n");
        return;
    }
    char tmpdir[] = "/tmp/bench_m3_XXXXXX";
    if (mkdtemp(tmpdir) == NULL)
        return;
    char outp[600];
    snprintf(outp, sizeof outp, "%s/r.csv", tmpdir);
    double rt[2] = {NAN, NAN};
    if (run_r_script(R, tmpdir, outp, r_every, rt) != 0) {
        printf("R peer: failed\n");
        return;
    }
    acc *racc[2] = {calloc(NS, sizeof(acc)), calloc(NS, sizeof(acc))};
    size_t same = 0, nets = 0;
    read_r_forecasts(outp, R, racc, &same, &nets);
    double ht[2] = {0, 0};
    time_subset(R, ht);
    printf("%-22s %8s %8s %7s %7s %10s %10s %8s\n", "subset (R vs Horizon)",
           "sMAPE", "MASE", "cov80", "cov95", "R s", "Horizon s", "speedup");
    for (int mi = 0; mi < 2; mi++) {
        acc *mine = mi == 0 ? R->res_ets : R->res_theta;
        if (mine == NULL)
            continue;
        double a[4], b[4];
        summarize(racc[mi], R->sub, R->nsub, a);
        summarize(mine, R->sub, R->nsub, b);
        const char *nm = mi == 0 ? "ets" : "theta";
        printf("R %-20s %8.3f %8.4f %7.3f %7.3f %10.2f\n", nm, a[0], a[1],
               a[2], a[3], rt[mi]);
        printf("Horizon %-14s %8.3f %8.4f %7.3f %7.3f %10s %10.3f %7.0fx\n",
               nm, b[0], b[1], b[2], b[3], "", ht[mi], rt[mi] / ht[mi]);
    }
    if (nets > 0)
        printf("auto-ETS picked the same model as R on %zu of %zu series\n",
               same, nets);
    free(racc[0]);
    free(racc[1]);
}

int main(int argc, char **argv)
{
    options o;
    int rc = parse_args(argc, argv, &o);
    if (rc != 0)
        return rc - 1;
    char p1[1024], p2[1024];
    snprintf(p1, sizeof p1, "%s/m3_monthly_train.csv", o.dir);
    snprintf(p2, sizeof p2, "%s/m3_monthly_test.csv", o.dir);
    if (access(p1, R_OK) != 0 || access(p2, R_OK) != 0) {
        printf("SKIP: M3 data not found in %s\n", o.dir);
        return 0;
    }
    if (load(p1, 0) != 0 || load(p2, 1) != 0) {
        fprintf(stderr, "bench_m3: cannot read %s\n", o.dir);
        return 1;
    }
    if (o.limit > 0 && o.limit < NS)
        NS = o.limit;
    if (o.threads > 0)
        omp_set_num_threads(o.threads);
    printf("M3 monthly: %zu series, h = %d, %d threads\n", NS, H,
           omp_get_max_threads());
    run R = {0};
    R.naive2_s = R.naive2_m = NAN;
    R.order = malloc(NS * sizeof *R.order);
    R.sub = malloc(NS * sizeof *R.sub);
    if (R.order == NULL || R.sub == NULL) {
        fprintf(stderr, "bench_m3: out of memory\n");
        free(R.order);
        free(R.sub);
        return 1;
    }
    for (size_t i = 0; i < NS; i++)
        R.order[i] = i;
    qsort(R.order, NS, sizeof *R.order, cmp_len_desc);
    for (size_t i = 0; o.r_every > 0 && i < NS; i += (size_t)o.r_every)
        R.sub[R.nsub++] = i;
    if (o.dump != NULL && (R.dump = fopen(o.dump, "w")) == NULL) {
        fprintf(stderr, "bench_m3: cannot write %s\n", o.dump);
        free(R.order);
        free(R.sub);
        return 1;
    }
    run_methods(o.methods, &R, o.bias);
    if (R.fcs_ets != NULL)
        print_model_mix(R.fcs_ets);
    if (!o.no_r && R.nsub > 0 && (R.res_ets != NULL || R.res_theta != NULL))
        compare_with_r(&R, o.r_every);
    free(R.sub);
    free(R.order);
    if (R.dump != NULL && fclose(R.dump) != 0) {
        fprintf(stderr, "bench_m3: could not write the dump\n");
        return 1;
    }
    return 0;
}
