/* CSV ingest: file -> typed columnar hz_dataset.
 *
 * Pipeline:
 *   1. open the input (csv_input.c: a file is read in blocks with pread
 *      and never held whole; standard input and gzip data are spilled to
 *      a temporary file first), read its first bytes, skip a UTF-8 BOM,
 *      reject NUL bytes (binary data), detect the delimiter, parse the
 *      header with libcsv;
 *   2. infer the schema from the first rows (caller overrides and hints
 *      win), while the other threads make a first read of the body that
 *      counts newlines, quotes, NULs and bare CRs per piece;
 *   3. split the body into one row-aligned chunk per thread: quote parity
 *      moves each boundary to the next newline outside quotes, and the
 *      counts bound each chunk's rows, so every chunk writes straight into
 *      the final column arrays (one block of huge pages);
 *   4. parse the chunks in parallel (OpenMP), reading each in blocks that
 *      end at a newline: a chunk without quotes or bare CRs takes the row
 *      loop (a row of exactly ncols valid fields is parsed in place,
 *      numbers eight bytes at a time, strings interned in batches after
 *      their hash slots were prefetched; any other line goes through the
 *      per-separator loop), every other chunk goes through libcsv in
 *      strict mode; each chunk has its own string dictionaries;
 *   5. merge: the first chunk's dictionaries become the final ones, the
 *      others' strings are looked up in parallel and the missing appended
 *      in chunk order (so codes equal a one-thread parse); codes remapped.
 *
 * libcsv runs in strict mode (RFC 4180 quoting), so in an accepted file
 * every quote opens, closes or escapes a quote: quote parity then tells
 * exactly whether a byte lies inside a quoted field, and the chunked parse
 * equals the serial one.  When a multi-chunk parse meets an error in a
 * file that contains quotes, it is parsed again as one chunk so the error
 * reported is the serial parse's. */
#include <errno.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "horizon/threads.h"
#include "core/tzgaps.h"
#include "data/csv_internal.h"
#include "horizon/outfile.h"

void hz_csv_options_init(hz_csv_options *o)
{
    memset(o, 0, sizeof *o);
}

typedef struct header_ctx {
    char **names;
    size_t n, cap;
    bool oom;
    bool done;
} header_ctx;

/* The state of one read. */
typedef struct reader {
    const char *name;
    const hz_csv_options *opt;
    hz_csv_report *rep;
    hz_error *err;
    hz__src src;     /* the input, after a BOM */
    hz__srcbuf pbuf; /* its first bytes ... */
    const char *buf; /* ... in memory */
    size_t plen;
    header_ctx hdr;
    size_t ncols, hend, body_line;
    size_t hline;  /* the header row's line: 1, or 2 after a sep= line */
    char sep_line; /* the delimiter a sep= line named, or 0 */
    size_t nnamed; /* columns before the unnamed ones ending the header */
    char delim;
    hz__src body; /* the bytes after the header row */
    int nthreads;
    size_t nchunks;
    colspec *spec;
    evidence *ev;
    hz__srcbuf *sbuf; /* one read buffer per thread */
    bytecount *pieces;
    bool whole; /* the inference sample took every row */
    hz__tzone *tz; /* --tz (hz_csv_options.tz), or NULL */
} reader;

static hz_status check_decimal_comma_split(reader *r);

static hz_status read_error(reader *r)
{
    return hz_error_set(r->err, HZ_EIO, "%s: could not read file: %s", r->name,
                        strerror(errno ? errno : EIO));
}

static void hdr_field(void *data, size_t len, void *ctx)
{
    header_ctx *h = ctx;
    if (h->done)
        return;
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 16;
        char **nm = realloc(h->names, cap * sizeof *nm);
        if (nm == NULL) {
            h->oom = true;
            return;
        }
        h->names = nm;
        h->cap = cap;
    }
    char *s = malloc(len + 1);
    if (s == NULL) {
        h->oom = true;
        return;
    }
    if (len > 0)
        memcpy(s, data, len);
    s[len] = '\0';
    h->names[h->n++] = s;
}

static void hdr_row(int term, void *ctx)
{
    (void)term;
    ((header_ctx *)ctx)->done = true;
}

/* Offset just past the first newline outside quotes, from s[from]. */
static size_t row_end_after(const char *s, size_t n, size_t from, int parity)
{
    for (size_t i = from; i < n; i++) {
        if (s[i] == '"')
            parity ^= 1;
        else if (s[i] == '\n' && parity == 0)
            return i + 1;
    }
    return n;
}

static size_t line_of_offset(const char *s, size_t off)
{
    size_t line = 1;
    for (const char *p = s; p < s + off;) {
        const char *q = memchr(p, '\n', (size_t)(s + off - p));
        if (q == NULL)
            break;
        line++;
        p = q + 1;
    }
    return line;
}

/* The input's first bytes, in memory: enough for the header, the
 * delimiter detection and the rows sampled for inference; grown on
 * demand (4x at a time) up to the whole input.  false on a read error. */
static bool prefix_view(reader *r, bool grow)
{
    if (grow)
        r->plen = r->src.len - r->plen < 3 * r->plen ? r->src.len
                                                     : 4 * r->plen;
    size_t got;
    r->buf = hz__src_view(&r->src, 0, r->plen, &r->pbuf, &got);
    r->plen = got;
    return r->buf != NULL;
}

