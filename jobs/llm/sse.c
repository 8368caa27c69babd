/* Server-sent events and the chat-completions stream on top.  See
 * sse.h. */
#include "llm/sse.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

void hz__sse_init(hz_sse *p, size_t max_bytes, hz_sse_event_fn fn, void *ud)
{
    memset(p, 0, sizeof *p);
    p->line.max = p->data.max = max_bytes ? max_bytes : ((size_t)1 << 20);
    p->on_event = fn;
    p->ud = ud;
}

void hz__sse_reset(hz_sse *p)
{
    hz_netbuf_reset(&p->line);
    hz_netbuf_reset(&p->data);
    p->event[0] = '\0';
    p->after_cr = p->started = p->too_big = false;
}

void hz__sse_free(hz_sse *p)
{
    hz_netbuf_free(&p->line);
    hz_netbuf_free(&p->data);
}

/* A blank line: dispatch the event when it has data. */
static void dispatch(hz_sse *p)
{
    if (p->data.len > 0) {
        size_t n = p->data.len - 1; /* the last "\n" */
        p->data.data[n] = '\0';
        if (p->on_event)
            p->on_event(p->event[0] ? p->event : "message", p->data.data, n,
                        p->ud);
    }
    hz_netbuf_reset(&p->data);
    p->event[0] = '\0';
}

/* One complete line (without its end of line). */
static void on_line(hz_sse *p, const char *l, size_t n)
{
    if (!p->started) { /* a byte order mark before the first line */
        p->started = true;
        if (n >= 3 && memcmp(l, "\xEF\xBB\xBF", 3) == 0)
            l += 3, n -= 3;
    }
    if (n == 0) {
        dispatch(p);
        return;
    }
    if (l[0] == ':')
        return; /* comment */
    const char *colon = memchr(l, ':', n);
    size_t fl = colon ? (size_t)(colon - l) : n;
    const char *v = colon ? colon + 1 : l + n;
    size_t vl = (size_t)(l + n - v);
    if (vl > 0 && v[0] == ' ')
        v++, vl--;
    if (fl == 4 && memcmp(l, "data", 4) == 0) {
        if (!hz_netbuf_put(&p->data, v, vl) ||
            !hz_netbuf_put(&p->data, "\n", 1))
            p->too_big = true;
    } else if (fl == 5 && memcmp(l, "event", 5) == 0) {
        snprintf(p->event, sizeof p->event, "%.*s", (int)(vl < 63 ? vl : 63),
                 v);
    }
}

bool hz__sse_feed(hz_sse *p, const char *buf, size_t n)
{
    size_t i = 0;
    while (i < n && !p->too_big) {
        char ch = buf[i];
        if (ch == '\n' && p->after_cr) {
            p->after_cr = false; /* the LF of a CRLF */
            i++;
            continue;
        }
        p->after_cr = ch == '\r';
        if (ch == '\n' || ch == '\r') {
            on_line(p, p->line.data ? p->line.data : "", p->line.len);
            hz_netbuf_reset(&p->line);
            i++;
            continue;
        }
        /* the rest of this line in one go */
        size_t j = i;
        while (j < n && buf[j] != '\n' && buf[j] != '\r')
            j++;
        if (!hz_netbuf_put(&p->line, buf + i, j - i))
            p->too_big = true;
        i = j;
    }
    return !p->too_big;
}

/* ---- the chat-completions stream ---- */

static void chat_fail(hz_chat_stream *s, const char *msg)
{
    if (!s->failed)
        snprintf(s->error, sizeof s->error, "%s", msg);
    s->failed = true;
}

/* A token count: absent (or null) reads as 0; otherwise a whole number
 * from 0 to 2^53.  false for anything else. */
static bool read_count(const cJSON *o, const char *name, long *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    *out = 0;
    if (v == NULL || cJSON_IsNull(v))
        return true;
    if (!cJSON_IsNumber(v))
        return false;
    double d = v->valuedouble;
    if (!(d >= 0.0 && d <= 9007199254740992.0))
        return false; /* also NaN */
    long n = (long)d;
    if ((double)n != d)
        return false;
    *out = n;
    return true;
}

