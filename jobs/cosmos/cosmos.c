/* Azure Cosmos DB REST client: configuration, the client and its pool of
 * connections, statistics.  Signing is in cosmos_auth.c, the request and
 * retry policy in cosmos_request.c, documents in cosmos_docs.c and
 * provisioning in cosmos_provision.c.  See cosmos.h for the contracts. */
#include "cosmos/cosmos_internal.h"
#include "net/http.h"
#include "net/url.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "horizon/rng.h"

static _Thread_local double tl_charge;

void hz_cosmos_config_defaults(hz_cosmos_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    hz__cosmos_copy_str(cfg->database, sizeof cfg->database, "horizon");
    cfg->timeout_s = 10.0;
    cfg->deadline_s = 60.0;
    cfg->backoff_base_s = 0.05;
    cfg->backoff_max_s = 5.0;
}

/* Seconds from the environment variable name into *out (left as it is
 * when unset); a value that is not a number of seconds in (0, 86400] is
 * an error naming the variable, not the default in its place. */
static hz_status env_seconds(const char *name, double *out, hz_error *err)
{
    const char *v = getenv(name);
    if (v == NULL || *v == '\0')
        return HZ_OK;
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (errno != 0 || end == v || *end != '\0' || !(d > 0 && d <= 86400))
        return hz_error_set(err, HZ_EINVAL,
                            "cosmos: %s: expected seconds in (0, 86400], "
                            "got '%.40s'",
                            name, v);
    *out = d;
    return HZ_OK;
}

hz_status hz_cosmos_config_from_env(hz_cosmos_config *cfg, hz_error *err)
{
    hz_cosmos_config_defaults(cfg);
    const char *ep = getenv("COSMOS_ENDPOINT");
    const char *key = getenv("COSMOS_KEY");
    const char *db = getenv("COSMOS_DATABASE");
    const char *ca = getenv("COSMOS_CA_CERT");
    if (ep == NULL || *ep == '\0')
        return hz_error_set(err, HZ_EINVAL,
                            "cosmos: COSMOS_ENDPOINT is not set (e.g. "
                            "https://ACCOUNT.documents.azure.com:443/)");
    const char *scope = getenv("AZURE_COSMOS_AAD_SCOPE_OVERRIDE");
    if (key == NULL)
        key = "";
    if (scope == NULL)
        scope = "";
    if (strlen(ep) >= sizeof cfg->endpoint || strlen(key) >= sizeof cfg->key ||
        strlen(scope) >= sizeof cfg->aad_scope)
        return hz_error_set(err, HZ_EINVAL,
                            "cosmos: COSMOS_ENDPOINT, COSMOS_KEY or "
                            "AZURE_COSMOS_AAD_SCOPE_OVERRIDE too long");
    hz__cosmos_copy_str(cfg->endpoint, sizeof cfg->endpoint, ep);
    hz__cosmos_copy_str(cfg->key, sizeof cfg->key, key);
    hz__cosmos_copy_str(cfg->aad_scope, sizeof cfg->aad_scope, scope);
    if (db != NULL && *db != '\0')
        hz__cosmos_copy_str(cfg->database, sizeof cfg->database, db);
    if (ca != NULL && *ca != '\0')
        hz__cosmos_copy_str(cfg->ca_cert, sizeof cfg->ca_cert, ca);
    hz_status st = env_seconds("COSMOS_TIMEOUT_S", &cfg->timeout_s, err);
    return st == HZ_OK ? env_seconds("COSMOS_DEADLINE_S", &cfg->deadline_s, err)
                       : st;
}

/* Plain http only to this machine (an emulator started with --no-ssl);
 * anything remote must be https, verified. */
