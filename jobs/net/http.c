/* Shared HTTP plumbing: libcurl initialised once, a capped buffer.  See
 * net/http.h. */
#include "net/http.h"
#include "net/url.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "horizon/version.h"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

void hz_net_init(void)
{
    pthread_once(&curl_once, curl_init_once);
}

bool hz_netbuf_put(hz_netbuf *b, const void *p, size_t n)
{
    if (b->max && b->len + n > b->max) {
        b->too_big = true;
        return false;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *nd = realloc(b->data, cap);
        if (nd == NULL)
            return false;
        b->data = nd;
        b->cap = cap;
    }
    if (n > 0)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return true;
}

void hz_netbuf_reset(hz_netbuf *b)
{
    b->len = 0;
    b->too_big = false;
    if (b->data)
        b->data[0] = '\0';
}

void hz_netbuf_free(hz_netbuf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->too_big = false;
}

char *hz_netbuf_take(hz_netbuf *b, size_t *len)
{
    char *d = b->data;
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return d;
}

size_t hz_netbuf_curl_write(char *p, size_t size, size_t nmemb, void *ud)
{
    size_t n = size * nmemb;
    return hz_netbuf_put(ud, p, n) ? n : 0;
}

bool hz_http_url_allowed(const char *url, const char *link_local)
{
    if (url == NULL)
        return false;
    if (strncasecmp(url, "https://", 8) == 0)
        return url[8] != '\0';
    if (strncasecmp(url, "http://", 7) != 0 || hz_url_has_userinfo(url))
        return false; /* "http://localhost:80@evil/" is evil's */
    return hz_url_is_loopback(url) ||
           (link_local != NULL && hz_url_host_is(url, link_local));
}

void hz_http_set_proxy(CURL *h, const char *url)
{
    curl_easy_setopt(h, CURLOPT_PROXY, hz_url_is_https(url) ? NULL : "");
}

void hz_http_resp_free(hz_http_resp *r)
{
    if (r == NULL)
        return;
    hz_netbuf_free(&r->body);
    memset(r, 0, sizeof *r);
}

/* libcurl's progress callback: non-zero abandons the transfer. */
static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow,
                       curl_off_t ultotal, curl_off_t ulnow)
{
    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    const hz_http_req *q = ud;
    return q->cancel(q->cancel_ctx) ? 1 : 0;
}

static void set_request_options(CURL *h, const hz_http_req *q,
                                struct curl_slist *hl, hz_http_resp *r,
                                char *cerr)
{
    double tmo = q->timeout_s > 0 ? q->timeout_s : 10.0;
    double ctmo = q->connect_timeout_s > 0 ? q->connect_timeout_s : tmo;
    curl_easy_setopt(h, CURLOPT_URL, q->url);
    hz_http_set_proxy(h, q->url);
    if (q->method != NULL && strcmp(q->method, "POST") == 0) {
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, q->body ? q->body : "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)(q->body ? q->body_len : 0));
    } else {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, hz_netbuf_curl_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &r->body);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    if (q->cancel != NULL) {
        curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(h, CURLOPT_XFERINFODATA, (void *)q);
        curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    }
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(tmo * 1000 + 0.5));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)(ctmo * 1000 + 0.5));
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    if (q->ca_file != NULL && q->ca_file[0] != '\0')
        curl_easy_setopt(h, CURLOPT_CAINFO, q->ca_file);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "horizon/" HZ_VERSION_STRING);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
}

hz_status hz_http_perform(const hz_http_req *q, hz_http_resp *r, hz_error *err)
{
    memset(r, 0, sizeof *r);
    r->body.max = q->max_bytes ? q->max_bytes : ((size_t)1 << 20);
    const char *method = q->method ? q->method : "GET";
    char shown[512]; /* the URL as messages may show it */
    hz_url_redact(q->url, shown, sizeof shown);
    if (!hz_http_url_allowed(q->url, "169.254.169.254"))
        return hz_error_set(err, HZ_EINVAL,
                            "%s %s: not an https URL (plain http is allowed "
                            "only on this machine)",
                            method, q->url ? shown : "(null)");
    hz_net_init();
    CURL *h = curl_easy_init();
    struct curl_slist *hl = curl_slist_append(NULL, "Expect:");
    for (const char *const *p = q->headers; hl && p && *p; p++)
        hl = curl_slist_append(hl, *p);
    if (h == NULL || hl == NULL) {
        curl_easy_cleanup(h);
        curl_slist_free_all(hl);
        return hz_error_set(err, HZ_ENOMEM, "%s %s: out of memory", method,
                            shown);
    }
    char cerr[CURL_ERROR_SIZE] = "";
    set_request_options(h, q, hl, r, cerr);
    CURLcode cc = curl_easy_perform(h);
    r->curl_code = (int)cc;
    if (cc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    curl_easy_cleanup(h);
    curl_slist_free_all(hl);
    if (cc == CURLE_OK)
        return HZ_OK;
    snprintf(r->error, sizeof r->error, "%s%s%s", curl_easy_strerror(cc),
             cerr[0] ? ": " : "", cerr);
    if (cc == CURLE_ABORTED_BY_CALLBACK)
        return hz_error_set(err, HZ_ECANCELED,
                            "%s %s: abandoned: the caller stopped waiting",
                            method, shown);
    if (r->body.too_big)
        return hz_error_set(err, HZ_EPARSE,
                            "%s %s: answer larger than %zu bytes", method,
                            shown, r->body.max);
    return hz_error_set(err,
                        cc == CURLE_OPERATION_TIMEDOUT ? HZ_ETIMEOUT : HZ_ENET,
                        "%s %s: %s", method, shown, r->error);
}

void hz_net_sleep(double s)
{
    if (!(s > 0))
        return;
    struct timespec ts;
    ts.tv_sec = (time_t)s;
    ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}
