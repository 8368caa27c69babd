/* CSV ingest that never misreads: day-first dates decided by evidence,
 * undecidable ones refused with their place, periods, the date window,
 * number overflow, the caller's date and value columns read strictly,
 * invalid UTF-8 counted, gzip and spilled inputs, and wide files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "horizon/csv.h"
#include "hz_test.h"

static hz_dataset *rd(const char *text, const hz_csv_options *o,
                      hz_csv_report *rep, hz_error *err)
{
    hz_dataset *ds = NULL;
    hz_error_clear(err);
    hz_csv_read_buffer(text, strlen(text), "t.csv", o, &ds, rep, err);
    return ds;
}

HZ_TEST(day_first_dates_are_decided_by_a_day_above_12)
{
    hz_error err;
    hz_dataset *ds = rd("d,v\n05/01/2024,1\n31/01/2024,2\n", NULL, NULL, &err);
    HZ_CHECK(ds != NULL);
    HZ_CHECK(ds->cols[0].type == HZ_TYPE_DATE &&
             ds->cols[0].datefmt == HZ_DATEFMT_DMY);
    HZ_CHECK(ds->cols[0].v.date[0] == hz_days_from_civil(2024, 1, 5));
    hz_dataset_free(ds);
    ds = rd("d,v\n05/01/2024,1\n01/31/2024,2\n", NULL, NULL, &err);
    HZ_CHECK(ds != NULL && ds->cols[0].datefmt == HZ_DATEFMT_MDY_SLASH);
    HZ_CHECK(ds->cols[0].v.date[0] == hz_days_from_civil(2024, 5, 1));
    hz_dataset_free(ds);
    ds = rd("d,v\n05.01.2024 10:30,1\n31.01.2024 11:00,2\n", NULL, NULL, &err);
    HZ_CHECK(ds != NULL && ds->cols[0].type == HZ_TYPE_TIMESTAMP &&
             ds->cols[0].datefmt == HZ_DATEFMT_DMY);
    HZ_CHECK(ds->cols[0].v.i64[0] ==
             (int64_t)hz_days_from_civil(2024, 1, 5) * 86400 + 37800);
    hz_dataset_free(ds);
}

HZ_TEST(undecidable_day_month_order_is_an_error_asking_for_the_schema)
{
    hz_error err;
    const char *text = "id,d\n1,01/02/2024\n2,03/04/2024\n3,12/12/2024\n";
    HZ_CHECK(rd(text, NULL, NULL, &err) == NULL);
    HZ_CHECK(err.status == HZ_EPARSE);
    HZ_CHECK_CONTAINS(err.msg, "t.csv:2:2: column 'd': dates such as "
                               "'01/02/2024' could be month-first or "
                               "day-first");
    HZ_CHECK_CONTAINS(err.msg, "--schema 'd:date:mdy' or 'd:date:dmy'");
    hz_schema_override *ov;
    size_t nov;
    HZ_CHECK(hz_schema_overrides_parse("d:date:dmy", &ov, &nov, &err) ==
             HZ_OK);
    hz_csv_options o;
    hz_csv_options_init(&o);
    o.overrides = ov;
    o.noverrides = nov;
    hz_dataset *ds = rd(text, &o, NULL, &err);
    HZ_CHECK(ds != NULL);
    HZ_CHECK(ds->cols[1].v.date[0] == hz_days_from_civil(2024, 2, 1));
    hz_dataset_free(ds);
    hz_schema_overrides_free(ov, nov);
}

HZ_TEST(period_columns)
{
    static const struct {
        const char *text;
        hz_datefmt fmt;
        int y;
        unsigned m, d;
        const char *label;
    } t[] = {
        {"p,v\n2024-03,1\n2024-04,2\n", HZ_DATEFMT_MONTH, 2024, 3, 1,
         "2024-03"},
        {"p,v\n2024-Q3,1\n2024-Q4,2\n", HZ_DATEFMT_QUARTER, 2024, 7, 1,
         "2024-Q3"},
        {"p,v\n2024Q2,1\n2024Q3,2\n", HZ_DATEFMT_QUARTER_COMPACT, 2024, 4, 1,
         "2024Q2"},
        {"p,v\n2024-W01,1\n2024-W02,2\n", HZ_DATEFMT_ISOWEEK, 2024, 1, 1,
         "2024-W01"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        hz_error err;
        hz_dataset *ds = rd(t[i].text, NULL, NULL, &err);
        HZ_CHECK_MSG(ds != NULL, "%s: %s", t[i].text, err.msg);
        HZ_CHECK(ds->cols[0].type == HZ_TYPE_DATE &&
                 ds->cols[0].datefmt == t[i].fmt);
        HZ_CHECK(ds->cols[0].v.date[0] ==
                 hz_days_from_civil(t[i].y, t[i].m, t[i].d));
        char b[32];
        HZ_CHECK_STR(hz_col_text(&ds->cols[0], 0, b, sizeof b), t[i].label);
        hz_dataset_free(ds);
    }
    /* integer years stay integers unless the caller wants dates */
    hz_error err;
    hz_dataset *ds = rd("year,v\n2001,1\n2002,2\n", NULL, NULL, &err);
    HZ_CHECK(ds != NULL && ds->cols[0].type == HZ_TYPE_INT64);
    hz_dataset_free(ds);
    hz_csv_options o;
    hz_csv_options_init(&o);
    const char *dc[1] = {"year"};
    o.date_cols = dc;
    o.ndate_cols = 1;
    ds = rd("year,v\n2001,1\n2002,2\n", &o, NULL, &err);
    HZ_CHECK(ds != NULL && ds->cols[0].type == HZ_TYPE_DATE &&
             ds->cols[0].datefmt == HZ_DATEFMT_YEAR);
    HZ_CHECK(ds->cols[0].v.date[1] == hz_days_from_civil(2002, 1, 1));
    hz_dataset_free(ds);
}

