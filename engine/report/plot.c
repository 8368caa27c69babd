/* Line charts: fan charts, step curves, ROC and tracking curves.  See
 * chart.h. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report/frame.h"

/* Hover dots (a <title> each) are drawn for lines of at most this many
 * points. */
#define HOVER_MAX 400

static void data_range(const hz__plot *p, double *xlo, double *xhi,
                       double *ylo, double *yhi)
{
    *xlo = *ylo = INFINITY;
    *xhi = *yhi = -INFINITY;
    for (size_t k = 0; k < p->nlines; k++) {
        const hz__line *l = &p->lines[k];
        for (size_t i = 0; i < l->n; i++) {
            if (!isfinite(l->x[i]) || !isfinite(l->y[i]))
                continue;
            *xlo = fmin(*xlo, l->x[i]);
            *xhi = fmax(*xhi, l->x[i]);
            *ylo = fmin(*ylo, l->y[i]);
            *yhi = fmax(*yhi, l->y[i]);
        }
    }
    for (size_t k = 0; k < p->nbands; k++) {
        const hz__band *d = &p->bands[k];
        for (size_t i = 0; i < d->n; i++) {
            if (!isfinite(d->x[i]) || !isfinite(d->lo[i]) ||
                !isfinite(d->hi[i]))
                continue;
            *xlo = fmin(*xlo, d->x[i]);
            *xhi = fmax(*xhi, d->x[i]);
            *ylo = fmin(*ylo, d->lo[i]);
            *yhi = fmax(*yhi, d->hi[i]);
        }
    }
    if (p->y.kind == HZ__AXIS_LOG && *ylo <= 0)
        *ylo = NAN;
}

static void point(hz__buf *b, const hz__frame *f, char cmd, double x, double y)
{
    hz__buf_putc(b, cmd);
    hz__buf_px(b, hz__fx(f, x));
    hz__buf_putc(b, ' ');
    hz__buf_px(b, hz__fy(f, y));
}

static bool usable(const hz__frame *f, double x, double y)
{
    return isfinite(x) && isfinite(y) && (f->ykind != HZ__AXIS_LOG || y > 0);
}

static void band_path(hz__buf *b, const hz__frame *f, const hz__band *d)
{
    /* one closed polygon per run of finite points */
    size_t i = 0;
    while (i < d->n) {
        while (i < d->n &&
               !(usable(f, d->x[i], d->lo[i]) && usable(f, d->x[i], d->hi[i])))
            i++;
        size_t s = i;
        while (i < d->n && usable(f, d->x[i], d->lo[i]) &&
               usable(f, d->x[i], d->hi[i]))
            i++;
        if (i == s)
            break;
        for (size_t j = s; j < i; j++)
            point(b, f, j == s ? 'M' : 'L', d->x[j], d->hi[j]);
        for (size_t j = i; j-- > s;)
            point(b, f, 'L', d->x[j], d->lo[j]);
        hz__buf_putc(b, 'Z');
    }
}

static void line_path(hz__buf *b, const hz__frame *f, const hz__line *l)
{
    bool pen = false;
    double py = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (!usable(f, l->x[i], l->y[i])) {
            pen = false;
            continue;
        }
        if (!pen && (i + 1 == l->n || !usable(f, l->x[i + 1], l->y[i + 1]))) {
            /* a point alone (one observation, one between gaps): a path
             * to itself draws nothing, so a short dash across it */
            point(b, f, 'M', l->x[i], l->y[i]);
            hz__buf_puts(b, "m-3 0h6");
            continue;
        }
        if (pen && l->style == HZ__STEP) {
            hz__buf_putc(b, 'H');
            hz__buf_px(b, hz__fx(f, l->x[i]));
            if (l->y[i] != py) {
                hz__buf_putc(b, 'V');
                hz__buf_px(b, hz__fy(f, l->y[i]));
            }
        } else {
            point(b, f, pen ? 'L' : 'M', l->x[i], l->y[i]);
        }
        pen = true;
        py = l->y[i];
    }
}

static void hover_label(hz__buf *b, const hz__frame *f, const hz__line *l,
                        size_t i)
{
    char xs[48], ys[48];
    if (f->xkind == HZ__AXIS_DATE)
        hz__fmt_day(l->x[i], f->xmonths, xs, sizeof xs);
    else
        hz__fmt_value(l->x[i], 4, xs, sizeof xs);
    hz__fmt_value(l->y[i], 5, ys, sizeof ys);
    hz__buf_puts(b, "<title>");
    if (l->name != NULL) {
        hz__buf_esc(b, l->name);
        hz__buf_puts(b, ", ");
    }
    hz__buf_esc(b, xs);
    hz__buf_puts(b, ": ");
    hz__buf_esc(b, ys);
    hz__buf_puts(b, "</title>");
}

