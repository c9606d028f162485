/* tests_report.c — ddci-tests' flags into a query or an aggregate request,
 * and the events or buckets written as they arrive (tests_report.h). */
#include "ddci/tests_report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ddci/buf.h"
#include "ddci/json.h"
#include "ddci/output.h"
#include "ddci/timeutil.h"

void ddci_tests_flags_release(struct ddci_tests_flags *f)
{
	ddci_strv_release(&f->computes);
	ddci_strv_release(&f->group_by);
}

static int parse_time_ms(int64_t *out, const char *s, int64_t now, const char *what)
{
	int64_t ns;
	int rc;

	*out = 0;
	if (!s)
		return 0;
	if ((rc = ddci_time_parse(&ns, s, now, what)) < 0)
		return rc;
	*out = ns / 1000000;
	return 0;
}

int ddci_tests_events_query(struct ddci_testevents_query *q, const struct ddci_tests_flags *a)
{
	int64_t now = ddci_time_now_ns();
	int rc;

	q->query = a->query;
	q->sort = a->sort;
	q->strict = a->strict;
	q->timezone = a->timezone;
	if ((rc = parse_time_ms(&q->from_ms, a->from, now, "--from")) < 0 ||
	    (rc = parse_time_ms(&q->to_ms, a->to, now, "--to")) < 0)
		return rc;
	if ((rc = ddci_parse_paging(&q->limit, &q->max_events, a->page_size, DDCI_TESTEVENTS_MAX_LIMIT, a->limit,
				    a->max_events, "--max-events")) < 0)
		return rc;
	/* No bigger page than the events wanted. */
	if (q->max_events > 0 && q->max_events < q->limit)
		q->limit = (int)q->max_events;
	if (a->time_offset) {
		if ((rc = ddci_parse_int64(&q->time_offset, a->time_offset, -86400 * 7, 86400 * 7, "--time-offset")) < 0)
			return rc;
		q->has_time_offset = 1;
	}
	return ddci_testevents_check(q);
}

/* The flags of list and search are refused; then the numbers. */
static int agg_flags(int64_t *limit, int64_t *ms, const struct ddci_tests_flags *a)
{
	int rc;

	if (a->sort || a->max_events || a->time_offset || a->page_size)
		return ddci_error_set(DDCI_EUSAGE, "%s is for list and search, not aggregate",
				      a->sort ? "--sort" : a->max_events ? "--max-events"
						 : a->page_size ? "--page-size" : "--time-offset");
	if (a->computes.n > DDCI_AGG_MAX_COMPUTES)
		return ddci_error_set(DDCI_EUSAGE, "too many --compute: at most %d", DDCI_AGG_MAX_COMPUTES);
	if (a->group_by.n > DDCI_AGG_MAX_GROUPS)
		return ddci_error_set(DDCI_EUSAGE, "too many --group-by: at most %d", DDCI_AGG_MAX_GROUPS);
	if (a->interval && (rc = ddci_duration_parse(ms, a->interval, "--interval")) < 0)
		return rc;
	if (a->limit && (rc = ddci_parse_int64(limit, a->limit, 1, 10000, "--limit")) < 0)
		return rc;
	return 0;
}

int ddci_tests_agg_request(struct ddci_agg_request *r, const struct ddci_tests_flags *a)
{
	int64_t now = ddci_time_now_ns(), limit = 0, ms;
	int rc;

	memset(r, 0, sizeof(*r));
	if ((rc = agg_flags(&limit, &ms, a)) < 0)
		return rc;
	r->query = a->query;
	r->timezone = a->timezone;
	if ((rc = parse_time_ms(&r->from_ms, a->from, now, "--from")) < 0 ||
	    (rc = parse_time_ms(&r->to_ms, a->to, now, "--to")) < 0)
		return rc;
	r->ncomputes = a->computes.n ? a->computes.n : 1;
	for (size_t i = 0; i < a->computes.n; i++)
		if ((rc = ddci_agg_parse_compute(&r->computes[i], a->computes.v[i])) < 0)
			return rc;
	if (!a->computes.n)
		r->computes[0].aggregation = "count";
	for (size_t i = 0; i < r->ncomputes; i++) {
		r->computes[i].timeseries = a->interval != NULL;
		r->computes[i].interval = a->interval;
	}
	for (size_t i = 0; i < a->group_by.n; i++) {
		const char *f = a->group_by.v[i];
		if (!*f || strlen(f) > 200 || strpbrk(f, " \t\r\n\"'"))
			return ddci_error_set(DDCI_EUSAGE, "invalid --group-by '%s': expected a facet like @test.status", f);
		r->groups[i].facet = f;
		r->groups[i].limit = limit;
	}
	r->ngroups = a->group_by.n;
	return 0;
}

static int write_failed(const struct ddci_tests_out *o)
{
	return ddci_error_set(DDCI_EIO, "cannot write to %s", o->f_name);
}

static int flushed(const struct ddci_tests_out *o)
{
	return fflush(o->f) == 0 && !ferror(o->f) ? 0 : write_failed(o);
}

