/* horizon run: drain (or watch) the job queue of a store. */
#include <getopt.h>
#include <assert.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli_jobs.h"
#include "cli/job_params.h"
#include "horizon/outfile.h"
#include "runner/metrics.h"
#include "narrative/narrative.h"
#include "runner/runner.h"

const char hz__cmd_run_summary[] = "run queued jobs from a store (SQLite "
                                   "or Cosmos DB)";

/* Set by the signal handler, read by the runner's threads: an atomic, not
 * a volatile sig_atomic_t, which is only safe within one thread (a data
 * race ThreadSanitizer reported at a SIGTERM).  atomic_int is lock-free
 * here (static_assert below), and lock-free atomics are async-signal-safe. */
static atomic_int run_stop;
static_assert(ATOMIC_INT_LOCK_FREE == 2, "a signal handler needs a "
                                         "lock-free atomic_int");

/* A second SIGTERM or SIGINT during the graceful stop: stop now, as
 * operators and schedulers expect (Kubernetes, systemd, a second ^C).
 * Nothing is released or written: the running jobs' processes die with
 * the runner (PR_SET_PDEATHSIG) and their jobs keep their leases, which
 * expire, and the next runner takes them over, as after SIGKILL (the
 * stores are safe against that: SQLite's journal, Cosmos DB's ETags).
 * Only async-signal-safe calls: write and _exit. */
static void stop_now(int sig)
{
    static const char term[] =
        "horizon run: second SIGTERM: stopping at once; running jobs are "
        "left to their leases (taken over when they expire)\n";
    static const char intr[] =
        "horizon run: second SIGINT: stopping at once; running jobs are "
        "left to their leases (taken over when they expire)\n";
    ssize_t w = sig == SIGINT ? write(STDERR_FILENO, intr, sizeof intr - 1)
                              : write(STDERR_FILENO, term, sizeof term - 1);
    (void)w;
    _exit(128 + sig);
}

