/* Job artifacts in the store.  See artifact.h. */
#include "net/cjson.h"
#include "store/artifact.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <zlib.h>

#include "store/job.h"

static void chunk_id(const char *job_id, const char *kind, size_t k, char *out,
                     size_t outsz)
{
    snprintf(out, outsz, "%s-%s%05zu", job_id, kind, k);
}

/* zlib-compress then base64-encode; *b64 malloc'd, NUL-terminated. */
static hz_status encode(const void *data, size_t len, char **b64,
                        size_t *b64len, hz_error *err)
{
    uLongf zcap = compressBound((uLong)len);
    unsigned char *z = malloc(zcap ? zcap : 1);
    if (z == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    if (compress2(z, &zcap, data, (uLong)len, 6) != Z_OK) {
        free(z);
        return hz_error_set(err, HZ_EINTERNAL, "zlib could not compress");
    }
    if (zcap > (uLongf)INT_MAX / 2) {
        free(z);
        return hz_error_set(err, HZ_EINVAL, "artifact too large");
    }
    size_t cap = 4 * ((zcap + 2) / 3) + 1;
    char *out = malloc(cap);
    if (out == NULL) {
        free(z);
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    }
    int n = EVP_EncodeBlock((unsigned char *)out, z, (int)zcap);
    free(z);
    out[n] = '\0';
    *b64 = out;
    *b64len = (size_t)n;
    return HZ_OK;
}

hz_status hz_artifact_encode(const cJSON *job, const char *kind,
                             const void *data, size_t len, cJSON ***docs,
                             size_t *n, cJSON **meta, hz_error *err)
{
    const char *id = hz__cjson_str(job, "id");
    const char *pk = hz__cjson_str(job, "customerId");
    if (id == NULL || pk == NULL || kind == NULL || data == NULL)
        return hz_error_set(err, HZ_EINVAL, "artifact: job without id");
    char *b64 = NULL;
    size_t blen = 0;
    hz_status st = encode(data, len, &b64, &blen, err);
    if (st != HZ_OK)
        return st;
    size_t nch = blen ? (blen + HZ_ARTIFACT_CHUNK - 1) / HZ_ARTIFACT_CHUNK : 1;
    cJSON **d = calloc(nch, sizeof *d);
    cJSON *m = cJSON_CreateObject();
    if (d == NULL || m == NULL) {
        free(b64);
        free(d);
        cJSON_Delete(m);
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    }
    for (size_t k = 0; k < nch; k++) {
        char cid[HZ_JOB_ID_MAX + 48];
        chunk_id(id, kind, k, cid, sizeof cid);
        size_t off = k * HZ_ARTIFACT_CHUNK;
        size_t take = blen - off < HZ_ARTIFACT_CHUNK ? blen - off
                                                     : HZ_ARTIFACT_CHUNK;
        char saved = b64[off + take];
        b64[off + take] = '\0';
        cJSON *doc = cJSON_CreateObject();
        cJSON_AddStringToObject(doc, "id", cid);
        cJSON_AddStringToObject(doc, "customerId", pk);
        cJSON_AddStringToObject(doc, "artifactOf", id);
        cJSON_AddStringToObject(doc, "kind", kind);
        cJSON_AddNumberToObject(doc, "chunk", (double)k);
        cJSON *content = cJSON_AddObjectToObject(doc, "content");
        cJSON_AddStringToObject(content, "z64", b64 + off);
        b64[off + take] = saved;
        d[k] = doc;
    }
    cJSON_AddStringToObject(m, "encoding", "zlib+base64");
    cJSON_AddNumberToObject(m, "chunks", (double)nch);
    cJSON_AddNumberToObject(m, "bytes", (double)len);
    cJSON_AddNumberToObject(m, "storedBytes", (double)blen);
    cJSON_AddNumberToObject(m, "crc32", (double)crc32(0L, data, (uInt)len));
    free(b64);
    *docs = d;
    *n = nch;
    *meta = m;
    return HZ_OK;
}

hz_status hz_artifact_put(hz_store *s, const cJSON *job, const char *kind,
                          const void *data, size_t len, cJSON **meta,
                          hz_error *err)
{
    return hz_artifact_put_keep(s, job, kind, data, len, NULL, meta, err);
}

hz_status hz_artifact_put_keep(hz_store *s, const cJSON *job,
                               const char *kind, const void *data, size_t len,
                               const hz_finish_keep *keep, cJSON **meta,
                               hz_error *err)
{
    cJSON **docs = NULL, *m = NULL;
    size_t n = 0;
    hz_status st = hz_artifact_encode(job, kind, data, len, &docs, &n, &m,
                                      err);
    if (st != HZ_OK)
        return st;
    char etag[HZ_ETAG_MAX] = "";
    size_t sent = 0; /* chunks sent (the last may have failed, or not) */
    bool put_failed = false;
    for (size_t k = 0; k < n && st == HZ_OK; k++) {
        st = hz__store_keep(keep, etag, err);
        if (st == HZ_OK) {
            sent = k + 1;
            st = hz_store_put(s, HZ_STORE_RESULTS, HZ_PUT_UPSERT, docs[k],
                              NULL, err);
            put_failed = st != HZ_OK;
        }
    }
    /* An upload that failed part way leaves no chunk behind: no job
     * record names them, and nothing else would remove them (until
     * 2026-12-07 they stayed, orphans).  Not when the job was lost
     * (another owner writes the same chunk ids) or the caller stopped:
     * best effort, within the store's deadline, the first error kept.
     * Only when a chunk's put failed, the lease just kept: a keep that
     * failed (its renewals failing for 2/3 of a lease, or no time left)
     * does not know the job still held, and it may be taken over before
     * the deletes end (the keep lifted the lease's deadline to renew):
     * until 2026-12-07 they could remove the new owner's chunks. */
    if (put_failed && st != HZ_ECONFLICT && st != HZ_ENOTFOUND &&
        st != HZ_ECANCELED) {
        hz_error e2;
        for (size_t k = 0; k < sent; k++)
            hz_store_delete(s, HZ_STORE_RESULTS,
                            hz__cjson_str(docs[k], "id"),
                            hz__cjson_str(docs[k], "customerId"), NULL, &e2);
    }
    for (size_t k = 0; k < n; k++)
        cJSON_Delete(docs[k]);
    free(docs);
    if (st != HZ_OK) {
        cJSON_Delete(m);
        return st;
    }
    *meta = m;
    return HZ_OK;
}

/* Concatenate the base64 text of the chunks. */
static hz_status read_chunks(hz_store *s, const char *id, const char *pk,
                             const char *kind, size_t nch, size_t blen,
                             char **out, hz_error *err)
{
    char *b64 = malloc(blen + 1);
    if (b64 == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    size_t at = 0;
    for (size_t k = 0; k < nch; k++) {
        char cid[HZ_JOB_ID_MAX + 48];
        chunk_id(id, kind, k, cid, sizeof cid);
        cJSON *doc = NULL;
        hz_status st = hz_store_get(s, HZ_STORE_RESULTS, cid, pk, &doc, err);
        if (st != HZ_OK) {
            free(b64);
            if (st == HZ_ENOTFOUND)
                return hz_error_set(err, HZ_EPARSE,
                                    "job %s: %s chunk %zu of %zu is missing",
                                    id, kind, k + 1, nch);
            return st;
        }
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(doc, "content");
        const char *z = hz__cjson_str(c, "z64");
        size_t zl = z ? strlen(z) : 0;
        if (z == NULL || at + zl > blen) {
            cJSON_Delete(doc);
            free(b64);
            return hz_error_set(err, HZ_EPARSE,
                                "job %s: %s chunk %zu does not match the "
                                "job's record",
                                id, kind, k + 1);
        }
        memcpy(b64 + at, z, zl);
        at += zl;
        cJSON_Delete(doc);
    }
    b64[at] = '\0';
    if (at != blen) {
        free(b64);
        return hz_error_set(err, HZ_EPARSE,
                            "job %s: %s chunks hold %zu characters, the job "
                            "records %zu",
                            id, kind, at, blen);
    }
    *out = b64;
    return HZ_OK;
}

/* base64-decode and inflate into exactly len bytes. */
static hz_status decode(const char *id, const char *kind, const char *b64,
                        size_t blen, size_t len, unsigned long crc,
                        char **data, hz_error *err)
{
    if (blen % 4 != 0 || blen > (size_t)INT_MAX)
        return hz_error_set(err, HZ_EPARSE, "job %s: %s is not base64", id,
                            kind);
    unsigned char *z = malloc(blen / 4 * 3 + 1);
    char *out = malloc(len + 1);
    if (z == NULL || out == NULL) {
        free(z);
        free(out);
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    }
    int zl = EVP_DecodeBlock(z, (const unsigned char *)b64, (int)blen);
    if (zl >= 0 && blen >= 1 && b64[blen - 1] == '=')
        zl--;
    if (zl >= 0 && blen >= 2 && b64[blen - 2] == '=')
        zl--;
    uLongf got = (uLongf)len;
    bool ok = zl >= 0 &&
              uncompress((Bytef *)out, &got, z, (uLong)zl) == Z_OK &&
              got == (uLongf)len &&
              crc32(0L, (const Bytef *)out, (uInt)len) == crc;
    free(z);
    if (!ok) {
        free(out);
        return hz_error_set(err, HZ_EPARSE,
                            "job %s: the stored %s is damaged (its size or "
                            "checksum does not match)",
                            id, kind);
    }
    out[len] = '\0';
    *data = out;
    return HZ_OK;
}

hz_status hz_artifact_get(hz_store *s, const cJSON *job, const char *kind,
                          char **data, size_t *len, hz_error *err)
{
    const char *id = hz__cjson_str(job, "id");
    const char *pk = hz__cjson_str(job, "customerId");
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(job, kind);
    if (id == NULL || pk == NULL)
        return hz_error_set(err, HZ_EINVAL, "artifact: job without id");
    if (!cJSON_IsObject(m))
        return hz_error_set(err, HZ_ENOTFOUND, "job %s has no %s", id, kind);
    const char *why = hz__cjson_str(m, "error");
    if (why != NULL)
        return hz_error_set(err, HZ_ENOTFOUND, "job %s has no %s: %s", id,
                            kind, why);
    double nch = hz__cjson_num(m, "chunks", -1),
           bytes = hz__cjson_num(m, "bytes", -1);
    double blen = hz__cjson_num(m, "storedBytes", -1),
           crc = hz__cjson_num(m, "crc32", -1);
    const char *enc = hz__cjson_str(m, "encoding");
    if (enc == NULL || strcmp(enc, "zlib+base64") != 0 || nch < 1 ||
        bytes < 0 || blen < 0 || crc < 0 || nch > 1e6 || bytes > 1e12)
        return hz_error_set(err, HZ_EPARSE,
                            "job %s: unreadable %s record on the job", id,
                            kind);
    char *b64 = NULL;
    hz_status st = read_chunks(s, id, pk, kind, (size_t)nch, (size_t)blen,
                               &b64, err);
    if (st != HZ_OK)
        return st;
    st = decode(id, kind, b64, (size_t)blen, (size_t)bytes, (unsigned long)crc,
                data, err);
    free(b64);
    if (st == HZ_OK && len != NULL)
        *len = (size_t)bytes;
    return st;
}

hz_status hz_artifact_delete(hz_store *s, const cJSON *job, const char *kind,
                             hz_error *err)
{
    return hz_artifact_delete_if(s, job, kind, NULL, NULL, err);
}

hz_status hz_artifact_delete_if(hz_store *s, const cJSON *job,
                                const char *kind, bool (*still)(void *ctx),
                                void *ctx, hz_error *err)
{
    const char *id = hz__cjson_str(job, "id");
    const char *pk = hz__cjson_str(job, "customerId");
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(job, kind);
    double nch = hz__cjson_num(m, "chunks", 0);
    if (id == NULL || pk == NULL || !(nch >= 1 && nch <= 1e6))
        return HZ_OK;
    for (size_t k = 0; k < (size_t)nch; k++) {
        char cid[HZ_JOB_ID_MAX + 48];
        chunk_id(id, kind, k, cid, sizeof cid);
        hz_status st =
            still != NULL
                ? hz_store_delete_if(s, HZ_STORE_RESULTS, cid, pk, still, ctx,
                                     err)
                : hz_store_delete(s, HZ_STORE_RESULTS, cid, pk, NULL, err);
        if (st != HZ_OK && st != HZ_ENOTFOUND)
            return st;
    }
    return HZ_OK;
}
