/* Compact ranked summaries of results.  See include/horizon/summary.h. */
#include "horizon/summary.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "horizon/dataset.h"
#include "horizon/outfile.h"
#include "report/buf.h"

hz_summary *hz_summary_new(const char *kind)
{
    hz_summary *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    snprintf(s->kind, sizeof s->kind, "%s", kind ? kind : "");
    return s;
}

void hz_summary_free(hz_summary *s)
{
    if (s == NULL)
        return;
    free(s->items);
    free(s);
}

/* Copy src into dst (size n) on one line; cut at a word boundary with
 * "..." when too long (at a character boundary when the end has no
 * space). */
static void one_line(char *dst, size_t n, const char *src)
{
    size_t len = strlen(src);
    size_t i;
    for (i = 0; i < len && i + 1 < n; i++) {
        char c = src[i];
        dst[i] = (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
    }
    dst[i] = '\0';
    if (len >= n && n > 8) {
        size_t cut = n - 4;
        while (cut > n / 2 && dst[cut] != ' ')
            cut--;
        if (dst[cut] != ' ')
            cut = hz_utf8_cut(dst, n - 4);
        memcpy(dst + cut, "...", 4);
    }
}

static hz_status vadd(hz_summary *s, int importance, const char *key,
                      const char *fmt, va_list ap)
{
    char tmp[1024];
    if (s == NULL || key == NULL || fmt == NULL)
        return HZ_EINVAL;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        hz_summary_item *ni = realloc(s->items, cap * sizeof *ni);
        if (ni == NULL)
            return HZ_ENOMEM;
        s->items = ni;
        s->cap = cap;
    }
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    hz_summary_item *it = &s->items[s->n];
    it->importance = importance;
    snprintf(it->key, sizeof it->key, "%s", key);
    one_line(it->text, sizeof it->text, tmp);
    s->n++;
    return HZ_OK;
}

hz_status hz_summary_add(hz_summary *s, int importance, const char *key,
                         const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    hz_status st = vadd(s, importance, key, fmt, ap);
    va_end(ap);
    return st;
}

hz_status hz_summary_append(hz_summary *dst, const hz_summary *src,
                            int importance_offset, const char *key_prefix)
{
    if (dst == NULL || src == NULL)
        return HZ_EINVAL;
    for (size_t i = 0; i < src->n; i++) {
        char key[HZ_SUMMARY_KEY_MAX * 2];
        snprintf(key, sizeof key, "%s%s", key_prefix ? key_prefix : "",
                 src->items[i].key);
        hz_status st = hz_summary_add(
            dst, src->items[i].importance + importance_offset, key, "%s",
            src->items[i].text);
        if (st != HZ_OK)
            return st;
    }
    return HZ_OK;
}

void hz_summary_sort(hz_summary *s)
{
    if (s == NULL)
        return;
    /* insertion sort: stable, and summaries are short */
    for (size_t i = 1; i < s->n; i++) {
        hz_summary_item tmp = s->items[i];
        size_t j = i;
        while (j > 0 && s->items[j - 1].importance > tmp.importance) {
            s->items[j] = s->items[j - 1];
            j--;
        }
        s->items[j] = tmp;
    }
}

/* v in scientific notation with 3 significant digits and no trailing
 * zeros in the mantissa ("1.1e+15", "5e-05", "9.97e+14"). */
static void fmt_sci(double v, char *buf, size_t bufsz)
{
    hz__fmt_sci(v, 2, buf, bufsz);
}

/* The K/M/B/T step of |v| rounded to 3 significant digits (0: none), or
 * -1 when even T would show 1000 or more. */
static int suffix_step(double a)
{
    for (int k = 0; k <= 4; k++) {
        char tmp[32];
        snprintf(tmp, sizeof tmp, "%.3g", a / pow(1000.0, k));
        if (strtod(tmp, NULL) < 999.5)
            return k;
    }
    return -1;
}

/* Plain decimals with 3 significant digits, whatever the size
 * ("0.0000123"). */
