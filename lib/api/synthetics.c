/* synthetics.c — version history of a Synthetic test, and its diffs as text.
 *
 * Pages are read newest first through ddci_client_paginate; the rendering
 * is pure (JSON in, text out) so it can be unit-tested and fuzzed.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ddci/endpoint.h"
#include "ddci/json.h"
#include "ddci/synthetics.h"
#include "ddci/timeutil.h"

#define CONTEXT_LINES 3
#define MAX_DP_CELLS ((size_t)1 << 22) /* line-diff table limit: 4M cells */

int ddci_synth_check(const struct ddci_synth_query *q)
{
	const char *id = q->public_id;
	size_t n = id ? strlen(id) : 0;

	if (!n)
		return ddci_error_set(DDCI_EUSAGE, "missing PUBLIC_ID (the Synthetic test's public id, e.g. abc-def-ghi)");
	if (n > 64 || strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != n)
		return ddci_error_set(DDCI_EUSAGE, "invalid PUBLIC_ID '%s': expected letters, digits and '-' like abc-def-ghi",
				      id);
	if (q->limit < 0 || q->limit > DDCI_SYNTH_MAX_LIMIT)
		return ddci_error_set(DDCI_EUSAGE, "invalid --page-size %d: expected 1 to %d", q->limit, DDCI_SYNTH_MAX_LIMIT);
	if (q->since_version < 0)
		return ddci_error_set(DDCI_EUSAGE, "invalid --since-version %" PRId64 ": expected 0 or more",
				      q->since_version);
	if (q->max_versions < 0)
		return ddci_error_set(DDCI_EUSAGE, "invalid --max-versions %" PRId64 ": expected 1 or more",
				      q->max_versions);
	return 0;
}

int ddci_synth_path(char **out, const struct ddci_synth_query *q, int64_t last_version)
{
	struct ddci_buf b = DDCI_BUF_INIT;
	char sep = '?';
	int rc = ddci_buf_adds(&b, "/api/v2/synthetics/tests/");

	*out = NULL;
	if (!rc)
		rc = ddci_url_escape(&b, q->public_id);
	if (!rc)
		rc = ddci_buf_adds(&b, "/version_history");
	if (!rc && q->limit > 0) {
		rc = ddci_buf_addf(&b, "%climit=%d", sep, q->limit);
		sep = '&';
	}
	if (!rc && last_version > 0)
		rc = ddci_buf_addf(&b, "%clast_version_number=%" PRId64, sep, last_version);
	if (rc) {
		ddci_buf_release(&b);
		return rc;
	}
	*out = ddci_buf_detach(&b);
	return 0;
}

struct walk {
	const struct ddci_synth_query *q;
	struct ddci_synth_result *res;
	int (*on_version)(void *ctx, const cJSON *version);
	void *ctx;
	int done;
};

/* Is this version older than what was asked for (--since-version, --since)? */
static int too_old(int *out, const struct ddci_synth_query *q, const cJSON *v, int page)
{
	const char *created = NULL;
	int64_t num = -1, ns;
	int rc;

	*out = 0;
	if (q->since_version > 0) {
		if ((rc = ddci_json_get_int64(&num, v, "attributes.version_number")) < 0)
			return ddci_error_wrap(DDCI_EPROTO, "unexpected response from Datadog on page %d", page);
		if (num <= q->since_version) {
			*out = 1;
			return 0;
		}
	}
	if (q->since_ns > 0) {
		if ((rc = ddci_json_get_str(&created, v, "attributes.version_payload_created_at")) < 0)
			return ddci_error_wrap(DDCI_EPROTO, "unexpected response from Datadog on page %d", page);
		if (ddci_time_parse(&ns, created, 0, "version_payload_created_at") < 0)
			return ddci_error_set(DDCI_EPROTO,
					      "unexpected response from Datadog on page %d: version_payload_created_at '%s' is not a time",
					      page, created);
		*out = ns <= q->since_ns;
	}
	return 0;
}

