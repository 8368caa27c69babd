/* horizon backtest: holdout / rolling-origin evaluation of the models on
 * the series of a CSV, with the M4 measures (sMAPE, MASE, OWA) and
 * interval coverage, in total and (--per-series) for every series,
 * cutoff and model. */
#include <getopt.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "cli/bt_recon.h"
#include "cli/bt_score.h"
#include "cli/cli.h"
#include "cli/fc_cli.h"
#include "cli/report_cli.h"
#include "horizon/csv.h"
#include "horizon/forecast.h"
#include "horizon/metrics.h"
#include "horizon/reconcile.h"
#include "horizon/series.h"

const char hz__cmd_backtest_summary[] =
    "evaluate forecasting models on held-out periods (sMAPE, MASE, OWA)";

static void help(FILE *f)
{
    fprintf(
        f,
        "usage: horizon backtest FILE.csv --date COL --value COL [OPTIONS]\n"
        "\n"
        "Builds the series as `horizon forecast` does, holds out the last\n"
        "--horizon periods (at --origins successive forecast origins) and\n"
        "reports per model the mean sMAPE and MASE (M4 definitions), OWA\n"
        "against Naive2, the coverage of each interval level, MSIS (M4, of\n"
        "the widest level) and the scaled pinball loss (M5 SPL over the\n"
        "bounds and the point as median).\n"
        "\n"
        "options:\n" HZ_FC_SERIES_HELP
        "  --origins K            rolling origins, each one period earlier\n"
        "                         (default 1: a single holdout)\n"
        "  --models M[,M...]      models to compare (default\n"
        "                         auto,theta,naive2,snaive,naive)\n"
        "  --intervals K          model (default) or conformal (calibrated\n"
        "                         on each origin's training data only)\n"
        "  -o, --output FILE      write the table as CSV to FILE\n"
        "  --per-series FILE      CSV with one row per series, cutoff and\n"
        "                         model (statsforecast's cross-validation\n"
        "                         shape, with the measures)\n"
        "  --reconcile R          with --by: at every origin forecast every\n"
        "                         node of the hierarchy (total, each prefix\n"
        "                         of the --by columns, the groups) and\n"
        "                         reconcile them as `horizon forecast\n"
        "                         --reconcile R` does (mint, mint-h, wls,\n"
        "                         ols, bu, td); the table gets a row per\n"
        "                         level and model, each node's own forecast\n"
        "                         (base) and the reconciled one (recon) side\n"
        "                         by side with MASE's change in %%, RMSSE\n"
        "                         too; -o and --json per level, model and\n"
        "                         kind; --per-series rows get the node's\n"
        "                         level, reconciled yes/no and the points\n"
        "                         forecast.  Not with --report\n"
        "  --bias-correct B       with --reconcile: on (default) or off, as\n"
        "                         for `horizon forecast`\n"
        "  --json                 print JSON instead of a "
        "table\n" HZ_CLI_REPORT_HELP HZ_CLI_CSV_HELP
        "  -h, --help             show this help\n");
}

enum {
    OPT_MODELS = 2000,
    OPT_JSON,
    OPT_ORIGINS,
    OPT_PER_SERIES,
    OPT_INTERVALS
};

typedef hz__bt_cell cell; /* one (series, origin, model): bt_score.h */

typedef struct bt {
    hz__fc_series_args sa;
    hz_forecast_request rq; /* horizon and levels */
    hz_cli_csv csvo;
    size_t origins, nmod, nall;
    const char *models_s, *outpath, *perpath, *report, *input;
    int json, intervals, report_llm;
    char *mstore;
    const char *mnames[16];
    int models[17];
    int n2; /* index of naive2 among models */
    hz_series_set *set;
    cell *cells; /* [series][origin][model] */
    double secs[17];
} bt;

static int parse_models(const char *cmd, bt *b)
{
    if (!hz__fc_split_list(b->models_s, &b->mstore, b->mnames, 16, &b->nmod)) {
        hz_cli_error(cmd,
                     "--models: expected a comma-separated list, got '%s'",
                     b->models_s);
        return HZ_EXIT_USAGE;
    }
    b->n2 = -1;
    for (size_t k = 0; k < b->nmod; k++) {
        if (!hz_fc_model_parse(b->mnames[k], &b->models[k])) {
            hz_cli_error(cmd, "--models: unknown model '%s' (try %s)",
                         b->mnames[k], hz_fc_model_list());
            return HZ_EXIT_USAGE;
        }
        for (size_t j = 0; j < k; j++)
            if (b->models[j] == b->models[k]) {
                hz_cli_error(cmd, "--models: model '%s' given twice in '%s'",
                             hz_fc_model_name(b->models[k]), b->models_s);
                return HZ_EXIT_USAGE;
            }
        if (b->models[k] == HZ_MODEL_NAIVE2)
            b->n2 = (int)k;
    }
    b->nall = b->nmod;
    if (b->n2 < 0) { /* Naive2 is always evaluated (for OWA) */
        b->models[b->nall] = HZ_MODEL_NAIVE2;
        b->n2 = (int)b->nall++;
    }
    return HZ_EXIT_OK;
}

