/* Frequencies, seasonal periods and calendars: how time is cut into
 * periods and how periods are named (see horizon/series.h). */
#pragma GCC diagnostic ignored "-Wformat-truncation" /* bounded labels */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/tzgaps.h"
#include "forecast/series_internal.h"
#include "horizon/series.h"

static const char *const FREQ_NAMES[] = {
    [HZ_FREQ_INFER] = "infer",     [HZ_FREQ_MINUTE] = "minute",
    [HZ_FREQ_HOUR] = "hour",       [HZ_FREQ_DAY] = "day",
    [HZ_FREQ_WEEK] = "week",       [HZ_FREQ_MONTH] = "month",
    [HZ_FREQ_QUARTER] = "quarter", [HZ_FREQ_YEAR] = "year"};

const char *hz_freq_name(hz_freq f)
{
    return (unsigned)f <= HZ_FREQ_YEAR ? FREQ_NAMES[f] : "unknown";
}

/* Spellings of a frequency.  Case matters for pandas' aliases ("MS" is
 * month start, "ms" would be milliseconds there), so they are matched
 * exactly; the words match in any case. */
typedef struct freq_alias {
    const char *s;
    hz_freq f;
    int anchor; /* -1: none */
    int end;    /* -1: not said */
} freq_alias;

static const freq_alias ALIASES[] = {
    {"min", HZ_FREQ_MINUTE, -1, -1},    {"T", HZ_FREQ_MINUTE, -1, -1},
    {"h", HZ_FREQ_HOUR, -1, -1},        {"H", HZ_FREQ_HOUR, -1, -1},
    {"D", HZ_FREQ_DAY, -1, -1},         {"d", HZ_FREQ_DAY, -1, -1},
    {"w", HZ_FREQ_WEEK, -1, -1},        {"W", HZ_FREQ_WEEK, 6, 1},
    {"m", HZ_FREQ_MONTH, -1, -1},       {"M", HZ_FREQ_MONTH, -1, 1},
    {"ME", HZ_FREQ_MONTH, -1, 1},       {"MS", HZ_FREQ_MONTH, -1, 0},
    {"q", HZ_FREQ_QUARTER, -1, -1},     {"Q", HZ_FREQ_QUARTER, -1, 1},
    {"QE", HZ_FREQ_QUARTER, -1, 1},     {"Q-DEC", HZ_FREQ_QUARTER, -1, 1},
    {"QE-DEC", HZ_FREQ_QUARTER, -1, 1}, {"QS", HZ_FREQ_QUARTER, -1, 0},
    {"QS-JAN", HZ_FREQ_QUARTER, -1, 0}, {"y", HZ_FREQ_YEAR, -1, -1},
    {"Y", HZ_FREQ_YEAR, -1, 1},         {"YE", HZ_FREQ_YEAR, -1, 1},
    {"A", HZ_FREQ_YEAR, -1, 1},         {"Y-DEC", HZ_FREQ_YEAR, -1, 1},
    {"YE-DEC", HZ_FREQ_YEAR, -1, 1},    {"A-DEC", HZ_FREQ_YEAR, -1, 1},
    {"YS", HZ_FREQ_YEAR, -1, 0},        {"AS", HZ_FREQ_YEAR, -1, 0},
    {"YS-JAN", HZ_FREQ_YEAR, -1, 0},    {"AS-JAN", HZ_FREQ_YEAR, -1, 0},
};

static const struct {
    const char *s;
    hz_freq f;
} WORDS[] = {{"minute", HZ_FREQ_MINUTE},   {"minutely", HZ_FREQ_MINUTE},
             {"hour", HZ_FREQ_HOUR},       {"hourly", HZ_FREQ_HOUR},
             {"day", HZ_FREQ_DAY},         {"daily", HZ_FREQ_DAY},
             {"week", HZ_FREQ_WEEK},       {"weekly", HZ_FREQ_WEEK},
             {"month", HZ_FREQ_MONTH},     {"monthly", HZ_FREQ_MONTH},
             {"quarter", HZ_FREQ_QUARTER}, {"quarterly", HZ_FREQ_QUARTER},
             {"year", HZ_FREQ_YEAR},       {"yearly", HZ_FREQ_YEAR},
             {"annual", HZ_FREQ_YEAR},     {"infer", HZ_FREQ_INFER},
             {"auto", HZ_FREQ_INFER}};

