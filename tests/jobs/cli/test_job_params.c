/* Job parameters go through the command line's own option tables: same
 * names and syntax, same messages, deprecated aliases, flags, lists,
 * the runner-only --threads refused, thread-safe message capture. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/job_params.h"
#include "hz_test.h"

/* Decode a job document's params; r is the caller's to clear. */
static hz_status decode(const char *type, const char *params,
                        hz_job_request *r, hz_error *err)
{
    char doc[1024];
    snprintf(doc, sizeof doc,
             "{\"id\":\"j\",\"customerId\":\"a\",\"dataset\":\"x.csv\","
             "\"type\":\"%s\",\"params\":%s}",
             type, params);
    cJSON *d = cJSON_Parse(doc);
    hz_job job;
    hz_status rc = hz_job_from_json(d, &job, err);
    cJSON_Delete(d);
    if (rc != HZ_OK)
        return rc;
    hz_job_request_init(r);
    rc = hz_cli_job_request(&job, r, err);
    hz_job_clear(&job);
    return rc;
}

static hz_status check(const char *type, const char *params, hz_error *err)
{
    hz_job_request r;
    hz_status rc = decode(type, params, &r, err);
    hz_job_request_clear(&r);
    return rc;
}

HZ_TEST(forecast_params_are_the_forecast_options)
{
    hz_error err;
    hz_job_request r;
    HZ_CHECK(decode("forecast",
                    "{\"date\":\"d\",\"value\":\"v\",\"by\":\"region,"
                    "category\",\"horizon\":\"18\",\"level\":\"90\","
                    "\"model\":\"theta\",\"freq\":\"month\",\"seed\":7}",
                    &r, &err) == HZ_OK);
    HZ_CHECK_STR(r.fc.date_col, "d");
    HZ_CHECK_STR(r.fc.value_col, "v");
    HZ_CHECK(r.fc.nby == 2);
    HZ_CHECK_STR(r.fc.by_cols[1], "category");
    HZ_CHECK(r.fc.horizon == 18 && r.fc.nlevels == 1 && r.fc.seed == 7);
    HZ_CHECK_NEAR(r.fc.levels[0], 90, 0);
    int theta;
    HZ_CHECK(hz_fc_model_parse("theta", &theta) && r.fc.model == theta);
    hz_job_request_clear(&r);
    /* lists, numbers, flags and the ingest options */
    HZ_CHECK(decode("forecast",
                    "{\"date\":\"d\",\"value\":\"v\",\"by\":[\"id\"],"
                    "\"long\":true,\"horizon\":6,\"level\":[80,95],"
                    "\"schema\":\"d:date\",\"on-error\":\"skip\"}",
                    &r, &err) == HZ_OK);
    HZ_CHECK(r.fc.long_format && r.fc.nby == 1 && r.fc.horizon == 6);
    HZ_CHECK(r.fc.nlevels == 2);
    HZ_CHECK(r.csv.noverrides == 1 && r.csv.on_error == HZ_ON_ERROR_SKIP);
    hz_job_request_clear(&r);
}

HZ_TEST(old_parameter_names_still_work)
{
    hz_error err;
    hz_job_request r;
    HZ_CHECK(decode("forecast",
                    "{\"dateColumn\":\"d\",\"valueColumn\":\"v\","
                    "\"levels\":[80,95],\"by\":[\"region\"]}",
                    &r, &err) == HZ_OK);
    HZ_CHECK_STR(r.fc.date_col, "d");
    HZ_CHECK(r.fc.nlevels == 2);
    hz_job_request_clear(&r);
    /* suite: the analysis that uses every one of them (clv ignores
     * kMax, and refuses it) */
    HZ_CHECK(decode("suite",
                    "{\"customerColumn\":\"c\",\"amountColumn\":\"m\","
                    "\"horizonMonths\":24,\"discountRate\":0.02,"
                    "\"asOf\":\"2024-12-31\",\"kMax\":5}",
                    &r, &err) == HZ_OK);
    HZ_CHECK_STR(r.an.customer_col, "c");
    HZ_CHECK(r.an.horizon_months == 24 && r.an.k_max == 5);
    HZ_CHECK_NEAR(r.an.discount_rate, 0.02, 0);
    hz_job_request_clear(&r);
}

