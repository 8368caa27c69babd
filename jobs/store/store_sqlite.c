/* The SQLite job store: one database file shared by any number of runner
 * processes.
 *
 * - WAL journal (readers never block the writer), synchronous=NORMAL,
 *   busy_timeout so that a writer waits for another instead of failing.
 * - Every write is a transaction started with BEGIN IMMEDIATE (the write
 *   lock is taken up front, so a read-then-write never deadlocks or has
 *   to be retried halfway); claims select and update their jobs inside
 *   one such transaction, so two processes can never claim one job.
 * - ETags are random 64-bit values, fresh on every write: a deleted and
 *   re-created document never repeats an old ETag.
 * - Schema created and migrated on open under PRAGMA user_version (the
 *   migration runs in a BEGIN IMMEDIATE transaction, so processes opening
 *   a new file at once do not race).
 *
 * One table holds all containers; the fields the queries filter on are
 * copied out of the JSON body into indexed columns. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "net/cjson.h"
#include "horizon/rng.h"
#include "store/job.h"
#include "store/store.h"

#define BUSY_TIMEOUT_MS 30000

/* Write transactions of the handles of one process on one file queue on
 * a mutex: without it they would collide on SQLite's file lock and wait
 * in its busy handler, which sleeps in steps of up to 100 ms.  Between
 * processes the busy handler remains.  Files are told apart by a hash of
 * their path (a collision only serialises two files). */
#define WRITE_LOCKS 16
static pthread_mutex_t write_locks[WRITE_LOCKS] = {
    PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
    PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
    PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
    PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
    PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
    PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
    PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
    PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER};

typedef struct sqlite_store {
    hz_store base;
    sqlite3 *db;
    char *path;
    pthread_mutex_t *wlock; /* one of write_locks */
    bool locked;            /* this handle holds *wlock */
    uint64_t rng;
    sqlite3_stmt *st_get;
    sqlite3_stmt *st_meta;  /* etag of (container, id, pk) */
    sqlite3_stmt *st_write; /* insert or replace */
    sqlite3_stmt *st_del;
    bool (*cancel)(void *ctx); /* hz_store_set_cancel */
    void *cancel_ctx;
    double busy_since; /* monotonic: when the current lock wait began */
} sqlite_store;

static bool sq_canceled(const sqlite_store *st)
{
    return st->cancel != NULL && st->cancel(st->cancel_ctx);
}

/* SQLite's busy handler: wait for another connection's lock, in SQLite's
 * own steps, up to BUSY_TIMEOUT_MS, or until the caller stops waiting
 * (hz_store_set_cancel: a runner stopping does not sit out the timeout
 * behind a lock another process holds). */
static int busy_wait(void *ud, int n)
{
    sqlite_store *st = ud;
    static const int steps_ms[] = {1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100};
    double now = hz_now();
    if (n == 0)
        st->busy_since = now;
    if (sq_canceled(st) || now - st->busy_since >= BUSY_TIMEOUT_MS / 1000.0)
        return 0;
    long ms = steps_ms[n < 11 ? n : 11];
    struct timespec ts = {0, ms * 1000000L};
    nanosleep(&ts, NULL);
    return 1;
}

/* ---- schema ---- */

static const char *const migrations[] = {
    /* 1: documents of every container */
    "CREATE TABLE docs ("
    "  container TEXT NOT NULL,"
    "  pk TEXT NOT NULL,"
    "  id TEXT NOT NULL,"
    "  etag TEXT NOT NULL,"
    "  ts REAL NOT NULL,"
    "  status TEXT, type TEXT, job_id TEXT,"
    "  lease_expiry REAL, created_at REAL,"
    "  body TEXT NOT NULL,"
    "  PRIMARY KEY (container, id, pk)) WITHOUT ROWID;"
    "CREATE INDEX docs_pk ON docs(container, pk, id);",
    /* 2: claims and result listing */
    "CREATE INDEX docs_claim ON docs(container, status, created_at)"
    "  WHERE status IN ('queued', 'running');"
    "CREATE INDEX docs_job ON docs(container, job_id, id)"
    "  WHERE job_id IS NOT NULL;",
};
#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof migrations[0]))

static hz_status db_error(sqlite_store *st, hz_error *err, const char *what)
{
    int code = sqlite3_errcode(st->db);
    bool busy = code == SQLITE_BUSY || code == SQLITE_LOCKED;
    if (busy && sq_canceled(st))
        return hz_error_set(err, HZ_ECANCELED,
                            "sqlite store %s: %s: abandoned: the caller "
                            "stopped waiting (%s)",
                            st->path, what, sqlite3_errmsg(st->db));
    return hz_error_set(err, busy ? HZ_ETIMEOUT : HZ_EIO,
                        "sqlite store %s: %s: %s", st->path, what,
                        sqlite3_errmsg(st->db));
}

