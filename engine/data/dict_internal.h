/* String dictionary internals, shared by dict.c and the CSV reader.
 *
 * The reader splits a lookup in two: the key (first 8 bytes and hash) is
 * computed and its hash slot prefetched while a row is parsed, and the
 * lookups run in batches of rows.  For a column of tens of thousands of
 * customer ids the slot is then in cache by the time it is read. */
#ifndef HZ_ENGINE_DICT_INTERNAL_H
#define HZ_ENGINE_DICT_INTERNAL_H

#include <stdint.h>
#include <string.h>

#include "horizon/dataset.h"

/* A slot holds the first 8 bytes of its string, its length and its code,
 * so a lookup of a string of up to 8 bytes (customer ids, regions, codes)
 * touches one cache line; longer strings compare their tail in the arena. */
typedef struct hz__dslot {
    uint64_t head;  /* first 8 bytes, zero padded */
    uint32_t code1; /* code + 1; 0 = empty */
    uint32_t len;
} hz__dslot;

struct hz_dict {
    char *bytes; /* arena of NUL-terminated strings */
    size_t nbytes, capbytes;
    uint64_t *off;  /* [n] offset of each string in bytes */
    uint32_t *len;  /* [n] */
    uint64_t *hash; /* [n] hash, for rehashing */
    size_t n, cap;
    hz__dslot *slots; /* [nslots] */
    size_t nslots;    /* power of two */
};

typedef struct hz__dkey {
    uint64_t head, hash;
} hz__dkey;

static inline uint64_t hz__dmix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

/* The n <= 8 bytes at s as a zero-padded word. */
static inline uint64_t hz__dload(const char *s, size_t n)
{
    uint64_t w = 0;
    memcpy(&w, s, n < 8 ? n : 8);
    return w;
}

/* Key of s; avail is how many bytes from s may be read (at least len).
 * With 8 readable bytes the head is one load and a mask: a variable-length
 * copy into a word would stall on store forwarding. */
static inline hz__dkey hz__dict_key_avail(const char *s, size_t len,
                                          size_t avail)
{
    hz__dkey k;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (avail >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        k.head = len >= 8 ? w : w & ((UINT64_C(1) << (8 * len)) - 1);
    } else {
        k.head = hz__dload(s, len);
    }
#else
    (void)avail;
    k.head = hz__dload(s, len);
#endif
    /* Strings of up to 8 bytes (ids, codes, categories): one multiply;
     * the slot index takes the product's top bits (Fibonacci hashing),
     * which depend on every bit of the head. */
    uint64_t h = k.head + (uint64_t)len * 0x9e3779b97f4a7c15ULL;
    if (len <= 8) {
        k.hash = h * 0xbf58476d1ce4e5b9ULL;
        return k;
    }
    h *= 0x100000001b3ULL;
    for (size_t i = 8; i < len; i += 8) {
        uint64_t w;
        if (i + 8 <= len)
            memcpy(&w, s + i, 8);
        else
            w = hz__dload(s + i, len - i) * 0x9ddfea08eb382d69ULL;
        h = ((h ^ w) * 0x100000001b3ULL);
        h = (h << 29) | (h >> 35);
    }
    k.hash = hz__dmix(h);
    return k;
}

static inline hz__dkey hz__dict_key(const char *s, size_t len)
{
    return hz__dict_key_avail(s, len, len);
}

/* Prefetch the hash slot of a key; a table that fits in the first-level
 * cache (1024 slots, 16 KB) is left alone. */
/* Home slot of a hash in a table of nslots (a power of two): the top
 * bits. */
static inline size_t hz__dict_home(uint64_t hash, size_t nslots)
{
    return (size_t)(hash >> (64 - __builtin_ctzll(nslots)));
}

static inline void hz__dict_prefetch(const hz_dict *d, uint64_t hash)
{
    if (d->nslots > 1024)
        __builtin_prefetch(&d->slots[hz__dict_home(hash, d->nslots)]);
}

/* hz_dict_intern with the key already computed. */
uint32_t hz__dict_intern_key(hz_dict *d, const char *s, size_t len,
                             hz__dkey k);

/* Merging dictionaries in two steps, so that the lookups can run in
 * parallel: hz__dict_find_all sets map[c] to the code in d of from's
 * string c, or UINT32_MAX when d lacks it (d is only read); then
 * hz__dict_add_missing interns the missing ones in from's code order
 * (-1 on ENOMEM). */
void hz__dict_find_all(const hz_dict *d, const hz_dict *from, uint32_t *map);
int hz__dict_add_missing(hz_dict *d, const hz_dict *from, uint32_t *map);

/* Room for n strings in all and nbytes of arena (NULs included), so that
 * interning up to there does not reallocate the arrays (the hash index
 * still grows as needed).  -1 on ENOMEM. */
int hz__dict_reserve(hz_dict *d, size_t n, size_t nbytes);

#endif
