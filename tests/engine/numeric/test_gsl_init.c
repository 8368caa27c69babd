/* GSL's error handler is set (numeric/gsl_init.c) before any GSL call of
 * the engine, whatever entry point a program calls first: GSL's default
 * handler aborts the process on a domain error.
 *
 * Each case runs in a fresh child process (fork before the parent has
 * called the engine, so GSL still has its default, aborting handler): the
 * child calls one engine entry point, then drives a GSL function to its
 * edge (Student's t quantile with 0 degrees of freedom, a domain error).
 * The child must exit normally: with the default handler still in place
 * it dies of SIGABRT. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>

#include "horizon/horizon.h"
#include "hz_test.h"

/* What a child checks after its entry point: a domain error returns NaN
 * instead of aborting. */
static int gsl_edge_is_safe(void)
{
    return isnan(gsl_cdf_tdist_Pinv(0.95, 0.0)) ? 0 : 2;
}

/* Run fn in a fresh child; its exit status (-1: killed by a signal). */
static int in_child(int (*fn)(void))
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0)
        _exit(fn());
    int ws = 0;
    if (pid < 0 || waitpid(pid, &ws, 0) != pid)
        return -2;
    if (WIFSIGNALED(ws)) {
        fprintf(stderr, "  child killed by signal %d\n", WTERMSIG(ws));
        return -1;
    }
    return WEXITSTATUS(ws);
}

/* A four-period series with seasonal period 2: the short-history rule's
 * correlation test had 0 degrees of freedom here and GSL's t quantile
 * aborted the process (found for 14% of random such series). */
static int auto_on_four_periods(void)
{
    const double y[4] = {118, 57.428571428571431, 112.14285714285714,
                         27.714285714285715};
    const double lv[2] = {80, 95};
    hz_forecast *f = hz_forecast_alloc(3, 2, lv);
    hz_error err;
    hz_error_clear(&err);
    if (f == NULL ||
        hz_forecast_series(y, 4, 2, HZ_MODEL_AUTO, 1, NULL, f, &err) != HZ_OK)
        return 3;
    int rc = isfinite(f->mean[0]) ? gsl_edge_is_safe() : 4;
    hz_forecast_free(f);
    return rc;
}

/* A model whose intervals use the normal quantile (hz__qnorm). */
static int naive_intervals(void)
{
    double y[24];
    for (int i = 0; i < 24; i++)
        y[i] = 10 + sin(0.7 * i) + 0.1 * i;
    const double lv[1] = {90};
    hz_forecast *f = hz_forecast_alloc(4, 1, lv);
    hz_error err;
    hz_error_clear(&err);
    if (f == NULL || hz_forecast_series(y, 24, 1, HZ_MODEL_NAIVE, 1, NULL, f,
                                        &err) != HZ_OK)
        return 3;
    hz_forecast_free(f);
    return gsl_edge_is_safe();
}

/* The diagnostics writer (Ljung-Box p-value, chi-squared tail) on
 * residuals so large that the statistic is NaN. */
static int diagnostics_of_huge_residuals(void)
{
    double hist[30], fit[30];
    for (int i = 0; i < 30; i++) {
        hist[i] = (i % 2 ? -1 : 1) * 1e200;
        fit[i] = 0.0;
    }
    hz_forecast_series_result s;
    memset(&s, 0, sizeof s);
    s.key = "a";
    s.n = 30;
    s.history = hist;
    s.fitted = fit;
    s.fc = hz_forecast_alloc(1, 0, NULL);
    hz_forecast_result r;
    memset(&r, 0, sizeof r);
    r.period = 1;
    r.nseries = 1;
    r.series = &s;
    FILE *out = fopen("/dev/null", "w");
    hz_error err;
    hz_error_clear(&err);
    if (s.fc == NULL || out == NULL ||
        hz_forecast_result_write_diagnostics(&r, out, &err) != HZ_OK)
        return 3;
    fclose(out);
    hz_forecast_free(s.fc);
    return gsl_edge_is_safe();
}

/* The sample-data generator (GSL's random streams) with o, output to
 * /dev/null; 3 when it fails. */
static int generate(const hz_gen_options *o)
{
    FILE *out = fopen("/dev/null", "w");
    hz_error err;
    hz_error_clear(&err);
    if (out == NULL)
        return 3;
    hz_status st = hz_gen_write(o, out, &err);
    fclose(out);
    return st != HZ_OK ? 3 : gsl_edge_is_safe();
}

/* Both kinds of sample data. */
static int generator(void)
{
    hz_gen_options o;
    hz_gen_options_init(&o);
    o.rows = 50;
    o.customers = 10;
    o.months = 2;
    return generate(&o);
}

static int generator_products(void)
{
    hz_gen_options o;
    hz_gen_options_init(&o);
    o.kind = HZ_GEN_PRODUCTS;
    o.products = 3;
    o.months = 2;
    return generate(&o);
}

/* Reconciliation (GSL matrices and BLAS): a total of two series. */
static int reconcile(void)
{
    static const double S[3 * 2] = {1, 1, 1, 0, 0, 1};
    const hz_hierarchy H = {3, 2, S, NULL};
    const double lv[1] = {80};
    hz_forecast *fc[3];
    for (int i = 0; i < 3; i++) {
        fc[i] = hz_forecast_alloc(2, 1, lv);
        if (fc[i] == NULL)
            return 3;
        for (int h = 0; h < 2; h++) {
            fc[i]->mean[h] = i == 0 ? 10.0 : 4.0;
            fc[i]->lower[0][h] = fc[i]->mean[h] - 1;
            fc[i]->upper[0][h] = fc[i]->mean[h] + 1;
        }
    }
    hz_error err;
    hz_error_clear(&err);
    hz_status st = hz_reconcile(&H, HZ_RECON_OLS, NULL, 0, NULL, 0, fc, NULL,
                                &err);
    for (int i = 0; i < 3; i++)
        hz_forecast_free(fc[i]);
    return st == HZ_OK ? gsl_edge_is_safe() : 3;
}

HZ_TEST(gsl_domain_errors_never_abort_whatever_entry_comes_first)
{
    static const struct {
        const char *name;
        int (*fn)(void);
    } cases[] = {
        {"auto on four periods", auto_on_four_periods},
        {"naive intervals", naive_intervals},
        {"diagnostics of huge residuals", diagnostics_of_huge_residuals},
        {"generator", generator},
        {"generator products", generator_products},
        {"reconcile", reconcile},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = in_child(cases[i].fn);
        HZ_CHECK_MSG(rc == 0, "%s: child exit %d", cases[i].name, rc);
    }
}
