/* A job process's scan of its own memory (a test hook; see memscan.h). */
#include <ctype.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner/memscan.h"

size_t hz__memscan_unhex(const char *hex, unsigned char *out, size_t outsz)
{
    size_t len = strlen(hex);
    if (len == 0 || len % 2 != 0 || len / 2 > outsz)
        return 0;
    for (size_t i = 0; i < len / 2; i++) {
        unsigned v = 0;
        for (int k = 0; k < 2; k++) {
            int c = tolower((unsigned char)hex[2 * i + (size_t)k]);
            if (!isxdigit(c))
                return 0;
            v = v * 16 + (unsigned)(isdigit(c) ? c - '0' : c - 'a' + 10);
        }
        out[i] = (unsigned char)v;
    }
    return len / 2;
}

/* Occurrences of the masked needle in buf[0..len). */
static long count_in(const unsigned char *buf, size_t len,
                     const unsigned char *masked, size_t n)
{
    long hits = 0;
    for (size_t i = 0; i + n <= len; i++) {
        size_t k = 0;
        while (k < n && (unsigned char)(buf[i + k] ^ HZ_MEMSCAN_MASK) ==
                            masked[k])
            k++;
        hits += k == n;
    }
    return hits;
}

long hz__memscan_count(const unsigned char *masked, size_t n)
{
    FILE *maps = fopen("/proc/self/maps", "re");
    int mem = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
    /* chunks overlap by n - 1 bytes: a needle across two is found once */
    size_t chunk = 1 << 20;
    unsigned char *buf = n > 0 ? malloc(chunk + n) : NULL;
    long hits = maps != NULL && mem >= 0 && buf != NULL ? 0 : -1;
    char line[512];
    while (hits >= 0 && fgets(line, sizeof line, maps) != NULL) {
        /* "LO-HI PERMS ..." */
        char *end;
        uintmax_t lo = strtoumax(line, &end, 16);
        uintmax_t hi = *end == '-' ? strtoumax(end + 1, &end, 16) : 0;
        if (hi <= lo || *end != ' ' || end[1] != 'r' ||
            strstr(line, "[vvar") != NULL)
            continue;
        size_t carry = 0; /* bytes kept from the previous chunk */
        for (uintmax_t at = lo; at < hi;) {
            size_t want = hi - at < chunk ? (size_t)(hi - at) : chunk;
            ssize_t got = pread(mem, buf + carry, want, (off_t)at);
            if (got <= 0)
                break; /* a mapping that cannot be read (a guard page) */
            size_t len = carry + (size_t)got;
            hits += count_in(buf, len, masked, n);
            carry = len >= n ? n - 1 : len;
            memmove(buf, buf + len - carry, carry);
            at += (uintmax_t)got;
        }
    }
    free(buf);
    if (mem >= 0)
        close(mem);
    if (maps != NULL)
        fclose(maps);
    return hits;
}
