/* Bar charts and histograms.  See chart.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/frame.h"

static double max_label(const char *const *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (s != NULL && s[i] != NULL && strlen(s[i]) > w)
            w = strlen(s[i]);
    return (double)w * HZ__CHAR_PX;
}

static void value_range(const hz__bars *p, double *lo, double *hi)
{
    *lo = 0;
    *hi = 0;
    for (size_t i = 0; i < p->ncat * p->ngroups; i++) {
        double v[3] = {p->v[i], p->lo ? p->lo[i] : NAN,
                       p->hi ? p->hi[i] : NAN};
        for (int k = 0; k < 3; k++)
            if (isfinite(v[k])) {
                *lo = fmin(*lo, v[k]);
                *hi = fmax(*hi, v[k]);
            }
    }
    for (size_t i = 0; i < p->nref; i++)
        if (isfinite(p->ref[i]))
            *hi = fmax(*hi, p->ref[i]);
}

static void rect(hz__buf *b, const char *cls, double x, double y, double w,
                 double h)
{
    if (w < 0) {
        x += w;
        w = -w;
    }
    if (h < 0) {
        y += h;
        h = -h;
    }
    hz__buf_printf(b, "<rect class=\"%s\" x=\"", cls);
    hz__buf_px(b, x);
    hz__buf_puts(b, "\" y=\"");
    hz__buf_px(b, y);
    hz__buf_puts(b, "\" width=\"");
    hz__buf_px(b, fmax(w, 0.5));
    hz__buf_puts(b, "\" height=\"");
    hz__buf_px(b, fmax(h, 0.5));
    hz__buf_puts(b, "\">");
}

static void bar_title(hz__buf *b, const hz__bars *p, size_t c, size_t g)
{
    char v[48], lo[48], hi[48];
    size_t i = c * p->ngroups + g;
    hz__buf_puts(b, "<title>");
    hz__buf_esc(b, p->cat[c]);
    if (p->ngroups > 1) {
        hz__buf_puts(b, ", ");
        hz__buf_esc(b, p->group[g]);
    }
    hz__buf_puts(b, ": ");
    hz__buf_esc(b, hz__fmt_value(p->v[i], 4, v, sizeof v));
    if (p->lo != NULL && p->hi != NULL && isfinite(p->lo[i]) &&
        isfinite(p->hi[i])) {
        hz__buf_puts(b, " (");
        hz__buf_esc(b, hz__fmt_value(p->lo[i], 3, lo, sizeof lo));
        hz__buf_puts(b, " to ");
        hz__buf_esc(b, hz__fmt_value(p->hi[i], 3, hi, sizeof hi));
        hz__buf_puts(b, ")");
    }
    hz__buf_puts(b, "</title></rect>");
}

/* Pixel position along the category axis: band start and width. */
typedef struct cat_axis {
    double start, band, bar, pad;
} cat_axis;

static double bar_pos(const cat_axis *a, size_t ngroups, size_t c, size_t g)
{
    return a->start + (double)c * a->band + a->pad +
           (double)(ngroups - 1 - g) * 0 + (double)g * a->bar;
}

