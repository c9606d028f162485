/* dora.c — DORA deployment and failure events: send, list, get, patch, delete. */
#include "ddci/dora.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddci/endpoint.h"
#include "ddci/hash.h"
#include "ddci/http.h"
#include "ddci/json.h"
#include "ddci/sanitize.h"
#include "ddci/timeutil.h"

static int id_chars(const char *id, const char *what)
{
	for (const char *p = id; *p; p++) {
		char c = *p;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
		      c == '_' || c == '.' || c == ':'))
			return ddci_error_set(DDCI_EUSAGE,
					      "invalid %s '%s': only letters, digits and - _ . : are allowed", what, id);
	}
	return 0;
}

int ddci_dora_check_id(const char *id, const char *what)
{
	size_t n = strlen(id);

	if (n < 16 || n > 128)
		return ddci_error_set(DDCI_EUSAGE, "invalid %s '%s': must be 16 to 128 characters (it has %zu)",
				      what, id, n);
	return id_chars(id, what);
}

int ddci_dora_check_ref(const char *id, const char *what)
{
	size_t n = strlen(id);

	if (!n)
		return ddci_error_set(DDCI_EUSAGE, "invalid %s: empty", what);
	if (n > 128)
		return ddci_error_set(DDCI_EUSAGE, "invalid %s '%.40s...': longer than 128 characters", what, id);
	if (strspn(id, ".") == n) /* "." and ".." are path segments, never ids */
		return ddci_error_set(DDCI_EUSAGE, "invalid %s '%s': not an event id", what, id);
	return id_chars(id, what);
}

int ddci_dora_time_get(int64_t *out_ns, const cJSON *event, const char *path)
{
	const cJSON *v = ddci_json_path(event, path);
	char text[40];
	int64_t n = 0, ns = 0;
	int rc;

	if (!v || cJSON_IsNull(v))
		return 0;
	if (cJSON_IsString(v) && v->valuestring) {
		if (!(v->valuestring[0] >= '0' && v->valuestring[0] <= '9') || strlen(v->valuestring) >= sizeof(text))
			goto bad;
		snprintf(text, sizeof(text), "%s", v->valuestring);
	} else {
		if ((rc = ddci_json_get_int64(&n, event, path)) < 0)
			return ddci_error_set(DDCI_EPROTO, "field '%s' is not a timestamp (an integer or an RFC 3339 "
					      "string): %s", path, ddci_error_last());
		if (n <= 0)
			goto bad;
		snprintf(text, sizeof(text), "%" PRId64, n);
	}
	if (ddci_time_parse(&ns, text, 0, path) < 0)
		goto bad;
	*out_ns = ns;
	return 0;
bad:
	return ddci_error_set(DDCI_EPROTO, "field '%s' is not a timestamp (an integer or an RFC 3339 string)", path);
}

int ddci_dora_check_tags(const struct ddci_strv *tags)
{
	if (!tags)
		return 0;
	if (tags->n > DDCI_MAX_TAGS)
		return ddci_error_set(DDCI_EUSAGE, "too many --tag values: %zu, at most %d are allowed", tags->n,
				      DDCI_MAX_TAGS);
	for (size_t i = 0; i < tags->n; i++) {
		const char *t = tags->v[i], *colon = strchr(t, ':');
		if (!colon || colon == t || !colon[1])
			return ddci_error_set(DDCI_EUSAGE, "invalid --tag '%s': expected key:value", t);
		for (const char *p = t; *p; p++)
			if ((unsigned char)*p < 0x20)
				return ddci_error_set(DDCI_EUSAGE, "invalid --tag '%s': control character", t);
		if (strlen(t) > 200)
			return ddci_error_set(DDCI_EUSAGE, "invalid --tag '%.40s...': longer than 200 characters", t);
	}
	return 0;
}

void ddci_dora_derive_id(char out[DDCI_ID_MAX], const char *kind, const char *const *parts, size_t n)
{
	struct ddci_sha256 c;
	unsigned char d[32];
	int off;

	ddci_sha256_init(&c);
	ddci_sha256_update(&c, kind, strlen(kind) + 1);
	for (size_t i = 0; i < n; i++) {
		const char *p = parts[i] ? parts[i] : "";
		ddci_sha256_update(&c, p, strlen(p) + 1);
	}
	ddci_sha256_final(d, &c);
	off = snprintf(out, DDCI_ID_MAX, "ddci-%s-", kind);
	for (int i = 0; i < 16 && off + 2 < DDCI_ID_MAX; i++)
		off += snprintf(out + off, (size_t)(DDCI_ID_MAX - off), "%02x", d[i]);
}

