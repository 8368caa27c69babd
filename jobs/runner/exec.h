/* Job execution: what one job does once it has been claimed.
 *
 * Stages (timed, reported in the runner's metrics):
 *   fetch      a URL dataset is downloaded (libcurl) into a temp file,
 *              size-capped; a local path is opened; both inside the
 *              dataset sandbox (net/sandbox.h)
 *   ingest     hz_csv_read
 *   compute    the engine: hz_forecast_run / hz_analytics_run
 *   summarise  compact summary; the result rows, which the job process
 *              writes to its result file with hz_exec_write_rows (the
 *              runner stores them HZ_RESULT_ROWS_PER_DOC a document)
 *
 * A job's params become the engine's request through the function the
 * runner's caller gives (hz_job_request_fn: the command line's own option
 * tables, jobs/cli/job_params.c), so a job takes exactly the options of
 * `horizon forecast` / `horizon analyze`.  They are checked before
 * anything is fetched, so bad parameters fail fast with the parameter
 * named.  The engine call (the tool) runs on its own thread with its own
 * deadline (tool_timeout_s); a suite job is the engine's suite, which
 * runs churn, CLV and segmentation concurrently on one ingest.
 *
 * hz_exec_run() runs in the runner's per-job child process (jobproc.c):
 * a tool that overruns is abandoned by returning HZ_ETIMEOUT, after which
 * the child exits (which ends the stuck thread).  It must not be called
 * from a process that has to keep running after a tool timeout. */
#ifndef HZ_EXEC_H
#define HZ_EXEC_H

#include <stdbool.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "horizon/analytics.h"
#include "horizon/common.h"
#include "horizon/csv.h"
#include "horizon/forecast.h"
#include "net/sandbox.h"
#include "store/job.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Stage indices. */
enum {
    HZ_STAGE_FETCH = 0,
    HZ_STAGE_INGEST,
    HZ_STAGE_COMPUTE,
    HZ_STAGE_SUMMARISE,
    HZ_STAGE_WRITE, /* the runner's write-back (not hz_exec_run) */
    HZ_NSTAGES
};
const char *hz_stage_name(int stage);

/* The engine request of a job, built from its params. */
typedef struct hz_job_request {
    hz_job_type type;
    hz_forecast_request fc;  /* forecast jobs */
    hz_analytics_request an; /* churn, clv, segment, suite */
    hz_csv_options csv;      /* ingest: schema, on-error, delimiter */
    double debug_sleep_s;    /* test hook: sleep in the tool (params
                                debugSleepS, honoured with test_hooks) */
    char debug_sleep_tool[32];
    char debug_needle[512]; /* test hook: params.debugMemoryNeedle, hex of
                               bytes XOR HZ_MEMSCAN_MASK: the job fails
                               when they are in its process's memory
                               (runner/memscan.h) */
    char debug_read_file[512]; /* test hook: params.debugReadFile, a path
                                  the job process tries to open: the job
                                  fails saying "opened" or why not (what
                                  its isolation allows: runner/isolate.h) */
    char debug_connect[64]; /* test hook: params.debugConnect, an IPv4
                               address:port the job process tries to
                               connect to once its dataset is local: the
                               job fails saying "connected" or why not */
    char debug_reason[32]; /* test hook: params.debugReason, the reason
                              the job process's result gives (what code
                              a hostile dataset got to run there could
                              write in it): the job fails with it */
    char debug_stderr[512]; /* test hook: params.debugStderr, text the job
                               process writes on its stderr as it is (the
                               runner forwards it marked and escaped) */
    double debug_result_mb; /* test hook: params.debugResultMB, the job
                               process writes a result file of this many
                               MiB (what code a hostile dataset got to run
                               could write) and exits */
    double debug_write_mb; /* test hook: params.debugWriteMB, the job
                              process writes debug_write_files files of
                              this many MiB in its directory, 20 ms
                              apart (empty ones, under 64 KiB, at once;
                              what code a hostile dataset got to
                              run could write): the job fails naming the
                              first write that failed, else goes on */
    int debug_write_files; /* params.debugWriteFiles, default 1 */
    bool debug_write_raise; /* params.debugWriteRaise: first raise the
                               soft RLIMIT_FSIZE to the hard one, saying
                               on stderr "debugWriteRaise: the file size
                               limit is [unlimited: ]N" */
    char debug_write_hide[16]; /* params.debugWriteHide: "unlink", each
                                  file unlinked as it is made and kept
                                  open; "tmpfile", made with O_TMPFILE
                                  (a named one where refused); "rename",
                                  another file renamed over each, kept
                                  open: out of the runner's sight */
    double debug_shm_mb; /* test hook: params.debugShmMB, the job process
                            makes a System V shared memory segment of
                            this many MiB and fills it (what code a
                            hostile dataset got to run could leave
                            behind, beyond its memory limit); it writes
                            "debugShmMB: ID" (or "debugShmMB: shmget:
                            ERROR") on stderr, and the job goes on */
    char debug_keyring[64]; /* test hook: params.debugKeyring, the job
                               process looks for a "user" key of this
                               description in its user's keyring and reads
                               it, then adds one of its own there ("KEY-
                               left"), saying on stderr "debugKeyring:
                               read: RESULT; add: RESULT" */
    bool debug_stdin; /* test hook: params.debugStdin, the job process
                         reads its standard input and types into its
                         terminal (TIOCSTI on its standard input, then on
                         /dev/tty), saying on stderr "debugStdin: read N
                         bytes[: TEXT]; TIOCSTI: RESULT; /dev/tty:
                         RESULT"; the job goes on */
    double debug_fork_s; /* test hook: params.debugForkS, the job process
                            starts a process of its own in a session of
                            its own that sleeps this long (what code a
                            hostile dataset got to run could leave
                            behind); it writes "debugForkS: PID" (or
                            "debugForkS: fork: ERROR") on stderr, and
                            the job goes on */
    int debug_threads; /* test hook: params.debugThreads, the job process
                          starts this many threads that wait until it ends
                          (what code a hostile dataset got to run could
                          start, up to the machine's pid limit); it writes
                          "debugThreads: started K of N[: ERROR]" on
                          stderr, and the job goes on */
    void *owned; /* what the requests point into, freed by free_owned */
    void (*free_owned)(void *owned);
} hz_job_request;

