/* dora_event.c — the DORA event commands' flags resolved into the event
 * sent, and their results printed (see dora_event.h). */
#include <stdlib.h>
#include <string.h>

#include "ddci/ci_env.h"
#include "ddci/dora_event.h"
#include "ddci/json.h"
#include "ddci/output.h"
#include "ddci/timeutil.h"

int ddci_event_flag(struct ddci_event_flags *f, int key, const char *arg)
{
	switch (key) {
	case DDCI_EVENT_O_STARTED: f->started = arg; return 0;
	case DDCI_EVENT_O_FINISHED: f->finished = arg; return 0;
	case DDCI_EVENT_O_TEAM: f->team = arg; return 0;
	case DDCI_EVENT_O_TAG: return ddci_strv_push(&f->tags, arg);
	case DDCI_EVENT_O_ID: f->id = arg; return 0;
	case DDCI_EVENT_O_COMMIT: f->commit = arg; return 0;
	case DDCI_EVENT_O_REPO_URL: f->repo_url = arg; return 0;
	case DDCI_EVENT_O_NO_GIT: f->no_git = 1; return 0;
	}
	return ddci_error_set(DDCI_EUSAGE, "unknown option");
}

void ddci_event_flags_release(struct ddci_event_flags *f)
{
	if (f)
		ddci_strv_release(&f->tags);
}

/* ---- resolving ---- */

/* The commit and repository (flags, git, the CI) and the CI job, into m.
 * required (a deployment): both must be found, any failure is an error.
 * Else git is context: when it cannot be read and no flag names a commit
 * or URL, a warning to notices and the event goes without it. */
static int event_source(struct ddci_gitmeta *m, const char *repo_path, const struct ddci_event_flags *f,
			int required, FILE *notices, const char *prog)
{
	int rc;

	if (f->no_git) {
		if (f->commit || f->repo_url)
			return ddci_error_set(DDCI_EUSAGE,
					      "--no-git cannot be combined with --commit-sha or --repository-url");
	} else {
		rc = ddci_gitmeta_read(m, repo_path, f->commit, f->repo_url,
				       required ? DDCI_META_COMMIT | DDCI_META_URL : 0);
		if (rc < 0 && (required || f->commit || f->repo_url))
			return rc;
		if (rc < 0) {
			ddci_print(notices, "%s: warning: sending no git information: %s\n", prog, ddci_error_last());
			ddci_gitmeta_release(m);
		}
	}
	/* No git, or no CI variable read with it: the CI's job start and
	 * identity all the same (a retried step reports the same event). */
	return m->ci.provider ? 0 : ddci_ci_detect(&m->ci, ddci_ci_getenv);
}

/* A deployment's start (--started-at, DDCI_JOB_STARTED_AT, the CI's own)
 * and what besides service, env and commit tells it apart: the CI job's
 * identity, else an absolute start time; a relative one ("now-5m") never. */
static int deploy_start(struct ddci_deploy_job *j, const char *started, int64_t now)
{
	const struct ddci_ci *ci = &j->meta.ci;
	const char *what = "--started-at", *env = getenv("DDCI_JOB_STARTED_AT");
	int rc;

	if (!started && env && *env) {
		started = env;
		what = "DDCI_JOB_STARTED_AT";
	}
	if (started && (rc = ddci_time_parse(&j->d.started_ns, started, now, what)) < 0)
		return rc;
	if (!started)
		j->d.started_ns = ci->started_ns;
	if (!j->d.started_ns && ci->provider)
		return ddci_error_set(DDCI_EUSAGE,
				      "missing --started-at: %s gives no job start time; pass --started-at TIME "
				      "(e.g. started=$(date +%%s) taken before deploying) or set DDCI_JOB_STARTED_AT%s",
				      ddci_ci_display_name(ci),
				      !strcmp(ci->provider, "github") ? " (the ddci setup action sets it)" : "");
	if (!j->d.started_ns)
		return ddci_error_set(DDCI_EUSAGE,
				      "missing --started-at: no CI job start time in the environment; pass "
				      "--started-at TIME or set DDCI_JOB_STARTED_AT");
	j->d.run_key = ddci_ci_run_key(j->key, sizeof(j->key), ci, started);
	return 0;
}

