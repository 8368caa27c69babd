/* Design matrices from datasets: numbers as they are, text one-hot,
 * standardised; or the features of a saved model applied to new data.
 * See logreg.h. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "horizon/logreg.h"
#include "horizon/outfile.h"
#include "analytics/analytics_internal.h"

void hz_design_free(hz_design *d)
{
    if (d == NULL)
        return;
    free(d->X);
    free(d->y);
    free(d->row);
    for (size_t j = 0; j < d->p; j++) {
        if (d->names)
            free(d->names[j]);
        if (d->column)
            free(d->column[j]);
        if (d->level)
            free(d->level[j]);
    }
    free(d->names);
    free(d->column);
    free(d->level);
    free(d->mean);
    free(d->sd);
    memset(d, 0, sizeof *d);
}

static bool parse_num(const char *s, double *v)
{
    while (isspace((unsigned char)*s))
        s++;
    if (*s == '\0')
        return false;
    char *end;
    *v = strtod(s, &end);
    while (isspace((unsigned char)*end))
        end++;
    return *end == '\0' && isfinite(*v);
}

static bool blank(const char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    return *s == '\0';
}

/* Label of a cell: 1, 0, or -1 when null/unknown. */
static int label_of(const hz_column *c, size_t row)
{
    if (hz_col_is_null(c, row))
        return -1;
    if (c->type == HZ_TYPE_STRING)
        return hz__parse_flag(hz_dict_str(c->dict, c->v.code[row]));
    double v = hz_col_number(c, row);
    return v == 1.0 ? 1 : v == 0.0 ? 0 : -1;
}

/* Where a feature's values come from. */
typedef struct featsrc {
    const hz_column *col;
    int kind;        /* 0 numeric, 1 one-hot level, 2 numeric text */
    uint32_t level;  /* kind 1: the level's code (UINT32_MAX: absent) */
    double *numtext; /* kind 2: per-code values (NaN = null), owned by the
                        feature whose own flag is set */
    bool own;
} featsrc;

static void featsrc_free(featsrc *fs, size_t nf)
{
    if (fs != NULL)
        for (size_t j = 0; j < nf; j++)
            if (fs[j].own)
                free(fs[j].numtext);
    free(fs);
}

static char *dupstr(const char *a, const char *b)
{
    size_t la = strlen(a), lb = b ? strlen(b) : 0;
    char *s = malloc(la + lb + 2);
    if (s == NULL)
        return NULL;
    memcpy(s, a, la);
    if (b != NULL) {
        s[la] = '=';
        memcpy(s + la + 1, b, lb);
        s[la + 1 + lb] = '\0';
    } else {
        s[la] = '\0';
    }
    return s;
}

static void note_skip(hz_design *d, const char *name, const char *why)
{
    size_t len = strlen(d->skipped);
    snprintf(d->skipped + len, sizeof d->skipped - len, "%s%s (%s)",
             len ? ", " : "", name, why);
}

/* For a text column whose levels are all numbers or blanks: the number
 * of each level (NaN for blanks); NULL otherwise (or *oom). */
static double *numeric_text(const hz_column *col, bool *oom)
{
    size_t L = hz_dict_size(col->dict);
    bool numeric = L > 0;
    double v;
    for (uint32_t l = 0; l < L && numeric; l++) {
        const char *s = hz_dict_str(col->dict, l);
        numeric = blank(s) || parse_num(s, &v);
    }
    if (!numeric)
        return NULL;
    double *nt = malloc(L * sizeof(double));
    if (nt == NULL) {
        *oom = true;
        return NULL;
    }
    for (uint32_t l = 0; l < L; l++)
        if (!parse_num(hz_dict_str(col->dict, l), &nt[l]))
            nt[l] = NAN;
    return nt;
}

