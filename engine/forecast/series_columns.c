/* The columns a series set is built from, for the CSV reader
 * (hz_csv_options.want): the group columns read as text, as written. */
#include <string.h>

#include "horizon/series.h"

static bool named(const char *name, const char *col)
{
    return col != NULL && strcmp(name, col) == 0;
}

void hz_series_csv_want(void *ctx, const char *const *names,
                        const hz_type *types, size_t n, hz_csv_want *want)
{
    (void)types;
    const hz_series_opts *o = ctx;
    /* statsforecast's columns when none is named (hz__fc_series_resolve) */
    const char *date = o->date_col != NULL ? o->date_col : "ds";
    const char *value = o->date_col != NULL ? o->value_col : "y";
    for (size_t j = 0; j < n; j++) {
        if (named(names[j], date) || named(names[j], value))
            continue; /* read as dates and numbers (date_cols, ...) */
        for (size_t k = 0; k < o->nby; k++)
            if (named(names[j], o->by_cols[k]))
                want[j] = HZ_CSV_WANT_TEXT;
        /* statsforecast's id when no column is named (read as --long
         * --by unique_id) */
        if (o->date_col == NULL && o->nby == 0 &&
            named(names[j], "unique_id"))
            want[j] = HZ_CSV_WANT_TEXT;
        /* a column the series are not built from: one whose values stop
         * fitting the type inferred from the rows sampled is read as
         * text, not an error (until 2026-12-07 a note column turning 'S1'
         * after 10,000 rows failed the forecast) */
        if (want[j] == HZ_CSV_WANT_ANY)
            want[j] = HZ_CSV_WANT_UNUSED;
    }
}
