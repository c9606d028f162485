/*
 * fake-datadog fault injection: a queue of faults consumed by matching
 * requests, and an optional random fault generator for soak tests.  The
 * caller (main.c) holds the state lock and carries the faults out.
 */
#include "fd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct fault {
	char *path;
	char *method;
	int count; /* < 0: forever */
	enum fd_fault_action action;
	int status;
	int ms;
	int side_effect;
	char *body;
	int nhdr;
	char hname[8][48];
	char hvalue[8][160];
};

#define MAX_RANDOM_ACTIONS 16

static struct fault *queue;
static int nqueue;

static struct {
	int on;
	double rate;
	int nact;
	struct {
		enum fd_fault_action action;
		int status;
		int ms;
	} act[MAX_RANDOM_ACTIONS];
	char *path;
	struct fd_rng rng;
	cJSON *spec;
} rnd;

static const char *const names[] = {
	[FD_FAULT_NONE] = "none",
	[FD_FAULT_STATUS] = "status",
	[FD_FAULT_CLOSE] = "close",
	[FD_FAULT_HANG] = "hang",
	[FD_FAULT_DELAY] = "delay",
	[FD_FAULT_TRICKLE] = "trickle",
	[FD_FAULT_TRUNCATE] = "truncate",
	[FD_FAULT_CONTENT_TYPE] = "content_type",
	[FD_FAULT_SHAPE] = "shape",
	[FD_FAULT_PARTIAL] = "partial",
};

const char *fd_fault_name(enum fd_fault_action a)
{
	return names[a];
}

static enum fd_fault_action action_from(const char *s, size_t n)
{
	for (size_t i = 1; i < sizeof names / sizeof names[0]; i++)
		if (strlen(names[i]) == n && strncmp(names[i], s, n) == 0)
			return (enum fd_fault_action)i;
	return FD_FAULT_NONE;
}

static int default_ms(enum fd_fault_action a)
{
	switch (a) {
	case FD_FAULT_HANG: return 60000;
	case FD_FAULT_DELAY: return 1000;
	case FD_FAULT_TRICKLE: return 1000;
	default: return 0;
	}
}

static void fault_release(struct fault *f)
{
	free(f->path);
	free(f->method);
	free(f->body);
	memset(f, 0, sizeof *f);
}

static char *xstrdup(const char *s)
{
	if (!s)
		return NULL;
	char *d = strdup(s);
	if (!d)
		abort();
	return d;
}

static int parse_fault(struct fault *f, const cJSON *o, int idx, char *err, size_t errlen)
{
	memset(f, 0, sizeof *f);
	if (!cJSON_IsObject(o)) {
		snprintf(err, errlen, "faults[%d]: expected an object", idx);
		return -1;
	}
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "action");
	if (!cJSON_IsString(a)) {
		snprintf(err, errlen, "faults[%d].action: required string", idx);
		return -1;
	}
	f->action = action_from(a->valuestring, strlen(a->valuestring));
	if (f->action == FD_FAULT_NONE) {
		snprintf(err, errlen, "faults[%d].action: unknown action '%s'", idx, a->valuestring);
		return -1;
	}
	const cJSON *it;
	int64_t v;
	f->count = 1;
	if ((it = cJSON_GetObjectItemCaseSensitive(o, "count"))) {
		if (!fd_json_get_int(it, &v) || v == 0 || v > 1000000000) {
			snprintf(err, errlen, "faults[%d].count: expected a non-zero integer (negative = forever)", idx);
			return -1;
		}
		f->count = v < 0 ? -1 : (int)v;
	}
	f->status = f->action == FD_FAULT_STATUS ? 500 : 200;
	if ((it = cJSON_GetObjectItemCaseSensitive(o, "status"))) {
		if (!fd_json_get_int(it, &v) || v < 100 || v > 599) {
			snprintf(err, errlen, "faults[%d].status: expected an HTTP status", idx);
			return -1;
		}
		f->status = (int)v;
	}
	f->ms = default_ms(f->action);
	if ((it = cJSON_GetObjectItemCaseSensitive(o, "ms"))) {
		if (!fd_json_get_int(it, &v) || v < 0 || v > 3600000) {
			snprintf(err, errlen, "faults[%d].ms: expected milliseconds (0..3600000)", idx);
			return -1;
		}
		f->ms = (int)v;
	}
	if ((it = cJSON_GetObjectItemCaseSensitive(o, "side_effect"))) {
		if (!cJSON_IsBool(it)) {
			snprintf(err, errlen, "faults[%d].side_effect: expected a boolean", idx);
			return -1;
		}
		f->side_effect = cJSON_IsTrue(it);
	}
	const char *s;
	if ((it = cJSON_GetObjectItemCaseSensitive(o, "path")) && !cJSON_IsNull(it)) {
		if (!(s = cJSON_IsString(it) ? it->valuestring : NULL)) {
			snprintf(err, errlen, "faults[%d].path: expected a string", idx);
			return -1;
		}
		f->path = xstrdup(s);
	}
	if ((it = cJSON_GetObjectItemCaseSensitive(o, "method")) && !cJSON_IsNull(it)) {
		if (!(s = cJSON_IsString(it) ? it->valuestring : NULL)) {
			snprintf(err, errlen, "faults[%d].method: expected a string", idx);
			fault_release(f);
			return -1;
		}
		f->method = xstrdup(s);
	}
	if ((it = cJSON_GetObjectItemCaseSensitive(o, "body")) && !cJSON_IsNull(it)) {
		if (cJSON_IsString(it)) {
			f->body = xstrdup(it->valuestring);
		} else {
			f->body = fd_print(it); /* a JSON body given as JSON */
		}
	}
	if ((it = cJSON_GetObjectItemCaseSensitive(o, "headers")) && !cJSON_IsNull(it)) {
		if (!cJSON_IsObject(it)) {
			snprintf(err, errlen, "faults[%d].headers: expected an object", idx);
			fault_release(f);
			return -1;
		}
		const cJSON *h;
		cJSON_ArrayForEach(h, it)
		{
			char val[160];
			if (cJSON_IsString(h))
				snprintf(val, sizeof val, "%s", h->valuestring);
			else if (fd_json_is_number(h))
				fd_value_text(h, val, sizeof val);
			else {
				snprintf(err, errlen, "faults[%d].headers.%s: expected a string", idx, h->string);
				fault_release(f);
				return -1;
			}
			if (f->nhdr < 8) {
				snprintf(f->hname[f->nhdr], sizeof f->hname[0], "%s", h->string);
				snprintf(f->hvalue[f->nhdr], sizeof f->hvalue[0], "%s", val);
				f->nhdr++;
			}
		}
	}
	return 0;
}

