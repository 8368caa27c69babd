/* One Entra ID token request, in the shape of its source (a client
 * credentials grant with a secret or a federated assertion, the App
 * Service / Container Apps managed identity endpoint, IMDS), with retries
 * of transient failures, and the parsing and checking of the answer.
 * See entra.h. */
#include "net/entra_internal.h"
#include "net/http.h"
#include "net/scrub.h"
#include "net/url.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#define FETCH_ATTEMPTS 4
#define FETCH_TIMEOUT_S 10.0
/* All the attempts of one token fetch end within this (HZ_ENTRA_DEADLINE_S
 * overrides it): an endpoint that hangs cannot hold a caller for
 * FETCH_ATTEMPTS x FETCH_TIMEOUT_S. */
#define FETCH_DEADLINE_S 20.0
#define IMDS_CONNECT_TIMEOUT_S 2.0
#define ASSERTION_MAX ((size_t)64 << 10)

/* A request being prepared: URL, headers, body (secrets inside). */
typedef struct token_req {
    char url[2048];
    char hdr[600];
    const char *headers[3];
    char *body;        /* malloc'ed form body (POST) or NULL */
    const char *where; /* source name for messages */
    bool imds;
} token_req;

static void token_req_free(token_req *q)
{
    if (q->body != NULL) {
        OPENSSL_cleanse(q->body, strlen(q->body));
        free(q->body);
    }
    OPENSSL_cleanse(q->hdr, sizeof q->hdr);
    memset(q, 0, sizeof *q);
}

/* The resource of a scope: "https://x/.default" -> "https://x". */
static void scope_resource(const char *scope, char *out, size_t n)
{
    snprintf(out, n, "%s", scope);
    size_t l = strlen(out);
    if (l >= 9 && strcmp(out + l - 9, "/.default") == 0)
        out[l - 9] = '\0';
}

/* Append "&name=escaped(value)" (no '&' first) to a malloc'ed string. */
static bool form_add(char **s, const char *name, const char *value)
{
    char *esc = curl_easy_escape(NULL, value, 0);
    if (esc == NULL)
        return false;
    size_t old = *s ? strlen(*s) : 0;
    size_t n = old + strlen(name) + strlen(esc) + 3;
    char *ns = realloc(*s, n);
    if (ns == NULL) {
        curl_free(esc);
        return false;
    }
    snprintf(ns + old, n - old, "%s%s=%s", old ? "&" : "", name, esc);
    OPENSSL_cleanse(esc, strlen(esc));
    curl_free(esc);
    *s = ns;
    return true;
}

/* The federated assertion: the file's content, trimmed (re-read at every
 * fetch: the workload identity webhook rotates it). */
static hz_status read_assertion(const char *path, char **out, hz_error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return hz_error_set(err, HZ_EIO,
                            "entra: workload identity: could not open "
                            "AZURE_FEDERATED_TOKEN_FILE %s: %s",
                            path, strerror(errno));
    char *buf = malloc(ASSERTION_MAX + 1);
    size_t n = buf ? fread(buf, 1, ASSERTION_MAX + 1, f) : 0;
    fclose(f);
    if (buf == NULL)
        return hz_error_set(err, HZ_ENOMEM, "entra: out of memory");
    while (n > 0 && isspace((unsigned char)buf[n - 1]))
        n--;
    buf[n < ASSERTION_MAX ? n : ASSERTION_MAX] = '\0';
    if (n == 0 || n > ASSERTION_MAX) {
        free(buf);
        return hz_error_set(err, HZ_EIO,
                            "entra: workload identity: "
                            "AZURE_FEDERATED_TOKEN_FILE %s is %s",
                            path, n == 0 ? "empty" : "larger than 64 KiB");
    }
    *out = buf;
    return HZ_OK;
}

/* POST {authority}/{tenant}/oauth2/v2.0/token, client credentials grant
 * with a secret or a federated assertion. */
