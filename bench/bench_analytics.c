/* Customer-analytics benchmark.
 *
 *   bench_analytics SHARED_DATA_DIR [--customers N] [--skip-peer]
 *
 * 1. CDNOW (SHARED/cdnow/cdnowElog.csv), through hz_analytics_run in
 *    weeks with the 39-week calibration and a 52-week horizon: BG/NBD,
 *    Pareto/NBD and Gamma-Gamma parameters, E[X(52)], customer 1516, the
 *    holdout table and totals, each beside its published anchor.
 * 2. Telco churn (SHARED/telco-churn): 5-fold CV ROC AUC and fit time of
 *    the L2 logistic regression; with /usr/bin/python3 + scikit-learn, the
 *    same model on the same design and folds in the same run (ratios,
 *    best of 5 on both sides).
 * 3. Telco survival: Kaplan-Meier and Cox beside the statsmodels anchors,
 *    and statsmodels itself in the same run (survival_statsmodels.py).
 * 4. Scale: N generated customers (default 1,000,000; BG/NBD-like buying,
 *    Gamma-Gamma spend) held in memory; times of the customer summary,
 *    CLV, segments and the whole suite, then of writing its rows as CSV
 *    and as JSON to a file (wall and CPU seconds); k-means against
 *    scikit-learn's KMeans on 200,000 of those customers' features (same
 *    k, n_init).  The load average is printed at the start and the end.
 * Parts whose data is absent are skipped with a message. */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "bench_util.h"
#include "horizon/analytics.h"
#include "horizon/bgnbd.h"
#include "horizon/csv.h"
#include "horizon/customer.h"
#include "horizon/gammagamma.h"
#include "horizon/kmeans.h"
#include "horizon/logreg.h"

static const char *g_py = "/usr/bin/python3";
static char g_self_dir[1024] = ".";
static bool g_suite_only = false;
static const char *g_peer_env = "";

static bool have_sklearn(void)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "%s -c 'import sklearn' 2>/dev/null", g_py);
    return system(cmd) == 0;
}

static bool write_bin(const char *path, const void *p, size_t bytes)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return false;
    bool ok = fwrite(p, 1, bytes, f) == bytes;
    return fclose(f) == 0 && ok;
}

static bool run_cmd(const char *cmd, const char *const *keys, double *vals,
                    int nk);

/* Run the peer; parse "key value" lines into vals by keys. */
static bool run_peer(const char *args, const char *const *keys, double *vals,
                     int nk)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s%s %s/analytics_sklearn.py %s", g_peer_env,
             g_py, g_self_dir, args);
    return run_cmd(cmd, keys, vals, nk);
}

/* Run a command; parse "key value" lines into vals by keys. */
static bool run_cmd(const char *cmd, const char *const *keys, double *vals,
                    int nk)
{
    FILE *p = popen(cmd, "r");
    if (p == NULL)
        return false;
    char line[256];
    int got = 0;
    while (fgets(line, sizeof line, p)) {
        char k[64];
        double v;
        if (sscanf(line, "%63s %lf", k, &v) == 2)
            for (int i = 0; i < nk; i++)
                if (!strcmp(k, keys[i])) {
                    vals[i] = v;
                    got++;
                }
    }
    return pclose(p) == 0 && got == nk;
}

static void load_line(const char *when)
{
    double l[3] = {NAN, NAN, NAN};
    FILE *f = fopen("/proc/loadavg", "r");
    if (f != NULL) {
        if (fscanf(f, "%lf %lf %lf", &l[0], &l[1], &l[2]) != 3)
            l[0] = NAN;
        fclose(f);
    }
    printf("load average %s: %.2f %.2f %.2f%s\n", when, l[0], l[1], l[2],
           l[0] > 2 ? " (loaded: wall times inflated)" : "");
}

static void vs(const char *what, double v, double anchor, int digits)
{
    printf("  %-44s %.*f  anchor %.*f  (diff %+.2g)\n", what, digits, v,
           digits, anchor, v - anchor);
}

/* CDNOW through the analytics entry point (weeks, 39-week calibration,
 * 52-week horizon): every published figure beside its anchor. */