static int parse_random(const cJSON *r, char *err, size_t errlen)
{
	free(rnd.path);
	cJSON_Delete(rnd.spec);
	memset(&rnd, 0, sizeof rnd);
	if (cJSON_IsNull(r))
		return 0;
	if (!cJSON_IsObject(r)) {
		snprintf(err, errlen, "random: expected an object or null");
		return -1;
	}
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(r, "rate");
	double rate = 0;
	if (!fd_json_get_double(it, &rate) || rate < 0 || rate > 1) {
		snprintf(err, errlen, "random.rate: expected a number between 0 and 1");
		return -1;
	}
	const cJSON *acts = cJSON_GetObjectItemCaseSensitive(r, "actions");
	if (!cJSON_IsArray(acts) || cJSON_GetArraySize(acts) == 0) {
		snprintf(err, errlen, "random.actions: expected a non-empty array");
		return -1;
	}
	const cJSON *a;
	int n = 0;
	cJSON_ArrayForEach(a, acts)
	{
		if (!cJSON_IsString(a) || n >= MAX_RANDOM_ACTIONS) {
			snprintf(err, errlen, "random.actions[%d]: expected a string like \"status:503\"", n);
			return -1;
		}
		const char *s = a->valuestring;
		const char *colon = strchr(s, ':');
		size_t nlen = colon ? (size_t)(colon - s) : strlen(s);
		enum fd_fault_action act = action_from(s, nlen);
		if (act == FD_FAULT_NONE) {
			snprintf(err, errlen, "random.actions[%d]: unknown action '%s'", n, s);
			return -1;
		}
		long arg = -1;
		if (colon) {
			char *end = NULL;
			arg = strtol(colon + 1, &end, 10);
			if (!end || *end || arg < 0) {
				snprintf(err, errlen, "random.actions[%d]: bad argument in '%s'", n, s);
				return -1;
			}
		}
		rnd.act[n].action = act;
		rnd.act[n].status = act == FD_FAULT_STATUS ? (arg >= 100 && arg <= 599 ? (int)arg : 500) : 200;
		rnd.act[n].ms = act != FD_FAULT_STATUS && arg >= 0 ? (int)arg : default_ms(act);
		n++;
	}
	int64_t seed = 1;
	it = cJSON_GetObjectItemCaseSensitive(r, "seed");
	if (it && !fd_json_get_int(it, &seed)) {
		snprintf(err, errlen, "random.seed: expected an integer");
		return -1;
	}
	const char *path = fd_json_str(r, "path");
	rnd.on = 1;
	rnd.rate = rate;
	rnd.nact = n;
	rnd.rng.s = (uint64_t)seed;
	rnd.path = xstrdup(path);
	rnd.spec = cJSON_Duplicate(r, 1);
	return 0;
}