static void draw_groups(hz__buf *b, const hz__bars *p, const hz__frame *f,
                        const cat_axis *a)
{
    for (size_t g = 0; g < p->ngroups; g++) {
        hz__buf_puts(b, "<g class=\"series\" data-name=\"");
        hz__buf_esc(b, p->group ? p->group[g] : "");
        hz__buf_puts(b, "\">");
        char cls[32];
        snprintf(cls, sizeof cls, "bar %s",
                 hz__colour_class(p->ngroups > 1 ? (int)g : 3));
        for (size_t c = 0; c < p->ncat; c++) {
            size_t i = c * p->ngroups + g;
            double v = p->v[i];
            if (!isfinite(v))
                continue;
            double pos = bar_pos(a, p->ngroups, c, g);
            if (p->horizontal) {
                double x0 = hz__fx(f, 0), x1 = hz__fx(f, v);
                rect(b, cls, x0, pos, x1 - x0, a->bar - 1);
            } else {
                double y0 = hz__fy(f, 0), y1 = hz__fy(f, v);
                rect(b, cls, pos, y1, a->bar - 1, y0 - y1);
            }
            bar_title(b, p, c, g);
            if (p->lo == NULL || p->hi == NULL || !isfinite(p->lo[i]) ||
                !isfinite(p->hi[i]))
                continue;
            double mid = pos + (a->bar - 1) / 2;
            hz__buf_puts(b, "<path class=\"wh\" d=\"");
            if (p->horizontal) {
                double x0 = hz__fx(f, p->lo[i]), x1 = hz__fx(f, p->hi[i]);
                hz__buf_putc(b, 'M');
                hz__buf_px(b, x0);
                hz__buf_putc(b, ' ');
                hz__buf_px(b, mid);
                hz__buf_putc(b, 'H');
                hz__buf_px(b, x1);
                hz__buf_puts(b, "M");
                hz__buf_px(b, x0);
                hz__buf_putc(b, ' ');
                hz__buf_px(b, mid - 4);
                hz__buf_puts(b, "v8M");
                hz__buf_px(b, x1);
                hz__buf_putc(b, ' ');
                hz__buf_px(b, mid - 4);
                hz__buf_puts(b, "v8");
            } else {
                double y0 = hz__fy(f, p->lo[i]), y1 = hz__fy(f, p->hi[i]);
                hz__buf_putc(b, 'M');
                hz__buf_px(b, mid);
                hz__buf_putc(b, ' ');
                hz__buf_px(b, y0);
                hz__buf_putc(b, 'V');
                hz__buf_px(b, y1);
                hz__buf_puts(b, "M");
                hz__buf_px(b, mid - 4);
                hz__buf_putc(b, ' ');
                hz__buf_px(b, y0);
                hz__buf_puts(b, "h8M");
                hz__buf_px(b, mid - 4);
                hz__buf_putc(b, ' ');
                hz__buf_px(b, y1);
                hz__buf_puts(b, "h8");
            }
            hz__buf_puts(b, "\"/>");
        }
        hz__buf_puts(b, "</g>");
    }
}

static void draw_refs(hz__buf *b, const hz__bars *p, const hz__frame *f)
{
    for (size_t i = 0; i < p->nref; i++) {
        if (!isfinite(p->ref[i]))
            continue;
        hz__buf_puts(b, "<path class=\"ref\" d=\"M");
        double lx, ly;
        if (p->horizontal) {
            double x = hz__fx(f, p->ref[i]);
            hz__buf_px(b, x);
            hz__buf_putc(b, ' ');
            hz__buf_px(b, f->t);
            hz__buf_putc(b, 'V');
            hz__buf_px(b, f->b);
            lx = x + 3;
            ly = f->t + 10;
        } else {
            double y = hz__fy(f, p->ref[i]);
            hz__buf_px(b, f->l);
            hz__buf_putc(b, ' ');
            hz__buf_px(b, y);
            hz__buf_putc(b, 'H');
            hz__buf_px(b, f->r);
            lx = f->r - 2;
            ly = y - 3;
        }
        hz__buf_puts(b, "\"/>");
        if (p->ref_label != NULL && p->ref_label[i] != NULL) {
            hz__buf_puts(b, "<text class=\"rl\" x=\"");
            hz__buf_px(b, lx);
            hz__buf_puts(b, "\" y=\"");
            hz__buf_px(b, ly);
            hz__buf_printf(b, "\" text-anchor=\"%s\">",
                           p->horizontal ? "start" : "end");
            hz__buf_esc(b, p->ref_label[i]);
            hz__buf_puts(b, "</text>");
        }
    }
}

static void cat_labels(hz__buf *b, const hz__bars *p, const hz__frame *f,
                       const cat_axis *a, bool rotate)
{
    for (size_t c = 0; c < p->ncat; c++) {
        double mid = a->start + ((double)c + 0.5) * a->band;
        hz__buf_puts(b, "<text class=\"tk\" ");
        if (p->horizontal) {
            hz__buf_puts(b, "text-anchor=\"end\" x=\"");
            hz__buf_px(b, f->l - 5);
            hz__buf_puts(b, "\" y=\"");
            hz__buf_px(b, mid + 4);
            hz__buf_puts(b, "\">");
        } else if (rotate) {
            hz__buf_puts(b, "text-anchor=\"end\" transform=\"translate(");
            hz__buf_px(b, mid + 3);
            hz__buf_putc(b, ' ');
            hz__buf_px(b, f->b + 10);
            hz__buf_puts(b, ") rotate(-35)\">");
        } else {
            hz__buf_puts(b, "text-anchor=\"middle\" x=\"");
            hz__buf_px(b, mid);
            hz__buf_puts(b, "\" y=\"");
            hz__buf_px(b, f->b + 14);
            hz__buf_puts(b, "\">");
        }
        hz__buf_esc(b, p->cat[c]);
        hz__buf_puts(b, "</text>");
    }
}

