/* Cron expressions and their slots (see cron.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runner/cron.h"

typedef struct field_spec {
    const char *name;
    int lo, hi;
    const char *const *names; /* names of lo, lo+1, ... or NULL */
} field_spec;

static const char *const month_names[] = {"jan", "feb", "mar", "apr", "may",
                                          "jun", "jul", "aug", "sep", "oct",
                                          "nov", "dec", NULL};
static const char *const day_names[] = {"sun", "mon", "tue", "wed",
                                        "thu", "fri", "sat", NULL};

static const field_spec fields[5] = {{"minute", 0, 59, NULL},
                                     {"hour", 0, 23, NULL},
                                     {"day of month", 1, 31, NULL},
                                     {"month", 1, 12, month_names},
                                     {"day of week", 0, 7, day_names}};

/* A number or (for months and weekdays) a name at *p. */
static bool parse_value(const field_spec *f, const char **p, int *out)
{
    if (isdigit((unsigned char)**p)) {
        char *end;
        long v = strtol(*p, &end, 10);
        if (v < f->lo || v > f->hi)
            return false;
        *out = (int)v;
        *p = end;
        return true;
    }
    for (int i = 0; f->names != NULL && f->names[i] != NULL; i++)
        if (strncasecmp(*p, f->names[i], 3) == 0) {
            *out = f->lo + i;
            *p += 3;
            return true;
        }
    return false;
}

/* One item of a list: "*", "*\/n", "a", "a-b", "a-b/n". */
static bool parse_item(const field_spec *f, const char *s, uint64_t *bits)
{
    int a = f->lo, b = f->hi, step = 1;
    const char *p = s;
    if (*p == '*') {
        p++;
    } else {
        if (!parse_value(f, &p, &a))
            return false;
        b = a;
        if (*p == '-') {
            p++;
            if (!parse_value(f, &p, &b) || b < a)
                return false;
        }
    }
    if (*p == '/') {
        char *end;
        long v = strtol(p + 1, &end, 10);
        if (p[1] == '\0' || *end != '\0' || v < 1 || v > f->hi)
            return false;
        step = (int)v;
        if (s[0] != '*' && a == b)
            b = f->hi; /* "5/15" = from 5 on, every 15 */
        p = end;
    }
    if (*p != '\0')
        return false;
    for (int v = a; v <= b; v += step)
        *bits |= 1ULL << v;
    return true;
}

static bool parse_field(const field_spec *f, const char *s, uint64_t *bits)
{
    char buf[128];
    if (strlen(s) >= sizeof buf || s[0] == ',' || strstr(s, ",,") != NULL)
        return false;
    snprintf(buf, sizeof buf, "%s", s);
    *bits = 0;
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t;
         t = strtok_r(NULL, ",", &save))
        if (!parse_item(f, t, bits))
            return false;
    return *bits != 0 && s[strlen(s) - 1] != ',';
}

/* Whether c has a day at all.  Restricted day-of-month and day-of-week
 * fields mean either, and every month has every weekday.  Otherwise a
 * day of month must occur in a month of c: then, over the 400 years
 * after which the Gregorian calendar repeats, that date falls on every
 * weekday (29 February too), so a weekday field cannot rule it out.
 * Every day has every minute (the slot of a wall time the clock skips
 * runs after the jump). */
static bool can_fire(const hz_cron *c)
{
    static const int days_in[13] = {0,  31, 29, 31, 30, 31, 30,
                                    31, 31, 30, 31, 30, 31};
    if (!c->mday_any && !c->wday_any)
        return true;
    for (int m = 1; m <= 12; m++)
        if ((c->months >> m & 1) &&
            (c->mdays & (((1u << days_in[m]) - 1u) << 1)) != 0)
            return true;
    return false;
}

static const char *expand_macro(const char *expr)
{
    static const struct {
        const char *name, *expr;
    } m[] = {{"@hourly", "0 * * * *"},   {"@daily", "0 0 * * *"},
             {"@midnight", "0 0 * * *"}, {"@weekly", "0 0 * * 0"},
             {"@monthly", "0 0 1 * *"},  {"@yearly", "0 0 1 1 *"},
             {"@annually", "0 0 1 1 *"}};
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        if (strcasecmp(expr, m[i].name) == 0)
            return m[i].expr;
    return expr;
}

