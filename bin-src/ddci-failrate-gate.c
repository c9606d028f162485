/* ddci-failrate-gate — fail the job when the test failure rate is above a threshold.
 *
 * Counts test runs by @test.status with the CI Visibility tests aggregate
 * endpoint (skipped runs excluded): failure rate = failed / (passed + failed),
 * overall or per --group-by facet, over --from..--to. */
#include <stdint.h>
#include <stdio.h>

#include "ddci/cli.h"
#include "ddci/gate_cmd.h"
#include "ddci/timeutil.h"

enum {
	O_MAX_RATE = 256, O_FROM, O_TO, O_QUERY, O_BRANCH, O_GROUP_BY, O_GROUP_LIMIT, O_MIN_RUNS, O_REQUIRE_DATA,
	O_TREND, O_INTERVAL, O_REPO_ID, O_MARKDOWN, O_JUNIT, O_HTML, O_ALLOW_PARTIAL
};

static const struct ddci_opt opts[] = {
	{ "max-failure-rate", O_MAX_RATE, "PCT", NULL, NULL, "fail when failed / (passed + failed) is above PCT% (required)" },
	{ "from", O_FROM, "TIME", NULL, "now-7d", "start of the window" },
	{ "to", O_TO, "TIME", NULL, "now", "end of the window" },
	{ "query", O_QUERY, "QUERY", NULL, "this repository", "test events to count (CI Visibility search syntax)" },
	{ "branch", O_BRANCH, "BRANCH", NULL, NULL, "only runs on this branch" },
	{ "group-by", O_GROUP_BY, "FACET", NULL, NULL, "apply the threshold per group (@test.suite, @test.service, ...)" },
	{ "group-limit", O_GROUP_LIMIT, "N", NULL, "10000, the API's most",
	  "most groups judged with --group-by; more exits 2 (the gate judges every group or none)" },
	{ "min-runs", O_MIN_RUNS, "N", NULL, "0", "fewer runs than N is not enough data to judge" },
	{ "require-data", O_REQUIRE_DATA, NULL, NULL, NULL, "fail when there is not enough data (default: pass)" },
	{ "allow-partial", O_ALLOW_PARTIAL, NULL, NULL, NULL,
	  "judge partial results (Datadog timed out) instead of exiting 3" },
	{ "trend", O_TREND, NULL, NULL, NULL, "also show the rate over time as a sparkline" },
	{ "interval", O_INTERVAL, "INTERVAL", NULL, "from the window", "trend bucket size (1h, 6h, 1d, ...)" },
	{ "repository-id", O_REPO_ID, "ID", NULL, "origin", "repository (github.com/org/repo)" },
	{ "markdown", O_MARKDOWN, "FILE", NULL, NULL, "write a Markdown report with charts (Mermaid)" },
	{ "junit", O_JUNIT, "FILE", NULL, NULL, "write a JUnit XML report (one testcase per threshold)" },
	{ "html", O_HTML, "FILE", NULL, NULL, "write a self-contained HTML report with charts" },
	{ NULL, 0, NULL, NULL, NULL, NULL },
};

static int on_opt(void *ctx, int key, const char *arg)
{
	struct ddci_failrate_gate_args *a = ctx;
	int64_t ms;
	int rc;

	switch (key) {
	case O_MAX_RATE: return ddci_parse_pct(&a->g.max_failure_rate, arg, "--max-failure-rate");
	case O_FROM: a->from = arg; return 0;
	case O_TO: a->to = arg; return 0;
	case O_QUERY: a->query = arg; return 0;
	case O_BRANCH: a->branch = arg; return 0;
	case O_GROUP_BY:
		if (!*arg)
			return ddci_error_set(DDCI_EUSAGE, "invalid --group-by '': expected a facet such as @test.suite");
		a->g.group_by = arg;
		return 0;
	case O_GROUP_LIMIT: return ddci_parse_int64(&a->g.group_limit, arg, 1, DDCI_GATE_GROUP_MAX, "--group-limit");
	case O_MIN_RUNS: return ddci_parse_int64(&a->g.min_runs, arg, 0, INT64_MAX / 2, "--min-runs");
	case O_REQUIRE_DATA: a->g.require_data = 1; return 0;
	case O_ALLOW_PARTIAL: a->g.allow_partial = 1; return 0;
	case O_TREND: a->g.trend = 1; return 0;
	case O_INTERVAL:
		if ((rc = ddci_duration_parse(&ms, arg, "--interval")) < 0)
			return rc;
		if (ms < 60000)
			return ddci_error_set(DDCI_EUSAGE, "invalid --interval '%s': at least 1m", arg);
		a->g.interval = arg;
		return 0;
	case O_REPO_ID: a->repo_id = arg; return 0;
	case O_MARKDOWN: a->report.markdown_path = arg; return 0;
	case O_JUNIT: a->report.junit_path = arg; return 0;
	case O_HTML: a->report.html_path = arg; return 0;
	}
	return ddci_error_set(DDCI_EUSAGE, "unknown option");
}

static const struct ddci_cmd cmd = {
	.name = "ddci-failrate-gate",
	.synopsis = "--max-failure-rate PCT [--from TIME] [--group-by FACET] [--trend] [OPTIONS]",
	.description =
		"Counts this repository's test runs by @test.status with POST\n"
		"/api/v2/ci/tests/analytics/aggregate and fails (exit 1) when failed /\n"
		"(passed + failed) is above --max-failure-rate (skipped runs do not count;\n"
		"exactly at the threshold passes). With --group-by the threshold applies to\n"
		"each group. Fewer than --min-runs runs is \"not enough data\": the gate passes,\n"
		"or fails with --require-data. Fails closed: exit 3 or 4 when Datadog cannot be\n"
		"read, answers partial results (unless --allow-partial) or counts that are not\n"
		"finite non-negative integers, unless --fail-open.\n"
		"--markdown, --html and the GitHub step summary chart the failure rate over\n"
		"the window with the threshold line (one more aggregate request, a\n"
		"timeseries; if only that one fails, the report says so and the verdict\n"
		"stands) and, with --group-by, the rate per group.",
	.opts = opts,
	.groups = DDCI_CLI_NET | DDCI_CLI_SERVICE | DDCI_CLI_GIT | DDCI_CLI_OUTPUT | DDCI_CLI_GATE,
	.examples = "  ddci-failrate-gate --max-failure-rate 2 --min-runs 100\n"
		    "  ddci-failrate-gate --max-failure-rate 5 --group-by @test.suite --trend --junit rate.xml\n"
		    "  ddci-failrate-gate --max-failure-rate 1 --query '@test.service:shop env:ci' --from now-1d\n"
		    "  ddci-failrate-gate --max-failure-rate 5 --markdown rate.md --html rate.html\n",
	.on_opt = on_opt,
};

int main(int argc, char **argv)
{
	struct ddci_failrate_gate_args a = DDCI_FAILRATE_GATE_ARGS_INIT;

	return ddci_failrate_gate_main(&cmd, &a, stdout, argc, argv);
}
