/* ddci-tests — list, search or aggregate CI Visibility test events.
 *
 * aggregate computes counts or measures per facet (a table, NDJSON or a JSON
 * array of buckets); list and search read every page (up to --max-events) and stream the events
 * as they arrive: one JSON object per line (ndjson, the default), one JSON
 * array written incrementally (json), or a text table; only one page is in
 * memory whatever the count.  A page Datadog marks as partial (meta.status
 * timeout) and meta.warnings are reported on stderr; --strict makes a
 * partial result exit 3. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ddci/analytics.h"
#include "ddci/cli.h"
#include "ddci/client.h"
#include "ddci/json.h"
#include "ddci/output.h"
#include "ddci/redact.h"
#include "ddci/strv.h"
#include "ddci/testevents.h"
#include "ddci/timeutil.h"

enum { O_QUERY = 256, O_FROM, O_TO, O_SORT, O_LIMIT, O_MAX_EVENTS, O_PAGE_SIZE, O_STRICT, O_TIMEZONE, O_TIME_OFFSET,
       O_COMPUTE, O_GROUP_BY, O_INTERVAL };

static const struct ddci_opt opts[] = {
	{ "query", O_QUERY, "QUERY", NULL, "*", "search query, e.g. '@test.status:fail @test.service:shop'" },
	{ "from", O_FROM, "TIME", NULL, "now-15m", "oldest event time" },
	{ "to", O_TO, "TIME", NULL, "now", "newest event time" },
	{ "sort", O_SORT, "ORDER", NULL, NULL, "timestamp (oldest first) or -timestamp (newest first)" },
	{ "limit", O_LIMIT, "N", NULL, "all",
	  "at most N events (list, search); aggregate: at most N buckets per --group-by" },
	{ "max-events", O_MAX_EVENTS, "N", NULL, "all", "the same as --limit (list, search)" },
	{ "page-size", O_PAGE_SIZE, "N", NULL, "1000, the API's most", "events per request (1-1000)" },
	{ "strict", O_STRICT, NULL, NULL, NULL, "exit 3 when Datadog returns a partial result (meta.status timeout)" },
	{ "timezone", O_TIMEZONE, "TZ", NULL, "UTC", "search: options.timezone (UTC, UTC+1, Europe/Paris)" },
	{ "time-offset", O_TIME_OFFSET, "SECONDS", NULL, NULL, "search: options.time_offset" },
	{ "compute", O_COMPUTE, "AGG[:METRIC]", NULL, "count", "aggregate: count, avg:@duration, pc95:@duration, ... (repeatable)" },
	{ "group-by", O_GROUP_BY, "FACET", NULL, NULL, "aggregate: one bucket per value of FACET, e.g. @test.status (repeatable)" },
	{ "interval", O_INTERVAL, "DURATION", NULL, NULL, "aggregate: a timeseries with buckets of DURATION (1h, 15m)" },
	{ NULL, 0, NULL, NULL, NULL, NULL },
};

struct args {
	const char *query, *from, *to, *sort, *limit, *max_events, *page_size, *timezone, *time_offset, *interval;
	int strict;
	struct ddci_strv computes, group_by;
};

static int on_opt(void *ctx, int key, const char *arg)
{
	struct args *a = ctx;

	switch (key) {
	case O_QUERY: a->query = arg; return 0;
	case O_FROM: a->from = arg; return 0;
	case O_TO: a->to = arg; return 0;
	case O_SORT: a->sort = arg; return 0;
	case O_LIMIT: a->limit = arg; return 0;
	case O_MAX_EVENTS: a->max_events = arg; return 0;
	case O_PAGE_SIZE: a->page_size = arg; return 0;
	case O_STRICT: a->strict = 1; return 0;
	case O_TIMEZONE: a->timezone = arg; return 0;
	case O_TIME_OFFSET: a->time_offset = arg; return 0;
	case O_COMPUTE: return ddci_strv_push(&a->computes, arg);
	case O_GROUP_BY: return ddci_strv_push(&a->group_by, arg);
	case O_INTERVAL: a->interval = arg; return 0;
	}
	return ddci_error_set(DDCI_EUSAGE, "unknown option");
}

static const struct ddci_cmd cmd = {
	.name = "ddci-tests",
	.synopsis = "list|search [--query Q] [--from TIME] [--to TIME] [--sort ORDER] [OPTIONS]\n"
		    "       ddci-tests aggregate [--compute AGG[:METRIC]]... [--group-by FACET]... [--interval D] [OPTIONS]",
	.description =
		"list sends GET /api/v2/ci/tests/events, search POST /api/v2/ci/tests/events/search\n"
		"(which also takes --timezone or --time-offset). Every page is read, following the\n"
		"cursor, up to --limit events, --page-size (default 1000, the API's most) per\n"
		"request; events are written as they arrive: one JSON object per line (--output\n"
		"ndjson, the default), a JSON array (json) or a table. On a terminal, progress goes\n"
		"to stderr; --verbose ends with \"N events in M requests\"; rate-limit waits are\n"
		"announced. A partial page (meta.status timeout) and Datadog's warnings are reported\n"
		"on stderr; with --strict a partial result exits 3.\n"
		"aggregate sends POST /api/v2/ci/tests/analytics/aggregate (every page) and prints a\n"
		"table by default, or the buckets as NDJSON or a JSON array.",
	.opts = opts,
	.groups = DDCI_CLI_NET | DDCI_CLI_OUTPUT,
	.outputs = "ndjson|json|table",
	.examples = "  ddci-tests list --query '@test.status:fail @git.branch:main' --from now-1h\n"
		    "  ddci-tests search --query '@test.service:shop' --sort -timestamp --limit 100 --output table\n"
		    "  ddci-tests list --from now-1d --output json --strict > events.json\n"
		    "  ddci-tests aggregate --compute count --compute pc95:@duration --group-by @test.service --from now-1d\n",
	.on_opt = on_opt,
};

/* Where events go: the format, and whether the JSON array was opened. */
struct sink {
	enum ddci_output format;
	FILE *f;
	int64_t n;
	int header;
	const char *prog;
	FILE *progress;         /* stderr on a terminal (stdout elsewhere), or NULL */
	int pages;
};

