/* LLM settings and model routing.  See llm_config.h. */
#include "llm/llm_config.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "llm/llm_internal.h"
#include "llm/prompt.h"

void hz_llm_settings_init(hz_llm_settings *s)
{
    memset(s, 0, sizeof *s);
    hz_llm_config_init(&s->client);
    snprintf(s->default_model, sizeof s->default_model, "gpt-4o-mini");
    s->max_prompt_tokens = HZ_PROMPT_DEFAULT_MAX_TOKENS;
    s->max_completion_tokens = 200;
    s->temperature = 0.2;
    s->batch_size = 4;
    s->cache_ttl_s = 7 * 86400.0;
}

hz_status hz_llm_settings_route(hz_llm_settings *s, const char *type,
                                const char *model, hz_error *err)
{
    if (type == NULL || model == NULL || model[0] == '\0' ||
        strlen(model) >= sizeof s->default_model)
        return hz_error_set(err, HZ_EINVAL, "llm config: bad model for '%s'",
                            type ? type : "?");
    if (strcmp(type, "default") == 0) {
        snprintf(s->default_model, sizeof s->default_model, "%s", model);
        return HZ_OK;
    }
    for (size_t i = 0; i < s->nroutes; i++)
        if (strcmp(s->routes[i].type, type) == 0) {
            snprintf(s->routes[i].model, sizeof s->routes[i].model, "%s",
                     model);
            return HZ_OK;
        }
    if (s->nroutes == HZ_LLM_MAX_ROUTES || strlen(type) >= 32)
        return hz_error_set(err, HZ_EINVAL,
                            "llm config: too many routes or type name too "
                            "long ('%s')",
                            type);
    snprintf(s->routes[s->nroutes].type, 32, "%s", type);
    snprintf(s->routes[s->nroutes].model, 128, "%s", model);
    s->nroutes++;
    return HZ_OK;
}

const char *hz_llm_model_for(const hz_llm_settings *s, const char *type)
{
    if (type != NULL)
        for (size_t i = 0; i < s->nroutes; i++)
            if (strcmp(s->routes[i].type, type) == 0)
                return s->routes[i].model;
    return s->default_model;
}

static bool num(const char *v, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    while (isspace((unsigned char)*end))
        end++;
    if (errno != 0 || end == v || *end != '\0' || !(d >= lo && d <= hi))
        return false;
    *out = d;
    return true;
}

/* hz_llm_settings_route with the place (FILE:LINE) in its message. */
static hz_status route_at(hz_llm_settings *s, const char *type,
                          const char *model, const char *where, hz_error *err)
{
    hz_error e;
    hz_status st = hz_llm_settings_route(s, type, model, &e);
    if (st != HZ_OK)
        return hz_error_set(err, st, "%s: %s", where, e.msg);
    return HZ_OK;
}