/* ---- events ---- */

/* A string attribute of the event: nested ("test.name" as test -> name) or
 * flat ("test.name" as one key), or "". */
static const char *attr(const cJSON *ev, const char *name)
{
	const cJSON *attrs = ddci_json_path(ev, "attributes.attributes"), *v;

	v = ddci_json_path(attrs, name);
	if (!v)
		v = cJSON_GetObjectItemCaseSensitive(attrs, name);
	return cJSON_IsString(v) ? v->valuestring : "";
}

/* One table cell: sanitised (sanitize.h), cut to width characters (0 =
 * whole). */
static void cell(FILE *f, const char *s, int width, int last)
{
	int n = 0;
	char *clean = ddci_output_clean(s, DDCI_CHAN_TEXT);
	const unsigned char *p = (const unsigned char *)(clean ? clean : "");

	for (; *p && (!width || n < width); n++) {
		do /* a whole UTF-8 character */
			fputc(*p++, f);
		while ((*p & 0xc0) == 0x80);
	}
	if (!last)
		for (; n < width + 2; n++)
			fputc(' ', f);
	free(clean);
}

static void table_row(struct ddci_tests_out *s, const cJSON *ev)
{
	const cJSON *dur = ddci_json_path(ev, "attributes.attributes.duration");
	const char *level = "";
	char d[32] = "";
	struct ddci_buf name = DDCI_BUF_INIT;

	if (ddci_json_get_str_opt(&level, ev, "attributes.test_level") < 0 || !level)
		level = "";
	/* Datadog's durations are nanoseconds; in range before converting */
	if (cJSON_IsNumber(dur) && dur->valuedouble >= 0 && dur->valuedouble < 9e18)
		ddci_duration_format(d, sizeof(d), (int64_t)(dur->valuedouble / 1e6));
	if (*attr(ev, "test.suite") && ddci_buf_addf(&name, "%s.", attr(ev, "test.suite")) < 0)
		return;
	if (ddci_buf_adds(&name, *attr(ev, "test.name") ? attr(ev, "test.name") : "") < 0)
		return;
	cell(s->f, attr(ev, "test.status"), 6, 0);
	cell(s->f, level, 7, 0);
	fprintf(s->f, "%9s  ", d);
	cell(s->f, attr(ev, "test.service"), 20, 0);
	cell(s->f, ddci_buf_str(&name), 0, 1);
	fputc('\n', s->f);
	ddci_buf_release(&name);
}

static int on_event(void *ctx, const cJSON *ev)
{
	struct ddci_tests_out *s = ctx;
	int rc = 0;

	switch (s->format) {
	case DDCI_OUTPUT_JSON:
		fputs(s->header ? ",\n" : "[\n", s->f);
		s->header = 1;
		rc = ddci_put_json(s->f, ev, 0);
		break;
	case DDCI_OUTPUT_TABLE:
		if (!s->header) {
			fprintf(s->f, "%-8s%-9s%9s  %-22s%s\n", "STATUS", "LEVEL", "DURATION", "SERVICE", "TEST");
			s->header = 1;
		}
		table_row(s, ev);
		break;
	default:
		if ((rc = ddci_put_json(s->f, ev, 0)) == 0)
			fputc('\n', s->f);
		break;
	}
	s->n++;
	return rc;
}

static int on_page(void *ctx, int page)
{
	struct ddci_tests_out *s = ctx;

	s->pages = page;
	if (s->progress) /* one line, rewritten: a terminal watches it grow */
		fprintf(s->progress, "\r%s: %" PRId64 " events, %d requests", s->prog, s->n, page);
	return flushed(s);
}

static void on_notice(void *ctx, const char *msg)
{
	struct ddci_tests_out *s = ctx;
	ddci_print(s->notices, "%s: %s\n", s->prog, msg);
}


int ddci_tests_events(struct ddci_testevents_result *res, struct ddci_client *c,
		      const struct ddci_testevents_query *q, struct ddci_tests_out *o)
{
	struct ddci_testevents_sink sink = { on_event, on_page, on_notice, o };
	int rc = ddci_testevents_fetch(res, c, q, &sink);

	if (o->progress && o->pages)
		fprintf(o->progress, "\r%*s\r", 60, "");
	if (rc != 0)
		return rc;
	if (o->format == DDCI_OUTPUT_JSON)
		fputs(o->header ? "\n]\n" : "[]\n", o->f);
	return flushed(o);
}

/* ---- aggregate ---- */

static int agg_labels_and_table(struct ddci_tests_out *o)
{
	const char *headers[DDCI_AGG_MAX_GROUPS + 1 + DDCI_AGG_MAX_COMPUTES];
	size_t n = 0;
	int series = o->req->ncomputes && o->req->computes[0].timeseries;

	for (size_t i = 0; i < o->req->ncomputes; i++) {
		const struct ddci_agg_compute *c = &o->req->computes[i];
		snprintf(o->labels[i], sizeof(o->labels[i]), "%s%s%s", c->aggregation, c->metric ? ":" : "",
			 c->metric ? c->metric : "");
	}
	if (o->format != DDCI_OUTPUT_TABLE)
		return 0;
	for (size_t i = 0; i < o->req->ngroups; i++)
		headers[n++] = o->req->groups[i].facet;
	if (series)
		headers[n++] = "TIME";
	for (size_t i = 0; i < o->req->ncomputes; i++)
		headers[n++] = o->labels[i];
	return ddci_table_new(&o->table, (int)n, headers);
}

