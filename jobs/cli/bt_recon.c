/* horizon backtest --reconcile (bt_recon.h): every origin's hierarchy
 * forecast by the engine's request runner (hz_forecast_run_set: the
 * nodes' own models, the bias correction and the reconciliation of
 * `horizon forecast --reconcile`), each node's base and reconciled
 * forecasts scored against its held-out sums, the measures averaged per
 * level over the (node, origin) pairs every model scored. */
#include "cli/bt_recon.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/bt_score.h"
#include "cli/cli.h"
#include "cli/fc_cli.h"
#include "horizon/reconcile.h"

enum { BASE = 0, RECON = 1, NKIND = 2 };
/* a (level, model, kind)'s sums: sMAPE, MASE, RMSSE, MSIS, SPL, then the
 * coverage of each interval level */
enum { S_SMAPE, S_MASE, S_RMSSE, S_MSIS, S_SPL, S_COV };

typedef struct lsum {
    double sum[S_COV + HZ_FC_MAX_LEVELS];
    size_t nivl, nfb;
} lsum;

typedef struct brun {
    const hz__bt_recon *a;
    size_t nlev, h, nl;
    lsum *sums;          /* [(level * nmod + model) * NKIND + kind] */
    size_t *cnt;         /* [level]: pairs every model scored */
    size_t *eligible;    /* [level]: pairs with 3 training values or more */
    size_t nodes;        /* nodes at the last origin */
    double *secs;        /* [model] */
    char names[17][256]; /* the levels' names (16 --by columns at most) */
    char left_node[128], left_cut[32]; /* the first pair left out */
    FILE *ps;                          /* --per-series rows */
    char *psbuf;
    size_t pslen;
} brun;

static lsum *lsum_at(const brun *r, size_t l, size_t k, int kind)
{
    return &r->sums[(l * r->a->nmod + k) * NKIND + (size_t)kind];
}

/* Level j's name: the group columns it is made of, joined as its nodes'
 * names are ('region|category'); 'total' for level 0. */
static void level_names(brun *r)
{
    const hz_forecast_request *rq = r->a->rq;
    snprintf(r->names[0], sizeof r->names[0], "total");
    for (size_t j = 1; j < r->nlev && j < sizeof r->names / sizeof *r->names;
         j++) {
        size_t len = 0;
        r->names[j][0] = '\0';
        for (size_t c = 0; c < j && len < sizeof r->names[j]; c++) {
            int w = snprintf(r->names[j] + len, sizeof r->names[j] - len,
                             "%s%s", c ? "|" : "", rq->by_cols[c]);
            len += w > 0 ? (size_t)w : 0;
        }
    }
}

/* The first period left out of origin o's training (the backtest's
 * train_len on the table's periods: the last --horizon periods that
 * exist before origin o's, the training ending at a reading); 0 with
 * *ok false when fewer than 3 periods are left. */
static int64_t cut_end(const brun *r, size_t o, bool *ok)
{
    const hz_series_set *set = r->a->set;
    const hz_calendar *cal = &set->cal;
    int64_t first = INT64_MAX, p = INT64_MIN;
    for (size_t i = 0; i < set->nseries; i++) {
        const hz_series *s = &set->series[i];
        first = s->start < first ? s->start : first;
        p = s->start + (int64_t)s->n > p ? s->start + (int64_t)s->n : p;
    }
    size_t k = r->a->origins - 1 - o;
    while (k > 0 && p > first)
        k -= !hz_calendar_skipped(cal, --p);
    k = r->h;
    while (k > 0 && p > first)
        k -= !hz_calendar_skipped(cal, --p);
    while (p > first && hz_calendar_skipped(cal, p - 1))
        p--;
    *ok = set->nseries > 0 && k == 0 && p - first >= 3;
    return p;
}

/* One per-series row: the node's level, the cutoff, the model, base or
 * reconciled, the scores and the points forecast. */
