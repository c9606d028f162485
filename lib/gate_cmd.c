/* gate_cmd.c — a gate command from its flags to its exit status (see
 * ddci/gate_cmd.h). */
#include "ddci/gate_cmd.h"

#include <stdlib.h>
#include <string.h>

#include "ddci/client.h"
#include "ddci/config.h"
#include "ddci/gitmeta.h"
#include "ddci/timeutil.h"

/* How a gate's flags become its flow's options (usage errors and the
 * scope, nothing sent), and the flow. */
typedef int gate_prepare_fn(void *args, struct ddci_gitmeta *meta, const struct ddci_config *cfg);
typedef int gate_flow_fn(struct ddci_gate *g, struct ddci_client *c, const void *args);

/* The job of a gate command, once its keys are known: the report files
 * checked, the flags made the flow's options, the gate and its verdict. */
static int gate_run(gate_prepare_fn *prepare, gate_flow_fn *flow, void *args, struct ddci_report_opts *report,
		    struct ddci_client *c, const struct ddci_config *cfg)
{
	struct ddci_gitmeta meta = DDCI_GITMETA_INIT;
	struct ddci_gate gate;
	int rc;

	memset(&gate, 0, sizeof(gate));
	report->json = cfg->output == DDCI_OUTPUT_JSON;
	if ((rc = ddci_report_check(report)) == 0 && (rc = prepare(args, &meta, cfg)) == 0)
		rc = ddci_report_verdict(&gate, flow(&gate, c, args), report);
	ddci_gate_release(&gate);
	ddci_gitmeta_release(&meta);
	return rc;
}

static const char no_repository[] = "no repository: no origin remote and no CI variable names one; "
				    "pass --repository-id github.com/org/repo";

/* At least one threshold; the scope from the flags, else git and the CI;
 * for the change thresholds, the change's base resolved in the repository. */
static int flaky_prepare(void *args, struct ddci_gitmeta *meta, const struct ddci_config *cfg)
{
	struct ddci_flaky_gate_args *a = args;
	struct ddci_flaky_gate_opts *g = &a->g;
	int change = g->max_new >= 0 || g->fail_on_changed;
	int rc;

	if (g->max_active < 0 && g->max_failure_rate < 0 && !change && g->max_lost_ms < 0)
		return ddci_error_set(DDCI_EUSAGE, "no threshold given: pass at least one of --max-active, "
						   "--max-failure-rate, --max-new, --fail-on-changed, --max-lost-time");
	if (a->branch && a->all_branches)
		return ddci_error_set(DDCI_EUSAGE, "--branch and --all-branches cannot be combined");
	if ((rc = ddci_gitmeta_read(meta, cfg->repo_path, NULL, NULL, change ? DDCI_META_REPO : 0)) < 0)
		return rc;
	g->scope.repository_id = a->repo_id ? a->repo_id : meta->repository_id;
	if (!g->scope.repository_id)
		return ddci_error_set(DDCI_EUSAGE, "%s", no_repository);
	g->scope.branch = a->all_branches ? NULL : a->branch ? a->branch : meta->branch;
	g->scope.service = cfg->service;
	g->scope.env = cfg->env;
	if (!change)
		return 0;
	if ((rc = ddci_gate_resolve_base(a->base_sha, meta->repo, a->base, &meta->ci)) < 0)
		return rc;
	g->repo = meta->repo;
	g->base_sha = a->base_sha;
	return 0;
}

static int flaky_run(struct ddci_gate *g, struct ddci_client *c, const void *args)
{
	const struct ddci_flaky_gate_args *a = args;

	return ddci_gate_flaky(g, c, &a->g);
}

static int flaky_job(void *ctx, struct ddci_client *c, struct ddci_config *cfg)
{
	struct ddci_flaky_gate_args *a = ctx;

	return gate_run(flaky_prepare, flaky_run, a, &a->report, c, cfg);
}

int ddci_flaky_gate_main(const struct ddci_cmd *cmd, struct ddci_flaky_gate_args *a, FILE *out, int argc,
			 char **argv)
{
	static const struct ddci_cli_job job = { .need = DDCI_NEED_API_KEY | DDCI_NEED_APP_KEY, .run = flaky_job };

	a->report.out = out;
	return ddci_cli_main(cmd, a, &job, argc, argv);
}

/* The threshold; the window; the query: --query, else this repository's
 * test runs (--repository-id, else git and the CI) narrowed by service,
 * branch and env. */
static int failrate_prepare(void *args, struct ddci_gitmeta *meta, const struct ddci_config *cfg)
{
	struct ddci_failrate_gate_args *a = args;
	int64_t now = ddci_time_now_ns(), from, to;
	int rc;

	if (a->g.max_failure_rate < 0)
		return ddci_error_set(DDCI_EUSAGE, "missing --max-failure-rate PCT");
	if ((rc = ddci_time_parse(&from, a->from ? a->from : "now-7d", now, "--from")) < 0 ||
	    (rc = ddci_time_parse(&to, a->to ? a->to : "now", now, "--to")) < 0)
		return rc;
	if (from >= to)
		return ddci_error_set(DDCI_EUSAGE, "--from must be before --to");
	a->g.from_ms = from / 1000000;
	a->g.to_ms = to / 1000000;
	if (!a->query && !a->repo_id) {
		if ((rc = ddci_gitmeta_read(meta, cfg->repo_path, NULL, NULL, 0)) < 0)
			return rc;
		if (!meta->repository_id)
			return ddci_error_set(DDCI_EUSAGE, "%s or --query", no_repository);
	}
	if ((rc = ddci_gate_failrate_query(&a->query_made, a->query, a->repo_id ? a->repo_id : meta->repository_id,
					   cfg->service, a->branch, cfg->env)) < 0)
		return rc;
	a->g.query = a->query_made;
	a->g.chart = ddci_report_wants_charts(&a->report);
	return 0;
}

static int failrate_run(struct ddci_gate *g, struct ddci_client *c, const void *args)
{
	const struct ddci_failrate_gate_args *a = args;

	return ddci_gate_failrate(g, c, &a->g);
}

static int failrate_job(void *ctx, struct ddci_client *c, struct ddci_config *cfg)
{
	struct ddci_failrate_gate_args *a = ctx;

	return gate_run(failrate_prepare, failrate_run, a, &a->report, c, cfg);
}

static void failrate_release(void *ctx)
{
	struct ddci_failrate_gate_args *a = ctx;

	free(a->query_made);
	a->query_made = NULL;
}

int ddci_failrate_gate_main(const struct ddci_cmd *cmd, struct ddci_failrate_gate_args *a, FILE *out, int argc,
			    char **argv)
{
	static const struct ddci_cli_job job = { .need = DDCI_NEED_API_KEY | DDCI_NEED_APP_KEY, .run = failrate_job,
						 .release = failrate_release };

	a->report.out = out;
	return ddci_cli_main(cmd, a, &job, argc, argv);
}
