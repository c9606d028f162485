/* chart.c — Mermaid xychart-beta and inline SVG from data; the HTML page. */
#include "ddci/chart.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ddci/timeutil.h"

#ifndef DDCI_VERSION
#define DDCI_VERSION "0.0.0"
#endif

#define MAX_X_LABELS 12

/* Presentation attributes, the light scheme's colours: the page's CSS
 * overrides them (dark scheme), and they keep the charts drawn where a
 * Content-Security-Policy blocks inline CSS (Jenkins serves reports so). */
#define LBL "fill=\"#656d76\" font-size=\"12\""
static const char *const color[] = { "#0969da", "#bf8700", "#8250df", "#1a7f37" };

static int valid(const struct ddci_chart *c)
{
	if (c->nseries > DDCI_CHART_MAX_SERIES)
		return ddci_error_set(DDCI_EUSAGE, "chart '%s': too many series", c->title ? c->title : "");
	for (size_t s = 0; s < c->nseries; s++)
		if (c->nx && !c->series[s].values)
			return ddci_error_set(DDCI_EUSAGE, "chart '%s': series without values",
					      c->title ? c->title : "");
	return 0;
}

/* Numbers as people write them: 12, 12.5, 0.25 (at most 2 decimals). */
static void fmt_num(char *buf, size_t size, double v)
{
	if (!isfinite(v))
		v = 0;
	if (fabs(v - round(v)) < 0.005)
		snprintf(buf, size, "%.0f", v);
	else if (fabs(v * 10 - round(v * 10)) < 0.05)
		snprintf(buf, size, "%.1f", v);
	else
		snprintf(buf, size, "%.2f", v);
}

/* A table cell: "-" for a missing value (NaN). */
static void cell_num(char *buf, size_t size, double v)
{
	if (isnan(v))
		snprintf(buf, size, "-");
	else
		fmt_num(buf, size, v);
}

/* The smallest 1, 2 or 5 times a power of ten that is >= x. */
static double nice_ceil(double x)
{
	double e, f;

	if (!(x > 0) || !isfinite(x))
		return 1;
	e = pow(10, floor(log10(x)));
	f = x / e;
	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * e;
}

static double max_value(const struct ddci_chart *c)
{
	double m = c->threshold > 0 ? c->threshold : 0;

	for (size_t s = 0; s < c->nseries; s++)
		for (size_t i = 0; i < c->nx; i++)
			if (isfinite(c->series[s].values[i]) && c->series[s].values[i] > m)
				m = c->series[s].values[i];
	return nice_ceil(m * 1.05);
}

/* Text inside a Mermaid quoted string: no quotes, brackets or newlines. */
static int add_mermaid_text(struct ddci_buf *out, const char *s)
{
	for (; s && *s; s++) {
		char ch = *s;
		if (ch == '"' || ch == '`')
			ch = '\'';
		else if (ch == '\n' || ch == '\r' || ch == '\t')
			ch = ' ';
		if (ddci_buf_addc(out, ch) < 0)
			return DDCI_ENOMEM;
	}
	return 0;
}

static int add_values(struct ddci_buf *out, const double *v, size_t n, double constant, int use_constant)
{
	char num[32];

	if (ddci_buf_adds(out, "[") < 0)
		return DDCI_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		fmt_num(num, sizeof(num), use_constant ? constant : v[i]);
		if (ddci_buf_addf(out, "%s%s", i ? ", " : "", num) < 0)
			return DDCI_ENOMEM;
	}
	return ddci_buf_adds(out, "]\n");
}

