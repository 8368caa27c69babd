/* Cosmos DB with Microsoft Entra ID tokens against the Cosmos peer in its
 * token-checking mode (tests/peers/cosmos_server.js --auth aad: the header
 * must be "type=aad&ver=1.0&sig=TOKEN" with a valid, unexpired token for
 * the account's audience) and the mock token endpoint: documents, queries
 * and batches with a managed identity, workload identity and a client
 * secret; refresh as tokens expire while requests go on; a 401 makes the
 * client fetch a new token once; control-plane requests get a hint; the
 * master key still works where the service accepts it, and is refused
 * where key authorization is off.  Skips only when node is absent. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cosmos/cosmos.h"
#include "cosmos_peers.h"
#include "hz_test.h"
#include "net/http.h"

#define JWT_SECRET "aad-jwt-test-secret"
#define IDENTITY_HEADER "ih-SECRET-cosmos-42"
#define CLIENT_SECRET "cs-SECRET-cosmos-42"

static int cosmos_port = -1, token_port = -1;
static char dir[1024], token_base[64], cosmos_base[64];

static void clear_entra_env(void)
{
    static const char *vars[] = {"AZURE_TENANT_ID",
                                 "AZURE_CLIENT_ID",
                                 "AZURE_CLIENT_SECRET",
                                 "AZURE_FEDERATED_TOKEN_FILE",
                                 "IDENTITY_ENDPOINT",
                                 "IDENTITY_HEADER",
                                 "AZURE_AUTHORITY_HOST",
                                 "AZURE_POD_IDENTITY_AUTHORITY_HOST",
                                 "AZURE_TOKEN_CREDENTIALS",
                                 "AZURE_COSMOS_AAD_SCOPE_OVERRIDE",
                                 NULL};
    for (int i = 0; vars[i]; i++)
        unsetenv(vars[i]);
}

/* A JSON request to a peer's control route; the answer parsed. */
static cJSON *peer_call(const char *base, const char *path, const char *json)
{
    char url[160];
    snprintf(url, sizeof url, "%s%s", base, path);
    char cert[4300];
    snprintf(cert, sizeof cert, "%s/cert.pem", dir);
    const char *h[] = {"Content-Type: application/json", NULL};
    hz_http_req q = {.method = json ? "POST" : "GET",
                     .url = url,
                     .headers = h,
                     .body = json,
                     .body_len = json ? strlen(json) : 0,
                     .ca_file = cert};
    hz_http_resp r;
    hz_error err;
    if (hz_http_perform(&q, &r, &err) != HZ_OK || r.status != 200) {
        fprintf(stderr, "peer call %s failed: %s\n", url, err.msg);
        exit(1);
    }
    cJSON *j = cJSON_Parse(r.body.data);
    hz_http_resp_free(&r);
    return j;
}

static double jnum(const cJSON *j, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, k);
    return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

static void use_key(void)
{
    clear_entra_env();
    setenv("COSMOS_KEY", CPEERS_KEY, 1);
}

static void use_managed_identity(void)
{
    char ep[128];
    clear_entra_env();
    unsetenv("COSMOS_KEY");
    snprintf(ep, sizeof ep, "%s/msi/token", token_base);
    setenv("IDENTITY_ENDPOINT", ep, 1);
    setenv("IDENTITY_HEADER", IDENTITY_HEADER, 1);
}

static hz_cosmos *open_client(hz_error *err)
{
    hz_cosmos_config cfg;
    hz_cosmos *c = NULL;
    if (hz_cosmos_config_from_env(&cfg, err) != HZ_OK)
        return NULL;
    cfg.deadline_s = 5;
    if (hz_cosmos_open(&cfg, &c, err) != HZ_OK)
        return NULL;
    return c;
}

/* Peers up, the database provisioned with the key, then key
 * authorization switched off; false = skip. */
