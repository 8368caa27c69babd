/* LLM client and narratives against real peers: @dwmkerr/mock-llm as the
 * OpenAI-compatible (and Azure-shaped) server, tests/peers/fault_proxy.js
 * for 429 + Retry-After, 503, timeouts and truncated streams.
 * Skips (clearly) only when node is absent. */
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>

#include "hz_test.h"
#include "llm/llm.h"
#include "llm/llm_config.h"
#include "llm_peers.h"
#include "narrative/narrative.h"
#include "store/store.h"

static pid_t mock_pid = -1;
static int mock_port;
static char mock_url[128];

static void stop_mock(void)
{
    peers_stop(mock_pid);
    mock_pid = -1;
}

/* Start mock-llm once per test binary; false = skip (no node). */
static bool mock_up(void)
{
    if (mock_pid > 0)
        return true;
    if (!peers_ready()) {
        hz_test_skip("node is not installed: mock-llm tests skipped");
        return false;
    }
    char cfg[4600];
    snprintf(cfg, sizeof cfg, "%s/tests/peers/mock_llm.yaml", peers_root());
    mock_pid = peers_start_mock_llm(cfg, hz_test_tmpdir(), &mock_port);
    if (mock_pid < 0) {
        fprintf(stderr, "mock-llm failed to start\n");
        exit(1);
    }
    snprintf(mock_url, sizeof mock_url, "http://127.0.0.1:%d/v1", mock_port);
    atexit(stop_mock);
    return true;
}

/* ---- virtual clock ---- */
typedef struct vclock {
    double t;
    double slept[256];
    int nslept;
    double waits[512]; /* from on_retry */
    double ras[512];
    int nwaits;
} vclock;

static double v_now(void *ctx)
{
    return ((vclock *)ctx)->t;
}

static void v_sleep(void *ctx, double s)
{
    vclock *v = ctx;
    if (v->nslept < 256)
        v->slept[v->nslept++] = s;
    v->t += s;
}

static void v_retry(void *ctx, const hz_llm_request *r, int attempt,
                    double wait_s, double ra)
{
    vclock *v = ctx;
    (void)r;
    (void)attempt;
    if (v->nwaits < 512) {
        v->waits[v->nwaits] = wait_s;
        v->ras[v->nwaits] = ra;
        v->nwaits++;
    }
}

static void base_config(hz_llm_config *c, const char *url)
{
    hz_llm_config_init(c);
    c->provider = HZ_LLM_OPENAI;
    snprintf(c->base_url, sizeof c->base_url, "%s", url);
    snprintf(c->api_key, sizeof c->api_key, "sk-test-SECRET0123456789");
    c->timeout_s = 5;
}

static hz_summary *mk_summary(const char *kind, const char *extra)
{
    hz_summary *s = hz_summary_new(kind);
    hz_summary_add(s, 0, "a",
                   "revenue forecast next 12 months: total "
                   "1.23M, +8.2%% vs last year%s%s",
                   extra ? " " : "", extra ? extra : "");
    hz_summary_add(s, 1, "b", "peak 2026-12 (182K, +24%% vs average)");
    hz_summary_add(s, 3, "c", "model: ETS(M,Ad,M)");
    return s;
}

HZ_TEST(echo_and_usage_recorded)
{
    if (!mock_up())
        return;
    hz_llm_config c;
    base_config(&c, mock_url);
    hz_llm_client *cl = NULL;
    hz_error err;
    HZ_CHECK(hz_llm_client_new(&c, NULL, &cl, &err) == HZ_OK);
    hz_chat_message m[2] = {{"system", "be brief"},
                            {"user", "he said \"hi\"\nand left"}};
    hz_llm_request r = {.model = "gpt-4o-mini",
                        .messages = m,
                        .nmessages = 2,
                        .temperature = 0.2};
    HZ_CHECK(hz_llm_run(cl, &r, 1, &err) == HZ_OK);
    HZ_CHECK_MSG(r.status == HZ_OK, "%s", r.error);
    HZ_CHECK_STR(r.content, "he said \"hi\"\nand left");
    HZ_CHECK(r.usage.present);
    HZ_CHECK(r.usage.prompt_tokens == (long)strlen(m[1].content));
    HZ_CHECK(r.usage.completion_tokens == 7);
    HZ_CHECK(r.attempts == 1);
    HZ_CHECK(hz_llm_client_stats(cl)->prompt_tokens == r.usage.prompt_tokens);
    hz_llm_request_clear(&r);
    hz_llm_client_free(cl);
}

HZ_TEST(no_retry_on_400_and_key_never_leaks)
{
    if (!mock_up())
        return;
    hz_llm_config c;
    base_config(&c, mock_url);
    vclock v = {0};
    hz_llm_hooks h = {&v, v_now, v_sleep, v_retry};
    hz_llm_client *cl = NULL;
    hz_error err;
    HZ_CHECK(hz_llm_client_new(&c, &h, &cl, &err) == HZ_OK);
    hz_chat_message m1[1] = {{"user", "please E400"}};
    hz_chat_message m2[1] = {{"user", "please E401"}};
    hz_llm_request r[2] = {
        {.model = "m", .messages = m1, .nmessages = 1, .temperature = -1},
        {.model = "m", .messages = m2, .nmessages = 1, .temperature = -1}};
    HZ_CHECK(hz_llm_run(cl, r, 2, &err) == HZ_OK);
    HZ_CHECK(r[0].status == HZ_EINVAL && r[0].attempts == 1);
    HZ_CHECK(r[0].http_status == 400);
    HZ_CHECK_CONTAINS(r[0].error, "HTTP 400");
    HZ_CHECK(r[1].status == HZ_EINVAL && r[1].attempts == 1);
    /* the server echoed the Authorization header in its message */
    HZ_CHECK_CONTAINS(r[1].error, "Incorrect API key provided");
    HZ_CHECK_CONTAINS(r[1].error, "[redacted]");
    HZ_CHECK_MSG(strstr(r[1].error, "SECRET0123456789") == NULL, "%s",
                 r[1].error);
    HZ_CHECK(v.nwaits == 0);
    HZ_CHECK(hz_llm_client_stats(cl)->status_4xx == 2);
    hz_llm_request_clear(&r[0]);
    hz_llm_request_clear(&r[1]);
    hz_llm_client_free(cl);
}

