/* The narrative at the top of a command's report: the jobs' own step
 * (jobs/narrative) on the summary items a job's prompt would carry.
 * Offline template by default, with the prompt's token count and the
 * text's; the configured LLM's narrative with --report-llm.  See
 * report_cli.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/report_cli.h"
#include "narrative/narrative.h"
#include "runner/exec_tool.h"

#define NO_ENDPOINT                                                           \
    "no LLM endpoint configured (set OPENAI_BASE_URL or OPENAI_API_KEY, or "  \
    "AZURE_OPENAI_ENDPOINT)"

/* Settings for the narrative: $HZ_LLM_CONFIG and the environment (prompt
 * budget, tokenizer, endpoint); the endpoint is dropped unless llm.
 * Returns an exit code. */
static int load_settings(const char *cmd, bool llm, hz_llm_settings *set)
{
    hz_error err;
    hz_error_clear(&err);
    if (hz_llm_settings_load(NULL, set, &err) != HZ_OK) {
        if (llm) {
            hz_cli_error(cmd, "--report-llm: %s", err.msg);
            return hz_cli_exit_code(err.status);
        }
        hz_cli_error(cmd,
                     "report: LLM settings refused (%s); the template "
                     "narrative uses the default prompt budget and the "
                     "token estimate",
                     err.msg);
        hz_llm_settings_init(set);
    }
    if (llm && set->client.provider == HZ_LLM_NONE) {
        hz_cli_error(cmd, "--report-llm: %s", NO_ENDPOINT);
        return HZ_EXIT_USAGE;
    }
    if (!llm) /* never a network call unless asked for */
        set->client.provider = HZ_LLM_NONE;
    return HZ_EXIT_OK;
}

/* The narrative context; offline, a tokenizer that cannot be loaded
 * falls back to the estimate (with a warning).  Returns an exit code. */
static int open_context(const char *cmd, bool llm, hz_narrative_ctx **nc)
{
    hz_llm_settings set;
    int rc = load_settings(cmd, llm, &set);
    if (rc != HZ_EXIT_OK) {
        memset(&set, 0, sizeof set);
        return rc;
    }
    hz_error err;
    hz_error_clear(&err);
    hz_status st = hz_narrative_open(&set, NULL, NULL, nc, &err);
    if (st != HZ_OK && !llm && st != HZ_ENOMEM) {
        hz_cli_error(cmd, "report: %s; token counts are estimates", err.msg);
        hz_llm_settings_init(&set);
        st = hz_narrative_open(&set, NULL, NULL, nc, &err);
    }
    memset(&set, 0, sizeof set); /* wipe the key copy */
    if (st != HZ_OK) {
        hz_cli_error(cmd, "report: narrative: %s", err.msg);
        return hz_cli_exit_code(st);
    }
    return HZ_EXIT_OK;
}

/* Put the job's narrative on the page. */
static int put_narrative(const char *cmd, hz_report *rep,
                         const hz_narrative_job *job)
{
    long completion = job->is_template || !job->usage.present
                          ? (long)job->text_tokens
                          : job->usage.completion_tokens;
    hz_report_narrative_in in = {
        job->text,
        job->is_template ? "the offline template (no LLM)" : job->model,
        (long)job->prompt_tokens,
        completion,
        job->is_template,
        (long)job->items_dropped};
    hz_error err;
    hz_error_clear(&err);
    if (hz_report_narrative(rep, &in, &err) != HZ_OK) {
        hz_cli_error(cmd, "report: %s", err.msg);
        return HZ_EXIT_FAIL;
    }
    return HZ_EXIT_OK;
}