int fd_faults_add(const cJSON *doc, int *queued, char *err, size_t errlen)
{
	*queued = 0;
	if (!cJSON_IsObject(doc)) {
		snprintf(err, errlen, "body: expected a JSON object with \"faults\" or \"random\"");
		return -1;
	}
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(doc, "faults");
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(doc, "random");
	if (!arr && !r) {
		snprintf(err, errlen, "body: expected \"faults\" or \"random\"");
		return -1;
	}
	if (arr && !cJSON_IsArray(arr)) {
		snprintf(err, errlen, "faults: expected an array");
		return -1;
	}
	int n = arr ? cJSON_GetArraySize(arr) : 0;
	struct fault *parsed = calloc((size_t)n + 1, sizeof *parsed);
	if (!parsed)
		abort();
	for (int i = 0; i < n; i++) {
		if (parse_fault(&parsed[i], cJSON_GetArrayItem(arr, i), i, err, errlen) != 0) {
			for (int j = 0; j <= i; j++)
				fault_release(&parsed[j]);
			free(parsed);
			return -1;
		}
	}
	if (r && parse_random(r, err, errlen) != 0) {
		for (int j = 0; j < n; j++)
			fault_release(&parsed[j]);
		free(parsed);
		return -1;
	}
	struct fault *nq = realloc(queue, sizeof *nq * (size_t)(nqueue + n + 1));
	if (!nq)
		abort();
	queue = nq;
	memcpy(queue + nqueue, parsed, sizeof *parsed * (size_t)n);
	nqueue += n;
	free(parsed);
	*queued = n;
	return 0;
}

static void hit_from(struct fd_fault_hit *hit, const struct fault *f)
{
	memset(hit, 0, sizeof *hit);
	hit->action = f->action;
	hit->status = f->status;
	hit->ms = f->ms;
	hit->before = f->side_effect;
	hit->body = xstrdup(f->body);
	hit->nhdr = f->nhdr;
	memcpy(hit->hname, f->hname, sizeof hit->hname);
	memcpy(hit->hvalue, f->hvalue, sizeof hit->hvalue);
}

int fd_fault_take(const char *method, const char *path, struct fd_fault_hit *hit)
{
	for (int i = 0; i < nqueue; i++) {
		struct fault *f = &queue[i];
		if (f->method && strcasecmp(f->method, method) != 0)
			continue;
		if (f->path && !strstr(path, f->path))
			continue;
		hit_from(hit, f);
		if (f->count > 0 && --f->count == 0) {
			fault_release(f);
			memmove(queue + i, queue + i + 1, sizeof *queue * (size_t)(nqueue - i - 1));
			nqueue--;
		}
		return 1;
	}
	if (rnd.on && (!rnd.path || strstr(path, rnd.path))) {
		double u = fd_rng_unit(&rnd.rng);
		if (u < rnd.rate) {
			int k = (int)fd_rng_below(&rnd.rng, (uint64_t)rnd.nact);
			memset(hit, 0, sizeof *hit);
			hit->action = rnd.act[k].action;
			hit->status = rnd.act[k].status;
			hit->ms = rnd.act[k].ms;
			hit->before = (int)(fd_rng_next(&rnd.rng) & 1);
			hit->random = 1;
			return 1;
		}
	}
	return 0;
}

void fd_fault_hit_release(struct fd_fault_hit *hit)
{
	free(hit->body);
	hit->body = NULL;
}

cJSON *fd_faults_json(void)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(doc, "faults");
	for (int i = 0; i < nqueue; i++) {
		const struct fault *f = &queue[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "action", names[f->action]);
		if (f->path)
			cJSON_AddStringToObject(o, "path", f->path);
		if (f->method)
			cJSON_AddStringToObject(o, "method", f->method);
		cJSON_AddItemToObject(o, "count", fd_json_int(f->count));
		if (f->action == FD_FAULT_STATUS)
			cJSON_AddItemToObject(o, "status", fd_json_int(f->status));
		if (f->ms)
			cJSON_AddItemToObject(o, "ms", fd_json_int(f->ms));
		cJSON_AddItemToArray(arr, o);
	}
	if (rnd.on && rnd.spec)
		cJSON_AddItemToObject(doc, "random", cJSON_Duplicate(rnd.spec, 1));
	else
		cJSON_AddNullToObject(doc, "random");
	return doc;
}

void fd_faults_clear(void)
{
	for (int i = 0; i < nqueue; i++)
		fault_release(&queue[i]);
	free(queue);
	queue = NULL;
	nqueue = 0;
	free(rnd.path);
	cJSON_Delete(rnd.spec);
	memset(&rnd, 0, sizeof rnd);
}
