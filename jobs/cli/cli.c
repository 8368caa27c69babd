/* Shared helpers for subcommands. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "runner/log.h"
#include "horizon/outfile.h"

size_t hz_cli_put_json(const char *cmd, const char *text)
{
    if (text == NULL) {
        hz_cli_error(cmd, "out of memory printing a document");
        return 0;
    }
    size_t n = strlen(text), bad = 0;
    if (hz_utf8_valid(text, n)) {
        fwrite(text, 1, n, stdout);
        putchar('\n');
        return 0;
    }
    const unsigned char *p = (const unsigned char *)text;
    while (n > 0) {
        size_t run = 0, k;
        while (run < n && (k = hz_utf8_seq(p + run, n - run)) > 0)
            run += k;
        fwrite(p, 1, run, stdout);
        p += run;
        n -= run;
        if (n > 0) { /* in a string: cJSON writes other bytes as ASCII */
            fputs("\xEF\xBF\xBD", stdout);
            p++;
            n--;
            bad++;
        }
    }
    putchar('\n');
    return bad;
}

void hz_cli_json_utf8_notice(const char *cmd, size_t n)
{
    if (n > 0)
        fprintf(stderr,
                "horizon %s: %zu stored byte%s not valid UTF-8: JSON output "
                "shows %s as U+FFFD\n",
                cmd, n, n == 1 ? " is" : "s are", n == 1 ? "it" : "them");
}

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

const char *hz_cli_term(const char *s, char *buf, size_t bufsz)
{
    return hz_log_caret(s, buf, bufsz, true);
}

const char *hz_cli_term_line(const char *s, char *buf, size_t bufsz)
{
    return hz_log_caret(s, buf, bufsz, false);
}

char *hz_cli_term_dup(const char *s)
{
    size_t cap = 4 * strlen(s) + 1;
    char *t = malloc(cap);
    if (t != NULL)
        hz_cli_term_line(s, t, cap);
    return t;
}

/* Set while horizon report runs a command (hz_cli_report_mode). */
static bool report_mode;

void hz_cli_report_mode(bool on)
{
    report_mode = on;
}

/* An output option as the user wrote it: horizon report's -o is the
 * command's --report. */
