/* Unit tests for sanitize.c and the output boundary: each channel's rules,
 * server ids, and a table of hostile strings through every output path
 * (text table, ddci_print, annotations, GITHUB_OUTPUT, step summary, report
 * files, the gate's text/Markdown/JUnit/HTML/JSON, charts). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <cmocka.h>

#include "ddci/chart.h"
#include "ddci/json.h"
#include "ddci/output.h"
#include "ddci/report.h"
#include "ddci/sanitize.h"
#include "channel_check.h"
#include "mermaid_check.h"

static const char *const hostile[] = {
	"\r::warning::X",
	"::add-mask::secret-value",
	"::stop-commands::token123",
	"  ::error title=pwned::boom",
	"\xe2\x80\x83::warning::after an em space",
	"\xef\xbb\xbf::warning::after a BOM",
	"\x1b[31mred\x1b[0m\x1b]0;title\x07",
	"\x1b[0Ksection_start:1700000000:evil\r\x1b[0Kx",
	"section_end:1700000000:evil",
	"suiteA\r\r## \xe2\x9c\x85 passed\r\r<img src=https://e.example/b> [Re-run](https://e.example/r)",
	"<script>alert(1)</script>",
	"%%{init: {'theme':'dark'}}%%",
	"a|b\\|c\\\\|d`code`",
	"# heading",
	"\xff\xfe bad \xc0\xaf utf8 \xed\xa0\x80 \xf4\x90\x80\x80 \xe2\x82",
	"\xef\xbf\xbe\xef\xbf\xbf nonchars",
	"\xc2\23331m C1 CSI \xc2\x85 NEL",
	"x\nDDCI_EOF_00000001\nmalicious=injected",
	"\"quotes' & ampersand &amp; ]]> <!-- -->",
	"\t\x7f\x01 del and soh",
	"line1\nline2\n::warning::x\n",
	"```\n## out of the fence",
};
#define NHOSTILE (sizeof(hostile) / sizeof(hostile[0]))

static void test_sanitize__channels(void **state)
{
	struct {
		const char *in;
		enum ddci_chan ch;
		const char *out;
	} cases[] = {
		{ "a\tb\nc", DDCI_CHAN_TEXT, "a b c" },
		{ "a\tb\nc", DDCI_CHAN_LINES, "a\tb\nc" },
		{ "\x1b[1m\r", DDCI_CHAN_TEXT, "\xef\xbf\xbd[1m\xef\xbf\xbd" },
		{ " ::warning::x", DDCI_CHAN_TEXT, " \xef\xbc\x9a:warning::x" },
		{ "ok\n  ::x", DDCI_CHAN_LINES, "ok\n  \xef\xbc\x9a:x" },
		{ "a::b", DDCI_CHAN_TEXT, "a::b" },
		{ "section_start:1:x", DDCI_CHAN_TEXT, "section_start\xef\xbc\x9a" "1:x" },
		{ "\xff\xc0\xaf", DDCI_CHAN_DOC, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xef\xbf\xbe", DDCI_CHAN_DOC, "\xef\xbf\xbd" },
		{ "\xc2\x9b", DDCI_CHAN_DOC, "\xef\xbf\xbd" },
		{ "caf\xc3\xa9 \xf0\x9f\x98\x80", DDCI_CHAN_TEXT, "caf\xc3\xa9 \xf0\x9f\x98\x80" },
		{ "# a|b\\c<d>&`[x](y)\n", DDCI_CHAN_MD, "\\# a\\|b\\\\c&lt;d&gt;&amp;&#96;\\[x\\](y)<br>" },
		{ "x #1", DDCI_CHAN_MD, "x #1" },
		{ "%%{init}%% \"a\" `b`\n", DDCI_CHAN_MERMAID, "%{init}% 'a' 'b' " },
		{ "<a href='x'>&\"\x01\n", DDCI_CHAN_HTML, "&lt;a href=&#39;x&#39;&gt;&amp;&quot;\xef\xbf\xbd\n" },
		{ "<a'>\t\n\r", DDCI_CHAN_XML, "&lt;a&apos;&gt;&#9;&#10;\xef\xbf\xbd" },
		{ "{\"a\":\"\x1b\xc2\x85\xff\"}\n", DDCI_CHAN_JSON, "{\"a\":\"\\u001b\\u0085\xef\xbf\xbd\"}\n" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = ddci_san_dup(cases[i].in, cases[i].ch);
		assert_non_null(s);
		if (strcmp(s, cases[i].out))
			fail_msg("case %zu: got '%s', expected '%s'", i, s, cases[i].out);
		free(s);
	}
	{
		char *s = ddci_san_dup(NULL, DDCI_CHAN_TEXT);
		assert_string_equal(s, "");
		free(s);
	}
}

static void test_sanitize__server_ids(void **state)
{
	(void)state;
	assert_int_equal(ddci_san_check_id("0123456789abcdef", "data.id"), 0);
	assert_int_equal(ddci_san_check_id("deploy-1:2.3_4-5-6-7", "data.id"), 0);
	assert_int_equal(ddci_san_check_id("x\nDDCI_EOF_00000001\nmalicious=injected", "data.id"), DDCI_EPROTO);
	assert_non_null(strstr(ddci_error_last(), "data.id is not an id"));
	assert_null(strstr(ddci_error_last(), "malicious")); /* the bad id is not echoed */
	assert_int_equal(ddci_san_check_id("::add-mask::abcdefgh", "data.id"), DDCI_EPROTO);
	assert_int_equal(ddci_san_check_id("short", "data.id"), DDCI_EPROTO);
	assert_int_equal(ddci_san_check_id("", "data.id"), DDCI_EPROTO);
	assert_int_equal(ddci_san_check_id(NULL, "data.id"), DDCI_EPROTO);
}

