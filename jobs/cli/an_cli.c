/* The request options of `horizon analyze` (see an_cli.h). */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/an_cli.h"
#include "cli/cli.h"
#include "horizon/dataset.h"

static int parse_day(const char *cmd, const char *opt, const char *s,
                     int32_t *day)
{
    int64_t secs;
    bool ts;
    hz_datefmt det;
    /* year first only: 05/01/2024 is the 5th of January to some and the
     * 1st of May to others (it was read month-first) */
    if (!hz_parse_datetime(s, strlen(s), HZ_DATEFMT_NONE, &secs, &ts, &det) ||
        (det != HZ_DATEFMT_ISO && det != HZ_DATEFMT_YMD_SLASH)) {
        hz_cli_error(cmd,
                     "--%s: expected a date like 2024-12-31 (year, month, "
                     "day), got '%s'",
                     opt, s);
        return -1;
    }
    /* purchases count by (UTC) day: a time within a day would keep that
     * day's later purchases all the same */
    if (ts && secs % 86400 != 0) {
        hz_cli_error(cmd,
                     "--%s: purchases are counted by whole (UTC) days: "
                     "expected a date like 2024-12-31, not a time of day, "
                     "got '%s'",
                     opt, s);
        return -1;
    }
    *day = (int32_t)(secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400));
    return 1;
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

/* "39w", "52w", "12m", "90d", or a plain number of months. */
static int parse_horizon(const char *cmd, const char *s,
                         hz_analytics_request *q)
{
    char *end;
    double v = strtod(s, &end);
    bool ok = end != s && v > 0 && isfinite(v);
    if (ok && (*end == '\0' || !strcmp(end, "m")) && v == floor(v) &&
        v <= 1200) {
        q->horizon_months = (int)v;
        q->horizon_days = 0;
        return 1;
    }
    double days = !ok                 ? NAN
                  : !strcmp(end, "w") ? 7 * v
                  : !strcmp(end, "d") ? v
                  : !strcmp(end, "m") ? v * (365.25 / 12)
                                      : NAN;
    if (days > 0 && days <= 36525) {
        q->horizon_days = days;
        return 1;
    }
    hz_cli_error(cmd,
                 "--horizon: expected e.g. 12m, 52w or 90d (at most 100 "
                 "years), got '%s'",
                 s);
    return -1;
}

/* "12,24,72" into the survival report times. */
static int parse_times(const char *cmd, const char *s, hz_analytics_request *q)
{
    q->n_surv_times = 0;
    while (*s) {
        char *end;
        double v = strtod(s, &end);
        if (end == s || !(v >= 0) || !isfinite(v) ||
            q->n_surv_times == HZ_SURV_TIMES_MAX || (*end && *end != ',')) {
            hz_cli_error(cmd,
                         "--times: expected up to %d comma-separated "
                         "non-negative numbers",
                         HZ_SURV_TIMES_MAX);
            return -1;
        }
        q->surv_times[q->n_surv_times++] = v;
        s = *end ? end + 1 : end;
    }
    if (q->n_surv_times == 0) {
        hz_cli_error(cmd, "--times: expected at least one number");
        return -1;
    }
    return 1;
}

/* One of a fixed set of words; *out receives its index. */
static int parse_word(const char *cmd, const char *opt, const char *s,
                      const char *const *words, int *out)
{
    for (int i = 0; words[i] != NULL; i++)
        if (!strcmp(s, words[i])) {
            *out = i;
            return 1;
        }
    hz_cli_error(cmd, "--%s: unknown value '%s'", opt, s);
    return -1;
}

/* Options that choose among words: unit, model, risk, frequency. */
static int word_opts(const char *cmd, int opt, const char *arg,
                     hz_analytics_request *q)
{
    static const char *const units[] = {"days", "weeks", "day", "week", NULL};
    static const char *const models[] = {"bgnbd", "pnbd", NULL};
    static const char *const risks[] = {"p-alive", "no-purchase", NULL};
    static const char *const freqs[] = {"days", "orders", "rows", NULL};
    int w = 0, rc;
    switch (opt) {
    case HZ_AN_OPT_UNIT:
        rc = parse_word(cmd, "unit", arg, units, &w);
        q->unit = w % 2 ? HZ_UNIT_WEEKS : HZ_UNIT_DAYS;
        return rc;
    case HZ_AN_OPT_MODEL:
        rc = parse_word(cmd, "model", arg, models, &w);
        q->model = (hz_purchase_kind)w;
        return rc;
    case HZ_AN_OPT_RISK:
        rc = parse_word(cmd, "risk", arg, risks, &w);
        q->risk = (hz_risk_rule)w;
        return rc;
    case HZ_AN_OPT_FREQ:
        rc = parse_word(cmd, "frequency", arg, freqs, &w);
        q->frequency = (hz_frequency_kind)w;
        return rc;
    default: return 0;
    }
}

