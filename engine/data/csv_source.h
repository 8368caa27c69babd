/* Bytes of a CSV input, for the reader: either a buffer already in memory
 * (read without copying) or a file read piecewise with pread, so that a
 * file is never held in memory whole.  On a virtual machine fresh memory
 * is expensive (every page is zeroed and mapped on first touch); a few
 * reused blocks per thread are not, and the file's pages stay in the page
 * cache only. */
#ifndef HZ_ENGINE_CSV_SOURCE_H
#define HZ_ENGINE_CSV_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct hz__src {
    const char *mem; /* the whole input in memory, or NULL */
    int fd;          /* otherwise read from fd ... */
    uint64_t base;   /* ... where byte 0 is at this file offset */
    size_t len;      /* bytes */
    size_t block;    /* bytes per read (0 = HZ_SRC_BLOCK) */
} hz__src;

/* A reusable read buffer (one per thread). */
typedef struct hz__srcbuf {
    char *p;
    size_t cap;
} hz__srcbuf;

/* Bytes read per block when streaming, by default. */
#define HZ_SRC_BLOCK ((size_t)1 << 20)

static inline size_t hz__src_block(const hz__src *s)
{
    return s->block ? s->block : HZ_SRC_BLOCK;
}

/* Bytes [off, off + n) of s (n clipped at the end): a pointer into s->mem,
 * or into buf after reading them.  *got is the number of bytes available.
 * NULL on a read error (errno set; EIO when the file got shorter). */
const char *hz__src_view(const hz__src *s, size_t off, size_t n,
                         hz__srcbuf *buf, size_t *got);

/* Make buf hold at least n bytes, keeping its first keep bytes.  -1 on
 * ENOMEM. */
int hz__srcbuf_reserve(hz__srcbuf *buf, size_t n, size_t keep);

void hz__srcbuf_free(hz__srcbuf *buf);

/* The sub-range [off, off + n) of s as a source of its own. */
hz__src hz__src_sub(const hz__src *s, size_t off, size_t n);

/* Offset just past the first newline at or after from that lies outside
 * quotes, given the quote parity at from; s->len when there is none.
 * (size_t)-1 on a read error. */
size_t hz__src_row_end(const hz__src *s, size_t from, int parity,
                       hz__srcbuf *buf);

#endif
