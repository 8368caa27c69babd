/* HTML reports from the command line: `--report FILE.html` on forecast,
 * backtest and analyze, and `horizon report` (cmd_report.c). */
#ifndef HZ_REPORT_CLI_H
#define HZ_REPORT_CLI_H

#include "horizon/analytics.h"
#include "horizon/forecast.h"
#include "horizon/report.h"

/* The option every command takes (add to its getopt_long table). */
#define HZ_OPT_REPORT 1950
#define HZ_CLI_REPORT_LONGOPT                                                 \
    {                                                                         \
        "report", required_argument, 0, HZ_OPT_REPORT                         \
    }
#define HZ_CLI_REPORT_HELP                                                    \
    "  --report FILE.html     also write a self-contained HTML report\n"

/* Write rep to path atomically (a temporary file in the same directory,
 * renamed when complete): on failure nothing is left at path.  Returns an
 * exit code (0 ok) after printing any error for cmd. */
int hz__cli_write_report(const char *cmd, const char *path,
                         const hz_report *rep);

/* The report of a forecast of input (a CSV path) made with req. */
int hz__cli_report_forecast(const char *cmd, const char *path,
                            const hz_forecast_result *res,
                            const hz_forecast_request *req, const char *input);

/* The report of a customer analysis of input. */
int hz__cli_report_analytics(const char *cmd, const char *path,
                             const hz_analytics_result *res,
                             const char *input);

/* The report of a backtest of input. */
int hz__cli_report_backtest(const char *cmd, const char *path,
                            const hz_report_backtest_in *bt,
                            const char *input);

/* "revenue, sum per month" for a value column, aggregation and
 * frequency (buf >= 128 bytes). */
const char *hz__cli_value_label(const char *value_col, int agg, int freq,
                                char *buf, size_t bufsz);

#endif
