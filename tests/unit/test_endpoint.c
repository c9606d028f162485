/* test_endpoint.c — the endpoint knowledge the API layer holds for the
 * transport: rate-limit families, and the family and keys of an older
 * spool file's request. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "ddci/client.h"
#include "ddci/endpoint.h"

static void test_endpoint__families(void **state)
{
	static const char *const cases[][2] = {
		{ "/api/v2/dora/deployment", "dora" },
		{ "/api/v2/dora/failures?x=/cases", "dora" },
		{ "/api/v2/test/flaky-test-management/tests?page[cursor]=abc", "flaky" },
		{ "/api/v2/ci/tests/events/search", "tests" },
		{ "/api/v2/ci/tests/analytics/aggregate", "tests" },
		{ "/api/v2/synthetics/tests/abc/version_history", "synthetics" },
		{ "/api/v2/cases/aggregate", "cases" },
		{ "/api/v1/series", "series" },
		{ "/api/v2/Logs/events", "_ogs" },
		{ "/", "other" },
		{ "/p?q=/dora/", "p" },
	};
	char fam[40];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ddci_endpoint_family(fam, sizeof(fam), cases[i][0]);
		assert_string_equal(fam, cases[i][1]);
	}
}

/* A spool file from before ddci recorded family and keys: events are
 * POSTed with the API key, a change failure's PATCH needs the application
 * key, and so does anything that is not a POST. */
static void test_endpoint__classify_older_spool_files(void **state)
{
	char fam[40];
	unsigned flags;

	(void)state;
	ddci_endpoint_classify(fam, sizeof(fam), &flags, "POST", "/api/v2/dora/deployment");
	assert_string_equal(fam, "dora");
	assert_int_equal(flags, DDCI_CALL_RETRY);
	ddci_endpoint_classify(fam, sizeof(fam), &flags, "PATCH", "/api/v2/dora/deployments/abc");
	assert_string_equal(fam, "dora");
	assert_int_equal(flags, DDCI_CALL_RETRY | DDCI_CALL_APP_KEY);
	ddci_endpoint_classify(fam, sizeof(fam), &flags, "POST", "/api/v2/dora/deployments/abc");
	assert_int_equal(flags, DDCI_CALL_RETRY | DDCI_CALL_APP_KEY);
	ddci_endpoint_classify(fam, sizeof(fam), &flags, "DELETE", "/api/v2/cases/x");
	assert_string_equal(fam, "cases");
	assert_int_equal(flags, DDCI_CALL_RETRY | DDCI_CALL_APP_KEY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_endpoint__families),
		cmocka_unit_test(test_endpoint__classify_older_spool_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
