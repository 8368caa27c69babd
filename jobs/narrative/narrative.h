/* Narratives: the step the runner calls after "summarise".  For each job it
 * builds a token-budgeted prompt from the job's summary (never from data),
 * routes it to a model by job type, looks it up in the prompt cache,
 * batches the misses that share a model into one request asking for a
 * JSON object keyed by job id (a reply that does not parse falls back to
 * one request per job), calls the LLM, and records the narrative, the
 * model, the server's usage and the prompt's token count on the job.
 *
 * Batched requests ask for structured outputs: a JSON schema with one
 * required string property per job id (no other properties), and the
 * answer is checked against it.
 *
 * Offline (no endpoint configured) every job gets a deterministic template
 * narrative built from the same summary items the prompt would carry
 * (hz_narrative_template; source "template"); print
 * HZ_NARRATIVE_OFFLINE_MSG once.  With an endpoint the LLM's narrative
 * replaces it; when the LLM fails the job keeps the template and the error
 * is recorded.  A failed narrative never fails a job: hz_narrative_run()
 * reports per-job outcomes and returns an error only for bad arguments or
 * ENOMEM.
 *
 * Cache key: SHA-256 (hex) of the model, the parameters (temperature,
 * max tokens, response format) and the messages of the job's single-job
 * prompt, so a job's narrative is found again whether it was produced
 * alone or in a batch.  Entries live in the job store's "cache" container
 * ({id: key, customerId: tenant, narrative, model, tokens, expiresAt, ttl})
 * or in memory, with a TTL. */
#ifndef HZ_NARRATIVE_H
#define HZ_NARRATIVE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "horizon/common.h"
#include "horizon/summary.h"
#include "llm/llm.h"
#include "llm/llm_config.h"
#include "llm/prompt.h"
#include "store/store.h"
#include "llm/tokenizer.h"

#define HZ_NARRATIVE_OFFLINE_MSG                                              \
    "narratives: no LLM endpoint configured (set OPENAI_BASE_URL or "         \
    "OPENAI_API_KEY, or AZURE_OPENAI_ENDPOINT): template narratives from "    \
    "the summaries; numeric results are unaffected"

/* Seconds the LLM is taken as unavailable after a request failed for
 * want of a server (network error, timeout, 429/5xx past its retries):
 * jobs meanwhile get their template at once, with the reason, instead of
 * each waiting through the same timeouts and retries. */
#define HZ_NARRATIVE_DOWN_S 60

/* The model name recorded for template narratives. */
#define HZ_NARRATIVE_TEMPLATE_MODEL "template"
/* The longest narrative taken from an LLM, in bytes (and never more than
 * twice its max_completion_tokens by our count): a longer answer, from a
 * server that does not keep to the budget or a hostile one, would go into
 * the job document (2 MB at most on Cosmos DB), the cache and the
 * reports; it is refused and the job keeps its template. */
#define HZ_NARRATIVE_TEXT_MAX 65536

/* ---- prompt cache ---- */
typedef struct hz_prompt_cache hz_prompt_cache;

/* In-memory cache (one process). */
hz_prompt_cache *hz_prompt_cache_memory(void);
/* Cache in a job store's "cache" container; the store handle is borrowed
 * (used by one thread at a time, like every store handle). */
hz_prompt_cache *hz_prompt_cache_store(hz_store *store);
void hz_prompt_cache_free(hz_prompt_cache *c); /* NULL allowed */

/* Look key up for tenant at epoch time now: HZ_OK with *value (malloc'ed),
 * *tokens (what the entry cost) and *dropped (the summary items the prompt
 * it was written from left out, a batch's for a batched job; -1 for an
 * entry that does not say), HZ_ENOTFOUND on a miss or an expired entry.
 * put keeps them with the text (dropped < 0: not said). */
hz_status hz_prompt_cache_get(hz_prompt_cache *c, const char *tenant,
                              const char *key, double now, char **value,
                              long *tokens, long *dropped, hz_error *err);
hz_status hz_prompt_cache_put(hz_prompt_cache *c, const char *tenant,
                              const char *key, const char *model,
                              const char *value, long tokens, long dropped,
                              double ttl_s, double now, hz_error *err);

/* ---- summaries as JSON (the "summary" field of a job document) ----
 * {"kind": "forecast", "items": [{"i": 0, "key": "...", "text": "..."}]} */
cJSON *hz_summary_to_json(const hz_summary *s);
/* HZ_EPARSE naming the field when malformed. */
hz_status hz_summary_from_json(const cJSON *j, hz_summary **out,
                               hz_error *err);

/* ---- the narrative step ---- */

