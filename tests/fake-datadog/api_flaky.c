/*
 * fake-datadog Flaky Test Management API: search flaky tests (filter query,
 * sort, cursor pages) and update their states.  The dataset is generated
 * (--flaky-generate) or uploaded (POST /_fake/flaky-tests).  Search results
 * are cached per (query, sort) so that walking 1,000 pages stays fast.
 */
#include "cache.h"
#include "fd.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ftest {
	cJSON *obj;     /* {"id","type":"flaky_test","attributes":{...}} */
	cJSON *history; /* array, or NULL */
	char *repo;     /* repository id for @git.repository.id_v2, or NULL */
	cJSON *branches; /* extra branches for @git.branch, or NULL */
	const char *id;  /* points into obj */
	char *json;      /* obj serialised: pages are built from text */
	char *fqn;
	double first_ts, last_ts, rate, pfailed, plost;
};

static struct ftest *tests;
static int ntests;
static int *by_id; /* indexes sorted by id */

static cJSON *updates;
static uint64_t update_responses;

static struct fd_cache cache;

static void dataset_clear(void)
{
	for (int i = 0; i < ntests; i++) {
		cJSON_Delete(tests[i].obj);
		cJSON_Delete(tests[i].history);
		cJSON_Delete(tests[i].branches);
		free(tests[i].repo);
		free(tests[i].fqn);
		free(tests[i].json);
	}
	free(tests);
	free(by_id);
	tests = NULL;
	by_id = NULL;
	ntests = 0;
	fd_cache_clear(&cache);
}

void fd_flaky_reset(void)
{
	cJSON_Delete(updates);
	updates = NULL;
}

void fd_flaky_free(void)
{
	dataset_clear();
	fd_flaky_reset();
}

static double num_at(const cJSON *attrs, const char *path)
{
	double d;
	if (fd_json_get_double(fd_json_path(attrs, path), &d))
		return d;
	return -INFINITY;
}

static int cmp_id(const void *a, const void *b)
{
	return strcmp(tests[*(const int *)a].id, tests[*(const int *)b].id);
}

/* Derives the sort keys and the id index once the tests array is filled. */
static void index_tests(void)
{
	by_id = malloc(sizeof *by_id * (size_t)(ntests + 1));
	if (!by_id)
		abort();
	for (int i = 0; i < ntests; i++) {
		struct ftest *t = &tests[i];
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(t->obj, "attributes");
		const char *m = fd_json_str(a, "module"), *s = fd_json_str(a, "suite"), *n = fd_json_str(a, "name");
		size_t len = strlen(m ? m : "") + strlen(s ? s : "") + strlen(n ? n : "") + 3;
		t->fqn = malloc(len);
		if (!t->fqn)
			abort();
		snprintf(t->fqn, len, "%s.%s.%s", m ? m : "", s ? s : "", n ? n : "");
		t->id = fd_json_str(t->obj, "id");
		t->json = fd_print(t->obj);
		t->first_ts = num_at(a, "first_flaked_ts");
		t->last_ts = num_at(a, "last_flaked_ts");
		t->rate = num_at(a, "test_stats.failure_rate_pct");
		t->pfailed = num_at(a, "pipeline_stats.failed_pipelines");
		t->plost = num_at(a, "pipeline_stats.total_lost_time_ms");
		by_id[i] = i;
	}
	qsort(by_id, (size_t)ntests, sizeof *by_id, cmp_id);
	fd_cache_clear(&cache);
}

