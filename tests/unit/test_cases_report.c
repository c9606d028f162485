/* Unit tests for cases_report.c: ddci-cases' flags into a query, checked
 * before anything is sent, and the counts as a table and as JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ddci/cases_report.h"

static char *counts(int *rc, enum ddci_output format, const struct ddci_cases_query *q)
{
	struct ddci_cases_group groups[] = { { "OPEN", 7 }, { "CLOSED", 2 } };
	struct ddci_cases_result r = { .total = 9, .groups = groups, .ngroups = 2 };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	*rc = ddci_cases_report_counts(f, format, &r, q);
	fclose(f);
	return text;
}

static void test_cases_report__table(void **state)
{
	struct ddci_strv g = DDCI_STRV_INIT;
	struct ddci_cases_query q = { 0 };
	char *text;
	int rc;
	(void)state;

	/* no --group-by: the status, Datadog's default */
	text = counts(&rc, DDCI_OUTPUT_TEXT, &q);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(text, "STATUS"));
	assert_non_null(strstr(text, "COUNT"));
	assert_non_null(strstr(text, "OPEN"));
	assert_non_null(strstr(text, "total"));
	assert_true(strstr(text, "OPEN") < strstr(text, "CLOSED") && strstr(text, "CLOSED") < strstr(text, "total"));
	free(text);

	assert_int_equal(ddci_strv_push(&g, "priority"), 0);
	assert_int_equal(ddci_strv_push(&g, "status"), 0);
	q.group_by = &g;
	text = counts(&rc, DDCI_OUTPUT_TEXT, &q);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(text, "PRIORITY/STATUS"));
	free(text);
	ddci_strv_release(&g);
}

static void test_cases_report__json(void **state)
{
	struct ddci_cases_query q = { 0 };
	char *text;
	int rc;
	(void)state;

	text = counts(&rc, DDCI_OUTPUT_JSON, &q);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(text, "\"total\":\t9"));
	assert_non_null(strstr(text, "\"group\":\t\"CLOSED\""));
	assert_null(strstr(text, "\"query\"")); /* no --query, no member */
	assert_int_equal(text[strlen(text) - 1], '\n');
	free(text);

	q.query = "status:open";
	text = counts(&rc, DDCI_OUTPUT_JSON, &q);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(text, "\"query\":\t\"status:open\""));
	free(text);
}

static void test_cases_report__query_from_flags(void **state)
{
	struct ddci_cases_flags f = { 0 };
	struct ddci_cases_query q = { 0 };
	int64_t max = 7;
	(void)state;

	/* count, nothing given: every case by status, no maximum */
	assert_int_equal(ddci_cases_query_from_flags(&q, &max, &f, 0, 0), 0);
	assert_int_equal(max, -1);
	assert_null(q.query);
	assert_int_equal(q.limit, 0);
	assert_ptr_equal(q.group_by, &f.group_by);

	f.query = "status:open";
	f.limit = "20";
	f.max = "0";
	assert_int_equal(ddci_strv_push(&f.group_by, "priority"), 0);
	assert_int_equal(ddci_cases_query_from_flags(&q, &max, &f, 1, 1), 0);
	assert_int_equal(max, 0);
	assert_string_equal(q.query, "status:open");
	assert_int_equal(q.limit, 20);
	ddci_cases_flags_release(&f);
}

static void test_cases_report__flags_refused_naming_the_flag(void **state)
{
	struct ddci_cases_flags f = { 0 };
	struct ddci_cases_query q = { 0 };
	int64_t max;
	(void)state;

	f.max = "3";
	assert_int_equal(ddci_cases_query_from_flags(&q, &max, &f, 0, 1), DDCI_EUSAGE);
	assert_string_equal(ddci_error_last(), "--max is for 'gate' only");
	f.max = NULL;
	assert_int_equal(ddci_cases_query_from_flags(&q, &max, &f, 0, 1), DDCI_EUSAGE);
	assert_string_equal(ddci_error_last(), "--fail-open is for 'gate' only");
	assert_int_equal(ddci_cases_query_from_flags(&q, &max, &f, 1, 0), DDCI_EUSAGE);
	assert_string_equal(ddci_error_last(), "missing --max: the most matching cases the gate allows");
	f.max = "-1";
	assert_int_equal(ddci_cases_query_from_flags(&q, &max, &f, 1, 0), DDCI_EUSAGE);
	assert_non_null(strstr(ddci_error_last(), "--max"));
	f.max = "1";
	f.limit = "1001";
	assert_int_equal(ddci_cases_query_from_flags(&q, &max, &f, 1, 0), DDCI_EUSAGE);
	assert_non_null(strstr(ddci_error_last(), "--limit"));
	f.limit = NULL;
	assert_int_equal(ddci_strv_push(&f.group_by, "bad field!"), 0);
	assert_int_equal(ddci_cases_query_from_flags(&q, &max, &f, 1, 0), DDCI_EUSAGE);
	assert_non_null(strstr(ddci_error_last(), "--group-by"));
	ddci_cases_flags_release(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases_report__query_from_flags),
		cmocka_unit_test(test_cases_report__flags_refused_naming_the_flag),
		cmocka_unit_test(test_cases_report__table),
		cmocka_unit_test(test_cases_report__json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
