/* Property tests of date parsing and formatting: every day of the date
 * window, written in every day-level format (with and without times,
 * one- and two-digit days and months), parses back to itself; invalid
 * dates are refused exactly when the calendar says so; period texts
 * (YYYY-MM, YYYY-Qn, YYYYQn, YYYY-Www, YYYY) round-trip, and ISO week 53
 * exists exactly in the long ISO years. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "horizon/dataset.h"
#include "hz_test.h"

/* splitmix64: a deterministic stream for the properties */
static uint64_t next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static bool parses_to(const char *s, hz_datefmt fmt, int64_t want)
{
    int64_t got;
    bool ts;
    return hz_parse_datetime(s, strlen(s), fmt, &got, &ts, NULL) &&
           got == want;
}

HZ_TEST(every_day_round_trips_in_every_day_format)
{
    const int32_t lo = hz_days_from_civil(1800, 1, 1);
    const int32_t hi = hz_days_from_civil(2200, 12, 31);
    char b[64];
    for (int32_t day = lo; day <= hi; day++) {
        int y;
        unsigned m, d;
        hz_civil_from_days(day, &y, &m, &d);
        HZ_CHECK(hz_days_from_civil(y, m, d) == day);
        int64_t t = (int64_t)day * 86400;
        HZ_CHECK_MSG(parses_to(hz_format_day(day, b), HZ_DATEFMT_ISO, t),
                     "ISO %s", b);
        snprintf(b, sizeof b, "%04d/%02u/%02u", y, m, d);
        HZ_CHECK_MSG(parses_to(b, HZ_DATEFMT_YMD_SLASH, t), "%s", b);
        snprintf(b, sizeof b, "%u/%u/%04d", m, d, y);
        HZ_CHECK_MSG(parses_to(b, HZ_DATEFMT_MDY_SLASH, t), "%s", b);
        snprintf(b, sizeof b, "%02u-%02u-%04d", m, d, y);
        HZ_CHECK_MSG(parses_to(b, HZ_DATEFMT_MDY_SLASH, t), "%s", b);
        snprintf(b, sizeof b, "%02u/%02u/%04d", d, m, y);
        HZ_CHECK_MSG(parses_to(b, HZ_DATEFMT_DMY, t), "%s", b);
        snprintf(b, sizeof b, "%u.%u.%04d", d, m, y);
        HZ_CHECK_MSG(parses_to(b, HZ_DATEFMT_DMY, t), "%s", b);
        static const char *const mon[12] = {"Jan", "Feb", "Mar", "Apr",
                                            "May", "Jun", "Jul", "Aug",
                                            "Sep", "Oct", "Nov", "Dec"};
        snprintf(b, sizeof b, "%02u-%s-%04d", d, mon[m - 1], y);
        HZ_CHECK_MSG(parses_to(b, HZ_DATEFMT_DMY, t), "%s", b);
        /* the other order reads it only when both fields are <= 12 */
        snprintf(b, sizeof b, "%02u/%02u/%04d", d, m, y);
        int64_t other;
        bool ts;
        bool ok = hz_parse_datetime(b, strlen(b), HZ_DATEFMT_MDY_SLASH, &other,
                                    &ts, NULL);
        HZ_CHECK_MSG(ok == (d <= 12), "%s read month-first: %d", b, ok);
    }
}

HZ_TEST(times_round_trip_to_the_minute)
{
    uint64_t s = 42;
    char b[64], day[16];
    for (int k = 0; k < 20000; k++) {
        int32_t dd = hz_days_from_civil(1800, 1, 1) +
                     (int32_t)(next(&s) % 146462);
        int hh = (int)(next(&s) % 24), mm = (int)(next(&s) % 60),
            ss = (int)(next(&s) % 60);
        int64_t t = (int64_t)dd * 86400 + hh * 3600 + mm * 60;
        hz_format_day(dd, day);
        snprintf(b, sizeof b, "%sT%02d:%02d", day, hh, mm);
        HZ_CHECK_MSG(parses_to(b, HZ_DATEFMT_ISO, t), "%s", b);
        snprintf(b, sizeof b, "%s %02d:%02d:%02d", day, hh, mm, ss);
        HZ_CHECK_MSG(parses_to(b, HZ_DATEFMT_ISO, t + ss), "%s", b);
        snprintf(b, sizeof b, "%sT%02d:%02d:00+02:30", day, hh, mm);
        HZ_CHECK_MSG(parses_to(b, HZ_DATEFMT_ISO, t - 9000), "%s", b);
        int y;
        unsigned m, d;
        hz_civil_from_days(dd, &y, &m, &d);
        snprintf(b, sizeof b, "%02u/%02u/%04d %02d:%02d", d, m, y, hh, mm);
        HZ_CHECK_MSG(parses_to(b, HZ_DATEFMT_DMY, t), "%s", b);
    }
}