static bool push_feature(featsrc **fs, size_t *nf, size_t *cap, featsrc f)
{
    if (*nf == *cap) {
        *cap = *cap ? 2 * *cap : 16;
        featsrc *t = realloc(*fs, *cap * sizeof **fs);
        if (t == NULL)
            return false;
        *fs = t;
    }
    (*fs)[(*nf)++] = f;
    return true;
}

/* One value (or none) in every non-empty cell: a feature whose effect no
 * data can show (its coefficient would be 0 with a made-up interval). */
static bool constant_column(const hz_column *col, size_t nrows,
                            const double *numtext)
{
    bool seen = false;
    double first = 0;
    for (size_t i = 0; i < nrows; i++) {
        if (hz_col_is_null(col, i))
            continue;
        double v = col->type != HZ_TYPE_STRING ? hz_col_number(col, i)
                   : numtext != NULL           ? numtext[col->v.code[i]]
                                     : (double)col->v.code[i];
        if (isnan(v))
            continue;
        if (seen && v != first)
            return false;
        seen = true;
        first = v;
    }
    return true;
}

/* The last word of a column name, split at non-alphanumerics and at a
 * lower-to-upper case step ("customerID" -> "ID", "zip_code" ->
 * "code", "AccountNo" -> "No"), into w (lower case). */
static void last_word(const char *name, char *w, size_t wsz)
{
    size_t end = strlen(name);
    while (end > 0 && !isalnum((unsigned char)name[end - 1]))
        end--;
    size_t start = end;
    while (start > 0 && isalnum((unsigned char)name[start - 1]) &&
           !(start < end && isupper((unsigned char)name[start]) &&
             !isupper((unsigned char)name[start - 1])))
        start--;
    size_t k = 0;
    for (size_t i = start; i < end && k + 1 < wsz; i++)
        w[k++] = (char)tolower((unsigned char)name[i]);
    w[k] = '\0';
}

/* A name that says the column identifies something rather than measures
 * it: its last word is id, key, code, number, no, phone, zip ... */
static bool id_name(const char *name)
{
    static const char *const words[] = {
        "id",    "ids",     "uuid",     "guid",     "key",  "code",
        "zip",   "zipcode", "postcode", "postal",   "phone", "number",
        "no",    "nr",      "msisdn",   "iban",     NULL};
    char w[32];
    last_word(name, w, sizeof w);
    for (size_t i = 0; words[i] != NULL; i++)
        if (strcmp(w, words[i]) == 0)
            return true;
    return false;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Why a column of numbers is an identifier rather than a feature (NULL:
 * it is a feature): named like one (and more than a 0/1 flag), or a
 * different whole number on every row of at least ten, numbered as a
 * run (its range less than twice the rows: 5001..5400 for 400
 * customers).  An account number, a phone number or a zip code is a
 * label, not a quantity: as a number its "effect" is an artefact
 * (customers numbered in signup order rank as a driver).  A measurement
 * in whole units is also different on every row when its range is wide
 * (an income in dollars, a spend in cents): until 2026-12-07 that was
 * taken for an identifier too and the strongest driver left out.  *oom
 * on failure. */
static const char *id_reason(const hz_column *col, size_t nrows,
                             const double *numtext, bool *oom)
{
    double *v = malloc((nrows ? nrows : 1) * sizeof *v);
    if (v == NULL) {
        *oom = true;
        return NULL;
    }
    size_t n = 0;
    bool whole = true;
    for (size_t i = 0; i < nrows; i++) {
        if (hz_col_is_null(col, i))
            continue;
        double x = numtext != NULL ? numtext[col->v.code[i]]
                                   : hz_col_number(col, i);
        if (isnan(x))
            continue;
        whole = whole && x == floor(x);
        v[n++] = x;
    }
    qsort(v, n, sizeof *v, cmp_double);
    size_t distinct = n > 0;
    for (size_t i = 1; i < n; i++)
        distinct += v[i] != v[i - 1];
    const double v_span = n > 0 ? v[n - 1] - v[0] : 0.0;
    free(v);
    if (distinct > 2 && id_name(col->name))
        return "an identifier by its name";
    if (whole && n >= 10 && distinct == n &&
        v_span < 2.0 * (double)n)
        return "an identifier: a different whole number on every row";
    return NULL;
}

/* name is one of the comma-separated names of list (NULL: none). */
static bool in_list(const char *list, const char *name)
{
    const size_t ln = strlen(name);
    for (const char *p = list; p != NULL && *p != '\0';) {
        const char *e = strchr(p, ',');
        const size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == ln && strncmp(p, name, ln) == 0)
            return true;
        p = e ? e + 1 : NULL;
    }
    return false;
}

