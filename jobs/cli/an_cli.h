/* The options of `horizon analyze` that make its request, shared by the
 * command and by analytics jobs (job parameters go through the same
 * table and the same function, jobs/cli/job_params.c). */
#ifndef HZ_AN_CLI_H
#define HZ_AN_CLI_H

#include <stdbool.h>

#include "horizon/analytics.h"

enum {
    HZ_AN_OPT_CUSTOMER = 2100,
    HZ_AN_OPT_DATE,
    HZ_AN_OPT_AMOUNT,
    HZ_AN_OPT_LABEL,
    HZ_AN_OPT_ASOF,
    HZ_AN_OPT_CALEND,
    HZ_AN_OPT_UNIT,
    HZ_AN_OPT_HORIZON,
    HZ_AN_OPT_DISCOUNT,
    HZ_AN_OPT_K,
    HZ_AN_OPT_KMAX,
    HZ_AN_OPT_NINIT,
    HZ_AN_OPT_INACTIVE,
    HZ_AN_OPT_FOLDS,
    HZ_AN_OPT_C,
    HZ_AN_OPT_SEED,
    HZ_AN_OPT_ORDER,
    HZ_AN_OPT_DURATION,
    HZ_AN_OPT_EVENT,
    HZ_AN_OPT_MODEL,
    HZ_AN_OPT_RISK,
    HZ_AN_OPT_FREQ,
    HZ_AN_OPT_COVARIATES,
    HZ_AN_OPT_TIMES,
    HZ_AN_OPT_KEEP_IDS,
    HZ_AN_OPT_DEDUPE
};

#define HZ_AN_REQUEST_LONGOPTS                                                \
    {"customer", required_argument, 0, HZ_AN_OPT_CUSTOMER},                   \
        {"date", required_argument, 0, HZ_AN_OPT_DATE},                       \
        {"amount", required_argument, 0, HZ_AN_OPT_AMOUNT},                   \
        {"label", required_argument, 0, HZ_AN_OPT_LABEL},                     \
        {"as-of", required_argument, 0, HZ_AN_OPT_ASOF},                      \
        {"calibration-end", required_argument, 0, HZ_AN_OPT_CALEND},          \
        {"unit", required_argument, 0, HZ_AN_OPT_UNIT},                       \
        {"horizon", required_argument, 0, HZ_AN_OPT_HORIZON},                 \
        {"discount", required_argument, 0, HZ_AN_OPT_DISCOUNT},               \
        {"k", required_argument, 0, HZ_AN_OPT_K},                             \
        {"k-max", required_argument, 0, HZ_AN_OPT_KMAX},                      \
        {"n-init", required_argument, 0, HZ_AN_OPT_NINIT},                    \
        {"inactive-days", required_argument, 0, HZ_AN_OPT_INACTIVE},          \
        {"folds", required_argument, 0, HZ_AN_OPT_FOLDS},                     \
        {"C", required_argument, 0, HZ_AN_OPT_C},                             \
        {"seed", required_argument, 0, HZ_AN_OPT_SEED},                       \
        {"order", required_argument, 0, HZ_AN_OPT_ORDER},                     \
        {"duration", required_argument, 0, HZ_AN_OPT_DURATION},               \
        {"event", required_argument, 0, HZ_AN_OPT_EVENT},                     \
        {"model", required_argument, 0, HZ_AN_OPT_MODEL},                     \
        {"risk", required_argument, 0, HZ_AN_OPT_RISK},                       \
        {"frequency", required_argument, 0, HZ_AN_OPT_FREQ},                  \
        {"covariates", required_argument, 0, HZ_AN_OPT_COVARIATES},           \
        {"keep-ids", required_argument, 0, HZ_AN_OPT_KEEP_IDS},               \
        {"dedupe", no_argument, 0, HZ_AN_OPT_DEDUPE},                         \
    {                                                                         \
        "times", required_argument, 0, HZ_AN_OPT_TIMES                        \
    }

/* Take option opt (from getopt_long or a job parameter) when it is one of
 * the above: 1 when taken, 0 when it is another option, -1 when its value
 * is bad (the message, naming the option, is printed for cmd with
 * hz_cli_error).  String values are kept as pointers to arg. */
int hz__an_request_option(const char *cmd, int opt, const char *arg,
                          hz_analytics_request *req);

/* What `horizon analyze KIND` requires of the request once its options
 * are read; false with a message for cmd. */
bool hz__an_request_check(const char *cmd, hz_analysis_kind kind,
                          const hz_analytics_request *req);

#endif
