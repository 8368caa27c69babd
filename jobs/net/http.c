/* Shared HTTP plumbing: libcurl initialised once, a capped buffer.  See
 * net/http.h. */
#include "net/http.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

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
