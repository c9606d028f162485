/* test_ci_env.c — ddci_ci_detect() over a table standing in for the
 * environment, one or more tables per provider with its real variables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ddci/ci_env.h"

struct var {
	const char *name, *value;
};

static const struct var *table;

static const char *table_getenv(const char *name)
{
	for (const struct var *v = table; v && v->name; v++)
		if (!strcmp(v->name, name))
			return v->value;
	return NULL;
}

static void detect(struct ddci_ci *ci, const struct var *vars)
{
	table = vars;
	assert_int_equal(ddci_ci_detect(ci, table_getenv), 0);
}

/* assert_string_equal that also accepts an expected NULL. */
#define check(got, want)                              \
	do {                                          \
		const char *want_ = (want);           \
		if (want_)                            \
			assert_string_equal(got, want_); \
		else                                  \
			assert_null(got);             \
	} while (0)

#define NS(s) ((int64_t)(s) * INT64_C(1000000000))

static void test_ci_env__unknown_ci(void **state)
{
	static const struct var vars[] = { { "HOME", "/root" }, { "CI", "true" }, { NULL, NULL } };
	struct ddci_ci ci = DDCI_CI_INIT;

	(void)state;
	detect(&ci, vars);
	assert_null(ci.provider);
	assert_null(ci.sha);
	assert_null(ci.branch);
	assert_true(ci.started_ns == 0);
	ddci_ci_release(&ci);
	ddci_ci_release(NULL);
}

static void test_ci_env__github_push(void **state)
{
	static const struct var vars[] = {
		{ "GITHUB_ACTIONS", "true" },
		{ "GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567" },
		{ "GITHUB_REF", "refs/heads/feature/login" },
		{ "GITHUB_REF_NAME", "feature/login" },
		{ "GITHUB_REF_TYPE", "branch" },
		{ "GITHUB_HEAD_REF", "" },
		{ "GITHUB_BASE_REF", "" },
		{ "GITHUB_SERVER_URL", "https://github.com" },
		{ "GITHUB_REPOSITORY", "acme/shop" },
		{ "GITHUB_RUN_ID", "987654" },
		{ "GITHUB_RUN_ATTEMPT", "1" },
		{ "GITHUB_WORKFLOW", "deploy" },
		{ NULL, NULL },
	};
	struct ddci_ci ci = DDCI_CI_INIT;

	(void)state;
	detect(&ci, vars);
	check(ci.provider, "github");
	check(ci.sha, "0123456789abcdef0123456789abcdef01234567");
	check(ci.branch, "feature/login");
	check(ci.tag, NULL);
	check(ci.repo_url, "https://github.com/acme/shop.git");
	check(ci.pipeline_id, "987654");
	check(ci.pipeline_name, "deploy");
	check(ci.pipeline_url, "https://github.com/acme/shop/actions/runs/987654");
	check(ci.job_url,
	      "https://github.com/acme/shop/commit/0123456789abcdef0123456789abcdef01234567/checks");
	check(ci.pr_number, NULL);
	check(ci.base_branch, NULL);
	check(ci.base_sha, NULL);
	assert_true(ci.started_ns == 0);
	ddci_ci_release(&ci);
	assert_null(ci.sha);
}

static void test_ci_env__github_pull_request(void **state)
{
	static const struct var vars[] = {
		{ "GITHUB_ACTIONS", "true" },
		{ "GITHUB_SHA", "1111111111111111111111111111111111111111" },
		{ "GITHUB_REF", "refs/pull/42/merge" },
		{ "GITHUB_REF_NAME", "42/merge" },
		{ "GITHUB_REF_TYPE", "branch" },
		{ "GITHUB_HEAD_REF", "feature/cart" },
		{ "GITHUB_BASE_REF", "main" },
		{ "GITHUB_SERVER_URL", "https://github.com" },
		{ "GITHUB_REPOSITORY", "acme/shop" },
		{ "GITHUB_RUN_ID", "555" },
		{ "GITHUB_RUN_ATTEMPT", "2" },
		{ NULL, NULL },
	};
	struct ddci_ci ci = DDCI_CI_INIT;

	(void)state;
	detect(&ci, vars);
	check(ci.branch, "feature/cart");
	check(ci.pr_number, "42");
	check(ci.base_branch, "main");
	check(ci.tag, NULL);
	check(ci.pipeline_url, "https://github.com/acme/shop/actions/runs/555/attempts/2");
	ddci_ci_release(&ci);
}

