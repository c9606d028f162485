/* test_http.c — backoff maths, Datadog's error text, URL escaping, and real
 * exchanges with a tiny scripted HTTP server on loopback (a thread here). */
#include <arpa/inet.h>
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
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "ddci/http.h"
#include "ddci/timeutil.h"

/* A request: method, path, body, DDCI_HTTP_* flags, rate-limit family. */
#define REQ(m, p, b, f, fam) (&(struct ddci_http_request){ (m), (p), (b), (f), (fam) })

#define API_KEY "testapikey1234abcd"
#define APP_KEY "testappkey5678efgh"

#include "scripted_server.h"

/* ---- exchanges ---- */

static void test_http__headers_and_keep_alive(void **state)
{
	static const struct reply replies[] = {
		{ 202, "Content-Type: application/json\r\nX-Request-Id: rid-1\r\n", "{\"data\":{\"id\":\"x\"}}", 0 },
	};
	struct server s;
	struct fixture f;
	struct ddci_http *h = NULL;
	struct ddci_http_response r;
	char *trace = NULL;
	size_t trace_len = 0;
	FILE *tf;

	(void)state;
	server_start(&s, replies, 1);
	fixture_port(&f, s.port, 5000, 3);
	assert_int_equal(ddci_http_new(&h, &f.cfg), 0);
	tf = open_memstream(&trace, &trace_len);
	ddci_http_set_trace(h, tf);

	assert_int_equal(ddci_http_send(&r, h, REQ("POST", "/api/v2/dora/deployment", "{\"a\":1}", 0, "dora")), 0);
	assert_int_equal(r.status, 202);
	assert_int_equal(r.attempts, 1);
	assert_string_equal(r.request_id, "rid-1");
	assert_string_equal(r.content_type, "application/json");
	assert_string_equal(ddci_buf_str(&r.body), "{\"data\":{\"id\":\"x\"}}");
	ddci_http_response_release(&r);

	assert_int_equal(ddci_http_send(&r, h, REQ("GET", "/api/v2/x?page=2", NULL, DDCI_HTTP_APP_KEY, NULL)), 0);
	ddci_http_response_release(&r);
	assert_int_equal(ddci_http_send(&r, h, REQ("DELETE", "/api/v2/y", NULL, 0, NULL)), 0);
	ddci_http_response_release(&r);
	fclose(tf);

	pthread_mutex_lock(&s.lock);
	assert_int_equal(s.served, 3);
	assert_int_equal(s.accepts, 1); /* one connection, kept alive */
	assert_non_null(strstr(s.reqs[0], "POST /api/v2/dora/deployment HTTP/1.1\r\n"));
	assert_non_null(strstr(s.reqs[0], "\r\nDD-API-KEY: " API_KEY "\r\n"));
	assert_null(strcasestr(s.reqs[0], "DD-APPLICATION-KEY"));
	assert_non_null(strstr(s.reqs[0], "\r\nContent-Type: application/json\r\n"));
	assert_non_null(strstr(s.reqs[0], "\r\nAccept: application/json\r\n"));
	assert_non_null(strstr(s.reqs[0], "\r\nUser-Agent: ddci/"));
	assert_non_null(strstr(s.reqs[0], "\r\n\r\n{\"a\":1}"));
	assert_non_null(strstr(s.reqs[1], "GET /api/v2/x?page=2 HTTP/1.1\r\n"));
	assert_non_null(strstr(s.reqs[1], "\r\nDD-APPLICATION-KEY: " APP_KEY "\r\n"));
	assert_non_null(strstr(s.reqs[1], "\r\nDD-API-KEY: " API_KEY "\r\n"));
	assert_non_null(strstr(s.reqs[2], "DELETE /api/v2/y HTTP/1.1\r\n"));
	pthread_mutex_unlock(&s.lock);

	/* The trace shows method, URL, status and request id, never a key. */
	assert_non_null(strstr(trace, "> POST http://127.0.0.1:"));
	assert_non_null(strstr(trace, "/api/v2/dora/deployment\n< 202 ("));
	assert_non_null(strstr(trace, "request id rid-1)"));
	assert_null(strstr(trace, API_KEY));
	assert_null(strstr(trace, APP_KEY));
	free(trace);
	ddci_http_free(h);
	server_stop(&s);
}

