/* ETS state-space models (Hyndman, Koehler, Ord & Snyder 2008) fitted the
 * way R's forecast::ets (8.20) does it: same parameter start values and
 * bounds ("both": usual + admissible), the same initial-state heuristic
 * (initstate), the same Nelder-Mead search (R's nmmin, reltol
 * sqrt(eps), maxit 2000) over smoothing parameters and initial states, the
 * same likelihood (n log SSE + 2 sum log|f| for multiplicative errors) and
 * AICc selection over the same candidate set.
 *
 * Speed without changing a number: the candidates' searches step together
 * (fit_list), and each round's evaluations run four at a time in the lanes
 * of one vector (ets_runv: lane by lane the operations of ets_run, in the
 * same order, none fused), packed by kind so that the divisions of
 * multiplicative models are shared; test_ets_lanes checks every fit
 * against the same candidate fitted alone. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forecast/ets_internal.h"
#include "forecast/fc_internal.h"
#include "horizon/ets.h"
#include "numeric/nelder_mead.h"
#include "numeric/poly.h"
#include "numeric/rng.h"
#include "numeric/simd.h"

#define ETS_TOL 1.0e-10
#define ETS_HUGEN 1.0e10
#define MAX_PAR (4 + HZ_ETS_MAX_STATE)
_Static_assert(MAX_PAR <= HZ_NM_MAX_PAR,
               "ETS parameters exceed the optimiser");
_Static_assert(HZ_ETS_MAX_M + 1 <= HZ_POLY_MAX_DEG, "ETS season too long");

struct hz_ets_workspace {
    size_t nmax;
    double *sim; /* npaths * h simulated values */
    size_t simcap;
    double *buf;             /* n scratch */
    struct ets_search *srch; /* ETS_FIT_MAX searches, when needed */
};

bool hz__ets_side_by_side = true;

/* At most this many candidates are fitted side by side (fit_list). */
#define ETS_FIT_MAX 16

void hz_ets_opts_init(hz_ets_opts *o)
{
    memset(o, 0, sizeof *o);
    o->error = HZ_ETS_AUTO;
    o->trend = HZ_ETS_AUTO;
    o->season = HZ_ETS_AUTO;
    o->damped = HZ_ETS_AUTO;
    o->ic = HZ_ETS_IC_AICC;
    o->opt_crit = HZ_ETS_CRIT_LIK;
    o->restrict_models = true;
    o->additive_only = false;
    o->maxit = 2000;
    o->reltol = sqrt(DBL_EPSILON);
    o->npaths = 5000;
    o->seed = 42;
}

hz_ets_workspace *hz_ets_alloc(size_t nmax)
{
    hz_ets_workspace *w = calloc(1, sizeof *w);
    if (w == NULL)
        return NULL;
    w->nmax = nmax;
    w->buf = malloc((nmax > 0 ? nmax : 1) * sizeof(double));
    if (w->buf == NULL) {
        free(w);
        return NULL;
    }
    return w;
}

void hz_ets_free(hz_ets_workspace *w)
{
    if (w == NULL)
        return;
    free(w->sim);
    free(w->buf);
    free(w->srch);
    free(w);
}

static int ws_reserve(hz_ets_workspace *w, size_t n, size_t simn)
{
    if (n > w->nmax) {
        double *b = realloc(w->buf, n * sizeof(double));
        if (b == NULL)
            return -1;
        w->buf = b;
        w->nmax = n;
    }
    if (simn > w->simcap) {
        double *s = realloc(w->sim, simn * sizeof(double));
        if (s == NULL)
            return -1;
        w->sim = s;
        w->simcap = simn;
    }
    return 0;
}

/* sum log|f| of the multiplicative-error likelihood without a log per
 * step: the product of a group of |f| (prod, the values in fbuf[0..k))
 * joins a running product kept as mant 2^expo, mant in [1, 2) (scaling by
 * a power of two is exact); one log at the end.  A group whose product
 * leaves the safe range (a zero, huge or tiny |f|) takes per-step logs. */
static inline void log_group(double prod, const double *fbuf, int k,
                             double *mant, long *expo, double *slog)
{
    if (prod > 1e-290 && prod < 1e290) {
        double t = *mant * prod;
        uint64_t bits;
        memcpy(&bits, &t, sizeof bits);
        *expo += (long)((bits >> 52) & 0x7ff) - 1023;
        bits = (bits & ~(0x7ffULL << 52)) | (1023ULL << 52);
        memcpy(mant, &bits, sizeof bits);
    } else {
        for (int i = 0; i < k; i++)
            *slog += log(fbuf[i]);
    }
}

/* ---------------------------------------------------------------------
 * The recursion (etscalc), specialised per model shape.
 * seas is circular: seas[i % m] is the seasonal state used at step i.
 * Returns R's "lik" (n log SSE [+ 2 sum log|f|]); *sse the sum of squared
 * (relative) errors.  fitted may be NULL.
 * ------------------------------------------------------------------- */
static inline __attribute__((always_inline)) double ets_run(
    const double *y, size_t n, int m, const int errt, const int trend,
    const int season, double alpha, double beta, double gamma, double phi,
    double *lp, double *bp, double *seas, double *ssep, double *fitted,
    double sse_stop)
{
    double l = *lp, b = trend ? *bp : 0.0;
    double c = trend ? phi * b : 0.0; /* phi b of the step to come */
    const double pbeta = phi * beta, oma = 1.0 - alpha;
    double sse = 0.0, slog = 0.0, prod = 1.0, fbuf[8], mant = 1.0;
    long expo = 0;
    double lastc = 0.0, lastu = 0.0; /* the last step's phi b and u */
    int pc = 0;
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        double phib = trend ? c : 0.0;
        double q = l + phib;
        double s = season == HZ_ETS_M ? (season ? seas[j] : 1.0)
                                      : (season ? seas[j] : 0.0);
        double f = season == HZ_ETS_A ? q + s : season == HZ_ETS_M ? q * s : q;
        double yi = y[i];
        if (fitted != NULL)
            fitted[i] = f;
        double e;
        if (errt == HZ_ETS_A) {
            e = yi - f;
        } else {
            e = (yi - f) / f;
            fbuf[pc] = fabs(f);
            prod *= fbuf[pc];
            if (++pc == 8) {
                log_group(prod, fbuf, 8, &mant, &expo, &slog);
                prod = 1.0;
                pc = 0;
            }
        }
        sse += e * e;
        if (errt == HZ_ETS_A && sse >= sse_stop) {
            *ssep = sse;
            return INFINITY; /* the objective exceeds the caller's bound */
        }
        double p;
        if (season == HZ_ETS_N)
            p = yi;
        else if (season == HZ_ETS_A)
            p = yi - s;
        else
            p = fabs(s) < ETS_TOL ? ETS_HUGEN : yi / s;
        double u = p - q;
        double ln = oma * q + alpha * p;
        /* R: b = phib + (beta / alpha) * ((ln - l) - phib), then phib =
         * phi b at the next step; the same numbers up to rounding, as
         * (ln - l) - phib = alpha u: written so that neither waits for the
         * new level: a dependency chain per step a third as long as R's */
        if (trend) {
            lastc = phib;
            lastu = u;
            c = (phi * phib + pbeta * p) - pbeta * q;
        }
        if (season == HZ_ETS_A)
            seas[j] = s + gamma * ((yi - q) - s);
        else if (season == HZ_ETS_M)
            seas[j] = s +
                      gamma * ((fabs(q) < ETS_TOL ? ETS_HUGEN : yi / q) - s);
        l = ln;
        if (season && ++j == (size_t)m)
            j = 0;
    }
    if (errt == HZ_ETS_M) {
        if (pc > 0)
            log_group(prod, fbuf, pc, &mant, &expo, &slog);
        slog += log(mant) + (double)expo * M_LN2;
    }
    *lp = l;
    if (trend && n > 0)
        *bp = lastc + beta * lastu; /* the new growth, of the last step only */
    *ssep = sse;
    double lik = (double)n * log(sse);
    if (errt == HZ_ETS_M)
        lik += 2.0 * slog;
    return lik;
}

#define ETS_CASE(E, T, S)                                                     \
    case (E)*9 + (T)*3 + (S):                                                 \
        return ets_run(y, n, m, E, T, S, alpha, beta, gamma, phi, lp, bp,     \
                       seas, ssep, fitted, sse_stop)

