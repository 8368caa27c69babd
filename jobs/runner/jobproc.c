/* Job processes and their result files (see jobproc.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net/cjson.h"
#include "runner/disklimit.h"
#include "runner/isolate.h"
#include "runner/job_stderr.h"
#include "runner/jobproc.h"
#include "runner/memlimit.h"
#include "runner/threadlimit.h"
#include "store/job.h"
#include "store/store.h"

struct hz__jobproc {
    hz__jobproc_config cfg;
    int sock; /* SOCK_SEQPACKET to the helper */
    pid_t pid;
    pthread_mutex_t mu; /* one request at a time */
};

/* Largest message on the channel (a request file's path, a call). */
#define MSG_MAX 65536

/* ---- the result file ---- */

/* The job process's result file: first, per tool, a line "#rows N KIND"
 * (KIND a JSON string) and its N rows, one JSON object a line, written by
 * hz_exec_write_rows (the engine's row writer for analytics); then a line
 * "#end " and the job's outcome object (status, stages, summary).  The
 * runner passes the rows on to the store as text, never parsing them.
 * Writing the rows counts towards the summarise stage. */
static bool write_rows(FILE *f, hz_exec_output *out)
{
    bool ok = true;
    double t0 = hz_now();
    for (size_t i = 0; ok && i < out->nrowsets; i++) {
        const hz_exec_rows *rs = &out->rows[i];
        cJSON *kind = cJSON_CreateString(rs->kind);
        char *k = kind ? cJSON_PrintUnformatted(kind) : NULL;
        ok = k != NULL &&
             fprintf(f, "#rows %zu %s\n", hz_exec_count_rows(rs), k) > 0 &&
             hz_exec_write_rows(rs, f) == 0;
        cJSON_free(k);
        cJSON_Delete(kind);
    }
    out->stage_s[HZ_STAGE_SUMMARISE] += hz_now() - t0;
    return ok;
}

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

static cJSON *outcome_of(hz_status rc, const hz_error *err,
                         hz_exec_output *out)
{
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
    return o;
}

/* This job process's disk limit (hz_exec_options.max_disk_bytes; <= 0:
 * none) and the largest file it may write (that limit, or the lower hard
 * ulimit -f the runner was started with: hz__disklimit_file_max; 0: no
 * bound at all), for no_result and disk_reached. */
static long long disk_limit, disk_file_max;

/* The result could not be written (errno e: a full file system, a quota,
 * an I/O error in the run's work directory): a small outcome that says so
 * in its place, in the room the failed file held (it is removed first),
 * so that the worker does not take the job for one that crashed.
 * Retryable: room may be made, and another runner may have it. */
static _Noreturn void no_result(const char *path, const char *tmp, int e)
{
    unlink(tmp);
    char report[4300];
    snprintf(report, sizeof report, "%s.html", path);
    unlink(report);
    /* the run's work directory (in TMPDIR, where room is to be made):
     * the path is RUNDIR/job-W-N/result.json, the job's own directory
     * being removed with the job */
    char dir[4200];
    snprintf(dir, sizeof dir, "%s", path);
    for (int up = 0; up < 2; up++) {
        char *slash = strrchr(dir, '/');
        if (slash == NULL) {
            snprintf(dir, sizeof dir, ".");
            break;
        }
        *slash = '\0';
    }
    hz_error err;
    hz_exec_output out;
    hz_exec_output_init(&out);
    if (e == EFBIG && disk_file_max > 0) { /* the job's own doing */
        char lim[256];
        hz__disklimit_describe(disk_limit, disk_file_max, lim, sizeof lim);
        hz_error_set(&err, HZ_EIO,
                     "the job process could not write its result: %s (its "
                     "%s)",
                     strerror(e), lim);
        snprintf(out.reason, sizeof out.reason, HZ_DISKLIMIT_REASON);
    } else {
        hz_error_set(&err, HZ_EIO,
                     "the job process could not write its result in the "
                     "run's work directory %.300s: %s (make room there, or "
                     "set TMPDIR to a file system with room)",
                     dir[0] != '\0' ? dir : "/", strerror(e));
        snprintf(out.reason, sizeof out.reason, "workdir");
        out.retryable = true;
    }
    cJSON *o = outcome_of(HZ_EIO, &err, &out);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    FILE *f = text != NULL ? fopen(tmp, "w") : NULL;
    bool ok = f != NULL && fputs("#end ", f) >= 0 && fputs(text, f) >= 0 &&
              fputc('\n', f) != EOF;
    if (f != NULL && fclose(f) == 0 && ok)
        hz__disklimit_rename(tmp, path);
    _exit(3);
}

