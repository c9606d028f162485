/* dora.c — DORA deployment and failure events. */
#include "ddci/dora.h"

#include <stdio.h>
#include <string.h>

#include "ddci/hash.h"
#include "ddci/json.h"

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
	struct ddci_call call = { "POST", path, body, DDCI_CALL_RETRY | DDCI_CALL_SPOOL, id };
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
