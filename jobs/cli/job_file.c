/* Job files: read, parse and check as a whole (see job_file.h). */
#include "cli/job_file.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "net/cjson.h"
#include "store/job.h"

#define SHOWN_MAX 10 /* problems printed; the rest are counted */

typedef struct job_file {
    const char *cmd, *path; /* path as messages name it */
    const char *text;
    size_t len;
    int problems;
} job_file;

static void problem(job_file *f, const char *fmt, ...)
{
    if (++f->problems > SHOWN_MAX)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    hz_cli_error(f->cmd, "%s", msg);
}

/* The whole file, NUL-terminated (*len bytes before the NUL); NULL with
 * *errnum set when it cannot be read (a directory: EISDIR). */
static char *read_all(const char *path, size_t *len, int *errnum)
{
    FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (fp == NULL) {
        *errnum = errno;
        return NULL;
    }
    size_t cap = (size_t)1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    *errnum = buf != NULL ? 0 : ENOMEM;
    while (buf != NULL) {
        errno = 0;
        size_t got = fread(buf + n, 1, cap - n, fp);
        n += got;
        if (got == 0) {
            if (ferror(fp))
                *errnum = errno != 0 ? errno : EIO;
            break;
        }
        if (n == cap) {
            char *nb = realloc(buf, cap * 2 + 1);
            if (nb == NULL)
                *errnum = ENOMEM;
            if (nb == NULL)
                break;
            buf = nb;
            cap *= 2;
        }
    }
    if (fp != stdin)
        fclose(fp);
    if (*errnum != 0) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* 1-based line and column (in bytes) of byte offset off. */
static void line_col(const char *text, size_t off, int *line, int *col)
{
    size_t start = 0;
    *line = 1;
    for (size_t i = 0; i < off; i++)
        if (text[i] == '\n') {
            (*line)++;
            start = i + 1;
        }
    *col = (int)(off - start) + 1;
}

/* The end (closing quote) of the string whose body starts at i, and
 * whether a ':' follows it (a key). */
static size_t string_end(const char *t, size_t n, size_t i, bool *is_key)
{
    while (i < n && t[i] != '"')
        i += t[i] == '\\' ? 2 : 1;
    size_t j = i + 1;
    while (j < n && strchr(" \t\r\n", t[j]) != NULL)
        j++;
    *is_key = j < n && t[j] == ':';
    return i < n ? i : n;
}

/* The escape \u0000 in a string of valid JSON text: cJSON decodes it to a
 * NUL that ends the string early ("z\u0000evil" would become "z"). */
static void check_nul_escapes(job_file *f)
{
    const char *t = f->text;
    size_t n = f->len;
    char key[64] = "";
    for (size_t i = 0; i < n; i++) {
        if (t[i] != '"')
            continue;
        bool is_key;
        size_t end = string_end(t, n, i + 1, &is_key);
        for (size_t k = i + 1; k < end; k++) {
            if (t[k] != '\\')
                continue;
            if (k + 5 < end && t[k + 1] == 'u' &&
                memcmp(t + k + 2, "0000", 4) == 0) {
                if (f->problems >= SHOWN_MAX) { /* counted, not located */
                    f->problems++;
                    break;
                }
                int line, col;
                line_col(t, k, &line, &col);
                bool id = strcmp(key, "id") == 0 ||
                          strcmp(key, "customerId") == 0 ||
                          strcmp(key, "datasetId") == 0;
                char what[128];
                if (is_key || key[0] == '\0')
                    snprintf(what, sizeof what, "invalid %s",
                             is_key ? "key" : "value");
                else
                    snprintf(what, sizeof what, "field '%s': invalid %s", key,
                             id ? "id" : "value");
                problem(f,
                        "%s:%d:%d: %s: \\u0000 (a NUL character) is not "
                        "allowed in a job file",
                        f->path, line, col, what);
                break;
            }
            k++;
        }
        if (is_key)
            snprintf(key, sizeof key, "%.*s", (int)(end - i - 1), t + i + 1);
        i = end;
    }
}

static int cmp_names(const void *a, const void *b)
{
    const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
    return strcmp(x->string, y->string);
}

/* A key twice in one object of o (at any depth); where: "" or the field
 * path of o ("params").  Recursive on the document's nesting, which
 * cJSON caps (CJSON_NESTING_LIMIT): NOLINTNEXTLINE(misc-no-recursion) */
static void check_dup_keys(job_file *f, const cJSON *o, const char *label,
                           const char *where)
{
    int n = cJSON_GetArraySize(o);
    if (cJSON_IsObject(o) && n > 1) {
        const cJSON **kids = malloc((size_t)n * sizeof *kids);
        int k = 0;
        const cJSON *it;
        cJSON_ArrayForEach(it, o)
        {
            if (kids != NULL && it->string != NULL)
                kids[k++] = it;
        }
        if (kids != NULL)
            qsort(kids, (size_t)k, sizeof *kids, cmp_names);
        const char *reported = NULL; /* a key three times: once */
        for (int i = 1; kids != NULL && i < k; i++) {
            const char *name = kids[i]->string;
            if (strcmp(kids[i - 1]->string, name) != 0 ||
                (reported != NULL && strcmp(reported, name) == 0))
                continue;
            reported = name;
            problem(f, "%s: %s%s%skey '%s' appears more than once", label,
                    where[0] ? "field '" : "", where, where[0] ? "': " : "",
                    name);
        }
        free(kids);
    }
    const cJSON *it;
    cJSON_ArrayForEach(it, o)
    {
        if (!cJSON_IsObject(it) && !cJSON_IsArray(it))
            continue;
        char sub[256];
        if (it->string == NULL)
            snprintf(sub, sizeof sub, "%s", where);
        else
            snprintf(sub, sizeof sub, "%s%s%s", where, where[0] ? "." : "",
                     it->string);
        check_dup_keys(f, it, label, sub);
    }
}

/* What a job file may hold: a job's own fields, and the ones submit sets
 * anyway (status queued, attempts 0, takeovers dropped, times). */
static const char *const file_fields[] = {
    "id",        "type",      "customerId",  "dataset", "datasetId",
    "params",    "timeoutS",  "maxAttempts", "status",  "attempts",
    "takeovers", "createdAt", "updatedAt",   NULL};
/* What the runner or the store write on a job document. */
static const char *const runner_fields[] = {
    "leaseOwner",   "leaseExpiry", "startedAt", "finishedAt",
    "error",        "errorReason", "summary",   "metrics",
    "resultChunks", "resultRows",  "narrative", "report",
    "datasetBytes", "_etag",       "_ts",       NULL};

static bool listed(const char *const *list, const char *s)
{
    for (int i = 0; list[i] != NULL; i++)
        if (strcmp(list[i], s) == 0)
            return true;
    return false;
}

static void check_fields(job_file *f, const cJSON *doc, const char *label)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, doc)
    {
        if (listed(file_fields, it->string))
            continue;
        if (listed(runner_fields, it->string))
            problem(f,
                    "%s: field '%s' is written by the runner, not by a job "
                    "file",
                    label, it->string);
        else
            problem(f,
                    "%s: unknown field '%s' (a job's fields: id, type, "
                    "customerId, dataset, datasetId, params, timeoutS, "
                    "maxAttempts)",
                    label, it->string);
    }
}

