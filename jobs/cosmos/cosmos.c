/* Azure Cosmos DB REST client: signing, retries, documents, queries,
 * transactional batch, provisioning.  See cosmos.h for the contracts. */
#include "cosmos/cosmos.h"
#include "net/cjson.h"
#include "net/http.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "horizon/rng.h"
#include "horizon/version.h"
#include <openssl/evp.h>
#include <openssl/hmac.h>

#define BODY_CAP ((size_t)256 << 20) /* cap on a response body */
#define POOL_MAX 64

struct hz_cosmos {
    hz_cosmos_config cfg;
    char base[600];         /* endpoint without trailing '/' */
    unsigned char key[128]; /* decoded master key */
    size_t key_len;
    pthread_mutex_t mu; /* guards pool, stats, rng */
    CURL *pool[POOL_MAX];
    int npool;
    hz_cosmos_stats stats;
    uint64_t rng;
};

static _Thread_local double tl_charge;

/* ---------------------------------------------------------------- */
/* small helpers                                                    */

static void copy_str(char *dst, size_t dstsz, const char *src)
{
    if (dstsz == 0)
        return;
    size_t n = strlen(src);
    if (n >= dstsz)
        n = dstsz - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Decode standard base64 (with padding) into out; returns the length or
 * -1 on malformed input. */
static long b64_decode(const char *in, unsigned char *out, size_t outsz)
{
    size_t n = strlen(in);
    if (n == 0 || n % 4 != 0 || n / 4 * 3 > outsz)
        return -1;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)in[i];
        if (!(isalnum(ch) || ch == '+' || ch == '/' || ch == '='))
            return -1;
    }
    int len = EVP_DecodeBlock(out, (const unsigned char *)in, (int)n);
    if (len < 0)
        return -1;
    if (in[n - 1] == '=')
        len--;
    if (in[n - 2] == '=')
        len--;
    return len;
}

/* encodeURIComponent(): keep A-Z a-z 0-9 - _ . ! ~ * ' ( ). */
static int url_encode(const char *in, char *out, size_t outsz)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
        if (isalnum(*p) || strchr("-_.!~*'()", *p)) {
            if (o + 1 >= outsz)
                return -1;
            out[o++] = (char)*p;
        } else {
            if (o + 3 >= outsz)
                return -1;
            out[o++] = '%';
            out[o++] = hex[*p >> 4];
            out[o++] = hex[*p & 15];
        }
    }
    out[o] = '\0';
    return 0;
}

