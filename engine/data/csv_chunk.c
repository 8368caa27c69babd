/* One chunk of a CSV body parsed into its slice of the column arrays:
 * the row loop (quote-free chunks), the per-separator loop, and the
 * chunk's life cycle.  See csv_internal.h. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "core/period_text.h"
#include "data/csv_internal.h"
#include "data/csv_value.h"
#include "core/mem.h"

void hz__csv_report(chunk *c, size_t field, bool structural, const char *fmt,
                    ...)
{
    if (c->infer)
        return;
    if (!structural && field >= 1 && field <= c->ncols &&
        c->spec[field - 1].loose) {
        c->spec[field - 1].loose_fails = true; /* read again as text */
        return;
    }
    if (structural)
        c->structural = true;
    /* Quoting errors stop libcsv, so they end the chunk even with
     * on_error = skip; everything stops the chunk with on_error = fail. */
    bool fatal = c->opt->on_error == HZ_ON_ERROR_FAIL ||
                 (structural && c->used_libcsv && c->field_fatal);
    reported *r = NULL;
    if (fatal) {
        if (c->status != HZ_OK)
            return;
        c->status = HZ_EPARSE;
        c->stop = true;
        r = &c->fatal;
    } else {
        if (c->row_bad)
            return; /* one report per skipped row */
        if (c->nrep < HZ_CSV_MAX_REPORTED)
            r = &c->rep[c->nrep++];
    }
    c->row_bad = true;
    if (r != NULL) {
        r->rel_line = c->row_line;
        r->field = field;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->msg, sizeof r->msg, fmt, ap);
        va_end(ap);
    }
}

/* Printable excerpt of a field for messages. */
static const char *shown(const char *s, size_t n, char *buf, size_t bufsz)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 4 < bufsz && i < MAX_FIELD_SHOWN; i++) {
        unsigned char ch = (unsigned char)s[i];
        buf[k++] = (ch >= 32 && ch != 127) ? (char)ch : '?';
    }
    if (n > MAX_FIELD_SHOWN && k + 4 < bufsz) {
        memcpy(buf + k, "...", 3);
        k += 3;
    }
    buf[k] = '\0';
    return buf;
}

/* Convert an int64 column of this chunk to float64 in place. */
static void chunk_promote(chunk *c, size_t j)
{
    int64_t *iv = (int64_t *)c->vals[j];
    double *dv = (double *)c->vals[j];
    for (size_t r = 0; r < c->nrows; r++) {
        double d = (double)iv[r];
        dv[r] = d;
    }
    c->spec[j].type = HZ_TYPE_FLOAT64;
}

/* What to add to the error about value s of column j: when s is the
 * column's name, the row is most likely the header row again (exports
 * joined one after another). */
static const char *header_again(const chunk *c, size_t j, const char *s,
                                size_t n)
{
    trim(&s, &n);
    if (n >= 3 &&
        memcmp(s, "\xEF\xBB\xBF", 3) == 0) { /* a joined file's BOM */
        s += 3;
        n -= 3;
    }
    const char *name = c->names[j];
    return n > 0 && strlen(name) == n && memcmp(name, s, n) == 0
               ? " (the column's name: the header row again, as in files "
                 "joined one after another? --on-error skip drops such "
                 "rows)"
               : "";
}

/* What to add to the error about number s when it holds a comma and is
 * one with a decimal comma or commas between thousands (1.234,56 or
 * 1,234.56 after rows of 12.5), without --decimal, which reads them. */
static const char *comma_hint(const chunk *c, const char *s, size_t n)
{
    double d;
    accounting_negative(&s, &n);
    trim(&s, &n);
    if (c->opt->decimal != 0 || memchr(s, ',', n) == NULL ||
        !(parse_f64_grouped(s, n, ',', &d) ||
          parse_f64_grouped(s, n, '.', &d)))
        return "";
    return " (it holds a comma: a decimal comma is read with --decimal , "
           "and commas between thousands with --decimal .)";
}

static void bad_number(chunk *c, size_t j, const char *s, size_t n,
                       const char *what)
{
    char sh[64];
    if (hz__csv_number_overflows(s, n))
        hz__csv_report(c, j + 1, false,
                       "column '%s': number '%s' is out of range (beyond "
                       "1.8e308)",
                       c->names[j], shown(s, n, sh, sizeof sh));
    else
        hz__csv_report(c, j + 1, false,
                       "column '%s': expected %s, got '%s'%s%s", c->names[j],
                       what, shown(s, n, sh, sizeof sh), comma_hint(c, s, n),
                       header_again(c, j, s, n));
}

/* A points_open column's number t (read): whether it has a point, and
 * whether it could then be thousands (1.234), for the row's end to
 * count (csv_body.c judges the whole file). */
static void note_point(chunk *c, size_t j, const char *t, size_t tn)
{
    trim(&t, &tn);
    c->stage_pt[j] = 0;
    if (memchr(t, '.', tn) == NULL)
        return;
    if (!hz__csv_grouped_shape(t, tn)) {
        c->stage_pt[j] = 2;
        return;
    }
    c->stage_pt[j] = 1;
    snprintf(c->pts[j].cand, sizeof c->pts[j].cand, "%.*s",
             (int)(tn < 23 ? tn : 23), t);
}

/* A number, or an accounting negative ("(50)" and SAP's "50-" are -50). */
static void field_number(chunk *c, size_t j, const char *s, size_t n)
{
    colspec *sp = &c->spec[j];
    const char *t = s;
    size_t tn = n;
    const bool neg = accounting_negative(&t, &tn);
    double d;
    if (sp->points_open)
        note_point(c, j, t, tn);
    if (sp->type == HZ_TYPE_INT64) {
        int64_t v;
        if (parse_i64(t, tn, &v)) {
            v = neg ? -v : v; /* no sign inside: v >= 0 */
            memcpy(&c->stage[j], &v, 8);
            return;
        }
        if (!sp->overridden && parse_dec(t, tn, c->opt->decimal, &d)) {
            d = neg && d != 0 ? -d : d;
            chunk_promote(c, j);
            memcpy(&c->stage[j], &d, 8);
            return;
        }
        bad_number(c, j, s, n, "an integer");
        return;
    }
    if (parse_dec(t, tn, c->opt->decimal, &d)) {
        d = neg && d != 0 ? -d : d;
        memcpy(&c->stage[j], &d, 8);
        return;
    }
    bad_number(c, j, s, n,
               c->opt->decimal == ',' ? "a number with a decimal comma"
                                      : "a number");
}

