/* Transactions -> regular series per group (see horizon/series.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "horizon/series.h"

static const char *const FREQ_NAMES[] = {"infer", "day",     "week",
                                         "month", "quarter", "year"};

const char *hz_freq_name(hz_freq f)
{
    return (unsigned)f <= HZ_FREQ_YEAR ? FREQ_NAMES[f] : "unknown";
}

bool hz_freq_parse(const char *s, hz_freq *out)
{
    static const struct {
        const char *s;
        hz_freq f;
    } t[] = {{"day", HZ_FREQ_DAY},
             {"daily", HZ_FREQ_DAY},
             {"d", HZ_FREQ_DAY},
             {"week", HZ_FREQ_WEEK},
             {"weekly", HZ_FREQ_WEEK},
             {"w", HZ_FREQ_WEEK},
             {"month", HZ_FREQ_MONTH},
             {"monthly", HZ_FREQ_MONTH},
             {"m", HZ_FREQ_MONTH},
             {"quarter", HZ_FREQ_QUARTER},
             {"quarterly", HZ_FREQ_QUARTER},
             {"q", HZ_FREQ_QUARTER},
             {"year", HZ_FREQ_YEAR},
             {"yearly", HZ_FREQ_YEAR},
             {"annual", HZ_FREQ_YEAR},
             {"y", HZ_FREQ_YEAR},
             {"infer", HZ_FREQ_INFER},
             {"auto", HZ_FREQ_INFER}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strcmp(s, t[i].s) == 0) {
            *out = t[i].f;
            return true;
        }
    return false;
}

bool hz_agg_parse(const char *s, hz_agg *out)
{
    if (strcmp(s, "sum") == 0)
        *out = HZ_AGG_SUM;
    else if (strcmp(s, "mean") == 0 || strcmp(s, "avg") == 0)
        *out = HZ_AGG_MEAN;
    else if (strcmp(s, "count") == 0)
        *out = HZ_AGG_COUNT;
    else
        return false;
    return true;
}

int hz_freq_period(hz_freq f)
{
    switch (f) {
    case HZ_FREQ_DAY: return 7;
    case HZ_FREQ_WEEK: return 52;
    case HZ_FREQ_MONTH: return 12;
    case HZ_FREQ_QUARTER: return 4;
    default: return 1;
    }
}

/* The value of the n decimal digits at s, or -1 when one of them is not a
 * digit. */
