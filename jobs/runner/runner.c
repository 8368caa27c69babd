/* The job runner (see runner.h for the process model). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "net/cjson.h"
#include "runner/exec.h"
#include "runner/job_report.h"
#include "store/job.h"
#include "runner/runner.h"
#include "net/http.h"
#include "cosmos/cosmos.h"
#include "store/store.h"

void hz_runner_config_init(hz_runner_config *c)
{
    memset(c, 0, sizeof *c);
    c->poll_interval_s = 2;
    c->concurrency = 4;
    c->timeout_s = 300;
    c->max_attempts = 3;
    c->lease_s = 60;
    c->grace_s = 20;
    c->max_download_bytes = 2LL << 30;
}

typedef struct qitem {
    cJSON *doc;
    double claimed_at; /* monotonic */
} qitem;

typedef struct runner {
    const hz_runner_config *cfg;
    FILE *log;
    char owner[160];
    const char *tmpdir;
    hz_metrics *m;
    pthread_mutex_t mu;
    pthread_cond_t cv_work; /* workers wait for jobs */
    pthread_cond_t cv_idle; /* the dispatcher waits for a free worker */
    qitem *queue;
    int qcap, qhead, qn;
    int busy;
    bool done;
    long finished; /* jobs finished (ok or failed) */
    long seq;
    int threads_per_job;
    pthread_mutex_t log_mu;
    int zy_sock; /* socket to the zygote (-1: none) */
    pid_t zy_pid;
    pthread_mutex_t zy_mu; /* one request at a time */
} runner;

static bool stopping(const runner *r)
{
    return r->cfg->stop != NULL && *r->cfg->stop != 0;
}

