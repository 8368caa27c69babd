/* Summaries: number formatting and the builders on hand-made results. */
#include <stdlib.h>

#include "horizon/outfile.h"
#include "horizon/summary.h"
#include "hz_test.h"

static const hz_summary_item *find(const hz_summary *s, const char *key)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->items[i].key, key) == 0)
            return &s->items[i];
    return NULL;
}

static const char *txt(const hz_summary *s, const char *key)
{
    const hz_summary_item *it = find(s, key);
    return it ? it->text : "(missing)";
}

HZ_TEST(format_numbers)
{
    char b[32];
    HZ_CHECK_STR(hz_fmt_num(1234567, b, 32), "1.23M");
    HZ_CHECK_STR(hz_fmt_num(45612, b, 32), "45.6K");
    HZ_CHECK_STR(hz_fmt_num(987.4, b, 32), "987");
    HZ_CHECK_STR(hz_fmt_num(999.7, b, 32), "1K");
    HZ_CHECK_STR(hz_fmt_num(999600, b, 32), "1M");
    HZ_CHECK_STR(hz_fmt_num(12.34, b, 32), "12.3");
    HZ_CHECK_STR(hz_fmt_num(0.012345, b, 32), "0.0123");
    HZ_CHECK_STR(hz_fmt_num(-2.5e9, b, 32), "-2.5B");
    HZ_CHECK_STR(hz_fmt_num(0, b, 32), "0");
    HZ_CHECK_STR(hz_fmt_num(-0.0, b, 32), "0"); /* was "-0" */
    HZ_CHECK_STR(hz_fmt_num(NAN, b, 32), "n/a");
    HZ_CHECK_STR(hz_fmt_num(5e14, b, 32), "500T");
    HZ_CHECK_STR(hz_fmt_num(999.7e12, b, 32), "1e+15"); /* not 1e+03T */
    HZ_CHECK_STR(hz_fmt_num(-1.42e301, b, 32), "-1.42e+301");
    HZ_CHECK_STR(hz_fmt_pct(0.0823, 1, b, 32), "+8.2%");
    HZ_CHECK_STR(hz_fmt_pct(0.1404, 0, b, 32), "14%");
    HZ_CHECK_STR(hz_fmt_pct(-0.031, 1, b, 32), "-3.1%");
    HZ_CHECK_STR(hz_fmt_pct(0.0996, 0, b, 32), "10%");
    /* a change that rounds to nothing has no sign (was "-0.0%") */
    HZ_CHECK_STR(hz_fmt_pct(-0.0001, 1, b, 32), "0.0%");
    HZ_CHECK_STR(hz_fmt_pct(-0.0001, 0, b, 32), "0.0%");
    HZ_CHECK_STR(hz_fmt_pct(0.0, 1, b, 32), "0.0%");
    HZ_CHECK_STR(hz_fmt_pct(-0.0, 0, b, 32), "0.0%");
    HZ_CHECK_STR(hz_fmt_pct(-0.0004999, 1, b, 32), "0.0%");
    HZ_CHECK_STR(hz_fmt_pct(-0.0005001, 1, b, 32), "-0.1%");
    HZ_CHECK_STR(hz_fmt_pct(0.0005001, 1, b, 32), "+0.1%");
    /* a share neither none nor all reads as neither (1 customer of
     * 20,000 at high risk printed "0.0%", 999 of 1,000 "100%") */
    HZ_CHECK_STR(hz_fmt_pct(1.0 / 20000, 0, b, 32), "<0.1%");
    HZ_CHECK_STR(hz_fmt_pct(999.0 / 1000, 0, b, 32), ">99%");
    HZ_CHECK_STR(hz_fmt_pct(0.994, 0, b, 32), "99%");
    HZ_CHECK_STR(hz_fmt_pct(1.0, 0, b, 32), "100%");
    HZ_CHECK_STR(hz_fmt_pct(0.0005, 0, b, 32), "0.1%");
    /* scientific in one form, large or small: 3 significant digits
     * without trailing zeros (it was "1.20e-05" below 1e-4 but "1e+15"
     * above a thousand trillion) */
    HZ_CHECK_STR(hz_fmt_num(1.2e-5, b, 32), "1.2e-05");
    HZ_CHECK_STR(hz_fmt_num(-5e-7, b, 32), "-5e-07");
    HZ_CHECK_STR(hz_fmt_num(1.23456e-5, b, 32), "1.23e-05");
}

