/*
 * fake-datadog: a real HTTP(S) server on libmicrohttpd that stands in for
 * Datadog's API v2 in ddci's tests and benchmarks.  This file holds the
 * command line, the daemon, the route table, authentication, rate limiting,
 * fault handling, the request log and the /_fake/ control endpoints.  Each
 * API lives in its own api_*.c file.  README.md documents the contract.
 */
#include "fd.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>

#define MAX_BODY (64u << 20)
#define DEFAULT_API_KEY "fakeapikey0000000000000000000000"
#define DEFAULT_APP_KEY "fakeappkey000000000000000000000000000000"

uint64_t fd_seed = 1;
int64_t fd_start_ms;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_int quitting;
static atomic_ullong request_ids;

static struct {
	char *api_key;
	char *app_key;
	FILE *log;
	int rate_n;
	int rate_secs;
	char base_url[64];
} cfg;

/* ---- request log and statistics (under lock) ---- */

static struct {
	char **lines;
	size_t n, cap;
	uint64_t requests;
	uint64_t by_status[600];
	uint64_t closed;
	int64_t window;
	uint64_t in_window;
	uint64_t max_in_window;
	int in_flight;
	int max_concurrent;
	uint64_t faults;
} logst;

static void log_clear(void)
{
	for (size_t i = 0; i < logst.n; i++)
		free(logst.lines[i]);
	free(logst.lines);
	memset(&logst, 0, sizeof logst);
}

/* ---- rate limiting: a fixed window per endpoint family ---- */

enum family { FAM_NONE = -1, FAM_DORA, FAM_FLAKY, FAM_TESTS, FAM_SYNTH, FAM_CASES, FAM_COUNT };
static const char *const family_names[FAM_COUNT] = {"dora", "flaky", "tests", "synthetics", "cases"};
static struct {
	int64_t start_ms;
	int used;
} buckets[FAM_COUNT];

static void rate_headers(struct fd_resp *resp, int fam, int remaining, int64_t reset_s)
{
	char v[32];
	snprintf(v, sizeof v, "%d", cfg.rate_n);
	fd_resp_header(resp, "X-RateLimit-Limit", v);
	snprintf(v, sizeof v, "%d", cfg.rate_secs);
	fd_resp_header(resp, "X-RateLimit-Period", v);
	snprintf(v, sizeof v, "%d", remaining);
	fd_resp_header(resp, "X-RateLimit-Remaining", v);
	snprintf(v, sizeof v, "%" PRId64, reset_s);
	fd_resp_header(resp, "X-RateLimit-Reset", v);
	fd_resp_header(resp, "X-RateLimit-Name", family_names[fam]);
}

/* 1 when the request may go on; sets the headers either way. */
static int rate_take(int fam, struct fd_resp *resp)
{
	if (cfg.rate_n <= 0 || fam == FAM_NONE)
		return 1;
	int64_t now = fd_now_ms();
	int64_t period = (int64_t)cfg.rate_secs * 1000;
	if (buckets[fam].start_ms == 0 || now - buckets[fam].start_ms >= period) {
		buckets[fam].start_ms = now;
		buckets[fam].used = 0;
	}
	int64_t left_ms = buckets[fam].start_ms + period - now;
	int64_t reset_s = (left_ms + 999) / 1000;
	if (reset_s < 1)
		reset_s = 1;
	if (buckets[fam].used >= cfg.rate_n) {
		fd_resp_error(resp, 429, "Too many requests");
		rate_headers(resp, fam, 0, reset_s);
		return 0;
	}
	buckets[fam].used++;
	rate_headers(resp, fam, cfg.rate_n - buckets[fam].used, reset_s);
	return 1;
}

/* ---- routes ---- */

struct route {
	const char *method;
	const char *pattern; /* '*' = one path segment, captured */
	fd_handler handler;
	enum family fam;
	int app_key;
};

