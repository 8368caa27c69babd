/* CSV type inference: evidence from the first rows, and the delimiter.
 * See csv_internal.h. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/csv_internal.h"
#include "data/csv_value.h"
#include "core/period_text.h"

/* The year-first format a value's shape allows (the formats differ at
 * fixed places), or NONE. */
static hz_datefmt year_first_shape(const char *t, size_t tn)
{
    /* four digits first: 1/15/2024 and 12/5/2024 have a '/' at t[4]
     * too, and are month- or day-first */
    for (size_t k = 0; k < 4 && k < tn; k++)
        if (t[k] < '0' || t[k] > '9')
            return HZ_DATEFMT_NONE;
    if (tn >= 10 && t[4] == '-' && t[7] == '-')
        return HZ_DATEFMT_ISO;
    /* one-digit month or day (2024-1-31, 2024-12-5), ISO 8601's basic
     * date and time (20240131T140509Z) */
    if (tn >= 8 && t[4] == '-' && t[5] >= '0' && t[5] <= '9' &&
        (t[6] == '-' || t[7] == '-'))
        return HZ_DATEFMT_ISO;
    if (tn >= 13 && t[8] == 'T')
        return HZ_DATEFMT_ISO;
    if (tn >= 8 && t[4] == '/')
        return HZ_DATEFMT_YMD_SLASH;
    /* with dots, two-digit month and day (2024.01.31): 2024.1.0,
     * 2024.3.1 are version numbers as calendar versioning writes them
     * (a column of them was text, and would be refused at the first
     * that is no date) */
    if (tn >= 10 && t[4] == '.' && t[7] == '.' && (tn == 10 || t[10] == ' '))
        return HZ_DATEFMT_YMD_SLASH;
    if (tn == 7 && t[4] == '-')
        return t[5] == 'Q' || t[5] == 'q' ? HZ_DATEFMT_QUARTER
                                          : HZ_DATEFMT_MONTH;
    if (tn == 7 && t[4] == ' ' && (t[5] == 'Q' || t[5] == 'q'))
        return HZ_DATEFMT_QUARTER; /* 2024 Q1 */
    if (tn == 6 && (t[4] == 'Q' || t[4] == 'q'))
        return HZ_DATEFMT_QUARTER_COMPACT;
    if (tn == 8 && t[4] == '-' && (t[5] == 'W' || t[5] == 'w'))
        return HZ_DATEFMT_ISOWEEK;
    if (tn == 7 && (t[4] == 'W' || t[4] == 'w'))
        return HZ_DATEFMT_ISOWEEK_COMPACT;
    return HZ_DATEFMT_NONE;
}

/* Months and quarters as spreadsheets write them (Jan 2024, Jan-24,
 * 01/2024; Q1 2024), and the centuries of two-digit years. */
static void period_text_evidence(evidence *e, const char *t, size_t tn,
                                 size_t line)
{
    int y, k;
    bool yy;
    if (hz__month_text(t, tn, &y, &k, &yy)) {
        e->n_fmt[HZ_DATEFMT_MONTH]++;
        size_t c = y >= 2000;
        if (yy && e->n_yy[c]++ == 0) {
            e->yy_line[c] = line;
            snprintf(e->yy_text[c], sizeof e->yy_text[c], "%.*s",
                     (int)(tn < 23 ? tn : 23), t);
        }
        if (yy) { /* could they be days (Jan-01 .. Jan-31)? */
            int v = y % 100;
            bool first = e->yy_months == 0;
            e->yy_months |= 1u << (k - 1);
            if (v <= 31)
                e->yy_days[k - 1] |= (uint32_t)1 << v;
            if (first || v < e->yy_min) {
                e->yy_min = v;
                snprintf(e->yy_min_text, sizeof e->yy_min_text, "%.*s",
                         (int)(tn < 23 ? tn : 23), t);
            }
            if (first || v > e->yy_max) {
                e->yy_max = v;
                snprintf(e->yy_max_text, sizeof e->yy_max_text, "%.*s",
                         (int)(tn < 23 ? tn : 23), t);
            }
        }
    } else if (hz__quarter_text(t, tn, &y, &k)) {
        e->n_fmt[HZ_DATEFMT_QUARTER]++;
    }
}

/* A timestamp (ts) with a UTC offset, and whether it is at midnight in
 * its own zone; secs: its instant. */
