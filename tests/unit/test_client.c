/* test_client.c — --dry-run output, JSON responses, paging, spooling;
 * against a tiny scripted HTTP server on loopback (a thread here). */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ddci/client.h"
#include "ddci/json.h"
#include "ddci/redact.h"
#include "ddci/timeutil.h"

#define API_KEY "clientapikey0123456789"
#define APP_KEY "clientappkey9876543210"

#include "scripted_server.h"

static void test_client__dry_run_prints_without_secrets(void **state)
{
	struct fixture f;
	struct ddci_client c;
	struct ddci_call call = { "POST", "/api/v2/dora/deployment", NULL, DDCI_CALL_RETRY | DDCI_CALL_SPOOL, "e1",
				  "dora" };
	cJSON *attrs = cJSON_CreateObject(), *body, *resp = (cJSON *)1;
	char *text = NULL;
	size_t len = 0;
	int rc;

	(void)state;
	ddci_redact_register(API_KEY);
	ddci_redact_register(APP_KEY);
	fixture_init(&f, "https://user:urlpassword99@api.datadoghq.com", 5000, 3);
	f.cfg.dry_run = 1;
	assert_int_equal(ddci_json_add_str(attrs, "repository_url", "https://github.com/org/repo"), 0);
	assert_int_equal(ddci_json_add_str(attrs, "note", "key " API_KEY " leaked"), 0);
	assert_int_equal(ddci_json_add_int64(attrs, "started_at", INT64_C(1795639027123456789)), 0);
	body = ddci_jsonapi_wrap("dora_deployment", NULL, attrs);
	call.body = body;

	ddci_client_init(&c, &f.cfg);
	c.out = open_memstream(&text, &len);
	rc = ddci_client_call(&resp, &c, &call);
	fclose(c.out);
	assert_int_equal(rc, DDCI_DRY_RUN);
	assert_null(resp);
	assert_null(c.http); /* no curl handle was made */
	assert_int_equal(c.requests, 0);

	assert_non_null(strstr(text, "POST https://"));
	assert_non_null(strstr(text, "api.datadoghq.com/api/v2/dora/deployment\n"));
	assert_non_null(strstr(text, "\"dora_deployment\""));
	assert_non_null(strstr(text, "1795639027123456789"));
	assert_non_null(strstr(text, "github.com/org/repo"));
	assert_null(strstr(text, API_KEY));
	assert_null(strstr(text, APP_KEY));
	assert_null(strstr(text, "urlpassword99"));
	{
		/* The body exactly as it is sent, keys masked. */
		char *sent = ddci_json_print(body), *masked = ddci_redact_keys(sent);

		assert_non_null(strstr(text, masked));
		assert_non_null(strstr(masked, "key *** leaked"));
		free(sent);
		free(masked);
	}
	free(text);
	cJSON_Delete(body);
	ddci_client_release(&c);
	ddci_redact_clear();
}

/* ---- responses ---- */

static void test_client__parses_response(void **state)
{
	static const struct reply replies[] = {
		{ 202, "Content-Type: application/json\r\nX-Request-Id: req-9\r\n", "{\"data\":{\"id\":\"dep-1\"}}", 0 },
		{ 204, NULL, NULL, 0 },
	};
	struct server s;
	struct fixture f;
	struct ddci_client c;
	cJSON *body = cJSON_CreateObject(), *resp = NULL;
	struct ddci_call call = { "POST", "/api/v2/dora/deployment", body, DDCI_CALL_RETRY, "e1", "dora" };
	const char *id = NULL;

	(void)state;
	server_start(&s, replies, 2);
	fixture_port(&f, s.port, 5000, 3);
	ddci_client_init(&c, &f.cfg);
	assert_int_equal(ddci_json_add_int64(body, "ts", INT64_C(1795639027123456789)), 0);
	assert_int_equal(ddci_client_call(&resp, &c, &call), 0);
	assert_non_null(resp);
	assert_int_equal(ddci_json_get_str(&id, resp, "data.id"), 0);
	assert_string_equal(id, "dep-1");
	assert_string_equal(c.request_id, "req-9");
	assert_int_equal(c.requests, 1);
	cJSON_Delete(resp);
	/* The body went out compact, the int64 exact. */
	assert_non_null(strstr(s.reqs[0], "\r\n\r\n{\"ts\":1795639027123456789}"));
	assert_null(strcasestr(s.reqs[0], "DD-APPLICATION-KEY"));

	/* Empty body: success with no document. */
	call.flags |= DDCI_CALL_APP_KEY;
	resp = (cJSON *)1;
	assert_int_equal(ddci_client_call(&resp, &c, &call), 0);
	assert_null(resp);
	assert_int_equal(c.requests, 2);
	assert_non_null(strstr(s.reqs[1], "\r\nDD-APPLICATION-KEY: " APP_KEY "\r\n"));

	cJSON_Delete(body);
	ddci_client_release(&c);
	server_stop(&s);
}

