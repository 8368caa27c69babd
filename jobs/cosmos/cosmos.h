/* Azure Cosmos DB (NoSQL API) client over the REST API, with libcurl.
 *
 * One hz_cosmos holds the account configuration (endpoint, master key,
 * database, CA bundle) and a pool of curl easy handles so that
 * connections are kept alive and reused; it is safe to share between
 * threads (each request borrows a handle from the pool).
 *
 * Every request is signed with the master key (HMAC-SHA256, see
 * hz_cosmos_auth_header) or, when no key is configured, carries a
 * Microsoft Entra ID token ("type=aad&ver=1.0&sig=TOKEN", url-encoded;
 * jobs/net/entra.h: managed identity, workload identity or a service
 * principal; a 401 makes it fetch a new token once), and is retried on throttling (429, honouring
 * x-ms-retry-after-ms) and on transient faults (408, 449, 503, connection
 * errors) with exponential backoff and jitter within a total deadline.
 * 412 is reported as HZ_ECONFLICT (a lost optimistic-concurrency race),
 * 409 as HZ_ECONFLICT too, 404 as HZ_ENOTFOUND; other 4xx are not retried
 * and are reported with the service's message.  The master key never
 * appears in an error message, a log line or a metric.
 *
 * Request charges (x-ms-request-charge) are summed per client and per
 * calling thread (hz_cosmos_thread_charge) so that a runner can attribute
 * RUs to the job and stage it is running on that thread. */
#ifndef HZ_COSMOS_H
#define HZ_COSMOS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "horizon/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* REST API version sent as x-ms-version. */
#define HZ_COSMOS_API_VERSION "2018-12-31"
/* Most operations a transactional batch may hold. */
#define HZ_COSMOS_BATCH_MAX 100

typedef struct hz_cosmos hz_cosmos;

typedef struct hz_cosmos_config {
    char endpoint[512];    /* "https://account.documents.azure.com:443/" */
    char key[256];         /* base64 master key (never printed); "" =
                              Microsoft Entra ID token */
    char aad_scope[512];   /* token scope; "" = https://HOST/.default with
                              the service-wide scope as fallback */
    char database[256];    /* database id, default "horizon" */
    char ca_cert[1024];    /* optional PEM bundle for an emulator's cert */
    double timeout_s;      /* one HTTP attempt, default 10 s */
    double deadline_s;     /* all attempts of one operation, default 60 s */
    double backoff_base_s; /* first backoff, default 0.05 s */
    double backoff_max_s;  /* largest single backoff, default 5 s */
    unsigned seed;         /* jitter seed (0: from the clock) */
    /* May be NULL: the client's cancel (hz_cosmos_set_cancel) from the
     * start, so that the first Entra ID token, fetched by hz_cosmos_open,
     * is abandoned too (HZ_ECANCELED) when it says so. */
    bool (*cancel)(void *ctx);
    void *cancel_ctx;
} hz_cosmos_config;

/* Fill cfg with defaults, then COSMOS_ENDPOINT, COSMOS_KEY (optional:
 * without it requests carry Entra ID tokens), COSMOS_DATABASE (default
 * "horizon"), COSMOS_CA_CERT, COSMOS_TIMEOUT_S, COSMOS_DEADLINE_S and
 * AZURE_COSMOS_AAD_SCOPE_OVERRIDE (the token scope, as the SDKs read it)
 * from the environment.  Fails with HZ_EINVAL naming the variable when
 * the endpoint is absent or a value is too long (never echoing the
 * key). */
hz_status hz_cosmos_config_from_env(hz_cosmos_config *cfg, hz_error *err);

/* Set only the defaults (no environment). */
void hz_cosmos_config_defaults(hz_cosmos_config *cfg);

/* Create a client.  The key must be valid base64 (checked here).  Without
 * a key the Entra ID credential is chosen from the environment and a
 * first token is fetched now, so that a credential that cannot work is
 * reported here (the message names COSMOS_KEY, the source and its
 * endpoint).  TLS verification is always on; cfg->ca_cert adds a trusted
 * bundle. */
hz_status hz_cosmos_open(const hz_cosmos_config *cfg, hz_cosmos **out,
                         hz_error *err);
/* Free the client and its pooled handles (NULL allowed). */
void hz_cosmos_close(hz_cosmos *c);

/* A stop condition for the client's requests (NULL: none): while
 * cancel(ctx) is true, a request in flight is abandoned (libcurl asks
 * about once a second), a wait between attempts ends, and no attempt is
 * started; the request fails with HZ_ECANCELED.  An abandoned write may
 * still have taken effect.  cancel is called from the requesting thread
 * and must be cheap.  Set it before requests are made. */
