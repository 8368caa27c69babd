/* Choosing a series calendar from the dates (see series_internal.h):
 * the frequency (given, or implied by a period format, or by the spacing
 * of the dates within each series, or months for transaction-level
 * input), the week anchor and whether periods are dated by their first
 * or last day, as the input is. */
#pragma GCC diagnostic ignored "-Wformat-truncation" /* bounded messages */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/tzgaps.h"
#include "forecast/series_internal.h"

/* How the distinct dates of the table are placed. */
typedef struct alignment {
    size_t wd[7];         /* the distinct instants on each weekday */
    bool midnight;        /* every instant is at 00:00 */
    int64_t tod;          /* the time of day of every instant, or -1 */
    int64_t tod_lo, tod_hi; /* the earliest and latest times of day */
    int64_t sod0;         /* the first instant's seconds of the day */
    int64_t step_gcd;     /* gcd of the instants' seconds of the day less
                             sod0: every instant is as far past a whole
                             hour (a minute, a period of minutes) when it
                             divides 3600 (60, their seconds); see
                             hz__on_period_starts */
    bool first, last;     /* every date is a month's first / last day */
    bool q_first, q_last; /* ... a quarter's first / last day */
    bool y_first, y_last; /* ... January 1 / December 31 */
    int dom;              /* the day of month of every date, or -1 */
    int nl_dom;           /* ... of every date not its month's last day
                             (0: none, -1: several) */
    int last_max;         /* the latest day of a month's last day among
                             the dates (0: none) */
    int mod3;             /* the month of every date modulo 3, or -1 */
    int mday;             /* the month and day (32 m + d) of every date,
                             or -1 */
    int mon;              /* the month of every date, or -1 */
} alignment;