HZ_TEST(dates_outside_the_window_are_errors_with_their_place)
{
    hz_error err;
    char text[4096] = "d,v\n";
    for (int i = 1; i <= 60; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text),
                 "2024-%02d-%02d,%d\n", 1 + (i - 1) / 28, 1 + (i - 1) % 28, i);
    char *stray = strstr(text, "2024-01-11");
    memcpy(stray, "0001-01-01", 10);
    HZ_CHECK(rd(text, NULL, NULL, &err) == NULL);
    HZ_CHECK_CONTAINS(err.msg, "t.csv:12:1: column 'd': date '0001-01-01' is "
                               "outside 1800-01-01..2200-12-31");
    hz_csv_options o;
    hz_csv_options_init(&o);
    o.date_min_year = 1;
    o.date_max_year = 9999;
    hz_dataset *ds = rd(text, &o, NULL, &err);
    HZ_CHECK(ds != NULL && ds->nrows == 60);
    hz_dataset_free(ds);
    o.date_min_year = 2024;
    o.date_max_year = 2024;
    o.on_error = HZ_ON_ERROR_SKIP;
    hz_csv_report rep;
    ds = rd(text, &o, &rep, &err);
    HZ_CHECK(ds != NULL && ds->nrows == 59 && rep.rows_skipped == 1);
    HZ_CHECK_CONTAINS(rep.reported[0], "t.csv:12:1");
    hz_dataset_free(ds);
    /* timestamps too, through the row loop and the per-field path */
    ds = rd("t,v\n2024-01-01 10:00,1\n2301-01-01 10:00,2\n", NULL, NULL, &err);
    HZ_CHECK(ds == NULL);
    HZ_CHECK_CONTAINS(err.msg, "t.csv:3:1:");
}

HZ_TEST(numbers_that_overflow_are_errors_with_their_place)
{
    hz_error err;
    HZ_CHECK(rd("a,v\n1,2.5\n2,1e400\n3,4\n", NULL, NULL, &err) == NULL);
    HZ_CHECK_CONTAINS(err.msg, "t.csv:3:2: column 'v': number '1e400' is out "
                               "of range");
    HZ_CHECK(rd("a,v\n1,2\n2,-1e999\n", NULL, NULL, &err) == NULL);
    HZ_CHECK_CONTAINS(err.msg, "t.csv:3:2:");
    hz_dataset *ds = rd("a,v\n1,1e300\n2,1e-320\n", NULL, NULL, &err);
    HZ_CHECK(ds != NULL && ds->cols[1].v.f64[0] == 1e300);
    HZ_CHECK(ds->cols[1].v.f64[1] > 0); /* subnormal, not zero */
    hz_dataset_free(ds);
}

