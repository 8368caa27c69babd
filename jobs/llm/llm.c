/* OpenAI / Azure OpenAI chat-completions client.  See llm.h. */
#include "llm/llm.h"
#include "net/cjson.h"
#include "net/http.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <curl/curl.h>

#include "horizon/version.h"
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define HZ_LLM_WINDOW_S 60.0

typedef struct window_entry {
    double t;
    double tokens;
} window_entry;

struct hz_llm_client {
    hz_llm_config cfg;
    hz_llm_hooks hooks;
    CURLM *multi;
    uint64_t rng;
    window_entry *win;
    size_t nwin, capwin;
    hz_llm_stats stats;
    char url_cache[1200];
};

/* One request in flight or waiting. */
typedef struct slot {
    hz_llm_request *r;
    CURL *easy;
    struct curl_slist *hdrs;
    char *body;
    hz_netbuf resp;
    double retry_after; /* seconds, NaN = none */
    double ready_at;
    double first_start;
    int state; /* 0 waiting, 1 in flight, 2 done */
    char url[1200];
    char curl_err[CURL_ERROR_SIZE];
    /* streaming */
    bool stream;
    hz_netbuf line;
    bool got_done;
    bool delivered;
    bool stream_error;
    void (*on_delta)(const char *, size_t, void *);
    void *ud;
} slot;

const char *hz_llm_provider_name(hz_llm_provider p)
{
    switch (p) {
    case HZ_LLM_OPENAI: return "openai";
    case HZ_LLM_AZURE: return "azure";
    default: return "none";
    }
}

void hz_llm_config_init(hz_llm_config *c)
{
    memset(c, 0, sizeof *c);
    c->provider = HZ_LLM_NONE;
    snprintf(c->api_version, sizeof c->api_version, "2024-10-21");
    c->timeout_s = 60;
    c->max_attempts = 3;
    c->backoff_min_s = 4;
    c->backoff_max_s = 10;
    c->retry_after_max_s = 60;
    c->concurrency = 8;
    c->max_response_bytes = 4u << 20;
    c->seed = 20261127;
}

static const char *env(const char *name)
{
    const char *v = getenv(name);
    return v != NULL && v[0] != '\0' ? v : NULL;
}

static hz_status env_num(const char *name, double lo, double hi, double *out,
                         hz_error *err)
{
    const char *v = env(name);
    if (v == NULL)
        return HZ_OK;
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (errno != 0 || end == v || *end != '\0' || !(d >= lo && d <= hi))
        return hz_error_set(err, HZ_EINVAL,
                            "environment variable %s: expected a number in "
                            "[%g, %g], got '%s'",
                            name, lo, hi, v);
    *out = d;
    return HZ_OK;
}

hz_status hz_llm_config_from_env(hz_llm_config *c, hz_error *err)
{
    const char *az = env("AZURE_OPENAI_ENDPOINT");
    const char *oa_url = env("OPENAI_BASE_URL");
    const char *oa_key = env("OPENAI_API_KEY");
    if (az != NULL) {
        c->provider = HZ_LLM_AZURE;
        snprintf(c->base_url, sizeof c->base_url, "%s", az);
        snprintf(c->api_key, sizeof c->api_key, "%s",
                 env("AZURE_OPENAI_API_KEY") ? env("AZURE_OPENAI_API_KEY")
                                             : "");
        if (env("AZURE_OPENAI_API_VERSION"))
            snprintf(c->api_version, sizeof c->api_version, "%s",
                     env("AZURE_OPENAI_API_VERSION"));
    } else if (oa_url != NULL || oa_key != NULL) {
        c->provider = HZ_LLM_OPENAI;
        if (oa_url != NULL)
            snprintf(c->base_url, sizeof c->base_url, "%s", oa_url);
        else if (c->base_url[0] == '\0')
            snprintf(c->base_url, sizeof c->base_url, "%s",
                     "https://api.openai.com/v1");
        snprintf(c->api_key, sizeof c->api_key, "%s", oa_key ? oa_key : "");
    }
    double d;
    hz_status st = HZ_OK;
#define NUM(NAME, LO, HI, FIELD, CAST)                                        \
    d = (double)c->FIELD;                                                     \
    if ((st = env_num(NAME, LO, HI, &d, err)) != HZ_OK)                       \
        return st;                                                            \
    c->FIELD = (CAST)d;
    NUM("HZ_LLM_TIMEOUT", 0.001, 3600, timeout_s, double);
    NUM("HZ_LLM_MAX_ATTEMPTS", 1, 100, max_attempts, int);
    NUM("HZ_LLM_BACKOFF_MIN", 0, 3600, backoff_min_s, double);
    NUM("HZ_LLM_BACKOFF_MAX", 0, 3600, backoff_max_s, double);
    NUM("HZ_LLM_RPM", 0, 1e9, rpm, double);
    NUM("HZ_LLM_TPM", 0, 1e12, tpm, double);
    NUM("HZ_LLM_CONCURRENCY", 1, 1024, concurrency, int);
#undef NUM
    if (c->backoff_max_s < c->backoff_min_s)
        return hz_error_set(err, HZ_EINVAL,
                            "HZ_LLM_BACKOFF_MAX (%g) is below "
                            "HZ_LLM_BACKOFF_MIN (%g)",
                            c->backoff_max_s, c->backoff_min_s);
    if (env("HZ_LLM_CA_FILE"))
        snprintf(c->ca_file, sizeof c->ca_file, "%s", env("HZ_LLM_CA_FILE"));
    return HZ_OK;
}

