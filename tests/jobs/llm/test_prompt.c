/* Prompts: budget, whole-item dropping, batching layout, exact chat token
 * counts against js-tiktoken, and no raw data row in any prompt. */
#include <cjson/cJSON.h>
#include <stdlib.h>

#include "horizon/csv.h"
#include "horizon/profile.h"
#include "hz_test.h"
#include "llm_peers.h"
#include "llm/prompt.h"

static hz_summary *demo_summary(int variant)
{
    hz_summary *s = hz_summary_new("forecast");
    hz_summary_add(s, 0, "forecast.total",
                   "revenue forecast next 12 months: "
                   "total %d.%dM, +8.2%% vs the same months last year",
                   1 + variant, 2 + variant % 7);
    hz_summary_add(s, 1, "history.growth",
                   "revenue last 12 months: 1.1M, "
                   "+5.0%% vs the 12 before");
    hz_summary_add(s, 2, "forecast.season",
                   "peak 2026-12 (182K, +24%% vs "
                   "forecast average), trough 2026-02 (81K, -18%%)");
    hz_summary_add(s, 3, "forecast.interval",
                   "95%% interval at 2026-12: "
                   "150K to 214K (+/-18%% of the forecast)");
    hz_summary_add(s, 4, "forecast.model", "model: ETS(M,Ad,M)");
    hz_summary_add(s, 5, "forecast.level",
                   "last observed month: 98.1K; "
                   "first forecast 2026-01: 101K");
    hz_summary_add(s, 7, "region.north",
                   "North holds 31%% of revenue, "
                   "growing fastest (+12%%)");
    hz_summary_add(s, 6, "forecast.note",
                   "note: seasonal model chosen by "
                   "AICc among 6 candidates");
    return s;
}

static bool has_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
        if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
            return true;
    return false;
}

HZ_TEST(budget_drops_least_important_whole_items)
{
    hz_summary *s = demo_summary(0);
    hz_prompt_job job = {"j-1", "forecast", s};
    size_t prev_kept = 1000;
    for (size_t budget = 400; budget >= 60; budget -= 20) {
        hz_prompt_opts o = {.max_tokens = budget};
        hz_prompt p;
        hz_error err;
        hz_status st = hz_prompt_build(&job, 1, &o, &p, &err);
        if (st != HZ_OK) {
            HZ_CHECK(st == HZ_EINVAL);
            HZ_CHECK_CONTAINS(err.msg, "over the budget");
            HZ_CHECK(budget < 200);
            break;
        }
        HZ_CHECK(p.tokens <= budget);
        HZ_CHECK(p.items_kept + p.items_dropped == s->n);
        HZ_CHECK(p.items_kept <= prev_kept);
        prev_kept = p.items_kept;
        /* kept items are exactly the most important ones, whole */
        hz_summary_sort(s);
        for (size_t i = 0; i < s->n; i++) {
            char line[HZ_SUMMARY_TEXT_MAX + 4];
            snprintf(line, sizeof line, "- %s", s->items[i].text);
            HZ_CHECK_MSG(has_line(p.user, line) == (i < p.items_kept),
                         "budget %zu: item %zu ('%s') kept=%d", budget, i,
                         s->items[i].key, (int)has_line(p.user, line));
        }
        HZ_CHECK(!p.json);
        HZ_CHECK(!p.exact);
        hz_prompt_clear(&p);
    }
    HZ_CHECK(prev_kept >= 1 && prev_kept < s->n);
    hz_summary_free(s);
}