static void test_client__non_json_success_is_a_protocol_error(void **state)
{
	static const struct reply replies[] = {
		{ 200, "Content-Type: text/html\r\nX-Request-Id: r-html\r\n", "<html>portal</html>", 0 },
	};
	struct server s;
	struct fixture f;
	struct ddci_client c;
	struct ddci_call call = { "GET", "/api/v2/x", NULL, DDCI_CALL_READ, NULL, NULL };
	cJSON *resp = NULL;

	(void)state;
	server_start(&s, replies, 1);
	fixture_port(&f, s.port, 5000, 3);
	ddci_client_init(&c, &f.cfg);
	assert_int_equal(ddci_client_call(&resp, &c, &call), DDCI_EPROTO);
	assert_null(resp);
	assert_string_equal(ddci_error_last(), "unexpected response from Datadog: invalid JSON in response at "
					       "byte 0 (content type text/html, request id r-html)");
	assert_string_equal(ddci_error_request_id(), "r-html");
	ddci_client_release(&c);
	server_stop(&s);
}

static void test_client__rejection_passes_through(void **state)
{
	static const struct reply replies[] = { { 422, NULL, "{\"errors\":[\"bad service\"]}", 0 } };
	struct server s;
	struct fixture f;
	struct ddci_client c;
	struct ddci_call call = { "POST", "/p", NULL, DDCI_CALL_RETRY | DDCI_CALL_SPOOL, "e1", NULL };
	cJSON *resp = NULL;
	char dir[] = "/tmp/ddci-test-spool-XXXXXX";

	(void)state;
	assert_non_null(mkdtemp(dir));
	server_start(&s, replies, 1);
	fixture_port(&f, s.port, 5000, 3);
	f.cfg.spool_dir = dir;
	ddci_client_init(&c, &f.cfg);
	assert_int_equal(ddci_client_call(&resp, &c, &call), DDCI_EREJECT);
	/* Rejected events are never spooled. */
	assert_string_equal(ddci_error_last(), "Datadog rejected the request (HTTP 422): bad service");
	assert_int_equal(s.served, 1);
	ddci_client_release(&c);
	server_stop(&s);
	assert_int_equal(rmdir(dir), 0); /* still empty */
}

/* ---- paging ---- */

struct count {
	int items;
};

static int count_items(void *ctx, const cJSON *page)
{
	struct count *n = ctx;
	const cJSON *data = NULL;
	int rc = ddci_json_get_array(&data, page, "data");

	if (rc < 0)
		return rc;
	n->items += cJSON_GetArraySize(data);
	return 0;
}

static int next_cursor(struct ddci_pager *p, const cJSON *page)
{
	const char *after = NULL;
	struct ddci_buf b = DDCI_BUF_INIT;
	int rc = ddci_json_get_str_opt(&after, page, "meta.page.after");

	if (rc < 0 || !after)
		return rc;
	rc = ddci_buf_adds(&b, "/api/v2/list?page%5Bcursor%5D=");
	if (!rc)
		rc = ddci_url_escape(&b, after);
	if (rc) {
		ddci_buf_release(&b);
		return rc;
	}
	free(p->path_owned);
	p->path_owned = ddci_buf_detach(&b);
	p->call.path = p->path_owned;
	return 1;
}

static void test_client__paginates_through_rate_limit(void **state)
{
	static const struct reply replies[] = {
		{ 200, NULL, "{\"data\":[1,2],\"meta\":{\"page\":{\"after\":\"c 2\"}}}", 0 },
		{ 429, "X-RateLimit-Reset: 0\r\n", "{\"errors\":[\"slow down\"]}", 0 },
		{ 200, NULL, "{\"data\":[3],\"meta\":{\"page\":{\"after\":\"c3\"}}}", 0 },
		{ 200, NULL, "{\"data\":[4,5,6],\"meta\":{\"page\":{}}}", 0 },
	};
	struct server s;
	struct fixture f;
	struct ddci_client c;
	struct count n = { 0 };
	struct ddci_pager p = { .call = { "GET", "/api/v2/list", NULL, DDCI_CALL_READ | DDCI_CALL_RETRY, NULL, NULL },
				.next = next_cursor, .on_page = count_items, .ctx = &n };

	(void)state;
	server_start(&s, replies, 4);
	fixture_port(&f, s.port, 10000, 3);
	ddci_client_init(&c, &f.cfg);
	assert_int_equal(ddci_client_paginate(&c, &p), 0);
	assert_int_equal(p.pages, 3);
	assert_int_equal(n.items, 6);
	assert_int_equal(s.served, 4);
	assert_non_null(strstr(s.reqs[0], "GET /api/v2/list HTTP/1.1"));
	/* The 429 was retried with the same cursor, not from the start. */
	assert_non_null(strstr(s.reqs[1], "GET /api/v2/list?page%5Bcursor%5D=c%202 HTTP/1.1"));
	assert_non_null(strstr(s.reqs[2], "GET /api/v2/list?page%5Bcursor%5D=c%202 HTTP/1.1"));
	assert_non_null(strstr(s.reqs[3], "GET /api/v2/list?page%5Bcursor%5D=c3 HTTP/1.1"));
	ddci_pager_release(&p);
	ddci_client_release(&c);
	server_stop(&s);
}

