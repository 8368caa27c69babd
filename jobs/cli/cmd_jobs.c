/* horizon jobs list|show|results: inspect jobs and stream their results. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/cjson.h"
#include "cli/cli.h"
#include "cli/cli_jobs.h"
#include "horizon/outfile.h"
#include "store/artifact.h"
#include "store/job.h"
#include "store/store.h"

const char hz__cmd_jobs_summary[] = "list jobs, show one, stream its "
                                    "results";

static void usage(FILE *f)
{
    fprintf(f,
            "usage: horizon jobs list [--status S] [--type T] [--tenant ID]\n"
            "                         [--limit N] [--json]\n"
            "       horizon jobs show ID [--tenant ID] [--json]\n"
            "       horizon jobs results ID [--tenant ID] [--json | --csv]\n"
            "                               [--page-size N]\n"
            "       horizon jobs report ID [--tenant ID] [-o FILE.html]\n"
            "       horizon jobs retry|cancel|delete ID [--tenant ID]\n"
            "common: [--store SPEC] (default $HORIZON_STORE, else "
            "sqlite:horizon.db)\n"
            "        [--tenant ID] (default $HZ_TENANT)\n\n"
            "list     jobs in id (= submission) order, one line each; --json "
            "prints\n"
            "         one JSON document a line; every tenant's without a "
            "tenant\n"
            "show     one job (status, attempts, takeovers, error, summary, "
            "metrics)\n"
            "results  the job's result rows, read page by page from the store "
            "and\n"
            "         written as they come: CSV (default, header from the "
            "first\n"
            "         row) or JSON lines with --json; a job that has not "
            "succeeded\n"
            "         has none: exit 1 saying why (failed: its reason)\n"
            "report   the job's HTML report (charts and tables of its "
            "result, and\n"
            "         its narrative), written to FILE.html (without -o, or\n"
            "         with -o -, to standard output)\n"
            "retry    a failed, canceled or succeeded job: queued again with "
            "its\n"
            "         attempts reset and its old results removed\n"
            "cancel   a queued or running job: never claimed again (a running "
            "one\n"
            "         is stopped when its runner next renews the lease)\n"
            "delete   a job that is not running, and its results\n"
            "A command naming a job id without a tenant looks it up in every\n"
            "tenant and refuses (exit 2) when two tenants have that id.\n"
            "list, show, results and report only read: they work on a "
            "read-only\nstore.\n"
            "exit status: 0 ok, 1 the job changed meanwhile (try again), or "
            "it has\n"
            "no results or report (it failed, was canceled or has not "
            "finished),\n"
            "2 usage or ambiguous id, 3 no such job, 75 store unavailable.\n");
}

static const char *str(const cJSON *d, const char *k, const char *dflt)
{
    const char *s = hz__cjson_str(d, k);
    return s ? s : dflt;
}

/* The numbers of a result row (its fields: a flat object) as the CSV
 * prints them, with 15 significant digits: each rounded to its 15-digit
 * decimal, which cJSON then prints as such (it printed 17 where 15 do
 * not read back exactly: 9421.4997205890759 beside the CSV's
 * 9421.49972058908). */
static void round15(cJSON *row)
{
    for (cJSON *c = row != NULL ? row->child : NULL; c != NULL; c = c->next)
        if (cJSON_IsNumber(c) && isfinite(c->valuedouble)) {
            char buf[32];
            snprintf(buf, sizeof buf, "%.15g", c->valuedouble);
            cJSON_SetNumberValue(c, strtod(buf, NULL));
        }
}

/* One document a line, as valid UTF-8; the bytes replaced. */
static size_t print_json_line(const cJSON *d)
{
    char *s = cJSON_PrintUnformatted(d);
    size_t bad = hz_cli_put_json("jobs", s);
    cJSON_free(s);
    return bad;
}

