/* Internal: what the chart files share: the plot frame (data range to
 * pixels, ticks, margins), the <svg> element, axes and legends.  Not a
 * public header. */
#ifndef HZ_REPORT_FRAME_H
#define HZ_REPORT_FRAME_H

#include "report/chart.h"
#include "report/scale.h"

/* Approximate width of a label in the charts' 12 px font. */
#define HZ__CHAR_PX 7.0

typedef struct hz__frame {
    int width, height;
    double l, r, t, b; /* plot box in pixels: left, right, top, bottom */
    double xlo, xhi, ylo, yhi;
    int xkind, ykind;
    bool xmonths; /* date axis whose values are months: hover "Mar 2024" */
    hz__ticks xt, yt;
} hz__frame;

/* The range of an axis from data [dlo, dhi] (NaN = none) and the axis
 * spec, with ticks for about `target` intervals; x or y. */
void hz__frame_x(hz__frame *f, const hz__axis *ax, double dlo, double dhi,
                 int target);
void hz__frame_y(hz__frame *f, const hz__axis *ax, double dlo, double dhi,
                 int target);
/* Margins from the tick labels and axis titles; top = room above the
 * plot (legend). */
void hz__frame_layout(hz__frame *f, int width, int height, bool xtitle,
                      bool ytitle, double top);
double hz__fx(const hz__frame *f, double v);
double hz__fy(const hz__frame *f, double v);

/* <svg ...><title>TITLE</title> and </svg>. */
void hz__svg_open(hz__buf *b, const char *kind, size_t nseries, int width,
                  int height, const char *title);
void hz__svg_close(hz__buf *b);
/* Grid, ticks, tick labels and axis titles (NULL = none). */
void hz__svg_axes(hz__buf *b, const hz__frame *f, const char *xtitle,
                  const char *ytitle);

/* A legend in the top margin: items are (name, colour, kind) with kind
 * 'l' line, 'd' dashed, 'b' band (shade 0/1 as kind 'b'/'B'), 'r' box,
 * 'o' dot, 's' square marker.
 * Returns the height used (0 when there are no items); with draw false
 * only measures. */
typedef struct hz__legend_item {
    const char *name;
    int colour;
    char kind;
} hz__legend_item;
double hz__svg_legend(hz__buf *b, const hz__legend_item *it, size_t n,
                      double x0, double x1, double y0, bool draw);

/* The class of a palette colour: "c3" or "fg". */
const char *hz__colour_class(int colour);

#endif