/* Dates as people and exports write them besides the table's formats
 * (until 2026-12-07 none was read): the month named first (US text:
 * Jan 5, 2024), ISO with one-digit parts (2024-1-5), year-first with
 * dots (2024.01.05), ISO 8601's basic form (20240105T140509Z), and
 * "a.m." / "p.m."; long dates with their weekday, which must be the date's */
HZ_TEST(common_written_forms)
{
    const int64_t d = (int64_t)hz_days_from_civil(2024, 1, 5) * 86400;
    static const struct {
        const char *s;
        hz_datefmt f;
        int64_t secs; /* from midnight of 2024-01-05 */
    } ok[] = {
        {"Jan 5, 2024", HZ_DATEFMT_MDY_SLASH, 0},
        {"January 5 2024", HZ_DATEFMT_MDY_SLASH, 0},
        {"JAN 05, 2024 2:05 PM", HZ_DATEFMT_MDY_SLASH, 14 * 3600 + 300},
        {"2024-1-5", HZ_DATEFMT_ISO, 0},
        {"2024-1-5 9:05", HZ_DATEFMT_ISO, 9 * 3600 + 300},
        {"2024-1-5T14:05", HZ_DATEFMT_ISO, 14 * 3600 + 300}, /* T at [8] */
        {"2024-1-5T9:05:09Z", HZ_DATEFMT_ISO, 9 * 3600 + 309},
        {"2024.01.05", HZ_DATEFMT_YMD_SLASH, 0},
        {"2024.1.5 14:05", HZ_DATEFMT_YMD_SLASH, 14 * 3600 + 300},
        {"20240105T140509Z", HZ_DATEFMT_ISO, 14 * 3600 + 309},
        {"20240105T1405", HZ_DATEFMT_ISO, 14 * 3600 + 300},
        {"20240105T140509.25+0100", HZ_DATEFMT_ISO, 13 * 3600 + 309},
        {"20240105T140509-05:00", HZ_DATEFMT_ISO, 19 * 3600 + 309},
        {"2024-01-05 12:30 a.m.", HZ_DATEFMT_ISO, 1800},
        {"1/5/2024 2:05 P.M.", HZ_DATEFMT_MDY_SLASH, 14 * 3600 + 300},
        {"1/5/2024 2:05p.m.", HZ_DATEFMT_MDY_SLASH, 14 * 3600 + 300},
        /* long dates with their weekday (Excel's, RFC 5322's day) */
        {"Friday, January 5, 2024", HZ_DATEFMT_MDY_SLASH, 0},
        {"Fri, 5 Jan 2024", HZ_DATEFMT_DMY, 0},
        {"fri 5 January 2024 14:05", HZ_DATEFMT_DMY, 14 * 3600 + 300},
        {"Fri, 1/5/2024", HZ_DATEFMT_MDY_SLASH, 0},
    };
    for (size_t k = 0; k < sizeof ok / sizeof ok[0]; k++)
        HZ_CHECK_MSG(parses_to(ok[k].s, ok[k].f, d + ok[k].secs), "%s",
                     ok[k].s);
    static const struct {
        const char *s;
        hz_datefmt f;
    } bad[] = {
        {"Jan 5, 24", HZ_DATEFMT_MDY_SLASH}, /* two-digit years */
        {"Jan 32, 2024", HZ_DATEFMT_MDY_SLASH},
        {"Jan 5,2024", HZ_DATEFMT_MDY_SLASH},
        {"Jan 5, 2024", HZ_DATEFMT_DMY}, /* the month first: not day-first */
        {"Jna 5, 2024", HZ_DATEFMT_MDY_SLASH},
        {"2024.01/05", HZ_DATEFMT_YMD_SLASH},
        {"20240105", HZ_DATEFMT_ISO}, /* integers: see hz_day_from_yyyymmdd */
        {"20240105T", HZ_DATEFMT_ISO},
        {"20240105T14", HZ_DATEFMT_ISO},
        {"20240105T14:05", HZ_DATEFMT_ISO}, /* basic and extended mixed */
        {"20240105T2405", HZ_DATEFMT_ISO},
        {"20241305T1405", HZ_DATEFMT_ISO},
        {"2024-01-05 12:30 a.m", HZ_DATEFMT_ISO},
        {"2024-01-05 13:30 p.m.", HZ_DATEFMT_ISO},
        {"Thursday, January 5, 2024", HZ_DATEFMT_MDY_SLASH}, /* a Friday */
        {"Fri, 1/5/2024", HZ_DATEFMT_DMY}, /* 1 May 2024 is a Wednesday */
        {"Fri,5 Jan 2024", HZ_DATEFMT_DMY},
        {"Fri, 2024-01-05", HZ_DATEFMT_ISO},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        int64_t t;
        bool ts;
        HZ_CHECK_MSG(!hz_parse_datetime(bad[k].s, strlen(bad[k].s), bad[k].f,
                                        &t, &ts, NULL),
                     "%s read", bad[k].s);
    }
}

