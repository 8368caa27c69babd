/* Document helpers shared by the store interface and every store
 * implementation: document checks and the fields a claim sets.  They
 * depend on nothing but cJSON and its shared accessors (net/cjson.h), so
 * the implementations and the interface (store.c) both build on them
 * without depending on each other. */
#include <string.h>

#include "net/cjson.h"
#include "store/store.h"

bool hz__store_container_ok(const char *c)
{
    return c != NULL && (strcmp(c, HZ_STORE_JOBS) == 0 ||
                         strcmp(c, HZ_STORE_DATASETS) == 0 ||
                         strcmp(c, HZ_STORE_RESULTS) == 0 ||
                         strcmp(c, HZ_STORE_CACHE) == 0 ||
                         strcmp(c, HZ_STORE_SCHEDULES) == 0);
}

hz_status hz__store_check_doc(const char *container, const cJSON *doc,
                              const char *pk, hz_error *err)
{
    if (!cJSON_IsObject(doc))
        return hz_error_set(err, HZ_EINVAL,
                            "%s: document is not a JSON object", container);
    const char *id = hz__cjson_str(doc, "id");
    const char *cid = hz__cjson_str(doc, "customerId");
    if (id == NULL || id[0] == '\0')
        return hz_error_set(err, HZ_EINVAL,
                            "%s: document without a string 'id'", container);
    if (cid == NULL || cid[0] == '\0')
        return hz_error_set(err, HZ_EINVAL,
                            "%s/%s: document without a string 'customerId'",
                            container, id);
    if (pk != NULL && strcmp(pk, cid) != 0)
        return hz_error_set(err, HZ_EINVAL,
                            "%s/%s: customerId '%s' is not the batch's "
                            "partition key '%s'",
                            container, id, cid, pk);
    return HZ_OK;
}

void hz__store_mark_claimed(cJSON *doc, const hz_claim_request *req)
{
    const char *status = hz__cjson_str(doc, "status");
    bool takeover = status != NULL && strcmp(status, "running") == 0;
    if (takeover)
        hz__cjson_set_num(doc, "takeovers",
                          hz__cjson_num(doc, "takeovers", 0) + 1);
    else
        hz__cjson_set_num(doc, "attempts",
                          hz__cjson_num(doc, "attempts", 0) + 1);
    hz__cjson_set_str(doc, "status", "running");
    hz__cjson_set_str(doc, "leaseOwner", req->owner);
    hz__cjson_set_num(doc, "leaseExpiry", req->now + req->lease_s);
    hz__cjson_set_num(doc, "startedAt", req->now);
    hz__cjson_set_num(doc, "updatedAt", req->now);
}
