/* client.c — "call Datadog": --dry-run, JSON in and out, spooling of
 * undeliverable events, and paging with one page in memory.
 *
 * The HTTP handle (and with it libcurl) is made on the first real call, so
 * --dry-run and commands that fail early never pay for it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ddci/client.h"
#include "ddci/json.h"
#include "ddci/redact.h"
#include "ddci/spool.h"
#include "ddci/timeutil.h"

void ddci_client_init(struct ddci_client *c, const struct ddci_config *cfg)
{
	memset(c, 0, sizeof(*c));
	c->cfg = cfg;
}

void ddci_client_release(struct ddci_client *c)
{
	if (!c)
		return;
	ddci_http_free(c->http);
	c->http = NULL;
}

/* Prints the request instead of sending it: the request line (URL
 * credentials and keys masked) and the body exactly as it would be sent
 * (keys masked: a key has no business in a body). */
static int dry_run(struct ddci_client *c, const struct ddci_call *call)
{
	struct ddci_buf b = DDCI_BUF_INIT;
	char *body = NULL, *line = NULL, *safe = NULL;
	int rc;

	rc = ddci_buf_addf(&b, "%s %s%s\n", call->method, c->cfg->api_url ? c->cfg->api_url : "", call->path);
	if (!rc && !c->out)
		rc = ddci_error_set(DDCI_EIO, "cannot print the --dry-run request: no output stream");
	if (rc)
		goto done;
	line = ddci_redact_text(b.ptr);
	if (call->body && !(body = ddci_json_print(call->body))) {
		rc = ddci_error_oom();
		goto done;
	}
	safe = body ? ddci_redact_keys(body) : NULL;
	if (!line || (body && !safe)) {
		rc = ddci_error_oom();
		goto done;
	}
	if (fputs(line, c->out) == EOF || (safe && (fputs(safe, c->out) == EOF || fputc('\n', c->out) == EOF)) ||
	    fflush(c->out) != 0) {
		rc = ddci_error_set(DDCI_EIO, "cannot print the --dry-run request: %s", strerror(errno));
		goto done;
	}
	rc = DDCI_DRY_RUN;
done:
	free(safe);
	free(line);
	free(body);
	ddci_buf_release(&b);
	return rc;
}

/* A 2xx body that is not JSON means we are not talking to Datadog (a
 * captive proxy, a wrong --api-url): say what came back. */
static int parse_body(cJSON **out, const struct ddci_http_response *r)
{
	const char *ct = r->content_type, *id = r->request_id;
	char why[512], extra[256] = "";
	int rc = ddci_json_parse(out, ddci_buf_str(&r->body), "response");

	if (rc == 0)
		return 0;
	snprintf(why, sizeof(why), "%s", ddci_error_last());
	if (*ct && *id)
		snprintf(extra, sizeof(extra), " (content type %s, request id %s)", ct, id);
	else if (*ct)
		snprintf(extra, sizeof(extra), " (content type %s)", ct);
	else if (*id)
		snprintf(extra, sizeof(extra), " (request id %s)", id);
	rc = ddci_error_set(DDCI_EPROTO, "unexpected response from Datadog: %s%s", why, extra);
	ddci_error_set_request_id(id);
	return rc;
}

/* The event could not be delivered: keep it for ddci-flush. */
static int spool(const struct ddci_client *c, const struct ddci_call *call, const char *body)
{
	const char *dir = c->cfg->spool_dir;
	char msg[1024], rid[128];
	char *name = NULL;
	int rc;
	struct ddci_spool_event ev = {
		.method = call->method, .path = call->path, .body = body, .event_id = call->event_id,
		.family = call->family, .app_key = (call->flags & DDCI_CALL_APP_KEY) != 0,
	};

	snprintf(msg, sizeof(msg), "%s", ddci_error_last());
	snprintf(rid, sizeof(rid), "%s", ddci_error_request_id());
	rc = ddci_spool_write(&name, dir, &ev);
	if (rc == 0)
		ddci_error_set(DDCI_EUNAVAIL, "%s; event spooled to %s/%s, deliver it later with ddci-flush", msg,
			       dir, name);
	else
		ddci_error_set(DDCI_EUNAVAIL, "%s; the event could not be spooled either: %s", msg,
			       ddci_error_last());
	ddci_error_set_request_id(rid);
	free(name);
	return DDCI_EUNAVAIL;
}

