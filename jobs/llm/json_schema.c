/* JSON Schema subset check.  See json_schema.h. */
#include "llm/json_schema.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static bool type_is(const cJSON *v, const char *t)
{
    if (strcmp(t, "object") == 0)
        return cJSON_IsObject(v);
    if (strcmp(t, "array") == 0)
        return cJSON_IsArray(v);
    if (strcmp(t, "string") == 0)
        return cJSON_IsString(v);
    if (strcmp(t, "number") == 0)
        return cJSON_IsNumber(v);
    if (strcmp(t, "integer") == 0)
        return cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble);
    if (strcmp(t, "boolean") == 0)
        return cJSON_IsBool(v);
    if (strcmp(t, "null") == 0)
        return cJSON_IsNull(v);
    return true; /* unknown type names are not ours to refuse */
}

static bool check_at(const cJSON *schema, const cJSON *v, const char *path,
                     char *why, size_t n);

static bool fail(char *why, size_t n, const char *path, const char *what)
{
    snprintf(why, n, "%s: %s", path, what);
    return false;
}

/* Characters (UTF-8 code points) of s. */
static size_t utf8_len(const char *s)
{
    size_t k = 0;
    for (; *s; s++)
        k += ((unsigned char)*s & 0xC0) != 0x80;
    return k;
}

static bool check_string(const cJSON *schema, const cJSON *v, const char *path,
                         char *why, size_t n)
{
    const cJSON *mn = cJSON_GetObjectItemCaseSensitive(schema, "minLength");
    const cJSON *mx = cJSON_GetObjectItemCaseSensitive(schema, "maxLength");
    const cJSON *en = cJSON_GetObjectItemCaseSensitive(schema, "enum");
    size_t len = utf8_len(v->valuestring);
    if (cJSON_IsNumber(mn) && (double)len < mn->valuedouble)
        return fail(why, n, path, "string shorter than minLength");
    if (cJSON_IsNumber(mx) && (double)len > mx->valuedouble)
        return fail(why, n, path, "string longer than maxLength");
    if (cJSON_IsArray(en)) {
        const cJSON *e;
        cJSON_ArrayForEach(e, en)
        {
            if (cJSON_IsString(e) &&
                strcmp(e->valuestring, v->valuestring) == 0)
                return true;
        }
        return fail(why, n, path, "value not in enum");
    }
    return true;
}

/* Recursion follows the nesting of the schema (Horizon's own schemas, a
 * few levels deep): NOLINTNEXTLINE(misc-no-recursion) */
static bool check_object(const cJSON *schema, const cJSON *v, const char *path,
                         char *why, size_t n)
{
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(schema,
                                                          "properties");
    const cJSON *req = cJSON_GetObjectItemCaseSensitive(schema, "required");
    const cJSON *add = cJSON_GetObjectItemCaseSensitive(
        schema, "additionalProperties");
    char sub[300];
    const cJSON *r;
    cJSON_ArrayForEach(r, req)
    {
        if (cJSON_IsString(r) &&
            cJSON_GetObjectItemCaseSensitive(v, r->valuestring) == NULL) {
            snprintf(sub, sizeof sub, "missing required property '%.120s'",
                     r->valuestring);
            return fail(why, n, path, sub);
        }
    }
    const cJSON *m;
    cJSON_ArrayForEach(m, v)
    {
        const cJSON *ps = cJSON_GetObjectItemCaseSensitive(props, m->string);
        snprintf(sub, sizeof sub, "%.120s.%.120s", path, m->string);
        if (ps == NULL && cJSON_IsFalse(add))
            return fail(why, n, sub, "property not allowed");
        if (ps != NULL && !check_at(ps, m, sub, why, n))
            return false;
    }
    return true;
}

/* As check_object: NOLINTNEXTLINE(misc-no-recursion) */
static bool check_at(const cJSON *schema, const cJSON *v, const char *path,
                     char *why, size_t n)
{
    if (!cJSON_IsObject(schema))
        return true;
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(schema, "type");
    if (cJSON_IsString(t) && !type_is(v, t->valuestring)) {
        char what[64];
        snprintf(what, sizeof what, "expected %s %.20s",
                 t->valuestring[0] == 'a' || t->valuestring[0] == 'o' ||
                         t->valuestring[0] == 'i'
                     ? "an"
                     : "a",
                 t->valuestring);
        return fail(why, n, path, what);
    }
    if (cJSON_IsString(v))
        return check_string(schema, v, path, why, n);
    if (cJSON_IsObject(v))
        return check_object(schema, v, path, why, n);
    if (cJSON_IsArray(v)) {
        const cJSON *items = cJSON_GetObjectItemCaseSensitive(schema, "items");
        const cJSON *it;
        int i = 0;
        char sub[300];
        cJSON_ArrayForEach(it, v)
        {
            snprintf(sub, sizeof sub, "%.200s[%d]", path, i++);
            if (!check_at(items, it, sub, why, n))
                return false;
        }
    }
    return true;
}

bool hz__json_schema_check(const cJSON *schema, const cJSON *value, char *why,
                           size_t whysz)
{
    if (whysz > 0)
        why[0] = '\0';
    if (value == NULL)
        return fail(why, whysz, "$", "not JSON");
    return check_at(schema, value, "$", why, whysz);
}
