/* CSV ingest into a columnar hz_dataset (libcsv + a quote-free fast path,
 * parallel over row-aligned chunks with OpenMP).
 *
 * Results are identical whatever the thread count and whichever path a
 * chunk takes; errors name file:line:column and the column. */
#ifndef HORIZON_CSV_H
#define HORIZON_CSV_H

#include <stdio.h>

#include "horizon/dataset.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hz_on_error {
    HZ_ON_ERROR_FAIL = 0, /* first bad row fails the whole read */
    HZ_ON_ERROR_SKIP      /* bad rows are dropped and counted */
} hz_on_error;

/* What a caller will read a column as (hz_csv_options.want). */
typedef enum hz_csv_want {
    HZ_CSV_WANT_ANY = 0, /* as inferred */
    HZ_CSV_WANT_TEXT,    /* text as written: an identifier */
    HZ_CSV_WANT_NUMBER,  /* as number_cols */
    HZ_CSV_WANT_DATE,    /* as date_cols */
    HZ_CSV_WANT_UNUSED   /* not read by the caller (kept for the row's
                            identity only): as inferred, but a value that
                            does not fit the inferred type makes the whole
                            column text, as written, rather than an error;
                            so do dates that could be month- or day-first
                            and months with two-digit years that could be
                            days, which need no --schema then */
} hz_csv_want;

typedef struct hz_schema_override {
    const char *column;
    hz_type type;
    hz_datefmt datefmt; /* NONE = infer */
} hz_schema_override;

typedef struct hz_csv_options {
    char delimiter; /* 0 = detect among , ; \t | (; \t | with a decimal
                       comma) */
    char decimal;   /* 0 or '.': 200.50; ',': 200,50 (European exports;
                       '.' then only separates thousands in groups of
                       three, 1.234,50, and 1.5 is an error) */
    hz_on_error on_error;
    int threads;       /* 0 = hz_default_threads() (horizon/threads.h) */
    size_t infer_rows; /* rows sampled for inference (0 = 10000) */
    const hz_schema_override *overrides;
    size_t noverrides;
    int force_path;     /* tests: 0 auto, 1 fast path only where legal,
                              2 libcsv for every chunk, 3 the fast path's
                              per-separator loop instead of its row loop */
    size_t chunk_bytes; /* tests: 0 = automatic chunk size */
    size_t block_bytes; /* tests: bytes per read of a file (0 = 1 MB) */
    /* Dates outside [date_min_year-01-01, date_max_year-12-31] are
     * errors (0, 0 = 1800 to 2200). */
    int date_min_year, date_max_year;
    /* Columns the caller will use as dates / numbers (forecast --date,
     * --value): such a column is read as a date (format by evidence,
     * integer years included) or a number when most sampled values are
     * one, so that the odd bad value is an error with its place, and an
     * empty value in it is an error too.  Names not in the file are
     * ignored (the caller reports them). */
    const char *const *date_cols;
    size_t ndate_cols;
    const char *const *number_cols;
    size_t nnumber_cols;
    /* Columns the caller picks by their names (and inferred types), as
     * horizon analyze guesses its customer, date and amount columns:
     * called once the types are inferred, before any value is read, with
     * the column names and types in file order; it sets want[j] (all
     * HZ_CSV_WANT_ANY on entry).  NUMBER and DATE read the column as
     * number_cols and date_cols do; TEXT reads it as text, as written,
     * whatever it holds, so that the ids 00123 and 123 stay two ids.
     * --schema (overrides) wins.  NULL: no such column. */
    void (*want)(void *ctx, const char *const *names, const hz_type *types,
                 size_t n, hz_csv_want *want);
    void *want_ctx;
    /* gzip input: refused (HZ_EIO) once it inflates past this many bytes,
     * before they are all written out; 0 = no limit.  A service reading
     * files it does not trust sets it: a few MB of gzip can hold
     * terabytes (a job's dataset: horizon run --max-download-mb). */
    unsigned long long max_inflated_bytes;
    /* Cell texts that mean a missing value in this file, separated by
     * commas ("N/A,#N/A,NA,-", as spreadsheets and databases write
     * them): such a cell (blanks around it aside, quoted or not) is read
     * as an empty one, in every column, and then treated as an empty
     * cell is (a null; an error in a required column unless skipped).
     * NULL: none, and such texts are values like any other. */
    const char *na_values;
    /* The time zone of the file's local times (an IANA name of the
     * system tz database, "Europe/Berlin"), or NULL.  Given, every
     * timestamp is read on that zone's clock: one without a UTC offset
     * is its wall time there, an error with its place when the zone's
     * clocks skip it (put forward) or show it twice (put back); one
     * with an offset is moved to it.  Days, weeks and months are then
     * cut on it.  The zone is read through the C library with TZ set
     * for a moment: read while no other thread uses local time. */
    const char *tz;
} hz_csv_options;

