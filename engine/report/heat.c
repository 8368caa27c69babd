/* Heat maps and scatter plots.  See chart.h. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report/frame.h"

/* viridis at 9 evenly spaced stops (matplotlib's table) */
static const unsigned char viridis[9][3] = {
    {68, 1, 84},    {71, 44, 122},  {59, 81, 139},
    {44, 113, 142}, {33, 144, 141}, {39, 173, 129},
    {92, 200, 99},  {170, 220, 50}, {253, 231, 37}};

void hz__viridis(double t, char *buf)
{
    if (!(t >= 0))
        t = 0;
    if (t > 1)
        t = 1;
    double u = t * 8;
    int i = (int)floor(u);
    if (i >= 8)
        i = 7;
    double w = u - i;
    int c[3];
    for (int k = 0; k < 3; k++)
        c[k] = (int)lround(viridis[i][k] * (1 - w) + viridis[i + 1][k] * w);
    snprintf(buf, 8, "#%02x%02x%02x", c[0], c[1], c[2]);
}

static double max_label(const char *const *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] != NULL && strlen(s[i]) > w)
            w = strlen(s[i]);
    return (double)w * HZ__CHAR_PX;
}

static void label(hz__buf *b, const char *cls, double x, double y,
                  const char *anchor, const char *s)
{
    hz__buf_printf(b, "<text class=\"%s\" text-anchor=\"%s\" x=\"", cls,
                   anchor);
    hz__buf_px(b, x);
    hz__buf_puts(b, "\" y=\"");
    hz__buf_px(b, y);
    hz__buf_puts(b, "\">");
    hz__buf_esc(b, s);
    hz__buf_puts(b, "</text>");
}

static void colour_bar(hz__buf *b, const hz__heat *p, double x, double t,
                       double bot)
{
    char col[8], s[48];
    hz__buf_puts(b, "<g class=\"cbar\">");
    int steps = 24;
    double h = (bot - t) / steps;
    for (int i = 0; i < steps; i++) {
        hz__viridis(1 - (i + 0.5) / steps, col);
        hz__buf_printf(b, "<rect fill=\"%s\" x=\"", col);
        hz__buf_px(b, x);
        hz__buf_puts(b, "\" y=\"");
        hz__buf_px(b, t + i * h);
        hz__buf_puts(b, "\" width=\"12\" height=\"");
        hz__buf_px(b, h + 0.6);
        hz__buf_puts(b, "\"/>");
    }
    label(b, "tk", x + 16, t + 8, "start",
          hz__fmt_value(p->vmax, 3, s, sizeof s));
    label(b, "tk", x + 16, bot, "start",
          hz__fmt_value(p->vmin, 3, s, sizeof s));
    if (p->value_label != NULL) {
        hz__buf_puts(b, "<text class=\"at\" text-anchor=\"middle\" "
                        "transform=\"translate(");
        hz__buf_px(b, x + 50);
        hz__buf_putc(b, ' ');
        hz__buf_px(b, (t + bot) / 2);
        hz__buf_puts(b, ") rotate(90)\">");
        hz__buf_esc(b, p->value_label);
        hz__buf_puts(b, "</text>");
    }
    hz__buf_puts(b, "</g>");
}

static void cell_title(hz__buf *b, const hz__heat *p, size_t r, size_t c)
{
    size_t i = r * p->ncols + c;
    char v[48], w[48];
    hz__buf_puts(b, "<title>");
    if (p->row_label) {
        hz__buf_esc(b, p->row_label);
        hz__buf_puts(b, " ");
    }
    hz__buf_esc(b, p->row[r]);
    hz__buf_puts(b, ", ");
    if (p->col_label) {
        hz__buf_esc(b, p->col_label);
        hz__buf_puts(b, " ");
    }
    hz__buf_esc(b, p->col[c]);
    hz__buf_puts(b, ": ");
    if (!isfinite(p->v[i])) {
        hz__buf_esc(b, "no data");
    } else if (p->percent) {
        hz__buf_esc(b, hz__fmt_pct_whole(p->v[i], v, sizeof v));
        hz__buf_puts(b, "%");
    } else {
        hz__buf_esc(b, hz__fmt_value(p->v[i], 3, v, sizeof v));
    }
    if (p->weight != NULL) {
        hz__buf_puts(b, " (n = ");
        hz__buf_esc(b, hz__fmt_value(p->weight[i], 6, w, sizeof w));
        hz__buf_puts(b, ")");
    }
    hz__buf_puts(b, "</title>");
}

