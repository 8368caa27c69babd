/* Group names that are another's but for case and blanks around a value
 * ('North', 'north ', 'NORTH'): forecast as groups of their own, as the
 * data name them, and counted so that the user hears of them
 * (hz_series_set.names_similar). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "forecast/series_internal.h"
#include "horizon/outfile.h"

typedef struct folded {
    char *name; /* lower case (ASCII), each '|'-part without blanks
                   around it */
    char *key;  /* the name as written (the first parts of a series') */
    size_t series;
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
    size_t n = hz_utf8_cut(src, cap - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* The first parts of key, up to its parts-th '|' (malloc'd). */
static char *prefix(const char *key, size_t parts)
{
    const char *e = key;
    for (size_t k = 0; k < parts && e != NULL; k++)
        e = strchr(k ? e + 1 : e, '|');
    size_t n = e != NULL ? (size_t)(e - key) : strlen(key);
    char *out = malloc(n + 1);
    if (out != NULL) {
        memcpy(out, key, n);
        out[n] = '\0';
    }
    return out;
}

/* The series whose first parts (up to parts '|'s) are another's but for
 * case and blanks marked in mark[]; the first such pair in first. */
static int similar_at(hz_series_set *set, size_t parts, folded *f,
                      bool *mark)
{
    size_t n = set->nseries;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        f[i].series = i;
        f[i].key = prefix(set->series[i].key, parts);
        f[i].name = f[i].key != NULL ? fold(f[i].key) : NULL;
        rc = f[i].name == NULL ? -1 : 0;
    }
    if (rc == 0)
        qsort(f, n, sizeof *f, cmp_folded);
    for (size_t i = 0; rc == 0 && i < n;) {
        size_t j = i + 1;
        while (j < n && strcmp(f[i].name, f[j].name) == 0)
            j++;
        /* sorted by key within a name: two keys when the ends differ */
        if (strcmp(f[i].key, f[j - 1].key) != 0) {
            size_t other = i + 1;
            while (strcmp(f[i].key, f[other].key) == 0)
                other++;
            if (set->similar_first[0][0] == '\0') {
                copy_name(set->similar_first[0],
                          sizeof set->similar_first[0], f[i].key);
                copy_name(set->similar_first[1],
                          sizeof set->similar_first[1], f[other].key);
            }
            for (size_t k = i; k < j; k++)
                mark[f[k].series] = true;
        }
        i = j;
    }
    for (size_t i = 0; i < n; i++) {
        free(f[i].name);
        free(f[i].key);
    }
    return rc;
}

/* Each level of the names (the groups, then each shorter prefix of the
 * --by columns: regions 'East' and 'east' of stores 1 and 2 are two
 * nodes of a hierarchy, yet 'East|1' and 'east|2' are not alike), the
 * groups first so that the pair shown is of whole names where there is
 * one; the count is of the series marked at any level. */
int hz__series_similar(hz_series_set *set)
{
    size_t n = set->nseries, count = 0, parts = 0;
    set->names_similar = 0;
    set->similar_first[0][0] = set->similar_first[1][0] = '\0';
    folded *f = calloc(n ? n : 1, sizeof *f);
    bool *mark = calloc(n ? n : 1, sizeof *mark);
    if (f == NULL || mark == NULL) {
        free(f);
        free(mark);
        return -1;
    }
    for (const char *p = n ? set->series[0].key : ""; *p; p++)
        parts += *p == '|';
    int rc = 0;
    for (size_t l = parts + 1; l > 0 && rc == 0; l--)
        rc = similar_at(set, l == parts + 1 ? SIZE_MAX : l, f, mark);
    for (size_t i = 0; i < n; i++)
        count += mark[i];
    free(f);
    free(mark);
    set->names_similar = rc == 0 ? count : 0;
    if (rc != 0)
        set->similar_first[0][0] = set->similar_first[1][0] = '\0';
    return rc;
}