static int on_page(void *ctx, const cJSON *page)
{
	struct walk *w = ctx;
	const cJSON *data = NULL, *v;
	int64_t days;
	int n = ++w->res->pages, old, rc;

	if (ddci_json_get_array(&data, page, "data") < 0)
		return ddci_error_wrap(DDCI_EPROTO, "unexpected response from Datadog on page %d", n);
	if (ddci_json_get_int64_opt(&days, page, "meta.retention_period_in_days") == 0 &&
	    ddci_json_path(page, "meta.retention_period_in_days"))
		w->res->retention_days = days;
	cJSON_ArrayForEach(v, data)
	{
		if (w->q->max_versions > 0 && w->res->versions >= w->q->max_versions) {
			w->done = 1;
			return 1;
		}
		if ((rc = too_old(&old, w->q, v, n)) < 0)
			return rc;
		if (old) {
			w->done = 1;
			return 1;
		}
		if ((rc = w->on_version(w->ctx, v)) < 0)
			return rc;
		w->res->versions++;
	}
	return 0;
}

static int next_page(struct ddci_pager *p, const cJSON *page)
{
	struct walk *w = p->ctx;
	const cJSON *next = ddci_json_path(page, "meta.next_last_version_number");
	const cJSON *data = ddci_json_path(page, "data");
	int64_t last;
	char *path = NULL;
	int rc;

	if (w->done || !next || cJSON_IsNull(next) || cJSON_GetArraySize(data) == 0)
		return 0;
	if (w->q->max_versions > 0 && w->res->versions >= w->q->max_versions)
		return 0;
	if ((rc = ddci_json_get_int64(&last, page, "meta.next_last_version_number")) < 0)
		return ddci_error_wrap(DDCI_EPROTO, "unexpected response from Datadog on page %d", p->pages);
	if (last <= 0)
		return 0;
	if ((rc = ddci_synth_path(&path, w->q, last)) < 0)
		return rc;
	ddci_pager_set_request(p, path, NULL);
	return 1;
}

int ddci_synth_history(struct ddci_synth_result *res, struct ddci_client *c, const struct ddci_synth_query *q,
		       int (*on_version)(void *ctx, const cJSON *version), void *ctx)
{
	struct walk w = { q, res, on_version, ctx, 0 };
	struct ddci_pager p = { .next = next_page, .on_page = on_page, .ctx = &w };
	int rc;

	memset(res, 0, sizeof(*res));
	res->retention_days = -1;
	if ((rc = ddci_synth_check(q)) < 0)
		return rc;
	if ((rc = ddci_synth_path(&p.path_owned, q, 0)) < 0)
		return rc;
	return ddci_client_read_all(c, &p, "GET", DDCI_FAMILY_SYNTHETICS);
}

/* ---- rendering ---- */

/* The renderers append without checking each addition: the buffer's
 * first error sticks and is returned once, at the end (ddci_buf_error). */

/* Appends s[0..n) with control characters as \xNN. */
static void add_safe(struct ddci_buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n && !ddci_buf_error(out); i++) {
		unsigned char ch = (unsigned char)s[i];

		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			ddci_buf_addf(out, "\\x%02x", ch);
		else
			ddci_buf_addc(out, (char)ch);
	}
}

static void add_safe_str(struct ddci_buf *out, const char *s)
{
	add_safe(out, s, strlen(s));
}

struct line {
	const char *p;
	size_t n;
};

/* Splits text into lines (a final newline does not start another line). */
static int split_lines(struct line **out, size_t *count, const char *text)
{
	size_t n = 0, cap = 0;
	struct line *v = NULL, *nv;
	const char *p = text;

	*out = NULL;
	*count = 0;
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			if (!(nv = realloc(v, cap * sizeof(*v)))) {
				free(v);
				return ddci_error_oom();
			}
			v = nv;
		}
		v[n].p = p;
		v[n].n = len;
		n++;
		p = nl ? nl + 1 : p + len;
	}
	*out = v;
	*count = n;
	return 0;
}

static int line_eq(const struct line *a, const struct line *b)
{
	return a->n == b->n && memcmp(a->p, b->p, a->n) == 0;
}

struct op {
	char kind; /* ' ', '-', '+' */
	const struct line *l;
};