HZ_TEST(the_callers_columns_are_read_strictly)
{
    hz_csv_options o;
    hz_csv_options_init(&o);
    const char *dc[1] = {"d"}, *nc[1] = {"v"};
    o.date_cols = dc;
    o.ndate_cols = 1;
    o.number_cols = nc;
    o.nnumber_cols = 1;
    hz_error err;
    /* 3 of 4 values are dates: below the 95% rule, read as dates anyway
     * so the odd one is an error with its place */
    const char *text =
        "d,v\n2024-01-01,1\n2024-01-02,2\nsoon,3\n2024-01-04,4\n";
    hz_dataset *plain = rd(text, NULL, NULL, &err); /* plain: a string */
    HZ_CHECK(plain != NULL && plain->cols[0].type == HZ_TYPE_STRING);
    hz_dataset_free(plain);
    HZ_CHECK(rd(text, &o, NULL, &err) == NULL);
    HZ_CHECK_CONTAINS(err.msg, "t.csv:4:1: column 'd': expected a valid date "
                               "YYYY-MM-DD, got 'soon'");
    HZ_CHECK(rd("d,v\n2024-01-01,1\n2024-01-02,\n", &o, NULL, &err) == NULL);
    HZ_CHECK_CONTAINS(err.msg, "t.csv:3:2: column 'v': empty value");
    HZ_CHECK(rd("d,v\n2024-01-01,1\n,2\n", &o, NULL, &err) == NULL);
    HZ_CHECK_CONTAINS(err.msg, "t.csv:3:1: column 'd': empty value");
    HZ_CHECK(rd("d,v\n2024-01-01,1\n2024-01-02,N/A\n2024-01-03,3\n", &o, NULL,
                &err) == NULL);
    HZ_CHECK_CONTAINS(err.msg,
                      "t.csv:3:2: column 'v': expected an integer, got 'N/A'");
    /* a column that is clearly something else is left for the caller to
     * refuse by name */
    hz_dataset *ds = rd("d,v\na,1\nb,2\n", &o, NULL, &err);
    HZ_CHECK(ds != NULL && ds->cols[0].type == HZ_TYPE_STRING);
    hz_dataset_free(ds);
    o.on_error = HZ_ON_ERROR_SKIP;
    hz_csv_report rep;
    ds = rd("d,v\n2024-01-01,1\n2024-01-02,\n2024-01-03,3\n", &o, &rep, &err);
    HZ_CHECK(ds != NULL && ds->nrows == 2 && rep.rows_skipped == 1);
    hz_dataset_free(ds);
}

/* The caller's picks from the header (hz_csv_options.want): an id read
 * as text as written (00123 and 123 two values), a number read strictly;
 * --schema wins. */
static void pick_id_and_amount(void *ctx, const char *const *names,
                               const hz_type *types, size_t n,
                               hz_csv_want *want)
{
    (void)types;
    *(size_t *)ctx = n;
    for (size_t j = 0; j < n; j++)
        if (strcmp(names[j], "id") == 0)
            want[j] = HZ_CSV_WANT_TEXT;
        else if (strcmp(names[j], "amount") == 0)
            want[j] = HZ_CSV_WANT_NUMBER;
}

