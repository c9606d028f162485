/* Unit tests for chart.c: data -> Mermaid text, SVG and HTML. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ddci/chart.h"
#include "mermaid_check.h"

static const char *const days[] = { "mon", "tue", "wed" };
static const double rates[] = { 1.5, 4, 2.25 };
static const double runs[] = { 10, 20, 30 };

static struct ddci_chart sample(void)
{
	struct ddci_chart c = { .title = "Failure \"rate\"", .y_label = "failure rate", .unit = DDCI_CHART_PCT,
				.x = days, .nx = 3, .nseries = 2, .threshold = 5 };
	c.series[0] = (struct ddci_series){ "failure rate", rates, DDCI_CHART_LINE, DDCI_TONE_NEUTRAL };
	c.series[1] = (struct ddci_series){ "runs", runs, DDCI_CHART_BAR, DDCI_TONE_NEUTRAL };
	return c;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* ddci's theme (fixed colours on a white card), the limit a named series,
 * no title (the heading above the block is the title). */
static void test_chart__mermaid_xychart(void **state)
{
	struct ddci_buf b = DDCI_BUF_INIT;
	struct ddci_chart c = sample();
	const char *s;
	(void)state;
	assert_int_equal(ddci_chart_mermaid(&b, &c), 0);
	s = ddci_buf_str(&b);
	assert_int_equal(strncmp(s, "```mermaid\n%%{init: {\"theme\": \"base\", \"themeVariables\": {\"xyChart\": "
				    "{\"backgroundColor\": \"#ffffff\"", 94), 0);
	assert_non_null(strstr(s, "\"plotColorPalette\": \"#0969da, #0969da, #9a6700\"}}}}%%\nxychart-beta\n"
				  "    x-axis [\"mon\", \"tue\", \"wed\"]\n    y-axis \"failure rate (%)\" 0 --> 30\n"
				  "    line \"failure rate\" [1.5, 4, 2.25]\n    bar \"runs\" [10, 20, 30]\n"
				  "    line \"limit 5%\" [5, 5, 5]\n```\n"));
	assert_int_equal(mermaid_blocks(s), 1);
	ddci_buf_release(&b);
}