static void logf_(runner *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void logf_(runner *r, const char *fmt, ...)
{
    va_list ap;
    pthread_mutex_lock(&r->log_mu);
    if (r->cfg->progress && isatty(fileno(r->log)))
        fputs("\r\033[K", r->log);
    fputs("horizon run: ", r->log);
    va_start(ap, fmt);
    vfprintf(r->log, fmt, ap);
    va_end(ap);
    fputc('\n', r->log);
    fflush(r->log);
    pthread_mutex_unlock(&r->log_mu);
}

/* ---- write-back helpers ---- */

static void drop(cJSON *d, const char *k)
{
    cJSON_DeleteItemFromObjectCaseSensitive(d, k);
}

/* Final failure: status failed with the reason and message. */
static void fail_job(runner *r, hz_store *s, cJSON *doc, const char *reason,
                     const char *msg, const double *stages, double t_claim)
{
    char etag[HZ_ETAG_MAX];
    snprintf(etag, sizeof etag, "%s",
             hz__cjson_str(doc, "_etag") ? hz__cjson_str(doc, "_etag") : "");
    double now = hz_wall_now();
    hz__cjson_set_str(doc, "status", "failed");
    hz__cjson_set_str(doc, "error", msg);
    hz__cjson_set_str(doc, "errorReason", reason);
    hz__cjson_set_num(doc, "finishedAt", now);
    hz__cjson_set_num(doc, "updatedAt", now);
    drop(doc, "leaseOwner");
    drop(doc, "leaseExpiry");
    hz_error err;
    hz_status rc = hz_store_finish(s, doc, etag, NULL, 0, &err);
    const char *id = hz__cjson_str(doc, "id") ? hz__cjson_str(doc, "id") : "?";
    if (rc == HZ_ECONFLICT) {
        logf_(r, "job %s: lease lost before its failure was recorded", id);
        hz_metrics_add_requeue(r->m, "lease-lost");
        return;
    }
    if (rc != HZ_OK) {
        logf_(r, "job %s: could not record its failure: %s", id, err.msg);
        hz_metrics_add_requeue(r->m, "store-error");
        return;
    }
    logf_(r, "job %s (%s, tenant %s) failed [%s]: %s", id,
          hz__cjson_str(doc, "type") ? hz__cjson_str(doc, "type") : "?",
          hz__cjson_str(doc, "customerId") ? hz__cjson_str(doc, "customerId")
                                           : "?",
          reason, msg);
    hz_metrics_add_job(r->m, stages, hz_now() - t_claim, false, reason);
}

/* Transient failure with attempts left: back to the queue. */
static void requeue_job(runner *r, hz_store *s, cJSON *doc, const char *reason,
                        const char *msg, bool refund)
{
    hz__cjson_set_str(doc, "error", msg);
    hz__cjson_set_str(doc, "errorReason", reason);
    hz_error err;
    hz_status rc = hz_store_release_lease(s, doc, hz_wall_now(), refund, &err);
    if (rc != HZ_OK)
        logf_(r, "job %s: could not release: %s", hz__cjson_str(doc, "id"),
              err.msg);
    else if (r->cfg->verbose || !refund)
        logf_(r, "job %s: %s [%s]: %s; back in the queue",
              hz__cjson_str(doc, "id"),
              refund ? "released" : "will be retried", reason, msg);
    hz_metrics_add_requeue(r->m, reason);
}

/* Free the first n result documents and the array. */
static void free_results(cJSON **res, size_t n)
{
    for (size_t i = 0; i < n; i++)
        cJSON_Delete(res[i]);
    free(res);
}

/* Split the child's chunks into result documents of at most
 * HZ_RESULT_ROWS_PER_DOC rows with deterministic ids.  NULL when memory
 * runs out (the rows taken from chunks so far are then lost: the caller
 * must not write the job back). */
static cJSON **build_results(const cJSON *doc, cJSON *chunks, size_t *n,
                             long *nrows)
{
    const char *id = hz__cjson_str(doc, "id"),
               *pk = hz__cjson_str(doc, "customerId");
    size_t cap = 16, k = 0;
    cJSON **res = malloc(cap * sizeof *res);
    *nrows = 0;
    if (res == NULL)
        return NULL;
    cJSON *c;
    cJSON_ArrayForEach(c, chunks)
    {
        const char *kind = hz__cjson_str(c, "kind");
        cJSON *rows = cJSON_GetObjectItemCaseSensitive(c, "rows");
        int total = cJSON_GetArraySize(rows);
        *nrows += total;
        for (int off = 0; off < total || (off == 0 && total == 0);
             off += HZ_RESULT_ROWS_PER_DOC) {
            if (k == cap) {
                cJSON **grown = realloc(res, 2 * cap * sizeof *res);
                if (grown == NULL) {
                    free_results(res, k);
                    return NULL;
                }
                res = grown;
                cap *= 2;
            }
            char rid[HZ_JOB_ID_MAX + 16];
            hz_result_id(id, k, rid, sizeof rid);
            cJSON *d = cJSON_CreateObject();
            cJSON_AddStringToObject(d, "id", rid);
            cJSON_AddStringToObject(d, "customerId", pk);
            cJSON_AddStringToObject(d, "jobId", id);
            cJSON_AddNumberToObject(d, "chunk", (double)k);
            cJSON_AddStringToObject(d, "kind", kind ? kind : "");
            cJSON_AddNumberToObject(d, "firstRow", off);
            cJSON *part = cJSON_AddArrayToObject(d, "rows");
            for (int i = 0; i < HZ_RESULT_ROWS_PER_DOC && off + i < total; i++)
                cJSON_AddItemToArray(part, cJSON_DetachItemFromArray(rows, 0));
            res[k++] = d;
            if (total == 0)
                break;
        }
    }
    *n = k;
    return res;
}

/* ---- the child ---- */

/* The job's HTML report goes to "<result file>.html", written before the
 * result file appears (the runner reads it after). */
static bool write_report_file(const char *path, const char *html, size_t len)
{
    char p[4200];
    snprintf(p, sizeof p, "%s.html", path);
    FILE *f = fopen(p, "w");
    if (f == NULL)
        return false;
    bool ok = fwrite(html, 1, len, f) == len;
    return fclose(f) == 0 && ok;
}

/* The job process's result file: first, per tool, a line "#rows N KIND"
 * (KIND a JSON string) and its N rows, one JSON object a line, written by
 * hz_exec_write_rows (the engine's row writer for analytics); then a line
 * "#end " and the job's outcome object (status, stages, summary).  The
 * runner passes the rows on to the store as text, never parsing them.
 * Writing the rows counts towards the summarise stage. */
static void write_child_result(const char *path, const hz_job *job,
                               hz_status rc, const hz_error *err,
                               hz_exec_output *out)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.part", path);
    FILE *f = fopen(tmp, "w");
    if (f == NULL)
        _exit(3);
    bool ok = true;
    double t0 = hz_now();
    for (size_t i = 0; rc == HZ_OK && i < out->nrowsets; i++) {
        const hz_exec_rows *rs = &out->rows[i];
        cJSON *kind = cJSON_CreateString(rs->kind);
        char *k = kind ? cJSON_PrintUnformatted(kind) : NULL;
        ok = ok && k != NULL &&
             fprintf(f, "#rows %zu %s\n", hz_exec_count_rows(rs), k) > 0 &&
             hz_exec_write_rows(rs, f) == 0;
        cJSON_free(k);
        cJSON_Delete(kind);
    }
    if (rc == HZ_OK && out->report != NULL) /* the HTML report beside */
        ok = ok && write_report_file(path, out->report, out->report_len);
    out->stage_s[HZ_STAGE_SUMMARISE] += hz_now() - t0;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "ok", rc == HZ_OK);
    if (rc == HZ_OK && out->report == NULL)
        cJSON_AddStringToObject(o, "reportError",
                                out->report_error[0] ? out->report_error
                                                     : "not written");
    if (rc != HZ_OK) {
        cJSON_AddStringToObject(o, "error", err->msg);
        cJSON_AddStringToObject(o, "reason",
                                out->reason[0] ? out->reason : "compute");
        cJSON_AddBoolToObject(o, "retryable", out->retryable);
    }
    cJSON *st = cJSON_AddArrayToObject(o, "stages");
    for (int i = 0; i < HZ_NSTAGES; i++)
        cJSON_AddItemToArray(st, cJSON_CreateNumber(out->stage_s[i]));
    cJSON_AddNumberToObject(o, "datasetBytes", (double)out->dataset_bytes);
    cJSON_AddNumberToObject(o, "datasetRows", (double)out->dataset_rows);
    if (out->summary) {
        cJSON_AddItemToObject(o, "summary", out->summary);
        out->summary = NULL;
    }
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    ok = ok && s != NULL && fputs("#end ", f) >= 0 && fputs(s, f) >= 0 &&
         fputc('\n', f) != EOF;
    cJSON_free(s);
    if (!ok || fclose(f) != 0)
        _exit(3);
    if (rename(tmp, path) != 0)
        _exit(3);
    (void)job;
}

