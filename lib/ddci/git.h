/* git.h — what ddci reads from git.
 *
 * HEAD, the branch, a remote's URL and shallowness come from the
 * repository's files (gitdir.h) whenever they plainly answer; libgit2 is
 * initialised and the repository opened through it only when history is
 * needed (revisions, ancestry, ranges, diffs) or the files are unusual, so
 * most commands never pay for it.  Ranges and merge bases are walked over
 * raw commits, reading only what the question needs.  Remote URLs come back
 * scrubbed of credentials.  Shallow clones are detected and named in the
 * error when history is missing.
 */
#ifndef DDCI_GIT_H
#define DDCI_GIT_H

#include <stddef.h>
#include <stdint.h>

#include "ddci/error.h"

struct ddci_repo;

/* Returned (positive, message set: "not a git repository: '<path>'") when
 * there is no repository at or above the path. */
#define DDCI_GIT_NONE 1

/* Finds the repository for `path` (NULL = ".") the way git does
 * (gitdir.h: GIT_DIR, ceilings, .git files, ownership).  0, DDCI_GIT_NONE,
 * or DDCI_EGIT when git would refuse the repository it found (a .git file
 * naming no repository, dubious ownership): callers must not carry on
 * without git then. */
int ddci_git_open(struct ddci_repo **out, const char *path) DDCI_WUR;
void ddci_git_free(struct ddci_repo *r);

/* 40-hex sha of HEAD. */
int ddci_git_head(char out[41], struct ddci_repo *r) DDCI_WUR;
/* Resolves any revision (sha, branch, tag, "origin/main", "HEAD~2"). */
int ddci_git_resolve(char out[41], struct ddci_repo *r, const char *rev) DDCI_WUR;
/* Current branch short name ("main"), or *out = NULL when HEAD is detached. */
int ddci_git_branch(char **out, struct ddci_repo *r) DDCI_WUR;
/* URL of remote `name` (NULL = "origin", else the first remote), without
 * credentials; *out = NULL when there is no remote. */
int ddci_git_remote_url(char **out, struct ddci_repo *r, const char *name) DDCI_WUR;
int ddci_git_is_shallow(struct ddci_repo *r);

/* *out = 1 when `ancestor` is `descendant` or one of its ancestors.
 * DDCI_EGIT naming the shallow clone when the history needed is missing. */
int ddci_git_is_ancestor(int *out, struct ddci_repo *r, const char *ancestor,
			 const char *descendant) DDCI_WUR;
int ddci_git_merge_base(char out[41], struct ddci_repo *r, const char *a, const char *b) DDCI_WUR;
/* Committer time of a commit, in ns. */
int ddci_git_commit_time(int64_t *out_ns, struct ddci_repo *r, const char *rev) DDCI_WUR;

/* One commit, for reports. Release with ddci_git_commit_release(). */
struct ddci_git_commit {
	char sha[41];
	char *author_name;
	char *author_email;
	char *summary;          /* first paragraph of the message, one line */
	int64_t time_ns;        /* committer time */
	int64_t author_time_ns;
};

#define DDCI_GIT_COMMIT_INIT { { 0 }, NULL, NULL, NULL, 0, 0 }

/* Reads `rev` (NULL = HEAD). On error *out is left empty. */
int ddci_git_commit_info(struct ddci_git_commit *out, struct ddci_repo *r, const char *rev) DDCI_WUR;
void ddci_git_commit_release(struct ddci_git_commit *c);

/* Commits in from..to (reachable from `to`, not from `from`), newest first,
 * at most `limit` (0 = no limit): fn(sha, commit time ns, ctx) returns 0 to
 * go on, non-zero to stop. `from` NULL = no lower bound (then set a limit);
 * `to` NULL = HEAD. */
int ddci_git_walk_range(struct ddci_repo *r, const char *from, const char *to, size_t limit,
			int (*fn)(const char *sha, int64_t time_ns, void *ctx), void *ctx) DDCI_WUR;

/* Paths changed between the trees of `from` and `to` (renames count as
 * both names): fn(path, ctx) returns 0 to go on. `from` NULL = the empty
 * tree (everything in `to`); `to` NULL = HEAD. */
int ddci_git_changed_files(struct ddci_repo *r, const char *from, const char *to,
			   int (*fn)(const char *path, void *ctx), void *ctx) DDCI_WUR;

/* A commit sha as data may name one: 7 to 64 hex digits.  Shas from a
 * server are checked with it before they reach git (a revision such as
 * ':/^c0$' would search every commit message). */
int ddci_git_is_sha(const char *s);

/* Bounds the history walks on r (ranges, merge bases, shallow walks) for
 * work driven by data: past `deadline_mono_ns` (0: none) they fail with
 * DDCI_EUNAVAIL (timed out), past `max_commits` commits read in all (< 0:
 * no limit) with DDCI_EGIT. */
void ddci_git_set_limits(struct ddci_repo *r, int64_t deadline_mono_ns, int64_t max_commits);
/* Has a walk on r run out of its commit budget? */
int ddci_git_over_budget(const struct ddci_repo *r);

/* libgit2 shutdown if it was initialised (call at exit). */
void ddci_git_shutdown(void);

#endif