bool hz_freq_parse_spec(const char *s, hz_freq *out, int *anchor, int *end)
{
    static const char *const WD[7] = {"MON", "TUE", "WED", "THU",
                                      "FRI", "SAT", "SUN"};
    *anchor = -1;
    *end = -1;
    for (size_t i = 0; i < sizeof WORDS / sizeof WORDS[0]; i++)
        if (strcasecmp(s, WORDS[i].s) == 0) {
            *out = WORDS[i].f;
            return true;
        }
    for (size_t i = 0; i < sizeof ALIASES / sizeof ALIASES[0]; i++)
        if (strcmp(s, ALIASES[i].s) == 0) {
            *out = ALIASES[i].f;
            *anchor = ALIASES[i].anchor;
            *end = ALIASES[i].end;
            return true;
        }
    if (strncmp(s, "W-", 2) == 0)
        for (int k = 0; k < 7; k++)
            if (strcmp(s + 2, WD[k]) == 0) {
                *out = HZ_FREQ_WEEK; /* pandas: weeks ending that day */
                *anchor = k;
                *end = 1;
                return true;
            }
    return false;
}

bool hz_freq_parse(const char *s, hz_freq *out)
{
    int a, e;
    return hz_freq_parse_spec(s, out, &a, &e);
}

/* "30min", "30T", "30-minute", "half-hour(ly)", "quarter-hour(ly)":
 * minutes a period (a divisor of 60), else 0. */
static int minutes_of(const char *s)
{
    static const struct {
        const char *s;
        int m;
    } NAMED[] = {{"half-hour", 30},    {"half-hourly", 30},
                 {"halfhour", 30},     {"halfhourly", 30},
                 {"quarter-hour", 15}, {"quarter-hourly", 15}};
    for (size_t i = 0; i < sizeof NAMED / sizeof NAMED[0]; i++)
        if (strcasecmp(s, NAMED[i].s) == 0)
            return NAMED[i].m;
    char *end;
    long m = strtol(s, &end, 10);
    if (end == s || *s == '-' || *s == '+' || m < 1 || m > 60 || 60 % m != 0)
        return 0;
    if (strcmp(end, "min") == 0 || strcmp(end, "T") == 0 ||
        strcasecmp(end, "-minute") == 0 || strcasecmp(end, "-minutely") == 0)
        return (int)m;
    return 0;
}

bool hz_freq_parse_step(const char *s, hz_freq *out, int *anchor, int *end,
                        int *minutes)
{
    *minutes = 1;
    if (hz_freq_parse_spec(s, out, anchor, end))
        return true;
    int m = minutes_of(s);
    if (m == 0)
        return false;
    *out = m == 60 ? HZ_FREQ_HOUR : HZ_FREQ_MINUTE;
    *minutes = m == 60 ? 1 : m;
    return true;
}

bool hz_agg_parse(const char *s, hz_agg *out)
{
    if (strcmp(s, "sum") == 0)
        *out = HZ_AGG_SUM;
    else if (strcmp(s, "mean") == 0 || strcmp(s, "avg") == 0)
        *out = HZ_AGG_MEAN;
    else if (strcmp(s, "count") == 0)
        *out = HZ_AGG_COUNT;
    else
        return false;
    return true;
}

int hz_freq_period(hz_freq f)
{
    switch (f) {
    case HZ_FREQ_MINUTE: return 1440;
    case HZ_FREQ_HOUR: return 24;
    case HZ_FREQ_DAY: return 7;
    case HZ_FREQ_WEEK: return 52;
    case HZ_FREQ_MONTH: return 12;
    case HZ_FREQ_QUARTER: return 4;
    default: return 1;
    }
}