static void test_ci_env__github_tag(void **state)
{
	static const struct var vars[] = {
		{ "GITHUB_ACTIONS", "true" },
		{ "GITHUB_SHA", "2222222222222222222222222222222222222222" },
		{ "GITHUB_REF", "refs/tags/v1.2.3" },
		{ "GITHUB_REF_NAME", "v1.2.3" },
		{ "GITHUB_REF_TYPE", "tag" },
		{ NULL, NULL },
	};
	struct ddci_ci ci = DDCI_CI_INIT;

	(void)state;
	detect(&ci, vars);
	check(ci.tag, "v1.2.3");
	check(ci.branch, NULL);
	check(ci.repo_url, NULL); /* no server/repository: unknown, not half-built */
	check(ci.pipeline_url, NULL);
	ddci_ci_release(&ci);
}

static void test_ci_env__gitlab_branch_scrubs_the_job_token(void **state)
{
	static const struct var vars[] = {
		{ "GITLAB_CI", "true" },
		{ "CI_COMMIT_SHA", "3333333333333333333333333333333333333333" },
		{ "CI_COMMIT_REF_NAME", "main" },
		{ "CI_COMMIT_BRANCH", "main" },
		{ "CI_REPOSITORY_URL", "https://gitlab-ci-token:SECRET@gitlab.com/g/p.git" },
		{ "CI_PROJECT_URL", "https://gitlab.com/g/p" },
		{ "CI_PROJECT_PATH", "g/p" },
		{ "CI_PIPELINE_ID", "1001" },
		{ "CI_PIPELINE_URL", "https://gitlab.com/g/p/-/pipelines/1001" },
		{ "CI_JOB_URL", "https://gitlab.com/g/p/-/jobs/2002" },
		{ "CI_PIPELINE_CREATED_AT", "2024-01-02T03:04:05Z" },
		{ "CI_JOB_STARTED_AT", "2024-05-06T07:08:09Z" },
		{ NULL, NULL },
	};
	struct ddci_ci ci = DDCI_CI_INIT;

	(void)state;
	detect(&ci, vars);
	check(ci.provider, "gitlab");
	check(ci.sha, "3333333333333333333333333333333333333333");
	check(ci.branch, "main");
	check(ci.tag, NULL);
	check(ci.repo_url, "https://gitlab.com/g/p.git");
	assert_null(strstr(ci.repo_url, "SECRET"));
	assert_null(strstr(ci.repo_url, "gitlab-ci-token"));
	check(ci.pipeline_id, "1001");
	check(ci.pipeline_name, "g/p");
	check(ci.pipeline_url, "https://gitlab.com/g/p/-/pipelines/1001");
	check(ci.job_url, "https://gitlab.com/g/p/-/jobs/2002");
	check(ci.pr_number, NULL);
	assert_true(ci.started_ns == NS(1714979289)); /* the job's: the deployment is this job */
	check(ci.job_key, "1001"); /* CI_JOB_NAME is always set in real jobs */
	ddci_ci_release(&ci);
}