/* Ranked names: horizontal, shortened in the middle, never twice the same. */
static void test_chart__mermaid_ranked_labels(void **state)
{
	static const char *const x[] = { "tests/test_checkout.py::test_pays_with_saved_card_visa",
					 "tests/test_checkout.py::test_pays_with_saved_card_amex", "same", "same" };
	static const double v[] = { 40, 30, 20, 10 };
	struct ddci_buf b = DDCI_BUF_INIT;
	struct ddci_chart c = { .title = "t", .y_label = "failure rate", .unit = DDCI_CHART_PCT, .ranked = 1, .x = x,
				.nx = 4, .nseries = 1, .threshold = 25 };
	(void)state;
	c.series[0] = (struct ddci_series){ "failure rate", v, DDCI_CHART_BAR, DDCI_TONE_NEUTRAL };
	assert_int_equal(ddci_chart_mermaid(&b, &c), 0);
	assert_non_null(strstr(ddci_buf_str(&b), "xychart-beta horizontal\n"));
	assert_non_null(strstr(ddci_buf_str(&b), "x-axis [\"test_pays_w…ed_card_visa\", \"test_pays_w…ed_card_amex\", "
						 "\"same\", \"same #4\"]"));
	assert_int_equal(mermaid_blocks(ddci_buf_str(&b)), 1);
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

/* As wide as the page, colours as presentation attributes (drawn where a
 * CSP blocks styles), points over the limit in the failure colour. */
static void test_chart__svg_shapes(void **state)
{
	struct ddci_buf b = DDCI_BUF_INIT;
	struct ddci_chart c = sample();
	static const double over[] = { 1.5, 6, 2.25 };
	(void)state;
	c.series[0].values = over;
	assert_int_equal(ddci_chart_svg(&b, &c), 0);
	const char *s = ddci_buf_str(&b);
	assert_int_equal(strncmp(s, "<svg class=\"chart\" width=\"100%\" height=\"212\"", 44), 0);
	assert_non_null(strstr(s, "aria-label=\"Failure &quot;rate&quot;, limit 5%\" data-limit=\"5\""));
	assert_int_equal(count(s, "<rect class=\"bar neutral\""), 3);
	assert_int_equal(count(s, "<line class=\"lnn\""), 2);
	assert_int_equal(count(s, "<circle class=\"bar neutral\""), 2);
	assert_int_equal(count(s, "<circle class=\"bar fail\" data-v=\"6\""), 1);
	assert_non_null(strstr(s, "fill=\"#cf222e\"><title>tue: 6%, over the limit</title></circle>"));
	assert_non_null(strstr(s, "stroke-dasharray=\"5 3\""));
	assert_non_null(strstr(s, ">limit 5%</text>"));
	assert_null(strstr(s, "viewBox"));
	assert_null(strstr(s, "<script"));
	assert_non_null(strstr(s, "</svg>\n"));
	ddci_buf_release(&b);
}

/* Counts get whole, nice ticks; durations human units. */
static void test_chart__axis_ticks(void **state)
{
	static const double small[] = { 0, 3 }, dur[] = { 5400000, 9000000 };
	static const char *const x[] = { "a", "b" };
	struct ddci_buf b = DDCI_BUF_INIT;
	struct ddci_chart c = { .title = "t", .unit = DDCI_CHART_COUNT, .x = x, .nx = 2, .nseries = 1 };
	char buf[32];
	(void)state;
	c.series[0] = (struct ddci_series){ "v", small, DDCI_CHART_BAR, DDCI_TONE_NEUTRAL };
	assert_int_equal(ddci_chart_svg(&b, &c), 0);
	for (int i = 0; i <= 3; i++) {
		snprintf(buf, sizeof(buf), " paint-order=\"stroke\">%d</text>", i);
		assert_non_null(strstr(ddci_buf_str(&b), buf));
	}
	assert_null(strstr(ddci_buf_str(&b), ">0.5<"));
	assert_null(strstr(ddci_buf_str(&b), ">4</text>"));
	ddci_buf_reset(&b);
	c.unit = DDCI_CHART_MS;
	c.series[0].values = dur;
	assert_int_equal(ddci_chart_svg(&b, &c), 0);
	assert_non_null(strstr(ddci_buf_str(&b), ">1h</text>"));
	assert_non_null(strstr(ddci_buf_str(&b), ">3h</text>"));
	assert_null(strstr(ddci_buf_str(&b), ">4h</text>"));
	ddci_chart_format(buf, sizeof(buf), DDCI_CHART_MS, 5400000);
	assert_string_equal(buf, "1h 30m");
	ddci_chart_format(buf, sizeof(buf), DDCI_CHART_PCT, 12.5);
	assert_string_equal(buf, "12.5%");
	ddci_buf_release(&b);
}

/* Ranked: a name line, a bar and its value per item, over the limit red. */
static void test_chart__svg_ranked(void **state)
{
	static const char *const x[] = { "tests/integration/checkout/test_payments.py::TestSavedCards::test_pays_<visa>",
					 "short" };
	static const double v[] = { 40, 10 };
	struct ddci_buf b = DDCI_BUF_INIT;
	struct ddci_chart c = { .title = "t", .unit = DDCI_CHART_PCT, .ranked = 1, .x = x, .nx = 2, .nseries = 1,
				.threshold = 25 };
	const char *s;
	(void)state;
	c.series[0] = (struct ddci_series){ "failure rate", v, DDCI_CHART_BAR, DDCI_TONE_NEUTRAL };
	assert_int_equal(ddci_chart_svg(&b, &c), 0);
	s = ddci_buf_str(&b);
	assert_non_null(strstr(s, "<rect class=\"bar fail\" data-v=\"40\" x=\"0\" y=\"42\" width=\"70.000%\""));
	assert_non_null(strstr(s, "<rect class=\"bar neutral\" data-v=\"10\" x=\"0\" y=\"82\" width=\"17.500%\""));
	assert_non_null(strstr(s, ">test_pays_&lt;visa&gt;<title>tests/integration/checkout/"
				  "test_payments.py::TestSavedCards::test_pays_&lt;visa&gt;</title></text>"));
	assert_non_null(strstr(s, "class=\"fg nm-l\" display=\"none\"")); /* the long name, for wide pages */
	assert_non_null(strstr(s, "dx=\"6\" y=\"54\" fill=\"#1f2328\">40%</text>"));
	assert_non_null(strstr(s, ">limit 25%</text>"));
	ddci_buf_release(&b);
}

/* Names that share their file and class say it once, above the bars. */
static void test_chart__ranked_common_prefix(void **state)
{
	static const char *const x[] = { "tests/b.py::TestCards::test_one", "tests/b.py::TestCards::test_two" };
	static const double v[] = { 2, 1 };
	struct ddci_buf b = DDCI_BUF_INIT;
	struct ddci_chart c = { .title = "t", .unit = DDCI_CHART_COUNT, .ranked = 1, .x = x, .nx = 2, .nseries = 1 };
	(void)state;
	c.series[0] = (struct ddci_series){ "n", v, DDCI_CHART_BAR, DDCI_TONE_NEUTRAL };
	assert_int_equal(ddci_chart_svg(&b, &c), 0);
	assert_non_null(strstr(ddci_buf_str(&b), ">in tests/b.py::TestCards::<title>"));
	assert_non_null(strstr(ddci_buf_str(&b), ">test_one<title>tests/b.py::TestCards::test_one</title>"));
	ddci_buf_reset(&b);
	assert_int_equal(ddci_chart_mermaid(&b, &c), 0);
	assert_non_null(strstr(ddci_buf_str(&b), "x-axis [\"test_one\", \"test_two\"]"));
	ddci_buf_release(&b);
}

static void test_chart__tables_and_escaping(void **state)
{
	static const char *const x[] = { "a|b", "<c>" };
	static const double v[] = { 1, 2 };
	struct ddci_buf md = DDCI_BUF_INIT, html = DDCI_BUF_INIT;
	struct ddci_chart c = { .title = "t", .x = x, .nx = 2, .nseries = 1 };
	(void)state;
	c.series[0] = (struct ddci_series){ "n", v, DDCI_CHART_BAR, DDCI_TONE_NEUTRAL };
	assert_int_equal(ddci_chart_md_table(&md, &c), 0);
	assert_string_equal(ddci_buf_str(&md), "\n| | n |\n|---|---:|\n| a\\|b | 1 |\n| &lt;c&gt; | 2 |\n");
	assert_int_equal(ddci_chart_html_table(&html, &c), 0);
	assert_non_null(strstr(ddci_buf_str(&html), "<td>&lt;c&gt;</td><td class=\"n\">2</td>"));
	ddci_buf_reset(&html);
	assert_int_equal(ddci_html_escape_wrap(&html, "tests/test_x.py:88 CheckoutTest"), 0);
	assert_string_equal(ddci_buf_str(&html), "tests/<wbr>test_<wbr>x.<wbr>py:<wbr>88 Checkout<wbr>Test");
	ddci_buf_release(&md);
	ddci_buf_release(&html);
}

/* Reads without CSS: a heading, the verdict as an icon and a <strong>
 * word, the reasons as a list. */
static void test_chart__html_page(void **state)
{
	struct ddci_buf b = DDCI_BUF_INIT;
	(void)state;
	assert_int_equal(ddci_html_begin(&b, "Gate <x>", 0, "Failed", "3 > 2\nand another"), 0);
	assert_int_equal(ddci_html_section(&b, "Trend"), 0);
	assert_int_equal(ddci_html_end(&b), 0);
	const char *s = ddci_buf_str(&b);
	assert_int_equal(strncmp(s, "<!DOCTYPE html>", 15), 0);
	assert_non_null(strstr(s, "<title>Gate &lt;x&gt;</title>"));
	assert_non_null(strstr(s, "<h1>Gate &lt;x&gt;</h1>\n<div class=\"verdict v-bad\" role=\"status\">\n<p><svg"));
	assert_non_null(strstr(s, "fill=\"#cf222e\"/>"));
	assert_non_null(strstr(s, "</svg> <strong id=\"verdict\">Failed</strong></p>\n<ul>\n<li>3 &gt; 2</li>\n"
				  "<li>and another</li>\n</ul>"));
	assert_non_null(strstr(s, "prefers-color-scheme:dark"));
	assert_non_null(strstr(s, "@media print"));
	assert_null(strstr(s, "<script"));
	assert_null(strstr(s, "src="));
	assert_null(strstr(s, "href="));
	assert_null(strstr(s, "style=\""));
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
	c.series[0] = (struct ddci_series){ "v", v, DDCI_CHART_BAR, DDCI_TONE_NEUTRAL };
	assert_int_equal(ddci_chart_md(&b, &c), 0);
	assert_int_equal(mermaid_blocks(ddci_buf_str(&b)), 1);
	/* a missing value is 0 in the chart and "-" in the table */
	assert_non_null(strstr(ddci_buf_str(&b), "    bar \"v\" [1, 0, 3.33]\n"));
	assert_non_null(strstr(ddci_buf_str(&b), "| b, c | - |"));
	assert_non_null(strstr(ddci_buf_str(&b), "x-axis [\"a 'quoted' 'tick'\", \"b, c\", \"[d]\"]"));
	assert_null(strstr(ddci_buf_str(&b), "\n    title")); /* the heading above says it */
	/* the validator itself rejects what Mermaid would */
	assert_true(mermaid_blocks("```mermaid\nxychart-beta\n    title \"t\"\n    x-axis [\"a\", \"b\"]\n"
				   "    y-axis \"y\" 0 --> 10\n    bar [1]\n```\n") < 0);
	assert_true(mermaid_blocks("```mermaid\nxychart-beta\n    x-axis [\"a\", \"a\"]\n"
				   "    y-axis \"y\" 0 --> 10\n    bar [1, 2]\n```\n") < 0);
	assert_true(mermaid_blocks("```mermaid\nxychart-beta\n    title t\n```\n") < 0);
	assert_int_equal(mermaid_blocks("no chart"), 0);
	ddci_buf_release(&b);
}

/* A line breaks at a missing value; x labels are spaced to fit a phone,
 * the latest always labelled. */
static void test_chart__svg_line_gap_and_labels(void **state)
{
	static const char *x[30];
	static char names[30][16];
	static double v[30];
	struct ddci_buf b = DDCI_BUF_INIT;
	struct ddci_chart c = { .title = "gap", .x = x, .nx = 30, .nseries = 1 };
	const char *s;
	(void)state;
	for (int i = 0; i < 30; i++) {
		snprintf(names[i], sizeof(names[i]), "Nov %d", i + 1);
		x[i] = names[i];
		v[i] = i == 3 ? NAN : i;
	}
	c.series[0] = (struct ddci_series){ "v", v, DDCI_CHART_LINE, DDCI_TONE_NEUTRAL };
	assert_int_equal(ddci_chart_html(&b, &c), 0);
	s = ddci_buf_str(&b);
	assert_int_equal(strncmp(s, "<svg", 4), 0);
	assert_int_equal(count(s, "<line class=\"lnn\""), 27); /* 29 segments, 2 missing */
	assert_int_equal(count(s, "<circle"), 29);
	assert_non_null(strstr(s, "<details><summary>The numbers</summary>"));
	assert_non_null(strstr(s, "<td class=\"n\">-</td>"));
	assert_non_null(strstr(s, "text-anchor=\"end\" fill=\"#59636e\">Nov 30</text>"));
	assert_int_equal(count(s, ">Nov "), 4 + 29 + 30); /* every 8th labelled, the dots, the table */
	assert_null(strstr(s, "nan"));
	ddci_buf_release(&b);
}

static void test_chart__time_label(void **state)
{
	char buf[32];
	(void)state;
	ddci_chart_time_label(buf, sizeof(buf), INT64_C(1704164645000), 0); /* 2024-01-02T03:04:05Z */
	assert_string_equal(buf, "Jan 2");
	ddci_chart_time_label(buf, sizeof(buf), INT64_C(1704164645000), 1);
	assert_string_equal(buf, "03:04");
}

static void test_chart__neutral_banner(void **state)
{
	struct ddci_buf b = DDCI_BUF_INIT;
	(void)state;
	assert_int_equal(ddci_html_begin(&b, "DORA", -1, "3 deployments", "why"), 0);
	assert_non_null(strstr(ddci_buf_str(&b), "class=\"verdict v-info\""));
	ddci_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chart__mermaid_xychart),
		cmocka_unit_test(test_chart__mermaid_no_data),
		cmocka_unit_test(test_chart__svg_shapes),
		cmocka_unit_test(test_chart__mermaid_ranked_labels),
		cmocka_unit_test(test_chart__axis_ticks),
		cmocka_unit_test(test_chart__svg_ranked),
		cmocka_unit_test(test_chart__ranked_common_prefix),
		cmocka_unit_test(test_chart__tables_and_escaping),
		cmocka_unit_test(test_chart__html_page),
		cmocka_unit_test(test_chart__mermaid_blocks_parse),
		cmocka_unit_test(test_chart__svg_line_gap_and_labels),
		cmocka_unit_test(test_chart__time_label),
		cmocka_unit_test(test_chart__neutral_banner),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