void ddci_dora_deployment_id(char out[DDCI_ID_MAX], const struct ddci_deployment *d)
{
	char started[32];
	const char *parts[4];

	if (d->id) {
		snprintf(out, DDCI_ID_MAX, "%s", d->id);
		return;
	}
	snprintf(started, sizeof(started), "%lld", (long long)d->started_ns);
	parts[0] = d->service;
	parts[1] = d->env;
	parts[2] = d->commit_sha;
	parts[3] = d->run_key ? d->run_key : started;
	ddci_dora_derive_id(out, "dep", parts, 4);
}

void ddci_dora_failure_id(char out[DDCI_ID_MAX], const struct ddci_failure *f)
{
	char started[32], who[512] = "";
	const char *parts[4];
	size_t off = 0;

	if (f->id) {
		snprintf(out, DDCI_ID_MAX, "%s", f->id);
		return;
	}
	snprintf(started, sizeof(started), "%lld", (long long)f->started_ns);
	for (size_t i = 0; f->services && i < f->services->n && off < sizeof(who); i++)
		off += (size_t)snprintf(who + off, sizeof(who) - off, "%s,", f->services->v[i]);
	parts[0] = f->name;
	parts[1] = f->services && f->services->n ? who : f->team;
	parts[2] = f->env;
	parts[3] = f->run_key ? f->run_key : started;
	ddci_dora_derive_id(out, "fail", parts, 4);
}

static int add_strv(cJSON *obj, const char *name, const struct ddci_strv *sv)
{
	cJSON *arr;

	if (!sv || !sv->n)
		return 0;
	arr = cJSON_AddArrayToObject(obj, name);
	if (!arr)
		return ddci_error_oom();
	for (size_t i = 0; i < sv->n; i++) {
		cJSON *s = cJSON_CreateString(sv->v[i]);
		if (!s || !cJSON_AddItemToArray(arr, s)) {
			cJSON_Delete(s);
			return ddci_error_oom();
		}
	}
	return 0;
}

static int add_git(cJSON *attrs, const char *sha, const char *url)
{
	cJSON *git;

	if (!sha || !url)
		return 0;
	git = cJSON_AddObjectToObject(attrs, "git");
	if (!git || ddci_json_add_str(git, "commit_sha", sha) < 0 ||
	    ddci_json_add_str(git, "repository_url", url) < 0)
		return ddci_error_oom();
	return 0;
}

static int wrap(cJSON **out, cJSON *attrs)
{
	*out = ddci_jsonapi_wrap(NULL, NULL, attrs);
	return *out ? 0 : ddci_error_oom();
}

int ddci_dora_deployment_json(cJSON **out, const struct ddci_deployment *d)
{
	char id[DDCI_ID_MAX];
	cJSON *a = cJSON_CreateObject();
	int rc;

	if (!a)
		return ddci_error_oom();
	ddci_dora_deployment_id(id, d);
	if ((rc = add_strv(a, "custom_tags", d->tags)) < 0 || (rc = ddci_json_add_str(a, "env", d->env)) < 0 ||
	    (rc = ddci_json_add_int64(a, "finished_at", d->finished_ns)) < 0 ||
	    (rc = add_git(a, d->commit_sha, d->repository_url)) < 0 || (rc = ddci_json_add_str(a, "id", id)) < 0 ||
	    (rc = ddci_json_add_str(a, "service", d->service)) < 0 ||
	    (rc = ddci_json_add_int64(a, "started_at", d->started_ns)) < 0 ||
	    (rc = ddci_json_add_str(a, "team", d->team)) < 0 || (rc = ddci_json_add_str(a, "version", d->version)) < 0) {
		cJSON_Delete(a);
		return rc;
	}
	return wrap(out, a);
}

