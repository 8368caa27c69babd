/* The report page: document, sections, figures, tables, narrative and the
 * inline style sheet and script.  See include/horizon/report.h. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/doc.h"

/* The system's interface font, then fonts that have the Han, kana and
 * Hangul of names in Chinese, Japanese or Korean (macOS, Windows, Linux:
 * Noto CJK, or WenQuanYi Micro Hei, Debian's fonts-wqy-microhei, which
 * the test set-up installs), so that such names never show as boxes. */
#define FONTS                                                                 \
    "system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans','Helvetica Neue',"  \
    "Arial,'PingFang SC','Hiragino Sans','Microsoft YaHei','Malgun Gothic',"  \
    "'Noto Sans CJK SC','WenQuanYi Micro Hei',sans-serif"

/* Okabe-Ito colours; dark mode lightens the blue and the grey for
 * contrast on a dark background. */
static const char css[] =
    ":root{--bg:#fff;--fg:#1b1b1b;--mut:#5c5f66;--grid:#e4e5e7;"
    "--card:#f6f7f9;--c0:#E69F00;--c1:#56B4E9;--c2:#009E73;--c3:#0072B2;"
    "--c4:#D55E00;--c5:#CC79A7;--c6:#F0E442;--c7:#8a8a8a;--warn:#a4410e}\n"
    "@media (prefers-color-scheme:dark){:root{--bg:#16181c;--fg:#e9e9ea;"
    "--mut:#a4a7ad;--grid:#30333a;--card:#1f2227;--c3:#3d9be0;--c7:#a8a8a8;"
    "--warn:#f08a4b}}\n"
    "*{box-sizing:border-box}"
    "body{margin:0 auto;max-width:1120px;padding:24px 20px 48px;"
    "background:var(--bg);color:var(--fg);"
    "font:15px/1.5 " FONTS "}"
    "h1{font-size:1.7em;margin:0 0 4px}h2{font-size:1.3em;margin:36px 0 8px;"
    "padding-top:8px;border-top:1px solid var(--grid)}"
    "h3{font-size:1.02em;margin:0 0 6px}"
    /* a long name without spaces wraps rather than widen the page */
    "h1,h2,h3,p,li,figcaption{overflow-wrap:anywhere}"
    ".meta,figcaption,.note{color:var(--mut);font-size:.9em}"
    ".warn{color:var(--warn)}"
    "nav ol{columns:2;margin:8px 0 0;padding-left:22px}"
    ".narrative,.figures{background:var(--card);border-radius:8px;"
    "padding:12px 18px;margin:16px 0}"
    /* headings for screen readers' heading navigation: the narrative's
     * is not shown (the hidden attribute took both out of the
     * accessibility tree), the key figures' looks like a label */
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;"
    "clip:rect(0 0 0 0);white-space:nowrap;margin:0;padding:0;border:0}"
    "h2.kf{font-size:1em;margin:0;padding:0;border:0}"
    /* a narrative's lines (a list the model wrote) stay lines */
    ".narrative p{margin:6px 0;white-space:pre-line}"
    ".figures ul{margin:6px 0;padding-left:20px}"
    "@media (min-width:900px){.figures ul{columns:2;column-gap:36px}}"
    ".figures li{break-inside:avoid}"
    "figure{margin:18px 0 26px;break-inside:avoid}"
    ".multiples{display:grid;grid-template-columns:"
    "repeat(auto-fill,minmax(270px,1fr));gap:8px 14px}"
    ".multiples figure{margin:4px 0}.multiples .hz-svg{width:100%}.multiples "
    "h3{font-size:.85em;"
    "white-space:nowrap;overflow:hidden;text-overflow:ellipsis}"
    "details{margin:6px 0}summary{cursor:pointer;color:var(--mut);"
    "font-size:.9em}"
    ".tw{overflow-x:auto;max-height:480px;overflow-y:auto}"
    "table{border-collapse:collapse;font-size:.86em;margin:6px 0}"
    "th,td{padding:3px 9px;border-bottom:1px solid var(--grid);"
    "text-align:left;white-space:nowrap}.n{text-align:right;"
    "font-variant-numeric:tabular-nums}"
    "thead th{position:sticky;top:0;background:var(--bg)}"
    /* a row's header (th scope=row) reads as the other cells */
    "tbody th{font-weight:normal}"
    /* a sortable column's header is a button (announced as one, reached
     * with Tab, pressed with Enter or Space) that looks like the text */
    "th button{font:inherit;color:inherit;background:none;border:0;"
    "padding:0;margin:0;cursor:pointer;text-align:inherit;"
    "white-space:nowrap}"
    "th button:focus-visible{outline:2px solid var(--c3);outline-offset:2px}"
    /* the order's arrow is hidden from screen readers, which hear
     * aria-sort instead of "black up-pointing triangle" */
    "th[aria-sort=ascending] .si::after{content:' \\25B2'}"
    "th[aria-sort=descending] .si::after{content:' \\25BC'}"
    ".hz-svg{max-width:100%;height:auto;display:block;"
    "font:12px " FONTS "}"
    ".hz-svg text{fill:var(--fg)}.hz-svg .tk,.hz-svg .rl{fill:var(--mut)}"
    ".grid path{stroke:var(--grid);fill:none}"
    ".axis path{stroke:var(--mut);fill:none}"
    ".fg{stroke:var(--fg);fill:var(--fg)}"
    ".c0{stroke:var(--c0);fill:var(--c0)}.c1{stroke:var(--c1);"
    "fill:var(--c1)}.c2{stroke:var(--c2);fill:var(--c2)}"
    ".c3{stroke:var(--c3);fill:var(--c3)}.c4{stroke:var(--c4);"
    "fill:var(--c4)}.c5{stroke:var(--c5);fill:var(--c5)}"
    ".c6{stroke:var(--c6);fill:var(--c6)}.c7{stroke:var(--c7);"
    "fill:var(--c7)}"
    ".ln{fill:none;stroke-width:2;stroke-linejoin:round}"
    ".ln.dash{stroke-dasharray:6 3}"
    ".band{stroke:none}.band.s0{fill-opacity:.2}.band.s1{fill-opacity:.4}"
    ".bar{stroke:none}.wh{stroke:var(--fg);fill:none;stroke-width:1.4}"
    ".ref{stroke:var(--mut);stroke-dasharray:3 3;fill:none}"
    ".zero{stroke:var(--mut);fill:none}"
    ".hv{fill-opacity:0;stroke:none}.hv:hover{fill-opacity:1}"
    ".pt{fill-opacity:.7;stroke:var(--fg);stroke-opacity:.6;stroke-width:.5}"
    ".cell{stroke:var(--bg);"
    "stroke-width:.5}.cell.empty{fill:var(--card)}"
    /* paper is white whatever the screen's scheme: printing from a
     * dark-mode system kept the dark palette (near-white lines and text
     * on white, black text on dark cards) */
    "@media print{:root{--bg:#fff;--fg:#1b1b1b;--mut:#5c5f66;"
    "--grid:#e4e5e7;--card:#f6f7f9;--c3:#0072B2;--c7:#8a8a8a;"
    "--warn:#a4410e}"
    "body{max-width:none;padding:0;font-size:11pt;"
    "background:#fff;color:#000}nav,summary{display:none}"
    ".tw{max-height:none;overflow:visible}h2{break-after:avoid}"
    /* a table wider than the paper was cut off (Chromium shrinks a page
     * to at most half its size, then clips): on paper, names, models
     * and parameters wrap, numbers stay whole */
    "table{font-size:8pt}th,td{padding:2px 4px}"
    "th,td:not(.n){white-space:normal;overflow-wrap:anywhere}"
    /* paper has no tooltip: a small multiple's title wraps, whole */
    ".multiples h3{white-space:normal;overflow:visible}}\n";