void hz_llm_request_clear(hz_llm_request *r)
{
    if (r == NULL)
        return;
    free(r->content);
    r->content = NULL;
    r->status = HZ_OK;
    r->http_status = 0;
    r->attempts = 0;
    r->finish_reason[0] = '\0';
    memset(&r->usage, 0, sizeof r->usage);
    r->error[0] = '\0';
    r->latency_s = 0;
}

static double default_now(void *ctx)
{
    (void)ctx;
    return hz_now();
}

static void default_sleep(void *ctx, double s)
{
    (void)ctx;
    if (!(s > 0))
        return;
    struct timespec ts;
    ts.tv_sec = (time_t)s;
    ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

hz_status hz_llm_client_new(const hz_llm_config *cfg,
                            const hz_llm_hooks *hooks, hz_llm_client **out,
                            hz_error *err)
{
    *out = NULL;
    if (cfg == NULL || cfg->provider == HZ_LLM_NONE ||
        cfg->base_url[0] == '\0')
        return hz_error_set(err, HZ_EINVAL,
                            "llm: no endpoint configured (set "
                            "OPENAI_BASE_URL/OPENAI_API_KEY or "
                            "AZURE_OPENAI_ENDPOINT)");
    if (cfg->max_attempts < 1 || cfg->concurrency < 1 ||
        cfg->backoff_max_s < cfg->backoff_min_s || cfg->timeout_s <= 0)
        return hz_error_set(err, HZ_EINVAL,
                            "llm: bad settings (attempts %d, concurrency "
                            "%d, backoff %g-%g s, timeout %g s)",
                            cfg->max_attempts, cfg->concurrency,
                            cfg->backoff_min_s, cfg->backoff_max_s,
                            cfg->timeout_s);
    hz_net_init();
    hz_llm_client *c = calloc(1, sizeof *c);
    if (c == NULL)
        return hz_error_set(err, HZ_ENOMEM, "llm: out of memory");
    c->cfg = *cfg;
    if (hooks != NULL)
        c->hooks = *hooks;
    if (c->hooks.now == NULL)
        c->hooks.now = default_now;
    if (c->hooks.sleep == NULL)
        c->hooks.sleep = default_sleep;
    c->rng = cfg->seed ? cfg->seed * 0x9E3779B97F4A7C15ULL
                       : 88172645463325252ULL;
    c->multi = curl_multi_init();
    if (c->multi == NULL) {
        free(c);
        return hz_error_set(err, HZ_ENOMEM, "llm: curl_multi_init failed");
    }
    curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                      (long)cfg->concurrency);
    *out = c;
    return HZ_OK;
}

void hz_llm_client_free(hz_llm_client *c)
{
    if (c == NULL)
        return;
    curl_multi_cleanup(c->multi);
    free(c->win);
    /* wipe the key from memory before freeing */
    volatile char *k = c->cfg.api_key;
    for (size_t i = 0; i < sizeof c->cfg.api_key; i++)
        k[i] = 0;
    free(c);
}