/* Step 1: the first bytes, a BOM, an empty input, binary data. */
static hz_status read_prefix(reader *r)
{
    r->plen = r->src.len < PREFIX_BYTES ? r->src.len : PREFIX_BYTES;
    if (!prefix_view(r, false))
        return read_error(r);
    if (r->plen >= 3 && memcmp(r->buf, "\xEF\xBB\xBF", 3) == 0) {
        r->src = hz__src_sub(&r->src, 3, r->src.len - 3);
        r->buf += 3;
        r->plen -= 3;
    }
    /* Excel's delimiter line, "sep=;", before the header row */
    r->hline = 1;
    if (r->plen >= 6 && memcmp(r->buf, "sep=", 4) == 0 &&
        strchr("\"\r\n", r->buf[4]) == NULL) {
        size_t e = 5 + (r->buf[5] == '\r');
        if (e < r->plen && r->buf[e] == '\n') {
            r->sep_line = r->buf[4];
            r->hline = 2;
            r->src = hz__src_sub(&r->src, e + 1, r->src.len - e - 1);
            r->buf += e + 1;
            r->plen -= e + 1;
        }
    }
    if (r->src.len == 0)
        return hz_error_set(r->err, HZ_EPARSE,
                            "%s: empty file: expected a header row", r->name);
    if (r->plen >= 2 &&
        ((unsigned char)r->buf[0] == 0xFF ||
         (unsigned char)r->buf[0] == 0xFE) &&
        (unsigned char)r->buf[1] == ((unsigned char)r->buf[0] ^ 0x01))
        return hz_error_set(r->err, HZ_EPARSE,
                            "%s: UTF-16 text (byte order mark %02X %02X), as "
                            "Excel's 'Unicode Text' writes it: save the sheet "
                            "as 'CSV UTF-8', or convert the file (iconv -f "
                            "UTF-16 -t UTF-8)",
                            r->name, (unsigned char)r->buf[0],
                            (unsigned char)r->buf[1]);
    /* Binary data in the header region; the body is checked while it is
     * split into chunks. */
    size_t head = r->plen < 65536 ? r->plen : 65536;
    const char *nul = memchr(r->buf, '\0', head);
    if (nul != NULL)
        return hz_error_set(r->err, HZ_EPARSE,
                            "%s:%zu: binary data (NUL byte at offset %zu): "
                            "not a text CSV file",
                            r->name,
                            r->hline - 1 +
                                line_of_offset(r->buf, (size_t)(nul - r->buf)),
                            (size_t)(nul - r->buf));
    return HZ_OK;
}

/* Empty and duplicate column names (a duplicate is found through a
 * dictionary of the names: linear in the number of columns).  Columns
 * without a name at the end of the header row (`month,sales,,,`: a
 * spreadsheet's used range wider than its data) are no error: they are
 * read as columns that must be empty in every row, and dropped. */
static hz_status check_names(reader *r)
{
    header_ctx *h = &r->hdr;
    r->nnamed = 0;
    for (size_t j = 0; j < h->n; j++) {
        /* trim a trailing CR kept by a quoted last name, and blanks on
         * either side ("month, sales": the name is "sales") */
        char *nm = h->names[j];
        size_t l = strlen(nm), lead = strspn(nm, " \t");
        while (l > lead &&
               (nm[l - 1] == '\r' || nm[l - 1] == ' ' || nm[l - 1] == '\t'))
            nm[--l] = '\0';
        if (lead > 0) {
            memmove(nm, nm + lead, l - lead + 1);
            l -= lead;
        }
        if (l > 0)
            r->nnamed = j + 1;
    }
    hz_dict *seen = hz_dict_new();
    if (seen == NULL)
        return hz_error_set(r->err, HZ_ENOMEM, "out of memory");
    hz_status st = HZ_OK;
    const size_t nnamed = r->nnamed > 0 ? r->nnamed : h->n;
    for (size_t j = 0; j < nnamed && st == HZ_OK; j++) {
        size_t l = strlen(h->names[j]);
        if (l == 0) {
            st = hz_error_set(r->err, HZ_EPARSE,
                              "%s:%zu:%zu: empty column name in the header "
                              "row",
                              r->name, r->hline, j + 1);
            break;
        }
        size_t before = hz_dict_size(seen);
        uint32_t code = hz_dict_intern(seen, h->names[j], l);
        if (code == UINT32_MAX)
            st = hz_error_set(r->err, HZ_ENOMEM, "out of memory");
        else if (hz_dict_size(seen) == before)
            st = hz_error_set(r->err, HZ_EPARSE,
                              "%s:%zu:%zu: duplicate column name '%s' (also "
                              "column %u)",
                              r->name, r->hline, j + 1, h->names[j], code + 1);
    }
    hz_dict_free(seen);
    if (st == HZ_OK && h->n == 0)
        st = hz_error_set(r->err, HZ_EPARSE, "%s:%zu: empty header row",
                          r->name, r->hline);
    return st;
}

/* Step 2: the header row (the prefix grows until it holds all of it) and
 * the delimiter. */