static hz_status exec_sql(sqlite_store *st, const char *sql, hz_error *err)
{
    char *msg = NULL;
    int rc = sqlite3_exec(st->db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        hz_status s = rc != SQLITE_BUSY ? HZ_EIO
                      : sq_canceled(st) ? HZ_ECANCELED
                                        : HZ_ETIMEOUT;
        hz_error_set(err, s, "sqlite store %s: %s", st->path,
                     msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        return s;
    }
    return HZ_OK;
}

/* BEGIN IMMEDIATE, retried while another writer holds the lock for longer
 * than the busy timeout. */
static void unlock_writes(sqlite_store *st)
{
    if (st->locked) {
        st->locked = false;
        pthread_mutex_unlock(st->wlock);
    }
}

static hz_status begin(sqlite_store *st, hz_error *err)
{
    pthread_mutex_lock(st->wlock);
    st->locked = true;
    for (int tries = 0;; tries++) {
        int rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        if (rc == SQLITE_OK)
            return HZ_OK;
        if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) || tries >= 3 ||
            sq_canceled(st)) {
            hz_status s = db_error(st, err, "could not begin a transaction");
            unlock_writes(st);
            return s;
        }
    }
}

static hz_status commit(sqlite_store *st, hz_error *err)
{
    for (int tries = 0;; tries++) {
        int rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
        if (rc == SQLITE_OK) {
            unlock_writes(st);
            return HZ_OK;
        }
        if (rc != SQLITE_BUSY || tries >= 3 || sq_canceled(st)) {
            hz_status s = db_error(st, err, "could not commit");
            sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
            unlock_writes(st);
            return s;
        }
    }
}

static void rollback(sqlite_store *st)
{
    if (!sqlite3_get_autocommit(st->db))
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    unlock_writes(st);
}

/* The schema version of an open database, -1 when it cannot be read. */
static int schema_version(sqlite_store *st)
{
    sqlite3_stmt *q = NULL;
    int version = -1;
    if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &q, NULL) ==
            SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        version = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    return version;
}

static hz_status migrate(sqlite_store *st, hz_error *err)
{
    /* a store at this schema needs no write transaction: opening it does
     * not wait for another process's write lock (WAL readers never do) */
    if (schema_version(st) == SCHEMA_VERSION)
        return HZ_OK;
    hz_status rc = begin(st, err);
    if (rc != HZ_OK)
        return rc;
    sqlite3_stmt *q = NULL;
    int version = 0;
    if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &q, NULL) !=
        SQLITE_OK) {
        rc = db_error(st, err, "could not read the schema version");
        goto fail;
    }
    if (sqlite3_step(q) == SQLITE_ROW)
        version = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    if (version > SCHEMA_VERSION) {
        rc = hz_error_set(err, HZ_EINVAL,
                          "sqlite store %s: schema version "
                          "%d is newer than this build's %d",
                          st->path, version, SCHEMA_VERSION);
        goto fail;
    }
    for (int v = version; v < SCHEMA_VERSION; v++) {
        rc = exec_sql(st, migrations[v], err);
        if (rc != HZ_OK)
            goto fail;
    }
    if (version < SCHEMA_VERSION) {
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d", SCHEMA_VERSION);
        rc = exec_sql(st, sql, err);
        if (rc != HZ_OK)
            goto fail;
    }
    return commit(st, err);
fail:
    rollback(st);
    return rc;
}

/* ---- helpers ---- */

static void new_etag(sqlite_store *st, char *out, size_t outsz)
{
    snprintf(out, outsz, "\"%016llx\"",
             (unsigned long long)hz_rng_xorshift64star(&st->rng));
}

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void bind_text_or_null(sqlite3_stmt *q, int i, const char *s)
{
    if (s != NULL)
        sqlite3_bind_text(q, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(q, i);
}

static void bind_num_or_null(sqlite3_stmt *q, int i, const cJSON *doc,
                             const char *field)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, field);
    if (cJSON_IsNumber(v))
        sqlite3_bind_double(q, i, v->valuedouble);
    else
        sqlite3_bind_null(q, i);
}

/* Stored etag of a document: 1 found (copied to etag), 0 absent, -1 error */
static int lookup_etag(sqlite_store *st, const char *container, const char *id,
                       const char *pk, char *etag, size_t etagsz)
{
    sqlite3_stmt *q = st->st_meta;
    sqlite3_reset(q);
    sqlite3_bind_text(q, 1, container, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, pk, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    int out = 0;
    if (rc == SQLITE_ROW) {
        snprintf(etag, etagsz, "%s", (const char *)sqlite3_column_text(q, 0));
        out = 1;
    } else if (rc != SQLITE_DONE) {
        out = -1;
    }
    sqlite3_reset(q);
    return out;
}

/* The system properties of a caller's document, saved so that a write
 * rolled back leaves the document as it was. */
typedef struct sysprops {
    cJSON *etag, *ts; /* detached copies (NULL when absent) */
} sysprops;

static void sys_save(const cJSON *doc, sysprops *sp)
{
    sp->etag = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(doc, "_etag"),
                               1);
    sp->ts = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(doc, "_ts"), 1);
}