#define HZ_CSV_MAX_REPORTED 5

typedef struct hz_csv_report {
    size_t rows_read;    /* data rows kept */
    size_t rows_skipped; /* rows dropped with on_error = SKIP */
    size_t nreported;    /* messages below (at most HZ_CSV_MAX_REPORTED) */
    char reported[HZ_CSV_MAX_REPORTED][HZ_ERROR_MAX];
    char delimiter;    /* the delimiter used */
    size_t bytes;      /* file size */
    int chunks_fast;   /* chunks parsed by the fast path */
    int chunks_libcsv; /* chunks parsed by libcsv */
    /* Wall time of each phase, seconds (for benchmarks and --verbose):
     * header and type inference, splitting into chunks (a first read
     * counting rows; allocating columns), parsing the chunks (a second
     * read), merging dictionaries and assembling the table. */
    double t_infer, t_split, t_parse, t_merge;
    /* Text values (distinct, per column) and column names that are not
     * valid UTF-8: JSON output replaces their bad bytes with U+FFFD. */
    size_t utf8_invalid;
    char utf8_first[HZ_ERROR_MAX]; /* where the first one is */
} hz_csv_report;

HZ_API void hz_csv_options_init(hz_csv_options *o);

/* Parse "col:type[,col:type...]" (type as hz_type_parse, or a date with
 * its format: "date:iso", "date:ymd", "date:mdy", "date:dmy",
 * "date:month", "date:quarter", "date:isoweek", "date:year", and
 * timestamps likewise) into an array the caller frees with
 * hz_schema_overrides_free(). */
HZ_API hz_status hz_schema_overrides_parse(const char *spec,
                                           hz_schema_override **out, size_t *n,
                                           hz_error *err);
HZ_API void hz_schema_overrides_free(hz_schema_override *o, size_t n);

/* Read path into *out ("-" reads standard input; gzip data, by its magic
 * bytes, is decompressed as it is read).  Standard input and gzip data
 * are spilled to an unlinked temporary file in $TMPDIR (or /tmp) so that
 * the two passes over the bytes work as for a file; in memory when no
 * temporary file can be made.  On failure *out is NULL and err says
 * where: "sales.csv:10432:7: column 'revenue': expected a number, got
 * 'N/A'". */
HZ_API hz_status hz_csv_read(const char *path, const hz_csv_options *opt,
                             hz_dataset **out, hz_csv_report *report,
                             hz_error *err);
/* Same, from a memory buffer; name is used in messages. */
HZ_API hz_status hz_csv_read_buffer(const char *buf, size_t len,
                                    const char *name,
                                    const hz_csv_options *opt,
                                    hz_dataset **out, hz_csv_report *report,
                                    hz_error *err);

/* Write ds as CSV (RFC 4180 quoting) to f. */
HZ_API hz_status hz_csv_write(const hz_dataset *ds, FILE *f, hz_error *err);

#ifdef __cplusplus
}
#endif
#endif
