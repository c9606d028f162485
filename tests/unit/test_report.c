/* Unit tests for report.c: escaping, JUnit, Markdown and JSON of a gate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ddci/json.h"
#include "ddci/report.h"
#include "mermaid_check.h"

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
	assert_string_equal(ddci_buf_str(&b), "&lt;a href=&apos;x&apos;&gt;&amp;&quot;\xef\xbf\xbd&#10;&lt;/a&gt;");
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
	assert_non_null(strstr(ddci_buf_str(&b), "| a&lt;b &amp; \"c\" \\| d | 50% |"));
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

/* A gate like the flaky one: 12 rows with a failure rate, a chart of them
 * with a 25% line, and a trend of 4 days getting worse. */
static void make_chart_gate(struct ddci_gate *g, int with_trend)
{
	static const char *const c1[] = { "test", "rate" };
	char name[64], rate[32];
	ddci_gate_init(g, "ddci-x-gate", "X gate", "flaky tests", c1, 2);
	assert_int_equal(ddci_gate_add_check(g, "max-failure-rate", "--max-failure-rate", "highest failure rate",
					     DDCI_UNIT_PCT, 25), 0);
	assert_int_equal(ddci_gate_add_chart(g, "Tests by failure rate", "failure_rate_pct", "failure rate %",
					     DDCI_UNIT_PCT, 1, 25), 0);
	assert_int_equal(ddci_gate_add_chart(g, "Time lost", "lost_time_ms", "minutes lost", DDCI_UNIT_MS, 1, 0), 1);
	for (int i = 0; i < 12; i++) {
		const char *cells[2] = { name, rate };
		cJSON *j = cJSON_CreateObject();
		snprintf(name, sizeof(name), "test_%02d_<b>", i);
		snprintf(rate, sizeof(rate), "%d%%", i * 5);
		assert_non_null(cJSON_AddNumberToObject(j, "failure_rate_pct", i * 5));
		assert_int_equal(ddci_json_add_int64(j, "lost_time_ms", (int64_t)i * 60000), 0);
		assert_int_equal(ddci_gate_add_row(g, cells, i, i * 5 > 25 ? 1 : 0, NULL, 0, name, j), 0);
	}
	g->checks[0].value = 55;
	if (with_trend) {
		static const int runs[] = { 100, 0, 100, 100, 100 }, failed[] = { 1, 0, 2, 30, 40 };
		g->trend_read = 1;
		g->trend_limit = 25;
		assert_non_null(g->points = calloc(5, sizeof(*g->points)));
		g->npoints = 5;
		for (int i = 0; i < 5; i++) /* 2025-01-01T00:00:00Z, a day apart */
			g->points[i] = (struct ddci_gate_point){ INT64_C(1735689600000) + i * INT64_C(86400000), runs[i],
								 failed[i] };
	}
	g->nhist = 8;
	g->hist_title = "By week first flaked";
	g->hist_step_ms = INT64_C(604800000);
	g->hist_start_ms = INT64_C(1735689600000); /* 2025-01-01 */
	g->hist[6] = 3;
	g->hist[7] = 4;
	g->hist[1] = 1;
	ddci_gate_evaluate(g);
}