/* -1: --help was shown; else an exit code. */
static int parse_args(const char *cmd, int argc, char **argv, bt *b)
{
    static const struct option lo[] = {
        HZ_FC_SERIES_LONGOPTS,
        {"horizon", required_argument, 0, HZ_FC_OPT_HORIZON},
        {"level", required_argument, 0, HZ_FC_OPT_LEVEL},
        {"origins", required_argument, 0, OPT_ORIGINS},
        {"models", required_argument, 0, OPT_MODELS},
        {"json", no_argument, 0, OPT_JSON},
        {"per-series", required_argument, 0, OPT_PER_SERIES},
        {"intervals", required_argument, 0, OPT_INTERVALS},
        {"reconcile", required_argument, 0, HZ_FC_OPT_RECONCILE},
        {"bias-correct", required_argument, 0, HZ_FC_OPT_BIAS},
        {"output", required_argument, 0, 'o'},
        {"help", no_argument, 0, 'h'},
        HZ_CLI_REPORT_LONGOPT,
        HZ_CLI_REPORT_LLM_LONGOPT,
        HZ_CLI_CSV_LONGOPTS,
        {0, 0, 0, 0}};
    long v;
    int c;
    hz__fc_seen seen = {.n = 0};
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", lo, NULL)) != -1) {
        if (!hz__fc_once(cmd, lo, c, optarg, &seen))
            return HZ_EXIT_USAGE;
        int taken = hz__fc_series_option(cmd, c, optarg, &b->sa);
        if (taken == 0 && (c == HZ_FC_OPT_HORIZON || c == HZ_FC_OPT_LEVEL ||
                           c == HZ_FC_OPT_RECONCILE || c == HZ_FC_OPT_BIAS))
            taken = hz__fc_request_option(cmd, c, optarg, &b->rq);
        if (taken < 0)
            return HZ_EXIT_USAGE;
        if (c == HZ_FC_OPT_LEVEL)
            b->sa.levels_text = hz__fc_levels_are_fractions(optarg) ? optarg
                                                                    : NULL;
        if (taken)
            continue;
        switch (c) {
        case OPT_ORIGINS:
            if (!hz_cli_parse_long(cmd, "origins", optarg, 1, 1000, &v))
                return HZ_EXIT_USAGE;
            b->origins = (size_t)v;
            break;
        case OPT_MODELS: b->models_s = optarg; break;
        case OPT_JSON: b->json = 1; break;
        case OPT_PER_SERIES: b->perpath = optarg; break;
        case OPT_INTERVALS:
            if (!hz_intervals_parse(optarg, &b->intervals)) {
                hz_cli_error(cmd,
                             "--intervals: expected model or conformal, "
                             "got '%s'",
                             optarg);
                return HZ_EXIT_USAGE;
            }
            break;
        case 'o': b->outpath = optarg; break;
        case HZ_OPT_REPORT: b->report = optarg; break;
        case HZ_OPT_REPORT_LLM: b->report_llm = 1; break;
        case 'h': help(stdout); return -1;
        case '?': return HZ_EXIT_USAGE;
        default:
            if (!hz_cli_csv_option(cmd, &b->csvo, c, optarg))
                return HZ_EXIT_USAGE;
        }
    }
    int rc = parse_models(cmd, b);
    if (rc != HZ_EXIT_OK)
        return rc;
    if (optind != argc - 1) {
        hz_cli_error(cmd, optind >= argc ? "missing input FILE.csv"
                                         : "expected one input file");
        return HZ_EXIT_USAGE;
    }
    b->input = argv[optind];
    const hz_cli_output outs[] = {{"-o", b->outpath},
                                  {"--per-series", b->perpath},
                                  {"--report", b->report}};
    if ((rc = hz_cli_check_outputs(cmd, b->input, outs, 3)) != HZ_EXIT_OK)
        return rc;
    return hz__fc_series_check(cmd, &b->sa, &b->csvo);
}

/* The training length of series s at origin o: the values before its
 * last --horizon + (origins - 1 - o) periods that exist; 0 when fewer
 * than 3 values are left.  A period a --tz zone's clocks skip (an hour
 * in spring) is no reading: estimated for the models, it is neither a
 * holdout point nor scored, so the holdout counts the periods that
 * exist, as a forecast's horizon does.  *span (optional): the positions
 * from the training's end to the origin's, skipped ones included. */
static size_t train_len(const bt *b, const hz_series *s, size_t o,
                        size_t *span)
{
    const hz_calendar *cal = &b->set->cal;
    size_t i = s->n, k = b->origins - 1 - o;
    while (k > 0 && i > 0)
        k -= !hz_calendar_skipped(cal, s->start + (int64_t)--i);
    const size_t end = i;
    k = b->rq.horizon;
    while (k > 0 && i > 0)
        k -= !hz_calendar_skipped(cal, s->start + (int64_t)--i);
    /* the training ends at a reading: the cutoff is one */
    while (i > 0 && hz_calendar_skipped(cal, s->start + (int64_t)i - 1))
        i--;
    if (k > 0 || i < 3)
        return 0;
    if (span != NULL)
        *span = end - i;
    return i;
}

