/* Time zones read through the C library (engine/core/tzone.c): offsets
 * at instants, the wall times a zone's clocks skip (0 instants) or show
 * twice (2, earlier first), whole-day and half-hour changes, and names
 * that are no zone refused. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/tzgaps.h"
#include "core/tzone.h"
#include "horizon/dataset.h"
#include "hz_test.h"

static int64_t at(int y, unsigned m, unsigned d, int hh, int mm)
{
    return (int64_t)hz_days_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60;
}

static hz__tzone *open_zone(const char *name)
{
    hz__tzone *z = NULL;
    hz_error err;
    hz_status st = hz__tzone_open(name, hz_days_from_civil(1800, 1, 1),
                                  hz_days_from_civil(2200, 12, 31), &z, &err);
    if (st != HZ_OK)
        fprintf(stderr, "  %s: %s\n", name, err.msg);
    return z;
}

HZ_TEST(berlin_offsets_and_clock_changes)
{
    hz__tzone *z = open_zone("Europe/Berlin");
    HZ_CHECK(z != NULL);
    int64_t inst[2];
    int32_t off[2];
    HZ_CHECK(hz__tzone_offset(z, at(2024, 1, 15, 12, 0)) == 3600);
    HZ_CHECK(hz__tzone_offset(z, at(2024, 7, 15, 12, 0)) == 7200);
    /* 2024-03-31: 01:00 UTC, 02:00 -> 03:00 local */
    HZ_CHECK(hz__tzone_offset(z, at(2024, 3, 31, 0, 59)) == 3600);
    HZ_CHECK(hz__tzone_offset(z, at(2024, 3, 31, 1, 0)) == 7200);
    HZ_CHECK(hz__tzone_instants(z, at(2024, 3, 31, 1, 30), inst, off) == 1 &&
             inst[0] == at(2024, 3, 31, 0, 30));
    HZ_CHECK(hz__tzone_instants(z, at(2024, 3, 31, 2, 30), inst, off) == 0 &&
             inst[0] == at(2024, 3, 31, 1, 0) && off[0] == 3600 &&
             off[1] == 7200);
    HZ_CHECK(hz__tzone_instants(z, at(2024, 3, 31, 3, 0), inst, off) == 1 &&
             inst[0] == at(2024, 3, 31, 1, 0));
    /* 2024-10-27: 01:00 UTC, 03:00 -> 02:00 local */
    HZ_CHECK(hz__tzone_instants(z, at(2024, 10, 27, 2, 30), inst, off) == 2 &&
             inst[0] == at(2024, 10, 27, 0, 30) &&
             inst[1] == at(2024, 10, 27, 1, 30) && off[0] == 7200 &&
             off[1] == 3600);
    HZ_CHECK(hz__tzone_instants(z, at(2024, 10, 27, 3, 0), inst, off) == 1);
    /* the rule goes on past the tz database's last explicit change */
    HZ_CHECK(hz__tzone_instants(z, at(2150, 3, 29, 2, 30), inst, off) == 0);
    HZ_CHECK(strcmp(hz__tzone_name(z), "Europe/Berlin") == 0);
    hz__tzone_free(z);
    /* a window to 9999 is sampled to 2438 and repeats every 400 years
     * (the last Sundays of March 2150, 2550 and 9750 are the 29th) */
    hz_error err;
    z = NULL;
    HZ_CHECK(hz__tzone_open("Europe/Berlin", hz_days_from_civil(9000, 1, 1),
                            hz_days_from_civil(9999, 12, 31), &z,
                            &err) == HZ_OK);
    HZ_CHECK(hz__tzone_instants(z, at(2550, 3, 29, 2, 30), inst, off) == 0 &&
             inst[0] == at(2550, 3, 29, 1, 0));
    HZ_CHECK(hz__tzone_instants(z, at(9750, 3, 29, 2, 30), inst, off) == 0 &&
             inst[0] == at(9750, 3, 29, 1, 0));
    HZ_CHECK(hz__tzone_instants(z, at(9750, 10, 25, 2, 30), inst, off) == 2 &&
             inst[1] == at(9750, 10, 25, 1, 30));
    HZ_CHECK(hz__tzone_offset(z, at(9999, 7, 1, 0, 0)) == 7200 &&
             hz__tzone_offset(z, at(9999, 12, 1, 0, 0)) == 3600);
    hz__tzone_free(z);
}