/* Words for a date format in messages. */
static const char *fmt_words(hz_datefmt f)
{
    static const char *const w[HZ_DATEFMT_COUNT] = {
        "",
        "YYYY-MM-DD",
        "YYYY/MM/DD (or YYYY.MM.DD)",
        "MM/DD/YYYY (or Jan 31, 2024)",
        "DD/MM/YYYY",
        "YYYY-MM (or Jan 2024)",
        "YYYY-Qn (or 2024 Q1)",
        "YYYYQn",
        "YYYY-Www",
        "YYYY",
        "(a serial day number, as Excel's)",
        "YYYYWww",
        "(Unix time in seconds)",
        "(Unix time in milliseconds)"};
    return (unsigned)f < HZ_DATEFMT_COUNT ? w[f] : "";
}

/* Why week 53 of an ISO week column is no week: its year has 52 (the
 * years with 53 are those whose 1 January or 31 December is a Thursday);
 * "" for anything else. */
static const char *no_week53(hz_datefmt f, const char *s, size_t n, char *buf,
                             size_t cap)
{
    trim(&s, &n);
    const size_t w = f == HZ_DATEFMT_ISOWEEK ? 5 : 4;
    if ((f != HZ_DATEFMT_ISOWEEK && f != HZ_DATEFMT_ISOWEEK_COMPACT) ||
        n != w + 3 || (s[w] != 'W' && s[w] != 'w') || s[w + 1] != '5' ||
        s[w + 2] != '3')
        return "";
    snprintf(buf, cap, ": %.4s has 52 ISO weeks (53 only when it begins or "
                       "ends on a Thursday)", s);
    return buf;
}

/* Why a month- or day-first value after a weekday is no date when the
 * date is one: the weekday is not its (Fri, Feb 1, 2024: a Thursday);
 * "" for anything else. */
static const char *wrong_weekday(hz_datefmt f, const char *s, size_t n,
                                 char *buf, size_t cap)
{
    static const char *const names[7] = {"Monday", "Tuesday", "Wednesday",
                                         "Thursday", "Friday", "Saturday",
                                         "Sunday"};
    size_t skip;
    int64_t secs;
    bool ts;
    trim(&s, &n);
    const int wd = f == HZ_DATEFMT_MDY_SLASH || f == HZ_DATEFMT_DMY
                       ? hz__weekday_prefix(s, n, &skip)
                       : -1;
    if (wd < 0 || !hz_parse_datetime(s + skip, n - skip, f, &secs, &ts, NULL))
        return "";
    const int32_t day = (int32_t)(secs >= 0 ? secs / 86400
                                            : -((-secs + 86399) / 86400));
    char d[16];
    snprintf(buf, cap, ": %s is a %s, not a %s", hz_format_day(day, d),
             names[hz_weekday(day)], names[wd]);
    return buf;
}

/* The year of s, a month written with a two-digit year (Jan-30) on the
 * other side of 2000 from those of the sample (colspec.yy_side); 0 for
 * anything else. */
static int yy_other_side(const colspec *sp, const char *s, size_t n)
{
    if (sp->yy_side == 0)
        return 0;
    trim(&s, &n);
    int y, m;
    bool yy;
    if (n == 0 || (s[0] >= '0' && s[0] <= '9') ||
        !hz__month_text(s, n, &y, &m, &yy) || !yy)
        return 0;
    return (y >= 2000 ? 2 : 1) != sp->yy_side ? y : 0;
}

/* +01:00, -03:30: a UTC offset of off seconds east. */
static void utc_offset_text(int32_t off, char buf[8])
{
    int32_t a = off < 0 ? -off : off;
    snprintf(buf, 8, "%c%02d:%02d", off < 0 ? '-' : '+',
             (int)(a / 3600 % 100), (int)(a % 3600 / 60));
}

/* A timestamp's time on the clock the column is read on: with --tz
 * (c->tz), the zone's: a time with an offset is that instant on the
 * zone's clock, one without is the zone's wall time, refused (false,
 * after a report) when the zone's clocks skip it; a wall time they show
 * twice (put back), without an offset or with the later one, is counted
 * in c->folds (its day is known: hours refuse it, days take it; but
 * for a skipped midnight in a column of midnights, dates written with
 * 00:00:00 where clocks are put forward at midnight, as in Chile: the
 * day it names); in a wall column (colspec.wall) the clock of its own
 * offset. */
