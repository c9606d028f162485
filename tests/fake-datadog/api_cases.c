/*
 * fake-datadog Case Management API: aggregate cases — filter with a query,
 * group by one or more case fields and count.  Cases are uploaded
 * (POST /_fake/cases) or generated (--cases-generate N).
 */
#include "fd.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static cJSON **cases; /* {"id","type":"case","attributes":{...}} */
static int ncases;
static uint64_t responses;

void fd_cases_free(void)
{
	for (int i = 0; i < ncases; i++)
		cJSON_Delete(cases[i]);
	free(cases);
	cases = NULL;
	ncases = 0;
}

int fd_cases_load(const cJSON *arr, char *err, size_t errlen)
{
	if (!cJSON_IsArray(arr)) {
		snprintf(err, errlen, "body: expected a JSON array of cases");
		return -1;
	}
	int n = cJSON_GetArraySize(arr);
	cJSON **nc = calloc((size_t)n + 1, sizeof *nc);
	if (!nc)
		abort();
	int i = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, arr)
	{
		const cJSON *given = cJSON_GetObjectItemCaseSensitive(e, "attributes");
		if (!cJSON_IsObject(e) || (given && !cJSON_IsObject(given))) {
			snprintf(err, errlen, "[%d]: expected a case object", i);
			for (int k = 0; k < i; k++)
				cJSON_Delete(nc[k]);
			free(nc);
			return -1;
		}
		cJSON *a = cJSON_Duplicate(given ? given : e, 1);
		if (!given) {
			cJSON_DeleteItemFromObjectCaseSensitive(a, "id");
			cJSON_DeleteItemFromObjectCaseSensitive(a, "type");
		}
		cJSON *o = cJSON_CreateObject();
		char id[32];
		snprintf(id, sizeof id, "case-%d", i + 1);
		cJSON_AddStringToObject(o, "id", fd_json_str(e, "id") ? fd_json_str(e, "id") : id);
		cJSON_AddStringToObject(o, "type", "case");
		cJSON_AddItemToObject(o, "attributes", a);
		nc[i++] = o;
	}
	fd_cases_free();
	cases = nc;
	ncases = n;
	return 0;
}

void fd_cases_generate(int n)
{
	static const char *const titles[] = {"Checkout latency above SLO", "Payment provider errors", "Disk almost full",
					     "Flaky deploy pipeline",     "Certificate expires soon", "Login failures spike"};
	static const char *const services[] = {"case-api", "shopist-web", "payments", "inventory", "auth"};
	static const char *const priorities[] = {"P1", "P2", "P3", "P4", "P5", "NOT_DEFINED"};
	static const char *const projects[] = {"SRE", "PLATFORM", "SECURITY"};
	fd_cases_free();
	cases = calloc((size_t)n + 1, sizeof *cases);
	if (!cases)
		abort();
	struct fd_rng r = {fd_seed * 0x3c6ef372fe94f82bULL + 3};
	for (int i = 0; i < n; i++) {
		uint64_t x = fd_rng_below(&r, 100);
		const char *status = x < 40 ? "OPEN" : x < 65 ? "IN_PROGRESS" : "CLOSED";
		char key[32], id[40], ts[40];
		snprintf(key, sizeof key, "CASE-%d", i + 1);
		fd_rng_hex(&r, id, 32);
		fd_format_rfc3339_ms(fd_start_ms / 60000 * 60000 - (int64_t)fd_rng_below(&r, 30ULL * 86400000), ts, sizeof ts);
		cJSON *a = cJSON_CreateObject();
		cJSON_AddStringToObject(a, "key", key);
		cJSON_AddStringToObject(a, "title", fd_rng_pick(&r, titles, 6));
		cJSON_AddStringToObject(a, "status", status);
		cJSON_AddStringToObject(a, "priority", fd_rng_pick(&r, priorities, 6));
		cJSON_AddStringToObject(a, "type", "STANDARD");
		cJSON_AddStringToObject(a, "service", fd_rng_pick(&r, services, 5));
		cJSON_AddStringToObject(a, "project", fd_rng_pick(&r, projects, 3));
		cJSON_AddStringToObject(a, "created_at", ts);
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", id);
		cJSON_AddStringToObject(o, "type", "case");
		cJSON_AddItemToObject(o, "attributes", a);
		cases[i] = o;
	}
	ncases = n;
}

static const cJSON *lookup(const void *p, const char *key, cJSON **tmp)
{
	(void)tmp;
	const cJSON *c = p;
	if (strcmp(key, "id") == 0)
		return cJSON_GetObjectItemCaseSensitive(c, "id");
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(c, "attributes");
	const cJSON *v = fd_json_path(a, key[0] == '@' ? key + 1 : key);
	if (!v)
		v = cJSON_GetObjectItem(a, key); /* case-insensitive key */
	return v;
}