/* Times as spreadsheets and shops export them: one digit of hour
 * (Excel's m/d/yyyy h:mm writes 1/5/2024 9:05), 12-hour times with AM or
 * PM (12 AM is midnight, 12 PM noon; 0 or 13 o'clock PM is no time), and
 * a UTC offset after a blank (Shopify: 2024-03-11 09:12:45 -0400); days
 * with the month named, day first (5-Jan-2024), four-digit years only. */
HZ_TEST(spreadsheet_and_shop_times)
{
    const int64_t d = (int64_t)hz_days_from_civil(2024, 1, 5) * 86400;
    static const struct {
        const char *s;
        hz_datefmt f;
        int64_t secs; /* from midnight of 2024-01-05 */
    } ok[] = {
        {"1/5/2024 9:05", HZ_DATEFMT_MDY_SLASH, 9 * 3600 + 300},
        {"5.1.2024 9:05:30", HZ_DATEFMT_DMY, 9 * 3600 + 330},
        {"2024-01-05 9:05", HZ_DATEFMT_ISO, 9 * 3600 + 300},
        {"1/5/2024 2:05 PM", HZ_DATEFMT_MDY_SLASH, 14 * 3600 + 300},
        {"1/5/2024 12:30 AM", HZ_DATEFMT_MDY_SLASH, 1800},
        {"1/5/2024 12:30:15 pm", HZ_DATEFMT_MDY_SLASH, 12 * 3600 + 1815},
        {"01/05/2024 11:59PM", HZ_DATEFMT_MDY_SLASH, 23 * 3600 + 59 * 60},
        {"2024-01-05 09:12:45 -0400", HZ_DATEFMT_ISO,
         13 * 3600 + 12 * 60 + 45},
        {"2024-01-05 09:12:45 +05:30", HZ_DATEFMT_ISO,
         3 * 3600 + 42 * 60 + 45},
        /* " UTC" as BigQuery exports timestamps (until 2026-12-07 no
         * time: the column was text) */
        {"2024-01-05 09:12:45 UTC", HZ_DATEFMT_ISO, 9 * 3600 + 12 * 60 + 45},
        {"2024-01-05 09:12:45.123456 UTC", HZ_DATEFMT_ISO,
         9 * 3600 + 12 * 60 + 45},
        {"2024-01-05T09:12 GMT", HZ_DATEFMT_ISO, 9 * 3600 + 12 * 60},
        /* day-first with the month named (Excel's d-mmm-yyyy, Oracle) */
        {"5-Jan-2024", HZ_DATEFMT_DMY, 0},
        {"05-JAN-2024 14:05", HZ_DATEFMT_DMY, 14 * 3600 + 300},
        {"5 January 2024", HZ_DATEFMT_DMY, 0},
        {"5.jan.2024", HZ_DATEFMT_DMY, 0},
        /* 24:00, the day's end (the last hour labelled by its end, as
         * meter and market data are), is the next day's 00:00; until
         * 2026-12-07 refused */
        {"2024-01-04 24:00", HZ_DATEFMT_ISO, 0},
        {"2024-01-04T24:00:00.000+01:00", HZ_DATEFMT_ISO, -3600},
        {"04.01.2024 24:00", HZ_DATEFMT_DMY, 0},
        {"2024-01-05 10:00:59.999", HZ_DATEFMT_ISO, 10 * 3600 + 59},
    };
    for (size_t k = 0; k < sizeof ok / sizeof ok[0]; k++)
        HZ_CHECK_MSG(parses_to(ok[k].s, ok[k].f, d + ok[k].secs), "%s",
                     ok[k].s);
    static const struct {
        const char *s;
        hz_datefmt f;
    } bad[] = {
        {"5-Jan-24", HZ_DATEFMT_DMY}, /* two-digit years: whose pivot? */
        {"5/Jan/2024", HZ_DATEFMT_DMY},
        {"5-Jan/2024", HZ_DATEFMT_DMY},
        {"5-Jnu-2024", HZ_DATEFMT_DMY},
        {"1-Jan-2024", HZ_DATEFMT_MDY_SLASH}, /* a named month: day-first */
        {"31-Feb-2024", HZ_DATEFMT_DMY},
        {"1/5/2024 0:05 AM", HZ_DATEFMT_MDY_SLASH},
        {"1/5/2024 13:05 PM", HZ_DATEFMT_MDY_SLASH},
        {"1/5/2024 2:05 XM", HZ_DATEFMT_MDY_SLASH},
        {"1/5/2024 2:5", HZ_DATEFMT_MDY_SLASH},
        {"1/5/2024 123:05", HZ_DATEFMT_MDY_SLASH},
        {"2024-01-05 09:12:45  -0400", HZ_DATEFMT_ISO},
        {"1/5/2024 09:12:45 -0400", HZ_DATEFMT_MDY_SLASH}, /* zones: ISO */
        {"1/5/2024 09:12:45 UTC", HZ_DATEFMT_MDY_SLASH},
        {"2024-01-05 09:12:45  UTC", HZ_DATEFMT_ISO},
        {"2024-01-05 09:12:45 UTC+1", HZ_DATEFMT_ISO},
        {"2024-01-05 09:12:45 XUTC", HZ_DATEFMT_ISO},
        {"2024-01-05 UTC", HZ_DATEFMT_ISO},
        {"2024-01-05 24:01", HZ_DATEFMT_ISO}, /* past the day's end */
        {"2024-01-05 24:00:01", HZ_DATEFMT_ISO},
        {"2024-01-05 24:00:00.5", HZ_DATEFMT_ISO},
        {"1/5/2024 24:00 PM", HZ_DATEFMT_MDY_SLASH},
        {"2024-01-05 25:00", HZ_DATEFMT_ISO},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        int64_t t;
        bool ts;
        HZ_CHECK_MSG(!hz_parse_datetime(bad[k].s, strlen(bad[k].s), bad[k].f,
                                        &t, &ts, NULL),
                     "%s read", bad[k].s);
    }
}

