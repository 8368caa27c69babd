/* Option parsing shared by the forecasting commands. */
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/fc_cli.h"
#include "horizon/reconcile.h"

bool hz__fc_split_list(const char *s, char **store, const char **items,
                       size_t max, size_t *n)
{
    *n = 0;
    *store = strdup(s);
    if (*store == NULL)
        return false;
    /* every item counts, empty ones too: 'product,' names an empty
     * column, which strtok's skipping of empty tokens took for 'product'
     * alone; blanks around an item are not part of it */
    for (char *t = *store;;) {
        char *comma = strchr(t, ',');
        if (comma != NULL)
            *comma = '\0';
        while (*t == ' ')
            t++;
        size_t len = strlen(t);
        while (len > 0 && t[len - 1] == ' ')
            t[--len] = '\0';
        if (*t == '\0' || *n == max)
            return false;
        items[(*n)++] = t;
        if (comma == NULL)
            break;
        t = comma + 1;
    }
    return *n > 0;
}

bool hz__fc_once(const char *cmd, const struct option *lo, int opt,
                 const char *arg, hz__fc_seen *seen)
{
    const struct option *o = lo;
    while (o->name != NULL && o->val != opt)
        o++;
    if (o->name == NULL || o->has_arg != required_argument)
        return true;
    for (size_t i = 0; i < seen->n; i++) {
        if (seen->code[i] != opt)
            continue;
        hz_cli_error(cmd,
                     "--%s given twice ('%s', then '%s'): give it once%s",
                     o->name, seen->arg[i], arg,
                     opt == HZ_FC_OPT_BY
                         ? " (several group columns go in one list: "
                           "--by region,product)"
                         : "");
        return false;
    }
    if (seen->n < sizeof seen->code / sizeof seen->code[0]) {
        seen->code[seen->n] = opt;
        seen->arg[seen->n++] = arg;
    }
    return true;
}

/* Levels are percentages (80, 95) as statsforecast and R take them; a
 * list of numbers all below 1 is read as proportions (0.8 -> 80%), which
 * is what such a number can only mean, and the command says so. */
bool hz__fc_parse_levels(const char *cmd, const char *s, double *levels,
                         size_t *n, bool *fraction)
{
    char *store;
    const char *it[HZ_FC_MAX_LEVELS];
    size_t k;
    if (!hz__fc_split_list(s, &store, it, HZ_FC_MAX_LEVELS, &k)) {
        free(store);
        hz_cli_error(cmd,
                     "--level: expected up to %d comma-separated "
                     "percentages, got '%s'",
                     HZ_FC_MAX_LEVELS, s);
        return false;
    }
    size_t nfrac = 0;
    for (size_t i = 0; i < k; i++) {
        char *end;
        double v = strtod(it[i], &end);
        if (end == it[i] || *end != '\0' || !(v > 0 && v < 100)) {
            hz_cli_error(cmd,
                         "--level: expected a percentage in (0, 100) or a "
                         "proportion in (0, 1), got '%s'",
                         it[i]);
            free(store);
            return false;
        }
        nfrac += v < 1;
        levels[i] = v;
    }
    free(store);
    if (nfrac > 0 && nfrac < k) {
        hz_cli_error(cmd,
                     "--level: '%s' mixes proportions (below 1) and "
                     "percentages: give 80,95 or 0.8,0.95",
                     s);
        return false;
    }
    *fraction = nfrac > 0;
    for (size_t i = 0; *fraction && i < k; i++)
        levels[i] *= 100;
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < i; j++)
            if (levels[i] == levels[j]) {
                hz_cli_error(cmd, "--level: %g given twice in '%s'", levels[i],
                             s);
                return false;
            }
    *n = k;
    return true;
}

int hz__fc_exit_code(hz_status s)
{
    switch (s) {
    case HZ_EINVAL:
    case HZ_ENOTFOUND:
    case HZ_ETYPE: return HZ_EXIT_USAGE;
    default: return hz_cli_exit_code(s);
    }
}