/* The edit script between a[0..n) and b[0..m): a longest common
 * subsequence when the table fits, else all of a removed then b added. */
static int edit_script(struct op **out, size_t *nops, const struct line *a, size_t n, const struct line *b, size_t m)
{
	struct op *ops = malloc((n + m + 1) * sizeof(*ops));
	uint32_t *t = NULL;
	size_t k = 0, i = 0, j = 0;

	if (!ops)
		return ddci_error_oom();
	if (n && m && n <= MAX_DP_CELLS / m && (t = calloc((n + 1) * (m + 1), sizeof(*t)))) {
		/* t[i][j] = LCS length of a[i..] and b[j..] */
		for (size_t x = n; x-- > 0;)
			for (size_t y = m; y-- > 0;)
				t[x * (m + 1) + y] = line_eq(&a[x], &b[y]) ? t[(x + 1) * (m + 1) + y + 1] + 1
					: (t[(x + 1) * (m + 1) + y] >= t[x * (m + 1) + y + 1] ? t[(x + 1) * (m + 1) + y]
											: t[x * (m + 1) + y + 1]);
		while (i < n && j < m) {
			if (line_eq(&a[i], &b[j])) {
				ops[k++] = (struct op){ ' ', &a[i] };
				i++;
				j++;
			} else if (t[(i + 1) * (m + 1) + j] >= t[i * (m + 1) + j + 1]) {
				ops[k++] = (struct op){ '-', &a[i++] };
			} else {
				ops[k++] = (struct op){ '+', &b[j++] };
			}
		}
		free(t);
	}
	while (i < n)
		ops[k++] = (struct op){ '-', &a[i++] };
	while (j < m)
		ops[k++] = (struct op){ '+', &b[j++] };
	*out = ops;
	*nops = k;
	return 0;
}

static void add_line(struct ddci_buf *out, const char *indent, char kind, const struct line *l)
{
	ddci_buf_addf(out, "%s%c", indent, kind);
	add_safe(out, l->p, l->n);
	ddci_buf_addc(out, '\n');
}

/* The edit script with at most CONTEXT_LINES unchanged lines on each side
 * of a change, longer unchanged runs elided. */
static void add_script(struct ddci_buf *out, const char *indent, const struct op *ops, size_t nops)
{
	for (size_t i = 0; i < nops; i++) {
		size_t run = i;

		while (run < nops && ops[run].kind == ' ')
			run++;
		if (run - i > 2 * CONTEXT_LINES) {
			for (size_t k = i; k < i + CONTEXT_LINES; k++)
				add_line(out, indent, ' ', ops[k].l);
			ddci_buf_addf(out, "%s ...\n", indent);
			for (size_t k = run - CONTEXT_LINES; k < run; k++)
				add_line(out, indent, ' ', ops[k].l);
			i = run - 1;
			continue;
		}
		add_line(out, indent, ops[i].kind, ops[i].l);
	}
}

int ddci_synth_render_diff(struct ddci_buf *out, const char *before, const char *after, const char *indent)
{
	struct line *a = NULL, *b = NULL;
	struct op *ops = NULL;
	size_t n = 0, m = 0, nops = 0, pre = 0, suf = 0, ctx_before, ctx_after;
	int rc;

	if ((rc = split_lines(&a, &n, before ? before : "")) < 0 || (rc = split_lines(&b, &m, after ? after : "")) < 0)
		goto done;
	while (pre < n && pre < m && line_eq(&a[pre], &b[pre]))
		pre++;
	while (suf < n - pre && suf < m - pre && line_eq(&a[n - 1 - suf], &b[m - 1 - suf]))
		suf++;
	/* An empty text has no lines (NULL): no pointer arithmetic on it. */
	if ((rc = edit_script(&ops, &nops, a ? a + pre : NULL, n - pre - suf, b ? b + pre : NULL, m - pre - suf)) < 0)
		goto done;
	/* Context: at most CONTEXT_LINES unchanged lines on each side of a change. */
	ctx_before = pre < CONTEXT_LINES ? pre : CONTEXT_LINES;
	ctx_after = suf < CONTEXT_LINES ? suf : CONTEXT_LINES;
	if (pre > ctx_before)
		ddci_buf_addf(out, "%s ...\n", indent);
	for (size_t i = pre - ctx_before; i < pre; i++)
		add_line(out, indent, ' ', &a[i]);
	add_script(out, indent, ops, nops);
	for (size_t i = m - suf; i < m - suf + ctx_after; i++)
		add_line(out, indent, ' ', &b[i]);
	if (suf > ctx_after)
		ddci_buf_addf(out, "%s ...\n", indent);
	rc = ddci_buf_error(out);
done:
	free(a);
	free(b);
	free(ops);
	return rc;
}

