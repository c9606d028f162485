/*
 * fake-datadog Synthetics API: the paginated version history of a Synthetic
 * test (newest first, paged by last_version_number).  Versions are uploaded
 * per test (POST /_fake/synthetics/<public_id>/versions) or generated
 * (--synthetics-generate N makes test "gen-abc-001").
 */
#include "fd.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct version {
	int64_t number;
	cJSON *obj; /* {"attributes":{...},"id","type":"version_metadata"} */
};

struct stest {
	char *public_id;
	struct version *v; /* sorted by number, descending */
	int n;
};

static struct stest *tests;
static int ntests;

static void stest_release(struct stest *t)
{
	for (int i = 0; i < t->n; i++)
		cJSON_Delete(t->v[i].obj);
	free(t->v);
	free(t->public_id);
	memset(t, 0, sizeof *t);
}

void fd_synth_free(void)
{
	for (int i = 0; i < ntests; i++)
		stest_release(&tests[i]);
	free(tests);
	tests = NULL;
	ntests = 0;
}

static struct stest *find(const char *public_id)
{
	for (int i = 0; i < ntests; i++)
		if (strcmp(tests[i].public_id, public_id) == 0)
			return &tests[i];
	return NULL;
}

static int cmp_desc(const void *a, const void *b)
{
	const struct version *x = a, *y = b;
	return x->number > y->number ? -1 : x->number < y->number ? 1 : 0;
}

static void fake_uuid(struct fd_rng *r, char out[37])
{
	char hex[33];
	fd_rng_hex(r, hex, 32);
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

static void install(const char *public_id, struct version *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_desc);
	struct stest *t = find(public_id);
	if (t) {
		stest_release(t);
	} else {
		struct stest *nt = realloc(tests, sizeof *nt * (size_t)(ntests + 1));
		if (!nt)
			abort();
		tests = nt;
		t = &tests[ntests++];
	}
	t->public_id = strdup(public_id);
	t->v = v;
	t->n = n;
}

int fd_synth_load(const char *public_id, const cJSON *arr, char *err, size_t errlen)
{
	if (!cJSON_IsArray(arr)) {
		snprintf(err, errlen, "body: expected a JSON array of versions");
		return -1;
	}
	int n = cJSON_GetArraySize(arr);
	struct version *v = calloc((size_t)n + 1, sizeof *v);
	if (!v)
		abort();
	struct fd_rng r = {fd_seed * 31 + (uint64_t)n};
	int i = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, arr)
	{
		const cJSON *given = cJSON_GetObjectItemCaseSensitive(e, "attributes");
		const cJSON *attrs = given ? given : e;
		int64_t num;
		if (!cJSON_IsObject(e) || !cJSON_IsObject(attrs) ||
		    !fd_json_get_int(cJSON_GetObjectItemCaseSensitive(attrs, "version_number"), &num)) {
			snprintf(err, errlen, "[%d].attributes.version_number: required integer", i);
			for (int k = 0; k < i; k++)
				cJSON_Delete(v[k].obj);
			free(v);
			return -1;
		}
		cJSON *o = cJSON_CreateObject();
		cJSON *a = cJSON_Duplicate(attrs, 1);
		if (!given) {
			cJSON_DeleteItemFromObjectCaseSensitive(a, "id");
			cJSON_DeleteItemFromObjectCaseSensitive(a, "type");
		}
		cJSON_AddItemToObject(o, "attributes", a);
		const char *id = fd_json_str(e, "id");
		char uuid[37];
		if (!id) {
			fake_uuid(&r, uuid);
			id = uuid;
		}
		cJSON_AddStringToObject(o, "id", id);
		cJSON_AddStringToObject(o, "type", "version_metadata");
		v[i].number = num;
		v[i].obj = o;
		i++;
	}
	install(public_id, v, n);
	return 0;
}

