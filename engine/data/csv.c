/* CSV ingest: file -> typed columnar hz_dataset.
 *
 * Pipeline:
 *   1. read the file's first bytes (csv_source.h: a file is read in blocks
 *      with pread and never held whole), skip a UTF-8 BOM, reject NUL
 *      bytes (binary data), detect the delimiter, parse the header with
 *      libcsv;
 *   2. infer the schema from the first rows (caller overrides win), while
 *      the other threads make a first read of the body that counts
 *      newlines, quotes, NULs and bare CRs per piece;
 *   3. split the body into one row-aligned chunk per thread: quote parity
 *      moves each boundary to the next newline outside quotes, and the
 *      counts bound each chunk's rows, so every chunk writes straight into
 *      the final column arrays (one block of huge pages);
 *   4. parse the chunks in parallel (OpenMP), reading each in blocks that
 *      end at a newline: a chunk without quotes or bare CRs takes the row
 *      loop (a row of exactly ncols valid fields is parsed in place,
 *      numbers eight bytes at a time, strings interned in batches after
 *      their hash slots were prefetched; any other line goes through the
 *      per-separator loop), every other chunk goes through libcsv in
 *      strict mode; each chunk has its own string dictionaries;
 *   5. merge: the first chunk's dictionaries become the final ones, the
 *      others' strings are looked up in parallel and the missing appended
 *      in chunk order (so codes equal a one-thread parse); codes remapped.
 *
 * libcsv runs in strict mode (RFC 4180 quoting), so in an accepted file
 * every quote opens, closes or escapes a quote: quote parity then tells
 * exactly whether a byte lies inside a quoted field, and the chunked parse
 * equals the serial one.  When a multi-chunk parse meets an error in a
 * file that contains quotes, it is parsed again as one chunk so the error
 * reported is the serial parse's. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <omp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csv.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "horizon/csv.h"
#include "data/csv_source.h"
#include "data/dict_internal.h"
#include "core/mem.h"
#include "core/textout.h"

#define DEFAULT_INFER_ROWS 10000
#define DEFAULT_CHUNK_BYTES (1u << 20)
#define MAX_FIELD_SHOWN 40
#define COUNT_PARTS 4 /* first-read parts per chunk */
#define PEND_ROWS 16  /* rows per batch of dictionary lookups */

/* ------------------------------------------------------------------ */
/* Number, bool and date parsing                                        */
/* ------------------------------------------------------------------ */