int ddci_deploy_send(struct ddci_deploy_job *j, struct ddci_client *c, const struct ddci_config *cfg,
		     const struct ddci_event_flags *f, int64_t now)
{
	struct ddci_deployment *d = &j->d;
	int rc;

	d->service = cfg->service;
	d->env = cfg->env;
	d->version = cfg->version;
	d->team = f->team;
	d->id = f->id;
	d->tags = &f->tags;
	d->finished_ns = now;
	if (f->finished && (rc = ddci_time_parse(&d->finished_ns, f->finished, now, "--finished-at")) < 0)
		return rc;
	if ((rc = event_source(&j->meta, cfg->repo_path, f, 1, NULL, NULL)) < 0)
		return rc;
	d->commit_sha = j->meta.commit_sha;
	d->repository_url = j->meta.repository_url;
	if ((rc = deploy_start(j, f->started, now)) < 0)
		return rc;
	return ddci_dora_send_deployment(&j->res, c, d);
}

int ddci_deploy_remediate(struct ddci_change_failure_result *cf, struct ddci_client *c,
			  const struct ddci_deploy_job *j, const char *target)
{
	const struct ddci_deployment *d = &j->d;
	int rc = ddci_remediation_mark(cf, c, j->meta.repo, target, j->res.id, d->commit_sha, d->service, d->env,
				       d->started_ns);

	if (rc < 0)
		return ddci_error_wrap(rc == DDCI_EUNAVAIL || rc == DDCI_EPROTO ? DDCI_EUNAVAIL : DDCI_EREJECT,
				       "deployment %s was sent, but --remediates %s failed (finish with: "
				       "ddci-change-failure --deployment-id %s --remediation-id %s "
				       "[--remediation-type rollback|rollforward])",
				       j->res.id, target, strcmp(target, "auto") ? target : "FAILED_ID", j->res.id);
	return 0;
}

void ddci_deploy_job_release(struct ddci_deploy_job *j)
{
	if (j)
		ddci_gitmeta_release(&j->meta);
}

void ddci_incident_flags_release(struct ddci_incident_flags *f)
{
	if (!f)
		return;
	ddci_event_flags_release(&f->ev);
	ddci_strv_release(&f->services);
}

int ddci_incident_send(struct ddci_incident_job *j, struct ddci_client *c, const struct ddci_config *cfg,
		       const struct ddci_incident_flags *f, FILE *notices, const char *prog, int64_t now)
{
	struct ddci_failure *e = &j->f;
	int rc;

	/* DD_SERVICE, DD_ENV and DD_VERSION as the configuration read (and
	 * checked) them, when the flags are not given. */
	e->services = f->services.n || f->ev.team ? &f->services : &j->services;
	if (!f->services.n && !f->ev.team && cfg->service && (rc = ddci_strv_push(&j->services, cfg->service)) < 0)
		return rc;
	e->id = f->ev.id;
	e->name = f->name;
	e->severity = f->severity;
	e->team = f->ev.team;
	e->env = f->env ? f->env : cfg->env;
	e->version = f->version ? f->version : cfg->version;
	e->tags = &f->ev.tags;
	if (!f->ev.started)
		return ddci_error_set(DDCI_EUSAGE, "missing --started-at");
	if ((rc = ddci_time_parse(&e->started_ns, f->ev.started, now, "--started-at")) < 0)
		return rc;
	if (f->ev.finished && (rc = ddci_time_parse(&e->finished_ns, f->ev.finished, now, "--finished-at")) < 0)
		return rc;
	if ((rc = event_source(&j->meta, cfg->repo_path, &f->ev, 0, notices, prog)) < 0)
		return rc;
	if (j->meta.commit_sha && j->meta.repository_url) {
		e->commit_sha = j->meta.commit_sha;
		e->repository_url = j->meta.repository_url;
	}
	e->run_key = ddci_ci_run_key(j->key, sizeof(j->key), &j->meta.ci, f->ev.started);
	return ddci_dora_send_failure(&j->res, c, e);
}

void ddci_incident_job_release(struct ddci_incident_job *j)
{
	if (!j)
		return;
	ddci_gitmeta_release(&j->meta);
	ddci_strv_release(&j->services);
}

int ddci_change_failure_run(struct ddci_change_failure_result *res, struct ddci_client *c,
			    struct ddci_change_failure *cf, const char *repo_path, const char *head_sha)
{
	struct ddci_gitmeta meta = DDCI_GITMETA_INIT;
	int rc;

	/* The repository, when there is one: ancestry, short shas, HEAD. */
	if ((rc = ddci_gitmeta_read(&meta, repo_path, head_sha, NULL, 0)) < 0)
		goto done;
	cf->repo = meta.repo;
	cf->head_sha = meta.commit_sha;
	rc = ddci_change_failure_apply(res, c, cf);
done:
	cf->repo = NULL;
	cf->head_sha = NULL;
	ddci_gitmeta_release(&meta);
	return rc;
}

