/* What every fuzz target shares (tests/fuzz).
 *
 * A target defines LLVMFuzzerTestOneInput (and may define
 * LLVMFuzzerInitialize).  Built with libFuzzer (`make fuzz`, CMake option
 * HZ_FUZZ with clang) it is a fuzzer; built otherwise it is linked with
 * replay_main.c and runs its committed corpus once (ctest fuzz_replay_*),
 * so every input ever saved there stays a regression test.
 *
 * A finding is an abort with a message on stderr: a crash, a sanitizer
 * report, or a property that did not hold (FUZZ_CHECK). */
#ifndef HZ_FUZZ_H
#define HZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_CHECK(cond, ...)                                                 \
    do {                                                                      \
        if (!(cond)) {                                                        \
            fprintf(stderr, "%s:%d: property failed: %s\n  ", __FILE__,       \
                    __LINE__, #cond);                                         \
            fprintf(stderr, __VA_ARGS__);                                     \
            fputc('\n', stderr);                                              \
            abort();                                                          \
        }                                                                     \
    } while (0)

#endif