static int cmd_list(hz_store *s, const char *status, const char *type,
                    const char *tenant, long limit, bool json)
{
    hz_query q = {.container = HZ_STORE_JOBS,
                  .customer_id = tenant,
                  .status = status,
                  .type = type};
    hz_error err;
    char *token = NULL;
    long shown = 0;
    size_t bad = 0;
    if (!json)
        printf("%-32s %-9s %-10s %-10s %3s %-20s %7s %6s %s\n", "ID", "TYPE",
               "TENANT", "STATUS", "TRY", "CREATED", "ROWS", "SECS", "ERROR");
    do {
        cJSON *page = NULL;
        char *next = NULL;
        hz_status rc = hz_store_query(s, &q, 500, token, &page, &next, &err);
        if (rc != HZ_OK) {
            free(token);
            hz_cli_error("jobs", "%s", err.msg);
            return hz_cli_store_exit(rc);
        }
        free(token);
        token = next;
        cJSON *d;
        cJSON_ArrayForEach(d, page)
        {
            if (limit > 0 && shown >= limit)
                break;
            shown++;
            hz_cli_redact_url_field(d, "dataset");
            if (json) {
                bad += print_json_line(d);
                continue;
            }
            char when[32], rows[24] = "-", secs[24] = "-", e[4 * 60 + 1];
            hz_cli_cell(str(d, "error", ""), 60, false, e, sizeof e);
            if (!isnan(hz__cjson_num(d, "resultRows", NAN)))
                snprintf(rows, sizeof rows, "%.0f",
                         hz__cjson_num(d, "resultRows", NAN));
            double took = hz__cjson_num(d, "finishedAt", NAN) -
                          hz__cjson_num(d, "startedAt", NAN);
            if (isfinite(took) && took >= 0)
                snprintf(secs, sizeof secs, "%.2f", took);
            printf("%-32s %-9s %-10s %-10s %3.0f %-20s %7s %6s %s\n",
                   str(d, "id", "?"), str(d, "type", "?"),
                   str(d, "customerId", "?"), str(d, "status", "?"),
                   hz__cjson_num(d, "attempts", 0),
                   hz_format_time(hz__cjson_num(d, "createdAt", NAN), when,
                                  sizeof when),
                   rows, secs, e);
        }
        cJSON_Delete(page);
        fflush(stdout);
    } while (token != NULL && (limit <= 0 || shown < limit));
    free(token);
    hz_cli_json_utf8_notice("jobs", bad);
    return HZ_EXIT_OK;
}

static int cmd_show(hz_store *s, const char *id, const char *tenant, bool json)
{
    hz_error err;
    cJSON *d = NULL;
    hz_status rc = hz_store_find_job(s, id, tenant, &d, &err);
    if (rc != HZ_OK) {
        hz_cli_error("jobs", "%s", err.msg);
        return hz_cli_store_exit(rc);
    }
    hz_cli_redact_url_field(d, "dataset");
    if (json) {
        char *t = cJSON_Print(d);
        hz_cli_json_utf8_notice("jobs", hz_cli_put_json("jobs", t));
        cJSON_free(t);
        cJSON_Delete(d);
        return HZ_EXIT_OK;
    }
    /* text from a document (a dataset's path, an error quoting a
     * column name of the file) shown as one line, nothing a terminal
     * obeys */
    char t1[32], t2[32], t3[32];
    char *ds = hz_cli_term_dup(str(d, "dataset", str(d, "datasetId", "?")));
    char *e = hz_cli_term_dup(str(d, "error", ""));
    printf("id:        %s\ntype:      %s\ntenant:    %s\nstatus:    %s\n"
           "attempts:  %.0f\ntakeovers: %.0f\ndataset:   %s\ncreated:   %s\n"
           "started:   %s\nfinished:  %s\n",
           str(d, "id", "?"), str(d, "type", "?"), str(d, "customerId", "?"),
           str(d, "status", "?"), hz__cjson_num(d, "attempts", 0),
           hz__cjson_num(d, "takeovers", 0), ds ? ds : "",
           hz_format_time(hz__cjson_num(d, "createdAt", NAN), t1, sizeof t1),
           hz_format_time(hz__cjson_num(d, "startedAt", NAN), t2, sizeof t2),
           hz_format_time(hz__cjson_num(d, "finishedAt", NAN), t3, sizeof t3));
    if (hz__cjson_str(d, "error"))
        printf("error:     [%s] %s\n", str(d, "errorReason", "?"),
               e ? e : "");
    free(ds);
    free(e);
    if (!isnan(hz__cjson_num(d, "resultChunks", NAN)))
        printf("results:   %.0f rows in %.0f documents\n",
               hz__cjson_num(d, "resultRows", NAN),
               hz__cjson_num(d, "resultChunks", NAN));
    const cJSON *parts[3] = {cJSON_GetObjectItem(d, "params"),
                             cJSON_GetObjectItem(d, "summary"),
                             cJSON_GetObjectItem(d, "metrics")};
    const char *names[3] = {"params", "summary", "metrics"};
    for (int i = 0; i < 3; i++) {
        if (parts[i] == NULL)
            continue;
        char *t = cJSON_PrintUnformatted(parts[i]);
        char *v = t != NULL ? hz_cli_term_dup(t) : NULL;
        printf("%-10s %s\n", names[i], v ? v : "?");
        free(v);
        cJSON_free(t);
    }
    const cJSON *n = cJSON_GetObjectItem(d, "narrative");
    if (n != NULL) {
        const char *text = str(n, "text", "(none)");
        size_t cap = 4 * strlen(text) + 1; /* its lines kept */
        char *v = malloc(cap);
        printf("narrative: %s\n", v ? hz_cli_term(text, v, cap) : "?");
        free(v);
    }
    cJSON_Delete(d);
    return HZ_EXIT_OK;
}

