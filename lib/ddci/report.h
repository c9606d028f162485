/* report.h — what a gate decided, for people and for CI systems.
 *
 * One gate (gate.h) rendered as a text verdict with a table of the offending
 * rows, JSON, Markdown (report file and GitHub step summary), JUnit XML (one
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
/* Step summary, outputs and annotations when running in GitHub Actions. */
int ddci_report_github(const struct ddci_gate *g) DDCI_WUR;

struct ddci_report_opts {
	int json;                  /* --output json on stdout, else text */
	const char *markdown_path; /* --markdown FILE or NULL */
	const char *junit_path;    /* --junit FILE or NULL */
};

/* Everything a gate command prints and writes after evaluating. */
int ddci_report_emit(const struct ddci_gate *g, const struct ddci_report_opts *o) DDCI_WUR;

/* The end of every gate command: `rc` is what the gate run returned.  A dry
 * run (DDCI_DRY_RUN) reports nothing and exits 0; an error passes through;
 * otherwise the reports are emitted and the verdict is DDCI_EXIT_GATE or 0. */
int ddci_report_verdict(const struct ddci_gate *g, int rc, const struct ddci_report_opts *o) DDCI_WUR;

#endif
