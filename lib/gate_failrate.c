/* gate_failrate.c — the test failure-rate gate: runs counted by
 * @test.status with the tests aggregate endpoint, overall or per group,
 * and the failure rate over time for --trend and the charts. */
#include "ddci/gate_failrate.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddci/analytics.h"
#include "ddci/json.h"
#include "ddci/timeutil.h"

/* ---- the failure-rate gate ---- */

#define MAX_GROUPS DDCI_GATE_GROUP_MAX
#define MAX_POINTS 1000
#define SPARK_POINTS 120

struct grp {
	char *key;              /* whole: compared in full, never cut */
	int64_t pass, fail;     /* saturating sums */
};

struct point {
	int64_t t;
	int64_t pass, fail;
};

struct rate_ctx {
	const char *facet;
	struct grp *groups;
	size_t ngroups;
	struct point *points;
	size_t npoints;
};

static int status_kind(const char *s)
{
	if (!strcmp(s, "pass") || !strcmp(s, "passed"))
		return 1;
	if (!strcmp(s, "fail") || !strcmp(s, "failed") || !strcmp(s, "error"))
		return 2;
	return 0; /* skip, unknown */
}

static int rate_on_bucket(void *ctx, const struct ddci_agg_bucket *b)
{
	struct rate_ctx *rc = ctx;
	char kb[64], sb[64];
	const char *key = rc->facet ? ddci_agg_bucket_key(b, rc->facet, kb, sizeof(kb)) : "all";
	int kind = status_kind(ddci_agg_bucket_key(b, "@test.status", sb, sizeof(sb)));
	struct grp *g = NULL;
	double d;
	int64_t n;
	int r;

	if (!*key)
		key = "(none)";
	/* A group's buckets come together: look at the last group first. */
	if (rc->ngroups && !strcmp(rc->groups[rc->ngroups - 1].key, key))
		g = &rc->groups[rc->ngroups - 1];
	for (size_t i = 0; !g && i < rc->ngroups; i++)
		if (!strcmp(rc->groups[i].key, key))
			g = &rc->groups[i];
	if (!g) {
		if (rc->ngroups >= MAX_GROUPS) /* full: rate_all_groups() refuses the answer */
			return 0;
		if (!(rc->groups[rc->ngroups].key = strdup(key)))
			return ddci_error_oom();
		g = &rc->groups[rc->ngroups++];
	}
	if (!kind) /* skipped: counted as a group, not as a run */
		return 0;
	if ((r = ddci_agg_bucket_total(&d, b, 0)) < 0 ||
	    (r = ddci_gate_sound_count(&n, d, "the count (computes.c0) of a bucket")) < 0)
		return r;
	if (kind == 1)
		g->pass = ddci_gate_sat_add(g->pass, n);
	else
		g->fail = ddci_gate_sat_add(g->fail, n);
	return 0;
}

static int trend_on_bucket(void *ctx, const struct ddci_agg_bucket *b)
{
	struct rate_ctx *rc = ctx;
	char sb[64];
	int kind = status_kind(ddci_agg_bucket_key(b, "@test.status", sb, sizeof(sb)));
	const cJSON *series, *it;
	struct ddci_agg_point pt;
	int r;

	if (!kind)
		return 0;
	if ((r = ddci_agg_bucket_series(&series, b, 0)) < 0)
		return r;
	cJSON_ArrayForEach(it, series) {
		struct point *p = NULL;
		int64_t n;

		if ((r = ddci_agg_point_parse(&pt, it)) < 0 ||
		    (r = ddci_gate_sound_count(&n, pt.value, "the value of a timeseries point")) < 0)
			return r;
		for (size_t i = 0; i < rc->npoints; i++)
			if (rc->points[i].t == pt.time_ms)
				p = &rc->points[i];
		if (!p) {
			if (rc->npoints >= MAX_POINTS)
				continue;
			p = &rc->points[rc->npoints++];
			p->t = pt.time_ms;
		}
		if (kind == 1)
			p->pass = ddci_gate_sat_add(p->pass, n);
		else
			p->fail = ddci_gate_sat_add(p->fail, n);
	}
	return 0;
}

static int by_time(const void *a, const void *b)
{
	const struct point *x = a, *y = b;
	return x->t < y->t ? -1 : x->t > y->t;
}