HZ_TEST(batch_layout_and_overflow)
{
    hz_summary *s[12];
    hz_prompt_job jobs[12];
    char ids[12][16];
    for (int i = 0; i < 12; i++) {
        s[i] = demo_summary(i);
        snprintf(ids[i], sizeof ids[i], "j-%02d", i);
        jobs[i] = (hz_prompt_job){ids[i], "forecast", s[i]};
    }
    hz_prompt_opts o = {.max_tokens = 400};
    hz_prompt p;
    hz_error err;
    HZ_CHECK(hz_prompt_build(jobs, 3, &o, &p, &err) == HZ_OK);
    HZ_CHECK(p.json);
    HZ_CHECK(p.njobs == 3);
    HZ_CHECK(p.tokens <= 400);
    HZ_CHECK_CONTAINS(p.system, "JSON object");
    HZ_CHECK_CONTAINS(p.user, "job j-00 (forecast):");
    HZ_CHECK_CONTAINS(p.user, "job j-02 (forecast):");
    hz_prompt_clear(&p);
    /* 12 jobs cannot all fit 400 tokens: a prefix is taken */
    HZ_CHECK(hz_prompt_build(jobs, 12, &o, &p, &err) == HZ_OK);
    HZ_CHECK(p.njobs >= 2 && p.njobs < 12);
    HZ_CHECK(p.tokens <= 400);
    for (size_t j = 0; j < p.njobs; j++)
        HZ_CHECK(strstr(p.user, ids[j]) != NULL);
    HZ_CHECK(strstr(p.user, ids[11]) == NULL);
    hz_prompt_clear(&p);
    for (int i = 0; i < 12; i++)
        hz_summary_free(s[i]);
}

HZ_TEST(exact_chat_tokens_match_js_tiktoken)
{
    const char *encs[2] = {"cl100k_base", "o200k_base"};
    for (int e = 0; e < 2; e++) {
        const char *ranks = peers_rank_file(encs[e], hz_test_tmpdir());
        if (ranks == NULL) {
            hz_test_skip("node is not installed: js-tiktoken comparison "
                         "skipped");
            return;
        }
        hz_tokenizer *t = NULL;
        hz_error err;
        HZ_CHECK(hz_tokenizer_load(encs[e], ranks, &t, &err) == HZ_OK);
        hz_summary *s = demo_summary(3);
        hz_prompt_job job = {"j-7", "forecast", s};
        hz_prompt_opts o = {
            .max_tokens = 150, .tok = t, .model = e ? "gpt-4o-mini" : "gpt-4"};
        hz_prompt p;
        HZ_CHECK(hz_prompt_build(&job, 1, &o, &p, &err) == HZ_OK);
        HZ_CHECK(p.exact);
        HZ_CHECK(p.tokens <= 150);
        HZ_CHECK(p.items_dropped > 0);
        /* reference: js-tiktoken token counts of role and content of each
           message, plus 3 per message and 3 for the reply */
        cJSON *arr = cJSON_CreateArray();
        cJSON_AddItemToArray(arr, cJSON_CreateString("system"));
        cJSON_AddItemToArray(arr, cJSON_CreateString(p.system));
        cJSON_AddItemToArray(arr, cJSON_CreateString("user"));
        cJSON_AddItemToArray(arr, cJSON_CreateString(p.user));
        char *json = cJSON_PrintUnformatted(arr);
        cJSON_Delete(arr);
        const char *f = hz_test_write_file("prompt_msgs.json", json,
                                           strlen(json));
        free(json);
        char cmd[9000];
        snprintf(cmd, sizeof cmd,
                 "node '%s/tests/peers/tiktoken_count.js' "
                 "%s '%s'",
                 peers_root(), encs[e], f);
        FILE *pp = popen(cmd, "r");
        HZ_CHECK(pp != NULL);
        size_t ref = 3;
        char line[65536];
        int lines = 0;
        while (fgets(line, sizeof line, pp) != NULL) {
            ref += strtoul(line, NULL, 10) + (lines % 2 == 0 ? 3 : 0);
            lines++;
        }
        HZ_CHECK(pclose(pp) == 0);
        HZ_CHECK(lines == 4);
        printf("  %s: prompt %zu tokens (C), %zu (js-tiktoken), %zu items "
               "kept, %zu dropped\n",
               encs[e], p.tokens, ref, p.items_kept, p.items_dropped);
        HZ_CHECK(p.tokens == ref);
        /* the estimate is never below the exact count */
        hz_prompt_opts oe = {.max_tokens = 100000};
        hz_prompt pe;
        HZ_CHECK(hz_prompt_build(&job, 1, &oe, &pe, &err) == HZ_OK);
        hz_prompt_opts ox = {.max_tokens = 100000, .tok = t};
        hz_prompt px;
        HZ_CHECK(hz_prompt_build(&job, 1, &ox, &px, &err) == HZ_OK);
        HZ_CHECK(pe.tokens >= px.tokens);
        hz_prompt_clear(&pe);
        hz_prompt_clear(&px);
        hz_prompt_clear(&p);
        hz_summary_free(s);
        hz_tokenizer_free(t);
    }
}

