/* Chat-completions client for OpenAI and Azure OpenAI (and any
 * OpenAI-compatible server: llama.cpp, Ollama, vLLM), on libcurl multi.
 *
 *  - OpenAI:  POST {base_url}/chat/completions, "Authorization: Bearer KEY",
 *             body "model": the model name.
 *  - Azure:   POST {endpoint}/openai/deployments/{deployment}/chat/
 *             completions?api-version=V, or with api_version "v1" (or an
 *             endpoint ending in /openai/v1) POST {endpoint}/openai/v1/
 *             chat/completions with "model": the deployment; "api-key:
 *             KEY", or without a key "Authorization: Bearer TOKEN" with a
 *             Microsoft Entra ID token (jobs/net/entra.h; a 401 makes it
 *             fetch a new token once).
 *
 * The body follows what the model accepts (llm_caps.h): the budget is
 * max_completion_tokens (plus reasoning_budget for reasoning models, which
 * also get reasoning_effort and no temperature); a request with a JSON
 * schema asks for structured outputs (response_format json_schema,
 * strict) where the model supports them, a JSON object otherwise, and
 * its answer is checked against the schema.
 *
 * Requests run concurrently (at most `concurrency` in flight).  Each has a
 * per-request timeout; a stream instead has an idle timeout between
 * chunks (stream_idle_timeout, default: timeout) and an overall deadline
 * (stream_timeout).  408, 409, 429, 5xx, network errors, timeouts,
 * unparseable 2xx bodies and malformed or truncated streams are retried
 * up to max_attempts in total; other 4xx are not.  The wait before retry k (k = 1, 2, ...) is:
 *   - the server's retry-after-ms (milliseconds) or Retry-After (seconds
 *     or an HTTP date) when present, capped at retry_after_max_s;
 *   - else uniform in [backoff_min_s, min(backoff_max_s,
 *     backoff_min_s * 2^k)] (exponential backoff, jitter from a seeded
 *     generator).
 * A client-side limiter keeps the requests and (estimated prompt +
 * max completion) tokens started in any 60 s window within rpm and tpm.
 *
 * Time is read and waited through hooks (default: the monotonic clock and
 * nanosleep), so tests can run backoff on a virtual clock.  The API key is
 * only ever put in a request header: it never appears in errors, logs or
 * metrics (server error messages are scrubbed of it).  TLS peer and host
 * verification are always on. */
#ifndef HZ_LLM_H
#define HZ_LLM_H

#include <stdbool.h>
#include <stddef.h>

#include "horizon/common.h"
#include "llm/llm_caps.h"
#include "llm/prompt.h"

typedef enum hz_llm_provider {
    HZ_LLM_NONE = 0, /* offline: nothing configured */
    HZ_LLM_OPENAI,
    HZ_LLM_AZURE
} hz_llm_provider;

typedef struct hz_llm_config {
    hz_llm_provider provider;
    char base_url[512];           /* OpenAI: ".../v1"; Azure: the endpoint */
    char api_key[512];            /* never printed */
    char api_version[32];         /* Azure api-version, or "v1" */
    char entra_scope[256];        /* Azure token scope ("" = Cognitive
                                  Services) */
    double timeout_s;             /* per request (default 60) */
    double stream_idle_timeout_s; /* silence allowed in a stream (0 =
                                     timeout_s) */
    double stream_timeout_s;      /* a whole stream (default 600) */
    char reasoning_effort[16];    /* for reasoning models ("" = not sent;
                                     default "low") */
    int reasoning_budget;         /* tokens added to a reasoning model's
                             max_completion_tokens (default 1024) */
    hz_llm_cap_rule caps[HZ_LLM_MAX_CAPS]; /* settings' overrides */
    size_t ncaps;
    int max_attempts;          /* total tries per request (default 3) */
    double backoff_min_s;      /* default 4 */
    double backoff_max_s;      /* default 10 */
    double retry_after_max_s;  /* cap on a server's Retry-After (60) */
    double rpm;                /* requests per minute; 0 = no limit */
    double tpm;                /* tokens per minute; 0 = no limit */
    int concurrency;           /* requests in flight (default 8) */
    size_t max_response_bytes; /* default 4 MiB */
    unsigned long seed;        /* jitter generator seed */
    char ca_file[512];         /* extra CA bundle ("" = system) */
} hz_llm_config;

/* Defaults above; provider NONE, empty URL and key. */
void hz_llm_config_init(hz_llm_config *c);

/* Fill provider, URL, key and api-version from the environment:
 *   AZURE_OPENAI_ENDPOINT (+ AZURE_OPENAI_API_KEY, the api-version from
 *   AZURE_OPENAI_API_VERSION, else OPENAI_API_VERSION as the official
 *   SDKs read it) selects Azure (without a key: Entra ID tokens); else
 *   OPENAI_BASE_URL and/or OPENAI_API_KEY select OpenAI (base URL default:
 *   OpenAI's public API); nothing set = HZ_LLM_NONE (offline).
 * HZ_LLM_TIMEOUT, HZ_LLM_STREAM_IDLE_TIMEOUT, HZ_LLM_STREAM_TIMEOUT,
 * HZ_LLM_MAX_ATTEMPTS, HZ_LLM_BACKOFF_MIN, HZ_LLM_BACKOFF_MAX, HZ_LLM_RPM,
 * HZ_LLM_TPM, HZ_LLM_CONCURRENCY, HZ_LLM_CA_FILE override the numbers. */
