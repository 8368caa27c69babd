/* The narrative step: prompt, route, cache, batch (structured outputs),
 * call, record; the template where there is no LLM or it failed.  See
 * narrative.h. */
#include "narrative/narrative_internal.h"
#include "net/cjson.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "horizon/outfile.h"
#include "llm/plain_stream.h"
#include "llm/plain_text.h"
#include "store/job.h"

/* Per-job working state. */
typedef struct jstate {
    hz_prompt single; /* the job's single prompt */
    char key[65];     /* cache key */
    bool pending;     /* needs an LLM answer */
} jstate;

struct step;

/* One planned chat request. */
typedef struct plan {
    const struct step *st; /* its run (for the jobs' cancel flags) */
    hz_llm_request req;
    hz_chat_message msgs[2];
    hz_prompt prompt; /* owned for batches; borrowed for singles */
    bool owns_prompt;
    size_t *jobs; /* indices into the job array */
    size_t njobs;
    char *schema; /* batches: one required string per job id */
} plan;

/* A run of the step. */
typedef struct step {
    hz_narrative_ctx *c;
    hz_narrative_job *jobs;
    jstate *js;
    size_t n;
    double now; /* epoch seconds, for the cache */
} step;

static void sha256_hex(const char *const *parts, size_t n, char out[65])
{
    unsigned char md[32];
    unsigned int len = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    for (size_t i = 0; i < n; i++) {
        EVP_DigestUpdate(ctx, parts[i], strlen(parts[i]));
        EVP_DigestUpdate(ctx, "\x1f", 1); /* unit separator */
    }
    EVP_DigestFinal_ex(ctx, md, &len);
    EVP_MD_CTX_free(ctx);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static void cache_key(const hz_narrative_ctx *c, const char *model,
                      const hz_prompt *p, char out[65])
{
    char params[128];
    snprintf(params, sizeof params,
             "temperature=%.3g;max_tokens=%d;"
             "format=text",
             c->set.temperature, c->set.max_completion_tokens);
    const char *parts[] = {model,     params, "system",
                           p->system, "user", p->user};
    sha256_hex(parts, 6, out);
}

/* A model's answer as a narrative: trimmed, and plain text (a model asked
 * for plain text may still write Markdown, which reports, `explain` and
 * `jobs show` would show as raw "**" and "#"). */
static char *narrative_dup(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
        hz_plain_text(d);
    }
    return d;
}

static hz_status prepare_job(hz_narrative_ctx *c, hz_narrative_job *j,
                             jstate *js)
{
    hz_error e2;
    hz_narrative_job_clear(j);
    snprintf(j->model, sizeof j->model, "%s",
             hz_llm_model_for(&c->set, j->type));
    if (j->summary == NULL || j->summary->n == 0) {
        j->status = HZ_EINVAL;
        snprintf(j->error, sizeof j->error, "no summary to narrate");
        return j->status;
    }
    hz_prompt_job pj = {j->id, j->type, j->summary};
    hz_prompt_opts po = {c->set.max_prompt_tokens, c->tok, j->model};
    hz_status st = hz_prompt_build(&pj, 1, &po, &js->single, &e2);
    if (st != HZ_OK) {
        j->status = st;
        snprintf(j->error, sizeof j->error, "%s", e2.msg);
        return st;
    }
    j->prompt = strdup(js->single.user);
    j->prompt_tokens = js->single.tokens;
    j->items_dropped = js->single.items_dropped;
    j->prompt_exact = js->single.exact;
    cache_key(c, j->model, &js->single, js->key);
    return HZ_OK;
}

static void plan_free(plan *p)
{
    if (p->owns_prompt)
        hz_prompt_clear(&p->prompt);
    hz_llm_request_clear(&p->req);
    free(p->jobs);
    free(p->schema);
}

/* The JSON schema of a batched answer: {"<id>": string, ...}, every id
 * required, nothing else (strict structured outputs). */