static void test_report__markdown_charts(void **state)
{
	struct ddci_gate g;
	struct ddci_buf b = DDCI_BUF_INIT;
	const char *s;
	(void)state;
	make_chart_gate(&g, 1);
	assert_int_equal(ddci_report_markdown(&b, &g), 0);
	s = ddci_buf_str(&b);
	assert_int_equal(mermaid_blocks(s), 4); /* trend, 2 row charts, weeks */
	assert_non_null(strstr(s, "**Why:** 55.00% highest failure rate, over the limit of 25.00% (`--max-failure-rate`)\n"));
	/* the trend skips the day without runs and says which way it goes */
	assert_non_null(strstr(s, "x-axis [\"Jan 1\", \"Jan 3\", \"Jan 4\", \"Jan 5\"]"));
	assert_non_null(strstr(s, "    line \"failure rate\" [1, 2, 30, 40]\n    line \"limit 25%\" [25, 25, 25, 25]\n"));
	/* worse, and it matters (the gate failed): bold */
	assert_non_null(strstr(s, "**↗ Getting worse: 1.50% in the first half of the window, 35.00% in the second (limit 25.00%)**"));
	assert_non_null(strstr(s, "| Jan 4 | 30% ✗ | 100 | 30 |"));
	/* top 10 of 12 by the chart's value, largest first, with the limit line */
	assert_non_null(strstr(s, "### Tests by failure rate\n\nThe 10 highest of 12; 6 are over the limit of 25%\n"));
	assert_non_null(strstr(s, "xychart-beta horizontal\n"));
	assert_non_null(strstr(s, "    bar \"failure rate %\" [55, 50, 45, 40, 35, 30, 25, 20, 15, 10]\n"
				  "    line \"limit 25%\" [25, 25, 25, 25, 25, 25, 25, 25, 25, 25]\n"));
	/* durations in human units */
	assert_non_null(strstr(s, "    y-axis \"minutes lost (minutes)\" 0 --> 15\n    bar \"minutes lost\" [11, 10, 9, 8, 7, 6, 5, 4, 3, 2]\n```"));
	assert_non_null(strstr(s, "| 1 | test_11_&lt;b&gt; | 11m |")); /* escaped (issue 17) */
	assert_non_null(strstr(s, "**↗ Getting worse: 7 first flaked in the last 4 weeks, 1 in the 4 before**"));
	/* charts come before the rows table */
	assert_true(strstr(s, "```mermaid") < strstr(s, "### Offending flaky tests"));
	ddci_buf_release(&b);
	ddci_gate_release(&g);
}

static void test_report__html_page(void **state)
{
	struct ddci_gate g;
	struct ddci_buf b = DDCI_BUF_INIT;
	const char *s;
	(void)state;
	make_chart_gate(&g, 1);
	assert_int_equal(ddci_report_html(&b, &g), 0);
	s = ddci_buf_str(&b);
	assert_int_equal(strncmp(s, "<!DOCTYPE html>", 15), 0);
	assert_non_null(strstr(s, "<div class=\"verdict v-bad\" role=\"status\">"));
	assert_non_null(strstr(s, "<strong id=\"verdict\">Failed</strong></p>\n<ul>\n<li>55.00% highest failure rate, over "
				  "the limit of 25.00% (--max-failure-rate)</li>\n</ul>"));
	assert_non_null(strstr(s, "<p class=\"trend bad\">↗ Getting worse:"));
	assert_non_null(strstr(s, "<tr><td><strong>test_<wbr>11_<wbr>&lt;b&gt;</strong></td><td data-label=\"rate\">55%</td></tr>"));
	assert_non_null(strstr(s, "<td class=\"bad\">✗ failed</td>"));
	assert_null(strstr(s, "<b>\"")); /* nothing unescaped from the data */
	assert_null(strstr(s, "_<b>"));
	assert_null(strstr(s, "<script"));
	assert_null(strstr(s, "src="));
	assert_null(strstr(s, "href="));
	assert_null(strstr(s, "https://"));
	/* one <svg> per chart, every element closed */
	{
		size_t svg = 0, esvg = 0, tab = 0, etab = 0;
		for (const char *p = s; (p = strstr(p, "<svg")); p++) svg++;
		for (const char *p = s; (p = strstr(p, "</svg>")); p++) esvg++;
		for (const char *p = s; (p = strstr(p, "<table")); p++) tab++;
		for (const char *p = s; (p = strstr(p, "</table>")); p++) etab++;
		assert_int_equal(svg, 5); /* the verdict's icon and 4 charts */
		assert_int_equal(esvg, 5);
		assert_int_equal(tab, etab);
		assert_int_equal(tab, 6); /* checks, 4 chart tables, rows */
	}
	assert_non_null(strstr(s, "</body></html>\n"));
	ddci_buf_release(&b);
	ddci_gate_release(&g);
}

