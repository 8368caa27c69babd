/* The request runner: dataset -> series (or, reconciled, the nodes of
 * their hierarchy) -> a forecast per series through hz_forecast_many
 * (in parallel; values too large or small for the models scaled and
 * scaled back; the model's or conformal intervals; points and bounds kept
 * at or above zero for non-negative data) -> reconciliation, with fitted
 * values for the diagnostics.  Writers are in fc_write.c. */
#pragma GCC diagnostic ignored "-Wformat-truncation" /* bounded notes */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forecast/fc_internal.h"
#include "horizon/dataset.h"
#include "horizon/forecast.h"
#include "horizon/reconcile.h"
#include "horizon/series.h"

void hz_forecast_request_init(hz_forecast_request *r)
{
    memset(r, 0, sizeof *r);
    r->freq = HZ_FREQ_INFER;
    r->agg = HZ_AGG_SUM;
    r->horizon = 12;
    r->nlevels = 2;
    r->levels[0] = 80;
    r->levels[1] = 95;
    r->model = HZ_MODEL_AUTO;
    r->seed = 42;
    r->fill = HZ_FILL_AUTO;
    r->week_anchor = -1;
    r->label_end = -1;
    r->nonnegative = HZ_NONNEG_AUTO;
}

void hz_forecast_result_free(hz_forecast_result *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->nseries; i++) {
        free(r->series[i].key);
        hz_forecast_free(r->series[i].fc);
        free(r->series[i].days);
        free(r->series[i].history);
        free(r->series[i].fitted);
        free(r->series[i].filled_at);
        hz_forecast_free(r->series[i].base);
        free(r->series[i].holdout);
    }
    free(r->series);
    free(r);
}

/* --reconcile on a long file: refused, saying how to read the file as a
 * table with the user's own columns (until 2026-12-07 it said "--date ds
 * --value y --by unique_id" to a user whose columns were day, qty and
 * sku, which the file does not have). */
static hz_status long_refused(const hz_forecast_request *req, hz_error *err)
{
    char by[256] = "";
    size_t len = 0;
    for (size_t k = 0; k < req->nby && len < sizeof by; k++) {
        int w = snprintf(by + len, sizeof by - len, "%s%s", k ? "," : "",
                         req->by_cols[k]);
        len += w > 0 ? (size_t)w : 0;
    }
    char value[160];
    if (req->value_col != NULL)
        snprintf(value, sizeof value, "--value %s", req->value_col);
    else
        snprintf(value, sizeof value, "--agg count");
    return hz_error_set(err, HZ_EINVAL,
                        "reconciliation needs series that end together, "
                        "and a long file's (--long, or statsforecast's "
                        "columns unique_id, ds, y read so) each end at "
                        "their own last period: read it as a table "
                        "(--date %s %s --by %s, without --long), whose "
                        "series all run to its last period (the periods "
                        "a series has no rows for filled as --fill says)",
                        req->date_col ? req->date_col : "ds", value, by);
}

hz_status hz_forecast_request_check(const hz_forecast_request *req,
                                    hz_error *err)
{
    if (req == NULL)
        return hz_error_set(err, HZ_EINVAL, "forecast: null argument");
    if (req->horizon == 0 || req->horizon > 100000)
        return hz_error_set(err, HZ_EINVAL,
                            "horizon must be between 1 and 100000, got %zu",
                            req->horizon);
    if (req->nlevels > HZ_FC_MAX_LEVELS)
        return hz_error_set(err, HZ_EINVAL, "at most %d interval levels",
                            HZ_FC_MAX_LEVELS);
    for (size_t k = 0; k < req->nlevels; k++)
        if (!(req->levels[k] > 0 && req->levels[k] < 100))
            return hz_error_set(err, HZ_EINVAL,
                                "interval level must be in (0, 100), got "
                                "%g",
                                req->levels[k]);
    for (size_t k = 0; k < req->nlevels; k++)
        for (size_t j = 0; j < k; j++)
            if (req->levels[j] == req->levels[k]) /* two columns lo50 */
                return hz_error_set(err, HZ_EINVAL,
                                    "interval level %g%% given twice",
                                    req->levels[k]);
    if (strcmp(hz_fc_model_name(req->model), "unknown") == 0)
        return hz_error_set(err, HZ_EINVAL, "unknown model %d", req->model);
    if (req->intervals != HZ_INTERVALS_MODEL &&
        req->intervals != HZ_INTERVALS_CONFORMAL)
        return hz_error_set(err, HZ_EINVAL, "unknown interval kind %d",
                            req->intervals);
    if (req->value_col == NULL && req->agg != HZ_AGG_COUNT)
        return hz_error_set(err, HZ_EINVAL, "no value column given");
    if (req->reconcile < HZ_RECON_NONE || req->reconcile > HZ_RECON_MINT_H)
        return hz_error_set(err, HZ_EINVAL, "unknown reconciliation %d",
                            req->reconcile);
    if (req->recon_bias != HZ_RECON_BIAS_AUTO &&
        req->recon_bias != HZ_RECON_BIAS_ON &&
        req->recon_bias != HZ_RECON_BIAS_OFF)
        return hz_error_set(err, HZ_EINVAL, "unknown bias correction %d",
                            req->recon_bias);
    if (req->recon_bias == HZ_RECON_BIAS_ON && req->reconcile == HZ_RECON_NONE)
        return hz_error_set(err, HZ_EINVAL,
                            "bias correction needs a reconciliation");
    if (req->reconcile != HZ_RECON_NONE && req->nby == 0)
        return hz_error_set(err, HZ_EINVAL,
                            "reconciliation needs group columns (--by)");
    if (req->reconcile != HZ_RECON_NONE && req->agg == HZ_AGG_MEAN)
        return hz_error_set(err, HZ_EINVAL,
                            "reconciliation needs series that add up (--agg "
                            "sum or count): a group's mean is not the sum "
                            "of its members' means");
    if (req->reconcile != HZ_RECON_NONE && req->long_format)
        return long_refused(req, err);
    return HZ_OK;
}