HZ_TEST(retries_503_with_default_backoff_bounds_virtual_clock)
{
    if (!mock_up())
        return;
    hz_llm_config c;
    base_config(&c, mock_url); /* defaults: 3 attempts, 4-10 s */
    HZ_CHECK(c.max_attempts == 3);
    HZ_CHECK(c.backoff_min_s == 4 && c.backoff_max_s == 10);
    vclock v = {.t = 1000};
    hz_llm_hooks h = {&v, v_now, v_sleep, v_retry};
    hz_llm_client *cl = NULL;
    hz_error err;
    HZ_CHECK(hz_llm_client_new(&c, &h, &cl, &err) == HZ_OK);
    hz_chat_message m[1] = {{"user", "always E503"}};
    hz_llm_request r[4];
    for (int i = 0; i < 4; i++)
        r[i] = (hz_llm_request){
            .model = "m", .messages = m, .nmessages = 1, .temperature = -1};
    double t0 = hz_now();
    HZ_CHECK(hz_llm_run(cl, r, 4, &err) == HZ_OK);
    double real = hz_now() - t0;
    for (int i = 0; i < 4; i++) {
        HZ_CHECK(r[i].status == HZ_ENET);
        HZ_CHECK(r[i].attempts == 3);
        HZ_CHECK(r[i].http_status == 503);
        hz_llm_request_clear(&r[i]);
    }
    HZ_CHECK(v.nwaits == 8); /* 2 retries x 4 requests */
    for (int i = 0; i < v.nwaits; i++) {
        HZ_CHECK(isnan(v.ras[i]));
        HZ_CHECK_MSG(v.waits[i] >= 4.0 && v.waits[i] <= 10.0,
                     "wait %g outside [4, 10]", v.waits[i]);
    }
    /* virtual time advanced by the waits; real time did not */
    HZ_CHECK(v.t - 1000 >= 8.0);
    HZ_CHECK(real < 5.0);
    HZ_CHECK(hz_llm_client_stats(cl)->retries == 8);
    hz_llm_client_free(cl);
}

HZ_TEST(retry_after_is_honoured_virtual_clock)
{
    if (!mock_up())
        return;
    /* every request answered 429 with retry-after-ms: 3000 */
    const char *extra[] = {"--rate",           "1",    "--faults", "429=1",
                           "--retry-after-ms", "3000", NULL};
    int pport;
    char target[64];
    snprintf(target, sizeof target, "http://127.0.0.1:%d", mock_port);
    pid_t pp = peers_start_fault_proxy(target, extra, hz_test_tmpdir(),
                                       &pport);
    HZ_CHECK(pp > 0);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1", pport);
    hz_llm_config c;
    base_config(&c, url);
    c.max_attempts = 4;
    vclock v = {0};
    hz_llm_hooks h = {&v, v_now, v_sleep, v_retry};
    hz_llm_client *cl = NULL;
    hz_error err;
    HZ_CHECK(hz_llm_client_new(&c, &h, &cl, &err) == HZ_OK);
    hz_chat_message m[1] = {{"user", "hello"}};
    hz_llm_request r = {
        .model = "m", .messages = m, .nmessages = 1, .temperature = -1};
    HZ_CHECK(hz_llm_run(cl, &r, 1, &err) == HZ_OK);
    peers_stop(pp);
    HZ_CHECK(r.status == HZ_ENET && r.http_status == 429);
    HZ_CHECK(r.attempts == 4);
    HZ_CHECK(v.nwaits == 3);
    for (int i = 0; i < v.nwaits; i++) {
        HZ_CHECK_NEAR(v.ras[i], 3.0, 1e-9);
        HZ_CHECK_NEAR(v.waits[i], 3.0, 1e-9); /* not the 4-10 s backoff */
    }
    HZ_CHECK_NEAR(v.t, 9.0, 1e-9);
    HZ_CHECK(hz_llm_client_stats(cl)->status_429 == 4);
    hz_llm_request_clear(&r);
    hz_llm_client_free(cl);
    /* Retry-After forms */
    HZ_CHECK_NEAR(hz__llm_parse_retry_after(" 7", 0), 7, 1e-12);
    HZ_CHECK_NEAR(hz__llm_parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT",
                                            1445412470.0),
                  10, 1e-9);
    HZ_CHECK(isnan(hz__llm_parse_retry_after("soon", 0)));
}

HZ_TEST(rate_limiter_virtual_clock)
{
    if (!mock_up())
        return;
    hz_llm_config c;
    base_config(&c, mock_url);
    c.rpm = 2;
    c.tpm = 1000;
    vclock v = {0};
    hz_llm_hooks h = {&v, v_now, v_sleep, v_retry};
    hz_llm_client *cl = NULL;
    hz_error err;
    HZ_CHECK(hz_llm_client_new(&c, &h, &cl, &err) == HZ_OK);
    hz_chat_message m[1] = {{"user", "hi"}};
    hz_llm_request r[5];
    for (int i = 0; i < 5; i++)
        r[i] = (hz_llm_request){.model = "m",
                                .messages = m,
                                .nmessages = 1,
                                .temperature = -1,
                                .prompt_tokens_est = 100};
    HZ_CHECK(hz_llm_run(cl, r, 5, &err) == HZ_OK);
    for (int i = 0; i < 5; i++) {
        HZ_CHECK(r[i].status == HZ_OK);
        hz_llm_request_clear(&r[i]);
    }
    /* 2 per minute: requests start at t = 0, 0, 60, 60, 120 */
    HZ_CHECK_NEAR(hz_llm_client_stats(cl)->limiter_wait_s, 120, 1e-6);
    HZ_CHECK_NEAR(v.t, 120, 1e-6);
    hz_llm_client_free(cl);

    /* tpm: 250 tokens a minute, 100 a request -> 2 per minute again */
    c.rpm = 0;
    c.tpm = 250;
    vclock v2 = {0};
    hz_llm_hooks h2 = {&v2, v_now, v_sleep, v_retry};
    HZ_CHECK(hz_llm_client_new(&c, &h2, &cl, &err) == HZ_OK);
    for (int i = 0; i < 5; i++)
        r[i] = (hz_llm_request){.model = "m",
                                .messages = m,
                                .nmessages = 1,
                                .temperature = -1,
                                .prompt_tokens_est = 100};
    HZ_CHECK(hz_llm_run(cl, r, 5, &err) == HZ_OK);
    for (int i = 0; i < 5; i++) {
        HZ_CHECK(r[i].status == HZ_OK);
        hz_llm_request_clear(&r[i]);
    }
    HZ_CHECK_NEAR(v2.t, 120, 1e-6);
    hz_llm_client_free(cl);
}