static void csv_str(const char *s)
{
    if (strpbrk(s, ",\"\n\r") == NULL) {
        fputs(s, stdout);
        return;
    }
    putchar('"');
    for (; *s; s++) {
        if (*s == '"')
            putchar('"');
        putchar(*s);
    }
    putchar('"');
}

static void csv_field(const cJSON *v)
{
    if (v == NULL || cJSON_IsNull(v))
        return;
    if (cJSON_IsNumber(v)) {
        printf("%.15g", v->valuedouble);
    } else if (cJSON_IsBool(v)) {
        fputs(cJSON_IsTrue(v) ? "true" : "false", stdout);
    } else if (cJSON_IsString(v)) {
        csv_str(v->valuestring);
    } else {
        char *t = cJSON_PrintUnformatted(v); /* nested: quoted JSON text */
        if (t != NULL)
            csv_str(t);
        cJSON_free(t);
    }
}

static int cmd_results(hz_store *s, const char *id, const char *tenant,
                       bool json, int page_size)
{
    hz_error err;
    cJSON *job = NULL;
    hz_status rc = hz_store_find_job(s, id, tenant, &job, &err);
    if (rc != HZ_OK) {
        hz_cli_error("jobs", "%s", err.msg);
        return hz_cli_store_exit(rc);
    }
    char pk[HZ_JOB_ID_MAX];
    snprintf(pk, sizeof pk, "%s", str(job, "customerId", ""));
    /* only a succeeded job's results are whole: refuse the others,
     * saying why (never an empty output and exit 0) */
    const char *st = str(job, "status", "?");
    if (strcmp(st, "failed") == 0) {
        hz_cli_error("jobs", "job %s failed [%s]: %s (it has no results)", id,
                     str(job, "errorReason", "?"), str(job, "error", "?"));
    } else if (strcmp(st, "succeeded") != 0) {
        bool later = strcmp(st, "queued") == 0 || strcmp(st, "running") == 0;
        hz_cli_error("jobs", "job %s is %s: it has no results%s", id, st,
                     later ? " yet" : "");
    }
    if (strcmp(st, "succeeded") != 0) {
        cJSON_Delete(job);
        return HZ_EXIT_FAIL;
    }
    /* The job's record says how many documents and rows its results are;
     * documents past that count are left over from a run that lost the
     * job (a runner killed between its results and its final status) */
    double nchunks = hz__cjson_num(job, "resultChunks", NAN);
    double nrecorded = hz__cjson_num(job, "resultRows", NAN);
    cJSON_Delete(job);
    hz_query q = {
        .container = HZ_STORE_RESULTS, .customer_id = pk, .job_id = id};
    char *token = NULL;
    cJSON *header = NULL; /* column names, from the first row */
    char kind[64] = "";
    long rows = 0;
    size_t bad = 0;
    do {
        cJSON *page = NULL;
        char *next = NULL;
        rc = hz_store_query(s, &q, page_size, token, &page, &next, &err);
        if (rc != HZ_OK) {
            free(token);
            cJSON_Delete(header);
            hz_cli_error("jobs", "%s", err.msg);
            return hz_cli_store_exit(rc);
        }
        free(token);
        token = next;
        cJSON *doc;
        cJSON_ArrayForEach(doc, page)
        {
            if (!isnan(nchunks) && hz__cjson_num(doc, "chunk", 0) >= nchunks)
                continue;
            const char *k = str(doc, "kind", "");
            cJSON *r;
            cJSON_ArrayForEach(r, cJSON_GetObjectItem(doc, "rows"))
            {
                rows++;
                if (json) {
                    cJSON *line = cJSON_Duplicate(r, 1);
                    round15(line);
                    cJSON_AddStringToObject(line, "_kind", k);
                    bad += print_json_line(line);
                    cJSON_Delete(line);
                    continue;
                }
                if (header == NULL || strcmp(kind, k) != 0) {
                    /* a new table (suite jobs: one per tool) */
                    cJSON_Delete(header);
                    header = cJSON_CreateArray();
                    snprintf(kind, sizeof kind, "%s", k);
                    if (rows > 1)
                        putchar('\n');
                    fputs("kind", stdout);
                    cJSON *f;
                    cJSON_ArrayForEach(f, r)
                    {
                        cJSON_AddItemToArray(header,
                                             cJSON_CreateString(f->string));
                        putchar(',');
                        csv_str(f->string);
                    }
                    putchar('\n');
                }
                fputs(k, stdout);
                cJSON *h;
                cJSON_ArrayForEach(h, header)
                {
                    putchar(',');
                    csv_field(cJSON_GetObjectItem(r, h->valuestring));
                }
                putchar('\n');
            }
        }
        cJSON_Delete(page);
        /* a closed pipe or a full disk: stop reading pages, say why */
        errno = 0;
        if (fflush(stdout) != 0 || ferror(stdout)) {
            int e = errno != 0 ? errno : EIO;
            free(token);
            cJSON_Delete(header);
            hz_cli_error("jobs", "could not write standard output: %s",
                         strerror(e));
            return HZ_EXIT_FAIL;
        }
    } while (token != NULL);
    cJSON_Delete(header);
    hz_cli_json_utf8_notice("jobs", bad);
    if (!isnan(nrecorded) && (double)rows != nrecorded) {
        hz_cli_error("jobs",
                     "job %s: %ld result rows stored for the %.0f it "
                     "recorded (written over by a runner that had lost the "
                     "job?): run it again with 'horizon jobs retry %s'",
                     id, rows, nrecorded, id);
        return HZ_EXIT_FAIL;
    }
    if (rows == 0)
        fprintf(stderr, "horizon jobs: job %s has no result rows\n", id);
    return HZ_EXIT_OK;
}

