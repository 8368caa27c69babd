/* Entra ID credentials: one shared, reference-counted credential per scope
 * and configuration, its cached token, refreshed ahead of expiry.  The
 * sources are chosen in entra_env.c and asked in entra_fetch.c.  See
 * entra.h. */
#include "net/entra_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

/* After a failed refresh while the old token is still good, wait this
 * long before asking again (the old token is used meanwhile). */
#define RETRY_AFTER_FAILURE_S 5.0

struct hz_entra {
    struct hz_entra *next; /* in the registry */
    int refs;
    char key[65];
    hz_entra_cfg cfg;
    char scope[512], fallback[512];
    pthread_mutex_t mu; /* guards everything below */
    char *token;
    double expires_on, refresh_at, usable_until, next_try;
    hz_entra_stats stats;
    /* the last fetch that failed without a token to fall back on: when
     * it ended (monotonic) and why; callers that waited for it share it
     * instead of each asking a failing endpoint again in turn */
    double failed_at;
    hz_error failure;
};

static pthread_mutex_t registry_mu = PTHREAD_MUTEX_INITIALIZER;
static hz_entra *registry;

static double (*clock_fn)(void *ctx);
static void *clock_ctx;

void hz__entra_set_clock(double (*now)(void *ctx), void *ctx)
{
    pthread_mutex_lock(&registry_mu);
    clock_fn = now;
    clock_ctx = ctx;
    pthread_mutex_unlock(&registry_mu);
}

