/* The lease through a write-back (runner/writeback_lease.h): each
 * request of the write-back begins with at least 3/4 of the lease before
 * its deadline, whenever the lease was last renewed.  Until 2026-12-08
 * the lease was renewed only once lease/3 old, a request could begin
 * with half of the lease left (3 s of 6 s), and a write held 3 s by a
 * slow store was cut at the write-back's deadline (seen as
 * cli_cosmos_writeback_lease failing on a loaded machine). */
#include <math.h>

#include "hz_test.h"
#include "runner/writeback_lease.h"

/* The time a request of the write-back has before its deadline when it
 * is to begin age seconds after the lease's last renewal (renewed first
 * when that is due, the renewal taking no time). */
static double time_left(double age, double lease)
{
    double t_renewed = 1000.0, now = t_renewed + age;
    if (hz__writeback_renew_due(age, lease))
        t_renewed = now;
    return hz__writeback_until(t_renewed, lease) - now;
}

HZ_TEST(a_request_begins_with_three_quarters_of_the_lease)
{
    const double leases[] = {1, 3, 6, 30, 60, 3600};
    for (size_t i = 0; i < sizeof leases / sizeof *leases; i++) {
        double lease = leases[i];
        /* every age a request can begin at: until the deadline */
        for (int k = 0; k <= 1000; k++) {
            double age = lease * (1 - HZ_WRITEBACK_MARGIN) * k / 1000;
            double left = time_left(age, lease);
            HZ_CHECK(left >= lease * 0.75 - 1e-9);
            if (left < lease * 0.75 - 1e-9) {
                fprintf(stderr, "lease %g s, renewed %g s ago: %g s left\n",
                        lease, age, left);
                break;
            }
        }
    }
    /* the case of the CLI test: a 6 s lease renewed 1.9 s ago left 3.1 s
     * for a write the store held 3 s */
    HZ_CHECK(time_left(1.9, 6) >= 4.5);
}

HZ_TEST(a_fresh_lease_is_not_renewed_before_each_request)
{
    /* a fast write-back (small batches, a quick store) renews at most
     * once a lease/12, not before every request */
    HZ_CHECK(!hz__writeback_renew_due(0, 60));
    HZ_CHECK(!hz__writeback_renew_due(4.9, 60));
    HZ_CHECK(hz__writeback_renew_due(5, 60));
    HZ_CHECK(!hz__writeback_renew_due(0.4, 6));
    HZ_CHECK(hz__writeback_renew_due(0.5, 6));
}

HZ_TEST(requests_end_a_sixth_of_the_lease_before_it_expires)
{
    HZ_CHECK(fabs(hz__writeback_until(100, 60) - 150) < 1e-9);
    HZ_CHECK(fabs(hz__writeback_until(7, 6) - 12) < 1e-9);
}