/* With a tenant: every job is that tenant's; one without customerId
 * becomes it. */
static void bind_tenant(job_file *f, cJSON *doc, const char *label,
                        const char *tenant)
{
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(doc, "customerId");
    if (c == NULL || cJSON_IsNull(c)) {
        hz__cjson_set_str(doc, "customerId", tenant);
        return;
    }
    if (cJSON_IsString(c) && strcmp(c->valuestring, tenant) == 0)
        return;
    problem(f,
            "%s: customerId %s%s%s is not tenant '%s' (--tenant or "
            "$HZ_TENANT): a job file for a tenant holds that tenant's jobs "
            "only",
            label, cJSON_IsString(c) ? "'" : "",
            cJSON_IsString(c) ? c->valuestring : "(not a string)",
            cJSON_IsString(c) ? "'" : "", tenant);
}

typedef struct job_key {
    const char *tenant, *id;
    int index;
} job_key;

static int cmp_keys(const void *a, const void *b)
{
    const job_key *x = a, *y = b;
    int c = strcmp(x->tenant, y->tenant);
    c = c != 0 ? c : strcmp(x->id, y->id);
    return c != 0 ? c : (x->index > y->index) - (x->index < y->index);
}

/* Two jobs of one tenant with one id. */
static void check_dup_ids(job_file *f, const cJSON *jobs)
{
    int n = cJSON_GetArraySize(jobs), k = 0, i = 0;
    job_key *keys = n > 1 ? malloc((size_t)n * sizeof *keys) : NULL;
    const cJSON *doc;
    cJSON_ArrayForEach(doc, jobs)
    {
        const char *id = hz__cjson_str(doc, "id");
        const char *t = hz__cjson_str(doc, "customerId");
        if (keys != NULL && id != NULL && t != NULL && hz_job_id_ok(id))
            keys[k++] = (job_key){t, id, i};
        i++;
    }
    if (keys != NULL)
        qsort(keys, (size_t)k, sizeof *keys, cmp_keys);
    for (int j = 1; keys != NULL && j < k; j++)
        if (strcmp(keys[j].tenant, keys[j - 1].tenant) == 0 &&
            strcmp(keys[j].id, keys[j - 1].id) == 0)
            problem(f, "%s: job #%d and job #%d both have id '%s' (tenant %s)",
                    f->path, keys[j - 1].index + 1, keys[j].index + 1,
                    keys[j].id, keys[j].tenant);
    free(keys);
}

