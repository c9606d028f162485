/* gitmeta.c — commit, repository and branch: flags, then git, then CI. */
#include "ddci/gitmeta.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddci/url.h"

/* A full commit sha: 40 hex (SHA-1) or 64 hex (SHA-256), as the API takes
 * ("{40,}"). */
static int is_sha(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!isxdigit((unsigned char)s[n]))
			return 0;
	return n == 40 || n == 64;
}

/* The repository URL and id, both printed from one parse of `text` (which
 * keeps no credentials). */
static int set_url(struct ddci_gitmeta *m, const char *text)
{
	struct ddci_url u;
	int rc;

	if (m->repository_url || !text || !*text)
		return 0;
	if ((rc = ddci_url_parse(&u, text)) < 0)
		return rc;
	m->repository_url = ddci_url_format(&u);
	rc = m->repository_url ? 0 : ddci_error_oom();
	if (!rc && *m->repository_url && ddci_url_repository_id(&m->repository_id, &u) < 0)
		m->repository_id = NULL; /* an unusual URL is still sent as is */
	if (!rc && !*m->repository_url) {
		free(m->repository_url); /* blank: unset, like git */
		m->repository_url = NULL;
	}
	ddci_url_release(&u);
	return rc;
}

/* --repository-url: refused unless git would take it; the message shows
 * it without credentials. */
static int set_url_flag(struct ddci_gitmeta *m, const char *text)
{
	struct ddci_url u;
	char *safe;
	int rc = ddci_url_parse(&u, text);

	if (rc < 0)
		return rc;
	if (!ddci_url_is_repository(&u)) {
		safe = ddci_url_format(&u);
		rc = ddci_error_set(DDCI_EUSAGE,
				    "invalid --repository-url '%s': expected a URL such as "
				    "https://github.com/org/repo.git or git@github.com:org/repo.git",
				    safe ? safe : "");
		free(safe);
	}
	ddci_url_release(&u);
	return rc ? rc : set_url(m, text);
}

static int set_copy(char **field, const char *v)
{
	if (*field || !v || !*v)
		return 0;
	*field = strdup(v);
	return *field ? 0 : ddci_error_oom();
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
					      "invalid --commit-sha '%s': expected a full 40- or 64-character hex sha",
					      commit);
		if ((rc = set_copy(&m->commit_sha, commit)) < 0)
			return rc;
		m->source = "flags";
	}
	if (repository_url && *repository_url && (rc = set_url_flag(m, repository_url)) < 0)
		return rc;

	/* The repository: needed for history, or to fill what flags left out. */
	if ((need & DDCI_META_REPO) || !m->commit_sha || !m->repository_url || (need & DDCI_META_BRANCH)) {
		/* No repository: the CI fills in.  One git refuses: an error for
		 * every command, the same one. */
		git_rc = ddci_git_open(&m->repo, repo_path);
		if (git_rc < 0)
			return git_rc;
		if (git_rc == DDCI_GIT_NONE) {
			snprintf(git_msg, sizeof(git_msg), "%s", ddci_error_last());
			if (need & DDCI_META_REPO)
				return DDCI_EGIT;
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
		if (!m->repository_url) {
			char *url = NULL;

			rc = ddci_git_remote_url(&url, m->repo, NULL);
			if (rc == 0)
				rc = set_url(m, url);
			free(url);
			if (rc < 0)
				return rc;
		}
		if ((rc = ddci_git_branch(&m->branch, m->repo)) < 0)
			return rc;
	}

	/* The CI provider fills the rest (and the detached-HEAD branch). */
	if ((rc = ddci_ci_detect(&m->ci, ddci_ci_getenv)) < 0)
		return rc;
	if (!m->commit_sha && m->ci.sha && is_sha(m->ci.sha)) {
		if ((rc = set_copy(&m->commit_sha, m->ci.sha)) < 0)
			return rc;
		m->source = "ci";
	}
	if ((rc = set_url(m, m->ci.repo_url)) < 0 || (rc = set_copy(&m->branch, m->ci.branch)) < 0)
		return rc;

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
