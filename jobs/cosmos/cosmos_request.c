/* One Cosmos DB request: headers and authorization, HTTP attempts over a
 * pooled connection, and the retry policy (429 with x-ms-retry-after-ms,
 * 408/449/5xx, connection errors and damaged bodies with exponential
 * backoff and jitter, all within a total deadline).  See cosmos.h. */
#include "cosmos/cosmos_internal.h"
#include "horizon/version.h"
#include "net/cjson.h"
#include "net/http.h"
#include "net/scrub.h"
#include "net/url.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>

/* What one HTTP attempt brought back. */
typedef struct attempt {
    hz_netbuf body; /* capped at HZ_COSMOS_BODY_CAP */
    long substatus;
    double charge;
    double retry_after_ms;
    char etag[128];
    char *continuation;
} attempt;

/* One request and its progress over the attempts. */
typedef struct request {
    const char *verb, *path, *rtype, *link;
    const char *const *extra_headers;
    const char *body;
    size_t body_len;
    char url[2048];
    double start, deadline;
    char last_problem[420]; /* why the last attempt was retried */
    char *token;            /* Entra ID token of the last attempt */
    bool reauthorized;      /* a 401 made us fetch a new token */
} request;

/* What to do after an attempt. */
typedef enum next_step { STEP_ANSWER, STEP_RETRY, STEP_FAIL } next_step;

/* Match header "name:" case-insensitively; returns the trimmed value
 * (copied into val) or false. */