static alignment align_of(const hz__sb *b)
{
    alignment a = {.wd = {0},
                   .midnight = true,
                   .tod = -2,
                   .tod_lo = INT64_MAX,
                   .tod_hi = -1,
                   .sod0 = -1,
                   .step_gcd = 0,
                   .first = true,
                   .last = true,
                   .q_first = true,
                   .q_last = true,
                   .y_first = true,
                   .y_last = true,
                   .dom = 0,
                   .nl_dom = 0,
                   .last_max = 0,
                   .mod3 = -2,
                   .mday = -2,
                   .mon = -2};
    int64_t prev = HZ__NO_TIME;
    for (size_t i = 0; i < b->n; i++) {
        int64_t t = b->t[i];
        if (t == HZ__NO_TIME || t == prev)
            continue;
        prev = t;
        int64_t sod = t - hz__day_of_time(t) * 86400;
        a.midnight &= sod == 0;
        a.tod = a.tod == -2 ? sod : a.tod == sod ? a.tod : -1;
        a.tod_lo = sod < a.tod_lo ? sod : a.tod_lo;
        a.tod_hi = sod > a.tod_hi ? sod : a.tod_hi;
        if (a.sod0 < 0)
            a.sod0 = sod;
        for (int64_t x = llabs(sod - a.sod0); x != 0;) { /* Euclid */
            int64_t r = a.step_gcd % x;
            a.step_gcd = x;
            x = r;
        }
        int32_t day = (int32_t)hz__day_of_time(t);
        int y;
        unsigned m, d;
        hz_civil_from_days(day, &y, &m, &d);
        bool last = (int)d == hz_days_in_month(y, m);
        a.wd[hz_weekday(day)]++;
        a.first &= d == 1;
        a.last &= last;
        a.q_first &= d == 1 && m % 3 == 1;
        a.q_last &= last && m % 3 == 0;
        a.y_first &= d == 1 && m == 1;
        a.y_last &= d == 31 && m == 12;
        a.dom = a.dom == 0 ? (int)d : a.dom == (int)d ? a.dom : -1;
        if (!last)
            a.nl_dom = a.nl_dom == 0           ? (int)d
                       : a.nl_dom == (int)d ? a.nl_dom
                                              : -1;
        else if ((int)d > a.last_max)
            a.last_max = (int)d;
        int m3 = (int)(m % 3), md = (int)(32 * m + d);
        a.mod3 = a.mod3 == -2 ? m3 : a.mod3 == m3 ? a.mod3 : -1;
        a.mday = a.mday == -2 ? md : a.mday == md ? a.mday : -1;
        a.mon = a.mon == -2 ? (int)m : a.mon == (int)m ? a.mon : -1;
    }
    return a;
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

static int cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

/* Distinct (series, instant) pairs, the median gap between successive
 * instants of one series (0 when no series has two) and the earliest
 * instant that some series has more than one row at (HZ__NO_TIME when
 * none). */
static hz_status spacing(const hz__sb *b, size_t *ndistinct, int64_t *median,
                         int64_t *dup)
{
    *ndistinct = 0;
    *median = 0;
    *dup = HZ__NO_TIME;
    if (b->ng >= ((size_t)1 << 23) || b->tmax - b->tmin >= ((int64_t)1 << 40))
        return HZ_OK; /* cannot key them: treated as irregular */
    uint64_t *k = malloc(b->ndated * sizeof *k);
    int64_t *gap = malloc(b->ndated * sizeof *gap);
    if (k == NULL || gap == NULL) {
        free(k);
        free(gap);
        return hz_error_set(b->err, HZ_ENOMEM, "out of memory");
    }
    size_t m = 0, ng = 0;
    for (size_t i = 0; i < b->n; i++)
        if (b->t[i] != HZ__NO_TIME)
            k[m++] = ((uint64_t)b->gid[i] << 40) |
                     (uint64_t)(b->t[i] - b->tmin);
    qsort(k, m, sizeof *k, cmp_u64);
    for (size_t i = 0; i < m; i++) {
        if (i > 0 && k[i] == k[i - 1]) {
            int64_t t = b->tmin + (int64_t)(k[i] & (((uint64_t)1 << 40) - 1));
            *dup = *dup == HZ__NO_TIME || t < *dup ? t : *dup;
            continue;
        }
        (*ndistinct)++;
        if (i > 0 && k[i] >> 40 == k[i - 1] >> 40)
            gap[ng++] = (int64_t)(k[i] - k[i - 1]);
    }
    if (ng > 0) {
        qsort(gap, ng, sizeof *gap, cmp_i64);
        *median = gap[(ng - 1) / 2];
    }
    free(k);
    free(gap);
    return HZ_OK;
}

/* A regular frequency matching the median gap and the alignment, or
 * HZ_FREQ_INFER when the dates are irregular; *minutes: minutes a period
 * (periods of several minutes, a divisor of an hour, that every instant
 * falls on the start of, hz__on_period_starts: in its own zone when the
 * dates carried UTC offsets). */
/* Every date on one day of the month past the 28th, or on the last day
 * of a month too short for it: a monthly date on the 30th, 28 February
 * in February (as billing cycles and pandas' month offsets place it). */
static bool month_day_clamped(const alignment *a)
{
    return a->nl_dom >= 29 && a->last_max <= a->nl_dom;
}

static hz_freq regular_freq(const hz__sb *b, int64_t med, const alignment *a,
                            int *minutes)
{
    *minutes = 1;
    if (med <= 0)
        return HZ_FREQ_INFER;
    /* one time of day; with UTC offsets, one that a clock change moves
     * by an hour (a daily reading at 09:00 in Berlin is at 08:00 UTC in
     * winter, 07:00 in summer) */
    bool zoned = b->dc != NULL && b->dc->type == HZ_TYPE_TIMESTAMP &&
                 b->dc->zoned;
    if ((a->tod >= 0 || (zoned && a->tod_hi - a->tod_lo <= 3600)) &&
        med % 86400 == 0) {
        int64_t gd = med / 86400;
        bool one_wd = hz__week_day(a->wd) >= 0;
        if (gd == 1)
            return HZ_FREQ_DAY;
        if (gd == 7 && one_wd)
            return HZ_FREQ_WEEK;
        /* the 29th to 31st too (until 2026-12-07 such monthly data were
         * irregular dates: summed into weeks with the weeks between
         * filled with 0 when they spanned under a year) */
        if (gd >= 28 && gd <= 31 &&
            ((a->dom > 0 && a->dom <= 28) || a->last || month_day_clamped(a)))
            return HZ_FREQ_MONTH;
        /* quarters and years: on their first or last days, or on one
         * day of the month every third month (a fiscal quarter's, one
         * in each calendar quarter) and one day of the year (a fiscal
         * year's end, 30 June, or the end of one month, February's 28th
         * and in leap years 29th), which place_labels labels 2024-Q1 and
         * 2024: the calendar periods they fall in */
        if (gd >= 89 && gd <= 92 &&
            (a->q_first || a->q_last ||
             (a->mod3 >= 0 && ((a->dom > 0 && a->dom <= 28) || a->last ||
                               month_day_clamped(a)))))
            return HZ_FREQ_QUARTER;
        if (gd >= 365 && gd <= 366 &&
            (a->y_first || a->y_last || a->mday >= 0 ||
             (a->mon > 0 && a->last)))
            return HZ_FREQ_YEAR;
        return HZ_FREQ_INFER;
    }
    if (med == 3600 && a->step_gcd % 3600 == 0 &&
        hz__on_period_starts(b, a->sod0, 3600))
        return HZ_FREQ_HOUR;
    if (med == 60 && a->step_gcd % 60 == 0 && a->sod0 % 60 == 0)
        return HZ_FREQ_MINUTE;
    if (med > 60 && med < 3600 && med % 60 == 0 && 3600 % med == 0 &&
        a->step_gcd % med == 0 && hz__on_period_starts(b, a->sod0, med)) {
        *minutes = (int)(med / 60);
        return HZ_FREQ_MINUTE;
    }
    return HZ_FREQ_INFER;
}

/* Transaction-level or irregular input: months, unless the data span
 * fewer than 12 of them (then the coarsest of week, day, hour, minute
 * that gives 12 periods). */
static hz_freq coarse_freq(const hz__sb *b, int64_t *nper)
{
    static const hz_freq order[] = {HZ_FREQ_MONTH, HZ_FREQ_WEEK, HZ_FREQ_DAY,
                                    HZ_FREQ_HOUR, HZ_FREQ_MINUTE};
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        hz_calendar c;
        hz_calendar_init(&c, order[k]);
        *nper = hz_calendar_period(&c, b->tmax) -
                hz_calendar_period(&c, b->tmin) + 1;
        if (*nper >= 12 || (!b->has_time && order[k] == HZ_FREQ_DAY))
            return order[k];
    }
    return HZ_FREQ_MINUTE;
}

