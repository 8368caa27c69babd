/* horizon submit: queue jobs (from flags or a JSON file), all or
 * nothing. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/cjson.h"
#include "cli/cli.h"
#include "cli/cli_jobs.h"
#include "cli/job_file.h"
#include "cli/job_params.h"
#include "store/job.h"
#include "store/store.h"

const char hz__cmd_submit_summary[] = "queue jobs (from flags or a JSON "
                                      "file)";

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: horizon submit [--store SPEC] --type TYPE --tenant ID\n"
        "                      (--dataset PATH|URL | --url-file FILE |\n"
        "                       --dataset-id ID)\n"
        "                      [--param KEY=VALUE]... [--params JSON]\n"
        "                      [--id ID] [--timeout S] [--max-attempts N]\n"
        "                      [--count N] [--quiet]\n"
        "       horizon submit [--store SPEC] --file JOBS.json [--tenant ID]\n"
        "                      [--quiet]\n\n"
        "Queue jobs in the store: all of them or, when one is invalid or\n"
        "cannot be stored, none (one transaction on SQLite; on Cosmos DB\n"
        "atomic batches of up to 100 jobs per tenant, undone if a later\n"
        "batch fails).  TYPE is forecast, churn, clv, segment or suite.\n"
        "--file reads one job object or an array of them ('-' = stdin);\n"
        "missing ids are generated and status is set to queued; with\n"
        "--tenant (or $HZ_TENANT) every job must be that tenant's (one\n"
        "without customerId becomes it); job flags (--type, --dataset,\n"
        "--param, ...) cannot be combined with --file.  Every job\n"
        "is checked before anything is stored: type, dataset (a local path\n"
        "is made absolute and must lie in $HZ_DATASET_ROOTS; a URL's host\n"
        "must be in $HZ_DATASET_HOSTS), parameters, and the columns they\n"
        "name when the dataset is a local file.  --no-validate stores jobs\n"
        "as they are (to test a runner's handling of bad documents).\n"
        "Prints the id of each job queued.\n\n"
        "Parameters are the options of the command behind the job type,\n"
        "without the dashes: --param by=region,category is --by\n"
        "region,category; --param long (no value) sets a flag.  --params\n"
        "takes a JSON object of them.  By type:\n");
    hz_cli_job_params_help(f);
    fprintf(
        f,
        "\n  --store SPEC   sqlite:PATH or cosmos (default $HORIZON_STORE,\n"
        "                 else sqlite:horizon.db)\n"
        "  --tenant ID    default $HZ_TENANT\n"
        "  --url-file FILE  the dataset's URL (or path) from the first line\n"
        "                 of FILE, - for stdin: a signed URL given with\n"
        "                 --dataset is seen by every local user (ps)\n"
        "  --count N      queue N copies (ids generated)\n\n"
        "exit status: 0 queued, 1 an id exists already or the dataset is an\n"
        "empty file (no header), 2 an invalid job or dataset id (nothing\n"
        "stored), 3 a dataset not found: no such file, not a regular file\n"
        "(a directory, a FIFO), or a --dataset-id not registered for the\n"
        "tenant ('horizon datasets add'), 75 the store is unreachable,\n"
        "unauthorised or full (nothing stored).\n");
}

/* What the command line asked for. */
typedef struct submit_args {
    const char *store, *type, *tenant, *dataset, *dataset_id, *id, *file;
    const char *url_file;          /* --url-file: dataset read into url */
    char url[HZ_JOB_URI_MAX];
    bool validate, quiet;
    long count;
    double timeout;
    int max_attempts;
    cJSON *params;
} submit_args;

/* A job flag given with --file (the file's jobs carry their own
 * fields), or NULL. */
static const char *file_conflict(const submit_args *a)
{
    return a->type                             ? "--type"
           : a->url_file                       ? "--url-file"
           : a->dataset                        ? "--dataset"
           : a->dataset_id                     ? "--dataset-id"
           : a->id                             ? "--id"
           : cJSON_GetArraySize(a->params) > 0 ? "--param/--params"
           : a->timeout > 0                    ? "--timeout"
           : a->max_attempts > 0               ? "--max-attempts"
           : a->count != 1                     ? "--count"
                                               : NULL;
}