void hz__svg_heat(hz__buf *b, const hz__heat *p)
{
    double rw = max_label(p->row, p->nrows);
    double l = 10 + rw + (p->row_label ? 18 : 0);
    double r = p->width - 70;
    double t = 8;
    double bot = p->height - 20 - (p->col_label ? 16 : 0);
    if (r < l + 40)
        r = l + 40;
    double cw = (r - l) / (double)(p->ncols ? p->ncols : 1);
    double ch = (bot - t) / (double)(p->nrows ? p->nrows : 1);
    hz__svg_open(b, "heatmap", 1, p->width, p->height, p->title);
    hz__buf_puts(b, "<g class=\"series\" data-name=\"");
    hz__buf_esc(b, p->value_label ? p->value_label : "value");
    hz__buf_puts(b, "\">");
    double span = p->vmax > p->vmin ? p->vmax - p->vmin : 1;
    for (size_t i = 0; i < p->nrows; i++)
        for (size_t j = 0; j < p->ncols; j++) {
            double v = p->v[i * p->ncols + j];
            char col[8] = "none";
            if (isfinite(v))
                hz__viridis((v - p->vmin) / span, col);
            hz__buf_printf(b, "<rect class=\"%s\" fill=\"%s\" x=\"",
                           isfinite(v) ? "cell" : "cell empty", col);
            hz__buf_px(b, l + (double)j * cw);
            hz__buf_puts(b, "\" y=\"");
            hz__buf_px(b, t + (double)i * ch);
            hz__buf_puts(b, "\" width=\"");
            hz__buf_px(b, cw);
            hz__buf_puts(b, "\" height=\"");
            hz__buf_px(b, ch);
            hz__buf_puts(b, "\">");
            cell_title(b, p, i, j);
            hz__buf_puts(b, "</rect>");
        }
    hz__buf_puts(b, "</g><g class=\"axis\">");
    for (size_t i = 0; i < p->nrows; i++)
        label(b, "tk", l - 5, t + ((double)i + 0.5) * ch + 4, "end",
              p->row[i]);
    /* column labels: thin out when they would overlap */
    double cwl = max_label(p->col, p->ncols) + 6;
    size_t every = cw >= cwl ? 1 : (size_t)ceil(cwl / cw);
    for (size_t j = 0; j < p->ncols; j += every)
        label(b, "tk", l + ((double)j + 0.5) * cw, bot + 14, "middle",
              p->col[j]);
    if (p->col_label)
        label(b, "at", (l + r) / 2, p->height - 5, "middle", p->col_label);
    if (p->row_label) {
        hz__buf_puts(b, "<text class=\"at\" text-anchor=\"middle\" "
                        "transform=\"translate(12 ");
        hz__buf_px(b, (t + bot) / 2);
        hz__buf_puts(b, ") rotate(-90)\">");
        hz__buf_esc(b, p->row_label);
        hz__buf_puts(b, "</text>");
    }
    hz__buf_puts(b, "</g>");
    colour_bar(b, p, r + 8, t, bot);
    hz__svg_close(b);
}

static void point_title(hz__buf *b, const hz__scatter *p, size_t i,
                        const char *gname)
{
    char x[48], y[48];
    hz__buf_puts(b, "<title>");
    if (gname != NULL) {
        hz__buf_esc(b, gname);
        hz__buf_puts(b, ": ");
    }
    hz__buf_esc(b, p->x.label);
    hz__buf_puts(b, " ");
    hz__buf_esc(b, hz__fmt_value(p->xv[i], 4, x, sizeof x));
    hz__buf_puts(b, ", ");
    hz__buf_esc(b, p->y.label);
    hz__buf_puts(b, " ");
    hz__buf_esc(b, hz__fmt_value(p->yv[i], 4, y, sizeof y));
    hz__buf_puts(b, "</title>");
}

