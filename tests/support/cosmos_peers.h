/* Helpers for the Cosmos DB tests: install the pinned node peers
 * (tests/peers), generate a loopback TLS certificate with openssl, start
 * @vercel/cosmosdb-server and the fault proxy on free loopback ports, stop
 * them.  Header-only (static functions): each test binary is one file. */
#ifndef HZ_COSMOS_PEERS_H
#define HZ_COSMOS_PEERS_H

#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hz_test.h"

/* A fixed, test-only master key (base64 of 64 bytes); never a real one. */
#define CPEERS_KEY                                                            \
    "dGVzdC1vbmx5LWtleS1ob3Jpem9uLWNvc21vcy1wZWVyLTAxMjM0NTY3ODkwMTIz"        \
    "NDU2Nzg5MDEyMzQ1Njc4OTAxMg=="

#define CPEERS_MAX_PIDS 16
static pid_t cpeers_pids[CPEERS_MAX_PIDS];
static int cpeers_npids;

/* Repository root (hz_test_root: HZ_DATA_DIR/.. or found). */
static inline const char *cpeers_root(void)
{
    return hz_test_root();
}

static inline bool cpeers_have_node(void)
{
    return system("command -v node >/dev/null 2>&1") == 0;
}

/* True when node and the pinned peers are there (installing them with
 * scripts/test-peers.sh when needed).  False only when node is absent:
 * the caller skips.  Node present but no peers: exits 1 (must run). */
static inline bool cpeers_ready(void)
{
    static int state = -1;
    if (state >= 0)
        return state == 1;
    if (!cpeers_have_node()) {
        state = 0;
        return false;
    }
    char cmd[8400];
    snprintf(cmd, sizeof cmd, "bash '%s/scripts/test-peers.sh' >&2",
             cpeers_root());
    char probe[4600];
    snprintf(probe, sizeof probe,
             "%s/tests/peers/node_modules/@vercel/cosmosdb-server/"
             "package.json",
             cpeers_root());
    if (system(cmd) != 0 || access(probe, R_OK) != 0) {
        fprintf(stderr,
                "node is present but the test peers could not be "
                "installed (%s)\n",
                cmd);
        exit(1);
    }
    state = 1;
    return true;
}

static void cpeers_kill_all(void)
{
    for (int i = 0; i < cpeers_npids; i++) {
        if (cpeers_pids[i] > 0) {
            kill(cpeers_pids[i], SIGTERM);
            waitpid(cpeers_pids[i], NULL, 0);
            cpeers_pids[i] = 0;
        }
    }
    cpeers_npids = 0;
}

/* Stop one peer started by cpeers_spawn. */
static inline void cpeers_stop(pid_t pid)
{
    for (int i = 0; i < cpeers_npids; i++)
        if (cpeers_pids[i] == pid) {
            kill(pid, SIGTERM);
            waitpid(pid, NULL, 0);
            cpeers_pids[i] = 0;
        }
}

/* Start `node SCRIPT ARGS... --port-file PORTFILE` with its output in
 * LOG; wait (<= 20 s) for the port file.  Returns the port or -1. */
static inline int cpeers_spawn(const char *log, const char *portfile,
                               char *const argv[], pid_t *pid_out)
{
    static bool registered;
    if (!registered) {
        atexit(cpeers_kill_all);
        registered = true;
    }
    unlink(portfile);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        /* the peer dies with the test, even when the test crashes */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        execvp("node", argv);
        _exit(127);
    }
    if (cpeers_npids < CPEERS_MAX_PIDS)
        cpeers_pids[cpeers_npids++] = pid;
    *pid_out = pid;
    for (int i = 0; i < 400; i++) {
        FILE *f = fopen(portfile, "r");
        if (f != NULL) {
            int port = -1;
            if (fscanf(f, "%d", &port) != 1)
                port = -1;
            fclose(f);
            if (port > 0)
                return port;
        }
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) {
            fprintf(stderr, "peer exited early; log %s\n", log);
            return -1;
        }
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    fprintf(stderr, "peer did not start in 20 s; log %s\n", log);
    return -1;
}

/* A self-signed certificate for 127.0.0.1 in dir (cert.pem, key.pem). */
static inline bool cpeers_make_cert(const char *dir)
{
    char cmd[9000], cert[4200];
    snprintf(cert, sizeof cert, "%s/cert.pem", dir);
    if (access(cert, R_OK) == 0)
        return true;
    snprintf(cmd, sizeof cmd,
             "openssl req -x509 -newkey rsa:2048 -nodes -days 2 "
             "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 "
             "-keyout '%s/key.pem' -out '%s/cert.pem' >/dev/null 2>&1",
             dir, dir);
    return system(cmd) == 0;
}

/* Start the Cosmos peer (TLS, keep-alive) on a free port. */
static inline int cpeers_start_cosmos(const char *dir, pid_t *pid)
{
    char script[4600], cert[4200], key[4200], pf[4200], log[4200];
    if (!cpeers_make_cert(dir))
        return -1;
    snprintf(script, sizeof script, "%s/tests/peers/cosmos_server.js",
             cpeers_root());
    snprintf(cert, sizeof cert, "%s/cert.pem", dir);
    snprintf(key, sizeof key, "%s/key.pem", dir);
    snprintf(pf, sizeof pf, "%s/cosmos.port", dir);
    snprintf(log, sizeof log, "%s/cosmos.log", dir);
    char *argv[] = {"node",   script, "--cert",      cert, "--key", key,
                    "--port", "0",    "--port-file", pf,   NULL};
    return cpeers_spawn(log, pf, argv, pid);
}

