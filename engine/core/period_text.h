/* Month and quarter periods as spreadsheets and reports write them
 * (engine/core/period_text.c), beside the ISO-like forms of calendar.c. */
#ifndef HZ_ENGINE_PERIOD_TEXT_H
#define HZ_ENGINE_PERIOD_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Years written with two digits are read as Excel reads them: 00-29 are
 * 2000-2029, 30-99 are 1930-1999. */
#define HZ_TWO_DIGIT_YEAR_PIVOT 30

/* A month: "Jan-24", "Jan 2024", "January 2024", "Sept-2024" (English
 * names, any case, '-' or one space before a four-digit year, '-'
 * before a two-digit one: "Jan 24" could be a day) or "01/2024",
 * "1-2024" (the month's number, '/' or '-', a four-digit year).  Sets *y,
 * *m (1-12) and *two_digit (the year had two digits); false for
 * anything else. */
bool hz__month_text(const char *s, size_t len, int *y, int *m,
                    bool *two_digit);

/* The month an English name or its three-letter abbreviation (or
 * "Sept") at s[0..len) names, any case: 1-12; 0 for anything else. */
int hz__month_name(const char *s, size_t len);

/* A weekday's English name (three letters or full, any case) and ", "
 * or " " at the start of s, as long dates write it ("Wednesday, January
 * 31, 2024", Excel's; "Wed, 31 Jan 2024"): the weekday (0 Monday) and
 * *skip its bytes, or -1 (engine/core/calendar.c). */
int hz__weekday_prefix(const char *s, size_t len, size_t *skip);

/* A quarter: "2024 Q1", "Q1 2024", "Q1-2024" (any case; four-digit
 * years).  Sets *y and *q (1-4); false for anything else. */
bool hz__quarter_text(const char *s, size_t len, int *y, int *q);

#endif
