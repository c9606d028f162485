/* ddci-flaky — search flaky tests; set their state (quarantine, disable, fixed, active).
 *
 * `list` streams every page of the flaky test search (one page in memory) as
 * a table, JSON or NDJSON; `set-state` PATCHes states in batches and reports
 * each test's result, exiting 4 when any update failed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddci/cli.h"
#include "ddci/client.h"
#include "ddci/flaky.h"
#include "ddci/flaky_report.h"
#include "ddci/strv.h"
#include "ddci/timeutil.h"

enum {
	O_BRANCH = 256, O_ALL_BRANCHES, O_CODEOWNER, O_QUERY, O_REPO_ID, O_SORT, O_STATE, O_LIMIT, O_PAGE_SIZE,
	O_FROM_JSON, O_BATCH, O_ALL_REPOS
};

static const struct ddci_opt opts[] = {
	{ "state", O_STATE, "STATE", NULL, NULL, "list: only this state; set-state: the new state (active, quarantined, disabled, fixed)" },
	{ "sort", O_SORT, "SORT", NULL, "fqn", "list order: [-]fqn, first_flaked, last_flaked, failure_rate, pipelines_failed, pipelines_duration_lost" },
	{ "limit", O_LIMIT, "N", NULL, "all", "list at most N tests" },
	{ "branch", O_BRANCH, "BRANCH", NULL, NULL, "only flaky tests seen on this branch" },
	{ "codeowner", O_CODEOWNER, "OWNER", NULL, NULL, "only tests owned by OWNER" },
	{ "query", O_QUERY, "QUERY", NULL, NULL, "more search terms" },
	{ "repository-id", O_REPO_ID, "ID", NULL, "origin", "repository (github.com/org/repo)" },
	{ "all-repositories", O_ALL_REPOS, NULL, NULL, NULL, "do not scope the search to this repository" },
	{ "page-size", O_PAGE_SIZE, "N", NULL, "100", "tests per request (1-1000)" },
	{ "from-json", O_FROM_JSON, "FILE", NULL, NULL, "set-state: ids from `list --output json` output ('-' = stdin)" },
	{ "batch-size", O_BATCH, "N", NULL, "100", "set-state: tests per PATCH (1-1000)" },
	{ NULL, 0, NULL, NULL, NULL, NULL },
};

struct args {
	struct ddci_flaky_scope scope;
	const char *state, *repo_id, *from_json;
	int64_t batch;
	int all_repos;
	const char *sub;       /* list or set-state */
	char **ids;            /* set-state's test ids (the arguments) */
	int nids;
	char *repo_owned;      /* the repository git or the CI named */
};

static int on_opt(void *ctx, int key, const char *arg)
{
	struct args *a = ctx;

	switch (key) {
	case O_STATE: a->state = arg; return ddci_flaky_check_state(arg, "--state");
	case O_SORT: a->scope.sort = arg; return ddci_flaky_check_sort(arg);
	case O_LIMIT: return ddci_parse_int64(&a->scope.max_tests, arg, 1, INT64_MAX / 2, "--limit");
	case O_BRANCH: a->scope.branch = arg; return 0;
	case O_CODEOWNER: a->scope.codeowner = arg; return 0;
	case O_QUERY: a->scope.query = arg; return 0;
	case O_REPO_ID: a->repo_id = arg; return 0;
	case O_ALL_REPOS: a->all_repos = 1; return 0;
	case O_PAGE_SIZE: return ddci_parse_int64(&a->scope.page_limit, arg, 1, DDCI_FLAKY_PAGE_MAX, "--page-size");
	case O_FROM_JSON: a->from_json = arg; return 0;
	case O_BATCH: return ddci_parse_int64(&a->batch, arg, 1, 1000, "--batch-size");
	}
	return ddci_error_set(DDCI_EUSAGE, "unknown option");
}

static const struct ddci_cmd cmd = {
	.name = "ddci-flaky",
	.synopsis = "list [OPTIONS] | set-state --state STATE (ID... | --from-json FILE) [OPTIONS]",
	.description =
		"Preview: Datadog's Flaky Test Management endpoints are in preview and may change.\n"
		"list: every flaky test of this repository (POST /api/v2/test/flaky-test-management/tests,\n"
		"all pages, streamed) as a table, JSON array or NDJSON.\n"
		"set-state: PATCH the same path in batches; prints each test's result and exits 4\n"
		"when any test could not be updated. --dry-run prints the batches.",
	.opts = opts,
	.groups = DDCI_CLI_NET | DDCI_CLI_SERVICE | DDCI_CLI_GIT | DDCI_CLI_OUTPUT,
	.outputs = "text|json|ndjson",
	.examples = "  ddci-flaky list --state active --sort -failure_rate\n"
		    "  ddci-flaky set-state --state quarantined 4eb1887a8adb1847 9f0c2d1e3b4a5c6d\n"
		    "  ddci-flaky list --state active --output json | ddci-flaky set-state --state quarantined --from-json -\n",
	.on_opt = on_opt,
};

