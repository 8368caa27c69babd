/* What the files of the narrative step share (narrative.c,
 * narrative_run.c, narrative_template.c).  Internal to jobs/llm. */
#ifndef HZ_NARRATIVE_INTERNAL_H
#define HZ_NARRATIVE_INTERNAL_H

#include "narrative/narrative.h"

struct hz_narrative_ctx {
    hz_llm_settings set;
    hz_llm_client *client; /* NULL offline */
    hz_tokenizer *tok;
    hz_prompt_cache *cache; /* borrowed, may be NULL */
    hz_narrative_metrics m;
    hz_llm_stats zero_stats;
    /* the LLM taken as unavailable until then (wall clock; 0: it is not)
     * after a request failed for want of a server: why */
    double down_until;
    char down_error[HZ_ERROR_MAX];
};

/* Give job j its template narrative (from its prompt), keeping its status
 * and error (an LLM failure stays visible).  false when out of memory. */
bool hz__narrative_use_template(hz_narrative_ctx *c, hz_narrative_job *j);

#endif
