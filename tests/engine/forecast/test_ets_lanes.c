/* ETS candidates fitted side by side (the four-lane recursion, packed by
 * kind, mixed kinds in one vector, the admissibility tests in lanes, the
 * screened searches resumed) give the fits of each candidate fitted
 * alone and of the one-at-a-time reference, bit for bit; and the baseline
 * build of the vector code gives the AVX2 build's numbers. */
#include <math.h>
#include <string.h>

#include "forecast/ets_internal.h"
#include "horizon/ets.h"
#include "hz_test.h"
#include "numeric/simd.h"

#define NS 5
#define NMAX 96

/* Five shapes with period m: multiplicative season on a trend, additive
 * season, no season with a damped-looking trend, a short seasonal series,
 * and a noisy level; noise from a fixed hash, all positive. */
static size_t series(int k, int m, double *y)
{
    static const size_t len[NS] = {96, 84, 72, 30, 60};
    size_t n = len[k];
    for (size_t t = 0; t < n; t++) {
        double u = sin(12.9898 * (double)(t + 1) + 78.233 * k) * 43758.5453;
        double noise = u - floor(u) - 0.5; /* in [-0.5, 0.5) */
        double ph = 2 * M_PI * (double)(t % (size_t)m) / m, v;
        switch (k) {
        case 0: v = (100 + 2 * t) * (1 + 0.3 * sin(ph)) + 6 * noise; break;
        case 1: v = 200 + 15 * cos(ph) + 0.5 * t + 4 * noise; break;
        case 2: v = 50 + 30 * (1 - exp(-0.05 * t)) + 3 * noise; break;
        case 3: v = 40 * (1 + 0.2 * sin(ph)) + 2 * noise; break;
        default: v = 80 + 10 * noise; break;
        }
        y[t] = v;
    }
    return n;
}

static bool same_fit(const hz_ets_fit *a, const hz_ets_fit *b)
{
    if (a->error != b->error || a->trend != b->trend ||
        a->season != b->season || a->damped != b->damped ||
        a->nstate != b->nstate || a->nevals != b->nevals)
        return false;
    /* exact equality: the same operations in the same order */
    if (a->alpha != b->alpha || a->beta != b->beta || a->gamma != b->gamma ||
        a->phi != b->phi || a->loglik != b->loglik || a->mse != b->mse)
        return false;
    for (int i = 0; i < a->nstate; i++)
        if (a->init[i] != b->init[i] || a->last[i] != b->last[i])
            return false;
    return true;
}

/* Partial specifications: each leaves several candidates to fit side by
 * side, of one kind or of several. */
typedef struct spec {
    int error, trend, season, damped, maxit, screen_keep;
} spec;

static const spec SPECS[] = {
    {HZ_ETS_AUTO, HZ_ETS_AUTO, HZ_ETS_AUTO, HZ_ETS_AUTO, 2000, 0},
    {HZ_ETS_AUTO, HZ_ETS_AUTO, HZ_ETS_AUTO, HZ_ETS_AUTO, 250, 3},
    {HZ_ETS_M, HZ_ETS_AUTO, HZ_ETS_M, HZ_ETS_AUTO, 2000, 0},
    {HZ_ETS_A, HZ_ETS_AUTO, HZ_ETS_AUTO, HZ_ETS_AUTO, 2000, 0},
    {HZ_ETS_AUTO, HZ_ETS_N, HZ_ETS_AUTO, 0, 2000, 0},
    {HZ_ETS_AUTO, HZ_ETS_A, HZ_ETS_N, HZ_ETS_AUTO, 2000, 0},
};
#define NSPEC (sizeof SPECS / sizeof SPECS[0])

/* Test case c (of NCASE): series (c / NSPEC) % NS, with period
 * PERIODS[c / (NS NSPEC)] (monthly, quarterly, hourly: characteristic
 * polynomials of degree 13, 5 and 25), into y (returns its length) and
 * *m, with specification c % NSPEC into o. */
