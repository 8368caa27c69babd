/* Helpers of the job commands (submit, run, jobs, datasets, schedule,
 * cosmos): the store they open, the tenant they act for, the dataset
 * sandbox and their exit codes.
 *
 * Exit codes of the job commands: 0 ok, 1 failed (a job failed, a write
 * lost a race), 2 usage (bad option, invalid job, ambiguous id), 3 not
 * found, 75 the store is unreachable, unauthorised, throttled past its
 * deadline, full or damaged (EX_TEMPFAIL: try again later). */
#ifndef HZ_CLI_JOBS_H
#define HZ_CLI_JOBS_H

#include <stdbool.h>
#include <stddef.h>

#include "net/sandbox.h"
#include "store/store.h"

/* opt, else $HORIZON_STORE, else "sqlite:horizon.db". */
const char *hz_cli_store_spec(const char *opt);
/* opt, else $HZ_TENANT, else NULL (every tenant where allowed). */
const char *hz_cli_tenant(const char *opt);

/* The exit code of a failed store operation. */
int hz_cli_store_exit(hz_status st);

/* Open the store (flags: HZ_STORE_READONLY for commands that only read);
 * 0, or the exit code after printing why. */
int hz_cli_store_open(const char *cmd, const char *spec, unsigned flags,
                      hz_store **out);

/* The sandbox from the environment; 0, or 2 after printing why. */
int hz_cli_sandbox(const char *cmd, hz_sandbox *sb);

/* Resolve a dataset named on the command line or in a job file for
 * tenant: a URL is checked against the sandbox's allow-list and kept; a
 * local path (or file:// URL) is made absolute and real, must lie in the
 * sandbox's roots and be a regular file (a directory or a FIFO: exit 3,
 * found without blocking).  0 (out holds what to store), or the exit code
 * after printing why (prefixed with `what`, e.g. "job j-1"). */
int hz_cli_resolve_dataset(const char *cmd, const char *what,
                           const hz_sandbox *sb, const char *tenant,
                           const char *given, char *out, size_t outsz);

/* The dataset of --url-file FILE: the first line of FILE ("-": standard
 * input) without its line end, so that a signed URL (a SAS token is a
 * credential) is not on the command line, where every local user sees
 * it (ps, /proc/PID/cmdline).  Nothing but blank lines may follow it.
 * 0 (out holds it), or the exit code after a message that never quotes
 * the file's content: 3 the file cannot be read, 2 it is empty, holds
 * more than one line or a NUL, or is longer than outsz - 1. */
int hz_cli_read_url_file(const char *cmd, const char *file, char *out,
                         size_t outsz);

/* --dataset or --url-file (of submit, schedule add): with a file
 * (file != NULL), *dataset must be unset (else exit 2, "exclusive") and
 * becomes buf, read by hz_cli_read_url_file; without one, nothing
 * changes.  0, or the exit code after its message. */
int hz_cli_dataset_url_file(const char *cmd, const char *file,
                            const char **dataset, char *buf, size_t bufsz);

/* Field key of the record d (a job's "dataset", a dataset's "uri") as
 * it may be shown: a URL (any scheme, in any case) without user,
 * password or query (hz_url_redact: a SAS signature is a credential), in
 * place; a path or any other value is left as it is.  For the commands
 * that print records; the store keeps the whole URL, which the runner
 * fetches. */
struct cJSON;
void hz_cli_redact_url_field(struct cJSON *d, const char *key);

/* The job parameters of submit and schedule add, into params: --param
 * KEY=VALUE (the value as the command line has it) or KEY (a flag), and
 * --params JSON (an object's members).  A key given twice is refused (the
 * last one won without a word: --param by=region --param by=product
 * grouped by product alone).  true, or false after cmd's message. */
bool hz_cli_param_add(const char *cmd, struct cJSON *params, const char *kv);
bool hz_cli_params_add_json(const char *cmd, struct cJSON *params,
                            const char *json);

#endif
