/* horizon jobs list|show|results|report: inspect jobs, stream their
 * results, save their HTML reports. */
#include <getopt.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/cjson.h"
#include "cli/cli.h"
#include "store/artifact.h"
#include "store/job.h"
#include "store/store.h"

const char hz__cmd_jobs_summary[] = "list jobs, show one, stream its "
                                    "results, save its report";

static void usage(FILE *f)
{
    fprintf(f,
            "usage: horizon jobs list [--status S] [--type T] [--tenant ID]\n"
            "                         [--limit N] [--json]\n"
            "       horizon jobs show ID [--tenant ID] [--json]\n"
            "       horizon jobs results ID [--tenant ID] [--json | --csv]\n"
            "                               [--page-size N]\n"
            "       horizon jobs report ID [--tenant ID] -o FILE.html\n"
            "common: [--store SPEC] (default $HORIZON_STORE, else "
            "sqlite:horizon.db)\n\n"
            "list     jobs in id (= submission) order, one line each; --json "
            "prints\n"
            "         one JSON document a line\n"
            "show     one job (status, attempts, error, summary, metrics)\n"
            "results  the job's result rows, read page by page from the store "
            "and\n"
            "         written as they come: CSV (default, header from the "
            "first\n"
            "         row) or JSON lines with --json\n"
            "report   the job's HTML report (charts and tables of its "
            "result, and\n"
            "         its narrative), written to FILE.html (\"-\" = stdout)\n"
            "Without --tenant, show, results and report look the job up in "
            "every\ntenant.\n");
}

static const char *str(const cJSON *d, const char *k, const char *dflt)
{
    const char *s = hz__cjson_str(d, k);
    return s ? s : dflt;
}

