/* Flags for fitted parameters the data do not pin down.  See
 * analytics/analytics_internal.h. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analytics/analytics_internal.h"

void hz__flag_unidentified(const char *const *names, const double *val,
                           const double *se, size_t k, bool *boundary,
                           char *note, size_t cap)
{
    for (size_t j = 0; j < k; j++) {
        if (isfinite(se[j]) && se[j] <= 1e3 * fabs(val[j]))
            continue;
        size_t len = strlen(note);
        if (len + 2 >= cap)
            return;
        snprintf(note + len, cap - len,
                 "%s%s not identified (standard error %.3g)", len ? "; " : "",
                 names[j], se[j]);
        *boundary = true;
    }
}
