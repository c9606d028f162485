/* test_gitdir.c — the file readers against repositories made by `git`
 * (plain, packed refs, detached, worktree, gitdir file, bare, shallow,
 * unborn) and against config files written by hand, each answer checked
 * against what `git` itself says, and every unusual case checked to be
 * UNSURE rather than wrong. */
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
#include "ddci/gitdir.h"

#include "git_fixture.h"

static char tmp[256];

/* The first line `git -C repo ARGS` prints, or "" when it prints nothing. */
static void git_out(char *out, size_t size, const char *repo, const char *args)
{
	char cmd[1024];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "git -C '%s' %s 2>/dev/null", repo, args);
	p = popen(cmd, "r");
	assert_non_null(p);
	if (!fgets(out, (int)size, p))
		out[0] = '\0';
	pclose(p);
	out[strcspn(out, "\n")] = '\0';
}

static const char *path_of(const char *name)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmp, name);
	return buf[i];
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/ddci-test-gitdir-XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	git_fixture_env(tmp);
	return sh("cd '%s' && git init -q -b main repo && cd repo && mkdir -p sub/deeper && "
		  "echo a > sub/deeper/a && git add -A && git commit -q -m one && "
		  "echo b > b && git add -A && git commit -q -m two && "
		  "git branch feature HEAD~1 && "
		  "git remote add origin https://user:pw@github.com/acme/shop.git && "
		  "git remote add aaa https://example.com/first.git",
		  tmp) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return sh("rm -rf '%s'", tmp);
}

/* HEAD and branch through the files equal what git says. */
static void expect_head(const char *repo_path, const char *from)
{
	struct ddci_gitdir d = DDCI_GITDIR_INIT;
	char sha[41], want[64], branch[256];
	char *symref = NULL;

	assert_int_equal(ddci_gitdir_discover(&d, from), 0);
	assert_int_equal(ddci_gitdir_head(sha, &symref, &d), 0);
	git_out(want, sizeof(want), repo_path, "rev-parse HEAD");
	assert_string_equal(sha, want);
	git_out(branch, sizeof(branch), repo_path, "symbolic-ref -q HEAD");
	if (branch[0])
		assert_string_equal(symref, branch);
	else
		assert_null(symref);
	free(symref);
	ddci_gitdir_release(&d);
}

static void test_gitdir__head_and_branch_match_git_from_any_subdirectory(void **state)
{
	(void)state;
	expect_head(path_of("repo"), path_of("repo"));
	expect_head(path_of("repo"), path_of("repo/sub/deeper"));
}

static void test_gitdir__packed_refs_are_read(void **state)
{
	(void)state;
	assert_int_equal(sh("git -C '%s' pack-refs --all", path_of("repo")), 0);
	expect_head(path_of("repo"), path_of("repo"));
	{
		struct ddci_gitdir d = DDCI_GITDIR_INIT;
		char sha[41], want[64];

		assert_int_equal(ddci_gitdir_discover(&d, path_of("repo")), 0);
		assert_int_equal(ddci_gitdir_ref(sha, &d, "refs/heads/feature"), 0);
		git_out(want, sizeof(want), path_of("repo"), "rev-parse feature");
		assert_string_equal(sha, want);
		assert_int_equal(ddci_gitdir_ref(sha, &d, "refs/heads/nope"), DDCI_GITDIR_UNSURE);
		ddci_gitdir_release(&d);
	}
}

static void test_gitdir__detached_head_has_no_symref(void **state)
{
	(void)state;
	assert_int_equal(sh("git clone -q '%s' '%s' && git -C '%s' checkout -q --detach HEAD~1",
			    path_of("repo"), path_of("detached"), path_of("detached")), 0);
	expect_head(path_of("detached"), path_of("detached"));
}

