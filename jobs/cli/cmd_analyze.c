/* horizon analyze: customer lifetime value, churn, segments, survival. */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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
        "'horizon analyze KIND --help' lists the options of KIND.\n");
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
              "per customer and a summary block.\n\n",
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
        "  --amount COL           amount spent (non-negative)\n"
        "  --order COL            order id (for --frequency orders)\n"
        "  --label COL            churn label column (churn, suite)\n"
        "  --duration COL         tenure (survival; default 'tenure')\n"
        "  --event COL            event column (survival)\n"
        "time:\n"
        "  --as-of DATE           observation end (default: last date)\n"
        "  --calibration-end DATE holdout split: calibrate up to DATE, the\n"
        "                         holdout runs to --as-of\n"
        "  --unit days|weeks      time unit of the summary (default days)\n"
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

enum {
    O_CUSTOMER = 2000,
    O_DATE,
    O_AMOUNT,
    O_ORDER,
    O_LABEL,
    O_DURATION,
    O_EVENT,
    O_ASOF,
    O_CALEND,
    O_UNIT,
    O_MODEL,
    O_HORIZON,
    O_DISCOUNT,
    O_RISK,
    O_FREQ,
    O_K,
    O_KMAX,
    O_NINIT,
    O_INACTIVE,
    O_FOLDS,
    O_C,
    O_SEED,
    O_COVARIATES,
    O_TIMES,
    O_SAVE_MODEL,
    O_MODEL_FILE,
    O_JSON,
    O_SUMMARY
};

static const struct option lopts[] = {
    {"customer", required_argument, 0, O_CUSTOMER},
    {"date", required_argument, 0, O_DATE},
    {"amount", required_argument, 0, O_AMOUNT},
    {"order", required_argument, 0, O_ORDER},
    {"label", required_argument, 0, O_LABEL},
    {"duration", required_argument, 0, O_DURATION},
    {"event", required_argument, 0, O_EVENT},
    {"as-of", required_argument, 0, O_ASOF},
    {"calibration-end", required_argument, 0, O_CALEND},
    {"unit", required_argument, 0, O_UNIT},
    {"model", required_argument, 0, O_MODEL},
    {"horizon", required_argument, 0, O_HORIZON},
    {"discount", required_argument, 0, O_DISCOUNT},
    {"risk", required_argument, 0, O_RISK},
    {"frequency", required_argument, 0, O_FREQ},
    {"k", required_argument, 0, O_K},
    {"k-max", required_argument, 0, O_KMAX},
    {"n-init", required_argument, 0, O_NINIT},
    {"inactive-days", required_argument, 0, O_INACTIVE},
    {"folds", required_argument, 0, O_FOLDS},
    {"C", required_argument, 0, O_C},
    {"seed", required_argument, 0, O_SEED},
    {"covariates", required_argument, 0, O_COVARIATES},
    {"times", required_argument, 0, O_TIMES},
    {"save-model", required_argument, 0, O_SAVE_MODEL},
    {"model-file", required_argument, 0, O_MODEL_FILE},
    {"json", no_argument, 0, O_JSON},
    {"summary-only", no_argument, 0, O_SUMMARY},
    {"output", required_argument, 0, 'o'},
    {"help", no_argument, 0, 'h'},
    HZ_CLI_REPORT_LONGOPT,
    HZ_CLI_CSV_LONGOPTS,
    {0, 0, 0, 0}};

/* Everything the command line sets. */
typedef struct cli_cfg {
    hz_analytics_request req;
    hz_cli_csv csvo;
    const char *outpath, *save_model, *model_file, *kname, *report;
    bool json, summary_only, help;
} cli_cfg;

static bool parse_day(const char *opt, const char *s, int32_t *day)
{
    int64_t secs;
    bool ts;
    hz_datefmt det;
    if (!hz_parse_datetime(s, strlen(s), HZ_DATEFMT_NONE, &secs, &ts, &det)) {
        hz_cli_error("analyze",
                     "--%s: expected a date like 2024-12-31, got '%s'", opt,
                     s);
        return false;
    }
    *day = (int32_t)(secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400));
    return true;
}

/* "39w", "52w", "12m", "90d", or a plain number of months. */
static bool parse_horizon(const char *s, hz_analytics_request *q)
{
    char *end;
    double v = strtod(s, &end);
    bool ok = end != s && v > 0 && isfinite(v);
    if (ok && (*end == '\0' || !strcmp(end, "m")) && v == floor(v) &&
        v <= 1200) {
        q->horizon_months = (int)v;
        q->horizon_days = 0;
        return true;
    }
    double days = !strcmp(end, "w")   ? 7 * v
                  : !strcmp(end, "d") ? v
                  : !strcmp(end, "m") ? v * (365.25 / 12)
                                      : NAN;
    if (ok && days > 0 && days <= 36525) {
        q->horizon_days = days;
        return true;
    }
    hz_cli_error("analyze",
                 "--horizon: expected e.g. 12m, 52w or 90d (at most 100 "
                 "years), got '%s'",
                 s);
    return false;
}

