/* Horizon dataset: an immutable columnar table with typed, nullable columns.
 *
 * Columns are plain arrays indexed by row.  Strings are dictionary-encoded:
 * each row holds a uint32 code into the column's dictionary, so repeated
 * customer ids and categories cost 4 bytes a row.  Dates are days since
 * 1970-01-01 (int32), timestamps seconds since 1970-01-01T00:00:00Z (int64).
 *
 * A dataset is built by hz_csv_read() (csv.h) or by hand with
 * hz_dataset_new() + hz_dataset_add_column(), and freed with
 * hz_dataset_free(). */
#ifndef HORIZON_DATASET_H
#define HORIZON_DATASET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "horizon/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hz_type {
    HZ_TYPE_NULL = 0, /* no value seen (all nulls); stored as float64 NaN */
    HZ_TYPE_BOOL,     /* true/false, yes/no, t/f, 1/0 stored as uint8 */
    HZ_TYPE_INT64,
    HZ_TYPE_FLOAT64,
    HZ_TYPE_DATE,      /* int32 days since 1970-01-01 */
    HZ_TYPE_TIMESTAMP, /* int64 seconds since epoch, UTC */
    HZ_TYPE_STRING     /* uint32 codes into a dictionary */
} hz_type;

/* How dates are written in the source (part of the schema).  Day-level
 * formats may carry a time (HH:MM[:SS]) and make a TIMESTAMP column;
 * period formats (MONTH .. YEAR) make a DATE column holding the first day
 * of each period, and the series builder keeps their labels. */
typedef enum hz_datefmt {
    HZ_DATEFMT_NONE = 0,
    HZ_DATEFMT_ISO, /* YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS[.fff]][Z|+hh:mm] */
    HZ_DATEFMT_YMD_SLASH,       /* YYYY/MM/DD [HH:MM[:SS]] */
    HZ_DATEFMT_MDY_SLASH,       /* MM/DD/YYYY (also MM-DD-YYYY, MM.DD.YYYY) */
    HZ_DATEFMT_DMY,             /* DD/MM/YYYY (also DD-MM-YYYY, DD.MM.YYYY) */
    HZ_DATEFMT_MONTH,           /* YYYY-MM (also Jan-24, Jan 2024,
                                   January 2024, 01/2024) */
    HZ_DATEFMT_QUARTER,         /* YYYY-Qn (also 2024 Q1, Q1 2024) */
    HZ_DATEFMT_QUARTER_COMPACT, /* YYYYQn */
    HZ_DATEFMT_ISOWEEK,         /* YYYY-Www (ISO 8601 week, from Monday) */
    HZ_DATEFMT_YEAR,            /* YYYY */
    HZ_DATEFMT_EXCEL, /* a spreadsheet's serial day number (Excel's 1900
                         date system: 45292 is 2024-01-01); only when
                         asked for (--schema COL:date:excel) */
    HZ_DATEFMT_ISOWEEK_COMPACT, /* YYYYWww (a period, as ISOWEEK; after
                                   EXCEL to keep the earlier values) */
    HZ_DATEFMT_UNIX,    /* Unix time: seconds since 1970-01-01 00:00 UTC,
                           a UTC instant (1e8 to 1e11 in magnitude:
                           1973 .. 5138; more digits are milliseconds or
                           finer, refused); only when asked for
                           (--schema COL:timestamp:unix) */
    HZ_DATEFMT_UNIX_MS, /* Unix time in milliseconds (1e11 to 1e14:
                           fewer digits are seconds, refused) */
    HZ_DATEFMT_COUNT
} hz_datefmt;

/* Schema name of a format ("iso", "ymd", "mdy", "dmy", "month",
 * "quarter", "quarter-compact", "isoweek", "year", "excel",
 * "isoweek-compact", "unix", "unix_ms"); NULL for
 * NONE. */
HZ_API const char *hz_datefmt_name(hz_datefmt f);
/* Inverse of hz_datefmt_name (case-insensitive; also "ym" for month,
 * "yq" for quarter, "yw"/"week" for isoweek, "y" for year). */
HZ_API bool hz_datefmt_parse(const char *s, hz_datefmt *out);
/* True for the period formats (MONTH .. YEAR). */
HZ_API bool hz_datefmt_is_period(hz_datefmt f);
/* True for the Unix time formats (UNIX, UNIX_MS): UTC instants. */
HZ_API bool hz_datefmt_is_unix(hz_datefmt f);

/* A string dictionary: code -> NUL-terminated string, insertion-ordered. */
typedef struct hz_dict hz_dict;

