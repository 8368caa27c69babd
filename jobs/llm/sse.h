/* Server-sent events (the text/event-stream format of the HTML standard),
 * parsed from bytes in any chunking: lines end with CRLF, LF or CR; "data:"
 * lines of an event are joined with "\n" and the event is dispatched at
 * the blank line that ends it; "event:" names it; comments (":") and other
 * fields are ignored; a leading BOM is skipped.  An event still open when
 * the stream ends is discarded, as the standard says (the caller sees a
 * stream without its terminator).  Lines and events are capped.
 *
 * On top of it, the chat-completions stream: each event's data is a JSON
 * chunk (choices[0].delta.content, finish_reason, usage, or an error
 * object) until "[DONE]".  hz__chat_stream_feed() is the entry point a
 * fuzz target drives: feeding the same bytes in any chunking gives the
 * same text, usage and verdict. */
#ifndef HZ_LLM_SSE_H
#define HZ_LLM_SSE_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "llm/llm.h"
#include "net/http.h"

typedef void (*hz_sse_event_fn)(const char *event, const char *data,
                                size_t len, void *ud);

typedef struct hz_sse {
    hz_netbuf line; /* the line being read */
    hz_netbuf data; /* the data of the event being assembled */
    char event[64]; /* its "event:" name ("" = message) */
    bool after_cr;  /* the last byte was CR (a LF next is the same EOL) */
    bool started;   /* the first byte was seen (BOM check) */
    bool too_big;   /* a line or an event passed the cap */
    hz_sse_event_fn on_event;
    void *ud;
} hz_sse;

/* max_bytes caps a line and an event's data (0 = 1 MiB). */
void hz__sse_init(hz_sse *p, size_t max_bytes, hz_sse_event_fn fn, void *ud);
/* Feed n bytes; false once a line or an event passed the cap (the rest is
 * ignored). */
bool hz__sse_feed(hz_sse *p, const char *buf, size_t n);
/* Forget everything (a new stream), keeping the memory and callback. */
void hz__sse_reset(hz_sse *p);
void hz__sse_free(hz_sse *p);

/* The state of one chat-completions stream. */
typedef struct hz_chat_stream {
    hz_sse sse;
    hz_netbuf text;           /* the content so far */
    bool done;                /* "[DONE]" seen */
    bool failed;              /* malformed data, an error event, too big */
    bool delivered;           /* some text was passed to on_delta */
    char error[HZ_ERROR_MAX]; /* why failed */
    char finish_reason[32];
    hz_llm_usage usage;
    void (*on_delta)(const char *text, size_t len, void *ud);
    void *ud;
} hz_chat_stream;

void hz__chat_stream_init(hz_chat_stream *s, size_t max_bytes,
                          void (*on_delta)(const char *, size_t, void *),
                          void *ud);
/* Feed bytes of the response body; false once the stream failed. */
bool hz__chat_stream_feed(hz_chat_stream *s, const char *buf, size_t n);
void hz__chat_stream_reset(hz_chat_stream *s);
void hz__chat_stream_free(hz_chat_stream *s);

/* Read a "usage" object (prompt_tokens, completion_tokens, total_tokens)
 * into u.  An absent or null count reads as 0; usage is present when the
 * object has any member.  false, leaving u alone, when a count is not a
 * whole number from 0 to 2^53 (never cast out of range). */
bool hz__llm_usage_read(hz_llm_usage *u, const cJSON *o);

#endif