static void fmt_plain(double v, char *buf, size_t bufsz)
{
    double a = fabs(v);
    if (a >= 1e-4 || a == 0) {
        snprintf(buf, bufsz, "%.3g", v);
        return;
    }
    int dec = 2 - (int)floor(log10(a));
    if (dec > 20) { /* 22 zeros would be unreadable */
        fmt_sci(v, buf, bufsz);
        return;
    }
    snprintf(buf, bufsz, "%.*f", dec, v);
    /* no trailing zeros, as %g */
    char *end = buf + strlen(buf);
    while (end > buf && end[-1] == '0')
        *--end = '\0';
    if (end > buf && end[-1] == '.')
        *--end = '\0';
}

char *hz_fmt_num(double v, char *buf, size_t bufsz)
{
    static const char suffix[] = {'\0', 'K', 'M', 'B', 'T'};
    if (!isfinite(v)) {
        snprintf(buf, bufsz, "%s",
                 isnan(v) ? "n/a" : (v > 0 ? "inf" : "-inf"));
        return buf;
    }
    if (v == 0)
        v = 0; /* -0.0 (a product with a zero) prints "0", not "-0" */
    double a = fabs(v);
    int k = suffix_step(a);
    if (k < 0 || (a != 0 && a < 1e-4)) { /* 1e+15, not 1e+03T */
        fmt_sci(v, buf, bufsz);
        return buf;
    }
    if (k == 0) {
        snprintf(buf, bufsz, "%.3g", v);
        return buf;
    }
    snprintf(buf, bufsz, "%.3g%c", v / pow(1000.0, k), suffix[k]);
    return buf;
}

void hz_fmt_nums(const double *v, size_t n, char (*buf)[HZ_FMT_NUM_MAX])
{
    double big = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i]) && fabs(v[i]) > big)
            big = fabs(v[i]);
    /* scientific for all when the largest needs it (from a thousand
     * trillion, or all below 1e-4: "9.97e+14 to 1.1e+15", never "997T to
     * 1.1e+15"); else none is ("0.00005 to 12.3") */
    bool sci = big > 0 && (suffix_step(big) < 0 || big < 1e-4);
    for (size_t i = 0; i < n; i++) {
        double a = fabs(v[i]);
        bool own = !isfinite(v[i]) || a == 0 || (!sci && a >= 1e-4);
        if (own) /* n/a, 0, or the value's own plain or K/M/B/T form */
            hz_fmt_num(v[i], buf[i], HZ_FMT_NUM_MAX);
        else if (sci)
            fmt_sci(v[i], buf[i], HZ_FMT_NUM_MAX);
        else
            fmt_plain(v[i], buf[i], HZ_FMT_NUM_MAX);
    }
}

char *hz_fmt_pct(double frac, int sign, char *buf, size_t bufsz)
{
    if (!isfinite(frac)) {
        snprintf(buf, bufsz, "n/a");
        return buf;
    }
    double p = frac * 100.0;
    /* round first so that 9.96% prints "10%"; a change that rounds to
     * nothing is "0.0%", neither "-0.0%" (a tiny fall) nor "+0.0%" */
    const bool one_dec = fabs(round(p * 10.0) / 10.0) < 10.0;
    if ((one_dec ? round(p * 10.0) : round(p)) == 0)
        p = 0;
    const char *plus = (sign && p > 0) ? "+" : "";
    /* a share neither none nor all never reads as either: 1 customer of
     * 20,000 at high risk printed "(0.0%)", 999 of 1,000 "(100%)" */
    const double shown = one_dec ? round(p * 10.0) / 10.0 : round(p);
    if (!sign && frac > 0 && frac < 1 && (shown <= 0 || shown >= 100)) {
        snprintf(buf, bufsz, "%s", shown <= 0 ? "<0.1%" : ">99%");
        return buf;
    }
    if (one_dec)
        snprintf(buf, bufsz, "%s%.1f%%", plus, p);
    else
        snprintf(buf, bufsz, "%s%.0f%%", plus, p);
    return buf;
}

double hz_rel_change(double x, double base)
{
    if (!isfinite(x) || !isfinite(base) || base == 0)
        return NAN;
    return (x - base) / fabs(base);
}

static double sum_range(const double *x, size_t from, size_t to)
{
    double s = 0;
    for (size_t i = from; i < to; i++)
        s += x[i];
    return s;
}

