/* URLs as messages show them (jobs/net/url.h): no user name, password or
 * fragment, the query string replaced by "?...", nothing at all of a
 * string that does not parse; and the user-info test the endpoints'
 * checks rely on. */
#include <string.h>

#include "hz_test.h"
#include "net/http.h"
#include "net/url.h"

static const char *shown(const char *url)
{
    static char out[512];
    hz_url_redact(url, out, sizeof out);
    return out;
}

HZ_TEST(user_password_query_and_fragment_are_not_shown)
{
    HZ_CHECK_STR(shown("http://bob:URLSECRET1@127.0.0.1:9/v1"),
                 "http://127.0.0.1:9/v1");
    HZ_CHECK_STR(shown("https://bob@h.example/x"), "https://h.example/x");
    HZ_CHECK_STR(shown("http://127.0.0.1:9/v1?key=QSECRET2"),
                 "http://127.0.0.1:9/v1?...");
    HZ_CHECK_STR(shown("https://acct.blob.core.windows.net/c/sales.csv"
                       "?sv=2024-01-01&sig=SASSECRET000#frag"),
                 "https://acct.blob.core.windows.net/c/sales.csv?...");
    HZ_CHECK_STR(shown("https://h/?sig=S"), "https://h/?...");
    HZ_CHECK_STR(shown("https://u:p@h:8443/a/b.csv#tok=F"),
                 "https://h:8443/a/b.csv");
    /* a URL without a secret is shown as it is */
    HZ_CHECK_STR(shown("https://data.example.com/sales.csv"),
                 "https://data.example.com/sales.csv");
    HZ_CHECK_STR(shown("http://[::1]:8080/v1"), "http://[::1]:8080/v1");
}

HZ_TEST(what_does_not_parse_is_not_shown)
{
    char out[64];
    HZ_CHECK(!hz_url_redact("http://bob:SECRET@[not-an-address/x", out,
                            sizeof out));
    HZ_CHECK(strstr(out, "SECRET") == NULL);
    HZ_CHECK_STR(out, "(a URL that does not parse)");
    HZ_CHECK(!hz_url_redact(NULL, out, sizeof out));
    /* a short buffer is cut, never overrun */
    char tiny[8];
    hz_url_redact("https://u:p@example.com/long/path", tiny, sizeof tiny);
    HZ_CHECK_STR(tiny, "https:/");
}

HZ_TEST(userinfo_is_detected)
{
    HZ_CHECK(hz_url_has_userinfo("http://bob:pw@127.0.0.1:9/v1"));
    HZ_CHECK(hz_url_has_userinfo("https://bob@h/"));
    HZ_CHECK(hz_url_has_userinfo("http://127.0.0.1@evil.example/"));
    HZ_CHECK(!hz_url_has_userinfo("https://h/v1?user=x&password=y"));
    HZ_CHECK(!hz_url_has_userinfo("https://h/a@b"));
    HZ_CHECK(!hz_url_has_userinfo("not a url at all ["));
    HZ_CHECK(!hz_url_has_userinfo(NULL));
}

/* Plain http is allowed to the loopback only: the host as libcurl parses
 * it, exactly, so that a name starting with 127.0.0.1 or a user name
 * before an @ does not pass (both passed a prefix match). */
HZ_TEST(plain_http_only_to_the_loopback_host_itself)
{
    HZ_CHECK(hz_url_is_loopback("http://127.0.0.1:8081/"));
    HZ_CHECK(hz_url_is_loopback("http://LOCALHOST/x"));
    HZ_CHECK(hz_url_is_loopback("http://[::1]:9/"));
    HZ_CHECK(!hz_url_is_loopback("http://127.0.0.1.evil.example/"));
    HZ_CHECK(!hz_url_is_loopback("http://localhost.evil.example:80/"));
    HZ_CHECK(!hz_url_is_loopback("http://localhost:80@evil.example/"));
    HZ_CHECK(!hz_url_is_loopback(NULL));
    HZ_CHECK(hz_http_url_allowed("http://127.0.0.1:8081/x", NULL));
    HZ_CHECK(hz_http_url_allowed("https://login.example/t", NULL));
    HZ_CHECK(!hz_http_url_allowed("http://127.0.0.1.evil.example/", NULL));
    HZ_CHECK(!hz_http_url_allowed("http://localhost:80@evil.example/", NULL));
    HZ_CHECK(!hz_http_url_allowed("http://login.example/t", NULL));
    HZ_CHECK(hz_http_url_allowed("http://169.254.169.254/metadata",
                                 "169.254.169.254"));
    HZ_CHECK(!hz_http_url_allowed("http://169.254.169.254.evil.example/",
                                  "169.254.169.254"));
}
