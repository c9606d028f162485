/* gate.c — the gate model: checks, bounded offending rows, typed counts,
 * the explained verdict and the sparkline.  No I/O: the flows that read git
 * and Datadog are gate_flaky.c and gate_failrate.c. */
#include "ddci/gate.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddci/timeutil.h"

void ddci_gate_init(struct ddci_gate *g, const char *name, const char *title, const char *subject,
		    const char *const *cols, int ncols)
{
	memset(g, 0, sizeof(*g));
	g->name = name;
	g->title = title;
	g->subject = subject;
	g->cols = cols;
	g->ncols = ncols > DDCI_GATE_MAX_COLS ? DDCI_GATE_MAX_COLS : ncols;
}

static void row_release(struct ddci_gate_row *r)
{
	for (int i = 0; i < DDCI_GATE_MAX_COLS; i++)
		free(r->cells[i]);
	free(r->file);
	free(r->label);
	cJSON_Delete(r->json);
	memset(r, 0, sizeof(*r));
}

void ddci_gate_release(struct ddci_gate *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->nrows; i++)
		row_release(&g->rows[i]);
	free(g->rows);
	for (int k = 0; k < g->ncharts; k++)
		for (size_t i = 0; i < g->charts[k].ntop; i++)
			free(g->charts[k].top_name[i]);
	g->ncharts = 0;
	free(g->points);
	g->rows = NULL;
	g->nrows = 0;
	g->points = NULL;
	g->npoints = 0;
	g->trend_read = 0;
}

int ddci_gate_add_check(struct ddci_gate *g, const char *id, const char *flag, const char *what,
			enum ddci_gate_unit unit, double limit)
{
	struct ddci_gate_check *c;

	if (g->nchecks >= DDCI_GATE_MAX_CHECKS)
		return ddci_error_set(DDCI_EUSAGE, "too many checks");
	c = &g->checks[g->nchecks];
	memset(c, 0, sizeof(*c));
	c->id = id;
	c->flag = flag;
	c->what = what;
	c->unit = unit;
	c->limit = limit;
	return g->nchecks++;
}

int ddci_gate_over(const struct ddci_gate *g, int i, double value)
{
	/* A small tolerance so 5.0 computed as 4.9999999 or 5.0000001 is "at". */
	return i >= 0 && i < g->nchecks && value > g->checks[i].limit + 1e-9;
}

int ddci_gate_add_chart(struct ddci_gate *g, const char *title, const char *key, const char *unit,
			enum ddci_gate_unit vunit, double scale, double limit)
{
	if (g->ncharts >= DDCI_GATE_MAX_CHARTS)
		return ddci_error_set(DDCI_EUSAGE, "too many charts");
	g->charts[g->ncharts] = (struct ddci_gate_chart){ .title = title, .key = key, .unit = unit,
							  .vunit = vunit, .scale = scale, .limit = limit };
	return g->ncharts++;
}

