/* The engine's seeded random streams (numeric/rng.h) and the small
 * public generators of horizon/rng.h. */
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "horizon/rng.h"
#include "numeric/rng.h"

void hz__rng_seed(hz__rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = hz__rng_splitmix64(&x);
    r->have = 0;
    r->spare = 0.0;
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t hz__rng_next(hz__rng *r)
{
    uint64_t *s = r->s;
    uint64_t res = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return res;
}

double hz__rng_uniform(hz__rng *r)
{
    return ((double)(hz__rng_next(r) >> 11) + 0.5) * 0x1.0p-53;
}

double hz__rng_normal(hz__rng *r)
{
    if (r->have) {
        r->have = 0;
        return r->spare;
    }
    double u, v, s;
    do {
        u = 2.0 * hz__rng_uniform(r) - 1.0;
        v = 2.0 * hz__rng_uniform(r) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    double f = sqrt(-2.0 * log(s) / s);
    r->spare = v * f;
    r->have = 1;
    return u * f;
}

/* ---- public: horizon/rng.h ---- */

uint64_t hz_rng_xorshift64(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *s = x;
    return x;
}

uint64_t hz_rng_xorshift64star(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1DULL;
}

double hz_rng_unit(uint64_t x)
{
    return (double)(x >> 11) * 0x1.0p-53;
}

uint64_t hz_rng_entropy_seed(const void *salt)
{
    uint64_t seed = 0;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || read(fd, &seed, sizeof seed) != (ssize_t)sizeof seed) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t x = ((uint64_t)ts.tv_sec << 30) ^ (uint64_t)ts.tv_nsec ^
                     ((uint64_t)getpid() << 40) ^ (uint64_t)(uintptr_t)salt;
        seed = hz__rng_splitmix64(&x);
    }
    if (fd >= 0)
        close(fd);
    return seed | 1; /* xorshift states must not be 0 */
}
