/* Job execution: fetch, ingest, compute, summarise (see exec.h). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "net/fetch.h"
#include "runner/memlimit.h"
#include "net/url.h"
#include "runner/exec.h"
#include "runner/exec_tool.h"
#include "runner/memscan.h"
#include "horizon/analytics.h"
#include "horizon/csv.h"
#include "horizon/dataset.h"
#include "horizon/forecast.h"
#include "horizon/series.h"

static const char *const stage_names[HZ_NSTAGES] = {
    "fetch", "ingest", "compute", "summarise", "write"};

const char *hz_stage_name(int stage)
{
    return stage >= 0 && stage < HZ_NSTAGES ? stage_names[stage] : "?";
}

void hz_exec_options_init(hz_exec_options *o)
{
    memset(o, 0, sizeof *o);
    o->max_download_bytes = 2LL << 30;
    o->fetch_timeout_s = 120;
}

void hz_exec_output_init(hz_exec_output *o)
{
    memset(o, 0, sizeof *o);
    o->dataset_bytes = -1;
}

void hz_exec_output_clear(hz_exec_output *o)
{
    if (o == NULL)
        return;
    cJSON_Delete(o->summary);
    for (size_t i = 0; i < o->nrowsets; i++) {
        cJSON_Delete(o->rows[i].json);
        hz_analytics_result_free(o->rows[i].analytics);
    }
    free(o->rows);
    free(o->report);
    hz_exec_output_init(o);
}

size_t hz_exec_count_rows(const hz_exec_rows *rs)
{
    if (rs->analytics != NULL)
        return hz_analytics_customers(rs->analytics);
    return rs->json ? (size_t)cJSON_GetArraySize(rs->json) : 0;
}

int hz_exec_write_rows(const hz_exec_rows *rs, FILE *f)
{
    if (rs->analytics != NULL) {
        for (size_t i = 0, n = hz_analytics_customers(rs->analytics); i < n;
             i++) {
            hz_analytics_result_write_row_json(rs->analytics, i, f);
            fputc('\n', f); /* rows hold no newline: strings are escaped */
        }
    } else {
        const cJSON *row;
        cJSON_ArrayForEach(row, rs->json)
        {
            char *t = cJSON_PrintUnformatted(row);
            if (t == NULL)
                return -1;
            fputs(t, f);
            fputc('\n', f);
            cJSON_free(t);
        }
    }
    return ferror(f) ? -1 : 0;
}

/* ---- requests ---- */

void hz_job_request_init(hz_job_request *r)
{
    memset(r, 0, sizeof *r);
    hz_forecast_request_init(&r->fc);
    hz_analytics_request_init(&r->an);
    hz_csv_options_init(&r->csv);
}

void hz_job_request_clear(hz_job_request *r)
{
    if (r == NULL)
        return;
    if (r->free_owned != NULL)
        r->free_owned(r->owned);
    hz_job_request_init(r);
}

hz_status hz_exec_validate(const hz_job *job, hz_job_request_fn build,
                           hz_error *err)
{
    if (build == NULL)
        return hz_error_set(err, HZ_EINTERNAL,
                            "no parameter decoder was given to the runner");
    hz_job_request r;
    hz_job_request_init(&r);
    hz_status rc = build(job, &r, err);
    hz_job_request_clear(&r);
    return rc;
}

static void set_reason(hz_exec_output *out, const char *reason, bool retryable)
{
    snprintf(out->reason, sizeof out->reason, "%s", reason);
    out->retryable = retryable;
}

/* ---- stages ---- */

/* The dataset as a path the CSV reader can open: a URL downloaded into
 * tmp (unlinked by the caller), a local file opened inside the sandbox
 * and read through its descriptor (*fd, closed by the caller). */
