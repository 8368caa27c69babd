/* Shared helpers for the subcommands in jobs/cmd_*.c. */
#ifndef HZ_CLI_H
#define HZ_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "horizon/common.h"

/* Exit codes of the horizon binary. */
enum {
    HZ_EXIT_OK = 0,
    HZ_EXIT_FAIL = 1,
    HZ_EXIT_USAGE = 2,
    HZ_EXIT_NOINPUT = 3,
    HZ_EXIT_TEMPFAIL = 75, /* EX_TEMPFAIL: the store is unreachable,
                             unauthorised or full; try again later */
    HZ_EXIT_CONFIG = 78    /* EX_CONFIG: horizon run requires job isolation
                             and the system offers none (Landlock) */
};

/* Map an engine status to an exit code (EIO/ENOTFOUND on input -> 3). */
int hz_cli_exit_code(hz_status s);

/* horizon report runs forecast, backtest or analyze with its -o FILE
 * given as their --report FILE: while on, messages read "horizon report
 * CMD: ..." and hz_cli_check_outputs names that output -o, as the user
 * wrote it. */
void hz_cli_report_mode(bool on);

/* Print "horizon CMD: MSG" to stderr ("horizon report CMD: MSG" in
 * report mode), or keep MSG when this thread captures its messages. */
void hz_cli_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* s for a terminal into buf (cut to bufsz - 1 bytes, between
 * characters; all of s when bufsz >= 4 * strlen(s) + 1): control
 * characters but tab and newline (ESC, CR, DEL...) in caret notation
 * ("^[" for ESC), bidi and C1 controls as "[U+202E]" (hz_text_visible),
 * so that text from a file (a column name, a value in an error) cannot
 * move the cursor, recolour or retitle the terminal that shows it, nor
 * reverse what follows it.  hz_cli_error writes its messages so.
 * Returns buf. */
const char *hz_cli_term(const char *s, char *buf, size_t bufsz);
/* hz_cli_term for one line of a listing (a field of jobs show, a column
 * of jobs list): a newline too in caret notation ("^J"), so that a value
 * cannot add lines of its own. */
const char *hz_cli_term_line(const char *s, char *buf, size_t bufsz);
/* s as one line for a terminal (hz_cli_term_line), malloc'd; NULL when
 * out of memory. */
char *hz_cli_term_dup(const char *s);
/* The columns s takes on a terminal (UTF-8: é one, 日 two, a combining
 * accent none; jobs/cli/textcol.c). */
size_t hz_cli_width(const char *s);
/* s in a table cell w columns wide: cut between characters to w
 * columns, padded with blanks after it (right: before it). */
void hz_cli_put_cell(FILE *f, const char *s, size_t w, bool right);
/* s as a cell of a terminal table, into buf (bufsz bytes; 4 * width + 1
 * holds any): as hz_cli_term_line shows it, cut between characters to at
 * most width terminal columns (as hz_cli_put_cell) and, when pad,
 * padded with blanks to width columns.  Returns buf. */
const char *hz_cli_cell(const char *s, size_t width, bool pad, char *buf,
                        size_t bufsz);

/* Capture this thread's hz_cli_error messages into buf (the first one is
 * kept, without the "horizon CMD: " prefix) instead of printing them, so
 * that option parsers can be run on job parameters; buf NULL ends it. */
void hz_cli_capture(char *buf, size_t bufsz);

/* Print JSON text (a cJSON print; NULL: out of memory) and a newline on
 * standard output, as valid UTF-8: a byte of a stored string that is not
 * UTF-8 (a series or customer name as it came from the CSV, a file name)
 * is written as U+FFFD.  Returns the number of bytes so replaced; NULL
 * text says "horizon CMD: out of memory" on stderr. */
size_t hz_cli_put_json(const char *cmd, const char *text);
/* Say on stderr that n such bytes were replaced (nothing when n is 0). */
void hz_cli_json_utf8_notice(const char *cmd, size_t n);

/* Parse a strictly positive/any integer or double option value; on failure
 * prints "horizon CMD: --OPT: expected ..., got 'X'" and returns false. */
bool hz_cli_parse_long(const char *cmd, const char *opt, const char *s,
                       long min, long max, long *out);
bool hz_cli_parse_double(const char *cmd, const char *opt, const char *s,
                         double *out);
/* A duration: a number of seconds > 0 and <= max (not nan, not inf); on
 * failure prints "horizon CMD: --OPT: expected a positive number of
 * seconds (at most MAX), got 'X'" and returns false.  The --timeout of
 * run, submit and schedule add all parse through it. */
