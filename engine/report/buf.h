/* Internal: a growing text buffer for the report writer (HTML and SVG),
 * with escaping and compact number formatting.  Not a public header.
 *
 * Writers append without checking each call: a failed allocation sets
 * `oom`, later appends do nothing, and the caller checks `oom` once at
 * the end (hz__buf_status). */
#ifndef HZ_REPORT_BUF_H
#define HZ_REPORT_BUF_H

#include <stdbool.h>
#include <stddef.h>

#include "horizon/common.h"

typedef struct hz__buf {
    char *s;    /* NUL-terminated text (NULL while empty) */
    size_t len; /* bytes, NUL excluded */
    size_t cap;
    bool oom; /* an allocation failed: the text is incomplete */
    /* 1 + the offset of the data table being written (html.c), 0 when
     * none: its numeric cells are formatted at its end, a column in one
     * style */
    size_t table_at;
    /* the ids of the headings a table is named by (html.c): the open
     * figure's h3, else the section's h2 ("" when none); the tables
     * written, for their summaries' ids; the next cell starts a row */
    char fig_head[40], sec_head[40];
    unsigned ntables;
    bool row_head;
} hz__buf;

void hz__buf_free(hz__buf *b); /* frees the text; b itself is the caller's */
/* HZ_ENOMEM (with a message on err) when an append failed. */
hz_status hz__buf_status(const hz__buf *b, hz_error *err);

void hz__buf_put(hz__buf *b, const char *s, size_t n);
void hz__buf_puts(hz__buf *b, const char *s);
void hz__buf_putc(hz__buf *b, char c);
void hz__buf_printf(hz__buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* s as HTML/XML text or attribute value: & < > " ' become entities,
 * control characters other than tab and newline (and DEL) become their
 * Control Pictures (U+2401 for 0x01: visible, and names that differ only
 * in them still differ on the page) and bytes
 * that are not valid UTF-8 become U+FFFD, so any input gives well-formed
 * XML.  NULL writes nothing. */
void hz__buf_esc(hz__buf *b, const char *s);

/* A pixel coordinate with one decimal ("12.5", "40", "-3.2"); 0 for a
 * non-finite value (callers skip those points). */
void hz__buf_px(hz__buf *b, double v);

/* A value for people: up to `sig` significant digits, thousands
 * separated ("12,345", "0.0123", "1.5e+09" beyond 1e15), "" for NaN.
 * Returns buf. */
char *hz__fmt_value(double v, int sig, char *buf, size_t bufsz);

/* A probability p as a whole percent without the sign ("37"), "" for
 * NaN: one neither 0 nor 1 never reads as either, "<1" below a half
 * percent and ">99" from 99.5 (rounded half away from zero: 0.005 is
 * "1", where printf's "%.0f" of 0.5 gave "0").  Returns buf. */
char *hz__fmt_pct_whole(double p, char *buf, size_t bufsz);

/* A value in a data table: 6 significant digits; "" for NaN.  Plain
 * (every digit of the integer part from a million: 2611641, not
 * 2.61164e+06; "0.0000123457") or, with `sci`, scientific ("1.1e-05",
 * "5.83541e+25"); no separators, so that a copied table parses as
 * numbers.  Returns buf. */
char *hz__fmt_cell(double v, bool sci, char *buf, size_t bufsz);
/* v in scientific notation with `decimals` decimals of the mantissa, its
 * trailing zeros trimmed ("1.1e-05", "3e+20", "9.97e+14").  Returns
 * buf. */
char *hz__fmt_sci(double v, int decimals, char *buf, size_t bufsz);
/* Whether a column of values whose largest magnitude is `big` and
 * smallest non-zero one `small` (0: none) is written in scientific
 * notation: from a thousand trillion, or with a value below 1e-6 (whose
 * plain decimals would be a row of zeros); one style for the whole
 * column ("0.000342" beside "0.000011", "3.42e-04" beside "1.1e-08";
 * never "0.000342" beside "1.1e-05"). */
bool hz__cells_sci(double big, double small);

#endif