static hz_status build_grant(const hz_entra_cfg *cfg, const char *scope,
                             token_req *q, hz_error *err)
{
    snprintf(q->url, sizeof q->url, "%s/%s/oauth2/v2.0/token", cfg->authority,
             cfg->tenant);
    q->headers[0] = "Content-Type: application/x-www-form-urlencoded";
    q->headers[1] = "Accept: application/json";
    bool ok = form_add(&q->body, "client_id", cfg->client_id) &&
              form_add(&q->body, "scope", scope) &&
              form_add(&q->body, "grant_type", "client_credentials");
    if (ok && cfg->source == HZ_ENTRA_CLIENT_SECRET) {
        ok = form_add(&q->body, "client_secret", cfg->secret);
    } else if (ok) {
        char *assertion = NULL;
        hz_status s = read_assertion(cfg->token_file, &assertion, err);
        if (s != HZ_OK)
            return s;
        ok = form_add(&q->body, "client_assertion_type",
                      "urn:ietf:params:oauth:client-assertion-type:"
                      "jwt-bearer") &&
             form_add(&q->body, "client_assertion", assertion);
        OPENSSL_cleanse(assertion, strlen(assertion));
        free(assertion);
    }
    return ok ? HZ_OK : hz_error_set(err, HZ_ENOMEM, "entra: out of memory");
}

/* GET on a managed identity endpoint: App Service / Container Apps
 * (X-IDENTITY-HEADER, api-version 2019-08-01) or IMDS (Metadata: true,
 * api-version 2018-02-01). */
static hz_status build_managed(const hz_entra_cfg *cfg, const char *scope,
                               token_req *q, hz_error *err)
{
    char resource[1024];
    scope_resource(scope, resource, sizeof resource);
    char *res = curl_easy_escape(NULL, resource, 0);
    char *cid = curl_easy_escape(NULL, cfg->client_id, 0);
    if (res == NULL || cid == NULL) {
        curl_free(res);
        curl_free(cid);
        return hz_error_set(err, HZ_ENOMEM, "entra: out of memory");
    }
    bool imds = cfg->source == HZ_ENTRA_IMDS;
    const char *base = imds ? cfg->imds_host : cfg->identity_endpoint;
    snprintf(q->url, sizeof q->url, "%s%s%sapi-version=%s&resource=%s%s%s",
             base, imds ? "/metadata/identity/oauth2/token" : "",
             strchr(base, '?') && !imds ? "&" : "?",
             imds ? "2018-02-01" : "2019-08-01", res,
             cid[0] ? "&client_id=" : "", cid);
    curl_free(res);
    curl_free(cid);
    if (imds)
        snprintf(q->hdr, sizeof q->hdr, "Metadata: true");
    else
        snprintf(q->hdr, sizeof q->hdr, "X-IDENTITY-HEADER: %s",
                 cfg->identity_header);
    q->headers[0] = q->hdr;
    q->headers[1] = "Accept: application/json";
    q->imds = imds;
    return HZ_OK;
}

/* The message of an error answer (OAuth error_description, a managed
 * identity's error.message or message), flattened and short. */
static void error_message(const char *body, size_t len, char *out, size_t n)
{
    out[0] = '\0';
    cJSON *j = body ? cJSON_ParseWithLength(body, len) : NULL;
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "error_description");
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
    if (!cJSON_IsString(m) && cJSON_IsObject(e))
        m = cJSON_GetObjectItemCaseSensitive(e, "message");
    if (!cJSON_IsString(m))
        m = cJSON_GetObjectItemCaseSensitive(j, "message");
    if (!cJSON_IsString(m) && cJSON_IsString(e))
        m = e;
    if (cJSON_IsString(m))
        snprintf(out, n, "%.240s", m->valuestring);
    for (char *p = out; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    cJSON_Delete(j);
    hz_scrub(out, n, NULL); /* an assertion or a token it quotes */
}

/* Retried: transport failures and 408, 429, 5xx (IMDS: also 404, 410,
 * which it answers while the identity is being set up). */
static bool retryable(const token_req *q, hz_status s, long st)
{
    if (s == HZ_ENET || s == HZ_ETIMEOUT)
        return true;
    if (st == 408 || st == 429 || st >= 500)
        return true;
    return q->imds && (st == 404 || st == 410);
}

/* The deadline of a fetch's attempts, seconds: HZ_ENTRA_DEADLINE_S
 * (0.1 to 600), else FETCH_DEADLINE_S. */
