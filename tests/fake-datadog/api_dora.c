/*
 * fake-datadog DORA Metrics API: deployment and failure (incident) events —
 * send (deduplicated by id), list, get, delete, and patch a deployment's
 * change failure and remediation.  Errors use the JSON:API error form with
 * source.pointer naming the offending field, as Datadog does for DORA.
 * Lists are as documented: at most `limit` (<= 1000) events, no paging, and
 * a request member the spec does not have (`page`) is refused.  Modes:
 * fd_dora_documented (only documented response attributes: no
 * change_failure / remediation), fd_dora_time_strings (started_at /
 * finished_at as RFC 3339 strings, as the newest clients type them), and
 * fd_dora_generate() for large datasets.
 */
#include "fd.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct rec {
	char *id;
	cJSON *attrs; /* the attributes as list/get answer them */
	cJSON *body;  /* the last request body received for this id */
	int received;
	int patched;
	int64_t started_ns;
	int64_t finished_ns; /* 0 when absent */
	uint64_t seq;        /* insertion order, for stable sorting */
};

struct recs {
	struct rec *v;
	int n, cap;
};

static struct recs deps, fails;
static uint64_t patches, deletes, seq, generated;
int fd_dora_documented, fd_dora_time_strings;

static void rec_release(struct rec *r)
{
	free(r->id);
	cJSON_Delete(r->attrs);
	cJSON_Delete(r->body);
	memset(r, 0, sizeof *r);
}

static void recs_clear(struct recs *rs)
{
	for (int i = 0; i < rs->n; i++)
		rec_release(&rs->v[i]);
	free(rs->v);
	memset(rs, 0, sizeof *rs);
}

void fd_dora_reset(void)
{
	recs_clear(&deps);
	recs_clear(&fails);
	patches = deletes = seq = generated = 0;
}

static struct rec *recs_find(struct recs *rs, const char *id)
{
	for (int i = 0; i < rs->n; i++)
		if (strcmp(rs->v[i].id, id) == 0)
			return &rs->v[i];
	return NULL;
}

static struct rec *recs_add(struct recs *rs)
{
	if (rs->n == rs->cap) {
		int cap = rs->cap ? rs->cap * 2 : 64;
		struct rec *nv = realloc(rs->v, sizeof *nv * (size_t)cap);
		if (!nv)
			abort();
		rs->v = nv;
		rs->cap = cap;
	}
	struct rec *r = &rs->v[rs->n++];
	memset(r, 0, sizeof *r);
	return r;
}

/* ---- validation ---- */

static int64_t to_ns(int64_t v)
{
	if (v < 100000000000LL) /* seconds */
		return v * 1000000000LL;
	if (v < 100000000000000LL) /* milliseconds */
		return v * 1000000LL;
	if (v < 100000000000000000LL) /* microseconds */
		return v * 1000LL;
	return v;
}

/* 0 ok (or absent and optional: *present = 0), -1 with resp set. */
static int check_ts(const cJSON *attrs, const char *name, int required, int64_t *out, int *present,
		    struct fd_resp *resp)
{
	char ptr[64];
	snprintf(ptr, sizeof ptr, "/data/attributes/%s", name);
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(attrs, name);
	*present = 0;
	if (!it || cJSON_IsNull(it)) {
		if (required) {
			fd_resp_jsonapi_error(resp, 400, ptr, "missing required attribute '%s'", name);
			return -1;
		}
		return 0;
	}
	if (!fd_json_is_number(it)) {
		fd_resp_jsonapi_error(resp, 400, ptr, "'%s' must be an integer Unix timestamp (int64), not a %s", name,
				      cJSON_IsString(it) ? "string" : "non-number");
		return -1;
	}
	int64_t v;
	if (!fd_json_get_int(it, &v)) {
		fd_resp_jsonapi_error(resp, 400, ptr,
				      "'%s' must be a JSON integer (int64) without fraction or exponent, got '%s'", name,
				      cJSON_IsRaw(it) ? it->valuestring : "?");
		return -1;
	}
	if (v <= 0) {
		fd_resp_jsonapi_error(resp, 400, ptr, "'%s' must be a positive Unix timestamp", name);
		return -1;
	}
	*out = to_ns(v);
	*present = 1;
	return 0;
}

