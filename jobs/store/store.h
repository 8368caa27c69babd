/* Horizon job store: the interface every document store implements.
 *
 * A store holds JSON documents (cJSON objects) in five containers:
 *
 *   "jobs"       job documents (store/job.h)
 *   "datasets"   dataset metadata documents (store/job.h)
 *   "results"    result chunks of jobs (id "<jobId>-r<chunk, 5 digits>")
 *   "cache"      prompt cache entries (opaque to the store)
 *   "schedules"  recurring job definitions (store/schedule.h)
 *
 * Every document has a string "id" and a string "customerId" (the tenant,
 * the partition key).  A document is identified by (container,
 * customerId, id): the same id may exist under two tenants.  The store
 * manages two system properties on every write:
 *
 *   "_etag"  opaque version string (at most HZ_ETAG_MAX - 1 bytes), new on
 *            every successful write; compare it byte-exactly
 *   "_ts"    epoch seconds of the last write (number)
 *
 * Values a caller puts in "_etag"/"_ts" are ignored (overwritten).
 *
 * Implementations: store_sqlite.c (one file, WAL, many processes) and
 * store_cosmos.c (Azure Cosmos DB over REST), listed with their spec
 * schemes in the table of store_backends.c; they build on the document
 * helpers of store_doc.c, never on this interface's wrappers (store.c).
 * The same conformance suite (tests/jobs/store/store_conformance.c,
 * hz__store_conformance()) runs against each.
 *
 * Threads: an hz_store handle is used by ONE thread at a time (the runner
 * opens one handle per worker thread).  Several handles, threads and
 * processes may use the same underlying store concurrently; the
 * operations below state what is atomic.
 *
 * Errors: HZ_ENOTFOUND (no such document), HZ_ECONFLICT (an if_match
 * ETag did not match, or a create found the id taken: a lost race, not a
 * failure of the store), HZ_EIO / HZ_ENET (the store itself failed),
 * HZ_EINVAL (bad arguments, e.g. a document without "id"/"customerId").
 * Messages name the container and the id. */
#ifndef HZ_STORE_H
#define HZ_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "horizon/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Container names. */
#define HZ_STORE_JOBS "jobs"
#define HZ_STORE_DATASETS "datasets"
#define HZ_STORE_RESULTS "results"
#define HZ_STORE_CACHE "cache"
#define HZ_STORE_SCHEDULES "schedules"

/* Largest ETag string, NUL included. */
#define HZ_ETAG_MAX 128
/* Most operations in one atomic batch (Cosmos transactional batch). */
#define HZ_STORE_BATCH_MAX 100
/* Most bytes of documents (their JSON) in one batch of results: Cosmos DB
 * answers 413 to a transactional batch over 2 MB, whatever its count. */
#define HZ_STORE_BATCH_BYTES (1536 * 1024)
/* Most documents a query page returns (page_size is clamped to it). */
#define HZ_STORE_PAGE_MAX 1000

typedef struct hz_store hz_store;

/* ---- put ---- */
typedef enum hz_put_mode {
    HZ_PUT_CREATE = 0, /* HZ_ECONFLICT when (customerId, id) exists */
    HZ_PUT_UPSERT,     /* create or replace */
    HZ_PUT_REPLACE     /* HZ_ENOTFOUND when absent */
} hz_put_mode;

/* ---- batch ---- */
typedef enum hz_op_kind {
    HZ_OP_CREATE = 0, /* as HZ_PUT_CREATE */
    HZ_OP_UPSERT,     /* as HZ_PUT_UPSERT */
    HZ_OP_REPLACE,    /* as HZ_PUT_REPLACE */
    HZ_OP_DELETE      /* HZ_ENOTFOUND when absent */
} hz_op_kind;

typedef struct hz_store_op {
    hz_op_kind kind;
    cJSON *doc;           /* CREATE/UPSERT/REPLACE: the document; on
                             success its "_etag"/"_ts" are updated */
    const char *id;       /* DELETE: the id (doc is NULL) */
    const char *if_match; /* NULL/"" = unconditional; else the write only
                             happens when the stored _etag equals it */
} hz_store_op;