HZ_TEST(the_callers_picks_from_the_header)
{
    hz_csv_options o;
    hz_csv_options_init(&o);
    size_t seen = 0;
    o.want = pick_id_and_amount;
    o.want_ctx = &seen;
    hz_error err;
    const char *text = "id,amount\n00123,1\n123,2\n0123,3\n";
    hz_dataset *ds = rd(text, &o, NULL, &err);
    HZ_CHECK(ds != NULL && seen == 2);
    HZ_CHECK(ds->cols[0].type == HZ_TYPE_STRING &&
             hz_dict_size(ds->cols[0].dict) == 3);
    HZ_CHECK(strcmp(hz_dict_str(ds->cols[0].dict, ds->cols[0].v.code[0]),
                    "00123") == 0);
    hz_dataset_free(ds);
    ds = rd(text, NULL, NULL, &err); /* without: numbers */
    HZ_CHECK(ds != NULL && ds->cols[0].type == HZ_TYPE_INT64);
    hz_dataset_free(ds);
    HZ_CHECK(rd("id,amount\n1,2\n2,N/A\n3,3\n", &o, NULL, &err) == NULL);
    HZ_CHECK_CONTAINS(err.msg,
                      "t.csv:3:2: column 'amount': expected an integer, got "
                      "'N/A'");
    hz_schema_override ov = {"id", HZ_TYPE_INT64, HZ_DATEFMT_NONE};
    o.overrides = &ov;
    o.noverrides = 1;
    ds = rd(text, &o, NULL, &err);
    HZ_CHECK(ds != NULL && ds->cols[0].type == HZ_TYPE_INT64);
    hz_dataset_free(ds);
}

HZ_TEST(invalid_utf8_is_counted_with_its_place)
{
    hz_error err;
    hz_csv_report rep;
    hz_dataset *ds = rd("id,n\nab,1\nc\xff,2\nc\xff,3\nd\xc3\xa9,4\n", NULL,
                        &rep, &err);
    HZ_CHECK(ds != NULL);
    HZ_CHECK(rep.utf8_invalid == 1);
    HZ_CHECK_CONTAINS(rep.utf8_first, "column 'id', data row 2");
    hz_dataset_free(ds);
    ds = rd("i\xe9,n\n1,2\n", NULL, &rep, &err);
    HZ_CHECK(ds != NULL && rep.utf8_invalid == 1);
    HZ_CHECK_CONTAINS(rep.utf8_first, "t.csv:1:1: the name of column 1");
    hz_dataset_free(ds);
}

static const char *write_gz(const char *name, const char *text, int members)
{
    const char *path = hz_test_write_file(name, "", 0);
    gzFile g = gzopen(path, "wb");
    size_t n = strlen(text), half = n / 2;
    if (members == 2) { /* two gzip members back to back, as cat a.gz b.gz */
        gzwrite(g, text, (unsigned)half);
        gzclose(g);
        g = gzopen(path, "ab");
        gzwrite(g, text + half, (unsigned)(n - half));
    } else {
        gzwrite(g, text, (unsigned)n);
    }
    gzclose(g);
    return path;
}

HZ_TEST(gzip_input_equals_the_plain_file)
{
    char text[1 << 16] = "id,d,v\n";
    for (int i = 0; i < 2000; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text),
                 "c%d,2024-%02d-%02d,%d.%d\n", i % 37, 1 + i % 12, 1 + i % 28,
                 i, i % 10);
    hz_error err;
    hz_dataset *plain = rd(text, NULL, NULL, &err), *gz = NULL;
    HZ_CHECK(plain != NULL);
    for (int members = 1; members <= 2; members++) {
        const char *path = write_gz("t.csv.gz", text, members);
        hz_csv_report rep;
        HZ_CHECK(hz_csv_read(path, NULL, &gz, &rep, &err) == HZ_OK);
        HZ_CHECK(gz->nrows == plain->nrows && gz->ncols == plain->ncols);
        HZ_CHECK(rep.bytes == strlen(text));
        for (size_t r = 0; r < gz->nrows; r++)
            HZ_CHECK(hz_col_number(&gz->cols[2], r) ==
                     hz_col_number(&plain->cols[2], r));
        hz_dataset_free(gz);
        gz = NULL;
    }
    /* truncated: an error, never a partial table */
    const char *path = write_gz("t2.csv.gz", text, 1);
    FILE *f = fopen(path, "r+b");
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fclose(f);
    HZ_CHECK(truncate(path, sz / 2) == 0);
    HZ_CHECK(hz_csv_read(path, NULL, &gz, NULL, &err) == HZ_EPARSE);
    HZ_CHECK_CONTAINS(err.msg, "truncated gzip data");
    HZ_CHECK(gz == NULL);
    hz_dataset_free(plain);
}

