/* HTML report benchmark: time and size of the report writer.
 *
 *   bench_report [SHARED_DATA_DIR] [--repeat N] [--customers N]
 *
 * 1. Forecasts: the 1,428 M3 monthly series (SHARED/m3, long format,
 *    Theta, h = 18); the report of the first 1,000 series and of all.
 *    Without the shared data: 1,000 generated product series.
 * 2. Customers: a generated transactions file of N customers (default
 *    50,000; about 12 orders each, 36 months), the suite with a 6-month
 *    holdout; and a generated customer table of N rows with a churn label
 *    (drivers, ROC).
 * Each report is rendered --repeat times (default 5); the best time is
 * printed with its size, next to the engine's CSV writer on the same
 * result in the same run (a floor: the rows people would otherwise plot
 * elsewhere).  Only the writers are timed, not the models. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "horizon/analytics.h"
#include "horizon/analytics_view.h"
#include "horizon/csv.h"
#include "horizon/forecast.h"
#include "horizon/gen.h"
#include "horizon/report.h"

static int g_repeat = 5;

typedef hz_status (*render_fn)(const void *res, char **html, size_t *len,
                               hz_error *err);
typedef hz_status (*csv_fn)(const void *res, FILE *f, hz_error *err);

/* Best of g_repeat: seconds of render(res) into memory and of writing
 * the CSV of res to a memory stream; sizes of both. */
static void measure(const char *what, const void *res, render_fn render,
                    csv_fn csv)
{
    double best = 1e30, best_csv = 1e30;
    size_t bytes = 0, csv_bytes = 0;
    hz_error err;
    for (int k = 0; k < g_repeat; k++) {
        char *html = NULL;
        size_t len = 0;
        double t0 = hz_now();
        if (render(res, &html, &len, &err) != HZ_OK) {
            fprintf(stderr, "bench_report: %s: %s\n", what, err.msg);
            exit(1);
        }
        double t = hz_now() - t0;
        free(html);
        best = t < best ? t : best;
        bytes = len;
        char *buf = NULL;
        size_t blen = 0;
        FILE *f = open_memstream(&buf, &blen);
        t0 = hz_now();
        csv(res, f, &err);
        fflush(f);
        t = hz_now() - t0;
        fclose(f);
        free(buf);
        best_csv = t < best_csv ? t : best_csv;
        csv_bytes = blen;
    }
    printf("%-44s report %7.3f s %6.2f MB | CSV of the result %7.3f s "
           "%6.2f MB | time ratio %.2f\n",
           what, best, (double)bytes / 1e6, best_csv, (double)csv_bytes / 1e6,
           best / best_csv);
}

static hz_status render_forecast(const void *res, char **html, size_t *len,
                                 hz_error *err)
{
    hz_report *r = hz_report_new(NULL);
    hz_status st = hz_report_forecast(r, res, "value, sum per month", err);
    if (st == HZ_OK)
        st = hz_report_render(r, html, len, err);
    hz_report_free(r);
    return st;
}

static hz_status csv_forecast(const void *res, FILE *f, hz_error *err)
{
    return hz_forecast_result_write_csv(res, f, err);
}

static hz_status render_customers(const void *res, char **html, size_t *len,
                                  hz_error *err)
{
    hz_report *r = hz_report_new(NULL);
    hz_status st = hz_report_analysis(r, res, err);
    if (st == HZ_OK)
        st = hz_report_render(r, html, len, err);
    hz_report_free(r);
    return st;
}

static hz_status csv_customers(const void *res, FILE *f, hz_error *err)
{
    return hz_analytics_result_write_csv(res, f, err);
}

/* NULL (the error printed) when the file cannot be read. */
static hz_dataset *try_read_csv(const char *path)
{
    hz_csv_options o;
    hz_csv_options_init(&o);
    hz_dataset *ds = NULL;
    hz_error err;
    if (hz_csv_read(path, &o, &ds, NULL, &err) != HZ_OK) {
        fprintf(stderr, "bench_report: %s: %s\n", path, err.msg);
        return NULL;
    }
    return ds;
}

static hz_dataset *read_csv(const char *path)
{
    hz_dataset *ds = try_read_csv(path);
    if (ds == NULL)
        exit(1);
    return ds;
}