int ddci_dora_failure_json(cJSON **out, const struct ddci_failure *f)
{
	char id[DDCI_ID_MAX];
	cJSON *a = cJSON_CreateObject();
	int rc = 0;

	if (!a)
		return ddci_error_oom();
	ddci_dora_failure_id(id, f);
	if ((rc = add_strv(a, "custom_tags", f->tags)) < 0 || (rc = ddci_json_add_str(a, "env", f->env)) < 0 ||
	    (f->finished_ns && (rc = ddci_json_add_int64(a, "finished_at", f->finished_ns)) < 0) ||
	    (rc = add_git(a, f->commit_sha, f->repository_url)) < 0 || (rc = ddci_json_add_str(a, "id", id)) < 0 ||
	    (rc = ddci_json_add_str(a, "name", f->name)) < 0 || (rc = add_strv(a, "services", f->services)) < 0 ||
	    (rc = ddci_json_add_str(a, "severity", f->severity)) < 0 ||
	    (rc = ddci_json_add_int64(a, "started_at", f->started_ns)) < 0 ||
	    (rc = ddci_json_add_str(a, "team", f->team)) < 0 || (rc = ddci_json_add_str(a, "version", f->version)) < 0) {
		cJSON_Delete(a);
		return rc;
	}
	return wrap(out, a);
}

/* One path for sending either event. */
static int send_event(struct ddci_dora_result *res, struct ddci_client *c, const char *path, cJSON *body,
		      const char *id)
{
	struct ddci_call call = { "POST", path, body, DDCI_CALL_RETRY | DDCI_CALL_SPOOL, id, DDCI_FAMILY_DORA };
	const char *got = NULL;
	cJSON *resp = NULL;
	int rc;

	memset(res, 0, sizeof(*res));
	snprintf(res->id, sizeof(res->id), "%s", id);
	rc = ddci_client_call(&resp, c, &call);
	if (rc == DDCI_DRY_RUN) {
		res->dry_run = 1;
		rc = 0;
	} else if (rc == 0) {
		rc = ddci_json_get_str(&got, resp, "data.id");
		if (rc < 0)
			rc = ddci_error_wrap(DDCI_EPROTO, "unexpected response from Datadog");
		else if ((rc = ddci_san_check_id(got, "data.id")) == 0)
			snprintf(res->id, sizeof(res->id), "%s", got);
	}
	cJSON_Delete(resp);
	return rc;
}

static int check_common(const char *id, const struct ddci_strv *tags, int64_t started, int64_t finished)
{
	int rc;

	if (id && (rc = ddci_dora_check_id(id, "--id")) < 0)
		return rc;
	if ((rc = ddci_dora_check_tags(tags)) < 0)
		return rc;
	if (started <= 0)
		return ddci_error_set(DDCI_EUSAGE, "missing --started-at");
	if (finished && finished < started)
		return ddci_error_set(DDCI_EUSAGE, "invalid --finished-at: it is before --started-at");
	return 0;
}

int ddci_dora_send_deployment(struct ddci_dora_result *res, struct ddci_client *c, const struct ddci_deployment *d)
{
	char id[DDCI_ID_MAX];
	cJSON *body = NULL;
	int rc;

	if (!d->service || !*d->service)
		return ddci_error_set(DDCI_EUSAGE, "missing --service (or DD_SERVICE)");
	if ((rc = check_common(d->id, d->tags, d->started_ns, d->finished_ns)) < 0)
		return rc;
	if (d->finished_ns <= 0)
		return ddci_error_set(DDCI_EUSAGE, "missing --finished-at");
	ddci_dora_deployment_id(id, d);
	if ((rc = ddci_dora_deployment_json(&body, d)) < 0)
		return rc;
	rc = send_event(res, c, "/api/v2/dora/deployment", body, id);
	cJSON_Delete(body);
	return rc;
}

int ddci_dora_send_failure(struct ddci_dora_result *res, struct ddci_client *c, const struct ddci_failure *f)
{
	char id[DDCI_ID_MAX];
	cJSON *body = NULL;
	int rc;

	if ((!f->services || !f->services->n) && (!f->team || !*f->team))
		return ddci_error_set(DDCI_EUSAGE, "missing --service or --team: Datadog needs one of them");
	if ((rc = check_common(f->id, f->tags, f->started_ns, f->finished_ns)) < 0)
		return rc;
	ddci_dora_failure_id(id, f);
	if ((rc = ddci_dora_failure_json(&body, f)) < 0)
		return rc;
	rc = send_event(res, c, "/api/v2/dora/failure", body, id);
	cJSON_Delete(body);
	return rc;
}