HZ_TEST(impossible_dates_are_refused_exactly)
{
    char b[32];
    for (int y = 1800; y <= 2200; y++)
        for (unsigned m = 0; m <= 13; m++)
            for (unsigned d = 0; d <= 32; d++) {
                bool valid = m >= 1 && m <= 12 && d >= 1 &&
                             (int)d <= hz_days_in_month(y, m);
                int64_t t;
                bool ts;
                snprintf(b, sizeof b, "%04d-%02u-%02u", y, m, d);
                HZ_CHECK_MSG(hz_parse_datetime(b, strlen(b), HZ_DATEFMT_ISO,
                                               &t, &ts, NULL) == valid,
                             "%s", b);
                snprintf(b, sizeof b, "%02u/%02u/%04d", d, m, y);
                HZ_CHECK_MSG(hz_parse_datetime(b, strlen(b), HZ_DATEFMT_DMY,
                                               &t, &ts, NULL) == valid,
                             "%s", b);
            }
    /* leap years by the Gregorian rule */
    HZ_CHECK(hz_days_in_month(1900, 2) == 28);
    HZ_CHECK(hz_days_in_month(2000, 2) == 29);
    HZ_CHECK(hz_days_in_month(2024, 2) == 29);
    HZ_CHECK(hz_days_in_month(2100, 2) == 28);
}

