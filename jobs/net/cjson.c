/* The shared cJSON accessors (net/cjson.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "net/cjson.h"

const char *hz__cjson_str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

double hz__cjson_num(const cJSON *o, const char *key, double dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

const cJSON *hz__cjson_obj(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsObject(v) || cJSON_IsArray(v) ? v : NULL;
}

cJSON *hz__cjson_num_or_null(double v)
{
    return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

cJSON *hz__cjson_num15_or_null(double v)
{
    if (!isfinite(v))
        return cJSON_CreateNull();
    char buf[32];
    snprintf(buf, sizeof buf, "%.15g", v);
    return cJSON_CreateNumber(strtod(buf, NULL));
}

void hz__cjson_set(cJSON *o, const char *key, cJSON *item)
{
    if (item == NULL)
        return;
    if (cJSON_GetObjectItemCaseSensitive(o, key) != NULL)
        cJSON_ReplaceItemInObjectCaseSensitive(o, key, item);
    else
        cJSON_AddItemToObject(o, key, item);
}

void hz__cjson_set_str(cJSON *o, const char *key, const char *value)
{
    hz__cjson_set(o, key, cJSON_CreateString(value));
}

void hz__cjson_set_num(cJSON *o, const char *key, double value)
{
    hz__cjson_set(o, key, cJSON_CreateNumber(value));
}