/* --- Reading and tidying events ------------------------------------------ */

int ddci_dora_kind_parse(enum ddci_dora_kind *out, const char *s)
{
	if (!strcmp(s, "deployment") || !strcmp(s, "deployments"))
		*out = DDCI_DORA_DEPLOYMENTS;
	else if (!strcmp(s, "failure") || !strcmp(s, "failures") || !strcmp(s, "incident") ||
		 !strcmp(s, "incidents"))
		*out = DDCI_DORA_FAILURES;
	else
		return ddci_error_set(DDCI_EUSAGE, "unknown event kind '%s': expected deployment or failure", s);
	return 0;
}

/* --- The list reader ------------------------------------------------------
 *
 * The list endpoints have no paging: a request takes `limit` (at most 1000)
 * and the answer is `data` alone.  A window that comes back full may hold
 * more, so it is split in two halves (by start time, whole milliseconds,
 * the halves sharing their middle millisecond) and each half is read the
 * same way, until every window read came back with fewer than the limit.
 * Events are kept by id (a boundary event comes twice), sorted as asked and
 * handed out.  A full window of one millisecond cannot be split: an error,
 * never a silent cut.  The deadline bounds it all (each request checks it).
 */

#define DORA_LIMIT_MAX 1000
#define DORA_MAX_QUERIES 20000
#define MS_NS INT64_C(1000000)

struct held {
	cJSON *ev;          /* detached from its response */
	const char *id;
	int64_t key;        /* the sort field, ns (0 when absent) */
	size_t seq;         /* arrival order: ties keep it */
};

struct reader {
	struct ddci_client *c;
	const struct ddci_dora_query *q;
	int64_t limit;      /* sent with each request */
	int queries, splits;
	struct held *v;
	size_t n, cap;
};

static int add_time(cJSON *attrs, const char *name, int64_t ns)
{
	char buf[48];

	if (!ns)
		return 0;
	ddci_time_format_rfc3339_frac(buf, sizeof(buf), ns, 3);
	return cJSON_AddStringToObject(attrs, name, buf) ? 0 : ddci_error_oom();
}

static int list_body(cJSON **out, const struct ddci_dora_query *q, int64_t limit, int64_t from_ns, int64_t to_ns)
{
	cJSON *attrs = cJSON_CreateObject();
	int rc;

	*out = NULL;
	if (!attrs)
		return ddci_error_oom();
	if ((rc = add_time(attrs, "from", from_ns)) < 0 || (rc = ddci_json_add_int64(attrs, "limit", limit)) < 0 ||
	    (rc = ddci_json_add_str(attrs, "query", q->query)) < 0 || (rc = ddci_json_add_str(attrs, "sort", q->sort)) < 0 ||
	    (rc = add_time(attrs, "to", to_ns)) < 0) {
		cJSON_Delete(attrs);
		return rc;
	}
	*out = ddci_jsonapi_wrap(q->kind == DDCI_DORA_DEPLOYMENTS ? "dora_deployments_list_request"
								 : "dora_failures_list_request", NULL, attrs);
	return *out ? 0 : ddci_error_oom();
}

static const char *kind_name(enum ddci_dora_kind kind)
{
	return kind == DDCI_DORA_DEPLOYMENTS ? "deployments" : "failures";
}

static const char *sort_field(const struct ddci_dora_query *q)
{
	return q->sort && strstr(q->sort, "finished_at") ? "attributes.finished_at" : "attributes.started_at";
}

