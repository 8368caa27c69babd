/* Group names that are another's but for case and blanks around a value
 * ('North', 'north ', 'NORTH'): forecast as groups of their own, as the
 * data name them, and counted so that the user hears of them
 * (hz_series_set.names_similar). */
#include <stdlib.h>
#include <string.h>

#include "forecast/series_internal.h"

typedef struct folded {
    char *name; /* lower case (ASCII), each '|'-part without blanks
                   around it */
    const char *key;
} folded;

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static char *fold(const char *key)
{
    char *out = malloc(strlen(key) + 1);
    if (out == NULL)
        return NULL;
    size_t o = 0;
    for (const char *p = key;;) {
        const char *bar = strchr(p, '|');
        const char *end = bar != NULL ? bar : p + strlen(p);
        while (p < end && is_blank(*p))
            p++;
        const char *e = end;
        while (e > p && is_blank(e[-1]))
            e--;
        for (; p < e; p++)
            out[o++] = *p >= 'A' && *p <= 'Z' ? (char)(*p - 'A' + 'a') : *p;
        if (bar == NULL)
            break;
        out[o++] = '|';
        p = bar + 1;
    }
    out[o] = '\0';
    return out;
}

static int cmp_folded(const void *a, const void *b)
{
    const folded *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c != 0 ? c : strcmp(x->key, y->key);
}

/* src into dst (cap bytes), cut before a UTF-8 character that does not
 * fit whole. */
static void copy_name(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap) {
        n = cap - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

int hz__series_similar(hz_series_set *set)
{
    size_t n = set->nseries, count = 0;
    set->names_similar = 0;
    set->similar_first[0][0] = set->similar_first[1][0] = '\0';
    folded *f = calloc(n ? n : 1, sizeof *f);
    if (f == NULL)
        return -1;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        f[i].key = set->series[i].key;
        rc = (f[i].name = fold(f[i].key)) == NULL ? -1 : 0;
    }
    if (rc == 0)
        qsort(f, n, sizeof *f, cmp_folded);
    for (size_t i = 0; rc == 0 && i < n;) {
        size_t j = i + 1;
        while (j < n && strcmp(f[i].name, f[j].name) == 0)
            j++;
        if (j - i > 1 && count == 0)
            for (int k = 0; k < 2; k++)
                copy_name(set->similar_first[k], sizeof set->similar_first[k],
                          f[i + (size_t)k].key);
        count += j - i > 1 ? j - i : 0;
        i = j;
    }
    for (size_t i = 0; i < n; i++)
        free(f[i].name);
    free(f);
    set->names_similar = rc == 0 ? count : 0;
    return rc;
}
