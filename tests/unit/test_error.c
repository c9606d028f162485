/* Unit tests for lib/util/error.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ddci/error.h"

static void test_error__set_returns_code_and_formats(void **state)
{
	(void)state;
	assert_int_equal(ddci_error_set(DDCI_EUSAGE, "invalid --tag '%s'", "x"), DDCI_EUSAGE);
	assert_string_equal(ddci_error_last(), "invalid --tag 'x'");
}

static void test_error__set_may_use_last_message(void **state)
{
	(void)state;
	ddci_error_set(DDCI_EIO, "first");
	ddci_error_set(DDCI_EIO, "%s and second", ddci_error_last());
	assert_string_equal(ddci_error_last(), "first and second");
}

static void test_error__wrap_prefixes_context(void **state)
{
	(void)state;
	ddci_error_set(DDCI_EIO, "permission denied");
	assert_int_equal(ddci_error_wrap(DDCI_EIO, "cannot read '%s'", "f"), DDCI_EIO);
	assert_string_equal(ddci_error_last(), "cannot read 'f': permission denied");
	ddci_error_clear();
	ddci_error_wrap(DDCI_EIO, "only context");
	assert_string_equal(ddci_error_last(), "only context");
}

static void test_error__long_message_is_truncated(void **state)
{
	char big[4000];

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ddci_error_set(DDCI_EIO, "%s", big);
	assert_int_equal(strlen(ddci_error_last()), 1023);
	ddci_error_wrap(DDCI_EIO, "ctx");
	assert_int_equal(strlen(ddci_error_last()), 1023);
	assert_memory_equal(ddci_error_last(), "ctx: aaa", 8);
}

static void test_error__clear_empties_message_and_request_id(void **state)
{
	(void)state;
	ddci_error_set(DDCI_EIO, "x");
	ddci_error_set_request_id("abc-123");
	assert_string_equal(ddci_error_request_id(), "abc-123");
	ddci_error_clear();
	assert_string_equal(ddci_error_last(), "");
	assert_string_equal(ddci_error_request_id(), "");
	ddci_error_set_request_id(NULL);
	assert_string_equal(ddci_error_request_id(), "");
}

static void test_error__exit_codes(void **state)
{
	(void)state;
	assert_int_equal(ddci_exit_code(0), 0);
	assert_int_equal(ddci_exit_code(1), 1);
	assert_int_equal(ddci_exit_code(DDCI_EUSAGE), 2);
	assert_int_equal(ddci_exit_code(DDCI_ENOMEM), 2);
	assert_int_equal(ddci_exit_code(DDCI_EIO), 2);
	assert_int_equal(ddci_exit_code(DDCI_EGIT), 2);
	assert_int_equal(ddci_exit_code(DDCI_EUNAVAIL), 3);
	assert_int_equal(ddci_exit_code(DDCI_EPROTO), 3);
	assert_int_equal(ddci_exit_code(DDCI_EREJECT), 4);
	assert_int_equal(ddci_exit_code(-99), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error__set_returns_code_and_formats),
		cmocka_unit_test(test_error__set_may_use_last_message),
		cmocka_unit_test(test_error__wrap_prefixes_context),
		cmocka_unit_test(test_error__long_message_is_truncated),
		cmocka_unit_test(test_error__clear_empties_message_and_request_id),
		cmocka_unit_test(test_error__exit_codes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
