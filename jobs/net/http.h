/* jobs/net: what every HTTP client in jobs/ shares.
 *
 *   hz_net_init()   libcurl's global initialisation, done once per
 *                   process whoever calls first (Cosmos DB client, LLM
 *                   client, dataset fetch, the runner before its threads)
 *   hz_netbuf       a growable byte buffer with a size cap, always
 *                   NUL-terminated, with a libcurl write callback */
#ifndef HZ_NET_HTTP_H
#define HZ_NET_HTTP_H

#include <stdbool.h>
#include <stddef.h>

/* curl_global_init(CURL_GLOBAL_DEFAULT), once (thread-safe). */
void hz_net_init(void);

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

#endif