static void print_json_line(const cJSON *d)
{
    char *s = cJSON_PrintUnformatted(d);
    if (s) {
        puts(s);
        cJSON_free(s);
    }
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
    if (!json)
        printf("%-32s %-9s %-10s %-10s %3s %-20s %7s %6s %s\n", "ID", "TYPE",
               "TENANT", "STATUS", "TRY", "CREATED", "ROWS", "SECS", "ERROR");
    do {
        cJSON *page = NULL;
        char *next = NULL;
        if (hz_store_query(s, &q, 500, token, &page, &next, &err) != HZ_OK) {
            free(token);
            hz_cli_error("jobs", "%s", err.msg);
            return HZ_EXIT_FAIL;
        }
        free(token);
        token = next;
        cJSON *d;
        cJSON_ArrayForEach(d, page)
        {
            if (limit > 0 && shown >= limit)
                break;
            shown++;
            if (json) {
                print_json_line(d);
                continue;
            }
            char when[32], rows[24] = "-", secs[24] = "-";
            const char *e = str(d, "error", "");
            if (!isnan(hz__cjson_num(d, "resultRows", NAN)))
                snprintf(rows, sizeof rows, "%.0f",
                         hz__cjson_num(d, "resultRows", NAN));
            double took = hz__cjson_num(d, "finishedAt", NAN) -
                          hz__cjson_num(d, "startedAt", NAN);
            if (isfinite(took) && took >= 0)
                snprintf(secs, sizeof secs, "%.2f", took);
            printf("%-32s %-9s %-10s %-10s %3.0f %-20s %7s %6s %.60s\n",
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
    return HZ_EXIT_OK;
}

static int cmd_show(hz_store *s, const char *id, const char *tenant, bool json)
{
    hz_error err;
    cJSON *d = NULL;
    hz_status rc = hz_store_find_job(s, id, tenant, &d, &err);
    if (rc != HZ_OK) {
        hz_cli_error("jobs", "%s", err.msg);
        return rc == HZ_ENOTFOUND ? HZ_EXIT_NOINPUT : HZ_EXIT_FAIL;
    }
    if (json) {
        char *t = cJSON_Print(d);
        puts(t);
        cJSON_free(t);
        cJSON_Delete(d);
        return HZ_EXIT_OK;
    }
    char t1[32], t2[32], t3[32];
    printf("id:        %s\ntype:      %s\ntenant:    %s\nstatus:    %s\n"
           "attempts:  %.0f\ndataset:   %s\ncreated:   %s\nstarted:   %s\n"
           "finished:  %s\n",
           str(d, "id", "?"), str(d, "type", "?"), str(d, "customerId", "?"),
           str(d, "status", "?"), hz__cjson_num(d, "attempts", 0),
           str(d, "dataset", str(d, "datasetId", "?")),
           hz_format_time(hz__cjson_num(d, "createdAt", NAN), t1, sizeof t1),
           hz_format_time(hz__cjson_num(d, "startedAt", NAN), t2, sizeof t2),
           hz_format_time(hz__cjson_num(d, "finishedAt", NAN), t3, sizeof t3));
    if (hz__cjson_str(d, "error"))
        printf("error:     [%s] %s\n", str(d, "errorReason", "?"),
               str(d, "error", ""));
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
        printf("%-10s %s\n", names[i], t);
        cJSON_free(t);
    }
    const cJSON *n = cJSON_GetObjectItem(d, "narrative");
    if (n != NULL) {
        const char *text = hz__cjson_str(n, "text");
        printf("narrative: %s\n", text ? text : "(none)");
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
        printf("%.10g", v->valuedouble);
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
        return rc == HZ_ENOTFOUND ? HZ_EXIT_NOINPUT : HZ_EXIT_FAIL;
    }
    char pk[HZ_JOB_ID_MAX];
    snprintf(pk, sizeof pk, "%s", str(job, "customerId", ""));
    const char *st = str(job, "status", "?");
    if (strcmp(st, "succeeded") != 0)
        fprintf(stderr,
                "horizon jobs: job %s is %s; showing what results "
                "it has\n",
                id, st);
    cJSON_Delete(job);
    hz_query q = {
        .container = HZ_STORE_RESULTS, .customer_id = pk, .job_id = id};
    char *token = NULL;
    cJSON *header = NULL; /* column names, from the first row */
    char kind[64] = "";
    long rows = 0;
    do {
        cJSON *page = NULL;
        char *next = NULL;
        if (hz_store_query(s, &q, page_size, token, &page, &next, &err) !=
            HZ_OK) {
            free(token);
            cJSON_Delete(header);
            hz_cli_error("jobs", "%s", err.msg);
            return HZ_EXIT_FAIL;
        }
        free(token);
        token = next;
        cJSON *doc;
        cJSON_ArrayForEach(doc, page)
        {
            const char *k = str(doc, "kind", "");
            cJSON *r;
            cJSON_ArrayForEach(r, cJSON_GetObjectItem(doc, "rows"))
            {
                rows++;
                if (json) {
                    cJSON *line = cJSON_Duplicate(r, 1);
                    cJSON_AddStringToObject(line, "_kind", k);
                    print_json_line(line);
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
        fflush(stdout);
    } while (token != NULL);
    cJSON_Delete(header);
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
        return rc == HZ_ENOTFOUND ? HZ_EXIT_NOINPUT : HZ_EXIT_FAIL;
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
    int code = HZ_EXIT_OK;
    if (outpath == NULL || strcmp(outpath, "-") == 0) {
        if (fwrite(html, 1, len, stdout) != len || fflush(stdout) != 0) {
            hz_cli_error("jobs", "could not write the report to stdout");
            code = HZ_EXIT_FAIL;
        }
    } else {
        size_t n = strlen(outpath) + 32;
        char *tmp = malloc(n);
        FILE *f = NULL;
        if (tmp != NULL) {
            snprintf(tmp, n, "%s.tmp-%ld", outpath, (long)getpid());
            f = fopen(tmp, "w");
        }
        bool ok = f != NULL && fwrite(html, 1, len, f) == len;
        if (f != NULL && fclose(f) != 0)
            ok = false;
        if (!ok || rename(tmp, outpath) != 0) {
            hz_cli_error("jobs", "could not write '%s': %s", outpath,
                         strerror(errno));
            if (tmp != NULL)
                unlink(tmp);
            code = HZ_EXIT_FAIL;
        }
        free(tmp);
    }
    free(html);
    return code;
}

int hz__cmd_jobs(int argc, char **argv)
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
    const char *store = getenv("HORIZON_STORE");
    const char *status = NULL, *type = NULL, *tenant = NULL;
    const char *outpath = NULL;
    long limit = 0, page = 100;
    bool json = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
        switch (c) {
        case 's': store = optarg; break;
        case 'S': status = optarg; break;
        case 't': type = optarg; break;
        case 'n': tenant = optarg; break;
        case 'l':
            if (!hz_cli_parse_long("jobs", "limit", optarg, 1, 1L << 40,
                                   &limit))
                return HZ_EXIT_USAGE;
            break;
        case 'p':
            if (!hz_cli_parse_long("jobs", "page-size", optarg, 1,
                                   HZ_STORE_PAGE_MAX, &page))
                return HZ_EXIT_USAGE;
            break;
        case 'j': json = true; break;
        case 'c': json = false; break;
        case 'o': outpath = optarg; break;
        case 'h': usage(stdout); return HZ_EXIT_OK;
        default: usage(stderr); return HZ_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return HZ_EXIT_USAGE;
    }
    const char *sub = argv[optind];
    const char *id = optind + 1 < argc ? argv[optind + 1] : NULL;
    bool needs_id = strcmp(sub, "show") == 0 || strcmp(sub, "results") == 0 ||
                    strcmp(sub, "report") == 0;
    if (strcmp(sub, "list") != 0 && !needs_id) {
        hz_cli_error("jobs",
                     "unknown subcommand '%s' (expected list, show, "
                     "results, report)",
                     sub);
        return HZ_EXIT_USAGE;
    }
    if (needs_id && id == NULL) {
        hz_cli_error("jobs", "%s needs a job id", sub);
        return HZ_EXIT_USAGE;
    }
    if (optind + (needs_id ? 2 : 1) < argc) {
        hz_cli_error("jobs", "unexpected argument '%s'",
                     argv[optind + (needs_id ? 2 : 1)]);
        return HZ_EXIT_USAGE;
    }
    if (status != NULL) {
        hz_job_status js;
        if (!hz_job_status_parse(status, &js)) {
            hz_cli_error("jobs",
                         "--status: expected queued, running, "
                         "succeeded or failed, got '%s'",
                         status);
            return HZ_EXIT_USAGE;
        }
    }
    hz_store *s = NULL;
    hz_error err;
    if (hz_store_open(store ? store : "sqlite:horizon.db", &s, &err) !=
        HZ_OK) {
        hz_cli_error("jobs", "%s", err.msg);
        return HZ_EXIT_FAIL;
    }
    int code;
    if (strcmp(sub, "list") == 0)
        code = cmd_list(s, status, type, tenant, limit, json);
    else if (strcmp(sub, "show") == 0)
        code = cmd_show(s, id, tenant, json);
    else if (strcmp(sub, "report") == 0)
        code = cmd_report(s, id, tenant, outpath);
    else
        code = cmd_results(s, id, tenant, json, (int)page);
    hz_store_close(s);
    return code;
}
