/* CSV ingest: file -> typed columnar hz_dataset.
 *
 * Pipeline:
 *   1. read the file's first bytes (csv_source.h: a file is read in blocks
 *      with pread and never held whole), skip a UTF-8 BOM, reject NUL
 *      bytes (binary data), detect the delimiter, parse the header with
 *      libcsv;
 *   2. infer the schema from the first rows (caller overrides win), while
 *      the other threads make a first read of the body that counts
 *      newlines, quotes, NULs and bare CRs per piece;
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
#include <fcntl.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "data/csv_internal.h"
#include "core/mem.h"

/* ------------------------------------------------------------------ */
/* Reader                                                               */
/* ------------------------------------------------------------------ */

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

static hz_status parse_body(const char *name, const hz__src *body,
                            size_t body_line, size_t nchunks_wanted,
                            const bytecount *pieces, hz__srcbuf *sbuf,
                            char **names, size_t ncols, const colspec *spec,
                            const hz_csv_options *opt, char delim,
                            hz_dataset **out, hz_csv_report *rep,
                            bool *any_quotes, hz_error *err);

/* The input's first bytes, in memory: enough for the header, the
 * delimiter detection and the rows sampled for inference; grown on
 * demand (4x at a time) up to the whole input. */

static const char *prefix_view(const hz__src *src, size_t *plen,
                               hz__srcbuf *pbuf, bool grow)
{
    if (grow)
        *plen = src->len - *plen < 3 * *plen ? src->len : 4 * *plen;
    size_t got;
    const char *p = hz__src_view(src, 0, *plen, pbuf, &got);
    *plen = got;
    return p;
}