static bool local_time(chunk *c, size_t j, const char *s, size_t n,
                       int64_t *secs)
{
    const bool zoned = hz__csv_zoned(c->spec[j].fmt, s, n);
    if (c->tz == NULL) {
        if (c->spec[j].wall && zoned)
            *secs += hz__csv_zone_offset(s, n);
        return true;
    }
    if (zoned) {
        const int64_t t = *secs;
        *secs += hz__tzone_offset(c->tz, t);
        int64_t in[2];
        int32_t of[2];
        /* one of two instants that the clocks show alike (hours put
         * back: 02:00+02:00, then 02:00+01:00 in Berlin), counted for
         * the series: hours on that clock take both in one only when the
         * column has both (hz_column.folds) */
        if (hz__tzone_instants(c->tz, *secs, in, of) == 2) {
            if (t == in[0])
                c->fold_early[j]++;
            else if (c->folds[j] + c->fold_late[j]++ == 0)
                c->fold_first[j] = *secs;
        }
        return true;
    }
    int64_t inst[2];
    int32_t off[2];
    int k = hz__tzone_instants(c->tz, *secs, inst, off);
    if (k == 1 || (k == 0 && c->spec[j].midnights && *secs % 86400 == 0))
        return true; /* a skipped midnight among dates: its day's start */
    if (k == 2) {
        /* shown twice (put back): its day is known, its instant not;
         * counted (hz_column.folds), and refused by hours, not days */
        if (c->folds[j] + c->fold_late[j] == 0)
            c->fold_first[j] = *secs;
        if (c->folds[j]++ == 0) {
            c->unz_first[j] = *secs;
            c->unz_line[j] = c->row_line;
        }
        return true;
    }
    /* skipped (put forward): no instant shows it */
    char sh[64], oa[8], ob[8];
    const char *zn = hz__tzone_name(c->tz);
    utc_offset_text(off[0], oa);
    utc_offset_text(off[1], ob);
    /* the local times around the jump: 02:00 to 03:00 */
    int64_t wa = inst[0] + off[0], wb = inst[0] + off[1];
    int64_t da = wa >= 0 ? wa / 86400 : -((-wa + 86399) / 86400);
    int64_t db = wb >= 0 ? wb / 86400 : -((-wb + 86399) / 86400);
    char ta[32], tb[32], d1[16], d2[16];
    snprintf(ta, sizeof ta, "%s %02d:%02d", hz_format_day((int32_t)da, d1),
             (int)((wa - da * 86400) / 3600),
             (int)((wa - da * 86400) % 3600 / 60));
    snprintf(tb, sizeof tb, "%s%s%02d:%02d",
             db == da ? "" : hz_format_day((int32_t)db, d2),
             db == da ? "" : " ", (int)((wb - db * 86400) / 3600),
             (int)((wb - db * 86400) % 3600 / 60));
    hz__csv_report(c, j + 1, false,
                   "column '%s': '%s' does not exist in %s: its clocks "
                   "jump from %s to %s (UTC offset %s, then %s); "
                   "correct the time, or write its UTC offset",
                   c->names[j], shown(s, n, sh, sizeof sh), zn, ta, tb, oa,
                   ob);
    return false;
}

static void field_date(chunk *c, size_t j, const char *s, size_t n)
{
    colspec *sp = &c->spec[j];
    char sh[64];
    int64_t secs;
    bool ts;
    if (!parse_date(s, n, sp->fmt, &secs, &ts)) {
        if (hz_datefmt_is_unix(sp->fmt)) {
            const bool ms = sp->fmt == HZ_DATEFMT_UNIX_MS;
            hz__csv_report(
                c, j + 1, false,
                "column '%s': expected a Unix time in %s (%s digits, "
                "1973 .. 5138), got '%s': %s",
                c->names[j], ms ? "milliseconds" : "seconds",
                ms ? "12 to 14" : "9 to 11", shown(s, n, sh, sizeof sh),
                ms ? "fewer digits are seconds (give :unix) or before "
                     "1973, more are microseconds or finer; a number is "
                     "never taken for another unit"
                   : "more digits are milliseconds (give :unix_ms) or "
                     "finer, fewer are before 1973 or no Unix time (a "
                     "YYYYMMDD date, a 0 for none); a number is never "
                     "taken for another unit");
            return;
        }
        char why[96], wday[64];
        hz__csv_report(
            c, j + 1, false,
            "column '%s': expected a valid %s %s, got '%s'%s%s%s",
            c->names[j], sp->type == HZ_TYPE_DATE ? "date" : "timestamp",
            fmt_words(sp->fmt), shown(s, n, sh, sizeof sh),
            no_week53(sp->fmt, s, n, why, sizeof why),
            wrong_weekday(sp->fmt, s, n, wday, sizeof wday),
            header_again(c, j, s, n));
        return;
    }
    const int yo = yy_other_side(sp, s, n);
    if (yo != 0) {
        hz__csv_report(
            c, j + 1, false,
            "column '%s': '%s' reads as %d as Excel reads two-digit years, "
            "while those of the first rows fall on the other side of 2000: "
            "right for months across 2000, wrong for days written mmm-dd "
            "(Jan-01 .. Jan-31); write the years with four digits (Jan "
            "2024), or give --schema '%s:date:month' to read them as Excel "
            "does",
            c->names[j], shown(s, n, sh, sizeof sh), yo, c->names[j]);
        return;
    }
    if (sp->type == HZ_TYPE_DATE && hz__csv_time_dropped(s, n, ts, secs)) {
        hz__csv_report(
            c, j + 1, false,
            "column '%s': '%s' has a time of day, but the column's first "
            "rows are dates: reading it as a date would drop the time "
            "(give --schema '%s:timestamp%s' to read the column as times)",
            c->names[j], shown(s, n, sh, sizeof sh), c->names[j],
            sp->fmt == HZ_DATEFMT_EXCEL ? ":excel" : "");
        return;
    }
    /* a timestamp on the clock it is read on (--tz, a wall column) is
     * checked against the window by that clock's day: the day it is
     * kept as (2200-12-31T20:00-05:00 with --tz America/New_York is in
     * 2200-12-31, not refused as 2201; 2025-01-01T02:00+03:00 with --tz
     * Europe/Moscow is in 2025, not let through as 2024) */
    if (sp->type == HZ_TYPE_TIMESTAMP && !local_time(c, j, s, n, &secs))
        return;
    int64_t day = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    if (sp->type == HZ_TYPE_DATE)
        day = hz__csv_local_day(s, n, secs);
    if (day < c->day_lo || day > c->day_hi) {
        char a[16], b[16];
        hz__csv_report(c, j + 1, false,
                       "column '%s': date '%s' is outside %s..%s (the "
                       "accepted years; see --date-window)",
                       c->names[j], shown(s, n, sh, sizeof sh),
                       hz_format_day(c->day_lo, a),
                       hz_format_day(c->day_hi, b));
        return;
    }
    if (sp->type == HZ_TYPE_TIMESTAMP && c->tz == NULL &&
        hz__csv_zoned(sp->fmt, s, n) != (sp->zoned || sp->wall)) {
        hz__csv_report(c, j + 1, false,
                       "column '%s': timestamp '%s' has %s UTC offset, "
                       "unlike the column's %s: with zones mixed its "
                       "instant is unknown (give every value an offset, or "
                       "none, or name the zone of the times with --tz "
                       "AREA/CITY)",
                       c->names[j], shown(s, n, sh, sizeof sh),
                       sp->zoned || sp->wall ? "no" : "a",
                       sp->zoned || sp->wall ? "timestamps with one"
                                             : "first timestamps");
        return;
    }
    if (sp->type == HZ_TYPE_DATE)
        c->stage[j] = (uint32_t)(int32_t)day;
    else
        memcpy(&c->stage[j], &secs, 8);
}

