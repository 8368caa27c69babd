/* The CSV body: split into row-aligned chunks, parsed in parallel
 * straight into the final column arrays, then assembled into a dataset
 * (dictionaries merged in chunk order, codes remapped, gaps closed).
 * See csv.c for the pipeline and csv_internal.h for the parts. */
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "horizon/threads.h"
#include "data/csv_internal.h"
#include "core/mem.h"

/* One parse of the body. */
typedef struct body {
    const hz__csv_body_args *a;
    hz_error *err;
    size_t nch;
    int threads;
    chunk *ch;
    size_t *bound, *qcount, *first; /* chunk bytes, row capacities, rows */
    bytecount *pc, *at;             /* prefix sums at pieces / bounds */
    unsigned char **cols;           /* the final column arrays */
    unsigned char *block;           /* ... in one allocation */
    size_t block_len, cap_rows;
    uint32_t **remap; /* [nch * ncols] chunk codes -> final codes */
} body;

static hz_status oom(body *b)
{
    return hz_error_set(b->err, HZ_ENOMEM, "out of memory");
}

static hz_status read_error(body *b, int e)
{
    return hz_error_set(b->err, HZ_EIO, "%s: could not read file: %s",
                        b->a->name, strerror(e ? e : EIO));
}

/* pieces[k]: counts of newlines, quotes, NULs and bare CRs of the k-th
 * equal piece (read by the caller); quote parity then gives row-aligned
 * chunk boundaries, and short scans from the piece starts give each
 * chunk's exact counts, which bound its rows. */
static hz_status split_chunks(body *b, bool *any_quotes)
{
    const hz__csv_body_args *a = b->a;
    const size_t blen = a->body->len, nch = b->nch, piece = blen / nch;
    hz__srcbuf *sbuf = a->sbuf;
    size_t nuls = 0;
    int rderr = 0;
    for (size_t k = 0; k < nch; k++) {
        b->pc[k + 1] = a->pieces[k];
        nuls += a->pieces[k].nz;
    }
    if (nuls > 0) {
        size_t line = hz__csv_nul_line(a->body, &sbuf[0]);
        return hz_error_set(b->err, HZ_EPARSE,
                            "%s:%zu: binary data (NUL byte): not a text CSV "
                            "file",
                            a->name, a->body_line - 1 + line);
    }
    for (size_t k = 0; k < nch; k++) { /* prefix sums */
        b->pc[k + 1].nl += b->pc[k].nl;
        b->pc[k + 1].nq += b->pc[k].nq;
        b->pc[k + 1].ncr += b->pc[k].ncr;
    }
    *any_quotes = b->pc[nch].nq > 0;
    b->bound[0] = 0;
    b->bound[nch] = blen;
#pragma omp parallel for num_threads(b->threads) schedule(static)             \
    reduction(|                                                               \
              : rderr)
    for (size_t k = 1; k < nch; k++) {
        b->bound[k] = hz__src_row_end(a->body, k * piece,
                                      (int)(b->pc[k].nq & 1),
                                      &sbuf[omp_get_thread_num()]);
        if (b->bound[k] == (size_t)-1) {
            rderr = errno ? errno : EIO;
            b->bound[k] = blen;
        }
    }
    for (size_t k = 1; k <= nch; k++)
        if (b->bound[k] < b->bound[k - 1])
            b->bound[k] = b->bound[k - 1];
            /* Every row ends at a newline, a bare CR (libcsv) or the end: those
     * bound a chunk's rows, so chunks write straight into the final
     * arrays. */
#pragma omp parallel for num_threads(b->threads) schedule(static)             \
    reduction(|                                                               \
              : rderr)
    for (size_t k = 0; k <= nch; k++) {
        size_t x = b->bound[k], m = piece ? x / piece : 0;
        if (x == blen) {
            b->at[k] = b->pc[nch];
            continue;
        }
        if (m >= nch)
            m = nch - 1;
        bytecount bc = hz__csv_count_range(
            a->body, m * piece, x, &sbuf[omp_get_thread_num()], &rderr);
        b->at[k].nl = b->pc[m].nl + bc.nl;
        b->at[k].nq = b->pc[m].nq + bc.nq;
        b->at[k].ncr = b->pc[m].ncr + bc.ncr;
    }
    for (size_t k = 0; k < nch && rderr == 0; k++) {
        size_t n = b->bound[k + 1] - b->bound[k], got;
        chunk *c = &b->ch[k];
        c->lines_total = b->at[k + 1].nl - b->at[k].nl;
        c->has_quotes = b->at[k + 1].nq > b->at[k].nq ||
                        b->at[k + 1].ncr > b->at[k].ncr;
        const char *lastc = n > 0 ? hz__src_view(a->body, b->bound[k + 1] - 1,
                                                 1, &sbuf[0], &got)
                                  : "\n";
        if (lastc == NULL)
            rderr = errno ? errno : EIO;
        else
            b->qcount[k] = c->lines_total + (b->at[k + 1].ncr - b->at[k].ncr) +
                           (*lastc != '\n');
    }
    if (rderr != 0)
        return read_error(b, rderr);
    for (size_t k = 0; k < nch; k++)
        b->first[k + 1] = b->first[k] + b->qcount[k];
    b->cap_rows = b->first[nch];
    return HZ_OK;
}