/* ---- one series ---- */

/* The input side of a result: one series (or hierarchy node) of the
 * request. */
typedef struct node_in {
    const char *key;
    int64_t start;
    const double *values;
    size_t n, nobs, nfilled;
    const unsigned char *filled_at; /* [n] or NULL (none filled) */
} node_in;

/* o's key, history, labels and an empty forecast (with room for the
 * fitted values when the request keeps them); *seed from the key.
 * Returns -1 on ENOMEM. */
static int prepare_result(const hz_forecast_request *req,
                          const hz_calendar *cal, const node_in *s,
                          hz_forecast_series_result *o, uint64_t *seed)
{
    o->key = strdup(s->key);
    o->fc = hz_forecast_alloc(req->horizon, req->nlevels, req->levels);
    o->days = malloc(req->horizon * sizeof *o->days);
    o->history = malloc((s->n ? s->n : 1) * sizeof *o->history);
    const bool fitted = req->keep_fitted || req->reconcile != HZ_RECON_NONE;
    if (fitted) /* reconciliation weighs the nodes by their residuals */
        o->fitted = malloc((s->n ? s->n : 1) * sizeof *o->fitted);
    const bool filled = s->nfilled > 0 && s->filled_at != NULL && s->n > 0;
    if (filled)
        o->filled_at = malloc(s->n);
    if (o->key == NULL || o->fc == NULL || o->days == NULL ||
        o->history == NULL || (fitted && o->fitted == NULL) ||
        (filled && o->filled_at == NULL))
        return -1;
    if (filled)
        memcpy(o->filled_at, s->filled_at, s->n);
    o->n = s->n;
    o->start = s->start;
    o->nobs = s->nobs;
    o->nfilled = s->nfilled;
    if (s->n > 0)
        memcpy(o->history, s->values, s->n * sizeof *o->history);
    o->last_day = hz_calendar_day(cal, s->start + (int64_t)s->n - 1);
    double tot = 0.0;
    for (size_t t = s->n > 12 ? s->n - 12 : 0; t < s->n; t++)
        tot += s->values[t];
    o->last12_total = tot;
    for (size_t hh = 0; hh < req->horizon; hh++)
        o->days[hh] = hz_calendar_day(cal, s->start + (int64_t)(s->n + hh));
    o->fc->fitted = o->fitted;
    o->fc->fitted_cap = o->fitted ? s->n : 0;
    *seed = hz__hash64(s->key, strlen(s->key), req->seed);
    return 0;
}

/* Every result of the request: the series, or the hierarchy's nodes. */
static hz_status prepare_all(const hz_forecast_request *req,
                             const hz_series_set *set, const hz__hier *H,
                             hz_forecast_result *r, uint64_t *seeds,
                             hz_error *err)
{
    for (size_t i = 0; i < r->nseries; i++) {
        node_in in;
        if (H != NULL) { /* the node's own history */
            size_t off = H->off[i];
            in = (node_in){H->keys[i],
                           H->start + (int64_t)off,
                           H->y[i] + off,
                           H->n - off,
                           H->nobs[i],
                           H->nfilled[i],
                           H->filled + i * H->n + off};
        } else {
            const hz_series *sr = &set->series[i];
            in = (node_in){sr->key,  sr->start,   sr->values,   sr->n,
                           sr->nobs, sr->nfilled, sr->filled_at};
        }
        if (prepare_result(req, &set->cal, &in, &r->series[i], &seeds[i]) != 0)
            return hz_error_set(err, HZ_ENOMEM, "forecast: out of memory");
        r->series[i].level = H != NULL ? H->level[i] : (int)req->nby;
    }
    return HZ_OK;
}

/* A model's note names values by their position in the series ("value
 * at position 18 is negative"): the period's label goes beside it
 * ("position 18 (2024-01-19)"), which is what a user can look up. */
static void label_positions(char *note, size_t cap, const hz_calendar *cal,
                            int64_t start, size_t n)
{
    static const char key[] = "position ";
    char out[256];
    size_t len = 0;
    const char *s = note;
    for (const char *p; (p = strstr(s, key)) != NULL && len < sizeof out;) {
        const char *d = p + sizeof key - 1;
        char *end;
        unsigned long long pos = strtoull(d, &end, 10);
        if (end == d || *d == '-' || pos >= n) {
            len += (size_t)snprintf(out + len, sizeof out - len, "%.*s",
                                    (int)(d - s), s);
            s = d;
            continue;
        }
        char lab[32];
        hz_calendar_format(cal, start + (int64_t)pos, lab, sizeof lab);
        len += (size_t)snprintf(out + len, sizeof out - len, "%.*s (%s)",
                                (int)(end - s), s, lab);
        s = end;
    }
    if (len < sizeof out)
        snprintf(out + len, sizeof out - len, "%s", s);
    snprintf(note, cap, "%s", out);
}

/* Forecast every result (hz_forecast_many: the guard, the intervals the
 * request asks for, identical for any thread count). */
