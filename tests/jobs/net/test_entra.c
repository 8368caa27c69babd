/* Entra ID credentials against tests/peers/token_server.js: every source
 * (client secret, workload identity, App Service / Container Apps
 * managed identity, IMDS), DefaultAzureCredential's precedence and
 * AZURE_TOKEN_CREDENTIALS, caching, refresh before expiry on a virtual
 * clock, a 500 from the endpoint (retried; and when it persists), a
 * failed refresh that keeps a valid token, a wrong audience, the
 * AADSTS500011 fallback scope, incomplete configurations, secrets that
 * never reach an error message, and an endpoint that never answers (one
 * deadline for all the attempts, shared by the callers waiting for it).
 * Skips only when node is absent. */
#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cosmos_peers.h"
#include "hz_test.h"
#include "net/entra.h"
#include "net/entra_internal.h"
#include "net/http.h"

#define SECRET "jwt-test-secret"
#define CLIENT_SECRET "cs-SECRET-value-0123456789"
#define IDENTITY_HEADER "ih-SECRET-0123456789abcdef"
#define ASSERTION "eyJhbGciOi.federated-ASSERTION-one"
#define SCOPE "https://acct.documents.azure.com/.default"

static int tok_port = -1;
static char tok_base[64];
static char assertion_file[4200];

/* virtual clock: real time + offset */
static double clock_offset;
static double v_now(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9 + clock_offset;
}

static void clear_env(void)
{
    static const char *vars[] = {
        "AZURE_TENANT_ID",         "AZURE_CLIENT_ID",
        "AZURE_CLIENT_SECRET",     "AZURE_FEDERATED_TOKEN_FILE",
        "IDENTITY_ENDPOINT",       "IDENTITY_HEADER",
        "AZURE_AUTHORITY_HOST",    "AZURE_POD_IDENTITY_AUTHORITY_HOST",
        "AZURE_TOKEN_CREDENTIALS", NULL};
    for (int i = 0; vars[i]; i++)
        unsetenv(vars[i]);
}

static bool server_up(void)
{
    if (tok_port > 0)
        return true;
    if (!cpeers_ready()) {
        hz_test_skip("node is not installed: token endpoint tests skipped");
        return false;
    }
    const char *dir = hz_test_tmpdir();
    snprintf(assertion_file, sizeof assertion_file, "%s/federated-token", dir);
    FILE *f = fopen(assertion_file, "w");
    fprintf(f, "%s\n", ASSERTION);
    fclose(f);
    const char *argv[] = {"--secret",
                          SECRET,
                          "--tenant",
                          "tenant-1",
                          "--client-id",
                          "app-1",
                          "--client-secret",
                          CLIENT_SECRET,
                          "--assertion-file",
                          assertion_file,
                          "--identity-header",
                          IDENTITY_HEADER,
                          "--unknown-scope",
                          "https://unknown.documents.azure.com/.default",
                          NULL};
    pid_t pid;
    tok_port = cpeers_start_token_server(dir, argv, &pid);
    if (tok_port <= 0) {
        fprintf(stderr, "token server failed to start\n");
        exit(1);
    }
    snprintf(tok_base, sizeof tok_base, "http://127.0.0.1:%d", tok_port);
    hz__entra_set_clock(v_now, NULL);
    return true;
}

/* POST /__config with a JSON object. */
static void tok_config(const char *json)
{
    char url[128];
    snprintf(url, sizeof url, "%s/__config", tok_base);
    const char *h[] = {"Content-Type: application/json", NULL};
    hz_http_req q = {.method = "POST",
                     .url = url,
                     .headers = h,
                     .body = json,
                     .body_len = strlen(json)};
    hz_http_resp r;
    hz_error err;
    if (hz_http_perform(&q, &r, &err) != HZ_OK || r.status != 200) {
        fprintf(stderr, "token server config failed: %s\n", err.msg);
        exit(1);
    }
    hz_http_resp_free(&r);
}

/* GET /__stats: a number at path "issued", "requests", "failed" or a
 * byKind member ("byKind.msi"). */
