/* HTML reports from the command line.  See report_cli.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/report_cli.h"
#include "horizon/outfile.h"
#include "horizon/analytics_view.h"
#include "horizon/series.h"

int hz__cli_write_report(hz_cli_outs *outs, const char *path,
                         const hz_report *rep)
{
    hz_error err;
    hz_error_clear(&err);
    char *html = NULL;
    size_t len = 0;
    if (hz_report_render(rep, &html, &len, &err) != HZ_OK) {
        hz_cli_error(outs->cmd, "report: %s", err.msg);
        hz_cli_outs_abort(outs);
        return HZ_EXIT_FAIL;
    }
    FILE *f = hz_cli_outs_add(outs, path); /* renamed with the others */
    int rc = HZ_EXIT_FAIL;
    if (f != NULL)
        rc = fwrite(html, 1, len, f) == len
                 ? HZ_EXIT_OK
                 : hz_cli_outs_fail(outs, f, "report");
    free(html);
    return rc;
}

int hz__cli_report_check(const char *cmd, const char *path, bool llm)
{
    if (llm && path == NULL) {
        hz_cli_error(cmd, "--report-llm needs --report FILE.html");
        return HZ_EXIT_USAGE;
    }
    return HZ_EXIT_OK;
}

const char *hz__cli_value_label(const char *value_col, int agg,
                                const hz_calendar *cal, char *buf,
                                size_t bufsz)
{
    char unit[24];
    const char *per = cal != NULL && cal->freq != HZ_FREQ_INFER
                          ? hz_calendar_unit(cal, unit, sizeof unit)
                          : "period";
    if (agg == HZ_AGG_COUNT)
        snprintf(buf, bufsz, "rows per %s", per);
    else
        snprintf(buf, bufsz, "%s, %s per %s", value_col ? value_col : "value",
                 agg == HZ_AGG_MEAN ? "mean" : "sum", per);
    return buf;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* The narrative of sum (freed here), then the page to path, staged in
 * outs (given up on failure). */
static int finish(hz_cli_outs *outs, const char *path, bool llm,
                  hz_report *rep, const char *type, hz_summary *sum)
{
    int rc = HZ_EXIT_FAIL;
    if (sum == NULL)
        hz_cli_error(outs->cmd,
                     "report: out of memory (or nothing to narrate)");
    else if ((rc = hz__cli_report_narrative(outs->cmd, rep, type, sum, llm)) ==
             HZ_EXIT_OK)
        rc = hz__cli_write_report(outs, path, rep);
    hz_summary_free(sum);
    if (rc != HZ_EXIT_OK)
        hz_cli_outs_abort(outs);
    return rc;
}

static hz_report *new_report(const char *cmd, const char *title,
                             const char *sub)
{
    hz_report_options o;
    hz_report_options_init(&o);
    o.title = title;
    o.subtitle = sub;
    hz_report *rep = hz_report_new(&o);
    if (rep == NULL)
        hz_cli_error(cmd, "report: out of memory");
    return rep;
}

int hz__cli_report_forecast(hz_cli_outs *outs, const char *path, bool llm,
                            const hz_forecast_result *res,
                            const hz_forecast_request *req, const char *input)
{
    const char *cmd = outs->cmd;
    char title[256], sub[512], ylab[160];
    int n = snprintf(title, sizeof title, "Forecast of %s",
                     req->agg == HZ_AGG_COUNT ? "row counts"
                     : req->value_col         ? req->value_col
                                              : "values");
    for (size_t i = 0; i < req->nby && n > 0 && (size_t)n < sizeof title; i++)
        n += snprintf(title + n, sizeof title - (size_t)n, "%s%s",
                      i ? ", " : " by ", req->by_cols[i]);
    char unit[24];
    snprintf(sub, sizeof sub, "%s: %zu series by %s, model %s, horizon %zu",
             base_name(input), res->nseries,
             hz_calendar_unit(&res->cal, unit, sizeof unit),
             hz_fc_model_name(req->model), res->horizon);
    hz_report *rep = new_report(cmd, title, sub);
    if (rep == NULL) {
        hz_cli_outs_abort(outs);
        return HZ_EXIT_FAIL;
    }
    hz_error err;
    hz_error_clear(&err);
    int rc;
    if (hz_report_forecast(rep, res,
                           hz__cli_value_label(req->value_col, req->agg,
                                               &res->cal, ylab, sizeof ylab),
                           &err) != HZ_OK) {
        hz_cli_error(cmd, "report: %s", err.msg);
        hz_cli_outs_abort(outs);
        rc = HZ_EXIT_FAIL;
    } else {
        rc = finish(outs, path, llm, rep, "forecast",
                    hz__cli_summary_forecast(res));
    }
    hz_report_free(rep);
    return rc;
}

int hz__cli_report_analytics(hz_cli_outs *outs, const char *path, bool llm,
                             const hz_analytics_result *res, const char *input)
{
    const char *cmd = outs->cmd;
    char title[128], sub[512];
    hz_analysis_kind k = hz_analytics_kind(res);
    snprintf(title, sizeof title, "Customer analysis: %s",
             k == HZ_ANALYSIS_CLV       ? "lifetime value"
             : k == HZ_ANALYSIS_CHURN   ? "churn"
             : k == HZ_ANALYSIS_SEGMENT ? "segments"
             : k == HZ_ANALYSIS_SURVIVAL
                 ? "survival"
                 : "churn, lifetime value and segments");
    const size_t nc = hz_analytics_customers(res);
    snprintf(sub, sizeof sub, "%s: %zu customer%s", base_name(input), nc,
             nc == 1 ? "" : "s");
    hz_report *rep = new_report(cmd, title, sub);
    if (rep == NULL) {
        hz_cli_outs_abort(outs);
        return HZ_EXIT_FAIL;
    }
    hz_error err;
    hz_error_clear(&err);
    int rc;
    if (hz_report_analysis(rep, res, &err) != HZ_OK) {
        hz_cli_error(cmd, "report: %s", err.msg);
        hz_cli_outs_abort(outs);
        rc = HZ_EXIT_FAIL;
    } else {
        rc = finish(outs, path, llm, rep, hz_analysis_kind_name(k),
                    hz__cli_summary_analytics(res));
    }
    hz_report_free(rep);
    return rc;
}

int hz__cli_report_backtest(hz_cli_outs *outs, const char *path, bool llm,
                            const hz_report_backtest_in *bt, const char *input)
{
    const char *cmd = outs->cmd;
    char sub[512];
    snprintf(sub, sizeof sub,
             "%s: %zu series by %s, last %zu periods held out at %zu "
             "origin(s)",
             base_name(input), bt->nseries, bt->freq, bt->horizon,
             bt->origins);
    hz_report *rep = new_report(cmd, "Backtest of the forecasting models",
                                sub);
    if (rep == NULL) {
        hz_cli_outs_abort(outs);
        return HZ_EXIT_FAIL;
    }
    hz_error err;
    hz_error_clear(&err);
    int rc;
    if (hz_report_backtest(rep, bt, &err) != HZ_OK) {
        hz_cli_error(cmd, "report: %s", err.msg);
        hz_cli_outs_abort(outs);
        rc = HZ_EXIT_FAIL;
    } else {
        /* its key figures, as a forecast's and an analysis's page have
         * them (the narrative says it "was written from the summary
         * figures below") */
        hz_summary *sum = hz__cli_summary_backtest(bt);
        if (sum != NULL)
            hz_summary_sort(sum);
        if (sum != NULL && hz_report_summary(rep, sum, &err) != HZ_OK) {
            hz_cli_error(cmd, "report: %s", err.msg);
            hz_summary_free(sum);
            hz_cli_outs_abort(outs);
            rc = HZ_EXIT_FAIL;
        } else {
            rc = finish(outs, path, llm, rep, "backtest", sum);
        }
    }
    hz_report_free(rep);
    return rc;
}