void hz_cosmos_set_cancel(hz_cosmos *c, bool (*cancel)(void *ctx),
                          void *ctx);

/* A deadline for every request of the client from now on, hz_now()
 * clock, on top of COSMOS_DEADLINE_S (the sooner of the two ends a
 * request, its retries and waits included); 0 lifts it.  A request that
 * would start at or after it is not sent (HZ_ETIMEOUT).  A job's
 * write-back sets it to end before the job's lease can expire
 * (runner/worker.c).  Like the cancel, for the requesting thread. */
void hz_cosmos_set_until(hz_cosmos *c, double until);

/* Database id of the client. */
const char *hz_cosmos_database(const hz_cosmos *c);

/* How requests are authorized: "master key", or "Entra ID (SOURCE,
 * scope SCOPE)" into out. */
void hz_cosmos_auth_describe(const hz_cosmos *c, char *out, size_t outsz);

/* ---- authorization ---- */

/* RFC 1123 date of t ("Fri, 27 Nov 2026 02:29:04 GMT") into out. */
void hz_cosmos_http_date(time_t t, char out[32]);

/* The Authorization header value for a master key:
 * url-encode("type=master&ver=1.0&sig=" + base64(HMAC-SHA256(
 *   base64-decode(key), lower(verb) "\n" lower(resource_type) "\n"
 *   resource_link "\n" lower(date) "\n" "\n"))).
 * resource_link is e.g. "dbs/horizon/colls/jobs/docs/j1" (a document),
 * "dbs/horizon/colls/jobs" (docs of a container), "" (dbs). */
hz_status hz_cosmos_auth_header(const char *key_b64, const char *verb,
                                const char *resource_type,
                                const char *resource_link, const char *date,
                                char *out, size_t outsz, hz_error *err);

/* ---- metrics ---- */

/* Total request units charged to this client so far. */
double hz_cosmos_total_charge(hz_cosmos *c);
/* Request units charged to requests made by the calling thread (all
 * clients); diff it around a stage to attribute RUs. */
double hz_cosmos_thread_charge(void);

typedef struct hz_cosmos_stats {
    long requests;  /* HTTP attempts */
    long retries;   /* attempts that were retries */
    long throttled; /* 429 answers */
    long transient; /* 408/449/5xx/connection errors retried */
    double charge;  /* RUs */
} hz_cosmos_stats;
void hz_cosmos_get_stats(hz_cosmos *c, hz_cosmos_stats *out);

/* ---- documents ---- */

/* Point read of a document by id and partition key.  *doc_out is the
 * document (caller frees with cJSON_Delete); etag_out (may be NULL,
 * >= 64 bytes) receives its _etag verbatim.  HZ_ENOTFOUND when absent. */
hz_status hz_cosmos_read(hz_cosmos *c, const char *coll, const char *id,
                         const char *pk, cJSON **doc_out, char *etag_out,
                         size_t etag_sz, hz_error *err);

typedef enum hz_cosmos_write_mode {
    HZ_COSMOS_CREATE, /* POST; 409 -> HZ_ECONFLICT when it exists */
    HZ_COSMOS_UPSERT, /* POST + x-ms-documentdb-is-upsert */
    HZ_COSMOS_REPLACE /* PUT on the document; 404 when absent */
} hz_cosmos_write_mode;

/* ambiguous_out (write, delete, batch; may be NULL): set true when an
 * earlier attempt of the call failed in a way that may have reached the
 * service (a timeout, a dropped connection, 408/5xx, a damaged answer,
 * or libcurl's own resend of the request on a new connection when a
 * kept-alive one died) before the attempt that gave the final answer.  A 409/412/404 after such
 * a retry may be our own earlier attempt's effect: the caller can read
 * the document back to tell (the store does). */

/* Write doc (which must hold "id" and the partition key property) with
 * partition key pk.  if_match (NULL or "") makes the write conditional
 * on that ETag: a mismatch is HZ_ECONFLICT.  *doc_out (may be NULL)
 * receives the stored document, etag_out its new ETag. */
hz_status hz_cosmos_write(hz_cosmos *c, const char *coll,
                          hz_cosmos_write_mode mode, const char *pk,
                          const cJSON *doc, const char *if_match,
                          cJSON **doc_out, char *etag_out, size_t etag_sz,
                          bool *ambiguous_out, hz_error *err);

/* Delete a document; if_match as above.  HZ_ENOTFOUND when absent. */
hz_status hz_cosmos_delete(hz_cosmos *c, const char *coll, const char *id,
                           const char *pk, const char *if_match,
                           bool *ambiguous_out, hz_error *err);

