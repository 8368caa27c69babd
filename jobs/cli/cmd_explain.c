/* horizon explain JOB_ID [--stream]: a job's narrative, from the store or
 * freshly from the configured LLM (streamed with --stream). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/cjson.h"
#include "cli/cli.h"
#include "llm/narrative.h"
#include "llm/prompt.h"
#include "store/store.h"

const char hz__cmd_explain_summary[] =
    "narrate a finished job's results with the configured LLM";

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: horizon explain JOB_ID [--stream] [--refresh] [--tenant ID]\n"
        "                      [--store SPEC] [--config FILE] [--json]\n\n"
        "Print a short narrative of a succeeded job, written by an LLM from\n"
        "the job's summary statistics (never from its data).  Without\n"
        "--refresh a narrative already stored on the job is printed; else\n"
        "the prompt cache is consulted, then the LLM is asked.\n\n"
        "  --stream        stream the answer as it is generated (SSE)\n"
        "  --refresh       ignore the stored narrative and the cache\n"
        "  --tenant ID     the job's customerId (default: search all)\n"
        "  --store SPEC    job store (default $HORIZON_STORE, else\n"
        "                  sqlite:horizon.db)\n"
        "  --config FILE   LLM settings (default $HZ_LLM_CONFIG)\n"
        "  --max-prompt-tokens N  prompt budget (default 400, or the\n"
        "                  settings' max_prompt_tokens)\n"
        "  --json          print the narrative record as JSON\n"
        "  --show-prompt   print the prompt that would be sent (JSON: model,\n"
        "                  messages, token count, budget) and call nothing\n\n"
        "LLM endpoint: OPENAI_API_KEY / OPENAI_BASE_URL (any OpenAI-\n"
        "compatible server) or AZURE_OPENAI_ENDPOINT / AZURE_OPENAI_API_KEY\n"
        "(+ AZURE_OPENAI_DEPLOYMENT).  Without one, explain says so and\n"
        "exits 1.\n");
}

static void print_delta(const char *t, size_t n, void *ud)
{
    (void)ud;
    fwrite(t, 1, n, stdout);
    fflush(stdout);
}

int hz__cmd_explain(int argc, char **argv)
{
    const char *store_spec = getenv("HORIZON_STORE");
    const char *tenant = NULL, *config = NULL;
    long max_tokens = 0;
    bool stream = false, refresh = false, json = false, show = false;
    static const struct option opts[] = {
        {"stream", no_argument, 0, 'S'},
        {"refresh", no_argument, 0, 'r'},
        {"tenant", required_argument, 0, 't'},
        {"store", required_argument, 0, 's'},
        {"config", required_argument, 0, 'c'},
        {"json", no_argument, 0, 'j'},
        {"show-prompt", no_argument, 0, 'P'},
        {"max-prompt-tokens", required_argument, 0, 'm'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'S': stream = true; break;
        case 'r': refresh = true; break;
        case 't': tenant = optarg; break;
        case 's': store_spec = optarg; break;
        case 'c': config = optarg; break;
        case 'j': json = true; break;
        case 'P': show = true; break;
        case 'm':
            if (!hz_cli_parse_long("explain", "max-prompt-tokens", optarg, 32,
                                   10000000, &max_tokens))
                return HZ_EXIT_USAGE;
            break;
        case 'h': usage(stdout); return HZ_EXIT_OK;
        default: usage(stderr); return HZ_EXIT_USAGE;
        }
    }
    if (optind + 1 != argc) {
        hz_cli_error("explain", optind >= argc ? "missing JOB_ID"
                                               : "one JOB_ID expected");
        usage(stderr);
        return HZ_EXIT_USAGE;
    }
    const char *id = argv[optind];
    if (store_spec == NULL)
        store_spec = "sqlite:horizon.db";

    int code = HZ_EXIT_FAIL;
    hz_error err;
    hz_store *st = NULL;
    cJSON *doc = NULL;
    hz_summary *sum = NULL;
    hz_narrative_ctx *nc = NULL;
    hz_prompt_cache *cache = NULL;
    hz_narrative_job job;
    memset(&job, 0, sizeof job);

    hz_status rc = hz_store_open(store_spec, &st, &err);
    if (rc != HZ_OK) {
        hz_cli_error("explain", "%s", err.msg);
        return hz_cli_exit_code(rc);
    }
    rc = hz_store_find_job(st, id, tenant, &doc, &err);
    if (rc != HZ_OK) {
        hz_cli_error("explain", "%s", err.msg);
        code = rc == HZ_ENOTFOUND ? HZ_EXIT_NOINPUT : HZ_EXIT_FAIL;
        goto out;
    }
    const char *status = hz__cjson_str(doc, "status");
    if (status == NULL || strcmp(status, "succeeded") != 0) {
        hz_cli_error("explain",
                     "job %s is %s: only succeeded jobs have "
                     "results to explain",
                     id, status ? status : "unknown");
        goto out;
    }
    const cJSON *stored = cJSON_GetObjectItemCaseSensitive(doc, "narrative");
    const char *stored_text = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(stored, "text"));
    if (!refresh && !show && stored_text != NULL) {
        if (json) {
            char *t = cJSON_Print(stored);
            printf("%s\n", t);
            free(t);
        } else {
            printf("%s\n", stored_text);
        }
        code = HZ_EXIT_OK;
        goto out;
    }
    const char *type = hz__cjson_str(doc, "type");
    rc = hz_summary_from_result_json(
        type, cJSON_GetObjectItemCaseSensitive(doc, "summary"), &sum, &err);
    if (rc != HZ_OK) {
        hz_cli_error("explain", "job %s: %s", id, err.msg);
        goto out;
    }
    hz_llm_settings set;
    rc = hz_llm_settings_load(config, &set, &err);
    if (rc != HZ_OK) {
        hz_cli_error("explain", "%s", err.msg);
        code = hz_cli_exit_code(rc);
        goto out;
    }
    if (max_tokens > 0)
        set.max_prompt_tokens = (size_t)max_tokens;
    if (show) {
        set.client.provider = HZ_LLM_NONE; /* nothing is called */
        rc = hz_narrative_open(&set, NULL, NULL, &nc, &err);
        if (rc != HZ_OK) {
            hz_cli_error("explain", "%s", err.msg);
            goto out;
        }
        const char *model = hz_llm_model_for(&set, type);
        hz_prompt_job pj = {id, type, sum};
        hz_prompt_opts po = {set.max_prompt_tokens, hz_narrative_tokenizer(nc),
                             model};
        hz_prompt p;
        rc = hz_prompt_build(&pj, 1, &po, &p, &err);
        if (rc != HZ_OK) {
            hz_cli_error("explain", "job %s: %s", id, err.msg);
            goto out;
        }
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "model", model);
        cJSON_AddStringToObject(o, "tokenizer", hz_tokenizer_name(po.tok));
        cJSON_AddNumberToObject(o, "tokens", (double)p.tokens);
        cJSON_AddBoolToObject(o, "exact", p.exact);
        cJSON_AddNumberToObject(o, "budget", (double)set.max_prompt_tokens);
        cJSON_AddNumberToObject(o, "itemsKept", (double)p.items_kept);
        cJSON_AddNumberToObject(o, "itemsDropped", (double)p.items_dropped);
        cJSON *msgs = cJSON_AddArrayToObject(o, "messages");
        const char *roles[2] = {"system", "user"};
        const char *texts[2] = {p.system, p.user};
        for (int i = 0; i < 2; i++) {
            cJSON *m = cJSON_CreateObject();
            cJSON_AddStringToObject(m, "role", roles[i]);
            cJSON_AddStringToObject(m, "content", texts[i]);
            cJSON_AddItemToArray(msgs, m);
        }
        char *t = cJSON_Print(o);
        printf("%s\n", t);
        free(t);
        cJSON_Delete(o);
        hz_prompt_clear(&p);
        code = HZ_EXIT_OK;
        goto out;
    }
    if (set.client.provider == HZ_LLM_NONE) {
        hz_cli_error("explain", "%s", HZ_NARRATIVE_OFFLINE_MSG);
        goto out;
    }
    cache = set.cache_ttl_s > 0 ? hz_prompt_cache_store(st) : NULL;
    rc = hz_narrative_open(&set, cache, NULL, &nc, &err);
    memset(&set, 0, sizeof set);
    if (rc != HZ_OK) {
        hz_cli_error("explain", "%s", err.msg);
        goto out;
    }
    job.id = id;
    job.type = type;
    job.tenant = hz__cjson_str(doc, "customerId");
    job.summary = sum;
    if (stream && !json) {
        rc = hz_narrative_stream(nc, &job, refresh, print_delta, NULL, &err);
        if (rc == HZ_OK)
            printf("\n");
    } else {
        rc = refresh ? hz_narrative_stream(nc, &job, true, NULL, NULL, &err)
                     : hz_narrative_run(nc, &job, 1, &err);
        if (rc == HZ_OK && job.status != HZ_OK)
            rc = hz_error_set(&err, job.status, "%s", job.error);
        if (rc == HZ_OK) {
            if (json) {
                cJSON *o = hz_narrative_json(&job);
                char *t = cJSON_Print(o);
                printf("%s\n", t);
                free(t);
                cJSON_Delete(o);
            } else {
                printf("%s\n", job.text);
            }
        }
    }
    if (rc != HZ_OK) {
        hz_cli_error("explain", "job %s: %s", id, err.msg);
        goto out;
    }
    code = HZ_EXIT_OK;
out:
    hz_narrative_job_clear(&job);
    hz_narrative_close(nc);
    hz_prompt_cache_free(cache);
    hz_summary_free(sum);
    cJSON_Delete(doc);
    hz_store_close(st);
    return code;
}
