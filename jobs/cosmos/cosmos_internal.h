/* What the files of the Cosmos DB client share: the client structure and
 * the helpers of signing (cosmos_auth.c), requests (cosmos_request.c),
 * documents (cosmos_docs.c) and provisioning (cosmos_provision.c).
 * Internal to jobs/cosmos. */
#ifndef HZ_COSMOS_INTERNAL_H
#define HZ_COSMOS_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include "cosmos/cosmos.h"
#include "net/entra.h"

#define HZ_COSMOS_BODY_CAP ((size_t)256 << 20) /* cap on a response body */
#define HZ_COSMOS_POOL_MAX 64

struct hz_cosmos {
    hz_cosmos_config cfg;
    char base[600];         /* endpoint without trailing '/' */
    unsigned char key[128]; /* decoded master key */
    size_t key_len;
    hz_entra *entra;    /* Entra ID credential when there is no key */
    pthread_mutex_t mu; /* guards pool, stats, rng */
    CURL *pool[HZ_COSMOS_POOL_MAX];
    int npool;
    hz_cosmos_stats stats;
    uint64_t rng;
    bool (*cancel)(void *ctx); /* hz_cosmos_set_cancel */
    void *cancel_ctx;
    double until; /* hz_cosmos_set_until: every request ends by it (0: none) */
};

/* Copy src into dst (truncating, always NUL-terminated). */
void hz__cosmos_copy_str(char *dst, size_t dstsz, const char *src);

/* Decode standard base64 (with padding) into out; the length, or -1 on
 * malformed input or when out is too small. */
long hz__cosmos_b64_decode(const char *in, unsigned char *out, size_t outsz);

/* encodeURIComponent() of in into out; -1 when out is too small. */
int hz__cosmos_url_encode(const char *in, char *out, size_t outsz);

/* The url-encoded master-key authorization of one request (see
 * hz_cosmos_auth_header) with an already decoded key. */
hz_status hz__cosmos_sign(const unsigned char *key, size_t key_len,
                          const char *verb, const char *rtype,
                          const char *link, const char *date, char *out,
                          size_t outsz, hz_error *err);

/* The url-encoded Entra ID authorization ("type=aad&ver=1.0&sig=" +
 * token) into a malloc'ed string; the token itself into token_out
 * (malloc'ed, for hz_entra_invalidate after a 401). */
hz_status hz__cosmos_aad_auth(hz_cosmos *c, char **auth_out, char **token_out,
                              hz_error *err);

/* A curl handle from the client's pool (*pooled = true: it may hold a
 * kept-alive connection) or a new one; NULL when out of memory. */
CURL *hz__cosmos_handle_get(hz_cosmos *c, bool *pooled);
/* Give a handle back (keep = false closes it). */
void hz__cosmos_handle_put(hz_cosmos *c, CURL *h, bool keep);
/* Uniform double in [0, 1) from the client's seeded generator. */
double hz__cosmos_rng_unit(hz_cosmos *c);
/* hz_cosmos_request whose attempts all end by deadline (hz_now()), not
 * COSMOS_DEADLINE_S from now: a request sent again by its caller (a
 * batch throttled part way) within the caller's own deadline. */
hz_status hz__cosmos_request_until(hz_cosmos *c, const char *verb,
                                   const char *path, const char *resource_type,
                                   const char *resource_link,
                                   const char *const *extra_headers,
                                   const char *body, size_t body_len,
                                   double deadline, hz_cosmos_response *resp,
                                   hz_error *err);
/* The deadline of a request (or a batch's sendings) starting now:
 * COSMOS_DEADLINE_S from now, or the client's until when that is sooner
 * (hz_cosmos_set_until). */
double hz__cosmos_deadline(const hz_cosmos *c);
/* Add the request charge of one attempt to the calling thread's total. */
void hz__cosmos_charge_thread(double ru);

#endif
