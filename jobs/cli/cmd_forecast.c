/* horizon forecast: per-group forecasts from a transactions CSV. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/fc_cli.h"
#include "cli/report_cli.h"
#include "horizon/csv.h"
#include "horizon/forecast.h"
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
        "each one.  Output rows: series,date,point,loNN,hiNN...,model,note.\n"
        "\n"
        "options:\n"
        "  --date COL             date (or YYYY-MM period) column\n"
        "  --value COL            numeric value column (not needed with\n"
        "                         --agg count)\n"
        "  --by COL[,COL...]      group columns (key = values joined by |)\n"
        "  --long                 FILE is long format "
        "(series_id,date,value):\n"
        "                         --by names the id column; each series ends\n"
        "                         at its own last period\n"
        "  --freq F               day|week|month|quarter|year (default:\n"
        "                         inferred from the dates)\n"
        "  --agg A                sum (default), mean or count\n"
        "  --fill F               missing periods: zero (default) or\n"
        "                         interpolate\n"
        "  --horizon N            periods ahead (default 12)\n"
        "  --model M              auto (default: mean of auto-ETS and "
        "Theta),\n"
        "                         ets, theta, naive, snaive, drift, naive2,\n"
        "                         combo (ETS+Theta+ARIMA), select%s\n"
        "  --level L[,L...]       interval levels in percent (default 80,95)\n"
        "  --seed N               seed for simulated intervals (default 42)\n"
        "  -o, --output FILE      write to FILE instead of stdout\n"
        "  --json                 JSON instead of CSV\n"
        "  --quiet                no summary on stderr\n" HZ_CLI_REPORT_HELP
            HZ_CLI_CSV_HELP "  -h, --help             show this help\n"
        "\n"
        "Series too short for the model fall back to simpler ones; the\n"
        "reason is in the note column.  Results are identical for any\n"
        "--threads.\n",
        hz_fc_model_available(HZ_MODEL_ARIMA) ? ", arima" : "");
}

enum {
    OPT_HORIZON = 2000,
    OPT_MODEL,
    OPT_LEVEL,
    OPT_SEED,
    OPT_JSON,
    OPT_QUIET
};

int hz__cmd_forecast(int argc, char **argv)
{
    static const char *cmd = "forecast";
    static const struct option lo[] = {
        HZ_FC_SERIES_LONGOPTS,
        {"horizon", required_argument, 0, OPT_HORIZON},
        {"model", required_argument, 0, OPT_MODEL},
        {"level", required_argument, 0, OPT_LEVEL},
        {"seed", required_argument, 0, OPT_SEED},
        {"json", no_argument, 0, OPT_JSON},
        {"quiet", no_argument, 0, OPT_QUIET},
        {"output", required_argument, 0, 'o'},
        {"help", no_argument, 0, 'h'},
        HZ_CLI_REPORT_LONGOPT,
        HZ_CLI_CSV_LONGOPTS,
        {0, 0, 0, 0}};
    const char *report = NULL;
    hz_forecast_request req;
    hz_forecast_request_init(&req);
    hz_cli_csv csvo;
    hz_cli_csv_init(&csvo);
    const char *outpath = NULL;
    int json = 0, quiet = 0, rc = HZ_EXIT_OK;
    hz__fc_series_args sa;
    hz__fc_series_args_init(&sa);
    hz_dataset *ds = NULL;
    hz_forecast_result *res = NULL;
    long v;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", lo, NULL)) != -1) {
        int taken = hz__fc_series_option(cmd, c, optarg, &sa);
        if (taken < 0) {
            rc = HZ_EXIT_USAGE;
            goto out;
        }
        if (taken)
            continue;
        switch (c) {
        case OPT_HORIZON:
            if (!hz_cli_parse_long(cmd, "horizon", optarg, 1, 100000, &v)) {
                rc = HZ_EXIT_USAGE;
                goto out;
            }
            req.horizon = (size_t)v;
            break;
        case OPT_MODEL:
            if (!hz_fc_model_parse(optarg, &req.model) ||
                !hz_fc_model_available(req.model)) {
                hz_cli_error(cmd,
                             "--model: unknown or unavailable model "
                             "'%s' (try auto, ets, theta, naive, snaive, "
                             "drift, naive2, combo, select, arima)",
                             optarg);
                rc = HZ_EXIT_USAGE;
                goto out;
            }
            break;
        case OPT_LEVEL:
            if (!hz__fc_parse_levels(cmd, optarg, req.levels, &req.nlevels)) {
                rc = HZ_EXIT_USAGE;
                goto out;
            }
            break;
        case OPT_SEED: {
            char *end;
            req.seed = strtoull(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0') {
                hz_cli_error(cmd, "--seed: expected an integer, got '%s'",
                             optarg);
                rc = HZ_EXIT_USAGE;
                goto out;
            }
            break;
        }
        case OPT_JSON: json = 1; break;
        case OPT_QUIET: quiet = 1; break;
        case 'o': outpath = optarg; break;
        case HZ_OPT_REPORT: report = optarg; break;
        case 'h': help(stdout); goto out;
        case '?': rc = HZ_EXIT_USAGE; goto out;
        default:
            if (!hz_cli_csv_option(cmd, &csvo, c, optarg)) {
                rc = HZ_EXIT_USAGE;
                goto out;
            }
            if (c == HZ_OPT_THREADS)
                req.threads = csvo.threads;
        }
    }
    req.date_col = sa.so.date_col;
    req.value_col = sa.so.value_col;
    req.by_cols = sa.so.by_cols;
    req.nby = sa.so.nby;
    req.freq = sa.so.freq;
    req.agg = sa.so.agg;
    req.fill = sa.so.fill;
    req.long_format = sa.long_format;
    if (optind != argc - 1) {
        hz_cli_error(cmd, optind >= argc ? "missing input FILE.csv"
                                         : "expected one input file");
        help(stderr);
        rc = HZ_EXIT_USAGE;
        goto out;
    }
    if (req.date_col == NULL) {
        hz_cli_error(cmd, "missing --date COL (the column with the dates)");
        rc = HZ_EXIT_USAGE;
        goto out;
    }
    if (req.value_col == NULL && req.agg != HZ_AGG_COUNT) {
        hz_cli_error(cmd, "missing --value COL (or use --agg count)");
        rc = HZ_EXIT_USAGE;
        goto out;
    }
    if (req.long_format && req.nby == 0) {
        hz_cli_error(cmd, "--long needs --by ID_COLUMN");
        rc = HZ_EXIT_USAGE;
        goto out;
    }
    double t0 = hz_now();
    rc = hz_cli_read_csv(cmd, argv[optind], &csvo, &ds, NULL);
    if (rc != 0)
        goto out;
    double t1 = hz_now();
    hz_error err;
    hz_error_clear(&err);
    hz_status st = hz_forecast_run(ds, &req, &res, &err);
    if (st != HZ_OK) {
        hz_cli_error(cmd, "%s", err.msg);
        rc = hz__fc_exit_code(st);
        goto out;
    }
    FILE *f = hz_cli_open_out(cmd, outpath);
    if (f == NULL) {
        rc = HZ_EXIT_FAIL;
        goto out;
    }
    st = json ? hz_forecast_result_write_json(res, f, &err)
              : hz_forecast_result_write_csv(res, f, &err);
    hz_cli_close_out(f);
    if (st != HZ_OK) {
        hz_cli_error(cmd, "%s", err.msg);
        rc = HZ_EXIT_FAIL;
        goto out;
    }
    if (report != NULL) {
        rc = hz__cli_report_forecast(cmd, report, res, &req, argv[optind]);
        if (rc != HZ_EXIT_OK)
            goto out;
    }
    if (!quiet) {
        size_t nfall = 0;
        for (size_t i = 0; i < res->nseries; i++)
            if (res->series[i].note[0])
                nfall++;
        fprintf(stderr,
                "horizon forecast: %zu series (%s, period %d), horizon %zu, "
                "model %s; %zu with fallbacks; rows used %zu, skipped %zu; "
                "read %.3f s, series %.3f s, models %.3f s\n",
                res->nseries, hz_freq_name((hz_freq)res->freq), res->period,
                res->horizon, hz_fc_model_name(req.model), nfall,
                res->rows_used, res->rows_skipped, t1 - t0,
                res->seconds_series, res->seconds_models);
    }
out:
    hz_forecast_result_free(res);
    hz_dataset_free(ds);
    free(sa.bystore);
    return rc;
}
