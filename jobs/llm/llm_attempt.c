/* One attempt of an LLM request: headers and authorization (API key or
 * Entra ID token), the transfer (a reply, or a stream with an idle
 * timeout), the verdict (success, retry, final failure) and the wait
 * before a retry.  See llm.h. */
#include "llm/llm_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <openssl/crypto.h>

#include "horizon/version.h"
#include "llm/json_schema.h"
#include "net/cjson.h"
#include "net/url.h"

/* ---- transfer callbacks ---- */

static size_t on_write(char *p, size_t sz, size_t nm, void *ud)
{
    hz__llm_slot *s = ud;
    size_t n = sz * nm;
    long code = 0;
    s->last_byte = hz_now();
    if (s->stream)
        curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &code);
    if (!s->stream || code != 200)
        return hz_netbuf_put(&s->resp, p, n) ? n : 0; /* 0: too big */
    return hz__chat_stream_feed(&s->cs, p, n) ? n : 0;
}

bool hz__llm_slot_canceled(const hz__llm_slot *s)
{
    return s->r->canceled != NULL && s->r->canceled(s->r->cancel_ud);
}

/* A request no longer wanted is given up; a stream silent for longer
 * than its idle timeout is cut. */
static int on_progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut,
                       curl_off_t un)
{
    hz__llm_slot *s = ud;
    (void)dt, (void)dn, (void)ut, (void)un;
    if (hz__llm_slot_canceled(s)) {
        s->cancel_cut = true;
        return 1;
    }
    if (s->stream && hz_now() - s->last_byte > s->idle_limit) {
        s->idle_cut = true;
        return 1;
    }
    return 0;
}

static size_t on_header(char *p, size_t sz, size_t nm, void *ud)
{
    hz__llm_slot *s = ud;
    size_t n = sz * nm;
    char h[256];
    size_t l = n < sizeof h - 1 ? n : sizeof h - 1;
    memcpy(h, p, l);
    h[l] = '\0';
    s->last_byte = hz_now();
    if (strncasecmp(h, "HTTP/", 5) == 0) {
        s->retry_after = NAN; /* a new response (e.g. after 100) */
        return n;
    }
    char *colon = strchr(h, ':');
    if (colon == NULL)
        return n;
    *colon = '\0';
    const char *v = colon + 1;
    if (strcasecmp(h, "retry-after-ms") == 0) {
        double ms = hz__llm_parse_retry_after(v, 0);
        if (isfinite(ms))
            s->retry_after = ms / 1000.0; /* preferred over Retry-After */
    } else if (strcasecmp(h, "retry-after") == 0 && isnan(s->retry_after)) {
        s->retry_after = hz__llm_parse_retry_after(v, (double)time(NULL));
    }
    return n;
}

/* ---- starting an attempt ---- */

void hz__llm_slot_release(hz__llm_slot *s)
{
    if (s->easy) {
        curl_easy_cleanup(s->easy);
        s->easy = NULL;
    }
    curl_slist_free_all(s->hdrs);
    s->hdrs = NULL;
    if (s->token != NULL) {
        OPENSSL_cleanse(s->token, strlen(s->token));
        free(s->token);
        s->token = NULL;
    }
}

void hz__llm_slot_free(hz__llm_slot *s)
{
    hz__llm_slot_release(s);
    free(s->body);
    s->body = NULL;
    hz_netbuf_free(&s->resp);
    hz__chat_stream_free(&s->cs);
}

hz_status hz__llm_slot_prepare(hz_llm_client *c, hz__llm_slot *s,
                               hz_error *err)
{
    hz_status st = hz__llm_build_url(&c->cfg, s->r->model, s->url,
                                     sizeof s->url, err);
    if (st != HZ_OK)
        return st;
    hz_url_redact(s->url, s->shown, sizeof s->shown);
    bool bad_schema = false;
    s->body = hz__llm_build_body(&c->cfg, s->r, s->stream, &bad_schema);
    if (s->body == NULL)
        return bad_schema ? hz_error_set(err, HZ_EINVAL,
                                         "llm: the request's JSON schema "
                                         "does not parse")
                          : hz_error_set(err, HZ_ENOMEM, "llm: out of memory");
    s->retry_after = NAN;
    s->resp.max = c->cfg.max_response_bytes;
    hz__chat_stream_init(&s->cs, c->cfg.max_response_bytes, s->cb.on_delta,
                         s->cb.ud);
    s->idle_limit = c->cfg.stream_idle_timeout_s > 0
                        ? c->cfg.stream_idle_timeout_s
                        : c->cfg.timeout_s;
    return HZ_OK;
}

/* The authorization header: "api-key" (Azure) or a bearer key, or an
 * Entra ID token (kept in s->token for a 401); NULL header = none. */