static void on_signal(int sig)
{
    if (atomic_load(&run_stop) != 0)
        stop_now(sig);
    /* non-zero: stop; which one, for the exit status */
    atomic_store(&run_stop, sig);
}

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: horizon run [--once | --watch [--poll-interval S]]\n"
        "                   [--store SPEC] [--concurrency N] [--timeout S]\n"
        "                   [--tool-timeout S] [--max-attempts N] "
        "[--lease S]\n"
        "                   [--grace S] [--threads N] [--tenant ID]\n"
        "                   [--max-jobs N] [--max-download-mb N]\n"
        "                   [--max-memory-mb N] [--max-disk-mb N]\n"
        "                   [--isolation MODE]\n"
        "                   [--claim-retry S] [--no-schedules]\n"
        "                   [--metrics FILE.json] [--metrics-file FILE.prom]\n"
        "                   [--metrics-interval S] [--heartbeat FILE]\n"
        "                   [--log-format text|json] [--log-level LEVEL]\n"
        "                   [--progress] [--verbose] [--quiet]\n\n"
        "Claim queued jobs and run them; each job runs in its own process,\n"
        "so a job that overruns its timeout or crashes fails alone.  Due\n"
        "slots of schedules ('horizon schedule') become jobs first.\n\n"
        "  --once              drain the queue and exit (default)\n"
        "  --watch             keep polling for new jobs until SIGTERM/"
        "SIGINT\n"
        "  --poll-interval S   idle wait between polls with --watch "
        "(default 2)\n"
        "  --store SPEC        sqlite:PATH or cosmos[:DATABASE] (default\n"
        "                      $HORIZON_STORE, else sqlite:horizon.db)\n"
        "  --concurrency N     jobs at once (default 4)\n"
        "  --timeout S         per-job timeout, seconds (default 300)\n"
        "  --tool-timeout S    per-tool timeout inside a job (default: the\n"
        "                      job timeout)\n"
        "  --max-attempts N    attempts before a job fails for good "
        "(default 3);\n"
        "                      a runner that dies does not use one up\n"
        "  --lease S           lease length, seconds from 1 to 3600 (a\n"
        "                      decimal number); renewed every S/3 (default "
        "60)\n"
        "  --grace S           on SIGTERM/SIGINT, time running jobs get to\n"
        "                      finish before they are released (default "
        "20)\n"
        "  --threads N         OpenMP threads per job (default: the CPUs\n"
        "                      this process may use / concurrency); a job\n"
        "                      process may have 64 + 4 x N threads in all,\n"
        "                      past it the job fails with reason threads\n"
        "  --tenant ID         only jobs of this customerId\n"
        "  --max-jobs N        claim at most N jobs, then exit (75 when\n"
        "                      one was not done, --watch too)\n"
        "  --max-download-mb N cap on a URL dataset, and on a gzip\n"
        "                      dataset once decompressed (default 2048)\n"
        "  --max-memory-mb N   memory a job process may allocate; past it\n"
        "                      the job fails with reason memory (default:\n"
        "                      the machine's memory, or its cgroup's limit,\n"
        "                      / concurrency; 0 = no limit)\n"
        "  --max-disk-mb N     what a job process may write in its work\n"
        "                      directory (download, results); past it the\n"
        "                      job fails with reason disk (default:\n"
        "                      --max-download-mb + 2048; 0 = no limit)\n"
        "  --isolation MODE    require (default; $HZ_JOB_ISOLATION): every\n"
        "                      job process is held by the kernel (Landlock)\n"
        "                      to its own dataset and files, and without\n"
        "                      Landlock no job runs (exit 78); best-effort:\n"
        "                      run jobs unisolated then (said at start)\n"
        "  --claim-retry S     --once: retry failing claims for S seconds\n"
        "                      before giving up (default 10)\n"
        "  --no-schedules      do not turn due schedule slots into jobs\n"
        "  --metrics FILE      write the run's metrics as JSON at the end\n"
        "  --metrics-file F    OpenMetrics text, rewritten atomically every\n"
        "                      --metrics-interval seconds (default 5)\n"
        "  --heartbeat FILE    JSON health (time, state ok|degraded|\n"
        "                      stopping, last error), rewritten every "
        "second\n"
        "  --log-format F      text (default) or json: one object a line\n"
        "  --log-level L       debug, info (default), warn or error\n"
        "  --progress          progress line on a terminal\n"
        "  --verbose           same as --log-level info (kept for scripts)\n"
        "  --quiet             no summary table\n\n"
        "Datasets: local files only inside $HZ_DATASET_ROOTS, URLs only to\n"
        "hosts in $HZ_DATASET_HOSTS, internal addresses only in\n"
        "$HZ_DATASET_ALLOW_ADDRS (see README, operations).\n\n"
        "exit status: 0 the queue was drained and every job this run\n"
        "finished succeeded (with --watch: stopped by a signal); 1 a job\n"
        "failed (see 'horizon jobs list --status failed'), or an output\n"
        "(--metrics, --metrics-file, --heartbeat, $HZ_LLM_METRICS) cannot\n"
        "be written (checked before anything runs); 2 usage error (also\n"
        "--metrics-file or --heartbeat naming a device or a pipe: they are\n"
        "rewritten by renaming files over them); 75 the\n"
        "store is unreachable, unauthorised, throttled, full or damaged,\n"
        "so the queue was not drained (one line says why);\n"
        "130 (SIGINT) or 143 (SIGTERM), 128 + the signal as a shell\n"
        "reports it: --once was stopped by it before the queue was drained\n"
        "(its unfinished jobs are queued again); 78 job isolation is\n"
        "required and the kernel offers no Landlock (nothing claimed).\n"
        "A second SIGTERM/SIGINT during the grace stops the run at once,\n"
        "with --watch too: exit 128 + that signal, running jobs left to\n"
        "their leases (taken over when they expire).\n");
}

/* Options of the run that are not the runner's configuration. */
typedef struct run_opts {
    const char *store, *metrics_path;
    bool once, quiet;
    hz_log_format log_format;
    hz_log_level log_level;
} run_opts;

