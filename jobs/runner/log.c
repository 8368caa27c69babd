/* The runner's log (see log.h). */
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "horizon/outfile.h"
#include "runner/exec.h"
#include "runner/log.h"
#include "store/job.h"

struct hz_log {
    FILE *f;
    hz_log_format fmt;
    hz_log_level min;
    bool progress;
    pthread_mutex_t mu;
};

static const char *const level_names[] = {"debug", "info", "warn", "error"};

const char *hz_log_level_name(hz_log_level l)
{
    return l >= HZ_LOG_DEBUG && l <= HZ_LOG_ERROR ? level_names[l] : "info";
}

bool hz_log_level_parse(const char *s, hz_log_level *out)
{
    for (int i = 0; i <= HZ_LOG_ERROR; i++)
        if (strcmp(s, level_names[i]) == 0) {
            *out = (hz_log_level)i;
            return true;
        }
    return false;
}

bool hz_log_format_parse(const char *s, hz_log_format *out)
{
    if (strcmp(s, "text") == 0)
        *out = HZ_LOG_TEXT;
    else if (strcmp(s, "json") == 0)
        *out = HZ_LOG_JSON;
    else
        return false;
    return true;
}

hz_log *hz_log_new(FILE *f, hz_log_format fmt, hz_log_level min_level,
                   bool progress)
{
    hz_log *l = calloc(1, sizeof *l);
    if (l == NULL)
        return NULL;
    l->f = f;
    l->fmt = fmt;
    l->min = min_level;
    l->progress = progress && fmt == HZ_LOG_TEXT;
    pthread_mutex_init(&l->mu, NULL);
    return l;
}

void hz_log_free(hz_log *l)
{
    if (l == NULL)
        return;
    pthread_mutex_destroy(&l->mu);
    free(l);
}

bool hz_log_enabled(const hz_log *l, hz_log_level level)
{
    return l != NULL && level >= l->min;
}

char *hz_log_time(double epoch_s, char *buf, size_t bufsz)
{
    time_t t = (time_t)floor(epoch_s);
    unsigned ms = (unsigned)((epoch_s - floor(epoch_s)) * 1000) % 1000u;
    struct tm tm;
    gmtime_r(&t, &tm);
    char base[32];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, bufsz, "%.20s.%03uZ", base, ms);
    return buf;
}

/* " [fetch 0.001 s, ingest 0.020 s, ...]" for the stages reached. */
static void text_stages(const double *st, char *out, size_t n)
{
    size_t k = 0;
    out[0] = '\0';
    for (int i = 0; i < HZ_NSTAGES; i++) {
        if (!isfinite(st[i]))
            continue;
        int w = snprintf(out + k, n - k, "%s%s %.3f s", k ? ", " : " [",
                         hz_stage_name(i), st[i]);
        if (w < 0 || (size_t)w >= n - k)
            return;
        k += (size_t)w;
    }
    if (k > 0 && k + 2 < n)
        snprintf(out + k, n - k, "]");
}

static char *json_line(hz_log_level level, const hz_log_fields *fl,
                       const char *msg, const char *when)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    cJSON_AddStringToObject(o, "time", when);
    cJSON_AddStringToObject(o, "level", hz_log_level_name(level));
    cJSON_AddStringToObject(o, "msg", msg);
    if (fl != NULL) {
        const char *keys[4] = {"job", "tenant", "type", "reason"};
        const char *vals[4] = {fl->job, fl->tenant, fl->type, fl->reason};
        for (int i = 0; i < 4; i++)
            if (vals[i] != NULL)
                cJSON_AddStringToObject(o, keys[i], vals[i]);
        if (fl->stages != NULL) {
            cJSON *st = cJSON_AddObjectToObject(o, "stages");
            for (int i = 0; i < HZ_NSTAGES; i++)
                if (isfinite(fl->stages[i]))
                    cJSON_AddNumberToObject(st, hz_stage_name(i),
                                            round(fl->stages[i] * 1e6) / 1e6);
        }
        if (fl->latency_s > 0)
            cJSON_AddNumberToObject(o, "latencyS",
                                    round(fl->latency_s * 1e6) / 1e6);
    }
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    /* a JSON line is valid UTF-8: bytes of a path or a value that are
     * not (a Latin-1 file name in an error), or a message cut inside a
     * character, become U+FFFD, as in every JSON output */
    if (s != NULL && !hz_utf8_valid(s, strlen(s))) {
        char *clean = hz_utf8_sanitize(s, NULL);
        cJSON_free(s);
        s = clean;
    }
    return s;
}

const char *hz_log_caret(const char *s, char *out, size_t n, bool newline)
{
    return hz_text_visible(s, out, n, newline);
}

void hz_log_write(hz_log *l, hz_log_level level, const hz_log_fields *fields,
                  const char *fmt, ...)
{
    if (!hz_log_enabled(l, level))
        return;
    char msg[HZ_LOG_MSG_MAX + 1], when[40];
    va_list ap;
    va_start(ap, fmt);
    int full = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (full > HZ_LOG_MSG_MAX) { /* cut at a character, and said */
        char mark[48];
        int mn = snprintf(mark, sizeof mark, "\xe2\x80\xa6[cut %d bytes]",
                          full);
        size_t keep = hz_utf8_cut(msg, HZ_LOG_MSG_MAX - (size_t)mn);
        snprintf(mark, sizeof mark, "\xe2\x80\xa6[cut %d bytes]",
                 full - (int)keep);
        snprintf(msg + keep, sizeof msg - keep, "%s", mark);
    }
    hz_log_time(hz_wall_now(), when, sizeof when);
    char *json = l->fmt == HZ_LOG_JSON ? json_line(level, fields, msg, when)
                                       : NULL;
    char stages[256] = "", line[4 * sizeof msg];
    if (l->fmt == HZ_LOG_TEXT) {
        hz_log_caret(msg, line, sizeof line, false);
        if (fields != NULL && fields->stages != NULL)
            text_stages(fields->stages, stages, sizeof stages);
    }
    pthread_mutex_lock(&l->mu);
    if (l->progress)
        fputs("\r\033[K", l->f);
    if (json != NULL)
        fprintf(l->f, "%s\n", json);
    else
        fprintf(l->f, "%s %s horizon run: %s%s\n", when,
                hz_log_level_name(level), line, stages);
    fflush(l->f);
    pthread_mutex_unlock(&l->mu);
    cJSON_free(json); /* cJSON's default allocator: malloc's free */
}

void hz_log_progress(hz_log *l, const char *line, bool final)
{
    if (l == NULL || !l->progress)
        return;
    pthread_mutex_lock(&l->mu);
    fprintf(l->f, "\r\033[K%s%s", line, final ? "\n" : "");
    fflush(l->f);
    pthread_mutex_unlock(&l->mu);
}