/* Save the job's stored HTML report; nothing is written on failure. */
static int cmd_report(hz_store *s, const char *id, const char *tenant,
                      const char *outpath)
{
    hz_error err;
    cJSON *job = NULL;
    hz_status rc = hz_store_find_job(s, id, tenant, &job, &err);
    if (rc != HZ_OK) {
        hz_cli_error("jobs", "%s", err.msg);
        return hz_cli_store_exit(rc);
    }
    const char *st = str(job, "status", "?");
    char *html = NULL;
    size_t len = 0;
    if (strcmp(st, "succeeded") != 0) {
        hz_cli_error("jobs", "job %s is %s: it has no report", id, st);
        cJSON_Delete(job);
        return HZ_EXIT_FAIL;
    }
    rc = hz_artifact_get(s, job, "report", &html, &len, &err);
    cJSON_Delete(job);
    if (rc != HZ_OK) {
        hz_cli_error("jobs", "%s", err.msg);
        return HZ_EXIT_FAIL;
    }
    /* whole or absent, as every output (horizon/outfile.h): a device or
     * a pipe written in place and checked, never replaced by a file */
    int code = HZ_EXIT_FAIL;
    hz_outfile *o = hz_cli_out_open("jobs", outpath);
    if (o != NULL) {
        if (fwrite(html, 1, len, hz_outfile_stream(o)) != len)
            code = hz_cli_out_fail("jobs", o, "the report");
        else
            code = hz_cli_out_commit("jobs", o);
    }
    free(html);
    return code;
}

/* ---- retry, cancel, delete ---- */

