/* Runner for tests written with hz_test.h.
 *
 *   ./test_csv                 every test, TAP: "1..N", "ok 1 - name", ...
 *   ./test_csv NAME [NAME...]  only the named tests (HZ_TEST=NAME[,NAME]
 *                              does the same); an unknown name is an error
 *   ./test_csv --list          the test names, one a line
 *
 * Exit status: 0 all passed (or skipped), 1 a test failed, 2 usage error
 * (unknown test name) or more tests registered than the table holds.
 *
 * Data: the repository's data/ directory is $HZ_DATA_DIR when set, else
 * found by walking up from the executable's directory, then from the
 * current directory, to the first directory holding data/sample_sales.csv;
 * the shared data is $HZ_SHARED_DATA, else ../shared/data beside that
 * repository (as CMake's default). */
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hz_test.h"

#define HZ_MAX_TESTS 512

static struct {
    const char *name;
    hz_test_fn fn;
} tests[HZ_MAX_TESTS];
static int ntests;
static int overflow; /* tests that did not fit in the table */
static const char *first_lost;
static int cur_failed, cur_skipped;

void hz_test_register(const char *name, hz_test_fn fn)
{
    if (ntests < HZ_MAX_TESTS) {
        tests[ntests].name = name;
        tests[ntests].fn = fn;
        ntests++;
    } else {
        if (overflow++ == 0)
            first_lost = name;
    }
}

void hz_test_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "  %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    cur_failed = 1;
}

void hz_test_skip(const char *why)
{
    printf("  skip: %s\n", why);
    cur_skipped = 1;
}

const char *hz_test_tmpdir(void)
{
    static char dir[4096];
    if (dir[0] == '\0') {
        const char *base = getenv("HZ_TEST_TMP");
        if (base == NULL)
            base = "/tmp";
        mkdir(base, 0755);
        snprintf(dir, sizeof dir, "%s/unit-%ld", base, (long)getpid());
        mkdir(dir, 0755);
    }
    return dir;
}

/* True when dir/data/sample_sales.csv exists. */
static bool is_repo_root(const char *dir)
{
    char p[PATH_MAX + 32];
    snprintf(p, sizeof p, "%s/data/sample_sales.csv", dir);
    return access(p, R_OK) == 0;
}

/* Walk up from dir (changed in place) to a repository root; false when
 * there is none. */
static bool walk_up_to_root(char *dir)
{
    for (;;) {
        if (is_repo_root(dir))
            return true;
        char *slash = strrchr(dir, '/');
        if (slash == NULL || slash == dir)
            return false;
        *slash = '\0';
    }
}

const char *hz_test_root(void)
{
    static char root[PATH_MAX];
    if (root[0] != '\0')
        return root;
    const char *d = getenv("HZ_DATA_DIR");
    if (d != NULL) {
        snprintf(root, sizeof root, "%s/..", d);
        return root;
    }
    char dir[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 1);
    if (n > 0) {
        dir[n] = '\0';
        char *slash = strrchr(dir, '/');
        if (slash != NULL)
            *slash = '\0';
        if (walk_up_to_root(dir)) {
            snprintf(root, sizeof root, "%s", dir);
            return root;
        }
    }
    if (getcwd(dir, sizeof dir) != NULL && walk_up_to_root(dir)) {
        snprintf(root, sizeof root, "%s", dir);
        return root;
    }
    snprintf(root, sizeof root, "."); /* not found: relative paths */
    return root;
}

const char *hz_test_shared(const char *rel, char *buf, size_t bufsz)
{
    const char *base = getenv("HZ_SHARED_DATA");
    if (base != NULL)
        snprintf(buf, bufsz, "%s/%s", base, rel);
    else
        snprintf(buf, bufsz, "%s/../shared/data/%s", hz_test_root(), rel);
    return access(buf, R_OK) == 0 ? buf : NULL;
}

const char *hz_test_data(const char *rel, char *buf, size_t bufsz)
{
    const char *base = getenv("HZ_DATA_DIR");
    if (base != NULL)
        snprintf(buf, bufsz, "%s/%s", base, rel);
    else
        snprintf(buf, bufsz, "%s/data/%s", hz_test_root(), rel);
    return buf;
}

const char *hz_test_write_file(const char *name, const void *data, size_t len)
{
    static char path[8192];
    snprintf(path, sizeof path, "%s/%s", hz_test_tmpdir(), name);
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return NULL;
    if (len > 0)
        fwrite(data, 1, len, f);
    fclose(f);
    return path;
}

static int find_test(const char *name, size_t len)
{
    for (int i = 0; i < ntests; i++)
        if (strlen(tests[i].name) == len &&
            strncmp(tests[i].name, name, len) == 0)
            return i;
    return -1;
}

/* Mark the tests named in list (separated by sep) in sel; false, with a
 * message, on an unknown name. */
static bool select_names(const char *list, char sep, bool *sel)
{
    const char *p = list;
    while (*p != '\0') {
        const char *end = strchr(p, sep);
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > 0) {
            int k = find_test(p, len);
            if (k < 0) {
                fprintf(stderr, "no test named '%.*s' (--list lists them)\n",
                        (int)len, p);
                return false;
            }
            sel[k] = true;
        }
        p += len;
        if (*p != '\0')
            p++; /* the separator */
    }
    return true;
}

int hz_test_main(int argc, char **argv)
{
    if (overflow > 0) {
        fprintf(stderr,
                "hz_test: %d tests registered, the table holds %d: "
                "%d not run (the first: %s); raise HZ_MAX_TESTS in "
                "tests/support/hz_test.c or split the file\n",
                ntests + overflow, HZ_MAX_TESTS, overflow, first_lost);
        return 2;
    }
    bool sel[HZ_MAX_TESTS] = {false};
    bool some = false;
    for (int a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--list") == 0) {
            for (int i = 0; i < ntests; i++)
                printf("%s\n", tests[i].name);
            return 0;
        }
        if (!select_names(argv[a], '\0', sel))
            return 2;
        some = true;
    }
    const char *env = getenv("HZ_TEST");
    if (!some && env != NULL && env[0] != '\0') {
        if (!select_names(env, ',', sel))
            return 2;
        some = true;
    }
    int planned = 0;
    for (int i = 0; i < ntests; i++)
        if (!some || sel[i])
            planned++;
    printf("1..%d\n", planned);
    int passed = 0, failed = 0, skipped = 0, num = 0;
    for (int i = 0; i < ntests; i++) {
        if (some && !sel[i])
            continue;
        num++;
        cur_failed = cur_skipped = 0;
        fflush(stdout);
        tests[i].fn();
        if (cur_failed) {
            failed++;
            printf("not ok %d - %s\n", num, tests[i].name);
        } else if (cur_skipped) {
            skipped++;
            printf("ok %d - %s # skip\n", num, tests[i].name);
        } else {
            passed++;
            printf("ok %d - %s\n", num, tests[i].name);
        }
    }
    printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
    return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
    return hz_test_main(argc, argv);
}