static const struct route routes[] = {
	{"POST", "/api/v2/dora/deployment", fd_dora_post_deployment, FAM_DORA, 0},
	{"POST", "/api/v2/dora/failure", fd_dora_post_failure, FAM_DORA, 0},
	{"POST", "/api/v2/dora/incident", fd_dora_post_failure, FAM_DORA, 0},
	{"POST", "/api/v2/dora/deployments", fd_dora_list_deployments, FAM_DORA, 1},
	{"POST", "/api/v2/dora/failures", fd_dora_list_failures, FAM_DORA, 1},
	{"GET", "/api/v2/dora/deployments/*", fd_dora_get_deployment, FAM_DORA, 1},
	{"GET", "/api/v2/dora/failures/*", fd_dora_get_failure, FAM_DORA, 1},
	{"PATCH", "/api/v2/dora/deployments/*", fd_dora_patch_deployment, FAM_DORA, 1},
	{"DELETE", "/api/v2/dora/deployment/*", fd_dora_delete_deployment, FAM_DORA, 1},
	{"DELETE", "/api/v2/dora/deployments/*", fd_dora_delete_deployment, FAM_DORA, 1},
	{"DELETE", "/api/v2/dora/failure/*", fd_dora_delete_failure, FAM_DORA, 1},
	{"DELETE", "/api/v2/dora/failures/*", fd_dora_delete_failure, FAM_DORA, 1},
	{"POST", "/api/v2/test/flaky-test-management/tests", fd_flaky_search, FAM_FLAKY, 1},
	{"PATCH", "/api/v2/test/flaky-test-management/tests", fd_flaky_update, FAM_FLAKY, 1},
	{"GET", "/api/v2/ci/tests/events", fd_tests_list, FAM_TESTS, 1},
	{"POST", "/api/v2/ci/tests/events/search", fd_tests_search, FAM_TESTS, 1},
	{"POST", "/api/v2/ci/tests/analytics/aggregate", fd_tests_aggregate, FAM_TESTS, 1},
	{"GET", "/api/v2/synthetics/tests/*/version_history", fd_synth_history, FAM_SYNTH, 1},
	{"POST", "/api/v2/cases/aggregate", fd_cases_aggregate, FAM_CASES, 1},
};

static int pattern_match(const char *pattern, const char *path, struct fd_req *req)
{
	int np = 0;
	const char *p = pattern, *s = path;
	while (*p && *s) {
		if (*p == '*') {
			const char *e = strchr(s, '/');
			size_t n = e ? (size_t)(e - s) : strlen(s);
			if (n == 0 || n >= sizeof req->params[0] || np >= FD_MAX_PARAMS)
				return 0;
			memcpy(req->params[np], s, n);
			req->params[np][n] = '\0';
			np++;
			s += n;
			p++;
			continue;
		}
		if (*p != *s)
			return 0;
		p++;
		s++;
	}
	if (*s == '/' && s[1] == '\0')
		s++;
	return *p == '\0' && *s == '\0';
}

/* The route for method+path; *known is set when the path exists at all. */
static const struct route *route_find(const char *method, const char *path, struct fd_req *req, int *known)
{
	*known = 0;
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		if (!pattern_match(routes[i].pattern, path, req))
			continue;
		*known = 1;
		if (strcmp(routes[i].method, method) == 0)
			return &routes[i];
	}
	return NULL;
}

/* ---- per-connection request context ---- */

struct ctx {
	char *uri;
	struct fd_buf body;
	int too_big;
	int started;
	int64_t t_ns;
};

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	(void)cls;
	(void)c;
	struct ctx *x = calloc(1, sizeof *x);
	if (!x)
		abort();
	x->uri = strdup(uri ? uri : "");
	if (!x->uri)
		abort();
	x->t_ns = fd_now_ns();
	return x;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	struct ctx *x = *con_cls;
	if (!x)
		return;
	free(x->uri);
	fd_buf_release(&x->body);
	free(x);
	*con_cls = NULL;
}

/* Sleeps up to ms; returns 1 early when the client hung up or we are quitting. */
static int wait_ms(struct MHD_Connection *c, int ms)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	int fd = ci ? ci->connect_fd : -1;
	int64_t end = fd_now_ms() + ms;
	for (;;) {
		if (atomic_load(&quitting))
			return 1;
		int64_t left = end - fd_now_ms();
		if (left <= 0)
			return 0;
		int slice = left > 100 ? 100 : (int)left;
		if (fd >= 0) {
			struct pollfd p = {.fd = fd, .events = POLLRDHUP};
			int r = poll(&p, 1, slice);
			if (r > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)))
				return 1;
		} else {
			struct timespec ts = {0, (long)slice * 1000000L};
			nanosleep(&ts, NULL);
		}
	}
}

