/* dora_render.c — the DORA report (dora_report.h) for people and programs:
 * the text a command prints, JSON, and Markdown or HTML with a chart per
 * figure over time. */
#include "ddci/dora_render.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddci/chart.h"
#include "ddci/json.h"
#include "ddci/output.h"
#include "ddci/timeutil.h"

#define HOUR_NS (3600 * DDCI_NS_PER_SEC)
#define DAY_NS (24 * HOUR_NS)

/* A duration for people, "-" for none (< 0). */
static void fmt_dur(char *buf, size_t n, int64_t ns)
{
	if (ns < 0)
		snprintf(buf, n, "-");
	else
		ddci_duration_format(buf, n, ns / 1000000);
}

void ddci_dora_report_cfr_text(char *buf, size_t size, const struct ddci_dora_report *r)
{
	if (!r->deployments)
		snprintf(buf, size, "- (no deployments)");
	else if (!r->change_failure_known)
		snprintf(buf, size, "unknown (Datadog gave no failure events for the service in the window and no "
			 "change_failure on its deployments; send failures with ddci-incident)");
	else
		snprintf(buf, size, "%.1f%% (%zu of %zu)", r->change_failure_rate * 100.0, r->change_failures,
			 r->deployments);
}


void ddci_dora_frequency_text(char *buf, size_t n, const struct ddci_dora_report *r)
{
	int64_t span = r->to_ns - r->from_ns;
	const char *s = r->deployments == 1 ? "" : "s";
	char len[32];

	if (span >= 7 * DAY_NS) {
		snprintf(buf, n, "%zu deployment%s: %.2f/day, %.2f/week", r->deployments, s, r->per_day, r->per_week);
	} else if (span >= DAY_NS) {
		snprintf(buf, n, "%zu deployment%s: %.2f/day", r->deployments, s, r->per_day);
	} else {
		ddci_duration_format(len, sizeof(len), span / 1000000);
		snprintf(buf, n, "%zu deployment%s in %s", r->deployments, s, len);
	}
}

static int add_dur(cJSON *o, const char *name, int64_t ns)
{
	if (ns < 0)
		return cJSON_AddNullToObject(o, name) ? 0 : ddci_error_oom();
	return cJSON_AddNumberToObject(o, name, (double)ns / 1e9) ? 0 : ddci_error_oom();
}

int ddci_dora_report_json(cJSON **out, const struct ddci_dora_report *rep, const char *service, const char *env)
{
	char from[40], to[40];
	cJSON *o = cJSON_CreateObject();
	int rc;

	*out = NULL;
	if (!o)
		return ddci_error_oom();
	ddci_time_format_rfc3339(from, sizeof(from), rep->from_ns);
	ddci_time_format_rfc3339(to, sizeof(to), rep->to_ns);
	if ((rc = ddci_json_add_str(o, "service", service)) < 0 || (rc = ddci_json_add_str(o, "env", env)) < 0 ||
	    (rc = ddci_json_add_str(o, "from", from)) < 0 || (rc = ddci_json_add_str(o, "to", to)) < 0 ||
	    (rc = ddci_json_add_int64(o, "deployments", (int64_t)rep->deployments)) < 0 ||
	    !cJSON_AddNumberToObject(o, "deployments_per_day", rep->per_day) ||
	    !cJSON_AddNumberToObject(o, "deployments_per_week", rep->per_week) ||
	    (rc = ddci_json_add_int64(o, "lead_time_commits", (int64_t)rep->lead_samples)) < 0 ||
	    (rc = add_dur(o, "lead_time_median_seconds", rep->lead_median_ns)) < 0 ||
	    (rc = add_dur(o, "lead_time_p90_seconds", rep->lead_p90_ns)) < 0 ||
	    (rc = ddci_json_add_int64(o, "commits_missing", (int64_t)rep->commits_missing)) < 0 ||
	    (rc = ddci_json_add_int64(o, "failures", (int64_t)rep->failures)) < 0 ||
	    (rc = ddci_json_add_int64(o, "change_failures", (int64_t)rep->change_failures)) < 0 ||
	    !cJSON_AddBoolToObject(o, "change_failure_rate_known", rep->change_failure_known) ||
	    !(rep->change_failure_rate < 0 ? cJSON_AddNullToObject(o, "change_failure_rate")
					   : cJSON_AddNumberToObject(o, "change_failure_rate", rep->change_failure_rate)) ||
	    (rc = ddci_json_add_int64(o, "restores", (int64_t)rep->restores)) < 0 ||
	    (rc = add_dur(o, "time_to_restore_median_seconds", rep->restore_median_ns)) < 0) {
		cJSON_Delete(o);
		return rc < 0 ? rc : ddci_error_oom();
	}
	*out = o;
	return 0;
}

