/* Small helpers shared by the benchmark programs. */
#ifndef HZ_BENCH_UTIL_H
#define HZ_BENCH_UTIL_H

#include <stdio.h>
#include <stdlib.h>

/* realloc that ends the benchmark with a message when memory runs out (a
 * benchmark has nothing sensible to fall back on). */
static inline void *bench_realloc(void *p, size_t n)
{
    void *q = realloc(p, n);
    if (q == NULL && n > 0) {
        fprintf(stderr, "bench: out of memory (%zu bytes)\n", n);
        exit(1);
    }
    return q;
}

#endif