/* Keeps the events of one answer (taken out of `resp`). */
static int hold(struct reader *r, cJSON *data)
{
	cJSON *ev;

	while ((ev = cJSON_DetachItemViaPointer(data, data->child)) != NULL) {
		struct held *h;
		const char *id = NULL;
		int64_t key = 0;
		int rc;

		if (r->n == r->cap) {
			size_t cap = r->cap ? r->cap * 2 : 256;
			struct held *nv = realloc(r->v, cap * sizeof(*nv));

			if (!nv) {
				cJSON_Delete(ev);
				return ddci_error_oom();
			}
			r->v = nv;
			r->cap = cap;
		}
		if ((rc = ddci_json_get_str(&id, ev, "id")) < 0 || (rc = ddci_dora_time_get(&key, ev, sort_field(r->q))) < 0) {
			cJSON_Delete(ev);
			return ddci_error_wrap(rc, "unexpected response from Datadog");
		}
		h = &r->v[r->n];
		h->ev = ev;
		h->id = id;
		h->key = key;
		h->seq = r->n++;
	}
	return 0;
}

/* One request for [from, to]; *full: it came back with `limit` events.
 * The events are kept unless the window is full and will be split. */
static int query_window(struct reader *r, int64_t from_ns, int64_t to_ns, int keep_full, int *full)
{
	struct ddci_call call = { "POST", NULL, NULL, DDCI_CALL_APP_KEY | DDCI_CALL_RETRY | DDCI_CALL_READ, NULL,
				  DDCI_FAMILY_DORA };
	cJSON *body = NULL, *resp = NULL, *data;
	int rc;

	*full = 0;
	if (++r->queries > DORA_MAX_QUERIES)
		return ddci_error_set(DDCI_EUNAVAIL, "reading the DORA %s took more than %d queries; narrow --from/--to",
				      kind_name(r->q->kind), DORA_MAX_QUERIES);
	if ((rc = list_body(&body, r->q, r->limit, from_ns, to_ns)) < 0)
		return rc;
	call.path = r->q->kind == DDCI_DORA_DEPLOYMENTS ? "/api/v2/dora/deployments" : "/api/v2/dora/failures";
	call.body = body;
	rc = ddci_client_call(&resp, r->c, &call);
	cJSON_Delete(body);
	if (rc != 0)
		return rc;
	data = cJSON_GetObjectItemCaseSensitive(resp, "data");
	if (!cJSON_IsArray(data)) {
		cJSON_Delete(resp);
		return ddci_error_set(DDCI_EPROTO, "unexpected response from Datadog: no 'data' array in the list");
	}
	*full = cJSON_GetArraySize(data) >= r->limit;
	rc = *full && !keep_full ? 0 : hold(r, data);
	cJSON_Delete(resp);
	return rc;
}

static int split(struct reader *r, int64_t from_ns, int64_t to_ns, int depth);

static int read_window(struct reader *r, int64_t from_ns, int64_t to_ns, int depth)
{
	int full, rc = query_window(r, from_ns, to_ns, 0, &full);

	return rc != 0 || !full ? rc : split(r, from_ns, to_ns, depth);
}

/* A full window [from, to] read again as two halves sharing their middle
 * millisecond (whole milliseconds: what a date-time surely resolves). */
static int split(struct reader *r, int64_t from_ns, int64_t to_ns, int depth)
{
	char a[48], b[48];
	int64_t mid;
	int rc;

	from_ns -= from_ns % MS_NS;
	if (from_ns <= 0)
		from_ns = MS_NS; /* 0 would mean "no from" */
	to_ns += (MS_NS - to_ns % MS_NS) % MS_NS;
	if (to_ns - from_ns < 2 * MS_NS || depth > 80) {
		ddci_time_format_rfc3339_frac(a, sizeof(a), from_ns, 3);
		ddci_time_format_rfc3339_frac(b, sizeof(b), to_ns, 3);
		return ddci_error_set(DDCI_EPROTO,
				      "Datadog holds %" PRId64 " or more DORA %s started in %s .. %s, more than one "
				      "list request returns (%" PRId64 "), and a window this short cannot be split: "
				      "nothing was left out silently",
				      r->limit, kind_name(r->q->kind), a, b, r->limit);
	}
	r->splits++;
	mid = from_ns + (to_ns - from_ns) / 2;
	mid -= mid % MS_NS;
	if ((rc = read_window(r, from_ns, mid, depth + 1)) != 0)
		return rc;
	return read_window(r, mid, to_ns, depth + 1);
}