/* Every name of keep is a column the design could use. */
static hz_status check_keep(const hz_dataset *ds, const char *keep,
                            const hz_column *lc, const char *id_col,
                            hz_error *err)
{
    for (const char *p = keep; p != NULL && *p != '\0';) {
        const char *e = strchr(p, ',');
        const int len = (int)(e ? (size_t)(e - p) : strlen(p));
        const hz_column *col = NULL;
        for (size_t c = 0; c < ds->ncols && col == NULL; c++)
            if (strlen(ds->cols[c].name) == (size_t)len &&
                strncmp(ds->cols[c].name, p, (size_t)len) == 0)
                col = &ds->cols[c];
        if (col == NULL)
            return hz_error_set(err, HZ_ENOTFOUND,
                                "--keep-ids: no column '%.*s'", len, p);
        if (col == lc || (id_col != NULL && strcmp(col->name, id_col) == 0))
            return hz_error_set(err, HZ_EINVAL,
                                "--keep-ids: '%.*s' is the %s column, not "
                                "a feature",
                                len, p, col == lc ? "label" : "customer");
        p = e ? e + 1 : NULL;
    }
    return HZ_OK;
}

/* A missing-value mark of a spreadsheet or a statistics package. */
static bool na_mark(const char *s)
{
    static const char *const marks[] = {
        "NA",   "N/A", "#N/A", "n/a", "na",  "null", "NULL", "Null", "None",
        "none", "NaN", "nan",  "-",   "--",  "?",    ".",    "missing", NULL};
    for (size_t i = 0; marks[i] != NULL; i++)
        if (strcmp(s, marks[i]) == 0)
            return true;
    return false;
}

hz_status hz__na_marks(const hz_dataset *ds, const hz_column *col,
                       hz_error *err)
{
    if (col->type != HZ_TYPE_STRING)
        return HZ_OK;
    size_t L = hz_dict_size(col->dict), nums = 0;
    bool mark = false, other = false;
    double v;
    for (uint32_t l = 0; l < L && !other; l++) {
        const char *t = hz_dict_str(col->dict, l);
        if (parse_num(t, &v))
            nums++;
        else if (na_mark(t))
            mark = true;
        else
            other = !blank(t);
    }
    if (other || nums == 0 || !mark)
        return HZ_OK;
    size_t i = 0;
    while (i < ds->nrows &&
           (hz_col_is_null(col, i) ||
            !na_mark(hz_dict_str(col->dict, col->v.code[i]))))
        i++;
    if (i == ds->nrows) /* a mark no row holds */
        return HZ_OK;
    char pl[320];
    const char *t = hz_dict_str(col->dict, col->v.code[i]);
    hz_dataset_place(ds, i, col, pl, sizeof pl);
    return hz_error_set(err, HZ_EINVAL,
                        "%s: column '%s' holds numbers and '%s', a "
                        "missing-value mark: read as text its numbers "
                        "would be categories; give --na '%s' to read "
                        "them as numbers, or fix the data",
                        pl, col->name, t, t);
}