/* Every channel of every hostile string keeps its grammar. */
static void test_sanitize__hostile_channels(void **state)
{
	(void)state;
	for (size_t i = 0; i < NHOSTILE; i++) {
		char *t = ddci_san_dup(hostile[i], DDCI_CHAN_TEXT), *l = ddci_san_dup(hostile[i], DDCI_CHAN_LINES);
		char *d = ddci_san_dup(hostile[i], DDCI_CHAN_DOC), *m = ddci_san_dup(hostile[i], DDCI_CHAN_MD);
		char *mm = ddci_san_dup(hostile[i], DDCI_CHAN_MERMAID), *h = ddci_san_dup(hostile[i], DDCI_CHAN_HTML);
		char *x = ddci_san_dup(hostile[i], DDCI_CHAN_XML);

		assert_true(cc_text_ok(t, "") && cc_log_ok(t));
		assert_true(cc_text_ok(l, "\n\t") && cc_log_ok(l));
		assert_true(cc_text_ok(d, "\n\t"));
		assert_true(cc_md_cell_ok(m));
		assert_true(cc_mermaid_ok(mm));
		assert_true(cc_markup_ok(h, 0));
		assert_true(cc_markup_ok(x, 1));
		free(t), free(l), free(d), free(m), free(mm), free(h), free(x);
	}
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *s;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	s = calloc(1, (size_t)n + 1);
	assert_non_null(s);
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return s;
}

/* The keys GitHub reads from a GITHUB_OUTPUT file (key=value and
 * key<<DELIM ... DELIM), joined by ','. */
