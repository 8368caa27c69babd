/* Regular time series built from a transactions table.
 *
 * hz_series_build() groups rows by the --by columns, buckets the --date
 * column into periods of a frequency (minute, hour, day, week, month,
 * quarter, year), aggregates the --value column (sum, mean or
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
#include "horizon/csv.h"
#include "horizon/dataset.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Frequencies, from fine to coarse (f >= HZ_FREQ_MONTH: calendar
 * periods of a month or more). */
typedef enum hz_freq {
    HZ_FREQ_INFER = 0,
    HZ_FREQ_MINUTE,
    HZ_FREQ_HOUR,
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
typedef enum hz_fill {
    HZ_FILL_ZERO = 0,    /* a period with no rows is 0 */
    HZ_FILL_INTERPOLATE, /* linear between its neighbours */
    HZ_FILL_NONE,        /* a period with no rows is an error */
    HZ_FILL_AUTO         /* the default: 0, but in data of one row per
                            series and period from which rows were
                            skipped (hz_series_opts.rows_skipped_read, or
                            rows without a date or value) a period with
                            no row is a missing value: an error; so is
                            any period with no rows under HZ_AGG_MEAN
                            (it has no mean) */
} hz_fill;

HZ_API const char *hz_freq_name(hz_freq f); /* "month", ... */
/* Frequency names: minute (min, T), hour (h, H), day (D), week (W),
 * month (M, MS, ME), quarter (Q, QS, QE), year (Y, YS, YE, A, AS), with
 * the words "daily", "weekly", ... and pandas' anchored weeks W-MON ..
 * W-SUN.  hz_freq_parse ignores anchors; hz_freq_parse_spec also returns
 * them: *anchor is the weekday (0 Monday .. 6 Sunday) that labels a week
 * and *end is 1 when the alias names the period's end (W-SUN, M, ME, Q,
 * QE, Y, YE, A), 0 for its start (MS, QS, YS, AS), -1 when the name says
 * neither (the data's own convention is kept, else starts). */
HZ_API bool hz_freq_parse(const char *s, hz_freq *out);
/* As hz_freq_parse_spec, also for periods of several minutes: "30min",
 * "30T", "30-minute", "half-hour", "half-hourly", "quarter-hour",
 * "15min" ... give HZ_FREQ_MINUTE and *minutes (a divisor of 60 below
 * it; "60min" is an hour); every other spelling *minutes = 1.
 * hz_freq_parse_spec refuses the multi-minute ones (it cannot say). */
HZ_API bool hz_freq_parse_step(const char *s, hz_freq *out, int *anchor,
                               int *end, int *minutes);
HZ_API bool hz_freq_parse_spec(const char *s, hz_freq *out, int *anchor,
                               int *end);
HZ_API bool hz_agg_parse(const char *s, hz_agg *out);
/* Primary integer seasonal period of a frequency: minute 1440, hour 24,
 * day 7, week 52, month 12, quarter 4, year 1. */
HZ_API int hz_freq_period(hz_freq f);
/* Default seasonal periods: minute 1440 and 10080, hour 24 and 168, day
 * 7 and 365.25, week 52.18, month 12, quarter 4, year none. */
HZ_API void hz_freq_default_seasons(hz_freq f, hz_seasons *out);
/* Parse "P[,P...]" (at most HZ_MAX_SEASONS numbers > 1, or "1" / "none"
 * for no seasonality) into out, sorted; false with a message on err. */
HZ_API bool hz_seasons_parse(const char *s, hz_seasons *out, hz_error *err);
/* The primary integer period of seasons: the shortest, rounded (1 when
 * there is none). */
HZ_API int hz_seasons_primary(const hz_seasons *s);
/* "24, 168" (or "none") into buf. */
HZ_API char *hz_seasons_format(const hz_seasons *s, char *buf, size_t n);

/* Period index of a day number (days since 1970-01-01): consecutive
 * periods have consecutive indices.  Weeks start on Monday.  Hours and
 * minutes: the first of the day. */
HZ_API int64_t hz_period_of_day(hz_freq f, int32_t day);
/* First day of period index p. */
HZ_API int32_t hz_period_start(hz_freq f, int64_t p);
/* Frequency implied by a sorted array of distinct day numbers (median
 * spacing); HZ_FREQ_DAY when fewer than 2. */
HZ_API hz_freq hz_freq_infer(const int32_t *days, size_t n);

/* How a frequency cuts time into periods and names them.  Period
 * indices are consecutive integers; for the default calendar of a
 * frequency they equal hz_period_of_day's. */
typedef struct hz_calendar {
    hz_freq freq;
    int anchor;       /* weeks: weekday of each week's label day,
                              0 Monday .. 6 Sunday */
    bool end;         /* label a period by its last day (weeks, months,
                              quarters, years); else by its first */
    hz_datefmt label; /* period text (HZ_DATEFMT_MONTH ...), or NONE:
                              YYYY-MM-DD, with HH:MM:SS for hours and
                              minutes */
    int minutes;      /* HZ_FREQ_MINUTE: minutes a period, a divisor of
                              60 (30: half-hours, 15, 5, ...); 0 or 1:
                              one */
    const struct hz__tzgaps *gaps; /* hours and minutes on a --tz zone's
                              clock: the periods its clocks skip when put
                              forward (engine/core/tzgaps.h), for periods
                              of this length; NULL: none.  Such a period
                              keeps its place (hz_calendar_skipped) */
} hz_calendar;

/* Default calendar of f: weeks from Monday, periods labelled by their
 * first day as YYYY-MM-DD. */
HZ_API void hz_calendar_init(hz_calendar *c, hz_freq f);
/* Minutes a period of c when its frequency is minutes (1 or more), else
 * 0. */
HZ_API int hz_calendar_minutes(const hz_calendar *c);
/* The frequency's default seasonal periods in periods of c: a day and a
 * week of its minutes (48 and 336 half-hours), else as
 * hz_freq_default_seasons. */
HZ_API void hz_calendar_default_seasons(const hz_calendar *c,
                                        hz_seasons *out);
/* The name of c's period, "30-minute" for several minutes, else
 * hz_freq_name's ("hour", "month") into buf (>= 16 bytes). */
HZ_API char *hz_calendar_unit(const hz_calendar *c, char *buf, size_t n);
/* Period index holding the instant t (seconds since 1970-01-01). */
HZ_API int64_t hz_calendar_period(const hz_calendar *c, int64_t t);
/* Label instant of period p (its first or last day, at 00:00; hours and
 * minutes: their start), seconds since 1970-01-01. */
HZ_API int64_t hz_calendar_time(const hz_calendar *c, int64_t p);
/* Whether period p is a wall-clock hour (half-hour, minute) a --tz
 * zone's clocks skip when put forward: a period, so that every later
 * one keeps its place in the daily season, but no reading can exist
 * there; the series estimate it for the model (hz_series.nskipped), and
 * it is no data point of the output nor a forecast's label. */
HZ_API bool hz_calendar_skipped(const hz_calendar *c, int64_t p);
/* Minutes of a skipped period p (hz_calendar_skipped) that the clocks
 * skip: all of it (60 for an hour in Berlin), or fewer for one they
 * shorten and that is taken as skipped (Lord Howe's 02:00 hour: 30,
 * only 02:30 to 03:00 exists); 0 for a period not skipped. */
HZ_API int64_t hz_calendar_skipped_minutes(const hz_calendar *c, int64_t p);
/* The (h+1)-th period at or after p that is not skipped
 * (hz_calendar_skipped): p + h on a clock that skips none. */
HZ_API int64_t hz_calendar_step(const hz_calendar *c, int64_t p, size_t h);
/* Label day of period p (days since 1970-01-01). */
HZ_API int32_t hz_calendar_day(const hz_calendar *c, int64_t p);
/* Label text of period p ("2024-03", "2024-03-31", "2024-W05",
 * "2024-01-31 14:00:00") into buf (>= 24 bytes). */
HZ_API char *hz_calendar_format(const hz_calendar *c, int64_t p, char *buf,
                                size_t n);
/* Words for the calendar: "months (labelled by their last day)",
 * "weeks from Sunday", "YYYY-MM months" into buf. */
HZ_API char *hz_calendar_describe(const hz_calendar *c, char *buf, size_t n);

typedef struct hz_series {
    char *key;     /* group values joined with '|' ("total" when
                            there are no group columns) */
    int64_t start; /* period index of values[0] */
    size_t n;
    double *values;
    size_t nobs;    /* rows aggregated into this series */
    size_t nfilled; /* periods filled (no rows) */
    unsigned char *filled_at; /* [0..n): 1 at a period filled (no rows);
                                 NULL when none was */
} hz_series;

/* A first or last period that the table's dates do not cover whole, for
 * input dated inside its periods (transactions by day into weeks, months,
 * quarters or years; hourly data into days; months into quarters or
 * years): the table starts after the first period's first unit, or ends
 * before the last period's last unit, so that period's total is a
 * part-period's.  days == 0: whole (or not applicable). */
typedef struct hz_partial_period {
    int64_t period; /* its index */
    int days, of;   /* units of it inside the table's dates, its units
                       (days, or as unit says) */
    hz_freq unit;   /* what days and of count: HZ_FREQ_DAY (dates by the
                       day), HZ_FREQ_HOUR (times on the hour),
                       HZ_FREQ_MINUTE (times every unit_minutes, a
                       divisor of an hour); HZ_FREQ_HOUR (MINUTE) for
                       days (hours) of transactions at any time, HZ_FREQ_WEEK (dates on one
                       weekday), HZ_FREQ_MONTH or HZ_FREQ_QUARTER (dates
                       or labels of whole months or quarters) */
    int unit_minutes; /* HZ_FREQ_MINUTE: minutes a unit */
    int64_t edge;   /* the table's first (or last) instant, seconds
                       since 1970-01-01 */
    int dropped;    /* 1: left out of every series that held it
                       (hz_series_opts.partial) */
    size_t rows;    /* with dropped: the rows dated in it, left out */
    size_t nseries_out;  /* with dropped: series with rows only in it,
                            left out of the set (none to forecast) */
    char series_out[64]; /* the first of them met, truncated */
    size_t nseries_part;  /* long input (each series ends at its own last
                             period): the series whose rows end inside
                             their last period, each its own; period,
                             days, of and edge are the first's; 0: the
                             table's period, shared */
    char series_part[64]; /* the first of them, truncated */
} hz_partial_period;

/* What becomes of part periods (hz_partial_period): a part last period
 * left out (the default: its total would set the forecast's level low),
 * a part first one too, or both kept as if whole.  A part first period
 * is kept by default because a table's first day is more often the
 * first sale than a cut (data from Monday 3 January). */
typedef enum hz_partial {
    HZ_PARTIAL_DROP_LAST = 0,
    HZ_PARTIAL_DROP,
    HZ_PARTIAL_KEEP
} hz_partial;

/* One sentence on part period p, the table's first (k 0) or last (k 1)
 * period, for messages and reports: "the last week (2024-12-30) holds 2
 * of its 7 days (the data end 2024-12-31): left out with its 65 rows"
 * (and the series with rows only there), or "...: its total is a
 * part-week's, which the models take for a whole one".  Empty when the
 * period is whole. */
/* The name of p's unit: "day", "hour", "5-minute", "month" ... into buf
 * (>= 16 bytes). */
HZ_API char *hz_partial_unit(const hz_partial_period *p, char *buf, size_t n);
HZ_API char *hz_partial_describe(const hz_calendar *cal,
                                 const hz_partial_period *p, int k, char *buf,
                                 size_t n);

/* One sentence on rows summed into a period already seen: "1 more row
 * for a period already seen (first: 2024-10-28 02:00:00) summed into it,
 * in data of one row per series and period".  Empty when rows is 0. */
HZ_API char *hz_repeated_describe(size_t rows, const char *first, char *buf,
                                  size_t n);

typedef struct hz_series_set {
    hz_freq freq;
    hz_calendar cal;    /* how periods are cut and labelled */
    int period;         /* primary seasonal period (1: none) */
    hz_seasons seasons; /* every seasonal period (filled by the builder) */
    size_t nseries;
    hz_series *series;              /* sorted by key */
    size_t rows_used;               /* rows summed into the series */
    size_t rows_skipped;            /* rows not used: skipped by the
                                       reader (rows_skipped_read) or
                                       without a date or value */
    size_t nfilled;                 /* periods filled, all series */
    size_t nseries_filled;          /* series with a filled period */
    char filled_first[32];          /* the earliest filled period, as
                                       labelled */
    size_t nskipped;                /* periods a --tz zone's clocks skip
                                       (hz_calendar_skipped), all series:
                                       estimated for the model between
                                       their neighbours, not filled */
    char skipped_first[16], skipped_last[16]; /* their days, YYYY-MM-DD */
    char freq_reason[192];          /* why this frequency and labels */
    char seasons_reason[64];        /* why these seasonal periods */
    hz_partial_period partial[2];   /* [0] first, [1] last period */
    size_t rows_repeated;           /* inferred one row per series and
                                       period: rows for a period already
                                       seen (a duplicated row, an hour a
                                       clock put back), summed into it */
    char repeated_first[32];        /* the first of them, as dated */
    size_t names_similar;           /* series whose name is another's but
                                       for case and blanks around a value
                                       ('North', 'north ', 'NORTH'):
                                       forecast apart, as named */
    char similar_first[2][64];      /* the first two such names */
    size_t rows_empty_key;          /* rows whose value in a group
                                       column is empty (missing or ""):
                                       summed into a group of their own,
                                       named with that value empty */
    size_t series_empty_key;        /* the series they make */
    char empty_key_first[96];       /* the first such row's place,
                                       FILE:LINE:FIELD */
    char empty_key_col[64];         /* its empty column, truncated */
    char empty_key_series[64];      /* its series' name, truncated */
    bool zoned; /* the dates carried UTC offsets: read as UTC instants,
                   so periods are cut and labelled in UTC */
    bool unix_times; /* zoned, as they were Unix times (timestamp:unix,
                        :unix_ms), which carry no offset */
} hz_series_set;

typedef struct hz_series_opts {
    const char *date_col;
    const char *value_col; /* NULL allowed with HZ_AGG_COUNT */
    const char *const *by_cols;
    size_t nby;
    hz_freq freq;       /* HZ_FREQ_INFER to infer */
    int minutes;        /* with HZ_FREQ_MINUTE: minutes a period (a
                               divisor of 60; 0 or 1: one) */
    int week_anchor;    /* weekday labelling weeks (0 Monday .. 6
                               Sunday); -1: the data's, else Monday */
    int label_end;      /* 1: label periods by their last day, 0: first,
                               -1: as the data are dated, else first */
    hz_seasons seasons; /* n == 0: the frequency's defaults; one period
                               of 1: no seasonality */
    hz_agg agg;
    hz_fill fill;
    bool trim_leading;  /* drop leading empty periods (default on;
                                without grouping there are none) */
    bool extend_to_end; /* pad every group to the last period of the
                                whole table (default on) */
    hz_partial partial; /* part first and last periods
                                (hz_series_set.partial) left out of every
                                series that holds them, or kept */
    size_t rows_skipped_read; /* rows of the file the dataset lacks: the
                                 reader skipped them as malformed
                                 (hz_csv_report.rows_skipped); counted in
                                 rows_skipped (see HZ_FILL_AUTO) */
} hz_series_opts;

HZ_API void hz_series_opts_init(hz_series_opts *o);
/* hz_csv_options.want for the file a set is built from, ctx the
 * hz_series_opts: its group columns (by_cols; statsforecast's unique_id
 * when no column is named) read as text, as written, whatever they hold,
 * so that stores 007, 7 and 07.0 stay three groups, as a CRM's or an
 * ERP's codes are (a column read as numbers made all three the group '7',
 * summed); --schema wins (series_columns.c).  The other columns, which
 * the series are not built from, HZ_CSV_WANT_UNUSED: one whose values
 * stop fitting the type inferred from the sampled rows is read as text. */
HZ_API void hz_series_csv_want(void *ctx, const char *const *names,
                               const hz_type *types, size_t n,
                               hz_csv_want *want);

/* Build the series.  Errors name the column: unknown column, value
 * column not numeric, date column not a date (a text column is parsed in
 * one format that must fit every value), no dated rows, a sum that
 * overflows, a gap with HZ_FILL_NONE, a series longer than 10,000,000
 * periods.  The frequency, when inferred, comes from the dates: their
 * period format (YYYY-MM, ...), else their spacing within each series;
 * transaction-level input (several rows per series and date, or
 * irregular dates) gets months (weeks, days ... when the data span fewer
 * than 12 months).  out->freq_reason says which and why. */
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