/* The permission each endpoint family needs, by Datadog's API reference
 * (families as the API modules name them; read = a list or get, an event
 * send spools): for 403 messages. */
static const char *permission(const struct ddci_call *call)
{
	const char *f = call->family ? call->family : "";
	int get = !strcmp(call->method, "GET") || (call->flags & DDCI_CALL_READ);

	if (!strcmp(f, "dora"))
		return get ? "the 'dora_metrics_read' permission"
		       : (call->flags & DDCI_CALL_SPOOL) ? NULL : "the 'dora_metrics_write' permission";
	if (!strcmp(f, "tests"))
		return "the 'ci_visibility_read' or 'test_optimization_read' permission";
	if (!strcmp(f, "flaky"))
		return strcmp(call->method, "PATCH") ? "the 'test_optimization_read' permission"
						     : "the 'test_optimization_write' permission";
	if (!strcmp(f, "synthetics"))
		return "the 'synthetics_read' permission";
	if (!strcmp(f, "cases"))
		return "the 'cases_read' permission";
	return NULL;
}

/* A 403: the message says what the endpoint needs. */
static int forbidden(const struct ddci_call *call)
{
	const char *need = permission(call);
	char msg[1024], rid[128];

	if (!need && !(call->flags & DDCI_CALL_SPOOL))
		return DDCI_EREJECT;
	snprintf(msg, sizeof(msg), "%s", ddci_error_last());
	snprintf(rid, sizeof(rid), "%s", ddci_error_request_id());
	if (need)
		ddci_error_set(DDCI_EREJECT, "%s; %s needs %s (of the application key's user or service account)", msg,
			       call->method, need);
	else
		ddci_error_set(DDCI_EREJECT, "%s; this event endpoint takes the API key alone: check DD_API_KEY "
			       "belongs to this site", msg);
	ddci_error_set_request_id(rid);
	return DDCI_EREJECT;
}

int ddci_client_call(cJSON **out, struct ddci_client *c, const struct ddci_call *call)
{
	const struct ddci_config *cfg = c->cfg;
	struct ddci_http_response resp;
	struct ddci_http_request req = { call->method, call->path, NULL, 0, call->family };
	int have_resp = 0;
	char *body = NULL;
	cJSON *doc = NULL;
	int rc;

	if (out)
		*out = NULL;
	c->request_id[0] = '\0';
	if ((rc = ddci_site_serves(cfg, call->family)) < 0)
		return rc;
	if (cfg->dry_run == 1)
		return dry_run(c, call);
	if (call->body && !(body = ddci_json_print(call->body)))
		return ddci_error_oom();
	if (!c->http && (rc = ddci_http_new(&c->http, cfg)) < 0)
		goto done;
	ddci_http_set_trace(c->http, c->trace);
	ddci_http_set_notice(c->http, c->notice);
	if (call->flags & DDCI_CALL_APP_KEY)
		req.flags |= DDCI_HTTP_APP_KEY;
	if (call->flags & DDCI_CALL_RETRY)
		req.flags |= DDCI_HTTP_RETRY;
	req.body = body;

	c->requests++;
	rc = ddci_http_send(&resp, c->http, &req);
	have_resp = 1;
	snprintf(c->request_id, sizeof(c->request_id), "%s", resp.request_id);
	if (rc == DDCI_EREJECT && resp.status == 403)
		rc = forbidden(call);
	if (rc == 0 && resp.status == 202 && (call->flags & DDCI_CALL_SPOOL) && c->notice)
		/* The DORA send endpoints: "OK - but delayed due to incident". */
		fprintf(c->notice, "%s: warning: Datadog accepted the event with HTTP 202: its processing is delayed "
			"(an incident on Datadog's side); nothing to do, it will count%s%s\n",
			cfg->prog ? cfg->prog : "ddci", resp.request_id[0] ? "; request id " : "", resp.request_id);
	if (rc == 0 && resp.body.len > 0)
		rc = parse_body(&doc, &resp);
	/* Parsing a large answer takes time too: the deadline still holds. */
	if (rc == 0 && cfg->deadline_mono_ns > 0 && ddci_time_mono_ns() > cfg->deadline_mono_ns)
		rc = ddci_error_set(DDCI_EUNAVAIL, "timed out (--timeout) reading the response of %s %s",
				    call->method, call->path);
	else if (rc == DDCI_EUNAVAIL && (call->flags & DDCI_CALL_SPOOL) && cfg->spool_dir && *cfg->spool_dir)
		rc = spool(c, call, body);
	if (rc == 0 && out) {
		*out = doc;
		doc = NULL;
	}
done:
	if (have_resp)
		ddci_http_response_release(&resp);
	cJSON_Delete(doc);
	free(body);
	return rc;
}

