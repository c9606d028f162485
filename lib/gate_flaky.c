/* gate_flaky.c — the flaky test gate: every flaky test Datadog knows for the
 * scope, checked against the thresholds; with --max-new and
 * --fail-on-changed, the commits and files of this change read from git. */
#include "ddci/gate_flaky.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddci/buf.h"
#include "ddci/json.h"
#include "ddci/strv.h"
#include "ddci/timeutil.h"

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
		rc = ddci_error_oom();
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

/* The checks asked for (at least one), each remembered in fc. */
static int flaky_checks(struct flaky_ctx *fc, struct ddci_gate *g, const struct ddci_flaky_gate_opts *o)
{
	int rc;

	if ((o->max_active >= 0 &&
	     (rc = fc->c_active = ddci_gate_add_check(g, "max-active", "--max-active", "active flaky tests",
						      DDCI_UNIT_COUNT, (double)o->max_active)) < 0) ||
	    (o->max_failure_rate >= 0 &&
	     (rc = fc->c_rate = ddci_gate_add_check(g, "max-failure-rate", "--max-failure-rate",
						    "highest flaky test failure rate", DDCI_UNIT_PCT,
						    o->max_failure_rate)) < 0) ||
	    (o->max_new >= 0 &&
	     (rc = fc->c_new = ddci_gate_add_check(g, "max-new", "--max-new", "flaky tests first flaked in this change",
						   DDCI_UNIT_COUNT, (double)o->max_new)) < 0) ||
	    (o->fail_on_changed &&
	     (rc = fc->c_changed = ddci_gate_add_check(g, "fail-on-changed", "--fail-on-changed",
						       "flaky tests in files changed by this change", DDCI_UNIT_COUNT,
						       0)) < 0) ||
	    (o->max_lost_ms >= 0 &&
	     (rc = fc->c_lost = ddci_gate_add_check(g, "max-lost-time", "--max-lost-time", "pipeline time lost",
						    DDCI_UNIT_MS, (double)o->max_lost_ms)) < 0))
		return rc;
	if (!g->nchecks)
		return ddci_error_set(DDCI_EUSAGE,
				      "no threshold given: pass at least one of --max-active, --max-failure-rate, "
				      "--max-new, --fail-on-changed, --max-lost-time");
	return 0;
}

/* Charts for the reports: the top tests by rate (with the line when
 * --max-failure-rate applies) and by time lost; new flaky tests a week. */
static int flaky_charts(struct ddci_gate *g, const struct ddci_flaky_gate_opts *o)
{
	int rc;

	if ((rc = ddci_gate_add_chart(g, "Flakiest tests by failure rate", "failure_rate_pct", "failure rate",
				      DDCI_UNIT_PCT, 1, o->max_failure_rate)) < 0 ||
	    (rc = ddci_gate_add_chart(g, "Pipeline time lost per flaky test", "lost_time_ms", "time lost",
				      DDCI_UNIT_MS, 1, o->max_lost_ms > 0 ? (double)o->max_lost_ms : 0)) < 0)
		return rc;
	g->nhist = 8;
	g->hist_step_ms = WEEK_MS;
	g->hist_start_ms = (o->now_ms > 0 ? o->now_ms : ddci_time_now_ns() / 1000000) - 8 * WEEK_MS;
	g->hist_title = "Active flaky tests by week first flaked";
	return 0;
}

/* Ask only for what can count; the states are checked again per test.  q
 * holds the query when scope points into it. */
static int flaky_scope(struct ddci_flaky_scope *scope, struct ddci_buf *q, const struct ddci_flaky_gate_opts *o)
{
	int rc;

	*scope = o->scope;
	if (!o->include_quarantined) {
		scope->state = "active";
		return 0;
	}
	scope->state = NULL;
	if ((rc = ddci_buf_addf(q, "-flaky_test_state:fixed%s%s", scope->query && *scope->query ? " " : "",
				scope->query ? scope->query : "")) < 0)
		return rc;
	scope->query = ddci_buf_str(q);
	return 0;
}

/* The values of the checks, the verdict, the counts and the note. */
static void flaky_verdict(struct flaky_ctx *fc, const struct ddci_flaky_stats *st, const char *mb)
{
	struct ddci_gate *g = fc->g;

	if (fc->c_active >= 0)
		g->checks[fc->c_active].value = (double)fc->counted;
	if (fc->c_rate >= 0)
		g->checks[fc->c_rate].value = fc->worst_rate;
	if (fc->c_new >= 0)
		g->checks[fc->c_new].value = (double)fc->new_;
	if (fc->c_changed >= 0)
		g->checks[fc->c_changed].value = (double)fc->changed;
	if (fc->c_lost >= 0)
		g->checks[fc->c_lost].value = (double)fc->lost_ms;
	ddci_gate_evaluate(g);
	ddci_gate_set_int(g, "active", fc->counted);
	ddci_gate_set_int(g, "new", fc->new_);
	ddci_gate_set_int(g, "changed", fc->changed);
	ddci_gate_set_int(g, "over_rate", fc->over_rate);
	ddci_gate_set_int(g, "lost_time_ms", fc->lost_ms);
	ddci_gate_set_num(g, "worst_failure_rate", fc->worst_rate);
	ddci_gate_set_int(g, "scanned", st->tests);
	ddci_gate_set_int(g, "pages", st->pages);
	if (*mb) {
		char sha[13];

		snprintf(sha, sizeof(sha), "%.12s", mb);
		ddci_gate_set_text(g, "merge_base", sha);
		ddci_gate_set_int(g, "change_commits", (int64_t)fc->shas.n);
		ddci_gate_set_int(g, "change_files", (int64_t)fc->paths.n);
	}
	if (fc->skipped_state)
		snprintf(g->note, sizeof(g->note), "%" PRId64 " quarantined, disabled or fixed test%s not counted%s",
			 fc->skipped_state, fc->skipped_state == 1 ? "" : "s",
			 fc->o->include_quarantined ? "" : " (--include-quarantined counts quarantined and disabled)");
}

int ddci_gate_flaky(struct ddci_gate *g, struct ddci_client *c, const struct ddci_flaky_gate_opts *o)
{
	struct flaky_ctx fc;
	struct ddci_flaky_scope scope;
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
	if ((rc = flaky_checks(&fc, g, o)) < 0)
		goto done;
	if ((o->max_new >= 0 || o->fail_on_changed) && (rc = read_change(&fc, o, mb)) < 0)
		goto done;
	if ((rc = flaky_charts(g, o)) < 0 || (rc = flaky_scope(&scope, &q, o)) < 0 ||
	    (rc = ddci_flaky_query(&query, &scope)) < 0)
		goto done;
	snprintf(g->scope, sizeof(g->scope), "%s", query);
	rc = ddci_flaky_search(&st, c, &scope, flaky_on_test, &fc);
	if (rc != 0)
		goto done;
	flaky_verdict(&fc, &st, mb);
done:
	free(query);
	ddci_buf_release(&q);
	ddci_strv_release(&fc.shas);
	ddci_strv_release(&fc.paths);
	return rc;
}
