/* Many series at once, with the model's or conformal intervals (see
 * include/horizon/forecast.h, hz_fc_batch). */
#pragma GCC diagnostic ignored "-Wformat-truncation"
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forecast/fc_internal.h"
#include "horizon/forecast.h"
#include "horizon/threads.h"

#define CAL_ORIGINS_DEFAULT 5

void hz_fc_batch_init(hz_fc_batch *b)
{
    memset(b, 0, sizeof *b);
    b->period = 1;
    b->model = HZ_MODEL_AUTO;
    b->intervals = HZ_INTERVALS_MODEL;
}

bool hz_intervals_parse(const char *s, int *out)
{
    if (strcmp(s, "model") == 0)
        *out = HZ_INTERVALS_MODEL;
    else if (strcmp(s, "conformal") == 0)
        *out = HZ_INTERVALS_CONFORMAL;
    else
        return false;
    return true;
}

/* Forecast series i from its first n values into f, rescaled where the
 * values need it (the bounds are kept >= 0 only at the end, after the
 * conformal adjustment); failures are written into f (method "none").
 * *scale_exp: the guard's scale.  Returns 1 on ENOMEM. */
static int forecast_one(const hz_fc_batch *b, size_t i, size_t n,
                        hz_fc_workspace *w, hz_forecast *f, int *scale_exp)
{
    hz_error e;
    hz_error_clear(&e);
    uint64_t seed = b->seeds ? b->seeds[i] : (uint64_t)i + 1;
    hz_forecast_guard g = {HZ_NONNEG_OFF, 0, 0, 0};
    hz_status st = hz_forecast_series_guarded(
        b->y[i], n, &b->seasons, b->period, b->model, seed, w, f, &g, &e);
    if (scale_exp != NULL)
        *scale_exp = g.scale_exp;
    if (st == HZ_ENOMEM)
        return 1;
    if (st != HZ_OK) {
        hz_forecast_reset(f);
        snprintf(f->method, sizeof f->method, "none");
        snprintf(f->note, sizeof f->note, "%s", e.msg);
    }
    return 0;
}

/* The model's half-widths at step i over z of its widest level, as
 * standard deviations (up and down); a fallback when undefined. */
static void model_sd(const hz_forecast *f, size_t i, double fallback,
                     double *up, double *down)
{
    size_t L = 0;
    for (size_t k = 1; k < f->nlevels; k++)
        if (f->levels[k] > f->levels[L])
            L = k;
    double z = f->nlevels ? hz__qnorm(0.5 + f->levels[L] / 200.0) : 1.0;
    *up = f->nlevels ? (f->upper[L][i] - f->mean[i]) / z : NAN;
    *down = f->nlevels ? (f->mean[i] - f->lower[L][i]) / z : NAN;
    if (!(*up > 0) || !isfinite(*up))
        *up = fallback;
    if (!(*down > 0) || !isfinite(*down))
        *down = fallback;
}

/* Mean absolute one-step change of y[0..n) times sqrt(steps): the scale
 * used where the model has no interval. */
static double naive_sd(const double *y, size_t n, size_t step)
{
    double s = 0.0;
    for (size_t t = 1; t < n; t++)
        s += fabs(y[t] - y[t - 1]);
    s = n > 1 ? s / (double)(n - 1) : 0.0;
    if (!(s > 0))
        s = 1e-9 * (fabs(y[n - 1]) + 1.0);
    return s * sqrt((double)step);
}

/* Scores of series i into sc[K * h] (NaN where there is none): for every
 * step s the errors of forecasting each of the last K values of the
 * training data s + 1 steps ahead, so that calibration looks at the most
 * recent behaviour with training lengths close to n; origins n - 1 down
 * to n - h - K + 1 (training data only).  sc may be NULL.  With raw
 * (b->err_origins rows of h), the same fits' raw errors y - forecast from
 * the origins n - 1 down to n - err_origins (hz_fc_batch.errors).
 * Returns 1 on ENOMEM. */
