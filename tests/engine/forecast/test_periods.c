/* Property tests of calendars: for every frequency, week anchor and
 * first/last-day labelling, a period's label instant lies in the period,
 * its label text parses back to the same period, instants map to
 * consecutive periods without gaps or overlaps, and the default calendar
 * agrees with hz_period_of_day.  Plus frequency names and seasons. */
#include <stdint.h>
#include <string.h>

#include "horizon/series.h"
#include "hz_test.h"

static uint64_t next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* The text of period p read back as an instant, in the label's format. */
static bool label_instant(const hz_calendar *c, int64_t p, int64_t *t)
{
    char b[40];
    hz_calendar_format(c, p, b, sizeof b);
    bool ts;
    hz_datefmt f = c->label != HZ_DATEFMT_NONE ? c->label : HZ_DATEFMT_ISO;
    return hz_parse_datetime(b, strlen(b), f, t, &ts, NULL);
}

static void check_calendar(const hz_calendar *c, uint64_t *seed)
{
    const int64_t lo = (int64_t)hz_days_from_civil(1800, 1, 1) * 86400;
    const int64_t span = (int64_t)146462 * 86400;
    for (int k = 0; k < 3000; k++) {
        int64_t t = lo + (int64_t)(next(seed) % (uint64_t)span);
        int64_t p = hz_calendar_period(c, t);
        int64_t lt = hz_calendar_time(c, p), back;
        char b[40];
        HZ_CHECK_MSG(hz_calendar_period(c, lt) == p,
                     "%s: label of period %lld outside it",
                     hz_freq_name(c->freq), (long long)p);
        HZ_CHECK_MSG(
            label_instant(c, p, &back) && hz_calendar_period(c, back) == p,
            "%s: label '%s' does not name period %lld", hz_freq_name(c->freq),
            hz_calendar_format(c, p, b, sizeof b), (long long)p);
        /* one second later: the same period or the next one */
        int64_t q = hz_calendar_period(c, t + 1);
        HZ_CHECK(q == p || q == p + 1);
        /* successive periods have successive labels */
        HZ_CHECK(hz_calendar_time(c, p + 1) > lt);
    }
}

HZ_TEST(every_calendar_names_its_periods)
{
    static const hz_freq fr[] = {
        HZ_FREQ_MINUTE, HZ_FREQ_HOUR,    HZ_FREQ_DAY, HZ_FREQ_WEEK,
        HZ_FREQ_MONTH,  HZ_FREQ_QUARTER, HZ_FREQ_YEAR};
    uint64_t seed = 7;
    for (size_t i = 0; i < sizeof fr / sizeof fr[0]; i++)
        for (int end = 0; end <= 1; end++)
            for (int anchor = 0; anchor < (fr[i] == HZ_FREQ_WEEK ? 7 : 1);
                 anchor++) {
                hz_calendar c;
                hz_calendar_init(&c, fr[i]);
                c.end = end;
                c.anchor = anchor;
                check_calendar(&c, &seed);
            }
    static const struct {
        hz_freq f;
        hz_datefmt l;
    } periods[] = {{HZ_FREQ_MONTH, HZ_DATEFMT_MONTH},
                   {HZ_FREQ_QUARTER, HZ_DATEFMT_QUARTER},
                   {HZ_FREQ_QUARTER, HZ_DATEFMT_QUARTER_COMPACT},
                   {HZ_FREQ_WEEK, HZ_DATEFMT_ISOWEEK},
                   {HZ_FREQ_YEAR, HZ_DATEFMT_YEAR}};
    for (size_t i = 0; i < sizeof periods / sizeof periods[0]; i++) {
        hz_calendar c;
        hz_calendar_init(&c, periods[i].f);
        c.label = periods[i].l;
        check_calendar(&c, &seed);
    }
}

HZ_TEST(default_calendar_agrees_with_period_of_day)
{
    static const hz_freq fr[] = {HZ_FREQ_DAY, HZ_FREQ_WEEK, HZ_FREQ_MONTH,
                                 HZ_FREQ_QUARTER, HZ_FREQ_YEAR};
    for (size_t i = 0; i < sizeof fr / sizeof fr[0]; i++) {
        hz_calendar c;
        hz_calendar_init(&c, fr[i]);
        for (int32_t d = hz_days_from_civil(1899, 12, 1);
             d < hz_days_from_civil(1901, 3, 1); d++) {
            int64_t p = hz_period_of_day(fr[i], d);
            HZ_CHECK(hz_calendar_period(&c, (int64_t)d * 86400 + 43200) == p);
            HZ_CHECK(hz_calendar_day(&c, p) == hz_period_start(fr[i], p));
        }
    }
}

