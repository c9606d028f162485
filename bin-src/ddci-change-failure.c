/* ddci-change-failure — mark a deployment as a change failure (or clear it)
 * and link the deployment that remediated it.
 *
 * The failed deployment is given by id, as the latest of a service/env, or
 * by its commit; the remediation by id or as the deployment of HEAD.  Its
 * type (rollback or rollforward) is read from git history unless given. */
#include <stdio.h>
#include <string.h>

#include "ddci/cli.h"
#include "ddci/dora.h"
#include "ddci/dora_event.h"
#include "ddci/remediation.h"

enum { O_DEP_ID = 256, O_LAST, O_COMMIT, O_REM_ID, O_REM_CURRENT, O_REM_TYPE, O_CLEAR, O_COMMIT_SHA };

static const struct ddci_opt opts[] = {
	{ "deployment-id", O_DEP_ID, "ID", NULL, NULL, "the deployment that failed" },
	{ "last", O_LAST, NULL, NULL, NULL, "the failed deployment is the latest of --service/--env" },
	{ "commit", O_COMMIT, "REV", NULL, NULL, "the failed deployment is the latest of this commit (sha, short sha, ref)" },
	{ "remediation-id", O_REM_ID, "ID", NULL, NULL, "the deployment that fixed it" },
	{ "remediated-by-current", O_REM_CURRENT, NULL, NULL, NULL,
	  "the fix is the latest deployment of HEAD (same service/env)" },
	{ "remediation-type", O_REM_TYPE, "TYPE", NULL, "auto", "rollback, rollforward or auto (from git history)" },
	{ "clear", O_CLEAR, NULL, NULL, NULL, "mark the deployment as not a change failure" },
	{ "commit-sha", O_COMMIT_SHA, "SHA", NULL, "HEAD", "the current commit, for --remediated-by-current" },
	{ NULL, 0, NULL, NULL, NULL, NULL },
};

struct args {
	struct ddci_change_failure cf;
	const char *commit_sha;
};

static int on_opt(void *ctx, int key, const char *arg)
{
	struct args *a = ctx;

	switch (key) {
	case O_DEP_ID:
		if (ddci_dora_check_ref(arg, "--deployment-id") < 0)
			return DDCI_EUSAGE;
		a->cf.deployment_id = arg;
		return 0;
	case O_LAST: a->cf.last = 1; return 0;
	case O_COMMIT: a->cf.commit = arg; return 0;
	case O_REM_ID:
		if (ddci_dora_check_ref(arg, "--remediation-id") < 0)
			return DDCI_EUSAGE;
		a->cf.remediation_id = arg;
		return 0;
	case O_REM_CURRENT: a->cf.remediated_by_current = 1; return 0;
	case O_REM_TYPE: return ddci_remediation_type_parse(&a->cf.type, arg, "--remediation-type");
	case O_CLEAR: a->cf.clear = 1; return 0;
	case O_COMMIT_SHA: a->commit_sha = arg; return 0;
	}
	return ddci_error_set(DDCI_EUSAGE, "unknown option");
}

static const struct ddci_cmd cmd = {
	.name = "ddci-change-failure",
	.synopsis = "(--deployment-id ID | --last --service S [--env E] | --commit REV)\n"
		    "       [--remediation-id ID | --remediated-by-current] [--remediation-type TYPE] [--clear]",
	.description =
		"Sends PATCH /api/v2/dora/deployments/{id} with change_failure true (false\n"
		"with --clear) and the remediation: the deployment that fixed it and whether\n"
		"it rolled back or forward. With both commits known the type is read from\n"
		"git: the fix deploys an ancestor of the failed commit -> rollback; it\n"
		"descends from it -> rollforward. --remediated-by-current uses the latest\n"
		"deployment of HEAD's commit for the same service/env (run ddci-deploy first).\n"
		"Needs the application key.",
	.opts = opts,
	.groups = DDCI_CLI_NET | DDCI_CLI_SERVICE | DDCI_CLI_GIT | DDCI_CLI_OUTPUT | DDCI_CLI_REPORTER,
	.examples = "  ddci-change-failure --deployment-id \"$FAILED\" --remediation-id \"$FIX\"\n"
		    "  ddci-change-failure --last --service shop --env prod --remediated-by-current\n"
		    "  ddci-change-failure --commit v2.3.0 --service shop --remediation-id \"$FIX\" --remediation-type rollback\n"
		    "  ddci-change-failure --deployment-id \"$ID\" --clear\n",
	.on_opt = on_opt,
};

static int run(void *ctx, struct ddci_client *c, struct ddci_config *cfg)
{
	struct args *a = ctx;
	struct ddci_change_failure_result res;
	int rc;

	a->cf.service = cfg->service;
	a->cf.env = cfg->env;
	rc = ddci_change_failure_run(&res, c, &a->cf, cfg->repo_path, a->commit_sha);
	if (rc == 0)
		rc = ddci_change_failure_print(stdout, cfg->output, &a->cf, &res);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct ddci_cli_job job = { .need = DDCI_NEED_API_KEY | DDCI_NEED_APP_KEY, .run = run };
	struct args a;

	memset(&a, 0, sizeof(a));
	return ddci_cli_main(&cmd, &a, &job, argc, argv);
}
