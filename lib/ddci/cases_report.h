/* cases_report.h — what ddci-cases prints of a Case Management aggregate:
 * the counts (a table with a total, or a JSON object), and the open-cases
 * gate's verdict in the shape every gate shares (report.h).
 *
 * The writers write only to the stream they are given.
 */
#ifndef DDCI_CASES_REPORT_H
#define DDCI_CASES_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "ddci/cases.h"
#include "ddci/config.h"
#include "ddci/error.h"
#include "ddci/strv.h"

/* The flags of ddci-cases, as given (NULL: not given). */
struct ddci_cases_flags {
	const char *query, *limit, *max;
	struct ddci_strv group_by;
};

void ddci_cases_flags_release(struct ddci_cases_flags *f);

/* Flags -> query (borrowing the flags' strings) and the gate's *max (-1
 * for count); every check happens here, before anything is sent: --max and
 * --fail-open (fail_open) are for gate only, gate needs --max, then the
 * numbers and ddci_cases_check.  Messages name the flag. */
int ddci_cases_query_from_flags(struct ddci_cases_query *q, int64_t *max, const struct ddci_cases_flags *f,
				int gate, int fail_open) DDCI_WUR;

/* count: a table (one row per group, headed by the --group-by fields in
 * capitals, then "total"), or for DDCI_OUTPUT_JSON
 * {"total":N,"groups":[{"group":..,"count":N}],"query":..} (query only
 * when q->query is set). */
int ddci_cases_report_counts(FILE *f, enum ddci_output format, const struct ddci_cases_result *r,
			     const struct ddci_cases_query *q) DDCI_WUR;

/* gate: one check (--max: the most matching cases allowed) against the
 * total, one row per group; prints the verdict (text, or JSON when json)
 * to f.  Returns DDCI_EXIT_GATE when more than max cases match, 0 when
 * the gate passes, or an error. */
int ddci_cases_report_gate(FILE *f, int json, const struct ddci_cases_result *r, const char *query,
			   int64_t max) DDCI_WUR;

#endif