HZ_TEST(azure_deployment_url_and_api_key_header)
{
    if (!mock_up())
        return;
    hz_llm_config c;
    hz_llm_config_init(&c);
    c.provider = HZ_LLM_AZURE;
    snprintf(c.base_url, sizeof c.base_url, "http://127.0.0.1:%d/", mock_port);
    snprintf(c.api_key, sizeof c.api_key, "az-test-key-123");
    hz_llm_client *cl = NULL;
    hz_error err;
    HZ_CHECK(hz_llm_client_new(&c, NULL, &cl, &err) == HZ_OK);
    hz_chat_message m[1] = {{"user", "hello azure"}};
    hz_llm_request r = {.model = "narratives-small",
                        .messages = m,
                        .nmessages = 1,
                        .temperature = -1};
    HZ_CHECK(hz_llm_run(cl, &r, 1, &err) == HZ_OK);
    HZ_CHECK_MSG(r.status == HZ_OK, "%s", r.error);
    HZ_CHECK_STR(r.content, "azure /openai/deployments/narratives-small/chat/"
                            "completions");
    HZ_CHECK(r.usage.present && r.usage.total_tokens == 14);
    hz_llm_request_clear(&r);
    hz_llm_client_free(cl);
    /* a wrong key is a 401, not retried, and never printed */
    snprintf(c.api_key, sizeof c.api_key, "az-wrong-key-999");
    HZ_CHECK(hz_llm_client_new(&c, NULL, &cl, &err) == HZ_OK);
    HZ_CHECK(hz_llm_run(cl, &r, 1, &err) == HZ_OK);
    HZ_CHECK(r.status == HZ_EINVAL && r.http_status == 401 && r.attempts == 1);
    HZ_CHECK(strstr(r.error, "az-wrong-key-999") == NULL);
    hz_llm_request_clear(&r);
    hz_llm_client_free(cl);
}

typedef struct sink {
    char buf[4096];
    size_t len;
    int calls;
    int restarts;
} sink;

static void on_restart(int attempt, const char *why, void *ud)
{
    sink *s = ud;
    (void)attempt;
    (void)why;
    s->restarts++;
    s->len = 0; /* the text so far is void */
    s->buf[0] = '\0';
}

static void on_delta(const char *t, size_t n, void *ud)
{
    sink *s = ud;
    if (s->len + n < sizeof s->buf) {
        memcpy(s->buf + s->len, t, n);
        s->len += n;
        s->buf[s->len] = '\0';
    }
    s->calls++;
}

HZ_TEST(streaming_and_truncated_stream)
{
    if (!mock_up())
        return;
    hz_llm_config c;
    base_config(&c, mock_url);
    hz_llm_client *cl = NULL;
    hz_error err;
    HZ_CHECK(hz_llm_client_new(&c, NULL, &cl, &err) == HZ_OK);
    const char *text = "Revenue is forecast to grow 8.2% next year, with a "
                       "December peak; the \"at risk\" segment holds 14%.";
    hz_chat_message m[1] = {{"user", text}};
    hz_llm_request r = {
        .model = "m", .messages = m, .nmessages = 1, .temperature = -1};
    sink s = {0};
    hz_llm_stream_cb cb = {on_delta, on_restart, &s};
    HZ_CHECK(hz_llm_stream(cl, &r, &cb, &err) == HZ_OK);
    HZ_CHECK_STR(s.buf, text);
    HZ_CHECK_STR(r.content, text);
    HZ_CHECK(s.calls >= 5); /* chunks of 9 characters */
    HZ_CHECK_STR(r.finish_reason, "stop");
    hz_llm_request_clear(&r);
    hz_llm_client_free(cl);

    /* a stream cut after some text is retried (the consumer is told to
     * start again); cut every time, it fails after max_attempts */
    const char *extra[] = {"--rate",           "1",   "--faults", "truncate=1",
                           "--truncate-bytes", "300", NULL};
    int pport;
    char target[64], url[128];
    snprintf(target, sizeof target, "http://127.0.0.1:%d", mock_port);
    pid_t pp = peers_start_fault_proxy(target, extra, hz_test_tmpdir(),
                                       &pport);
    HZ_CHECK(pp > 0);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1", pport);
    base_config(&c, url);
    c.backoff_min_s = c.backoff_max_s = 0.01;
    HZ_CHECK(hz_llm_client_new(&c, NULL, &cl, &err) == HZ_OK);
    sink s2 = {0};
    hz_llm_stream_cb cb2 = {on_delta, on_restart, &s2};
    hz_status st = hz_llm_stream(cl, &r, &cb2, &err);
    peers_stop(pp);
    HZ_CHECK(st == HZ_ENET);
    HZ_CHECK(r.attempts == 3);
    HZ_CHECK(s2.restarts == 2);
    HZ_CHECK(s2.len > 0 && s2.len < strlen(text));
    HZ_CHECK(hz_llm_client_stats(cl)->stream_restarts == 2);
    HZ_CHECK_CONTAINS(err.msg, "truncated");
    hz_llm_request_clear(&r);
    hz_llm_client_free(cl);
}

static void narr_settings(hz_llm_settings *s, const char *url)
{
    hz_llm_settings_init(s);
    base_config(&s->client, url);
}