/* Scores of one forecast of s (trained on its first ntr values, over
 * span positions of which the periods the clocks skip are left out: fc
 * is compacted in place to the --horizon periods that exist, y into ybuf);
 * the interval measures NaN when it has no intervals. */
static void score_cell(const bt *b, const hz_series *s, size_t ntr,
                       size_t span, hz_forecast *fc, double *ybuf, cell *cl)
{
    const int period = b->set->period;
    const double *y = s->values + ntr;
    size_t h = b->rq.horizon, nl = fc->nlevels;
    if (span != h) {
        size_t k = 0;
        for (size_t j = 0; j < span && k < h; j++) {
            if (hz_calendar_skipped(&b->set->cal,
                                    s->start + (int64_t)(ntr + j)))
                continue;
            ybuf[k] = y[j];
            fc->mean[k] = fc->mean[j];
            for (size_t l = 0; l < nl; l++) {
                fc->lower[l][k] = fc->lower[l][j];
                fc->upper[l][k] = fc->upper[l][j];
            }
            k++;
        }
        y = ybuf;
    }
    fc->h = h;
    hz__bt_score(s->values, ntr, period, y, h, fc, cl);
}

/* Buffers of one origin's batch: every series long enough, cut at the
 * origin; the forecasts of hcap steps (the horizon and the periods the
 * clocks skip within it), ybuf: a holdout's readings. */
typedef struct batch_bufs {
    const double **y;
    size_t *n, *idx, *span;
    int64_t *start; /* each one's first period */
    uint64_t *seeds;
    hz_forecast **fc;
    double *ybuf;
    size_t hcap;
} batch_bufs;

static void bufs_free(batch_bufs *u, size_t ns)
{
    for (size_t j = 0; u->fc != NULL && j < ns; j++)
        hz_forecast_free(u->fc[j]);
    free(u->fc);
    free(u->seeds);
    free(u->span);
    free(u->start);
    free(u->idx);
    free(u->n);
    free(u->y);
    free(u->ybuf);
}

/* Origin o with model k: every series forecast together (so conformal
 * intervals pool that origin's training errors), then scored.  -1 on
 * ENOMEM. */
static int evaluate_origin(bt *b, size_t k, size_t o, batch_bufs *u)
{
    const hz_series_set *set = b->set;
    size_t m = 0, hcap = b->rq.horizon;
    for (size_t i = 0; i < set->nseries; i++) {
        const hz_series *s = &set->series[i];
        size_t span = 0, ntr = train_len(b, s, o, &span);
        if (ntr == 0)
            continue;
        u->y[m] = s->values;
        u->n[m] = ntr;
        u->span[m] = span;
        u->start[m] = s->start;
        u->seeds[m] = 1 + i * 1000003u + o;
        u->idx[m++] = i;
        hcap = span > hcap ? span : hcap;
    }
    if (hcap != u->hcap) { /* every forecast of a batch has hcap steps */
        for (size_t j = 0; j < set->nseries; j++) {
            hz_forecast_free(u->fc[j]);
            u->fc[j] = NULL;
        }
        u->hcap = hcap;
    }
    for (size_t j = 0; j < m; j++) {
        if (u->fc[j] == NULL &&
            (u->fc[j] = hz_forecast_alloc(hcap, b->rq.nlevels,
                                          b->rq.levels)) == NULL)
            return -1;
        u->fc[j]->h = hcap; /* score_cell leaves it at the horizon */
    }
    hz_fc_batch fb;
    hz_fc_batch_init(&fb);
    fb.nseries = m;
    fb.y = u->y;
    fb.n = u->n;
    fb.seeds = u->seeds;
    fb.period = set->period;
    fb.seasons = set->seasons;
    fb.model = b->models[k];
    fb.threads = b->csvo.threads;
    fb.intervals = b->intervals;
    fb.nonnegative = b->sa.nonnegative;
    fb.cal = &set->cal; /* the hours the clocks skip: no calibration errors */
    fb.start = u->start;
    if (hz_forecast_many(&fb, u->fc, NULL) != HZ_OK)
        return -1;
    for (size_t j = 0; j < m; j++) {
        cell *cl = &b->cells[(u->idx[j] * b->origins + o) * b->nall + k];
        cl->done = 1;
        if (strcmp(u->fc[j]->method, "none") != 0)
            score_cell(b, &set->series[u->idx[j]], u->n[j], u->span[j],
                       u->fc[j], u->ybuf, cl);
    }
    return 0;
}

/* Forecast the held-out periods of every series and origin with model
 * k.  -1 on ENOMEM. */
