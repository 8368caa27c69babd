/* Internal: the state of one hz_series_build() call, shared by series.c
 * (the build steps) and series_infer.c (choosing the calendar). */
#ifndef HZ_ENGINE_SERIES_INTERNAL_H
#define HZ_ENGINE_SERIES_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "horizon/series.h"

#define HZ__NO_TIME INT64_MIN /* a row without a usable date or value */

typedef struct hz__sb {
    const hz_dataset *ds;
    const hz_series_opts *o;
    hz_error *err;
    const char *src; /* file name for messages */
    const hz_column *dc, *vc, *bc[16];
    size_t n;           /* rows */
    int64_t *t;         /* [n] each row's instant (seconds since 1970),
                           HZ__NO_TIME when unusable; later its period */
    hz_datefmt dfmt;    /* the dates' period format (YEAR for integer
                           years), or NONE for dates and timestamps */
    bool has_time;      /* some date has a time of day */
    uint32_t *gid;      /* [n] group of each row */
    size_t ng;          /* groups */
    size_t ndated;      /* rows with a usable date and value */
    int64_t tmin, tmax; /* instants of those rows */
    int64_t *gpart;     /* [ng] long input (series that end on their own):
                           each group's last period when its rows end
                           inside it, else INT64_MIN; NULL otherwise */
} hz__sb;

/* Day number (days since 1970-01-01) of instant t (seconds), rounded
 * down. */
int64_t hz__day_of_time(int64_t t);

/* Whether instants sod0 seconds into the day, and every unit seconds
 * from it, fall on the starts of periods of unit seconds (a divisor of a
 * day): on them, or, for dates that carried UTC offsets, on a quarter
 * hour, as every zone's offset is (readings on the hour at +05:30 are at
 * :30 past each UTC hour, at +05:45 at :15). */
bool hz__on_period_starts(const hz__sb *b, int64_t sod0, int64_t unit);

/* The weekday that weekly dates fall on, from the rows on each weekday
 * (count[w]): the only one, or the one of 90% or more of ten or more
 * rows (a week's date moved a day by a holiday), else -1. */
int hz__week_day(const size_t count[7]);

/* Choose the calendar: the caller's frequency, or one inferred from the
 * dates (period format, spacing within each group, transaction-level
 * input -> months); week anchor and start/end labels as the data are
 * dated unless the caller said.  set->cal, set->freq_reason (one line
 * saying why) and, for inferred one-row-per-period data, the rows that
 * repeat a period (set->rows_repeated, set->repeated_first).  HZ_EINVAL
 * (frequency finer than the dates) with a message on b->err. */
hz_status hz__series_calendar(const hz__sb *b, hz_series_set *set);

/* set->names_similar and similar_first: the series whose name, or the
 * first '|'-separated values of it (a level of the --by columns), is
 * another's but for case (ASCII) and blanks around a value ('North',
 * 'north ', 'NORTH'), and the first two such names in folded order, of
 * the whole names first (series_similar.c).  0, or -1 out of memory. */
int hz__series_similar(hz_series_set *set);

#endif