/* Free text (a term without key) matches the title or key. */
static int free_text_ok(const struct fd_search *q, const cJSON *c)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(c, "attributes");
	const char *title = fd_json_str(a, "title"), *key = fd_json_str(a, "key");
	for (int i = 0; i < q->n; i++) {
		const struct fd_term *t = &q->t[i];
		if (t->key || t->nvals == 0 || strcmp(t->vals[0], "*") == 0 || !t->vals[0][0])
			continue;
		int hit = (title && strcasestr(title, t->vals[0])) || (key && strcasecmp(key, t->vals[0]) == 0);
		if (hit == t->neg)
			return 0;
	}
	return 1;
}

struct grp {
	char *key;
	int count;
};

static int cmp_grp(const void *a, const void *b)
{
	const struct grp *x = a, *y = b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->key, y->key);
}

void fd_cases_aggregate(const struct fd_req *req, struct fd_resp *resp)
{
	const cJSON *attrs;
	if (fd_envelope(req, resp, "aggregate", 0, NULL, &attrs))
		return;
	const cJSON *gb = cJSON_GetObjectItemCaseSensitive(attrs, "group_by");
	if (!cJSON_IsObject(gb)) {
		fd_resp_error(resp, 400, "data.attributes.group_by: required object");
		return;
	}
	const cJSON *groups = cJSON_GetObjectItemCaseSensitive(gb, "groups");
	if (!cJSON_IsArray(groups) || cJSON_GetArraySize(groups) == 0) {
		fd_resp_error(resp, 400, "data.attributes.group_by.groups: required non-empty array of field names");
		return;
	}
	const cJSON *g;
	int gi = 0;
	cJSON_ArrayForEach(g, groups)
	{
		if (!cJSON_IsString(g) || !g->valuestring[0]) {
			fd_resp_error(resp, 400, "data.attributes.group_by.groups[%d]: expected a field name", gi);
			return;
		}
		gi++;
	}
	/* group_by.limit and query_filter are required (AggregateCases, every field). */
	int64_t limit = 0;
	const cJSON *l = cJSON_GetObjectItemCaseSensitive(gb, "limit");
	if (!l || !fd_json_get_int(l, &limit) || limit < 1 || limit > 1000) {
		fd_resp_error(resp, 400, "data.attributes.group_by.limit: required, an integer between 1 and 1000");
		return;
	}
	const cJSON *qf = cJSON_GetObjectItemCaseSensitive(attrs, "query_filter");
	if (!cJSON_IsString(qf)) {
		fd_resp_error(resp, 400, "data.attributes.query_filter: required, a string");
		return;
	}
	struct fd_search q;
	char err[256];
	if (fd_search_parse(&q, cJSON_IsString(qf) ? qf->valuestring : "", err, sizeof err) != 0) {
		fd_resp_error(resp, 400, "data.attributes.query_filter: %s", err);
		return;
	}
	struct grp *gs = calloc((size_t)ncases + 1, sizeof *gs);
	if (!gs)
		abort();
	int ng = 0, total = 0;
	for (int i = 0; i < ncases; i++) {
		if (!fd_search_match(&q, cases[i], lookup) || !free_text_ok(&q, cases[i]))
			continue;
		total++;
		struct fd_buf key = {0};
		int first = 1;
		cJSON_ArrayForEach(g, groups)
		{
			cJSON *tmp = NULL;
			const cJSON *v = lookup(cases[i], g->valuestring, &tmp);
			char buf[64];
			if (!first)
				fd_buf_adds(&key, ",");
			fd_buf_adds(&key, v ? fd_value_text(v, buf, sizeof buf) : "");
			first = 0;
		}
		if (!key.p)
			fd_buf_adds(&key, "");
		int k = 0;
		while (k < ng && strcmp(gs[k].key, key.p) != 0)
			k++;
		if (k == ng) {
			gs[ng].key = key.p;
			gs[ng].count = 0;
			ng++;
		} else {
			fd_buf_release(&key);
		}
		gs[k].count++;
	}
	fd_search_release(&q);
	qsort(gs, (size_t)ng, sizeof *gs, cmp_grp);
	cJSON *doc = cJSON_CreateObject();
	cJSON *d = cJSON_AddObjectToObject(doc, "data");
	cJSON *a = cJSON_AddObjectToObject(d, "attributes");
	cJSON *arr = cJSON_AddArrayToObject(a, "groups");
	for (int k = 0; k < ng; k++) {
		if (k < limit) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "group", gs[k].key);
			cJSON *vals = cJSON_AddArrayToObject(o, "value");
			cJSON_AddItemToArray(vals, fd_json_int(gs[k].count));
			cJSON_AddItemToArray(arr, o);
		}
		free(gs[k].key);
	}
	free(gs);
	cJSON_AddItemToObject(a, "total", fd_json_int(total));
	char id[40];
	snprintf(id, sizeof id, "agg-result-%03" PRIu64, ++responses);
	cJSON_AddStringToObject(d, "id", id);
	cJSON_AddStringToObject(d, "type", "aggregate");
	fd_resp_json(resp, 200, doc);
}

void fd_cases_state(cJSON *out)
{
	cJSON_AddItemToObject(out, "cases", fd_json_int(ncases));
}