void fd_synth_generate(int n)
{
	static const char *const paths[] = {"config.request.url", "config.assertions", "locations", "options.tick_every",
					    "message", "name", "tags"};
	struct version *v = calloc((size_t)n + 1, sizeof *v);
	if (!v)
		abort();
	struct fd_rng r = {fd_seed * 0x2545f4914f6cdd1dULL + 5};
	char author[37];
	fake_uuid(&r, author);
	for (int i = 0; i < n; i++) {
		int64_t num = i + 1;
		char uuid[37], ts[40], before[64], after[64];
		fake_uuid(&r, uuid);
		fd_format_rfc3339_ms(fd_start_ms / 60000 * 60000 - (int64_t)(n - i) * 3600000, ts, sizeof ts);
		const char *path = fd_rng_pick(&r, paths, sizeof paths / sizeof paths[0]);
		snprintf(before, sizeof before, "value-%" PRId64, num - 1);
		snprintf(after, sizeof after, "value-%" PRId64, num);
		cJSON *a = cJSON_CreateObject();
		cJSON_AddStringToObject(a, "author_uuid", author);
		cJSON *cm = cJSON_AddArrayToObject(a, "change_metadata");
		cJSON *item = cJSON_CreateObject();
		cJSON_AddStringToObject(item, "action", num == 1 ? "created" : "updated");
		cJSON *am = cJSON_AddObjectToObject(item, "action_metadata");
		if (num > 1)
			cJSON_AddStringToObject(am, "before_value", before);
		cJSON_AddStringToObject(am, "after_value", after);
		cJSON_AddStringToObject(am, "property_path", path);
		cJSON_AddItemToArray(cm, item);
		cJSON_AddItemToObject(a, "version_number", fd_json_int(num));
		cJSON_AddStringToObject(a, "version_payload_created_at", ts);
		cJSON *o = cJSON_CreateObject();
		cJSON_AddItemToObject(o, "attributes", a);
		cJSON_AddStringToObject(o, "id", uuid);
		cJSON_AddStringToObject(o, "type", "version_metadata");
		v[i].number = num;
		v[i].obj = o;
	}
	install("gen-abc-001", v, n);
}

static int parse_int_param(const char *query, const char *name, int64_t *out, int *present)
{
	char *s = fd_query_get(query, name);
	*present = s != NULL;
	if (!s)
		return 0;
	char *end = NULL;
	long long v = strtoll(s, &end, 10);
	int ok = *s && end && !*end;
	free(s);
	if (!ok)
		return -1;
	*out = v;
	return 0;
}

void fd_synth_history(const struct fd_req *req, struct fd_resp *resp)
{
	int64_t last = 0, limit = 10;
	int has_last, has_limit;
	if (parse_int_param(req->query, "last_version_number", &last, &has_last) != 0) {
		fd_resp_error(resp, 400, "last_version_number: expected an integer");
		return;
	}
	if (parse_int_param(req->query, "limit", &limit, &has_limit) != 0 || limit < 1 || limit > 50) {
		fd_resp_error(resp, 400, "limit: must be an integer between 1 and 50");
		return;
	}
	const struct stest *t = find(req->params[0]);
	if (!t) {
		fd_resp_error(resp, 404, "Synthetic test '%s' not found", req->params[0]);
		return;
	}
	int start = 0;
	if (has_last)
		while (start < t->n && t->v[start].number >= last)
			start++;
	cJSON *doc = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(doc, "data");
	int end = start;
	for (; end < t->n && end < start + limit; end++)
		cJSON_AddItemToArray(arr, cJSON_Duplicate(t->v[end].obj, 1));
	cJSON *meta = cJSON_AddObjectToObject(doc, "meta");
	if (end < t->n && end > start)
		cJSON_AddItemToObject(meta, "next_last_version_number", fd_json_int(t->v[end - 1].number));
	else
		cJSON_AddNullToObject(meta, "next_last_version_number");
	cJSON_AddItemToObject(meta, "retention_period_in_days", fd_json_int(30));
	fd_resp_json(resp, 200, doc);
}

void fd_synth_state(cJSON *out)
{
	cJSON *o = cJSON_AddObjectToObject(out, "synthetics");
	for (int i = 0; i < ntests; i++)
		cJSON_AddItemToObject(o, tests[i].public_id, fd_json_int(tests[i].n));
}
