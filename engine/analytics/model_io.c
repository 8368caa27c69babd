/* Saved models: the fitted parameters of a result written as JSON, and
 * read back (cJSON) to score new customers without refitting.  See
 * analytics.h.  Numbers are written with 17 significant digits, so a
 * model read back predicts exactly what the fitted one did. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "analytics/analytics_internal.h"
#include "core/textout.h"

#define MODEL_VERSION 1

static void num17(FILE *f, const char *key, double v, bool first)
{
    fprintf(f, "%s\"%s\": ", first ? "" : ", ", key);
    if (isfinite(v))
        fprintf(f, "%.17g", v);
    else
        fputs("null", f);
}

static void write_churn(const hz__churn_part *c, FILE *f)
{
    fputs(",\n  \"churn\": {\"label\": ", f);
    hz__json_str(f, c->label_name ? c->label_name : "");
    num17(f, "intercept", c->intercept, false);
    fputs(", \"features\": [", f);
    for (size_t j = 0; j < c->nfeat; j++) {
        fputs(j ? ",\n    {\"name\": " : "\n    {\"name\": ", f);
        hz__json_str(f, c->feat[j]);
        fputs(", \"column\": ", f);
        hz__json_str(f, c->src[j]);
        fputs(", \"level\": ", f);
        if (c->level[j] != NULL)
            hz__json_str(f, c->level[j]);
        else
            fputs("null", f);
        num17(f, "mean", c->mean[j], false);
        num17(f, "sd", c->sd[j], false);
        num17(f, "coef", c->coef[j], false);
        fputc('}', f);
    }
    fputs("]}", f);
}

hz_status hz_analytics_model_write(const hz_analytics_result *r, FILE *f,
                                   hz_error *err)
{
    const hz__clv_part *c = &r->clv;
    const hz__churn_part *h = &r->churn;
    bool churn = h->ok && h->labelled && h->src != NULL;
    if (!c->bg_ok && !c->pn_ok && !c->gg_ok && !churn)
        return hz_error_set(err, HZ_EINVAL,
                            "nothing to save: no model was fitted");
    fprintf(f, "{\"horizon_model\": %d, \"unit\": \"%s\"", MODEL_VERSION,
            r->cs && r->cs->unit == HZ_UNIT_WEEKS ? "weeks" : "days");
    if (c->bg_ok || c->pn_ok)
        fprintf(f, ", \"purchase_model\": \"%s\"",
                hz_purchase_kind_name(c->model));
    if (c->bg_ok) {
        fputs(",\n  \"bgnbd\": {", f);
        num17(f, "r", c->bg.p.r, true);
        num17(f, "alpha", c->bg.p.alpha, false);
        num17(f, "a", c->bg.p.a, false);
        num17(f, "b", c->bg.p.b, false);
        fputc('}', f);
    }
    if (c->pn_ok) {
        fputs(",\n  \"pnbd\": {", f);
        num17(f, "r", c->pn.p.r, true);
        num17(f, "alpha", c->pn.p.alpha, false);
        num17(f, "s", c->pn.p.s, false);
        num17(f, "beta", c->pn.p.beta, false);
        fputc('}', f);
    }
    if (c->gg_ok) {
        fputs(",\n  \"gammagamma\": {", f);
        num17(f, "p", c->gg.p.p, true);
        num17(f, "q", c->gg.p.q, false);
        num17(f, "gamma", c->gg.p.gamma, false);
        fputc('}', f);
    }
    if (churn)
        write_churn(h, f);
    fputs("}\n", f);
    if (ferror(f))
        return hz_error_set(err, HZ_EIO, "could not write the model");
    return HZ_OK;
}

bool hz_analytics_model_purchase(const hz_analytics_model *m,
                                 hz_purchase_kind *kind)
{
    if (m == NULL || (!m->has_bg && !m->has_pn))
        return false;
    *kind = m->has_bg && m->has_pn ? m->model
            : m->has_pn            ? HZ_PURCHASE_PNBD
                                   : HZ_PURCHASE_BGNBD;
    return true;
}

void hz_analytics_model_free(hz_analytics_model *m)
{
    if (m == NULL)
        return;
    for (size_t j = 0; j < m->nfeat; j++) {
        if (m->feat)
            free(m->feat[j]);
        if (m->src)
            free(m->src[j]);
        if (m->level)
            free(m->level[j]);
    }
    free(m->feat);
    free(m->src);
    free(m->level);
    free(m->coef);
    free(m->label);
    free(m);
}

/* A positive finite number obj.key into *v, or an error naming it. */
static hz_status get_pos(const cJSON *obj, const char *sect, const char *key,
                         const char *name, double *v, hz_error *err)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!cJSON_IsNumber(it) || !(it->valuedouble > 0) ||
        !isfinite(it->valuedouble))
        return hz_error_set(err, HZ_EPARSE,
                            "%s: %s.%s must be a positive number", name, sect,
                            key);
    *v = it->valuedouble;
    return HZ_OK;
}