static hz_status read_source(const hz__src *in, const char *name,
                             const hz_csv_options *opt_in, hz_dataset **out,
                             hz_csv_report *report, hz_error *err)
{
    hz_csv_options defopt;
    hz_csv_report dummy;
    hz_status st = HZ_OK;
    header_ctx hdr = {0};
    colspec *spec = NULL;
    evidence *ev = NULL;
    hz__srcbuf pbuf = {NULL, 0};
    hz__srcbuf *sbuf = NULL; /* one read buffer per thread */
    bytecount *sub = NULL, *pieces = NULL;
    int nthreads_alloc = 0;
    const hz_csv_options *opt = opt_in;
    if (opt == NULL) {
        hz_csv_options_init(&defopt);
        opt = &defopt;
    }
    if (report == NULL)
        report = &dummy;
    memset(report, 0, sizeof *report);
    report->bytes = in->len;
    *out = NULL;

    double tstart = hz_now();
    hz__src src = *in;
    size_t plen = src.len < PREFIX_BYTES ? src.len : PREFIX_BYTES;
    const char *buf = prefix_view(&src, &plen, &pbuf, false);
    if (buf == NULL)
        goto ioerr;
    if (plen >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
        src = hz__src_sub(&src, 3, src.len - 3);
        buf += 3;
        plen -= 3;
    }
    const size_t len = src.len;
    if (len == 0) {
        st = hz_error_set(err, HZ_EPARSE,
                          "%s: empty file: expected a header row", name);
        goto out;
    }
    /* Binary data in the header region; the body is checked while it is
     * split into chunks. */
    {
        size_t head = plen < 65536 ? plen : 65536;
        const char *nul = memchr(buf, '\0', head);
        if (nul != NULL) {
            st = hz_error_set(err, HZ_EPARSE,
                              "%s:%zu: binary data (NUL "
                              "byte at offset %zu): not a text CSV file",
                              name, line_of_offset(buf, (size_t)(nul - buf)),
                              (size_t)(nul - buf));
            goto out;
        }
    }
    /* Header (the prefix grows until it holds the whole header row). */
    size_t hend;
    while ((hend = row_end_after(buf, plen, 0, 0)) == plen && plen < len)
        if ((buf = prefix_view(&src, &plen, &pbuf, true)) == NULL)
            goto ioerr;
    char delim = opt->delimiter ? opt->delimiter
                                : hz__csv_detect_delimiter(buf, plen);
    report->delimiter = delim;
    {
        struct csv_parser p;
        if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) !=
            0) {
            st = hz_error_set(err, HZ_ENOMEM, "out of memory");
            goto out;
        }
        csv_set_delim(&p, (unsigned char)delim);
        csv_set_space_func(&p, hz__csv_no_space);
        size_t used = csv_parse(&p, buf, hend, hdr_field, hdr_row, &hdr);
        int bad = used != hend || csv_fini(&p, hdr_field, hdr_row, &hdr) != 0;
        csv_free(&p);
        if (hdr.oom) {
            st = hz_error_set(err, HZ_ENOMEM, "out of memory");
            goto out;
        }
        if (bad) {
            st = hz_error_set(err, HZ_EPARSE,
                              "%s:1:%zu: malformed header "
                              "row (unterminated or misplaced quote)",
                              name, hdr.n + 1);
            goto out;
        }
    }
    for (size_t j = 0; j < hdr.n; j++) {
        /* trim a trailing CR kept by a quoted last name */
        size_t l = strlen(hdr.names[j]);
        while (l > 0 &&
               (hdr.names[j][l - 1] == '\r' || hdr.names[j][l - 1] == ' '))
            hdr.names[j][--l] = '\0';
        if (l == 0) {
            st = hz_error_set(err, HZ_EPARSE,
                              "%s:1:%zu: empty column name "
                              "in the header row",
                              name, j + 1);
            goto out;
        }
        for (size_t k = 0; k < j; k++)
            if (strcmp(hdr.names[k], hdr.names[j]) == 0) {
                st = hz_error_set(err, HZ_EPARSE,
                                  "%s:1:%zu: duplicate "
                                  "column name '%s' (also column %zu)",
                                  name, j + 1, hdr.names[j], k + 1);
                goto out;
            }
    }
    if (hdr.n == 0) {
        st = hz_error_set(err, HZ_EPARSE, "%s:1: empty header row", name);
        goto out;
    }
    size_t ncols = hdr.n;
    const size_t blen = len - hend;
    size_t body_line = line_of_offset(buf, hend);
    hz__src body = hz__src_sub(&src, hend, blen);
    /* Only blank lines after the header? */
    {
        bool any = false;
        for (size_t i = hend; i < plen && !any; i++)
            any = !(buf[i] == '\n' || buf[i] == '\r');
        hz__srcbuf tmp = {NULL, 0};
        for (size_t off = plen - hend; off < blen && !any;) {
            size_t n;
            const char *p = hz__src_view(&body, off, hz__src_block(&body),
                                         &tmp, &n);
            if (p == NULL) {
                hz__srcbuf_free(&tmp);
                goto ioerr;
            }
            for (size_t i = 0; i < n && !any; i++)
                any = !(p[i] == '\n' || p[i] == '\r');
            off += n;
        }
        hz__srcbuf_free(&tmp);
        if (!any) {
            st = hz_error_set(err, HZ_EPARSE,
                              "%s: no data rows (the file "
                              "has a header row only)",
                              name);
            goto out;
        }
    }

    /* One chunk per thread: every further chunk repeats the work of its
     * string dictionaries and their merge, which costs more than the
     * better balance gains (the 50 MB benchmark file on 2 threads: 2
     * chunks 0.058 s, 4 chunks 0.061 s, 8 chunks 0.067 s; see
     * bench/bench_ingest.c).  Results do not depend on the count. */
    int nthreads = opt->threads > 0 ? opt->threads : omp_get_max_threads();
    size_t nchunks;
    if (opt->chunk_bytes)
        nchunks = blen / opt->chunk_bytes + 1;
    else {
        nchunks = blen / DEFAULT_CHUNK_BYTES + 1;
        if (nchunks > (size_t)nthreads)
            nchunks = (size_t)nthreads;
    }

    /* Type inference over the first rows runs on one thread while the
     * others make the first read of the body, counting newlines, quotes,
     * NULs and bare CRs of each chunk's piece in smaller parts (so the
     * inferring thread can still take some). */
    spec = calloc(ncols, sizeof *spec);
    ev = calloc(ncols, sizeof *ev);
    sbuf = calloc((size_t)nthreads, sizeof *sbuf);
    nthreads_alloc = sbuf ? nthreads : 0;
    const size_t nsub = nchunks * COUNT_PARTS;
    sub = calloc(nsub, sizeof *sub);
    pieces = calloc(nchunks, sizeof *pieces);
    if (!spec || !ev || !sbuf || !sub || !pieces) {
        st = hz_error_set(err, HZ_ENOMEM, "out of memory");
        goto out;
    }
    {
        bool whole = false;
        int infer_err = 0, rderr = 0;
        const size_t piece = blen / nchunks;
#pragma omp parallel num_threads(nthreads)
        {
#pragma omp single nowait
            {
                while (hz__csv_infer_sample(buf + hend, plen - hend, blen,
                                            ncols, opt, delim, hdr.names, ev,
                                            &whole))
                    if ((buf = prefix_view(&src, &plen, &pbuf, true)) ==
                        NULL) {
                        infer_err = errno ? errno : EIO;
                        break;
                    }
            }
#pragma omp for schedule(dynamic, 1) nowait
            for (size_t i = 0; i < nsub; i++) {
                size_t k = i / COUNT_PARTS, part = i % COUNT_PARTS;
                size_t a = k * piece,
                       b = k + 1 == nchunks ? blen : (k + 1) * piece;
                size_t step = (b - a) / COUNT_PARTS;
                size_t sa = a + part * step;
                size_t sb = part + 1 == COUNT_PARTS ? b : sa + step;
                int e = 0;
                sub[i] = hz__csv_count_range(&body, sa, sb,
                                             &sbuf[omp_get_thread_num()], &e);
                if (e != 0) {
#pragma omp atomic write
                    rderr = e;
                }
            }
        }
        if (infer_err != 0 || rderr != 0) {
            errno = infer_err ? infer_err : rderr;
            goto ioerr;
        }
        for (size_t i = 0; i < nsub; i++) {
            bytecount *p = &pieces[i / COUNT_PARTS];
            p->nl += sub[i].nl;
            p->nq += sub[i].nq;
            p->nz += sub[i].nz;
            p->ncr += sub[i].ncr;
        }
        for (size_t j = 0; j < ncols; j++)
            spec[j] = hz__csv_evidence_resolve(&ev[j], whole);
    }
    hz__srcbuf_free(&pbuf);
    for (size_t k = 0; k < opt->noverrides; k++) {
        const hz_schema_override *o = &opt->overrides[k];
        size_t j;
        for (j = 0; j < ncols; j++)
            if (strcmp(hdr.names[j], o->column) == 0)
                break;
        if (j == ncols) {
            st = hz_error_set(err, HZ_EINVAL,
                              "--schema: no column '%s' in "
                              "%s",
                              o->column, name);
            goto out;
        }
        spec[j].type = o->type;
        spec[j].overridden = true;
        spec[j].fmt = o->datefmt;
        if ((o->type == HZ_TYPE_DATE || o->type == HZ_TYPE_TIMESTAMP) &&
            o->datefmt == HZ_DATEFMT_NONE)
            spec[j].fmt = ev[j].fmt != HZ_DATEFMT_NONE ? ev[j].fmt
                                                       : HZ_DATEFMT_ISO;
    }

    report->t_infer = hz_now() - tstart;
    bool quotes = false;
    st = parse_body(name, &body, body_line, nchunks, pieces, sbuf, hdr.names,
                    ncols, spec, opt, delim, out, report, &quotes, err);
    if (st == HZ_EPARSE && nchunks > 1 && quotes) {
        /* A chunked parse of a file with quotes failed: the serial parse
         * decides which error is the first. */
        hz_error_clear(err);
        report->rows_skipped = 0;
        report->nreported = 0;
        report->chunks_fast = report->chunks_libcsv = 0;
        for (size_t k = 1; k < nchunks; k++) {
            pieces[0].nl += pieces[k].nl;
            pieces[0].nq += pieces[k].nq;
            pieces[0].nz += pieces[k].nz;
            pieces[0].ncr += pieces[k].ncr;
        }
        st = parse_body(name, &body, body_line, 1, pieces, sbuf, hdr.names,
                        ncols, spec, opt, delim, out, report, &quotes, err);
    }
    goto out;
