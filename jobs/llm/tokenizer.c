/* Exact tiktoken BPE (cl100k_base, o200k_base) and the conservative
 * estimate.  See tokenizer.h. */
#define PCRE2_CODE_UNIT_WIDTH 8

#include "llm/tokenizer.h"

#include <errno.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The split patterns, exactly as js-tiktoken 1.0.21 ships them (tiktoken's
 * (?i:'s|...) is written out case by case). */
#define HZ_CONTRACTIONS                                                       \
    "'s|'S|'t|'T|'re|'rE|'Re|'RE|'ve|'vE|'Ve|'VE|'m|'M|'ll|'lL|'Ll|'LL|"      \
    "'d|'D"

static const char pat_cl100k[] =
    "(" HZ_CONTRACTIONS ")|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}|"
    " ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

static const char pat_o200k[] =
    "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*"
    "[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(" HZ_CONTRACTIONS ")?|"
    "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+"
    "[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(" HZ_CONTRACTIONS ")?|"
    "\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|"
    "\\s+(?!\\S)|\\s+";

typedef struct entry {
    uint32_t off; /* into bytes */
    uint32_t len;
    uint32_t rank;
} entry;

struct hz_tokenizer {
    char name[32];
    pcre2_code *re;
    unsigned char *bytes; /* all token byte strings */
    size_t nbytes, capbytes;
    entry *ent;
    size_t nent, capent;
    uint32_t *slot; /* open addressing: index+1 into ent, 0 empty */
    size_t nslot;   /* power of two */
};

size_t hz_token_estimate(const char *text, size_t len)
{
    size_t a = 0, p = 0, u = 0, d = 0, run = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c >= '0' && c <= '9') {
            run++;
            continue;
        }
        d += (run + 2) / 3;
        run = 0;
        if (c >= 0x80)
            u++;
        else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                 /* a space that starts a word joins its token */
                 (c == ' ' && i + 1 < len &&
                  (((unsigned char)text[i + 1] | 0x20) >= 'a' &&
                   ((unsigned char)text[i + 1] | 0x20) <= 'z')))
            a++;
        else
            p++;
    }
    d += (run + 2) / 3;
    return (a + 2) / 3 + d + p + u;
}

const char *hz_tokenizer_name(const hz_tokenizer *t)
{
    return t == NULL ? "estimate" : t->name;
}

static uint64_t hash_bytes(const unsigned char *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h ^ (h >> 29);
}

/* Rank of p[0..n), or UINT32_MAX when it is not a token. */
static uint32_t rank_of(const hz_tokenizer *t, const unsigned char *p,
                        size_t n)
{
    size_t mask = t->nslot - 1;
    size_t i = (size_t)hash_bytes(p, n) & mask;
    for (;;) {
        uint32_t s = t->slot[i];
        if (s == 0)
            return UINT32_MAX;
        const entry *e = &t->ent[s - 1];
        if (e->len == n && memcmp(t->bytes + e->off, p, n) == 0)
            return e->rank;
        i = (i + 1) & mask;
    }
}

void hz_tokenizer_free(hz_tokenizer *t)
{
    if (t == NULL)
        return;
    pcre2_code_free(t->re);
    free(t->bytes);
    free(t->ent);
    free(t->slot);
    free(t);
}

static int b64val(int c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Decode base64 s[0..n) into out (capacity >= n); returns length or -1. */
static long b64decode(const char *s, size_t n, unsigned char *out)
{
    unsigned acc = 0;
    int bits = 0;
    long len = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '=')
            break;
        int v = b64val((unsigned char)s[i]);
        if (v < 0)
            return -1;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[len++] = (unsigned char)((acc >> bits) & 0xff);
        }
    }
    return len;
}

static hz_status add_token(hz_tokenizer *t, const unsigned char *p, size_t n,
                           uint32_t rank)
{
    if (t->nbytes + n > t->capbytes) {
        size_t cap = t->capbytes ? t->capbytes * 2 : 1 << 20;
        while (cap < t->nbytes + n)
            cap *= 2;
        unsigned char *nb = realloc(t->bytes, cap);
        if (nb == NULL)
            return HZ_ENOMEM;
        t->bytes = nb;
        t->capbytes = cap;
    }
    if (t->nent == t->capent) {
        size_t cap = t->capent ? t->capent * 2 : 1 << 16;
        entry *ne = realloc(t->ent, cap * sizeof *ne);
        if (ne == NULL)
            return HZ_ENOMEM;
        t->ent = ne;
        t->capent = cap;
    }
    memcpy(t->bytes + t->nbytes, p, n);
    t->ent[t->nent].off = (uint32_t)t->nbytes;
    t->ent[t->nent].len = (uint32_t)n;
    t->ent[t->nent].rank = rank;
    t->nent++;
    t->nbytes += n;
    return HZ_OK;
}

