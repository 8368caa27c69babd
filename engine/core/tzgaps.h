/* The wall-clock periods a time zone's clocks skip when put forward
 * (engine/core/tzgaps.c): an hour in spring in Berlin, 02:00 to 03:00.
 * Hours and minutes cut on a zone's clock (--tz) are numbered over the
 * wall times that exist, so that a skipped hour is no period: not a gap
 * to fill, not a label of a forecast.  Tables are kept for the life of
 * the process (a calendar that refers to one is copied freely), one per
 * zone, range and period length. */
#ifndef HZ_ENGINE_TZGAPS_H
#define HZ_ENGINE_TZGAPS_H

#include <stdint.h>

#include "core/tzone.h"

typedef struct hz__tzgaps hz__tzgaps;

/* The skipped wall times of zone z over the range it was opened for;
 * NULL when out of memory.  Thread-safe. */
const hz__tzgaps *hz__tzgaps_of(const hz__tzone *z);

/* Those of g in periods of len seconds (a divisor of 86400: 3600, 1800,
 * 60 ...): a period wholly inside a skipped interval is skipped (Lord
 * Howe's half-hour skips no hour).  NULL when none is skipped or out of
 * memory (then periods are counted as on a clock that skips none).
 * Thread-safe. */
const hz__tzgaps *hz__tzgaps_periods(const hz__tzgaps *g, int64_t len);

/* Seconds a period of a periods table (0: a zone's). */
int64_t hz__tzgaps_len(const hz__tzgaps *g);

/* The number of the period of a periods table (hz__tzgaps_periods)
 * holding wall time t (seconds since 1970-01-01 on the local calendar):
 * consecutive existing periods have consecutive numbers; before the
 * first skip, floor(t / len). */
int64_t hz__tzgaps_period(const hz__tzgaps *g, int64_t t);

/* The wall time at which period p starts (the inverse). */
int64_t hz__tzgaps_start(const hz__tzgaps *g, int64_t p);

#endif