static int check_string(const cJSON *attrs, const char *name, int required, struct fd_resp *resp)
{
	char ptr[64];
	snprintf(ptr, sizeof ptr, "/data/attributes/%s", name);
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(attrs, name);
	if (!it || cJSON_IsNull(it)) {
		if (required) {
			fd_resp_jsonapi_error(resp, 400, ptr, "missing required attribute '%s'", name);
			return -1;
		}
		return 0;
	}
	if (!cJSON_IsString(it)) {
		fd_resp_jsonapi_error(resp, 400, ptr, "'%s' must be a string", name);
		return -1;
	}
	if (required && !it->valuestring[0]) {
		fd_resp_jsonapi_error(resp, 400, ptr, "'%s' must not be empty", name);
		return -1;
	}
	return 0;
}

static int valid_id(const char *s)
{
	size_t n = strlen(s);
	if (n < 16 || n > 128)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("-_.:", s[i]))
			return 0;
	return 1;
}

static int valid_sha(const char *s)
{
	size_t n = strlen(s);
	if (n < 40)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int validate_event(const cJSON *attrs, int deploy, int64_t *st, int64_t *fin, struct fd_resp *resp)
{
	static const char *const strs[] = {"env", "team", "version", "name", "severity", "service"};
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
		if (check_string(attrs, strs[i], deploy && strcmp(strs[i], "service") == 0, resp))
			return -1;
	int has_st, has_fin;
	if (check_ts(attrs, "started_at", 1, st, &has_st, resp))
		return -1;
	if (check_ts(attrs, "finished_at", deploy, fin, &has_fin, resp))
		return -1;
	if (!has_fin)
		*fin = 0;
	if (has_fin && *fin < *st) {
		fd_resp_jsonapi_error(resp, 400, "/data/attributes/finished_at",
				      "'finished_at' must not be before 'started_at'");
		return -1;
	}
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(attrs, "id");
	if (it && !cJSON_IsNull(it)) {
		if (!cJSON_IsString(it) || !valid_id(it->valuestring)) {
			fd_resp_jsonapi_error(resp, 400, "/data/attributes/id",
					      "'id' must be a string of 16-128 characters from a-z, A-Z, 0-9, -, _, ., :");
			return -1;
		}
	}
	it = cJSON_GetObjectItemCaseSensitive(attrs, "custom_tags");
	if (it && !cJSON_IsNull(it)) {
		if (!cJSON_IsArray(it)) {
			fd_resp_jsonapi_error(resp, 400, "/data/attributes/custom_tags", "'custom_tags' must be an array of strings");
			return -1;
		}
		if (cJSON_GetArraySize(it) > 100) {
			fd_resp_jsonapi_error(resp, 400, "/data/attributes/custom_tags",
					      "'custom_tags' allows at most 100 tags, got %d", cJSON_GetArraySize(it));
			return -1;
		}
		int i = 0;
		const cJSON *t;
		cJSON_ArrayForEach(t, it)
		{
			const char *s = cJSON_IsString(t) ? t->valuestring : NULL;
			const char *colon = s ? strchr(s, ':') : NULL;
			if (!s || !colon || colon == s || !colon[1]) {
				char ptr[64];
				snprintf(ptr, sizeof ptr, "/data/attributes/custom_tags/%d", i);
				fd_resp_jsonapi_error(resp, 400, ptr, "custom tag must follow the 'key:value' pattern");
				return -1;
			}
			i++;
		}
	}
	it = cJSON_GetObjectItemCaseSensitive(attrs, "git");
	if (it && !cJSON_IsNull(it)) {
		if (!cJSON_IsObject(it)) {
			fd_resp_jsonapi_error(resp, 400, "/data/attributes/git", "'git' must be an object");
			return -1;
		}
		const char *sha = fd_json_str(it, "commit_sha");
		const char *url = fd_json_str(it, "repository_url");
		if (!sha) {
			fd_resp_jsonapi_error(resp, 400, "/data/attributes/git/commit_sha",
					      "missing required attribute 'commit_sha' (a string) in 'git'");
			return -1;
		}
		if (!valid_sha(sha)) {
			fd_resp_jsonapi_error(resp, 400, "/data/attributes/git/commit_sha",
					      "'commit_sha' must match ^[a-fA-F0-9]{40,}$");
			return -1;
		}
		if (!url || !url[0]) {
			fd_resp_jsonapi_error(resp, 400, "/data/attributes/git/repository_url",
					      "missing required attribute 'repository_url' (a string) in 'git'");
			return -1;
		}
	}
	if (!deploy) {
		it = cJSON_GetObjectItemCaseSensitive(attrs, "services");
		int nserv = 0;
		if (it && !cJSON_IsNull(it)) {
			if (!cJSON_IsArray(it)) {
				fd_resp_jsonapi_error(resp, 400, "/data/attributes/services", "'services' must be an array of strings");
				return -1;
			}
			const cJSON *s;
			cJSON_ArrayForEach(s, it)
			{
				if (!cJSON_IsString(s) || !s->valuestring[0]) {
					char ptr[64];
					snprintf(ptr, sizeof ptr, "/data/attributes/services/%d", nserv);
					fd_resp_jsonapi_error(resp, 400, ptr, "service names must be non-empty strings");
					return -1;
				}
				nserv++;
			}
		}
		const char *team = fd_json_str(attrs, "team");
		if (nserv == 0 && (!team || !team[0])) {
			fd_resp_jsonapi_error(resp, 400, "/data/attributes/services",
					      "either 'services' or 'team' is required");
			return -1;
		}
	}
	return 0;
}

/* ---- send ---- */

static void post_event(const struct fd_req *req, struct fd_resp *resp, int deploy)
{
	const cJSON *attrs;
	if (fd_envelope(req, resp, NULL, FD_ENV_JSONAPI, NULL, &attrs))
		return;
	int64_t st = 0, fin = 0;
	if (validate_event(attrs, deploy, &st, &fin, resp))
		return;
	char idbuf[32];
	const char *id = fd_json_str(attrs, "id");
	if (!id) {
		struct fd_rng rng = {fd_seed * 0x100000001b3ULL + (++generated) * 7919 + (deploy ? 1 : 2)};
		fd_rng_hex(&rng, idbuf, 16);
		id = idbuf;
	}
	struct recs *rs = deploy ? &deps : &fails;
	struct rec *r = recs_find(rs, id);
	cJSON *keep_cf = NULL, *keep_rem = NULL;
	int received = 0, patched = 0;
	uint64_t s = ++seq;
	if (r) {
		/* same id = same event: overwrite, but keep what PATCH set */
		keep_cf = cJSON_DetachItemFromObjectCaseSensitive(r->attrs, "change_failure");
		keep_rem = cJSON_DetachItemFromObjectCaseSensitive(r->attrs, "remediation");
		received = r->received;
		patched = r->patched;
		s = r->seq;
		rec_release(r);
	} else {
		r = recs_add(rs);
	}
	r->id = strdup(id);
	r->body = cJSON_Duplicate(req->json, 1);
	r->received = received + 1;
	r->patched = patched;
	r->seq = s;
	r->started_ns = st;
	r->finished_ns = fin;
	r->attrs = cJSON_Duplicate(attrs, 1);
	cJSON_DeleteItemFromObjectCaseSensitive(r->attrs, "id");
	if (deploy) {
		cJSON *git = cJSON_GetObjectItemCaseSensitive(r->attrs, "git");
		if (git && cJSON_IsObject(git)) {
			const char *url = fd_json_str(git, "repository_url");
			char *rid = fd_repo_id(url ? url : "");
			cJSON_DeleteItemFromObjectCaseSensitive(git, "repository_url");
			cJSON_AddStringToObject(git, "repository_id", rid);
			free(rid);
		}
	}
	if (keep_cf)
		cJSON_AddItemToObject(r->attrs, "change_failure", keep_cf);
	if (keep_rem)
		cJSON_AddItemToObject(r->attrs, "remediation", keep_rem);

	cJSON *doc = cJSON_CreateObject();
	cJSON *data = cJSON_AddObjectToObject(doc, "data");
	cJSON_AddStringToObject(data, "id", id);
	cJSON_AddStringToObject(data, "type", deploy ? "dora_deployment" : "dora_failure");
	fd_resp_json(resp, 200, doc);
}

void fd_dora_post_deployment(const struct fd_req *req, struct fd_resp *resp)
{
	post_event(req, resp, 1);
}

void fd_dora_post_failure(const struct fd_req *req, struct fd_resp *resp)
{
	post_event(req, resp, 0);
}

/* ---- list ---- */

/* An RFC 3339 date-time to ns, the fraction kept to the nanosecond. */
static int parse_rfc3339_ns(const char *s, int64_t *out)
{
	char whole[64];
	const char *dot = strchr(s, '.');
	int64_t ms = 0, frac = 0, scale = 100000000;
	size_t n = strlen(s);
	if (n >= sizeof whole)
		return -1;
	if (!dot)
		return fd_parse_rfc3339_ms(s, &ms) != 0 ? -1 : (*out = ms * 1000000, 0);
	const char *p = dot + 1;
	while (isdigit((unsigned char)*p)) {
		frac += (*p - '0') * scale;
		scale /= 10;
		p++;
	}
	snprintf(whole, sizeof whole, "%.*s%s", (int)(dot - s), s, p);
	if (p == dot + 1 || fd_parse_rfc3339_ms(whole, &ms) != 0)
		return -1;
	*out = ms * 1000000 + frac;
	return 0;
}

/* A stored event as list and get answer it, in the server's mode. */
static cJSON *event_json(const struct rec *r, int deploy)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *a = cJSON_Duplicate(r->attrs, 1);
	if (fd_dora_documented) {
		cJSON_DeleteItemFromObjectCaseSensitive(a, "change_failure");
		cJSON_DeleteItemFromObjectCaseSensitive(a, "remediation");
	}
	if (fd_dora_time_strings) {
		const char *names[2] = {"started_at", "finished_at"};
		int64_t v[2] = {r->started_ns, r->finished_ns};
		for (int i = 0; i < 2; i++) {
			char buf[48];
			time_t t = (time_t)(v[i] / 1000000000);
			struct tm tm;
			if (!v[i])
				continue;
			gmtime_r(&t, &tm);
			snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09dZ", tm.tm_year + 1900, tm.tm_mon + 1,
				 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(v[i] % 1000000000));
			cJSON_DeleteItemFromObjectCaseSensitive(a, names[i]);
			cJSON_AddStringToObject(a, names[i], buf);
		}
	}
	cJSON_AddItemToObject(o, "attributes", a);
	cJSON_AddStringToObject(o, "id", r->id);
	cJSON_AddStringToObject(o, "type", deploy ? "dora_deployment" : "dora_failure");
	return o;
}