/* Numbers read together (an interval, quantiles) share one style: the
 * summary said "997T to 1.1e+15" */
HZ_TEST(format_numbers_together)
{
    char r[4][HZ_FMT_NUM_MAX];
    hz_fmt_nums((const double[]){997e12, 1.1e15}, 2, r);
    HZ_CHECK_STR(r[0], "9.97e+14");
    HZ_CHECK_STR(r[1], "1.1e+15");
    hz_fmt_nums((const double[]){-2e3, 1.5e16, 0}, 3, r);
    HZ_CHECK_STR(r[0], "-2e+03");
    HZ_CHECK_STR(r[1], "1.5e+16");
    HZ_CHECK_STR(r[2], "0");
    /* below the largest's style, small values stay plain decimals */
    hz_fmt_nums((const double[]){5e-5, 12.3}, 2, r);
    HZ_CHECK_STR(r[0], "0.00005");
    HZ_CHECK_STR(r[1], "12.3");
    hz_fmt_nums((const double[]){-1.234e-5, 0.5}, 2, r);
    HZ_CHECK_STR(r[0], "-0.0000123");
    /* all small: scientific, alike */
    hz_fmt_nums((const double[]){5e-6, 1.5e-5}, 2, r);
    HZ_CHECK_STR(r[0], "5e-06");
    HZ_CHECK_STR(r[1], "1.5e-05");
    /* K/M/B/T is one style: each keeps its own suffix */
    hz_fmt_nums((const double[]){997, 1020, 999.6e3, NAN}, 4, r);
    HZ_CHECK_STR(r[0], "997");
    HZ_CHECK_STR(r[1], "1.02K");
    HZ_CHECK_STR(r[2], "1M");
    HZ_CHECK_STR(r[3], "n/a");
}

/* The interval and the CLV quantiles of a summary in one style */
HZ_TEST(summary_ranges_one_style)
{
    double y[12];
    for (int i = 0; i < 12; i++)
        y[i] = 9e14;
    double lv[1] = {95};
    hz_forecast *fc = hz_forecast_alloc(3, 1, lv);
    HZ_CHECK(fc != NULL);
    for (int k = 0; k < 3; k++) {
        fc->mean[k] = 1.05e15;
        fc->lower[0][k] = 997e12;
        fc->upper[0][k] = 1.1e15;
    }
    hz_summary_forecast_in in = {.name = "x", .unit = "month", .history = y,
                                 .n_history = 12, .period = 12, .fc = fc};
    hz_summary *s = hz_summary_new("forecast");
    hz_error err;
    HZ_CHECK(hz_summary_forecast(&in, s, &err) == HZ_OK);
    HZ_CHECK_CONTAINS(txt(s, "forecast.interval"), ": 9.97e+14 to 1.1e+15 ");
    hz_summary_free(s);
    hz_forecast_free(fc);
    double clv[10] = {1e-6, 2e-6, 3e-6, 4e-6, 5e-6, 6e-6, 7e-6, 8e-6, 9e-6, 2};
    s = hz_summary_new("clv");
    HZ_CHECK(hz_summary_clv(clv, 10, 12, NULL, 0, s, &err) == HZ_OK);
    HZ_CHECK_CONTAINS(txt(s, "clv.quantiles"),
                      "p10 0.0000019, p50 0.0000055, p90 0.2, p99 1.82");
    hz_summary_free(s);
}

