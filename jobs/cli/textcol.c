/* Columns of a text table on a terminal (horizon inspect, datasets
 * list, jobs list): a field's
 * width is counted in the terminal's columns, not in bytes, so that
 * names in UTF-8 (one column for é, two bytes; two for 日, three bytes)
 * line up, and a cut field is cut between characters.  See cli.h. */
#include <locale.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "cli/cli.h"

/* The next character of s at *i (UTF-8; a byte that starts none is one
 * character of its own, as a terminal shows it), *i moved past it. */
static uint32_t next_char(const char *s, size_t *i)
{
    const unsigned char *u = (const unsigned char *)s + *i;
    size_t n = u[0] < 0x80             ? 1
               : (u[0] & 0xE0) == 0xC0 ? 2
               : (u[0] & 0xF0) == 0xE0 ? 3
               : (u[0] & 0xF8) == 0xF0 ? 4
                                       : 0;
    if (n == 0) {
        (*i)++;
        return 0xFFFD;
    }
    uint32_t c = n == 1 ? u[0] : u[0] & (0x7F >> n);
    for (size_t k = 1; k < n; k++) {
        if ((u[k] & 0xC0) != 0x80) {
            (*i)++;
            return 0xFFFD;
        }
        c = c << 6 | (u[k] & 0x3F);
    }
    *i += n;
    return c;
}

/* The C library's character widths under C.UTF-8 (built into glibc
 * since 2.35), whatever the process's own locale: Unicode's
 * East_Asian_Width W and F, emoji, combining marks.  (locale_t)0 when
 * there is none. */
static locale_t utf8_locale;
static pthread_once_t utf8_once = PTHREAD_ONCE_INIT;

