/* dora_event.h — what the DORA event commands do with their flags and
 * Datadog's answer: ddci-deploy and ddci-incident share the event flags
 * (times, team, tags, id, commit, repository, --no-git), resolved flag >
 * environment > git or CI > default into the event sent; ddci-deploy
 * --remediates and ddci-change-failure mark a change failure.  Each
 * result is printed as its command prints it: the id, or JSON.
 *
 * The printers write only to the stream they are given.
 */
#ifndef DDCI_DORA_EVENT_H
#define DDCI_DORA_EVENT_H

#include <stdint.h>
#include <stdio.h>

#include "ddci/client.h"
#include "ddci/config.h"
#include "ddci/dora.h"
#include "ddci/error.h"
#include "ddci/gitmeta.h"
#include "ddci/remediation.h"
#include "ddci/strv.h"

/* ---- the flags both event commands take ---- */

/* Their keys, apart from a command's own (256...) and cli.c's (1000...). */
enum {
	DDCI_EVENT_O_STARTED = 2000, DDCI_EVENT_O_FINISHED, DDCI_EVENT_O_TEAM, DDCI_EVENT_O_TAG, DDCI_EVENT_O_ID,
	DDCI_EVENT_O_COMMIT, DDCI_EVENT_O_REPO_URL, DDCI_EVENT_O_NO_GIT
};

/* Their entries in a command's option table (struct ddci_opt), in two
 * runs a command places among its own, with its own words for the help. */
#define DDCI_EVENT_OPTS_TIMES(started_env, started_def, started_help, finished_def, finished_help) \
	{ "started-at", DDCI_EVENT_O_STARTED, "TIME", started_env, started_def, started_help }, \
	{ "finished-at", DDCI_EVENT_O_FINISHED, "TIME", NULL, finished_def, finished_help }
#define DDCI_EVENT_OPTS_SOURCE(team_help, id_help, commit_help) \
	{ "team", DDCI_EVENT_O_TEAM, "TEAM", NULL, NULL, team_help }, \
	{ "tag", DDCI_EVENT_O_TAG, "KEY:VALUE", NULL, NULL, "custom tag (repeatable, at most 100)" }, \
	{ "id", DDCI_EVENT_O_ID, "ID", NULL, "derived", id_help }, \
	{ "commit-sha", DDCI_EVENT_O_COMMIT, "SHA", NULL, "HEAD", commit_help }, \
	{ "repository-url", DDCI_EVENT_O_REPO_URL, "URL", NULL, "origin", \
	  "repository URL (credentials are removed)" }, \
	{ "no-git", DDCI_EVENT_O_NO_GIT, NULL, NULL, NULL, "send no git information" }

/* The shared flags as given (NULL: not given). */
struct ddci_event_flags {
	const char *started, *finished, *team, *id, *commit, *repo_url;
	struct ddci_strv tags;
	int no_git;
};

/* A command's on_opt for the shared keys: 0, or DDCI_EUSAGE "unknown
 * option" for any other key. */
int ddci_event_flag(struct ddci_event_flags *f, int key, const char *arg) DDCI_WUR;
void ddci_event_flags_release(struct ddci_event_flags *f);

/* ---- ddci-deploy ---- */

struct ddci_deploy_job {
	struct ddci_deployment d;    /* what was sent */
	struct ddci_gitmeta meta;    /* the commit's source (meta.source), the repository */
	struct ddci_dora_result res; /* the id */
	char key[600];               /* d.run_key's text */
};

#define DDCI_DEPLOY_JOB_INIT { .meta = DDCI_GITMETA_INIT }

/* The deployment of cfg's service and env from the flags, sent.  Finished:
 * --finished-at, else now.  Commit and repository: the flags, else git,
 * else the CI (required unless --no-git).  Started: --started-at, else
 * DDCI_JOB_STARTED_AT, else the CI job's start (required).  The derived id
 * keys on the CI job's identity, else an absolute start time. */
int ddci_deploy_send(struct ddci_deploy_job *j, struct ddci_client *c, const struct ddci_config *cfg,
		     const struct ddci_event_flags *f, int64_t now) DDCI_WUR;
/* ddci-deploy --remediates target (an id, or "auto": the previous
 * deployment of the service/env): marks it as a change failure fixed by
 * the deployment sent.  A failure comes after a send: DDCI_EUNAVAIL when
 * Datadog could not be reached, else DDCI_EREJECT, never DDCI_EUSAGE, with
 * a message saying how to finish with ddci-change-failure. */
int ddci_deploy_remediate(struct ddci_change_failure_result *cf, struct ddci_client *c,
			  const struct ddci_deploy_job *j, const char *target) DDCI_WUR;
/* The id (or JSON) to out, and deployment_id to the GitHub outputs;
 * nothing for a dry run. */
int ddci_deploy_print(FILE *out, enum ddci_output format, const struct ddci_deploy_job *j) DDCI_WUR;
void ddci_deploy_job_release(struct ddci_deploy_job *j);

/* ---- ddci-incident ---- */

struct ddci_incident_flags {
	struct ddci_event_flags ev;
	const char *name, *severity, *env, *version;
	struct ddci_strv services;
};

void ddci_incident_flags_release(struct ddci_incident_flags *f);

struct ddci_incident_job {
	struct ddci_failure f;       /* what was sent */
	struct ddci_gitmeta meta;
	struct ddci_dora_result res;
	struct ddci_strv services;   /* cfg's service, when no flag names one */
	char key[512];
};

#define DDCI_INCIDENT_JOB_INIT { .meta = DDCI_GITMETA_INIT }

/* The incident from the flags, sent.  Services: --service, else (without
 * --team) DD_SERVICE; env and version: the flags, else DD_ENV and
 * DD_VERSION.  --started-at is required.  Git is context: when it cannot
 * be read (and no flag names a commit or URL), a warning "<prog>: warning:
 * sending no git information: ..." goes to notices and the incident goes
 * without it.  The derived id keys on the CI job's identity. */
int ddci_incident_send(struct ddci_incident_job *j, struct ddci_client *c, const struct ddci_config *cfg,
		       const struct ddci_incident_flags *f, FILE *notices, const char *prog, int64_t now) DDCI_WUR;
/* The id (or JSON) to out, and failure_id to the GitHub outputs. */
int ddci_incident_print(FILE *out, enum ddci_output format, const struct ddci_incident_job *j) DDCI_WUR;
void ddci_incident_job_release(struct ddci_incident_job *j);

/* ---- ddci-change-failure ---- */

/* Reads the repository at repo_path when there is one (ancestry, short
 * shas; HEAD, or head_sha when given, is cf->head_sha), then applies cf. */
int ddci_change_failure_run(struct ddci_change_failure_result *res, struct ddci_client *c,
			    struct ddci_change_failure *cf, const char *repo_path, const char *head_sha) DDCI_WUR;
/* "<id>: change failure[, remediated by <id> (<why>)]", "<id>: change
 * failure cleared", or JSON, to out. */
int ddci_change_failure_print(FILE *out, enum ddci_output format, const struct ddci_change_failure *cf,
			      const struct ddci_change_failure_result *res) DDCI_WUR;

#endif