/* ---- query ----
 * The whole query vocabulary: equality filters on a few top-level fields
 * of one container, combined with AND; a NULL field is no filter.
 * Results are ordered by (id, customerId) ascending, so paging is stable
 * while documents are added.  Cosmos SQL equivalent:
 *   SELECT * FROM c WHERE c.customerId = @customerId AND c.status = @status
 *     AND c.type = @type AND c.jobId = @jobId ORDER BY c.id
 * claimable_at (> 0, jobs only) adds the claim filter
 *   (c.status = 'queued' OR (c.status = 'running'
 *                            AND c.leaseExpiry < @claimable_at))
 * and then status must be NULL. */
typedef struct hz_query {
    const char *container;   /* required */
    const char *customer_id; /* partition key; NULL = every tenant */
    const char *status;      /* jobs: "queued", "running", ... */
    const char *type;        /* jobs: "forecast", ... */
    const char *job_id;      /* results: the "jobId" field */
    double claimable_at;     /* jobs: epoch seconds, see above; 0 = off */
} hz_query;

/* ---- claim ----
 * A claimable job is one with status "queued", or status "running" whose
 * "leaseExpiry" (epoch seconds) is < now (its runner died).  Claiming one
 * sets, in one compare-and-set on its _etag:
 *   status = "running", leaseOwner = owner, leaseExpiry = now + lease_s,
 *   attempts = attempts + 1, startedAt = now, updatedAt = now
 * (other fields untouched).  A job is claimed by at most one caller: two
 * concurrent claims never both return the same job (same etag). */
typedef struct hz_claim_request {
    const char *owner;       /* runner id, e.g. "host:pid:rand" */
    double now;              /* epoch seconds (a caller's clock) */
    double lease_s;          /* lease length, > 0 */
    int max_jobs;            /* claim at most this many, >= 1 */
    const char *customer_id; /* only this tenant; NULL = any */
    /* Optional: told of each job the claim failed instead of claiming it
     * (the store refused the claimed document, as Cosmos DB refuses one
     * over 2 MB): rec is the failure record stored, so that the caller
     * can report the failure (called from the claiming thread). */
    void (*refused)(void *ctx, const cJSON *rec);
    void *refused_ctx;
    /* Optional: called with begin true before each write that claims a
     * job and with begin false once it is over (from the claiming
     * thread).  A false answer to begin stops the claim there, returning
     * the jobs won so far (the caller is stopping).  Between the two the
     * caller's cancel (hz_store_set_cancel) should spare the write until
     * a deadline of its own: a claim write abandoned in flight may have
     * taken effect, leaving a job claimed that the caller never hears
     * of; `abandoned` is then told of that job (doc: as it was sent). */
    bool (*writing)(void *ctx, bool begin);
    void (*abandoned)(void *ctx, const cJSON *doc);
    void *write_ctx;
} hz_claim_request;

/* ---- finish ----
 * A write-back in many requests (batches of results, each maybe
 * throttled and retried) may outlast the lease the caller holds, and
 * another runner would then take the job over and compute it again.
 * fn is called before each batch of results and before the job's final
 * replace; it may renew the lease (a conditional write of the job's
 * claimed document, not of its outcome) and then copies the job's new
 * ETag into etag, which the rest of the write-back is conditional on.
 * A status other than HZ_OK stops the write-back with that status and
 * err (HZ_ECONFLICT / HZ_ENOTFOUND: the lease was lost, the job
 * deleted). */
typedef struct hz_finish_keep {
    hz_status (*fn)(void *ctx, char etag[HZ_ETAG_MAX], hz_error *err);
    void *ctx;
} hz_finish_keep;

/* The operations of a store.  Entries marked "optional" may be NULL: the
 * hz_store_* wrappers below then use the generic implementation built on
 * get/put/query/batch (store/store.c). */
