/* Regular time series built from a transactions table.
 *
 * hz_series_build() groups rows by the --by columns, buckets the --date
 * column into periods of a frequency (day, ISO week starting Monday,
 * month, quarter, year), aggregates the --value column (sum, mean or
 * count), fills missing periods (zero or linear interpolation) and trims
 * leading empty periods.  The frequency is inferred from the spacing of
 * distinct dates when not given.  hz_series_read_long() takes a
 * long-format table (series_id, date, value) instead. */
#ifndef HORIZON_SERIES_H
#define HORIZON_SERIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "horizon/common.h"
#include "horizon/dataset.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hz_freq {
    HZ_FREQ_INFER = 0,
    HZ_FREQ_DAY,
    HZ_FREQ_WEEK,
    HZ_FREQ_MONTH,
    HZ_FREQ_QUARTER,
    HZ_FREQ_YEAR
} hz_freq;

/* Seasonal periods of a series, in periods of its frequency, ascending,
 * each > 1; non-integer periods are allowed (52.18 weeks a year, 365.25
 * days).  Multiple-seasonality models use all of them; single-season
 * models use the primary integer period (hz_series_set.period). */
#define HZ_MAX_SEASONS 3
typedef struct hz_seasons {
    size_t n; /* 0: none (or: use the frequency's defaults, in requests) */
    double period[HZ_MAX_SEASONS];
} hz_seasons;

typedef enum hz_agg { HZ_AGG_SUM = 0, HZ_AGG_MEAN, HZ_AGG_COUNT } hz_agg;
typedef enum hz_fill { HZ_FILL_ZERO = 0, HZ_FILL_INTERPOLATE } hz_fill;

HZ_API const char *hz_freq_name(hz_freq f); /* "month", ... */
HZ_API bool hz_freq_parse(const char *s, hz_freq *out);
HZ_API bool hz_agg_parse(const char *s, hz_agg *out);
/* Seasonal period of a frequency: 7, 52, 12, 4, 1. */
HZ_API int hz_freq_period(hz_freq f);

/* Period index of a day number (days since 1970-01-01): consecutive
 * periods have consecutive indices.  Weeks start on Monday. */
HZ_API int64_t hz_period_of_day(hz_freq f, int32_t day);
/* First day of period index p. */
HZ_API int32_t hz_period_start(hz_freq f, int64_t p);
/* Frequency implied by a sorted array of distinct day numbers (median
 * spacing); HZ_FREQ_DAY when fewer than 2. */
HZ_API hz_freq hz_freq_infer(const int32_t *days, size_t n);

typedef struct hz_series {
    char *key;     /* group values joined with '|' ("total" when
                            there are no group columns) */
    int64_t start; /* period index of values[0] */
    size_t n;
    double *values;
    size_t nobs;    /* rows aggregated into this series */
    size_t nfilled; /* periods filled (no rows) */
} hz_series;

typedef struct hz_series_set {
    hz_freq freq;
    int period;         /* primary seasonal period of freq (1: none) */
    hz_seasons seasons; /* every seasonal period (filled by the builder) */
    size_t nseries;
    hz_series *series;              /* sorted by key */
    size_t rows_used, rows_skipped; /* skipped: null date or value */
} hz_series_set;

typedef struct hz_series_opts {
    const char *date_col;
    const char *value_col; /* NULL allowed with HZ_AGG_COUNT */
    const char *const *by_cols;
    size_t nby;
    hz_freq freq; /* HZ_FREQ_INFER to infer */
    hz_agg agg;
    hz_fill fill;
    bool trim_leading;  /* drop leading empty periods (default on;
                                without grouping there are none) */
    bool extend_to_end; /* pad every group to the last period of the
                                whole table (default on) */
} hz_series_opts;

HZ_API void hz_series_opts_init(hz_series_opts *o);

/* Build the series.  Errors name the column: unknown column, value
 * column not numeric, date column not a date, no dated rows. */
HZ_API hz_status hz_series_build(const hz_dataset *ds, const hz_series_opts *o,
                                 hz_series_set **out, hz_error *err);

/* Long format: columns id_col (any type), date_col, value_col; each id
 * becomes one series (missing periods filled per o->fill). */
HZ_API hz_status hz_series_read_long(const hz_dataset *ds, const char *id_col,
                                     const char *date_col,
                                     const char *value_col, hz_freq freq,
                                     hz_fill fill, hz_series_set **out,
                                     hz_error *err);

HZ_API void hz_series_set_free(hz_series_set *s); /* NULL allowed */

#ifdef __cplusplus
}
#endif
#endif
