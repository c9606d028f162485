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

#include <cjson/cJSON.h>

#include "ddci/error.h"
#include "ddci/gate.h"
#include "ddci/gate_failrate.h"
#include "ddci/gate_flaky.h"

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
	assert_string_equal(g.counts[0].text, "failed");
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

/* An aggregate answer: n suites of `pass` passing and `fail` failing runs,
 * then one suite "Failing" (2 passing, 6 failing); after is meta.page.after. */
static cJSON *suites_page(int n, int pass, int fail, const char *after)
{
	cJSON *page = cJSON_CreateObject(), *data = cJSON_AddObjectToObject(page, "data");
	cJSON *buckets = cJSON_AddArrayToObject(data, "buckets"), *meta = cJSON_AddObjectToObject(page, "meta");

	for (int i = 0; i <= n; i++) {
		for (int k = 0; k < 2; k++) {
			cJSON *b = cJSON_CreateObject(), *by = cJSON_AddObjectToObject(b, "by");
			cJSON *computes = cJSON_AddObjectToObject(b, "computes");
			char name[32];

			snprintf(name, sizeof(name), i < n ? "Suite%d" : "Failing", i);
			cJSON_AddStringToObject(by, "@test.suite", name);
			cJSON_AddStringToObject(by, "@test.status", k ? "fail" : "pass");
			cJSON_AddNumberToObject(computes, "c0", i < n ? (k ? fail : pass) : (k ? 6 : 2));
			cJSON_AddItemToArray(buckets, b);
		}
	}
	cJSON_AddStringToObject(meta, "status", "done");
	if (after)
		cJSON_AddStringToObject(cJSON_AddObjectToObject(meta, "page"), "after", after);
	return page;
}

/* Issue 21 finding 1: 15 groups, one failing, judged with default flags. */
static void test_gate__failrate_judges_every_group_by_default(void **state)
{
	struct ddci_failrate_gate_opts o = DDCI_FAILRATE_GATE_OPTS_INIT;
	cJSON *page = suites_page(14, 99, 1, NULL);
	const cJSON *pages[1] = { page };
	struct ddci_gate g;

	(void)state;
	o.group_by = "@test.suite";
	o.max_failure_rate = 10;
	assert_int_equal(ddci_gate_failrate_pages(&g, &o, pages, 1), 0);
	assert_true(g.checks[0].failed);
	assert_float_equal(g.checks[0].value, 75.0, 1e-9);
	ddci_gate_release(&g);
	/* More groups than --group-limit: refused, never judged in part. */
	o.group_limit = 10;
	assert_int_equal(ddci_gate_failrate_pages(&g, &o, pages, 1), DDCI_EUSAGE);
	assert_non_null(strstr(ddci_error_last(), "more than 10 groups of @test.suite (--group-limit 10)"));
	ddci_gate_release(&g);
	ddci_error_clear();
	cJSON_Delete(page);
}

/* Issue 19/21: an answer saying it has more buckets (meta.page.after, no
 * cursor to follow) is not judged: the missing buckets may hold the failures. */
static void test_gate__failrate_refuses_an_answer_with_more_buckets(void **state)
{
	struct ddci_failrate_gate_opts o = DDCI_FAILRATE_GATE_OPTS_INIT;
	cJSON *page = suites_page(3, 99, 1, "eyJhZnRlciI6MX0");
	const cJSON *pages[1] = { page };
	struct ddci_gate g;

	(void)state;
	o.max_failure_rate = 90;
	assert_int_equal(ddci_gate_failrate_pages(&g, &o, pages, 1), DDCI_EUSAGE);
	assert_non_null(strstr(ddci_error_last(), "more buckets than it returned (meta.page.after)"));
	ddci_gate_release(&g);
	ddci_error_clear();
	o.group_by = "@test.suite";
	assert_int_equal(ddci_gate_failrate_pages(&g, &o, pages, 1), DDCI_EUSAGE);
	assert_non_null(strstr(ddci_error_last(), "group by a facet with fewer values"));
	ddci_gate_release(&g);
	ddci_error_clear();
	cJSON_Delete(page);
}

/* Issue 21 finding 2: not enough data keeps the observed rate, unjudged. */
static void test_gate__failrate_not_enough_data_keeps_the_observed_rate(void **state)
{
	struct ddci_failrate_gate_opts o = DDCI_FAILRATE_GATE_OPTS_INIT;
	cJSON *page = suites_page(0, 0, 0, NULL);
	const cJSON *pages[1] = { page };
	struct ddci_gate g;

	(void)state;
	o.max_failure_rate = 1;
	o.min_runs = 1000;
	assert_int_equal(ddci_gate_failrate_pages(&g, &o, pages, 1), 0);
	assert_true(g.checks[0].no_data && !g.checks[0].failed);
	assert_float_equal(g.checks[0].value, 75.0, 1e-9);
	assert_non_null(strstr(g.note, "not enough data: 8 runs, fewer than --min-runs 1000"));
	ddci_gate_release(&g);
	cJSON_Delete(page);
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
		cmocka_unit_test(test_gate__failrate_judges_every_group_by_default),
		cmocka_unit_test(test_gate__failrate_refuses_an_answer_with_more_buckets),
		cmocka_unit_test(test_gate__failrate_not_enough_data_keeps_the_observed_rate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
