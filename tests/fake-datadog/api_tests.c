/*
 * fake-datadog CI Visibility test events API: list (GET, query parameters),
 * search (POST body) and aggregate (group by facets, count and measures,
 * totals and timeseries).  The dataset is generated (--events-generate) or
 * uploaded (POST /_fake/test-events).  Errors use the APIErrorResponse form
 * ({"errors":["<field>: ..."]}) of this API's reference.
 */
#include "cache.h"
#include "fd.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* An event is kept as its JSON text (answered as is) and a flattened block of
 * entries "<type><path>\0<value>\0" (type 's' string, 'n' number, 'b' bool)
 * for filtering and grouping; "#id", "#tags" and "#test_level" are the
 * event-level values, other paths are under attributes.attributes.  Walking a
 * small contiguous block is far faster than walking 100k cJSON trees. */
struct tevent {
	char *json;
	size_t json_len;
	char *flat;
	const char *id; /* into flat */
	int64_t ts_ms;
};

static struct tevent *evs;
static int nev;
static char *arena; /* every event's flat block, in time order */
static uint64_t request_seq;

static struct fd_cache cache;

/* Frees events; their flat blocks are in `in_arena` or each malloc'd. */
static void events_release(struct tevent *v, int n, char *in_arena)
{
	for (int i = 0; i < n; i++) {
		free(v[i].json);
		if (!in_arena)
			free(v[i].flat);
	}
	free(in_arena);
	free(v);
}

static size_t flat_size(const char *flat)
{
	const char *p = flat;
	while (*p) {
		uint16_t vl;
		memcpy(&vl, p + 3, 2);
		p += 6 + (size_t)vl;
	}
	return (size_t)(p - flat) + 1;
}

/* Sorts events by time and moves their flat blocks into one arena in that
 * order, so that scans read memory sequentially. */
static int cmp_events(const void *pa, const void *pb);
static char *settle(struct tevent *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_events);
	size_t total = 1;
	for (int i = 0; i < n; i++)
		total += flat_size(v[i].flat);
	char *a = malloc(total);
	if (!a)
		abort();
	size_t off = 0;
	for (int i = 0; i < n; i++) {
		size_t sz = flat_size(v[i].flat);
		memcpy(a + off, v[i].flat, sz);
		v[i].id = a + off + (v[i].id - v[i].flat);
		free(v[i].flat);
		v[i].flat = a + off;
		off += sz;
	}
	return a;
}

/* Interned attribute paths: entries carry a 16-bit path id. */
#define NSLOT 4096
static char *slot_key[NSLOT];
static uint16_t slot_id[NSLOT];
static int nids = 1; /* id 0 unused */

static int key_id(const char *path, int create)
{
	uint32_t h = 2166136261u;
	for (const char *p = path; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	uint32_t i = h & (NSLOT - 1);
	while (slot_key[i]) {
		if (strcmp(slot_key[i], path) == 0)
			return slot_id[i];
		i = (i + 1) & (NSLOT - 1);
	}
	if (!create || nids >= NSLOT / 2)
		return -1;
	slot_key[i] = strdup(path);
	if (!slot_key[i])
		abort();
	slot_id[i] = (uint16_t)nids++;
	return slot_id[i];
}

static void dataset_release(void)
{
	events_release(evs, nev, arena);
	arena = NULL;
	evs = NULL;
	nev = 0;
	fd_cache_clear(&cache);
}

void fd_tests_free(void)
{
	dataset_release();
	for (int i = 0; i < NSLOT; i++) {
		free(slot_key[i]);
		slot_key[i] = NULL;
	}
	nids = 1;
}

/* entry: type byte ('s','n','b'; 0 ends the block), u16 path id, u16 value length, value, NUL */
static void flat_add(struct fd_buf *b, char type, const char *path, const char *value)
{
	int id = key_id(path, 1);
	if (id < 0)
		return;
	size_t n = strlen(value);
	uint16_t vl = (uint16_t)(n > 65535 ? 65535 : n), kid = (uint16_t)id;
	fd_buf_add(b, &type, 1);
	fd_buf_add(b, &kid, 2);
	fd_buf_add(b, &vl, 2);
	fd_buf_add(b, value, vl);
	fd_buf_add(b, "", 1);
}

struct flat_it {
	const char *p;
};

static int flat_next(struct flat_it *it, int *id, char *type, const char **value)
{
	if (!*it->p)
		return 0;
	uint16_t kid, vl;
	*type = it->p[0];
	memcpy(&kid, it->p + 1, 2);
	memcpy(&vl, it->p + 3, 2);
	*id = kid;
	*value = it->p + 5;
	it->p += 6 + (size_t)vl;
	return 1;
}

static void flatten(struct fd_buf *b, const cJSON *node, const char *path)
{
	if (cJSON_IsObject(node)) {
		const cJSON *c;
		cJSON_ArrayForEach(c, node)
		{
			if (!c->string)
				continue;
			size_t n = strlen(path) + strlen(c->string) + 2;
			char *sub = malloc(n);
			if (!sub)
				abort();
			snprintf(sub, n, "%s%s%s", path, *path ? "." : "", c->string);
			flatten(b, c, sub);
			free(sub);
		}
	} else if (cJSON_IsArray(node)) {
		const cJSON *c;
		cJSON_ArrayForEach(c, node)
		flatten(b, c, path);
	} else if (cJSON_IsString(node)) {
		flat_add(b, 's', path, node->valuestring);
	} else if (fd_json_is_number(node)) {
		char buf[64];
		flat_add(b, 'n', path, fd_value_text(node, buf, sizeof buf));
	} else if (cJSON_IsBool(node)) {
		flat_add(b, 'b', path, cJSON_IsTrue(node) ? "true" : "false");
	}
}

static const char *flat_find(const char *flat, const char *key, char *type);

/* Fills e from a normalised event object (which the caller still owns). */
static void event_from(struct tevent *e, const cJSON *obj, int64_t ts_ms)
{
	e->json = fd_print(obj);
	e->json_len = strlen(e->json);
	e->ts_ms = ts_ms;
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(obj, "attributes");
	const cJSON *nested = cJSON_GetObjectItemCaseSensitive(a, "attributes");
	struct fd_buf b = {0};
	flat_add(&b, 's', "#id", fd_json_str(obj, "id") ? fd_json_str(obj, "id") : "");
	const char *lvl = fd_json_str(a, "test_level");
	if (lvl)
		flat_add(&b, 's', "#test_level", lvl);
	const cJSON *t;
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(a, "tags"))
	if (cJSON_IsString(t))
		flat_add(&b, 's', "#tags", t->valuestring);
	flatten(&b, nested, "");
	/* derived facets */
	if (!fd_json_path(nested, "git.repository.id_v2")) {
		const cJSON *u = fd_json_path(nested, "git.repository_url");
		if (cJSON_IsString(u)) {
			char *rid = fd_repo_id(u->valuestring);
			flat_add(&b, 's', "git.repository.id_v2", rid);
			free(rid);
		}
	}
	if (!fd_json_path(nested, "test.service") && cJSON_IsString(fd_json_path(nested, "service")))
		flat_add(&b, 's', "test.service", fd_json_path(nested, "service")->valuestring);
	fd_buf_add(&b, "", 1); /* terminator: an empty type */
	e->flat = b.p;
	char ty;
	e->id = flat_find(e->flat, "#id", &ty);
}

