/* horizon inspect: schema, row count and per-column profile of a CSV. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "net/cjson.h"
#include "cli/cli.h"
#include "horizon/outfile.h"
#include "horizon/profile.h"

const char hz__cmd_inspect_summary[] =
    "print a CSV file's inferred schema and per-column profile";

static void help(FILE *f)
{
    fprintf(f,
            "usage: horizon inspect [OPTIONS] FILE.csv\n\n"
            "Reads FILE.csv and prints its inferred schema, row count and a\n"
            "profile of every column (nulls, min, max, mean, distinct).\n\n"
            "options:\n"
            "  --json                 print JSON instead of a "
            "table\n" HZ_CLI_CSV_HELP
            "  -h, --help             show this help\n");
}

static const char *fmt_name(hz_datefmt f)
{
    return hz_datefmt_name(f);
}

/* A string member, its invalid UTF-8 bytes replaced by U+FFFD (cJSON
 * copies bytes as they are). */
static void add_str(cJSON *o, const char *key, const char *s)
{
    if (hz_utf8_valid(s, strlen(s))) {
        cJSON_AddStringToObject(o, key, s);
        return;
    }
    char *t = hz_utf8_sanitize(s, NULL);
    cJSON_AddStringToObject(o, key, t ? t : "");
    free(t);
}

/* Render a profile bound (date columns as dates; times with a Z only
 * when they are UTC instants, the column's values having carried UTC
 * offsets: times read as written, or on --tz's clock, are wall times). */
static const char *bound_text(const hz_column_profile *c, bool zoned,
                              double v, char *buf, size_t n)
{
    if (isnan(v)) {
        snprintf(buf, n, "-");
    } else if (c->type == HZ_TYPE_DATE) {
        char d[16];
        snprintf(buf, n, "%s", hz_format_day_as(c->datefmt, (int32_t)v, d));
    } else if (c->type == HZ_TYPE_TIMESTAMP) {
        char d[16];
        int32_t day = (int32_t)floor(v / 86400.0);
        long sod = (long)(v - (double)day * 86400.0);
        snprintf(buf, n, "%sT%02ld:%02ld:%02ld%s", hz_format_day(day, d),
                 sod / 3600, sod / 60 % 60, sod % 60, zoned ? "Z" : "");
    } else if (c->type == HZ_TYPE_BOOL) {
        snprintf(buf, n, "%s", v != 0 ? "true" : "false");
    } else {
        snprintf(buf, n, "%.6g", v);
    }
    return buf;
}

static int print_json(const hz_dataset *ds, const hz_profile *p,
                      const hz_csv_report *rep, FILE *f)
{
    cJSON *root = cJSON_CreateObject();
    char buf[64];
    add_str(root, "file", ds->source ? ds->source : "");
    cJSON_AddNumberToObject(root, "rows", (double)ds->nrows);
    cJSON_AddNumberToObject(root, "columns", (double)ds->ncols);
    cJSON_AddNumberToObject(root, "bytes", (double)rep->bytes);
    buf[0] = rep->delimiter;
    buf[1] = '\0';
    cJSON_AddStringToObject(root, "delimiter", buf);
    cJSON_AddNumberToObject(root, "rows_skipped", (double)rep->rows_skipped);
    cJSON *cols = cJSON_AddArrayToObject(root, "schema");
    for (size_t j = 0; j < p->ncols; j++) {
        const hz_column_profile *c = &p->cols[j];
        cJSON *o = cJSON_CreateObject();
        add_str(o, "name", c->name);
        cJSON_AddStringToObject(o, "type", hz_type_name(c->type));
        if (fmt_name(c->datefmt))
            cJSON_AddStringToObject(o, "format", fmt_name(c->datefmt));
        cJSON_AddNumberToObject(o, "count", (double)c->count);
        cJSON_AddNumberToObject(o, "nulls", (double)c->nulls);
        if (c->type == HZ_TYPE_DATE || c->type == HZ_TYPE_TIMESTAMP) {
            cJSON_AddStringToObject(o, "min",
                                    bound_text(c, ds->cols[j].zoned, c->min, buf, sizeof buf));
            cJSON_AddStringToObject(o, "max",
                                    bound_text(c, ds->cols[j].zoned, c->max, buf, sizeof buf));
        } else if (c->type != HZ_TYPE_STRING) {
            cJSON_AddItemToObject(o, "min", hz__cjson_num15_or_null(c->min));
            cJSON_AddItemToObject(o, "max", hz__cjson_num15_or_null(c->max));
            cJSON_AddItemToObject(o, "mean", hz__cjson_num15_or_null(c->mean));
            cJSON_AddItemToObject(o, "stddev",
                                  hz__cjson_num15_or_null(c->stddev));
            cJSON_AddItemToObject(o, "sum", hz__cjson_num15_or_null(c->sum));
        }
        if (c->type == HZ_TYPE_STRING || c->type == HZ_TYPE_BOOL)
            cJSON_AddNumberToObject(o, "distinct", (double)c->distinct);
        if (c->top != NULL) {
            add_str(o, "top", c->top);
            cJSON_AddNumberToObject(o, "top_count", (double)c->top_count);
        }
        cJSON_AddItemToArray(cols, o);
    }
    char *s = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (s == NULL)
        return HZ_EXIT_FAIL;
    fprintf(f, "%s\n", s);
    free(s);
    return HZ_EXIT_OK;
}

/* One row of the table: the cells that vary in width. */
typedef struct {
    char name[256], type[40], min[64], max[64], mean[32], distinct[32];
} table_row;