static inline void trim(const char **s, size_t *n)
{
    if (*n == 0 || ((*s)[0] > ' ' && (*s)[*n - 1] > ' '))
        return;
    while (*n > 0 && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

static bool parse_i64(const char *s, size_t n, int64_t *out)
{
    trim(&s, &n);
    if (n == 0)
        return false;
    size_t i = 0;
    bool neg = false;
    if (s[0] == '-' || s[0] == '+') {
        neg = s[0] == '-';
        i = 1;
    }
    if (i == n || n - i > 19)
        return false;
    uint64_t v = 0;
    for (; i < n; i++) {
        unsigned d = (unsigned char)s[i] - '0';
        if (d > 9)
            return false;
        v = v * 10 + d;
    }
    if (v > (uint64_t)INT64_MAX + (neg ? 1u : 0u))
        return false;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

static const double pow10tab[23] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* Decimal text to double, correctly rounded: Clinger's fast path when
 * all digits fit a uint64 below 2^53 and the power of ten is at most 22
 * (every plain price or quantity), strtod otherwise. */
static bool parse_f64(const char *s, size_t n, double *out)
{
    trim(&s, &n);
    if (n == 0)
        return false;
    const char *p = s, *end = s + n;
    bool neg = false;
    if (*p == '-' || *p == '+') {
        neg = *p == '-';
        p++;
    }
    uint64_t m = 0;
    const char *d0 = p;
    while (p < end && (unsigned)(*p - '0') < 10)
        m = m * 10 + (uint64_t)(*p++ - '0');
    size_t nint = (size_t)(p - d0), nfrac = 0;
    if (p < end && *p == '.') {
        const char *f0 = ++p;
        while (p < end && (unsigned)(*p - '0') < 10)
            m = m * 10 + (uint64_t)(*p++ - '0');
        nfrac = (size_t)(p - f0);
    }
    if (nint + nfrac == 0)
        return false;
    long exp10 = -(long)nfrac;
    if (p < end) {
        if (*p != 'e' && *p != 'E')
            return false;
        p++;
        bool eneg = false;
        if (p < end && (*p == '-' || *p == '+'))
            eneg = *p++ == '-';
        if (p == end)
            return false;
        long e = 0;
        while (p < end && (unsigned)(*p - '0') < 10) {
            if (e < 100000)
                e = e * 10 + (*p - '0');
            p++;
        }
        if (p != end)
            return false;
        exp10 += eneg ? -e : e;
    }
    if (nint + nfrac <= 19 && m < (1ULL << 53) && exp10 >= -22 &&
        exp10 <= 22) {
        double v = (double)m;
        v = exp10 < 0 ? v / pow10tab[-exp10] : v * pow10tab[exp10];
        *out = neg ? -v : v;
        return true;
    }
    char buf[512];
    if (n >= sizeof buf)
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *e;
    double v = strtod(buf, &e);
    if (e != buf + n)
        return false;
    *out = v;
    return true;
}

/* SWAR fast paths for the row loop: a plain unsigned integer of 1-8
 * digits, or a decimal d.d with at most 8 digits in all, parsed eight
 * bytes at a time without a branch per character.  They need 8 readable
 * bytes at s and return false for anything else (signs, blanks,
 * exponents, longer numbers), which the full parsers then decide. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HAVE_SWAR 1

/* The k (1..8) bytes of w, little-endian, as decimal digits. */
static inline bool swar_digits(uint64_t w, size_t k, uint64_t *out)
{
    const uint64_t ones = 0x0101010101010101ULL, high = ones * 0x80;
    uint64_t m = k == 8 ? ~UINT64_C(0) : (UINT64_C(1) << (8 * k)) - 1;
    /* a byte above '9' gets its high bit from + 0x46, one below '0' from
     * - 0x30 (a carry or borrow only runs into bytes already flagged) */
    uint64_t bad = (((w & m) + (ones * 0x46 & m)) | (w - ones * 0x30)) & high &
                   m;
    if (bad != 0)
        return false;
    /* left-pad with '0' digits to eight, then combine pairs, quads, ... */
    uint64_t w8 = k == 8 ? w : (w << (8 * (8 - k))) | (ones * 0x30 >> (8 * k));
    uint64_t v = w8 - ones * 0x30;
    v = v * 10 + (v >> 8);
    v = (((v & 0x000000FF000000FFULL) * (100 + (1000000ULL << 32))) +
         (((v >> 16) & 0x000000FF000000FFULL) * (1 + (10000ULL << 32)))) >>
        32;
    *out = v;
    return true;
}

static inline uint64_t load8(const char *s, size_t n)
{
    uint64_t w;
    memcpy(&w, s, 8);
    return n >= 8 ? w : w & ((UINT64_C(1) << (8 * n)) - 1);
}

static inline bool i64_swar(const char *s, size_t n, int64_t *out)
{
    uint64_t v;
    if (n == 0 || n > 8 || !swar_digits(load8(s, n), n, &v))
        return false;
    *out = (int64_t)v;
    return true;
}

static inline bool f64_swar(const char *s, size_t n, double *out)
{
    if (n == 0 || n > 8)
        return false;
    uint64_t w = load8(s, n);
    uint64_t x = w ^ 0x2e2e2e2e2e2e2e2eULL; /* '.' bytes become 0 */
    uint64_t z = (x - 0x0101010101010101ULL) & ~x & 0x8080808080808080ULL;
    if (n < 8)
        z &= (UINT64_C(1) << (8 * n)) - 1;
    size_t k = n, frac = 0;
    if (z != 0) {
        unsigned dot = (unsigned)__builtin_ctzll(z) / 8;
        if (dot == 0 || dot + 1 >= n)
            return false; /* ".5", "5.": the full parser */
        uint64_t lo = w & ((UINT64_C(1) << (8 * dot)) - 1);
        w = lo | ((w >> (8 * (dot + 1))) << (8 * dot));
        k = n - 1;
        frac = n - 1 - dot;
    }
    uint64_t v;
    if (!swar_digits(w, k, &v))
        return false;
    double d = (double)v;                 /* exact: v < 10^8 */
    *out = frac ? d / pow10tab[frac] : d; /* correctly rounded */
    return true;
}
#endif

static int parse_bool_word(const char *s, size_t n)
{
    static const char *yes[] = {"true", "yes", "t", "y"};
    static const char *no[] = {"false", "no", "f", "n"};
    trim(&s, &n);
    if (n == 0 || n > 5 || !strchr("tTfFyYnN", s[0]))
        return -1;
    for (size_t k = 0; k < 4; k++) {
        if (strlen(yes[k]) == n && strncasecmp(s, yes[k], n) == 0)
            return 1;
        if (strlen(no[k]) == n && strncasecmp(s, no[k], n) == 0)
            return 0;
    }
    return -1;
}

static int parse_bool(const char *s, size_t n)
{
    int b = parse_bool_word(s, n);
    if (b >= 0)
        return b;
    trim(&s, &n);
    if (n == 1 && (s[0] == '0' || s[0] == '1'))
        return s[0] - '0';
    return -1;
}

static bool parse_date(const char *s, size_t n, hz_datefmt fmt, int64_t *secs,
                       bool *is_ts)
{
    trim(&s, &n);
    /* Fast path: exactly YYYY-MM-DD. */
    if (fmt == HZ_DATEFMT_ISO && n == 10 && s[4] == '-' && s[7] == '-') {
        unsigned y = 0, mo, d;
        for (int k = 0; k < 4; k++) {
            unsigned c = (unsigned char)s[k] - '0';
            if (c > 9)
                goto slow;
            y = y * 10 + c;
        }
        unsigned a = (unsigned char)s[5] - '0', b = (unsigned char)s[6] - '0';
        unsigned e = (unsigned char)s[8] - '0', f = (unsigned char)s[9] - '0';
        if (a > 9 || b > 9 || e > 9 || f > 9)
            goto slow;
        mo = a * 10 + b;
        d = e * 10 + f;
        if (mo < 1 || mo > 12 || d < 1 || d > 28)
            goto slow; /* month ends are checked by the full parser */
        *secs = (int64_t)hz_days_from_civil((int)y, mo, d) * 86400;
        *is_ts = false;
        return true;
    }
slow:
    return hz_parse_datetime(s, n, fmt, secs, is_ts, NULL);
}

/* ------------------------------------------------------------------ */
/* Schema                                                               */
/* ------------------------------------------------------------------ */

typedef struct colspec {
    hz_type type;
    hz_datefmt fmt;
    bool overridden;
} colspec;

/* Evidence gathered while sampling rows for inference: how many of the
 * non-null values parse as each type. */
typedef struct evidence {
    size_t nonnull, n_int, n_num, n_boolword, n_date, n_ts;
    bool fmt_conflict;
    hz_datefmt fmt;
} evidence;

static void evidence_add(evidence *e, const char *s, size_t n)
{
    int64_t iv;
    double dv;
    e->nonnull++;
    if (parse_i64(s, n, &iv)) {
        e->n_int++;
        e->n_num++;
    } else if (parse_f64(s, n, &dv)) {
        e->n_num++;
    }
    if (parse_bool_word(s, n) >= 0)
        e->n_boolword++;
    const char *t = s;
    size_t tn = n;
    trim(&t, &tn);
    int64_t secs;
    bool ts;
    hz_datefmt det;
    if (tn >= 8 && tn <= 40 && t[0] >= '0' && t[0] <= '9' &&
        hz_parse_datetime(t, tn, HZ_DATEFMT_NONE, &secs, &ts, &det)) {
        if (e->fmt == HZ_DATEFMT_NONE)
            e->fmt = det;
        else if (det != e->fmt &&
                 !hz_parse_datetime(t, tn, e->fmt, &secs, &ts, NULL))
            e->fmt_conflict = true;
        e->n_date++;
        e->n_ts += ts;
    }
}

/* A type wins when at least 95% of the sampled values parse as it: the
 * odd 'N/A' in a numeric column is then reported as an error, with its
 * line, instead of silently turning the column into text. */
static bool mostly(size_t k, size_t n)
{
    return k > 0 && (double)k >= 0.95 * (double)n;
}

static colspec evidence_resolve(const evidence *e, bool whole_file)
{
    colspec c = {HZ_TYPE_STRING, HZ_DATEFMT_NONE, false};
    size_t n = e->nonnull;
    if (n == 0)
        c.type = whole_file ? HZ_TYPE_NULL : HZ_TYPE_STRING;
    else if (mostly(e->n_boolword, n))
        c.type = HZ_TYPE_BOOL;
    else if (mostly(e->n_num, n))
        c.type = e->n_int == e->n_num ? HZ_TYPE_INT64 : HZ_TYPE_FLOAT64;
    else if (mostly(e->n_date, n) && !e->fmt_conflict) {
        c.type = e->n_ts > 0 ? HZ_TYPE_TIMESTAMP : HZ_TYPE_DATE;
        c.fmt = e->fmt;
    }
    return c;
}

/* ------------------------------------------------------------------ */
/* Chunk parser                                                         */
/* ------------------------------------------------------------------ */

typedef struct reported {
    size_t rel_line; /* line within the chunk, 0-based */
    size_t field;    /* 1-based */
    char msg[HZ_ERROR_MAX - 64];
} reported;

typedef struct chunk {
    /* input */
    const char *begin, *end;
    size_t ncols;
    colspec *spec; /* chunk's own copy (int64 may be promoted) */
    const hz_csv_options *opt;
    char delim;
    bool infer; /* sampling mode: gather evidence only */
    size_t infer_rows;
    evidence *ev;
    char **names;
    /* output buffers */
    size_t nrows, cap;
    unsigned char **vals;
    uint8_t **valid;
    size_t *nulls;
    hz_dict **dicts;
    /* row staging */
    size_t field; /* fields seen in the current row */
    bool row_bad;
    uint64_t *stage;     /* [ncols] value bits */
    uint8_t *stage_null; /* [ncols] */
    const char **stage_ptr;
    size_t *stage_off, *stage_len;
    /* row loop: strings of the last few good rows, interned in a batch
     * so that their prefetched hash slots have arrived */
    const char **pend_ptr; /* [PEND_ROWS * ncols] */
    size_t *pend_len;      /* SIZE_MAX = null */
    hz__dkey *pend_key;
    size_t pend_row[PEND_ROWS];
    size_t npend;
    unsigned char *kind; /* [ncols] field kinds (row loop) */
    size_t *strcols;     /* string columns, in order */
    size_t *nullcols;    /* columns null in the current row */
    size_t nstr;
    size_t nvalid; /* columns with a validity array */
    char *scratch;
    size_t nscratch, capscratch;
    /* position */
    size_t line;        /* lines consumed so far (0-based rel line) */
    size_t row_line;    /* rel line where the current row began */
    size_t lines_total; /* newlines in the chunk */
    /* errors */
    hz_status status;
    bool structural; /* ragged row or quoting error */
    bool stop;
    size_t skipped;
    size_t nrep;
    reported rep[HZ_CSV_MAX_REPORTED];
    reported fatal; /* the error that stopped the chunk */
    bool used_libcsv;
    struct csv_parser lp; /* libcsv state while lp_open */
    bool lp_open;
    bool field_fatal; /* set while reporting a libcsv quoting error */
    bool has_quotes;  /* the chunk contains a quote or a bare CR */
    int io_errno;     /* with status HZ_EIO */
} chunk;

static size_t type_width(hz_type t)
{
    switch (t) {
    case HZ_TYPE_BOOL: return 1;
    case HZ_TYPE_DATE:
    case HZ_TYPE_STRING: return 4;
    default: return 8;
    }
}

static void chunk_report(chunk *c, size_t field, bool structural,
                         const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void chunk_report(chunk *c, size_t field, bool structural,
                         const char *fmt, ...)
{
    if (c->infer)
        return;
    if (structural)
        c->structural = true;
    /* Quoting errors stop libcsv, so they end the chunk even with
     * on_error = skip; everything stops the chunk with on_error = fail. */
    bool fatal = c->opt->on_error == HZ_ON_ERROR_FAIL ||
                 (structural && c->used_libcsv && c->field_fatal);
    reported *r = NULL;
    if (fatal) {
        if (c->status != HZ_OK)
            return;
        c->status = HZ_EPARSE;
        c->stop = true;
        r = &c->fatal;
    } else {
        if (c->row_bad)
            return; /* one report per skipped row */
        if (c->nrep < HZ_CSV_MAX_REPORTED)
            r = &c->rep[c->nrep++];
    }
    c->row_bad = true;
    if (r != NULL) {
        r->rel_line = c->row_line;
        r->field = field;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(r->msg, sizeof r->msg, fmt, ap);
        va_end(ap);
    }
}

/* Printable excerpt of a field for messages. */
static const char *shown(const char *s, size_t n, char *buf, size_t bufsz)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 4 < bufsz && i < MAX_FIELD_SHOWN; i++) {
        unsigned char ch = (unsigned char)s[i];
        buf[k++] = (ch >= 32 && ch != 127) ? (char)ch : '?';
    }
    if (n > MAX_FIELD_SHOWN && k + 4 < bufsz) {
        memcpy(buf + k, "...", 3);
        k += 3;
    }
    buf[k] = '\0';
    return buf;
}

/* Convert an int64 column of this chunk to float64 in place. */
static void chunk_promote(chunk *c, size_t j)
{
    int64_t *iv = (int64_t *)c->vals[j];
    double *dv = (double *)c->vals[j];
    for (size_t r = 0; r < c->nrows; r++) {
        double d = (double)iv[r];
        dv[r] = d;
    }
    c->spec[j].type = HZ_TYPE_FLOAT64;
}

static void on_field(chunk *c, const char *s, size_t n, bool is_null)
{
    size_t j = c->field++;
    if (c->stop || c->row_bad || j >= c->ncols)
        return;
    /* A blank (spaces only) number, date or bool is a null, as the
     * blank TotalCharges of the telco export. */
    if (!is_null && n > 0 && (s[0] == ' ' || s[0] == '\t') &&
        (c->infer || c->spec[j].type != HZ_TYPE_STRING)) {
        const char *t = s;
        size_t tn = n;
        trim(&t, &tn);
        is_null = tn == 0;
    }
    if (c->infer) {
        if (!is_null)
            evidence_add(&c->ev[j], s, n);
        return;
    }
    if (is_null) {
        c->stage_null[j] = 1;
        return;
    }
    c->stage_null[j] = 0;
    colspec *sp = &c->spec[j];
    char sh[64];
    switch (sp->type) {
    case HZ_TYPE_INT64: {
        int64_t v;
        if (parse_i64(s, n, &v)) {
            memcpy(&c->stage[j], &v, 8);
            return;
        }
        double d;
        if (!sp->overridden && parse_f64(s, n, &d)) {
            chunk_promote(c, j);
            memcpy(&c->stage[j], &d, 8);
            return;
        }
        chunk_report(c, j + 1, false,
                     "column '%s': expected an integer, got '%s'", c->names[j],
                     shown(s, n, sh, sizeof sh));
        return;
    }
    case HZ_TYPE_FLOAT64:
    case HZ_TYPE_NULL: {
        double d;
        if (parse_f64(s, n, &d)) {
            memcpy(&c->stage[j], &d, 8);
            return;
        }
        chunk_report(c, j + 1, false,
                     "column '%s': expected a number, got '%s'", c->names[j],
                     shown(s, n, sh, sizeof sh));
        return;
    }
    case HZ_TYPE_BOOL: {
        int b = parse_bool(s, n);
        if (b >= 0) {
            c->stage[j] = (uint64_t)b;
            return;
        }
        chunk_report(c, j + 1, false,
                     "column '%s': expected a boolean (true/false, yes/no, "
                     "1/0), got '%s'",
                     c->names[j], shown(s, n, sh, sizeof sh));
        return;
    }
    case HZ_TYPE_DATE:
    case HZ_TYPE_TIMESTAMP: {
        int64_t secs;
        bool ts;
        if (parse_date(s, n, sp->fmt, &secs, &ts)) {
            if (sp->type == HZ_TYPE_DATE) {
                int64_t day = secs >= 0 ? secs / 86400
                                        : -((-secs + 86399) / 86400);
                int32_t d32 = (int32_t)day;
                uint64_t bits = (uint32_t)d32;
                c->stage[j] = bits;
            } else {
                memcpy(&c->stage[j], &secs, 8);
            }
            return;
        }
        static const char *fmtname[] = {"a date", "YYYY-MM-DD", "YYYY/MM/DD",
                                        "MM/DD/YYYY"};
        chunk_report(c, j + 1, false, "column '%s': expected %s%s, got '%s'",
                     c->names[j],
                     sp->type == HZ_TYPE_DATE ? "a valid date "
                                              : "a valid "
                                                "timestamp ",
                     fmtname[sp->fmt], shown(s, n, sh, sizeof sh));
        return;
    }
    case HZ_TYPE_STRING:
        if (c->used_libcsv) {
            /* libcsv reuses its buffer: keep a copy until the row ends. */
            if (c->nscratch + n + 1 > c->capscratch) {
                size_t cap = c->capscratch ? c->capscratch * 2 : 4096;
                while (cap < c->nscratch + n + 1)
                    cap *= 2;
                char *b = realloc(c->scratch, cap);
                if (b == NULL) {
                    c->status = HZ_ENOMEM;
                    c->stop = true;
                    return;
                }
                c->scratch = b;
                c->capscratch = cap;
            }
            memcpy(c->scratch + c->nscratch, s, n);
            c->stage_ptr[j] = NULL;
            c->stage_off[j] = c->nscratch;
            c->nscratch += n;
        } else {
            c->stage_ptr[j] = s;
        }
        c->stage_len[j] = n;
        return;
    }
}

/* Row r of column j is null: validity array (created on the first null,
 * all earlier rows valid), null count, and a 0 / NaN value. */
static bool set_null(chunk *c, size_t j, size_t r)
{
    hz_type t = c->spec[j].type;
    if (c->valid[j] == NULL) {
        c->valid[j] = malloc(c->cap);
        if (c->valid[j] == NULL) {
            c->status = HZ_ENOMEM;
            c->stop = true;
            return false;
        }
        memset(c->valid[j], 1, r);
        c->nvalid++;
    }
    c->valid[j][r] = 0;
    c->nulls[j]++;
    switch (type_width(t)) {
    case 1: c->vals[j][r] = 0; break;
    case 4: memset(c->vals[j] + 4 * r, 0, 4); break;
    default:
        if (t == HZ_TYPE_FLOAT64 || t == HZ_TYPE_NULL) {
            double nan = NAN;
            memcpy(c->vals[j] + 8 * r, &nan, 8);
        } else {
            memset(c->vals[j] + 8 * r, 0, 8);
        }
    }
    return true;
}

static void on_row_end(chunk *c)
{
    size_t nf = c->field;
    c->field = 0;
    c->nscratch = 0;
    if (c->stop)
        return;
    if (c->infer) {
        c->nrows++;
        if (c->nrows >= c->infer_rows)
            c->stop = true;
        return;
    }
    if (nf != c->ncols && !c->row_bad)
        chunk_report(c, nf > c->ncols ? c->ncols + 1 : nf, true,
                     "expected %zu fields, found %zu", c->ncols, nf);
    if (c->row_bad) {
        if (c->opt->on_error == HZ_ON_ERROR_SKIP && !c->stop)
            c->skipped++;
        c->row_bad = false;
        return;
    }
    if (c->nrows == c->cap) {
        /* cap counts the chunk's lines: a row needs at least one */
        c->status = HZ_EINTERNAL;
        c->stop = true;
        return;
    }
    size_t r = c->nrows;
    for (size_t j = 0; j < c->ncols; j++) {
        hz_type t = c->spec[j].type;
        if (c->stage_null[j]) {
            if (!set_null(c, j, r))
                return;
            continue;
        }
        if (c->valid[j] != NULL)
            c->valid[j][r] = 1;
        switch (t) {
        case HZ_TYPE_BOOL: c->vals[j][r] = (unsigned char)c->stage[j]; break;
        case HZ_TYPE_DATE: {
            uint32_t v = (uint32_t)c->stage[j];
            memcpy(c->vals[j] + 4 * r, &v, 4);
            break;
        }
        case HZ_TYPE_STRING: {
            const char *s = c->stage_ptr[j] ? c->stage_ptr[j]
                                            : c->scratch + c->stage_off[j];
            uint32_t code = hz_dict_intern(c->dicts[j], s, c->stage_len[j]);
            if (code == UINT32_MAX) {
                c->status = HZ_ENOMEM;
                c->stop = true;
                return;
            }
            ((uint32_t *)(void *)c->vals[j])[r] = code;
            break;
        }
        default: memcpy(c->vals[j] + 8 * r, &c->stage[j], 8);
        }
    }
    c->nrows++;
}

/* A separator at q (delimiter or newline) ends the field that began at
 * *fs.  Lines that hold nothing (or only a CR) are skipped, as libcsv
 * skips them. */
static inline void fast_sep(chunk *c, const char *q, const char **fs,
                            bool *row_open)
{
    if (*q == '\n') {
        const char *le = q;
        if (le > *fs && le[-1] == '\r')
            le--;
        if (*row_open || le > *fs) {
            on_field(c, *fs, (size_t)(le - *fs), le == *fs);
            on_row_end(c);
        }
        c->line++;
        c->row_line = c->line;
        *row_open = false;
    } else {
        on_field(c, *fs, (size_t)(q - *fs), q == *fs);
        *row_open = true;
    }
    *fs = q + 1;
}

/* Fast path for a chunk with no quote character at all: separators are
 * found 16 bytes at a time (SSE2 compare + movemask), then visited bit by
 * bit. */
static void parse_fast(chunk *c)
{
    const char *begin = c->begin, *end = c->end, *fs = begin;
    const char delim = c->delim;
    const size_t n = (size_t)(end - begin);
    bool row_open = false;
    size_t i = 0;
    c->row_line = c->line;
#ifdef __SSE2__
    const __m128i vd = _mm_set1_epi8(delim), vn = _mm_set1_epi8('\n');
    for (; i + 16 <= n && !c->stop; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(begin + i));
        unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vd)) |
                     (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vn));
        while (m != 0) {
            fast_sep(c, begin + i + (unsigned)__builtin_ctz(m), &fs,
                     &row_open);
            m &= m - 1;
        }
    }
