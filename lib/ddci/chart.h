/* chart.h — charts drawn by ddci itself, from data: Mermaid `xychart-beta`
 * text (rendered natively by GitHub and GitLab Markdown) and inline SVG (for
 * the self-contained HTML report), plus the HTML page around them.
 *
 * One palette, four meanings: pass, fail, neutral (a value), limit; each
 * with at least 4.5:1 contrast on the page in light and dark schemes.  The
 * SVG carries its colours and sizes as presentation attributes, so a page
 * whose styles are blocked (Jenkins' Content-Security-Policy) still draws
 * right; the page's CSS only adds the dark scheme and the layout.  Charts
 * are as wide as the page (no scaling: text stays 12 px or more on a phone):
 * ranked items are horizontal bars with their names, time series are
 * columns (counts) or lines, the limit a labelled dashed line, and values
 * over it in the failure colour.  No scripts, no external assets.
 */
#ifndef DDCI_CHART_H
#define DDCI_CHART_H

#include <stddef.h>
#include <stdint.h>

#include "ddci/buf.h"
#include "ddci/error.h"

/* Bars (columns over time, or ranked horizontal bars) or a line. */
enum ddci_chart_kind { DDCI_CHART_BAR = 0, DDCI_CHART_LINE };
/* What a value is, for axis ticks and labels: counts get whole ticks,
 * durations (ms) human units ("1h 30m"), percentages a "%". */
enum ddci_chart_unit { DDCI_CHART_NUM = 0, DDCI_CHART_COUNT, DDCI_CHART_PCT, DDCI_CHART_MS };
/* A series' colour: neutral (values over the limit turn to fail), or fail
 * (what it counts is failures). */
enum ddci_chart_tone { DDCI_TONE_NEUTRAL = 0, DDCI_TONE_FAIL };

#define DDCI_CHART_MAX_SERIES 4

struct ddci_series {
	const char *name;       /* table column and Mermaid series: "failure rate" */
	const double *values;   /* n values, one per x label */
	enum ddci_chart_kind kind;
	enum ddci_chart_tone tone;
};

struct ddci_chart {
	const char *title;      /* Mermaid title, SVG label */
	const char *y_label;    /* what the values are: "failure rate", "deployments" */
	enum ddci_chart_unit unit;
	int ranked;             /* x are names, largest first: horizontal bars */
	const char *const *x;   /* labels, nx of them */
	size_t nx;
	struct ddci_series series[DDCI_CHART_MAX_SERIES];
	size_t nseries;
	double threshold;       /* the limit, drawn as a labelled dashed line when > 0 */
	/* A NaN value is "no data": "-" in tables, a gap in lines, no bar. */
};

/* A ```mermaid fenced block with ddci's own theme (fixed colours on a white
 * card, readable in GitHub's light and dark) and an xychart-beta chart:
 * ranked charts horizontal, labels shortened and never the same twice, the
 * limit a named series. */
int ddci_chart_mermaid(struct ddci_buf *out, const struct ddci_chart *c) DDCI_WUR;
/* An <svg> as wide as its container. */
int ddci_chart_svg(struct ddci_buf *out, const struct ddci_chart *c) DDCI_WUR;
/* A Markdown table of the chart's data (x column, one column per series). */
int ddci_chart_md_table(struct ddci_buf *out, const struct ddci_chart *c) DDCI_WUR;
/* The same as an HTML <table>. */
int ddci_chart_html_table(struct ddci_buf *out, const struct ddci_chart *c) DDCI_WUR;

/* The chart's Mermaid block followed by its Markdown table. */
int ddci_chart_md(struct ddci_buf *out, const struct ddci_chart *c) DDCI_WUR;
/* The chart's SVG followed by its HTML table (in a <details>). */
int ddci_chart_html(struct ddci_buf *out, const struct ddci_chart *c) DDCI_WUR;

/* A value as the chart prints it: "12", "12.5%", "1h 30m". */
void ddci_chart_format(char *buf, size_t size, enum ddci_chart_unit unit, double v);
/* An x label for a time (Unix ms, UTC): "Jan 31", or "14:00". */
void ddci_chart_time_label(char *buf, size_t size, int64_t ms, int with_time);

/* HTML escaping of text and attribute values. */
int ddci_html_escape(struct ddci_buf *out, const char *s) DDCI_WUR;
/* The same, with a line-break opportunity (<wbr>) after / _ . : - and
 * between a lower-case and an upper-case letter: long names wrap on narrow
 * screens even without CSS. */
int ddci_html_escape_wrap(struct ddci_buf *out, const char *s) DDCI_WUR;

/* The page: head with CSS (light/dark, narrow screens, print), the title,
 * and the verdict (ok > 0: passed, 0: failed, < 0: no verdict) as an icon
 * and a word in its colour, then the reason, one list item per line of
 * `reason`.  The caller appends sections; ddci_html_end closes the page. */
int ddci_html_begin(struct ddci_buf *out, const char *title, int ok, const char *verdict,
		    const char *reason) DDCI_WUR;
int ddci_html_section(struct ddci_buf *out, const char *heading) DDCI_WUR;
int ddci_html_end(struct ddci_buf *out) DDCI_WUR;

#endif