void hz_cosmos_http_date(time_t t, char out[32])
{
    static const char *days[] = {"Sun", "Mon", "Tue", "Wed",
                                 "Thu", "Fri", "Sat"};
    static const char *mons[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, 32, "%s, %02d %s %04d %02d:%02d:%02d GMT",
             days[tm.tm_wday % 7], tm.tm_mday, mons[tm.tm_mon % 12],
             tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void lower_into(char *dst, size_t dstsz, const char *src)
{
    size_t i = 0;
    for (; src[i] && i + 1 < dstsz; i++)
        dst[i] = (char)tolower((unsigned char)src[i]);
    dst[i] = '\0';
}

static hz_status sign_with(const unsigned char *key, size_t key_len,
                           const char *verb, const char *rtype,
                           const char *link, const char *date, char *out,
                           size_t outsz, hz_error *err)
{
    char lverb[16], ltype[32], ldate[40];
    lower_into(lverb, sizeof lverb, verb);
    lower_into(ltype, sizeof ltype, rtype);
    lower_into(ldate, sizeof ldate, date);
    size_t tlen = strlen(lverb) + strlen(ltype) + strlen(link) +
                  strlen(ldate) + 5;
    char *text = malloc(tlen + 1);
    if (text == NULL)
        return hz_error_set(err, HZ_ENOMEM, "cosmos: out of memory");
    snprintf(text, tlen + 1, "%s\n%s\n%s\n%s\n\n", lverb, ltype, link, ldate);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    unsigned char *r = HMAC(EVP_sha256(), key, (int)key_len,
                            (const unsigned char *)text, strlen(text), mac,
                            &mac_len);
    free(text);
    if (r == NULL)
        return hz_error_set(err, HZ_EINTERNAL, "cosmos: hmac failed");
    char sig[128];
    EVP_EncodeBlock((unsigned char *)sig, mac, (int)mac_len);
    char plain[200];
    snprintf(plain, sizeof plain, "type=master&ver=1.0&sig=%s", sig);
    if (url_encode(plain, out, outsz) != 0)
        return hz_error_set(err, HZ_EINVAL,
                            "cosmos: authorization buffer too small");
    return HZ_OK;
}

hz_status hz_cosmos_auth_header(const char *key_b64, const char *verb,
                                const char *resource_type,
                                const char *resource_link, const char *date,
                                char *out, size_t outsz, hz_error *err)
{
    unsigned char key[128];
    long kl = b64_decode(key_b64, key, sizeof key);
    if (kl <= 0)
        return hz_error_set(err, HZ_EINVAL,
                            "cosmos: the master key is not valid base64");
    hz_status s = sign_with(key, (size_t)kl, verb, resource_type,
                            resource_link, date, out, outsz, err);
    OPENSSL_cleanse(key, sizeof key);
    return s;
}

/* ---------------------------------------------------------------- */
/* configuration and client                                          */

void hz_cosmos_config_defaults(hz_cosmos_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    copy_str(cfg->database, sizeof cfg->database, "horizon");
    cfg->timeout_s = 10.0;
    cfg->deadline_s = 60.0;
    cfg->backoff_base_s = 0.05;
    cfg->backoff_max_s = 5.0;
}

static double env_double(const char *name, double dflt)
{
    const char *v = getenv(name);
    if (v == NULL || *v == '\0')
        return dflt;
    char *end;
    double d = strtod(v, &end);
    return (end != v && *end == '\0' && d > 0) ? d : dflt;
}

hz_status hz_cosmos_config_from_env(hz_cosmos_config *cfg, hz_error *err)
{
    hz_cosmos_config_defaults(cfg);
    const char *ep = getenv("COSMOS_ENDPOINT");
    const char *key = getenv("COSMOS_KEY");
    const char *db = getenv("COSMOS_DATABASE");
    const char *ca = getenv("COSMOS_CA_CERT");
    if (ep == NULL || *ep == '\0')
        return hz_error_set(err, HZ_EINVAL,
                            "cosmos: COSMOS_ENDPOINT is not set (e.g. "
                            "https://ACCOUNT.documents.azure.com:443/)");
    if (key == NULL || *key == '\0')
        return hz_error_set(err, HZ_EINVAL,
                            "cosmos: COSMOS_KEY is not set (the account's "
                            "primary or secondary key)");
    if (strlen(ep) >= sizeof cfg->endpoint || strlen(key) >= sizeof cfg->key)
        return hz_error_set(err, HZ_EINVAL,
                            "cosmos: COSMOS_ENDPOINT or COSMOS_KEY too long");
    copy_str(cfg->endpoint, sizeof cfg->endpoint, ep);
    copy_str(cfg->key, sizeof cfg->key, key);
    if (db != NULL && *db != '\0')
        copy_str(cfg->database, sizeof cfg->database, db);
    if (ca != NULL && *ca != '\0')
        copy_str(cfg->ca_cert, sizeof cfg->ca_cert, ca);
    cfg->timeout_s = env_double("COSMOS_TIMEOUT_S", cfg->timeout_s);
    cfg->deadline_s = env_double("COSMOS_DEADLINE_S", cfg->deadline_s);
    return HZ_OK;
}

hz_status hz_cosmos_open(const hz_cosmos_config *cfg, hz_cosmos **out,
                         hz_error *err)
{
    *out = NULL;
    if (strncmp(cfg->endpoint, "https://", 8) != 0 &&
        strncmp(cfg->endpoint, "http://", 7) != 0)
        return hz_error_set(err, HZ_EINVAL,
                            "cosmos: endpoint '%s' is not an http(s) URL",
                            cfg->endpoint);
    /* plain http only to this machine (an emulator started with --no-ssl);
     * anything remote must be https, verified */
    if (strncmp(cfg->endpoint, "http://", 7) == 0 &&
        strncmp(cfg->endpoint + 7, "127.0.0.1", 9) != 0 &&
        strncmp(cfg->endpoint + 7, "localhost", 9) != 0 &&
        strncmp(cfg->endpoint + 7, "[::1]", 5) != 0)
        return hz_error_set(err, HZ_EINVAL,
                            "cosmos: endpoint '%s': plain http is allowed "
                            "only on the loopback (use https)",
                            cfg->endpoint);
    if (cfg->database[0] == '\0')
        return hz_error_set(err, HZ_EINVAL, "cosmos: empty database id");
    hz_cosmos *c = calloc(1, sizeof *c);
    if (c == NULL)
        return hz_error_set(err, HZ_ENOMEM, "cosmos: out of memory");
    c->cfg = *cfg;
    long kl = b64_decode(cfg->key, c->key, sizeof c->key);
    if (kl <= 0) {
        free(c);
        return hz_error_set(err, HZ_EINVAL,
                            "cosmos: COSMOS_KEY is not valid base64");
    }
    c->key_len = (size_t)kl;
    copy_str(c->base, sizeof c->base, cfg->endpoint);
    size_t bl = strlen(c->base);
    while (bl > 0 && c->base[bl - 1] == '/')
        c->base[--bl] = '\0';
    if (c->cfg.timeout_s <= 0)
        c->cfg.timeout_s = 10.0;
    if (c->cfg.deadline_s <= 0)
        c->cfg.deadline_s = 60.0;
    if (c->cfg.backoff_base_s <= 0)
        c->cfg.backoff_base_s = 0.05;
    if (c->cfg.backoff_max_s <= 0)
        c->cfg.backoff_max_s = 5.0;
    c->rng = cfg->seed ? cfg->seed
                       : (uint64_t)time(NULL) ^ ((uint64_t)(uintptr_t)c << 7);
    c->rng |= 1;
    pthread_mutex_init(&c->mu, NULL);
    hz_net_init();
    *out = c;
    return HZ_OK;
}

void hz_cosmos_close(hz_cosmos *c)
{
    if (c == NULL)
        return;
    for (int i = 0; i < c->npool; i++)
        curl_easy_cleanup(c->pool[i]);
    pthread_mutex_destroy(&c->mu);
    OPENSSL_cleanse(c->key, sizeof c->key);
    OPENSSL_cleanse(c->cfg.key, sizeof c->cfg.key);
    free(c);
}

const char *hz_cosmos_database(const hz_cosmos *c)
{
    return c->cfg.database;
}

double hz_cosmos_total_charge(hz_cosmos *c)
{
    pthread_mutex_lock(&c->mu);
    double v = c->stats.charge;
    pthread_mutex_unlock(&c->mu);
    return v;
}

double hz_cosmos_thread_charge(void)
{
    return tl_charge;
}

void hz_cosmos_get_stats(hz_cosmos *c, hz_cosmos_stats *out)
{
    pthread_mutex_lock(&c->mu);
    *out = c->stats;
    pthread_mutex_unlock(&c->mu);
}

/* A handle from the pool (*pooled = true: it may hold a kept-alive
 * connection) or a new one. */
static CURL *handle_get(hz_cosmos *c, bool *pooled)
{
    CURL *h = NULL;
    pthread_mutex_lock(&c->mu);
    if (c->npool > 0)
        h = c->pool[--c->npool];
    pthread_mutex_unlock(&c->mu);
    *pooled = h != NULL;
    if (h == NULL)
        h = curl_easy_init();
    return h;
}

static void handle_put(hz_cosmos *c, CURL *h, bool keep)
{
    if (h == NULL)
        return;
    pthread_mutex_lock(&c->mu);
    if (keep && c->npool < POOL_MAX) {
        c->pool[c->npool++] = h;
        h = NULL;
    }
    pthread_mutex_unlock(&c->mu);
    if (h != NULL)
        curl_easy_cleanup(h);
}

/* Uniform double in [0, 1) from the client's xorshift64 state. */
static double rng_unit(hz_cosmos *c)
{
    pthread_mutex_lock(&c->mu);
    uint64_t x = hz_rng_xorshift64(&c->rng);
    pthread_mutex_unlock(&c->mu);
    return hz_rng_unit(x);
}

static void sleep_s(double s)
{
    if (s <= 0)
        return;
    struct timespec ts;
    ts.tv_sec = (time_t)s;
    ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* ---------------------------------------------------------------- */
/* one HTTP attempt                                                  */

typedef struct attempt {
    hz_netbuf body; /* capped at BODY_CAP */
    long substatus;
    double charge;
    double retry_after_ms;
    char etag[128];
    char *continuation;
} attempt;

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
        copy_str(a->etag, sizeof a->etag, v);
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
    a->body.max = BODY_CAP;
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

hz_status hz_cosmos_request(hz_cosmos *c, const char *verb, const char *path,
                            const char *resource_type,
                            const char *resource_link,
                            const char *const *extra_headers, const char *body,
                            size_t body_len, hz_cosmos_response *resp,
                            hz_error *err)
{
    memset(resp, 0, sizeof *resp);
    char url[2048];
    if ((size_t)snprintf(url, sizeof url, "%s/%s", c->base, path) >=
        sizeof url)
        return hz_error_set(err, HZ_EINVAL, "cosmos: URL too long");
    double start = hz_now();
    double deadline = start + c->cfg.deadline_s;
    char last_problem[420] = "";
    hz_status result = HZ_OK;
    attempt a;
    memset(&a, 0, sizeof a);

    for (int n = 0;; n++) {
        attempt_reset(&a);
        char date[32], auth[256];
        hz_cosmos_http_date(time(NULL), date);
        hz_status s = sign_with(c->key, c->key_len, verb, resource_type,
                                resource_link, date, auth, sizeof auth, err);
        if (s != HZ_OK)
            return s;
        struct curl_slist *hl = NULL;
        char line[512];
        snprintf(line, sizeof line, "authorization: %s", auth);
        hl = curl_slist_append(hl, line);
        snprintf(line, sizeof line, "x-ms-date: %s", date);
        hl = curl_slist_append(hl, line);
        hl = curl_slist_append(hl, "x-ms-version: " HZ_COSMOS_API_VERSION);
        hl = curl_slist_append(hl, "Accept: application/json");
        hl = curl_slist_append(hl, "Expect:");
        bool has_ct = false;
        for (const char *const *h = extra_headers; h && *h; h++) {
            if (strncasecmp(*h, "content-type:", 13) == 0)
                has_ct = true;
            hl = curl_slist_append(hl, *h);
        }
        if (!has_ct && body != NULL)
            hl = curl_slist_append(hl, "Content-Type: application/json");

        bool pooled = false;
        CURL *h = handle_get(c, &pooled);
        if (h == NULL || hl == NULL) {
            curl_slist_free_all(hl);
            handle_put(c, h, false);
            attempt_reset(&a);
            return hz_error_set(err, HZ_ENOMEM, "cosmos: out of memory");
        }
        curl_easy_reset(h);
        double remaining = deadline - hz_now();
        double tmo = c->cfg.timeout_s < remaining ? c->cfg.timeout_s
                                                  : remaining;
        if (tmo < 0.05)
            tmo = 0.05;
        curl_easy_setopt(h, CURLOPT_URL, url);
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, verb);
        if (body != NULL) {
            curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
            curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                             (curl_off_t)body_len);
        } else if (strcmp(verb, "GET") == 0) {
            curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
        }
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, hz_netbuf_curl_write);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &a.body);
        curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(h, CURLOPT_HEADERDATA, &a);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(tmo * 1000));
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                         (long)((tmo < 5 ? tmo : 5) * 1000));
        curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
        if (c->cfg.ca_cert[0])
            curl_easy_setopt(h, CURLOPT_CAINFO, c->cfg.ca_cert);
        curl_easy_setopt(h, CURLOPT_USERAGENT, "horizon/" HZ_VERSION_STRING);
        char cerr[CURL_ERROR_SIZE] = "";
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);

        CURLcode cc = curl_easy_perform(h);
        long st = 0, nconn = 0;
        if (cc == CURLE_OK)
            curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &st);
        /* libcurl silently sends a request again on a new connection when
         * a reused one died before any answer: that first copy may have
         * taken effect, so a pooled handle that had to connect makes the
         * answer ambiguous (the store then reads back on a conflict) */
        curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &nconn);
        if (pooled && nconn > 0)
            resp->ambiguous = true;
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
        curl_slist_free_all(hl);
        handle_put(c, h, cc == CURLE_OK);

        pthread_mutex_lock(&c->mu);
        c->stats.requests++;
        if (n > 0)
            c->stats.retries++;
        c->stats.charge += a.charge;
        if (st == 429)
            c->stats.throttled++;
        pthread_mutex_unlock(&c->mu);
        tl_charge += a.charge;
        resp->charge += a.charge;
        resp->attempts = n + 1;
        resp->status = st;
        resp->substatus = a.substatus;

        /* decide */
        bool retry = false;
        double wait = 0;
        double backoff = c->cfg.backoff_base_s * pow(2.0, n < 20 ? n : 20);
        if (backoff > c->cfg.backoff_max_s)
            backoff = c->cfg.backoff_max_s;
        backoff *= 0.5 + 0.5 * rng_unit(c); /* jitter */
        if (cc != CURLE_OK) {
            if (cc == CURLE_SSL_CACERT ||
                cc == CURLE_PEER_FAILED_VERIFICATION ||
                cc == CURLE_SSL_CACERT_BADFILE || cc == CURLE_URL_MALFORMAT ||
                cc == CURLE_UNSUPPORTED_PROTOCOL || a.body.too_big) {
                result = hz_error_set(err, HZ_ENET, "cosmos: %s %s: %s%s%s",
                                      verb, url, curl_easy_strerror(cc),
                                      cerr[0] ? ": " : "", cerr);
                if (err != NULL && (cc == CURLE_PEER_FAILED_VERIFICATION ||
                                    cc == CURLE_SSL_CACERT)) {
                    size_t used = strlen(err->msg);
                    snprintf(err->msg + used, sizeof err->msg - used,
                             " (for an emulator with its own certificate "
                             "set COSMOS_CA_CERT or --cacert)");
                }
                break;
            }
            snprintf(last_problem, sizeof last_problem, "%s%s%s",
                     curl_easy_strerror(cc), cerr[0] ? ": " : "", cerr);
            if (cc != CURLE_COULDNT_CONNECT &&
                cc != CURLE_COULDNT_RESOLVE_HOST)
                resp->ambiguous = true;
            retry = true;
            wait = backoff;
        } else if (st == 429) {
            snprintf(last_problem, sizeof last_problem, "throttled (429)");
            retry = true;
            wait = a.retry_after_ms > 0 ? a.retry_after_ms / 1000.0 : backoff;
        } else if (is_transient_status(st)) {
            char msg[320];
            service_message(a.body.data, msg, sizeof msg);
            snprintf(last_problem, sizeof last_problem, "HTTP %ld%s%s", st,
                     msg[0] ? ": " : "", msg);
            if (st != 449)
                resp->ambiguous = true;
            retry = true;
            wait = backoff;
            if (st == 503 && a.retry_after_ms > 0)
                wait = a.retry_after_ms / 1000.0;
        } else if (st >= 200 && st < 300 && a.body.len > 0 &&
                   strcmp(verb, "DELETE") != 0) {
            /* a 2xx whose JSON body is damaged (truncated by a proxy or a
             * dropped connection) is retried like a transient fault */
            cJSON *probe = cJSON_ParseWithLength(a.body.data, a.body.len);
            if (probe == NULL) {
                snprintf(last_problem, sizeof last_problem,
                         "HTTP %ld with a malformed JSON body", st);
                resp->ambiguous = true;
                retry = true;
                wait = backoff;
            }
            cJSON_Delete(probe);
        }
        if (retry) {
            pthread_mutex_lock(&c->mu);
            c->stats.transient += st != 429;
            pthread_mutex_unlock(&c->mu);
            if (hz_now() + wait >= deadline) {
                result = hz_error_set(
                    err, st == 429 ? HZ_ETIMEOUT : HZ_ENET,
                    "cosmos: %s %s: gave up after %d attempts in %.1f s: %s",
                    verb, path, n + 1, hz_now() - start, last_problem);
                break;
            }
            sleep_s(wait);
            continue;
        }
        /* final answer */
        copy_str(resp->etag, sizeof resp->etag, a.etag);
        resp->continuation = a.continuation;
        a.continuation = NULL;
        resp->body = hz_netbuf_take(&a.body, &resp->body_len);
        if (st >= 200 && st < 300) {
            result = HZ_OK;
        } else {
            char msg[320];
            service_message(resp->body, msg, sizeof msg);
            hz_status es = HZ_ENET;
            if (st == 404)
                es = HZ_ENOTFOUND;
            else if (st == 409 || st == 412)
                es = HZ_ECONFLICT;
            else if (st == 400)
                es = HZ_EINVAL;
            const char *what = st == 412   ? "precondition failed (ETag "
                                             "changed: lost a race)"
                               : st == 409 ? "conflict (already exists)"
                               : st == 401 ? "unauthorized (check "
                                             "COSMOS_KEY)"
                               : st == 403 ? "forbidden"
                               : st == 404 ? "not found"
                                           : "request failed";
            result = hz_error_set(err, es, "cosmos: %s %s: HTTP %ld %s%s%s",
                                  verb, path, st, what, msg[0] ? ": " : "",
                                  msg);
        }
        break;
    }
    attempt_reset(&a);
    return result;
}

