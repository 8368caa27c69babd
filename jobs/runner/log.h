/* The runner's log: one line per event, as text for people or as JSON
 * for log collectors, with an RFC 3339 UTC time, a level and the job's
 * fields.
 *
 *   text  2026-11-27T04:08:00.123Z info horizon run: job j-1 (forecast,
 *         tenant acme) succeeded: 3 result documents, 2500 rows
 *         [fetch 0.000 s, ingest 0.012 s, compute 0.310 s, ...]
 *   json  {"time":"2026-11-27T04:08:00.123Z","level":"info",
 *          "msg":"job j-1 (forecast, tenant acme) succeeded: ...",
 *          "job":"j-1","tenant":"acme","type":"forecast",
 *          "stages":{"fetch":0.0001,...},"latencyS":0.41}
 *
 * Safe to use from several threads (one line is written at a time).
 * Messages never carry secrets: callers pass job ids, tenants, reasons
 * and the store's or the engine's error text only. */
#ifndef HZ_RUNNER_LOG_H
#define HZ_RUNNER_LOG_H

#include <stdbool.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hz_log_level {
    HZ_LOG_DEBUG = 0,
    HZ_LOG_INFO,
    HZ_LOG_WARN,
    HZ_LOG_ERROR
} hz_log_level;

typedef enum hz_log_format { HZ_LOG_TEXT = 0, HZ_LOG_JSON } hz_log_format;

bool hz_log_level_parse(const char *s, hz_log_level *out);
bool hz_log_format_parse(const char *s, hz_log_format *out);
const char *hz_log_level_name(hz_log_level l);

/* Optional fields of an event (NULL / NAN / 0 = absent). */
typedef struct hz_log_fields {
    const char *job;
    const char *tenant;
    const char *type;
    const char *reason;
    const double *stages; /* [HZ_NSTAGES] seconds, NAN = not reached */
    double latency_s;     /* claim to write-back; <= 0 = absent */
} hz_log_fields;

typedef struct hz_log hz_log;

/* A log writing to f (not closed by hz_log_free).  progress: f is a
 * terminal showing a progress line that each event first clears. */
hz_log *hz_log_new(FILE *f, hz_log_format fmt, hz_log_level min_level,
                   bool progress);
void hz_log_free(hz_log *l); /* NULL allowed */
bool hz_log_enabled(const hz_log *l, hz_log_level level);

/* The most bytes of a message an event shows: a longer one is cut at a
 * character (never inside one: a JSON line stays valid, a text line
 * UTF-8) and ends "\u2026[cut N bytes]", N the bytes left out. */
#define HZ_LOG_MSG_MAX 2047

/* Write one event (dropped below the minimum level).  fields may be
 * NULL. */
void hz_log_write(hz_log *l, hz_log_level level, const hz_log_fields *fields,
                  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* s into out (n bytes, always terminated) as hz_text_visible shows it:
 * control characters but tab (and newline when newline is true) in caret
 * notation (a newline as "^J", ESC as "^[", DEL as "^?"), bidi controls
 * and C1 controls as "[U+202E]", bytes that are not UTF-8 as U+FFFD; all
 * of s when n >= 4 * strlen(s) + 1.  The text log writes each message so
 * (a column name or a value quoted in an error cannot start a line of
 * its own, a forged "job ... succeeded", reverse what an operator reads,
 * nor drive the terminal of whoever reads the log), and the commands
 * show text on a terminal so (hz_cli_term).  Returns out. */
const char *hz_log_caret(const char *s, char *out, size_t n, bool newline);

/* Write a raw progress line (text only; nothing for JSON). */
void hz_log_progress(hz_log *l, const char *line, bool final);

/* Format epoch seconds as RFC 3339 UTC with milliseconds
 * ("2026-11-27T04:08:00.123Z") into buf (>= 32 bytes). */
char *hz_log_time(double epoch_s, char *buf, size_t bufsz);

#ifdef __cplusplus
}
#endif
#endif
