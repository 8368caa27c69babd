/* jobs/net: secrets taken out of text that is shown.
 *
 * A server's error message can quote what it was sent: an API key, or
 * the bearer token of the Authorization header.  Every message of a
 * service that goes into an error, a log line, a metric or a stored
 * record goes through hz_scrub first. */
#ifndef HZ_NET_SCRUB_H
#define HZ_NET_SCRUB_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* In s (in place; s has room for n bytes, always terminated): every
 * occurrence of secret (when not NULL and at least 4 characters long)
 * and every JSON Web Token (a word of base64url characters and dots
 * starting "eyJ", at least 16 long: what Microsoft Entra ID issues)
 * replaced by "[redacted]". */
void hz_scrub(char *s, size_t n, const char *secret);

#ifdef __cplusplus
}
#endif
#endif