static void test_report__passed_gate_says_why(void **state)
{
	struct ddci_gate g;
	struct ddci_buf b = DDCI_BUF_INIT;
	(void)state;
	ddci_gate_init(&g, "ddci-x-gate", "X gate", "tests", cols, 2);
	assert_int_equal(ddci_gate_add_check(&g, "max-active", "--max-active", "active", DDCI_UNIT_COUNT, 3), 0);
	g.checks[0].value = 3;
	snprintf(g.note, sizeof(g.note), "not enough data: 2 runs");
	ddci_gate_evaluate(&g);
	assert_int_equal(ddci_report_markdown(&b, &g), 0);
	assert_non_null(strstr(ddci_buf_str(&b), "**Why:** 3 active, limit 3 (`--max-active`); not enough data to judge\n"));
	assert_int_equal(mermaid_blocks(ddci_buf_str(&b)), 0);
	ddci_buf_reset(&b);
	assert_int_equal(ddci_report_html(&b, &g), 0);
	assert_non_null(strstr(ddci_buf_str(&b), "<strong id=\"verdict\">Passed</strong></p>\n<ul>\n"
						 "<li>3 active, limit 3 (--max-active)</li>\n<li>not enough data to judge</li>\n</ul>"));
	ddci_buf_release(&b);
	ddci_gate_release(&g);
}

/* Issue 21 finding 4: a chart ranks every row read by its own measure, not
 * the DDCI_GATE_TOP rows kept by impact.  70 rows: the higher the failure
 * rate, the lower the impact, so the 20 flakiest are not among the kept. */
static void test_report__chart_ranks_all_rows_by_its_measure(void **state)
{
	static const char *const c1[] = { "test", "rate" };
	struct ddci_gate g;
	struct ddci_buf b = DDCI_BUF_INIT;
	char name[64], rate[32];
	(void)state;
	ddci_gate_init(&g, "ddci-x-gate", "X gate", "flaky tests", c1, 2);
	assert_int_equal(ddci_gate_add_check(&g, "max-active", "--max-active", "active", DDCI_UNIT_COUNT, 5), 0);
	assert_int_equal(ddci_gate_add_chart(&g, "Tests by failure rate", "failure_rate_pct", "failure rate %",
					     DDCI_UNIT_PCT, 1, 50), 0);
	for (int i = 0; i < 70; i++) {
		const char *cells[2] = { name, rate };
		cJSON *j = cJSON_CreateObject();
		snprintf(name, sizeof(name), "test_%02d", i);
		snprintf(rate, sizeof(rate), "%d%%", i);
		assert_non_null(cJSON_AddNumberToObject(j, "failure_rate_pct", i));
		assert_int_equal(ddci_gate_add_row(&g, cells, 100 - i, 1, NULL, 0, name, j), 0);
	}
	g.checks[0].value = 70;
	ddci_gate_evaluate(&g);
	assert_int_equal(g.nrows, DDCI_GATE_TOP);
	assert_int_equal(ddci_report_markdown(&b, &g), 0);
	assert_non_null(strstr(ddci_buf_str(&b), "### Tests by failure rate\n\nThe 10 highest of 70; 10 are over the limit of 50%"));
	assert_non_null(strstr(ddci_buf_str(&b), "[69, 68, 67, 66, 65, 64, 63, 62, 61, 60]"));
	ddci_buf_release(&b);
	ddci_gate_release(&g);
}