static hz_status fetch_stage(const hz_job *job, const char *dataset,
                             const hz_exec_options *opt, hz_exec_output *out,
                             char *path, size_t pathsz, char *tmp,
                             size_t tmpsz, int *fd, hz_error *err)
{
    static const hz_sandbox closed = {.max_redirects = 0};
    const hz_sandbox *sb = opt->sandbox ? opt->sandbox : &closed;
    hz_status rc;
    if (hz_sandbox_is_url(dataset)) {
        rc = hz_fetch_url(sb, dataset, opt->tmpdir, opt->max_download_bytes,
                          opt->fetch_timeout_s, tmp, tmpsz,
                          &out->dataset_bytes, err);
        if (rc != HZ_OK) {
            set_reason(out, rc == HZ_EINVAL ? "dataset" : "fetch",
                       rc == HZ_ENET);
            return rc;
        }
        snprintf(path, pathsz, "%s", tmp);
        return HZ_OK;
    }
    char real[4096];
    rc = hz_sandbox_open_path(sb, job->customer_id, dataset, fd, real,
                              sizeof real, err);
    if (rc != HZ_OK) {
        set_reason(out, "dataset", false);
        return rc;
    }
    struct stat st;
    if (fstat(*fd, &st) == 0)
        out->dataset_bytes = (long long)st.st_size;
    snprintf(path, pathsz, "/proc/self/fd/%d", *fd);
    return HZ_OK;
}

/* The dataset as messages name it: as the job gives it, a URL without
 * user info or query string (net/url.h), a registered dataset by its id
 * and path. */
static void dataset_name(const hz_job *job, const char *dataset, char *out,
                         size_t outsz)
{
    char shown[HZ_JOB_URI_MAX];
    if (hz_sandbox_is_url(dataset))
        hz_url_redact(dataset, shown, sizeof shown);
    else
        snprintf(shown, sizeof shown, "%s", dataset);
    if (job->dataset_id[0] != '\0')
        snprintf(out, outsz, "dataset %s (%s)", job->dataset_id, shown);
    else
        snprintf(out, outsz, "%s", shown);
}

/* Messages of the CSV reader name the file it opened: put the dataset's
 * name in place of the descriptor's path. */
static void rename_in_message(hz_error *err, const char *path,
                              const char *dataset)
{
    if (err == NULL)
        return;
    char *at = strstr(err->msg, path);
    if (at == NULL)
        return;
    char msg[HZ_ERROR_MAX];
    size_t head = (size_t)(at - err->msg);
    int w = snprintf(msg, sizeof msg, "%.*s%.*s%s", (int)head, err->msg,
                     (int)(sizeof msg - 1 - head), dataset, at + strlen(path));
    if (w > 0)
        snprintf(err->msg, sizeof err->msg, "%s", msg);
}

hz_analysis_kind hz_exec_analysis_kind(hz_job_type type)
{
    return type == HZ_JOB_CHURN   ? HZ_ANALYSIS_CHURN
           : type == HZ_JOB_CLV   ? HZ_ANALYSIS_CLV
           : type == HZ_JOB_SUITE ? HZ_ANALYSIS_SUITE
                                  : HZ_ANALYSIS_SEGMENT;
}

/* Read the CSV; the dataset's source is then its name, so that every
 * message of the engine names the dataset, not the descriptor.  A
 * forecast is told how many rows the reader skipped (counted, and their
 * periods not taken as 0), as the command's is. */
