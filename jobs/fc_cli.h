/* Option parsing shared by `horizon forecast` and `horizon backtest`. */
#ifndef HZ_FC_CLI_H
#define HZ_FC_CLI_H

#include <stdbool.h>

#include "horizon/forecast.h"

/* Split "a,b,c" into at most max pointers into a copy kept in *store
 * (free it); false on an empty item. */
bool hz__fc_split_list(const char *s, char **store, const char **items,
                       size_t max, size_t *n);
/* Parse "80,95" into levels; false with a message. */
bool hz__fc_parse_levels(const char *cmd, const char *s, double *levels,
                         size_t *n);
/* Exit code for a failed request (bad column/type/argument -> 2). */
int hz__fc_exit_code(hz_status s);

#endif
