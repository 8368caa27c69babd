/* horizon forecast: per-group forecasts from a transactions CSV. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/fc_cli.h"
#include "cli/report_cli.h"
#include "horizon/csv.h"
#include "horizon/forecast.h"
#include "horizon/reconcile.h"
#include "horizon/series.h"

const char hz__cmd_forecast_summary[] =
    "forecast every group of a transactions or series CSV";

static void help(FILE *f)
{
    fprintf(
        f,
        "usage: horizon forecast FILE.csv --date COL --value COL [OPTIONS]\n"
        "\n"
        "Aggregates FILE.csv into one regular series per group and forecasts\n"
        "each one.  Output rows: series,date,point,loNN,hiNN...,model,note;\n"
        "dates are labelled as the input labels its periods.\n"
        "\n"
        "options:\n" HZ_FC_SERIES_HELP
        "  --model M              one of (default auto):\n"
        "                         %s\n"
        "  --intervals K          model (default) or conformal: calibrated\n"
        "                         on rolling-origin errors of all series\n"
        "  --reconcile R          with --by: forecast every level (total,\n"
        "                         each prefix of the --by columns, the\n"
        "                         groups) and make them add up: mint\n"
        "                         (shrinkage), mint-h (a covariance per\n"
        "                         step from rolling-origin errors), wls,\n"
        "                         ols, bu or td (split by the base\n"
        "                         forecasts' proportions)\n"
        "  --bias-correct B       with --reconcile: on (default) or off:\n"
        "                         first move each node's forecast by the\n"
        "                         bias (a constant and a drift) of its\n"
        "                         rolling-origin errors, as far as that\n"
        "                         would have helped its level's past\n"
        "                         errors (off: faster, as they are)\n"
        "  --seed N               seed for simulated intervals (default 42)\n"
        "  -o, --output FILE      write to FILE instead of stdout (whole or\n"
        "                         not at all)\n"
        "  --json                 JSON instead of CSV\n"
        "  --diagnostics FILE     one CSV row per series: model, parameters,\n"
        "                         AIC/AICc/BIC, sigma2, Ljung-Box p, "
        "in-sample\n"
        "                         MASE, filled periods, fallback reason\n"
        "  --fitted FILE          CSV of fitted values and residuals\n"
        "  --quiet                no summary on stderr (warnings "
        "stay)\n" HZ_CLI_REPORT_HELP HZ_CLI_CSV_HELP
        "  -h, --help             show this help\n"
        "\n"
        "Series too short for the model fall back to simpler ones; the\n"
        "reason is in the note column.  Results are identical for any\n"
        "--threads.\n",
        hz_fc_model_list());
}

enum { OPT_JSON = 2000, OPT_QUIET, OPT_DIAG, OPT_FITTED };

typedef struct fc_args {
    hz__fc_series_args sa;
    hz_cli_csv csvo;
    hz_forecast_request req;
    const char *outpath, *diagpath, *fittedpath, *report, *input;
    int json, quiet, report_llm;
} fc_args;

/* One option that is not a series option; HZ_EXIT_OK or an exit code. */
static int take_option(const char *cmd, fc_args *a, int c, const char *arg)
{
    switch (c) {
    case OPT_JSON: a->json = 1; return HZ_EXIT_OK;
    case OPT_QUIET: a->quiet = 1; return HZ_EXIT_OK;
    case OPT_DIAG: a->diagpath = arg; return HZ_EXIT_OK;
    case OPT_FITTED: a->fittedpath = arg; return HZ_EXIT_OK;
    case 'o': a->outpath = arg; return HZ_EXIT_OK;
    case HZ_OPT_REPORT: a->report = arg; return HZ_EXIT_OK;
    case HZ_OPT_REPORT_LLM: a->report_llm = 1; return HZ_EXIT_OK;
    case '?': return HZ_EXIT_USAGE;
    default:
        if (!hz_cli_csv_option(cmd, &a->csvo, c, arg))
            return HZ_EXIT_USAGE;
        if (c == HZ_OPT_THREADS)
            a->req.threads = a->csvo.threads;
        return HZ_EXIT_OK;
    }
}

