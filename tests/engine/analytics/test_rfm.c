/* RFM quintile scores, the segment rule table and profiles. */
#include <math.h>
#include <stdlib.h>

#include "horizon/rfm.h"
#include "hz_test.h"

HZ_TEST(quintiles_hand_worked)
{
    double v[10] = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
    uint8_t s[10];
    HZ_CHECK(hz_quintile_scores(v, 10, true, s, NULL) == HZ_OK);
    const uint8_t want[10] = {5, 5, 4, 4, 3, 3, 2, 2, 1, 1};
    for (int i = 0; i < 10; i++)
        HZ_CHECK(s[i] == want[i]);
    HZ_CHECK(hz_quintile_scores(v, 10, false, s, NULL) == HZ_OK);
    for (int i = 0; i < 10; i++)
        HZ_CHECK(s[i] == 6 - want[i]);
    /* ties share a score: a run at the bottom keeps 1 (one-time buyers
     * are F 1) ... */
    double t[10] = {1, 1, 1, 1, 1, 1, 2, 3, 4, 5};
    HZ_CHECK(hz_quintile_scores(t, 10, true, s, NULL) == HZ_OK);
    const uint8_t wt[10] = {1, 1, 1, 1, 1, 1, 4, 4, 5, 5};
    for (int i = 0; i < 10; i++)
        HZ_CHECK(s[i] == wt[i]);
    /* ... and a run at the top keeps 5: six customers who bought on the
     * last day are the most recent (were 3, the first tie's rank) */
    HZ_CHECK(hz_quintile_scores(t, 10, false, s, NULL) == HZ_OK);
    const uint8_t wr[10] = {5, 5, 5, 5, 5, 5, 2, 2, 1, 1};
    for (int i = 0; i < 10; i++)
        HZ_CHECK(s[i] == wr[i]);
    /* one customer, or all alike: the middle score, either way */
    double one = 4;
    HZ_CHECK(hz_quintile_scores(&one, 1, false, s, NULL) == HZ_OK);
    HZ_CHECK(s[0] == 3);
    double same[7] = {2, 2, 2, 2, 2, 2, 2};
    for (int hib = 0; hib < 2; hib++) {
        HZ_CHECK(hz_quintile_scores(same, 7, hib, s, NULL) == HZ_OK);
        for (int i = 0; i < 7; i++)
            HZ_CHECK(s[i] == 3);
    }
    /* without ties: equal fifths and symmetric (s -> 6 - s) for any n */
    for (size_t n = 1; n <= 40; n++) {
        double u[40];
        uint8_t up[40], down[40];
        for (size_t i = 0; i < n; i++)
            u[i] = (double)((i * 41) % n); /* a permutation of 0..n-1 */
        HZ_CHECK(hz_quintile_scores(u, n, true, up, NULL) == HZ_OK);
        HZ_CHECK(hz_quintile_scores(u, n, false, down, NULL) == HZ_OK);
        for (size_t i = 0; i < n; i++) {
            size_t r = (size_t)u[i]; /* 0-based rank */
            HZ_CHECK(up[i] == 1 + (5 * (2 * r + 1)) / (2 * n));
            HZ_CHECK(up[i] + down[i] == 6);
        }
    }
}

HZ_TEST(segment_rule_table)
{
    HZ_CHECK(hz_rfm_segment_of(5, 5) == HZ_SEG_CHAMPIONS);
    HZ_CHECK(hz_rfm_segment_of(5, 4) == HZ_SEG_CHAMPIONS);
    HZ_CHECK(hz_rfm_segment_of(3, 4) == HZ_SEG_LOYAL);
    HZ_CHECK(hz_rfm_segment_of(4, 5) == HZ_SEG_LOYAL);
    HZ_CHECK(hz_rfm_segment_of(4, 2) == HZ_SEG_POTENTIAL_LOYALIST);
    HZ_CHECK(hz_rfm_segment_of(5, 3) == HZ_SEG_POTENTIAL_LOYALIST);
    HZ_CHECK(hz_rfm_segment_of(5, 1) == HZ_SEG_NEW);
    HZ_CHECK(hz_rfm_segment_of(4, 1) == HZ_SEG_PROMISING);
    HZ_CHECK(hz_rfm_segment_of(3, 3) == HZ_SEG_NEED_ATTENTION);
    HZ_CHECK(hz_rfm_segment_of(3, 2) == HZ_SEG_ABOUT_TO_SLEEP);
    HZ_CHECK(hz_rfm_segment_of(2, 3) == HZ_SEG_AT_RISK);
    HZ_CHECK(hz_rfm_segment_of(1, 4) == HZ_SEG_AT_RISK);
    HZ_CHECK(hz_rfm_segment_of(1, 5) == HZ_SEG_CANT_LOSE);
    HZ_CHECK(hz_rfm_segment_of(2, 2) == HZ_SEG_HIBERNATING);
    HZ_CHECK(hz_rfm_segment_of(2, 1) == HZ_SEG_HIBERNATING);
    HZ_CHECK(hz_rfm_segment_of(1, 1) == HZ_SEG_LOST);
    /* every cell has a segment and every segment is reachable */
    int seen[HZ_SEG_COUNT] = {0};
    for (int r = 1; r <= 5; r++)
        for (int f = 1; f <= 5; f++) {
            int s = hz_rfm_segment_of(r, f);
            HZ_CHECK(s >= 0 && s < HZ_SEG_COUNT);
            seen[s]++;
        }
    for (int s = 0; s < HZ_SEG_COUNT; s++)
        HZ_CHECK(seen[s] > 0);
    HZ_CHECK_STR(hz_rfm_segment_name(HZ_SEG_CANT_LOSE), "can't lose them");
    HZ_CHECK_STR(hz_rfm_segment_name(99), "?");
}

