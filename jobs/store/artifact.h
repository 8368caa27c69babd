/* Job artifacts: a file a job made (its HTML report) kept in the store
 * next to its results.
 *
 * The bytes are compressed with zlib, encoded in base64 and cut into
 * documents of at most HZ_ARTIFACT_CHUNK characters (Cosmos DB accepts
 * documents of up to 2 MB), in the "results" container under the job's
 * tenant:
 *
 *   {"id": "<jobId>-<kind><chunk, 5 digits>", "customerId": tenant,
 *    "artifactOf": jobId, "kind": "report", "chunk": k,
 *    "content": {"z64": "..."}}
 *
 * ("artifactOf", not "jobId": the chunks are not result rows; "content"
 * is excluded from the Cosmos index).  The job document records
 *
 *   "<kind>": {"encoding": "zlib+base64", "chunks": n, "bytes": size,
 *              "storedBytes": base64 size, "crc32": crc of the bytes}
 *
 * and a reader checks the chunk count, the size and the CRC, so a
 * missing or stale chunk is an error, never a truncated file.  Chunks are
 * written one document at a time (a transactional batch is capped at
 * 2 MB too) and before the job's final status. */
#ifndef HZ_ARTIFACT_H
#define HZ_ARTIFACT_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "horizon/common.h"
#include "store/store.h"

/* Base64 characters per chunk document. */
#define HZ_ARTIFACT_CHUNK (1024 * 1024)

/* Compress and encode data[0..len): *docs (n documents, caller deletes
 * each and frees the array) for job (its "id" and "customerId"), and the
 * record for the job document (*meta, caller owns). */
hz_status hz_artifact_encode(const cJSON *job, const char *kind,
                             const void *data, size_t len, cJSON ***docs,
                             size_t *n, cJSON **meta, hz_error *err);

/* Encode and upsert the chunks; *meta as above.  Errors name the job. */
hz_status hz_artifact_put(hz_store *s, const cJSON *job, const char *kind,
                          const void *data, size_t len, cJSON **meta,
                          hz_error *err);
/* The same, keep (may be NULL; see hz_finish_keep) called before each
 * chunk's request: a job's write-back keeps its lease through its
 * report's chunks as through its results; a status other than HZ_OK
 * stops the put with it.  The etag keep is given is not used (the
 * chunks are unconditional upserts).  A put that failed part way, a
 * chunk's request failing, deletes the chunks it sent, except when the
 * job was lost (HZ_ECONFLICT, HZ_ENOTFOUND) or the caller stopped
 * (HZ_ECANCELED); one that keep stopped deletes none (the lease not
 * known held: a new owner may be writing the same chunk ids). */
hz_status hz_artifact_put_keep(hz_store *s, const cJSON *job,
                               const char *kind, const void *data, size_t len,
                               const hz_finish_keep *keep, cJSON **meta,
                               hz_error *err);

/* Read a job's artifact back (point reads under the job's tenant):
 * *data (NUL-terminated, caller frees) and *len.  HZ_ENOTFOUND when the
 * job has none ("job J has no report"), HZ_EPARSE when a chunk is missing
 * or the bytes do not match the record. */
hz_status hz_artifact_get(hz_store *s, const cJSON *job, const char *kind,
                          char **data, size_t *len, hz_error *err);

/* Delete the chunks of job's artifact kind that its record names (a
 * chunk already gone is no error); nothing when the job records none. */
hz_status hz_artifact_delete(hz_store *s, const cJSON *job, const char *kind,
                             hz_error *err);
/* As hz_artifact_delete, each chunk only while still(ctx) holds and as
 * it was then (hz_store_delete_if): HZ_ECONFLICT at the first chunk
 * still refused or written again meanwhile. */
hz_status hz_artifact_delete_if(hz_store *s, const cJSON *job,
                                const char *kind, bool (*still)(void *ctx),
                                void *ctx, hz_error *err);

#endif
