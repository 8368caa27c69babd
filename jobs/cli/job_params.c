/* Job parameters through the command line's option tables (see
 * job_params.h). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/an_cli.h"
#include "cli/cli.h"
#include "cli/fc_cli.h"
#include "cli/job_params.h"
#include "horizon/csv.h"

/* The option tables of the commands behind the job types. */
static const struct option forecast_opts[] = {HZ_FC_SERIES_LONGOPTS,
                                              HZ_FC_REQUEST_LONGOPTS,
                                              HZ_CLI_CSV_LONGOPTS,
                                              {0, 0, 0, 0}};
static const struct option analyze_opts[] = {HZ_AN_REQUEST_LONGOPTS,
                                             HZ_CLI_CSV_LONGOPTS,
                                             {0, 0, 0, 0}};

/* Deprecated parameter names of earlier versions. */
static const struct {
    const char *old, *now;
    bool analytics_only, forecast_only;
} aliases[] = {{"dateColumn", "date", false, false},
               {"valueColumn", "value", false, true},
               {"customerColumn", "customer", true, false},
               {"amountColumn", "amount", true, false},
               {"labelColumn", "label", true, false},
               {"asOf", "as-of", true, false},
               {"calibrationEnd", "calibration-end", true, false},
               {"horizonMonths", "horizon", true, false},
               {"discountRate", "discount", true, false},
               {"kMax", "k-max", true, false},
               {"nInit", "n-init", true, false},
               {"inactiveDays", "inactive-days", true, false},
               {"levels", "level", false, true}};

/* What a request points into. */
typedef struct owned {
    hz__fc_series_args sa; /* the forecast's by list points in here */
    hz_cli_csv csv;
    hz_schema_override *ov;
    size_t nov;
    char **strs;
    size_t nstrs;
} owned;

static void free_owned(void *p)
{
    owned *o = p;
    if (o == NULL)
        return;
    free(o->sa.bystore);
    hz_schema_overrides_free(o->ov, o->nov);
    for (size_t i = 0; i < o->nstrs; i++)
        free(o->strs[i]);
    free(o->strs);
    free(o);
}

static char *keep(owned *o, char *s)
{
    char **v = s ? realloc(o->strs, (o->nstrs + 1) * sizeof *v) : NULL;
    if (v == NULL) {
        free(s);
        return NULL;
    }
    o->strs = v;
    v[o->nstrs++] = s;
    return s;
}

static const char *canonical(const char *name, bool analytics)
{
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (strcmp(name, aliases[i].old) == 0 &&
            !(analytics && aliases[i].forecast_only) &&
            !(!analytics && aliases[i].analytics_only))
            return aliases[i].now;
    return name;
}

/* One number as an option argument: integral values without a point. */
static void number_text(double v, char *out, size_t n)
{
    if (v == floor(v) && fabs(v) < 1e15)
        snprintf(out, n, "%.0f", v);
    else
        snprintf(out, n, "%.17g", v);
}

/* The argument text of a parameter value (malloc'd); NULL with a message
 * when the value has no command-line form. */
static char *value_text(const char *name, const cJSON *v, hz_error *err)
{
    char num[64];
    if (cJSON_IsString(v))
        return strdup(v->valuestring);
    if (cJSON_IsNumber(v)) {
        number_text(v->valuedouble, num, sizeof num);
        return strdup(num);
    }
    if (cJSON_IsBool(v))
        return strdup(cJSON_IsTrue(v) ? "true" : "false");
    if (cJSON_IsArray(v) && cJSON_GetArraySize(v) > 0) {
        size_t cap = 256, len = 0;
        char *s = calloc(1, cap);
        const cJSON *e;
        cJSON_ArrayForEach(e, v)
        {
            const char *t = cJSON_IsString(e) ? e->valuestring : NULL;
            if (cJSON_IsNumber(e)) {
                number_text(e->valuedouble, num, sizeof num);
                t = num;
            }
            size_t need = len + (t ? strlen(t) : 0) + 2;
            char *ns = t && need > cap ? realloc(s, cap = need * 2) : s;
            if (t == NULL || ns == NULL) {
                free(ns ? ns : s);
                hz_error_set(err, HZ_EINVAL,
                             "params.%s: expected a list of strings or "
                             "numbers",
                             name);
                return NULL;
            }
            s = ns;
            len += (size_t)sprintf(s + len, "%s%s", len ? "," : "", t);
        }
        return s;
    }
    hz_error_set(err, HZ_EINVAL,
                 "params.%s: expected a string, a number, true/false or a "
                 "list",
                 name);
    return NULL;
}