/* Bounds of --lease, seconds.  The lease is renewed every lease/3 and a
 * job's write-back gives each request until 5/6 of it (runner/worker.c):
 * below a second a runner did little but renew (--lease 0.001 made 491
 * store operations for two jobs), and a lease of more than an hour keeps
 * a job a dead runner held for that long. */
#define HZ_LEASE_MIN_S 1.0
#define HZ_LEASE_MAX_S 3600.0

/* --lease S: a decimal number of seconds (digits, an optional fraction:
 * no sign, exponent, hex, inf or nan) from HZ_LEASE_MIN_S to
 * HZ_LEASE_MAX_S.  strtod took "0x10" for 16 s and "1e-3" for a
 * millisecond. */
static bool lease_opt(const char *arg, hz_runner_config *cfg)
{
    size_t i = 0, digits = 0;
    while (arg[i] >= '0' && arg[i] <= '9') {
        i++;
        digits++;
    }
    if (arg[i] == '.') {
        i++;
        while (arg[i] >= '0' && arg[i] <= '9') {
            i++;
            digits++;
        }
    }
    double v = digits > 0 && arg[i] == '\0' && i <= 32 ? strtod(arg, NULL)
                                                        : -1;
    if (!(v >= HZ_LEASE_MIN_S && v <= HZ_LEASE_MAX_S)) {
        hz_cli_error("run",
                     "--lease: expected a decimal number of seconds from "
                     "%.0f to %.0f, got '%.40s'",
                     HZ_LEASE_MIN_S, HZ_LEASE_MAX_S, arg);
        return false;
    }
    cfg->lease_s = v;
    return true;
}

/* The seconds options: --timeout, --tool-timeout, --lease, --grace,
 * --poll-interval, --claim-retry, --metrics-interval. */
static bool seconds_opt(int c, const char *arg, hz_runner_config *cfg)
{
    if (c == 'l')
        return lease_opt(arg, cfg);
    static const struct {
        int c;
        const char *name;
        size_t off;
    } t[] = {
        {'t', "timeout", offsetof(hz_runner_config, timeout_s)},
        {'T', "tool-timeout", offsetof(hz_runner_config, tool_timeout_s)},
        {'g', "grace", offsetof(hz_runner_config, grace_s)},
        {'p', "poll-interval", offsetof(hz_runner_config, poll_interval_s)},
        {'R', "claim-retry", offsetof(hz_runner_config, claim_retry_s)},
        {'I', "metrics-interval",
         offsetof(hz_runner_config, metrics_interval_s)}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        if (t[i].c != c)
            continue;
        double dv;
        if (!hz_cli_parse_seconds("run", t[i].name, arg, 7 * 86400.0, &dv))
            return false;
        memcpy((char *)cfg + t[i].off, &dv, sizeof dv);
        return true;
    }
    return false;
}

static bool count_opt(int c, const char *arg, hz_runner_config *cfg)
{
    long lv;
    switch (c) {
    case 'c':
        if (!hz_cli_parse_long("run", "concurrency", arg, 1, 1024, &lv))
            return false;
        cfg->concurrency = (int)lv;
        return true;
    case 'a':
        if (!hz_cli_parse_long("run", "max-attempts", arg, 1, 100, &lv))
            return false;
        cfg->max_attempts = (int)lv;
        return true;
    case 'j':
        if (!hz_cli_parse_long("run", "threads", arg, 1, 1024, &lv))
            return false;
        cfg->threads_per_job = (int)lv;
        return true;
    case 'M':
        if (!hz_cli_parse_long("run", "max-jobs", arg, 1, 1L << 40, &lv))
            return false;
        cfg->max_jobs = lv;
        return true;
    case 'X':
        if (!hz_cli_parse_long("run", "max-memory-mb", arg, 0, 1L << 30,
                               &lv))
            return false;
        cfg->max_memory_bytes = lv > 0 ? (long long)lv << 20 : -1;
        return true;
    case 'K':
        if (!hz_cli_parse_long("run", "max-disk-mb", arg, 0, 1L << 30, &lv))
            return false;
        cfg->max_disk_bytes = lv > 0 ? (long long)lv << 20 : -1;
        return true;
    default:
        if (!hz_cli_parse_long("run", "max-download-mb", arg, 1, 1L << 30,
                               &lv))
            return false;
        cfg->max_download_bytes = (long long)lv << 20;
        return true;
    }
}

