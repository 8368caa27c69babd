/* Opening a CSV input for the reader: a regular file is read in place
 * (pread, in blocks); standard input ("-"), pipes and gzip data (known by
 * their magic bytes, whatever the name) are first streamed into an
 * unlinked temporary file in $TMPDIR (default /tmp), decompressed with
 * zlib on the way, so that the reader's two passes (count, then parse)
 * work on them as on a file and peak memory stays that of a file.  When
 * no temporary file can be made they are held in memory instead. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* O_TMPFILE */
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "data/csv_internal.h"

#define IN_BLOCK ((size_t)256 << 10)
#define OUT_BLOCK ((size_t)1 << 20)

/* Where streamed bytes go: a temporary file, or memory. */
typedef struct sink {
    int fd; /* -1: memory */
    char *mem;
    size_t len, cap;
    const char *dir;
} sink;

static void sink_open(sink *s)
{
    memset(s, 0, sizeof *s);
    s->dir = getenv("TMPDIR");
    if (s->dir == NULL || s->dir[0] == '\0')
        s->dir = "/tmp";
    s->fd = open(s->dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (s->fd >= 0)
        return;
    char path[4096];
    snprintf(path, sizeof path, "%s/horizon-input-XXXXXX", s->dir);
    s->fd = mkstemp(path);
    if (s->fd >= 0)
        unlink(path); /* gone when closed, whatever happens */
}

static hz_status sink_write(sink *s, const char *p, size_t n, const char *name,
                            hz_error *err)
{
    if (s->fd < 0) {
        if (s->len + n > s->cap) {
            size_t cap = s->cap ? s->cap : OUT_BLOCK;
            while (cap < s->len + n)
                cap *= 2;
            char *m = realloc(s->mem, cap);
            if (m == NULL)
                return hz_error_set(err, HZ_ENOMEM,
                                    "%s: out of memory holding the input",
                                    name);
            s->mem = m;
            s->cap = cap;
        }
        memcpy(s->mem + s->len, p, n);
        s->len += n;
        return HZ_OK;
    }
    for (size_t done = 0; done < n;) {
        ssize_t w = write(s->fd, p + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return hz_error_set(err, HZ_EIO,
                                "%s: could not copy the input to a temporary "
                                "file in %s: %s (set TMPDIR)",
                                name, s->dir,
                                strerror(w < 0 ? errno : ENOSPC));
        done += (size_t)w;
    }
    s->len += n;
    return HZ_OK;
}

static void sink_close(sink *s)
{
    /* its room freed now, also where it could not be unlinked (a process
     * that may not unlink: it stays, empty, until its directory goes) */
    if (s->fd >= 0 && ftruncate(s->fd, 0) != 0) {
        /* closing it frees it where it was unlinked */
    }
    if (s->fd >= 0)
        close(s->fd);
    free(s->mem);
    s->fd = -1;
    s->mem = NULL;
}

/* read() that retries on EINTR; -1 with errno on error. */
static ssize_t read_some(int fd, char *buf, size_t n)
{
    for (;;) {
        ssize_t r = read(fd, buf, n);
        if (r >= 0 || errno != EINTR)
            return r;
    }
}

static bool gzip_magic(const unsigned char *p, size_t n)
{
    return n >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

/* Inflate gzip members from fd (the first `have` bytes already in in)
 * into s.  Concatenated members are one stream (as gzip -d does). */
static hz_status inflate_into(int fd, unsigned char *in, size_t have, sink *s,
                              unsigned long long max, const char *name,
                              hz_error *err)
{
    unsigned char *out = malloc(OUT_BLOCK);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (out == NULL || inflateInit2(&zs, 15 + 16) != Z_OK) {
        free(out);
        return hz_error_set(err, HZ_ENOMEM, "%s: out of memory", name);
    }
    hz_status st = HZ_OK;
    bool eof = false, ended = false;
    zs.next_in = in;
    zs.avail_in = (uInt)have;
    while (st == HZ_OK) {
        if (zs.avail_in == 0 && !eof) {
            ssize_t r = read_some(fd, (char *)in, IN_BLOCK);
            if (r < 0) {
                st = hz_error_set(err, HZ_EIO, "%s: could not read: %s", name,
                                  strerror(errno));
                break;
            }
            eof = r == 0;
            zs.next_in = in;
            zs.avail_in = (uInt)r;
        }
        if (zs.avail_in == 0 && eof) {
            if (!ended)
                st = hz_error_set(err, HZ_EPARSE,
                                  "%s: truncated gzip data (the compressed "
                                  "stream ends early)",
                                  name);
            break;
        }
        if (ended) { /* another member follows, or trailing garbage */
            if (!gzip_magic(zs.next_in, zs.avail_in) && zs.avail_in >= 2) {
                st = hz_error_set(err, HZ_EPARSE,
                                  "%s: unexpected bytes after the gzip data",
                                  name);
                break;
            }
            inflateReset(&zs); /* ended is set again below */
        }
        zs.next_out = out;
        zs.avail_out = (uInt)OUT_BLOCK;
        int z = inflate(&zs, Z_NO_FLUSH);
        if (z != Z_OK && z != Z_STREAM_END && z != Z_BUF_ERROR) {
            st = hz_error_set(err, HZ_EPARSE, "%s: corrupt gzip data (%s)",
                              name, zs.msg ? zs.msg : zError(z));
            break;
        }
        ended = z == Z_STREAM_END;
        size_t got = OUT_BLOCK - zs.avail_out;
        if (max > 0 && s->len + got > max) {
            st = hz_error_set(err, HZ_EIO,
                              "%s: gzip data inflating to more than %llu "
                              "bytes (the limit on decompressed data)",
                              name, max);
            break;
        }
        st = sink_write(s, (const char *)out, got, name, err);
    }
    inflateEnd(&zs);
    free(out);
    return st;
}

/* Stream all of fd into s, inflating gzip data (at most max bytes of
 * it; 0 = no limit). */
static hz_status stream_into(int fd, sink *s, unsigned long long max,
                             const char *name, hz_error *err)
{
    unsigned char *in = malloc(IN_BLOCK);
    if (in == NULL)
        return hz_error_set(err, HZ_ENOMEM, "%s: out of memory", name);
    size_t have = 0;
    hz_status st = HZ_OK;
    while (have < 2) { /* enough to see the magic bytes */
        ssize_t r = read_some(fd, (char *)in + have, IN_BLOCK - have);
        if (r < 0) {
            st = hz_error_set(err, HZ_EIO, "%s: could not read: %s", name,
                              strerror(errno));
            goto out;
        }
        if (r == 0)
            break;
        have += (size_t)r;
    }
    if (gzip_magic(in, have)) {
        st = inflate_into(fd, in, have, s, max, name, err);
        goto out;
    }
    for (;;) {
        if (have > 0 &&
            (st = sink_write(s, (const char *)in, have, name, err)) != HZ_OK)
            break;
        ssize_t r = read_some(fd, (char *)in, IN_BLOCK);
        if (r < 0) {
            st = hz_error_set(err, HZ_EIO, "%s: could not read: %s", name,
                              strerror(errno));
            break;
        }
        if (r == 0)
            break;
        have = (size_t)r;
    }
out:
    free(in);
    return st;
}

/* Opened input: fd and its kind. */
static hz_status open_input(const char *path, const char *name, int *fd,
                            struct stat *sb, hz_error *err)
{
    *fd = strcmp(path, "-") == 0 ? dup(STDIN_FILENO)
                                 : open(path, O_RDONLY | O_CLOEXEC);
    if (*fd < 0)
        return hz_error_set(err, HZ_EIO, "%s: could not open file: %s", name,
                            strerror(errno));
    if (fstat(*fd, sb) != 0) {
        int e = errno;
        close(*fd);
        return hz_error_set(err, HZ_EIO, "%s: could not stat file: %s", name,
                            strerror(e));
    }
    if (S_ISDIR(sb->st_mode)) {
        close(*fd);
        return hz_error_set(err, HZ_EIO, "%s: is a directory, not a CSV file",
                            name);
    }
    return HZ_OK;
}

hz_status hz_csv_read(const char *path, const hz_csv_options *opt,
                      hz_dataset **out, hz_csv_report *report, hz_error *err)
{
    *out = NULL;
    const char *name = strcmp(path, "-") == 0 ? "stdin" : path;
    int fd;
    struct stat sb;
    hz_status st = open_input(path, name, &fd, &sb, err);
    if (st != HZ_OK)
        return st;
    unsigned char magic[2];
    if (S_ISREG(sb.st_mode) && sb.st_size > 0 && strcmp(path, "-") != 0 &&
        !(pread(fd, magic, 2, 0) == 2 && gzip_magic(magic, 2))) {
        /* A plain file: read in blocks as it is parsed, never whole. */
        hz__src src = {NULL, fd, 0, (size_t)sb.st_size,
                       opt ? opt->block_bytes : 0};
        st = hz__csv_read_source(&src, name, opt, out, report, err);
        close(fd);
        return st;
    }
    sink s;
    sink_open(&s);
    st = stream_into(fd, &s, opt ? opt->max_inflated_bytes : 0, name, err);
    close(fd);
    if (st == HZ_OK) {
        hz__src src = {s.fd < 0 ? (s.mem ? s.mem : "") : NULL, s.fd, 0, s.len,
                       opt ? opt->block_bytes : 0};
        st = hz__csv_read_source(&src, name, opt, out, report, err);
    }
    sink_close(&s);
    return st;
}
