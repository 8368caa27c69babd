/* Option parsing shared by `horizon forecast` and `horizon backtest`. */
#ifndef HZ_FC_CLI_H
#define HZ_FC_CLI_H

#include <stdbool.h>

#include "cli/cli.h"
#include "horizon/forecast.h"
#include "horizon/series.h"

/* The options that say how series are built from a table and how their
 * forecasts are kept, shared by `horizon forecast`, `horizon backtest`
 * and forecast jobs (jobs/cli/job_params.c): --date, --value, --by,
 * --freq, --season, --agg, --fill, --partial, --nonnegative, --long. */
enum {
    HZ_FC_OPT_DATE = 1900,
    HZ_FC_OPT_VALUE,
    HZ_FC_OPT_BY,
    HZ_FC_OPT_FREQ,
    HZ_FC_OPT_AGG,
    HZ_FC_OPT_FILL,
    HZ_FC_OPT_LONG,
    HZ_FC_OPT_SEASON,
    HZ_FC_OPT_NONNEG,
    HZ_FC_OPT_PARTIAL
};

#define HZ_FC_SERIES_LONGOPTS                                                 \
    {"date", required_argument, 0, HZ_FC_OPT_DATE},                           \
        {"value", required_argument, 0, HZ_FC_OPT_VALUE},                     \
        {"by", required_argument, 0, HZ_FC_OPT_BY},                           \
        {"freq", required_argument, 0, HZ_FC_OPT_FREQ},                       \
        {"agg", required_argument, 0, HZ_FC_OPT_AGG},                         \
        {"fill", required_argument, 0, HZ_FC_OPT_FILL},                       \
        {"season", required_argument, 0, HZ_FC_OPT_SEASON},                   \
        {"nonnegative", required_argument, 0, HZ_FC_OPT_NONNEG},              \
        {"partial", required_argument, 0, HZ_FC_OPT_PARTIAL},                 \
    {                                                                         \
        "long", no_argument, 0, HZ_FC_OPT_LONG                                \
    }

/* The options that complete a forecast request: --horizon, --model,
 * --level and --seed (backtest takes --horizon and --level). */
enum {
    HZ_FC_OPT_HORIZON = 1960,
    HZ_FC_OPT_MODEL,
    HZ_FC_OPT_LEVEL,
    HZ_FC_OPT_SEED,
    HZ_FC_OPT_INTERVALS,
    HZ_FC_OPT_RECONCILE,
    HZ_FC_OPT_BIAS
};

#define HZ_FC_REQUEST_LONGOPTS                                                \
    {"horizon", required_argument, 0, HZ_FC_OPT_HORIZON},                     \
        {"model", required_argument, 0, HZ_FC_OPT_MODEL},                     \
        {"level", required_argument, 0, HZ_FC_OPT_LEVEL},                     \
        {"seed", required_argument, 0, HZ_FC_OPT_SEED},                       \
        {"intervals", required_argument, 0, HZ_FC_OPT_INTERVALS},             \
        {"reconcile", required_argument, 0, HZ_FC_OPT_RECONCILE},             \
    {                                                                         \
        "bias-correct", required_argument, 0, HZ_FC_OPT_BIAS                  \
    }

#define HZ_FC_SERIES_HELP                                                     \
    "  --date COL             date, timestamp or period column (YYYY-MM,\n"   \
    "                         YYYY-Qn, YYYY-Www, YYYY, dates, times)\n"       \
    "  --value COL            numeric value column (not needed with\n"        \
    "                         --agg count)\n"                                 \
    "  --by COL[,COL...]      group columns (key = values joined by |)\n"     \
    "  --long                 FILE is long format (series_id,date,value):\n"  \
    "                         --by names the id column; each series ends\n"   \
    "                         at its own last period.  A file with columns\n" \
    "                         unique_id, ds, y (statsforecast) is read so\n"  \
    "                         when --date and --value are not given\n"        \
    "  --freq F               minute (min; 30min, 15min ... half-hour),\n"    \
    "                         hour (h), day (D), week (W,\n"                  \
    "                         W-SUN..W-SAT), month (M/ME ends, MS starts),\n" \
    "                         quarter (Q/QE, QS), year (Y/YE/A, YS); "        \
    "default:\n"                                                              \
    "                         inferred (transaction-level input: months)\n"   \
    "  --season P[,P...]      seasonal periods in periods of the frequency\n" \
    "                         (e.g. 24,168 or 52.18; 1 for none); default\n"  \
    "                         hour 24,168; day 7,365.25; week 52.18; month\n" \
    "                         12; quarter 4; minute 1440,10080 (30min\n"      \
    "                         48,336)\n"                                      \
    "  --agg A                sum (default), mean or count\n"                 \
    "  --fill F               periods with no rows: zero, interpolate, or\n"  \
    "                         none (refuse gaps); default zero, except\n"     \
    "                         that with rows skipped (--on-error skip) a\n"   \
    "                         period of one-row-per-period data without\n"    \
    "                         its row is refused (a missing value), and\n"    \
    "                         with --agg mean any period without rows\n"      \
    "                         (it has no mean)\n"                             \
    "  --partial P            weeks, months, ... that daily dates do not\n"   \
    "                         cover whole: drop-last (default: a part last\n" \
    "                         period is left out and forecast), drop (the\n"  \
    "                         part first one too) or keep (taken as "         \
    "whole);\n"                                                               \
    "                         named on stderr\n"                              \
    "  --nonnegative M        auto (default: points and bounds kept >= 0\n"   \
    "                         for series never below 0), on or off\n"         \
    "  --horizon N            periods ahead (default 12)\n"                   \
    "  --level L[,L...]       interval levels, percent (80,95) or\n"          \
    "                         proportions (0.8,0.95); default 80,95\n"