/* --isolation or $HZ_JOB_ISOLATION: require or best-effort. */
static bool isolation_mode(const char *what, const char *arg,
                           hz_runner_config *cfg)
{
    if (strcmp(arg, "require") == 0 || strcmp(arg, "best-effort") == 0) {
        cfg->require_isolation = strcmp(arg, "require") == 0;
        return true;
    }
    hz_cli_error("run", "%s: expected require or best-effort, got '%s'", what,
                 arg);
    return false;
}

/* Parse argv; -1 to go on, else the exit code. */
static int parse_args(int argc, char **argv, hz_runner_config *cfg,
                      run_opts *o)
{
    static const struct option opts[] = {
        {"once", no_argument, 0, 'o'},
        {"watch", no_argument, 0, 'w'},
        {"poll-interval", required_argument, 0, 'p'},
        {"store", required_argument, 0, 's'},
        {"concurrency", required_argument, 0, 'c'},
        {"timeout", required_argument, 0, 't'},
        {"tool-timeout", required_argument, 0, 'T'},
        {"max-attempts", required_argument, 0, 'a'},
        {"lease", required_argument, 0, 'l'},
        {"grace", required_argument, 0, 'g'},
        {"threads", required_argument, 0, 'j'},
        {"tenant", required_argument, 0, 'n'},
        {"max-jobs", required_argument, 0, 'M'},
        {"max-download-mb", required_argument, 0, 'D'},
        {"max-memory-mb", required_argument, 0, 'X'},
        {"max-disk-mb", required_argument, 0, 'K'},
        {"claim-retry", required_argument, 0, 'R'},
        {"isolation", required_argument, 0, 'i'},
        {"no-schedules", no_argument, 0, 'S'},
        {"metrics", required_argument, 0, 'm'},
        {"metrics-file", required_argument, 0, 'F'},
        {"metrics-interval", required_argument, 0, 'I'},
        {"heartbeat", required_argument, 0, 'H'},
        {"log-format", required_argument, 0, 'L'},
        {"log-level", required_argument, 0, 'V'},
        {"progress", no_argument, 0, 'P'},
        {"verbose", no_argument, 0, 'v'},
        {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *env = getenv("HZ_JOB_ISOLATION");
    if (env != NULL && env[0] != '\0' &&
        !isolation_mode("HZ_JOB_ISOLATION", env, cfg))
        return HZ_EXIT_USAGE;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'o': o->once = true; break;
        case 'w': cfg->watch = true; break;
        case 's': o->store = optarg; break;
        case 'n': cfg->tenant = optarg; break;
        case 'S': cfg->schedules = false; break;
        case 'm': o->metrics_path = optarg; break;
        case 'F': cfg->metrics_file = optarg; break;
        case 'H': cfg->heartbeat_file = optarg; break;
        case 'P': cfg->progress = true; break;
        case 'v': o->log_level = HZ_LOG_INFO; break;
        case 'q': o->quiet = true; break;
        case 'h': usage(stdout); return HZ_EXIT_OK;
        case 'L':
            if (!hz_log_format_parse(optarg, &o->log_format)) {
                hz_cli_error("run",
                             "--log-format: expected text or json, "
                             "got '%s'",
                             optarg);
                return HZ_EXIT_USAGE;
            }
            break;
        case 'i':
            if (!isolation_mode("--isolation", optarg, cfg))
                return HZ_EXIT_USAGE;
            break;
        case 'V':
            if (!hz_log_level_parse(optarg, &o->log_level)) {
                hz_cli_error("run",
                             "--log-level: expected debug, info, warn "
                             "or error, got '%s'",
                             optarg);
                return HZ_EXIT_USAGE;
            }
            break;
        case 'p':
        case 't':
        case 'T':
        case 'l':
        case 'g':
        case 'R':
        case 'I':
            if (!seconds_opt(c, optarg, cfg))
                return HZ_EXIT_USAGE;
            break;
        case 'c':
        case 'a':
        case 'j':
        case 'M':
        case 'D':
        case 'X':
        case 'K':
            if (!count_opt(c, optarg, cfg))
                return HZ_EXIT_USAGE;
            break;
        default: usage(stderr); return HZ_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        hz_cli_error("run", "unexpected argument '%s'", argv[optind]);
        return HZ_EXIT_USAGE;
    }
    if (o->once && cfg->watch) {
        hz_cli_error("run", "--once and --watch are exclusive");
        return HZ_EXIT_USAGE;
    }
    return -1;
}

/* Test hooks (HZ_TEST_HOOKS=1): params.debugSleepS, and HZ_TEST_NOW
 * (epoch seconds) as the schedules' clock. */
static void test_hooks(hz_runner_config *cfg)
{
    const char *hooks = getenv("HZ_TEST_HOOKS");
    cfg->test_hooks = hooks != NULL && strcmp(hooks, "1") == 0;
    const char *now = getenv("HZ_TEST_NOW");
    if (cfg->test_hooks && now != NULL && now[0] != '\0')
        cfg->clock_offset_s = strtod(now, NULL) - hz_wall_now();
}

/* An output of the run (--metrics, --metrics-file, --heartbeat,
 * $HZ_LLM_METRICS) must be writable before anything is claimed, else the
 * run would do its work and lose the record of it: a temporary file is
 * made beside it and removed (hz_outfile), as the other commands' -o is
 * checked.  1 with a message naming the option when it cannot be. */
static int check_output(const char *what, const char *path)
{
    struct stat st;
    if (path == NULL || path[0] == '\0' || strcmp(path, "-") == 0 ||
        (stat(path, &st) == 0 && !S_ISREG(st.st_mode) &&
         !S_ISDIR(st.st_mode)))
        return HZ_EXIT_OK; /* a device or a pipe is written in place */
    hz_outfile *o = NULL;
    hz_error err;
    if (hz_outfile_open(path, &o, &err) != HZ_OK) {
        hz_cli_error("run", "%s: %s", what, err.msg);
        return HZ_EXIT_FAIL;
    }
    hz_outfile_abort(o);
    return HZ_EXIT_OK;
}

/* --metrics-file and --heartbeat are rewritten again and again, each
 * time as a temporary file renamed over the path: that path must be a
 * regular file (or not exist yet), never a device or a pipe, which the
 * rename would replace (as root, --heartbeat /dev/null would make
 * /dev/null a file), and which, written in place, would block the
 * runner while nothing reads it.  2 with a message when it is not. */
static int check_rewritten(const char *what, const char *path)
{
    struct stat st;
    if (path == NULL || path[0] == '\0' || stat(path, &st) != 0 ||
        S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))
        return check_output(what, path);
    hz_cli_error("run",
                 "%s %s: not a regular file: it is rewritten every few "
                 "seconds by renaming a new file over it, which would "
                 "replace a device or a pipe; name a file",
                 what, path);
    return HZ_EXIT_USAGE;
}

