/* A tiny unit-test runner (in the spirit of redis testhelp.h).
 *
 *   HZ_TEST(parses_quotes) { HZ_CHECK(x == 1); HZ_CHECK_NEAR(a, b, 1e-9); }
 *   (main() is provided by hz_test.c)
 *
 * Tests register themselves; the runner prints TAP ("1..N", then "ok K -
 * name" or "not ok K - name") and a closing "N passed, N failed, N
 * skipped" line, and exits 1 on any failure.  `./test_x NAME` or
 * HZ_TEST=NAME[,NAME] runs only the named tests; `--list` lists them.
 * More tests than the runner's table holds is an error (exit 2).  The
 * data directories are found without environment variables (hz_test.c). */
#ifndef HZ_TEST_H
#define HZ_TEST_H

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef void (*hz_test_fn)(void);
void hz_test_register(const char *name, hz_test_fn fn);
int hz_test_main(int argc, char **argv);
void hz_test_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Skip the current test with a reason (counted as skipped). */
void hz_test_skip(const char *why);
/* Path of a scratch directory for this test binary (created on demand). */
const char *hz_test_tmpdir(void);
/* Path under the shared data ($HZ_SHARED_DATA, else ../shared/data beside
 * the repository), or NULL when that data is absent. */
const char *hz_test_shared(const char *rel, char *buf, size_t bufsz);
/* The repository's root directory ($HZ_DATA_DIR/.., else found from the
 * executable's or the current directory). */
const char *hz_test_root(void);
/* Path under the repository's data/ directory. */
const char *hz_test_data(const char *rel, char *buf, size_t bufsz);
/* Write len bytes to a temp file named name; returns its path (static). */
const char *hz_test_write_file(const char *name, const void *data, size_t len);

#define HZ_TEST(name)                                                         \
    static void hz_test_##name(void);                                         \
    __attribute__((constructor)) static void hz_test_reg_##name(void)         \
    {                                                                         \
        hz_test_register(#name, hz_test_##name);                              \
    }                                                                         \
    static void hz_test_##name(void)

#define HZ_CHECK(cond)                                                        \
    do {                                                                      \
        if (!(cond)) {                                                        \
            hz_test_fail(__FILE__, __LINE__, "check failed: %s", #cond);      \
            return;                                                           \
        }                                                                     \
    } while (0)

#define HZ_CHECK_MSG(cond, ...)                                               \
    do {                                                                      \
        if (!(cond)) {                                                        \
            hz_test_fail(__FILE__, __LINE__, __VA_ARGS__);                    \
            return;                                                           \
        }                                                                     \
    } while (0)

#define HZ_CHECK_NEAR(a, b, tol)                                              \
    do {                                                                      \
        double hz_a_ = (a), hz_b_ = (b);                                      \
        if (!(fabs(hz_a_ - hz_b_) <= (tol))) {                                \
            hz_test_fail(__FILE__, __LINE__,                                  \
                         "%s = %.12g, expected %.12g "                        \
                         "(tol %g)",                                          \
                         #a, hz_a_, hz_b_, (double)(tol));                    \
            return;                                                           \
        }                                                                     \
    } while (0)

#define HZ_CHECK_STR(a, b)                                                    \
    do {                                                                      \
        const char *hz_sa_ = (a), *hz_sb_ = (b);                              \
        if (hz_sa_ == NULL || hz_sb_ == NULL ||                               \
            strcmp(hz_sa_, hz_sb_) != 0) {                                    \
            hz_test_fail(__FILE__, __LINE__, "%s = '%s', expected '%s'", #a,  \
                         hz_sa_ ? hz_sa_ : "(null)",                          \
                         hz_sb_ ? hz_sb_ : "(null)");                         \
            return;                                                           \
        }                                                                     \
    } while (0)

/* Check that haystack contains needle. */
#define HZ_CHECK_CONTAINS(hay, needle)                                        \
    do {                                                                      \
        const char *hz_h_ = (hay), *hz_n_ = (needle);                         \
        if (hz_h_ == NULL || strstr(hz_h_, hz_n_) == NULL) {                  \
            hz_test_fail(__FILE__, __LINE__, "'%s' does not contain '%s'",    \
                         hz_h_ ? hz_h_ : "(null)", hz_n_);                    \
            return;                                                           \
        }                                                                     \
    } while (0)

#endif
