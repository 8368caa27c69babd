/* Shared helpers for the subcommands in jobs/cmd_*.c. */
#ifndef HZ_CLI_H
#define HZ_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "horizon/common.h"

/* Exit codes of the horizon binary. */
enum {
    HZ_EXIT_OK = 0,
    HZ_EXIT_FAIL = 1,
    HZ_EXIT_USAGE = 2,
    HZ_EXIT_NOINPUT = 3
};

/* Map an engine status to an exit code (EIO/ENOTFOUND on input -> 3). */
int hz_cli_exit_code(hz_status s);

/* Print "horizon CMD: MSG" to stderr. */
void hz_cli_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Parse a strictly positive/any integer or double option value; on failure
 * prints "horizon CMD: --OPT: expected ..., got 'X'" and returns false. */
bool hz_cli_parse_long(const char *cmd, const char *opt, const char *s,
                       long min, long max, long *out);
bool hz_cli_parse_double(const char *cmd, const char *opt, const char *s,
                         double *out);

/* Open path for writing ("-" or NULL = stdout); NULL with a message on
 * failure. */
FILE *hz_cli_open_out(const char *cmd, const char *path);
void hz_cli_close_out(FILE *f);

#endif