static hz_status read_header(reader *r)
{
    while ((r->hend = row_end_after(r->buf, r->plen, 0, 0)) == r->plen &&
           r->plen < r->src.len)
        if (!prefix_view(r, true))
            return read_error(r);
    const char *cr = r->hend == r->src.len && r->plen == r->src.len
                         ? memchr(r->buf, '\r', r->plen)
                         : NULL;
    if (cr != NULL && cr + 1 < r->buf + r->plen && cr[1] != '\n')
        return hz_error_set(r->err, HZ_EPARSE,
                            "%s: lines end with a carriage return alone "
                            "(classic Mac line ends, as Excel's 'CSV "
                            "(Macintosh)' writes them), not read: save the "
                            "sheet as 'CSV UTF-8', or convert the file (tr "
                            "'\\r' '\\n')",
                            r->name);
    char dec = r->opt->decimal;
    if (dec != 0 && dec != '.' && dec != ',')
        return hz_error_set(r->err, HZ_EINVAL,
                            "%s: decimal mark: expected '.' or ',', got '%c'",
                            r->name, dec);
    r->delim = r->opt->delimiter ? r->opt->delimiter
               : r->sep_line     ? r->sep_line
                             : hz__csv_detect_delimiter(r->buf, r->plen, dec);
    r->rep->delimiter = r->delim;
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
        return hz_error_set(r->err, HZ_ENOMEM, "out of memory");
    csv_set_delim(&p, (unsigned char)r->delim);
    csv_set_space_func(&p, hz__csv_no_space);
    size_t used = csv_parse(&p, r->buf, r->hend, hdr_field, hdr_row, &r->hdr);
    int bad = used != r->hend ||
              csv_fini(&p, hdr_field, hdr_row, &r->hdr) != 0;
    csv_free(&p);
    if (r->hdr.oom)
        return hz_error_set(r->err, HZ_ENOMEM, "out of memory");
    if (bad)
        return hz_error_set(r->err, HZ_EPARSE,
                            "%s:%zu:%zu: malformed header row (unterminated "
                            "or misplaced quote)",
                            r->name, r->hline, r->hdr.n + 1);
    hz_status st = check_names(r);
    if (st != HZ_OK)
        return st;
    r->ncols = r->hdr.n;
    r->body_line = r->hline - 1 + line_of_offset(r->buf, r->hend);
    r->body = hz__src_sub(&r->src, r->hend, r->src.len - r->hend);
    return check_decimal_comma_split(r);
}

/* A comma-separated two-column file read with --decimal , whose every
 * sampled row is digits, a comma, digits ('1,50'): two whole numbers or
 * one number with a decimal comma, which the text does not tell; refused
 * unless --delimiter (or a sep= line) said ',' (until 2026-12-07 split
 * into two columns silently). */
static bool dec_comma_row(const char *p, const char *e)
{
    while (p < e && (*p == ' ' || *p == '\t'))
        p++;
    if (p < e && (*p == '-' || *p == '+'))
        p++;
    const char *d = p;
    while (p < e && ((*p >= '0' && *p <= '9') || (*p == '.' && p > d)))
        p++;
    if (p == d || p >= e || *p != ',')
        return false;
    d = ++p;
    while (p < e && *p >= '0' && *p <= '9')
        p++;
    if (p == d)
        return false;
    while (p < e && (*p == ' ' || *p == '\t' || *p == '\r'))
        p++;
    return p == e;
}

static hz_status check_decimal_comma_split(reader *r)
{
    if (r->ncols != 2 || r->delim != ',' || r->opt->decimal != ',' ||
        r->opt->delimiter != 0 || r->sep_line != 0)
        return HZ_OK;
    size_t rows = 0, first = 0;
    const char *b = r->buf + r->hend, *end = r->buf + r->plen;
    for (size_t line = 0; b < end; line++) {
        const char *nl = memchr(b, '\n', (size_t)(end - b));
        const char *e = nl ? nl : end;
        bool blank = true;
        for (const char *q = b; q < e && blank; q++)
            blank = *q == ' ' || *q == '\t' || *q == '\r';
        if (!blank) {
            if (!dec_comma_row(b, e))
                return HZ_OK;
            if (rows++ == 0)
                first = line;
        }
        if (nl == NULL)
            break;
        b = nl + 1;
    }
    if (rows == 0)
        return HZ_OK;
    return hz_error_set(
        r->err, HZ_EPARSE,
        "%s:%zu: with --decimal , and ',' as the delimiter every row "
        "(%zu read) is digits, a comma, digits: two whole numbers or one "
        "number with a decimal comma, which the text does not tell: give "
        "--delimiter , for two columns ('%s' and '%s'), or --delimiter ';' "
        "(one the file does not use) for one column of decimal numbers",
        r->name, r->body_line + first, rows, r->hdr.names[0],
        r->hdr.names[1]);
}

