/* horizon analyze: customer lifetime value, churn, segments, survival. */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/an_cli.h"
#include "cli/cli.h"
#include "cli/report_cli.h"
#include "horizon/analytics.h"

const char hz__cmd_analyze_summary[] =
    "customer analytics: clv, churn, segment, survival, or the suite";

static void help_top(FILE *f)
{
    fprintf(
        f,
        "usage: horizon analyze clv|churn|segment|suite|survival FILE.csv "
        "[OPTIONS]\n"
        "\n"
        "Customer analytics over a transactions table (one row per order:\n"
        "customer, date, amount) or, for 'churn --label' and 'survival', a\n"
        "customer table.\n"
        "\n"
        "  clv       BG/NBD or Pareto/NBD + Gamma-Gamma: P(alive), expected\n"
        "            purchases and spend, discounted customer lifetime "
        "value;\n"
        "            with --calibration-end a holdout validation report\n"
        "  churn     with --label COL: L2 logistic regression, k-fold AUC,\n"
        "            drivers and per-customer probabilities; without a\n"
        "            label: risk from the purchase model and a recency rule\n"
        "  segment   RFM quintile scores and named segments, k-means\n"
        "  suite     clv, churn and segment on one ingest, concurrently\n"
        "  survival  Kaplan-Meier curve and a Cox model on a duration and\n"
        "            an event column\n"
        "\n"
        "'horizon analyze KIND --help' lists the options; one that KIND\n"
        "does not use is refused (exit 2), not ignored.\n");
}

static void help_intro(FILE *f, const char *kind)
{
    if (!strcmp(kind, "churn"))
        fputs("With --label COL, FILE is one row per customer: every other\n"
              "column (except --customer) is a feature (numbers as they "
              "are,\ntext one-hot encoded, all standardised) and the label "
              "is\nyes/no, true/false or 0/1.  Without --label, FILE holds\n"
              "transactions and churn risk comes from the purchase model\n"
              "(--risk) plus a recency rule (--inactive-days).\n\n",
              f);
    else if (!strcmp(kind, "clv"))
        fputs("Fits BG/NBD (or Pareto/NBD, --model pnbd) and Gamma-Gamma to\n"
              "the per-customer summary and writes P(alive), expected\n"
              "purchases over the horizon, expected spend and CLV for every\n"
              "customer.  With --calibration-end both purchase models are\n"
              "compared on the holdout (totals, by calibration frequency,\n"
              "correlation, weekly cumulative tracking).\n\n",
              f);
    else if (!strcmp(kind, "segment"))
        fputs("RFM scores (quintiles 1-5), named segments (champions, loyal\n"
              "customers, ..., lost; see include/horizon/rfm.h) and k-means "
              "on\nstandardised log RFM (k = 4 unless --k).\n\n",
              f);
    else if (!strcmp(kind, "survival"))
        fputs("FILE is one row per customer with a duration (tenure) and an\n"
              "event (yes/no, true/false, 0/1): Kaplan-Meier survival with\n"
              "95% intervals, and with --covariates a Cox model (Breslow\n"
              "ties; text columns as dummies against their first level).\n\n",
              f);
    else
        fputs("CLV, churn and segments on one ingest, concurrently; one row\n"
              "per customer and a summary block.  All parts or nothing: a\n"
              "part that fails fails the command (exit 1, nothing "
              "written).\n\n",
              f);
}