/* ---- the report for people: Markdown and HTML ---- */

struct dora_chart_data {
	char labels[DDCI_DORA_MAX_BUCKETS][24];
	const char *x[DDCI_DORA_MAX_BUCKETS];
	double deps[DDCI_DORA_MAX_BUCKETS], lead[DDCI_DORA_MAX_BUCKETS];
	double cfr[DDCI_DORA_MAX_BUCKETS], ttr[DDCI_DORA_MAX_BUCKETS]; /* lead and ttr in ms */
	const char *per;
};

static void chart_data(struct dora_chart_data *d, const struct ddci_dora_report *r)
{
	memset(d, 0, sizeof(*d));
	d->per = r->bucket_ns == HOUR_NS ? "hour" : r->bucket_ns == DAY_NS ? "day" : r->bucket_ns == 7 * DAY_NS ? "week" : "period";
	for (size_t i = 0; i < r->nbuckets; i++) {
		const struct ddci_dora_bucket *b = &r->buckets[i];

		ddci_chart_time_label(d->labels[i], sizeof(d->labels[i]), b->start_ns / 1000000, r->bucket_ns < DAY_NS);
		d->x[i] = d->labels[i];
		d->deps[i] = (double)b->deployments;
		d->lead[i] = b->lead_median_ns >= 0 ? (double)b->lead_median_ns / 1e6 : NAN;
		d->cfr[i] = b->deployments && r->change_failure_known
				    ? (double)b->change_failures * 100.0 / (double)b->deployments
				    : NAN;
		d->ttr[i] = b->restore_median_ns >= 0 ? (double)b->restore_median_ns / 1e6 : NAN;
	}
}

/* One chart: a heading, a note when it has nothing to show, else the chart
 * and its table. */
static int one_chart(struct ddci_buf *b, int html, const struct ddci_chart *c, const char *empty)
{
	int rc;

	if (html) {
		if ((rc = ddci_html_section(b, c->title)) < 0)
			return rc;
		if (empty) {
			ddci_buf_addf(b, "<p class=\"mute\">%s</p>\n", empty);
			return ddci_buf_error(b);
		}
		return ddci_chart_html(b, c);
	}
	ddci_buf_addf(b, "\n### %s\n\n", c->title);
	if (empty)
		ddci_buf_addf(b, "_%s_\n", empty);
	if (empty || ddci_buf_error(b) < 0)
		return ddci_buf_error(b);
	return ddci_chart_md(b, c);
}

/* The words of the report's head and its table of the four figures. */
struct dora_words {
	struct ddci_buf title, head, why;
	const char *rows[4][2];
	char t[4][256];
};

static void words_release(struct dora_words *w)
{
	ddci_buf_release(&w->title);
	ddci_buf_release(&w->head);
	ddci_buf_release(&w->why);
}

