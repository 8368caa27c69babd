/* The template narrative: deterministic sentences from the summary items
 * a job's prompt carries, for jobs without an LLM; and a job's narrative
 * (stored, or the template) for reports.  See narrative.h. */
#include "net/cjson.h"
#include "narrative/narrative_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/job.h"

/* Append one item line as a sentence: capitalised, ending with a period. */
static void add_sentence(char *out, size_t *len, const char *item, size_t n)
{
    while (n > 0 && isspace((unsigned char)item[n - 1]))
        n--;
    if (n == 0)
        return;
    if (*len > 0)
        out[(*len)++] = ' ';
    memcpy(out + *len, item, n);
    if (islower((unsigned char)out[*len]))
        out[*len] = (char)toupper((unsigned char)out[*len]);
    *len += n;
    if (!strchr(".!?", item[n - 1]))
        out[(*len)++] = '.';
    out[*len] = '\0';
}

/* The "- item" lines of a single-job prompt, as sentences. */
static char *render(const char *user)
{
    /* "- X\n" (|X| + 3 bytes) becomes " X." (|X| + 2) */
    char *out = malloc(strlen(user) + 2);
    if (out == NULL)
        return NULL;
    size_t len = 0;
    out[0] = '\0';
    for (const char *p = user; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        if (n > 2 && p[0] == '-' && p[1] == ' ')
            add_sentence(out, &len, p + 2, n - 2);
        p += n + (nl ? 1 : 0);
    }
    return out;
}

hz_status hz_narrative_template(const hz_prompt_job *job,
                                const hz_prompt_opts *opts, char **text,
                                size_t *prompt_tokens, size_t *items_dropped,
                                hz_error *err)
{
    *text = NULL;
    if (prompt_tokens)
        *prompt_tokens = 0;
    if (items_dropped)
        *items_dropped = 0;
    if (job->summary == NULL || job->summary->n == 0)
        return hz_error_set(err, HZ_EINVAL, "no summary to narrate");
    hz_prompt p;
    hz_status st = hz_prompt_build(job, 1, opts, &p, err);
    if (st != HZ_OK)
        return st;
    *text = render(p.user);
    if (prompt_tokens)
        *prompt_tokens = p.tokens;
    if (items_dropped)
        *items_dropped = p.items_dropped;
    hz_prompt_clear(&p);
    if (*text == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    if ((*text)[0] == '\0') {
        free(*text);
        *text = NULL;
        return hz_error_set(err, HZ_EINVAL, "no summary item to narrate");
    }
    return HZ_OK;
}

bool hz__narrative_use_template(hz_narrative_ctx *c, hz_narrative_job *j)
{
    hz_prompt_job pj = {j->id, j->type, j->summary};
    hz_prompt_opts po = {c->set.max_prompt_tokens, c->tok, j->model};
    char *t = NULL;
    hz_error e2;
    if (hz_narrative_template(&pj, &po, &t, NULL, &j->items_dropped, &e2) !=
        HZ_OK)
        return e2.status != HZ_ENOMEM;
    free(j->text);
    j->text = t;
    j->is_template = true;
    j->text_tokens = hz_tokenizer_count(c->tok, t, strlen(t));
    c->m.templates++;
    return true;
}

void hz_narrative_text_clear(hz_narrative_text *t)
{
    if (t == NULL)
        return;
    free(t->text);
    memset(t, 0, sizeof *t);
}

/* The stored "narrative" record, when it has text. */
static bool from_record(const cJSON *n, hz_narrative_text *out)
{
    const char *text = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(n, "text"));
    if (text == NULL || (out->text = strdup(text)) == NULL)
        return false;
    const char *src = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(n, "source"));
    const char *model = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(n, "model"));
    out->is_template = src != NULL && strcmp(src, "template") == 0;
    snprintf(out->model, sizeof out->model, "%s", model ? model : "");
    out->prompt_tokens = (size_t)hz__cjson_num(n, "promptTokens", 0);
    out->items_dropped = (size_t)hz__cjson_num(n, "promptItemsDropped", 0);
    out->prompt_exact = cJSON_IsTrue(
        cJSON_GetObjectItemCaseSensitive(n, "promptTokensExact"));
    out->cached = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(n, "cached"));
    const cJSON *u = cJSON_GetObjectItemCaseSensitive(n, "usage");
    out->completion_tokens = out->is_template || u == NULL
                                 ? (long)hz__cjson_num(n, "textTokens", 0)
                                 : (long)hz__cjson_num(u, "completionTokens",
                                                       0);
    return true;
}

hz_status hz_narrative_for_job(const cJSON *job_doc, const hz_tokenizer *tok,
                               size_t max_prompt_tokens,
                               hz_narrative_text *out, hz_error *err)
{
    memset(out, 0, sizeof *out);
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(job_doc, "narrative");
    if (from_record(n, out))
        return HZ_OK;
    const char *type = hz__cjson_str(job_doc, "type");
    const cJSON *sj = cJSON_GetObjectItemCaseSensitive(job_doc, "summary");
    hz_summary *sum = NULL;
    hz_error e2;
    if (hz_summary_from_result_json(type, sj, &sum, &e2) != HZ_OK &&
        hz_summary_from_json(sj, &sum, &e2) != HZ_OK)
        return hz_error_set(
            err, HZ_ENOTFOUND,
            "job %s: no narrative and no summary to build "
            "one from",
            hz__cjson_str(job_doc, "id") ? hz__cjson_str(job_doc, "id") : "?");
    hz_prompt_job pj = {hz__cjson_str(job_doc, "id"), type, sum};
    hz_prompt_opts po = {max_prompt_tokens, tok, NULL};
    hz_status st = hz_narrative_template(
        &pj, &po, &out->text, &out->prompt_tokens, &out->items_dropped, err);
    hz_summary_free(sum);
    if (st != HZ_OK)
        return st;
    out->is_template = true;
    out->prompt_exact = tok != NULL;
    snprintf(out->model, sizeof out->model, "%s", HZ_NARRATIVE_TEMPLATE_MODEL);
    out->completion_tokens = (long)hz_tokenizer_count(tok, out->text,
                                                      strlen(out->text));
    return HZ_OK;
}
