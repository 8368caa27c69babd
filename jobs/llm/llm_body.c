/* Chat-completions requests: the URL (OpenAI, Azure deployments, Azure
 * v1) and the body, shaped by what the model accepts (llm_caps.h).  See
 * llm.h. */
#include "llm/llm_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

/* The endpoint parsed (as libcurl parses it for a transfer) and its
 * path without trailing slashes; NULL when it does not parse. */
static CURLU *parse_base(const hz_llm_config *cfg, char *path, size_t n)
{
    CURLU *u = curl_url();
    char *p = NULL;
    if (u == NULL ||
        curl_url_set(u, CURLUPART_URL, cfg->base_url, CURLU_GUESS_SCHEME) !=
            CURLUE_OK ||
        curl_url_get(u, CURLUPART_PATH, &p, 0) != CURLUE_OK) {
        curl_url_cleanup(u);
        return NULL;
    }
    snprintf(path, n, "%s", p);
    curl_free(p);
    size_t pl = strlen(path);
    while (pl > 0 && path[pl - 1] == '/')
        path[--pl] = '\0';
    return u;
}

static bool ends_with(const char *s, const char *tail)
{
    size_t sl = strlen(s), tl = strlen(tail);
    return sl >= tl && strcmp(s + sl - tl, tail) == 0;
}

bool hz__llm_azure_v1(const hz_llm_config *cfg)
{
    if (strcmp(cfg->api_version, "v1") == 0)
        return true;
    char path[600];
    CURLU *u = parse_base(cfg, path, sizeof path);
    bool v1 = strstr(u != NULL ? path : cfg->base_url, "/openai/v1") != NULL;
    curl_url_cleanup(u);
    return v1;
}

/* The request's path after the endpoint's own; NULL when out of memory.
 * Free with curl_free. */
static char *request_path(const hz_llm_config *cfg, const char *model,
                          const char *base)
{
    const char *tail = "/chat/completions";
    char *esc = NULL;
    if (cfg->provider == HZ_LLM_AZURE && hz__llm_azure_v1(cfg)) {
        tail = ends_with(base, "/openai/v1") ? "/chat/completions"
                                             : "/openai/v1/chat/completions";
    } else if (cfg->provider == HZ_LLM_AZURE) {
        if ((esc = curl_easy_escape(NULL, model, 0)) == NULL)
            return NULL;
    }
    size_t n = strlen(base) + strlen(tail) + (esc ? strlen(esc) : 0) + 32;
    char *out = malloc(n);
    if (out != NULL && esc != NULL)
        snprintf(out, n, "%s/openai/deployments/%s%s", base, esc, tail);
    else if (out != NULL)
        snprintf(out, n, "%s%s", base, tail);
    curl_free(esc);
    return out;
}

/* The endpoint's path gets the request's path; a query string of the
 * endpoint stays the query (Azure's api-version is added to it), so
 * "https://h/v1?key=K" asks "https://h/v1/chat/completions?key=K". */
hz_status hz__llm_build_url(const hz_llm_config *cfg, const char *model,
                            char *url, size_t n, hz_error *err)
{
    if (cfg->provider == HZ_LLM_AZURE && (model == NULL || model[0] == '\0'))
        return hz_error_set(err, HZ_EINVAL,
                            "llm: Azure OpenAI needs a deployment name "
                            "(model)");
    char base[600];
    CURLU *u = parse_base(cfg, base, sizeof base);
    if (u == NULL)
        return hz_error_set(err, HZ_EINVAL,
                            "llm: the endpoint is not a valid URL");
    hz_status st = HZ_OK;
    char *path = request_path(cfg, model, base), *full = NULL;
    bool deployments = cfg->provider == HZ_LLM_AZURE && !hz__llm_azure_v1(cfg);
    char version[64];
    snprintf(version, sizeof version, "api-version=%s", cfg->api_version);
    if (path == NULL ||
        curl_url_set(u, CURLUPART_PATH, path, 0) != CURLUE_OK ||
        curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0) != CURLUE_OK ||
        (deployments &&
         curl_url_set(u, CURLUPART_QUERY, version,
                      CURLU_APPENDQUERY | CURLU_URLENCODE) != CURLUE_OK) ||
        curl_url_get(u, CURLUPART_URL, &full, 0) != CURLUE_OK)
        st = hz_error_set(err, HZ_ENOMEM, "llm: out of memory");
    else if (strlen(full) >= n)
        st = hz_error_set(err, HZ_EINVAL,
                          "llm: the request URL is longer than %zu bytes",
                          n - 1);
    else
        memcpy(url, full, strlen(full) + 1);
    free(path);
    curl_free(full);
    curl_url_cleanup(u);
    return st;
}