static hz_status run_models(const hz_series_set *set,
                            const hz_forecast_request *req,
                            hz_forecast_result *r, const uint64_t *seeds,
                            const hz_recon_steps *steps, hz_error *err)
{
    size_t ns = r->nseries, n1 = ns ? ns : 1;
    const double **y = malloc(n1 * sizeof *y);
    size_t *n = malloc(n1 * sizeof *n);
    hz_forecast **fc = malloc(n1 * sizeof *fc);
    hz_forecast_guard *g = calloc(n1, sizeof *g);
    int64_t *start = malloc(n1 * sizeof *start);
    hz_status st = HZ_OK;
    if (y == NULL || n == NULL || fc == NULL || g == NULL || start == NULL) {
        st = hz_error_set(err, HZ_ENOMEM, "forecast: out of memory");
        goto done;
    }
    for (size_t i = 0; i < ns; i++) {
        y[i] = r->series[i].history;
        n[i] = r->series[i].n;
        fc[i] = r->series[i].fc;
        start[i] = r->series[i].start;
    }
    hz_fc_batch b;
    hz_fc_batch_init(&b);
    b.nseries = ns;
    b.y = y;
    b.n = n;
    b.seeds = seeds;
    b.period = set->period;
    b.seasons = set->seasons;
    b.model = req->model;
    b.threads = req->threads;
    b.intervals = req->intervals;
    b.nonnegative = req->nonnegative;
    b.guards = g;
    b.cal = &set->cal; /* the hours the clocks skip: no errors there */
    b.start = start;
    if (steps != NULL) { /* mint-h: the nodes' multi-step errors */
        b.errors = (double *)steps->e;
        b.err_origins = steps->R;
    }
    st = hz_forecast_many(&b, fc, err);
    for (size_t i = 0; st == HZ_OK && i < ns; i++) {
        hz_forecast_series_result *o = &r->series[i];
        snprintf(o->method, sizeof o->method, "%s", o->fc->method);
        snprintf(o->note, sizeof o->note, "%s", o->fc->note);
        label_positions(o->note, sizeof o->note, &set->cal, o->start, o->n);
        o->scale_exp = g[i].scale_exp;
        o->nonnegative = g[i].nonnegative;
        o->nclamped = g[i].nclamped;
    }
    /* a result is whole or refused: a series no model could forecast
     * (method "none", its reason in the note) fails the request */
    size_t nfail = 0, first = 0;
    for (size_t i = 0; st == HZ_OK && i < ns; i++)
        if (strcmp(r->series[i].method, "none") == 0 && nfail++ == 0)
            first = i;
    if (nfail > 0)
        st = hz_error_set(err, HZ_ENOCONV,
                          "forecast: series '%s' could not be forecast (%zu "
                          "of %zu series): %s",
                          r->series[first].key, nfail, ns,
                          r->series[first].note);
done:
    free(y);
    free(n);
    free(fc);
    free(g);
    free(start);
    return st;
}

#define BELOW_NOTE "reconciled point below zero"

/* Node f's point at step i moved to v, its bounds by as much (they keep
 * bracketing it, in order). */
static void move_point(hz_forecast *f, size_t i, double v)
{
    double d = v - f->mean[i];
    f->mean[i] = v;
    for (size_t k = 0; d != 0 && k < f->nlevels; k++) {
        f->lower[k][i] += d;
        f->upper[k][i] += d;
    }
}

/* After reconciliation, non-negative nodes at or above zero again without
 * breaking the sums: the points of non-negative bottom series below zero
 * raised to zero and every node's point re-summed from the bottom (the
 * set-negatives-to-zero heuristic of Wickramasuriya, Athanasopoulos &
 * Hyndman 2020); a point that moves takes its bounds with it, so that
 * they still bracket it.  Then the bounds of non-negative nodes are
 * raised to zero where the point is at or above it (lo95 <= lo80 <=
 * point <= hi80 <= hi95 holds throughout).  A non-negative node whose
 * point stays below zero, because series under it go below zero, keeps
 * bounds around it, is not counted as kept at or above zero, and its
 * note says why.  nclamped counts the values raised here: those of the
 * base forecasts, which reconciliation replaced, no longer count (a total
 * whose base forecast was raised could be written below zero). */
static void keep_nonneg(const hz__hier *H, hz_forecast_result *r)
{
    size_t m = H->m, nb = H->nb, b0 = m - nb, h = r->horizon;
    size_t raised = 0;
    for (size_t j = 0; j < m; j++) /* what is written is reconciled */
        r->series[j].nclamped = 0;
    for (size_t b = 0; b < nb; b++) {
        hz_forecast_series_result *o = &r->series[b0 + b];
        for (size_t i = 0; o->nonnegative && i < h; i++)
            if (o->fc->mean[i] < 0) {
                move_point(o->fc, i, 0.0);
                o->nclamped++;
                raised++;
            }
    }
    for (size_t j = 0; raised > 0 && j < b0; j++) /* sums of the bottom */
        for (size_t i = 0; i < h; i++) {
            double v = 0;
            for (size_t b = 0; b < nb; b++)
                if (H->S[j * nb + b] != 0)
                    v += r->series[b0 + b].fc->mean[i];
            move_point(r->series[j].fc, i, v);
        }
    for (size_t j = 0; j < m; j++) {
        hz_forecast_series_result *o = &r->series[j];
        hz_forecast *f = o->fc;
        size_t below = 0;
        for (size_t i = 0; o->nonnegative && i < h; i++) {
            if (f->mean[i] < 0) {
                below++;
                continue;
            }
            for (size_t k = 0; k < f->nlevels; k++) {
                o->nclamped += f->lower[k][i] < 0;
                o->nclamped += f->upper[k][i] < 0;
                f->lower[k][i] = f->lower[k][i] < 0 ? 0 : f->lower[k][i];
                f->upper[k][i] = f->upper[k][i] < 0 ? 0 : f->upper[k][i];
            }
        }
        if (below == 0)
            continue;
        const char *neg = "";
        for (size_t b = 0; b < nb && neg[0] == '\0'; b++)
            if (H->S[j * nb + b] != 0 && !r->series[b0 + b].nonnegative)
                neg = H->keys[b0 + b];
        char add[192], nm[72], of[48];
        snprintf(add, sizeof add,
                 BELOW_NOTE " at %s: series under it go below "
                            "zero ('%s'); bounds kept around it",
                 hz__of_count(below, h, "step", "steps", of, sizeof of),
                 hz__note_name(neg, 64, nm, sizeof nm));
        hz__note_append(o->note, sizeof o->note, add);
        o->nonnegative = 0;
    }
}