/* n deployments of service "gen" in env "prod", evenly over the `span_s`
 * seconds before now (span 0: all started in the same nanosecond). */
void fd_dora_generate(int n, int64_t span_s)
{
	int64_t now = fd_now_ns(), start = now - (span_s ? span_s : 3600) * 1000000000LL;
	struct fd_rng rng = {fd_seed * 0x9e3779b97f4a7c15ULL + 17};
	for (int i = 0; i < n; i++) {
		struct rec *r = recs_add(&deps);
		char id[40], sha[41], num[24];
		int64_t st = span_s ? start + (int64_t)((double)span_s * 1e9 * i / n) : start;
		snprintf(id, sizeof id, "gen-deployment-%07d", i);
		fd_rng_hex(&rng, sha, 40);
		r->id = strdup(id);
		r->seq = ++seq;
		r->received = 1;
		r->started_ns = st;
		r->finished_ns = st + 60000000000LL;
		r->attrs = cJSON_CreateObject();
		r->body = cJSON_CreateObject();
		cJSON_AddStringToObject(r->attrs, "service", "gen");
		cJSON_AddStringToObject(r->attrs, "env", "prod");
		snprintf(num, sizeof num, "%" PRId64, r->started_ns);
		cJSON_AddItemToObject(r->attrs, "started_at", cJSON_CreateRaw(num));
		snprintf(num, sizeof num, "%" PRId64, r->finished_ns);
		cJSON_AddItemToObject(r->attrs, "finished_at", cJSON_CreateRaw(num));
		cJSON *git = cJSON_AddObjectToObject(r->attrs, "git");
		cJSON_AddStringToObject(git, "commit_sha", sha);
		cJSON_AddStringToObject(git, "repository_id", "github.com/acme/gen");
	}
}