static void gh_keys(char *out, size_t size, const char *file)
{
	char delim[128] = "";
	const char *l = file;

	out[0] = '\0';
	while (*l) {
		size_t n = strcspn(l, "\n"), len = strlen(out);
		const char *eq = memchr(l, '=', n), *hd = NULL;

		for (size_t k = 0; k + 1 < n; k++)
			if (l[k] == '<' && l[k + 1] == '<' && !hd)
				hd = l + k;
		if (*delim) {
			if (strlen(delim) == n && !strncmp(l, delim, n))
				delim[0] = '\0';
		} else if (hd && (!eq || hd < eq)) {
			snprintf(delim, sizeof(delim), "%.*s", (int)(n - (size_t)(hd + 2 - l)), hd + 2);
			snprintf(out + len, size - len, "%s%.*s", len ? "," : "", (int)(hd - l), l);
		} else if (eq) {
			snprintf(out + len, size - len, "%s%.*s", len ? "," : "", (int)(eq - l), l);
		}
		l += n + (l[n] ? 1 : 0);
	}
	assert_string_equal(delim, ""); /* every heredoc closed */
}

static size_t count_ch(const char *s, char c)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == c;
	return n;
}

static void check_log_text(const char *what, size_t i, const char *s)
{
	if (!cc_text_ok(s, "\n\t") || !cc_log_ok(s))
		fail_msg("%s, hostile string %zu: unsafe output:\n%s", what, i, s);
}

/* Writes to fd 1 (annotations) go to a file while fn runs. */
static char *capture_stdout(const char *dir, void (*fn)(const char *), const char *arg)
{
	char path[512];
	int saved, fd;

	snprintf(path, sizeof(path), "%s/stdout", dir);
	fflush(stdout);
	saved = dup(1);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(saved >= 0 && fd >= 0);
	dup2(fd, 1);
	close(fd);
	fn(arg);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	return slurp(path);
}

static void annotate(const char *s)
{
	ddci_gh_annotate("error", s, 3, s, s);
}

/* ddci_print, the text table, annotations, GITHUB_OUTPUT, the step summary
 * and report files. */
static void test_sanitize__hostile_output_paths(void **state)
{
	char dir[] = "/tmp/ddci-san-XXXXXX", out[600], sum[600], file[600], keys[256];
	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(sum, sizeof(sum), "%s/summary", dir);
	snprintf(file, sizeof(file), "%s/report.md", dir);
	setenv("GITHUB_OUTPUT", out, 1);
	setenv("GITHUB_STEP_SUMMARY", sum, 1);
	setenv("GITHUB_ACTIONS", "true", 1);
	for (size_t i = 0; i < NHOSTILE; i++) {
		const char *h = hostile[i];
		const char *cells[2] = { h, h }, *heads[2] = { "name", "value" };
		struct ddci_table *t = NULL;
		char *buf = NULL, *s;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		ddci_print(f, "id: %s\n", h);
		ddci_print(f, "%s\n", h);
		assert_int_equal(ddci_table_new(&t, 2, heads), 0);
		assert_int_equal(ddci_table_add(t, cells), 0);
		ddci_table_print(f, t);
		ddci_table_free(t);
		fclose(f);
		check_log_text("ddci_print and table", i, buf);
		free(buf);

		s = capture_stdout(dir, annotate, h);
		/* one command line, its properties without ':' (escaped) */
		assert_true(cc_text_ok(s, "\n\t"));
		assert_int_equal(strncmp(s, "::error file=", 13), 0);
		assert_int_equal(count_ch(s, '\n'), 1);
		assert_null(memchr(s + 2, ':', (size_t)(strstr(s + 2, "::") - (s + 2))));
		free(s);

		unlink(out);
		assert_int_equal(ddci_gh_output("deployment_id", h), 0);
		assert_int_equal(ddci_gh_output("gate_result", "passed"), 0);
		s = slurp(out);
		assert_true(cc_text_ok(s, "\n\t"));
		gh_keys(keys, sizeof(keys), s);
		assert_string_equal(keys, "deployment_id,gate_result");
		free(s);

		unlink(sum);
		assert_int_equal(ddci_gh_summary(h), 0);
		s = slurp(sum);
		assert_true(cc_text_ok(s, "\n\t"));
		free(s);
		assert_int_equal(ddci_write_file(file, h, strlen(h), 0644), 0);
		s = slurp(file);
		assert_true(cc_text_ok(s, "\n\t"));
		free(s);
	}
	unsetenv("GITHUB_OUTPUT");
	unsetenv("GITHUB_STEP_SUMMARY");
	unsetenv("GITHUB_ACTIONS");
	unlink(out), unlink(sum), unlink(file);
	snprintf(out, sizeof(out), "%s/stdout", dir);
	unlink(out);
	rmdir(dir);
}

