/* What a model accepts, by model family: a small built-in table (longest
 * prefix of the model or Azure deployment name) that the settings file can
 * extend or override ([capabilities] NAME_PREFIX = flags).
 *
 * Reasoning models (o1, o3, o4-mini, the gpt-5 family) reject temperature
 * (and top_p) and count their hidden reasoning in max_completion_tokens;
 * o1-mini and o1-preview also reject system messages and structured
 * outputs.  Older chat models take a JSON object reply but not a JSON
 * schema.  An unknown name (a local model, a deployment named freely)
 * gets the current chat defaults: temperature, max_completion_tokens,
 * JSON schema, system messages.
 *
 * Flags (comma or space separated; later ones win): "reasoning" or "chat"
 * (the starting set), "temperature" / "no_temperature", "max_tokens"
 * (send the legacy field instead of max_completion_tokens) /
 * "max_completion_tokens", "json_schema" / "json_object" / "no_json",
 * "system" / "no_system". */
#ifndef HZ_LLM_CAPS_H
#define HZ_LLM_CAPS_H

#include <stdbool.h>
#include <stddef.h>

#include "horizon/common.h"

typedef enum hz_llm_json_mode {
    HZ_LLM_JSON_NONE = 0,   /* no response_format: the prompt asks */
    HZ_LLM_JSON_OBJECT = 1, /* {"type": "json_object"} */
    HZ_LLM_JSON_SCHEMA = 2  /* {"type": "json_schema", strict} */
} hz_llm_json_mode;

typedef struct hz_llm_caps {
    bool reasoning;   /* reasoning_effort; budget includes reasoning */
    bool temperature; /* accepts temperature */
    bool max_tokens;  /* wants the legacy max_tokens field */
    hz_llm_json_mode json;
    bool system; /* accepts system messages */
} hz_llm_caps;

#define HZ_LLM_MAX_CAPS 16

typedef struct hz_llm_cap_rule {
    char prefix[64]; /* model/deployment name prefix (case-insensitive) */
    hz_llm_caps caps;
} hz_llm_cap_rule;

/* The capabilities of model: the longest matching prefix among rules
 * (the settings' overrides, which win on equal length) and the built-in
 * table, else the chat defaults. */
hz_llm_caps hz_llm_caps_for(const char *model, const hz_llm_cap_rule *rules,
                            size_t nrules);

/* Parse flags into *caps.  HZ_EINVAL naming the flag when unknown. */
hz_status hz_llm_caps_parse(const char *flags, hz_llm_caps *caps,
                            hz_error *err);

/* Add or replace the rule for prefix in rules[0..*n) (at most
 * HZ_LLM_MAX_CAPS). */
hz_status hz_llm_caps_set(hz_llm_cap_rule *rules, size_t *n,
                          const char *prefix, const char *flags,
                          hz_error *err);

#endif
