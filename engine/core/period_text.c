/* Month and quarter periods as spreadsheets and reports write them:
 * "Jan-24" (Excel's mmm-yy), "Jan 2024", "January 2024", "01/2024";
 * "2024 Q1", "Q1 2024".  See core/period_text.h.  The forms read are
 * the unambiguous ones: English month names or a month number beside a
 * four-digit year, a Q and its digit beside a four-digit year. */
#include <strings.h>

#include "core/period_text.h"

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Exactly n digits at s[0..n). */
static int number(const char *s, size_t n)
{
    int v = 0;
    for (size_t k = 0; k < n; k++) {
        if (!is_digit(s[k]))
            return -1;
        v = v * 10 + (s[k] - '0');
    }
    return v;
}

int hz__month_name(const char *s, size_t n)
{
    static const char *const names[12] = {
        "january", "february", "march",     "april",   "may",      "june",
        "july",    "august",   "september", "october", "november", "december"};
    for (int k = 0; k < 12; k++) {
        size_t full = 0;
        while (names[k][full] != '\0')
            full++;
        if ((n == 3 || n == full) && strncasecmp(s, names[k], n) == 0)
            return k + 1;
    }
    return n == 4 && strncasecmp(s, "sept", 4) == 0 ? 9 : 0;
}

bool hz__month_text(const char *s, size_t len, int *y, int *m, bool *two_digit)
{
    size_t i = 0;
    while (i < len &&
           ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
        i++;
    if (i > 0) { /* a name, '-' or ' ', a year of 2 or 4 digits */
        int k = hz__month_name(s, i);
        if (k == 0 || i + 1 >= len || (s[i] != '-' && s[i] != ' '))
            return false;
        size_t yn = len - i - 1;
        /* two digits only after '-', as Excel's mmm-yy writes them:
         * "Jan 24" reads as the 24th of January as well */
        int v = (yn == 2 && s[i] == '-') || yn == 4 ? number(s + i + 1, yn)
                                                    : -1;
        if (v < 0)
            return false;
        *two_digit = yn == 2;
        *y = yn == 4 ? v : v + (v < HZ_TWO_DIGIT_YEAR_PIVOT ? 2000 : 1900);
        *m = k;
        return true;
    }
    /* a month number of 1 or 2 digits, '/' or '-', a four-digit year */
    while (i < len && i < 3 && is_digit(s[i]))
        i++;
    if (i == 0 || i > 2 || len != i + 5 || (s[i] != '/' && s[i] != '-'))
        return false;
    int k = number(s, i), v = number(s + i + 1, 4);
    if (k < 1 || k > 12 || v < 0)
        return false;
    *two_digit = false;
    *y = v;
    *m = k;
    return true;
}

bool hz__quarter_text(const char *s, size_t len, int *y, int *q)
{
    if (len != 7)
        return false;
    /* "2024 Q1" (the ISO-like "2024-Q1" is calendar.c's) */
    if (s[4] == ' ' && (s[5] == 'Q' || s[5] == 'q')) {
        *y = number(s, 4);
        *q = number(s + 6, 1);
    } else if ((s[0] == 'Q' || s[0] == 'q') && (s[2] == ' ' || s[2] == '-')) {
        *q = number(s + 1, 1); /* "Q1 2024", "Q1-2024" */
        *y = number(s + 3, 4);
    } else {
        return false;
    }
    return *y >= 0 && *q >= 1 && *q <= 4;
}