void hz__svg_bars(hz__buf *b, const hz__bars *p)
{
    hz__frame f;
    memset(&f, 0, sizeof f);
    double lo, hi;
    value_range(p, &lo, &hi);
    hz__axis ax = p->value;
    ax.kind = HZ__AXIS_LINEAR;
    hz__legend_item items[16];
    size_t nit = 0;
    for (size_t g = 0; p->ngroups > 1 && g < p->ngroups && nit < 16; g++)
        items[nit++] = (hz__legend_item){p->group[g], (int)g, 'r'};
    double catw = max_label(p->cat, p->ncat);
    bool cat_title = p->cat_label != NULL && p->cat_label[0];
    bool rotate = false;
    if (p->horizontal) {
        hz__frame_x(&f, &ax, lo, hi, p->width / 110);
        hz__frame_layout(&f, p->width, p->height, ax.label != NULL, false, 0);
        f.l = 10 + catw + (cat_title ? 18 : 0);
    } else {
        hz__frame_y(&f, &ax, lo, hi, 5);
        hz__frame_layout(&f, p->width, p->height, cat_title, ax.label != NULL,
                         0);
        rotate = catw + 6 > (f.r - f.l) / (double)(p->ncat ? p->ncat : 1);
    }
    double lh = hz__svg_legend(b, items, nit, f.l, p->width - 14, 0, false);
    f.t = 8 + lh;
    if (rotate)
        f.b = p->height - (cat_title ? 16 : 0) - 10 - catw * 0.6;
    if (f.r < f.l + 40)
        f.r = f.l + 40;
    if (f.b < f.t + 40)
        f.b = f.t + 40;
    cat_axis a;
    double span = p->horizontal ? f.b - f.t : f.r - f.l;
    a.start = p->horizontal ? f.t : f.l;
    a.band = span / (double)(p->ncat ? p->ncat : 1);
    a.pad = a.band * 0.15;
    a.bar = (a.band - 2 * a.pad) / (double)p->ngroups;
    hz__svg_open(b, p->kind ? p->kind : "bars", p->ngroups, p->width,
                 p->height, p->title);
    hz__svg_axes(b, &f,
                 p->horizontal ? ax.label
                 : cat_title   ? p->cat_label
                               : NULL,
                 p->horizontal ? NULL : ax.label);
    if (p->horizontal && cat_title) {
        hz__buf_puts(b, "<text class=\"at\" text-anchor=\"middle\" "
                        "transform=\"translate(12 ");
        hz__buf_px(b, (f.t + f.b) / 2);
        hz__buf_puts(b, ") rotate(-90)\">");
        hz__buf_esc(b, p->cat_label);
        hz__buf_puts(b, "</text>");
    }
    if ((p->horizontal ? f.xlo : f.ylo) < 0) { /* the zero line */
        hz__buf_puts(b, "<path class=\"zero\" d=\"M");
        if (p->horizontal) {
            hz__buf_px(b, hz__fx(&f, 0));
            hz__buf_putc(b, ' ');
            hz__buf_px(b, f.t);
            hz__buf_putc(b, 'V');
            hz__buf_px(b, f.b);
        } else {
            hz__buf_px(b, f.l);
            hz__buf_putc(b, ' ');
            hz__buf_px(b, hz__fy(&f, 0));
            hz__buf_putc(b, 'H');
            hz__buf_px(b, f.r);
        }
        hz__buf_puts(b, "\"/>");
    }
    draw_groups(b, p, &f, &a);
    draw_refs(b, p, &f);
    cat_labels(b, p, &f, &a, rotate);
    hz__svg_legend(b, items, nit, f.l, p->width - 14, 14, true);
    hz__svg_close(b);
}