static void test_http__retries_5xx_then_succeeds(void **state)
{
	static const struct reply replies[] = {
		{ 503, NULL, "{\"errors\":[\"down\"]}", 0 },
		{ 503, NULL, "{\"errors\":[\"down\"]}", 0 },
		{ 200, NULL, "{}", 0 },
	};
	struct server s;
	struct fixture f;
	struct ddci_http *h = NULL;
	struct ddci_http_response r;

	(void)state;
	server_start(&s, replies, 3);
	fixture_port(&f, s.port, 10000, 3);
	assert_int_equal(ddci_http_new(&h, &f.cfg), 0);
	assert_int_equal(ddci_http_send(&r, h, REQ("POST", "/api/v2/dora/deployment", "{}", DDCI_HTTP_RETRY, "dora")), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.attempts, 3);
	assert_int_equal(s.served, 3);
	ddci_http_response_release(&r);
	ddci_http_free(h);
	server_stop(&s);
}

static void test_http__5xx_after_all_retries(void **state)
{
	static const struct reply replies[] = {
		{ 502, "x-request-id: r5\r\n", "{\"errors\":[\"bad gateway\"]}", 0 },
	};
	struct server s;
	struct fixture f;
	struct ddci_http *h = NULL;
	struct ddci_http_response r;

	(void)state;
	server_start(&s, replies, 1);
	fixture_port(&f, s.port, 20000, 2);
	assert_int_equal(ddci_http_new(&h, &f.cfg), 0);
	assert_int_equal(ddci_http_send(&r, h, REQ("POST", "/p", "{}", DDCI_HTTP_RETRY, NULL)), DDCI_EUNAVAIL);
	assert_int_equal(r.attempts, 3);
	assert_string_equal(ddci_error_last(),
			    "Datadog unavailable (HTTP 502) after 3 attempts: bad gateway (request id r5)");
	assert_string_equal(ddci_error_request_id(), "r5");
	ddci_http_response_release(&r);
	ddci_http_free(h);
	server_stop(&s);
}

static void test_http__400_is_not_retried(void **state)
{
	static const struct reply replies[] = {
		{ 400, "X-Request-ID: abc-123\r\nContent-Type: application/json\r\n",
		  "{\"errors\":[{\"status\":\"400\",\"title\":\"Bad Request\","
		  "\"detail\":\"Missing required attribute in body\","
		  "\"source\":{\"pointer\":\"/data/attributes/title\"}}]}", 0 },
		{ 200, NULL, "{}", 0 },
	};
	struct server s;
	struct fixture f;
	struct ddci_http *h = NULL;
	struct ddci_http_response r;

	(void)state;
	server_start(&s, replies, 2);
	fixture_port(&f, s.port, 10000, 3);
	assert_int_equal(ddci_http_new(&h, &f.cfg), 0);
	assert_int_equal(ddci_http_send(&r, h, REQ("POST", "/p", "{}", DDCI_HTTP_RETRY, NULL)), DDCI_EREJECT);
	assert_int_equal(r.status, 400);
	assert_int_equal(r.attempts, 1);
	assert_int_equal(s.served, 1);
	assert_string_equal(ddci_error_last(),
			    "Datadog rejected the request (HTTP 400): Bad Request: Missing required attribute "
			    "in body (/data/attributes/title) (request id abc-123)");
	assert_string_equal(ddci_error_request_id(), "abc-123");
	ddci_http_response_release(&r);
	ddci_http_free(h);
	server_stop(&s);
}