HZ_TEST(half_hour_and_whole_day_changes)
{
    hz__tzone *z = open_zone("Australia/Lord_Howe");
    int64_t inst[2];
    int32_t off[2];
    HZ_CHECK(z != NULL);
    { /* +10:30 / +11:00, changes at 02:00 local */
        HZ_CHECK(hz__tzone_instants(z, at(2024, 10, 6, 2, 15), inst, off) == 0);
        HZ_CHECK(hz__tzone_instants(z, at(2024, 4, 7, 1, 45), inst, off) == 2);
        HZ_CHECK(hz__tzone_instants(z, at(2024, 4, 7, 2, 0), inst, off) == 1);
    }
    hz__tzone_free(z);
    z = open_zone("Pacific/Apia"); /* 30 December 2011 never happened */
    HZ_CHECK(z != NULL);
    {
        HZ_CHECK(hz__tzone_instants(z, at(2011, 12, 30, 12, 0), inst, off) ==
                 0);
        HZ_CHECK(hz__tzone_instants(z, at(2011, 12, 29, 23, 59), inst, off) ==
                 1);
        HZ_CHECK(hz__tzone_instants(z, at(2011, 12, 31, 0, 0), inst, off) == 1);
    }
    hz__tzone_free(z);
    z = open_zone("UTC");
    HZ_CHECK(z != NULL);
    HZ_CHECK(hz__tzone_instants(z, at(2024, 3, 31, 2, 30), inst, off) ==
                     1 &&
                 inst[0] == at(2024, 3, 31, 2, 30));
    hz__tzone_free(z);
}

HZ_TEST(names_that_are_no_zone_are_refused)
{
    static const char *const bad[] = {"Europe/Berln", "../etc/passwd",
                                      "/etc/localtime", "", "Europe",
                                      "Europe/Berlin;x"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        hz__tzone *z = NULL;
        hz_error err;
        HZ_CHECK_MSG(hz__tzone_open(bad[k], 0, 10, &z, &err) == HZ_EINVAL &&
                         z == NULL,
                     "'%s' accepted", bad[k]);
        HZ_CHECK_CONTAINS(err.msg, "is not a zone of the system tz database");
    }
}

/* A file of the tz database that holds no zone ("leapseconds",
 * "zone.tab" without its dot) is no zone either: TZ took it for UTC, so
 * --tz leapseconds read every time as UTC without a word. */
HZ_TEST(files_that_hold_no_zone_are_refused)
{
    char dir[] = "/tmp/hz_tzdir_XXXXXX";
    HZ_CHECK(mkdtemp(dir) != NULL);
    char path[64];
    snprintf(path, sizeof path, "%s/leapseconds", dir);
    FILE *f = fopen(path, "w");
    HZ_CHECK(f != NULL);
    fputs("# Allowance for leap seconds added to each time zone file.\n", f);
    fclose(f);
    const char *old = getenv("TZDIR");
    char *saved = old != NULL ? strdup(old) : NULL;
    setenv("TZDIR", dir, 1);
    hz__tzone *z = NULL;
    hz_error err;
    HZ_CHECK_MSG(hz__tzone_open("leapseconds", 0, 10, &z, &err) == HZ_EINVAL &&
                     z == NULL,
                 "a file that holds no zone accepted");
    HZ_CHECK_CONTAINS(err.msg, "is not a zone of the system tz database");
    hz__tzone_free(z);
    if (saved != NULL)
        setenv("TZDIR", saved, 1);
    else
        unsetenv("TZDIR");
    free(saved);
    remove(path);
    rmdir(dir);
}

static bool tz_is(const char *want)
{
    const char *v = getenv("TZ");
    return v != NULL && strcmp(v, want) == 0;
}

/* hz_tz_enter / hz_tz_leave, the one save and restore of TZ (the zone
 * scan here, the schedules' in jobs/runner/cron.c): the zone's local
 * time while entered, and TZ as it was after, set or unset. */
HZ_TEST(tz_enter_and_leave_restore_tz)
{
    const char *old = getenv("TZ");
    char *keep = old != NULL ? strdup(old) : NULL;
    const time_t t = (time_t)at(2024, 7, 1, 12, 0);
    struct tm tm;
    char *saved = NULL;

    setenv("TZ", "Asia/Tokyo", 1);
    HZ_CHECK(hz_tz_enter("Europe/Berlin", &saved));
    HZ_CHECK(saved != NULL && strcmp(saved, "Asia/Tokyo") == 0);
    HZ_CHECK(localtime_r(&t, &tm) != NULL && tm.tm_gmtoff == 7200);
    hz_tz_leave(saved);
    HZ_CHECK(tz_is("Asia/Tokyo"));
    HZ_CHECK(localtime_r(&t, &tm) != NULL && tm.tm_gmtoff == 9 * 3600);

    unsetenv("TZ");
    HZ_CHECK(hz_tz_enter("America/New_York", &saved));
    HZ_CHECK(saved == NULL);
    HZ_CHECK(localtime_r(&t, &tm) != NULL && tm.tm_gmtoff == -4 * 3600);
    hz_tz_leave(saved);
    HZ_CHECK(getenv("TZ") == NULL);

    /* hz__tzone_open leaves TZ as it found it */
    setenv("TZ", "Asia/Tokyo", 1);
    hz__tzone *z = open_zone("Europe/Berlin");
    HZ_CHECK(z != NULL);
    HZ_CHECK(tz_is("Asia/Tokyo"));
    hz__tzone_free(z);

    if (keep != NULL)
        setenv("TZ", keep, 1);
    else
        unsetenv("TZ");
    tzset();
    free(keep);
}

