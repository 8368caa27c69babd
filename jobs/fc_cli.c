/* Option parsing shared by the forecasting commands. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fc_cli.h"

bool hz__fc_split_list(const char *s, char **store, const char **items,
                       size_t max, size_t *n)
{
    *n = 0;
    *store = strdup(s);
    if (*store == NULL)
        return false;
    char *save = NULL;
    for (char *t = strtok_r(*store, ",", &save); t != NULL;
         t = strtok_r(NULL, ",", &save)) {
        while (*t == ' ')
            t++;
        if (*t == '\0' || *n == max)
            return false;
        items[(*n)++] = t;
    }
    return *n > 0;
}

bool hz__fc_parse_levels(const char *cmd, const char *s, double *levels,
                         size_t *n)
{
    char *store;
    const char *it[HZ_FC_MAX_LEVELS];
    size_t k;
    if (!hz__fc_split_list(s, &store, it, HZ_FC_MAX_LEVELS, &k)) {
        free(store);
        hz_cli_error(cmd, "--level: expected up to %d comma-separated "
                     "percentages, got '%s'", HZ_FC_MAX_LEVELS, s);
        return false;
    }
    for (size_t i = 0; i < k; i++) {
        char *end;
        double v = strtod(it[i], &end);
        if (end == it[i] || *end != '\0' || !(v > 0 && v < 100)) {
            hz_cli_error(cmd, "--level: expected a percentage in (0, 100), "
                         "got '%s'", it[i]);
            free(store);
            return false;
        }
        levels[i] = v;
    }
    *n = k;
    free(store);
    return true;
}

int hz__fc_exit_code(hz_status s)
{
    switch (s) {
    case HZ_EINVAL:
    case HZ_ENOTFOUND:
    case HZ_ETYPE:
        return HZ_EXIT_USAGE;
    default:
        return hz_cli_exit_code(s);
    }
}