static int words(struct dora_words *w, const struct ddci_dora_report *r, const char *service, const char *env)
{
	static const char *const names[4] = { "deployment frequency", "lead time for changes", "change failure rate",
					      "time to restore" };
	char from[40], to[40], med[40], p90[40], ttr[40], cfr[32];
	int rc;

	memset(w, 0, sizeof(*w));
	ddci_dora_frequency_text(w->t[0], sizeof(w->t[0]), r);
	ddci_time_format_rfc3339(from, sizeof(from), r->from_ns);
	ddci_time_format_rfc3339(to, sizeof(to), r->to_ns);
	fmt_dur(med, sizeof(med), r->lead_median_ns);
	fmt_dur(p90, sizeof(p90), r->lead_p90_ns);
	fmt_dur(ttr, sizeof(ttr), r->restore_median_ns);
	if (r->deployments && !r->change_failure_known)
		snprintf(cfr, sizeof(cfr), "unknown");
	else if (r->change_failure_rate < 0)
		snprintf(cfr, sizeof(cfr), "-");
	else
		snprintf(cfr, sizeof(cfr), "%.1f%%", r->change_failure_rate * 100.0);
	ddci_buf_addf(&w->title, "DORA report: %s%s%s%s", service ? service : "", env ? " (" : "", env ? env : "",
		      env ? ")" : "");
	if (r->deployments)
		ddci_buf_addf(&w->head, "%zu deployment%s, change failure rate %s", r->deployments,
			      r->deployments == 1 ? "" : "s", cfr);
	else
		ddci_buf_adds(&w->head, "no deployments");
	ddci_buf_addf(&w->why, "%.10s to %.10s: %s", from, to, w->t[0]);
	if (r->lead_median_ns >= 0)
		ddci_buf_addf(&w->why, ", lead time median %s", med);
	else
		ddci_buf_adds(&w->why, ", no lead time");
	if (r->restore_median_ns >= 0)
		ddci_buf_addf(&w->why, ", time to restore median %s", ttr);
	else
		ddci_buf_adds(&w->why, r->change_failures ? ", no restore yet" : "");
	if ((rc = ddci_buf_error(&w->title)) < 0 || (rc = ddci_buf_error(&w->head)) < 0 ||
	    (rc = ddci_buf_error(&w->why)) < 0)
		return rc;
	snprintf(w->t[1], sizeof(w->t[1]), "median %s, p90 %s (%zu commit%s)", med, p90, r->lead_samples,
		 r->lead_samples == 1 ? "" : "s");
	ddci_dora_report_cfr_text(w->t[2], sizeof(w->t[2]), r);
	snprintf(w->t[3], sizeof(w->t[3]), "median %s (%zu restored)", ttr, r->restores);
	for (int i = 0; i < 4; i++) {
		w->rows[i][0] = names[i];
		w->rows[i][1] = w->t[i];
	}
	return 0;
}

/* The head of the page and the table of the four figures. */
static int summary_html(struct ddci_buf *b, const struct dora_words *w, const struct ddci_dora_report *r)
{
	int rc;

	if ((rc = ddci_html_begin(b, ddci_buf_str(&w->title), -1, ddci_buf_str(&w->head), ddci_buf_str(&w->why))) < 0)
		return rc;
	ddci_buf_adds(b, "<table><thead><tr><th>figure</th><th>value</th></tr></thead><tbody>\n");
	for (int i = 0; i < 4; i++) {
		ddci_buf_addf(b, "<tr><td>%s</td><td>", w->rows[i][0]);
		if ((rc = ddci_html_escape(b, w->rows[i][1])) < 0)
			return rc;
		ddci_buf_adds(b, "</td></tr>\n");
	}
	ddci_buf_adds(b, "</tbody></table>\n");
	if (r->commits_missing)
		ddci_buf_addf(b, "<p class=\"mute\">%zu deployed commits are not in the local repository: "
				 "their lead time is not counted.</p>\n",
			      r->commits_missing);
	return ddci_buf_error(b);
}

static int summary_md(struct ddci_buf *b, const struct dora_words *w, const struct ddci_dora_report *r)
{
	ddci_buf_addf(b, "## 📈 %s\n\n**%s** — %s\n\n| figure | value |\n|---|---|\n", ddci_buf_str(&w->title),
		      ddci_buf_str(&w->head), ddci_buf_str(&w->why));
	for (int i = 0; i < 4; i++)
		ddci_buf_addf(b, "| %s | %s |\n", w->rows[i][0], w->rows[i][1]);
	if (r->commits_missing)
		ddci_buf_addf(b, "\n> %zu deployed commits are not in the local repository: their lead "
				 "time is not counted.\n",
			      r->commits_missing);
	return ddci_buf_error(b);
}

/* The four figures' charts: title (around " per <period>"), measure, unit
 * and look. */