static void sys_restore(cJSON *doc, sysprops *sp)
{
    cJSON_DeleteItemFromObjectCaseSensitive(doc, "_etag");
    cJSON_DeleteItemFromObjectCaseSensitive(doc, "_ts");
    if (sp->etag != NULL)
        cJSON_AddItemToObject(doc, "_etag", sp->etag);
    if (sp->ts != NULL)
        cJSON_AddItemToObject(doc, "_ts", sp->ts);
    sp->etag = sp->ts = NULL;
}

static void sys_drop(sysprops *sp)
{
    cJSON_Delete(sp->etag);
    cJSON_Delete(sp->ts);
    sp->etag = sp->ts = NULL;
}

/* Write one document inside an open transaction: check the mode and the
 * condition, stamp _etag/_ts, insert or replace. */
static hz_status write_doc(sqlite_store *st, const char *container,
                           hz_put_mode mode, cJSON *doc, const char *if_match,
                           hz_error *err)
{
    const char *id = hz__cjson_str(doc, "id");
    const char *pk = hz__cjson_str(doc, "customerId");
    char cur[HZ_ETAG_MAX];
    int found = lookup_etag(st, container, id, pk, cur, sizeof cur);
    if (found < 0)
        return db_error(st, err, "could not read a document");
    if (mode == HZ_PUT_CREATE && found)
        return hz_error_set(err, HZ_ECONFLICT,
                            "%s/%s (customerId %s) "
                            "already exists",
                            container, id, pk);
    if (mode == HZ_PUT_REPLACE && !found)
        return hz_error_set(err, HZ_ENOTFOUND,
                            "%s/%s (customerId %s) not "
                            "found",
                            container, id, pk);
    if (if_match != NULL && if_match[0] != '\0') {
        if (!found)
            return hz_error_set(err, HZ_ENOTFOUND,
                                "%s/%s (customerId %s) "
                                "not found",
                                container, id, pk);
        if (strcmp(cur, if_match) != 0)
            return hz_error_set(err, HZ_ECONFLICT,
                                "%s/%s (customerId %s) "
                                "changed: etag %s, expected %s",
                                container, id, pk, cur, if_match);
    }
    char etag[HZ_ETAG_MAX];
    new_etag(st, etag, sizeof etag);
    double ts = wall_now();
    hz__cjson_set_str(doc, "_etag", etag);
    hz__cjson_set_num(doc, "_ts", (double)(long long)ts);
    char *body = cJSON_PrintUnformatted(doc);
    if (body == NULL)
        return hz_error_set(err, HZ_ENOMEM, "%s/%s: out of memory", container,
                            id);
    sqlite3_stmt *q = st->st_write;
    sqlite3_reset(q);
    sqlite3_bind_text(q, 1, container, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, pk, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, etag, -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(q, 5, ts);
    bind_text_or_null(q, 6, hz__cjson_str(doc, "status"));
    bind_text_or_null(q, 7, hz__cjson_str(doc, "type"));
    bind_text_or_null(q, 8, hz__cjson_str(doc, "jobId"));
    bind_num_or_null(q, 9, doc, "leaseExpiry");
    bind_num_or_null(q, 10, doc, "createdAt");
    sqlite3_bind_text(q, 11, body, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    cJSON_free(body);
    if (rc != SQLITE_DONE)
        return db_error(st, err, "could not write a document");
    return HZ_OK;
}

static hz_status delete_doc(sqlite_store *st, const char *container,
                            const char *id, const char *pk,
                            const char *if_match, hz_error *err)
{
    char cur[HZ_ETAG_MAX];
    int found = lookup_etag(st, container, id, pk, cur, sizeof cur);
    if (found < 0)
        return db_error(st, err, "could not read a document");
    if (!found)
        return hz_error_set(err, HZ_ENOTFOUND,
                            "%s/%s (customerId %s) not "
                            "found",
                            container, id, pk);
    if (if_match != NULL && if_match[0] != '\0' && strcmp(cur, if_match))
        return hz_error_set(err, HZ_ECONFLICT,
                            "%s/%s (customerId %s) "
                            "changed: etag %s, expected %s",
                            container, id, pk, cur, if_match);
    sqlite3_stmt *q = st->st_del;
    sqlite3_reset(q);
    sqlite3_bind_text(q, 1, container, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, pk, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    if (rc != SQLITE_DONE)
        return db_error(st, err, "could not delete a document");
    return HZ_OK;
}

/* ---- operations ---- */

static void sq_set_cancel(hz_store *s, bool (*cancel)(void *ctx), void *ctx)
{
    sqlite_store *st = (sqlite_store *)s;
    st->cancel = cancel;
    st->cancel_ctx = ctx;
}

static void sq_close(hz_store *s)
{
    sqlite_store *st = (sqlite_store *)s;
    sqlite3_finalize(st->st_get);
    sqlite3_finalize(st->st_meta);
    sqlite3_finalize(st->st_write);
    sqlite3_finalize(st->st_del);
    sqlite3_close(st->db);
    free(st->path);
    free(st);
}

static hz_status sq_get(hz_store *s, const char *container, const char *id,
                        const char *pk, cJSON **doc_out, hz_error *err)
{
    sqlite_store *st = (sqlite_store *)s;
    sqlite3_stmt *q = st->st_get;
    sqlite3_reset(q);
    sqlite3_bind_text(q, 1, container, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, pk, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    hz_status out = HZ_OK;
    if (rc == SQLITE_ROW) {
        *doc_out = cJSON_Parse((const char *)sqlite3_column_text(q, 0));
        if (*doc_out == NULL)
            out = hz_error_set(err, HZ_EPARSE,
                               "%s/%s: stored document is "
                               "not valid JSON",
                               container, id);
    } else if (rc == SQLITE_DONE) {
        out = hz_error_set(err, HZ_ENOTFOUND,
                           "%s/%s (customerId %s) not "
                           "found",
                           container, id, pk);
    } else {
        out = db_error(st, err, "could not read a document");
    }
    sqlite3_reset(q);
    return out;
}

static hz_status sq_put(hz_store *s, const char *container, hz_put_mode mode,
                        cJSON *doc, const char *if_match, hz_error *err)
{
    sqlite_store *st = (sqlite_store *)s;
    hz_status rc = begin(st, err);
    if (rc != HZ_OK)
        return rc;
    sysprops sp;
    sys_save(doc, &sp);
    rc = write_doc(st, container, mode, doc, if_match, err);
    if (rc == HZ_OK)
        rc = commit(st, err);
    else
        rollback(st);
    if (rc != HZ_OK)
        sys_restore(doc, &sp);
    sys_drop(&sp);
    return rc;
}

static hz_status sq_del(hz_store *s, const char *container, const char *id,
                        const char *pk, const char *if_match, hz_error *err)
{
    sqlite_store *st = (sqlite_store *)s;
    hz_status rc = begin(st, err);
    if (rc != HZ_OK)
        return rc;
    rc = delete_doc(st, container, id, pk, if_match, err);
    if (rc != HZ_OK) {
        rollback(st);
        return rc;
    }
    return commit(st, err);
}

/* Continuation token: a JSON array ["lastId", "lastPk"]. */
static hz_status sq_query(hz_store *s, const hz_query *qq, int page_size,
                          const char *continuation, cJSON **docs_out,
                          char **next_out, hz_error *err)
{
    sqlite_store *st = (sqlite_store *)s;
    char sql[768];
    int n = snprintf(sql, sizeof sql,
                     "SELECT body, id, pk FROM docs WHERE container = ?1");
    cJSON *tok = NULL;
    const char *after_id = NULL, *after_pk = NULL;
    if (continuation != NULL) {
        tok = cJSON_Parse(continuation);
        if (!cJSON_IsArray(tok) || cJSON_GetArraySize(tok) != 2 ||
            !cJSON_IsString(cJSON_GetArrayItem(tok, 0)) ||
            !cJSON_IsString(cJSON_GetArrayItem(tok, 1))) {
            cJSON_Delete(tok);
            return hz_error_set(err, HZ_EINVAL,
                                "query of %s: invalid "
                                "continuation token",
                                qq->container);
        }
        after_id = cJSON_GetArrayItem(tok, 0)->valuestring;
        after_pk = cJSON_GetArrayItem(tok, 1)->valuestring;
    }
    if (qq->customer_id)
        n += snprintf(sql + n, sizeof sql - n, " AND pk = ?2");
    if (qq->status)
        n += snprintf(sql + n, sizeof sql - n, " AND status = ?3");
    if (qq->type)
        n += snprintf(sql + n, sizeof sql - n, " AND type = ?4");
    if (qq->job_id)
        n += snprintf(sql + n, sizeof sql - n, " AND job_id = ?5");
    if (qq->claimable_at > 0)
        n += snprintf(sql + n, sizeof sql - n,
                      " AND (status = 'queued' OR (status = 'running' AND "
                      "lease_expiry < ?6))");
    if (after_id)
        n += snprintf(sql + n, sizeof sql - n, " AND (id, pk) > (?7, ?8)");
    snprintf(sql + n, sizeof sql - n, " ORDER BY id, pk LIMIT ?9");

    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK) {
        cJSON_Delete(tok);
        return db_error(st, err, "could not prepare a query");
    }
    sqlite3_bind_text(q, 1, qq->container, -1, SQLITE_STATIC);
    if (qq->customer_id)
        sqlite3_bind_text(q, 2, qq->customer_id, -1, SQLITE_STATIC);
    if (qq->status)
        sqlite3_bind_text(q, 3, qq->status, -1, SQLITE_STATIC);
    if (qq->type)
        sqlite3_bind_text(q, 4, qq->type, -1, SQLITE_STATIC);
    if (qq->job_id)
        sqlite3_bind_text(q, 5, qq->job_id, -1, SQLITE_STATIC);
    if (qq->claimable_at > 0)
        sqlite3_bind_double(q, 6, qq->claimable_at);
    if (after_id) {
        sqlite3_bind_text(q, 7, after_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 8, after_pk, -1, SQLITE_STATIC);
    }
    sqlite3_bind_int(q, 9, page_size + 1);

    hz_status out = HZ_OK;
    cJSON *arr = cJSON_CreateArray();
    int count = 0, rc;
    char last_id[HZ_JOB_URI_MAX] = "", last_pk[HZ_JOB_URI_MAX] = "";
    bool more = false;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (count == page_size) {
            more = true;
            break;
        }
        cJSON *doc = cJSON_Parse((const char *)sqlite3_column_text(q, 0));
        if (doc == NULL) {
            out = hz_error_set(err, HZ_EPARSE,
                               "%s/%s: stored document is "
                               "not valid JSON",
                               qq->container,
                               (const char *)sqlite3_column_text(q, 1));
            break;
        }
        cJSON_AddItemToArray(arr, doc);
        snprintf(last_id, sizeof last_id, "%s", sqlite3_column_text(q, 1));
        snprintf(last_pk, sizeof last_pk, "%s", sqlite3_column_text(q, 2));
        count++;
    }
    if (out == HZ_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
        out = db_error(st, err, "could not run a query");
    sqlite3_finalize(q);
    cJSON_Delete(tok);
    if (out != HZ_OK) {
        cJSON_Delete(arr);
        return out;
    }
    if (more) {
        cJSON *t = cJSON_CreateArray();
        cJSON_AddItemToArray(t, cJSON_CreateString(last_id));
        cJSON_AddItemToArray(t, cJSON_CreateString(last_pk));
        *next_out = cJSON_PrintUnformatted(t);
        cJSON_Delete(t);
    }
    *docs_out = arr;
    return HZ_OK;
}

static hz_status sq_batch(hz_store *s, const char *container, const char *pk,
                          hz_store_op *ops, size_t nops, size_t *failed_index,
                          hz_error *err)
{
    sqlite_store *st = (sqlite_store *)s;
    hz_status rc = begin(st, err);
    if (rc != HZ_OK)
        return rc;
    /* Keep the old system properties so that a rolled-back batch leaves
     * the callers' documents as they were. */
    sysprops *sp = calloc(nops, sizeof *sp);
    if (sp == NULL) {
        rollback(st);
        return hz_error_set(err, HZ_ENOMEM, "batch: out of memory");
    }
    for (size_t i = 0; i < nops; i++)
        if (ops[i].doc != NULL)
            sys_save(ops[i].doc, &sp[i]);
    for (size_t i = 0; i < nops; i++) {
        hz_store_op *op = &ops[i];
        switch (op->kind) {
        case HZ_OP_CREATE:
            rc = write_doc(st, container, HZ_PUT_CREATE, op->doc, op->if_match,
                           err);
            break;
        case HZ_OP_UPSERT:
            rc = write_doc(st, container, HZ_PUT_UPSERT, op->doc, op->if_match,
                           err);
            break;
        case HZ_OP_REPLACE:
            rc = write_doc(st, container, HZ_PUT_REPLACE, op->doc,
                           op->if_match, err);
            break;
        case HZ_OP_DELETE:
            rc = delete_doc(st, container, op->id, pk, op->if_match, err);
            break;
        default:
            rc = hz_error_set(err, HZ_EINVAL,
                              "%s: batch operation %zu: "
                              "unknown kind",
                              container, i);
        }
        if (rc != HZ_OK) {
            if (failed_index != NULL)
                *failed_index = i;
            rollback(st);
            break;
        }
    }
    if (rc == HZ_OK)
        rc = commit(st, err);
    for (size_t i = 0; i < nops; i++) {
        if (rc != HZ_OK && ops[i].doc != NULL)
            sys_restore(ops[i].doc, &sp[i]);
        sys_drop(&sp[i]);
    }
    free(sp);
    return rc;
}

static hz_status sq_claim(hz_store *s, const hz_claim_request *req,
                          cJSON **jobs_out, hz_error *err)
{
    sqlite_store *st = (sqlite_store *)s;
    cJSON *won = cJSON_CreateArray();
    if (won == NULL)
        return hz_error_set(err, HZ_ENOMEM, "claim: out of memory");
    hz_status rc = begin(st, err);
    if (rc != HZ_OK) {
        cJSON_Delete(won);
        return rc;
    }
    /* Two passes keep the index usable: queued jobs oldest first, then
     * running jobs whose lease expired. */
    static const char *const sqls[2] = {
        "SELECT body, etag FROM docs WHERE container = 'jobs' AND "
        "status = 'running' AND lease_expiry < ?1 AND (?2 IS NULL OR "
        "pk = ?2) ORDER BY created_at, id LIMIT ?3",
        "SELECT body, etag FROM docs WHERE container = 'jobs' AND "
        "status = 'queued' AND (?2 IS NULL OR pk = ?2) "
        "ORDER BY created_at, id LIMIT ?3"};
    cJSON *cand = cJSON_CreateArray();
    for (int pass = 0; pass < 2; pass++) {
        int want = req->max_jobs - cJSON_GetArraySize(cand);
        if (want <= 0)
            break;
        sqlite3_stmt *q = NULL;
        if (sqlite3_prepare_v2(st->db, sqls[pass], -1, &q, NULL) !=
            SQLITE_OK) {
            rc = db_error(st, err, "could not prepare a claim");
            goto fail;
        }
        sqlite3_bind_double(q, 1, req->now);
        bind_text_or_null(q, 2, req->customer_id);
        sqlite3_bind_int(q, 3, want);
        int r;
        while ((r = sqlite3_step(q)) == SQLITE_ROW) {
            cJSON *doc = cJSON_Parse((const char *)sqlite3_column_text(q, 0));
            if (doc != NULL)
                cJSON_AddItemToArray(cand, doc);
        }
        sqlite3_finalize(q);
        if (r != SQLITE_DONE) {
            rc = db_error(st, err, "could not select jobs to claim");
            goto fail;
        }
    }
    cJSON *doc;
    cJSON_ArrayForEach(doc, cand)
    {
        hz__store_mark_claimed(doc, req);
        /* Inside the write lock: the etag cannot have changed. */
        rc = write_doc(st, HZ_STORE_JOBS, HZ_PUT_REPLACE, doc, NULL, err);
        if (rc != HZ_OK)
            goto fail;
    }
    rc = commit(st, err);
    if (rc != HZ_OK)
        goto fail_nocommit;
    while (cJSON_GetArraySize(cand) > 0)
        cJSON_AddItemToArray(won, cJSON_DetachItemFromArray(cand, 0));
    cJSON_Delete(cand);
    *jobs_out = won;
    return HZ_OK;
fail:
    rollback(st);
fail_nocommit:
    cJSON_Delete(cand);
    cJSON_Delete(won);
    return rc;
}

static hz_status sq_finish(hz_store *s, cJSON *job, const char *if_match,
                           cJSON *const *results, size_t nresults,
                           const hz_finish_keep *keep, hz_error *err)
{
    /* SQLite does better than the interface asks: the results and the
     * job's status are one transaction, however many results there are
     * (so the lease needs no keeping meanwhile: keep is not called). */
    (void)keep;
    sqlite_store *st = (sqlite_store *)s;
    hz_status rc = begin(st, err);
    if (rc != HZ_OK)
        return rc;
    /* Check the lease first: a lost job writes nothing. */
    char cur[HZ_ETAG_MAX];
    const char *id = hz__cjson_str(job, "id");
    const char *pk = hz__cjson_str(job, "customerId");
    int found = lookup_etag(st, HZ_STORE_JOBS, id, pk, cur, sizeof cur);
    if (found <= 0) {
        rc = found < 0 ? db_error(st, err, "could not read a job")
                       : hz_error_set(err, HZ_ENOTFOUND,
                                      "jobs/%s "
                                      "(customerId %s) not found",
                                      id, pk);
        goto fail;
    }
    if (if_match != NULL && if_match[0] != '\0' && strcmp(cur, if_match)) {
        rc = hz_error_set(err, HZ_ECONFLICT,
                          "jobs/%s (customerId %s) "
                          "changed: etag %s, expected %s (lease lost)",
                          id, pk, cur, if_match);
        goto fail;
    }
    sysprops jsp;
    sys_save(job, &jsp);
    for (size_t i = 0; i < nresults; i++) {
        rc = write_doc(st, HZ_STORE_RESULTS, HZ_PUT_UPSERT, results[i], NULL,
                       err);
        if (rc != HZ_OK)
            break;
    }
    if (rc == HZ_OK)
        rc = write_doc(st, HZ_STORE_JOBS, HZ_PUT_REPLACE, job, NULL, err);
    if (rc == HZ_OK)
        rc = commit(st, err);
    else
        rollback(st);
    if (rc != HZ_OK)
        sys_restore(job, &jsp);
    sys_drop(&jsp);
    return rc;
fail:
    rollback(st);
    return rc;
}

/* Every document in one transaction (the interface asks for no more). */
static hz_status sq_create_all(hz_store *s, const char *container,
                               cJSON *const *docs, size_t n,
                               size_t *failed_index, hz_error *err)
{
    sqlite_store *st = (sqlite_store *)s;
    hz_status rc = begin(st, err);
    if (rc != HZ_OK)
        return rc;
    sysprops *sp = calloc(n, sizeof *sp);
    if (sp == NULL) {
        rollback(st);
        return hz_error_set(err, HZ_ENOMEM, "%s: out of memory", container);
    }
    for (size_t i = 0; i < n; i++)
        sys_save(docs[i], &sp[i]);
    for (size_t i = 0; i < n && rc == HZ_OK; i++) {
        rc = write_doc(st, container, HZ_PUT_CREATE, docs[i], NULL, err);
        if (rc != HZ_OK && failed_index != NULL)
            *failed_index = i;
    }
    if (rc == HZ_OK)
        rc = commit(st, err);
    else
        rollback(st);
    for (size_t i = 0; i < n; i++) {
        if (rc != HZ_OK)
            sys_restore(docs[i], &sp[i]);
        sys_drop(&sp[i]);
    }
    free(sp);
    return rc;
}

static const hz_store_ops sqlite_ops = {
    .name = "sqlite",
    .close = sq_close,
    .get = sq_get,
    .put = sq_put,
    .del = sq_del,
    .query = sq_query,
    .batch = sq_batch,
    .claim = sq_claim,
    .finish = sq_finish,
    .create_all = sq_create_all,
    .set_cancel = sq_set_cancel,
};

static hz_status prepare(sqlite_store *st, const char *sql, sqlite3_stmt **out,
                         hz_error *err)
{
    if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, out,
                           NULL) != SQLITE_OK)
        return db_error(st, err, "could not prepare a statement");
    return HZ_OK;
}

static hz_status prepare_all(sqlite_store *st, hz_error *err)
{
    hz_status rc = prepare(st,
                           "SELECT body FROM docs WHERE container = ?1 AND "
                           "id = ?2 AND pk = ?3",
                           &st->st_get, err);
    if (rc == HZ_OK)
        rc = prepare(st,
                     "SELECT etag FROM docs WHERE container = ?1 AND "
                     "id = ?2 AND pk = ?3",
                     &st->st_meta, err);
    if (rc == HZ_OK)
        rc = prepare(st,
                     "INSERT OR REPLACE INTO docs (container, pk, id, "
                     "etag, ts, status, type, job_id, lease_expiry, "
                     "created_at, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
                     "?8, ?9, ?10, ?11)",
                     &st->st_write, err);
    if (rc == HZ_OK)
        rc = prepare(st,
                     "DELETE FROM docs WHERE container = ?1 AND id = ?2 "
                     "AND pk = ?3",
                     &st->st_del, err);
    return rc;
}

static hz_status open_error(sqlite_store *st, int orc, hz_error *err)
{
    return hz_error_set(err, HZ_EIO, "sqlite store %s: could not open: %s",
                        st->path,
                        st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(orc));
}

/* Whether path can name a store file: a path whose directory does not
 * exist (or is not a directory), or that is a directory itself, is a
 * mistake in the store spec, not a store that is down: HZ_EINVAL (exit 2,
 * where the store failing is 75 and a scheduler retries for ever).  A
 * read-only open (or one that must find the store, HZ_STORE_EXISTING)
 * of a file that does not exist is HZ_ENOTFOUND.  Other
 * problems are left to the open. */
static hz_status check_path(const char *path, bool must_exist,
                            hz_error *err)
{
    struct stat sb;
    if (stat(path, &sb) == 0)
        return S_ISDIR(sb.st_mode)
                   ? hz_error_set(err, HZ_EINVAL,
                                  "sqlite store %s: is a directory, not a "
                                  "store file (check --store or "
                                  "HORIZON_STORE)",
                                  path)
                   : HZ_OK;
    if (errno != ENOENT && errno != ENOTDIR)
        return HZ_OK;
    char dir[4096];
    const char *slash = strrchr(path, '/');
    size_t n = slash == NULL ? 0 : slash == path ? 1 : (size_t)(slash - path);
    if (n >= sizeof dir)
        return HZ_OK;
    if (n == 0)
        snprintf(dir, sizeof dir, ".");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)n, path);
    bool exists = stat(dir, &sb) == 0;
    if (!exists || !S_ISDIR(sb.st_mode))
        return hz_error_set(err, HZ_EINVAL,
                            "sqlite store %s: %s%s %s (check --store or "
                            "HORIZON_STORE)",
                            path, exists ? "" : "the directory ", dir,
                            exists ? "is not a directory" : "does not exist");
    if (must_exist)
        return hz_error_set(err, HZ_ENOTFOUND,
                            "sqlite store %s: no such file (nothing was "
                            "stored there yet? check --store or "
                            "HORIZON_STORE)",
                            path);
    return HZ_OK;
}