static void write_result(const char *path, hz_status rc, const hz_error *err,
                         hz_exec_output *out)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.part", path);
    FILE *f = fopen(tmp, "w");
    if (f == NULL)
        no_result(path, tmp, errno);
    bool ok = rc != HZ_OK || write_rows(f, out);
    if (rc == HZ_OK && out->report != NULL) /* the HTML report beside */
        ok = ok && write_report_file(path, out->report, out->report_len);
    cJSON *o = outcome_of(rc, err, out);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    ok = ok && s != NULL && fputs("#end ", f) >= 0 && fputs(s, f) >= 0 &&
         fputc('\n', f) != EOF;
    cJSON_free(s);
    int e = ok ? 0 : errno;
    if (ok && fflush(f) != 0) {
        ok = false;
        e = errno;
    }
    if (fclose(f) != 0 && ok) {
        ok = false;
        e = errno;
    }
    if (ok && hz__disklimit_rename(tmp, path) != 0) {
        ok = false;
        e = errno;
    }
    if (ok)
        return;
    if (e == ENOMEM || e == 0) /* memory (the guard's), not the disk */
        _exit(3);
    no_result(path, tmp, e);
}

char *hz__read_file(const char *path)
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

/* One "#rows N KIND" block at *p: its rows as raw items of a new chunk
 * appended to chunks; *p moves past it.  False when malformed. */
static bool read_chunk(char **p, cJSON *chunks)
{
    char *eol = strchr(*p, '\n');
    long n;
    char *kind_at;
    if (eol == NULL || strncmp(*p, "#rows ", 6) != 0 ||
        (n = strtol(*p + 6, &kind_at, 10)) < 0 || *kind_at != ' ')
        return false;
    cJSON *kind = cJSON_ParseWithLength(kind_at + 1,
                                        (size_t)(eol - kind_at - 1));
    cJSON *chunk = cJSON_CreateObject();
    cJSON *rows = cJSON_CreateArray();
    if (!cJSON_IsString(kind) || chunk == NULL || rows == NULL) {
        cJSON_Delete(kind);
        cJSON_Delete(chunk);
        cJSON_Delete(rows);
        return false;
    }
    cJSON_AddItemToObject(chunk, "kind", kind);
    cJSON_AddItemToObject(chunk, "rows", rows);
    cJSON_AddItemToArray(chunks, chunk);
    char *q = eol + 1;
    for (long i = 0; i < n; i++) {
        eol = strchr(q, '\n');
        if (eol == NULL)
            return false;
        *eol = '\0';
        cJSON *row = cJSON_CreateRaw(q);
        if (row == NULL || !cJSON_AddItemToArray(rows, row))
            return false;
        q = eol + 1;
    }
    *p = q;
    return true;
}