/* The request as text, to notice a cursor that does not advance. */
static char *request_key(const struct ddci_call *call)
{
	char *body = call->body ? ddci_json_print(call->body) : NULL;
	struct ddci_buf b = DDCI_BUF_INIT;

	if ((call->body && !body) || ddci_buf_addf(&b, "%s %s\n%s", call->method, call->path, body ? body : "")) {
		free(body);
		ddci_buf_release(&b);
		return NULL;
	}
	free(body);
	return ddci_buf_detach(&b);
}

int ddci_client_paginate(struct ddci_client *c, struct ddci_pager *p)
{
	cJSON *page = NULL;
	char *before = NULL, *after = NULL;
	int rc = 0, r;

	for (;;) {
		if (p->max_pages > 0 && p->pages >= p->max_pages)
			break;
		rc = ddci_client_call(&page, c, &p->call);
		if (rc != 0) /* an error, or DDCI_DRY_RUN after printing the first request */
			goto done;
		p->pages++;
		if (!page) {
			rc = ddci_error_set(DDCI_EPROTO, "unexpected response from Datadog: empty page %d", p->pages);
			goto done;
		}
		if (p->on_page) {
			r = p->on_page(p->ctx, page);
			if (r != 0) {
				rc = r < 0 ? r : 0;
				goto done;
			}
		}
		if (!p->next)
			break;
		free(before);
		before = request_key(&p->call);
		if (!before) {
			rc = ddci_error_oom();
			goto done;
		}
		r = p->next(p, page);
		/* Only one page in memory: this one goes before the next request. */
		cJSON_Delete(page);
		page = NULL;
		if (r <= 0) {
			rc = r;
			goto done;
		}
		free(after);
		after = request_key(&p->call);
		if (!after) {
			rc = ddci_error_oom();
			goto done;
		}
		if (strcmp(before, after) == 0) {
			rc = ddci_error_set(DDCI_EPROTO,
					    "unexpected response from Datadog: page %d repeats the previous cursor",
					    p->pages);
			goto done;
		}
	}
done:
	cJSON_Delete(page);
	free(before);
	free(after);
	return rc;
}

void ddci_pager_release(struct ddci_pager *p)
{
	if (!p)
		return;
	cJSON_Delete(p->body_owned);
	free(p->path_owned);
	p->body_owned = NULL;
	p->path_owned = NULL;
}

int ddci_client_read_all(struct ddci_client *c, struct ddci_pager *p, const char *method, const char *family)
{
	int rc;

	p->call.method = method;
	p->call.family = family;
	p->call.flags = DDCI_CALL_APP_KEY | DDCI_CALL_RETRY | DDCI_CALL_READ;
	if (!p->call.path)
		p->call.path = p->path_owned;
	p->call.body = p->body_owned;
	rc = ddci_client_paginate(c, p);
	ddci_pager_release(p);
	return rc;
}

int ddci_client_search_all(struct ddci_client *c, struct ddci_pager *p, const char *family, int *pages)
{
	int rc = p->next(p, NULL);

	if (rc < 0)
		ddci_pager_release(p);
	else
		rc = ddci_client_read_all(c, p, "POST", family);
	*pages = p->pages;
	return rc;
}

void ddci_pager_set_request(struct ddci_pager *p, char *path, cJSON *body)
{
	if (path) {
		free(p->path_owned);
		p->path_owned = path;
		p->call.path = path;
	}
	if (body) {
		cJSON_Delete(p->body_owned);
		p->body_owned = body;
		p->call.body = body;
	}
}