static bool peers_up(void)
{
    if (cosmos_port > 0)
        return true;
    if (!cpeers_ready()) {
        hz_test_skip("node is not installed: Cosmos DB AAD tests skipped");
        return false;
    }
    snprintf(dir, sizeof dir, "%s", hz_test_tmpdir());
    pid_t p1, p2;
    const char *targs[] = {
        "--secret",        JWT_SECRET,    "--tenant",
        "tenant-c",        "--client-id", "app-c",
        "--client-secret", CLIENT_SECRET, "--identity-header",
        IDENTITY_HEADER,   NULL};
    token_port = cpeers_start_token_server(dir, targs, &p1);
    cosmos_port = cpeers_start_cosmos_aad(dir, JWT_SECRET, "https://127.0.0.1",
                                          &p2);
    if (token_port <= 0 || cosmos_port <= 0) {
        fprintf(stderr, "peers failed to start (logs in %s)\n", dir);
        exit(1);
    }
    snprintf(token_base, sizeof token_base, "http://127.0.0.1:%d", token_port);
    snprintf(cosmos_base, sizeof cosmos_base, "https://127.0.0.1:%d",
             cosmos_port);
    cpeers_set_env(dir, cosmos_port, "aadtest");
    use_key();
    hz_error err;
    hz_cosmos *c = open_client(&err);
    bool made = false;
    if (c == NULL || hz_cosmos_create_database(c, 0, &made, &err) != HZ_OK ||
        hz_cosmos_create_container(c, "jobs", "/customerId", NULL, 0, &made,
                                   &err) != HZ_OK) {
        fprintf(stderr, "provisioning failed: %s\n", err.msg);
        exit(1);
    }
    hz_cosmos_close(c);
    cJSON_Delete(peer_call(cosmos_base, "/__aad", "{\"auth\":\"aad\"}"));
    return true;
}

static cJSON *doc(const char *id, int v)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "id", id);
    cJSON_AddStringToObject(d, "customerId", "acme");
    cJSON_AddNumberToObject(d, "v", v);
    return d;
}

/* Write, read, query and batch with client c. */
static bool round_trip(hz_cosmos *c, const char *id, hz_error *err)
{
    cJSON *d = doc(id, 1), *got = NULL, *page = NULL;
    hz_status s = hz_cosmos_write(c, "jobs", HZ_COSMOS_UPSERT, "acme", d, NULL,
                                  NULL, NULL, 0, NULL, err);
    cJSON_Delete(d);
    if (s == HZ_OK)
        s = hz_cosmos_read(c, "jobs", id, "acme", &got, NULL, 0, err);
    cJSON_Delete(got);
    if (s == HZ_OK)
        s = hz_cosmos_query(c, "jobs",
                            "SELECT * FROM c WHERE c.customerId = 'acme'",
                            NULL, "acme", 10, NULL, &page, NULL, err);
    cJSON_Delete(page);
    if (s == HZ_OK) {
        cJSON *ops = cJSON_CreateArray(), *op = cJSON_CreateObject();
        char bid[64];
        snprintf(bid, sizeof bid, "%s-b", id);
        cJSON_AddStringToObject(op, "operationType", "Upsert");
        cJSON_AddItemToObject(op, "resourceBody", doc(bid, 2));
        cJSON_AddItemToArray(ops, op);
        s = hz_cosmos_batch(c, "jobs", "acme", ops, NULL, NULL, NULL, err);
        cJSON_Delete(ops);
    }
    return s == HZ_OK;
}

HZ_TEST(managed_identity_documents_queries_batches)
{
    if (!peers_up())
        return;
    use_managed_identity();
    cJSON *before = peer_call(cosmos_base, "/__aad", NULL);
    hz_error err;
    hz_cosmos *c = open_client(&err);
    HZ_CHECK_MSG(c != NULL, "%s", err.msg);
    char how[256];
    hz_cosmos_auth_describe(c, how, sizeof how);
    HZ_CHECK_CONTAINS(how, "Entra ID (managed identity");
    HZ_CHECK_CONTAINS(how, "https://127.0.0.1/.default");
    HZ_CHECK_MSG(round_trip(c, "mi-1", &err), "%s", err.msg);
    hz_cosmos_close(c);
    cJSON *after = peer_call(cosmos_base, "/__aad", NULL);
    HZ_CHECK(jnum(after, "accepted") - jnum(before, "accepted") >= 4);
    HZ_CHECK_NEAR(jnum(after, "rejected") - jnum(before, "rejected"), 0, 0);
    cJSON_Delete(before);
    cJSON_Delete(after);
}

