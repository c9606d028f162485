/* ddci-incident — send a DORA failure (incident) event.
 *
 * The services impacted (--service, repeatable) or the owning team (--team)
 * say what failed; the id is derived from name, services/team, env and the
 * CI job's identity (else an absolute start time) so a retried step never
 * counts the incident twice.  The commit and
 * repository are added from git (or the CI) when they can be found. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddci/cli.h"
#include "ddci/client.h"
#include "ddci/dora.h"
#include "ddci/gitmeta.h"
#include "ddci/json.h"
#include "ddci/output.h"
#include "ddci/strv.h"
#include "ddci/timeutil.h"

enum {
	O_NAME = 256, O_SEVERITY, O_STARTED, O_FINISHED, O_SERVICE, O_ENV, O_VERSION, O_TEAM, O_TAG, O_ID, O_COMMIT,
	O_REPO_URL, O_NO_GIT
};

static const struct ddci_opt opts[] = {
	{ "name", O_NAME, "TEXT", NULL, NULL, "incident name" },
	{ "severity", O_SEVERITY, "TEXT", NULL, NULL, "incident severity (High, SEV-1, ...)" },
	{ "started-at", O_STARTED, "TIME", NULL, NULL, "when the incident started (required)" },
	{ "finished-at", O_FINISHED, "TIME", NULL, "open", "when it was resolved" },
	{ "service", O_SERVICE, "NAME", "DD_SERVICE", NULL, "service impacted (repeatable)" },
	{ "env", O_ENV, "ENV", "DD_ENV", NULL, "environment impacted" },
	{ "service-version", O_VERSION, "VERSION", "DD_VERSION", NULL, "version impacted" },
	{ "team", O_TEAM, "TEAM", NULL, NULL, "team owning the services (needed without --service)" },
	{ "tag", O_TAG, "KEY:VALUE", NULL, NULL, "custom tag (repeatable, at most 100)" },
	{ "id", O_ID, "ID", NULL, "derived", "incident id (16-128 of A-Z a-z 0-9 - _ . :)" },
	{ "commit-sha", O_COMMIT, "SHA", NULL, "HEAD", "commit the incident is about" },
	{ "repository-url", O_REPO_URL, "URL", NULL, "origin", "repository URL (credentials are removed)" },
	{ "no-git", O_NO_GIT, NULL, NULL, NULL, "send no git information" },
	{ NULL, 0, NULL, NULL, NULL, NULL },
};

struct args {
	const char *name, *severity, *started, *finished, *env, *version, *team, *id, *commit, *repo_url;
	struct ddci_strv services, tags;
	int no_git;
};

static int on_opt(void *ctx, int key, const char *arg)
{
	struct args *a = ctx;

	switch (key) {
	case O_NAME: a->name = arg; return 0;
	case O_SEVERITY: a->severity = arg; return 0;
	case O_STARTED: a->started = arg; return 0;
	case O_FINISHED: a->finished = arg; return 0;
	case O_SERVICE:
		if (!*arg)
			return ddci_error_set(DDCI_EUSAGE, "invalid --service: empty");
		return ddci_strv_contains(&a->services, arg) ? 0 : ddci_strv_push(&a->services, arg);
	case O_ENV: a->env = arg; return 0;
	case O_VERSION: a->version = arg; return 0;
	case O_TEAM: a->team = arg; return 0;
	case O_TAG: return ddci_strv_push(&a->tags, arg);
	case O_ID: a->id = arg; return 0;
	case O_COMMIT: a->commit = arg; return 0;
	case O_REPO_URL: a->repo_url = arg; return 0;
	case O_NO_GIT: a->no_git = 1; return 0;
	}
	return ddci_error_set(DDCI_EUSAGE, "unknown option");
}

static const struct ddci_cmd cmd = {
	.name = "ddci-incident",
	.synopsis = "--started-at TIME (--service NAME... | --team TEAM) [OPTIONS]",
	.description =
		"Sends POST /api/v2/dora/failure. Datadog needs the services impacted\n"
		"(--service, repeatable; DD_SERVICE) or the team owning them (--team).\n"
		"The id is derived from name, services or team, env and the CI job's\n"
		"identity (else an absolute --started-at; a relative one is left out), so\n"
		"re-running the step never records a second incident; --id sets it.\n"
		"The commit and repository come from git or the CI when found. Prints the id.",
	.opts = opts,
	.groups = DDCI_CLI_NET | DDCI_CLI_GIT | DDCI_CLI_OUTPUT | DDCI_CLI_SPOOL | DDCI_CLI_REPORTER,
	.examples = "  ddci-incident --name 'checkout down' --severity High --service shop --env prod \\\n"
		    "                --started-at now-20m --finished-at now\n"
		    "  ddci-incident --team payments --started-at 2024-05-01T12:00:00Z\n",
	.on_opt = on_opt,
};

static int print_result(const struct ddci_config *cfg, const struct ddci_failure *f,
			const struct ddci_dora_result *res)
{
	cJSON *o, *svc;
	int rc;

	if (res->dry_run)
		return 0;
	if (cfg->output == DDCI_OUTPUT_JSON) {
		o = cJSON_CreateObject();
		svc = o ? cJSON_AddArrayToObject(o, "services") : NULL;
		for (size_t i = 0; svc && i < f->services->n; i++)
			if (!cJSON_AddItemToArray(svc, cJSON_CreateString(f->services->v[i])))
				svc = NULL;
		if (!svc || ddci_json_add_str(o, "failure_id", res->id) < 0 || ddci_json_add_str(o, "team", f->team) < 0 ||
		    ddci_json_add_str(o, "env", f->env) < 0 || ddci_json_add_str(o, "commit_sha", f->commit_sha) < 0 ||
		    ddci_json_add_int64(o, "started_at", f->started_ns) < 0 ||
		    (f->finished_ns && ddci_json_add_int64(o, "finished_at", f->finished_ns) < 0)) {
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
	return ddci_gh_output("failure_id", res->id);
}

static const char *env_get(const char *name)
{
	return getenv(name);
}

int main(int argc, char **argv)
{
	struct ddci_config cfg = DDCI_CONFIG_INIT;
	struct ddci_gitmeta meta = DDCI_GITMETA_INIT;
	struct ddci_client client;
	struct ddci_failure f = { 0 };
	char key[512];
	struct ddci_dora_result res;
	struct args a = { 0 };
	int64_t now = ddci_time_now_ns();
	int rc;

	ddci_client_init(&client, &cfg);
	rc = ddci_cli_start(&cmd, &cfg, &a, argc, argv, DDCI_NEED_API_KEY);
	if (rc) {
		rc = rc == 1 ? 0 : rc;
		goto done;
	}
	/* DD_SERVICE, DD_ENV and DD_VERSION as the configuration read (and
	 * checked) them, when the flags are not given. */
	if (!a.services.n && !a.team && cfg.service && (rc = ddci_strv_push(&a.services, cfg.service)) < 0)
		goto done;

	f.id = a.id;
	f.name = a.name;
	f.severity = a.severity;
	f.services = &a.services;
	f.team = a.team;
	f.env = a.env ? a.env : cfg.env;
	f.version = a.version ? a.version : cfg.version;
	f.tags = &a.tags;
	if (!a.started) {
		rc = ddci_error_set(DDCI_EUSAGE, "missing --started-at");
		goto done;
	}
	if ((rc = ddci_time_parse(&f.started_ns, a.started, now, "--started-at")) < 0)
		goto done;
	if (a.finished && (rc = ddci_time_parse(&f.finished_ns, a.finished, now, "--finished-at")) < 0)
		goto done;
	if (!a.no_git) {
		/* Git is context here, not required: sent when both are found. */
		rc = ddci_gitmeta_read(&meta, cfg.repo_path, a.commit, a.repo_url, 0);
		if (rc < 0 && (a.commit || a.repo_url))
			goto done;
		if (rc < 0) {
			ddci_print(stderr, "%s: warning: sending no git information: %s\n", cmd.name, ddci_error_last());
			ddci_gitmeta_release(&meta);
			memset(&meta, 0, sizeof(meta));
			rc = 0;
		}
		if (meta.commit_sha && meta.repository_url) {
			f.commit_sha = meta.commit_sha;
			f.repository_url = meta.repository_url;
		}
	} else if (a.commit || a.repo_url) {
		rc = ddci_error_set(DDCI_EUSAGE, "--no-git cannot be combined with --commit-sha or --repository-url");
		goto done;
	}
	/* A retried step (same CI job) reports the same incident. */
	if (!meta.ci.provider && (rc = ddci_ci_detect(&meta.ci, env_get)) < 0)
		goto done;
	f.run_key = ddci_ci_run_key(key, sizeof(key), &meta.ci, a.started);

	ddci_cli_client(&client, &cfg);
	rc = ddci_dora_send_failure(&res, &client, &f);
	if (rc == 0)
		rc = print_result(&cfg, &f, &res);
done:
	ddci_gitmeta_release(&meta);
	ddci_strv_release(&a.services);
	ddci_strv_release(&a.tags);
	return ddci_cli_end(&cmd, &cfg, &client, rc);
}