void hz_freq_default_seasons(hz_freq f, hz_seasons *out)
{
    memset(out, 0, sizeof *out);
    switch (f) {
    case HZ_FREQ_MINUTE:
        out->period[out->n++] = 1440; /* a day */
        out->period[out->n++] = 10080;
        break;
    case HZ_FREQ_HOUR:
        out->period[out->n++] = 24;
        out->period[out->n++] = 168;
        break;
    case HZ_FREQ_DAY:
        out->period[out->n++] = 7;
        out->period[out->n++] = 365.25;
        break;
    case HZ_FREQ_WEEK: out->period[out->n++] = 52.18; break;
    case HZ_FREQ_MONTH: out->period[out->n++] = 12; break;
    case HZ_FREQ_QUARTER: out->period[out->n++] = 4; break;
    default: break;
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

bool hz_seasons_parse(const char *s, hz_seasons *out, hz_error *err)
{
    memset(out, 0, sizeof *out);
    if (strcasecmp(s, "none") == 0 || strcmp(s, "1") == 0)
        return true;
    const char *p = s;
    for (;;) {
        char *end;
        double v = strtod(p, &end);
        if (end == p || !(isfinite(v) && v > 1 && v <= 1e6)) {
            hz_error_set(err, HZ_EINVAL,
                         "--season: expected periods greater than 1 "
                         "(e.g. 7 or 24,168 or 52.18; 1 or none for no "
                         "seasonality), got '%s'",
                         s);
            return false;
        }
        if (out->n == HZ_MAX_SEASONS) {
            hz_error_set(err, HZ_EINVAL,
                         "--season: at most %d periods, got '%s'",
                         HZ_MAX_SEASONS, s);
            return false;
        }
        out->period[out->n++] = v;
        if (*end == '\0')
            break;
        if (*end != ',') {
            hz_error_set(err, HZ_EINVAL,
                         "--season: expected comma-separated numbers, got "
                         "'%s'",
                         s);
            return false;
        }
        p = end + 1;
    }
    qsort(out->period, out->n, sizeof(double), cmp_double);
    for (size_t k = 1; k < out->n; k++)
        if (out->period[k] == out->period[k - 1]) {
            hz_error_set(err, HZ_EINVAL, "--season: period %g given twice",
                         out->period[k]);
            return false;
        }
    return true;
}

int hz_seasons_primary(const hz_seasons *s)
{
    if (s == NULL || s->n == 0)
        return 1;
    double p = floor(s->period[0] + 0.5);
    return p < 2 ? 1 : p > 1e6 ? 1000000 : (int)p;
}

char *hz_seasons_format(const hz_seasons *s, char *buf, size_t n)
{
    if (s->n == 0) {
        snprintf(buf, n, "none");
        return buf;
    }
    size_t len = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < s->n && len < n; k++) {
        int w = snprintf(buf + len, n - len, "%s%g", k ? ", " : "",
                         s->period[k]);
        if (w < 0)
            break;
        len += (size_t)w;
    }
    return buf;
}

static int64_t floordiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

int64_t hz_period_of_day(hz_freq f, int32_t day)
{
    int y;
    unsigned m, d;
    switch (f) {
    case HZ_FREQ_WEEK: return floordiv((int64_t)day + 3, 7);
    case HZ_FREQ_MONTH:
        hz_civil_from_days(day, &y, &m, &d);
        return (int64_t)y * 12 + (m - 1);
    case HZ_FREQ_QUARTER:
        hz_civil_from_days(day, &y, &m, &d);
        return (int64_t)y * 4 + (m - 1) / 3;
    case HZ_FREQ_YEAR: hz_civil_from_days(day, &y, &m, &d); return y;
    case HZ_FREQ_HOUR: return (int64_t)day * 24;
    case HZ_FREQ_MINUTE: return (int64_t)day * 1440;
    default: return day;
    }
}

int32_t hz_period_start(hz_freq f, int64_t p)
{
    switch (f) {
    case HZ_FREQ_WEEK: return (int32_t)(p * 7 - 3);
    case HZ_FREQ_MONTH:
        return hz_days_from_civil((int)floordiv(p, 12),
                                  (unsigned)(p - floordiv(p, 12) * 12) + 1, 1);
    case HZ_FREQ_QUARTER:
        return hz_days_from_civil((int)floordiv(p, 4),
                                  (unsigned)(p - floordiv(p, 4) * 4) * 3 + 1,
                                  1);
    case HZ_FREQ_YEAR: return hz_days_from_civil((int)p, 1, 1);
    case HZ_FREQ_HOUR: return (int32_t)floordiv(p, 24);
    case HZ_FREQ_MINUTE: return (int32_t)floordiv(p, 1440);
    default: return (int32_t)p;
    }
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

hz_freq hz_freq_infer(const int32_t *days, size_t n)
{
    if (n < 2)
        return HZ_FREQ_DAY;
    int32_t *gap = malloc((n - 1) * sizeof *gap);
    if (gap == NULL)
        return HZ_FREQ_DAY;
    for (size_t i = 1; i < n; i++)
        gap[i - 1] = days[i] - days[i - 1];
    qsort(gap, n - 1, sizeof *gap, cmp_i32);
    int32_t med = gap[(n - 1) / 2];
    free(gap);
    if (med <= 3)
        return HZ_FREQ_DAY; /* 1, or business days over weekends */
    if (med <= 10)
        return HZ_FREQ_WEEK;
    if (med <= 35)
        return HZ_FREQ_MONTH;
    if (med <= 100)
        return HZ_FREQ_QUARTER;
    return HZ_FREQ_YEAR;
}

/* ---- calendars ---- */

void hz_calendar_init(hz_calendar *c, hz_freq f)
{
    memset(c, 0, sizeof *c);
    c->freq = f;
    c->anchor = 0;
    c->end = false;
    c->label = HZ_DATEFMT_NONE;
    c->minutes = f == HZ_FREQ_MINUTE ? 1 : 0;
}

int hz_calendar_minutes(const hz_calendar *c)
{
    if (c->freq != HZ_FREQ_MINUTE)
        return 0;
    return c->minutes > 1 ? c->minutes : 1;
}

void hz_calendar_default_seasons(const hz_calendar *c, hz_seasons *out)
{
    hz_freq_default_seasons(c->freq, out);
    int m = hz_calendar_minutes(c);
    for (size_t k = 0; m > 1 && k < out->n; k++)
        out->period[k] /= m;
}

char *hz_calendar_unit(const hz_calendar *c, char *buf, size_t n)
{
    int m = hz_calendar_minutes(c);
    if (m > 1)
        snprintf(buf, n, "%d-minute", m);
    else
        snprintf(buf, n, "%s", hz_freq_name(c->freq));
    return buf;
}

int64_t hz__day_of_time(int64_t t)
{
    return floordiv(t, 86400);
}

/* Hours and minutes on a zone's clock that skips some (hz_calendar.gaps,
 * a table of c's period length), or NULL. */
static const hz__tzgaps *gaps_of(const hz_calendar *c)
{
    if (c->gaps == NULL ||
        (c->freq != HZ_FREQ_HOUR && c->freq != HZ_FREQ_MINUTE))
        return NULL;
    const int64_t len = c->freq == HZ_FREQ_HOUR
                            ? 3600
                            : 60 * (int64_t)hz_calendar_minutes(c);
    return hz__tzgaps_len(c->gaps) == len ? c->gaps : NULL;
}

bool hz_calendar_skipped(const hz_calendar *c, int64_t p)
{
    const hz__tzgaps *g = gaps_of(c);
    return g != NULL && hz__tzgaps_skipped(g, p);
}

int64_t hz_calendar_skipped_minutes(const hz_calendar *c, int64_t p)
{
    const hz__tzgaps *g = gaps_of(c);
    if (g == NULL || !hz__tzgaps_skipped(g, p))
        return 0;
    return hz__tzgaps_skipped_secs(g, p) / 60;
}

int64_t hz_calendar_step(const hz_calendar *c, int64_t p, size_t h)
{
    const hz__tzgaps *g = gaps_of(c);
    int64_t q = p + (int64_t)h;
    if (g == NULL)
        return q;
    /* the least q with h periods that exist in [p, q) and q one of them:
     * q = p + h + (skipped in [p, q]), reached from below */
    for (;;) {
        const int64_t next = p + (int64_t)h + hz__tzgaps_count(g, p, q);
        if (next == q)
            return q;
        q = next;
    }
}

int64_t hz_calendar_period(const hz_calendar *c, int64_t t)
{
    switch (c->freq) {
    case HZ_FREQ_MINUTE: return floordiv(t, 60 * hz_calendar_minutes(c));
    case HZ_FREQ_HOUR: return floordiv(t, 3600);
    case HZ_FREQ_WEEK: {
        /* label day L(p) = 7p - 3 + anchor (p as ISO weeks for Monday);
         * a week labelled by its start holds L .. L+6, by its end
         * L-6 .. L */
        int64_t d = hz__day_of_time(t) + 3 - c->anchor;
        return floordiv(c->end ? d + 6 : d, 7);
    }
    case HZ_FREQ_MONTH:
    case HZ_FREQ_QUARTER:
    case HZ_FREQ_YEAR:
    case HZ_FREQ_DAY:
    default: return hz_period_of_day(c->freq, (int32_t)hz__day_of_time(t));
    }
}

int32_t hz_calendar_day(const hz_calendar *c, int64_t p)
{
    switch (c->freq) {
    case HZ_FREQ_MINUTE:
        return (int32_t)floordiv(p * hz_calendar_minutes(c), 1440);
    case HZ_FREQ_HOUR: return (int32_t)floordiv(p, 24);
    case HZ_FREQ_WEEK: return (int32_t)(7 * p - 3 + c->anchor);
    case HZ_FREQ_MONTH:
    case HZ_FREQ_QUARTER:
    case HZ_FREQ_YEAR:
        return c->end ? hz_period_start(c->freq, p + 1) - 1
                      : hz_period_start(c->freq, p);
    default: return (int32_t)p;
    }
}

int64_t hz_calendar_time(const hz_calendar *c, int64_t p)
{
    switch (c->freq) {
    case HZ_FREQ_MINUTE: return p * 60 * hz_calendar_minutes(c);
    case HZ_FREQ_HOUR: return p * 3600;
    default: return (int64_t)hz_calendar_day(c, p) * 86400;
    }
}

char *hz_calendar_format(const hz_calendar *c, int64_t p, char *buf, size_t n)
{
    char d[16];
    if (c->freq == HZ_FREQ_HOUR || c->freq == HZ_FREQ_MINUTE) {
        int64_t t = hz_calendar_time(c, p);
        int32_t day = (int32_t)hz__day_of_time(t);
        int64_t sod = t - (int64_t)day * 86400;
        snprintf(buf, n, "%s %02d:%02d:00", hz_format_day(day, d),
                 (int)(sod / 3600), (int)(sod / 60 % 60));
        return buf;
    }
    hz_calendar first = *c;
    if (c->label != HZ_DATEFMT_NONE)
        first.end = false; /* a period's text names it by its first day */
    int32_t day = hz_calendar_day(&first, p);
    snprintf(buf, n, "%s", hz_format_day_as(c->label, day, d));
    return buf;
}

char *hz_calendar_describe(const hz_calendar *c, char *buf, size_t n)
{
    static const char *const WD[7] = {"Monday",   "Tuesday", "Wednesday",
                                      "Thursday", "Friday",  "Saturday",
                                      "Sunday"};
    const char *name = hz_freq_name(c->freq);
    if (c->label != HZ_DATEFMT_NONE) {
        static const char *const LBL[] = {
            [HZ_DATEFMT_MONTH] = "YYYY-MM",
            [HZ_DATEFMT_QUARTER] = "YYYY-Qn",
            [HZ_DATEFMT_QUARTER_COMPACT] = "YYYYQn",
            [HZ_DATEFMT_ISOWEEK] = "YYYY-Www",
            [HZ_DATEFMT_ISOWEEK_COMPACT] = "YYYYWww",
            [HZ_DATEFMT_YEAR] = "YYYY"};
        snprintf(buf, n, "%ss labelled %s", name, LBL[c->label]);
    } else if (c->freq == HZ_FREQ_WEEK) {
        snprintf(buf, n, "weeks %s %s", c->end ? "ending" : "from",
                 WD[c->anchor % 7]);
    } else if (c->freq == HZ_FREQ_MONTH || c->freq == HZ_FREQ_QUARTER ||
               c->freq == HZ_FREQ_YEAR) {
        snprintf(buf, n, "%ss dated by their %s day", name,
                 c->end ? "last" : "first");
    } else if (hz_calendar_minutes(c) > 1) {
        snprintf(buf, n, "%d-minute periods", hz_calendar_minutes(c));
    } else {
        snprintf(buf, n, "%ss", name);
    }
    return buf;
}
