/* Unit tests for cases_report.c: ddci-cases' counts as a table and as
 * JSON. */
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases_report__table),
		cmocka_unit_test(test_cases_report__json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