static const struct figure_chart {
	const char *title, *title_tail, *measure;
	enum ddci_chart_unit unit;
	enum ddci_chart_kind kind;
	enum ddci_chart_tone tone;
} figure_charts[4] = {
	{ "Deployments", "", "deployments", DDCI_CHART_COUNT, DDCI_CHART_BAR, DDCI_TONE_NEUTRAL },
	{ "Lead time for changes", " (median)", "lead time", DDCI_CHART_MS, DDCI_CHART_LINE, DDCI_TONE_NEUTRAL },
	{ "Change failure rate", "", "change failure rate", DDCI_CHART_PCT, DDCI_CHART_BAR, DDCI_TONE_FAIL },
	{ "Time to restore", " (median)", "time to restore", DDCI_CHART_MS, DDCI_CHART_LINE, DDCI_TONE_NEUTRAL },
};

/* A chart per figure over time, each with its table or why it is empty. */
static int charts(struct ddci_buf *b, int html, const struct ddci_dora_report *r, const struct dora_chart_data *d)
{
	const double *values[4] = { d->deps, d->lead, d->cfr, d->ttr };
	const char *empty[4] = {
		r->deployments ? NULL : "No deployments in the window.",
		r->lead_samples ? NULL : "No lead time: no deployed commit was found in the repository (--repo).",
		!r->deployments ? "No deployments in the window."
		: r->change_failure_known ? NULL
					  : "Unknown: Datadog gave no failure events and no change_failure.",
		r->restores ? NULL
		: r->change_failures ? "No change failure has a remediation deployment in the window."
				     : "No change failures in the window.",
	};
	int rc = 0;

	for (int i = 0; i < 4 && rc >= 0; i++) {
		const struct figure_chart *f = &figure_charts[i];
		struct ddci_chart c;
		char title[256];

		memset(&c, 0, sizeof(c));
		snprintf(title, sizeof(title), "%s per %s%s", f->title, d->per, f->title_tail);
		c.title = title;
		c.y_label = f->measure;
		c.unit = f->unit;
		c.x = d->x;
		c.nx = r->nbuckets;
		c.nseries = 1;
		c.series[0] = (struct ddci_series){ f->measure, values[i], f->kind, f->tone };
		rc = one_chart(b, html, &c, empty[i]);
	}
	return rc;
}

static int render(struct ddci_buf *b, const struct ddci_dora_report *r, const char *service, const char *env,
		  int html)
{
	struct dora_chart_data *d = malloc(sizeof(*d));
	struct dora_words w;
	int rc;

	if (!d)
		return ddci_error_oom();
	chart_data(d, r);
	if ((rc = words(&w, r, service, env)) < 0 ||
	    (rc = html ? summary_html(b, &w, r) : summary_md(b, &w, r)) < 0 ||
	    (rc = charts(b, html, r, d)) < 0)
		goto done;
	if (html)
		rc = ddci_html_end(b);
done:
	free(d);
	words_release(&w);
	return rc < 0 ? rc : 0;
}

int ddci_dora_report_markdown(struct ddci_buf *b, const struct ddci_dora_report *rep, const char *service,
			      const char *env)
{
	return render(b, rep, service, env, 0);
}

int ddci_dora_report_html(struct ddci_buf *b, const struct ddci_dora_report *rep, const char *service,
			  const char *env)
{
	return render(b, rep, service, env, 1);
}

int ddci_dora_report_text(struct ddci_buf *b, const struct ddci_dora_report *r, const char *service, const char *env,
			  int have_repo)
{
	char from[40], to[40], med[40], p90[40], ttr[40], cfr[256], freq[96];

	ddci_time_format_rfc3339(from, sizeof(from), r->from_ns);
	ddci_time_format_rfc3339(to, sizeof(to), r->to_ns);
	fmt_dur(med, sizeof(med), r->lead_median_ns);
	fmt_dur(p90, sizeof(p90), r->lead_p90_ns);
	fmt_dur(ttr, sizeof(ttr), r->restore_median_ns);
	ddci_buf_addf(b, "DORA report for %s%s%s%s, %s .. %s\n", service, env ? " (" : "", env ? env : "",
		      env ? ")" : "", from, to);
	ddci_dora_frequency_text(freq, sizeof(freq), r);
	ddci_buf_addf(b, "deployment frequency   %s\n", freq);
	if (!r->deployments)
		ddci_buf_adds(b, "lead time for changes  - (no deployments)\n");
	else
		ddci_buf_addf(b, "lead time for changes  median %s, p90 %s (%zu commit%s%s)\n", med, p90,
			      r->lead_samples, r->lead_samples == 1 ? "" : "s",
			      have_repo ? "" : "; no git repository: run inside the repository or pass --repo");
	if (r->commits_missing)
		ddci_buf_addf(b, "                       %zu deployed commits are not in the local repository\n",
			      r->commits_missing);
	ddci_dora_report_cfr_text(cfr, sizeof(cfr), r);
	ddci_buf_addf(b, "change failure rate    %s\n", cfr);
	if (r->restores || !r->change_failures)
		ddci_buf_addf(b, "time to restore        median %s (%zu restored)\n", ttr, r->restores);
	else
		ddci_buf_adds(b, "time to restore        unknown (no failure event resolved and no remediation "
				 "deployment linked)\n");
	return ddci_buf_error(b);
}

