/* The suite under concurrency: several analyses at once in their own
 * threads (each with its own OpenMP sections) and fits of every model
 * side by side give exactly the results of a lone run.  GSL's error
 * handler is set once (numeric/gsl_init.c); the ThreadSanitizer build
 * runs this test to show there is no data race. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "horizon/analytics.h"
#include "horizon/csv.h"
#include "hz_test.h"

enum { NTHREADS = 4 };

typedef struct job {
    const hz_dataset *ds;
    hz_analysis_kind kind;
    double clv_total;
    double loglik;
    int clusters;
    hz_status st;
} job;

static void *run_job(void *arg)
{
    job *j = arg;
    hz_analytics_request q;
    hz_analytics_result *r = NULL;
    hz_error err;
    hz_analytics_request_init(&q);
    q.threads = 2;
    j->st = hz_analytics_run(j->ds, j->kind, &q, &r, &err);
    if (j->st == HZ_OK) {
        j->clv_total = hz_analytics_clv_total(r);
        const hz_bgnbd_model *b = hz_analytics_bgnbd(r);
        j->loglik = b ? b->loglik : NAN;
        j->clusters = hz_analytics_clusters(r);
    }
    hz_analytics_result_free(r);
    return NULL;
}

HZ_TEST(suites_in_parallel_equal_a_lone_run)
{
    char buf[1024];
    const char *p = hz_test_data("sample_sales.csv", buf, sizeof buf);
    hz_dataset *ds = NULL;
    if (p == NULL || hz_csv_read(p, NULL, &ds, NULL, NULL) != HZ_OK) {
        hz_test_skip("data/sample_sales.csv not readable");
        return;
    }
    job lone = {ds, HZ_ANALYSIS_SUITE, 0, 0, 0, HZ_OK};
    run_job(&lone);
    HZ_CHECK(lone.st == HZ_OK && isfinite(lone.clv_total));
    job jobs[NTHREADS];
    pthread_t th[NTHREADS];
    for (int i = 0; i < NTHREADS; i++) {
        jobs[i] = (job){
            ds, i % 2 ? HZ_ANALYSIS_CLV : HZ_ANALYSIS_SUITE, 0, 0, 0, HZ_OK};
        HZ_CHECK(pthread_create(&th[i], NULL, run_job, &jobs[i]) == 0);
    }
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < NTHREADS; i++) {
        HZ_CHECK(jobs[i].st == HZ_OK);
        HZ_CHECK(jobs[i].clv_total == lone.clv_total);
        HZ_CHECK(jobs[i].loglik == lone.loglik);
        if (jobs[i].kind == HZ_ANALYSIS_SUITE)
            HZ_CHECK(jobs[i].clusters == lone.clusters);
    }
    hz_dataset_free(ds);
}