static void draw_line(hz__buf *b, const hz__frame *f, const hz__line *l,
                      bool compact)
{
    const char *cc = hz__colour_class(l->colour);
    hz__buf_puts(b, "<g class=\"series\" data-name=\"");
    hz__buf_esc(b, l->name ? l->name : "");
    hz__buf_puts(b, "\">");
    if (l->style != HZ__DOTS) {
        hz__buf_printf(b, "<path class=\"ln %s%s\" d=\"", cc,
                       l->style == HZ__DASHED ? " dash" : "");
        line_path(b, f, l);
        hz__buf_puts(b, "\"/>");
    }
    bool dots = l->style == HZ__DOTS;
    if (dots || (!compact && l->n <= HOVER_MAX)) {
        for (size_t i = 0; i < l->n; i++) {
            if (!usable(f, l->x[i], l->y[i]))
                continue;
            hz__buf_printf(b, "<circle class=\"%s %s\" cx=\"",
                           dots ? "pt" : "hv", cc);
            hz__buf_px(b, hz__fx(f, l->x[i]));
            hz__buf_puts(b, "\" cy=\"");
            hz__buf_px(b, hz__fy(f, l->y[i]));
            hz__buf_printf(b, "\" r=\"%s\">", dots ? "3" : "4");
            hover_label(b, f, l, i);
            hz__buf_puts(b, "</circle>");
        }
    }
    hz__buf_puts(b, "</g>");
}

static bool finite_point(const hz__plot *p, double x, double y)
{
    return isfinite(x) && isfinite(y) && (p->y.kind != HZ__AXIS_LOG || y > 0);
}

/* The legend names what is drawn: not a band or line without one finite
 * point (no intervals from one observation, no fitted values). */
static size_t legend_items(const hz__plot *p, hz__legend_item *it, size_t cap)
{
    size_t n = 0;
    for (size_t k = 0; k < p->nbands && n < cap; k++) {
        const hz__band *d = &p->bands[k];
        size_t i = 0;
        while (i < d->n && !(finite_point(p, d->x[i], d->lo[i]) &&
                             finite_point(p, d->x[i], d->hi[i])))
            i++;
        if (i < d->n)
            it[n++] = (hz__legend_item){d->name, d->colour,
                                        d->shade ? 'B' : 'b'};
    }
    for (size_t k = 0; k < p->nlines && n < cap; k++) {
        const hz__line *l = &p->lines[k];
        size_t i = 0;
        while (i < l->n && !finite_point(p, l->x[i], l->y[i]))
            i++;
        if (i < l->n)
            it[n++] = (hz__legend_item){l->name, l->colour,
                                        l->style == HZ__DASHED ? 'd' : 'l'};
    }
    return n;
}

void hz__svg_plot(hz__buf *b, const hz__plot *p)
{
    hz__frame f;
    memset(&f, 0, sizeof f);
    double xlo, xhi, ylo, yhi;
    data_range(p, &xlo, &xhi, &ylo, &yhi);
    if (p->diagonal) {
        ylo = fmin(ylo, xlo);
        yhi = fmax(yhi, xhi);
    }
    if (isfinite(p->marker_x)) {
        xlo = fmin(xlo, p->marker_x);
        xhi = fmax(xhi, p->marker_x);
    }
    int xt = p->compact ? 3 : p->width / 90, yt = p->compact ? 3 : 5;
    hz__frame_x(&f, &p->x, xlo, xhi, xt);
    hz__frame_y(&f, &p->y, ylo, yhi, yt);
    f.xmonths = p->x.months;
    hz__legend_item items[16];
    size_t nit = p->compact ? 0 : legend_items(p, items, 16);
    bool xtitle = !p->compact && p->x.label != NULL;
    bool ytitle = !p->compact && p->y.label != NULL;
    /* the left margin does not depend on the legend's height */
    hz__frame_layout(&f, p->width, p->height, xtitle, ytitle, 0);
    double lh = hz__svg_legend(b, items, nit, f.l, p->width - 14, 0, false);
    hz__frame_layout(&f, p->width, p->height, xtitle, ytitle, lh);
    hz__svg_open(b, p->kind ? p->kind : "lines", p->nlines + p->nbands,
                 p->width, p->height, p->title);
    hz__svg_axes(b, &f, xtitle ? p->x.label : NULL,
                 ytitle ? p->y.label : NULL);
    for (size_t k = 0; k < p->nbands; k++) {
        const hz__band *d = &p->bands[k];
        hz__buf_puts(b, "<g class=\"series\" data-name=\"");
        hz__buf_esc(b, d->name ? d->name : "");
        hz__buf_printf(b, "\"><path class=\"band %s s%d\" d=\"",
                       hz__colour_class(d->colour), d->shade ? 1 : 0);
        band_path(b, &f, d);
        hz__buf_puts(b, "\"/></g>");
    }
    if (p->diagonal) {
        double lo = fmax(f.xlo, f.ylo), hi = fmin(f.xhi, f.yhi);
        hz__buf_puts(b, "<path class=\"ref\" d=\"");
        point(b, &f, 'M', lo, lo);
        point(b, &f, 'L', hi, hi);
        hz__buf_puts(b, "\"/>");
    }
    if (isfinite(p->marker_x)) {
        hz__buf_puts(b, "<path class=\"ref\" d=\"M");
        hz__buf_px(b, hz__fx(&f, p->marker_x));
        hz__buf_putc(b, ' ');
        hz__buf_px(b, f.t);
        hz__buf_puts(b, "V");
        hz__buf_px(b, f.b);
        hz__buf_puts(b, "\"/>");
    }
    for (size_t k = 0; k < p->nlines; k++)
        draw_line(b, &f, &p->lines[k], p->compact);
    hz__svg_legend(b, items, nit, f.l, p->width - 14, 14, true);
    hz__svg_close(b);
}