HZ_TEST(wide_header_is_read_in_linear_time)
{
    const size_t n = 100000;
    size_t cap = n * 24 + 64, len = 0;
    char *text = malloc(cap);
    HZ_CHECK(text != NULL);
    for (size_t j = 0; j < n; j++)
        len += (size_t)snprintf(text + len, cap - len, "%sc%zu", j ? "," : "",
                                j);
    text[len++] = '\n';
    for (int r = 0; r < 3; r++) {
        for (size_t j = 0; j < n; j++)
            len += (size_t)snprintf(text + len, cap - len, "%s%zu",
                                    j ? "," : "", (j * 7 + (size_t)r) % 1000);
        text[len++] = '\n';
    }
    text[len] = '\0';
    hz_error err;
    hz_dataset *ds = rd(text, NULL, NULL, &err);
    HZ_CHECK_MSG(ds != NULL, "%s", err.msg);
    HZ_CHECK(ds->ncols == n && ds->nrows == 3);
    HZ_CHECK_STR(ds->cols[n - 1].name, "c99999");
    HZ_CHECK(ds->cols[n - 1].v.i64[2] == (int64_t)((99999 * 7 + 2) % 1000));
    hz_dataset_free(ds);
    /* a duplicate far from its twin is still found */
    memcpy(strstr(text, "c99999"), "c12345", 6);
    HZ_CHECK(rd(text, NULL, NULL, &err) == NULL);
    HZ_CHECK_CONTAINS(err.msg, "t.csv:1:100000: duplicate column name "
                               "'c12345' (also column 12346)");
    free(text);
}

/* Every row knows its line in the file, whichever path and chunking read
 * it: blank lines, a quoted field over two lines, CRLF, rows skipped as
 * malformed and a last line without a newline all shift the lines. */
HZ_TEST(rows_know_their_lines_in_the_file)
{
    const char *text = "id,v,w\n"             /* 1 */
                       "a,1,x\n"              /* 2: row 0 */
                       "\n"                   /* 3 */
                       "b,2,x\r\n"            /* 4: row 1 */
                       "c,3\n"                /* 5: skipped (ragged) */
                       "d,4,\"two\nlines\"\n" /* 6-7: row 2 */
                       "e,5,x\n"              /* 8: row 3 */
                       "\n\n"                 /* 9, 10 */
                       "f,6,x\n"              /* 11: row 4 */
                       "g,7,x";               /* 12: row 5 */
    static const size_t want[] = {2, 4, 6, 8, 11, 12};
    static const size_t chunks[] = {0, 3, 7, 1 << 20};
    for (int path = 0; path <= 3; path++)
        for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
            hz_csv_options o;
            hz_csv_options_init(&o);
            o.on_error = HZ_ON_ERROR_SKIP;
            o.force_path = path;
            o.chunk_bytes = chunks[c];
            hz_error err;
            hz_csv_report rep;
            hz_dataset *ds = rd(text, &o, &rep, &err);
            HZ_CHECK_MSG(ds != NULL, "%s", err.msg);
            if (ds == NULL)
                continue;
            HZ_CHECK_MSG(ds->nrows == 6, "path %d chunk %zu: %zu rows", path,
                         chunks[c], ds->nrows);
            for (size_t r = 0; r < ds->nrows && r < 6; r++)
                HZ_CHECK_MSG(hz_dataset_row_line(ds, r) == want[r],
                             "path %d chunk %zu: row %zu on line %zu, not "
                             "%zu",
                             path, chunks[c], r, hz_dataset_row_line(ds, r),
                             want[r]);
            char place[64];
            HZ_CHECK_STR(
                hz_dataset_place(ds, 2, &ds->cols[1], place, sizeof place),
                "t.csv:6:2");
            hz_dataset_free(ds);
        }
    /* built by hand: no lines, the place says the data row */
    hz_dataset *ds = hz_dataset_new(3);
    char place[64];
    HZ_CHECK(hz_dataset_row_line(ds, 1) == 0);
    HZ_CHECK_STR(hz_dataset_place(ds, 1, NULL, place, sizeof place),
                 "input: data row 2");
    hz_dataset_free(ds);
}
