/* The report writer's text buffer.  See buf.h. */
#include "report/buf.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "horizon/outfile.h"

void hz__buf_free(hz__buf *b)
{
    if (b == NULL)
        return;
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
}

hz_status hz__buf_status(const hz__buf *b, hz_error *err)
{
    if (b->oom)
        return hz_error_set(err, HZ_ENOMEM,
                            "out of memory while writing the report");
    return HZ_OK;
}

/* Make room for n more bytes and the NUL; false (and oom) on failure. */
static bool reserve(hz__buf *b, size_t n)
{
    if (b->oom)
        return false;
    if (b->len + n + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n + 1) {
        if (cap > SIZE_MAX / 2) {
            b->oom = true;
            return false;
        }
        cap *= 2;
    }
    char *s = realloc(b->s, cap);
    if (s == NULL) {
        b->oom = true;
        return false;
    }
    b->s = s;
    b->cap = cap;
    return true;
}

void hz__buf_put(hz__buf *b, const char *s, size_t n)
{
    if (!reserve(b, n))
        return;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void hz__buf_puts(hz__buf *b, const char *s)
{
    hz__buf_put(b, s, strlen(s));
}

void hz__buf_putc(hz__buf *b, char c)
{
    hz__buf_put(b, &c, 1);
}

void hz__buf_printf(hz__buf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = true;
        return;
    }
    if ((size_t)n < sizeof tmp) {
        hz__buf_put(b, tmp, (size_t)n);
        return;
    }
    if (!reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* Length of the valid UTF-8 sequence at s (1-4), 0 when invalid. */
static size_t utf8_len(const unsigned char *s)
{
    unsigned char c = s[0];
    size_t n;
    unsigned min;
    unsigned cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2, min = 0x80, cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3, min = 0x800, cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4, min = 0x10000, cp = c & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) ||
        cp == 0xFFFE || cp == 0xFFFF)
        return 0;
    return n;
}

void hz__buf_esc(hz__buf *b, const char *s)
{
    if (s == NULL)
        return;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        const unsigned char *run = p;
        while (*p >= 0x20 && *p < 0x7F && *p != '&' && *p != '<' &&
               *p != '>' && *p != '"' && *p != '\'')
            p++;
        hz__buf_put(b, (const char *)run, (size_t)(p - run));
        if (*p == '\0')
            break;
        size_t n;
        unsigned hid;
        switch (*p) {
        case '&':
            hz__buf_puts(b, "&amp;");
            p++;
            break;
        case '<':
            hz__buf_puts(b, "&lt;");
            p++;
            break;
        case '>':
            hz__buf_puts(b, "&gt;");
            p++;
            break;
        case '"':
            hz__buf_puts(b, "&quot;");
            p++;
            break;
        case '\'':
            hz__buf_puts(b, "&#39;");
            p++;
            break;
        case '\t':
        case '\n': hz__buf_putc(b, (char)*p++); break;
        default:
            if (*p < 0x20 || *p == 0x7F) {
                /* other control characters are not XML (DEL shows as
                 * nothing): their Control Pictures (U+2400 + c, U+2421),
                 * so that names differing only in them still differ */
                unsigned cp = *p == 0x7F ? 0x2421u : 0x2400u + *p;
                char pic[3] = {(char)(0xE0 | (cp >> 12)),
                               (char)(0x80 | ((cp >> 6) & 0x3F)),
                               (char)(0x80 | (cp & 0x3F))};
                hz__buf_put(b, pic, 3);
                p++;
            } else if ((hid = hz_utf8_hidden((const char *)p,
                                             strnlen((const char *)p, 3))) !=
                       0) {
                /* bidi embeddings, overrides and isolates, C1 controls
                 * shown as what they are (hz_utf8_hidden): a name's
                 * right-to-left override left open reversed the rest of
                 * its sentence ("next 12 months: total 1.68K" read "K86.1
                 * latot :shtnom 21 txen"); right-to-left text itself is
                 * kept */
                hz__buf_printf(b, "[U+%04X]", hid);
                p += hid < 0x100 ? 2 : 3;
            } else if ((n = utf8_len(p)) > 0) {
                hz__buf_put(b, (const char *)p, n);
                p += n;
            } else {
                hz__buf_puts(b, "\xEF\xBF\xBD"); /* U+FFFD */
                p++;
            }
        }
    }
}

