/* Whole-or-absent output files and UTF-8 checks (horizon/outfile.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "horizon/outfile.h"

struct hz_outfile {
    FILE *f;
    char *path; /* target; NULL for standard output */
    char *tmp;  /* temporary file renamed over path; NULL when direct */
    int err;    /* first errno seen */
};

/* Directory part of path ("." when none), malloc'd. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return strdup(".");
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    char *d = malloc(n + 1);
    if (d != NULL) {
        memcpy(d, path, n);
        d[n] = '\0';
    }
    return d;
}

/* The process's umask, read without changing it (Linux 4.7 and later
 * show it in /proc/self/status): setting it to read it would, for that
 * moment, let the files other threads create take any mode. */
static mode_t current_umask(void)
{
    FILE *f = fopen("/proc/self/status", "re"); /* close-on-exec */
    char line[256];
    while (f != NULL && fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, "Umask:", 6) != 0)
            continue;
        char *end;
        unsigned long m = strtoul(line + 6, &end, 8);
        if (end != line + 6 && (*end == '\n' || *end == '\0')) {
            fclose(f);
            return (mode_t)(m & 0777);
        }
    }
    if (f != NULL)
        fclose(f);
    mode_t m = umask(0); /* an older kernel: the only way there is */
    umask(m);
    return m;
}

/* Mode for the new file: the old file's, else 0666 less the umask. */
static mode_t new_mode(const struct stat *old, bool exists)
{
    if (exists)
        return old->st_mode & 07777;
    return 0666 & ~current_umask();
}

static hz_status open_temp(hz_outfile *o, const struct stat *old, bool exists,
                           hz_error *err)
{
    char *dir = dir_of(o->path);
    const char *base = strrchr(o->path, '/');
    base = base ? base + 1 : o->path;
    size_t n = (dir ? strlen(dir) : 0) + strlen(base) + 32;
    o->tmp = malloc(n);
    if (dir == NULL || o->tmp == NULL) {
        free(dir);
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    }
    snprintf(o->tmp, n, "%s/.%s.tmp-XXXXXX", dir, base);
    int fd = mkstemp(o->tmp);
    if (fd < 0) {
        hz_status st = hz_error_set(err, HZ_EIO,
                                    "could not write %s: cannot create a "
                                    "file in %s: %s",
                                    o->path, dir, strerror(errno));
        free(dir);
        free(o->tmp);
        o->tmp = NULL;
        return st;
    }
    free(dir);
    if (fchmod(fd, new_mode(old, exists)) != 0 ||
        (o->f = fdopen(fd, "w")) == NULL) {
        int e = errno;
        close(fd);
        unlink(o->tmp);
        return hz_error_set(err, HZ_EIO, "could not write %s: %s", o->path,
                            strerror(e));
    }
    return HZ_OK;
}

