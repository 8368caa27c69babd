/* The memory limit of job processes (see memlimit.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "runner/disklimit.h"
#include "runner/memlimit.h"

/* The number on the first line of path (a cgroup file); -1 when none
 * ("max", unreadable). */
static long long read_bytes(const char *path)
{
    FILE *f = fopen(path, "re");
    char line[64];
    long long v = -1;
    if (f != NULL && fgets(line, sizeof line, f) != NULL) {
        char *end;
        errno = 0;
        long long x = strtoll(line, &end, 10);
        if (end != line && errno == 0 && x > 0)
            v = x;
    }
    if (f != NULL)
        fclose(f);
    return v;
}

/* The lowest limit along the process's cgroup path: v2 "0::PATH" (each
 * directory's memory.max up to the root), v1 "N:memory:PATH"; -1 when
 * none. */
static long long cgroup_limit(void)
{
    FILE *f = fopen("/proc/self/cgroup", "re");
    char line[4096];
    long long best = -1;
    while (f != NULL && fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (c2 == NULL)
            continue;
        *c2 = '\0';
        bool v2 = c1 + 1 == c2; /* no controller named */
        if (!v2 && strcmp(c1 + 1, "memory") != 0)
            continue;
        char dir[4400];
        snprintf(dir, sizeof dir, "/sys/fs/cgroup%s%s", v2 ? "" : "/memory",
                 strcmp(c2 + 1, "/") != 0 ? c2 + 1 : "");
        for (;;) {
            char path[4500];
            snprintf(path, sizeof path, "%s/%s", dir,
                     v2 ? "memory.max" : "memory.limit_in_bytes");
            long long v = read_bytes(path);
            if (v > 0 && (best < 0 || v < best))
                best = v;
            char *slash = strrchr(dir, '/');
            if (slash == NULL || slash - dir <= (v2 ? 14 : 21))
                break; /* at /sys/fs/cgroup (or its memory directory) */
            *slash = '\0';
        }
    }
    if (f != NULL)
        fclose(f);
    return best;
}

long long hz__mem_budget(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    long long phys = pages > 0 && size > 0 ? (long long)pages * size : 0;
    long long cg = cgroup_limit();
    return cg > 0 && (phys == 0 || cg < phys) ? cg : phys;
}

/* VmData of this process in bytes; -1 when unknown. */
static long long vm_data(void)
{
    FILE *f = fopen("/proc/self/status", "re");
    char line[256];
    long long kb = -1;
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, "VmData:", 7) == 0) {
            kb = strtoll(line + 7, NULL, 10);
            break;
        }
    if (f != NULL)
        fclose(f);
    return kb >= 0 ? kb * 1024 : -1;
}

long long hz__memlimit_hard_room(long long *hard)
{
    struct rlimit rl;
    *hard = -1;
    if (getrlimit(RLIMIT_DATA, &rl) != 0 || rl.rlim_max == RLIM_INFINITY)
        return -1;
    *hard = (long long)rl.rlim_max;
    long long used = vm_data();
    return used < 0 ? *hard : *hard - used;
}

const char *hz__memlimit_source(bool by_rlimit)
{
    return by_rlimit ? "the hard RLIMIT_DATA horizon run was started with: "
                       "ulimit -d, systemd's LimitDATA="
                     : "horizon run --max-memory-mb";
}

hz_status hz__memlimit_apply(long long bytes, hz_error *err)
{
    long long base = vm_data();
    if (base < 0)
        return hz_error_set(err, HZ_EIO,
                            "could not set the job process's memory limit: "
                            "/proc/self/status has no VmData");
    struct rlimit rl = {.rlim_cur = (rlim_t)(base + bytes),
                        .rlim_max = (rlim_t)(base + bytes)};
    /* a hard limit the runner was started with (ulimit -d, systemd's
     * LimitDATA=) is the tighter one: raising it is not permitted */
    struct rlimit now;
    if (getrlimit(RLIMIT_DATA, &now) == 0 && now.rlim_max != RLIM_INFINITY &&
        now.rlim_max < rl.rlim_max)
        rl.rlim_cur = rl.rlim_max = now.rlim_max;
    if (setrlimit(RLIMIT_DATA, &rl) != 0)
        return hz_error_set(err, HZ_EIO,
                            "could not set the job process's memory limit: "
                            "%s",
                            strerror(errno));
    return HZ_OK;
}