/* Every text column but the label and the id (hz__na_marks). */
static hz_status check_na_marks(const hz_dataset *ds, const hz_column *lc,
                                const char *id_col, hz_error *err)
{
    for (size_t c = 0; c < ds->ncols; c++) {
        const hz_column *col = &ds->cols[c];
        if (col == lc || (id_col && !strcmp(col->name, id_col)))
            continue;
        hz_status st = hz__na_marks(ds, col, err);
        if (st != HZ_OK)
            return st;
    }
    return HZ_OK;
}

/* The features of every usable column (see hz_design_from_dataset). */
static hz_status plan_features(const hz_dataset *ds, const hz_column *lc,
                               const char *id_col, size_t max_levels,
                               const char *keep, hz_design *out, featsrc **fs,
                               size_t *nf)
{
    size_t cap = 0;
    bool oom = false;
    *fs = NULL;
    *nf = 0;
    for (size_t c = 0; c < ds->ncols && !oom; c++) {
        const hz_column *col = &ds->cols[c];
        if (col == lc || (id_col && !strcmp(col->name, id_col)))
            continue;
        const bool kept = in_list(keep, col->name);
        const char *why = NULL;
        if (hz_type_is_numeric(col->type)) {
            if (constant_column(col, ds->nrows, NULL))
                note_skip(out, col->name, "constant");
            else if (!kept && col->type != HZ_TYPE_BOOL &&
                     (why = id_reason(col, ds->nrows, NULL, &oom)) != NULL)
                note_skip(out, col->name, why);
            else if (!oom)
                oom = !push_feature(fs, nf, &cap,
                                    (featsrc){col, 0, 0, NULL, false});
            continue;
        }
        if (col->type != HZ_TYPE_STRING) {
            note_skip(out, col->name, hz_type_name(col->type));
            continue;
        }
        size_t L = hz_dict_size(col->dict);
        double *nt = numeric_text(col, &oom);
        if (!oom && constant_column(col, ds->nrows, nt)) {
            free(nt);
            note_skip(out, col->name, "constant");
        } else if (nt != NULL && !kept &&
                   ((why = id_reason(col, ds->nrows, nt, &oom)) != NULL ||
                    oom)) {
            free(nt);
            if (why != NULL)
                note_skip(out, col->name, why);
        } else if (nt != NULL) {
            oom = !push_feature(fs, nf, &cap, (featsrc){col, 2, 0, nt, true});
            if (oom)
                free(nt);
        } else if (!oom && (L > max_levels || L >= ds->nrows)) {
            note_skip(out, col->name,
                      L >= ds->nrows ? "an identifier" : "too many levels");
        } else {
            for (uint32_t a = 0; a < L && !oom; a++)
                oom = !push_feature(fs, nf, &cap,
                                    (featsrc){col, 1, a, NULL, false});
        }
    }
    return oom ? HZ_ENOMEM : HZ_OK;
}

/* Allocate the design for n0 rows and p features with their names. */
static hz_status alloc_design(hz_design *out, const featsrc *fs, size_t p,
                              size_t n0, bool labels)
{
    out->X = malloc((n0 * p + 1) * sizeof(double));
    out->row = malloc((n0 + 1) * sizeof(size_t));
    const size_t p1 = p ? p : 1; /* no malloc(0) */
    out->names = calloc(p1, sizeof(char *));
    out->column = calloc(p1, sizeof(char *));
    out->level = calloc(p1, sizeof(char *));
    out->mean = malloc(p1 * sizeof(double));
    out->sd = malloc(p1 * sizeof(double));
    if (labels)
        out->y = malloc((n0 + 1) * sizeof(double));
    if (!out->X || !out->row || !out->names || !out->column || !out->level ||
        !out->mean || !out->sd || (labels && !out->y))
        return HZ_ENOMEM;
    out->p = p;
    for (size_t j = 0; j < p; j++) {
        const char *lev = fs[j].kind == 1 && fs[j].level != UINT32_MAX
                              ? hz_dict_str(fs[j].col->dict, fs[j].level)
                              : NULL;
        out->names[j] = dupstr(fs[j].col->name, lev);
        out->column[j] = dupstr(fs[j].col->name, NULL);
        out->level[j] = lev ? dupstr(lev, NULL) : NULL;
        if (!out->names[j] || !out->column[j] || (lev && !out->level[j]))
            return HZ_ENOMEM;
    }
    return HZ_OK;
}