/* Sorting by a header's button (clicked, or pressed from the keyboard:
 * a native button, so screen readers announce it as one, and aria-sort
 * on its th says the order, as in the WAI-ARIA sortable table; the
 * script puts the buttons in, so that a page read without it has no
 * button that does nothing): by the number a cell starts with, then
 * (equal numbers, or none) by its text, so that dates such as 2024-03-01
 * sort whatever order the rows were in; empty cells last either way;
 * equal cells keep their order.  And the data tables opened for
 * printing. */
static const char script[] =
    "(function(){function key(r,i){var t=r.cells[i]?r.cells[i].textContent."
    "trim():'';return{e:t==='',v:parseFloat(t.replace(/,/g,'')),"
    "s:t.toLowerCase()}}function cmp(x,y){var n=isNaN(x.v),m=isNaN(y.v);"
    "if(n!==m)return n?1:-1;if(!n&&x.v!==y.v)return x.v<y.v?-1:1;"
    "return x.s<y.s?-1:x.s>y.s?1:0}"
    "document.querySelectorAll('table.sortable thead th').forEach(function(th)"
    "{var bt=document.createElement('button');bt.type='button';"
    "while(th.firstChild)bt.appendChild(th.firstChild);var si=document."
    "createElement('span');si.className='si';si.setAttribute('aria-hidden',"
    "'true');bt.appendChild(si);th.appendChild(bt);"
    "function go(){var tr=th.parentNode,t=tr.closest('table'),"
    "b=t.tBodies[0],i=Array.prototype.indexOf.call(tr.children,th),"
    "d=th.getAttribute('aria-sort')==='descending'?1:-1;"
    "Array.prototype.forEach.call(tr.children,function(h){"
    "h.removeAttribute('aria-sort')});th.setAttribute('aria-sort',"
    "d>0?'ascending':'descending');var rows=Array.prototype.slice.call("
    "b.rows).map(function(r,j){return[key(r,i),j,r]});rows.sort(function(a,"
    "c){var x=a[0],y=c[0];if(x.e!==y.e)return x.e?1:-1;"
    "return cmp(x,y)*d||a[1]-c[1]});rows.forEach(function(r){"
    "b.appendChild(r[2])})}bt.addEventListener('click',go)})"
    ";window.addEventListener('beforeprint',function(){document."
    "querySelectorAll('details').forEach(function(d){d.open=true})})})();";