HZ_TEST(batching_splits_json_object_and_falls_back)
{
    if (!mock_up())
        return;
    hz_llm_settings set;
    narr_settings(&set, mock_url);
    set.batch_size = 4;
    hz_narrative_ctx *nc = NULL;
    hz_error err;
    HZ_CHECK(hz_narrative_open(&set, NULL, NULL, &nc, &err) == HZ_OK);
    HZ_CHECK(hz_narrative_enabled(nc));
    hz_summary *s[4];
    hz_narrative_job j[4];
    const char *ids[4] = {"j-b1", "j-b2", "j-b3", "j-b4"};
    memset(j, 0, sizeof j);
    for (int i = 0; i < 4; i++) {
        s[i] = mk_summary("forecast", ids[i]);
        j[i].id = ids[i];
        j[i].type = "forecast";
        j[i].tenant = "acme";
        j[i].summary = s[i];
    }
    HZ_CHECK(hz_narrative_run(nc, j, 4, &err) == HZ_OK);
    const char *want[4] = {"narrative one", "narrative two", "narrative three",
                           "narrative four"};
    for (int i = 0; i < 4; i++) {
        HZ_CHECK_MSG(j[i].status == HZ_OK, "%s", j[i].error);
        HZ_CHECK_STR(j[i].text, want[i]);
        HZ_CHECK(j[i].batch_jobs == 4);
        HZ_CHECK(j[i].usage.present && j[i].usage.total_tokens == 140);
    }
    const hz_narrative_metrics *m = hz_narrative_metrics_get(nc);
    HZ_CHECK(m->requests == 1);
    HZ_CHECK(m->batched_requests == 1 && m->batched_jobs == 4);
    HZ_CHECK(m->batch_fallbacks == 0);
    for (int i = 0; i < 4; i++)
        hz_narrative_job_clear(&j[i]);

    /* a reply that is not JSON: one request per job instead (echo) */
    const char *bad[3] = {"j-bad1", "j-bad2", "j-bad3"};
    for (int i = 0; i < 3; i++)
        j[i].id = bad[i];
    HZ_CHECK(hz_narrative_run(nc, j, 3, &err) == HZ_OK);
    for (int i = 0; i < 3; i++) {
        HZ_CHECK_MSG(j[i].status == HZ_OK, "%s", j[i].error);
        HZ_CHECK(j[i].batch_jobs == 1);
        /* the echo returns the job's own single prompt */
        HZ_CHECK_STR(j[i].text, j[i].prompt);
        HZ_CHECK_CONTAINS(j[i].text, ids[i]);
    }
    HZ_CHECK(m->batch_fallbacks == 1);
    HZ_CHECK(m->requests == 1 + 1 + 3);
    for (int i = 0; i < 4; i++) {
        hz_narrative_job_clear(&j[i]);
        hz_summary_free(s[i]);
    }
    hz_narrative_close(nc);
}