static int digits_value(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static int64_t floordiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

int64_t hz_period_of_day(hz_freq f, int32_t day)
{
    int y;
    unsigned m, d;
    switch (f) {
    case HZ_FREQ_WEEK: return floordiv((int64_t)day + 3, 7);
    case HZ_FREQ_MONTH:
        hz_civil_from_days(day, &y, &m, &d);
        return (int64_t)y * 12 + (m - 1);
    case HZ_FREQ_QUARTER:
        hz_civil_from_days(day, &y, &m, &d);
        return (int64_t)y * 4 + (m - 1) / 3;
    case HZ_FREQ_YEAR: hz_civil_from_days(day, &y, &m, &d); return y;
    default: return day;
    }
}

int32_t hz_period_start(hz_freq f, int64_t p)
{
    switch (f) {
    case HZ_FREQ_WEEK: return (int32_t)(p * 7 - 3);
    case HZ_FREQ_MONTH:
        return hz_days_from_civil((int)floordiv(p, 12),
                                  (unsigned)(p - floordiv(p, 12) * 12) + 1, 1);
    case HZ_FREQ_QUARTER:
        return hz_days_from_civil((int)floordiv(p, 4),
                                  (unsigned)(p - floordiv(p, 4) * 4) * 3 + 1,
                                  1);
    case HZ_FREQ_YEAR: return hz_days_from_civil((int)p, 1, 1);
    default: return (int32_t)p;
    }
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

hz_freq hz_freq_infer(const int32_t *days, size_t n)
{
    if (n < 2)
        return HZ_FREQ_DAY;
    int32_t *gap = malloc((n - 1) * sizeof *gap);
    if (gap == NULL)
        return HZ_FREQ_DAY;
    for (size_t i = 1; i < n; i++)
        gap[i - 1] = days[i] - days[i - 1];
    qsort(gap, n - 1, sizeof *gap, cmp_i32);
    int32_t med = gap[(n - 1) / 2];
    free(gap);
    if (med <= 3)
        return HZ_FREQ_DAY; /* 1, or business days over weekends */
    if (med <= 10)
        return HZ_FREQ_WEEK;
    if (med <= 35)
        return HZ_FREQ_MONTH;
    if (med <= 100)
        return HZ_FREQ_QUARTER;
    return HZ_FREQ_YEAR;
}

void hz_series_opts_init(hz_series_opts *o)
{
    memset(o, 0, sizeof *o);
    o->freq = HZ_FREQ_INFER;
    o->agg = HZ_AGG_SUM;
    o->fill = HZ_FILL_ZERO;
    o->trim_leading = true;
    o->extend_to_end = true;
}

void hz_series_set_free(hz_series_set *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->nseries; i++) {
        free(s->series[i].key);
        free(s->series[i].values);
    }
    free(s->series);
    free(s);
}

/* ---- a small open-addressing map uint64 -> uint32 ---- */
typedef struct u64map {
    uint64_t *keys;
    uint32_t *vals;
    size_t cap, n;
} u64map;

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

static int map_init(u64map *m, size_t cap)
{
    m->cap = 64;
    while (m->cap < cap * 2)
        m->cap *= 2;
    m->n = 0;
    m->keys = malloc(m->cap * sizeof *m->keys);
    m->vals = malloc(m->cap * sizeof *m->vals);
    if (m->keys == NULL || m->vals == NULL)
        return -1;
    memset(m->vals, 0xff, m->cap * sizeof *m->vals);
    return 0;
}

static void map_free(u64map *m)
{
    free(m->keys);
    free(m->vals);
}

/* Value of key, inserting next id when new; UINT32_MAX on ENOMEM. */
static uint32_t map_get(u64map *m, uint64_t key)
{
    size_t i = mix64(key) & (m->cap - 1);
    while (m->vals[i] != UINT32_MAX) {
        if (m->keys[i] == key)
            return m->vals[i];
        i = (i + 1) & (m->cap - 1);
    }
    if ((m->n + 1) * 2 > m->cap) {
        u64map g;
        if (map_init(&g, m->cap) != 0) {
            map_free(&g);
            return UINT32_MAX;
        }
        for (size_t k = 0; k < m->cap; k++)
            if (m->vals[k] != UINT32_MAX) {
                size_t j = mix64(m->keys[k]) & (g.cap - 1);
                while (g.vals[j] != UINT32_MAX)
                    j = (j + 1) & (g.cap - 1);
                g.keys[j] = m->keys[k];
                g.vals[j] = m->vals[k];
            }
        g.n = m->n;
        map_free(m);
        *m = g;
        /* m holds g's arrays: NOLINTBEGIN(clang-analyzer-unix.Malloc) */
        i = mix64(key) & (m->cap - 1);
        while (m->vals[i] != UINT32_MAX)
            i = (i + 1) & (m->cap - 1);
        /* NOLINTEND(clang-analyzer-unix.Malloc) */
    }
    m->keys[i] = key;
    m->vals[i] = (uint32_t)m->n;
    return (uint32_t)m->n++;
}

/* Day of a date-like text: YYYY-MM-DD[...], YYYY-MM, YYYY/MM, YYYY. */
static int32_t text_day(const char *s)
{
    int64_t secs;
    bool ts;
    hz_datefmt det;
    size_t len = strlen(s);
    if (hz_parse_datetime(s, len, HZ_DATEFMT_NONE, &secs, &ts, &det))
        return (int32_t)floordiv(secs, 86400);
    /* YYYY-MM, YYYY/MM and YYYY: digits only, nothing else */
    int y = digits_value(s, 4);
    if (len == 7 && y >= 0 && (s[4] == '-' || s[4] == '/')) {
        int m = digits_value(s + 5, 2);
        if (m >= 1 && m <= 12)
            return hz_days_from_civil(y, (unsigned)m, 1);
    }
    if (len == 4 && y >= 0)
        return hz_days_from_civil(y, 1, 1);
    return INT32_MIN;
}

typedef struct group_info {
    int64_t pmin, pmax;
    size_t nobs;
    uint32_t first_row;
} group_info;

static int cmp_series(const void *a, const void *b)
{
    return strcmp(((const hz_series *)a)->key, ((const hz_series *)b)->key);
}

hz_status hz_series_build(const hz_dataset *ds, const hz_series_opts *o,
                          hz_series_set **out, hz_error *err)
{
    hz_status st = HZ_OK;
    *out = NULL;
    int32_t *rowday = NULL, *sdays = NULL;
    uint32_t *gid = NULL, *textcode = NULL;
    group_info *gi = NULL;
    hz_series_set *set = NULL;
    u64map map = {0};
    hz_dict **tdict = NULL;
    double *cnt = NULL;
    const char *src = ds->source ? ds->source : "dataset";

    if (o->date_col == NULL)
        return hz_error_set(err, HZ_EINVAL, "no date column given");
    const hz_column *dc = hz_dataset_column(ds, o->date_col, err);
    if (dc == NULL)
        return HZ_ENOTFOUND;
    const hz_column *vc = NULL;
    if (o->value_col != NULL) {
        vc = hz_dataset_column(ds, o->value_col, err);
        if (vc == NULL)
            return HZ_ENOTFOUND;
        if (!hz_type_is_numeric(vc->type) && vc->type != HZ_TYPE_NULL)
            return hz_error_set(err, HZ_ETYPE,
                                "column '%s' in %s is %s, not numeric: "
                                "cannot use it as the value",
                                o->value_col, src, hz_type_name(vc->type));
    } else if (o->agg != HZ_AGG_COUNT) {
        return hz_error_set(err, HZ_EINVAL,
                            "no value column given (needed unless the "
                            "aggregation is count)");
    }
    const hz_column *bc[16];
    if (o->nby > 16)
        return hz_error_set(err, HZ_EINVAL, "at most 16 group columns");
    for (size_t k = 0; k < o->nby; k++) {
        bc[k] = hz_dataset_column(ds, o->by_cols[k], err);
        if (bc[k] == NULL)
            return HZ_ENOTFOUND;
    }
    if (dc->type != HZ_TYPE_DATE && dc->type != HZ_TYPE_TIMESTAMP &&
        dc->type != HZ_TYPE_STRING)
        return hz_error_set(err, HZ_ETYPE,
                            "column '%s' in %s is %s, not a date", o->date_col,
                            src, hz_type_name(dc->type));

    size_t n = ds->nrows;
    rowday = malloc((n ? n : 1) * sizeof *rowday);
    gid = malloc((n ? n : 1) * sizeof *gid);
    if (rowday == NULL || gid == NULL)
        goto nomem;

    /* dates */
    int32_t dmin = INT32_MAX, dmax = INT32_MIN;
    size_t ndated = 0;
    if (dc->type == HZ_TYPE_STRING) {
        size_t nd = hz_dict_size(dc->dict);
        int32_t *cache = malloc((nd ? nd : 1) * sizeof *cache);
        if (cache == NULL)
            goto nomem;
        size_t bad = 0;
        for (size_t c = 0; c < nd; c++) {
            cache[c] = text_day(hz_dict_str(dc->dict, (uint32_t)c));
            if (cache[c] == INT32_MIN)
                bad++;
        }
        for (size_t i = 0; i < n; i++)
            rowday[i] = hz_col_is_null(dc, i) ? INT32_MIN
                                              : cache[dc->v.code[i]];
        if (bad > 0 && bad == nd) {
            free(cache);
            st = hz_error_set(
                err, HZ_ETYPE, "column '%s' in %s is not a date (e.g. '%s')",
                o->date_col, src, nd ? hz_dict_str(dc->dict, 0) : "");
            goto out;
        }
        free(cache);
    } else {
        for (size_t i = 0; i < n; i++)
            rowday[i] = hz_col_day(dc, i);
    }
    for (size_t i = 0; i < n; i++) {
        int32_t d = rowday[i];
        if (d == INT32_MIN)
            continue;
        if (vc != NULL && o->agg != HZ_AGG_COUNT &&
            isnan(hz_col_number(vc, i))) {
            rowday[i] = INT32_MIN;
            continue;
        }
        ndated++;
        if (d < dmin)
            dmin = d;
        if (d > dmax)
            dmax = d;
    }
    if (ndated == 0) {
        st = hz_error_set(err, HZ_EINVAL,
                          "no rows with both a date in '%s' and a value%s%s"
                          "%s in %s",
                          o->date_col, vc ? " in '" : "",
                          vc ? o->value_col : "", vc ? "'" : "", src);
        goto out;
    }
    hz_freq freq = o->freq;
    if (freq == HZ_FREQ_INFER) {
        /* distinct days via a bitmap over the range */
        size_t range = (size_t)((int64_t)dmax - dmin + 1);
        size_t nd = 0;
        if (range <= 50000000) {
            uint8_t *seen = calloc(range, 1);
            sdays = malloc((range < ndated ? range : ndated) * sizeof *sdays);
            if (seen == NULL || sdays == NULL) {
                free(seen);
                goto nomem;
            }
            for (size_t i = 0; i < n; i++)
                if (rowday[i] != INT32_MIN)
                    seen[rowday[i] - dmin] = 1;
            for (size_t k = 0; k < range; k++)
                if (seen[k])
                    sdays[nd++] = (int32_t)(dmin + (int64_t)k);
            free(seen);
        }
        freq = hz_freq_infer(sdays, nd);
    }

    /* groups */
    if (o->nby > 0) {
        tdict = calloc(o->nby, sizeof *tdict);
        textcode = malloc(n * sizeof *textcode);
        if (tdict == NULL || textcode == NULL || map_init(&map, 1024) != 0)
            goto nomem;
    }
    for (size_t i = 0; i < n; i++)
        gid[i] = 0;
    for (size_t k = 0; k < o->nby; k++) {
        const hz_column *c = bc[k];
        /* per-row code of this column */
        if (c->type == HZ_TYPE_STRING) {
            for (size_t i = 0; i < n; i++)
                textcode[i] = hz_col_is_null(c, i) ? UINT32_MAX - 1
                                                   : c->v.code[i];
        } else {
            tdict[k] = hz_dict_new();
            if (tdict[k] == NULL)
                goto nomem;
            char buf[64];
            for (size_t i = 0; i < n; i++) {
                if (hz_col_is_null(c, i)) {
                    textcode[i] = UINT32_MAX - 1;
                    continue;
                }
                const char *t = hz_col_text(c, i, buf, sizeof buf);
                textcode[i] = hz_dict_intern(tdict[k], t, strlen(t));
                if (textcode[i] == UINT32_MAX)
                    goto nomem;
            }
        }
        map.n = 0;
        memset(map.vals, 0xff, map.cap * sizeof *map.vals);
        for (size_t i = 0; i < n; i++) {
            uint32_t g = map_get(&map, ((uint64_t)gid[i] << 32) | textcode[i]);
            if (g == UINT32_MAX)
                goto nomem;
            gid[i] = g;
        }
    }
    size_t ng = o->nby > 0 ? map.n : 1;
    gi = calloc(ng, sizeof *gi);
    if (gi == NULL)
        goto nomem;
    for (size_t g = 0; g < ng; g++) {
        gi[g].pmin = INT64_MAX;
        gi[g].pmax = INT64_MIN;
        gi[g].first_row = UINT32_MAX;
    }
    int64_t gmax = INT64_MIN;
    for (size_t i = 0; i < n; i++) {
        if (rowday[i] == INT32_MIN)
            continue;
        group_info *g = &gi[gid[i]];
        int64_t p = hz_period_of_day(freq, rowday[i]);
        rowday[i] = (int32_t)p; /* from here on: the period index */
        if (p < g->pmin)
            g->pmin = p;
        if (p > g->pmax)
            g->pmax = p;
        if (g->first_row == UINT32_MAX)
            g->first_row = (uint32_t)i;
        g->nobs++;
        if (p > gmax)
            gmax = p;
    }
    set = calloc(1, sizeof *set);
    if (set == NULL)
        goto nomem;
    set->freq = freq;
    set->period = hz_freq_period(freq);
    set->series = calloc(ng, sizeof *set->series);
    if (set->series == NULL)
        goto nomem;
    uint32_t *slot = malloc(ng * sizeof *slot);
    if (slot == NULL)
        goto nomem;
    size_t ns = 0;
    size_t maxlen = 0;
    for (size_t g = 0; g < ng; g++) {
        slot[g] = UINT32_MAX;
        if (gi[g].nobs == 0)
            continue;
        hz_series *s = &set->series[ns];
        int64_t end = o->extend_to_end ? gmax : gi[g].pmax;
        s->start = gi[g].pmin;
        s->n = (size_t)(end - gi[g].pmin + 1);
        s->values = calloc(s->n, sizeof(double));
        if (s->values == NULL) {
            free(slot);
            goto nomem;
        }
        if (s->n > maxlen)
            maxlen = s->n;
        s->nobs = gi[g].nobs;
        /* key from the first row */
        char key[1024];
        size_t kl = 0;
        key[0] = '\0';
        for (size_t k = 0; k < o->nby; k++) {
            char buf[64];
            const char *t = hz_col_text(bc[k], gi[g].first_row, buf,
                                        sizeof buf);
            int w = snprintf(key + kl, sizeof key - kl, "%s%s", k ? "|" : "",
                             t ? t : "");
            if (w > 0)
                kl += (size_t)w < sizeof key - kl ? (size_t)w
                                                  : sizeof key - kl - 1;
        }
        s->key = strdup(o->nby > 0 ? key : "total");
        if (s->key == NULL) {
            free(slot);
            goto nomem;
        }
        slot[g] = (uint32_t)ns++;
    }
    set->nseries = ns;
    /* accumulate */
    size_t tot = 0;
    for (size_t s = 0; s < ns; s++)
        tot += set->series[s].n;
    cnt = calloc(tot ? tot : 1, sizeof *cnt);
    double **cnts = malloc((ns ? ns : 1) * sizeof *cnts);
    if (cnt == NULL || cnts == NULL) {
        free(cnts);
        free(slot);
        goto nomem;
    }
    tot = 0;
    for (size_t s = 0; s < ns; s++) {
        cnts[s] = cnt + tot;
        tot += set->series[s].n;
    }
    for (size_t i = 0; i < n; i++) {
        if (rowday[i] == INT32_MIN)
            continue;
        uint32_t sl = slot[gid[i]];
        hz_series *s = &set->series[sl];
        size_t t = (size_t)((int64_t)rowday[i] - s->start);
        double v = (vc != NULL && o->agg != HZ_AGG_COUNT)
                       ? hz_col_number(vc, i)
                       : 1.0;
        s->values[t] += v;
        cnts[sl][t] += 1.0;
        set->rows_used++;
    }
    set->rows_skipped = n - set->rows_used;
    for (size_t sl = 0; sl < ns; sl++) {
        hz_series *s = &set->series[sl];
        double *c = cnts[sl];
        for (size_t t = 0; t < s->n; t++) {
            if (c[t] > 0 && o->agg == HZ_AGG_MEAN)
                s->values[t] /= c[t];
            if (c[t] == 0)
                s->nfilled++;
        }
        if (o->fill == HZ_FILL_INTERPOLATE) {
            size_t prev = SIZE_MAX;
            for (size_t t = 0; t < s->n; t++) {
                if (c[t] == 0)
                    continue;
                if (prev != SIZE_MAX && t > prev + 1) {
                    for (size_t u = prev + 1; u < t; u++)
                        s->values[u] = s->values[prev] +
                                       (s->values[t] - s->values[prev]) *
                                           (double)(u - prev) /
                                           (double)(t - prev);
                }
                prev = t;
            }
            for (size_t u = prev + 1; prev != SIZE_MAX && u < s->n; u++)
                s->values[u] = s->values[prev];
        }
    }
    free(cnts);
    free(slot);
    qsort(set->series, ns, sizeof *set->series, cmp_series);
    *out = set;
    set = NULL;
    goto out;
nomem:
    st = hz_error_set(err, HZ_ENOMEM, "out of memory building series");
out:
    if (tdict != NULL)
        for (size_t k = 0; k < o->nby; k++)
            hz_dict_free(tdict[k]);
    free(tdict);
    free(textcode);
    free(rowday);
    free(sdays);
    free(gid);
    free(gi);
    free(cnt);
    map_free(&map);
    hz_series_set_free(set);
    return st;
}

hz_status hz_series_read_long(const hz_dataset *ds, const char *id_col,
                              const char *date_col, const char *value_col,
                              hz_freq freq, hz_fill fill, hz_series_set **out,
                              hz_error *err)
{
    hz_series_opts o;
    hz_series_opts_init(&o);
    const char *by[1] = {id_col};
    o.date_col = date_col;
    o.value_col = value_col;
    o.by_cols = by;
    o.nby = 1;
    o.freq = freq;
    o.fill = fill;
    o.agg = HZ_AGG_SUM;
    o.extend_to_end = false;
    return hz_series_build(ds, &o, out, err);
}