static int check_outputs(const hz_runner_config *cfg, const run_opts *o)
{
    int code = check_output("--metrics", o->metrics_path);
    if (code == HZ_EXIT_OK)
        code = check_rewritten("--metrics-file", cfg->metrics_file);
    if (code == HZ_EXIT_OK)
        code = check_rewritten("--heartbeat", cfg->heartbeat_file);
    if (code == HZ_EXIT_OK)
        code = check_output("HZ_LLM_METRICS", getenv("HZ_LLM_METRICS"));
    return code;
}

/* The exit code of a run. */
static int run_exit(hz_status rc, const hz_error *err, hz_metrics *m)
{
    if (rc == HZ_EINVAL && strncmp(err->msg, HZ_RUNNER_NO_ISOLATION,
                                   strlen(HZ_RUNNER_NO_ISOLATION)) == 0) {
        hz_cli_error("run", "%s", err->msg);
        return HZ_EXIT_CONFIG;
    }
    if (rc == HZ_ECANCELED) { /* --once stopped before it drained the queue */
        int sig = atomic_load(&run_stop);
        sig = sig > 0 ? sig : SIGTERM;
        hz_cli_error("run", "%s: %s", sig == SIGINT ? "SIGINT" : "SIGTERM",
                     err->msg);
        return 128 + sig;
    }
    if (rc != HZ_OK) {
        hz_cli_error("run", "%s", err->msg);
        return rc == HZ_EINVAL   ? HZ_EXIT_USAGE
               : rc == HZ_ENOMEM ? HZ_EXIT_FAIL
                                 : HZ_EXIT_TEMPFAIL;
    }
    return hz_metrics_failed(m) > 0 ? HZ_EXIT_FAIL : HZ_EXIT_OK;
}