/* Instant t as the input dates it: YYYY-MM-DD, with its time when the
 * dates have one. */
static void format_instant(const hz__sb *b, int64_t t, char *buf, size_t n)
{
    int64_t day = hz__day_of_time(t), sod = t - day * 86400;
    int y;
    unsigned m, d;
    hz_civil_from_days((int32_t)day, &y, &m, &d);
    if (b->has_time)
        snprintf(buf, n, "%04d-%02u-%02u %02d:%02d:%02d", y, m, d,
                 (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60));
    else
        snprintf(buf, n, "%04d-%02u-%02u", y, m, d);
}

/* One row per series and period, but for a few (under 5% of the rows:
 * more is transaction-level input): those are summed, which a
 * duplicated row or hour (a clock put back) makes wrong, so the reason
 * says so and names the first. */
static void one_row_reason(const hz__sb *b, hz_freq r, int minutes, size_t nd,
                           int64_t dup, hz_series_set *set, char *why,
                           size_t wn)
{
    char unit[24];
    hz_calendar c;
    hz_calendar_init(&c, r);
    c.minutes = minutes;
    hz_calendar_unit(&c, unit, sizeof unit);
    if (dup == HZ__NO_TIME) {
        snprintf(why, wn, "inferred: one row per series and %s%s", unit,
                 minutes > 1 ? " period" : "");
        return;
    }
    char *first = set->repeated_first;
    format_instant(b, dup, first, sizeof set->repeated_first);
    size_t extra = b->ndated - nd;
    set->rows_repeated = extra;
    snprintf(why, wn,
             "inferred: one row per series and %s%s, except %zu more row%s "
             "for a period already seen, summed into it (first: %s)",
             unit, minutes > 1 ? " period" : "", extra, extra == 1 ? "" : "s",
             first);
}

/* Times regular at a period of unit seconds (an hour, minutes that
 * divide one, a day) but for a few rows off the grid the others keep: a
 * reading at 02:30 among hourly ones on the hour (a typo, or a time a
 * clock change moved), one at 09:30 among daily ones at 09:00. */
typedef struct offgrid {
    int64_t unit; /* the period, seconds */
    int64_t at;   /* the others' offset into it */
    size_t n;     /* rows off the grid */
    size_t first; /* the first of them */
} offgrid;

