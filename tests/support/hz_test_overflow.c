/* A test program that registers more tests than the runner's table holds
 * (tests/cli/test_runner.sh checks that the runner refuses to run it). */
#include "hz_test.h"

static void nothing(void)
{
}

__attribute__((constructor)) static void register_many(void)
{
    for (int i = 0; i < 600; i++)
        hz_test_register("many", nothing);
}