static const char *label_of(const hz_summary_forecast_in *in, size_t k,
                            char *buf, size_t bufsz)
{
    if (in->step_labels != NULL && in->step_labels[k] != NULL)
        return in->step_labels[k];
    snprintf(buf, bufsz, "%s %zu", in->unit ? in->unit : "step", k + 1);
    return buf;
}

hz_status hz_summary_forecast(const hz_summary_forecast_in *in,
                              hz_summary *out, hz_error *err)
{
    hz_status st = HZ_OK;
    char a[32], b[32], c[32], d[32];
    if (in == NULL || in->fc == NULL || in->fc->h == 0 || out == NULL)
        return hz_error_set(err, HZ_EINVAL, "summary: forecast with no steps");
    const hz_forecast *fc = in->fc;
    const char *name = in->name ? in->name : "series";
    const char *unit = in->unit ? in->unit : "period";
    const int ib = in->importance_base;
    size_t h = fc->h, n = in->n_history;
    const double *y = in->history;
    double total = sum_range(fc->mean, 0, h);

    /* 0: the forecast total, and its first periods against the same
     * periods a season before (like with like) */
    {
        hz_summary_span sp =
            hz_summary_span_of(h, y != NULL ? n : 0, in->seasons, in->period);
        double fs = sum_range(fc->mean, 0, sp.steps);
        double base = sp.steps && y != NULL ? sum_range(y, n - sp.lag,
                                           n - sp.lag + sp.steps)
                               : NAN;
        char line[HZ_SUMMARY_TEXT_MAX];
        hz_summary_total_text(h, unit, total, &sp, fs, base, line,
                              sizeof line);
        st = hz_summary_add(out, ib, "forecast.total", "%s forecast %s", name,
                            line);
    }
    if (st != HZ_OK)
        goto out;

    /* 1: growth over the last year of history */
    if (y != NULL && in->period > 0 && n >= 2 * (size_t)in->period &&
        isfinite(sum_range(y, n - 2 * (size_t)in->period, n))) {
        /* (sums past 1.8e308 are no figure: not "last 12 months: inf") */
        size_t p = (size_t)in->period;
        double l1 = sum_range(y, n - p, n),
               l0 = sum_range(y, n - 2 * p, n - p);
        char span[48], vs[96];
        if (p == 1) /* "last 1 years: ..., vs the 1 before" */
            snprintf(span, sizeof span, "%s", unit);
        else /* "96 15-minute periods", not "96 15-minutes" */
            snprintf(span, sizeof span, "%zu %s%s", p, unit,
                     strchr(unit, '-') != NULL ? " periods" : "s");
        /* after 0, a change in percent is none ("n/a vs") */
        if (isfinite(hz_rel_change(l1, l0)))
            snprintf(vs, sizeof vs, "%s vs the %s before",
                     hz_fmt_pct(hz_rel_change(l1, l0), 1, b, 32), span);
        else
            snprintf(vs, sizeof vs, "against %s in the %s before",
                     hz_fmt_num(l0, b, 32), span);
        st = hz_summary_add(out, ib + 1, "history.growth", "%s last %s: %s, %s",
                            name, span, hz_fmt_num(l1, a, 32), vs);
        if (st != HZ_OK)
            goto out;
    }

    /* 2: seasonal peak and trough of the forecast */
    if (h >= 3 && in->period > 1) {
        size_t imax = 0, imin = 0;
        for (size_t k = 1; k < h; k++) {
            if (fc->mean[k] > fc->mean[imax])
                imax = k;
            if (fc->mean[k] < fc->mean[imin])
                imin = k;
        }
        double avg = total / (double)h;
        char l1[64], l2[64], r[2][HZ_FMT_NUM_MAX];
        hz_fmt_nums((const double[]){fc->mean[imax], fc->mean[imin]}, 2, r);
        /* a flat forecast has no peak: "peak 2024-01 (5, +0.0% vs
         * forecast average), trough 2024-01 (5, +0.0%)"; flat is judged
         * on the values, within the percentages' 0.05%, not on their
         * rounded texts (1.000M and 1.004M print alike) */
        double spread = fc->mean[imax] - fc->mean[imin];
        if (spread == 0 || spread < 5e-4 * fabs(avg))
            st = hz_summary_add(out, ib + 2, "forecast.season",
                                "the forecast is flat: %s every %s", r[0],
                                unit);
        else
            st = hz_summary_add(
                out, ib + 2, "forecast.season",
                "peak %s (%s, %s vs forecast average), trough "
                "%s (%s, %s)",
                label_of(in, imax, l1, sizeof l1), r[0],
                hz_fmt_pct(hz_rel_change(fc->mean[imax], avg), 1, b, 32),
                label_of(in, imin, l2, sizeof l2), r[1],
                hz_fmt_pct(hz_rel_change(fc->mean[imin], avg), 1, d, 32));
        if (st != HZ_OK)
            goto out;
    }

    /* 3: interval width at the last step, widest level */
    if (fc->nlevels > 0) {
        size_t li = 0;
        for (size_t l = 1; l < fc->nlevels; l++)
            if (fc->levels[l] > fc->levels[li])
                li = l;
        double lo = fc->lower[li][h - 1], hi = fc->upper[li][h - 1];
        double m = fc->mean[h - 1];
        if (isfinite(lo) && isfinite(hi) && m != 0) {
            char l1[64], r[2][HZ_FMT_NUM_MAX];
            hz_fmt_nums((const double[]){lo, hi}, 2, r);
            st = hz_summary_add(out, ib + 3, "forecast.interval",
                                "%.0f%% interval at %s: %s to %s "
                                "(+/-%s of the forecast)",
                                fc->levels[li],
                                label_of(in, h - 1, l1, sizeof l1), r[0],
                                r[1],
                                hz_fmt_pct((hi - lo) / 2 / fabs(m), 0, c, 32));
            if (st != HZ_OK)
                goto out;
        }
    }

    /* 4: the model chosen; 6: why a fallback was used */
    if (fc->method[0] != '\0') {
        st = hz_summary_add(out, ib + 4, "forecast.model", "model: %s",
                            fc->method);
        if (st != HZ_OK)
            goto out;
    }
    /* 5: level: last observation and first forecast */
    if (y != NULL && n > 0) {
        char l1[64];
        st = hz_summary_add(out, ib + 5, "forecast.level",
                            "last observed %s: %s; first forecast %s: %s",
                            unit, hz_fmt_num(y[n - 1], a, 32),
                            label_of(in, 0, l1, sizeof l1),
                            hz_fmt_num(fc->mean[0], b, 32));
        if (st != HZ_OK)
            goto out;
    }
    if (fc->note[0] != '\0')
        st = hz_summary_add(out, ib + 6, "forecast.note", "note: %s",
                            fc->note);
out:
    if (st != HZ_OK)
        hz_error_set(err, st, "summary: out of memory");
    return st;
}