void hz__buf_px(hz__buf *b, double v)
{
    char tmp[32];
    long t = isfinite(v) && fabs(v) < 1e12 ? lround(v * 10) : 0;
    char *e = tmp + sizeof tmp;
    char *q = e;
    unsigned long u = (unsigned long)(t < 0 ? -t : t);
    unsigned long frac = u % 10;
    u /= 10;
    if (frac) {
        *--q = (char)('0' + frac);
        *--q = '.';
    }
    do {
        *--q = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (t < 0)
        *--q = '-';
    hz__buf_put(b, q, (size_t)(e - q));
}

/* Insert thousands separators into the integer part of a plain decimal
 * number in src (no exponent). */
static void group_thousands(const char *src, char *buf, size_t bufsz)
{
    const char *digits = src + (src[0] == '-');
    size_t nint = strcspn(digits, ".");
    size_t o = 0;
    if (src[0] == '-' && o + 1 < bufsz)
        buf[o++] = '-';
    for (size_t i = 0; i < nint && o + 2 < bufsz; i++) {
        if (i > 0 && (nint - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    for (const char *r = digits + nint; *r && o + 1 < bufsz; r++)
        buf[o++] = *r;
    buf[o] = '\0';
}

char *hz__fmt_value(double v, int sig, char *buf, size_t bufsz)
{
    if (!isfinite(v)) {
        snprintf(buf, bufsz, "%s", isnan(v) ? "" : v > 0 ? "inf" : "-inf");
        return buf;
    }
    double a = fabs(v);
    if (a >= 1e15 || (a > 0 && a < 1e-4)) {
        snprintf(buf, bufsz, "%.*g", sig, v);
        return buf;
    }
    /* decimals so that `sig` significant digits show, none for large
     * values */
    int mag = a > 0 ? (int)floor(log10(a)) : 0;
    int dec = sig - 1 - mag;
    if (dec < 0)
        dec = 0;
    if (dec > 12)
        dec = 12;
    char plain[64];
    snprintf(plain, sizeof plain, "%.*f", dec, v);
    /* trim trailing zeros of the fraction */
    char *dot = strchr(plain, '.');
    if (dot != NULL) {
        char *end = plain + strlen(plain);
        while (end > dot + 1 && end[-1] == '0')
            *--end = '\0';
        if (end == dot + 1)
            *dot = '\0';
    }
    if (strcmp(plain, "-0") == 0)
        snprintf(plain, sizeof plain, "0");
    group_thousands(plain, buf, bufsz);
    return buf;
}

char *hz__fmt_pct_whole(double p, char *buf, size_t bufsz)
{
    const double r = round(p * 100.0); /* half away from zero */
    if (!isfinite(p))
        snprintf(buf, bufsz, "%s", "");
    else if (p <= 0 || p >= 1)
        snprintf(buf, bufsz, "%s", p <= 0 ? "0" : "100");
    else if (r < 1 || r > 99)
        snprintf(buf, bufsz, "%s", r < 1 ? "<1" : ">99");
    else
        snprintf(buf, bufsz, "%.0f", r);
    return buf;
}

char *hz__fmt_sci(double v, int decimals, char *buf, size_t bufsz)
{
    char tmp[48];
    snprintf(tmp, sizeof tmp, "%.*e", decimals, v);
    char *e = strchr(tmp, 'e'), *m = e;
    if (e != NULL && strchr(tmp, '.') != NULL) {
        while (m[-1] == '0')
            m--;
        if (m[-1] == '.')
            m--;
        memmove(m, e, strlen(e) + 1);
    }
    snprintf(buf, bufsz, "%s", tmp);
    return buf;
}

bool hz__cells_sci(double big, double small)
{
    return big >= 1e15 || (small > 0 && small < 1e-6);
}

char *hz__fmt_cell(double v, bool sci, char *buf, size_t bufsz)
{
    if (!isfinite(v)) {
        snprintf(buf, bufsz, "%s", isnan(v) ? "" : v > 0 ? "inf" : "-inf");
        return buf;
    }
    double a = fabs(v);
    if (a == 0) {
        snprintf(buf, bufsz, "0");
        return buf;
    }
    if (sci || a >= 1e15) /* "%.6g" always in e-notation */
        return hz__fmt_sci(v, 5, buf, bufsz);
    if (a >= 1e6) { /* every integer digit */
        snprintf(buf, bufsz, "%.0f", v);
        return buf;
    }
    /* 6 significant digits in plain decimals, as %.6g from 1e-5 up, and
     * below it too ("0.0000011", not "1.1e-06") */
    int dec = 5 - (int)floor(log10(a));
    if (dec < 0)
        dec = 0;
    snprintf(buf, bufsz, "%.*f", dec, v);
    char *dot = strchr(buf, '.');
    if (dot != NULL) {
        char *end = buf + strlen(buf);
        while (end > dot + 1 && end[-1] == '0')
            *--end = '\0';
        if (end == dot + 1)
            *dot = '\0';
    }
    if (strcmp(buf, "-0") == 0)
        snprintf(buf, bufsz, "0");
    return buf;
}
