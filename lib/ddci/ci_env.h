/* ci_env.h — what the CI system says about this run.
 *
 * Detects the provider from its environment variables and reads commit sha,
 * branch, tag, repository URL (scrubbed), pipeline id/URL, job URL, PR
 * number, PR target branch and base sha, and the pipeline start time.
 * Used as a fallback when there is no .git and as extra event tags.
 */
#ifndef DDCI_CI_ENV_H
#define DDCI_CI_ENV_H

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
	int64_t started_ns;    /* pipeline/job start, 0 when unknown */
};

#define DDCI_CI_INIT { 0 }

/* Reads the environment through getenv_fn (getenv in production, a table
 * in tests). Unknown CI: provider NULL, fields NULL, returns 0. */
int ddci_ci_detect(struct ddci_ci *ci, const char *(*getenv_fn)(const char *name)) DDCI_WUR;
void ddci_ci_release(struct ddci_ci *ci);

#endif