/* "12,24,72" into the survival report times. */
static bool parse_times(const char *s, hz_analytics_request *q)
{
    q->n_surv_times = 0;
    while (*s) {
        char *end;
        double v = strtod(s, &end);
        if (end == s || !(v >= 0) || !isfinite(v) ||
            q->n_surv_times == HZ_SURV_TIMES_MAX || (*end && *end != ',')) {
            hz_cli_error("analyze",
                         "--times: expected up to %d comma-separated "
                         "non-negative numbers",
                         HZ_SURV_TIMES_MAX);
            return false;
        }
        q->surv_times[q->n_surv_times++] = v;
        s = *end ? end + 1 : end;
    }
    return q->n_surv_times > 0;
}

/* One of a fixed set of words; *out receives its index. */
static bool parse_word(const char *opt, const char *s,
                       const char *const *words, int *out)
{
    for (int i = 0; words[i] != NULL; i++)
        if (!strcmp(s, words[i])) {
            *out = i;
            return true;
        }
    hz_cli_error("analyze", "--%s: unknown value '%s'", opt, s);
    return false;
}

static bool parse_k(const char *s, hz_analytics_request *q)
{
    long v;
    if (!strcmp(s, "auto")) {
        q->k = 0;
        return true;
    }
    if (!hz_cli_parse_long("analyze", "k", s, 1, 1000, &v))
        return false;
    q->k = (int)v;
    return true;
}

/* Options with a number value; false after a message. */
static bool number_option(int c, const char *arg, hz_analytics_request *q)
{
    long v = 0;
    double dv = 0;
    bool ok = true;
    switch (c) {
    case O_KMAX:
        ok = hz_cli_parse_long("analyze", "k-max", arg, 2, 17, &v);
        q->k_max = (int)v;
        break;
    case O_NINIT:
        ok = hz_cli_parse_long("analyze", "n-init", arg, 1, 1000, &v);
        q->n_init = (int)v;
        break;
    case O_INACTIVE:
        ok = hz_cli_parse_long("analyze", "inactive-days", arg, 0, 100000, &v);
        q->inactive_days = (int)v;
        break;
    case O_FOLDS:
        ok = hz_cli_parse_long("analyze", "folds", arg, 2, 32, &v);
        q->folds = (int)v;
        break;
    case O_SEED:
        ok = hz_cli_parse_long("analyze", "seed", arg, 0, LONG_MAX, &v);
        q->seed = (uint64_t)v;
        break;
    case O_DISCOUNT:
        ok = hz_cli_parse_double("analyze", "discount", arg, &dv);
        if (ok && !(dv >= 0 && dv < 1)) {
            hz_cli_error("analyze",
                         "--discount: expected a monthly rate in [0, 1), got "
                         "'%s'",
                         arg);
            ok = false;
        }
        q->discount_rate = dv;
        break;
    case O_C:
        ok = hz_cli_parse_double("analyze", "C", arg, &dv);
        if (ok && !(dv > 0)) {
            hz_cli_error("analyze",
                         "--C: expected a positive number, got "
                         "'%s'",
                         arg);
            ok = false;
        }
        q->C = dv;
        break;
    default: break;
    }
    return ok;
}

/* Options naming columns or files. */
static bool name_option(int c, const char *arg, cli_cfg *g)
{
    hz_analytics_request *q = &g->req;
    switch (c) {
    case 'o': g->outpath = arg; return true;
    case O_CUSTOMER: q->customer_col = arg; return true;
    case O_DATE: q->date_col = arg; return true;
    case O_AMOUNT: q->amount_col = arg; return true;
    case O_ORDER: q->order_col = arg; return true;
    case O_LABEL: q->label_col = arg; return true;
    case O_DURATION: q->duration_col = arg; return true;
    case O_EVENT: q->event_col = arg; return true;
    case O_COVARIATES: q->covariates = arg; return true;
    case O_SAVE_MODEL: g->save_model = arg; return true;
    case O_MODEL_FILE: g->model_file = arg; return true;
    case HZ_OPT_REPORT: g->report = arg; return true;
    case O_JSON: g->json = true; return true;
    case O_SUMMARY: g->summary_only = true; return true;
    default: return false;
    }
}