HZ_TEST(items_sort_stable_and_one_line)
{
    hz_summary *s = hz_summary_new("test");
    HZ_CHECK(s != NULL);
    HZ_CHECK(hz_summary_add(s, 3, "c", "third") == HZ_OK);
    HZ_CHECK(hz_summary_add(s, 0, "a", "first\nline") == HZ_OK);
    HZ_CHECK(hz_summary_add(s, 3, "d", "fourth") == HZ_OK);
    HZ_CHECK(hz_summary_add(s, 1, "b", "second") == HZ_OK);
    char longtext[600];
    for (int i = 0; i < 100; i++)
        memcpy(longtext + i * 5, "word ", 5);
    longtext[500] = '\0';
    HZ_CHECK(hz_summary_add(s, 9, "long", "%s", longtext) == HZ_OK);
    hz_summary_sort(s);
    HZ_CHECK_STR(s->items[0].key, "a");
    HZ_CHECK_STR(s->items[0].text, "first line");
    HZ_CHECK_STR(s->items[1].key, "b");
    HZ_CHECK_STR(s->items[2].key, "c");
    HZ_CHECK_STR(s->items[3].key, "d");
    HZ_CHECK(strlen(s->items[4].text) < HZ_SUMMARY_TEXT_MAX);
    HZ_CHECK_CONTAINS(s->items[4].text, "...");
    /* a long word of multi-byte characters (a series name): cut at a
     * character boundary, never inside one */
    char euros[3 * 200 + 1];
    for (size_t k = 0; k < 200; k++)
        memcpy(euros + 3 * k, "\xe2\x82\xac", 3);
    euros[3 * 200] = '\0';
    for (int pre = 0; pre < 3; pre++) {
        HZ_CHECK(hz_summary_add(s, 9, "euros", "%.*s%s", pre, "ab", euros) ==
                 HZ_OK);
        const char *e = s->items[s->n - 1].text;
        HZ_CHECK_MSG(hz_utf8_valid(e, strlen(e)), "prefix %d: %s", pre, e);
        HZ_CHECK_CONTAINS(e, "\xe2\x82\xac...");
    }
    s->n -= 3;
    hz_summary *t = hz_summary_new("suite");
    HZ_CHECK(hz_summary_append(t, s, 10, "churn.") == HZ_OK);
    HZ_CHECK(t->n == 5);
    HZ_CHECK_STR(t->items[0].key, "churn.a");
    HZ_CHECK(t->items[0].importance == 10);
    hz_summary_free(s);
    hz_summary_free(t);
}

HZ_TEST(forecast_summary)
{
    /* 36 months of history with 10% yearly growth and a December peak */
    double y[36];
    for (int i = 0; i < 36; i++) {
        int year = i / 12, month = i % 12;
        y[i] = 1000.0 * pow(1.10, year) * (month == 11 ? 1.5 : 1.0);
    }
    double lv[2] = {80, 95};
    hz_forecast *fc = hz_forecast_alloc(12, 2, lv);
    HZ_CHECK(fc != NULL);
    for (int k = 0; k < 12; k++) {
        fc->mean[k] = 1210.0 * 1.08 * (k == 11 ? 1.5 : 1.0);
        fc->lower[0][k] = fc->mean[k] * 0.95;
        fc->upper[0][k] = fc->mean[k] * 1.05;
        fc->lower[1][k] = fc->mean[k] * 0.9;
        fc->upper[1][k] = fc->mean[k] * 1.1;
    }
    snprintf(fc->method, sizeof fc->method, "ETS(M,A,M)");
    const char *labels[12] = {"2026-01", "2026-02", "2026-03", "2026-04",
                              "2026-05", "2026-06", "2026-07", "2026-08",
                              "2026-09", "2026-10", "2026-11", "2026-12"};
    hz_summary_forecast_in in = {.name = "revenue",
                                 .unit = "month",
                                 .history = y,
                                 .n_history = 36,
                                 .period = 12,
                                 .fc = fc,
                                 .step_labels = labels};
    hz_summary *s = hz_summary_new("forecast");
    hz_error err;
    HZ_CHECK(hz_summary_forecast(&in, s, &err) == HZ_OK);
    const hz_summary_item *t = find(s, "forecast.total");
    HZ_CHECK(t != NULL && t->importance == 0);
    /* forecast total = 1306.8*11 + 1960.2 = 16335; last year = 1210*11 +
       1815 = 15125: +8.0% */
    HZ_CHECK_CONTAINS(t->text, "16.3K");
    HZ_CHECK_CONTAINS(t->text, "+8.0%");
    t = find(s, "history.growth");
    HZ_CHECK(t != NULL);
    HZ_CHECK_CONTAINS(t->text, "+10%");
    t = find(s, "forecast.season");
    HZ_CHECK(t != NULL);
    HZ_CHECK_CONTAINS(t->text, "peak 2026-12");
    t = find(s, "forecast.interval");
    HZ_CHECK(t != NULL);
    HZ_CHECK_CONTAINS(t->text, "95% interval at 2026-12");
    HZ_CHECK_CONTAINS(t->text, "+/-10%");
    t = find(s, "forecast.model");
    HZ_CHECK(t != NULL);
    HZ_CHECK_CONTAINS(t->text, "ETS(M,A,M)");
    hz_summary_free(s);
    hz_forecast_free(fc);
}