static int cmp_events(const void *pa, const void *pb)
{
	const struct tevent *a = pa, *b = pb;
	return a->ts_ms < b->ts_ms ? -1 : a->ts_ms > b->ts_ms ? 1 : strcmp(a->id, b->id);
}

/* ---- loading ---- */

/* The event time: attributes.timestamp, else attributes.attributes.timestamp or .start (RFC 3339 or ms). */
static int event_time(const cJSON *obj, int64_t *ms)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(obj, "attributes");
	const cJSON *cands[3] = {cJSON_GetObjectItemCaseSensitive(a, "timestamp"),
				 fd_json_path(cJSON_GetObjectItemCaseSensitive(a, "attributes"), "timestamp"),
				 fd_json_path(cJSON_GetObjectItemCaseSensitive(a, "attributes"), "start")};
	for (int i = 0; i < 3; i++) {
		const cJSON *c = cands[i];
		if (!c)
			continue;
		if (cJSON_IsString(c))
			return fd_parse_rfc3339_ms(c->valuestring, ms);
		int64_t v;
		if (fd_json_get_int(c, &v)) {
			*ms = v > 100000000000000LL ? v / 1000000 : v; /* ns or ms */
			return 0;
		}
		return -1;
	}
	return 1; /* none */
}

int fd_tests_load(const cJSON *arr, char *err, size_t errlen)
{
	if (!cJSON_IsArray(arr)) {
		snprintf(err, errlen, "body: expected a JSON array of test events");
		return -1;
	}
	int n = cJSON_GetArraySize(arr);
	struct tevent *ne = calloc((size_t)n + 1, sizeof *ne);
	if (!ne)
		abort();
	int i = 0;
	const cJSON *e;
	int64_t now = fd_now_ms();
	cJSON_ArrayForEach(e, arr)
	{
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(e, "attributes");
		if (!cJSON_IsObject(e) || !cJSON_IsObject(a) ||
		    !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(a, "attributes"))) {
			snprintf(err, errlen, "[%d].attributes.attributes: required object", i);
			goto fail;
		}
		int64_t ms = now;
		int r = event_time(e, &ms);
		if (r < 0) {
			snprintf(err, errlen, "[%d].attributes.timestamp: expected an RFC 3339 string or Unix ms", i);
			goto fail;
		}
		cJSON *o = cJSON_Duplicate(e, 1);
		if (!fd_json_str(o, "id")) {
			char id[48];
			snprintf(id, sizeof id, "AAAAAfakeevent%08d", i);
			cJSON_DeleteItemFromObjectCaseSensitive(o, "id");
			cJSON_AddStringToObject(o, "id", id);
		}
		if (!fd_json_str(o, "type"))
			cJSON_AddStringToObject(o, "type", "citest");
		cJSON *oa = cJSON_GetObjectItemCaseSensitive(o, "attributes");
		if (!cJSON_GetObjectItemCaseSensitive(oa, "test_level"))
			cJSON_AddStringToObject(oa, "test_level", "test");
		if (!cJSON_GetObjectItemCaseSensitive(oa, "tags"))
			cJSON_AddArrayToObject(oa, "tags");
		if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(oa, "timestamp"))) {
			char ts[40];
			fd_format_rfc3339_ms(ms, ts, sizeof ts);
			cJSON_DeleteItemFromObjectCaseSensitive(oa, "timestamp");
			cJSON_AddStringToObject(oa, "timestamp", ts);
		}
		event_from(&ne[i], o, ms);
		cJSON_Delete(o);
		i++;
	}
	dataset_release();
	arena = settle(ne, n);
	evs = ne;
	nev = n;
	return 0;
fail:
	events_release(ne, i, NULL);
	return -1;
}

/* ---- generation ---- */

static const char *const services[] = {"shopist-web", "shopist-api", "payments", "inventory", "auth", "search"};
static const char *const languages[] = {"python", "javascript", "go", "java", "ruby", "python"};
static const char *const frameworks[] = {"pytest", "jest", "golang", "junit", "rspec", "pytest"};
static const char *const repos[] = {"github.com/acme/shopist", "github.com/acme/payments", "github.com/acme/platform"};
static const char *const suites[] = {"CheckoutTest",  "CartTest",         "PaymentGatewayTest", "InventorySyncTest",
				     "LoginFlowTest", "SearchIndexTest",  "OrderHistoryTest",   "EmailNotifierTest",
				     "RateLimiterTest", "SessionStoreTest"};
static const char *const verbs[] = {"handles", "retries", "rejects", "caches", "renders", "syncs", "expires", "parses"};
static const char *const nouns[] = {"empty_cart",    "expired_token", "concurrent_orders", "slow_gateway",
				    "unicode_names", "large_payload", "missing_index",     "stale_session"};
static const char *const branches[] = {"main", "main", "main", "develop", "feature/cart-refactor", "release/2.4"};
static const char *const errors_[] = {"AssertionError: expected 200 but got 503", "TimeoutError: timed out after 5000ms",
				      "KeyError: 'order_id'", "NullPointerException"};

