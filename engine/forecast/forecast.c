/* The forecast result type.  The models and the dispatcher are in
 * models.c, dispatch.c, auto.c and combo.c; the request runner over a
 * dataset in request.c, its writers in fc_write.c. */
#pragma GCC diagnostic ignored "-Wformat-truncation"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/textout.h"
#include "horizon/forecast.h"

hz_forecast *hz_forecast_alloc(size_t h, size_t nlevels, const double *levels)
{
    if (h == 0 || nlevels > HZ_FC_MAX_LEVELS ||
        (nlevels > 0 && levels == NULL))
        return NULL;
    for (size_t k = 0; k < nlevels; k++)
        if (!(levels[k] > 0 && levels[k] < 100))
            return NULL;
    hz_forecast *f = calloc(1, sizeof *f);
    if (f == NULL)
        return NULL;
    f->h = h;
    f->nlevels = nlevels;
    f->mean = malloc(h * (1 + 2 * nlevels) * sizeof(double));
    if (f->mean == NULL) {
        free(f);
        return NULL;
    }
    for (size_t k = 0; k < nlevels; k++) {
        f->levels[k] = levels[k];
        f->lower[k] = f->mean + h * (1 + 2 * k);
        f->upper[k] = f->mean + h * (2 + 2 * k);
    }
    hz_forecast_reset(f);
    return f;
}

void hz_forecast_free(hz_forecast *f)
{
    if (f == NULL)
        return;
    free(f->mean);
    free(f);
}

size_t hz_forecast_widest_level(const hz_forecast *f)
{
    if (f == NULL || f->nlevels == 0)
        return SIZE_MAX;
    size_t w = 0;
    for (size_t l = 1; l < f->nlevels; l++)
        if (f->levels[l] > f->levels[w])
            w = l;
    return w;
}

void hz_forecast_reset(hz_forecast *f)
{
    if (f == NULL)
        return;
    for (size_t i = 0; i < f->h * (1 + 2 * f->nlevels); i++)
        f->mean[i] = NAN;
    f->method[0] = '\0';
    f->note[0] = '\0';
    f->params[0] = '\0';
    f->loglik = f->aic = f->aicc = f->bic = NAN;
    f->sigma2 = NAN;
    for (size_t i = 0; f->fitted != NULL && i < f->fitted_cap; i++)
        f->fitted[i] = NAN;
}