static bool header_value(const char *line, size_t n, const char *name,
                         char *val, size_t valsz)
{
    size_t nl = strlen(name);
    if (n <= nl || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
        return false;
    const char *v = line + nl + 1;
    const char *end = line + n;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
        end--;
    size_t vl = (size_t)(end - v);
    if (vl >= valsz)
        vl = valsz - 1;
    memcpy(val, v, vl);
    val[vl] = '\0';
    return true;
}

static size_t on_header(char *p, size_t sz, size_t n, void *ud)
{
    attempt *a = ud;
    size_t k = sz * n;
    char v[4096];
    if (header_value(p, k, "etag", v, sizeof v)) {
        hz__cosmos_copy_str(a->etag, sizeof a->etag, v);
    } else if (header_value(p, k, "x-ms-request-charge", v, sizeof v)) {
        a->charge += strtod(v, NULL);
    } else if (header_value(p, k, "x-ms-retry-after-ms", v, sizeof v)) {
        a->retry_after_ms = strtod(v, NULL);
    } else if (header_value(p, k, "x-ms-substatus", v, sizeof v)) {
        a->substatus = strtol(v, NULL, 10);
    } else if (header_value(p, k, "x-ms-continuation", v, sizeof v)) {
        free(a->continuation);
        a->continuation = v[0] ? strdup(v) : NULL;
    }
    return k;
}

static void attempt_reset(attempt *a)
{
    hz_netbuf_free(&a->body);
    free(a->continuation);
    memset(a, 0, sizeof *a);
    a->body.max = HZ_COSMOS_BODY_CAP;
}

/* Pull "message" out of an error body, trimmed to fit an hz_error. */
static void service_message(const char *body, char *out, size_t outsz)
{
    out[0] = '\0';
    if (body == NULL)
        return;
    cJSON *j = cJSON_Parse(body);
    const char *m = hz__cjson_str(j, "message");
    const char *src = m != NULL ? m : body;
    size_t i = 0, o = 0;
    /* flatten newlines; keep it short */
    for (; src[i] && o + 1 < outsz && o < 300; i++)
        out[o++] = (src[i] == '\n' || src[i] == '\r') ? ' ' : src[i];
    out[o] = '\0';
    cJSON_Delete(j);
    hz_scrub(out, outsz, NULL); /* an Entra ID token it quotes */
}

static bool is_transient_status(long st)
{
    return st == 408 || st == 449 || st == 500 || st == 502 || st == 503 ||
           st == 504;
}

void hz_cosmos_response_free(hz_cosmos_response *r)
{
    if (r == NULL)
        return;
    free(r->continuation);
    free(r->body);
    memset(r, 0, sizeof *r);
}

/* The authorization header line of one attempt: a master-key signature
 * of (verb, type, link, date) or an Entra ID token (kept in q->token). */
static char *auth_line(hz_cosmos *c, request *q, const char *date,
                       hz_error *err)
{
    char *auth = NULL, *line = NULL;
    char sig[256];
    if (c->entra == NULL) {
        if (hz__cosmos_sign(c->key, c->key_len, q->verb, q->rtype, q->link,
                            date, sig, sizeof sig, err) != HZ_OK)
            return NULL;
        auth = sig;
    } else {
        if (q->token != NULL) {
            OPENSSL_cleanse(q->token, strlen(q->token));
            free(q->token);
            q->token = NULL;
        }
        if (hz__cosmos_aad_auth(c, &auth, &q->token, err) != HZ_OK)
            return NULL;
    }
    size_t n = strlen(auth) + 32;
    line = malloc(n);
    if (line != NULL)
        snprintf(line, n, "authorization: %s", auth);
    else
        hz_error_set(err, HZ_ENOMEM, "cosmos: out of memory");
    if (auth != sig)
        free(auth);
    return line;
}

/* The headers of one attempt, signed now; NULL with err set on failure. */
static struct curl_slist *build_headers(hz_cosmos *c, request *q,
                                        hz_error *err)
{
    char date[32], line[512];
    hz_cosmos_http_date(time(NULL), date);
    char *auth = auth_line(c, q, date, err);
    if (auth == NULL)
        return NULL;
    struct curl_slist *hl = curl_slist_append(NULL, auth);
    OPENSSL_cleanse(auth, strlen(auth));
    free(auth);
    snprintf(line, sizeof line, "x-ms-date: %s", date);
    hl = curl_slist_append(hl, line);
    hl = curl_slist_append(hl, "x-ms-version: " HZ_COSMOS_API_VERSION);
    hl = curl_slist_append(hl, "Accept: application/json");
    hl = curl_slist_append(hl, "Expect:");
    bool has_ct = false;
    for (const char *const *h = q->extra_headers; h && *h; h++) {
        if (strncasecmp(*h, "content-type:", 13) == 0)
            has_ct = true;
        hl = curl_slist_append(hl, *h);
    }
    if (!has_ct && q->body != NULL)
        hl = curl_slist_append(hl, "Content-Type: application/json");
    if (hl == NULL)
        hz_error_set(err, HZ_ENOMEM, "cosmos: out of memory");
    return hl;
}

static bool canceled(const hz_cosmos *c)
{
    return c->cancel != NULL && c->cancel(c->cancel_ctx);
}

/* libcurl's progress callback: non-zero abandons the transfer. */
static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow,
                       curl_off_t ultotal, curl_off_t ulnow)
{
    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    return canceled(ud) ? 1 : 0;
}

/* Sleep s seconds, or less when the request is canceled meanwhile. */
static void wait_retry(const hz_cosmos *c, double s)
{
    double end = hz_now() + s;
    double left = s;
    while (left > 0 && !canceled(c)) {
        hz_net_sleep(left < 0.1 ? left : 0.1);
        left = end - hz_now();
    }
}

/* Set the options of one attempt on h. */
static void set_options(hz_cosmos *c, CURL *h, const request *q,
                        struct curl_slist *hl, attempt *a, char *cerr)
{
    double remaining = q->deadline - hz_now();
    double tmo = c->cfg.timeout_s < remaining ? c->cfg.timeout_s : remaining;
    if (tmo < 0.05)
        tmo = 0.05;
    curl_easy_setopt(h, CURLOPT_URL, q->url);
    hz_http_set_proxy(h, q->url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, q->verb);
    if (q->body != NULL) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, q->body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)q->body_len);
    } else if (strcmp(q->verb, "GET") == 0) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, hz_netbuf_curl_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &a->body);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, a);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    if (c->cancel != NULL) {
        curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(h, CURLOPT_XFERINFODATA, c);
        curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    }
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(tmo * 1000));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     (long)((tmo < 5 ? tmo : 5) * 1000));
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (c->cfg.ca_cert[0])
        curl_easy_setopt(h, CURLOPT_CAINFO, c->cfg.ca_cert);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "horizon/" HZ_VERSION_STRING);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
}