int ddci_chart_mermaid(struct ddci_buf *out, const struct ddci_chart *c)
{
	char top[32];
	int rc;

	if ((rc = valid(c)) < 0)
		return rc;
	if (!c->nx || !c->nseries)
		return ddci_buf_addf(out, "_%s: no data_\n", c->title ? c->title : "chart");
	fmt_num(top, sizeof(top), max_value(c));
	if (ddci_buf_adds(out, "```mermaid\nxychart-beta\n    title \"") < 0 || add_mermaid_text(out, c->title) < 0 ||
	    ddci_buf_adds(out, "\"\n    x-axis [") < 0)
		return DDCI_ENOMEM;
	for (size_t i = 0; i < c->nx; i++)
		if (ddci_buf_adds(out, i ? ", \"" : "\"") < 0 || add_mermaid_text(out, c->x[i]) < 0 ||
		    ddci_buf_addc(out, '"') < 0)
			return DDCI_ENOMEM;
	if (ddci_buf_adds(out, "]\n    y-axis \"") < 0 || add_mermaid_text(out, c->y_label ? c->y_label : "") < 0 ||
	    ddci_buf_addf(out, "\" 0 --> %s\n", top) < 0)
		return DDCI_ENOMEM;
	for (size_t s = 0; s < c->nseries; s++)
		if (ddci_buf_adds(out, c->series[s].kind == DDCI_CHART_LINE ? "    line " : "    bar ") < 0 ||
		    add_values(out, c->series[s].values, c->nx, 0, 0) < 0)
			return DDCI_ENOMEM;
	if (c->threshold > 0 &&
	    (ddci_buf_adds(out, "    line ") < 0 || add_values(out, NULL, c->nx, c->threshold, 1) < 0))
		return DDCI_ENOMEM;
	return ddci_buf_adds(out, "```\n");
}

int ddci_html_escape(struct ddci_buf *out, const char *s)
{
	for (; s && *s; s++) {
		const char *rep = NULL;
		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		}
		if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
			continue;
		if (rep ? ddci_buf_adds(out, rep) < 0 : ddci_buf_addc(out, *s) < 0)
			return DDCI_ENOMEM;
	}
	return 0;
}