static double fetch_deadline_s(void)
{
    const char *v = getenv("HZ_ENTRA_DEADLINE_S");
    char *end = NULL;
    double d = v != NULL ? strtod(v, &end) : NAN;
    if (v != NULL && end != v && *end == '\0' && d >= 0.1 && d <= 600)
        return d;
    return FETCH_DEADLINE_S;
}

/* Send q until an answer that is not transient, or the attempts or the
 * deadline run out; *r holds the last answer, *tries the attempts made,
 * *late whether the deadline cut them short. */
static bool fetch_canceled(const hz_entra_cancel *cc)
{
    return cc != NULL && cc->cancel != NULL && cc->cancel(cc->ctx);
}

/* Sleep s seconds, or less when cc says to stop meanwhile. */
static void wait_retry(const hz_entra_cancel *cc, double s)
{
    double end = hz_now() + s;
    double left = s;
    while (left > 0 && !fetch_canceled(cc)) {
        hz_net_sleep(left < 0.1 ? left : 0.1);
        left = end - hz_now();
    }
}

static hz_status send_with_retries(const token_req *q,
                                   const hz_entra_cancel *cc, hz_http_resp *r,
                                   int *tries, bool *late, hz_error *err)
{
    hz_http_req hq = {.method = q->body ? "POST" : "GET",
                      .url = q->url,
                      .headers = q->headers,
                      .body = q->body,
                      .body_len = q->body ? strlen(q->body) : 0,
                      .timeout_s = FETCH_TIMEOUT_S,
                      .connect_timeout_s = q->imds ? IMDS_CONNECT_TIMEOUT_S
                                                   : 0,
                      .max_bytes = (size_t)1 << 20,
                      .cancel = cc != NULL ? cc->cancel : NULL,
                      .cancel_ctx = cc != NULL ? cc->ctx : NULL};
    hz_status s = HZ_OK;
    double backoff = 0.2;
    double deadline = hz_now() + fetch_deadline_s();
    *tries = 0;
    *late = false;
    for (int k = 0; k < FETCH_ATTEMPTS; k++) {
        if (k > 0) {
            if (hz_now() + backoff + 0.05 >= deadline) {
                *late = true;
                break;
            }
            hz_http_resp_free(r);
            wait_retry(cc, backoff);
            backoff *= 2;
        }
        if (fetch_canceled(cc))
            return hz_error_set(err, HZ_ECANCELED,
                                "abandoned between attempts: the caller "
                                "stopped waiting");
        double left = deadline - hz_now();
        hq.timeout_s = fmin(FETCH_TIMEOUT_S, fmax(left, 0.05));
        if (hq.connect_timeout_s > hq.timeout_s)
            hq.connect_timeout_s = hq.timeout_s;
        ++*tries;
        s = hz_http_perform(&hq, r, err);
        if (s == HZ_EINVAL || s == HZ_ENOMEM || s == HZ_EPARSE ||
            s == HZ_ECANCELED)
            return s;
        /* no answer from IMDS (not an Azure machine): do not insist */
        if (q->imds && s != HZ_OK)
            break;
        if (!retryable(q, s, r->status))
            break;
    }
    return s;
}

