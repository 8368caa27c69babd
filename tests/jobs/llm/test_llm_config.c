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