int ddci_chart_svg(struct ddci_buf *out, const struct ddci_chart *c, int width, int height)
{
	const double ml = 44, mr = 12, mt = 44, mb = 44;
	double pw = width - ml - mr, ph = height - mt - mb, ymax, slot;
	size_t nbars = 0, step;
	char num[32];
	int rc;

	if ((rc = valid(c)) < 0)
		return rc;
	if (width < 120 || height < 100)
		return ddci_error_set(DDCI_EUSAGE, "chart size %dx%d is too small", width, height);
	if (ddci_buf_addf(out,
			  "<svg class=\"chart\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" role=\"img\" aria-label=\"", width, height) < 0 ||
	    ddci_html_escape(out, c->title) < 0 || ddci_buf_adds(out, "\" xmlns=\"http://www.w3.org/2000/svg\">\n") < 0 ||
	    ddci_buf_adds(out, "<text class=\"title\" x=\"4\" y=\"18\" fill=\"#1f2328\" font-size=\"15\" font-weight=\"600\">") < 0 || ddci_html_escape(out, c->title) < 0 ||
	    ddci_buf_adds(out, "</text>\n") < 0)
		return DDCI_ENOMEM;
	if (!c->nx || !c->nseries) {
		if (ddci_buf_addf(out, "<text class=\"lbl\" " LBL " x=\"%.0f\" y=\"%.0f\">no data</text>\n</svg>\n",
				  ml + pw / 2 - 24, mt + ph / 2) < 0)
			return DDCI_ENOMEM;
		return 0;
	}
	ymax = max_value(c);

	/* Grid and y labels: five steps. */
	for (int i = 0; i <= 5; i++) {
		double v = ymax * i / 5, y = mt + ph - ph * i / 5;
		fmt_num(num, sizeof(num), v);
		if (ddci_buf_addf(out,
				  "<line class=\"grid\" stroke=\"#d0d7de\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
				  "<text class=\"lbl\" " LBL " x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
				  ml, y, ml + pw, y, ml - 6, y + 4, num) < 0)
			return DDCI_ENOMEM;
	}
	if (c->y_label && (ddci_buf_addf(out, "<text class=\"lbl\" " LBL " x=\"4\" y=\"%.0f\">", mt - 12) < 0 ||
			   ddci_html_escape(out, c->y_label) < 0 || ddci_buf_adds(out, "</text>\n") < 0))
		return DDCI_ENOMEM;

	slot = pw / (double)c->nx;
	for (size_t s = 0; s < c->nseries; s++)
		if (c->series[s].kind == DDCI_CHART_BAR)
			nbars++;

	/* Bars, grouped per x slot. */
	for (size_t s = 0, b = 0; s < c->nseries; s++) {
		const struct ddci_series *se = &c->series[s];
		double bw;
		if (se->kind != DDCI_CHART_BAR)
			continue;
		bw = slot * 0.8 / (double)nbars;
		for (size_t i = 0; i < c->nx; i++) {
			double v = isfinite(se->values[i]) && se->values[i] > 0 ? se->values[i] : 0;
			double h = ph * v / ymax, x = ml + slot * (double)i + slot * 0.1 + bw * (double)b;
			fmt_num(num, sizeof(num), v);
			if (ddci_buf_addf(out, "<rect class=\"s%zu\" fill=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><title>",
					  s, color[s % 4], x, mt + ph - h, bw > 1 ? bw - 0.5 : bw, h) < 0 ||
			    ddci_html_escape(out, c->x[i]) < 0 || ddci_buf_addf(out, ": %s</title></rect>\n", num) < 0)
				return DDCI_ENOMEM;
		}
		b++;
	}
	/* Lines, through the middle of each slot; a missing value (NaN) breaks
	 * the line. */
	for (size_t s = 0; s < c->nseries; s++) {
		const struct ddci_series *se = &c->series[s];
		int open = 0;
		if (se->kind != DDCI_CHART_LINE)
			continue;
		for (size_t i = 0; i <= c->nx; i++) {
			int have = i < c->nx && isfinite(se->values[i]);
			if (!have) {
				if (open && ddci_buf_adds(out, "\"/>\n") < 0)
					return DDCI_ENOMEM;
				open = 0;
				continue;
			}
			if ((open ? ddci_buf_adds(out, " ") : ddci_buf_addf(out, "<polyline class=\"l%zu\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", s,
								color[s % 4])) < 0 ||
			    ddci_buf_addf(out, "%.1f,%.1f", ml + slot * ((double)i + 0.5),
					  mt + ph - ph * se->values[i] / ymax) < 0)
				return DDCI_ENOMEM;
			open = 1;
		}
		for (size_t i = 0; i < c->nx; i++) {
			double v = se->values[i];
			if (!isfinite(v))
				continue;
			fmt_num(num, sizeof(num), v);
			if (ddci_buf_addf(out, "<circle class=\"d%zu\" fill=\"%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\"><title>", s, color[s % 4],
					  ml + slot * ((double)i + 0.5), mt + ph - ph * v / ymax) < 0 ||
			    ddci_html_escape(out, c->x[i]) < 0 || ddci_buf_addf(out, ": %s</title></circle>\n", num) < 0)
				return DDCI_ENOMEM;
		}
	}
	if (c->threshold > 0) {
		double y = mt + ph - ph * c->threshold / ymax;
		fmt_num(num, sizeof(num), c->threshold);
		if (ddci_buf_addf(out,
				  "<line class=\"thr\" stroke=\"#cf222e\" stroke-dasharray=\"6 4\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
				  "<text class=\"lbl thr-l\" fill=\"#cf222e\" font-size=\"12\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">limit %s</text>\n",
				  ml, y, ml + pw, y, ml + pw, y - 4, num) < 0)
			return DDCI_ENOMEM;
	}
	/* X labels: at most MAX_X_LABELS, evenly skipped, shortened. */
	step = (c->nx + MAX_X_LABELS - 1) / MAX_X_LABELS;
	for (size_t i = 0; i < c->nx; i += step) {
		/* As many characters as fit the label's slots (about 7 px each). */
		size_t fit = (size_t)(slot * (double)step / 7.0), len;
		const char *x = c->x[i] ? c->x[i] : "";
		char label[32];

		if (fit < 4)
			fit = 4;
		if (fit > sizeof(label) - 1)
			fit = sizeof(label) - 1;
		len = strlen(x);
		if (len > fit) { /* shortened on a UTF-8 character boundary */
			len = fit - 3;
			while (len > 0 && ((unsigned char)x[len] & 0xc0) == 0x80)
				len--;
			memcpy(label, x, len);
			memcpy(label + len, "...", 4);
		} else {
			memcpy(label, x, len + 1);
		}
		if (ddci_buf_addf(out, "<text class=\"lbl\" " LBL " x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
				  ml + slot * ((double)i + 0.5), mt + ph + 16) < 0 ||
		    ddci_html_escape(out, label) < 0 || ddci_buf_adds(out, "</text>\n") < 0)
			return DDCI_ENOMEM;
	}
	/* Legend. */
	for (size_t s = 0; s < c->nseries; s++)
		if (ddci_buf_addf(out, "<rect class=\"s%zu\" fill=\"%s\" x=\"%.1f\" y=\"%d\" width=\"10\" height=\"10\"/>"
				       "<text class=\"lbl\" " LBL " x=\"%.1f\" y=\"%d\">", s, color[s % 4], ml + 150.0 * (double)s, height - 14,
				  ml + 150.0 * (double)s + 14, height - 5) < 0 ||
		    ddci_html_escape(out, c->series[s].name) < 0 || ddci_buf_adds(out, "</text>\n") < 0)
			return DDCI_ENOMEM;
	return ddci_buf_adds(out, "</svg>\n");
}