/* Parse argv into a; -1 to go on, else the exit code. */
static int parse_args(int argc, char **argv, submit_args *a)
{
    static const struct option opts[] = {
        {"store", required_argument, 0, 's'},
        {"type", required_argument, 0, 't'},
        {"tenant", required_argument, 0, 'n'},
        {"dataset", required_argument, 0, 'd'},
        {"dataset-id", required_argument, 0, 'D'},
        {"param", required_argument, 0, 'p'},
        {"params", required_argument, 0, 'P'},
        {"id", required_argument, 0, 'i'},
        {"timeout", required_argument, 0, 'T'},
        {"max-attempts", required_argument, 0, 'a'},
        {"count", required_argument, 0, 'c'},
        {"file", required_argument, 0, 'f'},
        {"url-file", required_argument, 0, 'u'},
        {"no-validate", no_argument, 0, 'N'},
        {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    long lv;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 's': a->store = optarg; break;
        case 't': a->type = optarg; break;
        case 'n': a->tenant = optarg; break;
        case 'd': a->dataset = optarg; break;
        case 'D': a->dataset_id = optarg; break;
        case 'i': a->id = optarg; break;
        case 'f': a->file = optarg; break;
        case 'u': a->url_file = optarg; break;
        case 'N': a->validate = false; break;
        case 'q': a->quiet = true; break;
        case 'p':
            if (!hz_cli_param_add("submit", a->params, optarg))
                return HZ_EXIT_USAGE;
            break;
        case 'P':
            if (!hz_cli_params_add_json("submit", a->params, optarg))
                return HZ_EXIT_USAGE;
            break;
        case 'T':
            if (!hz_cli_parse_seconds("submit", "timeout", optarg,
                                      7 * 86400.0, &a->timeout))
                return HZ_EXIT_USAGE;
            break;
        case 'a':
            if (!hz_cli_parse_long("submit", "max-attempts", optarg, 1, 100,
                                   &lv))
                return HZ_EXIT_USAGE;
            a->max_attempts = (int)lv;
            break;
        case 'c':
            if (!hz_cli_parse_long("submit", "count", optarg, 1, 10000000,
                                   &a->count))
                return HZ_EXIT_USAGE;
            break;
        case 'h': usage(stdout); return HZ_EXIT_OK;
        default: usage(stderr); return HZ_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        hz_cli_error("submit", "unexpected argument '%s'", argv[optind]);
        return HZ_EXIT_USAGE;
    }
    a->tenant = hz_cli_tenant(a->tenant);
    if (a->file != NULL && file_conflict(a) != NULL) {
        hz_cli_error("submit",
                     "--file and %s are exclusive: the jobs' fields come "
                     "from the file (--tenant is the one flag that applies "
                     "to them)",
                     file_conflict(a));
        return HZ_EXIT_USAGE;
    }
    int code = hz_cli_dataset_url_file("submit", a->url_file, &a->dataset,
                                       a->url, sizeof a->url);
    if (code != HZ_EXIT_OK)
        return code;
    if (a->file == NULL && (a->type == NULL || a->tenant == NULL ||
                            (a->dataset == NULL && a->dataset_id == NULL))) {
        hz_cli_error("submit", "needs --type, --tenant and --dataset (or "
                               "--url-file or --dataset-id), or --file");
        return HZ_EXIT_USAGE;
    }
    if (a->id != NULL && a->count > 1) {
        hz_cli_error("submit", "--id and --count are exclusive");
        return HZ_EXIT_USAGE;
    }
    return -1;
}

/* The jobs to submit: the file's, or --count copies of the flags' job. */
static int collect_jobs(const submit_args *a, cJSON **jobs_out)
{
    if (a->file != NULL)
        return hz_cli_job_file_read("submit", a->file, a->tenant, a->validate,
                                    jobs_out);
    cJSON *jobs = cJSON_CreateArray();
    *jobs_out = jobs;
    for (long k = 0; k < a->count; k++) {
        cJSON *j = cJSON_CreateObject();
        if (a->id != NULL)
            cJSON_AddStringToObject(j, "id", a->id);
        cJSON_AddStringToObject(j, "type", a->type);
        cJSON_AddStringToObject(j, "customerId", a->tenant);
        if (a->dataset != NULL)
            cJSON_AddStringToObject(j, "dataset", a->dataset);
        if (a->dataset_id != NULL)
            cJSON_AddStringToObject(j, "datasetId", a->dataset_id);
        cJSON_AddItemToObject(j, "params", cJSON_Duplicate(a->params, 1));
        if (a->timeout > 0)
            cJSON_AddNumberToObject(j, "timeoutS", a->timeout);
        if (a->max_attempts > 0)
            cJSON_AddNumberToObject(j, "maxAttempts", a->max_attempts);
        cJSON_AddItemToArray(jobs, j);
    }
    return HZ_EXIT_OK;
}

/* Fill the defaults of one job document (id, status, times). */
static void fill_defaults(cJSON *doc, double now)
{
    if (hz__cjson_str(doc, "id") == NULL) {
        char id[HZ_JOB_ID_MAX];
        hz_job_new_id("j", id);
        cJSON_DeleteItemFromObjectCaseSensitive(doc, "id");
        cJSON_AddStringToObject(doc, "id", id);
    }
    hz__cjson_set_str(doc, "status", "queued");
    hz__cjson_set_num(doc, "attempts", 0);
    cJSON_DeleteItemFromObjectCaseSensitive(doc, "takeovers");
    if (!cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(doc, "createdAt")))
        hz__cjson_set_num(doc, "createdAt", now);
    hz__cjson_set_num(doc, "updatedAt", now);
}

