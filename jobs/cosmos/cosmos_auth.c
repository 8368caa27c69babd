/* Cosmos DB request authorization: the master-key signature (HMAC-SHA256
 * over verb, resource type, resource link and date) and the helpers it
 * needs (base64, URI encoding, RFC 1123 dates).  See cosmos.h. */
#include "cosmos/cosmos_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

void hz__cosmos_copy_str(char *dst, size_t dstsz, const char *src)
{
    if (dstsz == 0)
        return;
    size_t n = strlen(src);
    if (n >= dstsz)
        n = dstsz - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

long hz__cosmos_b64_decode(const char *in, unsigned char *out, size_t outsz)
{
    size_t n = strlen(in);
    if (n == 0 || n % 4 != 0 || n / 4 * 3 > outsz)
        return -1;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)in[i];
        if (!(isalnum(ch) || ch == '+' || ch == '/' || ch == '='))
            return -1;
    }
    int len = EVP_DecodeBlock(out, (const unsigned char *)in, (int)n);
    if (len < 0)
        return -1;
    if (in[n - 1] == '=')
        len--;
    if (in[n - 2] == '=')
        len--;
    return len;
}

/* encodeURIComponent(): keep A-Z a-z 0-9 - _ . ! ~ * ' ( ). */
int hz__cosmos_url_encode(const char *in, char *out, size_t outsz)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
        if (isalnum(*p) || strchr("-_.!~*'()", *p)) {
            if (o + 1 >= outsz)
                return -1;
            out[o++] = (char)*p;
        } else {
            if (o + 3 >= outsz)
                return -1;
            out[o++] = '%';
            out[o++] = hex[*p >> 4];
            out[o++] = hex[*p & 15];
        }
    }
    out[o] = '\0';
    return 0;
}

void hz_cosmos_http_date(time_t t, char out[32])
{
    static const char *days[] = {"Sun", "Mon", "Tue", "Wed",
                                 "Thu", "Fri", "Sat"};
    static const char *mons[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, 32, "%s, %02d %s %04d %02d:%02d:%02d GMT",
             days[tm.tm_wday % 7], tm.tm_mday, mons[tm.tm_mon % 12],
             tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void lower_into(char *dst, size_t dstsz, const char *src)
{
    size_t i = 0;
    for (; src[i] && i + 1 < dstsz; i++)
        dst[i] = (char)tolower((unsigned char)src[i]);
    dst[i] = '\0';
}

hz_status hz__cosmos_sign(const unsigned char *key, size_t key_len,
                          const char *verb, const char *rtype,
                          const char *link, const char *date, char *out,
                          size_t outsz, hz_error *err)
{
    char lverb[16], ltype[32], ldate[40];
    lower_into(lverb, sizeof lverb, verb);
    lower_into(ltype, sizeof ltype, rtype);
    lower_into(ldate, sizeof ldate, date);
    size_t tlen = strlen(lverb) + strlen(ltype) + strlen(link) +
                  strlen(ldate) + 5;
    char *text = malloc(tlen + 1);
    if (text == NULL)
        return hz_error_set(err, HZ_ENOMEM, "cosmos: out of memory");
    snprintf(text, tlen + 1, "%s\n%s\n%s\n%s\n\n", lverb, ltype, link, ldate);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_len = 0;
    unsigned char *r = HMAC(EVP_sha256(), key, (int)key_len,
                            (const unsigned char *)text, strlen(text), mac,
                            &mac_len);
    free(text);
    if (r == NULL)
        return hz_error_set(err, HZ_EINTERNAL, "cosmos: hmac failed");
    char sig[128];
    EVP_EncodeBlock((unsigned char *)sig, mac, (int)mac_len);
    char plain[200];
    snprintf(plain, sizeof plain, "type=master&ver=1.0&sig=%s", sig);
    if (hz__cosmos_url_encode(plain, out, outsz) != 0)
        return hz_error_set(err, HZ_EINVAL,
                            "cosmos: authorization buffer too small");
    return HZ_OK;
}

hz_status hz_cosmos_auth_header(const char *key_b64, const char *verb,
                                const char *resource_type,
                                const char *resource_link, const char *date,
                                char *out, size_t outsz, hz_error *err)
{
    unsigned char key[128];
    long kl = hz__cosmos_b64_decode(key_b64, key, sizeof key);
    if (kl <= 0)
        return hz_error_set(err, HZ_EINVAL,
                            "cosmos: the master key is not valid base64");
    hz_status s = hz__cosmos_sign(key, (size_t)kl, verb, resource_type,
                                  resource_link, date, out, outsz, err);
    OPENSSL_cleanse(key, sizeof key);
    return s;
}

hz_status hz__cosmos_aad_auth(hz_cosmos *c, char **auth_out, char **token_out,
                              hz_error *err)
{
    *auth_out = *token_out = NULL;
    size_t cap = 16384;
    char *tok = malloc(cap);
    if (tok == NULL)
        return hz_error_set(err, HZ_ENOMEM, "cosmos: out of memory");
    hz_status s =
        hz_entra_token_cancel(c->entra, tok, cap, c->cancel, c->cancel_ctx, err);
    if (s != HZ_OK) {
        free(tok);
        return s;
    }
    size_t plain_n = strlen(tok) + 32;
    char *plain = malloc(plain_n);
    char *auth = malloc(plain_n * 3);
    if (plain == NULL || auth == NULL) {
        free(plain);
        free(auth);
        OPENSSL_cleanse(tok, strlen(tok));
        free(tok);
        return hz_error_set(err, HZ_ENOMEM, "cosmos: out of memory");
    }
    snprintf(plain, plain_n, "type=aad&ver=1.0&sig=%s", tok);
    hz__cosmos_url_encode(plain, auth, plain_n * 3);
    OPENSSL_cleanse(plain, strlen(plain));
    free(plain);
    *auth_out = auth;
    *token_out = tok;
    return HZ_OK;
}
