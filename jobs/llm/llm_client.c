/* The LLM client: creation (with an Entra ID credential for Azure without
 * a key), statistics, key scrubbing, Retry-After parsing.  Attempts are in
 * llm_attempt.c, the drivers in llm.c.  See llm.h. */
#include "llm/llm_internal.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "horizon/rng.h"
#include "net/scrub.h"

void hz_llm_request_clear(hz_llm_request *r)
{
    if (r == NULL)
        return;
    free(r->content);
    r->content = NULL;
    r->status = HZ_OK;
    r->http_status = 0;
    r->attempts = 0;
    r->finish_reason[0] = '\0';
    r->schema_ok = false;
    r->schema_error[0] = '\0';
    memset(&r->usage, 0, sizeof r->usage);
    r->error[0] = '\0';
    r->latency_s = 0;
}

static double default_now(void *ctx)
{
    (void)ctx;
    return hz_now();
}

static void default_sleep(void *ctx, double s)
{
    (void)ctx;
    hz_net_sleep(s);
}

/* Azure without an API key: an Entra ID credential, with a first token
 * now so that one that cannot work is reported here. */
static hz_status open_entra(hz_llm_client *c, hz_error *err)
{
    const char *scope = c->cfg.entra_scope[0] ? c->cfg.entra_scope
                                              : HZ_ENTRA_COGNITIVE_SCOPE;
    hz_error e2;
    hz_status s = hz_entra_open(scope, NULL, &c->entra, &e2);
    char *tok = NULL;
    if (s == HZ_OK) {
        tok = malloc(16384);
        s = tok ? hz_entra_token(c->entra, tok, 16384, &e2)
                : hz_error_set(&e2, HZ_ENOMEM, "out of memory");
    }
    if (tok != NULL) {
        OPENSSL_cleanse(tok, 16384);
        free(tok);
    }
    if (s != HZ_OK)
        return hz_error_set(err, s,
                            "llm: AZURE_OPENAI_API_KEY is not set, so "
                            "requests need a Microsoft Entra ID token, and "
                            "none could be had: %s",
                            e2.msg);
    return HZ_OK;
}

static bool config_ok(const hz_llm_config *cfg)
{
    return cfg->max_attempts >= 1 && cfg->concurrency >= 1 &&
           cfg->backoff_max_s >= cfg->backoff_min_s && cfg->timeout_s > 0 &&
           cfg->stream_idle_timeout_s >= 0 && cfg->stream_timeout_s >= 0 &&
           cfg->reasoning_budget >= 0;
}

hz_status hz_llm_client_new(const hz_llm_config *cfg,
                            const hz_llm_hooks *hooks, hz_llm_client **out,
                            hz_error *err)
{
    *out = NULL;
    if (cfg == NULL || cfg->provider == HZ_LLM_NONE ||
        cfg->base_url[0] == '\0')
        return hz_error_set(err, HZ_EINVAL,
                            "llm: no endpoint configured (set "
                            "OPENAI_BASE_URL/OPENAI_API_KEY or "
                            "AZURE_OPENAI_ENDPOINT)");
    hz_status bad = hz__llm_check_endpoint(cfg->base_url, "llm: endpoint",
                                           err);
    if (bad == HZ_OK)
        bad = hz__llm_check_transport(cfg, NULL, err);
    if (bad != HZ_OK)
        return bad;
    if (!config_ok(cfg))
        return hz_error_set(err, HZ_EINVAL,
                            "llm: bad settings (attempts %d, concurrency "
                            "%d, backoff %g-%g s, timeout %g s)",
                            cfg->max_attempts, cfg->concurrency,
                            cfg->backoff_min_s, cfg->backoff_max_s,
                            cfg->timeout_s);
    hz_net_init();
    hz_llm_client *c = calloc(1, sizeof *c);
    if (c == NULL)
        return hz_error_set(err, HZ_ENOMEM, "llm: out of memory");
    c->cfg = *cfg;
    if (hooks != NULL)
        c->hooks = *hooks;
    if (c->hooks.now == NULL)
        c->hooks.now = default_now;
    if (c->hooks.sleep == NULL)
        c->hooks.sleep = default_sleep;
    c->rng = cfg->seed ? cfg->seed * 0x9E3779B97F4A7C15ULL
                       : 88172645463325252ULL;
    hz_status s = HZ_OK;
    if (cfg->provider == HZ_LLM_AZURE && cfg->api_key[0] == '\0')
        s = open_entra(c, err);
    c->multi = s == HZ_OK ? curl_multi_init() : NULL;
    if (s == HZ_OK && c->multi == NULL)
        s = hz_error_set(err, HZ_ENOMEM, "llm: curl_multi_init failed");
    if (s != HZ_OK) {
        hz_llm_client_free(c);
        return s;
    }
    curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                      (long)cfg->concurrency);
    *out = c;
    return HZ_OK;
}

