/* Internals of the CSV reader, shared by its files:
 *   csv.c         the reader: header, chunk plan, parse, assembly
 *   csv_infer.c   type inference from sampled rows, delimiter detection
 *   csv_chunk.c   one chunk's parse: the row loop, the per-separator loop
 *   csv_libcsv.c  the libcsv path (chunks with quotes or bare CRs)
 *   csv_count.c   the first read: newlines, quotes, NULs, bare CRs
 *   csv_value.h   field parsers (inline)
 *   csv_schema.c  --schema overrides, and writing a dataset as CSV */
#ifndef HZ_ENGINE_CSV_INTERNAL_H
#define HZ_ENGINE_CSV_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <csv.h>

#include "horizon/csv.h"
#include "data/csv_source.h"
#include "data/dict_internal.h"
#include "core/tzone.h"

#define DEFAULT_INFER_ROWS 10000
#define DEFAULT_CHUNK_BYTES (1u << 20)
#define MAX_FIELD_SHOWN 40
#define COUNT_PARTS 4 /* first-read parts per chunk */
#define PEND_ROWS 16  /* rows per batch of dictionary lookups */
#define PREFIX_BYTES ((size_t)1 << 20)
#define INFER_MAX_BYTES ((size_t)8 << 20) /* unquoted sample region */

typedef struct colspec {
    hz_type type;
    hz_datefmt fmt;
    bool overridden;
    bool required;  /* an empty value is an error (the caller's date and
                       value columns) */
    bool undecided; /* dates that could be month- or day-first */
    bool zoned;     /* sampled times carried a UTC offset or Z */
    bool unnamed;   /* one of the columns without a name that end the
                       header row (a spreadsheet's empty columns): every
                       value must be empty, and the column is dropped */
    bool wall;      /* sampled times all carried a UTC offset and fall at
                       one time of day in their own zone (a daily reading
                       at 01:30 in Berlin, +01:00 or +02:00): each is read
                       at the wall clock of its own zone, its offset
                       dropped, as zoned midnights are dates */
    bool midnights; /* sampled times all at 00:00 without an offset
                       (dates exported with a time): with --tz a
                       midnight the zone skips is its day's start */
    unsigned char yy_side; /* months: the side of 2000 (1: 19yy, 2: 20yy)
                              of the sample's two-digit years, which the
                              rows after it must share (0: no check) */
    bool loose;       /* HZ_CSV_WANT_UNUSED: a value that does not fit
                         the type is no error ... */
    bool loose_fails; /* ... but sets this (a chunk's copy): the column is
                         then read again as text */
    bool points_open; /* the caller's number column, in a file separated
                         by ';', tab or '|' without --decimal, whose
                         sample held no number with a point: what a point
                         is (decimal, or between thousands) is decided by
                         the whole file, as by the sample (csv_body.c) */
} colspec;

/* A points_open column's numbers with a point in a chunk's kept rows:
 * those that could be thousands (1.234), the others (12.5), and the
 * first of the former. */
typedef struct ptcount {
    size_t grouped, point;
    size_t line;   /* the first grouped one's rel line */
    char text[24]; /* and its text */
    char cand[24]; /* the current row's, until the row is kept */
} ptcount;

/* Evidence gathered while sampling rows for inference: how many of the
 * non-null values parse as each type and in each date format. */
typedef struct evidence {
    size_t nonnull, n_int, n_num, n_boolword, n_ts, n_year;
    size_t n_fmt[HZ_DATEFMT_COUNT];
    size_t n_mdy_only, n_dmy_only; /* a/b/YYYY with b > 12, a > 12 */
    bool ambiguous;    /* an a/b/YYYY value with a, b <= 12 was seen */
    size_t amb_line;   /* its line within the sample (0-based) */
    char amb_text[24]; /* and its text */
    size_t n_zoned;    /* times with a UTC offset or Z (2024-03-05T10:00Z,
                          ... 10:00+01:00) */
    size_t n_zoned_midnight; /* ... at midnight in their own zone
                                (2024-03-05T00:00:00+01:00): dates */
    size_t n_plain_midnight; /* times without an offset at 00:00 */
    size_t n_basic_short;    /* ISO basic times to the minute without a
                                zone (20240131T0001), counted nowhere
                                else: ids as often as times, so dates
                                only in a column named a date one */
    size_t n_basic_short_midnight; /* ... at 00:00 */
    int32_t day_lo, day_hi;  /* the accepted days (--date-window): a
                                value with a one-digit ISO month or day
                                (2024-1-31) outside them is a code such
                                as 4711-3-12, no date */
    int64_t zoned_tod; /* ... 1 + their time of day in their own zone
                          when the same for all (0: none yet, -1: not) */
    size_t n_grouped;  /* numbers read with a decimal point that could be
                          thousands with a point between them (1.234,
                          -12.500): three digits after the one point, one
                          to three before it, not a lone 0 */
    size_t n_point;    /* other numbers with a decimal point (12.5, 0.125,
                          1234.567): the point is a decimal one */
    size_t grp_line;   /* the first n_grouped's line within the sample */
    char grp_text[24]; /* and its text */
    size_t n_yy[2];    /* months with two-digit years read as 19yy, 20yy
                          (Jan-99, Jan-24) */
    size_t yy_line[2]; /* the first of each: its line within the sample */
    char yy_text[2][24]; /* and its text */
    unsigned yy_months;  /* the months (bit m-1) written with them */
    uint32_t yy_days[12]; /* per month, its numbers 0 .. 31 (bit v) */
    int yy_min, yy_max;  /* the smallest and largest (with any seen) */
    char yy_min_text[24], yy_max_text[24]; /* their texts */
} evidence;

