/* horizon backtest: holdout / rolling-origin evaluation of the models on
 * the series of a CSV, with the M4 measures (sMAPE, MASE, OWA) and
 * interval coverage. */
#include <getopt.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/fc_cli.h"
#include "cli/report_cli.h"
#include "horizon/csv.h"
#include "horizon/forecast.h"
#include "horizon/metrics.h"
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
        "against Naive2, and the coverage of each interval level.\n"
        "\n"
        "options:\n"
        "  --date COL, --value COL, --by COL[,COL...], --long, --freq F,\n"
        "  --agg A, --fill F      as for `horizon forecast`\n"
        "  --horizon N            periods held out (default 12)\n"
        "  --origins K            rolling origins, each one period earlier\n"
        "                         (default 1: a single holdout)\n"
        "  --models M[,M...]      models to compare (default\n"
        "                         auto,theta,naive2,snaive,naive)\n"
        "  --level L[,L...]       interval levels (default 80,95)\n"
        "  -o, --output FILE      write the table as CSV to FILE\n"
        "  --json                 print JSON instead of a "
        "table\n" HZ_CLI_REPORT_HELP HZ_CLI_CSV_HELP
        "  -h, --help             show this help\n");
}

enum { OPT_HORIZON = 2000, OPT_MODELS, OPT_LEVEL, OPT_JSON, OPT_ORIGINS };

typedef struct cell {
    double smape, mase, cov[HZ_FC_MAX_LEVELS];
    int ok, fallback;
} cell;

/* The HTML report (--report): per-model means over the cnt (series,
 * origin) pairs every model scored, and those pairs' errors. */
static int write_report(const char *path, const char *input, const cell *cells,
                        size_t npairs_all, size_t cnt, const int *models,
                        size_t nall, const double *levels, size_t nlev,
                        double (*sum)[2 + HZ_FC_MAX_LEVELS], size_t ns,
                        size_t horizon, size_t origins, const char *freq)
{
    const char *names[17];
    double sm[17], ma[17], ow[17], cov[17 * HZ_FC_MAX_LEVELS];
    double *ps = malloc(nall * cnt * sizeof *ps);
    double *pm = malloc(nall * cnt * sizeof *pm);
    if (ps == NULL || pm == NULL) {
        free(ps);
        free(pm);
        hz_cli_error("backtest", "out of memory");
        return HZ_EXIT_FAIL;
    }
    size_t n2 = 0;
    for (size_t k = 0; k < nall; k++)
        if (models[k] == HZ_MODEL_NAIVE2)
            n2 = k;
    for (size_t k = 0; k < nall; k++) {
        names[k] = hz_fc_model_name(models[k]);
        sm[k] = sum[k][0] / (double)cnt;
        ma[k] = sum[k][1] / (double)cnt;
        for (size_t l = 0; l < nlev; l++)
            cov[k * nlev + l] = sum[k][2 + l] / (double)cnt;
    }
    for (size_t k = 0; k < nall; k++)
        ow[k] = hz_owa(sm[k], ma[k], sm[n2], ma[n2]);
    size_t j = 0;
    for (size_t p = 0; p < npairs_all; p++) {
        int all = 1;
        for (size_t k = 0; k < nall; k++)
            all &= cells[p * nall + k].ok;
        if (!all)
            continue;
        for (size_t k = 0; k < nall; k++) {
            ps[k * cnt + j] = cells[p * nall + k].smape;
            pm[k * cnt + j] = cells[p * nall + k].mase;
        }
        j++;
    }
    hz_report_backtest_in bt = {nall, names,  sm,      ma,      ow,
                                nlev, levels, cov,     cnt,     ps,
                                pm,   ns,     horizon, origins, freq};
    int rc = hz__cli_report_backtest("backtest", path, &bt, input);
    free(ps);
    free(pm);
    return rc;
}

