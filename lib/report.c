/* report.c — a gate's verdict as text, JSON, Markdown, JUnit XML and GitHub
 * outputs.  Every format says which check failed, by how much, and which
 * rows are responsible. */
#include "ddci/report.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ddci/chart.h"
#include "ddci/json.h"
#include "ddci/output.h"
#include "ddci/sanitize.h"
#include "ddci/timeutil.h"

#define CHART_TOP 10     /* bars in a per-row chart */
#define CHART_POINTS 60  /* points in a trend chart (more are merged) */
#define MD_POINTS 14     /* the same in Mermaid (GitHub draws every x label) */

int ddci_report_xml_escape(struct ddci_buf *b, const char *s)
{
	return ddci_san_add(b, s, DDCI_CHAN_XML);
}

int ddci_report_md_escape(struct ddci_buf *b, const char *s)
{
	return ddci_san_add(b, s, DDCI_CHAN_MD);
}

/* Writers that can fail on their own (an escape allocates, a chart checks
 * its series) hand their error to the buffer, so each rendering function
 * below checks its buffer once, at its end (buf.h: errors stick). */
static void md(struct ddci_buf *b, const char *s)
{
	ddci_buf_fail(b, ddci_san_add(b, s, DDCI_CHAN_MD));
}

static void xml(struct ddci_buf *b, const char *s)
{
	ddci_buf_fail(b, ddci_san_add(b, s, DDCI_CHAN_XML));
}

static void html(struct ddci_buf *b, const char *s)
{
	ddci_buf_fail(b, ddci_html_escape(b, s));
}

static void html_wrap(struct ddci_buf *b, const char *s)
{
	ddci_buf_fail(b, ddci_html_escape_wrap(b, s));
}

/* open, s escaped by esc, close. */
static void wrap(struct ddci_buf *b, const char *open, void (*esc)(struct ddci_buf *, const char *), const char *s,
		 const char *close)
{
	ddci_buf_adds(b, open);
	esc(b, s);
	ddci_buf_adds(b, close);
}

static int nfailed(const struct ddci_gate *g)
{
	int n = 0;
	for (int i = 0; i < g->nchecks; i++)
		n += g->checks[i].failed;
	return n;
}

/* The checks that failed, as a mask of row check bits. */
static unsigned failed_mask(const struct ddci_gate *g)
{
	unsigned m = 0;

	for (int i = 0; i < g->nchecks; i++)
		if (g->checks[i].failed)
			m |= 1u << i;
	return m;
}

/* Rows over a failed check's line, among all the rows offered (at least). */
static int64_t rows_over(const struct ddci_gate *g)
{
	int64_t n = 0;

	for (int i = 0; i < g->nchecks; i++)
		if (g->checks[i].failed && g->checks[i].offenders > n)
			n = g->checks[i].offenders;
	return n;
}

void ddci_report_text(FILE *f, const struct ddci_gate *g)
{
	struct ddci_table *t = NULL;
	const char *cells[DDCI_GATE_MAX_COLS];
	size_t shown = 0;
	int offending;

	fprintf(f, "%s: %s", g->name, g->failed ? "FAILED" : "passed");
	if (g->failed)
		fprintf(f, " (%d of %d check%s failed)", nfailed(g), g->nchecks, g->nchecks == 1 ? "" : "s");
	fputc('\n', f);
	for (int i = 0; i < g->nchecks; i++)
		ddci_print(f, "  %s\n", g->checks[i].explain);
	if (*g->scope)
		ddci_print(f, "scope: %s\n", g->scope);
	if (*g->note)
		ddci_print(f, "note: %s\n", g->note);
	if (*g->trend)
		ddci_print(f, "trend: %s\n", g->trend);
	if (!g->nrows)
		return;
	/* A failed gate lists the rows over a line only ("offending"), when
	 * there are such rows; the order is said, not just "by impact". */
	offending = g->failed && rows_over(g) > 0;
	fprintf(f, "\n%s%s (%s):\n", offending ? "offending " : "", g->subject, g->order ? g->order : "by impact");
	if (ddci_table_new(&t, g->ncols, g->cols) < 0)
		return;
	for (size_t r = 0; r < g->nrows; r++) {
		if (offending && !(g->rows[r].checks & failed_mask(g)))
			continue;
		shown++;
		for (int c = 0; c < g->ncols; c++)
			cells[c] = g->rows[r].cells[c];
		if (ddci_table_add(t, cells) < 0)
			break;
	}
	ddci_table_print(f, t);
	ddci_table_free(t);
	if (offending && rows_over(g) > (int64_t)shown)
		fprintf(f, "... and %" PRId64 " more not shown\n", rows_over(g) - (int64_t)shown);
	else if (!offending && g->rows_seen > (int64_t)shown)
		fprintf(f, "... and %" PRId64 " more not shown\n", g->rows_seen - (int64_t)shown);
}