typedef struct reported {
    size_t rel_line; /* line within the chunk, 0-based */
    size_t field;    /* 1-based */
    char msg[HZ_ERROR_MAX - 64];
} reported;

typedef struct chunk {
    /* input */
    const char *begin, *end;
    size_t ncols;
    colspec *spec; /* chunk's own copy (int64 may be promoted) */
    const hz_csv_options *opt;
    char delim;
    bool infer; /* sampling mode: gather evidence only */
    size_t infer_rows;
    evidence *ev;
    char **names;
    /* output buffers */
    size_t nrows, cap;
    unsigned char **vals;
    uint8_t **valid;
    size_t *nulls;
    size_t *folds;       /* [ncols] --tz: times on a wall time the zone's
                            clocks show twice (put back), without an
                            offset */
    size_t *fold_early, *fold_late; /* [ncols] with an offset: the
                            earlier instant, the later one */
    int64_t *fold_first; /* [ncols] the first without an offset or at the
                            later instant: its wall time */
    int64_t *unz_first;  /* [ncols] the first without an offset */
    size_t *unz_line;    /* [ncols] its rel line */
    hz_dict **dicts;
    /* row staging */
    size_t field; /* fields seen in the current row */
    bool row_bad;
    /* the current row has a non-empty field; and the 1-based field of a
     * required column left empty before it (0: none), reported at the
     * row's first value, dropped with a row of empty fields only */
    bool row_value;
    bool first_blank; /* the row's first field is spaces or tabs only */
    size_t empty_req;
    uint64_t *stage;     /* [ncols] value bits */
    uint8_t *stage_null; /* [ncols] */
    const char **stage_ptr;
    size_t *stage_off, *stage_len;
    unsigned char *stage_pt; /* [ncols] points_open columns: the current
                                row's value has no point (0), could be
                                thousands (1: 1.234), or not (2: 12.5) */
    ptcount *pts;            /* [ncols] counted at the row's end */
    /* row loop: strings of the last few good rows, interned in a batch
     * so that their prefetched hash slots have arrived */
    const char **pend_ptr; /* [PEND_ROWS * ncols] */
    size_t *pend_len;      /* SIZE_MAX = null */
    hz__dkey *pend_key;
    size_t pend_row[PEND_ROWS];
    size_t npend;
    unsigned char *kind; /* [ncols] field kinds (row loop) */
    size_t *strcols;     /* string columns, in order */
    size_t *nullcols;    /* columns null in the current row */
    size_t nstr;
    size_t nvalid; /* columns with a validity array */
    char *scratch;
    size_t nscratch, capscratch;
    /* position */
    size_t line;        /* lines consumed so far (0-based rel line) */
    size_t row_line;    /* rel line where the current row began */
    size_t lines_total; /* newlines in the chunk */
    /* lines of the rows kept: run k starts at row run_row[k] on rel line
     * run_line[k], and the rows after it follow line by line */
    size_t *run_row, *run_line;
    size_t nrun, caprun;
    size_t run_off; /* rel line minus row of the last run */
    /* errors */
    hz_status status;
    bool structural; /* ragged row or quoting error */
    bool stop;
    size_t skipped;
    size_t nrep;
    reported rep[HZ_CSV_MAX_REPORTED];
    reported fatal; /* the error that stopped the chunk */
    bool used_libcsv;
    struct csv_parser lp; /* libcsv state while lp_open */
    bool lp_open;
    bool field_fatal;       /* set while reporting a libcsv quoting error */
    bool has_quotes;        /* the chunk contains a quote or a bare CR */
    int io_errno;           /* with status HZ_EIO */
    int32_t day_lo, day_hi; /* the date window, day numbers */
    const hz__tzone *tz;    /* --tz: the zone of the local times, or NULL */
} chunk;

static inline size_t type_width(hz_type t)
{
    switch (t) {
    case HZ_TYPE_BOOL: return 1;
    case HZ_TYPE_DATE:
    case HZ_TYPE_STRING: return 4;
    default: return 8;
    }
}

