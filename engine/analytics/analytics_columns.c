/* The columns an analysis uses, guessed from their names when the request
 * does not name them: the lists below, and the CSV reader's callback that
 * picks the same columns from a file's header before any value is read
 * (hz_analytics_csv_want), so that a customer id is read as text. */
#include <string.h>
#include <strings.h>

#include "analytics/analytics_internal.h"

const char *const hz__customer_names[] = {
    "customer_id", "customerid", "customer", "cust_id", "client_id",
    "user_id",     "masterid",   "id",       NULL};
const char *const hz__customer_table_names[] = {"customer_id", "customerid",
                                                "customer", "id", NULL};
const char *const hz__event_names[] = {"event", "churn", "churned",
                                       "status", NULL};
const char *const hz__date_names[] = {
    "order_date",   "date",        "purchase_date", "transaction_date",
    "invoice_date", "invoicedate", "timestamp",     NULL};
const char *const hz__amount_names[] = {
    "revenue", "amount",   "sales",   "spend", "total",
    "value",   "monetary", "dollars", "price", NULL};
const char *const hz__order_names[] = {
    "order_id",   "orderid",    "order",          "invoice", "invoiceno",
    "invoice_no", "invoice_id", "transaction_id", NULL};

/* The column named name (exactly, as hz_dataset_find), else the first
 * of guess found (without case, as hz__find_column); -1 when none. */
static long find(const char *const *names, size_t n, const char *name,
                 const char *const *guess)
{
    if (name != NULL) {
        for (size_t j = 0; j < n; j++)
            if (strcmp(names[j], name) == 0)
                return (long)j;
        return -1;
    }
    for (const char *const *g = guess; g != NULL && *g != NULL; g++)
        for (size_t j = 0; j < n; j++)
            if (strcasecmp(names[j], *g) == 0)
                return (long)j;
    return -1;
}

static bool is_dates(hz_type t)
{
    return t == HZ_TYPE_DATE || t == HZ_TYPE_TIMESTAMP;
}

static void want(hz_csv_want *w, long j, hz_csv_want what)
{
    if (j >= 0)
        w[j] = what;
}

void hz_analytics_csv_want(void *ctx, const char *const *names,
                           const hz_type *types, size_t n, hz_csv_want *w)
{
    const hz_analytics_input *in = ctx;
    const hz_analytics_request *q = in->req;
    const hz_analytics_model *mi = q->model_in;
    /* a customer table (as hz_analytics_run decides): its id, and its
     * label or event as text, so that a column mixing yes/no with 1/0
     * is read whatever comes first (until 2026-12-07 one that began
     * with 1/0 was an integer column and its first "yes" an error) */
    if (in->kind == HZ_ANALYSIS_SURVIVAL ||
        (in->kind == HZ_ANALYSIS_CHURN &&
         (q->label_col != NULL || (mi != NULL && mi->has_churn)))) {
        want(w, find(names, n, q->customer_col, hz__customer_table_names),
             HZ_CSV_WANT_TEXT);
        if (in->kind == HZ_ANALYSIS_SURVIVAL)
            want(w, find(names, n, q->event_col, hz__event_names),
                 HZ_CSV_WANT_TEXT);
        else if (q->label_col != NULL || mi->label != NULL)
            want(w,
                 find(names, n,
                      q->label_col != NULL ? q->label_col : mi->label,
                      NULL),
                 HZ_CSV_WANT_TEXT);
        return;
    }
    /* transactions, as pick_columns (analytics.c): the date guessed is
     * one of the date names that holds dates, else the first column of
     * dates, else the one of the date names */
    long d = find(names, n, q->date_col, hz__date_names);
    if (q->date_col == NULL && !(d >= 0 && is_dates(types[d]))) {
        long named = d;
        d = -1;
        for (size_t j = 0; j < n && d < 0; j++)
            if (is_dates(types[j]))
                d = (long)j;
        if (d < 0)
            d = named;
    }
    /* the order ids are ids too: 00123 and 123 are two orders */
    if (q->order_col != NULL || q->frequency == HZ_FREQ_ORDERS)
        want(w, find(names, n, q->order_col, hz__order_names),
             HZ_CSV_WANT_TEXT);
    want(w, d, HZ_CSV_WANT_DATE);
    want(w, find(names, n, q->amount_col, hz__amount_names),
         HZ_CSV_WANT_NUMBER);
    want(w, find(names, n, q->customer_col, hz__customer_names),
         HZ_CSV_WANT_TEXT);
    /* the suite's label per transaction, as a customer table's */
    if (q->label_col != NULL)
        want(w, find(names, n, q->label_col, NULL), HZ_CSV_WANT_TEXT);
    /* the other columns only tell rows apart (duplicate rows): one whose
     * type changes after the rows sampled is read as text, not an error
     * (until 2026-12-07 a column the analysis does not read failed it) */
    for (size_t j = 0; j < n; j++)
        if (w[j] == HZ_CSV_WANT_ANY)
            w[j] = HZ_CSV_WANT_UNUSED;
}