static const char *const cols[] = { "test", "suite", "rate" };

static void hostile_gate(struct ddci_gate *g, const char *h)
{
	const char *cells[3] = { h, h, "50.00%" };
	cJSON *j = cJSON_CreateObject();

	ddci_gate_init(g, "ddci-x-gate", "X gate", "tests", cols, 3);
	assert_int_equal(ddci_gate_add_check(g, "max-rate", "--max-rate", "rate", DDCI_UNIT_PCT, 10), 0);
	assert_non_null(cJSON_AddStringToObject(j, "name", h));
	assert_non_null(cJSON_AddNumberToObject(j, "failure_rate_pct", 50));
	assert_int_equal(ddci_gate_add_chart(g, "By rate", "failure_rate_pct", "failure rate", DDCI_UNIT_PCT, 1, 10), 0);
	assert_int_equal(ddci_gate_add_row(g, cells, 1, 1, h, 3, h, j), 0);
	snprintf(g->note, sizeof(g->note), "%s", h);
	snprintf(g->scope, sizeof(g->scope), "%s", h);
	g->checks[0].value = 50;
	ddci_gate_evaluate(g);
}

/* Line by line, the Markdown has the shape it has for a plain name: as
 * many lines, the same cell breaks, headings and fences in the same places. */
static void same_md_shape(size_t i, const char *plain, const char *md)
{
	const char *a = plain, *b = md;
	int line = 1, fenced = 0;

	while (*a || *b) {
		size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n"), pa = 0, pb = 0, bs = 0;
		if (!strncmp(a, "```", 3))
			fenced = !fenced;
		for (size_t k = 0; k < la && !fenced; k++)
			pa += a[k] == '|' && (k == 0 || a[k - 1] != '\\');
		for (size_t k = 0; k < lb && !fenced; k++) {
			pb += b[k] == '|' && bs % 2 == 0;
			bs = b[k] == '\\' ? bs + 1 : 0;
		}
		if (!*a || !*b || pa != pb || (a[0] == '#') != (b[0] == '#') || (a[0] == '>') != (b[0] == '>') ||
		    (!strncmp(a, "```", 3)) != (!strncmp(b, "```", 3)))
			fail_msg("hostile string %zu: Markdown line %d changed shape:\n%.*s\nvs\n%.*s", i, line, (int)la, a,
				 (int)lb, b);
		a += la + (a[la] ? 1 : 0);
		b += lb + (b[lb] ? 1 : 0);
		line++;
	}
}

/* The gate's text, Markdown (with its Mermaid chart and table), JUnit,
 * HTML and JSON. */