static double tok_stat(const char *name)
{
    char url[128];
    snprintf(url, sizeof url, "%s/__stats", tok_base);
    hz_http_req q = {.method = "GET", .url = url};
    hz_http_resp r;
    hz_error err;
    if (hz_http_perform(&q, &r, &err) != HZ_OK)
        exit(1);
    cJSON *j = cJSON_Parse(r.body.data);
    hz_http_resp_free(&r);
    const cJSON *o = j;
    char key[64];
    snprintf(key, sizeof key, "%s", name);
    char *dot = strchr(key, '.');
    if (dot != NULL) {
        *dot = '\0';
        o = cJSON_GetObjectItemCaseSensitive(j, key);
        name = dot + 1;
    } else {
        name = key;
    }
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    double d = cJSON_IsNumber(v) ? v->valuedouble : 0;
    cJSON_Delete(j);
    return d;
}

static const char *tok_last(const char *field, char *buf, size_t n)
{
    char url[128];
    snprintf(url, sizeof url, "%s/__stats", tok_base);
    hz_http_req q = {.method = "GET", .url = url};
    hz_http_resp r;
    hz_error err;
    if (hz_http_perform(&q, &r, &err) != HZ_OK)
        exit(1);
    cJSON *j = cJSON_Parse(r.body.data);
    hz_http_resp_free(&r);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(j, "last"), field);
    snprintf(buf, n, "%s", cJSON_IsString(v) ? v->valuestring : "");
    cJSON_Delete(j);
    return buf;
}

static void reset_server(void)
{
    tok_config("{\"lifetime\":3600,\"fail\":0,\"failStatus\":500,"
               "\"wrongAudience\":false}");
    clock_offset = 0;
}

static void env_secret(void)
{
    clear_env();
    setenv("AZURE_TENANT_ID", "tenant-1", 1);
    setenv("AZURE_CLIENT_ID", "app-1", 1);
    setenv("AZURE_CLIENT_SECRET", CLIENT_SECRET, 1);
    setenv("AZURE_AUTHORITY_HOST", tok_base, 1);
}

static void env_msi(void)
{
    char ep[128];
    clear_env();
    snprintf(ep, sizeof ep, "%s/msi/token", tok_base);
    setenv("IDENTITY_ENDPOINT", ep, 1);
    setenv("IDENTITY_HEADER", IDENTITY_HEADER, 1);
}

/* No secret of the tests in a message. */
static bool clean(const char *msg)
{
    return strstr(msg, CLIENT_SECRET) == NULL &&
           strstr(msg, IDENTITY_HEADER) == NULL &&
           strstr(msg, ASSERTION) == NULL && strstr(msg, "eyJ") == NULL;
}

/* Get a token for scope and check it is a JWT. */
static hz_status get(const char *scope, const char *fallback, hz_entra **e,
                     char *tok, size_t n, hz_error *err)
{
    hz_status s = hz_entra_open(scope, fallback, e, err);
    if (s != HZ_OK)
        return s;
    return hz_entra_token(*e, tok, n, err);
}

HZ_TEST(client_secret_token_cached_and_shared)
{
    if (!server_up())
        return;
    reset_server();
    env_secret();
    hz_entra *e = NULL, *e2 = NULL;
    char tok[8192], tok2[8192], buf[256];
    hz_error err;
    double before = tok_stat("issued");
    HZ_CHECK_MSG(get(SCOPE, NULL, &e, tok, sizeof tok, &err) == HZ_OK, "%s",
                 err.msg);
    HZ_CHECK(hz_entra_source_of(e) == HZ_ENTRA_CLIENT_SECRET);
    HZ_CHECK(strncmp(tok, "eyJ", 3) == 0);
    HZ_CHECK_STR(tok_last("scope", buf, sizeof buf), SCOPE);
    HZ_CHECK_STR(tok_last("clientId", buf, sizeof buf), "app-1");
    /* the same configuration and scope share the credential and token */
    HZ_CHECK(hz_entra_open(SCOPE, NULL, &e2, &err) == HZ_OK);
    HZ_CHECK(e2 == e);
    HZ_CHECK(hz_entra_token(e2, tok2, sizeof tok2, &err) == HZ_OK);
    HZ_CHECK_STR(tok2, tok);
    HZ_CHECK_NEAR(tok_stat("issued") - before, 1, 0);
    hz_entra_close(e2);
    hz_entra_close(e);
}

