/* ci_env.c — what the CI system says about this run (see ddci/ci_env.h).
 *
 * One reader per provider, each using that provider's documented variables.
 * Values are copied (first non-empty one wins, so a reader lists its sources
 * in order of preference); URLs go through ddci_redact_url(); refs are
 * normalised to a branch or a tag name.
 */
#include "ddci/ci_env.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ddci/redact.h"
#include "ddci/timeutil.h"

typedef const char *(*env_fn)(const char *name);

/* A reader's state: the setters record an allocation failure in `err` so
 * that the readers can stay straight-line. */
struct rd {
	struct ddci_ci *ci;
	env_fn getenv_fn;
	int err;
};

/* The variable's value, or NULL when unset or empty. */
static const char *env(struct rd *r, const char *name)
{
	const char *v = r->getenv_fn(name);

	return v && *v ? v : NULL;
}

static int starts(const char *s, const char *prefix)
{
	return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Sets *field to a copy of `value` unless it is set already or value is
 * NULL/empty. */
static void set(struct rd *r, char **field, const char *value)
{
	size_t n;

	if (*field || !value || !*value || r->err)
		return;
	n = strlen(value) + 1;
	*field = malloc(n);
	if (!*field) {
		r->err = DDCI_ENOMEM;
		return;
	}
	memcpy(*field, value, n);
}

static void set_env(struct rd *r, char **field, const char *name)
{
	set(r, field, env(r, name));
}

static void set_url(struct rd *r, char **field, const char *url)
{
	if (*field || !url || !*url || r->err)
		return;
	*field = ddci_redact_url(url);
	if (!*field)
		r->err = DDCI_ENOMEM;
}

/* Sets *field to the formatted text, scrubbed as a URL, when every %s
 * argument is non-NULL (the caller passes `n` of them, then the format). */
static void set_urlf(struct rd *r, char **field, int n, const char *fmt, ...)
	DDCI_PRINTF(4, 5);
static void set_urlf(struct rd *r, char **field, int n, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	int i, len;

	if (*field || r->err)
		return;
	va_start(ap, fmt);
	for (i = 0; i < n; i++)
		if (!va_arg(ap, const char *)) {
			va_end(ap);
			return;
		}
	va_end(ap);
	va_start(ap, fmt);
	len = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (len < 0 || (size_t)len >= sizeof(buf))
		return; /* absurdly long: leave the field unknown */
	set_url(r, field, buf);
}

/* A ref as CI systems give it: "refs/heads/x", "origin/x", "refs/tags/v1",
 * "origin/tags/v1", or a plain name.  Tags go to ci->tag, the rest to
 * ci->branch. */
static void set_ref(struct rd *r, const char *ref)
{
	static const char *const strip[] = { "refs/heads/", "refs/remotes/", "origin/" };

	if (!ref || !*ref)
		return;
	for (size_t i = 0; i < sizeof(strip) / sizeof(strip[0]); i++)
		if (starts(ref, strip[i]))
			ref += strlen(strip[i]);
	if (starts(ref, "refs/tags/"))
		set(r, &r->ci->tag, ref + 10);
	else if (starts(ref, "tags/"))
		set(r, &r->ci->tag, ref + 5);
	else if (!starts(ref, "refs/"))
		set(r, &r->ci->branch, ref);
}

/* A branch name that may come with refs/heads/ or origin/ (PR targets). */
static void set_branch_name(struct rd *r, char **field, const char *ref)
{
	if (starts(ref, "refs/heads/"))
		ref += 11;
	if (starts(ref, "origin/"))
		ref += 7;
	set(r, field, ref);
}

/* Start time from an RFC 3339 or Unix (s/ms) value ("2024-05-01 12:00:00+00:00"
 * with a space too, as Azure writes it); a value we cannot read leaves it
 * unknown rather than failing the command. */
static void set_started(struct rd *r, const char *name)
{
	const char *v = env(r, name);
	char text[64];
	int64_t ns;

	if (r->ci->started_ns || !v || strlen(v) >= sizeof(text))
		return;
	snprintf(text, sizeof(text), "%s", v);
	if (strlen(text) > 10 && text[10] == ' ')
		text[10] = 'T';
	if (ddci_time_parse(&ns, text, ddci_time_now_ns(), name) == 0) {
		r->ci->started_ns = ns;
		r->ci->started_var = name;
	} else {
		ddci_error_clear();
	}
}

/* The job's identity: the values of the variables named, joined by '/',
 * when the first one (the run) is set. */
static void set_job_key(struct rd *r, const char *run, const char *const *jobs)
{
	char key[512];
	size_t n;

	if (r->ci->job_key || !run || strlen(run) >= sizeof(key))
		return;
	n = (size_t)snprintf(key, sizeof(key), "%s", run);
	for (; *jobs; jobs++) {
		const char *v = env(r, *jobs);

		if (v && n + 1 + strlen(v) < sizeof(key))
			n += (size_t)snprintf(key + n, sizeof(key) - n, "/%s", v);
	}
	set(r, &r->ci->job_key, key);
}

/* --- Providers ------------------------------------------------------------ */

/* https://docs.github.com/actions/learn-github-actions/variables */
static void read_github(struct rd *r)
{
	struct ddci_ci *ci = r->ci;
	const char *server = env(r, "GITHUB_SERVER_URL"), *repo = env(r, "GITHUB_REPOSITORY");
	const char *run = env(r, "GITHUB_RUN_ID"), *attempt = env(r, "GITHUB_RUN_ATTEMPT");
	const char *ref = env(r, "GITHUB_REF"), *sha = env(r, "GITHUB_SHA");
	const char *type = env(r, "GITHUB_REF_TYPE");

	set(r, &ci->sha, sha);
	/* Pull requests: GITHUB_REF is refs/pull/<n>/merge, the branch is
	 * GITHUB_HEAD_REF and the target GITHUB_BASE_REF. */
	if (starts(ref, "refs/pull/")) {
		const char *n = ref + 10;
		size_t len = strcspn(n, "/");
		char num[32];

		if (len > 0 && len < sizeof(num)) {
			memcpy(num, n, len);
			num[len] = '\0';
			set(r, &ci->pr_number, num);
		}
	}
	set_env(r, &ci->branch, "GITHUB_HEAD_REF");
	set_branch_name(r, &ci->base_branch, env(r, "GITHUB_BASE_REF"));
	/* Else GITHUB_REF is refs/heads/<b> or refs/tags/<t>, and
	 * GITHUB_REF_NAME the short name ("<n>/merge" for a PR). */
	if (type && !strcmp(type, "tag"))
		set_env(r, &ci->tag, "GITHUB_REF_NAME");
	if (!starts(ref, "refs/pull/")) {
		set_ref(r, ref);
		if (type && !strcmp(type, "branch"))
			set_env(r, &ci->branch, "GITHUB_REF_NAME");
	}

	set_urlf(r, &ci->repo_url, 2, "%s/%s.git", server, repo);
	set(r, &ci->pipeline_id, run);
	set_env(r, &ci->pipeline_name, "GITHUB_WORKFLOW");
	if (attempt && strcmp(attempt, "1") != 0)
		set_urlf(r, &ci->pipeline_url, 4, "%s/%s/actions/runs/%s/attempts/%s", server, repo,
			 run, attempt);
	set_urlf(r, &ci->pipeline_url, 3, "%s/%s/actions/runs/%s", server, repo, run);
	/* GitHub does not name the job's run in the environment; its checks
	 * page for the commit is the closest link. */
	set_urlf(r, &ci->job_url, 3, "%s/%s/commit/%s/checks", server, repo, sha);
	/* GITHUB_RUN_ID stays when a job is re-run (GITHUB_RUN_ATTEMPT grows);
	 * GITHUB_JOB is the job's id in the workflow.  There is no job start
	 * time in the environment: actions/setup records DDCI_JOB_STARTED_AT. */
	set_job_key(r, run, (const char *const[]){ "GITHUB_JOB", NULL });
}

/* https://docs.gitlab.com/ee/ci/variables/predefined_variables.html */
static void read_gitlab(struct rd *r)
{
	struct ddci_ci *ci = r->ci;

	set_env(r, &ci->sha, "CI_COMMIT_SHA");
	set_env(r, &ci->tag, "CI_COMMIT_TAG");
	set_env(r, &ci->branch, "CI_COMMIT_BRANCH");
	/* Merge request pipelines have no CI_COMMIT_BRANCH. */
	set_env(r, &ci->branch, "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME");
	if (!ci->tag)
		set_env(r, &ci->branch, "CI_COMMIT_REF_NAME");
	/* CI_REPOSITORY_URL carries the job token as a password. */
	set_url(r, &ci->repo_url, env(r, "CI_REPOSITORY_URL"));
	set_url(r, &ci->repo_url, env(r, "CI_PROJECT_URL"));
	set_env(r, &ci->pipeline_id, "CI_PIPELINE_ID");
	set_env(r, &ci->pipeline_name, "CI_PROJECT_PATH");
	set_url(r, &ci->pipeline_url, env(r, "CI_PIPELINE_URL"));
	set_url(r, &ci->job_url, env(r, "CI_JOB_URL"));
	set_env(r, &ci->pr_number, "CI_MERGE_REQUEST_IID");
	set_env(r, &ci->base_branch, "CI_MERGE_REQUEST_TARGET_BRANCH_NAME");
	set_env(r, &ci->base_sha, "CI_MERGE_REQUEST_DIFF_BASE_SHA");
	set_started(r, "CI_JOB_STARTED_AT");
	set_started(r, "CI_PIPELINE_CREATED_AT");
	/* A retried job gets a new CI_JOB_ID, not a new name. */
	set_job_key(r, env(r, "CI_PIPELINE_ID"), (const char *const[]){ "CI_JOB_NAME", NULL });
}

/* https://www.jenkins.io/doc/book/pipeline/jenkinsfile/#using-environment-variables
 * and the Git plugin's GIT_* variables. */
static void read_jenkins(struct rd *r)
{
	struct ddci_ci *ci = r->ci;
	const char *change = env(r, "CHANGE_ID"), *tag = env(r, "TAG_NAME");

	set_env(r, &ci->sha, "GIT_COMMIT");
	set(r, &ci->tag, tag);
	if (change) {
		/* Multibranch pull request build: BRANCH_NAME is "PR-<n>". */
		set(r, &ci->pr_number, change);
		set_branch_name(r, &ci->base_branch, env(r, "CHANGE_TARGET"));
		set_env(r, &ci->branch, "CHANGE_BRANCH");
	}
	/* In a tag build GIT_BRANCH and BRANCH_NAME hold the tag's name. */
	if (!tag)
		set_ref(r, env(r, "GIT_BRANCH"));
	if (!change && !tag)
		set_ref(r, env(r, "BRANCH_NAME"));
	set_url(r, &ci->repo_url, env(r, "GIT_URL"));
	set_url(r, &ci->repo_url, env(r, "GIT_URL_1"));
	set_env(r, &ci->pipeline_id, "BUILD_TAG");
	set_env(r, &ci->pipeline_name, "JOB_NAME");
	/* BUILD_URL is this run; JOB_URL is the project page, not a run, so
	 * there is no job URL. */
	set_url(r, &ci->pipeline_url, env(r, "BUILD_URL"));
	/* BUILD_TAG is jenkins-<job>-<build number>; the stage when named. */
	set_job_key(r, env(r, "BUILD_TAG"), (const char *const[]){ "STAGE_NAME", NULL });
	/* The Build Timestamp plugin's BUILD_TIMESTAMP, when in a format we read. */
	set_started(r, "BUILD_TIMESTAMP");
}

/* https://circleci.com/docs/variables/#built-in-environment-variables */
static void read_circleci(struct rd *r)
{
	struct ddci_ci *ci = r->ci;
	const char *pr = env(r, "CIRCLE_PULL_REQUEST"), *slash;

	set_env(r, &ci->sha, "CIRCLE_SHA1");
	set_env(r, &ci->tag, "CIRCLE_TAG");
	set_env(r, &ci->branch, "CIRCLE_BRANCH");
	set_url(r, &ci->repo_url, env(r, "CIRCLE_REPOSITORY_URL"));
	set_env(r, &ci->pipeline_id, "CIRCLE_WORKFLOW_ID");
	set_env(r, &ci->pipeline_name, "CIRCLE_PROJECT_REPONAME");
	set_urlf(r, &ci->pipeline_url, 1, "https://app.circleci.com/pipelines/workflows/%s",
		 env(r, "CIRCLE_WORKFLOW_ID"));
	set_url(r, &ci->job_url, env(r, "CIRCLE_BUILD_URL"));
	/* CIRCLE_PR_NUMBER is only set for forks; CIRCLE_PULL_REQUEST is the
	 * PR's URL, ending in /pull/<n>. */
	set_env(r, &ci->pr_number, "CIRCLE_PR_NUMBER");
	if (pr && (slash = strrchr(pr, '/')) && slash[1])
		set(r, &ci->pr_number, slash + 1);
	/* No start time in CircleCI's environment. */
	set_job_key(r, env(r, "CIRCLE_WORKFLOW_ID"), (const char *const[]){ "CIRCLE_JOB", NULL });
}

/* https://buildkite.com/docs/pipelines/environment-variables */
static void read_buildkite(struct rd *r)
{
	struct ddci_ci *ci = r->ci;
	const char *pr = env(r, "BUILDKITE_PULL_REQUEST");

	set_env(r, &ci->sha, "BUILDKITE_COMMIT");
	set_env(r, &ci->tag, "BUILDKITE_TAG");
	set_env(r, &ci->branch, "BUILDKITE_BRANCH");
	set_url(r, &ci->repo_url, env(r, "BUILDKITE_REPO"));
	set_env(r, &ci->pipeline_id, "BUILDKITE_BUILD_ID");
	set_env(r, &ci->pipeline_name, "BUILDKITE_PIPELINE_SLUG");
	set_url(r, &ci->pipeline_url, env(r, "BUILDKITE_BUILD_URL"));
	set_urlf(r, &ci->job_url, 2, "%s#%s", env(r, "BUILDKITE_BUILD_URL"),
		 env(r, "BUILDKITE_JOB_ID"));
	if (pr && strcmp(pr, "false") != 0) {
		set(r, &ci->pr_number, pr);
		set_env(r, &ci->base_branch, "BUILDKITE_PULL_REQUEST_BASE_BRANCH");
	}
	/* A retried job keeps its step (BUILDKITE_JOB_ID changes). */
	set_job_key(r, env(r, "BUILDKITE_BUILD_ID"), (const char *const[]){ "BUILDKITE_STEP_ID", NULL });
	set_started(r, "BUILDKITE_BUILD_CREATED_AT");
}

/* https://learn.microsoft.com/azure/devops/pipelines/build/variables */
static void read_azure(struct rd *r)
{
	struct ddci_ci *ci = r->ci;
	const char *server = env(r, "SYSTEM_TEAMFOUNDATIONSERVERURI");
	const char *project = env(r, "SYSTEM_TEAMPROJECTID"), *build = env(r, "BUILD_BUILDID");
	const char *pr = env(r, "SYSTEM_PULLREQUEST_PULLREQUESTNUMBER");

	/* In a PR build BUILD_SOURCEVERSION is the merge commit. */
	set_env(r, &ci->sha, "SYSTEM_PULLREQUEST_SOURCECOMMITID");
	set_env(r, &ci->sha, "BUILD_SOURCEVERSION");
	set_ref(r, env(r, "SYSTEM_PULLREQUEST_SOURCEBRANCH"));
	set_ref(r, env(r, "BUILD_SOURCEBRANCH"));
	set_url(r, &ci->repo_url, env(r, "SYSTEM_PULLREQUEST_SOURCEREPOSITORYURI"));
	set_url(r, &ci->repo_url, env(r, "BUILD_REPOSITORY_URI"));
	set(r, &ci->pipeline_id, build);
	set_env(r, &ci->pipeline_name, "BUILD_DEFINITIONNAME");
	/* SYSTEM_TEAMFOUNDATIONSERVERURI ends with '/'. */
	set_urlf(r, &ci->pipeline_url, 3, "%s%s/_build/results?buildId=%s", server, project, build);
	set_urlf(r, &ci->job_url, 5, "%s%s/_build/results?buildId=%s&view=logs&j=%s&t=%s", server,
		 project, build, env(r, "SYSTEM_JOBID"), env(r, "SYSTEM_TASKINSTANCEID"));
	/* PULLREQUESTNUMBER for GitHub-hosted repos, PULLREQUESTID for Azure Repos. */
	set(r, &ci->pr_number, pr);
	set_env(r, &ci->pr_number, "SYSTEM_PULLREQUEST_PULLREQUESTID");
	set_branch_name(r, &ci->base_branch, env(r, "SYSTEM_PULLREQUEST_TARGETBRANCH"));
	/* Re-running failed jobs keeps BUILD_BUILDID; SYSTEM_JOBID is per attempt. */
	set_job_key(r, build, (const char *const[]){ "SYSTEM_STAGENAME", "SYSTEM_JOBNAME", NULL });
	set_started(r, "SYSTEM_PIPELINESTARTTIME");
}

/* https://support.atlassian.com/bitbucket-cloud/docs/variables-and-secrets/ */
static void read_bitbucket(struct rd *r)
{
	struct ddci_ci *ci = r->ci;
	const char *uuid = env(r, "BITBUCKET_PIPELINE_UUID");
	const char *name = env(r, "BITBUCKET_REPO_FULL_NAME");
	char id[128];

	set_env(r, &ci->sha, "BITBUCKET_COMMIT");
	set_env(r, &ci->tag, "BITBUCKET_TAG");
	set_env(r, &ci->branch, "BITBUCKET_BRANCH");
	set_url(r, &ci->repo_url, env(r, "BITBUCKET_GIT_HTTP_ORIGIN"));
	set_url(r, &ci->repo_url, env(r, "BITBUCKET_GIT_SSH_ORIGIN"));
	/* The UUID comes in braces: "{1f2e...}". */
	if (uuid) {
		size_t len = strlen(uuid);

		if (len >= 2 && uuid[0] == '{' && uuid[len - 1] == '}' && len - 2 < sizeof(id)) {
			memcpy(id, uuid + 1, len - 2);
			id[len - 2] = '\0';
			uuid = id;
		}
		set(r, &ci->pipeline_id, uuid);
	}
	set(r, &ci->pipeline_name, name);
	set_urlf(r, &ci->pipeline_url, 2,
		 "https://bitbucket.org/%s/addon/pipelines/home#!/results/%s", name,
		 env(r, "BITBUCKET_BUILD_NUMBER"));
	set_env(r, &ci->pr_number, "BITBUCKET_PR_ID");
	set_env(r, &ci->base_branch, "BITBUCKET_PR_DESTINATION_BRANCH");
	set_job_key(r, ci->pipeline_id, (const char *const[]){ "BITBUCKET_STEP_UUID", NULL });
}

/* https://docs.travis-ci.com/user/environment-variables/ */
static void read_travis(struct rd *r)
{
	struct ddci_ci *ci = r->ci;
	const char *pr = env(r, "TRAVIS_PULL_REQUEST"), *slug = env(r, "TRAVIS_REPO_SLUG");
	int is_pr = pr && strcmp(pr, "false") != 0;

	set_env(r, &ci->tag, "TRAVIS_TAG");
	if (is_pr) {
		/* In a PR build TRAVIS_BRANCH is the target branch. */
		set(r, &ci->pr_number, pr);
		set_env(r, &ci->sha, "TRAVIS_PULL_REQUEST_SHA");
		set_env(r, &ci->branch, "TRAVIS_PULL_REQUEST_BRANCH");
		set_env(r, &ci->base_branch, "TRAVIS_BRANCH");
	} else if (!ci->tag) {
		set_env(r, &ci->branch, "TRAVIS_BRANCH");
	}
	set_env(r, &ci->sha, "TRAVIS_COMMIT");
	set_urlf(r, &ci->repo_url, 1, "https://github.com/%s.git", slug);
	set_env(r, &ci->pipeline_id, "TRAVIS_BUILD_ID");
	set(r, &ci->pipeline_name, slug);
	set_url(r, &ci->pipeline_url, env(r, "TRAVIS_BUILD_WEB_URL"));
	set_url(r, &ci->job_url, env(r, "TRAVIS_JOB_WEB_URL"));
	/* A restarted job keeps its TRAVIS_JOB_ID. */
	set_job_key(r, env(r, "TRAVIS_JOB_ID"), (const char *const[]){ NULL });
}

/* https://www.jetbrains.com/help/teamcity/predefined-build-parameters.html
 * TeamCity exports few variables by default; BUILD_URL only when the
 * build configuration sets env.BUILD_URL. */
static void read_teamcity(struct rd *r)
{
	struct ddci_ci *ci = r->ci;

	set_env(r, &ci->sha, "BUILD_VCS_NUMBER");
	set_env(r, &ci->pipeline_id, "BUILD_NUMBER");
	set_env(r, &ci->pipeline_name, "TEAMCITY_BUILDCONF_NAME");
	set_url(r, &ci->pipeline_url, env(r, "BUILD_URL"));
	set_job_key(r, env(r, "TEAMCITY_BUILDCONF_NAME"), (const char *const[]){ "BUILD_NUMBER", NULL });
}

/* https://docs.aws.amazon.com/codebuild/latest/userguide/build-env-ref-env-vars.html */
static void read_codebuild(struct rd *r)
{
	struct ddci_ci *ci = r->ci;
	const char *id = env(r, "CODEBUILD_BUILD_ID"), *arn = env(r, "CODEBUILD_BUILD_ARN");
	const char *trigger = env(r, "CODEBUILD_WEBHOOK_TRIGGER"), *region = env(r, "AWS_REGION");
	const char *colon = id ? strchr(id, ':') : NULL;
	char project[256], account[32], build[512];

	set_env(r, &ci->sha, "CODEBUILD_RESOLVED_SOURCE_VERSION");
	/* CODEBUILD_WEBHOOK_TRIGGER: "branch/<name>", "tag/<name>", "pr/<n>". */
	if (starts(trigger, "branch/"))
		set(r, &ci->branch, trigger + 7);
	else if (starts(trigger, "tag/"))
		set(r, &ci->tag, trigger + 4);
	else if (starts(trigger, "pr/"))
		set(r, &ci->pr_number, trigger + 3);
	set_ref(r, env(r, "CODEBUILD_WEBHOOK_HEAD_REF"));
	set_branch_name(r, &ci->base_branch, env(r, "CODEBUILD_WEBHOOK_BASE_REF"));
	set_url(r, &ci->repo_url, env(r, "CODEBUILD_SOURCE_REPO_URL"));
	set(r, &ci->pipeline_id, id);
	/* CODEBUILD_BUILD_ID is "<project>:<uuid>". */
	if (colon && (size_t)(colon - id) < sizeof(project)) {
		memcpy(project, id, (size_t)(colon - id));
		project[colon - id] = '\0';
		set(r, &ci->pipeline_name, project);
	}
	set_url(r, &ci->pipeline_url, env(r, "CODEBUILD_PUBLIC_BUILD_URL"));
	/* Else the console page: the account is the 5th field of the ARN
	 * "arn:aws:codebuild:<region>:<account>:build/<project>:<uuid>". */
	if (!ci->pipeline_url && ci->pipeline_name && colon && region && arn) {
		const char *p = arn;
		size_t len;

		for (int field = 0; field < 4 && p; field++)
			if ((p = strchr(p, ':')))
				p++;
		len = p ? strcspn(p, ":") : 0;
		if (len > 0 && len < sizeof(account)) {
			memcpy(account, p, len);
			account[len] = '\0';
			snprintf(build, sizeof(build), "%s%%3A%s", ci->pipeline_name, colon + 1);
			set_urlf(r, &ci->pipeline_url, 5,
				 "https://%s.console.aws.amazon.com/codesuite/codebuild/%s/projects/%s/build/%s/?region=%s",
				 region, account, ci->pipeline_name, build, region);
		}
	}
	/* Unix milliseconds. */
	set_started(r, "CODEBUILD_START_TIME");
	set_job_key(r, id, (const char *const[]){ NULL });
}

static const struct provider {
	const char *name;
	const char *display;
	const char *var;   /* detection variable */
	const char *value; /* its value (case-insensitive), or NULL for any */
	void (*read)(struct rd *r);
} providers[] = {
	/* Most specific first: a Jenkins agent's JENKINS_URL can leak into
	 * other environments. */
	{ "github", "GitHub Actions", "GITHUB_ACTIONS", "true", read_github },
	{ "gitlab", "GitLab CI", "GITLAB_CI", NULL, read_gitlab },
	{ "buildkite", "Buildkite", "BUILDKITE", "true", read_buildkite },
	{ "circleci", "CircleCI", "CIRCLECI", "true", read_circleci },
	{ "azurepipelines", "Azure Pipelines", "TF_BUILD", "true", read_azure },
	{ "bitbucket", "Bitbucket Pipelines", "BITBUCKET_BUILD_NUMBER", NULL, read_bitbucket },
	{ "travisci", "Travis CI", "TRAVIS", "true", read_travis },
	{ "awscodebuild", "AWS CodeBuild", "CODEBUILD_BUILD_ID", NULL, read_codebuild },
	{ "teamcity", "TeamCity", "TEAMCITY_VERSION", NULL, read_teamcity },
	{ "jenkins", "Jenkins", "JENKINS_URL", NULL, read_jenkins },
};

const char *ddci_ci_getenv(const char *name)
{
	return getenv(name);
}

int ddci_ci_detect(struct ddci_ci *ci, const char *(*getenv_fn)(const char *name))
{
	struct rd r = { ci, getenv_fn, 0 };
	const struct provider *p = NULL;

	memset(ci, 0, sizeof(*ci));
	for (size_t i = 0; i < sizeof(providers) / sizeof(providers[0]) && !p; i++) {
		const char *v = env(&r, providers[i].var);

		if (v && (!providers[i].value || strcasecmp(v, providers[i].value) == 0))
			p = &providers[i];
	}
	if (!p)
		return 0;
	ci->provider = p->name;
	p->read(&r);
	if (r.err) {
		ddci_ci_release(ci);
		return ddci_error_set(r.err, "out of memory reading the %s environment", p->name);
	}
	return 0;
}

void ddci_ci_release(struct ddci_ci *ci)
{
	if (!ci)
		return;
	free(ci->sha);
	free(ci->branch);
	free(ci->tag);
	free(ci->repo_url);
	free(ci->pipeline_id);
	free(ci->pipeline_name);
	free(ci->pipeline_url);
	free(ci->job_url);
	free(ci->pr_number);
	free(ci->base_branch);
	free(ci->base_sha);
	free(ci->job_key);
	memset(ci, 0, sizeof(*ci));
}

const char *ddci_ci_run_key(char *buf, size_t n, const struct ddci_ci *ci, const char *started)
{
	if (ci && ci->job_key) {
		snprintf(buf, n, "ci:%s", ci->job_key);
		return buf;
	}
	return started && ddci_time_is_relative(started) ? "" : NULL;
}

const char *ddci_ci_display_name(const struct ddci_ci *ci)
{
	for (size_t i = 0; ci->provider && i < sizeof(providers) / sizeof(providers[0]); i++)
		if (!strcmp(providers[i].name, ci->provider))
			return providers[i].display;
	return "this CI";
}