static struct ftest *find_test(const char *id)
{
	int lo = 0, hi = ntests - 1;
	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		int c = strcmp(tests[by_id[mid]].id, id);
		if (c == 0)
			return &tests[by_id[mid]];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

/* ---- loading ---- */

int fd_flaky_load(const cJSON *arr, char *err, size_t errlen)
{
	if (!cJSON_IsArray(arr)) {
		snprintf(err, errlen, "body: expected a JSON array of flaky tests");
		return -1;
	}
	int n = cJSON_GetArraySize(arr);
	struct ftest *nt = calloc((size_t)n + 1, sizeof *nt);
	if (!nt)
		abort();
	int i = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, arr)
	{
		const char *id = fd_json_str(e, "id");
		if (!cJSON_IsObject(e) || !id || !id[0]) {
			snprintf(err, errlen, "[%d].id: required non-empty string", i);
			goto fail;
		}
		const cJSON *given = cJSON_GetObjectItemCaseSensitive(e, "attributes");
		if (given && !cJSON_IsObject(given)) {
			snprintf(err, errlen, "[%d].attributes: expected an object", i);
			goto fail;
		}
		cJSON *attrs;
		if (given) {
			attrs = cJSON_Duplicate(given, 1);
		} else {
			attrs = cJSON_Duplicate(e, 1);
			cJSON_DeleteItemFromObjectCaseSensitive(attrs, "id");
			cJSON_DeleteItemFromObjectCaseSensitive(attrs, "type");
		}
		struct ftest *t = &nt[i];
		const char *hidden_src[2] = {"repository_id", "branches"};
		for (int k = 0; k < 2; k++) {
			cJSON *h = cJSON_DetachItemFromObjectCaseSensitive(attrs, hidden_src[k]);
			if (!h)
				h = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(e, hidden_src[k]), 1);
			if (k == 0) {
				if (h && cJSON_IsString(h))
					t->repo = strdup(h->valuestring);
				cJSON_Delete(h);
			} else {
				t->branches = h;
			}
		}
		t->history = cJSON_DetachItemFromObjectCaseSensitive(attrs, "history");
		if (!t->history)
			t->history = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(e, "history"), 1);
		t->obj = cJSON_CreateObject();
		cJSON_AddStringToObject(t->obj, "id", id);
		cJSON_AddStringToObject(t->obj, "type", "flaky_test");
		cJSON_AddItemToObject(t->obj, "attributes", attrs);
		i++;
	}
	dataset_clear();
	tests = nt;
	ntests = n;
	index_tests();
	return 0;
fail:
	for (int k = 0; k < i; k++) {
		cJSON_Delete(nt[k].obj);
		cJSON_Delete(nt[k].history);
		cJSON_Delete(nt[k].branches);
		free(nt[k].repo);
	}
	free(nt);
	return -1;
}

/* ---- generation ---- */

static const char *const services[] = {"shopist-web", "shopist-api", "payments", "inventory",
				       "auth",        "search",      "notifications"};
static const char *const repos[] = {"github.com/acme/shopist", "github.com/acme/payments",
				    "github.com/acme/platform"};
static const char *const suites[] = {"CheckoutTest",     "CartTest",        "PaymentGatewayTest", "InventorySyncTest",
				     "LoginFlowTest",    "SearchIndexTest", "OrderHistoryTest",   "EmailNotifierTest",
				     "RateLimiterTest",  "SessionStoreTest"};
static const char *const verbs[] = {"handles", "retries", "rejects", "caches", "renders", "syncs", "expires", "parses"};
static const char *const nouns[] = {"empty_cart",   "expired_token", "concurrent_orders", "slow_gateway",
				    "unicode_names", "large_payload", "missing_index",    "stale_session",
				    "timezone_edge", "duplicate_event"};
static const char *const owners[] = {"@acme/checkout", "@acme/payments", "@acme/platform", "@acme/search",
				     "@acme/identity"};
static const char *const branches[] = {"main", "develop", "feature/cart-refactor", "release/2.4", "fix/flaky-timeouts"};
static const char *const categories[] = {"Timeout",    "Concurrency", "Network",           "Asynchronous Wait",
					 "Randomness", "Time",        "Resource Leak",     "Unordered Collection",
					 "Test Order Dependency"};
static const char *const messages[] = {"Expecting actual not to be empty", "TimeoutError: operation timed out after 5000ms",
				       "AssertionError: expected 200 but got 503", "ConnectionResetError: [Errno 104]",
				       "IndexError: list index out of range"};