/* A trend point's failure rate, or -1 when the bucket had no runs. */
static double point_rate(const struct ddci_gate_point *p)
{
	return p->runs > 0 ? (double)p->failed / (double)p->runs * 100.0 : -1;
}

/* "trend": the sparkline and every point (time, runs, failed, rate). */
static int trend_json(cJSON *o, const struct ddci_gate *g)
{
	cJSON *t = cJSON_AddObjectToObject(o, "trend"), *pts;
	char ts[40];

	if (!t || ddci_json_add_str(t, "sparkline", g->trend) < 0 || !(pts = cJSON_AddArrayToObject(t, "points")))
		return DDCI_ENOMEM;
	for (size_t i = 0; i < g->npoints; i++) {
		const struct ddci_gate_point *p = &g->points[i];
		cJSON *pt = cJSON_CreateObject();

		if (!pt)
			return DDCI_ENOMEM;
		cJSON_AddItemToArray(pts, pt);
		ddci_time_format_rfc3339(ts, sizeof(ts), p->time_ms * 1000000);
		if (!cJSON_AddStringToObject(pt, "time", ts) || ddci_json_add_int64(pt, "runs", p->runs) < 0 ||
		    ddci_json_add_int64(pt, "failed", p->failed) < 0 ||
		    (p->runs > 0 ? !cJSON_AddNumberToObject(pt, "failure_rate_pct", point_rate(p))
				 : !cJSON_AddNullToObject(pt, "failure_rate_pct")))
			return DDCI_ENOMEM;
	}
	return 0;
}

int ddci_report_json(cJSON **out, const struct ddci_gate *g)
{
	cJSON *o = cJSON_CreateObject(), *checks, *counts, *rows, *c;

	*out = NULL;
	if (!o || !cJSON_AddStringToObject(o, "gate", g->name) ||
	    !cJSON_AddStringToObject(o, "result", g->failed ? "failed" : "passed") ||
	    !(checks = cJSON_AddArrayToObject(o, "checks")))
		goto nomem;
	for (int i = 0; i < g->nchecks; i++) {
		const struct ddci_gate_check *k = &g->checks[i];

		if (!(c = cJSON_CreateObject()))
			goto nomem;
		cJSON_AddItemToArray(checks, c);
		if (!cJSON_AddStringToObject(c, "check", k->id) || !cJSON_AddStringToObject(c, "flag", k->flag) ||
		    !cJSON_AddStringToObject(c, "what", k->what) || !cJSON_AddNumberToObject(c, "value", k->value) ||
		    !cJSON_AddNumberToObject(c, "limit", k->limit) ||
		    ddci_json_add_int64(c, "offenders", k->offenders) < 0 ||
		    !cJSON_AddBoolToObject(c, "failed", k->failed) ||
		    !cJSON_AddStringToObject(c, "status", k->no_data ? "not enough data" : k->failed ? "failed" : "ok") ||
		    !cJSON_AddStringToObject(c, "explanation", k->explain))
			goto nomem;
	}
	if (!(counts = cJSON_AddObjectToObject(o, "counts")))
		goto nomem;
	for (int i = 0; i < g->ncounts; i++) {
		const struct ddci_gate_count *k = &g->counts[i];

		if (!strcmp(k->key, "gate_result"))
			continue;
		/* typed by the gate: a sha like 010962989361 stays a string */
		if (k->kind == DDCI_COUNT_INT ? ddci_json_add_int64(counts, k->key, k->i) < 0
		    : k->kind == DDCI_COUNT_NUM ? !cJSON_AddNumberToObject(counts, k->key, k->d)
						: !cJSON_AddStringToObject(counts, k->key, k->text))
			goto nomem;
	}
	if (ddci_json_add_str(o, "scope", g->scope) < 0 || ddci_json_add_str(o, "note", g->note) < 0 ||
	    ddci_json_add_int64(o, "rows_total", g->rows_seen) < 0 || !(rows = cJSON_AddArrayToObject(o, "rows")))
		goto nomem;
	for (size_t r = 0; r < g->nrows; r++) {
		cJSON *j = g->rows[r].json ? cJSON_Duplicate(g->rows[r].json, 1) : cJSON_CreateObject(), *fails;

		if (!j)
			goto nomem;
		cJSON_AddItemToArray(rows, j);
		if (!(fails = cJSON_AddArrayToObject(j, "offends")))
			goto nomem;
		for (int i = 0; i < g->nchecks; i++)
			if ((g->rows[r].checks & (1u << i)) && g->checks[i].failed) {
				cJSON *s = cJSON_CreateString(g->checks[i].id);
				if (!s)
					goto nomem;
				cJSON_AddItemToArray(fails, s);
			}
	}
	if (g->trend_read && trend_json(o, g) < 0)
		goto nomem;
	*out = o;
	return 0;
nomem:
	cJSON_Delete(o);
	return ddci_error_oom();
}