HZ_TEST(scores_segments_profiles)
{
    /* 5 customers: recency, frequency, monetary */
    double R[5] = {1, 10, 100, 200, 300}, F[5] = {9, 7, 5, 1, 1},
           M[5] = {500, 300, 100, 50, 50};
    uint8_t r[5], f[5], m[5], seg[5];
    HZ_CHECK(hz_rfm_score(R, F, M, 5, r, f, m, seg, NULL) == HZ_OK);
    HZ_CHECK(r[0] == 5 && r[4] == 1);
    HZ_CHECK(f[0] == 5 && f[3] == 1 && f[4] == 1);
    HZ_CHECK(seg[0] == HZ_SEG_CHAMPIONS && seg[4] == HZ_SEG_LOST);
    hz_segment_profile p[HZ_SEG_COUNT];
    HZ_CHECK(hz_segment_profiles(seg, NULL, HZ_SEG_COUNT, R, F, M, 5, p,
                                 NULL) == HZ_OK);
    double share = 0, rev = 0;
    for (int s = 0; s < HZ_SEG_COUNT; s++) {
        share += p[s].share;
        rev += p[s].revenue_share;
    }
    HZ_CHECK_NEAR(share, 1.0, 1e-12);
    HZ_CHECK_NEAR(rev, 1.0, 1e-12);
    HZ_CHECK_NEAR(p[HZ_SEG_CHAMPIONS].revenue_share, 500.0 / 1000, 1e-12);
    HZ_CHECK_NEAR(p[HZ_SEG_CHAMPIONS].mean_recency, 1, 1e-12);
}

HZ_TEST(identical_customers_and_bad_values)
{
    double R[4] = {7, 7, 7, 7}, F[4] = {2, 2, 2, 2}, M[4] = {9, 9, 9, 9};
    uint8_t seg[4];
    HZ_CHECK(hz_rfm_score(R, F, M, 4, NULL, NULL, NULL, seg, NULL) == HZ_OK);
    /* all tied: every score 3, "need attention" (was 1: "lost") */
    for (int i = 0; i < 4; i++)
        HZ_CHECK(seg[i] == HZ_SEG_NEED_ATTENTION);
    double Rb[2] = {1, -1}, F2[2] = {1, 1}, M2[2] = {1, 1};
    hz_error err;
    HZ_CHECK(hz_rfm_score(Rb, F2, M2, 2, NULL, NULL, NULL, seg, &err) ==
             HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "customer 2");
    uint8_t g[2] = {0, 7};
    hz_segment_profile p[2];
    HZ_CHECK(hz_segment_profiles(g, NULL, 2, F2, F2, M2, 2, p, &err) ==
             HZ_EINVAL);
}

/* Degenerate data keeps the scores that mean the same for anyone: every
 * customer a one-time buyer is F 1 (was 3 for all: "potential
 * loyalists", "need attention", "at risk" for people who bought once),
 * every customer who bought on the last day R 5 (was 3: "about to
 * sleep"), and so is a lone customer; one customer apart from the rest
 * no longer lifts them (one-time buyers were F 2, the last day's R 4). */
HZ_TEST(degenerate_shapes_keep_true_ends)
{
    double R[6] = {1, 5, 30, 60, 90, 200}, F[6] = {1, 1, 1, 1, 1, 1},
           M[6] = {10, 20, 30, 40, 50, 60};
    uint8_t r[6], f[6], seg[6];
    HZ_CHECK(hz_rfm_score(R, F, M, 6, r, f, NULL, seg, NULL) == HZ_OK);
    for (int i = 0; i < 6; i++) {
        HZ_CHECK(f[i] == 1);
        HZ_CHECK(seg[i] == HZ_SEG_NEW || seg[i] == HZ_SEG_PROMISING ||
                 seg[i] == HZ_SEG_ABOUT_TO_SLEEP ||
                 seg[i] == HZ_SEG_HIBERNATING || seg[i] == HZ_SEG_LOST);
    }
    HZ_CHECK(seg[0] == HZ_SEG_NEW && seg[5] == HZ_SEG_LOST);
    /* everyone bought once, on the last day: new customers */
    double R1[4] = {1, 1, 1, 1}, F1[4] = {1, 1, 1, 1}, M1[4] = {5, 6, 7, 8};
    HZ_CHECK(hz_rfm_score(R1, F1, M1, 4, r, f, NULL, seg, NULL) == HZ_OK);
    for (int i = 0; i < 4; i++)
        HZ_CHECK(r[i] == 5 && f[i] == 1 && seg[i] == HZ_SEG_NEW);
    /* a lone repeat buyer who bought on the last day */
    double Rl = 1, Fl = 3, Ml = 60;
    HZ_CHECK(hz_rfm_score(&Rl, &Fl, &Ml, 1, r, f, NULL, seg, NULL) == HZ_OK);
    HZ_CHECK(r[0] == 5 && f[0] == 3 && seg[0] == HZ_SEG_POTENTIAL_LOYALIST);
    /* one repeat buyer among one-time buyers: they stay F 1 */
    double Ra[5] = {1, 1, 1, 1, 40}, Fa[5] = {1, 1, 1, 1, 4},
           Ma[5] = {1, 2, 3, 4, 5};
    HZ_CHECK(hz_rfm_score(Ra, Fa, Ma, 5, r, f, NULL, seg, NULL) == HZ_OK);
    for (int i = 0; i < 4; i++)
        HZ_CHECK(f[i] == 1 && r[i] == 5 && seg[i] == HZ_SEG_NEW);
}
