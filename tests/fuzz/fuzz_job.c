/* Fuzz target for job documents: any bytes that parse as JSON go through
 * hz_job_from_json (jobs/store/job.c) and, when that accepts them, the
 * parameter validation of the runner (hz_exec_validate with the CLI's
 * option tables, hz_cli_job_request, as `horizon run` uses it).
 * Properties: no crash; every error names the job or the field; an
 * accepted document survives hz_job_to_json and a second parse
 * unchanged. */
#include <string.h>

#include <cjson/cJSON.h>

#include "cli/job_params.h"
#include "fuzz.h"
#include "runner/exec.h"
#include "store/job.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *doc = cJSON_ParseWithLength((const char *)data, size);
    if (doc == NULL)
        return 0;
    hz_job job;
    hz_error err;
    hz_error_clear(&err);
    hz_status st = hz_job_from_json(doc, &job, &err);
    if (st != HZ_OK) {
        FUZZ_CHECK(strncmp(err.msg, "job", 3) == 0,
                   "error that does not name the job: %s", err.msg);
        cJSON_Delete(doc);
        return 0;
    }
    hz_error_clear(&err);
    if (hz_exec_validate(&job, hz_cli_job_request, &err) != HZ_OK)
        FUZZ_CHECK(strncmp(err.msg, "params", 6) == 0 ||
                       strstr(err.msg, "dataset") != NULL,
                   "parameter error that names no field: %s", err.msg);
    /* round trip: document -> job -> document -> job -> document */
    cJSON *d1 = hz_job_to_json(&job, NULL);
    FUZZ_CHECK(d1 != NULL, "hz_job_to_json failed");
    hz_job job2;
    st = hz_job_from_json(d1, &job2, &err);
    FUZZ_CHECK(st == HZ_OK, "a job's own document is refused: %s", err.msg);
    cJSON *d2 = hz_job_to_json(&job2, NULL);
    char *t1 = cJSON_PrintUnformatted(d1), *t2 = cJSON_PrintUnformatted(d2);
    FUZZ_CHECK(t1 != NULL && t2 != NULL && strcmp(t1, t2) == 0,
               "round trip changed the job:\n  %s\n  %s", t1 ? t1 : "-",
               t2 ? t2 : "-");
    cJSON_free(t1);
    cJSON_free(t2);
    cJSON_Delete(d1);
    cJSON_Delete(d2);
    hz_job_clear(&job2);
    hz_job_clear(&job);
    cJSON_Delete(doc);
    return 0;
}
