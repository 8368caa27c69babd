/* Internals of the thread-budget module shared with its tests (engine/
 * only). */
#ifndef HZ_THREADS_INTERNAL_H
#define HZ_THREADS_INTERNAL_H

/* The CPU quota of the cgroup described by proc_self_cgroup (the text of
 * /proc/self/cgroup) under the cgroup file system root cgroup_root
 * ("/sys/fs/cgroup"): quota / period in CPUs, the smallest along the
 * path; 0 when there is none.  (Tests give fake trees.) */
double hz__cgroup_cpu_quota(const char *proc_self_cgroup,
                            const char *cgroup_root);

#endif