/* Under 5% of the dated rows off the grid (the share that a stray value
 * may hold in a typed column, csv_infer.c): such times are not taken
 * for irregular ones (until 2026-12-08 one reading at 02:30 made hourly
 * data irregular times, summed into days or months). */
static bool near_regular(const hz__sb *b, int64_t med, offgrid *g)
{
    const bool zoned = b->dc != NULL && b->dc->type == HZ_TYPE_TIMESTAMP &&
                       b->dc->zoned;
    int64_t unit = 0;
    if (med == 86400 && !zoned) /* zoned: a clock change moves the hour */
        unit = 86400;
    else if (med >= 60 && med <= 3600 && med % 60 == 0 && 3600 % med == 0)
        unit = med;
    if (!b->has_time || unit == 0)
        return false;
    int64_t cand = -1;
    size_t votes = 0;
    for (size_t i = 0; i < b->n; i++) { /* the majority's offset */
        if (b->t[i] == HZ__NO_TIME)
            continue;
        int64_t r = ((b->t[i] % unit) + unit) % unit;
        if (votes == 0)
            cand = r;
        votes = r == cand ? votes + 1 : votes - 1;
    }
    g->unit = unit;
    g->at = cand;
    g->n = 0;
    g->first = SIZE_MAX;
    for (size_t i = 0; i < b->n; i++) {
        if (b->t[i] == HZ__NO_TIME || ((b->t[i] % unit) + unit) % unit == cand)
            continue;
        if (g->n++ == 0)
            g->first = i;
    }
    return g->n > 0 && 20 * g->n < b->ndated &&
           (unit == 86400 || hz__on_period_starts(b, cand, unit));
}

/* The error for times regular but for a few rows (near_regular): the
 * first such row's place and time, the grid of the others, and the ways
 * out. */
static hz_status off_grid_error(const hz__sb *b, const offgrid *g)
{
    char place[400], when[32], grid[64], freq[16], per[32];
    hz_dataset_place(b->ds, g->first, b->dc, place, sizeof place);
    format_instant(b, b->t[g->first], when, sizeof when);
    const int at_m = (int)(g->at / 60 % 60), at_s = (int)(g->at % 60);
    if (g->unit == 86400) {
        snprintf(grid, sizeof grid, "once a day at %02d:%02d:%02d",
                 (int)(g->at / 3600), at_m, at_s);
        snprintf(freq, sizeof freq, "D");
        snprintf(per, sizeof per, "day");
    } else if (g->unit == 3600) {
        if (g->at == 0)
            snprintf(grid, sizeof grid, "on the hour");
        else
            snprintf(grid, sizeof grid, "at %02d:%02d past each hour", at_m,
                     at_s);
        snprintf(freq, sizeof freq, "h");
        snprintf(per, sizeof per, "hour");
    } else {
        const int k = (int)(g->unit / 60);
        if (k == 1)
            snprintf(grid, sizeof grid, "on whole minutes");
        else
            snprintf(grid, sizeof grid, "every %d minutes from :%02d", k,
                     at_m);
        snprintf(freq, sizeof freq, k == 1 ? "min" : "%dmin", k);
        snprintf(per, sizeof per, k == 1 ? "minute" : "%d-minute period", k);
    }
    return hz_error_set(
        b->err, HZ_EPARSE,
        "%s: column '%s': the time %s is off the grid of the others, which "
        "fall %s (%zu of %zu rows off it, this the first): a typo, or a "
        "time a clock change moved? The frequency is not inferred from "
        "times that break their grid; correct the time, or give --freq %s "
        "to sum each row into the %s it falls in",
        place, b->dc->name, when, grid, g->n, b->ndated, freq, per);
}

/* Rank of a frequency from fine to coarse (weeks and months do not nest,
 * which the caller checks). */
static int rank(hz_freq f)
{
    return (int)f; /* hz_freq runs from fine to coarse */
}

/* Rows a date (or period) below which input with repeated dates is a
 * series with a few rows repeated (reported) rather than transactions. */
#define REPEAT_MAX_PER 1.5