/* The messages; a model without system messages gets them in front of
 * the first user message. */
static void add_messages(cJSON *o, const hz_llm_request *r, bool system)
{
    cJSON *msgs = cJSON_AddArrayToObject(o, "messages");
    const char *held = NULL;
    for (size_t i = 0; i < r->nmessages; i++) {
        const char *role = r->messages[i].role;
        const char *text = r->messages[i].content ? r->messages[i].content
                                                  : "";
        if (!system && strcmp(role, "system") == 0) {
            held = text;
            continue;
        }
        cJSON *m = cJSON_CreateObject();
        cJSON_AddStringToObject(m, "role", role);
        if (held != NULL && strcmp(role, "user") == 0) {
            size_t len = strlen(held) + strlen(text) + 3;
            char *both = malloc(len);
            if (both != NULL) {
                snprintf(both, len, "%s\n\n%s", held, text);
                cJSON_AddStringToObject(m, "content", both);
                free(both);
            }
            held = NULL;
        } else {
            cJSON_AddStringToObject(m, "content", text);
        }
        cJSON_AddItemToArray(msgs, m);
    }
}

/* response_format: a strict JSON schema, a JSON object, or nothing.
 * false when the schema does not parse. */
static bool add_format(cJSON *o, const hz_llm_request *r, hz_llm_caps caps)
{
    if (r->json_schema != NULL && caps.json == HZ_LLM_JSON_SCHEMA) {
        cJSON *schema = cJSON_Parse(r->json_schema);
        if (!cJSON_IsObject(schema)) {
            cJSON_Delete(schema);
            return false;
        }
        cJSON *rf = cJSON_AddObjectToObject(o, "response_format");
        cJSON_AddStringToObject(rf, "type", "json_schema");
        cJSON *js = cJSON_AddObjectToObject(rf, "json_schema");
        cJSON_AddStringToObject(js, "name",
                                r->schema_name ? r->schema_name : "answer");
        cJSON_AddBoolToObject(js, "strict", 1);
        cJSON_AddItemToObject(js, "schema", schema);
    } else if ((r->json || r->json_schema != NULL) &&
               caps.json != HZ_LLM_JSON_NONE) {
        cJSON *rf = cJSON_AddObjectToObject(o, "response_format");
        cJSON_AddStringToObject(rf, "type", "json_object");
    }
    return true;
}

char *hz__llm_build_body(const hz_llm_config *cfg, const hz_llm_request *r,
                         bool stream, bool *bad_schema)
{
    hz_llm_caps caps = hz_llm_caps_for(r->model, cfg->caps, cfg->ncaps);
    *bad_schema = false;
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    if ((cfg->provider != HZ_LLM_AZURE || hz__llm_azure_v1(cfg)) &&
        r->model != NULL)
        cJSON_AddStringToObject(o, "model", r->model);
    add_messages(o, r, caps.system);
    if (r->temperature >= 0 && caps.temperature)
        cJSON_AddNumberToObject(o, "temperature", r->temperature);
    if (r->max_completion_tokens > 0) {
        int budget = r->max_completion_tokens +
                     (caps.reasoning ? cfg->reasoning_budget : 0);
        cJSON_AddNumberToObject(
            o, caps.max_tokens ? "max_tokens" : "max_completion_tokens",
            budget);
    }
    if (caps.reasoning && cfg->reasoning_effort[0] != '\0')
        cJSON_AddStringToObject(o, "reasoning_effort", cfg->reasoning_effort);
    if (!add_format(o, r, caps)) {
        *bad_schema = true;
        cJSON_Delete(o);
        return NULL;
    }
    if (stream) {
        cJSON_AddBoolToObject(o, "stream", 1);
        cJSON *so = cJSON_AddObjectToObject(o, "stream_options");
        cJSON_AddBoolToObject(so, "include_usage", 1);
    }
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}