static void test_ci_env__gitlab_merge_request(void **state)
{
	static const struct var vars[] = {
		{ "GITLAB_CI", "true" },
		{ "CI_COMMIT_SHA", "4444444444444444444444444444444444444444" },
		{ "CI_COMMIT_REF_NAME", "feature/x" },
		{ "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "feature/x" },
		{ "CI_MERGE_REQUEST_IID", "7" },
		{ "CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main" },
		{ "CI_MERGE_REQUEST_DIFF_BASE_SHA", "5555555555555555555555555555555555555555" },
		{ "CI_PROJECT_URL", "https://gitlab.example.com/g/p" },
		{ "CI_JOB_STARTED_AT", "2024-05-06T07:08:09Z" },
		{ NULL, NULL },
	};
	struct ddci_ci ci = DDCI_CI_INIT;

	(void)state;
	detect(&ci, vars);
	check(ci.branch, "feature/x");
	check(ci.pr_number, "7");
	check(ci.base_branch, "main");
	check(ci.base_sha, "5555555555555555555555555555555555555555");
	check(ci.repo_url, "https://gitlab.example.com/g/p");
	assert_true(ci.started_ns == NS(1714979289));
	ddci_ci_release(&ci);
}

static void test_ci_env__gitlab_tag(void **state)
{
	static const struct var vars[] = {
		{ "GITLAB_CI", "true" },
		{ "CI_COMMIT_TAG", "v3.0.0" },
		{ "CI_COMMIT_REF_NAME", "v3.0.0" },
		{ "CI_PIPELINE_CREATED_AT", "not a time" },
		{ NULL, NULL },
	};
	struct ddci_ci ci = DDCI_CI_INIT;

	(void)state;
	detect(&ci, vars);
	check(ci.tag, "v3.0.0");
	check(ci.branch, NULL);
	assert_true(ci.started_ns == 0); /* unreadable: unknown, not an error */
	ddci_ci_release(&ci);
}

static void test_ci_env__jenkins_freestyle(void **state)
{
	static const struct var vars[] = {
		{ "JENKINS_URL", "https://ci.acme.com/" },
		{ "GIT_COMMIT", "6666666666666666666666666666666666666666" },
		{ "GIT_BRANCH", "origin/release/2.x" },
		{ "GIT_URL", "https://deploy:hunter22@github.com/acme/shop.git" },
		{ "BUILD_TAG", "jenkins-shop-deploy-88" },
		{ "BUILD_NUMBER", "88" },
		{ "JOB_NAME", "shop-deploy" },
		{ "BUILD_URL", "https://ci.acme.com/job/shop-deploy/88/" },
		{ "JOB_URL", "https://ci.acme.com/job/shop-deploy/" },
		{ NULL, NULL },
	};
	struct ddci_ci ci = DDCI_CI_INIT;

	(void)state;
	detect(&ci, vars);
	check(ci.provider, "jenkins");
	check(ci.sha, "6666666666666666666666666666666666666666");
	check(ci.branch, "release/2.x");
	check(ci.repo_url, "https://github.com/acme/shop.git");
	check(ci.pipeline_id, "jenkins-shop-deploy-88");
	check(ci.pipeline_name, "shop-deploy");
	check(ci.pipeline_url, "https://ci.acme.com/job/shop-deploy/88/");
	check(ci.job_url, NULL);
	check(ci.pr_number, NULL);
	ddci_ci_release(&ci);
}

static void test_ci_env__jenkins_multibranch_pull_request_and_tag(void **state)
{
	static const struct var pr[] = {
		{ "JENKINS_URL", "https://ci.acme.com/" },
		{ "BRANCH_NAME", "PR-12" },
		{ "CHANGE_ID", "12" },
		{ "CHANGE_TARGET", "main" },
		{ "CHANGE_BRANCH", "feature/pay" },
		{ NULL, NULL },
	};
	static const struct var tag[] = {
		{ "JENKINS_URL", "https://ci.acme.com/" },
		{ "BRANCH_NAME", "v2.0.1" },
		{ "TAG_NAME", "v2.0.1" },
		{ "GIT_BRANCH", "v2.0.1" },
		{ NULL, NULL },
	};
	static const struct var plain[] = {
		{ "JENKINS_URL", "https://ci.acme.com/" },
		{ "BRANCH_NAME", "main" },
		{ "GIT_BRANCH", "refs/tags/v0.9" },
		{ NULL, NULL },
	};
	struct ddci_ci ci = DDCI_CI_INIT;

	(void)state;
	detect(&ci, pr);
	check(ci.branch, "feature/pay");
	check(ci.pr_number, "12");
	check(ci.base_branch, "main");
	ddci_ci_release(&ci);

	detect(&ci, tag);
	check(ci.tag, "v2.0.1");
	check(ci.branch, NULL);
	ddci_ci_release(&ci);

	detect(&ci, plain);
	check(ci.tag, "v0.9");
	check(ci.branch, "main");
	ddci_ci_release(&ci);
}

static void test_ci_env__circleci(void **state)
{
	static const struct var vars[] = {
		{ "CIRCLECI", "true" },
		{ "CIRCLE_SHA1", "7777777777777777777777777777777777777777" },
		{ "CIRCLE_BRANCH", "feature/y" },
		{ "CIRCLE_REPOSITORY_URL", "git@github.com:acme/shop.git" },
		{ "CIRCLE_WORKFLOW_ID", "a1b2c3d4-0000-1111-2222-333344445555" },
		{ "CIRCLE_PROJECT_REPONAME", "shop" },
		{ "CIRCLE_BUILD_URL", "https://circleci.com/gh/acme/shop/321" },
		{ "CIRCLE_PULL_REQUEST", "https://github.com/acme/shop/pull/5" },
		{ NULL, NULL },
	};
	struct ddci_ci ci = DDCI_CI_INIT;

	(void)state;
	detect(&ci, vars);
	check(ci.provider, "circleci");
	check(ci.sha, "7777777777777777777777777777777777777777");
	check(ci.branch, "feature/y");
	check(ci.repo_url, "git@github.com:acme/shop.git");
	check(ci.pipeline_id, "a1b2c3d4-0000-1111-2222-333344445555");
	check(ci.pipeline_url,
	      "https://app.circleci.com/pipelines/workflows/a1b2c3d4-0000-1111-2222-333344445555");
	check(ci.job_url, "https://circleci.com/gh/acme/shop/321");
	check(ci.pr_number, "5");
	ddci_ci_release(&ci);
}

static void test_ci_env__buildkite(void **state)
{
	static const struct var vars[] = {
		{ "BUILDKITE", "true" },
		{ "BUILDKITE_COMMIT", "8888888888888888888888888888888888888888" },
		{ "BUILDKITE_BRANCH", "main" },
		{ "BUILDKITE_TAG", "" },
		{ "BUILDKITE_REPO", "https://bk:tok3n@github.com/acme/shop.git" },
		{ "BUILDKITE_BUILD_ID", "0188-build" },
		{ "BUILDKITE_PIPELINE_SLUG", "shop" },
		{ "BUILDKITE_BUILD_URL", "https://buildkite.com/acme/shop/builds/44" },
		{ "BUILDKITE_JOB_ID", "0188-job" },
		{ "BUILDKITE_PULL_REQUEST", "false" },
		{ "BUILDKITE_PULL_REQUEST_BASE_BRANCH", "" },
		{ NULL, NULL },
	};
	struct ddci_ci ci = DDCI_CI_INIT;

	(void)state;
	detect(&ci, vars);
	check(ci.provider, "buildkite");
	check(ci.branch, "main");
	check(ci.tag, NULL);
	check(ci.repo_url, "https://github.com/acme/shop.git");
	check(ci.pipeline_id, "0188-build");
	check(ci.pipeline_name, "shop");
	check(ci.pipeline_url, "https://buildkite.com/acme/shop/builds/44");
	check(ci.job_url, "https://buildkite.com/acme/shop/builds/44#0188-job");
	check(ci.pr_number, NULL);
	ddci_ci_release(&ci);
}

static void test_ci_env__azure_pipelines(void **state)
{
	static const struct var push[] = {
		{ "TF_BUILD", "True" },
		{ "BUILD_SOURCEVERSION", "9999999999999999999999999999999999999999" },
		{ "BUILD_SOURCEBRANCH", "refs/heads/main" },
		{ "BUILD_SOURCEBRANCHNAME", "main" },
		{ "BUILD_REPOSITORY_URI", "https://acme@dev.azure.com/acme/shop/_git/shop" },
		{ "SYSTEM_TEAMFOUNDATIONSERVERURI", "https://dev.azure.com/acme/" },
		{ "SYSTEM_TEAMPROJECTID", "proj-1" },
		{ "BUILD_BUILDID", "77" },
		{ "BUILD_DEFINITIONNAME", "shop-ci" },
		{ "SYSTEM_JOBID", "job-1" },
		{ "SYSTEM_TASKINSTANCEID", "task-1" },
		{ NULL, NULL },
	};
	static const struct var pr[] = {
		{ "TF_BUILD", "True" },
		{ "BUILD_SOURCEVERSION", "merge000000000000000000000000000000000000" },
		{ "BUILD_SOURCEBRANCH", "refs/pull/31/merge" },
		{ "SYSTEM_PULLREQUEST_SOURCEBRANCH", "refs/heads/feature/z" },
		{ "SYSTEM_PULLREQUEST_SOURCECOMMITID", "head0000000000000000000000000000000000000" },
		{ "SYSTEM_PULLREQUEST_TARGETBRANCH", "refs/heads/main" },
		{ "SYSTEM_PULLREQUEST_PULLREQUESTID", "31" },
		{ NULL, NULL },
	};
	static const struct var tag[] = {
		{ "TF_BUILD", "True" },
		{ "BUILD_SOURCEBRANCH", "refs/tags/v5" },
		{ NULL, NULL },
	};
	struct ddci_ci ci = DDCI_CI_INIT;

	(void)state;
	detect(&ci, push);
	check(ci.provider, "azurepipelines");
	check(ci.sha, "9999999999999999999999999999999999999999");
	check(ci.branch, "main");
	check(ci.repo_url, "https://dev.azure.com/acme/shop/_git/shop");
	check(ci.pipeline_id, "77");
	check(ci.pipeline_name, "shop-ci");
	check(ci.pipeline_url, "https://dev.azure.com/acme/proj-1/_build/results?buildId=77");
	check(ci.job_url,
	      "https://dev.azure.com/acme/proj-1/_build/results?buildId=77&view=logs&j=job-1&t=task-1");
	ddci_ci_release(&ci);

	detect(&ci, pr);
	check(ci.sha, "head0000000000000000000000000000000000000");
	check(ci.branch, "feature/z");
	check(ci.pr_number, "31");
	check(ci.base_branch, "main");
	ddci_ci_release(&ci);

	detect(&ci, tag);
	check(ci.tag, "v5");
	check(ci.branch, NULL);
	ddci_ci_release(&ci);
}

static void test_ci_env__bitbucket(void **state)
{
	static const struct var vars[] = {
		{ "BITBUCKET_BUILD_NUMBER", "17" },
		{ "BITBUCKET_COMMIT", "abababababababababababababababababababab" },
		{ "BITBUCKET_BRANCH", "feature/q" },
		{ "BITBUCKET_GIT_HTTP_ORIGIN", "http://bitbucket.org/acme/shop" },
		{ "BITBUCKET_PIPELINE_UUID", "{6f1e5c4d-0000-4a4a-8b8b-123456789abc}" },
		{ "BITBUCKET_REPO_FULL_NAME", "acme/shop" },
		{ "BITBUCKET_PR_ID", "3" },
		{ "BITBUCKET_PR_DESTINATION_BRANCH", "main" },
		{ NULL, NULL },
	};
	struct ddci_ci ci = DDCI_CI_INIT;

	(void)state;
	detect(&ci, vars);
	check(ci.provider, "bitbucket");
	check(ci.sha, "abababababababababababababababababababab");
	check(ci.branch, "feature/q");
	check(ci.repo_url, "http://bitbucket.org/acme/shop");
	check(ci.pipeline_id, "6f1e5c4d-0000-4a4a-8b8b-123456789abc");
	check(ci.pipeline_name, "acme/shop");
	check(ci.pipeline_url, "https://bitbucket.org/acme/shop/addon/pipelines/home#!/results/17");
	check(ci.pr_number, "3");
	check(ci.base_branch, "main");
	ddci_ci_release(&ci);
}

static void test_ci_env__travis(void **state)
{
	static const struct var pr[] = {
		{ "TRAVIS", "true" },
		{ "TRAVIS_COMMIT", "mergemergemergemergemergemergemergemerge" },
		{ "TRAVIS_PULL_REQUEST", "9" },
		{ "TRAVIS_PULL_REQUEST_SHA", "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd" },
		{ "TRAVIS_PULL_REQUEST_BRANCH", "feature/t" },
		{ "TRAVIS_BRANCH", "main" },
		{ "TRAVIS_REPO_SLUG", "acme/shop" },
		{ "TRAVIS_BUILD_ID", "4040" },
		{ "TRAVIS_BUILD_WEB_URL", "https://app.travis-ci.com/acme/shop/builds/4040" },
		{ "TRAVIS_JOB_WEB_URL", "https://app.travis-ci.com/acme/shop/jobs/5050" },
		{ NULL, NULL },
	};
	static const struct var push[] = {
		{ "TRAVIS", "true" },
		{ "TRAVIS_COMMIT", "efefefefefefefefefefefefefefefefefefefef" },
		{ "TRAVIS_PULL_REQUEST", "false" },
		{ "TRAVIS_BRANCH", "main" },
		{ NULL, NULL },
	};
	struct ddci_ci ci = DDCI_CI_INIT;

	(void)state;
	detect(&ci, pr);
	check(ci.provider, "travisci");
	check(ci.sha, "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd");
	check(ci.branch, "feature/t");
	check(ci.base_branch, "main");
	check(ci.pr_number, "9");
	check(ci.repo_url, "https://github.com/acme/shop.git");
	check(ci.pipeline_id, "4040");
	check(ci.pipeline_url, "https://app.travis-ci.com/acme/shop/builds/4040");
	check(ci.job_url, "https://app.travis-ci.com/acme/shop/jobs/5050");
	ddci_ci_release(&ci);

	detect(&ci, push);
	check(ci.sha, "efefefefefefefefefefefefefefefefefefefef");
	check(ci.branch, "main");
	check(ci.pr_number, NULL);
	check(ci.base_branch, NULL);
	ddci_ci_release(&ci);
}

static void test_ci_env__teamcity(void **state)
{
	static const struct var vars[] = {
		{ "TEAMCITY_VERSION", "2023.11.1 (build 147412)" },
		{ "BUILD_VCS_NUMBER", "1212121212121212121212121212121212121212" },
		{ "BUILD_NUMBER", "311" },
		{ "TEAMCITY_BUILDCONF_NAME", "Deploy" },
		{ NULL, NULL },
	};
	struct ddci_ci ci = DDCI_CI_INIT;

	(void)state;
	detect(&ci, vars);
	check(ci.provider, "teamcity");
	check(ci.sha, "1212121212121212121212121212121212121212");
	check(ci.pipeline_id, "311");
	check(ci.pipeline_name, "Deploy");
	check(ci.pipeline_url, NULL);
	ddci_ci_release(&ci);
}

static void test_ci_env__aws_codebuild(void **state)
{
	static const struct var vars[] = {
		{ "CODEBUILD_BUILD_ID", "shop:0f0f0f0f-1111-2222-3333-444455556666" },
		{ "CODEBUILD_BUILD_ARN",
		  "arn:aws:codebuild:eu-west-1:123456789012:build/shop:0f0f0f0f-1111-2222-3333-444455556666" },
		{ "AWS_REGION", "eu-west-1" },
		{ "CODEBUILD_RESOLVED_SOURCE_VERSION", "3434343434343434343434343434343434343434" },
		{ "CODEBUILD_SOURCE_VERSION", "pr/15" },
		{ "CODEBUILD_WEBHOOK_TRIGGER", "pr/15" },
		{ "CODEBUILD_WEBHOOK_HEAD_REF", "refs/heads/feature/w" },
		{ "CODEBUILD_WEBHOOK_BASE_REF", "refs/heads/main" },
		{ "CODEBUILD_SOURCE_REPO_URL", "https://github.com/acme/shop.git" },
		{ "CODEBUILD_START_TIME", "1704164645123" },
		{ NULL, NULL },
	};
	struct ddci_ci ci = DDCI_CI_INIT;

	(void)state;
	detect(&ci, vars);
	check(ci.provider, "awscodebuild");
	check(ci.sha, "3434343434343434343434343434343434343434");
	check(ci.branch, "feature/w");
	check(ci.pr_number, "15");
	check(ci.base_branch, "main");
	check(ci.repo_url, "https://github.com/acme/shop.git");
	check(ci.pipeline_id, "shop:0f0f0f0f-1111-2222-3333-444455556666");
	check(ci.pipeline_name, "shop");
	check(ci.pipeline_url,
	      "https://eu-west-1.console.aws.amazon.com/codesuite/codebuild/123456789012/projects/shop/"
	      "build/shop%3A0f0f0f0f-1111-2222-3333-444455556666/?region=eu-west-1");
	assert_true(ci.started_ns == NS(1704164645) + INT64_C(123000000));
	ddci_ci_release(&ci);
}

static void test_ci_env__detection_order_and_values(void **state)
{
	static const struct var both[] = {
		{ "JENKINS_URL", "https://ci.acme.com/" },
		{ "GITHUB_ACTIONS", "true" },
		{ "GITHUB_SHA", "5656565656565656565656565656565656565656" },
		{ NULL, NULL },
	};
	static const struct var not_github[] = {
		{ "GITHUB_ACTIONS", "false" },
		{ "GITHUB_SHA", "5656565656565656565656565656565656565656" },
		{ NULL, NULL },
	};
	struct ddci_ci ci = DDCI_CI_INIT;

	(void)state;
	detect(&ci, both);
	check(ci.provider, "github");
	check(ci.sha, "5656565656565656565656565656565656565656");
	ddci_ci_release(&ci);

	detect(&ci, not_github);
	check(ci.provider, NULL);
	check(ci.sha, NULL);
	ddci_ci_release(&ci);
}

/* The job's identity stays the same when the job is retried or re-run. */
static void test_ci_env__job_key_is_stable_across_re_runs(void **state)
{
	static const struct { const char *provider, *key; struct var vars[6]; } cases[] = {
		{ "github", "4242/deploy", { { "GITHUB_ACTIONS", "true" }, { "GITHUB_RUN_ID", "4242" },
					     { "GITHUB_JOB", "deploy" }, { "GITHUB_RUN_ATTEMPT", "3" } } },
		{ "gitlab", "77/deploy", { { "GITLAB_CI", "true" }, { "CI_PIPELINE_ID", "77" },
					   { "CI_JOB_NAME", "deploy" }, { "CI_JOB_ID", "9" } } },
		{ "jenkins", "jenkins-shop-12/Deploy", { { "JENKINS_URL", "http://j" }, { "BUILD_TAG", "jenkins-shop-12" },
							 { "STAGE_NAME", "Deploy" } } },
		{ "buildkite", "b1/s1", { { "BUILDKITE", "true" }, { "BUILDKITE_BUILD_ID", "b1" },
					  { "BUILDKITE_STEP_ID", "s1" }, { "BUILDKITE_JOB_ID", "j7" } } },
		{ "circleci", "w1/deploy", { { "CIRCLECI", "true" }, { "CIRCLE_WORKFLOW_ID", "w1" },
					     { "CIRCLE_JOB", "deploy" } } },
		{ "azurepipelines", "5/Prod/Deploy", { { "TF_BUILD", "True" }, { "BUILD_BUILDID", "5" },
						       { "SYSTEM_STAGENAME", "Prod" }, { "SYSTEM_JOBNAME", "Deploy" },
						       { "SYSTEM_JOBID", "attempt-2" } } },
		{ "travisci", "123", { { "TRAVIS", "true" }, { "TRAVIS_JOB_ID", "123" } } },
	};
	struct ddci_ci ci = DDCI_CI_INIT;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		detect(&ci, cases[i].vars);
		check(ci.provider, cases[i].provider);
		check(ci.job_key, cases[i].key);
		ddci_ci_release(&ci);
	}
}