/* The periods a zone's clocks skip or show twice (engine/core/tzgaps.c):
 * periods keep their numbers (floor(wall time / len)); Berlin's 02:00 on
 * 2024-03-31 is skipped (two half-hours), its 02:00 on 2024-10-27 shown
 * twice; Lord Howe's half-hour skips no hour; Samoa's lost day skips 24. */
static int64_t hour_of(int64_t t, int64_t len)
{
    return t / len;
}

HZ_TEST(skipped_and_repeated_wall_periods)
{
    hz__tzone *z = open_zone("Europe/Berlin");
    HZ_CHECK(z != NULL);
    const hz__tzgaps *g = hz__tzgaps_of(z);
    HZ_CHECK(g != NULL && hz__tzgaps_of(z) == g); /* kept, found again */
    const hz__tzgaps *h = hz__tzgaps_periods(g, 3600);
    HZ_CHECK(h != NULL && hz__tzgaps_len(h) == 3600);
    const int64_t two = hour_of(at(2024, 3, 31, 2, 0), 3600);
    HZ_CHECK(hz__tzgaps_skipped(h, two));
    HZ_CHECK(!hz__tzgaps_skipped(h, two - 1) &&
             !hz__tzgaps_skipped(h, two + 1));
    HZ_CHECK(!hz__tzgaps_repeated(h, two));
    HZ_CHECK(hz__tzgaps_count(h, two - 48, two + 48) == 1);
    HZ_CHECK(hz__tzgaps_count(h, two + 1, two + 48) == 0);
    /* one a year from 1980 (summer time) to 2024 */
    HZ_CHECK(hz__tzgaps_count(h, hour_of(at(1980, 1, 1, 0, 0), 3600), two) ==
             45);
    const int64_t fall = hour_of(at(2024, 10, 27, 2, 0), 3600);
    HZ_CHECK(hz__tzgaps_repeated(h, fall) && !hz__tzgaps_skipped(h, fall));
    HZ_CHECK(!hz__tzgaps_repeated(h, fall - 1) &&
             !hz__tzgaps_repeated(h, fall + 1));
    const hz__tzgaps *m = hz__tzgaps_periods(g, 1800);
    HZ_CHECK(m != NULL);
    HZ_CHECK(hz__tzgaps_skipped(m, 2 * two) &&
             hz__tzgaps_skipped(m, 2 * two + 1));
    HZ_CHECK(hz__tzgaps_count(m, 2 * two - 10, 2 * two + 10) == 2);
    hz__tzone_free(z);

    z = open_zone("Australia/Lord_Howe");
    HZ_CHECK(z != NULL);
    g = hz__tzgaps_of(z);
    HZ_CHECK(g != NULL);
    h = hz__tzgaps_periods(g, 3600);
    /* 02:00 .. 02:30 skipped: the hour from 02:00 still exists */
    HZ_CHECK(h == NULL ||
             !hz__tzgaps_skipped(h, hour_of(at(2024, 10, 6, 2, 0), 3600)));
    m = hz__tzgaps_periods(g, 1800);
    HZ_CHECK(m != NULL);
    HZ_CHECK(hz__tzgaps_skipped(m, hour_of(at(2024, 10, 6, 2, 0), 1800)));
    HZ_CHECK(!hz__tzgaps_skipped(m, hour_of(at(2024, 10, 6, 2, 30), 1800)));
    hz__tzone_free(z);

    z = open_zone("Pacific/Apia");
    HZ_CHECK(z != NULL);
    h = hz__tzgaps_periods(hz__tzgaps_of(z), 3600);
    HZ_CHECK(h != NULL);
    const int64_t d30 = hour_of(at(2011, 12, 30, 0, 0), 3600);
    HZ_CHECK(hz__tzgaps_count(h, d30 - 5, d30 + 30) == 24);
    HZ_CHECK(!hz__tzgaps_skipped(h, d30 + 24));
    hz__tzone_free(z);
}