/* Step 3: only blank lines after the header is an error. */
static hz_status check_has_rows(reader *r)
{
    bool any = false;
    for (size_t i = r->hend; i < r->plen && !any; i++)
        any = !(r->buf[i] == '\n' || r->buf[i] == '\r');
    hz__srcbuf tmp = {NULL, 0};
    for (size_t off = r->plen - r->hend; off < r->body.len && !any;) {
        size_t n;
        const char *p = hz__src_view(&r->body, off, hz__src_block(&r->body),
                                     &tmp, &n);
        if (p == NULL) {
            hz__srcbuf_free(&tmp);
            return read_error(r);
        }
        for (size_t i = 0; i < n && !any; i++)
            any = !(p[i] == '\n' || p[i] == '\r');
        off += n;
    }
    hz__srcbuf_free(&tmp);
    if (!any)
        return hz_error_set(r->err, HZ_EPARSE,
                            "%s: no data rows (the file has a header row "
                            "only)",
                            r->name);
    return HZ_OK;
}

/* One chunk per thread: every further chunk repeats the work of its
 * string dictionaries and their merge, which costs more than the better
 * balance gains (the 50 MB benchmark file on 2 threads: 2 chunks 0.058 s,
 * 4 chunks 0.061 s, 8 chunks 0.067 s; see bench/bench_ingest.c).  Results
 * do not depend on the count. */
static void plan_chunks(reader *r)
{
    const hz_csv_options *o = r->opt;
    r->nthreads = o->threads > 0 ? o->threads : hz_default_threads();
    if (o->chunk_bytes) {
        r->nchunks = r->body.len / o->chunk_bytes + 1;
        return;
    }
    r->nchunks = r->body.len / DEFAULT_CHUNK_BYTES + 1;
    if (r->nchunks > (size_t)r->nthreads)
        r->nchunks = (size_t)r->nthreads;
}

/* Step 4: type inference over the first rows runs on one thread while
 * the others make the first read of the body, counting newlines, quotes,
 * NULs and bare CRs of each chunk's piece in smaller parts (so the
 * inferring thread can still take some). */
static hz_status infer_and_count(reader *r)
{
    const size_t nch = r->nchunks, nsub = nch * COUNT_PARTS;
    const size_t blen = r->body.len, piece = blen / nch;
    bytecount *sub = calloc(nsub, sizeof *sub);
    if (sub == NULL)
        return hz_error_set(r->err, HZ_ENOMEM, "out of memory");
    int infer_err = 0, rderr = 0;
#pragma omp parallel num_threads(r->nthreads)
    {
#pragma omp single nowait
        {
            while (hz__csv_infer_sample(r->buf + r->hend, r->plen - r->hend,
                                        blen, r->ncols, r->opt, r->delim,
                                        r->hdr.names, r->ev, &r->whole))
                if (!prefix_view(r, true)) {
                    infer_err = errno ? errno : EIO;
                    break;
                }
        }
#pragma omp for schedule(dynamic, 1) nowait
        for (size_t i = 0; i < nsub; i++) {
            size_t k = i / COUNT_PARTS, part = i % COUNT_PARTS;
            size_t a = k * piece, b = k + 1 == nch ? blen : (k + 1) * piece;
            size_t step = (b - a) / COUNT_PARTS;
            size_t sa = a + part * step;
            size_t sb = part + 1 == COUNT_PARTS ? b : sa + step;
            int e = 0;
            sub[i] = hz__csv_count_range(&r->body, sa, sb,
                                         &r->sbuf[omp_get_thread_num()], &e);
            if (e != 0) {
#pragma omp atomic write
                rderr = e;
            }
        }
    }
    for (size_t i = 0; i < nsub; i++) {
        bytecount *p = &r->pieces[i / COUNT_PARTS];
        p->nl += sub[i].nl;
        p->nq += sub[i].nq;
        p->nz += sub[i].nz;
        p->ncr += sub[i].ncr;
    }
    free(sub);
    if (infer_err != 0 || rderr != 0) {
        errno = infer_err ? infer_err : rderr;
        return read_error(r);
    }
    for (size_t j = 0; j < r->ncols; j++)
        r->spec[j] = j < r->nnamed
                         ? hz__csv_evidence_resolve(&r->ev[j], r->whole)
                         : (colspec){.type = HZ_TYPE_NULL, .unnamed = true};
    return HZ_OK;
}

static size_t column_index(const reader *r, const char *name)
{
    for (size_t j = 0; j < r->nnamed; j++)
        if (strcmp(r->hdr.names[j], name) == 0)
            return j;
    return SIZE_MAX;
}

/* A number column j (SIZE_MAX: none) of a file separated by another
 * delimiter than ',' (';', tab, '|': those of exports with a decimal
 * comma) without --decimal whose sampled values with a point all have
 * three digits after it ('1.234' beside '999'): thousands or decimals,
 * which the text does not tell, is refused with its place (until
 * 2026-12-07 a tab- or '|'-separated file's '1.234' was read as 1.234).
 * One whose sample held no number with a point at all (whole numbers)
 * is left to the whole file (colspec.points_open, csv_body.c): until
 * 2026-12-08 a '1.234' after the sample was read as 1.234. */