int hz__cmd_backtest(int argc, char **argv)
{
    static const char *cmd = "backtest";
    static const struct option lo[] = {
        HZ_FC_SERIES_LONGOPTS,
        {"horizon", required_argument, 0, OPT_HORIZON},
        {"origins", required_argument, 0, OPT_ORIGINS},
        {"models", required_argument, 0, OPT_MODELS},
        {"level", required_argument, 0, OPT_LEVEL},
        {"json", no_argument, 0, OPT_JSON},
        {"output", required_argument, 0, 'o'},
        {"help", no_argument, 0, 'h'},
        HZ_CLI_REPORT_LONGOPT,
        HZ_CLI_CSV_LONGOPTS,
        {0, 0, 0, 0}};
    const char *report = NULL;
    hz__fc_series_args sa;
    hz__fc_series_args_init(&sa);
    hz_series_opts so;
    hz_cli_csv csvo;
    hz_cli_csv_init(&csvo);
    size_t horizon = 12, origins = 1, nlev = 2, nmod = 0;
    double levels[HZ_FC_MAX_LEVELS] = {80, 95};
    const char *models_s = "auto,theta,naive2,snaive,naive";
    const char *outpath = NULL;
    int json = 0, rc = HZ_EXIT_OK;
    char *mstore = NULL;
    const char *mnames[16];
    int models[17];
    hz_dataset *ds = NULL;
    hz_series_set *set = NULL;
    cell *cells = NULL;
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
            horizon = (size_t)v;
            break;
        case OPT_ORIGINS:
            if (!hz_cli_parse_long(cmd, "origins", optarg, 1, 1000, &v)) {
                rc = HZ_EXIT_USAGE;
                goto out;
            }
            origins = (size_t)v;
            break;
        case OPT_MODELS: models_s = optarg; break;
        case OPT_LEVEL:
            if (!hz__fc_parse_levels(cmd, optarg, levels, &nlev)) {
                rc = HZ_EXIT_USAGE;
                goto out;
            }
            break;
        case OPT_JSON: json = 1; break;
        case 'o': outpath = optarg; break;
        case HZ_OPT_REPORT: report = optarg; break;
        case 'h': help(stdout); goto out;
        case '?': rc = HZ_EXIT_USAGE; goto out;
        default:
            if (!hz_cli_csv_option(cmd, &csvo, c, optarg)) {
                rc = HZ_EXIT_USAGE;
                goto out;
            }
        }
    }
    if (!hz__fc_split_list(models_s, &mstore, mnames, 16, &nmod)) {
        hz_cli_error(cmd,
                     "--models: expected a comma-separated list, got "
                     "'%s'",
                     models_s);
        rc = HZ_EXIT_USAGE;
        goto out;
    }
    for (size_t k = 0; k < nmod; k++)
        if (!hz_fc_model_parse(mnames[k], &models[k]) ||
            !hz_fc_model_available(models[k])) {
            hz_cli_error(cmd, "--models: unknown or unavailable model '%s'",
                         mnames[k]);
            rc = HZ_EXIT_USAGE;
            goto out;
        }
    /* Naive2 is always evaluated (for OWA) */
    int have_n2 = -1;
    for (size_t k = 0; k < nmod; k++)
        if (models[k] == HZ_MODEL_NAIVE2)
            have_n2 = (int)k;
    size_t nall = nmod;
    if (have_n2 < 0) {
        models[nall] = HZ_MODEL_NAIVE2;
        have_n2 = (int)nall++;
    }
    if (optind != argc - 1) {
        hz_cli_error(cmd, optind >= argc ? "missing input FILE.csv"
                                         : "expected one input file");
        rc = HZ_EXIT_USAGE;
        goto out;
    }
    so = sa.so;
    if (so.date_col == NULL ||
        (so.value_col == NULL && so.agg != HZ_AGG_COUNT)) {
        hz_cli_error(cmd, "missing --date COL and --value COL");
        rc = HZ_EXIT_USAGE;
        goto out;
    }
    if (sa.long_format && so.nby == 0) {
        hz_cli_error(cmd, "--long needs --by ID_COLUMN");
        rc = HZ_EXIT_USAGE;
        goto out;
    }
    so.extend_to_end = !sa.long_format;
    rc = hz_cli_read_csv(cmd, argv[optind], &csvo, &ds, NULL);
    if (rc != 0)
        goto out;
    hz_error err;
    hz_error_clear(&err);
    hz_status st = hz_series_build(ds, &so, &set, &err);
    if (st != HZ_OK) {
        hz_cli_error(cmd, "%s", err.msg);
        rc = hz__fc_exit_code(st);
        goto out;
    }
    size_t ns = set->nseries, ncell = ns * origins * nall;
    cells = calloc(ncell ? ncell : 1, sizeof *cells);
    double *secs = calloc(nall, sizeof *secs);
    if (cells == NULL || secs == NULL) {
        free(secs);
        hz_cli_error(cmd, "out of memory");
        rc = HZ_EXIT_FAIL;
        goto out;
    }
    int period = set->period;
    for (size_t k = 0; k < nall; k++) {
        double t0 = hz_now();
#pragma omp parallel
        {
            hz_fc_workspace *w = hz_fc_workspace_alloc(256);
            hz_forecast *fc = hz_forecast_alloc(horizon, nlev, levels);
#pragma omp for schedule(dynamic, 1) collapse(2)
            for (size_t i = 0; i < ns; i++)
                for (size_t o = 0; o < origins; o++) {
                    const hz_series *s = &set->series[i];
                    cell *cl = &cells[(i * origins + o) * nall + k];
                    size_t back = horizon + (origins - 1 - o);
                    if (w == NULL || fc == NULL || s->n < back + 3)
                        continue;
                    size_t ntr = s->n - back;
                    size_t h = horizon;
                    uint64_t seed = 1 + i * 1000003u + o;
                    if (hz_forecast_series(s->values, ntr, period, models[k],
                                           seed, w, fc, NULL) != HZ_OK)
                        continue;
                    const double *y = s->values + ntr;
                    cl->smape = hz_smape(y, fc->mean, h);
                    cl->mase = hz_mase(s->values, ntr, period, y, fc->mean, h);
                    for (size_t l = 0; l < nlev; l++)
                        cl->cov[l] = hz_coverage(y, fc->lower[l], fc->upper[l],
                                                 h);
                    cl->fallback = fc->note[0] != '\0';
                    cl->ok = isfinite(cl->smape) && isfinite(cl->mase);
                }
            hz_forecast_free(fc);
            hz_fc_workspace_free(w);
        }
        secs[k] = hz_now() - t0;
    }
    /* summarise over the (series, origin) pairs every model scored */
    double sum[17][2 + HZ_FC_MAX_LEVELS];
    size_t cnt = 0, nfb[17];
    memset(sum, 0, sizeof sum);
    memset(nfb, 0, sizeof nfb);
    for (size_t p = 0; p < ns * origins; p++) {
        int all = 1;
        for (size_t k = 0; k < nall; k++)
            all &= cells[p * nall + k].ok;
        if (!all)
            continue;
        cnt++;
        for (size_t k = 0; k < nall; k++) {
            const cell *cl = &cells[p * nall + k];
            sum[k][0] += cl->smape;
            sum[k][1] += cl->mase;
            for (size_t l = 0; l < nlev; l++)
                sum[k][2 + l] += cl->cov[l];
            nfb[k] += (size_t)cl->fallback;
        }
    }
    if (cnt == 0) {
        hz_cli_error(cmd,
                     "no series has the %zu + %zu periods needed to "
                     "evaluate (%zu series, longest %zu)",
                     horizon + origins - 1, (size_t)3, ns,
                     ns ? set->series[0].n : 0);
        free(secs);
        rc = HZ_EXIT_FAIL;
        goto out;
    }
    double n2s = sum[have_n2][0] / cnt, n2m = sum[have_n2][1] / cnt;
    FILE *f = stdout;
    if (outpath != NULL && (f = hz_cli_open_out(cmd, outpath)) == NULL) {
        free(secs);
        rc = HZ_EXIT_FAIL;
        goto out;
    }
    if (json) {
        fprintf(f,
                "{\"series\":%zu,\"evaluated\":%zu,\"horizon\":%zu,"
                "\"origins\":%zu,\"freq\":\"%s\",\"models\":[",
                ns, cnt, horizon, origins, hz_freq_name(set->freq));
    } else if (outpath != NULL) {
        fprintf(f, "model,smape,mase,owa");
        for (size_t l = 0; l < nlev; l++)
            fprintf(f, ",coverage%g", levels[l]);
        fprintf(f, ",evaluated,fallbacks,seconds\n");
    } else {
        printf("%zu series (%s), %zu evaluated x %zu origin(s), horizon "
               "%zu\n",
               ns, hz_freq_name(set->freq), cnt / origins, origins, horizon);
        printf("%-8s %8s %8s %7s", "model", "sMAPE", "MASE", "OWA");
        for (size_t l = 0; l < nlev; l++)
            printf("  cov%-4g", levels[l]);
        printf(" %9s %8s\n", "fallbacks", "seconds");
    }
    for (size_t k = 0; k < nall; k++) {
        double sm = sum[k][0] / cnt, ma = sum[k][1] / cnt;
        double owa = hz_owa(sm, ma, n2s, n2m);
        const char *nm = hz_fc_model_name(models[k]);
        if (json) {
            fprintf(f,
                    "%s{\"model\":\"%s\",\"smape\":%.6g,\"mase\":%.6g,"
                    "\"owa\":%.6g,\"coverage\":{",
                    k ? "," : "", nm, sm, ma, owa);
            for (size_t l = 0; l < nlev; l++)
                fprintf(f, "%s\"%g\":%.6g", l ? "," : "", levels[l],
                        sum[k][2 + l] / cnt);
            fprintf(f, "},\"fallbacks\":%zu,\"seconds\":%.6g}", nfb[k],
                    secs[k]);
        } else if (outpath != NULL) {
            fprintf(f, "%s,%.6g,%.6g,%.6g", nm, sm, ma, owa);
            for (size_t l = 0; l < nlev; l++)
                fprintf(f, ",%.6g", sum[k][2 + l] / cnt);
            fprintf(f, ",%zu,%zu,%.6g\n", cnt, nfb[k], secs[k]);
        } else {
            printf("%-8s %8.3f %8.4f %7.3f", nm, sm, ma, owa);
            for (size_t l = 0; l < nlev; l++)
                printf("  %7.3f", sum[k][2 + l] / cnt);
            printf(" %9zu %8.3f\n", nfb[k], secs[k]);
        }
    }
    if (json)
        fprintf(f, "]}\n");
    if (f != stdout)
        hz_cli_close_out(f);
    free(secs);
    if (report != NULL)
        rc = write_report(report, argv[optind], cells, ns * origins, cnt,
                          models, nall, levels, nlev, sum, ns, horizon,
                          origins, hz_freq_name(set->freq));
out:
    free(cells);
    hz_series_set_free(set);
    hz_dataset_free(ds);
    free(sa.bystore);
    free(mstore);
    return rc;
}