/* Read a job process's result file (see write_child_result): the outcome
 * object, with the rows as "chunks": [{"kind":..., "rows": [raw...]}].
 * NULL when the file is missing or malformed. */
static char *read_file(const char *path);

static cJSON *read_child_result(const char *path)
{
    char *text = read_file(path);
    if (text == NULL)
        return NULL;
    cJSON *res = NULL;
    cJSON *chunks = cJSON_CreateArray();
    bool ok = chunks != NULL;
    for (char *p = text; ok && res == NULL;) {
        char *eol = strchr(p, '\n');
        if (eol == NULL) {
            ok = false;
            break;
        }
        if (strncmp(p, "#end ", 5) == 0) {
            res = cJSON_ParseWithLength(p + 5, (size_t)(eol - p - 5));
            ok = res != NULL;
            break;
        }
        long n;
        char *kind_at;
        if (strncmp(p, "#rows ", 6) != 0 ||
            (n = strtol(p + 6, &kind_at, 10)) < 0 || *kind_at != ' ') {
            ok = false;
            break;
        }
        cJSON *kind = cJSON_ParseWithLength(kind_at + 1,
                                            (size_t)(eol - kind_at - 1));
        cJSON *chunk = cJSON_CreateObject();
        cJSON *rows = cJSON_CreateArray();
        if (!cJSON_IsString(kind) || chunk == NULL || rows == NULL) {
            cJSON_Delete(kind);
            cJSON_Delete(chunk);
            cJSON_Delete(rows);
            ok = false;
            break;
        }
        cJSON_AddItemToObject(chunk, "kind", kind);
        cJSON_AddItemToObject(chunk, "rows", rows);
        cJSON_AddItemToArray(chunks, chunk);
        p = eol + 1;
        for (long i = 0; i < n && ok; i++) {
            eol = strchr(p, '\n');
            if (eol == NULL) {
                ok = false;
                break;
            }
            *eol = '\0';
            cJSON *row = cJSON_CreateRaw(p);
            ok = row != NULL && cJSON_AddItemToArray(rows, row);
            p = eol + 1;
        }
    }
    free(text);
    if (!ok || res == NULL) {
        cJSON_Delete(res);
        cJSON_Delete(chunks);
        return NULL;
    }
    cJSON_AddItemToObject(res, "chunks", chunks);
    return res;
}

static void child_main(runner *r, const hz_job *job, const char *dataset,
                       const char *resfile, pid_t parent)
{
    /* Leave the runner's process group (a Ctrl-C goes to the runner, which
     * decides), die with the worker thread that forked us. */
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(4);
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    sigset_t all;
    sigemptyset(&all);
    pthread_sigmask(SIG_SETMASK, &all, NULL);

    hz_exec_options opt;
    hz_exec_options_init(&opt);
    opt.tmpdir = r->tmpdir;
    opt.max_download_bytes = r->cfg->max_download_bytes;
    double jt = job->timeout_s > 0 ? job->timeout_s : r->cfg->timeout_s;
    opt.fetch_timeout_s = jt;
    opt.tool_timeout_s = r->cfg->tool_timeout_s > 0 ? r->cfg->tool_timeout_s
                                                    : 0;
    opt.threads = r->threads_per_job;
    opt.test_hooks = r->cfg->test_hooks;
    hz_exec_output out;
    hz_error err;
    hz_error_clear(&err);
    hz_status rc = hz_exec_run(job, dataset, &opt, &out, &err);
    write_child_result(resfile, job, rc, &err, &out);
    _exit(0);
}

/* A job process started by the zygote: the request file holds the job
 * document, the dataset location and the result file's path. */
static void child_from_request(runner *r, const char *reqfile, pid_t parent)
{
    char *text = read_file(reqfile);
    cJSON *req = text ? cJSON_Parse(text) : NULL;
    free(text);
    hz_job job;
    hz_error err;
    const char *ds = hz__cjson_str(req, "dataset");
    const char *res = hz__cjson_str(req, "result");
    if (ds == NULL || res == NULL ||
        hz_job_from_json(cJSON_GetObjectItemCaseSensitive(req, "job"), &job,
                         &err) != HZ_OK)
        _exit(5);
    child_main(r, &job, ds, res, parent);
}

/* The zygote: a small single-threaded process forked before the runner
 * starts any thread or opens the store.  Workers ask it (over a
 * SOCK_SEQPACKET socket) to fork their job processes, and get back the
 * pid and a pidfd.  Forking from the multi-threaded runner instead would
 * make every later write of the runner to its heap a copy-on-write fault
 * with a TLB shootdown across cores (measured: 40% of the runner's CPU). */