static cJSON *str_array(const char *a, const char *b)
{
	cJSON *arr = cJSON_CreateArray();
	cJSON_AddItemToArray(arr, cJSON_CreateString(a));
	if (b && strcmp(a, b) != 0)
		cJSON_AddItemToArray(arr, cJSON_CreateString(b));
	return arr;
}

static const char *state_for(struct fd_rng *r)
{
	uint64_t x = fd_rng_below(r, 100);
	return x < 50 ? "active" : x < 70 ? "quarantined" : x < 80 ? "disabled" : "fixed";
}

void fd_flaky_generate(int n)
{
	dataset_clear();
	tests = calloc((size_t)n + 1, sizeof *tests);
	if (!tests)
		abort();
	struct fd_rng r = {fd_seed * 0x9e3779b97f4a7c15ULL + 11};
	int64_t now_s = fd_start_ms / 1000 / 60 * 60;
	for (int i = 0; i < n; i++) {
		struct ftest *t = &tests[i];
		int si = (int)fd_rng_below(&r, sizeof services / sizeof services[0]);
		const char *svc = services[si];
		const char *repo = repos[si % 3];
		const char *suite = suites[fd_rng_below(&r, sizeof suites / sizeof suites[0])];
		char name[128], module[96], id[17], sha1[41], sha2[41], fix[7], file[128];
		snprintf(name, sizeof name, "test_%s_%s_%d", fd_rng_pick(&r, verbs, sizeof verbs / sizeof verbs[0]),
			 fd_rng_pick(&r, nouns, sizeof nouns / sizeof nouns[0]), i);
		snprintf(module, sizeof module, "%s/%s", svc, fd_rng_below(&r, 3) ? "unit" : "integration");
		fd_rng_hex(&r, id, 16);
		fd_rng_hex(&r, sha1, 40);
		fd_rng_hex(&r, sha2, 40);
		for (int k = 0; k < 6; k++)
			fix[k] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"[fd_rng_below(&r, 32)];
		fix[6] = '\0';
		snprintf(file, sizeof file, "tests/%s/test_%s.py", svc, suite);
		int64_t first = now_s - (int64_t)fd_rng_below(&r, 90 * 86400) - 3600;
		int64_t last = first + (int64_t)fd_rng_below(&r, (uint64_t)(now_s - first));
		const char *state = state_for(&r);
		double rate = (double)(1 + fd_rng_below(&r, 6000)) / 100.0;
		int64_t failed = (int64_t)fd_rng_below(&r, 400);
		int64_t lost = failed * (30000 + (int64_t)fd_rng_below(&r, 870000));
		int64_t start_line = 10 + (int64_t)fd_rng_below(&r, 400);

		cJSON *a = cJSON_CreateObject();
		cJSON_AddStringToObject(a, "attempt_to_fix_id", fix);
		cJSON_AddItemToObject(a, "codeowners",
				      str_array(fd_rng_pick(&r, owners, 5), fd_rng_below(&r, 3) ? NULL : owners[si % 5]));
		cJSON_AddItemToObject(a, "envs", str_array("ci", fd_rng_below(&r, 4) ? NULL : "staging"));
		cJSON_AddStringToObject(a, "first_flaked_branch", fd_rng_pick(&r, branches, 5));
		cJSON_AddStringToObject(a, "first_flaked_sha", sha1);
		cJSON_AddItemToObject(a, "first_flaked_ts", fd_json_int(first));
		cJSON_AddStringToObject(a, "flaky_category", fd_rng_pick(&r, categories, sizeof categories / sizeof categories[0]));
		cJSON_AddStringToObject(a, "flaky_state", state);
		cJSON_AddStringToObject(a, "last_flaked_branch", fd_rng_below(&r, 2) ? "main" : fd_rng_pick(&r, branches, 5));
		cJSON_AddStringToObject(a, "last_flaked_sha", sha2);
		cJSON_AddItemToObject(a, "last_flaked_ts", fd_json_int(last));
		cJSON_AddStringToObject(a, "module", module);
		cJSON_AddStringToObject(a, "name", name);
		cJSON *ps = cJSON_AddObjectToObject(a, "pipeline_stats");
		cJSON_AddItemToObject(ps, "failed_pipelines", fd_json_int(failed));
		cJSON_AddItemToObject(ps, "total_lost_time_ms", fd_json_int(lost));
		cJSON_AddItemToObject(a, "services", str_array(svc, NULL));
		cJSON_AddStringToObject(a, "suite", suite);
		cJSON *md = cJSON_AddObjectToObject(a, "test_run_metadata");
		const char *msg = fd_rng_pick(&r, messages, sizeof messages / sizeof messages[0]);
		char stack[512];
		snprintf(stack, sizeof stack,
			 "Traceback (most recent call last):\n  File \"%s\", line %" PRId64 ", in %s\n    assert result.ok\n%s",
			 file, start_line + 3, name, msg);
		cJSON_AddItemToObject(md, "duration_ms", fd_json_int(10 + (int64_t)fd_rng_below(&r, 60000)));
		cJSON_AddStringToObject(md, "error_message", msg);
		cJSON_AddStringToObject(md, "error_stack", stack);
		cJSON_AddItemToObject(md, "source_end", fd_json_int(start_line + 5 + (int64_t)fd_rng_below(&r, 40)));
		cJSON_AddStringToObject(md, "source_file", file);
		cJSON_AddItemToObject(md, "source_start", fd_json_int(start_line));
		cJSON *ts = cJSON_AddObjectToObject(a, "test_stats");
		cJSON_AddItemToObject(ts, "failure_rate_pct", fd_json_double(rate));

		t->obj = cJSON_CreateObject();
		cJSON_AddStringToObject(t->obj, "id", id);
		cJSON_AddStringToObject(t->obj, "type", "flaky_test");
		cJSON_AddItemToObject(t->obj, "attributes", a);
		t->repo = strdup(repo);
		t->branches = NULL;
		t->history = cJSON_CreateArray();
		if (strcmp(state, "active") != 0) {
			cJSON *h = cJSON_CreateObject();
			cJSON_AddStringToObject(h, "commit_sha", sha2);
			cJSON_AddStringToObject(h, "status", state);
			cJSON_AddItemToObject(h, "timestamp", fd_json_int(last * 1000));
			cJSON_AddItemToArray(t->history, h);
		}
		cJSON *h0 = cJSON_CreateObject();
		cJSON_AddStringToObject(h0, "commit_sha", sha1);
		cJSON_AddStringToObject(h0, "status", "new");
		cJSON_AddItemToObject(h0, "timestamp", fd_json_int(first * 1000));
		cJSON_AddItemToArray(t->history, h0);
	}
	ntests = n;
	index_tests();
}

