/* Markdown out of a model's narrative (jobs/llm/plain_text.h): what a chat
 * model writes in Markdown reads as plain text, and text that only looks
 * like it (names, arithmetic) is left alone. */
#include <stdlib.h>
#include <string.h>

#include "hz_test.h"
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
