/* Unit tests for dora_event.c: the event flags both DORA event commands
 * take, what is refused before anything is sent, and the results printed
 * as ddci-deploy, ddci-incident and ddci-change-failure print them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ddci/dora_event.h"
#include "ddci/timeutil.h"

#define NOW (INT64_C(1700000000) * DDCI_NS_PER_SEC)

/* No CI, no GitHub output: what a developer's shell looks like. */
static int no_ci(void **state)
{
	static const char *const vars[] = { "GITHUB_ACTIONS", "GITLAB_CI", "BUILDKITE", "CIRCLECI", "TF_BUILD",
					    "BITBUCKET_BUILD_NUMBER", "TRAVIS", "CODEBUILD_BUILD_ID",
					    "TEAMCITY_VERSION", "JENKINS_URL", "DDCI_JOB_STARTED_AT", "GITHUB_OUTPUT" };
	(void)state;
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
	return 0;
}

/* What a printer wrote, as a string (free it). */
struct capture {
	char *text;
	size_t len;
	FILE *f;
};

static FILE *capture_open(struct capture *c)
{
	c->text = NULL;
	c->len = 0;
	c->f = open_memstream(&c->text, &c->len);
	assert_non_null(c->f);
	return c->f;
}

static const char *capture_close(struct capture *c)
{
	assert_int_equal(fclose(c->f), 0);
	return c->text;
}

static void test_dora_event__flags(void **state)
{
	struct ddci_event_flags f;
	(void)state;
	memset(&f, 0, sizeof(f));
	assert_int_equal(ddci_event_flag(&f, DDCI_EVENT_O_STARTED, "now-5m"), 0);
	assert_int_equal(ddci_event_flag(&f, DDCI_EVENT_O_FINISHED, "now"), 0);
	assert_int_equal(ddci_event_flag(&f, DDCI_EVENT_O_TEAM, "payments"), 0);
	assert_int_equal(ddci_event_flag(&f, DDCI_EVENT_O_TAG, "region:eu"), 0);
	assert_int_equal(ddci_event_flag(&f, DDCI_EVENT_O_TAG, "tier:1"), 0);
	assert_int_equal(ddci_event_flag(&f, DDCI_EVENT_O_ID, "my-deployment-0001"), 0);
	assert_int_equal(ddci_event_flag(&f, DDCI_EVENT_O_COMMIT, "abc"), 0);
	assert_int_equal(ddci_event_flag(&f, DDCI_EVENT_O_REPO_URL, "https://example.com/r.git"), 0);
	assert_int_equal(ddci_event_flag(&f, DDCI_EVENT_O_NO_GIT, NULL), 0);
	assert_string_equal(f.started, "now-5m");
	assert_string_equal(f.finished, "now");
	assert_string_equal(f.team, "payments");
	assert_int_equal(f.tags.n, 2);
	assert_string_equal(f.tags.v[1], "tier:1");
	assert_string_equal(f.id, "my-deployment-0001");
	assert_string_equal(f.commit, "abc");
	assert_string_equal(f.repo_url, "https://example.com/r.git");
	assert_int_equal(f.no_git, 1);
	/* a command's own key it did not handle */
	assert_int_equal(ddci_event_flag(&f, 256, "x"), DDCI_EUSAGE);
	assert_string_equal(ddci_error_last(), "unknown option");
	ddci_event_flags_release(&f);
	ddci_event_flags_release(NULL);
}

/* Refused before anything is sent: the client is never used. */
static void test_dora_event__deploy_refused(void **state)
{
	struct ddci_config cfg = DDCI_CONFIG_INIT;
	struct ddci_client c;
	struct ddci_event_flags f;
	struct ddci_deploy_job j = DDCI_DEPLOY_JOB_INIT;
	(void)state;
	memset(&f, 0, sizeof(f));
	ddci_client_init(&c, &cfg);
	cfg.service = "shop";

	f.no_git = 1;
	f.commit = "0123456789abcdef0123456789abcdef01234567";
	assert_int_equal(ddci_deploy_send(&j, &c, &cfg, &f, NOW), DDCI_EUSAGE);
	assert_string_equal(ddci_error_last(), "--no-git cannot be combined with --commit-sha or --repository-url");
	ddci_deploy_job_release(&j);

	/* no start time anywhere */
	f.commit = NULL;
	assert_int_equal(ddci_deploy_send(&j, &c, &cfg, &f, NOW), DDCI_EUSAGE);
	assert_string_equal(ddci_error_last(), "missing --started-at: no CI job start time in the environment; pass "
					       "--started-at TIME or set DDCI_JOB_STARTED_AT");
	ddci_deploy_job_release(&j);

	/* DDCI_JOB_STARTED_AT is the flag's stand-in, named when it is bad */
	assert_int_equal(setenv("DDCI_JOB_STARTED_AT", "yesterday", 1), 0);
	assert_int_equal(ddci_deploy_send(&j, &c, &cfg, &f, NOW), DDCI_EUSAGE);
	assert_non_null(strstr(ddci_error_last(), "DDCI_JOB_STARTED_AT"));
	ddci_deploy_job_release(&j);
	unsetenv("DDCI_JOB_STARTED_AT");

	/* --finished-at is read first */
	f.finished = "soon";
	assert_int_equal(ddci_deploy_send(&j, &c, &cfg, &f, NOW), DDCI_EUSAGE);
	assert_non_null(strstr(ddci_error_last(), "--finished-at"));
	ddci_deploy_job_release(&j);
	ddci_client_release(&c);
}

