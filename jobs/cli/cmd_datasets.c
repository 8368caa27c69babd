/* horizon datasets add|list: dataset metadata documents of a tenant. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli_jobs.h"
#include "net/fetch.h"
#include "net/url.h"
#include "horizon/csv.h"
#include "horizon/dataset.h"
#include "horizon/outfile.h"
#include "store/job.h"
#include "store/store.h"

const char hz__cmd_datasets_summary[] = "register datasets of a tenant, "
                                        "list them";

static void usage(FILE *f)
{
    fprintf(f,
            "usage: horizon datasets add --tenant ID [--name NAME] [--id ID]\n"
            "                            [--no-profile] (PATH|URL | --url-file "
            "FILE)\n"
            "       horizon datasets list [--tenant ID] [--json]\n"
            "common: [--store SPEC] (default $HORIZON_STORE, else "
            "sqlite:horizon.db)\n\n"
            "add   checks the dataset against the sandbox (a local file "
            "must lie\n"
            "      in $HZ_DATASET_ROOTS, a URL's host be in "
            "$HZ_DATASET_HOSTS)\n"
            "      and stores a dataset document (id, tenant, name, uri, size "
            "and a\n"
            "      schema profile: rows, and each column's name, type and "
            "nulls,\n"
            "      read with the CSV reader; a URL is downloaded for that).\n"
            "      Jobs then refer to it with \"datasetId\" (horizon submit\n"
            "      --dataset-id).  Prints the dataset id.  --no-profile\n"
            "      stores no schema profile (list shows '-' rows).\n"
            "      --url-file FILE reads the URL (or path) from the first line\n"
            "      of FILE, - for standard input: a signed URL given as an\n"
            "      argument is seen by every local user (ps).\n"
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

/* The profile of a dataset read inside the sandbox: a URL downloaded, a
 * local file opened and read through its descriptor.  Messages name the
 * dataset as given. */
