/* Option parsing shared by `horizon forecast` and `horizon backtest`. */
#ifndef HZ_FC_CLI_H
#define HZ_FC_CLI_H

#include <stdbool.h>

#include "horizon/forecast.h"
#include "horizon/series.h"

/* The options that say how series are built from a table, shared by
 * `horizon forecast` and `horizon backtest`: --date, --value, --by,
 * --freq, --agg, --fill and --long. */
enum {
    HZ_FC_OPT_DATE = 1900,
    HZ_FC_OPT_VALUE,
    HZ_FC_OPT_BY,
    HZ_FC_OPT_FREQ,
    HZ_FC_OPT_AGG,
    HZ_FC_OPT_FILL,
    HZ_FC_OPT_LONG
};

#define HZ_FC_SERIES_LONGOPTS                                                 \
    {"date", required_argument, 0, HZ_FC_OPT_DATE},                           \
        {"value", required_argument, 0, HZ_FC_OPT_VALUE},                     \
        {"by", required_argument, 0, HZ_FC_OPT_BY},                           \
        {"freq", required_argument, 0, HZ_FC_OPT_FREQ},                       \
        {"agg", required_argument, 0, HZ_FC_OPT_AGG},                         \
        {"fill", required_argument, 0, HZ_FC_OPT_FILL},                       \
    {                                                                         \
        "long", no_argument, 0, HZ_FC_OPT_LONG                                \
    }

typedef struct hz__fc_series_args {
    hz_series_opts so; /* date, value, by, freq, agg, fill */
    bool long_format;
    const char *by[16]; /* so.by_cols points here */
    char *bystore;      /* free() */
} hz__fc_series_args;

void hz__fc_series_args_init(hz__fc_series_args *a);
/* Take option opt (from getopt_long) when it is one of the above: 1 when
 * taken, 0 when it is another option, -1 when its value is bad (the
 * message, naming the option, is printed for cmd). */
int hz__fc_series_option(const char *cmd, int opt, const char *arg,
                         hz__fc_series_args *a);

/* The options of `horizon forecast` that complete its request: --horizon,
 * --model, --level and --seed.  Forecast jobs take the same options
 * (jobs/cli/job_params.c). */
enum {
    HZ_FC_OPT_HORIZON = 1960,
    HZ_FC_OPT_MODEL,
    HZ_FC_OPT_LEVEL,
    HZ_FC_OPT_SEED,
    HZ_FC_OPT_INTERVALS,
    HZ_FC_OPT_RECONCILE
};

#define HZ_FC_REQUEST_LONGOPTS                                                \
    {"horizon", required_argument, 0, HZ_FC_OPT_HORIZON},                     \
        {"model", required_argument, 0, HZ_FC_OPT_MODEL},                     \
        {"level", required_argument, 0, HZ_FC_OPT_LEVEL},                     \
        {"seed", required_argument, 0, HZ_FC_OPT_SEED},                       \
        {"intervals", required_argument, 0, HZ_FC_OPT_INTERVALS},             \
    {                                                                         \
        "reconcile", required_argument, 0, HZ_FC_OPT_RECONCILE                \
    }

/* As hz__fc_series_option, for the options above. */
int hz__fc_request_option(const char *cmd, int opt, const char *arg,
                          hz_forecast_request *req);
/* Copy the series options into req and check what `horizon forecast`
 * requires (a date column, a value column unless --agg count, --by with
 * --long); false with a message for cmd. */
bool hz__fc_request_finish(const char *cmd, const hz__fc_series_args *a,
                           hz_forecast_request *req);

/* Split "a,b,c" into at most max pointers into a copy kept in *store
 * (free it); false on an empty item. */
bool hz__fc_split_list(const char *s, char **store, const char **items,
                       size_t max, size_t *n);
/* Parse "80,95" into levels; false with a message. */
bool hz__fc_parse_levels(const char *cmd, const char *s, double *levels,
                         size_t *n);
/* Exit code for a failed request (bad column/type/argument -> 2). */
int hz__fc_exit_code(hz_status s);

#endif
