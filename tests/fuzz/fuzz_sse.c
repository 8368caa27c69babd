/* Fuzz target for the streaming chat parser (jobs/llm/sse.c): any bytes
 * as the body of a chat-completions event stream, fed through
 * hz__chat_stream_feed whole, one byte at a time and in chunks of sizes
 * drawn from the input, with the default cap and with a small one.
 * Properties: no crash; the same bytes give the same text, finish
 * reason, usage and verdict in any chunking; the text passed to on_delta
 * is the text kept, piece by piece; the text stays within the cap; a
 * failed stream says why; token counts are never negative. */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "llm/sse.h"

/* What on_delta received, concatenated (capped like the stream). */
typedef struct deltas {
    char buf[1 << 15];
    size_t len;
    bool overflow;
} deltas;

static void on_delta(const char *text, size_t len, void *ud)
{
    deltas *d = ud;
    FUZZ_CHECK(len > 0, "on_delta called with no text");
    if (d->len + len > sizeof d->buf) {
        d->overflow = true;
        return;
    }
    memcpy(d->buf + d->len, text, len);
    d->len += len;
}

/* A small deterministic generator for chunk sizes (xorshift32). */
static uint32_t next_rand(uint32_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}

enum { WHOLE, BYTES, CHUNKS };

/* Feed data to s in the given way; the feed's answers must agree with
 * the stream's state. */
static void feed(hz_chat_stream *s, const uint8_t *data, size_t size, int how)
{
    uint32_t x = 2463534242u ^ (uint32_t)size;
    for (size_t i = 0; i < size && i < 8; i++)
        x = x * 31u + data[i];
    if (x == 0)
        x = 1;
    size_t i = 0;
    while (i < size) {
        size_t n = size - i;
        if (how == BYTES)
            n = 1;
        else if (how == CHUNKS && n > 1)
            n = 1 + next_rand(&x) % (n < 64 ? n : 64);
        bool ok = hz__chat_stream_feed(s, (const char *)data + i, n);
        FUZZ_CHECK(ok == !s->failed, "feed answered %d, failed = %d", ok,
                   s->failed);
        i += n;
    }
}

/* The checks on one finished stream. */
static void check_one(const hz_chat_stream *s, const deltas *d, size_t cap)
{
    FUZZ_CHECK(s->text.len <= cap, "text of %zu bytes past the cap %zu",
               s->text.len, cap);
    FUZZ_CHECK(!s->failed || s->error[0] != '\0', "failed without a reason");
    FUZZ_CHECK(s->failed || s->error[0] == '\0', "a reason without failing");
    FUZZ_CHECK(s->delivered == (s->text.len > 0),
               "delivered = %d with %zu bytes of text", s->delivered,
               s->text.len);
    if (!d->overflow)
        FUZZ_CHECK(
            d->len == s->text.len &&
                (d->len == 0 || memcmp(d->buf, s->text.data, d->len) == 0),
            "the deltas (%zu bytes) differ from the text (%zu)", d->len,
            s->text.len);
    FUZZ_CHECK(s->usage.prompt_tokens >= 0 &&
                   s->usage.completion_tokens >= 0 &&
                   s->usage.total_tokens >= 0,
               "negative token counts %ld %ld %ld", s->usage.prompt_tokens,
               s->usage.completion_tokens, s->usage.total_tokens);
}

/* Two streams fed differently must end the same. */
static void check_same(const hz_chat_stream *a, const hz_chat_stream *b,
                       int how)
{
    FUZZ_CHECK(a->failed == b->failed && a->done == b->done,
               "chunking %d changed the verdict: failed %d/%d done %d/%d", how,
               a->failed, b->failed, a->done, b->done);
    FUZZ_CHECK(strcmp(a->error, b->error) == 0,
               "chunking %d changed the error: '%s' / '%s'", how, a->error,
               b->error);
    FUZZ_CHECK(a->text.len == b->text.len &&
                   (a->text.len == 0 ||
                    memcmp(a->text.data, b->text.data, a->text.len) == 0),
               "chunking %d changed the text (%zu / %zu bytes)", how,
               a->text.len, b->text.len);
    FUZZ_CHECK(strcmp(a->finish_reason, b->finish_reason) == 0,
               "chunking %d changed the finish reason", how);
    FUZZ_CHECK(a->usage.present == b->usage.present &&
                   a->usage.prompt_tokens == b->usage.prompt_tokens &&
                   a->usage.completion_tokens == b->usage.completion_tokens &&
                   a->usage.total_tokens == b->usage.total_tokens,
               "chunking %d changed the usage", how);
}

static void run_cap(const uint8_t *data, size_t size, size_t max_bytes)
{
    size_t cap = max_bytes ? max_bytes : ((size_t)1 << 20);
    hz_chat_stream ref;
    deltas *d = calloc(1, sizeof *d);
    FUZZ_CHECK(d != NULL, "out of memory");
    hz__chat_stream_init(&ref, max_bytes, on_delta, d);
    feed(&ref, data, size, WHOLE);
    check_one(&ref, d, cap);
    for (int how = BYTES; how <= CHUNKS; how++) {
        hz_chat_stream s;
        memset(d, 0, sizeof *d);
        hz__chat_stream_init(&s, max_bytes, on_delta, d);
        feed(&s, data, size, how);
        check_one(&s, d, cap);
        check_same(&ref, &s, how);
        /* a reset stream reads the same bytes the same way again */
        hz__chat_stream_reset(&s);
        memset(d, 0, sizeof *d);
        feed(&s, data, size, how);
        check_same(&ref, &s, how);
        hz__chat_stream_free(&s);
    }
    hz__chat_stream_free(&ref);
    free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run_cap(data, size, 0);
    run_cap(data, size, 200);
    return 0;
}