/* One option; HZ_EXIT_OK or the exit code to stop with. */
static int parse_option(int c, const char *arg, cli_cfg *g)
{
    static const char *const units[] = {"days", "weeks", NULL};
    static const char *const models[] = {"bgnbd", "pnbd", NULL};
    static const char *const risks[] = {"p-alive", "no-purchase", NULL};
    static const char *const freqs[] = {"days", "orders", "rows", NULL};
    hz_analytics_request *q = &g->req;
    int w = 0;
    bool ok = true;
    if (name_option(c, arg, g))
        return HZ_EXIT_OK;
    switch (c) {
    case 'h': g->help = true; break;
    case O_ASOF: ok = parse_day("as-of", arg, &q->as_of); break;
    case O_CALEND:
        ok = parse_day("calibration-end", arg, &q->calibration_end);
        break;
    case O_UNIT:
        ok = parse_word("unit", arg, units, &w);
        q->unit = w ? HZ_UNIT_WEEKS : HZ_UNIT_DAYS;
        break;
    case O_MODEL:
        ok = parse_word("model", arg, models, &w);
        q->model = (hz_purchase_kind)w;
        break;
    case O_RISK:
        ok = parse_word("risk", arg, risks, &w);
        q->risk = (hz_risk_rule)w;
        break;
    case O_FREQ:
        ok = parse_word("frequency", arg, freqs, &w);
        q->frequency = (hz_frequency_kind)w;
        break;
    case O_HORIZON: ok = parse_horizon(arg, q); break;
    case O_K: ok = parse_k(arg, q); break;
    case O_TIMES: ok = parse_times(arg, q); break;
    default:
        if (c >= HZ_OPT_SCHEMA && c <= HZ_OPT_THREADS)
            ok = hz_cli_csv_option("analyze", &g->csvo, c, arg);
        else
            ok = number_option(c, arg, q);
    }
    return ok ? HZ_EXIT_OK : HZ_EXIT_USAGE;
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
    const hz_analytics_request *q = &g->req;
    if ((kind == HZ_ANALYSIS_CLV || kind == HZ_ANALYSIS_SEGMENT ||
         kind == HZ_ANALYSIS_SURVIVAL) &&
        q->label_col != NULL) {
        hz_cli_error("analyze", "--label is for churn and suite");
        return HZ_EXIT_USAGE;
    }
    if (kind != HZ_ANALYSIS_SURVIVAL && (q->duration_col || q->event_col ||
                                         q->covariates || q->n_surv_times)) {
        hz_cli_error("analyze", "--duration, --event, --covariates and "
                                "--times are for survival");
        return HZ_EXIT_USAGE;
    }
    if (kind == HZ_ANALYSIS_SURVIVAL && (g->save_model || g->model_file)) {
        hz_cli_error("analyze", "--save-model and --model-file are for clv, "
                                "churn and suite");
        return HZ_EXIT_USAGE;
    }
    return HZ_EXIT_OK;
}

/* The result in the asked form, then the saved model. */
static int write_outputs(const hz_analytics_result *res, const cli_cfg *g)
{
    hz_error err;
    hz_status st;
    FILE *f = hz_cli_open_out("analyze", g->outpath);
    if (f == NULL)
        return HZ_EXIT_FAIL;
    if (g->json)
        st = hz_analytics_result_write_json(res, f, !g->summary_only, &err);
    else if (g->summary_only)
        st = hz_analytics_result_write_text(res, f, &err);
    else {
        st = hz_analytics_result_write_csv(res, f, &err);
        if (st == HZ_OK)
            st = hz_analytics_result_write_text(
                res, g->outpath && strcmp(g->outpath, "-") ? stdout : stderr,
                &err);
    }
    hz_cli_close_out(f);
    if (st == HZ_OK && g->save_model != NULL) {
        FILE *m = hz_cli_open_out("analyze", g->save_model);
        if (m == NULL)
            return HZ_EXIT_FAIL;
        st = hz_analytics_model_write(res, m, &err);
        hz_cli_close_out(m);
    }
    if (st != HZ_OK) {
        hz_cli_error("analyze", "%s", err.msg);
        return HZ_EXIT_FAIL;
    }
    return HZ_EXIT_OK;
}

static void report_part_errors(const hz_analytics_result *res,
                               const char *path)
{
    static const char *const parts[] = {"clv",     "spend",    "churn",
                                        "segment", "survival", NULL};
    for (int i = 0; parts[i] != NULL; i++) {
        const char *pe = hz_analytics_part_error(res, parts[i]);
        if (pe[0])
            hz_cli_error("analyze", "%s: %s part failed: %s", path, parts[i],
                         pe);
    }
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
        hz_cli_error("analyze", "%s: %s", path, err.msg);
        return st == HZ_ENOTFOUND ? HZ_EXIT_USAGE : HZ_EXIT_FAIL;
    }
    rc = write_outputs(res, g);
    report_part_errors(res, path);
    if (rc == HZ_EXIT_OK && g->report != NULL)
        rc = hz__cli_report_analytics("analyze", g->report, res, path);
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
    if ((rc = check_combination(kind, &g)) != HZ_EXIT_OK)
        return rc;
    g.req.threads = g.csvo.threads;
    return run(kind, path, &g);
}