/* All value arrays in one block: every array of its own would round up
 * to whole huge pages, and a partly used huge page is still zeroed whole
 * when first touched.  Then each chunk is set up on its rows. */
static hz_status alloc_columns(body *b)
{
    const hz__csv_body_args *a = b->a;
    size_t rows = b->cap_rows ? b->cap_rows : 1;
    b->block_len = 0;
    for (size_t j = 0; j < a->ncols; j++) {
        b->block_len = (b->block_len + 63) / 64 * 64;
        b->block_len += rows * type_width(a->spec[j].type);
    }
    if ((b->block = hz__alloc_large(b->block_len)) == NULL)
        return oom(b);
    for (size_t j = 0, off = 0; j < a->ncols; j++) {
        off = (off + 63) / 64 * 64;
        b->cols[j] = b->block + off;
        off += rows * type_width(a->spec[j].type);
    }
    for (size_t k = 0; k < b->nch; k++) {
        chunk *c = &b->ch[k];
        c->opt = a->opt;
        c->tz = a->tz;
        c->delim = a->delim;
        c->names = a->names;
        if (hz__csv_chunk_init(c, a->ncols, a->spec, b->cols, b->first[k],
                               b->qcount[k]) != 0)
            return oom(b);
    }
    return HZ_OK;
}

/* Line numbers, errors and skip reports of the chunks, in file order. */
static hz_status collect_reports(body *b, bool any_quotes)
{
    const hz__csv_body_args *a = b->a;
    hz_csv_report *rep = a->rep;
    size_t line = a->body_line;
    for (size_t k = 0; k < b->nch; k++) {
        chunk *c = &b->ch[k];
        if (c->used_libcsv)
            rep->chunks_libcsv++;
        else if (b->bound[k + 1] > b->bound[k])
            rep->chunks_fast++;
        if (c->status == HZ_EIO)
            return read_error(b, c->io_errno);
        if (c->status == HZ_ENOMEM || c->status == HZ_EINTERNAL)
            return hz_error_set(b->err, c->status, "%s: %s while parsing",
                                a->name, hz_strerror(c->status));
        if (c->status == HZ_EPARSE)
            return hz_error_set(b->err, HZ_EPARSE, "%s:%zu:%zu: %s", a->name,
                                line + c->fatal.rel_line, c->fatal.field,
                                c->fatal.msg);
        for (size_t r = 0; r < c->nrep; r++)
            if (rep->nreported < HZ_CSV_MAX_REPORTED)
                snprintf(rep->reported[rep->nreported++], HZ_ERROR_MAX,
                         "%s:%zu:%zu: %s", a->name, line + c->rep[r].rel_line,
                         c->rep[r].field, c->rep[r].msg);
        rep->rows_skipped += c->skipped;
        line += c->lines_total;
    }
    if (a->opt->on_error == HZ_ON_ERROR_SKIP && b->nch > 1 && any_quotes)
        for (size_t k = 0; k < b->nch; k++)
            if (b->ch[k].structural) /* the caller re-parses serially */
                return hz_error_set(b->err, HZ_EPARSE, "%s: structural error",
                                    a->name);
    return HZ_OK;
}

/* A number column whose first rows held no number with a point
 * (colspec.points_open: in a file separated by ';', tab or '|', without
 * --decimal) is judged on the whole file as the sample judges its rows
 * (csv.c, check_points): a point is a decimal one when some number has
 * other than three digits after it (12.5); when every one has three
 * (1.234, beside whole numbers), thousands or decimals, which the text
 * does not tell, the column is refused at the first (until 2026-12-08
 * such a number after the first rows was read as 1.234). */
