/* Unit tests for synthetics_report.c: ddci-synthetics-history's flags into
 * a history query, checked before anything is sent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ddci/synthetics_report.h"

static void test_synthetics_report__query_from_flags(void **state)
{
	struct ddci_synth_flags f = { 0 };
	struct ddci_synth_query q = { .public_id = "abc-def-ghi" };
	(void)state;

	/* nothing given: the API's biggest page, every version */
	assert_int_equal(ddci_synth_history_query(&q, &f), 0);
	assert_string_equal(q.public_id, "abc-def-ghi");
	assert_int_equal(q.limit, DDCI_SYNTH_MAX_LIMIT);
	assert_int_equal(q.max_versions, 0);

	f.since_version = "12";
	f.page_size = "10";
	f.max_versions = "3";
	assert_int_equal(ddci_synth_history_query(&q, &f), 0);
	assert_int_equal(q.since_version, 12);
	assert_int_equal(q.limit, 10);
	assert_int_equal(q.max_versions, 3);

	f.since = "2024-01-01T00:00:00Z";
	assert_int_equal(ddci_synth_history_query(&q, &f), 0);
	assert_int_equal(q.since_ns, 1704067200LL * 1000000000LL);
}

static void test_synthetics_report__flags_refused_naming_the_flag(void **state)
{
	struct ddci_synth_flags f = { 0 };
	struct ddci_synth_query q = { .public_id = "abc-def-ghi" };
	(void)state;

	f.limit = f.max_versions = "3";
	assert_int_equal(ddci_synth_history_query(&q, &f), DDCI_EUSAGE);
	assert_string_equal(ddci_error_last(), "--limit and --max-versions are the same: give one");
	f.limit = f.max_versions = NULL;
	f.page_size = "51";
	assert_int_equal(ddci_synth_history_query(&q, &f), DDCI_EUSAGE);
	assert_non_null(strstr(ddci_error_last(), "--page-size"));
	f.page_size = NULL;
	f.since_version = "-1";
	assert_int_equal(ddci_synth_history_query(&q, &f), DDCI_EUSAGE);
	assert_non_null(strstr(ddci_error_last(), "--since-version"));
	f.since_version = NULL;
	q.public_id = "bad id";
	assert_int_equal(ddci_synth_history_query(&q, &f), DDCI_EUSAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_synthetics_report__query_from_flags),
		cmocka_unit_test(test_synthetics_report__flags_refused_naming_the_flag),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