static void zygote_main(runner *r, int sock)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    signal(SIGINT, SIG_IGN); /* the runner decides what a signal means */
    signal(SIGTERM, SIG_IGN);
    for (;;) {
        char path[4200];
        ssize_t n = recv(sock, path, sizeof path - 1, 0);
        if (n <= 0)
            break;
        path[n] = '\0';
        while (waitpid(-1, NULL, WNOHANG) > 0) {
        }
        pid_t self = getpid();
        pid_t pid = fork();
        if (pid == 0) {
            close(sock);
            child_from_request(r, path, self);
        }
        int fd = pid > 0 ? (int)syscall(SYS_pidfd_open, pid, 0) : -1;
        int reply = pid > 0 ? (fd >= 0 ? pid : -EINVAL) : -errno;
        if (pid > 0 && fd < 0)
            kill(pid, SIGKILL);
        struct iovec iov = {.iov_base = &reply, .iov_len = sizeof reply};
        union {
            struct cmsghdr h;
            char buf[CMSG_SPACE(sizeof(int))];
        } cm;
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
        if (fd >= 0) {
            memset(&cm, 0, sizeof cm);
            mh.msg_control = cm.buf;
            mh.msg_controllen = sizeof cm.buf;
            struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
            c->cmsg_level = SOL_SOCKET;
            c->cmsg_type = SCM_RIGHTS;
            c->cmsg_len = CMSG_LEN(sizeof(int));
            memcpy(CMSG_DATA(c), &fd, sizeof fd);
        }
        ssize_t w = sendmsg(sock, &mh, 0);
        if (fd >= 0)
            close(fd);
        if (w < 0)
            break;
    }
    /* reap what is left (so their CPU time is accounted to the runner) */
    while (waitpid(-1, NULL, 0) > 0) {
    }
    _exit(0);
}

/* Ask the zygote for a job process; returns its pidfd (and pid) or -1
 * with errno. */
static int spawn_job(runner *r, const char *reqfile, pid_t *pid)
{
    int fd = -1, reply = -EIO;
    pthread_mutex_lock(&r->zy_mu);
    if (send(r->zy_sock, reqfile, strlen(reqfile), MSG_NOSIGNAL) >= 0) {
        struct iovec iov = {.iov_base = &reply, .iov_len = sizeof reply};
        union {
            struct cmsghdr h;
            char buf[CMSG_SPACE(sizeof(int))];
        } cm;
        struct msghdr mh = {.msg_iov = &iov,
                            .msg_iovlen = 1,
                            .msg_control = cm.buf,
                            .msg_controllen = sizeof cm.buf};
        if (recvmsg(r->zy_sock, &mh, MSG_CMSG_CLOEXEC) > 0) {
            struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
            if (c != NULL && c->cmsg_type == SCM_RIGHTS)
                memcpy(&fd, CMSG_DATA(c), sizeof fd);
        }
    }
    pthread_mutex_unlock(&r->zy_mu);
    if (reply <= 0 || fd < 0) {
        if (fd >= 0)
            close(fd);
        errno = reply < 0 ? -reply : EIO;
        return -1;
    }
    *pid = reply;
    return fd;
}

/* ---- the worker ---- */

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0)
        cap = (size_t)sb.st_size + 65537; /* one allocation, no regrowth */
    for (;;) {
        if (cap - len < 65536 || buf == NULL) {
            cap = buf == NULL ? (cap ? cap : 1 << 20) : cap * 2;
            char *nb = realloc(buf, cap);
            if (nb == NULL) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        size_t n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0)
            break;
    }
    fclose(f);
    buf[len] = '\0';
    return buf;
}

typedef enum outcome {
    OUT_EXITED,   /* the child exited; result file to read */
    OUT_TIMEOUT,  /* killed at the job's deadline */
    OUT_LEASE,    /* lease lost: killed, abandon the job */
    OUT_SHUTDOWN, /* grace after stop passed: killed, release */
    OUT_ERROR     /* could not fork */
} outcome;

static bool pidfd_exited(int pfd, double wait_s)
{
    struct pollfd p = {.fd = pfd, .events = POLLIN};
    return poll(&p, 1, (int)ceil(wait_s * 1000)) > 0;
}

static void kill_job(int pfd, pid_t pid)
{
    syscall(SYS_pidfd_send_signal, pfd, SIGKILL, NULL, 0);
    /* the process group: nothing should be left behind */
    if (!pidfd_exited(pfd, 0))
        kill(-pid, SIGKILL);
    pidfd_exited(pfd, 10);
}

static outcome supervise(runner *r, hz_store *s, cJSON *doc, pid_t pid,
                         int pfd, double timeout_s, double *elapsed)
{
    double t0 = hz_now();
    double deadline = t0 + timeout_s;
    double renew_every = r->cfg->lease_s / 3;
    double next_renew = t0 + renew_every;
    double stop_at = -1;
    outcome oc = OUT_EXITED;
    for (;;) {
        if (pidfd_exited(pfd, 0))
            break;
        double now = hz_now();
        if (now >= deadline) {
            oc = OUT_TIMEOUT;
            goto kill_child;
        }
        if (stopping(r)) {
            if (stop_at < 0)
                stop_at = now + r->cfg->grace_s;
            else if (now >= stop_at) {
                oc = OUT_SHUTDOWN;
                goto kill_child;
            }
        }
        if (now >= next_renew) {
            hz_error err;
            double wall = hz_wall_now();
            hz_status rc = hz_store_renew_lease(s, doc, wall,
                                                wall + r->cfg->lease_s, &err);
            if (rc == HZ_ECONFLICT || rc == HZ_ENOTFOUND) {
                logf_(r, "job %s: lease lost (%s); abandoning it",
                      hz__cjson_str(doc, "id"), err.msg);
                oc = OUT_LEASE;
                goto kill_child;
            }
            if (rc != HZ_OK)
                logf_(r, "job %s: could not renew its lease: %s",
                      hz__cjson_str(doc, "id"), err.msg);
            next_renew = now + renew_every;
        }
        double wait = fmin(deadline, next_renew) - now;
        wait = fmin(wait, 0.25); /* notice a stop request */
        if (stop_at > 0)
            wait = fmin(wait, stop_at - now);
        if (wait < 0.001)
            wait = 0.001;
        if (pidfd_exited(pfd, wait))
            break;
    }
    *elapsed = hz_now() - t0;
    return oc;
kill_child:
    kill_job(pfd, pid);
    *elapsed = hz_now() - t0;
    return oc;
}

