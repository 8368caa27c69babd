/* Transactions -> regular series: periods, aggregation, gap filling,
 * frequency inference, long format, errors. */
#include <math.h>

#include "fc_testds.h"
#include "horizon/csv.h"
#include "horizon/series.h"
#include "hz_test.h"

static int32_t D(int y, unsigned m, unsigned d)
{
    return hz_days_from_civil(y, m, d);
}

HZ_TEST(period_indices_roundtrip)
{
    /* 2024-01-01 is a Monday: its week starts on itself */
    int32_t mon = D(2024, 1, 1);
    HZ_CHECK(hz_period_start(HZ_FREQ_WEEK,
                             hz_period_of_day(HZ_FREQ_WEEK, mon)) == mon);
    HZ_CHECK(hz_period_start(HZ_FREQ_WEEK,
                             hz_period_of_day(HZ_FREQ_WEEK, mon + 6)) == mon);
    HZ_CHECK(hz_period_of_day(HZ_FREQ_WEEK, mon + 7) ==
             hz_period_of_day(HZ_FREQ_WEEK, mon) + 1);
    HZ_CHECK(
        hz_period_start(HZ_FREQ_MONTH,
                        hz_period_of_day(HZ_FREQ_MONTH, D(2023, 2, 28))) ==
        D(2023, 2, 1));
    HZ_CHECK(hz_period_of_day(HZ_FREQ_MONTH, D(2024, 1, 5)) -
                 hz_period_of_day(HZ_FREQ_MONTH, D(2023, 12, 31)) ==
             1);
    HZ_CHECK(
        hz_period_start(HZ_FREQ_QUARTER,
                        hz_period_of_day(HZ_FREQ_QUARTER, D(2023, 8, 15))) ==
        D(2023, 7, 1));
    HZ_CHECK(hz_period_start(HZ_FREQ_YEAR,
                             hz_period_of_day(HZ_FREQ_YEAR, D(1969, 3, 3))) ==
             D(1969, 1, 1));
    /* before the epoch */
    HZ_CHECK(hz_period_start(HZ_FREQ_MONTH,
                             hz_period_of_day(HZ_FREQ_MONTH, D(1960, 5, 9))) ==
             D(1960, 5, 1));
    HZ_CHECK(hz_freq_period(HZ_FREQ_MONTH) == 12);
    HZ_CHECK(hz_freq_period(HZ_FREQ_QUARTER) == 4);
    HZ_CHECK(hz_freq_period(HZ_FREQ_WEEK) == 52);
    HZ_CHECK(hz_freq_period(HZ_FREQ_DAY) == 7);
}

HZ_TEST(frequency_inference)
{
    int32_t d[6];
    for (int i = 0; i < 6; i++)
        d[i] = D(2020, 1, 1) + i;
    HZ_CHECK(hz_freq_infer(d, 6) == HZ_FREQ_DAY);
    for (int i = 0; i < 6; i++)
        d[i] = D(2020, 1, 6) + 7 * i;
    HZ_CHECK(hz_freq_infer(d, 6) == HZ_FREQ_WEEK);
    for (int i = 0; i < 6; i++)
        d[i] = D(2020, 1 + (unsigned)i, 1);
    HZ_CHECK(hz_freq_infer(d, 6) == HZ_FREQ_MONTH);
    for (int i = 0; i < 6; i++)
        d[i] = D(2020 + i / 4, 1 + 3 * (unsigned)(i % 4), 1);
    HZ_CHECK(hz_freq_infer(d, 6) == HZ_FREQ_QUARTER);
    for (int i = 0; i < 6; i++)
        d[i] = D(2000 + i, 6, 30);
    HZ_CHECK(hz_freq_infer(d, 6) == HZ_FREQ_YEAR);
}

/* Two regions; East has a gap in March and starts in February. */
static hz_dataset *sales(void)
{
    const int32_t days[7] = {D(2023, 1, 3), D(2023, 1, 20), D(2023, 2, 1),
                             D(2023, 2, 9), D(2023, 4, 30), D(2023, 4, 2),
                             D(2023, 2, 14)};
    const double rev[7] = {10, 20, 5, 7, 4, 8, 1};
    const char *const reg[7] = {"West", "West", "West", "East",
                                "East", "West", "East"};
    hz_dataset *ds = hz_dataset_new(7);
    ds_add_dates(ds, "day", days);
    ds_add_f64(ds, "revenue", rev);
    ds_add_str(ds, "region", reg);
    return ds;
}

HZ_TEST(monthly_sum_with_groups_and_zero_fill)
{
    hz_dataset *ds = sales();
    hz_series_opts o;
    hz_series_opts_init(&o);
    const char *by[1] = {"region"};
    o.date_col = "day";
    o.value_col = "revenue";
    o.by_cols = by;
    o.nby = 1;
    o.freq = HZ_FREQ_MONTH;
    hz_series_set *s = NULL;
    HZ_CHECK(hz_series_build(ds, &o, &s, NULL) == HZ_OK);
    HZ_CHECK(s->nseries == 2 && s->period == 12);
    /* sorted by key: East, West */
    HZ_CHECK_STR(s->series[0].key, "East");
    HZ_CHECK_STR(s->series[1].key, "West");
    /* East: Feb 8, Mar 0 (filled), Apr 4 -> starts in Feb (trimmed) */
    HZ_CHECK(s->series[0].n == 3);
    HZ_CHECK(hz_period_start(HZ_FREQ_MONTH, s->series[0].start) ==
             D(2023, 2, 1));
    HZ_CHECK_NEAR(s->series[0].values[0], 8, 0);
    HZ_CHECK_NEAR(s->series[0].values[1], 0, 0);
    HZ_CHECK_NEAR(s->series[0].values[2], 4, 0);
    HZ_CHECK(s->series[0].nfilled == 1);
    /* which period (a hierarchy's parents count their own) */
    HZ_CHECK(s->series[0].filled_at != NULL && !s->series[0].filled_at[0] &&
             s->series[0].filled_at[1] && !s->series[0].filled_at[2]);
    /* West: Jan 30, Feb 5, Mar 0, Apr 8 */
    HZ_CHECK(s->series[1].n == 4);
    HZ_CHECK_NEAR(s->series[1].values[0], 30, 0);
    HZ_CHECK_NEAR(s->series[1].values[3], 8, 0);
    HZ_CHECK(s->rows_used == 7);
    hz_series_set_free(s);

    /* mean + interpolation */
    o.agg = HZ_AGG_MEAN;
    o.fill = HZ_FILL_INTERPOLATE;
    HZ_CHECK(hz_series_build(ds, &o, &s, NULL) == HZ_OK);
    HZ_CHECK_NEAR(s->series[0].values[0], 4, 1e-12); /* (7+1)/2 */
    HZ_CHECK_NEAR(s->series[0].values[1], 4, 1e-12); /* between 4, 4 */
    HZ_CHECK_NEAR(s->series[1].values[0], 15, 1e-12);
    HZ_CHECK_NEAR(s->series[1].values[2], 6.5, 1e-12); /* between 5, 8 */
    hz_series_set_free(s);

    /* mean, by default: a period without rows has no mean (not 0) */
    o.fill = HZ_FILL_AUTO;
    hz_error merr;
    HZ_CHECK(hz_series_build(ds, &o, &s, &merr) == HZ_EPARSE && s == NULL);
    HZ_CHECK(strstr(merr.msg, "with --agg mean a period without rows has "
                              "no mean") != NULL);

    /* count, no grouping */
    o.agg = HZ_AGG_COUNT;
    o.value_col = NULL;
    o.nby = 0;
    o.fill = HZ_FILL_ZERO;
    HZ_CHECK(hz_series_build(ds, &o, &s, NULL) == HZ_OK);
    HZ_CHECK(s->nseries == 1 && s->series[0].n == 4);
    HZ_CHECK_NEAR(s->series[0].values[0], 2, 0);
    HZ_CHECK_NEAR(s->series[0].values[1], 3, 0);
    HZ_CHECK_NEAR(s->series[0].values[2], 0, 0);
    HZ_CHECK_NEAR(s->series[0].values[3], 2, 0);
    hz_series_set_free(s);
    hz_dataset_free(ds);
}