#endif
    for (; i < n && !c->stop; i++)
        if (begin[i] == delim || begin[i] == '\n')
            fast_sep(c, begin + i, &fs, &row_open);
    if (!c->stop) { /* a last line without a newline */
        const char *le = end;
        if (le > fs && le[-1] == '\r')
            le--;
        if (row_open || le > fs) {
            on_field(c, fs, (size_t)(le - fs), le == fs);
            on_row_end(c);
        }
    }
}

/* ---- Row loop for chunks without quotes ----
 *
 * The per-separator path above handles every case; the loop below handles
 * the common one fast: a row that is one line with exactly ncols fields,
 * each empty or valid for its column.  Numbers and dates are parsed
 * straight into the column arrays; strings are keyed and their hash slot
 * prefetched while the rest of the row is parsed, then interned when the
 * row is known to be good, so that a row rejected half way leaves no
 * trace.  Any other line (blank, ragged, a bad or blank-padded value, a
 * whole number in a float column's first rows, the last line without a
 * newline) is handed back to the per-separator path, which decides about
 * it exactly as a one-path parse would. */

enum { K_I64, K_F64, K_DATE_ISO, K_DATE, K_TS, K_BOOL, K_STR };

static void row_kinds(const chunk *c, unsigned char *kind)
{
    for (size_t j = 0; j < c->ncols; j++) {
        const colspec *sp = &c->spec[j];
        switch (sp->type) {
        case HZ_TYPE_INT64: kind[j] = K_I64; break;
        case HZ_TYPE_DATE:
            kind[j] = sp->fmt == HZ_DATEFMT_ISO ? K_DATE_ISO : K_DATE;
            break;
        case HZ_TYPE_TIMESTAMP: kind[j] = K_TS; break;
        case HZ_TYPE_BOOL: kind[j] = K_BOOL; break;
        case HZ_TYPE_STRING: kind[j] = K_STR; break;
        default: kind[j] = K_F64;
        }
    }
}

/* Separator positions (delimiter or newline) of a byte range, 64 bytes
 * at a time as a bit mask. */
typedef struct sepscan {
    const char *p;
    size_t n;
    size_t base;   /* offset of the current block */
    uint64_t mask; /* its separators not yet returned */
    char delim;
} sepscan;

static inline uint64_t sep_mask(const sepscan *s, size_t at)
{
    const char *b = s->p + at;
    uint64_t m = 0;
#ifdef __SSE2__
    if (at + 64 <= s->n) {
        const __m128i vd = _mm_set1_epi8(s->delim), vn = _mm_set1_epi8('\n');
        for (int k = 0; k < 4; k++) {
            __m128i x = _mm_loadu_si128((const __m128i *)(b + 16 * k));
            __m128i e = _mm_or_si128(_mm_cmpeq_epi8(x, vd),
                                     _mm_cmpeq_epi8(x, vn));
            m |= (uint64_t)(unsigned)_mm_movemask_epi8(e) << (16 * k);
        }
        return m;
    }
#endif
    size_t lim = s->n - at < 64 ? s->n - at : 64;
    for (size_t i = 0; i < lim; i++)
        m |= (uint64_t)(b[i] == s->delim || b[i] == '\n') << i;
    return m;
}

static inline void sep_seek(sepscan *s, size_t at)
{
    s->base = at;
    s->mask = at < s->n ? sep_mask(s, at) : 0;
}

/* Offset of the next separator, or n when there is none left. */
static inline size_t sep_next(sepscan *s)
{
    while (s->mask == 0) {
        if (s->base + 64 >= s->n)
            return s->n;
        s->base += 64;
        s->mask = sep_mask(s, s->base);
    }
    size_t q = s->base + (size_t)__builtin_ctzll(s->mask);
    s->mask &= s->mask - 1;
    return q;
}

/* One physical line [ls, le) through the per-separator path; le is the
 * newline, or the chunk's end for a last line without one. */
static void slow_line(chunk *c, const char *ls, const char *le)
{
    const char *fs = ls;
    bool row_open = false;
    c->row_line = c->line;
    for (const char *q = ls; q < le && !c->stop; q++)
        if (*q == c->delim)
            fast_sep(c, q, &fs, &row_open);
    if (c->stop)
        return;
    if (le < c->end) {
        fast_sep(c, le, &fs, &row_open);
        return;
    }
    if (le > fs && le[-1] == '\r')
        le--;
    if (row_open || le > fs) {
        on_field(c, fs, (size_t)(le - fs), le == fs);
        on_row_end(c);
    }
}

/* Intern the strings of the pending rows, in row order. */
static bool flush_pending(chunk *c)
{
    for (size_t i = 0; i < c->npend; i++) {
        size_t r = c->pend_row[i], base = i * c->ncols;
        for (size_t t = 0; t < c->nstr; t++) {
            size_t j = c->strcols[t];
            if (c->pend_len[base + j] == SIZE_MAX)
                continue;
            uint32_t code = hz__dict_intern_key(
                c->dicts[j], c->pend_ptr[base + j], c->pend_len[base + j],
                c->pend_key[base + j]);
            if (code == UINT32_MAX) {
                c->status = HZ_ENOMEM;
                c->stop = true;
                return false;
            }
            ((uint32_t *)(void *)c->vals[j])[r] = code;
        }
    }
    c->npend = 0;
    return true;
}