static hz_status check_points(reader *r, size_t j)
{
    if (r->delim == ',' || r->opt->decimal != 0 || j == SIZE_MAX ||
        r->spec[j].overridden ||
        (r->spec[j].type != HZ_TYPE_FLOAT64 &&
         r->spec[j].type != HZ_TYPE_INT64))
        return HZ_OK;
    const evidence *e = &r->ev[j];
    if (e->n_grouped == 0 && e->n_point == 0)
        r->spec[j].points_open = true;
    if (e->n_grouped == 0 || e->n_point > 0)
        return HZ_OK;
    char dn[8];
    hz__csv_delim_name(r->delim, dn);
    return hz_error_set(
        r->err, HZ_EPARSE,
        "%s:%zu:%zu: column '%s': numbers such as '%s' in a file "
        "separated by %s could be read with a decimal point or "
        "as thousands with a point between them, as exports with "
        "a decimal comma write them (every value in the first rows "
        "with a point has three digits after it): give --decimal , "
        "('1.234' is 1234) or --decimal . ('1.234' is 1.234)",
        r->name, r->body_line + e->grp_line, j + 1, r->hdr.names[j],
        e->grp_text, dn);
}

/* The caller's picks among the inferred columns (hz_csv_options.want):
 * text as written, numbers or dates; an override (--schema) wins. */
static hz_status apply_wants(reader *r)
{
    const size_t n = r->nnamed;
    hz_type *types = malloc((n ? n : 1) * sizeof *types);
    hz_csv_want *want = calloc(n ? n : 1, sizeof *want);
    if (types == NULL || want == NULL) {
        free(types);
        free(want);
        return hz_error_set(r->err, HZ_ENOMEM, "out of memory");
    }
    for (size_t j = 0; j < n; j++)
        types[j] = r->spec[j].type;
    r->opt->want(r->opt->want_ctx, (const char *const *)r->hdr.names, types, n,
                 want);
    hz_status st = HZ_OK;
    for (size_t j = 0; j < n; j++) {
        colspec *sp = &r->spec[j];
        if (want[j] == HZ_CSV_WANT_NUMBER) {
            hz__csv_want_number(sp, &r->ev[j]);
            /* as number_cols: the amount of horizon analyze (until
             * 2026-12-07 '1.234' beside '999' was read as 1.234) */
            if (st == HZ_OK)
                st = check_points(r, j);
        } else if (want[j] == HZ_CSV_WANT_DATE)
            hz__csv_want_date(sp, &r->ev[j]);
        /* text as written; so is a column the caller does not read of
         * dates that could be month- or day-first, or of months with
         * two-digit years: which, it does not need to know (until
         * 2026-12-07 refused until --schema said) */
        else if (!sp->overridden &&
                 (want[j] == HZ_CSV_WANT_TEXT ||
                  (want[j] == HZ_CSV_WANT_UNUSED &&
                   (sp->undecided || (sp->type == HZ_TYPE_DATE &&
                                      sp->fmt == HZ_DATEFMT_MONTH)))))
            *sp = (colspec){.type = HZ_TYPE_STRING, .fmt = HZ_DATEFMT_NONE};
        else if (want[j] == HZ_CSV_WANT_UNUSED && !sp->overridden &&
                 sp->type != HZ_TYPE_STRING)
            sp->loose = true;
    }
    free(types);
    free(want);
    return st;
}

/* Whether a column's months with two-digit years (on one side of 2000)
 * could as well be days written mmm-dd: one month name throughout, at
 * least two different numbers, none 00 or above 31.  Jan-01 .. Jan-29 is
 * January 2001 .. 2029 (yearly data in Excel's mmm-yy) or the 1st to
 * the 29th of January, and nothing in the text tells which: days that
 * run past the 29th (Jan-30 is 1930) or past the month's end (Feb-01
 * after Jan-31) are caught by the side of 2000 instead. */
static bool one_month_or_days(const evidence *e)
{
    if ((e->yy_months & (e->yy_months - 1)) != 0 || e->yy_min == e->yy_max)
        return false; /* several months (or none), or a single value */
    return e->yy_min >= 1 && e->yy_max <= 31;
}

/* Whether a column's months with two-digit years in several months
 * could as well be days written mmm-dd that lie closer together than
 * the months do: read as days of a (leap) year, every value is a day of
 * its month and they fall within fewer days than, read as months, they
 * span months.  Feb-20 .. Mar-10, nineteen days in a row, are otherwise
 * months scattered over 2001 .. 2028; monthly data (Jan-22 .. Dec-24,
 * 36 months) read as days would be three days a month all year round.
 * *ndays, *nmonths: the two spans. */
static bool days_closer_than_months(const evidence *e, int side,
                                    int *ndays, int *nmonths)
{
    if ((e->yy_months & (e->yy_months - 1)) == 0 || e->yy_min < 1 ||
        e->yy_max > 31)
        return false; /* one month (one_month_or_days), or no days */
    const int32_t jan1 = hz_days_from_civil(2000, 1, 1);
    int first = -1, prev = -1, gap = 0, pmin = INT32_MAX, pmax = INT32_MIN;
    for (unsigned m = 1; m <= 12; m++)
        for (int v = 1; v <= 31; v++) {
            if (!(e->yy_days[m - 1] >> v & 1u))
                continue;
            if (v > hz_days_in_month(2000, m))
                return false; /* Feb-30 is no day */
            int pos = (int)(hz_days_from_civil(2000, m, (unsigned)v) - jan1);
            if (first < 0)
                first = pos;
            else if (pos - prev > gap)
                gap = pos - prev;
            prev = pos;
            int p = ((side == 1 ? 1900 : 2000) + v) * 12 + (int)m - 1;
            pmin = p < pmin ? p : pmin;
            pmax = p > pmax ? p : pmax;
        }
    if (first < 0)
        return false;
    if (first + 366 - prev > gap) /* the gap across the year's end */
        gap = first + 366 - prev;
    *ndays = 366 - gap + 1;
    *nmonths = pmax - pmin + 1;
    return *ndays <= *nmonths;
}

