/* The default thread count: the CPU budget from the affinity mask and the
 * cgroup v1/v2 CPU quota (fake cgroup trees), the OpenMP setting wins
 * when the user gave one, and the environment defaults for the OpenMP
 * runtime. */
#include <omp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/threads_internal.h"
#include "horizon/threads.h"
#include "hz_test.h"

static void put(const char *root, const char *rel, const char *text)
{
    char path[1024], dir[1024];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    snprintf(dir, sizeof dir, "%s", path);
    for (char *p = dir + strlen(root) + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(dir, 0755);
            *p = '/';
        }
    FILE *f = fopen(path, "w");
    if (f != NULL) {
        fputs(text, f);
        fclose(f);
    }
}

HZ_TEST(cgroup_v2_quota_smallest_on_the_path)
{
    char root[512];
    snprintf(root, sizeof root, "%s/cg2", hz_test_tmpdir());
    mkdir(root, 0755);
    put(root, "cpu.max", "max 100000\n");
    put(root, "kubepods/cpu.max", "300000 100000\n");
    put(root, "kubepods/pod1/cpu.max", "150000 100000\n");
    put(root, "kubepods/pod1/c1/cpu.max", "max 100000\n");
    HZ_CHECK_NEAR(hz__cgroup_cpu_quota("0::/kubepods/pod1/c1\n", root), 1.5,
                  1e-12);
    HZ_CHECK_NEAR(hz__cgroup_cpu_quota("0::/kubepods\n", root), 3, 1e-12);
    HZ_CHECK(hz__cgroup_cpu_quota("0::/\n", root) == 0); /* no quota */
    HZ_CHECK(hz__cgroup_cpu_quota("0::/elsewhere\n", root) == 0);
}

HZ_TEST(cgroup_v1_quota)
{
    char root[512];
    snprintf(root, sizeof root, "%s/cg1", hz_test_tmpdir());
    mkdir(root, 0755);
    put(root, "cpu,cpuacct/docker/abc/cpu.cfs_quota_us", "50000\n");
    put(root, "cpu,cpuacct/docker/abc/cpu.cfs_period_us", "100000\n");
    put(root, "cpu,cpuacct/docker/cpu.cfs_quota_us", "-1\n");
    put(root, "cpu,cpuacct/docker/cpu.cfs_period_us", "100000\n");
    const char *text = "12:memory:/docker/abc\n"
                       "4:cpu,cpuacct:/docker/abc\n"
                       "1:name=systemd:/docker/abc\n";
    HZ_CHECK_NEAR(hz__cgroup_cpu_quota(text, root), 0.5, 1e-12);
    HZ_CHECK(hz__cgroup_cpu_quota("4:cpu,cpuacct:/docker\n", root) == 0);
    HZ_CHECK(hz__cgroup_cpu_quota("4:cpuset:/docker/abc\n", root) == 0);
}

HZ_TEST(budget_and_default_threads)
{
    cpu_set_t set;
    HZ_CHECK(sched_getaffinity(0, sizeof set, &set) == 0);
    int b = hz_cpu_budget();
    HZ_CHECK(b >= 1 && b <= CPU_COUNT(&set));
    int d = hz_default_threads();
    HZ_CHECK(d >= 1);
    if (getenv("OMP_NUM_THREADS") == NULL)
        HZ_CHECK(d <= b);
    else
        HZ_CHECK(d == omp_get_max_threads());
}

HZ_TEST(env_defaults_respect_the_users_choice)
{
    setenv("OMP_WAIT_POLICY", "active", 1);
    setenv("OMP_NUM_THREADS", "3", 1);
    HZ_CHECK(!hz_threads_env_defaults());
    HZ_CHECK_STR(getenv("OMP_WAIT_POLICY"), "active");
    unsetenv("OMP_WAIT_POLICY");
    setenv("GOMP_SPINCOUNT", "1000", 1);
    HZ_CHECK(!hz_threads_env_defaults());
    HZ_CHECK(getenv("OMP_WAIT_POLICY") == NULL);
    unsetenv("GOMP_SPINCOUNT");
    unsetenv("OMP_NUM_THREADS");
    HZ_CHECK(hz_threads_env_defaults());
    HZ_CHECK_STR(getenv("OMP_WAIT_POLICY"), "passive");
    char want[16];
    snprintf(want, sizeof want, "%d", hz_cpu_budget());
    HZ_CHECK_STR(getenv("OMP_NUM_THREADS"), want);
}
