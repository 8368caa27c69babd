/* Horizon: small random generators for non-statistical uses (retry
 * jitter, identifiers, ETags).  State is a caller-owned uint64_t that must
 * not be 0; nothing here is thread-safe or cryptographic.  The models'
 * seeded streams are internal to the engine. */
#ifndef HORIZON_RNG_H
#define HORIZON_RNG_H

#include <stdint.h>

#include "horizon/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Marsaglia's xorshift64 (shifts 13, 7, 17): advance *state, return it. */
HZ_API uint64_t hz_rng_xorshift64(uint64_t *state);

/* Vigna's xorshift64* (shifts 12, 25, 27, multiplier 0x2545F4914F6CDD1D):
 * advance *state and return the scrambled output. */
HZ_API uint64_t hz_rng_xorshift64star(uint64_t *state);

/* The top 53 bits of x as a double in [0, 1). */
HZ_API double hz_rng_unit(uint64_t x);

/* A non-zero seed from /dev/urandom; when that cannot be read, from the
 * clock, the process id and salt (any address; NULL allowed). */
HZ_API uint64_t hz_rng_entropy_seed(const void *salt);

#ifdef __cplusplus
}
#endif
#endif
