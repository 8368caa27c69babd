/* LLM settings: client configuration, model routing (job type -> model),
 * batching, prompt budget, cache TTL and tokenizer, from a small INI or
 * JSON file and the environment.
 *
 * Precedence: built-in defaults < file < environment.  The file is given
 * explicitly or by HZ_LLM_CONFIG.  API keys are read from the environment
 * only (OPENAI_API_KEY, AZURE_OPENAI_API_KEY); a key in the file is an
 * error, so that keys never sit in configuration files.
 *
 * INI form ('#' or ';' starts a comment at the start of a line, or after
 * a space or tab outside quotes; lines of at most 1023 bytes):
 *                                     JSON form:
 *   [llm]                               {"llm": {"timeout": 30, ...},
 *   timeout = 30                         "models": {"default": "gpt-4o-mini",
 *   max_attempts = 3                                "suite": "gpt-4o"}}
 *   backoff_min = 4
 *   backoff_max = 10
 *   rpm = 500
 *   tpm = 200000
 *   concurrency = 8
 *   batch_size = 4
 *   max_prompt_tokens = 400
 *   max_completion_tokens = 200
 *   temperature = 0.2
 *   cache_ttl = 604800
 *   tokenizer = /path/cl100k_base.tiktoken
 *   encoding = cl100k_base
 *   base_url = http://127.0.0.1:8080/v1   (OpenAI-compatible servers)
 *   api_version = 2024-10-21              (Azure; "v1" = the v1 API)
 *   entra_scope = https://cognitiveservices.azure.com/.default
 *   stream_idle_timeout = 60              (silence allowed in a stream)
 *   stream_timeout = 600                  (a whole stream)
 *   reasoning_effort = low                (reasoning models; "" = none)
 *   reasoning_budget = 1024               (added to their budget)
 *   [models]
 *   default = gpt-4o-mini
 *   forecast = gpt-4o-mini
 *   suite = gpt-4o
 *   [capabilities]                        (llm_caps.h)
 *   narratives-prod = reasoning
 *
 * Environment: the variables of hz_llm_config_from_env(), plus
 * HZ_LLM_MODEL (default model), HZ_LLM_MODEL_<TYPE> (e.g.
 * HZ_LLM_MODEL_SUITE), AZURE_OPENAI_DEPLOYMENT (default deployment on
 * Azure), HZ_LLM_BATCH_SIZE, HZ_LLM_MAX_PROMPT_TOKENS, HZ_LLM_CACHE_TTL,
 * HZ_TIKTOKEN_FILE, HZ_TIKTOKEN_ENCODING.  On Azure a "model" is a
 * deployment name. */
#ifndef HZ_LLM_CONFIG_H
#define HZ_LLM_CONFIG_H

#include <stddef.h>

#include "horizon/common.h"
#include "llm/llm.h"

#define HZ_LLM_MAX_ROUTES 16
#define HZ_LLM_CONFIG_MAX 65536 /* bytes of a settings file */

typedef struct hz_llm_route {
    char type[32]; /* job type, e.g. "suite" */
    char model[128];
} hz_llm_route;

typedef struct hz_llm_settings {
    hz_llm_config client;
    char default_model[128];
    hz_llm_route routes[HZ_LLM_MAX_ROUTES];
    size_t nroutes;
    size_t max_prompt_tokens;   /* default 400 */
    int max_completion_tokens;  /* default 200 */
    double temperature;         /* default 0.2 */
    int batch_size;             /* jobs per request, default 4 (1 = off) */
    double cache_ttl_s;         /* default 7 days; 0 = no cache */
    char tiktoken_file[512];    /* "" = estimate */
    char tiktoken_encoding[32]; /* "" = from the file name */
} hz_llm_settings;

void hz_llm_settings_init(hz_llm_settings *s);

/* Defaults, then the file (path, or $HZ_LLM_CONFIG when path is NULL;
 * none is fine), then the environment.  Errors name file:line. */
hz_status hz_llm_settings_load(const char *path, hz_llm_settings *s,
                               hz_error *err);

/* Set (or replace) the model of a job type ("default" sets the default). */
hz_status hz_llm_settings_route(hz_llm_settings *s, const char *type,
                                const char *model, hz_error *err);

/* The model for a job type: its route, else the default. */
const char *hz_llm_model_for(const hz_llm_settings *s, const char *type);

#endif