static void field_string(chunk *c, size_t j, const char *s, size_t n)
{
    if (c->used_libcsv) {
        /* libcsv reuses its buffer: keep a copy until the row ends. */
        if (c->nscratch + n + 1 > c->capscratch) {
            size_t cap = c->capscratch ? c->capscratch * 2 : 4096;
            while (cap < c->nscratch + n + 1)
                cap *= 2;
            char *b = realloc(c->scratch, cap);
            if (b == NULL) {
                c->status = HZ_ENOMEM;
                c->stop = true;
                return;
            }
            c->scratch = b;
            c->capscratch = cap;
        }
        memcpy(c->scratch + c->nscratch, s, n);
        c->stage_ptr[j] = NULL;
        c->stage_off[j] = c->nscratch;
        c->nscratch += n;
    } else {
        c->stage_ptr[j] = s;
    }
    c->stage_len[j] = n;
}

static void empty_value(chunk *c, size_t j)
{
    hz__csv_report(c, j + 1, false,
                   "column '%s': empty value%s (every row needs one; "
                   "--on-error skip drops such rows)",
                   c->names[j],
                   c->opt->na_values != NULL ? " or missing-value text (--na)"
                                             : "");
}

/* Whether field s is one of the comma-separated texts of list, blanks
 * around either aside ('N/A, NA' names NA, as 'N/A,NA' does). */
static bool na_text(const char *list, const char *s, size_t n)
{
    trim(&s, &n);
    for (const char *p = list;;) {
        const char *e = strchr(p, ',');
        const char *q = p;
        size_t l = e != NULL ? (size_t)(e - p) : strlen(p);
        trim(&q, &l);
        if (l == n && memcmp(q, s, n) == 0)
            return true;
        if (e == NULL)
            return false;
        p = e + 1;
    }
}

/* Whether s[0..n) is one space or tab at least and nothing else. */
static bool spaces_only(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t')
            return false;
    return n > 0;
}

void hz__csv_on_field(chunk *c, const char *s, size_t n, bool is_null)
{
    size_t j = c->field++;
    if (j == 0)
        c->first_blank = spaces_only(s, n);
    if (c->stop || c->row_bad || j >= c->ncols)
        return;
    if (!is_null && c->opt->na_values != NULL &&
        na_text(c->opt->na_values, s, n))
        is_null = true; /* --na: read as the empty cell it stands for */
    /* A blank (spaces only) number, date or bool is a null, as the
     * blank TotalCharges of the telco export. */
    if (!is_null && n > 0 && (s[0] == ' ' || s[0] == '\t') &&
        (c->infer || c->spec[j].type != HZ_TYPE_STRING)) {
        const char *t = s;
        size_t tn = n;
        trim(&t, &tn);
        is_null = tn == 0;
    }
    if (c->infer) {
        if (!is_null)
            hz__csv_evidence_add(&c->ev[j], s, n, c->row_line,
                                 c->opt->decimal);
        return;
    }
    if (is_null) {
        c->stage_null[j] = 1;
        if (c->spec[j].required && c->row_value)
            empty_value(c, j);
        else if (c->spec[j].required && c->empty_req == 0)
            c->empty_req = j + 1; /* unless every field is empty */
        return;
    }
    if (!c->row_value) {
        c->row_value = true;
        if (c->empty_req > 0) {
            empty_value(c, c->empty_req - 1);
            return;
        }
    }
    c->stage_null[j] = 0;
    char sh[64];
    if (c->spec[j].unnamed) {
        hz__csv_report(c, j + 1, false,
                       "column %zu has no name in the header row but holds "
                       "'%s' (columns without a name that end the header "
                       "row are ignored only when empty in every row: name "
                       "the column or delete it)",
                       j + 1, shown(s, n, sh, sizeof sh));
        return;
    }
    switch (c->spec[j].type) {
    case HZ_TYPE_INT64:
    case HZ_TYPE_FLOAT64:
    case HZ_TYPE_NULL: field_number(c, j, s, n); return;
    case HZ_TYPE_BOOL: {
        int b = parse_bool(s, n);
        if (b >= 0) {
            c->stage[j] = (uint64_t)b;
            return;
        }
        hz__csv_report(c, j + 1, false,
                       "column '%s': expected a boolean (true/false, yes/no, "
                       "1/0), got '%s'",
                       c->names[j], shown(s, n, sh, sizeof sh));
        return;
    }
    case HZ_TYPE_DATE:
    case HZ_TYPE_TIMESTAMP: field_date(c, j, s, n); return;
    case HZ_TYPE_STRING: field_string(c, j, s, n); return;
    }
}

/* Row r of column j is null: validity array (created on the first null,
 * all earlier rows valid), null count, and a 0 / NaN value. */
static bool set_null(chunk *c, size_t j, size_t r)
{
    hz_type t = c->spec[j].type;
    if (c->valid[j] == NULL) {
        c->valid[j] = malloc(c->cap);
        if (c->valid[j] == NULL) {
            c->status = HZ_ENOMEM;
            c->stop = true;
            return false;
        }
        memset(c->valid[j], 1, r);
        c->nvalid++;
    }
    c->valid[j][r] = 0;
    c->nulls[j]++;
    switch (type_width(t)) {
    case 1: c->vals[j][r] = 0; break;
    case 4: memset(c->vals[j] + 4 * r, 0, 4); break;
    default:
        if (t == HZ_TYPE_FLOAT64 || t == HZ_TYPE_NULL) {
            double nan = NAN;
            memcpy(c->vals[j] + 8 * r, &nan, 8);
        } else {
            memset(c->vals[j] + 8 * r, 0, 8);
        }
    }
    return true;
}

