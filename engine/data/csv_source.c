/* CSV input bytes from memory or from a file.  See csv_source.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data/csv_source.h"
#include "core/mem.h"

int hz__srcbuf_reserve(hz__srcbuf *buf, size_t n, size_t keep)
{
    if (buf->cap >= n)
        return 0;
    size_t cap = buf->cap ? buf->cap : 64;
    while (cap < n)
        cap *= 2;
    char *p = hz__alloc_large(cap);
    if (p == NULL)
        return -1;
    if (keep > 0)
        memcpy(p, buf->p, keep);
    free(buf->p);
    buf->p = p;
    buf->cap = cap;
    return 0;
}

void hz__srcbuf_free(hz__srcbuf *buf)
{
    free(buf->p);
    buf->p = NULL;
    buf->cap = 0;
}

hz__src hz__src_sub(const hz__src *s, size_t off, size_t n)
{
    hz__src r = *s;
    if (off > s->len)
        off = s->len;
    if (n > s->len - off)
        n = s->len - off;
    if (r.mem != NULL)
        r.mem += off;
    r.base += off;
    r.len = n;
    return r;
}

const char *hz__src_view(const hz__src *s, size_t off, size_t n,
                         hz__srcbuf *buf, size_t *got)
{
    if (off > s->len)
        off = s->len;
    if (n > s->len - off)
        n = s->len - off;
    *got = n;
    if (s->mem != NULL)
        return s->mem + off;
    if (hz__srcbuf_reserve(buf, n ? n : 1, 0) != 0) {
        errno = ENOMEM;
        return NULL;
    }
    size_t done = 0;
    while (done < n) {
        ssize_t r = pread(s->fd, buf->p + done, n - done,
                          (off_t)(s->base + off + done));
        if (r > 0) {
            done += (size_t)r;
        } else if (r == 0) {
            errno = EIO; /* the file got shorter while being read */
            return NULL;
        } else if (errno != EINTR) {
            return NULL;
        }
    }
    return buf->p;
}

size_t hz__src_row_end(const hz__src *s, size_t from, int parity,
                       hz__srcbuf *buf)
{
    for (size_t off = from; off < s->len;) {
        size_t n;
        const char *p = hz__src_view(s, off, hz__src_block(s), buf, &n);
        if (p == NULL)
            return (size_t)-1;
        for (size_t i = 0; i < n; i++) {
            if (p[i] == '"')
                parity ^= 1;
            else if (p[i] == '\n' && parity == 0)
                return off + i + 1;
        }
        off += n;
    }
    return s->len;
}
