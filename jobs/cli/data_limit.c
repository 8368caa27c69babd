/* A data segment limit (RLIMIT_DATA: `ulimit -d`, systemd's LimitDATA=)
 * too small for horizon to start, refused before it hangs.
 *
 * OpenBLAS reserves a buffer of about 128 MiB for each of its threads
 * (the CPUs online, or OMP_NUM_THREADS when lower) while the program is
 * loaded, before main, and retries a reservation that fails forever
 * (measured with Debian's 0.3.21 openmp build: `ulimit -d 200000` on two
 * CPUs spun for minutes, even for `horizon --version`).  This check runs
 * from the executable's .preinit_array, which the dynamic loader calls
 * before any library's constructor: it reserves (without touching) what
 * OpenBLAS will reserve, and when that fails it says so and exits 2 (a
 * setting that cannot work, as a bad store spec) instead.  Only the executable has it: programs that link
 * libhorizon are not changed. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

/* What OpenBLAS reserves per thread at load, with some slack (the 0.3.21
 * build: one mapping of 128 MiB + 8 KiB per thread, started at a soft
 * limit of 129.3 MiB with one thread, 258.4 MiB with two). */
#define BLAS_PER_THREAD ((size_t)129 << 20)
#define EXIT_CONFIG 2 /* as a setting that cannot work: fix, not retry */

/* OMP_NUM_THREADS's first number in envp, 0 when unset or not one. */
static long omp_threads(char **envp)
{
    for (char **e = envp; e != NULL && *e != NULL; e++) {
        if (strncmp(*e, "OMP_NUM_THREADS=", 16) != 0)
            continue;
        char *end = NULL;
        long n = strtol(*e + 16, &end, 10);
        return end != *e + 16 && n > 0 ? n : 0;
    }
    return 0;
}

static void check_data_limit(int argc, char **argv, char **envp)
{
    (void)argc;
    (void)argv;
    struct rlimit rl;
    if (getrlimit(RLIMIT_DATA, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
        return;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN), omp = omp_threads(envp);
    long threads = cpus > 0 ? cpus : 1;
    if (omp > 0 && omp < threads)
        threads = omp;
    size_t need = (size_t)threads * BLAS_PER_THREAD;
    /* a limit far above the need is not the problem (and a reservation
     * refused for another reason, a strict overcommit policy, must not be
     * blamed on it) */
    if ((unsigned long long)rl.rlim_cur >=
        (unsigned long long)need + (1ULL << 30))
        return;
    void *p = mmap(NULL, need, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p != MAP_FAILED) {
        munmap(p, need);
        return;
    }
    char msg[700];
    int n = snprintf(
        msg, sizeof msg,
        "horizon: the data segment limit (RLIMIT_DATA: ulimit -d, systemd's "
        "LimitDATA=) of %llu MiB is too small to start: the BLAS library "
        "reserves about %zu MiB for each of its %ld thread(s) as the "
        "program loads; raise it above %zu MiB (plus what the data needs)%s\n",
        (unsigned long long)(rl.rlim_cur >> 20), BLAS_PER_THREAD >> 20,
        threads, need >> 20,
        threads > 1 ? ", or set OMP_NUM_THREADS=1 (one BLAS thread)" : "");
    if (n > 0) {
        ssize_t w = write(STDERR_FILENO, msg, strlen(msg));
        (void)w;
    }
    _exit(EXIT_CONFIG);
}

__attribute__((section(".preinit_array"), used)) static void (
    *const hz_data_limit_check)(int, char **, char **) = check_data_limit;
