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
    for (size_t j = 0; j < n; j++) {
        if (named(names[j], o->date_col) || named(names[j], o->value_col))
            continue; /* read as dates and numbers (date_cols, ...) */
        for (size_t k = 0; k < o->nby; k++)
            if (named(names[j], o->by_cols[k]))
                want[j] = HZ_CSV_WANT_TEXT;
        /* statsforecast's id when no column is named (read as --long
         * --by unique_id) */
        if (o->date_col == NULL && o->nby == 0 &&
            named(names[j], "unique_id"))
            want[j] = HZ_CSV_WANT_TEXT;
    }
}