/* ---- charts from a gate ---- */

/* Why the gate decided what it did, in one line: the failed checks, or
 * that every check is within its limit.  in_md: flags in backticks. */
static void reason(struct ddci_buf *b, const struct ddci_gate *g, int in_md)
{
	char v[64], l[64];
	int n = 0;

	for (int i = 0; i < g->nchecks; i++) {
		const struct ddci_gate_check *k = &g->checks[i];

		if (g->failed != k->failed)
			continue;
		ddci_gate_format(v, sizeof(v), k->unit, k->value);
		ddci_gate_format(l, sizeof(l), k->unit, k->limit);
		ddci_buf_addf(b, "%s%s %s, %s %s (%s%s%s)", n++ ? (in_md ? "; " : "\n") : "", v, k->what,
			      k->failed ? "over the limit of" : "limit", l, in_md ? "`" : "", k->flag, in_md ? "`" : "");
	}
	if (!n)
		ddci_buf_adds(b, "no check");
	if (!g->failed && *g->note && !strncmp(g->note, "not enough data", 15))
		ddci_buf_adds(b, in_md ? "; not enough data to judge" : "\nnot enough data to judge");
}

/* "getting worse" when `after` is clearly above `before` (for numbers where
 * lower is better), "getting better" when clearly below, else "steady". */
static const char *direction(double before, double after, double slack)
{
	double d = after - before, m = fmax(fabs(before), fabs(after));

	if (!isfinite(before) || !isfinite(after))
		return NULL;
	if (fabs(d) <= fmax(slack, m * 0.1))
		return "steady";
	return d > 0 ? "getting worse" : "getting better";
}

/* The trend's time labels: a point's day ("Jan 5"), or its time of day
 * when some point is not at midnight; a point past 2200 (the dates
 * ddci_time_parse reads) is numbered instead. */
#define LABEL_MAX_MS INT64_C(7289654400000) /* 2201-01-01 */
#define DAY_MS INT64_C(86400000)

struct trend_data {
	size_t n;
	char labels[CHART_POINTS][24];
	const char *x[CHART_POINTS];
	double rate[CHART_POINTS], runs[CHART_POINTS], failed[CHART_POINTS];
	double before, after; /* failure rate of the first and second half; NaN when unknown */
};

/* The trend points with runs, merged k at a time when there are more than
 * `max` (<= CHART_POINTS) of them. */
static void trend_data(struct trend_data *d, const struct ddci_gate *g, size_t max)
{
	size_t m = 0, k, half;
	int dated = 1;
	double fb = 0, rb = 0, fa = 0, ra = 0;

	memset(d, 0, sizeof(*d));
	d->before = d->after = NAN;
	for (size_t n = 0; n < g->npoints; n++)
		if (g->points[n].runs > 0) {
			m++;
			/* a midnight past year 9999 has no "T00:00:00" at the day's end */
			if (g->points[n].time_ms % DAY_MS || g->points[n].time_ms >= INT64_C(253402300800000))
				dated = 0;
		}
	if (!m)
		return;
	k = (m + max - 1) / max;
	half = m / 2;
	m = 0;
	for (size_t n = 0; n < g->npoints; n++) {
		const struct ddci_gate_point *p = &g->points[n];
		double runs = (double)p->runs, fail = (double)p->failed;
		size_t i;

		if (!(runs > 0))
			continue;
		i = m / k;
		if (m % k == 0) {
			if (p->time_ms >= 0 && p->time_ms < LABEL_MAX_MS)
				ddci_chart_time_label(d->labels[i], sizeof(d->labels[i]), p->time_ms, !dated);
			else
				snprintf(d->labels[i], sizeof(d->labels[i]), "%zu", i + 1);
			d->x[i] = d->labels[i];
			d->n = i + 1;
		}
		d->runs[i] += runs;
		d->failed[i] += fail;
		d->rate[i] = d->failed[i] / d->runs[i] * 100.0;
		if (m < half) {
			fb += fail;
			rb += runs;
		} else {
			fa += fail;
			ra += runs;
		}
		m++;
	}
	if (half && rb > 0 && ra > 0) {
		d->before = fb / rb * 100.0;
		d->after = fa / ra * 100.0;
	}
}

struct bar_data {
	size_t n, total, over;
	const char *x[CHART_TOP];
	double v[CHART_TOP];
};

/* The chart's top rows by its own measure, over every row read (gate.c
 * ranks them as they are offered). */