#define BIAS_NOTE "bias-corrected"

bool hz_forecast_note_is_fallback(const char *note)
{
    /* notes that are not fallbacks come after any fallback's, so a note
     * that starts with one of them holds no fallback */
    return note[0] != '\0' &&
           strncmp(note, BIAS_NOTE, strlen(BIAS_NOTE)) != 0 &&
           strncmp(note, BELOW_NOTE, strlen(BELOW_NOTE)) != 0 &&
           strncmp(note, HZ__NO_INTERVALS_NOTE,
                   strlen(HZ__NO_INTERVALS_NOTE)) != 0 &&
           strncmp(note, HZ__CONFORMAL_KEPT_NOTE,
                   strlen(HZ__CONFORMAL_KEPT_NOTE)) != 0 &&
           strncmp(note, HZ__CONFORMAL_FEW_NOTE,
                   strlen(HZ__CONFORMAL_FEW_NOTE)) != 0 &&
           strncmp(note, HZ__CONFORMAL_TIED_NOTE,
                   strlen(HZ__CONFORMAL_TIED_NOTE)) != 0;
}

bool hz_forecast_note_conformal_few(const char *note)
{
    return strstr(note, HZ__CONFORMAL_FEW_NOTE) != NULL;
}

bool hz_forecast_note_conformal_kept(const char *note)
{
    return strstr(note, HZ__CONFORMAL_KEPT_NOTE) != NULL ||
           strstr(note, HZ__CONFORMAL_FEW_NOTE) != NULL;
}

/* Does node i's base forecast enter the reconciled ones?  bu takes the
 * bottom series' only; the others every node's (td the total's as the
 * amount it splits, the others' as its forecast proportions: until
 * 2026-12-07 td split by historical proportions and took in the total's
 * alone). */
static bool enters(const hz__hier *H, int method, size_t i)
{
    return method == HZ_RECON_BU ? i >= H->m - H->nb : true;
}

/* Before reconciling: the nodes' biases corrected where that would have
 * helped (hz_recon_bias_correct), each corrected node whose forecast the
 * method takes in saying so, and counted (until 2026-12-07 also the
 * others, whose corrections changed nothing: under bu every node above
 * the bottom). */
static hz_status bias_correct(const hz__hier *H, const hz_recon_steps *steps,
                              hz_forecast *const *fc, int method,
                              hz_forecast_result *r, hz_error *err)
{
    const size_t h = r->horizon, R = steps->R, m = H->m;
    size_t *cnt = calloc(m ? m : 1, sizeof *cnt);
    double *shift = method == HZ_RECON_MINT_H
                        ? malloc((m * h > 0 ? m * h : 1) * sizeof *shift)
                        : NULL;
    if (cnt == NULL || (method == HZ_RECON_MINT_H && shift == NULL)) {
        free(cnt);
        free(shift);
        return hz_error_set(err, HZ_ENOMEM, "forecast: out of memory");
    }
    (void)hz_recon_bias_correct(m, h, steps, H->level, fc, cnt, shift);
    /* mint-h's covariances: the errors left after the correction (the
     * runner owns them) */
    double *e = (double *)steps->e;
    for (size_t i = 0; shift != NULL && i < m; i++)
        for (size_t q = 0; cnt[i] > 0 && q < R; q++)
            for (size_t t = 0; t < h; t++)
                e[(i * R + q) * h + t] -= shift[i * h + t];
    free(shift);
    r->bias_steps = 0;
    for (size_t i = 0; i < m; i++) {
        if (cnt[i] == 0 || !enters(H, method, i))
            continue;
        r->bias_nodes++;
        r->bias_steps += cnt[i];
        hz_forecast_series_result *o = &r->series[i];
        char add[96], of[48];
        snprintf(add, sizeof add, BIAS_NOTE " at %s (%zu origin%s)",
                 hz__of_count(cnt[i], h, "step", "steps", of, sizeof of), R,
                 R == 1 ? "" : "s");
        hz__note_append(o->note, sizeof o->note, add); /* kept whole */
    }
    free(cnt);
    return HZ_OK;
}

/* Where a non-negative node's base lower bound is 0 (intermittent
 * demand: no demand at least as likely as the bound's tail), before the
 * bias correction shifts it: zero[(i * h + s) * nl + l]. */
static bool *zero_bounds(const hz__hier *H, const hz_forecast_result *r)
{
    size_t h = r->horizon, nl = H->m ? r->series[0].fc->nlevels : 0;
    bool *zero = calloc(H->m * h * nl > 0 ? H->m * h * nl : 1, sizeof *zero);
    for (size_t i = 0; zero != NULL && i < H->m; i++) {
        const hz_forecast *f = r->series[i].fc;
        for (size_t s = 0; r->series[i].nonnegative && s < h; s++)
            for (size_t l = 0; l < nl && l < f->nlevels; l++)
                zero[(i * h + s) * nl + l] = f->lower[l][s] == 0;
    }
    return zero;
}

