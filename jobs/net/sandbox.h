/* The dataset sandbox: what a job (or `datasets add`, `submit`) may read.
 *
 * Local files: only inside the configured roots, checked on the real path
 * (symlinks and ".." resolved by realpath) and again on the file actually
 * opened (its /proc/self/fd link), so a symlink swapped in between is
 * caught.  A root may contain "{tenant}" ("/data/{tenant}"): each tenant
 * then reads only its own directory.  "file://PATH" is a local path.
 *
 * URLs: only http and https, only to hosts on the allow-list, no user
 * name or password in the URL; redirects are followed by the caller one
 * at a time and each target is checked like the first URL
 * (hz_sandbox_check_url).  The address of every connection actually
 * made is checked too (hz_sandbox_addr_allowed, from libcurl's
 * CURLOPT_OPENSOCKETFUNCTION): loopback, private, link-local, shared,
 * multicast and reserved addresses are refused unless an allowed network
 * contains them, so a host name that resolves to 127.0.0.1, a DNS answer
 * that changes (rebinding), a redirect to an internal address and the
 * decimal or octal spellings of an address all fail.
 *
 * Settings (environment, read by hz_sandbox_from_env):
 *   HZ_DATASET_ROOTS        directories, ':'-separated (none: no local
 *                           dataset is allowed)
 *   HZ_DATASET_HOSTS        host names, ','-separated: "example.com"
 *                           (any port), "example.com:8443", "*.example.com"
 *                           (its subdomains), "127.0.0.1", "[::1]"
 *                           (none: no URL is allowed)
 *   HZ_DATASET_ALLOW_ADDRS  networks whose addresses are allowed although
 *                           internal: "127.0.0.1/32,10.0.0.0/8,::1/128"
 *
 * Error messages name the dataset as given and the rule that refused it;
 * they never contain file or response content. */
#ifndef HZ_NET_SANDBOX_H
#define HZ_NET_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "horizon/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hz_sandbox_net {
    int family; /* AF_INET or AF_INET6 */
    unsigned char addr[16];
    int bits;
} hz_sandbox_net;

typedef struct hz_sandbox {
    char **roots; /* absolute directories, may contain "{tenant}" */
    size_t nroots;
    char **hosts; /* lower case; "host", "host:port", "*.suffix" */
    size_t nhosts;
    hz_sandbox_net *nets; /* allowed although internal */
    size_t nnets;
    int max_redirects; /* default 5 */
} hz_sandbox;

/* An empty sandbox: nothing local, no URL. */
void hz_sandbox_init(hz_sandbox *sb);
void hz_sandbox_free(hz_sandbox *sb);

/* Parse the three settings (each may be NULL or "").  Roots must be
 * absolute; each is resolved by realpath when it has no "{tenant}".
 * HZ_EINVAL names the bad entry. */
hz_status hz_sandbox_configure(hz_sandbox *sb, const char *roots,
                               const char *hosts, const char *nets,
                               hz_error *err);
/* From HZ_DATASET_ROOTS, HZ_DATASET_HOSTS and HZ_DATASET_ALLOW_ADDRS. */
hz_status hz_sandbox_from_env(hz_sandbox *sb, hz_error *err);

/* True for "SCHEME://..." other than file:// (which is a local path):
 * hz_sandbox_check_url then refuses every scheme but http and https. */
bool hz_sandbox_is_url(const char *s);

/* Check a local dataset path (relative to the working directory;
 * "file://" stripped) for tenant (NULL: roots with "{tenant}" do not
 * apply).  On HZ_OK resolved (PATH_MAX bytes) holds its real path.
 * HZ_EIO: no such file (inside a root); HZ_EINVAL: refused. */
hz_status hz_sandbox_check_path(const hz_sandbox *sb, const char *tenant,
                                const char *path, char *resolved,
                                size_t resolved_sz, hz_error *err);

/* check_path, then open the real path read-only (no symlink followed)
 * and check the opened file's own path again; *fd_out is the caller's
 * to close.  A regular file only: anything else (a directory, a FIFO, a
 * device) is HZ_EIO, found before any read (the open does not block). */
hz_status hz_sandbox_open_path(const hz_sandbox *sb, const char *tenant,
                               const char *path, int *fd_out, char *resolved,
                               size_t resolved_sz, hz_error *err);

/* Check a URL: http(s), no user info, host on the allow-list. */
hz_status hz_sandbox_check_url(const hz_sandbox *sb, const char *url,
                               hz_error *err);

/* Check the address of a connection about to be made; false with a
 * reason ("127.0.0.1 is a loopback address") in why. */
bool hz_sandbox_addr_allowed(const hz_sandbox *sb, const struct sockaddr *sa,
                             char *why, size_t why_sz);

#ifdef __cplusplus
}
#endif
#endif
