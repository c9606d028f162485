/* remediation.c — change failures, and rollback vs rollforward from git.
 *
 * The rule: the remediating deployment's commit is an ancestor of the failed
 * deployment's commit -> rollback (an older version went back out); the
 * failed commit is an ancestor of the remediating one -> rollforward (a fix
 * went out on top).  Anything else is not guessed: the user says which.
 */
#include "ddci/remediation.h"

#include <stdio.h>
#include <string.h>

#include "ddci/json.h"
#include "ddci/timeutil.h"

#define TYPE_HINT "give the type with ddci-change-failure --remediation-type rollback|rollforward"

int ddci_remediation_type_parse(enum ddci_remediation_type *out, const char *s, const char *what)
{
	if (!strcmp(s, "rollback"))
		*out = DDCI_REM_ROLLBACK;
	else if (!strcmp(s, "rollforward"))
		*out = DDCI_REM_ROLLFORWARD;
	else if (!strcmp(s, "auto"))
		*out = DDCI_REM_AUTO;
	else
		return ddci_error_set(DDCI_EUSAGE, "invalid %s '%s': expected rollback, rollforward or auto", what, s);
	return 0;
}

const char *ddci_remediation_type_name(enum ddci_remediation_type t)
{
	switch (t) {
	case DDCI_REM_ROLLBACK: return "rollback";
	case DDCI_REM_ROLLFORWARD: return "rollforward";
	case DDCI_REM_AUTO: return "auto";
	case DDCI_REM_NONE: break;
	}
	return NULL;
}

static void short_sha(char out[8], const char *sha)
{
	snprintf(out, 8, "%.7s", sha);
}

int ddci_remediation_decide_with(struct ddci_remediation_decision *out, ddci_ancestor_fn fn, void *ctx,
				 const char *failed_sha, const char *remediation_sha)
{
	char f[8], r[8];
	int anc = 0, rc;

	memset(out, 0, sizeof(*out));
	short_sha(f, failed_sha);
	short_sha(r, remediation_sha);
	if (!strcmp(failed_sha, remediation_sha))
		return ddci_error_set(DDCI_EUSAGE,
				      "cannot tell rollback from rollforward: the remediation deploys the failed commit %s "
				      "itself; " TYPE_HINT, f);
	if ((rc = fn(&anc, ctx, remediation_sha, failed_sha)) < 0)
		goto git_failed;
	if (anc) {
		out->type = DDCI_REM_ROLLBACK;
		snprintf(out->why, sizeof(out->why), "rollback: %s (remediation) is an ancestor of %s (failed)", r, f);
		return 0;
	}
	if ((rc = fn(&anc, ctx, failed_sha, remediation_sha)) < 0)
		goto git_failed;
	if (anc) {
		out->type = DDCI_REM_ROLLFORWARD;
		snprintf(out->why, sizeof(out->why), "rollforward: %s (remediation) descends from %s (failed)", r, f);
		return 0;
	}
	return ddci_error_set(DDCI_EUSAGE,
			      "cannot tell rollback from rollforward: %s (remediation) and %s (failed) are on unrelated "
			      "branches; " TYPE_HINT, r, f);
git_failed:
	return ddci_error_wrap(rc, "cannot tell rollback from rollforward (" TYPE_HINT ")");
}

static int repo_ancestor(int *out, void *ctx, const char *ancestor, const char *descendant)
{
	return ddci_git_is_ancestor(out, ctx, ancestor, descendant);
}

int ddci_remediation_decide(struct ddci_remediation_decision *out, struct ddci_repo *r, const char *failed_sha,
			    const char *remediation_sha)
{
	if (!r) {
		memset(out, 0, sizeof(*out));
		return ddci_error_set(DDCI_EUSAGE,
				      "cannot tell rollback from rollforward without a git repository (--repo); " TYPE_HINT);
	}
	return ddci_remediation_decide_with(out, repo_ancestor, r, failed_sha, remediation_sha);
}

/* GET a deployment by id (for its commit). DDCI_DRY_RUN passes through. */
static int get_dep(struct ddci_dora_dep *out, struct ddci_client *c, const char *id)
{
	cJSON *doc = NULL;
	const cJSON *data;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = ddci_dora_get(&doc, c, DDCI_DORA_DEPLOYMENTS, id);
	if (rc != 0)
		return rc;
	data = ddci_json_path(doc, "data");
	rc = data ? ddci_dora_dep_parse(out, data)
		  : ddci_error_set(DDCI_EPROTO, "unexpected response from Datadog: no 'data' for deployment '%s'", id);
	cJSON_Delete(doc);
	return rc;
}