static void test_http__403_hints_at_keys(void **state)
{
	static const struct reply replies[] = { { 403, NULL, "{\"errors\":[\"Forbidden\"]}", 0 } };
	struct server s;
	struct fixture f;
	struct ddci_http *h = NULL;
	struct ddci_http_response r;

	(void)state;
	server_start(&s, replies, 1);
	fixture_port(&f, s.port, 10000, 3);
	assert_int_equal(ddci_http_new(&h, &f.cfg), 0);
	assert_int_equal(ddci_http_send(&r, h, REQ("GET", "/p", NULL, DDCI_HTTP_RETRY | DDCI_HTTP_APP_KEY, NULL)),
			 DDCI_EREJECT);
	assert_string_equal(ddci_error_last(), "Datadog rejected the request (HTTP 403): Forbidden; "
					       "check DD_API_KEY / DD_APP_KEY and DD_SITE");
	assert_null(strstr(ddci_error_last(), API_KEY));
	ddci_http_response_release(&r);
	ddci_http_free(h);
	server_stop(&s);
}

static void test_http__no_retry_without_flag(void **state)
{
	static const struct reply replies[] = {
		{ 503, NULL, "{\"errors\":[\"down\"]}", 0 },
		{ 200, NULL, "{}", 0 },
	};
	struct server s;
	struct fixture f;
	struct ddci_http *h = NULL;
	struct ddci_http_response r;

	(void)state;
	server_start(&s, replies, 2);
	fixture_port(&f, s.port, 10000, 3);
	assert_int_equal(ddci_http_new(&h, &f.cfg), 0);
	assert_int_equal(ddci_http_send(&r, h, REQ("POST", "/p", "{}", 0, NULL)), DDCI_EUNAVAIL);
	assert_int_equal(r.attempts, 1);
	assert_int_equal(s.served, 1);
	assert_string_equal(ddci_error_last(), "Datadog unavailable (HTTP 503): down");
	ddci_http_response_release(&r);
	ddci_http_free(h);
	server_stop(&s);
}

static void test_http__connection_refused(void **state)
{
	struct fixture f;
	struct ddci_http *h = NULL;
	struct ddci_http_response r;
	int port, fd = listen_loopback(&port, 0);

	(void)state;
	close(fd); /* bound, never listened: connections are refused */
	fixture_port(&f, port, 10000, 1);
	assert_int_equal(ddci_http_new(&h, &f.cfg), 0);
	assert_int_equal(ddci_http_send(&r, h, REQ("POST", "/p", "{}", DDCI_HTTP_RETRY, NULL)), DDCI_EUNAVAIL);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.attempts, 2);
	assert_non_null(strstr(ddci_error_last(), "cannot reach http://127.0.0.1:"));
	assert_non_null(strstr(ddci_error_last(), "after 2 attempts"));
	ddci_http_response_release(&r);
	ddci_http_free(h);
}

static void test_http__deadline_is_honoured(void **state)
{
	static const struct reply replies[] = { { 0, NULL, NULL, 1 } };
	struct server s;
	struct fixture f;
	struct ddci_http *h = NULL;
	struct ddci_http_response r;
	int64_t t0;

	(void)state;
	server_start(&s, replies, 1);
	fixture_port(&f, s.port, 1000, 3);
	assert_int_equal(ddci_http_new(&h, &f.cfg), 0);
	t0 = ddci_time_mono_ns();
	assert_int_equal(ddci_http_send(&r, h, REQ("POST", "/p", "{}", DDCI_HTTP_RETRY, NULL)), DDCI_EUNAVAIL);
	assert_true(elapsed_ms(t0) < 2000);
	assert_non_null(strstr(ddci_error_last(), "timed out after 1 s (--timeout)"));
	ddci_http_response_release(&r);
	ddci_http_free(h);
	server_stop(&s);
}