/* Such bounds stay at 0 after reconciliation, which keeps the base
 * bounds' shape but lays it off from the reconciled point
 * (hz_reconcile), where the point is at or above zero: the chance of no
 * demand is the base model's, whatever moved the mean. */
static void keep_zero_bounds(const hz__hier *H, hz_forecast_result *r,
                             const bool *zero)
{
    size_t h = r->horizon, nl = H->m ? r->series[0].fc->nlevels : 0;
    for (size_t i = 0; i < H->m; i++) {
        hz_forecast *f = r->series[i].fc;
        for (size_t s = 0; r->series[i].nonnegative && s < h; s++)
            for (size_t l = 0; l < nl && l < f->nlevels; l++)
                if (zero[(i * h + s) * nl + l] && f->mean[s] >= 0 &&
                    f->lower[l][s] > 0)
                    f->lower[l][s] = 0.0;
    }
}

/* A node whose base forecast had no bounds (one observation) but whose
 * reconciled one has them (td: every node a share of the total's) loses
 * the note that says it has none (until 2026-12-07 its row had bounds
 * beside "no intervals from one observation") and says where they come
 * from. */
static void drop_no_bounds_note(hz_forecast_series_result *o)
{
    char *p = strstr(o->note, HZ__NO_INTERVALS_NOTE);
    if (p == NULL || o->fc->nlevels == 0 || isnan(o->fc->lower[0][0]))
        return;
    char *end = strstr(p, "; ");
    char *from = p >= o->note + 2 && p[-2] == ';' ? p - 2 : p;
    if (end == NULL)
        *from = '\0';
    else {
        const char *rest = from == p ? end + 2 : end;
        memmove(from, rest, strlen(rest) + 1);
    }
    hz__note_append(o->note, sizeof o->note,
                    "bounds: its share of the total's (td)");
}

/* Reconciled requests: make the nodes' forecasts add up (then keep the
 * non-negative nodes at or above zero again, still adding up). */
static hz_status reconcile_nodes(const hz__hier *H, int period,
                                 const hz_forecast_request *req,
                                 const hz_recon_steps *steps,
                                 hz_forecast_result *r, hz_error *err)
{
    size_t cells = H->m * H->n;
    double *resid = malloc((cells > 0 ? cells : 1) * sizeof *resid);
    hz_forecast **fc = malloc(H->m * sizeof *fc);
    const double **fit = malloc(H->m * sizeof *fit);
    bool *zero = zero_bounds(H, r);
    hz_status st = HZ_OK;
    for (size_t i = 0; fc != NULL && fit != NULL && i < H->m; i++) {
        fc[i] = r->series[i].fc;
        fit[i] = r->series[i].fitted; /* the base models' */
    }
    if (resid == NULL || fc == NULL || fit == NULL || zero == NULL ||
        hz__hier_residuals(H, fit, period, req->threads, resid) != 0) {
        st = hz_error_set(err, HZ_ENOMEM,
                          "forecast: out of memory for the in-sample errors "
                          "of %zu nodes over %zu periods (reconcile)",
                          H->m, H->n);
        goto done;
    }
    if (req->recon_bias != HZ_RECON_BIAS_OFF && steps != NULL &&
        (st = bias_correct(H, steps, fc, req->reconcile, r, err)) != HZ_OK)
        goto done;
    /* the first node without bounds (one observation) */
    size_t nobounds = H->m;
    for (size_t i = 0; i < H->m && nobounds == H->m; i++)
        if (fc[i]->nlevels > 0 && isnan(fc[i]->lower[0][0]))
            nobounds = i;
    hz_hierarchy hh = {H->m, H->nb, H->S, (const char *const *)H->keys};
    st = hz_reconcile_steps(&hh, req->reconcile, (const double *const *)H->y,
                            H->n, resid, H->n, steps, fc, &r->lambda, err);
    for (size_t i = 0; st == HZ_OK && nobounds < H->m && i < H->m; i++) {
        hz_forecast_series_result *o = &r->series[i];
        if (!isnan(fc[i]->lower[0][0]) ||
            strstr(o->note, HZ__NO_INTERVALS_NOTE) != NULL)
            continue;
        char add[160], nm[72];
        snprintf(add, sizeof add,
                 HZ__NO_INTERVALS_NOTE ": reconciled with '%s', which has "
                                       "none",
                 hz__note_name(H->keys[nobounds], 64, nm, sizeof nm));
        hz__note_append(o->note, sizeof o->note, add);
    }
    /* the model's whole name and the method after it (until 2026-12-07
     * a 64-byte field cut "...+SNaive) [mint-h]" to "...+SNaive) [mint") */
    _Static_assert(sizeof r->series[0].method >=
                       sizeof r->series[0].fc->method + sizeof " [mint-h]" - 1,
                   "a reconciled node's method name must fit whole");
    for (size_t i = 0; st == HZ_OK && i < H->m; i++) {
        hz_forecast_series_result *o = &r->series[i];
        size_t len = strlen(o->method);
        snprintf(o->method + len, sizeof o->method - len, " [%s]",
                 hz_recon_name(req->reconcile));
    }
    if (st == HZ_OK) {
        keep_nonneg(H, r);
        keep_zero_bounds(H, r, zero);
        for (size_t i = 0; req->reconcile == HZ_RECON_TD && i < H->m; i++)
            drop_no_bounds_note(&r->series[i]);
    }
done:
    for (size_t i = 0; !req->keep_fitted && i < H->m; i++) {
        free(r->series[i].fitted); /* kept only for the residuals */
        r->series[i].fitted = NULL;
        r->series[i].fc->fitted = NULL;
        r->series[i].fc->fitted_cap = 0;
    }
    free(resid);
    free(fc);
    free(fit);
    free(zero);
    return st;
}