/* Ranks a row in a chart's top list by the chart's number in its JSON. */
static int chart_rank(struct ddci_gate_chart *c, const char *name, const cJSON *json)
{
	const cJSON *j = json ? cJSON_GetObjectItemCaseSensitive(json, c->key) : NULL;
	double v;
	size_t i;
	char *end, *copy;

	if (cJSON_IsNumber(j))
		v = j->valuedouble;
	else if (cJSON_IsRaw(j) && j->valuestring && (v = strtod(j->valuestring, &end), end != j->valuestring))
		;
	else
		return 0;
	if (!isfinite(v) || !name)
		return 0;
	v *= c->scale > 0 ? c->scale : 1;
	c->nvalues++;
	if (c->ntop == DDCI_GATE_CHART_TOP && v <= c->top[DDCI_GATE_CHART_TOP - 1])
		return 0;
	if (!(copy = strdup(name)))
		return ddci_error_oom();
	if (c->ntop == DDCI_GATE_CHART_TOP)
		free(c->top_name[DDCI_GATE_CHART_TOP - 1]);
	i = c->ntop < DDCI_GATE_CHART_TOP ? c->ntop++ : DDCI_GATE_CHART_TOP - 1;
	for (; i > 0 && c->top[i - 1] < v; i--) { /* ties keep the order rows came in */
		c->top[i] = c->top[i - 1];
		c->top_name[i] = c->top_name[i - 1];
	}
	c->top[i] = v;
	c->top_name[i] = copy;
	return 0;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

int ddci_gate_add_row(struct ddci_gate *g, const char *const *cells, double impact, unsigned checks,
		      const char *file, int line, const char *label, cJSON *json)
{
	struct ddci_gate_row *slot = NULL, r;
	size_t min = 0;

	g->rows_seen++;
	for (int k = 0; k < g->ncharts; k++)
		if (chart_rank(&g->charts[k], cells[0], json) < 0) {
			cJSON_Delete(json);
			return ddci_error_oom();
		}
	for (int i = 0; i < g->nchecks; i++)
		if (checks & (1u << i))
			g->checks[i].offenders++;
	if (!g->rows) {
		g->rows = calloc(DDCI_GATE_TOP, sizeof(*g->rows));
		if (!g->rows) {
			cJSON_Delete(json);
			return ddci_error_oom();
		}
	}
	if (g->nrows < DDCI_GATE_TOP) {
		slot = &g->rows[g->nrows];
	} else {
		for (size_t i = 1; i < g->nrows; i++)
			if (g->rows[i].impact < g->rows[min].impact)
				min = i;
		if (impact <= g->rows[min].impact) {
			cJSON_Delete(json);
			return 0;
		}
		slot = &g->rows[min];
	}
	memset(&r, 0, sizeof(r));
	r.impact = impact;
	r.checks = checks;
	r.line = line;
	r.json = json;
	for (int i = 0; i < g->ncols; i++)
		if (!(r.cells[i] = strdup(cells[i] ? cells[i] : "")))
			goto nomem;
	if ((file && !(r.file = dup_or_null(file))) || (label && !(r.label = dup_or_null(label))))
		goto nomem;
	if (slot == &g->rows[g->nrows])
		g->nrows++;
	else
		row_release(slot);
	*slot = r;
	return 0;
nomem:
	row_release(&r);
	return ddci_error_oom();
}

static struct ddci_gate_count *count_slot(struct ddci_gate *g, const char *key)
{
	struct ddci_gate_count *c;

	for (int i = 0; i < g->ncounts; i++)
		if (!strcmp(g->counts[i].key, key))
			return &g->counts[i];
	if (g->ncounts >= DDCI_GATE_MAX_COUNTS)
		return NULL;
	c = &g->counts[g->ncounts++];
	memset(c, 0, sizeof(*c));
	c->key = key;
	return c;
}

void ddci_gate_set_text(struct ddci_gate *g, const char *key, const char *v)
{
	struct ddci_gate_count *c = count_slot(g, key);

	if (!c)
		return;
	c->kind = DDCI_COUNT_TEXT;
	snprintf(c->text, sizeof(c->text), "%s", v ? v : "");
}

void ddci_gate_set_int(struct ddci_gate *g, const char *key, int64_t v)
{
	struct ddci_gate_count *c = count_slot(g, key);

	if (!c)
		return;
	c->kind = DDCI_COUNT_INT;
	c->i = v;
}

void ddci_gate_set_num(struct ddci_gate *g, const char *key, double v)
{
	struct ddci_gate_count *c = count_slot(g, key);

	if (!c)
		return;
	c->kind = DDCI_COUNT_NUM;
	c->d = v;
}

int ddci_gate_sound_count(int64_t *out, double v, const char *field)
{
	*out = 0;
	/* range first: converting an out-of-range double is undefined */
	if (!(v >= 0 && v < 9223372036854775808.0) || v != floor(v))
		return ddci_error_set(DDCI_EPROTO,
				      "unexpected response from Datadog: %s is %g: a count must be a finite, "
				      "non-negative integer",
				      field, v);
	*out = (int64_t)v;
	return 0;
}

int64_t ddci_gate_sat_add(int64_t a, int64_t b)
{
	if (a < 0)
		a = 0;
	if (b < 0)
		b = 0;
	return a > INT64_MAX - b ? INT64_MAX : a + b;
}

void ddci_gate_format(char *buf, size_t n, enum ddci_gate_unit unit, double v)
{
	switch (unit) {
	case DDCI_UNIT_PCT: snprintf(buf, n, "%.2f%%", v); break;
	case DDCI_UNIT_MS: /* range first: converting an out-of-range double is undefined */
		ddci_duration_format(buf, n, v >= 9223372036854775807.0 ? INT64_MAX : v > 0 ? (int64_t)v : 0);
		break;
	default: snprintf(buf, n, "%.0f", v); break;
	}
}

static int by_impact(const void *a, const void *b)
{
	const struct ddci_gate_row *x = a, *y = b;

	if (x->impact != y->impact)
		return x->impact > y->impact ? -1 : 1;
	return strcmp(x->label ? x->label : "", y->label ? y->label : "");
}

int ddci_gate_evaluate(struct ddci_gate *g)
{
	char v[64], l[64];

	g->failed = 0;
	for (int i = 0; i < g->nchecks; i++) {
		struct ddci_gate_check *c = &g->checks[i];

		c->failed = !c->no_data && ddci_gate_over(g, i, c->value);
		g->failed |= c->failed;
		ddci_gate_format(v, sizeof(v), c->unit, c->value);
		ddci_gate_format(l, sizeof(l), c->unit, c->limit);
		if (c->no_data) /* the gate's note says why (the numbers observed) */
			snprintf(c->explain, sizeof(c->explain), "not enough data: %s %s, not judged against %s (%s)",
				 v, c->what, l, c->flag);
		else
			snprintf(c->explain, sizeof(c->explain), "%s: %s %s, limit %s (%s)", c->failed ? "FAIL" : "ok",
				 v, c->what, l, c->flag);
	}
	if (g->rows)
		qsort(g->rows, g->nrows, sizeof(*g->rows), by_impact);
	ddci_gate_set_text(g, "gate_result", g->failed ? "failed" : "passed");
	return g->failed;
}

void ddci_gate_sparkline(char *out, size_t size, const double *values, size_t n)
{
	static const char *const bars[] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
	double max = 0;
	size_t len = 0;

	if (!size)
		return;
	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		if (values[i] > max)
			max = values[i];
	for (size_t i = 0; i < n && len + 4 < size; i++) {
		int k = max > 0 && values[i] > 0 ? (int)(values[i] / max * 7.0 + 0.5) : 0;
		if (k > 7)
			k = 7;
		if (values[i] < 0) { /* no runs in that bucket */
			out[len++] = ' ';
			out[len] = '\0';
			continue;
		}
		memcpy(out + len, bars[k], 3);
		len += 3;
		out[len] = '\0';
	}
}