static void parse_rows(chunk *c)
{
    const char *b = c->begin;
    const size_t n = (size_t)(c->end - b), ncols = c->ncols;
    unsigned char *kind = c->kind;
    sepscan s = {b, n, 0, 0, c->delim};
    size_t p = 0;
    row_kinds(c, kind);
    sep_seek(&s, 0);
    while (p < n && !c->stop) {
        const size_t ls = p, r = c->nrows, base = c->npend * ncols;
        size_t nnull = 0;
        if (r == c->cap)
            goto slow;
        /* A blank line is not a row, also in a one-column file (where it
         * would otherwise read as one empty field): the per-separator
         * path skips it. */
        if (b[p] == '\n' || (b[p] == '\r' && p + 1 < n && b[p + 1] == '\n'))
            goto slow;
        for (size_t j = 0; j < ncols; j++) {
            size_t q = sep_next(&s);
            if (q >= n)
                goto slow;
            bool nl = b[q] == '\n';
            if (nl != (j + 1 == ncols))
                goto slow;
            size_t fe = q;
            if (nl && fe > p && b[fe - 1] == '\r')
                fe--;
            const char *f = b + p;
            size_t fl = fe - p;
            p = q + 1;
            if (fl == 0) {
                c->nullcols[nnull++] = j;
                if (kind[j] == K_STR)
                    c->pend_len[base + j] = SIZE_MAX;
                continue;
            }
            /* typed stores: a char store could alias anything and make
             * the compiler reload the chunk's fields after every field */
            void *out = c->vals[j];
            switch (kind[j]) {
            case K_I64: {
                int64_t v;
#ifdef HAVE_SWAR
                if ((size_t)(b + n - f) >= 8 && i64_swar(f, fl, &v)) {
                    ((int64_t *)out)[r] = v;
                    break;
                }
#endif
                if (!parse_i64(f, fl, &v))
                    goto slow;
                ((int64_t *)out)[r] = v;
                break;
            }
            case K_F64: {
                double v;
#ifdef HAVE_SWAR
                if ((size_t)(b + n - f) >= 8 && f64_swar(f, fl, &v)) {
                    ((double *)out)[r] = v;
                    break;
                }
#endif
                if (!parse_f64(f, fl, &v))
                    goto slow;
                ((double *)out)[r] = v;
                break;
            }
            case K_DATE_ISO:
            case K_DATE: {
                int64_t secs;
                bool ts;
                if (!parse_date(f, fl, c->spec[j].fmt, &secs, &ts))
                    goto slow;
                int64_t day = secs >= 0 ? secs / 86400
                                        : -((-secs + 86399) / 86400);
                int32_t d32 = (int32_t)day;
                ((int32_t *)out)[r] = d32;
                break;
            }
            case K_TS: {
                int64_t secs;
                bool ts;
                if (!parse_date(f, fl, c->spec[j].fmt, &secs, &ts))
                    goto slow;
                ((int64_t *)out)[r] = secs;
                break;
            }
            case K_BOOL: {
                int v = parse_bool(f, fl);
                if (v < 0)
                    goto slow;
                ((uint8_t *)out)[r] = (uint8_t)v;
                break;
            }
            default: {
                hz__dkey k = hz__dict_key_avail(f, fl, n - (size_t)(f - b));
                c->pend_ptr[base + j] = f;
                c->pend_len[base + j] = fl;
                c->pend_key[base + j] = k;
                hz__dict_prefetch(c->dicts[j], k.hash);
            }
            }
        }
        /* The row is good: its strings join the batch; validity, nulls. */
        if (c->nstr > 0) {
            c->pend_row[c->npend++] = r;
            if (c->npend == PEND_ROWS && !flush_pending(c))
                return;
        }
        if (c->nvalid > 0)
            for (size_t j = 0; j < ncols; j++)
                if (c->valid[j] != NULL)
                    c->valid[j][r] = 1;
        for (size_t t = 0; t < nnull; t++)
            if (!set_null(c, c->nullcols[t], r))
                return;
        c->nrows++;
        c->line++;
        continue;
    slow : {
        if (!flush_pending(c)) /* strings keep first-seen order */
            return;
        const char *le = memchr(b + ls, '\n', n - ls);
        if (le == NULL)
            le = c->end;
        slow_line(c, b + ls, le);
        p = le < c->end ? (size_t)(le - b) + 1 : n;
        sep_seek(&s, p);
        row_kinds(c, kind);
    }
    }
    if (!c->stop)
        flush_pending(c);
}

static void cb_field(void *data, size_t len, void *ctx)
{
    chunk *c = ctx;
    on_field(c, data ? data : "", data ? len : 0, data == NULL);
}

static void cb_row(int term, void *ctx)
{
    (void)term;
    on_row_end((chunk *)ctx);
}

static int no_space(unsigned char ch)
{
    (void)ch;
    return 0;
}

/* libcsv path, fed one physical line at a time so that line numbers are
 * known even for rows with quoted newlines.  A chunk read in blocks is
 * fed block by block: libcsv keeps its state across them. */
static void libcsv_begin(chunk *c)
{
    c->used_libcsv = true;
    if (csv_init(&c->lp, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL |
                             CSV_EMPTY_IS_NULL) != 0) {
        c->status = HZ_ENOMEM;
        c->stop = true;
        return;
    }
    c->lp_open = true;
    csv_set_delim(&c->lp, (unsigned char)c->delim);
    csv_set_space_func(&c->lp, no_space);
}

static void libcsv_feed(chunk *c)
{
    struct csv_parser *p = &c->lp;
    const char *ptr = c->begin, *end = c->end;
    while (ptr < end && !c->stop) {
        const char *eol = memchr(ptr, '\n', (size_t)(end - ptr));
        const char *next = eol ? eol + 1 : end;
        if (p->pstate == 0)
            c->row_line = c->line;
        size_t len = (size_t)(next - ptr);
        if (csv_parse(p, ptr, len, cb_field, cb_row, c) != len) {
            if (csv_error(p) == CSV_ENOMEM) {
                c->status = HZ_ENOMEM;
                c->stop = true;
            } else {
                size_t f = c->field + 1;
                c->row_bad = false;
                c->field_fatal = true;
                chunk_report(c, f, true,
                             "malformed quoting (a quote inside "
                             "an unquoted field, or text after a closing "
                             "quote)");
                c->stop = true; /* libcsv cannot resume mid-row */
            }
            break;
        }
        if (eol)
            c->line++;
        ptr = next;
    }
}

/* After the last block (or a stop): the end of input, then free. */
static void libcsv_end(chunk *c)
{
    if (!c->lp_open)
        return;
    if (!c->stop && csv_fini(&c->lp, cb_field, cb_row, c) != 0) {
        size_t f = c->field + 1;
        c->row_bad = false;
        c->field_fatal = true;
        chunk_report(c, f, true,
                     "unterminated quoted field (the quote "
                     "opened here is never closed)");
        c->stop = true;
    }
    csv_free(&c->lp);
    c->lp_open = false;
}

static void chunk_free(chunk *c)
{
    if (c->lp_open)
        csv_free(&c->lp);
    for (size_t j = 0; j < c->ncols; j++) {
        if (c->valid)
            free(c->valid[j]);
        if (c->dicts)
            hz_dict_free(c->dicts[j]);
    }
    free(c->vals);
    free(c->valid);
    free(c->nulls);
    free(c->dicts);
    free(c->spec);
    free(c->stage);
    free(c->stage_null);
    free(c->pend_ptr);
    free(c->pend_len);
    free(c->pend_key);
    free(c->kind);
    free(c->strcols);
    free(c->nullcols);
    free(c->stage_ptr);
    free(c->stage_off);
    free(c->stage_len);
    free(c->scratch);
}

/* Set up chunk c to write up to cap rows into the final column arrays
 * cols[j] starting at row first. */
static int chunk_init(chunk *c, size_t ncols, const colspec *spec,
                      unsigned char **cols, size_t first, size_t cap)
{
    c->ncols = ncols;
    c->spec = malloc(ncols * sizeof *c->spec);
    c->vals = calloc(ncols, sizeof *c->vals);
    c->valid = calloc(ncols, sizeof *c->valid);
    c->nulls = calloc(ncols, sizeof *c->nulls);
    c->dicts = calloc(ncols, sizeof *c->dicts);
    c->stage = calloc(ncols, sizeof *c->stage);
    c->stage_null = calloc(ncols, 1);
    c->stage_ptr = calloc(ncols, sizeof *c->stage_ptr);
    c->stage_off = calloc(ncols, sizeof *c->stage_off);
    c->stage_len = calloc(ncols, sizeof *c->stage_len);
    c->pend_ptr = calloc(PEND_ROWS * ncols, sizeof *c->pend_ptr);
    c->pend_len = calloc(PEND_ROWS * ncols, sizeof *c->pend_len);
    c->pend_key = calloc(PEND_ROWS * ncols, sizeof *c->pend_key);
    c->kind = calloc(ncols, 1);
    c->strcols = calloc(ncols, sizeof *c->strcols);
    c->nullcols = calloc(ncols, sizeof *c->nullcols);
    if (!c->spec || !c->vals || !c->valid || !c->nulls || !c->dicts ||
        !c->stage || !c->stage_null || !c->stage_ptr || !c->stage_off ||
        !c->stage_len || !c->pend_ptr || !c->pend_len || !c->pend_key ||
        !c->kind || !c->strcols || !c->nullcols)
        return -1;
    memcpy(c->spec, spec, ncols * sizeof *spec);
    for (size_t j = 0; j < ncols; j++) {
        c->vals[j] = cols[j] + first * type_width(spec[j].type);
        if (spec[j].type == HZ_TYPE_STRING) {
            c->dicts[j] = hz_dict_new();
            if (c->dicts[j] == NULL)
                return -1;
            c->strcols[c->nstr++] = j;
        }
    }
    c->cap = cap;
    return 0;
}

/* Parse [c->begin, c->end) with the chunk's path; last says whether it
 * ends the chunk (else it ends with a newline, and libcsv stays open). */
static void chunk_block(chunk *c, bool first, bool last)
{
    if (c->opt->force_path == 2 || c->has_quotes) {
        if (first)
            libcsv_begin(c);
        if (!c->stop)
            libcsv_feed(c);
        if (last || c->stop)
            libcsv_end(c);
    } else if (c->opt->force_path == 3) {
        parse_fast(c);
    } else {
        parse_rows(c);
    }
}

/* Parse bytes [a, b) of src: in one piece from memory, or read in blocks
 * that end at a newline, the partial line carried to the next block. */
static void chunk_run(chunk *c, const hz__src *src, size_t a, size_t b,
                      hz__srcbuf *sb)
{
    size_t got;
    if (src->mem != NULL) {
        c->begin = hz__src_view(src, a, b - a, sb, &got);
        c->end = c->begin + got;
        chunk_block(c, true, true);
        return;
    }
    size_t carry = 0, pos = a, block = hz__src_block(src);
    bool first = true;
    for (;;) {
        if (hz__srcbuf_reserve(sb, carry + block, carry) != 0) {
            c->status = HZ_ENOMEM;
            c->stop = true;
            break;
        }
        size_t want = b - pos < block ? b - pos : block;
        hz__srcbuf tail = {sb->p + carry, sb->cap - carry};
        if (want > 0 && hz__src_view(src, pos, want, &tail, &got) == NULL) {
            c->status = HZ_EIO;
            c->io_errno = errno;
            c->stop = true;
            break;
        }
        pos += want;
        size_t have = carry + want, use = have;
        bool last = pos == b;
        if (!last) {
            const char *nl = memrchr(sb->p, '\n', have);
            if (nl == NULL) { /* a line longer than a block */
                carry = have;
                continue;
            }
            use = (size_t)(nl - sb->p) + 1;
        }
        c->begin = sb->p;
        c->end = sb->p + use;
        chunk_block(c, first, last);
        first = false;
        if (c->stop || last)
            break;
        memmove(sb->p, sb->p + use, have - use);
        carry = have - use;
    }
    if (c->lp_open)
        libcsv_end(c);
}