static void table_cells(const hz_dataset *ds, const hz_profile *p, size_t j,
                        table_row *r)
{
    const hz_column_profile *c = &p->cols[j];
    hz_cli_term_line(c->name, r->name, sizeof r->name);
    if (fmt_name(c->datefmt) && c->datefmt != HZ_DATEFMT_ISO)
        snprintf(r->type, sizeof r->type, "%s:%s", hz_type_name(c->type),
                 fmt_name(c->datefmt));
    else
        snprintf(r->type, sizeof r->type, "%s", hz_type_name(c->type));
    if (c->type == HZ_TYPE_STRING) {
        snprintf(r->min, sizeof r->min, "-");
        snprintf(r->max, sizeof r->max, "-");
    } else {
        bound_text(c, ds->cols[j].zoned, c->min, r->min, sizeof r->min);
        bound_text(c, ds->cols[j].zoned, c->max, r->max, sizeof r->max);
    }
    if (isnan(c->mean))
        snprintf(r->mean, sizeof r->mean, "-");
    else
        snprintf(r->mean, sizeof r->mean, "%.6g", c->mean);
    if (c->type == HZ_TYPE_STRING || c->type == HZ_TYPE_BOOL)
        snprintf(r->distinct, sizeof r->distinct, "%zu", c->distinct);
    else
        snprintf(r->distinct, sizeof r->distinct, "-");
}

static size_t wider(size_t w, const char *s)
{
    size_t k = hz_cli_width(s);
    return k > w ? k : w;
}

/* The table, its columns as wide as their widest cell (in a terminal's
 * columns: names in UTF-8 line up), names cut at 40. */
static void print_table(const hz_dataset *ds, const hz_profile *p,
                        const hz_csv_report *rep, FILE *f)
{
    char name[256];
    fprintf(f, "%s: %zu rows, %zu columns, %zu bytes, delimiter '%s'\n",
            hz_cli_term(ds->source ? ds->source : "dataset", name,
                        sizeof name),
            ds->nrows, ds->ncols,
            rep->bytes,
            rep->delimiter == '\t' ? "\\t" : (char[]){rep->delimiter, 0});
    if (rep->rows_skipped)
        fprintf(f, "%zu malformed rows skipped\n", rep->rows_skipped);
    size_t wn = 6, wt = 9, wa = 20, wb = 20, wm = 12, wd = 9;
    table_row r;
    for (size_t j = 0; j < p->ncols; j++) {
        table_cells(ds, p, j, &r);
        wn = wider(wn, r.name);
        wt = wider(wt, r.type);
        wa = wider(wa, r.min);
        wb = wider(wb, r.max);
        wm = wider(wm, r.mean);
        wd = wider(wd, r.distinct);
    }
    if (wn > 40)
        wn = 40;
    const char *const head[8] = {"column", "type", "count", "nulls",
                                 "min",    "max",  "mean",  "distinct"};
    const size_t hw[8] = {wn, wt, 9, 9, wa, wb, wm, wd};
    const bool right[8] = {false, false, true, true, false, false, true, true};
    for (size_t k = 0; k < 8; k++) {
        hz_cli_put_cell(f, head[k], hw[k], right[k]);
        fputs(k + 1 < 8 ? "  " : "\n", f);
    }
    for (size_t j = 0; j < p->ncols; j++) {
        const hz_column_profile *c = &p->cols[j];
        table_cells(ds, p, j, &r);
        char count[32], nulls[32];
        snprintf(count, sizeof count, "%zu", c->count);
        snprintf(nulls, sizeof nulls, "%zu", c->nulls);
        const char *cell[8] = {r.name, r.type, count,  nulls,
                               r.min,  r.max,  r.mean, r.distinct};
        for (size_t k = 0; k < 8; k++) {
            hz_cli_put_cell(f, cell[k], hw[k], right[k]);
            fputs(k + 1 < 8 ? "  " : "\n", f);
        }
    }
}

int hz__cmd_inspect(int argc, char **argv)
{
    static const struct option longopts[] = {{"json", no_argument, 0, 'j'},
                                             {"help", no_argument, 0, 'h'},
                                             HZ_CLI_CSV_LONGOPTS,
                                             {0, 0, 0, 0}};
    hz_cli_csv csvo;
    bool json = false;
    int c;
    hz_cli_csv_init(&csvo);
    optind = 1;
    while ((c = getopt_long(argc, argv, "hj", longopts, NULL)) != -1) {
        switch (c) {
        case 'j': json = true; break;
        case 'h': help(stdout); return HZ_EXIT_OK;
        case '?': help(stderr); return HZ_EXIT_USAGE;
        default:
            if (!hz_cli_csv_option("inspect", &csvo, c, optarg))
                return HZ_EXIT_USAGE;
        }
    }
    if (optind + 1 != argc) {
        hz_cli_error("inspect", optind == argc ? "missing FILE.csv"
                                               : "expected one FILE.csv");
        help(stderr);
        return HZ_EXIT_USAGE;
    }
    hz_dataset *ds = NULL;
    hz_csv_report rep;
    int rc = hz_cli_read_csv("inspect", argv[optind], &csvo, &ds, &rep);
    if (rc != HZ_EXIT_OK)
        return rc;
    hz_profile *p = NULL;
    hz_error err;
    if (hz_profile_compute(ds, &p, &err) != HZ_OK) {
        hz_cli_error("inspect", "%s", err.msg);
        hz_dataset_free(ds);
        return HZ_EXIT_FAIL;
    }
    if (json)
        rc = print_json(ds, p, &rep, stdout);
    else
        print_table(ds, p, &rep, stdout);
    hz_profile_free(p);
    hz_dataset_free(ds);
    return rc;
}