HZ_TEST(periods_round_trip)
{
    static const hz_datefmt fmts[] = {HZ_DATEFMT_MONTH, HZ_DATEFMT_QUARTER,
                                      HZ_DATEFMT_QUARTER_COMPACT,
                                      HZ_DATEFMT_YEAR};
    char b[32];
    for (int y = 1800; y <= 2200; y++)
        for (unsigned m = 1; m <= 12; m++) {
            int32_t first = hz_days_from_civil(y, m, 1);
            int32_t qfirst = hz_days_from_civil(y, (m - 1) / 3 * 3 + 1, 1);
            int32_t yfirst = hz_days_from_civil(y, 1, 1);
            const int32_t want[] = {first, qfirst, qfirst, yfirst};
            for (int k = 0; k < 4; k++) {
                /* any day of the period names it; the text names its
                 * first day */
                int32_t day = first + (int32_t)(m * 7 % 28);
                hz_format_day_as(fmts[k], day, b);
                HZ_CHECK_MSG(parses_to(b, fmts[k], (int64_t)want[k] * 86400),
                             "%s (%s)", b, hz_datefmt_name(fmts[k]));
            }
        }
    HZ_CHECK_STR(
        hz_format_day_as(HZ_DATEFMT_MONTH, hz_days_from_civil(2024, 3, 9), b),
        "2024-03");
    HZ_CHECK_STR(hz_format_day_as(HZ_DATEFMT_QUARTER,
                                  hz_days_from_civil(2024, 8, 9), b),
                 "2024-Q3");
    HZ_CHECK_STR(hz_format_day_as(HZ_DATEFMT_QUARTER_COMPACT,
                                  hz_days_from_civil(2024, 12, 31), b),
                 "2024Q4");
    HZ_CHECK_STR(
        hz_format_day_as(HZ_DATEFMT_YEAR, hz_days_from_civil(1999, 12, 31), b),
        "1999");
}

/* ISO 8601: a year has 53 weeks when January 1 is a Thursday, or a
 * Wednesday in a leap year. */
static bool long_iso_year(int y)
{
    int jan1 = hz_weekday(hz_days_from_civil(y, 1, 1));
    bool leap = hz_days_in_month(y, 2) == 29;
    return jan1 == 3 || (leap && jan1 == 2);
}

HZ_TEST(iso_weeks_round_trip_and_week_53_exists_in_long_years_only)
{
    char b[32];
    HZ_CHECK(hz_weekday(hz_days_from_civil(2024, 1, 1)) == 0); /* Monday */
    HZ_CHECK(hz_weekday(hz_days_from_civil(1970, 1, 1)) == 3); /* Thursday */
    HZ_CHECK(hz_weekday(hz_days_from_civil(1800, 1, 5)) == 6); /* Sunday */
    int32_t lo = hz_days_from_civil(1800, 1, 6);               /* a Monday */
    HZ_CHECK(hz_weekday(lo) == 0);
    for (int32_t mon = lo; mon < hz_days_from_civil(2200, 12, 1); mon += 7) {
        for (int k = 0; k < 7; k++) { /* every day names its week */
            hz_format_day_as(HZ_DATEFMT_ISOWEEK, mon + k, b);
            HZ_CHECK_MSG(
                parses_to(b, HZ_DATEFMT_ISOWEEK, (int64_t)mon * 86400), "%s",
                b);
            /* and written without the dash, 2024W05 */
            hz_format_day_as(HZ_DATEFMT_ISOWEEK_COMPACT, mon + k, b);
            HZ_CHECK_MSG(parses_to(b, HZ_DATEFMT_ISOWEEK_COMPACT,
                                   (int64_t)mon * 86400) &&
                             strlen(b) == 7 && b[4] == 'W',
                         "%s", b);
        }
    }
    for (int y = 1800; y <= 2200; y++) {
        snprintf(b, sizeof b, "%04d-W53", y);
        int64_t t;
        bool ts;
        HZ_CHECK_MSG(hz_parse_datetime(b, strlen(b), HZ_DATEFMT_ISOWEEK, &t,
                                       &ts, NULL) == long_iso_year(y),
                     "%s", b);
    }
    HZ_CHECK_STR(hz_format_day_as(HZ_DATEFMT_ISOWEEK,
                                  hz_days_from_civil(2021, 1, 3), b),
                 "2020-W53");
    HZ_CHECK_STR(hz_format_day_as(HZ_DATEFMT_ISOWEEK_COMPACT,
                                  hz_days_from_civil(2021, 1, 3), b),
                 "2020W53");
    int64_t t;
    bool ts;
    HZ_CHECK(!hz_parse_datetime("2021W53", 7, HZ_DATEFMT_ISOWEEK_COMPACT, &t,
                                &ts, NULL));
    HZ_CHECK(!hz_parse_datetime("2021-W05", 8, HZ_DATEFMT_ISOWEEK_COMPACT, &t,
                                &ts, NULL));
    HZ_CHECK(!hz_parse_datetime("2021W05", 7, HZ_DATEFMT_ISOWEEK, &t, &ts,
                                NULL));
    hz_datefmt f;
    HZ_CHECK(hz_datefmt_parse("isoweek-compact", &f) &&
             f == HZ_DATEFMT_ISOWEEK_COMPACT && hz_datefmt_is_period(f));
}