/* The local file a job's dataset is, for the column check: its path,
 * or its registered dataset's; NULL for URLs and unknown datasets. */
static char *local_dataset(hz_store *s, const hz_job *job)
{
    const char *uri = job->dataset;
    cJSON *ds = NULL;
    if (job->dataset_id[0] != '\0') {
        hz_error err;
        if (hz_store_get(s, HZ_STORE_DATASETS, job->dataset_id,
                         job->customer_id, &ds, &err) != HZ_OK)
            return NULL;
        uri = hz__cjson_str(ds, "uri");
    }
    char *out = uri && !hz_sandbox_is_url(uri) ? strdup(uri) : NULL;
    cJSON_Delete(ds);
    return out;
}

/* The column check of the last job that passed it (a --count or a file
 * of jobs on one dataset reads the file once). */
static char *checked_key;

static char *column_key(const char *path, const hz_job *job)
{
    char *params = cJSON_PrintUnformatted(job->params);
    size_t n = strlen(path) + (params ? strlen(params) : 0) + 32;
    char *key = malloc(n);
    if (key != NULL)
        snprintf(key, n, "%d\n%s\n%s", (int)job->type, path,
                 params ? params : "");
    cJSON_free(params);
    return key;
}

static bool columns_checked(const char *path, const hz_job *job)
{
    char *key = checked_key ? column_key(path, job) : NULL;
    bool same = key != NULL && strcmp(key, checked_key) == 0;
    free(key);
    return same;
}

static void remember_columns(const char *path, const hz_job *job)
{
    free(checked_key);
    checked_key = column_key(path, job);
}

/* A message of hz_job_from_json ("job ID: ..." or "job: ...") with the
 * job named by label instead. */
static void job_error(const char *label, const cJSON *doc, const char *msg)
{
    const char *id = hz__cjson_str(doc, "id");
    size_t n = id != NULL ? strlen(id) : 0;
    if (label == NULL)
        hz_cli_error("submit", "%s", msg);
    else if (id != NULL && strncmp(msg, "job ", 4) == 0 &&
             strncmp(msg + 4, id, n) == 0 &&
             strncmp(msg + 4 + n, ": ", 2) == 0)
        hz_cli_error("submit", "%s: %s", label, msg + 6 + n);
    else if (strncmp(msg, "job: ", 5) == 0)
        hz_cli_error("submit", "%s: %s", label, msg + 5);
    else
        hz_cli_error("submit", "%s: %s", label, msg);
}