static void ps_row(const brun *r, const hz_forecast_series_result *o,
                   const char *cut, size_t k, int kind, const hz__bt_cell *cl,
                   const hz_forecast *fc)
{
    FILE *f = r->ps;
    hz__bt_csv_field(f, o->key);
    fputc(',', f);
    hz__bt_csv_field(f, r->names[o->level]);
    fprintf(f, ",%s,%s,%s,", cut, hz_fc_model_name(r->a->models[k]),
            kind == RECON ? "yes" : "no");
    hz__bt_csv_field(f, cl->method);
    fprintf(f, ",%zu,", o->n);
    hz__bt_csv_num(f, cl->ok ? cl->smape : NAN);
    fputc(',', f);
    hz__bt_csv_num(f, cl->ok ? cl->mase : NAN);
    fputc(',', f);
    hz__bt_csv_num(f, cl->ok ? cl->rmsse : NAN);
    const bool ivl = cl->ok && cl->ivl;
    for (size_t l = 0; l < r->nl; l++) {
        fputc(',', f);
        hz__bt_csv_num(f, ivl ? cl->cov[l] : NAN);
    }
    fputc(',', f);
    hz__bt_csv_num(f, ivl ? cl->msis : NAN);
    fputc(',', f);
    hz__bt_csv_num(f, ivl ? cl->spl : NAN);
    fprintf(f, ",%s,%s,", cl->fallback ? "yes" : "no", hz__bt_cell_status(cl));
    for (size_t s = 0; s < r->h; s++) {
        if (s > 0)
            fputc(';', f);
        hz__bt_csv_num(f, fc->mean[s]);
    }
    fputc('\n', f);
}

static void add_cell(const brun *r, lsum *ls, const hz__bt_cell *cl)
{
    ls->sum[S_SMAPE] += cl->smape;
    ls->sum[S_MASE] += cl->mase;
    ls->sum[S_RMSSE] += cl->rmsse;
    ls->nfb += (size_t)cl->fallback;
    if (!cl->ivl)
        return;
    ls->nivl++;
    ls->sum[S_MSIS] += cl->msis;
    ls->sum[S_SPL] += cl->spl;
    for (size_t l = 0; l < r->nl; l++)
        ls->sum[S_COV + l] += cl->cov[l];
}

/* Node i of one origin's results (one a model): scored base and
 * reconciled, counted in its level when every model scored both, its
 * rows written.  cells: nmod * NKIND. */
static void score_node(brun *r, hz_forecast_result *const *res, size_t i,
                       const char *cut, hz__bt_cell *cells)
{
    const size_t nmod = r->a->nmod;
    const hz_forecast_series_result *o0 = &res[0]->series[i];
    bool scorable = o0->n >= 3;
    for (size_t s = 0; s < r->h; s++)
        scorable = scorable && isfinite(o0->holdout[s]);
    if (!scorable)
        return; /* as the backtest: 3 training values at least */
    const size_t lv = (size_t)o0->level;
    bool all = true;
    for (size_t k = 0; k < nmod; k++) {
        const hz_forecast_series_result *o = &res[k]->series[i];
        const hz_forecast *fcs[NKIND] = {o->base, o->fc};
        for (int kind = 0; kind < NKIND; kind++) {
            hz__bt_cell *cl = &cells[k * NKIND + (size_t)kind];
            memset(cl, 0, sizeof *cl);
            hz__bt_score(o->history, o->n, res[k]->period, o->holdout, r->h,
                         fcs[kind], cl);
            snprintf(cl->method, sizeof cl->method, "%s",
                     kind == RECON ? o->method : fcs[kind]->method);
            all = all && cl->ok;
            if (r->ps != NULL)
                ps_row(r, o, cut, k, kind, cl, fcs[kind]);
        }
    }
    r->eligible[lv]++;
    if (!all) {
        if (r->left_node[0] == '\0') {
            snprintf(r->left_node, sizeof r->left_node, "%s", o0->key);
            snprintf(r->left_cut, sizeof r->left_cut, "%s", cut);
        }
        return;
    }
    r->cnt[lv]++;
    for (size_t k = 0; k < nmod; k++)
        for (int kind = 0; kind < NKIND; kind++)
            add_cell(r, lsum_at(r, lv, k, kind),
                     &cells[k * NKIND + (size_t)kind]);
}