hz_status hz_outfile_open(const char *path, hz_outfile **out, hz_error *err)
{
    *out = NULL;
    hz_outfile *o = calloc(1, sizeof *o);
    if (o == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    if (path == NULL || strcmp(path, "-") == 0) {
        o->f = stdout;
        *out = o;
        return HZ_OK;
    }
    if ((o->path = strdup(path)) == NULL) {
        free(o);
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    }
    struct stat sb;
    bool exists = stat(path, &sb) == 0;
    hz_status st = HZ_OK;
    if (exists && S_ISDIR(sb.st_mode)) {
        st = hz_error_set(err, HZ_EIO, "could not write %s: is a directory",
                          path);
    } else if (exists && !S_ISREG(sb.st_mode)) {
        /* a device or a pipe: written in place, checked the same way */
        if ((o->f = fopen(path, "w")) == NULL)
            st = hz_error_set(err, HZ_EIO, "could not write %s: %s", path,
                              strerror(errno));
    } else {
        st = open_temp(o, &sb, exists, err);
    }
    if (st != HZ_OK) {
        free(o->tmp);
        free(o->path);
        free(o);
        return st;
    }
    *out = o;
    return HZ_OK;
}

FILE *hz_outfile_stream(hz_outfile *o)
{
    return o->f;
}

const char *hz_outfile_name(const hz_outfile *o)
{
    return o->path ? o->path : "standard output";
}

static void outfile_free(hz_outfile *o)
{
    free(o->path);
    free(o->tmp);
    free(o);
}

/* Flush and check the stream; errno of the failure, 0 when all went. */
static int finish_stream(hz_outfile *o)
{
    errno = 0;
    int e = 0;
    if (fflush(o->f) != 0)
        e = errno ? errno : EIO;
    else if (ferror(o->f))
        e = EIO; /* an earlier write failed */
    if (o->f == stdout)
        return e;
    if (e == 0 && fsync(fileno(o->f)) != 0 && errno != EINVAL &&
        errno != EROFS)
        e = errno; /* devices and pipes cannot sync: not an error */
    if (fclose(o->f) != 0 && e == 0)
        e = errno ? errno : EIO;
    o->f = NULL;
    return e;
}

hz_status hz_outfile_commit(hz_outfile *o, hz_error *err)
{
    int e = finish_stream(o);
    hz_status st = HZ_OK;
    if (e == 0 && o->tmp != NULL && rename(o->tmp, o->path) != 0)
        e = errno;
    if (e == 0 && o->tmp != NULL) {
        /* the rename itself reaches the disk with its directory */
        char *dir = dir_of(o->path);
        int dfd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
        free(dir);
    }
    if (e != 0) {
        if (o->tmp != NULL)
            unlink(o->tmp);
        st = hz_error_set(err, HZ_EIO, "could not write %s: %s",
                          hz_outfile_name(o), strerror(e));
    }
    outfile_free(o);
    return st;
}

void hz_outfile_abort(hz_outfile *o)
{
    if (o == NULL)
        return;
    if (o->f != NULL && o->f != stdout)
        fclose(o->f);
    else if (o->f == stdout)
        __fpurge(stdout); /* what is still buffered of a failed result is
                             dropped, not sent out cut short */
    if (o->tmp != NULL)
        unlink(o->tmp);
    outfile_free(o);
}

/* ---- UTF-8 ---- */

size_t hz_utf8_cut(const char *s, size_t max)
{
    size_t n = strnlen(s, max + 1);
    if (n <= max)
        return n;
    n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

size_t hz_utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF; /* range of the second byte */
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        lo = c == 0xE0 ? 0xA0 : 0x80; /* no overlong forms */
        hi = c == 0xED ? 0x9F : 0xBF; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        lo = c == 0xF0 ? 0x90 : 0x80;
        hi = c == 0xF4 ? 0x8F : 0xBF; /* nothing above U+10FFFF */
    } else
        return 0;
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t k = 2; k < len; k++)
        if ((s[k] & 0xC0) != 0x80)
            return 0;
    return len;
}

bool hz_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        if (i + 8 <= n) { /* eight ASCII bytes at a time */
            uint64_t w;
            memcpy(&w, p + i, 8);
            if ((w & 0x8080808080808080ULL) == 0) {
                i += 8;
                continue;
            }
        }
        size_t k = hz_utf8_seq(p + i, n - i);
        if (k == 0)
            return false;
        i += k;
    }
    return true;
}

char *hz_utf8_sanitize(const char *s, size_t *nbad)
{
    size_t n = strlen(s);
    char *out = malloc(3 * n + 1); /* each byte at most U+FFFD */
    if (out == NULL)
        return NULL;
    const unsigned char *p = (const unsigned char *)s;
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        size_t k = hz_utf8_seq(p + i, n - i);
        if (k == 0) {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
            if (nbad != NULL)
                (*nbad)++;
            continue;
        }
        memcpy(out + o, s + i, k);
        o += k;
        i += k;
    }
    out[o] = '\0';
    return out;
}
