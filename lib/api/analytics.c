/* analytics.c — the CI Visibility tests aggregate endpoint: request, pages, buckets. */
#include "ddci/analytics.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddci/buf.h"
#include "ddci/endpoint.h"
#include "ddci/flaky.h"
#include "ddci/json.h"
#include "ddci/sanitize.h"
#include "ddci/timeutil.h"

const char *const ddci_agg_aggregations[] = {
	"count", "cardinality", "pc75", "pc90", "pc95", "pc98", "pc99", "sum", "min", "max", "avg", "median",
	"latest", "earliest", "most_frequent", "delta", NULL,
};

int ddci_agg_parse_compute(struct ddci_agg_compute *out, char *spec)
{
	char *colon = strchr(spec, ':');
	size_t i;

	memset(out, 0, sizeof(*out));
	if (colon) {
		*colon = '\0';
		out->metric = colon + 1;
	}
	for (i = 0; ddci_agg_aggregations[i]; i++)
		if (!strcmp(ddci_agg_aggregations[i], spec))
			break;
	if (!ddci_agg_aggregations[i] || (colon && !*out->metric)) {
		if (colon)
			*colon = ':';
		return ddci_error_set(DDCI_EUSAGE,
				      "invalid --compute '%s': expected AGGREGATION[:METRIC] with AGGREGATION one of "
				      "count, cardinality, pc75..pc99, sum, min, max, avg, median, latest, earliest, "
				      "most_frequent, delta",
				      spec);
	}
	if (strcmp(spec, "count") && !out->metric)
		return ddci_error_set(DDCI_EUSAGE, "invalid --compute '%s': '%s' needs a metric, e.g. %s:@duration",
				      spec, spec, spec);
	out->aggregation = ddci_agg_aggregations[i];
	return 0;
}

static int add_time(cJSON *filter, const char *name, int64_t ms)
{
	char text[24];

	snprintf(text, sizeof(text), "%" PRId64, ms);
	return cJSON_AddStringToObject(filter, name, text) ? 0 : ddci_error_oom();
}

int ddci_agg_request_json(cJSON **out, const struct ddci_agg_request *r)
{
	cJSON *doc = cJSON_CreateObject(), *arr, *o, *filter, *opts;
	int rc = 0;

	*out = NULL;
	if (!doc)
		return ddci_error_oom();
	if (r->ncomputes > DDCI_AGG_MAX_COMPUTES || r->ngroups > DDCI_AGG_MAX_GROUPS) {
		cJSON_Delete(doc);
		return ddci_error_set(DDCI_EUSAGE, "too many computes or group-bys");
	}
	if (!(arr = cJSON_AddArrayToObject(doc, "compute")))
		goto nomem;
	for (size_t i = 0; i < r->ncomputes; i++) {
		const struct ddci_agg_compute *c = &r->computes[i];

		if (!(o = cJSON_CreateObject()))
			goto nomem;
		cJSON_AddItemToArray(arr, o);
		if (!cJSON_AddStringToObject(o, "aggregation", c->aggregation ? c->aggregation : "count") ||
		    ddci_json_add_str(o, "metric", c->metric) < 0 ||
		    !cJSON_AddStringToObject(o, "type", c->timeseries ? "timeseries" : "total") ||
		    (c->timeseries && ddci_json_add_str(o, "interval", c->interval) < 0))
			goto nomem;
	}
	if (!(filter = cJSON_AddObjectToObject(doc, "filter")) ||
	    !cJSON_AddStringToObject(filter, "query", r->query && *r->query ? r->query : "*"))
		goto nomem;
	if ((r->from_ms && (rc = add_time(filter, "from", r->from_ms)) < 0) ||
	    (r->to_ms && (rc = add_time(filter, "to", r->to_ms)) < 0))
		goto fail;
	if (r->ngroups) {
		if (!(arr = cJSON_AddArrayToObject(doc, "group_by")))
			goto nomem;
		for (size_t i = 0; i < r->ngroups; i++) {
			const struct ddci_agg_group *g = &r->groups[i];

			if (!(o = cJSON_CreateObject()))
				goto nomem;
			cJSON_AddItemToArray(arr, o);
			if (!cJSON_AddStringToObject(o, "facet", g->facet ? g->facet : "") ||
			    (g->limit > 0 && ddci_json_add_int64(o, "limit", g->limit) < 0) ||
			    ddci_json_add_str(o, "missing", g->missing) < 0)
				goto nomem;
			if (g->order) {
				cJSON *sort = cJSON_AddObjectToObject(o, "sort");
				if (!sort || !cJSON_AddStringToObject(sort, "order", g->order))
					goto nomem;
			}
		}
	}
	if (r->timezone && *r->timezone) {
		if (!(opts = cJSON_AddObjectToObject(doc, "options")) ||
		    !cJSON_AddStringToObject(opts, "timezone", r->timezone))
			goto nomem;
	}
	*out = doc;
	return 0;
nomem:
	rc = ddci_error_oom();
fail:
	cJSON_Delete(doc);
	return rc;
}