static void test_gitdir__worktree_reads_its_head_and_the_common_config(void **state)
{
	struct ddci_gitdir d = DDCI_GITDIR_INIT;
	char *url = NULL;

	(void)state;
	assert_int_equal(sh("git -C '%s' worktree add -q '%s' feature", path_of("repo"), path_of("wt")), 0);
	expect_head(path_of("wt"), path_of("wt"));
	assert_int_equal(ddci_gitdir_discover(&d, path_of("wt")), 0);
	assert_non_null(strstr(d.gitdir, "/worktrees/"));
	assert_int_equal(ddci_gitdir_config(&url, &d, "remote", "origin", "url"), 0);
	assert_string_equal(url, "https://user:pw@github.com/acme/shop.git");
	free(url);
	ddci_gitdir_release(&d);
}

static void test_gitdir__gitdir_file_with_a_relative_path(void **state)
{
	(void)state;
	assert_int_equal(sh("mkdir -p '%s' && git clone -q --separate-git-dir='%s' '%s' '%s' && "
			    "printf 'gitdir: ../sep.git\\n' > '%s/.git'",
			    path_of("x"), path_of("sep.git"), path_of("repo"), path_of("wd"), path_of("wd")),
			 0);
	expect_head(path_of("wd"), path_of("wd"));
}

static void test_gitdir__bare_repository(void **state)
{
	struct ddci_gitdir d = DDCI_GITDIR_INIT;
	char sha[41], want[64];
	char *symref = NULL;

	(void)state;
	assert_int_equal(sh("git clone -q --bare '%s' '%s'", path_of("repo"), path_of("bare.git")), 0);
	assert_int_equal(ddci_gitdir_discover(&d, path_of("bare.git/refs")), 0);
	assert_int_equal(ddci_gitdir_head(sha, &symref, &d), 0);
	git_out(want, sizeof(want), path_of("bare.git"), "rev-parse HEAD");
	assert_string_equal(sha, want);
	assert_string_equal(symref, "refs/heads/main");
	free(symref);
	ddci_gitdir_release(&d);
}

static void test_gitdir__unborn_branch_and_no_repository_are_unsure(void **state)
{
	struct ddci_gitdir d = DDCI_GITDIR_INIT;
	char sha[41];
	char *symref = NULL;

	(void)state;
	assert_int_equal(sh("git init -q -b main '%s' && mkdir -p '%s'", path_of("empty"), path_of("plain")), 0);
	assert_int_equal(ddci_gitdir_discover(&d, path_of("empty")), 0);
	assert_int_equal(ddci_gitdir_head(sha, &symref, &d), DDCI_GITDIR_UNSURE);
	assert_null(symref);
	assert_string_equal(sha, "");
	ddci_gitdir_release(&d);
	/* /tmp/.../plain is in no repository (nor is anything above /tmp). */
	assert_int_equal(ddci_gitdir_discover(&d, path_of("plain")), DDCI_GITDIR_UNSURE);
	assert_null(d.gitdir);
	assert_int_equal(ddci_gitdir_discover(&d, path_of("does-not-exist")), DDCI_GITDIR_UNSURE);
}

static void test_gitdir__shallow_clone_is_seen(void **state)
{
	struct ddci_gitdir d = DDCI_GITDIR_INIT;

	(void)state;
	assert_int_equal(sh("git clone -q --depth 1 'file://%s' '%s'", path_of("repo"), path_of("shallow")), 0);
	assert_int_equal(ddci_gitdir_discover(&d, path_of("shallow")), 0);
	assert_int_equal(ddci_gitdir_is_shallow(&d), 1);
	ddci_gitdir_release(&d);
	assert_int_equal(ddci_gitdir_discover(&d, path_of("repo")), 0);
	assert_int_equal(ddci_gitdir_is_shallow(&d), 0);
	ddci_gitdir_release(&d);
}

/* A hand-made repository directory whose HEAD and config we write. */
static void fake_repo(struct ddci_gitdir *d, const char *head, const char *config)
{
	FILE *f;

	assert_int_equal(sh("rm -rf '%s' && mkdir -p '%s/.git/objects' '%s/.git/refs/heads'", path_of("fake"),
			    path_of("fake"), path_of("fake")),
			 0);
	f = fopen(path_of("fake/.git/HEAD"), "w");
	assert_non_null(f);
	fputs(head, f);
	fclose(f);
	f = fopen(path_of("fake/.git/config"), "w");
	assert_non_null(f);
	fputs(config, f);
	fclose(f);
	f = fopen(path_of("fake/.git/refs/heads/main"), "w");
	assert_non_null(f);
	fputs("0123456789abcdef0123456789abcdef01234567\n", f);
	fclose(f);
	assert_int_equal(ddci_gitdir_discover(d, path_of("fake")), 0);
}