/* Feature j of row i into *v; false when null or not finite. */
static bool feature_value(const featsrc *f, size_t i, double *v)
{
    const hz_column *col = f->col;
    if (hz_col_is_null(col, i))
        return false;
    if (f->kind == 0)
        *v = hz_col_number(col, i);
    else if (f->kind == 2)
        *v = f->numtext[col->v.code[i]];
    else
        *v = col->v.code[i] == f->level ? 1.0 : 0.0;
    return isfinite(*v);
}

/* An empty label: null, or text of blanks. */
static bool label_empty(const hz_column *c, size_t row)
{
    return hz_col_is_null(c, row) ||
           (c->type == HZ_TYPE_STRING &&
            blank(hz_dict_str(c->dict, c->v.code[row])));
}

/* Row i's label is neither empty nor a yes/no value: an error with its
 * place and the value (a typo is not a customer to drop). */
static hz_status bad_label(const hz_dataset *ds, const hz_column *lc,
                           size_t i, hz_error *err)
{
    char pl[320], tx[64];
    hz_dataset_place(ds, i, lc, pl, sizeof pl);
    const char *v = hz_col_text(lc, i, tx, sizeof tx);
    /* a missing-value mark: the option that reads it as one */
    if (v != NULL && na_mark(v))
        return hz_error_set(err, HZ_EINVAL,
                            "%s: column '%s' (label) is '%s': expected "
                            "yes/no, true/false or 0/1; '%s' is a "
                            "missing-value mark: give --na '%s' to leave "
                            "such rows out, as an empty label is",
                            pl, lc->name, v, v, v);
    return hz_error_set(err, HZ_EINVAL,
                        "%s: column '%s' (label) is '%s': expected yes/no, "
                        "true/false or 0/1 (an empty label leaves the row "
                        "out)",
                        pl, lc->name, v ? v : "");
}

/* Where row i was left out and why, for the first such row. */
static void note_drop(hz_design *out, const hz_dataset *ds, size_t i,
                      const hz_column *col)
{
    char pl[320];
    if (out->dropped_first[0] != '\0')
        return;
    hz_dataset_place(ds, i, col, pl, sizeof pl);
    snprintf(out->dropped_first, sizeof out->dropped_first,
             "%s: column '%s' is empty", pl, col->name);
}

/* The complete rows (features, and the label when lc); counts the rows
 * whose label is empty.  A label that is not a yes/no value is an
 * error. */
static hz_status fill_rows(hz_design *out, const hz_dataset *ds,
                           const featsrc *fs, const hz_column *lc,
                           size_t *badlabel, hz_error *err)
{
    const size_t p = out->p;
    size_t n = 0;
    *badlabel = 0;
    for (size_t i = 0; i < ds->nrows; i++) {
        double *xi = out->X + n * p;
        int l = 0;
        if (lc != NULL && (l = label_of(lc, i)) < 0) {
            if (!label_empty(lc, i))
                return bad_label(ds, lc, i, err);
            (*badlabel)++;
            note_drop(out, ds, i, lc);
            continue;
        }
        bool ok = true;
        size_t j = 0;
        for (; j < p && ok; j++)
            ok = feature_value(&fs[j], i, &xi[j]);
        if (!ok) {
            note_drop(out, ds, i, fs[j - 1].col);
            continue;
        }
        if (lc != NULL)
            out->y[n] = l;
        out->row[n++] = i;
    }
    out->n = n;
    out->dropped = ds->nrows - n;
    return HZ_OK;
}