static int print_failed(void)
{
	return ddci_error_set(DDCI_EIO, "cannot write to stdout");
}

static int put_json(FILE *f, const cJSON *v)
{
	char *text = ddci_json_print(v), *clean;

	if (!text)
		return ddci_error_oom();
	clean = ddci_output_clean(text, DDCI_CHAN_JSON);
	free(text);
	if (!clean)
		return DDCI_ENOMEM;
	fputs(clean, f);
	free(clean);
	return 0;
}

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

static void table_row(struct sink *s, const cJSON *ev)
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
	struct sink *s = ctx;
	int rc = 0;

	switch (s->format) {
	case DDCI_OUTPUT_JSON:
		fputs(s->header ? ",\n" : "[\n", s->f);
		s->header = 1;
		rc = put_json(s->f, ev);
		break;
	case DDCI_OUTPUT_TABLE:
		if (!s->header) {
			fprintf(s->f, "%-8s%-9s%9s  %-22s%s\n", "STATUS", "LEVEL", "DURATION", "SERVICE", "TEST");
			s->header = 1;
		}
		table_row(s, ev);
		break;
	default:
		if ((rc = put_json(s->f, ev)) == 0)
			fputc('\n', s->f);
		break;
	}
	s->n++;
	return rc;
}

static int on_page(void *ctx, int page)
{
	struct sink *s = ctx;

	s->pages = page;
	if (s->progress) /* one line, rewritten: a terminal watches it grow */
		fprintf(s->progress, "\r%s: %" PRId64 " events, %d requests", s->prog, s->n, page);
	return fflush(s->f) == 0 && !ferror(s->f) ? 0 : print_failed();
}

static void on_notice(void *ctx, const char *msg)
{
	struct sink *s = ctx;
	ddci_print(stderr, "%s: %s\n", s->prog, msg);
}

