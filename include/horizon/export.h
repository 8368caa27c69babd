/* Horizon: the export macro.
 *
 * libhorizon is built with -fvisibility=hidden: only declarations marked
 * HZ_API (every public hz_ function) are exported from libhorizon.so;
 * internal hz__ functions stay inside the library. */
#ifndef HORIZON_EXPORT_H
#define HORIZON_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define HZ_API __attribute__((visibility("default")))
#else
#define HZ_API
#endif

#endif