cJSON *hz__jobproc_read_result(const char *path)
{
    char *text = hz__read_file(path);
    if (text == NULL)
        return NULL;
    cJSON *res = NULL;
    cJSON *chunks = cJSON_CreateArray();
    bool ok = chunks != NULL;
    for (char *p = text; ok;) {
        if (strncmp(p, "#end ", 5) == 0) {
            char *eol = strchr(p, '\n');
            res = eol ? cJSON_ParseWithLength(p + 5, (size_t)(eol - p - 5))
                      : NULL;
            ok = res != NULL;
            break;
        }
        ok = read_chunk(&p, chunks);
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

hz_status hz__jobproc_write_request(const char *reqfile, const cJSON *job,
                                    const char *dataset, const char *resfile,
                                    hz_error *err)
{
    cJSON *req = cJSON_CreateObject();
    cJSON_AddItemToObject(req, "job", cJSON_Duplicate(job, 1));
    cJSON_AddStringToObject(req, "dataset", dataset);
    cJSON_AddStringToObject(req, "result", resfile);
    char *text = cJSON_PrintUnformatted(req);
    cJSON_Delete(req);
    FILE *f = fopen(reqfile, "w");
    bool ok = f != NULL && text != NULL && fputs(text, f) >= 0;
    int e = errno;
    if (f != NULL && fclose(f) != 0) {
        ok = false;
        e = errno;
    }
    cJSON_free(text);
    if (!ok)
        return hz_error_set(err, HZ_EIO, "could not write %.400s: %s", reqfile,
                            strerror(e));
    return HZ_OK;
}

/* ---- the job process ---- */

/* The secrets the job process has no use for: it reads a tenant's file
 * and computes; the runner talks to the store, the LLM and Entra ID. */
static const char *const secret_vars[] = {
    "COSMOS_KEY",          "OPENAI_API_KEY",  "AZURE_OPENAI_API_KEY",
    "AZURE_CLIENT_SECRET", "IDENTITY_HEADER", NULL};

/* Take the secrets out of the job process's environment, their bytes
 * overwritten where the kernel shows them (/proc/PID/environ) as well
 * as unset: code that a hostile dataset might get to run there (a bug
 * in a parser) finds no key to every tenant's data. */
static void drop_secrets(void)
{
    extern char **environ;
    for (const char *const *v = secret_vars; *v; v++) {
        size_t n = strlen(*v);
        for (char **e = environ; e != NULL && *e != NULL; e++)
            if (strncmp(*e, *v, n) == 0 && (*e)[n] == '=')
                memset(*e + n + 1, 0, strlen(*e + n + 1));
        unsetenv(*v);
    }
}

/* The directory of the job's files (the result file's): its own. */
static void job_dir(const char *resfile, char *dir, size_t dir_sz)
{
    snprintf(dir, dir_sz, "%s", resfile);
    char *slash = strrchr(dir, '/');
    if (slash == NULL)
        snprintf(dir, dir_sz, ".");
    else if (slash == dir)
        slash[1] = '\0';
    else
        *slash = '\0';
}

/* Whether this job process must be isolated (its config's
 * require_isolation), for drop_network. */
static bool must_isolate;

/* Once a URL dataset is downloaded: no socket any more
 * (runner/isolate.h); where that is not possible and isolation is not
 * required, the job goes on (said at start). */
static hz_status drop_network(hz_error *err)
{
    hz_status rc = hz__isolation_drop_network(err);
    if (rc != HZ_OK && !must_isolate) {
        hz_error_clear(err);
        rc = HZ_OK;
    }
    return rc;
}

/* Hold the job process to what its job needs (runner/isolate.h), before
 * it touches its dataset: its downloads and the CSV reader's temporary
 * files go to its own directory.  HZ_OK, also when isolation is not
 * required and not possible. */
static hz_status isolate(const hz__jobproc_config *cfg, const hz_job *job,
                         const char *dataset, const char *dir,
                         hz_exec_options *opt, hz_error *err)
{
    opt->tmpdir = dir;
    opt->after_fetch = drop_network;
    must_isolate = cfg->require_isolation;
    setenv("TMPDIR", dir, 1);
    hz__isolation iso;
    char real[4096];
    hz__isolation_for_job(cfg->exec.sandbox, job->customer_id, dataset, dir,
                          &iso, real, sizeof real);
    hz_status rc = hz__isolation_apply(&iso, NULL, err);
    if (rc != HZ_OK && !cfg->require_isolation) { /* said at start */
        hz_error_clear(err);
        rc = HZ_OK;
    }
    return rc;
}

/* A write of the job process reached its disk limit (EFBIG), in a file
 * the runner may not see (the CSV reader's unlinked temporary file, a
 * download removed on failure): the job fails for good with reason disk
 * and the limit named, not with its stage's reason (dataset, fetch: "File
 * too large (set TMPDIR)") and never as a success. */
static hz_status disk_reached(hz_status rc, hz_error *err, hz_exec_output *out)
{
    char was[HZ_ERROR_MAX];
    snprintf(was, sizeof was, "%s", rc != HZ_OK ? err->msg : "");
    double stages[HZ_NSTAGES];
    memcpy(stages, out->stage_s, sizeof stages);
    hz_exec_output_clear(out);
    memcpy(out->stage_s, stages, sizeof stages);
    snprintf(out->reason, sizeof out->reason, HZ_DISKLIMIT_REASON);
    out->retryable = false;
    /* the limit first: a long message is cut at its end */
    char lim[256];
    hz__disklimit_describe(disk_limit, disk_file_max, lim, sizeof lim);
    return hz_error_set(err, HZ_EIO,
                        "the job process wrote a file as large as its %s%s%s",
                        lim, was[0] != '\0' ? ": " : "", was);
}

static void child_main(const hz__jobproc_config *cfg, const hz_job *job,
                       const char *dataset, const char *resfile, pid_t parent)
{
    /* Leave the runner's process group (a Ctrl-C goes to the runner, which
     * decides), die with the helper that forked us. */
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    /* a tenant's data: no other job process (of the same user) reads
     * its memory, and no core dump is left of it (inherited from the
     * runner; said again for a caller that did not set it) */
    prctl(PR_SET_DUMPABLE, 0);
    if (getppid() != parent)
        _exit(4);
    /* SIGTERM and SIGINT stay ignored (as in the helper): the runner
     * decides what a stop means (the grace, then SIGKILL).  A supervisor
     * that signals every process of the runner's group at once (systemd's
     * default KillMode=control-group) would otherwise kill the job at the
     * first signal, and it would be failed as a crash instead of given
     * its grace or released. */
    signal(SIGTERM, SIG_IGN);
    signal(SIGINT, SIG_IGN);
    sigset_t all;
    sigemptyset(&all);
    pthread_sigmask(SIG_SETMASK, &all, NULL);
    drop_secrets();

    hz_exec_options opt = cfg->exec;
    opt.fetch_timeout_s = job->timeout_s > 0 ? job->timeout_s
                                             : cfg->default_timeout_s;
    hz_exec_output out;
    hz_error err;
    hz_error_clear(&err);
    char dir[4096];
    job_dir(resfile, dir, sizeof dir);
    /* what it writes on its streams is logged by the runner, marked; it
     * reads nothing of the runner's standard input (an operator's
     * terminal: what is typed there, and TIOCSTI typed into it) */
    hz__job_stderr_redirect(dir);
    int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (nul != 0) {
        if (nul < 0 || dup2(nul, 0) != 0)
            close(0);
        if (nul > 0)
            close(nul);
    }
    /* made before isolating, written only if that fails, closed before
     * the dataset is touched (HZ_JOBPROC_ISOLATION_MARK) */
    char mark[4200];
    snprintf(mark, sizeof mark, "%.4100s" HZ_JOBPROC_ISOLATION_MARK, dir);
    int mfd = open(mark, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                   0600);
    /* the supervisor of its threads (runner/threadlimit.h): forked now,
     * before isolating refuses fork */
    int tl = cfg->thread_limit
                 ? hz__threadlimit_start(
                       HZ_THREADLIMIT(opt.threads > 0 ? opt.threads : 1), dir)
                 : -1;
    int tl_errno = errno;
    /* a supervisor not forked for want of a process (or of memory, or
     * descriptors) a moment: the job is not run without its limit, under
     * --isolation best-effort either, but tried again later */
    bool shortage = cfg->thread_limit && tl < 0 &&
                    (tl_errno == EAGAIN || tl_errno == ENOMEM ||
                     tl_errno == ENFILE || tl_errno == EMFILE);
    hz_status irc = isolate(cfg, job, dataset, dir, &opt, &err);
    if (irc == HZ_OK && cfg->thread_limit) {
        irc = tl >= 0 ? hz__threadlimit_apply(tl, &err)
                      : hz_error_set(&err, HZ_EIO,
                                     "could not limit the job process's "
                                     "threads: its supervisor: %s",
                                     strerror(tl_errno));
        if (irc != HZ_OK && !cfg->require_isolation && !shortage) {
            hz_error_clear(&err); /* said at start */
            irc = HZ_OK;
        }
    } else if (tl >= 0) {
        close(tl); /* the supervisor exits */
    }
    if (irc != HZ_OK) {
        const char *word = shortage ? HZ_JOBPROC_SHORTAGE "\n" : "isolation\n";
        if (mfd >= 0 &&
            write(mfd, word, strlen(word)) != (ssize_t)strlen(word)) {
            /* not said: the runner takes it for the job's failure */
        }
        hz_exec_output_init(&out);
        snprintf(out.reason, sizeof out.reason, "isolation");
        out.retryable = shortage;
        write_result(resfile, HZ_EIO, &err, &out);
        _exit(0);
    }
    if (mfd >= 0)
        close(mfd);
    /* what a hostile or huge dataset may take: this job's share */
    /* without one (--max-disk-mb 0), an operator's hard ulimit -f still
     * bounds its files: a write past it fails with EFBIG, said, instead of
     * killing the process (SIGXFSZ: a crash, retried) */
    disk_limit = opt.max_disk_bytes > 0 ? opt.max_disk_bytes : 0;
    disk_file_max = hz__disklimit_file_max(disk_limit > 0 ? disk_limit
                                                          : LLONG_MAX);
    if (disk_file_max == LLONG_MAX)
        disk_file_max = 0;
    hz_status rc = disk_file_max > 0 ? hz__disklimit_apply(disk_file_max, &err)
                                     : HZ_OK;
    if (rc != HZ_OK) {
        hz_exec_output_init(&out);
        snprintf(out.reason, sizeof out.reason, HZ_DISKLIMIT_REASON);
        write_result(resfile, rc, &err, &out);
        _exit(0);
    }
    rc = opt.max_memory_bytes > 0
             ? hz__memlimit_apply(opt.max_memory_bytes, &err)
             : HZ_OK;
    hz__memlimit_count_json(); /* rows and summary items it would drop */
    if (rc == HZ_OK && opt.max_memory_bytes > 0)
        hz__memlimit_guard(resfile, opt.max_memory_bytes,
                           opt.memory_by_rlimit);
    if (rc != HZ_OK) {
        hz_exec_output_init(&out);
        snprintf(out.reason, sizeof out.reason, "memory");
    } else {
        rc = hz_exec_run(job, dataset, &opt, &out, &err);
    }
    if (rc == HZ_OK && hz__memlimit_json_failed()) { /* rows were lost */
        double stages[HZ_NSTAGES];
        memcpy(stages, out.stage_s, sizeof stages);
        hz_exec_output_clear(&out);
        memcpy(out.stage_s, stages, sizeof stages);
        snprintf(out.reason, sizeof out.reason, "memory");
        rc = hz_error_set(&err, HZ_ENOMEM,
                          "out of memory building the job's result rows "
                          "and summary (its memory limit is %lld MiB: %s)",
                          opt.max_memory_bytes >> 20,
                          hz__memlimit_source(opt.memory_by_rlimit));
    }
    if (disk_file_max > 0 && hz__disklimit_reached())
        rc = disk_reached(rc, &err, &out);
    write_result(resfile, rc, &err, &out);
    _exit(0);
}

/* A job process: the request file holds the job document, the dataset
 * location and the result file's path. */
static void child_from_request(const hz__jobproc_config *cfg,
                               const char *reqfile, pid_t parent)
{
    char *text = hz__read_file(reqfile);
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
    child_main(cfg, &job, ds, res, parent);
}

/* ---- the helper ---- */

/* Send a reply: an int (pid or -errno) with fd attached when fd >= 0. */
static ssize_t send_fd_reply(int sock, int reply, int fd)
{
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
    return sendmsg(sock, &mh, 0);
}

/* A job process keeps only its standard streams: not the helper's
 * channel, nor a descriptor the runner inherited without O_CLOEXEC from
 * whoever started it (a supervisor's pipe or socket, a shell's file):
 * nothing of the runner's reaches the job's code. */
static void close_inherited(void)
{
    if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0)
        return;
    long max = sysconf(_SC_OPEN_MAX);
    for (long fd = 3; fd < (max > 0 ? max : 65536); fd++)
        close((int)fd);
}

/* SIGCHLD in the helper: reap what ended (a job process, the threads'
 * supervisor a job process left: runner/threadlimit.h) at once.  Before,
 * only at the next job's start: an idle runner kept a zombie of each
 * (and a test that took the helper's first child for the running job
 * process found a dead supervisor).  The runner learns of a job
 * process's end from its pidfd, which a reaped process still signals. */
static void reap_children(int sig)
{
    (void)sig;
    int e = errno;
    while (waitpid(-1, NULL, WNOHANG) > 0) {
    }
    errno = e;
}

static bool helper_spawn(const hz__jobproc_config *cfg, int sock,
                         const char *path)
{
    while (waitpid(-1, NULL, WNOHANG) > 0) {
    }
    /* SIGCHLD held until the pidfd is open: a job process that ended at
     * once was reaped by reap_children first, pidfd_open failed (ESRCH)
     * and the job was said not started (a failure of the runner's own);
     * its pid could even have been another process's by then */
    sigset_t chld, old;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, &old);
    pid_t self = getpid();
    pid_t pid = fork();
    int e = errno;
    if (pid == 0) {
        signal(SIGCHLD, SIG_DFL); /* the helper's, not the job's */
        sigprocmask(SIG_SETMASK, &old, NULL);
        close_inherited();
        child_from_request(cfg, path, self);
    }
    int fd = pid > 0 ? (int)syscall(SYS_pidfd_open, pid, 0) : -1;
    if (pid > 0 && fd < 0)
        e = errno;
    sigprocmask(SIG_SETMASK, &old, NULL);
    int reply = pid > 0 && fd >= 0 ? pid : -(e != 0 ? e : EINVAL);
    if (pid > 0 && fd < 0)
        kill(pid, SIGKILL);
    ssize_t w = send_fd_reply(sock, reply, fd);
    if (fd >= 0)
        close(fd);
    return w >= 0;
}