/* Months with two-digit years (Jan-24) are read as Excel reads them
 * (00-29: 2000-2029, 30-99: 1930-1999).  A column whose first rows fall
 * on both sides is refused unless --schema names its format: it may
 * cross the pivot (Jan-99 .. Jan-05, read right) or not be months at
 * all (Jan-01 .. Jan-31, days of January written mmm-dd).  So is, when
 * the rows are parsed, a two-digit year past the sample on the other
 * side of 2000 from the sample's (colspec.yy_side). */
static hz_status check_two_digit_years(reader *r)
{
    for (size_t j = 0; j < r->nnamed; j++) {
        const evidence *e = &r->ev[j];
        colspec *sp = &r->spec[j];
        if (sp->overridden || sp->type != HZ_TYPE_DATE ||
            sp->fmt != HZ_DATEFMT_MONTH)
            continue;
        /* the rows after the sample keep to its side (csv_chunk.c) */
        sp->yy_side = e->n_yy[0] > 0 ? 1 : e->n_yy[1] > 0 ? 2 : 0;
        if (e->n_yy[0] == 0 || e->n_yy[1] == 0) {
            if (one_month_or_days(e))
                return hz_error_set(
                    r->err, HZ_EPARSE,
                    "%s:%zu:%zu: column '%s': '%s' .. '%s' could be one "
                    "month of the years %d .. %d written mmm-yy (yearly "
                    "data, as Excel reads two-digit years) or days %d .. "
                    "%d of that month written mmm-dd: every value names "
                    "the same month and none has a number above 31; give "
                    "--schema '%s:date:month' to read them as months (and "
                    "--freq year to forecast one a year), or write the "
                    "years with four digits (Jan 2024) or the dates in "
                    "full (2024-01-31)",
                    r->name, r->body_line + e->yy_line[e->n_yy[0] ? 0 : 1],
                    j + 1, r->hdr.names[j], e->yy_min_text, e->yy_max_text,
                    e->yy_min + (e->n_yy[0] ? 1900 : 2000),
                    e->yy_max + (e->n_yy[0] ? 1900 : 2000), e->yy_min,
                    e->yy_max, r->hdr.names[j]);
            int nd, nm;
            if (sp->yy_side != 0 &&
                days_closer_than_months(e, sp->yy_side, &nd, &nm))
                return hz_error_set(
                    r->err, HZ_EPARSE,
                    "%s:%zu:%zu: column '%s': values such as '%s' and '%s' "
                    "could be months written mmm-yy (as Excel reads "
                    "two-digit years: %d .. %d, spread over %d months) or "
                    "days written mmm-dd (then all within %d days, in a "
                    "leap year), which lie closer together; give --schema "
                    "'%s:date:month' to read them as months, or write the "
                    "years with four digits (Jan 2024) or the dates in "
                    "full (2024-01-31)",
                    r->name, r->body_line + e->yy_line[sp->yy_side - 1],
                    j + 1, r->hdr.names[j], e->yy_min_text, e->yy_max_text,
                    e->yy_min + (sp->yy_side == 1 ? 1900 : 2000),
                    e->yy_max + (sp->yy_side == 1 ? 1900 : 2000), nm, nd,
                    r->hdr.names[j]);
            continue;
        }
        size_t later = e->yy_line[0] > e->yy_line[1] ? 0 : 1;
        return hz_error_set(
            r->err, HZ_EPARSE,
            "%s:%zu:%zu: column '%s': months with two-digit years such as "
            "'%s' and '%s' fall on both sides of 2000 as Excel reads them "
            "(00-29 as 2000-2029, 30-99 as 1930-1999): right for months "
            "across 2000, wrong for days written mmm-dd (Jan-01 .. Jan-31); "
            "write the years with four digits (Jan 2024), or give --schema "
            "'%s:date:month' to read them as Excel does",
            r->name, r->body_line + e->yy_line[later], j + 1, r->hdr.names[j],
            e->yy_text[1 - later], e->yy_text[later], r->hdr.names[j]);
    }
    return HZ_OK;
}

/* Step 5: the caller's overrides (--schema) and hints (the columns it
 * will use as dates and values), and day/month order that the sample
 * could not decide. */
