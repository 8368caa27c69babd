/* Status codes and error messages. */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "horizon/common.h"

const char *hz_strerror(hz_status s)
{
    switch (s) {
    case HZ_OK: return "success";
    case HZ_EINVAL: return "invalid argument";
    case HZ_ENOMEM: return "out of memory";
    case HZ_EIO: return "input/output error";
    case HZ_EPARSE: return "malformed input";
    case HZ_ETYPE: return "wrong type";
    case HZ_ENOTFOUND: return "not found";
    case HZ_ENOCONV: return "did not converge";
    case HZ_ETOOSHORT: return "too short";
    case HZ_ENET: return "network error";
    case HZ_ECONFLICT: return "conflict";
    case HZ_ETIMEOUT: return "timed out";
    case HZ_ECANCELED: return "canceled";
    case HZ_EINTERNAL: return "internal error";
    }
    return "unknown status";
}

#undef hz_error_set /* the analyzer-only macro of common.h */
hz_status hz_error_set(hz_error *err, hz_status s, const char *fmt, ...)
{
    if (err != NULL) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->status = s;
    }
    return s;
}

void hz_error_clear(hz_error *err)
{
    if (err != NULL) {
        err->status = HZ_OK;
        err->msg[0] = '\0';
    }
}

const char *hz_version(void)
{
    return HZ_VERSION_STRING;
}

double hz_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
