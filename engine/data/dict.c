/* String dictionary: insertion-ordered codes with an open-addressing hash
 * index.  Strings live in one growing byte arena, each NUL-terminated.
 *
 * The layout is in dict_internal.h. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "horizon/dataset.h"
#include "data/dict_internal.h"
#include "core/mem.h"

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
    hz__dslot *slots = hz__calloc_large(nslots, sizeof *slots);
    if (slots == NULL)
        return -1;
    /* Move the old slots (they hold head and length already); only the
     * hash comes from the per-string array. */
    for (size_t o = 0; o < d->nslots; o++) {
        hz__dslot sl = d->slots[o];
        if (sl.code1 == 0)
            continue;
        size_t i = hz__dict_home(d->hash[sl.code1 - 1], nslots);
        while (slots[i].code1 != 0)
            i = (i + 1) & (nslots - 1);
        slots[i] = sl;
    }
    free(d->slots);
    d->slots = slots;
    d->nslots = nslots;
    return 0;
}

static inline uint32_t lookup(const hz_dict *d, const char *s, size_t len,
                              uint64_t head, uint64_t h, size_t *where)
{
    size_t i = hz__dict_home(h, d->nslots);
    for (;;) {
        const hz__dslot *sl = &d->slots[i];
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
    hz__dkey k = hz__dict_key(s, len);
    return lookup(d, s, len, k.head, k.hash, &where);
}

uint32_t hz_dict_intern(hz_dict *d, const char *s, size_t len)
{
    return hz__dict_intern_key(d, s, len, hz__dict_key(s, len));
}

int hz__dict_reserve(hz_dict *d, size_t n, size_t nbytes)
{
    if (n > d->cap) {
        uint64_t *off = realloc(d->off, n * sizeof *off);
        if (off == NULL)
            return -1;
        d->off = off;
        uint32_t *ln = realloc(d->len, n * sizeof *ln);
        if (ln == NULL)
            return -1;
        d->len = ln;
        uint64_t *hs = realloc(d->hash, n * sizeof *hs);
        if (hs == NULL)
            return -1;
        d->hash = hs;
        d->cap = n;
    }
    if (nbytes > d->capbytes) {
        char *b = realloc(d->bytes, nbytes);
        if (b == NULL)
            return -1;
        d->bytes = b;
        d->capbytes = nbytes;
    }
    return 0;
}

uint32_t hz__dict_intern_key(hz_dict *d, const char *s, size_t len, hz__dkey k)
{
    uint64_t head = k.head, h = k.hash;
    size_t where;
    uint32_t c = lookup(d, s, len, head, h, &where);
    if (c != UINT32_MAX)
        return c;
    if (d->n >= UINT32_MAX - 1 || len >= UINT32_MAX)
        return UINT32_MAX;
    if (d->n == d->cap || d->nbytes + len + 1 > d->capbytes) {
        size_t cap = d->cap, capbytes = d->capbytes ? d->capbytes : 1024;
        if (d->n == cap)
            cap = cap ? cap * 2 : 64;
        while (capbytes < d->nbytes + len + 1)
            capbytes *= 2;
        if (hz__dict_reserve(d, cap, capbytes) != 0)
            return UINT32_MAX;
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

/* from's string c as a key (its hash is stored). */
static inline hz__dkey key_of(const hz_dict *from, size_t c)
{
    hz__dkey k;
    k.head = hz__dload(from->bytes + from->off[c], from->len[c]);
    k.hash = from->hash[c];
    return k;
}

/* Merging knows the hashes: slots are prefetched this many strings
 * ahead, so the lookups of a large dictionary overlap their misses. */
#define AHEAD 8

void hz__dict_find_all(const hz_dict *d, const hz_dict *from, uint32_t *map)
{
    size_t n = from->n, where;
    for (size_t c = 0; c < n; c++) {
        if (c + AHEAD < n)
            hz__dict_prefetch(d, from->hash[c + AHEAD]);
        hz__dkey k = key_of(from, c);
        map[c] = lookup(d, from->bytes + from->off[c], from->len[c], k.head,
                        k.hash, &where);
    }
}

int hz__dict_add_missing(hz_dict *d, const hz_dict *from, uint32_t *map)
{
    size_t nmiss = 0, bytes = 0;
    for (size_t c = 0; c < from->n; c++)
        if (map[c] == UINT32_MAX) {
            nmiss++;
            bytes += from->len[c] + 1;
        }
    if (nmiss == 0)
        return 0;
    if (hz__dict_reserve(d, d->n + nmiss, d->nbytes + bytes) != 0)
        return -1;
    uint32_t *miss = malloc(nmiss * sizeof *miss);
    if (miss == NULL)
        return -1;
    for (size_t c = 0, i = 0; c < from->n; c++)
        if (map[c] == UINT32_MAX)
            miss[i++] = (uint32_t)c;
    /* (a rehash on the way only wastes the prefetches in flight) */
    for (size_t i = 0; i < nmiss; i++) {
        if (i + AHEAD < nmiss)
            hz__dict_prefetch(d, from->hash[miss[i + AHEAD]]);
        size_t c = miss[i];
        map[c] = hz__dict_intern_key(d, from->bytes + from->off[c],
                                     from->len[c], key_of(from, c));
        if (map[c] == UINT32_MAX) {
            free(miss);
            return -1;
        }
    }
    free(miss);
    return 0;
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