static void zoned_evidence(evidence *e, const char *t, size_t tn, bool ts,
                           int64_t secs)
{
    if (!ts)
        return;
    if (!hz__csv_zoned_text(t, tn)) {
        e->n_plain_midnight += secs % 86400 == 0;
        return;
    }
    e->n_zoned++;
    int64_t local = secs + hz__csv_zone_offset(t, tn);
    int64_t tod = ((local % 86400) + 86400) % 86400;
    e->n_zoned_midnight += tod == 0;
    e->zoned_tod = e->zoned_tod == 0         ? tod + 1
                   : e->zoned_tod == tod + 1 ? e->zoned_tod
                                             : -1;
}

/* Dates, or timestamps: times at midnight in their own zone, each with
 * its UTC offset (a zoned daily index, 2024-03-05T00:00:00+01:00), are
 * the dates they name (hz__csv_local_day); other times are instants. */
static hz_type timed_type(const evidence *e)
{
    if (e->n_ts == 0 ||
        (e->n_zoned == e->n_ts && e->n_zoned_midnight == e->n_ts))
        return HZ_TYPE_DATE;
    return HZ_TYPE_TIMESTAMP;
}

/* A value read month-first (m), day-first (d) or both: which settles
 * the order, and the first that settles nothing (ambiguous). */
static void timed_evidence(evidence *e, const char *t, size_t tn,
                           size_t line, bool m, bool d, bool ts, int64_t secs)
{
    e->n_fmt[HZ_DATEFMT_MDY_SLASH] += m;
    e->n_fmt[HZ_DATEFMT_DMY] += d;
    e->n_ts += ts;
    zoned_evidence(e, t, tn, ts, secs);
    e->n_mdy_only += m && !d;
    e->n_dmy_only += d && !m;
    if (m && d && !e->ambiguous) {
        e->ambiguous = true;
        e->amb_line = line;
        snprintf(e->amb_text, sizeof e->amb_text, "%.*s",
                 (int)(tn < 23 ? tn : 23), t);
    }
}

/* Which date formats a trimmed value fits.  Cheap rejects first: most
 * sampled values are numbers or words. */
static void date_evidence(evidence *e, const char *t, size_t tn, size_t line)
{
    if (tn < 6 || tn > 64) /* Wednesday, September 25, 2024 12:30:45 p.m. */
        return;
    int64_t secs;
    bool ts = false;
    if (t[0] < '0' || t[0] > '9') {
        if (!((t[0] >= 'A' && t[0] <= 'Z') || (t[0] >= 'a' && t[0] <= 'z')))
            return;
        /* the month named first (Jan 31, 2024) settles the order; so
         * does a named one after a weekday (Wed, 31 Jan 2024), and a
         * weekday before numbers when only one order falls on it; when
         * both do (Sat, 6/1/2024: 1 June and 6 January are Saturdays)
         * the value settles nothing, as 6/1/2024 alone */
        int64_t dsecs;
        bool dts = false;
        const bool m =
            hz_parse_datetime(t, tn, HZ_DATEFMT_MDY_SLASH, &secs, &ts, NULL);
        const bool d =
            hz_parse_datetime(t, tn, HZ_DATEFMT_DMY, &dsecs, &dts, NULL);
        if (m || d)
            timed_evidence(e, t, tn, line, m, d, m ? ts : dts,
                           m ? secs : dsecs);
        else
            period_text_evidence(e, t, tn, line);
        return;
    }
    hz_datefmt f = year_first_shape(t, tn);
    if (f != HZ_DATEFMT_NONE) {
        /* ISO's shape with a one-digit month or day (2024-1-31) and
         * dotted ones (2024.01.31), read since 2026-12-07, are dates
         * only within the accepted years: codes such as 4711-3-12 and
         * 4711.03.12 were text and stay so */
        const bool short_iso =
            (f == HZ_DATEFMT_ISO && t[4] == '-' &&
             !(tn >= 10 && t[7] == '-')) ||
            (f == HZ_DATEFMT_YMD_SLASH && t[4] == '.');
        /* ISO's basic form to the minute and without a zone
         * (20240131T0001) is as often a ticket id as a time: a time only
         * in a column named a date one (forecast --date, --schema), else
         * text (until 2026-12-07 such ids were read as timestamps, shown
         * as 2024-01-31T00:01:00); with seconds or a zone
         * (20240131T140509, 20240131T1405Z) a time as before */
        const bool basic_short = f == HZ_DATEFMT_ISO && t[8] == 'T' &&
                                 t[4] != '-' && tn == 13;
        if (basic_short) {
            if (hz_parse_datetime(t, tn, f, &secs, &ts, NULL)) {
                e->n_basic_short++;
                e->n_basic_short_midnight += secs % 86400 == 0;
            }
            return;
        }
        if (hz_parse_datetime(t, tn, f, &secs, &ts, NULL) &&
            !(short_iso && (secs < (int64_t)e->day_lo * 86400 ||
                            secs >= ((int64_t)e->day_hi + 1) * 86400))) {
            e->n_fmt[f]++;
            e->n_ts += ts;
            zoned_evidence(e, t, tn, ts, secs);
        }
        return;
    }
    const size_t sp = t[1] == ' ' ? 1 : t[2] == ' ' ? 2 : 0;
    const bool named = sp > 0 && ((t[sp + 1] >= 'A' && t[sp + 1] <= 'Z') ||
                                  (t[sp + 1] >= 'a' && t[sp + 1] <= 'z'));
    if (!(t[1] == '/' || t[2] == '/' || t[1] == '-' || t[2] == '-' ||
          t[1] == '.' || t[2] == '.' || named)) /* 15 Jan 2024 */
        return;
    bool m = hz_parse_datetime(t, tn, HZ_DATEFMT_MDY_SLASH, &secs, &ts, NULL);
    bool d = hz_parse_datetime(t, tn, HZ_DATEFMT_DMY, &secs, &ts, NULL);
    if (!m && !d) { /* 01/2024 */
        period_text_evidence(e, t, tn, line);
        return;
    }
    timed_evidence(e, t, tn, line, m, d, ts, secs);
}