struct item {
	const struct rec *r;
	int deploy;
};

static const cJSON *lookup(const void *p, const char *key, cJSON **tmp)
{
	const struct item *it = p;
	const cJSON *a = it->r->attrs;
	if (key[0] == '@')
		key++;
	if (strcmp(key, "id") == 0) {
		*tmp = cJSON_CreateString(it->r->id);
		return *tmp;
	}
	if (strcmp(key, "service") == 0)
		return cJSON_GetObjectItemCaseSensitive(a, it->deploy ? "service" : "services");
	if (strcmp(key, "services") == 0)
		return cJSON_GetObjectItemCaseSensitive(a, "services");
	static const char *const plain[] = {"env", "team", "version", "severity", "name", "change_failure"};
	for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
		if (strcmp(key, plain[i]) == 0)
			return cJSON_GetObjectItemCaseSensitive(a, key);
	if (strcmp(key, "commit_sha") == 0 || strcmp(key, "git.commit_sha") == 0 || strcmp(key, "git.commit.sha") == 0)
		return fd_json_path(a, "git.commit_sha");
	if (strcmp(key, "repository_id") == 0 || strcmp(key, "git.repository_id") == 0 ||
	    strcmp(key, "git.repository.id") == 0 || strcmp(key, "repository_url") == 0 ||
	    strcmp(key, "git.repository_url") == 0) {
		const cJSON *v = fd_json_path(a, "git.repository_id");
		if (v)
			return v;
		const char *url = cJSON_IsString(fd_json_path(a, "git.repository_url"))
					  ? fd_json_path(a, "git.repository_url")->valuestring
					  : NULL;
		if (!url)
			return NULL;
		char *rid = fd_repo_id(url);
		*tmp = cJSON_CreateString(rid);
		free(rid);
		return *tmp;
	}
	if (strcmp(key, "remediation.type") == 0 || strcmp(key, "remediation.id") == 0)
		return fd_json_path(a, key);
	/* anything else: a custom tag "key:value" */
	const cJSON *tags = cJSON_GetObjectItemCaseSensitive(a, "custom_tags");
	size_t kl = strlen(key);
	const cJSON *t;
	cJSON_ArrayForEach(t, tags)
	{
		if (cJSON_IsString(t) && strncmp(t->valuestring, key, kl) == 0 && t->valuestring[kl] == ':') {
			if (!*tmp)
				*tmp = cJSON_CreateArray();
			cJSON_AddItemToArray(*tmp, cJSON_CreateString(t->valuestring + kl + 1));
		}
	}
	return *tmp;
}