static void process(runner *r, hz_store *s, qitem *it, int worker)
{
    cJSON *doc = it->doc;
    double t_claim = it->claimed_at;
    double stages[HZ_NSTAGES];
    for (int i = 0; i < HZ_NSTAGES; i++)
        stages[i] = NAN;
    hz_error err;
    hz_job job;
    char resfile[4096] = "";
    char *dataset_uri = NULL;
    cJSON *res = NULL;

    if (stopping(r)) {
        requeue_job(r, s, doc, "shutdown",
                    "runner stopping before the job "
                    "started",
                    true);
        return;
    }
    if (hz_job_from_json(doc, &job, &err) != HZ_OK) {
        fail_job(r, s, doc, "validation", err.msg, stages, t_claim);
        return;
    }
    int max_attempts = job.max_attempts > 0 ? job.max_attempts
                                            : r->cfg->max_attempts;
    if (job.attempts > max_attempts) {
        char msg[HZ_ERROR_MAX + 64];
        snprintf(msg, sizeof msg, "gave up after %d attempts (last: %s)",
                 max_attempts,
                 job.error[0] ? job.error : "the runner running it died");
        fail_job(r, s, doc, "attempts", msg, stages, t_claim);
        goto out;
    }
    if (hz_exec_validate(&job, &err) != HZ_OK) {
        char msg[HZ_ERROR_MAX + 32];
        snprintf(msg, sizeof msg, "bad parameters: %s", err.msg);
        fail_job(r, s, doc, "params", msg, stages, t_claim);
        goto out;
    }
    if (job.dataset_id[0] != '\0') {
        cJSON *ds = NULL;
        hz_status rc = hz_store_get(s, HZ_STORE_DATASETS, job.dataset_id,
                                    job.customer_id, &ds, &err);
        const char *uri = rc == HZ_OK ? hz__cjson_str(ds, "uri") : NULL;
        if (uri == NULL) {
            char msg[HZ_ERROR_MAX + 512];
            snprintf(msg, sizeof msg, "datasetId '%s': %s", job.dataset_id,
                     rc == HZ_ENOTFOUND ? "no such dataset for this tenant"
                     : rc == HZ_OK      ? "dataset document has no uri"
                                        : err.msg);
            cJSON_Delete(ds);
            if (rc == HZ_OK || rc == HZ_ENOTFOUND)
                fail_job(r, s, doc, "dataset", msg, stages, t_claim);
            else
                requeue_job(r, s, doc, "store-error", msg, false);
            goto out;
        }
        dataset_uri = strdup(uri);
        cJSON_Delete(ds);
    } else {
        dataset_uri = strdup(job.dataset);
    }

    double timeout = job.timeout_s > 0 ? job.timeout_s : r->cfg->timeout_s;
    pthread_mutex_lock(&r->mu);
    long seq = ++r->seq;
    pthread_mutex_unlock(&r->mu);
    snprintf(resfile, sizeof resfile, "%s/hz-run-%ld-%d-%ld.json", r->tmpdir,
             (long)getpid(), worker, seq);
    char reqfile[4200];
    snprintf(reqfile, sizeof reqfile, "%s.req", resfile);
    {
        cJSON *req = cJSON_CreateObject();
        cJSON_AddItemToObject(req, "job", cJSON_Duplicate(doc, 1));
        cJSON_AddStringToObject(req, "dataset", dataset_uri);
        cJSON_AddStringToObject(req, "result", resfile);
        char *text = cJSON_PrintUnformatted(req);
        cJSON_Delete(req);
        FILE *f = fopen(reqfile, "w");
        bool ok = f != NULL && text != NULL && fputs(text, f) >= 0;
        if (f != NULL && fclose(f) != 0)
            ok = false;
        cJSON_free(text);
        if (!ok) {
            snprintf(err.msg, sizeof err.msg, "could not write %.400s: %s",
                     reqfile, strerror(errno));
            requeue_job(r, s, doc, "crash", err.msg, true);
            goto out;
        }
    }
    pid_t pid = 0;
    int pfd = spawn_job(r, reqfile, &pid);
    if (pfd < 0) {
        snprintf(err.msg, sizeof err.msg,
                 "could not start the job process:"
                 " %s",
                 strerror(errno));
        requeue_job(r, s, doc, "crash", err.msg, true);
        goto out;
    }
    double elapsed = 0;
    outcome oc = supervise(r, s, doc, pid, pfd, timeout, &elapsed);
    close(pfd);
    if (oc == OUT_TIMEOUT) {
        char msg[256];
        snprintf(msg, sizeof msg,
                 "job exceeded its timeout of %g s (stopped"
                 " after %.1f s)",
                 timeout, elapsed);
        fail_job(r, s, doc, "timeout", msg, stages, t_claim);
        goto out;
    }
    if (oc == OUT_LEASE) {
        hz_metrics_add_requeue(r->m, "lease-lost");
        goto out;
    }
    if (oc == OUT_SHUTDOWN) {
        requeue_job(r, s, doc, "shutdown",
                    "runner stopped while the job "
                    "ran",
                    true);
        goto out;
    }
    res = read_child_result(resfile);
    if (res == NULL) {
        char msg[256];
        snprintf(msg, sizeof msg,
                 "job process %ld ended without a result "
                 "(it crashed or was killed)",
                 (long)pid);
        if (job.attempts < max_attempts)
            requeue_job(r, s, doc, "crash", msg, false);
        else
            fail_job(r, s, doc, "crash", msg, stages, t_claim);
        goto out;
    }
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(res, "stages");
    for (int i = 0; i < HZ_NSTAGES && i < cJSON_GetArraySize(st); i++)
        if (i != HZ_STAGE_WRITE)
            stages[i] = cJSON_GetArrayItem(st, i)->valuedouble;
    if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(res, "ok"))) {
        const char *msg = hz__cjson_str(res, "error")
                              ? hz__cjson_str(res, "error")
                              : "failed";
        const char *reason = hz__cjson_str(res, "reason")
                                 ? hz__cjson_str(res, "reason")
                                 : "compute";
        bool retry = cJSON_IsTrue(
            cJSON_GetObjectItemCaseSensitive(res, "retryable"));
        if (retry && job.attempts < max_attempts)
            requeue_job(r, s, doc, reason, msg, false);
        else
            fail_job(r, s, doc, reason, msg, stages, t_claim);
        goto out;
    }

    /* success: results, narrative hook, final status in one write-back */
    cJSON *summary = cJSON_DetachItemFromObjectCaseSensitive(res, "summary");
    if (summary == NULL)
        summary = cJSON_CreateObject();
    size_t nres = 0;
    long nrows = 0;
    cJSON **results = build_results(
        doc, cJSON_GetObjectItemCaseSensitive(res, "chunks"), &nres, &nrows);
    if (results == NULL) {
        cJSON_Delete(summary);
        requeue_job(r, s, doc, "memory",
                    "out of memory building the result documents", false);
        goto out;
    }
    if (r->cfg->narrative != NULL) {
        cJSON *narr = NULL;
        hz_error nerr;
        hz_error_clear(&nerr);
        if (r->cfg->narrative(r->cfg->narrative_ctx, doc, summary, &narr,
                              &nerr) == HZ_OK &&
            narr != NULL) {
            drop(doc, "narrative");
            cJSON_AddItemToObject(doc, "narrative", narr);
        } else {
            cJSON_Delete(narr);
            if (nerr.msg[0])
                logf_(r, "job %s: narrative skipped: %s", job.id, nerr.msg);
        }
    }
    {
        /* the report, with the narrative, before the final status */
        char html[4200];
        hz_error rerr;
        hz_error_clear(&rerr);
        snprintf(html, sizeof html, "%s.html", resfile);
        if (hz__job_report_store(s, doc, html, hz__cjson_str(res, "reportError"),
                                 &rerr) != HZ_OK)
            logf_(r, "job %s: report not stored: %s", job.id, rerr.msg);
    }
    char etag[HZ_ETAG_MAX];
    snprintf(etag, sizeof etag, "%s", hz__cjson_str(doc, "_etag"));
    double now = hz_wall_now();
    hz__cjson_set_str(doc, "status", "succeeded");
    hz__cjson_set_num(doc, "finishedAt", now);
    hz__cjson_set_num(doc, "updatedAt", now);
    drop(doc, "leaseOwner");
    drop(doc, "leaseExpiry");
    drop(doc, "error");
    drop(doc, "errorReason");
    drop(doc, "summary");
    cJSON_AddItemToObject(doc, "summary", summary);
    hz__cjson_set_num(doc, "resultChunks", (double)nres);
    hz__cjson_set_num(doc, "resultRows", (double)nrows);
    const cJSON *db = cJSON_GetObjectItemCaseSensitive(res, "datasetBytes");
    if (cJSON_IsNumber(db) && db->valuedouble >= 0)
        hz__cjson_set_num(doc, "datasetBytes", db->valuedouble);
    cJSON *mt = cJSON_CreateObject();
    for (int i = 0; i < HZ_NSTAGES; i++)
        if (isfinite(stages[i]))
            cJSON_AddNumberToObject(mt, hz_stage_name(i),
                                    round(stages[i] * 1e6) / 1e6);
    drop(doc, "metrics");
    cJSON_AddItemToObject(doc, "metrics", mt);
    double tw = hz_now();
    hz_status rc = hz_store_finish(s, doc, etag, results, nres, &err);
    stages[HZ_STAGE_WRITE] = hz_now() - tw;
    free_results(results, nres);
    if (rc == HZ_ECONFLICT) {
        logf_(r,
              "job %s: lease lost before write-back; left to its new "
              "owner",
              job.id);
        hz_metrics_add_requeue(r->m, "lease-lost");
    } else if (rc != HZ_OK) {
        logf_(r,
              "job %s: could not write its results: %s (the job will be "
              "recovered when its lease expires)",
              job.id, err.msg);
        hz_metrics_add_requeue(r->m, "store-error");
    } else {
        if (r->cfg->verbose)
            logf_(r,
                  "job %s (%s, tenant %s) succeeded: %zu result "
                  "documents, %ld rows",
                  job.id, hz_job_type_name(job.type), job.customer_id, nres,
                  nrows);
        hz_metrics_add_job(r->m, stages, hz_now() - t_claim, true, NULL);
    }