static int same_cursor(struct ddci_pager *p, const cJSON *page)
{
	(void)p;
	(void)page;
	return 1;
}

static int stop_after_one(void *ctx, const cJSON *page)
{
	(void)page;
	++*(int *)ctx;
	return 1;
}

static void test_client__paging_stops(void **state)
{
	static const struct reply replies[] = { { 200, NULL, "{\"data\":[]}", 0 } };
	struct server s;
	struct fixture f;
	struct ddci_client c;
	struct count n = { 0 };
	int seen = 0;
	struct ddci_pager p = { .call = { "GET", "/l", NULL, DDCI_CALL_READ, NULL, NULL }, .next = same_cursor,
				.on_page = count_items, .ctx = &n };

	(void)state;
	server_start(&s, replies, 1);
	fixture_port(&f, s.port, 10000, 3);
	ddci_client_init(&c, &f.cfg);
	/* A cursor that does not move is an error, not an endless loop. */
	assert_int_equal(ddci_client_paginate(&c, &p), DDCI_EPROTO);
	assert_non_null(strstr(ddci_error_last(), "repeats the previous cursor"));
	assert_int_equal(p.pages, 1);
	/* max_pages bounds the walk; on_page can stop it. */
	p.pages = 0;
	p.next = next_cursor;
	p.max_pages = 1;
	assert_int_equal(ddci_client_paginate(&c, &p), 0);
	assert_int_equal(p.pages, 1);
	p.pages = 0;
	p.max_pages = 0;
	p.on_page = stop_after_one;
	p.ctx = &seen;
	assert_int_equal(ddci_client_paginate(&c, &p), 0);
	assert_int_equal(seen, 1);
	ddci_pager_release(&p);
	ddci_client_release(&c);
	server_stop(&s);
}

static void test_client__paging_dry_run(void **state)
{
	struct fixture f;
	struct ddci_client c;
	struct count n = { 0 };
	struct ddci_pager p = { .call = { "GET", "/api/v2/list", NULL, DDCI_CALL_READ, NULL, NULL },
				.next = next_cursor, .on_page = count_items, .ctx = &n };
	char *text = NULL;
	size_t len = 0;

	(void)state;
	fixture_init(&f, "https://api.datadoghq.eu", 5000, 3);
	f.cfg.dry_run = 1;
	ddci_client_init(&c, &f.cfg);
	c.out = open_memstream(&text, &len);
	assert_int_equal(ddci_client_paginate(&c, &p), DDCI_DRY_RUN);
	fclose(c.out);
	assert_string_equal(text, "GET https://api.datadoghq.eu/api/v2/list\n");
	assert_int_equal(p.pages, 0);
	free(text);
	ddci_client_release(&c);
}

/* ddci_client_search_all: next(p, NULL) builds the first body too. */
static int next_body(struct ddci_pager *p, const cJSON *page)
{
	const char *after = NULL;
	cJSON *body;
	int rc;

	if (page && ((rc = ddci_json_get_str_opt(&after, page, "meta.page.after")) < 0 || !after))
		return rc;
	if (!page && *(int *)p->ctx < 0)
		return ddci_error_set(DDCI_EUSAGE, "no first body");
	if (!(body = cJSON_CreateObject()) || !cJSON_AddStringToObject(body, "cursor", after ? after : "first")) {
		cJSON_Delete(body);
		return ddci_error_oom();
	}
	ddci_pager_set_request(p, NULL, body);
	return 1;
}

static int count_pages(void *ctx, const cJSON *page)
{
	(void)page;
	++*(int *)ctx;
	return 0;
}

