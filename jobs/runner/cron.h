/* Cron expressions and their slots in a time zone.
 *
 * Five fields, "minute hour day-of-month month day-of-week", each "*",
 * a number, a range "a-b", a step "*\/n" or "a-b/n", or a list of those
 * ("0,30"); months and weekdays also by name (jan..dec, sun..sat; 7 is
 * Sunday too).  When both day fields are restricted a day matching
 * either runs (as in Vixie cron).  Shorthands: @hourly, @daily
 * (@midnight), @weekly, @monthly, @yearly (@annually).
 *
 * A slot is a whole minute whose local wall-clock time in the schedule's
 * time zone (the system tz database, e.g. "Europe/Berlin"; "UTC")
 * matches.  Across daylight-saving changes:
 *   - a wall time that occurs twice (the clock goes back) gives one slot,
 *     at its first occurrence;
 *   - a wall time that does not occur (the clock jumps forward) gives a
 *     slot at the first minute after the jump.
 * Each slot is named by its local wall time, "YYYYMMDDTHHMM", so that
 * every process names the same slot the same way. */
#ifndef HZ_RUNNER_CRON_H
#define HZ_RUNNER_CRON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "horizon/common.h"
#include "horizon/dataset.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hz_cron {
    uint64_t minutes; /* bit m set: minute m (0..59) */
    uint32_t hours;   /* 0..23 */
    uint32_t mdays;   /* 1..31 */
    uint16_t months;  /* 1..12 */
    uint8_t wdays;    /* 0..6, Sunday = 0 */
    bool mday_any, wday_any;
} hz_cron;

/* Parse expr; HZ_EINVAL names the field and the text, or says that the
 * expression never fires (a day of month no month of it has: "0 0 31 2
 * *", "0 0 30 2 *"). */
hz_status hz_cron_parse(const char *expr, hz_cron *out, hz_error *err);
/* True when the wall-clock time tm (tm_min, tm_hour, tm_mday, tm_mon,
 * tm_wday) matches. */
bool hz_cron_matches(const hz_cron *c, const struct tm *tm);

/* hz_tz_valid (horizon/dataset.h): whether tz names a zone of the
 * system tz database, the engine's check for --tz too. */

typedef struct hz_cron_slot {
    int64_t t;     /* epoch seconds (UTC) at which the slot is due */
    char wall[32]; /* its local wall time, "YYYYMMDDTHHMM" */
} hz_cron_slot;

/* The slots of c in zone tz due in (from, to] (epoch seconds), oldest
 * first; when more than max are due, the latest max are kept and the
 * others counted in *skipped.  Changes and restores the TZ environment
 * variable: call it only in a single-threaded process (the runner asks
 * its job process helper, see jobproc.h).  HZ_EINVAL for an unknown zone
 * or a window longer than 366 days. */
hz_status hz_cron_slots(const hz_cron *c, const char *tz, int64_t from,
                        int64_t to, hz_cron_slot *out, size_t max, size_t *n,
                        size_t *skipped, hz_error *err);

/* The first max slots of c in zone tz after `after` (epoch seconds),
 * oldest first, however far ahead they are (29 February may be eight
 * years away: 2096, then 2104): days that cannot match are passed a day
 * at a time, hours and minutes likewise, and only the minutes near a
 * matching wall time or a daylight-saving change are looked at one by
 * one, so the slots are exactly those hz_cron_slots gives.  Changes TZ
 * as hz_cron_slots does.  HZ_EINVAL for an unknown zone. */
hz_status hz_cron_next(const hz_cron *c, const char *tz, int64_t after,
                       hz_cron_slot *out, size_t max, size_t *n,
                       hz_error *err);

#ifdef __cplusplus
}
#endif
#endif
