/* Option parsing shared by the forecasting commands. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/fc_cli.h"
#include "horizon/reconcile.h"

bool hz__fc_split_list(const char *s, char **store, const char **items,
                       size_t max, size_t *n)
{
    *n = 0;
    *store = strdup(s);
    if (*store == NULL)
        return false;
    char *save = NULL;
    for (char *t = strtok_r(*store, ",", &save); t != NULL;
         t = strtok_r(NULL, ",", &save)) {
        while (*t == ' ')
            t++;
        if (*t == '\0' || *n == max)
            return false;
        items[(*n)++] = t;
    }
    return *n > 0;
}

bool hz__fc_parse_levels(const char *cmd, const char *s, double *levels,
                         size_t *n)
{
    char *store;
    const char *it[HZ_FC_MAX_LEVELS];
    size_t k;
    if (!hz__fc_split_list(s, &store, it, HZ_FC_MAX_LEVELS, &k)) {
        free(store);
        hz_cli_error(cmd,
                     "--level: expected up to %d comma-separated "
                     "percentages, got '%s'",
                     HZ_FC_MAX_LEVELS, s);
        return false;
    }
    for (size_t i = 0; i < k; i++) {
        char *end;
        double v = strtod(it[i], &end);
        if (end == it[i] || *end != '\0' || !(v > 0 && v < 100)) {
            hz_cli_error(cmd,
                         "--level: expected a percentage in (0, 100), "
                         "got '%s'",
                         it[i]);
            free(store);
            return false;
        }
        levels[i] = v;
    }
    *n = k;
    free(store);
    return true;
}

int hz__fc_exit_code(hz_status s)
{
    switch (s) {
    case HZ_EINVAL:
    case HZ_ENOTFOUND:
    case HZ_ETYPE: return HZ_EXIT_USAGE;
    default: return hz_cli_exit_code(s);
    }
}

void hz__fc_series_args_init(hz__fc_series_args *a)
{
    memset(a, 0, sizeof *a);
    hz_series_opts_init(&a->so);
}

int hz__fc_series_option(const char *cmd, int opt, const char *arg,
                         hz__fc_series_args *a)
{
    switch (opt) {
    case HZ_FC_OPT_DATE: a->so.date_col = arg; return 1;
    case HZ_FC_OPT_VALUE: a->so.value_col = arg; return 1;
    case HZ_FC_OPT_LONG: a->long_format = true; return 1;
    case HZ_FC_OPT_BY:
        free(a->bystore);
        if (!hz__fc_split_list(arg, &a->bystore, a->by, 16, &a->so.nby)) {
            hz_cli_error(cmd,
                         "--by: expected up to 16 comma-separated "
                         "column names, got '%s'",
                         arg);
            return -1;
        }
        a->so.by_cols = a->by;
        return 1;
    case HZ_FC_OPT_FREQ:
        if (!hz_freq_parse(arg, &a->so.freq)) {
            hz_cli_error(cmd,
                         "--freq: expected day, week, month, quarter "
                         "or year, got '%s'",
                         arg);
            return -1;
        }
        return 1;
    case HZ_FC_OPT_AGG:
        if (!hz_agg_parse(arg, &a->so.agg)) {
            hz_cli_error(cmd,
                         "--agg: expected sum, mean or count, got "
                         "'%s'",
                         arg);
            return -1;
        }
        return 1;
    case HZ_FC_OPT_FILL:
        if (strcmp(arg, "zero") == 0)
            a->so.fill = HZ_FILL_ZERO;
        else if (strcmp(arg, "interpolate") == 0)
            a->so.fill = HZ_FILL_INTERPOLATE;
        else {
            hz_cli_error(cmd,
                         "--fill: expected zero or interpolate, got "
                         "'%s'",
                         arg);
            return -1;
        }
        return 1;
    default: return 0;
    }
}

int hz__fc_request_option(const char *cmd, int opt, const char *arg,
                          hz_forecast_request *req)
{
    long v;
    switch (opt) {
    case HZ_FC_OPT_HORIZON:
        if (!hz_cli_parse_long(cmd, "horizon", arg, 1, 100000, &v))
            return -1;
        req->horizon = (size_t)v;
        return 1;
    case HZ_FC_OPT_MODEL:
        if (!hz_fc_model_parse(arg, &req->model)) {
            hz_cli_error(cmd, "--model: unknown model '%s' (try %s)", arg,
                         hz_fc_model_list());
            return -1;
        }
        return 1;
    case HZ_FC_OPT_INTERVALS:
        if (!hz_intervals_parse(arg, &req->intervals)) {
            hz_cli_error(cmd,
                         "--intervals: expected model or conformal, got "
                         "'%s'",
                         arg);
            return -1;
        }
        return 1;
    case HZ_FC_OPT_RECONCILE:
        if (!hz_recon_parse(arg, &req->reconcile) ||
            req->reconcile == HZ_RECON_NONE) {
            hz_cli_error(cmd,
                         "--reconcile: expected mint, wls, ols, bu or td, "
                         "got '%s'",
                         arg);
            return -1;
        }
        return 1;
    case HZ_FC_OPT_LEVEL:
        return hz__fc_parse_levels(cmd, arg, req->levels, &req->nlevels) ? 1
                                                                         : -1;
    case HZ_FC_OPT_SEED: {
        char *end;
        req->seed = strtoull(arg, &end, 10);
        if (*arg == '\0' || *end != '\0' || *arg == '-') {
            hz_cli_error(cmd, "--seed: expected an integer, got '%s'", arg);
            return -1;
        }
        return 1;
    }
    default: return 0;
    }
}

bool hz__fc_request_finish(const char *cmd, const hz__fc_series_args *a,
                           hz_forecast_request *req)
{
    req->date_col = a->so.date_col;
    req->value_col = a->so.value_col;
    req->by_cols = a->so.by_cols;
    req->nby = a->so.nby;
    req->freq = a->so.freq;
    req->agg = a->so.agg;
    req->fill = a->so.fill;
    req->long_format = a->long_format;
    if (req->date_col == NULL) {
        hz_cli_error(cmd, "missing --date COL (the column with the dates)");
        return false;
    }
    if (req->value_col == NULL && req->agg != HZ_AGG_COUNT) {
        hz_cli_error(cmd, "missing --value COL (or use --agg count)");
        return false;
    }
    if (req->long_format && req->nby == 0) {
        hz_cli_error(cmd, "--long needs --by ID_COLUMN");
        return false;
    }
    return true;
}