/* 40 hex (SHA-1) or 64 (SHA-256): the API takes "{40,}". */
static int is_full_sha(const char *s)
{
	size_t n = strlen(s);

	if (n != 40 && n != 64)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* The remediation type, the PATCH, and the result: shared by both flows. */
static int finish(struct ddci_change_failure_result *res, struct ddci_client *c, struct ddci_repo *repo,
		  const struct ddci_dora_dep *failed, const char *rem_id, const char *rem_sha,
		  enum ddci_remediation_type type, int clear)
{
	struct ddci_dora_patch p = { failed->id, !clear, NULL, NULL };
	int rc;

	snprintf(res->deployment_id, sizeof(res->deployment_id), "%s", failed->id);
	snprintf(res->failed_sha, sizeof(res->failed_sha), "%s", failed->commit_sha ? failed->commit_sha : "");
	if (rem_id) {
		snprintf(res->remediation_id, sizeof(res->remediation_id), "%s", rem_id);
		snprintf(res->remediation_sha, sizeof(res->remediation_sha), "%s", rem_sha ? rem_sha : "");
		if (type == DDCI_REM_NONE || type == DDCI_REM_AUTO) {
			if (!failed->commit_sha || !rem_sha)
				return ddci_error_set(DDCI_EUSAGE,
						      "cannot tell rollback from rollforward: deployment '%s' has no "
						      "commit; " TYPE_HINT, failed->commit_sha ? rem_id : failed->id);
			/* Server data: only a sha reaches git (no revision syntax). */
			if (!ddci_git_is_sha(failed->commit_sha) || !ddci_git_is_sha(rem_sha))
				return ddci_error_set(DDCI_EPROTO,
						      "unexpected response from Datadog: the commit_sha of deployment "
						      "'%s' is not a commit sha (7 to 64 hex digits)",
						      ddci_git_is_sha(rem_sha) ? failed->id : rem_id);
			if ((rc = ddci_remediation_decide(&res->decision, repo, failed->commit_sha, rem_sha)) < 0)
				return rc;
			res->inferred = 1;
		} else {
			res->decision.type = type;
			snprintf(res->decision.why, sizeof(res->decision.why), "%s: given by --remediation-type",
				 ddci_remediation_type_name(type));
		}
		p.remediation_id = rem_id;
		p.remediation_type = ddci_remediation_type_name(res->decision.type);
	}
	rc = ddci_dora_patch_deployment(c, &p);
	if (rc == DDCI_DRY_RUN) {
		res->dry_run = 1;
		rc = 0;
	}
	return rc;
}

/* A lookup printed its request in --dry-run: that is all we can show. */
static int dry(struct ddci_change_failure_result *res, int rc)
{
	if (rc == DDCI_DRY_RUN) {
		res->dry_run = 1;
		return 0;
	}
	return rc;
}

/* The remediating deployment: by id (read when its commit or start time is
 * needed), or the latest deployment of HEAD in service/env. */
static int find_remediation(struct ddci_dora_dep *rem, struct ddci_client *c, const struct ddci_change_failure *cf,
			    const char *service, const char *env, const char *exclude_id, int need_details)
{
	struct ddci_dora_find r = { service, env, cf->head_sha, exclude_id, 0 };
	int rc;

	if (cf->remediation_id && need_details)
		return get_dep(rem, c, cf->remediation_id);
	if (cf->remediation_id) {
		rem->id = strdup(cf->remediation_id);
		return rem->id ? 0 : ddci_error_oom();
	}
	if (!cf->remediated_by_current)
		return 0;
	rc = ddci_dora_find_deployment(rem, c, &r);
	if (rc == DDCI_EUSAGE)
		rc = ddci_error_wrap(rc, "--remediated-by-current: deploy HEAD with ddci-deploy first");
	return rc;
}

/* Nothing deployed before the remediation: say why when the remediation is
 * not the latest deployment (HEAD was deployed before the failure). */
static int explain_nothing_before(struct ddci_client *c, const struct ddci_change_failure *cf,
				  const struct ddci_dora_dep *rem)
{
	struct ddci_dora_find any = { cf->service, cf->env, NULL, NULL, 0 };
	struct ddci_dora_dep latest;
	char when[40];
	int rc = ddci_dora_find_deployment(&latest, c, &any);

	if (rc == 0 && latest.id && rem->id && strcmp(latest.id, rem->id) && latest.started_ns > rem->started_ns) {
		ddci_time_format_rfc3339(when, sizeof(when), rem->started_ns);
		rc = ddci_error_set(DDCI_EUSAGE,
				    "--remediated-by-current: HEAD's latest deployment %s (started %s) is older than the "
				    "latest deployment %s, so it cannot remediate it: deploy HEAD with ddci-deploy first, "
				    "or give --remediation-id",
				    rem->id, when, latest.id);
	} else if (rc >= 0) {
		rc = ddci_error_set(DDCI_EUSAGE, "--last: nothing was deployed before HEAD's deployment %s",
				    rem->id ? rem->id : "");
	}
	ddci_dora_dep_release(&latest);
	return rc;
}

int ddci_change_failure_apply(struct ddci_change_failure_result *res, struct ddci_client *c,
			      const struct ddci_change_failure *cf)
{
	struct ddci_dora_dep failed, rem;
	struct ddci_dora_find f = { cf->service, cf->env, NULL, NULL, 0 };
	int how = !!cf->deployment_id + !!cf->last + !!cf->commit;
	int want_rem = cf->remediation_id || cf->remediated_by_current;
	int need_commits = want_rem && (cf->type == DDCI_REM_NONE || cf->type == DDCI_REM_AUTO);
	int rem_first = want_rem && !cf->deployment_id;
	char sha[65];
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&failed, 0, sizeof(failed));
	memset(&rem, 0, sizeof(rem));
	if (how != 1)
		return ddci_error_set(DDCI_EUSAGE, "%s: give one of --deployment-id, --last or --commit",
				      how ? "too many deployments" : "which deployment failed?");
	if (cf->remediation_id && cf->remediated_by_current)
		return ddci_error_set(DDCI_EUSAGE, "--remediation-id and --remediated-by-current cannot be combined");
	if (cf->clear && (want_rem || cf->type != DDCI_REM_NONE))
		return ddci_error_set(DDCI_EUSAGE, "--clear cannot be combined with a remediation");
	if (!want_rem && cf->type != DDCI_REM_NONE)
		return ddci_error_set(DDCI_EUSAGE,
				      "--remediation-type needs --remediation-id or --remediated-by-current");
	if (cf->last && !cf->service)
		return ddci_error_set(DDCI_EUSAGE, "--last needs --service (and usually --env)");
	if (cf->remediated_by_current && !cf->head_sha)
		return ddci_error_set(DDCI_EUSAGE, "--remediated-by-current needs the current commit (a git repository, "
						   "or --commit-sha)");

	/* Looking the failed deployment up: the remediation is known first, so
	 * the failure is the latest deployment before it, never the fix itself. */
	if (rem_first) {
		if ((rc = find_remediation(&rem, c, cf, cf->service, cf->env, NULL, 1)) != 0)
			goto done;
		f.before_ns = rem.started_ns;
		f.exclude_id = rem.id;
	}
	if (cf->deployment_id && !need_commits) {
		failed.id = strdup(cf->deployment_id);
		rc = failed.id ? 0 : ddci_error_oom();
	} else if (cf->deployment_id) {
		rc = get_dep(&failed, c, cf->deployment_id);
	} else {
		if (cf->commit) {
			if (cf->repo)
				rc = ddci_git_resolve(sha, cf->repo, cf->commit);
			else if (is_full_sha(cf->commit))
				rc = snprintf(sha, sizeof(sha), "%s", cf->commit) < 0 ? DDCI_EIO : 0;
			else
				rc = ddci_error_set(DDCI_EUSAGE,
						    "invalid --commit '%s': a full 40- or 64-hex sha is needed outside a git "
						    "repository", cf->commit);
			if (rc < 0)
				goto done;
			f.commit_sha = sha;
		}
		rc = ddci_dora_find_deployment(&failed, c, &f);
		if (rc == DDCI_EUSAGE && rem_first && cf->last)
			rc = explain_nothing_before(c, cf, &rem);
	}
	if (rc != 0)
		goto done;
	if (want_rem && !rem_first)
		rc = find_remediation(&rem, c, cf, failed.service ? failed.service : cf->service,
				      failed.env ? failed.env : cf->env, failed.id, need_commits);
	if (rc != 0)
		goto done;
	rc = finish(res, c, cf->repo, &failed, rem.id, rem.commit_sha, cf->type, cf->clear);
done:
	ddci_dora_dep_release(&failed);
	ddci_dora_dep_release(&rem);
	return dry(res, rc);
}

int ddci_remediation_mark(struct ddci_change_failure_result *res, struct ddci_client *c, struct ddci_repo *r,
			  const char *target, const char *current_id, const char *current_sha, const char *service,
			  const char *env, int64_t started_ns)
{
	struct ddci_dora_find f = { service, env, NULL, current_id, started_ns };
	struct ddci_dora_dep failed;
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&failed, 0, sizeof(failed));
	if (!strcmp(target, "auto")) {
		rc = ddci_dora_find_deployment(&failed, c, &f);
		if (rc == DDCI_EUSAGE)
			rc = ddci_error_wrap(rc, "--remediates auto: nothing deployed before this deployment");
	} else {
		rc = get_dep(&failed, c, target);
	}
	if (rc == 0)
		rc = finish(res, c, r, &failed, current_id, current_sha, DDCI_REM_AUTO, 0);
	ddci_dora_dep_release(&failed);
	return dry(res, rc);
}
