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

static void print_table(const hz_dataset *ds, const hz_profile *p,
                        const hz_csv_report *rep, FILE *f)
{
    size_t w = 6;
    char name[256];
    for (size_t j = 0; j < p->ncols; j++) { /* in characters */
        size_t k = 0;
        for (const char *c =
                 hz_cli_cell(p->cols[j].name, 40, false, name, sizeof name);
             *c; c++)
            k += ((unsigned char)*c & 0xC0) != 0x80;
        if (k > w)
            w = k;
    }
    if (w > 40)
        w = 40;
    fprintf(f, "%s: %zu rows, %zu columns, %zu bytes, delimiter '%s'\n",
            hz_cli_term(ds->source ? ds->source : "dataset", name,
                        sizeof name),
            ds->nrows, ds->ncols,
            rep->bytes,
            rep->delimiter == '\t' ? "\\t" : (char[]){rep->delimiter, 0});
    if (rep->rows_skipped)
        fprintf(f, "%zu malformed rows skipped\n", rep->rows_skipped);
    fprintf(f, "%-*s  %-9s  %9s  %9s  %-20s  %-20s  %12s  %9s\n", (int)w,
            "column", "type", "count", "nulls", "min", "max", "mean",
            "distinct");
    char a[64], b[64], m[32], d[32];
    for (size_t j = 0; j < p->ncols; j++) {
        const hz_column_profile *c = &p->cols[j];
        char type[24];
        if (fmt_name(c->datefmt) && c->datefmt != HZ_DATEFMT_ISO)
            snprintf(type, sizeof type, "%s:%s", hz_type_name(c->type),
                     fmt_name(c->datefmt));
        else
            snprintf(type, sizeof type, "%s", hz_type_name(c->type));
        if (c->type == HZ_TYPE_STRING) {
            snprintf(a, sizeof a, "-");
            snprintf(b, sizeof b, "-");
        } else {
            bound_text(c, ds->cols[j].zoned, c->min, a, sizeof a);
            bound_text(c, ds->cols[j].zoned, c->max, b, sizeof b);
        }
        if (isnan(c->mean))
            snprintf(m, sizeof m, "-");
        else
            snprintf(m, sizeof m, "%.6g", c->mean);
        if (c->type == HZ_TYPE_STRING || c->type == HZ_TYPE_BOOL)
            snprintf(d, sizeof d, "%zu", c->distinct);
        else
            snprintf(d, sizeof d, "-");
        fprintf(f, "%s  %-9s  %9zu  %9zu  %-20s  %-20s  %12s  %9s\n",
                hz_cli_cell(c->name, w, true, name, sizeof name), type,
                c->count, c->nulls, a, b, m, d);
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