static int evaluate_model(bt *b, size_t k)
{
    const size_t ns = b->set->nseries, n1 = ns ? ns : 1;
    double t0 = hz_now();
    batch_bufs u = {calloc(n1, sizeof *u.y),
                    calloc(n1, sizeof *u.n),
                    calloc(n1, sizeof *u.idx),
                    calloc(n1, sizeof *u.span),
                    calloc(n1, sizeof *u.start),
                    calloc(n1, sizeof *u.seeds),
                    calloc(n1, sizeof *u.fc),
                    calloc(b->rq.horizon ? b->rq.horizon : 1, sizeof *u.ybuf),
                    0};
    int rc = u.y && u.n && u.idx && u.span && u.start && u.seeds && u.fc &&
                     u.ybuf
                 ? 0
                 : -1;
    for (size_t o = 0; rc == 0 && o < b->origins; o++)
        rc = evaluate_origin(b, k, o, &u);
    bufs_free(&u, ns);
    b->secs[k] = hz_now() - t0;
    return rc;
}

/* Sums over the (series, origin) pairs that every model scored: sMAPE
 * and MASE over all cnt of them, the interval measures (coverage, MSIS,
 * SPL) over the nivl[k] of them where model k's forecast has intervals. */
typedef struct totals {
    double sum[17][4 + HZ_FC_MAX_LEVELS]; /* sMAPE, MASE, cov..., MSIS, SPL */
    size_t nfb[17];
    size_t nivl[17];
    size_t nmodel_ivl[17]; /* of nivl: with the model's intervals where
                              conformal ones were asked for */
    size_t cnt;            /* (series, origin) pairs that every model scored */
} totals;

static void sum_up(const bt *b, totals *t)
{
    memset(t, 0, sizeof *t);
    for (size_t p = 0; p < b->set->nseries * b->origins; p++) {
        int all = 1;
        for (size_t k = 0; k < b->nall; k++)
            all &= b->cells[p * b->nall + k].ok;
        if (!all)
            continue;
        t->cnt++;
        for (size_t k = 0; k < b->nall; k++) {
            const cell *cl = &b->cells[p * b->nall + k];
            t->sum[k][0] += cl->smape;
            t->sum[k][1] += cl->mase;
            t->nfb[k] += (size_t)cl->fallback;
            if (!cl->ivl)
                continue;
            t->nivl[k]++;
            t->nmodel_ivl[k] += (size_t)cl->model_ivl;
            for (size_t l = 0; l < b->rq.nlevels; l++)
                t->sum[k][2 + l] += cl->cov[l];
            t->sum[k][2 + b->rq.nlevels] += cl->msis;
            t->sum[k][3 + b->rq.nlevels] += cl->spl;
        }
    }
}

/* Model k's means: sMAPE, MASE, coverage of each level, MSIS, SPL (the
 * layout of totals.sum), the interval measures over its pairs with
 * intervals. */
static void model_means(const bt *b, const totals *t, size_t k, double *m)
{
    const size_t nlev = b->rq.nlevels;
    m[0] = hz__bt_mean(t->sum[k][0], t->cnt);
    m[1] = hz__bt_mean(t->sum[k][1], t->cnt);
    for (size_t l = 0; l < nlev + 2; l++)
        m[2 + l] = hz__bt_mean(t->sum[k][2 + l], t->nivl[k]);
}