static double wall_now(void)
{
    if (clock_fn != NULL)
        return clock_fn(clock_ctx);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

const char *hz_entra_source_name(hz_entra_source s)
{
    switch (s) {
    case HZ_ENTRA_CLIENT_SECRET: return "client secret";
    case HZ_ENTRA_WORKLOAD_IDENTITY: return "workload identity";
    case HZ_ENTRA_MANAGED_IDENTITY: return "managed identity";
    case HZ_ENTRA_IMDS: return "managed identity (IMDS)";
    }
    return "none";
}

hz_entra_source hz_entra_source_of(const hz_entra *e)
{
    return e->cfg.source;
}

const char *hz_entra_scope(const hz_entra *e)
{
    return e->scope;
}

static void drop_token(hz_entra *e)
{
    if (e->token != NULL) {
        OPENSSL_cleanse(e->token, strlen(e->token));
        free(e->token);
    }
    e->token = NULL;
    e->expires_on = e->refresh_at = e->usable_until = e->next_try = 0;
}

static void entra_free(hz_entra *e)
{
    drop_token(e);
    hz__entra_cfg_wipe(&e->cfg);
    pthread_mutex_destroy(&e->mu);
    free(e);
}

hz_status hz_entra_open(const char *scope, const char *fallback_scope,
                        hz_entra **out, hz_error *err)
{
    *out = NULL;
    if (scope == NULL || scope[0] == '\0' || strlen(scope) >= 512 ||
        (fallback_scope != NULL && strlen(fallback_scope) >= 512))
        return hz_error_set(err, HZ_EINVAL, "entra: bad scope");
    hz_entra_cfg cfg;
    hz_status s = hz__entra_cfg_from_env(&cfg, err);
    if (s != HZ_OK)
        return s;
    char key[65];
    hz__entra_cfg_key(&cfg, scope, fallback_scope, key);
    pthread_mutex_lock(&registry_mu);
    hz_entra *e = registry;
    while (e != NULL && strcmp(e->key, key) != 0)
        e = e->next;
    if (e != NULL) {
        e->refs++;
        hz__entra_cfg_wipe(&cfg);
    } else if ((e = calloc(1, sizeof *e)) != NULL) {
        e->refs = 1;
        memcpy(e->key, key, sizeof key);
        e->cfg = cfg;
        snprintf(e->scope, sizeof e->scope, "%s", scope);
        snprintf(e->fallback, sizeof e->fallback, "%s",
                 fallback_scope ? fallback_scope : "");
        pthread_mutex_init(&e->mu, NULL);
        e->next = registry;
        registry = e;
    }
    pthread_mutex_unlock(&registry_mu);
    OPENSSL_cleanse(&cfg, sizeof cfg);
    if (e == NULL)
        return hz_error_set(err, HZ_ENOMEM, "entra: out of memory");
    *out = e;
    return HZ_OK;
}

void hz_entra_close(hz_entra *e)
{
    if (e == NULL)
        return;
    pthread_mutex_lock(&registry_mu);
    bool last = --e->refs == 0;
    if (last) {
        hz_entra **p = &registry;
        while (*p != NULL && *p != e)
            p = &(*p)->next;
        if (*p == e)
            *p = e->next;
    }
    pthread_mutex_unlock(&registry_mu);
    if (last)
        entra_free(e);
}

/* Keep tok as the cached token: refresh 5 minutes before expiry (half the
 * lifetime of a short token, or the endpoint's refresh_in), usable until
 * shortly before expiry. */
static void store_token(hz_entra *e, hz_entra_fetched *tok, double now)
{
    double life = tok->expires_on - now;
    double ahead = life / 2 < 300 ? life / 2 : 300;
    double margin = life / 10 < 30 ? life / 10 : 30;
    if (e->token != NULL)
        e->stats.refreshes++;
    drop_token(e);
    e->token = tok->access_token;
    tok->access_token = NULL;
    e->expires_on = tok->expires_on;
    e->refresh_at = tok->expires_on - ahead;
    if (tok->refresh_in > 0 && now + tok->refresh_in < e->refresh_at)
        e->refresh_at = now + tok->refresh_in;
    e->usable_until = tok->expires_on - margin;
    e->stats.fetches++;
}

/* Fetch for the current scope, switching to the fallback scope once when
 * the tenant does not know the first. */
static hz_status fetch(hz_entra *e, double now, const hz_entra_cancel *cc,
                       hz_entra_fetched *tok, hz_error *err)
{
    bool unknown = false;
    hz_status s =
        hz__entra_fetch(&e->cfg, e->scope, now, cc, tok, &unknown, err);
    if (s != HZ_OK && unknown && e->fallback[0] != '\0' &&
        strcmp(e->scope, e->fallback) != 0) {
        snprintf(e->scope, sizeof e->scope, "%s", e->fallback);
        s = hz__entra_fetch(&e->cfg, e->scope, now, cc, tok, &unknown, err);
    }
    return s;
}

static hz_status copy_token(const hz_entra *e, char *out, size_t outsz,
                            hz_error *err)
{
    size_t n = strlen(e->token);
    if (n >= outsz)
        return hz_error_set(err, HZ_EINVAL,
                            "entra: the token (%zu bytes) does not fit the "
                            "buffer (%zu)",
                            n, outsz);
    memcpy(out, e->token, n + 1);
    return HZ_OK;
}

/* Lock e->mu, which another thread may hold for a whole fetch: with a
 * cancel, in slices of 50 ms, asking it between them.  False (not
 * locked) when it said to stop. */
static bool lock_cred(hz_entra *e, const hz_entra_cancel *cc)
{
    if (cc->cancel == NULL) {
        pthread_mutex_lock(&e->mu);
        return true;
    }
    for (;;) {
        if (cc->cancel(cc->ctx))
            return false;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 50000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        if (pthread_mutex_timedlock(&e->mu, &ts) == 0)
            return true;
    }
}

hz_status hz_entra_token(hz_entra *e, char *out, size_t outsz, hz_error *err)
{
    return hz_entra_token_cancel(e, out, outsz, NULL, NULL, err);
}

hz_status hz_entra_token_cancel(hz_entra *e, char *out, size_t outsz,
                                bool (*cancel)(void *ctx), void *ctx,
                                hz_error *err)
{
    hz_entra_cancel cc = {.cancel = cancel, .ctx = ctx};
    double asked = hz_now();
    if (!lock_cred(e, &cc))
        return hz_error_set(err, HZ_ECANCELED,
                            "entra: %s: abandoned while another request "
                            "fetched the token: the caller stopped waiting",
                            hz_entra_source_name(e->cfg.source));
    double now = wall_now();
    hz_status s = HZ_OK;
    bool have = e->token != NULL && now < e->usable_until;
    if (have && (now < e->refresh_at || now < e->next_try)) {
        s = copy_token(e, out, outsz, err);
        pthread_mutex_unlock(&e->mu);
        return s;
    }
    if (!have && e->failed_at > asked) { /* failed while we waited */
        s = e->failure.status;
        if (err != NULL)
            *err = e->failure;
        pthread_mutex_unlock(&e->mu);
        return s;
    }
    hz_entra_fetched tok;
    hz_error e2;
    hz_error_clear(&e2);
    s = fetch(e, now, &cc, &tok, &e2);
    if (s == HZ_OK) {
        store_token(e, &tok, now);
        s = copy_token(e, out, outsz, err);
    } else if (s == HZ_ECANCELED) { /* the caller's stop, not a failure */
        if (err != NULL)
            *err = e2;
    } else {
        e->stats.failures++;
        if (have) { /* keep the old token while it is good */
            e->next_try = now + RETRY_AFTER_FAILURE_S;
            s = copy_token(e, out, outsz, err);
        } else {
            e->failure = e2;
            e->failed_at = hz_now();
            if (err != NULL)
                *err = e2;
        }
    }
    pthread_mutex_unlock(&e->mu);
    return s;
}

void hz_entra_invalidate(hz_entra *e, const char *token)
{
    pthread_mutex_lock(&e->mu);
    if (e->token != NULL && token != NULL && strcmp(e->token, token) == 0)
        drop_token(e);
    pthread_mutex_unlock(&e->mu);
}

void hz_entra_get_stats(hz_entra *e, hz_entra_stats *out)
{
    pthread_mutex_lock(&e->mu);
    *out = e->stats;
    pthread_mutex_unlock(&e->mu);
}