typedef struct hz_column {
    char *name;
    hz_type type;
    hz_datefmt datefmt; /* for DATE / TIMESTAMP */
    bool zoned;         /* TIMESTAMP: sampled values carried a UTC offset
                            or Z (values are UTC instants) */
    size_t folds;       /* TIMESTAMP read on a --tz zone's clock: values
                           on a wall time the clocks show twice, put back:
                           written without an offset (which instant is
                           unknown), or with the later one (Unix times
                           too) in a column that also has values at the
                           earlier one: hours would take two for one */
    int64_t fold_first; /* the first such value's wall time (folds > 0) */
    size_t fold_unz;    /* of folds: those without an offset */
    int64_t fold_unz_first;       /* the first of them (fold_unz > 0) */
    size_t fold_unz_line;         /* its line in the file (0: unknown) */
    size_t fold_early, fold_late; /* values with an offset at the earlier
                           and the later of the two instants: hours take
                           both in one in a series that has both (checked
                           per series: hz_series_build) */
    size_t nulls;       /* number of null rows */
    uint8_t *valid;     /* valid[i] = 1 when row i is not null; NULL when
                            the column has no nulls */
    union {
        int64_t *i64;   /* INT64, TIMESTAMP */
        double *f64;    /* FLOAT64, NULL */
        int32_t *date;  /* DATE */
        uint8_t *b;     /* BOOL */
        uint32_t *code; /* STRING */
        void *raw;
    } v;
    hz_dict *dict; /* STRING only */
} hz_column;

typedef struct hz_dataset {
    size_t nrows;
    size_t ncols;
    hz_column *cols;
    char *source; /* file name it was read from, or NULL */
    void *block;  /* one allocation holding the value arrays of
                            several columns (the CSV reader's), or NULL;
                            freed once, by hz_dataset_free */
    size_t block_len;
    /* Where the rows were in the file (set by the CSV reader): row i is
     * on line line_at[k] + (i - line_row[k]) of the file, for the last
     * run k with line_row[k] <= i (a run ends at a blank line, a
     * skipped row or a row over several lines).  nline_runs is 0 when
     * the lines are not known (a dataset built by hand).  Read them
     * with hz_dataset_row_line(). */
    size_t nline_runs;
    size_t *line_row, *line_at;
    /* Read with --tz: the wall times its clocks skip (kept for the life
     * of the process; engine/core/tzgaps.h), for hours and minutes cut on
     * that clock; else NULL. */
    const struct hz__tzgaps *tz_gaps;
} hz_dataset;

/* ---- types ---- */
HZ_API const char *hz_type_name(hz_type t); /* "int64", "float64", ... */
/* Parse "int64"/"int", "float64"/"float"/"double", "date", "timestamp",
 * "bool", "string"; returns false when unknown. */
HZ_API bool hz_type_parse(const char *s, hz_type *out);

/* ---- dictionary ---- */
HZ_API hz_dict *hz_dict_new(void);
HZ_API void hz_dict_free(hz_dict *d);
/* Code of s (len bytes), inserting it when new; UINT32_MAX on ENOMEM. */
HZ_API uint32_t hz_dict_intern(hz_dict *d, const char *s, size_t len);
/* Code of s or UINT32_MAX when absent. */
HZ_API uint32_t hz_dict_find(const hz_dict *d, const char *s, size_t len);
HZ_API size_t hz_dict_size(const hz_dict *d);
HZ_API const char *hz_dict_str(const hz_dict *d, uint32_t code);
HZ_API size_t hz_dict_len(const hz_dict *d, uint32_t code);

/* ---- dataset ---- */
HZ_API hz_dataset *hz_dataset_new(size_t nrows);
HZ_API void hz_dataset_free(hz_dataset *ds); /* NULL allowed */
/* Append a column of ds->nrows rows; the dataset takes ownership of the
 * arrays in *col (its name is copied).  Returns HZ_EINVAL on a duplicate
 * name. */
HZ_API hz_status hz_dataset_add_column(hz_dataset *ds, const hz_column *col,
                                       hz_error *err);
/* Index of the column called name, or -1. */
HZ_API long hz_dataset_find(const hz_dataset *ds, const char *name);
/* Like hz_dataset_find but sets "no column 'x' in FILE (columns: a, b, c)"
 * on err and returns NULL when absent. */
HZ_API const hz_column *hz_dataset_column(const hz_dataset *ds,
                                          const char *name, hz_error *err);

/* Line of row in the file ds was read from (1-based: the header is
 * line 1 of a plain CSV), or 0 when not known. */