/* ---- the guard: what the process leaves when memory ran out ---- */

static struct {
    char resfile[4200], part[4300];
    char line[1024]; /* the result file's text, made beforehand */
    long long limit; /* RLIMIT_DATA set (bytes) */
} guard;

/* VmData in bytes from /proc/self/status, async-signal-safe; -1 when
 * unknown. */
static long long vm_data_safe(void)
{
    /* read in pieces, a line carried over: the groups line of a user in
     * many groups comes before VmData and can fill more than 4 KiB */
    char buf[4096];
    int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t have = 0;
    for (;;) {
        ssize_t n = read(fd, buf + have, sizeof buf - 1 - have);
        if (n <= 0)
            break;
        have += (size_t)n;
        buf[have] = '\0';
        char *line = buf;
        char *nl;
        while ((nl = strchr(line, '\n')) != NULL) {
            if (strncmp(line, "VmData:", 7) == 0) {
                long long kb = 0;
                char *p = line + 7;
                while (*p == ' ' || *p == '\t')
                    p++;
                for (; *p >= '0' && *p <= '9'; p++)
                    kb = kb * 10 + (*p - '0');
                close(fd);
                return kb * 1024;
            }
            line = nl + 1;
        }
        /* keep an unfinished line; one that fills the buffer is no
         * VmData line (the groups): dropped, read on to its end */
        size_t rest = have - (size_t)(line - buf);
        if (rest >= sizeof buf - 1)
            rest = 0;
        memmove(buf, line, rest);
        have = rest;
    }
    close(fd);
    return -1;
}

/* Write the "memory" result when the process's data is at its limit. */
static void leave_result(void)
{
    long long used = vm_data_safe();
    if (guard.limit <= 0 || used < 0 || used < guard.limit - HZ_MEMLIMIT_SLACK)
        return;
    int fd = open(guard.part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    size_t len = strlen(guard.line);
    bool ok = write(fd, guard.line, len) == (ssize_t)len;
    ok = close(fd) == 0 && ok;
    if (ok)
        hz__disklimit_rename(guard.part, guard.resfile);
}

static void on_exit_guard(void)
{
    leave_result();
}

static void on_fatal_signal(int sig)
{
    leave_result();
    signal(sig, SIG_DFL);
    raise(sig);
}

void hz__memlimit_guard(const char *resfile, long long bytes, bool by_rlimit)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_DATA, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
        return;
    guard.limit = (long long)rl.rlim_cur;
    snprintf(guard.resfile, sizeof guard.resfile, "%s", resfile);
    snprintf(guard.part, sizeof guard.part, "%s.part", resfile);
    snprintf(guard.line, sizeof guard.line,
             "#end {\"ok\":false,\"error\":\"the job process ran out of "
             "memory and stopped (it reached its memory limit of %lld MiB: "
             "%s)\",\"reason\":\"memory\","
             "\"retryable\":false,\"stages\":[0,0,0,0,0],"
             "\"datasetBytes\":-1,\"datasetRows\":0}\n",
             bytes >> 20, hz__memlimit_source(by_rlimit));
    atexit(on_exit_guard);
    /* on a stack of its own: a thread may have run out of its own */
    static char altstack[1 << 16];
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fatal_signal;
    sa.sa_flags = SA_ONSTACK | SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGABRT, &sa, NULL);
}

/* ---- cJSON's allocations ---- */

static atomic_bool json_failed;

static void *counting_malloc(size_t n)
{
    void *p = malloc(n);
    if (p == NULL)
        atomic_store(&json_failed, true);
    return p;
}

void hz__memlimit_count_json(void)
{
    cJSON_Hooks h = {.malloc_fn = counting_malloc, .free_fn = free};
    cJSON_InitHooks(&h);
}

bool hz__memlimit_json_failed(void)
{
    return atomic_load(&json_failed);
}
