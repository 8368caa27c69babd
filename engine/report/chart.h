/* Internal: the report's chart primitives.  Each draws one inline SVG
 * from plain data (arrays and labels) into a text buffer; none knows
 * about forecasts or customers.  Not a public header.
 *
 * Every chart is an <svg class="hz-svg" data-kind=KIND data-series=N>
 * whose data series are <g class="series" data-name=NAME> groups (N of
 * them), with a <title> for screen readers and native tooltips (<title>
 * on points, bars and cells) for hover without JavaScript.  Colours are
 * CSS classes c0..c7 (Okabe-Ito, colour-blind safe; redefined for dark
 * mode by the page's style sheet); the heat map's sequential scale
 * (viridis) is written inline.  Coordinates have one decimal. */
#ifndef HZ_REPORT_CHART_H
#define HZ_REPORT_CHART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report/buf.h"

/* Okabe-Ito order used for categories: orange, sky blue, bluish green,
 * blue, vermillion, reddish purple, yellow, grey. */
#define HZ__NCOLOURS 8
/* The foreground colour (history, axes): class "fg". */
#define HZ__FG (-1)

enum { HZ__AXIS_LINEAR = 0, HZ__AXIS_DATE, HZ__AXIS_LOG };

typedef struct hz__axis {
    const char *label; /* title with unit, e.g. "revenue per month" */
    int kind;          /* HZ__AXIS_* (DATE: values are day numbers) */
    double min, max;   /* NaN = from the data */
    bool zero;         /* include 0 in a range taken from the data */
    bool months;       /* DATE axis of months or coarser periods: points
                          are labelled "Mar 2024" */
    bool integer;      /* counts: ticks at whole numbers only */
} hz__axis;

enum { HZ__LINE = 0, HZ__STEP, HZ__DASHED, HZ__DOTS };

typedef struct hz__line {
    const char *name;
    const double *x, *y; /* [n]; NaN y = gap */
    size_t n;
    int style;  /* HZ__LINE, HZ__STEP (post), HZ__DASHED, HZ__DOTS */
    int colour; /* palette index or HZ__FG */
} hz__line;

typedef struct hz__band {
    const char *name; /* "95% interval" */
    const double *x, *lo, *hi;
    size_t n;
    int colour;
    int shade; /* 0 = light (outer), 1 = darker (inner) */
} hz__band;

typedef struct hz__plot {
    const char *title; /* accessible name */
    int width, height; /* pixels */
    hz__axis x, y;
    const hz__line *lines;
    size_t nlines;
    const hz__band *bands;
    size_t nbands;
    bool diagonal;    /* the y = x reference line (ROC, calibration) */
    double marker_x;  /* a dotted vertical marker (NaN = none) */
    bool compact;     /* small multiple: 3 ticks an axis, no legend */
    const char *kind; /* data-kind, e.g. "fan", "roc", "lines" */
} hz__plot;

/* Lines, step curves and shaded bands on x/y axes: fan charts, ROC
 * curves, survival curves, cumulative tracking. */
void hz__svg_plot(hz__buf *b, const hz__plot *p);

typedef struct hz__bars {
    const char *title;
    int width, height;
    size_t ncat;
    const char *const *cat;   /* [ncat] category labels */
    const char *cat_label;    /* category axis title (may be NULL) */
    size_t ngroups;           /* bars per category (grouped), >= 1 */
    const char *const *group; /* [ngroups] legend names */
    const double *v;          /* [ncat * ngroups], category-major */
    const double *lo, *hi;    /* interval whiskers (NULL = none) */
    hz__axis value;           /* the value axis */
    bool horizontal;          /* categories down the side */
    size_t nref;              /* dotted reference lines on the value axis */
    const double *ref;
    const char *const *ref_label;
    const char *kind; /* data-kind */
} hz__bars;

