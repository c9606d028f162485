/* flaky.h — Test Optimization's flaky test management.
 *
 * Builds the search query from a scope (repository, branch, service, env,
 * codeowner, free query), reads every page of
 * POST /api/v2/test/flaky-test-management/tests through ddci_client_paginate
 * handing each test to a callback (one page in memory, never the total), and
 * updates test states with PATCH in batches.
 */
#ifndef DDCI_FLAKY_H
#define DDCI_FLAKY_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "ddci/buf.h"
#include "ddci/client.h"
#include "ddci/error.h"

#define DDCI_FLAKY_PATH "/api/v2/test/flaky-test-management/tests"
#define DDCI_FLAKY_PAGE_MAX 1000
#define DDCI_FLAKY_BATCH_DEFAULT 100

/* The API's sort values, NULL-terminated. */
extern const char *const ddci_flaky_sorts[];
/* The states, NULL-terminated: active, quarantined, disabled, fixed. */
extern const char *const ddci_flaky_states[];

struct ddci_flaky_scope {
	const char *repository_id; /* github.com/org/repo -> @git.repository.id_v2 */
	const char *branch;        /* @git.branch */
	const char *service;       /* @test.service */
	const char *env;           /* env */
	const char *codeowner;     /* @test.codeowners */
	const char *state;         /* flaky_test_state, or NULL for every state */
	const char *query;         /* anything else, appended as is */
	const char *sort;          /* one of ddci_flaky_sorts, or NULL */
	int64_t page_limit;        /* 1..1000; 0 = 100 */
	int64_t max_tests;         /* stop after this many tests; 0 = all */
};

/* One flaky test; strings borrowed from the page (valid in the callback). */
struct ddci_flaky_test {
	const char *id, *name, *suite, *module, *state, *category;
	const char *first_flaked_sha, *first_flaked_branch;
	const char *last_flaked_sha, *last_flaked_branch;
	const char *source_file;   /* test_run_metadata.source_file or NULL */
	int64_t source_start;      /* first line, 0 when unknown */
	const cJSON *codeowners;   /* array of strings or NULL */
	const cJSON *services;     /* array of strings or NULL */
	double failure_rate_pct;   /* test_stats.failure_rate_pct, -1 when absent */
	int64_t failed_pipelines;  /* pipeline_stats.failed_pipelines, 0 when absent */
	int64_t lost_time_ms;      /* pipeline_stats.total_lost_time_ms, 0 when absent */
	int64_t first_flaked_ts, last_flaked_ts;
	const cJSON *item;         /* the whole data item */
};

struct ddci_flaky_stats {
	int64_t tests;             /* tests handed to the callback */
	int pages;
};

int ddci_flaky_check_sort(const char *sort) DDCI_WUR;
int ddci_flaky_check_state(const char *state, const char *what) DDCI_WUR;

/* Appends `key:value` to a search query, quoting the value when needed
 * (space, colon, parentheses, quotes) and escaping quotes and backslashes.
 * Returns the buffer's error, which sticks like any addition's (buf.h). */
int ddci_flaky_query_term(struct ddci_buf *b, const char *key, const char *value);
/* Ends a query built in b: *out = its text, malloc'd ("*" when it has no
 * term), or the buffer's error; b is left empty either way. */
int ddci_flaky_query_end(char **out, struct ddci_buf *b) DDCI_WUR;
/* The filter.query for a scope ("*" when empty); malloc'd. */
int ddci_flaky_query(char **out, const struct ddci_flaky_scope *s) DDCI_WUR;
/* The search request body for a scope and cursor (NULL = first page). */
int ddci_flaky_search_json(cJSON **out, const struct ddci_flaky_scope *s, const char *cursor) DDCI_WUR;
/* Reads one data item; DDCI_EPROTO naming the field when it is malformed. */
int ddci_flaky_parse_test(struct ddci_flaky_test *t, const cJSON *item) DDCI_WUR;

/* Every page of the search; on_test returns 0 to go on, 1 to stop, < 0 on
 * error.  Returns 0, DDCI_DRY_RUN (the first request was printed) or an
 * error. */
int ddci_flaky_search(struct ddci_flaky_stats *stats, struct ddci_client *c, const struct ddci_flaky_scope *s,
		      int (*on_test)(void *ctx, const struct ddci_flaky_test *t), void *ctx) DDCI_WUR;

/* State updates. */
struct ddci_flaky_update_result {
	int64_t sent, succeeded, failed;
	int batches;
	int dry_run;
};

/* The PATCH body for ids[0..n) all set to `state`. */
int ddci_flaky_update_json(cJSON **out, const char *const *ids, size_t n, const char *state) DDCI_WUR;

/* PATCHes ids in batches of batch_size (0 = 100).  on_result(ctx, id, ok,
 * error) is called for every test the response reports.  Returns 0 when the
 * requests were answered (check res->failed), or an error. */
int ddci_flaky_update(struct ddci_flaky_update_result *res, struct ddci_client *c, const char *const *ids,
		      size_t n, const char *state, size_t batch_size,
		      void (*on_result)(void *ctx, const char *id, int ok, const char *error), void *ctx) DDCI_WUR;

#endif
