/* What the LLM client sends, captured by tests/peers/llm_stub.js:
 * max_completion_tokens and never max_tokens; no temperature (and a
 * reasoning_effort) for reasoning models; structured outputs (a strict
 * JSON schema) for batched narratives, with the answer checked; the
 * api-version from OPENAI_API_VERSION; Azure's v1 path; Entra ID bearer
 * tokens for Azure OpenAI without a key (a 401 makes it fetch a new token
 * once); keys exactly as before.  And streams: a slow but healthy stream
 * outlives the per-request timeout, a stalled one is cut by the idle
 * timeout and retried, malformed, truncated and error-event streams are
 * retried within the attempt budget, the overall deadline holds; the SSE
 * parser gives the same result for any chunking.  Skips only without
 * node (the SSE, schema and capability checks run anyway). */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "cosmos_peers.h"
#include "hz_test.h"
#include "llm/json_schema.h"
#include "llm/llm.h"
#include "llm/llm_caps.h"
#include "llm/llm_config.h"
#include "narrative/narrative.h"
#include "llm/sse.h"
#include "net/http.h"

#define JWT_SECRET "llm-jwt-secret"
#define IDENTITY_HEADER "ih-SECRET-llm-77"
#define AZ_KEY "az-SECRET-key-0099"

static int stub_port = -1, token_port = -1;
static char stub_base[64], token_base[64];

static bool peers_up(void)
{
    if (stub_port > 0)
        return true;
    if (!cpeers_ready()) {
        hz_test_skip("node is not installed: LLM stub tests skipped");
        return false;
    }
    const char *dir = hz_test_tmpdir();
    pid_t p1, p2;
    const char *sargs[] = {
        "--key",    AZ_KEY,           "--aad-secret",
        JWT_SECRET, "--aad-audience", "https://cognitiveservices.azure.com",
        NULL};
    const char *targs[] = {"--secret", JWT_SECRET, "--identity-header",
                           IDENTITY_HEADER, NULL};
    stub_port = cpeers_start_llm_stub(dir, sargs, &p1);
    token_port = cpeers_start_token_server(dir, targs, &p2);
    if (stub_port <= 0 || token_port <= 0) {
        fprintf(stderr, "peers failed to start (logs in %s)\n", dir);
        exit(1);
    }
    snprintf(stub_base, sizeof stub_base, "http://127.0.0.1:%d", stub_port);
    snprintf(token_base, sizeof token_base, "http://127.0.0.1:%d", token_port);
    return true;
}

