/* The single-series dispatcher: checks, the combinations, and the
 * fallback chain of engine/forecast/models.c. */
#include <math.h>
#include <string.h>

#include "forecast/fc_models.h"
#include "horizon/combo.h"
#include "horizon/forecast.h"

/* combo: mean of ETS, Theta and ARIMA */
static hz_status fc_combo(const hz__fc_in *in, hz_forecast *out, hz_error *err)
{
    // cppcheck-suppress uninitvar ; initialised right here
    const hz__fc_fn members[] = {hz__fc_single(HZ_MODEL_ETS),
                                 hz__fc_single(HZ_MODEL_THETA),
                                 hz__fc_single(HZ_MODEL_ARIMA)};
    return hz__fc_mean_members(in, members, 3, out, err);
}

/* select: per-series choice by rolling-origin validation (combo.c) */
static hz_status fc_select(const hz__fc_in *in, hz_forecast *out,
                           hz_error *err)
{
    hz_select_opts o;
    hz_select_opts_init(&o);
    o.seed = in->seed;
    return hz_select_forecast(in->y, in->n, in->period, &o, in->w, out, NULL,
                              err);
}

static hz__fc_fn model_fn(int model)
{
    switch (model) {
    case HZ_MODEL_AUTO: return hz__fc_auto;
    case HZ_MODEL_COMBO: return fc_combo;
    case HZ_MODEL_SELECT: return fc_select;
    default: return hz__fc_single(model);
    }
}

hz_status hz_forecast_series_seasons(const double *y, size_t n,
                                     const hz_seasons *seasons, int period,
                                     int model, uint64_t seed,
                                     hz_fc_workspace *w, hz_forecast *out,
                                     hz_error *err)
{
    if (y == NULL || out == NULL)
        return hz_error_set(err, HZ_EINVAL, "forecast: null argument");
    if (n == 0)
        return hz_error_set(err, HZ_ETOOSHORT,
                            "forecast: series has no observations");
    for (size_t i = 0; i < n; i++)
        if (!isfinite(y[i]))
            return hz_error_set(err, HZ_EINVAL,
                                "forecast: non-finite value at position "
                                "%zu",
                                i);
    hz__fc_fn fn = model_fn(model);
    if (fn == NULL)
        return hz_error_set(err, HZ_EINVAL, "forecast: unknown model %d",
                            model);
    hz_fc_workspace *own = NULL;
    if (w == NULL) {
        own = w = hz_fc_workspace_alloc(n);
        if (w == NULL)
            return hz_error_set(err, HZ_ENOMEM, "forecast: out of memory");
    }
    hz__fc_in in;
    memset(&in, 0, sizeof in);
    in.y = y;
    in.n = n;
    in.period = period;
    if (seasons != NULL)
        in.seasons = *seasons;
    in.seed = seed;
    in.w = w;
    hz__fc_in_seasons(&in);
    hz_status st = hz__fc_run_chain(model, fn, &in, out, err);
    hz_fc_workspace_free(own);
    return st;
}

hz_status hz_forecast_series(const double *y, size_t n, int period, int model,
                             uint64_t seed, hz_fc_workspace *w,
                             hz_forecast *out, hz_error *err)
{
    return hz_forecast_series_seasons(y, n, NULL, period, model, seed, w, out,
                                      err);
}
