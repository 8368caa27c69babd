/* Axis ticks.  See scale.h. */
#include "report/scale.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "horizon/dataset.h"

static const char *const month_abbr[12] = {"Jan", "Feb", "Mar", "Apr",
                                           "May", "Jun", "Jul", "Aug",
                                           "Sep", "Oct", "Nov", "Dec"};

/* The nice step (1, 2, 2.5, 5 x 10^k) closest above raw. */
static double nice_step(double raw)
{
    double p = pow(10, floor(log10(raw)));
    double m = raw / p;
    double s = m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10;
    return s * p;
}

/* Decimals that show a multiple of s exactly (at most max), or -1. */
static int decimals_of(double s, int max)
{
    for (int dec = 0; dec <= max; dec++) {
        double m = s * pow(10, dec);
        if (fabs(m) >= 0.5 && fabs(m - round(m)) <= 1e-6 * fabs(m))
            return dec;
    }
    return -1;
}

/* v in scientific notation with the mantissa digits that tell ticks
 * `step` apart ("1.25e+300", "3e-301"). */
static void fmt_sci(double v, double step, char *buf, size_t bufsz)
{
    double a = fmax(fabs(v), fabs(step));
    int e = (int)floor(log10(a));
    int dec = decimals_of(fabs(step) / pow(10, e), 14);
    if (dec < 0)
        dec = 14;
    snprintf(buf, bufsz, "%.*e", dec, v);
}

void hz__fmt_tick(double v, double step, char *buf, size_t bufsz)
{
    double a = fabs(v);
    const char *suf = "";
    double div = 1;
    if (a < fabs(step) * 1e-9 || v == 0) { /* -0 and rounding residue */
        snprintf(buf, bufsz, "0");
        return;
    }
    /* beyond the suffixes, or below what 6 decimals show: scientific */
    if (fabs(step) >= 1e15 || a >= 1e16 || !(step != 0) ||
        fabs(step) < 1e-6) {
        fmt_sci(v, step, buf, bufsz);
        return;
    }
    if (fabs(step) >= 1e12 || a >= 1e13)
        div = 1e12, suf = "T";
    else if (fabs(step) >= 1e9 || a >= 1e10)
        div = 1e9, suf = "B";
    else if (fabs(step) >= 1e6 || a >= 1e7)
        div = 1e6, suf = "M";
    else if (fabs(step) >= 1e3 || a >= 1e4)
        div = 1e3, suf = "K";
    int dec = decimals_of(step / div, 6);
    int n = dec < 0 ? -1 : snprintf(buf, bufsz, "%.*f%s", dec, v / div, suf);
    /* a step too fine for the value's scale, or a label that would be
     * cut: never a shortened, and so wrong, number */
    if (n < 0 || (size_t)n >= bufsz)
        fmt_sci(v, step, buf, bufsz);
}

static void ticks(double *lo, double *hi, int target, double min_step,
                  hz__ticks *t);

void hz__ticks_linear(double *lo, double *hi, int target, hz__ticks *t)
{
    ticks(lo, hi, target, 0, t);
}

void hz__ticks_integer(double *lo, double *hi, int target, hz__ticks *t)
{
    ticks(lo, hi, target, 1, t);
}

static void ticks(double *lo, double *hi, int target, double min_step,
                  hz__ticks *t)
{
    double a = *lo, b = *hi;
    t->n = 0;
    if (!isfinite(a) || !isfinite(b)) {
        a = 0;
        b = 1;
    }
    if (b < a) {
        double x = a;
        a = b;
        b = x;
    }
    if (b - a <= fabs(a) * 1e-12 || b == a) {
        double d = a != 0 ? fabs(a) * 0.1 : 1;
        a -= d;
        b += d;
    }
    if (target < 2)
        target = 2;
    double step = nice_step((b - a) / target);
    if (step < min_step)
        step = min_step;
    double first = floor(a / step + 1e-9) * step;
    double last = ceil(b / step - 1e-9) * step;
    while ((last - first) / step > HZ__TICKS_MAX - 1 + 1e-9) {
        step = nice_step(step * 1.5);
        first = floor(a / step + 1e-9) * step;
        last = ceil(b / step - 1e-9) * step;
    }
    size_t n = (size_t)llround((last - first) / step) + 1;
    for (size_t i = 0; i < n && i < HZ__TICKS_MAX; i++) {
        t->v[i] = first + (double)i * step;
        hz__fmt_tick(t->v[i], step, t->label[i], HZ__TICK_LABEL);
        t->n++;
    }
    *lo = first;
    *hi = last;
}

