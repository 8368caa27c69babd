/* horizon analyze: customer lifetime value, churn and segments. */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/report_cli.h"
#include "horizon/analytics.h"

const char hz__cmd_analyze_summary[] =
    "customer analytics: clv, churn, segment, or the whole suite";

static void help_top(FILE *f)
{
    fprintf(
        f,
        "usage: horizon analyze clv|churn|segment|suite FILE.csv [OPTIONS]\n"
        "\n"
        "Customer analytics over a transactions table (one row per order:\n"
        "customer, date, amount) or, for 'churn --label', a customer table.\n"
        "\n"
        "  clv       BG/NBD + Gamma-Gamma: P(alive), expected purchases and\n"
        "            spend, discounted customer lifetime value\n"
        "  churn     with --label COL: L2 logistic regression, k-fold AUC,\n"
        "            drivers and per-customer probabilities; without a\n"
        "            label: 1 - P(alive) and an inactivity (recency) rule\n"
        "  segment   RFM quintile scores and named segments, k-means\n"
        "  suite     all three on one ingest, run concurrently\n"
        "\n"
        "'horizon analyze KIND --help' lists the options of KIND.\n");
}

static void help_kind(FILE *f, const char *kind)
{
    fprintf(f, "usage: horizon analyze %s FILE.csv [OPTIONS]\n\n", kind);
    if (!strcmp(kind, "churn"))
        fprintf(
            f,
            "With --label COL, FILE is one row per customer: every other\n"
            "column (except --customer) is a feature (numbers as they are,\n"
            "text one-hot encoded, all standardised) and the label is\n"
            "yes/no, true/false or 0/1.  Without --label, FILE holds\n"
            "transactions and churn risk is 1 - P(alive) (BG/NBD) plus a\n"
            "recency rule (--inactive-days).\n\n");
    else if (!strcmp(kind, "clv"))
        fprintf(
            f,
            "Fits BG/NBD and Gamma-Gamma to the per-customer summary and\n"
            "writes P(alive), expected purchases over the horizon, expected\n"
            "spend and CLV for every customer.\n\n");
    else if (!strcmp(kind, "segment"))
        fprintf(
            f,
            "RFM scores (quintiles 1-5), named segments (champions, loyal\n"
            "customers, ..., lost; see include/horizon/rfm.h) and k-means on\n"
            "standardised log RFM (k by silhouette unless --k).\n\n");
    else
        fprintf(
            f, "CLV, churn and segments on one ingest, concurrently; one row\n"
               "per customer and a summary block.\n\n");
    fprintf(
        f,
        "columns (guessed when not given):\n"
        "  --customer COL         customer id column\n"
        "  --date COL             purchase date (date, timestamp, yyyymmdd)\n"
        "  --amount COL           amount spent (non-negative)\n"
        "  --label COL            churn label column (churn, suite)\n"
        "time:\n"
        "  --as-of DATE           observation end (default: last date)\n"
        "  --calibration-end DATE holdout split: calibrate up to DATE\n"
        "  --unit days|weeks      time unit of the summary (default days)\n"
        "models:\n"
        "  --horizon MONTHS       CLV horizon (default 12)\n"
        "  --discount RATE        monthly discount rate (default 0.01)\n"
        "  --k N                  k-means clusters (default: choose)\n"
        "  --k-max N              largest k tried when choosing (8)\n"
        "  --n-init N             k-means restarts (10)\n"
        "  --inactive-days N      recency rule for churn risk (90)\n"
        "  --folds N              cross-validation folds (5)\n"
        "  --C X                  inverse L2 strength (1)\n"
        "  --seed N               random seed (42)\n"
        "output:\n"
        "  -o, --output FILE      per-customer CSV (default stdout); the\n"
        "                         summary goes to stdout when -o is given,\n"
        "                         else to stderr\n"
        "  --json                 write one JSON document (summary and\n"
        "                         customers) instead\n"
        "  --summary-only         write only the summary (text or "
        "JSON)\n" HZ_CLI_REPORT_HELP HZ_CLI_CSV_HELP
        "  -h, --help             show this help\n");
}

enum {
    O_CUSTOMER = 2000,
    O_DATE,
    O_AMOUNT,
    O_LABEL,
    O_ASOF,
    O_CALEND,
    O_UNIT,
    O_HORIZON,
    O_DISCOUNT,
    O_K,
    O_KMAX,
    O_NINIT,
    O_INACTIVE,
    O_FOLDS,
    O_C,
    O_SEED,
    O_JSON,
    O_SUMMARY
};

