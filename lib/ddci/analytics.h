/* analytics.h — CI Visibility tests aggregate: POST /api/v2/ci/tests/analytics/aggregate.
 *
 * Builds the request (computes, group-bys, filter query/from/to), reads the
 * buckets of the answer (the request takes no cursor: a meta.page.after is
 * reported) handing each to a callback, and reads totals and timeseries out of a bucket.  Compute i's result is keyed
 * "c<i>" in a bucket's computes, as Datadog names them.
 */
#ifndef DDCI_ANALYTICS_H
#define DDCI_ANALYTICS_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "ddci/client.h"
#include "ddci/error.h"

#define DDCI_AGG_PATH "/api/v2/ci/tests/analytics/aggregate"
#define DDCI_AGG_MAX_COMPUTES 8
#define DDCI_AGG_MAX_GROUPS 4

/* The aggregation enum, NULL-terminated. */
extern const char *const ddci_agg_aggregations[];

struct ddci_agg_compute {
	const char *aggregation;   /* "count", "avg", "pc95", ... */
	const char *metric;        /* "@duration", or NULL for count */
	int timeseries;            /* type "timeseries" (else "total") */
	const char *interval;      /* "1h" for timeseries, or NULL */
};

struct ddci_agg_group {
	const char *facet;         /* "@test.status" */
	int64_t limit;             /* 0 = the API's default (10) */
	const char *missing;       /* value for events without the facet, or NULL */
	const char *order;         /* "asc" | "desc" | NULL */
};

struct ddci_agg_request {
	const char *query;         /* NULL = "*" */
	int64_t from_ms, to_ms;    /* sent as millisecond timestamps */
	struct ddci_agg_compute computes[DDCI_AGG_MAX_COMPUTES];
	size_t ncomputes;
	struct ddci_agg_group groups[DDCI_AGG_MAX_GROUPS];
	size_t ngroups;
	const char *timezone;      /* options.timezone, or NULL */
};

/* "count", "avg:@duration", "pc95:@duration" -> a compute (borrowing spec). */
int ddci_agg_parse_compute(struct ddci_agg_compute *out, char *spec) DDCI_WUR;

int ddci_agg_request_json(cJSON **out, const struct ddci_agg_request *r) DDCI_WUR;

/* One bucket; borrowed from the page (valid in the callback). */
struct ddci_agg_bucket {
	const cJSON *by;           /* object: facet -> value, or NULL */
	const cJSON *computes;     /* object: "c0" -> number | string | [points] */
};

struct ddci_agg_point {
	int64_t time_ms;
	double value;
};

/* The group value of `facet` as text ("" when absent; numbers printed). */
const char *ddci_agg_bucket_key(const struct ddci_agg_bucket *b, const char *facet, char *buf, size_t n);
/* Compute i's total value; DDCI_EPROTO when it is not a number. Missing: 0. */
int ddci_agg_bucket_total(double *out, const struct ddci_agg_bucket *b, size_t i) DDCI_WUR;
/* 1 with *out set when compute i is text, not a number (latest,
 * earliest, most_frequent of a string facet: "main"), or "-" when it has
 * no value (absent, null); else 0. */
int ddci_agg_bucket_string(const char **out, const struct ddci_agg_bucket *b, size_t i);
/* Compute i's timeseries (array node) or NULL when absent. */
int ddci_agg_bucket_series(const cJSON **out, const struct ddci_agg_bucket *b, size_t i) DDCI_WUR;
/* One timeseries point: {"time": RFC 3339 or ms, "value": number}. */
int ddci_agg_point_parse(struct ddci_agg_point *out, const cJSON *point) DDCI_WUR;

struct ddci_agg_meta {
	int pages;
	int64_t buckets;
	int partial;               /* some page had a meta.status other than "done" */
	char status[32];           /* that status ("timeout"), sanitised */
	int more;                  /* meta.page.after: more buckets than returned (no cursor in the request schema) */
	int warnings;              /* meta.warnings seen */
	char warning[256];         /* the first warning's title/detail */
};

/* One page already read: its meta into *meta (partial, warnings; meta is
 * zeroed by the caller first) and each bucket to on_bucket. */
int ddci_agg_page(struct ddci_agg_meta *meta, const cJSON *page,
		  int (*on_bucket)(void *ctx, const struct ddci_agg_bucket *b), void *ctx) DDCI_WUR;

/* The answer's buckets (one request: the request schema has no cursor;
 * meta.page.after sets meta->more and a warning); on_bucket returns 0 to
 * go on, 1 to stop, < 0 on error.  Returns 0, DDCI_DRY_RUN or an error. */
int ddci_agg_run(struct ddci_agg_meta *meta, struct ddci_client *c, const struct ddci_agg_request *r,
		 int (*on_bucket)(void *ctx, const struct ddci_agg_bucket *b), void *ctx) DDCI_WUR;

/* The test events a gate judges: `query` as given, else this repository's
 * (@git.repository.id_v2:repo_id); narrowed by service, branch and env when
 * given; "*" when nothing is.  *out is malloc'd. */
int ddci_agg_scope_query(char **out, const char *query, const char *repo_id, const char *service,
			 const char *branch, const char *env) DDCI_WUR;

#endif
