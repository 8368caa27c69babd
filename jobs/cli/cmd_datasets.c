/* horizon datasets add|list: dataset metadata documents of a tenant. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "runner/exec.h"
#include "horizon/csv.h"
#include "horizon/dataset.h"
#include "store/job.h"
#include "store/store.h"

const char hz__cmd_datasets_summary[] = "register datasets of a tenant, "
                                        "list them";

static void usage(FILE *f)
{
    fprintf(f,
            "usage: horizon datasets add --tenant ID [--name NAME] [--id ID]\n"
            "                            [--no-profile] PATH|URL\n"
            "       horizon datasets list [--tenant ID] [--json]\n"
            "common: [--store SPEC] (default $HORIZON_STORE, else "
            "sqlite:horizon.db)\n\n"
            "add   stores a dataset document (id, tenant, name, uri, size and "
            "a\n"
            "      schema profile: rows, and each column's name, type and "
            "nulls,\n"
            "      read with the CSV reader; a URL is downloaded for that).\n"
            "      Jobs then refer to it with \"datasetId\" (horizon submit\n"
            "      --dataset-id).  Prints the dataset id.\n"
            "list  the tenant's datasets (every tenant without --tenant)\n");
}

static cJSON *profile_of(const char *path, hz_error *err)
{
    hz_csv_options o;
    hz_csv_options_init(&o);
    hz_dataset *ds = NULL;
    hz_csv_report rep;
    if (hz_csv_read(path, &o, &ds, &rep, err) != HZ_OK)
        return NULL;
    cJSON *p = cJSON_CreateObject();
    cJSON_AddNumberToObject(p, "rows", (double)ds->nrows);
    cJSON *cols = cJSON_AddArrayToObject(p, "columns");
    for (size_t i = 0; i < ds->ncols; i++) {
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "name", ds->cols[i].name);
        cJSON_AddStringToObject(c, "type", hz_type_name(ds->cols[i].type));
        cJSON_AddNumberToObject(c, "nulls", (double)ds->cols[i].nulls);
        cJSON_AddItemToArray(cols, c);
    }
    hz_dataset_free(ds);
    return p;
}

static int cmd_add(hz_store *s, const char *tenant, const char *name,
                   const char *id, bool profile, const char *uri)
{
    hz_error err;
    hz_dataset_meta m;
    hz_dataset_meta_init(&m);
    if (id != NULL)
        snprintf(m.id, sizeof m.id, "%s", id);
    else
        hz_job_new_id("d", m.id);
    snprintf(m.customer_id, sizeof m.customer_id, "%s", tenant);
    const char *base = strrchr(uri, '/');
    snprintf(m.name, sizeof m.name, "%s", name ? name : base ? base + 1 : uri);
    m.created_at = hz_wall_now();
    bool is_url = strncmp(uri, "http://", 7) == 0 ||
                  strncmp(uri, "https://", 8) == 0;
    char tmp[4096] = "";
    const char *local = uri;
    int code = HZ_EXIT_OK;
    if (!is_url) {
        /* store an absolute path so that any runner's cwd works */
        char *abs = realpath(uri, NULL);
        if (abs == NULL) {
            hz_cli_error("datasets", "%s: no such file", uri);
            return HZ_EXIT_NOINPUT;
        }
        snprintf(m.uri, sizeof m.uri, "%s", abs);
        free(abs);
        struct stat sb;
        if (stat(m.uri, &sb) == 0)
            m.size = (long long)sb.st_size;
        local = m.uri;
    } else {
        snprintf(m.uri, sizeof m.uri, "%s", uri);
        if (profile) {
            long long bytes = -1;
            if (hz_fetch_url(uri, NULL, 2LL << 30, 300, tmp, sizeof tmp,
                             &bytes, &err) != HZ_OK) {
                hz_cli_error("datasets", "%s", err.msg);
                return HZ_EXIT_NOINPUT;
            }
            m.size = bytes;
            local = tmp;
        }
    }
    if (profile) {
        m.profile = profile_of(local, &err);
        if (m.profile == NULL) {
            hz_cli_error("datasets", "%s", err.msg);
            code = HZ_EXIT_FAIL;
            goto out;
        }
    }
    cJSON *doc = hz_dataset_meta_to_json(&m);
    if (hz_store_put(s, HZ_STORE_DATASETS, HZ_PUT_CREATE, doc, NULL, &err) !=
        HZ_OK) {
        hz_cli_error("datasets", "%s", err.msg);
        code = HZ_EXIT_FAIL;
    } else {
        printf("%s\n", m.id);
    }
    cJSON_Delete(doc);