void fd_tests_generate(int n)
{
	dataset_release();
	evs = calloc((size_t)n + 1, sizeof *evs);
	if (!evs)
		abort();
	struct fd_rng r = {fd_seed * 0x9e3779b97f4a7c15ULL + 23};
	int64_t anchor = fd_start_ms / 60000 * 60000;
	int ntests = n < 50 ? n : 50 + n / 40; /* distinct tests the events are runs of */
	if (ntests < 1)
		ntests = 1;
	for (int i = 0; i < n; i++) {
		/* the test this event is a run of, derived from a per-test stream */
		int ti = (int)fd_rng_below(&r, (uint64_t)ntests);
		struct fd_rng tr = {fd_seed * 0x51afd7ed558ccd4dULL + (uint64_t)ti * 7919};
		int si = (int)fd_rng_below(&tr, sizeof services / sizeof services[0]);
		const char *suite = suites[fd_rng_below(&tr, sizeof suites / sizeof suites[0])];
		char name[128], file[128];
		snprintf(name, sizeof name, "test_%s_%s_%d", fd_rng_pick(&tr, verbs, 8), fd_rng_pick(&tr, nouns, 8), ti);
		snprintf(file, sizeof file, "tests/%s/test_%s.py", services[si], suite);
		double fail_p = fd_rng_below(&tr, 10) == 0 ? 0.35 : 0.04;
		int src_start = 10 + (int)fd_rng_below(&tr, 300);

		int64_t ts = anchor - (int64_t)fd_rng_below(&r, 7LL * 86400000);
		double u = fd_rng_unit(&r);
		const char *status = u < fail_p ? "fail" : u < fail_p + 0.06 ? "skip" : "pass";
		int64_t dur_ns = (int64_t)(1000000 + fd_rng_below(&r, 3000000000ULL));
		char id[48], sha[41], url[96], ts_s[40], pid[24];
		snprintf(id, sizeof id, "AAAAA");
		fd_rng_hex(&r, id + 5, 35);
		fd_rng_hex(&r, sha, 40);
		fd_format_rfc3339_ms(ts, ts_s, sizeof ts_s);
		const char *repo = repos[si % 3];
		snprintf(url, sizeof url, "https://%s.git", repo);
		snprintf(pid, sizeof pid, "%" PRIu64, 1000000 + fd_rng_below(&r, 9000000));
		const char *branch = fd_rng_pick(&r, branches, sizeof branches / sizeof branches[0]);

		cJSON *nested = cJSON_CreateObject();
		cJSON *t = cJSON_AddObjectToObject(nested, "test");
		cJSON_AddStringToObject(t, "name", name);
		cJSON_AddStringToObject(t, "suite", suite);
		cJSON_AddStringToObject(t, "status", status);
		cJSON_AddStringToObject(t, "service", services[si]);
		cJSON_AddStringToObject(t, "framework", frameworks[si]);
		cJSON_AddStringToObject(t, "type", "test");
		cJSON *src = cJSON_AddObjectToObject(t, "source");
		cJSON_AddStringToObject(src, "file", file);
		cJSON_AddItemToObject(src, "start", fd_json_int(src_start));
		if (fail_p > 0.1 && fd_rng_below(&r, 3) == 0)
			cJSON_AddBoolToObject(t, "is_flaky", 1);
		cJSON *git = cJSON_AddObjectToObject(nested, "git");
		cJSON_AddStringToObject(git, "branch", branch);
		cJSON_AddStringToObject(git, "repository_url", url);
		cJSON *commit = cJSON_AddObjectToObject(git, "commit");
		cJSON_AddStringToObject(commit, "sha", sha);
		cJSON *grepo = cJSON_AddObjectToObject(git, "repository");
		cJSON_AddStringToObject(grepo, "id_v2", repo);
		cJSON_AddStringToObject(nested, "service", services[si]);
		cJSON_AddStringToObject(nested, "env", "ci");
		cJSON_AddStringToObject(nested, "language", languages[si]);
		cJSON_AddItemToObject(nested, "duration", fd_json_int(dur_ns));
		cJSON *ci = cJSON_AddObjectToObject(nested, "ci");
		cJSON *prov = cJSON_AddObjectToObject(ci, "provider");
		cJSON_AddStringToObject(prov, "name", "github");
		cJSON *pipe = cJSON_AddObjectToObject(ci, "pipeline");
		cJSON_AddStringToObject(pipe, "name", services[si]);
		cJSON_AddStringToObject(pipe, "id", pid);
		if (strcmp(status, "fail") == 0) {
			cJSON *er = cJSON_AddObjectToObject(nested, "error");
			cJSON_AddStringToObject(er, "message", fd_rng_pick(&r, errors_, 4));
			cJSON_AddStringToObject(er, "type", "AssertionError");
		}
		cJSON *tags = cJSON_CreateArray();
		char tag[160];
		snprintf(tag, sizeof tag, "service:%s", services[si]);
		cJSON_AddItemToArray(tags, cJSON_CreateString(tag));
		cJSON_AddItemToArray(tags, cJSON_CreateString("env:ci"));
		snprintf(tag, sizeof tag, "test.status:%s", status);
		cJSON_AddItemToArray(tags, cJSON_CreateString(tag));
		snprintf(tag, sizeof tag, "language:%s", languages[si]);
		cJSON_AddItemToArray(tags, cJSON_CreateString(tag));

		cJSON *o = cJSON_CreateObject();
		cJSON *a = cJSON_AddObjectToObject(o, "attributes");
		cJSON_AddItemToObject(a, "attributes", nested);
		cJSON_AddItemToObject(a, "tags", tags);
		cJSON_AddStringToObject(a, "test_level", "test");
		cJSON_AddStringToObject(a, "timestamp", ts_s);
		cJSON_AddStringToObject(o, "id", id);
		cJSON_AddStringToObject(o, "type", "citest");
		event_from(&evs[i], o, ts);
		cJSON_Delete(o);
	}
	nev = n;
	arena = settle(evs, n);
	fd_cache_stale(&cache);
}

void fd_tests_state(cJSON *out)
{
	cJSON_AddItemToObject(out, "test_events", fd_json_int(nev));
}

/* ---- facets and queries ---- */

/* The value of the first entry with this path, or NULL. */
static const char *flat_find(const char *flat, const char *key, char *type)
{
	int want = key_id(key, 0);
	if (want < 0)
		return NULL;
	struct flat_it it = {flat};
	int id;
	char ty;
	const char *v;
	while (flat_next(&it, &id, &ty, &v)) {
		if (id == want) {
			*type = ty;
			return v;
		}
	}
	return NULL;
}

/* Calls fn for every value of a facet; stops when fn returns non-zero.
 * "@a.b" is attributes.attributes a.b; other keys are tags "key:value", else
 * attributes.attributes paths; "test_level" and "id" are the event's own. */
typedef int (*value_fn)(void *ctx, char type, const char *value);

static int facet_each(const struct tevent *e, const char *key, value_fn fn, void *ctx)
{
	const char *want = key;
	if (key[0] == '@')
		want = key + 1;
	else if (strcmp(key, "test_level") == 0)
		want = "#test_level";
	else if (strcmp(key, "id") == 0)
		want = "#id";
	int found = 0;
	if (want == key) { /* tags first */
		int tags = key_id("#tags", 0);
		size_t kl = strlen(key);
		struct flat_it it = {e->flat};
		int id;
		char ty;
		const char *v;
		while (flat_next(&it, &id, &ty, &v)) {
			if (id == tags && strncmp(v, key, kl) == 0 && v[kl] == ':') {
				found = 1;
				if (fn(ctx, 's', v + kl + 1))
					return 1;
			}
		}
		if (found)
			return 1;
	}
	int wid = key_id(want, 0);
	if (wid < 0)
		return 0;
	struct flat_it it = {e->flat};
	int id;
	char ty;
	const char *v;
	while (flat_next(&it, &id, &ty, &v)) {
		if (id == wid) {
			found = 1;
			if (fn(ctx, ty, v))
				return 1;
		}
	}
	return found;
}

struct match_ctx {
	const struct fd_term *t;
	int hit;
};

static int match_value(void *ctx, char type, const char *value)
{
	(void)type;
	struct match_ctx *m = ctx;
	for (int j = 0; j < m->t->nvals; j++)
		if (fd_text_matches(value, m->t->vals[j]))
			return m->hit = 1;
	return 0;
}

static int event_matches(const struct fd_search *q, const struct tevent *e)
{
	for (int i = 0; i < q->n; i++) {
		const struct fd_term *t = &q->t[i];
		if (!t->key)
			continue;
		struct match_ctx m = {t, 0};
		facet_each(e, t->key, match_value, &m);
		if (m.hit == t->neg)
			return 0;
	}
	return 1;
}

struct first_ctx {
	char type;
	const char *value;
};