typedef struct hz_narrative_metrics {
    long jobs; /* narratives asked for */
    long succeeded, failed;
    long requests;         /* chat requests sent (excl. retries) */
    long batched_requests; /* of which carried > 1 job */
    long batched_jobs;     /* jobs answered by a batched request */
    long batch_fallbacks;  /* batches whose reply did not parse/split */
    long cache_hits, cache_misses;
    long templates;         /* jobs given the template narrative */
    long unavailable;       /* of which not asked: the LLM was unavailable */
    long auth_refused;      /* requests refused for their credentials
                               (HTTP 401, 403: a wrong key or role) */
    long schema_mismatches; /* batched answers that broke their schema */
    long tokens_saved;      /* tokens of the cached entries hit */
    long prompt_tokens;     /* our count of the prompts sent */
    long usage_prompt_tokens, usage_completion_tokens; /* servers' usage */
    int prompt_tokens_max; /* largest prompt sent */
} hz_narrative_metrics;

typedef struct hz_narrative_ctx hz_narrative_ctx;

/* Open from settings (copied).  cache may be NULL (no cache) and is
 * borrowed; hooks may be NULL (real clock).  When settings name a
 * tokenizer file it is loaded (an error if unusable).  Offline settings
 * (provider NONE) give a context whose hz_narrative_enabled() is false. */
hz_status hz_narrative_open(const hz_llm_settings *settings,
                            hz_prompt_cache *cache, const hz_llm_hooks *hooks,
                            hz_narrative_ctx **out, hz_error *err);
void hz_narrative_close(hz_narrative_ctx *c); /* NULL allowed */
bool hz_narrative_enabled(const hz_narrative_ctx *c);
const hz_narrative_metrics *hz_narrative_metrics_get(
    const hz_narrative_ctx *c);
const hz_llm_stats *hz_narrative_llm_stats(const hz_narrative_ctx *c);
const hz_tokenizer *hz_narrative_tokenizer(const hz_narrative_ctx *c);
/* Metrics + client stats as a JSON object (no keys, no URLs). */
cJSON *hz_narrative_metrics_json(const hz_narrative_ctx *c);

typedef struct hz_narrative_job {
    /* in */
    const char *id;
    const char *type;   /* routes the model */
    const char *tenant; /* cache partition (customerId) */
    const hz_summary *summary;
    /* set (by another thread) when the narrative is no longer wanted: the
       job is not asked, or its request given up once every job it
       carries is (status HZ_ECANCELED; the template instead); NULL =
       never */
    const atomic_bool *cancel;
    /* out (free with hz_narrative_job_clear) */
    hz_status status; /* HZ_OK, or why there is no narrative */
    char error[HZ_ERROR_MAX];
    char *text;       /* the narrative (LLM, or template: see is_template) */
    bool is_template; /* text is the template (offline, or the LLM failed:
                         status and error say why) */
    char model[128];
    bool cached;
    int batch_jobs;       /* jobs in the request that answered (1 =
                                  alone; 0 = cache) */
    size_t prompt_tokens; /* our count of this job's single prompt */
    size_t items_dropped; /* summary items that prompt left out (budget);
                             of a batch's answer: the batch's prompt's */
    size_t text_tokens;   /* our count of the narrative text */
    bool prompt_exact;
    char *prompt;       /* the user message of that prompt */
    hz_llm_usage usage; /* server's usage of the answering request
                                  (shared by batch_jobs jobs) */
    int attempts;
} hz_narrative_job;

void hz_narrative_job_clear(hz_narrative_job *j);

/* Produce narratives for jobs[0..n).  Per-job outcomes in each job. */
hz_status hz_narrative_run(hz_narrative_ctx *c, hz_narrative_job *jobs,
                           size_t n, hz_error *err);

/* Stream one job's narrative (no batching; the cache is consulted first
 * unless refresh; a cached or template narrative is delivered in one
 * piece; cb may be NULL).  Offline: the template, HZ_OK. */
hz_status hz_narrative_stream(hz_narrative_ctx *c, hz_narrative_job *job,
                              bool refresh, const hz_llm_stream_cb *cb,
                              hz_error *err);

/* Record a job's outcome on its job document: "narrative": {"text",
 * "source" ("llm" or "template"), "model", "cached", "batchJobs",
 * "promptTokens", "promptTokensExact", "promptItemsDropped" (summary
 * items left out to fit the prompt's token budget), "textTokens", "usage":
 * {"promptTokens", "completionTokens", "totalTokens"}, "attempts",
 * "error"}.  Replaces an existing "narrative". */
void hz_narrative_to_doc(const hz_narrative_job *j, cJSON *job_doc);
/* The same "narrative" object on its own (caller frees). */
cJSON *hz_narrative_json(const hz_narrative_job *j);

