/* The dataset sandbox (see net/sandbox.h). */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "net/sandbox.h"
#include "net/url.h"

void hz_sandbox_init(hz_sandbox *sb)
{
    memset(sb, 0, sizeof *sb);
    sb->max_redirects = 5;
}

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void hz_sandbox_free(hz_sandbox *sb)
{
    if (sb == NULL)
        return;
    free_list(sb->roots, sb->nroots);
    free_list(sb->hosts, sb->nhosts);
    free(sb->nets);
    hz_sandbox_init(sb);
}

bool hz_sandbox_is_url(const char *s)
{
    /* any scheme but file: (a local path) is a URL, to be refused unless
     * it is http or https */
    const char *colon = strstr(s, "://");
    if (colon == NULL || strncasecmp(s, "file://", 7) == 0)
        return false;
    for (const char *p = s; p < colon; p++)
        if (!isalnum((unsigned char)*p) && *p != '+' && *p != '-' && *p != '.')
            return false;
    return colon > s;
}

/* ---- settings ---- */

/* Split s on sep into trimmed, non-empty, malloc'd items appended to
 * *v; false on ENOMEM. */
static bool split(const char *s, char sep, char ***v, size_t *n)
{
    while (s != NULL && *s != '\0') {
        const char *end = strchr(s, sep);
        size_t len = end ? (size_t)(end - s) : strlen(s);
        const char *a = s;
        while (len > 0 && isspace((unsigned char)*a)) {
            a++;
            len--;
        }
        while (len > 0 && isspace((unsigned char)a[len - 1]))
            len--;
        if (len > 0) {
            char **nv = realloc(*v, (*n + 1) * sizeof *nv);
            if (nv == NULL)
                return false;
            *v = nv;
            if ((nv[*n] = strndup(a, len)) == NULL)
                return false;
            (*n)++;
        }
        s = end ? end + 1 : NULL;
    }
    return true;
}

static hz_status add_roots(hz_sandbox *sb, const char *roots, hz_error *err)
{
    char **v = NULL;
    size_t n = 0;
    hz_status rc = HZ_OK;
    if (!split(roots, ':', &v, &n)) {
        free_list(v, n);
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n && rc == HZ_OK; i++) {
        if (v[i][0] != '/') {
            rc = hz_error_set(err, HZ_EINVAL,
                              "HZ_DATASET_ROOTS: '%s' is not an absolute "
                              "directory",
                              v[i]);
            break;
        }
        if (strstr(v[i], "{tenant}") == NULL) {
            char *real = realpath(v[i], NULL);
            struct stat sb2;
            if (real == NULL || stat(real, &sb2) != 0 ||
                !S_ISDIR(sb2.st_mode)) {
                free(real);
                rc = hz_error_set(err, HZ_EINVAL,
                                  "HZ_DATASET_ROOTS: '%s' is not a "
                                  "directory",
                                  v[i]);
                break;
            }
            free(v[i]);
            v[i] = real;
        }
    }
    if (rc == HZ_OK) {
        sb->roots = v;
        sb->nroots = n;
    } else {
        free_list(v, n);
    }
    return rc;
}

static hz_status add_hosts(hz_sandbox *sb, const char *hosts, hz_error *err)
{
    char **v = NULL;
    size_t n = 0;
    if (!split(hosts, ',', &v, &n)) {
        free_list(v, n);
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        for (char *p = v[i]; *p; p++) {
            *p = (char)tolower((unsigned char)*p);
            if (!isalnum((unsigned char)*p) && strchr(".-_:[]*", *p) == NULL) {
                hz_status rc = hz_error_set(err, HZ_EINVAL,
                                            "HZ_DATASET_HOSTS: '%s' is not "
                                            "a host name",
                                            v[i]);
                free_list(v, n);
                return rc;
            }
        }
    }
    sb->hosts = v;
    sb->nhosts = n;
    return HZ_OK;
}

