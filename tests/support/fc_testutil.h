/* Helpers for the forecasting tests: load a classic series. */
#ifndef HZ_FC_TESTUTIL_H
#define HZ_FC_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hz_test.h"

/* Values of series `name` from classic_series.csv into y (max cap);
 * returns count, 0 when the shared data is absent. */
static size_t load_classic(const char *name, double *y, size_t cap)
{
    char path[1024];
    if (hz_test_shared("classic/classic_series.csv", path, sizeof path) ==
        NULL)
        return 0;
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 0;
    char line[256];
    size_t n = 0, len = strlen(name);
    while (fgets(line, sizeof line, f) && n < cap) {
        if (strncmp(line, name, len) != 0 || line[len] != ',')
            continue;
        char *p = strrchr(line, ',');
        y[n++] = atof(p + 1);
    }
    fclose(f);
    return n;
}

#endif