bool hz_cli_parse_seconds(const char *cmd, const char *opt, const char *s,
                          double max, double *out);

/* Output of a command (-o FILE, or standard output for "-" / NULL),
 * whole or absent (horizon/outfile.h): NULL after a message when it
 * cannot be opened. */
struct hz_outfile *hz_cli_out_open(const char *cmd, const char *path);
/* Finish the output: HZ_EXIT_OK, or HZ_EXIT_FAIL after a message naming
 * the output and the reason (a full disk, a closed pipe); nothing is left
 * at the path then. */
int hz_cli_out_commit(const char *cmd, struct hz_outfile *o);
/* Give the output up (after an error): nothing is left at the path. */
void hz_cli_out_abort(struct hz_outfile *o);
/* A writer failed: "could not write PATH: REASON (msg)" with errno's
 * reason, the output given up; returns HZ_EXIT_FAIL. */
int hz_cli_out_fail(const char *cmd, struct hz_outfile *o, const char *msg);

/* The outputs of one command (-o, --diagnostics, --fitted, --per-series,
 * --save-model, --report ...), committed together: all of them new, or
 * on any failure none (an old file stays as it was).  Each file is
 * written to its temporary file (horizon/outfile.h); hz_cli_outs_commit
 * first flushes and checks every one of them, standard output among
 * them, and renames the files into place only when all were written.
 * Standard output cannot be taken back once written: a command writes
 * it last, after everything that may still fail (a report, its
 * narrative), so that a failure before leaves nothing anywhere. */
#define HZ_CLI_OUTS_MAX 8
typedef struct hz_cli_outs {
    const char *cmd; /* for messages */
    size_t n;
    struct hz_outfile *o[HZ_CLI_OUTS_MAX];
} hz_cli_outs;

void hz_cli_outs_init(hz_cli_outs *s, const char *cmd);
/* One more output: path, or standard output for "-" / NULL.  Its
 * stream, or NULL after a message (the whole set is then given up). */
FILE *hz_cli_outs_add(hz_cli_outs *s, const char *path);
/* A writer failed on f (a stream of the set): "could not write NAME:
 * REASON (msg)", the whole set given up; returns HZ_EXIT_FAIL. */
int hz_cli_outs_fail(hz_cli_outs *s, FILE *f, const char *msg);
/* Commit every output (see above): HZ_EXIT_OK, or HZ_EXIT_FAIL after a
 * message naming the output that failed and why.  The set is empty
 * afterwards. */
int hz_cli_outs_commit(hz_cli_outs *s);
/* Give every output up (after an error): no file is left new.  The set
 * is empty afterwards; an empty set is fine. */
void hz_cli_outs_abort(hz_cli_outs *s);

/* An output a command was asked for: its option ("-o", "--report") and
 * path (NULL or "-": none, or standard output). */
typedef struct hz_cli_output {
    const char *opt;
    const char *path;
} hz_cli_output;

/* Refuse outputs that would replace the data being read: an output that
 * names the input file (the same path, or the same file by device and
 * inode when both exist; "-" is never a file), two outputs that name one
 * file (the second would replace the first), or two that go to standard
 * output (outs[0], the main output, goes there when its path is NULL;
 * any output given "-").  HZ_EXIT_OK, or
 * HZ_EXIT_USAGE after a message naming the options.  The commands call
 * it before reading anything. */
int hz_cli_check_outputs(const char *cmd, const char *input,
                         const hz_cli_output *outs, size_t n);

#include "horizon/csv.h"

/* CSV options shared by every command that reads a dataset:
 *   --schema COL:TYPE,...  --on-error fail|skip  --delimiter C
 *   --decimal C  --threads N
 * Commands add HZ_CLI_CSV_LONGOPTS to their getopt_long table and pass
 * unknown option codes to hz_cli_csv_option(). */
typedef struct hz_cli_csv {
    const char *schema;
    hz_on_error on_error;
    char delimiter;
    char decimal;   /* --decimal: '.' or ',' (0: '.') */
    const char *na; /* --na: cell texts read as missing values, or NULL */
    int threads;
    int date_min_year, date_max_year; /* --date-window (0: default) */
    const char *tz;                   /* --tz: the zone of local times */
    const char *want_date;            /* the command's date column, or NULL */
    const char *want_number;          /* the command's value column, or NULL */
    /* columns picked from the header (hz_csv_options.want), or NULL */
    void (*want)(void *ctx, const char *const *names, const hz_type *types,
                 size_t n, hz_csv_want *want);
    void *want_ctx;
} hz_cli_csv;