/* Start times each CI gives: Buildkite's build, Azure's pipeline (with a space). */
static void test_ci_env__start_times(void **state)
{
	static const struct var bk[] = { { "BUILDKITE", "true" }, { "BUILDKITE_BUILD_CREATED_AT", "2023-11-14T22:13:20Z" },
					 { NULL, NULL } };
	static const struct var az[] = { { "TF_BUILD", "True" },
					 { "SYSTEM_PIPELINESTARTTIME", "2023-11-14 22:13:20+00:00" }, { NULL, NULL } };
	struct ddci_ci ci = DDCI_CI_INIT;

	(void)state;
	detect(&ci, bk);
	assert_true(ci.started_ns == NS(1700000000));
	check(ci.started_var, "BUILDKITE_BUILD_CREATED_AT");
	check(ddci_ci_display_name(&ci), "Buildkite");
	ddci_ci_release(&ci);
	detect(&ci, az);
	assert_true(ci.started_ns == NS(1700000000));
	ddci_ci_release(&ci);
}

static void test_ci_env__getenv_reads_the_environment(void **state)
{
	(void)state;
	assert_int_equal(setenv("DDCI_TEST_CI_GETENV", "value", 1), 0);
	assert_string_equal(ddci_ci_getenv("DDCI_TEST_CI_GETENV"), "value");
	unsetenv("DDCI_TEST_CI_GETENV");
	assert_null(ddci_ci_getenv("DDCI_TEST_CI_GETENV"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ci_env__unknown_ci),
		cmocka_unit_test(test_ci_env__github_push),
		cmocka_unit_test(test_ci_env__github_pull_request),
		cmocka_unit_test(test_ci_env__github_tag),
		cmocka_unit_test(test_ci_env__gitlab_branch_scrubs_the_job_token),
		cmocka_unit_test(test_ci_env__gitlab_merge_request),
		cmocka_unit_test(test_ci_env__gitlab_tag),
		cmocka_unit_test(test_ci_env__jenkins_freestyle),
		cmocka_unit_test(test_ci_env__jenkins_multibranch_pull_request_and_tag),
		cmocka_unit_test(test_ci_env__circleci),
		cmocka_unit_test(test_ci_env__buildkite),
		cmocka_unit_test(test_ci_env__azure_pipelines),
		cmocka_unit_test(test_ci_env__bitbucket),
		cmocka_unit_test(test_ci_env__travis),
		cmocka_unit_test(test_ci_env__teamcity),
		cmocka_unit_test(test_ci_env__aws_codebuild),
		cmocka_unit_test(test_ci_env__detection_order_and_values),
		cmocka_unit_test(test_ci_env__job_key_is_stable_across_re_runs),
		cmocka_unit_test(test_ci_env__start_times),
		cmocka_unit_test(test_ci_env__getenv_reads_the_environment),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