/* ---------------------------------------------------------------- */
/* documents                                                         */

/* Percent-encode an id for a URL path segment. */
static hz_status seg(const char *id, char *out, size_t outsz, hz_error *err)
{
    if (id == NULL || *id == '\0' || strchr(id, '/') != NULL)
        return hz_error_set(err, HZ_EINVAL, "cosmos: invalid resource id '%s'",
                            id ? id : "(null)");
    if (url_encode(id, out, outsz) != 0)
        return hz_error_set(err, HZ_EINVAL, "cosmos: resource id too long");
    return HZ_OK;
}

static char *pk_header(const char *pk)
{
    cJSON *arr = cJSON_CreateArray();
    cJSON_AddItemToArray(arr, cJSON_CreateString(pk));
    char *j = cJSON_PrintUnformatted(arr);
    cJSON_Delete(arr);
    if (j == NULL)
        return NULL;
    size_t n = strlen(j) + 40;
    char *h = malloc(n);
    if (h != NULL)
        snprintf(h, n, "x-ms-documentdb-partitionkey: %s", j);
    free(j);
    return h;
}

static void etag_from(const hz_cosmos_response *r, const cJSON *doc,
                      char *etag_out, size_t etag_sz)
{
    if (etag_out == NULL || etag_sz == 0)
        return;
    const char *e = hz__cjson_str(doc, "_etag");
    copy_str(etag_out, etag_sz, e != NULL ? e : r->etag);
}

