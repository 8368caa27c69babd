/* A test hook of job processes: how many times some bytes occur in the
 * process's own memory, every readable mapping of it (heap, stacks,
 * data, libraries), so that a test can tell whether a secret the job
 * process must not hold (the LLM's API key) is there.
 *
 * The bytes are given masked (each XORed with a mask byte) and compared
 * masked, so that looking for them does not itself put them in the
 * process's memory. */
#ifndef HZ_RUNNER_MEMSCAN_H
#define HZ_RUNNER_MEMSCAN_H

#include <stddef.h>

/* The mask of hz__memscan_count's needles. */
#define HZ_MEMSCAN_MASK 0x5a

/* The occurrences of the n bytes masked[i] ^ HZ_MEMSCAN_MASK in the
 * readable mappings of this process (read through /proc/self/mem), or
 * -1 when they cannot be read. */
long hz__memscan_count(const unsigned char *masked, size_t n);

/* Decode hex (2 digits a byte) into out (outsz bytes at most); the number
 * of bytes, or 0 when hex is empty, odd, too long or not hex. */
size_t hz__memscan_unhex(const char *hex, unsigned char *out, size_t outsz);

#endif