static double ets_calc(const double *y, size_t n, int m, int errt, int trend,
                       int season, double alpha, double beta, double gamma,
                       double phi, double *lp, double *bp, double *seas,
                       double *ssep, double *fitted_, double sse_stop)
{
    if (fitted_ == NULL) {
        double *const fitted = NULL; /* the hot path: no fitted values */
        switch (errt * 9 + trend * 3 + season) {
            ETS_CASE(1, 0, 0);
            ETS_CASE(1, 0, 1);
            ETS_CASE(1, 0, 2);
            ETS_CASE(1, 1, 0);
            ETS_CASE(1, 1, 1);
            ETS_CASE(1, 1, 2);
            ETS_CASE(2, 0, 0);
            ETS_CASE(2, 0, 1);
            ETS_CASE(2, 0, 2);
            ETS_CASE(2, 1, 0);
            ETS_CASE(2, 1, 1);
            ETS_CASE(2, 1, 2);
        default: return NAN;
        }
    }
    double *fitted = fitted_;
    switch (errt * 9 + trend * 3 + season) {
        ETS_CASE(1, 0, 0);
        ETS_CASE(1, 0, 1);
        ETS_CASE(1, 0, 2);
        ETS_CASE(1, 1, 0);
        ETS_CASE(1, 1, 1);
        ETS_CASE(1, 1, 2);
        ETS_CASE(2, 0, 0);
        ETS_CASE(2, 0, 1);
        ETS_CASE(2, 0, 2);
        ETS_CASE(2, 1, 0);
        ETS_CASE(2, 1, 1);
        ETS_CASE(2, 1, 2);
    default: return NAN;
    }
}

/* ---------------------------------------------------------------------
 * Up to four candidates of the same error and season type (trend none,
 * additive or damped) in the lanes of one vector: the recursion of
 * ets_run, lane by lane the same operations in the same order, so the
 * same numbers as ets_run (vector arithmetic is IEEE per lane, and no
 * operation is fused).  Each step of the recursion waits on the one
 * before, so the lanes run in the time of about one; the division of
 * multiplicative models is the only part that costs per lane.
 * ------------------------------------------------------------------- */
#define ETS_LANES HZ_LANES
typedef hz_v4d v4d;
typedef hz_v4l v4l;
#define v4_sel hz_v4_sel
#define v4_abs hz_v4_abs
#define v4_load hz_v4_load

/* The lanes' parameters and states, in and out of the vector kernel (as
 * arrays: vectors are not passed between functions built for different
 * instruction sets). */
typedef struct ets_lanes {
    double alpha[ETS_LANES], beta[ETS_LANES], gamma[ETS_LANES];
    double phi[ETS_LANES], l[ETS_LANES], b[ETS_LANES], stop[ETS_LANES];
    double trend[ETS_LANES]; /* nonzero: the lane has a trend */
    double merr[ETS_LANES];  /* nonzero: multiplicative error */
    double stype[ETS_LANES]; /* the season: 0 none, 1 A, 2 M */
    double seas[HZ_ETS_MAX_M][ETS_LANES];
    double lik[ETS_LANES], sse[ETS_LANES];
} ets_lanes;

/* log_group in the lanes: the same operations on each lane. */
static inline __attribute__((always_inline)) void log_group4(
    const v4d *prodp, const v4d *fb, int k, v4d *mant, v4l *expo, double *slog)
{
    const v4d prod = *prodp;
    const v4d lo = {1e-290, 1e-290, 1e-290, 1e-290};
    const v4d hi = {1e290, 1e290, 1e290, 1e290};
    const v4l emask = {0x7ff, 0x7ff, 0x7ff, 0x7ff};
    const v4l bias = {1023, 1023, 1023, 1023};
    v4l in = (prod > lo) & (prod < hi);
    v4l bits = (v4l)(*mant * prod);
    *expo += in & (((bits >> 52) & emask) - bias);
    *mant = v4_sel(in, (v4d)((bits & ~(emask << 52)) | (bias << 52)), *mant);
    if (in[0] & in[1] & in[2] & in[3])
        return;
    for (int l = 0; l < ETS_LANES; l++)
        for (int i = 0; !in[l] && i < k; i++)
            slog[l] += log(fb[i][l]);
}

/* Lane mixes beyond one error and season type: ETS_MIXED error (some
 * lanes additive, some multiplicative); ETS_MIXED season (none, additive
 * and multiplicative seasons; ETS_MIXED_NOM when no lane's season is
 * multiplicative).  Each lane then takes its own type's operations by
 * selection, the others' results computed and discarded. */
#define ETS_MIXED 3
#define ETS_MIXED_NOM 4

static inline __attribute__((always_inline)) void ets_runv(const double *y,
                                                           size_t n, int m,
                                                           const int errt,
                                                           const int season,
                                                           ets_lanes *z)
{
    const v4d zero = {0, 0, 0, 0}, one = {1, 1, 1, 1};
    const v4d tol = {ETS_TOL, ETS_TOL, ETS_TOL, ETS_TOL};
    const v4d huge = {ETS_HUGEN, ETS_HUGEN, ETS_HUGEN, ETS_HUGEN};
    const v4d two = {2, 2, 2, 2};
    const v4d alpha = v4_load(z->alpha), beta = v4_load(z->beta);
    const v4d gamma = v4_load(z->gamma), phi = v4_load(z->phi);
    const v4d stop = v4_load(z->stop);
    const v4l tmask = v4_load(z->trend) != zero;
    const bool xe = errt == ETS_MIXED, xs = season >= ETS_MIXED;
    const bool anym = errt != HZ_ETS_A, anya = errt != HZ_ETS_M;
    const bool anyms = season == HZ_ETS_M || season == ETS_MIXED;
    const v4l em = v4_load(z->merr) != zero; /* multiplicative error */
    const v4l sa = v4_load(z->stype) == one; /* additive season */
    const v4l sm = v4_load(z->stype) == two; /* multiplicative season */
    v4d l = v4_load(z->l);
    v4d c = v4_sel(tmask, phi * v4_load(z->b), zero);
    const v4d pbeta = phi * beta, oma = one - alpha;
    v4d sse = zero, prod = one, mant = one, vs[HZ_ETS_MAX_M], fb[8];
    v4l over = {0, 0, 0, 0}, expo = {0, 0, 0, 0};
    double slog[ETS_LANES] = {0};
    int pc = 0;
    size_t j = 0;
    for (int k = 0; season && k < m; k++)
        vs[k] = v4_load(z->seas[k]);
    for (size_t i = 0; i < n; i++) {
        v4d phib = c;
        v4d q = l + phib;
        v4d s = season ? vs[j] : zero;
        v4d f;
        if (season == HZ_ETS_N)
            f = q;
        else if (season == HZ_ETS_A)
            f = q + s;
        else if (season == HZ_ETS_M)
            f = q * s;
        else
            f = v4_sel(sm, anyms ? q * s : q, v4_sel(sa, q + s, q));
        v4d yi = {y[i], y[i], y[i], y[i]};
        v4d e;
        if (errt == HZ_ETS_A)
            e = yi - f;
        else if (errt == HZ_ETS_M)
            e = (yi - f) / f;
        else
            e = v4_sel(em, (yi - f) / f, yi - f);
        if (anym) {
            v4d af = v4_abs(f);
            if (xe)
                af = v4_sel(em, af, one);
            fb[pc] = af;
            prod *= af;
            if (++pc == 8) {
                log_group4(&prod, fb, 8, &mant, &expo, slog);
                prod = one;
                pc = 0;
            }
        }
        sse += e * e;
        if (anya) {
            over |= xe ? (sse >= stop) & ~em : sse >= stop;
            if ((i & 7) == 7 && (over[0] & over[1] & over[2] & over[3]))
                break; /* every lane is past its bound */
        }
        v4d p;
        if (season == HZ_ETS_N)
            p = yi;
        else if (season == HZ_ETS_A)
            p = yi - s;
        else if (season == HZ_ETS_M)
            p = v4_sel(v4_abs(s) < tol, huge, yi / s);
        else
            p = v4_sel(sm, anyms ? v4_sel(v4_abs(s) < tol, huge, yi / s) : yi,
                       v4_sel(sa, yi - s, yi));
        v4d ln = oma * q + alpha * p;
        c = v4_sel(tmask, (phi * phib + pbeta * p) - pbeta * q, zero);
        if (season == HZ_ETS_A) {
            vs[j] = s + gamma * ((yi - q) - s);
        } else if (season == HZ_ETS_M) {
            vs[j] = s + gamma * (v4_sel(v4_abs(q) < tol, huge, yi / q) - s);
        } else if (xs) {
            v4d u = v4_sel(sa, s + gamma * ((yi - q) - s), s);
            if (anyms)
                u = v4_sel(sm,
                           s + gamma *
                                   (v4_sel(v4_abs(q) < tol, huge, yi / q) - s),
                           u);
            vs[j] = u;
        }
        l = ln;
        if (season && ++j == (size_t)m)
            j = 0;
    }
    if (anym && pc > 0)
        log_group4(&prod, fb, pc, &mant, &expo, slog);
    for (int k = 0; k < ETS_LANES; k++) {
        z->sse[k] = sse[k];
        if (over[k]) {
            z->lik[k] = INFINITY;
            continue;
        }
        z->lik[k] = (double)n * log(sse[k]);
        if (em[k])
            z->lik[k] += 2.0 *
                         (slog[k] + (log(mant[k]) + (double)expo[k] * M_LN2));
    }
}

#define ETS_CASEV(E, S)                                                       \
    case (E)*5 + (S):                                                         \
        ets_runv(y, n, m, E, S, z);                                           \
        return