/* Validate one job: its document, its dataset (resolved in place), its
 * parameters and the columns they name.  label: how messages name a job
 * of a file (job_file.h), NULL for "job ID".  0 or an exit code. */
static int check_job(hz_store *s, const hz_sandbox *sb, cJSON *doc,
                     const char *label)
{
    hz_error err;
    hz_job job;
    if (!cJSON_IsObject(doc)) {
        hz_cli_error("submit", "%s%sa job must be a JSON object",
                     label ? label : "", label ? ": " : "");
        return HZ_EXIT_USAGE;
    }
    if (hz_job_from_json(doc, &job, &err) != HZ_OK) {
        job_error(label, doc, err.msg);
        return HZ_EXIT_USAGE;
    }
    char what[1200], resolved[HZ_JOB_URI_MAX];
    if (label != NULL)
        snprintf(what, sizeof what, "%s", label);
    else
        snprintf(what, sizeof what, "job %s", job.id);
    int code = HZ_EXIT_OK;
    if (job.dataset[0] != '\0') {
        code = hz_cli_resolve_dataset("submit", what, sb, job.customer_id,
                                      job.dataset, resolved, sizeof resolved);
        if (code == HZ_EXIT_OK) {
            hz__cjson_set_str(doc, "dataset", resolved);
            snprintf(job.dataset, sizeof job.dataset, "%s", resolved);
        }
    }
    hz_job_request req;
    hz_job_request_init(&req);
    if (code == HZ_EXIT_OK && hz_cli_job_request(&job, &req, &err) != HZ_OK) {
        hz_cli_error("submit", "%s: %s", what, err.msg);
        code = HZ_EXIT_USAGE;
    }
    hz_job_request_clear(&req);
    char *path = code == HZ_EXIT_OK ? local_dataset(s, &job) : NULL;
    if (path != NULL && !columns_checked(path, &job)) {
        if (hz_cli_job_check_columns(&job, path, &err) != HZ_OK) {
            hz_cli_error("submit", "%s: %s", what, err.msg);
            code = HZ_EXIT_USAGE;
        } else {
            remember_columns(path, &job);
        }
    }
    free(path);
    hz_job_clear(&job);
    return code;
}

/* The dataset the flags name (a --file's jobs are checked by check_job
 * alone): a --dataset-id must be a dataset registered for the tenant (2
 * for an invalid id, 3 for none), and a local file, given or registered,
 * must be a regular file inside the roots (opened without blocking) with
 * at least a header (1 for an empty file, as `horizon inspect` says). */
static int check_flag_dataset(hz_store *s, const hz_sandbox *sb,
                              const submit_args *a)
{
    if (a->file != NULL || !a->validate ||
        (a->dataset != NULL) == (a->dataset_id != NULL))
        return HZ_EXIT_OK; /* neither or both: check_job says why */
    hz_error err;
    cJSON *ds = NULL;
    const char *local = a->dataset;
    if (a->dataset_id != NULL) {
        if (!hz_job_id_ok(a->dataset_id)) {
            hz_cli_error("submit",
                         "--dataset-id: '%s' is not a valid dataset id "
                         "(1-127 of A-Z a-z 0-9 . _ : -)",
                         a->dataset_id);
            return HZ_EXIT_USAGE;
        }
        hz_status rc = hz_store_get(s, HZ_STORE_DATASETS, a->dataset_id,
                                    a->tenant, &ds, &err);
        if (rc == HZ_ENOTFOUND) {
            hz_cli_error("submit",
                         "--dataset-id: no dataset '%s' registered for "
                         "tenant '%s' (horizon datasets list --tenant %s)",
                         a->dataset_id, a->tenant, a->tenant);
            return HZ_EXIT_NOINPUT;
        }
        if (rc != HZ_OK) {
            hz_cli_error("submit", "%s", err.msg);
            return hz_cli_store_exit(rc);
        }
        local = hz__cjson_str(ds, "uri");
    }
    int code = HZ_EXIT_OK, fd = -1;
    char real[HZ_JOB_URI_MAX];
    if (local != NULL && !hz_sandbox_is_url(local)) {
        hz_status rc = hz_sandbox_open_path(sb, a->tenant, local, &fd, real,
                                            sizeof real, &err);
        struct stat st;
        if (rc != HZ_OK) {
            hz_cli_error("submit", "%s", err.msg);
            code = rc == HZ_EINVAL ? HZ_EXIT_USAGE : HZ_EXIT_NOINPUT;
        } else if (fstat(fd, &st) == 0 && st.st_size == 0) {
            hz_cli_error("submit",
                         "dataset '%s': empty file: expected a header row",
                         local);
            code = HZ_EXIT_FAIL;
        }
    }
    if (fd >= 0)
        close(fd);
    cJSON_Delete(ds);
    return code;
}

