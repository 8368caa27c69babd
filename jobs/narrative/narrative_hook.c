/* Runner integration of the narrative step: summary items from the
 * runner's result summaries, and a thread-safe service behind the
 * runner's narrative hook.  See narrative.h. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "horizon/clv.h"
#include "horizon/outfile.h"
#include "narrative/narrative.h"
#include "net/cjson.h"

/* ---------------- summary items from result JSON ---------------- */

static hz_status from_forecast(const cJSON *f, hz_summary *s)
{
    char a[32], b[32];
    hz_status st = HZ_OK;
    double steps = hz__cjson_num(f, "forecastSteps", NAN),
           total = hz__cjson_num(f, "forecastTotal", NAN);
    double growth = hz__cjson_num(f, "growthPerPeriod", NAN);
    double nser = hz__cjson_num(f, "series", NAN);
    const char *freq = hz__cjson_str(f, "freq");
    double csteps = hz__cjson_num(f, "compareSteps", NAN);
    if (isfinite(csteps) && isfinite(total) && steps >= 1) {
        /* the key figures' words and numbers: the total over the
         * horizon, its first periods against the same periods a season
         * before (hz_summary_total_text) */
        hz_summary_span sp = {0, 0, false};
        if (csteps >= 1 && csteps <= steps) {
            sp.steps = (size_t)csteps;
            sp.lag = (size_t)hz__cjson_num(f, "compareLag", 0);
            sp.seasonal = cJSON_IsTrue(
                cJSON_GetObjectItemCaseSensitive(f, "compareSeasonal"));
        }
        char line[HZ_SUMMARY_TEXT_MAX];
        hz_summary_total_text((size_t)steps, freq, total, &sp,
                              hz__cjson_num(f, "compareForecast", NAN),
                              hz__cjson_num(f, "compareBase", NAN), line,
                              sizeof line);
        st = hz_summary_add(s, 0, "forecast.total", "forecast of %.0f series, %s",
                            isfinite(nser) ? nser : 1, line);
    } else if (isfinite(total) && isfinite(steps)) /* stored before */
        st = hz_summary_add(s, 0, "forecast.total",
                            "forecast next %.0f %s%s (%.0f series): total "
                            "%s, %s per period vs the last 12 observed",
                            steps, freq ? freq : "period",
                            steps == 1 ? "" : "s", isfinite(nser) ? nser : 1,
                            hz_fmt_num(total, a, 32),
                            hz_fmt_pct(growth, 1, b, 32));
    double last = hz__cjson_num(f, "last12Total", NAN);
    if (st == HZ_OK && isfinite(last))
        st = hz_summary_add(s, 1, "forecast.last12",
                            "last 12 observed periods: total %s",
                            hz_fmt_num(last, a, 32));
    double w = hz__cjson_num(f, "intervalHalfWidthRatio", NAN),
           lv = hz__cjson_num(f, "intervalLevel", NAN);
    if (st == HZ_OK && isfinite(w) && isfinite(lv))
        st = hz_summary_add(s, 2, "forecast.interval",
                            "%g%% prediction intervals: +/-%s of the "
                            "forecast (half-widths summed over every series "
                            "and period, relative to the summed forecast)",
                            lv, hz_fmt_pct(w, 0, a, 32));
    const cJSON *methods = hz__cjson_obj(f, "methods");
    if (st == HZ_OK && methods != NULL && cJSON_GetArraySize(methods) > 0) {
        char line[HZ_SUMMARY_TEXT_MAX] = "";
        size_t len = 0;
        const cJSON *m;
        int k = 0;
        cJSON_ArrayForEach(m, methods)
        {
            if (k++ == 4)
                break;
            int wr = snprintf(line + len, sizeof line - len, "%s%s x%.0f",
                              len ? ", " : "", m->string,
                              cJSON_GetNumberValue(m));
            if (wr < 0 || (size_t)wr >= sizeof line - len)
                break;
            len += (size_t)wr;
        }
        st = hz_summary_add(s, 3, "forecast.models", "models: %s", line);
    }
    return st;
}

