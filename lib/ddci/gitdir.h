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

#include <stddef.h>

#include "ddci/error.h"

struct ddci_gitdir {
	char *gitdir;    /* the .git directory (a worktree's own one for worktrees) */
	char *commondir; /* where objects, shared refs and config live */
	char *worktree;  /* the top of the working tree, NULL when bare or GIT_DIR */
	char *gitfile;   /* the ".git" file that named gitdir, or NULL */
};

#define DDCI_GITDIR_INIT { NULL, NULL, NULL, NULL }

/* Returned (positive) when the files do not give a sure answer. */
#define DDCI_GITDIR_UNSURE 1

/* Finds the repository for `path` the way git does: GIT_DIR when set;
 * else `.git` (directory or "gitdir:" file) first, then the directory
 * itself as a bare repository, then the parent, never into a
 * GIT_CEILING_DIRECTORIES entry nor across file systems (unless
 * GIT_DISCOVERY_ACROSS_FILESYSTEM).  A .git file that does not name a
 * repository is an error (git's message), never a reason to look further
 * up; ownership is checked as git checks it (ddci_gitdir_check_owner).
 * 0, UNSURE (nothing found), DDCI_EGIT, or DDCI_ENOMEM. */
int ddci_gitdir_discover(struct ddci_gitdir *out, const char *path) DDCI_WUR;
void ddci_gitdir_release(struct ddci_gitdir *d);

/* HEAD: *symref = the ref it ends at ("refs/heads/main" for HEAD ->
 * master -> main, malloc'd) or NULL when detached; sha = the commit it
 * names.  Like git, at most 5 refs are read (HEAD included): deeper is
 * DDCI_EGIT.  0, UNSURE (also for an unborn branch), or an error. */
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

/* remote.<name>.url as git reads it: system, global, then the
 * repository's config and GIT_CONFIG_COUNT entries; the first value wins
 * (an empty value clears those before it), then url.<base>.insteadOf is
 * applied (longest prefix).  0 with *out malloc'd, UNSURE (no such remote,
 * includes, worktree config), or an error. */
int ddci_gitdir_remote_url(char **out, const struct ddci_gitdir *d, const char *name) DDCI_WUR;

/* `url` with the longest of the prefixes replaced by its base: `pairs` is
 * base, prefix, base, prefix, ... (url.<base>.insteadOf = prefix). */
int ddci_gitdir_rewrite_url(char **out, const char *url, char *const *pairs, size_t npairs) DDCI_WUR;

/* git's ownership check: 0 when the worktree, .git file and git directory
 * belong to the user (SUDO_UID for root) or safe.directory (system, global
 * or command-line config) names the worktree (the git directory when bare)
 * or is "*"; else DDCI_EGIT naming the directory and the exact
 * `git config --global --add safe.directory` to run. */
int ddci_gitdir_check_owner(const struct ddci_gitdir *d) DDCI_WUR;

/* 1 when the repository is a shallow clone (a non-empty `shallow` file). */
int ddci_gitdir_is_shallow(const struct ddci_gitdir *d);

#endif
