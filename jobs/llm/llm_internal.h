/* What the files of the LLM client share: the client structure, request
 * building (llm_body.c) and the rate limiter (llm_limiter.c).  Internal
 * to jobs/llm. */
#ifndef HZ_LLM_INTERNAL_H
#define HZ_LLM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include "llm/llm.h"
#include "llm/sse.h"
#include "net/entra.h"
#include "net/http.h"

typedef struct hz__llm_window {
    double t;
    double tokens;
} hz__llm_window;

struct hz_llm_client {
    hz_llm_config cfg;
    hz_llm_hooks hooks;
    CURLM *multi;
    uint64_t rng; /* xorshift64 state of the retry jitter */
    hz__llm_window *win;
    size_t nwin, capwin;
    hz_llm_stats stats;
    hz_entra *entra; /* Azure without an API key */
};

/* One request in flight or waiting (llm_attempt.c). */
typedef struct hz__llm_slot {
    hz_llm_request *r;
    CURL *easy;
    struct curl_slist *hdrs;
    char *body;
    hz_netbuf resp;     /* a reply (or a stream's error body), capped */
    double retry_after; /* seconds, NaN = none */
    double ready_at;
    double first_start;
    int state; /* 0 waiting, 1 in flight, 2 done */
    char url[1200];
    char shown[600]; /* url as messages show it (net/url.h) */
    char curl_err[CURL_ERROR_SIZE];
    char *token;       /* the Entra ID token of the attempt */
    bool reauthorized; /* a 401 made us fetch a new token */
    /* streaming */
    bool stream;
    hz_chat_stream cs;
    double last_byte;  /* hz_now() when the last byte came */
    double idle_limit; /* seconds of silence allowed */
    bool idle_cut;     /* cut for silence */
    bool cancel_cut;   /* given up: r->canceled said so */
    hz_llm_stream_cb cb;
} hz__llm_slot;

/* Build the slot's URL and body (the request's outputs untouched). */
hz_status hz__llm_slot_prepare(hz_llm_client *c, hz__llm_slot *s,
                               hz_error *err);
/* Start an attempt: a new easy handle (added to the multi handle when
 * add_to_multi).  Not HZ_OK: the request cannot be sent (out of memory,
 * no token: r->status and r->error say why). */
hz_status hz__llm_slot_start(hz_llm_client *c, hz__llm_slot *s,
                             bool add_to_multi);
/* After a finished attempt: done (state 2), or a retry is scheduled
 * (state 0, ready_at). */
void hz__llm_slot_finish(hz_llm_client *c, hz__llm_slot *s, CURLcode cc,
                         double now);
/* True when the slot's request is no longer wanted (r->canceled). */
bool hz__llm_slot_canceled(const hz__llm_slot *s);
/* Free the easy handle and headers of the attempt. */
void hz__llm_slot_release(hz__llm_slot *s);
/* Free everything the slot holds. */
void hz__llm_slot_free(hz__llm_slot *s);

/* Replace the API key and any "sk-..." token in s by "[redacted]". */
void hz__llm_scrub(const hz_llm_client *c, char *s, size_t n);
/* Uniform double in [0, 1) from the client's seeded generator. */
double hz__llm_rand01(hz_llm_client *c);

/* HZ_EINVAL when the endpoint url names a user or password (what names
 * the setting; the message shows the URL redacted). */
hz_status hz__llm_check_endpoint(const char *url, const char *what,
                                 hz_error *err);
/* HZ_EINVAL when a key or an Entra ID token would be sent over plain http
 * to another machine: with a credential the endpoint must be https or
 * the loopback (127.0.0.1, localhost, [::1]). */
hz_status hz__llm_check_transport(const hz_llm_config *cfg, const char *path,
                                  hz_error *err);
/* The URL of a chat completion for model (an Azure deployment). */
hz_status hz__llm_build_url(const hz_llm_config *cfg, const char *model,
                            char *url, size_t n, hz_error *err);
/* The JSON body of r, shaped by the model's capabilities; NULL when out
 * of memory or r->json_schema does not parse (*bad_schema set). */
char *hz__llm_build_body(const hz_llm_config *cfg, const hz_llm_request *r,
                         bool stream, bool *bad_schema);
/* True when Azure requests go to the v1 path. */
bool hz__llm_azure_v1(const hz_llm_config *cfg);

/* Earliest time >= now at which a request of `tokens` may start. */
double hz__llm_limiter_next(hz_llm_client *c, double now, double tokens);
/* Record a request of `tokens` started at now (false: out of memory). */
bool hz__llm_limiter_take(hz_llm_client *c, double now, double tokens);
/* Tokens a request counts for the tpm limiter. */
double hz__llm_req_tokens(const hz_llm_request *r);

#endif