static const struct option *find_opt(const struct option *t, const char *name)
{
    for (; t->name != NULL; t++)
        if (strcmp(t->name, name) == 0)
            return t;
    return NULL;
}

/* "params.NAME: why" from a message of the command's parser
 * ("--NAME: why" or a message naming no option). */
static hz_status param_error(const char *name, const char *why, hz_error *err)
{
    char msg[HZ_ERROR_MAX], prefix[160];
    snprintf(msg, sizeof msg, "%s", why); /* why may be err->msg */
    snprintf(prefix, sizeof prefix, "--%s: ", name);
    const char *m = msg;
    if (strncmp(m, prefix, strlen(prefix)) == 0)
        m += strlen(prefix);
    return hz_error_set(err, HZ_EINVAL, "params.%s: %s", name, m);
}

static void list_names(const struct option *t, char *out, size_t n)
{
    size_t k = 0;
    out[0] = '\0';
    for (; t->name != NULL && k < n; t++)
        if (strcmp(t->name, "threads") != 0)
            k += (size_t)snprintf(out + k, n - k, "%s%s", k ? ", " : "",
                                  t->name);
}

/* Apply one option to the request through the command's parser. */
static int apply(hz_job_request *r, owned *o, int code, const char *arg)
{
    int taken;
    if (r->type == HZ_JOB_FORECAST) {
        taken = hz__fc_series_option("job", code, arg, &o->sa);
        if (taken == 0)
            taken = hz__fc_request_option("job", code, arg, &r->fc);
    } else {
        taken = hz__an_request_option("job", code, arg, &r->an);
    }
    if (taken == 0)
        taken = hz_cli_csv_option("job", &o->csv, code, arg) ? 1 : -1;
    return taken;
}

/* The test hooks: debugSleepS, debugSleepTool, debugMemoryNeedle,
 * debugReadFile, debugStderr, debugConnect, debugReason, debugResultMB,
 * debugWriteMB, debugWriteFiles, debugWriteHide, debugWriteRaise,
 * debugForkS, debugThreads, debugShmMB, debugStdin and
 * debugKeyring (honoured by
 * the job
 * process only when the runner runs with HZ_TEST_HOOKS=1). */
