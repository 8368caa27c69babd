/* The automatic ARIMA order search of forecast::auto.arima (Hyndman &
 * Khandakar 2008), as forecast 8.20 runs it: differencing by the KPSS and
 * seasonal-strength tests, then either the stepwise search (default) or
 * the full grid, with CSS fits when the series is long or the period
 * large (approximation) and an exact refit of the winners. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "forecast/arima_fit.h"
#include "horizon/arima.h"

typedef hz__arima_fitres fitres;

void hz_arima_opts_default(hz_arima_opts *o)
{
    memset(o, 0, sizeof *o);
    o->auto_order = 1;
    o->order.m = 1;
    o->order.constant = 1;
    o->d = -1;
    o->D = -1;
    o->max_p = 5;
    o->max_q = 5;
    o->max_P = 2;
    o->max_Q = 2;
    o->max_order = 5;
    o->max_d = 2;
    o->max_D = 1;
    o->start_p = 2;
    o->start_q = 2;
    o->start_P = 1;
    o->start_Q = 1;
    o->stepwise = 1;
    o->approximation = -1;
    o->allow_drift = 1;
    o->allow_mean = 1;
    o->seasonal = 1;
    o->nmodels = 94;
    o->ic = 0;
}

/* A model visited by the stepwise search. */
typedef struct row {
    int p, q, P, Q, c;
    double ic;
} row;

/* The state of one search. */
typedef struct search {
    const double *x;
    size_t n;
    hz_arima_opts o;
    hz__arima_ws w;
    int freq; /* the series' frequency (R's frequency(x)) */
    int m, d, D, ic, approx;
    int max_p, max_q, max_P, max_Q;
    double offset;
    int allowdrift, allowmean, constant;
    row *rs; /* stepwise: the models tried */
    int k;   /* stepwise: how many */
    fitres best, fit;
} search;

static hz_arima_spec mkspec(int p, int d, int q, int P, int D, int Q, int m,
                            int c, int approx)
{
    hz_arima_spec s;
    memset(&s, 0, sizeof s);
    s.p = p;
    s.d = d;
    s.q = q;
    s.P = P;
    s.D = D;
    s.Q = Q;
    s.m = m;
    s.constant = c;
    s.method = approx ? HZ_ARIMA_CSS : HZ_ARIMA_CSS_ML;
    return s;
}

static hz_status check_opts(const hz_arima_opts *o, int period, size_t n,
                            hz_error *err)
{
    if (n < 3)
        return hz_error_set(err, HZ_ETOOSHORT,
                            "arima: need at least 3 observations, got %zu", n);
    if (period < 1)
        return hz_error_set(err, HZ_EINVAL, "arima: period must be >= 1");
    if (o->max_p < 0 || o->max_q < 0 || o->max_P < 0 || o->max_Q < 0 ||
        o->max_d < 0 || o->max_D < 0 || o->max_p > 12 || o->max_q > 12 ||
        o->max_P > 3 || o->max_Q > 3 || o->max_D > 2 || o->max_d > 3)
        return hz_error_set(err, HZ_EINVAL, "arima: bad order limits");
    return HZ_OK;
}

/* A constant series: its value, no error. */
static void constant_model(const double *x, size_t n, hz_arima_model *out)
{
    memset(out, 0, sizeof *out);
    out->constant_series = 1;
    out->last_y = x[0];
    out->spec = mkspec(0, 0, 0, 0, 0, 0, 1, 1, 0);
    out->n = n;
    out->has_mean = 1;
    out->ncoef = 1;
    out->coef[0] = x[0];
    out->sigma2 = 0.0;
    out->loglik = out->aic = out->aicc = out->bic = NAN;
}

/* Step 1: order limits from the series length and period (auto.arima's
 * max.p <- min(max.p, floor(n / 3)) ...) and the workspace. */
