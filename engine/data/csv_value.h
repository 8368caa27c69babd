/* Field parsers of the CSV reader: integers, decimals (correctly
 * rounded), booleans and dates.  Static inline: the row loop calls them
 * for every field, and a call across files would cost as much as the
 * parse itself. */
#ifndef HZ_ENGINE_CSV_VALUE_H
#define HZ_ENGINE_CSV_VALUE_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "horizon/dataset.h"

static inline void trim(const char **s, size_t *n)
{
    if (*n == 0 || ((*s)[0] > ' ' && (*s)[*n - 1] > ' '))
        return;
    while (*n > 0 && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

static inline bool parse_i64(const char *s, size_t n, int64_t *out)
{
    trim(&s, &n);
    if (n == 0)
        return false;
    size_t i = 0;
    bool neg = false;
    if (s[0] == '-' || s[0] == '+') {
        neg = s[0] == '-';
        i = 1;
    }
    if (i == n || n - i > 19)
        return false;
    uint64_t v = 0;
    for (; i < n; i++) {
        unsigned d = (unsigned char)s[i] - '0';
        if (d > 9)
            return false;
        v = v * 10 + d;
    }
    if (v > (uint64_t)INT64_MAX + (neg ? 1u : 0u))
        return false;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

static const double pow10tab[23] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* Decimal text to double, correctly rounded: Clinger's fast path when
 * all digits fit a uint64 below 2^53 and the power of ten is at most 22
 * (every plain price or quantity), strtod otherwise. */
static inline bool parse_f64(const char *s, size_t n, double *out)
{
    trim(&s, &n);
    if (n == 0)
        return false;
    const char *p = s, *end = s + n;
    bool neg = false;
    if (*p == '-' || *p == '+') {
        neg = *p == '-';
        p++;
    }
    uint64_t m = 0;
    const char *d0 = p;
    while (p < end && (unsigned)(*p - '0') < 10)
        m = m * 10 + (uint64_t)(*p++ - '0');
    size_t nint = (size_t)(p - d0), nfrac = 0;
    if (p < end && *p == '.') {
        const char *f0 = ++p;
        while (p < end && (unsigned)(*p - '0') < 10)
            m = m * 10 + (uint64_t)(*p++ - '0');
        nfrac = (size_t)(p - f0);
    }
    if (nint + nfrac == 0)
        return false;
    long exp10 = -(long)nfrac;
    if (p < end) {
        if (*p != 'e' && *p != 'E')
            return false;
        p++;
        bool eneg = false;
        if (p < end && (*p == '-' || *p == '+'))
            eneg = *p++ == '-';
        if (p == end)
            return false;
        long e = 0;
        while (p < end && (unsigned)(*p - '0') < 10) {
            if (e < 100000)
                e = e * 10 + (*p - '0');
            p++;
        }
        if (p != end)
            return false;
        exp10 += eneg ? -e : e;
    }
    if (nint + nfrac <= 19 && m < (1ULL << 53) && exp10 >= -22 &&
        exp10 <= 22) {
        double v = (double)m;
        v = exp10 < 0 ? v / pow10tab[-exp10] : v * pow10tab[exp10];
        *out = neg ? -v : v;
        return true;
    }
    char buf[512];
    if (n >= sizeof buf)
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *e;
    double v = strtod(buf, &e);
    if (e != buf + n || !isfinite(v))
        return false; /* overflow (1e400) is not a number we can hold */
    *out = v;
    return true;
}

/* The length of a thousands separator at s[0..n) in a number whose
 * decimal mark is dec: the other mark ('.' with a decimal comma, ','
 * with a decimal point), a space, a no-break space (U+00A0, or its
 * byte A0 alone in a Windows-1252 or Latin-1 file) or a narrow no-break
 * space (U+202F), as French and Swiss exports write them, or an
 * apostrophe (' or U+2019, Swiss German); 0 for anything else. */
static inline size_t group_sep(const char *s, size_t n, char dec)
{
    if (n == 0)
        return 0;
    if (s[0] == (dec == ',' ? '.' : ',') || s[0] == ' ' || s[0] == '\'' ||
        (unsigned char)s[0] == 0xA0)
        return 1;
    if (n >= 2 && (unsigned char)s[0] == 0xC2 && (unsigned char)s[1] == 0xA0)
        return 2;
    if (n >= 3 && (unsigned char)s[0] == 0xE2 && (unsigned char)s[1] == 0x80 &&
        ((unsigned char)s[2] == 0xAF || (unsigned char)s[2] == 0x99))
        return 3;
    return 0;
}

/* A number with the decimal mark dec ('.' or ',') and perhaps a
 * thousands separator (group_sep, the same one throughout) between
 * groups of three digits: "200,50", "-1.234.567,5", "1 234,56" with
 * dec ','; "1,234.50", "1 234.5" with dec '.'; then parsed as parse_f64
 * parses "1234.50".  False for anything else ("1.5" and "1,2,3" with a
 * decimal comma, "1,23.4" with a point), which the caller reports. */
static inline bool parse_f64_grouped(const char *s, size_t n, char dec,
                                     double *out)
{
    trim(&s, &n);
    char buf[128];
    size_t k = 0, i = 0, group = 0, seplen = 0;
    const char *sep = NULL;
    bool frac = false;
    if (n == 0 || n >= sizeof buf)
        return false;
    if (s[0] == '-' || s[0] == '+')
        buf[k++] = s[i++];
    while (i < n) {
        char ch = s[i];
        size_t g;
        if (ch >= '0' && ch <= '9') {
            buf[k++] = ch;
            group++;
            i++;
        } else if (ch == dec && !frac && group > 0 &&
                   (sep == NULL || group == 3)) {
            buf[k++] = '.';
            frac = true;
            group = 0;
            i++;
        } else if (!frac && group > 0 && (g = group_sep(s + i, n - i, dec)) &&
                   (sep == NULL ? group <= 3
                                : group == 3 && g == seplen &&
                                      memcmp(s + i, sep, g) == 0)) {
            sep = s + i;
            seplen = g;
            group = 0;
            i += g;
        } else {
            return false;
        }
    }
    if (group == 0 || (sep != NULL && !frac && group != 3))
        return false;
    return parse_f64(buf, k, out);
}

/* A decimal with the file's decimal mark: dec ',' (200,50, 1.234,50) or
 * '.' as the caller chose it (--decimal .: 1,234.50 too); 0, no choice
 * made, reads a point and no thousands separator (1234.50, 1e5), since
 * 1,234 could then be either. */
static inline bool parse_dec(const char *s, size_t n, char dec, double *out)
{
    if (dec == ',')
        return parse_f64_grouped(s, n, dec, out);
    if (parse_f64(s, n, out))
        return true;
    return dec == '.' && parse_f64_grouped(s, n, dec, out);
}

/* An accounting negative, "(50)", "(1234.50)", "(1.234,50)": *s, *n
 * become the number between the parentheses, which must not carry a
 * sign of its own ("(-50)" is no number).  False, leaving them as they
 * were, for anything else. */
static inline bool paren_negative(const char **s, size_t *n)
{
    const char *t = *s;
    size_t tn = *n;
    trim(&t, &tn);
    if (tn < 3 || t[0] != '(' || t[tn - 1] != ')' || t[1] == '-' ||
        t[1] == '+' || t[1] == ' ' || t[tn - 2] == ' ')
        return false;
    *s = t + 1;
    *n = tn - 2;
    return true;
}

/* A negative with its minus after the number, as SAP and other ERP
 * exports write it: "50-", "1.234,50-" (*s, *n become the number before
 * the minus, which starts with a digit: "-50-" and "50 -" are no
 * numbers).  False, leaving them as they were, for anything else. */
static inline bool trailing_minus(const char **s, size_t *n)
{
    const char *t = *s;
    size_t tn = *n;
    trim(&t, &tn);
    if (tn < 2 || t[tn - 1] != '-' || !(t[0] >= '0' && t[0] <= '9') ||
        !(t[tn - 2] >= '0' && t[tn - 2] <= '9'))
        return false;
    *s = t;
    *n = tn - 1;
    return true;
}

/* A number written as a negative by an accounting convention, "(50)" or
 * "50-": *s, *n become the number without it (see above). */
static inline bool accounting_negative(const char **s, size_t *n)
{
    return paren_negative(s, n) || trailing_minus(s, n);
}

/* SWAR fast paths for the row loop: a plain unsigned integer of 1-8
 * digits, or a decimal d.d with at most 8 digits in all, parsed eight
 * bytes at a time without a branch per character.  They need 8 readable
 * bytes at s and return false for anything else (signs, blanks,
 * exponents, longer numbers), which the full parsers then decide. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HAVE_SWAR 1

/* The k (1..8) bytes of w, little-endian, as decimal digits. */
static inline bool swar_digits(uint64_t w, size_t k, uint64_t *out)
{
    const uint64_t ones = 0x0101010101010101ULL, high = ones * 0x80;
    uint64_t m = k == 8 ? ~UINT64_C(0) : (UINT64_C(1) << (8 * k)) - 1;
    /* a byte above '9' gets its high bit from + 0x46, one below '0' from
     * - 0x30 (a carry or borrow only runs into bytes already flagged) */
    uint64_t bad = (((w & m) + (ones * 0x46 & m)) | (w - ones * 0x30)) & high &
                   m;
    if (bad != 0)
        return false;
    /* left-pad with '0' digits to eight, then combine pairs, quads, ... */
    uint64_t w8 = k == 8 ? w : (w << (8 * (8 - k))) | (ones * 0x30 >> (8 * k));
    uint64_t v = w8 - ones * 0x30;
    v = v * 10 + (v >> 8);
    v = (((v & 0x000000FF000000FFULL) * (100 + (1000000ULL << 32))) +
         (((v >> 16) & 0x000000FF000000FFULL) * (1 + (10000ULL << 32)))) >>
        32;
    *out = v;
    return true;
}

static inline uint64_t load8(const char *s, size_t n)
{
    uint64_t w;
    memcpy(&w, s, 8);
    return n >= 8 ? w : w & ((UINT64_C(1) << (8 * n)) - 1);
}

static inline bool i64_swar(const char *s, size_t n, int64_t *out)
{
    uint64_t v;
    if (n == 0 || n > 8 || !swar_digits(load8(s, n), n, &v))
        return false;
    *out = (int64_t)v;
    return true;
}

static inline bool f64_swar(const char *s, size_t n, double *out)
{
    if (n == 0 || n > 8)
        return false;
    uint64_t w = load8(s, n);
    uint64_t x = w ^ 0x2e2e2e2e2e2e2e2eULL; /* '.' bytes become 0 */
    uint64_t z = (x - 0x0101010101010101ULL) & ~x & 0x8080808080808080ULL;
    if (n < 8)
        z &= (UINT64_C(1) << (8 * n)) - 1;
    size_t k = n, frac = 0;
    if (z != 0) {
        unsigned dot = (unsigned)__builtin_ctzll(z) / 8;
        if (dot == 0 || dot + 1 >= n)
            return false; /* ".5", "5.": the full parser */
        uint64_t lo = w & ((UINT64_C(1) << (8 * dot)) - 1);
        w = lo | ((w >> (8 * (dot + 1))) << (8 * dot));
        k = n - 1;
        frac = n - 1 - dot;
    }
    uint64_t v;
    if (!swar_digits(w, k, &v))
        return false;
    double d = (double)v;                 /* exact: v < 10^8 */
    *out = frac ? d / pow10tab[frac] : d; /* correctly rounded */
    return true;
}
#endif

static inline int parse_bool_word(const char *s, size_t n)
{
    static const char *yes[] = {"true", "yes", "t", "y"};
    static const char *no[] = {"false", "no", "f", "n"};
    trim(&s, &n);
    if (n == 0 || n > 5 || !strchr("tTfFyYnN", s[0]))
        return -1;
    for (size_t k = 0; k < 4; k++) {
        if (strlen(yes[k]) == n && strncasecmp(s, yes[k], n) == 0)
            return 1;
        if (strlen(no[k]) == n && strncasecmp(s, no[k], n) == 0)
            return 0;
    }
    return -1;
}

static inline int parse_bool(const char *s, size_t n)
{
    int b = parse_bool_word(s, n);
    if (b >= 0)
        return b;
    trim(&s, &n);
    if (n == 1 && (s[0] == '0' || s[0] == '1'))
        return s[0] - '0';
    return -1;
}

static inline bool parse_date(const char *s, size_t n, hz_datefmt fmt,
                              int64_t *secs, bool *is_ts)
{
    trim(&s, &n);
    /* Fast path: exactly YYYY-MM-DD. */
    if (fmt == HZ_DATEFMT_ISO && n == 10 && s[4] == '-' && s[7] == '-') {
        unsigned y = 0, mo, d;
        for (int k = 0; k < 4; k++) {
            unsigned c = (unsigned char)s[k] - '0';
            if (c > 9)
                goto slow;
            y = y * 10 + c;
        }
        unsigned a = (unsigned char)s[5] - '0', b = (unsigned char)s[6] - '0';
        unsigned e = (unsigned char)s[8] - '0', f = (unsigned char)s[9] - '0';
        if (a > 9 || b > 9 || e > 9 || f > 9)
            goto slow;
        mo = a * 10 + b;
        d = e * 10 + f;
        if (mo < 1 || mo > 12 || d < 1 || d > 28)
            goto slow; /* month ends are checked by the full parser */
        *secs = (int64_t)hz_days_from_civil((int)y, mo, d) * 86400;
        *is_ts = false;
        return true;
    }
slow:
    return hz_parse_datetime(s, n, fmt, secs, is_ts, NULL);
}

/* Whether a timestamp's text ends with a zone: Z, or +hh:mm / +hhmm /
 * +hh (or -) after its time (hh:mm...). */
static inline bool hz__csv_zoned_text(const char *t, size_t tn)
{
    while (tn > 0 && (t[tn - 1] == ' ' || t[tn - 1] == '\t' ||
                      t[tn - 1] == '\r')) /* as the date parser trims */
        tn--;
    /* a time: hh:mm, or ISO 8601's basic one (20240131T1405Z) */
    const bool basic = tn > 9 && t[8] == 'T' && memchr(t, ':', 8) == NULL;
    if (tn < 12 || (memchr(t, ':', tn) == NULL && !basic))
        return false;
    if (t[tn - 1] == 'Z' || t[tn - 1] == 'z' ||
        memcmp(t + tn - 3, "UTC", 3) == 0 || memcmp(t + tn - 3, "GMT", 3) == 0)
        return true;
    static const size_t back[3] = {3, 5, 6};
    for (size_t q = 0; q < 3 && back[q] < tn; q++) {
        size_t k = back[q];
        if ((t[tn - k] == '+' || t[tn - k] == '-') &&
            (memchr(t, ':', tn - k) != NULL || (basic && tn - k > 9)))
            return true;
    }
    return false;
}

/* Whether a timestamp of format fmt is a UTC instant: its text ends
 * with a zone (hz__csv_zoned_text), or it is a Unix time, UTC by
 * definition (offset 0). */
static inline bool hz__csv_zoned(hz_datefmt fmt, const char *t, size_t tn)
{
    return hz_datefmt_is_unix(fmt) || hz__csv_zoned_text(t, tn);
}

/* The UTC offset, in seconds east, of a timestamp's text that ends
 * with a zone (hz__csv_zoned_text): 0 for Z, +01:00 -> 3600. */
static inline int64_t hz__csv_zone_offset(const char *t, size_t tn)
{
    while (tn > 0 && (t[tn - 1] == ' ' || t[tn - 1] == '\t' ||
                      t[tn - 1] == '\r'))
        tn--;
    if (tn < 3 || t[tn - 1] == 'Z' || t[tn - 1] == 'z' ||
        memcmp(t + tn - 3, "UTC", 3) == 0 || memcmp(t + tn - 3, "GMT", 3) == 0)
        return 0;
    static const size_t back[3] = {3, 5, 6}; /* +hh, +hhmm, +hh:mm */
    for (size_t q = 0; q < 3 && back[q] < tn; q++) {
        const char *z = t + tn - back[q];
        if (z[0] != '+' && z[0] != '-')
            continue;
        int64_t h = (z[1] - '0') * 10 + (z[2] - '0'), m = 0;
        if (back[q] == 5)
            m = (z[3] - '0') * 10 + (z[4] - '0');
        else if (back[q] == 6)
            m = (z[4] - '0') * 10 + (z[5] - '0');
        return (z[0] == '-' ? -1 : 1) * (h * 3600 + m * 60);
    }
    return 0;
}

/* The day a date column's value names: a timestamp with a UTC offset is
 * taken by its date in its own zone (2024-03-05T00:00:00+01:00, as a
 * zoned daily index is written, is 5 March, not the UTC instant's 4
 * March); days since 1970-01-01. */
static inline int64_t hz__csv_local_day(const char *t, size_t tn, int64_t secs)
{
    if (hz__csv_zoned_text(t, tn))
        secs += hz__csv_zone_offset(t, tn);
    return secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
}

/* Whether a date column's value holds a time of day that reading it as
 * a date would drop: a timestamp (is_ts) not at midnight in its own
 * zone (or, without a zone, as written). */
static inline bool hz__csv_time_dropped(const char *t, size_t tn, bool is_ts,
                                        int64_t secs)
{
    if (!is_ts)
        return false;
    if (hz__csv_zoned_text(t, tn))
        secs += hz__csv_zone_offset(t, tn);
    return secs % 86400 != 0;
}

#endif
