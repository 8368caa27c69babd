/* Frames, axes and legends shared by the charts.  See frame.h. */
#include "report/frame.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const colour_class[HZ__NCOLOURS] = {"c0", "c1", "c2", "c3",
                                                       "c4", "c5", "c6", "c7"};

const char *hz__colour_class(int colour)
{
    if (colour < 0)
        return "fg";
    return colour_class[colour % HZ__NCOLOURS];
}

static void axis_range(const hz__axis *ax, double dlo, double dhi, int target,
                       int *kind, double *lo, double *hi, hz__ticks *t)
{
    double a = isnan(ax->min) ? dlo : ax->min;
    double b = isnan(ax->max) ? dhi : ax->max;
    *kind = ax->kind;
    if (ax->kind == HZ__AXIS_LOG && !(a > 0 && b > a))
        *kind = HZ__AXIS_LINEAR; /* nothing positive to show on a log scale */
    if (!isfinite(a) || !isfinite(b)) {
        a = 0;
        b = 1;
    }
    if (*kind == HZ__AXIS_LINEAR && ax->zero) {
        a = fmin(a, 0);
        b = fmax(b, 0);
    }
    if (*kind == HZ__AXIS_DATE) {
        if (b <= a)
            b = a + 1;
        hz__ticks_dates(a, b, target, t);
    } else if (*kind == HZ__AXIS_LOG) {
        hz__ticks_log(a, b, t);
    } else if (isnan(ax->min) || isnan(ax->max)) {
        double a0 = a, b0 = b;
        if (ax->integer)
            hz__ticks_integer(&a, &b, target, t);
        else
            hz__ticks_linear(&a, &b, target, t);
        /* keep a given bound exactly */
        if (!isnan(ax->min))
            a = a0;
        if (!isnan(ax->max))
            b = b0;
    } else {
        double a0 = a, b0 = b;
        hz__ticks_linear(&a0, &b0, target, t);
    }
    *lo = a;
    *hi = b;
}

void hz__frame_x(hz__frame *f, const hz__axis *ax, double dlo, double dhi,
                 int target)
{
    axis_range(ax, dlo, dhi, target, &f->xkind, &f->xlo, &f->xhi, &f->xt);
}

void hz__frame_y(hz__frame *f, const hz__axis *ax, double dlo, double dhi,
                 int target)
{
    axis_range(ax, dlo, dhi, target, &f->ykind, &f->ylo, &f->yhi, &f->yt);
}

void hz__frame_layout(hz__frame *f, int width, int height, bool xtitle,
                      bool ytitle, double top)
{
    size_t wmax = 1;
    for (size_t i = 0; i < f->yt.n; i++) {
        size_t w = strlen(f->yt.label[i]);
        if (w > wmax)
            wmax = w;
    }
    f->width = width;
    f->height = height;
    f->l = 10 + (double)wmax * HZ__CHAR_PX + (ytitle ? 18 : 0);
    f->r = width - 14;
    f->t = 8 + top;
    f->b = height - 20 - (xtitle ? 16 : 0);
    if (f->r < f->l + 20)
        f->r = f->l + 20;
    if (f->b < f->t + 20)
        f->b = f->t + 20;
}

static double scaled(int kind, double v, double lo, double hi, double p0,
                     double p1)
{
    double t;
    if (kind == HZ__AXIS_LOG)
        t = v > 0 ? (log(v) - log(lo)) / (log(hi) - log(lo)) : -0.05;
    else
        t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
    return p0 + t * (p1 - p0);
}

double hz__fx(const hz__frame *f, double v)
{
    return scaled(f->xkind, v, f->xlo, f->xhi, f->l, f->r);
}

double hz__fy(const hz__frame *f, double v)
{
    return scaled(f->ykind, v, f->ylo, f->yhi, f->b, f->t);
}

void hz__svg_open(hz__buf *b, const char *kind, size_t nseries, int width,
                  int height, const char *title)
{
    hz__buf_printf(b,
                   "<svg class=\"hz-svg\" xmlns=\"http://www.w3.org/2000/svg\""
                   " data-kind=\"%s\" data-series=\"%zu\" viewBox=\"0 0 %d "
                   "%d\" width=\"%d\" height=\"%d\" role=\"img\"><title>",
                   kind, nseries, width, height, width, height);
    hz__buf_esc(b, title);
    hz__buf_puts(b, "</title>");
}

void hz__svg_close(hz__buf *b)
{
    hz__buf_puts(b, "</svg>\n");
}

static void text_at(hz__buf *b, const char *cls, double x, double y,
                    const char *anchor, const char *s)
{
    hz__buf_printf(b, "<text class=\"%s\" x=\"", cls);
    hz__buf_px(b, x);
    hz__buf_puts(b, "\" y=\"");
    hz__buf_px(b, y);
    if (anchor != NULL)
        hz__buf_printf(b, "\" text-anchor=\"%s", anchor);
    hz__buf_puts(b, "\">");
    hz__buf_esc(b, s);
    hz__buf_puts(b, "</text>");
}

