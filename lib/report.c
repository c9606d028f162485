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

static int oom(void)
{
	return ddci_error_set(DDCI_ENOMEM, "out of memory");
}

int ddci_report_xml_escape(struct ddci_buf *b, const char *s)
{
	return ddci_san_add(b, s, DDCI_CHAN_XML);
}

int ddci_report_md_escape(struct ddci_buf *b, const char *s)
{
	return ddci_san_add(b, s, DDCI_CHAN_MD);
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
						: !cJSON_AddStringToObject(counts, k->key, k->value))
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
	if (g->trend_json) {
		cJSON *t = cJSON_AddObjectToObject(o, "trend"), *pts;
		if (!t || ddci_json_add_str(t, "sparkline", g->trend) < 0 ||
		    !(pts = cJSON_Duplicate(g->trend_json, 1)))
			goto nomem;
		cJSON_AddItemToObject(t, "points", pts);
	}
	*out = o;
	return 0;
nomem:
	cJSON_Delete(o);
	return oom();
}


/* ---- charts from a gate ---- */

/* Why the gate decided what it did, in one line: the failed checks, or
 * that every check is within its limit.  md: flags in backticks. */
static int reason(struct ddci_buf *b, const struct ddci_gate *g, int md)
{
	char v[64], l[64];
	int n = 0, rc;

	for (int i = 0; i < g->nchecks; i++) {
		const struct ddci_gate_check *k = &g->checks[i];

		if (g->failed != k->failed)
			continue;
		ddci_gate_format(v, sizeof(v), k->unit, k->value);
		ddci_gate_format(l, sizeof(l), k->unit, k->limit);
		if ((rc = ddci_buf_addf(b, "%s%s %s, %s %s (%s%s%s)", n++ ? (md ? "; " : "\n") : "", v, k->what,
					k->failed ? "over the limit of" : "limit", l, md ? "`" : "", k->flag,
					md ? "`" : "")) < 0)
			return rc;
	}
	if (!n && (rc = ddci_buf_adds(b, "no check")) < 0)
		return rc;
	if (!g->failed && *g->note && !strncmp(g->note, "not enough data", 15) &&
	    (rc = ddci_buf_adds(b, md ? "; not enough data to judge" : "\nnot enough data to judge")) < 0)
		return rc;
	return 0;
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

/* A number member of o (a number, or raw integer text as ddci_json_int64
 * writes it); 0 when missing. */
static int num(double *out, const cJSON *o, const char *key)
{
	const cJSON *j = o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
	char *end;

	*out = 0;
	if (cJSON_IsNumber(j)) {
		*out = j->valuedouble;
		return 1;
	}
	if (cJSON_IsRaw(j) && j->valuestring) {
		*out = strtod(j->valuestring, &end);
		return end != j->valuestring;
	}
	return 0;
}

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
	const cJSON *it;
	size_t m = 0, k, half;
	int dated = 1;
	double fb = 0, rb = 0, fa = 0, ra = 0;

	memset(d, 0, sizeof(*d));
	d->before = d->after = NAN;
	cJSON_ArrayForEach(it, g->trend_json) {
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(it, "time");
		double runs;
		if (num(&runs, it, "runs") && runs > 0) {
			m++;
			if (cJSON_IsString(t) && strlen(t->valuestring) >= 20 && strncmp(t->valuestring + 10, "T00:00:00", 9))
				dated = 0;
		}
	}
	if (!m)
		return;
	k = (m + max - 1) / max;
	half = m / 2;
	m = 0;
	cJSON_ArrayForEach(it, g->trend_json) {
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(it, "time");
		double runs, fail;
		int64_t ns;
		size_t i;

		num(&runs, it, "runs");
		num(&fail, it, "failed");
		if (!(runs > 0))
			continue;
		i = m / k;
		if (m % k == 0) {
			const char *ts = cJSON_IsString(t) ? t->valuestring : "";
			if (strlen(ts) >= 16 && ddci_time_parse(&ns, ts, 0, "time") == 0) {
				ddci_chart_time_label(d->labels[i], sizeof(d->labels[i]), ns / 1000000, !dated);
			} else {
				ddci_error_clear();
				snprintf(d->labels[i], sizeof(d->labels[i]), "%zu", i + 1);
			}
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
static int chart_block(struct ddci_buf *b, int html, const char *heading, const char *sub, const char *trend,
		       const struct ddci_chart *c, const struct ddci_chart *table)
{
	int rc;

	if (html) {
		if ((rc = ddci_html_section(b, heading)) < 0 ||
		    (sub && *sub && (rc = ddci_buf_addf(b, "<p class=\"sub\">%s</p>\n", sub)) < 0) ||
		    (trend && (rc = ddci_buf_adds(b, trend)) < 0) || (rc = ddci_chart_svg(b, c)) < 0 ||
		    (rc = ddci_buf_adds(b, "<details><summary>The numbers</summary>\n")) < 0 ||
		    (rc = ddci_chart_html_table(b, table)) < 0 || (rc = ddci_buf_adds(b, "</details>\n")) < 0)
			return rc;
		return 0;
	}
	if ((rc = ddci_buf_addf(b, "\n### %s\n\n", heading)) < 0 || (sub && *sub && (rc = ddci_buf_addf(b, "%s\n\n", sub)) < 0) ||
	    (trend && (rc = ddci_buf_adds(b, trend)) < 0) || (rc = ddci_chart_mermaid(b, c)) < 0 ||
	    (rc = ddci_chart_md_table(b, table)) < 0)
		return rc;
	return 0;
}

/* Which way a trend goes, in words coloured by direction and by whether
 * it matters for the verdict: worse and mattering is bold and in the
 * failure colour; worse but within the limit is a warning; better is in
 * the pass colour; steady is muted.  An arrow says it without colour. */
static int trend_words(struct ddci_buf *b, int html, const char *dir, int matters, const char *text)
{
	int worse = !strcmp(dir, "getting worse"), better = !strcmp(dir, "getting better");
	const char *arrow = worse ? "↗" : better ? "↘" : "→";

	if (html)
		return ddci_buf_addf(b, "<p class=\"trend %s\">%s %s</p>\n",
				     worse ? (matters ? "bad" : "warn") : better ? "good" : "mute", arrow, text);
	return ddci_buf_addf(b, worse && matters ? "**%s %s**\n\n" : "%s %s\n\n", arrow, text);
}

static int trend_chart(struct ddci_buf *b, const struct ddci_gate *g, int html)
{
	struct trend_data *td = malloc(sizeof(*td));
	struct ddci_buf words = DDCI_BUF_INIT;
	char x[64], y[64], lim[64], text[320];
	const char *dir;
	int rc = 0;

	if (!td)
		return oom();
	trend_data(td, g, html ? CHART_POINTS : MD_POINTS);
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
			if ((rc = trend_words(&words, html, dir, matters, text)) < 0)
				goto done;
		}
		rc = chart_block(b, html, "Failure rate over time", "Failed test runs, % of all runs", dir ? ddci_buf_str(&words) : NULL,
				 &c, &t);
	}
done:
	ddci_buf_release(&words);
	free(td);
	return rc;
}

static int ranked_chart(struct ddci_buf *b, const struct ddci_gate *g, const struct ddci_gate_chart *gc, int html)
{
	struct bar_data bd;
	char sub[160], lim[48];
	struct ddci_chart c = { .title = gc->title, .y_label = gc->unit, .unit = chart_unit(gc->vunit), .ranked = 1,
				.nseries = 1, .threshold = gc->limit };
	size_t len;

	(void)g;
	bar_data(&bd, gc);
	if (!bd.n || !(bd.v[0] > 0))
		return 0;
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
	return chart_block(b, html, gc->title, sub, NULL, &c, &c);
}

static int hist_chart(struct ddci_buf *b, const struct ddci_gate *g, int html)
{
	struct hist_data hd;
	struct ddci_buf words = DDCI_BUF_INIT;
	char text[320];
	const char *dir;
	int rc;

	hist_data(&hd, g);
	if (!hd.n || !(hd.total > 0))
		return 0;
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
		if ((rc = trend_words(&words, html, dir, g->failed, text)) < 0 ||
		    (rc = chart_block(b, html, g->hist_title, "Active flaky tests, by the week they first flaked (Monday)",
				      ddci_buf_str(&words), &c, &c)) < 0)
			goto done;
	}
done:
	ddci_buf_release(&words);
	return rc;
}

