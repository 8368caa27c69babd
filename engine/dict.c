/* String dictionary: insertion-ordered codes with an open-addressing hash
 * index.  Strings live in one growing byte arena, each NUL-terminated. */
#include <stdlib.h>
#include <string.h>

#include "horizon/dataset.h"

struct hz_dict {
    char *bytes;        /* arena of NUL-terminated strings */
    size_t nbytes, capbytes;
    size_t *off;        /* [n] offset of string code in bytes */
    uint32_t *len;      /* [n] length */
    uint64_t *hash;     /* [n] hash of string code */
    size_t n, cap;
    uint32_t *slots;    /* [nslots] code + 1, 0 = empty */
    size_t nslots;      /* power of two */
};

static uint64_t hash_bytes(const char *s, size_t len)
{
    /* FNV-1a over 8-byte words, finished with a murmur-style mix. */
    uint64_t h = 0xcbf29ce484222325ULL ^ (uint64_t)len;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0x100000001b3ULL;
        h ^= h >> 29;
    }
    for (; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
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
    uint32_t *slots = calloc(nslots, sizeof *slots);
    if (slots == NULL)
        return -1;
    for (size_t c = 0; c < d->n; c++) {
        size_t i = (size_t)d->hash[c] & (nslots - 1);
        while (slots[i] != 0)
            i = (i + 1) & (nslots - 1);
        slots[i] = (uint32_t)c + 1;
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
    for (;;) {
        uint32_t v = d->slots[i];
        if (v == 0) {
            *slot = i;
            return UINT32_MAX;
        }
        uint32_t c = v - 1;
        if (d->hash[c] == h && d->len[c] == len &&
            memcmp(d->bytes + d->off[c], s, len) == 0)
            return c;
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
        size_t *off = realloc(d->off, cap * sizeof *off);
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
    d->slots[slot] = c + 1;
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
