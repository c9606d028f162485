/* Unit tests for remediation.c: rollback vs rollforward from ancestry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ddci/remediation.h"

/* History: a <- b <- c (main), and x forked from a (unrelated to c). */
static const char *const chain[] = { "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
				     "cccccccccccccccccccccccccccccccccccccccc" };
#define X "dddddddddddddddddddddddddddddddddddddddd"

static int pos(const char *sha)
{
	for (int i = 0; i < 3; i++)
		if (!strcmp(chain[i], sha))
			return i;
	return -1;
}

static int fake_ancestor(int *out, void *ctx, const char *anc, const char *desc)
{
	int a = pos(anc), d = pos(desc);

	(void)ctx;
	if (!strcmp(anc, X) && !strcmp(desc, X))
		*out = 1;
	else if (!strcmp(anc, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa") && !strcmp(desc, X))
		*out = 1;
	else
		*out = a >= 0 && d >= 0 && a <= d;
	return 0;
}

static int shallow_ancestor(int *out, void *ctx, const char *anc, const char *desc)
{
	(void)out;
	(void)ctx;
	(void)anc;
	(void)desc;
	return ddci_error_set(DDCI_EGIT, "history is incomplete (shallow clone)");
}

static void test_remediation__rollback_when_remediation_is_an_ancestor(void **state)
{
	struct ddci_remediation_decision d;
	(void)state;
	assert_int_equal(ddci_remediation_decide_with(&d, fake_ancestor, NULL, chain[2], chain[0]), 0);
	assert_int_equal(d.type, DDCI_REM_ROLLBACK);
	assert_string_equal(d.why, "rollback: aaaaaaa (remediation) is an ancestor of ccccccc (failed)");
	assert_int_equal(ddci_remediation_decide_with(&d, fake_ancestor, NULL, chain[2], chain[1]), 0);
	assert_int_equal(d.type, DDCI_REM_ROLLBACK);
}

static void test_remediation__rollforward_when_it_descends(void **state)
{
	struct ddci_remediation_decision d;
	(void)state;
	assert_int_equal(ddci_remediation_decide_with(&d, fake_ancestor, NULL, chain[1], chain[2]), 0);
	assert_int_equal(d.type, DDCI_REM_ROLLFORWARD);
	assert_string_equal(d.why, "rollforward: ccccccc (remediation) descends from bbbbbbb (failed)");
}

static void test_remediation__unrelated_or_same_asks_for_the_type(void **state)
{
	struct ddci_remediation_decision d;
	(void)state;
	assert_int_equal(ddci_remediation_decide_with(&d, fake_ancestor, NULL, chain[2], X), DDCI_EUSAGE);
	assert_non_null(strstr(ddci_error_last(), "--remediation-type"));
	assert_int_equal(d.type, DDCI_REM_NONE);
	assert_int_equal(ddci_remediation_decide_with(&d, fake_ancestor, NULL, chain[2], chain[2]), DDCI_EUSAGE);
	assert_non_null(strstr(ddci_error_last(), "--remediation-type"));
}

static void test_remediation__shallow_history_is_a_clear_error(void **state)
{
	struct ddci_remediation_decision d;
	(void)state;
	assert_int_equal(ddci_remediation_decide_with(&d, shallow_ancestor, NULL, chain[2], chain[0]), DDCI_EGIT);
	assert_non_null(strstr(ddci_error_last(), "shallow"));
	assert_non_null(strstr(ddci_error_last(), "--remediation-type"));
	assert_int_equal(ddci_remediation_decide(&d, NULL, chain[2], chain[0]), DDCI_EUSAGE);
}

static void test_remediation__type_names(void **state)
{
	enum ddci_remediation_type t = DDCI_REM_NONE;
	(void)state;
	assert_int_equal(ddci_remediation_type_parse(&t, "rollback", "--remediation-type"), 0);
	assert_int_equal(t, DDCI_REM_ROLLBACK);
	assert_int_equal(ddci_remediation_type_parse(&t, "rollforward", "--remediation-type"), 0);
	assert_int_equal(t, DDCI_REM_ROLLFORWARD);
	assert_int_equal(ddci_remediation_type_parse(&t, "auto", "--remediation-type"), 0);
	assert_int_equal(t, DDCI_REM_AUTO);
	assert_int_equal(ddci_remediation_type_parse(&t, "revert", "--remediation-type"), DDCI_EUSAGE);
	assert_non_null(strstr(ddci_error_last(), "--remediation-type 'revert'"));
	assert_string_equal(ddci_remediation_type_name(DDCI_REM_ROLLFORWARD), "rollforward");
	assert_null(ddci_remediation_type_name(DDCI_REM_NONE));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_remediation__rollback_when_remediation_is_an_ancestor),
		cmocka_unit_test(test_remediation__rollforward_when_it_descends),
		cmocka_unit_test(test_remediation__unrelated_or_same_asks_for_the_type),
		cmocka_unit_test(test_remediation__shallow_history_is_a_clear_error),
		cmocka_unit_test(test_remediation__type_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