/* The narrative step: offline unless an LLM endpoint is configured
 * (one line says so); never fails a job.  Opened by the runner after its
 * fork of the job process helper (hz_runner_config.open_narrative). */
typedef struct narrative_open {
    hz_runner_config *cfg;
    bool quiet;
    hz_narrative_service *narr;
} narrative_open;

static void open_narrative(void *arg)
{
    narrative_open *no = arg;
    /* warnings (settings refused) whatever --quiet says */
    hz_narrative_service_open(no->cfg->store_spec, stderr, no->quiet,
                              &no->narr);
    if (no->narr != NULL) {
        no->cfg->narrative = hz_narrative_hook;
        no->cfg->narrative_ctx = no->narr;
    }
}

int hz__cmd_run(int argc, char **argv)
{
    hz_runner_config cfg;
    hz_runner_config_init(&cfg);
    run_opts o = {.log_format = HZ_LOG_TEXT, .log_level = HZ_LOG_INFO};
    int code = parse_args(argc, argv, &cfg, &o);
    if (code >= 0)
        return code;
    if ((code = check_outputs(&cfg, &o)) != HZ_EXIT_OK)
        return code;
    cfg.store_spec = hz_cli_store_spec(o.store);
    cfg.build_request = hz_cli_job_request;
    test_hooks(&cfg);
    hz_sandbox sb;
    if ((code = hz_cli_sandbox("run", &sb)) != HZ_EXIT_OK)
        return code;
    cfg.sandbox = &sb;
    hz_log *log = hz_log_new(stderr, o.log_format, o.log_level,
                             cfg.progress && isatty(fileno(stderr)));
    hz_metrics *m = hz_metrics_new();
    if (m == NULL || log == NULL) {
        hz_cli_error("run", "out of memory");
        hz_log_free(log);
        hz_metrics_free(m);
        hz_sandbox_free(&sb);
        return HZ_EXIT_FAIL;
    }
    cfg.logger = log;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    cfg.stop = &run_stop;
    /* The narrative step, opened by the runner once it has forked the
       helper of its job processes (none of them holds the LLM's key) */
    narrative_open no = {.cfg = &cfg, .quiet = o.quiet};
    cfg.open_narrative = open_narrative;
    cfg.open_narrative_arg = &no;
    hz_error err;
    hz_error_clear(&err);
    hz_status rc = hz_runner_run(&cfg, m, &err);
    code = run_exit(rc, &err, m);
    if ((rc == HZ_OK || rc == HZ_ECANCELED) && !o.quiet)
        hz_metrics_print(m, stdout);
    if (o.metrics_path != NULL &&
        hz_metrics_write_json(m, o.metrics_path, &err) != HZ_OK) {
        hz_cli_error("run", "%s", err.msg);
        code = code == HZ_EXIT_OK ? HZ_EXIT_FAIL : code;
    }
    if (atomic_load(&run_stop) != 0 && rc != HZ_ECANCELED)
        fprintf(stderr, "horizon run: stopped by signal\n");
    hz_narrative_service_warn(no.narr, stderr);
    if (hz_narrative_service_close(no.narr, o.quiet ? NULL : stderr, &err) !=
        HZ_OK) {
        hz_cli_error("run", "%s", err.msg);
        code = code == HZ_EXIT_OK ? HZ_EXIT_FAIL : code;
    }
    hz_metrics_free(m);
    hz_log_free(log);
    hz_sandbox_free(&sb);
    return code;
}