int ddci_dora_report_files(const struct ddci_dora_report *r, const char *service, const char *env,
			   const char *markdown, const char *html)
{
	struct ddci_buf b = DDCI_BUF_INIT;
	int summary = ddci_gh_summary_wanted(), rc = 0;

	if ((markdown || summary) && (rc = ddci_dora_report_markdown(&b, r, service, env)) < 0)
		goto done;
	if (markdown && (rc = ddci_write_file(markdown, ddci_buf_str(&b), b.len, 0644)) < 0)
		goto done;
	if (summary && (rc = ddci_gh_summary(ddci_buf_str(&b))) < 0)
		goto done;
	ddci_buf_reset(&b);
	if (html && ((rc = ddci_dora_report_html(&b, r, service, env)) < 0 ||
		     (rc = ddci_write_file(html, ddci_buf_str(&b), b.len, 0644)) < 0))
		goto done;
done:
	ddci_buf_release(&b);
	return rc;
}

int ddci_dora_report_print(FILE *f, const struct ddci_dora_report *r, const char *service, const char *env,
			   int have_repo, enum ddci_output format)
{
	struct ddci_buf text = DDCI_BUF_INIT;
	cJSON *j = NULL;
	int rc;

	if (format == DDCI_OUTPUT_JSON) {
		if ((rc = ddci_dora_report_json(&j, r, service, env)) == 0)
			rc = ddci_print_json(f, j, 1);
	} else if ((rc = ddci_dora_report_text(&text, r, service, env, have_repo)) == 0) {
		ddci_print(f, "%s", ddci_buf_str(&text));
	}
	cJSON_Delete(j);
	ddci_buf_release(&text);
	return rc;
}

/* ---- events: a table, a JSON array or NDJSON ---- */

static const char *const dep_headers[] = { "ID", "SERVICE", "ENV", "COMMIT", "STARTED", "DURATION", "FAILURE" };
static const char *const fail_headers[] = { "ID", "NAME", "SEVERITY", "SERVICES", "ENV", "STARTED", "DURATION" };

struct lister {
	enum ddci_output format;
	FILE *f;
	const char *f_name;
	enum ddci_dora_kind kind;
	struct ddci_table *table;
	int n;
};

static const char *str_or(const cJSON *ev, const char *path, const char *dflt)
{
	const char *s = NULL;

	if (ddci_json_get_str_opt(&s, ev, path) < 0 || !s)
		return dflt;
	return s;
}

static void event_when(char *started, size_t ssz, char *dur, size_t dsz, const cJSON *ev)
{
	int64_t s = 0, f = 0;

	/* Integers (s, ms, ns) or RFC 3339 strings; anything else shows as "-". */
	if (ddci_dora_time_get(&s, ev, "attributes.started_at") < 0)
		s = 0;
	if (ddci_dora_time_get(&f, ev, "attributes.finished_at") < 0)
		f = 0;
	snprintf(started, ssz, "-");
	snprintf(dur, dsz, "open");
	if (s > 0)
		ddci_time_format_rfc3339(started, ssz, s);
	if (f >= s && s > 0 && f > 0)
		ddci_duration_format(dur, dsz, (f - s) / 1000000);
}