static int cmd_list(struct ddci_client *c, struct args *a, const struct ddci_config *cfg)
{
	struct ddci_flaky_out o = { .format = cfg->output, .f = stdout };
	struct ddci_flaky_stats st;
	int rc;

	a->scope.state = a->state;
	rc = ddci_flaky_list_write(&st, c, &a->scope, &o);
	if (rc == 0 && cfg->output == DDCI_OUTPUT_TEXT)
		fprintf(stderr, "%lld flaky test%s (%d page%s)\n", (long long)st.tests, st.tests == 1 ? "" : "s",
			st.pages, st.pages == 1 ? "" : "s");
	return rc;
}

static int cmd_set_state(struct ddci_client *c, struct args *a, const struct ddci_config *cfg)
{
	struct ddci_flaky_out o = { .format = cfg->output, .f = stdout, .notices = stderr, .prog = cfg->prog };
	struct ddci_strv ids = DDCI_STRV_INIT;
	struct ddci_flaky_update_result res;
	int rc;

	if (!a->state) {
		rc = ddci_error_set(DDCI_EUSAGE, "set-state needs --state active|quarantined|disabled|fixed");
		goto done;
	}
	for (int i = 0; i < a->nids; i++)
		if ((rc = ddci_strv_push(&ids, a->ids[i])) < 0)
			goto done;
	if (a->from_json && (rc = ddci_flaky_ids_from_json(&ids, a->from_json, stdin)) < 0)
		goto done;
	if (!ids.n) {
		rc = ddci_error_set(DDCI_EUSAGE, "set-state needs test ids (arguments or --from-json FILE)");
		goto done;
	}
	rc = ddci_flaky_set_state_write(&res, c, (const char *const *)ids.v, ids.n, a->state, (size_t)a->batch, &o);
	if (rc < 0 || res.dry_run)
		goto done;
	if (cfg->output != DDCI_OUTPUT_JSON)
		fprintf(stderr, "%lld set to %s, %lld failed (%d batch%s)\n", (long long)res.succeeded, a->state,
			(long long)res.failed, res.batches, res.batches == 1 ? "" : "es");
	if (res.failed)
		rc = ddci_error_set(DDCI_EREJECT, "%lld of %zu flaky tests could not be set to %s", (long long)res.failed,
				    ids.n, a->state);
done:
	ddci_strv_release(&ids);
	return rc;
}

/* list or set-state; the arguments stay for set-state (list refuses them
 * once the keys are known). */
static int check(void *ctx, struct ddci_config *cfg, int first, int argc, char **argv)
{
	struct args *a = ctx;
	int rc;

	(void)cfg;
	if ((rc = ddci_cli_subcommand(&a->sub, &first, argc, argv, "list|set-state")) < 0)
		return rc;
	a->ids = argv + first;
	a->nids = argc - first;
	return 0;
}

/* list: this repository's (--repository-id, else git and the CI) or every
 * repository's flaky tests. */
static int list(struct ddci_client *c, struct args *a, const struct ddci_config *cfg)
{
	int rc;

	if ((rc = ddci_cli_no_more(0, a->nids, a->ids)) < 0)
		return rc;
	if ((rc = ddci_flaky_list_repo(&a->scope.repository_id, &a->repo_owned, cfg->repo_path, a->repo_id,
					a->all_repos)) < 0)
		return rc;
	a->scope.service = cfg->service;
	a->scope.env = cfg->env;
	return cmd_list(c, a, cfg);
}

static int run(void *ctx, struct ddci_client *c, struct ddci_config *cfg)
{
	struct args *a = ctx;
	int rc = !strcmp(a->sub, "list") ? list(c, a, cfg) : cmd_set_state(c, a, cfg);

	return rc == DDCI_DRY_RUN ? 0 : rc;
}

static void release(void *ctx)
{
	free(((struct args *)ctx)->repo_owned);
}

int main(int argc, char **argv)
{
	static const struct ddci_cli_job job = { .need = DDCI_NEED_API_KEY | DDCI_NEED_APP_KEY, .check = check,
						 .run = run, .release = release };
	struct args a = { 0 };

	return ddci_cli_main(&cmd, &a, &job, argc, argv);
}