/* Byte counts of a range: newlines, quotes, NULs, and bare CRs (a CR not
 * followed by a newline, which libcsv takes as a row end and the fast
 * paths do not: a chunk with one goes to libcsv). */
typedef struct bytecount {
    size_t nl, nq, nz, ncr;
} bytecount;

static void count_rare(const char *s, size_t i, unsigned mq, unsigned mz,
                       unsigned mr, const char *end, bytecount *bc)
{
    for (; mq; mq &= mq - 1)
        bc->nq++;
    for (; mz; mz &= mz - 1)
        bc->nz++;
    for (; mr; mr &= mr - 1) {
        const char *cr = s + i + (unsigned)__builtin_ctz(mr);
        bc->ncr += cr + 1 == end || cr[1] != '\n';
    }
}

/* Count s[0..n) in one pass; end is where the buffer ends (for the byte
 * after a CR). */
static bytecount count_bytes(const char *s, size_t n, const char *end)
{
    bytecount bc = {0, 0, 0, 0};
    size_t i = 0;
#ifdef __SSE2__
    /* Newlines are counted in byte lanes (a matching lane subtracts -1)
     * and folded with SAD every 255 blocks; quotes, NULs and CRs are rare
     * and only looked at when present. */
    const __m128i vnl = _mm_set1_epi8('\n'), vq = _mm_set1_epi8('"'),
                  vr = _mm_set1_epi8('\r'), vz = _mm_setzero_si128();
    while (i + 16 <= n) {
        __m128i acc = _mm_setzero_si128();
        size_t stop = i + 255 * 16;
        if (stop > n - n % 16)
            stop = n - n % 16;
        for (; i + 16 <= stop; i += 16) {
            __m128i x = _mm_loadu_si128((const __m128i *)(s + i));
            acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(x, vnl));
            __m128i q = _mm_cmpeq_epi8(x, vq), z = _mm_cmpeq_epi8(x, vz),
                    r = _mm_cmpeq_epi8(x, vr);
            if (__builtin_expect(_mm_movemask_epi8(
                                     _mm_or_si128(_mm_or_si128(q, z), r)) != 0,
                                 0))
                count_rare(s, i, (unsigned)_mm_movemask_epi8(q),
                           (unsigned)_mm_movemask_epi8(z),
                           (unsigned)_mm_movemask_epi8(r), end, &bc);
        }
        __m128i sad = _mm_sad_epu8(acc, vz);
        bc.nl += (size_t)_mm_cvtsi128_si64(sad) +
                 (size_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(sad, sad));
    }
#endif
    for (; i < n; i++) {
        bc.nl += s[i] == '\n';
        bc.nq += s[i] == '"';
        bc.nz += s[i] == '\0';
        bc.ncr += s[i] == '\r' && (s + i + 1 == end || s[i + 1] != '\n');
    }
    return bc;
}

/* Counts of bytes [a, b) of src, read in blocks; *rderr is set to errno
 * on a read error. */
static bytecount count_range(const hz__src *src, size_t a, size_t b,
                             hz__srcbuf *buf, int *rderr)
{
    bytecount t = {0, 0, 0, 0};
    for (size_t off = a; off < b;) {
        size_t blk = hz__src_block(src);
        size_t n = b - off < blk ? b - off : blk, got;
        /* one byte more, when there is one, to see what follows a CR */
        const char *p = hz__src_view(src, off, n + 1, buf, &got);
        if (p == NULL) {
            *rderr = errno ? errno : EIO;
            return t;
        }
        bytecount bc = count_bytes(p, n, p + got);
        t.nl += bc.nl;
        t.nq += bc.nq;
        t.nz += bc.nz;
        t.ncr += bc.ncr;
        off += n;
    }
    return t;
}

/* Line (1-based, within src) of the first NUL byte; 0 on a read error. */
static size_t nul_line(const hz__src *src, hz__srcbuf *buf)
{
    size_t line = 1;
    for (size_t off = 0; off < src->len;) {
        size_t n;
        const char *p = hz__src_view(src, off, hz__src_block(src), buf, &n);
        if (p == NULL)
            return 0;
        const char *z = memchr(p, '\0', n);
        size_t upto = z ? (size_t)(z - p) : n;
        for (const char *q = p; (q = memchr(q, '\n', upto - (size_t)(q - p)));
             q++)
            line++;
        if (z != NULL)
            break;
        off += n;
    }
    return line;
}

/* ------------------------------------------------------------------ */
/* Reader                                                               */
/* ------------------------------------------------------------------ */

void hz_csv_options_init(hz_csv_options *o)
{
    memset(o, 0, sizeof *o);
}

static char detect_delimiter(const char *s, size_t n)
{
    static const char cands[] = {',', ';', '\t', '|'};
    size_t counts[4][8];
    size_t nlines = 0;
    memset(counts, 0, sizeof counts);
    bool inq = false;
    for (size_t i = 0; i < n && nlines < 8; i++) {
        char ch = s[i];
        if (ch == '"')
            inq = !inq;
        else if (!inq && ch == '\n')
            nlines++;
        else if (!inq)
            for (int k = 0; k < 4; k++)
                if (ch == cands[k])
                    counts[k][nlines]++;
    }
    if (nlines < 8 && n > 0)
        nlines++; /* last line without newline */
    int best = -1;
    size_t best_count = 0;
    for (int k = 0; k < 4; k++) {
        size_t h = counts[k][0];
        if (h == 0)
            continue;
        bool consistent = true;
        for (size_t l = 1; l < nlines && l < 8; l++)
            if (counts[k][l] != h && counts[k][l] != 0)
                consistent = false;
        size_t score = consistent ? h * 2 : h;
        if (score > best_count) {
            best_count = score;
            best = k;
        }
    }
    return best < 0 ? ',' : cands[best];
}

typedef struct header_ctx {
    char **names;
    size_t n, cap;
    bool oom;
    bool done;
} header_ctx;

static void hdr_field(void *data, size_t len, void *ctx)
{
    header_ctx *h = ctx;
    if (h->done)
        return;
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 16;
        char **nm = realloc(h->names, cap * sizeof *nm);
        if (nm == NULL) {
            h->oom = true;
            return;
        }
        h->names = nm;
        h->cap = cap;
    }
    char *s = malloc(len + 1);
    if (s == NULL) {
        h->oom = true;
        return;
    }
    if (len > 0)
        memcpy(s, data, len);
    s[len] = '\0';
    h->names[h->n++] = s;
}

static void hdr_row(int term, void *ctx)
{
    (void)term;
    ((header_ctx *)ctx)->done = true;
}

/* Offset just past the first newline outside quotes, from s[from]. */
static size_t row_end_after(const char *s, size_t n, size_t from, int parity)
{
    for (size_t i = from; i < n; i++) {
        if (s[i] == '"')
            parity ^= 1;
        else if (s[i] == '\n' && parity == 0)
            return i + 1;
    }
    return n;
}

static size_t line_of_offset(const char *s, size_t off)
{
    size_t line = 1;
    for (const char *p = s; p < s + off;) {
        const char *q = memchr(p, '\n', (size_t)(s + off - p));
        if (q == NULL)
            break;
        line++;
        p = q + 1;
    }
    return line;
}

static hz_status parse_body(const char *name, const hz__src *body,
                            size_t body_line, size_t nchunks_wanted,
                            const bytecount *pieces, hz__srcbuf *sbuf,
                            char **names, size_t ncols, const colspec *spec,
                            const hz_csv_options *opt, char delim,
                            hz_dataset **out, hz_csv_report *rep,
                            bool *any_quotes, hz_error *err);

/* The input's first bytes, in memory: enough for the header, the
 * delimiter detection and the rows sampled for inference; grown on
 * demand (4x at a time) up to the whole input. */
#define PREFIX_BYTES ((size_t)1 << 20)
#define INFER_MAX_BYTES ((size_t)8 << 20) /* unquoted sample region */

static const char *prefix_view(const hz__src *src, size_t *plen,
                               hz__srcbuf *pbuf, bool grow)
{
    if (grow)
        *plen = src->len - *plen < 3 * *plen ? src->len : 4 * *plen;
    size_t got;
    const char *p = hz__src_view(src, 0, *plen, pbuf, &got);
    *plen = got;
    return p;
}

/* Sample the first rows of the body (which is prefix[0, plen) of a body of
 * blen bytes) into ev.  Returns 1 when the sample needs more of the body
 * than the prefix holds, 0 when done (*whole: it took every row). */
static int infer_sample(const char *body, size_t plen, size_t blen,
                        size_t ncols, const hz_csv_options *opt, char delim,
                        char **names, evidence *ev, bool *whole)
{
    chunk c;
    memset(&c, 0, sizeof c);
    memset(ev, 0, ncols * sizeof *ev);
    c.begin = body;
    c.end = body + plen;
    c.ncols = ncols;
    c.opt = opt;
    c.delim = delim;
    c.infer = true;
    c.infer_rows = opt->infer_rows ? opt->infer_rows : DEFAULT_INFER_ROWS;
    c.ev = ev;
    c.names = names;
    /* Sample region: enough bytes for infer_rows rows, row-aligned. */
    size_t look = plen < INFER_MAX_BYTES ? plen : INFER_MAX_BYTES;
    bytecount bc = count_bytes(body, look, body + plen);
    int more = 0;
    if (bc.nq > 0 || bc.ncr > 0) {
        /* libcsv: rows end where it says; it sees the whole body when
         * the sample needs it */
        libcsv_begin(&c);
        if (!c.stop)
            libcsv_feed(&c);
        if (!c.stop && plen < blen)
            more = 1;
        else
            libcsv_end(&c);
        if (c.lp_open)
            csv_free(&c.lp);
    } else {
        if (look < blen) {
            const char *nl = memrchr(body, '\n', look);
            c.end = nl ? nl + 1 : body + look;
        }
        parse_fast(&c);
        if (!c.stop && c.end < body + blen) {
            if (plen < blen && look < INFER_MAX_BYTES)
                more = 1;
            c.stop = true; /* sampled part of the file only */
        }
    }
    *whole = !c.stop;
    free(c.scratch);
    return more;
}