ioerr:
    st = hz_error_set(err, HZ_EIO, "%s: could not read file: %s", name,
                      strerror(errno ? errno : EIO));
out:
    hz__srcbuf_free(&pbuf);
    if (sbuf != NULL)
        for (int t = 0; t < nthreads_alloc; t++)
            hz__srcbuf_free(&sbuf[t]);
    free(sbuf);
    free(sub);
    free(pieces);
    for (size_t j = 0; j < hdr.n; j++)
        free(hdr.names[j]);
    free(hdr.names);
    free(spec);
    free(ev);
    return st;
}

hz_status hz_csv_read_buffer(const char *buf, size_t len, const char *name,
                             const hz_csv_options *opt, hz_dataset **out,
                             hz_csv_report *report, hz_error *err)
{
    hz__src src = {buf, -1, 0, len, 0};
    return read_source(&src, name, opt, out, report, err);
}

static hz_status parse_body(const char *name, const hz__src *body,
                            size_t body_line, size_t nchunks_wanted,
                            const bytecount *pieces, hz__srcbuf *sbuf,
                            char **names, size_t ncols, const colspec *spec,
                            const hz_csv_options *opt, char delim,
                            hz_dataset **out, hz_csv_report *rep,
                            bool *any_quotes, hz_error *err)
{
    hz_status st = HZ_OK;
    size_t nch = nchunks_wanted ? nchunks_wanted : 1;
    const size_t blen = body->len;
    int threads = opt->threads > 0 ? opt->threads : omp_get_max_threads();
    chunk *ch = calloc(nch, sizeof *ch);
    size_t *bound = calloc(nch + 1, sizeof *bound);
    size_t *qcount = calloc(nch, sizeof *qcount);
    size_t *first = calloc(nch + 1, sizeof *first);
    unsigned char **cols = calloc(ncols, sizeof *cols);
    unsigned char *block = NULL;
    bytecount *pc = calloc(2 * (nch + 1), sizeof *pc);
    bytecount *at = pc + (nch + 1);
    hz_dataset *ds = NULL;
    uint32_t **remap = NULL;
    int rderr = 0;
    if (!ch || !bound || !qcount || !first || !cols || !pc) {
        st = hz_error_set(err, HZ_ENOMEM, "out of memory");
        goto out;
    }
    /* pieces[k]: counts of newlines, quotes, NULs and bare CRs of the k-th
     * equal piece (read by the caller); quote parity then gives
     * row-aligned chunk boundaries, and short scans from the piece starts
     * give each chunk's exact counts. */
    double t0 = hz_now();
    size_t piece = blen / nch;
    size_t nuls = 0;
    for (size_t k = 0; k < nch; k++) {
        pc[k + 1] = pieces[k];
        nuls += pieces[k].nz;
    }
    if (nuls > 0) {
        size_t line = hz__csv_nul_line(body, &sbuf[0]);
        st = hz_error_set(err, HZ_EPARSE,
                          "%s:%zu: binary data (NUL byte): "
                          "not a text CSV file",
                          name, body_line - 1 + line);
        goto out;
    }
    for (size_t k = 0; k < nch; k++) { /* prefix sums */
        pc[k + 1].nl += pc[k].nl;
        pc[k + 1].nq += pc[k].nq;
        pc[k + 1].ncr += pc[k].ncr;
    }
    *any_quotes = pc[nch].nq > 0;
    bound[0] = 0;
    bound[nch] = blen;
#pragma omp parallel for num_threads(threads) schedule(static)                \
    reduction(|                                                               \
              : rderr)
    for (size_t k = 1; k < nch; k++) {
        bound[k] = hz__src_row_end(body, k * piece, (int)(pc[k].nq & 1),
                                   &sbuf[omp_get_thread_num()]);
        if (bound[k] == (size_t)-1) {
            rderr = errno ? errno : EIO;
            bound[k] = blen;
        }
    }
    for (size_t k = 1; k <= nch; k++)
        if (bound[k] < bound[k - 1])
            bound[k] = bound[k - 1];
/* Every row ends at a newline, a bare CR (libcsv) or the end: those
     * bound a chunk's rows, so chunks write straight into the final
     * arrays. */
#pragma omp parallel for num_threads(threads) schedule(static)                \
    reduction(|                                                               \
              : rderr)
    for (size_t k = 0; k <= nch; k++) {
        size_t x = bound[k], m = piece ? x / piece : 0;
        if (x == blen) {
            at[k] = pc[nch];
            continue;
        }
        if (m >= nch)
            m = nch - 1;
        bytecount bc = hz__csv_count_range(
            body, m * piece, x, &sbuf[omp_get_thread_num()], &rderr);
        at[k].nl = pc[m].nl + bc.nl;
        at[k].nq = pc[m].nq + bc.nq;
        at[k].ncr = pc[m].ncr + bc.ncr;
    }
    for (size_t k = 0; k < nch && rderr == 0; k++) {
        size_t n = bound[k + 1] - bound[k], got;
        ch[k].lines_total = at[k + 1].nl - at[k].nl;
        ch[k].has_quotes = at[k + 1].nq > at[k].nq ||
                           at[k + 1].ncr > at[k].ncr;
        const char *lastc = n > 0 ? hz__src_view(body, bound[k + 1] - 1, 1,
                                                 &sbuf[0], &got)
                                  : "\n";
        if (lastc == NULL)
            rderr = errno ? errno : EIO;
        else
            qcount[k] = ch[k].lines_total + (at[k + 1].ncr - at[k].ncr) +
                        (*lastc != '\n');
    }
    if (rderr != 0) {
        st = hz_error_set(err, HZ_EIO, "%s: could not read file: %s", name,
                          strerror(rderr));
        goto out;
    }
    for (size_t k = 0; k < nch; k++)
        first[k + 1] = first[k] + qcount[k];
    size_t cap_rows = first[nch];
    /* All value arrays in one block: every array of its own would round
     * up to whole huge pages, and a partly used huge page is still zeroed
     * whole when first touched. */
    size_t block_len = 0;
    for (size_t j = 0; j < ncols; j++) {
        block_len = (block_len + 63) / 64 * 64;
        block_len += (cap_rows ? cap_rows : 1) * type_width(spec[j].type);
    }
    block = hz__alloc_large(block_len);
    if (block == NULL) {
        st = hz_error_set(err, HZ_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t j = 0, off = 0; j < ncols; j++) {
        off = (off + 63) / 64 * 64;
        cols[j] = block + off;
        off += (cap_rows ? cap_rows : 1) * type_width(spec[j].type);
    }
    for (size_t k = 0; k < nch; k++) {
        chunk *c = &ch[k];
        c->opt = opt;
        c->delim = delim;
        c->names = names;
        if (hz__csv_chunk_init(c, ncols, spec, cols, first[k], qcount[k]) !=
            0) {
            st = hz_error_set(err, HZ_ENOMEM, "out of memory");
            goto out;
        }
    }
    double t1 = hz_now();
    rep->t_split = t1 - t0;
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
    for (size_t k = 0; k < nch; k++)
        if (bound[k + 1] > bound[k])
            hz__csv_chunk_run(&ch[k], body, bound[k], bound[k + 1],
                              &sbuf[omp_get_thread_num()]);
    double t2 = hz_now();
    rep->t_parse = t2 - t1;

    /* Line numbers, errors, reports (in file order). */
    {
        size_t line = body_line;
        for (size_t k = 0; k < nch; k++) {
            chunk *c = &ch[k];
            if (c->used_libcsv)
                rep->chunks_libcsv++;
            else if (bound[k + 1] > bound[k])
                rep->chunks_fast++;
            if (c->status == HZ_EIO) {
                st = hz_error_set(err, HZ_EIO, "%s: could not read file: %s",
                                  name, strerror(c->io_errno));
                goto out;
            }
            if (c->status == HZ_ENOMEM || c->status == HZ_EINTERNAL) {
                st = hz_error_set(err, c->status, "%s: %s while parsing", name,
                                  hz_strerror(c->status));
                goto out;
            }
            if (c->status == HZ_EPARSE) {
                st = hz_error_set(err, HZ_EPARSE, "%s:%zu:%zu: %s", name,
                                  line + c->fatal.rel_line, c->fatal.field,
                                  c->fatal.msg);
                goto out;
            }
            for (size_t r = 0; r < c->nrep; r++) {
                if (rep->nreported < HZ_CSV_MAX_REPORTED)
                    snprintf(rep->reported[rep->nreported++], HZ_ERROR_MAX,
                             "%s:%zu:%zu: %s", name, line + c->rep[r].rel_line,
                             c->rep[r].field, c->rep[r].msg);
            }
            rep->rows_skipped += c->skipped;
            line += c->lines_total;
        }
    }
    if (opt->on_error == HZ_ON_ERROR_SKIP && nch > 1 && *any_quotes) {
        for (size_t k = 0; k < nch; k++)
            if (ch[k].structural) {
                st = HZ_EPARSE; /* caller re-parses serially */
                hz_error_set(err, st, "%s: structural error", name);
                goto out;
            }
    }

    size_t nrows = 0;
    for (size_t k = 0; k < nch; k++)
        nrows += ch[k].nrows;
    if (nrows == 0) {
        st = hz_error_set(err, HZ_EPARSE,
                          "%s: no data rows left (%zu rows "
                          "skipped as malformed)",
                          name, rep->rows_skipped);
        goto out;
    }
    ds = hz_dataset_new(nrows);
    remap = calloc(nch * ncols, sizeof *remap);
    if (ds == NULL || remap == NULL) {
        st = hz_error_set(err, HZ_ENOMEM, "out of memory");
        goto out;
    }
    ds->source = strdup(name);
    ds->cols = calloc(ncols, sizeof *ds->cols);
    if (ds->cols == NULL || ds->source == NULL) {
        st = hz_error_set(err, HZ_ENOMEM, "out of memory");
        goto out;
    }
    ds->ncols = ncols;
    for (size_t j = 0; j < ncols; j++) {
        hz_column *col = &ds->cols[j];
        col->name = strdup(names[j]);
        col->type = spec[j].type;
        col->datefmt = spec[j].fmt;
        bool any_null = false;
        for (size_t k = 0; k < nch; k++) {
            if (ch[k].spec[j].type == HZ_TYPE_FLOAT64 &&
                spec[j].type == HZ_TYPE_INT64)
                col->type = HZ_TYPE_FLOAT64;
            col->nulls += ch[k].nulls[j];
            any_null |= ch[k].valid[j] != NULL;
        }
        if (any_null)
            col->valid = hz__alloc_large(nrows);
        if (col->name == NULL || (any_null && col->valid == NULL)) {
            st = hz_error_set(err, HZ_ENOMEM, "out of memory");
            goto out;
        }
    }
    /* Dictionaries, merged in chunk order.  The first chunk's dictionary
     * becomes the final one (its codes stay as they are); the later
     * chunks' strings are first looked up in it, all in parallel, and only
     * those it lacks are then appended, chunk by chunk. */
    int oom = 0;
    for (size_t j = 0; j < ncols; j++) {
        if (spec[j].type != HZ_TYPE_STRING)
            continue;
        ds->cols[j].dict = ch[0].dicts[j];
        ch[0].dicts[j] = NULL;
        for (size_t k = 1; k < nch; k++) {
            size_t n = hz_dict_size(ch[k].dicts[j]);
            remap[k * ncols + j] = malloc((n ? n : 1) * sizeof(uint32_t));
            if (remap[k * ncols + j] == NULL)
                oom = 1;
        }
    }
    if (oom) {
        st = hz_error_set(err, HZ_ENOMEM, "out of memory");
        goto out;
    }
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1) collapse(2)
    for (size_t k = 1; k < nch; k++)
        for (size_t j = 0; j < ncols; j++)
            if (spec[j].type == HZ_TYPE_STRING)
                hz__dict_find_all(ds->cols[j].dict, ch[k].dicts[j],
                                  remap[k * ncols + j]);
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)            \
    reduction(|                                                               \
              : oom)
    for (size_t j = 0; j < ncols; j++)
        for (size_t k = 1; k < nch && !oom; k++)
            if (spec[j].type == HZ_TYPE_STRING &&
                hz__dict_add_missing(ds->cols[j].dict, ch[k].dicts[j],
                                     remap[k * ncols + j]) != 0)
                oom = 1;
    if (oom) {
        st = hz_error_set(err, HZ_ENOMEM, "out of memory");
        goto out;
    }