int ddci_chart_md_table(struct ddci_buf *out, const struct ddci_chart *c)
{
	char num[32];

	if (!c->nx || !c->nseries)
		return 0;
	if (ddci_buf_adds(out, "\n| |") < 0)
		return DDCI_ENOMEM;
	for (size_t s = 0; s < c->nseries; s++)
		if (ddci_buf_addf(out, " %s |", c->series[s].name ? c->series[s].name : "") < 0)
			return DDCI_ENOMEM;
	if (ddci_buf_adds(out, "\n|---|") < 0)
		return DDCI_ENOMEM;
	for (size_t s = 0; s < c->nseries; s++)
		if (ddci_buf_adds(out, "---:|") < 0)
			return DDCI_ENOMEM;
	for (size_t i = 0; i < c->nx; i++) {
		if (ddci_buf_adds(out, "\n| ") < 0)
			return DDCI_ENOMEM;
		for (const char *p = c->x[i] ? c->x[i] : ""; *p; p++)
			if ((*p == '|' && ddci_buf_addc(out, '\\') < 0) || ddci_buf_addc(out, *p == '\n' ? ' ' : *p) < 0)
				return DDCI_ENOMEM;
		if (ddci_buf_adds(out, " |") < 0)
			return DDCI_ENOMEM;
		for (size_t s = 0; s < c->nseries; s++) {
			cell_num(num, sizeof(num), c->series[s].values[i]);
			if (ddci_buf_addf(out, " %s |", num) < 0)
				return DDCI_ENOMEM;
		}
	}
	return ddci_buf_adds(out, "\n");
}

int ddci_chart_html_table(struct ddci_buf *out, const struct ddci_chart *c)
{
	char num[32];

	if (!c->nx || !c->nseries)
		return 0;
	if (ddci_buf_adds(out, "<table><thead><tr><th></th>") < 0)
		return DDCI_ENOMEM;
	for (size_t s = 0; s < c->nseries; s++)
		if (ddci_buf_adds(out, "<th>") < 0 || ddci_html_escape(out, c->series[s].name) < 0 ||
		    ddci_buf_adds(out, "</th>") < 0)
			return DDCI_ENOMEM;
	if (ddci_buf_adds(out, "</tr></thead><tbody>\n") < 0)
		return DDCI_ENOMEM;
	for (size_t i = 0; i < c->nx; i++) {
		if (ddci_buf_adds(out, "<tr><td>") < 0 || ddci_html_escape(out, c->x[i]) < 0 ||
		    ddci_buf_adds(out, "</td>") < 0)
			return DDCI_ENOMEM;
		for (size_t s = 0; s < c->nseries; s++) {
			cell_num(num, sizeof(num), c->series[s].values[i]);
			if (ddci_buf_addf(out, "<td class=\"n\">%s</td>", num) < 0)
				return DDCI_ENOMEM;
		}
		if (ddci_buf_adds(out, "</tr>\n") < 0)
			return DDCI_ENOMEM;
	}
	return ddci_buf_adds(out, "</tbody></table>\n");
}

