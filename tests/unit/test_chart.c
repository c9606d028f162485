/* Unit tests for chart.c: data -> Mermaid text, SVG and HTML. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>

#include "ddci/chart.h"
#include "mermaid_check.h"

static const char *const days[] = { "mon", "tue", "wed" };
static const double rates[] = { 1.5, 4, 2.25 };
static const double runs[] = { 10, 20, 30 };

static struct ddci_chart sample(void)
{
	struct ddci_chart c = { .title = "Failure \"rate\"", .y_label = "%", .x = days, .nx = 3, .nseries = 2,
				.threshold = 5 };
	c.series[0] = (struct ddci_series){ "failure rate %", rates, DDCI_CHART_LINE };
	c.series[1] = (struct ddci_series){ "runs", runs, DDCI_CHART_BAR };
	return c;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void test_chart__mermaid_xychart(void **state)
{
	struct ddci_buf b = DDCI_BUF_INIT;
	struct ddci_chart c = sample();
	(void)state;
	assert_int_equal(ddci_chart_mermaid(&b, &c), 0);
	assert_string_equal(ddci_buf_str(&b),
			    "```mermaid\nxychart-beta\n    title \"Failure 'rate'\"\n"
			    "    x-axis [\"mon\", \"tue\", \"wed\"]\n    y-axis \"%\" 0 --> 50\n"
			    "    line [1.5, 4, 2.25]\n    bar [10, 20, 30]\n    line [5, 5, 5]\n```\n");
	ddci_buf_release(&b);
}

static void test_chart__mermaid_no_data(void **state)
{
	struct ddci_buf b = DDCI_BUF_INIT;
	struct ddci_chart c = { .title = "Trend" };
	(void)state;
	assert_int_equal(ddci_chart_mermaid(&b, &c), 0);
	assert_string_equal(ddci_buf_str(&b), "_Trend: no data_\n");
	ddci_buf_release(&b);
}

static void test_chart__svg_shapes(void **state)
{
	struct ddci_buf b = DDCI_BUF_INIT;
	struct ddci_chart c = sample();
	(void)state;
	assert_int_equal(ddci_chart_svg(&b, &c, 640, 300), 0);
	const char *s = ddci_buf_str(&b);
	assert_int_equal(strncmp(s, "<svg class=\"chart\" viewBox=\"0 0 640 300\"", 40), 0);
	assert_int_equal(count(s, "<rect class=\"s1\""), 3 + 1); /* bars + legend */
	assert_int_equal(count(s, "<polyline"), 1);
	assert_int_equal(count(s, "<circle"), 3);
	assert_int_equal(count(s, "class=\"thr\""), 1);
	assert_non_null(strstr(s, "Failure &quot;rate&quot;"));
	assert_non_null(strstr(s, "<title>tue: 20</title>"));
	/* colours as presentation attributes too: drawn where CSP blocks inline CSS */
	assert_int_equal(count(s, "<rect class=\"s1\" fill=\"#bf8700\""), 3 + 1);
	assert_non_null(strstr(s, "<polyline class=\"l0\" fill=\"none\" stroke=\"#0969da\""));
	assert_null(strstr(s, "<script"));
	assert_non_null(strstr(s, "</svg>\n"));
	ddci_buf_release(&b);
}

static void test_chart__svg_scales_to_the_largest_value(void **state)
{
	static const double v[] = { 0, 100 };
	static const char *const x[] = { "a", "b" };
	struct ddci_buf b = DDCI_BUF_INIT;
	struct ddci_chart c = { .title = "t", .x = x, .nx = 2, .nseries = 1 };
	(void)state;
	c.series[0] = (struct ddci_series){ "v", v, DDCI_CHART_BAR };
	assert_int_equal(ddci_chart_svg(&b, &c, 200, 200), 0);
	/* plot height 200-44-44 = 112; the 100 bar rounds the axis up to 200 */
	assert_non_null(strstr(ddci_buf_str(&b), "height=\"56.0\""));
	assert_non_null(strstr(ddci_buf_str(&b), ">200</text>"));
	ddci_buf_release(&b);
}

static void test_chart__tables_and_escaping(void **state)
{
	static const char *const x[] = { "a|b", "<c>" };
	static const double v[] = { 1, 2 };
	struct ddci_buf md = DDCI_BUF_INIT, html = DDCI_BUF_INIT;
	struct ddci_chart c = { .title = "t", .x = x, .nx = 2, .nseries = 1 };
	(void)state;
	c.series[0] = (struct ddci_series){ "n", v, DDCI_CHART_BAR };
	assert_int_equal(ddci_chart_md_table(&md, &c), 0);
	assert_string_equal(ddci_buf_str(&md), "\n| | n |\n|---|---:|\n| a\\|b | 1 |\n| <c> | 2 |\n");
	assert_int_equal(ddci_chart_html_table(&html, &c), 0);
	assert_non_null(strstr(ddci_buf_str(&html), "<td>&lt;c&gt;</td><td class=\"n\">2</td>"));
	ddci_buf_release(&md);
	ddci_buf_release(&html);
}

