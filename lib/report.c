/* report.c — a gate's verdict as text, JSON, Markdown, JUnit XML and GitHub
 * outputs.  Every format says which check failed, by how much, and which
 * rows are responsible. */
#include "ddci/report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ddci/json.h"
#include "ddci/output.h"

static int oom(void)
{
	return ddci_error_set(DDCI_ENOMEM, "out of memory");
}

int ddci_report_xml_escape(struct ddci_buf *b, const char *s)
{
	int rc = 0;

	for (; s && *s && rc == 0; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '&': rc = ddci_buf_adds(b, "&amp;"); break;
		case '<': rc = ddci_buf_adds(b, "&lt;"); break;
		case '>': rc = ddci_buf_adds(b, "&gt;"); break;
		case '"': rc = ddci_buf_adds(b, "&quot;"); break;
		case '\'': rc = ddci_buf_adds(b, "&apos;"); break;
		case '\n': rc = ddci_buf_adds(b, "&#10;"); break;
		case '\t': rc = ddci_buf_adds(b, "&#9;"); break;
		case '\r': rc = ddci_buf_adds(b, "&#13;"); break;
		default:
			/* XML 1.0 has no representation for other control characters. */
			if (c >= 0x20 || c == 0x7f)
				rc = ddci_buf_addc(b, (char)c);
			else
				rc = ddci_buf_addc(b, '?');
		}
	}
	return rc;
}

int ddci_report_md_escape(struct ddci_buf *b, const char *s)
{
	int rc = 0;

	for (; s && *s && rc == 0; s++) {
		switch (*s) {
		case '|': rc = ddci_buf_adds(b, "\\|"); break;
		case '\n': rc = ddci_buf_adds(b, "<br>"); break;
		case '\r': break;
		case '<': rc = ddci_buf_adds(b, "&lt;"); break;
		case '>': rc = ddci_buf_adds(b, "&gt;"); break;
		default: rc = ddci_buf_addc(b, *s);
		}
	}
	return rc;
}

static int nfailed(const struct ddci_gate *g)
{
	int n = 0;
	for (int i = 0; i < g->nchecks; i++)
		n += g->checks[i].failed;
	return n;
}

void ddci_report_text(FILE *f, const struct ddci_gate *g)
{
	struct ddci_table *t = NULL;
	const char *cells[DDCI_GATE_MAX_COLS];

	fprintf(f, "%s: %s", g->name, g->failed ? "FAILED" : "passed");
	if (g->failed)
		fprintf(f, " (%d of %d check%s failed)", nfailed(g), g->nchecks, g->nchecks == 1 ? "" : "s");
	fputc('\n', f);
	for (int i = 0; i < g->nchecks; i++)
		fprintf(f, "  %s\n", g->checks[i].explain);
	if (*g->scope)
		fprintf(f, "scope: %s\n", g->scope);
	if (*g->note)
		fprintf(f, "note: %s\n", g->note);
	if (*g->trend)
		fprintf(f, "trend: %s\n", g->trend);
	if (!g->nrows)
		return;
	fprintf(f, "\n%s%s (by impact):\n", g->failed ? "offending " : "", g->subject);
	if (ddci_table_new(&t, g->ncols, g->cols) < 0)
		return;
	for (size_t r = 0; r < g->nrows; r++) {
		for (int c = 0; c < g->ncols; c++)
			cells[c] = g->rows[r].cells[c];
		if (ddci_table_add(t, cells) < 0)
			break;
	}
	ddci_table_print(f, t);
	ddci_table_free(t);
	if (g->rows_seen > (int64_t)g->nrows)
		fprintf(f, "... and %" PRId64 " more not shown\n", g->rows_seen - (int64_t)g->nrows);
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
		    !cJSON_AddStringToObject(c, "explanation", k->explain))
			goto nomem;
	}
	if (!(counts = cJSON_AddObjectToObject(o, "counts")))
		goto nomem;
	for (int i = 0; i < g->ncounts; i++) {
		const char *v = g->counts[i].value;
		char *end;
		double d = strtod(v, &end);

		if (!strcmp(g->counts[i].key, "gate_result"))
			continue;
		if (*v && !*end ? !cJSON_AddNumberToObject(counts, g->counts[i].key, d)
				: !cJSON_AddStringToObject(counts, g->counts[i].key, v))
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

int ddci_report_markdown(struct ddci_buf *b, const struct ddci_gate *g)
{
	char v[64], l[64];
	int rc;

	if ((rc = ddci_buf_addf(b, "## %s %s: %s\n\n", g->failed ? "❌" : "✅", g->title,
				g->failed ? "failed" : "passed")) < 0 ||
	    (rc = ddci_buf_adds(b, "| check | observed | limit | result |\n|---|---:|---:|---|\n")) < 0)
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
		if ((rc = ddci_buf_adds(b, "\nScope: `")) < 0 || (rc = ddci_report_md_escape(b, g->scope)) < 0 ||
		    (rc = ddci_buf_adds(b, "`\n")) < 0)
			return rc;
	}
	if (*g->note) {
		if ((rc = ddci_buf_adds(b, "\n> ")) < 0 || (rc = ddci_report_md_escape(b, g->note)) < 0 ||
		    (rc = ddci_buf_adds(b, "\n")) < 0)
			return rc;
	}
	if (*g->trend && (rc = ddci_buf_addf(b, "\n**Trend:** `%s`\n", g->trend)) < 0)
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