static bool test_hook(hz_job_request *r, const cJSON *it)
{
    if (strcmp(it->string, "debugSleepS") == 0 &&
        (cJSON_IsNumber(it) || cJSON_IsString(it))) {
        r->debug_sleep_s = cJSON_IsNumber(it) ? it->valuedouble
                                              : strtod(it->valuestring, NULL);
        return true;
    }
    if (strcmp(it->string, "debugMemoryNeedle") == 0 && cJSON_IsString(it)) {
        snprintf(r->debug_needle, sizeof r->debug_needle, "%s",
                 it->valuestring);
        return true;
    }
    if (strcmp(it->string, "debugReadFile") == 0 && cJSON_IsString(it)) {
        snprintf(r->debug_read_file, sizeof r->debug_read_file, "%s",
                 it->valuestring);
        return true;
    }
    if (strcmp(it->string, "debugConnect") == 0 && cJSON_IsString(it)) {
        snprintf(r->debug_connect, sizeof r->debug_connect, "%s",
                 it->valuestring);
        return true;
    }
    if (strcmp(it->string, "debugReason") == 0 && cJSON_IsString(it)) {
        snprintf(r->debug_reason, sizeof r->debug_reason, "%s",
                 it->valuestring);
        return true;
    }
    if (strcmp(it->string, "debugResultMB") == 0 && cJSON_IsNumber(it)) {
        r->debug_result_mb = it->valuedouble;
        return true;
    }
    if (strcmp(it->string, "debugWriteMB") == 0 && cJSON_IsNumber(it)) {
        r->debug_write_mb = it->valuedouble;
        return true;
    }
    if (strcmp(it->string, "debugKeyring") == 0 && cJSON_IsString(it)) {
        snprintf(r->debug_keyring, sizeof r->debug_keyring, "%s",
                 it->valuestring);
        return true;
    }
    if (strcmp(it->string, "debugStdin") == 0 && cJSON_IsBool(it)) {
        r->debug_stdin = cJSON_IsTrue(it);
        return true;
    }
    if (strcmp(it->string, "debugShmMB") == 0 && cJSON_IsNumber(it)) {
        r->debug_shm_mb = it->valuedouble;
        return true;
    }
    if (strcmp(it->string, "debugForkS") == 0 && cJSON_IsNumber(it)) {
        r->debug_fork_s = it->valuedouble;
        return true;
    }
    if (strcmp(it->string, "debugThreads") == 0 && cJSON_IsNumber(it)) {
        r->debug_threads = (int)it->valuedouble;
        return true;
    }
    if (strcmp(it->string, "debugWriteRaise") == 0 && cJSON_IsBool(it)) {
        r->debug_write_raise = cJSON_IsTrue(it);
        return true;
    }
    if (strcmp(it->string, "debugWriteHide") == 0 && cJSON_IsString(it)) {
        snprintf(r->debug_write_hide, sizeof r->debug_write_hide, "%s",
                 it->valuestring);
        return true;
    }
    if (strcmp(it->string, "debugWriteFiles") == 0 && cJSON_IsNumber(it)) {
        r->debug_write_files = (int)it->valuedouble;
        return true;
    }
    if (strcmp(it->string, "debugStderr") == 0 && cJSON_IsString(it)) {
        snprintf(r->debug_stderr, sizeof r->debug_stderr, "%s",
                 it->valuestring);
        return true;
    }
    if (strcmp(it->string, "debugSleepTool") == 0 && cJSON_IsString(it)) {
        snprintf(r->debug_sleep_tool, sizeof r->debug_sleep_tool, "%s",
                 it->valuestring);
        return true;
    }
    return false;
}

/* One parameter: find its option, turn its value into the argument,
 * apply it. */
static hz_status one_param(hz_job_request *r, owned *o,
                           const struct option *table, const cJSON *it,
                           hz_error *err)
{
    const char *name = canonical(it->string, r->type != HZ_JOB_FORECAST);
    const struct option *op = find_opt(table, name);
    if (op == NULL || strcmp(name, "threads") == 0) {
        char names[1024];
        list_names(table, names, sizeof names);
        return hz_error_set(err, HZ_EINVAL,
                            "params.%s: %s (a %s job takes: %s)", it->string,
                            op ? "set by the runner (horizon run --threads)"
                               : "unknown parameter",
                            hz_job_type_name(r->type), names);
    }
    if (op->has_arg == no_argument) {
        if (!cJSON_IsBool(it) &&
            !(cJSON_IsString(it) && (strcmp(it->valuestring, "true") == 0 ||
                                     strcmp(it->valuestring, "false") == 0)))
            return hz_error_set(err, HZ_EINVAL,
                                "params.%s: expected true or false", name);
        if (cJSON_IsFalse(it) ||
            (cJSON_IsString(it) && strcmp(it->valuestring, "false") == 0))
            return HZ_OK;
    }
    char *arg = NULL;
    if (op->has_arg != no_argument) {
        arg = keep(o, value_text(name, it, err));
        if (arg == NULL)
            return err && err->msg[0]
                       ? HZ_EINVAL
                       : hz_error_set(err, HZ_ENOMEM, "out of memory");
        if (arg[0] == '\0')
            return hz_error_set(err, HZ_EINVAL, "params.%s: empty value",
                                name);
    }
    char msg[HZ_ERROR_MAX];
    hz_cli_capture(msg, sizeof msg);
    int taken = apply(r, o, op->val, arg);
    hz_cli_capture(NULL, 0);
    if (taken < 0)
        return param_error(name, msg, err);
    return HZ_OK;
}