static hz_status infer_freq(const hz__sb *b, const alignment *a, hz_freq *f,
                            int *minutes, hz_series_set *set, char *why,
                            size_t wn)
{
    size_t nd;
    int64_t med, dup;
    hz_status st = spacing(b, &nd, &med, &dup);
    if (st != HZ_OK)
        return st;
    double per = nd ? (double)b->ndated / (double)nd : 1.0;
    bool txn = (double)nd < 0.95 * (double)b->ndated;
    hz_freq r = regular_freq(b, med, a, minutes);
    /* Transactions come on any day; distinct dates a week or more apart
     * and aligned as periods are (one weekday, one day of the month)
     * are periods, however many rows share them.  Under 1.5 rows a date
     * that is a series with repeated rows, and they are reported. */
    if (txn && rank(r) < rank(HZ_FREQ_WEEK))
        r = HZ_FREQ_INFER;
    if (r != HZ_FREQ_INFER && (!txn || per < REPEAT_MAX_PER)) {
        *f = r;
        one_row_reason(b, r, *minutes, nd, dup, set, why, wn);
        return HZ_OK;
    }
    if (r != HZ_FREQ_INFER) {
        char unit[24];
        hz_calendar c;
        hz_calendar_init(&c, r);
        hz_calendar_unit(&c, unit, sizeof unit);
        *f = r;
        snprintf(why, wn,
                 "inferred: transaction-level input, %.1f rows per series "
                 "and date, the dates one %s apart",
                 per, unit);
        return HZ_OK;
    }
    *minutes = 1;
    offgrid g;
    if (!txn && near_regular(b, med, &g))
        return off_grid_error(b, &g);
    char what[96];
    if (txn)
        snprintf(what, sizeof what,
                 "transaction-level input, %.1f rows per series and date",
                 per);
    else if (med <= 0)
        snprintf(what, sizeof what, "one date per series");
    else if (med % 86400 == 0)
        snprintf(what, sizeof what, "irregular dates, median gap %lld day%s",
                 (long long)(med / 86400), med == 86400 ? "" : "s");
    else
        snprintf(what, sizeof what, "irregular times, median gap %lld s",
                 (long long)med);
    int64_t nper;
    *f = coarse_freq(b, &nper);
    if (*f == HZ_FREQ_MONTH)
        snprintf(why, wn, "inferred: %s; months are the default for it", what);
    else
        snprintf(why, wn,
                 "inferred: %s; %ss, as the data span fewer than 12 months",
                 what, hz_freq_name(*f));
    return HZ_OK;
}

static hz_freq freq_of_fmt(hz_datefmt f)
{
    switch (f) {
    case HZ_DATEFMT_MONTH: return HZ_FREQ_MONTH;
    case HZ_DATEFMT_QUARTER:
    case HZ_DATEFMT_QUARTER_COMPACT: return HZ_FREQ_QUARTER;
    case HZ_DATEFMT_ISOWEEK:
    case HZ_DATEFMT_ISOWEEK_COMPACT: return HZ_FREQ_WEEK;
    case HZ_DATEFMT_YEAR: return HZ_FREQ_YEAR;
    default: return HZ_FREQ_INFER;
    }
}

/* The output label of periods of f read from dates in format fmt. */
static hz_datefmt label_of(hz_freq f, hz_datefmt fmt)
{
    if (freq_of_fmt(fmt) == f || !hz_datefmt_is_period(fmt))
        return freq_of_fmt(fmt) == f ? fmt : HZ_DATEFMT_NONE;
    if (f == HZ_FREQ_QUARTER)
        return HZ_DATEFMT_QUARTER;
    if (f == HZ_FREQ_YEAR)
        return HZ_DATEFMT_YEAR;
    return HZ_DATEFMT_NONE;
}