void hz_report_options_init(hz_report_options *o)
{
    memset(o, 0, sizeof *o);
    o->full_series = 4;
    o->multiples = 12;
    o->scatter_max = 2000;
}

static char *dup_or_null(const char *s)
{
    return s != NULL ? strdup(s) : NULL;
}

hz_report *hz_report_new(const hz_report_options *opt)
{
    hz_report *r = calloc(1, sizeof *r);
    if (r == NULL)
        return NULL;
    hz_report_options_init(&r->opt);
    if (opt != NULL) {
        hz_report_options d;
        hz_report_options_init(&d);
        r->opt = *opt;
        if (r->opt.multiples == 0)
            r->opt.multiples = d.multiples;
        if (r->opt.scatter_max == 0)
            r->opt.scatter_max = d.scatter_max;
    }
    r->title = strdup(opt && opt->title ? opt->title : "Horizon report");
    r->subtitle = dup_or_null(opt ? opt->subtitle : NULL);
    r->opt.title = r->opt.subtitle = NULL;
    if (r->title == NULL || (opt && opt->subtitle && r->subtitle == NULL)) {
        hz_report_free(r);
        return NULL;
    }
    return r;
}

void hz_report_free(hz_report *r)
{
    if (r == NULL)
        return;
    free(r->title);
    free(r->subtitle);
    hz__buf_free(&r->narrative);
    hz__buf_free(&r->figures);
    hz__buf_free(&r->toc);
    hz__buf_free(&r->body);
    free(r);
}

