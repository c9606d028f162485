/* dora.c — DORA deployment and failure events: send, list, get, patch, delete. */
#include "ddci/dora.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddci/endpoint.h"
#include "ddci/hash.h"
#include "ddci/http.h"
#include "ddci/json.h"
#include "ddci/timeutil.h"

int ddci_dora_check_id(const char *id, const char *what)
{
	size_t n = strlen(id);

	if (n < 16 || n > 128)
		return ddci_error_set(DDCI_EUSAGE, "invalid %s '%s': must be 16 to 128 characters (it has %zu)",
				      what, id, n);
	for (size_t i = 0; i < n; i++) {
		char c = id[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.' || c == ':'))
			return ddci_error_set(DDCI_EUSAGE,
					      "invalid %s '%s': only letters, digits and - _ . : are allowed",
					      what, id);
	}
	return 0;
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
	parts[3] = started;
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
	parts[3] = started;
	ddci_dora_derive_id(out, "fail", parts, 4);
}

static int add_strv(cJSON *obj, const char *name, const struct ddci_strv *sv)
{
	cJSON *arr;

	if (!sv || !sv->n)
		return 0;
	arr = cJSON_AddArrayToObject(obj, name);
	if (!arr)
		return ddci_error_set(DDCI_ENOMEM, "out of memory");
	for (size_t i = 0; i < sv->n; i++) {
		cJSON *s = cJSON_CreateString(sv->v[i]);
		if (!s || !cJSON_AddItemToArray(arr, s)) {
			cJSON_Delete(s);
			return ddci_error_set(DDCI_ENOMEM, "out of memory");
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
		return ddci_error_set(DDCI_ENOMEM, "out of memory");
	return 0;
}

static int wrap(cJSON **out, cJSON *attrs)
{
	*out = ddci_jsonapi_wrap(NULL, NULL, attrs);
	return *out ? 0 : ddci_error_set(DDCI_ENOMEM, "out of memory");
}

int ddci_dora_deployment_json(cJSON **out, const struct ddci_deployment *d)
{
	char id[DDCI_ID_MAX];
	cJSON *a = cJSON_CreateObject();
	int rc;

	if (!a)
		return ddci_error_set(DDCI_ENOMEM, "out of memory");
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
		return ddci_error_set(DDCI_ENOMEM, "out of memory");
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
		if (rc == 0)
			snprintf(res->id, sizeof(res->id), "%s", got);
		else
			rc = ddci_error_wrap(DDCI_EPROTO, "unexpected response from Datadog");
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

static int oom(void)
{
	return ddci_error_set(DDCI_ENOMEM, "out of memory");
}

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

#define DORA_PAGE_MAX 1000

struct list_state {
	int64_t wanted, seen;
	int (*fn)(void *ctx, const cJSON *event);
	void *ctx;
	int stopped;
};

static int list_on_page(void *ctx, const cJSON *page)
{
	struct list_state *st = ctx;
	const cJSON *data = NULL, *it;
	int rc;

	if ((rc = ddci_json_get_array(&data, page, "data")) < 0)
		return ddci_error_wrap(DDCI_EPROTO, "unexpected response from Datadog");
	cJSON_ArrayForEach(it, data) {
		if (st->wanted > 0 && st->seen >= st->wanted) {
			st->stopped = 1;
			return 1;
		}
		st->seen++;
		rc = st->fn(st->ctx, it);
		if (rc != 0) {
			st->stopped = 1;
			return rc;
		}
	}
	if (st->wanted > 0 && st->seen >= st->wanted) {
		st->stopped = 1;
		return 1;
	}
	return 0;
}

/* The server pages with meta.page.after; it goes back as attributes.page.cursor. */
static int list_next(struct ddci_pager *p, const cJSON *page)
{
	const char *after = NULL;
	cJSON *attrs, *pg;

	if (ddci_json_get_str_opt(&after, page, "meta.page.after") < 0 || !after || !*after)
		return 0;
	attrs = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(p->body_owned, "data"),
						 "attributes");
	if (!attrs)
		return 0;
	cJSON_DeleteItemFromObjectCaseSensitive(attrs, "page");
	pg = cJSON_AddObjectToObject(attrs, "page");
	if (!pg || !cJSON_AddStringToObject(pg, "cursor", after))
		return oom();
	return 1;
}

static int add_time(cJSON *attrs, const char *name, int64_t ns)
{
	char buf[40];

	if (!ns)
		return 0;
	ddci_time_format_rfc3339(buf, sizeof(buf), ns);
	return cJSON_AddStringToObject(attrs, name, buf) ? 0 : oom();
}

int ddci_dora_list(struct ddci_client *c, const struct ddci_dora_query *q,
		   int (*fn)(void *ctx, const cJSON *event), void *ctx)
{
	int deps = q->kind == DDCI_DORA_DEPLOYMENTS;
	struct list_state st = { q->limit, 0, fn, ctx, 0 };
	struct ddci_pager p;
	cJSON *attrs = cJSON_CreateObject();
	int64_t page_limit = q->limit > 0 && q->limit < DORA_PAGE_MAX ? q->limit : DORA_PAGE_MAX;
	int rc;

	memset(&p, 0, sizeof(p));
	if (!attrs)
		return oom();
	if ((rc = add_time(attrs, "from", q->from_ns)) < 0 || (rc = ddci_json_add_int64(attrs, "limit", page_limit)) < 0 ||
	    (rc = ddci_json_add_str(attrs, "query", q->query)) < 0 || (rc = ddci_json_add_str(attrs, "sort", q->sort)) < 0 ||
	    (rc = add_time(attrs, "to", q->to_ns)) < 0) {
		cJSON_Delete(attrs);
		return rc;
	}
	p.body_owned = ddci_jsonapi_wrap(deps ? "dora_deployments_list_request" : "dora_failures_list_request", NULL,
					 attrs);
	if (!p.body_owned)
		return oom();
	p.call.method = "POST";
	p.call.path = deps ? "/api/v2/dora/deployments" : "/api/v2/dora/failures";
	p.call.body = p.body_owned;
	p.call.flags = DDCI_CALL_APP_KEY | DDCI_CALL_RETRY | DDCI_CALL_READ;
	p.call.family = DDCI_FAMILY_DORA;
	p.next = list_next;
	p.on_page = list_on_page;
	p.ctx = &st;
	rc = ddci_client_paginate(c, &p);
	ddci_pager_release(&p);
	return rc;
}

static int event_path(struct ddci_buf *b, const char *prefix, const char *id)
{
	int rc;

	if (!id || !*id)
		return ddci_error_set(DDCI_EUSAGE, "missing event id");
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
	return *out ? 0 : oom();
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
	    (rc = ddci_json_get_int64_opt(&out->started_ns, event, "attributes.started_at")) < 0 ||
	    (rc = ddci_json_get_int64_opt(&out->finished_ns, event, "attributes.finished_at")) < 0 ||
	    (rc = ddci_json_get_bool_opt(&out->change_failure, event, "attributes.change_failure")) < 0)
		goto fail;
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
	return *out ? 0 : oom();
oom:
	cJSON_Delete(a);
	return oom();
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