static char *batch_schema(const step *st, const plan *p)
{
    cJSON *s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "type", "object");
    cJSON *props = cJSON_AddObjectToObject(s, "properties");
    cJSON *req = cJSON_AddArrayToObject(s, "required");
    for (size_t k = 0; k < p->njobs; k++) {
        const char *id = st->jobs[p->jobs[k]].id;
        cJSON *t = cJSON_CreateObject();
        cJSON_AddStringToObject(t, "type", "string");
        cJSON_AddItemToObject(props, id ? id : "?", t);
        cJSON_AddItemToArray(req, cJSON_CreateString(id ? id : "?"));
    }
    cJSON_AddBoolToObject(s, "additionalProperties", 0);
    char *text = cJSON_PrintUnformatted(s);
    cJSON_Delete(s);
    return text;
}

static bool job_canceled(const hz_narrative_job *j)
{
    return j->cancel != NULL && atomic_load(j->cancel);
}

/* The request of plan ud is no longer wanted: every job it carries is
 * canceled. */
static bool plan_canceled(void *ud)
{
    const plan *p = ud;
    for (size_t k = 0; k < p->njobs; k++)
        if (!job_canceled(&p->st->jobs[p->jobs[k]]))
            return false;
    return true;
}

static void plan_request(const step *st, plan *p, const char *model)
{
    hz_narrative_ctx *c = st->c;
    p->st = st;
    p->msgs[0] = (hz_chat_message){"system", p->prompt.system};
    p->msgs[1] = (hz_chat_message){"user", p->prompt.user};
    memset(&p->req, 0, sizeof p->req);
    p->req.model = model;
    p->req.messages = p->msgs;
    p->req.nmessages = 2;
    p->req.json = p->prompt.json;
    if (p->njobs > 1) {
        p->schema = batch_schema(st, p);
        p->req.json_schema = p->schema;
        p->req.schema_name = "narratives";
    }
    p->req.temperature = c->set.temperature;
    /* a batch answers several narratives */
    p->req.max_completion_tokens = c->set.max_completion_tokens *
                                   (int)(p->njobs ? p->njobs : 1);
    p->req.prompt_tokens_est = p->prompt.tokens;
    for (size_t k = 0; k < p->njobs; k++)
        if (st->jobs[p->jobs[k]].cancel != NULL) {
            p->req.canceled = plan_canceled;
            p->req.cancel_ud = p;
            break;
        }
}

static void record_success(hz_narrative_ctx *c, hz_narrative_job *j,
                           jstate *js, const plan *p, char *text, double now)
{
    hz_error e2;
    j->text = text;
    j->is_template = false;
    j->text_tokens = hz_tokenizer_count(c->tok, text, strlen(text));
    j->status = HZ_OK;
    j->error[0] = '\0';
    j->batch_jobs = (int)p->njobs;
    j->usage = p->req.usage;
    j->attempts = p->req.attempts;
    js->pending = false;
    c->m.succeeded++;
    if (c->cache != NULL && c->set.cache_ttl_s > 0) {
        /* what a hit saves: this job's prompt plus its share of output */
        long out_tokens = p->req.usage.present
                              ? p->req.usage.completion_tokens /
                                    (long)(p->njobs ? p->njobs : 1)
                              : (long)j->text_tokens;
        hz_prompt_cache_put(c->cache, j->tenant, js->key, j->model, text,
                            (long)js->single.tokens + out_tokens,
                            (long)j->items_dropped, c->set.cache_ttl_s, now,
                            &e2);
    }
}

/* Metrics of a request that was answered (or failed). */
static void count_request(hz_narrative_ctx *c, const plan *p)
{
    c->m.requests++;
    if (p->njobs > 1)
        c->m.batched_requests++;
    if (p->req.status != HZ_OK &&
        (p->req.http_status == 401 || p->req.http_status == 403))
        c->m.auth_refused++;
    c->m.prompt_tokens += (long)p->prompt.tokens;
    if ((int)p->prompt.tokens > c->m.prompt_tokens_max)
        c->m.prompt_tokens_max = (int)p->prompt.tokens;
    if (p->req.usage.present) {
        c->m.usage_prompt_tokens += p->req.usage.prompt_tokens;
        c->m.usage_completion_tokens += p->req.usage.completion_tokens;
    }
}