hz_status hz_cosmos_read(hz_cosmos *c, const char *coll, const char *id,
                         const char *pk, cJSON **doc_out, char *etag_out,
                         size_t etag_sz, hz_error *err)
{
    if (doc_out)
        *doc_out = NULL;
    char eid[600], path[1024], link[1024];
    hz_status s = seg(id, eid, sizeof eid, err);
    if (s != HZ_OK)
        return s;
    snprintf(path, sizeof path, "dbs/%s/colls/%s/docs/%s", c->cfg.database,
             coll, eid);
    snprintf(link, sizeof link, "dbs/%s/colls/%s/docs/%s", c->cfg.database,
             coll, id);
    char *pkh = pk_header(pk);
    if (pkh == NULL)
        return hz_error_set(err, HZ_ENOMEM, "cosmos: out of memory");
    /* the emulator answers 500 for a missing item without this header
     * (then 404); the service ignores it on point reads */
    const char *hdrs[] = {
        pkh, "x-ms-documentdb-query-enablecrosspartition: True", NULL};
    hz_cosmos_response r;
    s = hz_cosmos_request(c, "GET", path, "docs", link, hdrs, NULL, 0, &r,
                          err);
    free(pkh);
    if (s == HZ_OK) {
        cJSON *doc = cJSON_ParseWithLength(r.body ? r.body : "", r.body_len);
        if (doc == NULL) {
            s = hz_error_set(err, HZ_EPARSE, "cosmos: GET %s: malformed JSON",
                             path);
        } else {
            etag_from(&r, doc, etag_out, etag_sz);
            if (doc_out)
                *doc_out = doc;
            else
                cJSON_Delete(doc);
        }
    }
    hz_cosmos_response_free(&r);
    return s;
}

