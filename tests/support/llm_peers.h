/* Helpers shared by the LLM tests (test_tokenizer.c, test_prompt.c,
 * test_llm.c): locate and install the node peers (tests/peers), export the
 * tiktoken rank files, start mock-llm and the fault proxy on free loopback
 * ports.  Header-only (static functions) so each test binary stays one
 * file. */
#ifndef HZ_LLM_PEERS_H
#define HZ_LLM_PEERS_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hz_test.h"

/* Repository root (hz_test_root: HZ_DATA_DIR/.. or found). */
static inline const char *peers_root(void)
{
    return hz_test_root();
}

static inline bool peers_have_node(void)
{
    return system("command -v node >/dev/null 2>&1") == 0;
}

/* Make sure tests/peers/node_modules holds the pinned packages (npm ci via
 * scripts/test-peers.sh when present).  Returns false when node is absent
 * (the caller skips) and aborts the test binary when installation fails
 * (node present means the peers must run). */
static inline bool peers_ready(void)
{
    static int state = -1;
    char path[4600], cmd[9400];
    if (state >= 0)
        return state == 1;
    if (!peers_have_node()) {
        state = 0;
        return false;
    }
    snprintf(path, sizeof path,
             "%s/tests/peers/node_modules/js-tiktoken/package.json",
             peers_root());
    char path2[4600];
    snprintf(path2, sizeof path2,
             "%s/tests/peers/node_modules/@dwmkerr/mock-llm/package.json",
             peers_root());
    char script[4600];
    snprintf(script, sizeof script, "%s/scripts/test-peers.sh", peers_root());
    if (access(path, R_OK) != 0 || access(path2, R_OK) != 0 ||
        access(script, R_OK) == 0) {
        snprintf(path, sizeof path, "%s", script);
        if (access(path, R_OK) == 0)
            snprintf(cmd, sizeof cmd, "bash '%s' >&2", path);
        else
            snprintf(cmd, sizeof cmd,
                     "cd '%s/tests/peers' && npm ci --no-audit --no-fund >&2",
                     peers_root());
        if (system(cmd) != 0) {
            fprintf(stderr,
                    "node is present but the test peers could not "
                    "be installed (%s)\n",
                    cmd);
            exit(1);
        }
    }
    state = 1;
    return true;
}

/* Export the .tiktoken file of `enc` into $HZ_TEST_TMP/ranks (shared by
 * the test binaries; the export is atomic) unless it is there, and return
 * its path (static buffer per encoding); NULL when node is absent.
 * tmpdir is used only when HZ_TEST_TMP is unset. */
static inline const char *peers_rank_file(const char *enc, const char *tmpdir)
{
    if (getenv("HZ_TEST_TMP") != NULL)
        tmpdir = getenv("HZ_TEST_TMP");
    static char cl[4096], o2[4096];
    char *buf = strcmp(enc, "o200k_base") == 0 ? o2 : cl;
    char cmd[9000];
    if (!peers_ready())
        return NULL;
    snprintf(buf, 4096, "%s/ranks/%s.tiktoken", tmpdir, enc);
    if (access(buf, R_OK) == 0)
        return buf;
    snprintf(cmd, sizeof cmd,
             "node '%s/tests/peers/export_ranks.js' %s '%s/ranks' >/dev/null",
             peers_root(), enc, tmpdir);
    if (system(cmd) != 0 || access(buf, R_OK) != 0) {
        fprintf(stderr, "could not export ranks: %s\n", cmd);
        exit(1);
    }
    return buf;
}

/* A free TCP port on 127.0.0.1 (bind to 0, read it back, close). */
static inline int peers_free_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    socklen_t al = sizeof a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(s, (struct sockaddr *)&a, &al) != 0) {
        if (s >= 0)
            close(s);
        return -1;
    }
    close(s);
    return ntohs(a.sin_port);
}

static inline bool peers_port_open(int port)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = s >= 0 && connect(s, (struct sockaddr *)&a, sizeof a) == 0;
    if (s >= 0)
        close(s);
    return ok;
}

static inline bool peers_wait_port(int port, double seconds)
{
    for (int i = 0; i < (int)(seconds * 20); i++) {
        if (peers_port_open(port))
            return true;
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return false;
}

/* Start `node SCRIPT ARGS...` with extra env (NAME=VALUE entries, NULL
 * terminated) and stdout/stderr to logfile; returns the pid or -1. */
static inline pid_t peers_spawn(const char *const *argv,
                                const char *const *env, const char *logfile)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        FILE *lf = fopen(logfile, "w");
        if (lf != NULL) {
            dup2(fileno(lf), 1);
            dup2(fileno(lf), 2);
        }
        for (const char *const *e = env; e && *e; e++)
            putenv((char *)*e);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    return pid;
}

static inline void peers_stop(pid_t pid)
{
    if (pid > 0) {
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
    }
}

/* Start mock-llm with a YAML config file on a free port; returns pid and
 * writes the port.  -1 on failure. */
static inline pid_t peers_start_mock_llm(const char *config,
                                         const char *tmpdir, int *port_out)
{
    static char host[] = "HOST=127.0.0.1";
    static char portenv[32];
    char script[4600], log[4600];
    int port = peers_free_port();
    snprintf(portenv, sizeof portenv, "PORT=%d", port);
    snprintf(script, sizeof script,
             "%s/tests/peers/node_modules/@dwmkerr/mock-llm/dist/main.js",
             peers_root());
    snprintf(log, sizeof log, "%s/mock-llm-%d.log", tmpdir, port);
    const char *argv[] = {"node", script, "--config", config, NULL};
    const char *env[] = {host, portenv, NULL};
    pid_t pid = peers_spawn(argv, env, log);
    if (pid < 0 || !peers_wait_port(port, 20)) {
        fprintf(stderr, "mock-llm did not start (log %s)\n", log);
        peers_stop(pid);
        return -1;
    }
    *port_out = port;
    return pid;
}

/* Start tests/peers/fault_proxy.js in front of target with extra args
 * (a NULL-terminated list); returns pid and writes the port. */
static inline pid_t peers_start_fault_proxy(const char *target,
                                            const char *const *extra,
                                            const char *tmpdir, int *port_out)
{
    static int seq;
    char script[4600], log[4600], portfile[4600];
    snprintf(script, sizeof script, "%s/tests/peers/fault_proxy.js",
             peers_root());
    snprintf(portfile, sizeof portfile, "%s/proxy-%d-%d.port", tmpdir,
             (int)getpid(), seq);
    snprintf(log, sizeof log, "%s/proxy-%d-%d.log", tmpdir, (int)getpid(),
             seq++);
    unlink(portfile);
    const char *argv[40] = {"node", script,        "--target",
                            target, "--port-file", portfile};
    int k = 6;
    for (const char *const *e = extra; e && *e && k < 38; e++)
        argv[k++] = *e;
    argv[k] = NULL;
    pid_t pid = peers_spawn(argv, NULL, log);
    for (int i = 0; i < 200 && pid > 0; i++) {
        FILE *f = fopen(portfile, "r");
        if (f != NULL) {
            int port = 0;
            if (fscanf(f, "%d", &port) == 1 && port > 0) {
                fclose(f);
                *port_out = port;
                return pid;
            }
            fclose(f);
        }
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    fprintf(stderr, "fault proxy did not start (log %s)\n", log);
    peers_stop(pid);
    return -1;
}

#endif
