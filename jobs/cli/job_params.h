/* Job parameters are the command line's options.
 *
 * A job's "params" object holds long options of the command its type
 * stands for, without the dashes: `horizon forecast` for forecast jobs,
 * `horizon analyze KIND` for churn, clv, segment and suite jobs.  Values
 * are the options' arguments, written as on the command line
 * ("by": "region,category", "horizon": "12"); numbers, true/false and
 * lists of strings are taken too (["region", "category"] is
 * "region,category"; true sets a flag such as "long").  Each one goes
 * through the command's own option table and parsing function
 * (fc_cli.c, an_cli.c, cli.c's ingest options), so an option added to a
 * command works in jobs without more code, and the messages are the
 * command's.  Output options (-o, --json, ...) and --threads (the runner
 * decides) are not parameters.  The parameter names of earlier versions
 * (dateColumn, valueColumn, customerColumn, amountColumn, labelColumn,
 * asOf, calibrationEnd, horizonMonths, discountRate, kMax, nInit,
 * inactiveDays, levels) are still read, as deprecated aliases. */
#ifndef HZ_CLI_JOB_PARAMS_H
#define HZ_CLI_JOB_PARAMS_H

#include <stdio.h>

#include "runner/exec.h"
#include "store/job.h"

/* The hz_job_request_fn of the runner: job's params -> its request.
 * "params.NAME: MESSAGE" on failure.  Thread-safe. */
hz_status hz_cli_job_request(const hz_job *job, hz_job_request *out,
                             hz_error *err);

/* The parameters of each job type, from the same tables. */
void hz_cli_job_params_help(FILE *f);

/* Check that the columns a job names exist in its dataset, reading the
 * header and the first rows of the local file path (with the job's
 * ingest options).  HZ_ENOTFOUND names the parameter and the columns the
 * file has; HZ_EPARSE: the file is empty (no header).  A path that is not
 * a regular file is not read (a FIFO would block). */
hz_status hz_cli_job_check_columns(const hz_job *job, const char *path,
                                   hz_error *err);

#endif