struct trickle {
	char *body;
	size_t len;
	int ms;
};

static ssize_t trickle_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct trickle *t = cls;
	if (pos >= t->len)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (max == 0)
		return 0;
	int64_t end = fd_now_ms() + t->ms;
	while (fd_now_ms() < end) {
		if (atomic_load(&quitting))
			return MHD_CONTENT_READER_END_WITH_ERROR;
		int64_t left = end - fd_now_ms();
		struct timespec ts = {0, (long)(left > 50 ? 50 : left) * 1000000L};
		nanosleep(&ts, NULL);
	}
	buf[0] = t->body[pos];
	return 1;
}

static void trickle_free(void *cls)
{
	struct trickle *t = cls;
	free(t->body);
	free(t);
}

/* ---- the API pipeline: auth, rate limit, route, handler ---- */

struct auth {
	int api_ok;
	int app_present;
	int app_ok;
};

static void process(struct fd_req *req, const struct auth *au, struct fd_resp *resp, int *handled)
{
	int known = 0;
	const struct route *rt = route_find(req->method, req->path, req, &known);
	if (!au->api_ok) {
		fd_resp_error(resp, 403, "Forbidden");
		return;
	}
	if (!known) {
		fd_resp_error(resp, 404, "Not found");
		return;
	}
	if (!rt) {
		fd_resp_error(resp, 405, "Method Not Allowed");
		return;
	}
	if (rt->app_key && !au->app_ok) {
		fd_resp_error(resp, 403, "Forbidden");
		return;
	}
	if (!rate_take(rt->fam, resp))
		return;
	rt->handler(req, resp);
	*handled = 1;
	/* keep the rate-limit headers set before the handler */
}

static void log_request(const struct fd_req *req, const struct ctx *x, struct MHD_Connection *c,
			const struct auth *au, int status, const char *fault, int handled, const char *request_id)
{
	const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
	const char *ua = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "User-Agent");
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "t", fd_json_int(x->t_ns));
	cJSON_AddStringToObject(o, "method", req->method);
	cJSON_AddStringToObject(o, "path", req->path);
	cJSON_AddStringToObject(o, "query", req->query);
	if (ct)
		cJSON_AddStringToObject(o, "content_type", ct);
	else
		cJSON_AddNullToObject(o, "content_type");
	if (ua)
		cJSON_AddStringToObject(o, "user_agent", ua);
	else
		cJSON_AddNullToObject(o, "user_agent");
	cJSON_AddBoolToObject(o, "api_key_ok", au->api_ok);
	cJSON_AddBoolToObject(o, "app_key_present", au->app_present);
	cJSON_AddBoolToObject(o, "app_key_ok", au->app_ok);
	if (req->json)
		cJSON_AddItemToObject(o, "body", cJSON_Duplicate(req->json, 1));
	else if (req->body_len) {
		char *raw = malloc(req->body_len + 1);
		if (!raw)
			abort();
		memcpy(raw, req->body, req->body_len);
		raw[req->body_len] = '\0';
		cJSON_AddStringToObject(o, "body", raw);
		free(raw);
	} else
		cJSON_AddNullToObject(o, "body");
	if (status > 0)
		cJSON_AddItemToObject(o, "status", fd_json_int(status));
	else
		cJSON_AddNullToObject(o, "status");
	if (fault)
		cJSON_AddStringToObject(o, "fault", fault);
	else
		cJSON_AddNullToObject(o, "fault");
	cJSON_AddBoolToObject(o, "handled", handled);
	cJSON_AddStringToObject(o, "request_id", request_id);
	char *line = fd_print(o);
	cJSON_Delete(o);

	pthread_mutex_lock(&lock);
	if (logst.n == logst.cap) {
		size_t cap = logst.cap ? logst.cap * 2 : 256;
		char **nl = realloc(logst.lines, cap * sizeof *nl);
		if (!nl)
			abort();
		logst.lines = nl;
		logst.cap = cap;
	}
	logst.lines[logst.n++] = line;
	if (status >= 100 && status < 600)
		logst.by_status[status]++;
	else
		logst.closed++;
	if (fault)
		logst.faults++;
	if (cfg.log) {
		fputs(line, cfg.log);
		fputc('\n', cfg.log);
		fflush(cfg.log);
	}
	pthread_mutex_unlock(&lock);
}