#define ETS_CALCV_BODY                                                        \
    switch (errt * 5 + season) {                                              \
        ETS_CASEV(1, 0);                                                      \
        ETS_CASEV(1, 1);                                                      \
        ETS_CASEV(1, 2);                                                      \
        ETS_CASEV(1, 3);                                                      \
        ETS_CASEV(1, 4);                                                      \
        ETS_CASEV(2, 0);                                                      \
        ETS_CASEV(2, 1);                                                      \
        ETS_CASEV(2, 2);                                                      \
        ETS_CASEV(2, 3);                                                      \
        ETS_CASEV(2, 4);                                                      \
        ETS_CASEV(3, 0);                                                      \
        ETS_CASEV(3, 1);                                                      \
        ETS_CASEV(3, 2);                                                      \
        ETS_CASEV(3, 3);                                                      \
        ETS_CASEV(3, 4);                                                      \
    default:                                                                  \
        for (int k = 0; k < ETS_LANES; k++)                                   \
            z->lik[k] = NAN;                                                  \
    }

static void ets_calcv_base(const double *y, size_t n, int m, int errt,
                           int season, ets_lanes *z)
{
    ETS_CALCV_BODY
}

#if HZ_SIMD_HAVE_AVX2
/* The same code for AVX2: four lanes in one register instead of two. */
HZ_SIMD_AVX2 static void ets_calcv_avx2(const double *y, size_t n, int m,
                                        int errt, int season, ets_lanes *z)
{
    ETS_CALCV_BODY
}
#endif

static void ets_calcv(const double *y, size_t n, int m, int errt, int season,
                      ets_lanes *z)
{
#if HZ_SIMD_HAVE_AVX2
    if (hz_simd_avx2()) {
        ets_calcv_avx2(y, n, m, errt, season, z);
        return;
    }
#endif
    ets_calcv_base(y, n, m, errt, season, z);
}

/* ---------------------------------------------------------------------
 * Objective (etsTargetFunction.cpp).
 * ------------------------------------------------------------------- */
typedef struct ets_target {
    const double *y;
    size_t n;
    int m; /* season length, 1 when non-seasonal */
    int errt, trend, season;
    bool damped;
    int opt_crit;
    double lower[4], upper[4];
    int nevals;
} ets_target;

/* The characteristic polynomial of a seasonal model (m > 1), whose
 * roots must lie in the unit disc, into c[0], c[stride], ... (highest
 * power first); returns its degree. */
static int ets_charpoly(double alpha, double beta, double gamma, double phi,
                        int m, bool trend, double *c, int stride)
{
    if (!trend)
        beta = 0;
    int k = 0;
    c[stride * k++] = 1;
    c[stride * k++] = alpha + beta - phi;
    for (int i = 0; i < m - 2; i++)
        c[stride * k++] = alpha + beta - alpha * phi;
    c[stride * k++] = alpha + beta - alpha * phi + gamma - 1;
    c[stride * k++] = phi * (1 - alpha - gamma);
    return k - 1;
}

static bool ets_admissible(double alpha, double beta, double gamma, double phi,
                           int m, bool seasonal, bool trend, bool with_poly)
{
    if (phi < 0 || phi > 1 + 1e-8)
        return false;
    if (!seasonal) {
        if (alpha < 1 - 1 / phi || alpha > 1 + 1 / phi)
            return false;
        if (trend) {
            if (beta < alpha * (phi - 1) || beta > (1 + phi) * (2 - alpha))
                return false;
        }
        return true;
    }
    if (m > 1) {
        if (!trend)
            beta = 0;
        double d = 1 - 1 / phi - alpha;
        if (gamma < (d > 0 ? d : 0) || gamma > 1 + 1 / phi - alpha)
            return false;
        if (alpha <
            1 - 1 / phi - gamma * (1 - m + phi + phi * m) / (2 * phi * m))
            return false;
        if (beta < -(1 - phi) * (gamma / m + alpha))
            return false;
        if (!with_poly)
            return true;
        double c[HZ_ETS_MAX_M + 3];
        int deg = ets_charpoly(alpha, beta, gamma, phi, m, trend, c, 1);
        return hz__poly_roots_in_unit_disc(c, deg);
    }
    return true;
}

/* Unpack par into parameters and a circular seasonal array; returns
 * false when a bound or the admissibility test fails. */
static bool ets_unpack(const ets_target *t, const double *par, double *alpha,
                       double *beta, double *gamma, double *phi, double *l,
                       double *b, double *seas, bool with_poly)
{
    int k = 0;
    *alpha = par[k++];
    *beta = t->trend ? par[k++] : 0.0;
    *gamma = t->season ? par[k++] : 0.0;
    *phi = t->damped ? par[k++] : 1.0;
    if (*alpha < t->lower[0] || *alpha > t->upper[0])
        return false;
    if (t->trend &&
        (*beta < t->lower[1] || *beta > *alpha || *beta > t->upper[1]))
        return false;
    if (t->damped && (*phi < t->lower[3] || *phi > t->upper[3]))
        return false;
    if (t->season &&
        (*gamma < t->lower[2] || *gamma > 1 - *alpha || *gamma > t->upper[2]))
        return false;
    if (!ets_admissible(*alpha, *beta, *gamma, *phi, t->m, t->season != 0,
                        t->trend != 0, with_poly))
        return false;
    *l = par[k++];
    *b = t->trend ? par[k++] : 0.0;
    if (t->season) {
        int m = t->m;
        double sum = 0.0;
        /* R order s0..s_{m-2}; circular seas[j] = s_{m-1-j} */
        for (int i = 0; i < m - 1; i++) {
            double s = par[k + i];
            sum += s;
            seas[m - 1 - i] = s;
        }
        seas[0] = (t->season == HZ_ETS_M ? (double)m : 0.0) - sum;
        if (t->season == HZ_ETS_M) {
            for (int i = 0; i < m; i++)
                if (seas[i] < 0)
                    return false;
        }
    }
    return true;
}

/* The objective.  Values >= bound are not needed exactly (see
 * hz__nelder_mead): the additive-error recursion stops as soon as the
 * (monotone) criterion passes the bound, and the characteristic-polynomial
 * test (the costly part of admissibility) runs only for points whose
 * value is below the bound; an inadmissible point is +Inf either way. */
/* The early-stopping threshold of the recursion for bound: (1 + 1e-12):
 * stop only when the value is surely above the bound. */
static double ets_stop(const ets_target *t, double bound)
{
    double stop = INFINITY;
    if (t->opt_crit == HZ_ETS_CRIT_MSE)
        stop = bound * (double)t->n * (1 + 1e-12);
    else if (t->errt == HZ_ETS_A)
        stop = exp(bound / (double)t->n) * (1 + 1e-12);
    if (!(stop > 0))
        stop = INFINITY; /* bound below any possible value: no early stop */
    return stop;
}

/* The objective's value from the recursion's lik and sse. */
static double ets_value(const ets_target *t, double lik, double sse,
                        double bound, double alpha, double beta, double gamma,
                        double phi, bool with_poly)
{
    if (isinf(lik) && lik > 0)
        return INFINITY;
    if (t->opt_crit == HZ_ETS_CRIT_MSE)
        lik = sse / (double)t->n;
    if (lik < -1e10)
        lik = -1e10;
    if (isnan(lik))
        lik = INFINITY;
    if (with_poly && t->season && lik < bound &&
        !ets_admissible(alpha, beta, gamma, phi, t->m, true, t->trend != 0,
                        true))
        return INFINITY;
    return lik;
}

static double ets_objective(const double *par, double bound, void *ctx)
{
    ets_target *t = ctx;
    double alpha, beta, gamma, phi, l, b, seas[HZ_ETS_MAX_M];
    t->nevals++;
    if (!ets_unpack(t, par, &alpha, &beta, &gamma, &phi, &l, &b, seas, false))
        return INFINITY;
    double sse;
    double lik = ets_calc(t->y, t->n, t->m, t->errt, t->trend, t->season,
                          alpha, beta, gamma, phi, &l, &b, seas, &sse, NULL,
                          ets_stop(t, bound));
    return ets_value(t, lik, sse, bound, alpha, beta, gamma, phi, true);
}

/* ---------------------------------------------------------------------
 * Initial states (forecast:::initstate).
 * ------------------------------------------------------------------- */
static int solve_small(double *A, double *b, int n)
{
    for (int c = 0; c < n; c++) {
        int p = c;
        for (int r = c + 1; r < n; r++)
            if (fabs(A[r * n + c]) > fabs(A[p * n + c]))
                p = r;
        if (fabs(A[p * n + c]) < 1e-300)
            return -1;
        if (p != c) {
            for (int k = 0; k < n; k++) {
                double tmp = A[c * n + k];
                A[c * n + k] = A[p * n + k];
                A[p * n + k] = tmp;
            }
            double tmp = b[c];
            b[c] = b[p];
            b[p] = tmp;
        }
        for (int r = c + 1; r < n; r++) {
            double f = A[r * n + c] / A[c * n + c];
            for (int k = c; k < n; k++)
                A[r * n + k] -= f * A[c * n + k];
            b[r] -= f * b[c];
        }
    }
    for (int c = n - 1; c >= 0; c--) {
        double s = b[c];
        for (int k = c + 1; k < n; k++)
            s -= A[c * n + k] * b[k];
        b[c] = s / A[c * n + c];
    }
    return 0;
}