const hz_llm_stats *hz_llm_client_stats(const hz_llm_client *c)
{
    return &c->stats;
}

static double rand01(hz_llm_client *c)
{
    uint64_t x = c->rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c->rng = x;
    return (double)(x >> 11) / 9007199254740992.0;
}

/* Replace every occurrence of the key, and any "sk-..." token, by
 * "[redacted]" in s (in place, s has room for n bytes). */
static void scrub(const hz_llm_client *c, char *s, size_t n)
{
    const char *key = c->cfg.api_key;
    size_t klen = strlen(key);
    char out[HZ_ERROR_MAX];
    size_t o = 0;
    for (size_t i = 0; s[i] != '\0' && o + 1 < sizeof out;) {
        bool hit = false;
        size_t skip = 0;
        if (klen >= 4 && strncmp(s + i, key, klen) == 0) {
            hit = true;
            skip = klen;
        } else if (strncmp(s + i, "sk-", 3) == 0 &&
                   (i == 0 || !isalnum((unsigned char)s[i - 1]))) {
            hit = true;
            skip = 3;
            while (s[i + skip] && (isalnum((unsigned char)s[i + skip]) ||
                                   s[i + skip] == '-' || s[i + skip] == '_' ||
                                   s[i + skip] == '*'))
                skip++;
        }
        if (hit) {
            const char *red = "[redacted]";
            for (size_t k = 0; red[k] && o + 1 < sizeof out; k++)
                out[o++] = red[k];
            i += skip;
        } else {
            out[o++] = s[i++];
        }
    }
    out[o] = '\0';
    snprintf(s, n, "%s", out);
}

/* ---- request construction ---- */

static hz_status build_url(const hz_llm_client *c, const char *model,
                           char *url, size_t n, hz_error *err)
{
    char base[600];
    snprintf(base, sizeof base, "%s", c->cfg.base_url);
    size_t bl = strlen(base);
    while (bl > 0 && base[bl - 1] == '/')
        base[--bl] = '\0';
    if (c->cfg.provider == HZ_LLM_AZURE) {
        if (model == NULL || model[0] == '\0')
            return hz_error_set(err, HZ_EINVAL,
                                "llm: Azure OpenAI needs a deployment name "
                                "(model)");
        char *esc = curl_easy_escape(NULL, model, 0);
        if (esc == NULL)
            return hz_error_set(err, HZ_ENOMEM, "llm: out of memory");
        snprintf(url, n,
                 "%s/openai/deployments/%s/chat/completions"
                 "?api-version=%s",
                 base, esc, c->cfg.api_version);
        curl_free(esc);
    } else {
        snprintf(url, n, "%s/chat/completions", base);
    }
    return HZ_OK;
}

static char *build_body(const hz_llm_client *c, const hz_llm_request *r,
                        bool stream)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    if (c->cfg.provider != HZ_LLM_AZURE && r->model != NULL)
        cJSON_AddStringToObject(o, "model", r->model);
    cJSON *msgs = cJSON_AddArrayToObject(o, "messages");
    for (size_t i = 0; i < r->nmessages; i++) {
        cJSON *m = cJSON_CreateObject();
        cJSON_AddStringToObject(m, "role", r->messages[i].role);
        cJSON_AddStringToObject(m, "content",
                                r->messages[i].content ? r->messages[i].content
                                                       : "");
        cJSON_AddItemToArray(msgs, m);
    }
    if (r->temperature >= 0)
        cJSON_AddNumberToObject(o, "temperature", r->temperature);
    if (r->max_completion_tokens > 0)
        cJSON_AddNumberToObject(o, "max_tokens", r->max_completion_tokens);
    if (r->json) {
        cJSON *rf = cJSON_AddObjectToObject(o, "response_format");
        cJSON_AddStringToObject(rf, "type", "json_object");
    }
    if (stream) {
        cJSON_AddBoolToObject(o, "stream", 1);
        cJSON *so = cJSON_AddObjectToObject(o, "stream_options");
        cJSON_AddBoolToObject(so, "include_usage", 1);
    }
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

/* ---- curl callbacks ---- */

static void sse_line(slot *s, char *line, size_t len);

