/* The LLM settings file: errors name the file and line, oversized or
 * binary files are refused rather than cut (found by the fuzz target
 * tests/fuzz/fuzz_llm_config.c). */
#include <stdlib.h>
#include <string.h>

#include "hz_test.h"
#include "llm/llm_config.h"

static void no_env(void)
{
    unsetenv("HZ_LLM_CONFIG");
    unsetenv("HZ_LLM_MODEL");
}

HZ_TEST(too_many_routes_names_file_and_line)
{
    no_env();
    char text[2048] = "[models]\n";
    for (int i = 0; i < 20; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text),
                 "type%d = m%d\n", i, i);
    const char *p = hz_test_write_file("routes.ini", text, strlen(text));
    hz_llm_settings s;
    hz_error err;
    HZ_CHECK(hz_llm_settings_load(p, &s, &err) == HZ_EINVAL);
    char want[4200];
    snprintf(want, sizeof want, "%s:18: llm config: too many routes", p);
    HZ_CHECK_CONTAINS(err.msg, want);
}

HZ_TEST(json_route_error_names_file)
{
    no_env();
    const char *t = "{\"models\": {\"default\": \"\"}}";
    const char *p = hz_test_write_file("routes.json", t, strlen(t));
    hz_llm_settings s;
    hz_error err;
    HZ_CHECK(hz_llm_settings_load(p, &s, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, p);
    HZ_CHECK_CONTAINS(err.msg, "bad model for 'default'");
}

HZ_TEST(oversized_file_is_refused_not_cut)
{
    no_env();
    size_t n = HZ_LLM_CONFIG_MAX + 10;
    char *t = malloc(n);
    HZ_CHECK(t != NULL);
    memset(t, '#', n); /* one long comment */
    t[n - 1] = '\n';
    const char *p = hz_test_write_file("big.ini", t, n);
    free(t);
    hz_llm_settings s;
    hz_error err;
    HZ_CHECK(hz_llm_settings_load(p, &s, &err) == HZ_EPARSE);
    HZ_CHECK_CONTAINS(err.msg, "larger than 64 KiB");
    /* exactly the limit is fine */
    t = malloc(HZ_LLM_CONFIG_MAX);
    HZ_CHECK(t != NULL);
    memset(t, '#', HZ_LLM_CONFIG_MAX);
    t[HZ_LLM_CONFIG_MAX - 1] = '\n';
    p = hz_test_write_file("limit.ini", t, HZ_LLM_CONFIG_MAX);
    free(t);
    HZ_CHECK(hz_llm_settings_load(p, &s, &err) == HZ_OK);
}

HZ_TEST(nul_byte_is_refused)
{
    no_env();
    const char t[] = "[llm]\ntimeout = 5\n\0[models]\ndefault = x\n";
    const char *p = hz_test_write_file("nul.ini", t, sizeof t - 1);
    hz_llm_settings s;
    hz_error err;
    HZ_CHECK(hz_llm_settings_load(p, &s, &err) == HZ_EPARSE);
    HZ_CHECK_CONTAINS(err.msg, "NUL byte");
}

HZ_TEST(backoff_max_below_min_names_the_file)
{
    no_env();
    unsetenv("HZ_LLM_BACKOFF_MIN");
    unsetenv("HZ_LLM_BACKOFF_MAX");
    const char *t = "[llm]\nbackoff_min = 4\nbackoff_max = 1\n";
    const char *p = hz_test_write_file("backoff.ini", t, strlen(t));
    hz_llm_settings s;
    hz_error err;
    HZ_CHECK(hz_llm_settings_load(p, &s, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, p);
    HZ_CHECK_CONTAINS(err.msg, "backoff_max (1) is below backoff_min (4)");
}

/* README.md's settings example puts comments after values
 * ("timeout = 60   # seconds"): they are comments, not part of the value
 * (until 2026-12-07 the example was refused: 'timeout': expected a
 * number, got '60   # seconds ...'). */
HZ_TEST(comments_after_values_are_comments)
{
    no_env();
    unsetenv("HZ_LLM_TIMEOUT");
    unsetenv("HZ_LLM_BATCH_SIZE");
    const char *t = "[llm]\n"
                    "timeout = 45            # seconds per request\n"
                    "batch_size = 3;a comment without a space is a value\n"
                    "reasoning_effort = \"\"   # \"\" = not sent\n"
                    "entra_scope = 'https://x/#frag' ; quoted: kept\n"
                    "[models]                # job type -> model\n"
                    "default = small\t# a tab before it\n"
                    "suite = big ; semicolons too\n";
    const char *p = hz_test_write_file("comments.ini", t, strlen(t));
    hz_llm_settings s;
    hz_error err;
    /* '3;a comment ...' is not a number: only a '#' or ';' after a
     * space or tab starts a comment */
    HZ_CHECK(hz_llm_settings_load(p, &s, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "comments.ini:3: 'batch_size'");
    const char *t2 = "[llm]\n"
                     "timeout = 45            # seconds per request\n"
                     "batch_size = 3 ;a comment\n"
                     "reasoning_effort = \"\"   # \"\" = not sent\n"
                     "entra_scope = 'https://x/#frag' ; quoted: kept\n"
                     "[models]                # job type -> model\n"
                     "default = small\t# a tab before it\n"
                     "suite = big ; semicolons too\n";
    p = hz_test_write_file("comments2.ini", t2, strlen(t2));
    HZ_CHECK_MSG(hz_llm_settings_load(p, &s, &err) == HZ_OK, "%s", err.msg);
    HZ_CHECK(s.client.timeout_s == 45);
    HZ_CHECK(s.batch_size == 3);
    HZ_CHECK_STR(s.client.reasoning_effort, "");
    HZ_CHECK_STR(s.client.entra_scope, "https://x/#frag");
    HZ_CHECK_STR(hz_llm_model_for(&s, "forecast"), "small");
    HZ_CHECK_STR(hz_llm_model_for(&s, "suite"), "big");
}

/* A line longer than the reader's buffer is refused, not cut to a
 * shorter value. */
HZ_TEST(overlong_line_is_refused_not_cut)
{
    no_env();
    char t[1200];
    int n = snprintf(t, sizeof t, "[llm]\nentra_scope = https://");
    memset(t + n, 'a', 1100);
    snprintf(t + n + 1100, sizeof t - (size_t)n - 1100, "/.default\n");
    const char *p = hz_test_write_file("long.ini", t, strlen(t));
    hz_llm_settings s;
    hz_error err;
    HZ_CHECK(hz_llm_settings_load(p, &s, &err) == HZ_EPARSE);
    HZ_CHECK_CONTAINS(err.msg, "long.ini:2: line longer than 1023 bytes");
}
