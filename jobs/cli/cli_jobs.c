/* Helpers of the job commands (see cli_jobs.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli_jobs.h"
#include "net/cjson.h"
#include "net/url.h"

const char *hz_cli_store_spec(const char *opt)
{
    if (opt != NULL)
        return opt;
    const char *env = getenv("HORIZON_STORE");
    return env != NULL && env[0] != '\0' ? env : "sqlite:horizon.db";
}

const char *hz_cli_tenant(const char *opt)
{
    if (opt != NULL)
        return opt;
    const char *env = getenv("HZ_TENANT");
    return env != NULL && env[0] != '\0' ? env : NULL;
}

int hz_cli_store_exit(hz_status st)
{
    switch (st) {
    case HZ_OK: return HZ_EXIT_OK;
    case HZ_EINVAL: return HZ_EXIT_USAGE;
    case HZ_ENOTFOUND: return HZ_EXIT_NOINPUT;
    case HZ_ECONFLICT: return HZ_EXIT_FAIL;
    default: return HZ_EXIT_TEMPFAIL; /* EIO, ENET, ETIMEOUT, EPARSE ... */
    }
}

int hz_cli_store_open(const char *cmd, const char *spec, unsigned flags,
                      hz_store **out)
{
    hz_error err;
    hz_status rc = hz_store_open_flags(spec, flags, out, &err);
    if (rc == HZ_OK)
        return HZ_EXIT_OK;
    hz_cli_error(cmd, "%s", err.msg);
    return rc == HZ_EINVAL      ? HZ_EXIT_USAGE
           : rc == HZ_ENOTFOUND ? HZ_EXIT_NOINPUT
                                : HZ_EXIT_TEMPFAIL;
}

int hz_cli_sandbox(const char *cmd, hz_sandbox *sb)
{
    hz_error err;
    if (hz_sandbox_from_env(sb, &err) == HZ_OK)
        return HZ_EXIT_OK;
    hz_cli_error(cmd, "%s", err.msg);
    return HZ_EXIT_USAGE;
}

/* Whether s[0..n) holds nothing but spaces, tabs and line ends. */
static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strchr(" \t\r\n", s[i]) == NULL || s[i] == '\0')
            return false;
    return true;
}

int hz_cli_read_url_file(const char *cmd, const char *file, char *out,
                         size_t outsz)
{
    bool in = strcmp(file, "-") == 0;
    const char *name = in ? "standard input" : file;
    FILE *f = in ? stdin : fopen(file, "rbe");
    if (f == NULL) {
        hz_cli_error(cmd, "--url-file %s: %s", name, strerror(errno));
        return HZ_EXIT_NOINPUT;
    }
    /* the whole line and one byte more: a longer one is refused, never
     * cut short (it would name another object) */
    char *buf = malloc(outsz + 2);
    size_t n = buf ? fread(buf, 1, outsz + 1, f) : 0;
    if (buf != NULL)
        buf[n] = '\0';
    int e = ferror(f) ? errno : 0;
    char rest[4096];
    bool more = false; /* anything but blank lines after the first */
    for (size_t k; buf != NULL && !e && !more &&
                   (k = fread(rest, 1, sizeof rest, f)) > 0;)
        more = !blank(rest, k);
    if (!in)
        fclose(f);
    int code = HZ_EXIT_OK;
    size_t len = buf ? strcspn(buf, "\n") : 0; /* a NUL is refused below */
    while (len > 0 && strchr(" \t\r", buf[len - 1]) != NULL)
        len--;
    size_t start = 0;
    while (start < len && strchr(" \t", buf[start]) != NULL)
        start++;
    if (buf == NULL) {
        hz_cli_error(cmd, "out of memory");
        code = HZ_EXIT_FAIL;
    } else if (e) {
        hz_cli_error(cmd, "--url-file %s: %s", name, strerror(e));
        code = HZ_EXIT_NOINPUT;
    } else if (memchr(buf, '\0', n) != NULL) {
        hz_cli_error(cmd, "--url-file %s: holds a NUL byte", name);
        code = HZ_EXIT_USAGE;
    } else if (len == start) {
        hz_cli_error(cmd,
                     "--url-file %s: empty: expected the dataset's URL "
                     "(or path) on its first line",
                     name);
        code = HZ_EXIT_USAGE;
    } else if (len - start >= outsz) {
        hz_cli_error(cmd, "--url-file %s: the URL is longer than %zu bytes",
                     name, outsz - 1);
        code = HZ_EXIT_USAGE;
    } else if (more || (len < n && !blank(buf + len, n - len))) {
        hz_cli_error(cmd,
                     "--url-file %s: more than one line: expected the "
                     "dataset's URL (or path) alone",
                     name);
        code = HZ_EXIT_USAGE;
    } else {
        memcpy(out, buf + start, len - start);
        out[len - start] = '\0';
    }
    if (buf != NULL)
        explicit_bzero(buf, outsz + 2); /* the signature: not left behind */
    free(buf);
    return code;
}