const char *ddci_gate_trend_interval(int64_t span_ms)
{
	static const struct {
		const char *name;
		int64_t ms;
	} steps[] = {
		{ "1m", 60000 },      { "5m", 300000 },      { "15m", 900000 },      { "30m", 1800000 },
		{ "1h", 3600000 },    { "3h", 10800000 },    { "6h", 21600000 },     { "12h", 43200000 },
		{ "1d", 86400000 },   { "1w", 604800000 },
	};
	size_t n = sizeof(steps) / sizeof(steps[0]);

	for (size_t i = 0; i < n; i++)
		if (span_ms / steps[i].ms <= 30)
			return steps[i].name;
	return steps[n - 1].name;
}

/* A chart's bucket: days for two days or more (weeks past 45 days), else
 * the smallest step giving at most 16 points. */
static const char *chart_interval(int64_t span_ms)
{
	static const struct {
		const char *name;
		int64_t ms;
	} steps[] = {
		{ "5m", 300000 }, { "15m", 900000 }, { "30m", 1800000 }, { "1h", 3600000 }, { "3h", 10800000 },
	};
	const int64_t day = 86400000;

	if (span_ms > 45 * day)
		return "1w";
	if (span_ms >= 2 * day)
		return "1d";
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (span_ms / steps[i].ms <= 16)
			return steps[i].name;
	return "6h";
}

/* The groups judged: --group-limit, or as many as the API returns. */
static int64_t group_limit(const struct ddci_failrate_gate_opts *o)
{
	return o->group_limit > 0 ? o->group_limit : DDCI_GATE_GROUP_MAX;
}

/* The query every failure-rate request asks: runs counted by status over
 * the window, per value of group_by first when there is one (one value
 * more than judged, to see whether there are more). */
static void count_runs(struct ddci_agg_request *req, const struct ddci_failrate_gate_opts *o, const char *group_by)
{
	req->query = o->query;
	req->from_ms = o->from_ms;
	req->to_ms = o->to_ms;
	req->ncomputes = 1;
	req->computes[0].aggregation = "count";
	if (group_by) {
		int64_t limit = group_limit(o);

		req->groups[req->ngroups].facet = group_by;
		req->groups[req->ngroups].limit = limit < DDCI_GATE_GROUP_MAX ? limit + 1 : limit;
		req->ngroups++;
	}
	req->groups[req->ngroups].facet = "@test.status";
	req->groups[req->ngroups].limit = 10;
	req->ngroups++;
}

static int read_trend(struct ddci_gate *g, struct ddci_client *c, const struct ddci_failrate_gate_opts *o,
		      struct rate_ctx *rc)
{
	struct ddci_agg_request req = { 0 };
	int64_t span = o->to_ms - o->from_ms;
	const char *interval = o->interval ? o->interval
			       : o->trend  ? ddci_gate_trend_interval(span)
					   : chart_interval(span);
	double rates[MAX_POINTS] = { 0 };
	char spark[SPARK_POINTS * 3 + 1], first[24] = "", last[24] = "";
	size_t shown;
	int err;

	count_runs(&req, o, NULL);
	req.computes[0].timeseries = 1;
	req.computes[0].interval = interval;
	if ((err = ddci_agg_run(NULL, c, &req, trend_on_bucket, rc)) != 0)
		return err;
	qsort(rc->points, rc->npoints, sizeof(*rc->points), by_time);
	if (!(g->points = calloc(rc->npoints ? rc->npoints : 1, sizeof(*g->points))))
		return ddci_error_oom();
	g->trend_read = 1;
	g->npoints = rc->npoints;
	for (size_t i = 0; i < rc->npoints; i++) {
		struct point *p = &rc->points[i];
		int64_t runs = ddci_gate_sat_add(p->pass, p->fail);

		rates[i] = runs > 0 ? (double)p->fail / (double)runs * 100.0 : -1;
		g->points[i] = (struct ddci_gate_point){ .time_ms = p->t, .runs = runs, .failed = p->fail };
		if (runs > 0) {
			if (!*first)
				snprintf(first, sizeof(first), "%.2f%%", rates[i]);
			snprintf(last, sizeof(last), "%.2f%%", rates[i]);
		}
	}
	/* The text line shows the most recent points; JSON has them all. */
	shown = rc->npoints > SPARK_POINTS ? SPARK_POINTS : rc->npoints;
	ddci_gate_sparkline(spark, sizeof(spark), rates + (rc->npoints - shown), shown);
	if (rc->npoints)
		snprintf(g->trend, sizeof(g->trend), "%s  %s -> %s (%zu x %.16s)", spark, first, last, rc->npoints,
			 interval);
	else
		snprintf(g->trend, sizeof(g->trend), "no data (%.16s buckets)", interval);
	return 0;
}