static void part_cdnow(const char *dir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/cdnow/cdnowElog.csv", dir);
    hz_dataset *ds;
    hz_error err;
    printf("== CDNOW (%s)\n", path);
    if (hz_csv_read(path, NULL, &ds, NULL, &err) != HZ_OK) {
        printf("skipped: %s\n", err.msg);
        return;
    }
    hz_analytics_request q;
    hz_analytics_request_init(&q);
    q.customer_col = "sampleid";
    q.date_col = "date";
    q.amount_col = "sales";
    q.unit = HZ_UNIT_WEEKS;
    q.calibration_end = hz_days_from_civil(1997, 9, 30);
    q.horizon_days = 52 * 7;
    hz_analytics_result *r;
    double t0 = hz_now();
    if (hz_analytics_run(ds, HZ_ANALYSIS_CLV, &q, &r, &err) != HZ_OK) {
        printf("clv failed: %s\n", err.msg);
        hz_dataset_free(ds);
        return;
    }
    printf("customers %zu; summary, BG/NBD, Pareto/NBD, Gamma-Gamma, "
           "holdout reports: %.3f s\n",
           hz_analytics_customers(r), hz_now() - t0);
    const hz_bgnbd_model *b = hz_analytics_bgnbd(r);
    const hz_pnbd_model *pn = hz_analytics_pnbd(r);
    const hz_gg_model *g = hz_analytics_gammagamma(r);
    printf("BG/NBD (Fader, Hardie & Lee 2005):\n");
    vs("r", b->p.r, 0.243, 4);
    vs("alpha", b->p.alpha, 4.414, 4);
    vs("a", b->p.a, 0.793, 4);
    vs("b", b->p.b, 2.426, 4);
    vs("LL", b->loglik, -9582.4, 2);
    printf("Pareto/NBD:\n");
    vs("r", pn->p.r, 0.553, 4);
    vs("alpha", pn->p.alpha, 10.578, 4);
    vs("s", pn->p.s, 0.606, 4);
    vs("beta", pn->p.beta, 11.669, 4);
    vs("LL", pn->loglik, -9594.98, 3);
    printf("Gamma-Gamma (946 repeat buyers: %zu):\n", g->n);
    vs("p", g->p.p, 6.25, 4);
    vs("q", g->p.q, 3.74, 4);
    vs("gamma", g->p.gamma, 15.44, 4);
    vs("LL", g->loglik, -4055.9, 2);
    printf("BTYD walkthrough (its optimiser stops about 1e-5 from the "
           "optimum found here and by scipy):\n");
    vs("E[X(52)] new customer", hz_analytics_expected_new(r, NULL, NULL),
       1.444004, 7);
    const double *pa = hz_analytics_values(r, "p_alive");
    const double *ey = hz_analytics_values(r, "expected_purchases");
    for (size_t i = 0; i < hz_analytics_customers(r); i++)
        if (strcmp(hz_analytics_customer_id(r, i), "1516") == 0) {
            vs("customer 1516 E[Y(52)]", ey[i], 25.75659, 5);
            vs("customer 1516 P(alive)", pa[i], 0.9688523, 7);
        }
    const hz_holdout_report *h = hz_analytics_holdout(r, HZ_PURCHASE_BGNBD);
    static const double bins[8] = {0.225, 0.523, 1.044, 1.520,
                                   2.164, 2.654, 3.504, 6.157};
    printf("holdout, BG/NBD expected by calibration frequency 0..7+ "
           "(BTYD):\n  ");
    for (int k = 0; k < 8; k++)
        printf("%.3f (%.3f)%s", h->bin_predicted[k], bins[k],
               k < 7 ? "  " : "\n");
    vs("holdout total predicted", h->predicted_total, 1653.4, 1);
    vs("holdout total actual", h->actual_total, 1882, 0);
    const hz_holdout_report *hp = hz_analytics_holdout(r, HZ_PURCHASE_PNBD);
    printf("  Pareto/NBD on the same holdout: predicted %.1f, correlation "
           "%.3f (BG/NBD %.3f)\n",
           hp->predicted_total, hp->correlation, h->correlation);
    hz_analytics_result_free(r);
    hz_dataset_free(ds);
}

/* Telco survival: Kaplan-Meier and Cox against statsmodels in the same
 * run. */
