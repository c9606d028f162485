/*
 * envelope.c — the request envelopes the fake's APIs check, in one place:
 * a body that must be a JSON object, and the JSON:API document
 * {"data": {"type": TYPE, "attributes": {...}}} of Datadog's v2 endpoints,
 * each answered with the error texts and status of the API that takes it.
 */
#include <string.h>

#include "fd.h"

int fd_body_object(const struct fd_req *req, struct fd_resp *resp)
{
	if (req->json_invalid) {
		fd_resp_error(resp, 400, "body: invalid JSON");
		return -1;
	}
	if (req->json && !cJSON_IsObject(req->json)) {
		fd_resp_error(resp, 400, "body: expected a JSON object");
		return -1;
	}
	return 0;
}

static int is_type(const cJSON *t, const char *want)
{
	return cJSON_IsString(t) && strcmp(t->valuestring, want) == 0;
}

static int absent(const cJSON *it)
{
	return !it || cJSON_IsNull(it);
}

/* The JSON:API answer (DORA): status, title, detail and the member's
 * pointer; `type` was checked after the attributes, as that API does. */
static int env_jsonapi(const struct fd_req *req, struct fd_resp *resp, const char *type, const cJSON **data,
		       const cJSON **attrs)
{
	const cJSON *d, *a;

	if (req->json_invalid) {
		fd_resp_jsonapi_error(resp, 400, "", "request body is not valid JSON");
		return -1;
	}
	if (!cJSON_IsObject(req->json)) {
		fd_resp_jsonapi_error(resp, 400, "", "request body must be a JSON object");
		return -1;
	}
	if (!(d = cJSON_GetObjectItemCaseSensitive(req->json, "data"))) {
		fd_resp_jsonapi_error(resp, 400, "/data", "missing required field 'data'");
		return -1;
	}
	if (!cJSON_IsObject(d)) {
		fd_resp_jsonapi_error(resp, 400, "/data", "'data' must be an object");
		return -1;
	}
	*data = d;
	if (!(a = cJSON_GetObjectItemCaseSensitive(d, "attributes"))) {
		fd_resp_jsonapi_error(resp, 400, "/data/attributes", "missing required field 'attributes'");
		return -1;
	}
	if (!cJSON_IsObject(a)) {
		fd_resp_jsonapi_error(resp, 400, "/data/attributes", "'attributes' must be an object");
		return -1;
	}
	if (type && !is_type(cJSON_GetObjectItemCaseSensitive(d, "type"), type)) {
		fd_resp_jsonapi_error(resp, 400, "/data/type", "'type' must be '%s'", type);
		return -1;
	}
	*attrs = a;
	return 0;
}

/* The plain answer ({"errors":["data.type: ..."]}); optional: a search
 * whose data, type and attributes may each be left out or null. */
static int env_plain(const struct fd_req *req, struct fd_resp *resp, const char *type, int optional,
		     const cJSON **data, const cJSON **attrs)
{
	const cJSON *d, *a, *t;

	if ((optional || req->json_invalid) && fd_body_object(req, resp))
		return -1;
	d = cJSON_GetObjectItemCaseSensitive(req->json, "data");
	if (optional && absent(d))
		return 0;
	if (!cJSON_IsObject(d)) {
		fd_resp_error(resp, 400, optional ? "data: expected an object" : "data: required object");
		return -1;
	}
	*data = d;
	t = cJSON_GetObjectItemCaseSensitive(d, "type");
	if (type && !(optional && !t) && !is_type(t, type)) {
		fd_resp_error(resp, 400, "data.type: must be '%s'", type);
		return -1;
	}
	a = cJSON_GetObjectItemCaseSensitive(d, "attributes");
	if (optional && absent(a))
		return 0;
	if (!cJSON_IsObject(a)) {
		fd_resp_error(resp, 400, optional ? "data.attributes: expected an object" : "data.attributes: required object");
		return -1;
	}
	*attrs = a;
	return 0;
}

int fd_envelope(const struct fd_req *req, struct fd_resp *resp, const char *type, int flags, const cJSON **data,
		const cJSON **attrs)
{
	const cJSON *unused;

	if (!data)
		data = &unused;
	*data = NULL;
	*attrs = NULL;
	if (flags & FD_ENV_JSONAPI)
		return env_jsonapi(req, resp, type, data, attrs);
	return env_plain(req, resp, type, flags & FD_ENV_OPTIONAL, data, attrs);
}
