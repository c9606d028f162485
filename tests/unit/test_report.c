/* Unit tests for report.c: escaping, JUnit, Markdown and JSON of a gate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ddci/json.h"
#include "ddci/report.h"

static const char *const cols[] = { "test", "rate" };

static void make_gate(struct ddci_gate *g)
{
	const char *cells[2] = { "a<b & \"c\" | d", "50%" };
	ddci_gate_init(g, "ddci-x-gate", "X gate", "tests", cols, 2);
	assert_int_equal(ddci_gate_add_check(g, "max-active", "--max-active", "active", DDCI_UNIT_COUNT, 0), 0);
	assert_int_equal(ddci_gate_add_check(g, "max-rate", "--max-rate", "rate", DDCI_UNIT_PCT, 90), 1);
	assert_int_equal(ddci_gate_add_row(g, cells, 1, 1, "t.py", 3, "S.a<b", NULL), 0);
	g->checks[0].value = 1;
	g->checks[1].value = 50;
	ddci_gate_evaluate(g);
}

static void test_report__xml_escape(void **state)
{
	struct ddci_buf b = DDCI_BUF_INIT;
	(void)state;
	assert_int_equal(ddci_report_xml_escape(&b, "<a href='x'>&\"\x01\n</a>"), 0);
	assert_string_equal(ddci_buf_str(&b), "&lt;a href=&apos;x&apos;&gt;&amp;&quot;?&#10;&lt;/a&gt;");
	ddci_buf_release(&b);
	assert_int_equal(ddci_report_md_escape(&b, "a|b\nc"), 0);
	assert_string_equal(ddci_buf_str(&b), "a\\|b<br>c");
	ddci_buf_release(&b);
}

static void test_report__junit_one_testcase_per_check(void **state)
{
	struct ddci_gate g;
	struct ddci_buf b = DDCI_BUF_INIT;
	const char *x;
	(void)state;
	make_gate(&g);
	assert_int_equal(ddci_report_junit(&b, &g), 0);
	x = ddci_buf_str(&b);
	assert_non_null(strstr(x, "<testsuites name=\"ddci-x-gate\" tests=\"2\" failures=\"1\""));
	assert_non_null(strstr(x, "<testcase classname=\"ddci-x-gate\" name=\"--max-active\">\n      <failure type=\"threshold\" "
				  "message=\"FAIL: 1 active, limit 0 (--max-active)\">"));
	assert_non_null(strstr(x, "S.a&lt;b; rate: 50%"));
	assert_non_null(strstr(x, "<system-out>ok: 50.00% rate, limit 90.00% (--max-rate)</system-out>"));
	assert_null(strstr(x, "a<b"));
	ddci_buf_release(&b);
	ddci_gate_release(&g);
}

static void test_report__markdown_and_json(void **state)
{
	struct ddci_gate g;
	struct ddci_buf b = DDCI_BUF_INIT;
	cJSON *j = NULL;
	const char *s;
	(void)state;
	make_gate(&g);
	assert_int_equal(ddci_report_markdown(&b, &g), 0);
	assert_non_null(strstr(ddci_buf_str(&b), "## ❌ X gate: failed\n"));
	assert_non_null(strstr(ddci_buf_str(&b), "| `--max-active` active | 1 | 0 | ❌ fail |"));
	assert_non_null(strstr(ddci_buf_str(&b), "| a&lt;b & \"c\" \\| d | 50% |"));
	assert_int_equal(ddci_report_json(&j, &g), 0);
	assert_int_equal(ddci_json_get_str(&s, j, "result"), 0);
	assert_string_equal(s, "failed");
	assert_int_equal(ddci_json_get_str(&s, j, "checks.0.explanation"), 0);
	assert_string_equal(s, "FAIL: 1 active, limit 0 (--max-active)");
	assert_int_equal(ddci_json_get_str(&s, j, "rows.0.offends.0"), 0);
	assert_string_equal(s, "max-active");
	cJSON_Delete(j);
	ddci_buf_release(&b);
	ddci_gate_release(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report__xml_escape),
		cmocka_unit_test(test_report__junit_one_testcase_per_check),
		cmocka_unit_test(test_report__markdown_and_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