void hz__doc_section(hz_report *r, const char *prefix, const char *title)
{
    r->nsections++;
    hz__buf_printf(&r->toc, "<li><a href=\"#%s-%d\">", prefix, r->nsections);
    hz__buf_esc(&r->toc, title);
    hz__buf_puts(&r->toc, "</a></li>");
    hz__buf_printf(&r->body, "<section id=\"%s-%d\"><h2 id=\"%s-%d-h\">",
                   prefix, r->nsections, prefix, r->nsections);
    snprintf(r->body.sec_head, sizeof r->body.sec_head, "%s-%d-h", prefix,
             r->nsections);
    hz__buf_esc(&r->body, title);
    hz__buf_puts(&r->body, "</h2>\n");
}

void hz__doc_section_end(hz_report *r)
{
    hz__buf_puts(&r->body, "</section>\n");
}

void hz__fig_begin(hz__buf *b, const char *id, const char *title)
{
    hz__buf_printf(b, "<figure class=\"hz-fig\" id=\"%s\">", id);
    b->fig_head[0] = '\0';
    if (title != NULL) {
        hz__buf_printf(b, "<h3 id=\"%s-h\">", id);
        hz__buf_esc(b, title);
        hz__buf_puts(b, "</h3>");
        snprintf(b->fig_head, sizeof b->fig_head, "%s-h", id);
    }
}

void hz__fig_caption(hz__buf *b, const char *caption)
{
    hz__buf_puts(b, "<figcaption>");
    hz__buf_esc(b, caption);
    hz__buf_puts(b, "</figcaption>");
}

void hz__fig_end(hz__buf *b)
{
    b->fig_head[0] = '\0';
    hz__buf_puts(b, "</figure>\n");
}

void hz__doc_figure(hz_report *r, const char *title)
{
    char id[32];
    snprintf(id, sizeof id, "fig-%d", ++r->nfigures);
    hz__fig_begin(&r->body, id, title);
}

void hz__doc_note(hz_report *r, const char *cls, const char *text)
{
    hz__buf_printf(&r->body, "<p class=\"%s\">", cls);
    hz__buf_esc(&r->body, text);
    hz__buf_puts(&r->body, "</p>\n");
}

void hz__table_begin(hz__buf *b, const char *summary, bool sortable,
                     size_t ncols, const char *const *head)
{
    unsigned t = ++b->ntables;
    if (summary != NULL) {
        hz__buf_printf(b, "<details class=\"data\"><summary id=\"tbl-%u-s\">",
                       t);
        hz__buf_esc(b, summary);
        hz__buf_puts(b, "</summary>");
    }
    b->table_at = b->len + 1;
    /* named for a screen reader's table list: the heading above it and
     * its summary ("Probability of being alive, Numbers behind the
     * chart") */
    const char *head_id = b->fig_head[0] ? b->fig_head : b->sec_head;
    hz__buf_printf(b, "<div class=\"tw\"><table%s",
                   sortable ? " class=\"sortable\"" : "");
    if (head_id[0] || summary != NULL) {
        hz__buf_printf(b, " aria-labelledby=\"%s", head_id);
        if (summary != NULL)
            hz__buf_printf(b, "%stbl-%u-s", head_id[0] ? " " : "", t);
        hz__buf_puts(b, "\"");
    }
    hz__buf_puts(b, "><thead><tr>");
    for (size_t i = 0; i < ncols; i++) {
        hz__buf_puts(b, "<th scope=\"col\">");
        hz__buf_esc(b, head[i]);
        hz__buf_puts(b, "</th>");
    }
    hz__buf_puts(b, "</tr></thead><tbody>\n");
}

void hz__table_row(hz__buf *b)
{
    hz__buf_puts(b, "<tr>");
    b->row_head = true;
}

