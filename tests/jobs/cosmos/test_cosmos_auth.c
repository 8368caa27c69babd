/* Cosmos DB master-key authorization: our header equals the one the
 * official SDK (@azure/cosmos, run with node in this test) computes for the
 * same key, verb, resource type, resource link and date; dates are RFC
 * 1123; keys never leak into error messages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cosmos/cosmos.h"
#include "cosmos_peers.h"
#include "hz_test.h"

/* The emulator's well-known public key (documented for the local
 * emulator; not a secret) and a reference header the SDK computed for
 * it, kept so that the check also runs where node is absent. */
#define EMU_KEY                                                               \
    "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZ"     \
    "nqyMsEcaGQy67XIw/Jw=="

HZ_TEST(http_date_is_rfc1123)
{
    char d[32];
    hz_cosmos_http_date((time_t)1795746544, d); /* 2026-11-27 02:29:04 */
    HZ_CHECK_STR(d, "Fri, 27 Nov 2026 02:29:04 GMT");
    hz_cosmos_http_date((time_t)0, d);
    HZ_CHECK_STR(d, "Thu, 01 Jan 1970 00:00:00 GMT");
    hz_cosmos_http_date((time_t)951782400, d); /* leap day 2000 */
    HZ_CHECK_STR(d, "Tue, 29 Feb 2000 00:00:00 GMT");
}

HZ_TEST(signature_matches_recorded_sdk_vector)
{
    char h[256];
    hz_error err;
    HZ_CHECK(hz_cosmos_auth_header(
                 EMU_KEY, "GET", "docs", "dbs/horizon/colls/jobs/docs/j1",
                 "Fri, 27 Nov 2026 02:29:04 GMT", h, sizeof h, &err) == HZ_OK);
    HZ_CHECK_STR(h, "type%3Dmaster%26ver%3D1.0%26sig%3DOPUWYEzeQGt4ecIFUO%2F"
                    "7aq5CLwUXgL%2FtKpwnY8alrWo%3D");
    /* verb and type are lower-cased, the link is not */
    char h2[256];
    HZ_CHECK(hz_cosmos_auth_header(EMU_KEY, "get", "DOCS",
                                   "dbs/horizon/colls/jobs/docs/j1",
                                   "FRI, 27 NOV 2026 02:29:04 GMT", h2,
                                   sizeof h2, &err) == HZ_OK);
    HZ_CHECK_STR(h2, h);
    HZ_CHECK(hz_cosmos_auth_header(EMU_KEY, "GET", "docs",
                                   "dbs/horizon/colls/jobs/docs/J1",
                                   "Fri, 27 Nov 2026 02:29:04 GMT", h2,
                                   sizeof h2, &err) == HZ_OK);
    HZ_CHECK(strcmp(h2, h) != 0);
}

/* Run the SDK on every vector and compare. */
HZ_TEST(signature_equals_sdk_on_vectors)
{
    if (!cpeers_ready()) {
        hz_test_skip("node is not installed: the SDK vectors need it "
                     "(install nodejs/npm, see scripts/install-deps.sh)");
        return;
    }
    static const char *const keys[] = {EMU_KEY, CPEERS_KEY,
                                       "AAECAwQFBgcICQoLDA0ODw=="};
    static const char *const vec[][3] = {
        {"GET", "docs", "dbs/horizon/colls/jobs/docs/j-0193a1b2-5e6f"},
        {"POST", "docs", "dbs/horizon/colls/results"},
        {"PUT", "docs", "dbs/horizon/colls/jobs/docs/Job.A:1"},
        {"DELETE", "docs", "dbs/horizon/colls/cache/docs/k_9"},
        {"POST", "dbs", ""},
        {"POST", "colls", "dbs/horizon"},
        {"GET", "colls", "dbs/MixedCase/colls/Jobs"},
        {"POST", "docs", "dbs/h/colls/datasets"},
    };
    static const time_t dates[] = {1795746544, 946684800, 1700000000,
                                   2000000000};
    const size_t nv = sizeof vec / sizeof vec[0];
    const size_t nd = sizeof dates / sizeof dates[0];
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        char in[4200], out[4200], cmd[13000];
        snprintf(in, sizeof in, "%s/vectors-%zu.tsv", hz_test_tmpdir(), k);
        snprintf(out, sizeof out, "%s/sdk-%zu.txt", hz_test_tmpdir(), k);
        FILE *f = fopen(in, "w");
        HZ_CHECK(f != NULL);
        for (size_t i = 0; i < nv; i++) {
            char d[32];
            hz_cosmos_http_date(dates[i % nd], d);
            fprintf(f, "%s\t%s\t%s\t%s\n", vec[i][0], vec[i][1], vec[i][2], d);
        }
        fclose(f);
        snprintf(cmd, sizeof cmd,
                 "node '%s/tests/peers/cosmos_sig.js' '%s' < '%s' > '%s'",
                 cpeers_root(), keys[k], in, out);
        HZ_CHECK_MSG(system(cmd) == 0, "cosmos_sig.js failed: %s", cmd);
        f = fopen(out, "r");
        HZ_CHECK(f != NULL);
        char line[512];
        size_t i = 0;
        while (fgets(line, sizeof line, f) != NULL && i < nv) {
            line[strcspn(line, "\n")] = '\0';
            char d[32], mine[256];
            hz_error err;
            hz_cosmos_http_date(dates[i % nd], d);
            hz_status s = hz_cosmos_auth_header(keys[k], vec[i][0], vec[i][1],
                                                vec[i][2], d, mine,
                                                sizeof mine, &err);
            if (s != HZ_OK || strcmp(mine, line) != 0) {
                fclose(f);
                HZ_CHECK_MSG(false,
                             "key %zu vector %zu (%s %s '%s' %s): "
                             "ours '%s', SDK '%s'",
                             k, i, vec[i][0], vec[i][1], vec[i][2], d, mine,
                             line);
            }
            i++;
        }
        fclose(f);
        HZ_CHECK_MSG(i == nv, "SDK gave %zu of %zu headers", i, nv);
    }
}

