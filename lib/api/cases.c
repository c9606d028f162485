/* cases.c — Case Management aggregate request and response. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddci/cases.h"
#include "ddci/endpoint.h"
#include "ddci/json.h"

int ddci_cases_check(const struct ddci_cases_query *q)
{
	static const char field_chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.";
	size_t n = q->group_by ? q->group_by->n : 0;

	if (n > DDCI_CASES_MAX_GROUPS)
		return ddci_error_set(DDCI_EUSAGE, "too many --group-by: at most %d", DDCI_CASES_MAX_GROUPS);
	for (size_t i = 0; i < n; i++) {
		const char *f = q->group_by->v[i];
		size_t len = strlen(f);

		if (!len || len > 64 || strspn(f, field_chars) != len)
			return ddci_error_set(DDCI_EUSAGE,
					      "invalid --group-by '%s': expected a case field like status or priority", f);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(q->group_by->v[j], f))
				return ddci_error_set(DDCI_EUSAGE, "invalid --group-by '%s': given twice", f);
	}
	if (q->limit < 0 || q->limit > DDCI_CASES_MAX_LIMIT)
		return ddci_error_set(DDCI_EUSAGE, "invalid --limit %" PRId64 ": expected 1 to %d", q->limit,
				      DDCI_CASES_MAX_LIMIT);
	if (q->query && strlen(q->query) > 4096)
		return ddci_error_set(DDCI_EUSAGE, "invalid --query: longer than 4096 bytes");
	return 0;
}

int ddci_cases_request_json(cJSON **out, const struct ddci_cases_query *q)
{
	cJSON *attrs = cJSON_CreateObject(), *gb, *groups, *doc;
	size_t n = q->group_by ? q->group_by->n : 0;
	int rc;

	*out = NULL;
	if ((rc = ddci_cases_check(q)) < 0) {
		cJSON_Delete(attrs);
		return rc;
	}
	if (!attrs || !(gb = cJSON_AddObjectToObject(attrs, "group_by")) ||
	    !(groups = cJSON_AddArrayToObject(gb, "groups")))
		goto fail;
	for (size_t i = 0; i < (n ? n : 1); i++) {
		cJSON *s = cJSON_CreateString(n ? q->group_by->v[i] : "status");
		if (!s || !cJSON_AddItemToArray(groups, s)) {
			cJSON_Delete(s);
			goto fail;
		}
	}
	/* Both are required by the spec: the defaults are sent too. */
	if (ddci_json_add_int64(gb, "limit", q->limit > 0 ? q->limit : DDCI_CASES_MAX_LIMIT) < 0 ||
	    !cJSON_AddStringToObject(attrs, "query_filter", q->query && *q->query ? q->query : "*"))
		goto fail;
	if (!(doc = ddci_jsonapi_wrap("aggregate", NULL, attrs)))
		return ddci_error_oom(); /* attrs is owned (and freed) by wrap */
	*out = doc;
	return 0;
fail:
	cJSON_Delete(attrs);
	return ddci_error_oom();
}

/* A count: a number, or the first number of an array ("value": [42]). */
static int count_of(int64_t *out, const cJSON *v)
{
	int64_t sum = 0;
	const cJSON *it;

	if (cJSON_IsNumber(v)) {
		/* range first: converting an out-of-range double is undefined */
		if (!(v->valuedouble >= 0 && v->valuedouble < 9e15))
			return -1;
		*out = (int64_t)v->valuedouble;
		return 0;
	}
	if (!cJSON_IsArray(v))
		return -1;
	cJSON_ArrayForEach(it, v)
	{
		if (!cJSON_IsNumber(it) || it->valuedouble < 0 || it->valuedouble >= 9e15)
			return -1;
		sum += (int64_t)it->valuedouble;
	}
	*out = sum;
	return 0;
}

static char *group_text(const cJSON *g)
{
	if (cJSON_IsString(g))
		return strdup(g->valuestring);
	if (!g || cJSON_IsNull(g))
		return strdup("(none)");
	return ddci_json_print(g);
}

int ddci_cases_parse(struct ddci_cases_result *out, const cJSON *resp)
{
	const cJSON *groups = NULL, *g;
	int64_t total = 0;
	size_t n = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = ddci_json_get_int64(&total, resp, "data.attributes.total")) < 0 ||
	    (rc = ddci_json_get_array_opt(&groups, resp, "data.attributes.groups")) < 0)
		return ddci_error_wrap(DDCI_EPROTO, "unexpected response from Datadog");
	if (total < 0)
		return ddci_error_set(DDCI_EPROTO, "unexpected response from Datadog: negative total %" PRId64, total);
	out->total = total;
	n = (size_t)cJSON_GetArraySize(groups);
	if (n && !(out->groups = calloc(n, sizeof(*out->groups))))
		return ddci_error_oom();
	cJSON_ArrayForEach(g, groups)
	{
		struct ddci_cases_group *dst = &out->groups[out->ngroups];
		size_t idx = out->ngroups;

		if (!cJSON_IsObject(g) || count_of(&dst->count, cJSON_GetObjectItemCaseSensitive(g, "value")) < 0) {
			ddci_cases_result_release(out);
			return ddci_error_set(DDCI_EPROTO,
					      "unexpected response from Datadog: data.attributes.groups[%zu] has no count", idx);
		}
		if (!(dst->group = group_text(cJSON_GetObjectItemCaseSensitive(g, "group")))) {
			ddci_cases_result_release(out);
			return ddci_error_oom();
		}
		out->ngroups++;
	}
	return 0;
}

int ddci_cases_aggregate(struct ddci_cases_result *out, struct ddci_client *c, const struct ddci_cases_query *q)
{
	struct ddci_call call = { "POST", DDCI_CASES_PATH, NULL, DDCI_CALL_APP_KEY | DDCI_CALL_RETRY | DDCI_CALL_READ,
				  NULL, DDCI_FAMILY_CASES };
	cJSON *body = NULL, *resp = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = ddci_cases_request_json(&body, q)) < 0)
		return rc;
	call.body = body;
	rc = ddci_client_call(&resp, c, &call);
	if (rc == DDCI_DRY_RUN) {
		out->dry_run = 1;
		rc = 0;
	} else if (rc == 0 && !resp) {
		rc = ddci_error_set(DDCI_EPROTO, "unexpected response from Datadog: empty body");
	} else if (rc == 0) {
		rc = ddci_cases_parse(out, resp);
	}
	cJSON_Delete(body);
	cJSON_Delete(resp);
	return rc;
}

void ddci_cases_result_release(struct ddci_cases_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->ngroups; i++)
		free(r->groups[i].group);
	free(r->groups);
	r->groups = NULL;
	r->ngroups = 0;
}
