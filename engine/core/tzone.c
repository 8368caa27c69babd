/* Time zones of the system tz database, read through the C library: the
 * zone's UTC offset is sampled at every UTC midnight of the range with
 * localtime_r under TZ=zone, and each change is found to the second by
 * bisection.  No rules of our own: the offsets are the C library's
 * (Debian's tzdata).  See tzone.h. */
#include "core/tzone.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "horizon/dataset.h"

struct hz__tzone {
    char name[128];
    size_t n;
    int64_t *at;  /* at[k]: the first instant of period k (at[0]: none) */
    int32_t *off; /* off[k]: its UTC offset, seconds east */
    int64_t cycle_from; /* instants from here on repeat those 400 years
                           before (INT64_MAX: none past the range) */
};

/* 400 Gregorian years, a whole number of weeks: past the tz database's
 * last listed change (2037) a zone follows one yearly rule, whose
 * changes fall on the same dates and weekdays every 400 years, so the
 * range is sampled to 2438 at most and later instants are taken 400
 * years back (a --date-window to 9999 costs no more than one to 2438). */
#define CYCLE_SECS ((int64_t)146097 * 86400)

/* See horizon/dataset.h (the schedules' zones too, jobs/runner/cron.c). */
bool hz_tz_valid(const char *name)
{
    if (name == NULL)
        return false;
    if (strcmp(name, "UTC") == 0)
        return true;
    size_t len = strlen(name);
    if (len == 0 || len >= sizeof((hz__tzone *)0)->name || name[0] == '/' ||
        strstr(name, "..") != NULL)
        return false;
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && strchr("/_+-", *p) == NULL)
            return false;
    const char *dir = getenv("TZDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/%s",
             dir != NULL && dir[0] != '\0' ? dir : "/usr/share/zoneinfo",
             name);
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return false;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return false;
    char magic[4];
    const bool tzif = fread(magic, 1, sizeof magic, f) == sizeof magic &&
                      memcmp(magic, "TZif", sizeof magic) == 0;
    fclose(f);
    return tzif;
}

/* See horizon/dataset.h. */
bool hz_tz_enter(const char *name, char **saved)
{
    const char *old = getenv("TZ");
    *saved = NULL;
    if (old != NULL && (*saved = strdup(old)) == NULL)
        return false;
    if (setenv("TZ", name, 1) != 0) {
        free(*saved);
        *saved = NULL;
        return false;
    }
    tzset();
    return true;
}

void hz_tz_leave(char *saved)
{
    if (saved != NULL)
        setenv("TZ", saved, 1);
    else
        unsetenv("TZ");
    tzset();
    free(saved);
}

static int32_t offset_now(int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (localtime_r(&tt, &tm) == NULL)
        return 0;
    return (int32_t)tm.tm_gmtoff;
}

static bool push(hz__tzone *z, size_t *cap, int64_t at, int32_t off)
{
    if (z->n == *cap) {
        size_t c = *cap ? *cap * 2 : 64;
        int64_t *a = realloc(z->at, c * sizeof *a);
        if (a == NULL)
            return false;
        z->at = a;
        int32_t *o = realloc(z->off, c * sizeof *o);
        if (o == NULL)
            return false;
        z->off = o;
        *cap = c;
    }
    z->at[z->n] = at;
    z->off[z->n] = off;
    z->n++;
    return true;
}

