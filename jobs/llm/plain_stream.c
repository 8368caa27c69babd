/* A streamed answer as plain text.  See plain_stream.h. */
#include "llm/plain_stream.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "llm/plain_text.h"

void hz_plain_stream_init(hz_plain_stream *ps, const hz_llm_stream_cb *out)
{
    memset(ps, 0, sizeof *ps);
    if (out != NULL)
        ps->out = *out;
}

static void emit(hz_plain_stream *ps, const char *t, size_t n)
{
    if (n > 0 && ps->out.on_delta != NULL)
        ps->out.on_delta(t, n, ps->out.ud);
}

/* The plain text of raw[0..n) (n ends a line, or the whole answer) past
 * what was shown. */
static void show_upto(hz_plain_stream *ps, size_t n)
{
    char *t = malloc(n + 1);
    if (t == NULL) { /* what is not shown yet goes as it came */
        ps->raw_out = true;
        emit(ps, ps->raw, ps->len);
        return;
    }
    memcpy(t, ps->raw, n);
    t[n] = '\0';
    /* the lines so far in plain text; at a line's end it is the start
     * of the plain text of the whole answer (each line is made plain on
     * its own, and only the blank lines at the end are held back) */
    size_t m = strlen(hz_plain_text(t));
    if (m > ps->shown) {
        emit(ps, t + ps->shown, m - ps->shown);
        ps->shown = m;
    }
    free(t);
}

static void on_delta(const char *t, size_t n, void *ud)
{
    hz_plain_stream *ps = ud;
    if (ps->raw_out) {
        emit(ps, t, n);
        return;
    }
    while (ps->len == 0 && n > 0 && isspace((unsigned char)*t))
        t++, n--; /* the narrative is trimmed */
    if (n == 0)
        return;
    if (ps->len + n + 1 > ps->cap) {
        size_t cap = ps->cap ? ps->cap : 256;
        while (ps->len + n + 1 > cap)
            cap *= 2;
        char *r = realloc(ps->raw, cap);
        if (r == NULL) {
            show_upto(ps, ps->len);
            ps->raw_out = true;
            emit(ps, t, n);
            return;
        }
        ps->raw = r;
        ps->cap = cap;
    }
    memcpy(ps->raw + ps->len, t, n);
    ps->len += n;
    ps->raw[ps->len] = '\0';
    const char *nl = memchr(t, '\n', n) ? strrchr(ps->raw, '\n') : NULL;
    if (nl != NULL)
        show_upto(ps, (size_t)(nl - ps->raw) + 1);
}

static void on_restart(int attempt, const char *why, void *ud)
{
    hz_plain_stream *ps = ud;
    ps->len = ps->shown = 0;
    ps->raw_out = false;
    if (ps->out.on_restart != NULL)
        ps->out.on_restart(attempt, why, ps->out.ud);
}

hz_llm_stream_cb hz_plain_stream_cb(hz_plain_stream *ps)
{
    hz_llm_stream_cb cb = {on_delta, on_restart, ps};
    return cb;
}

void hz_plain_stream_end(hz_plain_stream *ps)
{
    if (!ps->raw_out && ps->len > 0)
        show_upto(ps, ps->len);
}

void hz_plain_stream_free(hz_plain_stream *ps)
{
    free(ps->raw);
    ps->raw = NULL;
    ps->len = ps->cap = ps->shown = 0;
}