/* A decimal that only fails to parse because it overflows a double. */
static bool overflowing_number(const char *s, size_t n)
{
    trim(&s, &n);
    char buf[512];
    if (n == 0 || n >= sizeof buf ||
        !(s[0] == '-' || s[0] == '+' || s[0] == '.' ||
          (s[0] >= '0' && s[0] <= '9')))
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    return end == buf + n && isinf(v) && errno == ERANGE;
}

bool hz__csv_number_overflows(const char *s, size_t n)
{
    return overflowing_number(s, n);
}

/* Whether trimmed text t, a number with a decimal point, could be one
 * written with a point between thousands (1.234, -12.500): one to three
 * digits (not a lone 0) before the one point, three after it. */
bool hz__csv_grouped_shape(const char *t, size_t tn)
{
    size_t i = tn > 0 && (t[0] == '-' || t[0] == '+');
    size_t a = i;
    while (a < tn && t[a] >= '0' && t[a] <= '9')
        a++;
    size_t lead = a - i;
    if (lead < 1 || lead > 3 || t[i] == '0' || a + 4 != tn || t[a] != '.')
        return false;
    for (size_t k = a + 1; k < tn; k++)
        if (t[k] < '0' || t[k] > '9')
            return false;
    return true;
}

void hz__csv_evidence_add(evidence *e, const char *s, size_t n, size_t line,
                          char dec)
{
    int64_t iv;
    double dv;
    e->nonnull++;
    const char *ns = s; /* the number: "(50)", "50-" are an accounting -50 */
    size_t nn = n;
    const bool neg = accounting_negative(&ns, &nn);
    if (parse_i64(ns, nn, &iv)) {
        e->n_int++;
        e->n_num++;
        e->n_year += !neg && iv >= 1000 && iv <= 9999;
    } else if (parse_dec(ns, nn, dec, &dv) || overflowing_number(ns, nn)) {
        e->n_num++;
        const char *g = ns;
        size_t gn = nn;
        trim(&g, &gn);
        if (dec != ',' && memchr(g, '.', gn) != NULL) {
            if (!hz__csv_grouped_shape(g, gn)) {
                e->n_point++;
            } else if (e->n_grouped++ == 0) {
                e->grp_line = line;
                snprintf(e->grp_text, sizeof e->grp_text, "%.*s",
                         (int)(gn < 23 ? gn : 23), g);
            }
        }
    }
    if (parse_bool_word(s, n) >= 0)
        e->n_boolword++;
    const char *t = s;
    size_t tn = n;
    trim(&t, &tn);
    date_evidence(e, t, tn, line);
}

/* A type wins when at least 95% of the sampled values parse as it: the
 * odd 'N/A' in a numeric column is then reported as an error, with its
 * line, instead of silently turning the column into text. */
