/* Transactions -> regular series per group (see horizon/series.h).
 *
 * hz_series_build runs as steps over one hz__sb: the columns, each
 * row's instant, each row's group, the calendar (series_infer.c), each
 * row's period, the series with their keys, then the sums and the gaps. */
#pragma GCC diagnostic ignored "-Wformat-truncation" /* bounded messages */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forecast/fc_internal.h"
#include "core/tzgaps.h"
#include "forecast/series_internal.h"
#include "numeric/ksum.h"
#include "horizon/outfile.h"

#define MAX_PERIODS ((int64_t)10000000) /* one series */
#define MAX_TOTAL ((size_t)100000000)   /* all series together */

void hz_series_opts_init(hz_series_opts *o)
{
    memset(o, 0, sizeof *o);
    o->freq = HZ_FREQ_INFER;
    o->week_anchor = -1;
    o->label_end = -1;
    o->agg = HZ_AGG_SUM;
    o->fill = HZ_FILL_AUTO;
    o->trim_leading = true;
    o->extend_to_end = true;
}

void hz_series_set_free(hz_series_set *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->nseries; i++) {
        free(s->series[i].key);
        free(s->series[i].values);
        free(s->series[i].filled_at);
    }
    free(s->series);
    free(s);
}

/* ---- a small open-addressing map uint64 -> uint32 ---- */
typedef struct u64map {
    uint64_t *keys;
    uint32_t *vals;
    size_t cap, n;
} u64map;

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

static int map_init(u64map *m, size_t cap)
{
    m->cap = 64;
    while (m->cap < cap * 2)
        m->cap *= 2;
    m->n = 0;
    m->keys = malloc(m->cap * sizeof *m->keys);
    m->vals = malloc(m->cap * sizeof *m->vals);
    if (m->keys == NULL || m->vals == NULL)
        return -1;
    memset(m->vals, 0xff, m->cap * sizeof *m->vals);
    return 0;
}

static void map_free(u64map *m)
{
    free(m->keys);
    free(m->vals);
}

/* Value of key, inserting next id when new; UINT32_MAX on ENOMEM. */
static uint32_t map_get(u64map *m, uint64_t key)
{
    size_t i = mix64(key) & (m->cap - 1);
    while (m->vals[i] != UINT32_MAX) {
        if (m->keys[i] == key)
            return m->vals[i];
        i = (i + 1) & (m->cap - 1);
    }
    if ((m->n + 1) * 2 > m->cap) {
        u64map g;
        if (map_init(&g, m->cap) != 0) {
            map_free(&g);
            return UINT32_MAX;
        }
        for (size_t k = 0; k < m->cap; k++)
            if (m->vals[k] != UINT32_MAX) {
                size_t j = mix64(m->keys[k]) & (g.cap - 1);
                while (g.vals[j] != UINT32_MAX)
                    j = (j + 1) & (g.cap - 1);
                g.keys[j] = m->keys[k];
                g.vals[j] = m->vals[k];
            }
        g.n = m->n;
        map_free(m);
        *m = g;
        /* m holds g's arrays: NOLINTBEGIN(clang-analyzer-unix.Malloc) */
        i = mix64(key) & (m->cap - 1);
        while (m->vals[i] != UINT32_MAX)
            i = (i + 1) & (m->cap - 1);
        /* NOLINTEND(clang-analyzer-unix.Malloc) */
    }
    m->keys[i] = key;
    m->vals[i] = (uint32_t)m->n;
    return (uint32_t)m->n++;
}

static hz_status nomem(hz__sb *b)
{
    return hz_error_set(b->err, HZ_ENOMEM, "out of memory building series");
}

/* ---- step 1: the columns ---- */

/* Whether text looks like a number written with a comma ("200,50",
 * "-3,5", "1.234,50", "1,234"): digits (and points), a digit before one
 * comma, one to three digits after it. */
static bool decimal_comma(const char *s)
{
    s += *s == '-' || *s == '+';
    size_t a = strspn(s, "0123456789.");
    if (a == 0 || s[a] != ',' || s[a - 1] < '0' || s[a - 1] > '9')
        return false;
    size_t b = strspn(s + a + 1, "0123456789");
    return b >= 1 && b <= 3 && s[a + 1 + b] == '\0';
}

/* Whether text looks like a number with commas between thousands and
 * perhaps a decimal point ("1,234.50", "-12,345,678"). */
static bool thousands_comma(const char *s)
{
    s += *s == '-' || *s == '+';
    size_t a = strspn(s, "0123456789");
    if (a == 0 || a > 3 || s[a] != ',')
        return false;
    for (s += a; *s == ','; s += 4)
        if (strspn(s + 1, "0123456789") < 3)
            return false;
    return *s == '\0' || (*s == '.' && s[1] != '\0' &&
                          strspn(s + 1, "0123456789") == strlen(s + 1));
}

/* Whether text holds digits on either side of a space, a no-break space
 * (U+00A0, U+202F) or an apostrophe ("1 234,56", "1'234.50"): a number
 * with a thousands separator that only an explicit --decimal reads. */
static bool spaced_thousands(const char *s)
{
    static const char *const SEP[] = {" ",  "\xc2\xa0", "\xa0",
                                      "\xe2\x80\xaf", "'", "\xe2\x80\x99"};
    for (const char *p = s; *p != '\0'; p++) {
        if (p == s || p[-1] < '0' || p[-1] > '9')
            continue;
        for (size_t k = 0; k < sizeof SEP / sizeof SEP[0]; k++) {
            size_t l = strlen(SEP[k]);
            if (strncmp(p, SEP[k], l) == 0 && p[l] >= '0' && p[l] <= '9')
                return true;
        }
    }
    return false;
}

/* Whether text is a number with a currency sign or code, or a percent
 * sign ("$1,200.00", "1200 €", "EUR 12", "12.50 USD", "12.5%"): *what
 * names the sign. */
static bool signed_number(const char *s, const char **what)
{
    static const char *const CUR[] = {"$", "\xe2\x82\xac", "\xc2\xa3",
                                      "\xc2\xa5"}; /* $ € £ ¥ */
    size_t n = strlen(s);
    if (n > 1 && s[n - 1] == '%' && strspn(s, "0123456789.,-+ ") == n - 1) {
        *what = "a percent sign";
        return true;
    }
    for (size_t k = 0; k < sizeof CUR / sizeof CUR[0]; k++)
        if (strstr(s, CUR[k]) != NULL && strpbrk(s, "0123456789") != NULL) {
            *what = "a currency sign";
            return true;
        }
    /* an ISO 4217 code before or after the number: "EUR 12", "12.50 USD" */
    for (int after = 0; after < 2 && n >= 4; after++) {
        const char *code = after ? s + n - 3 : s;
        const char *num = after ? s : s + 3 + (s[3] == ' ');
        size_t nl = after ? n - 3 - (s[n - 4] == ' ') : strlen(num);
        bool letters = true;
        for (int k = 0; k < 3; k++)
            letters = letters && code[k] >= 'A' && code[k] <= 'Z';
        if (letters && nl > 0 && strchr("0123456789-+(", num[0]) != NULL &&
            strspn(num, "0123456789.,-+()' ") >= nl) {
            *what = "a currency code";
            return true;
        }
    }
    return false;
}

/* The value column is text: say so, and when its first value is a
 * number with a comma (European exports, thousands separators), a
 * currency or a percent sign, say that too. */
static hz_status not_numeric(hz__sb *b)
{
    const hz_column *c = b->vc;
    char buf[64] = "";
    const char *t = NULL;
    for (size_t i = 0; i < b->ds->nrows && t == NULL; i++)
        if (!hz_col_is_null(c, i))
            t = hz_col_text(c, i, buf, sizeof buf);
    char hint[256] = "", inner[64];
    const char *sign = NULL, *t0 = t;
    size_t tl = t != NULL ? strlen(t) : 0;
    if (tl > 2 && t[0] == '(' && t[tl - 1] == ')') { /* "(1,234.50)" */
        snprintf(inner, sizeof inner, "%.*s", (int)(tl - 2), t + 1);
        t = inner;
    } else if (tl > 1 && t[tl - 1] == '-' && t[0] >= '0' && t[0] <= '9') {
        snprintf(inner, sizeof inner, "%.*s", (int)(tl - 1), t); /* 1,5- */
        t = inner;
    }
    if (t != NULL && decimal_comma(t))
        snprintf(hint, sizeof hint,
                 " (its values, such as '%s', hold a comma: a decimal comma "
                 "is read with --decimal , (200,50 and 1.234,50), commas "
                 "between thousands with --decimal . (1,234.50))",
                 t0);
    else if (t != NULL && thousands_comma(t))
        snprintf(hint, sizeof hint,
                 " (its values, such as '%s', hold commas between "
                 "thousands: give --decimal . to read them, 1,234.50 as "
                 "1234.5)",
                 t0);
    else if (t != NULL && signed_number(t, &sign))
        snprintf(hint, sizeof hint,
                 " (its values, such as '%s', hold %s, which is not read: "
                 "export the numbers plain)",
                 t0, sign);
    else if (t != NULL && spaced_thousands(t))
        snprintf(hint, sizeof hint,
                 " (its values, such as '%s', hold a thousands separator: "
                 "it is read once --decimal , or --decimal . says which "
                 "mark the decimals take)",
                 t0);
    return hz_error_set(b->err, HZ_ETYPE,
                        "column '%s' in %s is %s, not numeric: cannot use it "
                        "as the value%s",
                        b->o->value_col, b->src, hz_type_name(c->type), hint);
}

