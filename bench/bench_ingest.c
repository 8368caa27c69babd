/* Ingest benchmark: Horizon's typed CSV ingest against the floors measured
 * in the same run.
 *
 *   bench_ingest FILE.csv [REPEATS] [CHUNKS,...]
 *
 * With a list of chunk counts, it also times the all-threads ingest with
 * the body split into that many chunks (the default is one per thread).
 *
 * Prints best-of-REPEATS wall times and MB/s for: read() of the whole file
 * (I/O floor), plain libcsv parse counting fields (the library's floor,
 * one thread), Horizon ingest on one thread and on all threads, and the
 * ratios the foundation issue asks for. */
#include <fcntl.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csv.h>

#include "horizon/csv.h"

static size_t nfields;

static void cb1(void *s, size_t len, void *data)
{
    (void)s;
    (void)len;
    (void)data;
    nfields++;
}

static void cb2(int c, void *data)
{
    (void)c;
    (void)data;
}

static double time_read(const char *path, size_t *bytes)
{
    double t0 = hz_now();
    int fd = open(path, O_RDONLY);
    struct stat sb;
    fstat(fd, &sb);
    char *buf = malloc((size_t)sb.st_size + 1);
    size_t got = 0;
    while (got < (size_t)sb.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)sb.st_size - got);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    double t = hz_now() - t0;
    free(buf);
    *bytes = got;
    return t;
}

static double time_libcsv(const char *path)
{
    double t0 = hz_now();
    FILE *f = fopen(path, "rb");
    struct csv_parser p;
    csv_init(&p, 0);
    char buf[1 << 16];
    size_t n;
    nfields = 0;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        csv_parse(&p, buf, n, cb1, cb2, NULL);
    csv_fini(&p, cb1, cb2, NULL);
    csv_free(&p);
    fclose(f);
    double t = hz_now() - t0;
    if (nfields == 0) {
        fprintf(stderr, "bench_ingest: libcsv saw no fields\n");
        exit(1);
    }
    return t;
}

static hz_csv_report best_rep; /* phases of the best all-threads run */

static double time_horizon(const char *path, int threads, size_t *rows,
                           hz_csv_report *rep, size_t chunk_bytes)
{
    hz_csv_options o;
    hz_csv_options_init(&o);
    o.threads = threads;
    o.chunk_bytes = chunk_bytes;
    hz_dataset *ds = NULL;
    hz_error err;
    double t0 = hz_now();
    if (hz_csv_read(path, &o, &ds, rep, &err) != HZ_OK) {
        fprintf(stderr, "bench_ingest: %s\n", err.msg);
        exit(1);
    }
    double t = hz_now() - t0;
    *rows = ds->nrows;
    hz_dataset_free(ds);
    return t;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_ingest FILE.csv [REPEATS]\n");
        return 2;
    }
    const char *path = argv[1];
    int reps = argc > 2 ? atoi(argv[2]) : 5;
    int maxt = omp_get_max_threads();
    double best[4] = {1e9, 1e9, 1e9, 1e9};
    size_t bytes = 0, rows = 0;
    for (int r = 0; r < reps; r++) {
        double t;
        if ((t = time_read(path, &bytes)) < best[0])
            best[0] = t;
        if ((t = time_libcsv(path)) < best[1])
            best[1] = t;
        hz_csv_report rep;
        if ((t = time_horizon(path, 1, &rows, &rep, 0)) < best[2])
            best[2] = t;
        if ((t = time_horizon(path, maxt, &rows, &rep, 0)) < best[3]) {
            best[3] = t;
            best_rep = rep;
        }
    }
    double mb = (double)bytes / 1e6;
    if (argc > 3) { /* chunk counts */
        char *list = strdup(argv[3]);
        printf("all threads, body split into N chunks (best of %d):\n", reps);
        for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
            long nc = atol(tok);
            if (nc < 1)
                continue;
            /* chunks = body / chunk_bytes + 1 */
            size_t cb = bytes / (size_t)nc + 1;
            double b = 1e9, t;
            for (int r = 0; r < reps; r++)
                if ((t = time_horizon(path, maxt, &rows, NULL, cb)) < b)
                    b = t;
            printf("  %3ld chunks: %.3f s\n", nc, b);
        }
        free(list);
    }
    const char *names[4] = {"read() whole file (I/O floor)",
                            "libcsv, count fields (1 thread)",
                            "horizon ingest, typed (1 thread)",
                            "horizon ingest, typed (all threads)"};
    printf("file: %s, %.1f MB, %zu rows, best of %d, %d threads\n", path, mb,
           rows, reps, maxt);
    printf("| %-38s | %8s | %8s |\n", "what", "wall s", "MB/s");
    printf("|%s|%s|%s|\n", "----------------------------------------",
           "----------", "----------");
    for (int k = 0; k < 4; k++)
        printf("| %-38s | %8.3f | %8.0f |\n", names[k], best[k], mb / best[k]);
    printf("libcsv fields: %zu (%zu rows x columns expected)\n", nfields,
           nfields);
    printf("ratio libcsv(1 thread) / horizon(all threads): %.2fx\n",
           best[1] / best[3]);
    printf("ratio horizon 1 thread / all threads: %.2fx\n", best[2] / best[3]);
    printf("phases of the best all-threads run (s): header and inference "
           "%.4f, split (first read) %.4f, parse (second read) %.4f, "
           "merge %.4f\n",
           best_rep.t_infer, best_rep.t_split, best_rep.t_parse,
           best_rep.t_merge);
    printf(
        "spec floor 50 MB in 10 s: horizon is %.0fx faster than the floor\n",
        10.0 / (best[3] * 50.0 / mb));
    return 0;
}
