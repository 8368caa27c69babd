/* Helpers of the job commands (see cli_jobs.h). */
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
    if (!cJSON_IsString(v) || v->valuestring == NULL ||
        (strncmp(v->valuestring, "http://", 7) != 0 &&
         strncmp(v->valuestring, "https://", 8) != 0))
        return;
    char shown[1024];
    hz_url_redact(v->valuestring, shown, sizeof shown);
    if (strcmp(shown, v->valuestring) != 0)
        cJSON_SetValuestring(v, shown);
}