void hz__ticks_log(double lo, double hi, hz__ticks *t)
{
    t->n = 0;
    if (!(lo > 0) || !(hi > lo))
        return;
    int e0 = (int)floor(log10(lo) + 1e-9), e1 = (int)ceil(log10(hi) - 1e-9);
    int decades = e1 - e0;
    static const double mult_few[] = {1, 2, 5};
    size_t nm = decades <= 3 ? 3 : 1;
    for (int e = e0; e <= e1; e++)
        for (size_t k = 0; k < nm; k++) {
            double v = mult_few[k] * pow(10, e);
            if (v < lo * (1 - 1e-9) || v > hi * (1 + 1e-9) ||
                t->n == HZ__TICKS_MAX)
                continue;
            t->v[t->n] = v;
            hz__fmt_tick(v, v, t->label[t->n], HZ__TICK_LABEL);
            t->n++;
        }
}

void hz__fmt_day(double day, int month_only, char *buf, size_t bufsz)
{
    int y;
    unsigned m, d;
    hz_civil_from_days((int32_t)floor(day), &y, &m, &d);
    if (month_only)
        snprintf(buf, bufsz, "%s %d", month_abbr[m - 1], y);
    else
        snprintf(buf, bufsz, "%04d-%02u-%02u", y, m, d);
}

/* Month index (y * 12 + m - 1) of a day number and back. */
static long month_of(double day)
{
    int y;
    unsigned m, d;
    hz_civil_from_days((int32_t)floor(day), &y, &m, &d);
    return (long)y * 12 + (long)m - 1;
}

static int32_t month_start(long mi)
{
    long y = mi >= 0 ? mi / 12 : -((-mi + 11) / 12);
    unsigned m = (unsigned)(mi - y * 12) + 1;
    return hz_days_from_civil((int)y, m, 1);
}

static void month_ticks(double lo, double hi, long step, hz__ticks *t)
{
    long m0 = month_of(lo), m1 = month_of(hi);
    long first = m0;
    if (month_start(first) < lo)
        first++;
    while (((first % step) + step) % step != 0)
        first++;
    int last_year = INT32_MIN;
    for (long mi = first; mi <= m1 && t->n < HZ__TICKS_MAX; mi += step) {
        int32_t day = month_start(mi);
        if (day > hi)
            break;
        long y = mi >= 0 ? mi / 12 : -((-mi + 11) / 12);
        int mon = (int)(mi - y * 12);
        t->v[t->n] = day;
        /* mon is in [0, 12) (y is the floor of mi / 12), which the static
         * analyzer does not follow into month_abbr[]:
         * NOLINTBEGIN(clang-analyzer-core.CallAndMessage) */
        if (step % 12 == 0)
            snprintf(t->label[t->n], HZ__TICK_LABEL, "%ld", y);
        else if (y != last_year)
            snprintf(t->label[t->n], HZ__TICK_LABEL, "%s %ld", month_abbr[mon],
                     y);
        else
            snprintf(t->label[t->n], HZ__TICK_LABEL, "%s", month_abbr[mon]);
        /* NOLINTEND(clang-analyzer-core.CallAndMessage) */
        last_year = (int)y;
        t->n++;
    }
}

static void day_ticks(double lo, double hi, int step, hz__ticks *t)
{
    /* weekly steps start on Mondays (1970-01-05 was a Monday) */
    long first = (long)ceil(lo);
    long base = step % 7 == 0 ? 4 : 0;
    while (((first - base) % step + step) % step != 0)
        first++;
    for (long d = first; d <= hi && t->n < HZ__TICKS_MAX; d += step) {
        int y;
        unsigned m, dd;
        hz_civil_from_days((int32_t)d, &y, &m, &dd);
        t->v[t->n] = (double)d;
        if (t->n == 0 || (m == 1 && dd <= (unsigned)step))
            snprintf(t->label[t->n], HZ__TICK_LABEL, "%u %s %d", dd,
                     month_abbr[m - 1], y);
        else
            snprintf(t->label[t->n], HZ__TICK_LABEL, "%u %s", dd,
                     month_abbr[m - 1]);
        t->n++;
    }
}

void hz__ticks_dates(double lo, double hi, int target, hz__ticks *t)
{
    t->n = 0;
    if (!isfinite(lo) || !isfinite(hi) || hi < lo)
        return;
    if (target < 2)
        target = 2;
    double span = hi - lo;
    static const int dsteps[] = {1, 2, 7, 14};
    for (size_t i = 0; i < sizeof dsteps / sizeof *dsteps; i++)
        if (span / dsteps[i] <= target) {
            day_ticks(lo, hi, dsteps[i], t);
            return;
        }
    static const long msteps[] = {1, 2, 3, 6, 12, 24, 60, 120, 240, 600};
    for (size_t i = 0; i < sizeof msteps / sizeof *msteps; i++)
        if (span / (30.44 * (double)msteps[i]) <= target) {
            month_ticks(lo, hi, msteps[i], t);
            return;
        }
    month_ticks(lo, hi, 1200, t);
}