/* A cell's opening tag: the row's first is its header. */
static const char *cell_open(hz__buf *b, bool num)
{
    bool head = b->row_head;
    b->row_head = false;
    hz__buf_puts(b, head  ? (num ? "<th scope=\"row\" class=\"n\">"
                                 : "<th scope=\"row\">")
                    : num ? "<td class=\"n\">"
                          : "<td>");
    return head ? "</th>" : "</td>";
}

void hz__table_str(hz__buf *b, const char *s)
{
    const char *close = cell_open(b, false);
    hz__buf_esc(b, s);
    hz__buf_puts(b, close);
}

/* A number cell: its value in full ("\x01%.17g\x01", a byte that escaped
 * text never holds), formatted by hz__table_end with its column's
 * style. */
void hz__table_num(hz__buf *b, double v)
{
    char s[48];
    const char *close = cell_open(b, true);
    if (b->table_at != 0 && isfinite(v) && v != 0)
        hz__buf_printf(b, "\x01%.17g\x01", v);
    else
        hz__buf_puts(b, hz__fmt_cell(v, false, s, sizeof s));
    hz__buf_puts(b, close);
}

void hz__table_int(hz__buf *b, long long v)
{
    const char *close = cell_open(b, true);
    hz__buf_printf(b, "%lld%s", v, close);
}

/* The column of the cell that text[at] is in: the cells ("<td", "<th")
 * since the row's start, less one. */
static size_t column_at(const char *text, size_t row, size_t at)
{
    size_t col = 0;
    for (const char *p = text + row; p < text + at; p++)
        if (p[0] == '<' && p[1] == 't' && (p[2] == 'd' || p[2] == 'h') &&
            (p[3] == '>' || p[3] == ' '))
            col++;
    return col > 0 ? col - 1 : 0;
}

/* Each column's number cells in one style (hz__cells_sci): the values
 * the table holds in full since hz__table_begin, formatted now that the
 * whole column is known. */
static void format_columns(hz__buf *b)
{
    size_t from = b->table_at - 1;
    b->table_at = 0;
    if (b->oom || memchr(b->s + from, '\x01', b->len - from) == NULL)
        return;
    enum { NCOL = 64 };
    double big[NCOL] = {0}, small[NCOL] = {0};
    /* first pass: the extremes of each column */
    size_t row = from;
    for (size_t i = from; i < b->len; i++) {
        if (strncmp(b->s + i, "<tr", 3) == 0)
            row = i;
        if (b->s[i] != '\x01')
            continue;
        size_t c = column_at(b->s, row, i);
        c = c < NCOL ? c : NCOL - 1;
        double a = fabs(strtod(b->s + i + 1, NULL));
        big[c] = a > big[c] ? a : big[c];
        small[c] = small[c] == 0 || a < small[c] ? a : small[c];
        i = (size_t)((char *)memchr(b->s + i + 1, '\x01', b->len - i - 1) -
                     b->s);
    }
    /* second pass: the table again, each value in its column's style */
    hz__buf out = {0};
    row = from;
    size_t copied = from;
    for (size_t i = from; i < b->len; i++) {
        if (strncmp(b->s + i, "<tr", 3) == 0)
            row = i;
        if (b->s[i] != '\x01')
            continue;
        size_t c = column_at(b->s, row, i);
        c = c < NCOL ? c : NCOL - 1;
        size_t e = (size_t)((char *)memchr(b->s + i + 1, '\x01',
                                           b->len - i - 1) -
                            b->s);
        char cell[48];
        hz__buf_put(&out, b->s + copied, i - copied);
        hz__buf_puts(&out, hz__fmt_cell(strtod(b->s + i + 1, NULL),
                                        hz__cells_sci(big[c], small[c]),
                                        cell, sizeof cell));
        copied = e + 1;
        i = e;
    }
    hz__buf_put(&out, b->s + copied, b->len - copied);
    if (out.oom) {
        b->oom = true;
        hz__buf_free(&out);
        return;
    }
    b->len = from;
    hz__buf_put(b, out.s, out.len);
    hz__buf_free(&out);
}

