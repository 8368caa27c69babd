/* jobs/net: URLs as they may be shown.
 *
 * A URL can carry a secret: a user name and password
 * (https://user:pass@host/), a key or a signature in its query string
 * (a SAS token: ?sv=...&sig=..., an API gateway's ?key=...) or in its
 * fragment.  Every URL that goes into an error, a log line, a metric or a
 * stored record goes through hz_url_redact first. */
#ifndef HZ_NET_URL_H
#define HZ_NET_URL_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* url as it may be shown, into out (outsz bytes, always terminated):
 * parsed with libcurl's URL API, without user name, password, login
 * options and fragment, and with a query string replaced by "?..."
 * ("https://h/c.csv?..." for "https://u:p@h/c.csv?sig=S#f").  A string
 * libcurl cannot parse as a URL is not shown at all: out gets
 * "(a URL that does not parse)".  Returns false in that case. */
bool hz_url_redact(const char *url, char *out, size_t outsz);

/* hz_url_redact, and for a "SCHEME://..." string libcurl cannot parse
 * (an empty port, a port out of range, a space), the same read from its
 * text: what lies before its last '@' left out (a password with a '/' in
 * it), and so are its query (shown "?...") and fragment; all but
 * "SCHEME://..." when a '?' or '#' comes before that '@' (a password's
 * or the query's: not told apart); control characters shown as '?'. */
void hz_url_show(const char *url, char *out, size_t outsz);

/* True when url parses and names a user, a password or login options. */
bool hz_url_has_userinfo(const char *url);

/* True when url parses and its host is host (case aside) exactly: not a
 * name that starts with it (127.0.0.1.example), nor a user name before
 * an @ (http://127.0.0.1:80@example/ is example's). */
bool hz_url_host_is(const char *url, const char *host);
/* hz_url_host_is for 127.0.0.1, localhost or [::1]. */
bool hz_url_is_loopback(const char *url);

/* True when url parses and its scheme is https (a URL without a scheme,
 * "host:8080/v1", is http, as libcurl reads it for a transfer). */
bool hz_url_is_https(const char *url);

#ifdef __cplusplus
}
#endif
#endif
