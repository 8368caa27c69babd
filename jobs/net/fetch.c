/* Dataset downloads inside the sandbox (see net/fetch.h). */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "net/fetch.h"
#include "net/http.h"
#include "net/url.h"
#include "horizon/version.h"

typedef struct dl_state {
    FILE *f;
    long long bytes, max;
    bool too_big;
    const hz_sandbox *sb;
    char refused[256]; /* why a connection was refused */
    double retry_after_s; /* the last answer's Retry-After (-1: none) */
} dl_state;

/* A transient failure (HZ_ENET: a network error, 408, 429, 5xx) is tried
 * again within the download, at most FETCH_TRIES times in all, after
 * 1, 2, 4 s or the server's Retry-After (at most FETCH_MAX_WAIT_S), as
 * long as the waits end within the first half of the download's time:
 * a throttled or briefly failing server does not use up a job's attempts
 * in milliseconds, nor fail it for good on a 429. */
#define FETCH_TRIES 4
#define FETCH_MAX_WAIT_S 60.0

static size_t dl_write(char *ptr, size_t size, size_t nmemb, void *ud)
{
    dl_state *st = ud;
    size_t n = size * nmemb;
    if (st->bytes + (long long)n > st->max) {
        st->too_big = true;
        return 0;
    }
    if (fwrite(ptr, 1, n, st->f) != n)
        return 0;
    st->bytes += (long long)n;
    return n;
}

/* Every connection libcurl makes goes through here: the address it is
 * about to connect to (after DNS, on every redirect) is checked. */
static curl_socket_t open_socket(void *ud, curlsocktype purpose,
                                 struct curl_sockaddr *a)
{
    dl_state *st = ud;
    if (purpose != CURLSOCKTYPE_IPCXN ||
        !hz_sandbox_addr_allowed(st->sb, &a->addr, st->refused,
                                 sizeof st->refused)) {
        if (st->refused[0] == '\0')
            snprintf(st->refused, sizeof st->refused,
                     "connection type refused");
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

/* The CA certificates a private CA's user names in the environment, as
 * OpenSSL's and curl's tools read them: libcurl does not (Debian's names
 * its bundle at build time), so without this they were ignored and the
 * download failed "self-signed certificate".  A file replaces the
 * system's bundle (CURL_CA_BUNDLE first, then SSL_CERT_FILE), a
 * directory (SSL_CERT_DIR, OpenSSL's hashed names; several separated by
 * ':') adds to it.  NULL when unset. */
static const char *ca_file(void)
{
    const char *f = getenv("CURL_CA_BUNDLE");
    if (f == NULL || f[0] == '\0')
        f = getenv("SSL_CERT_FILE");
    return f != NULL && f[0] != '\0' ? f : NULL;
}

static const char *ca_dir(void)
{
    const char *d = getenv("SSL_CERT_DIR");
    return d != NULL && d[0] != '\0' ? d : NULL;
}

static void setup(CURL *h, const char *url, dl_state *st, double timeout_s,
                  char *ebuf)
{
    if (ca_file() != NULL)
        curl_easy_setopt(h, CURLOPT_CAINFO, ca_file());
    if (ca_dir() != NULL)
        curl_easy_setopt(h, CURLOPT_CAPATH, ca_dir());
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_PROXY, ""); /* never through a proxy */
    curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, dl_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, st);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, st);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, ebuf);
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)st->max);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    if (timeout_s > 0)
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(timeout_s * 1000));
    curl_easy_setopt(h, CURLOPT_USERAGENT, "horizon/" HZ_VERSION_STRING);
}

/* One request (no redirect followed).  *next_out: the redirect target
 * (malloc'd) when the answer was a redirect. */