void hz_cli_job_file_label(const char *path, int index, const cJSON *doc,
                           char *out, size_t outsz)
{
    const char *id = hz__cjson_str(doc, "id");
    const char *shown = strcmp(path, "-") == 0 ? "<stdin>" : path;
    if (id != NULL && hz_job_id_ok(id))
        snprintf(out, outsz, "%s: job %s", shown, id);
    else
        snprintf(out, outsz, "%s: job #%d", shown, index + 1);
}

/* The parsed file as an array of jobs; NULL after a problem. */
static cJSON *parse(job_file *f)
{
    const char *nul = memchr(f->text, '\0', f->len);
    int line, col;
    if (nul != NULL) {
        line_col(f->text, (size_t)(nul - f->text), &line, &col);
        problem(f, "%s:%d:%d: a NUL byte: not a text file", f->path, line,
                col);
        return NULL;
    }
    const char *end = NULL;
    /* the length counts the terminating NUL: cJSON then checks that
       nothing but white space follows the value */
    cJSON *doc = cJSON_ParseWithLengthOpts(f->text, f->len + 1, &end, 1);
    if (doc == NULL) {
        size_t off = end != NULL && end >= f->text ? (size_t)(end - f->text)
                                                   : 0;
        line_col(f->text, off < f->len ? off : f->len, &line, &col);
        problem(f, "%s:%d:%d: invalid JSON", f->path, line, col);
        return NULL;
    }
    if (cJSON_IsArray(doc))
        return doc;
    cJSON *jobs = cJSON_CreateArray();
    if (jobs == NULL || !cJSON_AddItemToArray(jobs, doc)) {
        cJSON_Delete(doc);
        cJSON_Delete(jobs);
        problem(f, "%s: out of memory", f->path);
        return NULL;
    }
    return jobs;
}

int hz_cli_job_file_read(const char *cmd, const char *path, const char *tenant,
                         bool strict, cJSON **jobs_out)
{
    *jobs_out = NULL;
    int errnum = 0;
    size_t len = 0;
    char *text = read_all(path, &len, &errnum);
    if (text == NULL) {
        hz_cli_error(cmd, "could not read '%s': %s", path, strerror(errnum));
        return HZ_EXIT_NOINPUT;
    }
    job_file f = {.cmd = cmd,
                  .path = strcmp(path, "-") == 0 ? "<stdin>" : path,
                  .text = text,
                  .len = len};
    cJSON *jobs = parse(&f);
    if (jobs != NULL)
        check_nul_escapes(&f);
    int i = 0;
    cJSON *doc;
    cJSON_ArrayForEach(doc, jobs)
    {
        char label[1200];
        hz_cli_job_file_label(path, i++, doc, label, sizeof label);
        if (!cJSON_IsObject(doc))
            continue; /* submit's check says so */
        check_dup_keys(&f, doc, label, "");
        if (strict)
            check_fields(&f, doc, label);
        if (tenant != NULL)
            bind_tenant(&f, doc, label, tenant);
    }
    if (jobs != NULL)
        check_dup_ids(&f, jobs);
    free(text);
    if (f.problems == 0) {
        *jobs_out = jobs;
        return HZ_EXIT_OK;
    }
    cJSON_Delete(jobs);
    if (f.problems > SHOWN_MAX)
        hz_cli_error(cmd,
                     "%s: %d problems (the first %d shown): nothing "
                     "was stored",
                     f.path, f.problems, SHOWN_MAX);
    else
        hz_cli_error(cmd, "%s: nothing was stored", f.path);
    return HZ_EXIT_USAGE;
}