int hz__cli_report_narrative(const char *cmd, hz_report *rep, const char *type,
                             const hz_summary *sum, bool llm)
{
    hz_narrative_ctx *nc = NULL;
    int rc = open_context(cmd, llm, &nc);
    if (rc != HZ_EXIT_OK)
        return rc;
    hz_narrative_job job = {.id = "report", .type = type, .summary = sum};
    hz_error err;
    hz_error_clear(&err);
    hz_status st = hz_narrative_run(nc, &job, 1, &err);
    if (st != HZ_OK) {
        hz_cli_error(cmd, "report: narrative: %s", err.msg);
        rc = hz_cli_exit_code(st);
    } else if (job.text == NULL) {
        hz_cli_error(cmd, "report: narrative: %s", job.error);
        rc = HZ_EXIT_FAIL;
    } else if (llm && job.is_template) { /* asked for the LLM's: refused */
        hz_cli_error(cmd,
                     "--report-llm: the LLM gave no narrative (%s); no "
                     "report written (without --report-llm the report "
                     "carries the offline template)",
                     job.error);
        rc = HZ_EXIT_FAIL;
    } else {
        rc = put_narrative(cmd, rep, &job);
    }
    hz_narrative_job_clear(&job);
    hz_narrative_close(nc);
    return rc;
}

/* ---- summaries: the items a job of the same kind would narrate ---- */

hz_summary *hz__cli_summary_forecast(const hz_forecast_result *res)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON *fc = hz__exec_forecast_summary(res);
    if (doc == NULL || fc == NULL) {
        cJSON_Delete(doc);
        cJSON_Delete(fc);
        return NULL;
    }
    cJSON_AddNumberToObject(doc, "datasetRows",
                            (double)(res->rows_used + res->rows_skipped));
    cJSON_AddItemToObject(doc, "forecast", fc);
    hz_summary *s = NULL;
    hz_error err;
    if (hz_summary_from_result_json("forecast", doc, &s, &err) != HZ_OK)
        s = NULL;
    cJSON_Delete(doc);
    return s;
}

/* The "summary" block of the engine's JSON output (as a job reads it). */
static cJSON *analytics_summary_json(const hz_analytics_result *res)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL)
        return NULL;
    hz_error err;
    hz_status st = hz_analytics_result_write_json(res, f, false, &err);
    fclose(f);
    cJSON *doc = st == HZ_OK ? cJSON_ParseWithLength(buf, len) : NULL;
    free(buf);
    cJSON *sum = cJSON_DetachItemFromObjectCaseSensitive(doc, "summary");
    cJSON_Delete(doc);
    return sum;
}

/* Items of a survival analysis: the Kaplan-Meier median and S(t) at the
 * quartiles of the event times, the Cox model's strongest covariates. */
static void survival_items(const hz_analytics_result *res, hz_summary *s)
{
    const hz_km_curve *km = hz_analytics_km(res);
    char a[32], b[32];
    if (km == NULL || km->m == 0)
        return;
    hz_summary_add(s, 0, "survival.events",
                   "%zu of %zu subject%s had the event", km->events, km->n,
                   km->n == 1 ? "" : "s");
    if (isfinite(km->median))
        hz_summary_add(s, 0, "survival.median", "median survival time %s",
                       hz_fmt_num(km->median, a, sizeof a));
    else
        hz_summary_add(s, 0, "survival.median",
                       "the median survival time is not reached");
    for (int q = 1; q <= 3; q++) {
        double t = km->time[(km->m - 1) * (size_t)q / 4];
        hz_summary_add(s, 1, "survival.s", "S(%s) = %s",
                       hz_fmt_num(t, a, sizeof a),
                       hz_fmt_pct(hz_km_at(km, t), 0, b, sizeof b));
    }
    const char *const *names = NULL;
    const hz_cox_model *cox = hz_analytics_cox(res, &names);
    /* an item starts with a word of ours: the narrative capitalises its
     * sentences, which made "support_tickets" "Support_tickets" */
    for (size_t k = 0; cox != NULL && k < cox->p && k < 5; k++)
        hz_summary_add(s, 3, "survival.cox", "covariate %s: hazard ratio %s (p %s)",
                       names && names[k] ? names[k] : "?",
                       hz_fmt_num(exp(cox->coef[k]), a, sizeof a),
                       hz_fmt_num(cox->pvalue[k], b, sizeof b));
}