static bool parse_day(const char *opt, const char *s, int32_t *day)
{
    int64_t secs;
    bool ts;
    hz_datefmt det;
    if (!hz_parse_datetime(s, strlen(s), HZ_DATEFMT_NONE, &secs, &ts, &det)) {
        hz_cli_error("analyze",
                     "--%s: expected a date like 2024-12-31, got "
                     "'%s'",
                     opt, s);
        return false;
    }
    *day = (int32_t)(secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400));
    return true;
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
                     "unknown analysis '%s' (expected clv, "
                     "churn, segment or suite)",
                     argv[1]);
        return HZ_EXIT_USAGE;
    }
    const char *kname = argv[1];
    static const struct option lopts[] = {
        {"customer", required_argument, 0, O_CUSTOMER},
        {"date", required_argument, 0, O_DATE},
        {"amount", required_argument, 0, O_AMOUNT},
        {"label", required_argument, 0, O_LABEL},
        {"as-of", required_argument, 0, O_ASOF},
        {"calibration-end", required_argument, 0, O_CALEND},
        {"unit", required_argument, 0, O_UNIT},
        {"horizon", required_argument, 0, O_HORIZON},
        {"discount", required_argument, 0, O_DISCOUNT},
        {"k", required_argument, 0, O_K},
        {"k-max", required_argument, 0, O_KMAX},
        {"n-init", required_argument, 0, O_NINIT},
        {"inactive-days", required_argument, 0, O_INACTIVE},
        {"folds", required_argument, 0, O_FOLDS},
        {"C", required_argument, 0, O_C},
        {"seed", required_argument, 0, O_SEED},
        {"json", no_argument, 0, O_JSON},
        {"summary-only", no_argument, 0, O_SUMMARY},
        {"output", required_argument, 0, 'o'},
        {"help", no_argument, 0, 'h'},
        HZ_CLI_REPORT_LONGOPT,
        HZ_CLI_CSV_LONGOPTS,
        {0, 0, 0, 0}};
    const char *report = NULL;
    hz_analytics_request req;
    hz_cli_csv csvo;
    const char *outpath = NULL;
    bool json = false, summary_only = false;
    long v;
    double dv;
    hz_analytics_request_init(&req);
    hz_cli_csv_init(&csvo);
    int kargc = argc - 1;
    char **kargv = argv + 1;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(kargc, kargv, ":o:h", lopts, NULL)) != -1) {
        switch (c) {
        case 'h': help_kind(stdout, kname); return HZ_EXIT_OK;
        case 'o': outpath = optarg; break;
        case O_CUSTOMER: req.customer_col = optarg; break;
        case O_DATE: req.date_col = optarg; break;
        case O_AMOUNT: req.amount_col = optarg; break;
        case O_LABEL: req.label_col = optarg; break;
        case O_ASOF:
            if (!parse_day("as-of", optarg, &req.as_of))
                return HZ_EXIT_USAGE;
            break;
        case O_CALEND:
            if (!parse_day("calibration-end", optarg, &req.calibration_end))
                return HZ_EXIT_USAGE;
            break;
        case O_UNIT:
            if (!strcmp(optarg, "days") || !strcmp(optarg, "day"))
                req.unit = HZ_UNIT_DAYS;
            else if (!strcmp(optarg, "weeks") || !strcmp(optarg, "week"))
                req.unit = HZ_UNIT_WEEKS;
            else {
                hz_cli_error("analyze",
                             "--unit: expected 'days' or "
                             "'weeks', got '%s'",
                             optarg);
                return HZ_EXIT_USAGE;
            }
            break;
        case O_HORIZON:
            if (!hz_cli_parse_long("analyze", "horizon", optarg, 1, 1200, &v))
                return HZ_EXIT_USAGE;
            req.horizon_months = (int)v;
            break;
        case O_DISCOUNT:
            if (!hz_cli_parse_double("analyze", "discount", optarg, &dv))
                return HZ_EXIT_USAGE;
            if (!(dv >= 0 && dv < 1)) {
                hz_cli_error("analyze",
                             "--discount: expected a monthly "
                             "rate in [0, 1), got '%s'",
                             optarg);
                return HZ_EXIT_USAGE;
            }
            req.discount_rate = dv;
            break;
        case O_K:
            if (!hz_cli_parse_long("analyze", "k", optarg, 1, 1000, &v))
                return HZ_EXIT_USAGE;
            req.k = (int)v;
            break;
        case O_KMAX:
            if (!hz_cli_parse_long("analyze", "k-max", optarg, 2, 17, &v))
                return HZ_EXIT_USAGE;
            req.k_max = (int)v;
            break;
        case O_NINIT:
            if (!hz_cli_parse_long("analyze", "n-init", optarg, 1, 1000, &v))
                return HZ_EXIT_USAGE;
            req.n_init = (int)v;
            break;
        case O_INACTIVE:
            if (!hz_cli_parse_long("analyze", "inactive-days", optarg, 0,
                                   100000, &v))
                return HZ_EXIT_USAGE;
            req.inactive_days = (int)v;
            break;
        case O_FOLDS:
            if (!hz_cli_parse_long("analyze", "folds", optarg, 2, 32, &v))
                return HZ_EXIT_USAGE;
            req.folds = (int)v;
            break;
        case O_C:
            if (!hz_cli_parse_double("analyze", "C", optarg, &dv))
                return HZ_EXIT_USAGE;
            if (!(dv > 0)) {
                hz_cli_error("analyze",
                             "--C: expected a positive number, "
                             "got '%s'",
                             optarg);
                return HZ_EXIT_USAGE;
            }
            req.C = dv;
            break;
        case O_SEED:
            if (!hz_cli_parse_long("analyze", "seed", optarg, 0, LONG_MAX, &v))
                return HZ_EXIT_USAGE;
            req.seed = (uint64_t)v;
            break;
        case O_JSON: json = true; break;
        case O_SUMMARY: summary_only = true; break;
        case HZ_OPT_REPORT: report = optarg; break;
        case ':':
            hz_cli_error("analyze", "%s needs a value", kargv[optind - 1]);
            return HZ_EXIT_USAGE;
        case '?':
            hz_cli_error("analyze",
                         "unknown option '%s' (see 'horizon "
                         "analyze %s --help')",
                         kargv[optind - 1], kname);
            return HZ_EXIT_USAGE;
        default:
            if (c >= HZ_OPT_SCHEMA && c <= HZ_OPT_THREADS) {
                if (!hz_cli_csv_option("analyze", &csvo, c, optarg))
                    return HZ_EXIT_USAGE;
            }
            break;
        }
    }
    if (optind != kargc - 1) {
        hz_cli_error("analyze",
                     optind >= kargc ? "missing FILE.csv (see 'horizon "
                                       "analyze %s --help')"
                                     : "expected one FILE.csv (see 'horizon "
                                       "analyze %s --help')",
                     kname);
        return HZ_EXIT_USAGE;
    }
    const char *path = kargv[optind];
    req.threads = csvo.threads;
    if (kind == HZ_ANALYSIS_CLV || kind == HZ_ANALYSIS_SEGMENT) {
        if (req.label_col != NULL) {
            hz_cli_error("analyze", "--label is for churn and suite");
            return HZ_EXIT_USAGE;
        }
    }
    hz_dataset *ds = NULL;
    int rc = hz_cli_read_csv("analyze", path, &csvo, &ds, NULL);
    if (rc != 0)
        return rc;
    hz_analytics_result *res = NULL;
    hz_error err;
    hz_error_clear(&err);
    hz_status st = hz_analytics_run(ds, kind, &req, &res, &err);
    hz_dataset_free(ds);
    if (st != HZ_OK) {
        hz_cli_error("analyze", "%s: %s", path, err.msg);
        return st == HZ_ENOTFOUND ? HZ_EXIT_USAGE : HZ_EXIT_FAIL;
    }
    FILE *f = hz_cli_open_out("analyze", outpath);
    if (f == NULL) {
        hz_analytics_result_free(res);
        return HZ_EXIT_FAIL;
    }
    if (json)
        st = hz_analytics_result_write_json(res, f, !summary_only, &err);
    else if (summary_only)
        st = hz_analytics_result_write_text(res, f, &err);
    else {
        st = hz_analytics_result_write_csv(res, f, &err);
        if (st == HZ_OK)
            st = hz_analytics_result_write_text(
                res, outpath && strcmp(outpath, "-") ? stdout : stderr, &err);
    }
    hz_cli_close_out(f);
    for (const char *part = "clv"; part != NULL;
         part = !strcmp(part, "clv")     ? "churn"
                : !strcmp(part, "churn") ? "segment"
                                         : NULL) {
        const char *pe = hz_analytics_part_error(res, part);
        if (pe[0])
            hz_cli_error("analyze", "%s: %s part failed: %s", path, part, pe);
    }
    int rrc = st == HZ_OK && report != NULL
                  ? hz__cli_report_analytics("analyze", report, res, path)
                  : HZ_EXIT_OK;
    hz_analytics_result_free(res);
    if (st != HZ_OK) {
        hz_cli_error("analyze", "%s", err.msg);
        return HZ_EXIT_FAIL;
    }
    return rrc;
}