/* The request failed: its jobs record why; a batch's jobs are asked
 * again alone. */
static void plan_failed(step *st, const plan *p)
{
    for (size_t k = 0; k < p->njobs; k++) {
        hz_narrative_job *j = &st->jobs[p->jobs[k]];
        j->status = p->req.status != HZ_OK ? p->req.status : HZ_ENET;
        j->attempts = p->req.attempts;
        snprintf(j->error, sizeof j->error, "%s", p->req.error);
        st->js[p->jobs[k]].pending = p->njobs > 1 && /* retry alone */
                                     p->req.status != HZ_ECANCELED;
    }
    if (p->njobs > 1)
        st->c->m.batch_fallbacks++;
}

/* The byte offset of the first control character of t (C0 but for tab
 * and newline, DEL, C1 as UTF-8) or of bytes that are not UTF-8; -1 when
 * there is none.  Such text would reach terminals (`horizon explain`,
 * `jobs show`): an escape sequence could retitle, clear or rewrite them. */
static long control_at(const char *t)
{
    const unsigned char *u = (const unsigned char *)t;
    size_t len = strlen(t);
    for (size_t i = 0; i < len;) {
        unsigned char b = u[i];
        if (b < 0x80) {
            if ((b < 0x20 && b != '\n' && b != '\t') || b == 0x7f)
                return (long)i;
            i++;
            continue;
        }
        size_t n = hz_utf8_seq(u + i, len - i);
        if (n == 0 || (b == 0xc2 && u[i + 1] < 0xa0)) /* C1: U+0080..9F */
            return (long)i;
        i += n;
    }
    return -1;
}

/* True (and j says why) when text t cannot be a narrative: longer than
 * HZ_NARRATIVE_TEXT_MAX bytes, or than twice the budget of one job by our
 * count (the estimate over-counts; a model that keeps to its budget cannot
 * write more), or holding a control character (control_at). */
static bool refuse_text(const hz_narrative_ctx *c, hz_narrative_job *j,
                        const plan *p, const char *t)
{
    size_t bytes = strlen(t);
    size_t budget = c->set.max_completion_tokens > 0
                        ? (size_t)c->set.max_completion_tokens
                        : 0;
    size_t tokens = bytes > HZ_NARRATIVE_TEXT_MAX
                        ? 0
                        : hz_tokenizer_count(c->tok, t, bytes);
    long ctl = bytes > HZ_NARRATIVE_TEXT_MAX ? -1 : control_at(t);
    if (bytes <= HZ_NARRATIVE_TEXT_MAX &&
        (budget == 0 || tokens <= 2 * budget) && ctl < 0)
        return false;
    j->status = HZ_EPARSE;
    j->attempts = p->req.attempts;
    if (ctl >= 0)
        snprintf(j->error, sizeof j->error,
                 "narrative refused: a control character or bytes that are "
                 "not UTF-8 (0x%02x at byte %ld)",
                 (unsigned)(unsigned char)t[ctl], ctl);
    else if (bytes > HZ_NARRATIVE_TEXT_MAX)
        snprintf(j->error, sizeof j->error,
                 "narrative refused: %zu bytes, more than the %d-byte "
                 "limit of a narrative",
                 bytes, HZ_NARRATIVE_TEXT_MAX);
    else
        snprintf(j->error, sizeof j->error,
                 "narrative refused: %zu tokens, more than twice the "
                 "budget of %zu (max_completion_tokens): the server did not "
                 "keep to it",
                 tokens, budget);
    return true;
}

/* A single job's answer: the text, or why there is none. */
static void answer_single(step *st, const plan *p)
{
    hz_narrative_job *j = &st->jobs[p->jobs[0]];
    char *t = narrative_dup(p->req.content);
    if (t != NULL && t[0] != '\0' && refuse_text(st->c, j, p, t)) {
        free(t);
        st->js[p->jobs[0]].pending = false;
        return;
    }
    if (t != NULL && t[0] != '\0') {
        record_success(st->c, j, &st->js[p->jobs[0]], p, t, st->now);
        return;
    }
    free(t);
    j->status = HZ_EPARSE;
    j->attempts = p->req.attempts;
    if (strcmp(p->req.finish_reason, "length") == 0)
        snprintf(j->error, sizeof j->error,
                 "empty narrative: the model used its whole completion "
                 "budget (%d tokens) before answering; raise "
                 "max_completion_tokens, or reasoning_budget for a "
                 "reasoning model",
                 p->req.max_completion_tokens);
    else
        snprintf(j->error, sizeof j->error, "empty narrative");
    st->js[p->jobs[0]].pending = false;
}