const char *ddci_agg_bucket_key(const struct ddci_agg_bucket *b, const char *facet, char *buf, size_t n)
{
	const cJSON *v = b->by ? cJSON_GetObjectItemCaseSensitive(b->by, facet) : NULL;

	if (n)
		buf[0] = '\0';
	if (!v)
		return buf;
	if (cJSON_IsString(v))
		return v->valuestring;
	if (cJSON_IsNumber(v)) {
		if (v->valuedouble == floor(v->valuedouble) && fabs(v->valuedouble) < 1e15)
			snprintf(buf, n, "%.0f", v->valuedouble);
		else
			snprintf(buf, n, "%g", v->valuedouble);
	} else if (cJSON_IsBool(v)) {
		snprintf(buf, n, "%s", cJSON_IsTrue(v) ? "true" : "false");
	}
	return buf;
}

/* Compute i: "c<i>"; a bucket with a single compute under another name is
 * read by position too. */
static const cJSON *compute(const struct ddci_agg_bucket *b, size_t i)
{
	char key[24];
	const cJSON *v;
	size_t k = 0;

	if (!cJSON_IsObject(b->computes))
		return NULL;
	snprintf(key, sizeof(key), "c%zu", i);
	if ((v = cJSON_GetObjectItemCaseSensitive(b->computes, key)))
		return v;
	cJSON_ArrayForEach(v, b->computes) {
		if (k++ == i)
			return v;
	}
	return NULL;
}

int ddci_agg_bucket_total(double *out, const struct ddci_agg_bucket *b, size_t i)
{
	const cJSON *v = compute(b, i);
	char *end;

	*out = 0;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (cJSON_IsNumber(v)) {
		*out = v->valuedouble;
		return 0;
	}
	if (cJSON_IsString(v) && v->valuestring) {
		*out = strtod(v->valuestring, &end);
		if (end != v->valuestring && !*end)
			return 0;
	}
	return ddci_error_set(DDCI_EPROTO, "unexpected response from Datadog: compute c%zu of a bucket is not a number",
			      i);
}

int ddci_agg_bucket_string(const char **out, const struct ddci_agg_bucket *b, size_t i)
{
	const cJSON *v = compute(b, i);
	char *end;

	if (!v || cJSON_IsNull(v)) {
		*out = "-"; /* no value (latest of a facet no event has) */
		return 1;
	}
	if (!cJSON_IsString(v) || !v->valuestring)
		return 0;
	(void)strtod(v->valuestring, &end);
	if (end != v->valuestring && !*end)
		return 0; /* a number sent as text: a total */
	*out = v->valuestring;
	return 1;
}

int ddci_agg_bucket_series(const cJSON **out, const struct ddci_agg_bucket *b, size_t i)
{
	const cJSON *v = compute(b, i);

	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsArray(v))
		return ddci_error_set(DDCI_EPROTO,
				      "unexpected response from Datadog: compute c%zu of a bucket is not a timeseries", i);
	*out = v;
	return 0;
}

int ddci_agg_point_parse(struct ddci_agg_point *out, const cJSON *point)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(point, "time");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(point, "value");
	int64_t ns;

	memset(out, 0, sizeof(*out));
	if (cJSON_IsNumber(t)) {
		/* range first: converting an out-of-range double is undefined */
		if (!(t->valuedouble >= 0 && t->valuedouble < 1e15))
			return ddci_error_set(DDCI_EPROTO,
					      "unexpected response from Datadog: timeseries point time %g is out of range",
					      t->valuedouble);
		out->time_ms = (int64_t)t->valuedouble;
	} else if (cJSON_IsString(t)) {
		if (ddci_time_parse(&ns, t->valuestring, 0, "time") < 0)
			return ddci_error_set(DDCI_EPROTO,
					      "unexpected response from Datadog: timeseries point time '%s' is not a date",
					      t->valuestring);
		out->time_ms = ns / 1000000;
	} else {
		return ddci_error_set(DDCI_EPROTO, "unexpected response from Datadog: timeseries point without a time");
	}
	if (cJSON_IsNumber(v))
		out->value = v->valuedouble;
	else if (v && !cJSON_IsNull(v))
		return ddci_error_set(DDCI_EPROTO, "unexpected response from Datadog: timeseries value is not a number");
	return 0;
}

struct run_ctx {
	struct ddci_agg_meta *meta;
	int (*on_bucket)(void *ctx, const struct ddci_agg_bucket *b);
	void *ctx;
};

/* Server text kept in a fixed buffer: one line, whole UTF-8 characters
 * (a cut one dropped), no control character (sanitize.h does the rest
 * where it is printed). */
