/* OpenAI / Azure OpenAI chat completions: the drivers.  hz_llm_run runs
 * many requests concurrently on libcurl multi; hz_llm_stream streams one.
 * The client is in llm_client.c, attempts in llm_attempt.c, bodies in
 * llm_body.c, the limiter in llm_limiter.c.  See llm.h. */
#include "llm/llm_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The state of one hz_llm_run. */
typedef struct run {
    hz__llm_slot *slots;
    size_t n, ndone, inflight, next_scan;
    bool cancelable; /* a request has a canceled() function */
} run;

/* Clear the requests and prepare their slots; a request that cannot be
 * built is done (failed) at once. */
static void run_prepare(hz_llm_client *c, run *rn, hz_llm_request *reqs,
                        double t0)
{
    for (size_t i = 0; i < rn->n; i++) {
        hz_llm_request_clear(&reqs[i]);
        hz__llm_slot *s = &rn->slots[i];
        s->r = &reqs[i];
        s->ready_at = t0;
        s->first_start = NAN;
        hz_error e2;
        if (hz__llm_slot_prepare(c, s, &e2) != HZ_OK) {
            reqs[i].status = e2.status;
            snprintf(reqs[i].error, sizeof reqs[i].error, "%s", e2.msg);
            s->state = 2;
            c->stats.failed++;
            rn->ndone++;
        }
    }
}

/* Start the requests that are ready, in order, within the concurrency
 * and the limiter.  *wake: when something waits; *limited: the limiter
 * held one back.  HZ_ENOMEM when an attempt cannot start. */
static hz_status run_start_ready(hz_llm_client *c, run *rn, double now,
                                 double *wake, bool *limited)
{
    for (size_t k = 0; k < rn->n && rn->inflight < (size_t)c->cfg.concurrency;
         k++) {
        hz__llm_slot *s = &rn->slots[(rn->next_scan + k) % rn->n];
        if (s->state != 0)
            continue;
        if (s->ready_at > now) {
            if (s->ready_at < *wake)
                *wake = s->ready_at;
            continue;
        }
        double tk = hz__llm_req_tokens(s->r);
        double lt = hz__llm_limiter_next(c, now, tk);
        if (lt > now) {
            if (lt < *wake)
                *wake = lt;
            *limited = true;
            break;
        }
        hz__llm_limiter_take(c, now, tk);
        if (isnan(s->first_start))
            s->first_start = now;
        hz_status st = hz__llm_slot_start(c, s, true);
        if (st == HZ_ENOMEM)
            return st;
        if (st != HZ_OK) { /* no token: this request fails */
            hz__llm_slot_release(s);
            s->state = 2;
            c->stats.failed++;
            rn->ndone++;
            continue;
        }
        rn->inflight++;
    }
    return HZ_OK;
}

/* Collect finished transfers; true when any finished. */
static bool run_collect(hz_llm_client *c, run *rn)
{
    CURLMsg *m;
    int left;
    bool any = false;
    while ((m = curl_multi_info_read(c->multi, &left)) != NULL) {
        if (m->msg != CURLMSG_DONE)
            continue;
        hz__llm_slot *s = NULL;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&s);
        CURLcode cc = m->data.result;
        curl_multi_remove_handle(c->multi, m->easy_handle);
        rn->inflight--;
        hz__llm_slot_finish(c, s, cc, c->hooks.now(c->hooks.ctx));
        if (s->state == 2)
            rn->ndone++;
        any = true;
    }
    return any;
}

/* Give up the requests no longer wanted, waiting or in flight. */
static void run_cancel(hz_llm_client *c, run *rn, double now)
{
    for (size_t i = 0; i < rn->n; i++) {
        hz__llm_slot *s = &rn->slots[i];
        if (s->state == 2 || !hz__llm_slot_canceled(s))
            continue;
        if (s->state == 1) {
            curl_multi_remove_handle(c->multi, s->easy);
            rn->inflight--;
        }
        s->cancel_cut = true;
        hz__llm_slot_finish(c, s, CURLE_ABORTED_BY_CALLBACK, now);
        rn->ndone++;
    }
}

