/* gitmeta.c — commit, repository and branch: flags, then git, then CI. */
#include "ddci/gitmeta.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddci/redact.h"

static int is_sha(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (!isxdigit((unsigned char)s[n]))
			return 0;
	return n == 40;
}

/* A repository URL as git takes one: scheme://host/path, or the scp-like
 * [user@]host:path; no white space or control characters. */
static int looks_like_repo_url(const char *u)
{
	const char *sep = strstr(u, "://"), *colon, *slash;

	for (const char *p = u; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return 0;
	if (sep) {
		for (const char *p = u; p < sep; p++)
			if (!isalnum((unsigned char)*p) && !strchr("+-.", *p))
				return 0;
		return sep > u && sep[3] && sep[3] != '/';
	}
	colon = strchr(u, ':');
	slash = strchr(u, '/');
	return colon && colon > u && colon[1] && (!slash || slash > colon);
}

static const char *env_get(const char *name)
{
	return getenv(name);
}

static int set_copy(char **field, const char *v)
{
	if (*field || !v || !*v)
		return 0;
	*field = strdup(v);
	return *field ? 0 : ddci_error_set(DDCI_ENOMEM, "out of memory");
}

int ddci_gitmeta_read(struct ddci_gitmeta *m, const char *repo_path, const char *commit,
		      const char *repository_url, unsigned need)
{
	char sha[41];
	int rc, git_rc = 0;
	char git_msg[512] = "";

	if (commit && *commit) {
		if (!is_sha(commit))
			return ddci_error_set(DDCI_EUSAGE,
					      "invalid --commit-sha '%s': expected a full 40-character hex sha",
					      commit);
		if ((rc = set_copy(&m->commit_sha, commit)) < 0)
			return rc;
		m->source = "flags";
	}
	if (repository_url && *repository_url) {
		if (!looks_like_repo_url(repository_url))
			return ddci_error_set(DDCI_EUSAGE,
					      "invalid --repository-url '%s': expected a URL such as "
					      "https://github.com/org/repo.git or git@github.com:org/repo.git",
					      repository_url);
		m->repository_url = ddci_redact_url(repository_url);
		if (!m->repository_url)
			return ddci_error_set(DDCI_ENOMEM, "out of memory");
	}

	/* The repository: needed for history, or to fill what flags left out. */
	if ((need & DDCI_META_REPO) || !m->commit_sha || !m->repository_url || (need & DDCI_META_BRANCH)) {
		git_rc = ddci_git_open(&m->repo, repo_path);
		if (git_rc < 0) {
			snprintf(git_msg, sizeof(git_msg), "%s", ddci_error_last());
			if (need & DDCI_META_REPO)
				return git_rc;
		}
	}
	if (m->repo) {
		if (!m->commit_sha) {
			if ((rc = ddci_git_head(sha, m->repo)) < 0)
				return rc;
			if ((rc = set_copy(&m->commit_sha, sha)) < 0)
				return rc;
			m->source = "git";
		}
		if (!m->repository_url && (rc = ddci_git_remote_url(&m->repository_url, m->repo, NULL)) < 0)
			return rc;
		if ((rc = ddci_git_branch(&m->branch, m->repo)) < 0)
			return rc;
	}

	/* The CI provider fills the rest (and the detached-HEAD branch). */
	if ((rc = ddci_ci_detect(&m->ci, env_get)) < 0)
		return rc;
	if (!m->commit_sha && m->ci.sha && is_sha(m->ci.sha)) {
		if ((rc = set_copy(&m->commit_sha, m->ci.sha)) < 0)
			return rc;
		m->source = "ci";
	}
	if ((rc = set_copy(&m->repository_url, m->ci.repo_url)) < 0 ||
	    (rc = set_copy(&m->branch, m->ci.branch)) < 0)
		return rc;

	if (m->repository_url && ddci_repository_id(&m->repository_id, m->repository_url) < 0)
		m->repository_id = NULL; /* an unusual URL is still sent as is */

	if ((need & DDCI_META_COMMIT) && !m->commit_sha)
		return ddci_error_set(DDCI_EUSAGE, "no commit: %s; pass --commit-sha or --no-git",
				      *git_msg ? git_msg : "HEAD has no commit");
	if ((need & DDCI_META_URL) && !m->repository_url)
		return ddci_error_set(DDCI_EUSAGE,
				      "no repository URL: the repository has no remote and no CI variable names one; pass --repository-url or --no-git");
	if ((need & DDCI_META_BRANCH) && !m->branch)
		return ddci_error_set(DDCI_EUSAGE, "no branch: HEAD is detached and the CI does not name one; pass --branch");
	return 0;
}

void ddci_gitmeta_release(struct ddci_gitmeta *m)
{
	if (!m)
		return;
	free(m->commit_sha);
	free(m->repository_url);
	free(m->repository_id);
	free(m->branch);
	ddci_git_free(m->repo);
	ddci_ci_release(&m->ci);
	memset(m, 0, sizeof(*m));
}
