/* git_repo.h — what git.c and git_walk.c share, private to lib/git/.
 *
 * The repository handle, libgit2's error in context, and a revision
 * resolved to an oid: git.c opens and resolves, git_walk.c walks the
 * history (ancestry, merge bases, ranges) with them.  Not part of the
 * library's interface (that is ddci/git.h), so it stays beside the two
 * files that use it; tests/check/source.sh keeps it there.
 */
#ifndef DDCI_GIT_REPO_H
#define DDCI_GIT_REPO_H

#include <stdint.h>

#include <git2.h>

#include "ddci/error.h"
#include "ddci/gitdir.h"

struct ddci_repo {
	char *path;              /* as given: libgit2 discovers from it again */
	struct ddci_gitdir dir;  /* found by gitdir.c, or empty */
	git_repository *repo;    /* opened on first need */
	int64_t deadline_ns;     /* ddci_git_set_limits: monotonic, 0 = none */
	int64_t commits_left;    /* < 0: no limit */
};

#define DDCI_GIT_SHALLOW_HINT \
	"history is incomplete (shallow clone): fetch more history, e.g. 'git fetch --unshallow'"

/* Sets "<context>: <libgit2 message>" and returns DDCI_EGIT. */
DDCI_PRINTF(1, 2)
int ddci_git_fail(const char *fmt, ...);

/* The commit `rev` (NULL = HEAD) peels to; opens libgit2's repository on
 * first need.  The error names `rev` (and the shallow clone when the
 * object may lie beyond its boundary). */
int ddci_git_oid(git_oid *out, struct ddci_repo *r, const char *rev) DDCI_WUR;

#endif