HZ_TEST(bad_parameters_get_the_commands_messages)
{
    hz_error err;
    HZ_CHECK(check("forecast",
                   "{\"date\":\"d\",\"value\":\"v\","
                   "\"horizon\":2.5}",
                   &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "params.horizon: expected an integer in "
                               "[1, 100000], got '2.5'");
    HZ_CHECK(check("forecast",
                   "{\"date\":\"d\",\"value\":\"v\","
                   "\"level\":\"80,120\"}",
                   &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "params.level: expected a percentage in "
                               "(0, 100) or a proportion in (0, 1), got "
                               "'120'");
    HZ_CHECK(check("forecast", "{\"value\":\"v\"}", &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "params: missing --date COL");
    HZ_CHECK(check("forecast",
                   "{\"date\":\"d\",\"value\":\"v\","
                   "\"freq\":\"fortnight\"}",
                   &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg,
                      "params.freq: expected minute, hour, day, week, month");
    HZ_CHECK(check("churn", "{\"horizn\":3}", &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "params.horizn: unknown parameter (a churn "
                               "job takes: customer, date, amount");
    /* a parameter the job's analysis does not use is refused, as on the
     * command line */
    HZ_CHECK(check("clv", "{\"k\":3}", &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "params: --k is for segment and suite: clv "
                               "would ignore it");
    HZ_CHECK(check("suite", "{\"threads\":4}", &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "params.threads: set by the runner");
    HZ_CHECK(check("clv", "{\"discount\":\"low\"}", &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "params.discount: expected a number, got "
                               "'low'");
    HZ_CHECK(check("clv", "{\"label\":\"churned\"}", &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "--label is for churn and suite");
    HZ_CHECK(check("segment", "{\"k\":{\"n\":3}}", &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "params.k: expected a string, a number");
    HZ_CHECK(check("forecast",
                   "{\"date\":\"d\",\"value\":\"v\","
                   "\"long\":\"yes\"}",
                   &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "params.long: expected true or false");
    HZ_CHECK(check("forecast",
                   "{\"date\":\"d\",\"value\":\"v\","
                   "\"schema\":\"d:bogus\"}",
                   &err) == HZ_EINVAL);
    HZ_CHECK_CONTAINS(err.msg, "params.schema: ");
}

HZ_TEST(params_help_lists_each_type)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    hz_cli_job_params_help(f);
    fclose(f);
    HZ_CHECK_CONTAINS(buf, "forecast: date, value, by, freq");
    HZ_CHECK_CONTAINS(buf, "horizon, model, level, seed");
    HZ_CHECK_CONTAINS(buf, "churn, clv, segment, suite: customer, date");
    HZ_CHECK(strstr(buf, "threads") == NULL);
    free(buf);
}

/* Messages are captured per thread: decoding in several threads at once
 * gives each its own message. */
static void *decoder(void *arg)
{
    long id = (long)arg, bad = 0;
    for (int i = 0; i < 300; i++) {
        char params[128];
        hz_error err;
        snprintf(params, sizeof params,
                 "{\"date\":\"d\",\"value\":\"v\",\"horizon\":\"x%ld\"}", id);
        if (check("forecast", params, &err) != HZ_EINVAL)
            bad++;
        char want[64];
        snprintf(want, sizeof want, "got 'x%ld'", id);
        if (strstr(err.msg, want) == NULL)
            bad++;
        if (check("segment", "{\"k\":\"3\"}", &err) != HZ_OK)
            bad++;
    }
    return (void *)bad;
}

HZ_TEST(decoding_is_thread_safe)
{
    pthread_t th[4];
    for (long i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, decoder, (void *)i);
    for (int i = 0; i < 4; i++) {
        void *bad;
        pthread_join(th[i], &bad);
        HZ_CHECK_MSG(bad == NULL, "thread %d: %ld wrong results", i,
                     (long)bad);
    }
}
