/* String dictionary: insertion-ordered codes with an open-addressing hash
 * index.  Strings live in one growing byte arena, each NUL-terminated.
 *
 * A slot holds the first 8 bytes of its string, its length and its code,
 * so a lookup of a string of up to 8 bytes (customer ids, regions, codes)
 * touches one cache line; longer strings compare their tail in the arena. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "horizon/dataset.h"

typedef struct slot {
    uint64_t head;      /* first 8 bytes, zero padded */
    uint32_t code1;     /* code + 1; 0 = empty */
    uint32_t len;
} slot;

struct hz_dict {
    char *bytes;        /* arena of NUL-terminated strings */
    size_t nbytes, capbytes;
    uint64_t *off;      /* [n] offset of each string in bytes */
    uint32_t *len;      /* [n] */
    uint64_t *hash;     /* [n] hash, for rehashing */
    size_t n, cap;
    slot *slots;        /* [nslots] */
    size_t nslots;      /* power of two */
};

static inline uint64_t mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

/* Load the n <= 8 bytes at s into a zero-padded word. */
static inline uint64_t load_head(const char *s, size_t n)
{
    uint64_t w = 0;
    memcpy(&w, s, n < 8 ? n : 8);
    return w;
}

static inline uint64_t hash_bytes(uint64_t head, const char *s, size_t len)
{
    uint64_t h = (head ^ (uint64_t)len * 0x9e3779b97f4a7c15ULL) *
                 0x100000001b3ULL;
    size_t i = 8;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = ((h ^ w) * 0x100000001b3ULL);
        h = (h << 29) | (h >> 35);
    }
    if (i < len)
        h ^= load_head(s + i, len - i) * 0x9ddfea08eb382d69ULL;
    return mix(h);
}

hz_dict *hz_dict_new(void)
{
    hz_dict *d = calloc(1, sizeof *d);
    if (d == NULL)
        return NULL;
    d->nslots = 64;
    d->slots = calloc(d->nslots, sizeof *d->slots);
    if (d->slots == NULL) {
        free(d);
        return NULL;
    }
    return d;
}

void hz_dict_free(hz_dict *d)
{
    if (d == NULL)
        return;
    free(d->bytes);
    free(d->off);
    free(d->len);
    free(d->hash);
    free(d->slots);
    free(d);
}

static int rehash(hz_dict *d, size_t nslots)
{
    slot *slots = calloc(nslots, sizeof *slots);
    if (slots == NULL)
        return -1;
    for (size_t c = 0; c < d->n; c++) {
        size_t i = (size_t)d->hash[c] & (nslots - 1);
        while (slots[i].code1 != 0)
            i = (i + 1) & (nslots - 1);
        slots[i].head = load_head(d->bytes + d->off[c], d->len[c]);
        slots[i].len = d->len[c];
        slots[i].code1 = (uint32_t)c + 1;
    }
    free(d->slots);
    d->slots = slots;
    d->nslots = nslots;
    return 0;
}

static inline uint32_t lookup(const hz_dict *d, const char *s, size_t len,
                              uint64_t head, uint64_t h, size_t *where)
{
    size_t i = (size_t)h & (d->nslots - 1);
    for (;;) {
        const slot *sl = &d->slots[i];
        if (sl->code1 == 0) {
            *where = i;
            return UINT32_MAX;
        }
        if (sl->head == head && sl->len == len) {
            uint32_t c = sl->code1 - 1;
            if (len <= 8 ||
                memcmp(d->bytes + d->off[c] + 8, s + 8, len - 8) == 0)
                return c;
        }
        i = (i + 1) & (d->nslots - 1);
    }
}

uint32_t hz_dict_find(const hz_dict *d, const char *s, size_t len)
{
    size_t where;
    uint64_t head = load_head(s, len);
    return lookup(d, s, len, head, hash_bytes(head, s, len), &where);
}

uint32_t hz_dict_intern(hz_dict *d, const char *s, size_t len)
{
    uint64_t head = load_head(s, len);
    uint64_t h = hash_bytes(head, s, len);
    size_t where;
    uint32_t c = lookup(d, s, len, head, h, &where);
    if (c != UINT32_MAX)
        return c;
    if (d->n >= UINT32_MAX - 1 || len >= UINT32_MAX)
        return UINT32_MAX;
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 64;
        uint64_t *off = realloc(d->off, cap * sizeof *off);
        if (off == NULL)
            return UINT32_MAX;
        d->off = off;
        uint32_t *ln = realloc(d->len, cap * sizeof *ln);
        if (ln == NULL)
            return UINT32_MAX;
        d->len = ln;
        uint64_t *hs = realloc(d->hash, cap * sizeof *hs);
        if (hs == NULL)
            return UINT32_MAX;
        d->hash = hs;
        d->cap = cap;
    }
    if (d->nbytes + len + 1 > d->capbytes) {
        size_t cap = d->capbytes ? d->capbytes * 2 : 1024;
        while (cap < d->nbytes + len + 1)
            cap *= 2;
        char *b = realloc(d->bytes, cap);
        if (b == NULL)
            return UINT32_MAX;
        d->bytes = b;
        d->capbytes = cap;
    }
    c = (uint32_t)d->n;
    d->off[c] = d->nbytes;
    d->len[c] = (uint32_t)len;
    d->hash[c] = h;
    if (len > 0)
        memcpy(d->bytes + d->nbytes, s, len);
    d->bytes[d->nbytes + len] = '\0';
    d->nbytes += len + 1;
    d->n++;
    d->slots[where].head = head;
    d->slots[where].len = (uint32_t)len;
    d->slots[where].code1 = c + 1;
    if (d->n * 2 > d->nslots && rehash(d, d->nslots * 2) != 0) {
        /* The entry is stored; a failed grow only costs speed until the
         * next attempt, but the table must never fill completely. */
        if (d->n + 1 >= d->nslots)
            return UINT32_MAX;
    }
    return c;
}

size_t hz_dict_size(const hz_dict *d)
{
    return d ? d->n : 0;
}

const char *hz_dict_str(const hz_dict *d, uint32_t code)
{
    return code < d->n ? d->bytes + d->off[code] : NULL;
}

size_t hz_dict_len(const hz_dict *d, uint32_t code)
{
    return code < d->n ? d->len[code] : 0;
}
