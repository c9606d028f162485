/* ddci-deploy — send a DORA deployment event for the current commit.
 *
 * The commit and repository come from git (or the CI's variables); the id is
 * derived from service, env, commit and the CI job's identity (or an
 * absolute start time), so a retried or re-run step updates the same
 * deployment instead of creating a second one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddci/cli.h"
#include "ddci/client.h"
#include "ddci/dora.h"
#include "ddci/gitmeta.h"
#include "ddci/json.h"
#include "ddci/output.h"
#include "ddci/remediation.h"
#include "ddci/strv.h"
#include "ddci/timeutil.h"

enum { O_STARTED = 256, O_FINISHED, O_TEAM, O_TAG, O_ID, O_COMMIT, O_REPO_URL, O_NO_GIT, O_REMEDIATES };

static const struct ddci_opt opts[] = {
	{ "started-at", O_STARTED, "TIME", "DDCI_JOB_STARTED_AT", "the CI job's start",
	  "when the deployment started" },
	{ "finished-at", O_FINISHED, "TIME", NULL, "now", "when the deployment finished" },
	{ "team", O_TEAM, "TEAM", NULL, NULL, "team owning the service" },
	{ "tag", O_TAG, "KEY:VALUE", NULL, NULL, "custom tag (repeatable, at most 100)" },
	{ "id", O_ID, "ID", NULL, "derived", "deployment id (16-128 of A-Z a-z 0-9 - _ . :)" },
	{ "commit-sha", O_COMMIT, "SHA", NULL, "HEAD", "commit deployed" },
	{ "repository-url", O_REPO_URL, "URL", NULL, "origin", "repository URL (credentials are removed)" },
	{ "no-git", O_NO_GIT, NULL, NULL, NULL, "send no git information" },
	{ "remediates", O_REMEDIATES, "auto|ID", NULL, NULL,
	  "mark ID (auto: the previous deployment of service/env) as a change failure fixed by this one" },
	{ NULL, 0, NULL, NULL, NULL, NULL },
};

struct args {
	const char *started, *finished, *team, *id, *commit, *repo_url, *remediates;
	struct ddci_strv tags;
	int no_git;
};

static int on_opt(void *ctx, int key, const char *arg)
{
	struct args *a = ctx;

	switch (key) {
	case O_STARTED: a->started = arg; return 0;
	case O_FINISHED: a->finished = arg; return 0;
	case O_TEAM: a->team = arg; return 0;
	case O_TAG: return ddci_strv_push(&a->tags, arg);
	case O_ID: a->id = arg; return 0;
	case O_COMMIT: a->commit = arg; return 0;
	case O_REPO_URL: a->repo_url = arg; return 0;
	case O_NO_GIT: a->no_git = 1; return 0;
	case O_REMEDIATES:
		/* checked before anything is sent: a bad id must not follow a sent deployment */
		if (strcmp(arg, "auto") != 0 && ddci_dora_check_ref(arg, "--remediates") < 0)
			return DDCI_EUSAGE;
		a->remediates = arg;
		return 0;
	}
	return ddci_error_set(DDCI_EUSAGE, "unknown option");
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

static int print_result(const struct ddci_config *cfg, const struct ddci_deployment *d,
			const struct ddci_dora_result *res, const char *source)
{
	cJSON *o;
	int rc;

	if (res->dry_run)
		return 0;
	if (cfg->output == DDCI_OUTPUT_JSON) {
		o = cJSON_CreateObject();
		if (!o || ddci_json_add_str(o, "deployment_id", res->id) < 0 ||
		    ddci_json_add_str(o, "service", d->service) < 0 || ddci_json_add_str(o, "env", d->env) < 0 ||
		    ddci_json_add_str(o, "commit_sha", d->commit_sha) < 0 ||
		    ddci_json_add_str(o, "repository_url", d->repository_url) < 0 ||
		    ddci_json_add_str(o, "git_source", source) < 0 ||
		    ddci_json_add_int64(o, "started_at", d->started_ns) < 0 ||
		    ddci_json_add_int64(o, "finished_at", d->finished_ns) < 0) {
			cJSON_Delete(o);
			return ddci_error_oom();
		}
		rc = ddci_print_json(stdout, o, 1);
		cJSON_Delete(o);
		if (rc < 0)
			return rc;
	} else {
		ddci_print(stdout, "%s\n", res->id);
	}
	return ddci_gh_output("deployment_id", res->id);
}

/* --remediates: the deployment just sent fixed an earlier one.  A failure
 * now comes after a send: exit 3 when Datadog could not be reached, else 4,
 * never 2 ("nothing was sent"), and say how to finish the job by hand. */