static void bar_data(struct bar_data *d, const struct ddci_gate_chart *gc)
{
	memset(d, 0, sizeof(*d));
	d->total = (size_t)gc->nvalues;
	for (size_t i = 0; i < gc->ntop && i < CHART_TOP; i++) {
		d->x[i] = gc->top_name[i];
		d->v[i] = gc->top[i];
		d->over += gc->limit > 0 && gc->top[i] > gc->limit + 1e-9;
		d->n++;
	}
}

struct hist_data {
	size_t n;
	char labels[DDCI_GATE_HIST_MAX][24];
	const char *x[DDCI_GATE_HIST_MAX];
	double total, before, after;
};

static void hist_data(struct hist_data *d, const struct ddci_gate *g)
{
	memset(d, 0, sizeof(*d));
	for (int i = 0; i < g->nhist && i < DDCI_GATE_HIST_MAX; i++) {
		ddci_chart_time_label(d->labels[i], sizeof(d->labels[i]), g->hist_start_ms + i * g->hist_step_ms, 0);
		d->x[i] = d->labels[i];
		d->total += g->hist[i];
		if (i < g->nhist / 2)
			d->before += g->hist[i];
		else
			d->after += g->hist[i];
		d->n++;
	}
}

static enum ddci_chart_unit chart_unit(enum ddci_gate_unit u)
{
	return u == DDCI_UNIT_PCT ? DDCI_CHART_PCT : u == DDCI_UNIT_MS ? DDCI_CHART_MS : DDCI_CHART_COUNT;
}

/* A heading, a line under it, the chart (Mermaid and its table, or SVG and
 * its table). */
static void chart_block(struct ddci_buf *b, int in_html, const char *heading, const char *sub, const char *trend,
			const struct ddci_chart *c, const struct ddci_chart *table)
{
	if (in_html) {
		ddci_buf_fail(b, ddci_html_section(b, heading));
		if (sub && *sub)
			ddci_buf_addf(b, "<p class=\"sub\">%s</p>\n", sub);
		if (trend)
			ddci_buf_adds(b, trend);
		ddci_buf_fail(b, ddci_chart_svg(b, c));
		ddci_buf_adds(b, "<details><summary>The numbers</summary>\n");
		ddci_buf_fail(b, ddci_chart_html_table(b, table));
		ddci_buf_adds(b, "</details>\n");
		return;
	}
	ddci_buf_addf(b, "\n### %s\n\n", heading);
	if (sub && *sub)
		ddci_buf_addf(b, "%s\n\n", sub);
	if (trend)
		ddci_buf_adds(b, trend);
	ddci_buf_fail(b, ddci_chart_mermaid(b, c));
	ddci_buf_fail(b, ddci_chart_md_table(b, table));
}

/* Which way a trend goes, in words coloured by direction and by whether
 * it matters for the verdict: worse and mattering is bold and in the
 * failure colour; worse but within the limit is a warning; better is in
 * the pass colour; steady is muted.  An arrow says it without colour. */
static void trend_words(struct ddci_buf *b, int in_html, const char *dir, int matters, const char *text)
{
	int worse = !strcmp(dir, "getting worse"), better = !strcmp(dir, "getting better");
	const char *arrow = worse ? "↗" : better ? "↘" : "→";

	if (in_html)
		ddci_buf_addf(b, "<p class=\"trend %s\">%s %s</p>\n",
			      worse ? (matters ? "bad" : "warn") : better ? "good" : "mute", arrow, text);
	else
		ddci_buf_addf(b, worse && matters ? "**%s %s**\n\n" : "%s %s\n\n", arrow, text);
}

static void trend_chart(struct ddci_buf *b, const struct ddci_gate *g, int in_html)
{
	struct trend_data *td = malloc(sizeof(*td));
	struct ddci_buf words = DDCI_BUF_INIT;
	char x[64], y[64], lim[64], text[320];
	const char *dir;

	if (!td) {
		ddci_buf_fail(b, ddci_error_oom());
		return;
	}
	trend_data(td, g, in_html ? CHART_POINTS : MD_POINTS);
	{
		struct ddci_chart c = { .title = "Failure rate over time", .y_label = "failure rate", .unit = DDCI_CHART_PCT,
					.x = td->x, .nx = td->n, .nseries = 1, .threshold = g->trend_limit };
		struct ddci_chart t = { .title = c.title, .unit = DDCI_CHART_PCT, .x = td->x, .nx = td->n, .nseries = 3,
					.threshold = g->trend_limit };

		c.series[0] = (struct ddci_series){ "failure rate", td->rate, DDCI_CHART_LINE, DDCI_TONE_NEUTRAL };
		t.series[0] = c.series[0];
		t.series[1] = (struct ddci_series){ "runs", td->runs, DDCI_CHART_BAR, DDCI_TONE_NEUTRAL };
		t.series[2] = (struct ddci_series){ "failed", td->failed, DDCI_CHART_BAR, DDCI_TONE_NEUTRAL };
		if ((dir = direction(td->before, td->after, 0.1))) {
			int matters = g->failed || (g->trend_limit > 0 && td->after > g->trend_limit);
			ddci_gate_format(x, sizeof(x), DDCI_UNIT_PCT, td->before);
			ddci_gate_format(y, sizeof(y), DDCI_UNIT_PCT, td->after);
			ddci_gate_format(lim, sizeof(lim), DDCI_UNIT_PCT, g->trend_limit);
			snprintf(text, sizeof(text), "%s%s: %s in the first half of the window, %s in the second (limit %s)",
				 !strcmp(dir, "getting worse") ? "Getting worse" : !strcmp(dir, "getting better") ? "Getting better" : "Steady",
				 !strcmp(dir, "getting worse") && !matters ? ", within the limit" : "", x, y, lim);
			trend_words(&words, in_html, dir, matters, text);
			ddci_buf_fail(b, ddci_buf_error(&words));
		}
		chart_block(b, in_html, "Failure rate over time", "Failed test runs, % of all runs",
			    dir ? ddci_buf_str(&words) : NULL, &c, &t);
	}
	ddci_buf_release(&words);
	free(td);
}

