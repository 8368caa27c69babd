/* jobs/net: what every HTTP client in jobs/ shares.
 *
 *   hz_net_init()   libcurl's global initialisation, done once per
 *                   process whoever calls first (Cosmos DB client, LLM
 *                   client, dataset fetch, the runner before its threads)
 *   hz_netbuf       a growable byte buffer with a size cap, always
 *                   NUL-terminated, with a libcurl write callback
 *   hz_http_perform one small blocking request (token endpoints), its
 *                   answer in a capped hz_netbuf, TLS always verified */
#ifndef HZ_NET_HTTP_H
#define HZ_NET_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include <curl/curl.h>

#include "horizon/common.h"

/* curl_global_init(CURL_GLOBAL_DEFAULT), once (thread-safe). */
void hz_net_init(void);

/* Sleep s seconds (nothing for s <= 0 or NaN), resumed after signals:
 * the pause between a client's attempts. */
void hz_net_sleep(double s);

typedef struct hz_netbuf {
    char *data;   /* NUL-terminated when non-NULL */
    size_t len;   /* bytes held (excluding the NUL) */
    size_t cap;   /* bytes allocated */
    size_t max;   /* cap on len; 0 = no cap */
    bool too_big; /* an append would have passed max */
} hz_netbuf;

/* Append n bytes; false (and b unchanged) when max would be passed
 * (b->too_big is set) or memory runs out. */
bool hz_netbuf_put(hz_netbuf *b, const void *p, size_t n);
/* Empty the buffer, keeping its memory. */
void hz_netbuf_reset(hz_netbuf *b);
/* Free the memory; b becomes an empty buffer with the same max. */
void hz_netbuf_free(hz_netbuf *b);
/* Hand the data to the caller (who frees it); b becomes empty. */
char *hz_netbuf_take(hz_netbuf *b, size_t *len);

/* CURLOPT_WRITEFUNCTION for CURLOPT_WRITEDATA = hz_netbuf *: returning
 * short makes libcurl fail the transfer (CURLE_WRITE_ERROR). */
size_t hz_netbuf_curl_write(char *p, size_t size, size_t nmemb, void *ud);

/* True when url is https://, or http:// to the loopback (127.0.0.1,
 * localhost, [::1]) or to a link-local address in link_local (may be
 * NULL, e.g. "169.254.169.254"): plain http never leaves the machine. */
bool hz_http_url_allowed(const char *url, const char *link_local);

/* The proxy of a request to url, set on h before it is performed: none
 * for plain http, which goes only to this machine or the instance
 * metadata service (a proxy from http_proxy / ALL_PROXY would take the
 * request, its key, identity header or token in clear, to another
 * machine, whose "localhost" is not ours); for https libcurl's default
 * (the environment's proxy, through a CONNECT tunnel: TLS stays end to
 * end and verified). */
void hz_http_set_proxy(CURL *h, const char *url);

typedef struct hz_http_req {
    const char *method;         /* "GET" or "POST" */
    const char *url;            /* never put a secret in it */
    const char *const *headers; /* NULL-terminated "Name: value" or NULL */
    const char *body;           /* POST body or NULL */
    size_t body_len;
    double timeout_s;         /* whole request (default 10) */
    double connect_timeout_s; /* default: timeout_s */
    const char *ca_file;      /* extra CA bundle, NULL or "" = system */
    size_t max_bytes;         /* cap on the answer (default 1 MiB) */
    /* May be NULL; asked about every second (libcurl's progress callback)
     * while the request is in flight: true abandons it (HZ_ECANCELED). */
    bool (*cancel)(void *ctx);
    void *cancel_ctx;
} hz_http_req;

typedef struct hz_http_resp {
    long status;     /* HTTP status, 0 when no answer */
    int curl_code;   /* CURLcode of the transfer (0 = OK) */
    hz_netbuf body;  /* the answer (free with hz_http_resp_free) */
    char error[256]; /* transport error text when status == 0 */
} hz_http_resp;

/* Perform q.  HZ_OK whenever an HTTP answer arrived, whatever its status
 * (r->status tells); HZ_ENET (with r->error) when none did, HZ_ETIMEOUT
 * when the time ran out, HZ_ECANCELED when q->cancel said to stop
 * waiting, HZ_EPARSE when the answer passed max_bytes,
 * HZ_EINVAL for a URL hz_http_url_allowed() refuses.  Messages name the
 * method and the URL as hz_url_redact shows it (net/url.h), never
 * headers or bodies. */
hz_status hz_http_perform(const hz_http_req *q, hz_http_resp *r,
                          hz_error *err);
void hz_http_resp_free(hz_http_resp *r); /* NULL allowed */

#endif