static hz_status read_source(const hz__src *in, const char *name,
                             const hz_csv_options *opt_in, hz_dataset **out,
                             hz_csv_report *report, hz_error *err)
{
    hz_csv_options defopt;
    hz_csv_report dummy;
    hz_status st = HZ_OK;
    header_ctx hdr = {0};
    colspec *spec = NULL;
    evidence *ev = NULL;
    hz__srcbuf pbuf = {NULL, 0};
    hz__srcbuf *sbuf = NULL; /* one read buffer per thread */
    bytecount *sub = NULL, *pieces = NULL;
    int nthreads_alloc = 0;
    const hz_csv_options *opt = opt_in;
    if (opt == NULL) {
        hz_csv_options_init(&defopt);
        opt = &defopt;
    }
    if (report == NULL)
        report = &dummy;
    memset(report, 0, sizeof *report);
    report->bytes = in->len;
    *out = NULL;

    double tstart = hz_now();
    hz__src src = *in;
    size_t plen = src.len < PREFIX_BYTES ? src.len : PREFIX_BYTES;
    const char *buf = prefix_view(&src, &plen, &pbuf, false);
    if (buf == NULL)
        goto ioerr;
    if (plen >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
        src = hz__src_sub(&src, 3, src.len - 3);
        buf += 3;
        plen -= 3;
    }
    const size_t len = src.len;
    if (len == 0) {
        st = hz_error_set(err, HZ_EPARSE,
                          "%s: empty file: expected a header row", name);
        goto out;
    }
    /* Binary data in the header region; the body is checked while it is
     * split into chunks. */
    {
        size_t head = plen < 65536 ? plen : 65536;
        const char *nul = memchr(buf, '\0', head);
        if (nul != NULL) {
            st = hz_error_set(err, HZ_EPARSE,
                              "%s:%zu: binary data (NUL "
                              "byte at offset %zu): not a text CSV file",
                              name, line_of_offset(buf, (size_t)(nul - buf)),
                              (size_t)(nul - buf));
            goto out;
        }
    }
    /* Header (the prefix grows until it holds the whole header row). */
    size_t hend;
    while ((hend = row_end_after(buf, plen, 0, 0)) == plen && plen < len)
        if ((buf = prefix_view(&src, &plen, &pbuf, true)) == NULL)
            goto ioerr;
    char delim = opt->delimiter ? opt->delimiter : detect_delimiter(buf, plen);
    report->delimiter = delim;
    {
        struct csv_parser p;
        if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) !=
            0) {
            st = hz_error_set(err, HZ_ENOMEM, "out of memory");
            goto out;
        }
        csv_set_delim(&p, (unsigned char)delim);
        csv_set_space_func(&p, no_space);
        size_t used = csv_parse(&p, buf, hend, hdr_field, hdr_row, &hdr);
        int bad = used != hend || csv_fini(&p, hdr_field, hdr_row, &hdr) != 0;
        csv_free(&p);
        if (hdr.oom) {
            st = hz_error_set(err, HZ_ENOMEM, "out of memory");
            goto out;
        }
        if (bad) {
            st = hz_error_set(err, HZ_EPARSE,
                              "%s:1:%zu: malformed header "
                              "row (unterminated or misplaced quote)",
                              name, hdr.n + 1);
            goto out;
        }
    }
    for (size_t j = 0; j < hdr.n; j++) {
        /* trim a trailing CR kept by a quoted last name */
        size_t l = strlen(hdr.names[j]);
        while (l > 0 &&
               (hdr.names[j][l - 1] == '\r' || hdr.names[j][l - 1] == ' '))
            hdr.names[j][--l] = '\0';
        if (l == 0) {
            st = hz_error_set(err, HZ_EPARSE,
                              "%s:1:%zu: empty column name "
                              "in the header row",
                              name, j + 1);
            goto out;
        }
        for (size_t k = 0; k < j; k++)
            if (strcmp(hdr.names[k], hdr.names[j]) == 0) {
                st = hz_error_set(err, HZ_EPARSE,
                                  "%s:1:%zu: duplicate "
                                  "column name '%s' (also column %zu)",
                                  name, j + 1, hdr.names[j], k + 1);
                goto out;
            }
    }
    if (hdr.n == 0) {
        st = hz_error_set(err, HZ_EPARSE, "%s:1: empty header row", name);
        goto out;
    }
    size_t ncols = hdr.n;
    const size_t blen = len - hend;
    size_t body_line = line_of_offset(buf, hend);
    hz__src body = hz__src_sub(&src, hend, blen);
    /* Only blank lines after the header? */
    {
        bool any = false;
        for (size_t i = hend; i < plen && !any; i++)
            any = !(buf[i] == '\n' || buf[i] == '\r');
        hz__srcbuf tmp = {NULL, 0};
        for (size_t off = plen - hend; off < blen && !any;) {
            size_t n;
            const char *p = hz__src_view(&body, off, hz__src_block(&body),
                                         &tmp, &n);
            if (p == NULL) {
                hz__srcbuf_free(&tmp);
                goto ioerr;
            }
            for (size_t i = 0; i < n && !any; i++)
                any = !(p[i] == '\n' || p[i] == '\r');
            off += n;
        }
        hz__srcbuf_free(&tmp);
        if (!any) {
            st = hz_error_set(err, HZ_EPARSE,
                              "%s: no data rows (the file "
                              "has a header row only)",
                              name);
            goto out;
        }
    }

    /* One chunk per thread: every further chunk repeats the work of its
     * string dictionaries and their merge, which costs more than the
     * better balance gains (the 50 MB benchmark file on 2 threads: 2
     * chunks 0.058 s, 4 chunks 0.061 s, 8 chunks 0.067 s; see
     * bench/bench_ingest.c).  Results do not depend on the count. */
    int nthreads = opt->threads > 0 ? opt->threads : omp_get_max_threads();
    size_t nchunks;
    if (opt->chunk_bytes)
        nchunks = blen / opt->chunk_bytes + 1;
    else {
        nchunks = blen / DEFAULT_CHUNK_BYTES + 1;
        if (nchunks > (size_t)nthreads)
            nchunks = (size_t)nthreads;
    }

    /* Type inference over the first rows runs on one thread while the
     * others make the first read of the body, counting newlines, quotes,
     * NULs and bare CRs of each chunk's piece in smaller parts (so the
     * inferring thread can still take some). */
    spec = calloc(ncols, sizeof *spec);
    ev = calloc(ncols, sizeof *ev);
    sbuf = calloc((size_t)nthreads, sizeof *sbuf);
    nthreads_alloc = sbuf ? nthreads : 0;
    const size_t nsub = nchunks * COUNT_PARTS;
    sub = calloc(nsub, sizeof *sub);
    pieces = calloc(nchunks, sizeof *pieces);
    if (!spec || !ev || !sbuf || !sub || !pieces) {
        st = hz_error_set(err, HZ_ENOMEM, "out of memory");
        goto out;
    }
    {
        bool whole = false;
        int infer_err = 0, rderr = 0;
        const size_t piece = blen / nchunks;
#pragma omp parallel num_threads(nthreads)
        {
#pragma omp single nowait
            {
                while (infer_sample(buf + hend, plen - hend, blen, ncols, opt,
                                    delim, hdr.names, ev, &whole))
                    if ((buf = prefix_view(&src, &plen, &pbuf, true)) ==
                        NULL) {
                        infer_err = errno ? errno : EIO;
                        break;
                    }
            }
#pragma omp for schedule(dynamic, 1) nowait
            for (size_t i = 0; i < nsub; i++) {
                size_t k = i / COUNT_PARTS, part = i % COUNT_PARTS;
                size_t a = k * piece,
                       b = k + 1 == nchunks ? blen : (k + 1) * piece;
                size_t step = (b - a) / COUNT_PARTS;
                size_t sa = a + part * step;
                size_t sb = part + 1 == COUNT_PARTS ? b : sa + step;
                int e = 0;
                sub[i] = count_range(&body, sa, sb,
                                     &sbuf[omp_get_thread_num()], &e);
                if (e != 0) {
#pragma omp atomic write
                    rderr = e;
                }
            }
        }
        if (infer_err != 0 || rderr != 0) {
            errno = infer_err ? infer_err : rderr;
            goto ioerr;
        }
        for (size_t i = 0; i < nsub; i++) {
            bytecount *p = &pieces[i / COUNT_PARTS];
            p->nl += sub[i].nl;
            p->nq += sub[i].nq;
            p->nz += sub[i].nz;
            p->ncr += sub[i].ncr;
        }
        for (size_t j = 0; j < ncols; j++)
            spec[j] = evidence_resolve(&ev[j], whole);
    }
    hz__srcbuf_free(&pbuf);
    for (size_t k = 0; k < opt->noverrides; k++) {
        const hz_schema_override *o = &opt->overrides[k];
        size_t j;
        for (j = 0; j < ncols; j++)
            if (strcmp(hdr.names[j], o->column) == 0)
                break;
        if (j == ncols) {
            st = hz_error_set(err, HZ_EINVAL,
                              "--schema: no column '%s' in "
                              "%s",
                              o->column, name);
            goto out;
        }
        spec[j].type = o->type;
        spec[j].overridden = true;
        spec[j].fmt = o->datefmt;
        if ((o->type == HZ_TYPE_DATE || o->type == HZ_TYPE_TIMESTAMP) &&
            o->datefmt == HZ_DATEFMT_NONE)
            spec[j].fmt = ev[j].fmt != HZ_DATEFMT_NONE ? ev[j].fmt
                                                       : HZ_DATEFMT_ISO;
    }

    report->t_infer = hz_now() - tstart;
    bool quotes = false;
    st = parse_body(name, &body, body_line, nchunks, pieces, sbuf, hdr.names,
                    ncols, spec, opt, delim, out, report, &quotes, err);
    if (st == HZ_EPARSE && nchunks > 1 && quotes) {
        /* A chunked parse of a file with quotes failed: the serial parse
         * decides which error is the first. */
        hz_error_clear(err);
        report->rows_skipped = 0;
        report->nreported = 0;
        report->chunks_fast = report->chunks_libcsv = 0;
        for (size_t k = 1; k < nchunks; k++) {
            pieces[0].nl += pieces[k].nl;
            pieces[0].nq += pieces[k].nq;
            pieces[0].nz += pieces[k].nz;
            pieces[0].ncr += pieces[k].ncr;
        }
        st = parse_body(name, &body, body_line, 1, pieces, sbuf, hdr.names,
                        ncols, spec, opt, delim, out, report, &quotes, err);
    }
    goto out;
ioerr:
    st = hz_error_set(err, HZ_EIO, "%s: could not read file: %s", name,
                      strerror(errno ? errno : EIO));
