/* testevents.c — CI Visibility test events, every page, one page in memory.
 *
 * The list (GET, filter[...] and page[...] query parameters) and the search
 * (POST, the same settings in a JSON body) differ only in where the cursor
 * goes; both are read through ddci_client_paginate.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddci/buf.h"
#include "ddci/endpoint.h"
#include "ddci/json.h"
#include "ddci/testevents.h"
#include "ddci/timeutil.h"
#include "ddci/url.h"

int ddci_testevents_check(const struct ddci_testevents_query *q)
{
	if (q->sort && strcmp(q->sort, "timestamp") && strcmp(q->sort, "-timestamp"))
		return ddci_error_set(DDCI_EUSAGE, "invalid --sort '%s': expected timestamp or -timestamp", q->sort);
	if (q->limit < 0 || q->limit > DDCI_TESTEVENTS_MAX_LIMIT)
		return ddci_error_set(DDCI_EUSAGE, "invalid --page-size %d: expected 1 to %d", q->limit,
				      DDCI_TESTEVENTS_MAX_LIMIT);
	if (q->max_events < 0)
		return ddci_error_set(DDCI_EUSAGE, "invalid --max-events %" PRId64 ": expected 1 or more",
				      q->max_events);
	if (q->from_ms < 0 || q->to_ms < 0)
		return ddci_error_set(DDCI_EUSAGE, "invalid --from/--to: before 1970");
	if (q->from_ms && q->to_ms && q->from_ms > q->to_ms)
		return ddci_error_set(DDCI_EUSAGE, "invalid --from: after --to");
	if (!q->search && (q->timezone || q->has_time_offset))
		return ddci_error_set(DDCI_EUSAGE, "--timezone and --time-offset are for 'search' only");
	if (q->timezone && q->has_time_offset)
		return ddci_error_set(DDCI_EUSAGE, "--timezone and --time-offset cannot be combined");
	if (q->timezone && (!*q->timezone || strlen(q->timezone) > 64 || strpbrk(q->timezone, " \t\r\n\"")))
		return ddci_error_set(DDCI_EUSAGE, "invalid --timezone '%s': expected UTC, UTC+1 or a zone like Europe/Paris",
				      q->timezone);
	if (q->has_time_offset && (q->time_offset < -86400 * 7 || q->time_offset > 86400 * 7))
		return ddci_error_set(DDCI_EUSAGE, "invalid --time-offset %" PRId64 ": expected seconds within a week",
				      q->time_offset);
	return 0;
}

/* name=value& with the value percent-encoded. */
static int add_param(struct ddci_buf *b, const char *name, const char *value)
{
	int rc = ddci_buf_addf(b, "%c%s=", strchr(ddci_buf_str(b), '?') ? '&' : '?', name);

	return rc ? rc : ddci_url_escape(b, value);
}

static int list_path(char **path, const struct ddci_testevents_query *q, const char *cursor)
{
	struct ddci_buf b = DDCI_BUF_INIT;
	char num[48];
	int rc = ddci_buf_adds(&b, DDCI_TESTEVENTS_PATH);

	if (!rc && q->query)
		rc = add_param(&b, "filter%5Bquery%5D", q->query);
	/* ListCIAppTestEvents: filter[from]/filter[to] are `format: date-time`. */
	if (!rc && q->from_ms) {
		ddci_time_format_rfc3339_frac(num, sizeof(num), q->from_ms * 1000000, 3);
		rc = add_param(&b, "filter%5Bfrom%5D", num);
	}
	if (!rc && q->to_ms) {
		ddci_time_format_rfc3339_frac(num, sizeof(num), q->to_ms * 1000000, 3);
		rc = add_param(&b, "filter%5Bto%5D", num);
	}
	if (!rc && q->sort)
		rc = add_param(&b, "sort", q->sort);
	if (!rc && q->limit > 0) {
		snprintf(num, sizeof(num), "%d", q->limit);
		rc = add_param(&b, "page%5Blimit%5D", num);
	}
	if (!rc && cursor)
		rc = add_param(&b, "page%5Bcursor%5D", cursor);
	if (rc) {
		ddci_buf_release(&b);
		return rc;
	}
	*path = ddci_buf_detach(&b);
	return 0;
}