hz_status hz__entra_fetch(const hz_entra_cfg *cfg, const char *scope,
                          double now, const hz_entra_cancel *cc,
                          hz_entra_fetched *tok, bool *scope_unknown,
                          hz_error *err)
{
    memset(tok, 0, sizeof *tok);
    *scope_unknown = false;
    token_req q;
    memset(&q, 0, sizeof q);
    q.where = hz_entra_source_name(cfg->source);
    hz_status s = (cfg->source == HZ_ENTRA_CLIENT_SECRET ||
                   cfg->source == HZ_ENTRA_WORKLOAD_IDENTITY)
                      ? build_grant(cfg, scope, &q, err)
                      : build_managed(cfg, scope, &q, err);
    hz_http_resp r;
    memset(&r, 0, sizeof r);
    if (s == HZ_OK) {
        hz_error e2;
        hz_error_clear(&e2);
        int tries = 0;
        bool late = false;
        double t0 = hz_now(), dl = fetch_deadline_s();
        s = send_with_retries(&q, cc, &r, &tries, &late, &e2);
        double took = hz_now() - t0;
        char when[64] = "";
        if (late || took >= dl - 0.1)
            snprintf(when, sizeof when, " in %.1f s: the deadline of a token",
                     took);
        if (s == HZ_ECANCELED)
            hz_error_set(err, s, "entra: %s: %s (%d attempt%s, %.1f s)",
                         q.where, e2.msg, tries, tries == 1 ? "" : "s", took);
        else if (s != HZ_OK) /* e2 names the endpoint; said: how often */
            hz_error_set(err, s, "entra: %s: %s (%d attempt%s%s)%s", q.where,
                         e2.msg, tries, tries == 1 ? "" : "s", when,
                         q.imds ? " (no instance metadata service here: "
                                  "not an Azure machine? give a key, or "
                                  "the variables of another credential)"
                                : "");
    }
    if (s == HZ_OK && (r.status < 200 || r.status >= 300)) {
        char msg[260];
        error_message(r.body.data, r.body.len, msg, sizeof msg);
        *scope_unknown = strstr(msg, "AADSTS500011") != NULL;
        char shown[512];
        hz_url_redact(q.url, shown, sizeof shown);
        s = hz_error_set(err, r.status >= 500 ? HZ_ENET : HZ_EINVAL,
                         "entra: %s: %s %s: HTTP %ld%s%s (scope %s)", q.where,
                         q.body ? "POST" : "GET", shown, r.status,
                         msg[0] ? ": " : "", msg, scope);
    } else if (s == HZ_OK) {
        char resource[1024], where[2200], shown[512];
        scope_resource(scope, resource, sizeof resource);
        hz_url_redact(q.url, shown, sizeof shown);
        snprintf(where, sizeof where, "%s: %s", q.where, shown);
        s = hz__entra_parse_token(r.body.data, r.body.len, resource, now,
                                  where, tok, err);
    }
    hz_http_resp_free(&r);
    token_req_free(&q);
    return s;
}

/* A number, or a string holding one (IMDS sends "3599"). */
static bool num_field(const cJSON *j, const char *name, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, name);
    if (cJSON_IsNumber(v)) {
        *out = v->valuedouble;
        return isfinite(*out);
    }
    if (!cJSON_IsString(v) || v->valuestring[0] == '\0')
        return false;
    char *end;
    errno = 0;
    double d = strtod(v->valuestring, &end);
    if (errno != 0 || *end != '\0' || !isfinite(d))
        return false;
    *out = d;
    return true;
}

/* The claims (payload) of a JWT, or NULL when tok is not one. */
static cJSON *jwt_claims(const char *tok)
{
    const char *a = strchr(tok, '.');
    const char *b = a ? strchr(a + 1, '.') : NULL;
    if (b == NULL || b - a - 1 <= 0 || b - a - 1 > 16384)
        return NULL;
    size_t n = (size_t)(b - a - 1);
    char *s = malloc(n + 4);
    unsigned char *out = malloc(n + 4);
    cJSON *j = NULL;
    if (s != NULL && out != NULL) {
        for (size_t i = 0; i < n; i++)
            s[i] = a[1 + i] == '-' ? '+' : a[1 + i] == '_' ? '/' : a[1 + i];
        while (n % 4)
            s[n++] = '=';
        s[n] = '\0';
        int len = EVP_DecodeBlock(out, (unsigned char *)s, (int)n);
        if (len > 0)
            j = cJSON_ParseWithLength((char *)out, (size_t)len);
    }
    free(s);
    free(out);
    return j;
}

