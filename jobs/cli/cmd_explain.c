/* horizon explain JOB_ID [--stream]: a job's narrative, from the store or
 * freshly from the configured LLM (streamed with --stream), or without an
 * LLM the template narrative built from the job's summary. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/cjson.h"
#include "cli/cli.h"
#include "cli/cli_jobs.h"
#include "narrative/narrative.h"
#include "llm/prompt.h"
#include "store/store.h"

const char hz__cmd_explain_summary[] =
    "narrate a finished job's results (LLM, or a template without one)";

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: horizon explain JOB_ID [--stream] [--refresh] [--tenant ID]\n"
        "                      [--store SPEC] [--config FILE] [--json]\n"
        "                      [--show-prompt] [--max-prompt-tokens N]\n\n"
        "Print a short narrative of a succeeded job, written by an LLM from\n"
        "the job's summary statistics (never from its data).  Without\n"
        "--refresh a narrative already stored on the job is printed (a\n"
        "stored template is replaced when an LLM is configured); else the\n"
        "prompt cache is consulted, then the LLM is asked.  Without an LLM\n"
        "endpoint the template narrative is printed, marked\n"
        "\"narrative (template):\": the same summary items, one sentence\n"
        "each.\n\n"
        "  --stream        stream the answer as it is generated (SSE); on a\n"
        "                  terminal the text shows a line at a time as it\n"
        "                  comes, plain text as kept (a retried stream\n"
        "                  starts a new line), elsewhere only the complete\n"
        "                  text is printed\n"
        "  --refresh       ignore the stored narrative and the cache\n"
        "  --tenant ID     the job's customerId (default: search all)\n"
        "  --store SPEC    job store (default $HORIZON_STORE, else\n"
        "                  sqlite:horizon.db)\n"
        "  --config FILE   LLM settings (default $HZ_LLM_CONFIG)\n"
        "  --max-prompt-tokens N  prompt budget (default 400, or the\n"
        "                  settings' max_prompt_tokens)\n"
        "  --json          print the narrative record as JSON (source\n"
        "                  \"llm\" or \"template\", model, token counts)\n"
        "  --show-prompt   print the prompt that would be sent (JSON: model,\n"
        "                  messages, token count, budget) and call nothing\n\n"
        "LLM endpoint: OPENAI_API_KEY / OPENAI_BASE_URL (any OpenAI-\n"
        "compatible server) or AZURE_OPENAI_ENDPOINT with\n"
        "AZURE_OPENAI_API_KEY or, without a key, a Microsoft Entra ID\n"
        "identity (+ AZURE_OPENAI_DEPLOYMENT, OPENAI_API_VERSION).\n\n"
        "The store is opened read-only unless an LLM is configured with the\n"
        "prompt cache (it writes its answers there).\n"
        "exit status: 0 printed, 1 the job did not succeed or the narrative\n"
        "failed, 2 usage or an id two tenants share (give --tenant), 3 no\n"
        "such job (or no --config file), 75 the store is unavailable.\n");
}

typedef struct explain_opts {
    const char *id, *store_spec, *tenant, *config;
    long max_tokens;
    bool stream, refresh, json, show;
} explain_opts;

/* HZ_EXIT_OK to go on, else the exit code (help printed or bad usage). */
static int parse_args(int argc, char **argv, explain_opts *o)
{
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
        case 'S': o->stream = true; break;
        case 'r': o->refresh = true; break;
        case 't': o->tenant = optarg; break;
        case 's': o->store_spec = optarg; break;
        case 'c': o->config = optarg; break;
        case 'j': o->json = true; break;
        case 'P': o->show = true; break;
        case 'm':
            if (!hz_cli_parse_long("explain", "max-prompt-tokens", optarg, 32,
                                   10000000, &o->max_tokens))
                return HZ_EXIT_USAGE;
            break;
        case 'h': usage(stdout); return -1;
        default: usage(stderr); return HZ_EXIT_USAGE;
        }
    }
    if (optind + 1 != argc) {
        hz_cli_error("explain", optind >= argc ? "missing JOB_ID"
                                               : "one JOB_ID expected");
        usage(stderr);
        return HZ_EXIT_USAGE;
    }
    o->id = argv[optind];
    return HZ_EXIT_OK;
}

static void print_json(const cJSON *o)
{
    char *t = cJSON_Print(o);
    printf("%s\n", t ? t : "{}");
    free(t);
}

