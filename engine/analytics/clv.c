/* Purchase models behind one interface; discounted customer lifetime
 * value (see clv.h). */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_integration.h>

#include "horizon/threads.h"
#include "analytics/analytics_internal.h"
#include "horizon/clv.h"
#include "numeric/gsl_init.h"

const char *hz_purchase_kind_name(hz_purchase_kind k)
{
    return k == HZ_PURCHASE_PNBD ? "pnbd" : "bgnbd";
}

const char *hz_purchase_kind_label(hz_purchase_kind k)
{
    return k == HZ_PURCHASE_PNBD ? "Pareto/NBD" : "BG/NBD";
}

bool hz_purchase_kind_parse(const char *s, hz_purchase_kind *out)
{
    if (s != NULL && strcmp(s, "bgnbd") == 0)
        *out = HZ_PURCHASE_BGNBD;
    else if (s != NULL && strcmp(s, "pnbd") == 0)
        *out = HZ_PURCHASE_PNBD;
    else
        return false;
    return true;
}

double hz_purchase_p_alive(const hz_purchase_model *m, double x, double t_x,
                           double T)
{
    return m->kind == HZ_PURCHASE_PNBD ? hz_pnbd_p_alive(&m->pn, x, t_x, T)
                                       : hz_bgnbd_p_alive(&m->bg, x, t_x, T);
}

double hz_purchase_expected(const hz_purchase_model *m, double t)
{
    return m->kind == HZ_PURCHASE_PNBD ? hz_pnbd_expected(&m->pn, t)
                                       : hz_bgnbd_expected(&m->bg, t);
}

double hz_purchase_conditional_numerator(const hz_purchase_model *m, double t,
                                         double x, double T)
{
    return m->kind == HZ_PURCHASE_PNBD
               ? hz_pnbd_conditional_numerator(&m->pn, t, x, T)
               : hz_bgnbd_conditional_numerator(&m->bg, t, x, T);
}

double hz_purchase_conditional(const hz_purchase_model *m, double t, double x,
                               double t_x, double T)
{
    return hz_purchase_conditional_numerator(m, t, x, T) *
           hz_purchase_p_alive(m, x, t_x, T);
}

double hz_purchase_pmf(const hz_purchase_model *m, double t, unsigned k)
{
    return m->kind == HZ_PURCHASE_PNBD ? hz_pnbd_pmf(&m->pn, t, k)
                                       : hz_bgnbd_pmf(&m->bg, t, k);
}

/* Pareto/NBD, alive at T: no purchase before min(death, t).  With the
 * death time tau (marginal survival ((beta+T)/(beta+T+tau))^s) and the
 * posterior rate Gamma(r + x, alpha + T):
 *   int_0^t f(tau) g(tau) dtau + S(t) g(t),
 *   g(u) = ((alpha + T) / (alpha + T + u))^(r + x). */
typedef struct silent_q {
    double a, b, rx, s; /* alpha + T, beta + T, r + x, s */
} silent_q;

static double silent_integrand(double u, void *vp)
{
    const silent_q *q = vp;
    return q->s / q->b * exp(-(q->s + 1) * log1p(u / q->b)) *
           exp(-q->rx * log1p(u / q->a));
}

static double pnbd_silent_alive(const hz_pnbd_params *p, double t, double x,
                                double T)
{
    silent_q q = {p->alpha + T, p->beta + T, p->r + x, p->s};
    gsl_function fn = {silent_integrand, &q};
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(100);
    if (w == NULL)
        return NAN;
    double v = 0, ae;
    hz__gsl_init();
    int st = gsl_integration_qag(&fn, 0, t, 0, 1e-12, 100, GSL_INTEG_GAUSS21,
                                 w, &v, &ae);
    gsl_integration_workspace_free(w);
    if (st != 0 && !isfinite(v))
        return NAN;
    return v + exp(-q.s * log1p(t / q.b) - q.rx * log1p(t / q.a));
}

