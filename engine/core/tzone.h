/* A time zone of the system tz database (engine/core/tzone.c): its UTC
 * offsets over a range of days, read once through the C library
 * (localtime_r under TZ=zone), so that local times can be turned into
 * instants and back from any thread without touching TZ again. */
#ifndef HZ_ENGINE_TZONE_H
#define HZ_ENGINE_TZONE_H

#include <stddef.h>
#include <stdint.h>

#include "horizon/common.h"

typedef struct hz__tzone hz__tzone;

/* Zone name ("Europe/Berlin", "UTC"; a file under $TZDIR or
 * /usr/share/zoneinfo) over the days day_lo .. day_hi (days since
 * 1970-01-01).  Sets TZ for the scan and restores it: call it while no
 * other thread uses the C library's local time.  HZ_EINVAL for a name
 * that is not a zone. */
hz_status hz__tzone_open(const char *name, int32_t day_lo, int32_t day_hi,
                         hz__tzone **out, hz_error *err);
void hz__tzone_free(hz__tzone *z);
const char *hz__tzone_name(const hz__tzone *z);

/* The zone's changes over its range: at[k] the first instant of an
 * offset off[k] (at[0]: none, INT64_MIN); returns their number. */
size_t hz__tzone_changes(const hz__tzone *z, const int64_t **at,
                         const int32_t **off);

/* The UTC offset, seconds east, at instant t (seconds since the epoch). */
int32_t hz__tzone_offset(const hz__tzone *z, int64_t t);

/* The instants at which the zone's clocks show wall time `wall`
 * (seconds since 1970-01-01 00:00 on the local calendar): 0 when the
 * clocks skip it (put forward), 1, or 2 when they show it twice (put
 * back; earlier first).  inst[2], off[2]: the instants and offsets;
 * for a skipped time inst[0] is the change and off[0], off[1] the
 * offsets before and after it. */
int hz__tzone_instants(const hz__tzone *z, int64_t wall, int64_t inst[2],
                       int32_t off[2]);

#endif
