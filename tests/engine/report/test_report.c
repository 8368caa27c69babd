/* The HTML report writer: escaping, number formats and ticks, every chart
 * primitive on synthetic data, the forecast, backtest and customer parts,
 * determinism and the narrative splice.  (The pages are rendered in a real
 * browser by tests/cli/report_browser.sh.) */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "horizon/csv.h"
#include "horizon/dataset.h"
#include "horizon/report.h"
#include "horizon/series.h"
#include "hz_test.h"
#include "report/buf.h"
#include "report/chart.h"
#include "report/frame.h"
#include "report/scale.h"

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0, k = strlen(needle);
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += k)
        n++;
    return n;
}

#define CHECK_HAS(hay, needle)                                                \
    HZ_CHECK_MSG(strstr((hay), (needle)) != NULL, "output lacks '%s'",        \
                 (needle))
#define CHECK_LACKS(hay, needle)                                              \
    HZ_CHECK_MSG(strstr((hay), (needle)) == NULL, "output has '%s'", (needle))

/* Every <svg> declares as many series as it draws, and no coordinate or
 * label in it is "nan" or "inf". */
static int svg_consistent(const char *html)
{
    for (const char *p = html; (p = strstr(p, "<svg ")) != NULL;) {
        const char *end = strstr(p, "</svg>");
        const char *ds = strstr(p, "data-series=\"");
        if (end == NULL || ds == NULL || ds > end)
            return 0;
        long want = strtol(ds + 13, NULL, 10);
        long got = 0;
        for (const char *q = p; (q = strstr(q, "class=\"series\"")) && q < end;
             q++)
            got++;
        if (got != want)
            return 0;
        static const char *const bad[] = {"nan", "NaN", "inf", "Inf"};
        for (size_t k = 0; k < 4; k++) {
            const char *q = strstr(p, bad[k]);
            if (q != NULL && q < end)
                return 0;
        }
        p = end;
    }
    return 1;
}

