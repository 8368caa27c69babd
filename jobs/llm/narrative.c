/* Narratives: prompt, route, cache, batch, call, record.  See
 * narrative.h. */
#include "net/cjson.h"
#include "llm/narrative.h"

#include <ctype.h>
#include <math.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/job.h"
#include "llm/prompt.h"

/* ======================= prompt cache ======================= */

typedef struct mem_entry {
    char *tenant, *key, *value;
    long tokens;
    double expires;
} mem_entry;

struct hz_prompt_cache {
    hz_store *store; /* NULL = memory */
    mem_entry *mem;
    size_t nmem, capmem;
};

hz_prompt_cache *hz_prompt_cache_memory(void)
{
    return calloc(1, sizeof(hz_prompt_cache));
}

hz_prompt_cache *hz_prompt_cache_store(hz_store *store)
{
    hz_prompt_cache *c = calloc(1, sizeof *c);
    if (c != NULL)
        c->store = store;
    return c;
}

void hz_prompt_cache_free(hz_prompt_cache *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->nmem; i++) {
        free(c->mem[i].tenant);
        free(c->mem[i].key);
        free(c->mem[i].value);
    }
    free(c->mem);
    free(c);
}

hz_status hz_prompt_cache_get(hz_prompt_cache *c, const char *tenant,
                              const char *key, double now, char **value,
                              long *tokens, hz_error *err)
{
    *value = NULL;
    *tokens = 0;
    if (tenant == NULL)
        tenant = "_";
    if (c->store == NULL) {
        for (size_t i = 0; i < c->nmem; i++) {
            mem_entry *e = &c->mem[i];
            if (strcmp(e->key, key) == 0 && strcmp(e->tenant, tenant) == 0) {
                if (e->expires <= now)
                    return HZ_ENOTFOUND;
                *value = strdup(e->value);
                *tokens = e->tokens;
                return *value ? HZ_OK : HZ_ENOMEM;
            }
        }
        return HZ_ENOTFOUND;
    }
    cJSON *doc = NULL;
    hz_error e2;
    hz_status st = hz_store_get(c->store, HZ_STORE_CACHE, key, tenant, &doc,
                                &e2);
    if (st != HZ_OK) {
        if (st != HZ_ENOTFOUND)
            hz_error_set(err, st, "%s", e2.msg);
        return st;
    }
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, "narrative");
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(doc, "expiresAt");
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(doc, "tokens");
    if (!cJSON_IsString(v) || !cJSON_IsNumber(x) || x->valuedouble <= now) {
        cJSON_Delete(doc);
        /* expired (or foreign): drop it, best effort */
        hz_store_delete(c->store, HZ_STORE_CACHE, key, tenant, NULL, &e2);
        return HZ_ENOTFOUND;
    }
    *value = strdup(v->valuestring);
    *tokens = cJSON_IsNumber(t) ? (long)t->valuedouble : 0;
    cJSON_Delete(doc);
    return *value ? HZ_OK : HZ_ENOMEM;
}