static void test_client__search_all_builds_every_body_in_next(void **state)
{
	static const struct reply replies[] = {
		{ 200, NULL, "{\"data\":[1],\"meta\":{\"page\":{\"after\":\"c2\"}}}", 0 },
		{ 200, NULL, "{\"data\":[2],\"meta\":{\"page\":{}}}", 0 },
	};
	struct server s;
	struct fixture f;
	struct ddci_client c;
	int seen = 0, pages = -1, fail = -1;
	struct ddci_pager p = { .call.path = "/api/v2/search", .next = next_body, .on_page = count_pages, .ctx = &seen };
	struct ddci_pager q = { .call.path = "/api/v2/search", .next = next_body, .ctx = &fail };

	(void)state;
	server_start(&s, replies, 2);
	fixture_port(&f, s.port, 10000, 3);
	ddci_client_init(&c, &f.cfg);
	assert_int_equal(ddci_client_search_all(&c, &p, "tests", &pages), 0);
	assert_int_equal(pages, 2);
	assert_int_equal(seen, 2);
	assert_int_equal(s.served, 2);
	assert_non_null(strstr(s.reqs[0], "POST /api/v2/search HTTP/1.1"));
	assert_non_null(strstr(s.reqs[0], "{\"cursor\":\"first\"}"));
	assert_non_null(strstr(s.reqs[1], "{\"cursor\":\"c2\"}"));
	assert_null(p.body_owned);
	/* A first body that cannot be built: its error, nothing sent. */
	assert_int_equal(ddci_client_search_all(&c, &q, "tests", &pages), DDCI_EUSAGE);
	assert_string_equal(ddci_error_last(), "no first body");
	assert_int_equal(pages, 0);
	assert_int_equal(s.served, 2);
	ddci_client_release(&c);
	server_stop(&s);
}

/* ---- spooling ---- */

static void test_client__spools_when_unavailable(void **state)
{
	struct fixture f;
	struct ddci_client c;
	cJSON *body = cJSON_CreateObject();
	struct ddci_call call = { "POST", "/api/v2/dora/deployment", body, DDCI_CALL_RETRY | DDCI_CALL_SPOOL,
				  "0123456789abcdef", "dora" };
	char dir[] = "/tmp/ddci-test-spool-XXXXXX";
	char path[256];
	const char *msg, *at;
	struct stat st;
	int port, fd = listen_loopback(&port, 0);

	(void)state;
	close(fd); /* connections refused */
	assert_non_null(mkdtemp(dir));
	assert_int_equal(ddci_json_add_str(body, "service", "shop"), 0);
	fixture_port(&f, port, 5000, 0);
	f.cfg.spool_dir = dir;
	ddci_client_init(&c, &f.cfg);
	assert_int_equal(ddci_client_call(NULL, &c, &call), DDCI_EUNAVAIL);
	msg = ddci_error_last();
	assert_non_null(strstr(msg, "cannot reach http://127.0.0.1:"));
	at = strstr(msg, "; event spooled to ");
	assert_non_null(at);
	assert_non_null(strstr(msg, ", deliver it later with ddci-flush"));
	/* The named file exists, is private, and holds no key. */
	at += strlen("; event spooled to ");
	assert_true(strlen(at) < sizeof(path));
	snprintf(path, sizeof(path), "%.*s", (int)(strstr(at, ", deliver") - at), at);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	{
		FILE *sf = fopen(path, "r");
		char content[4096];
		size_t got;

		assert_non_null(sf);
		got = fread(content, 1, sizeof(content) - 1, sf);
		content[got] = '\0';
		fclose(sf);
		assert_non_null(strstr(content, "shop"));
		assert_null(strstr(content, API_KEY));
		/* What the API module chose travels with the event. */
		assert_non_null(strstr(content, "\"family\":\"dora\""));
		assert_non_null(strstr(content, "\"auth\":\"api\""));
	}
	assert_int_equal(unlink(path), 0);

	/* Without DDCI_CALL_SPOOL nothing is written. */
	call.flags = DDCI_CALL_RETRY;
	assert_int_equal(ddci_client_call(NULL, &c, &call), DDCI_EUNAVAIL);
	assert_null(strstr(ddci_error_last(), "spooled"));
	assert_int_equal(rmdir(dir), 0);
	cJSON_Delete(body);
	ddci_client_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client__dry_run_prints_without_secrets),
		cmocka_unit_test(test_client__parses_response),
		cmocka_unit_test(test_client__non_json_success_is_a_protocol_error),
		cmocka_unit_test(test_client__rejection_passes_through),
		cmocka_unit_test(test_client__paginates_through_rate_limit),
		cmocka_unit_test(test_client__paging_stops),
		cmocka_unit_test(test_client__paging_dry_run),
		cmocka_unit_test(test_client__search_all_builds_every_body_in_next),
		cmocka_unit_test(test_client__spools_when_unavailable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