/* A batch's answer {"<job id>": "<narrative>", ...}: the jobs it answers
 * are recorded, the others asked again alone. */
static void answer_batch(step *st, const plan *p)
{
    hz_narrative_ctx *c = st->c;
    if (p->req.json_schema != NULL && !p->req.schema_ok)
        c->m.schema_mismatches++;
    cJSON *obj = cJSON_Parse(p->req.content);
    bool fell_back = false;
    for (size_t k = 0; k < p->njobs; k++) {
        hz_narrative_job *j = &st->jobs[p->jobs[k]];
        const char *v = cJSON_IsObject(obj) ? hz__cjson_str(obj, j->id) : NULL;
        char *t = v != NULL ? narrative_dup(v) : NULL;
        if (t == NULL || t[0] == '\0') {
            free(t);
            st->js[p->jobs[k]].pending = true; /* ask again, alone */
            fell_back = true;
            continue;
        }
        if (refuse_text(c, j, p, t)) {
            free(t);
            st->js[p->jobs[k]].pending = false;
            continue;
        }
        c->m.batched_jobs++;
        /* written from the batch's prompt, which shares one budget among
         * its jobs: the items it left out of this job's summary, not its
         * prompt's alone (until 2026-12-07 a batched job's narrative
         * counted 0 while the batch had left some of its items out), and
         * so kept with it in the cache */
        j->items_dropped = p->prompt.job_dropped[k];
        record_success(c, j, &st->js[p->jobs[k]], p, t, st->now);
    }
    if (fell_back)
        c->m.batch_fallbacks++;
    cJSON_Delete(obj);
}

/* A request's outcome for the availability of the LLM: a failure for
 * want of a server takes it as unavailable for HZ_NARRATIVE_DOWN_S, an
 * answer as available again. */
static void note_availability(hz_narrative_ctx *c, const plan *p)
{
    hz_status s = p->req.status;
    if (s == HZ_OK && p->req.content != NULL) {
        c->down_until = 0;
    } else if (s == HZ_ENET || s == HZ_ETIMEOUT) {
        /* said to the jobs of every tenant: the kind of failure only,
         * not the server's words about another tenant's request */
        c->down_until = hz_wall_now() + HZ_NARRATIVE_DOWN_S;
        if (p->req.http_status != 0)
            snprintf(c->down_error, sizeof c->down_error, "HTTP %d",
                     p->req.http_status);
        else
            snprintf(c->down_error, sizeof c->down_error, "%s",
                     s == HZ_ETIMEOUT ? "timed out" : "no answer");
    }
}

/* While the LLM is unavailable the pending jobs are not asked: they say
 * why and get their template. */
static void skip_if_down(step *st)
{
    hz_narrative_ctx *c = st->c;
    double now = hz_wall_now();
    if (c->down_until <= now)
        return;
    for (size_t i = 0; i < st->n; i++) {
        if (!st->js[i].pending)
            continue;
        hz_narrative_job *j = &st->jobs[i];
        st->js[i].pending = false;
        j->status = HZ_ENET;
        snprintf(j->error, sizeof j->error,
                 "LLM unavailable, not asked (for %.0f s more): a request "
                 "failed: %.200s",
                 c->down_until - now, c->down_error);
        c->m.unavailable++;
    }
}

/* Pending jobs no longer wanted are not asked (the template instead). */
static void skip_canceled(step *st)
{
    for (size_t i = 0; i < st->n; i++) {
        hz_narrative_job *j = &st->jobs[i];
        if (!st->js[i].pending || !job_canceled(j))
            continue;
        st->js[i].pending = false;
        j->status = HZ_ECANCELED;
        snprintf(j->error, sizeof j->error,
                 "canceled before the LLM was asked");
    }
}