/* Net losses (negative values) that shrink: a change up, not down.
 * x / base - 1 read -1.8% for -6K after -6.11K, and a peak above the
 * forecast average as below it. */
HZ_TEST(forecast_summary_negative_values)
{
    HZ_CHECK_NEAR(hz_rel_change(-6000, -6110), 110.0 / 6110, 1e-12);
    HZ_CHECK_NEAR(hz_rel_change(90, 100), -0.1, 1e-12);
    HZ_CHECK(isnan(hz_rel_change(1, 0)));
    HZ_CHECK(isnan(hz_rel_change(NAN, 1)));
    double y[24];
    for (int i = 0; i < 24; i++)
        y[i] = i < 12 ? -1000.0 : -900.0; /* losses shrank by 10% */
    hz_forecast *fc = hz_forecast_alloc(12, 0, NULL);
    HZ_CHECK(fc != NULL);
    for (int k = 0; k < 12; k++)
        fc->mean[k] = k == 5 ? -700.0 : -850.0; /* the peak: -700 */
    hz_summary_forecast_in in = {
        .name = "net", .unit = "month", .history = y, .n_history = 24,
        .period = 12, .fc = fc};
    hz_summary *s = hz_summary_new("forecast");
    hz_error err;
    HZ_CHECK(hz_summary_forecast(&in, s, &err) == HZ_OK);
    /* 11 x -850 - 700 = -10050 against -10800: +6.9% */
    HZ_CHECK_CONTAINS(txt(s, "forecast.total"), "total -10.1K, +6.9% vs");
    HZ_CHECK_CONTAINS(txt(s, "history.growth"), "+10% vs the 12 months before");
    /* average -837.5: the peak -700 is 16% above it */
    HZ_CHECK_CONTAINS(txt(s, "forecast.season"),
                      "peak month 6 (-700, +16% vs forecast average)");
    hz_summary_free(s);
    hz_forecast_free(fc);
}

/* Like with like: the next periods against the same periods a season
 * before, the longest season the history covers */
