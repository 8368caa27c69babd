/* Outputs whole or absent, and UTF-8: a committed file appears whole; an
 * aborted or failed one leaves the old file as it was and no temporary
 * file; a full device and a size limit are errors that say why; invalid
 * UTF-8 is detected exactly and replaced in JSON strings. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/textout.h"
#include "horizon/outfile.h"
#include "hz_test.h"

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* umask() calls from the library (this definition takes the place of
 * libc's): setting the umask, even for a moment, changes the mode of the
 * files every other thread of the process creates meanwhile. */
static int umask_calls;
mode_t umask(mode_t m)
{
    umask_calls++;
    return (mode_t)syscall(SYS_umask, m);
}

/* Files in dir whose name starts with a dot (our temporaries). */
static int hidden_files(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += e->d_name[0] == '.' && strcmp(e->d_name, ".") &&
             strcmp(e->d_name, "..");
    if (d)
        closedir(d);
    return n;
}

HZ_TEST(commit_renames_whole_and_abort_keeps_the_old_file)
{
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s/out1", hz_test_tmpdir());
    mkdir(dir, 0755);
    snprintf(path, sizeof path, "%s/r.csv", dir);
    FILE *f = fopen(path, "w");
    fputs("old\n", f);
    fclose(f);
    hz_outfile *o;
    hz_error err;
    HZ_CHECK(hz_outfile_open(path, &o, &err) == HZ_OK);
    fputs("new, half written", hz_outfile_stream(o));
    HZ_CHECK_STR(slurp(path), "old\n"); /* not yet */
    HZ_CHECK(hidden_files(dir) == 1);
    hz_outfile_abort(o);
    HZ_CHECK_STR(slurp(path), "old\n");
    HZ_CHECK(hidden_files(dir) == 0);
    HZ_CHECK(hz_outfile_open(path, &o, &err) == HZ_OK);
    fputs("new\n", hz_outfile_stream(o));
    HZ_CHECK_STR(hz_outfile_name(o), path);
    HZ_CHECK(hz_outfile_commit(o, &err) == HZ_OK);
    HZ_CHECK_STR(slurp(path), "new\n");
    HZ_CHECK(hidden_files(dir) == 0);
    /* the old file's permissions are kept */
    chmod(path, 0640);
    HZ_CHECK(hz_outfile_open(path, &o, &err) == HZ_OK);
    fputs("newer\n", hz_outfile_stream(o));
    HZ_CHECK(hz_outfile_commit(o, &err) == HZ_OK);
    struct stat sb;
    HZ_CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0640);
}

HZ_TEST(a_full_device_and_a_missing_directory_are_errors)
{
    hz_outfile *o;
    hz_error err;
    HZ_CHECK(hz_outfile_open("/dev/full", &o, &err) == HZ_OK);
    for (int i = 0; i < 10000; i++)
        fputs("0123456789", hz_outfile_stream(o));
    HZ_CHECK(hz_outfile_commit(o, &err) == HZ_EIO);
    HZ_CHECK_CONTAINS(err.msg, "could not write /dev/full: No space left");
    /* a small output that stays in the buffer until the end, too */
    HZ_CHECK(hz_outfile_open("/dev/full", &o, &err) == HZ_OK);
    fputs("x\n", hz_outfile_stream(o));
    HZ_CHECK(hz_outfile_commit(o, &err) == HZ_EIO);
    char path[4200];
    snprintf(path, sizeof path, "%s/no/such/dir/x.csv", hz_test_tmpdir());
    HZ_CHECK(hz_outfile_open(path, &o, &err) == HZ_EIO);
    HZ_CHECK_CONTAINS(err.msg, "cannot create a file in");
    HZ_CHECK(hz_outfile_open(hz_test_tmpdir(), &o, &err) == HZ_EIO);
    HZ_CHECK_CONTAINS(err.msg, "is a directory");
}

HZ_TEST(a_size_limit_leaves_the_old_file)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/limited.csv", hz_test_tmpdir());
    FILE *f = fopen(path, "w");
    fputs("old\n", f);
    fclose(f);
    pid_t pid = fork();
    if (pid == 0) { /* a child: the limit must not reach the runner */
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = {4096, 4096};
        setrlimit(RLIMIT_FSIZE, &rl);
        hz_outfile *o;
        hz_error err;
        if (hz_outfile_open(path, &o, &err) != HZ_OK)
            _exit(2);
        for (int i = 0; i < 100000; i++)
            fputs("0123456789", hz_outfile_stream(o));
        _exit(hz_outfile_commit(o, &err) == HZ_EIO &&
                      strstr(err.msg, "File too large") != NULL
                  ? 0
                  : 1);
    }
    int status;
    HZ_CHECK(waitpid(pid, &status, 0) == pid);
    HZ_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    HZ_CHECK_STR(slurp(path), "old\n");
}