out:
    hz__srcbuf_free(&pbuf);
    if (sbuf != NULL)
        for (int t = 0; t < nthreads_alloc; t++)
            hz__srcbuf_free(&sbuf[t]);
    free(sbuf);
    free(sub);
    free(pieces);
    for (size_t j = 0; j < hdr.n; j++)
        free(hdr.names[j]);
    free(hdr.names);
    free(spec);
    free(ev);
    return st;
}

hz_status hz_csv_read_buffer(const char *buf, size_t len, const char *name,
                             const hz_csv_options *opt, hz_dataset **out,
                             hz_csv_report *report, hz_error *err)
{
    hz__src src = {buf, -1, 0, len, 0};
    return read_source(&src, name, opt, out, report, err);
}

static hz_status parse_body(const char *name, const hz__src *body,
                            size_t body_line, size_t nchunks_wanted,
                            const bytecount *pieces, hz__srcbuf *sbuf,
                            char **names, size_t ncols, const colspec *spec,
                            const hz_csv_options *opt, char delim,
                            hz_dataset **out, hz_csv_report *rep,
                            bool *any_quotes, hz_error *err)
{
    hz_status st = HZ_OK;
    size_t nch = nchunks_wanted ? nchunks_wanted : 1;
    const size_t blen = body->len;
    /* read by the num_threads clause, which the analyzer does not see:
     * NOLINTNEXTLINE(clang-analyzer-deadcode.DeadStores) */
    int threads = opt->threads > 0 ? opt->threads : omp_get_max_threads();
    chunk *ch = calloc(nch, sizeof *ch);
    size_t *bound = calloc(nch + 1, sizeof *bound);
    size_t *qcount = calloc(nch, sizeof *qcount);
    size_t *first = calloc(nch + 1, sizeof *first);
    unsigned char **cols = calloc(ncols, sizeof *cols);
    unsigned char *block = NULL;
    bytecount *pc = calloc(2 * (nch + 1), sizeof *pc);
    bytecount *at = pc != NULL ? pc + (nch + 1) : NULL;
    hz_dataset *ds = NULL;
    uint32_t **remap = NULL;
    int rderr = 0;
    if (!ch || !bound || !qcount || !first || !cols || !pc) {
        st = hz_error_set(err, HZ_ENOMEM, "out of memory");
        goto out;
    }
    /* pieces[k]: counts of newlines, quotes, NULs and bare CRs of the k-th
     * equal piece (read by the caller); quote parity then gives
     * row-aligned chunk boundaries, and short scans from the piece starts
     * give each chunk's exact counts. */
    double t0 = hz_now();
    size_t piece = blen / nch;
    size_t nuls = 0;
    for (size_t k = 0; k < nch; k++) {
        pc[k + 1] = pieces[k];
        nuls += pieces[k].nz;
    }
    if (nuls > 0) {
        size_t line = nul_line(body, &sbuf[0]);
        st = hz_error_set(err, HZ_EPARSE,
                          "%s:%zu: binary data (NUL byte): "
                          "not a text CSV file",
                          name, body_line - 1 + line);
        goto out;
    }
    for (size_t k = 0; k < nch; k++) { /* prefix sums */
        pc[k + 1].nl += pc[k].nl;
        pc[k + 1].nq += pc[k].nq;
        pc[k + 1].ncr += pc[k].ncr;
    }
    *any_quotes = pc[nch].nq > 0;
    bound[0] = 0;
    bound[nch] = blen;
#pragma omp parallel for num_threads(threads) schedule(static)                \
    reduction(|                                                               \
              : rderr)
    for (size_t k = 1; k < nch; k++) {
        bound[k] = hz__src_row_end(body, k * piece, (int)(pc[k].nq & 1),
                                   &sbuf[omp_get_thread_num()]);
        if (bound[k] == (size_t)-1) {
            rderr = errno ? errno : EIO;
            bound[k] = blen;
        }
    }
    for (size_t k = 1; k <= nch; k++)
        if (bound[k] < bound[k - 1])
            bound[k] = bound[k - 1];
/* Every row ends at a newline, a bare CR (libcsv) or the end: those
     * bound a chunk's rows, so chunks write straight into the final
     * arrays. */
#pragma omp parallel for num_threads(threads) schedule(static)                \
    reduction(|                                                               \
              : rderr)
    for (size_t k = 0; k <= nch; k++) {
        size_t x = bound[k], m = piece ? x / piece : 0;
        if (x == blen) {
            at[k] = pc[nch];
            continue;
        }
        if (m >= nch)
            m = nch - 1;
        bytecount bc = count_range(body, m * piece, x,
                                   &sbuf[omp_get_thread_num()], &rderr);
        at[k].nl = pc[m].nl + bc.nl;
        at[k].nq = pc[m].nq + bc.nq;
        at[k].ncr = pc[m].ncr + bc.ncr;
    }
    for (size_t k = 0; k < nch && rderr == 0; k++) {
        size_t n = bound[k + 1] - bound[k], got;
        ch[k].lines_total = at[k + 1].nl - at[k].nl;
        ch[k].has_quotes = at[k + 1].nq > at[k].nq ||
                           at[k + 1].ncr > at[k].ncr;
        const char *lastc = n > 0 ? hz__src_view(body, bound[k + 1] - 1, 1,
                                                 &sbuf[0], &got)
                                  : "\n";
        if (lastc == NULL)
            rderr = errno ? errno : EIO;
        else
            qcount[k] = ch[k].lines_total + (at[k + 1].ncr - at[k].ncr) +
                        (*lastc != '\n');
    }
    if (rderr != 0) {
        st = hz_error_set(err, HZ_EIO, "%s: could not read file: %s", name,
                          strerror(rderr));
        goto out;
    }
    for (size_t k = 0; k < nch; k++)
        first[k + 1] = first[k] + qcount[k];
    size_t cap_rows = first[nch];
    /* All value arrays in one block: every array of its own would round
     * up to whole huge pages, and a partly used huge page is still zeroed
     * whole when first touched. */
    size_t block_len = 0;
    for (size_t j = 0; j < ncols; j++) {
        block_len = (block_len + 63) / 64 * 64;
        block_len += (cap_rows ? cap_rows : 1) * type_width(spec[j].type);
    }
    block = hz__alloc_large(block_len);
    if (block == NULL) {
        st = hz_error_set(err, HZ_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t j = 0, off = 0; j < ncols; j++) {
        off = (off + 63) / 64 * 64;
        cols[j] = block + off;
        off += (cap_rows ? cap_rows : 1) * type_width(spec[j].type);
    }
    for (size_t k = 0; k < nch; k++) {
        chunk *c = &ch[k];
        c->opt = opt;
        c->delim = delim;
        c->names = names;
        if (chunk_init(c, ncols, spec, cols, first[k], qcount[k]) != 0) {
            st = hz_error_set(err, HZ_ENOMEM, "out of memory");
            goto out;
        }
    }
    double t1 = hz_now();
    rep->t_split = t1 - t0;
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)
    for (size_t k = 0; k < nch; k++)
        if (bound[k + 1] > bound[k])
            chunk_run(&ch[k], body, bound[k], bound[k + 1],
                      &sbuf[omp_get_thread_num()]);
    double t2 = hz_now();
    rep->t_parse = t2 - t1;

    /* Line numbers, errors, reports (in file order). */
    {
        size_t line = body_line;
        for (size_t k = 0; k < nch; k++) {
            chunk *c = &ch[k];
            if (c->used_libcsv)
                rep->chunks_libcsv++;
            else if (bound[k + 1] > bound[k])
                rep->chunks_fast++;
            if (c->status == HZ_EIO) {
                st = hz_error_set(err, HZ_EIO, "%s: could not read file: %s",
                                  name, strerror(c->io_errno));
                goto out;
            }
            if (c->status == HZ_ENOMEM || c->status == HZ_EINTERNAL) {
                st = hz_error_set(err, c->status, "%s: %s while parsing", name,
                                  hz_strerror(c->status));
                goto out;
            }
            if (c->status == HZ_EPARSE) {
                st = hz_error_set(err, HZ_EPARSE, "%s:%zu:%zu: %s", name,
                                  line + c->fatal.rel_line, c->fatal.field,
                                  c->fatal.msg);
                goto out;
            }
            for (size_t r = 0; r < c->nrep; r++) {
                if (rep->nreported < HZ_CSV_MAX_REPORTED)
                    snprintf(rep->reported[rep->nreported++], HZ_ERROR_MAX,
                             "%s:%zu:%zu: %s", name, line + c->rep[r].rel_line,
                             c->rep[r].field, c->rep[r].msg);
            }
            rep->rows_skipped += c->skipped;
            line += c->lines_total;
        }
    }
    if (opt->on_error == HZ_ON_ERROR_SKIP && nch > 1 && *any_quotes) {
        for (size_t k = 0; k < nch; k++)
            if (ch[k].structural) {
                st = HZ_EPARSE; /* caller re-parses serially */
                hz_error_set(err, st, "%s: structural error", name);
                goto out;
            }
    }

    size_t nrows = 0;
    for (size_t k = 0; k < nch; k++)
        nrows += ch[k].nrows;
    if (nrows == 0) {
        st = hz_error_set(err, HZ_EPARSE,
                          "%s: no data rows left (%zu rows "
                          "skipped as malformed)",
                          name, rep->rows_skipped);
        goto out;
    }
    ds = hz_dataset_new(nrows);
    remap = calloc(nch * ncols, sizeof *remap);
    if (ds == NULL || remap == NULL) {
        st = hz_error_set(err, HZ_ENOMEM, "out of memory");
        goto out;
    }
    ds->source = strdup(name);
    ds->cols = calloc(ncols, sizeof *ds->cols);
    if (ds->cols == NULL || ds->source == NULL) {
        st = hz_error_set(err, HZ_ENOMEM, "out of memory");
        goto out;
    }
    ds->ncols = ncols;
    for (size_t j = 0; j < ncols; j++) {
        hz_column *col = &ds->cols[j];
        col->name = strdup(names[j]);
        col->type = spec[j].type;
        col->datefmt = spec[j].fmt;
        bool any_null = false;
        for (size_t k = 0; k < nch; k++) {
            if (ch[k].spec[j].type == HZ_TYPE_FLOAT64 &&
                spec[j].type == HZ_TYPE_INT64)
                col->type = HZ_TYPE_FLOAT64;
            col->nulls += ch[k].nulls[j];
            any_null |= ch[k].valid[j] != NULL;
        }
        if (any_null)
            col->valid = hz__alloc_large(nrows);
        if (col->name == NULL || (any_null && col->valid == NULL)) {
            st = hz_error_set(err, HZ_ENOMEM, "out of memory");
            goto out;
        }
    }
    /* Dictionaries, merged in chunk order.  The first chunk's dictionary
     * becomes the final one (its codes stay as they are); the later
     * chunks' strings are first looked up in it, all in parallel, and only
     * those it lacks are then appended, chunk by chunk. */
    int oom = 0;
    for (size_t j = 0; j < ncols; j++) {
        if (spec[j].type != HZ_TYPE_STRING)
            continue;
        ds->cols[j].dict = ch[0].dicts[j];
        ch[0].dicts[j] = NULL;
        for (size_t k = 1; k < nch; k++) {
            size_t n = hz_dict_size(ch[k].dicts[j]);
            remap[k * ncols + j] = malloc((n ? n : 1) * sizeof(uint32_t));
            if (remap[k * ncols + j] == NULL)
                oom = 1;
        }
    }
    if (oom) {
        st = hz_error_set(err, HZ_ENOMEM, "out of memory");
        goto out;
    }
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1) collapse(2)
    for (size_t k = 1; k < nch; k++)
        for (size_t j = 0; j < ncols; j++)
            if (spec[j].type == HZ_TYPE_STRING)
                hz__dict_find_all(ds->cols[j].dict, ch[k].dicts[j],
                                  remap[k * ncols + j]);
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1)            \
    reduction(|                                                               \
              : oom)
    for (size_t j = 0; j < ncols; j++)
        for (size_t k = 1; k < nch && !oom; k++)
            if (spec[j].type == HZ_TYPE_STRING &&
                hz__dict_add_missing(ds->cols[j].dict, ch[k].dicts[j],
                                     remap[k * ncols + j]) != 0)
                oom = 1;
    if (oom) {
        st = hz_error_set(err, HZ_ENOMEM, "out of memory");
        goto out;
    }
