/* ddci-deploy — send a DORA deployment event for the current commit.
 *
 * The commit and repository come from git (or the CI's variables); the id is
 * derived from service, env, commit and the CI job's identity (or an
 * absolute start time), so a retried or re-run step updates the same
 * deployment instead of creating a second one. */
#include <stdio.h>
#include <string.h>

#include "ddci/cli.h"
#include "ddci/dora.h"
#include "ddci/dora_event.h"
#include "ddci/output.h"
#include "ddci/timeutil.h"

enum { O_REMEDIATES = 256 };

static const struct ddci_opt opts[] = {
	DDCI_EVENT_OPTS_TIMES("DDCI_JOB_STARTED_AT", "the CI job's start", "when the deployment started", "now",
			      "when the deployment finished"),
	DDCI_EVENT_OPTS_SOURCE("team owning the service", "deployment id (16-128 of A-Z a-z 0-9 - _ . :)",
			       "commit deployed"),
	{ "remediates", O_REMEDIATES, "auto|ID", NULL, NULL,
	  "mark ID (auto: the previous deployment of service/env) as a change failure fixed by this one" },
	{ NULL, 0, NULL, NULL, NULL, NULL },
};

struct args {
	struct ddci_event_flags ev;
	const char *remediates;
	struct ddci_deploy_job job;
	int64_t now;
};

static int on_opt(void *ctx, int key, const char *arg)
{
	struct args *a = ctx;

	if (key != O_REMEDIATES)
		return ddci_event_flag(&a->ev, key, arg);
	/* checked before anything is sent: a bad id must not follow a sent deployment */
	if (strcmp(arg, "auto") != 0 && ddci_dora_check_ref(arg, "--remediates") < 0)
		return DDCI_EUSAGE;
	a->remediates = arg;
	return 0;
}

static const struct ddci_cmd cmd = {
	.name = "ddci-deploy",
	.synopsis = "--service NAME [--env ENV] [--started-at TIME] [OPTIONS]",
	.description =
		"Sends POST /api/v2/dora/deployment with the HEAD commit and the origin URL\n"
		"(credentials removed) read with libgit2, or the CI's variables when there is\n"
		"no repository. The id is derived from service, env, commit and the CI job's\n"
		"identity (GitHub run and job, GitLab pipeline and job name, Jenkins BUILD_TAG,\n"
		"...), else the start time when it is absolute, never a relative one such as\n"
		"now-5m: re-running or retrying the step never creates a second deployment.\n"
		"--started-at defaults to DDCI_JOB_STARTED_AT, else the CI's own job start\n"
		"(GitLab, Buildkite, Azure Pipelines, CodeBuild). Prints the id.\n"
		"--remediates failing after the deployment was sent exits 3 or 4 (never 2),\n"
		"and says how to finish with ddci-change-failure.",
	.opts = opts,
	.groups = DDCI_CLI_NET | DDCI_CLI_SERVICE | DDCI_CLI_GIT | DDCI_CLI_OUTPUT | DDCI_CLI_SPOOL |
		  DDCI_CLI_REPORTER,
	.examples = "  ddci-deploy --service shop --env prod --started-at \"$DDCI_JOB_STARTED_AT\"\n"
		    "  ddci-deploy --service shop --env prod --started-at now-5m --tag region:eu\n"
		    "  ddci-deploy --service shop --started-at 1700000000 --dry-run\n",
	.on_opt = on_opt,
};

static int run(void *ctx, struct ddci_client *c, struct ddci_config *cfg)
{
	struct args *a = ctx;
	struct ddci_change_failure_result cf;
	int rc;

	if (a->remediates && (rc = ddci_config_require(cfg, DDCI_NEED_APP_KEY)) < 0)
		return rc;
	rc = ddci_deploy_send(&a->job, c, cfg, &a->ev, a->now);
	if (rc == 0)
		rc = ddci_deploy_print(stdout, cfg->output, &a->job);
	/* --remediates: the deployment just sent fixed an earlier one. */
	if (rc == 0 && a->remediates && !a->job.res.dry_run) {
		rc = ddci_deploy_remediate(&cf, c, &a->job, a->remediates);
		if (rc == 0 && !cf.dry_run)
			ddci_print(stderr, "%s: marked %s as a change failure remediated by %s (%s)\n", cmd.name,
				   cf.deployment_id, a->job.res.id, cf.decision.why);
	}
	return rc;
}

static void release(void *ctx)
{
	struct args *a = ctx;

	ddci_deploy_job_release(&a->job);
	ddci_event_flags_release(&a->ev);
}

int main(int argc, char **argv)
{
	static const struct ddci_cli_job job = { .need = DDCI_NEED_API_KEY, .run = run, .release = release };
	struct args a = { .job = DDCI_DEPLOY_JOB_INIT, .now = ddci_time_now_ns() };

	return ddci_cli_main(&cmd, &a, &job, argc, argv);
}