/* The power of two at or below the largest |value| of column j (1 for a
 * column of zeros): values divided by it stay below 2, so the sum of
 * squares cannot overflow, and dividing by a power of two is exact.  (The
 * power above, 2^1024 for values from 2^1023 = 8.99e307, is infinite.) */
static double column_scale(const hz_design *out, size_t j)
{
    double big = 0;
    for (size_t i = 0; i < out->n; i++)
        big = fmax(big, fabs(out->X[i * out->p + j]));
    int e = 0;
    frexp(big, &e);
    return big > 0 ? ldexp(1.0, e - 1) : 1.0;
}

/* Standardise with the given (mean, sd), or compute them (population sd,
 * like scikit-learn's StandardScaler; sd 1 for constant columns), on the
 * values scaled by a power of two: the same numbers, and a column of
 * values near 1e300 keeps its spread instead of an infinite sd that
 * silently zeroes it. */
static void standardise(hz_design *out, const double *mean, const double *sd)
{
    const size_t n = out->n, p = out->p;
    for (size_t j = 0; j < p; j++) {
        double m = 0, v = 0, s;
        if (mean != NULL) {
            m = mean[j];
            s = sd[j];
        } else {
            const double c = column_scale(out, j);
            for (size_t i = 0; i < n; i++)
                m += out->X[i * p + j] / c;
            m /= (double)n;
            for (size_t i = 0; i < n; i++) {
                double t = out->X[i * p + j] / c - m;
                v += t * t;
            }
            s = sqrt(v / (double)n) * c;
            m *= c;
            if (!(s > 0))
                s = 1.0;
        }
        out->mean[j] = m;
        out->sd[j] = s;
        for (size_t i = 0; i < n; i++)
            out->X[i * p + j] = (out->X[i * p + j] - m) / s;
    }
}

static hz_status check_label(const hz_dataset *ds, const char *label_col,
                             const char *id_col, const hz_column **lc,
                             hz_error *err)
{
    *lc = NULL;
    if (label_col != NULL &&
        (*lc = hz_dataset_column(ds, label_col, err)) == NULL)
        return HZ_ENOTFOUND;
    if (id_col != NULL && hz_dataset_column(ds, id_col, err) == NULL)
        return HZ_ENOTFOUND;
    if (*lc != NULL && (*lc)->type != HZ_TYPE_STRING &&
        !hz_type_is_numeric((*lc)->type))
        return hz_error_set(err, HZ_ETYPE,
                            "label column '%s' must be yes/no, true/false "
                            "or 0/1, found %s",
                            label_col, hz_type_name((*lc)->type));
    return HZ_OK;
}

/* Rows, labels, standardisation of a planned design. */
static hz_status build(hz_design *out, const hz_dataset *ds, const featsrc *fs,
                       size_t nf, const hz_column *lc, const char *label_col,
                       const double *mean, const double *sd, hz_error *err)
{
    size_t badlabel;
    if (alloc_design(out, fs, nf, ds->nrows, lc != NULL) != HZ_OK)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    hz_status st = fill_rows(out, ds, fs, lc, &badlabel, err);
    if (st != HZ_OK)
        return st;
    if (lc != NULL && badlabel == ds->nrows)
        return hz_error_set(err, HZ_EINVAL,
                            "label column '%s' has no yes/no, true/false or "
                            "0/1 values",
                            label_col);
    if (out->n < (mean ? 1u : 2u))
        return hz_error_set(err, HZ_ETOOSHORT,
                            "only %zu complete rows (%zu dropped for empty "
                            "values)",
                            out->n, out->dropped);
    standardise(out, mean, sd);
    return HZ_OK;
}

hz_status hz_design_from_dataset(const hz_dataset *ds, const char *label_col,
                                 const char *id_col, size_t max_levels,
                                 hz_design *out, hz_error *err)
{
    return hz_design_from_dataset_keep(ds, label_col, id_col, max_levels,
                                       NULL, out, err);
}

