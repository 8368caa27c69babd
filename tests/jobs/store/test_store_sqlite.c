/* The SQLite store: the store conformance suite, plus what is specific to
 * SQLite (schema migration, WAL, several processes on one file). */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hz_test.h"
#include "store/job.h"
#include "store/store.h"
/* the one conformance suite, compiled into each store's test */
#include "store_conformance.c" // NOLINT(bugprone-suspicious-include)

static char db_path[1024];

static void fresh_db(const char *name)
{
    snprintf(db_path, sizeof db_path, "%s/%s", hz_test_tmpdir(), name);
    unlink(db_path);
    char aux[1100];
    snprintf(aux, sizeof aux, "%s-wal", db_path);
    unlink(aux);
    snprintf(aux, sizeof aux, "%s-shm", db_path);
    unlink(aux);
}

static hz_store *open_db(void *ctx)
{
    hz_store *s = NULL;
    hz_error err;
    if (hz_store_sqlite_open(db_path, &s, &err) != HZ_OK) {
        fprintf(stderr, "open %s: %s\n", db_path, err.msg);
        return NULL;
    }
    return s;
}

HZ_TEST(sqlite_conformance)
{
    fresh_db("conformance.db");
    hz_store *s = open_db(NULL);
    HZ_CHECK(s != NULL);
    HZ_CHECK_STR(hz_store_name(s), "sqlite");
    hz__store_conformance(s, open_db, NULL);
    /* twice on the same store: the suite must not depend on emptiness */
    hz__store_conformance(s, open_db, NULL);
    HZ_CHECK(s->nops > 0 && s->busy_s > 0);
    hz_store_close(s);
}

