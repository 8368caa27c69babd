/* Which Entra ID source to use, from the environment, in the order of the
 * Azure SDKs' DefaultAzureCredential.  See entra.h. */
#include "net/entra_internal.h"
#include "net/http.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

static const char *env(const char *name)
{
    const char *v = getenv(name);
    return v != NULL && v[0] != '\0' ? v : NULL;
}

/* Copy the variable's value into dst; HZ_EINVAL when it does not fit. */
static hz_status take(const char *name, char *dst, size_t dstsz, hz_error *err)
{
    const char *v = env(name);
    dst[0] = '\0';
    if (v == NULL)
        return HZ_OK;
    if (strlen(v) >= dstsz)
        return hz_error_set(err, HZ_EINVAL,
                            "entra: %s is too long (%zu bytes, at most %zu)",
                            name, strlen(v), dstsz - 1);
    memcpy(dst, v, strlen(v) + 1);
    return HZ_OK;
}

/* A tenant id or domain is put in a URL path: letters, digits, '.', '-'. */
static bool tenant_ok(const char *t)
{
    if (t[0] == '\0')
        return false;
    for (const char *p = t; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-')
            return false;
    return true;
}

/* Which of the sources AZURE_TOKEN_CREDENTIALS allows: a bit mask of
 * 1 << hz_entra_source (all when unset or "prod"). */
static hz_status allowed_sources(unsigned *mask, hz_error *err)
{
    const char *v = env("AZURE_TOKEN_CREDENTIALS");
    *mask = ~0u;
    if (v == NULL || strcasecmp(v, "prod") == 0)
        return HZ_OK;
    if (strcasecmp(v, "EnvironmentCredential") == 0)
        *mask = 1u << HZ_ENTRA_CLIENT_SECRET;
    else if (strcasecmp(v, "WorkloadIdentityCredential") == 0)
        *mask = 1u << HZ_ENTRA_WORKLOAD_IDENTITY;
    else if (strcasecmp(v, "ManagedIdentityCredential") == 0)
        *mask = (1u << HZ_ENTRA_MANAGED_IDENTITY) | (1u << HZ_ENTRA_IMDS);
    else if (strcasecmp(v, "dev") == 0)
        return hz_error_set(err, HZ_EINVAL,
                            "entra: AZURE_TOKEN_CREDENTIALS=dev asks for "
                            "developer tools (Azure CLI, ...), which Horizon "
                            "does not use: set prod or a credential name");
    else
        return hz_error_set(err, HZ_EINVAL,
                            "entra: AZURE_TOKEN_CREDENTIALS='%s': expected "
                            "prod, EnvironmentCredential, "
                            "WorkloadIdentityCredential or "
                            "ManagedIdentityCredential",
                            v);
    return HZ_OK;
}

/* Tenant and client id for the service principal sources: both set and
 * the tenant safe for a URL, else an error naming what is missing. */
static hz_status need_tenant_client(const hz_entra_cfg *cfg, const char *by,
                                    hz_error *err)
{
    if (cfg->tenant[0] == '\0' || cfg->client_id[0] == '\0')
        return hz_error_set(
            err, HZ_EINVAL,
            "entra: %s is set but %s is not (a %s needs "
            "AZURE_TENANT_ID and AZURE_CLIENT_ID)",
            by, cfg->tenant[0] == '\0' ? "AZURE_TENANT_ID" : "AZURE_CLIENT_ID",
            strcmp(by, "AZURE_CLIENT_SECRET") == 0 ? "service principal"
                                                   : "workload identity");
    if (!tenant_ok(cfg->tenant))
        return hz_error_set(err, HZ_EINVAL,
                            "entra: AZURE_TENANT_ID '%s' is not a tenant id "
                            "or domain",
                            cfg->tenant);
    return HZ_OK;
}

/* Authority and IMDS hosts, without a trailing '/'; the authority must be
 * https (or http on this machine, for tests). */
static hz_status read_hosts(hz_entra_cfg *cfg, hz_error *err)
{
    hz_status s = take("AZURE_AUTHORITY_HOST", cfg->authority,
                       sizeof cfg->authority, err);
    if (s == HZ_OK)
        s = take("AZURE_POD_IDENTITY_AUTHORITY_HOST", cfg->imds_host,
                 sizeof cfg->imds_host, err);
    if (s != HZ_OK)
        return s;
    if (cfg->authority[0] == '\0')
        snprintf(cfg->authority, sizeof cfg->authority, "%s",
                 HZ_ENTRA_DEFAULT_AUTHORITY);
    else if (strstr(cfg->authority, "://") == NULL) {
        char host[sizeof cfg->authority];
        snprintf(host, sizeof host, "%s", cfg->authority);
        snprintf(cfg->authority, sizeof cfg->authority, "https://%.500s",
                 host);
    }
    if (cfg->imds_host[0] == '\0')
        snprintf(cfg->imds_host, sizeof cfg->imds_host, "%s",
                 HZ_ENTRA_IMDS_HOST);
    char *hosts[2] = {cfg->authority, cfg->imds_host};
    for (int i = 0; i < 2; i++) {
        size_t n = strlen(hosts[i]);
        while (n > 0 && hosts[i][n - 1] == '/')
            hosts[i][--n] = '\0';
    }
    if (!hz_http_url_allowed(cfg->authority, NULL))
        return hz_error_set(err, HZ_EINVAL,
                            "entra: AZURE_AUTHORITY_HOST '%s' must be an "
                            "https URL",
                            cfg->authority);
    return HZ_OK;
}

/* The first configured source allowed by mask. */
static hz_status choose(hz_entra_cfg *cfg, unsigned mask, hz_error *err)
{
    bool has_secret = cfg->secret[0] != '\0';
    bool has_file = cfg->token_file[0] != '\0';
    bool has_mi = cfg->identity_endpoint[0] != '\0';
    if (has_secret && (mask & (1u << HZ_ENTRA_CLIENT_SECRET))) {
        cfg->source = HZ_ENTRA_CLIENT_SECRET;
        return need_tenant_client(cfg, "AZURE_CLIENT_SECRET", err);
    }
    if (has_file && (mask & (1u << HZ_ENTRA_WORKLOAD_IDENTITY))) {
        cfg->source = HZ_ENTRA_WORKLOAD_IDENTITY;
        return need_tenant_client(cfg, "AZURE_FEDERATED_TOKEN_FILE", err);
    }
    if (has_mi && (mask & (1u << HZ_ENTRA_MANAGED_IDENTITY))) {
        cfg->source = HZ_ENTRA_MANAGED_IDENTITY;
        if (cfg->identity_header[0] == '\0')
            return hz_error_set(err, HZ_EINVAL,
                                "entra: IDENTITY_ENDPOINT is set but "
                                "IDENTITY_HEADER is not (Azure Arc and "
                                "Service Fabric identities are not "
                                "supported)");
        return HZ_OK;
    }
    if (mask & (1u << HZ_ENTRA_IMDS)) {
        cfg->source = HZ_ENTRA_IMDS;
        return HZ_OK;
    }
    return hz_error_set(err, HZ_EINVAL,
                        "entra: AZURE_TOKEN_CREDENTIALS='%s' names a "
                        "credential whose variables are not set",
                        env("AZURE_TOKEN_CREDENTIALS"));
}

/* HZ_ENTRA_DEADLINE_S, the deadline of a token's fetch (entra_fetch.c):
 * seconds in [0.1, 600].  Another value is refused naming the variable;
 * until 2026-12-07 it was taken for unset, and a fetch that hung cost the
 * default 20 s whatever the operator had asked for. */
static hz_status check_deadline(hz_error *err)
{
    const char *v = env("HZ_ENTRA_DEADLINE_S");
    if (v == NULL)
        return HZ_OK;
    char *end = NULL;
    double d = strtod(v, &end);
    if (end != v && *end == '\0' && d >= 0.1 && d <= 600)
        return HZ_OK;
    return hz_error_set(err, HZ_EINVAL,
                        "entra: HZ_ENTRA_DEADLINE_S: expected seconds in "
                        "[0.1, 600], got '%.40s'",
                        v);
}

hz_status hz__entra_cfg_from_env(hz_entra_cfg *cfg, hz_error *err)
{
    memset(cfg, 0, sizeof *cfg);
    unsigned mask = 0;
    hz_status s = check_deadline(err);
    if (s == HZ_OK)
        s = allowed_sources(&mask, err);
    if (s == HZ_OK)
        s = take("AZURE_TENANT_ID", cfg->tenant, sizeof cfg->tenant, err);
    if (s == HZ_OK)
        s = take("AZURE_CLIENT_ID", cfg->client_id, sizeof cfg->client_id,
                 err);
    if (s == HZ_OK)
        s = take("AZURE_CLIENT_SECRET", cfg->secret, sizeof cfg->secret, err);
    if (s == HZ_OK)
        s = take("AZURE_FEDERATED_TOKEN_FILE", cfg->token_file,
                 sizeof cfg->token_file, err);
    if (s == HZ_OK)
        s = take("IDENTITY_ENDPOINT", cfg->identity_endpoint,
                 sizeof cfg->identity_endpoint, err);
    if (s == HZ_OK)
        s = take("IDENTITY_HEADER", cfg->identity_header,
                 sizeof cfg->identity_header, err);
    if (s == HZ_OK)
        s = read_hosts(cfg, err);
    if (s == HZ_OK)
        s = choose(cfg, mask, err);
    if (s != HZ_OK)
        hz__entra_cfg_wipe(cfg);
    return s;
}

void hz__entra_cfg_key(const hz_entra_cfg *cfg, const char *scope,
                       const char *fallback, char out[65])
{
    unsigned char md[32];
    unsigned int len = 0;
    char src[8];
    snprintf(src, sizeof src, "%d", (int)cfg->source);
    const char *parts[] = {src,
                           scope,
                           fallback ? fallback : "",
                           cfg->tenant,
                           cfg->client_id,
                           cfg->secret,
                           cfg->token_file,
                           cfg->identity_endpoint,
                           cfg->identity_header,
                           cfg->authority,
                           cfg->imds_host};
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        EVP_DigestUpdate(ctx, parts[i], strlen(parts[i]) + 1);
    EVP_DigestFinal_ex(ctx, md, &len);
    EVP_MD_CTX_free(ctx);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

void hz__entra_cfg_wipe(hz_entra_cfg *cfg)
{
    OPENSSL_cleanse(cfg->secret, sizeof cfg->secret);
    OPENSSL_cleanse(cfg->identity_header, sizeof cfg->identity_header);
}