static size_t on_write(char *p, size_t sz, size_t nm, void *ud)
{
    slot *s = ud;
    size_t n = sz * nm;
    long code = 0;
    if (s->stream) {
        curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &code);
    }
    if (!s->stream || code != 200) {
        if (!hz_netbuf_put(&s->resp, p, n))
            return 0; /* too big or ENOMEM: abort the transfer */
        return n;
    }
    /* SSE: split into lines, handle "data:" lines */
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\n') {
            size_t l = s->line.len;
            if (l > 0 && s->line.data[l - 1] == '\r')
                l--;
            if (s->line.data)
                s->line.data[l] = '\0';
            sse_line(s, s->line.data ? s->line.data : "", l);
            s->line.len = 0;
        } else if (!hz_netbuf_put(&s->line, p + i, 1)) {
            return 0;
        }
    }
    return n;
}

static void sse_line(slot *s, char *line, size_t len)
{
    if (len < 5 || strncmp(line, "data:", 5) != 0)
        return;
    char *d = line + 5;
    while (*d == ' ')
        d++;
    if (strcmp(d, "[DONE]") == 0) {
        s->got_done = true;
        return;
    }
    cJSON *j = cJSON_Parse(d);
    if (j == NULL) {
        s->stream_error = true;
        snprintf(s->r->error, sizeof s->r->error,
                 "stream: malformed event data");
        return;
    }
    cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
    if (e != NULL) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "message");
        s->stream_error = true;
        snprintf(s->r->error, sizeof s->r->error, "stream error: %s",
                 cJSON_IsString(m) ? m->valuestring : "(no message)");
    }
    cJSON *ch = cJSON_GetObjectItemCaseSensitive(j, "choices");
    cJSON *c0 = cJSON_IsArray(ch) ? cJSON_GetArrayItem(ch, 0) : NULL;
    if (c0 != NULL) {
        cJSON *delta = cJSON_GetObjectItemCaseSensitive(c0, "delta");
        cJSON *content = cJSON_GetObjectItemCaseSensitive(delta, "content");
        if (cJSON_IsString(content) && content->valuestring[0] != '\0') {
            size_t cl = strlen(content->valuestring);
            if (s->on_delta)
                s->on_delta(content->valuestring, cl, s->ud);
            hz_netbuf_put(&s->resp, content->valuestring, cl);
            s->delivered = true;
        }
        cJSON *fr = cJSON_GetObjectItemCaseSensitive(c0, "finish_reason");
        if (cJSON_IsString(fr))
            snprintf(s->r->finish_reason, sizeof s->r->finish_reason, "%s",
                     fr->valuestring);
    }
    cJSON *u = cJSON_GetObjectItemCaseSensitive(j, "usage");
    if (cJSON_IsObject(u)) {
        s->r->usage.present = true;
        s->r->usage.prompt_tokens = (long)cJSON_GetNumberValue(
            cJSON_GetObjectItemCaseSensitive(u, "prompt_tokens"));
        s->r->usage.completion_tokens = (long)cJSON_GetNumberValue(
            cJSON_GetObjectItemCaseSensitive(u, "completion_tokens"));
        s->r->usage.total_tokens = (long)cJSON_GetNumberValue(
            cJSON_GetObjectItemCaseSensitive(u, "total_tokens"));
    }
    cJSON_Delete(j);
}

double hz__llm_parse_retry_after(const char *v, double now_epoch)
{
    while (*v == ' ' || *v == '\t')
        v++;
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (end != v && errno == 0) {
        while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
            end++;
        if (*end == '\0')
            return d >= 0 ? d : NAN;
    }
    /* HTTP date, e.g. "Wed, 21 Oct 2015 07:28:00 GMT" */
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *rest = strptime(v, "%a, %d %b %Y %H:%M:%S", &tm);
    if (rest == NULL)
        return NAN;
    double t = (double)timegm(&tm);
    double w = t - now_epoch;
    return w > 0 ? w : 0;
}