/* Convenience for the runner: narratives for job documents that hold a
 * "summary" (hz_summary_to_json form); writes "narrative" into each.
 * Documents without a summary are left alone. */
hz_status hz_narrative_for_docs(hz_narrative_ctx *c, cJSON *const *docs,
                                size_t n, hz_error *err);

/* ---- the template narrative (narrative_template.c) ---- */

/* The deterministic narrative of one job: the items its single prompt
 * would carry (hz_prompt_build with opts: same ranking and budget), one
 * sentence each, most important first.  *text is malloc'ed;
 * *prompt_tokens is that prompt's count, *items_dropped the items it left
 * out (both may be NULL).  HZ_EINVAL without items. */
hz_status hz_narrative_template(const hz_prompt_job *job,
                                const hz_prompt_opts *opts, char **text,
                                size_t *prompt_tokens, size_t *items_dropped,
                                hz_error *err);

/* A job's narrative as a report shows it, with its token counts. */
typedef struct hz_narrative_text {
    char *text;             /* malloc'ed */
    bool is_template;       /* the deterministic template, not an LLM's */
    char model[128];        /* "template" or the model that wrote it */
    size_t prompt_tokens;   /* the prompt's count (sent, or that would be) */
    size_t items_dropped;   /* summary items it left out (token budget) */
    bool prompt_exact;      /* counted with a rank file */
    long completion_tokens; /* the server's usage; for a template the
                               text's own count */
    bool cached;            /* an LLM narrative from the prompt cache */
} hz_narrative_text;

/* The narrative of a finished job document: its stored "narrative" (LLM
 * or template) when it has text, else the template built now from its
 * "summary" (tok may be NULL: estimated counts; max_prompt_tokens 0 = the
 * default budget).  HZ_ENOTFOUND when the job has neither. */
hz_status hz_narrative_for_job(const cJSON *job_doc, const hz_tokenizer *tok,
                               size_t max_prompt_tokens,
                               hz_narrative_text *out, hz_error *err);
void hz_narrative_text_clear(hz_narrative_text *t); /* NULL allowed */

/* ---- runner integration (jobs/narrative/narrative_hook.c) ---- */

/* Items from the runner's summary of a job (the JSON jobs/runner/exec.c writes:
 * {"datasetRows": n, "forecast": {...}, "churn": {...}, "clv": {...},
 * "segment": {...}}): forecast total and growth, interval width, models;
 * churn rate, risk, AUC and top drivers; CLV total, mean and quantiles;
 * segment sizes and revenue shares; the dataset size.  Parts of a suite
 * share importance levels (the top item of each part is 0).  HZ_ENOTFOUND
 * when nothing could be summarised. */
hz_status hz_summary_from_result_json(const char *job_type,
                                      const cJSON *summary, hz_summary **out,
                                      hz_error *err);

/* A thread-safe narrative service for the runner's hook: jobs finishing at
 * about the same time (within 50 ms, or $HZ_LLM_GATHER_MS) are narrated
 * together, so they share cache look-ups, batches and the client's
 * limits. */
typedef struct hz_narrative_service hz_narrative_service;

/* Settings from $HZ_LLM_CONFIG and the environment; the cache goes to the
 * store at store_spec (its "cache" container; NULL = memory).  Offline
 * (no endpoint): prints HZ_NARRATIVE_OFFLINE_MSG once to log (unless
 * quiet) and gives a service that writes template narratives.  A
 * configuration error (or an endpoint whose credential cannot work) is
 * printed to log, quiet or not, and also gives the template service
 * (numbers unaffected).  *out is NULL only when out of memory. */
hz_status hz_narrative_service_open(const char *store_spec, FILE *log,
                                    bool quiet, hz_narrative_service **out);
/* Print to log (may be NULL) what the run's narratives met that its
 * operator must fix, quiet or not: LLM requests refused for their
 * credentials (a wrong key). */
void hz_narrative_service_warn(const hz_narrative_service *s, FILE *log);
/* Print one line of narrative metrics to log (may be NULL), write them as
 * JSON to $HZ_LLM_METRICS when set, and free.  HZ_EIO (err says why, may
 * be NULL) when $HZ_LLM_METRICS could not be written (a full disk). */
hz_status hz_narrative_service_close(hz_narrative_service *s, FILE *log,
                                     hz_error *err);

/* The hz_narrative_fn of jobs/runner/runner.h: ctx is an hz_narrative_service.
 * *narrative_out is the job's "narrative" object (see
 * hz_narrative_to_doc).  cancel (may be NULL): see hz_narrative_job. */
hz_status hz_narrative_hook(void *ctx, const cJSON *job, const cJSON *summary,
                            const atomic_bool *cancel, cJSON **narrative_out,
                            hz_error *err);

#endif
