/* test_git_limits.c — bounded git work on server data (issue 17): only shas
 * reach git from a Datadog answer, and history walks stop at the deadline
 * and at a commit budget.  A real repository of 40 commits built with `git`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ddci/dora.h"
#include "ddci/dora_report.h"
#include "ddci/error.h"
#include "ddci/git.h"
#include "ddci/timeutil.h"

#include "git_fixture.h"

#define NCOMMITS 40

static char tmp[256], repo[300], root[41], head[41];

static int setup(void **state)
{
	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/ddci-git-limits-XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	git_fixture_env(tmp);
	snprintf(repo, sizeof(repo), "%s/repo", tmp);
	if (sh("git init -q '%s' && cd '%s' && for i in $(seq 0 %d); do echo $i > f; git add f; "
	       "GIT_COMMITTER_DATE=\"@$((1700000000 + i * 60)) +0000\" git commit -q -m c$i; done",
	       repo, repo, NCOMMITS - 1) != 0)
		return -1;
	rev_parse(root, repo, "HEAD~39");
	rev_parse(head, repo, "HEAD");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ddci_git_shutdown();
	return sh("rm -rf '%s'", tmp) == 0 ? 0 : -1;
}

static void test_git_limits__is_sha(void **state)
{
	(void)state;
	assert_true(ddci_git_is_sha("abcdef0"));
	assert_true(ddci_git_is_sha("0123456789ABCDEF0123456789abcdef01234567"));
	assert_true(ddci_git_is_sha("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
	assert_false(ddci_git_is_sha("abcdef"));
	assert_false(ddci_git_is_sha(":/^c0$"));
	assert_false(ddci_git_is_sha("HEAD"));
	assert_false(ddci_git_is_sha("main~3"));
	assert_false(ddci_git_is_sha("abcdef0^"));
	assert_false(ddci_git_is_sha("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0"));
	assert_false(ddci_git_is_sha(""));
	assert_false(ddci_git_is_sha(NULL));
}

/* Finding 9: a server commit_sha like ':/^c0$' (a search of every commit
 * message) or 'HEAD~3' is not a sha: the deployment's commit is "missing",
 * git never sees it. */
static void test_git_limits__server_shas_never_reach_git_as_revisions(void **state)
{
	struct ddci_repo *r = NULL;
	struct ddci_dora_dep deps[4];
	char *shas[4] = { ":/^c0$", "HEAD~3", "main", head };
	int64_t *lead = NULL;
	size_t n = 0, missing = 0;
	(void)state;
	memset(deps, 0, sizeof(deps));
	for (int i = 0; i < 4; i++) {
		deps[i].commit_sha = shas[i];
		deps[i].finished_ns = (1700000000 + NCOMMITS * 60 + i) * INT64_C(1000000000);
	}
	assert_int_equal(ddci_git_open(&r, repo), 0);
	assert_int_equal(ddci_dora_lead_samples(&lead, NULL, &n, &missing, r, deps, 4, ":/^c1$"), 0);
	assert_int_equal(missing, 3);
	assert_int_equal(n, 1); /* HEAD alone: no valid commit before it */
	free(lead);
	ddci_git_free(r);
}

static int count(const char *sha, int64_t t, void *ctx)
{
	(void)sha, (void)t;
	(*(int *)ctx)++;
	return 0;
}

static void test_git_limits__walks_stop_at_the_commit_budget(void **state)
{
	struct ddci_repo *r = NULL;
	int n = 0;
	(void)state;
	assert_int_equal(ddci_git_open(&r, repo), 0);
	assert_int_equal(ddci_git_walk_range(r, root, head, 0, count, &n), 0);
	assert_int_equal(n, NCOMMITS - 1);
	ddci_git_set_limits(r, 0, 25);
	n = 0;
	assert_int_equal(ddci_git_walk_range(r, root, head, 0, count, &n), DDCI_EGIT);
	assert_non_null(strstr(ddci_error_last(), "too much history"));
	assert_true(ddci_git_over_budget(r));
	assert_int_equal(ddci_git_walk_range(r, NULL, head, 0, count, &n), DDCI_EGIT);
	ddci_git_free(r);
}

static void test_git_limits__walks_stop_at_the_deadline(void **state)
{
	struct ddci_repo *r = NULL;
	int n = 0;
	(void)state;
	assert_int_equal(ddci_git_open(&r, repo), 0);
	ddci_git_set_limits(r, ddci_time_mono_ns() - 1, -1);
	assert_int_equal(ddci_git_walk_range(r, root, head, 0, count, &n), DDCI_EUNAVAIL);
	assert_non_null(strstr(ddci_error_last(), "timed out"));
	assert_int_equal(ddci_git_walk_range(r, NULL, head, 0, count, &n), DDCI_EUNAVAIL);
	ddci_git_free(r);
}

/* Deployments alternating root and HEAD re-walk the history each time: the
 * budget ends it with an error instead of lead times made up of guesses. */
static void test_git_limits__lead_samples_stop_at_the_budget(void **state)
{
	struct ddci_repo *r = NULL;
	struct ddci_dora_dep deps[40];
	int64_t *lead = NULL;
	size_t n = 0, missing = 0;
	(void)state;
	memset(deps, 0, sizeof(deps));
	for (int i = 0; i < 40; i++) {
		deps[i].commit_sha = i % 2 ? root : head;
		deps[i].finished_ns = (1700000000 + NCOMMITS * 60 + i) * INT64_C(1000000000);
	}
	assert_int_equal(ddci_git_open(&r, repo), 0);
	ddci_git_set_limits(r, 0, 200);
	assert_int_equal(ddci_dora_lead_samples(&lead, NULL, &n, &missing, r, deps, 40, NULL), DDCI_EGIT);
	assert_null(lead);
	ddci_git_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_git_limits__is_sha),
		cmocka_unit_test(test_git_limits__server_shas_never_reach_git_as_revisions),
		cmocka_unit_test(test_git_limits__walks_stop_at_the_commit_budget),
		cmocka_unit_test(test_git_limits__walks_stop_at_the_deadline),
		cmocka_unit_test(test_git_limits__lead_samples_stop_at_the_budget),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