/* Writes l0, [b0], [s0..s_{m-2}] into st; returns count or -1. */
static int ets_initstate(const double *y, size_t n, int m, int trend,
                         int season, double *work, double *st)
{
    double *ysa = work; /* n values */
    double init_seas[HZ_ETS_MAX_M];
    if (season) {
        if (n < 4)
            return -1;
        double seasonal_buf[HZ_ETS_MAX_M];
        double *sv; /* seasonal values aligned with y[0..] */
        if (n < 3 * (size_t)m) {
            /* y ~ 1 + t + sin(2 pi t/m) + cos(2 pi t/m) */
            int k = (m == 2) ? 3 : 4;
            double A[16] = {0}, rhs[4] = {0};
            for (size_t i = 0; i < n; i++) {
                double tt = (double)(i + 1);
                double x[4];
                x[0] = 1.0;
                x[1] = tt;
                if (m == 2) {
                    x[2] = cos(2 * M_PI * tt / m);
                } else {
                    x[2] = sin(2 * M_PI * tt / m);
                    x[3] = cos(2 * M_PI * tt / m);
                }
                for (int r = 0; r < k; r++) {
                    rhs[r] += x[r] * y[i];
                    for (int c = 0; c < k; c++)
                        A[r * k + c] += x[r] * x[c];
                }
            }
            if (solve_small(A, rhs, k) != 0)
                return -1;
            sv = ysa; /* reuse: fill seasonal into ysa then adjust */
            for (size_t i = 0; i < n; i++) {
                double tr = rhs[0] + rhs[1] * (double)(i + 1);
                sv[i] = season == HZ_ETS_A ? y[i] - tr : y[i] / tr;
            }
            for (int i = 0; i < m; i++)
                seasonal_buf[i] = sv[i];
            sv = seasonal_buf;
        } else {
            /* forecast 8.20 decomposes the whole series */
            if (hz__decompose(y, n, m, season == HZ_ETS_M, ysa) != 0)
                return -1;
            for (int i = 0; i < m; i++)
                seasonal_buf[i] = ysa[i];
            sv = seasonal_buf;
        }
        /* init.seas <- rev(seasonal[2:m]) */
        for (int i = 0; i < m - 1; i++)
            init_seas[i] = sv[m - 1 - i];
        size_t maxn0 = (size_t)(2 * m > 10 ? 2 * m : 10);
        size_t maxn = maxn0 < n ? maxn0 : n;
        if (season == HZ_ETS_A) {
            for (size_t i = 0; i < maxn; i++)
                ysa[i] = y[i] - sv[i % (size_t)m];
        } else {
            double sum = 0.0;
            for (int i = 0; i < m - 1; i++) {
                if (init_seas[i] < 1e-2)
                    init_seas[i] = 1e-2;
                sum += init_seas[i];
            }
            if (sum > m) {
                double d = 0.0;
                for (int i = 0; i < m - 1; i++)
                    d += init_seas[i] + 1e-2;
                for (int i = 0; i < m - 1; i++)
                    init_seas[i] /= d;
            }
            for (size_t i = 0; i < maxn; i++) {
                double s = sv[i % (size_t)m];
                ysa[i] = y[i] / (s > 1e-2 ? s : 1e-2);
            }
        }
    } else {
        m = 1;
        size_t maxn = n < 10 ? n : 10;
        for (size_t i = 0; i < maxn; i++)
            ysa[i] = y[i];
    }
    size_t maxn0 = (size_t)(2 * m > 10 ? 2 * m : 10);
    size_t maxn = maxn0 < n ? maxn0 : n;
    int k = 0;
    if (!trend) {
        double s = 0.0;
        for (size_t i = 0; i < maxn; i++)
            s += ysa[i];
        st[k++] = s / (double)maxn;
    } else {
        double a, bb;
        hz__linfit(ysa, maxn, 1.0, &a, &bb);
        if (fabs(a + bb) < 1e-8) {
            a *= 1 + 1e-3;
            bb *= 1 - 1e-3;
        }
        st[k++] = a;
        st[k++] = bb;
    }
    if (season)
        for (int i = 0; i < m - 1; i++)
            st[k++] = init_seas[i];
    return k;
}

/* ---------------------------------------------------------------------
 * Fit one model shape.
 * ------------------------------------------------------------------- */
/* The target and start values of one candidate (forecast:::etsmodel);
 * false when there are too few observations for it.  *npar: the number
 * of parameters in par. */
static bool fit_prepare(const double *y, size_t n, int mseason, int errt,
                        int trend, int season, bool damped,
                        const hz_ets_opts *o, double *work, ets_target *tp,
                        double *par, int *npar)
{
    ets_target t;
    memset(&t, 0, sizeof t);
    t.y = y;
    t.n = n;
    t.m = season ? mseason : 1;
    t.errt = errt;
    t.trend = trend;
    t.season = season;
    t.damped = damped;
    t.opt_crit = o->opt_crit;
    const double lower[4] = {1e-4, 1e-4, 1e-4, 0.8};
    const double upper[4] = {0.9999, 0.9999, 0.9999, 0.98};
    memcpy(t.lower, lower, sizeof lower);
    memcpy(t.upper, upper, sizeof upper);

    int np = 0;
    double up[4];
    memcpy(up, upper, sizeof up);
    /* initparam */
    double alpha = lower[0] + 0.2 * (up[0] - lower[0]) / t.m;
    if (alpha > 1 || alpha < 0)
        alpha = lower[0] + 2e-3;
    par[np++] = alpha;
    if (trend) {
        if (alpha < up[1])
            up[1] = alpha;
        double beta = lower[1] + 0.1 * (up[1] - lower[1]);
        if (beta < 0 || beta > alpha)
            beta = alpha - 1e-3;
        par[np++] = beta;
    }
    if (season) {
        if (1 - alpha < up[2])
            up[2] = 1 - alpha;
        double gamma = lower[2] + 0.05 * (up[2] - lower[2]);
        if (gamma < 0 || gamma > 1 - alpha)
            gamma = 1 - alpha - 1e-3;
        par[np++] = gamma;
    }
    if (damped) {
        double phi = lower[3] + 0.99 * (up[3] - lower[3]);
        if (phi < 0 || phi > 1)
            phi = up[3] - 1e-3;
        par[np++] = phi;
    }
    int ns = ets_initstate(y, n, t.m, trend, season, work, par + np);
    if (ns < 0)
        return false;
    np += ns;
    if ((size_t)np >= n - 1 || n < 2)
        return false;
    *tp = t;
    *npar = np;
    return true;
}

/* The fit at the optimum par (np values) found with used evaluations. */
static bool fit_finish(const ets_target *tp, const double *par, int np,
                       int used, hz_ets_fit *fit)
{
    const ets_target t = *tp;
    const double *y = t.y;
    const size_t n = t.n;
    const int errt = t.errt, trend = t.trend, season = t.season;
    const bool damped = t.damped;
    double a, bta, g, ph, l, b, seas[HZ_ETS_MAX_M];
    if (!ets_unpack(&t, par, &a, &bta, &g, &ph, &l, &b, seas, true))
        return false;
    memset(fit, 0, sizeof *fit);
    fit->error = errt;
    fit->trend = trend;
    fit->season = season;
    fit->damped = damped;
    fit->m = t.m;
    fit->n = n;
    fit->alpha = a;
    fit->beta = bta;
    fit->gamma = g;
    fit->phi = ph;
    int k = 0;
    fit->init[k++] = l;
    if (trend)
        fit->init[k++] = b;
    if (season)
        for (int i = 0; i < t.m; i++)
            fit->init[k++] = seas[t.m - 1 - i];
    fit->nstate = k;
    double sse = NAN; /* set by ets_calc whenever lik is finite */
    double lik = ets_calc(y, n, t.m, errt, trend, season, a, bta, g, ph, &l,
                          &b, seas, &sse, NULL, INFINITY);
    if (!isfinite(lik) || !isfinite(sse))
        return false;
    k = 0;
    fit->last[k++] = l;
    if (trend)
        fit->last[k++] = b;
    if (season) {
        /* newest first: s0 = seas[(n-1) % m] */
        for (int i = 0; i < t.m; i++) {
            long idx = ((long)n - 1 - i) % t.m;
            if (idx < 0)
                idx += t.m;
            fit->last[k++] = seas[idx];
        }
    }
    fit->npar = np;
    double npp = np + 1.0;
    fit->loglik = -0.5 * lik;
    fit->aic = lik + 2 * npp;
    fit->bic = lik + log((double)n) * npp;
    double den = (double)n - npp - 1.0;
    fit->aicc = den > 0 ? fit->aic + 2 * npp * (npp + 1) / den : INFINITY;
    fit->sigma2 = (double)n > np ? sse / ((double)n - np) : NAN;
    fit->mse = sse / (double)n;
    fit->nevals = used;
    return true;
}

static bool fit_one(const double *y, size_t n, int mseason, int errt,
                    int trend, int season, bool damped, const hz_ets_opts *o,
                    double *work, hz_ets_fit *fit)
{
    ets_target t;
    double par[MAX_PAR], fmin;
    int np;
    if (!fit_prepare(y, n, mseason, errt, trend, season, damped, o, work, &t,
                     par, &np))
        return false;
    int used = hz__nelder_mead(np, par, &fmin, ets_objective, &t, -INFINITY,
                               o->reltol, o->maxit);
    return used >= 0 && fit_finish(&t, par, np, used, fit);
}

