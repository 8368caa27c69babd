/* Internal: the model registry shared by the dispatcher, the
 * combinations and the automatic choice (engine/forecast only).
 *
 * Every model is a function of one hz__fc_in (the series, its seasons and
 * the per-thread workspace) into an hz_forecast.  models.c holds the
 * single models and their fallbacks; combo.c, auto.c and dispatch.c build
 * on it (models.c calls none of them). */
#ifndef HZ_FC_MODELS_H
#define HZ_FC_MODELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "horizon/ets.h"
#include "horizon/forecast.h"

/* One series to forecast. */
typedef struct hz__fc_in {
    const double *y; /* [n] finite values */
    size_t n;
    int period;         /* primary integer seasonal period (1: none) */
    hz_seasons seasons; /* every seasonal period (n 0: none) */
    uint64_t seed;      /* drives any simulation */
    hz_fc_workspace *w; /* never NULL */
} hz__fc_in;

typedef hz_status (*hz__fc_fn)(const hz__fc_in *in, hz_forecast *out,
                               hz_error *err);

/* The function of a single (non-combined) model, NULL for the
 * combinations (auto, combo, select) and unknown ids. */
hz__fc_fn hz__fc_single(int model);

/* True for a known model id. */
bool hz__fc_known(int model);

/* The next simpler model tried when `model` fails on n observations, -1
 * at the end of the chain. */
int hz__fc_fallback_of(int model, size_t n);

/* Run fn (the function of `model`) and, when it fails or its forecasts are
 * not sane (hz__fc_sane), the fallback chain of `model`; out->note says
 * what failed and what was used.  Only HZ_ENOMEM and the end of the chain
 * fail. */
hz_status hz__fc_run_chain(int model, hz__fc_fn fn, const hz__fc_in *in,
                           hz_forecast *out, hz_error *err);

/* A single model with its fallbacks (hz__fc_run_chain). */
hz_status hz__fc_run_single(int model, const hz__fc_in *in, hz_forecast *out,
                            hz_error *err);

/* The budget-limited automatic ETS that `auto` combines (300 Nelder-Mead
 * evaluations per candidate instead of R's 2000). */
hz_status hz__fc_ets_fast(const hz__fc_in *in, hz_forecast *out,
                          hz_error *err);

/* The ETS workspace of w. */
hz_ets_workspace *hz__fc_ets_ws(hz_fc_workspace *w);

/* Scratch forecast i (0 <= i < HZ__FC_NTMP) of w shaped like `like`
 * (same h and levels), reset; NULL on ENOMEM. */
#define HZ__FC_NTMP 6
hz_forecast *hz__fc_tmp(hz_fc_workspace *w, int i, const hz_forecast *like);

/* False when a forecast is not finite or leaves the scale of the data
 * (engine/forecast/guard.c). */
bool hz__fc_sane(const double *y, size_t n, const hz_forecast *f);

/* The equal-weight mean of the point forecasts and interval bounds of the
 * members fns[0..nm) that fit and give sane forecasts, named
 * "Combo(A+B)" (engine/forecast/combo.c); fails when none works. */
hz_status hz__fc_mean_members(const hz__fc_in *in, const hz__fc_fn *fns,
                              int nm, hz_forecast *out, hz_error *err);

/* The default model (engine/forecast/auto.c). */
hz_status hz__fc_auto(const hz__fc_in *in, hz_forecast *out, hz_error *err);

/* Fill in->seasons from a single period when it is empty, and in->period
 * from the seasons when it is 0. */
void hz__fc_in_seasons(hz__fc_in *in);

#endif