hz_status hz_design_from_dataset_keep(const hz_dataset *ds,
                                      const char *label_col,
                                      const char *id_col, size_t max_levels,
                                      const char *keep, hz_design *out,
                                      hz_error *err)
{
    featsrc *fs = NULL;
    size_t nf = 0;
    const hz_column *lc;
    memset(out, 0, sizeof *out);
    hz_status st = check_label(ds, label_col, id_col, &lc, err);
    if (st == HZ_OK)
        st = check_keep(ds, keep, lc, id_col, err);
    if (st == HZ_OK)
        st = check_na_marks(ds, lc, id_col, err);
    if (st != HZ_OK)
        return st;
    if (plan_features(ds, lc, id_col, max_levels, keep, out, &fs, &nf) !=
        HZ_OK)
        st = hz_error_set(err, HZ_ENOMEM, "out of memory");
    else if (nf == 0)
        st = hz_error_set(err, HZ_EINVAL, "no usable feature columns%s%s",
                          out->skipped[0] ? ": skipped " : "", out->skipped);
    else
        st = build(out, ds, fs, nf, lc, label_col, NULL, NULL, err);
    featsrc_free(fs, nf);
    if (st != HZ_OK)
        hz_design_free(out);
    return st;
}

/* The source of a saved feature in ds. */
/* The code of a saved one-hot level in col's dictionary.  A model file
 * is JSON, which writes the bytes of a level that are not UTF-8 (Latin-1
 * 'Caf\xe9') as U+FFFD: such a level matches the one value that reads
 * as it once sanitized, and two such values are refused (which one the
 * level was is lost) rather than a level that silently matches nothing.
 * *code is UINT32_MAX when the level is absent. */
static hz_status saved_level(const hz_column *col, const char *column,
                             const char *level, uint32_t *code, hz_error *err)
{
    *code = hz_dict_find(col->dict, level, strlen(level));
    if (*code != UINT32_MAX || strstr(level, "\xEF\xBF\xBD") == NULL)
        return HZ_OK;
    size_t nd = hz_dict_size(col->dict), found = 0;
    for (uint32_t c = 0; c < nd; c++) {
        const char *v = hz_dict_str(col->dict, c);
        if (hz_utf8_valid(v, hz_dict_len(col->dict, c)))
            continue;
        char *clean = hz_utf8_sanitize(v, NULL);
        if (clean == NULL)
            return hz_error_set(err, HZ_ENOMEM, "out of memory");
        bool same = strcmp(clean, level) == 0;
        free(clean);
        if (!same)
            continue;
        if (found++ > 0)
            return hz_error_set(err, HZ_EINVAL,
                                "column '%s': the model's level '%s' stands "
                                "for text that is not UTF-8, and several "
                                "values of this data read as it: which one "
                                "the model meant is unknown",
                                column, level);
        *code = c;
    }
    return HZ_OK;
}

static hz_status saved_feature(const hz_dataset *ds, const char *column,
                               const char *level, featsrc *f, hz_error *err)
{
    bool oom = false;
    const hz_column *col = hz_dataset_column(ds, column, err);
    if (col == NULL)
        return HZ_ENOTFOUND;
    *f = (featsrc){col, 0, 0, NULL, false};
    if (level != NULL) {
        if (col->type != HZ_TYPE_STRING)
            return hz_error_set(err, HZ_ETYPE,
                                "column '%s': the model one-hot encodes it "
                                "(level '%s') but it holds %s",
                                column, level, hz_type_name(col->type));
        f->kind = 1;
        return saved_level(col, column, level, &f->level, err);
    }
    if (hz_type_is_numeric(col->type))
        return HZ_OK;
    if (col->type == HZ_TYPE_STRING &&
        (f->numtext = numeric_text(col, &oom)) != NULL) {
        f->kind = 2;
        f->own = true;
        return HZ_OK;
    }
    return oom ? hz_error_set(err, HZ_ENOMEM, "out of memory")
               : hz_error_set(err, HZ_ETYPE,
                              "column '%s': the model reads numbers, found "
                              "text",
                              column);
}