static bool mostly(size_t k, size_t n)
{
    return k > 0 && (double)k >= 0.95 * (double)n;
}

/* The date format most sampled values fit; month- versus day-first is
 * decided by a value with a day above 12 (both seen: no date format, or
 * with majority the more frequent, so that the others are errors with
 * their place). */
static hz_datefmt best_date_format(const evidence *e, bool majority,
                                   bool *undecided)
{
    hz_datefmt best = HZ_DATEFMT_NONE;
    *undecided = false;
    for (int f = HZ_DATEFMT_ISO; f < HZ_DATEFMT_COUNT; f++)
        if (e->n_fmt[f] > (best ? e->n_fmt[best] : 0))
            best = (hz_datefmt)f;
    if (best == HZ_DATEFMT_MDY_SLASH || best == HZ_DATEFMT_DMY) {
        if (e->n_mdy_only > 0 && e->n_dmy_only > 0) /* both: the majority */
            return majority ? (e->n_dmy_only >= e->n_mdy_only
                                   ? HZ_DATEFMT_DMY
                                   : HZ_DATEFMT_MDY_SLASH)
                            : HZ_DATEFMT_NONE;
        if (e->n_dmy_only > 0)
            return HZ_DATEFMT_DMY;
        if (e->n_mdy_only > 0)
            return HZ_DATEFMT_MDY_SLASH;
        *undecided = true;
    }
    return best;
}

/* A timestamp column's times with UTC offsets: instants (zoned), or,
 * when every sampled one carries an offset and all fall at one time of
 * day in their own zone, as a daily reading at 01:30 in Berlin does
 * (+01:00 in winter, +02:00 in summer: 00:30 and 23:30 the day before in
 * UTC), the wall clock of each one's zone (wall): the days they name. */
static void zone_kind(colspec *c, const evidence *e)
{
    c->zoned = c->type == HZ_TYPE_TIMESTAMP && e->n_zoned > 0;
    c->wall = c->zoned && e->n_zoned == e->n_ts && e->n_zoned >= 2 &&
              e->zoned_tod > 0;
    if (c->wall)
        c->zoned = false;
    c->midnights = c->type == HZ_TYPE_TIMESTAMP && e->n_zoned == 0 &&
                   e->n_plain_midnight == e->n_ts;
}

colspec hz__csv_evidence_resolve(const evidence *e, bool whole_file)
{
    colspec c = {HZ_TYPE_STRING, HZ_DATEFMT_NONE, false, false, false, false};
    size_t n = e->nonnull;
    bool undecided;
    hz_datefmt df = best_date_format(e, false, &undecided);
    if (n == 0)
        c.type = whole_file ? HZ_TYPE_NULL : HZ_TYPE_STRING;
    else if (mostly(e->n_boolword, n))
        c.type = HZ_TYPE_BOOL;
    else if (mostly(e->n_num, n))
        c.type = e->n_int == e->n_num ? HZ_TYPE_INT64 : HZ_TYPE_FLOAT64;
    else if (df != HZ_DATEFMT_NONE && mostly(e->n_fmt[df], n)) {
        c.type = timed_type(e);
        c.fmt = df;
        c.undecided = undecided;
        zone_kind(&c, e);
    }
    return c;
}

void hz__csv_want_date(colspec *c, const evidence *ev)
{
    c->required = true;
    if (c->overridden || c->type == HZ_TYPE_DATE ||
        c->type == HZ_TYPE_TIMESTAMP)
        return;
    /* named a date column: ISO basic times to the minute are times */
    evidence w = *ev;
    w.n_fmt[HZ_DATEFMT_ISO] += w.n_basic_short;
    w.n_ts += w.n_basic_short;
    w.n_plain_midnight += w.n_basic_short_midnight;
    const evidence *e = &w;
    bool undecided;
    hz_datefmt df = best_date_format(e, true, &undecided);
    size_t n = e->nonnull;
    if (n > 0 && e->n_year == n && e->n_int == n) {
        c->type = HZ_TYPE_DATE; /* integer years */
        c->fmt = HZ_DATEFMT_YEAR;
    } else if (df != HZ_DATEFMT_NONE && 2 * e->n_fmt[df] >= n) {
        c->type = timed_type(e);
        c->fmt = df;
        c->undecided = undecided;
        zone_kind(c, e);
    }
}