static hz_status check_later_points(body *b)
{
    const hz__csv_body_args *a = b->a;
    for (size_t j = 0; j < a->ncols; j++) {
        if (!a->spec[j].points_open)
            continue;
        size_t grouped = 0, point = 0, line = 0, base = a->body_line;
        const char *text = "";
        for (size_t k = 0; k < b->nch; k++) {
            const ptcount *p = &b->ch[k].pts[j];
            if (p->grouped > 0 && grouped == 0) {
                line = base + p->line;
                text = p->text;
            }
            grouped += p->grouped;
            point += p->point;
            base += b->ch[k].lines_total;
        }
        if (grouped == 0 || point > 0)
            continue;
        char dn[8];
        hz__csv_delim_name(a->delim, dn);
        return hz_error_set(
            b->err, HZ_EPARSE,
            "%s:%zu:%zu: column '%s': numbers such as '%s' in a file "
            "separated by %s could be read with a decimal point or as "
            "thousands with a point between them, as exports with a "
            "decimal comma write them (the first rows hold whole numbers, "
            "and every value with a point has three digits after it): give "
            "--decimal , ('1.234' is 1234) or --decimal . ('1.234' is "
            "1.234)",
            a->name, line, j + 1, a->names[j], text, dn);
    }
    return HZ_OK;
}

/* The dataset's columns: names, types (int64 promoted to float64 when
 * any chunk promoted it), null counts and validity arrays. */
static hz_status make_columns(body *b, hz_dataset *ds, size_t nrows)
{
    const hz__csv_body_args *a = b->a;
    ds->source = strdup(a->name);
    ds->cols = calloc(a->ncols, sizeof *ds->cols);
    if (ds->cols == NULL || ds->source == NULL)
        return oom(b);
    ds->ncols = a->ncols;
    for (size_t j = 0; j < a->ncols; j++) {
        hz_column *col = &ds->cols[j];
        col->name = strdup(a->names[j]);
        col->type = a->spec[j].type;
        col->datefmt = a->spec[j].fmt;
        col->zoned = a->spec[j].zoned && col->type == HZ_TYPE_TIMESTAMP;
        bool any_null = false;
        size_t early = 0, late = 0, unz = 0;
        int64_t first = 0, unz_first = 0;
        size_t base = a->body_line, unz_line = 0;
        for (size_t k = 0; k < b->nch; k++) {
            const chunk *ck = &b->ch[k];
            if (ck->spec[j].type == HZ_TYPE_FLOAT64 &&
                a->spec[j].type == HZ_TYPE_INT64)
                col->type = HZ_TYPE_FLOAT64;
            col->nulls += ck->nulls[j];
            if (ck->folds[j] + ck->fold_late[j] > 0 && unz + late == 0)
                first = ck->fold_first[j];
            if (ck->folds[j] > 0 && unz == 0) {
                unz_first = ck->unz_first[j];
                unz_line = base + ck->unz_line[j];
            }
            base += ck->lines_total;
            unz += ck->folds[j];
            late += ck->fold_late[j];
            early += ck->fold_early[j];
            any_null |= ck->valid[j] != NULL;
        }
        /* times on a wall time shown twice: without an offset, which
         * instant is unknown; with one, only the later beside the earlier
         * makes two readings for one hour (until 2026-12-07 the later
         * alone counted, and hourly data whose first 02:00 of the autumn
         * was missing was refused) */
        col->folds = unz + (early > 0 ? late : 0);
        col->fold_first = early > 0 ? first : unz_first;
        col->fold_unz = unz;
        col->fold_unz_first = unz_first;
        col->fold_unz_line = unz_line;
        col->fold_early = early;
        col->fold_late = late;
        if (any_null)
            col->valid = hz__alloc_large(nrows);
        if (col->name == NULL || (any_null && col->valid == NULL))
            return oom(b);
    }
    return HZ_OK;
}

/* Dictionaries, merged in chunk order.  The first chunk's dictionary
 * becomes the final one (its codes stay as they are); the later chunks'
 * strings are first looked up in it, all in parallel, and only those it
 * lacks are then appended, chunk by chunk. */