/* Whether every model's results of an origin have the same nodes (they
 * do: the hierarchy depends on the origin alone). */
static bool same_nodes(hz_forecast_result *const *res, size_t nmod)
{
    for (size_t k = 1; k < nmod; k++) {
        if (res[k]->nseries != res[0]->nseries)
            return false;
        for (size_t i = 0; i < res[0]->nseries; i++)
            if (strcmp(res[k]->series[i].key, res[0]->series[i].key) != 0)
                return false;
    }
    return true;
}

/* Origin o: every model's forecasts of the hierarchy cut there, scored.
 * An exit code. */
static int run_origin(const char *cmd, brun *r, size_t o)
{
    const hz__bt_recon *a = r->a;
    bool ok;
    const int64_t end = cut_end(r, o, &ok);
    if (!ok)
        return HZ_EXIT_OK; /* too short: no pair (said at the end) */
    char cut[32];
    hz_calendar_format(&a->set->cal, end - 1, cut, sizeof cut);
    hz_forecast_result **res = calloc(a->nmod, sizeof *res);
    hz__bt_cell *cells = calloc(a->nmod * NKIND, sizeof *cells);
    int rc = res != NULL && cells != NULL ? HZ_EXIT_OK : HZ_EXIT_FAIL;
    if (rc != HZ_EXIT_OK)
        hz_cli_error(cmd, "out of memory");
    for (size_t k = 0; rc == HZ_EXIT_OK && k < a->nmod; k++) {
        hz_forecast_request rq = *a->rq;
        rq.model = a->models[k];
        rq.keep_base = 1;
        hz_error err;
        hz_error_clear(&err);
        const double t0 = hz_now();
        hz_status st = hz_forecast_run_set(a->set, end, &rq, &res[k], &err);
        r->secs[k] += hz_now() - t0;
        if (st != HZ_OK) {
            hz_cli_error(cmd, "%s at the origin after %s: %s",
                         hz_fc_model_name(a->models[k]), cut, err.msg);
            rc = hz__fc_exit_code(st);
        }
    }
    if (rc == HZ_EXIT_OK && !same_nodes(res, a->nmod)) {
        hz_cli_error(cmd, "the models' hierarchies differ at %s", cut);
        rc = HZ_EXIT_FAIL;
    }
    for (size_t i = 0; rc == HZ_EXIT_OK && i < res[0]->nseries; i++)
        score_node(r, res, i, cut, cells);
    if (rc == HZ_EXIT_OK)
        r->nodes = res[0]->nseries;
    for (size_t k = 0; res != NULL && k < a->nmod; k++)
        hz_forecast_result_free(res[k]);
    free(res);
    free(cells);
    return rc;
}

/* The means of (level l, model k, kind): sMAPE, MASE, RMSSE, MSIS,
 * SPL, coverage... (the layout of lsum.sum). */
static void means(const brun *r, size_t l, size_t k, int kind, double *m)
{
    const lsum *ls = lsum_at(r, l, k, kind);
    for (size_t j = 0; j < S_COV + r->nl; j++)
        m[j] = hz__bt_mean(ls->sum[j],
                           j == S_SMAPE || j == S_MASE || j == S_RMSSE
                               ? r->cnt[l]
                               : ls->nivl);
}

/* The change from base to reconciled in percent (NaN without both). */
static double change(double base, double rec)
{
    return isfinite(base) && isfinite(rec) && base != 0
               ? 100.0 * (rec - base) / base
               : NAN;
}

/* s as a JSON string (column names: quotes, backslashes and control
 * characters escaped). */
static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        const unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