/* One page of a parameterised SQL query.  params is a JSON array of
 * {"name":"@x","value":...} (may be NULL).  pk (may be NULL) restricts
 * the query to one partition (the SQL should still filter on it: some
 * emulators ignore the header); NULL sends a cross-partition query.
 * max_items <= 0 lets the service choose.  continuation is the token
 * of the previous page (NULL for the first).  *docs_out is a JSON array
 * (caller frees); *next_out (caller frees, may be NULL) is the next
 * page's token or NULL after the last page. */
hz_status hz_cosmos_query(hz_cosmos *c, const char *coll, const char *sql,
                          const cJSON *params, const char *pk, int max_items,
                          const char *continuation, cJSON **docs_out,
                          char **next_out, hz_error *err);

/* Transactional batch: at most HZ_COSMOS_BATCH_MAX operations on one
 * partition key, executed atomically by the service.  ops is a JSON array
 * of {"operationType":"Create|Upsert|Replace|Delete|Read","id":...,
 * "resourceBody":{...},"ifMatch":"..."}; the partition key is added to
 * each operation.  *results_out (may be NULL; caller frees) receives the
 * per-operation results (statusCode, eTag, resourceBody).  When an
 * operation fails (207 multi-status, or an error status in a 200 list)
 * the call fails: HZ_ECONFLICT for 409/412 and *failed_index (may be
 * NULL) tells which operation. */
hz_status hz_cosmos_batch(hz_cosmos *c, const char *coll, const char *pk,
                          const cJSON *ops, cJSON **results_out,
                          int *failed_index, bool *ambiguous_out,
                          hz_error *err);

/* A transactional batch of 1..HZ_COSMOS_BATCH_MAX upserts of documents
 * given as JSON text (docs[i], lens[i] bytes: objects holding "id" and
 * the partition key property), sent as hz_cosmos_batch sends them but
 * without parsing or printing the documents again (a caller that printed
 * them to measure them sends that text).  Errors as hz_cosmos_batch. */
hz_status hz_cosmos_batch_upsert_json(hz_cosmos *c, const char *coll,
                                      const char *pk,
                                      const char *const *docs,
                                      const size_t *lens, int n,
                                      int *failed_index, bool *ambiguous_out,
                                      hz_error *err);

/* ---- provisioning ---- */

/* Create the client's database (409 = exists = HZ_OK).  autoscale_max
 * > 0 sets x-ms-cosmos-offer-autopilot-settings on the database. */
hz_status hz_cosmos_create_database(hz_cosmos *c, long autoscale_max,
                                    bool *created, hz_error *err);
/* Create a container with partition key path pk_path ("/customerId")
 * and indexing policy (a JSON object, may be NULL); 409 = HZ_OK. */
hz_status hz_cosmos_create_container(hz_cosmos *c, const char *coll,
                                     const char *pk_path,
                                     const cJSON *indexing_policy,
                                     long autoscale_max, bool *created,
                                     hz_error *err);

/* ---- store glue ---- */

struct hz_store;
/* Request units charged through a store handle opened by
 * hz_store_cosmos_open (jobs/store/store_cosmos.c); 0 for any other store.
 * The runner opens one handle per worker: diff it around a stage. */
double hz__store_cosmos_charge(const struct hz_store *s);
/* The client of a store handle opened by hz_store_cosmos_open (its
 * statistics, for tests); NULL for any other store. */
hz_cosmos *hz__store_cosmos_client(const struct hz_store *s);

/* ---- low level (tests) ---- */

typedef struct hz_cosmos_response {
    long status;    /* HTTP status of the last attempt (0: none) */
    long substatus; /* x-ms-substatus */
    double charge;  /* x-ms-request-charge of all attempts */
    char etag[128];
    char *continuation; /* x-ms-continuation (malloc'd) or NULL */
    char *body;         /* raw body (malloc'd, NUL-terminated) or NULL */
    size_t body_len;
    int attempts;
    bool ambiguous; /* see ambiguous_out above */
} hz_cosmos_response;

void hz_cosmos_response_free(hz_cosmos_response *r);

/* One signed request with the retry policy.  resource_type/link are the
 * signature's; path is appended to the endpoint ("dbs/x/colls/y/docs").
 * extra_headers is a NULL-terminated list of "Name: value" strings.  The
 * status decides the hz_status as described above; the response is
 * filled in either case. */
hz_status hz_cosmos_request(hz_cosmos *c, const char *verb, const char *path,
                            const char *resource_type,
                            const char *resource_link,
                            const char *const *extra_headers, const char *body,
                            size_t body_len, hz_cosmos_response *resp,
                            hz_error *err);

#ifdef __cplusplus
}
#endif
#endif