typedef struct cand {
    int e, t, s;
    bool d;
} cand;

/* One evaluation asked for by a candidate's search: its point unpacked
 * (ok false: out of bounds or not admissible, the value is +Inf). */
typedef struct ets_eval {
    ets_target *t;
    double bound, f;
    double alpha, beta, gamma, phi, l, b, seas[HZ_ETS_MAX_M];
    bool ok;
} ets_eval;

/* The lanes' kind, for packing: evaluations of the same kind share the
 * cheapest vector code (multiplicative seasons and errors divide). */
static int eval_kind(const ets_eval *e)
{
    return e->t->errt * 3 + e->t->season;
}

/* Evaluate e[0..k) (k <= ETS_LANES, all ok) side by side: e[i].f as
 * ets_objective gives it, but for the characteristic-polynomial test
 * (eval_admissible). */
static void eval_pack(ets_eval *const *e, int k)
{
    ets_lanes z;
    int m = 1, errt = e[0]->t->errt, season = e[0]->t->season;
    bool anyms = false;
    for (int i = 0; i < ETS_LANES; i++) {
        const ets_eval *x = e[i < k ? i : 0]; /* idle lanes copy lane 0 */
        const ets_target *t = x->t;
        z.alpha[i] = x->alpha;
        z.beta[i] = x->beta;
        z.gamma[i] = x->gamma;
        z.phi[i] = x->phi;
        z.l[i] = x->l;
        z.b[i] = x->b;
        z.trend[i] = t->trend != 0;
        z.merr[i] = t->errt == HZ_ETS_M;
        z.stype[i] = t->season;
        z.stop[i] = ets_stop(t, x->bound);
        if (t->errt != errt)
            errt = ETS_MIXED;
        if (t->season != e[0]->t->season)
            season = ETS_MIXED;
        anyms |= t->season == HZ_ETS_M;
        if (t->season)
            m = t->m;
    }
    if (season == ETS_MIXED && !anyms)
        season = ETS_MIXED_NOM;
    for (int i = 0; i < ETS_LANES; i++) {
        const ets_eval *x = e[i < k ? i : 0];
        for (int j = 0; j < m; j++)
            z.seas[j][i] = x->t->season ? x->seas[j] : 0.0;
    }
    ets_calcv(e[0]->t->y, e[0]->t->n, m, errt, season, &z);
    for (int i = 0; i < k; i++) {
        ets_eval *x = e[i];
        x->f = ets_value(x->t, z.lik[i], z.sse[i], x->bound, x->alpha, x->beta,
                         x->gamma, x->phi, false);
    }
}

/* The rest of ets_value for the evaluations e[0..k) of a round: the
 * characteristic-polynomial test of the seasonal ones below their bounds,
 * four side by side (all have the same season length). */
static void eval_admissible(ets_eval *const *e, int k)
{
    ets_eval *need[ETS_FIT_MAX];
    int nneed = 0;
    for (int i = 0; i < k; i++)
        if (e[i]->t->season && e[i]->f < e[i]->bound && e[i]->t->m > 1)
            need[nneed++] = e[i];
    int q0 = 0;
    for (; nneed - q0 >= 2; q0 += HZ_LANES) {
        double c[(HZ_ETS_MAX_M + 3) * HZ_LANES];
        int deg = 0, nq = nneed - q0 < HZ_LANES ? nneed - q0 : HZ_LANES;
        for (int q = 0; q < HZ_LANES; q++) {
            const ets_eval *x = need[q0 + (q < nq ? q : 0)];
            deg = ets_charpoly(x->alpha, x->beta, x->gamma, x->phi, x->t->m,
                               x->t->trend != 0, c + q, HZ_LANES);
        }
        bool in[HZ_LANES];
        hz__poly_roots_in_unit_disc4(c, deg, in);
        for (int q = 0; q < nq; q++)
            if (!in[q])
                need[q0 + q]->f = INFINITY;
    }
    if (q0 < nneed) {
        ets_eval *x = need[q0];
        if (!ets_admissible(x->alpha, x->beta, x->gamma, x->phi, x->t->m, true,
                            x->t->trend != 0, true))
            x->f = INFINITY;
    }
}

/* Evaluate one alone: ets_objective on the unpacked point, but for the
 * characteristic-polynomial test (eval_admissible). */
static void eval_one(ets_eval *x)
{
    const ets_target *t = x->t;
    double l = x->l, b = x->b, sse = NAN;
    double lik = ets_calc(t->y, t->n, t->m, t->errt, t->trend, t->season,
                          x->alpha, x->beta, x->gamma, x->phi, &l, &b, x->seas,
                          &sse, NULL, ets_stop(t, x->bound));
    x->f = ets_value(t, lik, sse, x->bound, x->alpha, x->beta, x->gamma,
                     x->phi, false);
}

/* The evaluations ev[0..k) of one round: those out of bounds are +Inf;
 * the others sorted by kind (stable) and evaluated in packs of up to
 * ETS_LANES lanes. */
static void eval_round(ets_eval *ev, int k)
{
    ets_eval *live[ETS_FIT_MAX];
    int nl = 0;
    for (int i = 0; i < k; i++) {
        ets_eval *x = &ev[i];
        x->t->nevals++;
        x->f = INFINITY;
        if (!x->ok)
            continue;
        int j = nl++;
        while (j > 0 && eval_kind(live[j - 1]) > eval_kind(x)) {
            live[j] = live[j - 1];
            j--;
        }
        live[j] = x;
    }
    for (int i = 0; i < nl; i += ETS_LANES) {
        int np = nl - i < ETS_LANES ? nl - i : ETS_LANES;
        if (np == 1)
            eval_one(live[i]);
        else
            eval_pack(live + i, np);
    }
    eval_admissible(live, nl);
}

/* One candidate's search, kept in the workspace by candidate index: a
 * screened search (stopped by the screening budget) goes on from where
 * it stopped when the candidate is fitted fully. */
typedef struct ets_search {
    ets_target t;
    double par[MAX_PAR];
    int np, st;
    bool screened;
    hz__nm nm;
} ets_search;

static ets_search *ws_searches(hz_ets_workspace *w)
{
    if (w->srch == NULL)
        w->srch = calloc(ETS_FIT_MAX, sizeof *w->srch);
    return w->srch;
}

/* The candidates cs[idx[0..k)] (k <= ETS_FIT_MAX) fitted with options o into
 * fits and ok: their Nelder-Mead searches step together, and each
 * round's evaluations run side by side in the lanes of one vector (the
 * same search paths and fits as fit_one on each). */
static void fit_list(const double *y, size_t n, int m, const cand *cs,
                     const int *idx, int k, const hz_ets_opts *o,
                     hz_ets_workspace *w, hz_ets_fit *fits, bool *ok)
{
    ets_search *sr = ws_searches(w);
    /* one at a time: the tests' reference, or no memory for the states */
    if (sr == NULL || !hz__ets_side_by_side) {
        for (int i = 0; i < k; i++) {
            const cand *c = &cs[idx[i]];
            ok[i] = fit_one(y, n, m, c->e, c->t, c->s, c->d, o, w->buf,
                            &fits[i]);
        }
        return;
    }
    for (int i = 0; i < k; i++) {
        const cand *c = &cs[idx[i]];
        ets_search *x = &sr[idx[i]];
        if (x->screened) { /* go on from the screening's search */
            x->screened = false;
            x->st = hz__nm_resume(&x->nm, o->maxit);
            continue;
        }
        x->st = HZ_NM_FAIL;
        if (fit_prepare(y, n, m, c->e, c->t, c->s, c->d, o, w->buf, &x->t,
                        x->par, &x->np))
            x->st = hz__nm_start(&x->nm, x->np, x->par, -INFINITY, o->reltol,
                                 o->maxit);
    }
    for (;;) {
        ets_eval ev[ETS_FIT_MAX];
        int who[ETS_FIT_MAX], ne = 0;
        for (int i = 0; i < k; i++) {
            ets_search *s = &sr[idx[i]];
            if (s->st != HZ_NM_EVAL)
                continue;
            ets_eval *x = &ev[ne];
            x->t = &s->t;
            x->bound = s->nm.bound;
            x->ok = ets_unpack(&s->t, s->nm.B, &x->alpha, &x->beta, &x->gamma,
                               &x->phi, &x->l, &x->b, x->seas, false);
            who[ne++] = idx[i];
        }
        if (ne == 0)
            break;
        eval_round(ev, ne);
        for (int q = 0; q < ne; q++)
            sr[who[q]].st = hz__nm_feed(&sr[who[q]].nm, ev[q].f);
    }
    for (int i = 0; i < k; i++) {
        const ets_search *x = &sr[idx[i]];
        ok[i] = x->st == HZ_NM_DONE &&
                fit_finish(&x->t, x->par, x->np, x->nm.funcount, &fits[i]);
    }
}

