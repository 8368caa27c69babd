/* Shared helpers for subcommands. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int hz_cli_exit_code(hz_status s)
{
    switch (s) {
    case HZ_OK: return HZ_EXIT_OK;
    case HZ_EIO: return HZ_EXIT_NOINPUT;
    case HZ_EINVAL: return HZ_EXIT_USAGE;
    default: return HZ_EXIT_FAIL;
    }
}

void hz_cli_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "horizon %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

bool hz_cli_parse_long(const char *cmd, const char *opt, const char *s,
                       long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < min || v > max) {
        hz_cli_error(cmd, "--%s: expected an integer in [%ld, %ld], got '%s'",
                     opt, min, max, s);
        return false;
    }
    *out = v;
    return true;
}

bool hz_cli_parse_double(const char *cmd, const char *opt, const char *s,
                         double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0') {
        hz_cli_error(cmd, "--%s: expected a number, got '%s'", opt, s);
        return false;
    }
    *out = v;
    return true;
}

FILE *hz_cli_open_out(const char *cmd, const char *path)
{
    if (path == NULL || strcmp(path, "-") == 0)
        return stdout;
    FILE *f = fopen(path, "w");
    if (f == NULL)
        hz_cli_error(cmd, "could not open '%s' for writing: %s", path,
                     strerror(errno));
    return f;
}

void hz_cli_close_out(FILE *f)
{
    if (f != NULL && f != stdout)
        fclose(f);
    else if (f == stdout)
        fflush(stdout);
}