/* Renders every chart of a gate, Markdown (html 0) or HTML (html 1). */
static int gate_charts(struct ddci_buf *b, const struct ddci_gate *g, int html)
{
	int rc;

	if (g->trend_json && (rc = trend_chart(b, g, html)) < 0)
		return rc;
	for (int k = 0; k < g->ncharts; k++)
		if ((rc = ranked_chart(b, g, &g->charts[k], html)) < 0)
			return rc;
	return hist_chart(b, g, html);
}

int ddci_report_markdown(struct ddci_buf *b, const struct ddci_gate *g)
{
	char v[64], l[64];
	int rc;

	if ((rc = ddci_buf_addf(b, "## %s %s: %s\n\n**Why:** ", g->failed ? "❌" : "✅", g->title,
				g->failed ? "failed" : "passed")) < 0 ||
	    (rc = reason(b, g, 1)) < 0 ||
	    (rc = ddci_buf_adds(b, "\n\n| check | observed | limit | result |\n|---|---:|---:|---|\n")) < 0)
		return rc;
	for (int i = 0; i < g->nchecks; i++) {
		const struct ddci_gate_check *k = &g->checks[i];

		ddci_gate_format(v, sizeof(v), k->unit, k->value);
		ddci_gate_format(l, sizeof(l), k->unit, k->limit);
		if ((rc = ddci_buf_addf(b, "| `%s` %s | %s | %s | %s |\n", k->flag, k->what, v, l,
					k->failed ? "❌ fail" : "✅ ok")) < 0)
			return rc;
	}
	if (*g->scope) {
		if ((rc = ddci_buf_adds(b, "\nScope: ")) < 0 || (rc = ddci_report_md_escape(b, g->scope)) < 0 ||
		    (rc = ddci_buf_adds(b, "\n")) < 0)
			return rc;
	}
	if (*g->note) {
		if ((rc = ddci_buf_adds(b, "\n> ")) < 0 || (rc = ddci_report_md_escape(b, g->note)) < 0 ||
		    (rc = ddci_buf_adds(b, "\n")) < 0)
			return rc;
	}
	if (*g->trend && (rc = ddci_buf_addf(b, "\n**Trend:** `%s`\n", g->trend)) < 0)
		return rc;
	if ((rc = gate_charts(b, g, 0)) < 0)
		return rc;
	if (!g->nrows)
		return 0;
	if ((rc = ddci_buf_addf(b, "\n### %s%s (top %zu of %" PRId64 ", by impact)\n\n|",
				g->failed ? "Offending " : "", g->subject, g->nrows, g->rows_seen)) < 0)
		return rc;
	for (int c = 0; c < g->ncols; c++)
		if ((rc = ddci_buf_addf(b, " %s |", g->cols[c])) < 0)
			return rc;
	if ((rc = ddci_buf_adds(b, "\n|")) < 0)
		return rc;
	for (int c = 0; c < g->ncols; c++)
		if ((rc = ddci_buf_adds(b, "---|")) < 0)
			return rc;
	for (size_t r = 0; r < g->nrows; r++) {
		if ((rc = ddci_buf_adds(b, "\n|")) < 0)
			return rc;
		for (int c = 0; c < g->ncols; c++)
			if ((rc = ddci_buf_adds(b, " ")) < 0 || (rc = ddci_report_md_escape(b, g->rows[r].cells[c])) < 0 ||
			    (rc = ddci_buf_adds(b, " |")) < 0)
				return rc;
	}
	return ddci_buf_adds(b, "\n");
}


