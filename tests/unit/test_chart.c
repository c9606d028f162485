/* Unit tests for chart.c: data -> Mermaid text, SVG and HTML. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ddci/chart.h"

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
	/* plot height 200-34-44 = 122; the 100 bar rounds the axis up to 200 */
	assert_non_null(strstr(ddci_buf_str(&b), "height=\"61.0\""));
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chart__mermaid_xychart),
		cmocka_unit_test(test_chart__mermaid_no_data),
		cmocka_unit_test(test_chart__svg_shapes),
		cmocka_unit_test(test_chart__svg_scales_to_the_largest_value),
		cmocka_unit_test(test_chart__tables_and_escaping),
		cmocka_unit_test(test_chart__html_page),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
