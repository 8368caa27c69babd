/* Horizon: status codes, error reporting and small shared helpers.
 *
 * Every fallible engine function returns an hz_status and, when it fails,
 * writes a one-line, lower-case message into the caller's hz_error
 * (which may be NULL).  The engine never prints and never aborts. */
#ifndef HORIZON_COMMON_H
#define HORIZON_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "horizon/export.h"
#include "horizon/version.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hz_status {
    HZ_OK = 0,
    HZ_EINVAL = 1,     /* invalid argument supplied by the caller */
    HZ_ENOMEM = 2,     /* out of memory */
    HZ_EIO = 3,        /* file could not be opened or read */
    HZ_EPARSE = 4,     /* malformed input (CSV, JSON, dates, numbers) */
    HZ_ETYPE = 5,      /* value of the wrong type for its column */
    HZ_ENOTFOUND = 6,  /* named column, job or document does not exist */
    HZ_ENOCONV = 7,    /* an iterative fit did not converge */
    HZ_ETOOSHORT = 8,  /* series or sample too short for the request */
    HZ_ENET = 9,       /* network error, HTTP failure */
    HZ_ECONFLICT = 10, /* lost an optimistic-concurrency race (412/409) */
    HZ_ETIMEOUT = 11,  /* deadline exceeded */
    HZ_ECANCELED = 12, /* stopped by the caller */
    HZ_EINTERNAL = 13  /* a bug: an invariant did not hold */
} hz_status;

#define HZ_ERROR_MAX 512

/* Error text lives on a caller-owned handle, like sqlite3_errmsg(). */
typedef struct hz_error {
    hz_status status;
    char msg[HZ_ERROR_MAX];
} hz_error;

/* Static description of a status code ("invalid argument", ...). */
HZ_API const char *hz_strerror(hz_status s);

/* Record a formatted message on err (NULL allowed) and return s. */
HZ_API hz_status hz_error_set(hz_error *err, hz_status s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#ifdef __clang_analyzer__
/* For the static analyzer only: hz_error_set returns its status argument,
 * which the analyzer cannot see across files; without this every
 * `return hz_error_set(err, HZ_EINVAL, ...)` looks as if it could
 * return HZ_OK and the caller's "success" path is explored with
 * the outputs unset. */
#define hz_error_set(err, s, ...)                                             \
    ((void)hz_error_set(err, s, __VA_ARGS__), (s))
#endif

/* Reset err to HZ_OK with an empty message (NULL allowed). */
HZ_API void hz_error_clear(hz_error *err);

/* Monotonic wall clock in seconds. */
HZ_API double hz_now(void);

#ifdef __cplusplus
}
#endif
#endif
