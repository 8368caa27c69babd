/* Runner metrics (see metrics.h). */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "horizon/outfile.h"
#include "runner/metrics.h"

typedef struct dvec {
    double *v;
    size_t n, cap;
} dvec;

static void dvec_push(dvec *d, double x)
{
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 64;
        double *v = realloc(d->v, cap * sizeof *v);
        if (v == NULL)
            return;
        d->v = v;
        d->cap = cap;
    }
    d->v[d->n++] = x;
}

#define MAX_REASONS 32
#define MAX_TYPES 8

/* Histogram buckets (upper bounds, seconds) of the OpenMetrics file. */
static const double buckets[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                 0.5,   1,    2.5,   5,    10,  30,
                                 60,    120,  300,   900,  3600};
#define NBUCKETS ((int)(sizeof buckets / sizeof buckets[0]))

typedef struct histo {
    long count[NBUCKETS + 1]; /* per bucket (not cumulative); last: +Inf */
    long n;
    double sum;
} histo;

static void histo_add(histo *h, double x)
{
    int b = 0;
    while (b < NBUCKETS && x > buckets[b])
        b++;
    h->count[b]++;
    h->n++;
    h->sum += x;
}

struct hz_metrics {
    pthread_mutex_t mu;
    dvec latency;
    dvec stage[HZ_NSTAGES];
    double stage_total[HZ_NSTAGES];
    long ok, failed, requeued;
    char reasons[MAX_REASONS][32];
    long reason_count[MAX_REASONS];
    long requeue_count[MAX_REASONS];
    int nreasons;
    double store_s;
    long store_ops;
    double ru_claim, ru_write; /* Cosmos DB request units */
    double wall_s;
    int concurrency;
    /* per job type: finished ok / failed */
    char types[MAX_TYPES][16];
    long type_ok[MAX_TYPES], type_failed[MAX_TYPES];
    int ntypes;
    histo h_stage[HZ_NSTAGES], h_latency;
    double tokens_prompt, tokens_completion;
    long narratives, narratives_cached;
    char store_ops_failed[8][16];
    long store_failed_count[8];
    int nstore_failed;
    long slots_created, slots_skipped;
    bool healthy;
    int running;
    int isolation_abi;
    bool socket_filter;
};

hz_metrics *hz_metrics_new(void)
{
    hz_metrics *m = calloc(1, sizeof *m);
    if (m != NULL) {
        pthread_mutex_init(&m->mu, NULL);
        m->healthy = true;
    }
    return m;
}

void hz_metrics_free(hz_metrics *m)
{
    if (m == NULL)
        return;
    free(m->latency.v);
    for (int i = 0; i < HZ_NSTAGES; i++)
        free(m->stage[i].v);
    pthread_mutex_destroy(&m->mu);
    free(m);
}

static int reason_index(hz_metrics *m, const char *reason)
{
    if (reason == NULL || reason[0] == '\0')
        reason = "unknown";
    for (int i = 0; i < m->nreasons; i++)
        if (strcmp(m->reasons[i], reason) == 0)
            return i;
    if (m->nreasons == MAX_REASONS)
        return MAX_REASONS - 1;
    snprintf(m->reasons[m->nreasons], sizeof m->reasons[0], "%s", reason);
    return m->nreasons++;
}

static int type_index(hz_metrics *m, const char *type)
{
    if (type == NULL || type[0] == '\0')
        type = "unknown";
    for (int i = 0; i < m->ntypes; i++)
        if (strcmp(m->types[i], type) == 0)
            return i;
    if (m->ntypes == MAX_TYPES)
        return MAX_TYPES - 1;
    snprintf(m->types[m->ntypes], sizeof m->types[0], "%s", type);
    return m->ntypes++;
}