double hz_purchase_p_silent_alive(const hz_purchase_model *m, double t,
                                  double x, double T)
{
    if (!(t > 0))
        return 1.0;
    if (m->kind == HZ_PURCHASE_PNBD)
        return pnbd_silent_alive(&m->pn, t, x, T);
    return exp(-(m->bg.r + x) * log1p(t / (m->bg.alpha + T)));
}

double hz_purchase_p_no_purchase(const hz_purchase_model *m, double t,
                                 double x, double t_x, double T)
{
    double pa = hz_purchase_p_alive(m, x, t_x, T);
    return 1.0 - pa + pa * hz_purchase_p_silent_alive(m, t, x, T);
}

hz_purchase_model hz_purchase_model_in_unit(const hz_purchase_model *m,
                                            hz_time_unit from, hz_time_unit to)
{
    hz_purchase_model o = *m;
    double f = hz_unit_from_days(to, 1.0) / hz_unit_from_days(from, 1.0);
    o.bg.alpha *= f;
    o.pn.alpha *= f;
    o.pn.beta *= f;
    return o;
}

void hz_clv_options_init(hz_clv_options *o)
{
    memset(o, 0, sizeof *o);
    o->horizon_days = 12 * HZ_DAYS_PER_MONTH;
    o->discount_rate = 0.01;
    o->risk_days = 90;
    o->unit = HZ_UNIT_DAYS;
}

double hz_clv_month_length(hz_time_unit unit)
{
    return hz_unit_from_days(unit, HZ_DAYS_PER_MONTH);
}

typedef struct xt_idx {
    double x, T;
    size_t i;
} xt_idx;

static hz_status check_options(const hz_gg_params *gg,
                               const hz_clv_options *opt, hz_error *err)
{
    if (!(opt->horizon_days > 0 && opt->horizon_days <= 36525 * 1.0))
        return hz_error_set(err, HZ_EINVAL,
                            "horizon must be more than 0 and at most 100 "
                            "years, got %g days",
                            opt->horizon_days);
    if (!(opt->discount_rate >= 0.0 && opt->discount_rate < 1.0))
        return hz_error_set(err, HZ_EINVAL,
                            "monthly discount rate must be in [0, 1), got %g",
                            opt->discount_rate);
    if (!(opt->risk_days >= 0))
        return hz_error_set(err, HZ_EINVAL, "risk window must be >= 0 days");
    if (gg != NULL && !(gg->q > 1))
        return hz_error_set(err, HZ_EINVAL,
                            "Gamma-Gamma q = %g <= 1: mean spend undefined",
                            gg->q);
    return HZ_OK;
}

/* Customers sorted by (x, T); gstart[g] .. gstart[g+1] is group g. */
static hz_status group_xt(const double *x, const double *T, size_t n,
                          xt_idx **ord, size_t **gstart, size_t *ng)
{
    uint32_t *perm = malloc(n * sizeof *perm);
    const double *keys[2] = {x, T};
    *ord = malloc(n * sizeof **ord);
    *gstart = malloc((n + 1) * sizeof **gstart);
    if (*ord == NULL || *gstart == NULL || perm == NULL ||
        hz__argsort(keys, 2, n, perm) != HZ_OK) {
        free(perm);
        return HZ_ENOMEM;
    }
    for (size_t j = 0; j < n; j++)
        (*ord)[j] = (xt_idx){x[perm[j]], T[perm[j]], perm[j]};
    free(perm);
    size_t g = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || (*ord)[i].x != (*ord)[i - 1].x ||
            (*ord)[i].T != (*ord)[i - 1].T)
            (*gstart)[g++] = i;
    (*gstart)[g] = n;
    *ng = g;
    return HZ_OK;
}

/* For one (x, T): E[Y(H)] / P(alive) and the discounted sum of the
 * monthly increments, over months of length m (the last one cut at H). */
static void group_values(const hz_purchase_model *pm, double x, double T,
                         double H, double m, double d, double *num_h,
                         double *disc)
{
    double prev = 0.0, sum = 0.0, t = 0.0;
    const double ld = log1p(d);
    for (size_t k = 1; t < H; k++) {
        t = fmin((double)k * m, H);
        if (H - t < 1e-9 * m)
            t = H;
        double num = hz_purchase_conditional_numerator(pm, t, x, T);
        sum += (num - prev) * exp(-ld * t / m);
        prev = num;
    }
    *num_h = prev;
    *disc = sum;
}

