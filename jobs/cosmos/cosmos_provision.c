/* Cosmos DB provisioning: the database and its containers (409 = they
 * exist = success).  See cosmos.h. */
#include "cosmos/cosmos_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static hz_status create_resource(hz_cosmos *c, const char *path,
                                 const char *rtype, const char *link,
                                 const cJSON *doc, long autoscale_max,
                                 bool *created, hz_error *err)
{
    char *body = cJSON_PrintUnformatted(doc);
    if (body == NULL)
        return hz_error_set(err, HZ_ENOMEM, "cosmos: out of memory");
    char as[160] = "";
    if (autoscale_max > 0)
        snprintf(as, sizeof as,
                 "x-ms-cosmos-offer-autopilot-settings: "
                 "{\"maxThroughput\":%ld}",
                 autoscale_max);
    const char *hdrs[] = {as[0] ? as : NULL, NULL};
    hz_cosmos_response r;
    hz_error e2;
    hz_status s = hz_cosmos_request(c, "POST", path, rtype, link, hdrs, body,
                                    strlen(body), &r, &e2);
    free(body);
    if (created)
        *created = s == HZ_OK;
    if (s == HZ_ECONFLICT && r.status == 409)
        s = HZ_OK;
    else if (s != HZ_OK && err)
        *err = e2;
    hz_cosmos_response_free(&r);
    return s;
}

hz_status hz_cosmos_create_database(hz_cosmos *c, long autoscale_max,
                                    bool *created, hz_error *err)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "id", c->cfg.database);
    hz_status s = create_resource(c, "dbs", "dbs", "", d, autoscale_max,
                                  created, err);
    cJSON_Delete(d);
    return s;
}

hz_status hz_cosmos_create_container(hz_cosmos *c, const char *coll,
                                     const char *pk_path,
                                     const cJSON *indexing_policy,
                                     long autoscale_max, bool *created,
                                     hz_error *err)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "id", coll);
    cJSON *pkd = cJSON_AddObjectToObject(d, "partitionKey");
    cJSON *paths = cJSON_AddArrayToObject(pkd, "paths");
    cJSON_AddItemToArray(paths, cJSON_CreateString(pk_path));
    cJSON_AddStringToObject(pkd, "kind", "Hash");
    cJSON_AddNumberToObject(pkd, "version", 2);
    if (indexing_policy)
        cJSON_AddItemToObject(d, "indexingPolicy",
                              cJSON_Duplicate(indexing_policy, 1));
    char path[600], link[600];
    snprintf(path, sizeof path, "dbs/%s/colls", c->cfg.database);
    snprintf(link, sizeof link, "dbs/%s", c->cfg.database);
    hz_status s = create_resource(c, path, "colls", link, d, autoscale_max,
                                  created, err);
    cJSON_Delete(d);
    return s;
}
