/* Unit tests for lib/util/buf.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ddci/buf.h"

static void test_buf__empty_is_empty_string(void **state)
{
	struct ddci_buf b = DDCI_BUF_INIT;
	char *s;

	(void)state;
	assert_null(b.ptr);
	assert_string_equal(ddci_buf_str(&b), "");
	s = ddci_buf_detach(&b);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
	ddci_buf_release(&b);
	ddci_buf_release(NULL);
}

static void test_buf__add_and_grow(void **state)
{
	struct ddci_buf b = DDCI_BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < 10000; i++)
		assert_int_equal(ddci_buf_addc(&b, (char)('a' + i % 26)), 0);
	assert_int_equal(b.len, 10000);
	assert_int_equal(strlen(ddci_buf_str(&b)), 10000);
	assert_true(b.cap > b.len);
	assert_true(b.cap <= 4 * 10000);
	assert_int_equal(b.ptr[25], 'z');
	assert_int_equal(ddci_buf_adds(&b, NULL), 0);
	assert_int_equal(ddci_buf_add(&b, "xyz", 0), 0);
	assert_int_equal(b.len, 10000);
	ddci_buf_release(&b);
}

static void test_buf__addf_formats_long_text(void **state)
{
	struct ddci_buf b = DDCI_BUF_INIT;
	char big[500];

	(void)state;
	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(ddci_buf_addf(&b, "n=%d s=%s", 42, "hi"), 0);
	assert_string_equal(ddci_buf_str(&b), "n=42 s=hi");
	assert_int_equal(ddci_buf_addf(&b, "[%s]", big), 0);
	assert_int_equal(b.len, 9 + 2 + 499);
	assert_int_equal(b.ptr[b.len - 1], ']');
	assert_int_equal(b.ptr[10], 'q');
	ddci_buf_release(&b);
}

static void test_buf__limit_is_enforced(void **state)
{
	struct ddci_buf b;

	(void)state;
	ddci_buf_init(&b, 10);
	assert_int_equal(ddci_buf_adds(&b, "0123456789"), 0);
	assert_int_equal(ddci_buf_addc(&b, 'x'), DDCI_ENOMEM);
	assert_non_null(strstr(ddci_error_last(), "larger than 10 bytes"));
	assert_string_equal(ddci_buf_str(&b), "0123456789");
	ddci_buf_reset(&b);
	assert_int_equal(ddci_buf_addf(&b, "%s", "abcdefghijk"), DDCI_ENOMEM);
	assert_int_equal(b.len, 0);
	assert_string_equal(ddci_buf_str(&b), "");
	assert_int_equal(ddci_buf_add(&b, "x", SIZE_MAX), DDCI_ENOMEM);
	ddci_buf_release(&b);
}

static void test_buf__reset_keeps_memory_detach_hands_it_over(void **state)
{
	struct ddci_buf b = DDCI_BUF_INIT;
	char *old, *s;

	(void)state;
	assert_int_equal(ddci_buf_adds(&b, "hello"), 0);
	old = b.ptr;
	ddci_buf_reset(&b);
	assert_ptr_equal(b.ptr, old);
	assert_string_equal(ddci_buf_str(&b), "");
	assert_int_equal(ddci_buf_adds(&b, "again"), 0);
	s = ddci_buf_detach(&b);
	assert_string_equal(s, "again");
	assert_null(b.ptr);
	assert_int_equal(b.len, 0);
	free(s);
}

static void test_buf__add_self(void **state)
{
	struct ddci_buf b = DDCI_BUF_INIT;
	int i;

	(void)state;
	assert_int_equal(ddci_buf_adds(&b, "ab"), 0);
	for (i = 0; i < 8; i++)
		assert_int_equal(ddci_buf_add(&b, b.ptr, b.len), 0);
	assert_int_equal(b.len, 512);
	assert_memory_equal(b.ptr + 510, "ab", 3);
	ddci_buf_release(&b);
}

static void test_buf__json_escaping(void **state)
{
	struct ddci_buf b = DDCI_BUF_INIT;

	(void)state;
	assert_int_equal(ddci_buf_add_json_escaped(&b, "a\"b\\c\n\t\r\b\f\x01\x1f\x7f"), 0);
	assert_string_equal(ddci_buf_str(&b), "a\\\"b\\\\c\\n\\t\\r\\b\\f\\u0001\\u001f\x7f");
	ddci_buf_reset(&b);
	assert_int_equal(ddci_buf_add_json_escaped(&b, "h\xc3\xa9llo \xe2\x82\xac/"), 0);
	assert_string_equal(ddci_buf_str(&b), "h\xc3\xa9llo \xe2\x82\xac/");
	ddci_buf_reset(&b);
	assert_int_equal(ddci_buf_add_json_escaped(&b, NULL), 0);
	assert_int_equal(ddci_buf_add_json_escaped(&b, ""), 0);
	assert_string_equal(ddci_buf_str(&b), "");
	ddci_buf_release(&b);
}

static void test_buf__json_escaping_respects_limit(void **state)
{
	struct ddci_buf b;

	(void)state;
	ddci_buf_init(&b, 5);
	assert_int_equal(ddci_buf_add_json_escaped(&b, "ab\n"), 0);
	assert_int_equal(ddci_buf_add_json_escaped(&b, "\x01"), DDCI_ENOMEM);
	ddci_buf_release(&b);
}

static void test_buf__errors_stick_until_reset(void **state)
{
	struct ddci_buf b;

	(void)state;
	ddci_buf_init(&b, 4);
	assert_int_equal(ddci_buf_error(&b), 0);
	assert_int_equal(ddci_buf_adds(&b, "ab"), 0);
	assert_int_equal(ddci_buf_adds(&b, "cdef"), DDCI_ENOMEM);
	/* Later additions, even ones that would fit, do nothing. */
	ddci_error_set(0, "later");
	assert_int_equal(ddci_buf_addc(&b, 'c'), DDCI_ENOMEM);
	assert_int_equal(ddci_buf_addf(&b, "%d", 1), DDCI_ENOMEM);
	assert_int_equal(ddci_buf_add_json_escaped(&b, "x"), DDCI_ENOMEM);
	assert_string_equal(ddci_buf_str(&b), "ab");
	assert_int_equal(ddci_buf_error(&b), DDCI_ENOMEM);
	assert_string_equal(ddci_error_last(), "later");
	ddci_buf_reset(&b);
	assert_int_equal(ddci_buf_error(&b), 0);
	assert_int_equal(ddci_buf_adds(&b, "abc"), 0);
	assert_string_equal(ddci_buf_str(&b), "abc");
	ddci_buf_release(&b);
	assert_int_equal(ddci_buf_error(&b), 0);
}

