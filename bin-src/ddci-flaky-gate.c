/* ddci-flaky-gate — fail the job when flaky-test thresholds are exceeded.
 *
 * Reads every flaky test of this repository (and branch, service, env,
 * codeowner, query) from Test Optimization, page by page, and checks each
 * threshold given; with --max-new and --fail-on-changed it looks at this
 * change only: the commits and files of merge-base(--base, HEAD)..HEAD. */
#include <stdint.h>
#include <stdio.h>

#include "ddci/cli.h"
#include "ddci/gate_cmd.h"
#include "ddci/timeutil.h"

enum {
	O_BRANCH = 256, O_ALL_BRANCHES, O_CODEOWNER, O_QUERY, O_REPO_ID, O_MAX_ACTIVE, O_MAX_RATE, O_MAX_NEW,
	O_FAIL_CHANGED, O_MAX_LOST, O_INCLUDE_Q, O_BASE, O_MARKDOWN, O_JUNIT, O_PAGE_SIZE, O_HTML
};

static const struct ddci_opt opts[] = {
	{ "max-active", O_MAX_ACTIVE, "N", NULL, NULL, "fail when more than N flaky tests are active in scope" },
	{ "max-failure-rate", O_MAX_RATE, "PCT", NULL, NULL, "fail when a flaky test fails more than PCT% of its runs" },
	{ "max-new", O_MAX_NEW, "N", NULL, NULL, "fail when more than N flaky tests first flaked in this change" },
	{ "fail-on-changed", O_FAIL_CHANGED, NULL, NULL, NULL, "fail when a flaky test's source file is changed here" },
	{ "max-lost-time", O_MAX_LOST, "DURATION", NULL, NULL, "fail when flaky tests cost pipelines more than this" },
	{ "include-quarantined", O_INCLUDE_Q, NULL, NULL, NULL, "count quarantined and disabled tests too" },
	{ "base", O_BASE, "REV", NULL, "PR target branch", "base of the change for --max-new / --fail-on-changed" },
	{ "branch", O_BRANCH, "BRANCH", NULL, "current", "only flaky tests seen on this branch" },
	{ "all-branches", O_ALL_BRANCHES, NULL, NULL, NULL, "flaky tests of every branch" },
	{ "codeowner", O_CODEOWNER, "OWNER", NULL, NULL, "only tests owned by OWNER (@team)" },
	{ "query", O_QUERY, "QUERY", NULL, NULL, "more search terms (flaky_test_category:..., @test.suite:...)" },
	{ "repository-id", O_REPO_ID, "ID", NULL, "origin", "repository (github.com/org/repo)" },
	{ "markdown", O_MARKDOWN, "FILE", NULL, NULL, "write a Markdown report with charts (Mermaid)" },
	{ "junit", O_JUNIT, "FILE", NULL, NULL, "write a JUnit XML report (one testcase per threshold)" },
	{ "html", O_HTML, "FILE", NULL, NULL, "write a self-contained HTML report with charts" },
	{ "page-size", O_PAGE_SIZE, "N", NULL, "100", "flaky tests per request (1-1000)" },
	{ NULL, 0, NULL, NULL, NULL, NULL },
};

static int on_opt(void *ctx, int key, const char *arg)
{
	struct ddci_flaky_gate_args *a = ctx;

	switch (key) {
	case O_MAX_ACTIVE: return ddci_parse_int64(&a->g.max_active, arg, 0, INT64_MAX / 2, "--max-active");
	case O_MAX_RATE: return ddci_parse_pct(&a->g.max_failure_rate, arg, "--max-failure-rate");
	case O_MAX_NEW: return ddci_parse_int64(&a->g.max_new, arg, 0, INT64_MAX / 2, "--max-new");
	case O_FAIL_CHANGED: a->g.fail_on_changed = 1; return 0;
	case O_MAX_LOST: return ddci_duration_parse(&a->g.max_lost_ms, arg, "--max-lost-time");
	case O_INCLUDE_Q: a->g.include_quarantined = 1; return 0;
	case O_BASE: a->base = arg; return 0;
	case O_BRANCH: a->branch = arg; return 0;
	case O_ALL_BRANCHES: a->all_branches = 1; return 0;
	case O_CODEOWNER: a->g.scope.codeowner = arg; return 0;
	case O_QUERY: a->g.scope.query = arg; return 0;
	case O_REPO_ID: a->repo_id = arg; return 0;
	case O_MARKDOWN: a->report.markdown_path = arg; return 0;
	case O_JUNIT: a->report.junit_path = arg; return 0;
	case O_HTML: a->report.html_path = arg; return 0;
	case O_PAGE_SIZE: return ddci_parse_int64(&a->g.scope.page_limit, arg, 1, DDCI_FLAKY_PAGE_MAX, "--page-size");
	}
	return ddci_error_set(DDCI_EUSAGE, "unknown option");
}

static const struct ddci_cmd cmd = {
	.name = "ddci-flaky-gate",
	.synopsis = "[--max-active N] [--max-failure-rate PCT] [--max-new N] [--fail-on-changed] "
		    "[--max-lost-time DURATION] [OPTIONS]",
	.description =
		"Preview: Datadog's Flaky Test Management endpoint is in preview and may change.\n"
		"Reads every page of POST /api/v2/test/flaky-test-management/tests for this\n"
		"repository (from the origin remote) and branch, and fails (exit 1) when a\n"
		"threshold is exceeded; exactly at a threshold passes. Quarantined and disabled\n"
		"tests count only with --include-quarantined; fixed tests never count.\n"
		"--max-new and --fail-on-changed look at merge-base(--base, HEAD)..HEAD; --base\n"
		"defaults to the PR target branch named by the CI (GITHUB_BASE_REF,\n"
		"CI_MERGE_REQUEST_TARGET_BRANCH_NAME, CHANGE_TARGET, ...).\n"
		"Fails closed: exit 3 or 4 when Datadog cannot be read, unless --fail-open.\n"
		"--markdown, --html and the GitHub step summary chart the top flaky tests by\n"
		"failure rate (with the --max-failure-rate line) and by time lost, and how\n"
		"many active flaky tests first flaked in each of the last 8 weeks.",
	.opts = opts,
	.groups = DDCI_CLI_NET | DDCI_CLI_SERVICE | DDCI_CLI_GIT | DDCI_CLI_OUTPUT | DDCI_CLI_GATE,
	.examples = "  ddci-flaky-gate --max-active 0\n"
		    "  ddci-flaky-gate --max-new 0 --fail-on-changed --base main --junit flaky.xml\n"
		    "  ddci-flaky-gate --max-failure-rate 20 --max-lost-time 2h --markdown flaky.md --html flaky.html\n",
	.on_opt = on_opt,
};

int main(int argc, char **argv)
{
	struct ddci_flaky_gate_args a = DDCI_FLAKY_GATE_ARGS_INIT;

	return ddci_flaky_gate_main(&cmd, &a, stdout, argc, argv);
}