static int sort_field; /* 0 started_at, 1 finished_at */
static int sort_desc;

static int cmp_items(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int64_t vx = sort_field ? x->r->finished_ns : x->r->started_ns;
	int64_t vy = sort_field ? y->r->finished_ns : y->r->started_ns;
	int c = vx < vy ? -1 : vx > vy ? 1 : 0;
	if (c == 0)
		c = x->r->seq < y->r->seq ? -1 : 1;
	return sort_desc ? -c : c;
}

static void list_events(const struct fd_req *req, struct fd_resp *resp, int deploy)
{
	const char *want = deploy ? "dora_deployments_list_request" : "dora_failures_list_request";
	const cJSON *attrs;
	if (fd_envelope(req, resp, want, FD_ENV_JSONAPI, NULL, &attrs))
		return;
	int64_t from_ns = INT64_MIN, to_ns = INT64_MAX;
	const char *names[2] = {"from", "to"};
	int64_t *outs[2] = {&from_ns, &to_ns};
	for (int i = 0; i < 2; i++) {
		const cJSON *it = cJSON_GetObjectItemCaseSensitive(attrs, names[i]);
		if (!it || cJSON_IsNull(it))
			continue;
		char ptr[40];
		snprintf(ptr, sizeof ptr, "/data/attributes/%s", names[i]);
		if (!cJSON_IsString(it) || parse_rfc3339_ns(it->valuestring, outs[i]) != 0) {
			fd_resp_jsonapi_error(resp, 400, ptr, "'%s' must be an RFC 3339 date-time string", names[i]);
			return;
		}
	}
	int64_t limit = 10;
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(attrs, "limit");
	if (it && !cJSON_IsNull(it)) {
		if (!fd_json_get_int(it, &limit) || limit < 1 || limit > 1000) {
			fd_resp_jsonapi_error(resp, 400, "/data/attributes/limit", "'limit' must be an integer between 1 and 1000");
			return;
		}
	}
	sort_field = 0;
	sort_desc = 1;
	it = cJSON_GetObjectItemCaseSensitive(attrs, "sort");
	if (it && !cJSON_IsNull(it)) {
		const char *s = cJSON_IsString(it) ? it->valuestring : "";
		if (strcmp(s, "started_at") == 0 || strcmp(s, "-started_at") == 0 || strcmp(s, "finished_at") == 0 ||
		    strcmp(s, "-finished_at") == 0) {
			sort_desc = s[0] == '-';
			sort_field = strstr(s, "finished") != NULL;
		} else {
			fd_resp_jsonapi_error(resp, 400, "/data/attributes/sort",
					      "'sort' must be one of started_at, -started_at, finished_at, -finished_at");
			return;
		}
	}
	/* ListDORADeploymentsRequest has from, limit, query, sort, to: nothing else. */
	const cJSON *member;
	cJSON_ArrayForEach(member, attrs)
	{
		static const char *const known[] = {"from", "limit", "query", "sort", "to"};
		size_t k = 0;
		while (k < sizeof known / sizeof known[0] && strcmp(member->string, known[k]) != 0)
			k++;
		if (k == sizeof known / sizeof known[0]) {
			fd_resp_jsonapi_error(resp, 400, "/data/attributes", "unknown attribute '%s' (the list API has no paging)",
					      member->string);
			return;
		}
	}
	struct fd_search q;
	char err[256];
	it = cJSON_GetObjectItemCaseSensitive(attrs, "query");
	if (it && !cJSON_IsNull(it) && !cJSON_IsString(it)) {
		fd_resp_jsonapi_error(resp, 400, "/data/attributes/query", "'query' must be a string");
		return;
	}
	if (fd_search_parse(&q, cJSON_IsString(it) ? it->valuestring : "", err, sizeof err) != 0) {
		fd_resp_jsonapi_error(resp, 400, "/data/attributes/query", "invalid 'query': %s", err);
		return;
	}
	struct recs *rs = deploy ? &deps : &fails;
	struct item *items = calloc((size_t)rs->n + 1, sizeof *items);
	if (!items)
		abort();
	int n = 0;
	for (int i = 0; i < rs->n; i++) {
		struct item cand = {&rs->v[i], deploy};
		if (rs->v[i].started_ns < from_ns || rs->v[i].started_ns > to_ns)
			continue;
		if (!fd_search_match(&q, &cand, lookup))
			continue;
		items[n++] = cand;
	}
	fd_search_release(&q);
	qsort(items, (size_t)n, sizeof *items, cmp_items);
	cJSON *doc = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(doc, "data");
	for (int i = 0; i < n && i < limit; i++)
		cJSON_AddItemToArray(arr, event_json(items[i].r, deploy));
	free(items);
	fd_resp_json(resp, 200, doc);
}