/* Start a run of rows at row r, rel line `line`. */
static void add_run(chunk *c, size_t r, size_t line)
{
    if (c->nrun == c->caprun) {
        size_t cap = c->caprun ? 2 * c->caprun : 8;
        size_t *a = realloc(c->run_row, cap * sizeof *a);
        if (a != NULL)
            c->run_row = a;
        size_t *b = a ? realloc(c->run_line, cap * sizeof *b) : NULL;
        if (b == NULL) {
            c->status = HZ_ENOMEM;
            c->stop = true;
            return;
        }
        c->run_line = b;
        c->caprun = cap;
    }
    c->run_row[c->nrun] = r;
    c->run_line[c->nrun++] = line;
    c->run_off = line - r;
}

/* Row r is kept and began on rel line `line` (line >= r: every row takes
 * a line at least); a new run unless it follows the last row's line. */
static inline void note_line(chunk *c, size_t r, size_t line)
{
    if (c->nrun == 0 || line - r != c->run_off)
        add_run(c, r, line);
}

/* A kept row's number with a point in a points_open column. */
static void count_point(chunk *c, size_t j)
{
    ptcount *p = &c->pts[j];
    if (c->stage_pt[j] == 2) {
        p->point++;
        return;
    }
    if (p->grouped++ == 0) {
        p->line = c->row_line;
        memcpy(p->text, p->cand, sizeof p->text);
    }
}

void hz__csv_on_row_end(chunk *c)
{
    size_t nf = c->field;
    const bool any_value = c->row_value;
    c->field = 0;
    c->nscratch = 0;
    c->row_value = false;
    c->empty_req = 0;
    if (c->stop)
        return;
    if (c->infer) {
        c->nrows++;
        if (c->nrows >= c->infer_rows)
            c->stop = true;
        return;
    }
    /* a line of spaces only is refused, not skipped as a blank line is:
     * the message says so (until 2026-12-07 'expected 3 fields, found 1'
     * alone, for a line that looks blank) */
    if (nf != c->ncols && !c->row_bad)
        hz__csv_report(c, nf > c->ncols ? c->ncols + 1 : nf, true,
                       "expected %zu fields, found %zu%s", c->ncols, nf,
                       nf > c->ncols && c->delim == ',' &&
                               c->opt->decimal == ','
                           ? " (with --decimal , and ',' between fields, "
                             "a number with a decimal comma must be "
                             "quoted: \"1,50\")"
                       : nf == 1 && c->first_blank
                           ? " (the line holds spaces only: a blank line "
                             "is skipped, a line of spaces is not; delete "
                             "it, or --on-error skip drops such rows)"
                           : "");
    else if (!any_value && !c->row_bad)
        return; /* empty fields only (",,,", as spreadsheets write rows
                   below their data): no row, as a blank line is none */
    if (c->row_bad) {
        if (c->opt->on_error == HZ_ON_ERROR_SKIP && !c->stop)
            c->skipped++;
        c->row_bad = false;
        return;
    }
    if (c->nrows == c->cap) {
        /* cap counts the chunk's lines: a row needs at least one */
        c->status = HZ_EINTERNAL;
        c->stop = true;
        return;
    }
    size_t r = c->nrows;
    for (size_t j = 0; j < c->ncols; j++) {
        hz_type t = c->spec[j].type;
        if (c->stage_null[j]) {
            if (!set_null(c, j, r))
                return;
            continue;
        }
        if (c->valid[j] != NULL)
            c->valid[j][r] = 1;
        if (c->spec[j].points_open && c->stage_pt[j] != 0)
            count_point(c, j);
        switch (t) {
        case HZ_TYPE_BOOL: c->vals[j][r] = (unsigned char)c->stage[j]; break;
        case HZ_TYPE_DATE: {
            uint32_t v = (uint32_t)c->stage[j];
            memcpy(c->vals[j] + 4 * r, &v, 4);
            break;
        }
        case HZ_TYPE_STRING: {
            const char *s = c->stage_ptr[j] ? c->stage_ptr[j]
                                            : c->scratch + c->stage_off[j];
            uint32_t code = hz_dict_intern(c->dicts[j], s, c->stage_len[j]);
            if (code == UINT32_MAX) {
                c->status = HZ_ENOMEM;
                c->stop = true;
                return;
            }
            ((uint32_t *)(void *)c->vals[j])[r] = code;
            break;
        }
        default: memcpy(c->vals[j] + 8 * r, &c->stage[j], 8);
        }
    }
    note_line(c, r, c->row_line);
    c->nrows++;
}

/* A separator at q (delimiter or newline) ends the field that began at
 * *fs.  Lines that hold nothing (or only a CR) are skipped, as libcsv
 * skips them. */
static inline void fast_sep(chunk *c, const char *q, const char **fs,
                            bool *row_open)
{
    if (*q == '\n') {
        const char *le = q;
        if (le > *fs && le[-1] == '\r')
            le--;
        if (*row_open || le > *fs) {
            hz__csv_on_field(c, *fs, (size_t)(le - *fs), le == *fs);
            hz__csv_on_row_end(c);
        }
        c->line++;
        c->row_line = c->line;
        *row_open = false;
    } else {
        hz__csv_on_field(c, *fs, (size_t)(q - *fs), q == *fs);
        *row_open = true;
    }
    *fs = q + 1;
}

/* Fast path for a chunk with no quote character at all: separators are
 * found 16 bytes at a time (SSE2 compare + movemask), then visited bit by
 * bit. */
void hz__csv_parse_fast(chunk *c)
{
    const char *begin = c->begin, *end = c->end, *fs = begin;
    const char delim = c->delim;
    const size_t n = (size_t)(end - begin);
    bool row_open = false;
    size_t i = 0;
    c->row_line = c->line;
#ifdef __SSE2__
    const __m128i vd = _mm_set1_epi8(delim), vn = _mm_set1_epi8('\n');
    for (; i + 16 <= n && !c->stop; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(begin + i));
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vd)) |
                     (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vn));
        while (m != 0) {
            fast_sep(c, begin + i + (unsigned)__builtin_ctz(m), &fs,
                     &row_open);
            m &= m - 1;
        }
    }