hz_status hz_llm_config_from_env(hz_llm_config *c, hz_error *err);

typedef struct hz_llm_usage {
    bool present; /* the server sent "usage" */
    long prompt_tokens, completion_tokens, total_tokens;
} hz_llm_usage;

typedef struct hz_llm_request {
    /* in */
    const char *model; /* model, or Azure deployment */
    const hz_chat_message *messages;
    size_t nmessages;
    bool json;                 /* a JSON object reply is asked for */
    const char *json_schema;   /* JSON text of a schema for the reply
                                  (structured outputs), or NULL */
    const char *schema_name;   /* its name ("answer" when NULL) */
    double temperature;        /* < 0: not sent */
    int max_completion_tokens; /* 0: not sent */
    size_t prompt_tokens_est;  /* for the tpm limiter */
    /* true when the answer is no longer wanted (a job's runner stopped or
       lost the job): asked while the request waits and, in flight, at
       least every 0.2 s; the request then ends at once, status
       HZ_ECANCELED, without retries.  NULL = never. */
    bool (*canceled)(void *ud);
    void *cancel_ud;
    /* out */
    hz_status status; /* HZ_OK, HZ_ENET, HZ_ETIMEOUT, HZ_EPARSE,
                                  HZ_EINVAL (4xx), HZ_ECANCELED */
    int http_status;  /* last HTTP status (0 = none) */
    int attempts;
    char *content; /* malloc'ed reply text (free with
                                  hz_llm_request_clear) */
    char finish_reason[32];
    bool schema_ok;         /* the reply matched json_schema */
    char schema_error[200]; /* else why (the reply is still in content) */
    hz_llm_usage usage;
    char error[HZ_ERROR_MAX]; /* last failure, key-free */
    double latency_s;         /* first start to completion (client clock) */
} hz_llm_request;

void hz_llm_request_clear(hz_llm_request *r); /* frees outputs */

/* Hooks; any NULL member uses the default. */
typedef struct hz_llm_hooks {
    void *ctx;
    double (*now)(void *ctx);           /* seconds, monotonic */
    void (*sleep)(void *ctx, double s); /* wait s seconds */
    /* told about every retry: the wait chosen and the server's Retry-After
       (NaN when none) */
    void (*on_retry)(void *ctx, const hz_llm_request *r, int attempt,
                     double wait_s, double retry_after_s);
} hz_llm_hooks;

typedef struct hz_llm_stats {
    long requests; /* HTTP attempts started */
    long succeeded, failed;
    long retries;
    long status_429, status_5xx, status_4xx, timeouts, net_errors, bad_bodies;
    long stream_restarts;   /* streams retried after delivering text */
    long idle_timeouts;     /* streams cut for silence */
    long schema_mismatches; /* replies that did not match their schema */
    long token_refreshes;   /* Entra ID tokens replaced after a 401 */
    double backoff_s;       /* total waited before retries */
    double backoff_max_s;   /* longest single wait */
    double limiter_wait_s;  /* waited for the rpm/tpm limiter */
    long prompt_tokens, completion_tokens; /* from the servers' usage */
} hz_llm_stats;

typedef struct hz_llm_client hz_llm_client;

/* HZ_EINVAL when provider is NONE or the URL is empty. */
hz_status hz_llm_client_new(const hz_llm_config *cfg,
                            const hz_llm_hooks *hooks, hz_llm_client **out,
                            hz_error *err);
void hz_llm_client_free(hz_llm_client *c); /* NULL allowed */

/* Run reqs[0..n) to completion (success or final failure) concurrently.
 * Each request's outputs say how it ended; returns HZ_OK unless the client
 * itself failed (ENOMEM). */
hz_status hz_llm_run(hz_llm_client *c, hz_llm_request *reqs, size_t n,
                     hz_error *err);

/* Where a streamed reply goes. */
typedef struct hz_llm_stream_cb {
    /* each piece of text as it arrives (may be NULL) */
    void (*on_delta)(const char *text, size_t len, void *ud);
    /* a stream that had delivered text failed and is tried again: the
     * text so far is void, the next attempt's text follows (may be NULL) */
    void (*on_restart)(int attempt, const char *why, void *ud);
    void *ud;
} hz_llm_stream_cb;

/* Streamed (SSE) completion of one request; r->content gets the whole
 * text of the attempt that completed.  A dropped, stalled (idle timeout),
 * malformed or truncated stream is retried as above, before or after text
 * was delivered (on_restart tells). */
hz_status hz_llm_stream(hz_llm_client *c, hz_llm_request *r,
                        const hz_llm_stream_cb *cb, hz_error *err);

const hz_llm_stats *hz_llm_client_stats(const hz_llm_client *c);

/* How requests are authorized: "none", "API key", or "Entra ID (SOURCE)"
 * into out. */
void hz_llm_auth_describe(const hz_llm_client *c, char *out, size_t outsz);

/* The provider's name ("openai", "azure", "none"). */
const char *hz_llm_provider_name(hz_llm_provider p);

/* Parse a Retry-After value (delta seconds or an HTTP date, relative to
 * now_epoch); NaN when unparseable. */
double hz__llm_parse_retry_after(const char *v, double now_epoch);

#endif