/* Validate every job (all errors are reported), then store them all in
 * one create_all. */
static int submit_all(hz_store *s, const hz_sandbox *sb, cJSON *jobs,
                      const submit_args *a)
{
    int n = cJSON_GetArraySize(jobs), code = HZ_EXIT_OK, bad = 0;
    cJSON **docs = calloc(n > 0 ? (size_t)n : 1, sizeof *docs);
    if (docs == NULL)
        return HZ_EXIT_FAIL;
    double now = hz_wall_now();
    int k = 0;
    cJSON *doc;
    char quiet[HZ_ERROR_MAX];
    cJSON_ArrayForEach(doc, jobs)
    {
        char label[1200]; /* a file's job: "FILE: job ID" or "FILE: job #N" */
        if (a->file != NULL)
            hz_cli_job_file_label(a->file, k, doc, label, sizeof label);
        if (cJSON_IsObject(doc))
            fill_defaults(doc, now);
        if (bad == 10) /* the first ten say enough */
            hz_cli_capture(quiet, sizeof quiet);
        int rc = a->validate || !cJSON_IsObject(doc)
                     ? check_job(s, sb, doc, a->file ? label : NULL)
                     : HZ_EXIT_OK;
        if (rc != HZ_EXIT_OK) {
            code = code == HZ_EXIT_OK ? rc : code;
            bad++;
        }
        docs[k++] = doc;
    }
    hz_cli_capture(NULL, 0);
    if (bad > 0) {
        hz_cli_error("submit", "%d of %d jobs invalid%s: nothing was stored",
                     bad, n, bad > 10 ? " (the first 10 shown)" : "");
    } else if (n > 0) {
        hz_error err;
        size_t at = 0;
        hz_status rc = hz_store_create_all(s, HZ_STORE_JOBS, docs, (size_t)n,
                                           &at, &err);
        if (rc != HZ_OK) {
            hz_cli_error("submit", "%s (nothing was stored)", err.msg);
            code = hz_cli_store_exit(rc);
        }
    }
    for (int i = 0; code == HZ_EXIT_OK && !a->quiet && i < n; i++)
        printf("%s\n", hz__cjson_str(docs[i], "id"));
    free(docs);
    return code;
}

int hz__cmd_submit(int argc, char **argv)
{
    submit_args a = {.validate = true, .count = 1};
    a.params = cJSON_CreateObject();
    cJSON *jobs = NULL;
    hz_store *s = NULL;
    hz_sandbox sb;
    hz_sandbox_init(&sb);
    int code = parse_args(argc, argv, &a);
    if (code < 0)
        code = collect_jobs(&a, &jobs);
    else
        goto out;
    if (code == HZ_EXIT_OK)
        code = hz_cli_sandbox("submit", &sb);
    if (code == HZ_EXIT_OK)
        code = hz_cli_store_open("submit", hz_cli_store_spec(a.store), 0, &s);
    if (code == HZ_EXIT_OK)
        code = check_flag_dataset(s, &sb, &a);
    if (code == HZ_EXIT_OK)
        code = submit_all(s, &sb, jobs, &a);
out:
    hz_store_close(s);
    hz_sandbox_free(&sb);
    cJSON_Delete(jobs);
    cJSON_Delete(a.params);
    free(checked_key);
    checked_key = NULL;
    return code;
}
