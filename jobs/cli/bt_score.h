/* The measures of `horizon backtest`: one forecast scored against its
 * held-out values (M4 sMAPE and MASE, M5 RMSSE, interval coverage, MSIS,
 * SPL), and the number formats of its tables (shared by cmd_backtest.c
 * and the reconciled backtest, bt_recon.c). */
#ifndef HZ_BT_SCORE_H
#define HZ_BT_SCORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "horizon/forecast.h"

/* One (series, origin, model): ok when sMAPE and MASE are defined; ivl
 * when the forecast has intervals (every bound a number), so that its
 * coverage, MSIS and SPL are defined too; model_ivl when some of them
 * are the model's although conformal ones were asked for. */
typedef struct hz__bt_cell {
    double smape, mase, rmsse, cov[HZ_FC_MAX_LEVELS], msis, spl;
    int ok, ivl, fallback, model_ivl, done;
    char method[80]; /* a reconciled node's: its model's and " [mint]" */
} hz__bt_cell;

/* Scores of fc (its first h steps) against y[0..h), the training values
 * train[0..ntr) giving the scales (period: MASE's and MSIS's lag). */
void hz__bt_score(const double *train, size_t ntr, int period, const double *y,
                  size_t h, const hz_forecast *fc, hz__bt_cell *cl);
/* ok: scored; no-intervals: sMAPE and MASE scored, but the forecast has
 * no intervals (a seasonal naive trained on one season), so coverage,
 * MSIS and SPL are empty; undefined: forecast, but MASE (or sMAPE) has
 * no value there (a training history constant at the seasonal lag, such
 * as a product that never sold, has no MASE scale); failed: no
 * forecast. */
const char *hz__bt_cell_status(const hz__bt_cell *cl);

/* s / n; NaN when n is 0 (no pair to average: written empty, null or
 * '-'). */
double hz__bt_mean(double s, size_t n);
/* A CSV field, quoted when it needs to be. */
void hz__bt_csv_field(FILE *f, const char *s);
/* v in a CSV field: 10 significant digits, empty when not finite. */
void hz__bt_csv_num(FILE *f, double v);
/* ",v" as a CSV field: 6 significant digits, empty when not finite. */
void hz__bt_csv_num6(FILE *f, double v);
/* v as JSON: 6 significant digits, null when not finite (no pair to
 * average, an OWA against a Naive2 of 0).  (The engine's writer,
 * hz__json_num, is internal to it.) */
void hz__bt_json_num(FILE *f, double v);
/* v in a column of the text table, '-' when not finite. */
void hz__bt_txt_num(FILE *f, const char *sep, int width, int prec, double v);

#endif