static void json_block(const brun *r, FILE *f, const double *m, const lsum *ls)
{
    const double *lv = r->a->rq->levels;
    static const char *const key[] = {"smape", "mase", "rmsse", "msis", "spl"};
    fputc('{', f);
    for (size_t j = 0; j < S_COV; j++) {
        fprintf(f, "%s\"%s\":", j ? "," : "", key[j]);
        hz__bt_json_num(f, m[j]);
    }
    fputs(",\"coverage\":{", f);
    for (size_t l = 0; l < r->nl; l++) {
        fprintf(f, "%s\"%g\":", l ? "," : "", lv[l]);
        hz__bt_json_num(f, m[S_COV + l]);
    }
    fprintf(f, "},\"with_intervals\":%zu,\"fallbacks\":%zu}", ls->nivl,
            ls->nfb);
}

static void write_json(const brun *r, FILE *f)
{
    const hz__bt_recon *a = r->a;
    char unit[24];
    fprintf(f,
            "{\"reconcile\":\"%s\",\"bias_correct\":%s,\"nodes\":%zu,"
            "\"groups\":%zu,\"horizon\":%zu,\"origins\":%zu,\"freq\":\"%s\","
            "\"levels\":[",
            hz_recon_name(a->rq->reconcile),
            a->rq->recon_bias != HZ_RECON_BIAS_OFF ? "true" : "false",
            r->nodes, a->set->nseries, r->h, a->origins,
            hz_calendar_unit(&a->set->cal, unit, sizeof unit));
    for (size_t l = 0; l < r->nlev; l++) {
        fprintf(f, "%s{\"level\":", l ? "," : "");
        json_str(f, r->names[l]);
        fprintf(f, ",\"depth\":%zu,\"evaluated\":%zu,\"models\":[", l,
                r->cnt[l]);
        for (size_t k = 0; k < a->nmod; k++) {
            double mb[S_COV + HZ_FC_MAX_LEVELS], mr[S_COV + HZ_FC_MAX_LEVELS];
            means(r, l, k, BASE, mb);
            means(r, l, k, RECON, mr);
            fprintf(f, "%s{\"model\":\"%s\",\"base\":", k ? "," : "",
                    hz_fc_model_name(a->models[k]));
            json_block(r, f, mb, lsum_at(r, l, k, BASE));
            fputs(",\"reconciled\":", f);
            json_block(r, f, mr, lsum_at(r, l, k, RECON));
            fputs(",\"mase_change_pct\":", f);
            hz__bt_json_num(f, change(mb[S_MASE], mr[S_MASE]));
            fputs(",\"seconds\":", f);
            hz__bt_json_num(f, r->secs[k]);
            fputc('}', f);
        }
        fputs("]}", f);
    }
    fputs("]}\n", f);
}

static void write_csv(const brun *r, FILE *f)
{
    const hz__bt_recon *a = r->a;
    fputs("level,depth,model,reconciled,evaluated,smape,mase,rmsse", f);
    for (size_t l = 0; l < r->nl; l++)
        fprintf(f, ",coverage%g", a->rq->levels[l]);
    fputs(",msis,spl,with_intervals,fallbacks,mase_change_pct,seconds\n", f);
    for (size_t l = 0; l < r->nlev; l++)
        for (size_t k = 0; k < a->nmod; k++) {
            double m[NKIND][S_COV + HZ_FC_MAX_LEVELS];
            means(r, l, k, BASE, m[BASE]);
            means(r, l, k, RECON, m[RECON]);
            for (int kind = 0; kind < NKIND; kind++) {
                const lsum *ls = lsum_at(r, l, k, kind);
                hz__bt_csv_field(f, r->names[l]);
                fprintf(f, ",%zu,%s,%s,%zu", l, hz_fc_model_name(a->models[k]),
                        kind == RECON ? "yes" : "no", r->cnt[l]);
                for (size_t j = 0; j < S_MSIS; j++)
                    hz__bt_csv_num6(f, m[kind][j]);
                for (size_t j = 0; j < r->nl; j++)
                    hz__bt_csv_num6(f, m[kind][S_COV + j]);
                hz__bt_csv_num6(f, m[kind][S_MSIS]);
                hz__bt_csv_num6(f, m[kind][S_SPL]);
                fprintf(f, ",%zu,%zu", ls->nivl, ls->nfb);
                hz__bt_csv_num6(f, kind == RECON ? change(m[BASE][S_MASE],
                                                          m[RECON][S_MASE])
                                                 : NAN);
                hz__bt_csv_num6(f, r->secs[k]);
                fputc('\n', f);
            }
        }
}