/* -1: --help was shown; else an exit code. */
static int parse_args(const char *cmd, int argc, char **argv, fc_args *a)
{
    static const struct option lo[] = {
        HZ_FC_SERIES_LONGOPTS,
        HZ_FC_REQUEST_LONGOPTS,
        {"json", no_argument, 0, OPT_JSON},
        {"quiet", no_argument, 0, OPT_QUIET},
        {"diagnostics", required_argument, 0, OPT_DIAG},
        {"fitted", required_argument, 0, OPT_FITTED},
        {"output", required_argument, 0, 'o'},
        {"help", no_argument, 0, 'h'},
        HZ_CLI_REPORT_LONGOPT,
        HZ_CLI_REPORT_LLM_LONGOPT,
        HZ_CLI_CSV_LONGOPTS,
        {0, 0, 0, 0}};
    int c, rc;
    hz__fc_seen seen = {.n = 0};
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", lo, NULL)) != -1) {
        if (c == 'h') {
            help(stdout);
            return -1;
        }
        if (!hz__fc_once(cmd, lo, c, optarg, &seen))
            return HZ_EXIT_USAGE;
        int taken = hz__fc_series_option(cmd, c, optarg, &a->sa);
        if (taken == 0)
            taken = hz__fc_request_option(cmd, c, optarg, &a->req);
        if (taken < 0)
            return HZ_EXIT_USAGE;
        if (c == HZ_FC_OPT_LEVEL)
            a->sa.levels_text = hz__fc_levels_are_fractions(optarg) ? optarg
                                                                    : NULL;
        if (!taken && (rc = take_option(cmd, a, c, optarg)) != HZ_EXIT_OK)
            return rc;
    }
    if (optind != argc - 1) {
        hz_cli_error(cmd, optind >= argc ? "missing input FILE.csv"
                                         : "expected one input file");
        help(stderr);
        return HZ_EXIT_USAGE;
    }
    a->input = argv[optind];
    const hz_cli_output outs[] = {{"-o", a->outpath},
                                  {"--diagnostics", a->diagpath},
                                  {"--fitted", a->fittedpath},
                                  {"--report", a->report}};
    if ((rc = hz_cli_check_outputs(cmd, a->input, outs, 4)) != HZ_EXIT_OK)
        return rc;
    return hz__fc_series_check(cmd, &a->sa, &a->csvo);
}

static void fill_request(fc_args *a)
{
    a->req.keep_fitted = a->diagpath != NULL || a->fittedpath != NULL ||
                         a->report != NULL; /* the report draws them */
}

typedef hz_status (*writer_fn)(const hz_forecast_result *r, FILE *f,
                               hz_error *err);

/* The writer of output k: diagnostics, fitted values, forecasts. */
static writer_fn writer_for(int k, bool json)
{
    if (k == 0)
        return hz_forecast_result_write_diagnostics;
    if (k == 1)
        return hz_forecast_result_write_fitted;
    return json ? hz_forecast_result_write_json : hz_forecast_result_write_csv;
}

/* Write one output of the set. */
static int write_one(hz_cli_outs *outs, const char *path, writer_fn fn,
                     const hz_forecast_result *res)
{
    hz_error err;
    FILE *f = hz_cli_outs_add(outs, path);
    if (f == NULL)
        return HZ_EXIT_FAIL;
    if (fn(res, f, &err) != HZ_OK)
        return hz_cli_outs_fail(outs, f, err.msg);
    return HZ_EXIT_OK;
}

/* Diagnostics, fitted values, the report, then the forecasts (perhaps
 * to standard output, which cannot be taken back: last): all are
 * written before any is committed, so a failure leaves none of them
 * new (cli.h, hz_cli_outs). */
static int write_outputs(const char *cmd, const fc_args *a,
                         const hz_forecast_result *res)
{
    hz_cli_outs outs;
    hz_cli_outs_init(&outs, cmd);
    const char *path[3] = {a->diagpath, a->fittedpath, a->outpath};
    int rc = HZ_EXIT_OK;
    for (int k = 0; k < 2 && rc == HZ_EXIT_OK; k++)
        if (path[k] != NULL)
            rc = write_one(&outs, path[k], writer_for(k, a->json), res);
    if (rc == HZ_EXIT_OK && a->report != NULL)
        rc = hz__cli_report_forecast(&outs, a->report, a->report_llm, res,
                                     &a->req, a->input);
    if (rc == HZ_EXIT_OK)
        rc = write_one(&outs, path[2], writer_for(2, a->json), res);
    if (rc == HZ_EXIT_OK)
        return hz_cli_outs_commit(&outs);
    hz_cli_outs_abort(&outs);
    return rc;
}

static void summary(const char *cmd, const fc_args *a,
                    const hz_forecast_result *res, double tread)
{
    size_t nfall = 0;
    char unit[24], per[96];
    for (size_t i = 0; i < res->nseries; i++)
        nfall += hz_forecast_note_is_fallback(res->series[i].note);
    /* a season that is not a whole number of periods (--season 2.5,
     * weeks' 52.18) is what the models of several seasons (mstl, dhr)
     * use; the others take it rounded */
    if (res->seasons.n > 0 && res->seasons.period[0] != (double)res->period)
        snprintf(per, sizeof per,
                 "period %g, %d for models of one whole-number period",
                 res->seasons.period[0], res->period);
    else
        snprintf(per, sizeof per, "period %d", res->period);
    fprintf(stderr,
            "horizon %s: %zu series (%s, %s), horizon %zu, model %s; "
            "%zu with fallbacks; rows used %zu, skipped %zu; read %.3f s, "
            "series %.3f s, models %.3f s\n",
            cmd, res->nseries, hz_calendar_unit(&res->cal, unit, sizeof unit),
            per, res->horizon, hz_fc_model_name(a->req.model), nfall,
            res->rows_used, res->rows_skipped, tread, res->seconds_series,
            res->seconds_models);
    hz__fc_print_calendar(stderr, res->freq_reason, &res->seasons,
                          res->seasons_reason);
    if (res->reconcile != HZ_RECON_NONE &&
        a->req.recon_bias != HZ_RECON_BIAS_OFF)
        fprintf(stderr,
                "horizon %s: %zu of %zu nodes bias-corrected before %s "
                "(%zu node steps)\n",
                cmd, res->bias_nodes, res->nseries,
                hz_recon_name(res->reconcile), res->bias_steps);
}