static int cmp_id(const void *a, const void *b)
{
	const struct held *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

static int cmp_key(const void *a, const void *b)
{
	const struct held *x = a, *y = b;
	int c = (x->key > y->key) - (x->key < y->key);

	return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

static int cmp_key_desc(const void *a, const void *b)
{
	const struct held *x = a, *y = b;
	int c = (x->key < y->key) - (x->key > y->key);

	return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

/* After a split: repeated ids dropped (the first copy stays), then the
 * order the query asks for (started_at ascending when it asks none). */
static void settle(struct reader *r)
{
	size_t k = 0;

	qsort(r->v, r->n, sizeof(*r->v), cmp_id);
	for (size_t i = 0; i < r->n; i++) {
		if (k && !strcmp(r->v[k - 1].id, r->v[i].id)) {
			cJSON_Delete(r->v[i].ev);
			continue;
		}
		r->v[k++] = r->v[i];
	}
	r->n = k;
	qsort(r->v, r->n, sizeof(*r->v), r->q->sort && r->q->sort[0] == '-' ? cmp_key_desc : cmp_key);
}

int ddci_dora_list(struct ddci_client *c, const struct ddci_dora_query *q,
		   int (*fn)(void *ctx, const cJSON *event), void *ctx)
{
	struct reader r;
	int full = 0, rc;

	memset(&r, 0, sizeof(r));
	r.c = c;
	r.q = q;
	if (q->limit > 0 && q->limit <= DORA_LIMIT_MAX) {
		/* The first `limit` in sort order: what one request answers. */
		r.limit = q->limit;
		rc = query_window(&r, q->from_ns, q->to_ns, 1, &full);
	} else {
		r.limit = DORA_LIMIT_MAX;
		rc = query_window(&r, q->from_ns, q->to_ns, 0, &full);
		if (rc == 0 && full)
			rc = split(&r, q->from_ns, q->to_ns ? q->to_ns : ddci_time_now_ns() + 60 * DDCI_NS_PER_SEC, 1);
		if (rc == 0 && r.splits)
			settle(&r);
	}
	if (rc == 0 && c->trace)
		fprintf(c->trace, "dora: %zu %s in %d quer%s (%d split%s; the list API has no paging)\n", r.n,
			kind_name(q->kind), r.queries, r.queries == 1 ? "y" : "ies", r.splits, r.splits == 1 ? "" : "s");
	for (size_t i = 0; rc == 0 && i < r.n && (q->limit <= 0 || (int64_t)i < q->limit); i++) {
		int f = fn(ctx, r.v[i].ev);

		if (f != 0) {
			rc = f < 0 ? f : 0;
			break;
		}
	}
	for (size_t i = 0; i < r.n; i++)
		cJSON_Delete(r.v[i].ev);
	free(r.v);
	return rc;
}

static int event_path(struct ddci_buf *b, const char *prefix, const char *id)
{
	int rc;

	if (!id || !*id)
		return ddci_error_set(DDCI_EUSAGE, "missing event id");
	/* Checked, not only escaped: "." or ".." would name another path. */
	if ((rc = ddci_dora_check_ref(id, "event id")) < 0)
		return rc;
	if ((rc = ddci_buf_adds(b, prefix)) < 0 || (rc = ddci_url_escape(b, id)) < 0)
		return rc;
	return 0;
}

int ddci_dora_get(cJSON **out, struct ddci_client *c, enum ddci_dora_kind kind, const char *id)
{
	struct ddci_buf path = DDCI_BUF_INIT;
	struct ddci_call call = { "GET", NULL, NULL, DDCI_CALL_APP_KEY | DDCI_CALL_RETRY | DDCI_CALL_READ, NULL,
				  DDCI_FAMILY_DORA };
	int rc;

	*out = NULL;
	rc = event_path(&path, kind == DDCI_DORA_DEPLOYMENTS ? "/api/v2/dora/deployments/" : "/api/v2/dora/failures/",
			id);
	if (rc < 0)
		goto done;
	call.path = ddci_buf_str(&path);
	rc = ddci_client_call(out, c, &call);
	if (rc == 0 && !*out)
		rc = ddci_error_set(DDCI_EPROTO, "unexpected response from Datadog: empty body for '%s'", id);
done:
	ddci_buf_release(&path);
	return rc;
}

int ddci_dora_delete(struct ddci_client *c, enum ddci_dora_kind kind, const char *id)
{
	struct ddci_buf path = DDCI_BUF_INIT;
	struct ddci_call call = { "DELETE", NULL, NULL, DDCI_CALL_APP_KEY | DDCI_CALL_RETRY, NULL, DDCI_FAMILY_DORA };
	cJSON *resp = NULL;
	int rc;

	rc = event_path(&path, kind == DDCI_DORA_DEPLOYMENTS ? "/api/v2/dora/deployment/" : "/api/v2/dora/failure/", id);
	if (rc < 0)
		goto done;
	call.path = ddci_buf_str(&path);
	rc = ddci_client_call(&resp, c, &call);
done:
	cJSON_Delete(resp);
	ddci_buf_release(&path);
	return rc;
}

static int dup_opt(char **out, const cJSON *root, const char *path)
{
	const char *s = NULL;
	int rc = ddci_json_get_str_opt(&s, root, path);

	if (rc < 0 || !s)
		return rc;
	*out = strdup(s);
	return *out ? 0 : ddci_error_oom();
}

int ddci_dora_dep_parse(struct ddci_dora_dep *out, const cJSON *event)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = dup_opt(&out->id, event, "id")) < 0 || (rc = dup_opt(&out->service, event, "attributes.service")) < 0 ||
	    (rc = dup_opt(&out->env, event, "attributes.env")) < 0 ||
	    (rc = dup_opt(&out->version, event, "attributes.version")) < 0 ||
	    (rc = dup_opt(&out->commit_sha, event, "attributes.git.commit_sha")) < 0 ||
	    (rc = dup_opt(&out->remediation_id, event, "attributes.remediation.id")) < 0 ||
	    (rc = dup_opt(&out->remediation_type, event, "attributes.remediation.type")) < 0 ||
	    (rc = ddci_dora_time_get(&out->started_ns, event, "attributes.started_at")) < 0 ||
	    (rc = ddci_dora_time_get(&out->finished_ns, event, "attributes.finished_at")) < 0 ||
	    (rc = ddci_json_get_bool_opt(&out->change_failure, event, "attributes.change_failure")) < 0)
		goto fail;
	out->change_failure_known = ddci_json_path(event, "attributes.change_failure") != NULL &&
				    !cJSON_IsNull(ddci_json_path(event, "attributes.change_failure"));
	if (!out->id) {
		rc = ddci_error_set(DDCI_EPROTO, "unexpected response from Datadog: a deployment without 'id'");
		goto fail;
	}
	return 0;
fail:
	ddci_dora_dep_release(out);
	return rc;
}

