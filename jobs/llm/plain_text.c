/* Markdown out of a model's narrative.  See plain_text.h. */
#include "llm/plain_text.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static bool word(char c)
{
    return isalnum((unsigned char)c) || (unsigned char)c >= 0x80;
}

/* Whether [a, e) holds only spaces and at least three of one of - * _
 * (a thematic break). */
static bool rule_line(const char *a, const char *e)
{
    char m = 0;
    int n = 0;
    for (const char *p = a; p < e; p++) {
        if (*p == ' ' || *p == '\t')
            continue;
        if ((*p != '-' && *p != '*' && *p != '_') || (m && *p != m))
            return false;
        m = *p;
        n++;
    }
    return n >= 3;
}

/* Whether [a, e) is a table's separator row ("|---|:--:|"). */
static bool table_rule(const char *a, const char *e)
{
    bool dash = false;
    for (const char *p = a; p < e; p++) {
        if (*p == '-')
            dash = true;
        else if (*p != '|' && *p != ':' && *p != ' ' && *p != '\t')
            return false;
    }
    return dash;
}

/* The closing run of n delimiters c after i on the line [.., e): a run of
 * exactly n, after text that does not end with a space, not deleted;
 * NULL when none. */
static char *closing(char *i, char *e, char c, int n, const bool *del,
                     const char *s, bool single)
{
    for (char *j = i; j + n <= e; j++) {
        if (*j != c || del[j - s])
            continue;
        int run = 0;
        while (j + run < e && j[run] == c)
            run++;
        if (run == n && j[-1] != ' ' && j[-1] != '\t' &&
            (!single || j + n >= e || !word(j[n])))
            return j;
        j += run - 1;
    }
    return NULL;
}

/* Marks in del the inline delimiters of the line [a, e). */
static void inline_marks(char *s, char *a, char *e, bool *del)
{
    for (char *p = a; p < e; p++) {
        if (del[p - s])
            continue;
        char c = *p;
        if (c == '\\' && p + 1 < e && ispunct((unsigned char)p[1])) {
            /* an escape ("\*", "\_", "\#"): the character itself,
             * never a delimiter */
            del[p - s] = true;
            p++;
            continue;
        }
        if (c == '`') { /* a code span: its text is left as it is */
            int n = 0;
            while (p + n < e && p[n] == '`')
                n++;
            char *q = closing(p + n, e, '`', n, del, s, false);
            if (q == NULL) {
                p += n - 1;
                continue;
            }
            memset(del + (p - s), 1, (size_t)n);
            memset(del + (q - s), 1, (size_t)n);
            p = q + n - 1;
            continue;
        }
        if (c == '[') { /* [text](url) -> text (url) */
            char *b = memchr(p, ']', (size_t)(e - p));
            char *r = b != NULL && b + 1 < e && b[1] == '('
                          ? memchr(b, ')', (size_t)(e - b))
                          : NULL;
            if (r != NULL && b > p + 1) {
                del[p - s] = true;
                *b = ' ';
            }
            continue;
        }
        if (c != '*' && c != '_')
            continue;
        int n = 0;
        while (p + n < e && p[n] == c && n < 3)
            n++;
        bool before = p > a && word(p[-1]);
        /* "__" and "_" are part of names (sales__total, a_b_c) unless
         * set apart; a single "*" too ("A*B*C") */
        if (p + n >= e || p[n] == ' ' || p[n] == '\t' ||
            ((c == '_' || n == 1) && before)) {
            p += n - 1;
            continue;
        }
        if (c == '_' && n == 1) /* _emphasis_ is left: too often a name */
            continue;
        /* "**x**", "*x*", "***x***" (strong and emphasis at once) */
        char *q = closing(p + n, e, c, n, del, s, n == 1 || c == '_');
        if (q != NULL) {
            memset(del + (p - s), 1, (size_t)n);
            memset(del + (q - s), 1, (size_t)n);
        }
        p += n - 1;
    }
}

/* Marks in del the block markers of the line [a, e) (its newline at e)
 * and its inline delimiters. */
static void line_marks(char *s, char *a, char *e, bool *del)
{
    char *p = a;
    while (p < e && (*p == ' ' || *p == '\t'))
        p++;
    if (rule_line(p, e)) {
        memset(del + (a - s), 1, (size_t)(e - a));
        return;
    }
    if (*p == '|' && table_rule(p, e)) { /* the line and its newline */
        memset(del + (a - s), 1, (size_t)(e - a) + (*e == '\n'));
        return;
    }
    /* quotes: "> text", ">> text"; not ">5% of customers" nor ">= 3",
     * which are comparisons (taking the ">" changes the number) */
    while (p < e && *p == '>' &&
           (p + 1 == e || p[1] == ' ' || p[1] == '\t' || p[1] == '>')) {
        del[p - s] = true;
        p++;
        if (p < e && *p == ' ')
            del[p++ - s] = true;
    }
    int h = 0;
    while (p + h < e && p[h] == '#' && h < 7)
        h++;
    if (h >= 1 && h <= 6 && (p + h == e || p[h] == ' ' || p[h] == '\t')) {
        memset(del + (p - s), 1, (size_t)h);
        p += h;
        while (p < e && (*p == ' ' || *p == '\t'))
            del[p++ - s] = true;
        char *t = e; /* a closing sequence: "## Title ##" */
        while (t > p && (t[-1] == ' ' || t[-1] == '\t'))
            t--;
        char *u = t;
        while (u > p && u[-1] == '#')
            u--;
        if (u < t && (u == p || u[-1] == ' ' || u[-1] == '\t'))
            memset(del + (u - s), 1, (size_t)(e - u));
    } else if ((*p == '*' || *p == '+') && p + 1 < e &&
               (p[1] == ' ' || p[1] == '\t')) {
        *p = '-'; /* the plain-text bullet */
        p += 2;
    } else if (*p == '|') { /* a table row: its outer bars */
        del[p - s] = true;
        char *t = e;
        while (t > p + 1 && (t[-1] == ' ' || t[-1] == '\t'))
            t--;
        if (t > p + 1 && t[-1] == '|')
            del[t - 1 - s] = true;
        p++;
        while (p < e && (*p == ' ' || *p == '\t'))
            del[p++ - s] = true;
    }
    inline_marks(s, p, e, del);
}

char *hz_plain_text(char *s)
{
    if (s == NULL)
        return s;
    size_t len = strlen(s);
    bool *del = calloc(len + 1, sizeof *del);
    if (del == NULL)
        return s; /* left as it came: escaped wherever it is shown */
    for (char *a = s; *a;) {
        char *e = strchr(a, '\n');
        if (e == NULL)
            e = s + len;
        line_marks(s, a, e, del);
        a = *e ? e + 1 : e;
    }
    /* compact; at most one blank line in a row; no spaces at the ends */
    size_t o = 0;
    int nl = 0;
    for (size_t i = 0; i < len; i++) {
        if (del[i] || (o == 0 && (s[i] == ' ' || s[i] == '\t')))
            continue;
        if (s[i] == '\n') {
            while (o > 0 && (s[o - 1] == ' ' || s[o - 1] == '\t'))
                o--;
            if (o == 0 || ++nl > 2)
                continue;
        } else if (s[i] != ' ' && s[i] != '\t') {
            nl = 0;
        }
        s[o++] = s[i];
    }
    while (o > 0 && (s[o - 1] == '\n' || s[o - 1] == ' ' || s[o - 1] == '\t'))
        o--;
    s[o] = '\0';
    free(del);
    return s;
}