HZ_TEST(utf8_validation_is_exact)
{
    static const struct {
        const char *s;
        bool ok;
    } t[] = {{"plain ascii", true},
             {"caf\xc3\xa9", true},
             {"\xe2\x82\xac 10", true},  /* euro sign */
             {"\xf0\x9f\x98\x80", true}, /* emoji */
             {"\xef\xbb\xbf", true},     /* BOM */
             {"\xff", false},
             {"\xc3", false},             /* truncated */
             {"\xc0\xaf", false},         /* overlong '/' */
             {"\xe0\x80\xaf", false},     /* overlong */
             {"\xed\xa0\x80", false},     /* surrogate */
             {"\xf4\x90\x80\x80", false}, /* above U+10FFFF */
             {"\xf5\x80\x80\x80", false},
             {"abcdefgh\x80", false}, /* after the fast path */
             {"\x80"
              "abcdefghijklmnop",
              false}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        HZ_CHECK_MSG(hz_utf8_valid(t[i].s, strlen(t[i].s)) == t[i].ok,
                     "case %zu", i);
    size_t bad = 0;
    char *s = hz_utf8_sanitize("a\xffz\xc3\xa9\xc3", &bad);
    HZ_CHECK(s != NULL && bad == 2);
    HZ_CHECK_STR(s, "a\xef\xbf\xbdz\xc3\xa9\xef\xbf\xbd");
    HZ_CHECK(hz_utf8_valid(s, strlen(s)));
    free(s);
}

HZ_TEST(utf8_cut_keeps_whole_characters)
{
    /* "e" with acute is two bytes, the euro sign three, an emoji four */
    HZ_CHECK(hz_utf8_cut("abc", 5) == 3);
    HZ_CHECK(hz_utf8_cut("abc", 3) == 3);
    HZ_CHECK(hz_utf8_cut("abc", 2) == 2);
    HZ_CHECK(hz_utf8_cut("caf\xc3\xa9", 4) == 3);
    HZ_CHECK(hz_utf8_cut("caf\xc3\xa9", 5) == 5);
    HZ_CHECK(hz_utf8_cut("\xe2\x82\xac\xe2\x82\xac", 5) == 3);
    HZ_CHECK(hz_utf8_cut("\xf0\x9f\x98\x80x", 3) == 0);
    HZ_CHECK(hz_utf8_cut("\xf0\x9f\x98\x80x", 4) == 4);
    HZ_CHECK(hz_utf8_cut("", 0) == 0);
    /* a long multi-byte name cut at every size stays valid UTF-8 */
    char name[601];
    for (size_t i = 0; i < 200; i++)
        memcpy(name + 3 * i, "\xe2\x82\xac", 3);
    name[600] = '\0';
    for (size_t max = 0; max <= 601; max++) {
        size_t n = hz_utf8_cut(name, max);
        HZ_CHECK_MSG(n <= max && n + 2 >= (max < 600 ? max : 600) &&
                         hz_utf8_valid(name, n),
                     "max %zu: %zu", max, n);
    }
}

HZ_TEST(text_visible_shows_what_would_act)
{
    char out[128];
    /* NOLINTNEXTLINE(misc-misleading-bidirectional) */
    HZ_CHECK_STR(hz_text_visible("a\xe2\x80\xae"
                                 "b\xe2\x81\xa6"
                                 "c",
                                 out, sizeof out, false),
                 "a[U+202E]b[U+2066]c");
    HZ_CHECK_STR(hz_text_visible("x\x1b[2J\x7f\ty\nz", out, sizeof out, false),
                 "x^[[2J^?\ty^Jz");
    HZ_CHECK_STR(hz_text_visible("y\nz", out, sizeof out, true), "y\nz");
    HZ_CHECK_STR(hz_text_visible("\xc2\x9b"
                                 "31m \xff \xc3\xa9 \xd7\x90",
                                 out, sizeof out, false),
                 "[U+009B]31m \xef\xbf\xbd \xc3\xa9 \xd7\x90");
    /* NOLINTNEXTLINE(misc-misleading-bidirectional) */
    HZ_CHECK(hz_utf8_hidden("\xe2\x80\xae", 3) == 0x202E);
    /* NOLINTNEXTLINE(misc-misleading-bidirectional) */
    HZ_CHECK(hz_utf8_hidden("\xe2\x80\xae", 2) == 0);
    HZ_CHECK(hz_utf8_hidden("\xe2\x80\xa9", 3) == 0); /* paragraph sep */
    /* cut between characters, always terminated */
    /* NOLINTNEXTLINE(misc-misleading-bidirectional) */
    HZ_CHECK_STR(hz_text_visible("ab\xe2\x80\xae", out, 8, false), "ab");
    HZ_CHECK_STR(hz_text_visible("a\xc3\xa9", out, 3, false), "a");
    /* 4 * strlen + 1 holds any text */
    const char *worst = "\xc2\x85\xc2\x85";
    HZ_CHECK_STR(hz_text_visible(worst, out, 4 * strlen(worst) + 1, false),
                 "[U+0085][U+0085]");
}

HZ_TEST(json_strings_are_always_valid_utf8)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/j.json", hz_test_tmpdir());
    FILE *f = fopen(path, "w");
    hz__json_str(f, "a\"b\\c\n\x01 caf\xc3\xa9 \xff\xfe end");
    fclose(f);
    const char *got = slurp(path);
    HZ_CHECK_STR(got, "\"a\\\"b\\\\c\\n\\u0001 caf\xc3\xa9 \xef\xbf\xbd"
                      "\xef\xbf\xbd end\"");
    HZ_CHECK(hz_utf8_valid(got, strlen(got)));
}

HZ_TEST(a_new_file_takes_the_umask_without_setting_it)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/umask.csv", hz_test_tmpdir());
    unlink(path);
    mode_t old = (mode_t)syscall(SYS_umask, 027);
    umask_calls = 0;
    hz_outfile *o;
    hz_error err;
    HZ_CHECK(hz_outfile_open(path, &o, &err) == HZ_OK);
    fputs("x\n", hz_outfile_stream(o));
    HZ_CHECK(hz_outfile_commit(o, &err) == HZ_OK);
    struct stat sb;
    HZ_CHECK(stat(path, &sb) == 0);
    HZ_CHECK((sb.st_mode & 0777) == 0640); /* 0666 less the umask 027 */
    HZ_CHECK(umask_calls == 0);
    syscall(SYS_umask, old);
}