/* ddci_gitdir_config on `config` equals `git config --file`. */
static void expect_config(const char *config, const char *key3[3], const char *want)
{
	struct ddci_gitdir d = DDCI_GITDIR_INIT;
	char *v = NULL, args[512], got_git[512];

	fake_repo(&d, "ref: refs/heads/main\n", config);
	snprintf(args, sizeof(args), "config --file '%s' --get '%s.%s.%s'", path_of("fake/.git/config"),
		 key3[0], key3[1], key3[2]);
	git_out(got_git, sizeof(got_git), path_of("fake"), args);
	if (want) {
		assert_string_equal(got_git, want); /* the fixture is what we think */
		assert_int_equal(ddci_gitdir_config(&v, &d, key3[0], key3[1], key3[2]), 0);
		assert_string_equal(v, want);
	} else {
		assert_int_equal(ddci_gitdir_config(&v, &d, key3[0], key3[1], key3[2]), DDCI_GITDIR_UNSURE);
		assert_null(v);
	}
	free(v);
	ddci_gitdir_release(&d);
}

static void test_gitdir__config_syntax_matches_git(void **state)
{
	const char *origin[3] = { "remote", "origin", "url" };
	const char *up[3] = { "remote", "Up", "url" };

	(void)state;
	expect_config("[core]\n\tbare = false\n[remote \"origin\"]\n\turl = https://h/a.git\n", origin,
		      "https://h/a.git");
	/* Comments, quotes, trailing blanks, CRLF, key case, last one wins. */
	expect_config("# c\n[Remote \"origin\"] ; c\n  URL = \"https://h/b c.git\"  # c\r\n", origin,
		      "https://h/b c.git");
	expect_config("[remote \"origin\"]\n\turl = https://h/one.git\n\turl = https://h/two.git\n", origin,
		      "https://h/two.git");
	/* A key on the header line; escapes; a continuation. */
	expect_config("[remote \"origin\"] url = https://h/\\\nx\\\\y.git\n", origin, "https://h/x\\y.git");
	/* Old syntax lowercases the subsection; the new one keeps case. */
	expect_config("[remote.origin]\n\turl = https://h/old.git\n", origin, "https://h/old.git");
	expect_config("[remote \"Up\"]\n\turl = https://h/up.git\n[remote \"up\"]\n\turl = https://h/low.git\n",
		      up, "https://h/up.git");
	/* Booleans elsewhere do not matter; a syntax error anywhere does. */
	expect_config("[core]\n\tbare\n\tsparse\n[remote \"origin\"]\n\turl = https://h/c.git\n", origin,
		      "https://h/c.git");
	expect_config("[core]\n\tsparse # c\n[remote \"origin\"]\n\turl = https://h/c.git\n", origin, NULL);
	expect_config("[core]\n\tx = \"unterminated\n[remote \"origin\"]\n\turl = https://h/c.git\n", origin, NULL);
	expect_config("[remote \"origin\"]\n\turl = https://h/\\q.git\n", origin, NULL);
	/* No file default at all, or includes: libgit2 decides. */
	expect_config("[core]\n\tbare = false\n", origin, NULL);
	expect_config("[include]\n\tpath = other\n[remote \"origin\"]\n\turl = https://h/d.git\n", origin, NULL);
	expect_config("[extensions]\n\tworktreeConfig = true\n[remote \"origin\"]\n\turl = https://h/e.git\n",
		      origin, NULL);
}