HZ_TEST(client_secret_and_workload_identity_reach_cosmos)
{
    if (!peers_up())
        return;
    hz_error err;
    clear_entra_env();
    unsetenv("COSMOS_KEY");
    setenv("AZURE_TENANT_ID", "tenant-c", 1);
    setenv("AZURE_CLIENT_ID", "app-c", 1);
    setenv("AZURE_CLIENT_SECRET", CLIENT_SECRET, 1);
    setenv("AZURE_AUTHORITY_HOST", token_base, 1);
    hz_cosmos *c = open_client(&err);
    HZ_CHECK_MSG(c != NULL, "%s", err.msg);
    HZ_CHECK_MSG(round_trip(c, "sp-1", &err), "%s", err.msg);
    hz_cosmos_close(c);
    unsetenv("AZURE_CLIENT_SECRET");
    char f[4300];
    snprintf(f, sizeof f, "%s/federated", dir);
    FILE *fp = fopen(f, "w");
    fputs("federated-assertion\n", fp);
    fclose(fp);
    setenv("AZURE_FEDERATED_TOKEN_FILE", f, 1);
    c = open_client(&err);
    HZ_CHECK_MSG(c != NULL, "%s", err.msg);
    char how[256];
    hz_cosmos_auth_describe(c, how, sizeof how);
    HZ_CHECK_CONTAINS(how, "workload identity");
    HZ_CHECK_MSG(round_trip(c, "wi-1", &err), "%s", err.msg);
    hz_cosmos_close(c);
}

