/* Kaplan-Meier and Cox proportional hazards (see survival.h). */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "horizon/survival.h"
#include "numeric/chol.h"
#include "numeric/gsl_init.h"

typedef struct dur_ev {
    double t, e;
    size_t i;
} dur_ev;

static int cmp_dur(const void *pa, const void *pb)
{
    const dur_ev *a = pa, *b = pb;
    if (a->t != b->t)
        return (a->t > b->t) - (a->t < b->t);
    return (a->i > b->i) - (a->i < b->i);
}

static hz_status check_subjects(const double *dur, const double *ev, size_t n,
                                hz_error *err)
{
    for (size_t i = 0; i < n; i++) {
        if (!(dur[i] >= 0) || !isfinite(dur[i]))
            return hz_error_set(err, HZ_EINVAL,
                                "subject %zu: duration %g must be finite "
                                "and non-negative",
                                i + 1, dur[i]);
        if (ev[i] != 0 && ev[i] != 1)
            return hz_error_set(err, HZ_EINVAL,
                                "subject %zu: event %g must be 0 or 1", i + 1,
                                ev[i]);
    }
    return HZ_OK;
}

void hz_km_free(hz_km_curve *c)
{
    if (c == NULL)
        return;
    free(c->time);
    memset(c, 0, sizeof *c);
}

/* The step values from the risk table (time, at_risk, deaths). */
static void km_steps(hz_km_curve *c)
{
    const double z = 1.959963984540054;
    double s = 1.0, gw = 0.0;
    c->median = NAN;
    for (size_t j = 0; j < c->m; j++) {
        double n = c->at_risk[j], d = c->deaths[j];
        s *= 1.0 - d / n;
        gw += n > d ? d / (n * (n - d)) : INFINITY;
        c->surv[j] = s;
        c->se[j] = s * sqrt(gw);
        double h = z * sqrt(gw); /* se of log S */
        c->lower[j] = s > 0 && isfinite(h) ? s * exp(-h) : 0.0;
        c->upper[j] = s > 0 && isfinite(h) ? fmin(1.0, s * exp(h)) : NAN;
        if (isnan(c->median) && s <= 0.5)
            c->median = c->time[j];
    }
}

hz_status hz_km_fit(const double *duration, const double *event, size_t n,
                    hz_km_curve *out, hz_error *err)
{
    memset(out, 0, sizeof *out);
    if (n == 0)
        return hz_error_set(err, HZ_ETOOSHORT, "no subjects");
    hz_status st = check_subjects(duration, event, n, err);
    if (st != HZ_OK)
        return st;
    dur_ev *d = malloc(n * sizeof *d);
    if (d == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        d[i] = (dur_ev){duration[i], event[i], i};
    qsort(d, n, sizeof *d, cmp_dur);
    size_t m = 0; /* distinct event times */
    for (size_t i = 0; i < n;) {
        size_t j = i;
        double ev = 0;
        for (; j < n && d[j].t == d[i].t; j++)
            ev += d[j].e;
        m += ev > 0;
        i = j;
    }
    out->time = malloc((7 * m + 1) * sizeof(double));
    if (out->time == NULL) {
        free(d);
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    }
    out->at_risk = out->time + m;
    out->deaths = out->time + 2 * m;
    out->surv = out->time + 3 * m;
    out->se = out->time + 4 * m;
    out->lower = out->time + 5 * m;
    out->upper = out->time + 6 * m;
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        double ev = 0;
        for (; j < n && d[j].t == d[i].t; j++)
            ev += d[j].e;
        if (ev > 0) {
            out->time[k] = d[i].t;
            out->at_risk[k] = (double)(n - i);
            out->deaths[k] = ev;
            k++;
        }
        out->events += (size_t)ev;
        i = j;
    }
    out->n = n;
    out->m = m;
    out->max_time = d[n - 1].t;
    free(d);
    km_steps(out);
    return HZ_OK;
}

