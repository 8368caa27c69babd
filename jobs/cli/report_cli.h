/* HTML reports from the command line: `--report FILE.html` on forecast,
 * backtest and analyze, and `horizon report` (cmd_report.c). */
#ifndef HZ_REPORT_CLI_H
#define HZ_REPORT_CLI_H

#include <stdbool.h>

#include "cli/cli.h"
#include "horizon/analytics.h"
#include "horizon/forecast.h"
#include "horizon/report.h"
#include "horizon/summary.h"

/* The option every command takes (add to its getopt_long table). */
#define HZ_OPT_REPORT 1950
#define HZ_CLI_REPORT_LONGOPT                                                 \
    {                                                                         \
        "report", required_argument, 0, HZ_OPT_REPORT                         \
    }
#define HZ_OPT_REPORT_LLM 1951
#define HZ_CLI_REPORT_LLM_LONGOPT                                             \
    {                                                                         \
        "report-llm", no_argument, 0, HZ_OPT_REPORT_LLM                       \
    }
#define HZ_CLI_REPORT_HELP                                                    \
    "  --report FILE.html     also write a self-contained HTML report, "      \
    "with\n"                                                                  \
    "                         the offline template narrative of the\n"        \
    "                         results and its token counts\n"                 \
    "  --report-llm           the report's narrative from the configured\n"   \
    "                         LLM instead (as 'horizon explain'; no report\n" \
    "                         when it fails)\n"

/* HZ_EXIT_OK, or a usage error for --report-llm without --report. */
int hz__cli_report_check(const char *cmd, const char *path, bool llm);

/* Write rep to path as one more output of the command's set (cli.h):
 * written to a temporary file, renamed into place only when the set is
 * committed with the command's other outputs, so that a report that
 * fails leaves none of them new.  Returns an exit code (0 ok) after
 * printing any error for the set's command (the set is then given
 * up). */
int hz__cli_write_report(hz_cli_outs *outs, const char *path,
                         const hz_report *rep);

/* The report of a forecast of input (a CSV path) made with req, staged
 * into outs (as hz__cli_write_report); llm: the narrative from the
 * configured LLM (--report-llm), else the offline template. */
int hz__cli_report_forecast(hz_cli_outs *outs, const char *path, bool llm,
                            const hz_forecast_result *res,
                            const hz_forecast_request *req, const char *input);

/* The report of a customer analysis of input, staged into outs. */
int hz__cli_report_analytics(hz_cli_outs *outs, const char *path, bool llm,
                             const hz_analytics_result *res,
                             const char *input);

/* The report of a backtest of input, staged into outs. */
int hz__cli_report_backtest(hz_cli_outs *outs, const char *path, bool llm,
                            const hz_report_backtest_in *bt,
                            const char *input);

/* ---- the narrative (report_narrative.c) ---- */

/* Put the narrative of sum (the summary items a job of this type would
 * narrate) on rep: the jobs' offline template with the prompt's and the
 * text's token counts, or with llm the configured LLM's (an error when
 * none is configured or it fails).  Returns an exit code after printing
 * any error for cmd. */
int hz__cli_report_narrative(const char *cmd, hz_report *rep, const char *type,
                             const hz_summary *sum, bool llm);

/* The summary items of a result, as a job's narrative step builds them
 * (NULL when out of memory or, for a forecast, nothing to summarise). */
hz_summary *hz__cli_summary_forecast(const hz_forecast_result *res);
hz_summary *hz__cli_summary_analytics(const hz_analytics_result *res);
hz_summary *hz__cli_summary_backtest(const hz_report_backtest_in *bt);

/* "revenue, sum per month" for a value column, aggregation and
 * calendar (NULL: "per period"; buf >= 128 bytes). */
const char *hz__cli_value_label(const char *value_col, int agg,
                                const hz_calendar *cal, char *buf,
                                size_t bufsz);

#endif