HZ_TEST(comparison_span)
{
    hz_seasons hours = {2, {24, 168}}, days = {2, {7, 365.25}};
    char b[128];
    hz_summary_span sp = hz_summary_span_of(12, 672, &hours, 24);
    HZ_CHECK(sp.steps == 12 && sp.lag == 168 && sp.seasonal);
    HZ_CHECK_STR(hz_summary_span_text(&sp, "hour", b, sizeof b),
                 "the same 12 hours a week before");
    sp = hz_summary_span_of(48, 100, &hours, 24); /* not a week of history */
    HZ_CHECK(sp.steps == 24 && sp.lag == 24 && sp.seasonal);
    HZ_CHECK_STR(hz_summary_span_text(&sp, "hour", b, sizeof b),
                 "the same 24 hours a day before");
    sp = hz_summary_span_of(14, 1096, &days, 7);
    HZ_CHECK(sp.steps == 14 && sp.lag == 365);
    HZ_CHECK_STR(hz_summary_span_text(&sp, "day", b, sizeof b),
                 "the same 14 days a year before");
    sp = hz_summary_span_of(24, 36, NULL, 12);
    HZ_CHECK(sp.steps == 12 && sp.lag == 12);
    HZ_CHECK_STR(hz_summary_span_text(&sp, "month", b, sizeof b),
                 "the same 12 months a year before");
    hz_seasons w = {1, {52.18}};
    sp = hz_summary_span_of(8, 120, &w, 52);
    HZ_CHECK_STR(hz_summary_span_text(&sp, "week", b, sizeof b),
                 "the same 8 weeks a year before");
    /* days a weekday-aligned year before, and seasons given in the
     * unit itself: "the same 6 months 6 months before" read as one
     * span */
    sp = hz_summary_span_of(14, 800, &(hz_seasons){1, {364}}, 364);
    HZ_CHECK_STR(hz_summary_span_text(&sp, "day", b, sizeof b),
                 "the same 14 days 52 weeks before");
    sp = hz_summary_span_of(12, 40, &(hz_seasons){1, {6}}, 6);
    HZ_CHECK(sp.steps == 6 && sp.lag == 6);
    HZ_CHECK_STR(hz_summary_span_text(&sp, "month", b, sizeof b),
                 "the same 6 months, 6 months before");
    sp = hz_summary_span_of(4, 40, &(hz_seasons){1, {8}}, 8);
    HZ_CHECK_STR(hz_summary_span_text(&sp, "quarter", b, sizeof b),
                 "the same 4 quarters 2 years before");
    sp = hz_summary_span_of(6, 100, &(hz_seasons){1, {12}}, 12);
    HZ_CHECK_STR(hz_summary_span_text(&sp, "hour", b, sizeof b),
                 "the same 6 hours, 12 hours before");
    hz_seasons m = {1, {1440}};
    sp = hz_summary_span_of(6, 3 * 48, &(hz_seasons){1, {48}}, 48);
    HZ_CHECK_STR(hz_summary_span_text(&sp, "30-minute", b, sizeof b),
                 "the same 6 30-minute periods a day before");
    sp = hz_summary_span_of(6, 2000, &m, 1440);
    HZ_CHECK_STR(hz_summary_span_text(&sp, "minute", b, sizeof b),
                 "the same 6 minutes a day before");
    /* no season (or none the history covers): the periods just before */
    sp = hz_summary_span_of(5, 8, NULL, 1);
    HZ_CHECK(sp.steps == 5 && sp.lag == 5 && !sp.seasonal);
    HZ_CHECK_STR(hz_summary_span_text(&sp, "year", b, sizeof b),
                 "the 5 years just before");
    sp = hz_summary_span_of(5, 4, NULL, 1);
    HZ_CHECK(sp.steps == 0);
    /* the words of the key figures and of the narrative */
    sp = hz_summary_span_of(24, 36, NULL, 12);
    HZ_CHECK_STR(hz_summary_total_text(24, "month", 1.68e6, &sp, 753e3,
                                       513e3, b, sizeof b),
                 "next 24 months: total 1.68M; the first 12: 753K, +47% vs "
                 "the same 12 months a year before (513K)");
    sp = hz_summary_span_of(12, 672, &hours, 24);
    HZ_CHECK_STR(hz_summary_total_text(12, "hour", 1440, &sp, 1440, 1370, b,
                                       sizeof b),
                 "next 12 hours: total 1.44K, +5.1% vs the same 12 hours a "
                 "week before (1.37K)");
    /* the numbers of the sentence in one style: "total 0.000106, ...
     * (7.2e-05)" mixed them */
    sp = hz_summary_span_of(3, 36, NULL, 12);
    HZ_CHECK_STR(hz_summary_total_text(3, "month", 0.000106, &sp, 0.000106,
                                       7.2e-5, b, sizeof b),
                 "next 3 months: total 0.000106, +47% vs the same 3 months a "
                 "year before (0.000072)");
    /* nothing a season before: no percentage ("n/a vs") */
    sp = hz_summary_span_of(3, 36, NULL, 12);
    HZ_CHECK_STR(hz_summary_total_text(3, "month", 14, &sp, 14, 0, b,
                                       sizeof b),
                 "next 3 months: total 14, against 0 in the same 3 months a "
                 "year before");
    sp = hz_summary_span_of(5, 4, NULL, 1);
    HZ_CHECK_STR(hz_summary_total_text(5, "year", 10, &sp, NAN, NAN, b,
                                       sizeof b),
                 "next 5 years: total 10");
}