hz_status hz_cosmos_write(hz_cosmos *c, const char *coll,
                          hz_cosmos_write_mode mode, const char *pk,
                          const cJSON *doc, const char *if_match,
                          cJSON **doc_out, char *etag_out, size_t etag_sz,
                          bool *ambiguous_out, hz_error *err)
{
    if (doc_out)
        *doc_out = NULL;
    if (ambiguous_out)
        *ambiguous_out = false;
    const cJSON *idj = cJSON_GetObjectItemCaseSensitive(doc, "id");
    if (!cJSON_IsString(idj))
        return hz_error_set(err, HZ_EINVAL,
                            "cosmos: document without a string \"id\"");
    const char *id = idj->valuestring;
    char eid[600], path[1024], link[1024];
    hz_status s = seg(id, eid, sizeof eid, err);
    if (s != HZ_OK)
        return s;
    const char *verb;
    if (mode == HZ_COSMOS_REPLACE) {
        verb = "PUT";
        snprintf(path, sizeof path, "dbs/%s/colls/%s/docs/%s", c->cfg.database,
                 coll, eid);
        snprintf(link, sizeof link, "dbs/%s/colls/%s/docs/%s", c->cfg.database,
                 coll, id);
    } else {
        verb = "POST";
        snprintf(path, sizeof path, "dbs/%s/colls/%s/docs", c->cfg.database,
                 coll);
        snprintf(link, sizeof link, "dbs/%s/colls/%s", c->cfg.database, coll);
    }
    char *body = cJSON_PrintUnformatted(doc);
    char *pkh = pk_header(pk);
    char im[200] = "";
    if (if_match && *if_match)
        snprintf(im, sizeof im, "If-Match: %s", if_match);
    const char *hdrs[4];
    int nh = 0;
    hdrs[nh++] = pkh;
    if (mode == HZ_COSMOS_UPSERT)
        hdrs[nh++] = "x-ms-documentdb-is-upsert: True";
    if (im[0])
        hdrs[nh++] = im;
    hdrs[nh] = NULL;
    if (body == NULL || pkh == NULL) {
        free(body);
        free(pkh);
        return hz_error_set(err, HZ_ENOMEM, "cosmos: out of memory");
    }
    hz_cosmos_response r;
    s = hz_cosmos_request(c, verb, path, "docs", link, hdrs, body,
                          strlen(body), &r, err);
    free(body);
    free(pkh);
    if (ambiguous_out)
        *ambiguous_out = r.ambiguous;
    if (s == HZ_OK) {
        cJSON *d = r.body ? cJSON_ParseWithLength(r.body, r.body_len) : NULL;
        etag_from(&r, d, etag_out, etag_sz);
        if (doc_out)
            *doc_out = d;
        else
            cJSON_Delete(d);
    }
    hz_cosmos_response_free(&r);
    return s;
}