hz_summary *hz__cli_summary_analytics(const hz_analytics_result *res)
{
    const char *kind = hz_analysis_kind_name(hz_analytics_kind(res));
    hz_summary *s = NULL;
    hz_error err;
    cJSON *sum = analytics_summary_json(res);
    if (sum != NULL &&
        hz_summary_from_result_json(kind, sum, &s, &err) != HZ_OK)
        s = NULL;
    cJSON_Delete(sum);
    if (s == NULL && (s = hz_summary_new(kind)) == NULL)
        return NULL;
    survival_items(res, s);
    if (s->n == 0)
        hz_summary_add(s, 0, "customers",
                       "%zu customer%s analysed; no part gave figures to "
                       "summarise",
                       hz_analytics_customers(res),
                       hz_analytics_customers(res) == 1 ? "" : "s");
    hz_summary_sort(s);
    return s;
}

hz_summary *hz__cli_summary_backtest(const hz_report_backtest_in *bt)
{
    hz_summary *s = hz_summary_new("backtest");
    if (s == NULL)
        return NULL;
    size_t best = 0;
    for (size_t k = 1; k < bt->nmodels; k++)
        if (bt->owa[k] < bt->owa[best] || !isfinite(bt->owa[best]))
            best = k;
    char a[32], b[32], c[32];
    /* models that scored as the best did (naive beside naive2 on data
     * without seasons): named with it, not left below as if worse */
    char best_names[256];
    int used = snprintf(best_names, sizeof best_names, "%s", bt->model[best]);
    size_t ntied = 0;
    for (size_t k = 0; k < bt->nmodels; k++) {
        if (k == best || bt->owa[k] != bt->owa[best] ||
            bt->smape[k] != bt->smape[best] || bt->mase[k] != bt->mase[best])
            continue;
        if (used >= 0 && (size_t)used < sizeof best_names)
            used += snprintf(best_names + used, sizeof best_names - (size_t)used,
                             "%s%s", ntied == 0 ? ", tied with " : " and ",
                             bt->model[k]);
        ntied++;
    }
    hz_summary_add(s, 0, "backtest.setup",
                   "%zu series by %s, the last %zu periods held out at %zu "
                   "origin(s), %zu models compared",
                   bt->nseries, bt->freq ? bt->freq : "period", bt->horizon,
                   bt->origins, bt->nmodels);
    hz_summary_add(s, 0, "backtest.best",
                   "most accurate by OWA: %s (OWA %s, sMAPE %s%%, MASE %s)",
                   best_names, hz_fmt_num(bt->owa[best], a, sizeof a),
                   hz_fmt_num(bt->smape[best], b, sizeof b),
                   hz_fmt_num(bt->mase[best], c, sizeof c));
    for (size_t k = 0; k < bt->nmodels; k++)
        if (k != best &&
            !(bt->owa[k] == bt->owa[best] && bt->smape[k] == bt->smape[best] &&
              bt->mase[k] == bt->mase[best]))
            hz_summary_add(s, 2, "backtest.model", "model %s: OWA %s, sMAPE %s%%",
                           bt->model[k], hz_fmt_num(bt->owa[k], a, sizeof a),
                           hz_fmt_num(bt->smape[k], b, sizeof b));
    for (size_t l = 0; l < bt->nlevels; l++) {
        double cov = bt->coverage[best * bt->nlevels + l];
        if (!isfinite(cov)) { /* no pair with intervals */
            hz_summary_add(s, 1, "backtest.coverage",
                           "model %s gave no intervals, so its coverage is "
                           "unknown",
                           bt->model[best]);
            break;
        }
        hz_summary_add(
            s, 1, "backtest.coverage",
            "the %g%% intervals of %s covered %s of the held-out values",
            bt->levels[l], bt->model[best], hz_fmt_pct(cov, 0, a, sizeof a));
    }
    hz_summary_sort(s);
    return s;
}
