/* Tokenizer: exact counts and ids against js-tiktoken (the npm peer) on a
 * corpus of prompts, for cl100k_base and o200k_base; estimate bounds. */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>

#include "hz_test.h"
#include "llm_peers.h"
#include "llm/tokenizer.h"

static const char *fixed[] = {
    "",
    "hello world",
    "Revenue is forecast to grow 8.2% over the next 12 months.",
    "You are an analyst. Write 2-3 sentences for a business reader.",
    "{\"job\":\"J000123\",\"items\":[\"total 1.23M\",\"growth +8%\"]}",
    "The 'at risk' segment holds 14% of revenue; churn rate 3.1%.",
    "I'm sure they'll say it's fine, we've done it, you'd agree; I'D SAY",
    "  leading spaces\tand\ttabs\n\nnew lines\r\n\r\nCRLF   ",
    "numbers 1234567890 12.5 -0.003 1e-9 3,141,592 2024-11-27",
    /* split literals end the hex escapes (\x9c then "ber"):
     * NOLINTNEXTLINE(bugprone-suspicious-missing-comma) */
    "caf\xc3\xa9 na\xc3\xafve r\xc3\xa9sum\xc3\xa9 \xc3\x9c"
    "ber Stra\xc3\x9f"
    "e",
    "\xe4\xb8\xad\xe6\x96\x87\xe6\xb5\x8b\xe8\xaf\x95 \xe6\x97\xa5\xe6\x9c"
    "\xac\xe8\xaa\x9e \xed\x95\x9c\xea\xb5\xad\xec\x96\xb4",
    "emoji \xf0\x9f\x93\x88\xf0\x9f\x93\x89 \xf0\x9f\x9a\x80!!",
    "path/to/file.csv and https://example.invalid/a/b?c=d&e=f",
    "ALLCAPS CamelCaseWord snake_case_name kebab-case-name",
    "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82 \xd0\xbc\xd0\xb8\xd1"
    "\x80 \xce\xb1\xce\xb2\xce\xb3 \xd8\xa7\xd9\x84\xd8\xb9\xd8\xb1\xd8\xa8"
    "\xd9\x8a\xd8\xa9",
    "a\n\n\n\n\n\nb          c",
    "))))]]]]}}}}....;;;;,,,,!!!!????",
    "x = y + z * (w - 1) / 2; // comment\n    return x;",
    "<|endoftext|> is ordinary text here",
    "North: 31% | South: 22% | East: 19% | West: 17% | Central: 11%",
    "Seasonal peak in December (+24% vs mean); trough in February.",
    "80% interval width: \xc2\xb1"
    "6.1% of the mean at h=12",
};

/* Random strings from a mixed alphabet (ASCII, Latin-1, CJK, emoji,
 * combining marks, whitespace runs, digits, quotes) with a fixed seed. */
static char *random_text(uint64_t *state)
{
    static const char *atoms[] = {
        "a",
        "b",
        "Z",
        "q",
        "the",
        " ",
        "  ",
        "\n",
        "\r\n",
        "\t",
        "0",
        "7",
        "42",
        "12345",
        ".",
        ",",
        "'",
        "'s",
        "'LL",
        "\"",
        "-",
        "/",
        "%",
        "$",
        "\xc3\xa9",
        "\xc3\x9f",
        "\xe4\xb8\xad",
        "\xe6\x96\x87",
        "\xf0\x9f\x93\x88",
        "\xcc\x81",
        "\xe2\x80\x94",
        "\xc2\xa0",
        "\xe2\x80\x83",
        "revenue",
        "Forecast",
        "CHURN",
        "_",
        "(",
        ")",
        "\xd0\xb0",
        "\xd8\xb9",
        "\xe0\xa4\x95",
        "\xe0\xa4\xbf",
        "::",
        "!?",
    };
    size_t na = sizeof atoms / sizeof atoms[0];
    size_t cap = 1024, len = 0;
    char *s = malloc(cap);
    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    size_t n = 1 + (size_t)((*state >> 33) % 60);
    for (size_t i = 0; i < n; i++) {
        *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
        const char *a = atoms[(*state >> 33) % na];
        size_t l = strlen(a);
        if (len + l + 1 > cap)
            break;
        memcpy(s + len, a, l);
        len += l;
    }
    s[len] = '\0';
    return s;
}

