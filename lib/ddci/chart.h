/* chart.h — charts drawn by ddci itself, from data: Mermaid `xychart-beta`
 * text (rendered natively by GitHub and GitLab Markdown) and inline SVG (for
 * the self-contained HTML report), plus the HTML page around them.
 *
 * No scripts, no external assets: the SVG uses CSS classes the page styles
 * for light and dark schemes, and each chart is followed by a plain table
 * so the numbers stay copyable.
 */
#ifndef DDCI_CHART_H
#define DDCI_CHART_H

#include <stddef.h>
#include <stdint.h>

#include "ddci/buf.h"
#include "ddci/error.h"

enum ddci_chart_kind { DDCI_CHART_BAR = 0, DDCI_CHART_LINE };

#define DDCI_CHART_MAX_SERIES 4
/* The size the reports draw charts at (viewBox; they scale to the page). */
#define DDCI_CHART_WIDTH 480
#define DDCI_CHART_HEIGHT 300

struct ddci_series {
	const char *name;       /* legend: "failure rate %" */
	const double *values;   /* n values, one per x label */
	enum ddci_chart_kind kind;
};

struct ddci_chart {
	const char *title;
	const char *y_label;    /* "%" or "deployments" */
	const char *const *x;   /* labels, nx of them */
	size_t nx;
	struct ddci_series series[DDCI_CHART_MAX_SERIES];
	size_t nseries;
	double threshold;       /* drawn as a dashed line when > 0 */
	/* A NaN value is "no data": "-" in tables, a gap in SVG lines, no bar. */
};

/* A ```mermaid fenced block with an xychart-beta chart. */
int ddci_chart_mermaid(struct ddci_buf *out, const struct ddci_chart *c) DDCI_WUR;
/* An <svg> element (viewBox width x height, scales to its container). */
int ddci_chart_svg(struct ddci_buf *out, const struct ddci_chart *c, int width, int height) DDCI_WUR;
/* A Markdown table of the chart's data (x column, one column per series). */
int ddci_chart_md_table(struct ddci_buf *out, const struct ddci_chart *c) DDCI_WUR;
/* The same as an HTML <table>. */
int ddci_chart_html_table(struct ddci_buf *out, const struct ddci_chart *c) DDCI_WUR;

/* The chart's Mermaid block followed by its Markdown table. */
int ddci_chart_md(struct ddci_buf *out, const struct ddci_chart *c) DDCI_WUR;
/* A <figure>: the chart's SVG (DDCI_CHART_WIDTH x H) followed by its HTML table. */
int ddci_chart_html(struct ddci_buf *out, const struct ddci_chart *c) DDCI_WUR;

/* An x label for a time (Unix ms, UTC): "01-31", or "01-31 14:00". */
void ddci_chart_time_label(char *buf, size_t size, int64_t ms, int with_time);

/* HTML escaping of text and attribute values. */
int ddci_html_escape(struct ddci_buf *out, const char *s) DDCI_WUR;

/* The page: head with inline CSS (light/dark, narrow screens), the verdict
 * banner (ok > 0: green, 0: red, < 0: neutral, for reports without a
 * verdict) and its reason; then the
 * caller appends sections; ddci_html_end closes the document. */
int ddci_html_begin(struct ddci_buf *out, const char *title, int ok, const char *verdict,
		    const char *reason) DDCI_WUR;
int ddci_html_section(struct ddci_buf *out, const char *heading) DDCI_WUR;
int ddci_html_end(struct ddci_buf *out) DDCI_WUR;

#endif