static const char *user_opt(const char *opt)
{
    return report_mode && opt != NULL && strcmp(opt, "--report") == 0 ? "-o"
                                                                      : opt;
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
    char msg[4096];
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char *big = NULL; /* a message longer than msg: whole */
    if (n >= (int)sizeof msg && (big = malloc((size_t)n + 1)) != NULL) {
        va_start(ap, fmt);
        vsnprintf(big, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    const char *text = big ? big : n < 0 ? "" : msg;
    size_t len = strlen(text), cap = 4 * len + 1;
    char *safe = malloc(cap);
    fprintf(stderr, "horizon %s%s: %s\n", report_mode ? "report " : "", cmd,
            safe ? hz_cli_term(text, safe, cap) : text);
    free(safe);
    free(big);
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

bool hz_cli_parse_seconds(const char *cmd, const char *opt, const char *s,
                          double max, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !(v > 0) || !(v <= max)) {
        hz_cli_error(cmd,
                     "--%s: expected a positive number of seconds (at most "
                     "%.0f), got '%s'",
                     opt, max, s);
        return false;
    }
    *out = v;
    return true;
}

hz_outfile *hz_cli_out_open(const char *cmd, const char *path)
{
    hz_outfile *o = NULL;
    hz_error err;
    if (hz_outfile_open(path, &o, &err) != HZ_OK) {
        hz_cli_error(cmd, "%s", err.msg);
        return NULL;
    }
    return o;
}

int hz_cli_out_commit(const char *cmd, hz_outfile *o)
{
    hz_error err;
    if (hz_outfile_commit(o, &err) != HZ_OK) {
        hz_cli_error(cmd, "%s", err.msg);
        return HZ_EXIT_FAIL;
    }
    return HZ_EXIT_OK;
}

void hz_cli_out_abort(hz_outfile *o)
{
    hz_outfile_abort(o);
}

int hz_cli_out_fail(const char *cmd, hz_outfile *o, const char *msg)
{
    int e = errno ? errno : EIO; /* the failing write's */
    hz_cli_error(cmd, "could not write %s: %s (%s)", hz_outfile_name(o),
                 strerror(e), msg);
    hz_outfile_abort(o);
    return HZ_EXIT_FAIL;
}

void hz_cli_outs_init(hz_cli_outs *s, const char *cmd)
{
    memset(s, 0, sizeof *s);
    s->cmd = cmd;
}

FILE *hz_cli_outs_add(hz_cli_outs *s, const char *path)
{
    if (s->n == HZ_CLI_OUTS_MAX) {
        hz_cli_error(s->cmd, "too many outputs");
        hz_cli_outs_abort(s);
        return NULL;
    }
    hz_outfile *o = hz_cli_out_open(s->cmd, path);
    if (o == NULL) {
        hz_cli_outs_abort(s);
        return NULL;
    }
    s->o[s->n++] = o;
    return hz_outfile_stream(o);
}

int hz_cli_outs_fail(hz_cli_outs *s, FILE *f, const char *msg)
{
    int e = errno ? errno : EIO; /* the failing write's */
    const char *name = "an output";
    for (size_t k = 0; k < s->n; k++)
        if (hz_outfile_stream(s->o[k]) == f)
            name = hz_outfile_name(s->o[k]);
    hz_cli_error(s->cmd, "could not write %s: %s (%s)", name, strerror(e),
                 msg);
    hz_cli_outs_abort(s);
    return HZ_EXIT_FAIL;
}

void hz_cli_outs_abort(hz_cli_outs *s)
{
    for (size_t k = 0; k < s->n; k++)
        hz_outfile_abort(s->o[k]);
    s->n = 0;
}

/* Flush output k and check that every write to it went (fsync for a
 * file); 0 or the errno of the failure. */
static int outs_flush(hz_outfile *o)
{
    FILE *f = hz_outfile_stream(o);
    errno = 0;
    if (fflush(f) != 0)
        return errno ? errno : EIO;
    if (ferror(f))
        return EIO; /* an earlier write failed */
    if (f != stdout && fsync(fileno(f)) != 0 && errno != EINVAL &&
        errno != EROFS)
        return errno; /* devices and pipes cannot sync: not an error */
    return 0;
}

int hz_cli_outs_commit(hz_cli_outs *s)
{
    /* the files are flushed and synced first (a full disk or a size
     * limit shows at their last write), then standard output, the one
     * that cannot be taken back; nothing is renamed until all went */
    for (int pass = 0; pass < 2; pass++)
        for (size_t k = 0; k < s->n; k++) {
            bool out = hz_outfile_stream(s->o[k]) == stdout;
            int e = out == (pass == 1) ? outs_flush(s->o[k]) : 0;
            if (e != 0) {
                hz_cli_error(s->cmd, "could not write %s: %s",
                             hz_outfile_name(s->o[k]), strerror(e));
                hz_cli_outs_abort(s);
                return HZ_EXIT_FAIL;
            }
        }
    int rc = HZ_EXIT_OK;
    for (size_t k = 0; k < s->n; k++) {
        if (rc == HZ_EXIT_OK)
            rc = hz_cli_out_commit(s->cmd, s->o[k]);
        else
            hz_outfile_abort(s->o[k]);
    }
    s->n = 0;
    return rc;
}

/* Path p with its directory resolved (realpath of the directory, then
 * the last component), for paths that do not exist yet; false when the
 * directory cannot be resolved. */
static bool canonical(const char *p, char *out, size_t n)
{
    const char *slash = strrchr(p, '/');
    char dir[PATH_MAX], real[PATH_MAX];
    size_t dl = slash == NULL ? 1 : slash == p ? 1 : (size_t)(slash - p);
    if (dl >= sizeof dir)
        return false;
    memcpy(dir, slash == NULL ? "." : p, dl);
    dir[dl] = '\0';
    if (realpath(dir, real) == NULL)
        return false;
    int w = snprintf(out, n, "%s/%s", real, slash ? slash + 1 : p);
    return w > 0 && (size_t)w < n;
}

/* Whether paths a and b (neither NULL nor "-") name one file: the same
 * text, the same device and inode when both exist, else the same path
 * once their directories are resolved. */
static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    char ca[PATH_MAX + 256], cb[PATH_MAX + 256];
    if (strcmp(a, b) == 0)
        return true;
    bool ea = stat(a, &sa) == 0, eb = stat(b, &sb) == 0;
    if (ea || eb)
        return ea && eb && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    return canonical(a, ca, sizeof ca) && canonical(b, cb, sizeof cb) &&
           strcmp(ca, cb) == 0;
}

static bool is_file_path(const char *p)
{
    return p != NULL && strcmp(p, "-") != 0;
}

int hz_cli_check_outputs(const char *cmd, const char *input,
                         const hz_cli_output *outs, size_t n)
{
    /* standard output takes one: the main output (the first, by default)
     * or one given "-" */
    const char *first = NULL;
    for (size_t k = 0; k < n; k++) {
        const char *p = outs[k].path;
        bool out = p != NULL ? strcmp(p, "-") == 0 : k == 0;
        if (out && first != NULL) {
            hz_cli_error(cmd,
                         "%s and %s both go to standard output: one would "
                         "be written into the other; give one a file",
                         first, user_opt(outs[k].opt));
            return HZ_EXIT_USAGE;
        }
        if (out)
            first = user_opt(outs[k].opt);
    }
    for (size_t k = 0; k < n; k++) {
        if (!is_file_path(outs[k].path))
            continue;
        if (is_file_path(input) && same_file(input, outs[k].path)) {
            hz_cli_error(cmd,
                         "%s %s names the input file %s: writing it would "
                         "replace the data being read; write elsewhere",
                         user_opt(outs[k].opt), outs[k].path, input);
            return HZ_EXIT_USAGE;
        }
        for (size_t j = 0; j < k; j++)
            if (is_file_path(outs[j].path) &&
                same_file(outs[j].path, outs[k].path)) {
                hz_cli_error(cmd,
                             "%s %s and %s %s name the same file: one would "
                             "replace the other",
                             user_opt(outs[j].opt), outs[j].path,
                             user_opt(outs[k].opt), outs[k].path);
                return HZ_EXIT_USAGE;
            }
    }
    return HZ_EXIT_OK;
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
    case HZ_OPT_DECIMAL:
        if (strcmp(arg, ".") != 0 && strcmp(arg, ",") != 0) {
            hz_cli_error(cmd, "--decimal: expected . or , got '%s'", arg);
            return false;
        }
        o->decimal = arg[0];
        return true;
    case HZ_OPT_NA:
        /* texts between commas, none empty: an empty cell is missing
         * already, and ',,' is more likely a slip than a wish */
        if (arg[0] == '\0' || arg[0] == ',' || arg[strlen(arg) - 1] == ',' ||
            strstr(arg, ",,") != NULL) {
            hz_cli_error(cmd,
                         "--na: expected comma-separated texts that mean a "
                         "missing value, none empty (e.g. 'N/A,#N/A,NA'), "
                         "got '%s'",
                         arg);
            return false;
        }
        o->na = arg;
        return true;
    case HZ_OPT_DATE_WINDOW: {
        char *e1, *e2 = NULL;
        errno = 0;
        long a = strtol(arg, &e1, 10);
        long b = e1 != arg && *e1 == ':' ? strtol(e1 + 1, &e2, 10) : 0;
        if (e1 == arg || *e1 != ':' || e2 == e1 + 1 || *e2 != '\0' ||
            errno == ERANGE || a < 1 || b > 9999 || a > b) {
            hz_cli_error(cmd,
                         "--date-window: expected FIRST:LAST years (1 to "
                         "9999, e.g. 1800:2200), got '%s'",
                         arg);
            return false;
        }
        o->date_min_year = (int)a;
        o->date_max_year = (int)b;
        return true;
    }
    case HZ_OPT_TZ: o->tz = arg; return true; /* checked by the reader */
    case HZ_OPT_THREADS:
        if (!hz_cli_parse_long(cmd, "threads", arg, 1, 1024, &v))
            return false;
        o->threads = (int)v;
        omp_set_num_threads((int)v);
        return true;
    default: return true;
    }
}