static void ranked_chart(struct ddci_buf *b, const struct ddci_gate_chart *gc, int in_html)
{
	struct bar_data bd;
	char sub[160], lim[48];
	struct ddci_chart c = { .title = gc->title, .y_label = gc->unit, .unit = chart_unit(gc->vunit), .ranked = 1,
				.nseries = 1, .threshold = gc->limit };
	size_t len;

	bar_data(&bd, gc);
	if (!bd.n || !(bd.v[0] > 0))
		return;
	c.x = bd.x;
	c.nx = bd.n;
	c.series[0] = (struct ddci_series){ gc->unit, bd.v, DDCI_CHART_BAR, DDCI_TONE_NEUTRAL };
	if (bd.total > bd.n)
		snprintf(sub, sizeof(sub), "The %zu highest of %zu", bd.n, bd.total);
	else
		snprintf(sub, sizeof(sub), "All %zu", bd.n);
	len = strlen(sub);
	ddci_chart_format(lim, sizeof(lim), c.unit, gc->limit);
	if (gc->limit > 0)
		snprintf(sub + len, sizeof(sub) - len, "; %zu %s over the limit of %s", bd.over,
			 bd.over == 1 ? "is" : "are", lim);
	chart_block(b, in_html, gc->title, sub, NULL, &c, &c);
}

static void hist_chart(struct ddci_buf *b, const struct ddci_gate *g, int in_html)
{
	struct hist_data hd;
	struct ddci_buf words = DDCI_BUF_INIT;
	char text[320];
	const char *dir;

	hist_data(&hd, g);
	if (!hd.n || !(hd.total > 0))
		return;
	{
		struct ddci_chart c = { .title = g->hist_title, .y_label = "tests", .unit = DDCI_CHART_COUNT, .x = hd.x,
					.nx = hd.n, .nseries = 1 };

		c.series[0] = (struct ddci_series){ "first flaked that week", g->hist, DDCI_CHART_BAR, DDCI_TONE_NEUTRAL };
		dir = direction(hd.before, hd.after, 1);
		if (!dir)
			dir = "steady";
		snprintf(text, sizeof(text), "%s: %.0f first flaked in the last %zu weeks, %.0f in the %zu before",
			 !strcmp(dir, "getting worse") ? "Getting worse" : !strcmp(dir, "getting better") ? "Getting better" : "Steady",
			 hd.after, hd.n - hd.n / 2, hd.before, hd.n / 2);
		trend_words(&words, in_html, dir, g->failed, text);
		if (ddci_buf_fail(b, ddci_buf_error(&words)) == 0)
			chart_block(b, in_html, g->hist_title, "Active flaky tests, by the week they first flaked (Monday)",
				    ddci_buf_str(&words), &c, &c);
	}
	ddci_buf_release(&words);
}

/* Renders every chart of a gate, Markdown (html 0) or HTML (html 1). */
static void gate_charts(struct ddci_buf *b, const struct ddci_gate *g, int in_html)
{
	if (g->trend_read)
		trend_chart(b, g, in_html);
	for (int k = 0; k < g->ncharts; k++)
		ranked_chart(b, &g->charts[k], in_html);
	hist_chart(b, g, in_html);
}

