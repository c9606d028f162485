/* gate_failrate.h — the test failure-rate gate (gate.h's model over
 * analytics.h's aggregate): failed / (passed + failed) overall or per
 * group, with the rate over time for --trend and the charts.
 */
#ifndef DDCI_GATE_FAILRATE_H
#define DDCI_GATE_FAILRATE_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "ddci/client.h"
#include "ddci/error.h"
#include "ddci/gate.h"

/* The test events the gate judges: `query` as given, else this
 * repository's (repo_id); narrowed by service, branch and env when given;
 * "*" when nothing is.  *out is malloc'd. */
int ddci_gate_failrate_query(char **out, const char *query, const char *repo_id, const char *service,
			     const char *branch, const char *env) DDCI_WUR;

/* The failure-rate gate. */
struct ddci_failrate_gate_opts {
	const char *query;
	int64_t from_ms, to_ms;
	const char *group_by;     /* facet, or NULL for one overall rate */
	int64_t group_limit;      /* groups asked for; 0 = DDCI_GATE_GROUP_MAX.  As
				   * many groups as that read means there may be
				   * more: the gate refuses (DDCI_EUSAGE) */
	double max_failure_rate;  /* percent, required */
	int64_t min_runs;         /* 0 = any */
	int require_data;
	int trend;
	const char *interval;     /* NULL = chosen from the span */
	int chart;                /* a report charts the trend: read it with one
				   * more request (as --trend does); failing to
				   * read it only adds a note */
	int allow_partial;        /* judge partial results (meta.status other than
				   * "done") instead of failing closed */
};

/* The most buckets the aggregate API returns for one group-by. */
#define DDCI_GATE_GROUP_MAX 10000

#define DDCI_FAILRATE_GATE_OPTS_INIT { .max_failure_rate = -1 }

int ddci_gate_failrate(struct ddci_gate *g, struct ddci_client *c, const struct ddci_failrate_gate_opts *o) DDCI_WUR;
/* The same verdict over aggregate response pages already read (no request;
 * no trend): what the gate decides from a server's answer, for tests and
 * fuzzing. */
int ddci_gate_failrate_pages(struct ddci_gate *g, const struct ddci_failrate_gate_opts *o, const cJSON *const *pages,
			     size_t npages) DDCI_WUR;

/* An interval giving at most ~30 points over span_ms ("6h" for 7 days). */
const char *ddci_gate_trend_interval(int64_t span_ms);

#endif