static const char css[] =
	":root{color-scheme:light dark;--fg:#1f2328;--bg:#fff;--mute:#656d76;--line:#d0d7de;"
	"--ok:#1a7f37;--bad:#cf222e;--s0:#0969da;--s1:#bf8700;--s2:#8250df;--s3:#1a7f37}"
	"@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--mute:#8d96a0;--line:#30363d;"
	"--ok:#3fb950;--bad:#f85149;--s0:#4493f8;--s1:#d29922;--s2:#a371f7;--s3:#3fb950}}"
	"body{font:15px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;color:var(--fg);background:var(--bg);"
	"margin:0 auto;padding:16px;max-width:960px}"
	"h1{font-size:1.4em;margin:.2em 0}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid var(--line)}"
	".verdict{border-radius:8px;padding:12px 16px;margin:12px 0;color:#fff}"
	".verdict.ok{background:var(--ok)}.verdict.bad{background:var(--bad)}.verdict.info{background:var(--s0)}"
	".verdict b{font-size:1.3em;display:block}.verdict{white-space:pre-line;overflow-wrap:anywhere}"
	"table{border-collapse:collapse;width:100%;margin:8px 0;font-size:.9em;display:block;overflow-x:auto}"
	"th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left}"
	"td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
	"svg.chart{width:100%;height:auto;max-height:360px}"
	"svg .grid{stroke:var(--line);stroke-width:1}svg .lbl{fill:var(--mute);font-size:12px}"
	"svg .title{fill:var(--fg);font-size:15px;font-weight:600}"
	"svg .s0{fill:var(--s0)}svg .s1{fill:var(--s1)}svg .s2{fill:var(--s2)}svg .s3{fill:var(--s3)}"
	"svg .l0{stroke:var(--s0)}svg .l1{stroke:var(--s1)}svg .l2{stroke:var(--s2)}svg .l3{stroke:var(--s3)}"
	"svg polyline{fill:none;stroke-width:2}svg .d0{fill:var(--s0)}svg .d1{fill:var(--s1)}"
	"svg .d2{fill:var(--s2)}svg .d3{fill:var(--s3)}"
	"svg .thr{stroke:var(--bad);stroke-dasharray:6 4;stroke-width:1.5}svg .thr-l{fill:var(--bad)}"
	".mute{color:var(--mute);font-size:.9em}figure{margin:12px 0}"
	".better{color:var(--ok);font-weight:600}.worse{color:var(--bad);font-weight:600}"
	"code{font-size:.9em;overflow-wrap:anywhere}";

int ddci_html_begin(struct ddci_buf *out, const char *title, int ok, const char *verdict, const char *reason)
{
	if (ddci_buf_adds(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
			       "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n<title>") < 0 ||
	    ddci_html_escape(out, title) < 0 || ddci_buf_addf(out, "</title>\n<style>%s</style></head><body>\n<h1>", css) < 0 ||
	    ddci_html_escape(out, title) < 0 ||
	    ddci_buf_addf(out, "</h1>\n<div class=\"verdict %s\"><b>", ok < 0 ? "info" : ok ? "ok" : "bad") < 0 ||
	    ddci_html_escape(out, verdict) < 0 || ddci_buf_adds(out, "</b>") < 0 || ddci_html_escape(out, reason) < 0 ||
	    ddci_buf_adds(out, "</div>\n") < 0)
		return DDCI_ENOMEM;
	return 0;
}

int ddci_html_section(struct ddci_buf *out, const char *heading)
{
	if (ddci_buf_adds(out, "<h2>") < 0 || ddci_html_escape(out, heading) < 0 || ddci_buf_adds(out, "</h2>\n") < 0)
		return DDCI_ENOMEM;
	return 0;
}

int ddci_html_end(struct ddci_buf *out)
{
	return ddci_buf_adds(out, "<p class=\"mute\">Generated by ddci " DDCI_VERSION ".</p>\n</body></html>\n");
}

int ddci_chart_md(struct ddci_buf *out, const struct ddci_chart *c)
{
	int rc;

	if ((rc = ddci_chart_mermaid(out, c)) < 0)
		return rc;
	return ddci_chart_md_table(out, c);
}

int ddci_chart_html(struct ddci_buf *out, const struct ddci_chart *c)
{
	int rc;

	if (ddci_buf_adds(out, "<figure>\n") < 0)
		return DDCI_ENOMEM;
	if ((rc = ddci_chart_svg(out, c, DDCI_CHART_WIDTH, DDCI_CHART_HEIGHT)) < 0 || (rc = ddci_chart_html_table(out, c)) < 0)
		return rc;
	return ddci_buf_adds(out, "</figure>\n") < 0 ? DDCI_ENOMEM : 0;
}

void ddci_chart_time_label(char *buf, size_t size, int64_t ms, int with_time)
{
	char ts[40];

	ddci_time_format_rfc3339(ts, sizeof(ts), ms * 1000000);
	if (with_time)
		snprintf(buf, size, "%.5s %.5s", ts + 5, ts + 11);
	else
		snprintf(buf, size, "%.5s", ts + 5);
}