/* Apply one "key = value" of the [llm] section. */
static hz_status set_llm(hz_llm_settings *s, const char *key, const char *val,
                         const char *where, hz_error *err)
{
    double d;
    hz_llm_config *c = &s->client;
#define NUMKEY(NAME, LO, HI, LVAL, CAST)                                      \
    if (strcmp(key, NAME) == 0) {                                             \
        if (!num(val, LO, HI, &d))                                            \
            return hz_error_set(err, HZ_EINVAL,                               \
                                "%s: '%s': expected a number in [%g, %g], "   \
                                "got '%s'",                                   \
                                where, key, (double)(LO), (double)(HI), val); \
        (LVAL) = (CAST)d;                                                     \
        return HZ_OK;                                                         \
    }
    NUMKEY("timeout", 0.001, 3600, c->timeout_s, double)
    NUMKEY("stream_idle_timeout", 0.001, 3600, c->stream_idle_timeout_s,
           double)
    NUMKEY("stream_timeout", 0.001, 86400, c->stream_timeout_s, double)
    NUMKEY("reasoning_budget", 0, 1e6, c->reasoning_budget, int)
    NUMKEY("max_attempts", 1, 100, c->max_attempts, int)
    NUMKEY("backoff_min", 0, 3600, c->backoff_min_s, double)
    NUMKEY("backoff_max", 0, 3600, c->backoff_max_s, double)
    NUMKEY("retry_after_max", 0, 86400, c->retry_after_max_s, double)
    NUMKEY("rpm", 0, 1e9, c->rpm, double)
    NUMKEY("tpm", 0, 1e12, c->tpm, double)
    NUMKEY("concurrency", 1, 1024, c->concurrency, int)
    NUMKEY("batch_size", 1, 64, s->batch_size, int)
    NUMKEY("max_prompt_tokens", 32, 1e7, s->max_prompt_tokens, size_t)
    NUMKEY("max_completion_tokens", 1, 1e6, s->max_completion_tokens, int)
    NUMKEY("temperature", 0, 2, s->temperature, double)
    NUMKEY("cache_ttl", 0, 1e9, s->cache_ttl_s, double)
#undef NUMKEY
    if (strcmp(key, "base_url") == 0 || strcmp(key, "endpoint") == 0) {
        char what[300];
        snprintf(what, sizeof what, "%s: '%s'", where, key);
        hz_status bad = hz__llm_check_endpoint(val, what, err);
        if (bad != HZ_OK)
            return bad;
        snprintf(c->base_url, sizeof c->base_url, "%s", val);
        if (c->provider == HZ_LLM_NONE)
            c->provider = HZ_LLM_OPENAI;
        return HZ_OK;
    }
    if (strcmp(key, "provider") == 0) {
        if (strcmp(val, "openai") == 0)
            c->provider = HZ_LLM_OPENAI;
        else if (strcmp(val, "azure") == 0)
            c->provider = HZ_LLM_AZURE;
        else if (strcmp(val, "none") == 0)
            c->provider = HZ_LLM_NONE;
        else
            return hz_error_set(err, HZ_EINVAL,
                                "%s: 'provider': expected openai, azure or "
                                "none, got '%s'",
                                where, val);
        return HZ_OK;
    }
    if (strcmp(key, "api_version") == 0) {
        snprintf(c->api_version, sizeof c->api_version, "%s", val);
        return HZ_OK;
    }
    if (strcmp(key, "entra_scope") == 0) {
        snprintf(c->entra_scope, sizeof c->entra_scope, "%s", val);
        return HZ_OK;
    }
    if (strcmp(key, "reasoning_effort") == 0) {
        static const char *ok[] = {"",    "none",   "minimal",
                                   "low", "medium", "high"};
        for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
            if (strcmp(val, ok[i]) == 0) {
                snprintf(c->reasoning_effort, sizeof c->reasoning_effort, "%s",
                         val);
                return HZ_OK;
            }
        return hz_error_set(err, HZ_EINVAL,
                            "%s: 'reasoning_effort': expected none, minimal, "
                            "low, medium, high or \"\" (not sent), got '%s'",
                            where, val);
    }
    if (strcmp(key, "tokenizer") == 0) {
        snprintf(s->tiktoken_file, sizeof s->tiktoken_file, "%s", val);
        return HZ_OK;
    }
    if (strcmp(key, "encoding") == 0) {
        snprintf(s->tiktoken_encoding, sizeof s->tiktoken_encoding, "%s", val);
        return HZ_OK;
    }
    if (strcmp(key, "ca_file") == 0) {
        snprintf(c->ca_file, sizeof c->ca_file, "%s", val);
        return HZ_OK;
    }
    if (strstr(key, "key") != NULL)
        return hz_error_set(err, HZ_EINVAL,
                            "%s: '%s': API keys are read from the "
                            "environment only (OPENAI_API_KEY, "
                            "AZURE_OPENAI_API_KEY)",
                            where, key);
    return hz_error_set(err, HZ_EINVAL, "%s: unknown setting '%s'", where,
                        key);
}

/* One [capabilities] line: NAME_PREFIX = flags. */
static hz_status set_caps(hz_llm_settings *s, const char *key, const char *val,
                          const char *where, hz_error *err)
{
    hz_error e2;
    if (hz_llm_caps_set(s->client.caps, &s->client.ncaps, key, val, &e2) !=
        HZ_OK)
        return hz_error_set(err, HZ_EINVAL, "%s: capabilities '%s': %s", where,
                            key, e2.msg);
    return HZ_OK;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    if (n >= 2 && ((s[0] == '"' && s[n - 1] == '"') ||
                   (s[0] == '\'' && s[n - 1] == '\''))) {
        s[n - 1] = '\0';
        s++;
    }
    return s;
}

/* Cut line at a comment that follows a value: '#' or ';' after a space
 * or tab and outside quotes ("timeout = 60   # seconds"), as the settings
 * example in README.md writes them. */
static void cut_comment(char *line)
{
    char quote = '\0';
    for (char *c = line; *c; c++) {
        if (quote != '\0') {
            quote = *c == quote ? '\0' : quote;
        } else if (*c == '"' || *c == '\'') {
            quote = *c;
        } else if ((*c == '#' || *c == ';') && c > line &&
                   (c[-1] == ' ' || c[-1] == '\t')) {
            *c = '\0';
            return;
        }
    }
}

