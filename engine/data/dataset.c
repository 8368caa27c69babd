/* Columnar dataset: construction, lookup and cell access. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "horizon/dataset.h"

const char *hz_type_name(hz_type t)
{
    switch (t) {
    case HZ_TYPE_NULL: return "null";
    case HZ_TYPE_BOOL: return "bool";
    case HZ_TYPE_INT64: return "int64";
    case HZ_TYPE_FLOAT64: return "float64";
    case HZ_TYPE_DATE: return "date";
    case HZ_TYPE_TIMESTAMP: return "timestamp";
    case HZ_TYPE_STRING: return "string";
    }
    return "unknown";
}

bool hz_type_parse(const char *s, hz_type *out)
{
    static const struct {
        const char *name;
        hz_type t;
    } names[] = {
        {"int64", HZ_TYPE_INT64},         {"int", HZ_TYPE_INT64},
        {"integer", HZ_TYPE_INT64},       {"float64", HZ_TYPE_FLOAT64},
        {"float", HZ_TYPE_FLOAT64},       {"double", HZ_TYPE_FLOAT64},
        {"number", HZ_TYPE_FLOAT64},      {"date", HZ_TYPE_DATE},
        {"timestamp", HZ_TYPE_TIMESTAMP}, {"datetime", HZ_TYPE_TIMESTAMP},
        {"bool", HZ_TYPE_BOOL},           {"boolean", HZ_TYPE_BOOL},
        {"string", HZ_TYPE_STRING},       {"str", HZ_TYPE_STRING},
        {"text", HZ_TYPE_STRING},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(s, names[i].name) == 0) {
            *out = names[i].t;
            return true;
        }
    return false;
}

bool hz_type_is_numeric(hz_type t)
{
    return t == HZ_TYPE_INT64 || t == HZ_TYPE_FLOAT64 || t == HZ_TYPE_BOOL;
}

hz_dataset *hz_dataset_new(size_t nrows)
{
    hz_dataset *ds = calloc(1, sizeof *ds);
    if (ds != NULL)
        ds->nrows = nrows;
    return ds;
}

static void column_free(const hz_dataset *ds, hz_column *c)
{
    free(c->name);
    free(c->valid);
    uintptr_t p = (uintptr_t)c->v.raw, b = (uintptr_t)ds->block;
    if (ds->block == NULL || p < b || p >= b + ds->block_len)
        free(c->v.raw);
    hz_dict_free(c->dict);
}

void hz_dataset_free(hz_dataset *ds)
{
    if (ds == NULL)
        return;
    for (size_t i = 0; i < ds->ncols; i++)
        column_free(ds, &ds->cols[i]);
    free(ds->block);
    free(ds->cols);
    free(ds->source);
    free(ds->line_row);
    free(ds->line_at);
    free(ds);
}

size_t hz_dataset_row_line(const hz_dataset *ds, size_t row)
{
    if (ds == NULL || ds->nline_runs == 0 || row >= ds->nrows)
        return 0;
    size_t lo = 0, hi = ds->nline_runs; /* the last run starting <= row */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (ds->line_row[mid] <= row)
            lo = mid;
        else
            hi = mid;
    }
    return ds->line_row[lo] <= row ? ds->line_at[lo] + (row - ds->line_row[lo])
                                   : 0;
}

const char *hz_dataset_place(const hz_dataset *ds, size_t row,
                             const hz_column *col, char *buf, size_t bufsz)
{
    const char *src = ds->source ? ds->source : "input";
    size_t line = hz_dataset_row_line(ds, row);
    size_t field = col != NULL && col >= ds->cols && col < ds->cols + ds->ncols
                       ? (size_t)(col - ds->cols) + 1
                       : 0;
    if (line > 0 && field > 0)
        snprintf(buf, bufsz, "%s:%zu:%zu", src, line, field);
    else if (line > 0)
        snprintf(buf, bufsz, "%s:%zu", src, line);
    else
        snprintf(buf, bufsz, "%s: data row %zu", src, row + 1);
    return buf;
}

