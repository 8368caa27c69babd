/* Shared helpers for subcommands. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

int hz_cli_exit_code(hz_status s)
{
    switch (s) {
    case HZ_OK: return HZ_EXIT_OK;
    case HZ_EIO: return HZ_EXIT_NOINPUT;
    case HZ_EINVAL: return HZ_EXIT_USAGE;
    default: return HZ_EXIT_FAIL;
    }
}

/* The capture of this thread's messages (hz_cli_capture). */
static _Thread_local char *capture_buf;
static _Thread_local size_t capture_sz;

void hz_cli_capture(char *buf, size_t bufsz)
{
    capture_buf = bufsz > 0 ? buf : NULL;
    capture_sz = bufsz;
    if (capture_buf != NULL)
        capture_buf[0] = '\0';
}

void hz_cli_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    if (capture_buf != NULL) {
        if (capture_buf[0] == '\0') { /* the first message says why */
            va_start(ap, fmt);
            vsnprintf(capture_buf, capture_sz, fmt, ap);
            va_end(ap);
        }
        return;
    }
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

#include <omp.h>

void hz_cli_csv_init(hz_cli_csv *o)
{
    memset(o, 0, sizeof *o);
}

bool hz_cli_csv_option(const char *cmd, hz_cli_csv *o, int code,
                       const char *arg)
{
    long v;
    switch (code) {
    case HZ_OPT_SCHEMA: o->schema = arg; return true;
    case HZ_OPT_ON_ERROR:
        if (strcmp(arg, "fail") == 0)
            o->on_error = HZ_ON_ERROR_FAIL;
        else if (strcmp(arg, "skip") == 0)
            o->on_error = HZ_ON_ERROR_SKIP;
        else {
            hz_cli_error(cmd,
                         "--on-error: expected 'fail' or 'skip', got "
                         "'%s'",
                         arg);
            return false;
        }
        return true;
    case HZ_OPT_DELIMITER:
        if (strcmp(arg, "\\t") == 0 || strcmp(arg, "tab") == 0)
            o->delimiter = '\t';
        else if (strlen(arg) == 1 && arg[0] != '"' && arg[0] != '\n' &&
                 arg[0] != '\r')
            o->delimiter = arg[0];
        else {
            hz_cli_error(cmd,
                         "--delimiter: expected one character (or "
                         "'tab'), got '%s'",
                         arg);
            return false;
        }
        return true;
    case HZ_OPT_THREADS:
        if (!hz_cli_parse_long(cmd, "threads", arg, 1, 1024, &v))
            return false;
        o->threads = (int)v;
        omp_set_num_threads((int)v);
        return true;
    default: return true;
    }
}

int hz_cli_read_csv(const char *cmd, const char *path, const hz_cli_csv *o,
                    hz_dataset **out, hz_csv_report *report)
{
    hz_csv_options opt;
    hz_csv_report rep;
    hz_error err;
    hz_schema_override *ov = NULL;
    size_t nov = 0;
    hz_csv_options_init(&opt);
    hz_error_clear(&err);
    if (report == NULL)
        report = &rep;
    if (o->schema != NULL &&
        hz_schema_overrides_parse(o->schema, &ov, &nov, &err) != HZ_OK) {
        hz_cli_error(cmd, "%s", err.msg);
        return HZ_EXIT_USAGE;
    }
    opt.overrides = ov;
    opt.noverrides = nov;
    opt.on_error = o->on_error;
    opt.delimiter = o->delimiter;
    opt.threads = o->threads;
    hz_status st = hz_csv_read(path, &opt, out, report, &err);
    hz_schema_overrides_free(ov, nov);
    if (st != HZ_OK) {
        hz_cli_error(cmd, "%s", err.msg);
        return st == HZ_EIO      ? HZ_EXIT_NOINPUT
               : st == HZ_EINVAL ? HZ_EXIT_USAGE
                                 : HZ_EXIT_FAIL;
    }
    if (report->rows_skipped > 0) {
        fprintf(stderr, "horizon %s: %s: skipped %zu malformed row%s\n", cmd,
                path, report->rows_skipped,
                report->rows_skipped == 1 ? "" : "s");
        for (size_t k = 0; k < report->nreported; k++)
            fprintf(stderr, "  %s\n", report->reported[k]);
    }
    return HZ_EXIT_OK;
}