static void test_http__rate_limit_past_deadline_stops_at_once(void **state)
{
	static const struct reply replies[] = {
		{ 429, "Retry-After: 30\r\n", "{\"errors\":[\"Too many requests\"]}", 0 },
	};
	struct server s;
	struct fixture f;
	struct ddci_http *h = NULL;
	struct ddci_http_response r;
	int64_t t0;

	(void)state;
	server_start(&s, replies, 1);
	fixture_port(&f, s.port, 5000, 3);
	assert_int_equal(ddci_http_new(&h, &f.cfg), 0);
	t0 = ddci_time_mono_ns();
	assert_int_equal(ddci_http_send(&r, h, REQ("POST", "/p", "{}", DDCI_HTTP_RETRY, NULL)), DDCI_EUNAVAIL);
	assert_true(elapsed_ms(t0) < 1000);
	assert_int_equal(r.attempts, 1);
	assert_string_equal(ddci_error_last(), "rate limited by Datadog (HTTP 429): Too many requests; "
					       "the limit resets in 30 s, after --timeout (5 s) ends");
	ddci_http_response_release(&r);
	ddci_http_free(h);
	server_stop(&s);
}

static void test_http__rate_limit_reset_is_waited_for(void **state)
{
	static const struct reply replies[] = {
		{ 429, "X-RateLimit-Limit: 60\r\nX-RateLimit-Remaining: 0\r\nX-RateLimit-Reset: 0\r\n"
		       "X-RateLimit-Period: 1\r\n", "{}", 0 },
		{ 200, "X-RateLimit-Remaining: 59\r\n", "{}", 0 },
	};
	struct server s;
	struct fixture f;
	struct ddci_http *h = NULL;
	struct ddci_http_response r;

	(void)state;
	server_start(&s, replies, 2);
	fixture_port(&f, s.port, 1500, 3);
	assert_int_equal(ddci_http_new(&h, &f.cfg), 0);
	assert_int_equal(ddci_http_send(&r, h, REQ("GET", "/p", NULL, DDCI_HTTP_RETRY, NULL)), 0);
	assert_int_equal(r.attempts, 2);
	assert_int_equal(r.rl_remaining, 59);
	assert_int_equal(r.rl_limit, -1); /* headers of the last response only */
	ddci_http_response_release(&r);
	ddci_http_free(h);
	server_stop(&s);
}

static void test_http__rate_limit_is_retried_past_retries_until_served(void **state)
{
	static const struct reply replies[] = {
		{ 429, "X-RateLimit-Limit: 5\r\nX-RateLimit-Remaining: 0\r\nX-RateLimit-Reset: 0\r\n"
		       "X-RateLimit-Period: 1\r\n", "{\"errors\":[\"Too many requests\"]}", 0 },
		{ 429, "X-RateLimit-Reset: 0\r\n", "{}", 0 },
		{ 429, "Retry-After: 0\r\n", "{}", 0 },
		{ 200, "X-RateLimit-Limit: 5\r\nX-RateLimit-Remaining: 4\r\nX-RateLimit-Reset: 1\r\n", "{}", 0 },
	};
	struct server s;
	struct fixture f;
	struct ddci_http *h = NULL;
	struct ddci_http_response r;

	(void)state;
	server_start(&s, replies, 4);
	/* A deadline no loaded machine reaches: this test is about the count of
	 * attempts; cutting waits to the deadline has tests of its own. */
	fixture_port(&f, s.port, 60000, 1);
	assert_int_equal(ddci_http_new(&h, &f.cfg), 0);
	/* Without DDCI_HTTP_RETRY too: a 429 was not processed. */
	assert_int_equal(ddci_http_send(&r, h, REQ("POST", "/p", "{}", 0, NULL)), 0);
	assert_int_equal(r.attempts, 4); /* 3 rate limited + 1, with --retries 1 */
	ddci_http_response_release(&r);
	pthread_mutex_lock(&s.lock);
	assert_int_equal(s.served, 4);
	pthread_mutex_unlock(&s.lock);
	ddci_http_free(h);
	server_stop(&s);
}