static enum MHD_Result send_resp(struct MHD_Connection *c, struct fd_resp *resp, const char *request_id,
				 struct trickle *tr)
{
	struct MHD_Response *r;
	if (tr) {
		r = MHD_create_response_from_callback(tr->len, 1, trickle_read, tr, trickle_free);
	} else if (resp->body && resp->len) {
		r = MHD_create_response_from_buffer(resp->len, resp->body, MHD_RESPMEM_MUST_FREE);
		resp->body = NULL;
		resp->len = 0;
	} else {
		r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	}
	if (!r) {
		if (tr)
			trickle_free(tr);
		return MHD_NO;
	}
	if (resp->ctype)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp->ctype);
	MHD_add_response_header(r, "x-request-id", request_id);
	for (int i = 0; i < resp->nhdr; i++)
		MHD_add_response_header(r, resp->hname[i], resp->hvalue[i]);
	enum MHD_Result ret = MHD_queue_response(c, (unsigned)resp->status, r);
	MHD_destroy_response(r);
	return ret;
}

/* ---- control endpoints ---- */

static void control(struct fd_req *req, struct fd_resp *resp)
{
	const char *m = req->method, *p = req->path;
	char err[512] = "";
	int is_post = strcmp(m, "POST") == 0, is_get = strcmp(m, "GET") == 0;
	if ((is_post || (strcmp(m, "DELETE") != 0 && !is_get)) && req->json_invalid) {
		fd_resp_error(resp, 400, "body: invalid JSON");
		return;
	}
	pthread_mutex_lock(&lock);
	if (is_get && strcmp(p, "/_fake/health") == 0) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddBoolToObject(o, "ok", 1);
		fd_resp_json(resp, 200, o);
	} else if (strcmp(p, "/_fake/faults") == 0 && is_post) {
		int queued = 0;
		if (fd_faults_add(req->json, &queued, err, sizeof err) != 0) {
			fd_resp_error(resp, 400, "%s", err);
		} else {
			cJSON *o = fd_faults_json();
			cJSON_AddItemToObject(o, "queued", fd_json_int(queued));
			fd_resp_json(resp, 200, o);
		}
	} else if (strcmp(p, "/_fake/faults") == 0 && is_get) {
		fd_resp_json(resp, 200, fd_faults_json());
	} else if (strcmp(p, "/_fake/faults") == 0 && strcmp(m, "DELETE") == 0) {
		fd_faults_clear();
		fd_resp_json(resp, 200, fd_faults_json());
	} else if (strcmp(p, "/_fake/state") == 0 && is_get) {
		cJSON *o = cJSON_CreateObject();
		fd_dora_state(o);
		fd_flaky_state(o);
		fd_tests_state(o);
		fd_synth_state(o);
		fd_cases_state(o);
		fd_resp_json(resp, 200, o);
	} else if (strcmp(p, "/_fake/reset") == 0 && is_post) {
		fd_dora_reset();
		fd_flaky_reset();
		fd_faults_clear();
		log_clear();
		memset(buckets, 0, sizeof buckets);
		cJSON *o = cJSON_CreateObject();
		cJSON_AddBoolToObject(o, "ok", 1);
		fd_resp_json(resp, 200, o);
	} else if (strcmp(p, "/_fake/requests") == 0 && is_get) {
		char *filter = fd_query_get(req->query, "path");
		char *mfilter = fd_query_get(req->query, "method");
		struct fd_buf b = {0};
		fd_buf_adds(&b, "[");
		int first = 1;
		for (size_t i = 0; i < logst.n; i++) {
			if (filter || mfilter) {
				cJSON *o = cJSON_Parse(logst.lines[i]);
				const char *lp = fd_json_str(o, "path"), *lm = fd_json_str(o, "method");
				int keep = (!filter || (lp && strstr(lp, filter))) &&
					   (!mfilter || (lm && strcasecmp(lm, mfilter) == 0));
				cJSON_Delete(o);
				if (!keep)
					continue;
			}
			if (!first)
				fd_buf_adds(&b, ",");
			fd_buf_adds(&b, logst.lines[i]);
			first = 0;
		}
		fd_buf_adds(&b, "]");
		free(filter);
		free(mfilter);
		fd_resp_release(resp);
		resp->status = 200;
		resp->ctype = "application/json";
		resp->body = b.p;
		resp->len = b.len;
	} else if (strcmp(p, "/_fake/stats") == 0 && is_get) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddItemToObject(o, "requests", fd_json_int((int64_t)logst.requests));
		cJSON *bs = cJSON_AddObjectToObject(o, "by_status");
		for (int s = 100; s < 600; s++) {
			if (logst.by_status[s]) {
				char k[8];
				snprintf(k, sizeof k, "%d", s);
				cJSON_AddItemToObject(bs, k, fd_json_int((int64_t)logst.by_status[s]));
			}
		}
		if (logst.closed)
			cJSON_AddItemToObject(bs, "closed", fd_json_int((int64_t)logst.closed));
		cJSON_AddItemToObject(o, "max_in_window", fd_json_int((int64_t)logst.max_in_window));
		cJSON_AddItemToObject(o, "window_seconds", fd_json_int(cfg.rate_n > 0 ? cfg.rate_secs : 1));
		cJSON_AddItemToObject(o, "in_flight", fd_json_int(logst.in_flight));
		cJSON_AddItemToObject(o, "max_concurrent", fd_json_int(logst.max_concurrent));
		cJSON_AddItemToObject(o, "faults", fd_json_int((int64_t)logst.faults));
		fd_resp_json(resp, 200, o);
	} else if (is_post && strcmp(p, "/_fake/flaky-tests") == 0) {
		if (fd_flaky_load(req->json, err, sizeof err) != 0)
			fd_resp_error(resp, 400, "%s", err);
		else
			fd_resp_json(resp, 200, cJSON_CreateObject());
	} else if (is_post && strcmp(p, "/_fake/test-events") == 0) {
		if (fd_tests_load(req->json, err, sizeof err) != 0)
			fd_resp_error(resp, 400, "%s", err);
		else
			fd_resp_json(resp, 200, cJSON_CreateObject());
	} else if (is_post && strcmp(p, "/_fake/cases") == 0) {
		if (fd_cases_load(req->json, err, sizeof err) != 0)
			fd_resp_error(resp, 400, "%s", err);
		else
			fd_resp_json(resp, 200, cJSON_CreateObject());
	} else if (is_post && pattern_match("/_fake/synthetics/*/versions", p, req)) {
		if (fd_synth_load(req->params[0], req->json, err, sizeof err) != 0)
			fd_resp_error(resp, 400, "%s", err);
		else
			fd_resp_json(resp, 200, cJSON_CreateObject());
	} else {
		fd_resp_error(resp, 404, "unknown control endpoint %s %s", m, p);
	}
	pthread_mutex_unlock(&lock);
}

