/* The hierarchy of a grouped request (--by A,B,... --reconcile): every
 * prefix of the group columns is a level (total, A, A|B, ...), each node
 * the sum of the bottom series under it on one common time axis (a
 * series before its first row adds nothing: 0 in its parents' sums), each
 * node's own history from the first period of a series under it, and the
 * nodes' one-step in-sample residuals for reconciliation: those of each
 * node's base model (as hts and fable), auto-ETS's for a node whose model
 * reports no fitted values. */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "forecast/fc_internal.h"
#include "horizon/ets.h"
#include "horizon/threads.h"
#include "numeric/ksum.h"

void hz__hier_free(hz__hier *h)
{
    if (h == NULL)
        return;
    for (size_t i = 0; i < h->m; i++) {
        free(h->keys ? h->keys[i] : NULL);
        free(h->y ? h->y[i] : NULL);
    }
    free(h->keys);
    free(h->y);
    free(h->S);
    free(h->level);
    free(h->off);
    free(h->nobs);
    free(h->nfilled);
    free(h->filled);
    memset(h, 0, sizeof *h);
}

/* Length of the first j components of key ('|'-separated). */
static size_t prefix_len(const char *key, size_t j)
{
    size_t len = 0;
    for (size_t c = 0; c < j; c++) {
        const char *bar = strchr(key + len, '|');
        if (bar == NULL)
            return strlen(key);
        len = (size_t)(bar - key) + (c + 1 < j ? 1 : 0);
    }
    return len;
}

/* Add the distinct prefixes of level j (bottom keys sorted: prefixes come
 * in order) as nodes. */
static int add_level(hz__hier *h, const hz_series_set *set, size_t j)
{
    for (size_t b = 0; b < set->nseries; b++) {
        const char *key = set->series[b].key;
        size_t len = j == 0 ? 0 : prefix_len(key, j);
        const char *last = h->m ? h->keys[h->m - 1] : NULL;
        if (h->m > 0 && h->level[h->m - 1] == (int)j &&
            (j == 0 || (strlen(last) == len && strncmp(last, key, len) == 0)))
            continue;
        char *k = j == 0 ? strdup("total") : strndup(key, len);
        if (k == NULL)
            return -1;
        h->keys[h->m] = k;
        h->level[h->m++] = (int)j;
    }
    return 0;
}

/* The middle levels are read from the bottom names ('|'-separated, one
 * value per group column): a name with another number of parts holds a
 * value that contains '|', and its parents could not be found.  One
 * column has no middle level: any name will do. */
static hz_status check_parts(const hz_series_set *set, size_t nby,
                             hz_error *err)
{
    for (size_t b = 0; nby > 1 && b < set->nseries; b++) {
        const char *key = set->series[b].key;
        size_t bars = 0;
        for (const char *p = key; (p = strchr(p, '|')) != NULL; p++)
            bars++;
        if (bars != nby - 1)
            return hz_error_set(err, HZ_EPARSE,
                                "reconcile: series '%s' has %zu "
                                "'|'-separated parts for %zu --by columns: "
                                "a group value contains '|', which joins "
                                "the levels' names; replace it in the data",
                                key, bars + 1, nby);
    }
    return HZ_OK;
}