static double ic_of(const hz_ets_fit *f, int ic)
{
    return ic == HZ_ETS_IC_AIC   ? f->aic
           : ic == HZ_ETS_IC_BIC ? f->bic
                                 : f->aicc;
}

/* One candidate model shape. */

/* The candidates of forecast::ets for these options and data, in R's
 * order; -1 for a multiplicative trend (not supported). */
static int candidates(const double *y, size_t n, int m,
                      const hz_ets_opts *opts, bool positive, bool seasonal_ok,
                      cand *cs)
{
    int errs[2], nerr = 0, trends[2], ntr = 0, seas[3], nse = 0;
    int damps[2], nd = 0, nc = 0;
    if (opts->error == HZ_ETS_AUTO) {
        errs[nerr++] = HZ_ETS_A;
        errs[nerr++] = HZ_ETS_M;
    } else
        errs[nerr++] = opts->error;
    if (opts->trend == HZ_ETS_AUTO) {
        trends[ntr++] = HZ_ETS_N;
        trends[ntr++] = HZ_ETS_A;
    } else if (opts->trend == HZ_ETS_M) {
        return -1;
    } else
        trends[ntr++] = opts->trend;
    if (opts->season == HZ_ETS_AUTO) {
        seas[nse++] = HZ_ETS_N;
        if (seasonal_ok && n < opts->season_test_below &&
            !hz__seasonality_test(y, n, m, 2 * (size_t)m + 1))
            seasonal_ok = false;
        if (seasonal_ok) {
            seas[nse++] = HZ_ETS_A;
            seas[nse++] = HZ_ETS_M;
        }
    } else
        seas[nse++] = opts->season;
    if (opts->damped == HZ_ETS_AUTO) {
        damps[nd++] = 1;
        damps[nd++] = 0;
    } else
        damps[nd++] = opts->damped;
    for (int i = 0; i < nerr; i++)
        for (int j = 0; j < ntr; j++)
            for (int k = 0; k < nse; k++)
                for (int d = 0; d < nd; d++) {
                    int e = errs[i], t = trends[j], s = seas[k];
                    bool dm = damps[d] != 0;
                    if (t == HZ_ETS_N && dm)
                        continue;
                    if (opts->restrict_models && e == HZ_ETS_A &&
                        s == HZ_ETS_M && opts->season == HZ_ETS_AUTO)
                        continue;
                    if (opts->additive_only &&
                        (e == HZ_ETS_M || s == HZ_ETS_M))
                        continue;
                    if (!positive && (e == HZ_ETS_M || s == HZ_ETS_M))
                        continue;
                    cs[nc++] = (cand){e, t, s, dm};
                }
    return nc;
}

/* The candidates to fit with the full budget into use (R's order): all of
 * them, or with opts->screen_keep every non-seasonal one and the
 * screen_keep seasonal ones with the lowest criterion after a first fit
 * of screen_maxit evaluations.  Returns their number. */
static int screen(const double *y, size_t n, int m, const cand *cs, int nc,
                  const hz_ets_opts *opts, hz_ets_workspace *w, int *use)
{
    int nu = 0, sidx[16] = {0}, nsea = 0;
    double ic[16];
    hz_ets_opts so = *opts;
    so.maxit = opts->screen_maxit;
    for (int i = 0; i < nc; i++) {
        if (opts->screen_keep <= 0 || cs[i].s == HZ_ETS_N)
            use[nu++] = i;
        else
            sidx[nsea++] = i;
    }
    hz_ets_fit fits[16];
    bool ok[16];
    fit_list(y, n, m, cs, sidx, nsea, &so, w, fits, ok);
    for (int k = 0; k < nsea; k++) {
        int i = sidx[k];
        if (w->srch != NULL) /* resumable by the full fit (fit_list) */
            w->srch[i].screened = w->srch[i].st == HZ_NM_DONE;
        ic[i] = INFINITY;
        if (ok[k] && !isnan(ic_of(&fits[k], opts->ic)))
            ic[i] = ic_of(&fits[k], opts->ic);
    }
    for (int i = 1; i < nsea; i++) { /* stable sort by screened criterion */
        int v = sidx[i], j = i;
        while (j > 0 && ic[sidx[j - 1]] > ic[v]) {
            sidx[j] = sidx[j - 1];
            j--;
        }
        sidx[j] = v;
    }
    for (int i = 0; i < nsea && i < opts->screen_keep; i++)
        use[nu++] = sidx[i];
    for (int i = 1; i < nu; i++) { /* back to R's order */
        int v = use[i], j = i;
        while (j > 0 && use[j - 1] > v) {
            use[j] = use[j - 1];
            j--;
        }
        use[j] = v;
    }
    return nu;
}

/* The candidate with the lowest criterion (the first on ties, as R). */
static bool fit_best(const double *y, size_t n, int m, const cand *cs, int nc,
                     const hz_ets_opts *opts, hz_ets_workspace *w,
                     hz_ets_fit *best, int *nfitted)
{
    int use[16] = {0};
    int nu = screen(y, n, m, cs, nc, opts, w, use);
    hz_ets_fit fits[16];
    bool ok[16];
    fit_list(y, n, m, cs, use, nu, opts, w, fits, ok);
    for (int i = 0; w->srch != NULL && i < nc; i++)
        w->srch[i].screened = false; /* those screened out */
    double best_ic = INFINITY;
    bool any = false;
    for (int u = 0; u < nu; u++) {
        if (!ok[u])
            continue;
        (*nfitted)++;
        double ic = ic_of(&fits[u], opts->ic);
        if (!isnan(ic) && (!any || ic < best_ic)) {
            *best = fits[u];
            best_ic = ic;
            any = true;
        }
    }
    return any;
}

hz_status hz_ets_fit_model(const double *y, size_t n, int m,
                           const hz_ets_opts *opts, hz_ets_workspace *w,
                           hz_ets_fit *fit, hz_error *err)
{
    hz_ets_opts def;
    if (opts == NULL) {
        hz_ets_opts_init(&def);
        opts = &def;
    }
    if (y == NULL || fit == NULL || w == NULL)
        return hz_error_set(err, HZ_EINVAL, "ets: null argument");
    if (n < 2)
        return hz_error_set(err, HZ_ETOOSHORT,
                            "ets: need at least 2 observations, got %zu", n);
    double ymin = y[0];
    bool constant = true;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(y[i]))
            return hz_error_set(err, HZ_EINVAL,
                                "ets: non-finite value at position %zu", i);
        if (y[i] < ymin)
            ymin = y[i];
        if (y[i] != y[0])
            constant = false;
    }
    if (ws_reserve(w, n, 0) != 0)
        return hz_error_set(err, HZ_ENOMEM, "ets: out of memory");
    bool seasonal_ok = m > 1 && m <= HZ_ETS_MAX_M && n > (size_t)m;
    if ((opts->season == HZ_ETS_A || opts->season == HZ_ETS_M) && !seasonal_ok)
        return hz_error_set(err, HZ_EINVAL,
                            "ets: seasonal model needs 1 < period <= %d "
                            "and more than one season of data (period %d, "
                            "n %zu)",
                            HZ_ETS_MAX_M, m, n);
    bool positive = ymin > 0;
    if (opts->error == HZ_ETS_M && !positive)
        return hz_error_set(err, HZ_EINVAL,
                            "ets: multiplicative errors need positive data");
    if (opts->season == HZ_ETS_M && !positive)
        return hz_error_set(err, HZ_EINVAL,
                            "ets: multiplicative season needs positive "
                            "data");

    if (constant) {
        /* forecast::ets fits ANN with alpha = 0.99999 to constant data */
        memset(fit, 0, sizeof *fit);
        fit->error = HZ_ETS_A;
        fit->m = 1;
        fit->n = n;
        fit->alpha = 0.99999;
        fit->phi = 1.0;
        fit->init[0] = fit->last[0] = y[0];
        fit->nstate = 1;
        fit->npar = 1;
        fit->loglik = fit->aic = fit->aicc = fit->bic = NAN;
        fit->sigma2 = 0.0;
        fit->nfitted = 1;
        return HZ_OK;
    }

    cand cs[16];
    int nc = candidates(y, n, m, opts, positive, seasonal_ok, cs);
    if (nc < 0)
        return hz_error_set(err, HZ_EINVAL,
                            "ets: multiplicative trend is not supported");
    int nfitted = 0;
    hz_ets_fit best;
    if (!fit_best(y, n, m, cs, nc, opts, w, &best, &nfitted))
        return hz_error_set(err, HZ_ETOOSHORT,
                            "ets: no model could be fitted to %zu "
                            "observations",
                            n);
    *fit = best;
    fit->nfitted = nfitted;
    return HZ_OK;
}

const char *hz_ets_name(const hz_ets_fit *fit, char *buf, size_t bufsz)
{
    static const char *const c[] = {"N", "A", "M"};
    snprintf(buf, bufsz, "ETS(%s,%s%s,%s)", c[fit->error], c[fit->trend],
             fit->damped ? "d" : "", c[fit->season]);
    return buf;
}

