/* Chat-completions requests: the URL (OpenAI, Azure deployments, Azure
 * v1) and the body, shaped by what the model accepts (llm_caps.h).  See
 * llm.h. */
#include "llm/llm_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

bool hz__llm_azure_v1(const hz_llm_config *cfg)
{
    return strcmp(cfg->api_version, "v1") == 0 ||
           strstr(cfg->base_url, "/openai/v1") != NULL;
}

hz_status hz__llm_build_url(const hz_llm_config *cfg, const char *model,
                            char *url, size_t n, hz_error *err)
{
    char base[600];
    snprintf(base, sizeof base, "%s", cfg->base_url);
    size_t bl = strlen(base);
    while (bl > 0 && base[bl - 1] == '/')
        base[--bl] = '\0';
    if (cfg->provider != HZ_LLM_AZURE) {
        snprintf(url, n, "%s/chat/completions", base);
        return HZ_OK;
    }
    if (model == NULL || model[0] == '\0')
        return hz_error_set(err, HZ_EINVAL,
                            "llm: Azure OpenAI needs a deployment name "
                            "(model)");
    if (hz__llm_azure_v1(cfg)) {
        bool has_v1 = bl >= 10 && strcmp(base + bl - 10, "/openai/v1") == 0;
        snprintf(url, n, "%s%s/chat/completions", base,
                 has_v1 ? "" : "/openai/v1");
        return HZ_OK;
    }
    char *esc = curl_easy_escape(NULL, model, 0);
    if (esc == NULL)
        return hz_error_set(err, HZ_ENOMEM, "llm: out of memory");
    snprintf(url, n,
             "%s/openai/deployments/%s/chat/completions"
             "?api-version=%s",
             base, esc, cfg->api_version);
    curl_free(esc);
    return HZ_OK;
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