static void check_encoding(const char *enc)
{
    const char *tmp = hz_test_tmpdir();
    const char *ranks = peers_rank_file(enc, tmp);
    if (ranks == NULL) {
        hz_test_skip("node is not installed: js-tiktoken comparison "
                     "skipped");
        return;
    }
    hz_tokenizer *t = NULL;
    hz_error err;
    HZ_CHECK_MSG(hz_tokenizer_load(enc, ranks, &t, &err) == HZ_OK, "%s",
                 err.msg);

    size_t nfixed = sizeof fixed / sizeof fixed[0];
    size_t nrand = 300;
    size_t ntexts = nfixed + nrand;
    char **texts = calloc(ntexts, sizeof *texts);
    uint64_t state = 20261127;
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < ntexts; i++) {
        texts[i] = i < nfixed ? strdup(fixed[i]) : random_text(&state);
        cJSON_AddItemToArray(arr, cJSON_CreateString(texts[i]));
    }
    char *json = cJSON_PrintUnformatted(arr);
    cJSON_Delete(arr);
    char name[64];
    snprintf(name, sizeof name, "corpus_%s.json", enc);
    const char *corpus = hz_test_write_file(name, json, strlen(json));
    free(json);
    char cmd[9000];
    snprintf(cmd, sizeof cmd,
             "node '%s/tests/peers/tiktoken_count.js' %s "
             "'%s'",
             peers_root(), enc, corpus);
    FILE *p = popen(cmd, "r");
    HZ_CHECK(p != NULL);
    char *line = NULL;
    size_t cap = 0;
    size_t k = 0, mismatches = 0, total_tokens = 0;
    while (getline(&line, &cap, p) > 0 && k < ntexts) {
        char *sp = NULL;
        unsigned long expect = strtoul(line, &sp, 10);
        uint32_t *ids = NULL;
        size_t n = 0;
        hz_status st = hz_tokenizer_encode(t, texts[k], strlen(texts[k]), &ids,
                                           &n, &err);
        size_t cnt = hz_tokenizer_count(t, texts[k], strlen(texts[k]));
        bool same = st == HZ_OK && n == expect && cnt == expect;
        /* compare ids too */
        char *q = sp;
        for (size_t j = 0; same && j < n; j++) {
            while (*q == ' ' || *q == ',')
                q++;
            unsigned long id = strtoul(q, &q, 10);
            if (id != ids[j])
                same = false;
        }
        if (!same) {
            if (mismatches < 5)
                fprintf(stderr,
                        "  %s mismatch on text %zu '%s': C %zu "
                        "tokens, js-tiktoken %lu\n",
                        enc, k, texts[k], n, expect);
            mismatches++;
        }
        total_tokens += expect;
        free(ids);
        k++;
    }
    free(line);
    int rc = pclose(p);
    printf("  %s: %zu texts, %zu tokens, %zu mismatches\n", enc, k,
           total_tokens, mismatches);
    for (size_t i = 0; i < ntexts; i++)
        free(texts[i]);
    free(texts);
    hz_tokenizer_free(t);
    HZ_CHECK(rc == 0);
    HZ_CHECK(k == ntexts);
    HZ_CHECK(total_tokens > 1000);
    HZ_CHECK(mismatches == 0);
}

HZ_TEST(cl100k_matches_js_tiktoken)
{
    check_encoding("cl100k_base");
}

HZ_TEST(o200k_matches_js_tiktoken)
{
    check_encoding("o200k_base");
}