static int remediates(struct ddci_client *c, struct ddci_gitmeta *meta, const struct ddci_deployment *d,
		      const struct ddci_dora_result *res, const char *target)
{
	struct ddci_change_failure_result cf;
	int rc = ddci_remediation_mark(&cf, c, meta->repo, target, res->id, d->commit_sha, d->service, d->env,
				       d->started_ns);

	if (rc < 0) {
		int code = rc == DDCI_EUNAVAIL || rc == DDCI_EPROTO ? DDCI_EUNAVAIL : DDCI_EREJECT;

		return ddci_error_wrap(code,
				       "deployment %s was sent, but --remediates %s failed (finish with: "
				       "ddci-change-failure --deployment-id %s --remediation-id %s "
				       "[--remediation-type rollback|rollforward])",
				       res->id, target, strcmp(target, "auto") ? target : "FAILED_ID", res->id);
	}
	if (!cf.dry_run)
		ddci_print(stderr, "%s: marked %s as a change failure remediated by %s (%s)\n", cmd.name,
			cf.deployment_id, res->id, cf.decision.why);
	return 0;
}

static const char *env_get(const char *name)
{
	return getenv(name);
}

/* The start time (--started-at, DDCI_JOB_STARTED_AT, the CI's own) and what
 * besides service, env and commit tells this deployment apart: the CI job's
 * identity, else an absolute start time; a relative one ("now-5m") never. */
static int start_and_key(struct ddci_deployment *d, char *key, size_t n, const char *started,
			 const struct ddci_ci *ci, int64_t now)
{
	const char *what = "--started-at", *env = getenv("DDCI_JOB_STARTED_AT");
	int rc;

	if (!started && env && *env) {
		started = env;
		what = "DDCI_JOB_STARTED_AT";
	}
	if (started && (rc = ddci_time_parse(&d->started_ns, started, now, what)) < 0)
		return rc;
	if (!started)
		d->started_ns = ci->started_ns;
	if (!d->started_ns && ci->provider)
		return ddci_error_set(DDCI_EUSAGE,
				      "missing --started-at: %s gives no job start time; pass --started-at TIME "
				      "(e.g. started=$(date +%%s) taken before deploying) or set DDCI_JOB_STARTED_AT%s",
				      ddci_ci_display_name(ci),
				      !strcmp(ci->provider, "github") ? " (the ddci setup action sets it)" : "");
	if (!d->started_ns)
		return ddci_error_set(DDCI_EUSAGE,
				      "missing --started-at: no CI job start time in the environment; pass "
				      "--started-at TIME or set DDCI_JOB_STARTED_AT");
	d->run_key = ddci_ci_run_key(key, n, ci, started);
	return 0;
}

int main(int argc, char **argv)
{
	struct ddci_config cfg = DDCI_CONFIG_INIT;
	struct ddci_gitmeta meta = DDCI_GITMETA_INIT;
	struct ddci_client client;
	struct ddci_deployment d = { 0 };
	struct ddci_dora_result res;
	struct args a = { 0 };
	int64_t now = ddci_time_now_ns();
	char key[600];
	int rc;

	ddci_client_init(&client, &cfg);
	rc = ddci_cli_start(&cmd, &cfg, &a, argc, argv, DDCI_NEED_API_KEY);
	if (rc) {
		rc = rc == 1 ? 0 : rc;
		goto done;
	}
	if (a.remediates && (rc = ddci_config_require(&cfg, DDCI_NEED_APP_KEY)) < 0)
		goto done;

	d.service = cfg.service;
	d.env = cfg.env;
	d.version = cfg.version;
	d.team = a.team;
	d.id = a.id;
	d.tags = &a.tags;
	if (a.finished && (rc = ddci_time_parse(&d.finished_ns, a.finished, now, "--finished-at")) < 0)
		goto done;
	if (!a.finished)
		d.finished_ns = now;
	if (!a.no_git) {
		rc = ddci_gitmeta_read(&meta, cfg.repo_path, a.commit, a.repo_url, DDCI_META_COMMIT | DDCI_META_URL);
		if (rc < 0)
			goto done;
		d.commit_sha = meta.commit_sha;
		d.repository_url = meta.repository_url;
	} else if (a.commit || a.repo_url) {
		rc = ddci_error_set(DDCI_EUSAGE, "--no-git cannot be combined with --commit-sha or --repository-url");
		goto done;
	} else if ((rc = ddci_ci_detect(&meta.ci, env_get)) < 0) {
		goto done; /* no git, but the CI's start time and job identity */
	}
	if ((rc = start_and_key(&d, key, sizeof(key), a.started, &meta.ci, now)) < 0)
		goto done;

	ddci_cli_client(&client, &cfg);
	rc = ddci_dora_send_deployment(&res, &client, &d);
	if (rc == 0)
		rc = print_result(&cfg, &d, &res, meta.source);
	if (rc == 0 && a.remediates && !res.dry_run)
		rc = remediates(&client, &meta, &d, &res, a.remediates);
done:
	ddci_gitmeta_release(&meta);
	ddci_strv_release(&a.tags);
	return ddci_cli_end(&cmd, &cfg, &client, rc);
}