/* ---- search ---- */

static const cJSON *lookup(const void *p, const char *key, cJSON **tmp)
{
	const struct ftest *t = p;
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(t->obj, "attributes");
	if (strcmp(key, "flaky_test_state") == 0)
		return cJSON_GetObjectItemCaseSensitive(a, "flaky_state");
	if (strcmp(key, "flaky_test_category") == 0)
		return cJSON_GetObjectItemCaseSensitive(a, "flaky_category");
	if (strcmp(key, "@test.name") == 0)
		return cJSON_GetObjectItemCaseSensitive(a, "name");
	if (strcmp(key, "@test.suite") == 0)
		return cJSON_GetObjectItemCaseSensitive(a, "suite");
	if (strcmp(key, "@test.module") == 0)
		return cJSON_GetObjectItemCaseSensitive(a, "module");
	if (strcmp(key, "@test.service") == 0 || strcmp(key, "service") == 0)
		return cJSON_GetObjectItemCaseSensitive(a, "services");
	if (strcmp(key, "env") == 0 || strcmp(key, "@test.env") == 0)
		return cJSON_GetObjectItemCaseSensitive(a, "envs");
	if (strcmp(key, "@test.codeowners") == 0)
		return cJSON_GetObjectItemCaseSensitive(a, "codeowners");
	if (strcmp(key, "id") == 0 || strcmp(key, "@test.fingerprint_fqn") == 0)
		return cJSON_GetObjectItemCaseSensitive(t->obj, "id");
	if (strcmp(key, "@git.repository.id_v2") == 0 || strcmp(key, "@git.repository.id") == 0) {
		if (!t->repo)
			return NULL;
		*tmp = cJSON_CreateString(t->repo);
		return *tmp;
	}
	if (strcmp(key, "@git.branch") == 0) {
		*tmp = t->branches ? cJSON_Duplicate(t->branches, 1) : cJSON_CreateArray();
		if (!cJSON_IsArray(*tmp)) {
			cJSON *arr = cJSON_CreateArray();
			cJSON_AddItemToArray(arr, *tmp);
			*tmp = arr;
		}
		const char *b1 = fd_json_str(a, "first_flaked_branch"), *b2 = fd_json_str(a, "last_flaked_branch");
		if (b1)
			cJSON_AddItemToArray(*tmp, cJSON_CreateString(b1));
		if (b2)
			cJSON_AddItemToArray(*tmp, cJSON_CreateString(b2));
		return *tmp;
	}
	return FD_UNKNOWN_KEY;
}