static size_t on_header(char *p, size_t sz, size_t nm, void *ud)
{
    slot *s = ud;
    size_t n = sz * nm;
    char h[256];
    size_t l = n < sizeof h - 1 ? n : sizeof h - 1;
    memcpy(h, p, l);
    h[l] = '\0';
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

/* ---- one attempt ---- */

static void slot_release(slot *s)
{
    if (s->easy) {
        curl_easy_cleanup(s->easy);
        s->easy = NULL;
    }
    curl_slist_free_all(s->hdrs);
    s->hdrs = NULL;
}

static hz_status slot_prepare(hz_llm_client *c, slot *s, hz_error *err)
{
    hz_status st = build_url(c, s->r->model, s->url, sizeof s->url, err);
    if (st != HZ_OK)
        return st;
    s->body = build_body(c, s->r, s->stream);
    if (s->body == NULL)
        return hz_error_set(err, HZ_ENOMEM, "llm: out of memory");
    s->retry_after = NAN;
    s->resp.max = c->cfg.max_response_bytes;
    s->line.max = c->cfg.max_response_bytes;
    return HZ_OK;
}

static hz_status slot_start(hz_llm_client *c, slot *s, bool add_to_multi)
{
    char auth[600];
    slot_release(s);
    s->resp.len = 0;
    s->resp.too_big = false;
    if (s->resp.data)
        s->resp.data[0] = '\0';
    s->line.len = 0;
    s->retry_after = NAN;
    s->curl_err[0] = '\0';
    s->got_done = false;
    s->stream_error = false;
    s->easy = curl_easy_init();
    if (s->easy == NULL)
        return HZ_ENOMEM;
    struct curl_slist *h = NULL;
    h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h, "Expect:");
    if (s->stream)
        h = curl_slist_append(h, "Accept: text/event-stream");
    if (c->cfg.api_key[0] != '\0') {
        if (c->cfg.provider == HZ_LLM_AZURE)
            snprintf(auth, sizeof auth, "api-key: %s", c->cfg.api_key);
        else
            snprintf(auth, sizeof auth, "Authorization: Bearer %s",
                     c->cfg.api_key);
        h = curl_slist_append(h, auth);
        memset(auth, 0, sizeof auth);
    }
    s->hdrs = h;
    CURL *e = s->easy;
    curl_easy_setopt(e, CURLOPT_URL, s->url);
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
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
                     (long)(c->cfg.timeout_s * 1000.0 + 0.5));
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                     (long)(c->cfg.timeout_s * 1000.0 + 0.5));
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_USERAGENT, "horizon/" HZ_VERSION_STRING);
    if (c->cfg.ca_file[0] != '\0')
        curl_easy_setopt(e, CURLOPT_CAINFO, c->cfg.ca_file);
    c->stats.requests++;
    s->r->attempts++;
    if (add_to_multi && curl_multi_add_handle(c->multi, e) != CURLM_OK)
        return HZ_ENOMEM;
    s->state = 1;
    return HZ_OK;
}

/* Parse a non-streamed 2xx body into r.  false when it does not parse. */
static bool parse_reply(slot *s)
{
    hz_llm_request *r = s->r;
    cJSON *j = cJSON_ParseWithLength(s->resp.data ? s->resp.data : "",
                                     s->resp.len);
    if (j == NULL)
        return false;
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
    cJSON *fr = cJSON_GetObjectItemCaseSensitive(c0, "finish_reason");
    if (cJSON_IsString(fr))
        snprintf(r->finish_reason, sizeof r->finish_reason, "%s",
                 fr->valuestring);
    cJSON *u = cJSON_GetObjectItemCaseSensitive(j, "usage");
    if (cJSON_IsObject(u)) {
        r->usage.present = true;
        r->usage.prompt_tokens = (long)cJSON_GetNumberValue(
            cJSON_GetObjectItemCaseSensitive(u, "prompt_tokens"));
        r->usage.completion_tokens = (long)cJSON_GetNumberValue(
            cJSON_GetObjectItemCaseSensitive(u, "completion_tokens"));
        r->usage.total_tokens = (long)cJSON_GetNumberValue(
            cJSON_GetObjectItemCaseSensitive(u, "total_tokens"));
    }
    cJSON_Delete(j);
    return r->content != NULL;
}

/* The server's error message from a JSON error body, scrubbed. */
static void server_message(const hz_llm_client *c, const slot *s, char *out,
                           size_t n)
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
    if (m != NULL)
        snprintf(out, n, "%.200s", m);
    cJSON_Delete(j);
    scrub(c, out, n);
}