static void test_http__rate_limit_waits_for_reset_plus_spread(void **state)
{
	static const struct reply replies[] = {
		{ 429, "X-RateLimit-Limit: 5\r\nX-RateLimit-Remaining: 0\r\nX-RateLimit-Reset: 1\r\n"
		       "X-RateLimit-Period: 1\r\n", "{}", 0 },
		{ 200, NULL, "{}", 0 },
	};
	long spreads[3];

	(void)state;
	/* Without shared state, a crowd released at once spreads: three
	 * clients do not retry at the same instant, and none before the window
	 * resets. */
	setenv("DDCI_RATE_SHARE", "0", 1);
	for (int i = 0; i < 3; i++) {
		struct server s;
		struct fixture f;
		struct ddci_http *h = NULL;
		struct ddci_http_response r;
		char *trace = NULL;
		const char *at;
		size_t trace_len = 0;
		FILE *tf;
		int64_t t0, ms;

		server_start(&s, replies, 2);
		fixture_port(&f, s.port, 1500, 3); /* the spread is cut to < 250 ms */
		assert_int_equal(ddci_http_new(&h, &f.cfg), 0);
		tf = open_memstream(&trace, &trace_len);
		ddci_http_set_trace(h, tf);
		t0 = ddci_time_mono_ns();
		assert_int_equal(ddci_http_send(&r, h, REQ("GET", "/p", NULL, DDCI_HTTP_RETRY, NULL)), 0);
		ms = elapsed_ms(t0);
		fclose(tf);
		assert_int_equal(r.attempts, 2);
		assert_true(ms >= 1000 && ms < 1500);
		at = strstr(trace, "(window resets in 1000 ms, spread ");
		assert_non_null(at);
		spreads[i] = strtol(at + 35, NULL, 10);
		assert_true(spreads[i] >= 0 && spreads[i] <= 250);
		free(trace);
		ddci_http_response_release(&r);
		ddci_http_free(h);
		server_stop(&s);
	}
	unsetenv("DDCI_RATE_SHARE");
	assert_true(spreads[0] != spreads[1] || spreads[1] != spreads[2]);
}

/* Two processes' handles (one after the other here: the scripted server
 * takes one connection at a time) share what the first learnt: the second
 * waits for the window to reset instead of spending a 429. */
static void test_http__shared_limit_paces_another_handle(void **state)
{
	static const struct reply replies[] = {
		{ 200, "X-RateLimit-Limit: 2\r\nX-RateLimit-Remaining: 1\r\nX-RateLimit-Reset: 1\r\n"
		       "X-RateLimit-Period: 1\r\n", "{}", 0 },
		{ 200, "X-RateLimit-Limit: 2\r\nX-RateLimit-Remaining: 0\r\nX-RateLimit-Reset: 1\r\n"
		       "X-RateLimit-Period: 1\r\n", "{}", 0 },
		{ 200, "X-RateLimit-Limit: 2\r\nX-RateLimit-Remaining: 1\r\nX-RateLimit-Reset: 1\r\n"
		       "X-RateLimit-Period: 1\r\n", "{}", 0 },
	};
	struct server s;
	struct fixture f;
	struct ddci_http *h = NULL;
	struct ddci_http_response r;
	char *trace = NULL;
	size_t trace_len = 0;
	FILE *tf;
	int64_t t0;

	(void)state;
	server_start(&s, replies, 3);
	fixture_port(&f, s.port, 8000, 3);
	assert_int_equal(ddci_http_new(&h, &f.cfg), 0);
	t0 = ddci_time_mono_ns();
	for (int i = 0; i < 2; i++) {
		assert_int_equal(ddci_http_send(&r, h, REQ("GET", "/api/v2/cases/aggregate", NULL, DDCI_HTTP_RETRY, "cases")), 0);
		ddci_http_response_release(&r);
	}
	assert_true(elapsed_ms(t0) < 500);
	ddci_http_free(h);
	assert_int_equal(ddci_http_new(&h, &f.cfg), 0);
	tf = open_memstream(&trace, &trace_len);
	ddci_http_set_trace(h, tf);
	assert_int_equal(ddci_http_send(&r, h, REQ("GET", "/api/v2/cases/aggregate", NULL, DDCI_HTTP_RETRY, "cases")), 0);
	fclose(tf);
	assert_true(elapsed_ms(t0) >= 900);
	assert_int_equal(r.attempts, 1);
	assert_non_null(strstr(trace, "for a request slot shared with the ddci processes on this machine"));
	free(trace);
	ddci_http_response_release(&r);
	ddci_http_free(h);
	pthread_mutex_lock(&s.lock);
	assert_int_equal(s.served, 3);
	pthread_mutex_unlock(&s.lock);
	server_stop(&s);
}