/* Forecast dates must be writable: not beyond 9999-12-31. */
static hz_status check_calendar_end(const hz_series_set *set, size_t horizon,
                                    hz_error *err)
{
    const int32_t last = hz_days_from_civil(9999, 12, 31);
    for (size_t i = 0; i < set->nseries; i++) {
        const hz_series *s = &set->series[i];
        int64_t p = s->start + (int64_t)(s->n + horizon) - 1;
        hz_calendar end = set->cal;
        end.end = true; /* the last day of the last forecast period */
        if (hz_calendar_day(&end, p) > last)
            return hz_error_set(err, HZ_EINVAL,
                                "series '%s' would be forecast past "
                                "9999-12-31 (%zu periods after its last "
                                "date): check the dates",
                                s->key, horizon);
    }
    return HZ_OK;
}

static void series_opts(const hz_forecast_request *req, hz_series_opts *so)
{
    hz_series_opts_init(so);
    so->date_col = req->date_col;
    so->value_col = req->value_col;
    so->by_cols = req->by_cols;
    so->nby = req->nby;
    so->freq = (hz_freq)req->freq;
    so->minutes = req->freq_minutes;
    so->week_anchor = req->week_anchor;
    so->label_end = req->label_end;
    so->seasons = req->seasons;
    so->agg = (hz_agg)req->agg;
    so->fill = (hz_fill)req->fill;
    so->extend_to_end = !req->long_format;
    so->partial = (hz_partial)req->partial;
    so->rows_skipped_read = req->rows_skipped_read;
}

static hz_forecast_result *result_new(const hz_forecast_request *req,
                                      const hz_series_set *set, size_t ns)
{
    hz_forecast_result *r = calloc(1, sizeof *r);
    if (r == NULL ||
        (r->series = calloc(ns ? ns : 1, sizeof *r->series)) == NULL) {
        free(r);
        return NULL;
    }
    r->freq = set->freq;
    r->cal = set->cal;
    r->period = set->period;
    r->seasons = set->seasons;
    snprintf(r->freq_reason, sizeof r->freq_reason, "%s", set->freq_reason);
    snprintf(r->seasons_reason, sizeof r->seasons_reason, "%s",
             set->seasons_reason);
    memcpy(r->partial, set->partial, sizeof r->partial);
    r->rows_repeated = set->rows_repeated;
    r->zoned = set->zoned;
    r->unix_times = set->unix_times;
    memcpy(r->repeated_first, set->repeated_first, sizeof r->repeated_first);
    r->names_similar = set->names_similar;
    memcpy(r->similar_first, set->similar_first, sizeof r->similar_first);
    r->rows_empty_key = set->rows_empty_key;
    r->series_empty_key = set->series_empty_key;
    memcpy(r->empty_key_first, set->empty_key_first,
           sizeof r->empty_key_first);
    memcpy(r->empty_key_col, set->empty_key_col, sizeof r->empty_key_col);
    memcpy(r->empty_key_series, set->empty_key_series,
           sizeof r->empty_key_series);
    r->nfilled = set->nfilled;
    r->nseries_filled = set->nseries_filled;
    memcpy(r->filled_first, set->filled_first, sizeof r->filled_first);
    r->nskipped = set->nskipped;
    memcpy(r->skipped_first, set->skipped_first, sizeof r->skipped_first);
    memcpy(r->skipped_last, set->skipped_last, sizeof r->skipped_last);
    r->horizon = req->horizon;
    r->nseries = ns;
    r->rows_used = set->rows_used;
    r->rows_skipped = set->rows_skipped;
    r->reconcile = req->reconcile;
    r->lambda = NAN;
    return r;
}

/* The most periods a --tz zone's clocks skip within the next h periods
 * that exist after a series of set (0 on other clocks). */
static size_t skipped_ahead(const hz_series_set *set, size_t h)
{
    size_t most = 0;
    for (size_t i = 0; h > 0 && set->cal.gaps != NULL && i < set->nseries;
         i++) {
        const int64_t end = set->series[i].start + (int64_t)set->series[i].n;
        const size_t k = (size_t)(hz_calendar_step(&set->cal, end, h - 1) -
                                  end) +
                         1 - h;
        most = k > most ? k : most;
    }
    return most;
}

/* Step j of f (point and bounds) moved to step k. */
static void move_step(hz_forecast *f, size_t k, size_t j)
{
    f->mean[k] = f->mean[j];
    for (size_t l = 0; l < f->nlevels; l++) {
        f->lower[l][k] = f->lower[l][j];
        f->upper[l][k] = f->upper[l][j];
    }
}

/* r's forecasts over r->horizon steps cut to the first h periods that
 * exist, each series' steps on the periods the clocks skip left out:
 * estimated by the model as the history's, never a forecast's label
 * (r->nskipped_ahead: the most of a series, and their days). */