/* One HTTP attempt: sign, send, receive into a.  *status is the HTTP
 * status (0 when none).  HZ_ENOMEM (with err) when it could not start. */
static hz_status perform_attempt(hz_cosmos *c, request *q, attempt *a,
                                 hz_cosmos_response *resp, CURLcode *cc,
                                 long *status, char *cerr, hz_error *err)
{
    struct curl_slist *hl = build_headers(c, q, err);
    if (hl == NULL)
        return err ? err->status : HZ_ENOMEM;
    bool pooled = false;
    CURL *h = hz__cosmos_handle_get(c, &pooled);
    if (h == NULL) {
        curl_slist_free_all(hl);
        return hz_error_set(err, HZ_ENOMEM, "cosmos: out of memory");
    }
    curl_easy_reset(h);
    cerr[0] = '\0';
    set_options(c, h, q, hl, a, cerr);
    *cc = curl_easy_perform(h);
    long nconn = 0;
    *status = 0;
    if (*cc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
    /* libcurl silently sends a request again on a new connection when
     * a reused one died before any answer: that first copy may have
     * taken effect, so a pooled handle that had to connect makes the
     * answer ambiguous (the store then reads back on a conflict) */
    curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &nconn);
    if (pooled && nconn > 0)
        resp->ambiguous = true;
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
    curl_slist_free_all(hl);
    hz__cosmos_handle_put(c, h, *cc == CURLE_OK);
    return HZ_OK;
}

/* Count attempt n (0-based) in the client's and the response's totals. */
static void account_attempt(hz_cosmos *c, int n, const attempt *a, long st,
                            hz_cosmos_response *resp)
{
    pthread_mutex_lock(&c->mu);
    c->stats.requests++;
    if (n > 0)
        c->stats.retries++;
    c->stats.charge += a->charge;
    if (st == 429)
        c->stats.throttled++;
    pthread_mutex_unlock(&c->mu);
    hz__cosmos_charge_thread(a->charge);
    resp->charge += a->charge;
    resp->attempts = n + 1;
    resp->status = st;
    resp->substatus = a->substatus;
}

/* A transport failure: final (certificates, bad URLs, an oversized body)
 * or retried. */
static next_step on_curl_error(request *q, CURLcode cc, const attempt *a,
                               const char *cerr, hz_cosmos_response *resp,
                               hz_status *result, hz_error *err)
{
    if (cc == CURLE_SSL_CACERT || cc == CURLE_PEER_FAILED_VERIFICATION ||
        cc == CURLE_SSL_CACERT_BADFILE || cc == CURLE_URL_MALFORMAT ||
        cc == CURLE_UNSUPPORTED_PROTOCOL || a->body.too_big) {
        char shown[512];
        hz_url_redact(q->url, shown, sizeof shown);
        *result = hz_error_set(err, HZ_ENET, "cosmos: %s %s: %s%s%s", q->verb,
                               shown, curl_easy_strerror(cc),
                               cerr[0] ? ": " : "", cerr);
        if (err != NULL &&
            (cc == CURLE_PEER_FAILED_VERIFICATION || cc == CURLE_SSL_CACERT)) {
            size_t used = strlen(err->msg);
            snprintf(err->msg + used, sizeof err->msg - used,
                     " (for an emulator with its own certificate "
                     "set COSMOS_CA_CERT or --cacert)");
        }
        return STEP_FAIL;
    }
    snprintf(q->last_problem, sizeof q->last_problem, "%s%s%s",
             curl_easy_strerror(cc), cerr[0] ? ": " : "", cerr);
    if (cc != CURLE_COULDNT_CONNECT && cc != CURLE_COULDNT_RESOLVE_HOST)
        resp->ambiguous = true;
    return STEP_RETRY;
}

/* Decide after attempt n: answer, retry after *wait seconds, or fail
 * (*result set). */
