/* The runner's side of a job's HTML report: the job process writes the
 * page beside its result file; the runner adds the narrative and stores
 * the page as the job's "report" artifact (store/artifact.h). */
#ifndef HZ_JOB_REPORT_H
#define HZ_JOB_REPORT_H

#include <cjson/cJSON.h>

#include "horizon/common.h"
#include "store/store.h"

/* Store the report at html_path for the job document doc (which may hold
 * a "narrative" with "text": it is spliced into the page's narrative
 * slot).  Sets doc's "report" to the artifact record, or to {"error":
 * why} when there is no page (child_error says why, may be NULL) or it
 * could not be stored; the job itself is not failed by its report.
 * Returns the store's error, if any.  keep (may be NULL) is called
 * before each chunk's request (hz_artifact_put_keep). */
hz_status hz__job_report_store(hz_store *s, cJSON *doc, const char *html_path,
                               const char *child_error,
                               const hz_finish_keep *keep, hz_error *err);

#endif