/* Grouped bar charts, horizontal or vertical, with optional whiskers. */
void hz__svg_bars(hz__buf *b, const hz__bars *p);

typedef struct hz__hist {
    const char *title;
    int width, height;
    const double *edges;  /* [nbins + 1], increasing */
    const double *counts; /* [nbins] */
    size_t nbins;
    bool last_open;      /* last bin is "edges[nbins - 1] and above" */
    const char *x_label; /* with unit */
    const char *y_label; /* "customers", "series" */
} hz__hist;

/* A histogram from bin edges and counts (hz__hist_bins makes them). */
void hz__svg_hist(hz__buf *b, const hz__hist *p);

/* Bin the finite values of v[0..n) into at most nbins bins of a nice
 * width from min(v) (or 0 when all values are >= 0 and min is near it)
 * up to the `cap_q` quantile (1 = the maximum); values above the cap go
 * into a last open bin.  edges [nbins + 2], counts [nbins + 1].  Returns
 * the number of bins (0 when no finite value); *open says whether the
 * last one is open. */
size_t hz__hist_bins(const double *v, size_t n, size_t nbins, double cap_q,
                     double *edges, double *counts, bool *open);

typedef struct hz__heat {
    const char *title;
    int width, height;
    size_t nrows, ncols;
    const char *const *row; /* [nrows] labels, top to bottom */
    const char *const *col; /* [ncols] labels, left to right */
    const char *row_label, *col_label, *value_label;
    const double *v;      /* [nrows * ncols], row-major; NaN = empty */
    const double *weight; /* optional [nrows * ncols] (e.g. customers),
                             shown in the tooltip */
    double vmin, vmax;    /* colour scale range */
    bool percent;         /* v are probabilities: tooltips in whole
                             percent as the table beside (">99%", not
                             "1"; hz__fmt_pct_whole) */
} hz__heat;

/* A heat map on a viridis scale with a colour bar. */
void hz__svg_heat(hz__buf *b, const hz__heat *p);

typedef struct hz__scatter {
    const char *title;
    int width, height;
    hz__axis x, y;
    const double *xv, *yv;
    const uint8_t *group; /* [n] group of each point (NULL = one group) */
    size_t n;
    size_t ngroups;
    const char *const *group_name;
} hz__scatter;

/* Points coloured by group (one series per group that has points). */
void hz__svg_scatter(hz__buf *b, const hz__scatter *p);

/* The viridis colour of t in [0, 1] as "#rrggbb" (buf >= 8 bytes). */
void hz__viridis(double t, char *buf);

/* ---- figures and tables (HTML around the charts) ---- */

/* <figure class="hz-fig" id=ID><h3 id=ID-h>TITLE</h3> ...: the tables
 * until hz__fig_end are named by the heading. */
void hz__fig_begin(hz__buf *b, const char *id, const char *title);
/* <figcaption>CAPTION</figcaption>; then the numbers (a table started
 * with hz__table_begin inside <details>) and hz__fig_end. */
void hz__fig_caption(hz__buf *b, const char *caption);
void hz__fig_end(hz__buf *b);

/* A data table (HTML5 rows; </tr> is implied).  `sortable` makes its
 * header clickable (inline script).  A non-NULL summary wraps the table
 * in <details><summary>SUMMARY</summary> (closed; opened for printing);
 * pass the same to hz__table_end.  Its accessible name (aria-labelledby,
 * as a screen reader announces it) is the open figure's heading, else the
 * section's, and the summary; each row's first cell is its header (th
 * scope=row). */
void hz__table_begin(hz__buf *b, const char *summary, bool sortable,
                     size_t ncols, const char *const *head);
void hz__table_row(hz__buf *b); /* starts a row */
void hz__table_str(hz__buf *b, const char *s);
void hz__table_num(hz__buf *b, double v); /* 6 significant digits */
void hz__table_int(hz__buf *b, long long v);
void hz__table_end(hz__buf *b, const char *summary);

#endif