static hz_status merge_dicts(body *b, hz_dataset *ds)
{
    const size_t ncols = b->a->ncols, nch = b->nch;
    const colspec *spec = b->a->spec;
    int fail = 0;
    for (size_t j = 0; j < ncols; j++) {
        if (spec[j].type != HZ_TYPE_STRING)
            continue;
        ds->cols[j].dict = b->ch[0].dicts[j];
        b->ch[0].dicts[j] = NULL;
        for (size_t k = 1; k < nch; k++) {
            size_t n = hz_dict_size(b->ch[k].dicts[j]);
            b->remap[k * ncols + j] = malloc((n ? n : 1) * sizeof(uint32_t));
            fail |= b->remap[k * ncols + j] == NULL;
        }
    }
    if (fail)
        return oom(b);
#pragma omp parallel for num_threads(b->threads) schedule(dynamic, 1)         \
    collapse(2)
    for (size_t k = 1; k < nch; k++)
        for (size_t j = 0; j < ncols; j++)
            if (spec[j].type == HZ_TYPE_STRING)
                hz__dict_find_all(ds->cols[j].dict, b->ch[k].dicts[j],
                                  b->remap[k * ncols + j]);
#pragma omp parallel for num_threads(b->threads) schedule(dynamic, 1)         \
    reduction(|                                                               \
              : fail)
    for (size_t j = 0; j < ncols; j++)
        for (size_t k = 1; k < nch && !fail; k++)
            if (spec[j].type == HZ_TYPE_STRING &&
                hz__dict_add_missing(ds->cols[j].dict, b->ch[k].dicts[j],
                                     b->remap[k * ncols + j]) != 0)
                fail = 1;
    return fail ? oom(b) : HZ_OK;
}

/* In place: global string codes, int64 -> float64 where another chunk
 * promoted the column, nulls of string codes set to 0. */
