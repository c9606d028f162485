/* http.h — HTTPS to Datadog over one reused libcurl handle.
 *
 * Owns the deadline (the whole command's --timeout, retries included),
 * retries with exponential backoff and jitter on connection errors,
 * timeouts, 5xx and 429 (waiting for Retry-After / X-RateLimit-Reset, capped
 * by the deadline), never retries other 4xx, and turns Datadog's `errors`
 * (objects or strings) plus the request id into the error message.  Each
 * attempt first takes its turn under the rate limits that the processes of
 * the machine share (ddci/ratelimit.h).
 * CA certificates: an explicit bundle when given, else the hashed system
 * directory (looked up on demand: cheaper than loading the whole bundle).
 */
#ifndef DDCI_HTTP_H
#define DDCI_HTTP_H

#include <stdint.h>
#include <stdio.h>

#include "ddci/buf.h"
#include "ddci/config.h"
#include "ddci/error.h"
#include "ddci/url.h" /* ddci_url_escape */

struct ddci_http;

enum {
	DDCI_HTTP_APP_KEY = 1 << 0,   /* send DD-APPLICATION-KEY too */
	DDCI_HTTP_RETRY = 1 << 1      /* safe to retry (idempotent or deterministic id) */
};

struct ddci_http_response {
	long status;            /* 0 when no response was received */
	struct ddci_buf body;   /* bounded by DDCI_HTTP_MAX_BODY */
	char request_id[128];   /* x-request-id / dd-request-id, or "" */
	int attempts;
	/* Rate-limit headers of the last response, -1 when absent. */
	long rl_limit, rl_remaining, rl_reset, rl_period;
	char content_type[96];  /* Content-Type of the last response, or "" */
};

#define DDCI_HTTP_MAX_BODY ((size_t)32 << 20)

int ddci_http_new(struct ddci_http **out, const struct ddci_config *cfg) DDCI_WUR;
void ddci_http_free(struct ddci_http *h);

/* Verbose trace (method, URL, status, timing; never keys) goes to `f`. */
void ddci_http_set_trace(struct ddci_http *h, FILE *f);
/* Where a rate-limit wait of a second or more is announced (one line), when
 * there is no trace; NULL (the default): silent. */
void ddci_http_set_notice(struct ddci_http *h, FILE *f);

/* One request.  The transport knows no endpoint: whoever makes the request
 * says which rate-limit family it counts against (ddci/endpoint.h). */
struct ddci_http_request {
	const char *method;     /* "POST" */
	const char *path;       /* appended to cfg->api_url, query included */
	const char *body;       /* JSON text, or NULL */
	unsigned flags;         /* DDCI_HTTP_* */
	const char *family;     /* rate-limit family; NULL: "other" */
};

/* Sends req->method to cfg->api_url + req->path with its body.
 * 2xx: returns 0.  4xx other than 429: DDCI_EREJECT with Datadog's message.
 * Unreachable, timed out, 5xx, 429 after all retries or past the deadline:
 * DDCI_EUNAVAIL.  resp is filled in every case (release it). */
int ddci_http_send(struct ddci_http_response *resp, struct ddci_http *h,
		   const struct ddci_http_request *req) DDCI_WUR;

void ddci_http_response_release(struct ddci_http_response *resp);

/* Datadog's error text from a response body: "a; b" from
 * {"errors":["a","b"]} or {"errors":[{"title":..,"detail":..}]}. Returns a
 * malloc'd string or NULL when the body has none. */
char *ddci_http_error_text(const char *body);

/* The wait before retry number `attempt` (1-based): honours Retry-After
 * (seconds or HTTP date) and X-RateLimit-Reset (seconds), else exponential
 * backoff from base_ms with full jitter.  Exposed for unit tests. */
int64_t ddci_http_backoff_ms(int attempt, int64_t base_ms, const char *retry_after,
			     long ratelimit_reset, unsigned seed);

#endif