HZ_API size_t hz_dataset_row_line(const hz_dataset *ds, size_t row);
/* The place of a cell for messages, into buf (bufsz bytes), as the CSV
 * reader names places: "FILE:LINE:FIELD" (FIELD the column's 1-based
 * position), or "FILE: data row N" when the line is not known.  col is
 * one of ds's columns; returns buf. */
HZ_API const char *hz_dataset_place(const hz_dataset *ds, size_t row,
                                    const hz_column *col, char *buf,
                                    size_t bufsz);

/* ---- cell access (row < nrows) ---- */
static inline bool hz_col_is_null(const hz_column *c, size_t row)
{
    return c->valid != NULL && !c->valid[row];
}
/* Numeric value of any INT64/FLOAT64/BOOL/DATE/TIMESTAMP cell as double;
 * NaN for null or string cells. */
HZ_API double hz_col_number(const hz_column *c, size_t row);
/* Day number (days since epoch) of a DATE or TIMESTAMP cell; INT32_MIN
 * when null or not a date. */
HZ_API int32_t hz_col_day(const hz_column *c, size_t row);
/* String of a STRING cell (NULL when null); other types are formatted
 * into buf (size bufsz) and buf is returned. */
HZ_API const char *hz_col_text(const hz_column *c, size_t row, char *buf,
                               size_t bufsz);
/* True for INT64, FLOAT64, BOOL. */
HZ_API bool hz_type_is_numeric(hz_type t);

/* ---- calendar helpers ---- */
/* Days since 1970-01-01 of a proleptic Gregorian date. */
HZ_API int32_t hz_days_from_civil(int y, unsigned m, unsigned d);
HZ_API void hz_civil_from_days(int32_t z, int *y, unsigned *m, unsigned *d);
/* Format day number as YYYY-MM-DD into buf (>= 11 bytes); years
 * outside 0..9999 are clamped to 0000-01-01 / 9999-12-31 (the CSV
 * reader's date window keeps data well inside). */
HZ_API char *hz_format_day(int32_t day, char *buf);
/* Text of the day in format fmt: the period's label (2024-03, 2024-Q1,
 * 2024Q1, 2024-W05, 2024) for period formats, YYYY-MM-DD otherwise.
 * buf holds at least 16 bytes. */
HZ_API char *hz_format_day_as(hz_datefmt fmt, int32_t day, char *buf);
/* Weekday of a day number, 0 = Monday .. 6 = Sunday. */
HZ_API int hz_weekday(int32_t day);
/* Days in month m of year y (leap years included). */
HZ_API int hz_days_in_month(int y, unsigned m);
/* The day of an integer written YYYYMMDD (20240105: SAP and mainframe
 * exports); false when v is not a valid date so written. */
HZ_API bool hz_day_from_yyyymmdd(int64_t v, int32_t *day);
/* The day of a spreadsheet's serial day number in Excel's 1900 date
 * system (1 is 1900-01-01, 45292 is 2024-01-01; 60 is Excel's 1900-02-29,
 * a day that never was, and false, as is anything below 1 or after
 * 9999-12-31). */
HZ_API bool hz_day_from_excel_serial(int64_t v, int32_t *day);
/* Parse a date/timestamp text in the given format (NONE = try ISO,
 * YYYY/MM/DD and MM/DD/YYYY, in that order: day-first dates and periods
 * must be asked for); sets *is_ts when a time part was present.  Returns
 * false when invalid (including impossible dates like 2023-02-30 and
 * ISO week 53 of a 52-week year).  Periods give their first day. */
HZ_API bool hz_parse_datetime(const char *s, size_t len, hz_datefmt fmt,
                              int64_t *epoch_seconds, bool *is_ts,
                              hz_datefmt *detected);
/* Whether name is a zone of the system tz database: "UTC", or an
 * Area/City name (letters, digits, '/', '_', '+', '-'; no "..", not
 * absolute) of a zone file (TZif) under $TZDIR or /usr/share/zoneinfo.
 * A file there that holds no zone ("leapseconds") is none: TZ would
 * take it, as any name it cannot read, for UTC without a word. */
HZ_API bool hz_tz_valid(const char *name);
/* TZ set to name (and tzset) for reading a zone's local times through
 * the C library (localtime_r, mktime), the TZ before kept in *saved
 * (NULL when it was unset) for hz_tz_leave, which restores it and frees
 * *saved.  False, TZ untouched, when it cannot be kept (out of memory).
 * TZ is the process's: call them while no other thread reads local
 * time (engine/core/tzone.c; the schedules, jobs/runner/cron.c). */
HZ_API bool hz_tz_enter(const char *name, char **saved);
HZ_API void hz_tz_leave(char *saved);

#ifdef __cplusplus
}
#endif
#endif