/* Writable: created when absent, WAL, schema migrated. */
static hz_status open_writable(sqlite_store *st, hz_error *err)
{
    /* A new store is made private (0600, whatever the umask): it holds
     * every tenant's jobs and results and the signed dataset URLs.
     * SQLite creates an empty database in the empty file, and gives its
     * -wal and -shm files the mode of the database file.  An existing
     * file keeps its mode (chmod it to share the store with a group). */
    int fd = open(st->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                  0600);
    if (fd >= 0)
        close(fd);
    int orc = sqlite3_open_v2(st->path, &st->db,
                              SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                  SQLITE_OPEN_NOMUTEX,
                              NULL);
    if (orc != SQLITE_OK)
        return open_error(st, orc, err);
    sqlite3_busy_handler(st->db, busy_wait, st);
    /* journal_mode=WAL is persistent in the file; setting it again is
     * cheap.  It needs no open transaction. */
    hz_status rc = exec_sql(st, "PRAGMA journal_mode=WAL", err);
    if (rc == HZ_OK)
        rc = exec_sql(st, "PRAGMA synchronous=NORMAL", err);
    if (rc == HZ_OK)
        rc = migrate(st, err);
    return rc;
}

/* "file:PATH?immutable=1" with the URI's special characters escaped. */
static char *immutable_uri(const char *path)
{
    size_t n = strlen(path);
    char *u = malloc(3 * n + 32);
    if (u == NULL)
        return NULL;
    size_t k = (size_t)sprintf(u, "file:");
    for (const char *p = path; *p; p++) {
        if (*p == '?' || *p == '#' || *p == '%')
            k += (size_t)sprintf(u + k, "%%%02X", (unsigned char)*p);
        else
            u[k++] = *p;
    }
    snprintf(u + k, 3 * n + 32 - k, "?immutable=1");
    return u;
}