static int add_ms_string(cJSON *o, const char *name, int64_t ms)
{
	char num[32];

	snprintf(num, sizeof(num), "%" PRId64, ms);
	return cJSON_AddStringToObject(o, name, num) ? 0 : ddci_error_oom();
}

static int search_body(cJSON **out, const struct ddci_testevents_query *q, const char *cursor)
{
	cJSON *b = cJSON_CreateObject(), *filter, *page, *opts;

	if (!b)
		return ddci_error_oom();
	if (q->query || q->from_ms || q->to_ms) {
		if (!(filter = cJSON_AddObjectToObject(b, "filter")) ||
		    (q->query && !cJSON_AddStringToObject(filter, "query", q->query)) ||
		    (q->from_ms && add_ms_string(filter, "from", q->from_ms)) ||
		    (q->to_ms && add_ms_string(filter, "to", q->to_ms)))
			goto fail;
	}
	if (q->timezone || q->has_time_offset) {
		if (!(opts = cJSON_AddObjectToObject(b, "options")) ||
		    (q->timezone && !cJSON_AddStringToObject(opts, "timezone", q->timezone)) ||
		    (q->has_time_offset && ddci_json_add_int64(opts, "time_offset", q->time_offset)))
			goto fail;
	}
	if (q->limit > 0 || cursor) {
		if (!(page = cJSON_AddObjectToObject(b, "page")) ||
		    (cursor && !cJSON_AddStringToObject(page, "cursor", cursor)) ||
		    (q->limit > 0 && ddci_json_add_int64(page, "limit", q->limit)))
			goto fail;
	}
	if (q->sort && !cJSON_AddStringToObject(b, "sort", q->sort))
		goto fail;
	*out = b;
	return 0;
fail:
	cJSON_Delete(b);
	return ddci_error_oom();
}

int ddci_testevents_request(char **path, cJSON **body, const struct ddci_testevents_query *q, const char *cursor)
{
	int rc;

	*path = NULL;
	*body = NULL;
	if (!q->search)
		return list_path(path, q, cursor);
	if (!(*path = strdup(DDCI_TESTEVENTS_SEARCH_PATH)))
		return ddci_error_oom();
	if ((rc = search_body(body, q, cursor)) < 0) {
		free(*path);
		*path = NULL;
	}
	return rc;
}

int ddci_testevents_next_cursor(char **out, const cJSON *page)
{
	const char *after = NULL, *next = NULL;
	int rc;

	*out = NULL;
	if ((rc = ddci_json_get_str_opt(&after, page, "meta.page.after")) < 0)
		return rc;
	if (after && *after)
		return (*out = strdup(after)) ? 0 : ddci_error_oom();
	if ((rc = ddci_json_get_str_opt(&next, page, "links.next")) < 0)
		return rc;
	if (next && *next)
		return ddci_url_query_value(out, next, "page[cursor]");
	return 0;
}

struct walk {
	const struct ddci_testevents_query *q;
	const struct ddci_testevents_sink *sink;
	struct ddci_testevents_result *res;
	int last_count; /* events on the page just read */
};

static void notice(const struct walk *w, const char *fmt, ...) DDCI_PRINTF(2, 3);
static void notice(const struct walk *w, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!w->sink->on_notice)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	w->sink->on_notice(w->sink->ctx, msg);
}

