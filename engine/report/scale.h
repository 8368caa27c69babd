/* Internal: axis ticks for the report's charts: "nice" linear steps (1,
 * 2, 2.5, 5 x 10^k), powers of ten for log axes, and calendar ticks with
 * readable labels for date axes (x values are day numbers, days since
 * 1970-01-01).  Not a public header. */
#ifndef HZ_REPORT_SCALE_H
#define HZ_REPORT_SCALE_H

#include <stddef.h>

#define HZ__TICKS_MAX 24
#define HZ__TICK_LABEL 24

typedef struct hz__ticks {
    size_t n;
    double v[HZ__TICKS_MAX];
    char label[HZ__TICKS_MAX][HZ__TICK_LABEL];
} hz__ticks;

/* Ticks for [*lo, *hi] with about `target` (>= 2) intervals; *lo and *hi
 * are widened to the first and last tick.  An empty or non-finite range
 * becomes a unit range around its value.  Labels are compact ("250",
 * "1.5K", "2M", "0.25"). */
void hz__ticks_linear(double *lo, double *hi, int target, hz__ticks *t);
/* The same with steps of at least 1 (counts). */
void hz__ticks_integer(double *lo, double *hi, int target, hz__ticks *t);

/* Ticks at powers of ten (and 2x, 5x when there are few decades) within
 * [lo, hi] (both > 0, as plain values, not logarithms). */
void hz__ticks_log(double lo, double hi, hz__ticks *t);

/* Calendar ticks within [lo, hi] (day numbers), at most about `target`:
 * years ("2024"), months ("Jan 2024", then "Apr"), weeks or days
 * ("3 Mar").  The range is not changed. */
void hz__ticks_dates(double lo, double hi, int target, hz__ticks *t);

/* A compact tick label for v given the tick step. */
void hz__fmt_tick(double v, double step, char *buf, size_t bufsz);

/* "2024-03-01" style label of a day number, or "Mar 2024" (month = 1). */
void hz__fmt_day(double day, int month_only, char *buf, size_t bufsz);

#endif