/* One turn of the loop: start, wait or transfer, collect. */
static hz_status run_turn(hz_llm_client *c, run *rn)
{
    double now = c->hooks.now(c->hooks.ctx);
    double wake = INFINITY;
    bool limited = false;
    if (rn->cancelable) {
        run_cancel(c, rn, now);
        if (rn->ndone == rn->n)
            return HZ_OK;
    }
    hz_status st = run_start_ready(c, rn, now, &wake, &limited);
    if (st != HZ_OK)
        return st;
    for (size_t i = 0; i < rn->n; i++)
        if (rn->slots[i].state == 0 && rn->slots[i].ready_at > now &&
            rn->slots[i].ready_at < wake)
            wake = rn->slots[i].ready_at;
    if (rn->inflight == 0) {
        if (isfinite(wake) && wake > now) {
            /* a request may be given up meanwhile: look again soon */
            double w = rn->cancelable ? fmin(wake - now, 0.2) : wake - now;
            c->hooks.sleep(c->hooks.ctx, w);
            if (limited)
                c->stats.limiter_wait_s += w;
        }
        return HZ_OK;
    }
    int running = 0;
    curl_multi_perform(c->multi, &running);
    if (!run_collect(c, rn) && running > 0) {
        double ms = isfinite(wake) ? (wake - now) * 1000.0 : 200.0;
        ms = ms > 200 ? 200 : ms < 1 ? 1 : ms;
        curl_multi_poll(c->multi, NULL, 0, (int)ms, NULL);
    }
    rn->next_scan = (rn->next_scan + 1) % (rn->n ? rn->n : 1);
    return HZ_OK;
}

hz_status hz_llm_run(hz_llm_client *c, hz_llm_request *reqs, size_t n,
                     hz_error *err)
{
    run rn = {.n = n};
    rn.slots = calloc(n ? n : 1, sizeof *rn.slots);
    if (rn.slots == NULL)
        return hz_error_set(err, HZ_ENOMEM, "llm: out of memory");
    for (size_t i = 0; i < n; i++)
        rn.cancelable = rn.cancelable || reqs[i].canceled != NULL;
    run_prepare(c, &rn, reqs, c->hooks.now(c->hooks.ctx));
    hz_status st = HZ_OK;
    while (rn.ndone < n && st == HZ_OK)
        st = run_turn(c, &rn);
    if (st != HZ_OK)
        hz_error_set(err, st, "llm: cannot start a request");
    for (size_t i = 0; i < n; i++) {
        if (rn.slots[i].easy)
            curl_multi_remove_handle(c->multi, rn.slots[i].easy);
        hz__llm_slot_free(&rn.slots[i]);
    }
    free(rn.slots);
    return st;
}

/* Wait for the limiter, then start and perform one attempt. */
static hz_status stream_attempt(hz_llm_client *c, hz__llm_slot *s)
{
    for (;;) {
        double now = c->hooks.now(c->hooks.ctx);
        double tk = hz__llm_req_tokens(s->r);
        double lt = hz__llm_limiter_next(c, now, tk);
        if (lt <= now) {
            hz__llm_limiter_take(c, now, tk);
            break;
        }
        c->hooks.sleep(c->hooks.ctx, lt - now);
        c->stats.limiter_wait_s += lt - now;
    }
    hz_status st = hz__llm_slot_start(c, s, false);
    if (st != HZ_OK)
        return st;
    CURLcode cc = curl_easy_perform(s->easy);
    hz__llm_slot_finish(c, s, cc, c->hooks.now(c->hooks.ctx));
    return HZ_OK;
}

hz_status hz_llm_stream(hz_llm_client *c, hz_llm_request *r,
                        const hz_llm_stream_cb *cb, hz_error *err)
{
    hz__llm_slot s;
    memset(&s, 0, sizeof s);
    hz_llm_request_clear(r);
    s.r = r;
    s.stream = true;
    if (cb != NULL)
        s.cb = *cb;
    hz_status st = hz__llm_slot_prepare(c, &s, err);
    if (st != HZ_OK) {
        r->status = st;
        snprintf(r->error, sizeof r->error, "%s", err ? err->msg : "");
        goto out;
    }
    s.first_start = c->hooks.now(c->hooks.ctx);
    while (st == HZ_OK) {
        if (hz__llm_slot_canceled(&s)) {
            s.cancel_cut = true;
            hz__llm_slot_finish(c, &s, CURLE_ABORTED_BY_CALLBACK,
                                c->hooks.now(c->hooks.ctx));
            break;
        }
        st = stream_attempt(c, &s);
        if (st != HZ_OK || s.state == 2)
            break;
        double wait = s.ready_at - c->hooks.now(c->hooks.ctx);
        if (wait > 0)
            c->hooks.sleep(c->hooks.ctx, wait);
    }
    if (st == HZ_ENOMEM)
        st = hz_error_set(err, HZ_ENOMEM, "llm: out of memory");
    else if (st != HZ_OK || r->status != HZ_OK)
        st = hz_error_set(err, r->status != HZ_OK ? r->status : st, "%s",
                          r->error);
out:
    hz__llm_slot_free(&s);
    return st;
}