void hz__fc_series_args_init(hz__fc_series_args *a)
{
    memset(a, 0, sizeof *a);
    hz_series_opts_init(&a->so);
    a->nonnegative = HZ_NONNEG_AUTO;
}

bool hz__fc_levels_are_fractions(const char *s)
{
    double levels[HZ_FC_MAX_LEVELS];
    size_t n;
    bool frac = false;
    hz_cli_capture((char[8]){0}, 8); /* quiet: the real parse reports */
    bool ok = hz__fc_parse_levels("", s, levels, &n, &frac);
    hz_cli_capture(NULL, 0);
    return ok && frac;
}

int hz__fc_request_option(const char *cmd, int opt, const char *arg,
                          hz_forecast_request *req)
{
    long v;
    bool frac;
    switch (opt) {
    case HZ_FC_OPT_HORIZON:
        if (!hz_cli_parse_long(cmd, "horizon", arg, 1, 100000, &v))
            return -1;
        req->horizon = (size_t)v;
        return 1;
    case HZ_FC_OPT_MODEL:
        if (!hz_fc_model_parse(arg, &req->model)) {
            hz_cli_error(cmd, "--model: unknown model '%s' (try %s)", arg,
                         hz_fc_model_list());
            return -1;
        }
        return 1;
    case HZ_FC_OPT_INTERVALS:
        if (!hz_intervals_parse(arg, &req->intervals)) {
            hz_cli_error(cmd,
                         "--intervals: expected model or conformal, got "
                         "'%s'",
                         arg);
            return -1;
        }
        return 1;
    case HZ_FC_OPT_RECONCILE:
        if (!hz_recon_parse(arg, &req->reconcile) ||
            req->reconcile == HZ_RECON_NONE) {
            hz_cli_error(cmd,
                         "--reconcile: expected mint, mint-h, wls, ols, bu "
                         "or td, got '%s'",
                         arg);
            return -1;
        }
        return 1;
    case HZ_FC_OPT_BIAS:
        if (strcmp(arg, "on") == 0)
            req->recon_bias = HZ_RECON_BIAS_ON;
        else if (strcmp(arg, "off") == 0)
            req->recon_bias = HZ_RECON_BIAS_OFF;
        else {
            hz_cli_error(cmd, "--bias-correct: expected on or off, got '%s'",
                         arg);
            return -1;
        }
        return 1;
    case HZ_FC_OPT_LEVEL:
        return hz__fc_parse_levels(cmd, arg, req->levels, &req->nlevels, &frac)
                   ? 1
                   : -1;
    case HZ_FC_OPT_SEED: {
        char *end;
        req->seed = strtoull(arg, &end, 10);
        if (*arg == '\0' || *end != '\0' || *arg == '-') {
            hz_cli_error(cmd, "--seed: expected an integer, got '%s'", arg);
            return -1;
        }
        return 1;
    }
    default: return 0;
    }
}

bool hz__fc_request_finish(const char *cmd, const hz__fc_series_args *a,
                           hz_forecast_request *req)
{
    req->date_col = a->so.date_col;
    req->value_col = a->so.value_col;
    req->by_cols = a->so.by_cols;
    req->nby = a->so.nby;
    req->freq = a->so.freq;
    req->freq_minutes = a->so.minutes;
    req->week_anchor = a->so.week_anchor;
    req->label_end = a->so.label_end;
    req->seasons = a->so.seasons;
    req->agg = a->so.agg;
    req->fill = a->so.fill;
    req->partial = (int)a->so.partial;
    req->long_format = a->long_format;
    req->nonnegative = a->nonnegative;
    if (req->date_col == NULL) {
        hz_cli_error(cmd, "missing --date COL (the column with the dates)");
        return false;
    }
    if (req->value_col == NULL && req->agg != HZ_AGG_COUNT) {
        hz_cli_error(cmd, "missing --value COL (or use --agg count)");
        return false;
    }
    if (req->recon_bias == HZ_RECON_BIAS_ON && req->reconcile == HZ_RECON_NONE) {
        hz_cli_error(cmd, "--bias-correct on needs --reconcile");
        return false;
    }
    if (req->long_format && req->nby == 0) {
        hz_cli_error(cmd, "--long needs --by ID_COLUMN");
        return false;
    }
    return true;
}

