/* Secrets taken out of services' messages (jobs/net/scrub.h): a given
 * secret and any JSON Web Token become "[redacted]"; other text stays. */
#include <string.h>

#include "hz_test.h"
#include "net/scrub.h"

static const char *scrubbed(const char *s, const char *secret)
{
    static char buf[512];
    snprintf(buf, sizeof buf, "%s", s);
    hz_scrub(buf, sizeof buf, secret);
    return buf;
}

#define JWT                                                                   \
    "eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2NvZ25pdGl2ZXNlcnZpY2VzIn0."  \
    "c2lnbmF0dXJlX29mX3RoZV90b2tlbg"

HZ_TEST(tokens_and_the_secret_are_redacted)
{
    HZ_CHECK_STR(scrubbed("invalid token: Bearer " JWT, NULL),
                 "invalid token: Bearer [redacted]");
    HZ_CHECK_STR(scrubbed(JWT " was refused", NULL), "[redacted] was refused");
    HZ_CHECK_STR(scrubbed("'" JWT "', '" JWT "'", NULL),
                 "'[redacted]', '[redacted]'");
    /* a token cut short by an earlier trim is still taken out */
    HZ_CHECK_STR(scrubbed("token eyJhbGciOiJSUzI1", NULL), "token [redacted]");
    HZ_CHECK_STR(scrubbed("key KEY0123456789 refused, again KEY0123456789",
                          "KEY0123456789"),
                 "key [redacted] refused, again [redacted]");
}

HZ_TEST(other_text_is_kept)
{
    HZ_CHECK_STR(scrubbed("Access denied due to invalid subscription key.",
                          "KEY0123456789"),
                 "Access denied due to invalid subscription key.");
    /* eyJ inside a word, or too short to be a token */
    HZ_CHECK_STR(scrubbed("abceyJhbGciOiJSUzI1NiJ9xx eyJhb", NULL),
                 "abceyJhbGciOiJSUzI1NiJ9xx eyJhb");
    /* a secret shorter than 4 characters is not looked for */
    HZ_CHECK_STR(scrubbed("a b c", "a"), "a b c");
    HZ_CHECK_STR(scrubbed("", NULL), "");
}

HZ_TEST(a_short_buffer_is_cut_never_overrun)
{
    char small[9] = "ab KEYSE";
    hz_scrub(small, sizeof small, "KEYSE");
    HZ_CHECK_STR(small, "ab [reda");
}
