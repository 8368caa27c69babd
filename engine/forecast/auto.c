/* The default model (`auto`): what it combines and when. */
#include "forecast/fc_models.h"
#include "horizon/forecast.h"

/* auto: the equal-weight mean of auto-ETS and Theta.  Combining the two
 * beats either alone on M3 monthly (README "Forecasting") at the cost of
 * auto-ETS, where adding ARIMA (combo) would cost ten times more. */
hz_status hz__fc_auto(const hz__fc_in *in, hz_forecast *out, hz_error *err)
{
    const hz__fc_fn members[] = {hz__fc_ets_fast,
                                 hz__fc_single(HZ_MODEL_THETA)};
    return hz__fc_mean_members(in, members, 2, out, err);
}
