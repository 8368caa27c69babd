/* Horizon: the whole public API in one include.
 *
 *   #include <horizon/horizon.h>
 *   cc prog.c $(pkg-config --cflags --libs horizon)
 *
 * Each header can also be included on its own. */
#ifndef HORIZON_HORIZON_H
#define HORIZON_HORIZON_H

#include "horizon/analytics.h"
#include "horizon/analytics_view.h"
#include "horizon/arima.h"
#include "horizon/baseline.h"
#include "horizon/bgnbd.h"
#include "horizon/clv.h"
#include "horizon/combo.h"
#include "horizon/common.h"
#include "horizon/csv.h"
#include "horizon/customer.h"
#include "horizon/dataset.h"
#include "horizon/dhr.h"
#include "horizon/ets.h"
#include "horizon/forecast.h"
#include "horizon/gammagamma.h"
#include "horizon/gen.h"
#include "horizon/holdout.h"
#include "horizon/intermittent.h"
#include "horizon/kmeans.h"
#include "horizon/logreg.h"
#include "horizon/metrics.h"
#include "horizon/mstl.h"
#include "horizon/outfile.h"
#include "horizon/pnbd.h"
#include "horizon/profile.h"
#include "horizon/reconcile.h"
#include "horizon/report.h"
#include "horizon/rfm.h"
#include "horizon/rng.h"
#include "horizon/series.h"
#include "horizon/summary.h"
#include "horizon/survival.h"
#include "horizon/theta.h"
#include "horizon/threads.h"
#include "horizon/export.h"
#include "horizon/version.h"

#endif