typedef struct hz_store_ops {
    const char *name; /* "sqlite", "cosmos" */

    /* Free the handle (and close connections).  NULL-safe wrapper. */
    void (*close)(hz_store *s);

    /* Point read.  *doc_out: the document with _etag (caller frees). */
    hz_status (*get)(hz_store *s, const char *container, const char *id,
                     const char *customer_id, cJSON **doc_out, hz_error *err);

    /* Write doc (must hold string "id" and "customerId").  if_match as in
     * hz_store_op.  On success doc's "_etag" and "_ts" are set to the
     * stored values (doc is modified in place). */
    hz_status (*put)(hz_store *s, const char *container, hz_put_mode mode,
                     cJSON *doc, const char *if_match, hz_error *err);

    /* Delete one document; if_match as above. */
    hz_status (*del)(hz_store *s, const char *container, const char *id,
                     const char *customer_id, const char *if_match,
                     hz_error *err);

    /* One page of a query.  page_size in [1, HZ_STORE_PAGE_MAX] (clamped);
     * continuation NULL for the first page, else the token a previous call
     * returned for the same query.  *docs_out: a JSON array (caller frees,
     * possibly empty); *next_out: malloc'd token of the next page, or NULL
     * when this was the last page.  A page may hold fewer than page_size
     * documents and still have a next page. */
    hz_status (*query)(hz_store *s, const hz_query *q, int page_size,
                       const char *continuation, cJSON **docs_out,
                       char **next_out, hz_error *err);

    /* Atomic batch: 1..HZ_STORE_BATCH_MAX operations in one container and
     * one partition key (each document's customerId must equal
     * customer_id).  All or nothing: when one operation fails nothing is
     * written, *failed_index (may be NULL) is its index, and the status is
     * that operation's (HZ_ECONFLICT, HZ_ENOTFOUND, ...). */
    hz_status (*batch)(hz_store *s, const char *container,
                       const char *customer_id, hz_store_op *ops, size_t nops,
                       size_t *failed_index, hz_error *err);

    /* Optional.  Claim up to req->max_jobs claimable jobs.  *jobs_out: a
     * JSON array of the claimed job documents as stored (new _etag);
     * empty when nothing was claimable.  Oldest ("createdAt") first where
     * the store can. */
    hz_status (*claim)(hz_store *s, const hz_claim_request *req,
                       cJSON **jobs_out, hz_error *err);

    /* Optional.  Finish a job: upsert its result documents (all in
     * "results", all with the job's customerId, deterministic ids so a
     * rewrite overwrites), then replace the job document `job` (its final
     * status) conditionally on if_match (the etag the caller holds from
     * its claim/renewal).  Written in atomic batches of at most
     * HZ_STORE_BATCH_MAX operations per partition key; the job document
     * goes last, so a job is never "succeeded" without all its results.
     * HZ_ECONFLICT: the job's etag changed (the lease was lost to another
     * runner); results already written are harmless (the other runner
     * overwrites the same ids).  On success job's _etag is updated.
     * keep (may be NULL): see hz_finish_keep; a store that writes the
     * results and the job in one transaction need not call it. */
    hz_status (*finish)(hz_store *s, cJSON *job, const char *if_match,
                        cJSON *const *results, size_t nresults,
                        const hz_finish_keep *keep, hz_error *err);

    /* Optional.  Create every document of docs[0..n) (any partition keys)
     * in one transaction: all or nothing.  NULL: the generic version
     * (per-partition atomic batches, undone by deletes when a later batch
     * fails; see hz_store_create_all). */
    hz_status (*create_all)(hz_store *s, const char *container,
                            cJSON *const *docs, size_t n, size_t *failed_index,
                            hz_error *err);

    /* Optional.  Request units charged through this handle so far (Cosmos
     * DB); NULL = the store has no such cost (0). */
    double (*charge)(const hz_store *s);

    /* Optional.  See hz_store_set_cancel; NULL = requests are never
     * abandoned. */
    void (*set_cancel)(hz_store *s, bool (*cancel)(void *ctx), void *ctx);

    /* Optional.  See hz_store_set_until; NULL = a store whose requests
     * need no deadline of the caller's (SQLite: local, its busy timeout
     * bounds a write). */
    void (*set_until)(hz_store *s, double until);
} hz_store_ops;

/* The common head of every store handle; implementations embed it first:
 *   struct hz_sqlite_store { hz_store base; sqlite3 *db; ... }; */