/* ---- the MHD access handler ---- */

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	(void)cls;
	(void)version;
	struct ctx *x = *con_cls;
	if (!x) {
		x = on_uri(NULL, url, c);
		*con_cls = x;
	}
	if (!x->started) {
		x->started = 1;
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (x->body.len + *upload_data_size > MAX_BODY)
			x->too_big = 1;
		else
			fd_buf_add(&x->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}

	char request_id[32];
	snprintf(request_id, sizeof request_id, "fake-%llu", (unsigned long long)atomic_fetch_add(&request_ids, 1) + 1);

	const char *q = strchr(x->uri, '?');
	struct fd_req req = {0};
	req.method = method;
	req.path = url;
	req.query = q ? q + 1 : "";
	req.body = x->body.p ? x->body.p : "";
	req.body_len = x->body.len;
	req.base_url = cfg.base_url;
	if (req.body_len) {
		req.json = fd_json_parse(req.body, req.body_len);
		req.json_invalid = req.json == NULL;
	}
	struct fd_resp resp = {.status = 500};

	if (x->too_big) {
		fd_resp_error(&resp, 413, "Payload Too Large");
		cJSON_Delete(req.json);
		return send_resp(c, &resp, request_id, NULL);
	}

	if (strncmp(url, "/_fake/", 7) == 0) {
		control(&req, &resp);
		cJSON_Delete(req.json);
		return send_resp(c, &resp, request_id, NULL);
	}

	const char *api = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "DD-API-KEY");
	const char *app = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "DD-APPLICATION-KEY");
	struct auth au = {
		.api_ok = api && strcmp(api, cfg.api_key) == 0,
		.app_present = app != NULL,
		.app_ok = app && strcmp(app, cfg.app_key) == 0,
	};

	struct fd_fault_hit hit = {0};
	pthread_mutex_lock(&lock);
	logst.requests++;
	int64_t w = fd_now_ms() / ((cfg.rate_n > 0 ? cfg.rate_secs : 1) * 1000LL);
	if (w != logst.window) {
		logst.window = w;
		logst.in_window = 0;
	}
	if (++logst.in_window > logst.max_in_window)
		logst.max_in_window = logst.in_window;
	if (++logst.in_flight > logst.max_concurrent)
		logst.max_concurrent = logst.in_flight;
	int faulted = fd_fault_take(method, url, &hit);
	pthread_mutex_unlock(&lock);

	int handled = 0, status = 0, drop = 0;
	struct trickle *tr = NULL;
	const char *fault = faulted ? fd_fault_name(hit.action) : NULL;
	enum fd_fault_action act = faulted ? hit.action : FD_FAULT_NONE;