static hz_status from_churn(const cJSON *t, hz_summary *s)
{
    char a[32];
    const cJSON *c = hz__cjson_obj(t, "churn");
    if (c == NULL)
        return HZ_ENOTFOUND;
    double n = hz__cjson_num(t, "customers", NAN);
    /* every coefficient: hz_summary_churn ranks them (the first 8 left
     * out the strongest drivers when one-hot columns came first) */
    const cJSON *coef = hz__cjson_obj(c, "coefficients"), *it;
    int ncoef = coef != NULL ? cJSON_GetArraySize(coef) : 0;
    hz_summary_driver *d = malloc((size_t)(ncoef > 0 ? ncoef : 1) * sizeof *d);
    if (d == NULL)
        return HZ_ENOMEM;
    size_t nd = 0;
    cJSON_ArrayForEach(it, coef)
    {
        if (nd == (size_t)ncoef)
            break;
        d[nd].name = hz__cjson_str(it, "feature");
        d[nd].effect = hz__cjson_num(it, "coef", NAN);
        if (d[nd].name && isfinite(d[nd].effect))
            nd++;
    }
    bool labelled = coef != NULL;
    const char *model = hz__cjson_str(c, "model"); /* the engine's words */
    if (model == NULL) /* a summary stored before they were kept */
        model = labelled ? "logistic regression on the churn label"
                         : "1 - P(alive) (BG/NBD) and a recency rule";
    hz_status st = hz_summary_churn(
        isfinite(n) ? (size_t)n : 0, hz__cjson_num(c, "churn_rate", NAN),
        hz__cjson_num(c, "mean_risk", NAN), SIZE_MAX, d, nd, model, 0, s,
        NULL);
    free(d);
    double auc = hz__cjson_num(c, "auc", NAN);
    if (st == HZ_OK && isfinite(auc))
        st = hz_summary_add(s, 3, "churn.auc",
                            "churn model cross-validated "
                            "AUC %.2f",
                            auc);
    if (st == HZ_OK && !labelled &&
        isfinite(hz__cjson_num(c, "inactive_days", NAN)))
        st = hz_summary_add(s, 2, "churn.rule",
                            "churn rate = share of "
                            "customers with no purchase in %.0f days",
                            hz__cjson_num(c, "inactive_days", NAN));
    (void)a;
    return st;
}

static hz_status from_clv(const cJSON *t, hz_summary *s)
{
    char a[32], c3[32];
    const cJSON *c = hz__cjson_obj(t, "clv");
    if (c == NULL)
        return HZ_ENOTFOUND;
    double n = hz__cjson_num(t, "customers", NAN),
           total = hz__cjson_num(c, "total", NAN);
    double h = hz__cjson_num(c, "horizon_months", NAN);
    hz_status st = HZ_OK;
    char tm[2][HZ_FMT_NUM_MAX]; /* one style: not "total 4.25e+15, mean
                                   14.2T" */
    hz_fmt_nums((const double[]){total, n > 0 ? total / n : NAN}, 2, tm);
    if (isfinite(total))
        st = hz_summary_add(s, 0, "clv.total",
                            "%.0f-month CLV: total %s, mean %s across %s "
                            "customers",
                            isfinite(h) ? h : 12, tm[0], tm[1],
                            hz_fmt_num(n, c3, 32));
    const cJSON *q = hz__cjson_obj(c, "quantiles");
    if (st == HZ_OK && q != NULL) {
        char r[3][HZ_FMT_NUM_MAX];
        hz_fmt_nums((const double[]){hz__cjson_num(q, "p10", NAN),
                                     hz__cjson_num(q, "p50", NAN),
                                     hz__cjson_num(q, "p90", NAN)},
                    3, r);
        st = hz_summary_add(s, 1, "clv.quantiles",
                            "CLV quantiles p10 %s, p50 %s, p90 %s", r[0],
                            r[1], r[2]);
    }
    /* the model the CLV came from, by its identifier ("pnbd" was told as
     * BG/NBD when a holdout had fitted both) */
    hz_purchase_kind pk = HZ_PURCHASE_BGNBD; /* a summary without "model" */
    const char *model = hz__cjson_str(c, "model");
    if (st == HZ_OK && isfinite(total) &&
        (model != NULL ? hz_purchase_kind_parse(model, &pk)
                       : hz__cjson_obj(c, "bgnbd") != NULL))
        st = hz_summary_add(
            s, 4, "clv.model",
            "CLV model: %s + Gamma-Gamma, monthly discount %s",
            hz_purchase_kind_label(pk),
            hz_fmt_pct(hz__cjson_num(c, "discount_rate", NAN), 0, a, 32));
    return st;
}

