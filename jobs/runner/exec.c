/* Job execution: fetch, ingest, compute, summarise (see exec.h). */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "net/cjson.h"
#include "runner/exec.h"
#include "net/http.h"
#include "horizon/analytics.h"
#include "horizon/csv.h"
#include "horizon/dataset.h"
#include "horizon/version.h"
#include "horizon/forecast.h"
#include "horizon/series.h"

static const char *const stage_names[HZ_NSTAGES] = {
    "fetch", "ingest", "compute", "summarise", "write"};

const char *hz_stage_name(int stage)
{
    return stage >= 0 && stage < HZ_NSTAGES ? stage_names[stage] : "?";
}

void hz_exec_options_init(hz_exec_options *o)
{
    memset(o, 0, sizeof *o);
    o->max_download_bytes = 2LL << 30;
    o->fetch_timeout_s = 120;
}

void hz_exec_output_init(hz_exec_output *o)
{
    memset(o, 0, sizeof *o);
    o->dataset_bytes = -1;
}

void hz_exec_output_clear(hz_exec_output *o)
{
    if (o == NULL)
        return;
    cJSON_Delete(o->summary);
    for (size_t i = 0; i < o->nrowsets; i++) {
        cJSON_Delete(o->rows[i].json);
        hz_analytics_result_free(o->rows[i].analytics);
    }
    free(o->rows);
    free(o->report);
    hz_exec_output_init(o);
}

size_t hz_exec_count_rows(const hz_exec_rows *rs)
{
    if (rs->analytics != NULL)
        return hz_analytics_customers(rs->analytics);
    return rs->json ? (size_t)cJSON_GetArraySize(rs->json) : 0;
}

int hz_exec_write_rows(const hz_exec_rows *rs, FILE *f)
{
    if (rs->analytics != NULL) {
        for (size_t i = 0, n = hz_analytics_customers(rs->analytics); i < n;
             i++) {
            hz_analytics_result_write_row_json(rs->analytics, i, f);
            fputc('\n', f); /* rows hold no newline: strings are escaped */
        }
    } else {
        const cJSON *row;
        cJSON_ArrayForEach(row, rs->json)
        {
            char *t = cJSON_PrintUnformatted(row);
            if (t == NULL)
                return -1;
            fputs(t, f);
            fputc('\n', f);
            cJSON_free(t);
        }
    }
    return ferror(f) ? -1 : 0;
}

/* ---- parameter validation ---- */

typedef enum { P_STR, P_INT, P_NUM, P_STRARR, P_NUMARR, P_DATE } ptype;

typedef struct param_spec {
    const char *name;
    ptype type;
    double lo, hi;
} param_spec;

static const param_spec forecast_params[] = {
    {"dateColumn", P_STR, 0, 0},
    {"valueColumn", P_STR, 0, 0},
    {"by", P_STRARR, 0, 8},
    {"freq", P_STR, 0, 0},
    {"agg", P_STR, 0, 0},
    {"horizon", P_INT, 1, 1000},
    {"levels", P_NUMARR, 0, HZ_FC_MAX_LEVELS},
    {"model", P_STR, 0, 0},
    {"seed", P_INT, 0, 4e18},
    {"fill", P_STR, 0, 0},
    {"debugSleepS", P_NUM, 0, 3600},
    {"debugSleepTool", P_STR, 0, 0},
    {NULL, P_STR, 0, 0}};

static const param_spec analytics_params[] = {
    {"customerColumn", P_STR, 0, 0},
    {"dateColumn", P_STR, 0, 0},
    {"amountColumn", P_STR, 0, 0},
    {"labelColumn", P_STR, 0, 0},
    {"asOf", P_DATE, 0, 0},
    {"calibrationEnd", P_DATE, 0, 0},
    {"unit", P_STR, 0, 0},
    {"horizonMonths", P_INT, 1, 240},
    {"discountRate", P_NUM, 0, 1},
    {"k", P_INT, 0, 50},
    {"kMax", P_INT, 2, 50},
    {"nInit", P_INT, 1, 1000},
    {"inactiveDays", P_INT, 1, 100000},
    {"folds", P_INT, 2, 50},
    {"C", P_NUM, 1e-9, 1e9},
    {"seed", P_INT, 0, 4e18},
    {"debugSleepS", P_NUM, 0, 3600},
    {"debugSleepTool", P_STR, 0, 0},
    {NULL, P_STR, 0, 0}};