static hz_status find_columns(hz__sb *b)
{
    const hz_series_opts *o = b->o;
    if (o->date_col == NULL)
        return hz_error_set(b->err, HZ_EINVAL, "no date column given");
    if ((b->dc = hz_dataset_column(b->ds, o->date_col, b->err)) == NULL)
        return HZ_ENOTFOUND;
    if (o->value_col != NULL) {
        b->vc = hz_dataset_column(b->ds, o->value_col, b->err);
        if (b->vc == NULL)
            return HZ_ENOTFOUND;
        if (!hz_type_is_numeric(b->vc->type) && b->vc->type != HZ_TYPE_NULL)
            return not_numeric(b);
    } else if (o->agg != HZ_AGG_COUNT) {
        return hz_error_set(b->err, HZ_EINVAL,
                            "no value column given (needed unless the "
                            "aggregation is count)");
    }
    if (o->nby > 16)
        return hz_error_set(b->err, HZ_EINVAL, "at most 16 group columns");
    for (size_t k = 0; k < o->nby; k++) {
        if ((b->bc[k] = hz_dataset_column(b->ds, o->by_cols[k], b->err)) ==
            NULL)
            return HZ_ENOTFOUND;
        /* a group column that is the date or value column makes a series
         * of each date (one period long) or of each amount */
        const bool is_date = b->bc[k] == b->dc;
        if (is_date || b->bc[k] == b->vc)
            return hz_error_set(b->err, HZ_EINVAL,
                                "group column '%s' is the %s column: it "
                                "cannot also group the rows (a series for "
                                "each %s); name another column to group by",
                                o->by_cols[k], is_date ? "date" : "value",
                                is_date ? "date" : "amount");
        for (size_t j = 0; j < k; j++)
            if (b->bc[j] == b->bc[k])
                return hz_error_set(b->err, HZ_EINVAL,
                                    "group column '%s' given twice",
                                    o->by_cols[k]);
    }
    hz_type dt = b->dc->type;
    if (dt != HZ_TYPE_DATE && dt != HZ_TYPE_TIMESTAMP &&
        dt != HZ_TYPE_STRING && dt != HZ_TYPE_INT64)
        return hz_error_set(b->err, HZ_ETYPE,
                            "column '%s' in %s is %s, not a date", o->date_col,
                            b->src, hz_type_name(dt));
    return HZ_OK;
}

/* ---- step 2: each row's instant ---- */

/* The place of the first row whose date text is dictionary entry c:
 * "file:line:field: " in at (empty when not found). */
static void text_place(const hz__sb *b, uint32_t c, char *at, size_t cap)
{
    at[0] = '\0';
    const hz_column *dc = b->dc;
    for (size_t r = 0; r < b->ds->nrows; r++)
        if ((dc->valid == NULL || dc->valid[r]) && dc->v.code[r] == c) {
            snprintf(at, cap, "%s:%zu:%zu: ", b->src,
                     hz_dataset_row_line(b->ds, r),
                     (size_t)(dc - b->ds->cols) + 1);
            return;
        }
}

/* Why text t is no date when it has the shape of one with a two-digit
 * year (01/02/24, 31.01.24, Jan 31, 24): which century, and which
 * order, is a guess; "" otherwise. */
static const char *two_digit_year(const char *t, size_t n)
{
    size_t i = 0, parts = 0;
    while (i < n && parts < 3) {
        size_t k = i;
        while (k < n && ((t[k] >= '0' && t[k] <= '9') ||
                         (parts == 0 && ((t[k] >= 'a' && t[k] <= 'z') ||
                                         (t[k] >= 'A' && t[k] <= 'Z')))))
            k++;
        /* a day or month before the year has one or two digits (not
         * 2024/01/31, whose four-digit year is first) */
        if (k == i || k - i > 9 ||
            (parts < 2 && t[i] >= '0' && t[i] <= '9' && k - i > 2))
            return "";
        parts++;
        if (parts == 3)
            return k - i == 2 && (k == n || t[k] == ' ')
                       ? ": a two-digit year, whose century and order (day, "
                         "month, year) would be a guess: write four-digit "
                         "years (2024-01-31, or a spreadsheet's dates "
                         "formatted yyyy-mm-dd before exporting)"
                       : "";
        if (k >= n || !(t[k] == '/' || t[k] == '-' || t[k] == '.' ||
                        t[k] == ' ' || t[k] == ','))
            return "";
        i = k + 1 + (t[k] == ',' && k + 1 < n && t[k + 1] == ' ');
    }
    return "";
}

/* The one format in which every distinct text of the date column parses:
 * the first of ISO, YYYY/MM/DD, the periods, MM/DD/YYYY and DD/MM/YYYY
 * that fits them all.  Day-first and month-first both fitting is an
 * error, as is no format fitting every value. */
static hz_status text_format(hz__sb *b, hz_datefmt *fmt)
{
    static const hz_datefmt order[] = {
        HZ_DATEFMT_ISO,     HZ_DATEFMT_YMD_SLASH,       HZ_DATEFMT_MONTH,
        HZ_DATEFMT_QUARTER, HZ_DATEFMT_QUARTER_COMPACT, HZ_DATEFMT_ISOWEEK,
        HZ_DATEFMT_ISOWEEK_COMPACT,
        HZ_DATEFMT_YEAR,    HZ_DATEFMT_MDY_SLASH,       HZ_DATEFMT_DMY};
    const hz_dict *d = b->dc->dict;
    size_t nd = hz_dict_size(d), best = 0, bestn = 0;
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        size_t ok = 0;
        for (size_t c = 0; c < nd; c++) {
            int64_t s;
            bool ts;
            if (hz_parse_datetime(hz_dict_str(d, (uint32_t)c),
                                  hz_dict_len(d, (uint32_t)c), order[k], &s,
                                  &ts, NULL))
                ok++;
        }
        if (ok == nd && order[k] == HZ_DATEFMT_MDY_SLASH) {
            size_t okd = 0; /* do day-first dates fit as well? */
            for (size_t c = 0; c < nd; c++) {
                int64_t s;
                bool ts;
                okd += hz_parse_datetime(hz_dict_str(d, (uint32_t)c),
                                         hz_dict_len(d, (uint32_t)c),
                                         HZ_DATEFMT_DMY, &s, &ts, NULL);
            }
            if (okd == nd && nd > 0)
                return hz_error_set(
                    b->err, HZ_EPARSE,
                    "column '%s' in %s: dates such as '%s' could be "
                    "month-first or day-first (no day above 12): give "
                    "--schema %s:date:mdy or %s:date:dmy",
                    b->o->date_col, b->src, hz_dict_str(d, 0), b->o->date_col,
                    b->o->date_col);
        }
        if (ok == nd) {
            *fmt = order[k];
            return HZ_OK;
        }
        if (ok > bestn) {
            bestn = ok;
            best = k;
        }
    }
    if (bestn == 0) {
        char at[300];
        text_place(b, 0, at, sizeof at);
        return hz_error_set(
            b->err, HZ_ETYPE, "%scolumn '%s'%s%s is not a date (e.g. '%s')%s",
            at, b->o->date_col, at[0] ? "" : " in ", at[0] ? "" : b->src,
            nd ? hz_dict_str(d, 0) : "",
            nd ? two_digit_year(hz_dict_str(d, 0), hz_dict_len(d, 0)) : "");
    }
    for (size_t c = 0; c < nd; c++) {
        int64_t s;
        bool ts;
        if (!hz_parse_datetime(hz_dict_str(d, (uint32_t)c),
                               hz_dict_len(d, (uint32_t)c), order[best], &s,
                               &ts, NULL)) {
            char at[300];
            text_place(b, (uint32_t)c, at, sizeof at);
            return hz_error_set(b->err, HZ_EPARSE,
                                "%scolumn '%s'%s%s: '%s' is not a date in "
                                "the column's format (%s)%s",
                                at, b->o->date_col, at[0] ? "" : " in ",
                                at[0] ? "" : b->src,
                                hz_dict_str(d, (uint32_t)c),
                                hz_datefmt_name(order[best]),
                                two_digit_year(hz_dict_str(d, (uint32_t)c),
                                               hz_dict_len(d, (uint32_t)c)));
        }
    }
    return HZ_EINTERNAL;
}

static hz_status text_times(hz__sb *b)
{
    const hz_column *dc = b->dc;
    hz_datefmt fmt = HZ_DATEFMT_NONE;
    hz_status st = text_format(b, &fmt);
    if (st != HZ_OK)
        return st;
    size_t nd = hz_dict_size(dc->dict);
    int64_t *cache = malloc((nd ? nd : 1) * sizeof *cache);
    if (cache == NULL)
        return nomem(b);
    for (size_t c = 0; c < nd; c++) {
        bool ts = false;
        hz_parse_datetime(hz_dict_str(dc->dict, (uint32_t)c),
                          hz_dict_len(dc->dict, (uint32_t)c), fmt, &cache[c],
                          &ts, NULL);
        b->has_time |= ts;
    }
    for (size_t i = 0; i < b->n; i++)
        b->t[i] = hz_col_is_null(dc, i) ? HZ__NO_TIME : cache[dc->v.code[i]];
    free(cache);
    if (hz_datefmt_is_period(fmt))
        b->dfmt = fmt;
    return HZ_OK;
}

/* Integers as dates: every value a year from 1000 to 9999, or every
 * value a day written YYYYMMDD (SAP and mainframe exports), as the first
 * value is. */
