/* RFM quintile scores, named segments and segment profiles (see rfm.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/analytics_internal.h"
#include "horizon/rfm.h"

static const char *const seg_names[HZ_SEG_COUNT] = {"champions",
                                                    "loyal customers",
                                                    "potential loyalists",
                                                    "new customers",
                                                    "promising",
                                                    "need attention",
                                                    "about to sleep",
                                                    "at risk",
                                                    "can't lose them",
                                                    "hibernating",
                                                    "lost"};

const char *hz_rfm_segment_name(int s)
{
    return s >= 0 && s < HZ_SEG_COUNT ? seg_names[s] : "?";
}

hz_rfm_segment hz_rfm_segment_of(int r, int f)
{
    if (r == 5 && f >= 4)
        return HZ_SEG_CHAMPIONS;
    if (r >= 3 && r <= 4 && f >= 4)
        return HZ_SEG_LOYAL;
    if (r >= 4 && f >= 2 && f <= 3)
        return HZ_SEG_POTENTIAL_LOYALIST;
    if (r == 5 && f == 1)
        return HZ_SEG_NEW;
    if (r == 4 && f == 1)
        return HZ_SEG_PROMISING;
    if (r == 3 && f == 3)
        return HZ_SEG_NEED_ATTENTION;
    if (r == 3 && f <= 2)
        return HZ_SEG_ABOUT_TO_SLEEP;
    if (r <= 2 && f == 5)
        return HZ_SEG_CANT_LOSE;
    if (r <= 2 && f >= 3)
        return HZ_SEG_AT_RISK;
    if (r == 1 && f == 1)
        return HZ_SEG_LOST;
    return HZ_SEG_HIBERNATING;
}

hz_status hz_quintile_scores(const double *v, size_t n, bool higher_is_better,
                             uint8_t *out, hz_error *err)
{
    if (n == 0)
        return HZ_OK;
    double *k = malloc(n * sizeof *k);
    uint32_t *ord = malloc(n * sizeof *ord);
    if (k == NULL || ord == NULL) {
        free(k);
        free(ord);
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        if (isnan(v[i])) {
            free(k);
            free(ord);
            return hz_error_set(err, HZ_EINVAL, "value %zu is NaN", i + 1);
        }
        k[i] = higher_is_better ? v[i] : -v[i];
    }
    const double *keys[1] = {k};
    hz_status st = hz__argsort(keys, 1, n, ord); /* stable: ties by index */
    /* each run of equal values [j, e] in the sorted order: `worse` below
     * it, `better` above it; its score is that of one customer standing
     * among the others (rfm.h) */
    for (size_t j = 0, e; st == HZ_OK && j < n; j = e + 1) {
        for (e = j; e + 1 < n && k[ord[e + 1]] == k[ord[j]];)
            e++;
        const uint64_t worse = j, better = n - 1 - e;
        const uint8_t score = (uint8_t)(1 + (5 * (2 * worse + 1)) /
                                                (2 * (worse + better + 1)));
        for (size_t q = j; q <= e; q++)
            out[ord[q]] = score;
    }
    free(k);
    free(ord);
    return st == HZ_OK ? HZ_OK : hz_error_set(err, HZ_ENOMEM, "out of memory");
}

hz_status hz_rfm_score(const double *recency_days, const double *frequency,
                       const double *monetary, size_t n, uint8_t *r,
                       uint8_t *f, uint8_t *m, uint8_t *segment, hz_error *err)
{
    hz_status st = HZ_OK;
    uint8_t *rr = r, *ff = f, *mm = m;
    for (size_t i = 0; i < n; i++)
        if (!(recency_days[i] >= 0) || !(frequency[i] >= 0) ||
            !(monetary[i] >= 0))
            return hz_error_set(
                err, HZ_EINVAL,
                "customer %zu: recency %g, frequency %g and monetary %g "
                "must be non-negative numbers",
                i + 1, recency_days[i], frequency[i], monetary[i]);
    if (rr == NULL)
        rr = malloc(n ? n : 1);
    if (ff == NULL)
        ff = malloc(n ? n : 1);
    if (mm == NULL)
        mm = malloc(n ? n : 1);
    if (!rr || !ff || !mm) {
        st = hz_error_set(err, HZ_ENOMEM, "out of memory");
        goto out;
    }
    hz_status s1 = HZ_OK, s2 = HZ_OK, s3 = HZ_OK;
    hz_error e1, e2, e3;
#pragma omp parallel sections
    {
#pragma omp section
        s1 = hz_quintile_scores(recency_days, n, false, rr, &e1);
#pragma omp section
        s2 = hz_quintile_scores(frequency, n, true, ff, &e2);
#pragma omp section
        s3 = hz_quintile_scores(monetary, n, true, mm, &e3);
    }
    if (s1 || s2 || s3) {
        st = hz_error_set(err,
                          s1   ? s1
                          : s2 ? s2
                               : s3,
                          "%s",
                          s1   ? e1.msg
                          : s2 ? e2.msg
                               : e3.msg);
        goto out;
    }
    /* the ends that mean the same whoever else is in the data (rfm.h):
     * a purchase on the last day is R 5, one purchase is F 1 */
    for (size_t i = 0; i < n; i++) {
        if (recency_days[i] <= 1)
            rr[i] = 5;
        if (frequency[i] <= 1)
            ff[i] = 1;
    }
    if (segment != NULL)
        for (size_t i = 0; i < n; i++)
            segment[i] = (uint8_t)hz_rfm_segment_of(rr[i], ff[i]);
out:
    if (rr != r)
        free(rr);
    if (ff != f)
        free(ff);
    if (mm != m)
        free(mm);
    return st;
}

hz_status hz_segment_profiles(const uint8_t *group, const int32_t *group32,
                              size_t ngroups, const double *recency,
                              const double *frequency, const double *monetary,
                              size_t n, hz_segment_profile *out, hz_error *err)
{
    if ((group == NULL) == (group32 == NULL))
        return hz_error_set(err, HZ_EINVAL, "pass exactly one group array");
    memset(out, 0, ngroups * sizeof *out);
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        size_t g = group ? group[i] : (size_t)group32[i];
        if (g >= ngroups)
            return hz_error_set(err, HZ_EINVAL,
                                "customer %zu: group %zu out of range", i + 1,
                                g);
        out[g].size++;
        out[g].mean_recency += recency[i];
        out[g].mean_frequency += frequency[i];
        out[g].revenue += monetary[i];
        total += monetary[i];
    }
    for (size_t g = 0; g < ngroups; g++) {
        hz_segment_profile *p = &out[g];
        p->share = n ? (double)p->size / (double)n : 0.0;
        if (p->size > 0) {
            p->mean_recency /= (double)p->size;
            p->mean_frequency /= (double)p->size;
            p->mean_monetary = p->revenue / (double)p->size;
        }
        p->revenue_share = total > 0 ? p->revenue / total : 0.0;
    }
    return HZ_OK;
}
