/* The wall-clock periods a zone's clocks skip.  See tzgaps.h. */
#include "core/tzgaps.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct hz__tzgaps {
    const hz__tzgaps *base; /* a periods table: its zone's; NULL: a zone */
    int64_t len;            /* a periods table: seconds a period */
    bool shortened;         /* a periods table: those partly skipped too */
    /* a zone: its changes, to find it again */
    size_t nch;
    int64_t *at;
    int32_t *off;
    /* skipped: wall times [lo, hi) of a zone; period numbers
     * (floor(wall time / len)) of a periods table */
    size_t n;
    int64_t *lo, *hi;
    /* repeated (put back): wall times [rlo, rhi) of a zone; period
     * numbers of a periods table, those that hold any */
    size_t nr;
    int64_t *rlo, *rhi;
    struct hz__tzgaps *next;
};

static pthread_mutex_t tables_lock = PTHREAD_MUTEX_INITIALIZER;
static hz__tzgaps *tables; /* kept for the life of the process */

static int64_t floordiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static void table_free(hz__tzgaps *g)
{
    if (g == NULL)
        return;
    free(g->at);
    free(g->off);
    free(g->lo);
    free(g->hi);
    free(g->rlo);
    free(g->rhi);
    free(g);
}

static hz__tzgaps *table_new(size_t cap)
{
    hz__tzgaps *g = calloc(1, sizeof *g);
    if (g == NULL)
        return NULL;
    g->lo = malloc((cap + 1) * sizeof *g->lo);
    g->hi = malloc((cap + 1) * sizeof *g->hi);
    g->rlo = malloc((cap + 1) * sizeof *g->rlo);
    g->rhi = malloc((cap + 1) * sizeof *g->rhi);
    if (!g->lo || !g->hi || !g->rlo || !g->rhi) {
        table_free(g);
        return NULL;
    }
    return g;
}

static hz__tzgaps *zone_table(const int64_t *at, const int32_t *off,
                              size_t nch)
{
    hz__tzgaps *g = table_new(nch);
    if (g == NULL)
        return NULL;
    g->at = malloc((nch + 1) * sizeof *g->at);
    g->off = malloc((nch + 1) * sizeof *g->off);
    if (!g->at || !g->off) {
        table_free(g);
        return NULL;
    }
    if (nch > 0) {
        memcpy(g->at, at, nch * sizeof *at);
        memcpy(g->off, off, nch * sizeof *off);
    }
    g->nch = nch;
    /* put forward at instant at[k]: the wall times from the old offset's
     * to the new one's do not exist */
    for (size_t k = 1; k < nch; k++)
        if (off[k] > off[k - 1]) {
            g->lo[g->n] = at[k] + off[k - 1];
            g->hi[g->n] = at[k] + off[k];
            g->n++;
        } else if (off[k] < off[k - 1]) {
            /* put back: the wall times from the new offset's to the old
             * one's are shown twice */
            g->rlo[g->nr] = at[k] + off[k];
            g->rhi[g->nr] = at[k] + off[k - 1];
            g->nr++;
        }
    return g;
}

const hz__tzgaps *hz__tzgaps_of(const hz__tzone *z)
{
    const int64_t *at;
    const int32_t *off;
    size_t nch = hz__tzone_changes(z, &at, &off);
    pthread_mutex_lock(&tables_lock);
    hz__tzgaps *g = tables;
    for (; g != NULL; g = g->next)
        if (g->base == NULL && g->nch == nch &&
            memcmp(g->at, at, nch * sizeof *at) == 0 &&
            memcmp(g->off, off, nch * sizeof *off) == 0)
            break;
    if (g == NULL && (g = zone_table(at, off, nch)) != NULL) {
        g->next = tables;
        tables = g;
    }
    pthread_mutex_unlock(&tables_lock);
    return g;
}