static int opt_freq(const char *cmd, const char *arg, hz__fc_series_args *a)
{
    hz_freq f;
    int anchor, end, minutes;
    if (!hz_freq_parse_step(arg, &f, &anchor, &end, &minutes)) {
        hz_cli_error(cmd,
                     "--freq: expected minute, hour, day, week, month, "
                     "quarter or year (or min, 30min, 15min, half-hour, h, "
                     "D, W, W-SUN, M, MS, ME, Q, QS, QE, Y, YS, YE, A), got "
                     "'%s'",
                     arg);
        return -1;
    }
    a->so.minutes = minutes;
    a->so.freq = f;
    a->so.week_anchor = anchor;
    a->so.label_end = end;
    return 1;
}

static int opt_choice(const char *cmd, const char *opt, const char *arg,
                      const char *const *names, int n, int *out)
{
    for (int k = 0; k < n; k++)
        if (strcmp(arg, names[k]) == 0) {
            *out = k;
            return 1;
        }
    hz_cli_error(cmd, "--%s: expected %s%s%s%s%s, got '%s'", opt, names[0],
                 n > 2 ? ", " : " or ", names[1], n > 2 ? " or " : "",
                 n > 2 ? names[2] : "", arg);
    return -1;
}

int hz__fc_series_option(const char *cmd, int opt, const char *arg,
                         hz__fc_series_args *a)
{
    static const char *const fills[] = {"zero", "interpolate", "none"};
    static const char *const nonneg[] = {"auto", "on", "off"};
    static const char *const partial[] = {"drop-last", "drop", "keep"};
    hz_error err;
    int k;
    switch (opt) {
    case HZ_FC_OPT_DATE: a->so.date_col = arg; return 1;
    case HZ_FC_OPT_VALUE: a->so.value_col = arg; return 1;
    case HZ_FC_OPT_LONG: a->long_format = true; return 1;
    case HZ_FC_OPT_BY:
        free(a->bystore);
        if (!hz__fc_split_list(arg, &a->bystore, a->by, 16, &a->so.nby)) {
            if (a->bystore != NULL && a->so.nby < 16) {
                hz_cli_error(cmd,
                             "--by: an empty column name in '%s' (item %zu): "
                             "give the group columns' names, separated by "
                             "single commas",
                             arg, a->so.nby + 1);
                return -1;
            }
            hz_cli_error(cmd,
                         "--by: expected up to 16 comma-separated "
                         "column names, got '%s'",
                         arg);
            return -1;
        }
        /* a column twice makes a level of copies (--by region,region:
         * 'East' and 'East|East'; reconciled, a hierarchy of its own) */
        for (size_t i = 0; i < a->so.nby; i++)
            for (size_t j = 0; j < i; j++)
                if (strcmp(a->by[i], a->by[j]) == 0) {
                    hz_cli_error(cmd, "--by: column '%s' given twice in '%s'",
                                 a->by[i], arg);
                    return -1;
                }
        a->so.by_cols = a->by;
        return 1;
    case HZ_FC_OPT_FREQ: return opt_freq(cmd, arg, a);
    case HZ_FC_OPT_SEASON:
        if (!hz_seasons_parse(arg, &a->so.seasons, &err)) {
            hz_cli_error(cmd, "%s", err.msg);
            return -1;
        }
        if (a->so.seasons.n == 0) /* "none": one period of length 1 */
            a->so.seasons.n = 1, a->so.seasons.period[0] = 1;
        return 1;
    case HZ_FC_OPT_AGG:
        if (!hz_agg_parse(arg, &a->so.agg)) {
            hz_cli_error(cmd, "--agg: expected sum, mean or count, got '%s'",
                         arg);
            return -1;
        }
        return 1;
    case HZ_FC_OPT_FILL:
        if (opt_choice(cmd, "fill", arg, fills, 3, &k) < 0)
            return -1;
        a->so.fill = (hz_fill)k;
        return 1;
    case HZ_FC_OPT_NONNEG:
        return opt_choice(cmd, "nonnegative", arg, nonneg, 3, &a->nonnegative);
    case HZ_FC_OPT_PARTIAL:
        if (opt_choice(cmd, "partial", arg, partial, 3, &k) < 0)
            return -1;
        a->so.partial = (hz_partial)k;
        return 1;
    default: return 0;
    }
}