/* In place: global string codes, int64 -> float64 where another chunk
     * promoted the column, nulls of string codes set to 0. */
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1) collapse(2)
    for (size_t k = 0; k < nch; k++) {
        for (size_t j = 0; j < ncols; j++) {
            chunk *c = &ch[k];
            hz_column *col = &ds->cols[j];
            size_t n = c->nrows;
            const uint8_t *vl = c->valid[j];
            if (col->type == HZ_TYPE_STRING) {
                uint32_t *v = (uint32_t *)c->vals[j];
                const uint32_t *m = remap[k * ncols + j];
                if (m == NULL) /* the first chunk: codes are final, and
                                   a null's is already 0 */
                    continue;
                if (vl == NULL)
                    for (size_t r = 0; r < n; r++)
                        v[r] = m[v[r]];
                else
                    for (size_t r = 0; r < n; r++)
                        v[r] = vl[r] ? m[v[r]] : 0;
            } else if (col->type == HZ_TYPE_FLOAT64 &&
                       c->spec[j].type == HZ_TYPE_INT64) {
                const int64_t *src = (const int64_t *)c->vals[j];
                double *dst = (double *)c->vals[j];
                for (size_t r = 0; r < n; r++) {
                    double d = (vl && !vl[r]) ? NAN : (double)src[r];
                    dst[r] = d;
                }
            }
        }
    }
    /* Close the gaps left by blank lines, skipped rows and quoted
     * newlines, then hand the arrays to the dataset. */
    {
        size_t dst = 0;
        for (size_t k = 0; k < nch; k++) {
            chunk *c = &ch[k];
            for (size_t j = 0; j < ncols; j++) {
                size_t w = type_width(ds->cols[j].type);
                if (dst != first[k] && c->nrows > 0)
                    memmove(cols[j] + dst * w, cols[j] + first[k] * w,
                            c->nrows * w);
                if (ds->cols[j].valid != NULL) {
                    if (c->valid[j] != NULL)
                        memcpy(ds->cols[j].valid + dst, c->valid[j], c->nrows);
                    else
                        memset(ds->cols[j].valid + dst, 1, c->nrows);
                }
            }
            dst += c->nrows;
        }
        if (nrows + nrows / 8 < cap_rows) {
            /* Many lines were not rows (skipped, blank, quoted newlines):
             * exact-size arrays of their own. */
            for (size_t j = 0; j < ncols; j++) {
                size_t len = nrows * type_width(ds->cols[j].type);
                void *p = hz__alloc_large(len);
                if (p == NULL) {
                    for (size_t i = 0; i < j; i++) {
                        free(ds->cols[i].v.raw);
                        ds->cols[i].v.raw = NULL;
                    }
                    st = hz_error_set(err, HZ_ENOMEM, "out of memory");
                    goto out;
                }
                memcpy(p, cols[j], len);
                ds->cols[j].v.raw = p;
            }
        } else {
            for (size_t j = 0; j < ncols; j++)
                ds->cols[j].v.raw = cols[j];
            ds->block = block;
            ds->block_len = block_len;
            block = NULL;
        }
    }
    rep->rows_read = nrows;
    rep->t_merge = hz_now() - t2;
    *out = ds;
    ds = NULL;
out:
    if (remap != NULL) {
        for (size_t i = 0; i < nch * ncols; i++)
            free(remap[i]);
        free(remap);
    }
    if (ch != NULL) {
        for (size_t k = 0; k < nch; k++)
            chunk_free(&ch[k]);
        free(ch);
    }
    free(block);
    free(cols);
    free(first);
    free(bound);
    free(qcount);
    free(pc);
    hz_dataset_free(ds);
    return st;
}

hz_status hz_csv_read(const char *path, const hz_csv_options *opt,
                      hz_dataset **out, hz_csv_report *report, hz_error *err)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return hz_error_set(err, HZ_EIO, "%s: could not open file: %s", path,
                            strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        int e = errno;
        close(fd);
        return hz_error_set(err, HZ_EIO, "%s: could not stat file: %s", path,
                            strerror(e));
    }
    if (S_ISDIR(sb.st_mode)) {
        close(fd);
        return hz_error_set(err, HZ_EIO, "%s: is a directory, not a CSV file",
                            path);
    }
    hz_status st;
    if (S_ISREG(sb.st_mode) && sb.st_size > 0) {
        /* Read in blocks as it is parsed: the text is never in memory
         * whole (see csv_source.h). */
        hz__src src = {NULL, fd, 0, (size_t)sb.st_size,
                       opt ? opt->block_bytes : 0};
        st = read_source(&src, path, opt, out, report, err);
        close(fd);
        return st;
    }
    /* Pipes, empty files and other non-regular inputs: read it all. */
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    if (buf == NULL) {
        close(fd);
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    }
    for (;;) {
        if (len == cap) {
            char *b = realloc(buf, cap * 2);
            if (b == NULL) {
                free(buf);
                close(fd);
                return hz_error_set(err, HZ_ENOMEM, "out of memory");
            }
            buf = b;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + len, cap - len);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            free(buf);
            close(fd);
            return hz_error_set(err, HZ_EIO, "%s: could not read file: %s",
                                path, strerror(e));
        }
        if (r == 0)
            break;
        len += (size_t)r;
    }
    close(fd);
    st = hz_csv_read_buffer(buf, len, path, opt, out, report, err);
    free(buf);
    return st;
}

/* ------------------------------------------------------------------ */
/* Schema overrides and writing                                         */
/* ------------------------------------------------------------------ */

hz_status hz_schema_overrides_parse(const char *spec, hz_schema_override **out,
                                    size_t *n, hz_error *err)
{
    *out = NULL;
    *n = 0;
    char *copy = strdup(spec);
    if (copy == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    size_t cap = 1;
    for (const char *p = spec; *p; p++)
        cap += *p == ',';
    hz_schema_override *o = calloc(cap, sizeof *o);
    if (o == NULL) {
        free(copy);
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    }
    hz_status st = HZ_OK;
    size_t k = 0;
    char *save = NULL;
    for (char *item = strtok_r(copy, ",", &save); item != NULL;
         item = strtok_r(NULL, ",", &save)) {
        char *colon = strrchr(item, ':');
        char *type = colon ? colon + 1 : NULL;
        hz_datefmt fmt = HZ_DATEFMT_NONE;
        if (colon != NULL && colon > item) {
            /* "col:date:mdy" -> type "date", format "mdy" */
            char *prev = colon - 1;
            while (prev > item && *prev != ':')
                prev--;
            if (*prev == ':' && (strcasecmp(type, "iso") == 0 ||
                                 strcasecmp(type, "ymd") == 0 ||
                                 strcasecmp(type, "mdy") == 0)) {
                fmt = strcasecmp(type, "iso") == 0   ? HZ_DATEFMT_ISO
                      : strcasecmp(type, "ymd") == 0 ? HZ_DATEFMT_YMD_SLASH
                                                     : HZ_DATEFMT_MDY_SLASH;
                *colon = '\0';
                colon = prev;
                type = prev + 1;
            }
        }
        if (colon == NULL || colon == item || *type == '\0') {
            st = hz_error_set(err, HZ_EINVAL,
                              "--schema: expected "
                              "'column:type', got '%s'",
                              item);
            break;
        }
        *colon = '\0';
        hz_type t;
        if (!hz_type_parse(type, &t)) {
            st = hz_error_set(err, HZ_EINVAL,
                              "--schema: unknown type '%s' "
                              "for column '%s' (int64, float64, bool, date, "
                              "timestamp, string)",
                              type, item);
            break;
        }
        if (fmt != HZ_DATEFMT_NONE && t != HZ_TYPE_DATE &&
            t != HZ_TYPE_TIMESTAMP) {
            st = hz_error_set(err, HZ_EINVAL,
                              "--schema: a date format only "
                              "applies to date/timestamp (column '%s')",
                              item);
            break;
        }
        o[k].column = strdup(item);
        if (o[k].column == NULL) {
            st = hz_error_set(err, HZ_ENOMEM, "out of memory");
            break;
        }
        o[k].type = t;
        o[k].datefmt = fmt;
        k++;
    }
    free(copy);
    if (st != HZ_OK) {
        hz_schema_overrides_free(o, k);
        return st;
    }
    *out = o;
    *n = k;
    return HZ_OK;
}

void hz_schema_overrides_free(hz_schema_override *o, size_t n)
{
    if (o == NULL)
        return;
    for (size_t k = 0; k < n; k++)
        free((char *)o[k].column);
    free(o);
}

hz_status hz_csv_write(const hz_dataset *ds, FILE *f, hz_error *err)
{
    char buf[64];
    for (size_t j = 0; j < ds->ncols; j++) {
        if (j)
            fputc(',', f);
        hz__csv_field(f, ds->cols[j].name);
    }
    fputc('\n', f);
    for (size_t r = 0; r < ds->nrows; r++) {
        for (size_t j = 0; j < ds->ncols; j++) {
            if (j)
                fputc(',', f);
            const hz_column *c = &ds->cols[j];
            if (hz_col_is_null(c, r))
                continue;
            const char *s = hz_col_text(c, r, buf, sizeof buf);
            if (c->type == HZ_TYPE_STRING && s != NULL && s[0] == '\0')
                fputs("\"\"", f);
            else
                hz__csv_field(f, s);
        }
        fputc('\n', f);
    }
    if (ferror(f))
        return hz_error_set(err, HZ_EIO, "could not write CSV: %s",
                            strerror(errno));
    return HZ_OK;
}
