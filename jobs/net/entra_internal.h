/* What the files of the Entra ID credential share: its configuration from
 * the environment (entra_env.c) and one token request (entra_fetch.c).
 * Internal to jobs/net. */
#ifndef HZ_NET_ENTRA_INTERNAL_H
#define HZ_NET_ENTRA_INTERNAL_H

#include "net/entra.h"

#define HZ_ENTRA_DEFAULT_AUTHORITY "https://login.microsoftonline.com"
#define HZ_ENTRA_IMDS_HOST "http://169.254.169.254"

/* Which source and its settings (secrets included: wiped on close). */
typedef struct hz_entra_cfg {
    hz_entra_source source;
    char tenant[128];
    char client_id[128]; /* "" = system-assigned managed identity */
    char secret[1024];   /* client secret */
    char token_file[1024];
    char identity_endpoint[1024];
    char identity_header[512];
    char authority[512]; /* https://login.microsoftonline.com */
    char imds_host[512]; /* http://169.254.169.254 */
} hz_entra_cfg;

/* Choose the source from the environment (see entra.h).  HZ_EINVAL
 * naming the variable when a source is configured only in part or
 * AZURE_TOKEN_CREDENTIALS is refused. */
hz_status hz__entra_cfg_from_env(hz_entra_cfg *cfg, hz_error *err);

/* A fingerprint (hex SHA-256) of cfg and the scopes, so that credentials
 * of the same configuration are shared. */
void hz__entra_cfg_key(const hz_entra_cfg *cfg, const char *scope,
                       const char *fallback, char out[65]);

/* Wipe the secrets of cfg. */
void hz__entra_cfg_wipe(hz_entra_cfg *cfg);

/* A token fetched from the source. */
typedef struct hz_entra_fetched {
    char *access_token; /* malloc'ed; never printed */
    double expires_on;  /* epoch seconds */
    double refresh_in;  /* seconds from issue, 0 = not given */
} hz_entra_fetched;

/* The caller's wish to stop waiting (hz_entra_token_cancel): cancel may
 * be NULL. */
typedef struct hz_entra_cancel {
    bool (*cancel)(void *ctx);
    void *ctx;
} hz_entra_cancel;

/* Ask cfg's source for a token for scope at epoch time now, with retries
 * of transient failures (transport errors, 408, 429, 5xx; IMDS also 404
 * and 410).  *scope_unknown is set when the tenant does not know the
 * scope (AADSTS500011), so the caller can try its fallback.  HZ_ECANCELED
 * as soon as cc (may be NULL) says to stop, in a request or between
 * attempts. */
hz_status hz__entra_fetch(const hz_entra_cfg *cfg, const char *scope,
                          double now, const hz_entra_cancel *cc,
                          hz_entra_fetched *tok, bool *scope_unknown,
                          hz_error *err);

/* Parse a token endpoint's JSON answer (any of the three shapes): the
 * token, its expiry, and checks of its type and audience against
 * resource (scope without "/.default").  Exposed for tests. */
hz_status hz__entra_parse_token(const char *body, size_t len,
                                const char *resource, double now,
                                const char *where, hz_entra_fetched *tok,
                                hz_error *err);

#endif