static hz_status apply_schema(reader *r)
{
    const hz_csv_options *o = r->opt;
    for (size_t k = 0; k < o->noverrides; k++) {
        const hz_schema_override *ov = &o->overrides[k];
        size_t j = column_index(r, ov->column);
        if (j == SIZE_MAX)
            return hz_error_set(r->err, HZ_EINVAL,
                                "--schema: no column '%s' in %s", ov->column,
                                r->name);
        colspec *sp = &r->spec[j];
        sp->type = ov->type;
        sp->overridden = true;
        sp->undecided = false;
        sp->fmt = ov->datefmt;
        sp->zoned = ov->type == HZ_TYPE_TIMESTAMP &&
                    (r->ev[j].n_zoned > 0 || hz_datefmt_is_unix(ov->datefmt));
        sp->wall = false;
        if ((ov->type == HZ_TYPE_DATE || ov->type == HZ_TYPE_TIMESTAMP) &&
            ov->datefmt == HZ_DATEFMT_NONE) {
            colspec guess = hz__csv_evidence_resolve(&r->ev[j], true);
            sp->fmt = guess.fmt != HZ_DATEFMT_NONE ? guess.fmt
                                                   : HZ_DATEFMT_ISO;
            sp->undecided = guess.undecided;
        }
    }
    for (size_t k = 0; k < o->ndate_cols; k++) {
        size_t j = column_index(r, o->date_cols[k]);
        if (j != SIZE_MAX)
            hz__csv_want_date(&r->spec[j], &r->ev[j]);
    }
    for (size_t k = 0; k < o->nnumber_cols; k++) {
        size_t j = column_index(r, o->number_cols[k]);
        if (j != SIZE_MAX)
            hz__csv_want_number(&r->spec[j], &r->ev[j]);
    }
    for (size_t k = 0; k < o->nnumber_cols; k++) {
        hz_status st = check_points(r, column_index(r, o->number_cols[k]));
        if (st != HZ_OK)
            return st;
    }
    hz_status wst = o->want != NULL ? apply_wants(r) : HZ_OK;
    if (wst != HZ_OK)
        return wst;
    for (size_t j = 0; j < r->ncols; j++) {
        const evidence *e = &r->ev[j];
        if (!r->spec[j].undecided)
            continue;
        return hz_error_set(
            r->err, HZ_EPARSE,
            "%s:%zu:%zu: column '%s': dates such as '%s' could be "
            "month-first or day-first (no value in the first rows has a day "
            "above 12): give --schema '%s:date:mdy' or '%s:date:dmy'",
            r->name, r->body_line + e->amb_line, j + 1, r->hdr.names[j],
            e->amb_text, r->hdr.names[j], r->hdr.names[j]);
    }
    return check_two_digit_years(r);
}

/* Text values and names that are not valid UTF-8, counted (distinct
 * values per column) with the place of the first. */
static void check_utf8(reader *r, const hz_dataset *ds)
{
    hz_csv_report *rep = r->rep;
    for (size_t j = 0; j < ds->ncols; j++) {
        const hz_column *c = &ds->cols[j];
        if (!hz_utf8_valid(c->name, strlen(c->name)) &&
            rep->utf8_invalid++ == 0)
            snprintf(rep->utf8_first, sizeof rep->utf8_first,
                     "%s:%zu:%zu: the name of column %zu", r->name, r->hline,
                     j + 1, j + 1);
        if (c->type != HZ_TYPE_STRING)
            continue;
        size_t nd = hz_dict_size(c->dict);
        for (uint32_t k = 0; k < nd; k++) {
            if (hz_utf8_valid(hz_dict_str(c->dict, k),
                              hz_dict_len(c->dict, k)))
                continue;
            if (rep->utf8_invalid++ > 0)
                continue;
            size_t row = 0;
            while (row < ds->nrows &&
                   (hz_col_is_null(c, row) || c->v.code[row] != k))
                row++;
            snprintf(rep->utf8_first, sizeof rep->utf8_first,
                     "%s: column '%s', data row %zu", r->name, c->name,
                     row + 1);
        }
    }
}

/* Step 6: the body, in chunks; after a structural error in a chunked
 * parse of a file with quotes, again as one chunk (the serial parse
 * decides which error is the first). */
static hz_status parse_retext(reader *r, hz__csv_body_args *a, size_t nchunks,
                              hz_dataset **out, bool *quotes)
{
    hz_status st;
    /* a loose column (HZ_CSV_WANT_UNUSED) whose value did not fit its
     * type is read again as text: each round turns one column at least */
    for (;;) {
        memset(a->retext, 0, r->ncols * sizeof *a->retext);
        st = hz__csv_parse_body(a, nchunks, out, quotes, r->err);
        if (st != HZ_OK || *out != NULL)
            return st;
        for (size_t j = 0; j < r->ncols; j++)
            if (a->retext[j])
                r->spec[j] = (colspec){.type = HZ_TYPE_STRING,
                                       .fmt = HZ_DATEFMT_NONE};
        r->rep->rows_skipped = 0;
        r->rep->nreported = 0;
        r->rep->chunks_fast = r->rep->chunks_libcsv = 0;
    }
}