static void test_report__check_path(void **state)
{
	struct ddci_report_opts o = { 0 };
	(void)state;
	assert_int_equal(ddci_report_check_path(NULL, "--html"), 0);
	assert_int_equal(ddci_report_check_path("report.html", "--html"), 0);
	assert_int_equal(ddci_report_check_path("/tmp/report.html", "--html"), 0);
	assert_int_equal(ddci_report_check_path("", "--html"), DDCI_EUSAGE);
	assert_string_equal(ddci_error_last(), "invalid --html '': expected a file name");
	assert_int_equal(ddci_report_check_path("/tmp", "--html"), DDCI_EUSAGE);
	assert_non_null(strstr(ddci_error_last(), "is a directory"));
	assert_int_equal(ddci_report_check_path("/nonexistent-ddci/dir/r.html", "--html"), DDCI_EUSAGE);
	assert_non_null(strstr(ddci_error_last(), "invalid --html '/nonexistent-ddci/dir/r.html': cannot write in "
						  "'/nonexistent-ddci/dir'"));
	o.junit_path = "";
	assert_int_equal(ddci_report_check(&o), DDCI_EUSAGE);
	assert_non_null(strstr(ddci_error_last(), "--junit"));
	o.junit_path = NULL;
	o.html_path = "x.html";
	assert_int_equal(ddci_report_check(&o), 0);
	assert_true(ddci_report_wants_charts(&o));
}

/* Counts stay typed until rendered: a merge-base sha that looks like a
 * number stays a string (issue 18 finding 8), an int64 stays exact. */
static void test_report__typed_counts(void **state)
{
	struct ddci_gate g;
	cJSON *j = NULL;
	const cJSON *c;
	char *text;
	(void)state;
	make_gate(&g);
	ddci_gate_set_text(&g, "merge_base", "010962989361");
	ddci_gate_set_text(&g, "other_sha", "3681e3563024");
	ddci_gate_set_int(&g, "lost_time_ms", INT64_MAX);
	ddci_gate_set_num(&g, "worst_failure_rate", 12.5);
	assert_int_equal(ddci_report_json(&j, &g), 0);
	c = cJSON_GetObjectItemCaseSensitive(j, "counts");
	assert_true(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(c, "merge_base")));
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(c, "merge_base")->valuestring, "010962989361");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(c, "other_sha")->valuestring, "3681e3563024");
	assert_true(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(c, "worst_failure_rate")));
	text = ddci_json_print(j);
	assert_non_null(strstr(text, "\"lost_time_ms\":9223372036854775807"));
	assert_null(strstr(text, "null"));
	free(text);
	cJSON_Delete(j);
	ddci_gate_release(&g);
}

/* Each rendering function checks its buffer once, at its end: a buffer
 * that fills up anywhere in a report (cut every 61 bytes here) still
 * fails the whole report, never returns part of one as a success. */
static void test_report__a_full_buffer_fails_every_format(void **state)
{
	int (*const render[])(struct ddci_buf *, const struct ddci_gate *) = { ddci_report_markdown,
									       ddci_report_html, ddci_report_junit };
	struct ddci_gate g;
	(void)state;
	make_chart_gate(&g, 1);
	for (size_t f = 0; f < sizeof(render) / sizeof(render[0]); f++) {
		struct ddci_buf b = DDCI_BUF_INIT;
		size_t full;

		assert_int_equal(render[f](&b, &g), 0);
		full = b.len;
		ddci_buf_release(&b);
		for (size_t max = 1; max < full + 1; max += 61) {
			ddci_buf_init(&b, max);
			assert_int_equal(render[f](&b, &g), max > full ? 0 : DDCI_ENOMEM);
			ddci_buf_release(&b);
		}
	}
	ddci_gate_release(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report__xml_escape),
		cmocka_unit_test(test_report__junit_one_testcase_per_check),
		cmocka_unit_test(test_report__markdown_and_json),
		cmocka_unit_test(test_report__markdown_charts),
		cmocka_unit_test(test_report__html_page),
		cmocka_unit_test(test_report__passed_gate_says_why),
		cmocka_unit_test(test_report__chart_ranks_all_rows_by_its_measure),
		cmocka_unit_test(test_report__check_path),
		cmocka_unit_test(test_report__typed_counts),
		cmocka_unit_test(test_report__a_full_buffer_fails_every_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