static void scatter_points(hz__buf *b, const hz__scatter *p,
                           const hz__frame *f, size_t g, const char *gname)
{
    const char *cc = hz__colour_class((int)(g % HZ__NCOLOURS));
    bool square = g >= HZ__NCOLOURS;
    for (size_t i = 0; i < p->n; i++) {
        if ((p->group ? p->group[i] : 0) != g || !isfinite(p->xv[i]) ||
            !isfinite(p->yv[i]))
            continue;
        if (f->ykind == HZ__AXIS_LOG && !(p->yv[i] > 0))
            continue;
        if (f->xkind == HZ__AXIS_LOG && !(p->xv[i] > 0))
            continue;
        double x = hz__fx(f, p->xv[i]), y = hz__fy(f, p->yv[i]);
        if (square) {
            hz__buf_printf(b, "<rect class=\"pt %s\" x=\"", cc);
            hz__buf_px(b, x - 2.5);
            hz__buf_puts(b, "\" y=\"");
            hz__buf_px(b, y - 2.5);
            hz__buf_puts(b, "\" width=\"5\" height=\"5\">");
        } else {
            hz__buf_printf(b, "<circle class=\"pt %s\" cx=\"", cc);
            hz__buf_px(b, x);
            hz__buf_puts(b, "\" cy=\"");
            hz__buf_px(b, y);
            hz__buf_puts(b, "\" r=\"2.6\">");
        }
        point_title(b, p, i, gname);
        hz__buf_puts(b, square ? "</rect>" : "</circle>");
    }
}

void hz__svg_scatter(hz__buf *b, const hz__scatter *p)
{
    hz__frame f;
    memset(&f, 0, sizeof f);
    double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
    size_t ng = p->group ? p->ngroups : 1;
    size_t present[256] = {0};
    for (size_t i = 0; i < p->n; i++) {
        if (!isfinite(p->xv[i]) || !isfinite(p->yv[i]))
            continue;
        if (p->x.kind == HZ__AXIS_LOG && !(p->xv[i] > 0))
            continue;
        if (p->y.kind == HZ__AXIS_LOG && !(p->yv[i] > 0))
            continue;
        xlo = fmin(xlo, p->xv[i]);
        xhi = fmax(xhi, p->xv[i]);
        ylo = fmin(ylo, p->yv[i]);
        yhi = fmax(yhi, p->yv[i]);
        size_t g = p->group ? p->group[i] : 0;
        if (g < 256)
            present[g]++;
    }
    hz__frame_x(&f, &p->x, xlo, xhi, p->width / 90);
    hz__frame_y(&f, &p->y, ylo, yhi, 5);
    hz__legend_item items[32];
    size_t nit = 0, nseries = 0;
    for (size_t g = 0; g < ng && g < 256; g++) {
        if (!present[g])
            continue;
        nseries++;
        if (p->group && nit < 32)
            items[nit++] = (hz__legend_item){p->group_name[g],
                                             (int)(g % HZ__NCOLOURS),
                                             g >= HZ__NCOLOURS ? 's' : 'o'};
    }
    hz__frame_layout(&f, p->width, p->height, true, true, 0);
    double lh = hz__svg_legend(b, items, nit, f.l, p->width - 14, 0, false);
    hz__frame_layout(&f, p->width, p->height, true, true, lh);
    hz__svg_open(b, "scatter", nseries, p->width, p->height, p->title);
    hz__svg_axes(b, &f, p->x.label, p->y.label);
    for (size_t g = 0; g < ng && g < 256; g++) {
        if (!present[g])
            continue;
        const char *gname = p->group ? p->group_name[g] : NULL;
        hz__buf_puts(b, "<g class=\"series\" data-name=\"");
        hz__buf_esc(b, gname ? gname : "points");
        hz__buf_puts(b, "\">");
        scatter_points(b, p, &f, g, gname);
        hz__buf_puts(b, "</g>");
    }
    hz__svg_legend(b, items, nit, f.l, p->width - 14, 14, true);
    hz__svg_close(b);
}