struct rate_sums {
	int64_t pass, fail, enough, over, listed;
	double worst;
};

/* One row per group: runs, passed, failed, rate, verdict. */
static int rate_row(struct ddci_gate *g, const struct ddci_failrate_gate_opts *o, const struct grp *gr, int c_rate,
		    int c_data, struct rate_sums *t)
{
	int64_t runs = ddci_gate_sat_add(gr->pass, gr->fail);
	double rate = runs > 0 ? (double)gr->fail / (double)runs * 100.0 : 0;
	char sruns[32], spass[32], sfail[32], srate[32];
	const char *verdict, *cells[6];
	unsigned checks = 0;
	cJSON *j;

	if (runs <= 0) /* a group of skipped runs only: nothing to judge */
		return 0;
	t->listed++;
	t->pass = ddci_gate_sat_add(t->pass, gr->pass);
	t->fail = ddci_gate_sat_add(t->fail, gr->fail);
	if (runs < o->min_runs) {
		verdict = "not enough data";
		if (c_data >= 0)
			checks |= 1u << c_data;
	} else {
		t->enough++;
		if (rate > t->worst)
			t->worst = rate;
		verdict = ddci_gate_over(g, c_rate, rate) ? "over" : "ok";
		if (ddci_gate_over(g, c_rate, rate)) {
			checks |= 1u << c_rate;
			t->over++;
		}
	}
	snprintf(sruns, sizeof(sruns), "%" PRId64, runs);
	snprintf(spass, sizeof(spass), "%" PRId64, gr->pass);
	snprintf(sfail, sizeof(sfail), "%" PRId64, gr->fail);
	snprintf(srate, sizeof(srate), "%.2f%%", rate);
	cells[0] = gr->key;
	cells[1] = sruns;
	cells[2] = spass;
	cells[3] = sfail;
	cells[4] = srate;
	cells[5] = verdict;
	if (!(j = cJSON_CreateObject()) || !cJSON_AddStringToObject(j, "group", gr->key) ||
	    ddci_json_add_int64(j, "runs", runs) < 0 || ddci_json_add_int64(j, "passed", gr->pass) < 0 ||
	    ddci_json_add_int64(j, "failed", gr->fail) < 0 || !cJSON_AddNumberToObject(j, "failure_rate_pct", rate) ||
	    !cJSON_AddStringToObject(j, "verdict", verdict)) {
		cJSON_Delete(j);
		return ddci_error_oom();
	}
	/* Over the line first, then by rate, then by runs. */
	return ddci_gate_add_row(g, cells, (checks & (1u << c_rate) ? 1e12 : 0) + rate * 1e6 + (double)runs, checks,
				 NULL, 0, gr->key, j);
}

/* Partial results (meta.status other than "done") are not judged unless
 * --allow-partial; then they and the server's warnings are noted. */
static int rate_meta(struct ddci_gate *g, const struct ddci_failrate_gate_opts *o, const struct ddci_agg_meta *m)
{
	size_t len = strlen(g->note);

	if (m->partial && !o->allow_partial)
		return ddci_error_set(DDCI_EUNAVAIL,
				      "Datadog returned partial results (meta.status '%s'): not judging them "
				      "(--allow-partial judges what came back)",
				      m->status);
	if (m->partial || m->warnings)
		snprintf(g->note + len, sizeof(g->note) - len, "%s%s%s%s%s", len ? "; " : "",
			 m->partial ? "Datadog returned partial results (" : "", m->partial ? m->status : "",
			 m->partial ? (m->warnings ? "); " : ")") : "", m->warnings ? m->warning : "");
	return 0;
}