static void part_survival(const char *dir, bool peer)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/telco-churn/Telco-Customer-Churn.csv",
             dir);
    printf("\n== Telco survival (%s)\n", path);
    hz_csv_options co;
    hz_csv_options_init(&co);
    co.on_error = HZ_ON_ERROR_SKIP;
    hz_dataset *ds;
    hz_error err;
    if (hz_csv_read(path, &co, &ds, NULL, &err) != HZ_OK) {
        printf("skipped: %s\n", err.msg);
        return;
    }
    hz_analytics_request q;
    hz_analytics_request_init(&q);
    q.duration_col = "tenure";
    q.event_col = "Churn";
    q.customer_col = "customerID";
    q.covariates = "Contract,InternetService,PaymentMethod,MonthlyCharges,"
                   "SeniorCitizen";
    hz_analytics_result *r = NULL;
    double best = INFINITY;
    for (int rep = 0; rep < 3; rep++) {
        hz_analytics_result_free(r);
        double t0 = hz_now();
        if (hz_analytics_run(ds, HZ_ANALYSIS_SURVIVAL, &q, &r, &err) !=
            HZ_OK) {
            printf("survival failed: %s\n", err.msg);
            hz_dataset_free(ds);
            return;
        }
        best = fmin(best, hz_now() - t0);
    }
    const hz_km_curve *k = hz_analytics_km(r);
    const char *const *names;
    const hz_cox_model *m = hz_analytics_cox(r, &names);
    printf("Kaplan-Meier, %zu customers (statsmodels 0.13.5 anchors):\n",
           k->n);
    vs("S(12)", hz_km_at(k, 12), 0.84320, 5);
    vs("S(24)", hz_km_at(k, 24), 0.78874, 5);
    vs("S(72)", hz_km_at(k, 72), 0.59279, 5);
    printf("Cox (Breslow ties), %zu customers:\n", m->n);
    vs("log partial likelihood", m->loglik, -14148.9345, 4);
    for (size_t j = 0; j < m->p; j++) {
        if (strcmp(names[j], "Contract=Two year") == 0) {
            vs("Contract \"Two year\"", m->coef[j], -3.5126, 4);
            vs("  its SE", m->se[j], 0.162, 3);
        } else if (strcmp(names[j], "MonthlyCharges") == 0) {
            vs("MonthlyCharges", m->coef[j], -0.03118, 5);
        }
    }
    printf("horizon: KM + Cox + per-customer S(t) %.4f s (best of 3)\n", best);
    hz_analytics_result_free(r);
    hz_dataset_free(ds);
    if (!peer)
        return;
    static const char *const keys[] = {
        "km_12",        "km_24",       "km_72",      "cox_loglik",
        "cox_two_year", "cox_monthly", "km_seconds", "cox_seconds"};
    double v[8];
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "%s %s/survival_statsmodels.py %s", g_py,
             g_self_dir, path);
    if (!run_cmd(cmd, keys, v, 8)) {
        printf("statsmodels peer failed\n");
        return;
    }
    printf("statsmodels, same run: S(12) %.5f S(24) %.5f S(72) %.5f, LL "
           "%.4f, two year %.4f, monthly %.5f; KM %.4f s + Cox %.4f s "
           "(best of 3): ratio %.1fx\n",
           v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7],
           (v[6] + v[7]) / best);
}