/* A writer that failed on its own hands its error to the buffer: the
 * first error stays, a later one or a success does not replace it. */
static void test_buf__fail_keeps_the_first_error(void **state)
{
	struct ddci_buf b = DDCI_BUF_INIT;

	(void)state;
	assert_int_equal(ddci_buf_fail(&b, 0), 0);
	assert_int_equal(ddci_buf_adds(&b, "ab"), 0);
	assert_int_equal(ddci_buf_fail(&b, DDCI_EUSAGE), DDCI_EUSAGE);
	assert_int_equal(ddci_buf_fail(&b, DDCI_ENOMEM), DDCI_EUSAGE);
	assert_int_equal(ddci_buf_adds(&b, "c"), DDCI_EUSAGE);
	assert_string_equal(ddci_buf_str(&b), "ab");
	assert_int_equal(ddci_buf_error(&b), DDCI_EUSAGE);
	ddci_buf_reset(&b);
	assert_int_equal(ddci_buf_error(&b), 0);
	ddci_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf__empty_is_empty_string),
		cmocka_unit_test(test_buf__add_and_grow),
		cmocka_unit_test(test_buf__addf_formats_long_text),
		cmocka_unit_test(test_buf__limit_is_enforced),
		cmocka_unit_test(test_buf__reset_keeps_memory_detach_hands_it_over),
		cmocka_unit_test(test_buf__add_self),
		cmocka_unit_test(test_buf__json_escaping),
		cmocka_unit_test(test_buf__json_escaping_respects_limit),
		cmocka_unit_test(test_buf__errors_stick_until_reset),
		cmocka_unit_test(test_buf__fail_keeps_the_first_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