#endif
    for (; i < n && !c->stop; i++)
        if (begin[i] == delim || begin[i] == '\n')
            fast_sep(c, begin + i, &fs, &row_open);
    if (!c->stop) { /* a last line without a newline */
        const char *le = end;
        if (le > fs && le[-1] == '\r')
            le--;
        if (row_open || le > fs) {
            hz__csv_on_field(c, fs, (size_t)(le - fs), le == fs);
            hz__csv_on_row_end(c);
        }
    }
}

/* ---- Row loop for chunks without quotes ----
 *
 * The per-separator path above handles every case; the loop below handles
 * the common one fast: a row that is one line with exactly ncols fields,
 * each empty or valid for its column.  Numbers and dates are parsed
 * straight into the column arrays; strings are keyed and their hash slot
 * prefetched while the rest of the row is parsed, then interned when the
 * row is known to be good, so that a row rejected half way leaves no
 * trace.  Any other line (blank, ragged, a bad or blank-padded value, a
 * whole number in a float column's first rows, the last line without a
 * newline) is handed back to the per-separator path, which decides about
 * it exactly as a one-path parse would. */

/* K_F64_OPEN: a points_open column's (a number with a point goes to
 * the per-separator path, which counts it) */
enum {
    K_I64,
    K_F64,
    K_F64_OPEN,
    K_DATE_ISO,
    K_DATE,
    K_TS,
    K_BOOL,
    K_STR,
    K_EMPTY
};

static void row_kinds(const chunk *c, unsigned char *kind)
{
    for (size_t j = 0; j < c->ncols; j++) {
        const colspec *sp = &c->spec[j];
        if (sp->unnamed) {
            kind[j] = K_EMPTY; /* a value: the per-separator path */
            continue;
        }
        switch (sp->type) {
        case HZ_TYPE_INT64: kind[j] = K_I64; break;
        case HZ_TYPE_DATE:
            kind[j] = sp->fmt == HZ_DATEFMT_ISO ? K_DATE_ISO : K_DATE;
            break;
        case HZ_TYPE_TIMESTAMP: kind[j] = K_TS; break;
        case HZ_TYPE_BOOL: kind[j] = K_BOOL; break;
        case HZ_TYPE_STRING: kind[j] = K_STR; break;
        default: kind[j] = sp->points_open ? K_F64_OPEN : K_F64;
        }
    }
}

/* A float field f[0..fl) of the row loop (avail: the bytes readable
 * from f), eight bytes at a time when it can; false for anything the
 * per-separator path decides, there also a number with a point in a
 * points_open column (K_F64_OPEN), which that path counts. */
static inline bool row_f64(const char *f, size_t fl, size_t avail,
                           unsigned char kind, double *v)
{
    if (kind == K_F64_OPEN && memchr(f, '.', fl) != NULL)
        return false;
#ifdef HAVE_SWAR
    if (avail >= 8 && f64_swar(f, fl, v))
        return true;
#else
    (void)avail;
#endif
    return parse_f64(f, fl, v);
}

/* Separator positions (delimiter or newline) of a byte range, 64 bytes
 * at a time as a bit mask. */
typedef struct sepscan {
    const char *p;
    size_t n;
    size_t base;   /* offset of the current block */
    uint64_t mask; /* its separators not yet returned */
    char delim;
} sepscan;

static inline uint64_t sep_mask(const sepscan *s, size_t at)
{
    const char *b = s->p + at;
    uint64_t m = 0;
#ifdef __SSE2__
    if (at + 64 <= s->n) {
        const __m128i vd = _mm_set1_epi8(s->delim), vn = _mm_set1_epi8('\n');
        for (int k = 0; k < 4; k++) {
            __m128i x = _mm_loadu_si128((const __m128i *)(b + 16 * k));
            __m128i e = _mm_or_si128(_mm_cmpeq_epi8(x, vd),
                                     _mm_cmpeq_epi8(x, vn));
            m |= (uint64_t)(unsigned)_mm_movemask_epi8(e) << (16 * k);
        }
        return m;
    }
#endif
    size_t lim = s->n - at < 64 ? s->n - at : 64;
    for (size_t i = 0; i < lim; i++)
        m |= (uint64_t)(b[i] == s->delim || b[i] == '\n') << i;
    return m;
}

static inline void sep_seek(sepscan *s, size_t at)
{
    s->base = at;
    s->mask = at < s->n ? sep_mask(s, at) : 0;
}

/* Offset of the next separator, or n when there is none left. */
static inline size_t sep_next(sepscan *s)
{
    while (s->mask == 0) {
        if (s->base + 64 >= s->n)
            return s->n;
        s->base += 64;
        s->mask = sep_mask(s, s->base);
    }
    size_t q = s->base + (size_t)__builtin_ctzll(s->mask);
    s->mask &= s->mask - 1;
    return q;
}

/* One physical line [ls, le) through the per-separator path; le is the
 * newline, or the chunk's end for a last line without one. */
static void slow_line(chunk *c, const char *ls, const char *le)
{
    const char *fs = ls;
    bool row_open = false;
    c->row_line = c->line;
    for (const char *q = ls; q < le && !c->stop; q++)
        if (*q == c->delim)
            fast_sep(c, q, &fs, &row_open);
    if (c->stop)
        return;
    if (le < c->end) {
        fast_sep(c, le, &fs, &row_open);
        return;
    }
    if (le > fs && le[-1] == '\r')
        le--;
    if (row_open || le > fs) {
        hz__csv_on_field(c, fs, (size_t)(le - fs), le == fs);
        hz__csv_on_row_end(c);
    }
}