static hz_status check_resolution(const hz__sb *b, hz_freq f)
{
    hz_freq df = freq_of_fmt(b->dfmt);
    const char *col = b->o->date_col;
    if (df != HZ_FREQ_INFER &&
        (rank(f) < rank(df) || (df == HZ_FREQ_WEEK && f != HZ_FREQ_WEEK)))
        return hz_error_set(b->err, HZ_EINVAL,
                            "column '%s' holds %s periods (%s): they cannot "
                            "be cut or summed into %ss",
                            col, hz_freq_name(df), hz_datefmt_name(b->dfmt),
                            hz_freq_name(f));
    if (!b->has_time && (f == HZ_FREQ_HOUR || f == HZ_FREQ_MINUTE))
        return hz_error_set(b->err, HZ_EINVAL,
                            "column '%s' holds dates without a time of day: "
                            "--freq %s needs timestamps",
                            col, hz_freq_name(f));
    if ((f == HZ_FREQ_HOUR || f == HZ_FREQ_MINUTE) && b->dc != NULL &&
        b->dc->type == HZ_TYPE_TIMESTAMP && b->dc->fold_unz > 0) {
        /* a wall time of two instants an hour apart, written without an
         * offset: hours on that clock could not tell which it is (days
         * take both).  With offsets, only a series with times at both
         * instants is refused (hz_series_build: until 2026-12-07 the
         * column's count, so two meters each missing one of the hours
         * were refused as if one had both) */
        char when[32];
        int64_t day = hz__day_of_time(b->dc->fold_unz_first);
        int64_t sod = b->dc->fold_unz_first - day * 86400;
        char d[16];
        snprintf(when, sizeof when, "%s %02d:%02d:%02d",
                 hz_format_day((int32_t)day, d), (int)(sod / 3600),
                 (int)(sod / 60 % 60), (int)(sod % 60));
        /* the place of the first: file:line:field */
        char at[300] = "";
        if (b->dc->fold_unz_line > 0)
            snprintf(at, sizeof at, "%s:%zu:%zu: ", b->src,
                     b->dc->fold_unz_line,
                     (size_t)(b->dc - b->ds->cols) + 1);
        return hz_error_set(
            b->err, HZ_EINVAL,
            "%scolumn '%s': %zu time%s on a wall time the --tz zone's "
            "clocks show twice, put back (first: %s), without a UTC "
            "offset: which of the two it is is unknown, and %ss cut on "
            "that clock could take two hours of readings for one; write "
            "the times with their UTC offsets (as ISO 8601 does: the "
            "hour before the change with the earlier offset, the repeated "
            "one with the later), or give --freq D (a day takes both); "
            "dropping --tz would not tell them apart either",
            at, col, b->dc->fold_unz, b->dc->fold_unz == 1 ? "" : "s", when,
            hz_freq_name(f));
    }
    return HZ_OK;
}

/* Week anchor and first/last-day labels: the caller's, else as the data
 * are dated (one weekday; every date a period's first or last day). */
static void place_labels(const hz__sb *b, const alignment *a, hz_calendar *c)
{
    int anchor = b->o->week_anchor, end = b->o->label_end;
    if (c->label != HZ_DATEFMT_NONE) /* periods: named, not dated */
        return;
    if (c->freq == HZ_FREQ_WEEK) {
        int w = hz__week_day(a->wd);
        if (anchor < 0 && w >= 0 && a->midnight) {
            /* a date a holiday moved off the weekday counts in the
             * week of the day it stands for (series.c, week_snap) */
            c->anchor = w;
            c->end = false;
            return;
        }
        c->anchor = anchor >= 0 ? anchor : 0;
        c->end = end == 1;
        return;
    }
    if (end >= 0) {
        c->end = end == 1;
        return;
    }
    switch (c->freq) {
    case HZ_FREQ_MONTH: c->end = a->last && !a->first; break;
    case HZ_FREQ_QUARTER: c->end = a->q_last && !a->q_first; break;
    case HZ_FREQ_YEAR: c->end = a->y_last && !a->y_first; break;
    default: break;
    }
}

/* Inferred quarters or years from dates inside them, one a period (a
 * fiscal quarter's first day, 1 February; a fiscal year's end, 30
 * June): labelled as the calendar periods they fall in (2024-Q1, 2024),
 * not by a first day the data never had. */
static void fiscal_labels(const alignment *a, bool inferred, hz_calendar *c)
{
    if (!inferred || c->label != HZ_DATEFMT_NONE)
        return;
    if (c->freq == HZ_FREQ_QUARTER && !a->q_first && !a->q_last)
        c->label = HZ_DATEFMT_QUARTER;
    else if (c->freq == HZ_FREQ_YEAR && !a->y_first && !a->y_last)
        c->label = HZ_DATEFMT_YEAR;
}

/* Period-labelled dates (2024-W05, 2024-03) of one row per series and
 * period but for a few (under 5% of the rows, or under 1.5 rows a
 * period): those rows, summed into a period already seen, are counted
 * with the first (set->rows_repeated); more is taken for transactions. */