HZ_TEST(known_ids_cl100k)
{
    const char *ranks = peers_rank_file("cl100k_base", hz_test_tmpdir());
    if (ranks == NULL) {
        hz_test_skip("node is not installed: rank file unavailable");
        return;
    }
    hz_tokenizer *t = NULL;
    hz_error err;
    HZ_CHECK(hz_tokenizer_load("cl100k_base", ranks, &t, &err) == HZ_OK);
    uint32_t *ids;
    size_t n;
    /* the ids OpenAI's tiktoken documents for "hello world" */
    HZ_CHECK(hz_tokenizer_encode(t, "hello world", 11, &ids, &n, &err) ==
             HZ_OK);
    HZ_CHECK(n == 2);
    HZ_CHECK(ids[0] == 15339 && ids[1] == 1917);
    free(ids);
    /* invalid UTF-8 falls back to the estimate, encode refuses it */
    HZ_CHECK(hz_tokenizer_encode(t,
                                 "a\xff"
                                 "b",
                                 3, &ids, &n, &err) == HZ_EINVAL);
    HZ_CHECK(hz_tokenizer_count(t,
                                "a\xff"
                                "b",
                                3) == hz_token_estimate("a\xff"
                                                        "b",
                                                        3));
    HZ_CHECK_STR(hz_tokenizer_name(t), "cl100k_base");
    hz_tokenizer_free(t);
}

HZ_TEST(estimate_is_conservative_on_prompts)
{
    const char *ranks = peers_rank_file("cl100k_base", hz_test_tmpdir());
    HZ_CHECK(hz_token_estimate("", 0) == 0);
    HZ_CHECK(hz_token_estimate("a", 1) == 1);
    HZ_CHECK(hz_token_estimate("abc", 3) == 1);
    HZ_CHECK(hz_token_estimate("abcd", 4) == 2);
    HZ_CHECK(hz_token_estimate("a,b", 3) == 2);
    HZ_CHECK(hz_token_estimate("\xc3\xa9", 2) == 2);
    HZ_CHECK(hz_tokenizer_count(NULL, "abcdefg", 7) == 3);
    HZ_CHECK_STR(hz_tokenizer_name(NULL), "estimate");
    if (ranks == NULL) {
        hz_test_skip("node is not installed: exact comparison skipped");
        return;
    }
    hz_tokenizer *t = NULL;
    hz_error err;
    HZ_CHECK(hz_tokenizer_load("cl100k_base", ranks, &t, &err) == HZ_OK);
    /* every fixed text (prose, numbers, JSON, other scripts):
       estimate >= exact, and not absurdly above it overall */
    size_t sum_ex = 0, sum_est = 0;
    for (size_t i = 1; i < sizeof fixed / sizeof fixed[0]; i++) {
        const char *s = fixed[i];
        size_t ex = hz_tokenizer_count(t, s, strlen(s));
        size_t est = hz_token_estimate(s, strlen(s));
        HZ_CHECK_MSG(est >= ex, "estimate %zu < exact %zu for '%s'", est, ex,
                     s);
        sum_ex += ex;
        sum_est += est;
    }
    printf("  estimate/exact on the fixed corpus: %zu/%zu = %.2f\n", sum_est,
           sum_ex, (double)sum_est / (double)sum_ex);
    HZ_CHECK((double)sum_est <= 3.0 * (double)sum_ex);
    hz_tokenizer_free(t);
}

HZ_TEST(load_errors)
{
    hz_tokenizer *t = NULL;
    hz_error err;
    HZ_CHECK(hz_tokenizer_load("p50k_base", "/nonexistent", &t, &err) ==
             HZ_EINVAL);
    HZ_CHECK(hz_tokenizer_load("cl100k_base", "/nonexistent/x.tiktoken", &t,
                               &err) == HZ_EIO);
    HZ_CHECK_CONTAINS(err.msg, "/nonexistent/x.tiktoken");
    const char *bad = hz_test_write_file("bad.tiktoken", "IQ== 0\n!!! x\n",
                                         14);
    HZ_CHECK(hz_tokenizer_load("cl100k_base", bad, &t, &err) == HZ_EPARSE);
    HZ_CHECK_CONTAINS(err.msg, ":2:");
    HZ_CHECK(t == NULL);
}