static void forecasts(const char *shared)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/m3/m3_monthly_train.csv", shared);
    FILE *probe = shared ? fopen(path, "r") : NULL;
    const char *by[1] = {"series_id"};
    hz_forecast_request req;
    hz_forecast_request_init(&req);
    req.model = HZ_MODEL_THETA;
    req.keep_fitted = 1; /* as a report asks: the fitted line and checks */
    hz_dataset *ds = NULL;
    if (probe != NULL) {
        fclose(probe);
        ds = try_read_csv(path);
    }
    if (ds != NULL) {
        req.date_col = "period";
        req.value_col = "value";
        req.by_cols = by;
        req.nby = 1;
        req.long_format = 1;
        req.horizon = 18;
        req.freq = HZ_FREQ_MONTH;
    } else {
        printf("(no usable %s: 1,000 generated product series instead)\n",
               path);
        snprintf(path, sizeof path, "/tmp/bench_report_sales_%d.csv",
                 (int)getpid());
        hz_gen_options g;
        hz_gen_options_init(&g);
        g.kind = HZ_GEN_PRODUCTS; /* daily demand of 1,000 SKUs */
        g.products = 1000;
        FILE *f = fopen(path, "w");
        hz_error err;
        if (f == NULL || hz_gen_write(&g, f, &err) != HZ_OK)
            exit(1);
        fclose(f);
        by[0] = "product_id";
        req.date_col = "date";
        req.value_col = "revenue";
        req.by_cols = by;
        req.nby = 1;
        req.freq = HZ_FREQ_MONTH;
        ds = read_csv(path);
        remove(path);
    }
    hz_forecast_result *res = NULL;
    hz_error err;
    if (hz_forecast_run(ds, &req, &res, &err) != HZ_OK) {
        fprintf(stderr, "bench_report: forecast: %s\n", err.msg);
        exit(1);
    }
    size_t all = res->nseries;
    char what[96];
    if (all >= 1000) {
        res->nseries = 1000;
        measure("forecast, 1,000 series", res, render_forecast, csv_forecast);
        res->nseries = all;
    }
    snprintf(what, sizeof what, "forecast, %zu series", all);
    measure(what, res, render_forecast, csv_forecast);
    hz_forecast_result_free(res);
    hz_dataset_free(ds);
}

static void customers(unsigned long n)
{
    char path[256];
    hz_error err;
    snprintf(path, sizeof path, "/tmp/bench_report_cust_%d.csv",
             (int)getpid());
    for (int kind = 0; kind < 2; kind++) {
        hz_gen_options g;
        hz_gen_options_init(&g);
        g.kind = kind ? HZ_GEN_CUSTOMERS : HZ_GEN_SALES;
        /* not every simulated customer buys (sales) or has a complete row
         * (churn): simulate more so that about n are analysed */
        g.customers = kind ? n * 6 / 5 : n * 3 / 2;
        g.rows = 18 * (uint64_t)n;
        FILE *f = fopen(path, "w");
        if (f == NULL || hz_gen_write(&g, f, &err) != HZ_OK) {
            fprintf(stderr, "bench_report: gen failed\n");
            exit(1);
        }
        fclose(f);
        hz_dataset *ds = read_csv(path);
        remove(path);
        hz_analytics_request q;
        hz_analytics_request_init(&q);
        hz_analytics_result *res = NULL;
        if (kind == 0)
            q.calibration_end = hz_days_from_civil(2024, 6, 30);
        else {
            q.label_col = "churned";
            q.customer_col = "customer_id";
        }
        if (hz_analytics_run(ds, kind ? HZ_ANALYSIS_CHURN : HZ_ANALYSIS_SUITE,
                             &q, &res, &err) != HZ_OK) {
            fprintf(stderr, "bench_report: analysis: %s\n", err.msg);
            exit(1);
        }
        char what[96];
        snprintf(what, sizeof what, "%s, %zu customers",
                 kind ? "churn (labelled)" : "suite with holdout",
                 hz_analytics_customers(res));
        measure(what, res, render_customers, csv_customers);
        hz_analytics_result_free(res);
        hz_dataset_free(ds);
    }
}

int main(int argc, char **argv)
{
    const char *shared = NULL;
    unsigned long n = 50000;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc)
            g_repeat = atoi(argv[++i]);
        else if (strcmp(argv[i], "--customers") == 0 && i + 1 < argc)
            n = strtoul(argv[++i], NULL, 10);
        else
            shared = argv[i];
    }
    if (g_repeat < 1)
        g_repeat = 1;
    printf("HTML report writer (best of %d; writers only, one thread)\n",
           g_repeat);
    forecasts(shared);
    customers(n);
    return 0;
}