/* The job, succeeded; else an exit code. */
static int load_job(hz_store *st, const explain_opts *o, cJSON **doc)
{
    hz_error err;
    hz_status rc = hz_store_find_job(st, o->id, o->tenant, doc, &err);
    if (rc != HZ_OK) { /* as the jobs commands: 3 none, 2 ambiguous */
        hz_cli_error("explain", "%s", err.msg);
        return hz_cli_store_exit(rc);
    }
    const char *status = hz__cjson_str(*doc, "status");
    if (status == NULL || strcmp(status, "succeeded") != 0) {
        hz_cli_error("explain",
                     "job %s is %s: only succeeded jobs have "
                     "results to explain",
                     o->id, status ? status : "unknown");
        return HZ_EXIT_FAIL;
    }
    return HZ_EXIT_OK;
}

/* Print the narrative stored on the job when it is the one to show. */
/* A narrative on standard output as a terminal may show it (hz_cli_term:
 * a name's right-to-left override, kept in the narrative, would reverse
 * what follows it). */
static void print_text(bool tmpl, const char *text)
{
    size_t cap = 4 * strlen(text) + 1;
    char *t = malloc(cap);
    printf("%s%s\n", tmpl ? "narrative (template): " : "",
           t != NULL ? hz_cli_term(text, t, cap) : "?");
    free(t);
}

static bool print_stored(const cJSON *doc, const explain_opts *o, bool online)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(doc, "narrative");
    const char *text = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(n, "text"));
    const char *src = cJSON_GetStringValue(
        cJSON_GetObjectItemCaseSensitive(n, "source"));
    bool tmpl = src != NULL && strcmp(src, "template") == 0;
    if (o->refresh || o->show || text == NULL || (tmpl && online))
        return false;
    if (o->json)
        print_json(n);
    else
        print_text(tmpl, text);
    return true;
}

/* --show-prompt: the prompt as it would be sent; nothing is called. */
static int show_prompt(hz_llm_settings *set, const explain_opts *o,
                       const char *type, const hz_summary *sum)
{
    hz_narrative_ctx *nc = NULL;
    hz_error err;
    set->client.provider = HZ_LLM_NONE; /* nothing is called */
    if (hz_narrative_open(set, NULL, NULL, &nc, &err) != HZ_OK) {
        hz_cli_error("explain", "%s", err.msg);
        return HZ_EXIT_FAIL;
    }
    const char *model = hz_llm_model_for(set, type);
    hz_prompt_job pj = {o->id, type, sum};
    hz_prompt_opts po = {set->max_prompt_tokens, hz_narrative_tokenizer(nc),
                         model};
    hz_prompt p;
    if (hz_prompt_build(&pj, 1, &po, &p, &err) != HZ_OK) {
        hz_cli_error("explain", "job %s: %s", o->id, err.msg);
        hz_narrative_close(nc);
        return HZ_EXIT_FAIL;
    }
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "model", model);
    cJSON_AddStringToObject(j, "tokenizer", hz_tokenizer_name(po.tok));
    cJSON_AddNumberToObject(j, "tokens", (double)p.tokens);
    cJSON_AddBoolToObject(j, "exact", p.exact);
    cJSON_AddNumberToObject(j, "budget", (double)set->max_prompt_tokens);
    cJSON_AddNumberToObject(j, "itemsKept", (double)p.items_kept);
    cJSON_AddNumberToObject(j, "itemsDropped", (double)p.items_dropped);
    cJSON *msgs = cJSON_AddArrayToObject(j, "messages");
    const char *roles[2] = {"system", "user"};
    const char *texts[2] = {p.system, p.user};
    for (int i = 0; i < 2; i++) {
        cJSON *m = cJSON_CreateObject();
        cJSON_AddStringToObject(m, "role", roles[i]);
        cJSON_AddStringToObject(m, "content", texts[i]);
        cJSON_AddItemToArray(msgs, m);
    }
    print_json(j);
    cJSON_Delete(j);
    hz_prompt_clear(&p);
    hz_narrative_close(nc);
    return HZ_EXIT_OK;
}

/* A streamed piece (whole lines: hz_narrative_stream) as it arrives, on
 * a terminal: a control character (other than tab and newline) in caret
 * notation, a bidi control as "[U+202E]" (hz_cli_term), never sent to
 * the terminal, whose escape sequences it could start; the answer it is
 * part of is refused once complete. */
static void print_delta(const char *t, size_t n, void *ud)
{
    (void)ud;
    char *s = malloc(n + 1), *v = malloc(4 * n + 1);
    if (s != NULL && v != NULL) {
        memcpy(s, t, n);
        s[n] = '\0';
        fputs(hz_cli_term(s, v, 4 * n + 1), stdout);
    }
    free(s);
    free(v);
    fflush(stdout);
}

static void print_restart(int attempt, const char *why, void *ud)
{
    (void)ud;
    printf("\n");
    fflush(stdout);
    hz_cli_error("explain", "stream interrupted (%s); retrying (attempt %d)",
                 why, attempt);
}