static hz_status int_times(hz__sb *b)
{
    const hz_column *dc = b->dc;
    int days = -1; /* unknown until the first value */
    for (size_t i = 0; i < b->n; i++) {
        if (hz_col_is_null(dc, i)) {
            b->t[i] = HZ__NO_TIME;
            continue;
        }
        int64_t v = dc->v.i64[i];
        if (days < 0)
            days = v >= 10000101;
        int32_t day = 0;
        bool ok = days ? hz_day_from_yyyymmdd(v, &day)
                       : v >= 1000 && v <= 9999;
        if (!days && ok)
            day = hz_days_from_civil((int)v, 1, 1);
        if (!ok) {
            char hint[224] = "", d[16];
            int32_t sd;
            if (v >= 10000 && v <= 99999 && hz_day_from_excel_serial(v, &sd))
                snprintf(hint, sizeof hint,
                         ": if the column holds a spreadsheet's serial day "
                         "numbers (%lld is %s in Excel), give --schema "
                         "'%s:date:excel', or format it as dates before "
                         "exporting",
                         (long long)v, hz_format_day(sd, d), b->o->date_col);
            return hz_error_set(b->err, HZ_ETYPE,
                                "column '%s' in %s is int64, not a date "
                                "(integers are read as dates only when all "
                                "are years from 1000 to 9999 or all days "
                                "written YYYYMMDD; data row %zu holds "
                                "%lld)%s",
                                b->o->date_col, b->src, i + 1, (long long)v,
                                hint);
        }
        b->t[i] = (int64_t)day * 86400;
    }
    if (days != 1)
        b->dfmt = HZ_DATEFMT_YEAR;
    return HZ_OK;
}

static hz_status row_times(hz__sb *b)
{
    const hz_column *dc = b->dc;
    hz_status st = HZ_OK;
    if (dc->type == HZ_TYPE_STRING)
        st = text_times(b);
    else if (dc->type == HZ_TYPE_INT64)
        st = int_times(b);
    else {
        for (size_t i = 0; i < b->n; i++) {
            if (hz_col_is_null(dc, i))
                b->t[i] = HZ__NO_TIME;
            else if (dc->type == HZ_TYPE_DATE)
                b->t[i] = (int64_t)dc->v.date[i] * 86400;
            else
                b->t[i] = dc->v.i64[i];
        }
        b->has_time = dc->type == HZ_TYPE_TIMESTAMP;
        if (hz_datefmt_is_period(dc->datefmt))
            b->dfmt = dc->datefmt;
    }
    if (st != HZ_OK)
        return st;
    /* rows without a value cannot be summed: skipped (and counted) */
    const hz_column *vc = b->o->agg == HZ_AGG_COUNT ? NULL : b->vc;
    b->tmin = INT64_MAX;
    b->tmax = INT64_MIN;
    for (size_t i = 0; i < b->n; i++) {
        if (b->t[i] == HZ__NO_TIME)
            continue;
        if (vc != NULL && isnan(hz_col_number(vc, i))) {
            b->t[i] = HZ__NO_TIME;
            continue;
        }
        b->ndated++;
        b->tmin = b->t[i] < b->tmin ? b->t[i] : b->tmin;
        b->tmax = b->t[i] > b->tmax ? b->t[i] : b->tmax;
    }
    if (b->ndated == 0) {
        const char *v = vc ? b->o->value_col : NULL;
        return hz_error_set(b->err, HZ_EINVAL,
                            "no rows with both a date in '%s' and a value%s%s"
                            "%s in %s",
                            b->o->date_col, v ? " in '" : "", v ? v : "",
                            v ? "'" : "", b->src);
    }
    return HZ_OK;
}

/* ---- step 3: each row's group ---- */

/* Per-row code of group column c: its dictionary code, or the code of
 * its text in tdict (made here) for other types; nulls share one code. */
static hz_status column_codes(hz__sb *b, const hz_column *c, hz_dict **tdict,
                              uint32_t *code)
{
    if (c->type == HZ_TYPE_STRING) {
        for (size_t i = 0; i < b->n; i++)
            code[i] = hz_col_is_null(c, i) ? UINT32_MAX - 1 : c->v.code[i];
        return HZ_OK;
    }
    if ((*tdict = hz_dict_new()) == NULL)
        return nomem(b);
    char buf[64];
    for (size_t i = 0; i < b->n; i++) {
        if (hz_col_is_null(c, i)) {
            code[i] = UINT32_MAX - 1;
            continue;
        }
        const char *t = hz_col_text(c, i, buf, sizeof buf);
        if ((code[i] = hz_dict_intern(*tdict, t, strlen(t))) == UINT32_MAX)
            return nomem(b);
    }
    return HZ_OK;
}

static hz_status group_rows(hz__sb *b)
{
    hz_status st = HZ_OK;
    memset(b->gid, 0, b->n * sizeof *b->gid);
    b->ng = 1;
    if (b->o->nby == 0)
        return HZ_OK;
    u64map map = {0};
    uint32_t *code = malloc((b->n ? b->n : 1) * sizeof *code);
    if (code == NULL || map_init(&map, 1024) != 0) {
        st = nomem(b);
        goto out;
    }
    for (size_t k = 0; k < b->o->nby && st == HZ_OK; k++) {
        hz_dict *tdict = NULL;
        st = column_codes(b, b->bc[k], &tdict, code);
        hz_dict_free(tdict); /* the key is rebuilt from the first row */
        if (st != HZ_OK)
            break;
        map.n = 0;
        memset(map.vals, 0xff, map.cap * sizeof *map.vals);
        for (size_t i = 0; i < b->n; i++) {
            uint32_t g = map_get(&map, ((uint64_t)b->gid[i] << 32) | code[i]);
            if (g == UINT32_MAX) {
                st = nomem(b);
                break;
            }
            b->gid[i] = g;
        }
    }
    b->ng = map.n;
out:
    free(code);
    map_free(&map);
    return st;
}

/* ---- step 5: each row's period ---- */

typedef struct group_info {
    int64_t pmin, pmax;
    size_t nobs;
    uint32_t first_row;
} group_info;

/* The weekday weekly dates are moved to, or -1: weeks from the weekday
 * of 90% or more of the dates (hz__week_day), not chosen by the caller
 * (--freq W-THU takes a Wednesday for the week before, as it says), all
 * at midnight; a date a holiday moved up to three days off it (a
 * Wednesday or a Friday for a Thursday) counts in the week of the
 * weekday it stands for, not in the one before or after, which then
 * held two weeks' figures and left the other empty (0). */
static int week_snap(const hz__sb *b, const hz_calendar *cal)
{
    if (cal->freq != HZ_FREQ_WEEK || cal->end || b->o->week_anchor >= 0)
        return -1;
    size_t wd[7] = {0}, n = 0;
    for (size_t i = 0; i < b->n; i++) {
        int64_t t = b->t[i];
        if (t == HZ__NO_TIME)
            continue;
        int64_t day = hz__day_of_time(t);
        if (t != day * 86400)
            return -1;
        wd[hz_weekday((int32_t)day)]++;
        n++;
    }
    int w = hz__week_day(wd);
    return w == cal->anchor && wd[w] < n ? w : -1;
}

static hz_status to_periods(hz__sb *b, const hz_calendar *cal, group_info *gi,
                            int64_t *gmax)
{
    const int snap = week_snap(b, cal);
    for (size_t g = 0; g < b->ng; g++) {
        gi[g].pmin = INT64_MAX;
        gi[g].pmax = INT64_MIN;
        gi[g].first_row = UINT32_MAX;
        gi[g].nobs = 0;
    }
    *gmax = INT64_MIN;
    for (size_t i = 0; i < b->n; i++) {
        if (b->t[i] == HZ__NO_TIME)
            continue;
        group_info *g = &gi[b->gid[i]];
        int64_t t = b->t[i];
        if (snap >= 0) { /* to the nearest of the weekday */
            int off = (snap - hz_weekday((int32_t)hz__day_of_time(t)) + 7) % 7;
            t += (int64_t)(off > 3 ? off - 7 : off) * 86400;
        }
        int64_t p = hz_calendar_period(cal, t);
        b->t[i] = p; /* from here on: the period index */
        g->pmin = p < g->pmin ? p : g->pmin;
        g->pmax = p > g->pmax ? p : g->pmax;
        if (g->first_row == UINT32_MAX)
            g->first_row = (uint32_t)i;
        g->nobs++;
        *gmax = p > *gmax ? p : *gmax;
    }
    size_t total = 0;
    for (size_t g = 0; g < b->ng; g++) {
        if (gi[g].nobs == 0)
            continue;
        int64_t end = b->o->extend_to_end ? *gmax : gi[g].pmax;
        int64_t len = end - gi[g].pmin + 1;
        char a[32], z[32];
        if (len > MAX_PERIODS || (total += (size_t)len) > MAX_TOTAL)
            return hz_error_set(
                b->err, HZ_EINVAL,
                "the series would be too long (%lld %ss from %s to %s in "
                "one series; at most %lld, %zu in all): check the dates "
                "or choose a coarser --freq",
                (long long)len, hz_freq_name(cal->freq),
                hz_calendar_format(cal, gi[g].pmin, a, sizeof a),
                hz_calendar_format(cal, end, z, sizeof z),
                (long long)MAX_PERIODS, MAX_TOTAL);
    }
    return HZ_OK;
}

/* ---- step 6: the series and their keys ---- */

static char *group_key(const hz__sb *b, uint32_t row)
{
    if (b->o->nby == 0)
        return strdup("total");
    char key[1024];
    size_t kl = 0;
    key[0] = '\0';
    for (size_t k = 0; k < b->o->nby; k++) {
        char buf[64];
        const char *t = hz_col_text(b->bc[k], row, buf, sizeof buf);
        int w = snprintf(key + kl, sizeof key - kl, "%s%s", k ? "|" : "",
                         t ? t : "");
        if (w > 0)
            kl += (size_t)w < sizeof key - kl ? (size_t)w
                                              : sizeof key - kl - 1;
    }
    return strdup(key);
}