hz_status hz_ets_fitted(const hz_ets_fit *fit, const double *y, double *fitted,
                        hz_error *err)
{
    double l = fit->init[0], b = fit->trend ? fit->init[1] : 0.0;
    double seas[HZ_ETS_MAX_M];
    int m = fit->m, off = fit->trend ? 2 : 1;
    if (fit->season)
        for (int i = 0; i < m; i++)
            seas[m - 1 - i] = fit->init[off + i];
    double sse;
    if (fit->error == 0) {
        for (size_t i = 0; i < fit->n; i++)
            fitted[i] = fit->init[0];
        return HZ_OK;
    }
    ets_calc(y, fit->n, m, fit->error, fit->trend, fit->season, fit->alpha,
             fit->beta, fit->gamma, fit->phi, &l, &b, seas, &sse, fitted,
             INFINITY);
    (void)err;
    return HZ_OK;
}

/* ---------------------------------------------------------------------
 * Forecasts and intervals.
 * ------------------------------------------------------------------- */
static double dselect(double *a, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        double piv = a[lo + (hi - lo) / 2];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (a[i] < piv)
                i++;
            while (a[j] > piv)
                j--;
            if (i <= j) {
                double t = a[i];
                a[i] = a[j];
                a[j] = t;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return a[k];
    }
    return a[k];
}

/* R's quantile(type = 8) of a[0..n) (reorders a). */
static double quantile8(double *a, size_t n, double p)
{
    double mm = (p + 1.0) / 3.0;
    double h = (double)n * p + mm;
    double jf = floor(h);
    double g = h - jf;
    long j = (long)jf;
    if (j < 1)
        return dselect(a, n, 0);
    if (j >= (long)n)
        return dselect(a, n, n - 1);
    double x0 = dselect(a, n, (size_t)(j - 1));
    /* the next order statistic is the min of the upper part */
    double x1 = a[j];
    for (size_t i = (size_t)j; i < n; i++)
        if (a[i] < x1)
            x1 = a[i];
    return (1 - g) * x0 + g * x1;
}

static void point_forecast(const hz_ets_fit *f, size_t h, double *mean)
{
    int m = f->m, off = f->trend ? 2 : 1;
    double l = f->last[0], b = f->trend ? f->last[1] : 0.0;
    double phistar = f->phi;
    for (size_t i = 0; i < h; i++) {
        double v = f->trend ? l + phistar * b : l;
        if (f->season) {
            long j = (long)m - 1 - (long)(i % (size_t)m);
            double s = f->last[off + j];
            v = f->season == HZ_ETS_A ? v + s : v * s;
        }
        mean[i] = v;
        phistar += pow(f->phi, (double)(i + 2));
        if (f->phi == 1.0)
            phistar = (double)(i + 2);
    }
}

/* dst[a x c] = A[a x b] * B[b x c] (row-major); tb: use B transposed
 * (B given as c x b). */
static void mm(double *dst, const double *A, const double *B, int a, int b,
               int c, int tb)
{
    for (int i = 0; i < a; i++)
        for (int j = 0; j < c; j++) {
            double s = 0.0;
            for (int k = 0; k < b; k++)
                s += A[i * b + k] * (tb ? B[j * b + k] : B[k * c + j]);
            dst[i * c + j] = s;
        }
}

/* The nonzero columns of each row of a sparse r x c matrix M: row i's
 * are col[start[i] .. start[i + 1]), ascending. */
#define NZ_MAX (2 * HZ_ETS_MAX_M)
typedef struct nzrows {
    int start[NZ_MAX + 1];
    int col[NZ_MAX * NZ_MAX];
} nzrows;

static void nz_of(nzrows *z, const double *M, int r, int c)
{
    int k = 0;
    for (int i = 0; i < r; i++) {
        z->start[i] = k;
        for (int j = 0; j < c; j++)
            if (M[i * c + j] != 0.0)
                z->col[k++] = j;
    }
    z->start[r] = k;
}

/* dst (a x c) = A B with A (a x b) sparse, or A B' with B (c x b) sparse
 * (bt): the terms of mm's sums whose sparse factor is zero left out, the
 * others added in the same order, so the same numbers as mm (the
 * Kronecker-structured matrices of class3 have one or two nonzeros a
 * row: O(d^2) work a product instead of O(d^3)). */
static void mm_sparse(double *dst, const double *A, const double *B, int a,
                      int b, int c, int bt, const nzrows *z)
{
    for (int i = 0; i < a; i++)
        for (int j = 0; j < c; j++) {
            double s = 0.0;
            int r = bt ? j : i;
            for (int q = z->start[r]; q < z->start[r + 1]; q++) {
                int k = z->col[q];
                s += A[i * b + k] * (bt ? B[j * b + k] : B[k * c + j]);
            }
            dst[i * c + j] = s;
        }
}

/* Kronecker product dst = A (ra x ca) (x) B (rb x cb). */
static void kron(double *dst, const double *A, int ra, int ca, const double *B,
                 int rb, int cb)
{
    int cols = ca * cb;
    for (int i1 = 0; i1 < ra; i1++)
        for (int j1 = 0; j1 < ca; j1++)
            for (int i2 = 0; i2 < rb; i2++)
                for (int j2 = 0; j2 < cb; j2++)
                    dst[(i1 * rb + i2) * cols + j1 * cb + j2] =
                        A[i1 * ca + j1] * B[i2 * cb + j2];
}

/* forecast:::class3 (Hyndman et al. 2008, ch. 6): mean and variance of
 * ETS(M,N|A|Ad,M) forecasts.  work: 12 d^2 + 2 m^2 doubles, d = p1 m. */
static void class3(const hz_ets_fit *f, size_t h, double *mu, double *var,
                   double *work)
{
    int m = f->m, p1 = f->trend ? 2 : 1, d = p1 * m;
    double s2 = f->sigma2;
    double F1[4], G1[4], H1[2] = {1, 1};
    if (p1 == 1) {
        F1[0] = 1;
        G1[0] = f->alpha;
    } else {
        F1[0] = 1;
        F1[1] = 1;
        F1[2] = 0;
        F1[3] = f->damped ? f->phi : 1;
        G1[0] = f->alpha;
        G1[1] = f->alpha;
        G1[2] = f->beta;
        G1[3] = f->beta;
    }
    double *F2 = work, *G2 = F2 + m * m;
    double *F21 = G2 + m * m, *G21 = F21 + d * d, *K = G21 + d * d;
    double *Vh = K + d * d, *T1 = Vh + d * d, *T2 = T1 + d * d;
    double *W = T2 + d * d, *Acc = W + d * d, *Tmp = Acc + d * d;
    double *vM = Tmp + d * d;          /* d */
    double *Mh = vM + d, *Mn = Mh + d; /* p1 x m each */
    memset(F2, 0, sizeof(double) * (size_t)(2 * m * m));
    F2[0 * m + (m - 1)] = 1;
    for (int i = 1; i < m; i++)
        F2[i * m + (i - 1)] = 1;
    G2[0 * m + (m - 1)] = f->gamma;
    kron(F21, F2, m, m, F1, p1, p1);
    kron(G21, G2, m, m, G1, p1, p1);
    kron(K, G2, m, m, F1, p1, p1);
    kron(Tmp, F2, m, m, G1, p1, p1);
    for (int i = 0; i < d * d; i++)
        K[i] += Tmp[i];
    nzrows zF, zG, zK;
    nz_of(&zF, F21, d, d);
    nz_of(&zG, G21, d, d);
    nz_of(&zK, K, d, d);
    int off = p1;
    for (int i = 0; i < p1; i++)
        for (int j = 0; j < m; j++)
            Mh[i * m + j] = f->last[i] * f->last[off + j];
    memset(Vh, 0, sizeof(double) * (size_t)(d * d));
    for (size_t step = 0; step < h; step++) {
        /* mu = H1 Mh H2' = sum_i Mh[i, m-1] */
        double u = 0.0;
        for (int i = 0; i < p1; i++)
            u += H1[i] * Mh[i * m + (m - 1)];
        mu[step] = u;
        /* H21 = H2 (x) H1 selects the last p1 entries of vec */
        double q = 0.0;
        for (int a = d - p1; a < d; a++)
            for (int b = d - p1; b < d; b++)
                q += Vh[a * d + b];
        var[step] = (1 + s2) * q + s2 * u * u;
        /* vec(Mh), column-major: vM[j * p1 + i] = Mh[i, j] */
        for (int i = 0; i < p1; i++)
            for (int j = 0; j < m; j++)
                vM[j * p1 + i] = Mh[i * m + j];
        /* Acc = F21 Vh F21' */
        mm_sparse(T1, F21, Vh, d, d, d, 0, &zF);
        mm_sparse(Acc, T1, F21, d, d, d, 1, &zF);
        /* T2 = F21 Vh G21' ; add s2 (T2 + T2') */
        mm_sparse(T2, T1, G21, d, d, d, 1, &zG);
        /* W = Vh + vM vM' */
        for (int a = 0; a < d; a++)
            for (int b = 0; b < d; b++)
                W[a * d + b] = Vh[a * d + b] + vM[a] * vM[b];
        mm_sparse(T1, K, W, d, d, d, 0, &zK);
        mm_sparse(Tmp, T1, K, d, d, d, 1, &zK); /* K W K' */
        for (int a = 0; a < d; a++)
            for (int b = 0; b < d; b++)
                W[a * d + b] = 3 * Vh[a * d + b] + 2 * vM[a] * vM[b];
        mm_sparse(T1, G21, W, d, d, d, 0, &zG);
        mm_sparse(W, T1, G21, d, d, d, 1, &zG); /* G21 (3V + 2 vv') G21' */
        for (int a = 0; a < d; a++)
            for (int b = 0; b < d; b++)
                Vh[a * d + b] = Acc[a * d + b] +
                                s2 * (T2[a * d + b] + T2[b * d + a] +
                                      Tmp[a * d + b] + s2 * W[a * d + b]);
        /* Mh = F1 Mh F2' + G1 Mh G2' s2 */
        double A1[2 * HZ_ETS_MAX_M], A2[2 * HZ_ETS_MAX_M];
        mm(A1, F1, Mh, p1, p1, m, 0);
        mm(Mn, A1, F2, p1, m, m, 1);
        mm(A2, G1, Mh, p1, p1, m, 0);
        mm(A1, A2, G2, p1, m, m, 1);
        for (int i = 0; i < p1 * m; i++)
            Mh[i] = Mn[i] + A1[i] * s2;
    }
}