static void remap_values(body *b, hz_dataset *ds)
{
    const size_t ncols = b->a->ncols, nch = b->nch;
#pragma omp parallel for num_threads(b->threads) schedule(dynamic, 1)         \
    collapse(2)
    for (size_t k = 0; k < nch; k++) {
        for (size_t j = 0; j < ncols; j++) {
            chunk *c = &b->ch[k];
            hz_column *col = &ds->cols[j];
            size_t n = c->nrows;
            const uint8_t *vl = c->valid[j];
            if (col->type == HZ_TYPE_STRING) {
                uint32_t *v = (uint32_t *)c->vals[j];
                const uint32_t *m = b->remap[k * ncols + j];
                if (m == NULL) /* the first chunk: codes are final, and a
                                   null's is already 0 */
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
}

/* Close the gaps left by blank lines, skipped rows and quoted newlines,
 * then hand the arrays to the dataset. */
static hz_status compact(body *b, hz_dataset *ds, size_t nrows)
{
    const size_t ncols = b->a->ncols;
    size_t dst = 0;
    for (size_t k = 0; k < b->nch; k++) {
        chunk *c = &b->ch[k];
        for (size_t j = 0; j < ncols; j++) {
            size_t w = type_width(ds->cols[j].type);
            if (dst != b->first[k] && c->nrows > 0)
                memmove(b->cols[j] + dst * w, b->cols[j] + b->first[k] * w,
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
    if (nrows + nrows / 8 >= b->cap_rows) {
        for (size_t j = 0; j < ncols; j++)
            ds->cols[j].v.raw = b->cols[j];
        ds->block = b->block;
        ds->block_len = b->block_len;
        b->block = NULL;
        return HZ_OK;
    }
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
            return oom(b);
        }
        memcpy(p, b->cols[j], len);
        ds->cols[j].v.raw = p;
    }
    return HZ_OK;
}

/* The rows' lines in the file: the chunks' runs in file order, each
 * chunk's lines counted from the line its first byte is on. */
static hz_status line_runs(body *b, hz_dataset *ds)
{
    size_t total = 0;
    for (size_t k = 0; k < b->nch; k++)
        total += b->ch[k].nrun;
    ds->line_row = malloc((total ? total : 1) * sizeof *ds->line_row);
    ds->line_at = malloc((total ? total : 1) * sizeof *ds->line_at);
    if (ds->line_row == NULL || ds->line_at == NULL)
        return oom(b);
    size_t n = 0, row = 0, line = b->a->body_line;
    for (size_t k = 0; k < b->nch; k++) {
        const chunk *c = &b->ch[k];
        for (size_t r = 0; r < c->nrun; r++) {
            size_t at = row + c->run_row[r], ln = line + c->run_line[r];
            if (n > 0 && ln - at == ds->line_at[n - 1] - ds->line_row[n - 1])
                continue; /* the previous run goes on */
            ds->line_row[n] = at;
            ds->line_at[n++] = ln;
        }
        row += c->nrows;
        line += c->lines_total;
    }
    ds->nline_runs = n;
    return HZ_OK;
}

static hz_status assemble(body *b, hz_dataset **out)
{
    size_t nrows = 0;
    for (size_t k = 0; k < b->nch; k++)
        nrows += b->ch[k].nrows;
    if (nrows == 0)
        return hz_error_set(b->err, HZ_EPARSE,
                            "%s: no data rows left (%zu rows skipped as "
                            "malformed)",
                            b->a->name, b->a->rep->rows_skipped);
    hz_dataset *ds = hz_dataset_new(nrows);
    b->remap = calloc(b->nch * b->a->ncols, sizeof *b->remap);
    hz_status st = ds == NULL || b->remap == NULL ? oom(b) : HZ_OK;
    if (st == HZ_OK && (st = make_columns(b, ds, nrows)) == HZ_OK &&
        (st = merge_dicts(b, ds)) == HZ_OK) {
        remap_values(b, ds);
        if ((st = compact(b, ds, nrows)) == HZ_OK)
            st = line_runs(b, ds);
    }
    if (st != HZ_OK) {
        hz_dataset_free(ds);
        return st;
    }
    b->a->rep->rows_read = nrows;
    *out = ds;
    return HZ_OK;
}

static void body_free(body *b)
{
    if (b->remap != NULL) {
        for (size_t i = 0; i < b->nch * b->a->ncols; i++)
            free(b->remap[i]);
        free(b->remap);
    }
    if (b->ch != NULL) {
        for (size_t k = 0; k < b->nch; k++)
            hz__csv_chunk_free(&b->ch[k]);
        free(b->ch);
    }
    free(b->block);
    free(b->cols);
    free(b->first);
    free(b->bound);
    free(b->qcount);
    free(b->pc);
}

hz_status hz__csv_parse_body(const hz__csv_body_args *a, size_t nchunks,
                             hz_dataset **out, bool *any_quotes, hz_error *err)
{
    body b;
    memset(&b, 0, sizeof b);
    b.a = a;
    b.err = err;
    b.nch = nchunks ? nchunks : 1;
    b.threads = a->opt->threads > 0 ? a->opt->threads : hz_default_threads();
    b.ch = calloc(b.nch, sizeof *b.ch);
    b.bound = calloc(b.nch + 1, sizeof *b.bound);
    b.qcount = calloc(b.nch, sizeof *b.qcount);
    b.first = calloc(b.nch + 1, sizeof *b.first);
    b.cols = calloc(a->ncols, sizeof *b.cols);
    b.pc = calloc(2 * (b.nch + 1), sizeof *b.pc);
    hz_status st = HZ_OK;
    if (!b.ch || !b.bound || !b.qcount || !b.first || !b.cols || !b.pc) {
        st = oom(&b);
        goto out;
    }
    b.at = b.pc + (b.nch + 1);
    double t0 = hz_now();
    if ((st = split_chunks(&b, any_quotes)) != HZ_OK ||
        (st = alloc_columns(&b)) != HZ_OK)
        goto out;
    double t1 = hz_now();
    a->rep->t_split = t1 - t0;
#pragma omp parallel for num_threads(b.threads) schedule(dynamic, 1)
    for (size_t k = 0; k < b.nch; k++)
        if (b.bound[k + 1] > b.bound[k])
            hz__csv_chunk_run(&b.ch[k], a->body, b.bound[k], b.bound[k + 1],
                              &a->sbuf[omp_get_thread_num()]);
    double t2 = hz_now();
    a->rep->t_parse = t2 - t1;
    bool again = false;
    for (size_t k = 0; k < b.nch; k++)
        for (size_t j = 0; j < a->ncols; j++)
            if (b.ch[k].spec != NULL && b.ch[k].spec[j].loose_fails) {
                a->retext[j] = true;
                again = true;
            }
    if (again)
        goto out; /* the caller reads those columns as text */
    if ((st = collect_reports(&b, *any_quotes)) == HZ_OK &&
        (st = check_later_points(&b)) == HZ_OK &&
        (st = assemble(&b, out)) == HZ_OK)
        a->rep->t_merge = hz_now() - t2;
out:
    body_free(&b);
    return st;
}