static hz_status make_series(hz__sb *b, const group_info *gi, int64_t gmax,
                             hz_series_set *set, uint32_t *slot)
{
    size_t ns = 0;
    for (size_t g = 0; g < b->ng; g++) {
        slot[g] = UINT32_MAX;
        if (gi[g].nobs == 0)
            continue;
        hz_series *s = &set->series[ns];
        int64_t end = b->o->extend_to_end ? gmax : gi[g].pmax;
        s->start = gi[g].pmin;
        s->n = (size_t)(end - gi[g].pmin + 1);
        s->nobs = gi[g].nobs;
        s->values = calloc(s->n, sizeof(double));
        s->key = group_key(b, gi[g].first_row);
        slot[g] = (uint32_t)ns++;
        set->nseries = ns;
        if (s->values == NULL || s->key == NULL)
            return nomem(b);
    }
    return HZ_OK;
}

/* The groups whose value in a group column is empty (a missing value or
 * ""): their rows are summed into a series of their own, named with the
 * value empty ('', 'North|'), as the data name it; counted, with the
 * first such row's place, for the notices (a silent group '' reads as a
 * region the user never had). */
static void empty_keys(const hz__sb *b, const group_info *gi,
                       hz_series_set *set)
{
    size_t first = SIZE_MAX;
    const hz_column *col = NULL;
    for (size_t g = 0; g < b->ng && b->o->nby > 0; g++) {
        if (gi[g].nobs == 0)
            continue;
        const size_t row = gi[g].first_row;
        size_t k = 0;
        for (; k < b->o->nby; k++) {
            const hz_column *c = b->bc[k]; /* found (find_columns) */
            char buf[64];
            if (c != NULL &&
                (hz_col_is_null(c, row) ||
                 hz_col_text(c, row, buf, sizeof buf)[0] == '\0'))
                break;
        }
        if (k == b->o->nby)
            continue;
        set->series_empty_key++;
        set->rows_empty_key += gi[g].nobs;
        if (row < first) {
            first = row;
            col = b->bc[k];
        }
    }
    if (col == NULL)
        return;
    hz_dataset_place(b->ds, first, col, set->empty_key_first,
                     sizeof set->empty_key_first);
    snprintf(set->empty_key_col, sizeof set->empty_key_col, "%.*s",
             (int)hz_utf8_cut(col->name, sizeof set->empty_key_col - 1),
             col->name);
    char *key = group_key(b, (uint32_t)first);
    if (key != NULL)
        snprintf(set->empty_key_series, sizeof set->empty_key_series, "%.*s",
                 (int)hz_utf8_cut(key, sizeof set->empty_key_series - 1),
                 key);
    free(key);
}

/* ---- step 7: sums, means and gaps ---- */

/* Sums the rows into their periods, compensated (numeric/ksum.h): comp
 * holds a rounding error per cell, laid out as cnts (cnts[sl] - cnts[0]
 * is series sl's offset in both). */
static hz_status accumulate(hz__sb *b, hz_series_set *set,
                            const uint32_t *slot, double **cnts, double *comp)
{
    const hz_column *vc = b->o->agg == HZ_AGG_COUNT ? NULL : b->vc;
    for (size_t i = 0; i < b->n; i++) {
        if (b->t[i] == HZ__NO_TIME)
            continue;
        uint32_t sl = slot[b->gid[i]];
        hz_series *s = &set->series[sl];
        size_t t = (size_t)(b->t[i] - s->start);
        hz__ksum_add(&s->values[t], &comp[(size_t)(cnts[sl] - cnts[0]) + t],
                     vc != NULL ? hz_col_number(vc, i) : 1.0);
        cnts[sl][t] += 1.0;
        set->rows_used++;
    }
    set->rows_skipped = b->n - set->rows_used + b->o->rows_skipped_read;
    for (size_t sl = 0; sl < set->nseries; sl++) {
        hz_series *s = &set->series[sl];
        const double *c = &comp[cnts[sl] - cnts[0]];
        for (size_t t = 0; t < s->n; t++) {
            s->values[t] = hz__ksum_total(s->values[t], c[t]);
            if (cnts[sl][t] > 0 && b->o->agg == HZ_AGG_MEAN)
                s->values[t] /= cnts[sl][t];
            if (isfinite(s->values[t]))
                continue;
            char d[32];
            return hz_error_set(
                b->err, HZ_EPARSE,
                "the %s of column '%s' overflows (beyond 1.8e308) in "
                "series '%s' at %s",
                b->o->agg == HZ_AGG_MEAN ? "mean" : "sum", b->o->value_col,
                s->key,
                hz_calendar_format(&set->cal, s->start + (int64_t)t, d,
                                   sizeof d));
        }
    }
    return HZ_OK;
}

/* Hours and minutes on a --tz zone's clock, times written with their
 * UTC offsets at both instants of a wall time the clocks show twice (put
 * back) somewhere in the column: a series with more than one row in such
 * a period may hold readings of both hours in one, and is refused, naming
 * it; one with a row there, of either hour, is read (until 2026-12-07
 * the column was refused as a whole: two meters each missing one of the
 * two 02:00 readings were refused, each with one reading an hour). */
static hz_status fold_check(hz__sb *b, const hz_series_set *set, double **cnts)
{
    const hz_column *dc = b->dc;
    const hz_calendar *cal = &set->cal;
    if ((cal->freq != HZ_FREQ_HOUR && cal->freq != HZ_FREQ_MINUTE) ||
        dc == NULL || dc->type != HZ_TYPE_TIMESTAMP || dc->fold_early == 0 ||
        dc->fold_late == 0)
        return HZ_OK;
    if (cal->gaps == NULL) /* the zone's table: out of memory */
        return nomem(b);
    for (size_t sl = 0; sl < set->nseries; sl++) {
        const hz_series *s = &set->series[sl];
        for (size_t t = 0; t < s->n; t++) {
            const int64_t p = s->start + (int64_t)t;
            if (cnts[sl][t] < 2 || !hz__tzgaps_repeated(cal->gaps, p))
                continue;
            char d[32];
            return hz_error_set(
                b->err, HZ_EINVAL,
                "series '%s': %.0f rows at %s, a wall time the "
                "--tz zone's clocks show twice, put back, and column '%s' "
                "has times at both of its instants (%zu at the first, %zu "
                "at the second): %ss cut on that clock could take two "
                "hours of readings for one; drop --tz to cut them in UTC, "
                "or give --freq D (a day takes both)",
                s->key, cnts[sl][t], hz_calendar_format(cal, p, d, sizeof d),
                b->o->date_col, dc->fold_early, dc->fold_late,
                hz_freq_name(cal->freq));
        }
    }
    return HZ_OK;
}

/* The first (at most three) periods of s with no rows, "2024-02,
 * 2024-05" (", ..." after them when there are more), into list. */
static void gap_list(const hz_series_set *set, const hz_series *s,
                     const double *c, char *list, size_t n)
{
    char d[32];
    size_t len = 0, shown = 0;
    list[0] = '\0';
    for (size_t t = 0; t < s->n && shown < 3; t++)
        if (c[t] == 0 &&
            !hz_calendar_skipped(&set->cal, s->start + (int64_t)t)) {
            int w = snprintf(list + len, n - len, "%s%s", shown ? ", " : "",
                             hz_calendar_format(&set->cal,
                                                s->start + (int64_t)t, d,
                                                sizeof d));
            len += w > 0 && (size_t)w < n - len ? (size_t)w : 0;
            shown++;
        }
    if (s->nfilled > shown)
        snprintf(list + len, n - len, ", ...");
}

/* Error for a gap under HZ_FILL_NONE: the series and its first missing
 * periods. */
static hz_status gap_error(hz__sb *b, const hz_series_set *set,
                           const hz_series *s, const double *c)
{
    char list[176];
    gap_list(set, s, c, list, sizeof list);
    return hz_error_set(b->err, HZ_EPARSE,
                        "series '%s' has no rows for %zu period%s (%s) "
                        "and --fill none refuses gaps: use --fill zero or "
                        "--fill interpolate",
                        s->key, s->nfilled, s->nfilled == 1 ? "" : "s", list);
}

/* Whether the set holds about one row per series and period (series
 * data, not transactions): its rows fill at least 95% as many periods,
 * the share hz__series_calendar infers such data by. */
static bool one_row_per_period(const hz_series_set *set, double **cnts)
{
    size_t cells = 0;
    for (size_t sl = 0; sl < set->nseries; sl++)
        for (size_t t = 0; t < set->series[sl].n; t++)
            cells += cnts[sl][t] > 0;
    /* or the calendar's inference found one row per period with a few
     * repeated (up to 1.5 rows a period on period-aligned dates) */
    return (double)cells >= 0.95 * (double)set->rows_used ||
           set->rows_repeated > 0;
}

/* Error for a gap under HZ_FILL_AUTO in data of one row per series and
 * period from which rows were skipped: the row of such a period may be
 * one of them, so its value is not known to be 0. */
static hz_status skipped_gap_error(hz__sb *b, const hz_series_set *set,
                                   const hz_series *s, const double *c)
{
    char list[176];
    gap_list(set, s, c, list, sizeof list);
    return hz_error_set(
        b->err, HZ_EPARSE,
        "%s: %zu row%s skipped (malformed, or without a date or value) "
        "and series '%s' has no row for %zu period%s (%s): in data of one "
        "row per series and period a period without its row is a missing "
        "value, not 0; fix the rows, or choose --fill interpolate "
        "(estimate the missing values) or --fill zero (take them as 0)",
        b->src, set->rows_skipped, set->rows_skipped == 1 ? " was" : "s were",
        s->key, s->nfilled, s->nfilled == 1 ? "" : "s", list);
}

/* Error for a gap under HZ_FILL_AUTO with HZ_AGG_MEAN: a period
 * without rows has no mean, and 0 would be a mean price or temperature
 * nobody saw. */