HZ_TEST(format_names_round_trip)
{
    for (int f = 1; f < HZ_DATEFMT_COUNT; f++) {
        hz_datefmt g;
        HZ_CHECK(hz_datefmt_parse(hz_datefmt_name((hz_datefmt)f), &g));
        HZ_CHECK(g == (hz_datefmt)f);
    }
    hz_datefmt g;
    HZ_CHECK(hz_datefmt_parse("DMY", &g) && g == HZ_DATEFMT_DMY);
    HZ_CHECK(!hz_datefmt_parse("dym", &g));
    HZ_CHECK(hz_datefmt_name(HZ_DATEFMT_NONE) == NULL);
}

/* Months and quarters as spreadsheets write them: every month of
 * 1930-2029 as Jan-24 (Excel's mmm-yy: 00-29 are 20yy, 30-99 19yy), Jan
 * 2024, January 2024, Jan-2024, 01/2024, 1-2024; quarters as 2024 Q1, Q1
 * 2024, Q1-2024; and what is not one of them is refused. */
HZ_TEST(spreadsheet_months_and_quarters)
{
    static const char *const abbr[12] = {"Jan", "Feb", "Mar", "Apr",
                                         "May", "Jun", "Jul", "Aug",
                                         "Sep", "Oct", "Nov", "Dec"};
    static const char *const full[12] = {
        "January", "February", "March",     "April",   "May",      "June",
        "July",    "August",   "September", "October", "November", "December"};
    char b[64];
    for (int y = 1930; y <= 2029; y++)
        for (unsigned m = 1; m <= 12; m++) {
            int64_t want = (int64_t)hz_days_from_civil(y, m, 1) * 86400;
            snprintf(b, sizeof b, "%s-%02d", abbr[m - 1], y % 100);
            HZ_CHECK_MSG(parses_to(b, HZ_DATEFMT_MONTH, want), "%s", b);
            snprintf(b, sizeof b, "%s %d", abbr[m - 1], y);
            HZ_CHECK_MSG(parses_to(b, HZ_DATEFMT_MONTH, want), "%s", b);
            snprintf(b, sizeof b, "%s-%d", abbr[m - 1], y);
            HZ_CHECK_MSG(parses_to(b, HZ_DATEFMT_MONTH, want), "%s", b);
            snprintf(b, sizeof b, "%s %d", full[m - 1], y);
            HZ_CHECK_MSG(parses_to(b, HZ_DATEFMT_MONTH, want), "%s", b);
            snprintf(b, sizeof b, "%02u/%d", m, y);
            HZ_CHECK_MSG(parses_to(b, HZ_DATEFMT_MONTH, want), "%s", b);
            snprintf(b, sizeof b, "%u-%d", m, y);
            HZ_CHECK_MSG(parses_to(b, HZ_DATEFMT_MONTH, want), "%s", b);
        }
    for (int y = 1800; y <= 2200; y++)
        for (unsigned q = 1; q <= 4; q++) {
            int64_t want = (int64_t)hz_days_from_civil(y, 3 * q - 2, 1) *
                           86400;
            snprintf(b, sizeof b, "%d Q%u", y, q);
            HZ_CHECK_MSG(parses_to(b, HZ_DATEFMT_QUARTER, want), "%s", b);
            snprintf(b, sizeof b, "Q%u %d", q, y);
            HZ_CHECK_MSG(parses_to(b, HZ_DATEFMT_QUARTER, want), "%s", b);
            snprintf(b, sizeof b, "q%u-%d", q, y);
            HZ_CHECK_MSG(parses_to(b, HZ_DATEFMT_QUARTER, want), "%s", b);
        }
    HZ_CHECK(parses_to("SEPT 2024", HZ_DATEFMT_MONTH,
                       (int64_t)hz_days_from_civil(2024, 9, 1) * 86400));
    static const char *const bad[] = {
        "Jam 2024",  "Jan 24 ",  "Jan-2",     "Jan-024",  "Jan--24",
        "Janu 2024", "Jan",      "Jan 24",    "13/2024",  "0/2024",
        "01/24",     "1/2/2024", "Jan 2024x", "2024 Jan", "Q5 2024",
        "Q0 2024",   "2024 Q5",  "Q1 24",     "Q1  2024", "2024  Q1",
        "2024 Q12",  "Q12024",   "X1 2024",   "12.2024",  "Jan.2024"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        int64_t t;
        bool ts;
        HZ_CHECK_MSG(!hz_parse_datetime(bad[k], strlen(bad[k]),
                                        HZ_DATEFMT_MONTH, &t, &ts, NULL) &&
                         !hz_parse_datetime(bad[k], strlen(bad[k]),
                                            HZ_DATEFMT_QUARTER, &t, &ts, NULL),
                     "'%s' read", bad[k]);
    }
    /* the labels stay the canonical ones */
    HZ_CHECK_STR(
        hz_format_day_as(HZ_DATEFMT_MONTH, hz_days_from_civil(2024, 1, 1), b),
        "2024-01");
}

