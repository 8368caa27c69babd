/* A streamed answer as plain text, line by line.
 *
 * A narrative is kept as plain text (hz_plain_text); a streamed answer
 * showed the model's raw Markdown ("## Summary", "**Revenue**") as it
 * arrived, and a marker may be split across pieces ("*" then "*Revenue").
 * A plain stream sits between hz_llm_stream and where the text goes: it
 * holds the raw text, and at each line completed delivers the new part of
 * the plain text of what has come so far, so that what was streamed is
 * exactly the narrative kept (trimmed, hz_plain_text).  Its end delivers
 * the last line; a restart (a stream tried again) starts it afresh.  On
 * ENOMEM the pieces go on as they came (as hz_plain_text leaves a text it
 * cannot work on). */
#ifndef HZ_LLM_PLAIN_STREAM_H
#define HZ_LLM_PLAIN_STREAM_H

#include <stdbool.h>
#include <stddef.h>

#include "llm/llm.h"

typedef struct hz_plain_stream {
    hz_llm_stream_cb out; /* where the plain text goes */
    char *raw;            /* the answer so far, leading space dropped */
    size_t len, cap;
    size_t shown; /* bytes of its plain text delivered */
    bool raw_out; /* out of memory: pieces forwarded as they come */
} hz_plain_stream;

/* ps delivering to out (copied; its members may be NULL). */
void hz_plain_stream_init(hz_plain_stream *ps, const hz_llm_stream_cb *out);
/* The callbacks to give hz_llm_stream: pieces and restarts into ps. */
hz_llm_stream_cb hz_plain_stream_cb(hz_plain_stream *ps);
/* The stream completed: the rest of the plain text delivered. */
void hz_plain_stream_end(hz_plain_stream *ps);
void hz_plain_stream_free(hz_plain_stream *ps);

#endif
