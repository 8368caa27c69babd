/* Threads that behave on a shared machine.
 *
 * The default number of threads (what threads = 0 means everywhere in
 * the engine) is the number of CPUs this process may actually use: the
 * CPUs of its affinity mask (taskset, cpusets, Kubernetes static CPU
 * policy), capped by its cgroup's CPU quota (cgroup v2 cpu.max or v1
 * cpu.cfs_quota_us / cpu.cfs_period_us, the smallest along the cgroup
 * path, rounded up), and by the OpenMP runtime's setting (OMP_NUM_THREADS,
 * omp_set_num_threads).
 *
 * Idle OpenMP threads should sleep rather than spin: libgomp's threads
 * spin for a while before they sleep, which on a machine shared with
 * other busy processes steals their CPU and slows everyone down.  The
 * runtime reads its settings once, when the program starts, from the
 * environment; hz_threads_env_defaults() sets them (OMP_WAIT_POLICY=
 * passive and OMP_NUM_THREADS = the CPU budget) where the user has not,
 * and a program calls it before its OpenMP runtime starts (the horizon
 * CLI runs itself again with them set, see jobs/cli/main.c). */
#ifndef HORIZON_THREADS_H
#define HORIZON_THREADS_H

#include <stdbool.h>

#include "horizon/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* CPUs this process may use: min(affinity mask count, ceil(cgroup CPU
 * quota)), at least 1.  Read once (thread-safe). */
HZ_API int hz_cpu_budget(void);

/* The threads to use when a request says 0: the OpenMP setting when the
 * user gave one (OMP_NUM_THREADS), else min(omp_get_max_threads(),
 * hz_cpu_budget()). */
HZ_API int hz_default_threads(void);

/* Set OMP_WAIT_POLICY=passive (unless OMP_WAIT_POLICY or GOMP_SPINCOUNT
 * is set) and OMP_NUM_THREADS=hz_cpu_budget() (unless set) in the
 * environment.  True when something was set: the OpenMP runtime of this
 * process, already started, will not see it; a new process (exec) will.
 * Uses setenv: call it before any thread starts. */
HZ_API bool hz_threads_env_defaults(void);

#ifdef __cplusplus
}
#endif
#endif