static void test_gitdir__unexpected_head_content_is_unsure(void **state)
{
	struct ddci_gitdir d = DDCI_GITDIR_INIT;
	const char *heads[] = { "ref: ../../../etc/passwd\n", "ref: refs/heads/../../x\n", "garbage\n",
				"0123456789ABCDEF0123456789abcdef01234567\n", "ref: refs/heads/nope\n" };
	char sha[41];
	char *symref = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		fake_repo(&d, heads[i], "");
		assert_int_equal(ddci_gitdir_head(sha, &symref, &d), DDCI_GITDIR_UNSURE);
		assert_null(symref);
		ddci_gitdir_release(&d);
	}
	/* A chain of symbolic refs is followed; like git, the branch is the
	 * ref it ends at (HEAD -> alias -> main is on main). */
	fake_repo(&d, "ref: refs/heads/alias\n", "");
	assert_int_equal(sh("echo 'ref: refs/heads/main' > '%s'", path_of("fake/.git/refs/heads/alias")), 0);
	assert_int_equal(ddci_gitdir_head(sha, &symref, &d), 0);
	assert_string_equal(sha, "0123456789abcdef0123456789abcdef01234567");
	assert_string_equal(symref, "refs/heads/main");
	free(symref);
	ddci_gitdir_release(&d);
}

/* Finding 2: a .git file that names no repository is git's error, never a
 * reason to report the enclosing repository. */
static void test_gitdir__invalid_git_file_is_an_error(void **state)
{
	struct ddci_gitdir d = DDCI_GITDIR_INIT;
	const char *inner = path_of("repo/sub/inner");

	(void)state;
	assert_int_equal(sh("mkdir -p '%s/x' && printf 'gitdir: /nonexistent\\n' > '%s/.git'", inner, inner), 0);
	assert_int_equal(ddci_gitdir_discover(&d, path_of("repo/sub/inner/x")), DDCI_EGIT);
	assert_non_null(strstr(ddci_error_last(), "not a git repository: /nonexistent"));
	assert_null(d.gitdir);
	assert_int_equal(sh("printf 'garbage\\n' > '%s/.git'", inner), 0);
	assert_int_equal(ddci_gitdir_discover(&d, inner), DDCI_EGIT);
	assert_non_null(strstr(ddci_error_last(), "invalid gitfile format"));
	assert_int_equal(sh("printf 'gitdir: ..\\n' > '%s/.git'", inner), 0);
	assert_int_equal(ddci_gitdir_discover(&d, inner), DDCI_EGIT);
	assert_int_equal(sh("rm -rf '%s'", inner), 0);
}

/* Finding 5: GIT_DIR names the repository; GIT_CEILING_DIRECTORIES stops the
 * walk up before the ceiling. */
static void test_gitdir__git_dir_and_ceiling_directories(void **state)
{
	struct ddci_gitdir d = DDCI_GITDIR_INIT;
	char *real;

	(void)state;
	assert_int_equal(sh("mkdir -p '%s'", path_of("elsewhere")), 0);
	setenv("GIT_DIR", path_of("repo/.git"), 1);
	assert_int_equal(ddci_gitdir_discover(&d, path_of("elsewhere")), 0);
	real = realpath(path_of("repo/.git"), NULL);
	assert_string_equal(d.gitdir, real);
	free(real);
	ddci_gitdir_release(&d);
	setenv("GIT_DIR", "nothing-here", 1);
	assert_int_equal(ddci_gitdir_discover(&d, path_of("elsewhere")), DDCI_EGIT);
	unsetenv("GIT_DIR");
	setenv("GIT_CEILING_DIRECTORIES", path_of("repo"), 1);
	assert_int_equal(ddci_gitdir_discover(&d, path_of("repo/sub/deeper")), DDCI_GITDIR_UNSURE);
	assert_int_equal(ddci_gitdir_discover(&d, path_of("repo")), 0); /* the start is always looked at */
	ddci_gitdir_release(&d);
	setenv("GIT_CEILING_DIRECTORIES", path_of("repo/sub/deeper"), 1);
	assert_int_equal(ddci_gitdir_discover(&d, path_of("repo/sub/deeper")), 0);
	ddci_gitdir_release(&d);
	unsetenv("GIT_CEILING_DIRECTORIES");
}

