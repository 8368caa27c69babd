/* The first read of a CSV body: newlines, quotes, NULs and bare CRs.
 * See csv_internal.h. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "data/csv_internal.h"

static void count_rare(const char *s, size_t i, unsigned mq, unsigned mz,
                       unsigned mr, const char *end, bytecount *bc)
{
    for (; mq; mq &= mq - 1)
        bc->nq++;
    for (; mz; mz &= mz - 1)
        bc->nz++;
    for (; mr; mr &= mr - 1) {
        const char *cr = s + i + (unsigned)__builtin_ctz(mr);
        bc->ncr += cr + 1 == end || cr[1] != '\n';
    }
}

/* Count s[0..n) in one pass; end is where the buffer ends (for the byte
 * after a CR). */
bytecount hz__csv_count_bytes(const char *s, size_t n, const char *end)
{
    bytecount bc = {0, 0, 0, 0};
    size_t i = 0;
#ifdef __SSE2__
    /* Newlines are counted in byte lanes (a matching lane subtracts -1)
     * and folded with SAD every 255 blocks; quotes, NULs and CRs are rare
     * and only looked at when present. */
    const __m128i vnl = _mm_set1_epi8('\n'), vq = _mm_set1_epi8('"'),
                  vr = _mm_set1_epi8('\r'), vz = _mm_setzero_si128();
    while (i + 16 <= n) {
        __m128i acc = _mm_setzero_si128();
        size_t stop = i + 255 * 16;
        if (stop > n - n % 16)
            stop = n - n % 16;
        for (; i + 16 <= stop; i += 16) {
            __m128i x = _mm_loadu_si128((const __m128i *)(s + i));
            acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(x, vnl));
            __m128i q = _mm_cmpeq_epi8(x, vq), z = _mm_cmpeq_epi8(x, vz),
                    r = _mm_cmpeq_epi8(x, vr);
            if (__builtin_expect(_mm_movemask_epi8(
                                     _mm_or_si128(_mm_or_si128(q, z), r)) != 0,
                                 0))
                count_rare(s, i, (unsigned)_mm_movemask_epi8(q),
                           (unsigned)_mm_movemask_epi8(z),
                           (unsigned)_mm_movemask_epi8(r), end, &bc);
        }
        __m128i sad = _mm_sad_epu8(acc, vz);
        bc.nl += (size_t)_mm_cvtsi128_si64(sad) +
                 (size_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(sad, sad));
    }
#endif
    for (; i < n; i++) {
        bc.nl += s[i] == '\n';
        bc.nq += s[i] == '"';
        bc.nz += s[i] == '\0';
        bc.ncr += s[i] == '\r' && (s + i + 1 == end || s[i + 1] != '\n');
    }
    return bc;
}

/* Counts of bytes [a, b) of src, read in blocks; *rderr is set to errno
 * on a read error. */
bytecount hz__csv_count_range(const hz__src *src, size_t a, size_t b,
                              hz__srcbuf *buf, int *rderr)
{
    bytecount t = {0, 0, 0, 0};
    for (size_t off = a; off < b;) {
        size_t blk = hz__src_block(src);
        size_t n = b - off < blk ? b - off : blk, got;
        /* one byte more, when there is one, to see what follows a CR */
        const char *p = hz__src_view(src, off, n + 1, buf, &got);
        if (p == NULL) {
            *rderr = errno ? errno : EIO;
            return t;
        }
        bytecount bc = hz__csv_count_bytes(p, n, p + got);
        t.nl += bc.nl;
        t.nq += bc.nq;
        t.nz += bc.nz;
        t.ncr += bc.ncr;
        off += n;
    }
    return t;
}

/* Line (1-based, within src) of the first NUL byte; 0 on a read error. */
size_t hz__csv_nul_line(const hz__src *src, hz__srcbuf *buf)
{
    size_t line = 1;
    for (size_t off = 0; off < src->len;) {
        size_t n;
        const char *p = hz__src_view(src, off, hz__src_block(src), buf, &n);
        if (p == NULL)
            return 0;
        const char *z = memchr(p, '\0', n);
        size_t upto = z ? (size_t)(z - p) : n;
        for (const char *q = p; (q = memchr(q, '\n', upto - (size_t)(q - p)));
             q++)
            line++;
        if (z != NULL)
            break;
        off += n;
    }
    return line;
}