/* The rows table: the first column (the name) bold; up to 3 columns whose
 * cells are all short stay columns, the others are folded under the name as
 * small "column: value" lines, so the table fits a phone even without CSS. */
static int rows_table(struct ddci_buf *b, const struct ddci_gate *g)
{
	int keep[DDCI_GATE_MAX_COLS], kept = 0, rc;

	for (int c = g->ncols - 1; c >= 0; c--) { /* at most 3, the last ones */
		keep[c] = c > 0 && kept < 3;
		for (size_t r = 0; r < g->nrows && keep[c]; r++)
			keep[c] = strlen(g->rows[r].cells[c]) <= 12;
		kept += keep[c];
	}
	if ((rc = ddci_buf_adds(b, "<table class=\"rows\"><thead><tr>")) < 0)
		return rc;
	for (int c = 0; c < g->ncols; c++)
		if ((!c || keep[c]) && ((rc = ddci_buf_adds(b, "<th>")) < 0 || (rc = ddci_html_escape(b, g->cols[c])) < 0 ||
					(rc = ddci_buf_adds(b, "</th>")) < 0))
			return rc;
	if ((rc = ddci_buf_adds(b, "</tr></thead><tbody>\n")) < 0)
		return rc;
	for (size_t r = 0; r < g->nrows; r++) {
		const struct ddci_gate_row *row = &g->rows[r];

		if ((rc = ddci_buf_adds(b, "<tr><td><strong>")) < 0 || (rc = ddci_html_escape_wrap(b, row->cells[0])) < 0 ||
		    (rc = ddci_buf_adds(b, "</strong>")) < 0)
			return rc;
		for (int c = 1; c < g->ncols; c++)
			if (!keep[c] && *row->cells[c] &&
			    ((rc = ddci_buf_adds(b, "<br><small>")) < 0 || (rc = ddci_html_escape(b, g->cols[c])) < 0 ||
			     (rc = ddci_buf_adds(b, ": ")) < 0 || (rc = ddci_html_escape_wrap(b, row->cells[c])) < 0 ||
			     (rc = ddci_buf_adds(b, "</small>")) < 0))
				return rc;
		if ((rc = ddci_buf_adds(b, "</td>")) < 0)
			return rc;
		for (int c = 1; c < g->ncols; c++)
			if (keep[c] && ((rc = ddci_buf_adds(b, "<td data-label=\"")) < 0 ||
					(rc = ddci_html_escape(b, g->cols[c])) < 0 || (rc = ddci_buf_adds(b, "\">")) < 0 ||
					(rc = ddci_html_escape_wrap(b, row->cells[c])) < 0 || (rc = ddci_buf_adds(b, "</td>")) < 0))
				return rc;
		if ((rc = ddci_buf_adds(b, "</tr>\n")) < 0)
			return rc;
	}
	return ddci_buf_adds(b, "</tbody></table>\n");
}

