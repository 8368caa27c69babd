/* A job process's stderr, kept in its directory and logged marked by the
 * runner (see job_stderr.h). */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "runner/job_stderr.h"

void hz__job_stderr_redirect(const char *dir)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/" HZ_JOB_STDERR_FILE, dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                  0600);
    if (fd < 0)
        fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (fd < 0) { /* no descriptor at all: the streams are closed */
        close(1);
        close(2);
        return;
    }
    dup2(fd, 1);
    dup2(fd, 2);
    close(fd);
}

void hz__job_stderr_forward(hz_log *log, const hz_log_fields *fields,
                            const char *job, const char *dir, pid_t pid)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/" HZ_JOB_STDERR_FILE, dir);
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return;
    char buf[HZ_JOB_STDERR_BYTES + 1];
    size_t n = 0;
    ssize_t r;
    while (n < sizeof buf - 1 &&
           (r = read(fd, buf + n, sizeof buf - 1 - n)) > 0)
        n += (size_t)r;
    off_t size = lseek(fd, 0, SEEK_END);
    close(fd);
    buf[n] = '\0';
    if (n == 0)
        return;
    long long left = size > (off_t)n ? (long long)(size - (off_t)n) : 0;
    int lines = 0;
    for (char *p = buf; p < buf + n;) {
        char *end = memchr(p, '\n', (size_t)(buf + n - p));
        size_t len = end ? (size_t)(end - p) : (size_t)(buf + n - p);
        if (lines == HZ_JOB_STDERR_LINES) {
            left += (long long)(buf + n - p);
            break;
        }
        /* what one log message holds once shown (a byte may take 3):
         * the rest of a longer line is counted, not cut silently (not
         * inside a UTF-8 sequence; the line may hold a NUL) */
        size_t keep = len;
        if (keep > HZ_JOB_STDERR_LINE_BYTES) {
            keep = HZ_JOB_STDERR_LINE_BYTES;
            while (keep > 0 && ((unsigned char)p[keep] & 0xC0) == 0x80)
                keep--;
            left += (long long)(len - keep);
        }
        /* a NUL in the line ends it in the log: shown as "^@" */
        char line[2 * HZ_JOB_STDERR_LINE_BYTES + 1], shown[3 * sizeof line];
        size_t k = 0;
        for (size_t i = 0; i < keep; i++)
            if (p[i] == '\0') {
                if (k + 2 < sizeof line) {
                    line[k++] = '^';
                    line[k++] = '@';
                }
            } else if (k + 1 < sizeof line) {
                line[k++] = p[i];
            }
        line[k] = '\0';
        /* control characters in caret notation in either format */
        hz_log_caret(line, shown, sizeof shown, false);
        hz_log_write(log, HZ_LOG_WARN, fields,
                     "job %.100s: job process %ld wrote on stderr: %s", job,
                     (long)pid, shown);
        lines++;
        p += len + (end ? 1 : 0);
    }
    if (left > 0)
        hz_log_write(log, HZ_LOG_WARN, fields,
                     "job %.100s: job process %ld wrote %lld more bytes on "
                     "stderr (not shown)",
                     job, (long)pid, left);
}
