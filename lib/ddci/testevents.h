/* testevents.h — CI Visibility test events: list (GET) and search (POST).
 *
 * Streams every page through ddci_client_paginate with one page in memory,
 * handing each event to a callback as it arrives, up to a maximum count.
 * Surfaces meta.status "timeout" (a partial result) and meta.warnings
 * through a callback: the library never prints.
 */
#ifndef DDCI_TESTEVENTS_H
#define DDCI_TESTEVENTS_H

#include <stdint.h>
#include <cjson/cJSON.h>

#include "ddci/client.h"
#include "ddci/error.h"

#define DDCI_TESTEVENTS_PATH "/api/v2/ci/tests/events"
#define DDCI_TESTEVENTS_SEARCH_PATH "/api/v2/ci/tests/events/search"
#define DDCI_TESTEVENTS_MAX_LIMIT 1000 /* page[limit] Datadog accepts */

struct ddci_testevents_query {
	int search;            /* 1: POST .../events/search; 0: GET .../events */
	const char *query;     /* filter[query]; NULL: Datadog's default (*) */
	int64_t from_ms;       /* filter[from]; 0: Datadog's default (now-15m) */
	int64_t to_ms;         /* filter[to]; 0: now */
	const char *sort;      /* "timestamp" or "-timestamp"; NULL: Datadog's default */
	int limit;             /* page[limit] 1..1000; 0: Datadog's default */
	int64_t max_events;    /* stop after this many events; 0: all */
	const char *timezone;  /* search only: options.timezone */
	int has_time_offset;   /* search only: options.time_offset is set */
	int64_t time_offset;   /* seconds */
	int strict;            /* a partial page (meta.status timeout) is an error (DDCI_EUNAVAIL) */
};

#define DDCI_TESTEVENTS_QUERY_INIT { 0 }

struct ddci_testevents_result {
	int64_t events;        /* events handed to on_event */
	int pages;
	int partial;           /* some page had meta.status "timeout" */
	int warnings;          /* meta.warnings seen, all pages */
	int truncated;         /* stopped at max_events while more were available */
};

/* Called for each event ("data" item), in order. Returns 0 to go on, < 0
 * to stop with that error. */
typedef int (*ddci_testevents_event_fn)(void *ctx, const cJSON *event);
/* Called for each page once its events were handed over (flush point). */
typedef int (*ddci_testevents_page_fn)(void *ctx, int page);
/* Called with a one-line notice: a warning or a partial page. */
typedef void (*ddci_testevents_notice_fn)(void *ctx, const char *message);

struct ddci_testevents_sink {
	ddci_testevents_event_fn on_event;
	ddci_testevents_page_fn on_page;       /* may be NULL */
	ddci_testevents_notice_fn on_notice;   /* may be NULL */
	void *ctx;
};

/* Checks q (sort, limit, options, times); messages name the flag. */
int ddci_testevents_check(const struct ddci_testevents_query *q) DDCI_WUR;

/* The first request: *path (malloc'd) and, for search, *body (NULL for a
 * list).  cursor may be NULL (first page) or a page[cursor]. */
int ddci_testevents_request(char **path, cJSON **body, const struct ddci_testevents_query *q,
			    const char *cursor) DDCI_WUR;

/* The cursor of the next page in a response: meta.page.after, else the
 * page[cursor] of links.next; NULL when this was the last page.  Returns
 * a malloc'd string via *out (NULL when none), or an error. */
int ddci_testevents_next_cursor(char **out, const cJSON *page) DDCI_WUR;

/* Lists all matching events through every page (in --dry-run, prints the
 * first request).  Returns 0, DDCI_DRY_RUN, or an error. */
int ddci_testevents_fetch(struct ddci_testevents_result *res, struct ddci_client *c,
			  const struct ddci_testevents_query *q, const struct ddci_testevents_sink *sink) DDCI_WUR;

#endif