/* "  base  recon" under a measure of width w each. */
static void txt_pair(FILE *f, int w, int prec, double base, double rec)
{
    hz__bt_txt_num(f, " ", w, prec, base);
    hz__bt_txt_num(f, " ", w, prec, rec);
}

static void write_text(const brun *r, FILE *f)
{
    const hz__bt_recon *a = r->a;
    const double *lv = a->rq->levels;
    char unit[24];
    int lw = 5;
    for (size_t l = 0; l < r->nlev; l++)
        lw = (int)strlen(r->names[l]) > lw ? (int)strlen(r->names[l]) : lw;
    fprintf(f,
            "%zu nodes in %zu levels (%zu groups, %s) x %zu origin(s), "
            "horizon %zu: each node's own forecast (base) against %s%s "
            "(recon)\n",
            r->nodes, r->nlev, a->set->nseries,
            hz_calendar_unit(&a->set->cal, unit, sizeof unit), a->origins,
            r->h, hz_recon_name(a->rq->reconcile),
            a->rq->recon_bias != HZ_RECON_BIAS_OFF ? ", bias-corrected first"
                                                   : "");
    fprintf(f, "%-*s %-8s %6s %23s %15s %15s", lw, "", "", "", "MASE", "RMSSE",
            "sMAPE");
    for (size_t l = 0; l < r->nl; l++) {
        char cov[24];
        snprintf(cov, sizeof cov, "cov%g", lv[l]);
        fprintf(f, " %13s", cov);
    }
    fprintf(f, " %17s %15s\n", "MSIS", "SPL");
    fprintf(f, "%-*s %-8s %6s %7s %7s %7s", lw, "level", "model", "pairs",
            "base", "recon", "change");
    for (size_t j = 0; j < 2; j++)
        fprintf(f, " %7s %7s", "base", "recon");
    for (size_t l = 0; l < r->nl; l++)
        fprintf(f, " %6s %6s", "base", "recon");
    fprintf(f, " %8s %8s %7s %7s\n", "base", "recon", "base", "recon");
    for (size_t l = 0; l < r->nlev; l++)
        for (size_t k = 0; k < a->nmod; k++) {
            double mb[S_COV + HZ_FC_MAX_LEVELS], mr[S_COV + HZ_FC_MAX_LEVELS];
            means(r, l, k, BASE, mb);
            means(r, l, k, RECON, mr);
            fprintf(f, "%-*s %-8s %6zu", lw, r->names[l],
                    hz_fc_model_name(a->models[k]), r->cnt[l]);
            txt_pair(f, 7, 4, mb[S_MASE], mr[S_MASE]);
            const double ch = change(mb[S_MASE], mr[S_MASE]);
            if (isfinite(ch))
                fprintf(f, " %+6.1f%%", ch);
            else
                fprintf(f, " %7s", "-");
            txt_pair(f, 7, 4, mb[S_RMSSE], mr[S_RMSSE]);
            txt_pair(f, 7, 3, mb[S_SMAPE], mr[S_SMAPE]);
            for (size_t j = 0; j < r->nl; j++)
                txt_pair(f, 6, 3, mb[S_COV + j], mr[S_COV + j]);
            txt_pair(f, 8, 3, mb[S_MSIS], mr[S_MSIS]);
            txt_pair(f, 7, 4, mb[S_SPL], mr[S_SPL]);
            fputc('\n', f);
        }
}

/* The per-series file, then the table (perhaps to standard output:
 * last), all whole or none new. */
