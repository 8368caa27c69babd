/* Cron expressions and their slots in a time zone, with a controllable
 * clock (the window is given): field syntax, day-of-month OR day-of-week,
 * daylight-saving changes in Europe/Berlin and America/New_York (a
 * repeated hour runs once, a skipped time runs right after the jump),
 * catch-up limits, unknown zones, and the slot jobs of a schedule; the
 * next slots however far away (every minute, 29 February across 2100),
 * expressions that never fire refused, and the scan that passes days
 * that cannot match giving exactly the slots of a minute-by-minute scan
 * in zones with odd changes (Lord Howe's half hour, Samoa's lost day). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hz_test.h"
#include "runner/cron.h"
#include "runner/schedule.h"

/* Epoch seconds of a UTC time. */
static int64_t utc(int y, int mo, int d, int h, int mi)
{
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mo - 1,
                    .tm_mday = d,
                    .tm_hour = h,
                    .tm_min = mi};
    return (int64_t)timegm(&tm);
}

static size_t slots(const char *expr, const char *tz, int64_t from, int64_t to,
                    hz_cron_slot *out, size_t max, size_t *skipped)
{
    hz_cron c;
    hz_error err;
    size_t n = 0;
    if (hz_cron_parse(expr, &c, &err) != HZ_OK ||
        hz_cron_slots(&c, tz, from, to, out, max, &n, skipped, &err) != HZ_OK)
        hz_test_fail(__FILE__, __LINE__, "%s in %s: %s", expr, tz, err.msg);
    return n;
}

HZ_TEST(cron_fields)
{
    hz_cron c;
    hz_error err;
    HZ_CHECK(hz_cron_parse("*/15 9-17 * * mon-fri", &c, &err) == HZ_OK);
    HZ_CHECK(c.minutes == (1ULL | 1ULL << 15 | 1ULL << 30 | 1ULL << 45));
    HZ_CHECK(c.hours == 0x3fe00 && c.wdays == 0x3e);
    HZ_CHECK(hz_cron_parse("0 0 1,15 jan,jul *", &c, &err) == HZ_OK);
    HZ_CHECK(c.mdays == (1u << 1 | 1u << 15) &&
             c.months == (1u << 1 | 1u << 7));
    HZ_CHECK(hz_cron_parse("0 0 * * 7", &c, &err) == HZ_OK);
    HZ_CHECK(c.wdays == 1); /* 7 is Sunday */
    HZ_CHECK(hz_cron_parse("@daily", &c, &err) == HZ_OK);
    HZ_CHECK(c.minutes == 1 && c.hours == 1);
    HZ_CHECK(hz_cron_parse("5/20 * * * *", &c, &err) == HZ_OK);
    HZ_CHECK(c.minutes == (1ULL << 5 | 1ULL << 25 | 1ULL << 45));
    const char *bad[] = {"* * * *",      "60 * * * *", "* 24 * * *",
                         "* * 0 * *",    "* * * 13 *", "*/0 * * * *",
                         "5-1 * * * *",  "a * * * *",  "* * * * * *",
                         "1,,2 * * * *", "@often"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        HZ_CHECK_MSG(hz_cron_parse(bad[i], &c, &err) == HZ_EINVAL, "'%s'",
                     bad[i]);
        HZ_CHECK_CONTAINS(err.msg, "cron '");
    }
    /* both day fields restricted: either matches (Vixie cron) */
    HZ_CHECK(hz_cron_parse("0 12 13 * fri", &c, &err) == HZ_OK);
    struct tm t = {.tm_hour = 12, .tm_mday = 13, .tm_mon = 0, .tm_wday = 2};
    HZ_CHECK(hz_cron_matches(&c, &t));
    t.tm_mday = 14;
    t.tm_wday = 5;
    HZ_CHECK(hz_cron_matches(&c, &t));
    t.tm_wday = 4;
    HZ_CHECK(!hz_cron_matches(&c, &t));
}