/* No slot before the deadline: said at once, without sending (exit 3). */
static void test_http__shared_limit_past_deadline_fails_fast(void **state)
{
	static const struct reply replies[] = {
		{ 200, "X-RateLimit-Limit: 1\r\nX-RateLimit-Remaining: 0\r\nX-RateLimit-Reset: 30\r\n"
		       "X-RateLimit-Period: 60\r\n", "{}", 0 },
		{ 429, "X-RateLimit-Limit: 1\r\nX-RateLimit-Remaining: 0\r\nX-RateLimit-Reset: 30\r\n"
		       "X-RateLimit-Period: 60\r\n", "{\"errors\":[\"Too many requests\"]}", 0 },
	};
	struct server s;
	struct fixture f;
	struct ddci_http *h = NULL;
	struct ddci_http_response r;
	int64_t t0;

	(void)state;
	server_start(&s, replies, 2);
	fixture_port(&f, s.port, 2000, 3);
	assert_int_equal(ddci_http_new(&h, &f.cfg), 0);
	assert_int_equal(ddci_http_send(&r, h, REQ("POST", "/api/v2/dora/deployment", "{}", DDCI_HTTP_RETRY, "dora")), 0);
	ddci_http_response_release(&r);
	t0 = ddci_time_mono_ns();
	assert_int_equal(ddci_http_send(&r, h, REQ("POST", "/api/v2/dora/deployment", "{}", DDCI_HTTP_RETRY, "dora")),
			 DDCI_EUNAVAIL);
	assert_true(elapsed_ms(t0) < 500);
	assert_int_equal(r.attempts, 0);
	assert_non_null(strstr(ddci_error_last(), "rate limited by Datadog: the next free request slot (shared by "
						  "the ddci processes on this machine) is in 3"));
	assert_non_null(strstr(ddci_error_last(), " s, after --timeout (2 s) ends"));
	ddci_http_response_release(&r);
	ddci_http_free(h);

	/* Another family is not held back; a 429 there past the deadline says
	 * so after that one attempt. */
	fixture_port(&f, s.port, 2000, 3);
	assert_int_equal(ddci_http_new(&h, &f.cfg), 0);
	assert_int_equal(ddci_http_send(&r, h, REQ("POST", "/api/v2/cases/aggregate", "{}", DDCI_HTTP_RETRY, "cases")),
			 DDCI_EUNAVAIL);
	assert_int_equal(r.attempts, 1);
	assert_non_null(strstr(ddci_error_last(), "rate limited by Datadog (HTTP 429): Too many requests; "
						  "the limit resets in 3"));
	assert_non_null(strstr(ddci_error_last(), " s, after --timeout (2 s) ends"));
	ddci_http_response_release(&r);
	ddci_http_free(h);
	server_stop(&s);
}

static void test_http__rate_limit_not_retried_with_retries_0(void **state)
{
	static const struct reply replies[] = {
		{ 429, "X-RateLimit-Reset: 0\r\n", "{\"errors\":[\"Too many requests\"]}", 0 },
	};
	struct server s;
	struct fixture f;
	struct ddci_http *h = NULL;
	struct ddci_http_response r;

	(void)state;
	server_start(&s, replies, 1);
	fixture_port(&f, s.port, 5000, 0);
	assert_int_equal(ddci_http_new(&h, &f.cfg), 0);
	assert_int_equal(ddci_http_send(&r, h, REQ("GET", "/p", NULL, DDCI_HTTP_RETRY, NULL)), DDCI_EUNAVAIL);
	assert_int_equal(r.attempts, 1);
	assert_string_equal(ddci_error_last(), "rate limited by Datadog (HTTP 429): Too many requests");
	ddci_http_response_release(&r);
	ddci_http_free(h);
	server_stop(&s);
}