static bool parse_net(const char *s, hz_sandbox_net *out)
{
    char addr[64];
    const char *slash = strchr(s, '/');
    size_t len = slash ? (size_t)(slash - s) : strlen(s);
    if (len == 0 || len >= sizeof addr)
        return false;
    memcpy(addr, s, len);
    addr[len] = '\0';
    memset(out, 0, sizeof *out);
    int max;
    if (inet_pton(AF_INET, addr, out->addr) == 1) {
        out->family = AF_INET;
        max = 32;
    } else if (inet_pton(AF_INET6, addr, out->addr) == 1) {
        out->family = AF_INET6;
        max = 128;
    } else {
        return false;
    }
    out->bits = max;
    if (slash != NULL) {
        char *end;
        long b = strtol(slash + 1, &end, 10);
        if (slash[1] == '\0' || *end != '\0' || b < 0 || b > max)
            return false;
        out->bits = (int)b;
    }
    return true;
}

static hz_status add_nets(hz_sandbox *sb, const char *nets, hz_error *err)
{
    char **v = NULL;
    size_t n = 0;
    hz_status rc = HZ_OK;
    if (!split(nets, ',', &v, &n) ||
        (n > 0 && (sb->nets = calloc(n, sizeof *sb->nets)) == NULL)) {
        free_list(v, n);
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n && rc == HZ_OK; i++) {
        if (!parse_net(v[i], &sb->nets[i]))
            rc = hz_error_set(err, HZ_EINVAL,
                              "HZ_DATASET_ALLOW_ADDRS: '%s' is not an "
                              "address or ADDRESS/BITS",
                              v[i]);
        else
            sb->nnets = i + 1;
    }
    free_list(v, n);
    return rc;
}

hz_status hz_sandbox_configure(hz_sandbox *sb, const char *roots,
                               const char *hosts, const char *nets,
                               hz_error *err)
{
    hz_sandbox_free(sb);
    hz_status rc = add_roots(sb, roots, err);
    if (rc == HZ_OK)
        rc = add_hosts(sb, hosts, err);
    if (rc == HZ_OK)
        rc = add_nets(sb, nets, err);
    if (rc != HZ_OK)
        hz_sandbox_free(sb);
    return rc;
}

hz_status hz_sandbox_from_env(hz_sandbox *sb, hz_error *err)
{
    hz_sandbox_init(sb);
    return hz_sandbox_configure(sb, getenv("HZ_DATASET_ROOTS"),
                                getenv("HZ_DATASET_HOSTS"),
                                getenv("HZ_DATASET_ALLOW_ADDRS"), err);
}

/* ---- local paths ---- */

/* The root for tenant: "{tenant}" replaced and the result resolved; false
 * when it does not apply (no tenant, an odd tenant, no such directory). */
static bool expand_root(const char *root, const char *tenant, char *out,
                        size_t outsz)
{
    const char *at = strstr(root, "{tenant}");
    if (at == NULL) {
        snprintf(out, outsz, "%s", root);
        return true;
    }
    if (tenant == NULL || tenant[0] == '\0' || strchr(tenant, '/') != NULL ||
        strcmp(tenant, ".") == 0 || strcmp(tenant, "..") == 0)
        return false;
    char raw[PATH_MAX];
    int n = snprintf(raw, sizeof raw, "%.*s%s%s", (int)(at - root), root,
                     tenant, at + 8);
    if (n < 0 || (size_t)n >= sizeof raw)
        return false;
    char *real = realpath(raw, NULL);
    if (real == NULL)
        return false;
    snprintf(out, outsz, "%s", real);
    free(real);
    return true;
}