static int cmp_driver(const void *pa, const void *pb)
{
    const hz_summary_driver *a = *(const hz_summary_driver *const *)pa;
    const hz_summary_driver *b = *(const hz_summary_driver *const *)pb;
    double x = fabs(a->effect), y = fabs(b->effect);
    if (x != y)
        return x < y ? 1 : -1;
    return strcmp(a->name ? a->name : "", b->name ? b->name : "");
}

hz_status hz_summary_churn(size_t n_customers, double churn_rate,
                           double predicted_rate, size_t n_high_risk,
                           const hz_summary_driver *drivers, size_t ndrivers,
                           const char *model, int importance_base,
                           hz_summary *out, hz_error *err)
{
    char a[32], b[32];
    hz_status st;
    const int ib = importance_base;
    const hz_summary_driver **order = NULL;
    if (out == NULL || (ndrivers > 0 && drivers == NULL))
        return hz_error_set(err, HZ_EINVAL, "summary: bad churn arguments");
    st = hz_summary_add(
        out, ib, "churn.rate", "churn rate %s of %s customer%s",
        hz_fmt_pct(churn_rate, 0, a, 32),
        hz_fmt_num((double)n_customers, b, 32), n_customers == 1 ? "" : "s");
    if (st == HZ_OK && isfinite(predicted_rate))
        st = hz_summary_add(out, ib + 1, "churn.predicted",
                            "mean predicted churn risk %s",
                            hz_fmt_pct(predicted_rate, 0, a, 32));
    if (st == HZ_OK && n_customers > 0 && n_high_risk != SIZE_MAX)
        st = hz_summary_add(
            out, ib + 1, "churn.high_risk", "%s customer%s (%s) at high risk",
            hz_fmt_num((double)n_high_risk, a, 32),
            n_high_risk == 1 ? "" : "s",
            hz_fmt_pct((double)n_high_risk / (double)n_customers, 0, b, 32));
    if (st == HZ_OK && ndrivers > 0) {
        order = malloc(ndrivers * sizeof *order);
        if (order == NULL) {
            st = HZ_ENOMEM;
            goto out;
        }
        for (size_t i = 0; i < ndrivers; i++)
            order[i] = &drivers[i];
        qsort(order, ndrivers, sizeof *order, cmp_driver);
        size_t top = ndrivers < 5 ? ndrivers : 5;
        for (size_t i = 0; i < top && st == HZ_OK; i++) {
            char key[32];
            snprintf(key, sizeof key, "churn.driver%zu", i + 1);
            st = hz_summary_add(out, ib + 2 + (int)i, key,
                                "churn driver %zu: %s (effect %s%s)", i + 1,
                                order[i]->name ? order[i]->name : "?",
                                order[i]->effect >= 0 ? "+" : "",
                                hz_fmt_num(order[i]->effect, a, 32));
        }
    }
    if (st == HZ_OK && model != NULL && model[0] != '\0')
        st = hz_summary_add(out, ib + 4, "churn.model", "churn model: %s",
                            model);
out:
    free(order);
    if (st != HZ_OK)
        hz_error_set(err, st, "summary: out of memory");
    return st;
}

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* Quantile of sorted x[0..n) (linear interpolation, type 7). */
static double quantile(const double *x, size_t n, double q)
{
    double pos = q * (double)(n - 1);
    size_t lo = (size_t)floor(pos);
    size_t hi = lo + 1 < n ? lo + 1 : lo;
    double f = pos - (double)lo;
    return x[lo] + f * (x[hi] - x[lo]);
}