void hz__svg_axes(hz__buf *b, const hz__frame *f, const char *xtitle,
                  const char *ytitle)
{
    hz__buf_puts(b, "<g class=\"grid\"><path d=\"");
    for (size_t i = 0; i < f->yt.n; i++) {
        double y = hz__fy(f, f->yt.v[i]);
        if (y < f->t - 0.5 || y > f->b + 0.5)
            continue;
        hz__buf_puts(b, "M");
        hz__buf_px(b, f->l);
        hz__buf_putc(b, ' ');
        hz__buf_px(b, y);
        hz__buf_puts(b, "H");
        hz__buf_px(b, f->r);
    }
    for (size_t i = 0; i < f->xt.n; i++) {
        double x = hz__fx(f, f->xt.v[i]);
        if (x < f->l - 0.5 || x > f->r + 0.5)
            continue;
        hz__buf_puts(b, "M");
        hz__buf_px(b, x);
        hz__buf_putc(b, ' ');
        hz__buf_px(b, f->t);
        hz__buf_puts(b, "V");
        hz__buf_px(b, f->b);
    }
    hz__buf_puts(b, "\"/></g><g class=\"axis\"><path d=\"M");
    hz__buf_px(b, f->l);
    hz__buf_putc(b, ' ');
    hz__buf_px(b, f->t);
    hz__buf_puts(b, "V");
    hz__buf_px(b, f->b);
    hz__buf_puts(b, "H");
    hz__buf_px(b, f->r);
    hz__buf_puts(b, "\"/>");
    for (size_t i = 0; i < f->yt.n; i++) {
        double y = hz__fy(f, f->yt.v[i]);
        if (y < f->t - 0.5 || y > f->b + 0.5)
            continue;
        text_at(b, "tk", f->l - 5, y + 4, "end", f->yt.label[i]);
    }
    /* x labels: skip one that would overlap the previous */
    double last_end = -1e9;
    for (size_t i = 0; i < f->xt.n; i++) {
        double x = hz__fx(f, f->xt.v[i]);
        if (x < f->l - 0.5 || x > f->r + 0.5)
            continue;
        double w = (double)strlen(f->xt.label[i]) * HZ__CHAR_PX;
        double x0 = x - w / 2;
        const char *anchor = "middle";
        if (x0 < 2) {
            x0 = x;
            anchor = "start";
        } else if (x0 + w > f->width - 2) { /* not cut at the right edge */
            x0 = x - w;
            anchor = "end";
        }
        if (x0 < last_end + 6)
            continue;
        text_at(b, "tk", x, f->b + 14, anchor, f->xt.label[i]);
        last_end = x0 + w;
    }
    if (xtitle != NULL && xtitle[0])
        text_at(b, "at", (f->l + f->r) / 2, f->height - 5, "middle", xtitle);
    if (ytitle != NULL && ytitle[0]) {
        hz__buf_puts(b, "<text class=\"at\" text-anchor=\"middle\" "
                        "transform=\"translate(12 ");
        hz__buf_px(b, (f->t + f->b) / 2);
        hz__buf_puts(b, ") rotate(-90)\">");
        hz__buf_esc(b, ytitle);
        hz__buf_puts(b, "</text>");
    }
    hz__buf_puts(b, "</g>");
}

double hz__svg_legend(hz__buf *b, const hz__legend_item *it, size_t n,
                      double x0, double x1, double y0, bool draw)
{
    double x = x0, y = y0, rows = 0;
    for (size_t i = 0; i < n; i++) {
        if (it[i].name == NULL || !it[i].name[0])
            continue;
        double w = 22 + (double)strlen(it[i].name) * HZ__CHAR_PX + 14;
        if (rows == 0)
            rows = 1;
        if (x + w > x1 && x > x0) {
            x = x0;
            y += 16;
            rows++;
        }
        if (draw) {
            const char *cc = hz__colour_class(it[i].colour);
            hz__buf_puts(b, "<g class=\"lg\">");
            if (it[i].kind == 'b' || it[i].kind == 'B' || it[i].kind == 'r') {
                hz__buf_printf(b, "<rect class=\"%s %s\" x=\"", cc,
                               it[i].kind == 'r'   ? "bar"
                               : it[i].kind == 'B' ? "band s1"
                                                   : "band s0");
                hz__buf_px(b, x);
                hz__buf_puts(b, "\" y=\"");
                hz__buf_px(b, y - 9);
                hz__buf_puts(b, "\" width=\"16\" height=\"10\"/>");
            } else if (it[i].kind == 'o' || it[i].kind == 's') {
                bool sq = it[i].kind == 's';
                hz__buf_printf(b, "<%s class=\"pt %s\" %s=\"",
                               sq ? "rect" : "circle", cc, sq ? "x" : "cx");
                hz__buf_px(b, sq ? x + 4 : x + 8);
                hz__buf_printf(b, "\" %s=\"", sq ? "y" : "cy");
                hz__buf_px(b, sq ? y - 8 : y - 4);
                hz__buf_puts(b, sq ? "\" width=\"8\" height=\"8\"/>"
                                   : "\" r=\"4\"/>");
            } else {
                hz__buf_printf(b, "<path class=\"ln %s%s\" d=\"M", cc,
                               it[i].kind == 'd' ? " dash" : "");
                hz__buf_px(b, x);
                hz__buf_putc(b, ' ');
                hz__buf_px(b, y - 4);
                hz__buf_puts(b, "h16\"/>");
            }
            text_at(b, "lt", x + 21, y, NULL, it[i].name);
            hz__buf_puts(b, "</g>");
        }
        x += w;
    }
    return rows * 16;
}
