/* The client-side rate limiter: requests and tokens started in any 60 s
 * window stay within rpm and tpm.  See llm.h. */
#include "llm/llm_internal.h"

#include <stdlib.h>
#include <string.h>

#define HZ_LLM_WINDOW_S 60.0

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

double hz__llm_limiter_next(hz_llm_client *c, double now, double tokens)
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

bool hz__llm_limiter_take(hz_llm_client *c, double now, double tokens)
{
    if (c->cfg.rpm <= 0 && c->cfg.tpm <= 0)
        return true;
    if (c->nwin == c->capwin) {
        size_t cap = c->capwin ? c->capwin * 2 : 64;
        hz__llm_window *nw = realloc(c->win, cap * sizeof *nw);
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

double hz__llm_req_tokens(const hz_llm_request *r)
{
    return (double)r->prompt_tokens_est +
           (double)(r->max_completion_tokens > 0 ? r->max_completion_tokens
                                                 : 0);
}