void hz_metrics_add_job(hz_metrics *m, const char *type,
                        const double stage_s[HZ_NSTAGES], double latency_s,
                        bool ok, const char *reason)
{
    pthread_mutex_lock(&m->mu);
    int t = type_index(m, type);
    if (ok) {
        m->ok++;
        m->type_ok[t]++;
    } else {
        m->failed++;
        m->type_failed[t]++;
        m->reason_count[reason_index(m, reason)]++;
    }
    if (isfinite(latency_s)) {
        dvec_push(&m->latency, latency_s);
        histo_add(&m->h_latency, latency_s);
    }
    for (int i = 0; stage_s != NULL && i < HZ_NSTAGES; i++)
        if (isfinite(stage_s[i])) {
            dvec_push(&m->stage[i], stage_s[i]);
            m->stage_total[i] += stage_s[i];
            histo_add(&m->h_stage[i], stage_s[i]);
        }
    pthread_mutex_unlock(&m->mu);
}

void hz_metrics_add_tokens(hz_metrics *m, double prompt, double completion,
                           bool cached)
{
    pthread_mutex_lock(&m->mu);
    m->narratives++;
    m->narratives_cached += cached;
    if (prompt > 0)
        m->tokens_prompt += prompt;
    if (completion > 0)
        m->tokens_completion += completion;
    pthread_mutex_unlock(&m->mu);
}

void hz_metrics_add_store_error(hz_metrics *m, const char *op)
{
    pthread_mutex_lock(&m->mu);
    int i = 0;
    while (i < m->nstore_failed && strcmp(m->store_ops_failed[i], op) != 0)
        i++;
    if (i == m->nstore_failed && i < 8) {
        snprintf(m->store_ops_failed[i], sizeof m->store_ops_failed[0], "%s",
                 op);
        m->nstore_failed++;
    }
    m->store_failed_count[i < 8 ? i : 7]++;
    pthread_mutex_unlock(&m->mu);
}

void hz_metrics_add_slots(hz_metrics *m, long created, long skipped)
{
    pthread_mutex_lock(&m->mu);
    m->slots_created += created;
    m->slots_skipped += skipped;
    pthread_mutex_unlock(&m->mu);
}

void hz_metrics_set_health(hz_metrics *m, bool healthy, int running)
{
    pthread_mutex_lock(&m->mu);
    m->healthy = healthy;
    m->running = running;
    pthread_mutex_unlock(&m->mu);
}

void hz_metrics_set_isolation(hz_metrics *m, int landlock_abi,
                              bool socket_filter)
{
    pthread_mutex_lock(&m->mu);
    m->isolation_abi = landlock_abi;
    m->socket_filter = socket_filter;
    pthread_mutex_unlock(&m->mu);
}

void hz_metrics_add_requeue(hz_metrics *m, const char *reason)
{
    pthread_mutex_lock(&m->mu);
    m->requeued++;
    m->requeue_count[reason_index(m, reason)]++;
    pthread_mutex_unlock(&m->mu);
}

void hz_metrics_add_ru(hz_metrics *m, const char *stage, double ru)
{
    if (m == NULL || !(ru > 0))
        return;
    pthread_mutex_lock(&m->mu);
    if (stage != NULL && strcmp(stage, "claim") == 0)
        m->ru_claim += ru;
    else
        m->ru_write += ru;
    pthread_mutex_unlock(&m->mu);
}

void hz_metrics_add_store(hz_metrics *m, double seconds, long ops)
{
    pthread_mutex_lock(&m->mu);
    m->store_s += seconds;
    m->store_ops += ops;
    pthread_mutex_unlock(&m->mu);
}

void hz_metrics_set_wall(hz_metrics *m, double wall_s, int concurrency)
{
    pthread_mutex_lock(&m->mu);
    m->wall_s = wall_s;
    m->concurrency = concurrency;
    pthread_mutex_unlock(&m->mu);
}