double hz_km_at(const hz_km_curve *c, double t)
{
    size_t lo = 0, hi = c->m;
    if (t > c->max_time && (c->m == 0 || c->surv[c->m - 1] > 0))
        return NAN; /* after the last subject left: unknown */
    if (c->m == 0 || t < c->time[0])
        return 1.0;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (c->time[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return c->surv[lo];
}

/* ---- Cox proportional hazards, Breslow ties ---- */

void hz_cox_free(hz_cox_model *m)
{
    if (m == NULL)
        return;
    free(m->coef);
    free(m->mean);
    free(m->base_time);
    memset(m, 0, sizeof *m);
}

typedef struct cox_data {
    size_t n, p;
    double *X;   /* centred, rows in ascending duration order */
    double *t;   /* durations, ascending */
    double *e;   /* events */
    double *eta; /* work: x'b */
} cox_data;

/* Log partial likelihood, gradient g (p) and information I (p x p,
 * minus the Hessian) at b, over the rows sorted by duration: risk sets
 * are suffixes, accumulated from the longest duration down. */
static double cox_eval(const cox_data *c, const double *b, double *g,
                       double *I)
{
    const size_t n = c->n, p = c->p;
    double S0 = 0, ll = 0;
    double *S1 = calloc(p + p * p, sizeof(double));
    if (S1 == NULL)
        return NAN;
    double *S2 = S1 + p;
    memset(g, 0, p * sizeof *g);
    memset(I, 0, p * p * sizeof *I);
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (size_t j = 0; j < p; j++)
            s += c->X[i * p + j] * b[j];
        c->eta[i] = s;
    }
    for (size_t i = n; i > 0;) {
        size_t hi = i, lo = i;
        while (lo > 0 && c->t[lo - 1] == c->t[hi - 1])
            lo--;
        double d = 0;
        for (size_t k = lo; k < hi; k++) { /* add the tied group */
            const double *x = c->X + k * p, w = exp(c->eta[k]);
            S0 += w;
            for (size_t a = 0; a < p; a++) {
                S1[a] += w * x[a];
                for (size_t q = 0; q <= a; q++)
                    S2[a * p + q] += w * x[a] * x[q];
            }
            if (c->e[k] > 0) {
                d += 1;
                ll += c->eta[k];
                for (size_t a = 0; a < p; a++)
                    g[a] += x[a];
            }
        }
        if (d > 0) {
            ll -= d * log(S0);
            for (size_t a = 0; a < p; a++) {
                g[a] -= d * S1[a] / S0;
                for (size_t q = 0; q <= a; q++)
                    I[a * p + q] += d * (S2[a * p + q] / S0 -
                                         S1[a] * S1[q] / (S0 * S0));
            }
        }
        i = lo;
    }
    for (size_t a = 0; a < p; a++)
        for (size_t q = 0; q < a; q++)
            I[q * p + a] = I[a * p + q];
    free(S1);
    return ll;
}

/* Newton-Raphson with step halving from b = 0; true when the Newton
 * decrement falls below 1e-20 (log-likelihood units). */
static bool cox_newton(const cox_data *c, double *b, double *ll, double *I,
                       int *iters)
{
    const size_t p = c->p;
    double *g = malloc((3 * p + p * p) * sizeof(double));
    if (g == NULL)
        return false;
    double *s = g + p, *bt = g + 2 * p, *L = g + 3 * p;
    bool ok = false;
    *ll = cox_eval(c, b, g, I);
    for (int it = 0; it < 100 && isfinite(*ll); it++) {
        *iters = it + 1;
        memcpy(L, I, p * p * sizeof *L);
        memcpy(s, g, p * sizeof *s);
        if (!hz__chol(L, p, 0.0))
            break;
        hz__chol_solve(L, p, s);
        double dec = 0;
        for (size_t j = 0; j < p; j++)
            dec += g[j] * s[j];
        if (dec < 1e-20) {
            ok = true;
            break;
        }
        double step = 1.0, lt = NAN;
        for (int h = 0; h < 30; h++) {
            for (size_t j = 0; j < p; j++)
                bt[j] = b[j] + step * s[j];
            lt = cox_eval(c, bt, g, I);
            if (isfinite(lt) && lt >= *ll - 1e-12 * fabs(*ll))
                break;
            step *= 0.5;
        }
        if (!(isfinite(lt) && lt >= *ll - 1e-12 * fabs(*ll)))
            break;
        memcpy(b, bt, p * sizeof *b);
        *ll = lt;
        if (dec < 1e-14) { /* the full step lands at the optimum */
            ok = true;
            break;
        }
    }
    cox_eval(c, b, g, I);
    free(g);
    return ok;
}

/* Rows with a positive duration, sorted, covariates centred. */
static hz_status cox_build(cox_data *c, hz_cox_model *m, const double *X,
                           const double *dur, const double *ev, size_t n,
                           size_t p, hz_error *err)
{
    size_t k = 0;
    dur_ev *o = malloc((n ? n : 1) * sizeof *o);
    if (o == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        if (dur[i] > 0)
            o[k++] = (dur_ev){dur[i], ev[i], i};
    qsort(o, k, sizeof *o, cmp_dur);
    c->n = k;
    c->p = p;
    c->X = malloc((k * p + 3 * k + 1) * sizeof(double));
    m->mean = calloc(p + 1, sizeof(double));
    if (c->X == NULL || m->mean == NULL) {
        free(o);
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    }
    c->t = c->X + k * p;
    c->e = c->t + k;
    c->eta = c->e + k;
    for (size_t r = 0; r < k; r++) {
        memcpy(c->X + r * p, X + o[r].i * p, p * sizeof(double));
        c->t[r] = o[r].t;
        c->e[r] = o[r].e;
        m->events += o[r].e > 0;
        for (size_t j = 0; j < p; j++)
            m->mean[j] += c->X[r * p + j] / (double)k;
    }
    for (size_t r = 0; r < k; r++)
        for (size_t j = 0; j < p; j++)
            c->X[r * p + j] -= m->mean[j];
    free(o);
    return HZ_OK;
}

/* Breslow baseline cumulative hazard at the centred covariates. */
static hz_status cox_baseline(const cox_data *c, hz_cox_model *m)
{
    size_t ne = 0; /* events: at least the distinct event times */
    for (size_t i = 0; i < c->n; i++)
        ne += c->e[i] > 0;
    m->base_time = malloc((2 * ne + 1) * sizeof(double));
    if (m->base_time == NULL)
        return HZ_ENOMEM;
    m->base_cumhaz = m->base_time + ne;
    double S0 = 0;
    for (size_t i = 0; i < c->n; i++)
        S0 += exp(c->eta[i]);
    size_t k = 0;
    double H = 0;
    for (size_t i = 0; i < c->n;) {
        size_t j = i;
        double d = 0, out = 0;
        for (; j < c->n && c->t[j] == c->t[i]; j++) {
            d += c->e[j];
            out += exp(c->eta[j]);
        }
        if (d > 0) {
            H += d / S0;
            m->base_time[k] = c->t[i];
            m->base_cumhaz[k++] = H;
        }
        S0 -= out;
        i = j;
    }
    m->nbase = k;
    return HZ_OK;
}

static hz_status cox_check(const double *X, const double *dur,
                           const double *ev, size_t n, size_t p, hz_error *err)
{
    hz_status st = check_subjects(dur, ev, n, err);
    if (st != HZ_OK)
        return st;
    for (size_t i = 0; i < n * p; i++)
        if (!isfinite(X[i]))
            return hz_error_set(err, HZ_EINVAL,
                                "subject %zu: covariate %zu is not finite",
                                i / p + 1, i % p + 1);
    return HZ_OK;
}

/* Name of covariate j for messages. */
static const char *cov_name(const char *const *names, size_t j, char *buf,
                            size_t bufsz)
{
    if (names != NULL && names[j] != NULL)
        snprintf(buf, bufsz, "'%s'", names[j]);
    else
        snprintf(buf, bufsz, "%zu", j + 1);
    return buf;
}

/* Covariates that cannot be told apart over the rows of the fit (c->X,
 * centred): one that does not vary, or one that is a linear combination
 * of others (a rank-deficient design).  Their coefficients are not
 * identified: the Newton steps would wander along the flat ridge and
 * report a coefficient with an enormous standard error, or not converge.
 * HZ_EINVAL naming them. */
static hz_status cox_identified(const cox_data *c, const hz_cox_model *m,
                                const char *const *names, hz_error *err)
{
    const size_t n = c->n, p = c->p;
    double *G = calloc(2 * p * p + p + 1, sizeof(double));
    bool *with = calloc(p + 1, sizeof(bool));
    if (G == NULL || with == NULL) {
        free(G);
        free(with);
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        const double *x = c->X + i * p;
        for (size_t a = 0; a < p; a++)
            for (size_t b = 0; b <= a; b++)
                G[a * p + b] += x[a] * x[b];
    }
    for (size_t a = 0; a < p; a++) {
        if (!isfinite(G[a * p + a]) ||
            !isfinite((double)n * m->mean[a] * m->mean[a])) {
            /* values near 1e155 and beyond: squares beyond a double, which
             * read as a covariate that does not vary */
            char nm[160];
            hz_status st = hz_error_set(
                err, HZ_EINVAL,
                "Cox model: covariate %s has values too large for its "
                "squares to fit in a double: rescale it (say, to "
                "thousands or millions)",
                cov_name(names, a, nm, sizeof nm));
            free(G);
            free(with);
            return st;
        }
        for (size_t b = 0; b < a; b++)
            G[b * p + a] = G[a * p + b];
        /* a variance below 1e-20 of the mean square is rounding: the
         * covariate is constant */
        double ms = G[a * p + a] + (double)n * m->mean[a] * m->mean[a];
        if (!(G[a * p + a] > 1e-20 * ms))
            G[a * p + a] = 0;
    }
    size_t j = hz__chol_aliased(G, p, 1e-10, G + p * p, with);
    hz_status st = HZ_OK;
    char nm[160];
    size_t partners = 0;
    for (size_t q = 0; q < j && j < p; q++)
        partners += with[q];
    if (j < p && (G[j * p + j] == 0 || partners == 0)) {
        st = hz_error_set(err, HZ_EINVAL,
                          "Cox model: covariate %s does not vary among the "
                          "%zu subject%s with a positive duration: its "
                          "coefficient cannot be estimated; leave it out",
                          cov_name(names, j, nm, sizeof nm), n,
                          n == 1 ? "" : "s");
    } else if (j < p) {
        char list[HZ_ERROR_MAX / 2] = "";
        size_t len = 0, k = 0;
        for (size_t q = 0; q < j && len < sizeof list; q++)
            if (with[q])
                len += (size_t)snprintf(list + len, sizeof list - len, "%s%s",
                                        k++ ? ", " : "",
                                        cov_name(names, q, nm, sizeof nm));
        if (len >= sizeof list)
            memcpy(list + sizeof list - 4, "...", 4);
        char jn[160];
        st = hz_error_set(err, HZ_EINVAL,
                          "Cox model: covariates %s and %s are collinear "
                          "(%s is a linear combination of %s over the "
                          "subjects with a positive duration): their "
                          "coefficients cannot be estimated; leave one of "
                          "them out",
                          list, cov_name(names, j, jn, sizeof jn), jn,
                          partners == 1 ? "the other" : "the others");
    }
    free(G);
    free(with);
    return st;
}

hz_status hz_cox_fit(const double *X, const double *duration,
                     const double *event, size_t n, size_t p,
                     hz_cox_model *out, hz_error *err)
{
    return hz_cox_fit_named(X, duration, event, n, p, NULL, out, err);
}

hz_status hz_cox_fit_named(const double *X, const double *duration,
                           const double *event, size_t n, size_t p,
                           const char *const *names, hz_cox_model *out,
                           hz_error *err)
{
    cox_data c;
    double *I = NULL;
    hz__gsl_init();
    memset(out, 0, sizeof *out);
    memset(&c, 0, sizeof c);
    hz_status st = cox_check(X, duration, event, n, p, err);
    if (st == HZ_OK && p == 0)
        st = hz_error_set(err, HZ_EINVAL, "no covariates");
    if (st == HZ_OK)
        st = cox_build(&c, out, X, duration, event, n, p, err);
    /* no subjects or no events first: then no covariate can vary, and
     * that is not the covariates' fault */
    if (st == HZ_OK && out->events == 0)
        st = hz_error_set(err, HZ_ETOOSHORT,
                          "no events among the %zu subject%s with a "
                          "positive duration",
                          c.n, c.n == 1 ? "" : "s");
    if (st == HZ_OK)
        st = cox_identified(&c, out, names, err);
    if (st != HZ_OK)
        goto out;
    out->n = c.n;
    out->p = p;
    out->max_time = c.n > 0 ? c.t[c.n - 1] : 0.0;
    out->coef = calloc(6 * p, sizeof(double));
    /* p >= 1 here (no covariates is refused above):
     * NOLINTNEXTLINE(clang-analyzer-optin.portability.UnixAPI) */
    I = malloc(2 * p * p * sizeof(double));
    if (out->coef == NULL || I == NULL) {
        st = hz_error_set(err, HZ_ENOMEM, "out of memory");
        goto out;
    }
    out->se = out->coef + p;
    out->z = out->coef + 2 * p;
    out->pvalue = out->coef + 3 * p;
    double *g = out->coef + 4 * p;
    out->loglik0 = cox_eval(&c, out->coef, g, I);
    if (!cox_newton(&c, out->coef, &out->loglik, I, &out->iterations)) {
        st = hz_error_set(err, HZ_ENOCONV,
                          "Cox model did not converge after %d iterations "
                          "(a covariate may separate events from "
                          "non-events)",
                          out->iterations);
        goto out;
    }
    double *L = I + p * p;
    memcpy(L, I, p * p * sizeof *L);
    if (!hz__chol(L, p, 0.0)) {
        st = hz_error_set(err, HZ_ENOCONV,
                          "Cox model: information matrix not positive "
                          "definite (collinear covariates?)");
        goto out;
    }
    for (size_t j = 0; j < p; j++) {
        memset(g, 0, p * sizeof *g);
        g[j] = 1.0;
        hz__chol_solve(L, p, g);
        out->se[j] = sqrt(g[j]);
        out->z[j] = out->coef[j] / out->se[j];
        out->pvalue[j] = 2 * gsl_cdf_ugaussian_Q(fabs(out->z[j]));
    }
    if (cox_baseline(&c, out) != HZ_OK)
        st = hz_error_set(err, HZ_ENOMEM, "out of memory");
out:
    free(c.X);
    free(I);
    if (st != HZ_OK)
        hz_cox_free(out);
    return st;
}

double hz_cox_survival(const hz_cox_model *m, const double *x, double t)
{
    double eta = 0, H = 0;
    if (t > m->max_time)
        return NAN; /* after the last subject left: unknown */
    for (size_t j = 0; j < m->p; j++)
        eta += (x[j] - m->mean[j]) * m->coef[j];
    for (size_t k = 0; k < m->nbase && m->base_time[k] <= t; k++)
        H = m->base_cumhaz[k];
    return exp(-H * exp(eta));
}