out:
    if (resfile[0] != '\0') {
        unlink(resfile);
        char aux[4200];
        snprintf(aux, sizeof aux, "%s.part", resfile);
        unlink(aux);
        snprintf(aux, sizeof aux, "%s.req", resfile);
        unlink(aux);
        snprintf(aux, sizeof aux, "%s.html", resfile);
        unlink(aux);
    }
    cJSON_Delete(res);
    free(dataset_uri);
    hz_job_clear(&job);
}

typedef struct worker_arg {
    runner *r;
    int index;
    hz_store *s; /* opened by the dispatcher, closed by the worker */
} worker_arg;

static void *worker_main(void *arg)
{
    worker_arg *wa = arg;
    runner *r = wa->r;
    hz_store *s = wa->s;
    for (;;) {
        pthread_mutex_lock(&r->mu);
        while (r->qn == 0 && !r->done)
            pthread_cond_wait(&r->cv_work, &r->mu);
        if (r->qn == 0 && r->done) {
            pthread_mutex_unlock(&r->mu);
            break;
        }
        qitem it = r->queue[r->qhead];
        r->qhead = (r->qhead + 1) % r->qcap;
        r->qn--;
        r->busy++;
        pthread_mutex_unlock(&r->mu);
        process(r, s, &it, wa->index);
        cJSON_Delete(it.doc);
        pthread_mutex_lock(&r->mu);
        r->busy--;
        r->finished++;
        pthread_cond_broadcast(&r->cv_idle);
        pthread_mutex_unlock(&r->mu);
    }
    hz_metrics_add_store(r->m, s->busy_s, s->nops);
    hz_metrics_add_ru(r->m, "write", hz__store_cosmos_charge(s));
    hz_store_close(s);
    wa->s = NULL;
    return NULL;
}

