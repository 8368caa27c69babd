/* horizon report: a forecast, backtest or analysis written only as its
 * HTML report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

const char hz__cmd_report_summary[] =
    "write the HTML report of a forecast, backtest or analysis";

int hz__cmd_forecast(int argc, char **argv);
int hz__cmd_backtest(int argc, char **argv);
int hz__cmd_analyze(int argc, char **argv);

static void help(FILE *f)
{
    fprintf(
        f,
        "usage: horizon report forecast FILE.csv [OPTIONS] -o REPORT.html\n"
        "       horizon report backtest FILE.csv [OPTIONS] -o REPORT.html\n"
        "       horizon report analyze KIND FILE.csv [OPTIONS] -o "
        "REPORT.html\n"
        "\n"
        "Runs the command with the same options (see 'horizon forecast\n"
        "--help' and the others) and writes only its report: one\n"
        "self-contained HTML file (inline SVG charts and CSS, no network,\n"
        "readable without JavaScript) with the numbers behind every chart.\n"
        "The same inputs and options give the same bytes.  The same report\n"
        "comes with the command's own output through its --report option;\n"
        "jobs store theirs ('horizon jobs report ID -o FILE.html').\n"
        "\n"
        "  -o, --output FILE.html the report (written whole or not at all)\n"
        "  -h, --help             show this help\n");
}

/* The value of -o/--output at argv[i] (and how many arguments it takes),
 * or NULL when argv[i] is another argument. */
static const char *output_at(int argc, char **argv, int i, int *used)
{
    const char *a = argv[i];
    *used = 1;
    if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
        *used = 2;
        return i + 1 < argc ? argv[i + 1] : "";
    }
    if (strncmp(a, "--output=", 9) == 0)
        return a + 9;
    if (strncmp(a, "-o", 2) == 0 && a[2] != '\0')
        return a + 2;
    return NULL;
}

/* Whether -h or --help is among argv[1..]: 'horizon report forecast
 * --help' asks for this help, not for a report. */
static int wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return 1;
    return 0;
}

int hz__cmd_report(int argc, char **argv)
{
    if (argc < 2 || wants_help(argc, argv)) {
        help(argc < 2 ? stderr : stdout);
        return argc < 2 ? HZ_EXIT_USAGE : HZ_EXIT_OK;
    }
    const char *sub = argv[1];
    int (*run)(int, char **) = strcmp(sub, "forecast") == 0 ? hz__cmd_forecast
                               : strcmp(sub, "backtest") == 0
                                   ? hz__cmd_backtest
                               : strcmp(sub, "analyze") == 0 ? hz__cmd_analyze
                                                             : NULL;
    if (run == NULL) {
        hz_cli_error("report",
                     "unknown command '%s' (expected forecast, backtest or "
                     "analyze)",
                     sub);
        return HZ_EXIT_USAGE;
    }
    /* argv[1..] without -o FILE, then the command's own --report FILE and
     * its data output sent nowhere */
    char **nargv = calloc((size_t)argc + 8, sizeof *nargv);
    if (nargv == NULL) {
        hz_cli_error("report", "out of memory");
        return HZ_EXIT_FAIL;
    }
    const char *out = NULL;
    int n = 0;
    for (int i = 1; i < argc;) {
        int used;
        const char *o = output_at(argc, argv, i, &used);
        if (strcmp(argv[i], "--report") == 0 ||
            strncmp(argv[i], "--report=", 9) == 0) {
            hz_cli_error("report", "use -o FILE.html for the report");
            free(nargv);
            return HZ_EXIT_USAGE;
        }
        if (strcmp(argv[i], "--json") == 0) {
            /* the command's output is not kept here: say so, rather than
             * ignore the option */
            hz_cli_error("report",
                         "--json: 'horizon report' writes the page only; for "
                         "the page and the JSON run 'horizon %s ... --json "
                         "--report FILE.html'",
                         sub);
            free(nargv);
            return HZ_EXIT_USAGE;
        }
        if (o != NULL && out != NULL) {
            /* the last one won without a word (a.html never written) */
            hz_cli_error("report",
                         "-o given twice ('%s', then '%s'): give it once",
                         out, o);
            free(nargv);
            return HZ_EXIT_USAGE;
        }
        if (o != NULL)
            out = o;
        else
            nargv[n++] = argv[i];
        i += used;
    }
    if (out == NULL || out[0] == '\0' || strcmp(out, "-") == 0) {
        hz_cli_error("report", "missing -o REPORT.html (a file)");
        free(nargv);
        return HZ_EXIT_USAGE;
    }
    nargv[n++] = "--report";
    nargv[n++] = (char *)out;
    nargv[n++] = "-o";
    nargv[n++] = "/dev/null";
    if (run == hz__cmd_forecast)
        nargv[n++] = "--quiet";
    if (run == hz__cmd_analyze)
        nargv[n++] = "--summary-only";
    nargv[n] = NULL;
    hz_cli_report_mode(true);
    int rc = run(n, nargv);
    hz_cli_report_mode(false);
    free(nargv);
    return rc;
}
