/* Build small datasets by hand for the forecasting tests. */
#ifndef HZ_FC_TESTDS_H
#define HZ_FC_TESTDS_H

#include <stdlib.h>
#include <string.h>

#include "horizon/dataset.h"

static void ds_add_dates(hz_dataset *ds, const char *name, const int32_t *days)
{
    hz_column c;
    memset(&c, 0, sizeof c);
    c.name = (char *)name;
    c.type = HZ_TYPE_DATE;
    c.datefmt = HZ_DATEFMT_ISO;
    c.v.date = malloc(ds->nrows * sizeof(int32_t));
    memcpy(c.v.date, days, ds->nrows * sizeof(int32_t));
    hz_dataset_add_column(ds, &c, NULL);
}

static void ds_add_f64(hz_dataset *ds, const char *name, const double *v)
{
    hz_column c;
    memset(&c, 0, sizeof c);
    c.name = (char *)name;
    c.type = HZ_TYPE_FLOAT64;
    c.v.f64 = malloc(ds->nrows * sizeof(double));
    memcpy(c.v.f64, v, ds->nrows * sizeof(double));
    hz_dataset_add_column(ds, &c, NULL);
}

static void ds_add_str(hz_dataset *ds, const char *name, const char *const *v)
{
    hz_column c;
    memset(&c, 0, sizeof c);
    c.name = (char *)name;
    c.type = HZ_TYPE_STRING;
    c.dict = hz_dict_new();
    c.v.code = malloc(ds->nrows * sizeof(uint32_t));
    for (size_t i = 0; i < ds->nrows; i++) {
        /* v has ds->nrows texts (hz_dataset_new's count, which the
         * analyzer does not see from here):
         * NOLINTNEXTLINE(clang-analyzer-core.uninitialized.Assign) */
        const char *s = v[i];
        c.v.code[i] = hz_dict_intern(c.dict, s, strlen(s));
    }
    hz_dataset_add_column(ds, &c, NULL);
}

#endif