static hz_status check_endpoint(const hz_cosmos_config *cfg, hz_error *err)
{
    char shown[512];
    hz_url_redact(cfg->endpoint, shown, sizeof shown);
    if (hz_url_has_userinfo(cfg->endpoint))
        return hz_error_set(err, HZ_EINVAL,
                            "cosmos: endpoint '%s': a user name or password "
                            "in the URL is not allowed (the key goes in "
                            "COSMOS_KEY)",
                            shown);
    if (strncmp(cfg->endpoint, "https://", 8) != 0 &&
        strncmp(cfg->endpoint, "http://", 7) != 0)
        return hz_error_set(err, HZ_EINVAL,
                            "cosmos: endpoint '%s' is not an http(s) URL",
                            shown);
    if (strncmp(cfg->endpoint, "http://", 7) == 0 &&
        !hz_url_is_loopback(cfg->endpoint))
        return hz_error_set(err, HZ_EINVAL,
                            "cosmos: endpoint '%s': plain http is allowed "
                            "only on the loopback (use https)",
                            shown);
    if (cfg->database[0] == '\0')
        return hz_error_set(err, HZ_EINVAL, "cosmos: empty database id");
    return HZ_OK;
}

/* Fill in the defaults of unset numbers. */
static void apply_defaults(hz_cosmos_config *cfg)
{
    if (cfg->timeout_s <= 0)
        cfg->timeout_s = 10.0;
    if (cfg->deadline_s <= 0)
        cfg->deadline_s = 60.0;
    if (cfg->backoff_base_s <= 0)
        cfg->backoff_base_s = 0.05;
    if (cfg->backoff_max_s <= 0)
        cfg->backoff_max_s = 5.0;
}

/* Authorize with the master key: it must be base64. */
static hz_status use_key(hz_cosmos *c, hz_error *err)
{
    long kl = hz__cosmos_b64_decode(c->cfg.key, c->key, sizeof c->key);
    if (kl <= 0)
        return hz_error_set(err, HZ_EINVAL,
                            "cosmos: COSMOS_KEY is not valid base64");
    c->key_len = (size_t)kl;
    return HZ_OK;
}

/* The token scope of an endpoint: https://HOST/.default (no port). */
static void endpoint_scope(const char *ep, char *out, size_t n)
{
    const char *h = strstr(ep, "://");
    h = h ? h + 3 : ep;
    size_t len = h[0] == '[' ? strcspn(h, "]") + 1 : strcspn(h, ":/");
    snprintf(out, n, "https://%.*s/.default", (int)len, h);
}

/* Authorize with Entra ID tokens: choose the credential and fetch a first
 * token now, so that one that cannot work is reported at once. */
static hz_status use_entra(hz_cosmos *c, hz_error *err)
{
    char scope[600];
    bool override = c->cfg.aad_scope[0] != '\0';
    if (override)
        snprintf(scope, sizeof scope, "%s", c->cfg.aad_scope);
    else
        endpoint_scope(c->cfg.endpoint, scope, sizeof scope);
    hz_error e2;
    hz_status s = hz_entra_open(scope, override ? NULL : HZ_ENTRA_COSMOS_SCOPE,
                                &c->entra, &e2);
    char *tok = NULL;
    if (s == HZ_OK) {
        tok = malloc(16384);
        s = tok ? hz_entra_token_cancel(c->entra, tok, 16384, c->cancel,
                                        c->cancel_ctx, &e2)
                : hz_error_set(&e2, HZ_ENOMEM, "out of memory");
    }
    if (tok != NULL) {
        OPENSSL_cleanse(tok, 16384);
        free(tok);
    }
    if (s != HZ_OK)
        return hz_error_set(err, s,
                            "cosmos: COSMOS_KEY is not set, so requests need "
                            "a Microsoft Entra ID token, and none could be "
                            "had: %s",
                            e2.msg);
    return HZ_OK;
}

void hz_cosmos_set_cancel(hz_cosmos *c, bool (*cancel)(void *ctx),
                          void *ctx)
{
    c->cancel = cancel;
    c->cancel_ctx = ctx;
}

void hz_cosmos_set_until(hz_cosmos *c, double until)
{
    c->until = until > 0 ? until : 0;
}

double hz__cosmos_deadline(const hz_cosmos *c)
{
    double d = hz_now() + c->cfg.deadline_s;
    return c->until > 0 && c->until < d ? c->until : d;
}