HZ_TEST(escape_makes_any_text_well_formed)
{
    hz__buf b = {0};
    hz__buf_esc(&b, "<a href='x'>&\"</a>");
    HZ_CHECK_STR(b.s, "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
    b.len = 0;
    hz__buf_esc(&b, "a\x01"
                    "b\tc\nd\re");
    /* control characters as their pictures: "a\x01" and "a" differ */
    HZ_CHECK_STR(b.s, "a\xE2\x90\x81"
                      "b\tc\nd\xE2\x90\x8D"
                      "e");
    b.len = 0;
    hz__buf_esc(&b, "x\x7F\x1F");
    HZ_CHECK_STR(b.s, "x\xE2\x90\xA1\xE2\x90\x9F");
    b.len = 0;
    hz__buf_esc(&b, "caf\xC3\xA9 \xE2\x82\xAC \xFF\xC3(");
    HZ_CHECK_STR(b.s, "caf\xC3\xA9 \xE2\x82\xAC \xEF\xBF\xBD\xEF\xBF\xBD(");
    b.len = 0;
    hz__buf_esc(&b, "\xED\xA0\x80"); /* a UTF-16 surrogate: not UTF-8 */
    HZ_CHECK_STR(b.s, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    /* a right-to-left override left open in a name reversed the rest of
     * the sentence on the page: bidi controls are shown, right-to-left
     * text is kept (and U+2028, a line separator, is not a bidi control) */
    b.len = 0;
    /* the unbalanced controls are the input under test, written as
     * escapes */
    hz__buf_esc(&b, /* NOLINTNEXTLINE(misc-misleading-bidirectional) */
                "\xE2\x80\xAEWest next 12 \xE2\x81\xA6x\xE2\x81\xA9 "
                "\xD7\xA9\xD7\x9C \xE2\x80\xA8\xE2\x80\xAA");
    HZ_CHECK_STR(b.s, "[U+202E]West next 12 [U+2066]x[U+2069] "
                      "\xD7\xA9\xD7\x9C \xE2\x80\xA8[U+202A]");
    HZ_CHECK(!b.oom);
    hz__buf_free(&b);
}

HZ_TEST(numbers_for_pixels_people_and_tables)
{
    hz__buf b = {0};
    double v[] = {12.34, -3.26, 40, 0.04, -0.04, 1234567.89};
    for (size_t i = 0; i < 6; i++) {
        hz__buf_px(&b, v[i]);
        hz__buf_putc(&b, ' ');
    }
    HZ_CHECK_STR(b.s, "12.3 -3.3 40 0 0 1234567.9 ");
    hz__buf_free(&b);
    char s[64];
    HZ_CHECK_STR(hz__fmt_value(12345.6, 4, s, sizeof s), "12,346");
    HZ_CHECK_STR(hz__fmt_value(0.012345, 3, s, sizeof s), "0.0123");
    HZ_CHECK_STR(hz__fmt_value(-1234567, 3, s, sizeof s), "-1,234,567");
    HZ_CHECK_STR(hz__fmt_value(-0.5, 3, s, sizeof s), "-0.5");
    HZ_CHECK_STR(hz__fmt_value(2.5e-7, 3, s, sizeof s), "2.5e-07");
    HZ_CHECK_STR(hz__fmt_value(NAN, 3, s, sizeof s), "");
    HZ_CHECK_STR(hz__fmt_cell(0.1 + 0.2, false, s, sizeof s), "0.3");
    HZ_CHECK_STR(hz__fmt_cell(-0.0, false, s, sizeof s), "0");
    HZ_CHECK_STR(hz__fmt_cell(NAN, false, s, sizeof s), "");
    HZ_CHECK_STR(hz__fmt_cell(2611640.53, false, s, sizeof s), "2611641");
    HZ_CHECK_STR(hz__fmt_cell(-123456789012.4, false, s, sizeof s), "-123456789012");
    HZ_CHECK_STR(hz__fmt_cell(999999.4, false, s, sizeof s), "999999");
    HZ_CHECK_STR(hz__fmt_cell(1.5e15, false, s, sizeof s), "1.5e+15");
    /* plain below 1e-4 too (%.6g wrote "1.1e-05"), and scientific when
     * asked: one style for a column */
    HZ_CHECK_STR(hz__fmt_cell(1.1e-5, false, s, sizeof s), "0.000011");
    HZ_CHECK_STR(hz__fmt_cell(-1.234567e-5, false, s, sizeof s),
                 "-0.0000123457");
    HZ_CHECK_STR(hz__fmt_cell(0.000342, true, s, sizeof s), "3.42e-04");
    HZ_CHECK_STR(hz__fmt_cell(14522.7299, true, s, sizeof s), "1.45227e+04");
    HZ_CHECK_STR(hz__fmt_cell(3e20, true, s, sizeof s), "3e+20");
    HZ_CHECK_STR(hz__fmt_cell(0, true, s, sizeof s), "0");
}

/* A column of numbers in one style: "0.000342" beside "1.1e-05" (each
 * cell's own %.6g) read as two kinds of number */
/* The P(alive) table's whole percents: a probability of 0.005 printed
 * "0" (printf rounds the half-way 0.5 to even), as if none were alive;
 * neither 0 nor 1 reads as either. */
HZ_TEST(whole_percents_round_half_up_and_never_read_as_none_or_all)
{
    char s[8];
    HZ_CHECK_STR(hz__fmt_pct_whole(0.005, s, sizeof s), "1");
    HZ_CHECK_STR(hz__fmt_pct_whole(0.025, s, sizeof s), "3");
    HZ_CHECK_STR(hz__fmt_pct_whole(0.0049, s, sizeof s), "<1");
    HZ_CHECK_STR(hz__fmt_pct_whole(1e-300, s, sizeof s), "<1");
    HZ_CHECK_STR(hz__fmt_pct_whole(0.37, s, sizeof s), "37");
    HZ_CHECK_STR(hz__fmt_pct_whole(0.9949, s, sizeof s), "99");
    HZ_CHECK_STR(hz__fmt_pct_whole(0.995, s, sizeof s), ">99");
    HZ_CHECK_STR(hz__fmt_pct_whole(0, s, sizeof s), "0");
    HZ_CHECK_STR(hz__fmt_pct_whole(1, s, sizeof s), "100");
    HZ_CHECK_STR(hz__fmt_pct_whole(NAN, s, sizeof s), "");
}

/* The P(alive) heat map's tooltips agree with the table beside it,
 * whole percents: until 2026-12-07 a cell of 0.9996 said "1" (three
 * significant digits) where the table said ">99", as if all were alive. */
HZ_TEST(heat_map_tooltips_in_percent_as_the_table)
{
    hz__buf b = {0};
    const char *rows[1] = {"1"}, *cols[4] = {"0", "1", "2", "3"};
    double hv[4] = {0.9996, 0.004, 0.37, NAN}, wt[4] = {12, 3, 5, 0};
    hz__heat heat = {0};
    heat.title = "alive";
    heat.width = 400;
    heat.height = 100;
    heat.nrows = 1;
    heat.ncols = 4;
    heat.row = rows;
    heat.col = cols;
    heat.row_label = "repeat purchases";
    heat.col_label = "recency";
    heat.value_label = "P(alive)";
    heat.v = hv;
    heat.weight = wt;
    heat.vmax = 1;
    heat.percent = true;
    hz__svg_heat(&b, &heat);
    HZ_CHECK(!b.oom);
    CHECK_HAS(b.s, "<title>repeat purchases 1, recency 0: &gt;99% (n = 12)");
    CHECK_HAS(b.s, "recency 1: &lt;1% (n = 3)");
    CHECK_HAS(b.s, "recency 2: 37% (n = 5)");
    CHECK_HAS(b.s, "recency 3: no data");
    HZ_CHECK(strstr(b.s, ": 1 (n = 12)") == NULL);
    hz__buf_free(&b);
}

HZ_TEST(table_column_in_one_style)
{
    hz__buf b = {0};
    const char *head[] = {"name", "small", "mixed", "huge", "plain"};
    hz__table_begin(&b, NULL, true, 5, head);
    const double v[3][4] = {{0.000342, 0.000981381451075501, 5.8354e25, 14.5},
                            {1.1e-05, 8.48147299287496e-09, 1234.5, 2611640.53},
                            {0, 14522.7299055074, NAN, -0.25}};
    for (int r = 0; r < 3; r++) {
        hz__table_row(&b);
        hz__table_str(&b, r == 0 ? "a" : r == 1 ? "b" : "<c>");
        for (int c = 0; c < 4; c++)
            hz__table_num(&b, v[r][c]);
    }
    hz__table_end(&b, NULL);
    HZ_CHECK(!b.oom && b.table_at == 0);
    CHECK_LACKS(b.s, "\x01");
    /* small: plain (none below 1e-6) */
    CHECK_HAS(b.s, "<th scope=\"row\">a</th><td class=\"n\">0.000342</td>"
                   "<td class=\"n\">9.81381e-04</td>"
                   "<td class=\"n\">5.8354e+25</td>"
                   "<td class=\"n\">14.5</td>");
    /* mixed holds 8.5e-09: all scientific; huge holds 5.8e+25: all
     * scientific; plain keeps every integer digit */
    CHECK_HAS(b.s, "<th scope=\"row\">b</th><td class=\"n\">0.000011</td>"
                   "<td class=\"n\">8.48147e-09</td>"
                   "<td class=\"n\">1.2345e+03</td>"
                   "<td class=\"n\">2611641</td>");
    CHECK_HAS(b.s, "<th scope=\"row\">&lt;c&gt;</th><td class=\"n\">0</td>"
                   "<td class=\"n\">1.45227e+04</td>"
                   "<td class=\"n\"></td><td class=\"n\">-0.25</td>");
    hz__buf_free(&b);
}

HZ_TEST(linear_ticks_are_nice_and_cover_the_range)
{
    hz__ticks t;
    double lo = 0.3, hi = 97;
    hz__ticks_linear(&lo, &hi, 5, &t);
    HZ_CHECK(lo == 0 && hi == 100 && t.n == 6);
    HZ_CHECK_STR(t.label[1], "20");
    lo = 1234;
    hi = 98765;
    hz__ticks_linear(&lo, &hi, 5, &t);
    HZ_CHECK(lo == 0 && hi == 100000);
    HZ_CHECK_STR(t.label[1], "20K");
    HZ_CHECK_STR(t.label[0], "0");
    lo = -0.37;
    hi = 0.42;
    hz__ticks_linear(&lo, &hi, 4, &t);
    HZ_CHECK_NEAR(lo, -0.4, 1e-12);
    HZ_CHECK_NEAR(hi, 0.6, 1e-12);
    HZ_CHECK_STR(t.label[0], "-0.4");
    lo = 0;
    hi = 2;
    hz__ticks_integer(&lo, &hi, 5, &t);
    HZ_CHECK(t.n == 3); /* 0 1 2: no half counts */
    lo = hi = 5;        /* a single value still gets an axis */
    hz__ticks_linear(&lo, &hi, 5, &t);
    HZ_CHECK(lo < 5 && hi > 5 && t.n >= 2);
    lo = NAN;
    hi = NAN;
    hz__ticks_linear(&lo, &hi, 5, &t);
    HZ_CHECK(lo == 0 && hi == 1);
    hz__ticks_log(3, 4500, &t);
    HZ_CHECK(t.n == 3 && t.v[0] == 10 && t.v[2] == 1000);
    HZ_CHECK_STR(t.label[2], "1K");
}

/* Tick labels of huge and tiny values: each label is the tick's value,
 * never a cut-off string of digits or a row of zeros. */
HZ_TEST(ticks_of_huge_and_tiny_values_read_as_their_values)
{
    hz__ticks t;
    double lo = 1.01e300, hi = 1.27e300;
    hz__ticks_linear(&lo, &hi, 4, &t);
    HZ_CHECK(t.n >= 3);
    for (size_t i = 0; i < t.n; i++) {
        HZ_CHECK_MSG(strlen(t.label[i]) < 16, "label '%s'", t.label[i]);
        HZ_CHECK_NEAR(strtod(t.label[i], NULL) / t.v[i], 1, 1e-9);
    }
    HZ_CHECK_STR(t.label[0], "1.0e+300");
    lo = 1.01e-300;
    hi = 1.27e-300;
    hz__ticks_linear(&lo, &hi, 4, &t);
    HZ_CHECK(t.n >= 3);
    for (size_t i = 0; i < t.n; i++) {
        HZ_CHECK_NEAR(strtod(t.label[i], NULL) / t.v[i], 1, 1e-9);
        for (size_t j = 0; j < i; j++)
            HZ_CHECK(strcmp(t.label[i], t.label[j]) != 0);
    }
    lo = 2e12; /* trillions keep a suffix */
    hi = 9e12;
    hz__ticks_linear(&lo, &hi, 4, &t);
    HZ_CHECK_STR(t.label[1], "4T");
    lo = 0; /* a fine step on large values: the digits that differ */
    hi = 3e-7;
    hz__ticks_linear(&lo, &hi, 3, &t);
    HZ_CHECK_STR(t.label[0], "0");
    HZ_CHECK_STR(t.label[1], "1e-07");
    char s[HZ__TICK_LABEL];
    hz__fmt_tick(10000000.5, 0.1, s, sizeof s);
    HZ_CHECK_NEAR(strtod(s, NULL), 10000000.5, 1e-6);
}

/* A tick at the right end of the x axis: its label ends there, not
 * half past the edge of the drawing ("Jan 202" of "Jan 2025"). */
HZ_TEST(last_x_label_stays_inside_the_chart)
{
    hz__frame f = {0};
    hz__axis ax = {NULL, HZ__AXIS_DATE, NAN, NAN, false, true, false};
    hz__axis ay = {NULL, HZ__AXIS_LINEAR, NAN, NAN, false, false, false};
    hz__frame_x(&f, &ax, hz_days_from_civil(2024, 1, 1),
                hz_days_from_civil(2025, 1, 1), 6);
    hz__frame_y(&f, &ay, 0, 10, 4);
    hz__frame_layout(&f, 600, 200, false, false, 0);
    hz__buf b = {0};
    hz__svg_axes(&b, &f, NULL, NULL);
    HZ_CHECK(!b.oom);
    const char *last = strstr(b.s, ">Jan 2025</text>");
    HZ_CHECK(last != NULL);
    const char *t = last;
    while (t > b.s && strncmp(t, "<text", 5) != 0)
        t--;
    HZ_CHECK_MSG(strstr(t, "text-anchor=\"end\"") != NULL &&
                     strstr(t, "text-anchor=\"end\"") < last,
                 "%.*s", (int)(last - t), t);
    hz__buf_free(&b);
}

/* A fan chart of one observation: no intervals and no fitted values, so
 * the legend names neither; the lone observed point is drawn. */
HZ_TEST(legend_names_only_what_is_drawn)
{
    double x[3] = {19000, 19031, 19059}, y[3] = {5, NAN, NAN},
           f[3] = {5, 5, 5}, nan3[3] = {NAN, NAN, NAN};
    hz__line lines[3] = {{"observed", x, y, 3, HZ__LINE, HZ__FG},
                         {"fitted", x, nan3, 3, HZ__DASHED, 4},
                         {"point forecast", x, f, 3, HZ__LINE, 3}};
    hz__band band = {"95% interval", x, nan3, nan3, 3, 3, 0};
    hz__plot p = {"t",
                  600,
                  300,
                  {"date", HZ__AXIS_DATE, NAN, NAN, 0, 1, 0},
                  {"units", HZ__AXIS_LINEAR, NAN, NAN, 0, 0, 0},
                  lines,
                  3,
                  &band,
                  1,
                  false,
                  NAN,
                  false,
                  "fan"};
    hz__buf b = {0};
    hz__svg_plot(&b, &p);
    HZ_CHECK(!b.oom);
    CHECK_HAS(b.s, ">point forecast</text>");
    CHECK_HAS(b.s, ">observed</text>");
    CHECK_LACKS(b.s, ">95% interval</text>");
    CHECK_LACKS(b.s, ">fitted</text>");
    const char *obs = strstr(b.s, "data-name=\"observed\"><path");
    HZ_CHECK(obs != NULL && strstr(obs, "m-3 0h6") != NULL &&
             strstr(obs, "m-3 0h6") < strstr(obs, "</g>"));
    HZ_CHECK(svg_consistent(b.s));
    hz__buf_free(&b);
}

HZ_TEST(date_ticks_read_as_calendar_dates)
{
    hz__ticks t;
    double a = hz_days_from_civil(2022, 1, 1);
    double b = hz_days_from_civil(2024, 12, 1);
    hz__ticks_dates(a, b, 10, &t);
    HZ_CHECK(t.n == 6);
    HZ_CHECK_STR(t.label[0], "Jan 2022");
    HZ_CHECK_STR(t.label[1], "Jul");
    HZ_CHECK_STR(t.label[2], "Jan 2023");
    hz__ticks_dates(a, b, 3, &t);
    HZ_CHECK_STR(t.label[0], "2022");
    HZ_CHECK_STR(t.label[2], "2024");
    /* weeks start on Mondays: 2022-01-03 */
    hz__ticks_dates(a, a + 60, 10, &t);
    HZ_CHECK(t.v[0] == hz_days_from_civil(2022, 1, 3));
    HZ_CHECK_STR(t.label[0], "3 Jan 2022");
    HZ_CHECK_STR(t.label[1], "10 Jan");
    char s[32];
    hz__fmt_day(hz_days_from_civil(2024, 3, 1), 1, s, sizeof s);
    HZ_CHECK_STR(s, "Mar 2024");
}

HZ_TEST(histogram_bins_and_the_open_last_bin)
{
    double v[101], e[14], c[13];
    bool open;
    for (int i = 0; i < 100; i++)
        v[i] = i;
    size_t nb = hz__hist_bins(v, 100, 10, 1, e, c, &open);
    HZ_CHECK(nb == 10 && !open && e[0] == 0 && e[10] == 100);
    for (size_t i = 0; i < nb; i++)
        HZ_CHECK(c[i] == 10);
    v[100] = 10000; /* an outlier beyond the 99th percentile */
    nb = hz__hist_bins(v, 101, 10, 0.99, e, c, &open);
    HZ_CHECK(open && c[nb - 1] == 1 && e[nb] == 10000);
    double total = 0;
    for (size_t i = 0; i < nb; i++)
        total += c[i];
    HZ_CHECK(total == 101); /* nothing dropped */
    v[0] = NAN;
    nb = hz__hist_bins(v, 1, 10, 1, e, c, &open);
    HZ_CHECK(nb == 0);
}

HZ_TEST(chart_primitives_draw_what_they_declare)
{
    hz__buf b = {0};
    double x[50], y[50], lo[50], hi[50], y2[50];
    for (int i = 0; i < 50; i++) {
        x[i] = hz_days_from_civil(2020, 1, 1) + 30.0 * i;
        y[i] = 100 + 10 * sin(i / 3.0);
        y2[i] = i == 20 ? NAN : y[i] * 1.1; /* a gap */
        lo[i] = y[i] - 5;
        hi[i] = y[i] + 5;
    }
    hz__line lines[2] = {{"a <b>", x, y, 50, HZ__LINE, HZ__FG},
                         {"b", x, y2, 50, HZ__STEP, 2}};
    hz__band band = {"95% interval", x, lo, hi, 50, 3, 0};
    hz__plot p = {"t",
                  600,
                  300,
                  {"date", HZ__AXIS_DATE, NAN, NAN, 0, 1},
                  {"units", HZ__AXIS_LINEAR, NAN, NAN, 0, 0},
                  lines,
                  2,
                  &band,
                  1,
                  true,
                  x[30],
                  false,
                  "fan"};
    hz__svg_plot(&b, &p);
    CHECK_HAS(b.s, "data-series=\"3\"");
    CHECK_HAS(b.s, "a &lt;b&gt;");
    HZ_CHECK(count(b.s, "class=\"series\"") == 3);
    HZ_CHECK(count(b.s, "<title>") > 50); /* hover labels */
    const char *cats[3] = {"x", "y", "z"};
    const char *groups[2] = {"g1", "g2"};
    double v[6] = {1, -2, 3, NAN, 5, 6}, wl[6] = {0, -3, 2, 0, 4, 5},
           wh[6] = {2, -1, 4, 0, 6, 7};
    double ref = 4;
    const char *rl = "nominal";
    hz__bars bars = {
        "bars", 500,    300,  3,   cats,  "cat",
        2,      groups, v,    wl,  wh,    {"val", 0, NAN, NAN, true, false},
        true,   1,      &ref, &rl, "bars"};
    hz__svg_bars(&b, &bars);
    bars.horizontal = false;
    hz__svg_bars(&b, &bars);
    double edges[4] = {0, 1, 2, 10}, counts[3] = {5, 3, 1};
    hz__hist h = {"h", 400, 200, edges, counts, 3, true, "x", "n"};
    hz__svg_hist(&b, &h);
    const char *rows[2] = {"r1", "r2"}, *cols[3] = {"c1", "c2", "c3"};
    double hv[6] = {0, 0.5, 1, NAN, 0.2, 0.8};
    hz__heat heat = {"heat", 400,    200, 2,  3,    rows, cols,
                     "rows", "cols", "p", hv, NULL, 0,    1};
    hz__svg_heat(&b, &heat);
    uint8_t g[50];
    for (int i = 0; i < 50; i++)
        g[i] = (uint8_t)(i % 10); /* ten groups: squares after eight */
    const char *gn[10] = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
    hz__scatter sc = {"sc",
                      400,
                      300,
                      {"x", 0, NAN, NAN, true, false},
                      {"y", HZ__AXIS_LOG, NAN, NAN, false, false},
                      y,
                      hi,
                      g,
                      50,
                      10,
                      gn};
    hz__svg_scatter(&b, &sc);
    HZ_CHECK(!b.oom);
    HZ_CHECK(count(b.s, "<svg ") == 6);
    HZ_CHECK(count(b.s, "</svg>") == 6);
    HZ_CHECK(svg_consistent(b.s));
    CHECK_HAS(b.s, "<rect class=\"pt"); /* groups beyond the 8 colours */
    hz__buf_free(&b);
    char col[8];
    hz__viridis(0, col);
    HZ_CHECK_STR(col, "#440154");
    hz__viridis(1, col);
    HZ_CHECK_STR(col, "#fde725");
}

/* A hand-made forecast result: nseries monthly series of n periods. */
static hz_forecast_result *make_forecast(size_t nseries, size_t n, size_t h)
{
    hz_forecast_result *r = calloc(1, sizeof *r);
    r->freq = HZ_FREQ_MONTH;
    r->period = 12;
    r->horizon = h;
    r->nseries = nseries;
    r->series = calloc(nseries, sizeof *r->series);
    double levels[2] = {80, 95};
    int64_t p0 = hz_period_of_day(HZ_FREQ_MONTH,
                                  hz_days_from_civil(2021, 1, 1));
    for (size_t i = 0; i < nseries; i++) {
        hz_forecast_series_result *s = &r->series[i];
        char key[64];
        snprintf(key, sizeof key,
                 i == 0 ? "<script>alert(%zu)</script>" : "series %zu", i);
        s->key = strdup(key);
        s->n = n;
        s->start = p0;
        s->history = malloc(n * sizeof *s->history);
        s->last12_total = 0;
        for (size_t k = 0; k < n; k++) {
            s->history[k] = (double)(i + 1) * (100 + 20 * sin((double)k));
            if (k + 12 >= n)
                s->last12_total += s->history[k];
        }
        s->last_day = hz_period_start(HZ_FREQ_MONTH, p0 + (int64_t)n - 1);
        s->fc = hz_forecast_alloc(h, 2, levels);
        s->days = malloc(h * sizeof *s->days);
        for (size_t k = 0; k < h; k++) {
            s->fc->mean[k] = (double)(i + 1) * 100;
            s->fc->lower[0][k] = s->fc->mean[k] - 10 - (double)k;
            s->fc->upper[0][k] = s->fc->mean[k] + 10 + (double)k;
            s->fc->lower[1][k] = s->fc->mean[k] - 20 - (double)k;
            s->fc->upper[1][k] = s->fc->mean[k] + 20 + (double)k;
            s->days[k] = hz_period_start(HZ_FREQ_MONTH, p0 + (int64_t)(n + k));
        }
        snprintf(s->method, sizeof s->method, "%s",
                 i % 2 ? "ETS(A,N,N)" : "Theta");
        snprintf(s->fc->method, sizeof s->fc->method, "%s",
                 i % 2 ? "ETS(A,N,N)" : "Theta");
        s->fc->aicc = 123.4;
    }
    return r;
}

static char *render(hz_report *r)
{
    char *html = NULL;
    size_t len = 0;
    hz_error err;
    if (hz_report_render(r, &html, &len, &err) != HZ_OK)
        return NULL;
    return strlen(html) == len ? html : NULL;
}

HZ_TEST(forecast_part_few_series_full_fan_charts)
{
    hz_forecast_result *fc = make_forecast(2, 36, 12);
    fc->series[1].fc->mean[3] = NAN; /* a missing point is a gap */
    hz_report *r = hz_report_new(NULL);
    hz_error err;
    HZ_CHECK(hz_report_forecast(r, fc, "revenue, sum per month", &err) ==
             HZ_OK);
    char *html = render(r);
    HZ_CHECK(html != NULL);
    HZ_CHECK(count(html, "data-kind=\"fan\"") == 2);
    HZ_CHECK(count(html, "data-kind=\"total\"") == 0);
    CHECK_LACKS(html, "<script>alert");
    CHECK_HAS(html, "&lt;script&gt;alert(0)&lt;/script&gt;");
    CHECK_HAS(html, "AICc 123.4");
    CHECK_HAS(html, HZ_REPORT_NARRATIVE_SLOT);
    CHECK_HAS(html, "Key figures");
    HZ_CHECK(svg_consistent(html));
    /* the same inputs give the same bytes */
    char *again = render(r);
    HZ_CHECK(again != NULL && strcmp(html, again) == 0);
    free(again);
    hz_report *r2 = hz_report_new(NULL);
    hz_report_forecast(r2, fc, "revenue, sum per month", &err);
    again = render(r2);
    HZ_CHECK(again != NULL && strcmp(html, again) == 0);
    free(again);
    hz_report_free(r2);
    free(html);
    hz_report_free(r);
    hz_forecast_result_free(fc);
}

HZ_TEST(forecast_part_many_series_total_and_small_multiples)
{
    hz_forecast_result *fc = make_forecast(30, 40, 6);
    hz_report_options o;
    hz_report_options_init(&o);
    o.multiples = 9;
    o.title = "Many & more";
    hz_report *r = hz_report_new(&o);
    hz_error err;
    HZ_CHECK(hz_report_forecast(r, fc, NULL, &err) == HZ_OK);
    char *html = render(r);
    HZ_CHECK(html != NULL);
    HZ_CHECK(count(html, "data-kind=\"total\"") == 1);
    HZ_CHECK(count(html, "data-kind=\"fan\"") == 9);
    HZ_CHECK(count(html, "data-kind=\"bars\"") == 1); /* models chosen */
    CHECK_HAS(html, "<title>Many &amp; more</title>");
    /* scatter points are outlined in the text colour: the palette's
     * yellow and light blue are under 3:1 against a light page alone */
    CHECK_HAS(html, ".pt{fill-opacity:.7;stroke:var(--fg);");
    /* the largest series come first: series 29 is the largest */
    HZ_CHECK(strstr(html, "series 29: ") < strstr(html, "series 28: "));
    /* every series is in the sortable table */
    HZ_CHECK(count(html, "<th scope=\"row\">series ") >= 29);
    CHECK_HAS(html, "class=\"sortable\"");
    HZ_CHECK(svg_consistent(html));
    free(html);
    hz_report_free(r);
    /* series that end in different periods: no total, and a note */
    fc->series[3].last_day -= 31;
    r = hz_report_new(&o);
    HZ_CHECK(hz_report_forecast(r, fc, NULL, &err) == HZ_OK);
    html = render(r);
    HZ_CHECK(count(html, "data-kind=\"total\"") == 0);
    CHECK_HAS(html, "No chart of the total");
    free(html);
    hz_report_free(r);
    hz_forecast_result_free(fc);
}

HZ_TEST(forecast_part_refuses_what_it_cannot_show)
{
    hz_report *r = hz_report_new(NULL);
    hz_error err;
    HZ_CHECK(hz_report_forecast(r, NULL, NULL, &err) == HZ_EINVAL);
    hz_forecast_result empty = {0};
    HZ_CHECK(hz_report_forecast(r, &empty, NULL, &err) == HZ_EINVAL);
    HZ_CHECK(hz_report_customers(r, NULL, &err) == HZ_EINVAL);
    hz_report_backtest_in bt = {0};
    HZ_CHECK(hz_report_backtest(r, &bt, &err) == HZ_EINVAL);
    HZ_CHECK(hz_report_narrative(r, NULL, &err) == HZ_EINVAL);
    hz_report_free(r);
    hz_report_free(NULL);
}

HZ_TEST(backtest_part_accuracy_errors_and_coverage)
{
    const char *models[3] = {"auto", "theta", "naive2"};
    double sm[3] = {13.5, 13.9, 16.8}, ma[3] = {0.85, 0.86, 1.04};
    double ow[3] = {0.82, 0.84, 1};
    double lv[2] = {80, 95};
    double cov[6] = {0.79, 0.93, 0.75, 0.9, 0.84, 0.93};
    double ps[3 * 20], pm[3 * 20];
    for (int i = 0; i < 60; i++) {
        ps[i] = (i * 37) % 41;
        pm[i] = ps[i] / 20;
    }
    hz_report_backtest_in bt = {3,  models, sm, ma, ow, 2, lv,     cov,
                                20, ps,     pm, 20, 18, 1, "month"};
    hz_report *r = hz_report_new(NULL);
    hz_error err;
    HZ_CHECK(hz_report_backtest(r, &bt, &err) == HZ_OK);
    char *html = render(r);
    HZ_CHECK(html != NULL);
    HZ_CHECK(count(html, "data-kind=\"ecdf\"") == 1);
    HZ_CHECK(count(html, "data-kind=\"coverage\"") == 1);
    HZ_CHECK(count(html, "data-kind=\"bars\"") == 2);
    CHECK_HAS(html, "nominal 95%");
    CHECK_HAS(html, "<td class=\"n\">13.5</td>");
    HZ_CHECK(svg_consistent(html));
    free(html);
    hz_report_free(r);
}

/* A synthetic customer analysis with every part present. */
typedef struct cust {
    double x[200], tx[200], T[200], m[200], sp[200], days[200], xh[200];
    double pa[200], ep[200], clv[200], prob[200], oof[200];
    int8_t label[200];
    uint8_t seg[200];
    hz_segment_profile prof[HZ_SEG_COUNT];
    hz_bgnbd_model bg;
    hz_gg_model gg;
    const char *feat[3];
    double coef[3];
} cust;

static void make_view(cust *c, hz_analytics_view *v)
{
    memset(c, 0, sizeof *c);
    for (int i = 0; i < 200; i++) {
        c->x[i] = i % 9;
        c->T[i] = 300 + i % 50;
        c->tx[i] = c->x[i] ? c->T[i] * (i % 7) / 7.0 : 0;
        c->m[i] = 20 + i % 13;
        c->sp[i] = c->m[i] * (c->x[i] + 1);
        c->days[i] = c->T[i] - c->tx[i];
        c->xh[i] = (i % 5) * (c->x[i] > 3);
        c->pa[i] = 1.0 / (1 + i % 10);
        c->ep[i] = c->x[i] / 3;
        c->clv[i] = i == 7 ? 1e6 : 10.0 * (i % 17); /* one huge value */
        c->label[i] = (int8_t)(i % 3 == 0);
        c->prob[i] = c->oof[i] = c->label[i] ? 0.6 + (i % 4) / 10.0
                                             : 0.2 + (i % 7) / 10.0;
        c->seg[i] = (uint8_t)(i % HZ_SEG_COUNT);
    }
    for (int g = 0; g < HZ_SEG_COUNT; g++)
        c->prof[g] = (hz_segment_profile){18, 0.09, 50, 3, 40, 700, 0.09};
    c->bg.p = (hz_bgnbd_params){0.243, 4.414, 0.793, 2.426};
    c->bg.n = 200;
    c->bg.loglik = -1234.5;
    c->gg.p = (hz_gg_params){6.25, 3.74, 15.44};
    c->gg.n = 150;
    c->feat[0] = "tenure";
    c->feat[1] = "tickets";
    c->feat[2] = "plan=<Pro>";
    c->coef[0] = -0.8;
    c->coef[1] = 1.2;
    c->coef[2] = 0.1;
    memset(v, 0, sizeof *v);
    v->kind = HZ_ANALYSIS_SUITE;
    v->n = 200;
    v->as_of = hz_days_from_civil(2024, 12, 31);
    v->calibration_end = hz_days_from_civil(2024, 6, 30);
    v->frequency = c->x;
    v->recency = c->tx;
    v->T = c->T;
    v->monetary = c->m;
    v->total_spend = c->sp;
    v->days_since_last = c->days;
    v->frequency_holdout = c->xh;
    v->duration_holdout = 184;
    v->bgnbd = &c->bg;
    v->gg = &c->gg;
    v->p_alive = c->pa;
    v->expected_purchases = c->ep;
    v->clv = c->clv;
    v->horizon_months = 12;
    v->clv_error = v->churn_error = v->segment_error = "";
    v->churn_run = v->churn_labelled = true;
    v->churn_method = "L2 logistic regression";
    v->churn_rate = 1 / 3.0;
    v->churn_mean_risk = 0.4;
    v->label = c->label;
    v->churn_prob = c->prob;
    v->churn_oof = c->oof;
    v->folds = 5;
    v->auc = 0.9;
    v->auc_sd = 0.01;
    v->nfeat = 3;
    v->feat = c->feat;
    v->coef = c->coef;
    v->segment = c->seg;
    v->segment_profile = c->prof;
}

HZ_TEST(customer_part_every_chart)
{
    static cust c;
    hz_analytics_view v;
    make_view(&c, &v);
    hz_report *r = hz_report_new(NULL);
    hz_error err;
    HZ_CHECK(hz_report_customers(r, &v, &err) == HZ_OK);
    char *html = render(r);
    HZ_CHECK(html != NULL);
    static const char *const kinds[] = {"calibration", "heatmap", "segments",
                                        "scatter",     "drivers", "roc"};
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
        char want[64];
        snprintf(want, sizeof want, "data-kind=\"%s\"", kinds[k]);
        HZ_CHECK_MSG(count(html, want) == 1, "no %s chart", kinds[k]);
    }
    HZ_CHECK(count(html, "data-kind=\"histogram\"") == 2); /* CLV, risk */
    CHECK_HAS(html, "plan=&lt;Pro&gt;");
    CHECK_HAS(html, "no intervals are available");
    CHECK_HAS(html, "holds the 1 customer above"); /* the huge CLV */
    HZ_CHECK(svg_consistent(html));
    free(html);
    hz_report_free(r);
    /* driver intervals, when the analysis has them, are drawn */
    double lo[3] = {-1, 1, -0.1}, hi[3] = {-0.6, 1.4, 0.3};
    v.coef_lo = lo;
    v.coef_hi = hi;
    r = hz_report_new(NULL);
    HZ_CHECK(hz_report_customers(r, &v, &err) == HZ_OK);
    html = render(r);
    HZ_CHECK(count(html, "class=\"wh\"") == 3);
    free(html);
    hz_report_free(r);
}

HZ_TEST(customer_part_roc_auc_and_failed_parts)
{
    static cust c;
    hz_analytics_view v;
    make_view(&c, &v);
    /* scores 0.9 0.8 0.7 0.6 with labels 1 0 1 0: AUC = 3/4 */
    double oof[4] = {0.9, 0.8, 0.7, 0.6};
    int8_t lab[4] = {1, 0, 1, 0};
    v.n = 4;
    v.frequency = NULL; /* a labelled customer table: no summary */
    v.bgnbd = NULL;
    v.clv = NULL;
    v.segment = NULL;
    v.segment_profile = NULL;
    v.churn_oof = oof;
    v.churn_prob = oof;
    v.label = lab;
    v.clv_error = "no repeat buyers";
    hz_report *r = hz_report_new(NULL);
    hz_error err;
    HZ_CHECK(hz_report_customers(r, &v, &err) == HZ_OK);
    char *html = render(r);
    CHECK_HAS(html, "pooled AUC 0.75;");
    CHECK_HAS(html, "The CLV part could not be computed: no repeat buyers");
    HZ_CHECK(count(html, "data-kind=\"heatmap\"") == 0);
    free(html);
    hz_report_free(r);
}

HZ_TEST(narrative_in_place_or_spliced_later)
{
    hz_forecast_result *fc = make_forecast(1, 24, 6);
    hz_report *r = hz_report_new(NULL);
    hz_error err;
    HZ_CHECK(hz_report_forecast(r, fc, NULL, &err) == HZ_OK);
    char *page = render(r);
    hz_report_narrative_in n = {"Sales grow <fast>.\n\nA second paragraph.",
                                "gpt-4o-mini", 392, 87};
    char *out = NULL;
    size_t len = 0;
    HZ_CHECK(hz_report_splice_narrative(page, strlen(page), &n, &out, &len,
                                        &err) == HZ_OK);
    HZ_CHECK(strlen(out) == len);
    CHECK_LACKS(out, HZ_REPORT_NARRATIVE_SLOT);
    CHECK_HAS(out, "<p>Sales grow &lt;fast&gt;.</p><p>A second paragraph.");
    CHECK_HAS(out, "by gpt-4o-mini; prompt 392 tokens; completion 87 tokens");
    /* the same narrative given to the report directly: the same page */
    HZ_CHECK(hz_report_narrative(r, &n, &err) == HZ_OK);
    char *direct = render(r);
    HZ_CHECK(strcmp(direct, out) == 0);
    /* a page without a slot is copied as it is */
    char *copy = NULL;
    HZ_CHECK(hz_report_splice_narrative(direct, strlen(direct), &n, &copy,
                                        NULL, &err) == HZ_OK);
    HZ_CHECK(strcmp(copy, direct) == 0);
    free(copy);
    free(direct);
    free(out);
    free(page);
    hz_report_free(r);
    hz_forecast_result_free(fc);
}

HZ_TEST(forecast_part_fitted_values_and_diagnostics)
{
    hz_forecast_result *fc = make_forecast(1, 36, 6);
    hz_forecast_series_result *s = &fc->series[0];
    s->fitted = malloc(s->n * sizeof *s->fitted);
    s->fitted[0] = NAN; /* the first has none: a gap */
    for (size_t k = 1; k < s->n; k++)
        s->fitted[k] = s->history[k - 1];
    snprintf(s->fc->params, sizeof s->fc->params, "alpha=0.5");
    s->fc->sigma2 = 42;
    fc->period = 12;
    hz_report *r = hz_report_new(NULL);
    hz_error err;
    HZ_CHECK(hz_report_forecast(r, fc, NULL, &err) == HZ_OK);
    char *html = render(r);
    HZ_CHECK(html != NULL);
    /* observed, point forecast, fitted and two bands */
    CHECK_HAS(html, "data-kind=\"fan\" data-series=\"5\"");
    CHECK_HAS(html, "data-name=\"fitted (one step ahead)\"");
    CHECK_HAS(html, "(alpha=0.5)");
    CHECK_HAS(html, "innovation variance 42");
    CHECK_HAS(html, "Ljung-Box p ");
    CHECK_HAS(html, "in-sample MASE ");
    CHECK_HAS(html, "dashed: one-step fitted values");
    CHECK_HAS(html, ">fitted</th>");
    HZ_CHECK(svg_consistent(html));
    free(html);
    hz_report_free(r);
    /* without fitted values: no line, no column, no residual checks */
    free(s->fitted);
    s->fitted = NULL;
    r = hz_report_new(NULL);
    HZ_CHECK(hz_report_forecast(r, fc, NULL, &err) == HZ_OK);
    html = render(r);
    CHECK_HAS(html, "data-kind=\"fan\" data-series=\"4\"");
    CHECK_LACKS(html, "Ljung-Box p 0");
    CHECK_LACKS(html, ">fitted</th>");
    free(html);
    hz_report_free(r);
    hz_forecast_result_free(fc);
}

HZ_TEST(backtest_part_msis_and_spl_columns)
{
    const char *models[2] = {"auto", "naive2"};
    double sm[2] = {13.5, 16.8}, ma[2] = {0.85, 1.04}, ow[2] = {0.82, 1};
    double lv[2] = {80, 95}, cov[4] = {0.79, 0.93, 0.84, 0.93};
    double msis[2] = {7.25, 9.5}, spl[2] = {0.3125, 0.4375};
    hz_report_backtest_in bt = {2,  models, sm,      ma,   ow,   2,
                                lv, cov,    0,       NULL, NULL, 20,
                                18, 1,      "month", msis, spl,  95};
    hz_report *r = hz_report_new(NULL);
    hz_error err;
    HZ_CHECK(hz_report_backtest(r, &bt, &err) == HZ_OK);
    char *html = render(r);
    HZ_CHECK(html != NULL);
    CHECK_HAS(html, ">MSIS 95%</th>");
    CHECK_HAS(html, ">SPL</th>");
    CHECK_HAS(html, "<td class=\"n\">7.25</td><td class=\"n\">0.3125</td>");
    CHECK_HAS(html, "<td class=\"n\">9.5</td><td class=\"n\">0.4375</td>");
    free(html);
    hz_report_free(r);
    /* without them: no columns */
    bt.msis = bt.spl = NULL;
    r = hz_report_new(NULL);
    HZ_CHECK(hz_report_backtest(r, &bt, &err) == HZ_OK);
    html = render(r);
    CHECK_LACKS(html, ">SPL</th>");
    free(html);
    hz_report_free(r);
}

HZ_TEST(backtest_part_model_without_intervals)
{
    /* snaive gave no intervals at any pair (NaN coverage, MSIS, SPL), auto
     * at 15 of the 20: no bar and empty cells for snaive, never "nan",
     * and a note saying over which pairs the interval measures are */
    const char *models[3] = {"auto", "snaive", "naive2"};
    double sm[3] = {13.5, 15.1, 16.8}, ma[3] = {0.85, 0.95, 1.04};
    double ow[3] = {0.82, 0.91, 1}, lv[2] = {80, 95};
    double cov[6] = {0.79, 0.93, NAN, NAN, 0.84, 0.93};
    double msis[3] = {7.25, NAN, 9.5}, spl[3] = {0.3125, NAN, 0.4375};
    const size_t with[3] = {15, 0, 20};
    hz_report_backtest_in bt = {3,       models, sm,   ma,   ow,  2,  lv,
                                cov,     20,     NULL, NULL, 20,  18, 1,
                                "month", msis,   spl,  95,   with};
    hz_report *r = hz_report_new(NULL);
    hz_error err;
    HZ_CHECK(hz_report_backtest(r, &bt, &err) == HZ_OK);
    char *html = render(r);
    HZ_CHECK(html != NULL);
    HZ_CHECK(count(html, "data-kind=\"coverage\"") == 1);
    HZ_CHECK(svg_consistent(html));
    CHECK_LACKS(html, "nan");
    CHECK_HAS(html, "over the pairs whose forecast has intervals: auto 15 "
                    "of 20; snaive 0 of 20 (it gave none: no bar, empty "
                    "cells).");
    CHECK_HAS(html,
              "<th scope=\"row\">snaive</th><td class=\"n\">15.1</td><td "
              "class=\"n\">0.95</td><td class=\"n\">0.91</td><td "
              "class=\"n\"></td><td class=\"n\"></td><td "
              "class=\"n\"></td><td class=\"n\"></td>");
    free(html);
    hz_report_free(r);
    /* every model with intervals at every pair: no note */
    const size_t all[3] = {20, 20, 20};
    bt.interval_pairs = all;
    r = hz_report_new(NULL);
    HZ_CHECK(hz_report_backtest(r, &bt, &err) == HZ_OK);
    html = render(r);
    CHECK_LACKS(html, "whose forecast has intervals");
    free(html);
    hz_report_free(r);
}

HZ_TEST(template_narrative_counts_its_text)
{
    hz_forecast_result *fc = make_forecast(1, 24, 6);
    hz_report *r = hz_report_new(NULL);
    hz_error err;
    HZ_CHECK(hz_report_forecast(r, fc, NULL, &err) == HZ_OK);
    hz_report_narrative_in n = {"Sales grow.", "the offline template (no LLM)",
                                120, 30, true};
    HZ_CHECK(hz_report_narrative(r, &n, &err) == HZ_OK);
    char *html = render(r);
    CHECK_HAS(html, "by the offline template (no LLM); prompt 120 tokens; "
                    "text 30 tokens (no model call)");
    CHECK_LACKS(html, "completion 30");
    free(html);
    hz_report_free(r);
    hz_forecast_result_free(fc);
}

HZ_TEST(analysis_part_survival_curve_and_cox_table)
{
    const char *csv = "id,tenure,churn,tickets\n"
                      "a,3,yes,4\nb,5,no,0\nc,7,yes,3\nd,9,no,1\n"
                      "e,11,yes,2\nf,12,no,0\ng,15,yes,5\nh,20,no,1\n"
                      "i,22,yes,2\nj,30,no,0\nk,6,yes,3\nl,14,no,2\n";
    hz_dataset *ds = NULL;
    HZ_CHECK(hz_csv_read_buffer(csv, strlen(csv), "s.csv", NULL, &ds, NULL,
                                NULL) == HZ_OK);
    hz_analytics_request q;
    hz_analytics_request_init(&q);
    q.event_col = "churn";
    q.covariates = "tickets";
    hz_analytics_result *res = NULL;
    hz_error err;
    HZ_CHECK_MSG(hz_analytics_run(ds, HZ_ANALYSIS_SURVIVAL, &q, &res, &err) ==
                     HZ_OK,
                 "%s", err.msg);
    hz_report *r = hz_report_new(NULL);
    HZ_CHECK_MSG(hz_report_analysis(r, res, &err) == HZ_OK, "%s", err.msg);
    char *html = render(r);
    HZ_CHECK(html != NULL);
    CHECK_HAS(html, "data-kind=\"survival\" data-series=\"2\"");
    CHECK_HAS(html, "Cox proportional hazards model");
    CHECK_HAS(html, "<th scope=\"row\">tickets</th>");
    CHECK_HAS(html, "12 subjects, 6 events");
    HZ_CHECK(svg_consistent(html));
    free(html);
    hz_report_free(r);
    HZ_CHECK(hz_report_analysis(NULL, res, &err) == HZ_EINVAL);
    hz_analytics_result_free(res);
    hz_dataset_free(ds);
}