int hz__fc_series_check(const char *cmd, hz__fc_series_args *a,
                        hz_cli_csv *csvo)
{
    if (a->so.date_col == NULL && a->so.value_col != NULL) {
        hz_cli_error(cmd, "missing --date COL (the column with the dates)");
        return HZ_EXIT_USAGE;
    }
    if (a->so.date_col != NULL && a->so.value_col == NULL &&
        a->so.agg != HZ_AGG_COUNT) {
        hz_cli_error(cmd, "missing --value COL (or use --agg count)");
        return HZ_EXIT_USAGE;
    }
    if (a->long_format && a->so.nby == 0) {
        hz_cli_error(cmd, "--long needs --by ID_COLUMN");
        return HZ_EXIT_USAGE;
    }
    /* the reader reads these columns strictly (statsforecast's when no
     * columns are named) */
    csvo->want_date = a->so.date_col ? a->so.date_col : "ds";
    csvo->want_number = a->so.date_col ? a->so.value_col : "y";
    /* and the group columns as text, as written: 007 and 7 are two */
    csvo->want = hz_series_csv_want;
    csvo->want_ctx = &a->so;
    return HZ_EXIT_OK;
}

int hz__fc_series_resolve(const char *cmd, hz__fc_series_args *a,
                          const hz_dataset *ds)
{
    if (a->so.date_col != NULL)
        return HZ_EXIT_OK;
    if (hz_dataset_find(ds, "ds") < 0 || hz_dataset_find(ds, "y") < 0) {
        hz_cli_error(cmd, "missing --date COL and --value COL (only a file "
                          "with columns unique_id, ds, y is read without "
                          "them)");
        return HZ_EXIT_USAGE;
    }
    a->so.date_col = "ds";
    a->so.value_col = "y";
    if (hz_dataset_find(ds, "unique_id") >= 0 && a->so.nby == 0) {
        a->by[0] = "unique_id";
        a->so.by_cols = a->by;
        a->so.nby = 1;
        a->long_format = true;
    }
    a->detected_long = true;
    return HZ_EXIT_OK;
}

/* Days since 1970-01-01 of "YYYY-MM-DD"; false when not one. */
static bool day_number(const char *s, int64_t *day)
{
    char *e = NULL;
    const long y = strtol(s, &e, 10);
    if (e != s + 4 || *e != '-')
        return false;
    const char *ms = e + 1;
    const long m = strtol(ms, &e, 10);
    if (e != ms + 2 || *e != '-')
        return false;
    const char *ds = e + 1;
    const long d = strtol(ds, &e, 10);
    if (e != ds + 2 || *e != '\0' || m < 1 || m > 12 || d < 1 || d > 31)
        return false;
    /* days from civil (proleptic Gregorian) */
    const int64_t yy = (int64_t)y - (m <= 2);
    const int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    const int64_t yoe = yy - era * 400;
    const int64_t doy = (153 * (int64_t)(m + (m > 2 ? -3 : 9)) + 2) / 5 + (int64_t)d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    *day = era * 146097 + doe - 719468;
    return true;
}

/* Whether the periods cal's clocks skip from day first to day last are
 * one period: the same day, holding one (Lord Howe's half hour is one
 * 30-minute period, Berlin's hour two). */