static int first_value(void *ctx, char type, const char *value)
{
	struct first_ctx *f = ctx;
	f->type = type;
	f->value = value;
	return 1;
}

/* The facet's first value (pointing into the event), or NULL. */
static const char *facet_first(const struct tevent *e, const char *key, char *type)
{
	struct first_ctx f = {0, NULL};
	facet_each(e, key, first_value, &f);
	*type = f.type;
	return f.value;
}

/* Filtered and time-sorted event indexes (cached). */
static int select_events(const char *query, int64_t from, int64_t to, int desc, int **out, int *nout, char *err,
			 size_t errlen);


struct window {
	int64_t from, to;
	int desc;
};

/* The events in the window matching q, in its time order. */
static int *match_events(const struct fd_search *q, void *ctx, int *nout)
{
	const struct window *w = ctx;
	int *idx = malloc(sizeof *idx * (size_t)(nev + 1));
	if (!idx)
		abort();
	int n = 0;
	int lo = 0, hi = nev;
	while (lo < hi) { /* first event at or after from */
		int mid = lo + (hi - lo) / 2;
		if (evs[mid].ts_ms < w->from)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (int i = lo; i < nev && evs[i].ts_ms <= w->to; i++) {
		if (event_matches(q, &evs[i]))
			idx[n++] = i;
	}
	if (w->desc) /* evs is kept in ascending time order */
		for (int i = 0, j = n - 1; i < j; i++, j--) {
			int t = idx[i];
			idx[i] = idx[j];
			idx[j] = t;
		}
	*nout = n;
	return idx;
}

static int select_events(const char *query, int64_t from, int64_t to, int desc, int **out, int *nout, char *err,
			 size_t errlen)
{
	struct window w = {from, to, desc};
	struct fd_buf key = {0};
	fd_buf_addf(&key, "%d:%" PRId64 ":%" PRId64 ":", desc, from, to);
	fd_buf_adds(&key, query);
	return fd_cache_search(&cache, key.p, query, match_events, &w, out, nout, err, errlen);
}

/* ---- list and search ---- */

static void url_encode(struct fd_buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("-_.~", c))
			fd_buf_add(b, s, 1);
		else
			fd_buf_addf(b, "%%%02X", c);
	}
}

static void add_meta(cJSON *doc, const struct fd_req *req, int64_t started_ms, const char *after)
{
	cJSON *meta = cJSON_AddObjectToObject(doc, "meta");
	cJSON_AddItemToObject(meta, "elapsed", fd_json_int(fd_now_ms() - started_ms));
	if (after) {
		cJSON *pg = cJSON_AddObjectToObject(meta, "page");
		cJSON_AddStringToObject(pg, "after", after);
	}
	char rid[48];
	snprintf(rid, sizeof rid, "fake-query-%" PRIu64, ++request_seq);
	cJSON_AddStringToObject(meta, "request_id", rid);
	cJSON_AddStringToObject(meta, "status", req->partial ? "timeout" : "done");
	if (req->partial) {
		cJSON *w = cJSON_AddArrayToObject(meta, "warnings");
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "code", "query_timeout");
		cJSON_AddStringToObject(o, "detail", "the query timed out before scanning every event");
		cJSON_AddStringToObject(o, "title", "Partial results: the query timed out");
		cJSON_AddItemToArray(w, o);
	}
}

struct listq {
	const char *query;
	int64_t from, to, limit, offset;
	int desc;
};

static void answer_events(const struct fd_req *req, struct fd_resp *resp, const struct listq *lq, int64_t t0)
{
	int *idx = NULL, n = 0;
	char err[256];
	if (select_events(lq->query, lq->from, lq->to, lq->desc, &idx, &n, err, sizeof err) != 0) {
		fd_resp_error(resp, 400, "filter[query]: %s", err);
		return;
	}
	cJSON *doc = cJSON_CreateObject();
	char *after = NULL;
	if (lq->offset + lq->limit < n) {
		after = fd_cursor_encode("ev", lq->offset + lq->limit, lq->from, lq->to);
		struct fd_buf link = {0};
		fd_buf_adds(&link, req->base_url);
		fd_buf_adds(&link, "/api/v2/ci/tests/events?filter[query]=");
		url_encode(&link, lq->query);
		fd_buf_addf(&link, "&page[limit]=%" PRId64 "&sort=%s&page[cursor]=%s", lq->limit,
			    lq->desc ? "-timestamp" : "timestamp", after);
		cJSON *links = cJSON_AddObjectToObject(doc, "links");
		cJSON_AddStringToObject(links, "next", link.p);
		fd_buf_release(&link);
	}
	add_meta(doc, req, t0, after);
	free(after);
	/* {"data":[<event texts>], <links and meta>} */
	char *rest = fd_print(doc);
	cJSON_Delete(doc);
	struct fd_buf b = {0};
	fd_buf_adds(&b, "{\"data\":[");
	for (int64_t i = lq->offset; i < n && i < lq->offset + lq->limit; i++) {
		if (i > lq->offset)
			fd_buf_adds(&b, ",");
		fd_buf_add(&b, evs[idx[i]].json, evs[idx[i]].json_len);
	}
	fd_buf_adds(&b, "],");
	fd_buf_adds(&b, rest + 1); /* rest without its opening brace */
	free(rest);
	fd_resp_release(resp);
	resp->status = 200;
	resp->ctype = "application/json";
	resp->body = b.p;
	resp->len = b.len;
}

/* Resolves from/to/cursor into lq; 0 or -1 with resp set.  `names` are the
 * field names to quote in errors. */
static int resolve_window(struct fd_resp *resp, struct listq *lq, const char *from, const char *to,
			  const char *cursor, const char *const names[3])
{
	int64_t now = fd_now_ms();
	lq->from = now - 15 * 60000;
	lq->to = now;
	if (from && fd_parse_time_ms(from, now, &lq->from) != 0) {
		fd_resp_error(resp, 400, "%s: invalid time '%s' (expected RFC 3339, Unix ms or now-15m)", names[0], from);
		return -1;
	}
	if (to && fd_parse_time_ms(to, now, &lq->to) != 0) {
		fd_resp_error(resp, 400, "%s: invalid time '%s' (expected RFC 3339, Unix ms or now-15m)", names[1], to);
		return -1;
	}
	if (cursor) {
		if (fd_cursor_decode(cursor, "ev", &lq->offset, &lq->from, &lq->to) != 0 || lq->offset < 0) {
			fd_resp_error(resp, 400, "%s: invalid cursor", names[2]);
			return -1;
		}
	}
	if (lq->from > lq->to) {
		fd_resp_error(resp, 400, "%s: must not be after %s", names[0], names[1]);
		return -1;
	}
	return 0;
}

