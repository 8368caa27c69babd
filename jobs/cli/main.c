/* horizon: command-line entry point.  Subcommands live in jobs/cmd_*.c and
 * are listed in the generated commands.h.
 *
 * Exit codes (documented in README.md and `horizon --help`):
 *   0 success, 1 failure while running (bad data, failed job),
 *   2 usage error (unknown option, missing argument), 3 input not found
 *   or unreadable, 75 job store unavailable, 130/143 `run --once`
 *   stopped by a signal. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "horizon/common.h"
#include "horizon/threads.h"

/* The OpenMP runtime reads its settings once, from the environment,
 * before main: when the user has not chosen them, run this program again
 * with idle threads that sleep instead of spinning (OMP_WAIT_POLICY=
 * passive) and as many threads as CPUs this process may use (affinity
 * mask, cgroup quota).  HZ_REEXEC=0 turns this off; a failed exec just
 * goes on with the runtime's defaults. */
static void threads_env(char **argv)
{
    const char *off = getenv("HZ_REEXEC");
    if ((off != NULL && strcmp(off, "0") == 0) || !hz_threads_env_defaults())
        return;
    execv("/proc/self/exe", argv);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: horizon [--version] [--help] COMMAND [ARGS]\n\n"
               "Batch forecasting and customer analytics.\n\ncommands:\n");
    for (const hz_command *c = hz_commands; c->name != NULL; c++)
        fprintf(f, "  %-10s %s\n", c->name, c->summary);
    fprintf(f, "\n'horizon COMMAND --help' describes a command.\n"
               "exit codes: 0 ok, 1 failed (bad data, a failed job, an "
               "output that could\nnot be written whole), 2 usage error, 3 "
               "input not found or unreadable,\n75 the job store "
               "unavailable (job commands), 130/143 'run --once' stopped\n"
               "by SIGINT/SIGTERM before the queue was drained\n");
}

/* Every command's standard output is checked once more at the end: a
 * write that failed (a full disk, a closed pipe) fails the command. */
static int finish_stdout(const char *cmd, int rc)
{
    errno = 0;
    if ((fflush(stdout) == 0 && !ferror(stdout)) || rc != 0)
        return rc; /* a command that failed has said why */
    fprintf(stderr, "horizon %s: could not write to standard output: %s\n",
            cmd, strerror(errno ? errno : EIO));
    return rc == 0 ? 1 : rc;
}

int main(int argc, char **argv)
{
    /* a closed pipe is an error to report (EPIPE), not a silent death */
    signal(SIGPIPE, SIG_IGN);
    threads_env(argv);
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return finish_stdout("--help", 0);
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("horizon %s\n", hz_version());
        return finish_stdout("--version", 0);
    }
    for (const hz_command *c = hz_commands; c->name != NULL; c++)
        if (strcmp(argv[1], c->name) == 0)
            return finish_stdout(c->name, c->run(argc - 1, argv + 1));
    fprintf(stderr, "horizon: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
