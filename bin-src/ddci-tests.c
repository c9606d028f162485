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

#include "ddci/cli.h"
#include "ddci/client.h"
#include "ddci/output.h"
#include "ddci/strv.h"
#include "ddci/tests_report.h"

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

static int on_opt(void *ctx, int key, const char *arg)
{
	struct ddci_tests_flags *a = ctx;

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

static int run_events(struct ddci_client *client, const struct ddci_config *cfg,
		      const struct ddci_testevents_query *q)
{
	struct ddci_testevents_result res;
	struct ddci_tests_out o = { .format = cfg->output == DDCI_OUTPUT_TEXT ? DDCI_OUTPUT_NDJSON : cfg->output,
				    .f = stdout, .f_name = "stdout", .notices = stderr, .prog = cfg->prog };
	char num[32];
	int rc;

	o.progress = isatty(STDERR_FILENO) && !isatty(STDOUT_FILENO) && !cfg->verbose ? stderr : NULL;
	rc = ddci_tests_events(&res, client, q, &o);
	if (rc == DDCI_DRY_RUN)
		return 0;
	if (rc < 0)
		return rc;
	if (res.truncated)
		fprintf(stderr, "%s: stopped after %" PRId64 " event%s (--limit); more events match\n", cfg->prog,
			q->max_events, q->max_events == 1 ? "" : "s");
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

static int run_aggregate(struct ddci_client *client, const struct ddci_config *cfg, const struct ddci_agg_request *r,
			 int strict)
{
	struct ddci_tests_out o = { .format = cfg->output == DDCI_OUTPUT_TEXT ? DDCI_OUTPUT_TABLE : cfg->output,
				    .f = stdout, .f_name = "stdout", .notices = stderr, .prog = cfg->prog };
	struct ddci_agg_meta meta;
	int rc;

	rc = ddci_tests_aggregate(&meta, client, r, &o);
	if (rc == DDCI_DRY_RUN)
		rc = 0;
	else if (rc == 0 && meta.warnings)
		ddci_print(stderr, "%s: warning: %s\n", cfg->prog, meta.warning);
	if (rc == 0 && meta.partial && strict)
		rc = ddci_error_set(DDCI_EUNAVAIL, "the result is partial: Datadog answered meta.status 'timeout' (--strict)");
	else if (rc == 0 && meta.partial)
		fprintf(stderr, "%s: warning: the result is partial: Datadog answered meta.status 'timeout'\n", cfg->prog);
	if (rc == 0 && cfg->dry_run != 1)
		rc = ddci_tests_agg_end(&o);
	ddci_tests_out_release(&o);
	return rc;
}

struct tests {
	struct ddci_tests_flags f; /* first: on_opt's */
	struct ddci_testevents_query q;
	struct ddci_agg_request agg;
	int aggregate;
};

/* list, search or aggregate, and the flags into its request. */
static int check(void *ctx, struct ddci_config *cfg, int first, int argc, char **argv)
{
	struct tests *t = ctx;
	const char *sub;
	int rc;

	(void)cfg;
	if ((rc = ddci_cli_subcommand(&sub, &first, argc, argv, "list|search|aggregate")) < 0 ||
	    (rc = ddci_cli_no_more(first, argc, argv)) < 0)
		return rc;
	if ((t->aggregate = !strcmp(sub, "aggregate")))
		return ddci_tests_agg_request(&t->agg, &t->f);
	if (t->f.computes.n || t->f.group_by.n || t->f.interval)
		return ddci_error_set(DDCI_EUSAGE, "%s is for 'aggregate' only",
				      t->f.computes.n ? "--compute" : t->f.group_by.n ? "--group-by" : "--interval");
	if (!strcmp(sub, "list") && (t->f.timezone || t->f.time_offset))
		return ddci_error_set(DDCI_EUSAGE, "%s is for 'search' only",
				      t->f.timezone ? "--timezone" : "--time-offset");
	t->q.search = !strcmp(sub, "search");
	return ddci_tests_events_query(&t->q, &t->f);
}

static int run(void *ctx, struct ddci_client *c, struct ddci_config *cfg)
{
	struct tests *t = ctx;

	return t->aggregate ? run_aggregate(c, cfg, &t->agg, t->f.strict) : run_events(c, cfg, &t->q);
}

static void release(void *ctx)
{
	ddci_tests_flags_release(&((struct tests *)ctx)->f);
}

int main(int argc, char **argv)
{
	static const struct ddci_cli_job job = { .need = DDCI_NEED_API_KEY | DDCI_NEED_APP_KEY, .check = check,
						 .run = run, .release = release };
	struct tests t = { .q = DDCI_TESTEVENTS_QUERY_INIT };

	return ddci_cli_main(&cmd, &t, &job, argc, argv);
}