static void write_totals(const bt *b, const totals *t, FILE *f, bool csv)
{
    const size_t nlev = b->rq.nlevels, cnt = t->cnt;
    const double *lv = b->rq.levels;
    char unit[24];
    double n2s = hz__bt_mean(t->sum[b->n2][0], cnt),
           n2m = hz__bt_mean(t->sum[b->n2][1], cnt);
    if (b->json)
        fprintf(f,
                "{\"series\":%zu,\"evaluated\":%zu,\"horizon\":%zu,"
                "\"origins\":%zu,\"freq\":\"%s\",\"models\":[",
                b->set->nseries, cnt, b->rq.horizon, b->origins,
                hz_calendar_unit(&b->set->cal, unit, sizeof unit));
    else if (csv) {
        fprintf(f, "model,smape,mase,owa");
        for (size_t l = 0; l < nlev; l++)
            fprintf(f, ",coverage%g", lv[l]);
        fprintf(f, ",msis,spl,evaluated,fallbacks,seconds\n");
    } else {
        fprintf(f,
                "%zu series (%s) x %zu origin(s): %zu of %zu (series, "
                "origin) pairs evaluated, horizon %zu\n",
                b->set->nseries,
                hz_calendar_unit(&b->set->cal, unit, sizeof unit), b->origins,
                cnt, b->set->nseries * b->origins, b->rq.horizon);
        fprintf(f, "%-8s %8s %8s %7s", "model", "sMAPE", "MASE", "OWA");
        for (size_t l = 0; l < nlev; l++)
            fprintf(f, "  cov%-4g", lv[l]);
        fprintf(f, " %8s %7s %9s %8s\n", "MSIS", "SPL", "fallbacks",
                "seconds");
    }
    for (size_t k = 0; k < b->nall; k++) {
        double m[4 + HZ_FC_MAX_LEVELS] = {0};
        model_means(b, t, k, m);
        const double owa = hz_owa(m[0], m[1], n2s, n2m), msis = m[2 + nlev],
                     spl = m[3 + nlev];
        const char *nm = hz_fc_model_name(b->models[k]);
        if (b->json) {
            fprintf(f, "%s{\"model\":\"%s\",\"smape\":", k ? "," : "", nm);
            hz__bt_json_num(f, m[0]);
            fputs(",\"mase\":", f);
            hz__bt_json_num(f, m[1]);
            fputs(",\"owa\":", f);
            hz__bt_json_num(f, owa);
            fputs(",\"coverage\":{", f);
            for (size_t l = 0; l < nlev; l++) {
                fprintf(f, "%s\"%g\":", l ? "," : "", lv[l]);
                hz__bt_json_num(f, m[2 + l]);
            }
            fputs("},\"msis\":", f);
            hz__bt_json_num(f, msis);
            fputs(",\"spl\":", f);
            hz__bt_json_num(f, spl);
            fprintf(f,
                    ",\"with_intervals\":%zu,\"fallbacks\":%zu,\"seconds\":",
                    t->nivl[k], t->nfb[k]);
            hz__bt_json_num(f, b->secs[k]);
            fputc('}', f);
        } else if (csv) {
            fputs(nm, f);
            hz__bt_csv_num6(f, m[0]);
            hz__bt_csv_num6(f, m[1]);
            hz__bt_csv_num6(f, owa);
            for (size_t l = 0; l < nlev + 2; l++)
                hz__bt_csv_num6(f, m[2 + l]);
            fprintf(f, ",%zu,%zu", cnt, t->nfb[k]);
            hz__bt_csv_num6(f, b->secs[k]);
            fputc('\n', f);
        } else {
            fprintf(f, "%-8s", nm);
            hz__bt_txt_num(f, " ", 8, 3, m[0]);
            hz__bt_txt_num(f, " ", 8, 4, m[1]);
            hz__bt_txt_num(f, " ", 7, 3, owa);
            for (size_t l = 0; l < nlev; l++)
                hz__bt_txt_num(f, "  ", 7, 3, m[2 + l]);
            hz__bt_txt_num(f, " ", 8, 3, msis);
            hz__bt_txt_num(f, " ", 7, 4, spl);
            fprintf(f, " %9zu", t->nfb[k]);
            hz__bt_txt_num(f, " ", 8, 3, b->secs[k]);
            fputc('\n', f);
        }
    }
    if (b->json)
        fprintf(f, "]}\n");
}

/* One row per series, cutoff (the last training period) and model. */
static void write_per_series(const bt *b, FILE *f)
{
    const size_t nlev = b->rq.nlevels;
    fputs("series,cutoff,model,method,train_n,smape,mase", f);
    for (size_t l = 0; l < nlev; l++)
        fprintf(f, ",coverage%g", b->rq.levels[l]);
    fputs(",msis,spl,fallback,status\n", f);
    for (size_t i = 0; i < b->set->nseries; i++) {
        const hz_series *s = &b->set->series[i];
        for (size_t o = 0; o < b->origins; o++) {
            size_t ntr = train_len(b, s, o, NULL);
            if (ntr == 0)
                continue;
            char cut[32];
            hz_calendar_format(&b->set->cal, s->start + (int64_t)ntr - 1, cut,
                               sizeof cut);
            for (size_t k = 0; k < b->nall; k++) {
                const cell *cl = &b->cells[(i * b->origins + o) * b->nall + k];
                hz__bt_csv_field(f, s->key);
                fprintf(f, ",%s,%s,", cut, hz_fc_model_name(b->models[k]));
                hz__bt_csv_field(f, cl->method);
                fprintf(f, ",%zu,", ntr);
                hz__bt_csv_num(f, cl->ok ? cl->smape : NAN);
                fputc(',', f);
                hz__bt_csv_num(f, cl->ok ? cl->mase : NAN);
                const bool ivl = cl->ok && cl->ivl;
                for (size_t l = 0; l < nlev; l++) {
                    fputc(',', f);
                    hz__bt_csv_num(f, ivl ? cl->cov[l] : NAN);
                }
                fputc(',', f);
                hz__bt_csv_num(f, ivl ? cl->msis : NAN);
                fputc(',', f);
                hz__bt_csv_num(f, ivl ? cl->spl : NAN);
                fprintf(f, ",%s,%s\n", cl->fallback ? "yes" : "no",
                        hz__bt_cell_status(cl));
            }
        }
    }
}

/* The HTML report (--report): per-model means over the (series, origin)
 * pairs every model scored, and those pairs' errors. */
