/* report.h — what a gate decided, for people and for CI systems.
 *
 * One gate (gate.h) rendered as a text verdict with a table of the offending
 * rows, JSON, Markdown with Mermaid charts (report file and GitHub step
 * summary), a self-contained HTML page with SVG charts, JUnit XML (one
 * testcase per check; failures carry the offending rows), GitHub outputs and
 * ::error annotations on the rows' source lines.
 */
#ifndef DDCI_REPORT_H
#define DDCI_REPORT_H

#include <stdio.h>
#include <cjson/cJSON.h>

#include "ddci/buf.h"
#include "ddci/error.h"
#include "ddci/gate.h"

/* XML text/attribute escaping (& < > " ' and control characters dropped). */
int ddci_report_xml_escape(struct ddci_buf *b, const char *s) DDCI_WUR;
/* Markdown table cell escaping (| and newlines). */
int ddci_report_md_escape(struct ddci_buf *b, const char *s) DDCI_WUR;

void ddci_report_text(FILE *f, const struct ddci_gate *g);
int ddci_report_json(cJSON **out, const struct ddci_gate *g) DDCI_WUR;
int ddci_report_markdown(struct ddci_buf *b, const struct ddci_gate *g) DDCI_WUR;
int ddci_report_junit(struct ddci_buf *b, const struct ddci_gate *g) DDCI_WUR;
/* One self-contained HTML page (chart.h): the verdict and why at the top,
 * the checks, the charts (SVG) with their tables, the offending rows. */
int ddci_report_html(struct ddci_buf *b, const struct ddci_gate *g) DDCI_WUR;
/* Step summary, outputs and annotations when running in GitHub Actions. */
int ddci_report_github(const struct ddci_gate *g) DDCI_WUR;

struct ddci_report_opts {
	FILE *out;                 /* where the verdict is printed: the command's
				    * standard output (GitHub annotations go
				    * there too, through output.h) */
	int json;                  /* --output json on out, else text */
	const char *markdown_path; /* --markdown FILE or NULL */
	const char *junit_path;    /* --junit FILE or NULL */
	const char *html_path;     /* --html FILE or NULL */
};

/* A report file can be written: not empty, not a directory, in a writable
 * directory.  DDCI_EUSAGE naming `flag` ("--html") otherwise.  Checked
 * before anything is sent. */
int ddci_report_check_path(const char *path, const char *flag) DDCI_WUR;
/* ddci_report_check_path for every file in o. */
int ddci_report_check(const struct ddci_report_opts *o) DDCI_WUR;
/* Does any output carry charts (--markdown, --html, $GITHUB_STEP_SUMMARY)?
 * The failure-rate gate then reads its trend (one more request). */
int ddci_report_wants_charts(const struct ddci_report_opts *o);

/* Everything a gate command prints and writes after evaluating. */
int ddci_report_emit(const struct ddci_gate *g, const struct ddci_report_opts *o) DDCI_WUR;

/* The end of every gate command: `rc` is what the gate run returned.  A dry
 * run (DDCI_DRY_RUN) reports nothing and exits 0; an error passes through;
 * otherwise the reports are emitted and the verdict is DDCI_EXIT_GATE or 0. */
int ddci_report_verdict(const struct ddci_gate *g, int rc, const struct ddci_report_opts *o) DDCI_WUR;

#endif
