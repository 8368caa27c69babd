/* Token-budgeted prompts from summaries.  See prompt.h. */
#include "llm/prompt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "horizon/outfile.h"

static const char system_text[] =
    "You are a business analyst. Write a short narrative (2-3 sentences) "
    "for managers from the summary statistics given. Use only those "
    "numbers; do not invent data. Write plain text, not Markdown.";
static const char system_json[] =
    " Reply with a JSON object mapping each job id to its narrative "
    "string.";

size_t hz_chat_tokens(const hz_tokenizer *t, const char *model,
                      const hz_chat_message *msgs, size_t n)
{
    size_t per_msg = 3;
    if (model != NULL && strstr(model, "gpt-3.5-turbo-0301") != NULL)
        per_msg = 4;
    size_t total = 3; /* every reply is primed with <|start|>assistant... */
    for (size_t i = 0; i < n; i++) {
        total += per_msg;
        if (msgs[i].role)
            total += hz_tokenizer_count(t, msgs[i].role, strlen(msgs[i].role));
        if (msgs[i].content)
            total += hz_tokenizer_count(t, msgs[i].content,
                                        strlen(msgs[i].content));
    }
    return total;
}

void hz_prompt_clear(hz_prompt *p)
{
    if (p == NULL)
        return;
    free(p->system);
    free(p->user);
    free(p->job_dropped);
    memset(p, 0, sizeof *p);
}

/* A growable string. */
typedef struct sbuf {
    char *s;
    size_t len, cap;
    bool oom;
} sbuf;

static void sb_add(sbuf *b, const char *text)
{
    size_t n = strlen(text);
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 1024;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *ns = realloc(b->s, cap);
        if (ns == NULL) {
            b->oom = true;
            return;
        }
        b->s = ns;
        b->cap = cap;
    }
    memcpy(b->s + b->len, text, n + 1);
    b->len += n;
}

/* Working view of one job: its items sorted by importance and how many of
 * them are kept (a prefix). */
typedef struct jview {
    const hz_prompt_job *job;
    const hz_summary_item **items;
    size_t nitems;
    size_t keep;
} jview;

/* text as the model may read it (hz_text_visible): a bidi override or a
 * control character in a series name is shown by its name ("[U+202E]",
 * "^["), as in the report and on a terminal, not passed on to act on
 * what follows it. */
static void sb_add_visible(sbuf *b, const char *text)
{
    size_t cap = 4 * strlen(text) + 1;
    char *t = malloc(cap);
    if (t == NULL) {
        b->oom = true;
        return;
    }
    sb_add(b, hz_text_visible(text, t, cap, false));
    free(t);
}

static int cmp_item(const void *pa, const void *pb)
{
    const hz_summary_item *a = *(const hz_summary_item *const *)pa;
    const hz_summary_item *b = *(const hz_summary_item *const *)pb;
    if (a->importance != b->importance)
        return a->importance < b->importance ? -1 : 1;
    return a < b ? -1 : (a > b); /* stable: insertion order */
}

static void render_user(const jview *v, size_t njobs, bool batch, sbuf *b)
{
    b->len = 0;
    if (b->s)
        b->s[0] = '\0';
    for (size_t j = 0; j < njobs; j++) {
        char head[256];
        if (batch)
            snprintf(head, sizeof head, "%sjob %s (%s):\n", j ? "\n" : "",
                     v[j].job->id ? v[j].job->id : "?",
                     v[j].job->type ? v[j].job->type : "job");
        else /* no id: identical summaries give identical prompts (cache) */
            snprintf(head, sizeof head, "%s summary:\n",
                     v[j].job->type ? v[j].job->type : "job");
        sb_add(b, head);
        for (size_t i = 0; i < v[j].keep; i++) {
            sb_add(b, "- ");
            sb_add_visible(b, v[j].items[i]->text);
            sb_add(b, "\n");
        }
    }
    if (b->len > 0 && b->s[b->len - 1] == '\n')
        b->s[--b->len] = '\0';
}

/* The views of jobs[0..n): items sorted by importance, all kept; NULL
 * when out of memory. */
