/* Storing a job's HTML report.  See job_report.h. */
#include "net/cjson.h"
#include "runner/job_report.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "horizon/report.h"
#include "store/artifact.h"

/* The whole file, NUL-terminated; NULL when missing or unreadable. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    struct stat sb;
    char *buf = NULL;
    if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode) &&
        (buf = malloc((size_t)sb.st_size + 1)) != NULL) {
        *len = fread(buf, 1, (size_t)sb.st_size, f);
        if (*len != (size_t)sb.st_size || ferror(f)) {
            free(buf);
            buf = NULL;
        } else {
            buf[*len] = '\0';
        }
    }
    fclose(f);
    return buf;
}

/* The page with the job's narrative in its slot (a copy), or NULL when
 * the job has none (the page is used as it is). */
static char *with_narrative(const cJSON *doc, const char *html, size_t len,
                            size_t *out_len)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(doc, "narrative");
    const char *text = hz__cjson_str(n, "text");
    if (text == NULL || text[0] == '\0')
        return NULL;
    const cJSON *usage = cJSON_GetObjectItemCaseSensitive(n, "usage");
    const char *src = hz__cjson_str(n, "source");
    bool tmpl = src != NULL && strcmp(src, "template") == 0;
    /* a template (or an answer without usage) counts its own text */
    hz_report_narrative_in in = {
        text,
        tmpl ? "the offline template (no LLM)" : hz__cjson_str(n, "model"),
        (long)hz__cjson_num(n, "promptTokens", -1),
        tmpl || usage == NULL
            ? (long)hz__cjson_num(n, "textTokens", -1)
            : (long)hz__cjson_num(usage, "completionTokens", -1),
        tmpl,
        (long)hz__cjson_num(n, "promptItemsDropped", 0)};
    char *out = NULL;
    hz_error e;
    if (hz_report_splice_narrative(html, len, &in, &out, out_len, &e) != HZ_OK)
        return NULL;
    return out;
}

static void set_error(cJSON *doc, const char *why)
{
    cJSON_DeleteItemFromObjectCaseSensitive(doc, "report");
    cJSON *m = cJSON_AddObjectToObject(doc, "report");
    cJSON_AddStringToObject(m, "error", why);
}

hz_status hz__job_report_store(hz_store *s, cJSON *doc, const char *html_path,
                               const char *child_error,
                               const hz_finish_keep *keep, hz_error *err)
{
    size_t len = 0;
    char *html = slurp(html_path, &len);
    if (html == NULL) {
        set_error(doc, child_error && child_error[0] ? child_error
                                                     : "no report written");
        return HZ_OK;
    }
    size_t nlen = 0;
    char *page = with_narrative(doc, html, len, &nlen);
    cJSON *meta = NULL;
    hz_status st = hz_artifact_put_keep(s, doc, "report", page ? page : html,
                                        page ? nlen : len, keep, &meta, err);
    free(page);
    free(html);
    if (st != HZ_OK) {
        set_error(doc, err && err->msg[0] ? err->msg : "could not store it");
        return st;
    }
    cJSON_DeleteItemFromObjectCaseSensitive(doc, "report");
    cJSON_AddItemToObject(doc, "report", meta);
    return HZ_OK;
}