static void utf8_open(void)
{
    utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

/* Columns a character takes: 0 for combining marks, 2 for East Asian
 * wide and full-width characters and emoji, else 1: wcwidth under
 * C.UTF-8 (a hand table missed U+1F680 .. U+1F6FF, transport and map
 * symbols such as the rocket, and U+1FA70 .. U+1FAFF, counted one column
 * wide: a table with such names was misaligned).  A character it does
 * not know (a control, one not yet assigned) or without that locale:
 * the hand table (0 for combining marks, 2 in the blocks Unicode gives
 * wide, else 1). */
static size_t char_width(uint32_t c)
{
    if (utf8_locale != (locale_t)0 && c <= (uint32_t)WCHAR_MAX) {
        int w = wcwidth((wchar_t)c);
        if (w >= 0)
            return (size_t)w;
    }
    if ((c >= 0x0300 && c <= 0x036F) || (c >= 0x1AB0 && c <= 0x1AFF) ||
        (c >= 0x1DC0 && c <= 0x1DFF) || (c >= 0x20D0 && c <= 0x20FF) ||
        (c >= 0xFE20 && c <= 0xFE2F) || c == 0x200B || c == 0x200D)
        return 0;
    if ((c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0x303E) ||
        (c >= 0x3041 && c <= 0x33FF) || (c >= 0x3400 && c <= 0x4DBF) ||
        (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xA000 && c <= 0xA4CF) ||
        (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
        (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
        (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F) ||
        (c >= 0x1F680 && c <= 0x1F6FF) || (c >= 0x1F900 && c <= 0x1FAFF) ||
        (c >= 0x20000 && c <= 0x3FFFD))
        return 2;
    return 1;
}

/* The columns of the grapheme cluster at s[*i] as a terminal shows it,
 * *i moved past it: a character with what joins it, counted once (until
 * 2026-12-07 each character was counted: a family emoji, man ZWJ woman
 * ZWJ girl, took 6 columns for the 2 shown): after a zero width joiner
 * (U+200D) the next character joins when both are emoji (pictographic); a variation selector 16 (U+FE0F,
 * emoji presentation) makes a one-column symbol two (a red heart), not a
 * letter (emoji_base); skin
 * tone modifiers (U+1F3FB .. U+1F3FF), tags (U+E0020 .. U+E007F, as
 * England's flag) and combining marks join; two regional indicators
 * (U+1F1E6 .. U+1F1FF) are one flag of two columns.  A cut between
 * clusters never splits a character from what joins it. */
/* Extended_Pictographic (Unicode's emoji and the symbols before them),
 * near enough: the only characters a zero width joiner joins into one
 * (UAX #29, GB11: a woman ZWJ a laptop, a white flag ZWJ a rainbow);
 * between letters (Sinhala's sri, ZWJ after its virama) each letter
 * stays a character of its own. */
static bool pictographic(uint32_t c)
{
    return c == 0xA9 || c == 0xAE || c == 0x203C || c == 0x2049 ||
           (c >= 0x2100 && c <= 0x2BFF) || c == 0x3030 || c == 0x303D ||
           c == 0x3297 || c == 0x3299 || (c >= 0x1F000 && c <= 0x1FAFF);
}

/* A character that variation selector 16 (U+FE0F) shows as an emoji:
 * a pictographic one, or a keycap's base (0-9, #, *: 1 U+FE0F U+20E3). */
static bool emoji_base(uint32_t c)
{
    return pictographic(c) || (c >= '0' && c <= '9') || c == '#' || c == '*';
}

static size_t cluster_width(const char *s, size_t *i)
{
    const uint32_t c = next_char(s, i);
    size_t w = char_width(c);
    const bool pict = pictographic(c);
    const bool ri = c >= 0x1F1E6 && c <= 0x1F1FF;
    size_t j = *i;
    if (ri && s[j] != '\0') {
        const uint32_t n = next_char(s, &j);
        if (n >= 0x1F1E6 && n <= 0x1F1FF) {
            *i = j;
            return 2;
        }
        j = *i;
    }
    while (s[j] != '\0') {
        const uint32_t n = next_char(s, &j);
        if (n == 0x200D) {
            size_t k = j; /* the joined emoji; else the ZWJ alone */
            if (pict && s[k] != '\0' && pictographic(next_char(s, &k)))
                j = k;
        } else if (n == 0xFE0F) {
            /* emoji presentation of a symbol that has one (a heart, a
             * keycap's digit); after a letter it changes nothing (until
             * 2026-12-08 'A' with it took two columns) */
            w = w == 1 && emoji_base(c) ? 2 : w;
        } else if (!(n == 0xFE0E || (n >= 0x1F3FB && n <= 0x1F3FF) ||
                     (n >= 0xE0020 && n <= 0xE007F) || char_width(n) == 0)) {
            break;
        }
        *i = j;
    }
    return w;
}

/* The C.UTF-8 locale made this thread's, for char_width's wcwidth;
 * returns the thread's own for width_leave ((locale_t)0: unchanged). */
static locale_t width_enter(void)
{
    pthread_once(&utf8_once, utf8_open);
    return utf8_locale != (locale_t)0 ? uselocale(utf8_locale) : (locale_t)0;
}

static void width_leave(locale_t prev)
{
    if (prev != (locale_t)0)
        uselocale(prev);
}

size_t hz_cli_width(const char *s)
{
    size_t w = 0;
    locale_t prev = width_enter();
    for (size_t i = 0; s[i] != '\0';)
        w += cluster_width(s, &i);
    width_leave(prev);
    return w;
}

/* The bytes of s that fit in w columns and at most max bytes, cut
 * between characters; *used: the columns they take. */
static size_t fit(const char *s, size_t w, size_t max, size_t *used)
{
    size_t i = 0, u = 0;
    locale_t prev = width_enter();
    while (s[i] != '\0') {
        size_t at = i;
        size_t cw = cluster_width(s, &i);
        if (u + cw > w || i > max) {
            i = at;
            break;
        }
        u += cw;
    }
    width_leave(prev);
    *used = u;
    return i;
}

void hz_cli_put_cell(FILE *f, const char *s, size_t w, bool right)
{
    size_t used, n = fit(s, w, strlen(s), &used);
    if (right)
        fprintf(f, "%*s", (int)(w - used), "");
    fwrite(s, 1, n, f);
    if (!right)
        fprintf(f, "%*s", (int)(w - used), "");
}

const char *hz_cli_cell(const char *s, size_t width, bool pad, char *buf,
                        size_t bufsz)
{
    if (bufsz == 0)
        return buf;
    size_t cap = 4 * strlen(s) + 1;
    char *t = malloc(cap);
    const char *v = t != NULL ? hz_cli_term_line(s, t, cap) : "?";
    size_t used, n = fit(v, width, bufsz - 1, &used);
    memcpy(buf, v, n);
    while (pad && used < width && n + 1 < bufsz) {
        buf[n++] = ' ';
        used++;
    }
    buf[n] = '\0';
    free(t);
    return buf;
}
