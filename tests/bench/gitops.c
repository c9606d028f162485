/* gitops.c — one git metadata operation through libddci's git module, for
 * `make bench` (scenario 4) to time against the `git` command doing the same.
 *
 * Usage: gitops REPO none             (starts, loads the same libraries, exits:
 *                                     the process cost that every ddci command
 *                                     pays anyway, subtracted from the others)
 *        gitops REPO head|branch|remote
 *        gitops REPO merge-base A B
 *        gitops REPO range FROM TO      (commits in FROM..TO, printed)
 *        gitops REPO changed FROM TO    (paths changed between the trees)
 * Prints what git would print for the equivalent command; exit 0 on success. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddci/error.h"
#include "ddci/git.h"

static int print_commit(const char *sha, int64_t time_ns, void *ctx)
{
	(void)time_ns;
	(void)ctx;
	return puts(sha) < 0;
}

static int print_path(const char *path, void *ctx)
{
	(void)ctx;
	return puts(path) < 0;
}

int main(int argc, char **argv)
{
	struct ddci_repo *r = NULL;
	char sha[41];
	char *s = NULL;
	const char *op;
	int rc;

	if (argc < 3) {
		fprintf(stderr, "usage: gitops REPO head|branch|remote|merge-base A B|range FROM TO|changed FROM TO\n");
		return 2;
	}
	op = argv[2];
	if (!strcmp(op, "none"))
		return 0;
	rc = ddci_git_open(&r, argv[1]);
	if (rc)
		goto done;
	if (!strcmp(op, "head")) {
		rc = ddci_git_head(sha, r);
		if (!rc)
			puts(sha);
	} else if (!strcmp(op, "branch")) {
		rc = ddci_git_branch(&s, r);
		if (!rc)
			puts(s ? s : "HEAD");
	} else if (!strcmp(op, "remote")) {
		rc = ddci_git_remote_url(&s, r, "origin");
		if (!rc && s)
			puts(s);
	} else if (!strcmp(op, "merge-base") && argc == 5) {
		rc = ddci_git_merge_base(sha, r, argv[3], argv[4]);
		if (!rc)
			puts(sha);
	} else if (!strcmp(op, "range") && argc == 5) {
		rc = ddci_git_walk_range(r, argv[3], argv[4], 0, print_commit, NULL);
	} else if (!strcmp(op, "changed") && argc == 5) {
		rc = ddci_git_changed_files(r, argv[3], argv[4], print_path, NULL);
	} else {
		fprintf(stderr, "gitops: unknown operation '%s'\n", op);
		rc = -1;
	}
done:
	if (rc && ddci_error_last() && *ddci_error_last())
		fprintf(stderr, "gitops: %s\n", ddci_error_last());
	free(s);
	ddci_git_free(r);
	ddci_git_shutdown();
	return rc ? 1 : 0;
}