hz_status hz_dataset_add_column(hz_dataset *ds, const hz_column *col,
                                hz_error *err)
{
    if (col->name == NULL || col->name[0] == '\0')
        return hz_error_set(err, HZ_EINVAL, "column name is empty");
    if (hz_dataset_find(ds, col->name) >= 0)
        return hz_error_set(err, HZ_EINVAL, "duplicate column name '%s'",
                            col->name);
    hz_column *cols = realloc(ds->cols, (ds->ncols + 1) * sizeof *cols);
    if (cols == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory adding column");
    ds->cols = cols;
    hz_column *c = &ds->cols[ds->ncols];
    *c = *col;
    c->name = strdup(col->name);
    if (c->name == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory adding column");
    ds->ncols++;
    return HZ_OK;
}

long hz_dataset_find(const hz_dataset *ds, const char *name)
{
    for (size_t i = 0; i < ds->ncols; i++)
        if (strcmp(ds->cols[i].name, name) == 0)
            return (long)i;
    return -1;
}

const hz_column *hz_dataset_column(const hz_dataset *ds, const char *name,
                                   hz_error *err)
{
    long i = hz_dataset_find(ds, name);
    if (i >= 0)
        return &ds->cols[i];
    char list[256];
    size_t pos = 0;
    list[0] = '\0';
    for (size_t k = 0; k < ds->ncols && pos + 4 < sizeof list; k++) {
        int w = snprintf(list + pos, sizeof list - pos, "%s%s", k ? ", " : "",
                         ds->cols[k].name);
        if (w < 0 || (size_t)w >= sizeof list - pos) {
            snprintf(list + sizeof list - 5, 5, "...");
            break;
        }
        pos += (size_t)w;
    }
    hz_error_set(err, HZ_ENOTFOUND, "no column '%s' in %s (columns: %s)", name,
                 ds->source ? ds->source : "dataset", list);
    return NULL;
}

double hz_col_number(const hz_column *c, size_t row)
{
    if (hz_col_is_null(c, row))
        return NAN;
    switch (c->type) {
    case HZ_TYPE_INT64:
    case HZ_TYPE_TIMESTAMP: return (double)c->v.i64[row];
    case HZ_TYPE_FLOAT64:
    case HZ_TYPE_NULL: return c->v.f64[row];
    case HZ_TYPE_DATE: return (double)c->v.date[row];
    case HZ_TYPE_BOOL: return (double)c->v.b[row];
    case HZ_TYPE_STRING: return NAN;
    }
    return NAN;
}

int32_t hz_col_day(const hz_column *c, size_t row)
{
    if (hz_col_is_null(c, row))
        return INT32_MIN;
    if (c->type == HZ_TYPE_DATE)
        return c->v.date[row];
    if (c->type == HZ_TYPE_TIMESTAMP) {
        int64_t s = c->v.i64[row];
        int64_t d = s >= 0 ? s / 86400 : -((-s + 86399) / 86400);
        return (int32_t)d;
    }
    return INT32_MIN;
}

const char *hz_col_text(const hz_column *c, size_t row, char *buf,
                        size_t bufsz)
{
    if (hz_col_is_null(c, row)) {
        if (c->type == HZ_TYPE_STRING)
            return NULL;
        if (bufsz > 0)
            buf[0] = '\0';
        return buf;
    }
    switch (c->type) {
    case HZ_TYPE_STRING: return hz_dict_str(c->dict, c->v.code[row]);
    case HZ_TYPE_INT64: snprintf(buf, bufsz, "%" PRId64, c->v.i64[row]); break;
    case HZ_TYPE_FLOAT64:
    case HZ_TYPE_NULL:
        if (isnan(c->v.f64[row]))
            snprintf(buf, bufsz, "%s", "");
        else
            snprintf(buf, bufsz, "%.17g", c->v.f64[row]);
        break;
    case HZ_TYPE_BOOL:
        snprintf(buf, bufsz, "%s", c->v.b[row] ? "true" : "false");
        break;
    case HZ_TYPE_DATE: {
        char d[16];
        snprintf(buf, bufsz, "%s",
                 hz_format_day_as(c->datefmt, c->v.date[row], d));
        break;
    }
    case HZ_TYPE_TIMESTAMP: {
        int64_t s = c->v.i64[row];
        int32_t day = hz_col_day(c, row);
        int64_t sod = s - (int64_t)day * 86400;
        char d[16];
        snprintf(buf, bufsz, "%sT%02d:%02d:%02dZ", hz_format_day(day, d),
                 (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60));
        break;
    }
    }
    return buf;
}
