/* Internal: writing CSV fields and JSON values to a FILE, shared by the
 * engine's result writers (csv.c, forecast.c, analytics.c). */
#ifndef HZ_ENGINE_TEXTOUT_H
#define HZ_ENGINE_TEXTOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* s as one CSV field (RFC 4180): quoted when it holds a comma, quote, CR
 * or LF; an empty string is written as nothing. */
void hz__csv_field(FILE *f, const char *s);
/* v as printf("%.15g") writes it, into buf (at least 32 bytes), without
 * the cost of printf for most values (an exact shortcut, and snprintf
 * where the rounding could be a tie); returns the length, 0 (and nothing
 * written) when v is not finite.  15 digits: every decimal of up to 15
 * significant digits prints as it was read (numfmt.c). */
size_t hz__fmt_g15(double v, char *buf);
/* A finite v with 15 significant digits; nothing when not finite (an
 * empty CSV field). */
void hz__csv_num(FILE *f, double v);
/* s as a JSON string, with quotes and control characters escaped and
 * every byte that is not valid UTF-8 written as U+FFFD. */
void hz__json_str(FILE *f, const char *s);
/* A finite v with 15 significant digits; null when not finite. */
void hz__json_num(FILE *f, double v);

#endif