hz_status hz_ets_predict(const hz_ets_fit *fit, const hz_ets_opts *opts,
                         hz_ets_workspace *w, hz_forecast *out, hz_error *err)
{
    hz_ets_opts def;
    if (opts == NULL) {
        hz_ets_opts_init(&def);
        opts = &def;
    }
    size_t h = out->h;
    hz_ets_name(fit, out->method, sizeof out->method);
    out->loglik = fit->loglik;
    out->aic = fit->aic;
    out->aicc = fit->aicc;
    out->bic = fit->bic;
    out->sigma2 = fit->sigma2;
    if (fit->error == 0 || fit->sigma2 == 0.0) {
        /* constant series */
        for (size_t i = 0; i < h; i++) {
            out->mean[i] = fit->last[0];
            for (size_t k = 0; k < out->nlevels; k++)
                out->lower[k][i] = out->upper[k][i] = fit->last[0];
        }
        snprintf(out->method, sizeof out->method, "ETS(A,N,N)");
        return HZ_OK;
    }
    point_forecast(fit, h, out->mean);
    double s2 = fit->sigma2;
    bool class12 = fit->season != HZ_ETS_M;
    if (class12) {
        /* c_j = alpha + beta phi_j + gamma [j % m == 0], j = 1..h-1 */
        double cum = 0.0, phij = 0.0, phipow = 1.0;
        if (ws_reserve(w, 2 * h, 0) != 0)
            return hz_error_set(err, HZ_ENOMEM, "ets: out of memory");
        double *theta = w->buf, *cj = w->buf + h;
        size_t hc = h;
        for (size_t j = 1; j < hc; j++) {
            phipow *= fit->phi;
            phij += phipow;
            double c = fit->alpha;
            if (fit->trend)
                c += fit->beta * phij;
            if (fit->season && j % (size_t)fit->m == 0)
                c += fit->gamma;
            cj[j - 1] = c;
        }
        for (size_t i = 0; i < h; i++) {
            double var;
            if (fit->error == HZ_ETS_A) {
                if (i > 0 && i < hc)
                    cum += cj[i - 1] * cj[i - 1];
                var = s2 * (1.0 + cum);
            } else {
                double mu = out->mean[i];
                double th = mu * mu;
                for (size_t j = 1; j <= i && j < hc; j++)
                    th += s2 * cj[j - 1] * cj[j - 1] * theta[i - j];
                theta[i] = th;
                var = (1.0 + s2) * th - mu * mu;
            }
            double sd = sqrt(var > 0 ? var : 0.0);
            for (size_t k = 0; k < out->nlevels; k++) {
                double z = hz__qnorm(0.5 + out->levels[k] / 200.0);
                out->lower[k][i] = out->mean[i] - z * sd;
                out->upper[k][i] = out->mean[i] + z * sd;
            }
        }
        return HZ_OK;
    }
    if (!opts->simulate && fit->error == HZ_ETS_M) {
        int d = (fit->trend ? 2 : 1) * fit->m;
        size_t need = (size_t)(12 * d * d + 2 * fit->m * fit->m + 3 * d) +
                      2 * h;
        if (ws_reserve(w, need, 0) != 0)
            return hz_error_set(err, HZ_ENOMEM, "ets: out of memory");
        double *mu = w->buf, *var = mu + h;
        class3(fit, h, mu, var, var + h);
        for (size_t i = 0; i < h; i++) {
            out->mean[i] = mu[i];
            double sd = sqrt(var[i] > 0 ? var[i] : 0.0);
            for (size_t k = 0; k < out->nlevels; k++) {
                double z = hz__qnorm(0.5 + out->levels[k] / 200.0);
                out->lower[k][i] = mu[i] - z * sd;
                out->upper[k][i] = mu[i] + z * sd;
            }
        }
        return HZ_OK;
    }
    /* otherwise simulate sample paths */
    size_t np = opts->npaths > 0 ? (size_t)opts->npaths : 5000;
    if (ws_reserve(w, np, np * h) != 0)
        return hz_error_set(err, HZ_ENOMEM, "ets: out of memory");
    hz__rng rng;
    hz__rng_seed(&rng, opts->seed);
    double sd = sqrt(s2);
    int m = fit->m, off = fit->trend ? 2 : 1;
    for (size_t p = 0; p < np; p++) {
        double l = fit->last[0], b = fit->trend ? fit->last[1] : 0.0;
        double seas[HZ_ETS_MAX_M];
        /* circular: step i uses seas[i % m]; step 0 uses s_{m-1} */
        for (int i = 0; i < m; i++)
            seas[i] = fit->last[off + m - 1 - i];
        size_t j = 0;
        for (size_t i = 0; i < h; i++) {
            double phib = fit->trend ? fit->phi * b : 0.0;
            double q = l + phib;
            double s = seas[j];
            double f = fit->season == HZ_ETS_A ? q + s : q * s;
            double e = sd * hz__rng_normal(&rng);
            double yi = fit->error == HZ_ETS_M ? f * (1.0 + e) : f + e;
            w->sim[i * np + p] = yi;
            double pp = fit->season == HZ_ETS_A
                            ? yi - s
                            : (fabs(s) < ETS_TOL ? ETS_HUGEN : yi / s);
            double ln = q + fit->alpha * (pp - q);
            if (fit->trend)
                b = phib + fit->beta / fit->alpha * ((ln - l) - phib);
            double tt = fit->season == HZ_ETS_A
                            ? yi - q
                            : (fabs(q) < ETS_TOL ? ETS_HUGEN : yi / q);
            seas[j] = s + fit->gamma * (tt - s);
            l = ln;
            if (++j == (size_t)m)
                j = 0;
        }
    }
    for (size_t i = 0; i < h; i++) {
        double *row = w->sim + i * np;
        for (size_t k = 0; k < out->nlevels; k++) {
            double a = 0.5 - out->levels[k] / 200.0;
            out->lower[k][i] = quantile8(row, np, a);
            out->upper[k][i] = quantile8(row, np, 1.0 - a);
        }
    }
    return HZ_OK;
}

hz_status hz_ets_forecast_w(const double *y, size_t n, int period,
                            const hz_ets_opts *opts, hz_ets_workspace *w,
                            hz_forecast *out, hz_error *err)
{
    hz_ets_fit fit;
    hz_status st = hz_ets_fit_model(y, n, period, opts, w, &fit, err);
    if (st != HZ_OK)
        return st;
    st = hz_ets_predict(&fit, opts, w, out, err);
    if (st == HZ_OK)
        hz__ets_diagnostics(&fit, y, out);
    return st;
}

void hz__ets_diagnostics(const hz_ets_fit *fit, const double *y,
                         hz_forecast *out)
{
    int len = snprintf(out->params, sizeof out->params, "alpha=%.4g",
                       fit->alpha);
    if (fit->trend && len < (int)sizeof out->params)
        len += snprintf(out->params + len, sizeof out->params - (size_t)len,
                        " beta=%.4g", fit->beta);
    if (fit->season && len < (int)sizeof out->params)
        len += snprintf(out->params + len, sizeof out->params - (size_t)len,
                        " gamma=%.4g", fit->gamma);
    if (fit->damped && len < (int)sizeof out->params)
        snprintf(out->params + len, sizeof out->params - (size_t)len,
                 " phi=%.4g", fit->phi);
    if (out->fitted != NULL && out->fitted_cap >= fit->n)
        hz_ets_fitted(fit, y, out->fitted, NULL);
}

hz_status hz_ets_forecast(const double *y, size_t n, int period,
                          const hz_ets_opts *opts, hz_forecast *out,
                          hz_error *err)
{
    hz_ets_workspace *w = hz_ets_alloc(n);
    if (w == NULL)
        return hz_error_set(err, HZ_ENOMEM, "ets: out of memory");
    hz_status st = hz_ets_forecast_w(y, n, period, opts, w, out, err);
    hz_ets_free(w);
    return st;
}