static bool under(const char *path, const char *root)
{
    size_t n = strlen(root);
    if (n == 1 && root[0] == '/')
        return path[0] == '/';
    return strncmp(path, root, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static bool in_roots(const hz_sandbox *sb, const char *tenant,
                     const char *real)
{
    for (size_t i = 0; i < sb->nroots; i++) {
        char root[PATH_MAX];
        if (expand_root(sb->roots[i], tenant, root, sizeof root) &&
            under(real, root))
            return true;
    }
    return false;
}

/* An absolute, lexically normalised form of path ("." and ".." folded,
 * no symlink resolved): where a missing file would be. */
static bool lexical_abs(const char *path, char *out, size_t outsz)
{
    char buf[PATH_MAX * 2];
    if (path[0] == '/') {
        snprintf(buf, sizeof buf, "%s", path);
    } else {
        char cwd[PATH_MAX];
        if (getcwd(cwd, sizeof cwd) == NULL)
            return false;
        snprintf(buf, sizeof buf, "%s/%s", cwd, path);
    }
    size_t k = 0;
    out[0] = '\0';
    char *save = NULL;
    for (char *t = strtok_r(buf, "/", &save); t;
         t = strtok_r(NULL, "/", &save)) {
        if (strcmp(t, ".") == 0)
            continue;
        if (strcmp(t, "..") == 0) {
            while (k > 0 && out[k - 1] != '/')
                k--;
            if (k > 0)
                k--;
            out[k] = '\0';
            continue;
        }
        int w = snprintf(out + k, outsz - k, "/%s", t);
        if (w < 0 || (size_t)w >= outsz - k)
            return false;
        k += (size_t)w;
    }
    if (k == 0)
        snprintf(out, outsz, "/");
    return true;
}

/* A file with more than one name may have its other name anywhere on
 * the file system (another tenant's directory): which of its names is
 * "the" file cannot be told, so it is not read. */
static hz_status hard_linked(const char *given, const struct stat *st,
                             hz_error *err)
{
    return hz_error_set(err, HZ_EINVAL,
                        "dataset '%s': the file has %ju hard links, and one "
                        "may be outside the dataset roots (HZ_DATASET_ROOTS); "
                        "give the dataset a copy of its own",
                        given, (uintmax_t)st->st_nlink);
}

hz_status hz_sandbox_check_path(const hz_sandbox *sb, const char *tenant,
                                const char *path, char *resolved,
                                size_t resolved_sz, hz_error *err)
{
    const char *given = path;
    if (strncasecmp(path, "file://", 7) == 0)
        path += 7;
    if (path[0] == '\0')
        return hz_error_set(err, HZ_EINVAL, "dataset '%s': empty path", given);
    if (sb->nroots == 0)
        return hz_error_set(err, HZ_EINVAL,
                            "dataset '%s': local datasets are not allowed "
                            "(set HZ_DATASET_ROOTS to the directories jobs "
                            "may read)",
                            given);
    char *real = realpath(path, NULL);
    if (real == NULL) {
        char lex[PATH_MAX];
        if (lexical_abs(path, lex, sizeof lex) && in_roots(sb, tenant, lex))
            return hz_error_set(err, HZ_EIO, "dataset '%s': no such file",
                                given);
        return hz_error_set(err, HZ_EINVAL,
                            "dataset '%s': outside the dataset roots "
                            "(HZ_DATASET_ROOTS)",
                            given);
    }
    bool ok = in_roots(sb, tenant, real);
    struct stat st;
    bool linked = ok && stat(real, &st) == 0 && S_ISREG(st.st_mode) &&
                  st.st_nlink > 1;
    if (ok)
        snprintf(resolved, resolved_sz, "%s", real);
    free(real);
    if (!ok)
        return hz_error_set(err, HZ_EINVAL,
                            "dataset '%s': outside the dataset roots "
                            "(HZ_DATASET_ROOTS)",
                            given);
    if (linked)
        return hard_linked(given, &st, err);
    return HZ_OK;
}

hz_status hz_sandbox_open_path(const hz_sandbox *sb, const char *tenant,
                               const char *path, int *fd_out, char *resolved,
                               size_t resolved_sz, hz_error *err)
{
    *fd_out = -1;
    hz_status rc = hz_sandbox_check_path(sb, tenant, path, resolved,
                                         resolved_sz, err);
    if (rc != HZ_OK)
        return rc;
    /* O_NONBLOCK: opening a FIFO for reading would wait for a writer
     * (forever); nothing but a regular file is read, so look first */
    int fd = open(resolved, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0)
        return hz_error_set(err, HZ_EIO, "dataset '%s': could not open: %s",
                            path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0)
        st.st_mode = 0;
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return hz_error_set(err, HZ_EIO, "dataset '%s': not a regular file%s",
                            path,
                            S_ISDIR(st.st_mode)    ? " (a directory)"
                            : S_ISFIFO(st.st_mode) ? " (a FIFO)"
                                                   : "");
    }
    if (st.st_nlink > 1) {
        close(fd);
        return hard_linked(path, &st, err);
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
        int e = errno;
        close(fd);
        return hz_error_set(err, HZ_EIO, "dataset '%s': could not open: %s",
                            path, strerror(e));
    }
    char link[64], real[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, real, sizeof real - 1);
    if (n > 0)
        real[n] = '\0';
    if (n <= 0 || !in_roots(sb, tenant, real)) {
        close(fd);
        return hz_error_set(err, HZ_EINVAL,
                            "dataset '%s': outside the dataset roots "
                            "(HZ_DATASET_ROOTS)",
                            path);
    }
    *fd_out = fd;
    return HZ_OK;
}

/* ---- URLs ---- */

static bool host_matches(const char *entry, const char *host, const char *port)
{
    char hp[600];
    snprintf(hp, sizeof hp, "%s:%s", host, port);
    if (strcmp(entry, host) == 0 || strcmp(entry, hp) == 0)
        return true;
    if (strncmp(entry, "*.", 2) == 0) {
        size_t n = strlen(host), m = strlen(entry + 1); /* ".suffix" */
        return n > m && strcmp(host + n - m, entry + 1) == 0;
    }
    return false;
}

/* Why the authority (what follows "://" up to '/', '?' or '#') of url is
 * refused as it is written, before libcurl reads it: a user name or
 * password (libcurl may read a '@' as part of a host it cannot parse),
 * or a port that is empty (libcurl takes "host:" for the default port),
 * not a number, 0 or over 65535.  NULL when it is not. */
static const char *bad_authority(const char *url, char *why, size_t why_sz)
{
    const char *sep = strstr(url, "://");
    if (sep == NULL)
        return NULL;
    const char *auth = sep + 3;
    size_t len = strcspn(auth, "/?#");
    if (memchr(auth, '@', len) != NULL)
        return "a user name or password in the URL is not allowed";
    const char *end = auth + len, *colon = NULL;
    if (auth[0] == '[') {
        const char *close = memchr(auth, ']', len);
        if (close != NULL && close + 1 < end && close[1] == ':')
            colon = close + 1;
    } else {
        colon = memchr(auth, ':', len);
    }
    if (colon == NULL)
        return NULL;
    const char *port = colon + 1;
    size_t n = (size_t)(end - port);
    if (n == 0)
        return "an empty port (\"host:\"): give the port or leave out the ':'";
    long v = 0;
    for (size_t i = 0; i < n && v <= 65535; i++)
        v = isdigit((unsigned char)port[i]) ? v * 10 + (port[i] - '0')
                                            : 65536;
    if (v < 1 || v > 65535) {
        /* "user:pass/word@host", "user:pa?ss@host": what follows the
         * ':' is a password, not a port, and is not shown */
        if (v > 65535 && strchr(port, '@') != NULL &&
            strspn(port, "0123456789") < n)
            return "a user name or password in the URL is not allowed";
        snprintf(why, why_sz,
                 "port '%.*s' is not a number from 1 to 65535",
                 (int)(n < 40 ? n : 40), port);
        return why;
    }
    return NULL;
}

hz_status hz_sandbox_check_url(const hz_sandbox *sb, const char *url,
                               hz_error *err)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL, *user = NULL;
    hz_status rc = HZ_OK;
    if (u == NULL)
        return hz_error_set(err, HZ_ENOMEM, "out of memory");
    char shown[512]; /* the URL as messages may show it */
    hz_url_show(url, shown, sizeof shown);
    char why[96];
    const char *bad = bad_authority(url, why, sizeof why);
    if (bad != NULL) {
        rc = hz_error_set(err, HZ_EINVAL, "dataset URL '%s': %s", shown, bad);
        goto out;
    }
    CURLUcode uc = curl_url_set(u, CURLUPART_URL, url,
                                CURLU_NON_SUPPORT_SCHEME);
    if (uc != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK) {
        rc = hz_error_set(err, HZ_EINVAL,
                          "dataset URL '%s': not a valid URL%s%s", shown,
                          uc != CURLUE_OK ? ": " : "",
                          uc != CURLUE_OK ? curl_url_strerror(uc) : "");
        goto out;
    }
    if (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0) {
        rc = hz_error_set(err, HZ_EINVAL,
                          "dataset URL '%s': only http and https are "
                          "allowed",
                          shown);
        goto out;
    }
    if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) !=
            CURLUE_OK) {
        rc = hz_error_set(err, HZ_EINVAL, "dataset URL '%s': not a valid URL",
                          shown);
        goto out;
    }
    if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK) {
        rc = hz_error_set(err, HZ_EINVAL,
                          "dataset URL '%s': a user name or password in the "
                          "URL is not allowed",
                          shown);
        goto out;
    }
    for (char *p = host; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    size_t hl = strlen(host);
    if (hl > 1 && host[hl - 1] == '.')
        host[hl - 1] = '\0';
    bool ok = false;
    for (size_t i = 0; i < sb->nhosts && !ok; i++)
        ok = host_matches(sb->hosts[i], host, port);
    if (!ok)
        rc = hz_error_set(err, HZ_EINVAL,
                          "dataset URL '%s': host '%s' is not on the "
                          "allow-list (HZ_DATASET_HOSTS)",
                          shown, host);
out:
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(user);
    curl_url_cleanup(u);
    return rc;
}