bool hz__llm_usage_read(hz_llm_usage *u, const cJSON *o)
{
    hz_llm_usage t;
    memset(&t, 0, sizeof t);
    if (!read_count(o, "prompt_tokens", &t.prompt_tokens) ||
        !read_count(o, "completion_tokens", &t.completion_tokens) ||
        !read_count(o, "total_tokens", &t.total_tokens))
        return false;
    t.present = cJSON_GetArraySize(o) > 0;
    *u = t;
    return true;
}

/* One chunk: text, finish reason, usage, or an error. */
static void read_chunk(hz_chat_stream *s, const cJSON *j)
{
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
    if (e != NULL) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "message");
        char msg[300];
        snprintf(msg, sizeof msg, "stream error: %.250s",
                 cJSON_IsString(m) ? m->valuestring : "(no message)");
        chat_fail(s, msg);
        return;
    }
    const cJSON *ch = cJSON_GetObjectItemCaseSensitive(j, "choices");
    const cJSON *c0 = cJSON_IsArray(ch) ? cJSON_GetArrayItem(ch, 0) : NULL;
    if (c0 != NULL) {
        const cJSON *delta = cJSON_GetObjectItemCaseSensitive(c0, "delta");
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(delta, "content");
        if (cJSON_IsString(t) && t->valuestring[0] != '\0') {
            size_t n = strlen(t->valuestring);
            if (!hz_netbuf_put(&s->text, t->valuestring, n)) {
                chat_fail(s, "stream: reply too large");
                return;
            }
            if (s->on_delta)
                s->on_delta(t->valuestring, n, s->ud);
            s->delivered = true;
        }
        const cJSON *fr = cJSON_GetObjectItemCaseSensitive(c0,
                                                           "finish_reason");
        if (cJSON_IsString(fr))
            snprintf(s->finish_reason, sizeof s->finish_reason, "%s",
                     fr->valuestring);
    }
    const cJSON *u = cJSON_GetObjectItemCaseSensitive(j, "usage");
    if (cJSON_IsObject(u) && !hz__llm_usage_read(&s->usage, u))
        chat_fail(s, "stream: malformed usage (token counts must be whole "
                     "numbers from 0)");
}

static void on_chat_event(const char *event, const char *data, size_t len,
                          void *ud)
{
    hz_chat_stream *s = ud;
    if (s->failed || s->done)
        return;
    if (strcmp(event, "error") == 0) {
        chat_fail(s, "stream error event");
        return;
    }
    if (len == 6 && memcmp(data, "[DONE]", 6) == 0) {
        s->done = true;
        return;
    }
    cJSON *j = cJSON_ParseWithLength(data, len);
    if (!cJSON_IsObject(j))
        chat_fail(s, "stream: malformed event data");
    else
        read_chunk(s, j);
    cJSON_Delete(j);
}

void hz__chat_stream_init(hz_chat_stream *s, size_t max_bytes,
                          void (*on_delta)(const char *, size_t, void *),
                          void *ud)
{
    memset(s, 0, sizeof *s);
    hz__sse_init(&s->sse, max_bytes, on_chat_event, s);
    s->text.max = max_bytes ? max_bytes : ((size_t)1 << 20);
    s->on_delta = on_delta;
    s->ud = ud;
}

bool hz__chat_stream_feed(hz_chat_stream *s, const char *buf, size_t n)
{
    if (!s->failed && !hz__sse_feed(&s->sse, buf, n))
        chat_fail(s, "stream: an event larger than the reply cap");
    return !s->failed;
}

void hz__chat_stream_reset(hz_chat_stream *s)
{
    hz__sse_reset(&s->sse);
    hz_netbuf_reset(&s->text);
    s->done = s->failed = s->delivered = false;
    s->error[0] = s->finish_reason[0] = '\0';
    memset(&s->usage, 0, sizeof s->usage);
}

void hz__chat_stream_free(hz_chat_stream *s)
{
    hz__sse_free(&s->sse);
    hz_netbuf_free(&s->text);
}