hz_status hz_summary_clv(const double *clv, size_t n, double horizon_months,
                         const char *model, int importance_base,
                         hz_summary *out, hz_error *err)
{
    char a[32], c[32], e[32];
    hz_status st = HZ_OK;
    const int ib = importance_base;
    double *x = NULL;
    size_t m = 0;
    if (out == NULL || (n > 0 && clv == NULL))
        return hz_error_set(err, HZ_EINVAL, "summary: bad clv arguments");
    x = malloc((n ? n : 1) * sizeof *x);
    if (x == NULL)
        return hz_error_set(err, HZ_ENOMEM, "summary: out of memory");
    for (size_t i = 0; i < n; i++)
        if (isfinite(clv[i]))
            x[m++] = clv[i];
    if (m == 0) {
        free(x);
        return hz_error_set(err, HZ_ETOOSHORT, "summary: no finite CLV");
    }
    qsort(x, m, sizeof *x, cmp_double);
    double total = 0;
    for (size_t i = 0; i < m; i++)
        total += x[i];
    size_t top = (m + 9) / 10;
    double top_sum = 0;
    for (size_t i = m - top; i < m; i++)
        top_sum += x[i];
    /* the mean and the total in one style: "mean 14.2T, total 4.25e+15"
     * read as two kinds of number */
    char mt[2][HZ_FMT_NUM_MAX];
    hz_fmt_nums((const double[]){total / (double)m, total}, 2, mt);
    if (isfinite(horizon_months) && horizon_months > 0)
        st = hz_summary_add(out, ib, "clv.mean",
                            "mean %.0f-month CLV %s, total %s across %s "
                            "customer%s",
                            horizon_months, mt[0], mt[1],
                            hz_fmt_num((double)m, c, 32), m == 1 ? "" : "s");
    else
        st = hz_summary_add(
            out, ib, "clv.mean", "mean CLV %s, total %s across %s customer%s",
            mt[0], mt[1], hz_fmt_num((double)m, c, 32), m == 1 ? "" : "s");
    if (st == HZ_OK) {
        char q[4][HZ_FMT_NUM_MAX];
        hz_fmt_nums((const double[]){quantile(x, m, 0.10),
                                     quantile(x, m, 0.50),
                                     quantile(x, m, 0.90),
                                     quantile(x, m, 0.99)},
                    4, q);
        st = hz_summary_add(out, ib + 1, "clv.quantiles",
                            "CLV quantiles p10 %s, p50 %s, p90 %s, p99 %s",
                            q[0], q[1], q[2], q[3]);
    }
    if (st == HZ_OK && total > 0)
        st = hz_summary_add(out, ib + 2, "clv.concentration",
                            "top 10%% of customers (%s) hold %s of total "
                            "CLV",
                            hz_fmt_num((double)top, e, 32),
                            hz_fmt_pct(top_sum / total, 0, a, 32));
    if (st == HZ_OK && model != NULL && model[0] != '\0')
        st = hz_summary_add(out, ib + 4, "clv.model", "CLV model: %s", model);
    free(x);
    if (st != HZ_OK)
        hz_error_set(err, st, "summary: out of memory");
    return st;
}