struct hz_store {
    const hz_store_ops *ops;
    /* Time spent inside store operations by this handle, seconds, and the
     * number of operations (kept by the hz_store_* wrappers). */
    double busy_s;
    long nops;
};

/* ---- opening ---- */

/* Flags of hz_store_open_flags. */
enum {
    /* Read only: nothing is created or migrated, writes fail.  A SQLite
     * file in a read-only directory (where the WAL index cannot be
     * created) is read as it was last checkpointed. */
    HZ_STORE_READONLY = 1u << 0,
    /* The store must be there already (SQLite: its file; HZ_ENOTFOUND,
     * "no such file"): nothing is created.  For the commands that change
     * or remove what a store holds (jobs cancel, retry, delete; schedule
     * remove): until 2026-12-07 `jobs delete ID` on a mistyped store path
     * made an empty store there. */
    HZ_STORE_EXISTING = 1u << 1
};

/* Open a store from a spec string:
 *   "sqlite:PATH"   SQLite file (created with its schema when absent)
 *   "PATH"          same as sqlite:PATH when PATH ends in .db/.sqlite
 *   "cosmos"        Cosmos DB from COSMOS_* environment variables
 *   "cosmos:DB"     same, database DB
 * HZ_EINVAL names an unknown scheme. */
hz_status hz_store_open(const char *spec, hz_store **out, hz_error *err);
hz_status hz_store_open_flags(const char *spec, unsigned flags, hz_store **out,
                              hz_error *err);
/* hz_store_open with the handle's cancel (hz_store_set_cancel) set from
 * the start: what the open itself asks the network (Cosmos DB's first
 * Entra ID token) is abandoned with HZ_ECANCELED when cancel says so. */
hz_status hz_store_open_cancel(const char *spec, bool (*cancel)(void *ctx),
                               void *ctx, hz_store **out, hz_error *err);

/* A store implementation as the opener sees it: its spec scheme and its
 * constructor (spec is the whole spec string, "sqlite:PATH", "cosmos:DB"
 * or a bare PATH for sqlite).  The table lives in store_backends.c,
 * ends with a NULL scheme, and is the only place that names them. */
typedef struct hz_store_backend {
    const char *scheme;
    hz_status (*open)(const char *spec, unsigned flags,
                      bool (*cancel)(void *ctx), void *cancel_ctx,
                      hz_store **out, hz_error *err);
} hz_store_backend;
extern const hz_store_backend hz__store_backends[];

/* The implementations' constructors (spec without the "scheme:"). */
hz_status hz_store_sqlite_open(const char *path, hz_store **out,
                               hz_error *err);
hz_status hz__store_sqlite_open_flags(const char *path, unsigned flags,
                                      hz_store **out, hz_error *err);
/* spec: "cosmos" or "cosmos:DATABASE". */
hz_status hz_store_cosmos_open(const char *spec, hz_store **out,
                               hz_error *err);
/* The same, its cancel set from the start (hz_store_open_cancel). */
hz_status hz__store_cosmos_open_cancel(const char *spec,
                                       bool (*cancel)(void *ctx), void *ctx,
                                       hz_store **out, hz_error *err);

/* ---- wrappers (timed; NULL optional ops use the generic versions) ---- */

void hz_store_close(hz_store *s); /* NULL allowed */
const char *hz_store_name(const hz_store *s);

hz_status hz_store_get(hz_store *s, const char *container, const char *id,
                       const char *customer_id, cJSON **doc_out,
                       hz_error *err);
hz_status hz_store_put(hz_store *s, const char *container, hz_put_mode mode,
                       cJSON *doc, const char *if_match, hz_error *err);
hz_status hz_store_delete(hz_store *s, const char *container, const char *id,
                          const char *customer_id, const char *if_match,
                          hz_error *err);
/* Delete a document only while still(ctx) holds, and only as it was
 * when still was asked: it is read (its ETag), still is asked, and the
 * delete is conditional on that ETag.  HZ_ECONFLICT when still said no
 * or the document was written again meanwhile (another writer's, left);
 * HZ_ENOTFOUND when it is not there. */