HZ_TEST(no_raw_data_row_in_prompt)
{
    char path[4096];
    hz_test_data("sample_sales.csv", path, sizeof path);
    hz_csv_options co;
    hz_csv_options_init(&co);
    hz_dataset *ds = NULL;
    hz_csv_report rep;
    hz_error err;
    HZ_CHECK_MSG(hz_csv_read(path, &co, &ds, &rep, &err) == HZ_OK, "%s",
                 err.msg);
    hz_profile *prof = NULL;
    HZ_CHECK(hz_profile_compute(ds, &prof, &err) == HZ_OK);
    hz_summary *s = hz_summary_new("dataset");
    HZ_CHECK(hz_summary_dataset(prof, 0, s, &err) == HZ_OK);
    hz_prompt_job job = {"j-data", "dataset", s};
    hz_prompt_opts o = {0};
    hz_prompt p;
    HZ_CHECK(hz_prompt_build(&job, 1, &o, &p, &err) == HZ_OK);
    HZ_CHECK(p.tokens <= HZ_PROMPT_DEFAULT_MAX_TOKENS);
    HZ_CHECK_CONTAINS(p.user, "rows");
    /* no data row, and no field of one that identifies a record */
    FILE *f = fopen(path, "r");
    HZ_CHECK(f != NULL);
    char line[4096];
    size_t rows = 0;
    const char *full = NULL;
    char both[65536];
    snprintf(both, sizeof both, "%s\n%s", p.system, p.user);
    full = both;
    while (fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        if (rows++ == 0)
            continue; /* header: column names may be named */
        HZ_CHECK_MSG(strstr(full, line) == NULL, "row in prompt: %s", line);
        char *comma = strchr(line, ',');
        if (comma) {
            *comma = '\0'; /* order_id */
            HZ_CHECK_MSG(strstr(full, line) == NULL || strlen(line) < 6,
                         "order id %s in prompt", line);
        }
        char *cust = strstr(comma ? comma + 1 : line, ",C");
        if (cust) {
            char id[16];
            snprintf(id, sizeof id, "%.7s", cust + 1);
            HZ_CHECK_MSG(strstr(full, id) == NULL, "customer %s in prompt",
                         id);
        }
    }
    fclose(f);
    HZ_CHECK(rows > 100);
    hz_prompt_clear(&p);
    hz_summary_free(s);
    hz_profile_free(prof);
    hz_dataset_free(ds);
}

/* A name in a summary item (a series, a column) with a right-to-left
 * override or a control character: the model reads them by their names,
 * as the report and a terminal show them, not as characters that reverse
 * or steer what follows. */
HZ_TEST(bidi_and_control_characters_shown_by_name)
{
    hz_summary *s = hz_summary_new("forecast");
    hz_summary_add(s, 0, "forecast.total",
                   /* NOLINTNEXTLINE(misc-misleading-bidirectional) */
                   "north\xe2\x80\xae"
                   "evil\x1b[31m forecast next 3 months: "
                   "total 825\xc2\x9b");
    hz_prompt_job job = {"j-bidi", "forecast", s};
    hz_prompt_opts o = {0};
    hz_prompt p;
    hz_error err;
    HZ_CHECK(hz_prompt_build(&job, 1, &o, &p, &err) == HZ_OK);
    HZ_CHECK_CONTAINS(p.user, "north[U+202E]evil^[[31m forecast");
    HZ_CHECK_CONTAINS(p.user, "total 825[U+009B]");
    /* NOLINTNEXTLINE(misc-misleading-bidirectional) */
    HZ_CHECK(strstr(p.user, "\xe2\x80\xae") == NULL);
    HZ_CHECK(strchr(p.user, 0x1b) == NULL);
    hz_prompt_clear(&p);
    hz_summary_free(s);
}
