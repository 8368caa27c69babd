/* GSL's error handler, set once per process.  See numeric/gsl_init.h.
 *
 * Why pthread_once at the entry points rather than a library constructor:
 * hz_engine is a static archive, and an object file that holds only a
 * constructor is not pulled into a program by the linker, so the
 * constructor could silently not run; a constructor would also change the
 * handler of a host program that links Horizon but never calls it.  The
 * once-call is explicit, works for static and shared builds alike and is
 * race-free (pthread_once orders the store before any later GSL call). */
#include <pthread.h>

#include <gsl/gsl_errno.h>

#include "numeric/gsl_init.h"

static pthread_once_t gsl_once = PTHREAD_ONCE_INIT;

static void gsl_init_once(void)
{
    gsl_set_error_handler_off();
}

void hz__gsl_init(void)
{
    pthread_once(&gsl_once, gsl_init_once);
}