/* True when PATH-wal is absent or empty: every commit is in the main
 * file, so reading it as immutable sees the current data. */
static bool wal_is_empty(const char *path)
{
    char wal[4200];
    snprintf(wal, sizeof wal, "%s-wal", path);
    struct stat sb;
    return stat(wal, &sb) != 0 || sb.st_size == 0;
}

/* Read only: nothing created or migrated.  In a directory where the WAL
 * index cannot be created, a checkpointed file is read as immutable. */
static hz_status open_readonly(sqlite_store *st, hz_error *err)
{
    int orc = sqlite3_open_v2(
        st->path, &st->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
    if (orc != SQLITE_OK)
        return open_error(st, orc, err);
    sqlite3_busy_handler(st->db, busy_wait, st);
    int version = schema_version(st);
    if (version < 0 && wal_is_empty(st->path)) {
        sqlite3_close(st->db);
        st->db = NULL;
        char *uri = immutable_uri(st->path);
        orc = uri ? sqlite3_open_v2(uri, &st->db,
                                    SQLITE_OPEN_READONLY | SQLITE_OPEN_URI |
                                        SQLITE_OPEN_NOMUTEX,
                                    NULL)
                  : SQLITE_NOMEM;
        free(uri);
        if (orc != SQLITE_OK)
            return open_error(st, orc, err);
        version = schema_version(st);
    }
    if (version < 0)
        return db_error(st, err, "could not read the schema version");
    if (version > SCHEMA_VERSION || version < 1)
        return hz_error_set(err, HZ_EINVAL,
                            "sqlite store %s: schema version %d, this build "
                            "reads 1 to %d",
                            st->path, version, SCHEMA_VERSION);
    return HZ_OK;
}

hz_status hz__store_sqlite_open_flags(const char *path, unsigned flags,
                                      hz_store **out, hz_error *err)
{
    *out = NULL;
    if (path == NULL || path[0] == '\0')
        return hz_error_set(err, HZ_EINVAL, "sqlite store: empty path");
    sqlite_store *st = calloc(1, sizeof *st);
    if (st == NULL || (st->path = strdup(path)) == NULL) {
        free(st);
        return hz_error_set(err, HZ_ENOMEM, "sqlite store: out of memory");
    }
    st->base.ops = &sqlite_ops;
    unsigned h = 5381;
    for (const char *p = path; *p; p++)
        h = h * 33 + (unsigned char)*p;
    st->wlock = &write_locks[h % WRITE_LOCKS];
    /* Seed the ETag generator from the kernel so that processes differ. */
    st->rng = hz_rng_entropy_seed(st);
    bool readonly = (flags & HZ_STORE_READONLY) != 0;
    hz_status rc = check_path(
        path, readonly || (flags & HZ_STORE_EXISTING) != 0, err);
    if (rc == HZ_OK)
        rc = readonly ? open_readonly(st, err) : open_writable(st, err);
    if (rc == HZ_OK)
        rc = prepare_all(st, err);
    if (rc != HZ_OK) {
        sq_close(&st->base);
        return rc;
    }
    *out = &st->base;
    return HZ_OK;
}

hz_status hz_store_sqlite_open(const char *path, hz_store **out, hz_error *err)
{
    return hz__store_sqlite_open_flags(path, 0, out, err);
}
