/* dora_render.h — the DORA report (dora_report.h) for people and programs.
 */
#ifndef DDCI_DORA_RENDER_H
#define DDCI_DORA_RENDER_H

#include <stddef.h>
#include <stdio.h>
#include <cjson/cJSON.h>

#include "ddci/buf.h"
#include "ddci/client.h"
#include "ddci/config.h"
#include "ddci/dora.h"
#include "ddci/dora_report.h"
#include "ddci/error.h"

/* "12.5% (1 of 8)", "- (no deployments)" or "unknown (why)" into buf. */
void ddci_dora_report_cfr_text(char *buf, size_t size, const struct ddci_dora_report *rep);

/* Deployment frequency for people: "12 deployments: 1.71/day, 12.00/week";
 * a rate only over a window at least as long as its period ("3 deployments
 * in 5h" for a 5-hour window: no per-week figure drawn from hours). */
void ddci_dora_frequency_text(char *buf, size_t n, const struct ddci_dora_report *r);

/* The report as JSON (durations in seconds, rates as numbers). */
int ddci_dora_report_json(cJSON **out, const struct ddci_dora_report *rep, const char *service,
			  const char *env) DDCI_WUR;

/* The report for people: the four figures, then a chart per figure over
 * time (deployments, median lead time, change failure rate, median time to
 * restore), each followed by its table.  Markdown with Mermaid charts, or
 * one self-contained HTML page with SVG charts (chart.h). */
int ddci_dora_report_markdown(struct ddci_buf *b, const struct ddci_dora_report *rep, const char *service,
			      const char *env) DDCI_WUR;
int ddci_dora_report_html(struct ddci_buf *b, const struct ddci_dora_report *rep, const char *service,
			  const char *env) DDCI_WUR;

/* The report as a command prints it: the window, then a line per figure
 * (have_repo 0: the lead time says there was no git repository). */
int ddci_dora_report_text(struct ddci_buf *b, const struct ddci_dora_report *r, const char *service, const char *env,
			  int have_repo) DDCI_WUR;

/* Writes the Markdown report to `markdown` and to the GitHub step summary
 * (when set), and the HTML report to `html`; either path may be NULL. */
int ddci_dora_report_files(const struct ddci_dora_report *r, const char *service, const char *env,
			   const char *markdown, const char *html) DDCI_WUR;

/* The report to f: JSON (pretty) for DDCI_OUTPUT_JSON, else the text. */
int ddci_dora_report_print(FILE *f, const struct ddci_dora_report *r, const char *service, const char *env,
			   int have_repo, enum ddci_output format) DDCI_WUR;

/* Every event q matches, written to f as they arrive: a table (ID,
 * SERVICE/NAME, ..., STARTED, DURATION) printed at the end, a JSON array
 * or one JSON object a line (NDJSON).  Nothing is printed when listing
 * fails (or is a dry run: DDCI_DRY_RUN).  f_name names f in a message. */
int ddci_dora_print_list(struct ddci_client *c, const struct ddci_dora_query *q, enum ddci_output format, FILE *f,
			 const char *f_name) DDCI_WUR;
/* One event: its "data" as pretty JSON, or a one-row table. */
int ddci_dora_print_event(struct ddci_client *c, enum ddci_dora_kind kind, const char *id, enum ddci_output format,
			  FILE *f, const char *f_name) DDCI_WUR;

#endif
