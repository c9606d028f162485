/* test_git.c — ddci_git_* against real repositories built with `git` in a
 * temporary directory: branches, an annotated tag, a rename, a credentialed
 * remote, a detached HEAD and a shallow clone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "ddci/error.h"
#include "ddci/git.h"

#include "git_fixture.h"

static char tmp[256];
/* Shas of the fixture: main is c1 - c2 - c3, feature is c2 - f1, v1 tags c2,
 * merged is c3 + f1 merged (m1). */
static char c1[41], c2[41], c3[41], f1[41], m1[41];

static const char *path_of(const char *name)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmp, name);
	return buf[i];
}

/* A commit at a fixed time so that time order is known. */
static int commit_at(const char *repo, long t, const char *msg)
{
	return sh("cd '%s' && git add -A && GIT_AUTHOR_DATE='@%ld +0000' "
		  "GIT_COMMITTER_DATE='@%ld +0000' git commit -q -m '%s'",
		  repo, t, t, msg);
}

static int setup(void **state)
{
	char src[512];

	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/ddci-test-git-XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	/* Make `git` independent of the user's configuration. */
	git_fixture_env(tmp);

	snprintf(src, sizeof(src), "%s", path_of("src"));
	if (sh("git init -q -b main '%s'", src) ||
	    sh("cd '%s' && printf 'one\\ntwo\\nthree\\nfour\\nfive\\n' > a.txt", src) ||
	    commit_at(src, 1700000000, "first commit") ||
	    sh("cd '%s' && echo b > b.txt", src) ||
	    commit_at(src, 1700000100, "second commit\n\nwith a body") ||
	    sh("cd '%s' && git tag -a -m 'release 1' v1", src) ||
	    sh("cd '%s' && git checkout -q -b feature && mkdir docs && git mv a.txt docs/a-renamed.txt && "
	       "echo b2 >> b.txt", src) ||
	    commit_at(src, 1700000200, "feature: rename a") ||
	    sh("cd '%s' && git checkout -q main && echo c > c.txt", src) ||
	    commit_at(src, 1700000300, "third commit") ||
	    sh("cd '%s' && git checkout -q -b merged && GIT_AUTHOR_DATE='@1700000400 +0000' "
	       "GIT_COMMITTER_DATE='@1700000400 +0000' git merge -q --no-ff -m 'merge feature' feature && "
	       "git checkout -q main", src) ||
	    sh("cd '%s' && git remote add origin https://user:secret@github.com/acme/shop.git && "
	       "mkdir -p sub/dir", src))
		return -1;
	rev_parse(c1, src, "main~2");
	rev_parse(c2, src, "main~1");
	rev_parse(c3, src, "main");
	rev_parse(f1, src, "feature");
	rev_parse(m1, src, "merged");

	/* A clone with a detached HEAD and a remote that is not "origin". */
	if (sh("git clone -q '%s' '%s' && cd '%s' && git checkout -q --detach HEAD~1 && "
	       "git remote rename origin upstream && git remote add zeta https://zeta.example/z.git && "
	       "git remote add alpha https://bob:pw@alpha.example/a.git",
	       src, path_of("detached"), path_of("detached")))
		return -1;
	/* Shallow clones (file:// so that --depth is honoured): every branch at
	 * depth 1 without tags, and main at depth 2. */
	if (sh("git clone -q --depth 1 --no-single-branch --no-tags 'file://%s' '%s' 2>/dev/null", src,
	       path_of("shallow")))
		return -1;
	if (sh("git clone -q --depth 2 'file://%s' '%s' 2>/dev/null", src, path_of("shallow2")))
		return -1;
	/* No remote at all. */
	if (sh("git init -q -b main '%s' && cd '%s' && echo x > x && git add x && "
	       "git commit -q -m x",
	       path_of("bare-remote"), path_of("bare-remote")))
		return -1;
	if (mkdir(path_of("notrepo"), 0700) != 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ddci_git_shutdown();
	if (getenv("DDCI_TEST_KEEP"))
		return 0;
	if (tmp[0] && strncmp(tmp, "/tmp/ddci-test-git-", 19) == 0)
		return sh("rm -rf '%s'", tmp) ? -1 : 0;
	return 0;
}

static struct ddci_repo *open_ok(const char *name)
{
	struct ddci_repo *r = NULL;

	assert_int_equal(ddci_git_open(&r, path_of(name)), 0);
	assert_non_null(r);
	return r;
}

static void test_git__open_discovers_from_a_subdirectory(void **state)
{
	struct ddci_repo *r = open_ok("src/sub/dir");
	char head[41];

	(void)state;
	assert_int_equal(ddci_git_head(head, r), 0);
	assert_string_equal(head, c3);
	ddci_git_free(r);
}

static void test_git__open_not_a_repository(void **state)
{
	struct ddci_repo *r = (struct ddci_repo *)&r;
	char want[600];

	(void)state;
	assert_int_equal(ddci_git_open(&r, path_of("notrepo")), DDCI_GIT_NONE);
	assert_null(r);
	snprintf(want, sizeof(want), "not a git repository: '%s'", path_of("notrepo"));
	assert_string_equal(ddci_error_last(), want);
	ddci_git_free(NULL); /* NULL-safe */
}

static void test_git__resolve_revisions(void **state)
{
	struct ddci_repo *r = open_ok("src");
	char sha[41];

	(void)state;
	assert_int_equal(ddci_git_resolve(sha, r, "main"), 0);
	assert_string_equal(sha, c3);
	assert_int_equal(ddci_git_resolve(sha, r, "HEAD~2"), 0);
	assert_string_equal(sha, c1);
	assert_int_equal(ddci_git_resolve(sha, r, "v1"), 0); /* annotated tag, peeled */
	assert_string_equal(sha, c2);
	assert_int_equal(ddci_git_resolve(sha, r, "feature"), 0);
	assert_string_equal(sha, f1);
	assert_int_equal(ddci_git_resolve(sha, r, c1), 0);
	assert_string_equal(sha, c1);
	ddci_git_free(r);
}

static void test_git__resolve_unknown_revision(void **state)
{
	struct ddci_repo *r = open_ok("src");
	char sha[41];

	(void)state;
	assert_int_equal(ddci_git_resolve(sha, r, "origin/nope"), DDCI_EGIT);
	assert_string_equal(sha, "");
	assert_non_null(strstr(ddci_error_last(), "cannot resolve 'origin/nope': "));
	/* A full repository says nothing about shallow clones. */
	assert_null(strstr(ddci_error_last(), "shallow"));
	ddci_git_free(r);
}

static void test_git__branch_name_and_detached_head(void **state)
{
	struct ddci_repo *r = open_ok("src");
	char *branch = NULL;
	char head[41];

	(void)state;
	assert_int_equal(ddci_git_branch(&branch, r), 0);
	assert_string_equal(branch, "main");
	free(branch);
	ddci_git_free(r);

	r = open_ok("detached");
	branch = (char *)"sentinel";
	assert_int_equal(ddci_git_branch(&branch, r), 0);
	assert_null(branch);
	assert_int_equal(ddci_git_head(head, r), 0);
	assert_string_equal(head, c2);
	ddci_git_free(r);
}

static void test_git__remote_url_without_credentials(void **state)
{
	struct ddci_repo *r = open_ok("src");
	char *url = NULL;

	(void)state;
	assert_int_equal(ddci_git_remote_url(&url, r, NULL), 0);
	assert_non_null(url);
	assert_null(strstr(url, "secret"));
	assert_null(strstr(url, "user"));
	assert_string_equal(url, "https://github.com/acme/shop.git");
	free(url);

	assert_int_equal(ddci_git_remote_url(&url, r, "origin"), 0);
	assert_null(strstr(url, "secret"));
	free(url);

	assert_int_equal(ddci_git_remote_url(&url, r, "nope"), DDCI_EGIT);
	assert_null(url);
	assert_non_null(strstr(ddci_error_last(), "'nope'"));
	ddci_git_free(r);
}

static void test_git__remote_url_falls_back_to_first_remote(void **state)
{
	struct ddci_repo *r = open_ok("detached");
	char *url = NULL;

	(void)state;
	assert_int_equal(ddci_git_remote_url(&url, r, NULL), 0);
	assert_non_null(url);
	/* The first by name, as git_remote_list() orders them, scrubbed. */
	assert_string_equal(url, "https://alpha.example/a.git");
	free(url);

	assert_int_equal(ddci_git_remote_url(&url, r, "upstream"), 0);
	assert_string_equal(url, path_of("src"));
	free(url);
	ddci_git_free(r);

	r = open_ok("bare-remote");
	url = (char *)"sentinel";
	assert_int_equal(ddci_git_remote_url(&url, r, NULL), 0);
	assert_null(url);
	ddci_git_free(r);
}

static void test_git__merge_base_and_ancestry(void **state)
{
	struct ddci_repo *r = open_ok("src");
	char base[41];
	int yes = -1;

	(void)state;
	assert_int_equal(ddci_git_is_shallow(r), 0);
	assert_int_equal(ddci_git_merge_base(base, r, "main", "feature"), 0);
	assert_string_equal(base, c2);

	assert_int_equal(ddci_git_is_ancestor(&yes, r, c1, "main"), 0);
	assert_int_equal(yes, 1);
	assert_int_equal(ddci_git_is_ancestor(&yes, r, "main", c1), 0);
	assert_int_equal(yes, 0);
	assert_int_equal(ddci_git_is_ancestor(&yes, r, "main", "main"), 0);
	assert_int_equal(yes, 1); /* equal counts */
	assert_int_equal(ddci_git_is_ancestor(&yes, r, "feature", "main"), 0);
	assert_int_equal(yes, 0);
	assert_int_equal(ddci_git_is_ancestor(&yes, r, "v1", "feature"), 0);
	assert_int_equal(yes, 1);
	ddci_git_free(r);
}

static void test_git__commit_time_and_info(void **state)
{
	struct ddci_repo *r = open_ok("src");
	struct ddci_git_commit c = DDCI_GIT_COMMIT_INIT;
	int64_t ns = 0;

	(void)state;
	assert_int_equal(ddci_git_commit_time(&ns, r, "v1"), 0);
	assert_true(ns == INT64_C(1700000100) * INT64_C(1000000000));

	assert_int_equal(ddci_git_commit_info(&c, r, "v1"), 0);
	assert_string_equal(c.sha, c2);
	assert_string_equal(c.author_name, "Ada Lovelace");
	assert_string_equal(c.author_email, "ada@example.com");
	assert_string_equal(c.summary, "second commit");
	assert_true(c.time_ns == INT64_C(1700000100) * INT64_C(1000000000));
	assert_true(c.author_time_ns == INT64_C(1700000100) * INT64_C(1000000000));
	ddci_git_commit_release(&c);
	assert_null(c.summary);
	ddci_git_commit_release(NULL);

	assert_int_equal(ddci_git_commit_info(&c, r, "nope"), DDCI_EGIT);
	assert_null(c.author_name);
	ddci_git_free(r);
}

struct paths {
	char got[8][128];
	int n;
	int stop_after;
};

static int add_path(const char *path, void *ctx)
{
	struct paths *p = ctx;

	if (p->n < 8)
		snprintf(p->got[p->n], sizeof(p->got[0]), "%s", path);
	p->n++;
	return p->stop_after && p->n >= p->stop_after;
}

static int has_path(const struct paths *p, const char *path)
{
	for (int i = 0; i < p->n && i < 8; i++)
		if (!strcmp(p->got[i], path))
			return 1;
	return 0;
}

static void test_git__changed_files_reports_both_names_of_a_rename(void **state)
{
	struct ddci_repo *r = open_ok("src");
	struct paths p = { .n = 0 };

	(void)state;
	assert_int_equal(ddci_git_changed_files(r, "main~1", "feature", add_path, &p), 0);
	assert_int_equal(p.n, 3);
	assert_true(has_path(&p, "docs/a-renamed.txt"));
	assert_true(has_path(&p, "a.txt"));
	assert_true(has_path(&p, "b.txt"));

	/* The callback can stop the iteration. */
	memset(&p, 0, sizeof(p));
	p.stop_after = 1;
	assert_int_equal(ddci_git_changed_files(r, "main~1", "feature", add_path, &p), 0);
	assert_int_equal(p.n, 1);

	/* From the empty tree: everything in the first commit. */
	memset(&p, 0, sizeof(p));
	assert_int_equal(ddci_git_changed_files(r, NULL, c1, add_path, &p), 0);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.got[0], "a.txt");
	ddci_git_free(r);
}

