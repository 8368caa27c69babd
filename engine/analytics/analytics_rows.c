/* The per-customer table of a result, as CSV or JSON rows.  One
 * definition of the columns (visit_row) serves the header, CSV rows and
 * JSON objects.  Rows are formatted into memory in blocks, the blocks in
 * parallel, and written in order: the output is the same for any thread
 * count, and numbers go through hz__fmt_g15 rather than printf. */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "horizon/outfile.h"
#include "horizon/threads.h"
#include "analytics/analytics_internal.h"
#include "core/textout.h"

/* A growable output buffer. */
typedef struct obuf {
    char *p;
    size_t len, cap;
    bool oom;
} obuf;

static void ob_reserve(obuf *b, size_t extra)
{
    if (b->len + extra <= b->cap || b->oom)
        return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra)
        cap *= 2;
    char *t = realloc(b->p, cap);
    if (t == NULL) {
        b->oom = true;
        return;
    }
    b->p = t;
    b->cap = cap;
}

static void ob_put(obuf *b, const char *s, size_t n)
{
    ob_reserve(b, n);
    if (!b->oom) {
        memcpy(b->p + b->len, s, n);
        b->len += n;
    }
}

static void ob_str(obuf *b, const char *s)
{
    ob_put(b, s, strlen(s));
}

static void ob_chr(obuf *b, char c)
{
    ob_put(b, &c, 1);
}

static void ob_csv_field(obuf *b, const char *s)
{
    if (strpbrk(s, ",\"\n\r") == NULL) {
        ob_str(b, s);
        return;
    }
    ob_chr(b, '"');
    for (; *s; s++) {
        if (*s == '"')
            ob_chr(b, '"');
        ob_chr(b, *s);
    }
    ob_chr(b, '"');
}

static void ob_json_str(obuf *b, const char *s)
{
    char u[8];
    size_t n = strlen(s);
    ob_chr(b, '"');
    for (; *s; s++, n--) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x80) { /* valid UTF-8 as is, any other byte U+FFFD */
            size_t k = hz_utf8_seq((const unsigned char *)s, n);
            if (k == 0) {
                ob_str(b, "\xEF\xBF\xBD");
                continue;
            }
            ob_put(b, s, k);
            s += k - 1;
            n -= k - 1;
            continue;
        }
        if (c == '"' || c == '\\') {
            ob_chr(b, '\\');
            ob_chr(b, (char)c);
        } else if (c == '\n') {
            ob_str(b, "\\n");
        } else if (c == '\t') {
            ob_str(b, "\\t");
        } else if (c == '\r') {
            ob_str(b, "\\r");
        } else if (c < 0x20) {
            snprintf(u, sizeof u, "\\u%04x", c);
            ob_str(b, u);
        } else {
            ob_chr(b, (char)c);
        }
    }
    ob_chr(b, '"');
}

/* ---- the columns ---- */

typedef struct row_out {
    obuf *b;
    bool json;
    bool header; /* CSV header: names only */
    int n;       /* columns so far */
} row_out;

/* Name the next column; true when its value is to be written. */
static bool col(row_out *o, const char *csv, const char *json)
{
    if (o->json) {
        ob_str(o->b, o->n ? ", \"" : "{\"");
        ob_str(o->b, json);
        ob_str(o->b, "\": ");
    } else {
        if (o->n)
            ob_chr(o->b, ',');
        if (o->header)
            ob_str(o->b, csv);
    }
    o->n++;
    return !o->header;
}

static void col_num(row_out *o, const char *csv, const char *json, double v)
{
    char t[40];
    if (!col(o, csv, json))
        return;
    size_t l = hz__fmt_g15(v, t);
    if (l > 0)
        ob_put(o->b, t, l);
    else if (o->json)
        ob_str(o->b, "null");
}

static void col_str(row_out *o, const char *csv, const char *json,
                    const char *v)
{
    if (col(o, csv, json)) {
        if (o->json)
            ob_json_str(o->b, v);
        else
            ob_csv_field(o->b, v);
    }
}

static void col_int(row_out *o, const char *csv, const char *json, long v)
{
    char t[24];
    size_t l = 0;
    if (!col(o, csv, json))
        return;
    unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;
    do {
        t[sizeof t - 1 - l++] = (char)('0' + u % 10);
        u /= 10;
    } while (u > 0);
    if (v < 0)
        t[sizeof t - 1 - l++] = '-';
    ob_put(o->b, t + sizeof t - l, l);
}