HZ_TEST(bad_requests_name_the_column)
{
    hz_dataset *ds = sales();
    hz_series_opts o;
    hz_series_opts_init(&o);
    hz_series_set *s = NULL;
    hz_error err;
    o.date_col = "day";
    o.value_col = "revnue";
    HZ_CHECK(hz_series_build(ds, &o, &s, &err) == HZ_ENOTFOUND);
    HZ_CHECK_CONTAINS(err.msg, "no column 'revnue'");
    HZ_CHECK_CONTAINS(err.msg, "revenue");
    o.value_col = "region";
    HZ_CHECK(hz_series_build(ds, &o, &s, &err) == HZ_ETYPE);
    HZ_CHECK_CONTAINS(err.msg, "'region'");
    HZ_CHECK_CONTAINS(err.msg, "not numeric");
    o.value_col = "revenue";
    o.date_col = "revenue";
    HZ_CHECK(hz_series_build(ds, &o, &s, &err) == HZ_ETYPE);
    HZ_CHECK_CONTAINS(err.msg, "not a date");
    o.date_col = "region";
    HZ_CHECK(hz_series_build(ds, &o, &s, &err) == HZ_ETYPE);
    HZ_CHECK_CONTAINS(err.msg, "not a date");
    HZ_CHECK(s == NULL);
    hz_dataset_free(ds);
}

HZ_TEST(long_format_with_period_strings)
{
    const char *const id[6] = {"A", "A", "A", "B", "B", "B"};
    const char *const per[6] = {"1990-01", "1990-02", "1990-04",
                                "2001-11", "2001-12", "2002-01"};
    const double v[6] = {1, 2, 4, 10, 11, 12};
    hz_dataset *ds = hz_dataset_new(6);
    ds_add_str(ds, "series_id", id);
    ds_add_str(ds, "period", per);
    ds_add_f64(ds, "value", v);
    hz_series_set *s = NULL;
    HZ_CHECK(hz_series_read_long(ds, "series_id", "period", "value",
                                 HZ_FREQ_INFER, HZ_FILL_INTERPOLATE, &s,
                                 NULL) == HZ_OK);
    HZ_CHECK(s->freq == HZ_FREQ_MONTH);
    HZ_CHECK(s->nseries == 2);
    HZ_CHECK(s->series[0].n == 4);
    HZ_CHECK_NEAR(s->series[0].values[2], 3, 1e-12);
    /* B is not padded back or forward to A's periods */
    HZ_CHECK(s->series[1].n == 3);
    HZ_CHECK(hz_period_start(HZ_FREQ_MONTH, s->series[1].start) ==
             D(2001, 11, 1));
    hz_series_set_free(s);
    hz_dataset_free(ds);
}

/* A period text is all digits: "20x3" is not the year 20 and "+204" not
 * the year 204; a text date column is read in one format, so such a value
 * is an error that names it, not a row quietly read or dropped. */
HZ_TEST(period_strings_must_be_all_digits)
{
    const char *const id[4] = {"A", "A", "A", "A"};
    const char *const bad[2] = {"20x3", "+204"};
    const double v[4] = {1, 2, 99, 3};
    for (int k = 0; k < 2; k++) {
        const char *const per[4] = {"2001", "2002", bad[k], "2003"};
        hz_dataset *ds = hz_dataset_new(4);
        ds_add_str(ds, "series_id", id);
        ds_add_str(ds, "period", per);
        ds_add_f64(ds, "value", v);
        hz_series_set *s = NULL;
        hz_error err;
        hz_error_clear(&err);
        HZ_CHECK(hz_series_read_long(ds, "series_id", "period", "value",
                                     HZ_FREQ_INFER, HZ_FILL_ZERO, &s,
                                     &err) == HZ_EPARSE);
        HZ_CHECK(s == NULL);
        HZ_CHECK_CONTAINS(err.msg, bad[k]);
        hz_series_set_free(s);
        hz_dataset_free(ds);
    }
}

