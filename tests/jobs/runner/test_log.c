/* The runner's log (runner/log.h): a message longer than it shows is cut
 * at a character, never inside one, and says how much was left out; every
 * line stays valid UTF-8 and, with --log-format json, valid JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "horizon/outfile.h"
#include "hz_test.h"
#include "runner/log.h"

/* The log's output for one event of msg. */
static char *one_event(hz_log_format fmt, const char *msg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    if (out == NULL)
        return NULL;
    hz_log *log = hz_log_new(out, fmt, HZ_LOG_DEBUG, false);
    hz_log_write(log, HZ_LOG_WARN, NULL, "%s", msg);
    hz_log_free(log);
    fclose(out);
    return buf;
}

/* N in "[cut N bytes]" of s, or -1. */
static long cut_count(const char *s)
{
    const char *p = strstr(s, "\xe2\x80\xa6[cut ");
    return p != NULL ? strtol(p + strlen("\xe2\x80\xa6[cut "), NULL, 10) : -1;
}

/* A message of n bytes of "é" (2 bytes each) after an odd prefix: every
 * possible cut of it falls inside a character unless the log looks. */
static char *long_message(size_t pairs, const char *prefix)
{
    size_t np = strlen(prefix);
    char *m = malloc(np + 2 * pairs + 1);
    if (m == NULL)
        return NULL;
    memcpy(m, prefix, np);
    for (size_t i = 0; i < pairs; i++)
        memcpy(m + np + 2 * i, "\xc3\xa9", 2);
    m[np + 2 * pairs] = '\0';
    return m;
}

HZ_TEST(a_long_message_is_cut_at_a_character_and_said)
{
    const char *prefixes[] = {"x", "xy", "xyz", "wxyz"};
    for (int k = 0; k < 4; k++) {
        char *msg = long_message(3000, prefixes[k]);
        HZ_CHECK(msg != NULL);
        size_t total = strlen(msg);
        /* JSON: one line that parses, its msg valid UTF-8 without
         * U+FFFD, the cut said, and what is shown + cut = all */
        char *json = one_event(HZ_LOG_JSON, msg);
        HZ_CHECK(json != NULL);
        HZ_CHECK(hz_utf8_valid(json, strlen(json)));
        HZ_CHECK_MSG(strstr(json, "\xef\xbf\xbd") == NULL,
                     "a replacement character in %.80s", json);
        cJSON *o = cJSON_Parse(json);
        HZ_CHECK(o != NULL);
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "msg");
        HZ_CHECK(cJSON_IsString(m));
        const char *mark = strstr(m->valuestring, "\xe2\x80\xa6[cut ");
        HZ_CHECK(mark != NULL);
        size_t shown = (size_t)(mark - m->valuestring);
        HZ_CHECK(shown > 1000 && shown <= HZ_LOG_MSG_MAX);
        HZ_CHECK(memcmp(m->valuestring, msg, shown) == 0);
        HZ_CHECK_MSG(shown + (size_t)cut_count(m->valuestring) == total,
                     "%zu shown + %ld cut != %zu", shown,
                     cut_count(m->valuestring), total);
        cJSON_Delete(o);
        free(json);
        /* text: valid UTF-8, no U+FFFD, the cut said */
        char *text = one_event(HZ_LOG_TEXT, msg);
        HZ_CHECK(text != NULL);
        HZ_CHECK(hz_utf8_valid(text, strlen(text)));
        HZ_CHECK(strstr(text, "\xef\xbf\xbd") == NULL);
        HZ_CHECK(cut_count(text) > 0);
        free(text);
        free(msg);
    }
}

HZ_TEST(a_message_that_fits_is_whole)
{
    char *msg = long_message(HZ_LOG_MSG_MAX / 2 - 1, "");
    HZ_CHECK(msg != NULL);
    char *json = one_event(HZ_LOG_JSON, msg);
    HZ_CHECK(json != NULL);
    HZ_CHECK(strstr(json, msg) != NULL);
    HZ_CHECK(cut_count(json) < 0);
    free(json);
    free(msg);
}
