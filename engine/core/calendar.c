/* Calendar arithmetic and date/timestamp parsing.
 *
 * Day numbers use Howard Hinnant's civil-from-days algorithms (proleptic
 * Gregorian, day 0 = 1970-01-01). */
#pragma GCC diagnostic ignored "-Wformat-truncation" /* bounded labels */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "horizon/dataset.h"
#include "core/period_text.h"

int32_t hz_days_from_civil(int y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + (int)doe - 719468);
}

void hz_civil_from_days(int32_t z0, int *y, unsigned *m, unsigned *d)
{
    int z = z0 + 719468;
    const int era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int yy = (int)yoe + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

char *hz_format_day(int32_t day, char *buf)
{
    int y;
    unsigned m, d;
    hz_civil_from_days(day, &y, &m, &d);
    if (y < 0 || y > 9999) { /* outside what 10 characters can say */
        snprintf(buf, 11, "%s", y < 0 ? "0000-01-01" : "9999-12-31");
        return buf;
    }
    unsigned yy = (unsigned)y;
    buf[0] = (char)('0' + yy / 1000);
    buf[1] = (char)('0' + yy / 100 % 10);
    buf[2] = (char)('0' + yy / 10 % 10);
    buf[3] = (char)('0' + yy % 10);
    buf[4] = '-';
    buf[5] = (char)('0' + m / 10);
    buf[6] = (char)('0' + m % 10);
    buf[7] = '-';
    buf[8] = (char)('0' + d / 10);
    buf[9] = (char)('0' + d % 10);
    buf[10] = '\0';
    return buf;
}

int hz_days_in_month(int y, unsigned m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

bool hz_day_from_yyyymmdd(int64_t v, int32_t *day)
{
    if (v < 10000101 || v > 99991231)
        return false;
    int y = (int)(v / 10000);
    unsigned m = (unsigned)(v / 100 % 100), d = (unsigned)(v % 100);
    if (m < 1 || m > 12 || d < 1 || d > (unsigned)hz_days_in_month(y, m))
        return false;
    *day = hz_days_from_civil(y, m, d);
    return true;
}

bool hz_day_from_excel_serial(int64_t v, int32_t *day)
{
    /* 25569 is 1970-01-01; serials up to 59 come before Excel's
     * 1900-02-29 (serial 60), which 1900, not a leap year, never had */
    if (v < 1 || v == 60 || v > 2958465)
        return false;
    *day = (int32_t)(v - (v < 60 ? 25568 : 25569));
    return true;
}

/* Read exactly n digits at s[*i]; false if any is not a digit. */
static bool digits(const char *s, size_t len, size_t *i, int n, int *out)
{
    int v = 0;
    if (*i + (size_t)n > len)
        return false;
    for (int k = 0; k < n; k++) {
        unsigned char c = (unsigned char)s[*i + (size_t)k];
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    *i += (size_t)n;
    *out = v;
    return true;
}

/* Read 1 or 2 digits. */
static bool digits12(const char *s, size_t len, size_t *i, int *out)
{
    if (*i < len && *i + 1 < len && s[*i + 1] >= '0' && s[*i + 1] <= '9')
        return digits(s, len, i, 2, out);
    return digits(s, len, i, 1, out);
}

/* " AM" or " PM" (any case, the blank optional; "a.m.", "p.m." as
 * style guides and US exports write them) at s[*i], as spreadsheets
 * write 12-hour times: 0 for AM, 12 for PM, -1 for none. */
static int am_pm(const char *s, size_t len, size_t *i)
{
    size_t k = *i + (*i < len && s[*i] == ' ');
    const bool dots = k + 4 <= len && s[k + 1] == '.' && s[k + 3] == '.';
    const size_t m = dots ? k + 2 : k + 1;
    if (m >= len || (s[m] != 'M' && s[m] != 'm'))
        return -1;
    int h = s[k] == 'A' || s[k] == 'a' ? 0 : s[k] == 'P' || s[k] == 'p' ? 12
                                                                      : -1;
    if (h >= 0)
        *i = dots ? k + 4 : k + 2;
    return h;
}

/* A UTC offset at s[*i]: Z, +hh:mm, +hhmm or +hh (or -), subtracted
 * from *t; nothing there is none.  False on a malformed one. */
static bool zone_offset(const char *s, size_t len, size_t *i, int64_t *t)
{
    if (*i >= len)
        return true;
    if (s[*i] == 'Z' || s[*i] == 'z') {
        (*i)++;
    } else if (s[*i] == '+' || s[*i] == '-') {
        int sign = s[*i] == '-' ? -1 : 1, zh, zm = 0;
        (*i)++;
        if (!digits(s, len, i, 2, &zh))
            return false;
        if (*i < len && s[*i] == ':')
            (*i)++;
        if (*i < len && !digits(s, len, i, 2, &zm))
            return false;
        if (zh > 14 || zm > 59)
            return false;
        *t -= sign * (zh * 3600 + zm * 60);
    }
    return true;
}

/* ISO 8601's basic time, after a basic date's T (20240131T140509Z):
 * "HHMM[SS[.fff]]" and an optional offset (Z, +hhmm, +hh:mm, +hh). */
static bool parse_time_basic(const char *s, size_t len, size_t *i,
                             int64_t *secs)
{
    int hh, mm, ss = 0;
    if (!digits(s, len, i, 2, &hh) || !digits(s, len, i, 2, &mm))
        return false;
    if (*i < len && s[*i] >= '0' && s[*i] <= '9') {
        if (!digits(s, len, i, 2, &ss))
            return false;
        if (*i < len && (s[*i] == '.' || s[*i] == ',')) {
            size_t start = ++*i;
            while (*i < len && s[*i] >= '0' && s[*i] <= '9')
                (*i)++;
            if (*i == start)
                return false;
        }
    }
    if (hh > 23 || mm > 59 || ss > 60)
        return false;
    int64_t t = hh * 3600 + mm * 60 + (ss == 60 ? 59 : ss);
    if (!zone_offset(s, len, i, &t))
        return false;
    *secs = t;
    return true;
}

/* Parse "H:MM[:SS[.fff]]" (one or two digits of hour, as Excel's h:mm
 * writes 9:05), perhaps with " AM" / " PM" (1 to 12 o'clock), and an
 * optional zone (Z, +hh:mm, +hhmm, +hh; after a blank too, as Shopify
 * writes "09:12:45 -0400"; " UTC" or " GMT" at the end, as BigQuery
 * writes "2024-01-01 09:12:45 UTC") from s[*i]; false on error. */
static bool parse_time(const char *s, size_t len, size_t *i, bool allow_zone,
                       int64_t *secs)
{
    int hh, mm, ss = 0;
    bool frac = false; /* a fraction of a second other than 0 */
    if (!digits12(s, len, i, &hh) || *i >= len || s[*i] != ':')
        return false;
    (*i)++;
    if (!digits(s, len, i, 2, &mm))
        return false;
    if (*i < len && s[*i] == ':') {
        (*i)++;
        if (!digits(s, len, i, 2, &ss))
            return false;
        if (*i < len && (s[*i] == '.' || s[*i] == ',')) {
            (*i)++;
            size_t start = *i;
            while (*i < len && s[*i] >= '0' && s[*i] <= '9')
                frac |= s[(*i)++] != '0';
            if (*i == start)
                return false;
        }
    }
    int half = am_pm(s, len, i);
    if (half >= 0) {
        if (hh < 1 || hh > 12)
            return false;
        hh = hh % 12 + half;
    }
    /* 24:00 (ISO 8601's end of the day, as meter and market data label
     * the day's last hour by its end) is the next day's 00:00 */
    bool end_of_day = hh == 24 && half < 0 && mm == 0 && ss == 0 && !frac;
    if ((hh > 23 && !end_of_day) || mm > 59 || ss > 60)
        return false;
    int64_t t = hh * 3600 + mm * 60 + (ss == 60 ? 59 : ss);
    if (allow_zone && *i + 1 < len && s[*i] == ' ' &&
        (s[*i + 1] == '+' || s[*i + 1] == '-'))
        (*i)++;
    if (allow_zone && *i + 3 <= len && len - *i <= 4 &&
        (memcmp(s + len - 3, "UTC", 3) == 0 ||
         memcmp(s + len - 3, "GMT", 3) == 0) &&
        (len - *i == 3 || s[*i] == ' ')) {
        *i = len; /* " UTC", as BigQuery writes its timestamps: Z */
    } else if (allow_zone && !zone_offset(s, len, i, &t)) {
        return false;
    }
    *secs = t;
    return true;
}

/* The month named first, as US text writes dates: "Jan 31, 2024",
 * "January 31 2024" (English names, any case; the comma optional; a
 * four-digit year), from s[0]; *i past the year. */
static bool named_month_first(const char *s, size_t len, size_t *i, int *y,
                              int *m, int *d)
{
    size_t nl = 0;
    while (nl < len && ((s[nl] >= 'a' && s[nl] <= 'z') ||
                        (s[nl] >= 'A' && s[nl] <= 'Z')))
        nl++;
    *i = nl;
    if ((*m = hz__month_name(s, nl)) == 0 || *i >= len || s[(*i)++] != ' ' ||
        !digits12(s, len, i, d))
        return false;
    if (*i < len && s[*i] == ',')
        (*i)++;
    return *i < len && s[(*i)++] == ' ' && digits(s, len, i, 4, y);
}

/* A weekday before a date (core/period_text.h). */
int hz__weekday_prefix(const char *s, size_t len, size_t *skip)
{
    static const char *const names[7] = {"monday", "tuesday", "wednesday",
                                         "thursday", "friday", "saturday",
                                         "sunday"};
    size_t n = 0;
    while (n < len && ((s[n] >= 'a' && s[n] <= 'z') ||
                       (s[n] >= 'A' && s[n] <= 'Z')))
        n++;
    for (int k = 0; k < 7; k++)
        if ((n == 3 || n == strlen(names[k])) &&
            strncasecmp(s, names[k], n) == 0) {
            size_t i = n + (n < len && s[n] == ',');
            if (i >= len || s[i] != ' ')
                return -1;
            *skip = i + 1;
            return k;
        }
    return -1;
}

/* Day-level formats: the date part, then an optional time. */
static bool parse_day_text(const char *s, size_t len, hz_datefmt fmt,
                           int64_t *epoch, bool *is_ts)
{
    size_t i = 0;
    int y, m, d;
    bool basic = false;
    switch (fmt) {
    case HZ_DATEFMT_ISO:
        /* basic: 20240131T140509Z (2024-1-5T14:05 is the extended
         * form, its T at the same place) */
        if (len > 8 && s[8] == 'T' && s[4] != '-') {
            if (!digits(s, len, &i, 4, &y) || !digits(s, len, &i, 2, &m) ||
                !digits(s, len, &i, 2, &d))
                return false;
            basic = true;
            break;
        }
        /* fall through */
    case HZ_DATEFMT_YMD_SLASH: {
        /* ymd: one separator among / . used twice (2024/01/31,
         * 2024.01.31) */
        char sep = fmt == HZ_DATEFMT_ISO        ? '-'
                   : len > 4 && s[4] == '.' ? '.'
                                              : '/';
        if (!digits(s, len, &i, 4, &y) || i >= len || s[i++] != sep ||
            !digits12(s, len, &i, &m) || i >= len || s[i++] != sep ||
            !digits12(s, len, &i, &d))
            return false;
        break;
    }
    case HZ_DATEFMT_MDY_SLASH:
    case HZ_DATEFMT_DMY: {
        /* a/b/YYYY with one separator among / - . used twice; day-first,
         * the month may be named, as Excel's d-mmm-yyyy and Oracle's
         * exports write it: 15-Jan-2024, 15 January 2024 */
        int a, b;
        if (fmt == HZ_DATEFMT_MDY_SLASH && len > 0 &&
            ((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))) {
            if (!named_month_first(s, len, &i, &y, &m, &d))
                return false;
            break;
        }
        if (!digits12(s, len, &i, &a) || i >= len)
            return false;
        char sep = s[i++];
        size_t nl = 0;
        while (i + nl < len && ((s[i + nl] >= 'a' && s[i + nl] <= 'z') ||
                                (s[i + nl] >= 'A' && s[i + nl] <= 'Z')))
            nl++;
        if (nl > 0) {
            b = fmt == HZ_DATEFMT_DMY ? hz__month_name(s + i, nl) : 0;
            if (b == 0 || (sep != '-' && sep != ' ' && sep != '.'))
                return false;
            i += nl;
        } else if ((sep != '/' && sep != '-' && sep != '.') ||
                   !digits12(s, len, &i, &b)) {
            return false;
        }
        if (i >= len || s[i++] != sep || !digits(s, len, &i, 4, &y))
            return false;
        m = fmt == HZ_DATEFMT_DMY ? b : a;
        d = fmt == HZ_DATEFMT_DMY ? a : b;
        break;
    }
    default: return false;
    }
    if (m < 1 || m > 12 || d < 1 || d > hz_days_in_month(y, (unsigned)m))
        return false;
    int64_t t = (int64_t)hz_days_from_civil(y, (unsigned)m, (unsigned)d) *
                86400;
    *is_ts = false;
    if (i < len) {
        if (!(s[i] == 'T' || s[i] == ' '))
            return false;
        i++;
        int64_t secs;
        if (basic ? s[i - 1] != 'T' || !parse_time_basic(s, len, &i, &secs)
                  : !parse_time(s, len, &i, fmt == HZ_DATEFMT_ISO, &secs))
            return false;
        t += secs;
        *is_ts = true;
    }
    if (i != len)
        return false;
    *epoch = t;
    return true;
}

/* A day-level value, perhaps after its weekday (month- or day-first
 * formats): the date after it, on that weekday. */
static bool parse_day_fmt(const char *s, size_t len, hz_datefmt fmt,
                          int64_t *epoch, bool *is_ts)
{
    size_t skip;
    int wd;
    if ((fmt != HZ_DATEFMT_MDY_SLASH && fmt != HZ_DATEFMT_DMY) ||
        (wd = hz__weekday_prefix(s, len, &skip)) < 0)
        return parse_day_text(s, len, fmt, epoch, is_ts);
    if (!parse_day_text(s + skip, len - skip, fmt, epoch, is_ts))
        return false;
    const int64_t day = *epoch >= 0 ? *epoch / 86400
                                    : -((-*epoch + 86399) / 86400);
    return hz_weekday((int32_t)day) == wd;
}

/* Monday of ISO week 1 of year y: the Monday of the week holding Jan 4. */
static int32_t isoweek1_monday(int y)
{
    int32_t jan4 = hz_days_from_civil(y, 1, 4);
    return jan4 - hz_weekday(jan4);
}

int hz_weekday(int32_t day)
{
    /* 1970-01-01 was a Thursday (3) */
    int w = (int)(((int64_t)day + 3) % 7);
    return w < 0 ? w + 7 : w;
}

/* Period formats: the first day of the period. */
static bool parse_period_fmt(const char *s, size_t len, hz_datefmt fmt,
                             int32_t *day)
{
    size_t i = 0;
    int y, k;
    if (!digits(s, len, &i, 4, &y))
        return false;
    switch (fmt) {
    case HZ_DATEFMT_YEAR:
        if (len != 4)
            return false;
        *day = hz_days_from_civil(y, 1, 1);
        return true;
    case HZ_DATEFMT_MONTH:
        if (len != 7 || s[i++] != '-' || !digits(s, len, &i, 2, &k) || k < 1 ||
            k > 12)
            return false;
        *day = hz_days_from_civil(y, (unsigned)k, 1);
        return true;
    case HZ_DATEFMT_QUARTER:
    case HZ_DATEFMT_QUARTER_COMPACT:
        if (fmt == HZ_DATEFMT_QUARTER && (len != 7 || s[i++] != '-'))
            return false;
        if (fmt == HZ_DATEFMT_QUARTER_COMPACT && len != 6)
            return false;
        if (s[i] != 'Q' && s[i] != 'q')
            return false;
        i++;
        if (!digits(s, len, &i, 1, &k) || k < 1 || k > 4)
            return false;
        *day = hz_days_from_civil(y, (unsigned)(3 * k - 2), 1);
        return true;
    case HZ_DATEFMT_ISOWEEK:
    case HZ_DATEFMT_ISOWEEK_COMPACT: {
        if (len != (fmt == HZ_DATEFMT_ISOWEEK ? 8u : 7u) ||
            (fmt == HZ_DATEFMT_ISOWEEK && s[i++] != '-') ||
            (s[i] != 'W' && s[i] != 'w'))
            return false;
        i++;
        if (!digits(s, len, &i, 2, &k) || k < 1)
            return false;
        int32_t w1 = isoweek1_monday(y), next = isoweek1_monday(y + 1);
        if (k > (next - w1) / 7)
            return false; /* week 53 of a 52-week year */
        *day = w1 + 7 * (k - 1);
        return true;
    }
    default: return false;
    }
}

/* Months and quarters as spreadsheets write them (core/period_text.c):
 * "Jan 2024", "Jan-24", "01/2024"; "2024 Q1", "Q1 2024". */
static bool parse_period_text(const char *s, size_t len, hz_datefmt fmt,
                              int32_t *day)
{
    int y, k;
    bool yy;
    if (fmt == HZ_DATEFMT_MONTH && hz__month_text(s, len, &y, &k, &yy)) {
        *day = hz_days_from_civil(y, (unsigned)k, 1);
        return true;
    }
    if (fmt == HZ_DATEFMT_QUARTER && hz__quarter_text(s, len, &y, &k)) {
        *day = hz_days_from_civil(y, (unsigned)(3 * k - 2), 1);
        return true;
    }
    return false;
}

/* A serial day number (digits only). */
/* A serial day number, perhaps with the time of day as its fraction
 * (45292.5 is noon on 2024-01-01, as Excel stores date-times): the
 * fraction, read exactly from its first 12 digits, is rounded to the
 * nearest second, since Excel's doubles hold 13:00 as 0.541666666667;
 * *secs from the serial's midnight, *timed: a fraction was written. */
static bool parse_excel(const char *s, size_t len, int32_t *day,
                        int64_t *secs, bool *timed)
{
    size_t i = 0, n = 0;
    while (n < len && s[n] >= '0' && s[n] <= '9')
        n++;
    int v;
    if (n < 1 || n > 7 || !digits(s, len, &i, (int)n, &v) ||
        !hz_day_from_excel_serial(v, day))
        return false;
    *secs = 0;
    *timed = n < len;
    if (n == len)
        return true;
    if (s[n] != '.' || n + 1 == len)
        return false;
    int64_t num = 0, den = 1;
    for (size_t k = n + 1; k < len; k++) {
        if (s[k] < '0' || s[k] > '9')
            return false;
        if (den < 1000000000000LL) {
            num = num * 10 + (s[k] - '0');
            den *= 10;
        }
    }
    *secs = (num * 86400 + den / 2) / den;
    return true;
}

/* Unix time, in seconds (ms: milliseconds), perhaps negative and with
 * a fraction (read and dropped: the instant counts in the second it
 * began in).  A magnitude outside the unit's band is refused, never
 * taken for the other unit: seconds from 1e8 (1973-03-03) to below 1e11
 * (5138), milliseconds from 1e11 to below 1e14; 0, a common null, and
 * YYYYMMDD numbers (20240131, 1970-08-23 as seconds) fall outside. */
static bool parse_unix(const char *s, size_t len, bool ms, int64_t *epoch,
                       bool *is_ts)
{
    size_t i = 0;
    const bool neg = len > 0 && s[0] == '-';
    i += neg;
    int64_t v = 0;
    size_t n = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9' && n < 16) {
        v = v * 10 + (s[i++] - '0');
        n++;
    }
    if (n == 0 || (i < len && s[i] >= '0' && s[i] <= '9'))
        return false;
    bool frac = false;
    if (i < len && s[i] == '.') {
        if (++i == len)
            return false;
        for (; i < len; i++) {
            if (s[i] < '0' || s[i] > '9')
                return false;
            frac |= s[i] != '0';
        }
    }
    if (i != len)
        return false;
    const int64_t lo = ms ? 100000000000LL : 100000000LL;
    if (v < lo || v >= lo * 1000)
        return false;
    if (neg)
        v = -v - frac; /* the second (millisecond) it began in */
    if (ms)
        v = v >= 0 ? v / 1000 : -((-v + 999) / 1000);
    *epoch = v;
    *is_ts = true;
    return true;
}

static bool parse_fmt(const char *s, size_t len, hz_datefmt fmt,
                      int64_t *epoch, bool *is_ts)
{
    if (hz_datefmt_is_unix(fmt))
        return parse_unix(s, len, fmt == HZ_DATEFMT_UNIX_MS, epoch, is_ts);
    if (fmt == HZ_DATEFMT_EXCEL) {
        int32_t day;
        int64_t tod;
        bool timed;
        if (!parse_excel(s, len, &day, &tod, &timed))
            return false;
        *epoch = (int64_t)day * 86400 + tod;
        *is_ts = timed;
        return true;
    }
    if (!hz_datefmt_is_period(fmt))
        return parse_day_fmt(s, len, fmt, epoch, is_ts);
    int32_t day;
    if (!parse_period_fmt(s, len, fmt, &day) &&
        !parse_period_text(s, len, fmt, &day))
        return false;
    *epoch = (int64_t)day * 86400;
    *is_ts = false;
    return true;
}

bool hz_parse_datetime(const char *s, size_t len, hz_datefmt fmt,
                       int64_t *epoch_seconds, bool *is_ts,
                       hz_datefmt *detected)
{
    if (fmt != HZ_DATEFMT_NONE) {
        if (!parse_fmt(s, len, fmt, epoch_seconds, is_ts))
            return false;
        if (detected)
            *detected = fmt;
        return true;
    }
    static const hz_datefmt order[] = {HZ_DATEFMT_ISO, HZ_DATEFMT_YMD_SLASH,
                                       HZ_DATEFMT_MDY_SLASH};
    for (size_t k = 0; k < 3; k++)
        if (parse_fmt(s, len, order[k], epoch_seconds, is_ts)) {
            if (detected)
                *detected = order[k];
            return true;
        }
    return false;
}

static const char *const FMT_NAMES[HZ_DATEFMT_COUNT] = {
    NULL,      "iso",   "ymd",     "mdy",
    "dmy",     "month", "quarter", "quarter-compact",
    "isoweek", "year",  "excel",   "isoweek-compact",
    "unix",    "unix_ms"};

const char *hz_datefmt_name(hz_datefmt f)
{
    return (unsigned)f < HZ_DATEFMT_COUNT ? FMT_NAMES[f] : NULL;
}

bool hz_datefmt_parse(const char *s, hz_datefmt *out)
{
    static const struct {
        const char *s;
        hz_datefmt f;
    } alias[] = {{"ym", HZ_DATEFMT_MONTH},
                 {"yq", HZ_DATEFMT_QUARTER},
                 {"yw", HZ_DATEFMT_ISOWEEK},
                 {"week", HZ_DATEFMT_ISOWEEK},
                 {"y", HZ_DATEFMT_YEAR}};
    for (int f = 1; f < HZ_DATEFMT_COUNT; f++)
        if (strcasecmp(s, FMT_NAMES[f]) == 0) {
            *out = (hz_datefmt)f;
            return true;
        }
    for (size_t k = 0; k < sizeof alias / sizeof alias[0]; k++)
        if (strcasecmp(s, alias[k].s) == 0) {
            *out = alias[k].f;
            return true;
        }
    return false;
}

bool hz_datefmt_is_period(hz_datefmt f)
{
    return (f >= HZ_DATEFMT_MONTH && f <= HZ_DATEFMT_YEAR) ||
           f == HZ_DATEFMT_ISOWEEK_COMPACT;
}

bool hz_datefmt_is_unix(hz_datefmt f)
{
    return f == HZ_DATEFMT_UNIX || f == HZ_DATEFMT_UNIX_MS;
}

char *hz_format_day_as(hz_datefmt fmt, int32_t day, char *buf)
{
    int y;
    unsigned m, d;
    hz_civil_from_days(day, &y, &m, &d);
    if (!hz_datefmt_is_period(fmt) || y < 0 || y > 9999)
        return hz_format_day(day, buf);
    switch (fmt) {
    case HZ_DATEFMT_MONTH: snprintf(buf, 16, "%04d-%02u", y, m); break;
    case HZ_DATEFMT_QUARTER:
        snprintf(buf, 16, "%04d-Q%u", y, (m - 1) / 3 + 1);
        break;
    case HZ_DATEFMT_QUARTER_COMPACT:
        snprintf(buf, 16, "%04dQ%u", y, (m - 1) / 3 + 1);
        break;
    case HZ_DATEFMT_ISOWEEK:
    case HZ_DATEFMT_ISOWEEK_COMPACT: {
        /* the ISO year is the year of the week's Thursday */
        int32_t thu = day - hz_weekday(day) + 3;
        int iy;
        unsigned im, id;
        hz_civil_from_days(thu, &iy, &im, &id);
        int w = (thu - isoweek1_monday(iy)) / 7 + 1;
        snprintf(buf, 16, fmt == HZ_DATEFMT_ISOWEEK ? "%04d-W%02d" : "%04dW%02d",
                 iy, w);
        break;
    }
    default: snprintf(buf, 16, "%04d", y); break;
    }
    return buf;
}