static void test_sanitize__hostile_gate_reports(void **state)
{
	struct ddci_gate pg;
	struct ddci_buf pmd = DDCI_BUF_INIT, pxml = DDCI_BUF_INIT, phtml = DDCI_BUF_INIT;
	(void)state;
	hostile_gate(&pg, "plain");
	assert_int_equal(ddci_report_markdown(&pmd, &pg), 0);
	assert_int_equal(ddci_report_junit(&pxml, &pg), 0);
	assert_int_equal(ddci_report_html(&phtml, &pg), 0);
	for (size_t i = 0; i < NHOSTILE; i++) {
		struct ddci_gate g;
		struct ddci_buf md = DDCI_BUF_INIT, xml = DDCI_BUF_INIT, html = DDCI_BUF_INIT;
		char *buf = NULL, *text, *raw;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		cJSON *j = NULL, *back;

		hostile_gate(&g, hostile[i]);
		ddci_report_text(f, &g);
		fclose(f);
		check_log_text("gate text", i, buf);
		free(buf);

		assert_int_equal(ddci_report_markdown(&md, &g), 0);
		assert_true(cc_text_ok(ddci_buf_str(&md), "\n"));
		same_md_shape(i, ddci_buf_str(&pmd), ddci_buf_str(&md));
		assert_true(mermaid_blocks(ddci_buf_str(&md)) >= 1);

		assert_int_equal(ddci_report_junit(&xml, &g), 0);
		assert_true(cc_text_ok(ddci_buf_str(&xml), "\n"));
		assert_int_equal(count_ch(ddci_buf_str(&xml), '<'), count_ch(ddci_buf_str(&pxml), '<'));
		assert_int_equal(count_ch(ddci_buf_str(&xml), '"'), count_ch(ddci_buf_str(&pxml), '"'));

		assert_int_equal(ddci_report_html(&html, &g), 0);
		assert_true(cc_text_ok(ddci_buf_str(&html), "\n\t"));
		/* the page's own tags only (its layout varies with a name's length) */
		assert_null(strstr(ddci_buf_str(&html), "<script"));
		assert_null(strstr(ddci_buf_str(&html), "<img"));
		assert_null(strstr(ddci_buf_str(&html), "<!--"));

		assert_int_equal(ddci_report_json(&j, &g), 0);
		raw = ddci_json_print(j);
		text = ddci_output_clean(raw, DDCI_CHAN_JSON);
		free(raw);
		assert_true(cc_text_ok(text, ""));
		assert_non_null(back = cJSON_Parse(text));
		cJSON_Delete(back);
		free(text);
		cJSON_Delete(j);
		ddci_buf_release(&md), ddci_buf_release(&xml), ddci_buf_release(&html);
		ddci_gate_release(&g);
	}
	ddci_buf_release(&pmd), ddci_buf_release(&pxml), ddci_buf_release(&phtml);
	ddci_gate_release(&pg);
}

/* Issue 17 finding 12: report files go through a fresh mkstemp file, so
 * a symlink or a file planted at the old temp name (PATH.tmp.<pid>) is
 * neither followed nor written into. */
static void test_sanitize__report_files_use_a_fresh_temp(void **state)
{
	char dir[] = "/tmp/ddci-wf-XXXXXX", path[600], tmp[700], target[600], keep[600];
	char *s;
	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/r.xml", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	snprintf(target, sizeof(target), "%s/target", dir);
	snprintf(keep, sizeof(keep), "%s/keep", dir);
	assert_int_equal(ddci_write_file(target, "target\n", 7, 0644), 0);
	assert_int_equal(symlink(target, tmp), 0);
	assert_int_equal(ddci_write_file(path, "<r/>\n", 5, 0644), 0);
	s = slurp(target);
	assert_string_equal(s, "target\n");
	free(s);
	s = slurp(path);
	assert_string_equal(s, "<r/>\n");
	free(s);
	unlink(tmp);
	/* a planted file (hard link to another) keeps its content */
	assert_int_equal(ddci_write_file(keep, "keep\n", 5, 0644), 0);
	assert_int_equal(link(keep, tmp), 0);
	assert_int_equal(ddci_write_file(path, "<r2/>\n", 6, 0644), 0);
	s = slurp(keep);
	assert_string_equal(s, "keep\n");
	free(s);
	unlink(tmp), unlink(path), unlink(target), unlink(keep);
	assert_int_equal(rmdir(dir), 0); /* no temp file left behind */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sanitize__channels),
		cmocka_unit_test(test_sanitize__server_ids),
		cmocka_unit_test(test_sanitize__hostile_channels),
		cmocka_unit_test(test_sanitize__hostile_output_paths),
		cmocka_unit_test(test_sanitize__hostile_gate_reports),
		cmocka_unit_test(test_sanitize__report_files_use_a_fresh_temp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