static hz_status auth_header(hz_llm_client *c, hz__llm_slot *s,
                             struct curl_slist **h)
{
    size_t cap = 16384;
    char *line = malloc(cap);
    if (line == NULL)
        return HZ_ENOMEM;
    hz_status st = HZ_OK;
    if (c->cfg.api_key[0] != '\0') {
        snprintf(line, cap, "%s%s",
                 c->cfg.provider == HZ_LLM_AZURE ? "api-key: "
                                                 : "Authorization: Bearer ",
                 c->cfg.api_key);
        *h = curl_slist_append(*h, line);
    } else if (c->entra != NULL) {
        hz_error e2;
        s->token = malloc(cap);
        st = s->token ? hz_entra_token(c->entra, s->token, cap, &e2)
                      : HZ_ENOMEM;
        if (st == HZ_OK) {
            snprintf(line, cap, "Authorization: Bearer %s", s->token);
            *h = curl_slist_append(*h, line);
        } else if (st != HZ_ENOMEM) {
            snprintf(s->r->error, sizeof s->r->error, "%s", e2.msg);
        }
    }
    OPENSSL_cleanse(line, cap);
    free(line);
    return st;
}

static void set_options(hz_llm_client *c, hz__llm_slot *s)
{
    CURL *e = s->easy;
    double total = s->stream ? c->cfg.stream_timeout_s : c->cfg.timeout_s;
    double conn = s->stream && s->idle_limit < c->cfg.timeout_s
                      ? s->idle_limit
                      : c->cfg.timeout_s;
    curl_easy_setopt(e, CURLOPT_URL, s->url);
    hz_http_set_proxy(e, s->url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, s->hdrs);
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, s->body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(s->body));
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, s);
    curl_easy_setopt(e, CURLOPT_PRIVATE, s);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, s->curl_err);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)(total * 1000.0 + 0.5));
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                     (long)(conn * 1000.0 + 0.5));
    if (s->stream || s->r->canceled != NULL) {
        curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(e, CURLOPT_XFERINFODATA, s);
    }
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_USERAGENT, "horizon/" HZ_VERSION_STRING);
    if (c->cfg.ca_file[0] != '\0')
        curl_easy_setopt(e, CURLOPT_CAINFO, c->cfg.ca_file);
}

hz_status hz__llm_slot_start(hz_llm_client *c, hz__llm_slot *s,
                             bool add_to_multi)
{
    hz__llm_slot_release(s);
    hz_netbuf_reset(&s->resp);
    hz__chat_stream_reset(&s->cs);
    s->retry_after = NAN;
    s->curl_err[0] = '\0';
    s->idle_cut = false;
    s->cancel_cut = false;
    s->last_byte = hz_now();
    s->easy = curl_easy_init();
    if (s->easy == NULL)
        return HZ_ENOMEM;
    struct curl_slist *h = NULL;
    h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h, "Expect:");
    if (s->stream)
        h = curl_slist_append(h, "Accept: text/event-stream");
    hz_status st = auth_header(c, s, &h);
    s->hdrs = h;
    if (st != HZ_OK) {
        s->r->status = st;
        return st;
    }
    if (h == NULL)
        return HZ_ENOMEM;
    set_options(c, s);
    c->stats.requests++;
    s->r->attempts++;
    if (add_to_multi && curl_multi_add_handle(c->multi, s->easy) != CURLM_OK)
        return HZ_ENOMEM;
    s->state = 1;
    return HZ_OK;
}

/* ---- the verdict ---- */

enum { FINAL_FAIL = 0, SUCCESS = 1, RETRY = -1 };

/* Parse a non-streamed 2xx body into r.  false when it does not parse
 * (no content, or a malformed usage object). */
static bool parse_reply(hz__llm_slot *s)
{
    hz_llm_request *r = s->r;
    cJSON *j = cJSON_ParseWithLength(s->resp.data ? s->resp.data : "",
                                     s->resp.len);
    cJSON *ch = cJSON_GetObjectItemCaseSensitive(j, "choices");
    cJSON *c0 = cJSON_IsArray(ch) ? cJSON_GetArrayItem(ch, 0) : NULL;
    cJSON *msg = c0 ? cJSON_GetObjectItemCaseSensitive(c0, "message") : NULL;
    const char *content = hz__cjson_str(msg, "content");
    if (content == NULL) {
        cJSON_Delete(j);
        return false;
    }
    free(r->content);
    r->content = strdup(content);
    const char *fr = hz__cjson_str(c0, "finish_reason");
    if (fr != NULL)
        snprintf(r->finish_reason, sizeof r->finish_reason, "%s", fr);
    cJSON *u = cJSON_GetObjectItemCaseSensitive(j, "usage");
    bool ok = !cJSON_IsObject(u) || hz__llm_usage_read(&r->usage, u);
    cJSON_Delete(j);
    return ok && r->content != NULL;
}

