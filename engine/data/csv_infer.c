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

void hz__csv_evidence_add(evidence *e, const char *s, size_t n)
{
    int64_t iv;
    double dv;
    e->nonnull++;
    if (parse_i64(s, n, &iv)) {
        e->n_int++;
        e->n_num++;
    } else if (parse_f64(s, n, &dv)) {
        e->n_num++;
    }
    if (parse_bool_word(s, n) >= 0)
        e->n_boolword++;
    const char *t = s;
    size_t tn = n;
    trim(&t, &tn);
    int64_t secs;
    bool ts;
    hz_datefmt det;
    if (tn >= 8 && tn <= 40 && t[0] >= '0' && t[0] <= '9' &&
        hz_parse_datetime(t, tn, HZ_DATEFMT_NONE, &secs, &ts, &det)) {
        if (e->fmt == HZ_DATEFMT_NONE)
            e->fmt = det;
        else if (det != e->fmt &&
                 !hz_parse_datetime(t, tn, e->fmt, &secs, &ts, NULL))
            e->fmt_conflict = true;
        e->n_date++;
        e->n_ts += ts;
    }
}

/* A type wins when at least 95% of the sampled values parse as it: the
 * odd 'N/A' in a numeric column is then reported as an error, with its
 * line, instead of silently turning the column into text. */
static bool mostly(size_t k, size_t n)
{
    return k > 0 && (double)k >= 0.95 * (double)n;
}

colspec hz__csv_evidence_resolve(const evidence *e, bool whole_file)
{
    colspec c = {HZ_TYPE_STRING, HZ_DATEFMT_NONE, false};
    size_t n = e->nonnull;
    if (n == 0)
        c.type = whole_file ? HZ_TYPE_NULL : HZ_TYPE_STRING;
    else if (mostly(e->n_boolword, n))
        c.type = HZ_TYPE_BOOL;
    else if (mostly(e->n_num, n))
        c.type = e->n_int == e->n_num ? HZ_TYPE_INT64 : HZ_TYPE_FLOAT64;
    else if (mostly(e->n_date, n) && !e->fmt_conflict) {
        c.type = e->n_ts > 0 ? HZ_TYPE_TIMESTAMP : HZ_TYPE_DATE;
        c.fmt = e->fmt;
    }
    return c;
}
int hz__csv_infer_sample(const char *body, size_t plen, size_t blen,
                         size_t ncols, const hz_csv_options *opt, char delim,
                         char **names, evidence *ev, bool *whole)
{
    chunk c;
    memset(&c, 0, sizeof c);
    memset(ev, 0, ncols * sizeof *ev);
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

char hz__csv_detect_delimiter(const char *s, size_t n)
{
    static const char cands[] = {',', ';', '\t', '|'};
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
    for (int k = 0; k < 4; k++) {
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
    return best < 0 ? ',' : cands[best];
}
