/* Like with like: which observed periods a forecast's total is compared
 * with, and the words for it.  See include/horizon/summary.h. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "horizon/summary.h"

hz_summary_span hz_summary_span_of(size_t h, size_t n,
                                   const hz_seasons *seasons, int period)
{
    hz_summary_span sp = {0, 0, false};
    size_t season = 0;
    if (seasons != NULL && seasons->n > 0) {
        for (size_t i = 0; i < seasons->n; i++) {
            double p = round(seasons->period[i]);
            if (p > 1 && p <= (double)n && (size_t)p > season)
                season = (size_t)p;
        }
    } else if (period > 1 && (size_t)period <= n) {
        season = (size_t)period;
    }
    if (h == 0)
        return sp;
    if (season > 1) {
        sp.steps = h < season ? h : season;
        sp.lag = season;
        sp.seasonal = true;
    } else if (n >= h) {
        sp.steps = h;
        sp.lag = h;
    }
    return sp;
}

/* "hours", "15-minute periods" */
static void plural(const char *unit, size_t k, char *buf, size_t n)
{
    bool minutes = strchr(unit, '-') != NULL;
    snprintf(buf, n, "%s%s", unit,
             k == 1 ? "" : minutes ? " periods" : "s");
}

/* "a year", "a week", "52 weeks": the span of `lag` periods of unit;
 * false when it is only a count of the unit itself ("6 months"), which
 * the sentence sets off with a comma ("the same 6 months, 6 months
 * before", not "the same 6 months 6 months before"). */
static bool lag_text(const char *unit, size_t lag, char *buf, size_t n)
{
    long minutes = 0;
    if (strcmp(unit, "minute") == 0)
        minutes = 1;
    else if (strcmp(unit, "hour") == 0)
        minutes = 60;
    else if (strcmp(unit, "day") == 0)
        minutes = 1440;
    else if (strchr(unit, '-') != NULL) /* "15-minute" */
        minutes = strtol(unit, NULL, 10);
    size_t months = strcmp(unit, "month") == 0     ? lag
                    : strcmp(unit, "quarter") == 0 ? 3 * lag
                    : strcmp(unit, "year") == 0    ? 12 * lag
                                                   : 0;
    long total = minutes * (long)lag;
    /* weeks: 52 of them are the retail year ("the same 8 weeks a year
     * before"; "52 weeks (a year) before" read as two spans) */
    if (months == 12 || (minutes == 1440 && (lag == 365 || lag == 366)) ||
        (strcmp(unit, "week") == 0 && lag == 52))
        snprintf(buf, n, "a year");
    else if (months > 0 && months % 12 == 0)
        snprintf(buf, n, "%zu years", months / 12);
    else if (total == 1440)
        snprintf(buf, n, "a day");
    else if (total == 10080)
        snprintf(buf, n, "a week");
    else if (minutes == 1440 && lag == 364) /* days, weekdays aligned */
        snprintf(buf, n, "52 weeks");
    else {
        char u[40];
        plural(unit, lag, u, sizeof u);
        snprintf(buf, n, "%zu %s", lag, u);
        return false;
    }
    return true;
}

char *hz_summary_span_text(const hz_summary_span *sp, const char *unit,
                           char *buf, size_t n)
{
    char u[40], l[48];
    if (unit == NULL)
        unit = "period";
    plural(unit, sp->steps, u, sizeof u);
    if (sp->steps == 0)
        snprintf(buf, n, "nothing");
    else if (sp->seasonal) {
        bool span = lag_text(unit, sp->lag, l, sizeof l);
        snprintf(buf, n, "the same %zu %s%s %s before", sp->steps, u,
                 span ? "" : ",", l);
    } else {
        snprintf(buf, n, "the %zu %s just before", sp->steps, u);
    }
    return buf;
}

char *hz_summary_total_text(size_t h, const char *unit, double total,
                            const hz_summary_span *sp, double fc_span,
                            double base, char *buf, size_t n)
{
    char u[40], v[3][HZ_FMT_NUM_MAX], pct[32], what[128];
    if (unit == NULL)
        unit = "period";
    plural(unit, h, u, sizeof u);
    /* one style: "total 0.000106 ... (0.000072)", not "(7.2e-05)" */
    hz_fmt_nums((const double[]){total, sp->steps ? fc_span : NAN,
                                 sp->steps ? base : NAN},
                3, v);
    const char *t = v[0], *f = v[1], *b = v[2];
    if (!isfinite(total) || (sp->steps && !isfinite(fc_span))) {
        /* finite forecasts whose sum passed 1.8e308: not "total inf" */
        snprintf(buf, n, "next %zu %s: total beyond the range of numbers "
                         "(1.8e308), not summarised", h, u);
        return buf;
    }
    if (sp->steps == 0) {
        snprintf(buf, n, "next %zu %s: total %s", h, u, t);
        return buf;
    }
    hz_fmt_pct(hz_rel_change(fc_span, base), 1, pct, sizeof pct);
    hz_summary_span_text(sp, unit, what, sizeof what);
    /* against 0 a change in percent is none: "against 0 in the same ..." */
    char cmp[256];
    if (isfinite(hz_rel_change(fc_span, base)))
        snprintf(cmp, sizeof cmp, "%s vs %s (%s)", pct, what, b);
    else
        snprintf(cmp, sizeof cmp, "against %s in %s", b, what);
    if (sp->steps == h)
        snprintf(buf, n, "next %zu %s: total %s, %s", h, u, t, cmp);
    else
        snprintf(buf, n, "next %zu %s: total %s; the first %zu: %s, %s", h, u,
                 t, sp->steps, f, cmp);
    return buf;
}