hz_status hz_store_delete_if(hz_store *s, const char *container,
                            const char *id, const char *customer_id,
                            bool (*still)(void *ctx), void *ctx,
                            hz_error *err);
hz_status hz_store_query(hz_store *s, const hz_query *q, int page_size,
                         const char *continuation, cJSON **docs_out,
                         char **next_out, hz_error *err);
hz_status hz_store_batch(hz_store *s, const char *container,
                         const char *customer_id, hz_store_op *ops,
                         size_t nops, size_t *failed_index, hz_error *err);
hz_status hz_store_claim(hz_store *s, const hz_claim_request *req,
                         cJSON **jobs_out, hz_error *err);
hz_status hz_store_finish(hz_store *s, cJSON *job, const char *if_match,
                          cJSON *const *results, size_t nresults,
                          hz_error *err);
/* hz_store_finish with the caller's lease kept through the write-back
 * (hz_finish_keep; keep NULL: as hz_store_finish). */
hz_status hz_store_finish_keep(hz_store *s, cJSON *job, const char *if_match,
                               cJSON *const *results, size_t nresults,
                               const hz_finish_keep *keep, hz_error *err);
/* Create docs[0..n) in container, all or nothing.  SQLite: one
 * transaction.  Otherwise (Cosmos DB): one atomic batch of at most
 * HZ_STORE_BATCH_MAX documents per partition key at a time; when a later
 * batch fails, the batches already written are deleted again, so the
 * outcome is all or nothing unless the process dies (or the store fails
 * the undo) between two batches.  *failed_index (may be NULL): the
 * document that failed.  HZ_ECONFLICT: an id exists. */
hz_status hz_store_create_all(hz_store *s, const char *container,
                              cJSON *const *docs, size_t n,
                              size_t *failed_index, hz_error *err);
/* Request units charged through s so far (0 for stores without). */
double hz_store_charge(const hz_store *s);
/* A stop condition for s's requests (cancel NULL: none): while cancel(ctx)
 * is true, a request that waits (Cosmos DB: for an answer or a retry's
 * backoff; SQLite: for a lock another process holds) is abandoned within
 * about a second and fails with HZ_ECANCELED; a write abandoned so may still have taken effect (a
 * claim then holds its job until the lease expires).  Called from the
 * thread that uses s. */
void hz_store_set_cancel(hz_store *s, bool (*cancel)(void *ctx), void *ctx);

/* Every request of the handle from now on ends by until (hz_now()
 * clock), retries and waits included, as well as within the store's own
 * deadline (COSMOS_DEADLINE_S); one that would start after it is not
 * sent.  It fails with HZ_ETIMEOUT or HZ_ENET, a store error (a write
 * given up may still have taken effect).  0 lifts it.  A job's
 * write-back runs under one that ends before the job's lease can expire
 * (runner/worker.c).  NULL-safe. */
void hz_store_set_until(hz_store *s, double until);

/* ---- lease helpers (generic, built on put with if_match) ----
 * job is the caller's copy of a job document it claimed; its "_etag" is
 * the compare-and-set version and is updated on success.  HZ_ECONFLICT:
 * the job changed under us (lease lost): stop working on it. */

/* leaseExpiry = until, updatedAt = now.  A renewal that ended with a
 * store error (HZ_ENET, HZ_ETIMEOUT: it may have taken effect) reads the
 * job back and, when the stored job is the one it wrote, adopts its ETag
 * and succeeds. */
hz_status hz_store_renew_lease(hz_store *s, cJSON *job, double now,
                               double until, hz_error *err);
/* Give a job back: status = "queued", lease cleared; when refund is true
 * the attempt is not counted (attempts - 1), e.g. on shutdown. */
hz_status hz_store_release_lease(hz_store *s, cJSON *job, double now,
                                 bool refund, hz_error *err);

/* ---- helpers for implementations (store_doc.c) ---- */

/* Set the claim fields of a claimable job document (see hz_claim_request:
 * attempts + 1 for a queued job, takeovers + 1 for an expired lease). */
void hz__store_mark_claimed(cJSON *doc, const hz_claim_request *req);

