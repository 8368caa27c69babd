/* Fast, exact "%.10g" formatting for the result writers.  See
 * analytics/analytics_internal.h. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analytics/analytics_internal.h"

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

/* The 10 significant digits of a > 0 and its decimal exponent, rounded
 * to nearest; false when the rounding could be a tie within the error of
 * the double arithmetic (the caller then uses snprintf). */
static bool digits10(double a, uint64_t *M, int *e)
{
    int e2;
    frexp(a, &e2); /* a in [2^(e2-1), 2^e2) */
    int ex = (int)floor((e2 - 1) * 0.30102999566398120);
    double m;
    for (int tries = 0; tries < 3; tries++) {
        if (!scale10(a, 9 - ex, &m))
            return false;
        if (m >= 1e10)
            ex++;
        else if (m < 1e9)
            ex--;
        else
            break;
    }
    if (!(m >= 1e9 && m < 1e10))
        return false;
    double fl = (double)(uint64_t)m, fr = m - fl;
    /* m carries at most about 1 ulp (1e10 * 2^-52 ~ 2e-6) of error */
    if (fabs(fr - 0.5) < 1e-5)
        return false;
    *M = (uint64_t)fl + (fr > 0.5);
    if (*M == 10000000000ull) {
        *M = 1000000000ull;
        ex++;
    }
    *e = ex;
    return true;
}

size_t hz__fmt_g10(double v, char *buf)
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
    if (a < 1e9 && a == (double)(uint64_t)a) {
        /* an integer: its digits (%.10g prints them all below 1e10) */
        char t[16];
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
    if (!digits10(a, &M, &e))
        return (size_t)snprintf(buf, 32, "%.10g", v);
    static const char pairs[] =
        "00010203040506070809101112131415161718192021222324"
        "25262728293031323334353637383940414243444546474849"
        "50515253545556575859606162636465666768697071727374"
        "75767778798081828384858687888990919293949596979899";
    char d[10];
    for (int i = 8; i >= 0; i -= 2) {
        const char *q = pairs + 2 * (M % 100);
        d[i] = q[0];
        d[i + 1] = q[1];
        M /= 100;
    }
    int nd = 10; /* significant digits left after stripping zeros */
    while (nd > 1 && d[nd - 1] == '0')
        nd--;
    if (e < -4 || e >= 10) {
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