HZ_TEST(slots_in_utc_and_a_zone)
{
    hz_cron_slot s[64];
    size_t skipped;
    /* every 15 min over one hour: 4 slots in (from, to] */
    size_t n = slots("*/15 * * * *", "UTC", utc(2026, 1, 5, 10, 0),
                     utc(2026, 1, 5, 11, 0), s, 64, &skipped);
    HZ_CHECK(n == 4 && skipped == 0);
    HZ_CHECK(s[0].t == utc(2026, 1, 5, 10, 15));
    HZ_CHECK_STR(s[3].wall, "20260105T1100");
    /* 06:00 in Berlin (winter, UTC+1) is 05:00 UTC, named by local time */
    n = slots("0 6 * * *", "Europe/Berlin", utc(2026, 1, 5, 0, 0),
              utc(2026, 1, 7, 0, 0), s, 64, &skipped);
    HZ_CHECK(n == 2);
    HZ_CHECK(s[0].t == utc(2026, 1, 5, 5, 0));
    HZ_CHECK_STR(s[0].wall, "20260105T0600");
    /* and in summer (UTC+2) 04:00 UTC */
    n = slots("0 6 * * *", "Europe/Berlin", utc(2026, 7, 1, 0, 0),
              utc(2026, 7, 2, 0, 0), s, 64, &skipped);
    HZ_CHECK(n == 1 && s[0].t == utc(2026, 7, 1, 4, 0));
    /* TZ is restored */
    const char *tz = getenv("TZ");
    HZ_CHECK(tz == NULL || strcmp(tz, "Europe/Berlin"));
}

HZ_TEST(dst_spring_forward_runs_the_skipped_time_after_the_jump)
{
    /* Berlin, 2026-03-29: 02:00 CET -> 03:00 CEST (01:00 UTC) */
    hz_cron_slot s[64];
    size_t skipped;
    size_t n = slots("30 2 * * *", "Europe/Berlin", utc(2026, 3, 28, 0, 0),
                     utc(2026, 3, 30, 12, 0), s, 64, &skipped);
    HZ_CHECK_MSG(n == 3, "%zu slots", n);
    HZ_CHECK_STR(s[0].wall, "20260328T0230");
    HZ_CHECK(s[0].t == utc(2026, 3, 28, 1, 30));
    HZ_CHECK_STR(s[1].wall, "20260329T0230");   /* never shown by a clock */
    HZ_CHECK(s[1].t == utc(2026, 3, 29, 1, 0)); /* = 03:00 CEST */
    HZ_CHECK_STR(s[2].wall, "20260330T0230");
    HZ_CHECK(s[2].t == utc(2026, 3, 30, 0, 30));
    /* an hourly job keeps one slot per wall hour that exists */
    n = slots("0 * * * *", "Europe/Berlin", utc(2026, 3, 28, 23, 30),
              utc(2026, 3, 29, 3, 30), s, 64, &skipped);
    /* from 00:30 CET: 01:00 (00 UTC), 02:00 skipped -> at 03:00 CEST
     * (01 UTC) with 03:00 itself, 04:00 (02 UTC), 05:00 (03 UTC) */
    HZ_CHECK_MSG(n == 5, "%zu hourly slots", n);
    HZ_CHECK_STR(s[1].wall, "20260329T0200");
    HZ_CHECK_STR(s[2].wall, "20260329T0300");
    HZ_CHECK(s[1].t == s[2].t && s[1].t == utc(2026, 3, 29, 1, 0));
}