static int table_row(struct lister *l, const cJSON *ev)
{
	char started[40], dur[40], commit[8], services[256] = "";
	const char *cells[7];
	const cJSON *arr = NULL, *it;
	int cf = 0;
	size_t off = 0;

	event_when(started, sizeof(started), dur, sizeof(dur), ev);
	cells[0] = str_or(ev, "id", "-");
	if (l->kind == DDCI_DORA_DEPLOYMENTS) {
		snprintf(commit, sizeof(commit), "%.7s", str_or(ev, "attributes.git.commit_sha", "-"));
		if (ddci_json_get_bool_opt(&cf, ev, "attributes.change_failure") < 0)
			cf = 0;
		cells[1] = str_or(ev, "attributes.service", "-");
		cells[2] = str_or(ev, "attributes.env", "-");
		cells[3] = commit;
		cells[4] = started;
		cells[5] = dur;
		cells[6] = cf ? str_or(ev, "attributes.remediation.type", "yes") : "-";
	} else {
		if (ddci_json_get_array_opt(&arr, ev, "attributes.services") < 0)
			arr = NULL;
		cJSON_ArrayForEach(it, arr) {
			if (cJSON_IsString(it) && off < sizeof(services))
				off += (size_t)snprintf(services + off, sizeof(services) - off, "%s%s", off ? "," : "",
							it->valuestring);
		}
		cells[1] = str_or(ev, "attributes.name", "-");
		cells[2] = str_or(ev, "attributes.severity", "-");
		cells[3] = *services ? services : str_or(ev, "attributes.team", "-");
		cells[4] = str_or(ev, "attributes.env", "-");
		cells[5] = started;
		cells[6] = dur;
	}
	return ddci_table_add(l->table, cells);
}

static int list_one(void *ctx, const cJSON *ev)
{
	struct lister *l = ctx;
	int rc;

	if (l->format == DDCI_OUTPUT_JSON) {
		if (fputs(l->n ? "," : "[", l->f) == EOF)
			return ddci_error_set(DDCI_EIO, "cannot write to %s", l->f_name);
		l->n++;
		return (rc = ddci_print_json(l->f, ev, 0)) < 0 ? rc : 0;
	}
	if (l->format == DDCI_OUTPUT_NDJSON) { /* one event a line, as it arrives */
		l->n++;
		if ((rc = ddci_print_json(l->f, ev, 0)) < 0)
			return rc;
		return fputc('\n', l->f) == EOF ? ddci_error_set(DDCI_EIO, "cannot write to %s", l->f_name) : 0;
	}
	l->n++;
	return table_row(l, ev);
}

static int lister_begin(struct lister *l)
{
	if (l->format == DDCI_OUTPUT_JSON || l->format == DDCI_OUTPUT_NDJSON)
		return 0;
	return ddci_table_new(&l->table, 7, l->kind == DDCI_DORA_DEPLOYMENTS ? dep_headers : fail_headers);
}

static void lister_end(struct lister *l, int ok)
{
	if (l->format == DDCI_OUTPUT_JSON) {
		if (ok)
			fputs(l->n ? "]\n" : "[]\n", l->f);
	} else if (ok && l->table) {
		ddci_table_print(l->f, l->table);
	}
	ddci_table_free(l->table);
	l->table = NULL;
}

int ddci_dora_print_list(struct ddci_client *c, const struct ddci_dora_query *q, enum ddci_output format, FILE *f,
			 const char *f_name)
{
	struct lister l = { format, f, f_name, q->kind, NULL, 0 };
	int rc;

	if ((rc = lister_begin(&l)) < 0)
		return rc;
	rc = ddci_dora_list(c, q, list_one, &l);
	lister_end(&l, rc == 0);
	return rc;
}

int ddci_dora_print_event(struct ddci_client *c, enum ddci_dora_kind kind, const char *id, enum ddci_output format,
			  FILE *f, const char *f_name)
{
	struct lister l = { format, f, f_name, kind, NULL, 0 };
	const cJSON *data;
	cJSON *doc = NULL;
	int rc = ddci_dora_get(&doc, c, kind, id);

	if (rc != 0)
		return rc;
	data = ddci_json_path(doc, "data");
	if (!data) {
		rc = ddci_error_set(DDCI_EPROTO, "unexpected response from Datadog: no 'data' for '%s'", id);
	} else if (format == DDCI_OUTPUT_JSON) {
		rc = ddci_print_json(f, data, 1);
	} else if ((rc = lister_begin(&l)) == 0) {
		rc = table_row(&l, data);
		lister_end(&l, rc == 0);
	}
	cJSON_Delete(doc);
	return rc;
}
