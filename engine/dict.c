/* String dictionary: insertion-ordered codes with an open-addressing hash
 * index.  Strings live in one growing byte arena, each NUL-terminated. */
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>

#include "horizon/dataset.h"

typedef struct entry {
    uint64_t off;       /* offset of the string in bytes */
    uint32_t len;
    uint32_t tag;       /* high half of the hash */
} entry;

struct hz_dict {
    char *bytes;        /* arena of NUL-terminated strings */
    size_t nbytes, capbytes;
    entry *ent;         /* [n] */
    uint64_t *hash;     /* [n] full hash, for rehashing */
    size_t n, cap;
    uint64_t *slots;    /* [nslots] (tag << 32) | (code + 1); 0 = empty */
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

/* Load the n < 8 bytes at s into a zero-padded word. */
static inline uint64_t load_tail(const char *s, size_t n)
{
    uint64_t w = 0;
    memcpy(&w, s, n);
    return w;
}

static inline uint64_t hash_bytes(const char *s, size_t len)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ (uint64_t)len;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0x100000001b3ULL;
        h = (h << 29) | (h >> 35);
    }
    if (i < len)
        h ^= load_tail(s + i, len - i) * 0x9ddfea08eb382d69ULL;
    return mix(h);
}

/* Equality of two strings of the same length n; short ones by words. */
static inline bool same_bytes(const char *a, const char *b, size_t n)
{
    if (n <= 8)
        return load_tail(a, n) == load_tail(b, n);
    if (n <= 16) {
        uint64_t a0, b0;
        memcpy(&a0, a, 8);
        memcpy(&b0, b, 8);
        return a0 == b0 && load_tail(a + 8, n - 8) == load_tail(b + 8, n - 8);
    }
    return memcmp(a, b, n) == 0;
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
    free(d->ent);
    free(d->hash);
    free(d->slots);
    free(d);
}

static int rehash(hz_dict *d, size_t nslots)
{
    uint64_t *slots = calloc(nslots, sizeof *slots);
    if (slots == NULL)
        return -1;
    for (size_t c = 0; c < d->n; c++) {
        size_t i = (size_t)d->hash[c] & (nslots - 1);
        while (slots[i] != 0)
            i = (i + 1) & (nslots - 1);
        slots[i] = ((d->hash[c] >> 32) << 32) | ((uint64_t)c + 1);
    }
    free(d->slots);
    d->slots = slots;
    d->nslots = nslots;
    return 0;
}

static uint32_t lookup(const hz_dict *d, const char *s, size_t len,
                       uint64_t h, size_t *slot)
{
    size_t i = (size_t)h & (d->nslots - 1);
    const uint32_t tag = (uint32_t)(h >> 32);
    for (;;) {
        uint64_t v = d->slots[i];
        if (v == 0) {
            *slot = i;
            return UINT32_MAX;
        }
        if ((uint32_t)(v >> 32) == tag) {
            uint32_t c = (uint32_t)v - 1;
            const entry *e = &d->ent[c];
            if (e->len == len && same_bytes(d->bytes + e->off, s, len))
                return c;
        }
        i = (i + 1) & (d->nslots - 1);
    }
}

uint32_t hz_dict_find(const hz_dict *d, const char *s, size_t len)
{
    size_t slot;
    return lookup(d, s, len, hash_bytes(s, len), &slot);
}

uint32_t hz_dict_intern(hz_dict *d, const char *s, size_t len)
{
    uint64_t h = hash_bytes(s, len);
    size_t slot;
    uint32_t c = lookup(d, s, len, h, &slot);
    if (c != UINT32_MAX)
        return c;
    if (d->n >= UINT32_MAX - 1 || len >= UINT32_MAX)
        return UINT32_MAX;
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 64;
        entry *ent = realloc(d->ent, cap * sizeof *ent);
        if (ent == NULL)
            return UINT32_MAX;
        d->ent = ent;
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
    d->ent[c].off = d->nbytes;
    d->ent[c].len = (uint32_t)len;
    d->ent[c].tag = (uint32_t)(h >> 32);
    d->hash[c] = h;
    if (len > 0)
        memcpy(d->bytes + d->nbytes, s, len);
    d->bytes[d->nbytes + len] = '\0';
    d->nbytes += len + 1;
    d->n++;
    d->slots[slot] = ((h >> 32) << 32) | ((uint64_t)c + 1);
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
    return code < d->n ? d->bytes + d->ent[code].off : NULL;
}

size_t hz_dict_len(const hz_dict *d, uint32_t code)
{
    return code < d->n ? d->ent[code].len : 0;
}