static cJSON *call(const char *base, const char *path, const char *json)
{
    char url[160];
    snprintf(url, sizeof url, "%s%s", base, path);
    const char *h[] = {"Content-Type: application/json", NULL};
    hz_http_req q = {.method = json ? "POST" : "GET",
                     .url = url,
                     .headers = h,
                     .body = json,
                     .body_len = json ? strlen(json) : 0,
                     .max_bytes = (size_t)64 << 20};
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

static void stub_reset(const char *config)
{
    cJSON_Delete(call(stub_base, "/__reset", "{}"));
    cJSON_Delete(call(stub_base, "/__config", config ? config : "{}"));
}

/* The recorded requests (caller frees). */
static cJSON *stub_requests(void)
{
    return call(stub_base, "/__requests", NULL);
}

static void clear_env(void)
{
    static const char *vars[] = {"AZURE_OPENAI_ENDPOINT",
                                 "AZURE_OPENAI_API_KEY",
                                 "AZURE_OPENAI_API_VERSION",
                                 "OPENAI_API_VERSION",
                                 "AZURE_OPENAI_DEPLOYMENT",
                                 "OPENAI_BASE_URL",
                                 "OPENAI_API_KEY",
                                 "IDENTITY_ENDPOINT",
                                 "IDENTITY_HEADER",
                                 "AZURE_CLIENT_ID",
                                 "AZURE_TENANT_ID",
                                 "AZURE_CLIENT_SECRET",
                                 "AZURE_FEDERATED_TOKEN_FILE",
                                 "AZURE_POD_IDENTITY_AUTHORITY_HOST",
                                 "HZ_LLM_CONFIG",
                                 "HZ_TIKTOKEN_FILE",
                                 "HZ_LLM_MODEL",
                                 NULL};
    for (int i = 0; vars[i]; i++)
        unsetenv(vars[i]);
}

static hz_summary *mk_summary(int k)
{
    hz_summary *s = hz_summary_new("forecast");
    hz_summary_add(s, 0, "a", "forecast next 12 months: total %d.5K", k);
    hz_summary_add(s, 1, "b", "growth +%d%% per period", k);
    return s;
}

static const cJSON *get(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

static const char *str(const cJSON *o, const char *k)
{
    return cJSON_GetStringValue(get(o, k));
}

/* Narratives for n jobs through the environment's settings. */
static hz_status narrate(int n, hz_narrative_job *jobs, hz_summary **sums,
                         hz_narrative_ctx **nc, hz_error *err)
{
    hz_llm_settings set;
    hz_status s = hz_llm_settings_load(NULL, &set, err);
    if (s != HZ_OK)
        return s;
    set.client.timeout_s = 5;
    set.client.backoff_min_s = set.client.backoff_max_s = 0.01;
    s = hz_narrative_open(&set, NULL, NULL, nc, err);
    if (s != HZ_OK)
        return s;
    static char ids[8][16];
    for (int i = 0; i < n; i++) {
        snprintf(ids[i], sizeof ids[i], "job-%d", i + 1);
        sums[i] = mk_summary(i + 1);
        jobs[i] = (hz_narrative_job){.id = ids[i],
                                     .type = "forecast",
                                     .tenant = "acme",
                                     .summary = sums[i]};
    }
    return hz_narrative_run(*nc, jobs, (size_t)n, err);
}

static void narrate_free(int n, hz_narrative_job *jobs, hz_summary **sums,
                         hz_narrative_ctx *nc)
{
    for (int i = 0; i < n; i++) {
        hz_narrative_job_clear(&jobs[i]);
        hz_summary_free(sums[i]);
    }
    hz_narrative_close(nc);
}

static void azure_env(const char *deployment)
{
    clear_env();
    setenv("AZURE_OPENAI_ENDPOINT", stub_base, 1);
    setenv("AZURE_OPENAI_API_KEY", AZ_KEY, 1);
    setenv("AZURE_OPENAI_DEPLOYMENT", deployment, 1);
}

HZ_TEST(reasoning_model_batch_request_shape)
{
    if (!peers_up())
        return;
    stub_reset(NULL);
    azure_env("o3-mini");
    setenv("OPENAI_API_VERSION", "2025-04-01-preview", 1);
    hz_narrative_job jobs[3];
    hz_summary *sums[3];
    hz_narrative_ctx *nc = NULL;
    hz_error err;
    HZ_CHECK_MSG(narrate(3, jobs, sums, &nc, &err) == HZ_OK, "%s", err.msg);
    for (int i = 0; i < 3; i++)
        HZ_CHECK_MSG(jobs[i].status == HZ_OK && !jobs[i].is_template, "%s",
                     jobs[i].error);
    HZ_CHECK_STR(jobs[1].text, "narrative for job-2");
    HZ_CHECK(jobs[0].batch_jobs == 3);
    cJSON *reqs = stub_requests();
    HZ_CHECK(cJSON_GetArraySize(reqs) == 1);
    const cJSON *r = cJSON_GetArrayItem(reqs, 0);
    const cJSON *b = get(r, "body");
    HZ_CHECK_STR(str(r, "path"),
                 "/openai/deployments/o3-mini/chat/completions");
    HZ_CHECK_STR(str(get(r, "query"), "api-version"), "2025-04-01-preview");
    HZ_CHECK_STR(str(r, "auth"), "api-key");
    HZ_CHECK(get(b, "max_tokens") == NULL);
    HZ_CHECK(cJSON_IsNumber(get(b, "max_completion_tokens")));
    /* 3 narratives of 200 tokens plus the reasoning budget */
    HZ_CHECK_NEAR(get(b, "max_completion_tokens")->valuedouble, 3 * 200 + 1024,
                  0);
    HZ_CHECK(get(b, "temperature") == NULL);
    HZ_CHECK_STR(str(b, "reasoning_effort"), "low");
    HZ_CHECK(get(b, "model") == NULL); /* the deployment is in the path */
    const cJSON *rf = get(b, "response_format");
    HZ_CHECK_STR(str(rf, "type"), "json_schema");
    const cJSON *js = get(rf, "json_schema");
    HZ_CHECK_STR(str(js, "name"), "narratives");
    HZ_CHECK(cJSON_IsTrue(get(js, "strict")));
    const cJSON *schema = get(js, "schema");
    HZ_CHECK(cJSON_IsFalse(get(schema, "additionalProperties")));
    HZ_CHECK(cJSON_GetArraySize(get(schema, "required")) == 3);
    HZ_CHECK_STR(cJSON_GetArrayItem(get(schema, "required"), 2)->valuestring,
                 "job-3");
    HZ_CHECK_STR(str(get(get(schema, "properties"), "job-1"), "type"),
                 "string");
    cJSON_Delete(reqs);
    HZ_CHECK(hz_narrative_metrics_get(nc)->schema_mismatches == 0);
    narrate_free(3, jobs, sums, nc);
}

HZ_TEST(chat_model_keeps_temperature_and_single_is_text)
{
    if (!peers_up())
        return;
    stub_reset(NULL);
    azure_env("gpt-4o-mini");
    setenv("AZURE_OPENAI_API_VERSION", "2024-10-21", 1);
    setenv("OPENAI_API_VERSION", "2025-04-01-preview", 1);
    hz_narrative_job jobs[1];
    hz_summary *sums[1];
    hz_narrative_ctx *nc = NULL;
    hz_error err;
    HZ_CHECK_MSG(narrate(1, jobs, sums, &nc, &err) == HZ_OK, "%s", err.msg);
    HZ_CHECK_MSG(jobs[0].status == HZ_OK, "%s", jobs[0].error);
    cJSON *reqs = stub_requests();
    const cJSON *r = cJSON_GetArrayItem(reqs, 0);
    const cJSON *b = get(r, "body");
    /* AZURE_OPENAI_API_VERSION, Horizon's own, wins over the SDKs' */
    HZ_CHECK_STR(str(get(r, "query"), "api-version"), "2024-10-21");
    HZ_CHECK_NEAR(get(b, "temperature")->valuedouble, 0.2, 1e-9);
    HZ_CHECK_NEAR(get(b, "max_completion_tokens")->valuedouble, 200, 0);
    HZ_CHECK(get(b, "max_tokens") == NULL);
    HZ_CHECK(get(b, "reasoning_effort") == NULL);
    HZ_CHECK(get(b, "response_format") == NULL);
    HZ_CHECK_STR(str(cJSON_GetArrayItem(get(b, "messages"), 0), "role"),
                 "system");
    cJSON_Delete(reqs);
    narrate_free(1, jobs, sums, nc);
}

HZ_TEST(azure_v1_path_with_the_deployment_as_model)
{
    if (!peers_up())
        return;
    stub_reset(NULL);
    azure_env("gpt-5-mini");
    setenv("OPENAI_API_VERSION", "v1", 1);
    hz_narrative_job jobs[1];
    hz_summary *sums[1];
    hz_narrative_ctx *nc = NULL;
    hz_error err;
    HZ_CHECK_MSG(narrate(1, jobs, sums, &nc, &err) == HZ_OK, "%s", err.msg);
    HZ_CHECK_MSG(jobs[0].status == HZ_OK, "%s", jobs[0].error);
    cJSON *reqs = stub_requests();
    const cJSON *r = cJSON_GetArrayItem(reqs, 0);
    HZ_CHECK_STR(str(r, "path"), "/openai/v1/chat/completions");
    HZ_CHECK(get(get(r, "query"), "api-version") == NULL);
    HZ_CHECK_STR(str(get(r, "body"), "model"), "gpt-5-mini");
    HZ_CHECK(get(get(r, "body"), "temperature") == NULL);
    cJSON_Delete(reqs);
    narrate_free(1, jobs, sums, nc);
    /* an endpoint that already ends in /openai/v1 is not doubled */
    stub_reset(NULL);
    char ep[128];
    snprintf(ep, sizeof ep, "%s/openai/v1/", stub_base);
    azure_env("gpt-4.1");
    setenv("AZURE_OPENAI_ENDPOINT", ep, 1);
    HZ_CHECK_MSG(narrate(1, jobs, sums, &nc, &err) == HZ_OK, "%s", err.msg);
    HZ_CHECK_MSG(jobs[0].status == HZ_OK, "%s", jobs[0].error);
    reqs = stub_requests();
    HZ_CHECK_STR(str(cJSON_GetArrayItem(reqs, 0), "path"),
                 "/openai/v1/chat/completions");
    cJSON_Delete(reqs);
    narrate_free(1, jobs, sums, nc);
}

HZ_TEST(entra_id_bearer_token_for_azure_openai)
{
    if (!peers_up())
        return;
    stub_reset(NULL);
    azure_env("gpt-4o");
    unsetenv("AZURE_OPENAI_API_KEY");
    char ep[128];
    snprintf(ep, sizeof ep, "%s/msi/token", token_base);
    setenv("IDENTITY_ENDPOINT", ep, 1);
    setenv("IDENTITY_HEADER", IDENTITY_HEADER, 1);
    hz_narrative_job jobs[2];
    hz_summary *sums[2];
    hz_narrative_ctx *nc = NULL;
    hz_error err;
    HZ_CHECK_MSG(narrate(2, jobs, sums, &nc, &err) == HZ_OK, "%s", err.msg);
    HZ_CHECK_MSG(jobs[0].status == HZ_OK, "%s", jobs[0].error);
    cJSON *reqs = stub_requests();
    HZ_CHECK_STR(str(cJSON_GetArrayItem(reqs, 0), "auth"), "bearer-token");
    cJSON_Delete(reqs);
    narrate_free(2, jobs, sums, nc);
    /* a token for another audience: refused by the service, a new token
     * once, then the failure is reported (the template stays) */
    stub_reset(NULL);
    hz_llm_settings set;
    HZ_CHECK(hz_llm_settings_load(NULL, &set, &err) == HZ_OK);
    snprintf(set.client.entra_scope, sizeof set.client.entra_scope,
             "https://other.example.com/.default");
    set.client.backoff_min_s = set.client.backoff_max_s = 0.01;
    HZ_CHECK(hz_narrative_open(&set, NULL, NULL, &nc, &err) == HZ_OK);
    hz_summary *s = mk_summary(9);
    hz_narrative_job j = {.id = "x", .type = "forecast", .summary = s};
    HZ_CHECK(hz_narrative_run(nc, &j, 1, &err) == HZ_OK);
    HZ_CHECK(j.status == HZ_EINVAL && j.is_template && j.text != NULL);
    HZ_CHECK_CONTAINS(j.error, "HTTP 401");
    HZ_CHECK_CONTAINS(j.error, "wrong audience");
    HZ_CHECK(j.attempts == 2);
    HZ_CHECK(hz_narrative_llm_stats(nc)->token_refreshes == 1);
    HZ_CHECK(strstr(j.error, "eyJ") == NULL);
    hz_narrative_job_clear(&j);
    hz_summary_free(s);
    hz_narrative_close(nc);
    /* no key and no credential: the narrative service says why */
    clear_env();
    setenv("AZURE_OPENAI_ENDPOINT", stub_base, 1);
    setenv("AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://127.0.0.1:1", 1);
    HZ_CHECK(hz_llm_settings_load(NULL, &set, &err) == HZ_OK);
    HZ_CHECK(hz_narrative_open(&set, NULL, NULL, &nc, &err) == HZ_ENET);
    HZ_CHECK_CONTAINS(err.msg, "AZURE_OPENAI_API_KEY is not set");
    HZ_CHECK_CONTAINS(err.msg, "IMDS");
    clear_env();
}

HZ_TEST(keys_work_as_before)
{
    if (!peers_up())
        return;
    stub_reset(NULL);
    azure_env("gpt-4o-mini");
    hz_narrative_job jobs[1];
    hz_summary *sums[1];
    hz_narrative_ctx *nc = NULL;
    hz_error err;
    HZ_CHECK(narrate(1, jobs, sums, &nc, &err) == HZ_OK);
    HZ_CHECK(jobs[0].status == HZ_OK);
    narrate_free(1, jobs, sums, nc);
    /* OpenAI-style: bearer key, model in the body, default path */
    stub_reset(NULL);
    clear_env();
    char url[128];
    snprintf(url, sizeof url, "%s/v1", stub_base);
    setenv("OPENAI_BASE_URL", url, 1);
    setenv("OPENAI_API_KEY", AZ_KEY, 1);
    HZ_CHECK(narrate(1, jobs, sums, &nc, &err) == HZ_OK);
    HZ_CHECK_MSG(jobs[0].status == HZ_OK, "%s", jobs[0].error);
    cJSON *reqs = stub_requests();
    const cJSON *r = cJSON_GetArrayItem(reqs, 0);
    HZ_CHECK_STR(str(r, "auth"), "bearer-key");
    HZ_CHECK_STR(str(r, "path"), "/v1/chat/completions");
    HZ_CHECK_STR(str(get(r, "body"), "model"), "gpt-4o-mini");
    cJSON_Delete(reqs);
    narrate_free(1, jobs, sums, nc);
    /* a wrong key: 401, not retried, never printed */
    setenv("OPENAI_API_KEY", "sk-wrong-SECRET-1", 1);
    HZ_CHECK(narrate(1, jobs, sums, &nc, &err) == HZ_OK);
    HZ_CHECK(jobs[0].status == HZ_EINVAL && jobs[0].attempts == 1);
    HZ_CHECK(strstr(jobs[0].error, "SECRET") == NULL);
    narrate_free(1, jobs, sums, nc);
    clear_env();
}

/* A key in the endpoint's query string stays the query of every request
 * (the request's path goes in front of it, Azure's api-version is added
 * to it) and is never shown: errors name the URL with "?...". */
HZ_TEST(endpoint_query_is_kept_as_query_and_never_shown)
{
    if (!peers_up())
        return;
    hz_narrative_job jobs[1];
    hz_summary *sums[1];
    hz_narrative_ctx *nc = NULL;
    hz_error err;
    char url[160];
    stub_reset(NULL);
    clear_env();
    snprintf(url, sizeof url, "%s/v1?key=QSECRET2", stub_base);
    setenv("OPENAI_BASE_URL", url, 1);
    setenv("OPENAI_API_KEY", AZ_KEY, 1);
    HZ_CHECK(narrate(1, jobs, sums, &nc, &err) == HZ_OK);
    HZ_CHECK_MSG(jobs[0].status == HZ_OK, "%s", jobs[0].error);
    cJSON *reqs = stub_requests();
    const cJSON *r = cJSON_GetArrayItem(reqs, 0);
    HZ_CHECK_STR(str(r, "path"), "/v1/chat/completions");
    HZ_CHECK_STR(str(get(r, "query"), "key"), "QSECRET2");
    cJSON_Delete(reqs);
    narrate_free(1, jobs, sums, nc);
    /* a refused request: the error names the URL without the query */
    stub_reset("{\"status\":400,\"statusTimes\":1}");
    HZ_CHECK(narrate(1, jobs, sums, &nc, &err) == HZ_OK);
    HZ_CHECK(jobs[0].status == HZ_EINVAL);
    HZ_CHECK_CONTAINS(jobs[0].error, "/v1/chat/completions?...: HTTP 400");
    HZ_CHECK_MSG(strstr(jobs[0].error, "QSECRET2") == NULL, "%s",
                 jobs[0].error);
    narrate_free(1, jobs, sums, nc);
    /* Azure: the deployment's path, the endpoint's query and api-version */
    stub_reset(NULL);
    azure_env("gpt-4o-mini");
    snprintf(url, sizeof url, "%s/?sig=QSECRET3", stub_base);
    setenv("AZURE_OPENAI_ENDPOINT", url, 1);
    HZ_CHECK(narrate(1, jobs, sums, &nc, &err) == HZ_OK);
    HZ_CHECK_MSG(jobs[0].status == HZ_OK, "%s", jobs[0].error);
    reqs = stub_requests();
    r = cJSON_GetArrayItem(reqs, 0);
    HZ_CHECK_STR(str(r, "path"),
                 "/openai/deployments/gpt-4o-mini/chat/completions");
    HZ_CHECK_STR(str(get(r, "query"), "sig"), "QSECRET3");
    HZ_CHECK_STR(str(get(r, "query"), "api-version"), "2024-10-21");
    cJSON_Delete(reqs);
    narrate_free(1, jobs, sums, nc);
    clear_env();
}

/* A user name or password in the endpoint is refused, by the settings
 * and by the client, and the message does not show it. */
HZ_TEST(endpoint_with_user_and_password_is_refused_unshown)
{
    clear_env();
    setenv("OPENAI_BASE_URL", "http://bob:URLSECRET1@127.0.0.1:9/v1", 1);
    setenv("OPENAI_API_KEY", "sk-x", 1);
    hz_llm_settings set;
    hz_error err;
    HZ_CHECK(hz_llm_settings_load(NULL, &set, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "OPENAI_BASE_URL: a user name or password");
    HZ_CHECK_MSG(strstr(err.msg, "URLSECRET1") == NULL &&
                     strstr(err.msg, "bob") == NULL,
                 "%s", err.msg);
    clear_env();
    setenv("AZURE_OPENAI_ENDPOINT", "https://bob:AZSECRET9@h.example/", 1);
    HZ_CHECK(hz_llm_settings_load(NULL, &set, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "AZURE_OPENAI_ENDPOINT");
    HZ_CHECK(strstr(err.msg, "AZSECRET9") == NULL);
    clear_env();
    hz_llm_config c;
    hz_llm_config_init(&c);
    c.provider = HZ_LLM_OPENAI;
    snprintf(c.base_url, sizeof c.base_url, "%s",
             "http://bob:URLSECRET1@127.0.0.1:9/v1");
    hz_llm_client *cl = NULL;
    HZ_CHECK(hz_llm_client_new(&c, NULL, &cl, &err) == HZ_EINVAL);
    HZ_CHECK(cl == NULL);
    HZ_CHECK(strstr(err.msg, "URLSECRET1") == NULL);
}

/* ---- streams ---- */

typedef struct sink {
    char buf[8192];
    size_t len;
    int restarts;
} sink;

static void on_delta(const char *t, size_t n, void *ud)
{
    sink *s = ud;
    if (s->len + n < sizeof s->buf) {
        memcpy(s->buf + s->len, t, n);
        s->len += n;
        s->buf[s->len] = '\0';
    }
}

static void on_restart(int attempt, const char *why, void *ud)
{
    sink *s = ud;
    (void)attempt, (void)why;
    s->restarts++;
    s->len = 0;
    s->buf[0] = '\0';
}

#define LONG_TEXT                                                             \
    "revenue forecast next 12 months total 1.23M growth +8.2% peak Dec"

/* Stream one request through a client configured for the stub. */
static hz_status stream_one(double timeout, double idle, double deadline,
                            int attempts, sink *s, hz_llm_request *r,
                            hz_llm_stats *st, hz_error *err)
{
    hz_llm_config c;
    hz_llm_config_init(&c);
    c.provider = HZ_LLM_OPENAI;
    snprintf(c.base_url, sizeof c.base_url, "%s/v1", stub_base);
    snprintf(c.api_key, sizeof c.api_key, "%s", AZ_KEY);
    c.timeout_s = timeout;
    c.stream_idle_timeout_s = idle;
    c.stream_timeout_s = deadline;
    c.max_attempts = attempts;
    c.backoff_min_s = c.backoff_max_s = 0.01;
    hz_llm_client *cl = NULL;
    hz_status x = hz_llm_client_new(&c, NULL, &cl, err);
    if (x != HZ_OK)
        return x;
    static hz_chat_message m[1] = {{"user", LONG_TEXT}};
    *r = (hz_llm_request){.model = "gpt-4o-mini",
                          .messages = m,
                          .nmessages = 1,
                          .temperature = -1};
    memset(s, 0, sizeof *s);
    hz_llm_stream_cb cb = {on_delta, on_restart, s};
    x = hz_llm_stream(cl, r, &cb, err);
    *st = *hz_llm_client_stats(cl);
    hz_llm_client_free(cl);
    return x;
}

HZ_TEST(slow_healthy_stream_outlives_the_request_timeout)
{
    if (!peers_up())
        return;
    /* 10 chunks 0.4 s apart: 4 s in all, above the 1.5 s timeout that
     * is now the idle limit */
    stub_reset("{\"chunkMs\":400}");
    sink s;
    hz_llm_request r;
    hz_llm_stats st;
    hz_error err;
    double t0 = hz_now();
    hz_status x = stream_one(1.5, 0, 60, 3, &s, &r, &st, &err);
    double dt = hz_now() - t0;
    HZ_CHECK_MSG(x == HZ_OK, "%s", err.msg);
    HZ_CHECK(r.attempts == 1 && s.restarts == 0);
    HZ_CHECK_STR(r.content, "narrative: " LONG_TEXT);
    HZ_CHECK_STR(s.buf, r.content);
    HZ_CHECK(r.usage.present);
    HZ_CHECK_MSG(dt > 3.0, "took only %.2f s", dt);
    hz_llm_request_clear(&r);
}

HZ_TEST(stalled_stream_is_cut_by_the_idle_timeout_and_retried)
{
    if (!peers_up())
        return;
    stub_reset("{\"fault\":\"stall\",\"faultTimes\":1,\"stallAfter\":3,"
               "\"stallMs\":4000}");
    sink s;
    hz_llm_request r;
    hz_llm_stats st;
    hz_error err;
    double t0 = hz_now();
    hz_status x = stream_one(10, 1.0, 60, 3, &s, &r, &st, &err);
    double dt = hz_now() - t0;
    HZ_CHECK_MSG(x == HZ_OK, "%s", err.msg);
    HZ_CHECK(r.attempts == 2);
    HZ_CHECK(s.restarts == 1); /* text had been delivered */
    HZ_CHECK(st.idle_timeouts == 1 && st.stream_restarts == 1);
    HZ_CHECK_STR(s.buf, "narrative: " LONG_TEXT);
    HZ_CHECK_STR(r.content, s.buf);
    HZ_CHECK_MSG(dt < 3.5, "the stall was not cut at ~1 s (%.2f s)", dt);
    hz_llm_request_clear(&r);
}

HZ_TEST(malformed_truncated_and_error_streams_are_retried)
{
    if (!peers_up())
        return;
    static const char *faults[] = {"malformed", "truncate", "error"};
    for (int i = 0; i < 3; i++) {
        char cfg[160];
        snprintf(cfg, sizeof cfg,
                 "{\"fault\":\"%s\",\"faultTimes\":2,\"stallAfter\":2}",
                 faults[i]);
        stub_reset(cfg);
        sink s;
        hz_llm_request r;
        hz_llm_stats st;
        hz_error err;
        hz_status x = stream_one(5, 0, 60, 3, &s, &r, &st, &err);
        HZ_CHECK_MSG(x == HZ_OK, "%s: %s", faults[i], err.msg);
        HZ_CHECK_MSG(r.attempts == 3 && s.restarts == 2, "%s: %d attempts",
                     faults[i], r.attempts);
        HZ_CHECK_STR(r.content, "narrative: " LONG_TEXT);
        HZ_CHECK_STR(s.buf, r.content);
        hz_llm_request_clear(&r);
        /* beyond the budget: the failure says what happened */
        stub_reset(cfg);
        x = stream_one(5, 0, 60, 2, &s, &r, &st, &err);
        HZ_CHECK(x != HZ_OK && r.attempts == 2);
        HZ_CHECK_CONTAINS(err.msg, i == 0   ? "malformed"
                                   : i == 1 ? "truncated"
                                            : "server had an error");
        hz_llm_request_clear(&r);
    }
}

HZ_TEST(overall_stream_deadline_holds)
{
    if (!peers_up())
        return;
    stub_reset("{\"chunkMs\":300}");
    sink s;
    hz_llm_request r;
    hz_llm_stats st;
    hz_error err;
    double t0 = hz_now();
    hz_status x = stream_one(5, 0, 1.0, 1, &s, &r, &st, &err);
    HZ_CHECK(x == HZ_ETIMEOUT);
    HZ_CHECK(hz_now() - t0 < 2.5);
    hz_llm_request_clear(&r);
}

/* ---- the SSE parser, any chunking ---- */

typedef struct seen {
    char text[2048];
    size_t len;
} seen;

static void collect(const char *t, size_t n, void *ud)
{
    seen *s = ud;
    memcpy(s->text + s->len, t, n);
    s->len += n;
    s->text[s->len] = '\0';
}

/* Feed bytes in pieces of sizes from a seeded generator. */
static void feed_chunked(hz_chat_stream *cs, const char *b, size_t n,
                         unsigned seed)
{
    size_t at = 0;
    while (at < n) {
        seed = seed * 1103515245u + 12345u;
        size_t k = seed == 0 ? n : 1 + (seed >> 16) % 7;
        if (k > n - at)
            k = n - at;
        hz__chat_stream_feed(cs, b + at, k);
        at += k;
    }
}

HZ_TEST(sse_parser_gives_the_same_result_for_any_chunking)
{
    const char *stream =
        "\xEF\xBB\xBF: a comment\r\n"
        "event: message\r\n"
        "data: {\"choices\":[{\"delta\":{\"content\":\"Hello\"}}]}\r\n\r\n"
        "data: {\"choices\":[{\"delta\":{\"content\":\", wor\"}}]}\n\n"
        "data: {\"choices\":\n"
        "data: [{\"delta\":{\"content\":\"ld\"},\"finish_reason\":"
        "\"stop\"}]}\r\r"
        "id: 7\nretry: 100\n\n"
        "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,"
        "\"completion_tokens\":2,\"total_tokens\":5}}\n\n"
        "data: [DONE]\n\n";
    size_t n = strlen(stream);
    for (unsigned seed = 0; seed < 200; seed++) {
        seen s = {{0}, 0};
        hz_chat_stream cs;
        hz__chat_stream_init(&cs, 0, collect, &s);
        if (seed == 0)
            for (size_t i = 0; i < n; i++) /* one byte at a time */
                hz__chat_stream_feed(&cs, stream + i, 1);
        else
            feed_chunked(&cs, stream, n, seed);
        HZ_CHECK_MSG(cs.done && !cs.failed, "seed %u: %s", seed, cs.error);
        HZ_CHECK_STR(s.text, "Hello, world");
        HZ_CHECK_STR(cs.text.data, "Hello, world");
        HZ_CHECK_STR(cs.finish_reason, "stop");
        HZ_CHECK(cs.usage.present && cs.usage.total_tokens == 5);
        hz__chat_stream_free(&cs);
    }
    /* malformed data, an error event, an open event at the end */
    const char *bad[] = {"data: {\"choices\": [\n\n",
                         "data: {\"error\":{\"message\":\"boom\"}}\n\n",
                         "event: error\ndata: x\n\n",
                         "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}"
                         "}]}\n\ndata: [DONE]"};
    for (int i = 0; i < 4; i++) {
        hz_chat_stream cs;
        hz__chat_stream_init(&cs, 0, NULL, NULL);
        feed_chunked(&cs, bad[i], strlen(bad[i]), 7);
        HZ_CHECK_MSG(i == 3 ? (!cs.failed && !cs.done) : cs.failed, "case %d",
                     i);
        hz__chat_stream_free(&cs);
    }
    /* a line past the cap fails the stream */
    hz_chat_stream cs;
    hz__chat_stream_init(&cs, 64, NULL, NULL);
    char big[200];
    memset(big, 'x', sizeof big);
    HZ_CHECK(!hz__chat_stream_feed(&cs, big, sizeof big));
    HZ_CHECK(cs.failed);
    hz__chat_stream_free(&cs);
}

/* Token counts are read only when they are whole numbers from 0: an
 * empty usage is no usage, a missing count is 0, anything else (a string,
 * a negative, a fraction, 1e300) fails the stream instead of being cast
 * out of range (found by tests/fuzz/fuzz_sse.c). */
HZ_TEST(sse_usage_counts_are_read_strictly)
{
    static const struct {
        const char *usage;
        bool failed, present;
        long total;
    } cases[] = {
        {"{}", false, false, 0},
        {"{\"total_tokens\":9}", false, true, 9},
        {"{\"prompt_tokens\":null,\"total_tokens\":4}", false, true, 4},
        {"{\"total_tokens\":\"9\"}", true, false, 0},
        {"{\"total_tokens\":-3}", true, false, 0},
        {"{\"total_tokens\":2.5}", true, false, 0},
        {"{\"total_tokens\":1e300}", true, false, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char body[256];
        snprintf(body, sizeof body,
                 "data: {\"choices\":[],\"usage\":%s}\n\ndata: [DONE]\n\n",
                 cases[i].usage);
        hz_chat_stream cs;
        hz__chat_stream_init(&cs, 0, NULL, NULL);
        hz__chat_stream_feed(&cs, body, strlen(body));
        HZ_CHECK_MSG(cs.failed == cases[i].failed &&
                         cs.usage.present == cases[i].present &&
                         cs.usage.total_tokens == cases[i].total,
                     "usage %s: failed %d present %d total %ld",
                     cases[i].usage, cs.failed, cs.usage.present,
                     cs.usage.total_tokens);
        if (cases[i].failed)
            HZ_CHECK(strstr(cs.error, "usage") != NULL);
        hz__chat_stream_free(&cs);
    }
}

/* ---- capabilities and schemas ---- */

HZ_TEST(capability_table_and_overrides)
{
    hz_llm_caps c = hz_llm_caps_for("o3-mini", NULL, 0);
    HZ_CHECK(c.reasoning && !c.temperature && c.json == HZ_LLM_JSON_SCHEMA);
    c = hz_llm_caps_for("gpt-5-mini-2025-08-07", NULL, 0);
    HZ_CHECK(c.reasoning && !c.temperature);
    c = hz_llm_caps_for("gpt-5-chat-latest", NULL, 0);
    HZ_CHECK(!c.reasoning && c.temperature);
    c = hz_llm_caps_for("o1-mini", NULL, 0);
    HZ_CHECK(!c.system && c.json == HZ_LLM_JSON_NONE);
    c = hz_llm_caps_for("gpt-4o-mini", NULL, 0);
    HZ_CHECK(!c.reasoning && c.temperature && c.json == HZ_LLM_JSON_SCHEMA);
    c = hz_llm_caps_for("GPT-4-turbo", NULL, 0);
    HZ_CHECK(c.json == HZ_LLM_JSON_OBJECT);
    c = hz_llm_caps_for("gpt-40x", NULL, 0); /* not gpt-4 */
    HZ_CHECK(c.json == HZ_LLM_JSON_SCHEMA);
    c = hz_llm_caps_for("llama-3.1-8b-instruct", NULL, 0);
    HZ_CHECK(c.temperature && !c.max_tokens && !c.reasoning);
    hz_llm_cap_rule rules[HZ_LLM_MAX_CAPS];
    size_t n = 0;
    hz_error err;
    HZ_CHECK(hz_llm_caps_set(rules, &n, "narratives", "reasoning", &err) ==
             HZ_OK);
    HZ_CHECK(hz_llm_caps_set(rules, &n, "llama", "chat, max_tokens no_json",
                             &err) == HZ_OK);
    HZ_CHECK(hz_llm_caps_set(rules, &n, "gpt-4o", "no_temperature", &err) ==
             HZ_OK);
    HZ_CHECK(hz_llm_caps_set(rules, &n, "x", "telepathy", &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "telepathy");
    c = hz_llm_caps_for("narratives-prod", rules, n);
    HZ_CHECK(c.reasoning);
    c = hz_llm_caps_for("llama-3.1", rules, n);
    HZ_CHECK(c.max_tokens && c.json == HZ_LLM_JSON_NONE);
    c = hz_llm_caps_for("gpt-4o", rules, n); /* equal length: override */
    HZ_CHECK(!c.temperature);
    /* from the settings file */
    const char *ini = "[llm]\nreasoning_effort = minimal\n"
                      "reasoning_budget = 500\nstream_idle_timeout = 7\n"
                      "[capabilities]\nmy-deployment = reasoning\n";
    const char *path = hz_test_write_file("caps.ini", ini, strlen(ini));
    clear_env();
    hz_llm_settings set;
    HZ_CHECK_MSG(hz_llm_settings_load(path, &set, &err) == HZ_OK, "%s",
                 err.msg);
    HZ_CHECK(set.client.ncaps == 1 && set.client.reasoning_budget == 500);
    HZ_CHECK_STR(set.client.reasoning_effort, "minimal");
    HZ_CHECK_NEAR(set.client.stream_idle_timeout_s, 7, 0);
    HZ_CHECK(
        hz_llm_caps_for("my-deployment", set.client.caps, set.client.ncaps)
            .reasoning);
    const char *bad = "[capabilities]\nm = warp\n";
    path = hz_test_write_file("caps-bad.ini", bad, strlen(bad));
    HZ_CHECK(hz_llm_settings_load(path, &set, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "caps-bad.ini:2");
}

HZ_TEST(schema_check)
{
    const char *schema_text =
        "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"},"
        "\"b\":{\"type\":\"string\"}},\"required\":[\"a\",\"b\"],"
        "\"additionalProperties\":false}";
    cJSON *schema = cJSON_Parse(schema_text);
    char why[200];
    struct {
        const char *v;
        bool ok;
        const char *msg;
    } cases[] = {
        {"{\"a\":\"x\",\"b\":\"y\"}", true, ""},
        {"{\"a\":\"x\"}", false, "missing required property 'b'"},
        {"{\"a\":\"x\",\"b\":1}", false, "$.b: expected a string"},
        {"{\"a\":\"x\",\"b\":\"y\",\"c\":\"z\"}", false, "not allowed"},
        {"[1]", false, "expected an object"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *v = cJSON_Parse(cases[i].v);
        bool ok = hz__json_schema_check(schema, v, why, sizeof why);
        cJSON_Delete(v);
        HZ_CHECK_MSG(ok == cases[i].ok, "case %zu: %s", i, why);
        if (!ok)
            HZ_CHECK_CONTAINS(why, cases[i].msg);
    }
    HZ_CHECK(!hz__json_schema_check(schema, NULL, why, sizeof why));
    cJSON_Delete(schema);
}