/* Intern the strings of the pending rows, in row order. */
static bool flush_pending(chunk *c)
{
    for (size_t i = 0; i < c->npend; i++) {
        size_t r = c->pend_row[i], base = i * c->ncols;
        for (size_t t = 0; t < c->nstr; t++) {
            size_t j = c->strcols[t];
            if (c->pend_len[base + j] == SIZE_MAX)
                continue;
            uint32_t code = hz__dict_intern_key(
                c->dicts[j], c->pend_ptr[base + j], c->pend_len[base + j],
                c->pend_key[base + j]);
            if (code == UINT32_MAX) {
                c->status = HZ_ENOMEM;
                c->stop = true;
                return false;
            }
            ((uint32_t *)(void *)c->vals[j])[r] = code;
        }
    }
    c->npend = 0;
    return true;
}

static void parse_rows(chunk *c)
{
    const char *b = c->begin;
    const size_t n = (size_t)(c->end - b), ncols = c->ncols;
    unsigned char *kind = c->kind;
    sepscan s = {b, n, 0, 0, c->delim};
    size_t p = 0;
    row_kinds(c, kind);
    sep_seek(&s, 0);
    while (p < n && !c->stop) {
        const size_t ls = p, r = c->nrows, base = c->npend * ncols;
        size_t nnull = 0;
        if (r == c->cap)
            goto slow;
        /* A blank line is not a row, also in a one-column file (where it
         * would otherwise read as one empty field): the per-separator
         * path skips it. */
        if (b[p] == '\n' || (b[p] == '\r' && p + 1 < n && b[p + 1] == '\n'))
            goto slow;
        for (size_t j = 0; j < ncols; j++) {
            size_t q = sep_next(&s);
            if (q >= n)
                goto slow;
            bool nl = b[q] == '\n';
            if (nl != (j + 1 == ncols))
                goto slow;
            size_t fe = q;
            if (nl && fe > p && b[fe - 1] == '\r')
                fe--;
            const char *f = b + p;
            size_t fl = fe - p;
            p = q + 1;
            if (fl == 0) {
                if (c->spec[j].required)
                    goto slow;
                c->nullcols[nnull++] = j;
                if (kind[j] == K_STR)
                    c->pend_len[base + j] = SIZE_MAX;
                continue;
            }
            /* typed stores: a char store could alias anything and make
             * the compiler reload the chunk's fields after every field */
            void *out = c->vals[j];
            switch (kind[j]) {
            case K_I64: {
                int64_t v;
#ifdef HAVE_SWAR
                if ((size_t)(b + n - f) >= 8 && i64_swar(f, fl, &v)) {
                    ((int64_t *)out)[r] = v;
                    break;
                }
#endif
                if (!parse_i64(f, fl, &v))
                    goto slow;
                ((int64_t *)out)[r] = v;
                break;
            }
            case K_F64:
            case K_F64_OPEN: {
                double v;
                if (!row_f64(f, fl, (size_t)(b + n - f), kind[j], &v))
                    goto slow;
                ((double *)out)[r] = v;
                break;
            }
            case K_DATE_ISO:
            case K_DATE: {
                int64_t secs;
                bool ts;
                if (!parse_date(f, fl, c->spec[j].fmt, &secs, &ts) ||
                    hz__csv_time_dropped(f, fl, ts, secs) ||
                    yy_other_side(&c->spec[j], f, fl) != 0)
                    goto slow;
                int64_t day = hz__csv_local_day(f, fl, secs);
                if (day < c->day_lo || day > c->day_hi)
                    goto slow;
                ((int32_t *)out)[r] = (int32_t)day;
                break;
            }
            case K_TS: {
                int64_t secs;
                bool ts;
                if (c->tz != NULL || c->spec[j].wall ||
                    !parse_date(f, fl, c->spec[j].fmt, &secs, &ts) ||
                    hz__csv_zoned(c->spec[j].fmt, f, fl) !=
                        c->spec[j].zoned ||
                    secs < (int64_t)c->day_lo * 86400 ||
                    secs >= ((int64_t)c->day_hi + 1) * 86400)
                    goto slow;
                ((int64_t *)out)[r] = secs;
                break;
            }
            case K_BOOL: {
                int v = parse_bool(f, fl);
                if (v < 0)
                    goto slow;
                ((uint8_t *)out)[r] = (uint8_t)v;
                break;
            }
            case K_EMPTY: goto slow;
            default: {
                hz__dkey k = hz__dict_key_avail(f, fl, n - (size_t)(f - b));
                c->pend_ptr[base + j] = f;
                c->pend_len[base + j] = fl;
                c->pend_key[base + j] = k;
                hz__dict_prefetch(c->dicts[j], k.hash);
            }
            }
        }
        if (nnull == ncols) { /* empty fields only: no row */
            c->line++;
            continue;
        }
        /* The row is good: its strings join the batch; validity, nulls. */
        if (c->nstr > 0) {
            c->pend_row[c->npend++] = r;
            if (c->npend == PEND_ROWS && !flush_pending(c))
                return;
        }
        if (c->nvalid > 0)
            for (size_t j = 0; j < ncols; j++)
                if (c->valid[j] != NULL)
                    c->valid[j][r] = 1;
        for (size_t t = 0; t < nnull; t++)
            if (!set_null(c, c->nullcols[t], r))
                return;
        note_line(c, r, c->line);
        c->nrows++;
        c->line++;
        continue;
    slow : {
        if (!flush_pending(c)) /* strings keep first-seen order */
            return;
        const char *le = memchr(b + ls, '\n', n - ls);
        if (le == NULL)
            le = c->end;
        slow_line(c, b + ls, le);
        p = le < c->end ? (size_t)(le - b) + 1 : n;
        sep_seek(&s, p);
        row_kinds(c, kind);
    }
    }
    if (!c->stop)
        flush_pending(c);
}
void hz__csv_chunk_free(chunk *c)
{
    if (c->lp_open)
        csv_free(&c->lp);
    for (size_t j = 0; j < c->ncols; j++) {
        if (c->valid)
            free(c->valid[j]);
        if (c->dicts)
            hz_dict_free(c->dicts[j]);
    }
    free(c->vals);
    free(c->valid);
    free(c->nulls);
    free(c->folds);
    free(c->fold_early);
    free(c->fold_late);
    free(c->fold_first);
    free(c->unz_first);
    free(c->unz_line);
    free(c->dicts);
    free(c->spec);
    free(c->stage);
    free(c->stage_null);
    free(c->pend_ptr);
    free(c->pend_len);
    free(c->pend_key);
    free(c->kind);
    free(c->strcols);
    free(c->nullcols);
    free(c->stage_ptr);
    free(c->stage_off);
    free(c->stage_len);
    free(c->stage_pt);
    free(c->pts);
    free(c->scratch);
    free(c->run_row);
    free(c->run_line);
}