/* A value as text: strings as they are, null/absent as NULL, others as JSON. */
static int value_text(char **out, const cJSON *v)
{
	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (cJSON_IsString(v))
		*out = strdup(v->valuestring);
	else
		*out = ddci_json_print_pretty(v);
	return *out ? 0 : ddci_error_oom();
}

/* A diff operation: -1 delete, 0 equal, 1 insert, 2 unknown. */
static int diff_op(const cJSON *op)
{
	const char *s;

	if (cJSON_IsNumber(op))
		return op->valuedouble < 0 ? -1 : op->valuedouble > 0 ? 1 : 0;
	if (!cJSON_IsString(op))
		return 2;
	s = op->valuestring;
	if (!strcasecmp(s, "equal") || !strcmp(s, "0") || !strcmp(s, "=") || !strcasecmp(s, "diff_equal"))
		return 0;
	if (!strcasecmp(s, "delete") || !strcmp(s, "-1") || !strcmp(s, "-") || !strcasecmp(s, "diff_delete") ||
	    !strcasecmp(s, "remove") || !strcasecmp(s, "deleted"))
		return -1;
	if (!strcasecmp(s, "insert") || !strcmp(s, "1") || !strcmp(s, "+") || !strcasecmp(s, "diff_insert") ||
	    !strcasecmp(s, "add") || !strcasecmp(s, "inserted"))
		return 1;
	return 2;
}

static int64_t int_or(const cJSON *o, const char *name, int64_t def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 9e15)
		return (int64_t)v->valuedouble;
	return def;
}

/* One diff-match-patch patch as a hunk: header, then the line diff of the
 * hunk's old text (equal + delete) and new text (equal + insert). */
static int render_patch(struct ddci_buf *out, const cJSON *patch, const char *indent)
{
	const cJSON *diffs = cJSON_GetObjectItemCaseSensitive(patch, "diffs"), *d;
	const cJSON *list = cJSON_IsArray(diffs) ? diffs : NULL;
	struct ddci_buf before = DDCI_BUF_INIT, after = DDCI_BUF_INIT;
	int64_t s1 = int_or(patch, "start1", 0), s2 = int_or(patch, "start2", 0);
	int64_t l1 = int_or(patch, "length1", -1), l2 = int_or(patch, "length2", -1);
	int rc, unknown = 0;

	cJSON_ArrayForEach(d, list)
	{
		const cJSON *text = cJSON_GetObjectItemCaseSensitive(d, "change_text");
		const char *t = cJSON_IsString(text) ? text->valuestring : "";
		int op = diff_op(cJSON_GetObjectItemCaseSensitive(d, "operation"));

		if (op == 2)
			unknown++;
		if (op <= 0 || op == 2)
			ddci_buf_adds(&before, t);
		if (op >= 0)
			ddci_buf_adds(&after, t);
	}
	if ((rc = ddci_buf_error(&before)) < 0 || (rc = ddci_buf_error(&after)) < 0)
		goto done;
	if (l1 < 0)
		l1 = (int64_t)before.len;
	if (l2 < 0)
		l2 = (int64_t)after.len;
	ddci_buf_addf(out, "%s@@ -%" PRId64 ",%" PRId64 " +%" PRId64 ",%" PRId64 " @@%s\n", indent,
		      l1 ? s1 + 1 : s1, l1, l2 ? s2 + 1 : s2, l2, unknown ? " (unknown operations shown as unchanged)" : "");
	rc = ddci_synth_render_diff(out, ddci_buf_str(&before), ddci_buf_str(&after), indent);
done:
	ddci_buf_release(&before);
	ddci_buf_release(&after);
	return rc;
}