/* A day as YYYY-MM-DD (years 0..9999; others through hz_format_day). */
static const char *fmt_day(int32_t day, char *buf)
{
    int y;
    unsigned m, d;
    hz_civil_from_days(day, &y, &m, &d);
    if (y < 0 || y > 9999)
        return hz_format_day(day, buf);
    buf[0] = (char)('0' + y / 1000);
    buf[1] = (char)('0' + y / 100 % 10);
    buf[2] = (char)('0' + y / 10 % 10);
    buf[3] = (char)('0' + y % 10);
    buf[4] = '-';
    buf[5] = (char)('0' + m / 10);
    buf[6] = (char)('0' + m % 10);
    buf[7] = '-';
    buf[8] = (char)('0' + d / 10);
    buf[9] = (char)('0' + d % 10);
    buf[10] = '\0';
    return buf;
}

static void col_bool(row_out *o, const char *name, bool v)
{
    if (col(o, name, name))
        ob_str(o->b, o->json ? (v ? "true" : "false") : (v ? "1" : "0"));
}

/* "expected_purchases_12m" (months), "_39w" (whole weeks) or "_90d". */
static void horizon_label(const hz_analytics_request *q, char *buf, size_t cap)
{
    double d = q->horizon_days;
    if (!(d > 0))
        snprintf(buf, cap, "expected_purchases_%dm", q->horizon_months);
    else if (fmod(d, 7.0) == 0)
        snprintf(buf, cap, "expected_purchases_%gw", d / 7.0);
    else
        snprintf(buf, cap, "expected_purchases_%gd", d);
}

#define AT(a) (o->header ? 0 : (a)[i])
#define ATN(a) (o->header || (a) == NULL ? NAN : (a)[i])

static void summary_columns(const hz_analytics_result *r, size_t i, row_out *o)
{
    const hz_customer_summary *s = r->cs;
    const bool h = o->header;
    char d[16];
    col_str(o, "first_purchase", "first_purchase",
            h ? "" : fmt_day(s->first_day[i], d));
    col_str(o, "last_purchase", "last_purchase",
            h ? "" : fmt_day(s->last_day[i], d));
    col_int(o, "orders", "orders", (long)AT(s->orders));
    col_num(o, "frequency", "frequency", AT(s->frequency));
    col_num(o, "recency", "recency", AT(s->recency));
    col_num(o, "T", "T", AT(s->T));
    col_num(o, "monetary_value", "monetary_value", AT(s->monetary));
    col_num(o, "total_spend", "total_spend", AT(s->total_spend));
    if (s->refunds != NULL) /* a file with refunds: what each netted */
        col_num(o, "refunds", "refunds", AT(s->refunds));
    if (s->has_holdout) {
        col_num(o, "frequency_holdout", "frequency_holdout",
                AT(s->frequency_holdout));
        col_num(o, "monetary_holdout", "monetary_holdout",
                AT(s->monetary_holdout));
    }
}

static void clv_columns(const hz_analytics_result *r, size_t i, row_out *o)
{
    const hz__clv_part *c = &r->clv;
    char name[48] = "expected_purchases";
    if (o->header) /* only the CSV header shows the horizon */
        horizon_label(&r->req, name, sizeof name);
    col_num(o, "p_alive", "p_alive", AT(c->p_alive));
    col_num(o, name, "expected_purchases", AT(c->exp_purch));
    col_num(o, "expected_spend", "expected_spend", ATN(c->exp_spend));
    col_num(o, "clv", "clv", ATN(c->clv));
}

static void churn_columns(const hz_analytics_result *r, size_t i, row_out *o)
{
    const hz__churn_part *c = &r->churn;
    if (!c->labelled) {
        col_num(o, "days_since_last", "days_since_last", AT(r->rec_days));
        col_bool(o, "inactive", !o->header && c->inactive[i]);
        col_num(o, "churn_risk", "churn_risk", AT(c->risk));
        return;
    }
    if (o->header || c->label[i] >= 0)
        col_int(o, "churn_label", "churn_label", (long)AT(c->label));
    else if (col(o, "churn_label", "churn_label") && o->json)
        ob_str(o->b, "null");
    col_num(o, "churn_probability", "churn_probability", AT(c->prob));
    if (c->has_cv)
        col_num(o, "churn_probability_cv", "churn_probability_cv", AT(c->oof));
}

static void segment_columns(const hz_analytics_result *r, size_t i, row_out *o)
{
    const hz__seg_part *s = &r->seg;
    col_num(o, "rfm_frequency", "rfm_frequency", AT(s->fval));
    col_int(o, "r_score", "r", (long)AT(s->rs));
    col_int(o, "f_score", "f", (long)AT(s->fs));
    col_int(o, "m_score", "m", (long)AT(s->ms));
    col_str(o, "rfm_segment", "segment",
            o->header ? "" : hz_rfm_segment_name(s->seg[i]));
    col_int(o, "cluster", "cluster", (long)AT(s->cluster));
}