static void part_telco(const char *dir, bool peer, bool yes_no_levels)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/telco-churn/Telco-Customer-Churn.csv",
             dir);
    printf("\n== Telco churn (%s), %s\n", path,
           yes_no_levels ? "yes/no columns one-hot (2 levels each)"
                         : "yes/no columns as one 0/1 feature");
    hz_csv_options co;
    hz_csv_options_init(&co);
    co.on_error = HZ_ON_ERROR_SKIP;
    /* read the yes/no columns as text so that they are one-hot encoded
     * like every other categorical (the 45-feature design) */
    static const hz_schema_override ov[4] = {
        {"Partner", HZ_TYPE_STRING, HZ_DATEFMT_NONE},
        {"Dependents", HZ_TYPE_STRING, HZ_DATEFMT_NONE},
        {"PhoneService", HZ_TYPE_STRING, HZ_DATEFMT_NONE},
        {"PaperlessBilling", HZ_TYPE_STRING, HZ_DATEFMT_NONE}};
    if (yes_no_levels) {
        co.overrides = ov;
        co.noverrides = 4;
    }
    hz_dataset *ds;
    hz_csv_report rep;
    hz_error err;
    if (hz_csv_read(path, &co, &ds, &rep, &err) != HZ_OK) {
        printf("skipped: %s\n", err.msg);
        return;
    }
    hz_design d;
    if (hz_design_from_dataset(ds, "Churn", "customerID", 64, &d, &err) !=
        HZ_OK) {
        printf("design failed: %s\n", err.msg);
        hz_dataset_free(ds);
        return;
    }
    hz_dataset_free(ds);
    int *fold = malloc(d.n * sizeof(int));
    hz_logreg_cv cv;
    hz_stratified_folds(d.y, d.n, 5, 42, fold, NULL);
    /* best of 5 for timing, one thread (like the peer below) */
    double best = INFINITY;
    int saved_threads = omp_get_max_threads();
    omp_set_num_threads(1);
    for (int rep5 = 0; rep5 < 5; rep5++) {
        if (hz_logreg_cross_validate(d.X, d.y, d.n, d.p, fold, 5, NULL, &cv,
                                     NULL, &err) != HZ_OK) {
            printf("cv failed: %s\n", err.msg);
            goto out;
        }
        if (cv.fit_seconds < best)
            best = cv.fit_seconds;
    }
    omp_set_num_threads(saved_threads);
    printf("rows %zu (%zu with a blank TotalCharges left out), features "
           "%zu\n",
           d.n, d.dropped + rep.rows_skipped, d.p);
    printf("horizon: 5-fold AUC %.4f +- %.4f, log-loss %.4f, 5 fits %.4f s "
           "(one thread, best of 5)\n",
           cv.auc_mean, cv.auc_sd, cv.logloss_mean, best);
    if (peer) {
        char xf[512], yf[512], ff[512], args[2048];
        snprintf(xf, sizeof xf, "/tmp/hz_bench_telco_X.bin");
        snprintf(yf, sizeof yf, "/tmp/hz_bench_telco_y.bin");
        snprintf(ff, sizeof ff, "/tmp/hz_bench_telco_f.bin");
        write_bin(xf, d.X, d.n * d.p * sizeof(double));
        write_bin(yf, d.y, d.n * sizeof(double));
        write_bin(ff, fold, d.n * sizeof(int));
        snprintf(args, sizeof args, "logreg %s %s %s %zu %zu", xf, yf, ff, d.n,
                 d.p);
        g_peer_env = "OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 ";
        const char *keys[3] = {"auc_mean", "auc_sd", "fit_seconds"};
        double v[3];
        if (run_peer(args, keys, v, 3)) {
            printf("sklearn: 5-fold AUC %.4f +- %.4f, 5 fits %.4f s "
                   "(LogisticRegression C=1, lbfgs, one thread)\n",
                   v[0], v[1], v[2]);
            printf("AUC difference %+.4f (target |d| <= 0.005); fit speed "
                   "ratio sklearn/horizon %.1fx (target >= 5x)\n",
                   cv.auc_mean - v[0], v[2] / best);
        } else {
            printf("sklearn peer failed\n");
        }
        g_peer_env = "";
        remove(xf);
        remove(yf);
        remove(ff);
    }
out:
    free(fold);
    hz_design_free(&d);
}

/* n customers, BG/NBD-like purchases over 730 days, Gamma-Gamma spend. */
static hz_dataset *generate(size_t ncust, uint64_t seed, size_t *ntx)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, (unsigned long)seed);
    size_t cap = ncust * 8, n = 0;
    int64_t *cust = malloc(cap * sizeof *cust);
    int32_t *day = malloc(cap * sizeof *day);
    double *amt = malloc(cap * sizeof *amt);
    const int32_t start = hz_days_from_civil(2023, 1, 1), span = 730;
    for (size_t c = 0; c < ncust; c++) {
        double lambda = gsl_ran_gamma(rng, 0.8, 1.0 / 40.0);
        double p = gsl_ran_beta(rng, 0.6, 3.0);
        double nu = gsl_ran_gamma(rng, 4.0, 1.0 / 100.0);
        double t = gsl_rng_uniform(rng) * span * 0.8;
        for (;;) {
            if (n == cap) {
                cap *= 2;
                cust = bench_realloc(cust, cap * sizeof *cust);
                day = bench_realloc(day, cap * sizeof *day);
                amt = bench_realloc(amt, cap * sizeof *amt);
            }
            cust[n] = (int64_t)(100000000 + c);
            day[n] = start + (int32_t)t;
            amt[n] = round(gsl_ran_gamma(rng, 5.0, 1.0 / nu) * 100) / 100;
            n++;
            if (gsl_rng_uniform(rng) < p)
                break;
            t += gsl_ran_exponential(rng, 1.0 / lambda);
            if (t >= span)
                break;
        }
    }
    gsl_rng_free(rng);
    hz_dataset *ds = hz_dataset_new(n);
    hz_column col;
    memset(&col, 0, sizeof col);
    col.name = "customer_id";
    col.type = HZ_TYPE_INT64;
    col.v.i64 = cust;
    hz_dataset_add_column(ds, &col, NULL);
    col.name = "order_date";
    col.type = HZ_TYPE_DATE;
    col.datefmt = HZ_DATEFMT_ISO;
    col.v.date = day;
    hz_dataset_add_column(ds, &col, NULL);
    col.name = "revenue";
    col.type = HZ_TYPE_FLOAT64;
    col.datefmt = HZ_DATEFMT_NONE;
    col.v.f64 = amt;
    hz_dataset_add_column(ds, &col, NULL);
    *ntx = n;
    return ds;
}

