/* Unit tests for tests_report.c: ddci-tests' flags into a test-events query
 * or an aggregate request, checked before anything is sent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ddci/tests_report.h"

static void test_tests_report__agg_request(void **state)
{
	struct ddci_tests_flags f;
	struct ddci_agg_request r;
	(void)state;
	memset(&f, 0, sizeof(f));
	/* nothing given: one count, no group */
	assert_int_equal(ddci_tests_agg_request(&r, &f), 0);
	assert_int_equal(r.ncomputes, 1);
	assert_string_equal(r.computes[0].aggregation, "count");
	assert_int_equal(r.computes[0].timeseries, 0);
	assert_int_equal(r.ngroups, 0);

	f.limit = "25";
	f.interval = "1h";
	assert_int_equal(ddci_strv_push(&f.computes, "pc95:@duration"), 0);
	assert_int_equal(ddci_strv_push(&f.group_by, "@test.status"), 0);
	assert_int_equal(ddci_tests_agg_request(&r, &f), 0);
	assert_string_equal(r.computes[0].aggregation, "pc95");
	assert_string_equal(r.computes[0].metric, "@duration");
	assert_int_equal(r.computes[0].timeseries, 1);
	assert_string_equal(r.groups[0].facet, "@test.status");
	assert_int_equal(r.groups[0].limit, 25);

	/* list and search flags are refused, naming the flag */
	f.sort = "-timestamp";
	assert_int_equal(ddci_tests_agg_request(&r, &f), DDCI_EUSAGE);
	assert_string_equal(ddci_error_last(), "--sort is for list and search, not aggregate");
	ddci_tests_flags_release(&f);
	/* (the request borrows the --compute strings: one request per flags) */
	memset(&f, 0, sizeof(f));
	assert_int_equal(ddci_strv_push(&f.group_by, "bad facet"), 0);
	assert_int_equal(ddci_tests_agg_request(&r, &f), DDCI_EUSAGE);
	assert_non_null(strstr(ddci_error_last(), "invalid --group-by 'bad facet'"));
	ddci_tests_flags_release(&f);
}

static void test_tests_report__events_query(void **state)
{
	struct ddci_tests_flags f;
	struct ddci_testevents_query q = DDCI_TESTEVENTS_QUERY_INIT;
	(void)state;
	memset(&f, 0, sizeof(f));
	f.limit = "10";
	assert_int_equal(ddci_tests_events_query(&q, &f), 0);
	assert_int_equal(q.max_events, 10);
	assert_int_equal(q.limit, 10); /* no bigger page than the events wanted */

	f.max_events = "10";
	assert_int_equal(ddci_tests_events_query(&q, &f), DDCI_EUSAGE);
	assert_string_equal(ddci_error_last(), "--limit and --max-events are the same: give one");
	f.limit = f.max_events = NULL;
	f.page_size = "1001";
	assert_int_equal(ddci_tests_events_query(&q, &f), DDCI_EUSAGE);
	assert_non_null(strstr(ddci_error_last(), "--page-size"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tests_report__agg_request),
		cmocka_unit_test(test_tests_report__events_query),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