void fd_dora_list_deployments(const struct fd_req *req, struct fd_resp *resp)
{
	list_events(req, resp, 1);
}

void fd_dora_list_failures(const struct fd_req *req, struct fd_resp *resp)
{
	list_events(req, resp, 0);
}

/* ---- get / delete ---- */

static void get_event(const struct fd_req *req, struct fd_resp *resp, int deploy)
{
	struct rec *r = recs_find(deploy ? &deps : &fails, req->params[0]);
	if (!r) {
		fd_resp_jsonapi_error(resp, 404, NULL, "%s '%s' not found", deploy ? "deployment" : "failure",
				      req->params[0]);
		return;
	}
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddItemToObject(doc, "data", event_json(r, deploy));
	fd_resp_json(resp, 200, doc);
}

void fd_dora_get_deployment(const struct fd_req *req, struct fd_resp *resp)
{
	get_event(req, resp, 1);
}

void fd_dora_get_failure(const struct fd_req *req, struct fd_resp *resp)
{
	get_event(req, resp, 0);
}

static void delete_event(const struct fd_req *req, struct fd_resp *resp, int deploy)
{
	struct recs *rs = deploy ? &deps : &fails;
	struct rec *r = recs_find(rs, req->params[0]);
	if (!r) {
		fd_resp_jsonapi_error(resp, 404, NULL, "%s '%s' not found", deploy ? "deployment" : "failure",
				      req->params[0]);
		return;
	}
	int i = (int)(r - rs->v);
	rec_release(r);
	memmove(rs->v + i, rs->v + i + 1, sizeof *rs->v * (size_t)(rs->n - i - 1));
	rs->n--;
	deletes++;
	fd_resp_empty(resp, 202);
}