enum skey { S_FQN, S_FIRST, S_LAST, S_RATE, S_PFAILED, S_PLOST };
static const char *const sort_names[] = {"fqn",          "-fqn",         "first_flaked",     "-first_flaked",
					 "last_flaked",  "-last_flaked", "failure_rate",     "-failure_rate",
					 "pipelines_failed", "-pipelines_failed", "pipelines_duration_lost",
					 "-pipelines_duration_lost"};
static enum skey cur_key;
static int cur_desc;

static double key_of(const struct ftest *t)
{
	switch (cur_key) {
	case S_FIRST: return t->first_ts;
	case S_LAST: return t->last_ts;
	case S_RATE: return t->rate;
	case S_PFAILED: return t->pfailed;
	case S_PLOST: return t->plost;
	default: return 0;
	}
}

static int cmp_sorted(const void *pa, const void *pb)
{
	const struct ftest *a = &tests[*(const int *)pa], *b = &tests[*(const int *)pb];
	int c;
	if (cur_key != S_FQN) {
		double x = key_of(a), y = key_of(b);
		c = x < y ? -1 : x > y ? 1 : 0;
	} else {
		c = strcmp(a->fqn, b->fqn);
	}
	if (cur_desc)
		c = -c;
	if (c == 0) /* ties by ascending fqn, then id */
		c = strcmp(a->fqn, b->fqn);
	if (c == 0)
		c = strcmp(a->id, b->id);
	return c;
}

/* The tests matching q, in the order of *(int *)sort. */
static int *match_tests(const struct fd_search *q, void *sort, int *n_out)
{
	int *idx = malloc(sizeof *idx * (size_t)(ntests + 1));
	if (!idx)
		abort();
	int n = 0;
	for (int i = 0; i < ntests; i++)
		if (fd_search_match(q, &tests[i], lookup))
			idx[n++] = i;
	cur_key = (enum skey)(*(int *)sort / 2);
	cur_desc = *(int *)sort % 2;
	qsort(idx, (size_t)n, sizeof *idx, cmp_sorted);
	*n_out = n;
	return idx;
}

/* The sorted, filtered index list for (query, sort), from the cache when possible. */
static int results(const char *query, int sort, int **idx_out, int *n_out, char *err, size_t errlen)
{
	struct fd_buf key = {0};
	fd_buf_addf(&key, "%d\x1f%s", sort, query);
	return fd_cache_search(&cache, key.p, query, match_tests, &sort, idx_out, n_out, err, errlen);
}

