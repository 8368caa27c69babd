/* The wall-clock periods a time zone's clocks skip when put forward
 * (engine/core/tzgaps.c): an hour in spring in Berlin, 02:00 to 03:00.
 * Hours and minutes cut on a zone's clock (--tz) keep such a period, so
 * that every hour keeps its place in the daily season (taking it out put
 * every later hour one off its history: reverted 2026-12-07), but know it
 * as one no reading can exist for: estimated for the model, never shown
 * as a data point or a forecast's label.  Tables are kept for the life of
 * the process (a calendar that refers to one is copied freely), one per
 * zone, range and period length. */
#ifndef HZ_ENGINE_TZGAPS_H
#define HZ_ENGINE_TZGAPS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/tzone.h"

typedef struct hz__tzgaps hz__tzgaps;

/* The skipped wall times of zone z over the range it was opened for;
 * NULL when out of memory.  Thread-safe. */
const hz__tzgaps *hz__tzgaps_of(const hz__tzone *z);

/* Those of g in periods of len seconds (a divisor of 86400: 3600, 1800,
 * 60 ...): a period wholly inside a skipped interval is skipped (Lord
 * Howe's half-hour skips no hour).  NULL when none is skipped or out of
 * memory (then periods are counted as on a clock that skips none),
 * unless some are repeated (hz__tzgaps_repeated).
 * Thread-safe. */
const hz__tzgaps *hz__tzgaps_periods(const hz__tzgaps *g, int64_t len);

/* The periods table of g's zone and length (a periods table) in which
 * a period partly skipped is skipped too (Lord Howe's 02:00 hour, of
 * which only 02:30 to 03:00 exists): for data that have no row in any
 * such period.  NULL as hz__tzgaps_periods.  Thread-safe. */
const hz__tzgaps *hz__tzgaps_shortened(const hz__tzgaps *g);

/* Seconds a period of a periods table (0: a zone's). */
int64_t hz__tzgaps_len(const hz__tzgaps *g);

/* Whether period p (floor(wall time / len)) of a periods table
 * (hz__tzgaps_periods) is one the clocks skip. */
bool hz__tzgaps_skipped(const hz__tzgaps *g, int64_t p);

/* Whether period p of a periods table holds wall times the clocks show
 * twice (put back: 02:00 to 03:00 in Berlin in autumn). */
bool hz__tzgaps_repeated(const hz__tzgaps *g, int64_t p);

/* Seconds of period p of a periods table that its zone's clocks skip:
 * the period's length for one wholly skipped, less for one they shorten
 * (Lord Howe's 02:00 hour: 1800, only 02:30 to 03:00 exists), 0 for
 * one they skip none of. */
int64_t hz__tzgaps_skipped_secs(const hz__tzgaps *g, int64_t p);

/* The number of skipped periods of a periods table in [a, b]. */
int64_t hz__tzgaps_count(const hz__tzgaps *g, int64_t a, int64_t b);

#endif