HZ_TEST(week_anchors_and_period_ends)
{
    char b[40];
    hz_calendar c;
    hz_calendar_init(&c, HZ_FREQ_WEEK);
    c.anchor = 6; /* pandas W-SUN: weeks ending Sunday, labelled by it */
    c.end = true;
    int64_t mon = (int64_t)hz_days_from_civil(2024, 1, 1) * 86400;
    int64_t p = hz_calendar_period(&c, mon);
    HZ_CHECK_STR(hz_calendar_format(&c, p, b, sizeof b), "2024-01-07");
    HZ_CHECK(hz_calendar_period(&c, mon + 6 * 86400) == p); /* Sunday */
    HZ_CHECK(hz_calendar_period(&c, mon - 86400) == p - 1); /* Sunday */
    hz_calendar_init(&c, HZ_FREQ_QUARTER);
    c.end = true;
    p = hz_calendar_period(&c,
                           (int64_t)hz_days_from_civil(2024, 5, 9) * 86400);
    HZ_CHECK_STR(hz_calendar_format(&c, p, b, sizeof b), "2024-06-30");
    c.label = HZ_DATEFMT_QUARTER;
    HZ_CHECK_STR(hz_calendar_format(&c, p, b, sizeof b), "2024-Q2");
    hz_calendar_init(&c, HZ_FREQ_HOUR);
    p = hz_calendar_period(&c,
                           (int64_t)hz_days_from_civil(2024, 5, 9) * 86400 +
                               13 * 3600 + 1234);
    HZ_CHECK_STR(hz_calendar_format(&c, p, b, sizeof b),
                 "2024-05-09 13:00:00");
}

HZ_TEST(frequency_names_and_pandas_aliases)
{
    static const struct {
        const char *s;
        hz_freq f;
        int anchor, end;
    } t[] = {
        {"min", HZ_FREQ_MINUTE, -1, -1},  {"T", HZ_FREQ_MINUTE, -1, -1},
        {"h", HZ_FREQ_HOUR, -1, -1},      {"H", HZ_FREQ_HOUR, -1, -1},
        {"hourly", HZ_FREQ_HOUR, -1, -1}, {"D", HZ_FREQ_DAY, -1, -1},
        {"W", HZ_FREQ_WEEK, 6, 1},        {"W-SUN", HZ_FREQ_WEEK, 6, 1},
        {"W-MON", HZ_FREQ_WEEK, 0, 1},    {"week", HZ_FREQ_WEEK, -1, -1},
        {"M", HZ_FREQ_MONTH, -1, 1},      {"ME", HZ_FREQ_MONTH, -1, 1},
        {"MS", HZ_FREQ_MONTH, -1, 0},     {"Month", HZ_FREQ_MONTH, -1, -1},
        {"Q", HZ_FREQ_QUARTER, -1, 1},    {"QS", HZ_FREQ_QUARTER, -1, 0},
        {"QE", HZ_FREQ_QUARTER, -1, 1},   {"Y", HZ_FREQ_YEAR, -1, 1},
        {"YS", HZ_FREQ_YEAR, -1, 0},      {"A", HZ_FREQ_YEAR, -1, 1},
        {"AS", HZ_FREQ_YEAR, -1, 0},      {"annual", HZ_FREQ_YEAR, -1, -1}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        hz_freq f;
        int a, e;
        HZ_CHECK_MSG(hz_freq_parse_spec(t[i].s, &f, &a, &e), "%s", t[i].s);
        HZ_CHECK_MSG(f == t[i].f && a == t[i].anchor && e == t[i].end, "%s",
                     t[i].s);
    }
    hz_freq f;
    HZ_CHECK(!hz_freq_parse("ms", &f)); /* pandas: milliseconds */
    HZ_CHECK(!hz_freq_parse("fortnight", &f));
    HZ_CHECK(!hz_freq_parse("W-FUN", &f));
    HZ_CHECK(!hz_freq_parse("S", &f));
}

HZ_TEST(default_and_given_seasons)
{
    hz_seasons s;
    char b[64];
    hz_freq_default_seasons(HZ_FREQ_HOUR, &s);
    HZ_CHECK_STR(hz_seasons_format(&s, b, sizeof b), "24, 168");
    HZ_CHECK(hz_seasons_primary(&s) == 24);
    hz_freq_default_seasons(HZ_FREQ_DAY, &s);
    HZ_CHECK_STR(hz_seasons_format(&s, b, sizeof b), "7, 365.25");
    HZ_CHECK(hz_seasons_primary(&s) == 7);
    hz_freq_default_seasons(HZ_FREQ_WEEK, &s);
    HZ_CHECK_STR(hz_seasons_format(&s, b, sizeof b), "52.18");
    HZ_CHECK(hz_seasons_primary(&s) == 52);
    hz_freq_default_seasons(HZ_FREQ_MONTH, &s);
    HZ_CHECK(s.n == 1 && s.period[0] == 12);
    hz_freq_default_seasons(HZ_FREQ_QUARTER, &s);
    HZ_CHECK(s.n == 1 && s.period[0] == 4);
    hz_freq_default_seasons(HZ_FREQ_YEAR, &s);
    HZ_CHECK(s.n == 0 && hz_seasons_primary(&s) == 1);
    hz_error err;
    HZ_CHECK(hz_seasons_parse("168,24", &s, &err));
    HZ_CHECK(s.n == 2 && s.period[0] == 24 && s.period[1] == 168);
    HZ_CHECK(hz_seasons_parse("52.18", &s, &err) && s.period[0] == 52.18);
    HZ_CHECK(hz_seasons_parse("none", &s, &err) && s.n == 0);
    HZ_CHECK(!hz_seasons_parse("1,7", &s, &err));
    HZ_CHECK(!hz_seasons_parse("7,7", &s, &err));
    HZ_CHECK_CONTAINS(err.msg, "given twice");
    HZ_CHECK(!hz_seasons_parse("7,24,168,8760", &s, &err));
    HZ_CHECK(!hz_seasons_parse("x", &s, &err));
}

