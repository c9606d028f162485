/* gate.c — checks, bounded offending rows, the explained verdict; the flaky
 * test gate and the failure-rate gate. */
#include "ddci/gate.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddci/analytics.h"
#include "ddci/buf.h"
#include "ddci/json.h"
#include "ddci/strv.h"
#include "ddci/timeutil.h"

static int oom(void)
{
	return ddci_error_set(DDCI_ENOMEM, "out of memory");
}

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
	cJSON_Delete(g->trend_json);
	g->rows = NULL;
	g->nrows = 0;
	g->trend_json = NULL;
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
		return oom();
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
			return oom();
		}
	for (int i = 0; i < g->nchecks; i++)
		if (checks & (1u << i))
			g->checks[i].offenders++;
	if (!g->rows) {
		g->rows = calloc(DDCI_GATE_TOP, sizeof(*g->rows));
		if (!g->rows) {
			cJSON_Delete(json);
			return oom();
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
	return oom();
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

void ddci_gate_set_count(struct ddci_gate *g, const char *key, const char *fmt, ...)
{
	struct ddci_gate_count *c = count_slot(g, key);
	va_list ap;

	if (!c)
		return;
	c->kind = DDCI_COUNT_TEXT;
	va_start(ap, fmt);
	vsnprintf(c->value, sizeof(c->value), fmt, ap);
	va_end(ap);
}

void ddci_gate_set_int(struct ddci_gate *g, const char *key, int64_t v)
{
	struct ddci_gate_count *c = count_slot(g, key);

	if (!c)
		return;
	c->kind = DDCI_COUNT_INT;
	c->i = v;
	snprintf(c->value, sizeof(c->value), "%" PRId64, v);
}

void ddci_gate_set_num(struct ddci_gate *g, const char *key, double v)
{
	struct ddci_gate_count *c = count_slot(g, key);

	if (!c)
		return;
	c->kind = DDCI_COUNT_NUM;
	c->d = v;
	snprintf(c->value, sizeof(c->value), "%.2f", v);
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
	ddci_gate_set_count(g, "gate_result", "%s", g->failed ? "failed" : "passed");
	return g->failed;
}

/* The base of the change. */
int ddci_gate_resolve_base(char out[41], struct ddci_repo *r, const char *base, const struct ddci_ci *ci)
{
	char rev[512], why[512];

	if (!r)
		return ddci_error_set(DDCI_EUSAGE, "--max-new and --fail-on-changed need a git repository (see --repo)");
	if (base && *base) {
		if (ddci_git_resolve(out, r, base) == 0)
			return 0;
		snprintf(why, sizeof(why), "%s", ddci_error_last()); /* git's reason, kept */
		snprintf(rev, sizeof(rev), "origin/%s", base);
		if (!strchr(base, '/') && ddci_git_resolve(out, r, rev) == 0)
			return 0;
		return ddci_error_set(DDCI_EUSAGE,
				      "base branch '%s' not found in the repository (%s); fetch it (git fetch origin %s) "
				      "or pass another --base",
				      base, why, base);
	}
	if (ci && ci->base_branch && *ci->base_branch) {
		snprintf(rev, sizeof(rev), "origin/%s", ci->base_branch);
		if (ddci_git_resolve(out, r, rev) == 0 || ddci_git_resolve(out, r, ci->base_branch) == 0)
			return 0;
		snprintf(why, sizeof(why), "%s", ddci_error_last());
		if (ci->base_sha && *ci->base_sha && ddci_git_resolve(out, r, ci->base_sha) == 0)
			return 0;
		return ddci_error_set(DDCI_EUSAGE,
				      "base branch '%s' (from the CI) not found in the repository (%s); fetch it "
				      "(git fetch origin %s) or pass --base",
				      ci->base_branch, why, ci->base_branch);
	}
	if (ci && ci->base_sha && *ci->base_sha && ddci_git_resolve(out, r, ci->base_sha) == 0)
		return 0;
	return ddci_error_set(DDCI_EUSAGE,
			      "--max-new and --fail-on-changed need the base of the change: pass --base BRANCH "
			      "(no PR target branch in the CI environment)");
}

/* ---- the flaky test gate ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int push_sha(const char *sha, int64_t t, void *ctx)
{
	(void)t;
	return ddci_strv_push(ctx, sha);
}

static int push_path(const char *path, void *ctx)
{
	return ddci_strv_push(ctx, path);
}

/* A sha (full or abbreviated, >= 7 hex) among the sorted full shas. */
static int has_sha(const struct ddci_strv *shas, const char *sha)
{
	char low[41];
	size_t n = sha ? strlen(sha) : 0, lo = 0, hi = shas->n;

	if (n < 7 || n > 40)
		return 0;
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)tolower((unsigned char)sha[i]);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strncmp(low, shas->v[mid], n);
		if (c == 0)
			return 1;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return 0;
}

static int has_path_exact(const struct ddci_strv *paths, const char *p)
{
	return paths->n && bsearch(&p, paths->v, paths->n, sizeof(char *), cmp_str) != NULL;
}

/* source_file as reported ("./src/x.py", "/build/repo/src/x.py", "src/x.py")
 * against the repository paths changed: exact, then dropping leading
 * directories of an absolute or ./ path. */
static int has_path(const struct ddci_strv *paths, const char *file)
{
	const char *p = file;

	if (!p || !*p)
		return 0;
	while (p[0] == '.' && p[1] == '/')
		p += 2;
	if (*p != '/')
		return has_path_exact(paths, p);
	while (p && *p) {
		while (*p == '/')
			p++;
		if (has_path_exact(paths, p))
			return 1;
		p = strchr(p, '/');
	}
	return 0;
}

struct flaky_ctx {
	struct ddci_gate *g;
	const struct ddci_flaky_gate_opts *o;
	int c_active, c_rate, c_new, c_changed, c_lost;
	struct ddci_strv shas, paths;
	int64_t counted, new_, changed, over_rate, skipped_state;
	int64_t lost_ms;
	double worst_rate;
};

#define WEEK_MS INT64_C(604800000)

/* A Unix time in seconds, milliseconds or nanoseconds, as milliseconds. */
static int64_t to_ms(int64_t t)
{
	if (t > INT64_C(100000000000000))
		return t / 1000000;
	if (t > INT64_C(100000000000))
		return t;
	return t * 1000;
}

/* Counts an active flaky test in the week it first flaked (the chart of
 * whether flakiness is growing). */
static void hist_add(struct ddci_gate *g, int64_t first_flaked)
{
	int64_t t = to_ms(first_flaked), i;

	if (first_flaked <= 0 || !g->nhist || t < g->hist_start_ms)
		return;
	i = (t - g->hist_start_ms) / g->hist_step_ms;
	if (i >= g->nhist)
		i = g->nhist - 1; /* a clock ahead of ours: this week */
	g->hist[i]++;
}

static int join_array(struct ddci_buf *b, const cJSON *arr)
{
	const cJSON *it;
	int rc = 0;

	if (cJSON_IsString(arr))
		return ddci_buf_adds(b, arr->valuestring);
	cJSON_ArrayForEach(it, arr) {
		if (!cJSON_IsString(it))
			continue;
		if ((b->len && (rc = ddci_buf_adds(b, " ")) < 0) || (rc = ddci_buf_adds(b, it->valuestring)) < 0)
			return rc;
	}
	return rc;
}

static int flaky_row(struct flaky_ctx *fc, const struct ddci_flaky_test *t, unsigned checks, int is_new,
		     int changed)
{
	struct ddci_buf owners = DDCI_BUF_INIT, label = DDCI_BUF_INIT;
	char rate[32] = "", lost[32] = "", first[96] = "", src[512] = "";
	const char *cells[9];
	double impact;
	cJSON *j = NULL;
	int rc;

	if (t->failure_rate_pct >= 0)
		snprintf(rate, sizeof(rate), "%.2f%%", t->failure_rate_pct);
	if (t->first_flaked_sha)
		snprintf(first, sizeof(first), "%.10s%s%s%s", t->first_flaked_sha, t->first_flaked_branch ? " (" : "",
			 t->first_flaked_branch ? t->first_flaked_branch : "", t->first_flaked_branch ? ")" : "");
	if (t->source_file && t->source_start > 0)
		snprintf(src, sizeof(src), "%s:%" PRId64, t->source_file, t->source_start);
	else if (t->source_file)
		snprintf(src, sizeof(src), "%s", t->source_file);
	if ((rc = join_array(&owners, t->codeowners)) < 0)
		goto done;
	if ((rc = ddci_buf_addf(&label, "%s%s%s", t->suite ? t->suite : "", t->suite ? "." : "",
				t->name ? t->name : t->id)) < 0)
		goto done;
	cells[0] = t->name ? t->name : t->id;
	cells[1] = t->suite;
	cells[2] = t->module;
	cells[3] = t->state;
	ddci_duration_format(lost, sizeof(lost), t->lost_time_ms);
	cells[4] = rate;
	cells[5] = lost;
	cells[6] = first;
	cells[7] = ddci_buf_str(&owners);
	cells[8] = src;

	if (!(j = cJSON_CreateObject()) || ddci_json_add_str(j, "id", t->id) < 0 ||
	    ddci_json_add_str(j, "name", t->name) < 0 || ddci_json_add_str(j, "suite", t->suite) < 0 ||
	    ddci_json_add_str(j, "module", t->module) < 0 || ddci_json_add_str(j, "state", t->state) < 0 ||
	    (t->failure_rate_pct >= 0 && !cJSON_AddNumberToObject(j, "failure_rate_pct", t->failure_rate_pct)) ||
	    ddci_json_add_str(j, "first_flaked_sha", t->first_flaked_sha) < 0 ||
	    ddci_json_add_str(j, "first_flaked_branch", t->first_flaked_branch) < 0 ||
	    ddci_json_add_str(j, "codeowners", ddci_buf_str(&owners)) < 0 ||
	    ddci_json_add_str(j, "source_file", t->source_file) < 0 ||
	    (t->source_start > 0 && ddci_json_add_int64(j, "source_line", t->source_start) < 0) ||
	    ddci_json_add_int64(j, "lost_time_ms", t->lost_time_ms) < 0 ||
	    ddci_json_add_int64(j, "failed_pipelines", t->failed_pipelines) < 0 ||
	    !cJSON_AddBoolToObject(j, "new", is_new) || !cJSON_AddBoolToObject(j, "changed", changed)) {
		cJSON_Delete(j);
		rc = oom();
		goto done;
	}
	/* Impact: tests that break a per-test threshold first, then pipeline
	 * time lost, failed pipelines, failure rate. */
	impact = (double)t->lost_time_ms + (double)t->failed_pipelines * 1e-3 +
		 (t->failure_rate_pct > 0 ? t->failure_rate_pct * 1e-6 : 0);
	if (checks & ((fc->c_rate >= 0 ? 1u << fc->c_rate : 0) | (fc->c_new >= 0 ? 1u << fc->c_new : 0) |
		      (fc->c_changed >= 0 ? 1u << fc->c_changed : 0)))
		impact += 1e15;
	rc = ddci_gate_add_row(fc->g, cells, impact, checks, t->source_file, (int)t->source_start,
			       ddci_buf_str(&label), j);
done:
	ddci_buf_release(&owners);
	ddci_buf_release(&label);
	return rc;
}

/* The numbers the gate decides on: the time lost and failed pipelines are
 * non-negative, the failure rate (-1: absent) finite within 0..100. */
static int flaky_sound(const struct ddci_flaky_test *t)
{
	const char *field = NULL;
	double v = 0;

	if (t->lost_time_ms < 0)
		field = "pipeline_stats.total_lost_time_ms", v = (double)t->lost_time_ms;
	else if (t->failed_pipelines < 0)
		field = "pipeline_stats.failed_pipelines", v = (double)t->failed_pipelines;
	else if (t->failure_rate_pct != -1 && !(t->failure_rate_pct >= 0 && t->failure_rate_pct <= 100))
		field = "test_stats.failure_rate_pct", v = t->failure_rate_pct;
	if (!field)
		return 0;
	return ddci_error_set(DDCI_EPROTO,
			      "unexpected response from Datadog: flaky test '%s': %s is %g: expected a finite, "
			      "non-negative number%s",
			      t->id, field, v, field[0] == 't' ? " up to 100" : "");
}

static int flaky_on_test(void *ctx, const struct ddci_flaky_test *t)
{
	struct flaky_ctx *fc = ctx;
	const struct ddci_flaky_gate_opts *o = fc->o;
	unsigned checks = 0;
	int is_new = 0, changed = 0, rc;

	if ((rc = flaky_sound(t)) < 0)
		return rc;
	if (!strcmp(t->state, "fixed") ||
	    (!o->include_quarantined && (!strcmp(t->state, "quarantined") || !strcmp(t->state, "disabled")))) {
		fc->skipped_state++;
		return 0;
	}
	fc->counted++;
	fc->lost_ms = ddci_gate_sat_add(fc->lost_ms, t->lost_time_ms);
	hist_add(fc->g, t->first_flaked_ts);
	if (fc->c_active >= 0)
		checks |= 1u << fc->c_active;
	if (fc->c_lost >= 0 && t->lost_time_ms > 0)
		checks |= 1u << fc->c_lost;
	if (t->failure_rate_pct > fc->worst_rate)
		fc->worst_rate = t->failure_rate_pct;
	if (fc->c_rate >= 0 && ddci_gate_over(fc->g, fc->c_rate, t->failure_rate_pct)) {
		checks |= 1u << fc->c_rate;
		fc->over_rate++;
	}
	if (fc->shas.n && has_sha(&fc->shas, t->first_flaked_sha)) {
		is_new = 1;
		fc->new_++;
		if (fc->c_new >= 0)
			checks |= 1u << fc->c_new;
	}
	if (fc->paths.n && has_path(&fc->paths, t->source_file)) {
		changed = 1;
		fc->changed++;
		if (fc->c_changed >= 0)
			checks |= 1u << fc->c_changed;
	}
	return flaky_row(fc, t, checks, is_new, changed);
}

static const char *const flaky_cols[] = { "test", "suite", "module", "state", "failure rate", "time lost",
					  "first flaked", "codeowners", "source" };

/* Commits and files of merge-base(base, HEAD)..HEAD, sorted. */
static int read_change(struct flaky_ctx *fc, const struct ddci_flaky_gate_opts *o, char mb[41])
{
	int rc;

	if (!o->repo || !o->base_sha)
		return ddci_error_set(DDCI_EUSAGE, "--max-new and --fail-on-changed need a repository and --base");
	if ((rc = ddci_git_merge_base(mb, o->repo, o->base_sha, "HEAD")) < 0)
		return ddci_error_wrap(rc, "cannot find the merge base of --base and HEAD");
	if ((rc = ddci_git_walk_range(o->repo, mb, NULL, 0, push_sha, &fc->shas)) < 0)
		return rc;
	if ((rc = ddci_git_changed_files(o->repo, mb, NULL, push_path, &fc->paths)) < 0)
		return rc;
	if (fc->shas.n)
		qsort(fc->shas.v, fc->shas.n, sizeof(char *), cmp_str);
	if (fc->paths.n)
		qsort(fc->paths.v, fc->paths.n, sizeof(char *), cmp_str);
	return 0;
}

int ddci_gate_flaky(struct ddci_gate *g, struct ddci_client *c, const struct ddci_flaky_gate_opts *o)
{
	struct flaky_ctx fc;
	struct ddci_flaky_scope scope = o->scope;
	struct ddci_flaky_stats st;
	struct ddci_buf q = DDCI_BUF_INIT;
	char *query = NULL, mb[41] = "";
	int rc;

	memset(&fc, 0, sizeof(fc));
	fc.g = g;
	fc.o = o;
	fc.c_active = fc.c_rate = fc.c_new = fc.c_changed = fc.c_lost = -1;
	ddci_gate_init(g, "ddci-flaky-gate", "Flaky test gate", "flaky tests", flaky_cols, 9);
	g->order = "over a per-test limit first, then most pipeline time lost";
	if ((o->max_active >= 0 &&
	     (rc = fc.c_active = ddci_gate_add_check(g, "max-active", "--max-active", "active flaky tests",
						     DDCI_UNIT_COUNT, (double)o->max_active)) < 0) ||
	    (o->max_failure_rate >= 0 &&
	     (rc = fc.c_rate = ddci_gate_add_check(g, "max-failure-rate", "--max-failure-rate",
						   "highest flaky test failure rate", DDCI_UNIT_PCT,
						   o->max_failure_rate)) < 0) ||
	    (o->max_new >= 0 &&
	     (rc = fc.c_new = ddci_gate_add_check(g, "max-new", "--max-new", "flaky tests first flaked in this change",
						  DDCI_UNIT_COUNT, (double)o->max_new)) < 0) ||
	    (o->fail_on_changed &&
	     (rc = fc.c_changed = ddci_gate_add_check(g, "fail-on-changed", "--fail-on-changed",
						      "flaky tests in files changed by this change", DDCI_UNIT_COUNT,
						      0)) < 0) ||
	    (o->max_lost_ms >= 0 &&
	     (rc = fc.c_lost = ddci_gate_add_check(g, "max-lost-time", "--max-lost-time", "pipeline time lost",
						   DDCI_UNIT_MS, (double)o->max_lost_ms)) < 0))
		goto done;
	if (!g->nchecks) {
		rc = ddci_error_set(DDCI_EUSAGE,
				    "no threshold given: pass at least one of --max-active, --max-failure-rate, "
				    "--max-new, --fail-on-changed, --max-lost-time");
		goto done;
	}
	if ((o->max_new >= 0 || o->fail_on_changed) && (rc = read_change(&fc, o, mb)) < 0)
		goto done;
	/* Charts for the reports: the top tests by rate (with the line when
	 * --max-failure-rate applies) and by time lost; new flaky tests a week. */
	if ((rc = ddci_gate_add_chart(g, "Flakiest tests by failure rate", "failure_rate_pct", "failure rate",
				      DDCI_UNIT_PCT, 1, o->max_failure_rate)) < 0 ||
	    (rc = ddci_gate_add_chart(g, "Pipeline time lost per flaky test", "lost_time_ms", "time lost",
				      DDCI_UNIT_MS, 1, o->max_lost_ms > 0 ? (double)o->max_lost_ms : 0)) < 0)
		goto done;
	g->nhist = 8;
	g->hist_step_ms = WEEK_MS;
	g->hist_start_ms = (o->now_ms > 0 ? o->now_ms : ddci_time_now_ns() / 1000000) - 8 * WEEK_MS;
	g->hist_title = "Active flaky tests by week first flaked";

	/* Ask only for what can count; the states are checked again per test. */
	if (o->include_quarantined) {
		scope.state = NULL;
		if ((rc = ddci_buf_addf(&q, "-flaky_test_state:fixed%s%s", scope.query && *scope.query ? " " : "",
					scope.query ? scope.query : "")) < 0)
			goto done;
		scope.query = ddci_buf_str(&q);
	} else {
		scope.state = "active";
	}
	if ((rc = ddci_flaky_query(&query, &scope)) < 0)
		goto done;
	snprintf(g->scope, sizeof(g->scope), "%s", query);

	rc = ddci_flaky_search(&st, c, &scope, flaky_on_test, &fc);
	if (rc != 0)
		goto done;
	if (fc.c_active >= 0)
		g->checks[fc.c_active].value = (double)fc.counted;
	if (fc.c_rate >= 0)
		g->checks[fc.c_rate].value = fc.worst_rate;
	if (fc.c_new >= 0)
		g->checks[fc.c_new].value = (double)fc.new_;
	if (fc.c_changed >= 0)
		g->checks[fc.c_changed].value = (double)fc.changed;
	if (fc.c_lost >= 0)
		g->checks[fc.c_lost].value = (double)fc.lost_ms;
	ddci_gate_evaluate(g);
	ddci_gate_set_int(g, "active", fc.counted);
	ddci_gate_set_int(g, "new", fc.new_);
	ddci_gate_set_int(g, "changed", fc.changed);
	ddci_gate_set_int(g, "over_rate", fc.over_rate);
	ddci_gate_set_int(g, "lost_time_ms", fc.lost_ms);
	ddci_gate_set_num(g, "worst_failure_rate", fc.worst_rate);
	ddci_gate_set_int(g, "scanned", st.tests);
	ddci_gate_set_int(g, "pages", st.pages);
	if (*mb) {
		ddci_gate_set_count(g, "merge_base", "%.12s", mb);
		ddci_gate_set_int(g, "change_commits", (int64_t)fc.shas.n);
		ddci_gate_set_int(g, "change_files", (int64_t)fc.paths.n);
	}
	if (fc.skipped_state)
		snprintf(g->note, sizeof(g->note), "%" PRId64 " quarantined, disabled or fixed test%s not counted%s",
			 fc.skipped_state, fc.skipped_state == 1 ? "" : "s",
			 o->include_quarantined ? "" : " (--include-quarantined counts quarantined and disabled)");
done:
	free(query);
	ddci_buf_release(&q);
	ddci_strv_release(&fc.shas);
	ddci_strv_release(&fc.paths);
	return rc;
}

/* ---- the failure-rate gate ---- */

#define MAX_GROUPS DDCI_GATE_GROUP_MAX
#define MAX_POINTS 1000
#define SPARK_POINTS 120

struct grp {
	char *key;              /* whole: compared in full, never cut */
	int64_t pass, fail;     /* saturating sums */
};

struct point {
	int64_t t;
	int64_t pass, fail;
};

struct rate_ctx {
	const char *facet;
	struct grp *groups;
	size_t ngroups;
	struct point *points;
	size_t npoints;
	int truncated;
};

static int status_kind(const char *s)
{
	if (!strcmp(s, "pass") || !strcmp(s, "passed"))
		return 1;
	if (!strcmp(s, "fail") || !strcmp(s, "failed") || !strcmp(s, "error"))
		return 2;
	return 0; /* skip, unknown */
}

static int rate_on_bucket(void *ctx, const struct ddci_agg_bucket *b)
{
	struct rate_ctx *rc = ctx;
	char kb[64], sb[64];
	const char *key = rc->facet ? ddci_agg_bucket_key(b, rc->facet, kb, sizeof(kb)) : "all";
	int kind = status_kind(ddci_agg_bucket_key(b, "@test.status", sb, sizeof(sb)));
	struct grp *g = NULL;
	double d;
	int64_t n;
	int r;

	if (!*key)
		key = "(none)";
	/* A group's buckets come together: look at the last group first. */
	if (rc->ngroups && !strcmp(rc->groups[rc->ngroups - 1].key, key))
		g = &rc->groups[rc->ngroups - 1];
	for (size_t i = 0; !g && i < rc->ngroups; i++)
		if (!strcmp(rc->groups[i].key, key))
			g = &rc->groups[i];
	if (!g) {
		if (rc->ngroups >= MAX_GROUPS) {
			rc->truncated = 1;
			return 0;
		}
		if (!(rc->groups[rc->ngroups].key = strdup(key)))
			return oom();
		g = &rc->groups[rc->ngroups++];
	}
	if (!kind) /* skipped: counted as a group, not as a run */
		return 0;
	if ((r = ddci_agg_bucket_total(&d, b, 0)) < 0 ||
	    (r = ddci_gate_sound_count(&n, d, "the count (computes.c0) of a bucket")) < 0)
		return r;
	if (kind == 1)
		g->pass = ddci_gate_sat_add(g->pass, n);
	else
		g->fail = ddci_gate_sat_add(g->fail, n);
	return 0;
}

static int trend_on_bucket(void *ctx, const struct ddci_agg_bucket *b)
{
	struct rate_ctx *rc = ctx;
	char sb[64];
	int kind = status_kind(ddci_agg_bucket_key(b, "@test.status", sb, sizeof(sb)));
	const cJSON *series, *it;
	struct ddci_agg_point pt;
	int r;

	if (!kind)
		return 0;
	if ((r = ddci_agg_bucket_series(&series, b, 0)) < 0)
		return r;
	cJSON_ArrayForEach(it, series) {
		struct point *p = NULL;
		int64_t n;

		if ((r = ddci_agg_point_parse(&pt, it)) < 0 ||
		    (r = ddci_gate_sound_count(&n, pt.value, "the value of a timeseries point")) < 0)
			return r;
		for (size_t i = 0; i < rc->npoints; i++)
			if (rc->points[i].t == pt.time_ms)
				p = &rc->points[i];
		if (!p) {
			if (rc->npoints >= MAX_POINTS)
				continue;
			p = &rc->points[rc->npoints++];
			p->t = pt.time_ms;
		}
		if (kind == 1)
			p->pass = ddci_gate_sat_add(p->pass, n);
		else
			p->fail = ddci_gate_sat_add(p->fail, n);
	}
	return 0;
}

static int by_time(const void *a, const void *b)
{
	const struct point *x = a, *y = b;
	return x->t < y->t ? -1 : x->t > y->t;
}

const char *ddci_gate_trend_interval(int64_t span_ms)
{
	static const struct {
		const char *name;
		int64_t ms;
	} steps[] = {
		{ "1m", 60000 },      { "5m", 300000 },      { "15m", 900000 },      { "30m", 1800000 },
		{ "1h", 3600000 },    { "3h", 10800000 },    { "6h", 21600000 },     { "12h", 43200000 },
		{ "1d", 86400000 },   { "1w", 604800000 },
	};
	size_t n = sizeof(steps) / sizeof(steps[0]);

	for (size_t i = 0; i < n; i++)
		if (span_ms / steps[i].ms <= 30)
			return steps[i].name;
	return steps[n - 1].name;
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

/* A chart's bucket: days for two days or more (weeks past 45 days), else
 * the smallest step giving at most 16 points. */
static const char *chart_interval(int64_t span_ms)
{
	static const struct {
		const char *name;
		int64_t ms;
	} steps[] = {
		{ "5m", 300000 }, { "15m", 900000 }, { "30m", 1800000 }, { "1h", 3600000 }, { "3h", 10800000 },
	};
	const int64_t day = 86400000;

	if (span_ms > 45 * day)
		return "1w";
	if (span_ms >= 2 * day)
		return "1d";
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (span_ms / steps[i].ms <= 16)
			return steps[i].name;
	return "6h";
}

static int read_trend(struct ddci_gate *g, struct ddci_client *c, const struct ddci_failrate_gate_opts *o,
		      struct rate_ctx *rc)
{
	struct ddci_agg_request req = { 0 };
	int64_t span = o->to_ms - o->from_ms;
	const char *interval = o->interval ? o->interval
			       : o->trend  ? ddci_gate_trend_interval(span)
					   : chart_interval(span);
	double rates[MAX_POINTS] = { 0 };
	char spark[SPARK_POINTS * 3 + 1], first[24] = "", last[24] = "";
	size_t shown;
	int err;

	req.query = o->query;
	req.from_ms = o->from_ms;
	req.to_ms = o->to_ms;
	req.ncomputes = 1;
	req.computes[0].aggregation = "count";
	req.computes[0].timeseries = 1;
	req.computes[0].interval = interval;
	req.ngroups = 1;
	req.groups[0].facet = "@test.status";
	req.groups[0].limit = 10;
	if ((err = ddci_agg_run(NULL, c, &req, trend_on_bucket, rc)) != 0)
		return err;
	qsort(rc->points, rc->npoints, sizeof(*rc->points), by_time);
	if (!(g->trend_json = cJSON_CreateArray()))
		return oom();
	for (size_t i = 0; i < rc->npoints; i++) {
		struct point *p = &rc->points[i];
		int64_t runs = ddci_gate_sat_add(p->pass, p->fail);
		char ts[40];
		cJSON *pt = cJSON_CreateObject();

		rates[i] = runs > 0 ? (double)p->fail / (double)runs * 100.0 : -1;
		if (!pt)
			return oom();
		cJSON_AddItemToArray(g->trend_json, pt);
		ddci_time_format_rfc3339(ts, sizeof(ts), p->t * 1000000);
		if (!cJSON_AddStringToObject(pt, "time", ts) || ddci_json_add_int64(pt, "runs", runs) < 0 ||
		    ddci_json_add_int64(pt, "failed", p->fail) < 0 ||
		    (runs > 0 ? !cJSON_AddNumberToObject(pt, "failure_rate_pct", rates[i])
			      : !cJSON_AddNullToObject(pt, "failure_rate_pct")))
			return oom();
		if (runs > 0) {
			if (!*first)
				snprintf(first, sizeof(first), "%.2f%%", rates[i]);
			snprintf(last, sizeof(last), "%.2f%%", rates[i]);
		}
	}
	/* The text line shows the most recent points; JSON has them all. */
	shown = rc->npoints > SPARK_POINTS ? SPARK_POINTS : rc->npoints;
	ddci_gate_sparkline(spark, sizeof(spark), rates + (rc->npoints - shown), shown);
	if (rc->npoints)
		snprintf(g->trend, sizeof(g->trend), "%s  %s -> %s (%zu x %.16s)", spark, first, last, rc->npoints,
			 interval);
	else
		snprintf(g->trend, sizeof(g->trend), "no data (%.16s buckets)", interval);
	return 0;
}

struct rate_sums {
	int64_t pass, fail, enough, over, listed;
	double worst;
};

/* One row per group: runs, passed, failed, rate, verdict. */
static int rate_row(struct ddci_gate *g, const struct ddci_failrate_gate_opts *o, const struct grp *gr, int c_rate,
		    int c_data, struct rate_sums *t)
{
	int64_t runs = ddci_gate_sat_add(gr->pass, gr->fail);
	double rate = runs > 0 ? (double)gr->fail / (double)runs * 100.0 : 0;
	char sruns[32], spass[32], sfail[32], srate[32];
	const char *verdict, *cells[6];
	unsigned checks = 0;
	cJSON *j;

	if (runs <= 0) /* a group of skipped runs only: nothing to judge */
		return 0;
	t->listed++;
	t->pass = ddci_gate_sat_add(t->pass, gr->pass);
	t->fail = ddci_gate_sat_add(t->fail, gr->fail);
	if (runs < o->min_runs) {
		verdict = "not enough data";
		if (c_data >= 0)
			checks |= 1u << c_data;
	} else {
		t->enough++;
		if (rate > t->worst)
			t->worst = rate;
		verdict = ddci_gate_over(g, c_rate, rate) ? "over" : "ok";
		if (ddci_gate_over(g, c_rate, rate)) {
			checks |= 1u << c_rate;
			t->over++;
		}
	}
	snprintf(sruns, sizeof(sruns), "%" PRId64, runs);
	snprintf(spass, sizeof(spass), "%" PRId64, gr->pass);
	snprintf(sfail, sizeof(sfail), "%" PRId64, gr->fail);
	snprintf(srate, sizeof(srate), "%.2f%%", rate);
	cells[0] = gr->key;
	cells[1] = sruns;
	cells[2] = spass;
	cells[3] = sfail;
	cells[4] = srate;
	cells[5] = verdict;
	if (!(j = cJSON_CreateObject()) || !cJSON_AddStringToObject(j, "group", gr->key) ||
	    ddci_json_add_int64(j, "runs", runs) < 0 || ddci_json_add_int64(j, "passed", gr->pass) < 0 ||
	    ddci_json_add_int64(j, "failed", gr->fail) < 0 || !cJSON_AddNumberToObject(j, "failure_rate_pct", rate) ||
	    !cJSON_AddStringToObject(j, "verdict", verdict)) {
		cJSON_Delete(j);
		return oom();
	}
	/* Over the line first, then by rate, then by runs. */
	return ddci_gate_add_row(g, cells, (checks & (1u << c_rate) ? 1e12 : 0) + rate * 1e6 + (double)runs, checks,
				 NULL, 0, gr->key, j);
}

/* Partial results (meta.status other than "done") are not judged unless
 * --allow-partial; then they and the server's warnings are noted. */
static int rate_meta(struct ddci_gate *g, const struct ddci_failrate_gate_opts *o, const struct ddci_agg_meta *m)
{
	size_t len = strlen(g->note);

	if (m->partial && !o->allow_partial)
		return ddci_error_set(DDCI_EUNAVAIL,
				      "Datadog returned partial results (meta.status '%s'): not judging them "
				      "(--allow-partial judges what came back)",
				      m->status);
	if (m->partial || m->warnings)
		snprintf(g->note + len, sizeof(g->note) - len, "%s%s%s%s%s", len ? "; " : "",
			 m->partial ? "Datadog returned partial results (" : "", m->partial ? m->status : "",
			 m->partial ? (m->warnings ? "); " : ")") : "", m->warnings ? m->warning : "");
	return 0;
}

static void rate_counts(struct ddci_gate *g, const struct ddci_failrate_gate_opts *o, const struct rate_sums *t)
{
	int64_t runs = ddci_gate_sat_add(t->pass, t->fail);

	ddci_gate_set_num(g, "failure_rate", runs > 0 ? (double)t->fail / (double)runs * 100.0 : 0);
	ddci_gate_set_int(g, "runs", runs);
	ddci_gate_set_int(g, "failed", t->fail);
	ddci_gate_set_int(g, "passed", t->pass);
	if (o->group_by) {
		ddci_gate_set_int(g, "groups", t->listed);
		ddci_gate_set_int(g, "groups_over", t->over);
	}
}

static void rate_free(struct rate_ctx *rc)
{
	for (size_t i = 0; rc->groups && i < rc->ngroups; i++)
		free(rc->groups[i].key);
	free(rc->groups);
	free(rc->points);
	memset(rc, 0, sizeof(*rc));
}

/* The checks and the memory of a failure-rate gate. */
static int rate_begin(struct ddci_gate *g, struct rate_ctx *rc, const struct ddci_failrate_gate_opts *o,
		      int *c_rate, int *c_data)
{
	static const char *const cols[] = { "group", "runs", "passed", "failed", "failure rate", "verdict" };
	int err;

	memset(rc, 0, sizeof(*rc));
	*c_data = -1;
	ddci_gate_init(g, "ddci-failrate-gate", "Test failure-rate gate", o->group_by ? "groups" : "tests", cols, 6);
	g->order = "over the limit first, then highest failure rate";
	if (o->max_failure_rate < 0)
		return ddci_error_set(DDCI_EUSAGE, "missing --max-failure-rate PCT");
	if ((err = *c_rate = ddci_gate_add_check(g, "max-failure-rate", "--max-failure-rate",
						 o->group_by ? "highest group failure rate" : "failure rate",
						 DDCI_UNIT_PCT, o->max_failure_rate)) < 0)
		return err;
	if (o->require_data &&
	    (err = *c_data = ddci_gate_add_check(g, "require-data", "--require-data",
						 "judgements without enough data (--min-runs)", DDCI_UNIT_COUNT, 0)) < 0)
		return err;
	if (o->group_by && (err = ddci_gate_add_chart(g, "Groups by failure rate", "failure_rate_pct", "failure rate",
						      DDCI_UNIT_PCT, 1, o->max_failure_rate)) < 0)
		return err;
	rc->facet = o->group_by;
	rc->groups = calloc(MAX_GROUPS, sizeof(*rc->groups));
	rc->points = o->trend || o->chart ? calloc(MAX_POINTS, sizeof(*rc->points)) : NULL;
	if (!rc->groups || ((o->trend || o->chart) && !rc->points))
		return oom();
	snprintf(g->scope, sizeof(g->scope), "%s", o->query ? o->query : "*");
	return 0;
}

/* A gate judges every group or none: more groups than --group-limit, as
 * many as the API returns at most, or an answer saying it has more buckets
 * than it returned (meta.page.after) is refused, never judged in part (a
 * usage error: --fail-open does not turn it into a pass). */
static int rate_all_groups(const struct ddci_failrate_gate_opts *o, const struct rate_ctx *rc,
			   const struct ddci_agg_meta *meta)
{
	int64_t limit = o->group_limit > 0 ? o->group_limit : DDCI_GATE_GROUP_MAX;

	if (o->group_by && ((int64_t)rc->ngroups > limit || rc->ngroups >= DDCI_GATE_GROUP_MAX || rc->truncated))
		return ddci_error_set(DDCI_EUSAGE,
				      "more than %" PRId64 " groups of %s (--group-limit %" PRId64 "): the gate judges "
				      "every group or none; raise --group-limit (at most %d) or narrow --query/--from",
				      limit, o->group_by, limit, DDCI_GATE_GROUP_MAX);
	if (meta->more)
		return ddci_error_set(DDCI_EUSAGE,
				      "Datadog has more buckets than it returned (meta.page.after): the gate judges "
				      "all the data or none; narrow --query/--from%s",
				      o->group_by ? " or group by a facet with fewer values" : "");
	return 0;
}

/* "not enough data" for the rate check: the numbers observed, not a 0. */
static void rate_no_data(struct ddci_gate *g, const struct ddci_failrate_gate_opts *o, int c_rate,
			 const struct rate_sums *t)
{
	int64_t runs = ddci_gate_sat_add(t->pass, t->fail);

	g->checks[c_rate].no_data = 1;
	g->checks[c_rate].value = runs > 0 ? (double)t->fail / (double)runs * 100.0 : 0;
	if (o->min_runs > 0)
		snprintf(g->note, sizeof(g->note),
			 "not enough data: %" PRId64 " runs%s, fewer than --min-runs %" PRId64 "%s", runs,
			 o->group_by ? " (fewer in every group)" : "", o->min_runs,
			 o->require_data ? "" : "; passing (--require-data fails instead)");
	else
		snprintf(g->note, sizeof(g->note), "not enough data: 0 runs%s",
			 o->require_data ? "" : "; passing (--require-data fails instead)");
}

/* The verdict over the buckets read: rows, notes, the trend (read with c;
 * none without), the checks and the counts. */
static int rate_end(struct ddci_gate *g, struct ddci_client *c, const struct ddci_failrate_gate_opts *o,
		    struct rate_ctx *rc, const struct ddci_agg_meta *meta, int c_rate, int c_data)
{
	struct rate_sums t = { 0 };
	int err;

	if ((err = rate_all_groups(o, rc, meta)) < 0)
		return err;
	for (size_t i = 0; i < rc->ngroups; i++)
		if ((err = rate_row(g, o, &rc->groups[i], c_rate, c_data, &t)) < 0)
			return err;
	if (o->group_by) {
		g->checks[c_rate].value = t.worst;
	} else {
		int64_t runs = ddci_gate_sat_add(t.pass, t.fail);
		g->checks[c_rate].value = runs > 0 ? (double)t.fail / (double)runs * 100.0 : 0;
	}
	if (c_data >= 0)
		g->checks[c_data].value = t.enough ? 0 : 1;
	if (!t.enough)
		rate_no_data(g, o, c_rate, &t);
	if ((err = rate_meta(g, o, meta)) < 0)
		return err;
	g->trend_limit = o->max_failure_rate;
	if (c && o->trend && (err = read_trend(g, c, o, rc)) != 0)
		return err;
	if (c && !o->trend && o->chart && (err = read_trend(g, c, o, rc)) != 0) {
		/* Only a chart depends on it: the verdict stands without it. */
		size_t len = strlen(g->note);
		snprintf(g->note + len, sizeof(g->note) - len, "%sno trend chart: %s", len ? "; " : "",
			 ddci_error_last());
		ddci_error_clear();
		cJSON_Delete(g->trend_json);
		g->trend_json = NULL;
		g->trend[0] = '\0';
	}
	ddci_gate_evaluate(g);
	rate_counts(g, o, &t);
	return 0;
}

int ddci_gate_failrate(struct ddci_gate *g, struct ddci_client *c, const struct ddci_failrate_gate_opts *o)
{
	struct ddci_agg_request req = { 0 };
	struct ddci_agg_meta meta;
	struct rate_ctx rc;
	int c_rate, c_data, err;

	if ((err = rate_begin(g, &rc, o, &c_rate, &c_data)) < 0)
		goto done;
	req.query = o->query;
	req.from_ms = o->from_ms;
	req.to_ms = o->to_ms;
	req.ncomputes = 1;
	req.computes[0].aggregation = "count";
	if (o->group_by) {
		req.groups[req.ngroups].facet = o->group_by;
		int64_t limit = o->group_limit > 0 ? o->group_limit : DDCI_GATE_GROUP_MAX;

		/* one more than judged, to see whether there are more */
		req.groups[req.ngroups].limit = limit < DDCI_GATE_GROUP_MAX ? limit + 1 : limit;
		req.ngroups++;
	}
	req.groups[req.ngroups].facet = "@test.status";
	req.groups[req.ngroups].limit = 10;
	req.ngroups++;
	if ((err = ddci_agg_run(&meta, c, &req, rate_on_bucket, &rc)) != 0)
		goto done;
	err = rate_end(g, c, o, &rc, &meta, c_rate, c_data);
done:
	rate_free(&rc);
	return err;
}

int ddci_gate_failrate_pages(struct ddci_gate *g, const struct ddci_failrate_gate_opts *o, const cJSON *const *pages,
			     size_t npages)
{
	struct ddci_agg_meta meta;
	struct rate_ctx rc;
	int c_rate, c_data, err;

	memset(&meta, 0, sizeof(meta));
	if ((err = rate_begin(g, &rc, o, &c_rate, &c_data)) < 0)
		goto done;
	for (size_t i = 0; i < npages; i++)
		if ((err = ddci_agg_page(&meta, pages[i], rate_on_bucket, &rc)) < 0)
			goto done;
	err = rate_end(g, NULL, o, &rc, &meta, c_rate, c_data);
done:
	rate_free(&rc);
	return err;
}