/* In place: global string codes, int64 -> float64 where another chunk
     * promoted the column, nulls of string codes set to 0. */
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1) collapse(2)
    for (size_t k = 0; k < nch; k++) {
        for (size_t j = 0; j < ncols; j++) {
            chunk *c = &ch[k];
            hz_column *col = &ds->cols[j];
            size_t n = c->nrows;
            const uint8_t *vl = c->valid[j];
            if (col->type == HZ_TYPE_STRING) {
                uint32_t *v = (uint32_t *)c->vals[j];
                const uint32_t *m = remap[k * ncols + j];
                if (m == NULL) /* the first chunk: codes are final, and
                                   a null's is already 0 */
                    continue;
                if (vl == NULL)
                    for (size_t r = 0; r < n; r++)
                        v[r] = m[v[r]];
                else
                    for (size_t r = 0; r < n; r++)
                        v[r] = vl[r] ? m[v[r]] : 0;
            } else if (col->type == HZ_TYPE_FLOAT64 &&
                       c->spec[j].type == HZ_TYPE_INT64) {
                const int64_t *src = (const int64_t *)c->vals[j];
                double *dst = (double *)c->vals[j];
                for (size_t r = 0; r < n; r++) {
                    double d = (vl && !vl[r]) ? NAN : (double)src[r];
                    dst[r] = d;
                }
            }
        }
    }
    /* Close the gaps left by blank lines, skipped rows and quoted
     * newlines, then hand the arrays to the dataset. */
    {
        size_t dst = 0;
        for (size_t k = 0; k < nch; k++) {
            chunk *c = &ch[k];
            for (size_t j = 0; j < ncols; j++) {
                size_t w = type_width(ds->cols[j].type);
                if (dst != first[k] && c->nrows > 0)
                    memmove(cols[j] + dst * w, cols[j] + first[k] * w,
                            c->nrows * w);
                if (ds->cols[j].valid != NULL) {
                    if (c->valid[j] != NULL)
                        memcpy(ds->cols[j].valid + dst, c->valid[j], c->nrows);
                    else
                        memset(ds->cols[j].valid + dst, 1, c->nrows);
                }
            }
            dst += c->nrows;
        }
        if (nrows + nrows / 8 < cap_rows) {
            /* Many lines were not rows (skipped, blank, quoted newlines):
             * exact-size arrays of their own. */
            for (size_t j = 0; j < ncols; j++) {
                size_t len = nrows * type_width(ds->cols[j].type);
                void *p = hz__alloc_large(len);
                if (p == NULL) {
                    for (size_t i = 0; i < j; i++) {
                        free(ds->cols[i].v.raw);
                        ds->cols[i].v.raw = NULL;
                    }
                    st = hz_error_set(err, HZ_ENOMEM, "out of memory");
                    goto out;
                }
                memcpy(p, cols[j], len);
                ds->cols[j].v.raw = p;
            }
        } else {
            for (size_t j = 0; j < ncols; j++)
                ds->cols[j].v.raw = cols[j];
            ds->block = block;
            ds->block_len = block_len;
            block = NULL;
        }
    }
    rep->rows_read = nrows;
    rep->t_merge = hz_now() - t2;
    *out = ds;
    ds = NULL;