HZ_TEST(routing_by_job_type)
{
    if (!mock_up())
        return;
    const char *ini = "# routing test\n[llm]\nbatch_size = 1\n"
                      "max_prompt_tokens = 300\n[models]\n"
                      "default = small-model\nsuite = large-model\n"
                      "churn = 'churn-model'\n";
    const char *path = hz_test_write_file("llm.ini", ini, strlen(ini));
    hz_llm_settings set;
    hz_error err;
    unsetenv("HZ_LLM_MODEL");
    setenv("OPENAI_BASE_URL", mock_url, 1);
    HZ_CHECK_MSG(hz_llm_settings_load(path, &set, &err) == HZ_OK, "%s",
                 err.msg);
    unsetenv("OPENAI_BASE_URL");
    HZ_CHECK(set.client.provider == HZ_LLM_OPENAI);
    HZ_CHECK(set.batch_size == 1 && set.max_prompt_tokens == 300);
    HZ_CHECK_STR(hz_llm_model_for(&set, "suite"), "large-model");
    HZ_CHECK_STR(hz_llm_model_for(&set, "churn"), "churn-model");
    HZ_CHECK_STR(hz_llm_model_for(&set, "forecast"), "small-model");
    hz_narrative_ctx *nc = NULL;
    HZ_CHECK(hz_narrative_open(&set, NULL, NULL, &nc, &err) == HZ_OK);
    const char *types[3] = {"suite", "forecast", "churn"};
    const char *want[3] = {"model=large-model", "model=small-model",
                           "model=churn-model"};
    hz_summary *s[3];
    hz_narrative_job j[3];
    memset(j, 0, sizeof j);
    for (int i = 0; i < 3; i++) {
        s[i] = mk_summary(types[i], "ROUTE");
        j[i] = (hz_narrative_job){
            .id = types[i], .type = types[i], .tenant = "t", .summary = s[i]};
    }
    HZ_CHECK(hz_narrative_run(nc, j, 3, &err) == HZ_OK);
    for (int i = 0; i < 3; i++) {
        HZ_CHECK_MSG(j[i].status == HZ_OK, "%s", j[i].error);
        HZ_CHECK_STR(j[i].text, want[i]);
        HZ_CHECK_STR(j[i].model, want[i] + 6);
        hz_narrative_job_clear(&j[i]);
        hz_summary_free(s[i]);
    }
    hz_narrative_close(nc);
    /* a key in the file is refused */
    const char *bad = "[llm]\napi_key = sk-oops\n";
    path = hz_test_write_file("bad.ini", bad, strlen(bad));
    HZ_CHECK(hz_llm_settings_load(path, &set, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "environment only");
    HZ_CHECK(strstr(err.msg, "sk-oops") == NULL);
    const char *json = "{\"models\": {\"default\": \"m-json\"}, \"llm\": "
                       "{\"timeout\": 7}}";
    path = hz_test_write_file("llm.json", json, strlen(json));
    HZ_CHECK(hz_llm_settings_load(path, &set, &err) == HZ_OK);
    HZ_CHECK_STR(hz_llm_model_for(&set, "suite"), "m-json");
    HZ_CHECK(set.client.timeout_s == 7);
}

static void cache_roundtrip(hz_prompt_cache *cache, const char *label)
{
    hz_llm_settings set;
    narr_settings(&set, mock_url);
    set.cache_ttl_s = 3600;
    hz_narrative_ctx *nc = NULL;
    hz_error err;
    HZ_CHECK(hz_narrative_open(&set, cache, NULL, &nc, &err) == HZ_OK);
    hz_summary *s = mk_summary("forecast", label);
    hz_narrative_job j = {
        .id = "j-c1", .type = "forecast", .tenant = "acme", .summary = s};
    HZ_CHECK(hz_narrative_run(nc, &j, 1, &err) == HZ_OK);
    HZ_CHECK(j.status == HZ_OK && !j.cached);
    char *first = strdup(j.text);
    hz_narrative_job_clear(&j);
    /* same summary, another job id: a hit, no request */
    j.id = "j-c2";
    HZ_CHECK(hz_narrative_run(nc, &j, 1, &err) == HZ_OK);
    HZ_CHECK(j.status == HZ_OK && j.cached);
    HZ_CHECK_STR(j.text, first);
    const hz_narrative_metrics *m = hz_narrative_metrics_get(nc);
    HZ_CHECK(m->requests == 1);
    HZ_CHECK(m->cache_hits == 1 && m->cache_misses == 1);
    HZ_CHECK(m->tokens_saved > (long)j.prompt_tokens);
    /* another tenant does not share entries */
    hz_narrative_job_clear(&j);
    j.tenant = "other";
    HZ_CHECK(hz_narrative_run(nc, &j, 1, &err) == HZ_OK);
    HZ_CHECK(!j.cached && m->requests == 2);
    /* metrics carry hits/misses/saved, never the key */
    cJSON *mj = hz_narrative_metrics_json(nc);
    char *txt = cJSON_PrintUnformatted(mj);
    HZ_CHECK_CONTAINS(txt, "\"cacheHits\":1");
    HZ_CHECK(strstr(txt, "SECRET") == NULL);
    free(txt);
    cJSON_Delete(mj);
    hz_narrative_job_clear(&j);
    hz_summary_free(s);
    free(first);
    hz_narrative_close(nc);
}

HZ_TEST(prompt_cache_memory_and_ttl)
{
    if (!mock_up())
        return;
    hz_prompt_cache *c = hz_prompt_cache_memory();
    cache_roundtrip(c, "mem");
    /* TTL */
    hz_error err;
    char *v = NULL;
    long tok = 0, dropped = 0;
    HZ_CHECK(hz_prompt_cache_put(c, "t", "k1", "m", "text", 42, 3, 10, 1000,
                                 &err) == HZ_OK);
    HZ_CHECK(hz_prompt_cache_get(c, "t", "k1", 1009, &v, &tok, &dropped,
                                 &err) == HZ_OK);
    HZ_CHECK_STR(v, "text");
    HZ_CHECK(tok == 42);
    HZ_CHECK(dropped == 3); /* the items its prompt left out, kept */
    free(v);
    HZ_CHECK(hz_prompt_cache_get(c, "t", "k1", 1011, &v, &tok, &dropped,
                                 &err) == HZ_ENOTFOUND);
    hz_prompt_cache_free(c);
}

HZ_TEST(prompt_cache_in_sqlite_store)
{
    if (!mock_up())
        return;
    char spec[4200];
    snprintf(spec, sizeof spec, "sqlite:%s/cache.db", hz_test_tmpdir());
    hz_store *st = NULL;
    hz_error err;
    HZ_CHECK_MSG(hz_store_open(spec, &st, &err) == HZ_OK, "%s", err.msg);
    hz_prompt_cache *c = hz_prompt_cache_store(st);
    cache_roundtrip(c, "sqlite");
    /* the entry is a document of the "cache" container, with a TTL */
    cJSON *docs = NULL;
    char *next = NULL;
    hz_query q = {.container = HZ_STORE_CACHE, .customer_id = "acme"};
    HZ_CHECK(hz_store_query(st, &q, 100, NULL, &docs, &next, &err) == HZ_OK);
    HZ_CHECK(cJSON_GetArraySize(docs) == 1);
    cJSON *d = cJSON_GetArrayItem(docs, 0);
    HZ_CHECK(cJSON_IsNumber(cJSON_GetObjectItem(d, "expiresAt")));
    HZ_CHECK(strlen(cJSON_GetObjectItem(d, "id")->valuestring) == 64);
    cJSON_Delete(docs);
    free(next);
    char *v = NULL;
    long tok, dropped;
    HZ_CHECK(hz_prompt_cache_put(c, "t", "k2", "m", "x", 1, 2, 5, 100,
                                 &err) == HZ_OK);
    HZ_CHECK(hz_prompt_cache_get(c, "t", "k2", 104, &v, &tok, &dropped,
                                 &err) == HZ_OK);
    HZ_CHECK(dropped == 2);
    free(v);
    HZ_CHECK(hz_prompt_cache_put(c, "t", "k3", "m", "x", 1, -1, 5, 100,
                                 &err) == HZ_OK);
    HZ_CHECK(hz_prompt_cache_get(c, "t", "k3", 104, &v, &tok, &dropped,
                                 &err) == HZ_OK);
    HZ_CHECK(dropped == -1); /* not said */
    free(v);
    HZ_CHECK(hz_prompt_cache_get(c, "t", "k2", 106, &v, &tok, &dropped,
                                 &err) == HZ_ENOTFOUND);
    hz_prompt_cache_free(c);
    hz_store_close(st);
}

/* Offline: the template narrative, from the items the prompt would
 * carry, deterministic, marked as a template; nothing fails. */
HZ_TEST(offline_gives_the_template_narrative)
{
    hz_llm_settings set;
    hz_llm_settings_init(&set); /* provider NONE */
    hz_narrative_ctx *nc = NULL;
    hz_error err;
    HZ_CHECK(hz_narrative_open(&set, NULL, NULL, &nc, &err) == HZ_OK);
    HZ_CHECK(!hz_narrative_enabled(nc));
    hz_summary *s = mk_summary("forecast", NULL);
    hz_narrative_job j = {.id = "j", .type = "forecast", .summary = s};
    HZ_CHECK(hz_narrative_run(nc, &j, 1, &err) == HZ_OK);
    HZ_CHECK(j.status == HZ_OK && j.is_template);
    HZ_CHECK_STR(j.text, "Revenue forecast next 12 months: total 1.23M, "
                         "+8.2% vs last year. Peak 2026-12 (182K, +24% vs "
                         "average). Model: ETS(M,Ad,M).");
    HZ_CHECK(j.text_tokens > 10);
    HZ_CHECK(hz_narrative_metrics_get(nc)->failed == 0);
    HZ_CHECK(hz_narrative_metrics_get(nc)->templates == 1);
    cJSON *rec = hz_narrative_json(&j);
    HZ_CHECK_STR(
        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "source")),
        "template");
    HZ_CHECK_STR(
        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "model")),
        "template");
    cJSON_Delete(rec);
    /* the same summary gives the same text */
    char *first = strdup(j.text);
    HZ_CHECK(hz_narrative_run(nc, &j, 1, &err) == HZ_OK);
    HZ_CHECK_STR(j.text, first);
    free(first);
    /* a small budget drops the least important items, as the prompt does */
    hz_prompt_job pj = {"j", "forecast", s};
    hz_prompt_opts po = {130, NULL, NULL};
    char *t = NULL;
    size_t pt = 0;
    HZ_CHECK_MSG(hz_narrative_template(&pj, &po, &t, &pt, NULL, &err) == HZ_OK,
                 "%s", err.msg);
    HZ_CHECK(strstr(t, "Model:") == NULL && strstr(t, "Revenue") == t);
    HZ_CHECK(pt > 0 && pt <= 130);
    free(t);
    hz_narrative_job_clear(&j);
    hz_summary_free(s);
    hz_narrative_close(nc);
}

static double measured_sleep_total;
static void real_sleep(void *ctx, double s)
{
    (void)ctx;
    double t0 = hz_now();
    struct timespec ts = {(time_t)s, (long)((s - floor(s)) * 1e9)};
    nanosleep(&ts, NULL);
    measured_sleep_total += hz_now() - t0;
}

