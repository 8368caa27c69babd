/* horizon submit: queue jobs (from flags or a JSON file). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/cjson.h"
#include "cli/cli.h"
#include "runner/exec.h"
#include "store/job.h"
#include "store/store.h"

const char hz__cmd_submit_summary[] = "queue jobs (from flags or a JSON "
                                      "file)";

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: horizon submit [--store SPEC] --type TYPE --tenant ID\n"
        "                      (--dataset PATH|URL | --dataset-id ID)\n"
        "                      [--param KEY=VALUE]... [--params JSON]\n"
        "                      [--id ID] [--timeout S] [--max-attempts N]\n"
        "                      [--count N] [--quiet]\n"
        "       horizon submit [--store SPEC] --file JOBS.json [--quiet]\n\n"
        "Queue jobs in the store.  TYPE is forecast, churn, clv, segment or\n"
        "suite.  A VALUE that parses as JSON (6, [\"region\"], true) is "
        "taken\n"
        "as such, anything else as a string.  --file reads one job object "
        "or\n"
        "an array of them ('-' = stdin); missing ids are generated and\n"
        "status is set to queued.  Jobs are validated (type, dataset,\n"
        "parameters) before anything is stored; --no-validate stores them\n"
        "as they are (to test a runner's handling of bad documents).\n"
        "Prints the id of each job queued.\n\n"
        "  --store SPEC   sqlite:PATH or cosmos (default $HORIZON_STORE,\n"
        "                 else sqlite:horizon.db)\n"
        "  --count N      queue N copies (ids generated)\n");
}

static cJSON *parse_value(const char *s)
{
    cJSON *v = cJSON_Parse(s);
    if (v != NULL)
        return v;
    return cJSON_CreateString(s);
}

static char *slurp(const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while (buf != NULL && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 4096) {
            char *nb = realloc(buf, cap * 2);
            if (nb == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    if (buf != NULL)
        buf[len] = '\0';
    if (f != stdin)
        fclose(f);
    return buf;
}

/* Fill defaults, validate, store one job.  Returns an exit code. */
static int submit_one(hz_store *s, cJSON *doc, bool validate, bool quiet)
{
    hz_error err;
    if (!cJSON_IsObject(doc)) {
        hz_cli_error("submit", "a job must be a JSON object");
        return HZ_EXIT_USAGE;
    }
    if (hz__cjson_str(doc, "id") == NULL) {
        char id[HZ_JOB_ID_MAX];
        hz_job_new_id("j", id);
        cJSON_DeleteItemFromObjectCaseSensitive(doc, "id");
        cJSON_AddStringToObject(doc, "id", id);
    }
    double now = hz_wall_now();
    hz__cjson_set_str(doc, "status", "queued");
    hz__cjson_set_num(doc, "attempts", 0);
    if (!cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(doc, "createdAt")))
        hz__cjson_set_num(doc, "createdAt", now);
    hz__cjson_set_num(doc, "updatedAt", now);
    if (validate) {
        hz_job job;
        if (hz_job_from_json(doc, &job, &err) != HZ_OK) {
            hz_cli_error("submit", "%s", err.msg);
            return HZ_EXIT_USAGE;
        }
        hz_status rc = hz_exec_validate(&job, &err);
        hz_job_clear(&job);
        if (rc != HZ_OK) {
            hz_cli_error("submit", "job %s: %s", hz__cjson_str(doc, "id"),
                         err.msg);
            return HZ_EXIT_USAGE;
        }
    }
    if (hz__cjson_str(doc, "customerId") == NULL) {
        hz_cli_error("submit", "job %s: field 'customerId' is missing",
                     hz__cjson_str(doc, "id"));
        return HZ_EXIT_USAGE;
    }
    if (hz_store_put(s, HZ_STORE_JOBS, HZ_PUT_CREATE, doc, NULL, &err) !=
        HZ_OK) {
        hz_cli_error("submit", "%s", err.msg);
        return HZ_EXIT_FAIL;
    }
    if (!quiet)
        printf("%s\n", hz__cjson_str(doc, "id"));
    return HZ_EXIT_OK;
}