static void rate_counts(struct ddci_gate *g, const struct ddci_failrate_gate_opts *o, const struct rate_sums *t)
{
	int64_t runs = ddci_gate_sat_add(t->pass, t->fail);

	ddci_gate_set_num(g, "failure_rate", runs > 0 ? (double)t->fail / (double)runs * 100.0 : 0);
	ddci_gate_set_int(g, "runs", runs);
	ddci_gate_set_int(g, "failed", t->fail);
	ddci_gate_set_int(g, "passed", t->pass);
	if (o->group_by) {
		ddci_gate_set_int(g, "groups", t->listed);
		ddci_gate_set_int(g, "groups_over", t->over);
	}
}

static void rate_free(struct rate_ctx *rc)
{
	for (size_t i = 0; rc->groups && i < rc->ngroups; i++)
		free(rc->groups[i].key);
	free(rc->groups);
	free(rc->points);
	memset(rc, 0, sizeof(*rc));
}

/* The checks and the memory of a failure-rate gate. */
static int rate_begin(struct ddci_gate *g, struct rate_ctx *rc, const struct ddci_failrate_gate_opts *o,
		      int *c_rate, int *c_data)
{
	static const char *const cols[] = { "group", "runs", "passed", "failed", "failure rate", "verdict" };
	int err;

	memset(rc, 0, sizeof(*rc));
	*c_data = -1;
	ddci_gate_init(g, "ddci-failrate-gate", "Test failure-rate gate", o->group_by ? "groups" : "tests", cols, 6);
	g->order = "over the limit first, then highest failure rate";
	if (o->max_failure_rate < 0)
		return ddci_error_set(DDCI_EUSAGE, "missing --max-failure-rate PCT");
	if ((err = *c_rate = ddci_gate_add_check(g, "max-failure-rate", "--max-failure-rate",
						 o->group_by ? "highest group failure rate" : "failure rate",
						 DDCI_UNIT_PCT, o->max_failure_rate)) < 0)
		return err;
	if (o->require_data &&
	    (err = *c_data = ddci_gate_add_check(g, "require-data", "--require-data",
						 "judgements without enough data (--min-runs)", DDCI_UNIT_COUNT, 0)) < 0)
		return err;
	if (o->group_by && (err = ddci_gate_add_chart(g, "Groups by failure rate", "failure_rate_pct", "failure rate",
						      DDCI_UNIT_PCT, 1, o->max_failure_rate)) < 0)
		return err;
	rc->facet = o->group_by;
	rc->groups = calloc(MAX_GROUPS, sizeof(*rc->groups));
	rc->points = o->trend || o->chart ? calloc(MAX_POINTS, sizeof(*rc->points)) : NULL;
	if (!rc->groups || ((o->trend || o->chart) && !rc->points))
		return ddci_error_oom();
	snprintf(g->scope, sizeof(g->scope), "%s", o->query ? o->query : "*");
	return 0;
}

/* A gate judges every group or none: more groups than --group-limit, as
 * many as the API returns at most, or an answer saying it has more buckets
 * than it returned (meta.page.after) is refused, never judged in part (a
 * usage error: --fail-open does not turn it into a pass). */
static int rate_all_groups(const struct ddci_failrate_gate_opts *o, const struct rate_ctx *rc,
			   const struct ddci_agg_meta *meta)
{
	int64_t limit = group_limit(o);

	if (o->group_by && ((int64_t)rc->ngroups > limit || rc->ngroups >= MAX_GROUPS))
		return ddci_error_set(DDCI_EUSAGE,
				      "more than %" PRId64 " groups of %s (--group-limit %" PRId64 "): the gate judges "
				      "every group or none; raise --group-limit (at most %d) or narrow --query/--from",
				      limit, o->group_by, limit, DDCI_GATE_GROUP_MAX);
	if (meta->more)
		return ddci_error_set(DDCI_EUSAGE,
				      "Datadog has more buckets than it returned (meta.page.after): the gate judges "
				      "all the data or none; narrow --query/--from%s",
				      o->group_by ? " or group by a facet with fewer values" : "");
	return 0;
}