static hz_status fetch_once(const char *url, dl_state *st, double timeout_s,
                            char **next_out, hz_error *err)
{
    *next_out = NULL;
    CURL *h = curl_easy_init();
    if (h == NULL)
        return hz_error_set(err, HZ_ENOMEM, "could not start libcurl");
    char ebuf[CURL_ERROR_SIZE] = "";
    setup(h, url, st, timeout_s, ebuf);
    CURLcode cc = curl_easy_perform(h);
    char shown[512]; /* the URL as messages may show it */
    hz_url_redact(url, shown, sizeof shown);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    hz_status rc = HZ_OK;
    char *loc = NULL;
    if (st->refused[0] != '\0' && cc != CURLE_OK) {
        rc = hz_error_set(err, HZ_EINVAL, "could not fetch %s: %s", shown,
                          st->refused);
    } else if (st->too_big || cc == CURLE_FILESIZE_EXCEEDED) {
        rc = hz_error_set(err, HZ_EIO,
                          "could not fetch %s: larger than the %lld-byte "
                          "limit",
                          shown, st->max);
    } else if (cc == CURLE_HTTP_RETURNED_ERROR) {
        curl_off_t ra = 0; /* 0: none (or none that parsed) */
        if (curl_easy_getinfo(h, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK &&
            ra > 0)
            st->retry_after_s = (double)ra;
        bool transient = status >= 500 || status == 408 || status == 429;
        rc = hz_error_set(err, transient ? HZ_ENET : HZ_EIO,
                          "could not fetch %s: HTTP %ld", shown, status);
    } else if (cc == CURLE_PEER_FAILED_VERIFICATION ||
               cc == CURLE_SSL_CACERT_BADFILE ||
               cc == CURLE_SSL_CERTPROBLEM || cc == CURLE_SSL_ISSUER_ERROR) {
        /* the certificate or the CA files: another attempt fails alike;
         * say which CA certificates it was checked against */
        rc = hz_error_set(
            err, HZ_EIO,
            "could not fetch %s: %s (TLS: the server's certificate is "
            "checked against %s%.300s%s%.300s%s)",
            shown, ebuf[0] ? ebuf : curl_easy_strerror(cc),
            ca_file() ? "the CA file " : "the system's CA certificates",
            ca_file() ? ca_file() : "",
            ca_dir() ? " and the CA directory " : "",
            ca_dir() ? ca_dir() : "",
            ca_file() || ca_dir()
                ? ""
                : "; a private CA: set SSL_CERT_FILE, CURL_CA_BUNDLE or "
                  "SSL_CERT_DIR");
    } else if (cc != CURLE_OK) {
        rc = hz_error_set(err, HZ_ENET, "could not fetch %s: %s", shown,
                          ebuf[0] ? ebuf : curl_easy_strerror(cc));
    } else if (status >= 300 && status < 400 &&
               curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK &&
               loc != NULL) {
        if ((*next_out = strdup(loc)) == NULL)
            rc = hz_error_set(err, HZ_ENOMEM, "out of memory");
    }
    curl_easy_cleanup(h);
    return rc;
}

/* Empty the download file before the next hop of a redirect chain. */
static bool restart_file(dl_state *st)
{
    if (fflush(st->f) != 0 || ftruncate(fileno(st->f), 0) != 0)
        return false;
    rewind(st->f);
    st->bytes = 0;
    return true;
}

static hz_status follow(const hz_sandbox *sb, const char *url, dl_state *st,
                        double timeout_s, hz_error *err)
{
    char shown[512];
    hz_url_redact(url, shown, sizeof shown);
    char *cur = strdup(url);
    hz_status rc = cur ? HZ_OK : hz_error_set(err, HZ_ENOMEM, "out of memory");
    for (int hop = 0; rc == HZ_OK; hop++) {
        rc = hz_sandbox_check_url(sb, cur, err);
        if (rc != HZ_OK && hop > 0) { /* the redirect's target, named */
            char why[HZ_ERROR_MAX];
            snprintf(why, sizeof why, "%s", err->msg);
            hz_error_set(err, rc,
                         "could not fetch %.200s: it redirects (hop %d) to "
                         "a URL that is refused: %s",
                         shown, hop, why);
        }
        if (rc != HZ_OK)
            break;
        char *next = NULL;
        rc = fetch_once(cur, st, timeout_s, &next, err);
        if (rc != HZ_OK && hop > 0) { /* "could not fetch TARGET: ..." */
            char why[HZ_ERROR_MAX];
            const char *p = err->msg;
            if (strncmp(p, "could not fetch ", 16) == 0)
                p += 16;
            snprintf(why, sizeof why, "%s", p);
            hz_error_set(err, rc,
                         "could not fetch %.200s: it redirects (hop %d) to "
                         "%s",
                         shown, hop, why);
        }
        if (rc != HZ_OK || next == NULL)
            break;
        if (hop >= sb->max_redirects) {
            free(next);
            rc = hz_error_set(err, HZ_EIO,
                              "could not fetch %s: more than %d redirects",
                              shown, sb->max_redirects);
            break;
        }
        free(cur);
        cur = next;
        if (!restart_file(st))
            rc = hz_error_set(err, HZ_EIO,
                              "could not write the download of "
                              "%s",
                              shown);
    }
    free(cur);
    return rc;
}

/* follow(), tried again after a transient failure (see FETCH_TRIES);
 * every try gets the time left of timeout_s. */
static hz_status fetch_with_retries(const hz_sandbox *sb, const char *url,
                                    dl_state *st, double timeout_s,
                                    hz_error *err)
{
    double t0 = hz_now(), backoff = 1;
    for (int k = 1;; k++) {
        st->retry_after_s = -1;
        double left = timeout_s > 0 ? timeout_s - (hz_now() - t0) : 0;
        hz_status rc = follow(sb, url, st, timeout_s > 0 ? fmax(left, 0.001)
                                                         : 0,
                              err);
        if (rc != HZ_ENET || k == FETCH_TRIES)
            return rc;
        double wait = st->retry_after_s >= 0
                          ? fmin(st->retry_after_s, FETCH_MAX_WAIT_S)
                          : backoff;
        if (timeout_s > 0 && hz_now() - t0 + wait > timeout_s / 2)
            return rc;
        hz_net_sleep(wait);
        backoff *= 2;
        if (!restart_file(st))
            return rc;
    }
}

hz_status hz_fetch_url(const hz_sandbox *sb, const char *url,
                       const char *tmpdir, long long max_bytes,
                       double timeout_s, char *path_out, size_t path_sz,
                       long long *bytes, hz_error *err)
{
    if (tmpdir == NULL)
        tmpdir = getenv("TMPDIR");
    if (tmpdir == NULL || tmpdir[0] == '\0')
        tmpdir = "/tmp";
    snprintf(path_out, path_sz, "%s/hz-fetch-XXXXXX", tmpdir);
    int fd = mkstemp(path_out);
    if (fd < 0)
        return hz_error_set(err, HZ_EIO,
                            "could not create a temp file in %s: %s", tmpdir,
                            strerror(errno));
    dl_state st = {.f = fdopen(fd, "wb"), .max = max_bytes, .sb = sb};
    if (st.f == NULL) {
        close(fd);
        unlink(path_out);
        return hz_error_set(err, HZ_EIO, "could not open a temp file: %s",
                            strerror(errno));
    }
    hz_net_init();
    hz_status rc = fetch_with_retries(sb, url, &st, timeout_s, err);
    if (fclose(st.f) != 0 && rc == HZ_OK) {
        char shown[512];
        hz_url_redact(url, shown, sizeof shown);
        rc = hz_error_set(err, HZ_EIO, "could not write the download of %s",
                          shown);
    }
    if (rc != HZ_OK)
        unlink(path_out);
    else if (bytes != NULL)
        *bytes = st.bytes;
    return rc;
}