long hz_metrics_done(const hz_metrics *m)
{
    return m->ok;
}
long hz_metrics_failed(const hz_metrics *m)
{
    return m->failed;
}
long hz_metrics_requeued(const hz_metrics *m)
{
    return m->requeued;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double hz_quantile(double *x, size_t n, double q)
{
    if (n == 0)
        return NAN;
    qsort(x, n, sizeof *x, cmp_double);
    if (q <= 0)
        return x[0];
    if (q >= 1)
        return x[n - 1];
    double h = (double)(n - 1) * q;
    size_t lo = (size_t)floor(h);
    size_t hi = lo + 1 < n ? lo + 1 : lo;
    return x[lo] + (h - (double)lo) * (x[hi] - x[lo]);
}

double hz_metrics_latency_quantile(hz_metrics *m, double q)
{
    pthread_mutex_lock(&m->mu);
    double v = hz_quantile(m->latency.v, m->latency.n, q);
    pthread_mutex_unlock(&m->mu);
    return v;
}

double hz_metrics_stage_quantile(hz_metrics *m, int stage, double q)
{
    pthread_mutex_lock(&m->mu);
    double v = hz_quantile(m->stage[stage].v, m->stage[stage].n, q);
    pthread_mutex_unlock(&m->mu);
    return v;
}

static cJSON *num(double v)
{
    return isfinite(v) ? cJSON_CreateNumber(round(v * 1e6) / 1e6)
                       : cJSON_CreateNull();
}

static double sum_of(const dvec *d)
{
    double s = 0;
    for (size_t i = 0; i < d->n; i++)
        s += d->v[i];
    return s;
}

cJSON *hz_metrics_to_json(hz_metrics *m)
{
    pthread_mutex_lock(&m->mu);
    cJSON *o = cJSON_CreateObject();
    cJSON *jobs = cJSON_AddObjectToObject(o, "jobs");
    cJSON_AddNumberToObject(jobs, "succeeded", (double)m->ok);
    cJSON_AddNumberToObject(jobs, "failed", (double)m->failed);
    cJSON_AddNumberToObject(jobs, "requeued", (double)m->requeued);
    cJSON_AddItemToObject(o, "wallS", num(m->wall_s));
    cJSON_AddNumberToObject(o, "concurrency", m->concurrency);
    double finished = (double)(m->ok + m->failed);
    cJSON_AddItemToObject(o, "jobsPerS",
                          num(m->wall_s > 0 ? finished / m->wall_s : NAN));
    cJSON *lat = cJSON_AddObjectToObject(o, "latencyS");
    double lat_total = sum_of(&m->latency);
    cJSON_AddItemToObject(lat, "p50",
                          num(hz_quantile(m->latency.v, m->latency.n, 0.5)));
    cJSON_AddItemToObject(lat, "p95",
                          num(hz_quantile(m->latency.v, m->latency.n, 0.95)));
    cJSON_AddItemToObject(lat, "p99",
                          num(hz_quantile(m->latency.v, m->latency.n, 0.99)));
    cJSON_AddItemToObject(lat, "max",
                          num(hz_quantile(m->latency.v, m->latency.n, 1)));
    cJSON_AddItemToObject(lat, "mean",
                          num(m->latency.n ? lat_total / m->latency.n : NAN));
    cJSON *st = cJSON_AddObjectToObject(o, "stages");
    for (int i = 0; i < HZ_NSTAGES; i++) {
        cJSON *s = cJSON_AddObjectToObject(st, hz_stage_name(i));
        dvec *d = &m->stage[i];
        cJSON_AddNumberToObject(s, "jobs", (double)d->n);
        cJSON_AddItemToObject(s, "p50", num(hz_quantile(d->v, d->n, 0.5)));
        cJSON_AddItemToObject(s, "p95", num(hz_quantile(d->v, d->n, 0.95)));
        cJSON_AddItemToObject(s, "p99", num(hz_quantile(d->v, d->n, 0.99)));
        cJSON_AddItemToObject(s, "total", num(m->stage_total[i]));
    }
    cJSON *fr = cJSON_AddObjectToObject(o, "failuresByReason");
    cJSON *rq = cJSON_AddObjectToObject(o, "requeuesByReason");
    for (int i = 0; i < m->nreasons; i++) {
        if (m->reason_count[i])
            cJSON_AddNumberToObject(fr, m->reasons[i],
                                    (double)m->reason_count[i]);
        if (m->requeue_count[i])
            cJSON_AddNumberToObject(rq, m->reasons[i],
                                    (double)m->requeue_count[i]);
    }
    cJSON *so = cJSON_AddObjectToObject(o, "store");
    cJSON_AddItemToObject(so, "seconds", num(m->store_s));
    cJSON_AddNumberToObject(so, "ops", (double)m->store_ops);
    /* share of the runner's busy time: store seconds over the summed job
     * latencies plus the store time outside jobs (claims) */
    cJSON_AddItemToObject(
        so, "shareOfJobTime",
        num(lat_total > 0 ? m->store_s / (lat_total + m->store_s) : NAN));
    double ru = m->ru_claim + m->ru_write;
    if (ru > 0) {
        long njobs = m->ok + m->failed;
        cJSON_AddNumberToObject(so, "requestUnits", ru);
        cJSON_AddItemToObject(so, "ruPerJob",
                              num(njobs > 0 ? ru / (double)njobs : NAN));
        cJSON *rs = cJSON_AddObjectToObject(so, "ruByStage");
        cJSON_AddNumberToObject(rs, "claim", m->ru_claim);
        cJSON_AddNumberToObject(rs, "write", m->ru_write);
    }
    pthread_mutex_unlock(&m->mu);
    return o;
}

static void ms(FILE *f, double s)
{
    if (isfinite(s))
        fprintf(f, " %9.1f", s * 1e3);
    else
        fprintf(f, " %9s", "-");
}

void hz_metrics_print(hz_metrics *m, FILE *f)
{
    cJSON *o = hz_metrics_to_json(m);
    const cJSON *lat = cJSON_GetObjectItem(o, "latencyS");
    fprintf(f,
            "jobs: %ld succeeded, %ld failed, %ld requeued in %.2f s "
            "(%.1f jobs/s, concurrency %d)\n",
            m->ok, m->failed, m->requeued, m->wall_s,
            m->wall_s > 0 ? (m->ok + m->failed) / m->wall_s : 0.0,
            m->concurrency);
    fprintf(f, "%-10s %9s %9s %9s %9s\n", "stage (ms)", "p50", "p95", "p99",
            "total");
    const cJSON *st = cJSON_GetObjectItem(o, "stages");
    for (int i = 0; i < HZ_NSTAGES; i++) {
        const cJSON *s = cJSON_GetObjectItem(st, hz_stage_name(i));
        fprintf(f, "%-10s", hz_stage_name(i));
        const char *k[4] = {"p50", "p95", "p99", "total"};
        for (int j = 0; j < 4; j++) {
            const cJSON *v = cJSON_GetObjectItem(s, k[j]);
            ms(f, cJSON_IsNumber(v) ? v->valuedouble : NAN);
        }
        fputc('\n', f);
    }
    fprintf(f, "%-10s", "job");
    const char *k[3] = {"p50", "p95", "p99"};
    for (int j = 0; j < 3; j++) {
        const cJSON *v = cJSON_GetObjectItem(lat, k[j]);
        ms(f, cJSON_IsNumber(v) ? v->valuedouble : NAN);
    }
    fputc('\n', f);
    const cJSON *so = cJSON_GetObjectItem(o, "store");
    const cJSON *share = cJSON_GetObjectItem(so, "shareOfJobTime");
    fprintf(f, "store: %.3f s in %ld operations (%.1f%% of job time)\n",
            m->store_s, m->store_ops,
            cJSON_IsNumber(share) ? share->valuedouble * 100 : 0.0);
    const cJSON *ru = cJSON_GetObjectItem(so, "requestUnits");
    if (cJSON_IsNumber(ru)) {
        const cJSON *per = cJSON_GetObjectItem(so, "ruPerJob");
        fprintf(f,
                "store request units: %.1f RU (%.2f per job; claim "
                "%.1f, write %.1f)\n",
                ru->valuedouble, cJSON_IsNumber(per) ? per->valuedouble : 0.0,
                m->ru_claim, m->ru_write);
    }
    const cJSON *fr = cJSON_GetObjectItem(o, "failuresByReason"), *it;
    if (cJSON_GetArraySize(fr) > 0) {
        fprintf(f, "failures:");
        cJSON_ArrayForEach(it, fr)
            fprintf(f, " %s=%d", it->string, it->valueint);
        fputc('\n', f);
    }
    cJSON_Delete(o);
}

hz_status hz_metrics_write_json(hz_metrics *m, const char *path, hz_error *err)
{
    cJSON *o = hz_metrics_to_json(m);
    char *s = cJSON_Print(o);
    cJSON_Delete(o);
    if (s == NULL)
        return hz_error_set(err, HZ_ENOMEM, "metrics: out of memory");
    hz_outfile *out = NULL; /* whole or absent */
    if (hz_outfile_open(path, &out, err) != HZ_OK) {
        cJSON_free(s);
        return HZ_EIO;
    }
    FILE *f = hz_outfile_stream(out);
    fputs(s, f);
    fputc('\n', f);
    cJSON_free(s);
    if (hz_outfile_commit(out, err) != HZ_OK)
        return HZ_EIO;
    return HZ_OK;
}

/* ---- OpenMetrics text ---- */

static void om_family(FILE *f, const char *name, const char *type,
                      const char *unit, const char *help)
{
    fprintf(f, "# TYPE %s %s\n", name, type);
    if (unit != NULL)
        fprintf(f, "# UNIT %s %s\n", name, unit);
    fprintf(f, "# HELP %s %s\n", name, help);
}

/* One histogram's samples; label is "" or `name="value",`. */
static void om_histo(FILE *f, const char *name, const char *label,
                     const histo *h)
{
    long cum = 0;
    for (int b = 0; b <= NBUCKETS; b++) {
        cum += h->count[b];
        if (b < NBUCKETS)
            fprintf(f, "%s_bucket{%sle=\"%g\"} %ld\n", name, label, buckets[b],
                    cum);
        else
            fprintf(f, "%s_bucket{%sle=\"+Inf\"} %ld\n", name, label, cum);
    }
    /* label without its trailing comma, in braces when there is one */
    char lb[64] = "";
    if (label[0])
        snprintf(lb, sizeof lb, "{%.*s}", (int)strlen(label) - 1, label);
    fprintf(f, "%s_count%s %ld\n", name, lb, h->n);
    fprintf(f, "%s_sum%s %.9g\n", name, lb, h->sum);
}

static void om_jobs(FILE *f, const hz_metrics *m)
{
    om_family(f, "horizon_jobs", "counter", NULL,
              "Jobs this runner finished, by type and status.");
    for (int i = 0; i < m->ntypes; i++) {
        fprintf(f,
                "horizon_jobs_total{type=\"%s\",status=\"succeeded\"} %ld\n",
                m->types[i], m->type_ok[i]);
        fprintf(f, "horizon_jobs_total{type=\"%s\",status=\"failed\"} %ld\n",
                m->types[i], m->type_failed[i]);
    }
    om_family(f, "horizon_job_failures", "counter", NULL,
              "Jobs failed for good, by reason.");
    for (int i = 0; i < m->nreasons; i++)
        if (m->reason_count[i])
            fprintf(f, "horizon_job_failures_total{reason=\"%s\"} %ld\n",
                    m->reasons[i], m->reason_count[i]);
    om_family(f, "horizon_job_retries", "counter", NULL,
              "Jobs handed back to the queue (retries, releases), by "
              "reason.");
    for (int i = 0; i < m->nreasons; i++)
        if (m->requeue_count[i])
            fprintf(f, "horizon_job_retries_total{reason=\"%s\"} %ld\n",
                    m->reasons[i], m->requeue_count[i]);
    om_family(f, "horizon_stage_seconds", "histogram", "seconds",
              "Time of each stage of a job.");
    for (int i = 0; i < HZ_NSTAGES; i++) {
        char label[48];
        snprintf(label, sizeof label, "stage=\"%s\",", hz_stage_name(i));
        om_histo(f, "horizon_stage_seconds", label, &m->h_stage[i]);
    }
    om_family(f, "horizon_job_latency_seconds", "histogram", "seconds",
              "Time from claim to write-back of a finished job.");
    om_histo(f, "horizon_job_latency_seconds", "", &m->h_latency);
}

static void om_runner(FILE *f, const hz_metrics *m)
{
    om_family(f, "horizon_request_units", "counter", NULL,
              "Cosmos DB request units charged, by runner stage.");
    fprintf(f, "horizon_request_units_total{stage=\"claim\"} %.6g\n",
            m->ru_claim);
    fprintf(f, "horizon_request_units_total{stage=\"write\"} %.6g\n",
            m->ru_write);
    om_family(f, "horizon_llm_tokens", "counter", NULL,
              "LLM tokens of the narratives (the servers' usage).");
    fprintf(f, "horizon_llm_tokens_total{kind=\"prompt\"} %.0f\n",
            m->tokens_prompt);
    fprintf(f, "horizon_llm_tokens_total{kind=\"completion\"} %.0f\n",
            m->tokens_completion);
    om_family(f, "horizon_narratives", "counter", NULL,
              "Narratives added to jobs, by whether the cache answered.");
    fprintf(f, "horizon_narratives_total{cached=\"false\"} %ld\n",
            m->narratives - m->narratives_cached);
    fprintf(f, "horizon_narratives_total{cached=\"true\"} %ld\n",
            m->narratives_cached);
    om_family(f, "horizon_store_errors", "counter", NULL,
              "Failed store operations of the runner, by operation.");
    for (int i = 0; i < m->nstore_failed; i++)
        fprintf(f, "horizon_store_errors_total{op=\"%s\"} %ld\n",
                m->store_ops_failed[i], m->store_failed_count[i]);
    om_family(f, "horizon_schedule_slots", "counter", NULL,
              "Schedule slots: jobs created, missed slots skipped.");
    fprintf(f, "horizon_schedule_slots_total{outcome=\"created\"} %ld\n",
            m->slots_created);
    fprintf(f, "horizon_schedule_slots_total{outcome=\"skipped\"} %ld\n",
            m->slots_skipped);
    om_family(f, "horizon_runner_healthy", "gauge", NULL,
              "1 when the runner's last claim and its workers' last "
              "write reached the store.");
    fprintf(f, "horizon_runner_healthy %d\n", m->healthy ? 1 : 0);
    om_family(f, "horizon_job_isolation_landlock_abi", "gauge", NULL,
              "Landlock ABI job processes are isolated with; 0: none "
              "(they can read what the runner's user can).");
    fprintf(f, "horizon_job_isolation_landlock_abi %d\n", m->isolation_abi);
    om_family(f, "horizon_job_isolation_socket_filter", "gauge", NULL,
              "1 when job processes get the seccomp filter that lets them "
              "make IPv4, IPv6 and netlink sockets only (with or without "
              "Landlock); 0: none.");
    fprintf(f, "horizon_job_isolation_socket_filter %d\n",
            m->socket_filter ? 1 : 0);
    om_family(f, "horizon_jobs_running", "gauge", NULL, "Jobs running now.");
    fprintf(f, "horizon_jobs_running %d\n", m->running);
    om_family(f, "horizon_runner_uptime_seconds", "gauge", "seconds",
              "Time since the runner started.");
    fprintf(f, "horizon_runner_uptime_seconds %.3f\n", m->wall_s);
}

hz_status hz_metrics_write_openmetrics(hz_metrics *m, const char *path,
                                       hz_error *err)
{
    /* a temporary file of a name nobody can guess beside it, renamed
     * over it (hz_outfile): a reader never sees half a file, and no link
     * planted at a predictable name is written through */
    hz_outfile *o = NULL;
    if (hz_outfile_open(path, &o, err) != HZ_OK)
        return HZ_EIO;
    FILE *f = hz_outfile_stream(o);
    pthread_mutex_lock(&m->mu);
    om_jobs(f, m);
    om_runner(f, m);
    pthread_mutex_unlock(&m->mu);
    fputs("# EOF\n", f);
    return hz_outfile_commit(o, err);
}
