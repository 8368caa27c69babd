/* Cron expressions and their slots (see cron.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

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
    return HZ_OK;
}

bool hz_cron_matches(const hz_cron *c, const struct tm *tm)
{
    if (!(c->minutes >> tm->tm_min & 1) || !(c->hours >> tm->tm_hour & 1) ||
        !(c->months >> (tm->tm_mon + 1) & 1))
        return false;
    bool md = c->mdays >> tm->tm_mday & 1, wd = c->wdays >> tm->tm_wday & 1;
    if (c->mday_any || c->wday_any)
        return md && wd;
    return md || wd;
}

bool hz_tz_valid(const char *tz)
{
    if (tz == NULL || tz[0] == '\0' || strlen(tz) > 200 || tz[0] == '/' ||
        strstr(tz, "..") != NULL)
        return false;
    for (const char *p = tz; *p; p++)
        if (!isalnum((unsigned char)*p) && strchr("/_+-", *p) == NULL)
            return false;
    if (strcmp(tz, "UTC") == 0)
        return true;
    const char *dir = getenv("TZDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/%s",
             dir && dir[0] ? dir : "/usr/share/zoneinfo", tz);
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* ---- slots ---- */

typedef struct slot_buf {
    hz_cron_slot *out;
    size_t max, n, skipped;
} slot_buf;

/* Keep the latest max slots: a full buffer drops its oldest. */
static void push_slot(slot_buf *b, int64_t t, int64_t local_min)
{
    if (b->max == 0) {
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

/* Local wall minute of t (minutes since the epoch of the local clock). */
static int64_t local_minute(int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    return (t + tm.tm_gmtoff) / 60;
}

static void scan(const hz_cron *c, int64_t from, int64_t to, slot_buf *b)
{
    int64_t t = (from / 60 + 1) * 60; /* first whole minute after from */
    int64_t prev = local_minute(t - 60);
    int64_t seen = prev; /* latest wall minute passed */
    for (; t <= to; t += 60) {
        int64_t cur = local_minute(t);
        /* the clock jumped forward: wall minutes that never occur are due
         * now */
        for (int64_t l = prev + 1; l < cur && l - prev <= 24 * 60; l++)
            if (l > seen && wall_matches(c, l))
                push_slot(b, t, l);
        /* the clock went back: a wall minute seen before is not again */
        if (cur > seen && wall_matches(c, cur))
            push_slot(b, t, cur);
        if (cur > seen)
            seen = cur;
        prev = cur;
    }
}

hz_status hz_cron_slots(const hz_cron *c, const char *tz, int64_t from,
                        int64_t to, hz_cron_slot *out, size_t max, size_t *n,
                        size_t *skipped, hz_error *err)
{
    *n = 0;
    if (skipped != NULL)
        *skipped = 0;
    if (!hz_tz_valid(tz))
        return hz_error_set(err, HZ_EINVAL,
                            "time zone '%s': not in the system tz database "
                            "(e.g. Europe/Berlin, America/New_York, UTC)",
                            tz ? tz : "(null)");
    if (to - from > 366LL * 86400)
        return hz_error_set(err, HZ_EINVAL,
                            "schedule window of %.0f days: at most 366",
                            (double)(to - from) / 86400);
    if (to <= from)
        return HZ_OK;
    const char *old = getenv("TZ");
    char *saved = old ? strdup(old) : NULL;
    setenv("TZ", tz, 1);
    tzset();
    slot_buf b = {.out = out, .max = max};
    scan(c, from, to, &b);
    if (saved != NULL)
        setenv("TZ", saved, 1);
    else
        unsetenv("TZ");
    tzset();
    free(saved);
    *n = b.n;
    if (skipped != NULL)
        *skipped = b.skipped;
    return HZ_OK;
}