/* Classify a finished attempt.  Returns 1 success, 0 final failure,
 * -1 retryable failure.  Sets r->status, r->error, stats. */
static int classify(hz_llm_client *c, slot *s, CURLcode cc)
{
    hz_llm_request *r = s->r;
    long code = 0;
    curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &code);
    r->http_status = (int)code;
    char msg[240];
    if (cc != CURLE_OK && !(s->stream && s->got_done)) {
        if (s->resp.too_big || s->line.too_big) {
            r->status = HZ_EPARSE;
            snprintf(r->error, sizeof r->error,
                     "POST %.200s: reply larger than %zu bytes", s->url,
                     c->cfg.max_response_bytes);
            return 0;
        }
        bool timeout = cc == CURLE_OPERATION_TIMEDOUT;
        if (timeout)
            c->stats.timeouts++;
        else
            c->stats.net_errors++;
        r->status = timeout ? HZ_ETIMEOUT : HZ_ENET;
        snprintf(r->error, sizeof r->error, "POST %.200s: %s%s%s", s->url,
                 curl_easy_strerror(cc), s->curl_err[0] ? ": " : "",
                 s->curl_err);
        scrub(c, r->error, sizeof r->error);
        if (cc == CURLE_PEER_FAILED_VERIFICATION ||
            cc == CURLE_SSL_CACERT_BADFILE ||
            cc == CURLE_UNSUPPORTED_PROTOCOL || cc == CURLE_URL_MALFORMAT)
            return 0;
        if (s->stream && s->delivered) {
            snprintf(r->error, sizeof r->error,
                     "POST %.200s: stream truncated after partial output (%s)",
                     s->url, curl_easy_strerror(cc));
            return 0;
        }
        return -1;
    }
    if (code >= 200 && code < 300) {
        if (s->stream) {
            if (s->stream_error) {
                c->stats.bad_bodies++;
                r->status = HZ_EPARSE;
                return s->delivered ? 0 : -1;
            }
            if (!s->got_done) {
                c->stats.net_errors++;
                r->status = HZ_ENET;
                snprintf(r->error, sizeof r->error,
                         "POST %.200s: stream truncated (no [DONE])", s->url);
                return s->delivered ? 0 : -1;
            }
            free(r->content);
            r->content = strdup(s->resp.data ? s->resp.data : "");
            r->status = r->content ? HZ_OK : HZ_ENOMEM;
            return r->content ? 1 : 0;
        }
        if (!parse_reply(s)) {
            c->stats.bad_bodies++;
            r->status = HZ_EPARSE;
            snprintf(r->error, sizeof r->error,
                     "POST %.200s: HTTP %ld with a reply that is not a chat "
                     "completion",
                     s->url, code);
            return -1;
        }
        r->status = HZ_OK;
        r->error[0] = '\0';
        return 1;
    }
    server_message(c, s, msg, sizeof msg);
    snprintf(r->error, sizeof r->error, "POST %.200s: HTTP %ld%s%s", s->url,
             code, msg[0] ? ": " : "", msg);
    if (code == 429)
        c->stats.status_429++;
    else if (code >= 500)
        c->stats.status_5xx++;
    else
        c->stats.status_4xx++;
    if (code == 408 || code == 409 || code == 429 || code >= 500) {
        r->status = code == 408 ? HZ_ETIMEOUT : HZ_ENET;
        return -1;
    }
    r->status = HZ_EINVAL;
    return 0;
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
    return lo + rand01(c) * (cap - lo);
}

/* After a finished attempt: done, or schedule a retry. */
static void finish_attempt(hz_llm_client *c, slot *s, CURLcode cc, double now)
{
    int k = classify(c, s, cc);
    if (k == 1) {
        c->stats.succeeded++;
        if (s->r->usage.present) {
            c->stats.prompt_tokens += s->r->usage.prompt_tokens;
            c->stats.completion_tokens += s->r->usage.completion_tokens;
        }
        s->state = 2;
    } else if (k == -1 && s->r->attempts < c->cfg.max_attempts) {
        double w = backoff_wait(c, s->r->attempts, s->retry_after);
        c->stats.retries++;
        c->stats.backoff_s += w;
        if (w > c->stats.backoff_max_s)
            c->stats.backoff_max_s = w;
        if (c->hooks.on_retry)
            c->hooks.on_retry(c->hooks.ctx, s->r, s->r->attempts, w,
                              s->retry_after);
        s->ready_at = now + w;
        s->state = 0;
    } else {
        c->stats.failed++;
        if (s->r->status == HZ_OK)
            s->r->status = HZ_ENET;
        s->state = 2;
    }
    if (s->state == 2)
        s->r->latency_s = now - s->first_start;
    slot_release(s);
}