/* A value for the table: whole numbers as integers, others in 4 digits. */
static void fmt_value(char *buf, size_t n, double v)
{
	/* range first: converting an out-of-range double is undefined */
	if (v > -1e15 && v < 1e15 && v == (double)(int64_t)v)
		snprintf(buf, n, "%" PRId64, (int64_t)v);
	else
		snprintf(buf, n, "%.4g", v);
}

static int agg_row(struct ddci_tests_out *o, const struct ddci_agg_bucket *b)
{
	char keys[DDCI_AGG_MAX_GROUPS][256], vals[DDCI_AGG_MAX_COMPUTES][48], when[32];
	const char *cells[DDCI_AGG_MAX_GROUPS + 1 + DDCI_AGG_MAX_COMPUTES];
	size_t ng = o->req->ngroups, nc = o->req->ncomputes, n;
	const cJSON *series[DDCI_AGG_MAX_COMPUTES];
	struct ddci_agg_point pt;
	double v;
	int rc;

	for (size_t i = 0; i < ng; i++)
		cells[i] = ddci_agg_bucket_key(b, o->req->groups[i].facet, keys[i], sizeof(keys[i]));
	if (!(nc && o->req->computes[0].timeseries)) {
		for (size_t i = 0; i < nc; i++) {
			if (ddci_agg_bucket_string(&cells[ng + i], b, i))
				continue; /* latest:@git.branch and the like: text */
			if ((rc = ddci_agg_bucket_total(&v, b, i)) < 0)
				return rc;
			fmt_value(vals[i], sizeof(vals[i]), v);
			cells[ng + i] = vals[i];
		}
		return ddci_table_add(o->table, cells);
	}
	for (size_t i = 0; i < nc; i++)
		if ((rc = ddci_agg_bucket_series(&series[i], b, i)) < 0)
			return rc;
	n = (size_t)cJSON_GetArraySize(series[0]);
	for (size_t k = 0; k < n; k++) {
		if ((rc = ddci_agg_point_parse(&pt, cJSON_GetArrayItem(series[0], (int)k))) < 0)
			return rc;
		ddci_time_format_rfc3339(when, sizeof(when), pt.time_ms * 1000000);
		cells[ng] = when;
		for (size_t i = 0; i < nc; i++) {
			const cJSON *p = series[i] ? cJSON_GetArrayItem(series[i], (int)k) : NULL;
			struct ddci_agg_point q = { 0, 0 };
			if (p && (rc = ddci_agg_point_parse(&q, p)) < 0)
				return rc;
			fmt_value(vals[i], sizeof(vals[i]), q.value);
			cells[ng + 1 + i] = vals[i];
		}
		if ((rc = ddci_table_add(o->table, cells)) < 0)
			return rc;
	}
	return 0;
}

static int on_bucket(void *ctx, const struct ddci_agg_bucket *b)
{
	struct ddci_tests_out *o = ctx;
	cJSON *obj;
	int rc;

	if (o->format == DDCI_OUTPUT_TABLE)
		return agg_row(o, b);
	obj = cJSON_CreateObject();
	if (!obj || !cJSON_AddItemToObject(obj, "by", b->by ? cJSON_Duplicate(b->by, 1) : cJSON_CreateObject()) ||
	    !cJSON_AddItemToObject(obj, "computes", b->computes ? cJSON_Duplicate(b->computes, 1) : cJSON_CreateObject())) {
		cJSON_Delete(obj);
		return ddci_error_oom();
	}
	if (o->format == DDCI_OUTPUT_JSON)
		fputs(o->n ? ",\n" : "[\n", o->f);
	rc = ddci_put_json(o->f, obj, 0);
	if (!rc && o->format != DDCI_OUTPUT_JSON)
		fputc('\n', o->f);
	cJSON_Delete(obj);
	o->n++;
	return rc;
}

int ddci_tests_aggregate(struct ddci_agg_meta *meta, struct ddci_client *c, const struct ddci_agg_request *r,
			 struct ddci_tests_out *o)
{
	int rc;

	o->req = r;
	if ((rc = agg_labels_and_table(o)) < 0)
		return rc;
	return ddci_agg_run(meta, c, r, on_bucket, o);
}

int ddci_tests_agg_end(struct ddci_tests_out *o)
{
	if (o->table)
		ddci_table_print(o->f, o->table);
	else if (o->format == DDCI_OUTPUT_JSON)
		fputs(o->n ? "\n]\n" : "[]\n", o->f);
	return flushed(o);
}

void ddci_tests_out_release(struct ddci_tests_out *o)
{
	ddci_table_free(o->table);
	o->table = NULL;
}
