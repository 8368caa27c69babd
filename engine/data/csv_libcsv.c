/* The libcsv path: chunks with quotes or bare CRs, parsed by libcsv in
 * strict mode (RFC 4180).  See csv_internal.h. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/csv_internal.h"
#include "data/csv_value.h"

static void cb_field(void *data, size_t len, void *ctx)
{
    chunk *c = ctx;
    hz__csv_on_field(c, data ? data : "", data ? len : 0, data == NULL);
}

static void cb_row(int term, void *ctx)
{
    (void)term;
    hz__csv_on_row_end((chunk *)ctx);
}

int hz__csv_no_space(unsigned char ch)
{
    (void)ch;
    return 0;
}

/* libcsv path, fed one physical line at a time so that line numbers are
 * known even for rows with quoted newlines.  A chunk read in blocks is
 * fed block by block: libcsv keeps its state across them. */
void hz__csv_libcsv_begin(chunk *c)
{
    c->used_libcsv = true;
    if (csv_init(&c->lp, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL |
                             CSV_EMPTY_IS_NULL) != 0) {
        c->status = HZ_ENOMEM;
        c->stop = true;
        return;
    }
    c->lp_open = true;
    csv_set_delim(&c->lp, (unsigned char)c->delim);
    csv_set_space_func(&c->lp, hz__csv_no_space);
}

void hz__csv_libcsv_feed(chunk *c)
{
    struct csv_parser *p = &c->lp;
    const char *ptr = c->begin, *end = c->end;
    while (ptr < end && !c->stop) {
        const char *eol = memchr(ptr, '\n', (size_t)(end - ptr));
        const char *next = eol ? eol + 1 : end;
        if (p->pstate == 0)
            c->row_line = c->line;
        size_t len = (size_t)(next - ptr);
        if (csv_parse(p, ptr, len, cb_field, cb_row, c) != len) {
            if (csv_error(p) == CSV_ENOMEM) {
                c->status = HZ_ENOMEM;
                c->stop = true;
            } else {
                size_t f = c->field + 1;
                c->row_bad = false;
                c->field_fatal = true;
                hz__csv_report(c, f, true,
                               "malformed quoting (a quote inside "
                               "an unquoted field, or text after a closing "
                               "quote)");
                c->stop = true; /* libcsv cannot resume mid-row */
            }
            break;
        }
        if (eol)
            c->line++;
        ptr = next;
    }
}

/* After the last block (or a stop): the end of input, then free. */
void hz__csv_libcsv_end(chunk *c)
{
    if (!c->lp_open)
        return;
    if (!c->stop && csv_fini(&c->lp, cb_field, cb_row, c) != 0) {
        size_t f = c->field + 1;
        c->row_bad = false;
        c->field_fatal = true;
        hz__csv_report(c, f, true,
                       "unterminated quoted field (the quote "
                       "opened here is never closed)");
        c->stop = true;
    }
    csv_free(&c->lp);
    c->lp_open = false;
}