static hz_status from_segments(const cJSON *t, hz_summary *s)
{
    const cJSON *sg = hz__cjson_obj(t, "segments");
    const cJSON *rfm = sg ? hz__cjson_obj(sg, "rfm") : NULL;
    if (rfm == NULL)
        return HZ_ENOTFOUND;
    size_t k = (size_t)cJSON_GetArraySize(rfm), m = 0;
    if (k == 0)
        return HZ_ENOTFOUND;
    const char **names = calloc(k, sizeof *names);
    size_t *sizes = calloc(k, sizeof *sizes);
    double *rev = calloc(k, sizeof *rev);
    hz_status st = HZ_ENOMEM;
    if (names && sizes && rev) {
        const cJSON *it;
        cJSON_ArrayForEach(it, rfm)
        {
            double sz = hz__cjson_num(it, "size", NAN);
            if (!(sz > 0))
                continue; /* empty segments say nothing */
            names[m] = hz__cjson_str(it, "segment");
            sizes[m] = (size_t)sz;
            rev[m] = isfinite(hz__cjson_num(it, "revenue", NAN))
                         ? hz__cjson_num(it, "revenue", NAN)
                         : 0;
            m++;
        }
        st = m ? hz_summary_segments(names, sizes, rev, m, 0, s, NULL)
               : HZ_ENOTFOUND;
    }
    const cJSON *km = hz__cjson_obj(sg, "kmeans");
    if (st == HZ_OK && km != NULL && isfinite(hz__cjson_num(km, "k", NAN)))
        st = hz_summary_add(s, 6, "segment.kmeans",
                            "k-means found %.0f "
                            "behavioural clusters",
                            hz__cjson_num(km, "k", NAN));
    free(names);
    free(sizes);
    free(rev);
    return st;
}