hz_status hz_summary_segments(const char *const *names, const size_t *sizes,
                              const double *revenue, size_t k,
                              int importance_base, hz_summary *out,
                              hz_error *err)
{
    char a[32], b[32], c[32];
    hz_status st;
    size_t *order = NULL;
    const int ib = importance_base;
    if (out == NULL || k == 0 || sizes == NULL)
        return hz_error_set(err, HZ_EINVAL,
                            "summary: segments need at least one size");
    double nt = 0, rt = 0;
    for (size_t i = 0; i < k; i++) {
        nt += (double)sizes[i];
        rt += revenue ? revenue[i] : 0;
    }
    order = malloc(k * sizeof *order);
    if (order == NULL)
        return hz_error_set(err, HZ_ENOMEM, "summary: out of memory");
    for (size_t i = 0; i < k; i++)
        order[i] = i;
    /* order by revenue share (then size), largest first; stable */
    for (size_t i = 1; i < k; i++) {
        size_t t = order[i], j = i;
        double kt = revenue ? revenue[t] : (double)sizes[t];
        while (j > 0) {
            size_t p = order[j - 1];
            double kp = revenue ? revenue[p] : (double)sizes[p];
            if (kp >= kt)
                break;
            order[j] = p;
            j--;
        }
        order[j] = t;
    }
    st = hz_summary_add(
        out, ib, "segment.count", "%zu segment%s over %s customer%s%s%s", k,
        k == 1 ? "" : "s", hz_fmt_num(nt, a, 32), nt == 1 ? "" : "s",
        revenue ? ", revenue " : "", revenue ? hz_fmt_num(rt, b, 32) : "");
    for (size_t r = 0; r < k && st == HZ_OK; r++) {
        size_t i = order[r];
        char key[32], nb[32];
        const char *nm = names && names[i] ? names[i] : NULL;
        if (nm == NULL) {
            snprintf(nb, sizeof nb, "segment %zu", i + 1);
            nm = nb;
        }
        snprintf(key, sizeof key, "segment.%zu", r + 1);
        if (revenue != NULL && rt != 0)
            st = hz_summary_add(
                out, ib + 1 + (int)r, key,
                "'%s': %s of customers, %s of revenue", nm,
                hz_fmt_pct(nt > 0 ? (double)sizes[i] / nt : NAN, 0, a, 32),
                hz_fmt_pct(revenue[i] / rt, 0, c, 32));
        else
            st = hz_summary_add(
                out, ib + 1 + (int)r, key, "'%s': %s of customers", nm,
                hz_fmt_pct(nt > 0 ? (double)sizes[i] / nt : NAN, 0, a, 32));
    }
    free(order);
    if (st != HZ_OK)
        hz_error_set(err, st, "summary: out of memory");
    return st;
}

static int looks_like_amount(const char *name)
{
    static const char *words[] = {"revenue", "amount",   "spend", "sales",
                                  "price",   "quantity", "total", "value"};
    char low[64];
    size_t i;
    for (i = 0; name[i] && i + 1 < sizeof low; i++)
        low[i] = (char)tolower((unsigned char)name[i]);
    low[i] = '\0';
    for (size_t w = 0; w < sizeof words / sizeof words[0]; w++)
        if (strstr(low, words[w]) != NULL)
            return (int)(sizeof words / sizeof words[0] - w);
    return 0;
}