/* The server's error message from a JSON error body, scrubbed. */
static void server_message(const hz_llm_client *c, const hz__llm_slot *s,
                           char *out, size_t n)
{
    out[0] = '\0';
    cJSON *j = s->resp.data ? cJSON_ParseWithLength(s->resp.data, s->resp.len)
                            : NULL;
    /* {"error": {"message": M}}, {"error": M} or {"message": M} */
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
    const char *m = cJSON_IsObject(e) ? hz__cjson_str(e, "message")
                                      : hz__cjson_str(j, "error");
    if (m == NULL)
        m = hz__cjson_str(j, "message");
    if (m != NULL) { /* scrubbed whole, then cut: never half a key */
        char full[HZ_ERROR_MAX];
        snprintf(full, sizeof full, "%s", m);
        hz__llm_scrub(c, full, sizeof full);
        snprintf(out, n, "%.200s", full);
    }
    cJSON_Delete(j);
}

/* Check a reply against the request's JSON schema (when it has one). */
static void check_schema(hz_llm_client *c, hz_llm_request *r)
{
    if (r->json_schema == NULL || r->content == NULL)
        return;
    cJSON *schema = cJSON_Parse(r->json_schema);
    cJSON *v = cJSON_Parse(r->content);
    r->schema_ok = hz__json_schema_check(schema, v, r->schema_error,
                                         sizeof r->schema_error);
    if (!r->schema_ok)
        c->stats.schema_mismatches++;
    cJSON_Delete(schema);
    cJSON_Delete(v);
}

/* No HTTP answer, or a stream that broke: retried unless the transfer
 * cannot work (certificates, URL) or the reply is too large. */
static int verdict_transport(hz_llm_client *c, hz__llm_slot *s, CURLcode cc)
{
    hz_llm_request *r = s->r;
    if (s->resp.too_big || s->cs.sse.too_big || s->cs.text.too_big) {
        r->status = HZ_EPARSE;
        snprintf(r->error, sizeof r->error,
                 "POST %.200s: reply larger than %zu bytes", s->shown,
                 c->cfg.max_response_bytes);
        return FINAL_FAIL;
    }
    if (s->stream && s->cs.failed) {
        c->stats.bad_bodies++;
        r->status = HZ_EPARSE;
        snprintf(r->error, sizeof r->error, "POST %.200s: %.280s", s->shown,
                 s->cs.error);
        return RETRY;
    }
    bool timeout = cc == CURLE_OPERATION_TIMEDOUT || s->idle_cut;
    c->stats.timeouts += timeout;
    c->stats.net_errors += !timeout;
    c->stats.idle_timeouts += s->idle_cut;
    r->status = timeout ? HZ_ETIMEOUT : HZ_ENET;
    if (s->idle_cut)
        snprintf(r->error, sizeof r->error,
                 "POST %.200s: stream silent for more than %g s", s->shown,
                 s->idle_limit);
    else
        snprintf(
            r->error, sizeof r->error, "POST %.200s: %s%s%s%s%s", s->shown,
            s->stream && r->http_status == 200 ? "stream truncated (" : "",
            curl_easy_strerror(cc), s->curl_err[0] ? ": " : "", s->curl_err,
            s->stream && r->http_status == 200 ? ")" : "");
    hz__llm_scrub(c, r->error, sizeof r->error);
    if (cc == CURLE_PEER_FAILED_VERIFICATION ||
        cc == CURLE_SSL_CACERT_BADFILE || cc == CURLE_UNSUPPORTED_PROTOCOL ||
        cc == CURLE_URL_MALFORMAT)
        return FINAL_FAIL;
    return RETRY;
}

/* Given up (r->canceled): final, whatever the transfer did. */
static int verdict_canceled(hz__llm_slot *s)
{
    hz_llm_request *r = s->r;
    r->status = HZ_ECANCELED;
    snprintf(r->error, sizeof r->error,
             "POST %.200s: canceled (the answer is no longer wanted)",
             s->shown);
    return FINAL_FAIL;
}

/* A 2xx answer: the reply, or a damaged / truncated one (retried). */
static int verdict_ok(hz_llm_client *c, hz__llm_slot *s, long code)
{
    hz_llm_request *r = s->r;
    if (s->stream) {
        if (s->cs.failed)
            return verdict_transport(c, s, CURLE_OK);
        if (!s->cs.done) {
            c->stats.net_errors++;
            r->status = HZ_ENET;
            snprintf(r->error, sizeof r->error,
                     "POST %.200s: stream truncated (no [DONE])", s->shown);
            return RETRY;
        }
        free(r->content);
        r->content = strdup(s->cs.text.data ? s->cs.text.data : "");
        snprintf(r->finish_reason, sizeof r->finish_reason, "%s",
                 s->cs.finish_reason);
        r->usage = s->cs.usage;
    } else if (!parse_reply(s)) {
        c->stats.bad_bodies++;
        r->status = HZ_EPARSE;
        snprintf(r->error, sizeof r->error,
                 "POST %.200s: HTTP %ld with a reply that is not a chat "
                 "completion",
                 s->shown, code);
        return RETRY;
    }
    if (r->content == NULL) {
        r->status = HZ_ENOMEM;
        return FINAL_FAIL;
    }
    check_schema(c, r);
    r->status = HZ_OK;
    r->error[0] = '\0';
    return SUCCESS;
}