static hz_status build_index(hz_tokenizer *t)
{
    size_t ns = 1;
    while (ns < t->nent * 2)
        ns <<= 1;
    t->slot = calloc(ns, sizeof *t->slot);
    if (t->slot == NULL)
        return HZ_ENOMEM;
    t->nslot = ns;
    for (size_t k = 0; k < t->nent; k++) {
        const entry *e = &t->ent[k];
        size_t i = (size_t)hash_bytes(t->bytes + e->off, e->len) & (ns - 1);
        while (t->slot[i] != 0)
            i = (i + 1) & (ns - 1);
        t->slot[i] = (uint32_t)(k + 1);
    }
    return HZ_OK;
}

hz_status hz_tokenizer_load(const char *name, const char *rank_path,
                            hz_tokenizer **out, hz_error *err)
{
    hz_status st = HZ_OK;
    hz_tokenizer *t = NULL;
    FILE *f = NULL;
    char *line = NULL;
    size_t cap = 0;
    unsigned char buf[1024];
    const char *pat;

    *out = NULL;
    if (name == NULL || rank_path == NULL)
        return hz_error_set(err, HZ_EINVAL, "tokenizer: missing name or path");
    if (strcmp(name, "cl100k_base") == 0)
        pat = pat_cl100k;
    else if (strcmp(name, "o200k_base") == 0)
        pat = pat_o200k;
    else
        return hz_error_set(err, HZ_EINVAL,
                            "tokenizer: unknown encoding '%s' (expected "
                            "cl100k_base or o200k_base)",
                            name);
    t = calloc(1, sizeof *t);
    if (t == NULL)
        return hz_error_set(err, HZ_ENOMEM, "tokenizer: out of memory");
    snprintf(t->name, sizeof t->name, "%s", name);

    int ecode;
    PCRE2_SIZE eoff;
    t->re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
                          PCRE2_UTF | PCRE2_UCP, &ecode, &eoff, NULL);
    if (t->re == NULL) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(ecode, msg, sizeof msg);
        st = hz_error_set(err, HZ_EINTERNAL,
                          "tokenizer: split pattern does not compile at "
                          "offset %zu: %s",
                          (size_t)eoff, (char *)msg);
        goto out;
    }
    (void)pcre2_jit_compile(t->re, PCRE2_JIT_COMPLETE); /* optional */

    f = fopen(rank_path, "r");
    if (f == NULL) {
        st = hz_error_set(err, HZ_EIO, "could not open rank file %s: %s",
                          rank_path, strerror(errno));
        goto out;
    }
    size_t lineno = 0;
    ssize_t got;
    while ((got = getline(&line, &cap, f)) > 0) {
        lineno++;
        while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r'))
            line[--got] = '\0';
        if (got == 0)
            continue;
        char *sp = strchr(line, ' ');
        char *end = NULL;
        long rank = -1;
        long blen = -1;
        if (sp != NULL && (size_t)(sp - line) <= sizeof buf) {
            errno = 0;
            rank = strtol(sp + 1, &end, 10);
            if (errno != 0 || end == sp + 1 || *end != '\0')
                rank = -1;
            blen = b64decode(line, (size_t)(sp - line), buf);
        }
        if (rank < 0 || rank > (long)UINT32_MAX - 1 || blen <= 0) {
            st = hz_error_set(err, HZ_EPARSE,
                              "%s:%zu: expected 'BASE64TOKEN RANK'", rank_path,
                              lineno);
            goto out;
        }
        st = add_token(t, buf, (size_t)blen, (uint32_t)rank);
        if (st != HZ_OK) {
            hz_error_set(err, st, "tokenizer: out of memory");
            goto out;
        }
    }
    if (t->nent < 256) {
        st = hz_error_set(err, HZ_EPARSE,
                          "%s: only %zu ranks (a .tiktoken file has one per "
                          "byte at least)",
                          rank_path, t->nent);
        goto out;
    }
    st = build_index(t);
    if (st != HZ_OK) {
        hz_error_set(err, st, "tokenizer: out of memory");
        goto out;
    }
out:
    free(line);
    if (f != NULL)
        fclose(f);
    if (st != HZ_OK)
        hz_tokenizer_free(t);
    else
        *out = t;
    return st;
}

hz_status hz_tokenizer_from_env(hz_tokenizer **out, hz_error *err)
{
    const char *path = getenv("HZ_TIKTOKEN_FILE");
    const char *name = getenv("HZ_TIKTOKEN_ENCODING");
    *out = NULL;
    if (path == NULL || path[0] == '\0')
        return HZ_OK;
    if (name == NULL || name[0] == '\0')
        name = strstr(path, "o200k") != NULL ? "o200k_base" : "cl100k_base";
    return hz_tokenizer_load(name, path, out, err);
}

/* Byte-pair merge of one piece (tiktoken's _byte_pair_merge).  Emits the
 * token ranks through ids (may be NULL) and returns their count. */