static hz_status load_ini(const char *path, const char *text,
                          hz_llm_settings *s, hz_error *err)
{
    char section[32] = "llm";
    size_t lineno = 0;
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char line[1024], where[600];
        lineno++;
        const char *first = p;
        while (first < p + len && isspace((unsigned char)*first))
            first++;
        if (first < p + len && (*first == '#' || *first == ';')) {
            p += len + (nl ? 1 : 0); /* a comment line, of any length */
            continue;
        }
        if (len >= sizeof line)
            return hz_error_set(err, HZ_EPARSE,
                                "%.500s:%zu: line longer than %zu bytes", path,
                                lineno, sizeof line - 1);
        snprintf(line, sizeof line, "%.*s", (int)len, p);
        p += len + (nl ? 1 : 0);
        cut_comment(line);
        char *l = trim(line);
        if (*l == '\0' || *l == '#' || *l == ';')
            continue;
        snprintf(where, sizeof where, "%.500s:%zu", path, lineno);
        if (*l == '[') {
            char *e = strchr(l, ']');
            if (e == NULL)
                return hz_error_set(err, HZ_EPARSE, "%s: expected ']'", where);
            *e = '\0';
            snprintf(section, sizeof section, "%s", trim(l + 1));
            if (strcmp(section, "llm") != 0 &&
                strcmp(section, "models") != 0 &&
                strcmp(section, "capabilities") != 0)
                return hz_error_set(err, HZ_EPARSE,
                                    "%s: unknown section [%s] (expected "
                                    "[llm], [models] or [capabilities])",
                                    where, section);
            continue;
        }
        char *eq = strchr(l, '=');
        if (eq == NULL)
            return hz_error_set(err, HZ_EPARSE, "%s: expected 'key = value'",
                                where);
        *eq = '\0';
        char *key = trim(l), *val = trim(eq + 1);
        hz_status st = strcmp(section, "models") == 0
                           ? route_at(s, key, val, where, err)
                       : strcmp(section, "capabilities") == 0
                           ? set_caps(s, key, val, where, err)
                           : set_llm(s, key, val, where, err);
        if (st != HZ_OK)
            return st;
    }
    return HZ_OK;
}

static hz_status load_json(const char *path, const char *text,
                           hz_llm_settings *s, hz_error *err)
{
    cJSON *j = cJSON_Parse(text);
    hz_status st = HZ_OK;
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        return hz_error_set(err, HZ_EPARSE, "%s: not a JSON object", path);
    }
    cJSON *llm = cJSON_GetObjectItemCaseSensitive(j, "llm");
    cJSON *models = cJSON_GetObjectItemCaseSensitive(j, "models");
    cJSON *caps = cJSON_GetObjectItemCaseSensitive(j, "capabilities");
    cJSON *it;
    char where[600];
    cJSON_ArrayForEach(it, llm)
    {
        char val[600];
        snprintf(where, sizeof where, "%.500s: llm", path);
        if (cJSON_IsString(it))
            snprintf(val, sizeof val, "%s", it->valuestring);
        else if (cJSON_IsNumber(it))
            snprintf(val, sizeof val, "%.17g", it->valuedouble);
        else {
            st = hz_error_set(err, HZ_EPARSE,
                              "%s.%s: expected a string or "
                              "a number",
                              where, it->string);
            goto out;
        }
        if ((st = set_llm(s, it->string, val, where, err)) != HZ_OK)
            goto out;
    }
    cJSON_ArrayForEach(it, models)
    {
        if (!cJSON_IsString(it)) {
            st = hz_error_set(err, HZ_EPARSE,
                              "%s: models.%s: expected a "
                              "string",
                              path, it->string);
            goto out;
        }
        snprintf(where, sizeof where, "%.500s: models", path);
        if ((st = route_at(s, it->string, it->valuestring, where, err)) !=
            HZ_OK)
            goto out;
    }
    snprintf(where, sizeof where, "%.500s", path);
    cJSON_ArrayForEach(it, caps)
    {
        if (!cJSON_IsString(it)) {
            st = hz_error_set(err, HZ_EPARSE,
                              "%s: capabilities.%s: expected a string", path,
                              it->string);
            goto out;
        }
        if ((st = set_caps(s, it->string, it->valuestring, where, err)) !=
            HZ_OK)
            goto out;
    }
out:
    cJSON_Delete(j);
    return st;
}

static const char *envv(const char *n)
{
    const char *v = getenv(n);
    return v && v[0] ? v : NULL;
}

/* The settings the environment gives beyond the client's: models,
 * batching, budget, cache, tokenizer. */