static bool one_skipped(const hz_calendar *cal, const char *first,
                        const char *last)
{
    int64_t day = 0;
    if (strcmp(first, last) != 0 || !day_number(first, &day))
        return false;
    const int64_t len = cal->freq == HZ_FREQ_HOUR
                            ? 3600
                            : 60 * (int64_t)hz_calendar_minutes(cal);
    if (len <= 0 || 86400 % len != 0)
        return false;
    const int64_t per_day = 86400 / len;
    int64_t n = 0;
    for (int64_t p = day * per_day; p < (day + 1) * per_day; p++)
        n += hz_calendar_skipped(cal, p);
    return n == 1;
}

/* What the clocks do to the skipped periods from day first to day last:
 * "skip" them, or "shorten to 30 minutes" the periods they put forward
 * by less than their length, taken as skipped (Lord Howe's half hour: of
 * its 02:00 hour only 02:30 to 03:00 exists; until 2026-12-08 the notices
 * said the clocks skip that hour), "shorten" when to several lengths,
 * "skip or shorten" when both.  In buf (n bytes) or static. */
static const char *skip_verb(const hz_calendar *cal, const char *first,
                             const char *last, char *buf, size_t n)
{
    int64_t d0 = 0, d1 = 0;
    const int64_t len = cal->freq == HZ_FREQ_HOUR
                            ? 3600
                            : 60 * (int64_t)hz_calendar_minutes(cal);
    if (!day_number(first, &d0) || !day_number(last, &d1) || d1 < d0 ||
        len <= 0 || 86400 % len != 0)
        return "skip";
    const int64_t per_day = 86400 / len;
    size_t whole = 0, part = 0;
    int64_t mins = -1; /* the minutes skipped of each shortened one */
    for (int64_t p = d0 * per_day; p < (d1 + 1) * per_day; p++) {
        const int64_t m = hz_calendar_skipped_minutes(cal, p);
        if (m == 0)
            continue;
        if (60 * m >= len) {
            whole++;
            continue;
        }
        part++;
        mins = mins == -1 || mins == m ? m : -2;
    }
    if (part == 0)
        return "skip";
    if (whole > 0)
        return "skip or shorten";
    if (mins < 0)
        return "shorten";
    snprintf(buf, n, "shorten to %lld minutes", (long long)(len / 60 - mins));
    return buf;
}

void hz__fc_skipped_notice(const char *cmd, const hz_calendar *cal,
                           size_t nskipped, const char *first,
                           const char *last)
{
    if (nskipped == 0)
        return;
    char unit[24];
    hz_calendar_unit(cal, unit, sizeof unit);
    const bool hour = cal->freq == HZ_FREQ_HOUR;
    char when[48];
    if (strcmp(first, last) == 0)
        snprintf(when, sizeof when, "on %s", first);
    else
        snprintf(when, sizeof when, "from %s to %s", first, last);
    /* a backtest neither holds it out nor scores it */
    const char *shown = strcmp(cmd, "backtest") == 0
                            ? "no holdout point and not scored"
                            : "not in the output (nor a forecast's label)";
    /* nskipped counts each series' own: one period of many series is
     * one (until 2026-12-07 a single 30-minute period was "periods") */
    char vb[40];
    const char *verb = skip_verb(cal, first, last, vb, sizeof vb);
    if ((hour && strcmp(first, last) == 0) || one_skipped(cal, first, last))
        fprintf(stderr,
                "horizon %s: the %s%s the clocks %s %s is no reading: "
                "estimated for the model between its neighbours, %s\n",
                cmd, unit, hour ? "" : " period", verb, when, shown);
    else
        fprintf(stderr,
                "horizon %s: the %s%s the clocks %s %s are no readings: "
                "estimated for the model between their neighbours, %s\n",
                cmd, unit, hour ? "s" : " periods", verb, when, shown);
}