/* A store's put (ops->put, or hz_store_put with its checks and timing). */
typedef hz_status (*hz__store_put_fn)(hz_store *s, const char *container,
                                      hz_put_mode mode, cJSON *doc,
                                      const char *if_match, hz_error *err);

/* Claim the claimable job document doc (held: its ETag) with a
 * compare-and-set write through put: hz__store_mark_claimed, the write,
 * and once more without an old error text when the store refuses the
 * document (hz__store_claim_leaner), with req->writing and
 * req->abandoned told as hz_claim_request says.  HZ_ECANCELED without
 * writing when req->writing refuses the write. */
hz_status hz__store_claim_write(hz_store *s, const hz_claim_request *req,
                                cJSON *doc, const char *held,
                                hz__store_put_fn put, hz_error *err);

/* A claimed job document the store refused to write (Cosmos DB: over
 * 2 MB) that still carries the error text of an earlier attempt (a job
 * released after a retryable failure): that text is dropped (its
 * errorReason kept) so that the claim can be made again, smaller; false
 * when there is none (the claim cannot be made smaller). */
bool hz__store_claim_leaner(cJSON *doc);

/* A claimed job document the store refused to write (Cosmos DB: over
 * 2 MB) can never run: it is failed with a lean record, reason "write"
 * (else every claim would stop at it), and req->refused is told when the
 * record is stored.  why: the store's message.  held: the document's
 * ETag. */
void hz__store_fail_unclaimable(hz_store *s, const cJSON *doc,
                                const char *held, const hz_claim_request *req,
                                const char *why);

/* Most bytes of a failure's "error" text in a job document. */
#define HZ_JOB_ERROR_MAX 2048

/* The failure record of a job document (a new document; NULL when memory
 * runs out): status "failed", "errorReason" reason, "error" msg (cut at
 * HZ_JOB_ERROR_MAX bytes, on a UTF-8 boundary, with "... [N bytes cut]"),
 * "finishedAt" and "updatedAt" now, the lease dropped, the rest of job
 * kept.  lean: for a job document the store refuses with its failure
 * (Cosmos DB: over 2 MB), only the job's identity and bookkeeping (id,
 * customerId, type, dataset or datasetId, attempts, takeovers,
 * maxAttempts, timeoutS, createdAt, startedAt, _etag) are kept, and the
 * fields left out are named in "droppedFields" and in the error, so the
 * record fits any store whatever the job document held. */
cJSON *hz_store_failure_record(const cJSON *job, const char *reason,
                               const char *msg, double now, bool lean);

/* Find a job by id: a point read when tenant is known, otherwise a scan
 * of every tenant's jobs page by page.  HZ_ENOTFOUND ("no job 'ID'") when
 * absent; *out is the caller's to cJSON_Delete. */
hz_status hz_store_find_job(hz_store *s, const char *id, const char *tenant,
                            cJSON **out, hz_error *err);
/* Check doc has string id and customerId (and customerId == pk when pk is
 * not NULL); sets a message naming the container. */
hz_status hz__store_check_doc(const char *container, const cJSON *doc,
                              const char *pk, hz_error *err);
/* True for the container names above. */
bool hz__store_container_ok(const char *container);

/* Generic claim: query claimable jobs, then compare-and-set each with
 * put(REPLACE, if_match) until max_jobs are won. */
hz_status hz__store_generic_claim(hz_store *s, const hz_claim_request *req,
                                  cJSON **jobs_out, hz_error *err);
/* Generic finish: batches of upserts into "results" (at most
 * HZ_STORE_BATCH_MAX documents and HZ_STORE_BATCH_BYTES of them, or a
 * single larger one), then put(REPLACE, if_match) of the job. */
hz_status hz__store_generic_finish(hz_store *s, cJSON *job,
                                   const char *if_match, cJSON *const *results,
                                   size_t nresults, const hz_finish_keep *keep,
                                   hz_error *err);
/* Call keep (when not NULL) with etag, the ETag the rest of a write-back
 * is conditional on (updated when keep renews the lease). */
hz_status hz__store_keep(const hz_finish_keep *keep, char etag[HZ_ETAG_MAX],
                         hz_error *err);

#ifdef __cplusplus
}
#endif
#endif