static int cmp_key(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every node has its own name: the top one is 'total', so a group value
 * 'total' at the first level would share it, and the two forecasts
 * could not be told apart.  HZ_EPARSE naming it. */
static hz_status check_node_names(const hz__hier *h, hz_error *err)
{
    char **k = malloc(h->m * sizeof *k);
    if (k == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    memcpy(k, h->keys, h->m * sizeof *k);
    qsort(k, h->m, sizeof *k, cmp_key);
    hz_status st = HZ_OK;
    for (size_t i = 1; st == HZ_OK && i < h->m; i++)
        if (strcmp(k[i - 1], k[i]) == 0)
            st = hz_error_set(
                err, HZ_EPARSE,
                "reconcile: two nodes of the hierarchy share the name "
                "'%s'%s: their forecasts could not be told apart; rename "
                "the group in the data",
                k[i],
                strcmp(k[i], "total") == 0
                    ? " (a group value 'total' beside the top level, "
                      "which is named so)"
                    : "");
    free(k);
    return st;
}

hz_status hz__hier_build(const hz_series_set *set, size_t nby, hz__hier *h,
                         hz_error *err)
{
    memset(h, 0, sizeof *h);
    size_t nb = set->nseries;
    if (nb == 0 || nby == 0)
        return hz_error_set(err, HZ_EINVAL,
                            "reconcile: needs --by columns and series");
    hz_status st = check_parts(set, nby, err);
    if (st != HZ_OK)
        return st;
    int64_t start = set->series[0].start, end = start;
    for (size_t b = 0; b < nb; b++) {
        const hz_series *s = &set->series[b];
        start = s->start < start ? s->start : start;
        int64_t e = s->start + (int64_t)s->n;
        end = e > end ? e : end;
    }
    size_t cap = nb * (nby + 1);
    h->keys = calloc(cap, sizeof *h->keys);
    h->level = calloc(cap, sizeof *h->level);
    if (h->keys == NULL || h->level == NULL)
        goto nomem;
    for (size_t j = 0; j < nby; j++)
        if (add_level(h, set, j) != 0)
            goto nomem;
    size_t top = h->m;
    for (size_t b = 0; b < nb; b++) {
        if ((h->keys[h->m] = strdup(set->series[b].key)) == NULL)
            goto nomem;
        h->level[h->m++] = (int)nby;
    }
    /* the levels' names too ('Caf\xe9' and 'Caf\xe8' under one parent) */
    if ((st = check_node_names(h, err)) != HZ_OK ||
        (st = hz__series_names_utf8((const char *const *)h->keys, h->m,
                                    "reconcile", err)) != HZ_OK) {
        hz__hier_free(h);
        return st;
    }
    h->nb = nb;
    h->start = start;
    h->n = (size_t)(end - start);
    h->S = calloc(h->m * nb, sizeof *h->S);
    h->y = calloc(h->m, sizeof *h->y);
    h->off = malloc(h->m * sizeof *h->off);
    h->nobs = calloc(h->m, sizeof *h->nobs);
    h->nfilled = calloc(h->m, sizeof *h->nfilled);
    /* rows[i][t]: node i has a row at period t (a series under it does) */
    unsigned char *rows = calloc(h->m * (h->n ? h->n : 1), 1);
    /* each node's sums compensated as the series' own (numeric/ksum.h) */
    double *comp = calloc(h->m * (h->n ? h->n : 1), sizeof *comp);
    if (h->S == NULL || h->y == NULL || h->off == NULL || h->nobs == NULL ||
        h->nfilled == NULL || rows == NULL || comp == NULL) {
        free(rows);
        free(comp);
        goto nomem;
    }
    for (size_t i = 0; i < h->m; i++) {
        h->off[i] = h->n;
        if ((h->y[i] = calloc(h->n ? h->n : 1, sizeof(double))) == NULL) {
            free(rows);
            free(comp);
            goto nomem;
        }
    }
    for (size_t b = 0; b < nb; b++) {
        const hz_series *s = &set->series[b];
        size_t off = (size_t)(s->start - start);
        for (size_t i = 0; i < h->m; i++) {
            size_t len = strlen(h->keys[i]);
            int under = i >= top ? i - top == b
                        : h->level[i] == 0
                            ? 1
                            : strncmp(s->key, h->keys[i], len) == 0 &&
                                  s->key[len] == '|';
            if (!under)
                continue;
            h->S[i * nb + b] = 1.0;
            h->off[i] = off < h->off[i] ? off : h->off[i];
            h->nobs[i] += s->nobs;
            for (size_t t = 0; t < s->n; t++) {
                hz__ksum_add(&h->y[i][off + t], &comp[i * h->n + off + t],
                             s->values[t]);
                rows[i * h->n + off + t] |= s->filled_at == NULL ||
                                            !s->filled_at[t];
            }
        }
    }
    for (size_t i = 0; i < h->m; i++)
        for (size_t t = 0; t < h->n; t++) {
            if (t >= h->off[i])
                h->y[i][t] = hz__ksum_total(h->y[i][t], comp[i * h->n + t]);
            rows[i * h->n + t] = !rows[i * h->n + t]; /* now: filled */
            h->nfilled[i] += t >= h->off[i] && rows[i * h->n + t];
        }
    h->filled = rows;
    free(comp);
    return HZ_OK;
nomem:
    hz__hier_free(h);
    return hz_error_set(err, HZ_ENOMEM, "reconcile: out of memory");
}

/* Node i's residuals from its base model's fitted values over its own
 * history y (n values): y - fitted (NaN where the model has none); 0 when
 * fewer than half the periods (or fewer than 3) get one, as for a model
 * that reports no fitted values. */
static int base_residuals(const double *y, size_t n, const double *fitted,
                          double *r)
{
    size_t k = 0;
    for (size_t t = 0; t < n; t++) {
        r[t] = fitted != NULL ? y[t] - fitted[t] : NAN;
        k += isfinite(r[t]) != 0;
    }
    return k >= 3 && 2 * k >= n;
}

int hz__hier_residuals(const hz__hier *h, const double *const *fitted,
                       int period, int threads, double *resid)
{
    int nomem = 0;
    size_t n = h->n;
    if (threads <= 0)
        /* read by the num_threads clause, which the analyzer does not see:
         * NOLINTNEXTLINE(clang-analyzer-deadcode.DeadStores) */
        threads = hz_default_threads();
#pragma omp parallel num_threads(threads) reduction(| : nomem)
    {
        hz_ets_workspace *w = NULL;
        double *fit = NULL;
        hz_ets_opts o;
        hz_ets_opts_init(&o);
        o.maxit = 250; /* the default's auto-ETS budget */
        o.screen_keep = 3;
        o.screen_maxit = 40;
#pragma omp for schedule(dynamic, 1)
        for (size_t i = 0; i < h->m; i++) {
            /* the node's own history: none of its residuals before it */
            const size_t off = h->off[i], ni = n - off;
            const double *y = h->y[i] + off;
            double *r = resid + i * n;
            for (size_t t = 0; t < off; t++)
                r[t] = NAN;
            r += off;
            if (base_residuals(y, ni, fitted ? fitted[i] : NULL, r))
                continue;
            /* no fitted values from the base model: auto-ETS's */
            if (w == NULL && !nomem) {
                w = hz_ets_alloc(n);
                fit = malloc((n ? n : 1) * sizeof *fit);
                nomem = w == NULL || fit == NULL;
            }
            hz_ets_fit f;
            if (nomem ||
                hz_ets_fit_model(y, ni, period, &o, w, &f, NULL) != HZ_OK ||
                hz_ets_fitted(&f, y, fit, NULL) != HZ_OK)
                continue; /* too short for ETS: the base model's few */
            for (size_t t = 0; t < ni; t++)
                r[t] = y[t] - fit[t];
        }
        free(fit);
        hz_ets_free(w);
    }
    return nomem ? -1 : 0;
}