static void sanitize_line(char *s)
{
	char *clean = ddci_san_dup(s, DDCI_CHAN_TEXT);
	size_t n, size = strlen(s) + 1;

	if (!clean) {
		s[0] = '\0';
		return;
	}
	n = strlen(clean);
	if (n >= size) { /* replacements grew it: cut on a character boundary */
		n = size - 1;
		while (n > 0 && ((unsigned char)clean[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(s, clean, n);
	s[n] = '\0';
	free(clean);
}

static void read_meta(struct ddci_agg_meta *m, const cJSON *page)
{
	const cJSON *st = ddci_json_path(page, "meta.status"), *w = ddci_json_path(page, "meta.warnings"), *it;
	const cJSON *after = ddci_json_path(page, "meta.page.after");

	if (cJSON_IsString(st) && strcmp(st->valuestring, "done") && !m->partial) {
		m->partial = 1;
		snprintf(m->status, sizeof(m->status), "%.24s", st->valuestring);
		sanitize_line(m->status);
	} else if (st && !cJSON_IsString(st) && !cJSON_IsNull(st) && !m->partial) {
		m->partial = 1; /* a status we cannot read is no "done" */
		snprintf(m->status, sizeof(m->status), "?");
	}
	/* The request schema (CIAppTestsAggregateRequest) has no page member,
	 * so a meta.page.after cannot be followed: it is reported, and a gate
	 * refuses to judge a part. */
	if (after && !cJSON_IsNull(after) && (!cJSON_IsString(after) || *after->valuestring) && !m->more) {
		m->more = 1;
		if (!m->warnings++)
			snprintf(m->warning, sizeof(m->warning),
				 "Datadog has more buckets than it returned (the aggregate API takes no cursor): "
				 "raise the group-by limit or narrow the query");
	}
	if (!cJSON_IsArray(w))
		return;
	cJSON_ArrayForEach(it, w) {
		const cJSON *title = cJSON_GetObjectItemCaseSensitive(it, "title");
		const cJSON *detail = cJSON_GetObjectItemCaseSensitive(it, "detail");

		if (!m->warnings++) {
			snprintf(m->warning, sizeof(m->warning), "%s%s%s",
				 cJSON_IsString(title) ? title->valuestring : "warning",
				 cJSON_IsString(detail) ? ": " : "", cJSON_IsString(detail) ? detail->valuestring : "");
			sanitize_line(m->warning);
		}
	}
}

static int run_page(void *ctx, const cJSON *page)
{
	struct run_ctx *rc = ctx;

	return ddci_agg_page(rc->meta, page, rc->on_bucket, rc->ctx);
}

int ddci_agg_page(struct ddci_agg_meta *meta, const cJSON *page,
		  int (*on_bucket)(void *ctx, const struct ddci_agg_bucket *b), void *ctx)
{
	const cJSON *buckets = ddci_json_path(page, "data.buckets"), *it;
	struct ddci_agg_bucket b;
	int r;

	read_meta(meta, page);
	/* A gate must not pass on an answer it cannot read: "data" is an object. */
	if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(page, "data")))
		return ddci_error_set(DDCI_EPROTO, "unexpected response from Datadog: 'data' is not an object");
	if (!buckets || cJSON_IsNull(buckets))
		return 0; /* no data at all */
	if (!cJSON_IsArray(buckets))
		return ddci_error_set(DDCI_EPROTO, "unexpected response from Datadog: 'data.buckets' is not an array");
	cJSON_ArrayForEach(it, buckets) {
		if (!cJSON_IsObject(it))
			return ddci_error_set(DDCI_EPROTO, "unexpected response from Datadog: a bucket is not an object");
		b.by = cJSON_GetObjectItemCaseSensitive(it, "by");
		b.computes = cJSON_GetObjectItemCaseSensitive(it, "computes");
		if (b.by && !cJSON_IsObject(b.by))
			return ddci_error_set(DDCI_EPROTO, "unexpected response from Datadog: a bucket's 'by' is not an object");
		meta->buckets++;
		if (on_bucket && (r = on_bucket(ctx, &b)) != 0)
			return r;
	}
	return 0;
}

/* One request: the aggregate API has no cursor (read_meta() notes a
 * meta.page.after, which the callers refuse). */
int ddci_agg_run(struct ddci_agg_meta *meta, struct ddci_client *c, const struct ddci_agg_request *r,
		 int (*on_bucket)(void *ctx, const struct ddci_agg_bucket *b), void *ctx)
{
	struct ddci_agg_meta local;
	struct run_ctx rc = { meta ? meta : &local, on_bucket, ctx };
	struct ddci_pager p = { .call.path = DDCI_AGG_PATH, .on_page = run_page, .ctx = &rc };
	int err;

	memset(rc.meta, 0, sizeof(*rc.meta));
	if ((err = ddci_agg_request_json(&p.body_owned, r)) < 0)
		return err;
	err = ddci_client_read_all(c, &p, "POST", DDCI_FAMILY_TESTS);
	rc.meta->pages = p.pages;
	return err;
}

int ddci_agg_scope_query(char **out, const char *query, const char *repo_id, const char *service,
			 const char *branch, const char *env)
{
	struct ddci_buf b = DDCI_BUF_INIT;

	if (query)
		ddci_buf_adds(&b, query);
	else if (repo_id)
		ddci_flaky_query_term(&b, "@git.repository.id_v2", repo_id);
	if (service)
		ddci_flaky_query_term(&b, "@test.service", service);
	if (branch)
		ddci_flaky_query_term(&b, "@git.branch", branch);
	if (env)
		ddci_flaky_query_term(&b, "env", env);
	return ddci_flaky_query_end(out, &b);
}