static int write_report(hz_cli_outs *outs, const bt *b, const totals *t)
{
    const size_t nall = b->nall, cnt = t->cnt, nlev = b->rq.nlevels;
    const size_t npairs = b->set->nseries * b->origins;
    const char *names[17];
    double sm[17], ma[17], ow[17], msis[17], spl[17],
        cov[17 * HZ_FC_MAX_LEVELS];
    double wide = 0; /* the level MSIS scores: the widest */
    char unit[24];
    for (size_t l = 0; l < nlev; l++)
        wide = b->rq.levels[l] > wide ? b->rq.levels[l] : wide;
    const size_t nps = nall * cnt > 0 ? nall * cnt : 1; /* no malloc(0) */
    double *ps = malloc(nps * sizeof *ps);
    double *pm = malloc(nps * sizeof *pm);
    if (ps == NULL || pm == NULL) {
        free(ps);
        free(pm);
        hz_cli_error(outs->cmd, "out of memory");
        hz_cli_outs_abort(outs);
        return HZ_EXIT_FAIL;
    }
    for (size_t k = 0; k < nall; k++) {
        double m[4 + HZ_FC_MAX_LEVELS] = {0};
        model_means(b, t, k, m);
        names[k] = hz_fc_model_name(b->models[k]);
        sm[k] = m[0];
        ma[k] = m[1];
        msis[k] = m[2 + nlev];
        spl[k] = m[3 + nlev];
        for (size_t l = 0; l < nlev; l++)
            cov[k * nlev + l] = m[2 + l];
    }
    for (size_t k = 0; k < nall; k++)
        ow[k] = hz_owa(sm[k], ma[k], sm[b->n2], ma[b->n2]);
    size_t j = 0;
    for (size_t p = 0; p < npairs; p++) {
        int all = 1;
        for (size_t k = 0; k < nall; k++)
            all &= b->cells[p * nall + k].ok;
        if (!all)
            continue;
        for (size_t k = 0; k < nall; k++) {
            ps[k * cnt + j] = b->cells[p * nall + k].smape;
            pm[k * cnt + j] = b->cells[p * nall + k].mase;
        }
        j++;
    }
    hz_report_backtest_in in = {
        nall,
        names,
        sm,
        ma,
        ow,
        nlev,
        b->rq.levels,
        cov,
        cnt,
        ps,
        pm,
        b->set->nseries,
        b->rq.horizon,
        b->origins,
        hz_calendar_unit(&b->set->cal, unit, sizeof unit),
        nlev ? msis : NULL,
        spl,
        wide,
        t->nivl};
    int rc = hz__cli_report_backtest(outs, b->report, b->report_llm, &in,
                                     b->input);
    free(ps);
    free(pm);
    return rc;
}

/* The per-series file, the report, then the table (perhaps to standard
 * output: last), all whole or none new (cli.h, hz_cli_outs). */
static int write_outputs(const char *cmd, const bt *b, const totals *t)
{
    hz_cli_outs outs;
    hz_cli_outs_init(&outs, cmd);
    FILE *f;
    if (b->perpath != NULL) {
        if ((f = hz_cli_outs_add(&outs, b->perpath)) == NULL)
            return HZ_EXIT_FAIL;
        write_per_series(b, f);
    }
    if (b->report != NULL && write_report(&outs, b, t) != HZ_EXIT_OK) {
        hz_cli_outs_abort(&outs);
        return HZ_EXIT_FAIL;
    }
    if ((f = hz_cli_outs_add(&outs, b->outpath)) == NULL)
        return HZ_EXIT_FAIL;
    write_totals(b, t, f, b->outpath != NULL);
    return hz_cli_outs_commit(&outs);
}

/* The (series, origin) pairs long enough to evaluate that the table
 * leaves out because some model could not be scored there (every model
 * is compared on the same pairs), said on stderr with the first one;
 * when no pair is long enough, or none is left, an error that says
 * which.  Returns HZ_EXIT_OK when the table has pairs. */
static int report_unscored(const char *cmd, const bt *b, const totals *t)
{
    const hz_series_set *set = b->set;
    const size_t h = b->rq.horizon;
    size_t eligible = 0, longest = 0, first = SIZE_MAX, first_o = 0;
    for (size_t i = 0; i < set->nseries; i++) {
        const hz_series *s = &set->series[i];
        longest = s->n > longest ? s->n : longest;
        for (size_t o = 0; o < b->origins; o++) {
            if (train_len(b, s, o, NULL) == 0)
                continue;
            eligible++;
            int all = 1;
            for (size_t k = 0; k < b->nall; k++)
                all &= b->cells[(i * b->origins + o) * b->nall + k].ok;
            if (!all && first == SIZE_MAX) {
                first = i;
                first_o = o;
            }
        }
    }
    if (eligible == 0) {
        hz_cli_error(cmd,
                     "no series has the %zu + %zu periods needed to evaluate "
                     "(%zu series, longest %zu)",
                     h + b->origins - 1, (size_t)3, set->nseries, longest);
        return HZ_EXIT_FAIL;
    }
    if (first == SIZE_MAX)
        return HZ_EXIT_OK;
    const hz_series *s = &set->series[first];
    char cut[32];
    hz_calendar_format(&set->cal,
                       s->start + (int64_t)train_len(b, s, first_o, NULL) - 1,
                       cut, sizeof cut);
    const char *why = "a model's MASE or sMAPE is undefined there (a "
                      "training history constant at the seasonal lag, "
                      "such as a product that never sold, has no MASE "
                      "scale; --per-series marks them 'undefined')";
    if (t->cnt == 0) {
        hz_cli_error(cmd,
                     "none of the %zu (series, origin) pairs could be "
                     "scored: %s; first: series '%s', cutoff %s",
                     eligible, why, s->key, cut);
        return HZ_EXIT_FAIL;
    }
    fprintf(stderr,
            "horizon %s: %zu of %zu (series, origin) pairs left out of the "
            "table: %s; first: series '%s', cutoff %s\n",
            cmd, eligible - t->cnt, eligible, why, s->key, cut);
    return HZ_EXIT_OK;
}