/* Run plans[0..np) and distribute the answers. */
static hz_status run_plans(step *st, plan *plans, size_t np, hz_error *err)
{
    hz_llm_request *reqs = calloc(np ? np : 1, sizeof *reqs);
    if (reqs == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    for (size_t i = 0; i < np; i++)
        reqs[i] = plans[i].req;
    hz_status s = hz_llm_run(st->c->client, reqs, np, err);
    for (size_t i = 0; i < np; i++)
        plans[i].req = reqs[i]; /* outputs (content is owned by the plan) */
    free(reqs);
    if (s != HZ_OK)
        return s;
    for (size_t i = 0; i < np; i++) {
        plan *p = &plans[i];
        count_request(st->c, p);
        note_availability(st->c, p);
        if (p->req.status != HZ_OK || p->req.content == NULL)
            plan_failed(st, p);
        else if (p->njobs == 1)
            answer_single(st, p);
        else
            answer_batch(st, p);
    }
    return HZ_OK;
}

/* The job's narrative from the prompt cache, if there. */
static bool cache_hit(step *st, size_t i)
{
    hz_narrative_ctx *c = st->c;
    hz_narrative_job *j = &st->jobs[i];
    if (c->cache == NULL || c->set.cache_ttl_s <= 0)
        return false;
    char *v = NULL;
    long tokens = 0, dropped = -1;
    hz_error e2;
    if (hz_prompt_cache_get(c->cache, j->tenant, st->js[i].key, st->now, &v,
                            &tokens, &dropped, &e2) != HZ_OK ||
        strlen(v) > HZ_NARRATIVE_TEXT_MAX ||
        control_at(v) >= 0) { /* kept by an earlier version: asked again */
        free(v);
        c->m.cache_misses++;
        return false;
    }
    j->text = v;
    j->text_tokens = hz_tokenizer_count(c->tok, v, strlen(v));
    /* the items left out by the prompt the text was written from (a
     * batch's shares its budget): until 2026-12-07 a hit counted its own
     * prompt's, 0 for a text a batch had written without some items */
    if (dropped >= 0)
        j->items_dropped = (size_t)dropped;
    j->cached = true;
    j->status = HZ_OK;
    c->m.cache_hits++;
    c->m.tokens_saved += tokens;
    c->m.succeeded++;
    return true;
}

/* Prompts for every job; offline the template, else the cache, else the
 * job is pending.  false when out of memory. */
static bool prepare_all(step *st)
{
    for (size_t i = 0; i < st->n; i++) {
        hz_narrative_job *j = &st->jobs[i];
        if (prepare_job(st->c, j, &st->js[i]) != HZ_OK)
            continue;
        if (st->c->client == NULL) {
            if (!hz__narrative_use_template(st->c, j))
                return false;
            continue;
        }
        if (!cache_hit(st, i))
            st->js[i].pending = true;
    }
    return true;
}

/* The batch of up to `take` jobs idx[0..take) in p (a prefix may be
 * planned: *got jobs). */
static void plan_batch(step *st, plan *p, const size_t *idx, size_t take,
                       hz_prompt_job *pj, size_t *got)
{
    hz_narrative_ctx *c = st->c;
    *got = 1;
    if (take > 1) {
        for (size_t k = 0; k < take; k++)
            pj[k] = (hz_prompt_job){st->jobs[idx[k]].id, st->jobs[idx[k]].type,
                                    st->jobs[idx[k]].summary};
        hz_prompt_opts po = {c->set.max_prompt_tokens, c->tok,
                             st->jobs[idx[0]].model};
        hz_error e2;
        if (hz_prompt_build(pj, take, &po, &p->prompt, &e2) == HZ_OK &&
            p->prompt.njobs > 1) {
            p->owns_prompt = true;
            *got = p->prompt.njobs;
            return;
        }
        hz_prompt_clear(&p->prompt);
    }
    p->prompt = st->js[idx[0]].single; /* borrowed */
    p->owns_prompt = false;
}

/* True when jobs a and b are of one tenant: a request never carries two
 * tenants' summaries (the model would see one tenant's numbers and names
 * while it writes another's narrative). */
static bool same_tenant(const hz_narrative_job *a, const hz_narrative_job *b)
{
    return strcmp(a->tenant ? a->tenant : "", b->tenant ? b->tenant : "") ==
           0;
}

/* Plans for the pending jobs: grouped by model and tenant, in job order,
 * batches of at most batch_size. */
static hz_status plan_all(step *st, plan *plans, size_t *np, hz_error *err)
{
    size_t n = st->n,
           bs = (size_t)(st->c->set.batch_size > 0 ? st->c->set.batch_size
                                                   : 1);
    bool *planned = calloc(n ? n : 1, sizeof *planned);
    hz_prompt_job *pj = calloc(n ? n : 1, sizeof *pj);
    size_t *idx = calloc(n ? n : 1, sizeof *idx);
    hz_status s = planned && pj && idx
                      ? HZ_OK
                      : hz_error_set(err, HZ_ENOMEM, "out of memory");
    for (size_t i = 0; i < n && s == HZ_OK; i++) {
        if (!st->js[i].pending || planned[i])
            continue;
        size_t m = 0;
        for (size_t k = i; k < n; k++)
            if (st->js[k].pending && !planned[k] &&
                strcmp(st->jobs[k].model, st->jobs[i].model) == 0 &&
                same_tenant(&st->jobs[k], &st->jobs[i]))
                idx[m++] = k;
        for (size_t at = 0, got = 0; at < m && s == HZ_OK; at += got) {
            plan *p = &plans[(*np)++];
            memset(p, 0, sizeof *p);
            plan_batch(st, p, idx + at, m - at < bs ? m - at : bs, pj, &got);
            p->jobs = malloc(got * sizeof *p->jobs);
            if (p->jobs == NULL) {
                s = hz_error_set(err, HZ_ENOMEM, "out of memory");
                break;
            }
            p->njobs = got;
            for (size_t k = 0; k < got; k++)
                planned[p->jobs[k] = idx[at + k]] = true;
            plan_request(st, p, st->jobs[i].model);
        }
    }
    free(planned);
    free(pj);
    free(idx);
    return s;
}

/* Jobs of batches that did not split, one request each. */
static hz_status run_fallback(step *st, hz_error *err)
{
    size_t nf = 0;
    for (size_t i = 0; i < st->n; i++)
        nf += st->js[i].pending;
    if (nf == 0)
        return HZ_OK;
    plan *fb = calloc(nf, sizeof *fb);
    if (fb == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    hz_status s = HZ_OK;
    size_t k = 0;
    for (size_t i = 0; i < st->n && k < nf; i++) {
        if (!st->js[i].pending)
            continue;
        fb[k].prompt = st->js[i].single;
        fb[k].jobs = malloc(sizeof *fb[k].jobs);
        if (fb[k].jobs == NULL) {
            s = hz_error_set(err, HZ_ENOMEM, "out of memory");
            break;
        }
        fb[k].jobs[0] = i;
        fb[k].njobs = 1;
        st->js[i].pending = false;
        plan_request(st, &fb[k], st->jobs[i].model);
        k++;
    }
    if (s == HZ_OK)
        s = run_plans(st, fb, k, err);
    for (size_t i = 0; i < nf; i++)
        plan_free(&fb[i]);
    free(fb);
    return s;
}

/* Jobs the LLM did not narrate: the failure is counted and recorded, and
 * the job gets the template instead. */
static void finish_jobs(step *st)
{
    for (size_t i = 0; i < st->n; i++) {
        hz_narrative_job *j = &st->jobs[i];
        if (j->text != NULL)
            continue;
        if (j->status == HZ_OK) { /* never answered */
            j->status = HZ_ENET;
            snprintf(j->error, sizeof j->error, "no narrative produced");
        }
        st->c->m.failed++;
        if (j->summary != NULL && j->summary->n > 0)
            hz__narrative_use_template(st->c, j);
    }
}

hz_status hz_narrative_run(hz_narrative_ctx *c, hz_narrative_job *jobs,
                           size_t n, hz_error *err)
{
    if (c == NULL || (n > 0 && jobs == NULL))
        return hz_error_set(err, HZ_EINVAL, "narrative: bad arguments");
    step st = {c, jobs, calloc(n ? n : 1, sizeof(jstate)), n, hz_wall_now()};
    plan *plans = calloc(n ? n : 1, sizeof *plans);
    size_t np = 0;
    hz_status s = HZ_OK;
    c->m.jobs += (long)n;
    if (st.js == NULL || plans == NULL || !prepare_all(&st))
        s = hz_error_set(err, HZ_ENOMEM, "out of memory");
    if (s == HZ_OK && c->client != NULL) {
        skip_if_down(&st);
        skip_canceled(&st);
        s = plan_all(&st, plans, &np, err);
    }
    if (s == HZ_OK && c->client != NULL)
        s = run_plans(&st, plans, np, err);
    if (s == HZ_OK && c->client != NULL) {
        skip_if_down(&st);
        skip_canceled(&st);
        s = run_fallback(&st, err);
    }
    if (st.js != NULL)
        finish_jobs(&st);
    for (size_t i = 0; i < np; i++)
        plan_free(&plans[i]);
    free(plans);
    for (size_t i = 0; st.js != NULL && i < n; i++)
        hz_prompt_clear(&st.js[i].single);
    free(st.js);
    return s;
}

/* Deliver a finished text in one piece. */
static void deliver(const hz_llm_stream_cb *cb, const char *text)
{
    if (cb != NULL && cb->on_delta != NULL)
        cb->on_delta(text, strlen(text), cb->ud);
}

/* Stream the LLM's narrative of one prepared job, as the plain text that
 * is kept (a plain stream: the raw Markdown never reaches cb). */
static hz_status stream_llm(step *st, const hz_llm_stream_cb *cb,
                            hz_error *err)
{
    hz_plain_stream ps;
    hz_plain_stream_init(&ps, cb);
    hz_llm_stream_cb plain = hz_plain_stream_cb(&ps);
    hz_narrative_job *job = st->jobs;
    plan p;
    memset(&p, 0, sizeof p);
    p.prompt = st->js[0].single;
    size_t one = 0;
    p.jobs = &one;
    p.njobs = 1;
    plan_request(st, &p, job->model);
    hz_status s = hz_llm_stream(st->c->client, &p.req,
                                cb != NULL ? &plain : NULL, err);
    if (s == HZ_OK)
        hz_plain_stream_end(&ps);
    hz_plain_stream_free(&ps);
    count_request(st->c, &p);
    job->attempts = p.req.attempts;
    job->usage = p.req.usage;
    if (s == HZ_OK && p.req.content != NULL) {
        answer_single(st, &p);
        if (job->status != HZ_OK)
            s = hz_error_set(err, job->status, "%s", job->error);
    } else {
        job->status = s != HZ_OK ? s : HZ_ENET;
        snprintf(job->error, sizeof job->error, "%s", p.req.error);
        st->c->m.failed++;
    }
    hz_llm_request_clear(&p.req);
    return s;
}

hz_status hz_narrative_stream(hz_narrative_ctx *c, hz_narrative_job *job,
                              bool refresh, const hz_llm_stream_cb *cb,
                              hz_error *err)
{
    jstate js;
    memset(&js, 0, sizeof js);
    step st = {c, job, &js, 1, hz_wall_now()};
    c->m.jobs++;
    hz_status s = HZ_OK;
    if (prepare_job(c, job, &js) != HZ_OK) {
        c->m.failed++;
        s = hz_error_set(err, job->status, "%s", job->error);
    } else if (c->client == NULL) {
        if (!hz__narrative_use_template(c, job))
            s = hz_error_set(err, HZ_ENOMEM, "out of memory");
        else
            deliver(cb, job->text);
    } else if (!refresh && cache_hit(&st, 0)) {
        deliver(cb, job->text);
    } else {
        s = stream_llm(&st, cb, err);
    }
    hz_prompt_clear(&js.single);
    return s;
}