/* Equal URLs, ignoring case and a trailing '/'. */
static bool same_resource(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    while (na > 0 && a[na - 1] == '/')
        na--;
    while (nb > 0 && b[nb - 1] == '/')
        nb--;
    return na == nb && strncasecmp(a, b, na) == 0;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

/* The audience a token was issued for suits resource: the same URL, or
 * Cosmos DB's service-wide audience for an account (either way); an
 * audience that is not a URL (an application id) cannot be compared and
 * is left to the service. */
static bool audience_ok(const char *aud, const char *resource)
{
    if (same_resource(aud, resource))
        return true;
    if (strncasecmp(aud, "https://", 8) != 0 &&
        strncasecmp(aud, "http://", 7) != 0)
        return true;
    const char *cosmos = "https://cosmos.azure.com";
    bool acct_res = ends_with(resource, ".documents.azure.com") ||
                    ends_with(resource, ".documents.azure.com/");
    bool acct_aud = ends_with(aud, ".documents.azure.com") ||
                    ends_with(aud, ".documents.azure.com/");
    return (acct_res && same_resource(aud, cosmos)) ||
           (acct_aud && same_resource(resource, cosmos));
}

/* Expiry (epoch seconds) from expires_on, else now + expires_in. */
static hz_status token_expiry(const cJSON *j, double now, const char *where,
                              hz_entra_fetched *tok, hz_error *err)
{
    double v;
    if (num_field(j, "expires_on", &v))
        tok->expires_on = v;
    else if (num_field(j, "expires_in", &v))
        tok->expires_on = now + v;
    else
        return hz_error_set(err, HZ_EPARSE,
                            "entra: %s: answer without expires_in or "
                            "expires_on",
                            where);
    if (!(tok->expires_on > now))
        return hz_error_set(err, HZ_EPARSE,
                            "entra: %s: the token it gave has already "
                            "expired (expires_on %.0f, now %.0f)",
                            where, tok->expires_on, now);
    if (num_field(j, "refresh_in", &v) && v > 0)
        tok->refresh_in = v;
    return HZ_OK;
}

/* The audience checks: the answer's "resource" (managed identities) and
 * the token's "aud" claim. */
static hz_status check_audience(const cJSON *j, const char *token,
                                const char *resource, const char *where,
                                hz_error *err)
{
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(j, "resource");
    const char *aud = NULL;
    cJSON *claims = jwt_claims(token);
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(claims, "aud");
    if (cJSON_IsString(res) && res->valuestring[0] != '\0' &&
        !audience_ok(res->valuestring, resource))
        aud = res->valuestring;
    else if (cJSON_IsString(a) && !audience_ok(a->valuestring, resource))
        aud = a->valuestring;
    hz_status s = HZ_OK;
    if (aud != NULL)
        s = hz_error_set(err, HZ_EINVAL,
                         "entra: %s: wrong audience: the token is for "
                         "'%.200s', asked for '%.200s'",
                         where, aud, resource);
    cJSON_Delete(claims);
    return s;
}

hz_status hz__entra_parse_token(const char *body, size_t len,
                                const char *resource, double now,
                                const char *where, hz_entra_fetched *tok,
                                hz_error *err)
{
    memset(tok, 0, sizeof *tok);
    cJSON *j = body ? cJSON_ParseWithLength(body, len) : NULL;
    const cJSON *at = cJSON_GetObjectItemCaseSensitive(j, "access_token");
    const cJSON *tt = cJSON_GetObjectItemCaseSensitive(j, "token_type");
    hz_status s = HZ_OK;
    if (!cJSON_IsObject(j))
        s = hz_error_set(err, HZ_EPARSE, "entra: %s: answer is not JSON",
                         where);
    else if (!cJSON_IsString(at) || at->valuestring[0] == '\0')
        s = hz_error_set(err, HZ_EPARSE,
                         "entra: %s: answer without an access_token", where);
    else if (tt != NULL && (!cJSON_IsString(tt) ||
                            strcasecmp(tt->valuestring, "Bearer") != 0))
        s = hz_error_set(err, HZ_EPARSE, "entra: %s: token_type is not Bearer",
                         where);
    if (s == HZ_OK)
        s = token_expiry(j, now, where, tok, err);
    if (s == HZ_OK)
        s = check_audience(j, at->valuestring, resource, where, err);
    if (s == HZ_OK) {
        tok->access_token = strdup(at->valuestring);
        if (tok->access_token == NULL)
            s = hz_error_set(err, HZ_ENOMEM, "entra: out of memory");
    }
    if (cJSON_IsString(at))
        OPENSSL_cleanse(at->valuestring, strlen(at->valuestring));
    cJSON_Delete(j);
    return s;
}