/* Options naming columns. */
static int column_opts(int opt, const char *arg, hz_analytics_request *req)
{
    switch (opt) {
    case HZ_AN_OPT_CUSTOMER: req->customer_col = arg; return 1;
    case HZ_AN_OPT_DATE: req->date_col = arg; return 1;
    case HZ_AN_OPT_AMOUNT: req->amount_col = arg; return 1;
    case HZ_AN_OPT_LABEL: req->label_col = arg; return 1;
    case HZ_AN_OPT_ORDER: req->order_col = arg; return 1;
    case HZ_AN_OPT_DURATION: req->duration_col = arg; return 1;
    case HZ_AN_OPT_EVENT: req->event_col = arg; return 1;
    case HZ_AN_OPT_COVARIATES: req->covariates = arg; return 1;
    case HZ_AN_OPT_KEEP_IDS: req->keep_ids = arg; return 1;
    default: return 0;
    }
}

int hz__an_request_option(const char *cmd, int opt, const char *arg,
                          hz_analytics_request *req)
{
    long v;
    int rc = column_opts(opt, arg, req);
    if (rc == 0)
        rc = word_opts(cmd, opt, arg, req);
    if (rc != 0)
        return rc;
    switch (opt) {
    case HZ_AN_OPT_ASOF: return parse_day(cmd, "as-of", arg, &req->as_of);
    case HZ_AN_OPT_CALEND:
        return parse_day(cmd, "calibration-end", arg, &req->calibration_end);
    case HZ_AN_OPT_HORIZON: return parse_horizon(cmd, arg, req);
    case HZ_AN_OPT_TIMES: return parse_times(cmd, arg, req);
    case HZ_AN_OPT_DISCOUNT:
    case HZ_AN_OPT_C: return real_opts(cmd, opt, arg, req);
    case HZ_AN_OPT_K:
        if (!strcmp(arg, "auto")) {
            req->k = 0;
            return 1;
        }
        return int_opt(cmd, "k", arg, 1, 1000, &req->k);
    case HZ_AN_OPT_KMAX: return int_opt(cmd, "k-max", arg, 2, 17, &req->k_max);
    case HZ_AN_OPT_NINIT:
        return int_opt(cmd, "n-init", arg, 1, 1000, &req->n_init);
    case HZ_AN_OPT_INACTIVE:
        return int_opt(cmd, "inactive-days", arg, 0, 100000,
                       &req->inactive_days);
    case HZ_AN_OPT_FOLDS:
        return int_opt(cmd, "folds", arg, 2, 32, &req->folds);
    case HZ_AN_OPT_DEDUPE: req->dedupe = true; return 1;
    case HZ_AN_OPT_SEED:
        if (!hz_cli_parse_long(cmd, "seed", arg, 0, LONG_MAX, &v))
            return -1;
        req->seed = (uint64_t)v;
        return 1;
    default: return 0;
    }
}

/* What an analysis reads: transactions (clv, churn without a label,
 * segment, suite) or a customer table (churn with --label, survival). */
enum {
    AN_CLV = 1,
    AN_CHURN_TX = 2,    /* churn without --label */
    AN_CHURN_LABEL = 4, /* churn with --label */
    AN_SEGMENT = 8,
    AN_SUITE = 16,
    AN_SURVIVAL = 32,
    AN_TX = AN_CLV | AN_CHURN_TX | AN_SEGMENT | AN_SUITE,
    AN_PURCHASE = AN_CLV | AN_CHURN_TX | AN_SUITE,
};

/* The options that only some analyses use: given (set away from their
 * defaults) to another, they would be ignored; they are refused. */