/* After the parameters: what the command requires of its request, and
 * the ingest options. */
static hz_status finish_request(hz_job_request *r, owned *o, hz_error *err)
{
    char msg[HZ_ERROR_MAX];
    bool ok;
    hz_cli_capture(msg, sizeof msg);
    if (r->type == HZ_JOB_FORECAST) {
        /* as `horizon forecast`: the date and value columns read
         * strictly (hz__fc_series_check sets them in o->csv) */
        ok = hz__fc_series_check("job", &o->sa, &o->csv) == HZ_EXIT_OK &&
             hz__fc_request_finish("job", &o->sa, &r->fc);
    } else {
        hz_analysis_kind k = r->type == HZ_JOB_CHURN   ? HZ_ANALYSIS_CHURN
                             : r->type == HZ_JOB_CLV   ? HZ_ANALYSIS_CLV
                             : r->type == HZ_JOB_SUITE ? HZ_ANALYSIS_SUITE
                                                       : HZ_ANALYSIS_SEGMENT;
        ok = hz__an_request_check("job", k, &r->an);
    }
    hz_cli_capture(NULL, 0);
    if (!ok)
        return hz_error_set(err, HZ_EINVAL, "params: %s", msg);
    if (o->csv.schema != NULL &&
        hz_schema_overrides_parse(o->csv.schema, &o->ov, &o->nov, err) !=
            HZ_OK)
        return param_error("schema", err->msg, err);
    /* the command's reader options, all of them (the threads are the
     * runner's: the job's own ingest stage sets them) */
    hz_cli_csv_reader_options(&o->csv, &r->csv);
    r->csv.overrides = o->ov;
    r->csv.noverrides = o->nov;
    return HZ_OK;
}