static void keep_steps(hz_forecast_result *r, size_t h)
{
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (size_t i = 0; i < r->nseries; i++) {
        hz_forecast_series_result *s = &r->series[i];
        hz_forecast *fc = s->fc;
        const int64_t end = s->start + (int64_t)s->n;
        size_t k = 0, left = 0;
        for (size_t j = 0; j < r->horizon && k < h; j++) {
            if (hz_calendar_skipped(&r->cal, end + (int64_t)j)) {
                const int64_t p = end + (int64_t)j;
                lo = p < lo ? p : lo;
                hi = p > hi ? p : hi;
                left++;
                continue;
            }
            move_step(fc, k, j);
            if (s->base != NULL)
                move_step(s->base, k, j);
            s->days[k] = s->days[j];
            k++;
        }
        fc->h = h;
        if (s->base != NULL)
            s->base->h = h;
        r->nskipped_ahead = left > r->nskipped_ahead ? left
                                                     : r->nskipped_ahead;
    }
    r->horizon = h;
    if (r->nskipped_ahead > 0) {
        hz_format_day(hz_calendar_day(&r->cal, lo), r->ahead_first);
        hz_format_day(hz_calendar_day(&r->cal, hi), r->ahead_last);
    }
}

/* The base forecasts kept beside the reconciled ones (keep_base):
 * copies of every node's, before bias correction.  -1 on ENOMEM. */
static int keep_bases(hz_forecast_result *r)
{
    for (size_t i = 0; i < r->nseries; i++) {
        const hz_forecast *f = r->series[i].fc;
        hz_forecast *c = hz_forecast_alloc(f->h, f->nlevels, f->levels);
        if (c == NULL)
            return -1;
        memcpy(c->mean, f->mean, f->h * sizeof *c->mean);
        for (size_t l = 0; l < f->nlevels; l++) {
            memcpy(c->lower[l], f->lower[l], f->h * sizeof *c->lower[l]);
            memcpy(c->upper[l], f->upper[l], f->h * sizeof *c->upper[l]);
        }
        snprintf(c->method, sizeof c->method, "%s", f->method);
        snprintf(c->note, sizeof c->note, "%s", f->note);
        r->series[i].base = c;
    }
    return 0;
}

/* The forecasts of the request on the series of set (built by the
 * caller, which frees them); t0 and t1 the times before and after they
 * were built. */
static hz_status run_built(const hz_series_set *set,
                           const hz_forecast_request *req, double t0,
                           double t1, hz_forecast_result **out, hz_error *err)
{
    /* a horizon over periods that exist: one step more for each period a
     * --tz zone's clocks skip on the way, left out of the result
     * (keep_steps); the models see the clock with it, as the history */
    const hz_forecast_request *user = req;
    hz_forecast_request wide = *req;
    wide.horizon += skipped_ahead(set, req->horizon);
    req = &wide;
    hz__hier H;
    memset(&H, 0, sizeof H);
    const bool recon = req->reconcile != HZ_RECON_NONE;
    hz_forecast_result *r = NULL;
    uint64_t *seeds = NULL;
    hz_status st;
    if ((st = check_calendar_end(set, req->horizon, err)) != HZ_OK ||
        (recon && (st = hz__hier_build(set, req->nby, &H, err)) != HZ_OK))
        goto done;
    size_t ns = recon ? H.m : set->nseries;
    r = result_new(req, set, ns);
    seeds = malloc((ns ? ns : 1) * sizeof *seeds);
    if (r == NULL || seeds == NULL) {
        st = hz_error_set(err, HZ_ENOMEM, "forecast: out of memory");
        goto done;
    }
    st = prepare_all(req, set, recon ? &H : NULL, r, seeds, err);
    /* rolling-origin errors for mint-h's covariances and the bias
     * correction (the same origins where both are asked for) */
    const bool bias = recon && req->recon_bias != HZ_RECON_BIAS_OFF;
    hz_recon_steps steps = {
        NULL,
        bias ? hz_recon_bias_origins(req->horizon, set->period)
             : hz_recon_origins(req->horizon, set->period),
        true};
    size_t ecells = ns * steps.R * (req->horizon ? req->horizon : 1);
    if (st == HZ_OK && (bias || req->reconcile == HZ_RECON_MINT_H) &&
        steps.R > 0 &&
        (steps.e = malloc((ecells ? ecells : 1) * sizeof(double))) == NULL)
        st = hz_error_set(err, HZ_ENOMEM, "forecast: out of memory");
    if (st == HZ_OK)
        st = run_models(set, req, r, seeds, steps.e ? &steps : NULL, err);
    if (st == HZ_OK && recon && req->keep_base && keep_bases(r) != 0)
        st = hz_error_set(err, HZ_ENOMEM, "forecast: out of memory");
    if (st == HZ_OK && recon)
        st = reconcile_nodes(&H, set->period, req, steps.e ? &steps : NULL, r,
                             err);
    free((double *)steps.e);
    if (st == HZ_OK && req->horizon > user->horizon)
        keep_steps(r, user->horizon);
    for (size_t i = 0; st == HZ_OK && i < ns; i++) {
        r->nnonneg += (size_t)r->series[i].nonnegative;
        r->nclamped += r->series[i].nclamped;
    }
    if (r != NULL) {
        r->seconds_series = t1 - t0;
        r->seconds_models = hz_now() - t1;
    }
done:
    free(seeds);
    hz__hier_free(&H);
    if (st != HZ_OK) {
        hz_forecast_result_free(r);
        return st;
    }
    *out = r;
    return HZ_OK;
}

