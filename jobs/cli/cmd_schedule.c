/* horizon schedule add|list|remove: recurring jobs (runner/schedule.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_jobs.h"
#include "cli/job_params.h"
#include "net/cjson.h"
#include "runner/log.h"
#include "runner/schedule.h"
#include "store/job.h"
#include "store/store.h"

const char hz__cmd_schedule_summary[] = "recurring jobs: cron expressions "
                                        "in a time zone";

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: horizon schedule add --tenant ID --id ID --cron EXPR\n"
        "                            [--tz ZONE] --type TYPE\n"
        "                            (--dataset PATH|URL | --url-file FILE |\n"
        "                             --dataset-id ID)\n"
        "                            [--param KEY=VALUE]... [--params JSON]\n"
        "                            [--timeout S] [--max-attempts N]\n"
        "                            [--catch-up N] [--replace]\n"
        "       horizon schedule list [--tenant ID] [--json]\n"
        "       horizon schedule remove ID [--tenant ID]\n"
        "common: [--store SPEC] (default $HORIZON_STORE, else "
        "sqlite:horizon.db)\n"
        "        [--tenant ID] (default $HZ_TENANT)\n\n"
        "A schedule queues a job (the same type, dataset and parameters as\n"
        "'horizon submit') at every slot of a cron expression in a time "
        "zone:\n"
        "five fields 'minute hour day-of-month month day-of-week' (*, N, "
        "A-B,\n"
        "*/S, lists, jan-dec, sun-sat) or @hourly, @daily, @weekly, "
        "@monthly,\n"
        "@yearly; an expression that never fires (0 0 31 2 *) is refused.\n"
        "--tz is a zone of the system tz database (default UTC).\n"
        "Runners ('horizon run') create each slot's job exactly once, with "
        "the\n"
        "id SCHEDULE-YYYYMMDDTHHMM (the slot's local time).  When the clock\n"
        "goes back, a repeated time runs once; a time skipped when it jumps\n"
        "forward runs right after the jump.  After a pause with no runner at\n"
        "most --catch-up missed slots run (the latest; default 3).\n"
        "An id already taken in the tenant is refused (exit 1) unless\n"
        "--replace, which overwrites that schedule.\n"
        "--url-file FILE reads the dataset's URL (or path) from the first\n"
        "line of FILE, - for standard input: a signed URL given with\n"
        "--dataset is seen by every local user (ps).\n");
}

typedef struct sched_args {
    const char *store, *tenant, *id, *cron, *tz, *type, *dataset, *dataset_id;
    const char *url_file; /* --url-file: the dataset read into url */
    char url[HZ_JOB_URI_MAX];
    double timeout;
    long max_attempts, catch_up;
    bool json, replace;
    cJSON *params;
} sched_args;

static int parse_args(int argc, char **argv, sched_args *a)
{
    static const struct option opts[] = {
        {"store", required_argument, 0, 's'},
        {"tenant", required_argument, 0, 'n'},
        {"id", required_argument, 0, 'i'},
        {"cron", required_argument, 0, 'c'},
        {"tz", required_argument, 0, 'z'},
        {"type", required_argument, 0, 't'},
        {"dataset", required_argument, 0, 'd'},
        {"dataset-id", required_argument, 0, 'D'},
        {"url-file", required_argument, 0, 'U'},
        {"param", required_argument, 0, 'p'},
        {"params", required_argument, 0, 'P'},
        {"timeout", required_argument, 0, 'T'},
        {"max-attempts", required_argument, 0, 'a'},
        {"catch-up", required_argument, 0, 'u'},
        {"replace", no_argument, 0, 'r'},
        {"json", no_argument, 0, 'j'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 's': a->store = optarg; break;
        case 'n': a->tenant = optarg; break;
        case 'i': a->id = optarg; break;
        case 'c': a->cron = optarg; break;
        case 'z': a->tz = optarg; break;
        case 't': a->type = optarg; break;
        case 'd': a->dataset = optarg; break;
        case 'D': a->dataset_id = optarg; break;
        case 'U': a->url_file = optarg; break;
        case 'j': a->json = true; break;
        case 'r': a->replace = true; break;
        case 'p':
            if (!hz_cli_param_add("schedule", a->params, optarg))
                return HZ_EXIT_USAGE;
            break;
        case 'P':
            if (!hz_cli_params_add_json("schedule", a->params, optarg))
                return HZ_EXIT_USAGE;
            break;
        case 'T':
            if (!hz_cli_parse_seconds("schedule", "timeout", optarg,
                                      7 * 86400.0, &a->timeout))
                return HZ_EXIT_USAGE;
            break;
        case 'a':
            if (!hz_cli_parse_long("schedule", "max-attempts", optarg, 1, 100,
                                   &a->max_attempts))
                return HZ_EXIT_USAGE;
            break;
        case 'u':
            if (!hz_cli_parse_long("schedule", "catch-up", optarg, 1,
                                   HZ_SCHEDULE_CATCHUP_MAX, &a->catch_up))
                return HZ_EXIT_USAGE;
            break;
        case 'h': usage(stdout); return HZ_EXIT_OK;
        default: usage(stderr); return HZ_EXIT_USAGE;
        }
    }
    a->tenant = hz_cli_tenant(a->tenant);
    int code = hz_cli_dataset_url_file("schedule", a->url_file, &a->dataset,
                                       a->url, sizeof a->url);
    if (code != HZ_EXIT_OK)
        return code;
    return -1;
}

