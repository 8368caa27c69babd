/* horizon run: drain (or watch) the job queue of a store. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "runner/metrics.h"
#include "narrative/narrative.h"
#include "runner/runner.h"

const char hz__cmd_run_summary[] = "run queued jobs from a store (SQLite "
                                   "or Cosmos DB)";

static volatile sig_atomic_t run_stop;

static void on_signal(int sig)
{
    (void)sig;
    run_stop = 1;
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
        "                   [--metrics FILE.json] [--progress] [--verbose]\n"
        "                   [--quiet]\n\n"
        "Claim queued jobs and run them; each job runs in its own process,\n"
        "so a job that overruns its timeout or crashes fails alone.\n\n"
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
        "(default 3)\n"
        "  --lease S           lease length; renewed every S/3 (default "
        "60)\n"
        "  --grace S           on SIGTERM/SIGINT, time running jobs get to\n"
        "                      finish before they are released (default "
        "20)\n"
        "  --threads N         OpenMP threads per job (default: cores /\n"
        "                      concurrency)\n"
        "  --tenant ID         only jobs of this customerId\n"
        "  --max-jobs N        claim at most N jobs, then exit\n"
        "  --max-download-mb N cap on a URL dataset (default 2048)\n"
        "  --metrics FILE      write the run's metrics as JSON\n"
        "  --progress          progress line on a terminal\n"
        "  --verbose           a line per job\n"
        "  --quiet             no summary table\n\n"
        "exit status: 0 when every job this run finished succeeded, 1 when\n"
        "some failed (see 'horizon jobs list --status failed') or the "
        "runner\n"
        "could not work, 2 usage error.\n");
}

int hz__cmd_run(int argc, char **argv)
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
        {"metrics", required_argument, 0, 'm'},
        {"progress", no_argument, 0, 'P'},
        {"verbose", no_argument, 0, 'v'},
        {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    hz_runner_config cfg;
    hz_runner_config_init(&cfg);
    const char *store = getenv("HORIZON_STORE");
    const char *metrics_path = NULL;
    bool once = false, quiet = false;
    long lv;
    double dv;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'o': once = true; break;
        case 'w': cfg.watch = true; break;
        case 'p':
            if (!hz_cli_parse_double("run", "poll-interval", optarg, &dv) ||
                dv <= 0) {
                hz_cli_error("run", "--poll-interval: expected a positive "
                                    "number of seconds");
                return HZ_EXIT_USAGE;
            }
            cfg.poll_interval_s = dv;
            break;
        case 's': store = optarg; break;
        case 'c':
            if (!hz_cli_parse_long("run", "concurrency", optarg, 1, 1024, &lv))
                return HZ_EXIT_USAGE;
            cfg.concurrency = (int)lv;
            break;
        case 't':
        case 'T':
        case 'l':
        case 'g': {
            const char *name = c == 't'   ? "timeout"
                               : c == 'T' ? "tool-timeout"
                               : c == 'l' ? "lease"
                                          : "grace";
            if (!hz_cli_parse_double("run", name, optarg, &dv) || !(dv > 0) ||
                dv > 7 * 86400.0) {
                hz_cli_error("run",
                             "--%s: expected a positive number of "
                             "seconds, got '%s'",
                             name, optarg);
                return HZ_EXIT_USAGE;
            }
            if (c == 't')
                cfg.timeout_s = dv;
            else if (c == 'T')
                cfg.tool_timeout_s = dv;
            else if (c == 'l')
                cfg.lease_s = dv;
            else
                cfg.grace_s = dv;
            break;
        }
        case 'a':
            if (!hz_cli_parse_long("run", "max-attempts", optarg, 1, 100, &lv))
                return HZ_EXIT_USAGE;
            cfg.max_attempts = (int)lv;
            break;
        case 'j':
            if (!hz_cli_parse_long("run", "threads", optarg, 1, 1024, &lv))
                return HZ_EXIT_USAGE;
            cfg.threads_per_job = (int)lv;
            break;
        case 'n': cfg.tenant = optarg; break;
        case 'M':
            if (!hz_cli_parse_long("run", "max-jobs", optarg, 1, 1L << 40,
                                   &lv))
                return HZ_EXIT_USAGE;
            cfg.max_jobs = lv;
            break;
        case 'D':
            if (!hz_cli_parse_long("run", "max-download-mb", optarg, 1,
                                   1L << 30, &lv))
                return HZ_EXIT_USAGE;
            cfg.max_download_bytes = (long long)lv << 20;
            break;
        case 'm': metrics_path = optarg; break;
        case 'P': cfg.progress = true; break;
        case 'v': cfg.verbose = true; break;
        case 'q': quiet = true; break;
        case 'h': usage(stdout); return HZ_EXIT_OK;
        default: usage(stderr); return HZ_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        hz_cli_error("run", "unexpected argument '%s'", argv[optind]);
        return HZ_EXIT_USAGE;
    }
    if (once && cfg.watch) {
        hz_cli_error("run", "--once and --watch are exclusive");
        return HZ_EXIT_USAGE;
    }
    cfg.store_spec = store ? store : "sqlite:horizon.db";
    const char *hooks = getenv("HZ_TEST_HOOKS");
    cfg.test_hooks = hooks != NULL && strcmp(hooks, "1") == 0;

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    cfg.stop = &run_stop;
    /* The LLM narrative step: offline unless an LLM endpoint is
       configured (one line says so); never fails a job. */
    hz_narrative_service *narr = NULL;
    hz_narrative_service_open(cfg.store_spec, quiet ? NULL : stderr, &narr);
    if (narr != NULL) {
        cfg.narrative = hz_narrative_hook;
        cfg.narrative_ctx = narr;
    }

    hz_metrics *m = hz_metrics_new();
    if (m == NULL) {
        hz_cli_error("run", "out of memory");
        return HZ_EXIT_FAIL;
    }
    hz_error err;
    hz_error_clear(&err);
    hz_status rc = hz_runner_run(&cfg, m, &err);
    int code = HZ_EXIT_OK;
    if (rc != HZ_OK) {
        hz_cli_error("run", "%s", err.msg);
        code = rc == HZ_EINVAL ? HZ_EXIT_USAGE : HZ_EXIT_FAIL;
    }
    if (rc == HZ_OK && !quiet)
        hz_metrics_print(m, stdout);
    if (metrics_path != NULL) {
        hz_error merr;
        if (hz_metrics_write_json(m, metrics_path, &merr) != HZ_OK) {
            hz_cli_error("run", "%s", merr.msg);
            code = HZ_EXIT_FAIL;
        }
    }
    if (code == HZ_EXIT_OK && hz_metrics_failed(m) > 0)
        code = HZ_EXIT_FAIL;
    if (run_stop)
        fprintf(stderr, "horizon run: stopped by signal\n");
    hz_narrative_service_close(narr, quiet ? NULL : stderr);
    hz_metrics_free(m);
    return code;
}
