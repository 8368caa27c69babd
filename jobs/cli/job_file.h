/* Job files (`horizon submit --file FILE`): one job object or an array
 * of them, read and checked as a whole before any job is validated.
 *
 * Jobs are named in messages as "FILE: job ID", or "FILE: job #N" (N
 * counted from 1) when a job has no valid id of its own.  Refused, each
 * with exit 2 and the place named:
 *   - JSON that does not parse: "FILE:LINE:COLUMN: invalid JSON";
 *   - a NUL byte in the file, and the escape \u0000 in a string (cJSON
 *     would cut the string there: "z\u0000evil" would be job "z");
 *   - a key twice in one object (readers disagree on which one counts);
 *   - with a tenant (--tenant, $HZ_TENANT), a job of another tenant (a
 *     job without customerId takes the tenant);
 *   - two jobs with the same id in one tenant;
 *   - when strict (submit's validation; not with --no-validate), a
 *     top-level field that is not a job file's.
 * A file that cannot be read (missing, a directory) is exit 3. */
#ifndef HZ_CLI_JOB_FILE_H
#define HZ_CLI_JOB_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

/* Read path ("-" = stdin) into *jobs (an array, the caller's to free).
 * tenant: NULL, or the tenant every job must belong to.  0, or the exit
 * code after printing every problem (cmd names the command). */
int hz_cli_job_file_read(const char *cmd, const char *path, const char *tenant,
                         bool strict, cJSON **jobs);

/* How messages name job `index` (0-based) of the file: "FILE: job ID"
 * when doc has a valid id, else "FILE: job #N" with N = index + 1. */
void hz_cli_job_file_label(const char *path, int index, const cJSON *doc,
                           char *out, size_t outsz);

#endif