static int series_scores(const hz_fc_batch *b, size_t i, size_t K,
                         hz_fc_workspace *w, hz_forecast *f, double *sc,
                         double *raw)
{
    size_t h = f->h, n = b->n[i], R = raw ? b->err_origins : 0;
    size_t nback = sc ? h + K - 1 : 0;
    size_t minlen = b->period > 1 ? 2 * (size_t)b->period : 8;
    if (minlen < 8)
        minlen = 8;
    for (size_t j = 0; sc && j < K * h; j++)
        sc[j] = NAN;
    for (size_t j = 0; j < R * h; j++)
        raw[j] = NAN;
    nback = R > nback ? R : nback;
    const double *y = b->y[i];
    for (size_t back = 1; back <= nback; back++) {
        if (n < back + minlen)
            break;
        size_t o = n - back; /* training length */
        if (forecast_one(b, i, o, w, f, NULL))
            return 1;
        if (strcmp(f->method, "none") == 0)
            continue;
        for (size_t s = 0; s < h && o + s < n; s++) {
            if (b->cal != NULL && b->start != NULL &&
                hz_calendar_skipped(b->cal, b->start[i] + (int64_t)(o + s)))
                continue; /* an estimate, no reading: no error */
            double e = y[o + s] - f->mean[s];
            if (back <= R && isfinite(e))
                raw[(back - 1) * h + s] = e;
            size_t j = n - 1 - (o + s); /* target: j-th value from the end */
            if (sc == NULL || j >= K || back >= h + K)
                continue;
            double up, down;
            model_sd(f, s, naive_sd(y, o, s + 1), &up, &down);
            double v = e >= 0 ? e / up : -e / down;
            sc[j * h + s] = isfinite(v) ? v : NAN;
        }
    }
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* q[l * h + s]: the conformal quantile of the scores at step s (pooled
 * with neighbouring steps while fewer than 2 / (1 - level) are there),
 * cnt[l * h + s] the number of scores it had.  A level of p% needs at
 * least p / (100 - p) scores (19 for 95%, 4 for 80%): with fewer its
 * quantile, the ceil((N + 1) p)-th smallest, is beyond the largest, and
 * the bound would cover N / (N + 1) of the outcomes at best, not p%; q
 * is then NAN (until 2026-12-07 the largest score stood in, so that
 * with few scores the 80% and the 95% bounds were the same).
 * sc: rows x h; buf: rows * h doubles. */
static void quantiles(const double *sc, size_t rows, size_t h,
                      const double *levels, size_t nl, double *buf, double *q,
                      size_t *cnt)
{
    for (size_t l = 0; l < nl; l++) {
        double a = 1.0 - levels[l] / 100.0;
        size_t need = (size_t)ceil(2.0 / a);
        for (size_t s = 0; s < h; s++) {
            size_t N = 0;
            for (size_t wdt = 0;; wdt++) {
                size_t lo = s > wdt ? s - wdt : 0;
                size_t hi = s + wdt < h ? s + wdt : h - 1;
                N = 0;
                for (size_t r = 0; r < rows; r++)
                    for (size_t c = lo; c <= hi; c++)
                        if (!isnan(sc[r * h + c]))
                            buf[N++] = sc[r * h + c];
                if (N >= need || (lo == 0 && hi == h - 1))
                    break;
            }
            cnt[l * h + s] = N;
            size_t k = (size_t)ceil((double)(N + 1) * (1.0 - a));
            if (N == 0 || k > N) {
                q[l * h + s] = NAN;
                continue;
            }
            qsort(buf, N, sizeof *buf, cmp_double);
            q[l * h + s] = buf[k - 1];
        }
    }
}

/* The fewest scores a level of p% needs (quantiles). */
static size_t scores_needed(double p)
{
    size_t n = 1;
    while ((double)(n + 1) * (p / 100.0) > (double)n + 1e-9)
        n++;
    return n;
}

/* Conformal bounds for f from the quantiles q (cnt: their scores);
 * when q is undefined (no series of the request was long enough to hold
 * out values) the model's bounds stay, and the note says so.  A step
 * where a level has too few scores for its quantile keeps the model's
 * bounds at every level (mixing them would break their order), and the
 * note says which level, how many and how many it needs.  A series of
 * one observation without bounds keeps none.  Lower bounds stay at or
 * above zero where the model's did and the data are never negative. */
static void apply(hz_forecast *f, const double *q, const size_t *cnt,
                  const double *y, size_t n, const bool *shown, size_t hs)
{
    size_t h = f->h, nl = f->nlevels, kept = 0, few_steps = 0;
    size_t few_l = nl, few_n = 0, tied = 0, tie_lo = nl, tie_hi = nl;
    int data_nonneg = 1;
    for (size_t t = 0; t < n; t++)
        data_nonneg &= y[t] >= 0;
    for (size_t s = 0; s < h; s++) {
        /* a step the user does not see (a period the clocks skip, or one
         * past the user's horizon: hz_forecast_many) is not counted in
         * the notes (until 2026-12-07 '2 of 2 steps' for --horizon 1) */
        const bool vis = shown == NULL || shown[s];
        size_t nan = 0, fewl = nl;
        for (size_t l = 0; l < nl; l++)
            if (isnan(q[l * h + s])) {
                nan++;
                if (cnt[l * h + s] > 0 &&
                    (fewl == nl || f->levels[l] > f->levels[fewl]))
                    fewl = l;
            }
        if (fewl < nl && !vis)
            continue;
        if (fewl < nl) {
            few_steps++;
            if (few_l == nl || f->levels[fewl] > f->levels[few_l] ||
                (fewl == few_l && cnt[fewl * h + s] < few_n)) {
                few_l = fewl;
                few_n = cnt[fewl * h + s];
            }
            continue;
        }
        kept += vis ? nan : 0;
        if (nan > 0)
            continue;
        /* one observation: no spread known (the model has no bounds and
         * its note says so); until 2026-12-07 naive_sd's 1e-9 stood in
         * and gave bounds 1e-7 wide, which reconciliation then took for
         * a known variance */
        bool known = true;
        for (size_t l = 0; l < nl; l++)
            known = known && isfinite(f->lower[l][s]) &&
                    isfinite(f->upper[l][s]);
        if (!known && n < 2)
            continue;
        /* two levels whose quantile is the same held-out score (to the
         * last bits: z * mean / mean): many scores tie there
         * (intermittent data: every zero actual under a model's lower
         * bound of 0 scores its z), and the lower
         * level's bounds are the higher one's (covering more than its
         * level); said, as the levels' bounds would look mistaken */
        size_t tl = nl, th = nl;
        for (size_t l = 0; l < nl; l++)
            for (size_t k = 0; k < nl; k++)
                if (f->levels[l] < f->levels[k] &&
                    fabs(q[l * h + s] - q[k * h + s]) <=
                        1e-9 * fabs(q[k * h + s]) &&
                    (tl == nl || f->levels[l] < f->levels[tl] ||
                     (l == tl && f->levels[k] > f->levels[th]))) {
                    tl = l;
                    th = k;
                }
        if (tl < nl && vis) {
            tied++;
            if (tie_lo == nl || f->levels[tl] < f->levels[tie_lo] ||
                (tl == tie_lo && f->levels[th] > f->levels[tie_hi])) {
                tie_lo = tl;
                tie_hi = th;
            }
        }
        double up, down;
        model_sd(f, s, naive_sd(y, n, s + 1), &up, &down);
        for (size_t l = 0; l < nl; l++) {
            double qq = q[l * h + s];
            int nonneg = data_nonneg && f->lower[l][s] >= 0;
            f->lower[l][s] = f->mean[s] - qq * down;
            f->upper[l][s] = f->mean[s] + qq * up;
            if (nonneg && f->lower[l][s] < 0)
                f->lower[l][s] = 0;
        }
    }
    char of[48];
    if (kept > 0) {
        size_t len = strlen(f->note);
        snprintf(
            f->note + len, sizeof f->note - len,
            "%s" HZ__CONFORMAL_KEPT_NOTE " (%s); model intervals kept",
            len ? "; " : "",
            hz__of_count(kept, nl * hs, "bound", "bounds", of, sizeof of));
    }
    if (tied > 0) {
        size_t len = strlen(f->note);
        snprintf(f->note + len, sizeof f->note - len,
                 "%s" HZ__CONFORMAL_TIED_NOTE " at %s: the "
                 "%g%% bounds are the %g%% ones there (many errors score "
                 "the same, such as zero actuals at the model's lower "
                 "bound 0), covering more than %g%%",
                 len ? "; " : "",
                 hz__of_count(tied, hs, "step", "steps", of, sizeof of),
                 f->levels[tie_lo], f->levels[tie_hi], f->levels[tie_lo]);
    }
    if (few_steps > 0) {
        size_t len = strlen(f->note);
        snprintf(f->note + len, sizeof f->note - len,
                 "%s" HZ__CONFORMAL_FEW_NOTE " for %g%% bounds at %s (%zu, "
                 "at least %zu needed); the model's intervals kept there, "
                 "every level",
                 len ? "; " : "", f->levels[few_l],
                 hz__of_count(few_steps, hs, "step", "steps", of, sizeof of),
                 few_n, scores_needed(f->levels[few_l]));
    }
}

/* The steps of h the user sees: a horizon over periods that exist is
 * widened by one step for each period a --tz zone's clocks skip on the
 * way (the most of any series; hz_forecast_run), so h less that most. */
static size_t shown_horizon(const hz_fc_batch *b, size_t h)
{
    if (b->cal == NULL || b->start == NULL)
        return h;
    size_t most = 0;
    for (size_t i = 0; i < b->nseries; i++) {
        const int64_t end = b->start[i] + (int64_t)b->n[i];
        size_t k = 0;
        for (size_t s = 0; s < h; s++)
            k += hz_calendar_skipped(b->cal, end + (int64_t)s);
        most = k > most ? k : most;
    }
    return h - most;
}

/* Which of series i's h steps the user sees: the first hs on periods
 * that exist. */
static void shown_steps(const hz_fc_batch *b, size_t i, size_t h, size_t hs,
                        bool *shown)
{
    const int64_t end = b->start[i] + (int64_t)b->n[i];
    size_t k = 0;
    for (size_t s = 0; s < h; s++) {
        shown[s] = k < hs && !hz_calendar_skipped(b->cal, end + (int64_t)s);
        k += shown[s];
    }
}

static int cmp_len_desc(const void *a, const void *b, void *ctx)
{
    const size_t *n = ctx;
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    if (n[i] != n[j])
        return n[i] < n[j] ? 1 : -1;
    return (i > j) - (i < j);
}

/* Step 1: every series' forecast (and, for conformal intervals, its
 * calibration scores), in parallel, longest series first (results by
 * index: the same for any thread count). */
static int run_series(const hz_fc_batch *b, hz_forecast *const *out, size_t K,
                      double *sc)
{
    int nomem = 0;
    size_t ns = b->nseries;
    size_t *order = malloc((ns ? ns : 1) * sizeof *order);
    if (order == NULL)
        return 1;
    for (size_t i = 0; i < ns; i++)
        order[i] = i;
    qsort_r(order, ns, sizeof *order, cmp_len_desc, (void *)b->n);
    int threads = b->threads > 0 ? b->threads : hz_default_threads();
    if ((size_t)threads > ns)
        /* read by the num_threads clause, which the analyzer does not see:
         * NOLINTNEXTLINE(clang-analyzer-deadcode.DeadStores) */
        threads = ns > 0 ? (int)ns : 1;
#pragma omp parallel num_threads(threads) reduction(| : nomem)
    {
        hz_fc_workspace *w = hz_fc_workspace_alloc(256);
        hz_forecast *tmp = ns ? hz_forecast_alloc(out[0]->h, out[0]->nlevels,
                                                  out[0]->levels)
                              : NULL;
        if (w == NULL || (ns && tmp == NULL))
            nomem = 1;
#pragma omp for schedule(dynamic, 1)
        for (size_t k = 0; k < ns; k++) {
            size_t i = order[k];
            if (nomem)
                continue;
            int se = 0;
            nomem |= forecast_one(b, i, b->n[i], w, out[i], &se);
            if (b->guards != NULL)
                b->guards[i].scale_exp = se;
            double *raw = b->errors && b->err_origins
                              ? b->errors + i * b->err_origins * out[i]->h
                              : NULL;
            if (sc != NULL || raw != NULL)
                nomem |= series_scores(
                    b, i, K, w, tmp, sc ? sc + i * K * out[i]->h : NULL, raw);
        }
        hz_forecast_free(tmp);
        hz_fc_workspace_free(w);
    }
    free(order);
    return nomem;
}

/* Step 3: points and bounds of non-negative series kept >= 0 (the
 * batch's hz_nonneg mode). */
static void keep_nonneg(const hz_fc_batch *b, hz_forecast *const *out)
{
    for (size_t i = 0; i < b->nseries; i++) {
        bool nn = strcmp(out[i]->method, "none") != 0 &&
                  hz__fc_nonneg_applies(b->nonnegative, b->y[i], b->n[i]);
        size_t k = nn ? hz__fc_clamp_nonneg(out[i]) : 0;
        if (b->guards != NULL) {
            b->guards[i].mode = b->nonnegative;
            b->guards[i].nonnegative = nn;
            b->guards[i].nclamped = k;
        }
    }
}

hz_status hz_forecast_many(const hz_fc_batch *b, hz_forecast *const *out,
                           hz_error *err)
{
    if (b == NULL ||
        (b->nseries > 0 && (b->y == NULL || b->n == NULL || out == NULL)))
        return hz_error_set(err, HZ_EINVAL, "forecast: null argument");
    size_t ns = b->nseries;
    for (size_t i = 1; i < ns; i++)
        if (out[i]->h != out[0]->h || out[i]->nlevels != out[0]->nlevels)
            return hz_error_set(err, HZ_EINVAL,
                                "forecast: outputs of different shapes");
    int conformal = b->intervals == HZ_INTERVALS_CONFORMAL && ns > 0 &&
                    out[0]->nlevels > 0;
    size_t K = b->cal_origins ? b->cal_origins : CAL_ORIGINS_DEFAULT;
    size_t h = ns ? out[0]->h : 0, nl = ns ? out[0]->nlevels : 0;
    double *sc = NULL, *buf = NULL, *q = NULL;
    size_t *cnt = NULL;
    if (conformal) {
        sc = malloc(ns * K * h * sizeof *sc);
        buf = malloc(ns * K * h * sizeof *buf);
        q = calloc(nl * h, sizeof *q);
        cnt = calloc(nl * h, sizeof *cnt);
        if (sc == NULL || buf == NULL || q == NULL || cnt == NULL) {
            free(sc);
            free(buf);
            free(q);
            free(cnt);
            return hz_error_set(err, HZ_ENOMEM, "forecast: out of memory");
        }
    }
    hz_status st = HZ_OK;
    if (run_series(b, out, K, sc)) {
        st = hz_error_set(err, HZ_ENOMEM, "forecast: out of memory");
    } else if (conformal) {
        quantiles(sc, ns * K, h, out[0]->levels, nl, buf, q, cnt);
        const size_t hs = shown_horizon(b, h);
        bool *shown = b->cal != NULL && b->start != NULL
                          ? malloc((h ? h : 1) * sizeof *shown)
                          : NULL;
        if (b->cal != NULL && b->start != NULL && shown == NULL)
            st = hz_error_set(err, HZ_ENOMEM, "forecast: out of memory");
        for (size_t i = 0; st == HZ_OK && i < ns; i++) {
            if (strcmp(out[i]->method, "none") == 0)
                continue;
            if (shown != NULL)
                shown_steps(b, i, h, hs, shown);
            apply(out[i], q, cnt, b->y[i], b->n[i], shown, hs);
        }
        free(shown);
    }
    if (st == HZ_OK)
        keep_nonneg(b, out);
    free(sc);
    free(buf);
    free(q);
    free(cnt);
    return st;
}
