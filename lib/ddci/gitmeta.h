/* gitmeta.h — the source an event is about: commit, repository, branch.
 *
 * One resolution order for every command: explicit flags, then the git
 * repository (libgit2), then the CI provider's variables (ci_env.h).  The
 * repository stays open for commands that need history (ancestry, ranges).
 */
#ifndef DDCI_GITMETA_H
#define DDCI_GITMETA_H

#include "ddci/ci_env.h"
#include "ddci/error.h"
#include "ddci/git.h"

struct ddci_gitmeta {
	char *commit_sha;      /* 40 hex (64 for SHA-256) */
	char *repository_url;  /* without credentials */
	char *repository_id;   /* github.com/org/repo */
	char *branch;          /* NULL when unknown (detached HEAD outside CI) */
	const char *source;    /* "git", "ci" or "flags": where the commit came from */
	struct ddci_repo *repo;/* NULL when there is no repository */
	struct ddci_ci ci;
};

#define DDCI_GITMETA_INIT { NULL, NULL, NULL, NULL, NULL, NULL, DDCI_CI_INIT }

enum {
	DDCI_META_COMMIT = 1 << 0, /* a commit sha is required */
	DDCI_META_URL = 1 << 1,    /* a repository URL is required */
	DDCI_META_BRANCH = 1 << 2, /* a branch is required */
	DDCI_META_REPO = 1 << 3    /* an open repository is required (history) */
};

/* Flags win (commit/url may be NULL); `need` says what must be found —
 * when it is not, DDCI_EUSAGE names the flag to pass. */
int ddci_gitmeta_read(struct ddci_gitmeta *m, const char *repo_path, const char *commit,
		      const char *repository_url, unsigned need) DDCI_WUR;
void ddci_gitmeta_release(struct ddci_gitmeta *m);

#endif