void hz__fc_skipped_ahead_notice(const char *cmd, const hz_calendar *cal,
                                 size_t n, size_t horizon, const char *first,
                                 const char *last)
{
    if (n == 0)
        return;
    char unit[24];
    hz_calendar_unit(cal, unit, sizeof unit);
    const bool hour = cal->freq == HZ_FREQ_HOUR;
    char when[48];
    if (strcmp(first, last) == 0)
        snprintf(when, sizeof when, "on %s", first);
    else
        snprintf(when, sizeof when, "from %s to %s", first, last);
    /* singular forms for one (until 2026-12-07 "crosses 1 30-minute
     * periods ... with them", "the 1 hours that exist") */
    char exist[64];
    if (hour)
        snprintf(exist, sizeof exist, "the %zu hour%s that exist%s", horizon,
                 horizon == 1 ? "" : "s", horizon == 1 ? "s" : "");
    else
        snprintf(exist, sizeof exist, "the %zu that exist%s", horizon,
                 horizon == 1 ? "s" : "");
    char vb[40];
    const char *verb = skip_verb(cal, first, last, vb, sizeof vb);
    if (n == 1)
        fprintf(stderr,
                "horizon %s: the forecast crosses the %s%s the clocks %s "
                "%s: no step is labelled with it, and the horizon counts "
                "%s (one more step forecast, the skipped one left out)\n",
                cmd, unit, hour ? "" : " period", verb, when, exist);
    else
        fprintf(stderr,
                "horizon %s: the forecast crosses %zu %s%s the clocks %s "
                "%s: no step is labelled with them, and the horizon counts "
                "%s (as many more steps forecast, the skipped ones left "
                "out)\n",
                cmd, n, unit, hour ? "s" : " periods", verb, when, exist);
}

void hz__fc_notices(const char *cmd, const hz__fc_series_args *a,
                    const double *levels, size_t nlevels, size_t nfilled,
                    size_t nseries_filled, const char *filled_first,
                    size_t rows_skipped,
                    size_t nclamped, size_t nseries_clamped)
{
    if (a->detected_long)
        fprintf(stderr,
                "horizon %s: statsforecast long format detected: "
                "--date ds --value y%s\n",
                cmd, a->long_format ? " --by unique_id --long" : "");
    if (a->levels_text != NULL) {
        fprintf(stderr, "horizon %s: --level %s read as proportions:", cmd,
                a->levels_text);
        for (size_t k = 0; k < nlevels; k++)
            fprintf(stderr, "%s %g%%", k ? "," : "", levels[k]);
        fputs(" intervals\n", stderr);
    }
    if (nfilled > 0) {
        fprintf(stderr,
                "horizon %s: %zu period%s with no rows %s in %zu series "
                "(%s%s%s--fill none refuses gaps; --diagnostics counts them "
                "per series)",
                cmd, nfilled, nfilled == 1 ? "" : "s",
                a->so.fill == HZ_FILL_INTERPOLATE ? "interpolated"
                                                  : "filled with zero",
                nseries_filled, *filled_first ? "first: " : "", filled_first,
                *filled_first ? "; " : "");
        if (rows_skipped > 0)
            fprintf(stderr,
                    "; %zu skipped row%s (malformed, or without a date or "
                    "value) may have belonged to %s",
                    rows_skipped, rows_skipped == 1 ? "" : "s",
                    nfilled == 1 ? "it" : "them");
        fputc('\n', stderr);
    }
    if (nclamped > 0 && a->nonnegative == HZ_NONNEG_ON)
        fprintf(stderr,
                "horizon %s: %zu forecast values below zero raised to 0 in "
                "%zu series, as --nonnegative on asks\n",
                cmd, nclamped, nseries_clamped);
    else if (nclamped > 0)
        fprintf(stderr,
                "horizon %s: %zu forecast values below zero raised to 0 in "
                "%zu series that never go below 0 (--nonnegative off keeps "
                "them)\n",
                cmd, nclamped, nseries_clamped);
}