static hz_status parse(reader *r, hz_dataset **out)
{
    bool *retext = calloc(r->ncols ? r->ncols : 1, sizeof *retext);
    if (retext == NULL)
        return hz_error_set(r->err, HZ_ENOMEM, "out of memory");
    hz__csv_body_args a = {r->name, &r->body,     r->body_line, r->pieces,
                           r->sbuf, r->hdr.names, r->ncols,     r->spec,
                           r->opt,  r->delim,     r->rep,       r->tz,
                           retext};
    bool quotes = false;
    hz_status st = parse_retext(r, &a, r->nchunks, out, &quotes);
    if (st != HZ_EPARSE || r->nchunks == 1 || !quotes) {
        free(retext);
        return st;
    }
    hz_error_clear(r->err);
    r->rep->rows_skipped = 0;
    r->rep->nreported = 0;
    r->rep->chunks_fast = r->rep->chunks_libcsv = 0;
    for (size_t k = 1; k < r->nchunks; k++) {
        r->pieces[0].nl += r->pieces[k].nl;
        r->pieces[0].nq += r->pieces[k].nq;
        r->pieces[0].nz += r->pieces[k].nz;
        r->pieces[0].ncr += r->pieces[k].ncr;
    }
    st = parse_retext(r, &a, 1, out, &quotes);
    free(retext);
    return st;
}

/* The columns without a name that ended the header row, all empty (a
 * value in one is an error), freed as hz_dataset_free frees a column:
 * values in the reader's block stay with it, arrays of their own (the
 * exact-size copies of csv_body.c's compact) go. */
static void drop_unnamed(const reader *r, hz_dataset *ds)
{
    const uintptr_t b = (uintptr_t)ds->block;
    for (size_t j = r->nnamed; j < ds->ncols; j++) {
        hz_column *c = &ds->cols[j];
        uintptr_t p = (uintptr_t)c->v.raw;
        if (ds->block == NULL || p < b || p >= b + ds->block_len)
            free(c->v.raw);
        free(c->name);
        free(c->valid);
        hz_dict_free(c->dict);
    }
    if (r->nnamed < ds->ncols)
        ds->ncols = r->nnamed;
}

/* --tz: the zone of the file's local times.  Every timestamp column is
 * then read on its clock (csv_chunk.c): times with offsets moved to it,
 * times without checked against it; none is a UTC instant. */
static hz_status open_zone(reader *r)
{
    if (r->opt->tz == NULL)
        return HZ_OK;
    int32_t lo, hi;
    hz__csv_date_window(r->opt, &lo, &hi);
    hz_status st = hz__tzone_open(r->opt->tz, lo, hi, &r->tz, r->err);
    if (st != HZ_OK)
        return st;
    for (size_t j = 0; j < r->ncols; j++)
        r->spec[j].zoned = r->spec[j].wall = false;
    return HZ_OK;
}

static void reader_free(reader *r)
{
    hz__srcbuf_free(&r->pbuf);
    if (r->sbuf != NULL)
        for (int t = 0; t < r->nthreads; t++)
            hz__srcbuf_free(&r->sbuf[t]);
    free(r->sbuf);
    free(r->pieces);
    for (size_t j = 0; j < r->hdr.n; j++)
        free(r->hdr.names[j]);
    free(r->hdr.names);
    free(r->spec);
    free(r->ev);
    hz__tzone_free(r->tz);
}

hz_status hz__csv_read_source(const hz__src *in, const char *name,
                              const hz_csv_options *opt, hz_dataset **out,
                              hz_csv_report *report, hz_error *err)
{
    hz_csv_options defopt;
    hz_csv_report dummy;
    if (opt == NULL) {
        hz_csv_options_init(&defopt);
        opt = &defopt;
    }
    if (report == NULL)
        report = &dummy;
    memset(report, 0, sizeof *report);
    report->bytes = in->len;
    *out = NULL;
    reader r;
    memset(&r, 0, sizeof r);
    r.name = name;
    r.opt = opt;
    r.rep = report;
    r.err = err;
    r.src = *in;
    double tstart = hz_now();
    hz_status st;
    if ((st = read_prefix(&r)) != HZ_OK || (st = read_header(&r)) != HZ_OK ||
        (st = check_has_rows(&r)) != HZ_OK)
        goto out;
    plan_chunks(&r);
    r.spec = calloc(r.ncols, sizeof *r.spec);
    r.ev = calloc(r.ncols, sizeof *r.ev);
    r.sbuf = calloc((size_t)r.nthreads, sizeof *r.sbuf);
    r.pieces = calloc(r.nchunks, sizeof *r.pieces);
    if (!r.spec || !r.ev || !r.sbuf || !r.pieces) {
        st = hz_error_set(err, HZ_ENOMEM, "out of memory");
        goto out;
    }
    if ((st = infer_and_count(&r)) != HZ_OK ||
        (st = apply_schema(&r)) != HZ_OK || (st = open_zone(&r)) != HZ_OK)
        goto out;
    hz__srcbuf_free(&r.pbuf);
    report->t_infer = hz_now() - tstart;
    if ((st = parse(&r, out)) == HZ_OK) {
        drop_unnamed(&r, *out);
        check_utf8(&r, *out);
        if (r.tz != NULL && ((*out)->tz_gaps = hz__tzgaps_of(r.tz)) == NULL) {
            hz_dataset_free(*out);
            *out = NULL;
            st = hz_error_set(err, HZ_ENOMEM, "out of memory");
        }
    }
out:
    reader_free(&r);
    return st;
}

hz_status hz_csv_read_buffer(const char *buf, size_t len, const char *name,
                             const hz_csv_options *opt, hz_dataset **out,
                             hz_csv_report *report, hz_error *err)
{
    hz__src src = {buf, -1, 0, len, 0};
    return hz__csv_read_source(&src, name, opt, out, report, err);
}