/* "not enough data" for the rate check: the numbers observed, not a 0. */
static void rate_no_data(struct ddci_gate *g, const struct ddci_failrate_gate_opts *o, int c_rate,
			 const struct rate_sums *t)
{
	int64_t runs = ddci_gate_sat_add(t->pass, t->fail);

	g->checks[c_rate].no_data = 1;
	g->checks[c_rate].value = runs > 0 ? (double)t->fail / (double)runs * 100.0 : 0;
	if (o->min_runs > 0)
		snprintf(g->note, sizeof(g->note),
			 "not enough data: %" PRId64 " runs%s, fewer than --min-runs %" PRId64 "%s", runs,
			 o->group_by ? " (fewer in every group)" : "", o->min_runs,
			 o->require_data ? "" : "; passing (--require-data fails instead)");
	else
		snprintf(g->note, sizeof(g->note), "not enough data: 0 runs%s",
			 o->require_data ? "" : "; passing (--require-data fails instead)");
}

/* The verdict over the buckets read: rows, notes, the trend (read with c;
 * none without), the checks and the counts. */
static int rate_end(struct ddci_gate *g, struct ddci_client *c, const struct ddci_failrate_gate_opts *o,
		    struct rate_ctx *rc, const struct ddci_agg_meta *meta, int c_rate, int c_data)
{
	struct rate_sums t = { 0 };
	int err;

	if ((err = rate_all_groups(o, rc, meta)) < 0)
		return err;
	for (size_t i = 0; i < rc->ngroups; i++)
		if ((err = rate_row(g, o, &rc->groups[i], c_rate, c_data, &t)) < 0)
			return err;
	if (o->group_by) {
		g->checks[c_rate].value = t.worst;
	} else {
		int64_t runs = ddci_gate_sat_add(t.pass, t.fail);
		g->checks[c_rate].value = runs > 0 ? (double)t.fail / (double)runs * 100.0 : 0;
	}
	if (c_data >= 0)
		g->checks[c_data].value = t.enough ? 0 : 1;
	if (!t.enough)
		rate_no_data(g, o, c_rate, &t);
	if ((err = rate_meta(g, o, meta)) < 0)
		return err;
	g->trend_limit = o->max_failure_rate;
	if (c && o->trend && (err = read_trend(g, c, o, rc)) != 0)
		return err;
	if (c && !o->trend && o->chart && (err = read_trend(g, c, o, rc)) != 0) {
		/* Only a chart depends on it: the verdict stands without it. */
		size_t len = strlen(g->note);
		snprintf(g->note + len, sizeof(g->note) - len, "%sno trend chart: %s", len ? "; " : "",
			 ddci_error_last());
		ddci_error_clear();
		free(g->points);
		g->points = NULL;
		g->npoints = 0;
		g->trend_read = 0;
		g->trend[0] = '\0';
	}
	ddci_gate_evaluate(g);
	rate_counts(g, o, &t);
	return 0;
}

int ddci_gate_failrate_query(char **out, const char *query, const char *repo_id, const char *service,
			     const char *branch, const char *env)
{
	return ddci_agg_scope_query(out, query, repo_id, service, branch, env);
}

int ddci_gate_failrate(struct ddci_gate *g, struct ddci_client *c, const struct ddci_failrate_gate_opts *o)
{
	struct ddci_agg_request req = { 0 };
	struct ddci_agg_meta meta;
	struct rate_ctx rc;
	int c_rate, c_data, err;

	if ((err = rate_begin(g, &rc, o, &c_rate, &c_data)) < 0)
		goto done;
	count_runs(&req, o, o->group_by);
	if ((err = ddci_agg_run(&meta, c, &req, rate_on_bucket, &rc)) != 0)
		goto done;
	err = rate_end(g, c, o, &rc, &meta, c_rate, c_data);
done:
	rate_free(&rc);
	return err;
}

int ddci_gate_failrate_pages(struct ddci_gate *g, const struct ddci_failrate_gate_opts *o, const cJSON *const *pages,
			     size_t npages)
{
	struct ddci_agg_meta meta;
	struct rate_ctx rc;
	int c_rate, c_data, err;

	memset(&meta, 0, sizeof(meta));
	if ((err = rate_begin(g, &rc, o, &c_rate, &c_data)) < 0)
		goto done;
	for (size_t i = 0; i < npages; i++)
		if ((err = ddci_agg_page(&meta, pages[i], rate_on_bucket, &rc)) < 0)
			goto done;
	err = rate_end(g, NULL, o, &rc, &meta, c_rate, c_data);
done:
	rate_free(&rc);
	return err;
}