static void test_http__empty_window_paces_the_next_request(void **state)
{
	static const struct reply replies[] = {
		{ 200, "X-RateLimit-Limit: 5\r\nX-RateLimit-Remaining: 0\r\nX-RateLimit-Reset: 1\r\n"
		       "X-RateLimit-Period: 1\r\n", "{}", 0 },
		{ 200, "X-RateLimit-Limit: 5\r\nX-RateLimit-Remaining: 4\r\nX-RateLimit-Reset: 1\r\n", "{}", 0 },
	};
	struct server s;
	struct fixture f;
	struct ddci_http *h = NULL;
	struct ddci_http_response r;
	int64_t t0;

	(void)state;
	server_start(&s, replies, 2);
	fixture_port(&f, s.port, 8000, 3);
	assert_int_equal(ddci_http_new(&h, &f.cfg), 0);
	assert_int_equal(ddci_http_send(&r, h, REQ("GET", "/p?page=1", NULL, DDCI_HTTP_RETRY, NULL)), 0);
	ddci_http_response_release(&r);
	t0 = ddci_time_mono_ns();
	/* No request left in the window: the next page waits for the reset
	 * instead of spending a 429. */
	assert_int_equal(ddci_http_send(&r, h, REQ("GET", "/p?page=2", NULL, DDCI_HTTP_RETRY, NULL)), 0);
	assert_true(elapsed_ms(t0) >= 1000);
	assert_int_equal(r.attempts, 1);
	ddci_http_response_release(&r);
	t0 = ddci_time_mono_ns();
	/* Plenty left and never limited: no wait. */
	assert_int_equal(ddci_http_send(&r, h, REQ("GET", "/p?page=3", NULL, DDCI_HTTP_RETRY, NULL)), 0);
	assert_true(elapsed_ms(t0) < 500);
	ddci_http_response_release(&r);
	ddci_http_free(h);
	server_stop(&s);
}

/* ---- pure functions ---- */

static void test_http__backoff_retry_after(void **state)
{
	char date[64];
	time_t t = time(NULL) + 30;
	struct tm tm;
	int64_t ms;

	(void)state;
	assert_int_equal(ddci_http_backoff_ms(1, 250, "7", 99, 1), 7000);
	assert_int_equal(ddci_http_backoff_ms(3, 250, " 0", -1, 1), 0);
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	ms = ddci_http_backoff_ms(1, 250, date, -1, 1);
	assert_true(ms >= 28000 && ms <= 31000);
	t = time(NULL) - 100;
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	assert_int_equal(ddci_http_backoff_ms(1, 250, date, -1, 1), 0);
	/* Unreadable: falls through to X-RateLimit-Reset. */
	ms = ddci_http_backoff_ms(1, 250, "soon", 4, 1);
	assert_true(ms >= 4000 && ms <= 5000);
}

static void test_http__backoff_ratelimit_reset_jitter(void **state)
{
	int64_t lo = INT64_MAX, hi = 0;

	(void)state;
	for (unsigned seed = 0; seed < 2000; seed++) {
		int64_t ms = ddci_http_backoff_ms(1, 250, NULL, 10, seed);

		lo = ms < lo ? ms : lo;
		hi = ms > hi ? ms : hi;
	}
	assert_true(lo >= 10000 && hi <= 11000 && hi > lo); /* min(1000 ms, 25%) */
	lo = INT64_MAX;
	hi = 0;
	for (unsigned seed = 0; seed < 2000; seed++) {
		int64_t ms = ddci_http_backoff_ms(1, 250, "", 2, seed);

		lo = ms < lo ? ms : lo;
		hi = ms > hi ? ms : hi;
	}
	assert_true(lo >= 2000 && hi <= 2500 && hi > 2250);
}