static const int PERIODS[] = {12, 4, 24};
#define NCASE ((int)(NS * NSPEC * 3))
static size_t test_case(int c, double *y, int *m, hz_ets_opts *o)
{
    const spec *s = &SPECS[(size_t)c % NSPEC];
    hz_ets_opts_init(o);
    o->error = s->error;
    o->trend = s->trend;
    o->season = s->season;
    o->damped = s->damped;
    o->maxit = s->maxit;
    o->screen_keep = s->screen_keep;
    o->screen_maxit = 40;
    *m = PERIODS[c / (NS * (int)NSPEC)];
    return series((c / (int)NSPEC) % NS, *m, y);
}

HZ_TEST(side_by_side_fits_equal_each_candidate_fitted_alone)
{
    hz_ets_workspace *w = hz_ets_alloc(NMAX);
    HZ_CHECK(w != NULL);
    double y[NMAX];
    int compared = 0, kinds = 0, seasons = 0;
    for (int c = 0; c < NCASE; c++) {
        hz_ets_opts o;
        int m;
        size_t n = test_case(c, y, &m, &o);
        hz_ets_fit best, alone;
        if (hz_ets_fit_model(y, n, m, &o, w, &best, NULL) != HZ_OK)
            continue;
        HZ_CHECK(best.nfitted > 1); /* several fitted side by side */
        /* the selected shape alone: one candidate, one lane */
        o.error = best.error;
        o.trend = best.trend;
        o.season = best.season;
        o.damped = best.damped;
        o.screen_keep = 0;
        HZ_CHECK(hz_ets_fit_model(y, n, m, &o, w, &alone, NULL) == HZ_OK);
        HZ_CHECK(alone.nfitted == 1);
        /* with screening, the selected model's fit went on from its
         * screening search: the same path as a search of its own */
        HZ_CHECK(same_fit(&best, &alone));
        compared++;
        kinds |= 1 << (best.error * 3 + best.season);
        if (best.season != HZ_ETS_N)
            seasons |= 1 << (c / (NS * (int)NSPEC));
    }
    HZ_CHECK(compared >= 60);
    HZ_CHECK(seasons == 7); /* seasonal fits of each period */
    /* the selected models cover several error and season kinds */
    int nk = 0;
    for (int b = 0; b < 9; b++)
        nk += (kinds >> b) & 1;
    HZ_CHECK(nk >= 3);
    hz_ets_free(w);
}

/* Every test case fitted with *flag true and with it false: the same
 * status and, when fitted, the same fit; *compared: the fits compared. */
static void same_either_way(bool *flag, int *compared)
{
    *compared = 0;
    hz_ets_workspace *w = hz_ets_alloc(NMAX);
    HZ_CHECK(w != NULL);
    double y[NMAX];
    for (int c = 0; c < NCASE; c++) {
        hz_ets_opts o;
        int m;
        size_t n = test_case(c, y, &m, &o);
        hz_ets_fit a, b;
        *flag = true;
        hz_status sa = hz_ets_fit_model(y, n, m, &o, w, &a, NULL);
        *flag = false;
        hz_status sb = hz_ets_fit_model(y, n, m, &o, w, &b, NULL);
        *flag = true;
        HZ_CHECK(sa == sb);
        if (sa == HZ_OK) {
            HZ_CHECK(same_fit(&a, &b));
            HZ_CHECK(a.nfitted == b.nfitted);
            (*compared)++;
        }
    }
    hz_ets_free(w);
}

HZ_TEST(side_by_side_fits_equal_the_one_at_a_time_reference)
{
    /* the reference: every candidate alone through hz__nelder_mead and
     * the scalar objective (recursion, bounds, admissibility test) */
    int compared;
    same_either_way(&hz__ets_side_by_side, &compared);
    HZ_CHECK(compared >= 60);
}

HZ_TEST(baseline_vector_build_equals_avx2_build)
{
    int compared;
    same_either_way(&hz__simd_avx2_allowed, &compared);
    HZ_CHECK(compared >= 60);
}