static jview *views_new(const hz_prompt_job *jobs, size_t n)
{
    jview *v = calloc(n, sizeof *v);
    for (size_t j = 0; v != NULL && j < n; j++) {
        const hz_summary *s = jobs[j].summary;
        v[j].job = &jobs[j];
        v[j].nitems = s ? s->n : 0;
        v[j].items = calloc(v[j].nitems ? v[j].nitems : 1, sizeof *v[j].items);
        if (v[j].items == NULL) {
            for (size_t k = 0; k < j; k++)
                free(v[k].items);
            free(v);
            return NULL;
        }
        for (size_t i = 0; i < v[j].nitems; i++)
            v[j].items[i] = &s->items[i];
        qsort(v[j].items, v[j].nitems, sizeof *v[j].items, cmp_item);
        v[j].keep = v[j].nitems;
    }
    return v;
}

/* Shrink the plan by one step: drop the least important kept item above
 * importance 0 (ties: the last job's, then the last listed), else leave
 * the last job out.  false when only one job's importance-0 items are
 * left. */
static bool shrink(jview *v, size_t *njobs)
{
    long bj = -1;
    int bimp = 0;
    for (size_t j = 0; j < *njobs; j++) {
        if (v[j].keep <= 1)
            continue;
        const hz_summary_item *it = v[j].items[v[j].keep - 1];
        if (it->importance > 0 && it->importance >= bimp) {
            bimp = it->importance;
            bj = (long)j;
        }
    }
    if (bj >= 0) {
        v[bj].keep--;
        return true;
    }
    if (*njobs <= 1)
        return false;
    (*njobs)--;
    for (size_t j = 0; j < *njobs; j++)
        v[j].keep = v[j].nitems; /* re-plan with fewer jobs */
    return true;
}

/* The prompt that fits: its texts (taken) and counts. */
static void fill_out(hz_prompt *out, char **sys, sbuf *ub, const jview *v,
                     size_t njobs, size_t tokens, bool exact)
{
    out->system = *sys;
    out->user = ub->s ? ub->s : strdup("");
    *sys = NULL;
    ub->s = NULL;
    out->json = njobs > 1;
    out->tokens = tokens;
    out->exact = exact;
    out->njobs = njobs;
    out->job_dropped = malloc((njobs ? njobs : 1) * sizeof *out->job_dropped);
    for (size_t j = 0; j < njobs; j++) {
        out->items_kept += v[j].keep;
        out->items_dropped += v[j].nitems - v[j].keep;
        if (out->job_dropped != NULL)
            out->job_dropped[j] = v[j].nitems - v[j].keep;
    }
}

hz_status hz_prompt_build(const hz_prompt_job *jobs, size_t n,
                          const hz_prompt_opts *opts, hz_prompt *out,
                          hz_error *err)
{
    hz_status st = HZ_OK;
    sbuf ub = {0};
    char *sys = NULL;
    memset(out, 0, sizeof *out);
    if (jobs == NULL || n == 0)
        return hz_error_set(err, HZ_EINVAL, "prompt: no job");
    size_t budget = opts && opts->max_tokens ? opts->max_tokens
                                             : HZ_PROMPT_DEFAULT_MAX_TOKENS;
    const hz_tokenizer *tok = opts ? opts->tok : NULL;
    const char *model = opts ? opts->model : NULL;
    jview *v = views_new(jobs, n);
    size_t njobs = n;
    while (v != NULL && st == HZ_OK) {
        bool batch = njobs > 1;
        size_t slen = sizeof system_text + (batch ? sizeof system_json : 0);
        free(sys);
        sys = malloc(slen);
        if (sys == NULL)
            break;
        snprintf(sys, slen, "%s%s", system_text, batch ? system_json : "");
        render_user(v, njobs, batch, &ub);
        if (ub.oom)
            break;
        hz_chat_message m[2] = {{"system", sys}, {"user", ub.s ? ub.s : ""}};
        size_t tokens = hz_chat_tokens(tok, model, m, 2);
        if (tokens <= budget) {
            fill_out(out, &sys, &ub, v, njobs, tokens, tok != NULL);
            if (out->user == NULL || out->job_dropped == NULL)
                break;
            goto done;
        }
        if (!shrink(v, &njobs))
            st = hz_error_set(err, HZ_EINVAL,
                              "prompt: the most important item of job %s "
                              "needs %zu tokens, over the budget of %zu",
                              jobs[0].id ? jobs[0].id : "?", tokens, budget);
    }
    if (st == HZ_OK)
        st = hz_error_set(err, HZ_ENOMEM, "prompt: out of memory");
done:
    if (v != NULL)
        for (size_t j = 0; j < n; j++)
            free(v[j].items);
    free(v);
    free(sys);
    free(ub.s);
    if (st != HZ_OK)
        hz_prompt_clear(out);
    return st;
}
