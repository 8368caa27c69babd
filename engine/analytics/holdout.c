/* Holdout validation report (see holdout.h). */
#include <math.h>
#include <stdio.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "horizon/threads.h"
#include "horizon/holdout.h"

void hz_holdout_free(hz_holdout_report *h)
{
    if (h == NULL)
        return;
    free(h->actual_cum);
    free(h->expected_cum);
    h->actual_cum = h->expected_cum = NULL;
    h->weeks = 0;
}

/* Totals, bins, correlation and MAE from per-customer predictions. */
static void compare(hz_holdout_report *h, const hz_customer_summary *s,
                    const double *pred)
{
    const size_t n = s->n;
    double sp = 0, sa = 0, spp = 0, saa = 0, spa = 0, ae = 0;
    for (size_t i = 0; i < n; i++) {
        double p = pred[i], a = s->frequency_holdout[i];
        size_t b = s->frequency[i] < HZ_HOLDOUT_BINS - 1
                       ? (size_t)s->frequency[i]
                       : HZ_HOLDOUT_BINS - 1;
        h->bin_customers[b]++;
        h->bin_actual[b] += a;
        h->bin_predicted[b] += p;
        sp += p;
        sa += a;
        ae += fabs(p - a);
    }
    const double mp = sp / (double)n, ma = sa / (double)n;
    for (size_t i = 0; i < n; i++) {
        double dp = pred[i] - mp, da = s->frequency_holdout[i] - ma;
        spp += dp * dp;
        saa += da * da;
        spa += dp * da;
    }
    for (size_t b = 0; b < HZ_HOLDOUT_BINS; b++) {
        double c = (double)h->bin_customers[b];
        h->bin_actual[b] = c > 0 ? h->bin_actual[b] / c : NAN;
        h->bin_predicted[b] = c > 0 ? h->bin_predicted[b] / c : NAN;
    }
    h->customers = n;
    h->predicted_total = sp;
    h->actual_total = sa;
    h->mae = ae / (double)n;
    h->correlation = spp > 0 && saa > 0 ? spa / sqrt(spp * saa) : NAN;
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* Weekly cumulative tracking: customers grouped by first purchase day
 * (E[X] evaluated once per birth day and week). */
static hz_status track(hz_holdout_report *h, const hz_purchase_model *m,
                       const hz_customer_summary *s, int threads)
{
    const size_t n = s->n, weeks = s->ndays / 7;
    if (s->repeats_by_day == NULL || weeks == 0)
        return HZ_OK;
    int32_t *births = malloc((n ? n : 1) * sizeof *births);
    double *cnt = malloc((n ? n : 1) * sizeof *cnt);
    h->actual_cum = malloc(weeks * sizeof(double));
    h->expected_cum = malloc(weeks * sizeof(double));
    if (!births || !cnt || !h->actual_cum || !h->expected_cum) {
        free(births);
        free(cnt);
        return HZ_ENOMEM;
    }
    memcpy(births, s->first_day, n * sizeof *births);
    qsort(births, n, sizeof *births, cmp_i32);
    size_t nb = 0;
    for (size_t i = 0; i < n; i++) {
        if (nb > 0 && births[nb - 1] == births[i]) {
            cnt[nb - 1] += 1.0;
        } else {
            births[nb] = births[i];
            cnt[nb++] = 1.0;
        }
    }
    h->day0 = s->day0;
    h->weeks = weeks;
    h->calibration_weeks = (size_t)(s->calibration_end - s->day0 + 1) / 7;
    double acc = 0;
    for (size_t w = 0; w < weeks; w++) {
        for (size_t d = 7 * w; d < 7 * (w + 1); d++)
            acc += s->repeats_by_day[d];
        h->actual_cum[w] = acc;
    }
    /* read by the num_threads clause, which the analyzer does not see:
     * NOLINTNEXTLINE(clang-analyzer-deadcode.DeadStores) */
    int nthreads = threads > 0 ? threads : hz_default_threads();
#pragma omp parallel for schedule(dynamic, 1) num_threads(nthreads)
    for (size_t w = 0; w < weeks; w++) {
        double end = (double)s->day0 + 7.0 * (double)(w + 1), e = 0;
        for (size_t b = 0; b < nb; b++) {
            double el = end - births[b];
            if (el > 0)
                e += cnt[b] *
                     hz_purchase_expected(m, hz_unit_from_days(s->unit, el));
        }
        h->expected_cum[w] = e;
    }
    free(births);
    free(cnt);
    return HZ_OK;
}

hz_status hz_holdout_compute(const hz_purchase_model *m,
                             const hz_customer_summary *s, int threads,
                             hz_holdout_report *out, hz_error *err)
{
    memset(out, 0, sizeof *out);
    if (!s->has_holdout || s->frequency_holdout == NULL)
        return hz_error_set(err, HZ_EINVAL,
                            "no holdout period: give a calibration end "
                            "before the observation end");
    out->model = m->kind;
    out->duration = s->duration_holdout;
    double *pred = malloc((s->n ? s->n : 1) * sizeof *pred);
    if (pred == NULL || hz_purchase_conditional_many(
                            m, s->duration_holdout, s->frequency, s->recency,
                            s->T, s->n, threads, pred) != HZ_OK) {
        free(pred);
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    }
    compare(out, s, pred);
    free(pred);
    if (track(out, m, s, threads) != HZ_OK) {
        hz_holdout_free(out);
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    }
    return HZ_OK;
}