void hz_cli_csv_reader_options(const hz_cli_csv *o, hz_csv_options *opt)
{
    opt->on_error = o->on_error;
    opt->delimiter = o->delimiter;
    opt->decimal = o->decimal;
    opt->na_values = o->na;
    opt->threads = o->threads;
    opt->date_min_year = o->date_min_year;
    opt->date_max_year = o->date_max_year;
    opt->tz = o->tz;
    opt->date_cols = &o->want_date;
    opt->ndate_cols = o->want_date != NULL;
    opt->number_cols = &o->want_number;
    opt->nnumber_cols = o->want_number != NULL;
    opt->want = o->want;
    opt->want_ctx = o->want_ctx;
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
    hz_cli_csv_reader_options(o, &opt);
    opt.overrides = ov;
    opt.noverrides = nov;
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
        if (report->rows_skipped > report->nreported)
            fprintf(stderr, "  ... (%zu more)\n",
                    report->rows_skipped - report->nreported);
    }
    if (report->utf8_invalid > 0)
        fprintf(stderr,
                "horizon %s: %zu text value%s not valid UTF-8 (first: %s); "
                "JSON output shows the bad bytes as U+FFFD\n",
                cmd, report->utf8_invalid,
                report->utf8_invalid == 1 ? " is" : "s are",
                report->utf8_first);
    return HZ_EXIT_OK;
}