HZ_TEST(two_hundred_jobs_with_20pct_faults_all_complete)
{
    if (!mock_up())
        return;
    /* 20% of requests faulted: 429 with Retry-After (retry-after-ms 20),
       503, and delays (2.5 s) past the 1 s client timeout.  The proxy's
       faults are seeded; attempts are generous because on a loaded
       machine a genuine request may also exceed the timeout. */
    const char *extra[] = {"--rate",
                           "0.2",
                           "--seed",
                           "11",
                           "--faults",
                           "429=1,503=1,delay=1",
                           "--retry-after-ms",
                           "20",
                           "--delay-ms",
                           "2500",
                           NULL};
    int pport;
    char target[64], url[128];
    snprintf(target, sizeof target, "http://127.0.0.1:%d", mock_port);
    pid_t pp = peers_start_fault_proxy(target, extra, hz_test_tmpdir(),
                                       &pport);
    HZ_CHECK(pp > 0);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1", pport);
    hz_llm_settings set;
    narr_settings(&set, url);
    set.batch_size = 1;
    set.client.timeout_s = 1.0;
    set.client.max_attempts = 8;
    set.client.backoff_min_s = 0.02;
    set.client.backoff_max_s = 0.1;
    set.client.concurrency = 16;
    vclock v = {0};
    measured_sleep_total = 0;
    hz_llm_hooks h = {&v, NULL, real_sleep, v_retry};
    hz_narrative_ctx *nc = NULL;
    hz_error err;
    HZ_CHECK(hz_narrative_open(&set, NULL, &h, &nc, &err) == HZ_OK);
    enum { N = 200 };
    hz_summary **s = calloc(N, sizeof *s);
    hz_narrative_job *j = calloc(N, sizeof *j);
    char(*ids)[16] = calloc(N, 16);
    for (int i = 0; i < N; i++) {
        char extra_text[32];
        snprintf(ids[i], 16, "j-%03d", i);
        snprintf(extra_text, sizeof extra_text, "(series %d)", i);
        s[i] = mk_summary("forecast", extra_text);
        j[i] = (hz_narrative_job){.id = ids[i],
                                  .type = "forecast",
                                  .tenant = "acme",
                                  .summary = s[i]};
    }
    double t0 = hz_now();
    HZ_CHECK(hz_narrative_run(nc, j, N, &err) == HZ_OK);
    double wall = hz_now() - t0;
    int ok = 0;
    for (int i = 0; i < N; i++) {
        if (j[i].status == HZ_OK && j[i].text != NULL &&
            strcmp(j[i].text, j[i].prompt) == 0)
            ok++;
        else
            fprintf(stderr, "  job %s: %s\n", j[i].id, j[i].error);
    }
    const hz_llm_stats *ls = hz_narrative_llm_stats(nc);
    printf("  200 jobs: %d narratives, %ld HTTP attempts, %ld retries "
           "(%ld x 429, %ld x 5xx, %ld timeouts), backoff %.2f s (max "
           "%.3f s), measured sleeps %.2f s, wall %.2f s\n",
           ok, ls->requests, ls->retries, ls->status_429, ls->status_5xx,
           ls->timeouts, ls->backoff_s, ls->backoff_max_s,
           measured_sleep_total, wall);
    peers_stop(pp);
    HZ_CHECK(ok == N);
    HZ_CHECK(ls->retries >= 20); /* ~20% of >= 200 attempts */
    HZ_CHECK(ls->status_429 > 0 && ls->status_5xx > 0 && ls->timeouts > 0);
    /* every wait: the server's 20 ms for a 429, else within bounds */
    HZ_CHECK(v.nwaits == (int)ls->retries);
    for (int i = 0; i < v.nwaits; i++) {
        if (isfinite(v.ras[i]))
            HZ_CHECK_NEAR(v.waits[i], 0.020, 1e-9);
        else
            HZ_CHECK_MSG(v.waits[i] >= 0.02 && v.waits[i] <= 0.1, "wait %g",
                         v.waits[i]);
    }
    HZ_CHECK(ls->backoff_max_s <= 0.1);
    for (int i = 0; i < N; i++) {
        hz_narrative_job_clear(&j[i]);
        hz_summary_free(s[i]);
    }
    free(s);
    free(j);
    free(ids);
    hz_narrative_close(nc);
}

static size_t collect(char *p, size_t sz, size_t nm, void *ud)
{
    char *buf = ud;
    size_t have = strlen(buf), n = sz * nm;
    if (have + n < 1024) {
        memcpy(buf + have, p, n);
        buf[have + n] = '\0';
    }
    return n;
}

/* GET /__proxy/stats of the fault proxy into buf (1024 bytes). */
static void proxy_stats(int port, char *buf, size_t n)
{
    char url[96];
    buf[0] = '\0';
    snprintf(url, sizeof url, "http://127.0.0.1:%d/__proxy/stats", port);
    CURL *e = curl_easy_init();
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, buf);
    curl_easy_setopt(e, CURLOPT_TIMEOUT, 5L);
    curl_easy_perform(e);
    curl_easy_cleanup(e);
    (void)n;
}

HZ_TEST(dropped_connections_and_malformed_bodies_are_retried)
{
    if (!mock_up())
        return;
    const char *extra[] = {"--rate", "0.5",      "--seed",
                           "5",      "--faults", "drop=1,malformed=1",
                           NULL};
    int pport;
    char target[64], url[128];
    snprintf(target, sizeof target, "http://127.0.0.1:%d", mock_port);
    pid_t pp = peers_start_fault_proxy(target, extra, hz_test_tmpdir(),
                                       &pport);
    HZ_CHECK(pp > 0);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1", pport);
    hz_llm_config c;
    base_config(&c, url);
    c.max_attempts = 10;
    vclock v = {0};
    hz_llm_hooks h = {&v, v_now, v_sleep, v_retry}; /* virtual waits */
    hz_llm_client *cl = NULL;
    hz_error err;
    HZ_CHECK(hz_llm_client_new(&c, &h, &cl, &err) == HZ_OK);
    enum { N = 20 };
    hz_chat_message m[N][1];
    char text[N][32];
    hz_llm_request r[N];
    for (int i = 0; i < N; i++) {
        snprintf(text[i], sizeof text[i], "message %d", i);
        m[i][0] = (hz_chat_message){"user", text[i]};
        r[i] = (hz_llm_request){
            .model = "m", .messages = m[i], .nmessages = 1, .temperature = -1};
    }
    HZ_CHECK(hz_llm_run(cl, r, N, &err) == HZ_OK);
    char stats[1024];
    proxy_stats(pport, stats, sizeof stats);
    peers_stop(pp);
    int okn = 0;
    for (int i = 0; i < N; i++) {
        okn += r[i].status == HZ_OK && r[i].content &&
               strcmp(r[i].content, text[i]) == 0;
        hz_llm_request_clear(&r[i]);
    }
    const hz_llm_stats *s = hz_llm_client_stats(cl);
    printf("  proxy: %s; client: %ld bad bodies, %ld network errors\n", stats,
           s->bad_bodies, s->net_errors);
    HZ_CHECK(okn == N);
    /* drops were injected; curl itself retries a request whose reused
       connection died before any reply, so not every drop reaches us */
    cJSON *ps = cJSON_Parse(stats);
    cJSON *pf = cJSON_GetObjectItem(ps, "faults");
    HZ_CHECK(cJSON_GetNumberValue(cJSON_GetObjectItem(pf, "drop")) > 0);
    HZ_CHECK(cJSON_GetNumberValue(cJSON_GetObjectItem(pf, "malformed")) > 0);
    cJSON_Delete(ps);
    HZ_CHECK(s->bad_bodies > 0); /* malformed JSON reached the client */
    HZ_CHECK(s->retries == s->bad_bodies + s->net_errors);
    for (int i = 0; i < v.nwaits; i++)
        HZ_CHECK(v.waits[i] >= 4.0 && v.waits[i] <= 10.0);
    hz_llm_client_free(cl);
}

