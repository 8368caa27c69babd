/* horizon backtest --reconcile: at every origin, every node of the --by
 * hierarchy (total, each prefix level, the groups) forecast and
 * reconciled as `horizon forecast --reconcile` does it (the engine's
 * hz_forecast_run_set), base and reconciled forecasts scored per level
 * side by side. */
#ifndef HZ_BT_RECON_H
#define HZ_BT_RECON_H

#include <stddef.h>

#include "horizon/forecast.h"
#include "horizon/series.h"

typedef struct hz__bt_recon {
    const hz_series_set *set;      /* the groups' series, whole */
    const hz_forecast_request *rq; /* complete, with reconcile; its model
                                      is replaced by each of models */
    size_t origins;
    const int *models;
    size_t nmod;
    int json;
    const char *outpath, *perpath; /* -o (CSV), --per-series; NULL: none
                                      (-o NULL: the table on stdout) */
} hz__bt_recon;

/* Run the backtest and write its outputs (whole or none); an exit code,
 * after a message naming the origin when a forecast was refused. */
int hz__bt_recon_run(const char *cmd, const hz__bt_recon *a);

#endif
