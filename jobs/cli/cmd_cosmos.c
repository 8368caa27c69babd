/* horizon cosmos: provisioning of the Cosmos DB store.
 *
 *   horizon cosmos init [--database DB] [--autoscale-max RU]
 *                       [--endpoint URL] [--cacert FILE]
 *   horizon cosmos check [--database DB]
 *
 * Creates the database and the containers jobs, datasets, results and
 * cache with partition key /customerId and an indexing policy that
 * indexes the queried paths and leaves out large content; idempotent
 * (what exists is kept).  The key comes only from COSMOS_KEY: never from
 * the command line, where other users could read it.  Without a key,
 * requests carry Microsoft Entra ID tokens (jobs/net/entra.h); data-plane
 * roles cannot create databases or containers, so with a token `init`
 * fails with a hint to provision with az or Bicep, and `check` is the
 * command to run. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cosmos/cosmos.h"
#include "store/store.h"

const char hz__cmd_cosmos_summary[] =
    "provision the Cosmos DB store (database, containers, indexes)";

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: horizon cosmos init [--database DB] [--autoscale-max RU]\n"
        "                           [--endpoint URL] [--cacert FILE]\n"
        "       horizon cosmos check [--database DB]\n\n"
        "Create the Cosmos DB database and the containers jobs, datasets,\n"
        "results and cache (partition key /customerId, indexing policy with\n"
        "the queried paths, /content/* and /metadata/* excluded, composite\n"
        "index on (id, customerId)).  Idempotent: existing ones are kept.\n\n"
        "options:\n"
        "  --database DB        database id (default $COSMOS_DATABASE or\n"
        "                       'horizon')\n"
        "  --autoscale-max RU   autoscale max throughput of the database\n"
        "                       (shared by the containers; e.g. 1000);\n"
        "                       default: the account's default (serverless\n"
        "                       accounts must leave it out)\n"
        "  --endpoint URL       default $COSMOS_ENDPOINT\n"
        "  --cacert FILE        trust this PEM certificate (an emulator's);\n"
        "                       default $COSMOS_CA_CERT\n"
        "  -h, --help           this help\n\n"
        "environment: COSMOS_ENDPOINT (required), COSMOS_KEY (base64 master\n"
        "key), COSMOS_DATABASE, COSMOS_CA_CERT, COSMOS_TIMEOUT_S,\n"
        "COSMOS_DEADLINE_S.  Without COSMOS_KEY requests carry Microsoft\n"
        "Entra ID tokens, from (in this order) AZURE_TENANT_ID +\n"
        "AZURE_CLIENT_ID + AZURE_CLIENT_SECRET, AZURE_FEDERATED_TOKEN_FILE\n"
        "(workload identity), IDENTITY_ENDPOINT + IDENTITY_HEADER (managed\n"
        "identity), else the instance metadata service; scope\n"
        "https://ACCOUNT_HOST/.default or AZURE_COSMOS_AAD_SCOPE_OVERRIDE.\n"
        "Tokens cannot create databases or containers (data-plane roles):\n"
        "provision them with az or Bicep, then run `horizon cosmos check`.\n");
}

/* The indexing policy of every container. */
static cJSON *indexing_policy(void)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "indexingMode", "consistent");
    cJSON_AddBoolToObject(p, "automatic", true);
    cJSON *inc = cJSON_AddArrayToObject(p, "includedPaths");
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "path", "/*");
    cJSON_AddItemToArray(inc, o);
    cJSON *exc = cJSON_AddArrayToObject(p, "excludedPaths");
    static const char *const excluded[] = {
        "/content/*", "/metadata/*", "/rows/*",      "/params/*", "/summary/*",
        "/metrics/*", "/profile/*",  "/\"_etag\"/?", NULL};
    for (int i = 0; excluded[i]; i++) {
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "path", excluded[i]);
        cJSON_AddItemToArray(exc, o);
    }
    /* ORDER BY c.id, c.customerId (stable paging) needs this */
    cJSON *comp = cJSON_AddArrayToObject(p, "compositeIndexes");
    cJSON *pair = cJSON_CreateArray();
    static const char *const cols[] = {"/id", "/customerId"};
    for (int i = 0; i < 2; i++) {
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "path", cols[i]);
        cJSON_AddStringToObject(o, "order", "ascending");
        cJSON_AddItemToArray(pair, o);
    }
    cJSON_AddItemToArray(comp, pair);
    return p;
}