hz_status hz_cosmos_delete(hz_cosmos *c, const char *coll, const char *id,
                           const char *pk, const char *if_match,
                           bool *ambiguous_out, hz_error *err)
{
    if (ambiguous_out)
        *ambiguous_out = false;
    char eid[600], path[1024], link[1024];
    hz_status s = seg(id, eid, sizeof eid, err);
    if (s != HZ_OK)
        return s;
    snprintf(path, sizeof path, "dbs/%s/colls/%s/docs/%s", c->cfg.database,
             coll, eid);
    snprintf(link, sizeof link, "dbs/%s/colls/%s/docs/%s", c->cfg.database,
             coll, id);
    char *pkh = pk_header(pk);
    if (pkh == NULL)
        return hz_error_set(err, HZ_ENOMEM, "cosmos: out of memory");
    char im[200] = "";
    if (if_match && *if_match)
        snprintf(im, sizeof im, "If-Match: %s", if_match);
    const char *hdrs[] = {pkh, im[0] ? im : NULL, NULL};
    hz_cosmos_response r;
    s = hz_cosmos_request(c, "DELETE", path, "docs", link, hdrs, NULL, 0, &r,
                          err);
    free(pkh);
    if (ambiguous_out)
        *ambiguous_out = r.ambiguous;
    hz_cosmos_response_free(&r);
    return s;
}