/* ---- limiter ---- */

static void win_prune(hz_llm_client *c, double now)
{
    size_t k = 0;
    while (k < c->nwin && c->win[k].t <= now - HZ_LLM_WINDOW_S)
        k++;
    if (k > 0) {
        memmove(c->win, c->win + k, (c->nwin - k) * sizeof *c->win);
        c->nwin -= k;
    }
}

/* Earliest time >= now at which a request of `tokens` may start. */
static double limiter_next(hz_llm_client *c, double now, double tokens)
{
    win_prune(c, now);
    double t = now;
    if (c->cfg.rpm > 0 && (double)c->nwin >= c->cfg.rpm) {
        size_t k = c->nwin - (size_t)c->cfg.rpm;
        double tt = c->win[k].t + HZ_LLM_WINDOW_S;
        if (tt > t)
            t = tt;
    }
    if (c->cfg.tpm > 0 && c->nwin > 0) {
        double sum = 0;
        for (size_t i = 0; i < c->nwin; i++)
            sum += c->win[i].tokens;
        size_t k = 0;
        while (k < c->nwin && sum + tokens > c->cfg.tpm) {
            sum -= c->win[k].tokens;
            k++;
        }
        if (k > 0) {
            double tt = c->win[k - 1].t + HZ_LLM_WINDOW_S;
            if (tt > t)
                t = tt;
        }
    }
    return t;
}

static bool limiter_take(hz_llm_client *c, double now, double tokens)
{
    if (c->cfg.rpm <= 0 && c->cfg.tpm <= 0)
        return true;
    if (c->nwin == c->capwin) {
        size_t cap = c->capwin ? c->capwin * 2 : 64;
        window_entry *nw = realloc(c->win, cap * sizeof *nw);
        if (nw == NULL)
            return false;
        c->win = nw;
        c->capwin = cap;
    }
    c->win[c->nwin].t = now;
    c->win[c->nwin].tokens = tokens;
    c->nwin++;
    return true;
}

static double req_tokens(const hz_llm_request *r)
{
    return (double)r->prompt_tokens_est +
           (double)(r->max_completion_tokens > 0 ? r->max_completion_tokens
                                                 : 0);
}

/* ---- drivers ---- */