static void help_kind(FILE *f, const char *kind)
{
    fprintf(f, "usage: horizon analyze %s FILE.csv [OPTIONS]\n\n", kind);
    help_intro(f, kind);
    fputs(
        "columns (guessed when not given):\n"
        "  --customer COL         customer id column\n"
        "  --date COL             purchase date (date, timestamp, yyyymmdd)\n"
        "  --amount COL           amount spent (a negative one is a refund:\n"
        "                         netted against the customer's purchases)\n"
        "  --order COL            order id (for --frequency orders)\n"
        "  --label COL            churn label column (churn, suite)\n"
        "  --duration COL         tenure (survival; default 'tenure')\n"
        "  --event COL            event column (survival)\n"
        "time:\n"
        "  --as-of DATE           observation end (default: last date)\n"
        "  --calibration-end DATE holdout split: calibrate up to DATE, the\n"
        "                         holdout runs to --as-of\n"
        "  --unit days|weeks      time unit of the summary (default days)\n"
        "  --dedupe               drop rows that repeat an earlier row in\n"
        "                         every column (default: kept and counted,\n"
        "                         with a warning naming the first)\n"
        "models:\n"
        "  --model bgnbd|pnbd     purchase model (default bgnbd)\n"
        "  --horizon H            CLV horizon: 12m (months of 365.25/12\n"
        "                         days), 52w, 90d, or a number of months\n"
        "                         (default 12m)\n"
        "  --discount RATE        monthly discount rate (default 0.01)\n"
        "  --risk p-alive|no-purchase\n"
        "                         churn risk without a label: 1 - P(alive)\n"
        "                         (0 for BG/NBD one-time buyers) or P(no\n"
        "                         purchase in the next --inactive-days)\n"
        "  --inactive-days N      recency rule and risk window (90)\n"
        "  --frequency days|orders|rows\n"
        "                         F of RFM: purchase days (default),\n"
        "                         distinct orders, or input rows\n"
        "  --k N|auto             k-means clusters (default 4; auto = best\n"
        "                         silhouette of 2..--k-max)\n"
        "  --k-max N              largest k tried by auto (8)\n"
        "  --n-init N             k-means restarts (10)\n"
        "  --folds N              cross-validation folds (5)\n"
        "  --C X                  inverse L2 strength (1)\n"
        "  --keep-ids A,B,...     churn with --label: use these columns as\n"
        "                         numbers although they look like ids\n"
        "  --seed N               random seed (42)\n"
        "  --covariates A,B,...   Cox model covariates (survival)\n"
        "  --times T1,T2,...      report S(t) at these times (survival)\n"
        "reuse:\n"
        "  --save-model FILE      write the fitted parameters as JSON\n"
        "  --model-file FILE      use saved parameters instead of fitting\n"
        "output:\n"
        "  -o, --output FILE      per-customer CSV (default stdout); the\n"
        "                         summary goes to stdout when -o is given,\n"
        "                         else to stderr\n"
        "  --json                 write one JSON document (summary and\n"
        "                         customers) instead\n"
        "  --summary-only         write only the summary (text or "
        "JSON)\n" HZ_CLI_REPORT_HELP HZ_CLI_CSV_HELP
        "  -h, --help             show this help\n",
        f);
}

enum { O_SAVE_MODEL = 2000, O_MODEL_FILE, O_JSON, O_SUMMARY };

/* The request options (shared with analytics jobs, cli/an_cli.h), then
 * the command's own. */
static const struct option lopts[] = {
    HZ_AN_REQUEST_LONGOPTS,
    {"save-model", required_argument, 0, O_SAVE_MODEL},
    {"model-file", required_argument, 0, O_MODEL_FILE},
    {"json", no_argument, 0, O_JSON},
    {"summary-only", no_argument, 0, O_SUMMARY},
    {"output", required_argument, 0, 'o'},
    {"help", no_argument, 0, 'h'},
    HZ_CLI_REPORT_LONGOPT,
    HZ_CLI_REPORT_LLM_LONGOPT,
    HZ_CLI_CSV_LONGOPTS,
    {0, 0, 0, 0}};

/* Everything the command line sets. */
typedef struct cli_cfg {
    hz_analytics_request req;
    hz_cli_csv csvo;
    const char *outpath, *save_model, *model_file, *kname, *report;
    bool json, summary_only, help, report_llm;
    bool model_given; /* --model: else a model file's own */
} cli_cfg;