void hz_cosmos_auth_describe(const hz_cosmos *c, char *out, size_t outsz)
{
    if (c->entra == NULL)
        snprintf(out, outsz, "master key");
    else
        snprintf(out, outsz, "Entra ID (%s, scope %s)",
                 hz_entra_source_name(hz_entra_source_of(c->entra)),
                 hz_entra_scope(c->entra));
}

hz_status hz_cosmos_open(const hz_cosmos_config *cfg, hz_cosmos **out,
                         hz_error *err)
{
    *out = NULL;
    hz_status s = check_endpoint(cfg, err);
    if (s != HZ_OK)
        return s;
    hz_cosmos *c = calloc(1, sizeof *c);
    if (c == NULL)
        return hz_error_set(err, HZ_ENOMEM, "cosmos: out of memory");
    c->cfg = *cfg;
    c->cancel = cfg->cancel;
    c->cancel_ctx = cfg->cancel_ctx;
    s = cfg->key[0] != '\0' ? use_key(c, err) : use_entra(c, err);
    if (s != HZ_OK) {
        hz_entra_close(c->entra);
        OPENSSL_cleanse(c, sizeof *c);
        free(c);
        return s;
    }
    hz__cosmos_copy_str(c->base, sizeof c->base, cfg->endpoint);
    size_t bl = strlen(c->base);
    while (bl > 0 && c->base[bl - 1] == '/')
        c->base[--bl] = '\0';
    apply_defaults(&c->cfg);
    c->rng = cfg->seed ? cfg->seed
                       : (uint64_t)time(NULL) ^ ((uint64_t)(uintptr_t)c << 7);
    c->rng |= 1;
    pthread_mutex_init(&c->mu, NULL);
    hz_net_init();
    *out = c;
    return HZ_OK;
}

void hz_cosmos_close(hz_cosmos *c)
{
    if (c == NULL)
        return;
    for (int i = 0; i < c->npool; i++)
        curl_easy_cleanup(c->pool[i]);
    pthread_mutex_destroy(&c->mu);
    hz_entra_close(c->entra);
    OPENSSL_cleanse(c->key, sizeof c->key);
    OPENSSL_cleanse(c->cfg.key, sizeof c->cfg.key);
    free(c);
}

const char *hz_cosmos_database(const hz_cosmos *c)
{
    return c->cfg.database;
}

double hz_cosmos_total_charge(hz_cosmos *c)
{
    pthread_mutex_lock(&c->mu);
    double v = c->stats.charge;
    pthread_mutex_unlock(&c->mu);
    return v;
}

double hz_cosmos_thread_charge(void)
{
    return tl_charge;
}

void hz__cosmos_charge_thread(double ru)
{
    tl_charge += ru;
}

void hz_cosmos_get_stats(hz_cosmos *c, hz_cosmos_stats *out)
{
    pthread_mutex_lock(&c->mu);
    *out = c->stats;
    pthread_mutex_unlock(&c->mu);
}

CURL *hz__cosmos_handle_get(hz_cosmos *c, bool *pooled)
{
    CURL *h = NULL;
    pthread_mutex_lock(&c->mu);
    if (c->npool > 0)
        h = c->pool[--c->npool];
    pthread_mutex_unlock(&c->mu);
    *pooled = h != NULL;
    if (h == NULL)
        h = curl_easy_init();
    return h;
}

void hz__cosmos_handle_put(hz_cosmos *c, CURL *h, bool keep)
{
    if (h == NULL)
        return;
    pthread_mutex_lock(&c->mu);
    if (keep && c->npool < HZ_COSMOS_POOL_MAX) {
        c->pool[c->npool++] = h;
        h = NULL;
    }
    pthread_mutex_unlock(&c->mu);
    if (h != NULL)
        curl_easy_cleanup(h);
}

double hz__cosmos_rng_unit(hz_cosmos *c)
{
    pthread_mutex_lock(&c->mu);
    uint64_t x = hz_rng_xorshift64(&c->rng); /* the client's jitter stream */
    pthread_mutex_unlock(&c->mu);
    return hz_rng_unit(x);
}