hz_status hz_llm_run(hz_llm_client *c, hz_llm_request *reqs, size_t n,
                     hz_error *err)
{
    hz_status st = HZ_OK;
    slot *slots = calloc(n ? n : 1, sizeof *slots);
    if (slots == NULL)
        return hz_error_set(err, HZ_ENOMEM, "llm: out of memory");
    size_t ndone = 0, inflight = 0;
    double t0 = c->hooks.now(c->hooks.ctx);
    for (size_t i = 0; i < n; i++) {
        hz_llm_request_clear(&reqs[i]);
        slots[i].r = &reqs[i];
        slots[i].ready_at = t0;
        slots[i].first_start = NAN;
        hz_error e2;
        if (slot_prepare(c, &slots[i], &e2) != HZ_OK) {
            reqs[i].status = e2.status;
            snprintf(reqs[i].error, sizeof reqs[i].error, "%s", e2.msg);
            slots[i].state = 2;
            c->stats.failed++;
            ndone++;
        }
    }
    size_t next_scan = 0;
    while (ndone < n) {
        double now = c->hooks.now(c->hooks.ctx);
        double wake = INFINITY;
        bool limited = false;
        /* start what is ready, in order */
        for (size_t k = 0; k < n && inflight < (size_t)c->cfg.concurrency;
             k++) {
            size_t i = (next_scan + k) % n;
            slot *s = &slots[i];
            if (s->state != 0)
                continue;
            if (s->ready_at > now) {
                if (s->ready_at < wake)
                    wake = s->ready_at;
                continue;
            }
            double tk = req_tokens(s->r);
            double lt = limiter_next(c, now, tk);
            if (lt > now) {
                if (lt < wake)
                    wake = lt;
                limited = true;
                break;
            }
            limiter_take(c, now, tk);
            if (isnan(s->first_start))
                s->first_start = now;
            if (slot_start(c, s, true) != HZ_OK) {
                st = hz_error_set(err, HZ_ENOMEM,
                                  "llm: cannot start a "
                                  "request");
                goto out;
            }
            inflight++;
        }
        for (size_t i = 0; i < n; i++)
            if (slots[i].state == 0 && slots[i].ready_at > now &&
                slots[i].ready_at < wake)
                wake = slots[i].ready_at;
        if (inflight == 0) {
            if (isfinite(wake) && wake > now) {
                c->hooks.sleep(c->hooks.ctx, wake - now);
                if (limited)
                    c->stats.limiter_wait_s += wake - now;
            }
            continue;
        }
        int running = 0;
        curl_multi_perform(c->multi, &running);
        CURLMsg *m;
        int left;
        bool any = false;
        while ((m = curl_multi_info_read(c->multi, &left)) != NULL) {
            if (m->msg != CURLMSG_DONE)
                continue;
            slot *s = NULL;
            curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&s);
            CURLcode cc = m->data.result;
            curl_multi_remove_handle(c->multi, m->easy_handle);
            inflight--;
            finish_attempt(c, s, cc, c->hooks.now(c->hooks.ctx));
            if (s->state == 2)
                ndone++;
            any = true;
        }
        if (!any && running > 0) {
            double ms = isfinite(wake) ? (wake - now) * 1000.0 : 200.0;
            if (ms > 200)
                ms = 200;
            if (ms < 1)
                ms = 1;
            curl_multi_poll(c->multi, NULL, 0, (int)ms, NULL);
        }
        next_scan = (next_scan + 1) % (n ? n : 1);
    }
out:
    for (size_t i = 0; i < n; i++) {
        if (slots[i].easy) {
            curl_multi_remove_handle(c->multi, slots[i].easy);
            slot_release(&slots[i]);
        }
        free(slots[i].body);
        free(slots[i].resp.data);
        free(slots[i].line.data);
    }
    free(slots);
    return st;
}

hz_status hz_llm_stream(hz_llm_client *c, hz_llm_request *r,
                        void (*on_delta)(const char *text, size_t len,
                                         void *ud),
                        void *ud, hz_error *err)
{
    hz_status st = HZ_OK;
    slot s;
    memset(&s, 0, sizeof s);
    hz_llm_request_clear(r);
    s.r = r;
    s.stream = true;
    s.on_delta = on_delta;
    s.ud = ud;
    st = slot_prepare(c, &s, err);
    if (st != HZ_OK) {
        r->status = st;
        snprintf(r->error, sizeof r->error, "%s", err ? err->msg : "");
        goto out;
    }
    s.first_start = c->hooks.now(c->hooks.ctx);
    for (;;) {
        double now = c->hooks.now(c->hooks.ctx);
        double tk = req_tokens(r);
        double lt = limiter_next(c, now, tk);
        if (lt > now) {
            c->hooks.sleep(c->hooks.ctx, lt - now);
            c->stats.limiter_wait_s += lt - now;
            continue;
        }
        limiter_take(c, now, tk);
        s.resp.len = 0;
        if (slot_start(c, &s, false) != HZ_OK) {
            st = hz_error_set(err, HZ_ENOMEM, "llm: out of memory");
            goto out;
        }
        CURLcode cc = curl_easy_perform(s.easy);
        finish_attempt(c, &s, cc, c->hooks.now(c->hooks.ctx));
        if (s.state == 2)
            break;
        double wait = s.ready_at - c->hooks.now(c->hooks.ctx);
        if (wait > 0)
            c->hooks.sleep(c->hooks.ctx, wait);
    }
    if (r->status != HZ_OK)
        st = hz_error_set(err, r->status, "%s", r->error);
out:
    slot_release(&s);
    free(s.body);
    free(s.resp.data);
    free(s.line.data);
    return st;
}
