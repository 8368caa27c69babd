/* The LLM client's configuration: defaults and the environment.  See
 * llm.h. */
#include "llm/llm_internal.h"
#include "net/url.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *hz_llm_provider_name(hz_llm_provider p)
{
    switch (p) {
    case HZ_LLM_OPENAI: return "openai";
    case HZ_LLM_AZURE: return "azure";
    default: return "none";
    }
}

void hz_llm_config_init(hz_llm_config *c)
{
    memset(c, 0, sizeof *c);
    c->provider = HZ_LLM_NONE;
    snprintf(c->api_version, sizeof c->api_version, "2024-10-21");
    c->timeout_s = 60;
    c->stream_timeout_s = 600;
    snprintf(c->reasoning_effort, sizeof c->reasoning_effort, "low");
    c->reasoning_budget = 1024;
    c->max_attempts = 3;
    c->backoff_min_s = 4;
    c->backoff_max_s = 10;
    c->retry_after_max_s = 60;
    c->concurrency = 8;
    c->max_response_bytes = 4u << 20;
    c->seed = 20261127;
}

static const char *env(const char *name)
{
    const char *v = getenv(name);
    return v != NULL && v[0] != '\0' ? v : NULL;
}

static hz_status env_num(const char *name, double lo, double hi, double *out,
                         hz_error *err)
{
    const char *v = env(name);
    if (v == NULL)
        return HZ_OK;
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (errno != 0 || end == v || *end != '\0' || !(d >= lo && d <= hi))
        return hz_error_set(err, HZ_EINVAL,
                            "environment variable %s: expected a number in "
                            "[%g, %g], got '%s'",
                            name, lo, hi, v);
    *out = d;
    return HZ_OK;
}

/* Provider, URL, key and api-version. */
static void env_endpoint(hz_llm_config *c)
{
    const char *az = env("AZURE_OPENAI_ENDPOINT");
    const char *oa_url = env("OPENAI_BASE_URL");
    const char *oa_key = env("OPENAI_API_KEY");
    if (az != NULL) {
        c->provider = HZ_LLM_AZURE;
        snprintf(c->base_url, sizeof c->base_url, "%s", az);
        snprintf(c->api_key, sizeof c->api_key, "%s",
                 env("AZURE_OPENAI_API_KEY") ? env("AZURE_OPENAI_API_KEY")
                                             : "");
        const char *v = env("AZURE_OPENAI_API_VERSION");
        if (v == NULL)
            v = env("OPENAI_API_VERSION");
        if (v != NULL)
            snprintf(c->api_version, sizeof c->api_version, "%s", v);
    } else if (oa_url != NULL || oa_key != NULL) {
        c->provider = HZ_LLM_OPENAI;
        if (oa_url != NULL)
            snprintf(c->base_url, sizeof c->base_url, "%s", oa_url);
        else if (c->base_url[0] == '\0')
            snprintf(c->base_url, sizeof c->base_url, "%s",
                     "https://api.openai.com/v1");
        snprintf(c->api_key, sizeof c->api_key, "%s", oa_key ? oa_key : "");
    }
}

hz_status hz__llm_check_endpoint(const char *url, const char *what,
                                 hz_error *err)
{
    if (!hz_url_has_userinfo(url))
        return HZ_OK;
    char shown[512];
    hz_url_redact(url, shown, sizeof shown);
    return hz_error_set(err, HZ_EINVAL,
                        "%s: a user name or password in the URL is not "
                        "allowed ('%s'; the key goes in %s)",
                        what, shown,
                        strstr(what, "AZURE") != NULL ? "AZURE_OPENAI_API_KEY"
                                                      : "OPENAI_API_KEY");
}

/* A key (api-key, Authorization: Bearer) or an Entra ID token goes only
 * over TLS, or over plain http to this machine (a local server): never in
 * clear over a network.  A server asked without a credential may be
 * anywhere.  path: the settings file the endpoint may come from (named in
 * the error), or NULL. */
hz_status hz__llm_check_transport(const hz_llm_config *cfg, const char *path,
                                  hz_error *err)
{
    bool credential = cfg->api_key[0] != '\0' || cfg->provider == HZ_LLM_AZURE;
    if (!credential || hz_url_is_https(cfg->base_url) ||
        hz_url_is_loopback(cfg->base_url))
        return HZ_OK;
    char shown[512];
    const char *where = path != NULL ? "LLM config " : "";
    const char *sep = path != NULL ? ": " : "";
    if (!hz_url_redact(cfg->base_url, shown, sizeof shown))
        return hz_error_set(err, HZ_EINVAL,
                            "%s%s%sllm: the endpoint is not a URL that "
                            "parses (the %s is sent only over https)",
                            where, path != NULL ? path : "", sep,
                            cfg->api_key[0] != '\0'
                                ? "API key"
                                : "Microsoft Entra ID token");
    return hz_error_set(err, HZ_EINVAL,
                        "%s%s%sllm: endpoint '%s' is not https: the %s would "
                        "go over the network in clear (plain http is "
                        "allowed only to 127.0.0.1, localhost or [::1], or "
                        "without a key; HZ_LLM_CA_FILE trusts a certificate "
                        "of your own)",
                        where, path != NULL ? path : "", sep, shown,
                        cfg->api_key[0] != '\0' ? "API key"
                                                : "Microsoft Entra ID token");
}

hz_status hz_llm_config_from_env(hz_llm_config *c, hz_error *err)
{
    env_endpoint(c);
    hz_status bad = hz__llm_check_endpoint(
        c->base_url,
        env("AZURE_OPENAI_ENDPOINT") ? "AZURE_OPENAI_ENDPOINT"
        : env("OPENAI_BASE_URL")     ? "OPENAI_BASE_URL"
                                     : "the LLM endpoint",
        err);
    if (bad != HZ_OK)
        return bad;
    double d;
    hz_status st = HZ_OK;
#define NUM(NAME, LO, HI, FIELD, CAST)                                        \
    d = (double)c->FIELD;                                                     \
    if ((st = env_num(NAME, LO, HI, &d, err)) != HZ_OK)                       \
        return st;                                                            \
    c->FIELD = (CAST)d;
    NUM("HZ_LLM_TIMEOUT", 0.001, 3600, timeout_s, double);
    NUM("HZ_LLM_STREAM_IDLE_TIMEOUT", 0.001, 3600, stream_idle_timeout_s,
        double);
    NUM("HZ_LLM_STREAM_TIMEOUT", 0.001, 86400, stream_timeout_s, double);
    NUM("HZ_LLM_MAX_ATTEMPTS", 1, 100, max_attempts, int);
    NUM("HZ_LLM_BACKOFF_MIN", 0, 3600, backoff_min_s, double);
    NUM("HZ_LLM_BACKOFF_MAX", 0, 3600, backoff_max_s, double);
    NUM("HZ_LLM_RPM", 0, 1e9, rpm, double);
    NUM("HZ_LLM_TPM", 0, 1e12, tpm, double);
    NUM("HZ_LLM_CONCURRENCY", 1, 1024, concurrency, int);
#undef NUM
    if (c->backoff_max_s < c->backoff_min_s)
        return hz_error_set(err, HZ_EINVAL,
                            "HZ_LLM_BACKOFF_MAX (%g) is below "
                            "HZ_LLM_BACKOFF_MIN (%g)",
                            c->backoff_max_s, c->backoff_min_s);
    if (env("HZ_LLM_CA_FILE"))
        snprintf(c->ca_file, sizeof c->ca_file, "%s", env("HZ_LLM_CA_FILE"));
    return HZ_OK;
}