static hz_status search_setup(search *S, int period, hz_error *err)
{
    const hz_arima_opts *o = &S->o;
    size_t sl = S->n;
    S->freq = period;
    S->m = o->seasonal ? period : 1;
    if (S->m < 1)
        S->m = 1;
    int m = S->m;
    S->ic = sl <= 3 ? 1 : o->ic;
    S->max_p = (size_t)o->max_p > sl / 3 ? (int)(sl / 3) : o->max_p;
    S->max_q = (size_t)o->max_q > sl / 3 ? (int)(sl / 3) : o->max_q;
    double lim = floor((double)sl / 3.0 / m);
    S->max_P = (double)o->max_P > lim ? (int)lim : o->max_P;
    S->max_Q = (double)o->max_Q > lim ? (int)lim : o->max_Q;
    S->D = o->D;
    S->d = o->d;
    if (m == 1) {
        S->D = 0;
        S->max_P = S->max_Q = 0;
    }
    int mp5 = S->max_p > 5 ? S->max_p : 5, mq5 = S->max_q > 5 ? S->max_q : 5;
    int rmax = hz__arima_rmax(mp5, mq5, S->max_P, S->max_Q, m);
    if (rmax > 350) {
        /* R: getQ0 cannot handle lags > 350; no seasonal ARMA terms */
        S->max_P = S->max_Q = 0;
        rmax = hz__arima_rmax(mp5, mq5, 0, 0, m);
    }
    if (hz__arima_ws_alloc(&S->w, S->x, S->n, m, rmax) != 0)
        return hz_error_set(err, HZ_ENOMEM, "out of memory in auto arima");
    S->w.trace = o->trace;
    S->w.trace_ctx = o->trace_ctx;
    S->rs = calloc((size_t)(o->nmodels > 0 ? o->nmodels : 1) + 8,
                   sizeof *S->rs);
    if (S->rs == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory in auto arima");
    return HZ_OK;
}

/* A series whose differences are constant: the model R fits then. */
static hz_status fit_constant_case(search *S, const double *dx, size_t ndx,
                                   hz_arima_model *out, hz_error *err)
{
    int d = S->d, D = S->D, m = S->m;
    double mean = 0.0;
    for (size_t i = 0; i < ndx; i++)
        mean += dx[i];
    mean /= (double)ndx;
    hz_arima_spec s = mkspec(0, d, 0, 0, D, 0, m, 0, 0);
    if (D > 0 && d == 0) {
        s.constant = 1;
        s.fix_constant = 1;
        s.constant_value = mean / m;
        /* NOLINTNEXTLINE(bugprone-branch-clone): R's auto.arima order */
    } else if (D > 0 && d > 0) {
        s.constant = 0;
    } else if (d == 2) {
        s.constant = 0;
    } else if (d < 2) {
        s.constant = 1;
        s.fix_constant = 1;
        s.constant_value = mean;
    } else {
        return hz_error_set(err, HZ_EINVAL,
                            "arima: data follow a simple polynomial");
    }
    fitres fr;
    if (hz__arima_fit_core(&S->w, &s, &fr) != 0)
        return hz_error_set(err, HZ_ENOCONV,
                            "arima: could not fit the differenced-constant "
                            "model");
    double nstar = (double)S->n - d - (double)D * m, npar = fr.nfree + 1;
    fr.bic = fr.aic + npar * (log(nstar) - 2.0);
    fr.aicc = fr.aic + 2.0 * npar * (npar + 1.0) / (nstar - npar - 1.0);
    fr.ic = fr.aicc;
    return hz__arima_finalize(S->x, S->n, &fr, out, err);
}

/* Step 2: the differencing (nsdiffs, then ndiffs on the seasonally
 * differenced series) into tmp; *ndx its length. */
static void search_differencing(search *S, double *tmp, size_t *ndx)
{
    int m = S->m;
    if (m > 1 && S->D < 0) {
        if (S->n <= 2 * (size_t)m)
            S->D = 0;
        else
            S->D = hz_nsdiffs(S->x, S->n, m, S->o.max_D, S->w.uw);
    }
    if (S->D < 0)
        S->D = 0;
    size_t len = hz__arima_diff(S->x, S->n, 0, S->D, m, tmp);
    if (S->d < 0)
        S->d = hz_ndiffs(tmp, len, S->o.max_d, S->w.uw);
    *ndx = hz__arima_diff(tmp, len, S->d, 0, m, tmp);
}

/* Step 3: the approximation switch and the CSS likelihood offset
 * (auto.arima fits ARIMA(0,d,0) once for it). */
static void search_approximation(search *S)
{
    int m = S->m, d = S->d, D = S->D;
    if (m > 1) {
        if (S->max_P > 0 && S->max_p > m - 1)
            S->max_p = m - 1;
        if (S->max_Q > 0 && S->max_q > m - 1)
            S->max_q = m - 1;
    }
    /* R: approximation = (length(x) > 150 | frequency(x) > 12), even
     * when seasonal = FALSE */
    S->approx = S->o.approximation < 0 ? (S->n > 150 || S->freq > 12)
                                       : S->o.approximation;
    S->offset = 0.0;
    if (S->approx) {
        hz_arima_spec s0 = mkspec(0, d, 0, 0, D, 0, m, (d + D) == 0, 0);
        fitres f0;
        if (hz__arima_fit_core(&S->w, &s0, &f0) == 0) {
            /* arima's sigma2 = ssq/n.used from the diffuse filter; on the
             * differenced series the same ssq is exp(2*value - mean log F)
             * -- recompute it directly */
            hz_arima_model tm;
            if (hz__arima_finalize(S->x, S->n, &f0, &tm, NULL) == HZ_OK) {
                S->offset = -2.0 * f0.loglik -
                            (double)S->n * log(tm.sigma2_ml);
                hz_arima_model_free(&tm);
            }
        }
    }
    S->allowdrift = S->o.allow_drift && (d + D) == 1;
    S->allowmean = S->o.allow_mean && (d + D) == 0;
    S->constant = S->allowdrift || S->allowmean;
    memset(&S->best, 0, sizeof S->best);
    S->best.ic = INFINITY;
}

/* Every model of the grid with `approx` fits; the best settles. */
static void grid_pass(search *S, int approx, double offset, int lazy,
                      int *bestc)
{
    int maxK = S->constant;
    for (int i = 0; i <= S->max_p; i++)
        for (int j = 0; j <= S->max_q; j++)
            for (int sP = 0; sP <= S->max_P; sP++)
                for (int sQ = 0; sQ <= S->max_Q; sQ++) {
                    if (i + j + sP + sQ > S->o.max_order)
                        continue;
                    for (int K = 0; K <= maxK; K++) {
                        hz_arima_spec s = mkspec(i, S->d, j, sP, S->D, sQ,
                                                 S->m, K == 1, approx);
                        hz__arima_try(&S->w, &s, offset, S->ic, lazy, &S->fit);
                        if (S->fit.ic < S->best.ic &&
                            hz__arima_settle(&S->w, &S->fit) < S->best.ic) {
                            S->best = S->fit;
                            if (bestc != NULL)
                                *bestc = K == 1;
                        }
                    }
                }
}

/* Step 4 (stepwise = FALSE): the whole grid; with approximation the
 * winner is refitted exactly, or the grid again without approximation
 * when that fails. */
static void search_grid(search *S)
{
    int bestc = 0;
    grid_pass(S, S->approx, S->offset, !S->approx, &bestc);
    if (!S->approx || !S->best.ok)
        return;
    hz_arima_spec s = S->best.spec;
    s.method = HZ_ARIMA_CSS_ML;
    s.constant = bestc;
    hz__arima_try(&S->w, &s, 0.0, S->ic, 0, &S->fit);
    if (S->fit.ic < INFINITY) {
        S->best = S->fit;
        return;
    }
    S->best.ic = INFINITY;
    S->best.ok = 0;
    grid_pass(S, 0, 0.0, 1, NULL);
}

/* Fit model (p,q,P,Q,c) and record it as row k of the search. */
static void step_fit(search *S, int p, int q, int P, int Q, int c)
{
    hz_arima_spec s = mkspec(p, S->d, q, P, S->D, Q, S->m, c, S->approx);
    hz__arima_try(&S->w, &s, S->offset, S->ic, !S->approx, &S->fit);
    row *r = &S->rs[S->k];
    r->p = p;
    r->q = q;
    r->P = P;
    r->Q = Q;
    r->c = c;
    r->ic = S->fit.ic;
}

/* True (and the best updated) when the model just fitted, row k - 1,
 * beats the best after its Hessian check. */
static int step_better(search *S)
{
    if (S->fit.ic < S->best.ic &&
        hz__arima_settle(&S->w, &S->fit) < S->best.ic) {
        S->rs[S->k - 1].ic = S->fit.ic;
        S->best = S->fit;
        return 1;
    }
    return 0;
}

/* A neighbour of the stepwise search: 1 when it is new and better, -1
 * when the model budget is spent, 0 otherwise. */
static int step_try(search *S, int cond, int p, int q, int P, int Q, int c)
{
    if (!cond)
        return 0;
    for (int i = 0; i < S->k; i++) {
        const row *r = &S->rs[i];
        if (r->p == p && r->q == q && r->P == P && r->Q == Q && r->c == c)
            return 0;
    }
    if (S->k + 1 > S->o.nmodels) {
        S->k++;
        return -1;
    }
    step_fit(S, p, q, P, Q, c);
    S->k++;
    return step_better(S);
}

/* The four starting models of the stepwise search (and the model
 * without a constant); sets the current orders. */
static void stepwise_start(search *S, int *p, int *q, int *P, int *Q)
{
    int c = S->constant;
    int sp = S->o.start_p, sq = S->o.start_q, sP = S->o.start_P,
        sQ = S->o.start_Q;
    if (S->n < 10) {
        sp = sp > 1 ? 1 : sp;
        sq = sq > 1 ? 1 : sq;
        sP = sQ = 0;
    }
    *p = sp < S->max_p ? sp : S->max_p;
    *q = sq < S->max_q ? sq : S->max_q;
    *P = sP < S->max_P ? sP : S->max_P;
    *Q = sQ < S->max_Q ? sQ : S->max_Q;
    step_fit(S, *p, *q, *P, *Q, c);
    S->k = 1;
    hz__arima_settle(&S->w, &S->fit);
    S->rs[0].ic = S->fit.ic;
    S->best = S->fit;
    step_fit(S, 0, 0, 0, 0, c);
    S->k = 2;
    if (step_better(S))
        *p = *q = *P = *Q = 0;
    if (S->max_p > 0 || S->max_P > 0) {
        int pp = S->max_p > 0, PP = (S->m > 1) && (S->max_P > 0);
        step_fit(S, pp, 0, PP, 0, c);
        S->k++;
        if (step_better(S)) {
            *p = pp;
            *P = PP;
            *q = *Q = 0;
        }
    }
    if (S->max_q > 0 || S->max_Q > 0) {
        int qq = S->max_q > 0, QQ = (S->m > 1) && (S->max_Q > 0);
        step_fit(S, 0, qq, 0, QQ, c);
        S->k++;
        if (step_better(S)) {
            *p = *P = 0;
            *Q = QQ;
            *q = qq;
        }
    }
    if (c) {
        step_fit(S, 0, 0, 0, 0, 0);
        S->k++;
        if (step_better(S))
            *p = *q = *P = *Q = 0;
    }
}

/* Step 4 (stepwise, the default): from the start models, move to the
 * first better neighbour (seasonal orders first) until none is better or
 * the model budget is spent. */
static void search_stepwise(search *S)
{
    int p, q, P, Q, r, startk = 0;
    int mp = S->max_p, mq = S->max_q, mP = S->max_P, mQ = S->max_Q;
    stepwise_start(S, &p, &q, &P, &Q);
    while (startk < S->k && S->k < S->o.nmodels) {
        int c = S->constant;
        startk = S->k;
#define TRY(cond, pp, qq, PP, QQ, cc, update)                                 \
    if ((r = step_try(S, (cond), (pp), (qq), (PP), (QQ), (cc))) != 0) {       \
        if (r > 0) {                                                          \
            update;                                                           \
        }                                                                     \
        continue;                                                             \
    }
        TRY(P > 0, p, q, P - 1, Q, c, P--)
        TRY(Q > 0, p, q, P, Q - 1, c, Q--)
        TRY(P < mP, p, q, P + 1, Q, c, P++)
        TRY(Q < mQ, p, q, P, Q + 1, c, Q++)
        TRY(Q > 0 && P > 0, p, q, P - 1, Q - 1, c, (Q--, P--))
        TRY(Q < mQ && P > 0, p, q, P - 1, Q + 1, c, (Q++, P--))
        TRY(Q > 0 && P < mP, p, q, P + 1, Q - 1, c, (Q--, P++))
        TRY(Q < mQ && P < mP, p, q, P + 1, Q + 1, c, (Q++, P++))
        TRY(p > 0, p - 1, q, P, Q, c, p--)
        TRY(q > 0, p, q - 1, P, Q, c, q--)
        TRY(p < mp, p + 1, q, P, Q, c, p++)
        TRY(q < mq, p, q + 1, P, Q, c, q++)
        TRY(q > 0 && p > 0, p - 1, q - 1, P, Q, c, (q--, p--))
        TRY(q < mq && p > 0, p - 1, q + 1, P, Q, c, (q++, p--))
        TRY(q > 0 && p < mp, p + 1, q - 1, P, Q, c, (q--, p++))
        TRY(q < mq && p < mp, p + 1, q + 1, P, Q, c, (q++, p++))
        TRY(S->allowdrift || S->allowmean, p, q, P, Q, !c, S->constant = !c)
#undef TRY
    }
}

/* Step 5 (approximation): refit the models tried exactly, in increasing
 * order of their approximate criterion, until one is accepted. */
static hz_status refit_exact(search *S, hz_error *err)
{
    int nr = S->k < S->o.nmodels ? S->k : S->o.nmodels;
    int *ord = malloc((size_t)(nr > 0 ? nr : 1) * sizeof *ord);
    if (ord == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    for (int i = 0; i < nr; i++)
        ord[i] = i;
    for (int i = 1; i < nr; i++) { /* stable insertion sort */
        int v = ord[i], j = i;
        while (j > 0 && S->rs[ord[j - 1]].ic > S->rs[v].ic) {
            ord[j] = ord[j - 1];
            j--;
        }
        ord[j] = v;
    }
    S->best.ok = 0;
    S->best.ic = INFINITY;
    for (int i = 0; i < nr; i++) {
        const row *rr = &S->rs[ord[i]];
        hz_arima_spec s = mkspec(rr->p, S->d, rr->q, rr->P, S->D, rr->Q, S->m,
                                 rr->c, 0);
        hz__arima_try(&S->w, &s, 0.0, S->ic, 0, &S->fit);
        if (S->fit.ic < INFINITY) {
            S->best = S->fit;
            break;
        }
    }
    free(ord);
    return HZ_OK;
}

hz_status hz_arima_auto(const double *x, size_t n, int period,
                        const hz_arima_opts *opts_in, hz_arima_model *out,
                        hz_error *err)
{
    if (out == NULL)
        return hz_error_set(err, HZ_EINVAL, "arima: missing output");
    memset(out, 0, sizeof *out);
    search S;
    memset(&S, 0, sizeof S);
    S.x = x;
    S.n = n;
    if (opts_in)
        S.o = *opts_in;
    else
        hz_arima_opts_default(&S.o);
    hz_status st = hz__arima_check_input(x, n, err);
    if (st == HZ_OK)
        st = check_opts(&S.o, period, n, err);
    if (st != HZ_OK)
        return st;
    if (hz_is_constant(x, n)) {
        constant_model(x, n, out);
        return HZ_OK;
    }
    double *tmp = malloc((n + 1) * sizeof *tmp);
    size_t ndx = 0;
    st = tmp == NULL
             ? hz_error_set(err, HZ_ENOMEM, "out of memory in auto arima")
             : search_setup(&S, period, err);
    if (st != HZ_OK)
        goto done;
    search_differencing(&S, tmp, &ndx);
    if (ndx == 0) {
        st = hz_error_set(err, HZ_ETOOSHORT,
                          "arima: not enough data to proceed");
        goto done;
    }
    if (hz_is_constant(tmp, ndx)) {
        st = fit_constant_case(&S, tmp, ndx, out, err);
        goto done;
    }
    search_approximation(&S);
    if (!S.o.stepwise) {
        search_grid(&S);
    } else {
        search_stepwise(&S);
        if (S.approx && S.best.ok && (st = refit_exact(&S, err)) != HZ_OK)
            goto done;
    }
    if (!S.best.ok || !(S.best.ic < INFINITY))
        st = hz_error_set(err, HZ_ENOCONV,
                          "arima: no suitable ARIMA model found");
    else
        st = hz__arima_finalize(x, n, &S.best, out, err);
done:
    free(tmp);
    free(S.rs);
    hz__arima_ws_free(&S.w);
    return st;
}