void fd_tests_list(const struct fd_req *req, struct fd_resp *resp)
{
	int64_t t0 = fd_now_ms();
	char *q = fd_query_get(req->query, "filter[query]");
	char *from = fd_query_get(req->query, "filter[from]");
	char *to = fd_query_get(req->query, "filter[to]");
	char *sort = fd_query_get(req->query, "sort");
	char *limit = fd_query_get(req->query, "page[limit]");
	char *cursor = fd_query_get(req->query, "page[cursor]");
	static const char *const names[3] = {"filter[from]", "filter[to]", "page[cursor]"};
	struct listq lq = {.query = q ? q : "*", .limit = 10, .desc = 1};
	if (sort && strcmp(sort, "timestamp") != 0 && strcmp(sort, "-timestamp") != 0) {
		fd_resp_error(resp, 400, "sort: must be timestamp or -timestamp");
		goto done;
	}
	if (sort)
		lq.desc = sort[0] == '-';
	if (limit) {
		char *end = NULL;
		long long v = strtoll(limit, &end, 10);
		if (!*limit || !end || *end || v < 1 || v > 1000) {
			fd_resp_error(resp, 400, "page[limit]: must be an integer between 1 and 1000");
			goto done;
		}
		lq.limit = v;
	}
	if (resolve_window(resp, &lq, from, to, cursor, names) != 0)
		goto done;
	answer_events(req, resp, &lq, t0);
done:
	free(q);
	free(from);
	free(to);
	free(sort);
	free(limit);
	free(cursor);
}

/* Reads filter.{from,to,query} strings; 0 or -1 with resp set. */
static int read_filter(const cJSON *doc, struct fd_resp *resp, const char **query, const char **from, const char **to)
{
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(doc, "filter");
	*query = "*";
	*from = *to = NULL;
	if (!f || cJSON_IsNull(f))
		return 0;
	if (!cJSON_IsObject(f)) {
		fd_resp_error(resp, 400, "filter: expected an object");
		return -1;
	}
	const char *names[3] = {"query", "from", "to"};
	const char **outs[3] = {query, from, to};
	for (int i = 0; i < 3; i++) {
		const cJSON *it = cJSON_GetObjectItemCaseSensitive(f, names[i]);
		if (!it || cJSON_IsNull(it))
			continue;
		if (!cJSON_IsString(it)) {
			fd_resp_error(resp, 400, "filter.%s: expected a string", names[i]);
			return -1;
		}
		*outs[i] = it->valuestring;
	}
	return 0;
}

static int read_options(const cJSON *doc, struct fd_resp *resp)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(doc, "options");
	if (!o || cJSON_IsNull(o))
		return 0;
	if (!cJSON_IsObject(o)) {
		fd_resp_error(resp, 400, "options: expected an object");
		return -1;
	}
	const cJSON *tz = cJSON_GetObjectItemCaseSensitive(o, "timezone");
	const cJSON *off = cJSON_GetObjectItemCaseSensitive(o, "time_offset");
	int64_t v;
	if (tz && !cJSON_IsString(tz)) {
		fd_resp_error(resp, 400, "options.timezone: expected a string");
		return -1;
	}
	if (off && !fd_json_get_int(off, &v)) {
		fd_resp_error(resp, 400, "options.time_offset: expected an integer (seconds)");
		return -1;
	}
	if (tz && off) {
		fd_resp_error(resp, 400, "options: supply timezone or time_offset, not both");
		return -1;
	}
	return 0;
}

void fd_tests_search(const struct fd_req *req, struct fd_resp *resp)
{
	int64_t t0 = fd_now_ms();
	if (fd_body_object(req, resp))
		return;
	const cJSON *doc = req->json;
	const char *query, *from, *to, *cursor = NULL;
	if (read_filter(doc, resp, &query, &from, &to) || read_options(doc, resp))
		return;
	struct listq lq = {.query = query, .limit = 10, .desc = 1};
	const cJSON *so = cJSON_GetObjectItemCaseSensitive(doc, "sort");
	if (so && !cJSON_IsNull(so)) {
		if (!cJSON_IsString(so) || (strcmp(so->valuestring, "timestamp") && strcmp(so->valuestring, "-timestamp"))) {
			fd_resp_error(resp, 400, "sort: must be timestamp or -timestamp");
			return;
		}
		lq.desc = so->valuestring[0] == '-';
	}
	const cJSON *pg = cJSON_GetObjectItemCaseSensitive(doc, "page");
	if (pg && !cJSON_IsNull(pg)) {
		if (!cJSON_IsObject(pg)) {
			fd_resp_error(resp, 400, "page: expected an object");
			return;
		}
		const cJSON *l = cJSON_GetObjectItemCaseSensitive(pg, "limit");
		if (l && !cJSON_IsNull(l) && (!fd_json_get_int(l, &lq.limit) || lq.limit < 1 || lq.limit > 1000)) {
			fd_resp_error(resp, 400, "page.limit: must be an integer between 1 and 1000");
			return;
		}
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(pg, "cursor");
		if (c && !cJSON_IsNull(c)) {
			if (!cJSON_IsString(c)) {
				fd_resp_error(resp, 400, "page.cursor: expected a string");
				return;
			}
			cursor = c->valuestring;
		}
	}
	static const char *const names[3] = {"filter.from", "filter.to", "page.cursor"};
	if (resolve_window(resp, &lq, from, to, cursor, names) != 0)
		return;
	answer_events(req, resp, &lq, t0);
}

/* ---- aggregate ---- */

enum agg { A_COUNT, A_CARD, A_PC75, A_PC90, A_PC95, A_PC98, A_PC99, A_SUM, A_MIN, A_MAX, A_AVG, A_MEDIAN,
	   A_LATEST, A_EARLIEST, A_MOST_FREQ, A_DELTA, A_NONE };
static const char *const agg_names[] = {"count", "cardinality", "pc75", "pc90", "pc95", "pc98", "pc99", "sum",
					"min", "max", "avg", "median", "latest", "earliest", "most_frequent", "delta"};

static enum agg agg_from(const cJSON *it)
{
	if (!cJSON_IsString(it))
		return A_NONE;
	for (int i = 0; i < A_NONE; i++)
		if (strcmp(it->valuestring, agg_names[i]) == 0)
			return (enum agg)i;
	return A_NONE;
}

struct compute {
	enum agg agg;
	const char *metric;
	int timeseries;
	int64_t interval;
};

struct group {
	const char *facet;
	int64_t limit;
	const cJSON *missing;
	int sort_measure; /* 0 alphabetical, 1 measure */
	int sort_given;
	int desc;
	enum agg sort_agg;
	const char *sort_metric;
	const cJSON *total; /* true, string or number, or NULL */
	int hist;
	double hmin, hmax, hint;
};

struct aggctx {
	struct compute *c;
	int nc;
	struct group *g;
	int ng;
	int64_t from, to;
	cJSON *buckets;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y ? 1 : 0;
}

static int metric_value(const struct tevent *e, const char *metric, double *out)
{
	char type;
	const char *v = facet_first(e, metric, &type);
	if (!v)
		return 0;
	if (type == 'b') {
		*out = strcmp(v, "true") == 0;
		return 1;
	}
	char *end = NULL;
	*out = strtod(v, &end);
	return end && end != v && !*end;
}