static void partial_notices(const char *cmd, const hz_calendar *cal,
                            const hz_partial_period *partial)
{
    for (int k = 0; k < 2; k++) {
        const hz_partial_period *p = &partial[k];
        if (p->days <= 0)
            continue;
        char line[512];
        const char *hint = p->dropped ? " (--partial keep keeps it)"
                           : k        ? " (--partial keep)"
                                      : " (--partial drop leaves it out)";
        fprintf(stderr, "horizon %s: %s%s%s\n", cmd,
                hz_partial_describe(cal, p, k, line, sizeof line),
                p->dropped && k && p->nseries_out == 0 &&
                        strcmp(cmd, "backtest") != 0
                    ? "; the forecast starts with it"
                    : "",
                hint);
    }
}

static void repeat_notice(const char *cmd, size_t rows, const char *first)
{
    if (rows == 0)
        return;
    char line[256];
    fprintf(stderr,
            "horizon %s: %s: a duplicated row or an hour a clock put back "
            "counts twice\n",
            cmd, hz_repeated_describe(rows, first, line, sizeof line));
}

/* Unix times carry no offset: they count seconds from 1970-01-01 UTC
 * (until 2026-12-07 the notice said they carried offsets such as
 * +01:00). */
static void zone_notice(const char *cmd, bool zoned, bool unix_times,
                        const hz_calendar *cal)
{
    if (!zoned)
        return;
    char unit[24];
    const bool day = cal->freq >= HZ_FREQ_DAY;
    fprintf(stderr,
            "horizon %s: %s: they are read as UTC instants, so %ss are cut "
            "and labelled in UTC%s%s\n",
            cmd,
            unix_times ? "the dates are Unix times (seconds since "
                         "1970-01-01 00:00 UTC)"
                       : "the dates carry UTC offsets (such as +01:00 or Z)",
            hz_calendar_unit(cal, unit, sizeof unit),
            !day         ? ""
            : unix_times ? " (a sale at 00:30 in Berlin, 23:30 UTC, counts "
                           "on the day before)"
                         : " (a sale at 00:30+01:00 counts on the day before)",
            day ? "; give --tz AREA/CITY to cut them on that zone's clock"
                : "");
}

void hz__fc_similar_notice(const char *cmd, size_t n, const char *a,
                           const char *b)
{
    if (n == 0)
        return;
    fprintf(stderr,
            "horizon %s: %zu group names are another's but for case or "
            "blanks around a value (first: '%s' and '%s'): forecast as "
            "groups of their own; make them equal in the data if they are "
            "one group\n",
            cmd, n, a, b);
}

void hz__fc_empty_key_notice(const char *cmd, size_t n, size_t nseries,
                             const char *place, const char *col,
                             const char *name)
{
    if (n == 0)
        return;
    fprintf(stderr,
            "horizon %s: %zu row%s with an empty group value (first: %s, "
            "column '%s'): forecast as %zu series of their own, named with "
            "the value empty ('%s'%s); fill the value in, or leave the rows "
            "out, if they belong to a group\n",
            cmd, n, n == 1 ? "" : "s", place, col, nseries, name,
            nseries > 1 ? ", ..." : "");
}

void hz__fc_data_notices(const char *cmd, const hz_calendar *cal,
                         const hz_partial_period *partial,
                         size_t rows_repeated, const char *repeated_first,
                         bool zoned, bool unix_times)
{
    partial_notices(cmd, cal, partial);
    repeat_notice(cmd, rows_repeated, repeated_first);
    zone_notice(cmd, zoned, unix_times, cal);
}

void hz__fc_print_calendar(FILE *f, const char *freq_reason,
                           const hz_seasons *seasons,
                           const char *seasons_reason)
{
    char sb[96];
    fprintf(f, "  frequency: %s\n", freq_reason);
    fprintf(f, "  seasons: %s (%s)\n",
            hz_seasons_format(seasons, sb, sizeof sb), seasons_reason);
}