/* Delete the result documents of job id (tenant pk). */
static hz_status delete_results(hz_store *s, const char *id, const char *pk,
                                hz_error *err)
{
    hz_query q = {
        .container = HZ_STORE_RESULTS, .customer_id = pk, .job_id = id};
    for (;;) { /* the first page again until none is left */
        cJSON *page = NULL;
        char *next = NULL;
        hz_status rc = hz_store_query(s, &q, 100, NULL, &page, &next, err);
        free(next);
        if (rc != HZ_OK)
            return rc;
        int n = cJSON_GetArraySize(page);
        hz_store_op ops[100];
        int k = 0;
        cJSON *d;
        cJSON_ArrayForEach(d, page)
        {
            if (k < 100)
                ops[k++] = (hz_store_op){.kind = HZ_OP_DELETE,
                                         .id = hz__cjson_str(d, "id")};
        }
        rc = k > 0 ? hz_store_batch(s, HZ_STORE_RESULTS, pk, ops, (size_t)k,
                                    NULL, err)
                   : HZ_OK;
        cJSON_Delete(page);
        if (rc != HZ_OK || n == 0)
            return rc;
    }
}

/* Delete the report chunks of job id from chunk `from` on, until one is
 * missing: those a runner wrote for a job it had lost (canceled, or taken
 * over, while it wrote them on Cosmos DB, which takes them before the
 * job's status) are recorded nowhere; until 2026-12-07 `jobs delete`
 * left them in the store for good. */
static hz_status delete_unrecorded_reports(hz_store *s, const char *id,
                                           const char *pk, long from,
                                           hz_error *err)
{
    for (long k = from;; k++) {
        char cid[HZ_JOB_ID_MAX + 64];
        snprintf(cid, sizeof cid, "%s-report%05ld", id, k);
        hz_status rc = hz_store_delete(s, HZ_STORE_RESULTS, cid, pk, NULL,
                                       err);
        if (rc == HZ_ENOTFOUND)
            return HZ_OK;
        if (rc != HZ_OK)
            return rc;
    }
}

/* Delete the chunks of the job's artifacts (its report: store/artifact.h)
 * and drop their records from the job document. */
static hz_status delete_artifacts(hz_store *s, cJSON *job, const char *pk,
                                  hz_error *err)
{
    const char *id = str(job, "id", "");
    const cJSON *rep = cJSON_GetObjectItemCaseSensitive(job, "report");
    double recorded = hz__cjson_num(rep, "chunks", 0);
    hz_status urc = delete_unrecorded_reports(
        s, id, pk, recorded >= 1 && recorded <= 1e6 ? (long)recorded : 0, err);
    if (urc != HZ_OK)
        return urc;
    cJSON *it = job->child;
    while (it != NULL) {
        cJSON *next = it->next;
        const char *enc = hz__cjson_str(it, "encoding");
        if (cJSON_IsObject(it) && enc != NULL &&
            strcmp(enc, "zlib+base64") == 0) {
            long n = (long)hz__cjson_num(it, "chunks", 0);
            for (long k = 0; k < n; k++) {
                char cid[HZ_JOB_ID_MAX + 64];
                snprintf(cid, sizeof cid, "%s-%s%05ld", id, it->string, k);
                hz_status rc = hz_store_delete(s, HZ_STORE_RESULTS, cid, pk,
                                               NULL, err);
                if (rc != HZ_OK && rc != HZ_ENOTFOUND)
                    return rc;
            }
            cJSON_Delete(cJSON_DetachItemViaPointer(job, it));
        }
        it = next;
    }
    return HZ_OK;
}

static const char *const result_fields[] = {
    "error",       "errorReason",  "finishedAt", "startedAt", "summary",
    "metrics",     "resultChunks", "resultRows", "narrative", "leaseOwner",
    "leaseExpiry", "datasetBytes", NULL};

/* The new state of a job for sub; an exit code when sub does not apply to
 * the job's status. */