struct shas {
	char got[8][41];
	int64_t t[8];
	int n;
	int stop_after;
};

static int add_sha(const char *sha, int64_t time_ns, void *ctx)
{
	struct shas *s = ctx;

	if (s->n < 8) {
		memcpy(s->got[s->n], sha, 41);
		s->t[s->n] = time_ns;
	}
	s->n++;
	return s->stop_after && s->n >= s->stop_after;
}

static void test_git__walk_range_newest_first_with_limit(void **state)
{
	struct ddci_repo *r = open_ok("src");
	struct shas s = { .n = 0 };

	(void)state;
	assert_int_equal(ddci_git_walk_range(r, c1, "main", 0, add_sha, &s), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.got[0], c3);
	assert_string_equal(s.got[1], c2);
	assert_true(s.t[0] == INT64_C(1700000300) * INT64_C(1000000000));

	memset(&s, 0, sizeof(s));
	assert_int_equal(ddci_git_walk_range(r, c1, "main", 1, add_sha, &s), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.got[0], c3);

	/* main..feature is the feature commit only. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(ddci_git_walk_range(r, "main", "feature", 0, add_sha, &s), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.got[0], f1);

	/* No lower bound, bounded by the limit; the callback can stop too. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(ddci_git_walk_range(r, NULL, NULL, 2, add_sha, &s), 0);
	assert_int_equal(s.n, 2);
	memset(&s, 0, sizeof(s));
	s.stop_after = 1;
	assert_int_equal(ddci_git_walk_range(r, NULL, "main", 0, add_sha, &s), 0);
	assert_int_equal(s.n, 1);

	assert_int_equal(ddci_git_walk_range(r, "nope", "main", 0, add_sha, &s), DDCI_EGIT);
	assert_non_null(strstr(ddci_error_last(), "cannot resolve 'nope'"));
	ddci_git_free(r);
}

static void test_git__walk_range_through_a_merge(void **state)
{
	struct ddci_repo *r = open_ok("src");
	struct shas s = { .n = 0 };

	(void)state;
	/* main..merged: the merge and the feature commit (libgit2's revwalk). */
	assert_int_equal(ddci_git_walk_range(r, "main", "merged", 0, add_sha, &s), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.got[0], m1);
	assert_string_equal(s.got[1], f1);

	/* No lower bound (ddci's own walk): every commit once, newest first. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(ddci_git_walk_range(r, NULL, "merged", 0, add_sha, &s), 0);
	assert_int_equal(s.n, 5);
	assert_string_equal(s.got[0], m1);
	assert_string_equal(s.got[1], c3);
	assert_string_equal(s.got[2], f1);
	assert_string_equal(s.got[3], c2);
	assert_string_equal(s.got[4], c1);
	for (int i = 1; i < 5; i++)
		assert_true(s.t[i] < s.t[i - 1]);
	ddci_git_free(r);
}

/* Collects shas into a newline-separated, sorted-later string. */
struct shalist {
	char buf[64 * 41 + 1];
	size_t len;
};

static int add_line(const char *sha, int64_t time_ns, void *ctx)
{
	struct shalist *l = ctx;

	(void)time_ns;
	if (l->len + 42 < sizeof(l->buf)) {
		memcpy(l->buf + l->len, sha, 40);
		l->buf[l->len + 40] = '\n';
		l->len += 41;
		l->buf[l->len] = '\0';
	}
	return 0;
}

static int cmp_sha(const void *a, const void *b)
{
	return memcmp(a, b, 40);
}

static void sort_lines(char *buf, size_t len)
{
	qsort(buf, len / 41, 41, cmp_sha);
}

/* Merges and committer times that go backwards: the range is exactly what
 * `git rev-list from..to` says, for every pair. */
static void test_git__walk_range_matches_git_with_merges_and_clock_skew(void **state)
{
	const char *revs[] = { "m1", "m3", "b2", "b3", "c1", "main", "main~1", "main^2", "b1" };
	const char *repo = path_of("skew");
	struct ddci_repo *r;
	char cmd[1024];
	size_t i, j, n;
	FILE *p;

	(void)state;
	assert_int_equal(sh("git init -q -b main '%s' && cd '%s' && "
			    "c() { echo \"$1\" > \"$1\" && git add \"$1\" && GIT_COMMITTER_DATE=\"@$2 +0000\" "
			    "GIT_AUTHOR_DATE=\"@$2 +0000\" git commit -q -m \"$1\" && git tag \"$1\"; } && "
			    "m() { GIT_COMMITTER_DATE=\"@$2 +0000\" GIT_AUTHOR_DATE=\"@$2 +0000\" "
			    "git merge -q --no-ff -m \"$1\" \"$3\" && git tag \"$1\"; } && "
			    "c m1 1000 && c m2 2000 && git checkout -q -b b m1 && c b1 1500 && c b2 900 && "
			    "c b3 3000 && git checkout -q main && c m3 2500 && m M1 3500 b && c m4 1200 && "
			    "git checkout -q -b cc m2 && c c1 4000 && git checkout -q main && m M2 5000 cc",
			    repo, repo),
			 0);
	r = open_ok("skew");
	for (i = 0; i < sizeof(revs) / sizeof(revs[0]); i++) {
		for (j = 0; j < sizeof(revs) / sizeof(revs[0]); j++) {
			struct shalist got = { .len = 0 }, want = { .len = 0 };

			got.buf[0] = '\0';
			assert_int_equal(ddci_git_walk_range(r, revs[i], revs[j], 0, add_line, &got), 0);
			snprintf(cmd, sizeof(cmd), "git -C '%s' rev-list '%s..%s'", repo, revs[i], revs[j]);
			p = popen(cmd, "r");
			assert_non_null(p);
			n = fread(want.buf, 1, sizeof(want.buf) - 1, p);
			pclose(p);
			want.buf[n] = '\0';
			want.len = n;
			sort_lines(got.buf, got.len);
			sort_lines(want.buf, want.len);
			if (strcmp(got.buf, want.buf) != 0)
				fail_msg("%s..%s: ddci\n%s\ngit\n%s", revs[i], revs[j], got.buf, want.buf);
			/* And the merge base is git's. */
			snprintf(cmd, sizeof(cmd), "git -C '%s' merge-base '%s' '%s'", repo, revs[i], revs[j]);
			p = popen(cmd, "r");
			assert_non_null(p);
			n = fread(want.buf, 1, sizeof(want.buf) - 1, p);
			pclose(p);
			assert_true(n == 41);
			want.buf[40] = '\0';
			assert_int_equal(ddci_git_merge_base(got.buf, r, revs[i], revs[j]), 0);
			assert_string_equal(got.buf, want.buf);
		}
	}
	ddci_git_free(r);
}

/* Finding 7: the limited walk marks an uninteresting commit's parents at
 * once (git's mark_parents_uninteresting), so under clock skew it stops
 * where git stops: on random graphs (one run of six commits dated long ago
 * on a side branch), every range is git's, in git's order. */
static void test_git__walk_range_like_git_under_clock_skew(void **state)
{
	static const int seeds[] = { 13, 25, 34, 37, 59 };
	char cmd[1024], x[200];
	size_t n;
	FILE *p;

	(void)state;
	for (size_t s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s++) {
		int seed = seeds[s], size = 12 + seed % 40, skew = (seed % 4) * 8;
		struct ddci_repo *r;
		char name[32];

		snprintf(name, sizeof(name), "dag%d", seed);
		assert_int_equal(sh("git init -q '%s' && awk -v seed=%d -v n=%d -v skew=%d -f tests/git/dag.awk | "
				    "git -C '%s' fast-import --quiet --export-marks='%s.marks' && git -C '%s' symbolic-ref HEAD refs/heads/main",
				    path_of(name), seed, size, skew, path_of(name), path_of(name), path_of(name)), 0);
		r = open_ok(name);
		for (int i = 0; i < size + 12; i++) {
			struct shalist got = { .len = 0 }, want = { .len = 0 };
			char a[64], b[64];

			/* merge-base(commit, main)..main for each commit, as the gates
			 * ask; then pairs as the differential test picks them */
			if (i < size)
				snprintf(cmd, sizeof(cmd), "git -C '%s' merge-base $(cut -d' ' -f2 '%s.marks' | sed -n %dp) main "
					 "| sed 's/$/ main/'", path_of(name), path_of(name), i + 1);
			else
				snprintf(cmd, sizeof(cmd), "awk -v a=%d -v b=%d 'NR == a { x = $2 } NR == b { y = $2 } END { print x, y }' '%s.marks'",
					 (seed * 7 + (i - size) * 13) % size + 1, (seed * 11 + (i - size) * 5 + 3) % size + 1,
					 path_of(name));
			p = popen(cmd, "r");
			assert_non_null(p);
			if (!fgets(x, sizeof(x), p))
				x[0] = '\0';
			pclose(p);
			if (sscanf(x, "%63s %63s", a, b) < 1)
				continue; /* no merge base: another root */
			if (sscanf(x, "%63s %63s", a, b) != 2)
				snprintf(b, sizeof(b), "%s", a);
			got.buf[0] = '\0';
			if (ddci_git_walk_range(r, a, b, 0, add_line, &got) != 0)
				fail_msg("seed %d, %s..%s: %s", seed, a, b, ddci_error_last());
			snprintf(cmd, sizeof(cmd), "git -C '%s' rev-list '%s..%s'", path_of(name), a, b);
			p = popen(cmd, "r");
			assert_non_null(p);
			n = fread(want.buf, 1, sizeof(want.buf) - 1, p);
			pclose(p);
			want.buf[n] = '\0';
			if (strcmp(got.buf, want.buf) != 0)
				fail_msg("seed %d, %s..%s: ddci\n%s\ngit\n%s", seed, a, b, got.buf, want.buf);
		}
		ddci_git_free(r);
	}
}

/* Criss-cross merges have two merge bases: one of them, as git says. */
static void test_git__merge_base_of_criss_cross_merges(void **state)
{
	const char *repo = path_of("criss");
	struct ddci_repo *r;
	char got[41], x1[41], y1[41];

	(void)state;
	assert_int_equal(sh("git init -q -b main '%s' && cd '%s' && echo 0 > f0 && git add f0 && "
			    "git commit -q -m base && git checkout -q -b x && echo x > x && git add x && "
			    "git commit -q -m x1 && git checkout -q -b y main && echo y > y && git add y && "
			    "git commit -q -m y1 && git checkout -q x && git merge -q --no-ff -m x2 y~0 && "
			    "git checkout -q y && git merge -q --no-ff -m y2 x~1",
			    repo, repo),
			 0);
	rev_parse(x1, repo, "x^1");
	rev_parse(y1, repo, "y^1");
	r = open_ok("criss");
	assert_int_equal(ddci_git_merge_base(got, r, "x", "y"), 0);
	assert_true(!strcmp(got, x1) || !strcmp(got, y1));
	ddci_git_free(r);
}

static void test_git__shallow_clone_answers_above_the_boundary(void **state)
{
	struct ddci_repo *r = open_ok("shallow2"); /* main: c3 and c2, c2's parent missing */
	struct shas s = { .n = 0 };
	char base[41];
	int yes = -1;

	(void)state;
	assert_int_equal(ddci_git_is_shallow(r), 1);
	assert_int_equal(ddci_git_is_ancestor(&yes, r, c2, c3), 0);
	assert_int_equal(yes, 1);
	/* c3 descends from c2, so it cannot be its ancestor, boundary or not. */
	yes = -1;
	assert_int_equal(ddci_git_is_ancestor(&yes, r, c3, c2), 0);
	assert_int_equal(yes, 0);
	assert_int_equal(ddci_git_merge_base(base, r, c2, c3), 0);
	assert_string_equal(base, c2);
	assert_int_equal(ddci_git_is_ancestor(&yes, r, "v1", "HEAD"), 0); /* tag fetched with c2 */
	assert_int_equal(yes, 1);

	/* Without a lower bound the walk ends at the boundary, including it. */
	assert_int_equal(ddci_git_walk_range(r, NULL, "HEAD", 0, add_sha, &s), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.got[0], c3);
	assert_string_equal(s.got[1], c2);
	memset(&s, 0, sizeof(s));
	assert_int_equal(ddci_git_walk_range(r, c2, "HEAD", 0, add_sha, &s), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.got[0], c3);
	ddci_git_free(r);
}

static void test_git__shallow_clone_names_missing_history(void **state)
{
	struct ddci_repo *r = open_ok("shallow");
	struct shas s = { .n = 0 };
	char sha[41], base[41];
	int yes = -1;

	(void)state;
	assert_int_equal(ddci_git_is_shallow(r), 1);
	assert_int_equal(ddci_git_head(sha, r), 0);
	assert_string_equal(sha, c3);

	assert_int_equal(ddci_git_is_ancestor(&yes, r, c1, "HEAD"), DDCI_EGIT);
	assert_non_null(strstr(ddci_error_last(),
			       "history is incomplete (shallow clone): fetch more history, "
			       "e.g. 'git fetch --unshallow'"));
	assert_non_null(strstr(ddci_error_last(), c1));

	assert_int_equal(ddci_git_resolve(sha, r, c1), DDCI_EGIT);
	assert_non_null(strstr(ddci_error_last(), "shallow clone"));

	/* Both tips are here but their merge base (c2) is not. */
	assert_int_equal(ddci_git_merge_base(base, r, "origin/main", "origin/feature"), DDCI_EGIT);
	assert_non_null(strstr(ddci_error_last(), "cannot find the merge base of 'origin/main' and "
						  "'origin/feature': history is incomplete (shallow clone)"));

	/* Neither tip reaches the other and both lines end at the boundary. */
	assert_int_equal(ddci_git_is_ancestor(&yes, r, "origin/feature", "origin/main"), DDCI_EGIT);
	assert_non_null(strstr(ddci_error_last(), "shallow clone"));
	/* But the merge reaches both. */
	assert_int_equal(ddci_git_is_ancestor(&yes, r, "origin/feature", "origin/merged"), 0);
	assert_int_equal(yes, 1);

	/* A range whose lower end is present but not reached from main. */
	assert_int_equal(ddci_git_walk_range(r, "origin/feature", "origin/main", 0, add_sha, &s),
			 DDCI_EGIT);
	assert_non_null(strstr(ddci_error_last(), "cannot walk 'origin/feature..origin/main': "
						  "history is incomplete (shallow clone)"));
	/* Without a lower bound, what is here is listed. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(ddci_git_walk_range(r, NULL, "origin/merged", 0, add_sha, &s), 0);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.got[0], m1);
	assert_string_equal(s.got[1], c3);
	assert_string_equal(s.got[2], f1);
	ddci_git_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_git__open_discovers_from_a_subdirectory),
		cmocka_unit_test(test_git__open_not_a_repository),
		cmocka_unit_test(test_git__resolve_revisions),
		cmocka_unit_test(test_git__resolve_unknown_revision),
		cmocka_unit_test(test_git__branch_name_and_detached_head),
		cmocka_unit_test(test_git__remote_url_without_credentials),
		cmocka_unit_test(test_git__remote_url_falls_back_to_first_remote),
		cmocka_unit_test(test_git__merge_base_and_ancestry),
		cmocka_unit_test(test_git__commit_time_and_info),
		cmocka_unit_test(test_git__changed_files_reports_both_names_of_a_rename),
		cmocka_unit_test(test_git__walk_range_newest_first_with_limit),
		cmocka_unit_test(test_git__walk_range_through_a_merge),
		cmocka_unit_test(test_git__walk_range_matches_git_with_merges_and_clock_skew),
		cmocka_unit_test(test_git__walk_range_like_git_under_clock_skew),
		cmocka_unit_test(test_git__merge_base_of_criss_cross_merges),
		cmocka_unit_test(test_git__shallow_clone_answers_above_the_boundary),
		cmocka_unit_test(test_git__shallow_clone_names_missing_history),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