void hz__table_end(hz__buf *b, const char *summary)
{
    hz__buf_puts(b, "</tbody></table></div>");
    if (b->table_at != 0)
        format_columns(b);
    if (summary != NULL)
        hz__buf_puts(b, "</details>");
    hz__buf_putc(b, '\n');
}

/* The narrative section: paragraphs split on blank lines. */
static void narrative_html(hz__buf *b, const hz_report_narrative_in *n)
{
    hz__buf_puts(b, "<section class=\"narrative\" id=\"narrative\">"
                    "<h2 class=\"sr\">Narrative</h2><p>");
    const char *p = n->text;
    while (*p) {
        const char *e = strstr(p, "\n\n");
        size_t len = e ? (size_t)(e - p) : strlen(p);
        char *para = strndup(p, len);
        if (para == NULL) {
            b->oom = true;
            return;
        }
        hz__buf_esc(b, para);
        free(para);
        if (e == NULL)
            break;
        p = e;
        while (*p == '\n')
            p++;
        if (*p)
            hz__buf_puts(b, "</p><p>");
    }
    hz__buf_puts(b, "</p><p class=\"meta\">Narrative");
    if (n->source != NULL && n->source[0]) {
        hz__buf_puts(b, " by ");
        hz__buf_esc(b, n->source);
    }
    if (n->prompt_tokens >= 0)
        hz__buf_printf(b, "; prompt %ld tokens", n->prompt_tokens);
    if (n->completion_tokens >= 0)
        hz__buf_printf(b,
                       n->is_template ? "; text %ld tokens (no model call)"
                                      : "; completion %ld tokens",
                       n->completion_tokens);
    if (n->items_dropped > 0) /* not silently less informed */
        hz__buf_printf(b,
                       "; %ld summary item%s left out to fit the prompt's "
                       "token budget",
                       n->items_dropped, n->items_dropped == 1 ? "" : "s");
    hz__buf_puts(b, ". It was written from the summary figures below, "
                    "never from the data rows.</p></section>");
}

hz_status hz_report_narrative(hz_report *r, const hz_report_narrative_in *n,
                              hz_error *err)
{
    if (r == NULL || n == NULL || n->text == NULL)
        return hz_error_set(err, HZ_EINVAL, "report: no narrative text");
    r->narrative.len = 0;
    narrative_html(&r->narrative, n);
    return hz__buf_status(&r->narrative, err);
}

hz_status hz_report_summary(hz_report *r, const hz_summary *s, hz_error *err)
{
    if (r == NULL || s == NULL)
        return hz_error_set(err, HZ_EINVAL, "report: no summary");
    if (s->n == 0)
        return HZ_OK;
    if (r->figures.len == 0)
        hz__buf_puts(&r->figures, "<section class=\"figures\" "
                                  "id=\"key-figures\"><h2 class=\"kf\">"
                                  "Key figures</h2>");
    hz__buf_puts(&r->figures, "<ul>");
    for (size_t i = 0; i < s->n; i++) {
        hz__buf_puts(&r->figures, "<li>");
        hz__buf_esc(&r->figures, s->items[i].text);
        hz__buf_puts(&r->figures, "</li>");
    }
    hz__buf_puts(&r->figures, "</ul>");
    return hz__buf_status(&r->figures, err);
}