typedef struct hook_arg {
    cJSON *job;
    cJSON *summary;
    cJSON *out;
    hz_status st;
    hz_narrative_service *svc;
} hook_arg;

static void *hook_thread(void *p)
{
    hook_arg *a = p;
    hz_error err;
    a->st = hz_narrative_hook(a->svc, a->job, a->summary, NULL, &a->out,
                              &err);
    return NULL;
}

HZ_TEST(runner_hook_batches_concurrent_jobs)
{
    if (!mock_up())
        return;
    /* a runner-shaped summary (jobs/runner/exec.c) of a suite job */
    const char *sj =
        "{\"datasetRows\": 12000,"
        " \"churn\": {\"customers\": 1191, \"churn\": {\"churn_rate\": 0.43,"
        "   \"mean_risk\": 0.21, \"inactive_days\": 90}},"
        " \"clv\": {\"customers\": 1191, \"clv\": {\"horizon_months\": 12,"
        "   \"total\": 504989.8, \"discount_rate\": 0.01, \"bgnbd\": {},"
        "   \"quantiles\": {\"p10\": 14.6, \"p50\": 294.4, \"p90\": 971.2}}},"
        " \"segment\": {\"segments\": {\"rfm\": ["
        "   {\"segment\": \"champions\", \"size\": 139, \"revenue\": 359479},"
        "   {\"segment\": \"at risk\", \"size\": 166, \"revenue\": 134273},"
        "   {\"segment\": \"lost\", \"size\": 0, \"revenue\": 0}]}},"
        " \"forecast\": {\"error\": \"not run\"}}";
    cJSON *summary = cJSON_Parse(sj);
    HZ_CHECK(summary != NULL);
    hz_summary *s = NULL;
    hz_error err;
    HZ_CHECK(hz_summary_from_result_json("suite", summary, &s, &err) == HZ_OK);
    HZ_CHECK(s->items[0].importance == 0);
    HZ_CHECK_CONTAINS(s->items[0].text, "churn rate 43% of 1.19K");
    bool seg = false, clv = false;
    for (size_t i = 0; i < s->n; i++) {
        seg |= strstr(s->items[i].text, "'at risk': 54% of customers") != NULL;
        clv |= strstr(s->items[i].text, "p50 294") != NULL;
        HZ_CHECK(strstr(s->items[i].text, "'lost'") == NULL);
    }
    HZ_CHECK(seg && clv);
    hz_summary_free(s);

    setenv("OPENAI_BASE_URL", mock_url, 1);
    setenv("HZ_LLM_BATCH_SIZE", "4", 1);
    setenv("HZ_LLM_GATHER_MS", "300", 1); /* loaded machines */
    hz_narrative_service *svc = NULL;
    FILE *log = tmpfile();
    HZ_CHECK(hz_narrative_service_open(NULL, log, false, &svc) == HZ_OK);
    unsetenv("OPENAI_BASE_URL");
    unsetenv("HZ_LLM_BATCH_SIZE");
    unsetenv("HZ_LLM_GATHER_MS");
    HZ_CHECK(svc != NULL);
    const char *ids[4] = {"j-b1", "j-b2", "j-b3", "j-b4"};
    const char *want[4] = {"narrative one", "narrative two", "narrative three",
                           "narrative four"};
    hook_arg a[4];
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        a[i].job = cJSON_CreateObject();
        cJSON_AddStringToObject(a[i].job, "id", ids[i]);
        cJSON_AddStringToObject(a[i].job, "type", "suite");
        cJSON_AddStringToObject(a[i].job, "customerId", "acme");
        a[i].summary = summary;
        a[i].out = NULL;
        a[i].svc = svc;
        pthread_create(&th[i], NULL, hook_thread, &a[i]);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    int batched = 0;
    for (int i = 0; i < 4; i++) {
        HZ_CHECK(a[i].st == HZ_OK && a[i].out != NULL);
        const char *t = cJSON_GetStringValue(
            cJSON_GetObjectItem(a[i].out, "text"));
        HZ_CHECK(t != NULL);
        if (strcmp(t, want[i]) == 0 &&
            cJSON_GetNumberValue(cJSON_GetObjectItem(a[i].out, "batchJobs")) >
                1)
            batched++;
        cJSON_Delete(a[i].out);
        cJSON_Delete(a[i].job);
    }
    /* threads that arrive within the gathering window share one request */
    HZ_CHECK_MSG(batched >= 2, "only %d of 4 jobs were batched", batched);
    printf("  hook: %d of 4 concurrent jobs answered by one batched "
           "request\n",
           batched);
    hz_narrative_service_close(svc, log, NULL);
    rewind(log);
    char line[1024] = "";
    HZ_CHECK(fgets(line, sizeof line, log) != NULL);
    HZ_CHECK_CONTAINS(line, "narratives: 4 of 4 jobs");
    fclose(log);
    cJSON_Delete(summary);
}