static next_step decide(hz_cosmos *c, request *q, int n, CURLcode cc, long st,
                        const attempt *a, const char *cerr,
                        hz_cosmos_response *resp, double *wait,
                        hz_status *result, hz_error *err)
{
    double backoff = c->cfg.backoff_base_s * pow(2.0, n < 20 ? n : 20);
    if (backoff > c->cfg.backoff_max_s)
        backoff = c->cfg.backoff_max_s;
    backoff *= 0.5 + 0.5 * hz__cosmos_rng_unit(c); /* jitter */
    *wait = backoff;
    if (cc != CURLE_OK)
        return on_curl_error(q, cc, a, cerr, resp, result, err);
    if (st == 401 && c->entra != NULL && !q->reauthorized) {
        /* the token may have been revoked or rotated: a new one, once */
        hz_entra_invalidate(c->entra, q->token);
        q->reauthorized = true;
        snprintf(q->last_problem, sizeof q->last_problem,
                 "HTTP 401 with an Entra ID token");
        *wait = 0;
        return STEP_RETRY;
    }
    if (st == 429) {
        snprintf(q->last_problem, sizeof q->last_problem, "throttled (429)");
        if (a->retry_after_ms > 0)
            *wait = a->retry_after_ms / 1000.0;
        return STEP_RETRY;
    }
    if (is_transient_status(st)) {
        char msg[320];
        service_message(a->body.data, msg, sizeof msg);
        snprintf(q->last_problem, sizeof q->last_problem, "HTTP %ld%s%s", st,
                 msg[0] ? ": " : "", msg);
        if (st != 449)
            resp->ambiguous = true;
        if (st == 503 && a->retry_after_ms > 0)
            *wait = a->retry_after_ms / 1000.0;
        return STEP_RETRY;
    }
    if (st >= 200 && st < 300 && a->body.len > 0 &&
        strcmp(q->verb, "DELETE") != 0) {
        /* a 2xx whose JSON body is damaged (truncated by a proxy or a
         * dropped connection) is retried like a transient fault */
        cJSON *probe = cJSON_ParseWithLength(a->body.data, a->body.len);
        bool bad = probe == NULL;
        cJSON_Delete(probe);
        if (bad) {
            snprintf(q->last_problem, sizeof q->last_problem,
                     "HTTP %ld with a malformed JSON body", st);
            resp->ambiguous = true;
            return STEP_RETRY;
        }
    }
    return STEP_ANSWER;
}

/* What an error status means, with a hint for the way we authorize. */
static const char *status_meaning(const hz_cosmos *c, long st)
{
    bool aad = c->entra != NULL;
    switch (st) {
    case 412: return "precondition failed (ETag changed: lost a race)";
    case 409: return "conflict (already exists)";
    case 401:
        return aad ? "unauthorized (the Entra ID token was refused: check "
                     "the identity, the token scope and "
                     "AZURE_COSMOS_AAD_SCOPE_OVERRIDE)"
                   : "unauthorized (check COSMOS_KEY)";
    case 403:
        return aad ? "forbidden (with Entra ID the identity needs the "
                     "Cosmos DB Built-in Data Contributor role; databases "
                     "and containers are created with az or Bicep, not "
                     "with data-plane tokens)"
                   : "forbidden";
    case 404: return "not found";
    case 413:
        return "request too large (Cosmos DB takes a document or a batch of "
               "at most 2 MB)";
    }
    return "request failed";
}

/* The final answer: hand the body to resp and map the status. */
static hz_status final_answer(const hz_cosmos *c, const request *q, long st,
                              attempt *a, hz_cosmos_response *resp,
                              hz_error *err)
{
    hz__cosmos_copy_str(resp->etag, sizeof resp->etag, a->etag);
    resp->continuation = a->continuation;
    a->continuation = NULL;
    resp->body = hz_netbuf_take(&a->body, &resp->body_len);
    if (st >= 200 && st < 300)
        return HZ_OK;
    char msg[320];
    service_message(resp->body, msg, sizeof msg);
    hz_status es = HZ_ENET;
    if (st == 404)
        es = HZ_ENOTFOUND;
    else if (st == 409 || st == 412)
        es = HZ_ECONFLICT;
    else if (st == 400 || st == 413) /* the request itself: never retried */
        es = HZ_EINVAL;
    return hz_error_set(err, es, "cosmos: %s %s: HTTP %ld %s%s%s", q->verb,
                        q->path, st, status_meaning(c, st), msg[0] ? ": " : "",
                        msg);
}