/* Ask the LLM (or build the template) and print the narrative. */
static int narrate(hz_narrative_ctx *nc, hz_narrative_job *job,
                   const explain_opts *o)
{
    hz_error err;
    bool live = o->stream && !o->json && isatty(STDOUT_FILENO) &&
                hz_narrative_enabled(nc);
    hz_llm_stream_cb cb = {print_delta, print_restart, NULL};
    hz_status rc = o->stream || o->refresh || !hz_narrative_enabled(nc)
                       ? hz_narrative_stream(nc, job, o->refresh,
                                             live ? &cb : NULL, &err)
                       : hz_narrative_run(nc, job, 1, &err);
    if (rc == HZ_OK && job->status != HZ_OK)
        rc = hz_error_set(&err, job->status, "%s", job->error);
    if (rc != HZ_OK) {
        if (live)
            printf("\n");
        hz_cli_error("explain", "job %s: %s", o->id, err.msg);
        return HZ_EXIT_FAIL;
    }
    if (o->json) {
        cJSON *j = hz_narrative_json(job);
        print_json(j);
        cJSON_Delete(j);
    } else if (live) {
        printf("\n");
    } else {
        print_text(job->is_template, job->text);
    }
    return HZ_EXIT_OK;
}

/* Whether explaining may write to the store: only the LLM's prompt
 * cache does (an answer kept for later runs); else the store is opened
 * read-only, as the jobs commands open it. */
static bool writes_cache(const hz_llm_settings *set, const explain_opts *o)
{
    return set->client.provider != HZ_LLM_NONE && set->cache_ttl_s > 0 &&
           !o->show;
}

/* The narrative of a loaded job: the stored one, the prompt, or a new
 * one. */
static int explain_job(hz_store *st, const cJSON *doc, hz_llm_settings *set,
                       const explain_opts *o)
{
    hz_error err;
    bool online = set->client.provider != HZ_LLM_NONE;
    if (print_stored(doc, o, online))
        return HZ_EXIT_OK;
    const char *type = hz__cjson_str(doc, "type");
    hz_summary *sum = NULL;
    hz_status rc = hz_summary_from_result_json(
        type, cJSON_GetObjectItemCaseSensitive(doc, "summary"), &sum, &err);
    if (rc != HZ_OK) {
        hz_cli_error("explain", "job %s: %s", o->id, err.msg);
        return HZ_EXIT_FAIL;
    }
    int code = HZ_EXIT_FAIL;
    hz_narrative_ctx *nc = NULL;
    hz_prompt_cache *cache = NULL;
    hz_narrative_job job = {.id = o->id,
                            .type = type,
                            .tenant = hz__cjson_str(doc, "customerId"),
                            .summary = sum};
    if (o->show) {
        code = show_prompt(set, o, type, sum);
    } else {
        cache = writes_cache(set, o) ? hz_prompt_cache_store(st) : NULL;
        if (hz_narrative_open(set, cache, NULL, &nc, &err) != HZ_OK)
            hz_cli_error("explain", "%s", err.msg);
        else
            code = narrate(nc, &job, o);
    }
    hz_narrative_job_clear(&job);
    hz_narrative_close(nc);
    hz_prompt_cache_free(cache);
    hz_summary_free(sum);
    return code;
}

int hz__cmd_explain(int argc, char **argv)
{
    explain_opts o = {0};
    int code = parse_args(argc, argv, &o);
    if (code != HZ_EXIT_OK)
        return code < 0 ? HZ_EXIT_OK : code;
    hz_error err;
    hz_llm_settings set;
    hz_status rc = hz_llm_settings_load(o.config, &set, &err);
    if (rc != HZ_OK) {
        hz_cli_error("explain", "%s", err.msg);
        return hz_cli_exit_code(rc);
    }
    if (o.max_tokens > 0)
        set.max_prompt_tokens = (size_t)o.max_tokens;
    hz_store *st = NULL;
    cJSON *doc = NULL;
    /* a store that cannot be opened: 75 (2 for a bad spec), as the jobs
     * commands say */
    code = hz_cli_store_open("explain", hz_cli_store_spec(o.store_spec),
                             writes_cache(&set, &o) ? 0 : HZ_STORE_READONLY,
                             &st);
    if (code == HZ_EXIT_OK)
        code = load_job(st, &o, &doc);
    if (code == HZ_EXIT_OK)
        code = explain_job(st, doc, &set, &o);
    memset(&set, 0, sizeof set); /* wipe the key copy */
    cJSON_Delete(doc);
    hz_store_close(st);
    return code;
}