out:
    if (tmp[0])
        unlink(tmp);
    hz_dataset_meta_clear(&m);
    return code;
}

static int cmd_list(hz_store *s, const char *tenant, bool json)
{
    hz_query q = {.container = HZ_STORE_DATASETS, .customer_id = tenant};
    hz_error err;
    char *token = NULL;
    if (!json)
        printf("%-30s %-14s %-24s %12s %9s  %s\n", "ID", "TENANT", "NAME",
               "BYTES", "ROWS", "URI");
    do {
        cJSON *page = NULL;
        char *next = NULL;
        if (hz_store_query(s, &q, 500, token, &page, &next, &err) != HZ_OK) {
            free(token);
            hz_cli_error("datasets", "%s", err.msg);
            return HZ_EXIT_FAIL;
        }
        free(token);
        token = next;
        cJSON *d;
        cJSON_ArrayForEach(d, page)
        {
            if (json) {
                char *t = cJSON_PrintUnformatted(d);
                puts(t);
                cJSON_free(t);
                continue;
            }
            hz_dataset_meta m;
            if (hz_dataset_meta_from_json(d, &m, &err) != HZ_OK) {
                fprintf(stderr, "horizon datasets: skipping %s\n", err.msg);
                continue;
            }
            const cJSON *rows = cJSON_GetObjectItem(m.profile, "rows");
            printf("%-30s %-14s %-24.24s %12lld %9.0f  %s\n", m.id,
                   m.customer_id, m.name, m.size,
                   cJSON_IsNumber(rows) ? rows->valuedouble : NAN, m.uri);
            hz_dataset_meta_clear(&m);
        }
        cJSON_Delete(page);
    } while (token != NULL);
    return HZ_EXIT_OK;
}

int hz__cmd_datasets(int argc, char **argv)
{
    static const struct option opts[] = {{"store", required_argument, 0, 's'},
                                         {"tenant", required_argument, 0, 'n'},
                                         {"name", required_argument, 0, 'N'},
                                         {"id", required_argument, 0, 'i'},
                                         {"no-profile", no_argument, 0, 'P'},
                                         {"json", no_argument, 0, 'j'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *store = getenv("HORIZON_STORE");
    const char *tenant = NULL, *name = NULL, *id = NULL;
    bool profile = true, json = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 's': store = optarg; break;
        case 'n': tenant = optarg; break;
        case 'N': name = optarg; break;
        case 'i': id = optarg; break;
        case 'P': profile = false; break;
        case 'j': json = true; break;
        case 'h': usage(stdout); return HZ_EXIT_OK;
        default: usage(stderr); return HZ_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return HZ_EXIT_USAGE;
    }
    const char *sub = argv[optind];
    if (strcmp(sub, "add") == 0) {
        if (tenant == NULL || optind + 2 != argc) {
            hz_cli_error("datasets", "add needs --tenant and one PATH or "
                                     "URL");
            return HZ_EXIT_USAGE;
        }
        if (!hz_job_id_ok(tenant) || (id != NULL && !hz_job_id_ok(id))) {
            hz_cli_error("datasets", "--tenant/--id: expected 1-127 of "
                                     "A-Z a-z 0-9 . _ : -");
            return HZ_EXIT_USAGE;
        }
    } else if (strcmp(sub, "list") == 0) {
        if (optind + 1 != argc) {
            hz_cli_error("datasets", "unexpected argument '%s'",
                         argv[optind + 1]);
            return HZ_EXIT_USAGE;
        }
    } else {
        hz_cli_error("datasets",
                     "unknown subcommand '%s' (expected add, "
                     "list)",
                     sub);
        return HZ_EXIT_USAGE;
    }
    hz_store *s = NULL;
    hz_error err;
    if (hz_store_open(store ? store : "sqlite:horizon.db", &s, &err) !=
        HZ_OK) {
        hz_cli_error("datasets", "%s", err.msg);
        return HZ_EXIT_FAIL;
    }
    int code = strcmp(sub, "add") == 0
                   ? cmd_add(s, tenant, name, id, profile, argv[optind + 1])
                   : cmd_list(s, tenant, json);
    hz_store_close(s);
    return code;
}