static void test_chart__html_page(void **state)
{
	struct ddci_buf b = DDCI_BUF_INIT;
	(void)state;
	assert_int_equal(ddci_html_begin(&b, "Gate <x>", 0, "failed", "3 > 2"), 0);
	assert_int_equal(ddci_html_section(&b, "Trend"), 0);
	assert_int_equal(ddci_html_end(&b), 0);
	const char *s = ddci_buf_str(&b);
	assert_int_equal(strncmp(s, "<!DOCTYPE html>", 15), 0);
	assert_non_null(strstr(s, "<title>Gate &lt;x&gt;</title>"));
	assert_non_null(strstr(s, "class=\"verdict bad\"><b>failed</b>3 &gt; 2"));
	assert_non_null(strstr(s, "prefers-color-scheme:dark"));
	assert_null(strstr(s, "<script"));
	assert_null(strstr(s, "src="));
	assert_null(strstr(s, "href="));
	assert_non_null(strstr(s, "</html>\n"));
	ddci_buf_release(&b);
}

static void test_chart__mermaid_blocks_parse(void **state)
{
	static const char *const x[] = { "a \"quoted\" `tick`", "b, c", "[d]" };
	static const double v[] = { 1, NAN, 3.333 };
	struct ddci_buf b = DDCI_BUF_INIT;
	struct ddci_chart c = { .title = "t \"x\"\nnext", .y_label = "%", .x = x, .nx = 3, .nseries = 1,
				.threshold = 2 };
	(void)state;
	c.series[0] = (struct ddci_series){ "v", v, DDCI_CHART_BAR };
	assert_int_equal(ddci_chart_md(&b, &c), 0);
	assert_int_equal(mermaid_blocks(ddci_buf_str(&b)), 1);
	/* a missing value is 0 in the chart and "-" in the table */
	assert_non_null(strstr(ddci_buf_str(&b), "    bar [1, 0, 3.33]\n"));
	assert_non_null(strstr(ddci_buf_str(&b), "| b, c | - |"));
	assert_non_null(strstr(ddci_buf_str(&b), "x-axis [\"a 'quoted' 'tick'\", \"b, c\", \"[d]\"]"));
	assert_non_null(strstr(ddci_buf_str(&b), "title \"t 'x' next\""));
	/* the validator itself rejects what Mermaid would */
	assert_true(mermaid_blocks("```mermaid\nxychart-beta\n    title \"t\"\n    x-axis [\"a\", \"b\"]\n"
				   "    y-axis \"y\" 0 --> 10\n    bar [1]\n```\n") < 0);
	assert_true(mermaid_blocks("```mermaid\nxychart-beta\n    title t\n```\n") < 0);
	assert_int_equal(mermaid_blocks("no chart"), 0);
	ddci_buf_release(&b);
}

static size_t count(const char *hay, const char *needle);

static void test_chart__svg_line_gap_and_labels(void **state)
{
	static const char *const x[] = { "ünïcödé-label-that-is-long", "b", "c", "d" };
	static const double v[] = { 1, NAN, 2, 3 };
	struct ddci_buf b = DDCI_BUF_INIT;
	struct ddci_chart c = { .title = "gap", .x = x, .nx = 4, .nseries = 1 };
	const char *s;
	(void)state;
	c.series[0] = (struct ddci_series){ "v", v, DDCI_CHART_LINE };
	assert_int_equal(ddci_chart_html(&b, &c), 0);
	s = ddci_buf_str(&b);
	assert_int_equal(strncmp(s, "<figure>\n<svg", 13), 0);
	assert_int_equal(count(s, "<polyline"), 2); /* broken at the missing value */
	assert_int_equal(count(s, "<circle"), 3);
	assert_non_null(strstr(s, "<td class=\"n\">-</td>"));
	assert_non_null(strstr(s, "...</text>")); /* the long label is shortened */
	assert_null(strstr(s, "nan"));
	ddci_buf_release(&b);
}

static void test_chart__time_label(void **state)
{
	char buf[32];
	(void)state;
	ddci_chart_time_label(buf, sizeof(buf), INT64_C(1704164645000), 0); /* 2024-01-02T03:04:05Z */
	assert_string_equal(buf, "01-02");
	ddci_chart_time_label(buf, sizeof(buf), INT64_C(1704164645000), 1);
	assert_string_equal(buf, "01-02 03:04");
}

static void test_chart__neutral_banner(void **state)
{
	struct ddci_buf b = DDCI_BUF_INIT;
	(void)state;
	assert_int_equal(ddci_html_begin(&b, "DORA", -1, "3 deployments", "why"), 0);
	assert_non_null(strstr(ddci_buf_str(&b), "class=\"verdict info\""));
	ddci_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chart__mermaid_xychart),
		cmocka_unit_test(test_chart__mermaid_no_data),
		cmocka_unit_test(test_chart__svg_shapes),
		cmocka_unit_test(test_chart__svg_scales_to_the_largest_value),
		cmocka_unit_test(test_chart__tables_and_escaping),
		cmocka_unit_test(test_chart__html_page),
		cmocka_unit_test(test_chart__mermaid_blocks_parse),
		cmocka_unit_test(test_chart__svg_line_gap_and_labels),
		cmocka_unit_test(test_chart__time_label),
		cmocka_unit_test(test_chart__neutral_banner),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