/* Start the Cosmos peer checking Entra ID tokens (--auth both: key or
 * token accepted until POST /__aad {"auth":"aad"}) on a free port. */
static inline int cpeers_start_cosmos_aad(const char *dir, const char *secret,
                                          const char *audience, pid_t *pid)
{
    char script[4600], cert[4200], key[4200], pf[4200], log[4200];
    if (!cpeers_make_cert(dir))
        return -1;
    snprintf(script, sizeof script, "%s/tests/peers/cosmos_server.js",
             cpeers_root());
    snprintf(cert, sizeof cert, "%s/cert.pem", dir);
    snprintf(key, sizeof key, "%s/key.pem", dir);
    snprintf(pf, sizeof pf, "%s/cosmos-aad.port", dir);
    snprintf(log, sizeof log, "%s/cosmos-aad.log", dir);
    char *argv[] = {"node",
                    script,
                    "--cert",
                    cert,
                    "--key",
                    key,
                    "--auth",
                    "both",
                    "--aad-secret",
                    (char *)secret,
                    "--aad-audience",
                    (char *)audience,
                    "--port",
                    "0",
                    "--port-file",
                    pf,
                    NULL};
    return cpeers_spawn(log, pf, argv, pid);
}

/* Start tests/peers/token_server.js (plain http on 127.0.0.1) with
 * extra arguments (NULL-terminated, at most 24). */
static inline int cpeers_start_token_server(const char *dir,
                                            const char *const *extra,
                                            pid_t *pid)
{
    static char script[4600], pf[4200], log[4200];
    snprintf(script, sizeof script, "%s/tests/peers/token_server.js",
             cpeers_root());
    snprintf(pf, sizeof pf, "%s/token.port", dir);
    snprintf(log, sizeof log, "%s/token.log", dir);
    char *argv[32];
    int n = 0;
    argv[n++] = "node";
    argv[n++] = script;
    for (const char *const *e = extra; e && *e && n < 26; e++)
        argv[n++] = (char *)*e;
    argv[n++] = "--port";
    argv[n++] = "0";
    argv[n++] = "--port-file";
    argv[n++] = pf;
    argv[n] = NULL;
    return cpeers_spawn(log, pf, argv, pid);
}

/* Start tests/peers/llm_stub.js (plain http on 127.0.0.1) with extra
 * arguments (NULL-terminated, at most 24). */
static inline int cpeers_start_llm_stub(const char *dir,
                                        const char *const *extra, pid_t *pid)
{
    static char script[4600], pf[4200], log[4200];
    snprintf(script, sizeof script, "%s/tests/peers/llm_stub.js",
             cpeers_root());
    snprintf(pf, sizeof pf, "%s/llm_stub.port", dir);
    snprintf(log, sizeof log, "%s/llm_stub.log", dir);
    char *argv[32];
    int n = 0;
    argv[n++] = "node";
    argv[n++] = script;
    for (const char *const *e = extra; e && *e && n < 26; e++)
        argv[n++] = (char *)*e;
    argv[n++] = "--port";
    argv[n++] = "0";
    argv[n++] = "--port-file";
    argv[n++] = pf;
    argv[n] = NULL;
    return cpeers_spawn(log, pf, argv, pid);
}

/* Start the fault proxy (TLS on both sides with the test certificate) in
 * front of 127.0.0.1:target_port. */
static inline int cpeers_start_proxy(const char *dir, int target_port,
                                     double rate, const char *faults,
                                     unsigned seed, int retry_after_ms,
                                     int delay_ms, pid_t *pid)
{
    char script[4600], cert[4200], key[4200], pf[4200], log[4200];
    char target[64], rs[32], ss[32], ra[32], dl[32], fs[256];
    snprintf(script, sizeof script, "%s/tests/peers/fault_proxy.js",
             cpeers_root());
    snprintf(cert, sizeof cert, "%s/cert.pem", dir);
    snprintf(key, sizeof key, "%s/key.pem", dir);
    snprintf(pf, sizeof pf, "%s/proxy-%u.port", dir, seed);
    snprintf(log, sizeof log, "%s/proxy-%u.log", dir, seed);
    snprintf(target, sizeof target, "https://127.0.0.1:%d", target_port);
    snprintf(rs, sizeof rs, "%g", rate);
    snprintf(ss, sizeof ss, "%u", seed);
    snprintf(ra, sizeof ra, "%d", retry_after_ms);
    snprintf(dl, sizeof dl, "%d", delay_ms);
    snprintf(fs, sizeof fs, "%s", faults);
    char *argv[] = {
        "node",       script, "--target",  target, "--target-ca",      cert,
        "--tls-cert", cert,   "--tls-key", key,    "--rate",           rs,
        "--faults",   fs,     "--seed",    ss,     "--retry-after-ms", ra,
        "--delay-ms", dl,     "--port",    "0",    "--port-file",      pf,
        NULL};
    return cpeers_spawn(log, pf, argv, pid);
}

/* Point the COSMOS_* environment at 127.0.0.1:port with the test key and
 * certificate in dir. */
static inline void cpeers_set_env(const char *dir, int port,
                                  const char *database)
{
    char ep[64], cert[4200];
    snprintf(ep, sizeof ep, "https://127.0.0.1:%d/", port);
    snprintf(cert, sizeof cert, "%s/cert.pem", dir);
    setenv("COSMOS_ENDPOINT", ep, 1);
    setenv("COSMOS_KEY", CPEERS_KEY, 1);
    setenv("COSMOS_CA_CERT", cert, 1);
    setenv("COSMOS_DATABASE", database, 1);
}

#endif