HZ_TEST(rows_with_missing_values_are_skipped_and_counted)
{
    const int32_t days[3] = {D(2023, 1, 1), D(2023, 1, 2), D(2023, 1, 3)};
    const double v[3] = {1, NAN, 3};
    hz_dataset *ds = hz_dataset_new(3);
    ds_add_dates(ds, "d", days);
    ds_add_f64(ds, "v", v);
    hz_series_opts o;
    hz_series_opts_init(&o);
    o.date_col = "d";
    o.value_col = "v";
    hz_series_set *s = NULL;
    hz_error err;
    /* one row a day: the day whose row has no value is missing, not 0 */
    HZ_CHECK(hz_series_build(ds, &o, &s, &err) == HZ_EPARSE && s == NULL);
    HZ_CHECK_CONTAINS(err.msg, "1 row was skipped");
    HZ_CHECK_CONTAINS(err.msg, "no row for 1 period (2023-01-02)");
    HZ_CHECK_CONTAINS(err.msg, "a missing value, not 0");
    o.fill = HZ_FILL_ZERO; /* asked for: taken as 0 */
    HZ_CHECK(hz_series_build(ds, &o, &s, NULL) == HZ_OK);
    HZ_CHECK(s->freq == HZ_FREQ_DAY);
    HZ_CHECK(s->rows_used == 2 && s->rows_skipped == 1);
    HZ_CHECK(s->series[0].n == 3);
    HZ_CHECK_NEAR(s->series[0].values[1], 0, 0);
    hz_series_set_free(s);
    o.fill = HZ_FILL_AUTO;
    const double nv[3] = {NAN, NAN, NAN};
    hz_dataset *d2 = hz_dataset_new(3);
    ds_add_dates(d2, "d", days);
    ds_add_f64(d2, "v", nv);
    HZ_CHECK(hz_series_build(d2, &o, &s, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "no rows with both a date");
    hz_dataset_free(d2);
    hz_dataset_free(ds);
}

/* Rows the reader skipped (--on-error skip) are counted with the rows
 * without a value; in data of one row per period the periods they leave
 * without a row are refused unless a fill is asked for, while in
 * transactions an empty period is 0. */
HZ_TEST(rows_skipped_by_the_reader_are_counted_and_not_taken_as_zero)
{
    const int32_t days[4] = {D(2023, 1, 1), D(2023, 2, 1), D(2023, 4, 1),
                             D(2023, 5, 1)};
    const double v[4] = {1, 2, 4, 5};
    hz_dataset *ds = hz_dataset_new(4);
    ds_add_dates(ds, "d", days);
    ds_add_f64(ds, "v", v);
    hz_series_opts o;
    hz_series_opts_init(&o);
    o.date_col = "d";
    o.value_col = "v";
    hz_series_set *s = NULL;
    hz_error err;
    /* no row skipped: the gap is a month without sales */
    HZ_CHECK(hz_series_build(ds, &o, &s, &err) == HZ_OK);
    HZ_CHECK(s->rows_skipped == 0 && s->nfilled == 1);
    hz_series_set_free(s);
    o.rows_skipped_read = 2;
    HZ_CHECK(hz_series_build(ds, &o, &s, &err) == HZ_EPARSE && s == NULL);
    HZ_CHECK_CONTAINS(err.msg, "dataset: 2 rows were skipped");
    HZ_CHECK_CONTAINS(err.msg,
                      "series 'total' has no row for 1 period (2023-03-01)");
    HZ_CHECK_CONTAINS(err.msg, "--fill interpolate");
    o.fill = HZ_FILL_INTERPOLATE;
    HZ_CHECK(hz_series_build(ds, &o, &s, &err) == HZ_OK);
    HZ_CHECK(s->rows_used == 4 && s->rows_skipped == 2 && s->nfilled == 1);
    HZ_CHECK_NEAR(s->series[0].values[2], 3, 1e-12);
    hz_series_set_free(s);
    o.fill = HZ_FILL_ZERO;
    HZ_CHECK(hz_series_build(ds, &o, &s, &err) == HZ_OK);
    HZ_CHECK(s->rows_skipped == 2);
    HZ_CHECK_NEAR(s->series[0].values[2], 0, 0);
    hz_series_set_free(s);
    hz_dataset_free(ds);
    /* transactions (four a month): a month without rows is 0 */
    int32_t td[16];
    double tv[16];
    for (int i = 0; i < 16; i++) {
        td[i] = D(2023, (unsigned)(i / 4 < 2 ? 1 + i / 4 : 2 + i / 4),
                  (unsigned)(1 + 7 * (i % 4)));
        tv[i] = 1 + i % 3;
    }
    ds = hz_dataset_new(16);
    ds_add_dates(ds, "d", td);
    ds_add_f64(ds, "v", tv);
    o.fill = HZ_FILL_AUTO;
    o.freq = HZ_FREQ_MONTH;
    HZ_CHECK(hz_series_build(ds, &o, &s, &err) == HZ_OK);
    HZ_CHECK(s->rows_used == 16 && s->rows_skipped == 2 && s->nfilled == 1);
    HZ_CHECK(s->series[0].n == 5);
    HZ_CHECK_NEAR(s->series[0].values[2], 0, 0);
    hz_series_set_free(s);
    hz_dataset_free(ds);
}

/* ---- calendars inferred from the data ---- */

static hz_series_set *build_days_partial(const int32_t *days, const double *v,
                                         const char *const *g, size_t n,
                                         hz_freq f, hz_partial partial,
                                         hz_error *err)
{
    hz_dataset *ds = hz_dataset_new(n);
    ds_add_dates(ds, "d", days);
    ds_add_f64(ds, "v", v);
    if (g != NULL)
        ds_add_str(ds, "g", g);
    hz_series_opts o;
    hz_series_opts_init(&o);
    const char *by[1] = {"g"};
    o.date_col = "d";
    o.value_col = "v";
    o.freq = f;
    o.partial = partial;
    if (g != NULL) {
        o.by_cols = by;
        o.nby = 1;
    }
    hz_series_set *s = NULL;
    hz_series_build(ds, &o, &s, err);
    hz_dataset_free(ds);
    return s;
}

static hz_series_set *build_days(const int32_t *days, const double *v,
                                 const char *const *g, size_t n, hz_freq f,
                                 hz_error *err)
{
    return build_days_partial(days, v, g, n, f, HZ_PARTIAL_DROP_LAST, err);
}

/* Two groups whose names coincide are the data's problem (HZ_EPARSE):
 * joined by '|', or once bytes that are not UTF-8 show as U+FFFD. */
HZ_TEST(groups_of_one_name_are_refused_as_bad_data)
{
    const int32_t days[4] = {D(2023, 1, 1), D(2023, 2, 1), D(2023, 1, 1),
                             D(2023, 2, 1)};
    const double v[4] = {1, 2, 10, 20};
    const char *const latin1[4] = {"Caf\xe9", "Caf\xe9", "Caf\xe8", "Caf\xe8"};
    const char *const other[4] = {"Caf\xe9", "Caf\xe9", "Cafe", "Cafe"};
    hz_error err;
    hz_series_set *s = build_days(days, v, latin1, 4, HZ_FREQ_MONTH, &err);
    HZ_CHECK(s == NULL && err.status == HZ_EPARSE);
    HZ_CHECK_CONTAINS(err.msg, "share the name 'Caf\xef\xbf\xbd' once");
    HZ_CHECK_CONTAINS(err.msg, "convert the file to UTF-8");
    s = build_days(days, v, other, 4, HZ_FREQ_MONTH, &err);
    HZ_CHECK(s != NULL && s->nseries == 2);
    hz_series_set_free(s);
    const char *const a[4] = {"A|B", "A|B", "A", "A"};
    const char *const b[4] = {"C", "C", "B|C", "B|C"};
    hz_dataset *ds = hz_dataset_new(4);
    ds_add_dates(ds, "d", days);
    ds_add_f64(ds, "v", v);
    ds_add_str(ds, "a", a);
    ds_add_str(ds, "b", b);
    hz_series_opts o;
    hz_series_opts_init(&o);
    const char *by[2] = {"a", "b"};
    o.date_col = "d";
    o.value_col = "v";
    o.by_cols = by;
    o.nby = 2;
    HZ_CHECK(hz_series_build(ds, &o, &s, &err) == HZ_EPARSE && s == NULL);
    HZ_CHECK_CONTAINS(err.msg, "two groups share the name 'A|B|C'");
    hz_dataset_free(ds);
}

HZ_TEST(transaction_level_input_gets_months_with_the_reason)
{
    int32_t d[400];
    double v[400];
    for (int i = 0; i < 400; i++) { /* two orders a day on 200 days */
        d[i] = D(2022, 1, 1) + (i / 2) * 3;
        v[i] = 1 + i % 5;
    }
    hz_error err;
    hz_series_set *s = build_days(d, v, NULL, 400, HZ_FREQ_INFER, &err);
    HZ_CHECK(s != NULL);
    HZ_CHECK(s->freq == HZ_FREQ_MONTH && s->period == 12);
    HZ_CHECK_CONTAINS(s->freq_reason, "transaction-level input");
    HZ_CHECK_CONTAINS(s->freq_reason, "2.0 rows per series and date");
    HZ_CHECK_CONTAINS(s->seasons_reason, "default for month");
    hz_series_set_free(s);
    /* the same days once each, every third day: irregular, also months */
    s = build_days(d, v, NULL, 400, HZ_FREQ_INFER, &err);
    int32_t e[200];
    for (int i = 0; i < 200; i++)
        e[i] = D(2022, 1, 1) + i * 3 + (i % 2);
    hz_series_set_free(s);
    s = build_days(e, v, NULL, 200, HZ_FREQ_INFER, &err);
    HZ_CHECK(s != NULL && s->freq == HZ_FREQ_MONTH);
    HZ_CHECK_CONTAINS(s->freq_reason, "irregular dates");
    hz_series_set_free(s);
    /* fewer than 12 months of transactions: weeks */
    for (int i = 0; i < 200; i++)
        e[i] = D(2022, 1, 1) + i / 2;
    s = build_days(e, v, NULL, 200, HZ_FREQ_INFER, &err);
    HZ_CHECK(s != NULL && s->freq == HZ_FREQ_WEEK);
    HZ_CHECK_CONTAINS(s->freq_reason, "fewer than 12 months");
    hz_series_set_free(s);
}

/* A part last period is left out by default (its rows counted apart,
 * the forecast would start with it); HZ_PARTIAL_DROP leaves a part first
 * one out too; a group padded to the table's end loses its padded part
 * period; a group with rows only in it is refused, by name. */
HZ_TEST(part_periods_are_left_out)
{
    int32_t d[182];
    double v[182];
    const char *g[182];
    for (int i = 0; i < 120; i++) { /* Wednesday 2024-01-03 .. 2024-05-01 */
        d[i] = D(2024, 1, 3) + i;
        v[i] = 1;
        g[i] = "a";
    }
    hz_error err;
    hz_series_set *s = build_days(d, v, NULL, 120, HZ_FREQ_WEEK, &err);
    HZ_CHECK(s != NULL && s->nseries == 1);
    HZ_CHECK(!s->partial[0].dropped && s->partial[1].dropped);
    HZ_CHECK(s->partial[1].rows == 3 && s->partial[1].days == 3);
    HZ_CHECK(s->series[0].start == s->partial[0].period);
    HZ_CHECK(s->series[0].n == 17 && s->series[0].values[16] == 7);
    HZ_CHECK(s->series[0].start + 17 == s->partial[1].period);
    HZ_CHECK(s->rows_used == 117 && s->series[0].nobs == 117);
    hz_series_set_free(s);
    s = build_days_partial(d, v, NULL, 120, HZ_FREQ_WEEK, HZ_PARTIAL_DROP,
                           &err);
    HZ_CHECK(s != NULL && s->partial[0].dropped && s->partial[1].dropped);
    HZ_CHECK(s->partial[0].rows == 5 && s->series[0].n == 16);
    HZ_CHECK(s->series[0].start == s->partial[0].period + 1);
    HZ_CHECK(s->series[0].values[0] == 7 && s->rows_used == 112);
    hz_series_set_free(s);
    /* months: May 2024 holds 1 of 31 days and goes; January is kept */
    s = build_days(d, v, NULL, 120, HZ_FREQ_MONTH, &err);
    HZ_CHECK(s != NULL && s->series[0].n == 4 && s->series[0].values[3] == 30);
    HZ_CHECK(s->partial[1].rows == 1 && s->series[0].values[0] == 29);
    hz_series_set_free(s);
    /* group c ends in February, padded to the end: same periods as a */
    for (int i = 0; i < 60; i++) {
        d[120 + i] = D(2024, 1, 3) + i;
        v[120 + i] = 2;
        g[120 + i] = "c";
    }
    s = build_days(d, v, g, 180, HZ_FREQ_WEEK, &err);
    HZ_CHECK(s != NULL && s->nseries == 2);
    HZ_CHECK(s->series[1].n == 17 && s->series[1].start == s->series[0].start);
    HZ_CHECK(s->series[1].nfilled == 8 && s->nfilled == 8);
    hz_series_set_free(s);
    /* group b sold only on the last two days: nothing of it is whole, it
     * is left out and named; kept with HZ_PARTIAL_KEEP */
    for (int i = 0; i < 2; i++) {
        d[180 + i] = D(2024, 4, 30) + i;
        v[180 + i] = 1;
        g[180 + i] = "b";
    }
    s = build_days(d, v, g, 182, HZ_FREQ_WEEK, &err);
    HZ_CHECK(s != NULL && s->nseries == 2 && s->rows_used == 117 + 60);
    HZ_CHECK(strcmp(s->series[0].key, "a") == 0);
    HZ_CHECK(strcmp(s->series[1].key, "c") == 0);
    HZ_CHECK(s->partial[1].nseries_out == 1 && s->partial[1].rows == 5);
    HZ_CHECK(strcmp(s->partial[1].series_out, "b") == 0);
    hz_series_set_free(s);
    s = build_days_partial(d, v, g, 182, HZ_FREQ_WEEK, HZ_PARTIAL_KEEP, &err);
    HZ_CHECK(s != NULL && s->nseries == 3 && s->series[1].n == 1);
    hz_series_set_free(s);
    /* a shop shut on Sundays: data to Saturday 30 March end a whole week
     * and a whole month (the 31st is a Sunday); to Thursday, not */
    int nd = 0;
    for (int i = 0; i < 90; i++) /* Monday 2024-01-01 .. 2024-03-30 */
        if (hz_weekday(D(2024, 1, 1) + i) != 6) {
            d[nd] = D(2024, 1, 1) + i;
            v[nd++] = 1;
        }
    s = build_days(d, v, NULL, (size_t)nd, HZ_FREQ_WEEK, &err);
    HZ_CHECK(s != NULL && s->partial[1].days == 0 && s->series[0].n == 13);
    hz_series_set_free(s);
    s = build_days(d, v, NULL, (size_t)nd, HZ_FREQ_MONTH, &err);
    HZ_CHECK(s != NULL && s->partial[1].days == 0 && s->series[0].n == 3);
    hz_series_set_free(s);
    s = build_days(d, v, NULL, (size_t)nd - 2, HZ_FREQ_WEEK, &err);
    HZ_CHECK(s != NULL && s->partial[1].days == 4 && s->partial[1].dropped);
    HZ_CHECK(s->series[0].n == 12);
    hz_series_set_free(s);
    /* every series inside the part week: refused, not an empty result */
    s = build_days(d + 180, v + 180, g + 180, 2, HZ_FREQ_WEEK, &err);
    HZ_CHECK(s == NULL && err.status == HZ_EPARSE);
    HZ_CHECK_CONTAINS(err.msg, "every series has rows only in the part week");
}

/* Daily transactions into weeks and months: a first or last period the
 * dates do not cover whole is reported (its days inside the data, its
 * days, the data's first or last day); whole periods and data dated by
 * the month (standing for their whole month) are not.  Kept with
 * HZ_PARTIAL_KEEP; by default the last is left out of the series. */
HZ_TEST(partial_first_and_last_periods_are_reported)
{
    int32_t d[120];
    double v[120];
    for (int i = 0; i < 120; i++) { /* Wednesday 2024-01-03 .. 2024-05-01 */
        d[i] = D(2024, 1, 3) + i;
        v[i] = 1;
    }
    hz_error err;
    hz_series_set *s = build_days_partial(d, v, NULL, 120, HZ_FREQ_WEEK,
                                          HZ_PARTIAL_KEEP, &err);
    HZ_CHECK(s != NULL && s->cal.anchor == 0); /* weeks from Monday */
    HZ_CHECK(s->partial[0].days == 5 && s->partial[0].of == 7);
    HZ_CHECK(s->partial[0].edge == (int64_t)D(2024, 1, 3) * 86400);
    HZ_CHECK(s->partial[0].period == s->series[0].start);
    HZ_CHECK(s->partial[1].days == 3 && s->partial[1].of == 7);
    HZ_CHECK(s->partial[1].edge == (int64_t)D(2024, 5, 1) * 86400);
    HZ_CHECK(s->partial[1].period ==
             s->series[0].start + (int64_t)s->series[0].n - 1);
    HZ_CHECK(!s->partial[0].dropped && !s->partial[1].dropped);
    HZ_CHECK(s->series[0].n == 18 && s->rows_used == 120);
    HZ_CHECK(s->series[0].values[0] == 5 && s->series[0].values[17] == 3);
    hz_series_set_free(s);
    s = build_days(d, v, NULL, 120, HZ_FREQ_MONTH, &err);
    HZ_CHECK(s != NULL);
    HZ_CHECK(s->partial[0].days == 29 && s->partial[0].of == 31);
    HZ_CHECK(s->partial[1].days == 1 && s->partial[1].of == 31);
    hz_series_set_free(s);
    for (int i = 0; i < 112; i++) /* Monday .. Sunday, 16 whole weeks */
        d[i] = D(2024, 1, 1) + i;
    s = build_days(d, v, NULL, 112, HZ_FREQ_WEEK, &err);
    HZ_CHECK(s != NULL && s->partial[0].days == 0 && s->partial[1].days == 0);
    hz_series_set_free(s);
    for (int i = 0; i < 24; i++) /* month starts into quarters */
        d[i] = D(2024 + i / 12, (unsigned)(i % 12) + 1, 1);
    s = build_days(d, v, NULL, 24, HZ_FREQ_QUARTER, &err);
    HZ_CHECK(s != NULL && s->partial[0].days == 0 && s->partial[1].days == 0);
    hz_series_set_free(s);
}

HZ_TEST(regular_series_keep_their_frequency_and_dating)
{
    int32_t d[40];
    double v[40];
    const char *g[40];
    char b[32];
    for (int i = 0; i < 40; i++) { /* two series of Sunday-dated weeks */
        d[i] = D(2023, 1, 1) + 7 * (i / 2);
        g[i] = i % 2 ? "b" : "a";
        v[i] = i;
    }
    hz_error err;
    hz_series_set *s = build_days(d, v, g, 40, HZ_FREQ_INFER, &err);
    HZ_CHECK(s != NULL && s->freq == HZ_FREQ_WEEK && s->cal.anchor == 6);
    HZ_CHECK(s->series[0].n == 20);
    HZ_CHECK_STR(hz_calendar_format(&s->cal, s->series[0].start, b, sizeof b),
                 "2023-01-01");
    HZ_CHECK_CONTAINS(s->freq_reason, "weeks from Sunday");
    HZ_CHECK(s->seasons.n == 1 && s->seasons.period[0] == 52.18);
    hz_series_set_free(s);
    for (int i = 0; i < 40; i++) /* month ends */
        d[i] = D(2020 + (i + 1) / 12, (unsigned)((i + 1) % 12) + 1, 1) - 1;
    s = build_days(d, v, NULL, 40, HZ_FREQ_INFER, &err);
    HZ_CHECK(s != NULL && s->freq == HZ_FREQ_MONTH && s->cal.end);
    HZ_CHECK_STR(hz_calendar_format(&s->cal, s->series[0].start, b, sizeof b),
                 "2020-01-31");
    hz_series_set_free(s);
    /* the caller's frequency wins, with the data's dating */
    s = build_days(d, v, NULL, 40, HZ_FREQ_QUARTER, &err);
    HZ_CHECK(s != NULL && s->freq == HZ_FREQ_QUARTER);
    HZ_CHECK_CONTAINS(s->freq_reason, "given");
    hz_series_set_free(s);
}

HZ_TEST(seasons_given_or_none)
{
    int32_t d[60];
    double v[60];
    for (int i = 0; i < 60; i++) {
        d[i] = D(2024, 1, 1) + i;
        v[i] = i % 7;
    }
    hz_dataset *ds = hz_dataset_new(60);
    ds_add_dates(ds, "d", d);
    ds_add_f64(ds, "v", v);
    hz_series_opts o;
    hz_series_opts_init(&o);
    o.date_col = "d";
    o.value_col = "v";
    hz_series_set *s = NULL;
    HZ_CHECK(hz_series_build(ds, &o, &s, NULL) == HZ_OK);
    HZ_CHECK(s->freq == HZ_FREQ_DAY && s->seasons.n == 2 && s->period == 7);
    hz_series_set_free(s);
    o.seasons.n = 1;
    o.seasons.period[0] = 30.44;
    HZ_CHECK(hz_series_build(ds, &o, &s, NULL) == HZ_OK);
    HZ_CHECK(s->seasons.n == 1 && s->period == 30);
    HZ_CHECK_STR(s->seasons_reason, "given");
    hz_series_set_free(s);
    o.seasons.period[0] = 1; /* none */
    HZ_CHECK(hz_series_build(ds, &o, &s, NULL) == HZ_OK);
    HZ_CHECK(s->seasons.n == 0 && s->period == 1);
    hz_series_set_free(s);
    hz_dataset_free(ds);
}

HZ_TEST(gaps_refused_sums_overflowing_and_endless_series_are_errors)
{
    const int32_t days[4] = {D(2023, 1, 1), D(2023, 2, 1), D(2023, 4, 1),
                             D(2023, 5, 1)};
    const double v[4] = {1, 2, 3, 4};
    hz_dataset *ds = hz_dataset_new(4);
    ds_add_dates(ds, "d", days);
    ds_add_f64(ds, "v", v);
    hz_series_opts o;
    hz_series_opts_init(&o);
    o.date_col = "d";
    o.value_col = "v";
    o.freq = HZ_FREQ_MONTH;
    hz_series_set *s = NULL;
    hz_error err;
    HZ_CHECK(hz_series_build(ds, &o, &s, &err) == HZ_OK);
    HZ_CHECK(s->nfilled == 1 && s->nseries_filled == 1);
    hz_series_set_free(s);
    o.fill = HZ_FILL_NONE;
    HZ_CHECK(hz_series_build(ds, &o, &s, &err) == HZ_EPARSE);
    HZ_CHECK_CONTAINS(err.msg, "no rows for 1 period (2023-03-01)");
    hz_dataset_free(ds);
    const double big[4] = {1e308, 1e308, 1, 1};
    const int32_t same[4] = {D(2023, 1, 1), D(2023, 1, 2), D(2023, 2, 1),
                             D(2023, 3, 1)};
    ds = hz_dataset_new(4);
    ds_add_dates(ds, "d", same);
    ds_add_f64(ds, "v", big);
    o.fill = HZ_FILL_ZERO;
    HZ_CHECK(hz_series_build(ds, &o, &s, &err) == HZ_EPARSE);
    HZ_CHECK_CONTAINS(err.msg, "overflows");
    HZ_CHECK_CONTAINS(err.msg, "2023-01-01");
    hz_dataset_free(ds);
    /* by the minute from 1800 to 2200: beyond any sane series */
    const int32_t far[2] = {D(1800, 1, 1), D(2200, 1, 1)};
    const double one[2] = {1, 1};
    ds = hz_dataset_new(2);
    ds_add_dates(ds, "d", far);
    ds_add_f64(ds, "v", one);
    o.freq = HZ_FREQ_DAY;
    HZ_CHECK(hz_series_build(ds, &o, &s, &err) == HZ_OK); /* 146,098 days */
    hz_series_set_free(s);
    o.freq = HZ_FREQ_HOUR;
    HZ_CHECK(hz_series_build(ds, &o, &s, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "without a time of day");
    hz_dataset_free(ds);
}

HZ_TEST(text_dates_need_one_format)
{
    const char *const dmy[3] = {"31/01/2024", "01/02/2024", "02/02/2024"};
    const char *const amb[3] = {"01/02/2024", "02/02/2024", "03/02/2024"};
    const char *const bad[3] = {"2024-01-01", "2024-02-01", "soon"};
    const double v[3] = {1, 2, 3};
    const char *const *cases[3] = {dmy, amb, bad};
    for (int k = 0; k < 3; k++) {
        hz_dataset *ds = hz_dataset_new(3);
        ds_add_str(ds, "d", cases[k]);
        ds_add_f64(ds, "v", v);
        hz_series_opts o;
        hz_series_opts_init(&o);
        o.date_col = "d";
        o.value_col = "v";
        hz_series_set *s = NULL;
        hz_error err;
        hz_status st = hz_series_build(ds, &o, &s, &err);
        if (k == 0) {
            HZ_CHECK(st == HZ_OK && s->freq == HZ_FREQ_DAY);
            HZ_CHECK(s->series[0].start == D(2024, 1, 31));
        } else if (k == 1) {
            HZ_CHECK(st == HZ_EPARSE);
            HZ_CHECK_CONTAINS(err.msg, "month-first or day-first");
        } else {
            HZ_CHECK(st == HZ_EPARSE);
            HZ_CHECK_CONTAINS(err.msg, "'soon' is not a date");
        }
        hz_series_set_free(s);
        hz_dataset_free(ds);
    }
}

/* Rows every 30 minutes (at :00 and :30) are half-hours, with a day and
 * a week of them for seasons; 15-minute data are quarter-hours; rows
 * every 30 minutes at :10 and :40 are not periods of 30 minutes; given
 * minutes that do not divide an hour, or minutes with another frequency,
 * are refused. */
static hz_series_set *build_text(const char *csv, hz_freq f, int minutes,
                                 hz_error *err)
{
    hz_csv_options co;
    hz_csv_options_init(&co);
    hz_dataset *ds = NULL;
    hz_series_set *s = NULL;
    if (hz_csv_read_buffer(csv, strlen(csv), "t.csv", &co, &ds, NULL, err) !=
        HZ_OK)
        return NULL;
    hz_series_opts o;
    hz_series_opts_init(&o);
    o.date_col = "ts";
    o.value_col = "v";
    o.freq = f;
    o.minutes = minutes;
    hz_series_build(ds, &o, &s, err);
    hz_dataset_free(ds);
    return s;
}

static char *minutes_csv(int step, int offset, int n)
{
    size_t cap = 64 + (size_t)n * 32, len = 0;
    char *b = malloc(cap);
    len += (size_t)snprintf(b, cap, "ts,v\n");
    for (int i = 0; i < n; i++) {
        int m = offset + i * step;
        len += (size_t)snprintf(b + len, cap - len,
                                "2024-03-%02d %02d:%02d:00,%d\n", 1 + m / 1440,
                                m / 60 % 24, m % 60, 1 + i % 7);
    }
    return b;
}

HZ_TEST(periods_of_minutes_are_inferred_and_given)
{
    hz_error err;
    char *csv = minutes_csv(30, 0, 144);
    hz_series_set *s = build_text(csv, HZ_FREQ_INFER, 0, &err);
    HZ_CHECK(s != NULL && s->freq == HZ_FREQ_MINUTE && s->cal.minutes == 30);
    HZ_CHECK(s->nseries == 1 && s->series[0].n == 144 && s->nfilled == 0);
    HZ_CHECK(s->period == 48 && s->seasons.n == 2 &&
             s->seasons.period[1] == 336);
    HZ_CHECK_CONTAINS(s->freq_reason, "30-minute periods");
    HZ_CHECK_CONTAINS(s->freq_reason, "one row per series and 30-minute");
    HZ_CHECK_CONTAINS(s->seasons_reason, "default for 30-minute data");
    char b[40];
    HZ_CHECK_STR(
        hz_calendar_format(&s->cal, s->series[0].start + 3, b, sizeof b),
        "2024-03-01 01:30:00");
    hz_series_set_free(s);
    s = build_text(csv, HZ_FREQ_MINUTE, 15, &err); /* given: quarter-hours */
    HZ_CHECK(s != NULL && s->cal.minutes == 15 && s->series[0].n == 287);
    HZ_CHECK(s->nfilled == 143 && s->period == 96);
    hz_series_set_free(s);
    HZ_CHECK(build_text(csv, HZ_FREQ_MINUTE, 7, &err) == NULL &&
             err.status == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "periods of 7 minutes");
    HZ_CHECK(build_text(csv, HZ_FREQ_HOUR, 30, &err) == NULL &&
             err.status == HZ_EINVAL);
    free(csv);
    csv = minutes_csv(15, 0, 200);
    s = build_text(csv, HZ_FREQ_INFER, 0, &err);
    HZ_CHECK(s != NULL && s->cal.minutes == 15 && s->period == 96);
    hz_series_set_free(s);
    free(csv);
    csv = minutes_csv(30, 10, 144); /* :10 and :40 */
    s = build_text(csv, HZ_FREQ_INFER, 0, &err);
    HZ_CHECK(s != NULL &&
             !(s->freq == HZ_FREQ_MINUTE && s->cal.minutes == 30));
    HZ_CHECK_CONTAINS(s->freq_reason, "irregular times, median gap 1800 s");
    hz_series_set_free(s);
    free(csv);
}

/* The text of row i (0-based) of csv, a minutes_csv, moved to minute
 * mm of its hour. */
static void move_row(char *csv, int i, int mm)
{
    char *p = strchr(csv, '\n') + 1;
    for (int k = 0; k < i; k++)
        p = strchr(p, '\n') + 1;
    p[14] = (char)('0' + mm / 10);
    p[15] = (char)('0' + mm % 10);
}

/* Times regular but for a few rows off their grid (under 5%: one at
 * 02:30 among hourly ones on the hour, a typo or a time a clock change
 * moved) are refused, naming the first such row (file:line:field), the
 * others' grid and the ways out, instead of being taken for irregular
 * times and summed into days (until 2026-12-08); with --freq given they
 * are read; more rows off the grid are irregular times as before. */
HZ_TEST(times_off_their_grid_are_named)
{
    hz_error err;
    char *csv = minutes_csv(60, 0, 200);
    move_row(csv, 50, 30); /* 2024-03-03 02:00 -> 02:30, line 52 */
    hz_series_set *s = build_text(csv, HZ_FREQ_INFER, 0, &err);
    HZ_CHECK(s == NULL && err.status == HZ_EPARSE);
    HZ_CHECK_CONTAINS(err.msg,
                      "t.csv:52:1: column 'ts': the time 2024-03-03 02:30:00 "
                      "is off the grid of the others, which fall on the "
                      "hour (1 of 200 rows off it, this the first)");
    HZ_CHECK_CONTAINS(err.msg, "give --freq h to sum each row into the hour");
    hz_series_set_free(s);
    s = build_text(csv, HZ_FREQ_HOUR, 0, &err);
    HZ_CHECK_MSG(s != NULL && s->series[0].n == 200, "%s",
                 s ? "wrong length" : err.msg);
    hz_series_set_free(s);
    free(csv);
    /* quarter-hours with one at :20 */
    csv = minutes_csv(15, 0, 300);
    move_row(csv, 101, 20); /* 2024-03-02 01:15 -> 01:20, line 103 */
    s = build_text(csv, HZ_FREQ_INFER, 0, &err);
    HZ_CHECK(s == NULL);
    HZ_CHECK_CONTAINS(err.msg, "t.csv:103:1: column 'ts': the time "
                               "2024-03-02 01:20:00 is off the grid of the "
                               "others, which fall every 15 minutes from :00");
    HZ_CHECK_CONTAINS(err.msg, "--freq 15min");
    hz_series_set_free(s);
    free(csv);
    /* daily readings at 09:00, one at 09:30 */
    csv = malloc(64 + 40 * 32);
    size_t len = (size_t)snprintf(csv, 64, "ts,v\n");
    for (int i = 0; i < 40; i++)
        len += (size_t)snprintf(csv + len, 40, "2024-%02d-%02d 09:%s:00,%d\n",
                                i < 31 ? 1 : 2, i < 31 ? 1 + i : i - 30,
                                i == 7 ? "30" : "00", i);
    s = build_text(csv, HZ_FREQ_INFER, 0, &err);
    HZ_CHECK(s == NULL);
    HZ_CHECK_CONTAINS(err.msg, "t.csv:9:1: column 'ts': the time 2024-01-08 "
                               "09:30:00 is off the grid of the others, "
                               "which fall once a day at 09:00:00 (1 of 40");
    HZ_CHECK_CONTAINS(err.msg, "--freq D");
    hz_series_set_free(s);
    free(csv);
    /* one in ten off the hour: irregular times, as before */
    csv = minutes_csv(60, 0, 200);
    for (int i = 5; i < 200; i += 10)
        move_row(csv, i, 30);
    s = build_text(csv, HZ_FREQ_INFER, 0, &err);
    HZ_CHECK_MSG(s != NULL, "%s", err.msg);
    if (s != NULL)
        HZ_CHECK_CONTAINS(s->freq_reason, "irregular times");
    hz_series_set_free(s);
    free(csv);
}

/* A monthly series with one row repeated (8% of 12 rows, over the 5% of
 * transactions) stays a monthly series, the repeat summed and reported,
 * dated or labelled YYYY-MM; three rows on each month's first day are
 * transactions on monthly dates, also months; daily-spaced transactions
 * over fewer than 12 months still take weeks. */
HZ_TEST(a_repeated_row_keeps_the_frequency_and_is_reported)
{
    char csv[1024];
    for (int lab = 0; lab < 2; lab++) {
        size_t len = (size_t)snprintf(csv, sizeof csv, "ts,v\n");
        for (int m = 1; m <= 11; m++)
            for (int k = 0; k < (m == 8 ? 2 : 1); k++)
                len += (size_t)snprintf(csv + len, sizeof csv - len,
                                        lab ? "2023-%02d,%d\n"
                                            : "2023-%02d-01,%d\n",
                                        m, 100 + 10 * m);
        hz_error err;
        hz_series_set *s = build_text(csv, HZ_FREQ_INFER, 0, &err);
        HZ_CHECK(s != NULL);
        if (s == NULL)
            return;
        HZ_CHECK(s->freq == HZ_FREQ_MONTH);
        HZ_CHECK(s->nseries == 1 && s->series[0].n == 11);
        HZ_CHECK(s->rows_repeated == 1);
        HZ_CHECK_CONTAINS(s->repeated_first, "2023-08");
        HZ_CHECK(s->series[0].values[7] == 2 * 180); /* August, twice */
        hz_series_set_free(s);
    }
    size_t len = (size_t)snprintf(csv, sizeof csv, "ts,v\n");
    for (int m = 1; m <= 10; m++)
        for (int k = 0; k < 3; k++)
            len += (size_t)snprintf(csv + len, sizeof csv - len,
                                    "2023-%02d-01,%d\n", m, 1 + k);
    hz_error err;
    hz_series_set *s = build_text(csv, HZ_FREQ_INFER, 0, &err);
    HZ_CHECK(s != NULL && s->freq == HZ_FREQ_MONTH && s->rows_repeated == 0);
    if (s != NULL)
        HZ_CHECK_CONTAINS(s->freq_reason, "the dates one month apart");
    hz_series_set_free(s);
    len = (size_t)snprintf(csv, sizeof csv, "ts,v\n");
    for (int d = 1; d <= 28; d++)
        for (int k = 0; k < 2; k++)
            len += (size_t)snprintf(csv + len, sizeof csv - len,
                                    "2023-03-%02d,%d\n", d, 1 + k);
    s = build_text(csv, HZ_FREQ_INFER, 0, &err);
    HZ_CHECK(s != NULL && s->freq != HZ_FREQ_MONTH && s->rows_repeated == 0);
    hz_series_set_free(s);
}

/* Month-labelled rows one a year (2001-01, 2002-01, ...) are yearly
 * data, as the same rows dated 2001-01-01 are, labelled by their year;
 * one a quarter are quarters; a monthly series with a missing month
 * stays monthly.  (Read as months, the yearly data were a monthly series
 * with eleven zeros between the years, forecast as intermittent.) */
HZ_TEST(month_periods_one_a_year_are_years)
{
    hz_error err;
    hz_series_set *s = build_text("ts,v\n2001-03,5\n2002-03,6\n2003-03,7\n"
                                  "2004-03,8\n2005-03,9\n",
                                  HZ_FREQ_INFER, 0, &err);
    HZ_CHECK_MSG(s != NULL, "%s", err.msg);
    if (s == NULL)
        return;
    HZ_CHECK(s->freq == HZ_FREQ_YEAR && s->series[0].n == 5);
    HZ_CHECK(s->series[0].values[4] == 9);
    HZ_CHECK_CONTAINS(s->freq_reason, "one row per series and year");
    hz_series_set_free(s);
    s = build_text("ts,v\n2001-01,5\n2001-04,6\n2001-07,7\n2001-10,8\n"
                   "2002-01,9\n2002-04,10\n",
                   HZ_FREQ_INFER, 0, &err);
    HZ_CHECK(s != NULL && s->freq == HZ_FREQ_QUARTER && s->series[0].n == 6);
    hz_series_set_free(s);
    s = build_text("ts,v\n2001-01,5\n2001-02,6\n2001-04,7\n2001-05,8\n"
                   "2001-06,9\n",
                   HZ_FREQ_INFER, 0, &err);
    HZ_CHECK(s != NULL && s->freq == HZ_FREQ_MONTH && s->series[0].n == 6);
    hz_series_set_free(s);
}

/* Integer dates written YYYYMMDD (SAP, mainframe exports) are days, as
 * the customer analyses read them; a column mixing them with years, or
 * holding an impossible day, is refused naming the row. */
HZ_TEST(integer_yyyymmdd_dates_are_days)
{
    const char *csv = "ts,v\n20240105,1\n20240212,2\n20240301,3\n20240415,4\n"
                      "20240502,5\n20240610,6\n20240711,7\n20240812,8\n"
                      "20240905,9\n20241003,10\n20241104,11\n20241205,12\n"
                      "20241220,13\n";
    hz_error err;
    hz_series_set *s = build_text(csv, HZ_FREQ_MONTH, 0, &err);
    HZ_CHECK(s != NULL);
    if (s == NULL)
        return;
    HZ_CHECK(s->nseries == 1 && s->series[0].n == 12);
    HZ_CHECK(s->series[0].values[11] == 12 + 13); /* December, twice */
    char lab[32];
    hz_calendar_format(&s->cal, s->series[0].start, lab, sizeof lab);
    HZ_CHECK_CONTAINS(lab, "2024-01");
    hz_series_set_free(s);
    s = build_text("ts,v\n20240105,1\n2024,2\n", HZ_FREQ_INFER, 0, &err);
    HZ_CHECK(s == NULL && err.status == HZ_ETYPE);
    HZ_CHECK_CONTAINS(err.msg, "data row 2 holds 2024");
    s = build_text("ts,v\n20240105,1\n20240230,2\n", HZ_FREQ_INFER, 0, &err);
    HZ_CHECK(s == NULL);
    HZ_CHECK_CONTAINS(err.msg, "holds 20240230");
    s = build_text("ts,v\n2023,1\n2024,2\n2025,3\n", HZ_FREQ_INFER, 0, &err);
    HZ_CHECK(s != NULL && s->freq == HZ_FREQ_YEAR); /* years as before */
    hz_series_set_free(s);
}