static int profile_dataset(const hz_sandbox *sb, const char *tenant,
                           const char *uri, hz_dataset_meta *m)
{
    hz_error err;
    char tmp[4096] = "", path[4200], real[4096];
    int fd = -1, code = HZ_EXIT_OK;
    hz_status rc;
    if (hz_sandbox_is_url(uri)) {
        rc = hz_fetch_url(sb, uri, NULL, 2LL << 30, 300, tmp, sizeof tmp,
                          &m->size, &err);
        snprintf(path, sizeof path, "%s", tmp);
    } else {
        rc = hz_sandbox_open_path(sb, tenant, uri, &fd, real, sizeof real,
                                  &err);
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    if (rc != HZ_OK) {
        hz_cli_error("datasets", "%s", err.msg);
        return rc == HZ_EINVAL ? HZ_EXIT_USAGE : HZ_EXIT_NOINPUT;
    }
    m->profile = profile_of(path, &err);
    if (m->profile == NULL) {
        /* the reader names the descriptor: name the dataset instead */
        char *at = strstr(err.msg, path);
        char shown[HZ_JOB_URI_MAX];
        if (hz_sandbox_is_url(uri))
            hz_url_redact(uri, shown, sizeof shown);
        else
            snprintf(shown, sizeof shown, "%s", uri);
        hz_cli_error("datasets", "%s%s", shown,
                     at ? at + strlen(path) : ": could not be read");
        code = HZ_EXIT_FAIL;
    }
    if (fd >= 0)
        close(fd);
    if (tmp[0])
        unlink(tmp);
    return code;
}

static int cmd_add(hz_store *s, const hz_sandbox *sb, const char *tenant,
                   const char *name, const char *id, bool profile,
                   const char *uri)
{
    hz_dataset_meta m;
    hz_dataset_meta_init(&m);
    if (id != NULL)
        snprintf(m.id, sizeof m.id, "%s", id);
    else
        hz_job_new_id("d", m.id);
    snprintf(m.customer_id, sizeof m.customer_id, "%s", tenant);
    /* the default name is the file name, of a URL without its query
       string (a signed URL's token is not a name) */
    char shown[HZ_JOB_URI_MAX];
    if (hz_sandbox_is_url(uri) && hz_url_redact(uri, shown, sizeof shown))
        shown[strcspn(shown, "?")] = '\0';
    else
        snprintf(shown, sizeof shown, "%s", uri);
    const char *base = strrchr(shown, '/');
    const char *nm = name ? name : base && base[1] ? base + 1 : shown;
    snprintf(m.name, sizeof m.name, "%.*s",
             (int)hz_utf8_cut(nm, sizeof m.name - 1), nm);
    m.created_at = hz_wall_now();
    /* an absolute, real path inside the roots (any runner's cwd works),
     * or a URL on the allow-list */
    int code = hz_cli_resolve_dataset("datasets", NULL, sb, tenant, uri, m.uri,
                                      sizeof m.uri);
    if (code == HZ_EXIT_OK && !hz_sandbox_is_url(m.uri)) {
        struct stat sb2;
        if (stat(m.uri, &sb2) == 0)
            m.size = (long long)sb2.st_size;
    }
    if (code == HZ_EXIT_OK && profile)
        code = profile_dataset(sb, tenant, m.uri, &m);
    if (code == HZ_EXIT_OK) {
        hz_error err;
        cJSON *doc = hz_dataset_meta_to_json(&m);
        hz_status rc = hz_store_put(s, HZ_STORE_DATASETS, HZ_PUT_CREATE, doc,
                                    NULL, &err);
        if (rc != HZ_OK) {
            hz_cli_error("datasets", "%s", err.msg);
            code = hz_cli_store_exit(rc);
        } else {
            printf("%s\n", m.id);
        }
        cJSON_Delete(doc);
    }
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
        hz_status rc = hz_store_query(s, &q, 500, token, &page, &next, &err);
        if (rc != HZ_OK) {
            free(token);
            hz_cli_error("datasets", "%s", err.msg);
            return hz_cli_store_exit(rc);
        }
        free(token);
        token = next;
        cJSON *d;
        cJSON_ArrayForEach(d, page)
        {
            hz_cli_redact_url_field(d, "uri");
            if (json) {
                char *t = cJSON_PrintUnformatted(d);
                hz_cli_json_utf8_notice("datasets", hz_cli_put_json("datasets", t));
                cJSON_free(t);
                continue;
            }
            hz_dataset_meta m;
            if (hz_dataset_meta_from_json(d, &m, &err) != HZ_OK) {
                fprintf(stderr, "horizon datasets: skipping %s\n", err.msg);
                continue;
            }
            /* a dataset added with --no-profile has no row count: '-' */
            const cJSON *rows = cJSON_GetObjectItem(m.profile, "rows");
            char nrows[32] = "-";
            if (cJSON_IsNumber(rows))
                snprintf(nrows, sizeof nrows, "%.0f", rows->valuedouble);
            /* names and URIs as text, never as terminal controls; the
             * name cut between characters */
            char *id = hz_cli_term_dup(m.id),
                 *cu = hz_cli_term_dup(m.customer_id),
                 *uri = hz_cli_term_dup(m.uri), name[4 * 24 + 1];
            printf("%-30s %-14s %s %12lld %9s  %s\n", id ? id : "?",
                   cu ? cu : "?",
                   hz_cli_cell(m.name, 24, true, name, sizeof name), m.size,
                   nrows, uri ? uri : "?");
            free(id);
            free(cu);
            free(uri);
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
                                         {"url-file", required_argument, 0,
                                          'u'},
                                         {"json", no_argument, 0, 'j'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *store = NULL;
    const char *tenant = NULL, *name = NULL, *id = NULL, *url_file = NULL;
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
        case 'u': url_file = optarg; break;
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
    tenant = hz_cli_tenant(tenant);
    if (strcmp(sub, "add") == 0) {
        if (tenant == NULL || optind + (url_file ? 1 : 2) != argc) {
            hz_cli_error("datasets", "add needs --tenant and one PATH or "
                                     "URL, or --url-file FILE");
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
    bool add = strcmp(sub, "add") == 0;
    char from_file[HZ_JOB_URI_MAX];
    const char *uri = add && url_file == NULL ? argv[optind + 1] : from_file;
    if (add && url_file != NULL) {
        int rc = hz_cli_read_url_file("datasets", url_file, from_file,
                                      sizeof from_file);
        if (rc != HZ_EXIT_OK)
            return rc;
    }
    hz_sandbox sb;
    hz_sandbox_init(&sb);
    hz_store *s = NULL;
    int code = add ? hz_cli_sandbox("datasets", &sb) : HZ_EXIT_OK;
    if (code == HZ_EXIT_OK)
        code = hz_cli_store_open("datasets", hz_cli_store_spec(store),
                                 add ? 0 : HZ_STORE_READONLY, &s);
    if (code == HZ_EXIT_OK)
        code = add ? cmd_add(s, &sb, tenant, name, id, profile, uri)
                   : cmd_list(s, tenant, json);
    hz_sandbox_free(&sb);
    hz_store_close(s);
    return code;
}
