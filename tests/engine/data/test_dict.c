/* String dictionary: insertion order, long strings, the merge used by the
 * CSV reader (parallel lookups, then ordered appends), and the quality of
 * the hash index on the id formats of real exports. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/dict_internal.h"
#include "hz_test.h"

static const char *fmts[] = {"C%06d", "%d",
                             "P%04d", "cust-%d@example.com",
                             "%08d",  "a much longer customer name %d"};

HZ_TEST(codes_follow_insertion_order_any_length)
{
    for (size_t f = 0; f < sizeof fmts / sizeof fmts[0]; f++) {
        hz_dict *d = hz_dict_new();
        char b[64];
        for (int i = 0; i < 50000; i++) {
            int n = snprintf(b, sizeof b, fmts[f], (i * 7) % 40000);
            uint32_t c = hz_dict_intern(d, b, (size_t)n);
            /* 7 and 40000 are coprime: i and i - 40000 give the same
             * string, first seen at i % 40000 */
            HZ_CHECK(c == (uint32_t)(i % 40000));
            HZ_CHECK(hz_dict_find(d, b, (size_t)n) == c);
            HZ_CHECK(hz_dict_len(d, c) == (size_t)n);
            HZ_CHECK(memcmp(hz_dict_str(d, c), b, (size_t)n) == 0);
        }
        HZ_CHECK(hz_dict_size(d) == 40000);
        /* a prefix of a stored string, or one with a different tail, is
         * not found */
        int n = snprintf(b, sizeof b, fmts[f], 7);
        HZ_CHECK(hz_dict_find(d, b, (size_t)n - 1) == UINT32_MAX || n == 1);
        b[n - 1] ^= 0x40;
        HZ_CHECK(hz_dict_find(d, b, (size_t)n) == UINT32_MAX);
        hz_dict_free(d);
    }
}

HZ_TEST(merge_equals_interning_in_order)
{
    /* a: strings 0..9999; from: 5000..24999 with repeats, in a shuffled
     * order.  Looking up then appending the missing must give the codes
     * that interning from's strings one by one into a gives. */
    hz_dict *a = hz_dict_new(), *ref = hz_dict_new(), *from = hz_dict_new();
    char b[64];
    for (int i = 0; i < 10000; i++) {
        int n = snprintf(b, sizeof b, "cust-%d@example.com", i);
        hz_dict_intern(a, b, (size_t)n);
        hz_dict_intern(ref, b, (size_t)n);
    }
    uint64_t x = 88172645463325252ULL;
    for (int i = 0; i < 30000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int n = snprintf(b, sizeof b, "cust-%d@example.com",
                         5000 + (int)(x % 20000));
        hz_dict_intern(from, b, (size_t)n);
    }
    size_t nf = hz_dict_size(from);
    uint32_t *map = malloc(nf * sizeof *map);
    hz__dict_find_all(a, from, map);
    size_t found = 0;
    for (size_t c = 0; c < nf; c++)
        found += map[c] != UINT32_MAX;
    HZ_CHECK(found > 0 && found < nf);
    HZ_CHECK(hz__dict_add_missing(a, from, map) == 0);
    for (size_t c = 0; c < nf; c++) {
        uint32_t want = hz_dict_intern(ref, hz_dict_str(from, (uint32_t)c),
                                       hz_dict_len(from, (uint32_t)c));
        HZ_CHECK_MSG(map[c] == want, "string %zu: %u, want %u", c, map[c],
                     want);
    }
    HZ_CHECK(hz_dict_size(a) == hz_dict_size(ref));
    for (uint32_t c = 0; c < hz_dict_size(a); c++)
        HZ_CHECK(strcmp(hz_dict_str(a, c), hz_dict_str(ref, c)) == 0);
    free(map);
    hz_dict_free(a);
    hz_dict_free(ref);
    hz_dict_free(from);
}

HZ_TEST(hash_index_stays_short_on_real_id_formats)
{
    /* The slot index is the top bits of one multiply for short strings:
     * sequential ids must still spread.  At load <= 0.5, linear probing
     * averages about 1.5 probes; allow 2. */
    for (size_t f = 0; f < sizeof fmts / sizeof fmts[0]; f++) {
        hz_dict *d = hz_dict_new();
        char b[64];
        for (int i = 0; i < 100000; i++) {
            int n = snprintf(b, sizeof b, fmts[f], i * 3);
            hz_dict_intern(d, b, (size_t)n);
        }
        double total = 0;
        for (size_t c = 0; c < d->n; c++) {
            size_t i = hz__dict_home(d->hash[c], d->nslots), probes = 1;
            while (d->slots[i].code1 != c + 1) {
                i = (i + 1) & (d->nslots - 1);
                probes++;
            }
            total += (double)probes;
        }
        double mean = total / (double)d->n;
        HZ_CHECK_MSG(mean < 2.0, "format %s: %.2f probes on average", fmts[f],
                     mean);
        hz_dict_free(d);
    }
}