/* The schedule document of `add`. */
static cJSON *schedule_doc(const sched_args *a, const char *dataset)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "id", a->id);
    cJSON_AddStringToObject(d, "customerId", a->tenant);
    cJSON_AddStringToObject(d, "cron", a->cron);
    cJSON_AddStringToObject(d, "timeZone", a->tz ? a->tz : "UTC");
    cJSON_AddNumberToObject(d, "catchUp",
                            a->catch_up > 0 ? (double)a->catch_up
                                            : HZ_SCHEDULE_CATCHUP_DEFAULT);
    cJSON *job = cJSON_AddObjectToObject(d, "job");
    cJSON_AddStringToObject(job, "type", a->type);
    if (dataset != NULL)
        cJSON_AddStringToObject(job, "dataset", dataset);
    if (a->dataset_id != NULL)
        cJSON_AddStringToObject(job, "datasetId", a->dataset_id);
    cJSON_AddItemToObject(job, "params", cJSON_Duplicate(a->params, 1));
    if (a->timeout > 0)
        cJSON_AddNumberToObject(job, "timeoutS", a->timeout);
    if (a->max_attempts > 0)
        cJSON_AddNumberToObject(job, "maxAttempts", (double)a->max_attempts);
    double now = hz_wall_now();
    cJSON_AddNumberToObject(d, "createdAt", now);
    cJSON_AddNumberToObject(d, "updatedAt", now);
    return d;
}

/* "2026-11-28T06:00:00.000Z (20261128T0700 Europe/Berlin)" of the next
 * slot, or "-". */
static void next_slot(const cJSON *sched, char *out, size_t n)
{
    hz_cron_slot s;
    size_t k = 0;
    hz_error err;
    snprintf(out, n, "-");
    if (hz_schedule_next(sched, (int64_t)hz_wall_now(), &s, 1, &k, &err) ==
            HZ_OK &&
        k == 1) {
        char when[40];
        snprintf(out, n, "%s (%s local)",
                 hz_log_time((double)s.t, when, sizeof when), s.wall);
    }
}

static int cmd_add(hz_store *s, const sched_args *a)
{
    if (a->tenant == NULL || a->id == NULL || a->cron == NULL ||
        a->type == NULL || (a->dataset == NULL) == (a->dataset_id == NULL)) {
        hz_cli_error("schedule", "add needs --tenant, --id, --cron, --type "
                                 "and --dataset, --url-file or "
                                 "--dataset-id");
        return HZ_EXIT_USAGE;
    }
    hz_sandbox sb;
    char resolved[HZ_JOB_URI_MAX];
    int code = hz_cli_sandbox("schedule", &sb);
    if (code == HZ_EXIT_OK && a->dataset != NULL)
        code = hz_cli_resolve_dataset("schedule", NULL, &sb, a->tenant,
                                      a->dataset, resolved, sizeof resolved);
    hz_sandbox_free(&sb);
    if (code != HZ_EXIT_OK)
        return code;
    cJSON *doc = schedule_doc(a, a->dataset ? resolved : NULL);
    hz_error err;
    hz_status rc = hz_schedule_check(doc, hz_cli_job_request, &err);
    if (rc != HZ_OK) {
        hz_cli_error("schedule", "%s", err.msg);
        cJSON_Delete(doc);
        return HZ_EXIT_USAGE;
    }
    rc = hz_store_put(s, HZ_STORE_SCHEDULES,
                      a->replace ? HZ_PUT_UPSERT : HZ_PUT_CREATE, doc, NULL,
                      &err);
    if (rc != HZ_OK) {
        hz_cli_error("schedule", "%s%s", err.msg,
                     rc == HZ_ECONFLICT ? " (--replace to change it)" : "");
        cJSON_Delete(doc);
        return hz_cli_store_exit(rc);
    }
    char next[96];
    next_slot(doc, next, sizeof next);
    printf("schedule %s (tenant %s): next slot %s\n", a->id, a->tenant, next);
    cJSON_Delete(doc);
    return HZ_EXIT_OK;
}

