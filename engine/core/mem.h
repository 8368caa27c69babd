/* Internal memory helpers shared by engine/ files. */
#ifndef HZ_ENGINE_MEM_H
#define HZ_ENGINE_MEM_H

#include <stddef.h>

/* Allocate n bytes for a large array that is about to be filled.  Arrays
 * of several MB are 2 MB-aligned and advised for transparent huge pages:
 * on virtual machines a first-touch page fault costs microseconds, and
 * huge pages cut their number 512-fold.  Free with free(). */
void *hz__alloc_large(size_t n);

/* hz__alloc_large of n * size zeroed bytes (NULL on overflow). */
void *hz__calloc_large(size_t n, size_t size);

#endif