/* Options of the command itself (not of the request). */
static bool own_option(int c, const char *arg, cli_cfg *g)
{
    switch (c) {
    case 'h': g->help = true; return true;
    case 'o': g->outpath = arg; return true;
    case O_SAVE_MODEL: g->save_model = arg; return true;
    case O_MODEL_FILE: g->model_file = arg; return true;
    case HZ_OPT_REPORT: g->report = arg; return true;
    case HZ_OPT_REPORT_LLM: g->report_llm = true; return true;
    case O_JSON: g->json = true; return true;
    case O_SUMMARY: g->summary_only = true; return true;
    default: return false;
    }
}

/* One option; HZ_EXIT_OK or the exit code to stop with (after a
 * message: every refusal says why). */
static int parse_option(int c, const char *arg, cli_cfg *g)
{
    if (own_option(c, arg, g))
        return HZ_EXIT_OK;
    g->model_given |= c == HZ_AN_OPT_MODEL;
    int taken = hz__an_request_option("analyze", c, arg, &g->req);
    if (taken == 0 && c >= HZ_OPT_SCHEMA && c <= HZ_OPT_CSV_LAST)
        taken = hz_cli_csv_option("analyze", &g->csvo, c, arg) ? 1 : -1;
    if (taken == 0) /* in the table but handled nowhere: a bug */
        hz_cli_error("analyze", "option code %d is not handled", c);
    return taken > 0 ? HZ_EXIT_OK : HZ_EXIT_USAGE;
}

/* getopt over argv (argv[0] is the kind); *path gets FILE. */
static int parse_args(int argc, char **argv, cli_cfg *g, const char **path)
{
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":o:h", lopts, NULL)) != -1) {
        if (c == ':' || c == '?') {
            hz_cli_error("analyze",
                         c == ':' ? "%s needs a value"
                                  : "unknown option '%s' (see 'horizon "
                                    "analyze KIND --help')",
                         argv[optind - 1]);
            return HZ_EXIT_USAGE;
        }
        int rc = parse_option(c, optarg, g);
        if (rc != HZ_EXIT_OK)
            return rc;
        if (g->help)
            return HZ_EXIT_OK;
    }
    if (optind != argc - 1) {
        hz_cli_error("analyze",
                     optind >= argc ? "missing FILE.csv (see 'horizon "
                                      "analyze %s --help')"
                                    : "expected one FILE.csv (see 'horizon "
                                      "analyze %s --help')",
                     g->kname);
        return HZ_EXIT_USAGE;
    }
    *path = argv[optind];
    return HZ_EXIT_OK;
}

static int check_combination(hz_analysis_kind kind, const cli_cfg *g)
{
    if (!hz__an_request_check("analyze", kind, &g->req))
        return HZ_EXIT_USAGE;
    if ((kind == HZ_ANALYSIS_SURVIVAL || kind == HZ_ANALYSIS_SEGMENT) &&
        (g->save_model || g->model_file)) {
        hz_cli_error("analyze", "--save-model and --model-file are for clv, "
                                "churn and suite (%s fits no model to save)",
                     hz_analysis_kind_name(kind));
        return HZ_EXIT_USAGE;
    }
    if (g->model_file != NULL && g->req.keep_ids != NULL) {
        hz_cli_error("analyze", "--keep-ids is for fitting a churn model: "
                                "with --model-file the features are the "
                                "saved model's");
        return HZ_EXIT_USAGE;
    }
    return HZ_EXIT_OK;
}

/* The saved model, the report, then the result in the asked form (-o
 * or standard output, and the summary beside -o on standard output:
 * last), all whole or none new (cli.h, hz_cli_outs). */