#define RUN()                                                   \
	do {                                                    \
		pthread_mutex_lock(&lock);                      \
		process(&req, &au, &resp, &handled);            \
		pthread_mutex_unlock(&lock);                    \
	} while (0)

	switch (act) {
	case FD_FAULT_STATUS:
		if (hit.body)
			fd_resp_text(&resp, hit.status, "application/json", hit.body);
		else
			fd_resp_error(&resp, hit.status, "%s", fd_status_reason(hit.status));
		for (int i = 0; i < hit.nhdr; i++)
			fd_resp_header(&resp, hit.hname[i], hit.hvalue[i]);
		break;
	case FD_FAULT_CLOSE:
		if (hit.before)
			RUN();
		drop = 1;
		break;
	case FD_FAULT_HANG:
		wait_ms(c, hit.ms);
		drop = 1;
		break;
	case FD_FAULT_DELAY:
		if (hit.before)
			RUN();
		if (wait_ms(c, hit.ms))
			drop = 1;
		else if (!hit.before)
			RUN();
		break;
	case FD_FAULT_PARTIAL:
		req.partial = 1;
		RUN();
		break;
	default:
		RUN();
		break;
	}
#undef RUN

	if (!drop) {
		switch (act) {
		case FD_FAULT_TRICKLE:
			tr = calloc(1, sizeof *tr);
			if (!tr)
				abort();
			tr->body = resp.body;
			tr->len = resp.len;
			tr->ms = hit.ms;
			resp.body = NULL;
			resp.len = 0;
			if (!tr->body) {
				free(tr);
				tr = NULL;
			}
			break;
		case FD_FAULT_TRUNCATE:
			resp.len /= 2;
			break;
		case FD_FAULT_CONTENT_TYPE:
			fd_resp_text(&resp, resp.status, "text/html",
				     "<!DOCTYPE html>\n<html><head><title>Maintenance</title></head>"
				     "<body><h1>We'll be right back</h1></body></html>\n");
			break;
		case FD_FAULT_SHAPE:
			fd_resp_text(&resp, resp.status, "application/json",
				     hit.body ? hit.body : "{\"data\":\"unexpected\"}");
			break;
		default:
			break;
		}
		status = resp.status;
	}

	log_request(&req, x, c, &au, drop ? 0 : status, fault, handled, request_id);
	pthread_mutex_lock(&lock);
	logst.in_flight--;
	pthread_mutex_unlock(&lock);
	fd_fault_hit_release(&hit);
	cJSON_Delete(req.json);

	if (drop) {
		fd_resp_release(&resp);
		return MHD_NO;
	}
	return send_resp(c, &resp, request_id, tr);
}

/* ---- startup ---- */