hz_status hz_prompt_cache_put(hz_prompt_cache *c, const char *tenant,
                              const char *key, const char *model,
                              const char *value, long tokens, double ttl_s,
                              double now, hz_error *err)
{
    if (tenant == NULL)
        tenant = "_";
    if (c->store == NULL) {
        for (size_t i = 0; i < c->nmem; i++) {
            mem_entry *e = &c->mem[i];
            if (strcmp(e->key, key) == 0 && strcmp(e->tenant, tenant) == 0) {
                char *nv = strdup(value);
                if (nv == NULL)
                    return hz_error_set(err, HZ_ENOMEM, "out of memory");
                free(e->value);
                e->value = nv;
                e->tokens = tokens;
                e->expires = now + ttl_s;
                return HZ_OK;
            }
        }
        if (c->nmem == c->capmem) {
            size_t cap = c->capmem ? c->capmem * 2 : 64;
            mem_entry *nm = realloc(c->mem, cap * sizeof *nm);
            if (nm == NULL)
                return hz_error_set(err, HZ_ENOMEM, "out of memory");
            c->mem = nm;
            c->capmem = cap;
        }
        mem_entry *e = &c->mem[c->nmem];
        e->tenant = strdup(tenant);
        e->key = strdup(key);
        e->value = strdup(value);
        e->tokens = tokens;
        e->expires = now + ttl_s;
        if (!e->tenant || !e->key || !e->value) {
            free(e->tenant);
            free(e->key);
            free(e->value);
            return hz_error_set(err, HZ_ENOMEM, "out of memory");
        }
        c->nmem++;
        return HZ_OK;
    }
    cJSON *doc = cJSON_CreateObject();
    if (doc == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    cJSON_AddStringToObject(doc, "id", key);
    cJSON_AddStringToObject(doc, "customerId", tenant);
    cJSON_AddStringToObject(doc, "kind", "llm-narrative");
    cJSON_AddStringToObject(doc, "model", model ? model : "");
    cJSON_AddStringToObject(doc, "narrative", value);
    cJSON_AddNumberToObject(doc, "tokens", (double)tokens);
    cJSON_AddNumberToObject(doc, "createdAt", now);
    cJSON_AddNumberToObject(doc, "expiresAt", now + ttl_s);
    /* Cosmos DB honours a per-item "ttl" (seconds) natively */
    cJSON_AddNumberToObject(doc, "ttl", ceil(ttl_s));
    hz_status st = hz_store_put(c->store, HZ_STORE_CACHE, HZ_PUT_UPSERT, doc,
                                NULL, err);
    cJSON_Delete(doc);
    return st;
}

/* ======================= summary JSON ======================= */

cJSON *hz_summary_to_json(const hz_summary *s)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    cJSON_AddStringToObject(o, "kind", s->kind);
    cJSON *a = cJSON_AddArrayToObject(o, "items");
    for (size_t i = 0; i < s->n; i++) {
        cJSON *it = cJSON_CreateObject();
        cJSON_AddNumberToObject(it, "i", s->items[i].importance);
        cJSON_AddStringToObject(it, "key", s->items[i].key);
        cJSON_AddStringToObject(it, "text", s->items[i].text);
        cJSON_AddItemToArray(a, it);
    }
    return o;
}