/* Hours: the next 12 against the same 12 hours a day before (24 hours of
 * history), not the 12 just before, which compared night with day */
HZ_TEST(forecast_summary_hours)
{
    double y[24];
    for (int i = 0; i < 24; i++)
        y[i] = i < 12 ? 10 : 100; /* night, then day */
    hz_forecast *fc = hz_forecast_alloc(12, 0, NULL);
    HZ_CHECK(fc != NULL);
    for (int k = 0; k < 12; k++)
        fc->mean[k] = 11; /* the night again, 10% up */
    hz_summary_forecast_in in = {.name = "load", .unit = "hour",
                                 .history = y, .n_history = 24,
                                 .period = 24, .fc = fc};
    hz_summary *s = hz_summary_new("forecast");
    hz_error err;
    HZ_CHECK(hz_summary_forecast(&in, s, &err) == HZ_OK);
    HZ_CHECK_STR(txt(s, "forecast.total"),
                 "load forecast next 12 hours: total 132, +10% vs the same "
                 "12 hours a day before (120)");
    hz_summary_free(s);
    /* minutes: "the 12 30-minute periods before", not "30-minutes" */
    in.unit = "30-minute";
    in.period = 12;
    s = hz_summary_new("forecast");
    HZ_CHECK(hz_summary_forecast(&in, s, &err) == HZ_OK);
    HZ_CHECK_STR(txt(s, "history.growth"),
                 "load last 12 30-minute periods: 1.2K, +900% vs the 12 "
                 "30-minute periods before");
    hz_summary_free(s);
    hz_forecast_free(fc);
}

/* A flat forecast has no peak and trough; after nothing observed, no
 * change in percent ("n/a vs") */
HZ_TEST(forecast_summary_flat_and_zero)
{
    double y[24] = {0};
    hz_forecast *fc = hz_forecast_alloc(3, 0, NULL);
    HZ_CHECK(fc != NULL);
    for (int k = 0; k < 3; k++)
        fc->mean[k] = 5;
    hz_summary_forecast_in in = {.name = "x", .unit = "month", .history = y,
                                 .n_history = 24, .period = 12, .fc = fc};
    hz_summary *s = hz_summary_new("forecast");
    hz_error err;
    HZ_CHECK(hz_summary_forecast(&in, s, &err) == HZ_OK);
    HZ_CHECK_STR(txt(s, "forecast.season"), "the forecast is flat: 5 every month");
    hz_summary_free(s);
    /* 0.4% apart is not flat, though 3 digits print both as 1M */
    fc->mean[0] = 1000000;
    fc->mean[1] = 1004000;
    fc->mean[2] = 1002000;
    s = hz_summary_new("forecast");
    HZ_CHECK(hz_summary_forecast(&in, s, &err) == HZ_OK);
    HZ_CHECK_CONTAINS(txt(s, "forecast.season"), "+0.2% vs forecast average");
    hz_summary_free(s);
    for (int k = 0; k < 3; k++)
        fc->mean[k] = 5;
    s = hz_summary_new("forecast");
    HZ_CHECK(hz_summary_forecast(&in, s, &err) == HZ_OK);
    HZ_CHECK_STR(txt(s, "history.growth"),
                 "x last 12 months: 0, against 0 in the 12 months before");
    HZ_CHECK_STR(txt(s, "forecast.total"),
                 "x forecast next 3 months: total 15, against 0 in the same 3 "
                 "months a year before");
    hz_summary_free(s);
    hz_forecast_free(fc);
}

HZ_TEST(forecast_summary_rejects_empty)
{
    hz_summary *s = hz_summary_new("forecast");
    hz_summary_forecast_in in = {0};
    hz_error err;
    HZ_CHECK(hz_summary_forecast(&in, s, &err) == HZ_EINVAL);
    HZ_CHECK(s->n == 0);
    hz_summary_free(s);
}