static hz__tzgaps *periods_table(const hz__tzgaps *base, int64_t len,
                                 bool shortened)
{
    hz__tzgaps *g = table_new(base->n + base->nr);
    if (g == NULL)
        return NULL;
    g->base = base;
    g->len = len;
    g->shortened = shortened;
    for (size_t k = 0; k < base->n; k++) {
        /* the periods wholly inside [lo, hi); shortened: those holding
         * any of it */
        int64_t s = shortened ? floordiv(base->lo[k], len)
                              : -floordiv(-base->lo[k], len);
        int64_t e = shortened ? -floordiv(-base->hi[k], len)
                              : floordiv(base->hi[k], len);
        if (e <= s)
            continue;
        g->lo[g->n] = s;
        g->hi[g->n] = e;
        g->n++;
    }
    for (size_t k = 0; k < base->nr; k++) {
        /* the periods that hold any of [rlo, rhi) */
        g->rlo[g->nr] = floordiv(base->rlo[k], len);
        g->rhi[g->nr] = -floordiv(-base->rhi[k], len);
        g->nr++;
    }
    return g;
}

static const hz__tzgaps *periods_of(const hz__tzgaps *base, int64_t len,
                                    bool shortened)
{
    if (base == NULL || len <= 0)
        return NULL;
    pthread_mutex_lock(&tables_lock);
    hz__tzgaps *g = tables;
    for (; g != NULL; g = g->next)
        if (g->base == base && g->len == len && g->shortened == shortened)
            break;
    if (g == NULL && (g = periods_table(base, len, shortened)) != NULL) {
        g->next = tables;
        tables = g;
    }
    pthread_mutex_unlock(&tables_lock);
    return g != NULL && g->n + g->nr > 0 ? g : NULL;
}

const hz__tzgaps *hz__tzgaps_periods(const hz__tzgaps *base, int64_t len)
{
    return periods_of(base, len, false);
}

const hz__tzgaps *hz__tzgaps_shortened(const hz__tzgaps *g)
{
    if (g == NULL || g->base == NULL)
        return NULL;
    return periods_of(g->base, g->len, true);
}

int64_t hz__tzgaps_len(const hz__tzgaps *g)
{
    return g->len;
}

bool hz__tzgaps_skipped(const hz__tzgaps *g, int64_t p)
{
    size_t lo = 0, hi = g->n; /* the skips starting at or before p: [0, lo) */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (g->lo[mid] <= p)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo > 0 && p < g->hi[lo - 1];
}

int64_t hz__tzgaps_skipped_secs(const hz__tzgaps *g, int64_t p)
{
    const hz__tzgaps *z = g->base;
    if (z == NULL || g->len <= 0)
        return 0;
    const int64_t a = p * g->len, b = a + g->len;
    int64_t secs = 0;
    for (size_t k = 0; k < z->n; k++) { /* overlap of [a, b) with each */
        const int64_t lo = z->lo[k] > a ? z->lo[k] : a;
        const int64_t hi = z->hi[k] < b ? z->hi[k] : b;
        secs += hi > lo ? hi - lo : 0;
    }
    return secs;
}

int64_t hz__tzgaps_count(const hz__tzgaps *g, int64_t a, int64_t b)
{
    size_t lo = 0, hi = g->n; /* the skips ending at or before a: [0, lo) */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (g->hi[mid] <= a)
            lo = mid + 1;
        else
            hi = mid;
    }
    int64_t n = 0;
    for (size_t k = lo; k < g->n && g->lo[k] <= b; k++) {
        const int64_t s = g->lo[k] > a ? g->lo[k] : a;
        const int64_t e = g->hi[k] - 1 < b ? g->hi[k] - 1 : b;
        n += e >= s ? e - s + 1 : 0;
    }
    return n;
}

bool hz__tzgaps_repeated(const hz__tzgaps *g, int64_t p)
{
    size_t lo = 0, hi = g->nr; /* those starting at or before p: [0, lo) */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (g->rlo[mid] <= p)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo > 0 && p < g->rhi[lo - 1];
}
