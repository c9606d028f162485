/* git_fixture.h — what the unit tests that build real repositories with
 * `git` share (test_git.c, test_gitdir.c): a shell runner and an
 * environment that makes `git` independent of the user running the tests.
 * Include after <stdarg.h>, <stdio.h>, <stdlib.h>, <string.h> and <cmocka.h>. */
#ifndef DDCI_TEST_GIT_FIXTURE_H
#define DDCI_TEST_GIT_FIXTURE_H

#include "ddci/error.h"

/* Runs a printf-formatted shell command; system()'s status. */
DDCI_PRINTF(1, 2)
static int sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

/* HOME in the test's directory, no system config, fixed identities, and no
 * GIT_DIR/GIT_WORK_TREE from outside. */
static void git_fixture_env(const char *home)
{
	setenv("HOME", home, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("GIT_AUTHOR_NAME", "Ada Lovelace", 1);
	setenv("GIT_AUTHOR_EMAIL", "ada@example.com", 1);
	setenv("GIT_COMMITTER_NAME", "CI Bot", 1);
	setenv("GIT_COMMITTER_EMAIL", "ci@example.com", 1);
	unsetenv("GIT_DIR");
	unsetenv("GIT_WORK_TREE");
}

/* The 40-hex id of REV in the repository at REPO, as `git rev-parse` says. */
static inline void rev_parse(char out[41], const char *repo, const char *rev)
{
	char cmd[1024];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "git -C '%s' rev-parse '%s'", repo, rev);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(out, 41, p));
	pclose(p);
	assert_int_equal(strlen(out), 40);
}

#endif
