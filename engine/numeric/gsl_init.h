/* Internal: GSL's process-wide error handler, set once. */
#ifndef HZ_NUMERIC_GSL_INIT_H
#define HZ_NUMERIC_GSL_INIT_H

/* Switch GSL's error handler off, once per process (pthread_once), so
 * that GSL reports errors through return codes and never aborts.  Every
 * engine entry point that can reach GSL calls this first; it costs one
 * atomic load after the first call.  The handler is never switched back
 * on: toggling it around each call (as was done before) races when two
 * fits run at once, and in that window GSL's default handler can abort
 * the process. */
void hz__gsl_init(void);

#endif
