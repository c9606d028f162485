/* Unit tests for gate.c: the threshold line, bounded rows, verdicts, sparklines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ddci/gate.h"

static const char *const cols[] = { "name", "value" };

static void test_gate__exactly_at_the_limit_passes(void **state)
{
	struct ddci_gate g;
	int a, r;
	(void)state;
	ddci_gate_init(&g, "t", "T", "things", cols, 2);
	a = ddci_gate_add_check(&g, "max-active", "--max-active", "active", DDCI_UNIT_COUNT, 3);
	r = ddci_gate_add_check(&g, "max-rate", "--max-rate", "rate", DDCI_UNIT_PCT, 5);
	assert_true(a == 0 && r == 1);
	g.checks[a].value = 3;
	g.checks[r].value = 5.0000000001;
	assert_int_equal(ddci_gate_evaluate(&g), 0);
	assert_string_equal(g.checks[a].explain, "ok: 3 active, limit 3 (--max-active)");
	g.checks[a].value = 4;
	assert_int_equal(ddci_gate_evaluate(&g), 1);
	assert_true(g.checks[a].failed && !g.checks[r].failed);
	assert_string_equal(g.checks[a].explain, "FAIL: 4 active, limit 3 (--max-active)");
	assert_string_equal(g.counts[0].key, "gate_result");
	assert_string_equal(g.counts[0].value, "failed");
	ddci_gate_release(&g);
}

static void test_gate__rows_are_bounded_and_sorted(void **state)
{
	struct ddci_gate g;
	char name[16];
	const char *cells[2] = { name, "v" };
	(void)state;
	ddci_gate_init(&g, "t", "T", "things", cols, 2);
	assert_int_equal(ddci_gate_add_check(&g, "c", "--c", "c", DDCI_UNIT_COUNT, 0), 0);
	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "r%d", i);
		assert_int_equal(ddci_gate_add_row(&g, cells, (double)((i * 7919) % 1000), 1, NULL, 0, name, NULL), 0);
	}
	assert_int_equal(g.nrows, DDCI_GATE_TOP);
	assert_int_equal(g.rows_seen, 1000);
	assert_int_equal(g.checks[0].offenders, 1000);
	ddci_gate_evaluate(&g);
	assert_true(g.rows[0].impact == 999);
	assert_true(g.rows[DDCI_GATE_TOP - 1].impact == 1000 - DDCI_GATE_TOP);
	for (size_t i = 1; i < g.nrows; i++)
		assert_true(g.rows[i - 1].impact >= g.rows[i].impact);
	ddci_gate_release(&g);
	ddci_gate_release(NULL);
}

static void test_gate__sparkline_and_interval(void **state)
{
	double v[] = { 0, 1, 2, 4, 8, -1 };
	char out[64];
	(void)state;
	ddci_gate_sparkline(out, sizeof(out), v, 6);
	assert_string_equal(out, "▁▂▃▅█ ");
	ddci_gate_sparkline(out, 4, v, 6); /* never cuts a character in half */
	assert_string_equal(out, "");
	assert_string_equal(ddci_gate_trend_interval(7LL * 86400000), "6h");
	assert_string_equal(ddci_gate_trend_interval(3600000), "5m");
	assert_string_equal(ddci_gate_trend_interval(400LL * 86400000), "1w");
}

static void test_gate__format(void **state)
{
	char b[32];
	(void)state;
	ddci_gate_format(b, sizeof(b), DDCI_UNIT_PCT, 12.345);
	assert_string_equal(b, "12.35%");
	ddci_gate_format(b, sizeof(b), DDCI_UNIT_COUNT, 7);
	assert_string_equal(b, "7");
}

static void test_gate__base_needs_a_repository(void **state)
{
	char out[41];
	(void)state;
	assert_int_equal(ddci_gate_resolve_base(out, NULL, "main", NULL), DDCI_EUSAGE);
	assert_non_null(strstr(ddci_error_last(), "repository"));
}

static void test_gate__sound_counts_and_saturating_sums(void **state)
{
	int64_t n = -1;
	(void)state;
	assert_int_equal(ddci_gate_sound_count(&n, 5, "c0"), 0);
	assert_int_equal(n, 5);
	assert_int_equal(ddci_gate_sound_count(&n, 0, "c0"), 0);
	assert_int_equal(ddci_gate_sound_count(&n, NAN, "c0"), DDCI_EPROTO);
	assert_non_null(strstr(ddci_error_last(), "c0 is nan"));
	assert_int_equal(ddci_gate_sound_count(&n, INFINITY, "c0"), DDCI_EPROTO);
	assert_int_equal(ddci_gate_sound_count(&n, -INFINITY, "c0"), DDCI_EPROTO);
	assert_int_equal(ddci_gate_sound_count(&n, -1, "c0"), DDCI_EPROTO);
	assert_int_equal(ddci_gate_sound_count(&n, 2.5, "c0"), DDCI_EPROTO);
	assert_int_equal(ddci_gate_sound_count(&n, 9.3e18, "c0"), DDCI_EPROTO);
	assert_int_equal(n, 0);
	assert_int_equal(ddci_gate_sat_add(INT64_MAX - 1, 5), INT64_MAX);
	assert_int_equal(ddci_gate_sat_add(9000000000000000000, 9000000000000000000), INT64_MAX);
	assert_int_equal(ddci_gate_sat_add(2, 3), 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gate__exactly_at_the_limit_passes),
		cmocka_unit_test(test_gate__rows_are_bounded_and_sorted),
		cmocka_unit_test(test_gate__sparkline_and_interval),
		cmocka_unit_test(test_gate__format),
		cmocka_unit_test(test_gate__base_needs_a_repository),
		cmocka_unit_test(test_gate__sound_counts_and_saturating_sums),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