void hz__csv_want_number(colspec *c, const evidence *e)
{
    c->required = true;
    if (c->overridden || c->type == HZ_TYPE_INT64 ||
        c->type == HZ_TYPE_FLOAT64)
        return;
    if (e->nonnull > 0 && 2 * e->n_num >= e->nonnull)
        c->type = e->n_int == e->n_num ? HZ_TYPE_INT64 : HZ_TYPE_FLOAT64;
}

void hz__csv_date_window(const hz_csv_options *opt, int32_t *lo, int32_t *hi)
{
    int a = opt && opt->date_min_year ? opt->date_min_year : 1800;
    int b = opt && opt->date_max_year ? opt->date_max_year : 2200;
    *lo = hz_days_from_civil(a, 1, 1);
    *hi = hz_days_from_civil(b, 12, 31);
}

int hz__csv_infer_sample(const char *body, size_t plen, size_t blen,
                         size_t ncols, const hz_csv_options *opt, char delim,
                         char **names, evidence *ev, bool *whole)
{
    chunk c;
    memset(&c, 0, sizeof c);
    memset(ev, 0, ncols * sizeof *ev);
    for (size_t k = 0; k < ncols; k++)
        hz__csv_date_window(opt, &ev[k].day_lo, &ev[k].day_hi);
    c.begin = body;
    c.end = body + plen;
    c.ncols = ncols;
    c.opt = opt;
    c.delim = delim;
    c.infer = true;
    c.infer_rows = opt->infer_rows ? opt->infer_rows : DEFAULT_INFER_ROWS;
    c.ev = ev;
    c.names = names;
    /* Sample region: enough bytes for infer_rows rows, row-aligned. */
    size_t look = plen < INFER_MAX_BYTES ? plen : INFER_MAX_BYTES;
    bytecount bc = hz__csv_count_bytes(body, look, body + plen);
    int more = 0;
    if (bc.nq > 0 || bc.ncr > 0) {
        /* libcsv: rows end where it says; it sees the whole body when
         * the sample needs it */
        hz__csv_libcsv_begin(&c);
        if (!c.stop)
            hz__csv_libcsv_feed(&c);
        if (!c.stop && plen < blen)
            more = 1;
        else
            hz__csv_libcsv_end(&c);
        if (c.lp_open)
            csv_free(&c.lp);
    } else {
        if (look < blen) {
            const char *nl = memrchr(body, '\n', look);
            c.end = nl ? nl + 1 : body + look;
        }
        hz__csv_parse_fast(&c);
        if (!c.stop && c.end < body + blen) {
            if (plen < blen && look < INFER_MAX_BYTES)
                more = 1;
            c.stop = true; /* sampled part of the file only */
        }
    }
    *whole = !c.stop;
    free(c.scratch);
    return more;
}

void hz__csv_delim_name(char delim, char buf[8])
{
    if (delim == '\t')
        snprintf(buf, 8, "tabs");
    else
        snprintf(buf, 8, "'%c'", delim);
}

char hz__csv_detect_delimiter(const char *s, size_t n, char dec)
{
    static const char cands[] = {',', ';', '\t', '|'};
    /* a decimal comma: ',' only when no other delimiter separates the
     * header row (a comma-separated export with its decimal commas
     * quoted, "1,50", as spreadsheets in such locales write it) */
    const int k0 = dec == ',' ? 1 : 0;
    size_t counts[4][8];
    size_t nlines = 0;
    memset(counts, 0, sizeof counts);
    bool inq = false;
    for (size_t i = 0; i < n && nlines < 8; i++) {
        char ch = s[i];
        if (ch == '"')
            inq = !inq;
        else if (!inq && ch == '\n')
            nlines++;
        else if (!inq)
            for (int k = 0; k < 4; k++)
                if (ch == cands[k])
                    counts[k][nlines]++;
    }
    if (nlines < 8 && n > 0)
        nlines++; /* last line without newline */
    int best = -1;
    size_t best_count = 0;
    for (int k = k0; k < 4; k++) {
        size_t h = counts[k][0];
        if (h == 0)
            continue;
        bool consistent = true;
        for (size_t l = 1; l < nlines && l < 8; l++)
            if (counts[k][l] != h && counts[k][l] != 0)
                consistent = false;
        size_t score = consistent ? h * 2 : h;
        if (score > best_count) {
            best_count = score;
            best = k;
        }
    }
    if (best < 0 && k0 > 0 && counts[0][0] > 0)
        return ',';
    return best < 0 ? cands[k0] : cands[best];
}