static int cmd_init(int argc, char **argv)
{
    static const struct option opts[] = {
        {"database", required_argument, NULL, 'd'},
        {"autoscale-max", required_argument, NULL, 'a'},
        {"endpoint", required_argument, NULL, 'e'},
        {"cacert", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *database = NULL, *endpoint = NULL, *cacert = NULL;
    long autoscale = 0;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'd': database = optarg; break;
        case 'e': endpoint = optarg; break;
        case 'c': cacert = optarg; break;
        case 'a':
            if (!hz_cli_parse_long("cosmos init", "autoscale-max", optarg,
                                   1000, 1000000, &autoscale))
                return HZ_EXIT_USAGE;
            break;
        case 'h': usage(stdout); return HZ_EXIT_OK;
        default: usage(stderr); return HZ_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        hz_cli_error("cosmos init", "unexpected argument '%s'", argv[optind]);
        return HZ_EXIT_USAGE;
    }
    if (endpoint != NULL)
        setenv("COSMOS_ENDPOINT", endpoint, 1);
    hz_cosmos_config cfg;
    hz_error err;
    if (hz_cosmos_config_from_env(&cfg, &err) != HZ_OK) {
        hz_cli_error("cosmos init", "%s", err.msg);
        return HZ_EXIT_USAGE;
    }
    if (database != NULL)
        snprintf(cfg.database, sizeof cfg.database, "%s", database);
    if (cacert != NULL)
        snprintf(cfg.ca_cert, sizeof cfg.ca_cert, "%s", cacert);
    hz_cosmos *c = NULL;
    if (hz_cosmos_open(&cfg, &c, &err) != HZ_OK) {
        hz_cli_error("cosmos init", "%s", err.msg);
        return HZ_EXIT_USAGE;
    }
    int rc = HZ_EXIT_OK;
    bool created = false;
    char how[700];
    hz_cosmos_auth_describe(c, how, sizeof how);
    printf("authorization: %s\n", how);
    if (hz_cosmos_create_database(c, autoscale, &created, &err) != HZ_OK) {
        hz_cli_error("cosmos init", "database '%s': %s", cfg.database,
                     err.msg);
        rc = HZ_EXIT_FAIL;
        goto out;
    }
    printf("database %-10s %s\n", cfg.database,
           created ? "created" : "exists");
    static const char *const colls[] = {HZ_STORE_JOBS, HZ_STORE_DATASETS,
                                        HZ_STORE_RESULTS, HZ_STORE_CACHE,
                                        NULL};
    cJSON *policy = indexing_policy();
    for (int i = 0; colls[i]; i++) {
        if (hz_cosmos_create_container(c, colls[i], "/customerId", policy, 0,
                                       &created, &err) != HZ_OK) {
            hz_cli_error("cosmos init", "container '%s': %s", colls[i],
                         err.msg);
            rc = HZ_EXIT_FAIL;
            break;
        }
        printf("container %-9s %s (partition key /customerId)\n", colls[i],
               created ? "created" : "exists");
    }
    cJSON_Delete(policy);
    hz_cosmos_stats st;
    hz_cosmos_get_stats(c, &st);
    printf("request charge: %.2f RU\n", st.charge);
out:
    hz_cosmos_close(c);
    return rc;
}

/* horizon cosmos check: open the store as `--store cosmos` does and run
 * one query per container, to check configuration and provisioning. */
static int cmd_check(int argc, char **argv)
{
    static const struct option opts[] = {
        {"database", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *database = NULL;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'd': database = optarg; break;
        case 'h':
            printf("usage: horizon cosmos check [--database DB]\n\n"
                   "Open the Cosmos DB store from COSMOS_* and query each "
                   "container once.\n");
            return HZ_EXIT_OK;
        default: return HZ_EXIT_USAGE;
        }
    }
    char spec[300];
    snprintf(spec, sizeof spec, "cosmos%s%s", database ? ":" : "",
             database ? database : "");
    hz_store *s = NULL;
    hz_error err;
    if (hz_store_cosmos_open(spec, &s, &err) != HZ_OK) {
        hz_cli_error("cosmos check", "%s", err.msg);
        return HZ_EXIT_USAGE;
    }
    int rc = HZ_EXIT_OK;
    static const char *const colls[] = {HZ_STORE_JOBS, HZ_STORE_DATASETS,
                                        HZ_STORE_RESULTS, HZ_STORE_CACHE,
                                        NULL};
    for (int i = 0; colls[i]; i++) {
        hz_query q = {.container = colls[i]};
        cJSON *page = NULL;
        char *next = NULL;
        if (hz_store_query(s, &q, 1, NULL, &page, &next, &err) != HZ_OK) {
            hz_cli_error("cosmos check", "container '%s': %s", colls[i],
                         err.msg);
            rc = HZ_EXIT_FAIL;
        } else {
            printf("container %-9s ok (%s)\n", colls[i],
                   cJSON_GetArraySize(page) ? "has documents" : "empty");
        }
        cJSON_Delete(page);
        free(next);
    }
    printf("request charge: %.2f RU\n", hz__store_cosmos_charge(s));
    hz_store_close(s);
    return rc;
}

int hz__cmd_cosmos(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return HZ_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return HZ_EXIT_OK;
    }
    if (strcmp(argv[1], "init") == 0)
        return cmd_init(argc - 1, argv + 1);
    if (strcmp(argv[1], "check") == 0)
        return cmd_check(argc - 1, argv + 1);
    hz_cli_error("cosmos", "unknown subcommand '%s' (expected init or check)",
                 argv[1]);
    usage(stderr);
    return HZ_EXIT_USAGE;
}