/* Sample the range under TZ (set by the caller). */
static bool scan(hz__tzone *z, int32_t day_lo, int32_t day_hi)
{
    size_t cap = 0;
    /* the tz database records no change before 1800 */
    const int32_t d1800 = hz_days_from_civil(1800, 1, 1);
    const int32_t d2438 = hz_days_from_civil(2438, 1, 1);
    int32_t d0 = (day_lo > d1800 ? day_lo : d1800) - 2;
    z->cycle_from = INT64_MAX;
    if (day_hi > d2438) {
        day_hi = d2438;
        z->cycle_from = (int64_t)d2438 * 86400;
    }
    if (z->cycle_from != INT64_MAX && d0 > d2438 - 146097 - 2)
        d0 = d2438 - 146097 - 2; /* the 400 years later ones repeat */
    int32_t prev = offset_now((int64_t)d0 * 86400);
    if (!push(z, &cap, INT64_MIN, prev))
        return false;
    for (int64_t d = (int64_t)d0 + 1; d <= (int64_t)day_hi + 2; d++) {
        int32_t o = offset_now(d * 86400);
        if (o == prev)
            continue;
        int64_t lo = (d - 1) * 86400, hi = d * 86400; /* off(lo) = prev */
        while (hi - lo > 1) {
            int64_t mid = lo + (hi - lo) / 2;
            if (offset_now(mid) == prev)
                lo = mid;
            else
                hi = mid;
        }
        if (!push(z, &cap, hi, o))
            return false;
        prev = o;
    }
    return true;
}

hz_status hz__tzone_open(const char *name, int32_t day_lo, int32_t day_hi,
                         hz__tzone **out, hz_error *err)
{
    *out = NULL;
    if (!hz_tz_valid(name))
        return hz_error_set(err, HZ_EINVAL,
                            "--tz: '%s' is not a zone of the system tz "
                            "database (an Area/City name such as "
                            "Europe/Berlin or America/New_York, or UTC)",
                            name ? name : "(null)");
    hz__tzone *z = calloc(1, sizeof *z);
    if (z == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    snprintf(z->name, sizeof z->name, "%s", name);
    char *saved;
    if (!hz_tz_enter(name, &saved)) {
        free(z);
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    }
    bool ok = scan(z, day_lo, day_hi);
    hz_tz_leave(saved);
    if (!ok) {
        hz__tzone_free(z);
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    }
    *out = z;
    return HZ_OK;
}

void hz__tzone_free(hz__tzone *z)
{
    if (z == NULL)
        return;
    free(z->at);
    free(z->off);
    free(z);
}

const char *hz__tzone_name(const hz__tzone *z)
{
    return z->name;
}

size_t hz__tzone_changes(const hz__tzone *z, const int64_t **at,
                         const int32_t **off)
{
    *at = z->at;
    *off = z->off;
    return z->n;
}

/* The period holding instant t: the last k with at[k] <= t. */
static size_t period_of(const hz__tzone *z, int64_t t)
{
    size_t lo = 0, hi = z->n; /* at[lo] <= t < at[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (z->at[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* How far t is taken back into the sampled range (a multiple of 400
 * years; 0 inside it). */
static int64_t cycle_shift(const hz__tzone *z, int64_t t)
{
    if (t < z->cycle_from)
        return 0;
    return ((t - z->cycle_from) / CYCLE_SECS + 1) * CYCLE_SECS;
}

int32_t hz__tzone_offset(const hz__tzone *z, int64_t t)
{
    return z->off[period_of(z, t - cycle_shift(z, t))];
}

int hz__tzone_instants(const hz__tzone *z, int64_t wall, int64_t inst[2],
                       int32_t off[2])
{
    /* offsets stay within a day of UTC: the periods that could hold the
     * instant are those from a day before to a day after */
    inst[0] = inst[1] = 0;
    off[0] = off[1] = 0;
    const int64_t shift = cycle_shift(z, wall);
    wall -= shift;
    size_t k = period_of(z, wall - 86400);
    int n = 0;
    for (; k < z->n && (k == 0 || z->at[k] <= wall + 86400); k++) {
        int64_t t = wall - z->off[k];
        bool in = (k == 0 || t >= z->at[k]) &&
                  (k + 1 == z->n || t < z->at[k + 1]);
        if (in && n < 2) {
            inst[n] = t;
            off[n] = z->off[k];
            n++;
        }
        if (!in && n == 0 && k + 1 < z->n && t >= z->at[k + 1] &&
            wall - z->off[k + 1] < z->at[k + 1]) {
            inst[0] = z->at[k + 1]; /* skipped: the change, both offsets */
            off[0] = z->off[k];
            off[1] = z->off[k + 1];
        }
    }
    inst[0] += shift;
    inst[1] += shift;
    return n;
}