/* Finding 3: ownership as git checks it (every path made foreign with
 * git's own test switch), with the exact fix in the message. */
static void test_gitdir__ownership_and_safe_directory(void **state)
{
	struct ddci_gitdir d = DDCI_GITDIR_INIT;
	char want[600], *real = realpath(path_of("repo"), NULL);

	(void)state;
	setenv("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1", 1);
	assert_int_equal(ddci_gitdir_discover(&d, path_of("repo/sub")), DDCI_EGIT);
	snprintf(want, sizeof(want), "git config --global --add safe.directory %s", real);
	assert_non_null(strstr(ddci_error_last(), want));
	assert_non_null(strstr(ddci_error_last(), "dubious ownership"));
	assert_int_equal(sh("git config --global --add safe.directory '*'"), 0);
	assert_int_equal(ddci_gitdir_discover(&d, path_of("repo/sub")), 0);
	ddci_gitdir_release(&d);
	assert_int_equal(sh("git config --global --add safe.directory ''"), 0); /* clears the list */
	assert_int_equal(ddci_gitdir_discover(&d, path_of("repo")), DDCI_EGIT);
	assert_int_equal(sh("git config --global --add safe.directory '%s'", real), 0);
	assert_int_equal(ddci_gitdir_discover(&d, path_of("repo")), 0);
	ddci_gitdir_release(&d);
	assert_int_equal(sh("git config --global --unset-all safe.directory"), 0);
	unsetenv("GIT_TEST_ASSUME_DIFFERENT_OWNER");
	free(real);
}

/* Finding 9: a sorted packed-refs file is binary-searched, an unsorted one
 * scanned; every ref is found either way, and no other. */
static void test_gitdir__packed_refs_sorted_and_not(void **state)
{
	struct ddci_gitdir d = DDCI_GITDIR_INIT;
	char sha[41], want[64], name[64];

	(void)state;
	assert_int_equal(sh("cd '%s' && git clone -q repo many && cd many && sha=$(git rev-parse HEAD) && "
			    "awk -v s=$sha 'BEGIN { for (i = 0; i < 3000; i++) printf \"create refs/heads/b/%%05d %%s\\n\", i * 7, s }' "
			    "| git update-ref --stdin && git tag -a -m t v1 && git pack-refs --all", tmp), 0);
	git_out(want, sizeof(want), path_of("many"), "rev-parse HEAD");
	for (int pass = 0; pass < 2; pass++) {
		assert_int_equal(ddci_gitdir_discover(&d, path_of("many")), 0);
		for (int i = 0; i < 3000 * 7; i += 3) {
			snprintf(name, sizeof(name), "refs/heads/b/%05d", i);
			assert_int_equal(ddci_gitdir_ref(sha, &d, name), i % 7 ? DDCI_GITDIR_UNSURE : 0);
			if (i % 7 == 0)
				assert_string_equal(sha, want);
		}
		assert_int_equal(ddci_gitdir_ref(sha, &d, "refs/heads/main"), 0);
		assert_int_equal(ddci_gitdir_ref(sha, &d, "refs/tags/v1"), 0);
		assert_int_equal(ddci_gitdir_ref(sha, &d, "refs/heads/b"), DDCI_GITDIR_UNSURE);
		assert_int_equal(ddci_gitdir_ref(sha, &d, "refs/heads/zzz"), DDCI_GITDIR_UNSURE);
		ddci_gitdir_release(&d);
		/* The same refs, unsorted, the header saying so. */
		assert_int_equal(sh("cd '%s/many/.git' && { head -1 packed-refs | sed 's/ sorted//'; "
				    "tail -n +2 packed-refs | paste - - -d'|' | sort -r | tr '|' '\\n' | grep .; } > p && mv p packed-refs",
				    tmp), 0);
	}
}

/* Finding 6: like git, at most 5 refs are read from HEAD; the branch is
 * where the chain ends. */