static hz_status read_purchase(const cJSON *doc, hz_analytics_model *m,
                               const char *name, hz_error *err)
{
    const cJSON *bg = cJSON_GetObjectItemCaseSensitive(doc, "bgnbd");
    const cJSON *pn = cJSON_GetObjectItemCaseSensitive(doc, "pnbd");
    const cJSON *gg = cJSON_GetObjectItemCaseSensitive(doc, "gammagamma");
    hz_status st = HZ_OK;
    if (bg != NULL) {
        m->has_bg = true;
        if ((st = get_pos(bg, "bgnbd", "r", name, &m->bg.r, err)) ||
            (st = get_pos(bg, "bgnbd", "alpha", name, &m->bg.alpha, err)) ||
            (st = get_pos(bg, "bgnbd", "a", name, &m->bg.a, err)) ||
            (st = get_pos(bg, "bgnbd", "b", name, &m->bg.b, err)))
            return st;
    }
    if (pn != NULL) {
        m->has_pn = true;
        if ((st = get_pos(pn, "pnbd", "r", name, &m->pn.r, err)) ||
            (st = get_pos(pn, "pnbd", "alpha", name, &m->pn.alpha, err)) ||
            (st = get_pos(pn, "pnbd", "s", name, &m->pn.s, err)) ||
            (st = get_pos(pn, "pnbd", "beta", name, &m->pn.beta, err)))
            return st;
    }
    if (gg != NULL) {
        m->has_gg = true;
        if ((st = get_pos(gg, "gammagamma", "p", name, &m->gg.p, err)) ||
            (st = get_pos(gg, "gammagamma", "q", name, &m->gg.q, err)) ||
            (st = get_pos(gg, "gammagamma", "gamma", name, &m->gg.gamma, err)))
            return st;
    }
    const cJSON *pm = cJSON_GetObjectItemCaseSensitive(doc, "purchase_model");
    if (cJSON_IsString(pm) &&
        !hz_purchase_kind_parse(pm->valuestring, &m->model))
        return hz_error_set(err, HZ_EPARSE,
                            "%s: purchase_model '%s' is not bgnbd or pnbd",
                            name, pm->valuestring);
    return HZ_OK;
}

/* One saved churn feature j. */
static hz_status read_feature(const cJSON *it, size_t j, hz_analytics_model *m,
                              const char *name, hz_error *err)
{
    const cJSON *nm = cJSON_GetObjectItemCaseSensitive(it, "name");
    const cJSON *col = cJSON_GetObjectItemCaseSensitive(it, "column");
    const cJSON *lev = cJSON_GetObjectItemCaseSensitive(it, "level");
    const char *keys[3] = {"mean", "sd", "coef"};
    double v[3];
    if (!cJSON_IsString(nm) || !cJSON_IsString(col) ||
        !(cJSON_IsString(lev) || cJSON_IsNull(lev)))
        return hz_error_set(err, HZ_EPARSE,
                            "%s: churn.features[%zu] needs name, column and "
                            "level (text or null)",
                            name, j);
    for (int k = 0; k < 3; k++) {
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(it, keys[k]);
        if (!cJSON_IsNumber(x) || !isfinite(x->valuedouble) ||
            (k == 1 && !(x->valuedouble > 0)))
            return hz_error_set(err, HZ_EPARSE,
                                "%s: churn.features[%zu].%s must be a "
                                "number%s",
                                name, j, keys[k], k == 1 ? " above 0" : "");
        v[k] = x->valuedouble;
    }
    m->feat[j] = strdup(nm->valuestring);
    m->src[j] = strdup(col->valuestring);
    m->level[j] = cJSON_IsString(lev) ? strdup(lev->valuestring) : NULL;
    if (!m->feat[j] || !m->src[j] || (cJSON_IsString(lev) && !m->level[j]))
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    m->mean[j] = v[0];
    m->sd[j] = v[1];
    m->coef[j] = v[2];
    return HZ_OK;
}