HZ_TEST(wrong_client_secret_is_refused_without_echo)
{
    if (!server_up())
        return;
    reset_server();
    env_secret();
    setenv("AZURE_CLIENT_SECRET", "cs-SECRET-wrong-000", 1);
    hz_entra *e = NULL;
    char tok[8192];
    hz_error err;
    HZ_CHECK(get(SCOPE, NULL, &e, tok, sizeof tok, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "AADSTS7000215");
    HZ_CHECK_CONTAINS(err.msg, "client secret");
    HZ_CHECK_CONTAINS(err.msg, "/tenant-1/oauth2/v2.0/token");
    HZ_CHECK(strstr(err.msg, "cs-SECRET-wrong") == NULL);
    hz_entra_close(e);
}

HZ_TEST(workload_identity_reads_the_federated_token_file)
{
    if (!server_up())
        return;
    reset_server();
    clear_env();
    setenv("AZURE_TENANT_ID", "tenant-1", 1);
    setenv("AZURE_CLIENT_ID", "app-1", 1);
    setenv("AZURE_FEDERATED_TOKEN_FILE", assertion_file, 1);
    setenv("AZURE_AUTHORITY_HOST", tok_base, 1);
    hz_entra *e = NULL;
    char tok[8192];
    hz_error err;
    double before = tok_stat("byKind.workload");
    HZ_CHECK_MSG(get(SCOPE, NULL, &e, tok, sizeof tok, &err) == HZ_OK, "%s",
                 err.msg);
    HZ_CHECK(hz_entra_source_of(e) == HZ_ENTRA_WORKLOAD_IDENTITY);
    HZ_CHECK_NEAR(tok_stat("byKind.workload") - before, 1, 0);
    hz_entra_close(e);
    /* a file that is not there names the file */
    setenv("AZURE_FEDERATED_TOKEN_FILE", "/nonexistent/token", 1);
    HZ_CHECK(get(SCOPE, NULL, &e, tok, sizeof tok, &err) == HZ_EIO);
    HZ_CHECK_CONTAINS(err.msg, "/nonexistent/token");
    hz_entra_close(e);
    /* an assertion the endpoint does not accept */
    char other[4300];
    snprintf(other, sizeof other, "%s/federated-other", hz_test_tmpdir());
    FILE *f = fopen(other, "w");
    fputs("eyJhbGciOi.other-ASSERTION\n", f);
    fclose(f);
    setenv("AZURE_FEDERATED_TOKEN_FILE", other, 1);
    HZ_CHECK(get(SCOPE, NULL, &e, tok, sizeof tok, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "AADSTS700024");
    HZ_CHECK(clean(err.msg));
    hz_entra_close(e);
}

HZ_TEST(managed_identity_endpoint_with_identity_header)
{
    if (!server_up())
        return;
    reset_server();
    env_msi();
    hz_entra *e = NULL;
    char tok[8192], buf[256];
    hz_error err;
    HZ_CHECK_MSG(get(SCOPE, NULL, &e, tok, sizeof tok, &err) == HZ_OK, "%s",
                 err.msg);
    HZ_CHECK(hz_entra_source_of(e) == HZ_ENTRA_MANAGED_IDENTITY);
    HZ_CHECK_STR(tok_last("resource", buf, sizeof buf),
                 "https://acct.documents.azure.com");
    HZ_CHECK_STR(tok_last("clientId", buf, sizeof buf), "");
    hz_entra_close(e);
    /* a user-assigned identity: AZURE_CLIENT_ID is passed as client_id */
    setenv("AZURE_CLIENT_ID", "uami-7", 1);
    HZ_CHECK(get(SCOPE, NULL, &e, tok, sizeof tok, &err) == HZ_OK);
    HZ_CHECK_STR(tok_last("clientId", buf, sizeof buf), "uami-7");
    hz_entra_close(e);
    /* a wrong identity header: 401, the header never echoed */
    setenv("IDENTITY_HEADER", "ih-SECRET-wrong", 1);
    HZ_CHECK(get(SCOPE, NULL, &e, tok, sizeof tok, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "HTTP 401");
    HZ_CHECK_CONTAINS(err.msg, "managed identity");
    HZ_CHECK(strstr(err.msg, "ih-SECRET") == NULL);
    hz_entra_close(e);
}

HZ_TEST(imds_shape_with_metadata_header)
{
    if (!server_up())
        return;
    reset_server();
    clear_env();
    setenv("AZURE_POD_IDENTITY_AUTHORITY_HOST", tok_base, 1);
    hz_entra *e = NULL;
    char tok[8192], buf[256];
    hz_error err;
    double before = tok_stat("byKind.imds");
    HZ_CHECK_MSG(get(SCOPE, NULL, &e, tok, sizeof tok, &err) == HZ_OK, "%s",
                 err.msg);
    HZ_CHECK(hz_entra_source_of(e) == HZ_ENTRA_IMDS);
    HZ_CHECK_NEAR(tok_stat("byKind.imds") - before, 1, 0);
    HZ_CHECK_STR(tok_last("kind", buf, sizeof buf), "imds");
    hz_entra_close(e);
    /* no IMDS at all: a quick, clear failure */
    setenv("AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://127.0.0.1:1", 1);
    double t0 = hz_now();
    HZ_CHECK(get(SCOPE, NULL, &e, tok, sizeof tok, &err) == HZ_ENET);
    HZ_CHECK(hz_now() - t0 < 5);
    HZ_CHECK_CONTAINS(err.msg, "IMDS");
    HZ_CHECK_CONTAINS(err.msg, "not an Azure machine");
    hz_entra_close(e);
}

HZ_TEST(precedence_is_default_azure_credential_order)
{
    if (!server_up())
        return;
    reset_server();
    hz_entra_cfg cfg;
    hz_error err;
    char ep[128];
    snprintf(ep, sizeof ep, "%s/msi/token", tok_base);
    env_secret();
    setenv("AZURE_FEDERATED_TOKEN_FILE", assertion_file, 1);
    setenv("IDENTITY_ENDPOINT", ep, 1);
    setenv("IDENTITY_HEADER", IDENTITY_HEADER, 1);
    HZ_CHECK(hz__entra_cfg_from_env(&cfg, &err) == HZ_OK);
    HZ_CHECK(cfg.source == HZ_ENTRA_CLIENT_SECRET);
    unsetenv("AZURE_CLIENT_SECRET");
    HZ_CHECK(hz__entra_cfg_from_env(&cfg, &err) == HZ_OK);
    HZ_CHECK(cfg.source == HZ_ENTRA_WORKLOAD_IDENTITY);
    unsetenv("AZURE_FEDERATED_TOKEN_FILE");
    HZ_CHECK(hz__entra_cfg_from_env(&cfg, &err) == HZ_OK);
    HZ_CHECK(cfg.source == HZ_ENTRA_MANAGED_IDENTITY);
    unsetenv("IDENTITY_ENDPOINT");
    HZ_CHECK(hz__entra_cfg_from_env(&cfg, &err) == HZ_OK);
    HZ_CHECK(cfg.source == HZ_ENTRA_IMDS);
    HZ_CHECK_STR(cfg.imds_host, "http://169.254.169.254");
    HZ_CHECK_STR(cfg.authority, tok_base);
    /* AZURE_TOKEN_CREDENTIALS narrows the choice */
    env_secret();
    setenv("IDENTITY_ENDPOINT", ep, 1);
    setenv("IDENTITY_HEADER", IDENTITY_HEADER, 1);
    setenv("AZURE_TOKEN_CREDENTIALS", "ManagedIdentityCredential", 1);
    HZ_CHECK(hz__entra_cfg_from_env(&cfg, &err) == HZ_OK);
    HZ_CHECK(cfg.source == HZ_ENTRA_MANAGED_IDENTITY);
    setenv("AZURE_TOKEN_CREDENTIALS", "prod", 1);
    HZ_CHECK(hz__entra_cfg_from_env(&cfg, &err) == HZ_OK);
    HZ_CHECK(cfg.source == HZ_ENTRA_CLIENT_SECRET);
    setenv("AZURE_TOKEN_CREDENTIALS", "WorkloadIdentityCredential", 1);
    HZ_CHECK(hz__entra_cfg_from_env(&cfg, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "not set");
    setenv("AZURE_TOKEN_CREDENTIALS", "dev", 1);
    HZ_CHECK(hz__entra_cfg_from_env(&cfg, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "developer tools");
    setenv("AZURE_TOKEN_CREDENTIALS", "AzureCliCredential", 1);
    HZ_CHECK(hz__entra_cfg_from_env(&cfg, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "AZURE_TOKEN_CREDENTIALS");
    hz__entra_cfg_wipe(&cfg);
}

HZ_TEST(bad_deadline_is_refused_naming_the_variable)
{
    hz_entra_cfg cfg;
    hz_error err;
    clear_env();
    setenv("IDENTITY_ENDPOINT", "http://127.0.0.1:9/msi/token", 1);
    setenv("IDENTITY_HEADER", IDENTITY_HEADER, 1);
    static const char *const bad[] = {"20s", "abc", "-1", "0", "1e9", "nan"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        setenv("HZ_ENTRA_DEADLINE_S", bad[i], 1);
        HZ_CHECK_MSG(hz__entra_cfg_from_env(&cfg, &err) == HZ_EINVAL,
                     "HZ_ENTRA_DEADLINE_S='%s' accepted", bad[i]);
        HZ_CHECK_CONTAINS(err.msg, "HZ_ENTRA_DEADLINE_S");
    }
    setenv("HZ_ENTRA_DEADLINE_S", "2.5", 1);
    HZ_CHECK(hz__entra_cfg_from_env(&cfg, &err) == HZ_OK);
    setenv("HZ_ENTRA_DEADLINE_S", "", 1); /* empty: unset */
    HZ_CHECK(hz__entra_cfg_from_env(&cfg, &err) == HZ_OK);
    unsetenv("HZ_ENTRA_DEADLINE_S");
    hz__entra_cfg_wipe(&cfg);
    clear_env();
}

HZ_TEST(incomplete_configurations_name_the_variable)
{
    hz_entra_cfg cfg;
    hz_error err;
    clear_env();
    setenv("AZURE_CLIENT_SECRET", CLIENT_SECRET, 1);
    setenv("AZURE_CLIENT_ID", "app-1", 1);
    HZ_CHECK(hz__entra_cfg_from_env(&cfg, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "AZURE_TENANT_ID");
    HZ_CHECK(clean(err.msg));
    clear_env();
    setenv("AZURE_FEDERATED_TOKEN_FILE", "/tmp/x", 1);
    setenv("AZURE_TENANT_ID", "t", 1);
    HZ_CHECK(hz__entra_cfg_from_env(&cfg, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "AZURE_CLIENT_ID");
    clear_env();
    setenv("IDENTITY_ENDPOINT", "http://127.0.0.1:9/msi/token", 1);
    HZ_CHECK(hz__entra_cfg_from_env(&cfg, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "IDENTITY_HEADER");
    clear_env();
    setenv("AZURE_CLIENT_SECRET", CLIENT_SECRET, 1);
    setenv("AZURE_CLIENT_ID", "app-1", 1);
    setenv("AZURE_TENANT_ID", "../evil", 1);
    HZ_CHECK(hz__entra_cfg_from_env(&cfg, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "tenant");
    /* plain http to a remote authority is refused */
    setenv("AZURE_TENANT_ID", "tenant-1", 1);
    setenv("AZURE_AUTHORITY_HOST", "http://login.example.com", 1);
    HZ_CHECK(hz__entra_cfg_from_env(&cfg, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "AZURE_AUTHORITY_HOST");
    /* a bare host gets https:// as in the SDKs */
    setenv("AZURE_AUTHORITY_HOST", "login.microsoftonline.us/", 1);
    HZ_CHECK(hz__entra_cfg_from_env(&cfg, &err) == HZ_OK);
    HZ_CHECK_STR(cfg.authority, "https://login.microsoftonline.us");
    hz__entra_cfg_wipe(&cfg);
    clear_env();
}

HZ_TEST(refresh_before_expiry_virtual_clock)
{
    if (!server_up())
        return;
    reset_server();
    tok_config("{\"lifetime\":600}");
    env_msi();
    hz_entra *e = NULL;
    char t1[8192], t2[8192];
    hz_error err;
    HZ_CHECK(get("https://refresh.test/.default", NULL, &e, t1, sizeof t1,
                 &err) == HZ_OK);
    double issued = tok_stat("issued");
    /* refresh is due 5 minutes before expiry: not at +290 s */
    clock_offset = 290;
    HZ_CHECK(hz_entra_token(e, t2, sizeof t2, &err) == HZ_OK);
    HZ_CHECK_STR(t2, t1);
    HZ_CHECK_NEAR(tok_stat("issued"), issued, 0);
    /* at +310 s a new token is fetched */
    clock_offset = 310;
    HZ_CHECK(hz_entra_token(e, t2, sizeof t2, &err) == HZ_OK);
    HZ_CHECK(strcmp(t2, t1) != 0);
    HZ_CHECK_NEAR(tok_stat("issued"), issued + 1, 0);
    hz_entra_stats st;
    hz_entra_get_stats(e, &st);
    HZ_CHECK(st.fetches == 2 && st.refreshes == 1 && st.failures == 0);
    /* a short-lived token is refreshed at half its lifetime */
    tok_config("{\"lifetime\":40}");
    clock_offset = 0;
    hz_entra_invalidate(e, t2);
    HZ_CHECK(hz_entra_token(e, t1, sizeof t1, &err) == HZ_OK);
    clock_offset = 15;
    HZ_CHECK(hz_entra_token(e, t2, sizeof t2, &err) == HZ_OK);
    HZ_CHECK_STR(t2, t1);
    clock_offset = 25;
    HZ_CHECK(hz_entra_token(e, t2, sizeof t2, &err) == HZ_OK);
    HZ_CHECK(strcmp(t2, t1) != 0);
    hz_entra_close(e);
}

HZ_TEST(endpoint_500_is_retried_then_reported)
{
    if (!server_up())
        return;
    reset_server();
    env_msi();
    hz_entra *e = NULL;
    char tok[8192];
    hz_error err;
    /* one 500: retried, then a token */
    tok_config("{\"fail\":1}");
    double req0 = tok_stat("requests");
    HZ_CHECK_MSG(get("https://r500.test/.default", NULL, &e, tok, sizeof tok,
                     &err) == HZ_OK,
                 "%s", err.msg);
    HZ_CHECK_NEAR(tok_stat("requests") - req0, 2, 0);
    hz_entra_close(e);
    /* a 500 that persists: four attempts, then a clear error */
    tok_config("{\"fail\":100}");
    req0 = tok_stat("requests");
    HZ_CHECK(get("https://r500b.test/.default", NULL, &e, tok, sizeof tok,
                 &err) == HZ_ENET);
    HZ_CHECK_NEAR(tok_stat("requests") - req0, 4, 0);
    HZ_CHECK_CONTAINS(err.msg, "HTTP 500");
    HZ_CHECK_CONTAINS(err.msg, "managed identity");
    HZ_CHECK_CONTAINS(err.msg, "/msi/token");
    HZ_CHECK(clean(err.msg));
    hz_entra_close(e);
    reset_server();
}

HZ_TEST(failed_refresh_keeps_the_valid_token)
{
    if (!server_up())
        return;
    reset_server();
    tok_config("{\"lifetime\":600}");
    env_msi();
    hz_entra *e = NULL;
    char t1[8192], t2[8192];
    hz_error err;
    HZ_CHECK(get("https://keep.test/.default", NULL, &e, t1, sizeof t1,
                 &err) == HZ_OK);
    tok_config("{\"fail\":100}");
    clock_offset = 400; /* refresh due; the endpoint fails */
    HZ_CHECK(hz_entra_token(e, t2, sizeof t2, &err) == HZ_OK);
    HZ_CHECK_STR(t2, t1);
    hz_entra_stats st;
    hz_entra_get_stats(e, &st);
    HZ_CHECK(st.failures == 1);
    /* past expiry the failure is reported */
    clock_offset = 700;
    HZ_CHECK(hz_entra_token(e, t2, sizeof t2, &err) == HZ_ENET);
    HZ_CHECK_CONTAINS(err.msg, "HTTP 500");
    /* the endpoint recovers: a new token */
    tok_config("{\"fail\":0}");
    clock_offset = 0;
    HZ_CHECK(hz_entra_token(e, t2, sizeof t2, &err) == HZ_OK);
    hz_entra_close(e);
    reset_server();
}

HZ_TEST(wrong_audience_is_refused)
{
    if (!server_up())
        return;
    reset_server();
    tok_config("{\"wrongAudience\":true}");
    hz_entra *e = NULL;
    char tok[8192];
    hz_error err;
    /* the managed identity's "resource" field */
    env_msi();
    HZ_CHECK(get("https://aud1.test/.default", NULL, &e, tok, sizeof tok,
                 &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "wrong audience");
    HZ_CHECK_CONTAINS(err.msg, "https://aud1.test");
    HZ_CHECK(clean(err.msg));
    hz_entra_close(e);
    /* the token's aud claim (the v2 endpoint has no resource field) */
    env_secret();
    HZ_CHECK(get("https://aud2.test/.default", NULL, &e, tok, sizeof tok,
                 &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "wrong-audience.example.com");
    hz_entra_close(e);
    reset_server();
}

HZ_TEST(unknown_scope_falls_back)
{
    if (!server_up())
        return;
    reset_server();
    env_secret();
    hz_entra *e = NULL;
    char tok[8192], buf[256];
    hz_error err;
    HZ_CHECK_MSG(get("https://unknown.documents.azure.com/.default",
                     HZ_ENTRA_COSMOS_SCOPE, &e, tok, sizeof tok,
                     &err) == HZ_OK,
                 "%s", err.msg);
    HZ_CHECK_STR(hz_entra_scope(e), HZ_ENTRA_COSMOS_SCOPE);
    HZ_CHECK_STR(tok_last("scope", buf, sizeof buf), HZ_ENTRA_COSMOS_SCOPE);
    hz_entra_close(e);
    /* without a fallback the error says why */
    HZ_CHECK(get("https://unknown.documents.azure.com/.default", NULL, &e, tok,
                 sizeof tok, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "AADSTS500011");
    hz_entra_close(e);
}

HZ_TEST(token_answers_are_checked)
{
    hz_entra_fetched t;
    hz_error err;
    const char *res = "https://x.test";
    const char *ok = "{\"access_token\":\"abc\",\"expires_in\":\"3599\","
                     "\"token_type\":\"Bearer\"}";
    HZ_CHECK(hz__entra_parse_token(ok, strlen(ok), res, 1000, "t", &t, &err) ==
             HZ_OK);
    HZ_CHECK_NEAR(t.expires_on, 4599, 0);
    free(t.access_token);
    const char *on = "{\"access_token\":\"abc\",\"expires_on\":2000,"
                     "\"resource\":\"https://x.test/\"}";
    HZ_CHECK(hz__entra_parse_token(on, strlen(on), res, 1000, "t", &t, &err) ==
             HZ_OK);
    HZ_CHECK_NEAR(t.expires_on, 2000, 0);
    free(t.access_token);
    const char *bad[] = {
        "not json",
        "{\"expires_in\":10}",
        "{\"access_token\":\"abc\"}",
        "{\"access_token\":\"abc\",\"expires_in\":10,\"token_type\":\"MAC\"}",
        "{\"access_token\":\"abc\",\"expires_on\":\"500\"}",
        "{\"access_token\":\"abc\",\"expires_in\":\"ten\"}"};
    hz_status want[] = {HZ_EPARSE, HZ_EPARSE, HZ_EPARSE,
                        HZ_EPARSE, HZ_EPARSE, HZ_EPARSE};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        HZ_CHECK_MSG(hz__entra_parse_token(bad[i], strlen(bad[i]), res, 1000,
                                           "t", &t, &err) == want[i],
                     "case %zu: %s", i, err.msg);
    /* Cosmos DB's service-wide audience suits an account, and an
     * application id audience is left to the service */
    const char *cos = "{\"access_token\":\"abc\",\"expires_in\":10,"
                      "\"resource\":\"https://cosmos.azure.com\"}";
    HZ_CHECK(hz__entra_parse_token(cos, strlen(cos),
                                   "https://a.documents.azure.com", 1000, "t",
                                   &t, &err) == HZ_OK);
    free(t.access_token);
    const char *guid = "{\"access_token\":\"abc\",\"expires_in\":10,"
                       "\"resource\":\"00000000-1111-2222\"}";
    HZ_CHECK(hz__entra_parse_token(guid, strlen(guid), res, 1000, "t", &t,
                                   &err) == HZ_OK);
    free(t.access_token);
}

/* ---- an endpoint that takes connections and never answers ---- */

typedef struct hang_server {
    int lfd;
    atomic_int conns; /* connections taken */
    int fds[64];
    pthread_t th;
} hang_server;

static void *hang_accept(void *arg)
{
    hang_server *h = arg;
    for (;;) {
        int fd = accept(h->lfd, NULL, NULL);
        if (fd < 0)
            return NULL;
        int k = atomic_fetch_add(&h->conns, 1);
        if (k < 64)
            h->fds[k] = fd; /* kept open, never answered */
        else
            close(fd);
    }
}

/* Its port, or -1. */
static int hang_start(hang_server *h)
{
    memset(h, 0, sizeof *h);
    atomic_init(&h->conns, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    h->lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (h->lfd < 0 || bind(h->lfd, (struct sockaddr *)&a, sizeof a) != 0 ||
        listen(h->lfd, 64) != 0 ||
        getsockname(h->lfd, (struct sockaddr *)&a, &len) != 0 ||
        pthread_create(&h->th, NULL, hang_accept, h) != 0)
        return -1;
    return ntohs(a.sin_port);
}

static void hang_stop(hang_server *h)
{
    shutdown(h->lfd, SHUT_RDWR);
    close(h->lfd);
    pthread_join(h->th, NULL);
    int n = atomic_load(&h->conns);
    for (int i = 0; i < n && i < 64; i++)
        close(h->fds[i]);
}

typedef struct token_call {
    hz_entra *e;
    atomic_bool asking; /* set just before the call */
    hz_status st;
    hz_error err;
} token_call;

static void *token_thread(void *arg)
{
    token_call *t = arg;
    char tok[8192];
    atomic_store(&t->asking, true);
    t->st = hz_entra_token(t->e, tok, sizeof tok, &t->err);
    return NULL;
}

/* Wait (5 s at most) until cond(arg) holds; whether it did. */
static bool wait_until(bool (*cond)(void *), void *arg)
{
    for (int i = 0; i < 5000; i++) {
        if (cond(arg))
            return true;
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    return cond(arg);
}

typedef struct conns_above {
    hang_server *h;
    int n;
} conns_above;

static bool has_more_conns(void *arg)
{
    conns_above *c = arg;
    return atomic_load(&c->h->conns) > c->n;
}

static bool is_asking(void *arg)
{
    return atomic_load(&((token_call *)arg)->asking);
}

/* A token endpoint that hangs costs one deadline (HZ_ENTRA_DEADLINE_S),
 * not 4 attempts of 10 s; and callers that waited for a failing fetch
 * share its failure instead of each asking again in turn (before: 4
 * workers waited 4 x 40 s). */
HZ_TEST(hanging_endpoint_costs_one_deadline)
{
    hang_server h;
    int port = hang_start(&h);
    HZ_CHECK(port > 0);
    if (port <= 0)
        return;
    char ep[128];
    clear_env();
    snprintf(ep, sizeof ep, "http://127.0.0.1:%d/msi/token", port);
    setenv("IDENTITY_ENDPOINT", ep, 1);
    setenv("IDENTITY_HEADER", IDENTITY_HEADER, 1);
    setenv("HZ_ENTRA_DEADLINE_S", "2", 1);
    hz_entra *e = NULL;
    hz_error err;
    HZ_CHECK(hz_entra_open("https://hang.test/.default", NULL, &e, &err) ==
             HZ_OK);
    double t0 = hz_now();
    char tok[8192];
    hz_status st = hz_entra_token(e, tok, sizeof tok, &err);
    double took = hz_now() - t0;
    HZ_CHECK(st == HZ_ETIMEOUT);
    HZ_CHECK_MSG(took < 10, "took %.1f s", took);
    HZ_CHECK_CONTAINS(err.msg, "the deadline of a token");
    HZ_CHECK_CONTAINS(err.msg, "managed identity");
    HZ_CHECK(clean(err.msg));
    HZ_CHECK_MSG(atomic_load(&h.conns) == 1, "%d connections",
                 atomic_load(&h.conns));
    /* four callers while one fetch is under way: that one fetch, its
     * failure shared.  The first caller's fetch is seen to reach the
     * endpoint before the other three start, and they are seen to ask
     * (a flag set just before the call) long before its deadline of 2 s,
     * however slowly a loaded machine starts threads (the test assumed
     * all four would start within that one fetch, and allowed up to
     * three fetches for it) */
    int before = atomic_load(&h.conns);
    token_call calls[4];
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        calls[i] = (token_call){.e = e};
        atomic_init(&calls[i].asking, false);
    }
    double t_fetch = hz_now();
    pthread_create(&th[0], NULL, token_thread, &calls[0]);
    conns_above ca = {.h = &h, .n = before};
    HZ_CHECK(wait_until(has_more_conns, &ca));
    for (int i = 1; i < 4; i++)
        pthread_create(&th[i], NULL, token_thread, &calls[i]);
    for (int i = 1; i < 4; i++)
        HZ_CHECK(wait_until(is_asking, &calls[i]));
    double asked_after = hz_now() - t_fetch;
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        HZ_CHECK_MSG(calls[i].st == HZ_ETIMEOUT, "caller %d: %s", i,
                     calls[i].err.msg);
    }
    int fetched = atomic_load(&h.conns) - before;
    HZ_CHECK_MSG(fetched == 1,
                 "%d fetches for 4 callers (all asking %.2f s after the "
                 "first fetch began)",
                 fetched, asked_after);
    hz_entra_close(e);
    unsetenv("HZ_ENTRA_DEADLINE_S");
    clear_env();
    hang_stop(&h);
}
