/* The lease kept through a write-back in many requests (worker.c's
 * keep_lease, called before each chunk of the report, each batch of
 * results and the final status): when the lease is renewed before a
 * request, and by when (monotonic) each request must end.
 *
 * Every request ends by the lease as last renewed less a margin of
 * lease/6 (HZ_WRITEBACK_MARGIN): the clocks of the runners may differ,
 * and a request given up may still reach the store.  The lease is
 * renewed before a request once its last renewal is lease/12 old
 * (HZ_WRITEBACK_RENEW), so a request begins with at least 3/4 of the
 * lease before its deadline, less the renewal's own time.  Until
 * 2026-12-08 it was renewed only once lease/3 old: a request could begin
 * with half the lease left (3 s of a 6 s lease), and one that needed
 * more was cut at the write-back's deadline although a renewal would
 * have given it time (a write held 3 s by a slow store failed the job's
 * write-back, the job computed again by another runner). */
#ifndef HZ_RUNNER_WRITEBACK_LEASE_H
#define HZ_RUNNER_WRITEBACK_LEASE_H

#include <stdbool.h>

/* The share of the lease a write-back's requests leave unused at its
 * end. */
#define HZ_WRITEBACK_MARGIN (1.0 / 6)

/* The age, as a share of the lease, at which the lease is renewed before
 * a request of the write-back. */
#define HZ_WRITEBACK_RENEW (1.0 / 12)

/* When (monotonic) the write-back's requests must end: the lease of
 * lease_s seconds as last renewed at t_renewed (its renewal was sent
 * then), less its margin. */
double hz__writeback_until(double t_renewed, double lease_s);

/* Whether the lease of lease_s seconds, last renewed age seconds ago, is
 * renewed before the write-back's next request. */
bool hz__writeback_renew_due(double age, double lease_s);

#endif