static void test_http__backoff_exponential_capped(void **state)
{
	(void)state;
	for (int attempt = 1; attempt <= 12; attempt++) {
		int64_t cap = attempt >= 6 ? 8000 : 250 << (attempt - 1), hi = 0;

		for (unsigned seed = 0; seed < 2000; seed++) {
			int64_t ms = ddci_http_backoff_ms(attempt, 250, NULL, -1, seed);

			assert_true(ms >= 0 && ms <= cap);
			hi = ms > hi ? ms : hi;
		}
		assert_true(hi > cap / 2); /* full jitter spans the range */
	}
}

static void test_http__error_text(void **state)
{
	char *t;

	(void)state;
	t = ddci_http_error_text("{\"errors\":[\"a\",\"b\"]}");
	assert_string_equal(t, "a; b");
	free(t);
	t = ddci_http_error_text("{\"errors\":[{\"status\":\"400\",\"title\":\"Bad Request\","
				 "\"detail\":\"Missing required attribute in body\","
				 "\"source\":{\"pointer\":\"/data/attributes/title\"}},"
				 "{\"title\":\"Conflict\"},{\"status\":\"500\"}]}");
	assert_string_equal(t, "Bad Request: Missing required attribute in body (/data/attributes/title); "
			       "Conflict");
	free(t);
	t = ddci_http_error_text("{\"errors\":[\"line\\none\"]}");
	assert_string_equal(t, "line one");
	free(t);
	assert_null(ddci_http_error_text("{\"errors\":[]}"));
	assert_null(ddci_http_error_text("{\"data\":{}}"));
	assert_null(ddci_http_error_text("<html>502 Bad Gateway</html>"));
	assert_null(ddci_http_error_text(""));
	assert_null(ddci_http_error_text(NULL));
}

static void test_http__url_escape(void **state)
{
	struct ddci_buf b = DDCI_BUF_INIT;

	(void)state;
	assert_int_equal(ddci_url_escape(&b, "a b/c?d=\xc3\xa9~-._&+"), 0);
	assert_string_equal(ddci_buf_str(&b), "a%20b%2Fc%3Fd%3D%C3%A9~-._%26%2B");
	ddci_buf_reset(&b);
	assert_int_equal(ddci_url_escape(&b, ""), 0);
	assert_string_equal(ddci_buf_str(&b), "");
	ddci_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http__backoff_retry_after),
		cmocka_unit_test(test_http__backoff_ratelimit_reset_jitter),
		cmocka_unit_test(test_http__backoff_exponential_capped),
		cmocka_unit_test(test_http__error_text),
		cmocka_unit_test(test_http__url_escape),
		cmocka_unit_test(test_http__headers_and_keep_alive),
		cmocka_unit_test(test_http__retries_5xx_then_succeeds),
		cmocka_unit_test(test_http__5xx_after_all_retries),
		cmocka_unit_test(test_http__400_is_not_retried),
		cmocka_unit_test(test_http__403_hints_at_keys),
		cmocka_unit_test(test_http__no_retry_without_flag),
		cmocka_unit_test(test_http__connection_refused),
		cmocka_unit_test(test_http__deadline_is_honoured),
		cmocka_unit_test(test_http__rate_limit_past_deadline_stops_at_once),
		cmocka_unit_test(test_http__rate_limit_reset_is_waited_for),
		cmocka_unit_test(test_http__rate_limit_is_retried_past_retries_until_served),
		cmocka_unit_test(test_http__rate_limit_waits_for_reset_plus_spread),
		cmocka_unit_test(test_http__rate_limit_not_retried_with_retries_0),
		cmocka_unit_test(test_http__empty_window_paces_the_next_request),
		cmocka_unit_test(test_http__shared_limit_paces_another_handle),
		cmocka_unit_test(test_http__shared_limit_past_deadline_fails_fast),
	};
	char dir[] = "/tmp/ddci-test-http-XXXXXX", cmd[64];
	int rc;

	/* Rate limits shared between the handles of this test only. */
	if (!mkdtemp(dir))
		return 1;
	setenv("DDCI_STATE_DIR", dir, 1);
	unsetenv("DDCI_RATE_SHARE");
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		rc = rc ? rc : 1;
	return rc;
}