void fd_dora_delete_deployment(const struct fd_req *req, struct fd_resp *resp)
{
	delete_event(req, resp, 1);
}

void fd_dora_delete_failure(const struct fd_req *req, struct fd_resp *resp)
{
	delete_event(req, resp, 0);
}

/* ---- patch ---- */

void fd_dora_patch_deployment(const struct fd_req *req, struct fd_resp *resp)
{
	const cJSON *data, *attrs;
	if (fd_envelope(req, resp, "dora_deployment_patch_request", FD_ENV_JSONAPI, &data, &attrs))
		return;
	const char *id = fd_json_str(data, "id");
	if (!id) {
		fd_resp_jsonapi_error(resp, 400, "/data/id", "missing required field 'id'");
		return;
	}
	if (strcmp(id, req->params[0]) != 0) {
		fd_resp_jsonapi_error(resp, 400, "/data/id", "'id' '%s' does not match the deployment id in the path '%s'",
				      id, req->params[0]);
		return;
	}
	const cJSON *cf = cJSON_GetObjectItemCaseSensitive(attrs, "change_failure");
	if (cf && !cJSON_IsNull(cf) && !cJSON_IsBool(cf)) {
		fd_resp_jsonapi_error(resp, 400, "/data/attributes/change_failure", "'change_failure' must be a boolean");
		return;
	}
	const cJSON *rem = cJSON_GetObjectItemCaseSensitive(attrs, "remediation");
	if (rem && !cJSON_IsNull(rem)) {
		if (!cJSON_IsObject(rem)) {
			fd_resp_jsonapi_error(resp, 400, "/data/attributes/remediation", "'remediation' must be an object");
			return;
		}
		const cJSON *rid = cJSON_GetObjectItemCaseSensitive(rem, "id");
		if (rid && !cJSON_IsString(rid)) {
			fd_resp_jsonapi_error(resp, 400, "/data/attributes/remediation/id", "'id' must be a string");
			return;
		}
		const cJSON *rt = cJSON_GetObjectItemCaseSensitive(rem, "type");
		if (rt && (!cJSON_IsString(rt) ||
			   (strcmp(rt->valuestring, "rollback") != 0 && strcmp(rt->valuestring, "rollforward") != 0))) {
			fd_resp_jsonapi_error(resp, 400, "/data/attributes/remediation/type",
					      "'type' must be one of rollback, rollforward");
			return;
		}
	}
	struct rec *r = recs_find(&deps, req->params[0]);
	if (!r) {
		fd_resp_jsonapi_error(resp, 404, NULL, "deployment '%s' not found", req->params[0]);
		return;
	}
	if (cf && !cJSON_IsNull(cf)) {
		cJSON_DeleteItemFromObjectCaseSensitive(r->attrs, "change_failure");
		cJSON_AddBoolToObject(r->attrs, "change_failure", cJSON_IsTrue(cf));
	}
	if (rem && !cJSON_IsNull(rem)) {
		cJSON_DeleteItemFromObjectCaseSensitive(r->attrs, "remediation");
		cJSON_AddItemToObject(r->attrs, "remediation", cJSON_Duplicate(rem, 1));
	}
	r->patched++;
	patches++;
	fd_resp_empty(resp, 202);
}

/* ---- state ---- */

static cJSON *recs_json(const struct recs *rs, const char *type)
{
	cJSON *arr = cJSON_CreateArray();
	for (int i = 0; i < rs->n; i++) {
		const struct rec *r = &rs->v[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", r->id);
		cJSON_AddStringToObject(o, "type", type);
		cJSON_AddItemToObject(o, "attributes", cJSON_Duplicate(r->attrs, 1));
		cJSON_AddItemToObject(o, "body", cJSON_Duplicate(r->body, 1));
		cJSON_AddItemToObject(o, "received", fd_json_int(r->received));
		cJSON_AddItemToObject(o, "patched", fd_json_int(r->patched));
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

void fd_dora_state(cJSON *out)
{
	cJSON_AddItemToObject(out, "deployments", recs_json(&deps, "dora_deployment"));
	cJSON_AddItemToObject(out, "failures", recs_json(&fails, "dora_failure"));
	cJSON_AddItemToObject(out, "patches", fd_json_int((int64_t)patches));
	cJSON_AddItemToObject(out, "deletes", fd_json_int((int64_t)deletes));
}