static char *value_string(const struct tevent *e, const char *key)
{
	char type;
	const char *v = facet_first(e, key, &type);
	if (!v)
		return NULL;
	char *s = strdup(v);
	if (!s)
		abort();
	return s;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One aggregation over events idx[0..n); a number, a string (most_frequent) or null. */
static cJSON *aggregate(enum agg a, const char *metric, const int *idx, int n)
{
	if (a == A_COUNT)
		return fd_json_int(n);
	if (!metric || !*metric)
		return cJSON_CreateNull();
	if (a == A_CARD || a == A_MOST_FREQ) {
		char **vals = calloc((size_t)n + 1, sizeof *vals);
		if (!vals)
			abort();
		int m = 0;
		for (int i = 0; i < n; i++) {
			char *s = value_string(&evs[idx[i]], metric);
			if (s)
				vals[m++] = s;
		}
		qsort(vals, (size_t)m, sizeof *vals, cmp_str);
		cJSON *out;
		int distinct = 0, best = 0, run = 0;
		const char *best_s = NULL;
		for (int i = 0; i < m; i++) {
			if (i == 0 || strcmp(vals[i], vals[i - 1]) != 0) {
				distinct++;
				run = 0;
			}
			run++;
			if (run > best) {
				best = run;
				best_s = vals[i];
			}
		}
		if (a == A_CARD)
			out = fd_json_int(distinct);
		else
			out = best_s ? cJSON_CreateString(best_s) : cJSON_CreateNull();
		for (int i = 0; i < m; i++)
			free(vals[i]);
		free(vals);
		return out;
	}
	if (a == A_LATEST || a == A_EARLIEST || a == A_DELTA) {
		int64_t lt = INT64_MIN, et = INT64_MAX;
		double lv = 0, ev = 0;
		int any = 0;
		for (int i = 0; i < n; i++) {
			double v;
			const struct tevent *e = &evs[idx[i]];
			if (!metric_value(e, metric, &v))
				continue;
			any = 1;
			if (e->ts_ms >= lt) {
				lt = e->ts_ms;
				lv = v;
			}
			if (e->ts_ms <= et) {
				et = e->ts_ms;
				ev = v;
			}
		}
		if (!any)
			return cJSON_CreateNull();
		return fd_json_double(a == A_LATEST ? lv : a == A_EARLIEST ? ev : lv - ev);
	}
	double *v = malloc(sizeof *v * (size_t)(n + 1));
	if (!v)
		abort();
	int m = 0;
	for (int i = 0; i < n; i++)
		if (metric_value(&evs[idx[i]], metric, &v[m]))
			m++;
	if (m == 0) {
		free(v);
		return a == A_SUM ? fd_json_int(0) : cJSON_CreateNull();
	}
	double r = 0;
	switch (a) {
	case A_SUM:
	case A_AVG:
		for (int i = 0; i < m; i++)
			r += v[i];
		if (a == A_AVG)
			r /= m;
		break;
	case A_MIN:
		r = v[0];
		for (int i = 1; i < m; i++)
			r = v[i] < r ? v[i] : r;
		break;
	case A_MAX:
		r = v[0];
		for (int i = 1; i < m; i++)
			r = v[i] > r ? v[i] : r;
		break;
	default: {
		double p = a == A_PC75 ? 75 : a == A_PC90 ? 90 : a == A_PC95 ? 95 : a == A_PC98 ? 98 : a == A_PC99 ? 99 : 50;
		qsort(v, (size_t)m, sizeof *v, cmp_double);
		int rank = (int)ceil(p / 100.0 * m); /* nearest rank */
		r = v[rank < 1 ? 0 : rank - 1];
		break;
	}
	}
	free(v);
	return fd_json_double(r);
}

static cJSON *computes_for(const struct aggctx *ax, const int *idx, int n)
{
	cJSON *out = cJSON_CreateObject();
	for (int ci = 0; ci < ax->nc; ci++) {
		const struct compute *c = &ax->c[ci];
		char name[16];
		snprintf(name, sizeof name, "c%d", ci);
		if (!c->timeseries) {
			cJSON_AddItemToObject(out, name, aggregate(c->agg, c->metric, idx, n));
			continue;
		}
		int64_t start = ax->from - ((ax->from % c->interval) + c->interval) % c->interval;
		int64_t slots = (ax->to - start) / c->interval + 1;
		int *slot_n = calloc((size_t)slots, sizeof *slot_n);
		int *tmp = malloc(sizeof *tmp * (size_t)(n + 1));
		if (!slot_n || !tmp)
			abort();
		cJSON *ts = cJSON_CreateArray();
		for (int i = 0; i < n; i++) {
			int64_t s = (evs[idx[i]].ts_ms - start) / c->interval;
			if (s >= 0 && s < slots)
				slot_n[s]++;
		}
		for (int64_t s = 0; s < slots; s++) {
			if (c->agg != A_COUNT && slot_n[s] == 0)
				continue;
			int m = 0;
			if (c->agg != A_COUNT)
				for (int i = 0; i < n; i++)
					if ((evs[idx[i]].ts_ms - start) / c->interval == s && evs[idx[i]].ts_ms >= start)
						tmp[m++] = idx[i];
			cJSON *pt = cJSON_CreateObject();
			char t[40];
			fd_format_rfc3339_ms(start + s * c->interval, t, sizeof t);
			cJSON_AddStringToObject(pt, "time", t);
			cJSON_AddItemToObject(pt, "value", c->agg == A_COUNT ? fd_json_int(slot_n[s])
									: aggregate(c->agg, c->metric, tmp, m));
			cJSON_AddItemToArray(ts, pt);
		}
		free(slot_n);
		free(tmp);
		cJSON_AddItemToObject(out, name, ts);
	}
	return out;
}

struct part {
	char *key;
	cJSON *value; /* the by-value to report */
	int *idx;
	int n;
	double measure;
};

static struct group *cur_group;
static int cmp_parts(const void *pa, const void *pb)
{
	const struct part *a = pa, *b = pb;
	int c;
	if (cur_group->sort_measure) {
		c = a->measure < b->measure ? -1 : a->measure > b->measure ? 1 : 0;
		if (cur_group->desc)
			c = -c;
		if (c == 0)
			c = strcmp(a->key, b->key);
	} else {
		c = strcmp(a->key, b->key);
		if (cur_group->desc)
			c = -c;
	}
	return c;
}

struct keyed {
	char *key;
	int ev;
};
static int cmp_keyed(const void *pa, const void *pb)
{
	const struct keyed *a = pa, *b = pb;
	int c = strcmp(a->key, b->key);
	return c ? c : a->ev - b->ev;
}

static void group_level(struct aggctx *ax, int level, const int *idx, int n, cJSON *by)
{
	if (level == ax->ng) {
		cJSON *b = cJSON_CreateObject();
		cJSON_AddItemToObject(b, "by", cJSON_Duplicate(by, 1));
		cJSON_AddItemToObject(b, "computes", computes_for(ax, idx, n));
		cJSON_AddItemToArray(ax->buckets, b);
		return;
	}
	struct group *g = &ax->g[level];
	struct keyed *k = malloc(sizeof *k * (size_t)(n + 1));
	if (!k)
		abort();
	int m = 0;
	for (int i = 0; i < n; i++) {
		char *s = NULL;
		if (g->hist) {
			double v;
			if (metric_value(&evs[idx[i]], g->facet, &v) && v >= g->hmin && v <= g->hmax) {
				char buf[64];
				snprintf(buf, sizeof buf, "%.17g", g->hmin + floor((v - g->hmin) / g->hint) * g->hint);
				s = strdup(buf);
			}
		} else {
			s = value_string(&evs[idx[i]], g->facet);
		}
		if (!s && g->missing) {
			char buf[64];
			s = strdup(fd_value_text(g->missing, buf, sizeof buf));
		}
		if (!s)
			continue;
		k[m].key = s;
		k[m].ev = idx[i];
		m++;
	}
	qsort(k, (size_t)m, sizeof *k, cmp_keyed);
	struct part *parts = calloc((size_t)m + 1, sizeof *parts);
	int *flat = malloc(sizeof *flat * (size_t)(m + 1));
	if (!parts || !flat)
		abort();
	int np = 0;
	for (int i = 0; i < m; i++) {
		flat[i] = k[i].ev;
		if (np == 0 || strcmp(k[i].key, parts[np - 1].key) != 0) {
			parts[np].key = k[i].key;
			parts[np].idx = &flat[i];
			parts[np].n = 0;
			np++;
		} else {
			free(k[i].key);
		}
		parts[np - 1].n++;
	}
	free(k);
	for (int p = 0; p < np; p++) {
		/* report the facet's own JSON type: numbers stay numbers */
		char type = 0;
		const char *v = g->hist ? NULL : facet_first(&evs[parts[p].idx[0]], g->facet, &type);
		if (g->hist)
			parts[p].value = fd_json_double(strtod(parts[p].key, NULL));
		else if (v && type == 'n')
			parts[p].value = cJSON_CreateRaw(v);
		else if (v && type == 'b')
			parts[p].value = cJSON_CreateBool(strcmp(v, "true") == 0);
		else if (!v && g->missing)
			parts[p].value = cJSON_Duplicate(g->missing, 1);
		else
			parts[p].value = cJSON_CreateString(parts[p].key);
		if (g->sort_measure) {
			cJSON *mv = aggregate(g->sort_agg, g->sort_metric, parts[p].idx, parts[p].n);
			double d = 0;
			parts[p].measure = fd_json_get_double(mv, &d) ? d : -INFINITY;
			cJSON_Delete(mv);
		}
	}
	cur_group = g;
	qsort(parts, (size_t)np, sizeof *parts, cmp_parts);
	for (int p = 0; p < np && p < g->limit; p++) {
		cJSON_AddItemToObject(by, g->facet, cJSON_Duplicate(parts[p].value, 1));
		group_level(ax, level + 1, parts[p].idx, parts[p].n, by);
		cJSON_DeleteItemFromObjectCaseSensitive(by, g->facet);
	}
	if (g->total && !cJSON_IsFalse(g->total)) {
		cJSON *label = cJSON_IsTrue(g->total) ? cJSON_CreateString("$facet_total") : cJSON_Duplicate(g->total, 1);
		cJSON_AddItemToObject(by, g->facet, label);
		cJSON *b = cJSON_CreateObject();
		cJSON_AddItemToObject(b, "by", cJSON_Duplicate(by, 1));
		cJSON_AddItemToObject(b, "computes", computes_for(ax, idx, n));
		cJSON_AddItemToArray(ax->buckets, b);
		cJSON_DeleteItemFromObjectCaseSensitive(by, g->facet);
	}
	for (int p = 0; p < np; p++) {
		free(parts[p].key);
		cJSON_Delete(parts[p].value);
	}
	free(parts);
	free(flat);
}

static int parse_computes(const cJSON *doc, struct aggctx *ax, struct fd_resp *resp)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(doc, "compute");
	if (!arr || cJSON_IsNull(arr)) {
		ax->c = calloc(1, sizeof *ax->c);
		if (!ax->c)
			abort();
		ax->nc = 1;
		ax->c[0].agg = A_COUNT;
		return 0;
	}
	if (!cJSON_IsArray(arr)) {
		fd_resp_error(resp, 400, "compute: expected an array");
		return -1;
	}
	int n = cJSON_GetArraySize(arr);
	ax->c = calloc((size_t)n + 1, sizeof *ax->c);
	if (!ax->c)
		abort();
	int i = 0;
	const cJSON *o;
	cJSON_ArrayForEach(o, arr)
	{
		struct compute *c = &ax->c[i];
		if (!cJSON_IsObject(o)) {
			fd_resp_error(resp, 400, "compute[%d]: expected an object", i);
			return -1;
		}
		c->agg = agg_from(cJSON_GetObjectItemCaseSensitive(o, "aggregation"));
		if (c->agg == A_NONE) {
			fd_resp_error(resp, 400, "compute[%d].aggregation: required, one of count, cardinality, pc75, pc90, "
						 "pc95, pc98, pc99, sum, min, max, avg, median, latest, earliest, most_frequent, delta", i);
			return -1;
		}
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "metric");
		if (m && !cJSON_IsNull(m)) {
			if (!cJSON_IsString(m)) {
				fd_resp_error(resp, 400, "compute[%d].metric: expected a string", i);
				return -1;
			}
			c->metric = m->valuestring;
		}
		if (c->agg != A_COUNT && !c->metric) {
			fd_resp_error(resp, 400, "compute[%d].metric: required for aggregation '%s'", i, agg_names[c->agg]);
			return -1;
		}
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(o, "type");
		if (t && !cJSON_IsNull(t)) {
			if (!cJSON_IsString(t) || (strcmp(t->valuestring, "total") && strcmp(t->valuestring, "timeseries"))) {
				fd_resp_error(resp, 400, "compute[%d].type: must be total or timeseries", i);
				return -1;
			}
			c->timeseries = strcmp(t->valuestring, "timeseries") == 0;
		}
		const cJSON *iv = cJSON_GetObjectItemCaseSensitive(o, "interval");
		if (iv && !cJSON_IsNull(iv)) {
			if (!cJSON_IsString(iv) || fd_parse_interval_ms(iv->valuestring, &c->interval) != 0) {
				fd_resp_error(resp, 400, "compute[%d].interval: expected a duration like 30s, 5m, 1h, 1d", i);
				return -1;
			}
		}
		i++;
	}
	ax->nc = n;
	return 0;
}

