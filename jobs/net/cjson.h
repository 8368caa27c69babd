/* jobs/net: the cJSON accessors every part of jobs/ shares (documents,
 * parameters, HTTP bodies).  All accept a NULL or non-object o. */
#ifndef HZ_NET_CJSON_H
#define HZ_NET_CJSON_H

#include <cjson/cJSON.h>

/* The string member key of o, or NULL when absent or not a string. */
const char *hz__cjson_str(const cJSON *o, const char *key);

/* The number member key of o, or dflt when absent or not a number. */
double hz__cjson_num(const cJSON *o, const char *key, double dflt);

/* The object or array member key of o, or NULL. */
const cJSON *hz__cjson_obj(const cJSON *o, const char *key);

/* A number item, or a null item when v is NaN or infinite (JSON has no
 * such numbers); NULL when memory runs out. */
cJSON *hz__cjson_num_or_null(double v);
/* hz__cjson_num_or_null of v rounded to 15 significant digits, which
 * cJSON then prints as such (it prints 17 where 15 do not read back
 * exactly: 0.26299556396765833 beside the 0.262995563967658 of %.15g). */
cJSON *hz__cjson_num15_or_null(double v);

/* Set member key of o to item, replacing any member of that name; o takes
 * item.  Does nothing when item is NULL (a failed cJSON_Create...). */
void hz__cjson_set(cJSON *o, const char *key, cJSON *item);
/* hz__cjson_set with a new string or number item. */
void hz__cjson_set_str(cJSON *o, const char *key, const char *value);
void hz__cjson_set_num(cJSON *o, const char *key, double value);

#endif