/* Set up chunk c to write up to cap rows into the final column arrays
 * cols[j] starting at row first. */
int hz__csv_chunk_init(chunk *c, size_t ncols, const colspec *spec,
                       unsigned char **cols, size_t first, size_t cap)
{
    c->ncols = ncols;
    c->spec = malloc(ncols * sizeof *c->spec);
    c->vals = calloc(ncols, sizeof *c->vals);
    c->valid = calloc(ncols, sizeof *c->valid);
    c->nulls = calloc(ncols, sizeof *c->nulls);
    c->folds = calloc(ncols, sizeof *c->folds);
    c->fold_early = calloc(ncols, sizeof *c->fold_early);
    c->fold_late = calloc(ncols, sizeof *c->fold_late);
    c->fold_first = calloc(ncols, sizeof *c->fold_first);
    c->unz_first = calloc(ncols, sizeof *c->unz_first);
    c->unz_line = calloc(ncols, sizeof *c->unz_line);
    c->dicts = calloc(ncols, sizeof *c->dicts);
    c->stage = calloc(ncols, sizeof *c->stage);
    c->stage_null = calloc(ncols, 1);
    c->stage_ptr = calloc(ncols, sizeof *c->stage_ptr);
    c->stage_off = calloc(ncols, sizeof *c->stage_off);
    c->stage_len = calloc(ncols, sizeof *c->stage_len);
    c->stage_pt = calloc(ncols, 1);
    c->pts = calloc(ncols, sizeof *c->pts);
    c->pend_ptr = calloc(PEND_ROWS * ncols, sizeof *c->pend_ptr);
    c->pend_len = calloc(PEND_ROWS * ncols, sizeof *c->pend_len);
    c->pend_key = calloc(PEND_ROWS * ncols, sizeof *c->pend_key);
    c->kind = calloc(ncols, 1);
    c->strcols = calloc(ncols, sizeof *c->strcols);
    c->nullcols = calloc(ncols, sizeof *c->nullcols);
    if (!c->spec || !c->vals || !c->valid || !c->nulls || !c->folds ||
        !c->fold_early || !c->fold_late || !c->fold_first || !c->unz_first ||
        !c->unz_line || !c->dicts || !c->stage || !c->stage_null ||
        !c->stage_ptr || !c->stage_off || !c->stage_len || !c->stage_pt ||
        !c->pts || !c->pend_ptr || !c->pend_len || !c->pend_key || !c->kind ||
        !c->strcols || !c->nullcols)
        return -1;
    memcpy(c->spec, spec, ncols * sizeof *spec);
    hz__csv_date_window(c->opt, &c->day_lo, &c->day_hi);
    for (size_t j = 0; j < ncols; j++) {
        c->vals[j] = cols[j] + first * type_width(spec[j].type);
        if (spec[j].type == HZ_TYPE_STRING) {
            c->dicts[j] = hz_dict_new();
            if (c->dicts[j] == NULL)
                return -1;
            c->strcols[c->nstr++] = j;
        }
    }
    c->cap = cap;
    return 0;
}

/* Parse [c->begin, c->end) with the chunk's path; last says whether it
 * ends the chunk (else it ends with a newline, and libcsv stays open). */
static void chunk_block(chunk *c, bool first, bool last)
{
    if (c->opt->force_path == 2 || c->has_quotes) {
        if (first)
            hz__csv_libcsv_begin(c);
        if (!c->stop)
            hz__csv_libcsv_feed(c);
        if (last || c->stop)
            hz__csv_libcsv_end(c);
    } else if (c->opt->force_path == 3 || c->opt->decimal == ',' ||
               c->opt->na_values != NULL) {
        /* the row loop's decimal parsers read '.' only, and it reads
         * strings without a look at the missing-value texts */
        hz__csv_parse_fast(c);
    } else {
        parse_rows(c);
    }
}

/* Parse bytes [a, b) of src: in one piece from memory, or read in blocks
 * that end at a newline, the partial line carried to the next block. */
void hz__csv_chunk_run(chunk *c, const hz__src *src, size_t a, size_t b,
                       hz__srcbuf *sb)
{
    size_t got;
    if (src->mem != NULL) {
        c->begin = hz__src_view(src, a, b - a, sb, &got);
        c->end = c->begin + got;
        chunk_block(c, true, true);
        return;
    }
    size_t carry = 0, pos = a, block = hz__src_block(src);
    bool first = true;
    for (;;) {
        if (hz__srcbuf_reserve(sb, carry + block, carry) != 0) {
            c->status = HZ_ENOMEM;
            c->stop = true;
            break;
        }
        size_t want = b - pos < block ? b - pos : block;
        hz__srcbuf tail = {sb->p + carry, sb->cap - carry};
        if (want > 0 && hz__src_view(src, pos, want, &tail, &got) == NULL) {
            c->status = HZ_EIO;
            c->io_errno = errno;
            c->stop = true;
            break;
        }
        pos += want;
        size_t have = carry + want, use = have;
        bool last = pos == b;
        if (!last) {
            const char *nl = memrchr(sb->p, '\n', have);
            if (nl == NULL) { /* a line longer than a block */
                carry = have;
                continue;
            }
            use = (size_t)(nl - sb->p) + 1;
        }
        c->begin = sb->p;
        c->end = sb->p + use;
        chunk_block(c, first, last);
        first = false;
        if (c->stop || last)
            break;
        memmove(sb->p, sb->p + use, have - use);
        carry = have - use;
    }
    if (c->lp_open)
        hz__csv_libcsv_end(c);
}