/* For each model whose forecasts have no intervals at some of the
 * table's pairs, a notice on stderr with how many and the first: those
 * pairs count in its sMAPE, MASE and OWA but not in its coverage, MSIS
 * and SPL (empty, null or '-' when it has none with intervals). */
static void report_no_intervals(const char *cmd, const bt *b, const totals *t)
{
    const hz_series_set *set = b->set;
    for (size_t k = 0; k < b->nall; k++) {
        if (t->nivl[k] == t->cnt)
            continue;
        size_t first = SIZE_MAX, first_o = 0;
        for (size_t p = 0; first == SIZE_MAX && p < set->nseries * b->origins;
             p++) {
            int all = 1;
            for (size_t j = 0; j < b->nall; j++)
                all &= b->cells[p * b->nall + j].ok;
            if (all && !b->cells[p * b->nall + k].ivl) {
                first = p / b->origins;
                first_o = p % b->origins;
            }
        }
        if (first == SIZE_MAX) /* not reached: nivl counts these pairs */
            continue;
        const hz_series *s = &set->series[first];
        char cut[32], over[64];
        hz_calendar_format(
            &set->cal, s->start + (int64_t)train_len(b, s, first_o, NULL) - 1,
            cut, sizeof cut);
        if (t->nivl[k] > 0)
            snprintf(over, sizeof over, "taken over the other %zu",
                     t->nivl[k]);
        else
            snprintf(over, sizeof over, "empty: no pair has them");
        fprintf(stderr,
                "horizon %s: %s has no intervals at %zu of the %zu (series, "
                "origin) pairs in the table: they count in its sMAPE, MASE "
                "and OWA, not in its coverage, MSIS and SPL (%s; "
                "--per-series status 'no-intervals'); first: series '%s', "
                "cutoff %s\n",
                cmd, hz_fc_model_name(b->models[k]), t->cnt - t->nivl[k],
                t->cnt, over, s->key, cut);
    }
}

/* For each model whose conformal intervals could not be calibrated at
 * some of the table's pairs (no series long enough at that origin to
 * hold out values), a notice with how many and the first: the model's
 * own intervals were scored there. */
static void report_model_intervals(const char *cmd, const bt *b,
                                   const totals *t)
{
    const hz_series_set *set = b->set;
    for (size_t k = 0; k < b->nall; k++) {
        if (t->nmodel_ivl[k] == 0)
            continue;
        size_t p = 0, np = set->nseries * b->origins;
        for (; p < np; p++) {
            int all = 1;
            for (size_t j = 0; j < b->nall; j++)
                all &= b->cells[p * b->nall + j].ok;
            if (all && b->cells[p * b->nall + k].model_ivl)
                break;
        }
        if (p == np) /* not reached: nmodel_ivl counts these pairs */
            continue;
        const hz_series *s = &set->series[p / b->origins];
        char cut[32];
        hz_calendar_format(
            &set->cal,
            s->start + (int64_t)train_len(b, s, p % b->origins, NULL) - 1, cut,
            sizeof cut);
        fprintf(stderr,
                "horizon %s: %s: conformal intervals could not be calibrated "
                "at %zu of the %zu (series, origin) pairs with intervals (no "
                "series long enough at the origin to hold out values: 2 "
                "periods, at least 8 values, plus the steps): the model's "
                "own intervals were scored there; first: series '%s', "
                "cutoff %s\n",
                cmd, hz_fc_model_name(b->models[k]), t->nmodel_ivl[k],
                t->nivl[k], s->key, cut);
    }
}

/* What the data made the series leave out or take as they came, and
 * the calendar: on stderr after the outputs. */