int hz__cmd_forecast(int argc, char **argv)
{
    static const char *cmd = "forecast";
    fc_args a;
    memset(&a, 0, sizeof a);
    hz__fc_series_args_init(&a.sa);
    hz_cli_csv_init(&a.csvo);
    hz_forecast_request_init(&a.req);
    hz_dataset *ds = NULL;
    hz_forecast_result *res = NULL;
    int rc = parse_args(cmd, argc, argv, &a);
    if (rc != HZ_EXIT_OK) {
        rc = rc < 0 ? HZ_EXIT_OK : rc;
        goto out;
    }
    double t0 = hz_now();
    hz_csv_report rep;
    if ((rc = hz__cli_report_check(cmd, a.report, a.report_llm)) != 0 ||
        (rc = hz_cli_read_csv(cmd, a.input, &a.csvo, &ds, &rep)) != 0 ||
        (rc = hz__fc_series_resolve(cmd, &a.sa, ds)) != 0)
        goto out;
    double t1 = hz_now();
    if (!hz__fc_request_finish(cmd, &a.sa, &a.req)) {
        rc = HZ_EXIT_USAGE;
        goto out;
    }
    fill_request(&a);
    a.req.rows_skipped_read = rep.rows_skipped; /* counted, and their
                                                   periods not taken as 0 */
    hz_error err;
    hz_error_clear(&err);
    hz_status st = hz_forecast_run(ds, &a.req, &res, &err);
    if (st != HZ_OK) {
        hz_cli_error(cmd, "%s", err.msg);
        rc = hz__fc_exit_code(st);
        goto out;
    }
    if ((rc = write_outputs(cmd, &a, res)) != HZ_EXIT_OK)
        goto out;
    size_t nraised = 0; /* series with values raised, not those kept >= 0 */
    for (size_t i = 0; i < res->nseries; i++)
        nraised += res->series[i].nclamped > 0;
    hz__fc_notices(cmd, &a.sa, a.req.levels, a.req.nlevels, res->nfilled,
                   res->nseries_filled, res->filled_first, res->rows_skipped,
                   res->nclamped, nraised);
    hz__fc_skipped_notice(cmd, &res->cal, res->nskipped, res->skipped_first,
                          res->skipped_last);
    hz__fc_skipped_ahead_notice(cmd, &res->cal, res->nskipped_ahead,
                                res->horizon, res->ahead_first,
                                res->ahead_last);
    hz__fc_data_notices(cmd, &res->cal, res->partial, res->rows_repeated,
                        res->repeated_first, res->zoned,
                        res->unix_times);
    hz__fc_similar_notice(cmd, res->names_similar, res->similar_first[0],
                          res->similar_first[1]);
    hz__fc_empty_key_notice(cmd, res->rows_empty_key, res->series_empty_key,
                            res->empty_key_first, res->empty_key_col,
                            res->empty_key_series);
    size_t nkept = 0, nfew = 0; /* series with the model's bounds */
    for (size_t i = 0; i < res->nseries; i++) {
        bool few = hz_forecast_note_conformal_few(res->series[i].note);
        nfew += few;
        nkept += !few && hz_forecast_note_conformal_kept(res->series[i].note);
    }
    if (nfew > 0)
        fprintf(stderr,
                "horizon %s: --intervals conformal: too few held-out errors "
                "for a level's quantile at some steps (p / (100 - p) for "
                "p%%: 19 for 95%%; more or longer series, or a lower "
                "--level, give more): %zu of %zu series keep the model's "
                "intervals at those steps (their note says so)\n",
                cmd, nfew, res->nseries);
    if (nkept > 0)
        fprintf(stderr,
                "horizon %s: --intervals conformal: no series long enough to "
                "hold out values (2 periods, at least 8 values, plus the "
                "steps): %zu of %zu series keep the model's intervals "
                "(their note says so)\n",
                cmd, nkept, res->nseries);
    if (res->rows_skipped > rep.rows_skipped) /* the reader's are said */
        fprintf(stderr,
                "horizon %s: %zu rows without a date or value were not "
                "used\n",
                cmd, res->rows_skipped - rep.rows_skipped);
    if (!a.quiet)
        summary(cmd, &a, res, t1 - t0);
out:
    hz_forecast_result_free(res);
    hz_dataset_free(ds);
    free(a.sa.bystore);
    return rc;
}