static bool helper_call(const hz__jobproc_config *cfg, int sock,
                        const char *request)
{
    char *reply = cfg->call ? cfg->call(request) : NULL;
    const char *r = reply ? reply : "null";
    size_t n = strlen(r);
    ssize_t w = send(sock, r, n < MSG_MAX ? n : MSG_MAX, 0);
    free(reply);
    return w >= 0;
}

static void helper_main(const hz__jobproc_config *cfg, int sock)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    /* what a job process leaves when it ends (its threads' supervisor,
     * runner/threadlimit.h) is this process's to reap, not init's: a
     * runner that is process 1 (a container without an init) reaped none,
     * and a zombie was left per job */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = reap_children;
    sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGCHLD, &sa, NULL);
    drop_secrets(); /* neither it nor the job processes it forks use them */
    signal(SIGINT, SIG_IGN); /* the runner decides what a signal means */
    signal(SIGTERM, SIG_IGN);
    char *msg = malloc(MSG_MAX + 1);
    for (bool ok = msg != NULL; ok;) {
        ssize_t n = recv(sock, msg, MSG_MAX, 0);
        if (n <= 1)
            break;
        msg[n] = '\0';
        ok = msg[0] == 'J'   ? helper_spawn(cfg, sock, msg + 1)
             : msg[0] == 'C' ? helper_call(cfg, sock, msg + 1)
                             : false;
    }
    free(msg);
    /* reap what is left (so their CPU time is accounted to the runner) */
    while (waitpid(-1, NULL, 0) > 0) {
    }
    _exit(0);
}

