/* Unit tests for flush_report.c: ddci-flush's counts as text and JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ddci/flush_report.h"

static char *report(int *rc, enum ddci_output format, const struct ddci_flush_stats *st)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	*rc = ddci_flush_report(f, format, st);
	fclose(f);
	return text;
}

static void test_flush_report__text_and_json(void **state)
{
	struct ddci_flush_stats st = { .found = 5, .sent = 2, .failed = 1, .rejected = 1 };
	char *text;
	int rc;
	(void)state;

	text = report(&rc, DDCI_OUTPUT_TEXT, &st);
	assert_int_equal(rc, 0);
	assert_string_equal(text, "2 delivered, 1 rejected, 2 left\n");
	free(text);
	text = report(&rc, DDCI_OUTPUT_JSON, &st);
	assert_int_equal(rc, 0);
	assert_string_equal(text, "{\n\t\"delivered\":\t2,\n\t\"rejected\":\t1,\n\t\"left\":\t2\n}\n");
	free(text);
}

static void test_flush_report__left_is_never_negative(void **state)
{
	/* a file counted as sent that another run had found too */
	struct ddci_flush_stats st = { .found = 1, .sent = 2, .failed = 0, .rejected = 0 };
	char *text;
	int rc;
	(void)state;

	text = report(&rc, DDCI_OUTPUT_TEXT, &st);
	assert_int_equal(rc, 0);
	assert_string_equal(text, "2 delivered, 0 rejected, 0 left\n");
	free(text);
}

/* No spool directory: a usage error naming the flag, nothing written. */
static void test_flush_report__run_needs_a_spool_dir(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	(void)state;
	assert_non_null(f);
	assert_int_equal(ddci_flush_run(f, DDCI_OUTPUT_TEXT, NULL, NULL), DDCI_EUSAGE);
	assert_non_null(strstr(ddci_error_last(), "missing --spool"));
	assert_int_equal(ddci_flush_run(f, DDCI_OUTPUT_JSON, NULL, ""), DDCI_EUSAGE);
	fclose(f);
	assert_int_equal(len, 0);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flush_report__text_and_json),
		cmocka_unit_test(test_flush_report__left_is_never_negative),
		cmocka_unit_test(test_flush_report__run_needs_a_spool_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