static void survival_columns(const hz_analytics_result *r, size_t i,
                             row_out *o)
{
    const hz__surv_part *s = &r->surv;
    col_num(o, "duration", "duration", AT(s->duration));
    col_bool(o, "event", !o->header && s->event[i] > 0);
    if (!s->cox_ok)
        return;
    col_num(o, "risk_score", "risk_score", AT(s->risk_score));
    for (size_t t = 0; t < s->ntimes; t++) {
        char name[48];
        snprintf(name, sizeof name, "survival_%g", s->times[t]); /* rare */
        col_num(o, name, name, o->header ? 0 : s->surv_at[i * s->ntimes + t]);
    }
}

static void visit_row(const hz_analytics_result *r, size_t i, row_out *o)
{
    /* values are only read for a row, never for the header (r->n may be
     * 0 there) */
    col_str(o, "customer_id", "customer_id", o->header ? "" : hz__id_of(r, i));
    if (r->cs != NULL)
        summary_columns(r, i, o);
    if (r->clv.ok && r->kind != HZ_ANALYSIS_CHURN)
        clv_columns(r, i, o);
    if (r->churn.ok)
        churn_columns(r, i, o);
    if (r->seg.ok)
        segment_columns(r, i, o);
    if (r->surv.ok)
        survival_columns(r, i, o);
    ob_chr(o->b, o->json ? '}' : '\n');
}

#undef AT
#undef ATN

/* Rows [lo, hi) into b (JSON: separated by ",\n"). */
static void format_rows(const hz_analytics_result *r, size_t lo, size_t hi,
                        bool json, obuf *b)
{
    for (size_t i = lo; i < hi; i++) {
        row_out o = {b, json, false, 0};
        if (json && i > 0)
            ob_str(b, ",\n");
        visit_row(r, i, &o);
    }
}

enum { ROW_BLOCK = 8192 };

/* Every row, formatted in parallel blocks and written in order: a thread
 * writes its block (ordered) while the others format the next ones. */
static hz_status write_rows(const hz_analytics_result *r, FILE *f, bool json,
                            int threads, hz_error *err)
{
    const size_t nb = (r->n + ROW_BLOCK - 1) / ROW_BLOCK;
    /* read by the num_threads clause, which the analyzer does not see:
     * NOLINTNEXTLINE(clang-analyzer-deadcode.DeadStores) */
    const int th = threads > 0 ? threads : hz_default_threads();
    int oom = 0, io = 0;
#pragma omp parallel num_threads(th) if (nb > 1) reduction(| : oom)
    {
        obuf b = {0};
#pragma omp for ordered schedule(dynamic, 1)
        for (size_t k = 0; k < nb; k++) {
            size_t lo = k * ROW_BLOCK, hi = lo + ROW_BLOCK;
            b.len = 0;
            format_rows(r, lo, hi < r->n ? hi : r->n, json, &b);
            oom |= b.oom;
#pragma omp ordered
            if (!b.oom && !io && fwrite(b.p, 1, b.len, f) != b.len)
                io = 1; /* written by one thread at a time, in order */
        }
        free(b.p);
    }
    if (oom)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    if (io)
        return hz_error_set(err, HZ_EIO, "could not write the result");
    return HZ_OK;
}

hz_status hz_analytics_result_write_csv(const hz_analytics_result *r, FILE *f,
                                        hz_error *err)
{
    obuf b = {0};
    row_out o = {&b, false, true, 0};
    visit_row(r, 0, &o);
    bool ok = !b.oom && fwrite(b.p, 1, b.len, f) == b.len;
    free(b.p);
    hz_status st = ok ? write_rows(r, f, false, r->req.threads, err)
                      : hz_error_set(err, HZ_EIO,
                                     "could not write the "
                                     "result");
    if (st == HZ_OK && ferror(f))
        st = hz_error_set(err, HZ_EIO, "could not write the result");
    return st;
}

void hz_analytics_result_write_row_json(const hz_analytics_result *r, size_t i,
                                        FILE *f)
{
    obuf b = {0};
    row_out o = {&b, true, false, 0};
    visit_row(r, i, &o);
    if (!b.oom)
        fwrite(b.p, 1, b.len, f);
    free(b.p);
}

/* Used by the JSON document writer (analytics_summary.c). */
hz_status hz__write_rows_json(const hz_analytics_result *r, FILE *f,
                              hz_error *err)
{
    return write_rows(r, f, true, r->req.threads, err);
}