void fd_flaky_search(const struct fd_req *req, struct fd_resp *resp)
{
	const cJSON *attrs;
	if (fd_envelope(req, resp, "search_flaky_tests_request", FD_ENV_OPTIONAL, NULL, &attrs))
		return;
	const char *query = "*";
	const cJSON *filter = cJSON_GetObjectItemCaseSensitive(attrs, "filter");
	if (filter && !cJSON_IsNull(filter)) {
		const cJSON *qq = cJSON_GetObjectItemCaseSensitive(filter, "query");
		if (!cJSON_IsObject(filter) || (qq && !cJSON_IsNull(qq) && !cJSON_IsString(qq))) {
			fd_resp_error(resp, 400, "data.attributes.filter.query: expected a string");
			return;
		}
		if (cJSON_IsString(qq))
			query = qq->valuestring;
	}
	int history = 0;
	const cJSON *ih = cJSON_GetObjectItemCaseSensitive(attrs, "include_history");
	if (ih && !cJSON_IsNull(ih)) {
		if (!cJSON_IsBool(ih)) {
			fd_resp_error(resp, 400, "data.attributes.include_history: expected a boolean");
			return;
		}
		history = cJSON_IsTrue(ih);
	}
	int64_t limit = 10, offset = 0;
	const cJSON *page = cJSON_GetObjectItemCaseSensitive(attrs, "page");
	if (page && !cJSON_IsNull(page)) {
		if (!cJSON_IsObject(page)) {
			fd_resp_error(resp, 400, "data.attributes.page: expected an object");
			return;
		}
		const cJSON *l = cJSON_GetObjectItemCaseSensitive(page, "limit");
		if (l && !cJSON_IsNull(l) && (!fd_json_get_int(l, &limit) || limit < 1 || limit > 1000)) {
			fd_resp_error(resp, 400, "data.attributes.page.limit: must be an integer between 1 and 1000");
			return;
		}
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(page, "cursor");
		int64_t u1, u2;
		if (c && !cJSON_IsNull(c) &&
		    (!cJSON_IsString(c) || fd_cursor_decode(c->valuestring, "flaky", &offset, &u1, &u2) != 0 ||
		     offset < 0)) {
			fd_resp_error(resp, 400, "data.attributes.page.cursor: invalid cursor");
			return;
		}
	}
	int sort = 0;
	const cJSON *so = cJSON_GetObjectItemCaseSensitive(attrs, "sort");
	if (so && !cJSON_IsNull(so)) {
		sort = -1;
		for (size_t i = 0; cJSON_IsString(so) && i < sizeof sort_names / sizeof sort_names[0]; i++)
			if (strcmp(so->valuestring, sort_names[i]) == 0)
				sort = (int)i;
		if (sort < 0) {
			fd_resp_error(resp, 400,
				      "data.attributes.sort: must be one of fqn, -fqn, first_flaked, -first_flaked, "
				      "last_flaked, -last_flaked, failure_rate, -failure_rate, pipelines_failed, "
				      "-pipelines_failed, pipelines_duration_lost, -pipelines_duration_lost");
			return;
		}
	}
	int *idx = NULL, n = 0;
	char err[256];
	if (results(query, sort, &idx, &n, err, sizeof err) != 0) {
		fd_resp_error(resp, 400, "data.attributes.filter.query: %s", err);
		return;
	}
	/* built as text: {"data":[<test>...],"meta":{"pagination":{...}}} */
	struct fd_buf b = {0};
	fd_buf_adds(&b, "{\"data\":[");
	for (int64_t i = offset; i < n && i < offset + limit; i++) {
		const struct ftest *t = &tests[idx[i]];
		if (i > offset)
			fd_buf_adds(&b, ",");
		if (!history) {
			fd_buf_adds(&b, t->json);
			continue;
		}
		/* "attributes" is the last member: insert history before its "}}" */
		size_t len = strlen(t->json);
		fd_buf_add(&b, t->json, len - 2);
		char *h = t->history ? fd_print(t->history) : NULL;
		fd_buf_addf(&b, "%s\"history\":%s}}", t->json[len - 3] == '{' ? "" : ",", h ? h : "[]");
		free(h);
	}
	fd_buf_adds(&b, "],\"meta\":{\"pagination\":{");
	if (offset + limit < n) {
		char *next = fd_cursor_encode("flaky", offset + limit, 0, 0);
		fd_buf_addf(&b, "\"next_page\":\"%s\"", next);
		free(next);
	}
	fd_buf_adds(&b, "}}}");
	fd_resp_release(resp);
	resp->status = 200;
	resp->ctype = "application/json";
	resp->body = b.p;
	resp->len = b.len;
}

