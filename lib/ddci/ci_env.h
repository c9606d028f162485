/* ci_env.h — what the CI system says about this run.
 *
 * Detects the provider from its environment variables and reads commit sha,
 * branch, tag, repository URL (scrubbed), pipeline id/URL, job URL, PR
 * number, PR target branch and base sha, the job's start time, and the
 * job's identity that stays the same when the job is retried or re-run.
 * Used as a fallback when there is no .git and as extra event tags.
 */
#ifndef DDCI_CI_ENV_H
#define DDCI_CI_ENV_H

#include <stddef.h>
#include <stdint.h>

#include "ddci/error.h"

struct ddci_ci {
	const char *provider;  /* "github", "gitlab", "jenkins", ... or NULL */
	char *sha;
	char *branch;
	char *tag;
	char *repo_url;        /* without credentials */
	char *pipeline_id;
	char *pipeline_name;
	char *pipeline_url;
	char *job_url;
	char *pr_number;
	char *base_branch;     /* PR/MR target branch */
	char *base_sha;        /* MR diff base sha when the CI gives it */
	char *job_key;         /* this job of this run, the same across re-runs
			        * and retries ("4242/deploy"), or NULL */
	int64_t started_ns;    /* job (else pipeline) start, 0 when unknown */
	const char *started_var; /* the variable started_ns came from */
};

#define DDCI_CI_INIT { 0 }

/* Reads the environment through getenv_fn (getenv in production, a table
 * in tests). Unknown CI: provider NULL, fields NULL, returns 0.  The start
 * time is the provider's own variable (GitLab CI_JOB_STARTED_AT, then
 * CI_PIPELINE_CREATED_AT; Buildkite BUILDKITE_BUILD_CREATED_AT; Azure
 * SYSTEM_PIPELINESTARTTIME; CodeBuild CODEBUILD_START_TIME; Jenkins
 * BUILD_TIMESTAMP when readable); DDCI_JOB_STARTED_AT is read by the
 * commands themselves (ddci_ci_job_start), as it wins and must be valid. */
int ddci_ci_detect(struct ddci_ci *ci, const char *(*getenv_fn)(const char *name)) DDCI_WUR;
/* getenv(3) as ddci_ci_detect takes it: the process environment. */
const char *ddci_ci_getenv(const char *name);
void ddci_ci_release(struct ddci_ci *ci);

/* What tells one run of a reporting step apart from other runs, and stays
 * the same when the step is retried (the derived id of a deployment or an
 * incident): "ci:<job_key>" in buf when the CI names its job; else "" when
 * the start time given is relative ("now-5m" differs on every retry); else
 * NULL: the start time itself is the key. */
const char *ddci_ci_run_key(char *buf, size_t n, const struct ddci_ci *ci, const char *started);

/* The provider's name for people ("GitHub Actions"), or "this CI". */
const char *ddci_ci_display_name(const struct ddci_ci *ci);

#endif
