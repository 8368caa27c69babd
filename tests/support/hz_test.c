/* Runner for tests written with hz_test.h. */
#include <stdarg.h>
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
static int cur_failed, cur_skipped;

void hz_test_register(const char *name, hz_test_fn fn)
{
    if (ntests < HZ_MAX_TESTS) {
        tests[ntests].name = name;
        tests[ntests].fn = fn;
        ntests++;
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

const char *hz_test_shared(const char *rel, char *buf, size_t bufsz)
{
    const char *base = getenv("HZ_SHARED_DATA");
    if (base == NULL)
        return NULL;
    snprintf(buf, bufsz, "%s/%s", base, rel);
    return access(buf, R_OK) == 0 ? buf : NULL;
}

const char *hz_test_data(const char *rel, char *buf, size_t bufsz)
{
    const char *base = getenv("HZ_DATA_DIR");
    snprintf(buf, bufsz, "%s/%s", base ? base : "data", rel);
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

int hz_test_main(void)
{
    int passed = 0, failed = 0, skipped = 0;
    for (int i = 0; i < ntests; i++) {
        cur_failed = cur_skipped = 0;
        tests[i].fn();
        if (cur_failed) {
            failed++;
            printf("not ok %d - %s\n", i + 1, tests[i].name);
        } else if (cur_skipped) {
            skipped++;
            printf("ok %d - %s # skip\n", i + 1, tests[i].name);
        } else {
            passed++;
            printf("ok %d - %s\n", i + 1, tests[i].name);
        }
    }
    printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
    return failed ? 1 : 0;
}

int main(void)
{
    return hz_test_main();
}
