/* Summaries as JSON (the "summary" field of a job document) and back.
 * See narrative.h. */
#include "narrative/narrative.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

cJSON *hz_summary_to_json(const hz_summary *s)
{
    cJSON *o = cJSON_CreateObject();
    if (o == NULL)
        return NULL;
    cJSON_AddStringToObject(o, "kind", s->kind);
    cJSON *a = cJSON_AddArrayToObject(o, "items");
    for (size_t i = 0; i < s->n; i++) {
        cJSON *it = cJSON_CreateObject();
        cJSON_AddNumberToObject(it, "i", s->items[i].importance);
        cJSON_AddStringToObject(it, "key", s->items[i].key);
        cJSON_AddStringToObject(it, "text", s->items[i].text);
        cJSON_AddItemToArray(a, it);
    }
    return o;
}

hz_status hz_summary_from_json(const cJSON *j, hz_summary **out, hz_error *err)
{
    *out = NULL;
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(j, "kind");
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(j, "items");
    if (!cJSON_IsArray(items))
        return hz_error_set(err, HZ_EPARSE,
                            "summary: field 'items': expected an array");
    hz_summary *s = hz_summary_new(cJSON_IsString(kind) ? kind->valuestring
                                                        : "");
    if (s == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    const cJSON *it;
    size_t k = 0;
    cJSON_ArrayForEach(it, items)
    {
        const cJSON *imp = cJSON_GetObjectItemCaseSensitive(it, "i");
        const cJSON *key = cJSON_GetObjectItemCaseSensitive(it, "key");
        const cJSON *text = cJSON_GetObjectItemCaseSensitive(it, "text");
        if (!cJSON_IsNumber(imp) || !cJSON_IsString(text)) {
            hz_summary_free(s);
            return hz_error_set(err, HZ_EPARSE,
                                "summary: items[%zu]: expected {\"i\": "
                                "number, \"key\", \"text\": string}",
                                k);
        }
        if (hz_summary_add(s, (int)imp->valuedouble,
                           cJSON_IsString(key) ? key->valuestring : "", "%s",
                           text->valuestring) != HZ_OK) {
            hz_summary_free(s);
            return hz_error_set(err, HZ_ENOMEM, "out of memory");
        }
        k++;
    }
    *out = s;
    return HZ_OK;
}
