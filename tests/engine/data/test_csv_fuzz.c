/* Property test for CSV ingest: random and mutated inputs never crash
 * (this runs under ASan/UBSan too), always either succeed or fail with a
 * message that names the file, and give the same outcome whatever the
 * chunk size, thread count and parse path. */
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "horizon/csv.h"
#include "hz_test.h"

static uint64_t rng_state = 0x2545F4914F6CDD1DULL;

static uint64_t rnd(void)
{
    static int seeded;
    if (!seeded) { /* HZ_FUZZ_SEED explores other inputs */
        seeded = 1;
        const char *seed = getenv("HZ_FUZZ_SEED");
        if (seed != NULL)
            rng_state ^= strtoull(seed, NULL, 10) * 0x9e3779b97f4a7c15ULL;
    }
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Outcome of one read, as text: the error, or a digest of the table. */
static hz_on_error on_error = HZ_ON_ERROR_FAIL;

static size_t block_bytes; /* > 0: read through a file in such blocks */

static void outcome(const char *buf, size_t len, int threads, size_t chunk,
                    int path, char *out, size_t outsz)
{
    hz_csv_options o;
    hz_csv_options_init(&o);
    o.on_error = on_error;
    o.threads = threads;
    o.chunk_bytes = chunk;
    o.force_path = path;
    hz_dataset *ds = NULL;
    hz_error err;
    hz_error_clear(&err);
    hz_csv_report rep;
    hz_status st;
    if (block_bytes > 0) {
        /* the same bytes as a file "f.csv" in the current directory */
        FILE *f = fopen("f.csv", "wb");
        if (f == NULL || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
            snprintf(out, outsz, "could not write f.csv");
            return;
        }
        o.block_bytes = block_bytes;
        st = hz_csv_read("f.csv", &o, &ds, &rep, &err);
    } else {
        st = hz_csv_read_buffer(buf, len, "f.csv", &o, &ds, &rep, &err);
    }
    if (st != HZ_OK) {
        snprintf(out, outsz, "error %d: %s", (int)st, err.msg);
        return;
    }
    uint64_t h = 1469598103934665603ULL;
    char cell[64];
    for (size_t j = 0; j < ds->ncols; j++) {
        const hz_column *c = &ds->cols[j];
        h = (h ^ (uint64_t)c->type) * 1099511628211ULL;
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

static const char *pieces[] = {"a",          "b,c",
                               "\"",         "\"\"",
                               ",",          "\n",
                               "\r\n",       "12",
                               "3.5",        "-7",
                               "2024-02-29", "2023-02-30",
                               "yes",        "N/A",
                               "\"x,y\"",    "\"multi\nline\"",
                               "",           ";",
                               "\t",         "|",
                               "1e5",        "\xef\xbb\xbf",
                               " ",          "\0",
                               "\xff",       ",,",
                               " 7 ",        "\r",
                               "true",       "x\n",
                               "2024-13-01", "01/02/2024"};

static size_t make_input(char *buf, size_t cap)
{
    size_t n = 0;
    /* Start from a well-formed table, then mutate it. */
    n += (size_t)snprintf(buf, cap, "id,name,amount,day\n");
    int rows = (int)(rnd() % 60);
    int quoted = rnd() % 2, crlf = rnd() % 4 == 0;
    for (int r = 0; r < rows && n + 64 < cap; r++) {
        unsigned k = (unsigned)(rnd() % 16);
        if (quoted && k < 4)
            n += (size_t)snprintf(buf + n, cap - n,
                                  "%d,\"q,\"\"%d\"\"\n\",%d.%02d,"
                                  "2024-01-%02d\n",
                                  r, r % 5, (int)(rnd() % 1000),
                                  (int)(rnd() % 100), (int)(rnd() % 28) + 1);
        else if (k == 4) /* nulls */
            n += (size_t)snprintf(buf + n, cap - n, "%d,,,%s", r,
                                  crlf ? "\r\n" : "\n");
        else if (k == 5) /* a whole number in the float column */
            n += (size_t)snprintf(buf + n, cap - n, ",n%d,%d,2024-02-%02d%s",
                                  r % 3, (int)(rnd() % 100),
                                  (int)(rnd() % 29) + 1, crlf ? "\r\n" : "\n");
        else
            n += (size_t)snprintf(buf + n, cap - n,
                                  "%d,n%d,%d.%02d,"
                                  "2024-01-%02d%s",
                                  r, r % 5, (int)(rnd() % 1000),
                                  (int)(rnd() % 100), (int)(rnd() % 28) + 1,
                                  crlf ? "\r\n" : "\n");
    }
    int muts = (int)(rnd() % 4);
    for (int m = 0; m < muts && n > 0; m++) {
        size_t at = (size_t)(rnd() % n);
        const char *p = pieces[rnd() % (sizeof pieces / sizeof pieces[0])];
        size_t pl = strlen(p);
        if (p[0] == '\0' && rnd() % 2)
            pl = 1;                         /* a NUL byte */
        if (rnd() % 3 == 0 && at + 1 < n) { /* delete a byte */
            memmove(buf + at, buf + at + 1, n - at - 1);
            n--;
        } else if (n + pl < cap) { /* insert a piece */
            memmove(buf + at + pl, buf + at, n - at);
            memcpy(buf + at, p, pl); // NOLINT(bugprone-not-null-terminated-result): bytes, not a string
            n += pl;
        }
    }
    return n;
}

static void same_outcome_any_chunking(int iters, int *ok, int *bad)
{
    char *buf = malloc(1 << 16);
    char a[2 * HZ_ERROR_MAX + 64], b[2 * HZ_ERROR_MAX + 64];
    for (int iter = 0; iter < iters; iter++) {
        size_t n = make_input(buf, 1 << 16);
        outcome(buf, n, 1, 1 << 30, 0, a, sizeof a);
        if (strncmp(a, "error", 5) == 0) {
            (*bad)++;
            HZ_CHECK_MSG(strstr(a, "f.csv") != NULL,
                         "message without the "
                         "file name: %s",
                         a);
        } else {
            (*ok)++;
        }
        size_t chunk = 8 + (size_t)(rnd() % 200);
        outcome(buf, n, 2, chunk, 0, b, sizeof b);
        HZ_CHECK_MSG(strcmp(a, b) == 0,
                     "iteration %d, chunk %zu:\n  serial:"
                     "  %s\n  chunked: %s",
                     iter, chunk, a, b);
        outcome(buf, n, 1, 1 << 30, 2, b, sizeof b);
        HZ_CHECK_MSG(strcmp(a, b) == 0,
                     "iteration %d, libcsv path:\n  "
                     "fast: %s\n  libcsv: %s",
                     iter, a, b);
        /* the fast path's row loop against its per-separator loop */
        outcome(buf, n, 1, 1 << 30, 3, b, sizeof b);
        HZ_CHECK_MSG(strcmp(a, b) == 0,
                     "iteration %d, row loop vs "
                     "per-separator loop:\n  rows: %s\n  fields: %s",
                     iter, a, b);
        outcome(buf, n, 2, chunk, 3, b, sizeof b);
        HZ_CHECK_MSG(strcmp(a, b) == 0,
                     "iteration %d, chunk %zu, "
                     "per-separator loop:\n  serial: %s\n  chunked: %s",
                     iter, chunk, a, b);
    }
    free(buf);
}

HZ_TEST(random_inputs_same_outcome_any_chunking)
{
    int ok = 0, bad = 0;
    on_error = HZ_ON_ERROR_FAIL;
    same_outcome_any_chunking(500, &ok, &bad);
    printf("  %d inputs parsed, %d rejected\n", ok, bad);
    HZ_CHECK(ok > 50 && bad > 50);
}

HZ_TEST(random_inputs_skip_mode_same_outcome)
{
    /* With on_error = skip, bad rows are dropped: which rows, and the
     * dictionaries' codes, must not depend on path or chunking. */
    int ok = 0, bad = 0;
    on_error = HZ_ON_ERROR_SKIP;
    same_outcome_any_chunking(500, &ok, &bad);
    on_error = HZ_ON_ERROR_FAIL;
    printf("  %d inputs parsed, %d rejected\n", ok, bad);
    HZ_CHECK(ok > 100);
}

HZ_TEST(file_read_in_small_blocks_same_outcome)
{
    /* Files are read in blocks that end at a newline (a partial line is
     * carried over, a line longer than a block grows the buffer, libcsv
     * keeps its state across blocks): with blocks of a few bytes every
     * boundary case comes up.  Outcomes must equal the in-memory parse. */
    char dir[] = "/tmp/hz_fuzz_XXXXXX";
    char cwd[4096];
    HZ_CHECK(getcwd(cwd, sizeof cwd) != NULL);
    HZ_CHECK(mkdtemp(dir) != NULL);
    HZ_CHECK(chdir(dir) == 0);
    char *buf = malloc(1 << 16);
    char a[2 * HZ_ERROR_MAX + 64], b[2 * HZ_ERROR_MAX + 64];
    int ok = 0;
    for (int iter = 0; iter < 400; iter++) {
        on_error = iter % 2 ? HZ_ON_ERROR_SKIP : HZ_ON_ERROR_FAIL;
        size_t n = make_input(buf, 1 << 16);
        block_bytes = 0;
        outcome(buf, n, 1, 1 << 30, 0, a, sizeof a);
        ok += strncmp(a, "ok", 2) == 0;
        size_t chunk = 8 + (size_t)(rnd() % 300);
        int path = (int)(rnd() % 4); /* auto, fast, libcsv, per-separator */
        block_bytes = 1 + (size_t)(rnd() % 97);
        outcome(buf, n, 1 + (int)(rnd() % 2), rnd() % 2 ? chunk : 1 << 30,
                path, b, sizeof b);
        block_bytes = 0;
        if (strcmp(a, b) != 0) {
            if (getenv("HZ_FUZZ_DUMP")) {
                FILE *d = fopen(getenv("HZ_FUZZ_DUMP"), "wb");
                if (d) {
                    fwrite(buf, 1, n, d);
                    fclose(d);
                }
            }
            on_error = HZ_ON_ERROR_FAIL;
            remove("f.csv");
            HZ_CHECK(chdir(cwd) == 0);
            rmdir(dir);
            free(buf);
            HZ_CHECK_MSG(0,
                         "iteration %d, path %d, file read in blocks:\n"
                         "  memory: %s\n  file:   %s",
                         iter, path, a, b);
        }
    }
    on_error = HZ_ON_ERROR_FAIL;
    remove("f.csv");
    HZ_CHECK(chdir(cwd) == 0);
    rmdir(dir);
    free(buf);
    printf("  %d of 400 inputs parsed\n", ok);
    HZ_CHECK(ok > 100);
}
