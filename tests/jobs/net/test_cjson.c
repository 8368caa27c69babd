/* The shared cJSON accessors of jobs/net/cjson.h. */
#include <math.h>

#include "hz_test.h"
#include "net/cjson.h"

HZ_TEST(getters_check_types_and_accept_null)
{
    cJSON *o = cJSON_Parse("{\"s\":\"x\",\"n\":2.5,\"o\":{},\"a\":[1],"
                           "\"z\":null}");
    HZ_CHECK(o != NULL);
    HZ_CHECK_STR(hz__cjson_str(o, "s"), "x");
    HZ_CHECK(hz__cjson_str(o, "n") == NULL);
    HZ_CHECK(hz__cjson_str(o, "missing") == NULL);
    HZ_CHECK(hz__cjson_num(o, "n", -1) == 2.5);
    HZ_CHECK(hz__cjson_num(o, "s", -1) == -1);
    HZ_CHECK(isnan(hz__cjson_num(o, "z", NAN)));
    HZ_CHECK(hz__cjson_obj(o, "o") != NULL);
    HZ_CHECK(hz__cjson_obj(o, "a") != NULL);
    HZ_CHECK(hz__cjson_obj(o, "s") == NULL);
    HZ_CHECK(hz__cjson_str(NULL, "s") == NULL);
    HZ_CHECK(hz__cjson_num(NULL, "n", 7) == 7);
    HZ_CHECK(hz__cjson_obj(NULL, "o") == NULL);
    cJSON_Delete(o);
}

HZ_TEST(setters_replace_or_add)
{
    cJSON *o = cJSON_Parse("{\"s\":\"x\",\"n\":1}");
    HZ_CHECK(o != NULL);
    hz__cjson_set_str(o, "s", "y");
    hz__cjson_set_num(o, "n", 3);
    hz__cjson_set_str(o, "t", "new");
    hz__cjson_set(o, "u", NULL); /* a failed create: nothing happens */
    char *txt = cJSON_PrintUnformatted(o);
    HZ_CHECK_STR(txt, "{\"s\":\"y\",\"n\":3,\"t\":\"new\"}");
    cJSON_free(txt);
    cJSON_Delete(o);
}

HZ_TEST(non_finite_numbers_become_null)
{
    cJSON *a = cJSON_CreateArray();
    cJSON_AddItemToArray(a, hz__cjson_num_or_null(1.5));
    cJSON_AddItemToArray(a, hz__cjson_num_or_null(NAN));
    cJSON_AddItemToArray(a, hz__cjson_num_or_null(INFINITY));
    char *txt = cJSON_PrintUnformatted(a);
    HZ_CHECK_STR(txt, "[1.5,null,null]");
    cJSON_free(txt);
    cJSON_Delete(a);
}
