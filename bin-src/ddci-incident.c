/* ddci-incident — send a DORA failure (incident) event.
 *
 * The services impacted (--service, repeatable) or the owning team (--team)
 * say what failed; the id is derived from name, services/team, env and the
 * CI job's identity (else an absolute start time) so a retried step never
 * counts the incident twice.  The commit and
 * repository are added from git (or the CI) when they can be found. */
#include <stdio.h>

#include "ddci/cli.h"
#include "ddci/dora_event.h"
#include "ddci/timeutil.h"

enum { O_NAME = 256, O_SEVERITY, O_SERVICE, O_ENV, O_VERSION };

static const struct ddci_opt opts[] = {
	{ "name", O_NAME, "TEXT", NULL, NULL, "incident name" },
	{ "severity", O_SEVERITY, "TEXT", NULL, NULL, "incident severity (High, SEV-1, ...)" },
	DDCI_EVENT_OPTS_TIMES(NULL, NULL, "when the incident started (required)", "open", "when it was resolved"),
	{ "service", O_SERVICE, "NAME", "DD_SERVICE", NULL, "service impacted (repeatable)" },
	{ "env", O_ENV, "ENV", "DD_ENV", NULL, "environment impacted" },
	{ "service-version", O_VERSION, "VERSION", "DD_VERSION", NULL, "version impacted" },
	DDCI_EVENT_OPTS_SOURCE("team owning the services (needed without --service)",
			       "incident id (16-128 of A-Z a-z 0-9 - _ . :)", "commit the incident is about"),
	{ NULL, 0, NULL, NULL, NULL, NULL },
};

static int on_opt(void *ctx, int key, const char *arg)
{
	struct ddci_incident_flags *f = ctx;

	switch (key) {
	case O_NAME: f->name = arg; return 0;
	case O_SEVERITY: f->severity = arg; return 0;
	case O_SERVICE:
		if (!*arg)
			return ddci_error_set(DDCI_EUSAGE, "invalid --service: empty");
		return ddci_strv_contains(&f->services, arg) ? 0 : ddci_strv_push(&f->services, arg);
	case O_ENV: f->env = arg; return 0;
	case O_VERSION: f->version = arg; return 0;
	}
	return ddci_event_flag(&f->ev, key, arg);
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

struct incident {
	struct ddci_incident_flags f; /* first: on_opt's */
	struct ddci_incident_job job;
	int64_t now;
};

static int run(void *ctx, struct ddci_client *c, struct ddci_config *cfg)
{
	struct incident *in = ctx;
	int rc = ddci_incident_send(&in->job, c, cfg, &in->f, stderr, cmd.name, in->now);

	return rc == 0 ? ddci_incident_print(stdout, cfg->output, &in->job) : rc;
}

static void release(void *ctx)
{
	struct incident *in = ctx;

	ddci_incident_job_release(&in->job);
	ddci_incident_flags_release(&in->f);
}

int main(int argc, char **argv)
{
	static const struct ddci_cli_job job = { .need = DDCI_NEED_API_KEY, .run = run, .release = release };
	struct incident in = { .job = DDCI_INCIDENT_JOB_INIT, .now = ddci_time_now_ns() };

	return ddci_cli_main(&cmd, &in, &job, argc, argv);
}