hz_status hz_summary_from_json(const cJSON *j, hz_summary **out, hz_error *err)
{
    *out = NULL;
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(j, "kind");
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(j, "items");
    if (!cJSON_IsArray(items))
        return hz_error_set(err, HZ_EPARSE,
                            "summary: field 'items': expected an array");
    hz_summary *s = hz_summary_new(cJSON_IsString(kind) ? kind->valuestring
                                                        : "");
    if (s == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    const cJSON *it;
    size_t k = 0;
    cJSON_ArrayForEach(it, items)
    {
        const cJSON *imp = cJSON_GetObjectItemCaseSensitive(it, "i");
        const cJSON *key = cJSON_GetObjectItemCaseSensitive(it, "key");
        const cJSON *text = cJSON_GetObjectItemCaseSensitive(it, "text");
        if (!cJSON_IsNumber(imp) || !cJSON_IsString(text)) {
            hz_summary_free(s);
            return hz_error_set(err, HZ_EPARSE,
                                "summary: items[%zu]: expected {\"i\": "
                                "number, \"key\", \"text\": string}",
                                k);
        }
        if (hz_summary_add(s, (int)imp->valuedouble,
                           cJSON_IsString(key) ? key->valuestring : "", "%s",
                           text->valuestring) != HZ_OK) {
            hz_summary_free(s);
            return hz_error_set(err, HZ_ENOMEM, "out of memory");
        }
        k++;
    }
    *out = s;
    return HZ_OK;
}

/* ======================= context ======================= */

struct hz_narrative_ctx {
    hz_llm_settings set;
    hz_llm_client *client; /* NULL offline */
    hz_tokenizer *tok;
    hz_prompt_cache *cache; /* borrowed, may be NULL */
    hz_narrative_metrics m;
    hz_llm_stats zero_stats;
};

hz_status hz_narrative_open(const hz_llm_settings *settings,
                            hz_prompt_cache *cache, const hz_llm_hooks *hooks,
                            hz_narrative_ctx **out, hz_error *err)
{
    hz_status st = HZ_OK;
    *out = NULL;
    hz_narrative_ctx *c = calloc(1, sizeof *c);
    if (c == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    c->set = *settings;
    c->cache = cache;
    if (settings->tiktoken_file[0] != '\0') {
        const char *enc = settings->tiktoken_encoding[0]
                              ? settings->tiktoken_encoding
                              : (strstr(settings->tiktoken_file, "o200k")
                                     ? "o200k_base"
                                     : "cl100k_base");
        st = hz_tokenizer_load(enc, settings->tiktoken_file, &c->tok, err);
        if (st != HZ_OK)
            goto fail;
    }
    if (settings->client.provider != HZ_LLM_NONE) {
        st = hz_llm_client_new(&settings->client, hooks, &c->client, err);
        if (st != HZ_OK)
            goto fail;
    }
    /* the key is only needed by the client: drop the copy */
    memset(c->set.client.api_key, 0, sizeof c->set.client.api_key);
    *out = c;
    return HZ_OK;
fail:
    hz_narrative_close(c);
    return st;
}

void hz_narrative_close(hz_narrative_ctx *c)
{
    if (c == NULL)
        return;
    hz_llm_client_free(c->client);
    hz_tokenizer_free(c->tok);
    free(c);
}

bool hz_narrative_enabled(const hz_narrative_ctx *c)
{
    return c != NULL && c->client != NULL;
}

const hz_narrative_metrics *hz_narrative_metrics_get(const hz_narrative_ctx *c)
{
    return &c->m;
}

const hz_llm_stats *hz_narrative_llm_stats(const hz_narrative_ctx *c)
{
    return c->client ? hz_llm_client_stats(c->client) : &c->zero_stats;
}

const hz_tokenizer *hz_narrative_tokenizer(const hz_narrative_ctx *c)
{
    return c->tok;
}

cJSON *hz_narrative_metrics_json(const hz_narrative_ctx *c)
{
    const hz_narrative_metrics *m = &c->m;
    const hz_llm_stats *s = hz_narrative_llm_stats(c);
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    cJSON_AddStringToObject(o, "provider",
                            hz_llm_provider_name(c->set.client.provider));
    cJSON_AddStringToObject(o, "tokenizer", hz_tokenizer_name(c->tok));
#define N(name, v) cJSON_AddNumberToObject(o, name, (double)(v))
    N("jobs", m->jobs);
    N("succeeded", m->succeeded);
    N("failed", m->failed);
    N("requests", m->requests);
    N("batchedRequests", m->batched_requests);
    N("batchedJobs", m->batched_jobs);
    N("batchFallbacks", m->batch_fallbacks);
    N("cacheHits", m->cache_hits);
    N("cacheMisses", m->cache_misses);
    N("tokensSaved", m->tokens_saved);
    N("promptTokens", m->prompt_tokens);
    N("promptTokensMax", m->prompt_tokens_max);
    N("usagePromptTokens", m->usage_prompt_tokens);
    N("usageCompletionTokens", m->usage_completion_tokens);
    N("httpAttempts", s->requests);
    N("retries", s->retries);
    N("status429", s->status_429);
    N("status5xx", s->status_5xx);
    N("status4xx", s->status_4xx);
    N("timeouts", s->timeouts);
    N("networkErrors", s->net_errors);
    N("badBodies", s->bad_bodies);
    N("backoffSeconds", s->backoff_s);
    N("backoffMaxSeconds", s->backoff_max_s);
    N("limiterWaitSeconds", s->limiter_wait_s);
#undef N
    return o;
}

void hz_narrative_job_clear(hz_narrative_job *j)
{
    if (j == NULL)
        return;
    free(j->text);
    free(j->prompt);
    j->text = NULL;
    j->prompt = NULL;
    j->status = HZ_OK;
    j->error[0] = '\0';
    j->model[0] = '\0';
    j->cached = false;
    j->batch_jobs = 0;
    j->prompt_tokens = 0;
    j->prompt_exact = false;
    memset(&j->usage, 0, sizeof j->usage);
    j->attempts = 0;
}

/* ======================= the step ======================= */

/* Per-job working state. */
typedef struct jstate {
    hz_prompt single; /* the job's single prompt */
    char key[65];     /* cache key */
    bool pending;     /* needs an LLM answer */
} jstate;

/* One planned chat request. */
typedef struct plan {
    hz_llm_request req;
    hz_chat_message msgs[2];
    hz_prompt prompt; /* owned for batches; borrowed for singles */
    bool owns_prompt;
    size_t *jobs; /* indices into the job array */
    size_t njobs;
} plan;

static void sha256_hex(const char *const *parts, size_t n, char out[65])
{
    unsigned char md[32];
    unsigned int len = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    for (size_t i = 0; i < n; i++) {
        EVP_DigestUpdate(ctx, parts[i], strlen(parts[i]));
        EVP_DigestUpdate(ctx, "\x1f", 1); /* unit separator */
    }
    EVP_DigestFinal_ex(ctx, md, &len);
    EVP_MD_CTX_free(ctx);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void cache_key(const hz_narrative_ctx *c, const char *model,
                      const hz_prompt *p, char out[65])
{
    char params[128];
    snprintf(params, sizeof params,
             "temperature=%.3g;max_tokens=%d;"
             "format=text",
             c->set.temperature, c->set.max_completion_tokens);
    const char *parts[] = {model,     params, "system",
                           p->system, "user", p->user};
    sha256_hex(parts, 6, out);
}

static char *trimmed_dup(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static hz_status prepare_job(hz_narrative_ctx *c, hz_narrative_job *j,
                             jstate *js)
{
    hz_error e2;
    hz_narrative_job_clear(j);
    snprintf(j->model, sizeof j->model, "%s",
             hz_llm_model_for(&c->set, j->type));
    if (j->summary == NULL || j->summary->n == 0) {
        j->status = HZ_EINVAL;
        snprintf(j->error, sizeof j->error, "no summary to narrate");
        return j->status;
    }
    hz_prompt_job pj = {j->id, j->type, j->summary};
    hz_prompt_opts po = {c->set.max_prompt_tokens, c->tok, j->model};
    hz_status st = hz_prompt_build(&pj, 1, &po, &js->single, &e2);
    if (st != HZ_OK) {
        j->status = st;
        snprintf(j->error, sizeof j->error, "%s", e2.msg);
        return st;
    }
    j->prompt = strdup(js->single.user);
    j->prompt_tokens = js->single.tokens;
    j->prompt_exact = js->single.exact;
    cache_key(c, j->model, &js->single, js->key);
    return HZ_OK;
}

static void plan_free(plan *p)
{
    if (p->owns_prompt)
        hz_prompt_clear(&p->prompt);
    hz_llm_request_clear(&p->req);
    free(p->jobs);
}

static void plan_request(hz_narrative_ctx *c, plan *p, const char *model)
{
    p->msgs[0] = (hz_chat_message){"system", p->prompt.system};
    p->msgs[1] = (hz_chat_message){"user", p->prompt.user};
    memset(&p->req, 0, sizeof p->req);
    p->req.model = model;
    p->req.messages = p->msgs;
    p->req.nmessages = 2;
    p->req.json = p->prompt.json;
    p->req.temperature = c->set.temperature;
    /* a batch answers several narratives */
    p->req.max_completion_tokens = c->set.max_completion_tokens *
                                   (int)(p->njobs ? p->njobs : 1);
    p->req.prompt_tokens_est = p->prompt.tokens;
}

static void record_success(hz_narrative_ctx *c, hz_narrative_job *j,
                           jstate *js, const plan *p, char *text, double now)
{
    hz_error e2;
    j->text = text;
    j->status = HZ_OK;
    j->error[0] = '\0';
    j->batch_jobs = (int)p->njobs;
    j->usage = p->req.usage;
    j->attempts = p->req.attempts;
    js->pending = false;
    c->m.succeeded++;
    if (c->cache != NULL && c->set.cache_ttl_s > 0) {
        /* what a hit saves: this job's prompt plus its share of output */
        long out_tokens = p->req.usage.present
                              ? p->req.usage.completion_tokens /
                                    (long)(p->njobs ? p->njobs : 1)
                              : (long)hz_tokenizer_count(c->tok, text,
                                                         strlen(text));
        hz_prompt_cache_put(c->cache, j->tenant, js->key, j->model, text,
                            (long)js->single.tokens + out_tokens,
                            c->set.cache_ttl_s, now, &e2);
    }
}

/* Run plans[0..np) and distribute the answers.  Jobs of batches whose
 * reply does not split are left pending (js->pending) for a fallback. */
static hz_status run_plans(hz_narrative_ctx *c, hz_narrative_job *jobs,
                           jstate *js, plan *plans, size_t np, hz_error *err)
{
    hz_llm_request *reqs = calloc(np ? np : 1, sizeof *reqs);
    if (reqs == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    for (size_t i = 0; i < np; i++)
        reqs[i] = plans[i].req;
    hz_status st = hz_llm_run(c->client, reqs, np, err);
    for (size_t i = 0; i < np; i++)
        plans[i].req = reqs[i]; /* outputs (content is owned by the plan) */
    free(reqs);
    if (st != HZ_OK)
        return st;
    double now = hz_wall_now();
    for (size_t i = 0; i < np; i++) {
        plan *p = &plans[i];
        c->m.requests++;
        if (p->njobs > 1)
            c->m.batched_requests++;
        c->m.prompt_tokens += (long)p->prompt.tokens;
        if ((int)p->prompt.tokens > c->m.prompt_tokens_max)
            c->m.prompt_tokens_max = (int)p->prompt.tokens;
        if (p->req.usage.present) {
            c->m.usage_prompt_tokens += p->req.usage.prompt_tokens;
            c->m.usage_completion_tokens += p->req.usage.completion_tokens;
        }
        if (p->req.status != HZ_OK || p->req.content == NULL) {
            for (size_t k = 0; k < p->njobs; k++) {
                hz_narrative_job *j = &jobs[p->jobs[k]];
                j->status = p->req.status != HZ_OK ? p->req.status : HZ_ENET;
                j->attempts = p->req.attempts;
                snprintf(j->error, sizeof j->error, "%s", p->req.error);
                js[p->jobs[k]].pending = p->njobs > 1; /* retry alone */
            }
            if (p->njobs > 1)
                c->m.batch_fallbacks++;
            continue;
        }
        if (p->njobs == 1) {
            hz_narrative_job *j = &jobs[p->jobs[0]];
            char *t = trimmed_dup(p->req.content);
            if (t == NULL || t[0] == '\0') {
                free(t);
                j->status = HZ_EPARSE;
                snprintf(j->error, sizeof j->error, "empty narrative");
                js[p->jobs[0]].pending = false;
                continue;
            }
            record_success(c, j, &js[p->jobs[0]], p, t, now);
            continue;
        }
        /* batch: {"<job id>": "<narrative>", ...} */
        cJSON *obj = cJSON_Parse(p->req.content);
        bool fell_back = false;
        for (size_t k = 0; k < p->njobs; k++) {
            hz_narrative_job *j = &jobs[p->jobs[k]];
            const char *v = cJSON_IsObject(obj) ? hz__cjson_str(obj, j->id)
                                                : NULL;
            char *t = v != NULL ? trimmed_dup(v) : NULL;
            if (t == NULL || t[0] == '\0') {
                free(t);
                js[p->jobs[k]].pending = true; /* ask again, alone */
                fell_back = true;
                continue;
            }
            c->m.batched_jobs++;
            record_success(c, j, &js[p->jobs[k]], p, t, now);
        }
        if (fell_back)
            c->m.batch_fallbacks++;
        cJSON_Delete(obj);
    }
    return HZ_OK;
}

hz_status hz_narrative_run(hz_narrative_ctx *c, hz_narrative_job *jobs,
                           size_t n, hz_error *err)
{
    hz_status st = HZ_OK;
    jstate *js = NULL;
    plan *plans = NULL;
    size_t np = 0;
    if (c == NULL || (n > 0 && jobs == NULL))
        return hz_error_set(err, HZ_EINVAL, "narrative: bad arguments");
    js = calloc(n ? n : 1, sizeof *js);
    plans = calloc(n ? n : 1, sizeof *plans);
    if (js == NULL || plans == NULL) {
        st = hz_error_set(err, HZ_ENOMEM, "out of memory");
        goto out;
    }
    double now = hz_wall_now();
    c->m.jobs += (long)n;
    for (size_t i = 0; i < n; i++) {
        if (prepare_job(c, &jobs[i], &js[i]) != HZ_OK)
            continue;
        if (c->client == NULL) {
            jobs[i].status = HZ_ECANCELED;
            snprintf(jobs[i].error, sizeof jobs[i].error, "%s",
                     HZ_NARRATIVE_OFFLINE_MSG);
            continue;
        }
        if (c->cache != NULL && c->set.cache_ttl_s > 0) {
            char *v = NULL;
            long tokens = 0;
            hz_error e2;
            if (hz_prompt_cache_get(c->cache, jobs[i].tenant, js[i].key, now,
                                    &v, &tokens, &e2) == HZ_OK) {
                jobs[i].text = v;
                jobs[i].cached = true;
                jobs[i].status = HZ_OK;
                c->m.cache_hits++;
                c->m.tokens_saved += tokens;
                c->m.succeeded++;
                continue;
            }
            c->m.cache_misses++;
        }
        js[i].pending = true;
    }
    if (c->client == NULL)
        goto out;

    /* batches: pending jobs grouped by model, in job order */
    int bs = c->set.batch_size > 0 ? c->set.batch_size : 1;
    bool *planned = calloc(n ? n : 1, sizeof *planned);
    hz_prompt_job *pj = calloc(n ? n : 1, sizeof *pj);
    size_t *idx = calloc(n ? n : 1, sizeof *idx);
    if (planned == NULL || pj == NULL || idx == NULL) {
        free(planned);
        free(pj);
        free(idx);
        st = hz_error_set(err, HZ_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        if (!js[i].pending || planned[i])
            continue;
        /* jobs sharing jobs[i]'s model, not yet planned */
        size_t m = 0;
        for (size_t k = i; k < n; k++)
            if (js[k].pending && !planned[k] &&
                strcmp(jobs[k].model, jobs[i].model) == 0)
                idx[m++] = k;
        size_t at = 0;
        while (at < m) {
            size_t take = m - at < (size_t)bs ? m - at : (size_t)bs;
            plan *p = &plans[np];
            memset(p, 0, sizeof *p);
            size_t got = 1;
            if (take > 1) {
                for (size_t k = 0; k < take; k++)
                    pj[k] = (hz_prompt_job){jobs[idx[at + k]].id,
                                            jobs[idx[at + k]].type,
                                            jobs[idx[at + k]].summary};
                hz_prompt_opts po = {c->set.max_prompt_tokens, c->tok,
                                     jobs[i].model};
                hz_error e2;
                if (hz_prompt_build(pj, take, &po, &p->prompt, &e2) == HZ_OK &&
                    p->prompt.njobs > 1) {
                    p->owns_prompt = true;
                    got = p->prompt.njobs;
                } else {
                    hz_prompt_clear(&p->prompt);
                    got = 1;
                }
            }
            if (got == 1) {
                p->prompt = js[idx[at]].single; /* borrowed */
                p->owns_prompt = false;
            }
            p->jobs = malloc(got * sizeof *p->jobs);
            if (p->jobs == NULL) {
                st = hz_error_set(err, HZ_ENOMEM, "out of memory");
                break;
            }
            p->njobs = got;
            for (size_t k = 0; k < got; k++) {
                p->jobs[k] = idx[at + k];
                planned[idx[at + k]] = true;
            }
            plan_request(c, p, jobs[i].model);
            np++;
            at += got;
        }
        if (st != HZ_OK)
            break;
    }
    free(planned);
    free(pj);
    free(idx);
    if (st != HZ_OK)
        goto out;
    st = run_plans(c, jobs, js, plans, np, err);
    if (st != HZ_OK)
        goto out;

    /* fallback: jobs of batches that did not split, one request each */
    size_t nf = 0;
    for (size_t i = 0; i < n; i++)
        if (js[i].pending)
            nf++;
    if (nf > 0) {
        plan *fb = calloc(nf, sizeof *fb);
        if (fb == NULL) {
            st = hz_error_set(err, HZ_ENOMEM, "out of memory");
            goto out;
        }
        size_t k = 0;
        for (size_t i = 0; i < n && k < nf; i++) {
            if (!js[i].pending)
                continue;
            fb[k].prompt = js[i].single;
            fb[k].jobs = malloc(sizeof *fb[k].jobs);
            if (fb[k].jobs == NULL) {
                st = hz_error_set(err, HZ_ENOMEM, "out of memory");
                break;
            }
            fb[k].jobs[0] = i;
            fb[k].njobs = 1;
            js[i].pending = false;
            plan_request(c, &fb[k], jobs[i].model);
            k++;
        }
        if (st == HZ_OK)
            st = run_plans(c, jobs, js, fb, k, err);
        for (size_t i = 0; i < nf; i++)
            plan_free(&fb[i]);
        free(fb);
    }
out:
    for (size_t i = 0; i < n && js != NULL; i++)
        if (jobs[i].text == NULL && jobs[i].status != HZ_ECANCELED) {
            if (jobs[i].status == HZ_OK) { /* never answered */
                jobs[i].status = HZ_ENET;
                snprintf(jobs[i].error, sizeof jobs[i].error,
                         "no narrative produced");
            }
            c->m.failed++;
        }
    for (size_t i = 0; i < np; i++)
        plan_free(&plans[i]);
    free(plans);
    if (js != NULL)
        for (size_t i = 0; i < n; i++)
            hz_prompt_clear(&js[i].single);
    free(js);
    return st;
}

hz_status hz_narrative_stream(hz_narrative_ctx *c, hz_narrative_job *job,
                              bool refresh,
                              void (*on_delta)(const char *text, size_t len,
                                               void *ud),
                              void *ud, hz_error *err)
{
    jstate js;
    memset(&js, 0, sizeof js);
    c->m.jobs++;
    if (prepare_job(c, job, &js) != HZ_OK) {
        c->m.failed++;
        return hz_error_set(err, job->status, "%s", job->error);
    }
    double now = hz_wall_now();
    hz_status st = HZ_OK;
    if (!refresh && c->cache != NULL && c->set.cache_ttl_s > 0) {
        char *v = NULL;
        long tokens = 0;
        hz_error e2;
        if (hz_prompt_cache_get(c->cache, job->tenant, js.key, now, &v,
                                &tokens, &e2) == HZ_OK) {
            job->text = v;
            job->cached = true;
            c->m.cache_hits++;
            c->m.tokens_saved += tokens;
            c->m.succeeded++;
            if (on_delta)
                on_delta(v, strlen(v), ud);
            goto out;
        }
        c->m.cache_misses++;
    }
    if (c->client == NULL) {
        job->status = HZ_ECANCELED;
        snprintf(job->error, sizeof job->error, "%s",
                 HZ_NARRATIVE_OFFLINE_MSG);
        st = hz_error_set(err, HZ_ECANCELED, "%s", HZ_NARRATIVE_OFFLINE_MSG);
        goto out;
    }
    plan p;
    memset(&p, 0, sizeof p);
    p.prompt = js.single;
    size_t one = 0;
    p.jobs = &one;
    p.njobs = 1;
    plan_request(c, &p, job->model);
    c->m.requests++;
    c->m.prompt_tokens += (long)p.prompt.tokens;
    if ((int)p.prompt.tokens > c->m.prompt_tokens_max)
        c->m.prompt_tokens_max = (int)p.prompt.tokens;
    st = hz_llm_stream(c->client, &p.req, on_delta, ud, err);
    job->attempts = p.req.attempts;
    job->usage = p.req.usage;
    if (p.req.usage.present) {
        c->m.usage_prompt_tokens += p.req.usage.prompt_tokens;
        c->m.usage_completion_tokens += p.req.usage.completion_tokens;
    }
    if (st == HZ_OK && p.req.content != NULL) {
        char *t = trimmed_dup(p.req.content);
        record_success(c, job, &js, &p, t, now);
    } else {
        job->status = st != HZ_OK ? st : HZ_ENET;
        snprintf(job->error, sizeof job->error, "%s", p.req.error);
        c->m.failed++;
    }
    hz_llm_request_clear(&p.req);
out:
    hz_prompt_clear(&js.single);
    return st;
}

cJSON *hz_narrative_json(const hz_narrative_job *j)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    if (j->text)
        cJSON_AddStringToObject(o, "text", j->text);
    cJSON_AddStringToObject(o, "model", j->model);
    cJSON_AddBoolToObject(o, "cached", j->cached);
    cJSON_AddNumberToObject(o, "batchJobs", j->batch_jobs);
    cJSON_AddNumberToObject(o, "promptTokens", (double)j->prompt_tokens);
    cJSON_AddBoolToObject(o, "promptTokensExact", j->prompt_exact);
    cJSON_AddNumberToObject(o, "attempts", j->attempts);
    if (j->usage.present) {
        cJSON *u = cJSON_AddObjectToObject(o, "usage");
        cJSON_AddNumberToObject(u, "promptTokens",
                                (double)j->usage.prompt_tokens);
        cJSON_AddNumberToObject(u, "completionTokens",
                                (double)j->usage.completion_tokens);
        cJSON_AddNumberToObject(u, "totalTokens",
                                (double)j->usage.total_tokens);
    }
    if (j->status != HZ_OK)
        cJSON_AddStringToObject(o, "error", j->error);
    return o;
}

void hz_narrative_to_doc(const hz_narrative_job *j, cJSON *doc)
{
    cJSON *o = hz_narrative_json(j);
    if (o == NULL)
        return;
    cJSON_DeleteItemFromObjectCaseSensitive(doc, "narrative");
    cJSON_AddItemToObject(doc, "narrative", o);
}

hz_status hz_narrative_for_docs(hz_narrative_ctx *c, cJSON *const *docs,
                                size_t n, hz_error *err)
{
    hz_status st = HZ_OK;
    hz_narrative_job *jobs = calloc(n ? n : 1, sizeof *jobs);
    hz_summary **sums = calloc(n ? n : 1, sizeof *sums);
    cJSON **which = calloc(n ? n : 1, sizeof *which);
    size_t m = 0;
    if (jobs == NULL || sums == NULL || which == NULL) {
        st = hz_error_set(err, HZ_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        const cJSON *sj = cJSON_GetObjectItemCaseSensitive(docs[i], "summary");
        hz_error e2;
        if (!cJSON_IsObject(sj) ||
            hz_summary_from_json(sj, &sums[m], &e2) != HZ_OK)
            continue;
        jobs[m].id = hz__cjson_str(docs[i], "id");
        jobs[m].type = hz__cjson_str(docs[i], "type");
        jobs[m].tenant = hz__cjson_str(docs[i], "customerId");
        jobs[m].summary = sums[m];
        which[m] = docs[i];
        m++;
    }
    st = hz_narrative_run(c, jobs, m, err);
    if (st == HZ_OK)
        for (size_t i = 0; i < m; i++)
            if (jobs[i].status != HZ_ECANCELED)
                hz_narrative_to_doc(&jobs[i], which[i]);
out:
    for (size_t i = 0; i < m; i++) {
        hz_narrative_job_clear(&jobs[i]);
        hz_summary_free(sums[i]);
    }
    free(jobs);
    free(sums);
    free(which);
    return st;
}