/* Periods of several minutes: the calendar properties hold, a half-hour
 * is labelled by its start, the names parse (and only divisors of an
 * hour), the default seasons are a day and a week of them. */
HZ_TEST(periods_of_several_minutes)
{
    static const int mins[] = {2, 5, 10, 15, 20, 30};
    uint64_t seed = 11;
    for (size_t i = 0; i < sizeof mins / sizeof mins[0]; i++) {
        hz_calendar c;
        hz_calendar_init(&c, HZ_FREQ_MINUTE);
        c.minutes = mins[i];
        check_calendar(&c, &seed);
        HZ_CHECK(hz_calendar_minutes(&c) == mins[i]);
    }
    hz_calendar c;
    hz_calendar_init(&c, HZ_FREQ_MINUTE);
    c.minutes = 30;
    char b[40];
    int64_t t = (int64_t)hz_days_from_civil(2024, 5, 9) * 86400 + 13 * 3600 +
                45 * 60 + 7; /* 13:45:07 */
    int64_t p = hz_calendar_period(&c, t);
    HZ_CHECK_STR(hz_calendar_format(&c, p, b, sizeof b),
                 "2024-05-09 13:30:00");
    HZ_CHECK_STR(hz_calendar_format(&c, p + 1, b, sizeof b),
                 "2024-05-09 14:00:00");
    HZ_CHECK(hz_calendar_day(&c, p) == hz_days_from_civil(2024, 5, 9));
    HZ_CHECK_STR(hz_calendar_unit(&c, b, sizeof b), "30-minute");
    HZ_CHECK_STR(hz_calendar_describe(&c, b, sizeof b), "30-minute periods");
    hz_seasons s;
    hz_calendar_default_seasons(&c, &s);
    HZ_CHECK_STR(hz_seasons_format(&s, b, sizeof b), "48, 336");
    c.minutes = 15;
    hz_calendar_default_seasons(&c, &s);
    HZ_CHECK_STR(hz_seasons_format(&s, b, sizeof b), "96, 672");
    hz_calendar_init(&c, HZ_FREQ_HOUR);
    c.minutes = 30; /* ignored but for minutes */
    HZ_CHECK(hz_calendar_minutes(&c) == 0);
    HZ_CHECK_STR(hz_calendar_unit(&c, b, sizeof b), "hour");
    static const struct {
        const char *s;
        hz_freq f;
        int m;
    } ok[] = {{"30min", HZ_FREQ_MINUTE, 30},
              {"30T", HZ_FREQ_MINUTE, 30},
              {"15min", HZ_FREQ_MINUTE, 15},
              {"5min", HZ_FREQ_MINUTE, 5},
              {"30-minute", HZ_FREQ_MINUTE, 30},
              {"half-hour", HZ_FREQ_MINUTE, 30},
              {"Half-Hourly", HZ_FREQ_MINUTE, 30},
              {"quarter-hourly", HZ_FREQ_MINUTE, 15},
              {"60min", HZ_FREQ_HOUR, 1},
              {"min", HZ_FREQ_MINUTE, 1},
              {"1min", HZ_FREQ_MINUTE, 1},
              {"W-SUN", HZ_FREQ_WEEK, 1}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        hz_freq f;
        int a, e, m;
        HZ_CHECK_MSG(hz_freq_parse_step(ok[i].s, &f, &a, &e, &m), "%s",
                     ok[i].s);
        HZ_CHECK_MSG(f == ok[i].f && m == ok[i].m, "%s", ok[i].s);
    }
    static const char *const bad[] = {"7min",   "45min",  "0min",
                                      "-30min", "90min",  "30",
                                      "30mins", "30 min", "half"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hz_freq f;
        int a, e, m;
        HZ_CHECK_MSG(!hz_freq_parse_step(bad[i], &f, &a, &e, &m), "%s",
                     bad[i]);
    }
    hz_freq f;
    int a, e;
    HZ_CHECK(!hz_freq_parse_spec("30min", &f, &a, &e)); /* cannot say 30 */
}
