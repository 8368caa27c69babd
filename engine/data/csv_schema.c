/* --schema overrides, and writing a dataset as CSV. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "horizon/csv.h"
#include "core/textout.h"

hz_status hz_schema_overrides_parse(const char *spec, hz_schema_override **out,
                                    size_t *n, hz_error *err)
{
    *out = NULL;
    *n = 0;
    char *copy = strdup(spec);
    if (copy == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    size_t cap = 1;
    for (const char *p = spec; *p; p++)
        cap += *p == ',';
    hz_schema_override *o = calloc(cap, sizeof *o);
    if (o == NULL) {
        free(copy);
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    }
    hz_status st = HZ_OK;
    size_t k = 0;
    char *save = NULL;
    for (char *item = strtok_r(copy, ",", &save); item != NULL;
         item = strtok_r(NULL, ",", &save)) {
        char *colon = strrchr(item, ':');
        char *type = colon ? colon + 1 : NULL;
        hz_datefmt fmt = HZ_DATEFMT_NONE;
        if (colon != NULL && colon > item) {
            /* "col:date:dmy" -> type "date", format "dmy" */
            char *prev = colon - 1;
            while (prev > item && *prev != ':')
                prev--;
            if (*prev == ':' && hz_datefmt_parse(type, &fmt)) {
                *colon = '\0';
                colon = prev;
                type = prev + 1;
            } else if (*prev == ':' &&
                       (strncasecmp(prev + 1, "date:", 5) == 0 ||
                        strncasecmp(prev + 1, "timestamp:", 10) == 0)) {
                *prev = '\0';
                st = hz_error_set(err, HZ_EINVAL,
                                  "--schema: unknown date format '%s' for "
                                  "column '%s' (iso, ymd, mdy, dmy, month, "
                                  "quarter, quarter-compact, isoweek, "
                                  "isoweek-compact, year, excel, unix, "
                                  "unix_ms)",
                                  type, item);
                break;
            }
        }
        if (colon == NULL || colon == item || *type == '\0') {
            st = hz_error_set(err, HZ_EINVAL,
                              "--schema: expected "
                              "'column:type', got '%s'",
                              item);
            break;
        }
        *colon = '\0';
        hz_type t;
        if (!hz_type_parse(type, &t)) {
            st = hz_error_set(err, HZ_EINVAL,
                              "--schema: unknown type '%s' "
                              "for column '%s' (int64, float64, bool, date, "
                              "timestamp, string)",
                              type, item);
            break;
        }
        if (fmt != HZ_DATEFMT_NONE && t != HZ_TYPE_DATE &&
            t != HZ_TYPE_TIMESTAMP) {
            st = hz_error_set(err, HZ_EINVAL,
                              "--schema: a date format only "
                              "applies to date/timestamp (column '%s')",
                              item);
            break;
        }
        if (hz_datefmt_is_unix(fmt) && t != HZ_TYPE_TIMESTAMP) {
            st = hz_error_set(err, HZ_EINVAL,
                              "--schema: Unix times are instants: give "
                              "'%s:timestamp:%s' (column '%s')",
                              item, hz_datefmt_name(fmt), item);
            break;
        }
        o[k].column = strdup(item);
        if (o[k].column == NULL) {
            st = hz_error_set(err, HZ_ENOMEM, "out of memory");
            break;
        }
        o[k].type = t;
        o[k].datefmt = fmt;
        k++;
    }
    free(copy);
    if (st != HZ_OK) {
        hz_schema_overrides_free(o, k);
        return st;
    }
    *out = o;
    *n = k;
    return HZ_OK;
}

void hz_schema_overrides_free(hz_schema_override *o, size_t n)
{
    if (o == NULL)
        return;
    for (size_t k = 0; k < n; k++)
        free((char *)o[k].column);
    free(o);
}

hz_status hz_csv_write(const hz_dataset *ds, FILE *f, hz_error *err)
{
    char buf[64];
    for (size_t j = 0; j < ds->ncols; j++) {
        if (j)
            fputc(',', f);
        hz__csv_field(f, ds->cols[j].name);
    }
    fputc('\n', f);
    for (size_t r = 0; r < ds->nrows; r++) {
        for (size_t j = 0; j < ds->ncols; j++) {
            if (j)
                fputc(',', f);
            const hz_column *c = &ds->cols[j];
            if (hz_col_is_null(c, r))
                continue;
            const char *s = hz_col_text(c, r, buf, sizeof buf);
            if (c->type == HZ_TYPE_STRING && s != NULL && s[0] == '\0')
                fputs("\"\"", f);
            else
                hz__csv_field(f, s);
        }
        fputc('\n', f);
    }
    if (ferror(f))
        return hz_error_set(err, HZ_EIO, "could not write CSV: %s",
                            strerror(errno));
    return HZ_OK;
}