/* The request options of `horizon analyze` (see an_cli.h). */
#include <getopt.h>
#include <limits.h>
#include <string.h>

#include "cli/an_cli.h"
#include "cli/cli.h"
#include "horizon/dataset.h"

static bool parse_day(const char *cmd, const char *opt, const char *s,
                      int32_t *day)
{
    int64_t secs;
    bool ts;
    hz_datefmt det;
    if (!hz_parse_datetime(s, strlen(s), HZ_DATEFMT_NONE, &secs, &ts, &det)) {
        hz_cli_error(cmd, "--%s: expected a date like 2024-12-31, got '%s'",
                     opt, s);
        return false;
    }
    *day = (int32_t)(secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400));
    return true;
}

/* An integer option in [lo, hi] into *out. */
static int int_opt(const char *cmd, const char *name, const char *arg, long lo,
                   long hi, int *out)
{
    long v;
    if (!hz_cli_parse_long(cmd, name, arg, lo, hi, &v))
        return -1;
    *out = (int)v;
    return 1;
}

static int real_opts(const char *cmd, int opt, const char *arg,
                     hz_analytics_request *req)
{
    double dv;
    if (opt == HZ_AN_OPT_DISCOUNT) {
        if (!hz_cli_parse_double(cmd, "discount", arg, &dv))
            return -1;
        if (!(dv >= 0 && dv < 1)) {
            hz_cli_error(cmd,
                         "--discount: expected a monthly rate in [0, 1), "
                         "got '%s'",
                         arg);
            return -1;
        }
        req->discount_rate = dv;
        return 1;
    }
    if (!hz_cli_parse_double(cmd, "C", arg, &dv))
        return -1;
    if (!(dv > 0)) {
        hz_cli_error(cmd, "--C: expected a positive number, got '%s'", arg);
        return -1;
    }
    req->C = dv;
    return 1;
}

int hz__an_request_option(const char *cmd, int opt, const char *arg,
                          hz_analytics_request *req)
{
    long v;
    switch (opt) {
    case HZ_AN_OPT_CUSTOMER: req->customer_col = arg; return 1;
    case HZ_AN_OPT_DATE: req->date_col = arg; return 1;
    case HZ_AN_OPT_AMOUNT: req->amount_col = arg; return 1;
    case HZ_AN_OPT_LABEL: req->label_col = arg; return 1;
    case HZ_AN_OPT_ASOF:
        return parse_day(cmd, "as-of", arg, &req->as_of) ? 1 : -1;
    case HZ_AN_OPT_CALEND:
        return parse_day(cmd, "calibration-end", arg, &req->calibration_end)
                   ? 1
                   : -1;
    case HZ_AN_OPT_UNIT:
        if (!strcmp(arg, "days") || !strcmp(arg, "day"))
            req->unit = HZ_UNIT_DAYS;
        else if (!strcmp(arg, "weeks") || !strcmp(arg, "week"))
            req->unit = HZ_UNIT_WEEKS;
        else {
            hz_cli_error(cmd, "--unit: expected 'days' or 'weeks', got '%s'",
                         arg);
            return -1;
        }
        return 1;
    case HZ_AN_OPT_HORIZON:
        return int_opt(cmd, "horizon", arg, 1, 1200, &req->horizon_months);
    case HZ_AN_OPT_DISCOUNT:
    case HZ_AN_OPT_C: return real_opts(cmd, opt, arg, req);
    case HZ_AN_OPT_K: return int_opt(cmd, "k", arg, 1, 1000, &req->k);
    case HZ_AN_OPT_KMAX: return int_opt(cmd, "k-max", arg, 2, 17, &req->k_max);
    case HZ_AN_OPT_NINIT:
        return int_opt(cmd, "n-init", arg, 1, 1000, &req->n_init);
    case HZ_AN_OPT_INACTIVE:
        return int_opt(cmd, "inactive-days", arg, 0, 100000,
                       &req->inactive_days);
    case HZ_AN_OPT_FOLDS:
        return int_opt(cmd, "folds", arg, 2, 32, &req->folds);
    case HZ_AN_OPT_SEED:
        if (!hz_cli_parse_long(cmd, "seed", arg, 0, LONG_MAX, &v))
            return -1;
        req->seed = (uint64_t)v;
        return 1;
    default: return 0;
    }
}

bool hz__an_request_check(const char *cmd, hz_analysis_kind kind,
                          const hz_analytics_request *req)
{
    if ((kind == HZ_ANALYSIS_CLV || kind == HZ_ANALYSIS_SEGMENT) &&
        req->label_col != NULL) {
        hz_cli_error(cmd, "--label is for churn and suite");
        return false;
    }
    return true;
}