static bool options_used(const char *cmd, hz_analysis_kind kind,
                         const hz_analytics_request *req)
{
    hz_analytics_request d;
    hz_analytics_request_init(&d);
    int ctx = kind == HZ_ANALYSIS_CLV     ? AN_CLV
              : kind == HZ_ANALYSIS_CHURN ? (req->label_col != NULL
                                                 ? AN_CHURN_LABEL
                                                 : AN_CHURN_TX)
              : kind == HZ_ANALYSIS_SEGMENT  ? AN_SEGMENT
              : kind == HZ_ANALYSIS_SURVIVAL ? AN_SURVIVAL
                                             : AN_SUITE;
    const struct {
        const char *opt;
        bool given;
        int used_by;
        const char *by;
    } t[] = {
        {"--date", req->date_col != NULL, AN_TX, "the analyses of transactions"},
        {"--amount", req->amount_col != NULL, AN_TX,
         "the analyses of transactions"},
        {"--order", req->order_col != NULL, AN_TX,
         "the analyses of transactions"},
        {"--as-of", req->as_of != d.as_of, AN_TX,
         "the analyses of transactions"},
        {"--calibration-end", req->calibration_end != d.calibration_end, AN_TX,
         "the analyses of transactions"},
        {"--unit", req->unit != d.unit, AN_TX, "the analyses of transactions"},
        {"--dedupe", req->dedupe, AN_TX, "the analyses of transactions"},
        {"--model", req->model != d.model, AN_PURCHASE,
         "clv, churn without --label and suite"},
        {"--horizon",
         req->horizon_months != d.horizon_months ||
             req->horizon_days != d.horizon_days,
         AN_PURCHASE, "clv, churn without --label and suite"},
        {"--discount", req->discount_rate != d.discount_rate, AN_PURCHASE,
         "clv, churn without --label and suite"},
        {"--risk", req->risk != d.risk, AN_CHURN_TX | AN_SUITE,
         "churn without --label and suite"},
        {"--inactive-days", req->inactive_days != d.inactive_days,
         AN_CHURN_TX | AN_SUITE, "churn without --label and suite"},
        {"--frequency", req->frequency != d.frequency, AN_SEGMENT | AN_SUITE,
         "segment and suite"},
        {"--k", req->k != d.k, AN_SEGMENT | AN_SUITE, "segment and suite"},
        {"--k-max", req->k_max != d.k_max, AN_SEGMENT | AN_SUITE,
         "segment and suite"},
        {"--n-init", req->n_init != d.n_init, AN_SEGMENT | AN_SUITE,
         "segment and suite"},
        {"--folds", req->folds != d.folds, AN_CHURN_LABEL | AN_SUITE,
         "churn with --label and suite"},
        {"--C", req->C != d.C, AN_CHURN_LABEL | AN_SUITE,
         "churn with --label and suite"},
        {"--keep-ids", req->keep_ids != NULL, AN_CHURN_LABEL,
         "churn with --label (a table of customers)"},
        /* k-means starts (segment, suite) and the cross-validation folds
         * (churn with --label); the purchase models and survival draw
         * nothing at random */
        {"--seed", req->seed != d.seed,
         AN_SEGMENT | AN_CHURN_LABEL | AN_SUITE,
         "segment, churn with --label and suite"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (t[i].given && !(t[i].used_by & ctx)) {
            hz_cli_error(cmd, "%s is for %s: %s%s would ignore it", t[i].opt,
                         t[i].by, hz_analysis_kind_name(kind),
                         ctx == AN_CHURN_LABEL ? " --label" : "");
            return false;
        }
    return true;
}

bool hz__an_request_check(const char *cmd, hz_analysis_kind kind,
                          const hz_analytics_request *req)
{
    if ((kind == HZ_ANALYSIS_CLV || kind == HZ_ANALYSIS_SEGMENT ||
         kind == HZ_ANALYSIS_SURVIVAL) &&
        req->label_col != NULL) {
        hz_cli_error(cmd, "--label is for churn and suite");
        return false;
    }
    if (kind != HZ_ANALYSIS_SURVIVAL &&
        (req->duration_col || req->event_col || req->covariates ||
         req->n_surv_times)) {
        hz_cli_error(cmd, "--duration, --event, --covariates and --times are "
                          "for survival");
        return false;
    }
    return options_used(cmd, kind, req);
}