hz_status hz_forecast_run(const hz_dataset *ds, const hz_forecast_request *req,
                          hz_forecast_result **out, hz_error *err)
{
    *out = NULL;
    if (ds == NULL || req == NULL)
        return hz_error_set(err, HZ_EINVAL, "forecast: null argument");
    hz_status st = hz_forecast_request_check(req, err);
    if (st != HZ_OK)
        return st;
    double t0 = hz_now();
    hz_series_opts so;
    series_opts(req, &so);
    hz_series_set *set = NULL;
    if ((st = hz_series_build(ds, &so, &set, err)) != HZ_OK)
        return st;
    st = run_built(set, req, t0, hz_now(), out, err);
    hz_series_set_free(set);
    return st;
}

/* ---- one origin of a backtest ---- */

/* set's series cut before period end into cut (which shares their keys
 * and values: free only cut->series); those without a period before it
 * left out.  -1 on ENOMEM. */
static int cut_set(const hz_series_set *set, int64_t end, hz_series_set *cut)
{
    *cut = *set;
    cut->series = malloc((set->nseries ? set->nseries : 1) *
                         sizeof *cut->series);
    if (cut->series == NULL)
        return -1;
    size_t m = 0;
    for (size_t i = 0; i < set->nseries; i++) {
        hz_series s = set->series[i];
        if (s.start >= end)
            continue;
        if (s.start + (int64_t)s.n > end)
            s.n = (size_t)(end - s.start);
        s.nfilled = 0;
        for (size_t t = 0; s.filled_at != NULL && t < s.n; t++)
            s.nfilled += s.filled_at[t] != 0;
        if (s.nfilled == 0)
            s.filled_at = NULL;
        cut->series[m++] = s;
    }
    cut->nseries = m;
    return 0;
}

static int cmp_keyp(const void *a, const void *b)
{
    return strcmp(**(const char *const *const *)a,
                  **(const char *const *const *)b);
}

/* Every result's holdout: its values (a node's sums) in the whole set at
 * its forecast's steps (r->horizon of them, from the period after its
 * history), NAN beyond the set's periods. */
static hz_status holdouts(const hz_series_set *set,
                          const hz_forecast_request *req,
                          hz_forecast_result *r, hz_error *err)
{
    hz__hier F;
    memset(&F, 0, sizeof F);
    const bool recon = req->reconcile != HZ_RECON_NONE;
    hz_status st = recon ? hz__hier_build(set, req->nby, &F, err) : HZ_OK;
    size_t nf = recon ? F.m : set->nseries;
    /* the whole set's names, sorted: pointers to each one's key */
    const char **names = malloc((nf ? nf : 1) * sizeof *names);
    const char ***idx = malloc((nf ? nf : 1) * sizeof *idx);
    if (st == HZ_OK && (names == NULL || idx == NULL))
        st = hz_error_set(err, HZ_ENOMEM, "forecast: out of memory");
    for (size_t i = 0; st == HZ_OK && i < nf; i++) {
        names[i] = recon ? F.keys[i] : set->series[i].key;
        idx[i] = &names[i];
    }
    if (st == HZ_OK)
        qsort(idx, nf, sizeof *idx, cmp_keyp);
    for (size_t i = 0; st == HZ_OK && i < r->nseries; i++) {
        hz_forecast_series_result *o = &r->series[i];
        if ((o->holdout = malloc((r->horizon ? r->horizon : 1) *
                                 sizeof *o->holdout)) == NULL) {
            st = hz_error_set(err, HZ_ENOMEM, "forecast: out of memory");
            break;
        }
        const char *key = o->key, **kp = &key;
        const char ***hit = bsearch(&kp, idx, nf, sizeof *idx, cmp_keyp);
        size_t j = hit != NULL ? (size_t)(*hit - names) : nf;
        const double *y = NULL;
        int64_t from = 0, to = 0; /* the periods of y[0..] */
        if (j < nf && recon) {
            y = F.y[j];
            from = F.start + (int64_t)F.off[j];
            to = F.start + (int64_t)F.n;
            y += F.off[j];
        } else if (j < nf) {
            y = set->series[j].values;
            from = set->series[j].start;
            to = from + (int64_t)set->series[j].n;
        }
        /* the steps: the periods after the history that exist (those a
         * --tz zone's clocks skip left out, as keep_steps) */
        int64_t p = o->start + (int64_t)o->n;
        for (size_t s = 0; s < r->horizon; s++, p++) {
            while (hz_calendar_skipped(&r->cal, p))
                p++;
            o->holdout[s] = y != NULL && p >= from && p < to ? y[p - from]
                                                             : NAN;
        }
    }
    free(names);
    free(idx);
    hz__hier_free(&F);
    return st;
}

hz_status hz_forecast_run_set(const hz_series_set *set, int64_t end,
                              const hz_forecast_request *req,
                              hz_forecast_result **out, hz_error *err)
{
    *out = NULL;
    if (set == NULL || req == NULL)
        return hz_error_set(err, HZ_EINVAL, "forecast: null argument");
    hz_status st = hz_forecast_request_check(req, err);
    if (st != HZ_OK)
        return st;
    hz_series_set cut;
    if (cut_set(set, end, &cut) != 0)
        return hz_error_set(err, HZ_ENOMEM, "forecast: out of memory");
    if (cut.nseries == 0) {
        free(cut.series);
        return hz_error_set(err, HZ_EINVAL,
                            "forecast: no series has a period before the "
                            "origin");
    }
    double t0 = hz_now();
    st = run_built(&cut, req, t0, t0, out, err);
    free(cut.series);
    if (st == HZ_OK && (st = holdouts(set, req, *out, err)) != HZ_OK) {
        hz_forecast_result_free(*out);
        *out = NULL;
    }
    return st;
}