static hz_status mean_gap_error(hz__sb *b, const hz_series_set *set,
                                const hz_series *s, const double *c)
{
    char list[176];
    gap_list(set, s, c, list, sizeof list);
    return hz_error_set(
        b->err, HZ_EPARSE,
        "series '%s' has no rows for %zu period%s (%s): with --agg mean a "
        "period without rows has no mean, not a mean of 0; choose --fill "
        "interpolate (estimate them) or --fill zero (take them as 0)",
        s->key, s->nfilled, s->nfilled == 1 ? "" : "s", list);
}

static void interpolate(hz_series *s, const double *c)
{
    size_t prev = SIZE_MAX;
    for (size_t t = 0; t < s->n; t++) {
        if (c[t] == 0)
            continue;
        if (prev != SIZE_MAX && t > prev + 1)
            for (size_t u = prev + 1; u < t; u++)
                s->values[u] = s->values[prev] +
                               (s->values[t] - s->values[prev]) *
                                   (double)(u - prev) / (double)(t - prev);
        prev = t;
    }
    for (size_t u = prev + 1; prev != SIZE_MAX && u < s->n; u++)
        s->values[u] = s->values[prev];
}

/* The periods of s the clocks skip (hz_calendar_skipped; never with
 * rows): estimated for the model between the nearest periods that exist,
 * whatever --fill says (no reading can be there: not a gap); counted into
 * the set with their first and last days. */
static void estimate_skipped(hz_series_set *set, hz_series *s, int64_t *lo,
                             int64_t *hi)
{
    const hz_calendar *cal = &set->cal;
    for (size_t t = 0; t < s->n; t++) {
        const int64_t p = s->start + (int64_t)t;
        if (!hz_calendar_skipped(cal, p))
            continue;
        size_t u = t, v = t + 1;
        while (u > 0 && hz_calendar_skipped(cal, s->start + (int64_t)u - 1))
            u--;
        while (v < s->n && hz_calendar_skipped(cal, s->start + (int64_t)v))
            v++;
        /* u - 1 and v: the neighbours that exist, when in the series */
        if (u > 0 && v < s->n)
            s->values[t] = s->values[u - 1] +
                           (s->values[v] - s->values[u - 1]) *
                               (double)(t - (u - 1)) / (double)(v - (u - 1));
        else
            s->values[t] = u > 0      ? s->values[u - 1]
                           : v < s->n ? s->values[v]
                                      : 0.0;
        set->nskipped++;
        *lo = p < *lo ? p : *lo;
        *hi = p > *hi ? p : *hi;
    }
}

/* Hours and minutes on a zone's clock that puts them forward by less
 * than a period (Lord Howe's half hour: of its 02:00 hour only 02:30 to
 * 03:00 exists): when no series has a row in any such shortened period,
 * the data hold no reading for them (a meter on the wall clock's hours
 * writes none at 02:00), and they are taken as skipped like those wholly
 * skipped (until 2026-12-07 filled as a gap, with 0 by default: a false
 * dip); with a row in one they are periods like others. */
static void shortened_skipped(hz_series_set *set, double **cnts)
{
    const hz__tzgaps *g = set->cal.gaps;
    const hz__tzgaps *sh = hz__tzgaps_shortened(g);
    if (g == NULL || sh == NULL || sh == g)
        return;
    for (size_t sl = 0; sl < set->nseries; sl++) {
        const hz_series *s = &set->series[sl];
        for (size_t t = 0; t < s->n; t++) {
            const int64_t p = s->start + (int64_t)t;
            if (cnts[sl][t] > 0 && hz__tzgaps_skipped(sh, p) &&
                !hz__tzgaps_skipped(g, p))
                return;
        }
    }
    set->cal.gaps = sh;
}

static hz_status fill_gaps(hz__sb *b, hz_series_set *set, double **cnts)
{
    shortened_skipped(set, cnts);
    /* with skipped rows, a gap in series data may be a value not read */
    bool missing = b->o->fill == HZ_FILL_AUTO && set->rows_skipped > 0 &&
                   one_row_per_period(set, cnts);
    int64_t first = INT64_MAX; /* the earliest filled period */
    const hz_calendar *cal = &set->cal;
    for (size_t sl = 0; sl < set->nseries; sl++) {
        hz_series *s = &set->series[sl];
        /* a period the clocks skip has no rows and is no gap */
        for (size_t t = 0; t < s->n; t++)
            s->nfilled += cnts[sl][t] == 0 &&
                          !hz_calendar_skipped(cal, s->start + (int64_t)t);
        for (size_t t = 0; t < s->n; t++)
            if (cnts[sl][t] == 0 &&
                !hz_calendar_skipped(cal, s->start + (int64_t)t)) {
                int64_t p = s->start + (int64_t)t;
                first = p < first ? p : first;
                break;
            }
        set->nfilled += s->nfilled;
        set->nseries_filled += s->nfilled > 0;
        if (s->nfilled == 0)
            continue;
        if ((s->filled_at = malloc(s->n ? s->n : 1)) == NULL)
            return nomem(b);
        for (size_t t = 0; t < s->n; t++)
            s->filled_at[t] = cnts[sl][t] == 0 &&
                              !hz_calendar_skipped(cal, s->start + (int64_t)t);
        if (b->o->fill == HZ_FILL_NONE)
            return gap_error(b, set, s, cnts[sl]);
        if (missing)
            return skipped_gap_error(b, set, s, cnts[sl]);
        if (b->o->fill == HZ_FILL_AUTO && b->o->agg == HZ_AGG_MEAN)
            return mean_gap_error(b, set, s, cnts[sl]);
        if (b->o->fill == HZ_FILL_INTERPOLATE)
            interpolate(s, cnts[sl]);
    }
    if (first != INT64_MAX)
        hz_calendar_format(&set->cal, first, set->filled_first,
                           sizeof set->filled_first);
    if (cal->gaps == NULL)
        return HZ_OK;
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (size_t sl = 0; sl < set->nseries; sl++)
        estimate_skipped(set, &set->series[sl], &lo, &hi);
    if (set->nskipped > 0) {
        hz_format_day(hz_calendar_day(cal, lo), set->skipped_first);
        hz_format_day(hz_calendar_day(cal, hi), set->skipped_last);
    }
    return HZ_OK;
}

static void set_seasons(const hz__sb *b, hz_series_set *set)
{
    if (b->o->seasons.n == 1 && b->o->seasons.period[0] <= 1) {
        memset(&set->seasons, 0, sizeof set->seasons);
        snprintf(set->seasons_reason, sizeof set->seasons_reason,
                 "given: none");
    } else if (b->o->seasons.n > 0) {
        set->seasons = b->o->seasons;
        snprintf(set->seasons_reason, sizeof set->seasons_reason, "given");
    } else {
        char unit[24];
        hz_calendar_default_seasons(&set->cal, &set->seasons);
        snprintf(set->seasons_reason, sizeof set->seasons_reason,
                 "default for %s data",
                 hz_calendar_unit(&set->cal, unit, sizeof unit));
    }
    set->period = hz_seasons_primary(&set->seasons);
}