static void test_gitdir__symbolic_ref_depth_like_git(void **state)
{
	struct ddci_gitdir d = DDCI_GITDIR_INIT;
	char sha[41];
	char *symref = NULL;

	(void)state;
	assert_int_equal(sh("cd '%s/repo' && git branch r0 && for i in 1 2 3 4; do git symbolic-ref refs/heads/r$i refs/heads/r$((i - 1)); done && "
			    "git symbolic-ref HEAD refs/heads/r3", tmp), 0);
	assert_int_equal(ddci_gitdir_discover(&d, path_of("repo")), 0);
	assert_int_equal(ddci_gitdir_head(sha, &symref, &d), 0);
	assert_string_equal(symref, "refs/heads/r0");
	free(symref);
	assert_int_equal(sh("git -C '%s' symbolic-ref HEAD refs/heads/r4", path_of("repo")), 0);
	assert_int_equal(ddci_gitdir_head(sha, &symref, &d), DDCI_EGIT);
	assert_null(symref);
	assert_int_equal(sh("git -C '%s' symbolic-ref HEAD refs/heads/main", path_of("repo")), 0);
	ddci_gitdir_release(&d);
}

/* Findings 4 and 6: remote.<name>.url as git reads it — the first value, an
 * empty one clearing those before, insteadOf (longest prefix) applied,
 * pushInsteadOf not. */
static void test_gitdir__remote_url_like_git(void **state)
{
	struct ddci_gitdir d = DDCI_GITDIR_INIT;
	char want[512], *url = NULL;
	const char *r = path_of("urls");

	(void)state;
	assert_int_equal(sh("git init -q '%s' && cd '%s' && git config remote.origin.url gh:acme/shop && "
			    "git config --add remote.origin.url https://second.example/x && "
			    "git config url.https://github.com/.insteadOf gh: && git config url.https://gitlab.com/.insteadOf g && "
			    "git config url.https://push.example/.pushInsteadOf gh:acme", r, r), 0);
	assert_int_equal(ddci_gitdir_discover(&d, r), 0);
	assert_int_equal(ddci_gitdir_remote_url(&url, &d, "origin"), 0);
	git_out(want, sizeof(want), r, "remote get-url origin");
	assert_string_equal(url, want);
	assert_string_equal(url, "https://github.com/acme/shop");
	free(url);
	/* An empty value clears the list (git 2.46's rule; 2.39 keeps ""). */
	assert_int_equal(sh("cd '%s' && git config --unset-all remote.origin.url && git config remote.origin.url '' ", r), 0);
	assert_int_equal(ddci_gitdir_remote_url(&url, &d, "origin"), DDCI_GITDIR_UNSURE);
	assert_null(url);
	assert_int_equal(ddci_gitdir_remote_url(&url, &d, "nope"), DDCI_GITDIR_UNSURE);
	ddci_gitdir_release(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gitdir__head_and_branch_match_git_from_any_subdirectory),
		cmocka_unit_test(test_gitdir__packed_refs_are_read),
		cmocka_unit_test(test_gitdir__detached_head_has_no_symref),
		cmocka_unit_test(test_gitdir__worktree_reads_its_head_and_the_common_config),
		cmocka_unit_test(test_gitdir__gitdir_file_with_a_relative_path),
		cmocka_unit_test(test_gitdir__bare_repository),
		cmocka_unit_test(test_gitdir__unborn_branch_and_no_repository_are_unsure),
		cmocka_unit_test(test_gitdir__shallow_clone_is_seen),
		cmocka_unit_test(test_gitdir__config_syntax_matches_git),
		cmocka_unit_test(test_gitdir__unexpected_head_content_is_unsure),
		cmocka_unit_test(test_gitdir__invalid_git_file_is_an_error),
		cmocka_unit_test(test_gitdir__git_dir_and_ceiling_directories),
		cmocka_unit_test(test_gitdir__ownership_and_safe_directory),
		cmocka_unit_test(test_gitdir__packed_refs_sorted_and_not),
		cmocka_unit_test(test_gitdir__symbolic_ref_depth_like_git),
		cmocka_unit_test(test_gitdir__remote_url_like_git),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