/* The analysis an analytics job type runs (churn, clv, segment, suite;
 * segment for any other). */
hz_analysis_kind hz_exec_analysis_kind(hz_job_type type);

/* Build job's request from its params (no I/O).  Unknown or ill-typed
 * parameters are named: "params.horizon: expected an integer ...". */
typedef hz_status (*hz_job_request_fn)(const hz_job *job, hz_job_request *out,
                                       hz_error *err);

void hz_job_request_init(hz_job_request *r);
void hz_job_request_clear(hz_job_request *r); /* NULL allowed */

typedef struct hz_exec_options {
    const char *tmpdir;           /* for downloads; NULL = $TMPDIR or /tmp */
    long long max_download_bytes; /* default 2 GiB */
    long long max_memory_bytes;   /* what the job process may allocate
                                     (runner/memlimit.h), named in its
                                     "memory" failures; <= 0 = no limit */
    long long max_disk_bytes;     /* the largest file the job process may
                                     write (runner/disklimit.h), named in
                                     its "disk" failures; <= 0 = no limit */
    bool memory_by_rlimit;        /* max_memory_bytes is what the hard
                                     RLIMIT_DATA the runner was started
                                     with leaves, not --max-memory-mb */
    double fetch_timeout_s;       /* default 120 */
    double tool_timeout_s;        /* per tool; <= 0 = none */
    int threads;                  /* OpenMP threads per tool; 0 = default */
    bool test_hooks;              /* honour params.debugSleepS,
                                     debugMemoryNeedle, debugReadFile and
                                     debugStderr (tests) */
    const hz_sandbox *sandbox;    /* NULL: no local dataset, no URL */
    hz_status (*after_fetch)(hz_error *err); /* NULL, or called once a
                                     URL dataset is downloaded, before it
                                     is read: a failure fails the job
                                     (reason isolation) */
    hz_job_request_fn build_request; /* required */
} hz_exec_options;

void hz_exec_options_init(hz_exec_options *o);

/* One tool's result rows, in a deterministic order: built as cJSON
 * items (forecast: a few per series), or left in the engine's result
 * (analytics: one per customer, written by the engine's row writer
 * straight to the job's result file; nothing is built in memory). */
typedef struct hz_exec_rows {
    char kind[32];                  /* "forecast", "clv", "suite", ... */
    cJSON *json;                    /* array (owned), or NULL */
    hz_analytics_result *analytics; /* (owned), or NULL */
} hz_exec_rows;

/* The rows of rs, one JSON object a line; -1 on a write error. */
int hz_exec_write_rows(const hz_exec_rows *rs, FILE *f);
size_t hz_exec_count_rows(const hz_exec_rows *rs);

typedef struct hz_exec_output {
    cJSON *summary;     /* object (owned) */
    hz_exec_rows *rows; /* [nrowsets] (owned), in tool order */
    size_t nrowsets;
    double stage_s[HZ_NSTAGES];
    long long dataset_bytes;
    size_t dataset_rows;
    char reason[32]; /* on failure: "params", "dataset", "fetch",
                          "compute", "tool-timeout", "memory" */
    bool retryable;  /* on failure: worth another attempt */
    char *report;    /* the job's HTML report (owned), or NULL */
    size_t report_len;
    char report_error[HZ_ERROR_MAX]; /* why there is no report ("" = ok) */
} hz_exec_output;

void hz_exec_output_init(hz_exec_output *o);
void hz_exec_output_clear(hz_exec_output *o);

/* Validate a job's parameters (build its request and drop it). */
hz_status hz_exec_validate(const hz_job *job, hz_job_request_fn build,
                           hz_error *err);

/* Run a validated job on its dataset (path or URL, already resolved from
 * a datasetId by the caller).  On failure err says why and out->reason /
 * out->retryable classify it. */
hz_status hz_exec_run(const hz_job *job, const char *dataset,
                      const hz_exec_options *opt, hz_exec_output *out,
                      hz_error *err);

/* The HTML report of a job's result (exec_report.c), rendered in the job
 * process: malloc'd page and *len, or NULL with err set. */
struct hz_forecast_result;
struct hz_forecast_request;
char *hz__exec_report_forecast(const struct hz_forecast_result *r,
                               const struct hz_forecast_request *req,
                               const hz_job *job, size_t *len, hz_error *err);
char *hz__exec_report_analytics(const hz_analytics_result *r,
                                const hz_job *job, size_t *len, hz_error *err);

#ifdef __cplusplus
}
#endif
#endif