static bool parse_date(const char *s, int32_t *day)
{
    /* YYYY-MM-DD, a real calendar day, no time */
    int64_t secs;
    bool ts;
    if (!hz_parse_datetime(s, strlen(s), HZ_DATEFMT_ISO, &secs, &ts, NULL) ||
        ts)
        return false;
    *day = (int32_t)(secs / 86400 - (secs % 86400 < 0));
    return true;
}

static hz_status check_params(const cJSON *params, const param_spec *spec,
                              hz_error *err)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, params)
    {
        const param_spec *p = spec;
        while (p->name != NULL && strcmp(p->name, it->string) != 0)
            p++;
        if (p->name == NULL) {
            char list[512] = "";
            size_t n = 0;
            for (const param_spec *q = spec; q->name; q++)
                if (strncmp(q->name, "debug", 5) != 0)
                    n += (size_t)snprintf(list + n, sizeof list - n, "%s%s",
                                          n ? ", " : "", q->name);
            return hz_error_set(err, HZ_EINVAL,
                                "params.%s: unknown "
                                "parameter (expected one of: %s)",
                                it->string, list);
        }
        switch (p->type) {
        case P_STR:
            if (!cJSON_IsString(it) || it->valuestring[0] == '\0')
                return hz_error_set(err, HZ_EINVAL,
                                    "params.%s: expected a "
                                    "non-empty string",
                                    p->name);
            break;
        case P_DATE: {
            int32_t d;
            if (!cJSON_IsString(it) || !parse_date(it->valuestring, &d))
                return hz_error_set(err, HZ_EINVAL,
                                    "params.%s: expected a "
                                    "date YYYY-MM-DD",
                                    p->name);
            break;
        }
        case P_INT:
        case P_NUM: {
            double v = cJSON_IsNumber(it) ? it->valuedouble : NAN;
            if (!isfinite(v) || v < p->lo || v > p->hi ||
                (p->type == P_INT && v != floor(v))) {
                char got[64];
                if (cJSON_IsNumber(it))
                    snprintf(got, sizeof got, "%g", it->valuedouble);
                else if (cJSON_IsString(it))
                    snprintf(got, sizeof got, "'%.40s'", it->valuestring);
                else
                    snprintf(got, sizeof got, "a non-number");
                return hz_error_set(
                    err, HZ_EINVAL,
                    "params.%s: expected %s "
                    "in [%g, %g], got %s",
                    p->name, p->type == P_INT ? "an integer" : "a number",
                    p->lo, p->hi, got);
            }
            break;
        }
        case P_STRARR:
        case P_NUMARR: {
            if (!cJSON_IsArray(it) || cJSON_GetArraySize(it) > (int)p->hi)
                return hz_error_set(err, HZ_EINVAL,
                                    "params.%s: expected an "
                                    "array of at most %g %s",
                                    p->name, p->hi,
                                    p->type == P_STRARR ? "strings"
                                                        : "numbers");
            const cJSON *e;
            cJSON_ArrayForEach(e, it)
            {
                if (p->type == P_STRARR && !cJSON_IsString(e))
                    return hz_error_set(err, HZ_EINVAL,
                                        "params.%s: expected "
                                        "an array of strings",
                                        p->name);
                if (p->type == P_NUMARR &&
                    (!cJSON_IsNumber(e) || !(e->valuedouble > 0) ||
                     !(e->valuedouble < 100)))
                    return hz_error_set(err, HZ_EINVAL,
                                        "params.%s: expected "
                                        "levels in (0, 100)",
                                        p->name);
            }
            break;
        }
        }
    }
    return HZ_OK;
}