static void test_dora_event__incident_refused(void **state)
{
	struct ddci_config cfg = DDCI_CONFIG_INIT;
	struct ddci_client c;
	struct ddci_incident_flags f;
	struct ddci_incident_job j = DDCI_INCIDENT_JOB_INIT;
	(void)state;
	memset(&f, 0, sizeof(f));
	ddci_client_init(&c, &cfg);
	cfg.service = "shop";
	cfg.env = "prod";

	assert_int_equal(ddci_incident_send(&j, &c, &cfg, &f, stderr, "ddci-incident", NOW), DDCI_EUSAGE);
	assert_string_equal(ddci_error_last(), "missing --started-at");
	/* the configuration's service and env stand in for the flags */
	assert_int_equal(j.f.services->n, 1);
	assert_string_equal(j.f.services->v[0], "shop");
	assert_string_equal(j.f.env, "prod");
	ddci_incident_job_release(&j);

	/* with --team, no service is taken from the configuration */
	f.ev.team = "payments";
	f.env = "staging";
	f.ev.started = "now-1h";
	f.ev.no_git = 1;
	f.ev.repo_url = "https://example.com/r.git";
	assert_int_equal(ddci_incident_send(&j, &c, &cfg, &f, stderr, "ddci-incident", NOW), DDCI_EUSAGE);
	assert_string_equal(ddci_error_last(), "--no-git cannot be combined with --commit-sha or --repository-url");
	assert_int_equal(j.f.services->n, 0);
	assert_string_equal(j.f.env, "staging");
	assert_true(j.f.started_ns == NOW - INT64_C(3600) * DDCI_NS_PER_SEC);
	ddci_incident_job_release(&j);
	ddci_incident_flags_release(&f);
	ddci_client_release(&c);
}

static void test_dora_event__deploy_print(void **state)
{
	struct ddci_deploy_job j = DDCI_DEPLOY_JOB_INIT;
	struct capture cap;
	(void)state;
	snprintf(j.res.id, sizeof(j.res.id), "%s", "ddci-dep-0001");
	j.d.service = "shop";
	j.d.env = "prod";
	j.d.commit_sha = "0123456789abcdef0123456789abcdef01234567";
	j.d.repository_url = "https://github.com/org/shop.git";
	j.meta.source = "git";
	j.d.started_ns = NOW;
	j.d.finished_ns = NOW + 1;

	assert_int_equal(ddci_deploy_print(capture_open(&cap), DDCI_OUTPUT_TEXT, &j), 0);
	assert_string_equal(capture_close(&cap), "ddci-dep-0001\n");
	free(cap.text);

	assert_int_equal(ddci_deploy_print(capture_open(&cap), DDCI_OUTPUT_JSON, &j), 0);
	assert_string_equal(capture_close(&cap),
			    "{\n\t\"deployment_id\":\t\"ddci-dep-0001\",\n\t\"service\":\t\"shop\",\n"
			    "\t\"env\":\t\"prod\",\n\t\"commit_sha\":\t\"0123456789abcdef0123456789abcdef01234567\",\n"
			    "\t\"repository_url\":\t\"https://github.com/org/shop.git\",\n\t\"git_source\":\t\"git\",\n"
			    "\t\"started_at\":\t1700000000000000000,\n\t\"finished_at\":\t1700000000000000001\n}\n");
	free(cap.text);

	/* a dry run printed the request instead */
	j.res.dry_run = 1;
	assert_int_equal(ddci_deploy_print(capture_open(&cap), DDCI_OUTPUT_JSON, &j), 0);
	assert_string_equal(capture_close(&cap), "");
	free(cap.text);
}