static int transition(const char *sub, cJSON *job)
{
    const char *st = str(job, "status", "?");
    const char *id = str(job, "id", "?");
    bool running = strcmp(st, "running") == 0, queued = !strcmp(st, "queued");
    if (strcmp(sub, "retry") == 0) {
        if (running || queued) {
            hz_cli_error("jobs", "job %s is %s: nothing to retry%s", id, st,
                         running ? " (cancel it first)" : "");
            return HZ_EXIT_USAGE;
        }
        if (cJSON_GetObjectItemCaseSensitive(job, "droppedFields") != NULL) {
            /* a lean failure record (store/store.h): its params are gone */
            hz_cli_error("jobs",
                         "job %s cannot be retried: its document was too "
                         "large for the store, and its failure was recorded "
                         "without the fields named in droppedFields; submit "
                         "it again, smaller",
                         id);
            return HZ_EXIT_USAGE;
        }
        for (int i = 0; result_fields[i]; i++)
            cJSON_DeleteItemFromObjectCaseSensitive(job, result_fields[i]);
        hz__cjson_set_str(job, "status", "queued");
        hz__cjson_set_num(job, "attempts", 0);
        hz__cjson_set_num(job, "takeovers", 0);
    } else if (strcmp(sub, "cancel") == 0) {
        if (!running && !queued) {
            hz_cli_error("jobs",
                         "job %s is %s: only a queued or running job "
                         "can be canceled",
                         id, st);
            return HZ_EXIT_USAGE;
        }
        hz__cjson_set_str(job, "status", "canceled");
        hz__cjson_set_str(job, "errorReason", "canceled");
        hz__cjson_set_str(job, "error", "canceled by `horizon jobs cancel`");
        hz__cjson_set_num(job, "finishedAt", hz_wall_now());
        cJSON_DeleteItemFromObjectCaseSensitive(job, "leaseOwner");
        cJSON_DeleteItemFromObjectCaseSensitive(job, "leaseExpiry");
    } else if (running) {
        hz_cli_error("jobs", "job %s is running: cancel it first", id);
        return HZ_EXIT_USAGE;
    }
    hz__cjson_set_num(job, "updatedAt", hz_wall_now());
    return HZ_EXIT_OK;
}

/* retry | cancel | delete: compare-and-set on the job's ETag, so a job
 * that changed meanwhile (claimed, finished) is not overwritten. */
static int cmd_change(hz_store *s, const char *sub, const char *id,
                      const char *tenant)
{
    hz_error err;
    cJSON *job = NULL;
    hz_status rc = hz_store_find_job(s, id, tenant, &job, &err);
    if (rc != HZ_OK) {
        hz_cli_error("jobs", "%s", err.msg);
        return hz_cli_store_exit(rc);
    }
    char pk[HZ_JOB_ID_MAX], etag[HZ_ETAG_MAX];
    snprintf(pk, sizeof pk, "%s", str(job, "customerId", ""));
    snprintf(etag, sizeof etag, "%s", str(job, "_etag", ""));
    int code = transition(sub, job);
    if (code == HZ_EXIT_OK && strcmp(sub, "cancel") != 0)
        rc = delete_results(s, id, pk, &err);
    if (code == HZ_EXIT_OK && rc == HZ_OK && strcmp(sub, "cancel") != 0)
        rc = delete_artifacts(s, job, pk, &err);
    if (code == HZ_EXIT_OK && rc == HZ_OK)
        rc = strcmp(sub, "delete") == 0
                 ? hz_store_delete(s, HZ_STORE_JOBS, id, pk, etag, &err)
                 : hz_store_put(s, HZ_STORE_JOBS, HZ_PUT_REPLACE, job, etag,
                                &err);
    if (code == HZ_EXIT_OK && rc != HZ_OK) {
        hz_cli_error("jobs", "%s%s", err.msg,
                     rc != HZ_ECONFLICT ? ""
                     : strcmp(sub, "cancel") == 0
                         ? " (the job changed meanwhile: try again)"
                         : " (the job changed meanwhile; its old results "
                           "were removed: try again)");
        code = hz_cli_store_exit(rc);
    } else if (code == HZ_EXIT_OK) {
        printf("job %s (tenant %s): %s\n", id, pk,
               strcmp(sub, "retry") == 0    ? "queued again"
               : strcmp(sub, "cancel") == 0 ? "canceled"
                                            : "deleted");
    }
    cJSON_Delete(job);
    return code;
}

typedef struct jobs_args {
    const char *store, *status, *type, *tenant, *outpath;
    long limit, page;
    bool json;
} jobs_args;