HZ_TEST(tokens_refresh_as_they_expire_during_requests)
{
    if (!peers_up())
        return;
    /* 6 s tokens: refreshed after 3 s; requests for 7 s never carry an
     * expired one (the peer would answer 401) */
    cJSON_Delete(peer_call(token_base, "/__config", "{\"lifetime\":6}"));
    use_managed_identity();
    cJSON *t0 = peer_call(token_base, "/__stats", NULL);
    cJSON *a0 = peer_call(cosmos_base, "/__aad", NULL);
    hz_error err;
    hz_cosmos *c = open_client(&err);
    HZ_CHECK_MSG(c != NULL, "%s", err.msg);
    double start = hz_now();
    int n = 0;
    bool ok = true;
    while (ok && hz_now() - start < 7) {
        cJSON *d = doc("refresh", n++);
        ok = hz_cosmos_write(c, "jobs", HZ_COSMOS_UPSERT, "acme", d, NULL,
                             NULL, NULL, 0, NULL, &err) == HZ_OK;
        cJSON_Delete(d);
        struct timespec ts = {0, 250 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    hz_cosmos_close(c);
    cJSON *t1 = peer_call(token_base, "/__stats", NULL);
    cJSON *a1 = peer_call(cosmos_base, "/__aad", NULL);
    double issued = jnum(t1, "issued") - jnum(t0, "issued");
    double rejected = jnum(a1, "rejected") - jnum(a0, "rejected");
    cJSON_Delete(peer_call(token_base, "/__config", "{\"lifetime\":3600}"));
    cJSON_Delete(t0);
    cJSON_Delete(t1);
    cJSON_Delete(a0);
    cJSON_Delete(a1);
    HZ_CHECK_MSG(ok, "write %d failed: %s", n, err.msg);
    HZ_CHECK_MSG(issued >= 2 && issued <= 4, "%g tokens issued", issued);
    HZ_CHECK_NEAR(rejected, 0, 0);
}

HZ_TEST(a_refused_token_is_replaced_once_then_reported)
{
    if (!peers_up())
        return;
    /* a token for another audience (the scope override): the endpoint
     * gives it, the service refuses it */
    use_managed_identity();
    setenv("AZURE_COSMOS_AAD_SCOPE_OVERRIDE",
           "https://other.example.com/.default", 1);
    hz_error err;
    hz_cosmos *c = open_client(&err);
    HZ_CHECK_MSG(c != NULL, "%s", err.msg);
    cJSON *t0 = peer_call(token_base, "/__stats", NULL);
    cJSON *got = NULL;
    hz_status s = hz_cosmos_read(c, "jobs", "mi-1", "acme", &got, NULL, 0,
                                 &err);
    cJSON *t1 = peer_call(token_base, "/__stats", NULL);
    double issued = jnum(t1, "issued") - jnum(t0, "issued");
    cJSON_Delete(t0);
    cJSON_Delete(t1);
    hz_cosmos_close(c);
    unsetenv("AZURE_COSMOS_AAD_SCOPE_OVERRIDE");
    HZ_CHECK(s == HZ_ENET);
    HZ_CHECK(got == NULL);
    HZ_CHECK_CONTAINS(err.msg, "HTTP 401");
    HZ_CHECK_CONTAINS(err.msg, "Entra ID token was refused");
    HZ_CHECK_CONTAINS(err.msg, "wrong audience");
    HZ_CHECK(strstr(err.msg, "eyJ") == NULL);
    HZ_CHECK_NEAR(issued, 1, 0); /* one new token after the first 401 */
}

HZ_TEST(token_endpoint_failures_are_reported_at_open)
{
    if (!peers_up())
        return;
    use_managed_identity();
    hz_error err;
    /* a 500 that persists */
    cJSON_Delete(peer_call(token_base, "/__config", "{\"fail\":100}"));
    setenv("AZURE_COSMOS_AAD_SCOPE_OVERRIDE", "https://x500.test/.default", 1);
    HZ_CHECK(open_client(&err) == NULL);
    HZ_CHECK_CONTAINS(err.msg, "COSMOS_KEY is not set");
    HZ_CHECK_CONTAINS(err.msg, "managed identity");
    HZ_CHECK_CONTAINS(err.msg, "HTTP 500");
    cJSON_Delete(peer_call(token_base, "/__config", "{\"fail\":0}"));
    /* a token for the wrong audience */
    cJSON_Delete(
        peer_call(token_base, "/__config", "{\"wrongAudience\":true}"));
    setenv("AZURE_COSMOS_AAD_SCOPE_OVERRIDE", "https://xaud.test/.default", 1);
    HZ_CHECK(open_client(&err) == NULL);
    HZ_CHECK_CONTAINS(err.msg, "wrong audience");
    cJSON_Delete(
        peer_call(token_base, "/__config", "{\"wrongAudience\":false}"));
    unsetenv("AZURE_COSMOS_AAD_SCOPE_OVERRIDE");
    /* nothing configured and no IMDS: names COSMOS_KEY */
    clear_entra_env();
    setenv("AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://127.0.0.1:1", 1);
    HZ_CHECK(open_client(&err) == NULL);
    HZ_CHECK_CONTAINS(err.msg, "COSMOS_KEY");
    HZ_CHECK_CONTAINS(err.msg, "IMDS");
    unsetenv("AZURE_POD_IDENTITY_AUTHORITY_HOST");
}

HZ_TEST(control_plane_with_a_token_gets_a_hint)
{
    if (!peers_up())
        return;
    use_managed_identity();
    hz_error err;
    hz_cosmos *c = open_client(&err);
    HZ_CHECK_MSG(c != NULL, "%s", err.msg);
    bool made = false;
    hz_status s = hz_cosmos_create_container(c, "other", "/customerId", NULL,
                                             0, &made, &err);
    hz_cosmos_close(c);
    HZ_CHECK(s == HZ_ENET);
    HZ_CHECK_CONTAINS(err.msg, "HTTP 403");
    HZ_CHECK_CONTAINS(err.msg, "Cosmos DB Built-in Data Contributor");
    HZ_CHECK_CONTAINS(err.msg, "az or Bicep");
}

HZ_TEST(master_key_refused_when_key_authorization_is_off)
{
    if (!peers_up())
        return;
    use_key();
    hz_error err;
    hz_cosmos *c = open_client(&err);
    HZ_CHECK_MSG(c != NULL, "%s", err.msg);
    char how[64];
    hz_cosmos_auth_describe(c, how, sizeof how);
    HZ_CHECK_STR(how, "master key");
    cJSON *got = NULL;
    HZ_CHECK(hz_cosmos_read(c, "jobs", "mi-1", "acme", &got, NULL, 0, &err) ==
             HZ_ENET);
    HZ_CHECK_CONTAINS(err.msg, "HTTP 401 unauthorized (check COSMOS_KEY)");
    HZ_CHECK_CONTAINS(err.msg, "Local Authorization is disabled");
    /* where the service accepts keys, they work exactly as before */
    cJSON_Delete(peer_call(cosmos_base, "/__aad", "{\"auth\":\"both\"}"));
    HZ_CHECK(hz_cosmos_read(c, "jobs", "mi-1", "acme", &got, NULL, 0, &err) ==
             HZ_OK);
    cJSON_Delete(got);
    cJSON_Delete(peer_call(cosmos_base, "/__aad", "{\"auth\":\"aad\"}"));
    hz_cosmos_close(c);
}