static void test_dora_event__incident_print(void **state)
{
	struct ddci_incident_job j = DDCI_INCIDENT_JOB_INIT;
	struct ddci_strv services = DDCI_STRV_INIT;
	struct capture cap;
	(void)state;
	assert_int_equal(ddci_strv_push(&services, "shop"), 0);
	assert_int_equal(ddci_strv_push(&services, "cart"), 0);
	snprintf(j.res.id, sizeof(j.res.id), "%s", "ddci-fail-0001");
	j.f.services = &services;
	j.f.env = "prod";
	j.f.started_ns = NOW;

	assert_int_equal(ddci_incident_print(capture_open(&cap), DDCI_OUTPUT_TEXT, &j), 0);
	assert_string_equal(capture_close(&cap), "ddci-fail-0001\n");
	free(cap.text);

	/* still open: no finished_at */
	assert_int_equal(ddci_incident_print(capture_open(&cap), DDCI_OUTPUT_JSON, &j), 0);
	assert_string_equal(capture_close(&cap),
			    "{\n\t\"services\":\t[\"shop\", \"cart\"],\n\t\"failure_id\":\t\"ddci-fail-0001\",\n"
			    "\t\"env\":\t\"prod\",\n\t\"started_at\":\t1700000000000000000\n}\n");
	free(cap.text);

	j.f.finished_ns = NOW + 2;
	j.f.team = "payments";
	assert_int_equal(ddci_incident_print(capture_open(&cap), DDCI_OUTPUT_JSON, &j), 0);
	assert_non_null(strstr(capture_close(&cap), "\t\"team\":\t\"payments\",\n"));
	assert_non_null(strstr(cap.text, "\t\"finished_at\":\t1700000000000000002\n}\n"));
	free(cap.text);
	ddci_strv_release(&services);
}

static void test_dora_event__change_failure_print(void **state)
{
	struct ddci_change_failure cf;
	struct ddci_change_failure_result res;
	struct capture cap;
	(void)state;
	memset(&cf, 0, sizeof(cf));
	memset(&res, 0, sizeof(res));
	snprintf(res.deployment_id, sizeof(res.deployment_id), "%s", "ddci-dep-0001");
	snprintf(res.failed_sha, sizeof(res.failed_sha), "%s", "0123456789abcdef0123456789abcdef01234567");

	assert_int_equal(ddci_change_failure_print(capture_open(&cap), DDCI_OUTPUT_TEXT, &cf, &res), 0);
	assert_string_equal(capture_close(&cap), "ddci-dep-0001: change failure\n");
	free(cap.text);
	assert_int_equal(ddci_change_failure_print(capture_open(&cap), DDCI_OUTPUT_JSON, &cf, &res), 0);
	assert_string_equal(capture_close(&cap),
			    "{\n\t\"deployment_id\":\t\"ddci-dep-0001\",\n\t\"change_failure\":\ttrue,\n"
			    "\t\"commit_sha\":\t\"0123456789abcdef0123456789abcdef01234567\"\n}\n");
	free(cap.text);

	snprintf(res.remediation_id, sizeof(res.remediation_id), "%s", "ddci-dep-0002");
	res.decision.type = DDCI_REM_ROLLBACK;
	snprintf(res.decision.why, sizeof(res.decision.why), "%s", "rollback: given");
	assert_int_equal(ddci_change_failure_print(capture_open(&cap), DDCI_OUTPUT_TEXT, &cf, &res), 0);
	assert_string_equal(capture_close(&cap),
			    "ddci-dep-0001: change failure, remediated by ddci-dep-0002 (rollback: given)\n");
	free(cap.text);
	assert_int_equal(ddci_change_failure_print(capture_open(&cap), DDCI_OUTPUT_JSON, &cf, &res), 0);
	assert_non_null(strstr(capture_close(&cap), "\t\"remediation_type\":\t\"rollback\",\n"
						    "\t\"remediation_type_inferred\":\tfalse,\n"
						    "\t\"reason\":\t\"rollback: given\"\n}\n"));
	free(cap.text);

	cf.clear = 1;
	assert_int_equal(ddci_change_failure_print(capture_open(&cap), DDCI_OUTPUT_TEXT, &cf, &res), 0);
	assert_string_equal(capture_close(&cap), "ddci-dep-0001: change failure cleared\n");
	free(cap.text);
	assert_int_equal(ddci_change_failure_print(capture_open(&cap), DDCI_OUTPUT_JSON, &cf, &res), 0);
	assert_non_null(strstr(capture_close(&cap), "\t\"change_failure\":\tfalse,\n"));
	free(cap.text);

	res.dry_run = 1;
	assert_int_equal(ddci_change_failure_print(capture_open(&cap), DDCI_OUTPUT_TEXT, &cf, &res), 0);
	assert_string_equal(capture_close(&cap), "");
	free(cap.text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dora_event__flags),
		cmocka_unit_test_setup(test_dora_event__deploy_refused, no_ci),
		cmocka_unit_test_setup(test_dora_event__incident_refused, no_ci),
		cmocka_unit_test_setup(test_dora_event__deploy_print, no_ci),
		cmocka_unit_test_setup(test_dora_event__incident_print, no_ci),
		cmocka_unit_test_setup(test_dora_event__change_failure_print, no_ci),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