static hz_status read_churn(const cJSON *ch, hz_analytics_model *m,
                            const char *name, hz_error *err)
{
    const cJSON *lab = cJSON_GetObjectItemCaseSensitive(ch, "label");
    const cJSON *ic = cJSON_GetObjectItemCaseSensitive(ch, "intercept");
    const cJSON *fs = cJSON_GetObjectItemCaseSensitive(ch, "features");
    if (!cJSON_IsString(lab) || !cJSON_IsNumber(ic) || !cJSON_IsArray(fs) ||
        cJSON_GetArraySize(fs) < 1)
        return hz_error_set(err, HZ_EPARSE,
                            "%s: churn needs label, intercept and a "
                            "non-empty features array",
                            name);
    size_t p = (size_t)cJSON_GetArraySize(fs);
    m->has_churn = true;
    m->intercept = ic->valuedouble;
    m->label = strdup(lab->valuestring);
    m->feat = calloc(p, sizeof(char *));
    m->src = calloc(p, sizeof(char *));
    m->level = calloc(p, sizeof(char *));
    m->coef = malloc(3 * p * sizeof(double));
    if (!m->label || !m->feat || !m->src || !m->level || !m->coef)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    m->nfeat = p;
    m->mean = m->coef + p;
    m->sd = m->coef + 2 * p;
    size_t j = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, fs)
    {
        hz_status st = read_feature(it, j++, m, name, err);
        if (st != HZ_OK)
            return st;
    }
    return HZ_OK;
}

hz_status hz_analytics_model_parse(const char *text, size_t len,
                                   const char *name, hz_analytics_model **out,
                                   hz_error *err)
{
    *out = NULL;
    cJSON *doc = cJSON_ParseWithLength(text, len);
    if (doc == NULL)
        return hz_error_set(err, HZ_EPARSE, "%s: not valid JSON", name);
    hz_status st = HZ_OK;
    hz_analytics_model *m = calloc(1, sizeof *m);
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(doc, "horizon_model");
    const cJSON *unit = cJSON_GetObjectItemCaseSensitive(doc, "unit");
    const cJSON *ch = cJSON_GetObjectItemCaseSensitive(doc, "churn");
    if (m == NULL)
        st = hz_error_set(err, HZ_ENOMEM, "out of memory");
    else if (!cJSON_IsNumber(ver) || ver->valueint != MODEL_VERSION)
        st = hz_error_set(err, HZ_EPARSE,
                          "%s: not a Horizon model file (horizon_model: %d "
                          "expected)",
                          name, MODEL_VERSION);
    else if (!cJSON_IsString(unit) || (strcmp(unit->valuestring, "days") &&
                                       strcmp(unit->valuestring, "weeks")))
        st = hz_error_set(err, HZ_EPARSE,
                          "%s: unit must be \"days\" or \"weeks\"", name);
    if (st == HZ_OK) {
        m->unit = strcmp(unit->valuestring, "weeks") ? HZ_UNIT_DAYS
                                                     : HZ_UNIT_WEEKS;
        st = read_purchase(doc, m, name, err);
    }
    if (st == HZ_OK && ch != NULL)
        st = read_churn(ch, m, name, err);
    if (st == HZ_OK && !m->has_bg && !m->has_pn && !m->has_gg && !m->has_churn)
        st = hz_error_set(err, HZ_EPARSE, "%s: the file holds no model", name);
    cJSON_Delete(doc);
    if (st != HZ_OK) {
        hz_analytics_model_free(m);
        return st;
    }
    *out = m;
    return HZ_OK;
}

hz_status hz_analytics_model_load(const char *path, hz_analytics_model **out,
                                  hz_error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return hz_error_set(err, HZ_EIO, "%s: cannot open the model file",
                            path);
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 > cap) {
            cap = cap ? 2 * cap : 8192;
            if (cap > (64u << 20)) {
                free(buf);
                fclose(f);
                return hz_error_set(err, HZ_EPARSE,
                                    "%s: model file larger than 64 MB", path);
            }
            char *t = realloc(buf, cap);
            if (t == NULL) {
                free(buf);
                fclose(f);
                return hz_error_set(err, HZ_ENOMEM, "out of memory");
            }
            buf = t;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    bool bad = ferror(f);
    fclose(f);
    hz_status st = bad ? hz_error_set(err, HZ_EIO, "%s: read error", path)
                       : hz_analytics_model_parse(buf, len, path, out, err);
    free(buf);
    return st;
}