HZ_TEST(sqlite_open_by_spec)
{
    fresh_db("spec.db");
    char spec[1100];
    snprintf(spec, sizeof spec, "sqlite:%s", db_path);
    hz_store *s = NULL;
    hz_error err;
    HZ_CHECK(hz_store_open(spec, &s, &err) == HZ_OK);
    hz_store_close(s);
    HZ_CHECK(hz_store_open(db_path, &s, &err) == HZ_OK);
    hz_store_close(s);
    HZ_CHECK(hz_store_open("mongo:x", &s, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "unknown store 'mongo:x'");
    HZ_CHECK(s == NULL);
    /* a directory that does not exist is the spec's mistake (exit 2),
     * not a store that is down (75) */
    HZ_CHECK(hz_store_open("sqlite:/nonexistent-dir/x/y.db", &s, &err) ==
             HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "/nonexistent-dir/x/y.db");
    HZ_CHECK_CONTAINS(err.msg, "the directory /nonexistent-dir/x does not "
                               "exist");
    HZ_CHECK(hz_store_open_flags("sqlite:/nonexistent-dir/x/y.db",
                                 HZ_STORE_READONLY, &s, &err) == HZ_EINVAL);
}

HZ_TEST(sqlite_schema_versions)
{
    fresh_db("schema.db");
    hz_store *s = open_db(NULL);
    HZ_CHECK(s != NULL);
    hz_store_close(s);
    sqlite3 *db = NULL;
    HZ_CHECK(sqlite3_open(db_path, &db) == SQLITE_OK);
    sqlite3_stmt *q = NULL;
    HZ_CHECK(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &q, NULL) ==
             SQLITE_OK);
    HZ_CHECK(sqlite3_step(q) == SQLITE_ROW);
    int v = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    HZ_CHECK(v == 2);
    HZ_CHECK(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &q, NULL) ==
             SQLITE_OK);
    HZ_CHECK(sqlite3_step(q) == SQLITE_ROW);
    HZ_CHECK_STR((const char *)sqlite3_column_text(q, 0), "wal");
    sqlite3_finalize(q);
    /* a file from the first schema version is migrated on open */
    HZ_CHECK(sqlite3_exec(db,
                          "DROP INDEX docs_claim; DROP INDEX docs_job; "
                          "PRAGMA user_version = 1",
                          NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
    s = open_db(NULL);
    HZ_CHECK(s != NULL);
    hz_store_close(s);
    HZ_CHECK(sqlite3_open(db_path, &db) == SQLITE_OK);
    HZ_CHECK(sqlite3_prepare_v2(db,
                                "SELECT count(*) FROM sqlite_master "
                                "WHERE name IN ('docs_claim', 'docs_job')",
                                -1, &q, NULL) == SQLITE_OK);
    HZ_CHECK(sqlite3_step(q) == SQLITE_ROW);
    HZ_CHECK(sqlite3_column_int(q, 0) == 2);
    sqlite3_finalize(q);
    /* a file from a newer build is refused with a clear message */
    HZ_CHECK(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL) ==
             SQLITE_OK);
    sqlite3_close(db);
    hz_error err;
    HZ_CHECK(hz_store_sqlite_open(db_path, &s, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "schema version 99 is newer");
}

/* Several processes claim from one file: every job exactly once. */
HZ_TEST(sqlite_multiprocess_claims)
{
    fresh_db("multi.db");
    hz_store *s = open_db(NULL);
    HZ_CHECK(s != NULL);
    hz_error err;
    enum { NJOBS = 200, NPROC = 3 };
    double now = hz_wall_now();
    for (int i = 0; i < NJOBS; i++) {
        char id[32];
        snprintf(id, sizeof id, "mp-%04d", i);
        cJSON *j = conf_job(id, "mp", now + i * 1e-3);
        HZ_CHECK(hz_store_put(s, HZ_STORE_JOBS, HZ_PUT_CREATE, j, NULL,
                              &err) == HZ_OK);
        cJSON_Delete(j);
    }
    char out[NPROC][1100];
    pid_t pids[NPROC];
    for (int p = 0; p < NPROC; p++) {
        snprintf(out[p], sizeof out[p], "%s/claims-%d.txt", hz_test_tmpdir(),
                 p);
        pids[p] = fork();
        HZ_CHECK(pids[p] >= 0);
        if (pids[p] == 0) {
            hz_store *cs = open_db(NULL);
            FILE *f = fopen(out[p], "w");
            if (cs == NULL || f == NULL)
                _exit(2);
            char owner[16];
            snprintf(owner, sizeof owner, "p%d", p);
            for (;;) {
                hz_claim_request rq = {.owner = owner,
                                       .now = hz_wall_now(),
                                       .lease_s = 600,
                                       .max_jobs = 3};
                cJSON *got = NULL;
                hz_error e2;
                if (hz_store_claim(cs, &rq, &got, &e2) != HZ_OK)
                    _exit(3);
                int n = cJSON_GetArraySize(got);
                cJSON *j;
                cJSON_ArrayForEach(j, got)
                {
                    /* finish it, conditional on the claim's etag */
                    char etag[HZ_ETAG_MAX];
                    snprintf(etag, sizeof etag, "%s", conf_str(j, "_etag"));
                    cJSON_ReplaceItemInObject(j, "status",
                                              cJSON_CreateString("succeeded"));
                    if (hz_store_finish(cs, j, etag, NULL, 0, &e2) != HZ_OK)
                        _exit(4);
                    const char *jid = conf_str(j, "id");
                    fprintf(f, "%s\n", jid ? jid : "?");
                }
                cJSON_Delete(got);
                if (n == 0)
                    break;
            }
            fclose(f);
            hz_store_close(cs);
            _exit(0);
        }
    }
    for (int p = 0; p < NPROC; p++) {
        int st = 0;
        waitpid(pids[p], &st, 0);
        HZ_CHECK_MSG(WIFEXITED(st) && WEXITSTATUS(st) == 0,
                     "claimer %d exited with %d", p, WEXITSTATUS(st));
    }
    static char ids[NJOBS * 2][32];
    int total = 0;
    for (int p = 0; p < NPROC; p++) {
        FILE *f = fopen(out[p], "r");
        HZ_CHECK(f != NULL);
        while (total < NJOBS * 2 && fgets(ids[total], 32, f) != NULL)
            total++;
        fclose(f);
    }
    HZ_CHECK_MSG(total == NJOBS, "%d completions for %d jobs", total, NJOBS);
    qsort(ids, (size_t)total, 32, conf_cmp);
    for (int i = 1; i < total; i++)
        HZ_CHECK_MSG(strcmp(ids[i - 1], ids[i]) != 0, "job %s done twice",
                     ids[i]);
    hz_query q = {.container = HZ_STORE_JOBS,
                  .customer_id = "mp",
                  .status = "succeeded"};
    cJSON *page = NULL;
    char *next = NULL;
    HZ_CHECK(hz_store_query(s, &q, 1000, NULL, &page, &next, &err) == HZ_OK);
    HZ_CHECK(cJSON_GetArraySize(page) == NJOBS);
    cJSON_Delete(page);
    hz_store_close(s);
}
