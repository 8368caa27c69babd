/* Per-column profile of a dataset: the "summary statistics" that prompts
 * carry instead of raw rows.  Exact (one pass, compensated sums), and
 * computed in parallel over columns, so identical for any thread count. */
#ifndef HORIZON_PROFILE_H
#define HORIZON_PROFILE_H

#include "horizon/dataset.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hz_column_profile {
    const char *name; /* points into the dataset */
    hz_type type;
    hz_datefmt datefmt;
    size_t count; /* non-null values */
    size_t nulls;
    double min, max;     /* numeric, bool, date (day number), timestamp */
    double mean, stddev; /* numeric and bool; NAN otherwise */
    double sum;          /* numeric; NAN otherwise */
    size_t distinct;     /* strings: dictionary size; bool: values seen */
    const char *top;     /* strings: most frequent value (NULL if none) */
    size_t top_count;
} hz_column_profile;

typedef struct hz_profile {
    size_t nrows, ncols;
    hz_column_profile *cols;
} hz_profile;

HZ_API hz_status hz_profile_compute(const hz_dataset *ds, hz_profile **out,
                                    hz_error *err);
HZ_API void hz_profile_free(hz_profile *p);

#ifdef __cplusplus
}
#endif
#endif