/* ---- printing ---- */

/* o printed (pretty) to out and freed; ok 0 (a member could not be added)
 * or o NULL: out of memory. */
static int print_obj(FILE *out, cJSON *o, int ok)
{
	int rc = o && ok ? ddci_print_json(out, o, 1) : ddci_error_oom();

	cJSON_Delete(o);
	return rc;
}

/* The event's id, or its JSON o, to out; the id to the GitHub output key. */
static int print_event(FILE *out, enum ddci_output format, cJSON *o, int ok, const char *key, const char *id)
{
	int rc = 0;

	if (format == DDCI_OUTPUT_JSON)
		rc = print_obj(out, o, ok);
	else
		ddci_print(out, "%s\n", id);
	return rc < 0 ? rc : ddci_gh_output(key, id);
}

int ddci_deploy_print(FILE *out, enum ddci_output format, const struct ddci_deploy_job *j)
{
	const struct ddci_deployment *d = &j->d;
	cJSON *o = NULL;
	int ok = 1;

	if (j->res.dry_run)
		return 0;
	if (format == DDCI_OUTPUT_JSON) {
		o = cJSON_CreateObject();
		ok = o && !ddci_json_add_str(o, "deployment_id", j->res.id) &&
		     !ddci_json_add_str(o, "service", d->service) && !ddci_json_add_str(o, "env", d->env) && !ddci_json_add_str(o, "commit_sha", d->commit_sha) &&
		     !ddci_json_add_str(o, "repository_url", d->repository_url) &&
		     !ddci_json_add_str(o, "git_source", j->meta.source) &&
		     !ddci_json_add_int64(o, "started_at", d->started_ns) &&
		     !ddci_json_add_int64(o, "finished_at", d->finished_ns);
	}
	return print_event(out, format, o, ok, "deployment_id", j->res.id);
}

int ddci_incident_print(FILE *out, enum ddci_output format, const struct ddci_incident_job *j)
{
	const struct ddci_failure *f = &j->f;
	cJSON *o = NULL, *svc = NULL;
	int ok = 1;

	if (j->res.dry_run)
		return 0;
	if (format == DDCI_OUTPUT_JSON) {
		o = cJSON_CreateObject();
		svc = o ? cJSON_AddArrayToObject(o, "services") : NULL;
		for (size_t i = 0; svc && i < f->services->n; i++)
			if (!cJSON_AddItemToArray(svc, cJSON_CreateString(f->services->v[i])))
				svc = NULL;
		ok = svc && !ddci_json_add_str(o, "failure_id", j->res.id) && !ddci_json_add_str(o, "team", f->team) &&
		     !ddci_json_add_str(o, "env", f->env) && !ddci_json_add_str(o, "commit_sha", f->commit_sha) &&
		     !ddci_json_add_int64(o, "started_at", f->started_ns) &&
		     (!f->finished_ns || !ddci_json_add_int64(o, "finished_at", f->finished_ns));
	}
	return print_event(out, format, o, ok, "failure_id", j->res.id);
}

int ddci_change_failure_print(FILE *out, enum ddci_output format, const struct ddci_change_failure *cf,
			      const struct ddci_change_failure_result *res)
{
	const char *type = ddci_remediation_type_name(res->decision.type);
	cJSON *o;
	int ok;

	if (res->dry_run)
		return 0;
	if (format == DDCI_OUTPUT_JSON) {
		o = cJSON_CreateObject();
		ok = o && !ddci_json_add_str(o, "deployment_id", res->deployment_id) &&
		     cJSON_AddBoolToObject(o, "change_failure", !cf->clear) &&
		     !ddci_json_add_str(o, "commit_sha", res->failed_sha) &&
		     !ddci_json_add_str(o, "remediation_id", res->remediation_id) &&
		     !ddci_json_add_str(o, "remediation_commit_sha", res->remediation_sha) &&
		     !ddci_json_add_str(o, "remediation_type", type) &&
		     (!type || cJSON_AddBoolToObject(o, "remediation_type_inferred", res->inferred)) &&
		     !ddci_json_add_str(o, "reason", res->decision.why);
		return print_obj(out, o, ok);
	}
	if (cf->clear)
		ddci_print(out, "%s: change failure cleared\n", res->deployment_id);
	else if (type)
		ddci_print(out, "%s: change failure, remediated by %s (%s)\n", res->deployment_id, res->remediation_id,
			   res->decision.why);
	else
		ddci_print(out, "%s: change failure\n", res->deployment_id);
	return 0;
}