static int write_outputs(const hz_analytics_result *res, const cli_cfg *g,
                         const char *path)
{
    hz_error err;
    hz_status st;
    hz_cli_outs outs;
    hz_cli_outs_init(&outs, "analyze");
    FILE *f;
    if (g->save_model != NULL) {
        if ((f = hz_cli_outs_add(&outs, g->save_model)) == NULL)
            return HZ_EXIT_FAIL;
        if (hz_analytics_model_write(res, f, &err) != HZ_OK)
            return hz_cli_outs_fail(&outs, f, err.msg);
    }
    if (g->report != NULL &&
        hz__cli_report_analytics(&outs, g->report, g->report_llm, res, path) !=
            HZ_EXIT_OK) {
        hz_cli_outs_abort(&outs);
        return HZ_EXIT_FAIL;
    }
    /* the as-of warning on stderr too, where the summary does not go
     * (JSON, --summary-only, -o FILE: until 2026-12-07 stdout only) */
    char w[400];
    const bool to_file = g->outpath != NULL && strcmp(g->outpath, "-") != 0;
    if ((g->json || g->summary_only || to_file) &&
        hz_analytics_as_of_warning(res, w, sizeof w))
        fprintf(stderr, "horizon: warning: %s\n", w);
    if ((f = hz_cli_outs_add(&outs, g->outpath)) == NULL)
        return HZ_EXIT_FAIL;
    if (g->json)
        st = hz_analytics_result_write_json(res, f, !g->summary_only, &err);
    else if (g->summary_only)
        st = hz_analytics_result_write_text(res, f, &err);
    else {
        st = hz_analytics_result_write_csv(res, f, &err);
        FILE *sf = stderr; /* the summary: on stdout beside -o FILE */
        if (st == HZ_OK && g->outpath && strcmp(g->outpath, "-") &&
            (sf = hz_cli_outs_add(&outs, "-")) == NULL)
            return HZ_EXIT_FAIL;
        if (st == HZ_OK)
            st = hz_analytics_result_write_text(res, sf, &err);
    }
    if (st != HZ_OK)
        return hz_cli_outs_fail(&outs, f, err.msg);
    return hz_cli_outs_commit(&outs);
}

/* An error of the analysis: its message as it is when it names the
 * input already (a place, "FILE:LINE:FIELD: ...", "FILE: ...", or a
 * missing column, "no column 'x' in FILE (columns: ...)"), else after
 * the input's name. */
static void analysis_error(const char *path, const char *msg)
{
    const char *name = strcmp(path, "-") ? path : "stdin"; /* hz_csv_read's */
    size_t n = strlen(name);
    char in[512];
    snprintf(in, sizeof in, " in %s (", name);
    if ((strncmp(msg, name, n) == 0 && msg[n] == ':') || strstr(msg, in))
        hz_cli_error("analyze", "%s", msg);
    else
        hz_cli_error("analyze", "%s: %s", name, msg);
}