hz_status hz_clv_compute(const hz_purchase_model *pm, const hz_gg_params *gg,
                         const double *x, const double *t_x, const double *T,
                         const double *mbar, size_t n,
                         const hz_clv_options *opt, const hz_clv_outputs *out,
                         hz_error *err)
{
    hz_clv_options defo;
    xt_idx *ord = NULL;
    size_t *gstart = NULL, ng = 0;
    if (opt == NULL) {
        hz_clv_options_init(&defo);
        opt = &defo;
    }
    hz_status st = check_options(gg, opt, err);
    if (st != HZ_OK || n == 0)
        return st;
    if (group_xt(x, T, n, &ord, &gstart, &ng) != HZ_OK) {
        free(ord);
        free(gstart);
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    }
    const double m = hz_clv_month_length(opt->unit);
    const double H = hz_unit_from_days(opt->unit, opt->horizon_days);
    const double risk = hz_unit_from_days(opt->unit, opt->risk_days);
    /* read by the num_threads clause, which the analyzer does not see:
     * NOLINTNEXTLINE(clang-analyzer-deadcode.DeadStores) */
    const int nthreads = opt->threads > 0 ? opt->threads
                                          : hz_default_threads();
#pragma omp parallel for schedule(dynamic, 64) num_threads(nthreads)
    for (size_t g = 0; g < ng; g++) {
        double gx = ord[gstart[g]].x, gT = ord[gstart[g]].T, num_h, disc;
        group_values(pm, gx, gT, H, m, opt->discount_rate, &num_h, &disc);
        double silent = out->p_no_purchase
                            ? hz_purchase_p_silent_alive(pm, risk, gx, gT)
                            : NAN;
        for (size_t j = gstart[g]; j < gstart[g + 1]; j++) {
            size_t i = ord[j].i;
            double pa = hz_purchase_p_alive(pm, x[i], t_x[i], T[i]);
            if (out->p_alive)
                out->p_alive[i] = pa;
            if (out->expected_purchases)
                out->expected_purchases[i] = pa * num_h;
            if (out->p_no_purchase)
                out->p_no_purchase[i] = 1.0 - pa + pa * silent;
            if (gg == NULL)
                continue;
            double es = hz_gg_conditional_spend(gg, x[i], mbar[i]);
            if (out->expected_spend)
                out->expected_spend[i] = es;
            if (out->clv)
                out->clv[i] = pa * disc * es;
        }
    }
    free(ord);
    free(gstart);
    return HZ_OK;
}

hz_status hz_purchase_conditional_many(const hz_purchase_model *m, double t,
                                       const double *x, const double *t_x,
                                       const double *T, size_t n, int threads,
                                       double *out)
{
    xt_idx *ord = NULL;
    size_t *gstart = NULL, ng = 0;
    if (n == 0)
        return HZ_OK;
    if (group_xt(x, T, n, &ord, &gstart, &ng) != HZ_OK) {
        free(ord);
        free(gstart);
        return HZ_ENOMEM;
    }
    /* read by the num_threads clause, which the analyzer does not see:
     * NOLINTNEXTLINE(clang-analyzer-deadcode.DeadStores) */
    int nthreads = threads > 0 ? threads : hz_default_threads();
#pragma omp parallel for schedule(dynamic, 64) num_threads(nthreads)
    for (size_t g = 0; g < ng; g++) {
        double num = hz_purchase_conditional_numerator(m, t, ord[gstart[g]].x,
                                                       ord[gstart[g]].T);
        for (size_t j = gstart[g]; j < gstart[g + 1]; j++) {
            size_t i = ord[j].i;
            out[i] = num * hz_purchase_p_alive(m, x[i], t_x[i], T[i]);
        }
    }
    free(ord);
    free(gstart);
    return HZ_OK;
}
