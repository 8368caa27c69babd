/* Secrets taken out of text that is shown (see net/scrub.h). */
#include "net/scrub.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool b64url(char c)
{
    return isalnum((unsigned char)c) || c == '-' || c == '_';
}

/* The length of the JSON Web Token at s (0: none).  at_word: s starts a
 * word (not in the middle of a longer base64url run). */
static size_t jwt_at(const char *s, bool at_word)
{
    if (!at_word || strncmp(s, "eyJ", 3) != 0)
        return 0;
    size_t k = 3;
    while (b64url(s[k]) || s[k] == '.')
        k++;
    return k >= 16 ? k : 0;
}

void hz_scrub(char *s, size_t n, const char *secret)
{
    if (s == NULL || n == 0)
        return;
    size_t klen = secret != NULL ? strlen(secret) : 0;
    size_t len = strnlen(s, n - 1);
    char *out = malloc(n);
    if (out == NULL) { /* no copy: hide the whole text rather than show it */
        snprintf(s, n, "[redacted]");
        return;
    }
    static const char red[] = "[redacted]";
    size_t o = 0;
    for (size_t i = 0; i < len && o + 1 < n;) {
        size_t skip = 0;
        if (klen >= 4 && strncmp(s + i, secret, klen) == 0)
            skip = klen;
        else
            skip = jwt_at(s + i, i == 0 || (!b64url(s[i - 1]) && s[i - 1] != '.'));
        if (skip > 0) {
            for (size_t k = 0; red[k] && o + 1 < n; k++)
                out[o++] = red[k];
            i += skip;
        } else {
            out[o++] = s[i++];
        }
    }
    out[o] = '\0';
    memcpy(s, out, o + 1);
    free(out);
}
