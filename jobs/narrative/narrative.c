/* Narratives: the context (settings, client, tokenizer, cache, metrics)
 * and the narrative record on a job document.  The step itself is in
 * narrative_run.c, the template in narrative_template.c, the prompt cache
 * in prompt_cache.c.  See narrative.h. */
#include "net/cjson.h"
#include "narrative/narrative_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/job.h"

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
    N("templates", m->templates);
    N("unavailable", m->unavailable);
    N("authRefused", m->auth_refused);
    N("schemaMismatches", m->schema_mismatches);
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
    N("idleTimeouts", s->idle_timeouts);
    N("streamRestarts", s->stream_restarts);
    N("tokenRefreshes", s->token_refreshes);
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
    j->is_template = false;
    j->status = HZ_OK;
    j->error[0] = '\0';
    j->model[0] = '\0';
    j->cached = false;
    j->batch_jobs = 0;
    j->prompt_tokens = 0;
    j->items_dropped = 0;
    j->prompt_exact = false;
    memset(&j->usage, 0, sizeof j->usage);
    j->attempts = 0;
}

cJSON *hz_narrative_json(const hz_narrative_job *j)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    if (j->text)
        cJSON_AddStringToObject(o, "text", j->text);
    cJSON_AddStringToObject(o, "source", j->is_template ? "template" : "llm");
    cJSON_AddStringToObject(
        o, "model", j->is_template ? HZ_NARRATIVE_TEMPLATE_MODEL : j->model);
    cJSON_AddBoolToObject(o, "cached", j->cached);
    cJSON_AddNumberToObject(o, "batchJobs", j->batch_jobs);
    cJSON_AddNumberToObject(o, "promptTokens", (double)j->prompt_tokens);
    cJSON_AddBoolToObject(o, "promptTokensExact", j->prompt_exact);
    cJSON_AddNumberToObject(o, "promptItemsDropped", (double)j->items_dropped);
    if (j->text != NULL)
        cJSON_AddNumberToObject(o, "textTokens", (double)j->text_tokens);
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
            if (jobs[i].text != NULL || jobs[i].status != HZ_ECANCELED)
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
