/* Internal: writing CSV fields and JSON values to a FILE, shared by the
 * engine's result writers (csv.c, forecast.c, analytics.c). */
#ifndef HZ_ENGINE_TEXTOUT_H
#define HZ_ENGINE_TEXTOUT_H

#include <stdio.h>

/* s as one CSV field (RFC 4180): quoted when it holds a comma, quote, CR
 * or LF; an empty string is written as nothing. */
void hz__csv_field(FILE *f, const char *s);
/* A finite v with 10 significant digits; nothing when not finite (an
 * empty CSV field). */
void hz__csv_num(FILE *f, double v);
/* s as a JSON string, with quotes and control characters escaped and
 * every byte that is not valid UTF-8 written as U+FFFD. */
void hz__json_str(FILE *f, const char *s);
/* A finite v with 10 significant digits; null when not finite. */
void hz__json_num(FILE *f, double v);

#endif