/* ---- update states ---- */

void fd_flaky_update(const struct fd_req *req, struct fd_resp *resp)
{
	static const char *const states[] = {"active", "quarantined", "disabled", "fixed"};
	const cJSON *attrs;
	if (fd_envelope(req, resp, "update_flaky_test_state_request", 0, NULL, &attrs))
		return;
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(attrs, "tests");
	if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0) {
		fd_resp_error(resp, 400, "data.attributes.tests: required non-empty array");
		return;
	}
	int i = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, list)
	{
		const char *id = fd_json_str(e, "id"), *ns = fd_json_str(e, "new_state");
		if (!cJSON_IsObject(e) || !id) {
			fd_resp_error(resp, 400, "data.attributes.tests[%d].id: required string", i);
			return;
		}
		int ok = 0;
		for (size_t k = 0; ns && k < 4; k++)
			ok |= strcmp(ns, states[k]) == 0;
		if (!ok) {
			fd_resp_error(resp, 400,
				      "data.attributes.tests[%d].new_state: must be one of active, quarantined, disabled, fixed",
				      i);
			return;
		}
		i++;
	}
	if (!updates)
		updates = cJSON_CreateArray();
	int errors = 0;
	cJSON *results_arr = cJSON_CreateArray();
	cJSON_ArrayForEach(e, list)
	{
		const char *id = fd_json_str(e, "id"), *ns = fd_json_str(e, "new_state");
		struct ftest *t = find_test(id);
		cJSON *r = cJSON_CreateObject();
		if (!t) {
			errors++;
			cJSON_AddStringToObject(r, "error", "flaky test not found");
		} else {
			cJSON *a = cJSON_GetObjectItemCaseSensitive(t->obj, "attributes");
			cJSON_DeleteItemFromObjectCaseSensitive(a, "flaky_state");
			cJSON_AddStringToObject(a, "flaky_state", ns);
			if (!t->history)
				t->history = cJSON_CreateArray();
			cJSON *h = cJSON_CreateObject();
			cJSON_AddStringToObject(h, "commit_sha", "");
			cJSON_AddStringToObject(h, "status", ns);
			cJSON_AddItemToObject(h, "timestamp", fd_json_int(fd_now_ms()));
			cJSON_InsertItemInArray(t->history, 0, h);
			free(t->json);
			t->json = fd_print(t->obj);
		}
		cJSON_AddStringToObject(r, "id", id);
		cJSON_AddBoolToObject(r, "success", t != NULL);
		cJSON_AddItemToArray(results_arr, r);
		cJSON *u = cJSON_CreateObject();
		cJSON_AddStringToObject(u, "id", id);
		cJSON_AddStringToObject(u, "new_state", ns);
		cJSON_AddBoolToObject(u, "success", t != NULL);
		cJSON_AddItemToArray(updates, u);
	}
	fd_cache_stale(&cache); /* states changed: cached filters are stale */
	cJSON *out = cJSON_CreateObject();
	cJSON *d = cJSON_AddObjectToObject(out, "data");
	cJSON *oa = cJSON_AddObjectToObject(d, "attributes");
	cJSON_AddBoolToObject(oa, "has_errors", errors > 0);
	cJSON_AddItemToObject(oa, "results", results_arr);
	char rid[40];
	snprintf(rid, sizeof rid, "update-%" PRIu64, ++update_responses);
	cJSON_AddStringToObject(d, "id", rid);
	cJSON_AddStringToObject(d, "type", "update_flaky_test_state_response");
	fd_resp_json(resp, 200, out);
}

void fd_flaky_state(cJSON *out)
{
	cJSON_AddItemToObject(out, "flaky_tests", fd_json_int(ntests));
	cJSON_AddItemToObject(out, "flaky_updates", updates ? cJSON_Duplicate(updates, 1) : cJSON_CreateArray());
}
