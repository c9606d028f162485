/* Unit tests for flaky_report.c: the test ids read back from a
 * --from-json file, in the shapes it takes, and what it refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "ddci/flaky_report.h"

/* The ids of text read as the standard input ("-"), joined by spaces;
 * *rc is what the read returned. */
static char *ids_of(int *rc, const char *text)
{
	struct ddci_strv ids = DDCI_STRV_INIT;
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	char *out = calloc(1, 256);

	assert_non_null(in);
	assert_non_null(out);
	*rc = ddci_flaky_ids_from_json(&ids, "-", in);
	fclose(in);
	for (size_t i = 0; i < ids.n; i++) {
		strncat(out, i ? " " : "", 255 - strlen(out));
		strncat(out, ids.v[i], 255 - strlen(out));
	}
	ddci_strv_release(&ids);
	return out;
}

static void check_ids(const char *text, const char *want)
{
	int rc;
	char *got = ids_of(&rc, text);

	assert_int_equal(rc, 0);
	assert_string_equal(got, want);
	free(got);
}

static void check_refused(const char *text, const char *message)
{
	int rc;
	char *got = ids_of(&rc, text);

	assert_int_equal(rc, DDCI_EUSAGE);
	assert_string_equal(ddci_error_last(), message);
	free(got);
}

static void test_flaky_report__ids_in_every_shape(void **state)
{
	(void)state;
	/* list --output json: an array of tests */
	check_ids("[\n{\"id\":\"a1\",\"type\":\"flaky_test\"}\n,\n{\"id\":\"b2\"}\n\n]\n", "a1 b2");
	/* the API's answer */
	check_ids("{\"data\":[{\"id\":\"a1\"},{\"id\":\"b2\"}]}", "a1 b2");
	/* plain ids */
	check_ids("[\"a1\",\"b2\",\"c3\"]", "a1 b2 c3");
	/* one test of the API's shape */
	check_ids("{\"data\":{\"id\":\"a1\",\"type\":\"flaky_test\"}}", "a1");
	/* nothing at all, or only blank lines: no id, and the caller says so */
	check_ids("", "");
	check_ids("\n  \r\n", "");
}

static void test_flaky_report__ids_refused_naming_the_flag(void **state)
{
	(void)state;
	check_refused("[{\"name\":\"no id\"}]", "invalid --from-json '-': a test without an \"id\"");
	check_refused("[\"\"]", "invalid --from-json '-': a test without an \"id\"");
	check_refused("{\"data\":{\"name\":\"x\"}}", "invalid --from-json '-': a test without an \"id\"");
	check_refused("42", "invalid --from-json '-': expected an array of flaky tests");
	check_refused("not json\n", "invalid --from-json '-': not JSON");
}

static void test_flaky_report__ids_from_a_file(void **state)
{
	struct ddci_strv ids = DDCI_STRV_INIT;
	char path[] = "/tmp/test_flaky_report.XXXXXX";
	int fd = mkstemp(path);
	FILE *f;
	(void)state;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs("[\"x9\"]", f);
	fclose(f);
	assert_int_equal(ddci_flaky_ids_from_json(&ids, path, NULL), 0);
	assert_int_equal(ids.n, 1);
	assert_string_equal(ids.v[0], "x9");
	unlink(path);
	assert_int_equal(ddci_flaky_ids_from_json(&ids, path, NULL), DDCI_EIO);
	assert_non_null(strstr(ddci_error_last(), "cannot read --from-json '/tmp/test_flaky_report."));
	assert_int_equal(ids.n, 1);
	ddci_strv_release(&ids);
}

/* --repository-id and --all-repositories decide without git. */
static void test_flaky_report__list_repo_from_the_flags(void **state)
{
	const char *repo = "x";
	char *owned = (char *)"unset";

	(void)state;
	assert_int_equal(ddci_flaky_list_repo(&repo, &owned, "/nonexistent", "github.com/acme/shop", 0), 0);
	assert_string_equal(repo, "github.com/acme/shop");
	assert_null(owned);
	assert_int_equal(ddci_flaky_list_repo(&repo, &owned, "/nonexistent", "github.com/acme/shop", 1), 0);
	assert_null(repo);
	assert_null(owned);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flaky_report__ids_in_every_shape),
		cmocka_unit_test(test_flaky_report__ids_refused_naming_the_flag),
		cmocka_unit_test(test_flaky_report__ids_from_a_file),
		cmocka_unit_test(test_flaky_report__list_repo_from_the_flags),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