/* libmicrohttpd's messages on stderr, minus the one every "close" fault causes. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	char msg[1024];
	vsnprintf(msg, sizeof msg, fmt, ap);
	if (strstr(msg, "Application reported internal error"))
		return;
	fprintf(stderr, "fake-datadog: libmicrohttpd: %s", msg);
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct fd_buf b = {0};
	char tmp[4096];
	size_t n;
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
		fd_buf_add(&b, tmp, n);
	fclose(f);
	if (!b.p)
		return strdup("");
	return b.p;
}

static int write_port_file(const char *path, unsigned port)
{
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "w");
	if (!f)
		return -1;
	fprintf(f, "%u\n", port);
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

static void usage(FILE *out)
{
	fputs("usage: fake-datadog [--port N] [--port-file FILE] [--log FILE] [--api-key KEY] [--app-key KEY]\n"
	      "                    [--tls-cert PEM --tls-key PEM] [--seed N] [--flaky-generate N]\n"
	      "                    [--events-generate N] [--synthetics-generate N] [--cases-generate N]\n"
	      "                    [--rate-limit N/SECONDS] [--dora-generate N] [--dora-generate-span SECONDS]\n"
	      "                    [--dora-documented] [--dora-time-strings]\n"
	      "a fake Datadog API v2 server for tests; see tests/fake-datadog/README.md\n",
	      out);
}

static int parse_count(const char *flag, const char *v, long max, long *out)
{
	char *end = NULL;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || !end || *end || end == v || n < 0 || n > max) {
		fprintf(stderr, "fake-datadog: invalid %s '%s': expected an integer 0..%ld\n", flag, v, max);
		return -1;
	}
	*out = n;
	return 0;
}

int main(int argc, char **argv)
{
	enum { O_PORT = 1, O_PORTFILE, O_LOG, O_APIKEY, O_APPKEY, O_CERT, O_KEY, O_SEED, O_FLAKY, O_EVENTS,
	       O_SYNTH, O_CASES, O_RATE, O_DORA_GEN, O_DORA_SPAN, O_DORA_DOC, O_DORA_STR, O_HELP };
	static const struct option opts[] = {
		{"port", required_argument, NULL, O_PORT},
		{"port-file", required_argument, NULL, O_PORTFILE},
		{"log", required_argument, NULL, O_LOG},
		{"api-key", required_argument, NULL, O_APIKEY},
		{"app-key", required_argument, NULL, O_APPKEY},
		{"tls-cert", required_argument, NULL, O_CERT},
		{"tls-key", required_argument, NULL, O_KEY},
		{"seed", required_argument, NULL, O_SEED},
		{"flaky-generate", required_argument, NULL, O_FLAKY},
		{"events-generate", required_argument, NULL, O_EVENTS},
		{"synthetics-generate", required_argument, NULL, O_SYNTH},
		{"cases-generate", required_argument, NULL, O_CASES},
		{"rate-limit", required_argument, NULL, O_RATE},
		{"dora-generate", required_argument, NULL, O_DORA_GEN},
		{"dora-generate-span", required_argument, NULL, O_DORA_SPAN},
		{"dora-documented", no_argument, NULL, O_DORA_DOC},
		{"dora-time-strings", no_argument, NULL, O_DORA_STR},
		{"help", no_argument, NULL, O_HELP},
		{NULL, 0, NULL, 0},
	};
	long port = 0, seed = 1, nflaky = 0, nevents = 0, nsynth = 0, ncases = 0, ndora = 0, dora_span = 29 * 86400;
	const char *port_file = NULL, *log_path = NULL, *cert_path = NULL, *key_path = NULL;
	const char *api_key = DEFAULT_API_KEY, *app_key = DEFAULT_APP_KEY;
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_PORT:
			if (parse_count("--port", optarg, 65535, &port))
				return 2;
			break;
		case O_PORTFILE: port_file = optarg; break;
		case O_LOG: log_path = optarg; break;
		case O_APIKEY: api_key = optarg; break;
		case O_APPKEY: app_key = optarg; break;
		case O_CERT: cert_path = optarg; break;
		case O_KEY: key_path = optarg; break;
		case O_SEED:
			if (parse_count("--seed", optarg, 0x7fffffffL, &seed))
				return 2;
			break;
		case O_FLAKY:
			if (parse_count("--flaky-generate", optarg, 10000000, &nflaky))
				return 2;
			break;
		case O_EVENTS:
			if (parse_count("--events-generate", optarg, 10000000, &nevents))
				return 2;
			break;
		case O_SYNTH:
			if (parse_count("--synthetics-generate", optarg, 1000000, &nsynth))
				return 2;
			break;
		case O_CASES:
			if (parse_count("--cases-generate", optarg, 10000000, &ncases))
				return 2;
			break;
		case O_RATE: {
			int n = 0, s = 0, k = 0;
			if (sscanf(optarg, "%d/%d%n", &n, &s, &k) != 2 || optarg[k] || n < 1 || s < 1) {
				fprintf(stderr, "fake-datadog: invalid --rate-limit '%s': expected N/SECONDS\n", optarg);
				return 2;
			}
			cfg.rate_n = n;
			cfg.rate_secs = s;
			break;
		}
		case O_DORA_GEN:
			if (parse_count("--dora-generate", optarg, 1000000, &ndora))
				return 2;
			break;
		case O_DORA_SPAN:
			if (parse_count("--dora-generate-span", optarg, 3650L * 86400, &dora_span))
				return 2;
			break;
		case O_DORA_DOC: fd_dora_documented = 1; break;
		case O_DORA_STR: fd_dora_time_strings = 1; break;
		case O_HELP: usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "fake-datadog: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (!cert_path != !key_path) {
		fprintf(stderr, "fake-datadog: --tls-cert and --tls-key go together\n");
		return 2;
	}

	int rc = 1;
	char *cert = NULL, *key = NULL;
	struct MHD_Daemon *d = NULL;
	fd_seed = (uint64_t)seed;
	fd_start_ms = fd_now_ms();
	cfg.api_key = strdup(api_key);
	cfg.app_key = strdup(app_key);
	if (log_path) {
		cfg.log = fopen(log_path, "a");
		if (!cfg.log) {
			fprintf(stderr, "fake-datadog: cannot open --log '%s': %s\n", log_path, strerror(errno));
			goto done;
		}
	}
	if (cert_path) {
		cert = read_file(cert_path);
		key = read_file(key_path);
		if (!cert || !key) {
			fprintf(stderr, "fake-datadog: cannot read --tls-cert/--tls-key: %s\n", strerror(errno));
			goto done;
		}
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			fprintf(stderr, "fake-datadog: libmicrohttpd was built without TLS\n");
			goto done;
		}
	}
	if (nflaky)
		fd_flaky_generate((int)nflaky);
	if (nevents)
		fd_tests_generate((int)nevents);
	if (nsynth)
		fd_synth_generate((int)nsynth);
	if (ncases)
		fd_cases_generate((int)ncases);
	if (ndora)
		fd_dora_generate((int)ndora, dora_span);

	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct sockaddr_in sa = {0};
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	struct MHD_OptionItem ops[16];
	int no = 0;
	ops[no++] = (struct MHD_OptionItem){MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, NULL};
	ops[no++] = (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, &sa};
	ops[no++] = (struct MHD_OptionItem){MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)on_uri, NULL};
	ops[no++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, NULL};
	ops[no++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, 4000, NULL};
	ops[no++] = (struct MHD_OptionItem){MHD_OPTION_LISTEN_BACKLOG_SIZE, 2048, NULL};
	ops[no++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT, 300, NULL};
	ops[no++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_STACK_SIZE, 1 << 20, NULL};
	if (cert) {
		ops[no++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, cert};
		ops[no++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, key};
	}
	ops[no++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL |
			 MHD_USE_ERROR_LOG;
	if (cert)
		flags |= MHD_USE_TLS;
	d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, on_request, NULL, MHD_OPTION_ARRAY, ops,
			     MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "fake-datadog: cannot listen on 127.0.0.1:%ld\n", port);
		goto done;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	unsigned bound = di ? di->port : 0;
	if (!bound) {
		fprintf(stderr, "fake-datadog: cannot find the bound port\n");
		goto done;
	}
	snprintf(cfg.base_url, sizeof cfg.base_url, "%s://127.0.0.1:%u", cert ? "https" : "http", bound);
	if (port_file && write_port_file(port_file, bound) != 0) {
		fprintf(stderr, "fake-datadog: cannot write --port-file '%s': %s\n", port_file, strerror(errno));
		goto done;
	}
	printf("fake-datadog listening on 127.0.0.1:%u\n", bound);
	fflush(stdout);

	int sig = 0;
	sigwait(&set, &sig);
	rc = 0;
done:
	atomic_store(&quitting, 1);
	if (d)
		MHD_stop_daemon(d);
	fd_dora_reset();
	fd_faults_clear();
	fd_flaky_free();
	fd_tests_free();
	fd_synth_free();
	fd_cases_free();
	log_clear();
	if (cfg.log)
		fclose(cfg.log);
	free(cfg.api_key);
	free(cfg.app_key);
	free(cert);
	free(key);
	return rc;
}