hz_status hz_cosmos_query(hz_cosmos *c, const char *coll, const char *sql,
                          const cJSON *params, const char *pk, int max_items,
                          const char *continuation, cJSON **docs_out,
                          char **next_out, hz_error *err)
{
    *docs_out = NULL;
    if (next_out)
        *next_out = NULL;
    char path[1024], link[1024];
    snprintf(path, sizeof path, "dbs/%s/colls/%s/docs", c->cfg.database, coll);
    snprintf(link, sizeof link, "dbs/%s/colls/%s", c->cfg.database, coll);
    cJSON *q = cJSON_CreateObject();
    cJSON_AddStringToObject(q, "query", sql);
    cJSON_AddItemToObject(q, "parameters",
                          params ? cJSON_Duplicate(params, 1)
                                 : cJSON_CreateArray());
    char *body = cJSON_PrintUnformatted(q);
    cJSON_Delete(q);
    char *pkh = pk ? pk_header(pk) : NULL;
    char mic[64] = "", cont[4200] = "";
    if (max_items > 0)
        snprintf(mic, sizeof mic, "x-ms-max-item-count: %d", max_items);
    if (continuation && *continuation) {
        if (strlen(continuation) > sizeof cont - 40) {
            free(body);
            free(pkh);
            return hz_error_set(err, HZ_EINVAL,
                                "cosmos: continuation token too long");
        }
        snprintf(cont, sizeof cont, "x-ms-continuation: %s", continuation);
    }
    const char *hdrs[8];
    int nh = 0;
    hdrs[nh++] = "Content-Type: application/query+json";
    hdrs[nh++] = "x-ms-documentdb-isquery: True";
    if (pkh)
        hdrs[nh++] = pkh;
    else
        hdrs[nh++] = "x-ms-documentdb-query-enablecrosspartition: True";
    if (mic[0])
        hdrs[nh++] = mic;
    if (cont[0])
        hdrs[nh++] = cont;
    hdrs[nh] = NULL;
    if (body == NULL || (pk && pkh == NULL)) {
        free(body);
        free(pkh);
        return hz_error_set(err, HZ_ENOMEM, "cosmos: out of memory");
    }
    hz_cosmos_response r;
    hz_status s = hz_cosmos_request(c, "POST", path, "docs", link, hdrs, body,
                                    strlen(body), &r, err);
    free(body);
    free(pkh);
    if (s == HZ_OK) {
        cJSON *j = r.body ? cJSON_ParseWithLength(r.body, r.body_len) : NULL;
        cJSON *docs = j ? cJSON_DetachItemFromObjectCaseSensitive(j,
                                                                  "Documents")
                        : NULL;
        if (!cJSON_IsArray(docs)) {
            cJSON_Delete(docs);
            s = hz_error_set(err, HZ_EPARSE,
                             "cosmos: query on %s: answer without a "
                             "\"Documents\" array",
                             path);
        } else {
            *docs_out = docs;
            if (next_out && r.continuation) {
                *next_out = r.continuation;
                r.continuation = NULL;
            }
        }
        cJSON_Delete(j);
    }
    hz_cosmos_response_free(&r);
    return s;
}