/* Read, analyse, write. */
static int run(hz_analysis_kind kind, const char *path, cli_cfg *g)
{
    hz_dataset *ds = NULL;
    hz_analytics_model *mi = NULL;
    hz_analytics_result *res = NULL;
    hz_error err;
    hz_error_clear(&err);
    if (g->model_file != NULL &&
        hz_analytics_model_load(g->model_file, &mi, &err) != HZ_OK) {
        hz_cli_error("analyze", "%s", err.msg);
        return err.status == HZ_EIO ? HZ_EXIT_NOINPUT : HZ_EXIT_FAIL;
    }
    g->req.model_in = mi;
    /* a model file saved with --model pnbd applies Pareto/NBD */
    if (mi != NULL && !g->model_given)
        hz_analytics_model_purchase(mi, &g->req.model);
    /* the customer id read as text (00123 is not 123), the amount and
     * the date strictly */
    hz_analytics_input in = {&g->req, kind};
    g->csvo.want = hz_analytics_csv_want;
    g->csvo.want_ctx = &in;
    int rc = hz_cli_read_csv("analyze", path, &g->csvo, &ds, NULL);
    hz_status st = HZ_OK;
    if (rc == 0) {
        st = hz_analytics_run(ds, kind, &g->req, &res, &err);
        hz_dataset_free(ds);
    }
    hz_analytics_model_free(mi);
    if (rc != 0)
        return rc;
    if (st != HZ_OK) {
        analysis_error(path, err.msg);
        /* a missing column, or one of the wrong kind: usage (as
         * forecast's); bad data with its place: failure */
        return st == HZ_ENOTFOUND || st == HZ_ETYPE ? HZ_EXIT_USAGE
                                                    : HZ_EXIT_FAIL;
    }
    /* a part that failed fails the command: no output looks complete
     * without it (hz_analytics_parts_ok) */
    if (hz_analytics_parts_ok(res, &err) != HZ_OK) {
        hz_cli_error("analyze", "%s: %s not written (no output is): %s",
                     strcmp(path, "-") ? path : "stdin", g->kname, err.msg);
        hz_analytics_result_free(res);
        return HZ_EXIT_FAIL;
    }
    rc = write_outputs(res, g, path);
    if (rc == HZ_EXIT_OK && hz_analytics_dates_zoned(res))
        fprintf(stderr,
                "horizon analyze: %s: they are read as UTC instants, so "
                "purchases fall on UTC days (%s counts on the next day); "
                "give --tz AREA/CITY to count them on that zone's clock\n",
                hz_analytics_dates_unix(res)
                    ? "the dates are Unix times (seconds since 1970-01-01 "
                      "00:00 UTC)"
                    : "the dates carry UTC offsets (such as +01:00 or Z)",
                hz_analytics_dates_unix(res)
                    ? "one at 23:30 in New York, 04:30 UTC,"
                    : "one at 23:30-05:00");
    hz_analytics_result_free(res);
    return rc;
}

int hz__cmd_analyze(int argc, char **argv)
{
    if (argc < 2) {
        help_top(stderr);
        return HZ_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help")) {
        help_top(stdout);
        return HZ_EXIT_OK;
    }
    hz_analysis_kind kind;
    if (!hz_analysis_kind_parse(argv[1], &kind)) {
        hz_cli_error("analyze",
                     "unknown analysis '%s' (expected clv, churn, segment, "
                     "suite or survival)",
                     argv[1]);
        return HZ_EXIT_USAGE;
    }
    cli_cfg g;
    memset(&g, 0, sizeof g);
    hz_analytics_request_init(&g.req);
    hz_cli_csv_init(&g.csvo);
    g.kname = argv[1];
    const char *path = NULL;
    int rc = parse_args(argc - 1, argv + 1, &g, &path);
    if (rc != HZ_EXIT_OK)
        return rc;
    if (g.help) {
        help_kind(stdout, g.kname);
        return HZ_EXIT_OK;
    }
    /* beside -o FILE the CSV's summary goes to standard output */
    const bool summary_out = g.outpath != NULL && strcmp(g.outpath, "-") &&
                             !g.json && !g.summary_only;
    const hz_cli_output outs[] = {{"-o", g.outpath},
                                  {"--save-model", g.save_model},
                                  {"--report", g.report},
                                  {"the summary", summary_out ? "-" : NULL}};
    if ((rc = check_combination(kind, &g)) != HZ_EXIT_OK ||
        (rc = hz_cli_check_outputs("analyze", path, outs, 4)) != HZ_EXIT_OK ||
        /* the model file is read too: no output may replace it */
        (g.model_file != NULL &&
         (rc = hz_cli_check_outputs("analyze", g.model_file, outs, 4)) !=
             HZ_EXIT_OK) ||
        (rc = hz__cli_report_check("analyze", g.report, g.report_llm)) !=
            HZ_EXIT_OK)
        return rc;
    g.req.threads = g.csvo.threads;
    return run(kind, path, &g);
}