int ddci_synth_render_change(struct ddci_buf *out, const cJSON *change, const char *indent)
{
	const cJSON *action = cJSON_GetObjectItemCaseSensitive(change, "action");
	const cJSON *md = cJSON_GetObjectItemCaseSensitive(change, "action_metadata");
	const cJSON *path = cJSON_GetObjectItemCaseSensitive(md, "property_path");
	const cJSON *patches = cJSON_GetObjectItemCaseSensitive(md, "diff_patches"), *p;
	struct ddci_buf inner = DDCI_BUF_INIT;
	char *before = NULL, *after = NULL;
	int rc;

	indent = indent ? indent : "";
	ddci_buf_adds(out, indent);
	add_safe_str(out, cJSON_IsString(action) && *action->valuestring ? action->valuestring : "changed");
	if (cJSON_IsString(path) && *path->valuestring) {
		ddci_buf_addc(out, ' ');
		add_safe_str(out, path->valuestring);
	}
	ddci_buf_addc(out, '\n');
	ddci_buf_addf(&inner, "%s  ", indent);
	if ((rc = ddci_buf_error(out)) < 0 || (rc = ddci_buf_error(&inner)) < 0)
		goto done;
	if (cJSON_IsArray(patches) && cJSON_GetArraySize(patches) > 0) {
		ddci_buf_addf(out, "%s--- before\n%s+++ after\n", inner.ptr, inner.ptr);
		cJSON_ArrayForEach(p, patches)
		{
			if (cJSON_IsObject(p) && (rc = render_patch(out, p, inner.ptr)) < 0)
				goto done;
		}
		rc = ddci_buf_error(out);
		goto done;
	}
	if ((rc = value_text(&before, cJSON_GetObjectItemCaseSensitive(md, "before_value"))) < 0 ||
	    (rc = value_text(&after, cJSON_GetObjectItemCaseSensitive(md, "after_value"))) < 0)
		goto done;
	if (!before && !after)
		goto done;
	if (before && after && !strcmp(before, after)) {
		ddci_buf_addf(out, "%s(value unchanged)\n", inner.ptr);
	} else {
		ddci_buf_addf(out, "%s--- before\n%s+++ after\n", inner.ptr, inner.ptr);
		rc = ddci_synth_render_diff(out, before, after, inner.ptr);
	}
	if (!rc)
		rc = ddci_buf_error(out);
done:
	free(before);
	free(after);
	ddci_buf_release(&inner);
	return rc;
}

int ddci_synth_render_version(struct ddci_buf *out, const cJSON *version)
{
	const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(version, "attributes");
	const cJSON *num = cJSON_GetObjectItemCaseSensitive(attrs, "version_number");
	const cJSON *at = cJSON_GetObjectItemCaseSensitive(attrs, "version_payload_created_at");
	const cJSON *author = cJSON_GetObjectItemCaseSensitive(attrs, "author_uuid");
	const cJSON *changes = cJSON_GetObjectItemCaseSensitive(attrs, "change_metadata"), *c;
	const cJSON *list = cJSON_IsArray(changes) ? changes : NULL;
	int rc = 0;

	if (cJSON_IsNumber(num))
		ddci_buf_addf(out, "version %.0f", num->valuedouble);
	else
		ddci_buf_adds(out, "version ?");
	if (cJSON_IsString(at)) {
		ddci_buf_adds(out, "  ");
		add_safe_str(out, at->valuestring);
	}
	if (cJSON_IsString(author) && *author->valuestring) {
		ddci_buf_adds(out, "  by ");
		add_safe_str(out, author->valuestring);
	}
	ddci_buf_addc(out, '\n');
	if (!cJSON_IsArray(changes) || cJSON_GetArraySize(changes) == 0)
		ddci_buf_adds(out, "  (no change details)\n");
	cJSON_ArrayForEach(c, list)
	{
		if (rc)
			break;
		if (cJSON_IsObject(c))
			rc = ddci_synth_render_change(out, c, "  ");
	}
	return rc ? rc : ddci_buf_error(out);
}