HZ_TEST(dst_fall_back_runs_a_repeated_time_once)
{
    /* Berlin, 2026-10-25: 03:00 CEST -> 02:00 CET (01:00 UTC): 02:30
     * happens twice, at 00:30 and 01:30 UTC */
    hz_cron_slot s[64];
    size_t skipped;
    size_t n = slots("30 2 * * *", "Europe/Berlin", utc(2026, 10, 24, 12, 0),
                     utc(2026, 10, 25, 12, 0), s, 64, &skipped);
    HZ_CHECK_MSG(n == 1, "%zu slots", n);
    HZ_CHECK_STR(s[0].wall, "20261025T0230");
    HZ_CHECK(s[0].t == utc(2026, 10, 25, 0, 30)); /* the first one */
    /* every 30 min: the repeated hour adds no slots */
    n = slots("*/30 * * * *", "Europe/Berlin", utc(2026, 10, 24, 23, 45),
              utc(2026, 10, 25, 2, 15), s, 64, &skipped);
    /* from 01:45 CEST: 02:00, 02:30 (CEST), [02:00, 02:30 again (CET)],
     * 03:00 CET (02 UTC) */
    HZ_CHECK_MSG(n == 3, "%zu half-hourly slots", n);
    HZ_CHECK(s[1].t == utc(2026, 10, 25, 0, 30));
    HZ_CHECK(s[2].t == utc(2026, 10, 25, 2, 0));
    /* New York, 2026-11-01: 02:00 EDT -> 01:00 EST (06:00 UTC) */
    n = slots("15 1 * * *", "America/New_York", utc(2026, 11, 1, 0, 0),
              utc(2026, 11, 1, 12, 0), s, 64, &skipped);
    HZ_CHECK(n == 1 && s[0].t == utc(2026, 11, 1, 5, 15));
    /* and its spring jump, 2026-03-08 02:00 EST -> 03:00 EDT (07:00 UTC) */
    n = slots("15 2 * * *", "America/New_York", utc(2026, 3, 8, 0, 0),
              utc(2026, 3, 8, 12, 0), s, 64, &skipped);
    HZ_CHECK(n == 1 && s[0].t == utc(2026, 3, 8, 7, 0));
    HZ_CHECK_STR(s[0].wall, "20260308T0215");
}

HZ_TEST(catch_up_keeps_the_latest_slots)
{
    hz_cron_slot s[4];
    size_t skipped;
    /* a day of 15-minute slots, room for 3: the latest 3 are kept */
    size_t n = slots("*/15 * * * *", "UTC", utc(2026, 5, 1, 0, 0),
                     utc(2026, 5, 2, 0, 0), s, 3, &skipped);
    HZ_CHECK(n == 3 && skipped == 93);
    HZ_CHECK_STR(s[2].wall, "20260502T0000");
    HZ_CHECK_STR(s[0].wall, "20260501T2330");
}

