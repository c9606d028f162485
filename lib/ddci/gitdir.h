/* gitdir.h — the few things ddci reads straight from a repository's files:
 * where the repository is, HEAD, one ref, one value of its own config, and
 * whether it is shallow.
 *
 * Opening a repository through libgit2 costs more than all of these together
 * (Debian's libgit2 parses the whole system CA bundle when it initialises),
 * and most commands need nothing else.  Every reader answers only what it is
 * sure of and returns DDCI_GITDIR_UNSURE otherwise (reftable, config
 * includes, worktree config, content it does not recognise, anything not
 * found), so that the caller asks libgit2: an answer from here is never
 * different from libgit2's, only cheaper.
 */
#ifndef DDCI_GITDIR_H
#define DDCI_GITDIR_H

#include "ddci/error.h"

struct ddci_gitdir {
	char *gitdir;    /* the .git directory (a worktree's own one for worktrees) */
	char *commondir; /* where objects, shared refs and config live */
};

#define DDCI_GITDIR_INIT { NULL, NULL }

/* Returned (positive) when the files do not give a sure answer. */
#define DDCI_GITDIR_UNSURE 1

/* Discovers the repository at or above `path` the way git does: `.git`
 * (directory or "gitdir:" file) first, then the directory itself as a bare
 * repository, then the parent; not across file systems.  0, UNSURE, or
 * DDCI_ENOMEM. */
int ddci_gitdir_discover(struct ddci_gitdir *out, const char *path) DDCI_WUR;
void ddci_gitdir_release(struct ddci_gitdir *d);

/* HEAD: *symref = its target ("refs/heads/main", malloc'd) or NULL when
 * detached; sha = the commit it names.  0, UNSURE (also for an unborn
 * branch), or DDCI_ENOMEM. */
int ddci_gitdir_head(char sha[41], char **symref, const struct ddci_gitdir *d) DDCI_WUR;

/* The sha a ref names (loose, then packed-refs; symbolic refs followed).
 * 0 or UNSURE. */
int ddci_gitdir_ref(char sha[41], const struct ddci_gitdir *d, const char *refname) DDCI_WUR;

/* The value of `section.subsection.key` (e.g. "remote.origin.url") in the
 * repository's own config file, the last one when it is set more than once.
 * 0 with *out malloc'd, UNSURE (not set there, includes, worktree config,
 * syntax this reader does not take), or DDCI_ENOMEM. */
int ddci_gitdir_config(char **out, const struct ddci_gitdir *d, const char *section,
		       const char *subsection, const char *key) DDCI_WUR;

/* 1 when the repository is a shallow clone (a non-empty `shallow` file). */
int ddci_gitdir_is_shallow(const struct ddci_gitdir *d);

#endif