/* Every value of a one-hot encoded column must be one of the model's
 * levels: a level it was not fitted on would be scored as none of them
 * (all its dummies 0), a customer silently misread.  The first such value
 * is an error with its place, the value and the levels the model knows. */
static hz_status check_levels(const hz_dataset *ds, const featsrc *fs,
                              size_t p, const char *const *level,
                              hz_error *err)
{
    for (size_t j = 0; j < p; j++) {
        const hz_column *col = fs[j].col;
        bool first = fs[j].kind == 1;
        for (size_t k = 0; k < j && first; k++)
            first = !(fs[k].kind == 1 && fs[k].col == col);
        if (!first)
            continue; /* the column is checked at its first feature */
        size_t L = hz_dict_size(col->dict);
        bool *known = calloc(L ? L : 1, sizeof *known);
        if (known == NULL)
            return hz_error_set(err, HZ_ENOMEM, "out of memory");
        for (size_t k = j; k < p; k++)
            if (fs[k].kind == 1 && fs[k].col == col &&
                fs[k].level != UINT32_MAX)
                known[fs[k].level] = true;
        size_t i = 0;
        while (i < ds->nrows &&
               (hz_col_is_null(col, i) || known[col->v.code[i]]))
            i++;
        free(known);
        if (i == ds->nrows)
            continue;
        char pl[320], levels[512];
        size_t len = 0;
        levels[0] = '\0';
        for (size_t k = j; k < p && len + 8 < sizeof levels; k++)
            if (fs[k].kind == 1 && fs[k].col == col) {
                int w = snprintf(levels + len, sizeof levels - len, "%s%s",
                                 len ? ", " : "", level[k]);
                len = w < 0 ? len : len + (size_t)w;
            }
        hz_dataset_place(ds, i, col, pl, sizeof pl);
        return hz_error_set(err, HZ_EINVAL,
                            "%s: column '%s' is '%s', a level the saved "
                            "churn model was not fitted on (it knows %s): "
                            "the customer cannot be scored; refit the model "
                            "on data that has this level",
                            pl, col->name,
                            hz_dict_str(col->dict, col->v.code[i]), levels);
    }
    return HZ_OK;
}

hz_status hz_design_apply(const hz_dataset *ds, const char *label_col,
                          size_t p, const char *const *column,
                          const char *const *level, const double *mean,
                          const double *sd, hz_design *out, hz_error *err)
{
    const hz_column *lc;
    memset(out, 0, sizeof *out);
    hz_status st = check_label(ds, label_col, NULL, &lc, err);
    if (st != HZ_OK)
        return st;
    featsrc *fs = calloc(p ? p : 1, sizeof *fs);
    if (fs == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    size_t nf = 0;
    for (; nf < p && st == HZ_OK; nf++)
        st = saved_feature(ds, column[nf], level[nf], &fs[nf], err);
    if (st == HZ_OK)
        st = check_levels(ds, fs, p, level, err);
    if (st == HZ_OK)
        st = build(out, ds, fs, p, lc, label_col, mean, sd, err);
    /* the saved names, also for a level absent from this data */
    for (size_t j = 0; j < p && st == HZ_OK; j++) {
        if (level[j] == NULL)
            continue;
        free(out->names[j]);
        free(out->level[j]);
        out->names[j] = dupstr(column[j], level[j]);
        out->level[j] = dupstr(level[j], NULL);
        if (!out->names[j] || !out->level[j])
            st = hz_error_set(err, HZ_ENOMEM, "out of memory");
    }
    featsrc_free(fs, nf);
    if (st != HZ_OK)
        hz_design_free(out);
    return st;
}