enum {
    HZ_OPT_SCHEMA = 1000,
    HZ_OPT_ON_ERROR,
    HZ_OPT_DELIMITER,
    HZ_OPT_THREADS,
    HZ_OPT_DATE_WINDOW,
    HZ_OPT_DECIMAL,
    HZ_OPT_NA,
    HZ_OPT_TZ,
    HZ_OPT_CSV_LAST = HZ_OPT_TZ /* keep last: the codes of
                                   HZ_CLI_CSV_LONGOPTS are
                                   HZ_OPT_SCHEMA..HZ_OPT_CSV_LAST */
};

#define HZ_CLI_CSV_LONGOPTS                                                   \
    {"schema", required_argument, 0, HZ_OPT_SCHEMA},                          \
        {"on-error", required_argument, 0, HZ_OPT_ON_ERROR},                  \
        {"delimiter", required_argument, 0, HZ_OPT_DELIMITER},                \
        {"decimal", required_argument, 0, HZ_OPT_DECIMAL},                    \
        {"na", required_argument, 0, HZ_OPT_NA},                              \
        {"date-window", required_argument, 0, HZ_OPT_DATE_WINDOW},            \
        {"tz", required_argument, 0, HZ_OPT_TZ},                              \
    {                                                                         \
        "threads", required_argument, 0, HZ_OPT_THREADS                       \
    }

#define HZ_CLI_CSV_HELP                                                       \
    "  --schema COL:TYPE,...  override inferred types (int64, float64,\n"     \
    "                         bool, date[:FMT], timestamp[:FMT], string;\n"   \
    "                         FMT iso, ymd, mdy, dmy, month, quarter,\n"      \
    "                         quarter-compact, isoweek, isoweek-compact,\n"  \
    "                         year, excel (serial day numbers, 45292 =\n"    \
    "                         2024-01-01); timestamp:unix, :unix_ms: Unix\n"  \
    "                         times in seconds or milliseconds)\n"             \
    "  --on-error fail|skip   on a malformed row: stop (default) or skip\n"   \
    "                         (skipped rows are always reported)\n"           \
    "  --delimiter C          field delimiter (default: detect , ; tab |)\n"  \
    "  --decimal C            decimal mark: . (default) or , (200,50 and\n"   \
    "                         1.234,50; the delimiter is then ; tab or |,\n"  \
    "                         or , with such numbers quoted: \"1,50\");\n"    \
    "                         given, thousands separators are read too\n"     \
    "                         (1,234.50 with ., 1 234,50 with ,)\n"           \
    "  --na TEXT,...          cell texts that mean a missing value, read\n"   \
    "                         as empty cells (e.g. 'N/A,#N/A,NA,-')\n"        \
    "  --date-window Y1:Y2    years accepted in dates (default 1800:2200)\n"  \
    "  --tz AREA/CITY         the zone of the times (e.g. Europe/Berlin):\n"  \
    "                         times without a UTC offset are its wall\n"     \
    "                         times (one its clocks skip or repeat is an\n"  \
    "                         error), times with one are moved to it, and\n" \
    "                         days are cut on its clock (default: times\n"  \
    "                         with offsets are UTC instants)\n"              \
    "  --threads N            worker threads (default: all cores)\n"          \
    "FILE may be - (standard input) and may be gzip-compressed.\n"

void hz_cli_csv_init(hz_cli_csv *o);
/* Handle one of the HZ_OPT_* codes; false (after a message) on a bad
 * value.  Returns true and does nothing for other codes. */
bool hz_cli_csv_option(const char *cmd, hz_cli_csv *o, int code,
                       const char *arg);
/* The reader's options for these command-line options (all but the
 * schema, which the caller parses and owns): on-error, delimiter,
 * threads, date window and the columns read strictly.  opt points into
 * o, which must outlive it.  `horizon forecast` and forecast jobs read
 * their CSV through this one function, so that a job reads its dataset
 * exactly as the command does. */
void hz_cli_csv_reader_options(const hz_cli_csv *o, hz_csv_options *opt);
/* Read path with these options.  On failure prints the error (and, with
 * skip, the skipped-row summary) and returns the exit code; 0 on
 * success.  report may be NULL. */
int hz_cli_read_csv(const char *cmd, const char *path, const hz_cli_csv *o,
                    hz_dataset **out, hz_csv_report *report);

#endif
