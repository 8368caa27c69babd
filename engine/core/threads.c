/* Default thread counts from the CPUs a process may use (see
 * horizon/threads.h). */
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/threads_internal.h"
#include "horizon/threads.h"

/* The first line of path as a string in buf; false when unreadable. */
static bool read_line(const char *path, char *buf, size_t n)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return false;
    bool ok = fgets(buf, (int)n, f) != NULL;
    fclose(f);
    return ok;
}

/* The integer at *p (after blanks) into *v, *p moved past it; false when
 * there is none or it does not fit. */
static bool next_ll(const char **p, long long *v)
{
    char *end;
    errno = 0;
    long long x = strtoll(*p, &end, 10);
    if (end == *p || errno == ERANGE)
        return false;
    *v = x;
    *p = end;
    return true;
}

/* v2: "max 100000" or "QUOTA PERIOD" in DIR/cpu.max. */
static double v2_quota(const char *dir)
{
    char path[8700], line[128];
    snprintf(path, sizeof path, "%s/cpu.max", dir);
    long long quota, period;
    const char *s = line;
    if (!read_line(path, line, sizeof line) || !next_ll(&s, &quota) ||
        !next_ll(&s, &period) || quota <= 0 || period <= 0)
        return 0;
    return (double)quota / (double)period;
}

/* v1: cpu.cfs_quota_us (-1 = none) and cpu.cfs_period_us in DIR. */
static double v1_quota(const char *dir)
{
    char path[8700], line[64];
    long long quota, period;
    snprintf(path, sizeof path, "%s/cpu.cfs_quota_us", dir);
    const char *s = line;
    if (!read_line(path, line, sizeof line) || !next_ll(&s, &quota) ||
        quota <= 0)
        return 0;
    snprintf(path, sizeof path, "%s/cpu.cfs_period_us", dir);
    s = line;
    if (!read_line(path, line, sizeof line) || !next_ll(&s, &period) ||
        period <= 0)
        return 0;
    return (double)quota / (double)period;
}

/* The smallest quota from base/rel up to base (rel "/a/b": base/a/b,
 * base/a, base). */
static double walk_up(const char *base, const char *rel,
                      double (*quota)(const char *dir))
{
    char dir[8600];
    snprintf(dir, sizeof dir, "%s%s", base, strcmp(rel, "/") ? rel : "");
    double best = 0;
    for (;;) {
        double q = quota(dir);
        if (q > 0 && (best == 0 || q < best))
            best = q;
        size_t bl = strlen(base), dl = strlen(dir);
        if (dl <= bl)
            break;
        char *slash = strrchr(dir + bl, '/');
        if (slash == NULL)
            break;
        *slash = '\0';
    }
    return best;
}

/* True when the controller list "cpu,cpuacct" names "cpu". */
static bool has_cpu_controller(const char *ctl)
{
    for (const char *p = ctl; p != NULL && *p;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        if (n == 3 && strncmp(p, "cpu", 3) == 0)
            return true;
        p = comma ? comma + 1 : NULL;
    }
    return false;
}

double hz__cgroup_cpu_quota(const char *proc_self_cgroup,
                            const char *cgroup_root)
{
    double best = 0;
    const char *p = proc_self_cgroup;
    while (p != NULL && *p != '\0') {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        char line[4096];
        snprintf(line, sizeof line, "%.*s", (int)len, p);
        p = eol ? eol + 1 : NULL;
        /* "ID:CONTROLLERS:PATH" */
        char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (c2 == NULL)
            continue;
        *c1 = *c2 = '\0';
        const char *ctl = c1 + 1, *rel = c2 + 1;
        char base[4200];
        double q = 0;
        if (strcmp(line, "0") == 0 && ctl[0] == '\0') { /* v2 */
            q = walk_up(cgroup_root, rel, v2_quota);
        } else if (has_cpu_controller(ctl)) {
            snprintf(base, sizeof base, "%s/%s", cgroup_root, ctl);
            q = walk_up(base, rel, v1_quota);
            if (q == 0) { /* mounted as "cpu" alone */
                snprintf(base, sizeof base, "%s/cpu", cgroup_root);
                q = walk_up(base, rel, v1_quota);
            }
        }
        if (q > 0 && (best == 0 || q < best))
            best = q;
    }
    return best;
}

static int budget;
static pthread_once_t budget_once = PTHREAD_ONCE_INIT;

static void compute_budget(void)
{
    cpu_set_t set;
    int n = 0;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        n = CPU_COUNT(&set);
    if (n <= 0)
        n = omp_get_num_procs();
    FILE *f = fopen("/proc/self/cgroup", "r");
    if (f != NULL) {
        char text[8192];
        size_t len = fread(text, 1, sizeof text - 1, f);
        fclose(f);
        text[len] = '\0';
        double q = hz__cgroup_cpu_quota(text, "/sys/fs/cgroup");
        if (q > 0 && ceil(q) < n)
            n = (int)ceil(q);
    }
    budget = n > 0 ? n : 1;
}

int hz_cpu_budget(void)
{
    pthread_once(&budget_once, compute_budget);
    return budget;
}

int hz_default_threads(void)
{
    int omp = omp_get_max_threads();
    const char *env = getenv("OMP_NUM_THREADS");
    if (env != NULL && env[0] != '\0')
        return omp;
    int b = hz_cpu_budget();
    return omp < b ? omp : b;
}

bool hz_threads_env_defaults(void)
{
    bool changed = false;
    if (getenv("OMP_WAIT_POLICY") == NULL &&
        getenv("GOMP_SPINCOUNT") == NULL) {
        setenv("OMP_WAIT_POLICY", "passive", 1);
        changed = true;
    }
    if (getenv("OMP_NUM_THREADS") == NULL) {
        char n[16];
        snprintf(n, sizeof n, "%d", hz_cpu_budget());
        setenv("OMP_NUM_THREADS", n, 1);
        changed = true;
    }
    return changed;
}