int hz__cmd_submit(int argc, char **argv)
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
        {"no-validate", no_argument, 0, 'N'},
        {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *store = getenv("HORIZON_STORE");
    const char *type = NULL, *tenant = NULL, *dataset = NULL,
               *dataset_id = NULL, *id = NULL, *file = NULL;
    bool validate = true, quiet = false;
    long count = 1, lv;
    double timeout = 0;
    int max_attempts = 0;
    cJSON *params = cJSON_CreateObject();
    int code = HZ_EXIT_OK, c;
    hz_store *s = NULL;
    cJSON *doc = NULL;
    char *text = NULL;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 's': store = optarg; break;
        case 't': type = optarg; break;
        case 'n': tenant = optarg; break;
        case 'd': dataset = optarg; break;
        case 'D': dataset_id = optarg; break;
        case 'i': id = optarg; break;
        case 'f': file = optarg; break;
        case 'N': validate = false; break;
        case 'q': quiet = true; break;
        case 'p': {
            const char *eq = strchr(optarg, '=');
            if (eq == NULL || eq == optarg) {
                hz_cli_error("submit",
                             "--param: expected KEY=VALUE, got "
                             "'%s'",
                             optarg);
                code = HZ_EXIT_USAGE;
                goto out;
            }
            char key[128];
            snprintf(key, sizeof key, "%.*s", (int)(eq - optarg), optarg);
            cJSON_DeleteItemFromObjectCaseSensitive(params, key);
            cJSON_AddItemToObject(params, key, parse_value(eq + 1));
            break;
        }
        case 'P': {
            cJSON *p = cJSON_Parse(optarg);
            if (!cJSON_IsObject(p)) {
                cJSON_Delete(p);
                hz_cli_error("submit", "--params: expected a JSON object");
                code = HZ_EXIT_USAGE;
                goto out;
            }
            cJSON *it;
            cJSON_ArrayForEach(it, p)
            {
                cJSON_DeleteItemFromObjectCaseSensitive(params, it->string);
                cJSON_AddItemToObject(params, it->string,
                                      cJSON_Duplicate(it, 1));
            }
            cJSON_Delete(p);
            break;
        }
        case 'T':
            if (!hz_cli_parse_double("submit", "timeout", optarg, &timeout) ||
                timeout <= 0) {
                code = HZ_EXIT_USAGE;
                goto out;
            }
            break;
        case 'a':
            if (!hz_cli_parse_long("submit", "max-attempts", optarg, 1, 100,
                                   &lv)) {
                code = HZ_EXIT_USAGE;
                goto out;
            }
            max_attempts = (int)lv;
            break;
        case 'c':
            if (!hz_cli_parse_long("submit", "count", optarg, 1, 10000000,
                                   &count)) {
                code = HZ_EXIT_USAGE;
                goto out;
            }
            break;
        case 'h': usage(stdout); goto out;
        default:
            usage(stderr);
            code = HZ_EXIT_USAGE;
            goto out;
        }
    }
    if (optind < argc) {
        hz_cli_error("submit", "unexpected argument '%s'", argv[optind]);
        code = HZ_EXIT_USAGE;
        goto out;
    }
    if (file == NULL && (type == NULL || tenant == NULL ||
                         (dataset == NULL && dataset_id == NULL))) {
        hz_cli_error("submit", "needs --type, --tenant and --dataset (or "
                               "--dataset-id), or --file");
        code = HZ_EXIT_USAGE;
        goto out;
    }
    if (id != NULL && count > 1) {
        hz_cli_error("submit", "--id and --count are exclusive");
        code = HZ_EXIT_USAGE;
        goto out;
    }
    if (file != NULL) {
        text = slurp(file);
        if (text == NULL) {
            hz_cli_error("submit", "could not read '%s': %s", file,
                         strerror(errno));
            code = HZ_EXIT_NOINPUT;
            goto out;
        }
        const char *end = NULL;
        doc = cJSON_ParseWithOpts(text, &end, 1);
        if (doc == NULL) {
            hz_cli_error("submit", "%s: invalid JSON near byte %ld", file,
                         end ? (long)(end - text) : 0L);
            code = HZ_EXIT_USAGE;
            goto out;
        }
    }
    hz_error err;
    if (hz_store_open(store ? store : "sqlite:horizon.db", &s, &err) !=
        HZ_OK) {
        hz_cli_error("submit", "%s", err.msg);
        code = HZ_EXIT_FAIL;
        goto out;
    }
    if (doc != NULL) {
        if (cJSON_IsArray(doc)) {
            cJSON *j;
            cJSON_ArrayForEach(j, doc)
            {
                int rc = submit_one(s, j, validate, quiet);
                if (rc != HZ_EXIT_OK)
                    code = rc;
            }
        } else {
            code = submit_one(s, doc, validate, quiet);
        }
        goto out;
    }
    for (long k = 0; k < count && code == HZ_EXIT_OK; k++) {
        cJSON *j = cJSON_CreateObject();
        if (id != NULL)
            cJSON_AddStringToObject(j, "id", id);
        cJSON_AddStringToObject(j, "type", type);
        cJSON_AddStringToObject(j, "customerId", tenant);
        if (dataset != NULL)
            cJSON_AddStringToObject(j, "dataset", dataset);
        if (dataset_id != NULL)
            cJSON_AddStringToObject(j, "datasetId", dataset_id);
        cJSON_AddItemToObject(j, "params", cJSON_Duplicate(params, 1));
        if (timeout > 0)
            cJSON_AddNumberToObject(j, "timeoutS", timeout);
        if (max_attempts > 0)
            cJSON_AddNumberToObject(j, "maxAttempts", max_attempts);
        code = submit_one(s, j, validate, quiet);
        cJSON_Delete(j);
    }
out:
    hz_store_close(s);
    cJSON_Delete(doc);
    cJSON_Delete(params);
    free(text);
    return code;
}