void hz_llm_client_free(hz_llm_client *c)
{
    if (c == NULL)
        return;
    if (c->multi != NULL)
        curl_multi_cleanup(c->multi);
    hz_entra_close(c->entra);
    free(c->win);
    /* wipe the key from memory before freeing */
    OPENSSL_cleanse(c->cfg.api_key, sizeof c->cfg.api_key);
    free(c);
}

const hz_llm_stats *hz_llm_client_stats(const hz_llm_client *c)
{
    return &c->stats;
}

void hz_llm_auth_describe(const hz_llm_client *c, char *out, size_t outsz)
{
    if (c->entra != NULL)
        snprintf(out, outsz, "Entra ID (%s)",
                 hz_entra_source_name(hz_entra_source_of(c->entra)));
    else
        snprintf(out, outsz, "%s", c->cfg.api_key[0] ? "API key" : "none");
}

double hz__llm_rand01(hz_llm_client *c)
{
    return hz_rng_unit(hz_rng_xorshift64(&c->rng));
}

/* Replace every occurrence of the key, any "sk-..." token and any
 * JSON Web Token (an Entra ID bearer token: net/scrub.h) by "[redacted]"
 * in s (in place, s has room for n bytes). */
void hz__llm_scrub(const hz_llm_client *c, char *s, size_t n)
{
    const char *key = c->cfg.api_key;
    size_t klen = strlen(key);
    char out[HZ_ERROR_MAX];
    size_t o = 0;
    for (size_t i = 0; s[i] != '\0' && o + 1 < sizeof out;) {
        bool hit = false;
        size_t skip = 0;
        if (klen >= 4 && strncmp(s + i, key, klen) == 0) {
            hit = true;
            skip = klen;
        } else if (strncmp(s + i, "sk-", 3) == 0 &&
                   (i == 0 || !isalnum((unsigned char)s[i - 1]))) {
            hit = true;
            skip = 3;
            while (s[i + skip] && (isalnum((unsigned char)s[i + skip]) ||
                                   s[i + skip] == '-' || s[i + skip] == '_' ||
                                   s[i + skip] == '*'))
                skip++;
        }
        if (hit) {
            const char *red = "[redacted]";
            for (size_t k = 0; red[k] && o + 1 < sizeof out; k++)
                out[o++] = red[k];
            i += skip;
        } else {
            out[o++] = s[i++];
        }
    }
    out[o] = '\0';
    snprintf(s, n, "%s", out);
    hz_scrub(s, n, NULL);
}

double hz__llm_parse_retry_after(const char *v, double now_epoch)
{
    while (*v == ' ' || *v == '\t')
        v++;
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (end != v && errno == 0) {
        while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
            end++;
        if (*end == '\0')
            return d >= 0 ? d : NAN;
    }
    /* HTTP date, e.g. "Wed, 21 Oct 2015 07:28:00 GMT" */
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *rest = strptime(v, "%a, %d %b %Y %H:%M:%S", &tm);
    if (rest == NULL)
        return NAN;
    double t = (double)timegm(&tm);
    double w = t - now_epoch;
    return w > 0 ? w : 0;
}