void ddci_dora_dep_release(struct ddci_dora_dep *d)
{
	if (!d)
		return;
	free(d->id);
	free(d->service);
	free(d->env);
	free(d->commit_sha);
	free(d->version);
	free(d->remediation_id);
	free(d->remediation_type);
	memset(d, 0, sizeof(*d));
}

int ddci_dora_fail_parse(struct ddci_dora_fail *out, const cJSON *event)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = dup_opt(&out->id, event, "id")) < 0 ||
	    (rc = dup_opt(&out->commit_sha, event, "attributes.git.commit_sha")) < 0 ||
	    (rc = dup_opt(&out->version, event, "attributes.version")) < 0 ||
	    (rc = ddci_dora_time_get(&out->started_ns, event, "attributes.started_at")) < 0 ||
	    (rc = ddci_dora_time_get(&out->finished_ns, event, "attributes.finished_at")) < 0) {
		ddci_dora_fail_release(out);
		return rc;
	}
	return 0;
}

void ddci_dora_fail_release(struct ddci_dora_fail *f)
{
	if (!f)
		return;
	free(f->id);
	free(f->commit_sha);
	free(f->version);
	memset(f, 0, sizeof(*f));
}

struct find_state {
	const struct ddci_dora_find *f;
	struct ddci_dora_dep best;
	int found;
};

static int same(const char *want, const char *got)
{
	return !want || (got && !strcmp(want, got));
}

