/* Token-budgeted chat prompts built from summaries (never from data).
 *
 * A prompt is two chat messages: a fixed, short system message and a user
 * message holding the summary items of one job (headed "TYPE summary:",
 * without the job id, so that equal summaries make equal prompts) or of
 * several (each headed "job ID (TYPE):", for a batched request), one item
 * a line ("- text"), most important first.  When the prompt
 * exceeds the budget, whole items are dropped, least important first
 * (ties: the item listed last); no item is ever cut.  An item of
 * importance 0 is kept for every job; a batch that cannot fit every job's
 * importance-0 items leaves jobs out (the caller sends them in another
 * request).
 *
 * Token counts include the chat format's overhead as OpenAI documents it
 * ("How to count tokens with tiktoken"): every message costs
 * tokens(role) + tokens(content) + 3 (4 for gpt-3.5-turbo-0301, whose
 * name field costs -1 instead of +1), and every reply is primed with 3
 * tokens (<|start|>assistant<|message|>).  With an exact tokenizer the
 * count equals the prompt_tokens a server reports for these messages. */
#ifndef HZ_PROMPT_H
#define HZ_PROMPT_H

#include <stdbool.h>
#include <stddef.h>

#include "horizon/common.h"
#include "horizon/summary.h"
#include "llm/tokenizer.h"

#define HZ_PROMPT_DEFAULT_MAX_TOKENS 400

typedef struct hz_chat_message {
    const char *role; /* "system", "user", "assistant" */
    const char *content;
} hz_chat_message;

/* Tokens of a chat request (messages + per-message overhead + reply
 * priming) for model (NULL = current models). */
size_t hz_chat_tokens(const hz_tokenizer *t, const char *model,
                      const hz_chat_message *msgs, size_t n);

typedef struct hz_prompt_opts {
    size_t max_tokens;       /* 0 = HZ_PROMPT_DEFAULT_MAX_TOKENS */
    const hz_tokenizer *tok; /* NULL = conservative estimate */
    const char *model;       /* for the overhead rule; may be NULL */
} hz_prompt_opts;

/* One job's part of a prompt. */
typedef struct hz_prompt_job {
    const char *id;            /* job id (the key of a batched reply) */
    const char *type;          /* "forecast", "suite", ... */
    const hz_summary *summary; /* items (any order; sorted internally) */
} hz_prompt_job;

typedef struct hz_prompt {
    char *system;  /* malloc'ed */
    char *user;    /* malloc'ed */
    bool json;     /* a JSON object reply is asked for */
    size_t tokens; /* hz_chat_tokens of the two messages */
    bool exact;    /* tokens counted with a rank file */
    size_t njobs;  /* jobs included (a prefix of the input) */
    size_t items_kept, items_dropped;
    /* [njobs] the items of each job left out (malloc'ed): a batch's
     * budget is shared, so a job in one may lose items its prompt alone
     * keeps */
    size_t *job_dropped;
} hz_prompt;

/* Build the prompt for jobs[0..n): n == 1 asks for plain text, n > 1 for
 * a JSON object {"<job id>": "<narrative>", ...}.  Jobs that do not fit
 * are left out from the end (out->njobs < n); at least one job is always
 * included, and HZ_EINVAL is returned when even one job's most important
 * item does not fit the budget.  Free with hz_prompt_clear(). */
hz_status hz_prompt_build(const hz_prompt_job *jobs, size_t n,
                          const hz_prompt_opts *opts, hz_prompt *out,
                          hz_error *err);

void hz_prompt_clear(hz_prompt *p); /* NULL allowed; zeroes it */

#endif