hz_status hz_cosmos_batch(hz_cosmos *c, const char *coll, const char *pk,
                          const cJSON *ops, cJSON **results_out,
                          int *failed_index, bool *ambiguous_out,
                          hz_error *err)
{
    if (results_out)
        *results_out = NULL;
    if (ambiguous_out)
        *ambiguous_out = false;
    if (failed_index)
        *failed_index = -1;
    int nops = cJSON_GetArraySize(ops);
    if (!cJSON_IsArray(ops) || nops == 0 || nops > HZ_COSMOS_BATCH_MAX)
        return hz_error_set(err, HZ_EINVAL,
                            "cosmos: a batch holds 1 to %d operations, "
                            "got %d",
                            HZ_COSMOS_BATCH_MAX, nops);
    char path[1024], link[1024];
    snprintf(path, sizeof path, "dbs/%s/colls/%s/docs", c->cfg.database, coll);
    snprintf(link, sizeof link, "dbs/%s/colls/%s", c->cfg.database, coll);
    /* every operation carries the partition key as a JSON string, as the
     * SDK sends it (and as the emulator requires) */
    cJSON *arr = cJSON_CreateArray();
    cJSON_AddItemToArray(arr, cJSON_CreateString(pk));
    char *pkjson = cJSON_PrintUnformatted(arr);
    cJSON_Delete(arr);
    cJSON *body_ops = cJSON_Duplicate(ops, 1);
    const cJSON *op;
    cJSON_ArrayForEach(op, body_ops)
    {
        cJSON_DeleteItemFromObjectCaseSensitive((cJSON *)op, "partitionKey");
        cJSON_AddStringToObject((cJSON *)op, "partitionKey",
                                pkjson ? pkjson : "");
    }
    char *body = cJSON_PrintUnformatted(body_ops);
    cJSON_Delete(body_ops);
    free(pkjson);
    char *pkh = pk_header(pk);
    if (body == NULL || pkh == NULL) {
        free(body);
        free(pkh);
        return hz_error_set(err, HZ_ENOMEM, "cosmos: out of memory");
    }
    const char *hdrs[] = {pkh, "x-ms-cosmos-is-batch-request: True",
                          "x-ms-cosmos-batch-atomic: True",
                          "x-ms-cosmos-batch-continue-on-error: False", NULL};
    hz_cosmos_response r;
    hz_status s = hz_cosmos_request(c, "POST", path, "docs", link, hdrs, body,
                                    strlen(body), &r, err);
    free(body);
    free(pkh);
    if (ambiguous_out)
        *ambiguous_out = r.ambiguous;
    if (s != HZ_OK) {
        hz_cosmos_response_free(&r);
        return s;
    }
    cJSON *res = r.body ? cJSON_ParseWithLength(r.body, r.body_len) : NULL;
    if (!cJSON_IsArray(res)) {
        cJSON_Delete(res);
        hz_cosmos_response_free(&r);
        return hz_error_set(err, HZ_EPARSE,
                            "cosmos: batch on %s: answer is not a list of "
                            "operation results",
                            path);
    }
    /* 207 multi-status (the service) or 200 with error statuses inside
     * (the emulator): find the operation that failed */
    int i = 0, bad = -1;
    long bad_st = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, res)
    {
        const cJSON *sc = cJSON_GetObjectItemCaseSensitive(it, "statusCode");
        long v = cJSON_IsNumber(sc) ? (long)sc->valuedouble : 0;
        if (v >= 400 && v != 424 && bad < 0) {
            bad = i;
            bad_st = v;
        }
        i++;
    }
    if (r.status == 207 && bad < 0)
        bad = 0, bad_st = 424;
    if (bad >= 0) {
        if (failed_index)
            *failed_index = bad;
        s = hz_error_set(err,
                         (bad_st == 409 || bad_st == 412) ? HZ_ECONFLICT
                         : bad_st == 404                  ? HZ_ENOTFOUND
                                                          : HZ_ENET,
                         "cosmos: batch on %s (partition '%s'): operation "
                         "%d of %d failed with status %ld%s",
                         path, pk, bad + 1, nops, bad_st,
                         bad_st == 412   ? " (ETag changed: lost a race)"
                         : bad_st == 409 ? " (already exists)"
                                         : "");
    }
    if (results_out)
        *results_out = res;
    else
        cJSON_Delete(res);
    hz_cosmos_response_free(&r);
    return s;
}

/* ---------------------------------------------------------------- */
/* provisioning                                                      */

static hz_status create_resource(hz_cosmos *c, const char *path,
                                 const char *rtype, const char *link,
                                 const cJSON *doc, long autoscale_max,
                                 bool *created, hz_error *err)
{
    char *body = cJSON_PrintUnformatted(doc);
    if (body == NULL)
        return hz_error_set(err, HZ_ENOMEM, "cosmos: out of memory");
    char as[160] = "";
    if (autoscale_max > 0)
        snprintf(as, sizeof as,
                 "x-ms-cosmos-offer-autopilot-settings: "
                 "{\"maxThroughput\":%ld}",
                 autoscale_max);
    const char *hdrs[] = {as[0] ? as : NULL, NULL};
    hz_cosmos_response r;
    hz_error e2;
    hz_status s = hz_cosmos_request(c, "POST", path, rtype, link, hdrs, body,
                                    strlen(body), &r, &e2);
    free(body);
    if (created)
        *created = s == HZ_OK;
    if (s == HZ_ECONFLICT && r.status == 409)
        s = HZ_OK;
    else if (s != HZ_OK && err)
        *err = e2;
    hz_cosmos_response_free(&r);
    return s;
}

hz_status hz_cosmos_create_database(hz_cosmos *c, long autoscale_max,
                                    bool *created, hz_error *err)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "id", c->cfg.database);
    hz_status s = create_resource(c, "dbs", "dbs", "", d, autoscale_max,
                                  created, err);
    cJSON_Delete(d);
    return s;
}

hz_status hz_cosmos_create_container(hz_cosmos *c, const char *coll,
                                     const char *pk_path,
                                     const cJSON *indexing_policy,
                                     long autoscale_max, bool *created,
                                     hz_error *err)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "id", coll);
    cJSON *pkd = cJSON_AddObjectToObject(d, "partitionKey");
    cJSON *paths = cJSON_AddArrayToObject(pkd, "paths");
    cJSON_AddItemToArray(paths, cJSON_CreateString(pk_path));
    cJSON_AddStringToObject(pkd, "kind", "Hash");
    cJSON_AddNumberToObject(pkd, "version", 2);
    if (indexing_policy)
        cJSON_AddItemToObject(d, "indexingPolicy",
                              cJSON_Duplicate(indexing_policy, 1));
    char path[600], link[600];
    snprintf(path, sizeof path, "dbs/%s/colls", c->cfg.database);
    snprintf(link, sizeof link, "dbs/%s", c->cfg.database);
    hz_status s = create_resource(c, path, "colls", link, d, autoscale_max,
                                  created, err);
    cJSON_Delete(d);
    return s;
}