/* meta.status and meta.warnings of one page. */
static int check_meta(struct walk *w, const cJSON *page, int n)
{
	const cJSON *warnings = NULL, *it;
	const char *status = NULL;
	int rc;

	if ((rc = ddci_json_get_str_opt(&status, page, "meta.status")) < 0)
		return rc;
	if ((rc = ddci_json_get_array_opt(&warnings, page, "meta.warnings")) < 0)
		return rc;
	cJSON_ArrayForEach(it, warnings)
	{
		const char *code = NULL, *title = NULL, *detail = NULL;

		if (!cJSON_IsObject(it))
			continue;
		if (ddci_json_get_str_opt(&code, it, "code") < 0 || ddci_json_get_str_opt(&title, it, "title") < 0 ||
		    ddci_json_get_str_opt(&detail, it, "detail") < 0)
			return ddci_error_set(DDCI_EPROTO, "unexpected response from Datadog: bad meta.warnings on page %d", n);
		w->res->warnings++;
		notice(w, "warning: page %d: %s%s%s%s%s%s", n, code ? code : "", code ? ": " : "",
		       title ? title : "warning", detail && *detail ? " (" : "", detail ? detail : "",
		       detail && *detail ? ")" : "");
	}
	if (status && !strcmp(status, "timeout")) {
		w->res->partial = 1;
		if (w->q->strict)
			return ddci_error_set(DDCI_EUNAVAIL,
					      "page %d is partial: Datadog answered meta.status 'timeout' (--strict)", n);
		notice(w, "warning: page %d is partial: Datadog answered meta.status 'timeout'; the result is incomplete", n);
	}
	return 0;
}

static int on_page(void *ctx, const cJSON *page)
{
	struct walk *w = ctx;
	const cJSON *data = NULL, *ev;
	int n = w->res->pages + 1, rc;

	w->res->pages = n;
	w->last_count = 0;
	if ((rc = ddci_json_get_array(&data, page, "data")) < 0)
		return ddci_error_wrap(DDCI_EPROTO, "unexpected response from Datadog on page %d", n);
	if ((rc = check_meta(w, page, n)) < 0)
		return rc;
	cJSON_ArrayForEach(ev, data)
	{
		if (w->q->max_events > 0 && w->res->events >= w->q->max_events) {
			w->res->truncated = 1;
			break;
		}
		if ((rc = w->sink->on_event(w->sink->ctx, ev)) < 0)
			return rc;
		w->res->events++;
		w->last_count++;
	}
	if (w->sink->on_page && (rc = w->sink->on_page(w->sink->ctx, n)) < 0)
		return rc;
	if (w->res->truncated)
		return 1;
	return 0;
}

static int next_page(struct ddci_pager *p, const cJSON *page)
{
	struct walk *w = p->ctx;
	char *cursor = NULL, *path = NULL;
	cJSON *body = NULL;
	int rc;

	if ((rc = ddci_testevents_next_cursor(&cursor, page)) < 0)
		return rc;
	/* No cursor, or an empty page: nothing more to read. */
	if (!cursor || w->last_count == 0) {
		free(cursor);
		return 0;
	}
	if (w->q->max_events > 0 && w->res->events >= w->q->max_events) {
		w->res->truncated = 1;
		free(cursor);
		return 0;
	}
	rc = ddci_testevents_request(&path, &body, w->q, cursor);
	free(cursor);
	if (rc < 0)
		return rc;
	ddci_pager_set_request(p, path, body);
	return 1;
}

int ddci_testevents_fetch(struct ddci_testevents_result *res, struct ddci_client *c,
			  const struct ddci_testevents_query *q, const struct ddci_testevents_sink *sink)
{
	struct walk w = { q, sink, res, 0 };
	struct ddci_pager p = { .next = next_page, .on_page = on_page, .ctx = &w };
	int rc;

	memset(res, 0, sizeof(*res));
	if ((rc = ddci_testevents_check(q)) < 0)
		return rc;
	if ((rc = ddci_testevents_request(&p.path_owned, &p.body_owned, q, NULL)) < 0)
		return rc;
	return ddci_client_read_all(c, &p, q->search ? "POST" : "GET", DDCI_FAMILY_TESTS);
}