int hz_cli_dataset_url_file(const char *cmd, const char *file,
                            const char **dataset, char *buf, size_t bufsz)
{
    if (file == NULL)
        return HZ_EXIT_OK;
    if (*dataset != NULL) {
        hz_cli_error(cmd, "--dataset and --url-file are exclusive");
        return HZ_EXIT_USAGE;
    }
    int code = hz_cli_read_url_file(cmd, file, buf, bufsz);
    if (code == HZ_EXIT_OK)
        *dataset = buf;
    return code;
}

int hz_cli_resolve_dataset(const char *cmd, const char *what,
                           const hz_sandbox *sb, const char *tenant,
                           const char *given, char *out, size_t outsz)
{
    hz_error err;
    hz_status rc;
    if (hz_sandbox_is_url(given)) {
        rc = hz_sandbox_check_url(sb, given, &err);
        if (rc == HZ_OK)
            snprintf(out, outsz, "%s", given);
    } else {
        /* opened (without blocking) to know it is a regular file inside
         * the roots, as the job process will open it */
        int fd = -1;
        rc = hz_sandbox_open_path(sb, tenant, given, &fd, out, outsz, &err);
        if (fd >= 0)
            close(fd);
    }
    if (rc == HZ_OK)
        return HZ_EXIT_OK;
    if (what != NULL)
        hz_cli_error(cmd, "%s: %s", what, err.msg);
    else
        hz_cli_error(cmd, "%s", err.msg);
    return rc == HZ_EIO ? HZ_EXIT_NOINPUT : HZ_EXIT_USAGE;
}

void hz_cli_redact_url_field(struct cJSON *d, const char *key)
{
    cJSON *v = cJSON_GetObjectItem(d, key);
    /* any scheme, in any case: HTTPS:// is fetched as https:// is */
    if (!cJSON_IsString(v) || v->valuestring == NULL ||
        !hz_sandbox_is_url(v->valuestring))
        return;
    char shown[1024];
    hz_url_redact(v->valuestring, shown, sizeof shown);
    if (strcmp(shown, v->valuestring) != 0)
        cJSON_SetValuestring(v, shown);
}

bool hz_cli_param_add(const char *cmd, cJSON *params, const char *kv)
{
    const char *eq = strchr(kv, '=');
    if (eq == kv || kv[0] == '\0') {
        hz_cli_error(cmd, "--param: expected KEY=VALUE, got '%s'", kv);
        return false;
    }
    char key[128];
    snprintf(key, sizeof key, "%.*s", eq ? (int)(eq - kv) : (int)strlen(kv),
             kv);
    if (cJSON_GetObjectItemCaseSensitive(params, key) != NULL) {
        hz_cli_error(cmd, "--param: '%s' given twice: give each "
                     "parameter once%s",
                     key,
                     strcmp(key, "by") == 0
                         ? " (several group columns go in one: "
                           "by=region,product)"
                         : "");
        return false;
    }
    cJSON_AddItemToObject(
        params, key, eq ? cJSON_CreateString(eq + 1) : cJSON_CreateTrue());
    return true;
}

bool hz_cli_params_add_json(const char *cmd, cJSON *params, const char *json)
{
    cJSON *p = cJSON_Parse(json);
    if (!cJSON_IsObject(p)) {
        cJSON_Delete(p);
        hz_cli_error(cmd, "--params: expected a JSON object");
        return false;
    }
    cJSON *it;
    cJSON_ArrayForEach(it, p)
    {
        if (cJSON_GetObjectItemCaseSensitive(params, it->string) != NULL) {
            hz_cli_error(cmd, "--params: '%s' given twice: give each "
                         "parameter once",
                         it->string);
            cJSON_Delete(p);
            return false;
        }
        cJSON_AddItemToObject(params, it->string, cJSON_Duplicate(it, 1));
    }
    cJSON_Delete(p);
    return true;
}