static void timed_wait(runner *r, double seconds)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double whole = floor(seconds);
    ts.tv_sec += (time_t)whole;
    ts.tv_nsec += (long)((seconds - whole) * 1e9);
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&r->cv_idle, &r->mu, &ts);
}

static void progress(runner *r, double t0, bool final)
{
    if (!r->cfg->progress || !isatty(fileno(r->log)))
        return;
    double el = hz_now() - t0;
    long ok = hz_metrics_done(r->m), bad = hz_metrics_failed(r->m);
    pthread_mutex_lock(&r->log_mu);
    fprintf(r->log,
            "\r\033[K%ld succeeded, %ld failed, %d running, "
            "%.1f jobs/s, %.0f s%s",
            ok, bad, r->busy, el > 0 ? (ok + bad) / el : 0.0, el,
            final ? "\n" : "");
    fflush(r->log);
    pthread_mutex_unlock(&r->log_mu);
}

hz_status hz_runner_run(const hz_runner_config *cfg, hz_metrics *m,
                        hz_error *err)
{
    runner r;
    memset(&r, 0, sizeof r);
    r.cfg = cfg;
    r.m = m;
    r.log = cfg->log ? cfg->log : stderr;
    r.tmpdir = cfg->tmpdir;
    if (r.tmpdir == NULL)
        r.tmpdir = getenv("TMPDIR");
    if (r.tmpdir == NULL || r.tmpdir[0] == '\0')
        r.tmpdir = "/tmp";
    int n = cfg->concurrency > 0 ? cfg->concurrency : 1;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    r.threads_per_job = cfg->threads_per_job > 0
                            ? cfg->threads_per_job
                            : (int)(ncpu / n > 1 ? ncpu / n : 1);
    char host[64] = "host";
    gethostname(host, sizeof host);
    host[sizeof host - 1] = '\0';
    char rid[HZ_JOB_ID_MAX];
    hz_job_new_id("r", rid);
    snprintf(r.owner, sizeof r.owner, "%.60s:%ld:%s", host, (long)getpid(),
             rid + strlen(rid) - 8);
    pthread_mutex_init(&r.mu, NULL);
    pthread_mutex_init(&r.log_mu, NULL);
    pthread_cond_init(&r.cv_work, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&r.cv_idle, &ca);
    pthread_condattr_destroy(&ca);
    r.qcap = n + 1;
    r.queue = calloc((size_t)r.qcap, sizeof *r.queue);

    pthread_mutex_init(&r.zy_mu, NULL);
    r.zy_sock = -1;
    /* the zygote first: before any thread, store handle or socket */
    hz_net_init();
    int sp[2];
    if (r.queue == NULL ||
        socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) != 0) {
        free(r.queue);
        return hz_error_set(err, HZ_ENOMEM,
                            "could not start the job "
                            "process helper: %s",
                            strerror(errno));
    }
    fflush(NULL);
    r.zy_pid = fork();
    if (r.zy_pid == 0) {
        close(sp[0]);
        zygote_main(&r, sp[1]);
    }
    close(sp[1]);
    if (r.zy_pid < 0) {
        close(sp[0]);
        free(r.queue);
        return hz_error_set(err, HZ_ENOMEM,
                            "could not start the job "
                            "process helper: %s",
                            strerror(errno));
    }
    r.zy_sock = sp[0];

    hz_store *s = NULL;
    hz_status rc = hz_store_open(cfg->store_spec, &s, err);
    if (rc != HZ_OK) {
        close(r.zy_sock);
        waitpid(r.zy_pid, NULL, 0);
        free(r.queue);
        return rc;
    }
    pthread_t *th = calloc((size_t)n, sizeof *th);
    worker_arg *wa = calloc((size_t)n, sizeof *wa);
    int started = 0;
    if (th == NULL || wa == NULL) {
        rc = hz_error_set(err, HZ_ENOMEM, "out of memory");
        goto out;
    }
    /* one store handle per worker, opened up front so that a store that
     * cannot be opened fails the run before anything is claimed */
    for (int i = 0; i < n; i++) {
        wa[i] = (worker_arg){.r = &r, .index = i};
        rc = hz_store_open(cfg->store_spec, &wa[i].s, err);
        if (rc != HZ_OK)
            goto out;
    }
    for (int i = 0; i < n; i++) {
        if (pthread_create(&th[i], NULL, worker_main, &wa[i]) != 0)
            break;
        started++;
    }
    if (started == 0) {
        rc = hz_error_set(err, HZ_ENOMEM, "could not start worker threads");
        goto out;
    }
    if (started < n)
        logf_(&r, "only %d of %d worker threads started", started, n);

    double t0 = hz_now(), last_progress = 0;
    long claimed_total = 0;
    int claim_errors = 0;
    pthread_mutex_lock(&r.mu);
    for (;;) {
        if (stopping(&r))
            break;
        int free_slots = started - r.busy - r.qn;
        if (cfg->max_jobs > 0 && claimed_total + free_slots > cfg->max_jobs)
            free_slots = (int)(cfg->max_jobs - claimed_total);
        int got = 0;
        if (free_slots > 0) {
            int busy_before = r.busy;
            pthread_mutex_unlock(&r.mu);
            hz_claim_request rq = {.owner = r.owner,
                                   .now = hz_wall_now(),
                                   .lease_s = cfg->lease_s,
                                   .max_jobs = free_slots < 32 ? free_slots
                                                               : 32,
                                   .customer_id = cfg->tenant};
            cJSON *jobs = NULL;
            hz_error cerr;
            hz_status crc = hz_store_claim(s, &rq, &jobs, &cerr);
            double now = hz_now();
            pthread_mutex_lock(&r.mu);
            if (crc != HZ_OK) {
                logf_(&r, "could not claim jobs: %s", cerr.msg);
                if (++claim_errors >= 5 && !cfg->watch) {
                    rc = hz_error_set(err, crc, "%s", cerr.msg);
                    break;
                }
            } else {
                claim_errors = 0;
                while (cJSON_GetArraySize(jobs) > 0) {
                    int tail = (r.qhead + r.qn) % r.qcap;
                    r.queue[tail].doc = cJSON_DetachItemFromArray(jobs, 0);
                    r.queue[tail].claimed_at = now;
                    r.qn++;
                    got++;
                }
                claimed_total += got;
                if (got > 0)
                    pthread_cond_broadcast(&r.cv_work);
            }
            cJSON_Delete(jobs);
            (void)busy_before;
        }
        if (cfg->max_jobs > 0 && claimed_total >= cfg->max_jobs &&
            r.busy == 0 && r.qn == 0)
            break;
        if (got == 0) {
            if (!cfg->watch && r.busy == 0 && r.qn == 0 && free_slots > 0)
                break; /* drained */
            double wait = (cfg->watch && r.busy == 0 && r.qn == 0)
                              ? cfg->poll_interval_s
                              : 0.25;
            if (cfg->progress)
                wait = fmin(wait, 0.5);
            timed_wait(&r, wait);
        } else if (started - r.busy - r.qn <= 0) {
            timed_wait(&r, 0.25);
        }
        if (cfg->progress && hz_now() - last_progress > 0.5) {
            pthread_mutex_unlock(&r.mu);
            progress(&r, t0, false);
            last_progress = hz_now();
            pthread_mutex_lock(&r.mu);
        }
    }
    r.done = true;
    pthread_cond_broadcast(&r.cv_work);
    pthread_mutex_unlock(&r.mu);
    if (stopping(&r))
        logf_(&r,
              "stopping: no more claims; finishing or releasing %d "
              "running job(s)",
              r.busy);
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    progress(&r, t0, true);
    hz_metrics_set_wall(m, hz_now() - t0, n);
out:
    hz_metrics_add_store(m, s->busy_s, s->nops);
    hz_metrics_add_ru(m, "claim", hz__store_cosmos_charge(s));
    hz_store_close(s);
    for (int i = 0; wa != NULL && i < n; i++)
        hz_store_close(wa[i].s); /* those of workers never started */
    free(th);
    free(wa);
    free(r.queue);
    close(r.zy_sock); /* EOF: the zygote exits */
    waitpid(r.zy_pid, NULL, 0);
    pthread_mutex_destroy(&r.zy_mu);
    pthread_cond_destroy(&r.cv_work);
    pthread_cond_destroy(&r.cv_idle);
    pthread_mutex_destroy(&r.mu);
    pthread_mutex_destroy(&r.log_mu);
    return rc;
}