/* ---- addresses ---- */

static bool in_net(const unsigned char *a, const unsigned char *net, int bits)
{
    int full = bits / 8, rest = bits % 8;
    if (memcmp(a, net, (size_t)full) != 0)
        return false;
    if (rest == 0)
        return true;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return (a[full] & mask) == (net[full] & mask);
}

/* The class of an internal IPv4 address, NULL for a public one. */
static const char *v4_class(const unsigned char *a)
{
    static const struct {
        unsigned char net[4];
        int bits;
        const char *what;
    } t[] = {{{0, 0, 0, 0}, 8, "an unspecified"},
             {{10, 0, 0, 0}, 8, "a private"},
             {{100, 64, 0, 0}, 10, "a shared (carrier NAT)"},
             {{127, 0, 0, 0}, 8, "a loopback"},
             {{169, 254, 0, 0}, 16, "a link-local"},
             {{172, 16, 0, 0}, 12, "a private"},
             {{192, 0, 0, 0}, 24, "a reserved"},
             {{192, 168, 0, 0}, 16, "a private"},
             {{198, 18, 0, 0}, 15, "a benchmarking"},
             {{224, 0, 0, 0}, 4, "a multicast"},
             {{240, 0, 0, 0}, 4, "a reserved"}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (in_net(a, t[i].net, t[i].bits))
            return t[i].what;
    return NULL;
}

static const char *v6_class(const unsigned char *a)
{
    static const unsigned char zero[16] = {0};
    static const unsigned char fe80[2] = {0xfe, 0x80}, fc00[1] = {0xfc},
                               ff00[1] = {0xff};
    if (memcmp(a, zero, 15) == 0 && (a[15] == 0 || a[15] == 1))
        return a[15] ? "a loopback" : "an unspecified";
    if (in_net(a, fe80, 10))
        return "a link-local";
    if (in_net(a, fc00, 7))
        return "a private (unique local)";
    if (in_net(a, ff00, 8))
        return "a multicast";
    return NULL;
}

static bool allowed_by_nets(const hz_sandbox *sb, int family,
                            const unsigned char *a)
{
    for (size_t i = 0; i < sb->nnets; i++)
        if (sb->nets[i].family == family &&
            in_net(a, sb->nets[i].addr, sb->nets[i].bits))
            return true;
    return false;
}

bool hz_sandbox_addr_allowed(const hz_sandbox *sb, const struct sockaddr *sa,
                             char *why, size_t why_sz)
{
    unsigned char a[16];
    int family = sa->sa_family;
    if (family == AF_INET) {
        memcpy(a, &((const struct sockaddr_in *)sa)->sin_addr, 4);
    } else if (family == AF_INET6) {
        memcpy(a, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
        /* IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d)
         * addresses reach an IPv4 address: judge that one */
        static const unsigned char mapped[12] = {0, 0, 0, 0, 0,    0,
                                                 0, 0, 0, 0, 0xff, 0xff};
        static const unsigned char nat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0,
                                                0, 0,    0,    0,    0, 0};
        if (memcmp(a, mapped, 12) == 0 || memcmp(a, nat64, 12) == 0) {
            memmove(a, a + 12, 4);
            family = AF_INET;
        }
    } else {
        snprintf(why, why_sz, "address family %d is not allowed", family);
        return false;
    }
    const char *cls = family == AF_INET ? v4_class(a) : v6_class(a);
    if (cls == NULL || allowed_by_nets(sb, family, a))
        return true;
    char txt[INET6_ADDRSTRLEN];
    inet_ntop(family, a, txt, sizeof txt);
    snprintf(why, why_sz,
             "%s is %s address (allow it with HZ_DATASET_ALLOW_ADDRS)", txt,
             cls);
    return false;
}