static hz_status env_extras(hz_llm_settings *s, hz_error *err)
{
    hz_status st;
    const char *v;
    if ((v = envv("AZURE_OPENAI_DEPLOYMENT")) != NULL &&
        s->client.provider == HZ_LLM_AZURE)
        if ((st = hz_llm_settings_route(s, "default", v, err)) != HZ_OK)
            return st;
    if ((v = envv("HZ_LLM_MODEL")) != NULL)
        if ((st = hz_llm_settings_route(s, "default", v, err)) != HZ_OK)
            return st;
    static const char *types[] = {"forecast", "churn", "clv",
                                  "segment",  "suite", "dataset"};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        char name[64];
        snprintf(name, sizeof name, "HZ_LLM_MODEL_%s", types[i]);
        for (char *c = name; *c; c++)
            *c = (char)toupper((unsigned char)*c);
        if ((v = envv(name)) != NULL)
            if ((st = hz_llm_settings_route(s, types[i], v, err)) != HZ_OK)
                return st;
    }
    double d;
    if ((v = envv("HZ_LLM_BATCH_SIZE")) != NULL) {
        if (!num(v, 1, 64, &d))
            return hz_error_set(err, HZ_EINVAL,
                                "HZ_LLM_BATCH_SIZE: expected "
                                "1..64, got '%s'",
                                v);
        s->batch_size = (int)d;
    }
    if ((v = envv("HZ_LLM_MAX_PROMPT_TOKENS")) != NULL) {
        if (!num(v, 32, 1e7, &d))
            return hz_error_set(err, HZ_EINVAL,
                                "HZ_LLM_MAX_PROMPT_TOKENS: "
                                "expected 32..1e7, got '%s'",
                                v);
        s->max_prompt_tokens = (size_t)d;
    }
    if ((v = envv("HZ_LLM_CACHE_TTL")) != NULL) {
        if (!num(v, 0, 1e9, &d))
            return hz_error_set(err, HZ_EINVAL,
                                "HZ_LLM_CACHE_TTL: expected "
                                "seconds, got '%s'",
                                v);
        s->cache_ttl_s = d;
    }
    if ((v = envv("HZ_TIKTOKEN_FILE")) != NULL)
        snprintf(s->tiktoken_file, sizeof s->tiktoken_file, "%s", v);
    if ((v = envv("HZ_TIKTOKEN_ENCODING")) != NULL)
        snprintf(s->tiktoken_encoding, sizeof s->tiktoken_encoding, "%s", v);
    return HZ_OK;
}

hz_status hz_llm_settings_load(const char *path, hz_llm_settings *s,
                               hz_error *err)
{
    hz_status st;
    hz_llm_settings_init(s);
    /* provider/URL/key first from the environment so that the file's
       base_url/provider can refine them; numbers are re-applied below */
    if ((st = hz_llm_config_from_env(&s->client, err)) != HZ_OK)
        return st;
    if (path == NULL)
        path = envv("HZ_LLM_CONFIG");
    if (path != NULL) {
        FILE *f = fopen(path, "rb");
        if (f == NULL)
            return hz_error_set(err, HZ_EIO,
                                "could not open LLM config %s: %s", path,
                                strerror(errno));
        /* a settings file is small: one byte more than the limit tells a
         * longer file, which is refused rather than cut */
        char *text = malloc(HZ_LLM_CONFIG_MAX + 2);
        size_t n = text ? fread(text, 1, HZ_LLM_CONFIG_MAX + 1, f) : 0;
        fclose(f);
        if (text == NULL)
            return hz_error_set(err, HZ_ENOMEM, "out of memory");
        if (n > HZ_LLM_CONFIG_MAX || memchr(text, '\0', n) != NULL) {
            free(text);
            return hz_error_set(err, HZ_EPARSE, "LLM config %s: %s", path,
                                n > HZ_LLM_CONFIG_MAX
                                    ? "larger than 64 KiB"
                                    : "contains a NUL byte (not a text "
                                      "file)");
        }
        text[n] = '\0';
        const char *q = text;
        while (isspace((unsigned char)*q))
            q++;
        st = *q == '{' ? load_json(path, text, s, err)
                       : load_ini(path, text, s, err);
        free(text);
        if (st != HZ_OK)
            return st;
        if (s->client.backoff_max_s < s->client.backoff_min_s)
            return hz_error_set(err, HZ_EINVAL,
                                "LLM config %s: backoff_max (%g) is below "
                                "backoff_min (%g)",
                                path, s->client.backoff_max_s,
                                s->client.backoff_min_s);
        /* the environment wins over the file */
        if ((st = hz_llm_config_from_env(&s->client, err)) != HZ_OK)
            return st;
    }
    if (s->client.provider != HZ_LLM_NONE &&
        (st = hz__llm_check_transport(&s->client, path, err)) != HZ_OK)
        return st;
    return env_extras(s, err);
}