static int cmd_list(hz_store *s, const sched_args *a)
{
    hz_query q = {.container = HZ_STORE_SCHEDULES, .customer_id = a->tenant};
    char *token = NULL;
    if (!a->json)
        printf("%-24s %-12s %-16s %-18s %-9s %s\n", "ID", "TENANT", "CRON",
               "TIME ZONE", "TYPE", "NEXT SLOT");
    do {
        cJSON *page = NULL;
        char *next = NULL;
        hz_error err;
        hz_status rc = hz_store_query(s, &q, 500, token, &page, &next, &err);
        free(token);
        token = next;
        if (rc != HZ_OK) {
            hz_cli_error("schedule", "%s", err.msg);
            free(token);
            return hz_cli_store_exit(rc);
        }
        cJSON *d;
        cJSON_ArrayForEach(d, page)
        {
            char nx[96];
            next_slot(d, nx, sizeof nx);
            if (a->json) {
                /* a signed URL's signature stays in the store */
                hz_cli_redact_url_field(
                    cJSON_GetObjectItemCaseSensitive(d, "job"), "dataset");
                cJSON_AddStringToObject(d, "nextSlot", nx);
                char *t = cJSON_PrintUnformatted(d);
                hz_cli_json_utf8_notice("schedule", hz_cli_put_json("schedule", t));
                cJSON_free(t);
                continue;
            }
            const cJSON *job = cJSON_GetObjectItemCaseSensitive(d, "job");
            const char *type = hz__cjson_str(job, "type");
            printf("%-24s %-12s %-16s %-18s %-9s %s\n", hz__cjson_str(d, "id"),
                   hz__cjson_str(d, "customerId"), hz__cjson_str(d, "cron"),
                   hz__cjson_str(d, "timeZone"), type ? type : "?", nx);
        }
        cJSON_Delete(page);
    } while (token != NULL);
    return HZ_EXIT_OK;
}

static int cmd_remove(hz_store *s, const sched_args *a, const char *id)
{
    if (a->tenant == NULL) {
        hz_cli_error("schedule", "remove needs --tenant (or $HZ_TENANT)");
        return HZ_EXIT_USAGE;
    }
    hz_error err;
    hz_status rc = hz_store_delete(s, HZ_STORE_SCHEDULES, id, a->tenant, NULL,
                                   &err);
    if (rc != HZ_OK) {
        hz_cli_error("schedule", "%s", err.msg);
        return hz_cli_store_exit(rc);
    }
    printf("schedule %s (tenant %s) removed; jobs it queued are kept\n", id,
           a->tenant);
    return HZ_EXIT_OK;
}

int hz__cmd_schedule(int argc, char **argv)
{
    sched_args a = {0};
    a.params = cJSON_CreateObject();
    int code = parse_args(argc, argv, &a);
    const char *sub = optind < argc ? argv[optind] : NULL;
    int want = sub && strcmp(sub, "remove") == 0 ? 2 : 1;
    if (code < 0 && (sub == NULL || (strcmp(sub, "add") != 0 &&
                                     strcmp(sub, "list") != 0 && want != 2))) {
        hz_cli_error("schedule", "expected add, list or remove");
        usage(stderr);
        code = HZ_EXIT_USAGE;
    } else if (code < 0 && argc - optind != want) {
        hz_cli_error("schedule",
                     want == 2 ? "remove needs one schedule id"
                               : "unexpected argument '%s'",
                     argv[optind + 1]);
        code = HZ_EXIT_USAGE;
    }
    hz_store *s = NULL;
    if (code < 0)
        code = hz_cli_store_open(
            "schedule", hz_cli_store_spec(a.store),
            strcmp(sub, "list") == 0     ? HZ_STORE_READONLY
            : strcmp(sub, "remove") == 0 ? HZ_STORE_EXISTING
                                         : 0,
            &s);
    if (code == HZ_EXIT_OK && s != NULL)
        code = strcmp(sub, "add") == 0 ? cmd_add(s, &a)
               : strcmp(sub, "list") == 0
                   ? cmd_list(s, &a)
                   : cmd_remove(s, &a, argv[optind + 1]);
    hz_store_close(s);
    cJSON_Delete(a.params);
    return code;
}
