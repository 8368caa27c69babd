/* Fuzz target for the LLM settings file (jobs/llm/llm_config.c, INI or
 * JSON): any bytes as the file's content.  Properties: no crash; a
 * refused file gets a message that names it; an accepted one leaves the
 * settings within their documented ranges. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "llm/llm_config.h"

static char path[4096];

static void remove_scratch(void)
{
    remove(path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* the file alone decides: no settings from the environment */
    static const char *const vars[] = {
        "HZ_LLM_CONFIG",         "HZ_LLM_MODEL",
        "HZ_LLM_BATCH_SIZE",     "HZ_LLM_MAX_PROMPT_TOKENS",
        "HZ_LLM_CACHE_TTL",      "HZ_TIKTOKEN_FILE",
        "HZ_TIKTOKEN_ENCODING",  "OPENAI_API_KEY",
        "OPENAI_BASE_URL",       "AZURE_OPENAI_ENDPOINT",
        "AZURE_OPENAI_API_KEY",  "AZURE_OPENAI_DEPLOYMENT",
        "HZ_LLM_MODEL_FORECAST", "HZ_LLM_MODEL_SUITE"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        unsetenv(vars[i]);
    const char *tmp = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/hz_fuzz_llm_%ld.ini", tmp ? tmp : "/tmp",
             (long)getpid());
    atexit(remove_scratch);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (path[0] == '\0')
        LLVMFuzzerInitialize(NULL, NULL);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
    hz_llm_settings s;
    hz_error err;
    hz_error_clear(&err);
    hz_status st = hz_llm_settings_load(path, &s, &err);
    if (st != HZ_OK) {
        FUZZ_CHECK(strstr(err.msg, path) != NULL,
                   "error that does not name the file: %s", err.msg);
        return 0;
    }
    FUZZ_CHECK(s.nroutes <= HZ_LLM_MAX_ROUTES, "%zu routes", s.nroutes);
    FUZZ_CHECK(s.batch_size >= 1 && s.batch_size <= 64, "batch size %d",
               s.batch_size);
    FUZZ_CHECK(s.temperature >= 0 && s.temperature <= 2, "temperature %g",
               s.temperature);
    FUZZ_CHECK(s.cache_ttl_s >= 0, "cache ttl %g", s.cache_ttl_s);
    FUZZ_CHECK(memchr(s.default_model, '\0', sizeof s.default_model) != NULL,
               "default model not terminated");
    return 0;
}