/* Byte counts of a range: newlines, quotes, NULs, and bare CRs (a CR not
 * followed by a newline, which libcsv takes as a row end and the fast
 * paths do not: a chunk with one goes to libcsv). */
typedef struct bytecount {
    size_t nl, nq, nz, ncr;
} bytecount;

/* ---- csv_infer.c ---- */
/* Add one non-null sampled value, found at line `line` of the sample. */
void hz__csv_evidence_add(evidence *e, const char *s, size_t n, size_t line,
                          char dec);
colspec hz__csv_evidence_resolve(const evidence *e, bool whole_file);
/* The caller's date column: a date, timestamp or period when the sample
 * mostly says so (integer years included), required either way. */
void hz__csv_want_date(colspec *c, const evidence *e);
/* The caller's value column: a number when the sample mostly says so,
 * required either way. */
void hz__csv_want_number(colspec *c, const evidence *e);
/* The date window of opt as day numbers. */
void hz__csv_date_window(const hz_csv_options *opt, int32_t *lo, int32_t *hi);
/* True when s is a decimal whose only fault is overflowing a double. */
bool hz__csv_number_overflows(const char *s, size_t n);
/* Sample the first rows of the body (which is prefix[0, plen) of a body of
 * blen bytes) into ev.  Returns 1 when the sample needs more of the body
 * than the prefix holds, 0 when done (*whole: it took every row). */
int hz__csv_infer_sample(const char *body, size_t plen, size_t blen,
                         size_t ncols, const hz_csv_options *opt, char delim,
                         char **names, evidence *ev, bool *whole);
char hz__csv_detect_delimiter(const char *s, size_t n, char dec);
/* The delimiter in messages: "tabs", "';'". */
void hz__csv_delim_name(char delim, char buf[8]);
/* Whether trimmed text t, a number with a decimal point, could be one
 * written with a point between thousands (1.234, -12.500). */
bool hz__csv_grouped_shape(const char *t, size_t tn);

/* ---- csv_chunk.c ---- */
void hz__csv_report(chunk *c, size_t field, bool structural, const char *fmt,
                    ...) __attribute__((format(printf, 4, 5)));
void hz__csv_on_field(chunk *c, const char *s, size_t n, bool is_null);
void hz__csv_on_row_end(chunk *c);
/* The per-separator path over [c->begin, c->end) (no quotes). */
void hz__csv_parse_fast(chunk *c);
/* Set up chunk c to write up to cap rows into the final column arrays
 * cols[j] starting at row first; -1 on ENOMEM. */
int hz__csv_chunk_init(chunk *c, size_t ncols, const colspec *spec,
                       unsigned char **cols, size_t first, size_t cap);
void hz__csv_chunk_free(chunk *c);
/* Parse bytes [a, b) of src into c (sb: this thread's read buffer). */
void hz__csv_chunk_run(chunk *c, const hz__src *src, size_t a, size_t b,
                       hz__srcbuf *sb);

/* ---- csv_libcsv.c ---- */
int hz__csv_no_space(unsigned char ch);
void hz__csv_libcsv_begin(chunk *c);
void hz__csv_libcsv_feed(chunk *c);
void hz__csv_libcsv_end(chunk *c);

/* ---- csv.c ---- */
/* Read a CSV from src (name for messages). */
hz_status hz__csv_read_source(const hz__src *src, const char *name,
                              const hz_csv_options *opt, hz_dataset **out,
                              hz_csv_report *report, hz_error *err);

/* ---- csv_body.c ---- */
typedef struct hz__csv_body_args {
    const char *name;        /* for messages */
    const hz__src *body;     /* the bytes after the header row */
    size_t body_line;        /* line number of its first byte */
    const bytecount *pieces; /* first-read counts of nchunks pieces */
    hz__srcbuf *sbuf;        /* one read buffer per thread */
    char **names;
    size_t ncols;
    const colspec *spec;
    const hz_csv_options *opt;
    char delim;
    hz_csv_report *rep;
    const hz__tzone *tz; /* --tz, or NULL */
    bool *retext; /* [ncols]: set for each loose column a value did not
                     fit (nothing is then assembled: *out stays NULL) */
} hz__csv_body_args;

/* Parse the body in nchunks row-aligned chunks into *out.  *any_quotes
 * tells whether the body holds a quote (the caller then re-parses as one
 * chunk after a structural error, so the error is the serial parse's). */
hz_status hz__csv_parse_body(const hz__csv_body_args *a, size_t nchunks,
                             hz_dataset **out, bool *any_quotes,
                             hz_error *err);

/* ---- csv_count.c ---- */
bytecount hz__csv_count_bytes(const char *s, size_t n, const char *end);
bytecount hz__csv_count_range(const hz__src *src, size_t a, size_t b,
                              hz__srcbuf *buf, int *rderr);
size_t hz__csv_nul_line(const hz__src *src, hz__srcbuf *buf);

#endif