int ddci_report_markdown(struct ddci_buf *b, const struct ddci_gate *g)
{
	char v[64], l[64];

	ddci_buf_addf(b, "## %s %s: %s\n\n**Why:** ", g->failed ? "❌" : "✅", g->title, g->failed ? "failed" : "passed");
	reason(b, g, 1);
	ddci_buf_adds(b, "\n\n| check | observed | limit | result |\n|---|---:|---:|---|\n");
	for (int i = 0; i < g->nchecks; i++) {
		const struct ddci_gate_check *k = &g->checks[i];

		ddci_gate_format(v, sizeof(v), k->unit, k->value);
		ddci_gate_format(l, sizeof(l), k->unit, k->limit);
		ddci_buf_addf(b, "| `%s` %s | %s | %s | %s |\n", k->flag, k->what, v, l, k->failed ? "❌ fail" : "✅ ok");
	}
	if (*g->scope)
		wrap(b, "\nScope: ", md, g->scope, "\n");
	if (*g->note)
		wrap(b, "\n> ", md, g->note, "\n");
	if (*g->trend)
		ddci_buf_addf(b, "\n**Trend:** `%s`\n", g->trend);
	gate_charts(b, g, 0);
	if (!g->nrows)
		return ddci_buf_error(b);
	ddci_buf_addf(b, "\n### %s%s (top %zu of %" PRId64 ", by impact)\n\n|", g->failed ? "Offending " : "", g->subject,
		      g->nrows, g->rows_seen);
	for (int c = 0; c < g->ncols; c++)
		ddci_buf_addf(b, " %s |", g->cols[c]);
	ddci_buf_adds(b, "\n|");
	for (int c = 0; c < g->ncols; c++)
		ddci_buf_adds(b, "---|");
	for (size_t r = 0; r < g->nrows; r++) {
		ddci_buf_adds(b, "\n|");
		for (int c = 0; c < g->ncols; c++)
			wrap(b, " ", md, g->rows[r].cells[c], " |");
	}
	ddci_buf_adds(b, "\n");
	return ddci_buf_error(b);
}


/* The rows table: the first column (the name) bold; up to 3 columns whose
 * cells are all short stay columns, the others are folded under the name as
 * small "column: value" lines, so the table fits a phone even without CSS. */
static void rows_table(struct ddci_buf *b, const struct ddci_gate *g)
{
	int keep[DDCI_GATE_MAX_COLS], kept = 0;

	for (int c = g->ncols - 1; c >= 0; c--) { /* at most 3, the last ones */
		keep[c] = c > 0 && kept < 3;
		for (size_t r = 0; r < g->nrows && keep[c]; r++)
			keep[c] = strlen(g->rows[r].cells[c]) <= 12;
		kept += keep[c];
	}
	ddci_buf_adds(b, "<table class=\"rows\"><thead><tr>");
	for (int c = 0; c < g->ncols; c++)
		if (!c || keep[c])
			wrap(b, "<th>", html, g->cols[c], "</th>");
	ddci_buf_adds(b, "</tr></thead><tbody>\n");
	for (size_t r = 0; r < g->nrows; r++) {
		const struct ddci_gate_row *row = &g->rows[r];

		wrap(b, "<tr><td><strong>", html_wrap, row->cells[0], "</strong>");
		for (int c = 1; c < g->ncols; c++)
			if (!keep[c] && *row->cells[c]) {
				wrap(b, "<br><small>", html, g->cols[c], ": ");
				html_wrap(b, row->cells[c]);
				ddci_buf_adds(b, "</small>");
			}
		ddci_buf_adds(b, "</td>");
		for (int c = 1; c < g->ncols; c++)
			if (keep[c]) {
				wrap(b, "<td data-label=\"", html, g->cols[c], "\">");
				html_wrap(b, row->cells[c]);
				ddci_buf_adds(b, "</td>");
			}
		ddci_buf_adds(b, "</tr>\n");
	}
	ddci_buf_adds(b, "</tbody></table>\n");
}

static void checks_table(struct ddci_buf *b, const struct ddci_gate *g)
{
	char v[64], l[64];

	ddci_buf_adds(b, "<table><thead><tr><th>check</th><th class=\"n\">observed</th><th class=\"n\">limit</th>"
			 "<th>result</th></tr></thead><tbody>\n");
	for (int i = 0; i < g->nchecks; i++) {
		const struct ddci_gate_check *k = &g->checks[i];

		ddci_gate_format(v, sizeof(v), k->unit, k->value);
		ddci_gate_format(l, sizeof(l), k->unit, k->limit);
		wrap(b, "<tr><td>", html, k->what, " <code>");
		html(b, k->flag);
		ddci_buf_addf(b, "</code></td><td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"%s\">%s</td></tr>\n",
			      v, l, k->failed ? "bad" : "good", k->failed ? "✗ failed" : "✓ ok");
	}
	ddci_buf_adds(b, "</tbody></table>\n");
}