static int cmp_series(const void *a, const void *b)
{
    return strcmp(((const hz_series *)a)->key, ((const hz_series *)b)->key);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

hz_status hz__series_names_utf8(const char *const *keys, size_t n,
                                const char *src, hz_error *err)
{
    size_t bad = 0;
    for (size_t i = 0; i < n; i++)
        bad += !hz_utf8_valid(keys[i], strlen(keys[i]));
    if (bad == 0)
        return HZ_OK;
    char **shown = calloc(n, sizeof *shown);
    hz_status st = shown == NULL ? HZ_ENOMEM : HZ_OK;
    for (size_t i = 0; st == HZ_OK && i < n; i++)
        if ((shown[i] = hz_utf8_sanitize(keys[i], NULL)) == NULL)
            st = HZ_ENOMEM;
    if (st == HZ_OK)
        qsort(shown, n, sizeof *shown, cmp_str);
    for (size_t i = 1; st == HZ_OK && i < n; i++)
        if (strcmp(shown[i - 1], shown[i]) == 0)
            st = hz_error_set(
                err, HZ_EPARSE,
                "%s: two groups share the name '%s' once their bytes that "
                "are not valid UTF-8 are shown as U+FFFD (as JSON output "
                "and reports show them): their forecasts could not be "
                "told apart; convert the file to UTF-8 (such as iconv -f "
                "latin1 -t utf-8)",
                src, shown[i]);
    for (size_t i = 0; shown != NULL && i < n; i++)
        free(shown[i]);
    free(shown);
    return st == HZ_ENOMEM ? hz_error_set(err, st, "out of memory") : st;
}

/* Every series has its own name: the group values are joined with '|'
 * and a missing value prints as an empty one, so two groups can share a
 * name (region 'A|B' x 'C' and 'A' x 'B|C'; a missing region beside an
 * empty one), and their rows could not be told apart; nor can names that
 * differ only in bytes that are not UTF-8 (hz__series_names_utf8).
 * HZ_EPARSE (the data's problem) naming the first such name.  The series
 * are sorted by name. */
static hz_status check_series_names(hz__sb *b, const hz_series_set *set)
{
    for (size_t i = 1; i < set->nseries; i++)
        if (strcmp(set->series[i - 1].key, set->series[i].key) == 0)
            return hz_error_set(
                b->err, HZ_EPARSE,
                "two groups share the name '%s' (a group value that "
                "contains '|', which joins the --by columns' values, or a "
                "missing value beside an empty one): their forecasts could "
                "not be told apart; make the values distinct in the data",
                set->series[i].key);
    const char **keys = malloc((set->nseries ? set->nseries : 1) *
                               sizeof *keys);
    if (keys == NULL)
        return nomem(b);
    for (size_t i = 0; i < set->nseries; i++)
        keys[i] = set->series[i].key;
    hz_status st = hz__series_names_utf8(keys, set->nseries, b->src, b->err);
    free(keys);
    return st;
}

/* Steps 5-7 once the calendar is known. */
/* Whether the rows are dated by the day: most dated days from the first
 * to the last are followed by a dated day (transactions, daily data),
 * not by a gap of a week or a month (data already aggregated, whose dates
 * stand for their whole period).  *weekdays: bit w set when some row
 * falls on weekday w (0 Monday); every bit when the dates span fewer
 * than four weeks, too few to show a week's pattern. */
static bool daily_dates(const hz__sb *b, unsigned *weekdays)
{
    *weekdays = 0;
    int64_t d0 = hz__day_of_time(b->tmin);
    int64_t d1 = hz__day_of_time(b->tmax);
    if (d1 <= d0 || d1 - d0 > 400000)
        return false;
    size_t span = (size_t)(d1 - d0 + 1), ndays = 0, next = 0;
    unsigned char *has = calloc(span, 1);
    if (has == NULL)
        return false;
    for (size_t i = 0; i < b->n; i++)
        if (b->t[i] != HZ__NO_TIME)
            has[hz__day_of_time(b->t[i]) - d0] = 1;
    for (size_t d = 0; d < span; d++) {
        if (has[d])
            *weekdays |= 1u << hz_weekday((int32_t)(d0 + (int64_t)d));
        ndays += has[d];
        next += has[d] && d + 1 < span && has[d + 1];
    }
    free(has);
    if (span < 28)
        *weekdays = 0x7f;
    return 2 * next >= ndays;
}

bool hz__on_period_starts(const hz__sb *b, int64_t sod0, int64_t unit)
{
    bool zoned = b->dc != NULL && b->dc->type == HZ_TYPE_TIMESTAMP &&
                 b->dc->zoned;
    return unit > 0 && (sod0 % unit == 0 || (zoned && sod0 % 900 == 0));
}

int hz__week_day(const size_t count[7])
{
    size_t n = 0, top = 0;
    int w = -1;
    for (int k = 0; k < 7; k++) {
        n += count[k];
        if (count[k] > top) {
            top = count[k];
            w = k;
        }
    }
    if (n == 0 || (top < n && (n < 10 || 10 * top < 9 * n)))
        return -1;
    return w;
}

/* The unit the dates count in, for part periods: which units a period
 * holds, and which of them the data would have rows in. */
typedef struct data_unit {
    hz_freq freq;      /* HZ_FREQ_HOUR, DAY, WEEK, MONTH, QUARTER;
                          INFER: none */
    unsigned weekdays; /* day and hour units: bit w, rows on weekday w */
    uint32_t hours;    /* hour and minute units: bit h, rows at hour h of
                          the day */
    int anchor;        /* week unit: the weekday every date falls on */
    int minutes;       /* minute unit: minutes a unit */
} data_unit;

/* Whether most units of f (of minutes minutes; hours, weeks, months,
 * quarters) that hold a row are followed by one that does, as in
 * daily_dates: a series by the month, not a yearly one dated by a
 * month's first day; readings every hour, not sales at a few whole
 * hours. */
static bool consecutive(const hz__sb *b, hz_freq f, int minutes)
{
    hz_calendar c;
    hz_calendar_init(&c, f);
    c.minutes = minutes;
    int64_t u0 = hz_calendar_period(&c, b->tmin);
    int64_t u1 = hz_calendar_period(&c, b->tmax);
    if (u1 <= u0 || u1 - u0 > 4000000)
        return false;
    size_t span = (size_t)(u1 - u0 + 1), nu = 0, next = 0;
    unsigned char *has = calloc(span, 1);
    if (has == NULL)
        return false;
    for (size_t i = 0; i < b->n; i++)
        if (b->t[i] != HZ__NO_TIME)
            has[hz_calendar_period(&c, b->t[i]) - u0] = 1;
    for (size_t x = 0; x < span; x++) {
        nu += has[x];
        next += has[x] && x + 1 < span && has[x + 1];
    }
    free(has);
    return 2 * next >= nu;
}

/* Dates not by the day: whole weeks when every date falls on one
 * weekday (*anchor), months or quarters when every date is one's first
 * day (month or quarter labels) or every date its last, or every date
 * one day of the month (monthly figures dated the 15th; quarters: every
 * third month), at midnight, and most are followed by the next; else
 * none (years, irregular dates). */
static hz_freq period_unit(const hz__sb *b, int *anchor)
{
    bool first = true, last = true, q_first = true, q_last = true;
    int dom = 0, mod3 = -2; /* every date's day of the month (month modulo
                               3), or -1 */
    size_t wd[7] = {0};
    for (size_t i = 0; i < b->n; i++) {
        int64_t t = b->t[i];
        if (t == HZ__NO_TIME)
            continue;
        int64_t day = hz__day_of_time(t);
        if (t != day * 86400)
            return HZ_FREQ_INFER;
        int y;
        unsigned m, d;
        hz_civil_from_days((int32_t)day, &y, &m, &d);
        bool end = (int)d == hz_days_in_month(y, m);
        first &= d == 1;
        last &= end;
        q_first &= d == 1 && m % 3 == 1;
        q_last &= end && m % 3 == 0;
        dom = dom == 0 ? (int)d : dom == (int)d ? dom : -1;
        mod3 = mod3 == -2 ? (int)(m % 3) : mod3 == (int)(m % 3) ? mod3 : -1;
        wd[hz_weekday((int32_t)day)]++;
    }
    bool one_dom = dom > 0 && dom <= 28;
    int w = hz__week_day(wd);
    if (w >= 0 && consecutive(b, HZ_FREQ_WEEK, 1)) {
        *anchor = w;
        return HZ_FREQ_WEEK;
    }
    if ((q_first || q_last || (one_dom && mod3 >= 0)) &&
        consecutive(b, HZ_FREQ_QUARTER, 1))
        return HZ_FREQ_QUARTER;
    if ((first || last || one_dom) && consecutive(b, HZ_FREQ_MONTH, 1))
        return HZ_FREQ_MONTH;
    return HZ_FREQ_INFER;
}

/* Days for transactions and daily data; hours for data at whole hours
 * of the day (hourly meter or sales data), with the hours of the day
 * they have rows at; weeks, months or quarters for data dated by them. */
static data_unit unit_of(const hz__sb *b)
{
    data_unit u = {HZ_FREQ_INFER, 0x7f, 0xffffff, 0, 1};
    if (!daily_dates(b, &u.weekdays)) {
        u.weekdays = 0x7f;
        u.freq = period_unit(b, &u.anchor);
        return u;
    }
    u.freq = HZ_FREQ_DAY;
    if (!b->has_time)
        return u;
    uint32_t hours = 0;
    int64_t g = 0, sod0 = -1; /* gcd of the seconds of the day less the
                                 first's (hz__on_period_starts) */
    for (size_t i = 0; i < b->n; i++) {
        int64_t t = b->t[i];
        if (t == HZ__NO_TIME)
            continue;
        int64_t sod = t - hz__day_of_time(t) * 86400;
        if (sod % 60 != sod0 % 60 && sod0 >= 0)
            return u;
        hours |= 1u << (sod / 3600);
        if (sod0 < 0)
            sod0 = sod;
        for (int64_t x = llabs(sod - sod0); x != 0;) { /* Euclid */
            int64_t r = g % x;
            g = x;
            x = r;
        }
    }
    /* hours (not all at one hour of the day), or units of g seconds, a
     * divisor of an hour: when most are followed by the next */
    if (g % 3600 == 0 && (hours & (hours - 1)) != 0 &&
        hz__on_period_starts(b, sod0, 3600) &&
        consecutive(b, HZ_FREQ_HOUR, 1)) {
        u.freq = HZ_FREQ_HOUR;
        u.hours = hours;
    } else if (g >= 60 && g < 3600 && 3600 % g == 0 &&
               hz__on_period_starts(b, sod0, g) &&
               consecutive(b, HZ_FREQ_MINUTE, (int)(g / 60))) {
        u.freq = HZ_FREQ_MINUTE;
        u.minutes = (int)(g / 60);
        u.hours = hours;
    }
    return u;
}

/* Whether the data would have rows in unit x: on a weekday (and at an
 * hour of the day) that they have rows on. */
static bool unit_open(const data_unit *u, const hz_calendar *uc, int64_t x)
{
    int64_t t = hz_calendar_time(uc, x);
    int64_t day = hz__day_of_time(t);
    if (u->freq >= HZ_FREQ_WEEK)
        return true;
    if (!((u->weekdays >> hz_weekday((int32_t)day)) & 1))
        return false;
    return u->freq == HZ_FREQ_DAY ||
           ((u->hours >> ((t - day * 86400) / 3600)) & 1);
}

/* The first and last periods of input dated inside its periods (by the
 * day or the hour into coarser ones, months into quarters or years): how
 * many of their units the table's dates cover (set->partial).  A period
 * is part of one only when a unit it misses is one the data would have
 * rows in: a shop shut on Sundays whose data end on a Saturday has a
 * whole last week, hourly sales up to 21:00 a whole last day. */
/* Whether the period of cal holding instant t, the first (k 0) or last
 * (k 1) of some rows, misses units before (after) t that the data would
 * have rows in; if so, *pp says which and how much. */
static bool edge_partial(const data_unit *u, const hz_calendar *uc,
                         const hz_calendar *cal, int64_t t, int k,
                         hz_partial_period *pp)
{
    int64_t x = hz_calendar_period(uc, t);
    int64_t p = hz_calendar_period(cal, hz_calendar_time(uc, x));
    int before = 0, after = 0; /* the period's units before / after */
    while (before < 10000 &&
           hz_calendar_period(cal, hz_calendar_time(uc, x - before - 1)) == p)
        before++;
    while (after < 10000 &&
           hz_calendar_period(cal, hz_calendar_time(uc, x + after + 1)) == p)
        after++;
    int missing = k ? after : before, open = 0;
    for (int i = 1; i <= missing; i++)
        open += unit_open(u, uc, k ? x + i : x - i);
    if (open == 0)
        return false;
    pp->period = p;
    pp->of = before + after + 1;
    pp->days = pp->of - missing;
    pp->unit = u->freq;
    pp->unit_minutes = u->minutes;
    pp->edge = t;
    return true;
}

/* Long input: each group's own last period, when its rows end inside it
 * (b->gpart); set->partial[1] describes the first such group's. */
static hz_status group_partials(hz__sb *b, const data_unit *u,
                                const hz_calendar *uc, hz_series_set *set)
{
    int64_t *last = malloc((b->ng ? b->ng : 1) * sizeof *last);
    b->gpart = malloc((b->ng ? b->ng : 1) * sizeof *b->gpart);
    if (last == NULL || b->gpart == NULL) {
        free(last);
        return nomem(b);
    }
    for (size_t g = 0; g < b->ng; g++)
        last[g] = b->gpart[g] = INT64_MIN;
    for (size_t i = 0; i < b->n; i++)
        if (b->t[i] != HZ__NO_TIME && b->t[i] > last[b->gid[i]])
            last[b->gid[i]] = b->t[i];
    bool first = true;
    for (size_t g = 0; g < b->ng; g++) {
        hz_partial_period pp;
        memset(&pp, 0, sizeof pp);
        if (last[g] == INT64_MIN ||
            !edge_partial(u, uc, &set->cal, last[g], 1, &pp))
            continue;
        b->gpart[g] = pp.period;
        if (first)
            set->partial[1] = pp;
        first = false;
    }
    free(last);
    return HZ_OK;
}

/* Times of day that are not a reading's (transactions at any time, web
 * hits) summed into days or hours: the period holding instant t, the
 * table's first (k 0) or last (k 1), is part of one when 19 in 20 or
 * more of the data's other periods hold a row later (earlier) in theirs
 * than t in its own, and those periods hold two or more rows a series on
 * average: a till extract taken at noon, whose last day holds the
 * morning's sales only.  (A twentieth of the rows later, as until
 * 2026-12-07, took a whole shop day ending at 16:23 for a part one when
 * other days' last sales ran to 17:00.)  Counted in hours of the day
 * (minutes of the hour) up to (from) t. */
static bool scattered_partial(const hz__sb *b, const hz_calendar *cal,
                              int64_t t, int k, hz_partial_period *pp)
{
    int64_t p0 = hz_calendar_period(cal, b->tmin);
    int64_t p1 = hz_calendar_period(cal, b->tmax);
    if (p1 <= p0 || p1 - p0 > 4000000)
        return false;
    size_t span = (size_t)(p1 - p0 + 1);
    unsigned char *has = calloc(span, 1), *beyond = calloc(span, 1);
    if (has == NULL || beyond == NULL) {
        free(has);
        free(beyond);
        return false;
    }
    int64_t p = hz_calendar_period(cal, t);
    int64_t into = t - hz_calendar_time(cal, p);
    size_t rows = 0, others = 0, past = 0; /* of periods other than p */
    for (size_t i = 0; i < b->n; i++) {
        if (b->t[i] == HZ__NO_TIME)
            continue;
        int64_t q = hz_calendar_period(cal, b->t[i]);
        if (q == p)
            continue;
        int64_t at = b->t[i] - hz_calendar_time(cal, q);
        size_t x = (size_t)(q - p0);
        rows++;
        others += !has[x];
        has[x] = 1;
        if ((k ? at > into : at < into) && !beyond[x]) {
            beyond[x] = 1;
            past++;
        }
    }
    free(has);
    free(beyond);
    /* a reading a day at any time (under two rows a series and period)
     * is a whole day's, whenever it was taken */
    if (others == 0 || 20 * past < 19 * others ||
        rows < 2 * others * (b->ng ? b->ng : 1))
        return false;
    int64_t len = hz_calendar_time(cal, p + 1) - hz_calendar_time(cal, p);
    int64_t unit = cal->freq == HZ_FREQ_DAY ? 3600 : 60;
    pp->period = p;
    pp->of = (int)(len / unit);
    pp->days = k ? (int)(into / unit) + 1 : pp->of - (int)(into / unit);
    pp->unit = cal->freq == HZ_FREQ_DAY ? HZ_FREQ_HOUR : HZ_FREQ_MINUTE;
    pp->unit_minutes = 1;
    pp->edge = t;
    return true;
}

static hz_status partial_periods(hz__sb *b, hz_series_set *set)
{
    const hz_calendar *cal = &set->cal;
    memset(set->partial, 0, sizeof set->partial);
    if (b->ndated == 0 || cal->freq <= HZ_FREQ_MINUTE)
        return HZ_OK;
    data_unit u = unit_of(b);
    if (u.freq == HZ_FREQ_DAY && b->has_time && cal->freq <= HZ_FREQ_DAY &&
        b->o->extend_to_end) {
        scattered_partial(b, cal, b->tmin, 0, &set->partial[0]);
        scattered_partial(b, cal, b->tmax, 1, &set->partial[1]);
        return HZ_OK;
    }
    if (u.freq == HZ_FREQ_INFER || cal->freq <= u.freq ||
        (u.freq == HZ_FREQ_DAY && cal->freq < HZ_FREQ_WEEK))
        return HZ_OK;
    hz_calendar uc;
    hz_calendar_init(&uc, u.freq);
    uc.anchor = u.anchor; /* weeks: labelled by the day they are dated */
    uc.minutes = u.minutes;
    edge_partial(&u, &uc, cal, b->tmin, 0, &set->partial[0]);
    if (!b->o->extend_to_end) /* each series ends at its own last period */
        return group_partials(b, &u, &uc, set);
    edge_partial(&u, &uc, cal, b->tmax, 1, &set->partial[1]);
    return HZ_OK;
}

/* The part last period (and with HZ_PARTIAL_DROP the first) out of
 * every series that holds it, before gaps are filled; its rows move from
 * rows_used to set->partial[k].rows.  A series with rows only there is
 * left with no period (removed by drop_empty_series, and counted). */
static hz_status drop_partial_periods(hz__sb *b, hz_series_set *set,
                                      const uint32_t *slot, double **cnts)
{
    /* long input: each series' own part last period (b->gpart) */
    int64_t *own = NULL;
    if (b->gpart != NULL && set->partial[1].days > 0) {
        if ((own = malloc((set->nseries ? set->nseries : 1) * sizeof *own)) ==
            NULL)
            return nomem(b);
        for (size_t sl = 0; sl < set->nseries; sl++)
            own[sl] = INT64_MIN;
        for (size_t g = 0; g < b->ng; g++)
            if (slot[g] != UINT32_MAX)
                own[slot[g]] = b->gpart[g];
        hz_partial_period *pp = &set->partial[1];
        for (size_t g = 0; g < b->ng; g++) {
            if (slot[g] == UINT32_MAX || b->gpart[g] == INT64_MIN)
                continue;
            const hz_series *s = &set->series[slot[g]];
            if (pp->nseries_part++ == 0)
                snprintf(pp->series_part, sizeof pp->series_part, "%s",
                         s->key);
        }
    }
    for (int k = 0; k < 2; k++) {
        hz_partial_period *pp = &set->partial[k];
        if (pp->days <= 0 || b->o->partial == HZ_PARTIAL_KEEP ||
            (k == 0 && b->o->partial != HZ_PARTIAL_DROP))
            continue;
        pp->dropped = 1;
        for (size_t sl = 0; sl < set->nseries; sl++) {
            hz_series *s = &set->series[sl];
            size_t t = k ? s->n - 1 : 0;
            int64_t at = k == 1 && own != NULL ? own[sl] : pp->period;
            if (s->n == 0 || s->start + (int64_t)t != at)
                continue;
            /* cnts[0..nseries) are set by build_set:
             * NOLINTNEXTLINE(clang-analyzer-core.NullDereference) */
            size_t c = (size_t)cnts[sl][t];
            pp->rows += c;
            s->nobs -= c;
            set->rows_used -= c;
            if (k == 0) {
                memmove(s->values, s->values + 1,
                        (s->n - 1) * sizeof *s->values);
                cnts[sl]++;
                s->start++;
            }
            if (--s->n == 0 && pp->nseries_out++ == 0)
                snprintf(pp->series_out, sizeof pp->series_out, "%.*s",
                         (int)hz_utf8_cut(s->key, sizeof pp->series_out - 1),
                         s->key);
        }
    }
    free(own);
    return HZ_OK;
}

/* The unit a part period's days and of count (days when not set). */
static hz_freq unit_freq(const hz_partial_period *p)
{
    return p->unit == HZ_FREQ_INFER ? HZ_FREQ_DAY : p->unit;
}

char *hz_partial_unit(const hz_partial_period *p, char *buf, size_t n)
{
    hz_calendar c;
    hz_calendar_init(&c, unit_freq(p));
    c.minutes = p->unit_minutes;
    return hz_calendar_unit(&c, buf, n);
}

/* The plural of p's unit: "days", "5-minute periods". */
static char *units_text(const hz_partial_period *p, char *buf, size_t n)
{
    char u[24];
    hz_partial_unit(p, u, sizeof u);
    snprintf(buf, n, "%s%s", u,
             p->unit == HZ_FREQ_MINUTE && p->unit_minutes > 1 ? " periods"
                                                              : "s");
    return buf;
}

/* Unit u at instant t, as the data date it: "2024-12-31", "2024-04"
 * (months), "2024-Q2" (quarters); hours and minutes by the instant
 * itself, "2024-01-20 05:00:00", "2024-02-29 11:28:20". */
static char *unit_text(hz_freq u, int64_t t, char *buf, size_t n)
{
    if (u <= HZ_FREQ_HOUR) {
        int64_t day = hz__day_of_time(t), sod = t - day * 86400;
        int y;
        unsigned m, d;
        hz_civil_from_days((int32_t)day, &y, &m, &d);
        snprintf(buf, n, "%04d-%02u-%02u %02d:%02d:%02d", y, m, d,
                 (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60));
        return buf;
    }
    hz_calendar c;
    hz_calendar_init(&c, u == HZ_FREQ_WEEK ? HZ_FREQ_DAY : u);
    if (u == HZ_FREQ_MONTH)
        c.label = HZ_DATEFMT_MONTH;
    else if (u == HZ_FREQ_QUARTER)
        c.label = HZ_DATEFMT_QUARTER;
    size_t w = (size_t)snprintf(buf, n, "%s",
                                u == HZ_FREQ_WEEK    ? "with the week of "
                                : u >= HZ_FREQ_MONTH ? "with "
                                                     : "");
    w = w < n ? w : n - 1;
    hz_calendar_format(&c, hz_calendar_period(&c, t), buf + w, n - w);
    return buf;
}

/* Series left with no period by drop_partial_periods: out of the set;
 * refused when none is left. */
static hz_status drop_empty_series(hz__sb *b, hz_series_set *set)
{
    size_t kept = 0;
    for (size_t i = 0; i < set->nseries; i++) {
        hz_series *s = &set->series[i];
        if (s->n > 0) {
            set->series[kept++] = *s;
            continue;
        }
        free(s->key);
        free(s->values);
        free(s->filled_at);
    }
    size_t n = set->nseries;
    set->nseries = kept;
    if (kept > 0 || n == 0)
        return HZ_OK;
    const hz_partial_period *pp = &set->partial[set->partial[1].dropped];
    char d[32], units[40];
    return hz_error_set(
        b->err, HZ_EPARSE,
        "every series has rows only in the part %s %s (%d of its %d %s), "
        "which is left out: nothing is left to forecast (--partial keep "
        "keeps it, or choose a finer --freq)",
        hz_freq_name(set->cal.freq),
        hz_calendar_format(&set->cal, pp->period, d, sizeof d), pp->days,
        pp->of, units_text(pp, units, sizeof units));
}

char *hz_partial_describe(const hz_calendar *cal, const hz_partial_period *p,
                          int k, char *buf, size_t n)
{
    buf[0] = '\0';
    if (p->days <= 0)
        return buf;
    const char *f = hz_freq_name(cal->freq);
    char lab[32], edge[48], units[40];
    hz_calendar_format(cal, p->period, lab, sizeof lab);
    hz_freq u = unit_freq(p);
    unit_text(u, p->edge, edge, sizeof edge);
    units_text(p, units, sizeof units);
    char who[96] = "";
    if (p->nseries_part > 0)
        snprintf(who, sizeof who, " of series '%s'", p->series_part);
    int w = snprintf(buf, n,
                     "the %s %s (%s)%s holds %d of its %d %s (%s "
                     "data %s %s): ",
                     k ? "last" : "first", f, lab, who, p->days, p->of, units,
                     p->nseries_part > 0 ? "its" : "the", k ? "end" : "start",
                     edge);
    size_t len = w > 0 && (size_t)w < n ? (size_t)w : n - 1;
    if (p->nseries_part > 1 && !p->dropped) {
        /* long input: each series' own last period */
        snprintf(buf + len, n - len,
                 "its total is a part-%s's, which the models take for a "
                 "whole one, as they do the last %ss of %zu more series "
                 "that end inside theirs",
                 f, f, p->nseries_part - 1);
        return buf;
    }
    if (p->nseries_part > 1) {
        w = snprintf(buf + len, n - len,
                     "left out, as are the last %ss of %zu more series that "
                     "end inside theirs (%zu rows in all)",
                     f, p->nseries_part - 1, p->rows);
        len += w > 0 && (size_t)w < n - len ? (size_t)w : 0;
        if (p->nseries_out > 0)
            snprintf(buf + len, n - len,
                     "; %zu series with rows only in theirs ('%s'%s) %s "
                     "nothing else and %s not forecast",
                     p->nseries_out, p->series_out,
                     p->nseries_out > 1 ? ", ..." : "",
                     p->nseries_out > 1 ? "have" : "has",
                     p->nseries_out > 1 ? "are" : "is");
        return buf;
    }
    if (!p->dropped)
        snprintf(buf + len, n - len,
                 "its total is a part-%s's, which the models take for a "
                 "whole one",
                 f);
    else if (p->nseries_out > 0)
        snprintf(buf + len, n - len,
                 "left out with its %zu row%s; %zu series with rows only in "
                 "it ('%s'%s) %s nothing else and %s not forecast",
                 p->rows, p->rows == 1 ? "" : "s", p->nseries_out,
                 p->series_out, p->nseries_out > 1 ? ", ..." : "",
                 p->nseries_out > 1 ? "have" : "has",
                 p->nseries_out > 1 ? "are" : "is");
    else
        snprintf(buf + len, n - len, "left out with its %zu row%s", p->rows,
                 p->rows == 1 ? "" : "s");
    return buf;
}

char *hz_repeated_describe(size_t rows, const char *first, char *buf, size_t n)
{
    buf[0] = '\0';
    if (rows > 0)
        snprintf(buf, n,
                 "%zu more row%s for a period already seen (first: %s) "
                 "summed into it, in data of one row per series and period",
                 rows, rows == 1 ? "" : "s", first);
    return buf;
}

static hz_status build_set(hz__sb *b, hz_series_set *set)
{
    hz_status st;
    int64_t gmax;
    group_info *gi = calloc(b->ng ? b->ng : 1, sizeof *gi);
    uint32_t *slot = malloc((b->ng ? b->ng : 1) * sizeof *slot);
    double *cnt = NULL, **cnts = NULL, *comp = NULL;
    set->series = calloc(b->ng ? b->ng : 1, sizeof *set->series);
    if (gi == NULL || slot == NULL || set->series == NULL) {
        st = nomem(b);
        goto out;
    }
    if ((st = to_periods(b, &set->cal, gi, &gmax)) != HZ_OK ||
        (st = make_series(b, gi, gmax, set, slot)) != HZ_OK)
        goto out;
    empty_keys(b, gi, set);
    size_t tot = 0;
    for (size_t s = 0; s < set->nseries; s++)
        tot += set->series[s].n;
    cnt = calloc(tot ? tot : 1, sizeof *cnt);
    comp = calloc(tot ? tot : 1, sizeof *comp);
    cnts = malloc((set->nseries ? set->nseries : 1) * sizeof *cnts);
    if (cnt == NULL || comp == NULL || cnts == NULL) {
        st = nomem(b);
        goto out;
    }
    tot = 0;
    for (size_t s = 0; s < set->nseries; s++) {
        cnts[s] = cnt + tot;
        tot += set->series[s].n;
    }
    if ((st = accumulate(b, set, slot, cnts, comp)) == HZ_OK &&
        (st = fold_check(b, set, cnts)) == HZ_OK &&
        (st = drop_partial_periods(b, set, slot, cnts)) == HZ_OK &&
        (st = fill_gaps(b, set, cnts)) == HZ_OK)
        st = drop_empty_series(b, set);
out:
    free(cnts);
    free(comp);
    free(cnt);
    free(slot);
    free(gi);
    return st;
}

hz_status hz_series_build(const hz_dataset *ds, const hz_series_opts *o,
                          hz_series_set **out, hz_error *err)
{
    *out = NULL;
    hz__sb b;
    memset(&b, 0, sizeof b);
    b.ds = ds;
    b.o = o;
    b.err = err;
    b.src = ds->source ? ds->source : "dataset";
    b.n = ds->nrows;
    hz_series_set *set = NULL;
    hz_status st = find_columns(&b);
    if (st != HZ_OK)
        return st;
    b.t = malloc((b.n ? b.n : 1) * sizeof *b.t);
    b.gid = malloc((b.n ? b.n : 1) * sizeof *b.gid);
    set = calloc(1, sizeof *set);
    if (b.t == NULL || b.gid == NULL || set == NULL) {
        st = nomem(&b);
        goto out;
    }
    if ((st = row_times(&b)) != HZ_OK || (st = group_rows(&b)) != HZ_OK ||
        (st = hz__series_calendar(&b, set)) != HZ_OK)
        goto out;
    set->freq = set->cal.freq;
    set->zoned = b.dc->type == HZ_TYPE_TIMESTAMP && b.dc->zoned;
    set->unix_times = set->zoned && hz_datefmt_is_unix(b.dc->datefmt);
    set_seasons(&b, set);
    if ((st = partial_periods(&b, set)) != HZ_OK ||
        (st = build_set(&b, set)) != HZ_OK)
        goto out;
    qsort(set->series, set->nseries, sizeof *set->series, cmp_series);
    if ((st = check_series_names(&b, set)) != HZ_OK)
        goto out;
    if (hz__series_similar(set) != 0) {
        st = nomem(&b);
        goto out;
    }
    *out = set;
    set = NULL;
out:
    free(b.t);
    free(b.gid);
    free(b.gpart);
    hz_series_set_free(set);
    return st;
}

hz_status hz_series_read_long(const hz_dataset *ds, const char *id_col,
                              const char *date_col, const char *value_col,
                              hz_freq freq, hz_fill fill, hz_series_set **out,
                              hz_error *err)
{
    hz_series_opts o;
    hz_series_opts_init(&o);
    const char *by[1] = {id_col};
    o.date_col = date_col;
    o.value_col = value_col;
    o.by_cols = by;
    o.nby = 1;
    o.freq = freq;
    o.fill = fill;
    o.agg = HZ_AGG_SUM;
    o.extend_to_end = false;
    return hz_series_build(ds, &o, out, err);
}
