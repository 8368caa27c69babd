/* Fast, exact "%.15g" formatting for the result writers.  See
 * core/textout.h.
 *
 * 15 significant digits, as R's write.csv: every decimal of up to 15
 * digits (an input value, a sum of money with its cents below 1e13)
 * reads back as the same double and prints as it was read, and computed
 * values keep more digits than any forecast or estimate has. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/textout.h"

#define NDIG 15

static const double pow10_tab[23] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* a * 10^k with one rounding (powers up to 1e22 are exact); false when
 * |k| is beyond the table. */
static bool scale10(double a, int k, double *out)
{
    if (k > 22 || k < -22)
        return false;
    *out = k >= 0 ? a * pow10_tab[k] : a / pow10_tab[-k];
    return true;
}

/* The 15 significant digits of a > 0 and its decimal exponent, rounded
 * to nearest; false when the rounding could be a tie within the error of
 * the one rounded scaling (the caller then uses snprintf). */
static bool digits15(double a, uint64_t *M, int *e)
{
    int e2;
    frexp(a, &e2); /* a in [2^(e2-1), 2^e2) */
    int ex = (int)floor((e2 - 1) * 0.30102999566398120);
    double m;
    for (int tries = 0; tries < 3; tries++) {
        if (!scale10(a, NDIG - 1 - ex, &m))
            return false;
        if (m >= 1e15)
            ex++;
        else if (m < 1e14)
            ex--;
        else
            break;
    }
    if (!(m >= 1e14 && m < 1e15))
        return false;
    /* m < 2^50: its one rounding is at most half its ulp, 2^-4 */
    double fl = floor(m), fr = m - fl;
    if (fabs(fr - 0.5) < 0.07)
        return false;
    *M = (uint64_t)fl + (fr > 0.5);
    if (*M == 1000000000000000ull) {
        *M = 100000000000000ull;
        ex++;
    }
    *e = ex;
    return true;
}

size_t hz__fmt_g15(double v, char *buf)
{
    if (!isfinite(v))
        return 0;
    char *p = buf;
    if (signbit(v))
        *p++ = '-';
    double a = fabs(v);
    if (a == 0) {
        *p++ = '0';
        *p = '\0';
        return (size_t)(p - buf);
    }
    if (a < 1e15 && a == (double)(uint64_t)a) {
        /* an integer: its digits (%.15g prints them all below 1e15) */
        char t[20];
        size_t l = 0;
        uint64_t u = (uint64_t)a;
        do {
            t[l++] = (char)('0' + u % 10);
            u /= 10;
        } while (u > 0);
        while (l > 0)
            *p++ = t[--l];
        *p = '\0';
        return (size_t)(p - buf);
    }
    uint64_t M;
    int e;
    if (!digits15(a, &M, &e))
        return (size_t)snprintf(buf, 32, "%.15g", v);
    char d[NDIG];
    for (int i = NDIG - 1; i >= 0; i--) {
        d[i] = (char)('0' + M % 10);
        M /= 10;
    }
    int nd = NDIG; /* significant digits left after stripping zeros */
    while (nd > 1 && d[nd - 1] == '0')
        nd--;
    if (e < -4 || e >= NDIG) {
        *p++ = d[0];
        if (nd > 1) {
            *p++ = '.';
            memcpy(p, d + 1, (size_t)nd - 1);
            p += nd - 1;
        }
        int ae = e < 0 ? -e : e;
        *p++ = 'e';
        *p++ = e < 0 ? '-' : '+';
        if (ae >= 100)
            *p++ = (char)('0' + ae / 100);
        *p++ = (char)('0' + ae / 10 % 10);
        *p++ = (char)('0' + ae % 10);
    } else if (e >= 0) {
        int ip = e + 1; /* integer digits */
        memcpy(p, d, (size_t)ip);
        p += ip;
        if (nd > ip) {
            *p++ = '.';
            memcpy(p, d + ip, (size_t)(nd - ip));
            p += nd - ip;
        }
    } else {
        *p++ = '0';
        *p++ = '.';
        for (int z = 0; z < -e - 1; z++)
            *p++ = '0';
        memcpy(p, d, (size_t)nd);
        p += nd;
    }
    *p = '\0';
    return (size_t)(p - buf);
}