hz_status hz_summary_from_result_json(const char *job_type,
                                      const cJSON *summary, hz_summary **out,
                                      hz_error *err)
{
    char a[32];
    *out = NULL;
    if (!cJSON_IsObject(summary))
        return hz_error_set(err, HZ_EINVAL, "summary: not an object");
    hz_summary *s = hz_summary_new(job_type ? job_type : "job");
    if (s == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    /* The parts may sit under one key per tool ("forecast", "churn",
     * "clv", "segment") or together under one key (an engine suite:
     * "suite": {"customers", "clv", "churn", "segments"}), or at the top
     * level: look at the summary itself and at each child object. */
    hz_status st = HZ_OK;
    const cJSON *child = NULL;
    for (const cJSON *t = summary; t != NULL && st != HZ_ENOMEM;
         t = child = child ? child->next : summary->child) {
        if (!cJSON_IsObject(t) || hz__cjson_str(t, "error") != NULL)
            continue;
        for (int k = 0; k < 4 && st != HZ_ENOMEM; k++) {
            bool has = k == 0
                           ? isfinite(hz__cjson_num(t, "forecastTotal", NAN))
                       : k == 1
                           ? isfinite(hz__cjson_num(hz__cjson_obj(t, "churn"),
                                                    "churn_rate", NAN))
                       : k == 2 ? isfinite(hz__cjson_num(
                                      hz__cjson_obj(t, "clv"), "total", NAN))
                                : hz__cjson_obj(hz__cjson_obj(t, "segments"),
                                                "rfm") != NULL;
            if (!has && k == 0 &&
                isfinite(hz__cjson_num(t, "forecastSteps", NAN)) &&
                isfinite(hz__cjson_num(t, "series", NAN))) {
                /* a forecast whose total is no number (its sum passed
                 * 1.8e308) says so, rather than leave nothing to narrate
                 * (explain failed, the command's report refused) */
                st = hz_summary_add(s, 0, "forecast.total",
                                    "forecast of %.0f series: the total "
                                    "of the forecasts is beyond the range "
                                    "of numbers (1.8e308) and is not "
                                    "summarised",
                                    hz__cjson_num(t, "series", NAN));
                continue;
            }
            if (!has)
                continue;
            hz_summary *part = hz_summary_new("part");
            if (part == NULL) {
                st = HZ_ENOMEM;
                break;
            }
            hz_status ps = k == 0   ? from_forecast(t, part)
                           : k == 1 ? from_churn(t, part)
                           : k == 2 ? from_clv(t, part)
                                    : from_segments(t, part);
            if (ps == HZ_OK)
                st = hz_summary_append(s, part, 0, NULL);
            else if (ps == HZ_ENOMEM)
                st = ps;
            hz_summary_free(part);
        }
    }
    double rows = hz__cjson_num(summary, "datasetRows", NAN);
    if (st == HZ_OK && isfinite(rows) && s->n > 0)
        st = hz_summary_add(s, 7, "dataset.rows",
                            "computed from %s "
                            "dataset rows",
                            hz_fmt_num(rows, a, 32));
    if (st == HZ_ENOMEM) {
        hz_summary_free(s);
        return hz_error_set(err, st, "out of memory");
    }
    if (s->n == 0) {
        hz_summary_free(s);
        return hz_error_set(err, HZ_ENOTFOUND, "summary: nothing to narrate");
    }
    hz_summary_sort(s);
    *out = s;
    return HZ_OK;
}

/* ---------------- the service ---------------- */

typedef struct waiter {
    hz_narrative_job job;
    bool done;
    struct waiter *next;
} waiter;

/* A job narrated by the service: the hash of its tenant and id (0:
 * an empty slot) and the source of its last narrative. */
typedef struct job_seen {
    uint64_t h;
    enum { SEEN_NONE, SEEN_LLM, SEEN_TEMPLATE } src;
} job_seen;

struct hz_narrative_service {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    hz_narrative_ctx *ctx;
    hz_prompt_cache *cache;
    hz_store *store;
    waiter *head, *tail;
    bool leader;
    double gather_s;
    FILE *log;       /* where the service speaks (may be NULL) */
    bool auth_said;  /* the refused credentials said (by the leader) */
    /* the jobs narrated, each once whatever its attempts (a job taken
     * over, or retried, is narrated again): a hash of its tenant and id
     * and how its last narrative came (under mu) */
    job_seen *seen;
    size_t seen_cap, njobs, nllm, ntemplates, narrations;
};

/* The narrative context of the service: the settings' LLM, or (offline,
 * or when the LLM's configuration cannot work) the template alone. */
static void open_context(hz_narrative_service *s, hz_llm_settings *set,
                         const char *store_spec, FILE *log)
{
    hz_error err;
    bool online = set->client.provider != HZ_LLM_NONE;
    if (online && store_spec != NULL && set->cache_ttl_s > 0 &&
        hz_store_open(store_spec, &s->store, &err) == HZ_OK)
        s->cache = hz_prompt_cache_store(s->store);
    else if (online && set->cache_ttl_s > 0)
        s->cache = hz_prompt_cache_memory();
    if (hz_narrative_open(set, s->cache, NULL, &s->ctx, &err) == HZ_OK)
        return;
    if (log)
        fprintf(log, "horizon: narratives: %s; template narratives instead\n",
                err.msg);
    hz_llm_settings_init(set); /* offline, default budget */
    if (hz_narrative_open(set, NULL, NULL, &s->ctx, &err) != HZ_OK)
        s->ctx = NULL;
}

hz_status hz_narrative_service_open(const char *store_spec, FILE *log,
                                    bool quiet, hz_narrative_service **out)
{
    hz_llm_settings set;
    hz_error err;
    *out = NULL;
    if (hz_llm_settings_load(NULL, &set, &err) != HZ_OK) {
        if (log)
            fprintf(log,
                    "horizon: narratives: LLM settings refused: %s; "
                    "template narratives instead\n",
                    err.msg);
        hz_llm_settings_init(&set);
    } else if (set.client.provider == HZ_LLM_NONE && log && !quiet) {
        fprintf(log, "horizon: %s\n", HZ_NARRATIVE_OFFLINE_MSG);
    }
    hz_narrative_service *s = calloc(1, sizeof *s);
    if (s == NULL)
        return HZ_ENOMEM;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    s->gather_s = 0.05;
    s->log = log;
    const char *g = getenv("HZ_LLM_GATHER_MS");
    char *gend = NULL;
    double gms = g != NULL ? strtod(g, &gend) : -1;
    if (g != NULL && gend != g && *gend == '\0' && gms >= 0 && gms <= 10000)
        s->gather_s = gms / 1000.0;
    else if (g != NULL && log)
        fprintf(log,
                "horizon: narratives: HZ_LLM_GATHER_MS: expected "
                "milliseconds in [0, 10000], got '%.40s': 50 ms used\n",
                g);
    open_context(s, &set, store_spec, log);
    memset(&set, 0, sizeof set); /* wipe the key copy */
    if (s->ctx == NULL) {
        hz_narrative_service_close(s, NULL, NULL);
        return HZ_ENOMEM;
    }
    *out = s;
    return HZ_OK;
}

/* Write the metrics of s as JSON to path: HZ_EIO when they could not
 * be written (every byte, up to the close). */
static hz_status write_metrics(const hz_narrative_service *s,
                               const char *path, hz_error *err)
{
    cJSON *j = hz_narrative_metrics_json(s->ctx);
    char *txt = j ? cJSON_Print(j) : NULL;
    cJSON_Delete(j);
    if (txt == NULL)
        return hz_error_set(err, HZ_ENOMEM, "%s: out of memory", path);
    /* whole or absent, through a temporary file (never written in place
     * nor through a link planted at its name), as every other output */
    hz_outfile *o = NULL;
    hz_status st = hz_outfile_open(path, &o, err);
    if (st == HZ_OK) {
        fprintf(hz_outfile_stream(o), "%s\n", txt);
        st = hz_outfile_commit(o, err);
    }
    free(txt);
    if (st == HZ_OK)
        return HZ_OK;
    char why[sizeof err->msg];
    snprintf(why, sizeof why, "%s", err->msg);
    return hz_error_set(err, st, "HZ_LLM_METRICS: %s", why);
}

/* FNV-1a of the job's tenant and id (never 0: 0 marks an empty slot). */
static uint64_t job_hash(const char *tenant, const char *id)
{
    uint64_t h = 1469598103934665603ULL;
    const char *parts[] = {tenant ? tenant : "", "\x1f", id ? id : ""};
    for (size_t i = 0; i < 3; i++)
        for (const unsigned char *p = (const unsigned char *)parts[i]; *p;
             p++) {
            h ^= *p;
            h *= 1099511628211ULL;
        }
    return h != 0 ? h : 1;
}

/* Count one narrative of a job (under s->mu): a job seen before is not
 * counted again, its last narrative's source replaces its first's. */
static void tally_job(hz_narrative_service *s, const hz_narrative_job *j)
{
    s->narrations++;
    if (s->njobs + 1 > s->seen_cap / 2) { /* grow: load at most 1/2 */
        size_t cap = s->seen_cap ? s->seen_cap * 2 : 64;
        job_seen *t = calloc(cap, sizeof *t);
        if (t == NULL)
            return;
        for (size_t i = 0; i < s->seen_cap; i++)
            if (s->seen[i].h != 0) {
                size_t k = (size_t)(s->seen[i].h & (cap - 1));
                while (t[k].h != 0)
                    k = (k + 1) & (cap - 1);
                t[k] = s->seen[i];
            }
        free(s->seen);
        s->seen = t;
        s->seen_cap = cap;
    }
    uint64_t h = job_hash(j->tenant, j->id);
    size_t k = (size_t)(h & (s->seen_cap - 1));
    while (s->seen[k].h != 0 && s->seen[k].h != h)
        k = (k + 1) & (s->seen_cap - 1);
    job_seen *e = &s->seen[k];
    if (e->h == 0) {
        e->h = h;
        e->src = SEEN_NONE;
        s->njobs++;
    }
    s->nllm -= e->src == SEEN_LLM;
    s->ntemplates -= e->src == SEEN_TEMPLATE;
    e->src = j->text == NULL ? SEEN_NONE
             : j->is_template ? SEEN_TEMPLATE
                              : SEEN_LLM;
    s->nllm += e->src == SEEN_LLM;
    s->ntemplates += e->src == SEEN_TEMPLATE;
}

/* The first LLM request refused for its credentials is said at once,
 * once, quiet or not (a --watch runner runs for days: until 2026-12-07
 * it was said only when the runner stopped); never the key.  Called by
 * the leader only, after a batch. */
static void say_auth_refused(hz_narrative_service *s)
{
    if (s->auth_said || s->log == NULL ||
        hz_narrative_metrics_get(s->ctx)->auth_refused == 0)
        return;
    s->auth_said = true;
    fprintf(s->log,
            "horizon: narratives: an LLM request was refused for its "
            "credentials (HTTP 401/403): check OPENAI_API_KEY or "
            "AZURE_OPENAI_API_KEY (or the identity's role); templates "
            "instead (said once; counted when the run ends)\n");
    fflush(s->log);
}

void hz_narrative_service_warn(const hz_narrative_service *s, FILE *log)
{
    if (s == NULL || s->ctx == NULL || log == NULL)
        return;
    /* a wrong key fails every request alike, each job keeping its
     * template (until 2026-12-07 only each job's record told) */
    const hz_narrative_metrics *m = hz_narrative_metrics_get(s->ctx);
    if (m->auth_refused > 0)
        fprintf(log,
                "horizon: narratives: %ld LLM requests refused for their "
                "credentials (HTTP 401/403): check OPENAI_API_KEY or "
                "AZURE_OPENAI_API_KEY (or the identity's role); templates "
                "instead\n",
                m->auth_refused);
}

hz_status hz_narrative_service_close(hz_narrative_service *s, FILE *log,
                                     hz_error *err)
{
    hz_status st = HZ_OK;
    if (s == NULL)
        return st;
    if (s->ctx != NULL) {
        const hz_narrative_metrics *m = hz_narrative_metrics_get(s->ctx);
        const hz_llm_stats *ls = hz_narrative_llm_stats(s->ctx);
        /* jobs, each once: a job narrated again (taken over, retried)
         * is said apart (until 2026-12-07 each attempt counted as a job:
         * "0 of 8 jobs" for 4 jobs tried twice) */
        char again[96] = "";
        if (s->narrations > s->njobs)
            snprintf(again, sizeof again,
                     " (%zu narratives: %zu jobs narrated again)",
                     s->narrations, s->narrations - s->njobs);
        if (log && s->narrations > 0)
            fprintf(log,
                    "narratives: %zu of %zu job%s by the LLM, %zu "
                    "template%s%s, %ld requests (%ld "
                    "batched), %ld retries, cache %ld hits / %ld misses "
                    "(%ld tokens saved), prompts %ld tokens (max %d, %s), "
                    "server usage %ld prompt + %ld completion tokens\n",
                    s->nllm, s->njobs, s->njobs == 1 ? "" : "s",
                    s->ntemplates, s->ntemplates == 1 ? "" : "s", again,
                    m->requests,
                    m->batched_requests, ls->retries, m->cache_hits,
                    m->cache_misses, m->tokens_saved, m->prompt_tokens,
                    m->prompt_tokens_max,
                    hz_tokenizer_name(hz_narrative_tokenizer(s->ctx)),
                    m->usage_prompt_tokens, m->usage_completion_tokens);
        if (log && m->unavailable > 0)
            fprintf(log,
                    "narratives: %ld jobs not asked while the LLM was "
                    "unavailable (templates instead)\n",
                    m->unavailable);

        const char *path = getenv("HZ_LLM_METRICS");
        if (path != NULL && path[0] != '\0')
            st = write_metrics(s, path, err);
    }
    hz_narrative_close(s->ctx);
    hz_prompt_cache_free(s->cache);
    hz_store_close(s->store);
    free(s->seen);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    free(s);
    return st;
}

hz_status hz_narrative_hook(void *ctx, const cJSON *job, const cJSON *summary,
                            const atomic_bool *cancel, cJSON **narrative_out,
                            hz_error *err)
{
    hz_narrative_service *s = ctx;
    *narrative_out = NULL;
    if (s == NULL)
        return hz_error_set(err, HZ_ECANCELED, "%s", HZ_NARRATIVE_OFFLINE_MSG);
    hz_summary *sum = NULL;
    const char *type = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(job, "type"));
    hz_status st = hz_summary_from_result_json(type, summary, &sum, err);
    if (st != HZ_OK)
        return st;
    waiter w;
    memset(&w, 0, sizeof w);
    w.job.id = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(job, "id"));
    w.job.type = type;
    w.job.tenant = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(job, "customerId"));
    w.job.summary = sum;
    w.job.cancel = cancel;

    pthread_mutex_lock(&s->mu);
    if (s->tail)
        s->tail->next = &w;
    else
        s->head = &w;
    s->tail = &w;
    while (!w.done) {
        if (s->leader) {
            pthread_cond_wait(&s->cv, &s->mu);
            continue;
        }
        /* lead: let others finishing now join, then narrate the queue */
        s->leader = true;
        pthread_mutex_unlock(&s->mu);
        struct timespec ts = {
            (time_t)s->gather_s,
            (long)((s->gather_s - (double)(time_t)s->gather_s) * 1e9)};
        nanosleep(&ts, NULL);
        pthread_mutex_lock(&s->mu);
        waiter *batch = s->head;
        s->head = s->tail = NULL;
        pthread_mutex_unlock(&s->mu);
        size_t n = 0;
        for (waiter *x = batch; x; x = x->next)
            n++;
        hz_narrative_job *jobs = n > 0 ? calloc(n, sizeof *jobs) : NULL;
        hz_error e2;
        if (jobs != NULL) {
            size_t i = 0;
            for (waiter *x = batch; x; x = x->next)
                jobs[i++] = x->job;
            hz_narrative_run(s->ctx, jobs, n, &e2);
            say_auth_refused(s);
            i = 0;
            for (waiter *x = batch; x; x = x->next)
                x->job = jobs[i++];
            free(jobs);
        } else {
            for (waiter *x = batch; x; x = x->next) {
                x->job.status = HZ_ENOMEM;
                snprintf(x->job.error, sizeof x->job.error, "out of memory");
            }
        }
        pthread_mutex_lock(&s->mu);
        for (waiter *x = batch; x; x = x->next) {
            tally_job(s, &x->job);
            x->done = true;
        }
        s->leader = false;
        pthread_cond_broadcast(&s->cv);
    }
    pthread_mutex_unlock(&s->mu);
    if (w.job.status == HZ_OK && w.job.text != NULL) {
        *narrative_out = hz_narrative_json(&w.job);
        st = *narrative_out ? HZ_OK
                            : hz_error_set(err, HZ_ENOMEM, "out of memory");
    } else {
        /* recorded on the job too, so the failure is visible */
        *narrative_out = hz_narrative_json(&w.job);
        st = HZ_OK;
    }
    hz_narrative_job_clear(&w.job);
    hz_summary_free(sum);
    return st;
}