/* Serial day numbers of Excel's 1900 date system, read only when asked
 * for (format "excel"): 1 is 1900-01-01, 61 is 1900-03-01 (60 is Excel's
 * 1900-02-29, which never was), 45292 is 2024-01-01; every day from
 * 1900-03-01 to 9999-12-31 has its number. */
HZ_TEST(excel_serial_days)
{
    int32_t d;
    HZ_CHECK(hz_day_from_excel_serial(1, &d) &&
             d == hz_days_from_civil(1900, 1, 1));
    HZ_CHECK(hz_day_from_excel_serial(59, &d) &&
             d == hz_days_from_civil(1900, 2, 28));
    HZ_CHECK(!hz_day_from_excel_serial(60, &d));
    HZ_CHECK(hz_day_from_excel_serial(61, &d) &&
             d == hz_days_from_civil(1900, 3, 1));
    HZ_CHECK(hz_day_from_excel_serial(45292, &d) &&
             d == hz_days_from_civil(2024, 1, 1));
    HZ_CHECK(hz_day_from_excel_serial(2958465, &d) &&
             d == hz_days_from_civil(9999, 12, 31));
    HZ_CHECK(!hz_day_from_excel_serial(0, &d));
    HZ_CHECK(!hz_day_from_excel_serial(2958466, &d));
    for (int32_t day = hz_days_from_civil(1900, 3, 1);
         day <= hz_days_from_civil(2200, 12, 31); day++) {
        char b[16];
        snprintf(b, sizeof b, "%d", (int)(day + 25569));
        HZ_CHECK_MSG(parses_to(b, HZ_DATEFMT_EXCEL, (int64_t)day * 86400),
                     "%s", b);
    }
    /* a date-time serial: its fraction, rounded to the second (Excel's
     * double for 13:00 is 0.541666666667) */
    static const struct {
        const char *s;
        int64_t secs; /* from 2024-01-01 00:00 */
    } timed[] = {{"45292.5", 12 * 3600},
                 {"45292.541666666667", 13 * 3600},
                 {"45292.54166666", 13 * 3600},
                 {"45292.999999999", 86400},
                 {"45292.0", 0},
                 {"45292.00001157407407", 1}};
    const int64_t d2024 = (int64_t)hz_days_from_civil(2024, 1, 1) * 86400;
    for (size_t k = 0; k < sizeof timed / sizeof timed[0]; k++) {
        int64_t t;
        bool ts = false;
        HZ_CHECK_MSG(hz_parse_datetime(timed[k].s, strlen(timed[k].s),
                                       HZ_DATEFMT_EXCEL, &t, &ts, NULL) &&
                         ts && t == d2024 + timed[k].secs,
                     "'%s'", timed[k].s);
    }
    static const char *const bad[] = {"60",      "0",  "-1", "45292.",
                                      "4529x",   "",   "12345678",
                                      "45292.5x", ".5", "45292,5"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        int64_t t;
        bool ts;
        HZ_CHECK_MSG(!hz_parse_datetime(bad[k], strlen(bad[k]),
                                        HZ_DATEFMT_EXCEL, &t, &ts, NULL),
                     "'%s' read", bad[k]);
    }
    hz_datefmt f;
    HZ_CHECK(hz_datefmt_parse("excel", &f) && f == HZ_DATEFMT_EXCEL);
    HZ_CHECK(!hz_datefmt_is_period(HZ_DATEFMT_EXCEL));
}

