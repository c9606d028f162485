/* tests_report.h — what ddci-tests does with its flags and Datadog's
 * answers: the test-events query and the aggregate request built (and
 * checked) from the flags, and the events or buckets written as they
 * arrive: NDJSON, a JSON array or a table.
 *
 * The writers write only to the streams they are given.
 */
#ifndef DDCI_TESTS_REPORT_H
#define DDCI_TESTS_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "ddci/analytics.h"
#include "ddci/client.h"
#include "ddci/config.h"
#include "ddci/error.h"
#include "ddci/strv.h"
#include "ddci/testevents.h"

/* The flags of ddci-tests, as given (NULL: not given). */
struct ddci_tests_flags {
	const char *query, *from, *to, *sort, *limit, *max_events, *page_size, *timezone, *time_offset, *interval;
	int strict;
	struct ddci_strv computes, group_by;
};

void ddci_tests_flags_release(struct ddci_tests_flags *f);

/* Flags -> list/search query (q->search set by the caller); every check
 * happens here, before anything is sent; messages name the flag. */
int ddci_tests_events_query(struct ddci_testevents_query *q, const struct ddci_tests_flags *f) DDCI_WUR;

/* Flags -> aggregate request (borrowing the flags' strings), checked. */
int ddci_tests_agg_request(struct ddci_agg_request *r, const struct ddci_tests_flags *f) DDCI_WUR;

/* Where events and buckets go. */
struct ddci_tests_out {
	enum ddci_output format; /* events: NDJSON, JSON or TABLE; buckets: TABLE, NDJSON or JSON */
	FILE *f;
	const char *f_name;      /* for the message when writing fails: "stdout" */
	FILE *progress;          /* events: a progress line, rewritten; or NULL */
	FILE *notices;           /* events: Datadog's warnings and partial pages, one line each */
	const char *prog;        /* the name notices and progress lines start with */
	/* filled as it goes */
	int64_t n;
	int header, pages;
	const struct ddci_agg_request *req;
	struct ddci_table *table;
	char labels[DDCI_AGG_MAX_COMPUTES][96];
};

/* Lists or searches (q->search) every page, writing each event as it
 * arrives, then the end of the JSON array; the progress line is cleared. */
int ddci_tests_events(struct ddci_testevents_result *res, struct ddci_client *c,
		      const struct ddci_testevents_query *q, struct ddci_tests_out *o) DDCI_WUR;

/* Aggregates: buckets in NDJSON or JSON are written as they arrive; a
 * table is kept for ddci_tests_agg_end. */
int ddci_tests_aggregate(struct ddci_agg_meta *meta, struct ddci_client *c, const struct ddci_agg_request *r,
			 struct ddci_tests_out *o) DDCI_WUR;
/* The table, or the end of the JSON array; flushed. */
int ddci_tests_agg_end(struct ddci_tests_out *o) DDCI_WUR;
void ddci_tests_out_release(struct ddci_tests_out *o);

#endif
