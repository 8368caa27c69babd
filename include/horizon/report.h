/* HTML reports: one self-contained file with charts for forecasts,
 * backtests and customer analyses.
 *
 * The page is written by the engine itself: inline SVG charts (fan
 * charts, small multiples, bars, histograms, a heat map, a scatter plot,
 * ROC and step curves), inline CSS (light and dark through
 * prefers-color-scheme, a print style) and a few lines of inline script
 * that only sort tables and open the data tables before printing.  It
 * makes no external request and reads well without JavaScript: every
 * chart has a caption and the numbers behind it as a table, and points,
 * bars and cells carry native tooltips.  Colours are the Okabe-Ito
 * palette (colour-blind safe) and a viridis scale for the heat map.
 *
 * Build a report by adding parts, then write it:
 *
 *   hz_report *rep = hz_report_new(&opt);
 *   hz_report_forecast(rep, result, "revenue, sum per month", &err);
 *   hz_report_write(rep, f, &err);
 *   hz_report_free(rep);
 *
 * The same parts and options always give the same bytes (no clock, no
 * randomness, no addresses).  Errors: HZ_EINVAL (NULL arguments, a part
 * with nothing to show), HZ_ENOMEM, HZ_EIO (write). */
#ifndef HORIZON_REPORT_H
#define HORIZON_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "horizon/analytics.h"
#include "horizon/analytics_view.h"
#include "horizon/common.h"
#include "horizon/forecast.h"
#include "horizon/summary.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hz_report hz_report;

typedef struct hz_report_options {
    const char *title;    /* page title; NULL = "Horizon report" */
    const char *subtitle; /* e.g. the input file and command; may be NULL */
    size_t full_series;   /* series drawn as full fan charts when a
                             forecast has at most this many (default 4;
                             0 = always small multiples) */
    size_t multiples;     /* otherwise: small multiples of the largest
                             series (default 12; 0 = the default) */
    size_t scatter_max;   /* points of the RFM scatter (default 2000, 0 =
                             the default; a deterministic sample beyond) */
} hz_report_options;

HZ_API void hz_report_options_init(hz_report_options *o);

/* A new, empty report; NULL on ENOMEM.  opt may be NULL (defaults). */
HZ_API hz_report *hz_report_new(const hz_report_options *opt);
HZ_API void hz_report_free(hz_report *r); /* NULL allowed */

/* The narrative shown at the top (an LLM's or a template's text), with
 * who wrote it and its token counts (< 0 = unknown, not shown). */
typedef struct hz_report_narrative_in {
    const char *text;   /* paragraphs separated by blank lines */
    const char *source; /* "gpt-4o-mini", "offline template", ... */
    long prompt_tokens, completion_tokens;
    bool is_template; /* the offline template: completion_tokens counts
                         its text (no model wrote it) */
    /* summary items left out of the prompt (and so of the narrative) to
     * fit its token budget: said under the narrative when > 0 */
    long items_dropped;
} hz_report_narrative_in;

HZ_API hz_status hz_report_narrative(hz_report *r,
                                     const hz_report_narrative_in *n,
                                     hz_error *err);

/* Key figures: the items of a ranked summary (summary.h), in its order. */
HZ_API hz_status hz_report_summary(hz_report *r, const hz_summary *s,
                                   hz_error *err);

/* A forecast: per-series fan charts (history, point forecast, interval
 * bands) with the model and its criteria when there are few series;
 * otherwise the total, small multiples of the largest series and the
 * models chosen; always a sortable table of every series.  value_label
 * names the plotted quantity with its unit ("revenue, sum per month");
 * NULL = "value". */
HZ_API hz_status hz_report_forecast(hz_report *r, const hz_forecast_result *fc,
                                    const char *value_label, hz_error *err);

/* A backtest, as plain arrays. */
typedef struct hz_report_backtest_in {
    size_t nmodels;
    const char *const *model; /* [nmodels] names */
    const double *smape;      /* [nmodels] mean sMAPE (percent) */
    const double *mase;       /* [nmodels] mean MASE */
    const double *owa;        /* [nmodels] OWA against Naive2 */
    size_t nlevels;
    const double *levels;   /* [nlevels] nominal coverage, percent */
    const double *coverage; /* [nmodels * nlevels] observed, fraction */
    size_t npairs;          /* (series, origin) pairs scored by every model */
    const double *pair_smape; /* [nmodels * npairs] per-pair sMAPE, or NULL */
    const double *pair_mase;  /* [nmodels * npairs] per-pair MASE, or NULL */
    size_t nseries, horizon, origins;
    const char *freq;   /* "month", ... */
    const double *msis; /* [nmodels] mean MSIS of the widest interval, or
                           NULL */
    const double *spl;  /* [nmodels] mean scaled pinball loss, or NULL */
    double msis_level;  /* the level MSIS scores, percent */
    /* [nmodels] the pairs behind each model's coverage, MSIS and SPL:
     * those of the npairs where its forecast has intervals (a model with
     * none has NaN there, drawn as no bar and an empty cell); NULL: all
     * npairs */
    const size_t *interval_pairs;
} hz_report_backtest_in;

HZ_API hz_status hz_report_backtest(hz_report *r,
                                    const hz_report_backtest_in *bt,
                                    hz_error *err);

/* A customer analysis (any kind: CLV, churn, segments or the suite):
 * calibration against the holdout (with --calibration-end), the P(alive)
 * matrix over recency and frequency, the CLV distribution, segment sizes
 * and revenue shares, the RFM scatter coloured by segment, churn drivers
 * (with intervals when known), the ROC curve of the out-of-fold
 * probabilities, the distribution of churn risk, and the failed parts'
 * errors. */
HZ_API hz_status hz_report_customers(hz_report *r, const hz_analytics_view *v,
                                     hz_error *err);

/* A customer analysis from its result: hz_report_customers of its view,
 * then what the view does not carry: the cumulative tracking of repeat
 * purchases week by week against each purchase model's expectation (with
 * --calibration-end; holdout.h) and, for a survival analysis, the
 * Kaplan-Meier curve with its 95% band and the Cox model's hazard ratios
 * with intervals (survival.h). */
HZ_API hz_status hz_report_analysis(hz_report *r,
                                    const hz_analytics_result *res,
                                    hz_error *err);

/* Write the page.  Without a narrative the page holds the marker
 * HZ_REPORT_NARRATIVE_SLOT where one belongs (hz_report_splice_narrative
 * fills it in later, e.g. after a job's LLM step). */
HZ_API hz_status hz_report_write(const hz_report *r, FILE *f, hz_error *err);
/* The page in a new buffer (*html, NUL-terminated, caller frees). */
HZ_API hz_status hz_report_render(const hz_report *r, char **html, size_t *len,
                                  hz_error *err);

#define HZ_REPORT_NARRATIVE_SLOT "<!--hz:narrative-->"

/* Copy html with its narrative slot replaced by the narrative section
 * (an unchanged copy when the page has no slot).  *out is malloc'd. */
HZ_API hz_status hz_report_splice_narrative(const char *html, size_t len,
                                            const hz_report_narrative_in *n,
                                            char **out, size_t *out_len,
                                            hz_error *err);

#ifdef __cplusplus
}
#endif
#endif