HZ_TEST(bad_key_is_rejected_without_echo)
{
    char h[256];
    hz_error err;
    const char *bad = "not base64 secret!";
    HZ_CHECK(hz_cosmos_auth_header(bad, "GET", "docs", "x", "d", h, sizeof h,
                                   &err) == HZ_EINVAL);
    HZ_CHECK(strstr(err.msg, "secret") == NULL);
    hz_cosmos_config cfg;
    hz_cosmos_config_defaults(&cfg);
    snprintf(cfg.endpoint, sizeof cfg.endpoint, "https://127.0.0.1:1/");
    snprintf(cfg.key, sizeof cfg.key, "%s", bad);
    hz_cosmos *c = NULL;
    HZ_CHECK(hz_cosmos_open(&cfg, &c, &err) == HZ_EINVAL);
    HZ_CHECK(c == NULL);
    HZ_CHECK(strstr(err.msg, "secret") == NULL);
}

HZ_TEST(config_from_env_names_missing_variables)
{
    hz_cosmos_config cfg;
    hz_error err;
    unsetenv("COSMOS_ENDPOINT");
    setenv("COSMOS_KEY", EMU_KEY, 1);
    HZ_CHECK(hz_cosmos_config_from_env(&cfg, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "COSMOS_ENDPOINT");
    setenv("COSMOS_ENDPOINT", "https://127.0.0.1:1/", 1);
    /* no key: Entra ID tokens; with no credential at all (and no IMDS
     * here) the client cannot open, and says why */
    unsetenv("COSMOS_KEY");
    setenv("AZURE_POD_IDENTITY_AUTHORITY_HOST", "http://127.0.0.1:1", 1);
    HZ_CHECK(hz_cosmos_config_from_env(&cfg, &err) == HZ_OK);
    HZ_CHECK_STR(cfg.key, "");
    hz_cosmos *c = NULL;
    HZ_CHECK(hz_cosmos_open(&cfg, &c, &err) == HZ_ENET);
    HZ_CHECK(c == NULL);
    HZ_CHECK_CONTAINS(err.msg, "COSMOS_KEY is not set");
    HZ_CHECK_CONTAINS(err.msg, "IMDS");
    unsetenv("AZURE_POD_IDENTITY_AUTHORITY_HOST");
    setenv("AZURE_COSMOS_AAD_SCOPE_OVERRIDE", "https://s.test/.default", 1);
    HZ_CHECK(hz_cosmos_config_from_env(&cfg, &err) == HZ_OK);
    HZ_CHECK_STR(cfg.aad_scope, "https://s.test/.default");
    unsetenv("AZURE_COSMOS_AAD_SCOPE_OVERRIDE");
    setenv("COSMOS_KEY", EMU_KEY, 1);
    unsetenv("COSMOS_DATABASE");
    HZ_CHECK(hz_cosmos_config_from_env(&cfg, &err) == HZ_OK);
    HZ_CHECK_STR(cfg.database, "horizon");
    setenv("COSMOS_DATABASE", "other", 1);
    HZ_CHECK(hz_cosmos_config_from_env(&cfg, &err) == HZ_OK);
    HZ_CHECK_STR(cfg.database, "other");
    /* timeouts: seconds, or an error naming the variable (until
     * 2026-12-07 '30s' or 'abc' silently became the default) */
    setenv("COSMOS_TIMEOUT_S", "2.5", 1);
    setenv("COSMOS_DEADLINE_S", "30", 1);
    HZ_CHECK(hz_cosmos_config_from_env(&cfg, &err) == HZ_OK);
    HZ_CHECK(cfg.timeout_s == 2.5 && cfg.deadline_s == 30);
    const char *bad[] = {"30s", "abc", "0", "-5", "nan", "inf", "1e9"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        setenv("COSMOS_DEADLINE_S", bad[i], 1);
        HZ_CHECK(hz_cosmos_config_from_env(&cfg, &err) == HZ_EINVAL);
        HZ_CHECK_CONTAINS(err.msg, "COSMOS_DEADLINE_S: expected seconds");
        HZ_CHECK_CONTAINS(err.msg, bad[i]);
    }
    unsetenv("COSMOS_DEADLINE_S");
    setenv("COSMOS_TIMEOUT_S", "10 s", 1);
    HZ_CHECK(hz_cosmos_config_from_env(&cfg, &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "COSMOS_TIMEOUT_S");
    unsetenv("COSMOS_TIMEOUT_S");
}

/* Connection errors are retried within the deadline, then reported with
 * the URL and the cause, never the key nor the signature. */
HZ_TEST(connection_errors_retry_then_fail_without_key)
{
    hz_cosmos_config cfg;
    hz_cosmos_config_defaults(&cfg);
    snprintf(cfg.endpoint, sizeof cfg.endpoint, "https://127.0.0.1:1/");
    snprintf(cfg.key, sizeof cfg.key, "%s", EMU_KEY);
    cfg.deadline_s = 0.4;
    cfg.backoff_base_s = 0.02;
    cfg.seed = 7;
    hz_cosmos *c = NULL;
    hz_error err;
    HZ_CHECK(hz_cosmos_open(&cfg, &c, &err) == HZ_OK);
    cJSON *doc = NULL;
    double t0 = hz_now();
    hz_status s = hz_cosmos_read(c, "jobs", "j1", "acme", &doc, NULL, 0, &err);
    double dt = hz_now() - t0;
    hz_cosmos_stats st;
    hz_cosmos_get_stats(c, &st);
    hz_cosmos_close(c);
    HZ_CHECK(s == HZ_ENET);
    HZ_CHECK(doc == NULL);
    HZ_CHECK_CONTAINS(err.msg, "gave up after");
    HZ_CHECK_CONTAINS(err.msg, "dbs/horizon/colls/jobs/docs/j1");
    HZ_CHECK(strstr(err.msg, "C2y6yDjf") == NULL);
    HZ_CHECK(strstr(err.msg, "sig") == NULL);
    HZ_CHECK_MSG(st.requests >= 2, "only %ld attempts", st.requests);
    HZ_CHECK_MSG(dt < 1.5, "took %.2f s past a 0.4 s deadline", dt);
}

/* Plain http carries the key unencrypted: the loopback host only (the
 * emulator), judged on the parsed host, so neither a name that starts
 * with 127.0.0.1 nor a user name before an @ passes. */
HZ_TEST(plain_http_endpoint_only_on_the_loopback_host)
{
    static const char *const bad[] = {"http://127.0.0.1.evil.example/",
                                       "http://localhost.evil.example:8081/",
                                       "http://cosmos.example:8081/"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hz_cosmos_config cfg;
        hz_cosmos_config_defaults(&cfg);
        snprintf(cfg.endpoint, sizeof cfg.endpoint, "%s", bad[i]);
        snprintf(cfg.key, sizeof cfg.key, "%s", EMU_KEY);
        hz_cosmos *c = NULL;
        hz_error err;
        HZ_CHECK(hz_cosmos_open(&cfg, &c, &err) == HZ_EINVAL && c == NULL);
        HZ_CHECK_CONTAINS(err.msg, "plain http is allowed only on the "
                                   "loopback");
    }
}