hz_status hz__jobproc_start(const hz__jobproc_config *cfg, hz__jobproc **out,
                            hz_error *err)
{
    *out = NULL;
    hz__jobproc *z = calloc(1, sizeof *z);
    int sp[2];
    if (z == NULL ||
        socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) != 0) {
        free(z);
        return hz_error_set(err, HZ_ENOMEM,
                            "could not start the job process helper: %s",
                            strerror(errno));
    }
    z->cfg = *cfg;
    fflush(NULL);
    z->pid = fork();
    if (z->pid == 0) {
        close(sp[0]);
        helper_main(&z->cfg, sp[1]);
    }
    int e = errno;
    close(sp[1]);
    if (z->pid < 0) {
        close(sp[0]);
        free(z);
        return hz_error_set(err, HZ_ENOMEM,
                            "could not start the job process helper: %s",
                            strerror(e));
    }
    z->sock = sp[0];
    pthread_mutex_init(&z->mu, NULL);
    *out = z;
    return HZ_OK;
}

bool hz__jobproc_alive(hz__jobproc *z, char *why, size_t n)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    if (z == NULL ||
        waitid(P_PID, (id_t)z->pid, &si, WEXITED | WNOHANG | WNOWAIT) != 0 ||
        si.si_pid != z->pid)
        return true;
    if (si.si_code == CLD_EXITED)
        snprintf(why, n, "(pid %ld) exited with status %d", (long)z->pid,
                 si.si_status);
    else
        snprintf(why, n, "(pid %ld) was killed by signal %d (%s)",
                 (long)z->pid, si.si_status, strsignal(si.si_status));
    return false;
}

