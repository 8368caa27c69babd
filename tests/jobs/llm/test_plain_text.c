/* Markdown out of a model's narrative (jobs/llm/plain_text.h): what a chat
 * model writes in Markdown reads as plain text, and text that only looks
 * like it (names, arithmetic) is left alone. */
#include <stdlib.h>
#include <string.h>

#include "hz_test.h"
#include "llm/plain_stream.h"
#include "llm/plain_text.h"

static char out[1024];

static const char *plain(const char *md)
{
    snprintf(out, sizeof out, "%s", md);
    return hz_plain_text(out);
}

HZ_TEST(markdown_of_a_chat_model_reads_as_plain_text)
{
    HZ_CHECK_STR(plain("## Summary\n\n**Revenue** is forecast to grow "
                       "*8.2%* next year.\n\n- Peak in **December**\n"
                       "* Trough in `February`\n+ Interval +/-12%"),
                 "Summary\n\nRevenue is forecast to grow 8.2% next year.\n\n"
                 "- Peak in December\n- Trough in February\n- Interval "
                 "+/-12%");
    HZ_CHECK_STR(plain("# Forecast #\nSales ***rose*** by __12%__."),
                 "Forecast\nSales rose by 12%.");
    HZ_CHECK_STR(plain("> Note: see [the report](https://example.com/r)."),
                 "Note: see the report (https://example.com/r).");
    HZ_CHECK_STR(plain(">> Nested\n>\n> quote"), "Nested\n\nquote");
    /* escapes: the character itself (not "\not\ bold") */
    HZ_CHECK_STR(plain("\\*not\\* bold, \\_kept\\_, 5 \\* 3, C:\\data"),
                 "*not* bold, _kept_, 5 * 3, C:\\data");
    HZ_CHECK_STR(plain("\\# not a heading, \\\\ one backslash"),
                 "# not a heading, \\ one backslash");
    HZ_CHECK_STR(plain("Intro\n\n---\n\n\n\nEnd"), "Intro\n\nEnd");
    HZ_CHECK_STR(plain("| region | sales |\n|---|:---:|\n| West | 1.2M |\n"),
                 "region | sales\nWest | 1.2M");
    HZ_CHECK_STR(plain("  **bold**  \n\n"), "bold");
    HZ_CHECK_STR(plain("1. first\n2. second"), "1. first\n2. second");
}

HZ_TEST(text_that_only_looks_like_markdown_is_kept)
{
    const char *same[] = {
        "A*B*C grew 3%",
        "2 * 3 * 4 = 24",
        "sales_total_usd and net__sales rose",
        "a lone * and a lone ** and ` and [x] and [y](",
        "#hashtag and issue #12",
        "5**2 is 25",
        "** not bold ** and * not emphasis *",
        "-5% vs last year; +3% vs the week before",
        "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d *",
        /* comparisons at the start of a line, not quotes: the number
         * would say "5%" where the model wrote "more than 5%" */
        ">5% of customers churned",
        "Segments:\n>90% of revenue comes from 2 of 8\n>=3 orders: 40%",
    };
    for (size_t i = 0; i < sizeof same / sizeof *same; i++)
        HZ_CHECK_STR(plain(same[i]), same[i]);
    /* HTML is text to escape where it is shown, never markup made here */
    HZ_CHECK_STR(plain("**<script>alert(1)</script>**"),
                 "<script>alert(1)</script>");
    HZ_CHECK(hz_plain_text(NULL) == NULL);
    char empty[] = "";
    HZ_CHECK_STR(hz_plain_text(empty), "");
}

/* A streamed answer (jobs/llm/plain_stream.h): in pieces of any size, a
 * marker split across them, what is delivered is the plain text kept. */
typedef struct {
    char s[1024];
    size_t n;
    int restarts;
} sink;

static void sink_delta(const char *t, size_t n, void *ud)
{
    sink *k = ud;
    if (k->n + n < sizeof k->s) {
        memcpy(k->s + k->n, t, n);
        k->n += n;
        k->s[k->n] = '\0';
    }
}

static void sink_restart(int attempt, const char *why, void *ud)
{
    sink *k = ud;
    (void)attempt, (void)why;
    k->restarts++;
    k->n = 0;
    k->s[0] = '\0';
}

static void stream_in(const char *md, size_t piece, sink *k)
{
    hz_llm_stream_cb to = {sink_delta, sink_restart, k};
    hz_plain_stream ps;
    hz_plain_stream_init(&ps, &to);
    hz_llm_stream_cb cb = hz_plain_stream_cb(&ps);
    memset(k, 0, sizeof *k);
    for (size_t i = 0, n = strlen(md); i < n; i += piece)
        cb.on_delta(md + i, n - i < piece ? n - i : piece, cb.ud);
    hz_plain_stream_end(&ps);
    hz_plain_stream_free(&ps);
}

HZ_TEST(a_streamed_answer_is_the_plain_text_kept)
{
    static const char *const md[] = {
        "\n  ## Summary\n\n**Revenue** is forecast to grow *8.2%*; see "
        "`sales_total`.\n\n\n\n* Peak in **December**\n| a | b |\n|---|---|\n"
        "| 1 | 2 |\n---\nA*B*C and 2 * 3 stay; [more](https://e.com/r)  \n\n",
        "no newline at all **bold**", "# T\xc3\xa9st \xe2\x82\xac\n> quote\n",
        ""};
    for (size_t m = 0; m < sizeof md / sizeof md[0]; m++) {
        const char *want = plain(md[m]);
        char w[1024];
        snprintf(w, sizeof w, "%s", want);
        for (size_t piece = 1; piece <= strlen(md[m]) + 1; piece++) {
            sink k;
            stream_in(md[m], piece, &k);
            HZ_CHECK_MSG(strcmp(k.s, w) == 0,
                         "text %zu in pieces of %zu: "
                         "[%s] not [%s]",
                         m, piece, k.s, w);
        }
    }
    /* a restart: the text so far void, the next attempt's text whole */
    sink k;
    hz_llm_stream_cb to = {sink_delta, sink_restart, &k};
    hz_plain_stream ps;
    memset(&k, 0, sizeof k);
    hz_plain_stream_init(&ps, &to);
    hz_llm_stream_cb cb = hz_plain_stream_cb(&ps);
    cb.on_delta("## Old\n**x", 10, cb.ud);
    cb.on_restart(2, "dropped", cb.ud);
    cb.on_delta("**New** text\n", 13, cb.ud);
    hz_plain_stream_end(&ps);
    hz_plain_stream_free(&ps);
    HZ_CHECK(k.restarts == 1);
    HZ_CHECK_STR(k.s, "New text");
}