typedef struct hz__fc_series_args {
    hz_series_opts so; /* date, value, by, freq, week anchor, label end,
                          seasons, agg, fill, partial */
    bool long_format;
    const char *by[16];      /* so.by_cols points here */
    char *bystore;           /* free() */
    int nonnegative;         /* hz_nonneg */
    const char *levels_text; /* --level as given, when read as proportions */
    bool detected_long;      /* statsforecast columns found */
} hz__fc_series_args;

void hz__fc_series_args_init(hz__fc_series_args *a);
/* Take option opt (from getopt_long) when it is one of the above: 1 when
 * taken, 0 when it is another option, -1 when its value is bad (the
 * message, naming the option, is printed for cmd). */
int hz__fc_series_option(const char *cmd, int opt, const char *arg,
                         hz__fc_series_args *a);
/* As hz__fc_series_option, for the request options above. */
int hz__fc_request_option(const char *cmd, int opt, const char *arg,
                          hz_forecast_request *req);
/* Copy the series options into req and check what a forecast requires
 * (a date column, a value column unless --agg count, --by with --long);
 * false with a message for cmd. */
bool hz__fc_request_finish(const char *cmd, const hz__fc_series_args *a,
                           hz_forecast_request *req);
/* The options with a value met so far on a command line (hz__fc_once). */
struct option;
typedef struct hz__fc_seen {
    int code[64];
    const char *arg[64];
    size_t n;
} hz__fc_seen;
/* False, with a message for cmd, when option opt (an entry of lo taking
 * a value) was given before: getopt keeps the last one, so '--by region
 * --by product' grouped by product alone and '--value qty --value
 * revenue' forecast revenue, without a word.  Flags may repeat. */
bool hz__fc_once(const char *cmd, const struct option *lo, int opt,
                 const char *arg, hz__fc_seen *seen);
/* True when a --level argument is read as proportions (all below 1). */
bool hz__fc_levels_are_fractions(const char *s);

/* Check the options once parsed (a missing --date / --value is fine
 * when the file may be statsforecast's); the hints for the reader go
 * into csvo.  HZ_EXIT_OK or a usage exit after a message. */
int hz__fc_series_check(const char *cmd, hz__fc_series_args *a,
                        hz_cli_csv *csvo);
/* After reading ds: statsforecast's unique_id, ds, y when no --date and
 * --value were given; then --date/--value must be known. */
int hz__fc_series_resolve(const char *cmd, hz__fc_series_args *a,
                          const hz_dataset *ds);
/* Notices that are printed whatever --quiet says: how --level was read,
 * the detected format, filled gaps (and the rows skipped, which may have
 * been theirs), values raised to zero (nclamped of them, in
 * nseries_clamped series). */
/* The periods a --tz zone's clocks skip (hz_calendar_skipped), on
 * stderr: what was done with them (estimated for the model, not in the
 * output); nothing when there are none. */
void hz__fc_skipped_notice(const char *cmd, const hz_calendar *cal,
                           size_t nskipped, const char *first,
                           const char *last);
/* That the forecasts of res cross n periods a --tz zone's clocks skip
 * (from day first to last), left out of the horizon's steps. */
void hz__fc_skipped_ahead_notice(const char *cmd, const hz_calendar *cal,
                                 size_t n, size_t horizon, const char *first,
                                 const char *last);
void hz__fc_notices(const char *cmd, const hz__fc_series_args *a,
                    const double *levels, size_t nlevels, size_t nfilled,
                    size_t nseries_filled, const char *filled_first,
                    size_t rows_skipped, size_t nclamped,
                    size_t nseries_clamped);
/* Notices of what the data made the series leave out or take as they
 * came (printed whatever --quiet says): a first or last period the data
 * do not cover whole, rows summed into a period already seen in data of
 * one row per series and period, dates with UTC offsets or Unix times
 * (periods cut in UTC).  The fields of hz_series_set /
 * hz_forecast_result. */
void hz__fc_data_notices(const char *cmd, const hz_calendar *cal,
                         const hz_partial_period *partial,
                         size_t rows_repeated, const char *repeated_first,
                         bool zoned, bool unix_times);
/* Group names that are another's but for case or blanks around a value
 * (n of them, a and b the first two; hz_series_set.names_similar): a
 * notice printed whatever --quiet says; nothing when n is 0. */
void hz__fc_similar_notice(const char *cmd, size_t n, const char *a,
                           const char *b);
/* Rows with an empty group value (hz_series_set.rows_empty_key: n rows
 * in nseries series, the first at place, its column col and series
 * name): a notice printed whatever --quiet says; nothing when n is 0. */
void hz__fc_empty_key_notice(const char *cmd, size_t n, size_t nseries,
                             const char *place, const char *col,
                             const char *name);
/* The lines of the summary saying which frequency and seasons were
 * used, and why. */
void hz__fc_print_calendar(FILE *f, const char *freq_reason,
                           const hz_seasons *seasons,
                           const char *seasons_reason);

/* Split "a,b,c" into at most max pointers into a copy kept in *store
 * (free it); false on an empty item. */
bool hz__fc_split_list(const char *s, char **store, const char **items,
                       size_t max, size_t *n);
/* Parse "80,95" (percentages) or "0.8,0.95" (proportions) into levels in
 * percent; *fraction says which.  false with a message. */
bool hz__fc_parse_levels(const char *cmd, const char *s, double *levels,
                         size_t *n, bool *fraction);
/* Exit code for a failed request (bad column/type/argument -> 2). */
int hz__fc_exit_code(hz_status s);

#endif
