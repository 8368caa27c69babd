/* A check of a JSON value against the subset of JSON Schema that Horizon
 * asks models for (structured outputs): "type" (object, array, string,
 * number, integer, boolean, null), "properties", "required",
 * "additionalProperties": false, "items", "minLength", "maxLength" and
 * "enum" of strings.  Other keywords are ignored. */
#ifndef HZ_LLM_JSON_SCHEMA_H
#define HZ_LLM_JSON_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

/* True when value satisfies schema; else false with the first problem in
 * why ("$.job-1: expected a string"). */
bool hz__json_schema_check(const cJSON *schema, const cJSON *value, char *why,
                           size_t whysz);

#endif