hz_status hz_cli_job_request(const hz_job *job, hz_job_request *out,
                             hz_error *err)
{
    hz_job_request_clear(out);
    owned *o = calloc(1, sizeof *o);
    if (o == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    hz__fc_series_args_init(&o->sa);
    hz_cli_csv_init(&o->csv);
    out->type = job->type;
    out->owned = o;
    out->free_owned = free_owned;
    const struct option *table = job->type == HZ_JOB_FORECAST ? forecast_opts
                                                              : analyze_opts;
    hz_status rc = HZ_OK;
    if (job->params != NULL && !cJSON_IsObject(job->params))
        rc = hz_error_set(err, HZ_EINVAL, "params: expected an object");
    const cJSON *it, *prev;
    const bool analytics = job->type != HZ_JOB_FORECAST;
    cJSON_ArrayForEach(it, job->params)
    {
        if (rc != HZ_OK)
            break;
        if (test_hook(out, it))
            continue;
        /* a parameter twice (a key repeated, or under its former name
         * beside its name: value and valueColumn): the later one won
         * without a word */
        const char *name = canonical(it->string, analytics);
        cJSON_ArrayForEach(prev, job->params)
        {
            if (prev == it)
                break;
            if (strcmp(canonical(prev->string, analytics), name) == 0) {
                rc = hz_error_set(err, HZ_EINVAL,
                                  "params.%s: given twice (as '%s' too): "
                                  "give it once",
                                  it->string, prev->string);
                break;
            }
        }
        if (rc == HZ_OK)
            rc = one_param(out, o, table, it, err);
    }
    if (rc == HZ_OK)
        rc = finish_request(out, o, err);
    if (rc != HZ_OK)
        hz_job_request_clear(out);
    return rc;
}

void hz_cli_job_params_help(FILE *f)
{
    char names[1024];
    list_names(forecast_opts, names, sizeof names);
    fprintf(f,
            "  forecast: %s\n            (the options of 'horizon "
            "forecast --help'; date is required)\n",
            names);
    list_names(analyze_opts, names, sizeof names);
    fprintf(f,
            "  churn, clv, segment, suite: %s\n            (the options "
            "of 'horizon analyze KIND --help')\n",
            names);
}

/* ---- columns ---- */

/* The first rows of path (whole lines, at most 256 KB) as a table.  A
 * regular file only, looked at before it is read (a FIFO would block);
 * *empty when it has no byte at all. */
static hz_status sample_table(const char *path, const hz_job_request *r,
                              hz_dataset **ds, bool *empty, hz_error *err)
{
    *empty = false;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return hz_error_set(err, HZ_EIO, "dataset '%s': could not open", path);
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return hz_error_set(err, HZ_EIO, "dataset '%s': not a regular file",
                            path);
    }
    size_t cap = 256 * 1024, n = 0;
    char *buf = malloc(cap);
    ssize_t got = 1;
    while (buf != NULL && n < cap &&
           ((got = read(fd, buf + n, cap - n)) > 0 ||
            (got < 0 && errno == EINTR)))
        n += got > 0 ? (size_t)got : 0;
    bool whole = got == 0;
    close(fd);
    if (buf == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    if (got < 0) {
        free(buf);
        return hz_error_set(err, HZ_EIO, "dataset '%s': could not read",
                            path);
    }
    if (whole && n == 0) {
        free(buf);
        *empty = true;
        return hz_error_set(err, HZ_EPARSE,
                            "dataset '%s': empty file: expected a header row",
                            path);
    }
    while (!whole && n > 0 && buf[n - 1] != '\n')
        n--; /* whole lines only (a quoted newline may cut a row: then the
                check is skipped below) */
    hz_csv_options co = r->csv;
    co.threads = 1;
    co.on_error = HZ_ON_ERROR_SKIP;
    hz_csv_report rep;
    hz_status rc = hz_csv_read_buffer(buf, n, path, &co, ds, &rep, err);
    free(buf);
    return rc;
}

static hz_status need_column(const hz_dataset *ds, const char *param,
                             const char *col, hz_error *err)
{
    if (col == NULL || hz_dataset_find(ds, col) >= 0)
        return HZ_OK;
    char have[512];
    size_t k = 0;
    have[0] = '\0';
    for (size_t i = 0; i < ds->ncols && k < sizeof have; i++)
        k += (size_t)snprintf(have + k, sizeof have - k, "%s%s", i ? ", " : "",
                              ds->cols[i].name);
    return hz_error_set(err, HZ_ENOTFOUND,
                        "params.%s: the dataset has no column '%s' (its "
                        "columns: %s)",
                        param, col, have);
}

hz_status hz_cli_job_check_columns(const hz_job *job, const char *path,
                                   hz_error *err)
{
    hz_job_request r;
    hz_job_request_init(&r);
    hz_status rc = hz_cli_job_request(job, &r, err);
    hz_dataset *ds = NULL;
    hz_error e2;
    bool empty = false;
    /* a sample that does not parse is reported when the job runs; a file
     * without a byte has no header, so none of the columns */
    if (rc != HZ_OK || sample_table(path, &r, &ds, &empty, &e2) != HZ_OK) {
        hz_job_request_clear(&r);
        if (rc == HZ_OK && empty && err != NULL)
            *err = e2;
        return rc == HZ_OK && empty ? HZ_EPARSE : rc;
    }
    if (r.type == HZ_JOB_FORECAST) {
        rc = need_column(ds, "date", r.fc.date_col, err);
        if (rc == HZ_OK)
            rc = need_column(ds, "value", r.fc.value_col, err);
        for (size_t i = 0; rc == HZ_OK && i < r.fc.nby; i++)
            rc = need_column(ds, "by", r.fc.by_cols[i], err);
    } else {
        const char *p[4] = {"customer", "date", "amount", "label"};
        const char *c[4] = {r.an.customer_col, r.an.date_col, r.an.amount_col,
                            r.an.label_col};
        for (int i = 0; rc == HZ_OK && i < 4; i++)
            rc = need_column(ds, p[i], c[i], err);
    }
    hz_dataset_free(ds);
    hz_job_request_clear(&r);
    return rc;
}