hz_status hz_cosmos_request(hz_cosmos *c, const char *verb, const char *path,
                            const char *resource_type,
                            const char *resource_link,
                            const char *const *extra_headers, const char *body,
                            size_t body_len, hz_cosmos_response *resp,
                            hz_error *err)
{
    return hz__cosmos_request_until(c, verb, path, resource_type,
                                    resource_link, extra_headers, body,
                                    body_len, hz__cosmos_deadline(c), resp,
                                    err);
}

hz_status hz__cosmos_request_until(hz_cosmos *c, const char *verb,
                                   const char *path, const char *resource_type,
                                   const char *resource_link,
                                   const char *const *extra_headers,
                                   const char *body, size_t body_len,
                                   double deadline, hz_cosmos_response *resp,
                                   hz_error *err)
{
    memset(resp, 0, sizeof *resp);
    request q = {.verb = verb,
                 .path = path,
                 .rtype = resource_type,
                 .link = resource_link,
                 .extra_headers = extra_headers,
                 .body = body,
                 .body_len = body_len};
    if ((size_t)snprintf(q.url, sizeof q.url, "%s/%s", c->base, path) >=
        sizeof q.url)
        return hz_error_set(err, HZ_EINVAL, "cosmos: URL too long");
    q.start = hz_now();
    q.deadline = c->until > 0 && c->until < deadline ? c->until : deadline;
    if (q.deadline <= q.start) /* the caller's time is up: not sent */
        return hz_error_set(err, HZ_ETIMEOUT,
                            "cosmos: %s %s: not sent: its deadline has "
                            "passed",
                            verb, path);
    hz_status result = HZ_OK;
    attempt a;
    memset(&a, 0, sizeof a);
    for (int n = 0;; n++) {
        attempt_reset(&a);
        CURLcode cc = CURLE_OK;
        long st = 0;
        char cerr[CURL_ERROR_SIZE];
        if (!canceled(c))
            result = perform_attempt(c, &q, &a, resp, &cc, &st, cerr, err);
        else
            cc = CURLE_ABORTED_BY_CALLBACK;
        if (result != HZ_OK)
            break;
        if (cc == CURLE_ABORTED_BY_CALLBACK) { /* canceled (in flight) */
            resp->ambiguous = true; /* it may have taken effect */
            char last[440] = "";
            if (q.last_problem[0] != '\0')
                snprintf(last, sizeof last, " (last: %s)", q.last_problem);
            result = hz_error_set(err, HZ_ECANCELED,
                                  "cosmos: %s %s: abandoned after %.1f s: "
                                  "the caller stopped waiting%s",
                                  verb, path, hz_now() - q.start, last);
            break;
        }
        account_attempt(c, n, &a, st, resp);
        double wait = 0;
        next_step step = decide(c, &q, n, cc, st, &a, cerr, resp, &wait,
                                &result, err);
        if (step == STEP_FAIL)
            break;
        if (step == STEP_ANSWER) {
            result = final_answer(c, &q, st, &a, resp, err);
            break;
        }
        pthread_mutex_lock(&c->mu);
        c->stats.transient += st != 429 && st != 401;
        pthread_mutex_unlock(&c->mu);
        if (hz_now() + wait >= q.deadline) {
            result = hz_error_set(
                err, st == 429 ? HZ_ETIMEOUT : HZ_ENET,
                "cosmos: %s %s: gave up after %d attempts in %.1f s: %s", verb,
                path, n + 1, hz_now() - q.start, q.last_problem);
            break;
        }
        wait_retry(c, wait);
    }
    attempt_reset(&a);
    if (q.token != NULL) {
        OPENSSL_cleanse(q.token, strlen(q.token));
        free(q.token);
    }
    return result;
}