static int write_outputs(const char *cmd, const brun *r)
{
    hz_cli_outs outs;
    hz_cli_outs_init(&outs, cmd);
    FILE *f;
    if (r->a->perpath != NULL) {
        if ((f = hz_cli_outs_add(&outs, r->a->perpath)) == NULL)
            return HZ_EXIT_FAIL;
        fwrite(r->psbuf, 1, r->pslen, f);
    }
    if ((f = hz_cli_outs_add(&outs, r->a->outpath)) == NULL)
        return HZ_EXIT_FAIL;
    if (r->a->json)
        write_json(r, f);
    else if (r->a->outpath != NULL)
        write_csv(r, f);
    else
        write_text(r, f);
    return hz_cli_outs_commit(&outs);
}

/* The pairs left out, or none to score: as the backtest says them. */
static int report_pairs(const char *cmd, const brun *r)
{
    size_t eligible = 0, cnt = 0;
    for (size_t l = 0; l < r->nlev; l++) {
        eligible += r->eligible[l];
        cnt += r->cnt[l];
    }
    const char *why = "a model's MASE or sMAPE, base or reconciled, is "
                      "undefined there (a training history constant at "
                      "the seasonal lag, such as a product that never "
                      "sold, has no MASE scale; --per-series marks them "
                      "'undefined')";
    if (eligible == 0) {
        hz_cli_error(cmd,
                     "no node has the %zu + %zu periods needed to evaluate "
                     "(%zu groups)",
                     r->h + r->a->origins - 1, (size_t)3, r->a->set->nseries);
        return HZ_EXIT_FAIL;
    }
    if (cnt == 0) {
        hz_cli_error(cmd,
                     "none of the %zu (node, origin) pairs could be scored: "
                     "%s; first: node '%s', cutoff %s",
                     eligible, why, r->left_node, r->left_cut);
        return HZ_EXIT_FAIL;
    }
    if (cnt < eligible)
        fprintf(stderr,
                "horizon %s: %zu of %zu (node, origin) pairs left out of the "
                "table: %s; first: node '%s', cutoff %s\n",
                cmd, eligible - cnt, eligible, why, r->left_node, r->left_cut);
    return HZ_EXIT_OK;
}

int hz__bt_recon_run(const char *cmd, const hz__bt_recon *a)
{
    brun r;
    memset(&r, 0, sizeof r);
    r.a = a;
    r.nlev = a->rq->nby + 1;
    r.h = a->rq->horizon;
    r.nl = a->rq->nlevels;
    level_names(&r);
    r.sums = calloc(r.nlev * a->nmod * NKIND, sizeof *r.sums);
    r.cnt = calloc(r.nlev, sizeof *r.cnt);
    r.eligible = calloc(r.nlev, sizeof *r.eligible);
    r.secs = calloc(a->nmod ? a->nmod : 1, sizeof *r.secs);
    int rc = HZ_EXIT_OK;
    if (r.sums == NULL || r.cnt == NULL || r.eligible == NULL ||
        r.secs == NULL ||
        (a->perpath != NULL &&
         (r.ps = open_memstream(&r.psbuf, &r.pslen)) == NULL)) {
        hz_cli_error(cmd, "out of memory");
        rc = HZ_EXIT_FAIL;
    }
    if (r.ps != NULL) {
        fputs("series,level,cutoff,model,reconciled,method,train_n,smape,"
              "mase,rmsse",
              r.ps);
        for (size_t l = 0; l < r.nl; l++)
            fprintf(r.ps, ",coverage%g", a->rq->levels[l]);
        fputs(",msis,spl,fallback,status,points\n", r.ps);
    }
    for (size_t o = 0; rc == HZ_EXIT_OK && o < a->origins; o++)
        rc = run_origin(cmd, &r, o);
    if (r.ps != NULL && fclose(r.ps) != 0 && rc == HZ_EXIT_OK) {
        hz_cli_error(cmd, "out of memory");
        rc = HZ_EXIT_FAIL;
    }
    if (rc == HZ_EXIT_OK)
        rc = report_pairs(cmd, &r);
    if (rc == HZ_EXIT_OK)
        rc = write_outputs(cmd, &r);
    free(r.psbuf);
    free(r.sums);
    free(r.cnt);
    free(r.eligible);
    free(r.secs);
    return rc;
}