static void page(const hz_report *r, hz__buf *b)
{
    hz__buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
                    "<meta charset=\"utf-8\">"
                    "<meta name=\"viewport\" content=\"width=device-width,"
                    "initial-scale=1\">"
                    "<meta name=\"color-scheme\" content=\"light dark\">"
                    "<meta name=\"generator\" content=\"Horizon ");
    hz__buf_esc(b, hz_version());
    hz__buf_puts(b, "\"><title>");
    hz__buf_esc(b, r->title);
    hz__buf_puts(b, "</title><style>");
    hz__buf_puts(b, css);
    hz__buf_puts(b, "</style></head>\n<body><header><h1>");
    hz__buf_esc(b, r->title);
    hz__buf_puts(b, "</h1>");
    if (r->subtitle != NULL) {
        hz__buf_puts(b, "<p class=\"meta\">");
        hz__buf_esc(b, r->subtitle);
        hz__buf_puts(b, "</p>");
    }
    hz__buf_puts(b, "</header>\n");
    if (r->narrative.len)
        hz__buf_put(b, r->narrative.s, r->narrative.len);
    else
        hz__buf_puts(b, HZ_REPORT_NARRATIVE_SLOT);
    hz__buf_putc(b, '\n');
    if (r->figures.len) {
        hz__buf_put(b, r->figures.s, r->figures.len);
        hz__buf_puts(b, "</section>\n");
    }
    if (r->nsections > 1) {
        hz__buf_puts(b, "<nav><strong>Contents</strong><ol>");
        hz__buf_put(b, r->toc.s, r->toc.len);
        hz__buf_puts(b, "</ol></nav>\n");
    }
    if (r->body.len)
        hz__buf_put(b, r->body.s, r->body.len);
    hz__buf_puts(b, "<footer><p class=\"meta\">Written by Horizon ");
    hz__buf_esc(b, hz_version());
    hz__buf_puts(b, ". Charts are inline SVG; hover a point, bar or cell "
                    "for its value; every chart's numbers are in the table "
                    "under it. Click a column header to sort a table."
                    "</p></footer>\n<script>");
    hz__buf_puts(b, script);
    hz__buf_puts(b, "</script></body></html>\n");
}

hz_status hz_report_render(const hz_report *r, char **html, size_t *len,
                           hz_error *err)
{
    if (r == NULL || html == NULL)
        return hz_error_set(err, HZ_EINVAL, "report: no report");
    hz__buf b = {0};
    page(r, &b);
    if (r->narrative.oom || r->figures.oom || r->toc.oom || r->body.oom)
        b.oom = true;
    hz_status st = hz__buf_status(&b, err);
    if (st != HZ_OK) {
        hz__buf_free(&b);
        return st;
    }
    *html = b.s;
    if (len != NULL)
        *len = b.len;
    return HZ_OK;
}

hz_status hz_report_write(const hz_report *r, FILE *f, hz_error *err)
{
    char *html = NULL;
    size_t len = 0;
    hz_status st = hz_report_render(r, &html, &len, err);
    if (st != HZ_OK)
        return st;
    bool ok = fwrite(html, 1, len, f) == len && fflush(f) == 0 && !ferror(f);
    free(html);
    if (!ok)
        return hz_error_set(err, HZ_EIO, "could not write the report: %s",
                            strerror(errno));
    return HZ_OK;
}

hz_status hz_report_splice_narrative(const char *html, size_t len,
                                     const hz_report_narrative_in *n,
                                     char **out, size_t *out_len,
                                     hz_error *err)
{
    if (html == NULL || n == NULL || n->text == NULL || out == NULL)
        return hz_error_set(err, HZ_EINVAL, "report: nothing to splice");
    static const char slot[] = HZ_REPORT_NARRATIVE_SLOT;
    const char *at = memmem(html, len, slot, sizeof slot - 1);
    hz__buf b = {0};
    if (at == NULL) {
        hz__buf_put(&b, html, len);
    } else {
        hz__buf_put(&b, html, (size_t)(at - html));
        narrative_html(&b, n);
        size_t rest = (size_t)(at - html) + sizeof slot - 1;
        hz__buf_put(&b, at + sizeof slot - 1, len - rest);
    }
    hz_status st = hz__buf_status(&b, err);
    if (st != HZ_OK) {
        hz__buf_free(&b);
        return st;
    }
    *out = b.s;
    if (out_len != NULL)
        *out_len = b.len;
    return HZ_OK;
}
