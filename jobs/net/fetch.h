/* Dataset downloads inside the sandbox (net/sandbox.h). */
#ifndef HZ_NET_FETCH_H
#define HZ_NET_FETCH_H

#include <stddef.h>

#include "horizon/common.h"
#include "net/sandbox.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Download url into a new temp file under tmpdir (NULL: $TMPDIR or /tmp;
 * path returned in path_out, the caller unlinks it).  The URL and every
 * redirect target are checked with hz_sandbox_check_url (redirects are
 * followed here, one at a time, at most sb->max_redirects), and every
 * connection's address with hz_sandbox_addr_allowed; no proxy is used.
 * A transient failure (connection errors, timeouts, 408, 429, 5xx) is
 * tried again here, up to 4 times in all, after 1, 2, 4 s or the server's
 * Retry-After (at most 60 s), while the waits end within the first half
 * of timeout_s.  Fails with HZ_ENET (still transient: worth retrying
 * later) or HZ_EIO (other 4xx, too large, a local error) or HZ_EINVAL
 * (refused by the sandbox).  Messages name the URL as hz_url_redact shows it (no user
 * info, no query string) and never carry the response. */
hz_status hz_fetch_url(const hz_sandbox *sb, const char *url,
                       const char *tmpdir, long long max_bytes,
                       double timeout_s, char *path_out, size_t path_sz,
                       long long *bytes, hz_error *err);

#ifdef __cplusplus
}
#endif
#endif
