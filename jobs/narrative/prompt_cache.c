/* The prompt cache: narratives by (tenant, key) with a TTL, in memory or
 * in a job store's "cache" container.  See narrative.h. */
#include "narrative/narrative.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct mem_entry {
    char *tenant, *key, *value;
    long tokens;
    long dropped; /* summary items the prompt left out; -1 unknown */
    double expires;
} mem_entry;

struct hz_prompt_cache {
    hz_store *store; /* NULL = memory */
    mem_entry *mem;
    size_t nmem, capmem;
};

hz_prompt_cache *hz_prompt_cache_memory(void)
{
    return calloc(1, sizeof(hz_prompt_cache));
}

hz_prompt_cache *hz_prompt_cache_store(hz_store *store)
{
    hz_prompt_cache *c = calloc(1, sizeof *c);
    if (c != NULL)
        c->store = store;
    return c;
}

void hz_prompt_cache_free(hz_prompt_cache *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->nmem; i++) {
        free(c->mem[i].tenant);
        free(c->mem[i].key);
        free(c->mem[i].value);
    }
    free(c->mem);
    free(c);
}

hz_status hz_prompt_cache_get(hz_prompt_cache *c, const char *tenant,
                              const char *key, double now, char **value,
                              long *tokens, long *dropped, hz_error *err)
{
    *value = NULL;
    *tokens = 0;
    *dropped = -1;
    if (tenant == NULL)
        tenant = "_";
    if (c->store == NULL) {
        for (size_t i = 0; i < c->nmem; i++) {
            mem_entry *e = &c->mem[i];
            if (strcmp(e->key, key) == 0 && strcmp(e->tenant, tenant) == 0) {
                if (e->expires <= now)
                    return HZ_ENOTFOUND;
                *value = strdup(e->value);
                *tokens = e->tokens;
                *dropped = e->dropped;
                return *value ? HZ_OK : HZ_ENOMEM;
            }
        }
        return HZ_ENOTFOUND;
    }
    cJSON *doc = NULL;
    hz_error e2;
    hz_status st = hz_store_get(c->store, HZ_STORE_CACHE, key, tenant, &doc,
                                &e2);
    if (st != HZ_OK) {
        if (st != HZ_ENOTFOUND)
            hz_error_set(err, st, "%s", e2.msg);
        return st;
    }
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, "narrative");
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(doc, "expiresAt");
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(doc, "tokens");
    const cJSON *dr = cJSON_GetObjectItemCaseSensitive(doc, "itemsDropped");
    if (!cJSON_IsString(v) || !cJSON_IsNumber(x) || x->valuedouble <= now) {
        cJSON_Delete(doc);
        /* expired (or foreign): drop it, best effort */
        hz_store_delete(c->store, HZ_STORE_CACHE, key, tenant, NULL, &e2);
        return HZ_ENOTFOUND;
    }
    *value = strdup(v->valuestring);
    *tokens = cJSON_IsNumber(t) ? (long)t->valuedouble : 0;
    *dropped = cJSON_IsNumber(dr) && dr->valuedouble >= 0 &&
                       dr->valuedouble < 1e9
                   ? (long)dr->valuedouble
                   : -1;
    cJSON_Delete(doc);
    return *value ? HZ_OK : HZ_ENOMEM;
}

hz_status hz_prompt_cache_put(hz_prompt_cache *c, const char *tenant,
                              const char *key, const char *model,
                              const char *value, long tokens, long dropped,
                              double ttl_s, double now, hz_error *err)
{
    if (tenant == NULL)
        tenant = "_";
    if (c->store == NULL) {
        for (size_t i = 0; i < c->nmem; i++) {
            mem_entry *e = &c->mem[i];
            if (strcmp(e->key, key) == 0 && strcmp(e->tenant, tenant) == 0) {
                char *nv = strdup(value);
                if (nv == NULL)
                    return hz_error_set(err, HZ_ENOMEM, "out of memory");
                free(e->value);
                e->value = nv;
                e->tokens = tokens;
                e->dropped = dropped;
                e->expires = now + ttl_s;
                return HZ_OK;
            }
        }
        if (c->nmem == c->capmem) {
            size_t cap = c->capmem ? c->capmem * 2 : 64;
            mem_entry *nm = realloc(c->mem, cap * sizeof *nm);
            if (nm == NULL)
                return hz_error_set(err, HZ_ENOMEM, "out of memory");
            c->mem = nm;
            c->capmem = cap;
        }
        mem_entry *e = &c->mem[c->nmem];
        e->tenant = strdup(tenant);
        e->key = strdup(key);
        e->value = strdup(value);
        e->tokens = tokens;
        e->dropped = dropped;
        e->expires = now + ttl_s;
        if (!e->tenant || !e->key || !e->value) {
            free(e->tenant);
            free(e->key);
            free(e->value);
            return hz_error_set(err, HZ_ENOMEM, "out of memory");
        }
        c->nmem++;
        return HZ_OK;
    }
    cJSON *doc = cJSON_CreateObject();
    if (doc == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    cJSON_AddStringToObject(doc, "id", key);
    cJSON_AddStringToObject(doc, "customerId", tenant);
    cJSON_AddStringToObject(doc, "kind", "llm-narrative");
    cJSON_AddStringToObject(doc, "model", model ? model : "");
    cJSON_AddStringToObject(doc, "narrative", value);
    cJSON_AddNumberToObject(doc, "tokens", (double)tokens);
    if (dropped >= 0)
        cJSON_AddNumberToObject(doc, "itemsDropped", (double)dropped);
    cJSON_AddNumberToObject(doc, "createdAt", now);
    cJSON_AddNumberToObject(doc, "expiresAt", now + ttl_s);
    /* Cosmos DB honours a per-item "ttl" (seconds) natively */
    cJSON_AddNumberToObject(doc, "ttl", ceil(ttl_s));
    hz_status st = hz_store_put(c->store, HZ_STORE_CACHE, HZ_PUT_UPSERT, doc,
                                NULL, err);
    cJSON_Delete(doc);
    return st;
}