/* ---- histograms ---- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

size_t hz__hist_bins(const double *v, size_t n, size_t nbins, double cap_q,
                     double *edges, double *counts, bool *open)
{
    *open = false;
    double *s = malloc((n ? n : 1) * sizeof *s);
    if (s == NULL)
        return 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i]))
            s[m++] = v[i];
    if (m == 0 || nbins == 0) {
        free(s);
        return 0;
    }
    qsort(s, m, sizeof *s, cmp_double);
    double lo = s[0], max = s[m - 1];
    double cap = cap_q >= 1 ? max : s[(size_t)floor(cap_q * (double)(m - 1))];
    if (cap <= lo)
        cap = max;
    if (max <= lo) { /* a single value: one unit-wide bin */
        edges[0] = lo - 0.5;
        edges[1] = lo + 0.5;
        counts[0] = (double)m;
        free(s);
        return 1;
    }
    double raw = (cap - lo) / (double)nbins;
    double p = pow(10, floor(log10(raw)));
    double mm = raw / p;
    double w = (mm <= 1     ? 1
                : mm <= 2   ? 2
                : mm <= 2.5 ? 2.5
                : mm <= 5   ? 5
                            : 10) *
               p;
    double start = floor(lo / w) * w;
    if (lo >= 0 && start < 0)
        start = 0;
    size_t k = (size_t)ceil((cap - start) / w - 1e-9);
    if (k == 0)
        k = 1;
    if (start + (double)k * w < cap)
        k++;
    if (k > nbins + 2)
        k = nbins + 2;
    bool need_open = max > start + (double)k * w;
    size_t nb = k + (need_open ? 1 : 0);
    for (size_t i = 0; i <= k; i++)
        edges[i] = start + (double)i * w;
    if (need_open)
        edges[k + 1] = max;
    memset(counts, 0, nb * sizeof *counts);
    for (size_t i = 0; i < m; i++) {
        double t = (s[i] - start) / w;
        size_t j = t < 0 ? 0 : (size_t)floor(t);
        if (j >= k)
            j = need_open && s[i] > edges[k] ? k : k - 1;
        counts[j]++;
    }
    *open = need_open;
    free(s);
    return nb;
}

void hz__svg_hist(hz__buf *b, const hz__hist *p)
{
    hz__frame f;
    memset(&f, 0, sizeof f);
    size_t nb = p->nbins;
    /* an open last bin is drawn as wide as the others */
    double w = nb > 1 ? p->edges[1] - p->edges[0] : 1;
    double xhi = p->last_open ? p->edges[nb - 1] + w : p->edges[nb];
    double cmax = 0;
    for (size_t i = 0; i < nb; i++)
        cmax = fmax(cmax, p->counts[i]);
    hz__axis xa = {p->x_label, HZ__AXIS_LINEAR, p->edges[0],
                   xhi,        false,           false};
    hz__axis ya = {p->y_label, HZ__AXIS_LINEAR, NAN, NAN, true, false, true};
    hz__frame_x(&f, &xa, p->edges[0], xhi, p->width / 90);
    hz__frame_y(&f, &ya, 0, cmax, 5);
    hz__frame_layout(&f, p->width, p->height, p->x_label != NULL,
                     p->y_label != NULL, 0);
    /* no tick inside the open bin (its width is not to scale) nor too
     * close to its label */
    while (p->last_open && f.xt.n > 0 &&
           hz__fx(&f, f.xt.v[f.xt.n - 1]) > hz__fx(&f, p->edges[nb - 1]) - 24)
        f.xt.n--;
    hz__svg_open(b, "histogram", 1, p->width, p->height, p->title);
    hz__svg_axes(b, &f, p->x_label, p->y_label);
    hz__buf_puts(b, "<g class=\"series\" data-name=\"count\">");
    for (size_t i = 0; i < nb; i++) {
        bool open = p->last_open && i == nb - 1;
        double a = p->edges[i], c = open ? a + w : p->edges[i + 1];
        double x0 = hz__fx(&f, a), x1 = hz__fx(&f, c);
        double y0 = hz__fy(&f, 0), y1 = hz__fy(&f, p->counts[i]);
        rect(b, open ? "bar c4" : "bar c3", x0 + 0.5, y1, x1 - x0 - 1,
             y0 - y1);
        char sa[48], sc[48], sn[48];
        hz__fmt_value(a, 4, sa, sizeof sa);
        hz__fmt_value(open ? p->edges[i + 1] : c, 4, sc, sizeof sc);
        hz__fmt_value(p->counts[i], 6, sn, sizeof sn);
        hz__buf_puts(b, "<title>");
        hz__buf_esc(b, sa);
        hz__buf_puts(b, open ? " to " : " to under ");
        hz__buf_esc(b, sc);
        hz__buf_puts(b, open ? " (all above, not to scale): " : ": ");
        hz__buf_esc(b, sn);
        hz__buf_puts(b, "</title></rect>");
    }
    hz__buf_puts(b, "</g>");
    if (p->last_open) {
        char s[64], t[80];
        hz__fmt_value(p->edges[nb - 1], 3, s, sizeof s);
        snprintf(t, sizeof t, "> %s", s);
        hz__buf_puts(b, "<text class=\"rl\" text-anchor=\"middle\" x=\"");
        hz__buf_px(b, hz__fx(&f, p->edges[nb - 1] + w / 2));
        hz__buf_puts(b, "\" y=\"");
        hz__buf_px(b, f.b + 14);
        hz__buf_puts(b, "\">");
        hz__buf_esc(b, t);
        hz__buf_puts(b, "</text>");
    }
    hz__svg_close(b);
}