hz_status hz_summary_dataset(const hz_profile *p, int importance_base,
                             hz_summary *out, hz_error *err)
{
    char a[32], b[32], line[HZ_SUMMARY_TEXT_MAX];
    hz_status st;
    const int ib = importance_base;
    if (p == NULL || out == NULL)
        return hz_error_set(err, HZ_EINVAL, "summary: no profile");
    st = hz_summary_add(out, ib, "dataset.size",
                        "dataset: %s rows, %zu "
                        "columns",
                        hz_fmt_num((double)p->nrows, a, 32), p->ncols);
    /* date range of the first date column */
    for (size_t i = 0; i < p->ncols && st == HZ_OK; i++) {
        const hz_column_profile *c = &p->cols[i];
        if ((c->type == HZ_TYPE_DATE || c->type == HZ_TYPE_TIMESTAMP) &&
            c->count > 0 && isfinite(c->min) && isfinite(c->max)) {
            double lo = c->min, hi = c->max;
            if (c->type == HZ_TYPE_TIMESTAMP) {
                lo = floor(lo / 86400.0);
                hi = floor(hi / 86400.0);
            }
            char d1[16], d2[16];
            hz_format_day((int32_t)lo, d1);
            hz_format_day((int32_t)hi, d2);
            st = hz_summary_add(out, ib + 1, "dataset.dates",
                                "%s from %s to %s (%.0f days)", c->name, d1,
                                d2, hi - lo + 1);
            break;
        }
    }
    /* up to 3 numeric totals, amount-like names first */
    int used[3] = {-1, -1, -1};
    for (int slot = 0; slot < 3 && st == HZ_OK; slot++) {
        int best = -1, bestscore = -1;
        for (size_t i = 0; i < p->ncols; i++) {
            const hz_column_profile *c = &p->cols[i];
            if (!(c->type == HZ_TYPE_INT64 || c->type == HZ_TYPE_FLOAT64) ||
                !isfinite(c->sum) || c->count == 0)
                continue;
            if ((int)i == used[0] || (int)i == used[1])
                continue;
            int score = looks_like_amount(c->name) * 100 - (int)(i % 100);
            if (score > bestscore) {
                bestscore = score;
                best = (int)i;
            }
        }
        if (best < 0)
            break;
        used[slot] = best;
        const hz_column_profile *c = &p->cols[best];
        char key[HZ_SUMMARY_KEY_MAX];
        snprintf(key, sizeof key, "dataset.total%d", slot + 1);
        st = hz_summary_add(out, ib + 2 + slot, key, "%s: total %s, mean %s",
                            c->name, hz_fmt_num(c->sum, a, 32),
                            hz_fmt_num(c->mean, b, 32));
    }
    /* distinct counts of string columns, on one line */
    if (st == HZ_OK) {
        size_t len = 0;
        line[0] = '\0';
        for (size_t i = 0; i < p->ncols; i++) {
            const hz_column_profile *c = &p->cols[i];
            if (c->type != HZ_TYPE_STRING)
                continue;
            int w = snprintf(line + len, sizeof line - len, "%s%s %s",
                             len ? ", " : "", c->name,
                             hz_fmt_num((double)c->distinct, a, 32));
            if (w < 0 || (size_t)w >= sizeof line - len) {
                line[len] = '\0';
                break;
            }
            len += (size_t)w;
        }
        if (len > 0)
            st = hz_summary_add(out, ib + 3, "dataset.distinct",
                                "distinct values: %s", line);
    }
    /* null shares */
    if (st == HZ_OK && p->nrows > 0) {
        size_t len = 0;
        line[0] = '\0';
        for (size_t i = 0; i < p->ncols; i++) {
            const hz_column_profile *c = &p->cols[i];
            if (c->nulls == 0)
                continue;
            int w = snprintf(
                line + len, sizeof line - len, "%s%s %s", len ? ", " : "",
                c->name,
                hz_fmt_pct((double)c->nulls / (double)p->nrows, 0, a, 32));
            if (w < 0 || (size_t)w >= sizeof line - len) {
                line[len] = '\0';
                break;
            }
            len += (size_t)w;
        }
        st = hz_summary_add(out, ib + 5, "dataset.nulls", "%s%s",
                            len ? "nulls: " : "no null values",
                            len ? line : "");
    }
    if (st != HZ_OK)
        hz_error_set(err, st, "summary: out of memory");
    return st;
}
