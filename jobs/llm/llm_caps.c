/* Model capabilities by family.  See llm_caps.h. */
#include "llm/llm_caps.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const hz_llm_caps CHAT = {false, true, false, HZ_LLM_JSON_SCHEMA, true};
static const hz_llm_caps REASONING = {true, false, false, HZ_LLM_JSON_SCHEMA,
                                      true};
static const hz_llm_caps OLD_CHAT = {false, true, false, HZ_LLM_JSON_OBJECT,
                                     true};
static const hz_llm_caps EARLY_REASONING = {true, false, false,
                                            HZ_LLM_JSON_NONE, false};

/* Longest prefix wins; a name is matched case-insensitively. */
static const struct {
    const char *prefix;
    const hz_llm_caps *caps;
} builtin[] = {
    {"gpt-3.5", &OLD_CHAT},
    {"gpt-4", &OLD_CHAT},
    {"gpt-4-turbo", &OLD_CHAT},
    {"gpt-4o", &CHAT},
    {"gpt-4o-2024-05-13", &OLD_CHAT},
    {"gpt-4.1", &CHAT},
    {"gpt-4.5", &CHAT},
    {"chatgpt-4o", &CHAT},
    {"gpt-5", &REASONING},
    {"gpt-5-chat", &CHAT},
    {"o1", &REASONING},
    {"o1-mini", &EARLY_REASONING},
    {"o1-preview", &EARLY_REASONING},
    {"o3", &REASONING},
    {"o4", &REASONING},
};

/* Length of prefix when name starts with it (case-insensitive), at a
 * boundary (end, '-', '.', '_', ':' or a digit after a letter run); 0 when
 * it does not match. */
static size_t match(const char *name, const char *prefix)
{
    size_t n = strlen(prefix);
    if (n == 0 || strncasecmp(name, prefix, n) != 0)
        return 0;
    char next = name[n];
    if (next == '\0' || next == '-' || next == '.' || next == '_' ||
        next == ':' || next == '/')
        return n;
    /* "gpt-4" must not claim "gpt-40"; "o1" must not claim "o10x" */
    return isdigit((unsigned char)prefix[n - 1]) &&
                   isdigit((unsigned char)next)
               ? 0
               : n;
}

hz_llm_caps hz_llm_caps_for(const char *model, const hz_llm_cap_rule *rules,
                            size_t nrules)
{
    hz_llm_caps best = CHAT;
    size_t best_len = 0;
    if (model == NULL)
        return best;
    for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++) {
        size_t l = match(model, builtin[i].prefix);
        if (l > best_len) {
            best_len = l;
            best = *builtin[i].caps;
        }
    }
    for (size_t i = 0; i < nrules; i++) {
        size_t l = match(model, rules[i].prefix);
        if (l > 0 && l >= best_len) {
            best_len = l;
            best = rules[i].caps;
        }
    }
    return best;
}

/* Apply one flag to *c; false when it is unknown. */
static bool apply_flag(const char *f, hz_llm_caps *c)
{
    if (strcmp(f, "reasoning") == 0)
        *c = REASONING;
    else if (strcmp(f, "chat") == 0)
        *c = CHAT;
    else if (strcmp(f, "temperature") == 0)
        c->temperature = true;
    else if (strcmp(f, "no_temperature") == 0)
        c->temperature = false;
    else if (strcmp(f, "max_tokens") == 0)
        c->max_tokens = true;
    else if (strcmp(f, "max_completion_tokens") == 0)
        c->max_tokens = false;
    else if (strcmp(f, "json_schema") == 0)
        c->json = HZ_LLM_JSON_SCHEMA;
    else if (strcmp(f, "json_object") == 0)
        c->json = HZ_LLM_JSON_OBJECT;
    else if (strcmp(f, "no_json") == 0)
        c->json = HZ_LLM_JSON_NONE;
    else if (strcmp(f, "system") == 0)
        c->system = true;
    else if (strcmp(f, "no_system") == 0)
        c->system = false;
    else
        return false;
    return true;
}

hz_status hz_llm_caps_parse(const char *flags, hz_llm_caps *caps,
                            hz_error *err)
{
    *caps = CHAT;
    const char *p = flags;
    while (*p) {
        while (*p == ',' || isspace((unsigned char)*p))
            p++;
        size_t n = strcspn(p, ", \t");
        if (n == 0)
            break;
        char f[32];
        snprintf(f, sizeof f, "%.*s", (int)(n < 31 ? n : 31), p);
        for (char *q = f; *q; q++)
            *q = (char)tolower((unsigned char)*q);
        if (n >= 31 || !apply_flag(f, caps))
            return hz_error_set(err, HZ_EINVAL,
                                "unknown capability '%.*s' (expected "
                                "reasoning, chat, [no_]temperature, "
                                "max_tokens, max_completion_tokens, "
                                "json_schema, json_object, no_json, "
                                "[no_]system)",
                                (int)(n < 40 ? n : 40), p);
        p += n;
    }
    return HZ_OK;
}

hz_status hz_llm_caps_set(hz_llm_cap_rule *rules, size_t *n,
                          const char *prefix, const char *flags, hz_error *err)
{
    hz_llm_caps c;
    hz_status s = hz_llm_caps_parse(flags, &c, err);
    if (s != HZ_OK)
        return s;
    if (prefix == NULL || prefix[0] == '\0' || strlen(prefix) >= 64)
        return hz_error_set(err, HZ_EINVAL,
                            "capabilities: a model name prefix of 1 to 63 "
                            "characters is needed");
    size_t i = 0;
    while (i < *n && strcasecmp(rules[i].prefix, prefix) != 0)
        i++;
    if (i == *n) {
        if (*n == HZ_LLM_MAX_CAPS)
            return hz_error_set(err, HZ_EINVAL,
                                "capabilities: at most %d entries",
                                HZ_LLM_MAX_CAPS);
        (*n)++;
    }
    snprintf(rules[i].prefix, sizeof rules[i].prefix, "%s", prefix);
    rules[i].caps = c;
    return HZ_OK;
}
