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

int main(int argc, char **argv)
{
	struct ddci_config cfg = DDCI_CONFIG_INIT;
	struct ddci_client client;
	struct ddci_deploy_job job = DDCI_DEPLOY_JOB_INIT;
	struct ddci_change_failure_result cf;
	struct args a = { 0 };
	int64_t now = ddci_time_now_ns();
	int rc;

	ddci_client_init(&client, &cfg);
	rc = ddci_cli_start(&cmd, &cfg, &a, argc, argv, DDCI_NEED_API_KEY);
	if (rc) {
		rc = rc == 1 ? 0 : rc;
		goto done;
	}
	if (a.remediates && (rc = ddci_config_require(&cfg, DDCI_NEED_APP_KEY)) < 0)
		goto done;
	ddci_cli_client(&client, &cfg);
	rc = ddci_deploy_send(&job, &client, &cfg, &a.ev, now);
	if (rc == 0)
		rc = ddci_deploy_print(stdout, cfg.output, &job);
	/* --remediates: the deployment just sent fixed an earlier one. */
	if (rc == 0 && a.remediates && !job.res.dry_run) {
		rc = ddci_deploy_remediate(&cf, &client, &job, a.remediates);
		if (rc == 0 && !cf.dry_run)
			ddci_print(stderr, "%s: marked %s as a change failure remediated by %s (%s)\n", cmd.name,
				   cf.deployment_id, job.res.id, cf.decision.why);
	}
done:
	ddci_deploy_job_release(&job);
	ddci_event_flags_release(&a.ev);
	return ddci_cli_end(&cmd, &cfg, &client, rc);
}