/* Unix times: seconds (1e8 .. 1e11 in magnitude) or milliseconds (1e11
 * .. 1e14), a fraction dropped (the second it began in, also before
 * 1970); a magnitude of the other unit, a YYYYMMDD number, 0 and text
 * are refused, never read as another unit. */
HZ_TEST(unix_times)
{
    static const struct {
        const char *s;
        hz_datefmt f;
        int64_t t;
    } good[] = {{"1704067200", HZ_DATEFMT_UNIX, 1704067200},
                {"1704067200.999", HZ_DATEFMT_UNIX, 1704067200},
                {"100000000", HZ_DATEFMT_UNIX, 100000000},
                {"99999999999", HZ_DATEFMT_UNIX, 99999999999},
                {"-100000000", HZ_DATEFMT_UNIX, -100000000},
                {"-100000000.5", HZ_DATEFMT_UNIX, -100000001},
                {"1704067200123", HZ_DATEFMT_UNIX_MS, 1704067200},
                {"1704067200999.9", HZ_DATEFMT_UNIX_MS, 1704067200},
                {"100000000000", HZ_DATEFMT_UNIX_MS, 100000000},
                {"-100000000500", HZ_DATEFMT_UNIX_MS, -100000001},
                {"-100000000000", HZ_DATEFMT_UNIX_MS, -100000000}};
    for (size_t k = 0; k < sizeof good / sizeof good[0]; k++) {
        int64_t t;
        bool ts = false;
        HZ_CHECK_MSG(hz_parse_datetime(good[k].s, strlen(good[k].s),
                                       good[k].f, &t, &ts, NULL) &&
                         ts && t == good[k].t,
                     "'%s' as %s", good[k].s, hz_datefmt_name(good[k].f));
    }
    static const struct {
        const char *s;
        hz_datefmt f;
    } bad[] = {{"1704067200123", HZ_DATEFMT_UNIX},
               {"99999999", HZ_DATEFMT_UNIX},
               {"20240131", HZ_DATEFMT_UNIX},
               {"0", HZ_DATEFMT_UNIX},
               {"", HZ_DATEFMT_UNIX},
               {"-", HZ_DATEFMT_UNIX},
               {"1704067200.", HZ_DATEFMT_UNIX},
               {"1.7040672E+09", HZ_DATEFMT_UNIX},
               {"1704067200x", HZ_DATEFMT_UNIX},
               {"+1704067200", HZ_DATEFMT_UNIX},
               {"2024-01-01", HZ_DATEFMT_UNIX},
               {"99999999999999999999", HZ_DATEFMT_UNIX},
               {"1704067200", HZ_DATEFMT_UNIX_MS},
               {"99999999999", HZ_DATEFMT_UNIX_MS},
               {"100000000000000", HZ_DATEFMT_UNIX_MS},
               {"1704067200123456", HZ_DATEFMT_UNIX_MS}};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        int64_t t;
        bool ts;
        HZ_CHECK_MSG(!hz_parse_datetime(bad[k].s, strlen(bad[k].s), bad[k].f,
                                        &t, &ts, NULL),
                     "'%s' read as %s", bad[k].s, hz_datefmt_name(bad[k].f));
    }
    hz_datefmt f;
    HZ_CHECK(hz_datefmt_parse("unix", &f) && f == HZ_DATEFMT_UNIX);
    HZ_CHECK(hz_datefmt_parse("UNIX_MS", &f) && f == HZ_DATEFMT_UNIX_MS);
    HZ_CHECK(hz_datefmt_is_unix(HZ_DATEFMT_UNIX) &&
             hz_datefmt_is_unix(HZ_DATEFMT_UNIX_MS) &&
             !hz_datefmt_is_unix(HZ_DATEFMT_EXCEL));
    HZ_CHECK(!hz_datefmt_is_period(HZ_DATEFMT_UNIX));
    HZ_CHECK(hz_parse_datetime("1704067200", 10, HZ_DATEFMT_NONE, &(int64_t){0},
                               &(bool){false}, NULL) == false);
}