HZ_TEST(zones_and_windows_are_checked)
{
    hz_cron c;
    hz_error err;
    hz_cron_slot s[4];
    size_t n, skipped;
    HZ_CHECK(hz_cron_parse("* * * * *", &c, &err) == HZ_OK);
    HZ_CHECK(hz_tz_valid("Europe/Berlin") && hz_tz_valid("UTC"));
    HZ_CHECK(!hz_tz_valid("Mars/Olympus") && !hz_tz_valid("../etc/passwd"));
    HZ_CHECK(!hz_tz_valid("/etc/localtime") && !hz_tz_valid(""));
    HZ_CHECK(hz_cron_slots(&c, "Mars/Olympus", 0, 60, s, 4, &n, &skipped,
                           &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "not in the system tz database");
    HZ_CHECK(hz_cron_slots(&c, "UTC", 0, 400LL * 86400, s, 4, &n, &skipped,
                           &err) == HZ_EINVAL);
}

static hz_status no_params(const hz_job *job, hz_job_request *out,
                           hz_error *err)
{
    (void)job;
    (void)out;
    (void)err;
    return HZ_OK;
}

HZ_TEST(schedule_documents_and_slot_jobs)
{
    cJSON *d = cJSON_Parse(
        "{\"id\":\"nightly\",\"customerId\":\"acme\",\"cron\":\"0 6 * * *\","
        "\"timeZone\":\"Europe/Berlin\",\"catchUp\":3,\"job\":{\"type\":"
        "\"forecast\",\"dataset\":\"/data/a.csv\",\"params\":{\"date\":"
        "\"d\"}}}");
    hz_error err;
    HZ_CHECK(hz_schedule_check(d, no_params, &err) == HZ_OK);
    hz_cron_slot slot = {.t = utc(2026, 1, 5, 5, 0), .wall = "20260105T0600"};
    cJSON *job = hz_schedule_job(d, &slot, 1e9);
    HZ_CHECK_STR(cJSON_GetObjectItem(job, "id")->valuestring,
                 "nightly-20260105T0600");
    HZ_CHECK_STR(cJSON_GetObjectItem(job, "customerId")->valuestring, "acme");
    HZ_CHECK_STR(cJSON_GetObjectItem(job, "status")->valuestring, "queued");
    HZ_CHECK(cJSON_GetObjectItem(job, "createdAt")->valuedouble ==
             (double)slot.t);
    cJSON_Delete(job);
    hz_cron_slot next[2];
    size_t n = 0;
    HZ_CHECK(hz_schedule_next(d, utc(2026, 1, 5, 5, 0), next, 2, &n, &err) ==
             HZ_OK);
    HZ_CHECK(n == 2 && next[0].t == utc(2026, 1, 6, 5, 0));
    cJSON_ReplaceItemInObject(d, "timeZone", cJSON_CreateString("Nowhere"));
    HZ_CHECK(hz_schedule_check(d, no_params, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "field 'timeZone'");
    cJSON_ReplaceItemInObject(d, "timeZone", cJSON_CreateString("UTC"));
    cJSON_ReplaceItemInObject(d, "cron", cJSON_CreateString("0 25 * * *"));
    HZ_CHECK(hz_schedule_check(d, no_params, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "hour field '25'");
    cJSON_Delete(d);
}

/* ---- the next slots, however far; expressions that never fire ---- */

static size_t next_of(const char *expr, const char *tz, int64_t after,
                      hz_cron_slot *out, size_t max)
{
    char doc[256];
    snprintf(doc, sizeof doc,
             "{\"id\":\"s\",\"customerId\":\"acme\",\"cron\":\"%s\","
             "\"timeZone\":\"%s\"}",
             expr, tz);
    cJSON *d = cJSON_Parse(doc);
    hz_error err;
    size_t n = 0;
    if (hz_schedule_next(d, after, out, max, &n, &err) != HZ_OK)
        hz_test_fail(__FILE__, __LINE__, "%s: %s", expr, err.msg);
    cJSON_Delete(d);
    return n;
}

HZ_TEST(next_slot_of_every_minute)
{
    /* 10,080 slots a week: the next one is the next minute */
    hz_cron_slot s[3];
    size_t n = next_of("* * * * *", "UTC", utc(2026, 5, 1, 10, 0) + 30, s, 3);
    HZ_CHECK_MSG(n == 3, "%zu slots", n);
    HZ_CHECK(s[0].t == utc(2026, 5, 1, 10, 1));
    HZ_CHECK(s[2].t == utc(2026, 5, 1, 10, 3));
    HZ_CHECK_STR(s[0].wall, "20260501T1001");
    n = next_of("* * * * *", "Europe/Berlin", utc(2026, 12, 31, 22, 59), s, 1);
    HZ_CHECK(n == 1 && s[0].t == utc(2026, 12, 31, 23, 0));
    HZ_CHECK_STR(s[0].wall, "20270101T0000");
}

HZ_TEST(next_slot_of_29_february)
{
    hz_cron_slot s[3];
    size_t n = next_of("0 0 29 2 *", "UTC", utc(2026, 3, 1, 0, 0), s, 3);
    HZ_CHECK_MSG(n == 3, "%zu slots", n);
    HZ_CHECK_STR(s[0].wall, "20280229T0000");
    HZ_CHECK(s[0].t == utc(2028, 2, 29, 0, 0));
    HZ_CHECK_STR(s[1].wall, "20320229T0000");
    HZ_CHECK_STR(s[2].wall, "20360229T0000");
    /* 2100 is no leap year: from 2097 the next is eight years on */
    n = next_of("0 0 29 2 *", "UTC", utc(2097, 1, 1, 0, 0), s, 1);
    HZ_CHECK_MSG(n == 1, "%zu slots", n);
    HZ_CHECK_STR(s[0].wall, "21040229T0000");
    HZ_CHECK(s[0].t == utc(2104, 2, 29, 0, 0));
    /* in a zone: local midnight (CET, UTC+1) */
    n = next_of("0 0 29 2 *", "Europe/Berlin", utc(2097, 1, 1, 0, 0), s, 1);
    HZ_CHECK(n == 1 && s[0].t == utc(2104, 2, 28, 23, 0));
    HZ_CHECK_STR(s[0].wall, "21040229T0000");
    /* 29 February on a Monday only ("*" day of month with a step: both
     * fields must match): decades apart */
    n = next_of("0 12 */28 2 mon", "UTC", utc(2026, 3, 1, 0, 0), s, 2);
    HZ_CHECK(n == 2);
    HZ_CHECK_STR(s[0].wall, "20270201T1200"); /* 1 February, a Monday */
}

HZ_TEST(next_slot_across_daylight_saving)
{
    /* Berlin, 2026-03-29: 02:30 does not occur; its slot is at 03:00
     * CEST (01:00 UTC), as the runner creates it */
    hz_cron_slot s[2];
    size_t n = next_of("30 2 * * *", "Europe/Berlin", utc(2026, 3, 28, 12, 0),
                       s, 2);
    HZ_CHECK(n == 2);
    HZ_CHECK_STR(s[0].wall, "20260329T0230");
    HZ_CHECK(s[0].t == utc(2026, 3, 29, 1, 0));
    HZ_CHECK(s[1].t == utc(2026, 3, 30, 0, 30));
    /* 2026-10-25: 02:30 twice, the first one */
    n = next_of("30 2 * * *", "Europe/Berlin", utc(2026, 10, 24, 12, 0), s,
                2);
    HZ_CHECK(n == 2 && s[0].t == utc(2026, 10, 25, 0, 30));
    HZ_CHECK(s[1].t == utc(2026, 10, 26, 1, 30));
}

HZ_TEST(cron_that_never_fires_is_refused)
{
    hz_cron c;
    hz_error err;
    const char *never[] = {"0 0 31 2 *", "0 0 30 2 *", "0 0 30,31 feb *",
                           "0 0 31 4,6,9,11 *", "0 0 31 2 */2"};
    for (size_t i = 0; i < sizeof never / sizeof never[0]; i++) {
        HZ_CHECK_MSG(hz_cron_parse(never[i], &c, &err) == HZ_EINVAL, "'%s'",
                     never[i]);
        HZ_CHECK_CONTAINS(err.msg, "never fires");
        HZ_CHECK_CONTAINS(err.msg, never[i]);
    }
    /* these do fire: 29 February, 31 in a month that has it, a weekday
     * (either day field), day 1 of a "*" step */
    const char *fire[] = {"0 0 29 2 *", "0 0 31 1-2 *", "0 0 31 2 mon",
                          "0 0 */31 2 *", "0 0 31 * *"};
    for (size_t i = 0; i < sizeof fire / sizeof fire[0]; i++)
        HZ_CHECK_MSG(hz_cron_parse(fire[i], &c, &err) == HZ_OK, "'%s': %s",
                     fire[i], err.msg);
    cJSON *d = cJSON_Parse(
        "{\"id\":\"feb31\",\"customerId\":\"acme\",\"cron\":\"0 0 31 2 *\","
        "\"timeZone\":\"UTC\",\"job\":{\"type\":\"forecast\",\"dataset\":"
        "\"/data/a.csv\",\"params\":{\"date\":\"d\"}}}");
    HZ_CHECK(hz_schedule_check(d, no_params, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "cron '0 0 31 2 *': never fires");
    cJSON_Delete(d);
}

/* The slots of the minute-by-minute scan (the reference the scan that
 * passes days must equal). */
static size_t reference_slots(const hz_cron *c, const char *tz, int64_t from,
                              int64_t to, hz_cron_slot *out, size_t max)
{
    setenv("TZ", tz, 1);
    tzset();
    size_t n = 0;
    int64_t t = (from / 60 + 1) * 60;
    struct tm tm;
    time_t tt = (time_t)(t - 60);
    localtime_r(&tt, &tm);
    int64_t prev = (t - 60 + tm.tm_gmtoff) / 60, seen = prev;
    for (; t <= to && n < max; t += 60) {
        tt = (time_t)t;
        localtime_r(&tt, &tm);
        int64_t cur = (t + tm.tm_gmtoff) / 60;
        for (int64_t l = prev + 1; l <= cur && n < max; l++) {
            if (l < cur && l - prev > 24 * 60)
                continue;
            time_t lt = (time_t)(l * 60);
            struct tm w;
            gmtime_r(&lt, &w);
            if (l > seen && hz_cron_matches(c, &w)) {
                out[n].t = t;
                snprintf(out[n].wall, sizeof out[n].wall,
                         "%04d%02d%02dT%02d%02d", w.tm_year + 1900,
                         w.tm_mon + 1, w.tm_mday, w.tm_hour, w.tm_min);
                n++;
            }
        }
        if (cur > seen)
            seen = cur;
        prev = cur;
    }
    unsetenv("TZ");
    tzset();
    return n;
}

HZ_TEST(passing_days_gives_the_slots_of_a_minute_by_minute_scan)
{
    const char *exprs[] = {"30 2 * * *", "0 * * * *",    "*/7 1-3 * * *",
                           "15 1 1,15 * *", "0 3 * * sun", "0 0 * * *",
                           "45 23 * * *",  "0 0 29 2 *",  "* 2 * * *"};
    static const struct {
        const char *tz;
        int y, mo, d; /* a change near this day */
    } zones[] = {{"Europe/Berlin", 2026, 3, 27},
                 {"Europe/Berlin", 2026, 10, 23},
                 {"America/New_York", 2026, 11, 1},
                 {"Australia/Lord_Howe", 2026, 4, 3}, /* half an hour */
                 {"Australia/Lord_Howe", 2026, 10, 2},
                 {"Pacific/Apia", 2011, 12, 28}, /* 30 Dec 2011 skipped */
                 {"Asia/Kathmandu", 2026, 1, 1},
                 {"America/Santiago", 2026, 4, 3}, /* changes at midnight */
                 {"UTC", 2028, 2, 27}};
    enum { MAX = 800 };
    hz_cron_slot *a = calloc(MAX, sizeof *a), *b = calloc(MAX, sizeof *b);
    for (size_t z = 0; z < sizeof zones / sizeof zones[0]; z++) {
        if (!hz_tz_valid(zones[z].tz))
            continue;
        int64_t from = utc(zones[z].y, zones[z].mo, zones[z].d, 7, 13) + 17;
        int64_t to = from + 6 * 86400;
        for (size_t e = 0; e < sizeof exprs / sizeof exprs[0]; e++) {
            hz_cron c;
            hz_error err;
            HZ_CHECK(hz_cron_parse(exprs[e], &c, &err) == HZ_OK);
            size_t nb = reference_slots(&c, zones[z].tz, from, to, b, MAX);
            size_t na = 0, skipped = 0;
            HZ_CHECK(hz_cron_slots(&c, zones[z].tz, from, to, a, MAX, &na,
                                   &skipped, &err) == HZ_OK);
            bool same = na == nb && skipped == 0;
            for (size_t i = 0; same && i < na; i++)
                same = a[i].t == b[i].t && strcmp(a[i].wall, b[i].wall) == 0;
            HZ_CHECK_MSG(same, "%s in %s: %zu slots, reference %zu",
                         exprs[e], zones[z].tz, na, nb);
            /* and the next slots are the first of them */
            size_t nn = 0;
            HZ_CHECK(hz_cron_next(&c, zones[z].tz, from, a, nb ? nb : 1, &nn,
                                  &err) == HZ_OK);
            same = nn == (nb ? nb : 1);
            for (size_t i = 0; same && i < nb; i++)
                same = a[i].t == b[i].t && strcmp(a[i].wall, b[i].wall) == 0;
            HZ_CHECK_MSG(same, "next of %s in %s", exprs[e], zones[z].tz);
        }
    }
    free(a);
    free(b);
}
