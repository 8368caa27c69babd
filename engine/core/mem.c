/* Large-array allocation.  See mem.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/mem.h"

#define HUGE_PAGE (2u << 20)

void *hz__alloc_large(size_t n)
{
    if (n < HUGE_PAGE / 2)
        return malloc(n ? n : 1);
    /* Whole huge pages only: a partly covered one falls back to 4 KB
     * pages.  The untouched tail costs address space, not memory. */
    n = (n + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    void *p = NULL;
    if (posix_memalign(&p, HUGE_PAGE, n) != 0)
        return NULL;
#ifdef MADV_HUGEPAGE
    madvise(p, n, MADV_HUGEPAGE);
#endif
    return p;
}

void *hz__calloc_large(size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size)
        return NULL;
    size_t len = n * size;
    if (len < HUGE_PAGE / 2)
        return calloc(len ? len : 1, 1);
    void *p = hz__alloc_large(len);
    if (p != NULL)
        memset(p, 0, len);
    return p;
}
