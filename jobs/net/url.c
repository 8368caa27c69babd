/* URLs as they may be shown (see net/url.h). */
#include "net/url.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

/* Scheme-less URLs ("host:8080/v1") are read as libcurl reads them for a
 * transfer (http); spaces are accepted so that such a URL is shown
 * redacted rather than not at all. */
#define URL_FLAGS                                                             \
    (CURLU_NON_SUPPORT_SCHEME | CURLU_GUESS_SCHEME | CURLU_ALLOW_SPACE)

static CURLU *parse(const char *url)
{
    CURLU *u = url != NULL ? curl_url() : NULL;
    if (u != NULL &&
        curl_url_set(u, CURLUPART_URL, url, URL_FLAGS) != CURLUE_OK) {
        curl_url_cleanup(u);
        u = NULL;
    }
    return u;
}

static bool has_part(CURLU *u, CURLUPart what)
{
    char *v = NULL;
    bool has = curl_url_get(u, what, &v, 0) == CURLUE_OK;
    curl_free(v);
    return has;
}

bool hz_url_redact(const char *url, char *out, size_t outsz)
{
    if (outsz == 0)
        return false;
    CURLU *u = parse(url);
    char *shown = NULL;
    bool query = false;
    if (u != NULL) {
        query = has_part(u, CURLUPART_QUERY);
        if (curl_url_set(u, CURLUPART_USER, NULL, 0) != CURLUE_OK ||
            curl_url_set(u, CURLUPART_PASSWORD, NULL, 0) != CURLUE_OK ||
            curl_url_set(u, CURLUPART_OPTIONS, NULL, 0) != CURLUE_OK ||
            curl_url_set(u, CURLUPART_QUERY, NULL, 0) != CURLUE_OK ||
            curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0) != CURLUE_OK ||
            curl_url_get(u, CURLUPART_URL, &shown, 0) != CURLUE_OK)
            shown = NULL;
    }
    bool ok = shown != NULL;
    if (ok)
        snprintf(out, outsz, "%s%s", shown, query ? "?..." : "");
    else
        snprintf(out, outsz, "(a URL that does not parse)");
    curl_free(shown);
    curl_url_cleanup(u);
    return ok;
}

void hz_url_show(const char *url, char *out, size_t outsz)
{
    const char *sep = url != NULL ? strstr(url, "://") : NULL;
    if (hz_url_redact(url, out, outsz) || sep == NULL || outsz == 0)
        return;
    /* a user name or password ends at the last '@': a '/', '?' or '#'
     * in it (not percent-encoded: why libcurl could not parse it) does
     * not end it.  An '@' after a '?' or '#' may be in the query as well
     * as in a password: then nothing after the scheme is shown. */
    const char *auth = sep + 3;
    const char *at = strrchr(auth, '@');
    size_t qpos = strcspn(auth, "?#");
    if (at != NULL && auth + qpos < at) {
        snprintf(out, outsz, "%.*s...", (int)(auth - url), url);
        for (char *p = out; *p != '\0'; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                *p = '?';
        return;
    }
    const char *rest = at != NULL ? at + 1 : auth;
    size_t keep = strcspn(rest, "?#");
    size_t k = 0;
    for (int part = 0; part < 2; part++) {
        const char *p = part == 0 ? url : rest;
        const char *end = part == 0 ? sep + 3 : rest + keep;
        for (; p < end && k + 1 < outsz; p++)
            out[k++] = (unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p;
    }
    out[k] = '\0';
    if (rest[keep] == '?' && k + 5 < outsz)
        snprintf(out + k, outsz - k, "?...");
}

bool hz_url_has_userinfo(const char *url)
{
    CURLU *u = parse(url);
    bool has = u != NULL && (has_part(u, CURLUPART_USER) ||
                             has_part(u, CURLUPART_PASSWORD) ||
                             has_part(u, CURLUPART_OPTIONS));
    curl_url_cleanup(u);
    return has;
}

bool hz_url_host_is(const char *url, const char *host)
{
    CURLU *u = parse(url);
    char *h = NULL;
    bool is = u != NULL && curl_url_get(u, CURLUPART_HOST, &h, 0) == 0 &&
              h != NULL && strcasecmp(h, host) == 0;
    curl_free(h);
    curl_url_cleanup(u);
    return is;
}

bool hz_url_is_loopback(const char *url)
{
    return hz_url_host_is(url, "127.0.0.1") ||
           hz_url_host_is(url, "localhost") || hz_url_host_is(url, "[::1]");
}

bool hz_url_is_https(const char *url)
{
    CURLU *u = parse(url);
    char *scheme = NULL;
    bool is = u != NULL &&
              curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
              scheme != NULL && strcasecmp(scheme, "https") == 0;
    curl_free(scheme);
    curl_url_cleanup(u);
    return is;
}