hz_status hz_exec_validate(const hz_job *job, hz_error *err)
{
    const cJSON *params = job->params;
    if (job->type == HZ_JOB_FORECAST) {
        hz_status rc = check_params(params, forecast_params, err);
        if (rc != HZ_OK)
            return rc;
        const char *s;
        if ((s = hz__cjson_str(params, "freq")) != NULL) {
            hz_freq f;
            if (!hz_freq_parse(s, &f))
                return hz_error_set(err, HZ_EINVAL,
                                    "params.freq: unknown "
                                    "frequency '%s' (expected day, week, "
                                    "month, quarter, year)",
                                    s);
        }
        if ((s = hz__cjson_str(params, "agg")) != NULL) {
            hz_agg a;
            if (!hz_agg_parse(s, &a))
                return hz_error_set(err, HZ_EINVAL,
                                    "params.agg: unknown "
                                    "aggregation '%s' (expected sum, mean, "
                                    "count)",
                                    s);
        }
        if ((s = hz__cjson_str(params, "model")) != NULL) {
            int m;
            if (!hz_fc_model_parse(s, &m))
                return hz_error_set(err, HZ_EINVAL,
                                    "params.model: unknown "
                                    "model '%s'",
                                    s);
        }
        if ((s = hz__cjson_str(params, "fill")) != NULL &&
            strcmp(s, "zero") != 0 && strcmp(s, "interpolate") != 0)
            return hz_error_set(err, HZ_EINVAL,
                                "params.fill: expected zero "
                                "or interpolate, got '%s'",
                                s);
        return HZ_OK;
    }
    hz_status rc = check_params(params, analytics_params, err);
    if (rc != HZ_OK)
        return rc;
    const char *u = hz__cjson_str(params, "unit");
    if (u != NULL && strcmp(u, "days") != 0 && strcmp(u, "weeks") != 0)
        return hz_error_set(err, HZ_EINVAL,
                            "params.unit: expected days or "
                            "weeks, got '%s'",
                            u);
    if (hz__cjson_num(params, "k", 0) > hz__cjson_num(params, "kMax", 50))
        return hz_error_set(err, HZ_EINVAL,
                            "params.k: larger than "
                            "params.kMax");
    return HZ_OK;
}

/* ---- fetch ---- */

typedef struct dl_state {
    FILE *f;
    long long bytes, max;
    bool too_big;
} dl_state;

static size_t dl_write(char *ptr, size_t size, size_t nmemb, void *ud)
{
    dl_state *st = ud;
    size_t n = size * nmemb;
    if (st->bytes + (long long)n > st->max) {
        st->too_big = true;
        return 0;
    }
    if (fwrite(ptr, 1, n, st->f) != n)
        return 0;
    st->bytes += (long long)n;
    return n;
}

hz_status hz_fetch_url(const char *url, const char *tmpdir,
                       long long max_bytes, double timeout_s, char *path_out,
                       size_t path_sz, long long *bytes, hz_error *err)
{
    if (tmpdir == NULL)
        tmpdir = getenv("TMPDIR");
    if (tmpdir == NULL || tmpdir[0] == '\0')
        tmpdir = "/tmp";
    snprintf(path_out, path_sz, "%s/hz-fetch-XXXXXX", tmpdir);
    int fd = mkstemp(path_out);
    if (fd < 0)
        return hz_error_set(err, HZ_EIO,
                            "could not create a temp file in "
                            "%s: %s",
                            tmpdir, strerror(errno));
    dl_state st = {.f = fdopen(fd, "wb"), .max = max_bytes};
    if (st.f == NULL) {
        close(fd);
        unlink(path_out);
        return hz_error_set(err, HZ_EIO, "could not open a temp file: %s",
                            strerror(errno));
    }
    hz_net_init();
    CURL *h = curl_easy_init();
    hz_status rc = HZ_OK;
    if (h == NULL) {
        rc = hz_error_set(err, HZ_ENOMEM, "could not start libcurl");
        goto out;
    }
    char ebuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, dl_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &st);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max_bytes);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    if (timeout_s > 0)
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(timeout_s * 1000));
    curl_easy_setopt(h, CURLOPT_USERAGENT, "horizon/" HZ_VERSION_STRING);
    CURLcode cc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (st.too_big || cc == CURLE_FILESIZE_EXCEEDED) {
        rc = hz_error_set(err, HZ_EIO,
                          "could not fetch %s: larger than the "
                          "%lld-byte limit",
                          url, max_bytes);
    } else if (cc == CURLE_HTTP_RETURNED_ERROR) {
        rc = hz_error_set(err, status >= 500 ? HZ_ENET : HZ_EIO,
                          "could not fetch %s: HTTP %ld", url, status);
    } else if (cc != CURLE_OK) {
        rc = hz_error_set(err, HZ_ENET, "could not fetch %s: %s", url,
                          ebuf[0] ? ebuf : curl_easy_strerror(cc));
    }
    curl_easy_cleanup(h);