static hz_status ingest_stage(const char *path, const char *name,
                              hz_job_request *req, const hz_exec_options *opt,
                              hz_dataset **ds, hz_error *err)
{
    hz_csv_options co = req->csv;
    co.threads = opt->threads;
    /* a gzip dataset is held to the download cap once inflated too: a
     * few MB of it could fill the disk and the memory of the machine */
    if (opt->max_download_bytes > 0)
        co.max_inflated_bytes = (unsigned long long)opt->max_download_bytes;
    /* an analysis: the customer id read as text (00123 is not 123), the
     * amount and the date strictly, as `horizon analyze` reads them */
    hz_analytics_input in = {&req->an, hz_exec_analysis_kind(req->type)};
    /* a forecast: the group columns as text, as `horizon forecast` reads
     * them (stores 007 and 7 are two) */
    hz_series_opts so;
    hz_series_opts_init(&so);
    so.date_col = req->fc.date_col;
    so.value_col = req->fc.value_col;
    so.by_cols = req->fc.by_cols;
    so.nby = req->fc.nby;
    if (req->type != HZ_JOB_FORECAST) {
        co.want = hz_analytics_csv_want;
        co.want_ctx = &in;
    } else {
        co.want = hz_series_csv_want;
        co.want_ctx = &so;
    }
    hz_csv_report rep;
    hz_status rc = hz_csv_read(path, &co, ds, &rep, err);
    if (rc != HZ_OK) {
        rename_in_message(err, path, name);
        return rc;
    }
    req->fc.rows_skipped_read = rep.rows_skipped;
    char *src = strdup(name);
    if (src == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    free((*ds)->source);
    (*ds)->source = src;
    return HZ_OK;
}

static void deadline_in(double seconds, struct timespec *ts)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    double whole = floor(seconds);
    ts->tv_sec += (time_t)whole;
    ts->tv_nsec += (long)((seconds - whole) * 1e9);
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

/* Run the tool on its own thread and wait for it, at most the tool
 * timeout.  HZ_ETIMEOUT leaves the thread running (it still uses the
 * dataset): the caller's process must exit. */
static hz_status compute_stage(hz__tool *t, const hz_exec_options *opt,
                               hz_exec_output *out, hz_error *err)
{
    pthread_condattr_t ca;
    pthread_mutex_init(&t->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&t->cv, &ca);
    pthread_condattr_destroy(&ca);
    double t0 = hz_now();
    pthread_t th;
    if (pthread_create(&th, NULL, hz__tool_main, t) != 0) {
        set_reason(out, "compute", true);
        return hz_error_set(err, HZ_ENOMEM, "could not start a thread");
    }
    struct timespec deadline;
    deadline_in(opt->tool_timeout_s, &deadline);
    pthread_mutex_lock(&t->mu);
    while (!t->done) {
        int w = opt->tool_timeout_s > 0
                    ? pthread_cond_timedwait(&t->cv, &t->mu, &deadline)
                    : pthread_cond_wait(&t->cv, &t->mu);
        if (w == ETIMEDOUT && !t->done) {
            pthread_mutex_unlock(&t->mu);
            out->stage_s[HZ_STAGE_COMPUTE] = hz_now() - t0;
            set_reason(out, "tool-timeout", false);
            return hz_error_set(err, HZ_ETIMEOUT,
                                "tool %s exceeded its timeout of %g s",
                                t->name, opt->tool_timeout_s);
        }
    }
    pthread_mutex_unlock(&t->mu);
    pthread_join(th, NULL);
    pthread_cond_destroy(&t->cv);
    pthread_mutex_destroy(&t->mu);
    out->stage_s[HZ_STAGE_COMPUTE] = fmax(0, hz_now() - t0 - t->summarise_s);
    out->stage_s[HZ_STAGE_SUMMARISE] = t->summarise_s;
    if (t->rc != HZ_OK) {
        if (err != NULL)
            *err = t->err;
        /* a column the job names that the dataset lacks, or of the wrong
           type: the data's problem, not the computation's */
        set_reason(out,
                   t->rc == HZ_ENOTFOUND || t->rc == HZ_ETYPE ? "dataset"
                                                              : "compute",
                   false);
    }
    return t->rc;
}

/* Move the tool's summary and rows into out. */
static hz_status collect(hz__tool *t, const hz_dataset *ds,
                         hz_exec_output *out, hz_error *err)
{
    out->summary = cJSON_CreateObject();
    out->rows = calloc(1, sizeof *out->rows);
    if (out->summary == NULL || out->rows == NULL) {
        set_reason(out, "compute", true);
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    }
    cJSON_AddNumberToObject(out->summary, "datasetRows", (double)ds->nrows);
    cJSON_AddItemToObject(out->summary, t->name, t->summary);
    t->summary = NULL;
    hz_exec_rows *rs = &out->rows[out->nrowsets++];
    snprintf(rs->kind, sizeof rs->kind, "%s", t->name);
    rs->json = t->rows;
    rs->analytics = t->result;
    t->rows = NULL;
    t->result = NULL;
    out->report = t->report; /* the HTML report, or why there is none */
    out->report_len = t->report_len;
    t->report = NULL;
    if (out->report == NULL && t->report_err.msg[0])
        snprintf(out->report_error, sizeof out->report_error, "%s",
                 t->report_err.msg);
    return HZ_OK;
}

/* The test hook params.debugMemoryNeedle: HZ_EINTERNAL, naming the hook,
 * when its bytes are in this process's memory or it cannot be read. */
static hz_status needle_hook(const hz_job_request *req,
                             const hz_exec_options *opt, hz_error *err)
{
    if (!opt->test_hooks || req->debug_needle[0] == '\0')
        return HZ_OK;
    unsigned char masked[sizeof req->debug_needle / 2];
    size_t n = hz__memscan_unhex(req->debug_needle, masked, sizeof masked);
    long hits = n > 0 ? hz__memscan_count(masked, n) : -1;
    if (hits == 0)
        return HZ_OK;
    return hz_error_set(err, HZ_EINTERNAL,
                        "test hook debugMemoryNeedle: %s", hits < 0
                            ? "the memory of the job process could not be "
                              "read (or the needle is not hex)"
                            : "the bytes are in the job process's memory");
}

/* The test hook params.debugReadFile: HZ_EINTERNAL naming the hook,
 * the path and whether this process could open it for reading (nothing
 * of it is read). */
static hz_status read_file_hook(const hz_job_request *req,
                                const hz_exec_options *opt, hz_error *err)
{
    if (!opt->test_hooks || req->debug_read_file[0] == '\0')
        return HZ_OK;
    int fd = open(req->debug_read_file, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    int e = errno;
    if (fd >= 0)
        close(fd);
    return hz_error_set(err, HZ_EINTERNAL, "test hook debugReadFile: %s: %s",
                        req->debug_read_file, fd >= 0 ? "opened" : strerror(e));
}

/* The test hook params.debugConnect ("A.B.C.D:PORT"), once the dataset
 * is local: HZ_EINTERNAL naming the hook, the address and whether this
 * process could connect to it. */
static hz_status connect_hook(const hz_job_request *req,
                              const hz_exec_options *opt, hz_error *err)
{
    if (!opt->test_hooks || req->debug_connect[0] == '\0')
        return HZ_OK;
    char host[64];
    snprintf(host, sizeof host, "%s", req->debug_connect);
    char *colon = strrchr(host, ':');
    struct sockaddr_in a = {.sin_family = AF_INET};
    if (colon == NULL || (*colon = '\0', inet_pton(AF_INET, host,
                                                   &a.sin_addr)) != 1)
        return hz_error_set(err, HZ_EINTERNAL,
                            "test hook debugConnect: expected A.B.C.D:PORT");
    a.sin_port = htons((uint16_t)strtol(colon + 1, NULL, 10));
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int rc = s < 0 ? -1 : connect(s, (struct sockaddr *)&a, sizeof a);
    int e = errno;
    if (s >= 0)
        close(s);
    return hz_error_set(err, HZ_EINTERNAL, "test hook debugConnect: %s: %s",
                        req->debug_connect,
                        rc == 0 ? "connected" : strerror(e));
}

/* The test hook params.debugStderr: its text written on the job
 * process's stderr as it is (what a parser bug's code or a library's
 * message could write there); the job goes on. */
static void stderr_hook(const hz_job_request *req, const hz_exec_options *opt)
{
    if (!opt->test_hooks || req->debug_stderr[0] == '\0')
        return;
    size_t n = strlen(req->debug_stderr);
    for (size_t off = 0; off < n;) {
        ssize_t w = write(2, req->debug_stderr + off, n - off);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
}

/* The test hook params.debugResultMB: a result file of that many MiB of
 * rows in the job's directory (opt->tmpdir), and the process exits. */
static void result_hook(const hz_job_request *req, const hz_exec_options *opt)
{
    if (!opt->test_hooks || req->debug_result_mb <= 0 || opt->tmpdir == NULL)
        return;
    char path[4200];
    snprintf(path, sizeof path, "%s/result.json", opt->tmpdir);
    FILE *f = fopen(path, "w");
    static char row[4096];
    memset(row, 'x', sizeof row);
    long long n = (long long)(req->debug_result_mb * 256);
    for (long long i = 0; f != NULL && i < n; i++)
        if (fwrite(row, 1, sizeof row, f) != sizeof row)
            break;
    if (f != NULL)
        fclose(f);
    _exit(0);
}

/* The test hook params.debugWriteMB (and debugWriteFiles): HZ_EIO naming
 * the hook, the file and the error of the first write that failed. */
static hz_status write_hook(const hz_job_request *req,
                            const hz_exec_options *opt, hz_error *err)
{
    if (!opt->test_hooks || req->debug_write_mb <= 0 || opt->tmpdir == NULL)
        return HZ_OK;
    static char block[65536];
    memset(block, 'x', sizeof block);
    const char *hide = req->debug_write_hide;
    struct rlimit rl;
    if (req->debug_write_raise && getrlimit(RLIMIT_FSIZE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
            fprintf(stderr, "debugWriteRaise: %s\n", strerror(errno));
        else if (getrlimit(RLIMIT_FSIZE, &rl) == 0)
            fprintf(stderr, "debugWriteRaise: the file size limit is %s%lld\n",
                    rl.rlim_cur == RLIM_INFINITY ? "unlimited: " : "",
                    (long long)rl.rlim_cur);
    }
    long long blocks = (long long)(req->debug_write_mb * 16);
    int files = req->debug_write_files > 0 ? req->debug_write_files : 1;
    for (int k = 0; k < files; k++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/fill-%d", opt->tmpdir, k);
        int fd = -1;
        if (strcmp(hide, "tmpfile") == 0)
            fd = open(opt->tmpdir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
        if (fd < 0)
            fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        int e = fd < 0 ? errno : 0;
        if (e == 0 && strcmp(hide, "unlink") == 0 && unlink(path) != 0)
            fprintf(stderr, "debugWriteHide: unlink: %s\n", strerror(errno));
        for (long long i = 0; e == 0 && i < blocks; i++)
            if (write(fd, block, sizeof block) != (ssize_t)sizeof block)
                e = errno != 0 ? errno : EIO;
        if (e == 0 && strcmp(hide, "rename") == 0) {
            char other[4300];
            snprintf(other, sizeof other, "%s.new", path);
            int ofd = open(other, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                           0600);
            if (ofd >= 0)
                close(ofd);
            if (rename(other, path) != 0)
                fprintf(stderr, "debugWriteHide: rename: %s\n",
                        strerror(errno));
        }
        if (fd >= 0 && hide[0] == '\0')
            close(fd); /* else kept open (a hidden file's room stays) */
        if (e != 0)
            return hz_error_set(err, HZ_EIO, "test hook debugWriteMB: %s: %s",
                                path, strerror(e));
        if (blocks > 0) /* empty files (under 64 KiB): all at once */
            nanosleep(&(struct timespec){.tv_nsec = 20000000}, NULL);
    }
    return HZ_OK;
}

/* The test hook params.debugShmMB. */
static void shm_hook(const hz_job_request *req, const hz_exec_options *opt)
{
    if (!opt->test_hooks || req->debug_shm_mb <= 0)
        return;
    size_t n = (size_t)(req->debug_shm_mb * 1048576);
    void *m = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                   -1, 0);
    int e_map = errno;
    if (m != MAP_FAILED) {
        memset(m, 'x', n);
        munmap(m, n);
    }
    int mfd = (int)syscall(SYS_memfd_create, "debugShmMB", 0U);
    int e_mfd = errno;
    if (mfd >= 0)
        close(mfd);
    fprintf(stderr, "debugShmMB: shared mapping: %s; memfd: %s\n",
            m != MAP_FAILED ? "made" : strerror(e_map),
            mfd >= 0 ? "made" : strerror(e_mfd));
    int id = shmget(IPC_PRIVATE, n, IPC_CREAT | 0600);
    if (id < 0) {
        fprintf(stderr, "debugShmMB: shmget: %s\n", strerror(errno));
        return;
    }
    void *p = shmat(id, NULL, 0);
    if (p != (void *)-1) {
        memset(p, 'x', n);
        shmdt(p);
    }
    fprintf(stderr, "debugShmMB: %d\n", id);
}

/* The test hook params.debugKeyring (the keyctl(2) operations by
 * number: no libkeyutils). */
static void keyring_hook(const hz_job_request *req,
                         const hz_exec_options *opt)
{
    if (!opt->test_hooks || req->debug_keyring[0] == '\0')
        return;
    long id = syscall(SYS_keyctl, 10L /* KEYCTL_SEARCH */,
                      -4L /* KEY_SPEC_USER_KEYRING */, "user",
                      req->debug_keyring, 0L);
    int e_search = errno;
    char val[64];
    long n = id >= 0 ? syscall(SYS_keyctl, 11L /* KEYCTL_READ */, id, val,
                               (long)sizeof val)
                     : -1;
    int e_read = id >= 0 ? errno : e_search;
    char name[96];
    snprintf(name, sizeof name, "%s-left", req->debug_keyring);
    long added = syscall(SYS_add_key, "user", name, "LEFT", 4L, -4L);
    int e_add = errno;
    char read_s[96], add_s[96];
    if (n >= 0)
        snprintf(read_s, sizeof read_s, "%ld bytes", n);
    else
        snprintf(read_s, sizeof read_s, "%s", strerror(e_read));
    if (added >= 0)
        snprintf(add_s, sizeof add_s, "key %ld", added);
    else
        snprintf(add_s, sizeof add_s, "%s", strerror(e_add));
    fprintf(stderr, "debugKeyring: read: %s; add: %s\n", read_s, add_s);
}

/* The test hook params.debugStdin. */
static void stdin_hook(const hz_job_request *req, const hz_exec_options *opt)
{
    if (!opt->test_hooks || !req->debug_stdin)
        return;
    char c = ' '; /* harmless: a space */
    int sti = ioctl(0, TIOCSTI, &c);
    int e_sti = errno;
    int tty = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
    int e_tty = errno;
    int tty_sti = tty >= 0 ? ioctl(tty, TIOCSTI, &c) : -1;
    int e_tty_sti = errno;
    if (tty >= 0)
        close(tty);
    /* a terminal's input is read by its foreground job only: SIGTTIN
     * would stop this process, which is not */
    char buf[64] = "";
    ssize_t n = isatty(0) ? -1 : read(0, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = '\0';
    for (ssize_t i = 0; i < n; i++)
        if (buf[i] == '\n')
            buf[i] = ' ';
    fprintf(stderr,
            "debugStdin: read %zd bytes%s%s; TIOCSTI: %s; /dev/tty: %s\n",
            n, n > 0 ? ": " : "", buf, sti == 0 ? "typed" : strerror(e_sti),
            tty < 0        ? strerror(e_tty)
            : tty_sti == 0 ? "typed"
                           : strerror(e_tty_sti));
}

/* The test hook params.debugForkS. */
static void fork_hook(const hz_job_request *req, const hz_exec_options *opt)
{
    if (!opt->test_hooks || req->debug_fork_s <= 0)
        return;
    pid_t pid = fork();
    if (pid < 0)
        fprintf(stderr, "debugForkS: fork: %s\n", strerror(errno));
    if (pid != 0)
        return;
    setsid();
    fprintf(stderr, "debugForkS: %ld\n", (long)getpid());
    fflush(stderr);
    double s = req->debug_fork_s;
    struct timespec ts = {.tv_sec = (time_t)s,
                          .tv_nsec = (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) != 0) {
    }
    _exit(0);
}

static void *idle_thread(void *arg)
{
    (void)arg;
    for (;;)
        pause();
    return NULL;
}

/* The test hook params.debugThreads. */
static void threads_hook(const hz_job_request *req, const hz_exec_options *opt)
{
    if (!opt->test_hooks || req->debug_threads <= 0)
        return;
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setstacksize(&a, 1 << 20); /* within its memory limit */
    int k = 0, e = 0;
    for (; k < req->debug_threads; k++) {
        pthread_t th;
        if ((e = pthread_create(&th, &a, idle_thread, NULL)) != 0)
            break;
        pthread_detach(th);
    }
    pthread_attr_destroy(&a);
    fprintf(stderr, "debugThreads: started %d of %d%s%s\n", k,
            req->debug_threads, e != 0 ? ": " : "", e != 0 ? strerror(e) : "");
}

/* Memory ran out (at any stage): the job fails for good with reason
 * "memory" and its limit named.  Another attempt would run out again. */
static void out_of_memory(const hz_exec_options *opt, hz_exec_output *out,
                          hz_error *err)
{
    set_reason(out, "memory", false);
    if (err == NULL)
        return;
    char msg[HZ_ERROR_MAX];
    if (opt->max_memory_bytes > 0)
        snprintf(msg, sizeof msg,
                 "%.400s (the job process reached its memory limit of %lld "
                 "MiB: %s)",
                 err->msg, opt->max_memory_bytes >> 20,
                 hz__memlimit_source(opt->memory_by_rlimit));
    else
        snprintf(msg, sizeof msg, "%.400s (the machine's memory ran out)",
                 err->msg);
    snprintf(err->msg, sizeof err->msg, "%s", msg);
}

hz_status hz_exec_run(const hz_job *job, const char *dataset,
                      const hz_exec_options *opt, hz_exec_output *out,
                      hz_error *err)
{
    hz_exec_output_init(out);
    hz_job_request req;
    hz_job_request_init(&req);
    hz_status rc = opt->build_request ? opt->build_request(job, &req, err)
                                      : hz_error_set(err, HZ_EINTERNAL,
                                                     "no parameter decoder");
    if (rc == HZ_OK) {
        stderr_hook(&req, opt);
        result_hook(&req, opt);
        rc = needle_hook(&req, opt, err);
    }
    if (rc == HZ_OK)
        rc = write_hook(&req, opt, err);
    if (rc == HZ_OK)
        fork_hook(&req, opt);
    if (rc == HZ_OK)
        threads_hook(&req, opt);
    if (rc == HZ_OK)
        shm_hook(&req, opt);
    if (rc == HZ_OK)
        stdin_hook(&req, opt);
    if (rc == HZ_OK)
        keyring_hook(&req, opt);
    if (rc == HZ_OK)
        rc = read_file_hook(&req, opt, err);
    if (rc == HZ_OK && opt->test_hooks && req.debug_reason[0] != '\0') {
        set_reason(out, req.debug_reason, false);
        hz_job_request_clear(&req);
        return hz_error_set(err, HZ_EINTERNAL, "test hook debugReason");
    }
    if (rc != HZ_OK) {
        set_reason(out, "params", false);
        hz_job_request_clear(&req);
        return rc;
    }
    char path[4200], tmp[4096] = "", name[HZ_JOB_URI_MAX + HZ_JOB_ID_MAX + 16];
    dataset_name(job, dataset, name, sizeof name);
    int fd = -1;
    hz_dataset *ds = NULL;
    double t0 = hz_now();
    rc = fetch_stage(job, dataset, opt, out, path, sizeof path, tmp,
                     sizeof tmp, &fd, err);
    out->stage_s[HZ_STAGE_FETCH] = hz_now() - t0;
    if (rc == HZ_OK && opt->after_fetch != NULL &&
        hz_sandbox_is_url(dataset) && (rc = opt->after_fetch(err)) != HZ_OK)
        set_reason(out, "isolation", false);
    if (rc == HZ_OK && (rc = connect_hook(&req, opt, err)) != HZ_OK)
        set_reason(out, "params", false);
    if (rc == HZ_OK) {
        t0 = hz_now();
        rc = ingest_stage(path, name, &req, opt, &ds, err);
        out->stage_s[HZ_STAGE_INGEST] = hz_now() - t0;
        if (rc != HZ_OK)
            set_reason(out, "dataset", false);
    }
    if (fd >= 0)
        close(fd);
    if (tmp[0] != '\0') {
        /* its room, at once: the unlink is refused under the isolation
         * (runner/isolate.c), and the empty file stays until the job's
         * directory is removed */
        if (truncate(tmp, 0) != 0) {
            /* the unlink frees it */
        }
        unlink(tmp);
    }
    hz__tool t = {.name = hz_job_type_name(job->type),
                  .job = job,
                  .ds = ds,
                  .req = &req,
                  .opt = opt};
    if (rc == HZ_OK) {
        out->dataset_rows = ds->nrows;
        rc = compute_stage(&t, opt, out, err);
        if (rc == HZ_ETIMEOUT)
            return rc; /* the tool still runs on ds and req: the process
                          exits without freeing them */
        if (rc != HZ_OK)
            rename_in_message(err, path, name);
    }
    if (rc == HZ_OK)
        rc = collect(&t, ds, out, err);
    cJSON_Delete(t.summary);
    cJSON_Delete(t.rows);
    hz_analytics_result_free(t.result);
    free(t.report);
    hz_dataset_free(ds);
    hz_job_request_clear(&req);
    if (rc == HZ_ENOMEM)
        out_of_memory(opt, out, err);
    return rc;
}
