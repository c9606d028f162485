/* gitq.c — answers git questions through libddci's git module, one per
 * input line, for the differential test against the `git` command
 * (tests/check/git-differential.sh).  Each answer is printed the way git
 * prints its own, then a line "." ; a failure prints "error: <message>".
 *
 *   gitq PATH < questions
 *   questions: head | branch | url [NAME] | id | mb A B | range A B |
 *              changed A B | anc A B
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
	} else if (!strcmp(op, "url") || !strcmp(op, "id")) {
		rc = ddci_git_remote_url(&s, r, *a ? a : NULL);
		if (!rc && s && !strcmp(op, "id")) {
			char *id = NULL;

			rc = ddci_repository_id(&id, s);
			free(s);
			s = id;
		}
		if (!rc)
			puts(s ? s : "");
	} else if (!strcmp(op, "mb")) {
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

int main(int argc, char **argv)
{
	char line[1024], op[64], a[256], b[256];

	if (argc != 2) {
		fprintf(stderr, "usage: gitq PATH < questions\n");
		return 2;
	}
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