void hz__jobproc_stop(hz__jobproc *z)
{
    if (z == NULL)
        return;
    close(z->sock); /* EOF: the helper exits */
    waitpid(z->pid, NULL, 0);
    pthread_mutex_destroy(&z->mu);
    free(z);
}

/* Send "<tag><text>" on the channel (mu held). */
static bool send_tagged(hz__jobproc *z, char tag, const char *text)
{
    size_t n = strlen(text);
    if (n + 1 > MSG_MAX)
        return false;
    char *m = malloc(n + 2);
    if (m == NULL)
        return false;
    m[0] = tag;
    memcpy(m + 1, text, n + 1);
    bool ok = send(z->sock, m, n + 1, MSG_NOSIGNAL) >= 0;
    free(m);
    return ok;
}

int hz__jobproc_spawn(hz__jobproc *z, const char *reqfile, pid_t *pid)
{
    int fd = -1, reply = -EIO;
    pthread_mutex_lock(&z->mu);
    if (send_tagged(z, 'J', reqfile)) {
        struct iovec iov = {.iov_base = &reply, .iov_len = sizeof reply};
        union {
            struct cmsghdr h;
            char buf[CMSG_SPACE(sizeof(int))];
        } cm;
        struct msghdr mh = {.msg_iov = &iov,
                            .msg_iovlen = 1,
                            .msg_control = cm.buf,
                            .msg_controllen = sizeof cm.buf};
        if (recvmsg(z->sock, &mh, MSG_CMSG_CLOEXEC) > 0) {
            struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
            if (c != NULL && c->cmsg_type == SCM_RIGHTS)
                memcpy(&fd, CMSG_DATA(c), sizeof fd);
        }
    }
    pthread_mutex_unlock(&z->mu);
    if (reply <= 0 || fd < 0) {
        if (fd >= 0)
            close(fd);
        errno = reply < 0 ? -reply : EIO;
        return -1;
    }
    *pid = reply;
    return fd;
}

hz_status hz__jobproc_call(hz__jobproc *z, const char *request,
                           char **reply_out, hz_error *err)
{
    *reply_out = NULL;
    char *buf = malloc(MSG_MAX + 1);
    if (buf == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    ssize_t n = -1;
    pthread_mutex_lock(&z->mu);
    if (send_tagged(z, 'C', request))
        n = recv(z->sock, buf, MSG_MAX, 0);
    pthread_mutex_unlock(&z->mu);
    if (n <= 0) {
        free(buf);
        return hz_error_set(err, HZ_EIO,
                            "the job process helper did not answer");
    }
    buf[n] = '\0';
    *reply_out = buf;
    return HZ_OK;
}