static int parse_groups(const cJSON *doc, struct aggctx *ax, struct fd_resp *resp)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(doc, "group_by");
	if (!arr || cJSON_IsNull(arr))
		return 0;
	if (!cJSON_IsArray(arr)) {
		fd_resp_error(resp, 400, "group_by: expected an array");
		return -1;
	}
	int n = cJSON_GetArraySize(arr);
	ax->g = calloc((size_t)n + 1, sizeof *ax->g);
	if (!ax->g)
		abort();
	int i = 0;
	const cJSON *o;
	cJSON_ArrayForEach(o, arr)
	{
		struct group *g = &ax->g[i];
		const char *f = fd_json_str(o, "facet");
		if (!cJSON_IsObject(o) || !f || !*f) {
			fd_resp_error(resp, 400, "group_by[%d].facet: required string", i);
			return -1;
		}
		g->facet = f;
		g->limit = 10;
		const cJSON *l = cJSON_GetObjectItemCaseSensitive(o, "limit");
		if (l && !cJSON_IsNull(l) && (!fd_json_get_int(l, &g->limit) || g->limit < 1 || g->limit > 10000)) {
			fd_resp_error(resp, 400, "group_by[%d].limit: must be an integer between 1 and 10000", i);
			return -1;
		}
		const cJSON *mi = cJSON_GetObjectItemCaseSensitive(o, "missing");
		if (mi && !cJSON_IsNull(mi)) {
			if (!cJSON_IsString(mi) && !fd_json_is_number(mi)) {
				fd_resp_error(resp, 400, "group_by[%d].missing: expected a string or a number", i);
				return -1;
			}
			g->missing = mi;
		}
		const cJSON *to = cJSON_GetObjectItemCaseSensitive(o, "total");
		if (to && !cJSON_IsNull(to)) {
			if (!cJSON_IsBool(to) && !cJSON_IsString(to) && !fd_json_is_number(to)) {
				fd_resp_error(resp, 400, "group_by[%d].total: expected a boolean, a string or a number", i);
				return -1;
			}
			g->total = to;
		}
		/* default: by count, descending */
		g->sort_measure = 1;
		g->desc = 1;
		g->sort_agg = A_COUNT;
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(o, "sort");
		if (s && !cJSON_IsNull(s)) {
			if (!cJSON_IsObject(s)) {
				fd_resp_error(resp, 400, "group_by[%d].sort: expected an object", i);
				return -1;
			}
			const cJSON *st = cJSON_GetObjectItemCaseSensitive(s, "type");
			const cJSON *so = cJSON_GetObjectItemCaseSensitive(s, "order");
			const cJSON *sa = cJSON_GetObjectItemCaseSensitive(s, "aggregation");
			const cJSON *sm = cJSON_GetObjectItemCaseSensitive(s, "metric");
			if (st && (!cJSON_IsString(st) ||
				   (strcmp(st->valuestring, "alphabetical") && strcmp(st->valuestring, "measure")))) {
				fd_resp_error(resp, 400, "group_by[%d].sort.type: must be alphabetical or measure", i);
				return -1;
			}
			if (so && (!cJSON_IsString(so) || (strcmp(so->valuestring, "asc") && strcmp(so->valuestring, "desc")))) {
				fd_resp_error(resp, 400, "group_by[%d].sort.order: must be asc or desc", i);
				return -1;
			}
			if (sa && agg_from(sa) == A_NONE) {
				fd_resp_error(resp, 400, "group_by[%d].sort.aggregation: unknown aggregation", i);
				return -1;
			}
			if (sm && !cJSON_IsString(sm)) {
				fd_resp_error(resp, 400, "group_by[%d].sort.metric: expected a string", i);
				return -1;
			}
			int measure = st ? strcmp(st->valuestring, "measure") == 0 : (sa != NULL);
			if (measure && !sa) {
				fd_resp_error(resp, 400, "group_by[%d].sort.aggregation: required when sort.type is measure", i);
				return -1;
			}
			g->sort_measure = measure;
			g->sort_agg = sa ? agg_from(sa) : A_COUNT;
			g->sort_metric = sm ? sm->valuestring : NULL;
			if (measure && g->sort_agg != A_COUNT && !g->sort_metric) {
				fd_resp_error(resp, 400, "group_by[%d].sort.metric: required for aggregation '%s'", i,
					      agg_names[g->sort_agg]);
				return -1;
			}
			g->desc = so ? strcmp(so->valuestring, "desc") == 0 : measure;
		}
		const cJSON *h = cJSON_GetObjectItemCaseSensitive(o, "histogram");
		if (h && !cJSON_IsNull(h)) {
			if (!cJSON_IsObject(h) || !fd_json_get_double(cJSON_GetObjectItemCaseSensitive(h, "interval"), &g->hint) ||
			    !fd_json_get_double(cJSON_GetObjectItemCaseSensitive(h, "min"), &g->hmin) ||
			    !fd_json_get_double(cJSON_GetObjectItemCaseSensitive(h, "max"), &g->hmax) || g->hint <= 0 ||
			    g->hmax < g->hmin) {
				fd_resp_error(resp, 400, "group_by[%d].histogram: interval, min and max numbers required", i);
				return -1;
			}
			if ((g->hmax - g->hmin) / g->hint > 100) {
				fd_resp_error(resp, 400, "group_by[%d].histogram: at most 100 buckets", i);
				return -1;
			}
			g->hist = 1;
		}
		i++;
	}
	ax->ng = n;
	return 0;
}

