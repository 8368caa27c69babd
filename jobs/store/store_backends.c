/* The store implementations by spec scheme: the one place that names
 * them, so the interface (store.c) depends on none of them.  The first
 * entry also opens a bare PATH ending in .db, .sqlite or .sqlite3. */
#include <string.h>

#include "store/store.h"

static hz_status open_sqlite(const char *spec, unsigned flags,
                             bool (*cancel)(void *ctx), void *cancel_ctx,
                             hz_store **out, hz_error *err)
{
    const char *path = strncmp(spec, "sqlite:", 7) == 0 ? spec + 7 : spec;
    hz_status rc = hz__store_sqlite_open_flags(path, flags, out, err);
    if (rc == HZ_OK && cancel != NULL) /* opening asks nobody */
        hz_store_set_cancel(*out, cancel, cancel_ctx);
    return rc;
}

static hz_status open_cosmos(const char *spec, unsigned flags,
                             bool (*cancel)(void *ctx), void *cancel_ctx,
                             hz_store **out, hz_error *err)
{
    (void)flags; /* the service enforces its own permissions */
    return hz__store_cosmos_open_cancel(spec, cancel, cancel_ctx, out, err);
}

const hz_store_backend hz__store_backends[] = {
    {"sqlite", open_sqlite},
    {"cosmos", open_cosmos},
    {NULL, NULL},
};
