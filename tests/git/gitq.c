/* gitq.c — answers git questions through libddci's git module, printed
 * the way git prints its own answers.
 *
 *   gitq PATH < questions   one question a line, each answer followed by a
 *                           line "." (a failure: "error: <message>"), for
 *                           the differential test against `git`
 *                           (tests/check/git-differential.sh)
 *   gitq PATH QUESTION      one question, for `make bench` (scenario 4) to
 *                           time against the `git` command; "none" starts,
 *                           loads the same libraries and exits (the cost
 *                           every ddci process pays anyway)
 *   questions: head | branch | url [NAME] (or remote) | id | mb A B (or
 *              merge-base) | range A B | changed A B | anc A B
 * The repository is opened once per question, as each ddci command does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddci/error.h"
#include "ddci/git.h"
#include "ddci/url.h"

static int print_sha(const char *sha, int64_t time_ns, void *ctx)
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

static int ask(struct ddci_repo *r, const char *op, const char *a, const char *b)
{
	char sha[41];
	char *s = NULL;
	int rc = 0, yes = 0;

	if (!strcmp(op, "head")) {
		if (!(rc = ddci_git_head(sha, r)))
			puts(sha);
	} else if (!strcmp(op, "branch")) {
		if (!(rc = ddci_git_branch(&s, r)))
			puts(s ? s : "HEAD");
	} else if (!strcmp(op, "url") || !strcmp(op, "remote") || !strcmp(op, "id")) {
		rc = ddci_git_remote_url(&s, r, *a ? a : NULL);
		if (!rc && s && !strcmp(op, "id")) {
			char *id = NULL;

			rc = ddci_repository_id(&id, s);
			free(s);
			s = id;
		}
		if (!rc && (s || strcmp(op, "remote")))
			puts(s ? s : "");
	} else if (!strcmp(op, "mb") || !strcmp(op, "merge-base")) {
		if (!(rc = ddci_git_merge_base(sha, r, a, b)))
			puts(sha);
	} else if (!strcmp(op, "range")) {
		rc = ddci_git_walk_range(r, a, b, 0, print_sha, NULL);
	} else if (!strcmp(op, "changed")) {
		rc = ddci_git_changed_files(r, a, b, print_path, NULL);
	} else if (!strcmp(op, "anc")) {
		if (!(rc = ddci_git_is_ancestor(&yes, r, a, b)))
			puts(yes ? "1" : "0");
	} else {
		rc = ddci_error_set(DDCI_EUSAGE, "unknown question '%s'", op);
	}
	free(s);
	return rc;
}

/* One question from the command line: exit 0, or 1 with the message. */
static int one(const char *path, int argc, char **argv)
{
	struct ddci_repo *r = NULL;
	int rc;

	if (!strcmp(argv[0], "none"))
		return 0;
	rc = ddci_git_open(&r, path);
	if (!rc)
		rc = ask(r, argv[0], argc > 1 ? argv[1] : "", argc > 2 ? argv[2] : "");
	if (rc)
		fprintf(stderr, "gitq: %s\n", ddci_error_last());
	ddci_git_free(r);
	ddci_git_shutdown();
	return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
	char line[1024], op[64], a[256], b[256];

	if (argc < 2) {
		fprintf(stderr, "usage: gitq PATH [QUESTION [A [B]]] (questions on stdin without one)\n");
		return 2;
	}
	if (argc > 2)
		return one(argv[1], argc - 2, argv + 2);
	while (fgets(line, sizeof(line), stdin)) {
		struct ddci_repo *r = NULL;
		int rc;

		op[0] = a[0] = b[0] = '\0';
		if (sscanf(line, "%63s %255s %255s", op, a, b) < 1)
			continue;
		rc = ddci_git_open(&r, argv[1]);
		if (!rc)
			rc = ask(r, op, a, b);
		if (rc)
			printf("error: %s\n", ddci_error_last());
		puts(".");
		fflush(stdout);
		ddci_git_free(r);
	}
	ddci_git_shutdown();
	return 0;
}