static int finish_output(struct sink *s)
{
	if (s->format == DDCI_OUTPUT_JSON)
		fputs(s->header ? "\n]\n" : "[]\n", s->f);
	return fflush(s->f) == 0 && !ferror(s->f) ? 0 : print_failed();
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

/* Flags -> query; every check happens here, before anything is sent. */
static int build_query(struct ddci_testevents_query *q, const struct args *a)
{
	int64_t now = ddci_time_now_ns(), n;
	int rc;

	q->query = a->query;
	q->sort = a->sort;
	q->strict = a->strict;
	q->timezone = a->timezone;
	if ((rc = parse_time_ms(&q->from_ms, a->from, now, "--from")) < 0 ||
	    (rc = parse_time_ms(&q->to_ms, a->to, now, "--to")) < 0)
		return rc;
	q->limit = DDCI_TESTEVENTS_MAX_LIMIT;
	if (a->page_size) {
		if ((rc = ddci_parse_int64(&n, a->page_size, 1, DDCI_TESTEVENTS_MAX_LIMIT, "--page-size")) < 0)
			return rc;
		q->limit = (int)n;
	}
	if (a->limit && a->max_events)
		return ddci_error_set(DDCI_EUSAGE, "--limit and --max-events are the same: give one");
	if (a->limit && (rc = ddci_parse_int64(&q->max_events, a->limit, 1, INT64_MAX, "--limit")) < 0)
		return rc;
	if (a->max_events && (rc = ddci_parse_int64(&q->max_events, a->max_events, 1, INT64_MAX, "--max-events")) < 0)
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

static int run_events(struct ddci_client *client, const struct ddci_config *cfg,
		      const struct ddci_testevents_query *qp)
{
	const struct ddci_testevents_query q = *qp;
	struct ddci_testevents_result res;
	struct sink s = { cfg->output == DDCI_OUTPUT_TEXT ? DDCI_OUTPUT_NDJSON : cfg->output, stdout, 0, 0, cfg->prog,
			  isatty(STDERR_FILENO) && !isatty(STDOUT_FILENO) && !cfg->verbose ? stderr : NULL, 0 };
	struct ddci_testevents_sink sink = { on_event, on_page, on_notice, &s };
	char num[32];
	int rc;

	rc = ddci_testevents_fetch(&res, client, &q, &sink);
	if (s.progress && s.pages)
		fprintf(s.progress, "\r%*s\r", 60, "");
	if (rc == DDCI_DRY_RUN)
		return 0;
	if (rc < 0)
		return rc;
	if ((rc = finish_output(&s)) < 0)
		return rc;
	if (res.truncated)
		fprintf(stderr, "%s: stopped after %" PRId64 " event%s (--limit); more events match\n", cfg->prog,
			q.max_events, q.max_events == 1 ? "" : "s");
	if (res.partial)
		fprintf(stderr, "%s: warning: the result is partial (Datadog timed out on some pages)\n", cfg->prog);
	if (cfg->verbose)
		fprintf(stderr, "%s: %" PRId64 " event%s in %d request%s\n", cfg->prog, res.events,
			res.events == 1 ? "" : "s", client->requests, client->requests == 1 ? "" : "s");
	snprintf(num, sizeof(num), "%" PRId64, res.events);
	if ((rc = ddci_gh_output("events", num)) < 0)
		return rc;
	return ddci_gh_output("partial", res.partial ? "true" : "false");
}

/* ---- aggregate ---- */

struct agg_out {
	enum ddci_output format;
	const struct ddci_agg_request *req;
	struct ddci_table *table;
	char labels[DDCI_AGG_MAX_COMPUTES][96];
	int64_t n;
};

static int agg_labels_and_table(struct agg_out *o)
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

static void fmt_value(char *buf, size_t n, double v)
{
	/* range first: converting an out-of-range double is undefined */
	if (v > -1e15 && v < 1e15 && v == (double)(int64_t)v)
		snprintf(buf, n, "%" PRId64, (int64_t)v);
	else
		snprintf(buf, n, "%.4g", v);
}

static int agg_row(struct agg_out *o, const struct ddci_agg_bucket *b)
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
	struct agg_out *o = ctx;
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
		fputs(o->n ? ",\n" : "[\n", stdout);
	rc = put_json(stdout, obj);
	if (!rc && o->format != DDCI_OUTPUT_JSON)
		fputc('\n', stdout);
	cJSON_Delete(obj);
	o->n++;
	return rc;
}

static int build_agg(struct ddci_agg_request *r, const struct args *a)
{
	int64_t now = ddci_time_now_ns(), limit = 0, ms;
	int rc;

	if (a->sort || a->max_events || a->time_offset || a->page_size)
		return ddci_error_set(DDCI_EUSAGE, "%s is for list and search, not aggregate",
				      a->sort ? "--sort" : a->max_events ? "--max-events"
						 : a->page_size ? "--page-size" : "--time-offset");
	if (a->computes.n > DDCI_AGG_MAX_COMPUTES)
		return ddci_error_set(DDCI_EUSAGE, "too many --compute: at most %d", DDCI_AGG_MAX_COMPUTES);
	if (a->group_by.n > DDCI_AGG_MAX_GROUPS)
		return ddci_error_set(DDCI_EUSAGE, "too many --group-by: at most %d", DDCI_AGG_MAX_GROUPS);
	if (a->interval && (rc = ddci_duration_parse(&ms, a->interval, "--interval")) < 0)
		return rc;
	if (a->limit && (rc = ddci_parse_int64(&limit, a->limit, 1, 10000, "--limit")) < 0)
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

static int run_aggregate(struct ddci_client *client, const struct ddci_config *cfg, const struct ddci_agg_request *r,
			 int strict)
{
	struct agg_out o = { cfg->output == DDCI_OUTPUT_TEXT ? DDCI_OUTPUT_TABLE : cfg->output, r, NULL, { { 0 } }, 0 };
	struct ddci_agg_meta meta;
	int rc;

	if ((rc = agg_labels_and_table(&o)) < 0)
		return rc;
	rc = ddci_agg_run(&meta, client, r, on_bucket, &o);
	if (rc == DDCI_DRY_RUN)
		rc = 0;
	else if (rc == 0 && meta.warnings)
		ddci_print(stderr, "%s: warning: %s\n", cfg->prog, meta.warning);
	if (rc == 0 && meta.partial && strict)
		rc = ddci_error_set(DDCI_EUNAVAIL, "the result is partial: Datadog answered meta.status 'timeout' (--strict)");
	else if (rc == 0 && meta.partial)
		fprintf(stderr, "%s: warning: the result is partial: Datadog answered meta.status 'timeout'\n", cfg->prog);
	if (rc == 0 && cfg->dry_run != 1) {
		if (o.table)
			ddci_table_print(stdout, o.table);
		else if (o.format == DDCI_OUTPUT_JSON)
			fputs(o.n ? "\n]\n" : "[]\n", stdout);
		if (fflush(stdout) != 0 || ferror(stdout))
			rc = print_failed();
	}
	ddci_table_free(o.table);
	return rc;
}

int main(int argc, char **argv)
{
	struct ddci_config cfg = DDCI_CONFIG_INIT;
	struct ddci_client client;
	struct args a = { 0 };
	struct ddci_testevents_query q = DDCI_TESTEVENTS_QUERY_INIT;
	struct ddci_agg_request agg;
	const char *sub;
	int rc, first;

	ddci_client_init(&client, &cfg);
	rc = ddci_cli_parse(&first, &cmd, &cfg, &a, argc, argv);
	if (rc == 1) {
		rc = 0;
		goto done;
	}
	if (rc < 0 || (rc = ddci_cli_subcommand(&sub, &first, argc, argv, "list|search|aggregate")) < 0 ||
	    (rc = ddci_cli_no_more(first, argc, argv)) < 0)
		goto done;
	if (!strcmp(sub, "aggregate")) {
		memset(&agg, 0, sizeof(agg));
		if ((rc = build_agg(&agg, &a)) < 0 ||
		    (rc = ddci_config_finish(&cfg, DDCI_NEED_API_KEY | DDCI_NEED_APP_KEY)) < 0)
			goto done;
		ddci_cli_client(&client, &cfg);
		rc = run_aggregate(&client, &cfg, &agg, a.strict);
		goto done;
	}
	if (a.computes.n || a.group_by.n || a.interval) {
		rc = ddci_error_set(DDCI_EUSAGE, "%s is for 'aggregate' only",
				    a.computes.n ? "--compute" : a.group_by.n ? "--group-by" : "--interval");
		goto done;
	}
	if (!strcmp(sub, "list") && (a.timezone || a.time_offset)) {
		rc = ddci_error_set(DDCI_EUSAGE, "%s is for 'search' only", a.timezone ? "--timezone" : "--time-offset");
		goto done;
	}
	q.search = !strcmp(sub, "search");
	if ((rc = build_query(&q, &a)) < 0)
		goto done;
	if ((rc = ddci_config_finish(&cfg, DDCI_NEED_API_KEY | DDCI_NEED_APP_KEY)) < 0)
		goto done;
	ddci_cli_client(&client, &cfg);
	rc = run_events(&client, &cfg, &q);
done:
	rc = ddci_cli_finish(&cmd, &cfg, rc);
	ddci_client_release(&client);
	ddci_strv_release(&a.computes);
	ddci_strv_release(&a.group_by);
	ddci_config_release(&cfg);
	return rc;
}