static hz_status repeated_periods(const hz__sb *b, hz_series_set *set)
{
    size_t nd;
    int64_t med, dup;
    hz_status st = spacing(b, &nd, &med, &dup);
    if (st != HZ_OK || dup == HZ__NO_TIME ||
        ((double)nd < 0.95 * (double)b->ndated &&
         (double)b->ndated >= REPEAT_MAX_PER * (double)nd))
        return st;
    set->rows_repeated = b->ndated - nd;
    hz_calendar c;
    hz_calendar_init(&c, freq_of_fmt(b->dfmt));
    c.label = b->dfmt;
    hz_calendar_format(&c, hz_calendar_period(&c, dup), set->repeated_first,
                       sizeof set->repeated_first);
    return HZ_OK;
}

/* Month (or quarter) periods that come one a year (2001-01, 2002-01,
 * ...) or one a quarter, a row per series and period: yearly (quarterly)
 * data labelled by a month, read as such, as the same rows dated
 * 2001-01-01 are, instead of months with eleven zeros between them. */
static hz_freq coarser_periods(const hz__sb *b, const alignment *a,
                               hz_freq df)
{
    size_t nd;
    int64_t med, dup;
    int minutes;
    if ((df != HZ_FREQ_MONTH && df != HZ_FREQ_QUARTER) ||
        spacing(b, &nd, &med, &dup) != HZ_OK || dup != HZ__NO_TIME ||
        nd != b->ndated)
        return df;
    hz_freq r = regular_freq(b, med, a, &minutes);
    if (r == HZ_FREQ_YEAR || (r == HZ_FREQ_QUARTER && df == HZ_FREQ_MONTH))
        return r;
    return df;
}

hz_status hz__series_calendar(const hz__sb *b, hz_series_set *set)
{
    hz_calendar *cal = &set->cal;
    hz_freq f = b->o->freq, df = freq_of_fmt(b->dfmt);
    int minutes = b->o->minutes > 1 ? b->o->minutes : 1;
    if (minutes > 1 && (f != HZ_FREQ_MINUTE || minutes >= 60 || 60 % minutes))
        return hz_error_set(b->err, HZ_EINVAL,
                            "periods of %d minutes: expected minutes that "
                            "divide an hour (2, 3, 4, 5, 6, 10, 12, 15, 20 "
                            "or 30) with the minute frequency",
                            minutes);
    char why[160], desc[64];
    alignment a = align_of(b);
    if (f != HZ_FREQ_INFER) {
        snprintf(why, sizeof why, "given");
    } else if (df != HZ_FREQ_INFER) {
        f = coarser_periods(b, &a, df);
        if (f != df) {
            snprintf(why, sizeof why,
                     "inferred: the dates are %s periods, one row per "
                     "series and %s",
                     hz_datefmt_name(b->dfmt),
                     f == HZ_FREQ_YEAR ? "year" : "quarter");
        } else {
            snprintf(why, sizeof why, "inferred: the dates are %s periods",
                     hz_datefmt_name(b->dfmt));
            hz_status st = repeated_periods(b, set);
            if (st != HZ_OK)
                return st;
        }
    } else {
        hz_status st = infer_freq(b, &a, &f, &minutes, set, why, sizeof why);
        if (st != HZ_OK)
            return st;
    }
    hz_status st = check_resolution(b, f);
    if (st != HZ_OK)
        return st;
    hz_calendar_init(cal, f);
    if (f == HZ_FREQ_MINUTE)
        cal->minutes = minutes;
    /* hours and minutes on a --tz zone's clock: the ones its clocks skip,
     * put forward, stay periods (every later hour keeps its place in the
     * daily season) but are known as such: estimated for the model, not
     * shown (until 2026-12-07 filled as a gap, with 0 by default) */
    if ((f == HZ_FREQ_HOUR || f == HZ_FREQ_MINUTE) && b->dc != NULL &&
        b->dc->type == HZ_TYPE_TIMESTAMP && b->ds->tz_gaps != NULL)
        cal->gaps = hz__tzgaps_periods(
            b->ds->tz_gaps, f == HZ_FREQ_HOUR ? 3600 : 60 * (int64_t)minutes);
    cal->label = label_of(f, b->dfmt);
    place_labels(b, &a, cal);
    fiscal_labels(&a, b->o->freq == HZ_FREQ_INFER && df == HZ_FREQ_INFER,
                  cal);
    snprintf(set->freq_reason, sizeof set->freq_reason, "%s (%s)",
             hz_calendar_describe(cal, desc, sizeof desc), why);
    return HZ_OK;
}
