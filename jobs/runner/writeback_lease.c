/* The lease kept through a write-back: when it is renewed before a
 * request, and by when each request must end (see writeback_lease.h). */
#include "runner/writeback_lease.h"

double hz__writeback_until(double t_renewed, double lease_s)
{
    return t_renewed + lease_s * (1 - HZ_WRITEBACK_MARGIN);
}

bool hz__writeback_renew_due(double age, double lease_s)
{
    return age >= lease_s * HZ_WRITEBACK_RENEW;
}
