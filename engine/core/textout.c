/* CSV fields and JSON values.  See textout.h. */
#include <math.h>
#include <string.h>

#include "core/textout.h"
#include "horizon/outfile.h"

void hz__csv_field(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\n\r") == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

void hz__csv_num(FILE *f, double v)
{
    char b[32];
    size_t l = hz__fmt_g15(v, b);
    if (l > 0)
        fwrite(b, 1, l, f);
}

void hz__json_str(FILE *f, const char *s)
{
    fputc('"', f);
    size_t n = strlen(s);
    for (; *s; s++, n--) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x80) { /* valid UTF-8 as is; any other byte is U+FFFD */
            size_t k = hz_utf8_seq((const unsigned char *)s, n);
            if (k == 0) {
                fputs("\xEF\xBF\xBD", f);
                continue;
            }
            fwrite(s, 1, k, f);
            s += k - 1;
            n -= k - 1;
            continue;
        }
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c == '\t')
            fputs("\\t", f);
        else if (c == '\r')
            fputs("\\r", f);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

void hz__json_num(FILE *f, double v)
{
    char b[32];
    size_t l = hz__fmt_g15(v, b);
    if (l > 0)
        fwrite(b, 1, l, f);
    else
        fputs("null", f);
}