hz_status hz_cron_parse(const char *expr, hz_cron *out, hz_error *err)
{
    memset(out, 0, sizeof *out);
    const char *e = expand_macro(expr);
    char part[5][128];
    char tail[2];
    if (strlen(e) > 600 ||
        sscanf(e, "%127s %127s %127s %127s %127s %1s", part[0], part[1],
               part[2], part[3], part[4], tail) != 5)
        return hz_error_set(err, HZ_EINVAL,
                            "cron '%s': expected five fields (minute hour "
                            "day-of-month month day-of-week) or @daily, "
                            "@hourly, ...",
                            expr);
    uint64_t bits[5];
    for (int i = 0; i < 5; i++)
        if (!parse_field(&fields[i], part[i], &bits[i]))
            return hz_error_set(err, HZ_EINVAL,
                                "cron '%s': %s field '%s': expected *, "
                                "N, A-B, */S or a list, within %d-%d",
                                expr, fields[i].name, part[i], fields[i].lo,
                                fields[i].hi);
    out->minutes = bits[0];
    out->hours = (uint32_t)bits[1];
    out->mdays = (uint32_t)bits[2];
    out->months = (uint16_t)bits[3];
    out->wdays = (uint8_t)((bits[4] | (bits[4] >> 7)) & 0x7f);
    out->mday_any = part[2][0] == '*';
    out->wday_any = part[4][0] == '*';
    if (!can_fire(out))
        return hz_error_set(err, HZ_EINVAL,
                            "cron '%s': never fires: no month of its month "
                            "field has a day of its day-of-month field "
                            "(e.g. 31 February)",
                            expr);
    return HZ_OK;
}

/* A day (month 1-12, day of month, weekday 0-6) of c. */
static bool day_matches(const hz_cron *c, int mon, int mday, int wday)
{
    if (!(c->months >> mon & 1))
        return false;
    bool md = c->mdays >> mday & 1, wd = c->wdays >> wday & 1;
    if (c->mday_any || c->wday_any)
        return md && wd;
    return md || wd;
}

bool hz_cron_matches(const hz_cron *c, const struct tm *tm)
{
    return (c->minutes >> tm->tm_min & 1) && (c->hours >> tm->tm_hour & 1) &&
           day_matches(c, tm->tm_mon + 1, tm->tm_mday, tm->tm_wday);
}

/* ---- slots ---- */

typedef struct slot_buf {
    hz_cron_slot *out;
    size_t max, n, skipped;
    bool keep_first; /* a full buffer keeps its slots (next slots) */
} slot_buf;

/* Keep the latest max slots: a full buffer drops its oldest (or, with
 * keep_first, the new one). */
static void push_slot(slot_buf *b, int64_t t, int64_t local_min)
{
    if (b->max == 0 || (b->keep_first && b->n == b->max)) {
        b->skipped++;
        return;
    }
    if (b->n == b->max) {
        memmove(b->out, b->out + 1, (b->max - 1) * sizeof *b->out);
        b->n--;
        b->skipped++;
    }
    time_t lt = (time_t)(local_min * 60);
    struct tm w;
    gmtime_r(&lt, &w); /* the local wall fields, read as UTC */
    hz_cron_slot *s = &b->out[b->n++];
    s->t = t;
    snprintf(s->wall, sizeof s->wall, "%04d%02d%02dT%02d%02d",
             w.tm_year + 1900, w.tm_mon + 1, w.tm_mday, w.tm_hour, w.tm_min);
}

static bool wall_matches(const hz_cron *c, int64_t local_min)
{
    time_t lt = (time_t)(local_min * 60);
    struct tm w;
    gmtime_r(&lt, &w);
    return hz_cron_matches(c, &w);
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return a % b != 0 && (a < 0) != (b < 0) ? q - 1 : q;
}

/* Local wall minute of t (minutes since the epoch of the local clock);
 * *off its UTC offset in seconds. */
static int64_t local_minute(int64_t t, long *off)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    *off = tm.tm_gmtoff;
    return floor_div(t + tm.tm_gmtoff, 60);
}

/* ---- the calendar: the next matching wall minute ---- */

/* The Gregorian calendar, weekdays included, repeats every 400 years. */
#define CRON_CYCLE_DAYS 146097

/* The civil date of day z (days since 1970-01-01; H. Hinnant's
 * days-to-civil). */
static void civil_from_days(int64_t z, int *mon, int *mday)
{
    z += 719468;
    int64_t era = floor_div(z, CRON_CYCLE_DAYS);
    int64_t doe = z - era * CRON_CYCLE_DAYS;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *mday = (int)(doy - (153 * mp + 2) / 5 + 1);
    *mon = (int)(mp < 10 ? mp + 3 : mp - 9);
}

/* The first wall minute >= w that c matches (days that do not match are
 * passed a day at a time, then hours, then minutes); false when there
 * is none within the 400-year cycle, i.e. never. */
static bool next_wall(const hz_cron *c, int64_t w, int64_t *out)
{
    int64_t day = floor_div(w, 1440);
    int from = (int)(w - day * 1440); /* minute of the first day */
    for (int64_t k = 0; k <= CRON_CYCLE_DAYS; k++, day++, from = 0) {
        int mon, mday;
        civil_from_days(day, &mon, &mday);
        /* 1970-01-01 was a Thursday */
        int wday = (int)(day + 4 - floor_div(day + 4, 7) * 7);
        if (!day_matches(c, mon, mday, wday))
            continue;
        for (int h = from / 60; h < 24; h++) {
            if (!(c->hours >> h & 1))
                continue;
            for (int m = h == from / 60 ? from % 60 : 0; m < 60; m++)
                if (c->minutes >> m & 1) {
                    *out = day * 1440 + h * 60 + m;
                    return true;
                }
        }
    }
    return false;
}

/* ---- the scan: minute by minute where it matters ---- */