static int find_one(void *ctx, const cJSON *event)
{
	struct find_state *st = ctx;
	const struct ddci_dora_find *f = st->f;
	struct ddci_dora_dep d;
	int rc = ddci_dora_dep_parse(&d, event);

	if (rc < 0)
		return rc;
	if (same(f->service, d.service) && same(f->env, d.env) && same(f->commit_sha, d.commit_sha) &&
	    (!f->before_ns || d.started_ns < f->before_ns) && (!f->exclude_id || strcmp(f->exclude_id, d.id)) &&
	    (!st->found || d.started_ns > st->best.started_ns)) {
		ddci_dora_dep_release(&st->best);
		st->best = d;
		st->found = 1;
		return 0;
	}
	ddci_dora_dep_release(&d);
	return 0;
}

static int add_term(struct ddci_buf *q, const char *key, const char *value)
{
	if (!value)
		return 0;
	return ddci_buf_addf(q, "%s%s:\"%s\"", q->len ? " " : "", key, value);
}

int ddci_dora_find_deployment(struct ddci_dora_dep *out, struct ddci_client *c, const struct ddci_dora_find *f)
{
	struct ddci_dora_query q = { DDCI_DORA_DEPLOYMENTS, 0, 0, NULL, "-started_at", 0 };
	struct find_state st;
	struct ddci_buf query = DDCI_BUF_INIT;
	int rc;

	memset(&st, 0, sizeof(st));
	memset(out, 0, sizeof(*out));
	st.f = f;
	if ((rc = add_term(&query, "service", f->service)) < 0 || (rc = add_term(&query, "env", f->env)) < 0)
		goto done;
	q.query = query.len ? ddci_buf_str(&query) : NULL;
	rc = ddci_dora_list(c, &q, find_one, &st);
	if (rc != 0)
		goto done;
	if (!st.found) {
		rc = ddci_error_set(DDCI_EUSAGE, "no deployment found%s%s%s%s%s%s%s%s", f->service ? " of service '" : "",
				    f->service ? f->service : "", f->service ? "'" : "", f->env ? " in env '" : "",
				    f->env ? f->env : "", f->env ? "'" : "", f->commit_sha ? " for commit " : "",
				    f->commit_sha ? f->commit_sha : "");
		goto done;
	}
	*out = st.best;
	memset(&st.best, 0, sizeof(st.best));
done:
	ddci_dora_dep_release(&st.best);
	ddci_buf_release(&query);
	return rc;
}

int ddci_dora_patch_json(cJSON **out, const struct ddci_dora_patch *p)
{
	cJSON *a = cJSON_CreateObject(), *rem;

	*out = NULL;
	if (!a || !cJSON_AddBoolToObject(a, "change_failure", p->change_failure ? 1 : 0))
		goto oom;
	if (p->remediation_id) {
		rem = cJSON_AddObjectToObject(a, "remediation");
		if (!rem || ddci_json_add_str(rem, "id", p->remediation_id) < 0 ||
		    ddci_json_add_str(rem, "type", p->remediation_type) < 0)
			goto oom;
	}
	*out = ddci_jsonapi_wrap("dora_deployment_patch_request", p->id, a);
	return *out ? 0 : ddci_error_oom();
oom:
	cJSON_Delete(a);
	return ddci_error_oom();
}

int ddci_dora_patch_deployment(struct ddci_client *c, const struct ddci_dora_patch *p)
{
	struct ddci_buf path = DDCI_BUF_INIT;
	struct ddci_call call = { "PATCH", NULL, NULL, DDCI_CALL_APP_KEY | DDCI_CALL_RETRY, NULL, DDCI_FAMILY_DORA };
	cJSON *body = NULL, *resp = NULL;
	int rc;

	if (p->remediation_id && !*p->remediation_id)
		return ddci_error_set(DDCI_EUSAGE, "invalid --remediation-id: empty");
	if (p->remediation_type && strcmp(p->remediation_type, "rollback") && strcmp(p->remediation_type, "rollforward"))
		return ddci_error_set(DDCI_EUSAGE, "invalid --remediation-type '%s': expected rollback or rollforward",
				      p->remediation_type);
	if ((rc = event_path(&path, "/api/v2/dora/deployments/", p->id)) < 0 || (rc = ddci_dora_patch_json(&body, p)) < 0)
		goto done;
	call.path = ddci_buf_str(&path);
	call.body = body;
	rc = ddci_client_call(&resp, c, &call);
done:
	cJSON_Delete(resp);
	cJSON_Delete(body);
	ddci_buf_release(&path);
	return rc;
}