void fd_tests_aggregate(const struct fd_req *req, struct fd_resp *resp)
{
	int64_t t0 = fd_now_ms();
	if (fd_body_object(req, resp))
		return;
	if (!req->json) {
		fd_resp_error(resp, 400, "body: required JSON object");
		return;
	}
	const cJSON *doc = req->json;
	struct aggctx ax = {0};
	const char *query, *from, *to;
	static const char *const names[3] = {"filter.from", "filter.to", "page.cursor"};
	struct listq lq = {0};
	int *idx = NULL, n = 0;
	char err[256];
	if (read_filter(doc, resp, &query, &from, &to) || read_options(doc, resp) || parse_computes(doc, &ax, resp) ||
	    parse_groups(doc, &ax, resp))
		goto done;
	const cJSON *pg = cJSON_GetObjectItemCaseSensitive(doc, "page");
	if (pg && !cJSON_IsNull(pg) && !cJSON_IsObject(pg)) {
		fd_resp_error(resp, 400, "page: expected an object");
		goto done;
	}
	if (resolve_window(resp, &lq, from, to, NULL, names) != 0)
		goto done;
	for (int i = 0; i < ax.nc; i++) {
		struct compute *c = &ax.c[i];
		if (!c->timeseries)
			continue;
		if (!c->interval) {
			c->interval = (lq.to - lq.from) / 150;
			if (c->interval < 1000)
				c->interval = 1000;
		}
		if ((lq.to - lq.from) / c->interval > 10000) {
			fd_resp_error(resp, 400, "compute[%d].interval: more than 10000 points between from and to", i);
			goto done;
		}
	}
	if (select_events(query, lq.from, lq.to, 0, &idx, &n, err, sizeof err) != 0) {
		fd_resp_error(resp, 400, "filter.query: %s", err);
		goto done;
	}
	ax.from = lq.from;
	ax.to = lq.to;
	cJSON *out = cJSON_CreateObject();
	cJSON *data = cJSON_AddObjectToObject(out, "data");
	ax.buckets = cJSON_AddArrayToObject(data, "buckets");
	cJSON *by = cJSON_CreateObject();
	if (ax.ng == 0 || n > 0)
		group_level(&ax, 0, idx, n, by);
	cJSON_Delete(by);
	add_meta(out, req, t0, NULL);
	fd_resp_json(resp, 200, out);
done:
	free(ax.c);
	free(ax.g);
}
