/* Differential fuzz target for CSV ingest: every parse path (the row
 * loop, the per-separator loop, libcsv), chunking with two threads and
 * reading from a file in small blocks must give the same table, or the
 * same error, as a plain serial parse of the same bytes.
 *
 * Input: byte 0 picks on_error (bit 0), the chunk size (bits 1-6) and
 * the decimal mark (bit 7: ','), byte 1 the file read's block size (bits
 * 0-5) and parse path (bits 6-7); the rest is the CSV text. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "horizon/csv.h"

static char path[4096]; /* the scratch file, also the name in messages */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *tmp = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/hz_fuzz_csv_%ld.csv", tmp ? tmp : "/tmp",
             (long)getpid());
    return 0;
}

typedef struct variant {
    const char *what;
    int path, threads;
    size_t chunk, block; /* block > 0: read path from a file */
} variant;

/* The outcome of one parse as text: the error, or the shape, a hash of
 * every cell (type and text) and the skip report. */
static void outcome(const uint8_t *buf, size_t len, hz_on_error on_error,
                    char decimal, const variant *v, char *out, size_t outsz)
{
    hz_csv_options o;
    hz_csv_options_init(&o);
    o.on_error = on_error;
    o.decimal = decimal;
    o.threads = v->threads;
    o.chunk_bytes = v->chunk;
    o.force_path = v->path;
    hz_dataset *ds = NULL;
    hz_error err;
    hz_error_clear(&err);
    hz_csv_report rep;
    hz_status st;
    if (v->block > 0) {
        FILE *f = fopen(path, "wb");
        if (f == NULL || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
            fprintf(stderr, "fuzz_csv: could not write %s\n", path);
            abort();
        }
        o.block_bytes = v->block;
        st = hz_csv_read(path, &o, &ds, &rep, &err);
    } else {
        st = hz_csv_read_buffer((const char *)buf, len, path, &o, &ds, &rep,
                                &err);
    }
    if (st != HZ_OK) {
        FUZZ_CHECK(strstr(err.msg, path) != NULL,
                   "error without the file name: %s", err.msg);
        snprintf(out, outsz, "error %d: %s", (int)st, err.msg);
        return;
    }
    uint64_t h = 1469598103934665603ULL;
    char cell[64];
    for (size_t j = 0; j < ds->ncols; j++) {
        const hz_column *c = &ds->cols[j];
        h = (h ^ (uint64_t)c->type) * 1099511628211ULL;
        for (const char *p = c->name; *p; p++)
            h = (h ^ (unsigned char)*p) * 1099511628211ULL;
        for (size_t r = 0; r < ds->nrows; r++) {
            const char *t = hz_col_text(c, r, cell, sizeof cell);
            for (const char *p = t ? t : "<null>"; *p; p++)
                h = (h ^ (unsigned char)*p) * 1099511628211ULL;
            h = (h ^ 0xff) * 1099511628211ULL;
        }
    }
    snprintf(out, outsz, "ok %zux%zu %016llx, %zu skipped, first: %s",
             ds->nrows, ds->ncols, (unsigned long long)h, rep.rows_skipped,
             rep.nreported ? rep.reported[0] : "-");
    hz_dataset_free(ds);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    if (path[0] == '\0')
        LLVMFuzzerInitialize(NULL, NULL);
    const hz_on_error on_error = (data[0] & 1) ? HZ_ON_ERROR_SKIP
                                               : HZ_ON_ERROR_FAIL;
    const size_t chunk = 2 + (size_t)((data[0] >> 1) & 63) * 3;
    const char decimal = (data[0] & 0x80) ? ',' : '.';
    const size_t block = 1 + (size_t)(data[1] & 63);
    const int fpath = data[1] >> 6;
    const uint8_t *csv = data + 2;
    const size_t len = size - 2;

    static char ref[2 * HZ_ERROR_MAX + 128], got[2 * HZ_ERROR_MAX + 128];
    const variant base = {"serial", 0, 1, (size_t)1 << 30, 0};
    outcome(csv, len, on_error, decimal, &base, ref, sizeof ref);
    const variant vs[] = {
        {"fast path only", 1, 1, (size_t)1 << 30, 0},
        {"libcsv", 2, 1, (size_t)1 << 30, 0},
        {"per-separator loop", 3, 1, (size_t)1 << 30, 0},
        {"chunked, 2 threads", 0, 2, chunk, 0},
        {"chunked, per-separator loop", 3, 2, chunk, 0},
        {"chunked, libcsv", 2, 2, chunk, 0},
        {"file in small blocks", fpath, 1, (size_t)1 << 30, block},
        {"file in small blocks, chunked", fpath, 2, chunk, block},
    };
    for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++) {
        outcome(csv, len, on_error, decimal, &vs[i], got, sizeof got);
        FUZZ_CHECK(strcmp(ref, got) == 0,
                   "%s (chunk %zu, block %zu, path %d, on_error %s) "
                   "differs from the serial parse:\n  serial: %s\n  %s: %s",
                   vs[i].what, vs[i].chunk, vs[i].block, vs[i].path,
                   on_error == HZ_ON_ERROR_SKIP ? "skip" : "fail", ref,
                   vs[i].what, got);
    }
    return 0;
}