HZ_TEST(churn_clv_segments)
{
    hz_summary *s = hz_summary_new("suite");
    hz_error err;
    hz_summary_driver d[] = {{"tenure_months", -0.41},
                             {"support_tickets", 0.82},
                             {"autopay", -0.2},
                             {"monthly_fee", 0.05}};
    HZ_CHECK(hz_summary_churn(12345, 0.031, NAN, 1200, d, 4, "logistic", 0, s,
                              &err) == HZ_OK);
    HZ_CHECK_CONTAINS(txt(s, "churn.rate"), "3.1%");
    HZ_CHECK_CONTAINS(txt(s, "churn.rate"), "12.3K customers");
    HZ_CHECK_CONTAINS(txt(s, "churn.driver1"), "support_tickets");
    HZ_CHECK_CONTAINS(txt(s, "churn.driver2"), "tenure_months");
    HZ_CHECK(find(s, "churn.predicted") == NULL);
    HZ_CHECK(find(s, "churn.driver1") && find(s, "churn.driver3"));
    HZ_CHECK(find(s, "churn.driver1")->importance <
             find(s, "churn.driver3")->importance);

    double clv[100];
    for (int i = 0; i < 100; i++)
        clv[i] = (double)(i + 1); /* 1..100 */
    clv[7] = NAN;
    HZ_CHECK(hz_summary_clv(clv, 100, 12, "BG/NBD + Gamma-Gamma", 0, s,
                            &err) == HZ_OK);
    /* 99 finite values (1..100 without 8): top 10 = 91..100 = 955 of 5042 */
    HZ_CHECK_CONTAINS(txt(s, "clv.concentration"), "19%");
    HZ_CHECK_CONTAINS(txt(s, "clv.quantiles"), "p50 51");

    const char *names[] = {"champions", "at risk", "new"};
    size_t sizes[] = {100, 300, 600};
    double rev[] = {5000, 1400, 3600};
    HZ_CHECK(hz_summary_segments(names, sizes, rev, 3, 0, s, &err) == HZ_OK);
    HZ_CHECK_CONTAINS(txt(s, "segment.1"), "'champions': 10% of "
                                           "customers, 50% of revenue");
    HZ_CHECK_CONTAINS(txt(s, "segment.3"), "'at risk'");
    HZ_CHECK_CONTAINS(txt(s, "segment.3"), "14% of revenue");
    HZ_CHECK(hz_summary_segments(names, NULL, rev, 3, 0, s, &err) ==
             HZ_EINVAL);
    hz_summary_free(s);
}

HZ_TEST(dataset_profile_summary)
{
    hz_column_profile cols[4] = {
        {.name = "order_date",
         .type = HZ_TYPE_DATE,
         .count = 10,
         .min = 19358,
         .max = 20453,
         .mean = NAN,
         .sum = NAN},
        {.name = "customer_id",
         .type = HZ_TYPE_STRING,
         .count = 10,
         .distinct = 5000,
         .min = NAN,
         .max = NAN,
         .sum = NAN},
        {.name = "quantity",
         .type = HZ_TYPE_INT64,
         .count = 10,
         .sum = 2100000,
         .mean = 3,
         .min = 1,
         .max = 9},
        {.name = "revenue",
         .type = HZ_TYPE_FLOAT64,
         .count = 9,
         .nulls = 1,
         .sum = 12345678,
         .mean = 17.64,
         .min = 0,
         .max = 900},
    };
    hz_profile p = {.nrows = 700000, .ncols = 4, .cols = cols};
    hz_summary *s = hz_summary_new("dataset");
    hz_error err;
    HZ_CHECK(hz_summary_dataset(&p, 0, s, &err) == HZ_OK);
    HZ_CHECK_CONTAINS(txt(s, "dataset.size"), "700K rows, 4 columns");
    HZ_CHECK_CONTAINS(txt(s, "dataset.dates"),
                      "order_date from 2023-01-01 to 2025-12-31");
    HZ_CHECK_CONTAINS(txt(s, "dataset.total1"), "revenue: total "
                                                "12.3M");
    HZ_CHECK_CONTAINS(txt(s, "dataset.total2"), "quantity");
    HZ_CHECK_CONTAINS(txt(s, "dataset.distinct"), "customer_id 5K");
    HZ_CHECK_CONTAINS(txt(s, "dataset.nulls"), "revenue");
    hz_summary_free(s);
}