out:
    if (remap != NULL) {
        for (size_t i = 0; i < nch * ncols; i++)
            free(remap[i]);
        free(remap);
    }
    if (ch != NULL) {
        for (size_t k = 0; k < nch; k++)
            hz__csv_chunk_free(&ch[k]);
        free(ch);
    }
    free(block);
    free(cols);
    free(first);
    free(bound);
    free(qcount);
    free(pc);
    hz_dataset_free(ds);
    return st;
}

hz_status hz_csv_read(const char *path, const hz_csv_options *opt,
                      hz_dataset **out, hz_csv_report *report, hz_error *err)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return hz_error_set(err, HZ_EIO, "%s: could not open file: %s", path,
                            strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        int e = errno;
        close(fd);
        return hz_error_set(err, HZ_EIO, "%s: could not stat file: %s", path,
                            strerror(e));
    }
    if (S_ISDIR(sb.st_mode)) {
        close(fd);
        return hz_error_set(err, HZ_EIO, "%s: is a directory, not a CSV file",
                            path);
    }
    hz_status st;
    if (S_ISREG(sb.st_mode) && sb.st_size > 0) {
        /* Read in blocks as it is parsed: the text is never in memory
         * whole (see csv_source.h). */
        hz__src src = {NULL, fd, 0, (size_t)sb.st_size,
                       opt ? opt->block_bytes : 0};
        st = read_source(&src, path, opt, out, report, err);
        close(fd);
        return st;
    }
    /* Pipes, empty files and other non-regular inputs: read it all. */
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    if (buf == NULL) {
        close(fd);
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    }
    for (;;) {
        if (len == cap) {
            char *b = realloc(buf, cap * 2);
            if (b == NULL) {
                free(buf);
                close(fd);
                return hz_error_set(err, HZ_ENOMEM, "out of memory");
            }
            buf = b;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + len, cap - len);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            free(buf);
            close(fd);
            return hz_error_set(err, HZ_EIO, "%s: could not read file: %s",
                                path, strerror(e));
        }
        if (r == 0)
            break;
        len += (size_t)r;
    }
    close(fd);
    st = hz_csv_read_buffer(buf, len, path, opt, out, report, err);
    free(buf);
    return st;
}