static size_t bpe_piece(const hz_tokenizer *t, const unsigned char *p,
                        size_t n, uint32_t *ids)
{
    if (n == 0)
        return 0;
    uint32_t whole = rank_of(t, p, n);
    if (whole != UINT32_MAX) {
        if (ids)
            ids[0] = whole;
        return 1;
    }
    size_t stack_start[64];
    uint32_t stack_rank[64];
    size_t *start = stack_start;
    uint32_t *rank = stack_rank;
    if (n + 1 > 64) {
        start = malloc((n + 1) * sizeof *start);
        rank = malloc((n + 1) * sizeof *rank);
        if (start == NULL || rank == NULL) {
            free(start != stack_start ? start : NULL);
            free(rank != stack_rank ? rank : NULL);
            return n; /* cannot fail silently low: n bytes is an upper bound */
        }
    }
    /* parts: start[i], rank[i] = rank of the pair starting at part i */
    size_t np = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        start[np] = i;
        rank[np] = rank_of(t, p + i, 2);
        np++;
    }
    start[np] = n - 1;
    rank[np] = UINT32_MAX;
    np++;
    start[np] = n;
    rank[np] = UINT32_MAX;
    np++;
    for (;;) {
        uint32_t best = UINT32_MAX;
        size_t bi = 0;
        for (size_t i = 0; i + 1 < np; i++)
            if (rank[i] < best) {
                best = rank[i];
                bi = i;
            }
        if (best == UINT32_MAX)
            break;
        /* merge part bi with bi+1: remove bi+1, recompute neighbours */
        memmove(start + bi + 1, start + bi + 2, (np - bi - 2) * sizeof *start);
        memmove(rank + bi + 1, rank + bi + 2, (np - bi - 2) * sizeof *rank);
        np--;
        if (bi + 2 < np)
            rank[bi] = rank_of(t, p + start[bi], start[bi + 2] - start[bi]);
        else
            rank[bi] = UINT32_MAX;
        if (bi > 0) {
            if (bi + 1 < np)
                rank[bi - 1] = rank_of(t, p + start[bi - 1],
                                       start[bi + 1] - start[bi - 1]);
            else
                rank[bi - 1] = UINT32_MAX;
        }
    }
    size_t ntok = np - 1;
    if (ids)
        for (size_t i = 0; i < ntok; i++)
            ids[i] = rank_of(t, p + start[i], start[i + 1] - start[i]);
    if (start != stack_start) {
        free(start);
        free(rank);
    }
    return ntok;
}

/* Split + merge; ids may be NULL.  Returns the count, or SIZE_MAX when
 * the text is not valid UTF-8 (or matching failed). */
static size_t encode(const hz_tokenizer *t, const char *text, size_t len,
                     uint32_t *ids)
{
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(t->re, NULL);
    if (md == NULL)
        return SIZE_MAX;
    size_t count = 0;
    size_t pos = 0;
    uint32_t opts = 0;
    while (pos < len) {
        int rc = pcre2_match(t->re, (PCRE2_SPTR)text, len, pos, opts, md,
                             NULL);
        if (rc == PCRE2_ERROR_NOMATCH)
            break; /* cannot happen: \s+ / \p{N} / [^\s..]+ cover all */
        if (rc < 0) {
            count = SIZE_MAX;
            break;
        }
        opts = PCRE2_NO_UTF_CHECK; /* checked on the first call */
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        size_t s = ov[0], e = ov[1];
        if (e <= s) { /* empty match: never produced by these patterns */
            count = SIZE_MAX;
            break;
        }
        count += bpe_piece(t, (const unsigned char *)text + s, e - s,
                           ids ? ids + count : NULL);
        pos = e;
    }
    pcre2_match_data_free(md);
    return count;
}

size_t hz_tokenizer_count(const hz_tokenizer *t, const char *text, size_t len)
{
    if (t == NULL || len == 0)
        return t == NULL ? hz_token_estimate(text, len) : 0;
    size_t n = encode(t, text, len, NULL);
    return n == SIZE_MAX ? hz_token_estimate(text, len) : n;
}

hz_status hz_tokenizer_encode(const hz_tokenizer *t, const char *text,
                              size_t len, uint32_t **ids, size_t *n,
                              hz_error *err)
{
    *ids = NULL;
    *n = 0;
    if (t == NULL)
        return hz_error_set(err, HZ_EINVAL,
                            "tokenizer: no rank file configured");
    /* every token covers at least one byte */
    uint32_t *buf = malloc((len + 1) * sizeof *buf);
    if (buf == NULL)
        return hz_error_set(err, HZ_ENOMEM, "tokenizer: out of memory");
    size_t c = len == 0 ? 0 : encode(t, text, len, buf);
    if (c == SIZE_MAX) {
        free(buf);
        return hz_error_set(err, HZ_EINVAL,
                            "tokenizer: text is not valid UTF-8");
    }
    *ids = buf;
    *n = c;
    return HZ_OK;
}