static int parse_args(int argc, char **argv, jobs_args *a)
{
    static const struct option opts[] = {
        {"store", required_argument, 0, 's'},
        {"status", required_argument, 0, 'S'},
        {"type", required_argument, 0, 't'},
        {"tenant", required_argument, 0, 'n'},
        {"limit", required_argument, 0, 'l'},
        {"page-size", required_argument, 0, 'p'},
        {"json", no_argument, 0, 'j'},
        {"csv", no_argument, 0, 'c'},
        {"output", required_argument, 0, 'o'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
        switch (c) {
        case 's': a->store = optarg; break;
        case 'S': a->status = optarg; break;
        case 't': a->type = optarg; break;
        case 'n': a->tenant = optarg; break;
        case 'l':
            if (!hz_cli_parse_long("jobs", "limit", optarg, 1, 1L << 40,
                                   &a->limit))
                return HZ_EXIT_USAGE;
            break;
        case 'p':
            if (!hz_cli_parse_long("jobs", "page-size", optarg, 1,
                                   HZ_STORE_PAGE_MAX, &a->page))
                return HZ_EXIT_USAGE;
            break;
        case 'j': a->json = true; break;
        case 'c': a->json = false; break;
        case 'o': a->outpath = optarg; break;
        case 'h': usage(stdout); return HZ_EXIT_OK;
        default: usage(stderr); return HZ_EXIT_USAGE;
        }
    }
    a->tenant = hz_cli_tenant(a->tenant);
    hz_job_status js;
    if (a->status != NULL && !hz_job_status_parse(a->status, &js)) {
        hz_cli_error("jobs",
                     "--status: expected queued, running, succeeded, failed "
                     "or canceled, got '%s'",
                     a->status);
        return HZ_EXIT_USAGE;
    }
    /* a misspelt type would list nothing, as if there were no such jobs */
    hz_job_type jt;
    if (a->type != NULL && !hz_job_type_parse(a->type, &jt)) {
        hz_cli_error("jobs",
                     "--type: expected forecast, churn, clv, segment or "
                     "suite, got '%s'",
                     a->type);
        return HZ_EXIT_USAGE;
    }
    return -1;
}

int hz__cmd_jobs(int argc, char **argv)
{
    jobs_args a = {.page = 100};
    int code = parse_args(argc, argv, &a);
    if (code >= 0)
        return code;
    if (optind >= argc) {
        usage(stderr);
        return HZ_EXIT_USAGE;
    }
    static const char *const subs[] = {"list",  "show",   "results", "report",
                                       "retry", "cancel", "delete",  NULL};
    const char *sub = argv[optind];
    int k = 0;
    while (subs[k] != NULL && strcmp(subs[k], sub) != 0)
        k++;
    if (subs[k] == NULL) {
        hz_cli_error("jobs",
                     "unknown subcommand '%s' (expected list, show, results, "
                     "report, retry, cancel, delete)",
                     sub);
        return HZ_EXIT_USAGE;
    }
    const char *id = optind + 1 < argc ? argv[optind + 1] : NULL;
    int nargs = k == 0 ? 1 : 2;
    if (k > 0 && id == NULL) {
        hz_cli_error("jobs", "%s needs a job id", sub);
        return HZ_EXIT_USAGE;
    }
    if (optind + nargs < argc) {
        hz_cli_error("jobs", "unexpected argument '%s'", argv[optind + nargs]);
        return HZ_EXIT_USAGE;
    }
    hz_store *s = NULL;
    code = hz_cli_store_open("jobs", hz_cli_store_spec(a.store),
                             k <= 3 ? HZ_STORE_READONLY : HZ_STORE_EXISTING,
                             &s);
    if (code != HZ_EXIT_OK)
        return code;
    if (k == 0)
        code = cmd_list(s, a.status, a.type, a.tenant, a.limit, a.json);
    else if (k == 1)
        code = cmd_show(s, id, a.tenant, a.json);
    else if (k == 2)
        code = cmd_results(s, id, a.tenant, a.json, (int)a.page);
    else if (k == 3)
        code = cmd_report(s, id, a.tenant, a.outpath);
    else
        code = cmd_change(s, sub, id, a.tenant);
    hz_store_close(s);
    return code;
}