static void notices(const char *cmd, const bt *b)
{
    hz__fc_notices(cmd, &b->sa, b->rq.levels, b->rq.nlevels, b->set->nfilled,
                   b->set->nseries_filled, b->set->filled_first,
                   b->set->rows_skipped, 0, 0);
    hz__fc_skipped_notice(cmd, &b->set->cal, b->set->nskipped,
                          b->set->skipped_first, b->set->skipped_last);
    hz__fc_data_notices(cmd, &b->set->cal, b->set->partial,
                        b->set->rows_repeated, b->set->repeated_first,
                        b->set->zoned, b->set->unix_times);
    hz__fc_similar_notice(cmd, b->set->names_similar, b->set->similar_first[0],
                          b->set->similar_first[1]);
    hz__fc_empty_key_notice(cmd, b->set->rows_empty_key,
                            b->set->series_empty_key, b->set->empty_key_first,
                            b->set->empty_key_col, b->set->empty_key_series);
    hz__fc_print_calendar(stderr, b->set->freq_reason, &b->set->seasons,
                          b->set->seasons_reason);
}

/* --reconcile (or --bias-correct): the request as `horizon forecast`
 * completes and checks it (--by, sums, a table rather than a long file,
 * --bias-correct on without --reconcile: the same refusals), and what a
 * reconciled backtest does not write (--report). */
static int check_reconcile(const char *cmd, bt *b)
{
    if (b->report != NULL && b->rq.reconcile != HZ_RECON_NONE) {
        hz_cli_error(cmd, "--report is not written with --reconcile (the "
                          "report draws one forecast per series): use -o, "
                          "--json or --per-series");
        return HZ_EXIT_USAGE;
    }
    if (!hz__fc_request_finish(cmd, &b->sa, &b->rq))
        return HZ_EXIT_USAGE;
    b->rq.threads = b->csvo.threads;
    b->rq.intervals = b->intervals;
    hz_error err;
    hz_error_clear(&err);
    hz_status st = hz_forecast_request_check(&b->rq, &err);
    if (st != HZ_OK) {
        hz_cli_error(cmd, "%s", err.msg);
        return hz__fc_exit_code(st);
    }
    return HZ_EXIT_OK;
}

static int run(const char *cmd, bt *b)
{
    hz_dataset *ds = NULL;
    int rc;
    hz_csv_report rep;
    if ((rc = hz_cli_read_csv(cmd, b->input, &b->csvo, &ds, &rep)) != 0 ||
        (rc = hz__fc_series_resolve(cmd, &b->sa, ds)) != 0)
        goto out;
    if ((b->rq.reconcile != HZ_RECON_NONE ||
         b->rq.recon_bias != HZ_RECON_BIAS_AUTO) &&
        (rc = check_reconcile(cmd, b)) != HZ_EXIT_OK)
        goto out;
    hz_series_opts so = b->sa.so;
    so.extend_to_end = !b->sa.long_format;
    so.rows_skipped_read = rep.rows_skipped;
    hz_error err;
    hz_error_clear(&err);
    hz_status st = hz_series_build(ds, &so, &b->set, &err);
    if (st != HZ_OK) {
        hz_cli_error(cmd, "%s", err.msg);
        rc = hz__fc_exit_code(st);
        goto out;
    }
    if (b->rq.reconcile != HZ_RECON_NONE) {
        const hz__bt_recon a = {b->set,  &b->rq,  b->origins, b->models,
                                b->nmod, b->json, b->outpath, b->perpath};
        if ((rc = hz__bt_recon_run(cmd, &a)) == HZ_EXIT_OK)
            notices(cmd, b);
        goto out;
    }
    size_t ncell = b->set->nseries * b->origins * b->nall;
    if ((b->cells = calloc(ncell ? ncell : 1, sizeof *b->cells)) == NULL) {
        hz_cli_error(cmd, "out of memory");
        rc = HZ_EXIT_FAIL;
        goto out;
    }
    for (size_t k = 0; k < b->nall; k++)
        if (evaluate_model(b, k) != 0) {
            hz_cli_error(cmd, "out of memory");
            rc = HZ_EXIT_FAIL;
            goto out;
        }
    totals t;
    sum_up(b, &t);
    if ((rc = report_unscored(cmd, b, &t)) != HZ_EXIT_OK)
        goto out;
    report_no_intervals(cmd, b, &t);
    report_model_intervals(cmd, b, &t);
    if ((rc = write_outputs(cmd, b, &t)) == HZ_EXIT_OK)
        notices(cmd, b);
out:
    hz_dataset_free(ds);
    return rc;
}

int hz__cmd_backtest(int argc, char **argv)
{
    static const char *cmd = "backtest";
    bt b;
    memset(&b, 0, sizeof b);
    hz__fc_series_args_init(&b.sa);
    hz_forecast_request_init(&b.rq);
    hz_cli_csv_init(&b.csvo);
    b.origins = 1;
    b.models_s = "auto,theta,naive2,snaive,naive";
    int rc = parse_args(cmd, argc, argv, &b);
    if (rc == HZ_EXIT_OK)
        rc = hz__cli_report_check(cmd, b.report, b.report_llm);
    if (rc == HZ_EXIT_OK)
        rc = run(cmd, &b);
    else if (rc < 0)
        rc = HZ_EXIT_OK;
    free(b.cells);
    hz_series_set_free(b.set);
    free(b.sa.bystore);
    free(b.mstore);
    return rc;
}
