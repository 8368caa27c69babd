/* Internal: the report document shared by the page writer (html.c) and
 * the parts (part_forecast.c, part_backtest.c, part_customers.c).  Not a
 * public header. */
#ifndef HZ_REPORT_DOC_H
#define HZ_REPORT_DOC_H

#include "horizon/report.h"
#include "report/buf.h"
#include "report/chart.h"

struct hz_report {
    hz_report_options opt;
    char *title, *subtitle;
    hz__buf narrative; /* the narrative section, or empty */
    hz__buf figures;   /* key figures, or empty */
    hz__buf toc;       /* <li> entries */
    hz__buf body;      /* the parts' sections */
    int nsections;
    int nfigures;
};

/* <section id=ID><h2>TITLE</h2> with a table-of-contents entry; ids are
 * PREFIX-N with N counting sections (deterministic). */
void hz__doc_section(hz_report *r, const char *prefix, const char *title);
void hz__doc_section_end(hz_report *r);
/* A figure with a document-unique id: <figure id="fig-N"><h3>TITLE</h3>. */
void hz__doc_figure(hz_report *r, const char *title);
/* A paragraph of text (escaped), class "note" or "warn". */
void hz__doc_note(hz_report *r, const char *cls, const char *text);

/* Chart sizes (pixels; the page scales them down on narrow screens). */
#define HZ__W 980
#define HZ__H 340
#define HZ__W_SMALL 280
#define HZ__H_SMALL 150

#endif