int ddci_report_html(struct ddci_buf *b, const struct ddci_gate *g)
{
	struct ddci_buf why = DDCI_BUF_INIT;

	reason(&why, g, 0);
	if (ddci_buf_fail(b, ddci_buf_error(&why)) == 0)
		ddci_buf_fail(b, ddci_html_begin(b, g->title, !g->failed, g->failed ? "Failed" : "Passed",
						 ddci_buf_str(&why)));
	ddci_buf_release(&why);
	ddci_buf_fail(b, ddci_html_section(b, "Checks"));
	checks_table(b, g);
	if (*g->note)
		wrap(b, "<p>", html, g->note, "</p>\n");
	if (*g->scope)
		wrap(b, "<p class=\"mute\">Scope: <code>", html_wrap, g->scope, "</code></p>\n");
	gate_charts(b, g, 1);
	if (g->nrows) {
		char h[160];

		snprintf(h, sizeof(h), "%s%s (top %zu of %" PRId64 ", by impact)", g->failed ? "Offending " : "",
			 g->subject, g->nrows, g->rows_seen);
		ddci_buf_fail(b, ddci_html_section(b, h));
		rows_table(b, g);
	}
	ddci_buf_fail(b, ddci_html_end(b));
	return ddci_buf_error(b);
}

int ddci_report_check_path(const char *path, const char *flag)
{
	struct stat st;
	char dir[4096];
	const char *slash;

	if (!path)
		return 0;
	if (!*path)
		return ddci_error_set(DDCI_EUSAGE, "invalid %s '': expected a file name", flag);
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return ddci_error_set(DDCI_EUSAGE, "invalid %s '%s': is a directory", flag, path);
	slash = strrchr(path, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if (access(dir, W_OK) != 0)
		return ddci_error_set(DDCI_EUSAGE, "invalid %s '%s': cannot write in '%s': %s", flag, path, dir,
				      strerror(errno));
	return 0;
}

int ddci_report_check(const struct ddci_report_opts *o)
{
	int rc;

	if ((rc = ddci_report_check_path(o->markdown_path, "--markdown")) < 0 ||
	    (rc = ddci_report_check_path(o->junit_path, "--junit")) < 0 ||
	    (rc = ddci_report_check_path(o->html_path, "--html")) < 0)
		return rc;
	return 0;
}

int ddci_report_wants_charts(const struct ddci_report_opts *o)
{
	const char *summary = getenv("GITHUB_STEP_SUMMARY");

	return o->markdown_path || o->html_path || (summary && *summary);
}

/* One line per row: the label and the cells. */
static void row_line(struct ddci_buf *b, const struct ddci_gate *g, const struct ddci_gate_row *r)
{
	ddci_buf_adds(b, r->label ? r->label : r->cells[0]);
	for (int c = 1; c < g->ncols; c++)
		if (*r->cells[c])
			ddci_buf_addf(b, "; %s: %s", g->cols[c], r->cells[c]);
	ddci_buf_adds(b, "\n");
}

/* A check's testcase: a failure listing the offending rows, or the
 * explanation as output. */
static void junit_case(struct ddci_buf *b, struct ddci_buf *body, const struct ddci_gate *g, int i)
{
	const struct ddci_gate_check *k = &g->checks[i];

	wrap(b, "    <testcase classname=\"", xml, g->name, "\" name=\"");
	xml(b, k->flag);
	ddci_buf_adds(b, "\">\n");
	if (k->failed) {
		ddci_buf_reset(body);
		ddci_buf_addf(body, "%s\n", k->explain);
		for (size_t r = 0; r < g->nrows; r++)
			if (g->rows[r].checks & (1u << i))
				row_line(body, g, &g->rows[r]);
		if (k->offenders > 0)
			ddci_buf_addf(body, "(%" PRId64 " in all)\n", k->offenders);
		ddci_buf_fail(b, ddci_buf_error(body));
		wrap(b, "      <failure type=\"threshold\" message=\"", xml, k->explain, "\">");
		xml(b, ddci_buf_str(body));
		ddci_buf_adds(b, "</failure>\n");
	} else {
		wrap(b, "      <system-out>", xml, k->explain, "</system-out>\n");
	}
	ddci_buf_adds(b, "    </testcase>\n");
}

int ddci_report_junit(struct ddci_buf *b, const struct ddci_gate *g)
{
	struct ddci_buf body = DDCI_BUF_INIT;
	int nf = nfailed(g);

	ddci_buf_adds(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"");
	xml(b, g->name);
	ddci_buf_addf(b, "\" tests=\"%d\" failures=\"%d\" errors=\"0\">\n  <testsuite name=\"", g->nchecks, nf);
	xml(b, g->title);
	ddci_buf_addf(b, "\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"0\">\n", g->nchecks, nf);
	if (*g->scope || *g->note) {
		ddci_buf_adds(b, "    <properties>\n");
		if (*g->scope)
			wrap(b, "      <property name=\"scope\" value=\"", xml, g->scope, "\"/>\n");
		if (*g->note)
			wrap(b, "      <property name=\"note\" value=\"", xml, g->note, "\"/>\n");
		ddci_buf_adds(b, "    </properties>\n");
	}
	for (int i = 0; i < g->nchecks; i++)
		junit_case(b, &body, g, i);
	ddci_buf_adds(b, "  </testsuite>\n</testsuites>\n");
	ddci_buf_release(&body);
	return ddci_buf_error(b);
}

/* A count as GitHub outputs show it: an INT in full, a NUM with two
 * decimals, TEXT as is. */
static const char *count_text(char *buf, size_t n, const struct ddci_gate_count *c)
{
	if (c->kind == DDCI_COUNT_INT)
		snprintf(buf, n, "%" PRId64, c->i);
	else if (c->kind == DDCI_COUNT_NUM)
		snprintf(buf, n, "%.2f", c->d);
	else
		snprintf(buf, n, "%s", c->text);
	return buf;
}

static int github(const struct ddci_gate *g, int annotate)
{
	struct ddci_buf summary = DDCI_BUF_INIT, msg = DDCI_BUF_INIT;
	char v[32]; /* a count's text is at most 31 bytes */
	int rc;

	if ((rc = ddci_report_markdown(&summary, g)) < 0 || (rc = ddci_buf_adds(&summary, "\n")) < 0 ||
	    (rc = ddci_gh_summary(ddci_buf_str(&summary))) < 0)
		goto done;
	for (int i = 0; i < g->ncounts; i++)
		if ((rc = ddci_gh_output(g->counts[i].key, count_text(v, sizeof(v), &g->counts[i]))) < 0)
			goto done;
	if (!annotate)
		goto done;
	for (int i = 0; i < g->nchecks; i++)
		if (g->checks[i].failed)
			ddci_gh_annotate("error", NULL, 0, g->title, g->checks[i].explain);
	for (size_t r = 0; r < g->nrows; r++) {
		const struct ddci_gate_row *row = &g->rows[r];
		int bad = 0;

		for (int i = 0; i < g->nchecks; i++)
			if ((row->checks & (1u << i)) && g->checks[i].failed)
				bad = 1;
		if (!bad || !row->file || !*row->file)
			continue;
		ddci_buf_reset(&msg);
		row_line(&msg, g, row);
		if ((rc = ddci_buf_error(&msg)) < 0)
			goto done;
		ddci_gh_annotate("error", row->file, row->line, g->subject, ddci_buf_str(&msg));
	}
	if (!g->failed && *g->note)
		ddci_gh_annotate("warning", NULL, 0, g->title, g->note);
done:
	ddci_buf_release(&summary);
	ddci_buf_release(&msg);
	return rc;
}

int ddci_report_github(const struct ddci_gate *g)
{
	return github(g, 1);
}

int ddci_report_emit(const struct ddci_gate *g, const struct ddci_report_opts *o)
{
	struct ddci_buf b = DDCI_BUF_INIT;
	cJSON *j = NULL;
	int rc = 0;

	if (o->json) {
		if ((rc = ddci_report_json(&j, g)) < 0 || (rc = ddci_print_json(o->out, j, 1)) < 0)
			goto done;
	} else {
		ddci_report_text(o->out, g);
	}
	fflush(o->out);
	if (o->markdown_path) {
		if ((rc = ddci_report_markdown(&b, g)) < 0 ||
		    (rc = ddci_write_file(o->markdown_path, ddci_buf_str(&b), b.len, 0644)) < 0)
			goto done;
		ddci_buf_reset(&b);
	}
	if (o->junit_path) {
		if ((rc = ddci_report_junit(&b, g)) < 0 ||
		    (rc = ddci_write_file(o->junit_path, ddci_buf_str(&b), b.len, 0644)) < 0)
			goto done;
		ddci_buf_reset(&b);
	}
	if (o->html_path) {
		if ((rc = ddci_report_html(&b, g)) < 0 ||
		    (rc = ddci_write_file(o->html_path, ddci_buf_str(&b), b.len, 0644)) < 0)
			goto done;
	}
	/* Annotations are printed among the verdict (output.h): none with
	 * --output json, which must stay parseable. */
	rc = github(g, !o->json);
done:
	fflush(o->out);
	cJSON_Delete(j);
	ddci_buf_release(&b);
	return rc;
}

int ddci_report_verdict(const struct ddci_gate *g, int rc, const struct ddci_report_opts *o)
{
	if (rc == DDCI_DRY_RUN)
		return 0;
	if (rc < 0)
		return rc;
	if ((rc = ddci_report_emit(g, o)) < 0)
		return rc;
	return g->failed ? DDCI_EXIT_GATE : 0;
}