static int checks_table(struct ddci_buf *b, const struct ddci_gate *g)
{
	char v[64], l[64];
	int rc;

	if ((rc = ddci_buf_adds(b, "<table><thead><tr><th>check</th><th class=\"n\">observed</th><th class=\"n\">limit</th>"
				   "<th>result</th></tr></thead><tbody>\n")) < 0)
		return rc;
	for (int i = 0; i < g->nchecks; i++) {
		const struct ddci_gate_check *k = &g->checks[i];

		ddci_gate_format(v, sizeof(v), k->unit, k->value);
		ddci_gate_format(l, sizeof(l), k->unit, k->limit);
		if ((rc = ddci_buf_adds(b, "<tr><td>")) < 0 || (rc = ddci_html_escape(b, k->what)) < 0 ||
		    (rc = ddci_buf_adds(b, " <code>")) < 0 || (rc = ddci_html_escape(b, k->flag)) < 0 ||
		    (rc = ddci_buf_addf(b, "</code></td><td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"%s\">%s</td></tr>\n",
					v, l, k->failed ? "bad" : "good", k->failed ? "✗ failed" : "✓ ok")) < 0)
			return rc;
	}
	return ddci_buf_adds(b, "</tbody></table>\n");
}

int ddci_report_html(struct ddci_buf *b, const struct ddci_gate *g)
{
	struct ddci_buf why = DDCI_BUF_INIT;
	int rc;

	if ((rc = reason(&why, g, 0)) < 0 ||
	    (rc = ddci_html_begin(b, g->title, !g->failed, g->failed ? "Failed" : "Passed", ddci_buf_str(&why))) < 0)
		goto done;
	if ((rc = ddci_html_section(b, "Checks")) < 0 || (rc = checks_table(b, g)) < 0)
		goto done;
	if (*g->note && ((rc = ddci_buf_adds(b, "<p>")) < 0 || (rc = ddci_html_escape(b, g->note)) < 0 ||
			 (rc = ddci_buf_adds(b, "</p>\n")) < 0))
		goto done;
	if (*g->scope && ((rc = ddci_buf_adds(b, "<p class=\"mute\">Scope: <code>")) < 0 ||
			  (rc = ddci_html_escape_wrap(b, g->scope)) < 0 || (rc = ddci_buf_adds(b, "</code></p>\n")) < 0))
		goto done;
	if ((rc = gate_charts(b, g, 1)) < 0)
		goto done;
	if (g->nrows) {
		char h[160];

		snprintf(h, sizeof(h), "%s%s (top %zu of %" PRId64 ", by impact)", g->failed ? "Offending " : "",
			 g->subject, g->nrows, g->rows_seen);
		if ((rc = ddci_html_section(b, h)) < 0 || (rc = rows_table(b, g)) < 0)
			goto done;
	}
	rc = ddci_html_end(b);
done:
	ddci_buf_release(&why);
	return rc < 0 ? rc : 0;
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
static int row_line(struct ddci_buf *b, const struct ddci_gate *g, const struct ddci_gate_row *r)
{
	int rc = ddci_buf_adds(b, r->label ? r->label : r->cells[0]);

	for (int c = 1; c < g->ncols && rc == 0; c++)
		if (*r->cells[c])
			rc = ddci_buf_addf(b, "; %s: %s", g->cols[c], r->cells[c]);
	return rc ? rc : ddci_buf_adds(b, "\n");
}

int ddci_report_junit(struct ddci_buf *b, const struct ddci_gate *g)
{
	struct ddci_buf body = DDCI_BUF_INIT;
	int nf = nfailed(g), rc;

	if ((rc = ddci_buf_adds(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"")) < 0 ||
	    (rc = ddci_report_xml_escape(b, g->name)) < 0 ||
	    (rc = ddci_buf_addf(b, "\" tests=\"%d\" failures=\"%d\" errors=\"0\">\n  <testsuite name=\"", g->nchecks,
				nf)) < 0 ||
	    (rc = ddci_report_xml_escape(b, g->title)) < 0 ||
	    (rc = ddci_buf_addf(b, "\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"0\">\n", g->nchecks, nf)) <
		    0)
		goto done;
	if (*g->scope || *g->note) {
		if ((rc = ddci_buf_adds(b, "    <properties>\n")) < 0)
			goto done;
		if (*g->scope && ((rc = ddci_buf_adds(b, "      <property name=\"scope\" value=\"")) < 0 ||
				  (rc = ddci_report_xml_escape(b, g->scope)) < 0 || (rc = ddci_buf_adds(b, "\"/>\n")) < 0))
			goto done;
		if (*g->note && ((rc = ddci_buf_adds(b, "      <property name=\"note\" value=\"")) < 0 ||
				 (rc = ddci_report_xml_escape(b, g->note)) < 0 || (rc = ddci_buf_adds(b, "\"/>\n")) < 0))
			goto done;
		if ((rc = ddci_buf_adds(b, "    </properties>\n")) < 0)
			goto done;
	}
	for (int i = 0; i < g->nchecks; i++) {
		const struct ddci_gate_check *k = &g->checks[i];

		if ((rc = ddci_buf_adds(b, "    <testcase classname=\"")) < 0 ||
		    (rc = ddci_report_xml_escape(b, g->name)) < 0 || (rc = ddci_buf_adds(b, "\" name=\"")) < 0 ||
		    (rc = ddci_report_xml_escape(b, k->flag)) < 0 || (rc = ddci_buf_adds(b, "\">\n")) < 0)
			goto done;
		if (k->failed) {
			ddci_buf_reset(&body);
			if ((rc = ddci_buf_addf(&body, "%s\n", k->explain)) < 0)
				goto done;
			for (size_t r = 0; r < g->nrows; r++)
				if ((g->rows[r].checks & (1u << i)) && (rc = row_line(&body, g, &g->rows[r])) < 0)
					goto done;
			if (k->offenders > 0 && (rc = ddci_buf_addf(&body, "(%" PRId64 " in all)\n", k->offenders)) < 0)
				goto done;
			if ((rc = ddci_buf_adds(b, "      <failure type=\"threshold\" message=\"")) < 0 ||
			    (rc = ddci_report_xml_escape(b, k->explain)) < 0 || (rc = ddci_buf_adds(b, "\">")) < 0 ||
			    (rc = ddci_report_xml_escape(b, ddci_buf_str(&body))) < 0 ||
			    (rc = ddci_buf_adds(b, "</failure>\n")) < 0)
				goto done;
		} else if ((rc = ddci_buf_adds(b, "      <system-out>")) < 0 ||
			   (rc = ddci_report_xml_escape(b, k->explain)) < 0 ||
			   (rc = ddci_buf_adds(b, "</system-out>\n")) < 0) {
			goto done;
		}
		if ((rc = ddci_buf_adds(b, "    </testcase>\n")) < 0)
			goto done;
	}
	rc = ddci_buf_adds(b, "  </testsuite>\n</testsuites>\n");
done:
	ddci_buf_release(&body);
	return rc;
}

static int github(const struct ddci_gate *g, int annotate)
{
	struct ddci_buf md = DDCI_BUF_INIT, msg = DDCI_BUF_INIT;
	int rc;

	if ((rc = ddci_report_markdown(&md, g)) < 0 || (rc = ddci_buf_adds(&md, "\n")) < 0 ||
	    (rc = ddci_gh_summary(ddci_buf_str(&md))) < 0)
		goto done;
	for (int i = 0; i < g->ncounts; i++)
		if ((rc = ddci_gh_output(g->counts[i].key, g->counts[i].value)) < 0)
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
		if ((rc = row_line(&msg, g, row)) < 0)
			goto done;
		ddci_gh_annotate("error", row->file, row->line, g->subject, ddci_buf_str(&msg));
	}
	if (!g->failed && *g->note)
		ddci_gh_annotate("warning", NULL, 0, g->title, g->note);
done:
	ddci_buf_release(&md);
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
		if ((rc = ddci_report_json(&j, g)) < 0 || (rc = ddci_print_json(stdout, j, 1)) < 0)
			goto done;
	} else {
		ddci_report_text(stdout, g);
	}
	fflush(stdout);
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
	/* Annotations go to stdout: keep --output json parseable. */
	rc = github(g, !o->json);
done:
	fflush(stdout);
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
