/* A job process's standard output and error.  They went to the runner's
 * own stderr as they were: a job process (code a hostile dataset got to
 * run in it, a value echoed by a library) could write a line that looked
 * like one of the runner's log ("... info horizon run: job X succeeded",
 * a JSON log line), and a log collector or an operator took it for the
 * runner's word.  Now the job process writes them to a file of its own
 * directory, and the runner, once the process has ended, logs what it
 * wrote as warnings of its own, one per line, each marked "job J: job
 * process P wrote on stderr:", in the log's format (control characters
 * in caret notation in text, the line a JSON string in json), at most
 * HZ_JOB_STDERR_LINES lines, HZ_JOB_STDERR_LINE_BYTES bytes of a line
 * and HZ_JOB_STDERR_BYTES bytes in all (the rest is counted, not
 * shown). */
#ifndef HZ_RUNNER_JOB_STDERR_H
#define HZ_RUNNER_JOB_STDERR_H

#include <sys/types.h>

#include "runner/log.h"

#define HZ_JOB_STDERR_FILE "stderr"
#define HZ_JOB_STDERR_LINES 20
#define HZ_JOB_STDERR_BYTES 4096
/* at most this many bytes of one line: what one log message holds once
 * shown in caret notation; the rest of the line is counted */
#define HZ_JOB_STDERR_LINE_BYTES 500

/* In the job process: descriptors 1 and 2 to DIR/stderr (a new file;
 * /dev/null when it cannot be made: nothing of the job reaches the
 * runner's streams). */
void hz__job_stderr_redirect(const char *dir);

/* In the runner, once the job process pid has ended: log what it wrote
 * (nothing when it wrote nothing), with the job's fields. */
void hz__job_stderr_forward(hz_log *log, const hz_log_fields *fields,
                            const char *job, const char *dir, pid_t pid);

#endif
