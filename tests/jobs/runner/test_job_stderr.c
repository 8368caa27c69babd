/* A job process's stderr logged by the runner (runner/job_stderr.h):
 * what it shows of a line and what it counts as not shown add up to what
 * the job process wrote; a long line is not cut silently by the log's
 * message size. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hz_test.h"
#include "runner/job_stderr.h"

/* The bytes a log line says were not shown ("wrote N more bytes"), or 0. */
static long long not_shown(const char *log)
{
    const char *p = strstr(log, " more bytes on stderr");
    if (p == NULL)
        return 0;
    while (p > log && p[-1] >= '0' && p[-1] <= '9')
        p--;
    return atoll(p);
}

HZ_TEST(a_long_stderr_line_is_shown_or_counted)
{
    char dir[] = "/tmp/hz_job_stderr_XXXXXX";
    HZ_CHECK(mkdtemp(dir) != NULL);
    char path[256];
    snprintf(path, sizeof path, "%s/" HZ_JOB_STDERR_FILE, dir);
    FILE *f = fopen(path, "w");
    HZ_CHECK(f != NULL);
    enum { LEN = 4000 };
    for (int i = 0; i < LEN; i++)
        fputc('a' + i % 26, f);
    fputc('\n', f);
    fclose(f);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    HZ_CHECK(out != NULL);
    hz_log *log = hz_log_new(out, HZ_LOG_TEXT, HZ_LOG_DEBUG, false);
    hz__job_stderr_forward(log, NULL, "j1", dir, 42);
    hz_log_free(log);
    fclose(out);
    /* the letters shown, in the lines that show them */
    long long shown = 0;
    for (const char *p = strstr(buf, "wrote on stderr: "); p != NULL;
         p = strstr(p, "wrote on stderr: ")) {
        p += strlen("wrote on stderr: ");
        while (*p >= 'a' && *p <= 'z') {
            shown++;
            p++;
        }
    }
    long long counted = not_shown(buf);
    HZ_CHECK_MSG(shown + counted == LEN,
                 "%lld bytes shown and %lld counted of %d written", shown,
                 counted, LEN);
    HZ_CHECK(shown > 0);
    free(buf);
    unlink(path);
    rmdir(dir);
}