/* Beyond any UTC offset of the tz database (+14:00, -12:00): the local
 * clock at UTC time t never reads more than t + OFFSET_BOUND. */
#define OFFSET_BOUND (15 * 3600)

typedef struct scanner {
    const hz_cron *c;
    int64_t t;    /* the next UTC minute to look at */
    int64_t prev; /* the wall minute at t - 60 */
    long off;     /* the UTC offset at t - 60 */
    int64_t seen; /* the latest wall minute passed */
} scanner;

static void scan_start(scanner *s, const hz_cron *c, int64_t from)
{
    s->c = c;
    s->t = (floor_div(from, 60) + 1) * 60; /* first whole minute after */
    s->prev = local_minute(s->t - 60, &s->off);
    s->seen = s->prev;
}

/* Jump to UTC minute t (no wall minute read before it can be a slot). */
static void scan_jump(scanner *s, int64_t t)
{
    s->t = t;
    s->prev = local_minute(t - 60, &s->off);
    if (s->prev > s->seen)
        s->seen = s->prev;
}

/* Pass the minutes before the next wall minute w that c matches: every
 * minute whose wall clock reads less than w gives no slot.  Any zone's
 * clock reads less than w until w - OFFSET_BOUND (UTC); from there, with
 * the offset of now, until w itself, unless the offset is not the same
 * there (a daylight-saving change on the way: then minute by minute, as
 * the slots of a change need).  The remaining span is at most a day and
 * a bit, so the same offset at both ends means no change between.
 * False when c never matches. */
static bool scan_skip(scanner *s)
{
    int64_t w;
    if (!next_wall(s->c, s->seen + 1, &w))
        return false;
    int64_t safe = floor_div(w * 60 - OFFSET_BOUND, 60) * 60;
    if (safe > s->t)
        scan_jump(s, safe);
    int64_t at = floor_div(w * 60 - s->off, 60) * 60;
    if (at > s->t) {
        long off;
        (void)local_minute(at - 60, &off);
        if (off == s->off)
            scan_jump(s, at);
    }
    return true;
}

/* Look at minute s->t: the slots due then. */
static void scan_step(scanner *s, slot_buf *b)
{
    long off;
    int64_t cur = local_minute(s->t, &off);
    /* the clock jumped forward: wall minutes that never occur are due
     * now */
    for (int64_t l = s->prev + 1; l < cur && l - s->prev <= 24 * 60; l++)
        if (l > s->seen && wall_matches(s->c, l))
            push_slot(b, s->t, l);
    /* the clock went back: a wall minute seen before is not again */
    if (cur > s->seen && wall_matches(s->c, cur))
        push_slot(b, s->t, cur);
    if (cur > s->seen)
        s->seen = cur;
    s->prev = cur;
    s->off = off;
    s->t += 60;
}

static hz_status tz_check(const char *tz, hz_error *err)
{
    if (hz_tz_valid(tz))
        return HZ_OK;
    return hz_error_set(err, HZ_EINVAL,
                        "time zone '%s': not in the system tz database "
                        "(e.g. Europe/Berlin, America/New_York, UTC)",
                        tz ? tz : "(null)");
}

hz_status hz_cron_slots(const hz_cron *c, const char *tz, int64_t from,
                        int64_t to, hz_cron_slot *out, size_t max, size_t *n,
                        size_t *skipped, hz_error *err)
{
    *n = 0;
    if (skipped != NULL)
        *skipped = 0;
    hz_status rc = tz_check(tz, err);
    if (rc != HZ_OK)
        return rc;
    if (to - from > 366LL * 86400)
        return hz_error_set(err, HZ_EINVAL,
                            "schedule window of %.0f days: at most 366",
                            (double)(to - from) / 86400);
    if (to <= from)
        return HZ_OK;
    char *saved;
    if (!hz_tz_enter(tz, &saved))
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    slot_buf b = {.out = out, .max = max};
    scanner s;
    scan_start(&s, c, from);
    while (scan_skip(&s) && s.t <= to)
        scan_step(&s, &b);
    hz_tz_leave(saved);
    *n = b.n;
    if (skipped != NULL)
        *skipped = b.skipped;
    return HZ_OK;
}

hz_status hz_cron_next(const hz_cron *c, const char *tz, int64_t after,
                       hz_cron_slot *out, size_t max, size_t *n,
                       hz_error *err)
{
    *n = 0;
    hz_status rc = tz_check(tz, err);
    if (rc != HZ_OK || max == 0)
        return rc;
    char *saved;
    if (!hz_tz_enter(tz, &saved))
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    slot_buf b = {.out = out, .max = max, .keep_first = true};
    scanner s;
    scan_start(&s, c, after);
    /* a cron that can fire does within the 400-year cycle (and a slot
     * within a day of its wall time) */
    int64_t end = after + (CRON_CYCLE_DAYS + 2) * 86400LL;
    while (b.n < max && s.t <= end && scan_skip(&s))
        scan_step(&s, &b);
    hz_tz_leave(saved);
    *n = b.n;
    return HZ_OK;
}