/* CPU seconds used by this process (all threads). */
static double cpu_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double time_run(const hz_dataset *ds, hz_analysis_kind kind,
                       const hz_analytics_request *q, hz_analytics_result **r)
{
    hz_error err;
    double t0 = hz_now();
    if (hz_analytics_run(ds, kind, q, r, &err) != HZ_OK) {
        printf("%s failed: %s\n", hz_analysis_kind_name(kind), err.msg);
        *r = NULL;
        return NAN;
    }
    return hz_now() - t0;
}

static void part_scale(size_t ncust, bool peer)
{
    printf("\n== Scale: %zu generated customers, %d threads\n", ncust,
           omp_get_max_threads());
    size_t ntx;
    double t0 = hz_now();
    hz_dataset *ds = generate(ncust, 2024, &ntx);
    printf("generated %zu transactions in %.2f s (not timed below)\n", ntx,
           hz_now() - t0);
    hz_customer_options co;
    hz_customer_options_init(&co);
    hz_customer_summary *s;
    hz_error err;
    t0 = hz_now();
    if (hz_customer_summary_from_dataset(ds, "customer_id", "order_date",
                                         "revenue", &co, &s, &err) != HZ_OK) {
        printf("summary failed: %s\n", err.msg);
        hz_dataset_free(ds);
        return;
    }
    printf("customer summary: %.3f s (%zu customers)\n", hz_now() - t0, s->n);
    hz_analytics_request q;
    hz_analytics_request_init(&q);
    hz_analytics_result *r;
    double tc = g_suite_only ? NAN : time_run(ds, HZ_ANALYSIS_CLV, &q, &r);
    if (!g_suite_only && r) {
        const hz_bgnbd_model *b = hz_analytics_bgnbd(r);
        printf("clv (summary + BG/NBD + GG + 12-month CLV): %.3f s; r %.3f "
               "alpha %.2f a %.3f b %.3f, %zu distinct (x, t_x, T)\n",
               tc, b->p.r, b->p.alpha, b->p.a, b->p.b, b->n_distinct);
        const hz_gg_model *g = hz_analytics_gammagamma(r);
        printf("  BG/NBD %zu iterations, Gamma-Gamma %zu iterations (p %.3f "
               "q %.3f gamma %.2f)\n",
               b->iterations, g ? g->iterations : 0, g ? g->p.p : NAN,
               g ? g->p.q : NAN, g ? g->p.gamma : NAN);
        hz_analytics_result_free(r);
    }
    double ts = g_suite_only ? NAN : time_run(ds, HZ_ANALYSIS_SEGMENT, &q, &r);
    if (!g_suite_only && r) {
        printf("segment (summary + RFM + k-means, k chosen = %d): %.3f s\n",
               hz_analytics_clusters(r), ts);
        hz_analytics_result_free(r);
    }
    double c0 = cpu_seconds();
    double tu = time_run(ds, HZ_ANALYSIS_SUITE, &q, &r);
    double cu = cpu_seconds() - c0;
    if (r) {
        printf("suite (summary + CLV + churn risk + segments): %.3f s wall, "
               "%.3f s CPU, %d threads (aim < 2 s including writing)\n",
               tu, cu, omp_get_max_threads());
        hz_analytics_result_write_text(r, stdout, NULL);
        for (int json = 0; json < 2; json++) {
            char path[] = "/tmp/hz_bench_rows_XXXXXX";
            int fd = mkstemp(path);
            FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
            if (f == NULL) {
                printf("could not open a temp file\n");
                break;
            }
            c0 = cpu_seconds();
            t0 = hz_now();
            if (json)
                hz_analytics_result_write_json(r, f, true, NULL);
            else
                hz_analytics_result_write_csv(r, f, NULL);
            fclose(f);
            double tw = hz_now() - t0, cw = cpu_seconds() - c0;
            struct stat st;
            long long sz = stat(path, &st) == 0 ? (long long)st.st_size : -1;
            remove(path);
            printf("  writing its %zu rows as %s to a file: %.3f s wall, "
                   "%.3f s CPU, %.1f MB (aim < 0.5 s)\n",
                   hz_analytics_customers(r), json ? "JSON" : "CSV", tw, cw,
                   (double)sz / 1e6);
            if (!json)
                printf("  suite + CSV: %.3f s wall\n", tu + tw);
        }
        hz_analytics_result_free(r);
    }
    /* k-means against scikit-learn on 200,000 customers' features */
    size_t m = s->n < 200000 ? s->n : 200000;
    if (g_suite_only)
        goto done;
    double *X = malloc(m * 3 * sizeof(double));
    const double *src[3] = {NULL, s->frequency, s->total_spend};
    for (size_t i = 0; i < m; i++) {
        X[3 * i] = log1p((double)(s->as_of - s->last_day[i]));
        X[3 * i + 1] = log1p(src[1][i] + 1);
        X[3 * i + 2] = log1p(src[2][i]);
    }
    for (int j = 0; j < 3; j++) {
        double mu = 0, v = 0;
        for (size_t i = 0; i < m; i++)
            mu += X[3 * i + j];
        mu /= (double)m;
        for (size_t i = 0; i < m; i++)
            v += (X[3 * i + j] - mu) * (X[3 * i + j] - mu);
        double sd = sqrt(v / (double)m);
        for (size_t i = 0; i < m; i++)
            X[3 * i + j] = (X[3 * i + j] - mu) / sd;
    }
    hz_kmeans_options ko;
    hz_kmeans_options_init(&ko);
    ko.k = 6;
    ko.n_init = 10;
    hz_kmeans_result kr;
    t0 = hz_now();
    if (hz_kmeans_fit(X, m, 3, &ko, &kr, &err) == HZ_OK) {
        double tk = hz_now() - t0;
        printf("k-means %zu x 3, k 6, n_init 10: horizon %.3f s, inertia "
               "%.2f\n",
               m, tk, kr.inertia);
        if (peer) {
            const char *xf = "/tmp/hz_bench_kmeans_X.bin";
            char args[1024];
            write_bin(xf, X, m * 3 * sizeof(double));
            snprintf(args, sizeof args, "kmeans %s %zu 3 6 10", xf, m);
            const char *keys[2] = {"fit_seconds", "inertia"};
            double v[2];
            if (run_peer(args, keys, v, 2))
                printf("sklearn KMeans (lloyd): %.3f s, inertia %.2f; "
                       "inertia difference %+.3f%% (target within 0.5%%), "
                       "speed ratio sklearn/horizon %.2fx (target >= 1)\n",
                       v[0], v[1], 100 * (kr.inertia - v[1]) / v[1],
                       v[0] / tk);
            else
                printf("sklearn peer failed\n");
            remove(xf);
        }
        hz_kmeans_result_free(&kr);
    }
    free(X);
done:
    hz_customer_summary_free(s);
    hz_dataset_free(ds);
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help")) {
        fprintf(stderr, "usage: bench_analytics SHARED_DATA_DIR "
                        "[--customers N] [--skip-peer] [--suite-only]\n");
        return argc < 2 ? 2 : 0;
    }
    size_t ncust = 1000000;
    bool peer = true;
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--customers") && i + 1 < argc)
            ncust = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--skip-peer"))
            peer = false;
        else if (!strcmp(argv[i], "--suite-only"))
            g_suite_only = true;
    }
    /* the peer script sits next to this source file */
    snprintf(g_self_dir, sizeof g_self_dir, "%s", __FILE__);
    char *slash = strrchr(g_self_dir, '/');
    if (slash != NULL)
        *slash = '\0';
    if (peer && !have_sklearn()) {
        printf("scikit-learn not available to %s: peer comparisons "
               "skipped\n",
               g_py);
        peer = false;
    }
    load_line("at the start");
    part_cdnow(argv[1]);
    part_telco(argv[1], peer, true);
    part_telco(argv[1], peer, false);
    part_survival(argv[1], peer);
    if (ncust > 0)
        part_scale(ncust, peer);
    load_line("at the end");
    return 0;
}