/* An error status: 408, 409, 429 and 5xx are retried; a 401 with an Entra
 * ID token once, with a new token.  Only 408 (HZ_ETIMEOUT), 429 and 5xx
 * (HZ_ENET) say the server cannot serve; a 409 (a conflict the official
 * SDKs retry) is, like any other 4xx, a refusal of this request
 * (HZ_EINVAL): the narrative step does not take it for an outage. */
static int verdict_status(hz_llm_client *c, hz__llm_slot *s, long code)
{
    hz_llm_request *r = s->r;
    char msg[240];
    server_message(c, s, msg, sizeof msg);
    snprintf(r->error, sizeof r->error, "POST %.200s: HTTP %ld%s%s", s->shown,
             code, msg[0] ? ": " : "", msg);
    if (code == 429)
        c->stats.status_429++;
    else if (code >= 500)
        c->stats.status_5xx++;
    else
        c->stats.status_4xx++;
    if (code == 408 || code == 429 || code >= 500) {
        r->status = code == 408 ? HZ_ETIMEOUT : HZ_ENET;
        return RETRY;
    }
    r->status = HZ_EINVAL;
    if (code == 409)
        return RETRY;
    if (code == 401 && c->entra != NULL && !s->reauthorized) {
        hz_entra_invalidate(c->entra, s->token);
        s->reauthorized = true;
        c->stats.token_refreshes++;
        s->retry_after = 0;
        return RETRY;
    }
    return FINAL_FAIL;
}

static int verdict(hz_llm_client *c, hz__llm_slot *s, CURLcode cc)
{
    long code = 0;
    curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &code);
    s->r->http_status = (int)code;
    if (cc != CURLE_OK && !(s->stream && s->cs.done && !s->cs.failed))
        return verdict_transport(c, s, cc);
    if (code >= 200 && code < 300)
        return verdict_ok(c, s, code);
    return verdict_status(c, s, code);
}

/* Wait before retry `attempt` (1-based count of failures so far). */
static double backoff_wait(hz_llm_client *c, int attempt, double ra)
{
    if (isfinite(ra) && ra >= 0)
        return ra < c->cfg.retry_after_max_s ? ra : c->cfg.retry_after_max_s;
    double lo = c->cfg.backoff_min_s, hi = c->cfg.backoff_max_s;
    double cap = lo * pow(2.0, attempt);
    if (cap > hi)
        cap = hi;
    if (cap < lo)
        cap = lo;
    return lo + hz__llm_rand01(c) * (cap - lo);
}

/* Schedule the retry of s after a retryable failure. */
static void schedule_retry(hz_llm_client *c, hz__llm_slot *s, double now)
{
    double w = backoff_wait(c, s->r->attempts, s->retry_after);
    c->stats.retries++;
    c->stats.backoff_s += w;
    if (w > c->stats.backoff_max_s)
        c->stats.backoff_max_s = w;
    if (c->hooks.on_retry)
        c->hooks.on_retry(c->hooks.ctx, s->r, s->r->attempts, w,
                          s->retry_after);
    if (s->stream && s->cs.delivered) {
        c->stats.stream_restarts++;
        if (s->cb.on_restart)
            s->cb.on_restart(s->r->attempts + 1, s->r->error, s->cb.ud);
    }
    s->ready_at = now + w;
    s->state = 0;
}

void hz__llm_slot_finish(hz_llm_client *c, hz__llm_slot *s, CURLcode cc,
                         double now)
{
    int k = s->cancel_cut ? verdict_canceled(s) : verdict(c, s, cc);
    if (k == SUCCESS) {
        c->stats.succeeded++;
        if (s->r->usage.present) {
            c->stats.prompt_tokens += s->r->usage.prompt_tokens;
            c->stats.completion_tokens += s->r->usage.completion_tokens;
        }
        s->state = 2;
    } else if (k == RETRY && s->r->attempts < c->cfg.max_attempts) {
        schedule_retry(c, s, now);
    } else {
        c->stats.failed++;
        if (s->r->status == HZ_OK)
            s->r->status = HZ_ENET;
        s->state = 2;
    }
    if (s->state == 2)
        s->r->latency_s = isfinite(s->first_start) ? now - s->first_start : 0;
    hz__llm_slot_release(s);
}