out:
    if (fclose(st.f) != 0 && rc == HZ_OK)
        rc = hz_error_set(err, HZ_EIO, "could not write the download of %s",
                          url);
    if (rc != HZ_OK)
        unlink(path_out);
    else if (bytes != NULL)
        *bytes = st.bytes;
    return rc;
}

/* ---- tools: one engine call each, on its own thread ---- */

typedef struct tool {
    const char *name;  /* "forecast", "clv", "churn", "segment" */
    hz_job_type jtype; /* the job type this tool stands for */
    const hz_job *job;
    const hz_dataset *ds;
    const cJSON *params;
    const hz_exec_options *opt;
    /* outputs */
    hz_status rc;
    hz_error err;
    cJSON *summary;
    cJSON *rows;                 /* forecast */
    hz_analytics_result *result; /* analytics: the rows stay here */
    char *report;                /* HTML report, or NULL and report_err */
    size_t report_len;
    hz_error report_err;
    double seconds, summarise_s;
    bool done;
    pthread_mutex_t *mu;
    pthread_cond_t *cv;
} tool;

static void maybe_sleep(const tool *t)
{
    if (!t->opt->test_hooks)
        return;
    double s = hz__cjson_num(t->params, "debugSleepS", 0);
    const char *which = hz__cjson_str(t->params, "debugSleepTool");
    if (s <= 0 || (which != NULL && strcmp(which, t->name) != 0))
        return;
    struct timespec ts = {(time_t)s, (long)((s - floor(s)) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static void run_forecast_tool(tool *t)
{
    const cJSON *p = t->params;
    hz_forecast_request req;
    hz_forecast_request_init(&req);
    const char *by[8];
    size_t nby = 0;
    req.date_col = hz__cjson_str(p, "dateColumn")
                       ? hz__cjson_str(p, "dateColumn")
                       : "order_date";
    req.value_col = hz__cjson_str(p, "valueColumn")
                        ? hz__cjson_str(p, "valueColumn")
                        : "revenue";
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(p, "by"), *e;
    cJSON_ArrayForEach(e, b)
    {
        if (nby < 8)
            by[nby++] = e->valuestring;
    }
    req.by_cols = nby ? by : NULL;
    req.nby = nby;
    const char *s;
    if ((s = hz__cjson_str(p, "freq")) != NULL) {
        hz_freq f;
        hz_freq_parse(s, &f);
        req.freq = (int)f;
    }
    if ((s = hz__cjson_str(p, "agg")) != NULL) {
        hz_agg a;
        hz_agg_parse(s, &a);
        req.agg = (int)a;
    }
    if ((s = hz__cjson_str(p, "model")) != NULL)
        hz_fc_model_parse(s, &req.model);
    if ((s = hz__cjson_str(p, "fill")) != NULL)
        req.fill = strcmp(s, "interpolate") == 0 ? HZ_FILL_INTERPOLATE
                                                 : HZ_FILL_ZERO;
    req.horizon = (size_t)hz__cjson_num(p, "horizon", (double)req.horizon);
    const cJSON *lv = cJSON_GetObjectItemCaseSensitive(p, "levels");
    if (cJSON_IsArray(lv) && cJSON_GetArraySize(lv) > 0) {
        req.nlevels = 0;
        cJSON_ArrayForEach(e, lv) req.levels[req.nlevels++] = e->valuedouble;
    }
    req.seed = (uint64_t)hz__cjson_num(p, "seed", (double)req.seed);
    req.threads = t->opt->threads;

    hz_forecast_result *r = NULL;
    double t0 = hz_now();
    maybe_sleep(t);
    t->rc = hz_forecast_run(t->ds, &req, &r, &t->err);
    t->seconds = hz_now() - t0;
    if (t->rc != HZ_OK)
        return;
    t0 = hz_now();
    /* rows: one per series and step */
    cJSON *rows = cJSON_CreateArray();
    double fc_total = 0, last_total = 0, width = 0;
    size_t nwidth = 0;
    cJSON *methods = cJSON_CreateObject();
    for (size_t i = 0; i < r->nseries; i++) {
        const hz_forecast_series_result *sr = &r->series[i];
        const hz_forecast *fc = sr->fc;
        last_total += sr->last12_total;
        cJSON *m = cJSON_GetObjectItemCaseSensitive(methods, sr->method);
        if (m != NULL)
            cJSON_SetNumberValue(m, m->valuedouble + 1);
        else
            cJSON_AddNumberToObject(methods, sr->method, 1);
        for (size_t k = 0; fc != NULL && k < fc->h; k++) {
            cJSON *row = cJSON_CreateObject();
            char day[16];
            cJSON_AddStringToObject(row, "series", sr->key ? sr->key : "");
            cJSON_AddStringToObject(
                row, "date", sr->days ? hz_format_day(sr->days[k], day) : "");
            cJSON_AddItemToObject(row, "point",
                                  hz__cjson_num_or_null(fc->mean[k]));
            if (k < 12 && isfinite(fc->mean[k]))
                fc_total += fc->mean[k];
            for (size_t l = 0; l < fc->nlevels; l++) {
                char lo[16], hi[16];
                snprintf(lo, sizeof lo, "lo%g", fc->levels[l]);
                snprintf(hi, sizeof hi, "hi%g", fc->levels[l]);
                cJSON_AddItemToObject(row, lo,
                                      hz__cjson_num_or_null(fc->lower[l][k]));
                cJSON_AddItemToObject(row, hi,
                                      hz__cjson_num_or_null(fc->upper[l][k]));
                if (l == fc->nlevels - 1 && isfinite(fc->upper[l][k]) &&
                    isfinite(fc->lower[l][k]) && fabs(fc->mean[k]) > 0) {
                    width += (fc->upper[l][k] - fc->lower[l][k]) /
                             fabs(fc->mean[k]);
                    nwidth++;
                }
            }
            cJSON_AddStringToObject(row, "model", sr->method);
            cJSON_AddItemToArray(rows, row);
        }
    }
    cJSON *sum = cJSON_CreateObject();
    cJSON_AddStringToObject(sum, "freq", hz_freq_name((hz_freq)r->freq));
    cJSON_AddNumberToObject(sum, "horizon", (double)r->horizon);
    cJSON_AddNumberToObject(sum, "series", (double)r->nseries);
    cJSON_AddNumberToObject(sum, "rowsUsed", (double)r->rows_used);
    /* growth: mean forecast per period over the first min(h, 12) steps
     * against the mean of the last min(n, 12) observed periods */
    size_t steps = r->horizon < 12 ? r->horizon : 12;
    double hist_periods = 0;
    for (size_t i = 0; i < r->nseries; i++)
        hist_periods += (double)(r->series[i].n < 12 ? r->series[i].n : 12);
    double fc_mean = steps && r->nseries
                         ? fc_total / ((double)steps * (double)r->nseries)
                         : NAN;
    double last_mean = hist_periods > 0 ? last_total / hist_periods : NAN;
    cJSON_AddNumberToObject(sum, "forecastSteps", (double)steps);
    cJSON_AddItemToObject(sum, "forecastTotal",
                          hz__cjson_num_or_null(fc_total));
    cJSON_AddItemToObject(sum, "last12Total",
                          hz__cjson_num_or_null(last_total));
    cJSON_AddItemToObject(
        sum, "growthPerPeriod",
        hz__cjson_num_or_null(last_mean != 0 ? fc_mean / last_mean - 1 : NAN));
    cJSON_AddItemToObject(
        sum, "meanRelIntervalWidth",
        hz__cjson_num_or_null(nwidth ? width / (double)nwidth : NAN));
    cJSON_AddItemToObject(sum, "methods", methods);
    t->report = hz__exec_report_forecast(r, &req, t->job, &t->report_len,
                                         &t->report_err);
    hz_forecast_result_free(r);
    t->summary = sum;
    t->rows = rows;
    t->summarise_s = hz_now() - t0;
}

static void analytics_request(const cJSON *p, const hz_exec_options *opt,
                              hz_analytics_request *q)
{
    hz_analytics_request_init(q);
    q->customer_col = hz__cjson_str(p, "customerColumn");
    q->date_col = hz__cjson_str(p, "dateColumn");
    q->amount_col = hz__cjson_str(p, "amountColumn");
    q->label_col = hz__cjson_str(p, "labelColumn");
    int32_t d;
    if (hz__cjson_str(p, "asOf") && parse_date(hz__cjson_str(p, "asOf"), &d))
        q->as_of = d;
    if (hz__cjson_str(p, "calibrationEnd") &&
        parse_date(hz__cjson_str(p, "calibrationEnd"), &d))
        q->calibration_end = d;
    if (hz__cjson_str(p, "unit") &&
        strcmp(hz__cjson_str(p, "unit"), "weeks") == 0)
        q->unit = HZ_UNIT_WEEKS;
    q->horizon_months = (int)hz__cjson_num(p, "horizonMonths",
                                           q->horizon_months);
    q->discount_rate = hz__cjson_num(p, "discountRate", q->discount_rate);
    q->k = (int)hz__cjson_num(p, "k", q->k);
    q->k_max = (int)hz__cjson_num(p, "kMax", q->k_max);
    q->n_init = (int)hz__cjson_num(p, "nInit", q->n_init);
    q->inactive_days = (int)hz__cjson_num(p, "inactiveDays", q->inactive_days);
    q->folds = (int)hz__cjson_num(p, "folds", q->folds);
    q->C = hz__cjson_num(p, "C", q->C);
    q->seed = (uint64_t)hz__cjson_num(p, "seed", (double)q->seed);
    q->threads = opt->threads;
}

static void run_analytics_tool(tool *t)
{
    hz_analysis_kind kind = t->jtype == HZ_JOB_CHURN   ? HZ_ANALYSIS_CHURN
                            : t->jtype == HZ_JOB_CLV   ? HZ_ANALYSIS_CLV
                            : t->jtype == HZ_JOB_SUITE ? HZ_ANALYSIS_SUITE
                                                       : HZ_ANALYSIS_SEGMENT;
    hz_analytics_request q;
    analytics_request(t->params, t->opt, &q);
    hz_analytics_result *r = NULL;
    double t0 = hz_now();
    maybe_sleep(t);
    t->rc = hz_analytics_run(t->ds, kind, &q, &r, &t->err);
    t->seconds = hz_now() - t0;
    if (t->rc != HZ_OK)
        return;
    t0 = hz_now();
    /* The engine's JSON writer gives the summary, parsed back rather than
     * depending on the result's layout.  The per-customer rows stay in
     * the result: the job process writes them with the engine's row
     * writer straight into its result file (hz_exec_write_rows), and the
     * runner passes them on as text.  Building tens of thousands of rows
     * as cJSON trees and printing them again cost more than the analysis
     * itself. */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL) {
        t->rc = hz_error_set(&t->err, HZ_ENOMEM, "out of memory");
        hz_analytics_result_free(r);
        return;
    }
    t->rc = hz_analytics_result_write_json(r, f, false, &t->err);
    fclose(f);
    if (t->rc == HZ_OK) {
        cJSON *doc = cJSON_ParseWithLength(buf, len);
        if (doc == NULL) {
            t->rc = hz_error_set(&t->err, HZ_EINTERNAL,
                                 "%s: the engine's "
                                 "JSON output did not parse",
                                 t->name);
        } else {
            t->summary = cJSON_DetachItemFromObjectCaseSensitive(doc,
                                                                 "summary");
            if (t->summary == NULL)
                t->summary = cJSON_CreateObject();
            cJSON_Delete(doc);
        }
    }
    free(buf);
    if (t->rc == HZ_OK)
        t->report = hz__exec_report_analytics(r, t->job, &t->report_len,
                                              &t->report_err);
    if (t->rc == HZ_OK)
        t->result = r;
    else
        hz_analytics_result_free(r);
    t->summarise_s = hz_now() - t0;
}

static void *tool_main(void *arg)
{
    tool *t = arg;
    if (t->jtype == HZ_JOB_FORECAST)
        run_forecast_tool(t);
    else
        run_analytics_tool(t);
    pthread_mutex_lock(t->mu);
    t->done = true;
    pthread_cond_broadcast(t->cv);
    pthread_mutex_unlock(t->mu);
    return NULL;
}

static void set_reason(hz_exec_output *out, const char *reason, bool retryable)
{
    snprintf(out->reason, sizeof out->reason, "%s", reason);
    out->retryable = retryable;
}

static bool file_exists(const char *p, long long *size)
{
    struct stat sb;
    if (stat(p, &sb) != 0 || !S_ISREG(sb.st_mode))
        return false;
    *size = (long long)sb.st_size;
    return true;
}

hz_status hz_exec_run(const hz_job *job, const char *dataset,
                      const hz_exec_options *opt, hz_exec_output *out,
                      hz_error *err)
{
    hz_status rc = HZ_OK;
    hz_dataset *ds = NULL;
    char tmp[4096] = "";
    hz_exec_output_init(out);
    /* fetch */
    double t0 = hz_now();
    const char *path = dataset;
    if (strncmp(dataset, "http://", 7) == 0 ||
        strncmp(dataset, "https://", 8) == 0) {
        rc = hz_fetch_url(dataset, opt->tmpdir, opt->max_download_bytes,
                          opt->fetch_timeout_s, tmp, sizeof tmp,
                          &out->dataset_bytes, err);
        if (rc != HZ_OK) {
            set_reason(out, "fetch", rc == HZ_ENET);
            return rc;
        }
        path = tmp;
    } else {
        if (strncmp(dataset, "file://", 7) == 0)
            path = dataset + 7;
        if (!file_exists(path, &out->dataset_bytes)) {
            set_reason(out, "dataset", false);
            return hz_error_set(err, HZ_EIO, "dataset '%s': %s", dataset,
                                access(path, F_OK) == 0 ? "not a regular file"
                                                        : "no such file");
        }
    }
    out->stage_s[HZ_STAGE_FETCH] = hz_now() - t0;

    /* ingest */
    t0 = hz_now();
    hz_csv_options co;
    hz_csv_options_init(&co);
    co.threads = opt->threads;
    hz_csv_report rep;
    rc = hz_csv_read(path, &co, &ds, &rep, err);
    if (tmp[0] != '\0')
        unlink(tmp);
    out->stage_s[HZ_STAGE_INGEST] = hz_now() - t0;
    if (rc != HZ_OK) {
        set_reason(out, "dataset", false);
        return rc;
    }
    out->dataset_rows = ds->nrows;

    /* compute: each tool (engine call) on its own thread, with its own
     * deadline.  A suite is one call of the engine's suite, which shares
     * the ingest and the customer summary between churn, CLV and
     * segmentation and runs them concurrently (OpenMP sections); the
     * BG/NBD fit behind CLV also gives the churn risk, so it is fitted
     * once (three separate calls cost 3.5x the CPU, measured). */
    tool tools[3];
    size_t ntools = 0;
    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t cv;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&cv, &ca);
    pthread_condattr_destroy(&ca);
    tools[ntools++] = (tool){.jtype = job->type};
    pthread_t th[3];
    bool started[3] = {false, false, false};
    t0 = hz_now();
    for (size_t i = 0; i < ntools; i++) {
        tools[i].name = hz_job_type_name(tools[i].jtype);
        tools[i].job = job;
        tools[i].ds = ds;
        tools[i].params = job->params;
        tools[i].opt = opt;
        tools[i].mu = &mu;
        tools[i].cv = &cv;
        if (pthread_create(&th[i], NULL, tool_main, &tools[i]) != 0) {
            rc = hz_error_set(err, HZ_ENOMEM, "could not start a thread");
            set_reason(out, "compute", true);
            goto join;
        }
        started[i] = true;
    }
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    if (opt->tool_timeout_s > 0) {
        double whole = floor(opt->tool_timeout_s);
        deadline.tv_sec += (time_t)whole;
        deadline.tv_nsec += (long)((opt->tool_timeout_s - whole) * 1e9);
        if (deadline.tv_nsec >= 1000000000L) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000L;
        }
    }
    pthread_mutex_lock(&mu);
    for (;;) {
        size_t left = 0;
        for (size_t i = 0; i < ntools; i++)
            left += !tools[i].done;
        if (left == 0)
            break;
        int w = opt->tool_timeout_s > 0
                    ? pthread_cond_timedwait(&cv, &mu, &deadline)
                    : pthread_cond_wait(&cv, &mu);
        if (w == ETIMEDOUT) {
            char names[64] = "";
            size_t n = 0;
            for (size_t i = 0; i < ntools; i++)
                if (!tools[i].done)
                    n += (size_t)snprintf(names + n, sizeof names - n, "%s%s",
                                          n ? ", " : "", tools[i].name);
            pthread_mutex_unlock(&mu);
            out->stage_s[HZ_STAGE_COMPUTE] = hz_now() - t0;
            set_reason(out, "tool-timeout", false);
            /* The overrunning threads still use ds: leave both alone; the
             * caller's process exits. */
            return hz_error_set(err, HZ_ETIMEOUT,
                                "tool %s exceeded its "
                                "timeout of %g s",
                                names, opt->tool_timeout_s);
        }
    }
    pthread_mutex_unlock(&mu);
join:
    for (size_t i = 0; i < ntools; i++)
        if (started[i])
            pthread_join(th[i], NULL);
    /* tools run side by side: the summarise stage is the longest tool's
     * summarise step, compute the rest of the wall time */
    double summarise = 0;
    for (size_t i = 0; i < ntools; i++)
        summarise = fmax(summarise, tools[i].summarise_s);
    out->stage_s[HZ_STAGE_COMPUTE] = fmax(0, hz_now() - t0 - summarise);
    out->stage_s[HZ_STAGE_SUMMARISE] = summarise;

    if (rc == HZ_OK) {
        /* A suite completes when at least one tool did; failed parts are
         * reported in the summary (as the engine's suite does). */
        size_t ok = 0;
        for (size_t i = 0; i < ntools; i++)
            ok += tools[i].rc == HZ_OK;
        if (ok == 0) {
            rc = tools[0].rc;
            if (err != NULL) {
                if (ntools == 1)
                    *err = tools[0].err;
                else
                    hz_error_set(err, tools[0].rc,
                                 "every tool failed; "
                                 "churn: %s; clv: %s; segment: %s",
                                 tools[0].err.msg, tools[1].err.msg,
                                 tools[2].err.msg);
            }
            set_reason(out, "compute", false);
        }
    }
    if (rc == HZ_OK) {
        size_t ntools_done = ntools;
        out->summary = cJSON_CreateObject();
        out->rows = calloc(ntools, sizeof *out->rows);
        if (out->summary == NULL || out->rows == NULL) {
            rc = hz_error_set(err, HZ_ENOMEM, "out of memory");
            set_reason(out, "compute", true);
            ntools_done = 0;
        }
        cJSON_AddNumberToObject(out->summary, "datasetRows",
                                (double)ds->nrows);
        for (size_t i = 0; i < ntools_done; i++) {
            tool *t = &tools[i];
            if (t->rc != HZ_OK) {
                cJSON *e = cJSON_CreateObject();
                cJSON_AddStringToObject(e, "error", t->err.msg);
                cJSON_AddItemToObject(out->summary, t->name, e);
                continue;
            }
            cJSON_AddItemToObject(out->summary, t->name, t->summary);
            t->summary = NULL;
            hz_exec_rows *rs = &out->rows[out->nrowsets++];
            snprintf(rs->kind, sizeof rs->kind, "%s", t->name);
            rs->json = t->rows;
            rs->analytics = t->result;
            t->rows = NULL;
            t->result = NULL;
            if (out->report == NULL && t->report != NULL) {
                out->report = t->report;
                out->report_len = t->report_len;
                t->report = NULL;
            } else if (out->report == NULL && t->report_err.msg[0]) {
                memcpy(out->report_error, t->report_err.msg,
                       sizeof out->report_error);
                out->report_error[sizeof out->report_error - 1] = '\0';
            }
        }
    }
    for (size_t i = 0; i < ntools; i++) {
        cJSON_Delete(tools[i].summary);
        cJSON_Delete(tools[i].rows);
        hz_analytics_result_free(tools[i].result);
        free(tools[i].report);
    }
    pthread_cond_destroy(&cv);
    hz_dataset_free(ds);
    return rc;
}
