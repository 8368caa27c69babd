/* Microsoft Entra ID access tokens for Azure services (Cosmos DB,
 * Azure OpenAI), from the same sources, variables and order as the Azure
 * SDKs' DefaultAzureCredential:
 *
 *   1. environment (service principal with a secret): AZURE_TENANT_ID,
 *      AZURE_CLIENT_ID, AZURE_CLIENT_SECRET;
 *   2. workload identity (AKS, or any federated token file):
 *      AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID, AZURE_TENANT_ID;
 *   3. managed identity: IDENTITY_ENDPOINT + IDENTITY_HEADER (App Service,
 *      Container Apps), else the instance metadata service (IMDS, VMs and
 *      AKS nodes; its host can be moved with
 *      AZURE_POD_IDENTITY_AUTHORITY_HOST); AZURE_CLIENT_ID selects a
 *      user-assigned identity.
 *
 * Sources 1 and 2 post to AZURE_AUTHORITY_HOST (default
 * https://login.microsoftonline.com) /TENANT/oauth2/v2.0/token.  The first
 * source whose variables are set is used, and its failures are reported
 * (never silently replaced by another source).  AZURE_TOKEN_CREDENTIALS
 * narrows the choice as in the SDKs: "prod" (the list above),
 * "EnvironmentCredential", "WorkloadIdentityCredential" or
 * "ManagedIdentityCredential"; "dev" (developer tools such as the Azure
 * CLI) is refused: Horizon has none.
 *
 * Tokens are cached per scope and shared by every client of the process,
 * refreshed ahead of expiry (5 minutes, or half the lifetime of a short
 * token), and a failed refresh keeps the old token while it is valid.
 * Secrets (client secret, federated assertion, identity header) and
 * tokens never appear in errors, logs or metrics.  Plain http is used
 * only to this machine (the managed identity endpoints) and to IMDS. */
#ifndef HZ_NET_ENTRA_H
#define HZ_NET_ENTRA_H

#include <stdbool.h>
#include <stddef.h>

#include "horizon/common.h"

/* Cosmos DB's service-wide scope (the SDKs' fallback when the account's
 * own scope is unknown to the tenant: AADSTS500011). */
#define HZ_ENTRA_COSMOS_SCOPE "https://cosmos.azure.com/.default"
/* Azure OpenAI / Azure AI services. */
#define HZ_ENTRA_COGNITIVE_SCOPE "https://cognitiveservices.azure.com/.default"

typedef enum hz_entra_source {
    HZ_ENTRA_CLIENT_SECRET = 1,
    HZ_ENTRA_WORKLOAD_IDENTITY,
    HZ_ENTRA_MANAGED_IDENTITY, /* IDENTITY_ENDPOINT + IDENTITY_HEADER */
    HZ_ENTRA_IMDS              /* instance metadata service */
} hz_entra_source;

typedef struct hz_entra hz_entra;

/* A credential for scope ("https://HOST/.default"), chosen from the
 * environment as above; fallback_scope (may be NULL) is asked instead
 * when the tenant does not know scope (AADSTS500011).  Credentials with
 * the same scope and configuration are shared (reference counted).
 * HZ_EINVAL naming the variable when the configuration is incomplete or
 * refused.  Nothing is fetched yet. */
hz_status hz_entra_open(const char *scope, const char *fallback_scope,
                        hz_entra **out, hz_error *err);
void hz_entra_close(hz_entra *e); /* NULL allowed */

/* A valid access token for the credential's scope into out (from the
 * cache, or fetched now).  Errors name the source and its URL: HZ_ENET
 * (unreachable, 5xx after retries), HZ_ETIMEOUT, HZ_EINVAL (refused:
 * wrong secret, unknown client, a token for another audience),
 * HZ_EPARSE (an answer that is not a token), HZ_EIO (token file). */
hz_status hz_entra_token(hz_entra *e, char *out, size_t outsz, hz_error *err);

/* hz_entra_token, abandoned (HZ_ECANCELED, neither a failure kept for
 * other callers nor counted) as soon as cancel(ctx) returns true: asked
 * about every second while a token request is in flight, between its
 * attempts, and while another thread fetches the token.  cancel may be
 * NULL.  A store request that a stopping runner abandons (see
 * hz_store_set_cancel) thus does not wait for a token endpoint that
 * hangs. */
hz_status hz_entra_token_cancel(hz_entra *e, char *out, size_t outsz,
                                bool (*cancel)(void *ctx), void *ctx,
                                hz_error *err);

/* Drop a cached token the service refused (401), so that the next
 * hz_entra_token fetches a new one. */
void hz_entra_invalidate(hz_entra *e, const char *token);

hz_entra_source hz_entra_source_of(const hz_entra *e);
/* "client secret", "workload identity", "managed identity", "managed
 * identity (IMDS)". */
const char *hz_entra_source_name(hz_entra_source s);
/* The scope tokens are currently asked for. */
const char *hz_entra_scope(const hz_entra *e);

typedef struct hz_entra_stats {
    long fetches;   /* token requests that returned a token */
    long failures;  /* token requests that failed (after retries) */
    long refreshes; /* fetches that replaced a still cached token */
} hz_entra_stats;
void hz_entra_get_stats(hz_entra *e, hz_entra_stats *out);

/* Tests: replace the wall clock (epoch seconds) of every credential; NULL
 * restores it. */
void hz__entra_set_clock(double (*now)(void *ctx), void *ctx);

#endif
