/* Text as a reader may see it.  See include/horizon/outfile.h. */
#include <stdio.h>
#include <string.h>

#include "horizon/outfile.h"

unsigned hz_utf8_hidden(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    if (n >= 2 && p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)
        return p[1]; /* C1 controls */
    if (n >= 3 && p[0] == 0xE2 &&
        ((p[1] == 0x80 && p[2] >= 0xAA && p[2] <= 0xAE) ||
         (p[1] == 0x81 && p[2] >= 0xA6 && p[2] <= 0xA9)))
        return 0x2000u | (p[1] & 0x3Fu) << 6 | (p[2] & 0x3Fu);
    return 0;
}

const char *hz_text_visible(const char *s, char *out, size_t n, bool newline)
{
    if (n == 0)
        return out;
    size_t o = 0, left = strlen(s);
    for (const char *p = s; *p;) {
        unsigned char c = (unsigned char)*p;
        unsigned cp;
        char t[12];
        size_t tn, k; /* bytes written, bytes of s taken */
        if ((c < 0x20 && (c != '\n' || !newline) && c != '\t') || c == 0x7F) {
            t[0] = '^', t[1] = c == 0x7F ? '?' : (char)(c + 0x40);
            tn = 2, k = 1;
        } else if (c < 0x80) {
            t[0] = (char)c;
            tn = 1, k = 1;
        } else if ((cp = hz_utf8_hidden(p, left)) != 0) {
            tn = (size_t)snprintf(t, sizeof t, "[U+%04X]", cp);
            k = cp < 0x100 ? 2 : 3;
        } else if ((k = hz_utf8_seq((const unsigned char *)p, left)) > 0) {
            memcpy(t, p, k);
            tn = k;
        } else {
            memcpy(t, "\xEF\xBF\xBD", 4); /* U+FFFD */
            tn = 3, k = 1;
        }
        if (o + tn >= n)
            break;
        memcpy(out + o, t, tn);
        o += tn;
        p += k;
        left -= k;
    }
    out[o] = '\0';
    return out;
}