HZ_TEST(settings_from_environment)
{
    hz_llm_settings s;
    hz_error err;
    unsetenv("OPENAI_BASE_URL");
    unsetenv("OPENAI_API_KEY");
    unsetenv("HZ_LLM_CONFIG");
    setenv("AZURE_OPENAI_ENDPOINT", "https://example.invalid", 1);
    setenv("AZURE_OPENAI_API_KEY", "az-env-key", 1);
    setenv("AZURE_OPENAI_DEPLOYMENT", "dep-small", 1);
    setenv("HZ_LLM_MODEL_SUITE", "dep-large", 1);
    setenv("HZ_LLM_RPM", "120", 1);
    HZ_CHECK_MSG(hz_llm_settings_load(NULL, &s, &err) == HZ_OK, "%s", err.msg);
    HZ_CHECK(s.client.provider == HZ_LLM_AZURE);
    HZ_CHECK_STR(s.client.api_version, "2024-10-21");
    HZ_CHECK_STR(s.client.api_key, "az-env-key");
    HZ_CHECK_STR(hz_llm_model_for(&s, "forecast"), "dep-small");
    HZ_CHECK_STR(hz_llm_model_for(&s, "suite"), "dep-large");
    HZ_CHECK(s.client.rpm == 120);
    setenv("HZ_LLM_BACKOFF_MIN", "20", 1);
    HZ_CHECK(hz_llm_settings_load(NULL, &s, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "HZ_LLM_BACKOFF_MAX");
    setenv("HZ_LLM_BACKOFF_MIN", "soon", 1);
    HZ_CHECK(hz_llm_settings_load(NULL, &s, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "HZ_LLM_BACKOFF_MIN");
    unsetenv("HZ_LLM_BACKOFF_MIN");
    unsetenv("AZURE_OPENAI_ENDPOINT");
    unsetenv("AZURE_OPENAI_API_KEY");
    unsetenv("AZURE_OPENAI_DEPLOYMENT");
    unsetenv("HZ_LLM_MODEL_SUITE");
    unsetenv("HZ_LLM_RPM");
    /* nothing set: offline */
    HZ_CHECK(hz_llm_settings_load(NULL, &s, &err) == HZ_OK);
    HZ_CHECK(s.client.provider == HZ_LLM_NONE);
    /* only a key: OpenAI's public endpoint */
    setenv("OPENAI_API_KEY", "sk-x", 1);
    HZ_CHECK(hz_llm_settings_load(NULL, &s, &err) == HZ_OK);
    HZ_CHECK(s.client.provider == HZ_LLM_OPENAI);
    HZ_CHECK_CONTAINS(s.client.base_url, "/v1");
    unsetenv("OPENAI_API_KEY");
}

/* What reports show: a job's narrative with its token counts, the stored
 * LLM one when there is one, else the template built from the summary. */
HZ_TEST(narrative_for_a_job_document)
{
    const char *doc_text =
        "{\"id\":\"r1\",\"type\":\"forecast\",\"customerId\":\"acme\","
        "\"status\":\"succeeded\",\"summary\":{\"datasetRows\":600,"
        "\"forecast\":{\"freq\":\"month\",\"series\":3,\"forecastSteps\":12,"
        "\"forecastTotal\":123456,\"last12Total\":110000,"
        "\"growthPerPeriod\":0.012}}}";
    cJSON *doc = cJSON_Parse(doc_text);
    hz_narrative_text t;
    hz_error err;
    HZ_CHECK_MSG(hz_narrative_for_job(doc, NULL, 0, &t, &err) == HZ_OK, "%s",
                 err.msg);
    HZ_CHECK(t.is_template);
    HZ_CHECK_STR(t.model, "template");
    const char *want = "Forecast next 12 months (3 series): total 123K";
    HZ_CHECK_MSG(strncmp(t.text, want, strlen(want)) == 0, "%s", t.text);
    HZ_CHECK(t.prompt_tokens > 0 && !t.prompt_exact);
    HZ_CHECK(t.completion_tokens > 5);
    char *first = strdup(t.text);
    hz_narrative_text_clear(&t);
    /* the runner stores the template on the job: the same text comes back */
    hz_summary *s = NULL;
    HZ_CHECK(hz_summary_from_result_json(
                 "forecast", cJSON_GetObjectItemCaseSensitive(doc, "summary"),
                 &s, &err) == HZ_OK);
    hz_llm_settings set;
    hz_llm_settings_init(&set);
    hz_narrative_ctx *nc = NULL;
    HZ_CHECK(hz_narrative_open(&set, NULL, NULL, &nc, &err) == HZ_OK);
    hz_narrative_job j = {.id = "r1", .type = "forecast", .summary = s};
    HZ_CHECK(hz_narrative_run(nc, &j, 1, &err) == HZ_OK);
    hz_narrative_to_doc(&j, doc);
    HZ_CHECK(hz_narrative_for_job(doc, NULL, 0, &t, &err) == HZ_OK);
    HZ_CHECK(t.is_template);
    HZ_CHECK_STR(t.text, first);
    HZ_CHECK(t.completion_tokens == (long)j.text_tokens);
    hz_narrative_text_clear(&t);
    hz_narrative_job_clear(&j);
    hz_narrative_close(nc);
    hz_summary_free(s);
    free(first);
    /* a stored LLM narrative, with the server's usage */
    cJSON_DeleteItemFromObjectCaseSensitive(doc, "narrative");
    cJSON *n = cJSON_AddObjectToObject(doc, "narrative");
    cJSON_AddStringToObject(n, "text", "Sales grow 1.2% a month.");
    cJSON_AddStringToObject(n, "source", "llm");
    cJSON_AddStringToObject(n, "model", "gpt-4o-mini");
    cJSON_AddNumberToObject(n, "promptTokens", 88);
    cJSON_AddBoolToObject(n, "promptTokensExact", 1);
    cJSON *u = cJSON_AddObjectToObject(n, "usage");
    cJSON_AddNumberToObject(u, "completionTokens", 9);
    HZ_CHECK(hz_narrative_for_job(doc, NULL, 0, &t, &err) == HZ_OK);
    HZ_CHECK(!t.is_template && t.prompt_tokens == 88 && t.prompt_exact);
    HZ_CHECK(t.completion_tokens == 9);
    HZ_CHECK_STR(t.model, "gpt-4o-mini");
    HZ_CHECK_STR(t.text, "Sales grow 1.2% a month.");
    hz_narrative_text_clear(&t);
    /* neither narrative nor summary */
    cJSON_DeleteItemFromObjectCaseSensitive(doc, "narrative");
    cJSON_DeleteItemFromObjectCaseSensitive(doc, "summary");
    HZ_CHECK(hz_narrative_for_job(doc, NULL, 0, &t, &err) == HZ_ENOTFOUND);
    HZ_CHECK_CONTAINS(err.msg, "r1");
    cJSON_Delete(doc);
}
