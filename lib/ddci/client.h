/* client.h — one code path for "call Datadog", whatever the call.
 *
 * Wraps http.h with what every command wants: the HTTP handle made on first
 * use, JSON in and out, --dry-run (print the request, send nothing),
 * --verbose tracing, and spooling of undeliverable events (spool.h), and
 * paging through every page of a list endpoint with one page in memory.
 * It knows no endpoint: the API module making a call says which rate-limit
 * family it counts against and which keys it needs (ddci/endpoint.h).
 */
#ifndef DDCI_CLIENT_H
#define DDCI_CLIENT_H

#include <stdio.h>
#include <cjson/cJSON.h>

#include "ddci/config.h"
#include "ddci/error.h"
#include "ddci/http.h"

struct ddci_client {
	const struct ddci_config *cfg;
	struct ddci_http *http;   /* created on first call */
	FILE *out;                /* where --dry-run prints (the command's stdout) */
	FILE *trace;              /* --verbose trace (stderr) or NULL */
	FILE *notice;             /* notices on stderr, or NULL: rate-limit waits, a success
				   * with a warning (HTTP 202 "delayed") */
	int requests;             /* requests made (for tests and reports) */
	char request_id[128];     /* of the last response */
};

enum {
	DDCI_CALL_APP_KEY = 1 << 0,  /* endpoint needs the application key */
	DDCI_CALL_RETRY = 1 << 1,    /* idempotent: safe to retry */
	DDCI_CALL_SPOOL = 1 << 2,    /* an event: spool when undeliverable */
	DDCI_CALL_READ = 1 << 3      /* a read: still prints in --dry-run, sends nothing */
};

/* DDCI_DRY_RUN (error.h): what ddci_client_call returns when --dry-run
 * printed the request instead of sending it. */

struct ddci_call {
	const char *method;     /* "POST" */
	const char *path;       /* the endpoint's path, query included */
	const cJSON *body;      /* or NULL */
	unsigned flags;         /* DDCI_CALL_* */
	const char *event_id;   /* for spooling: the event's deterministic id */
	const char *family;     /* rate-limit family (ddci/endpoint.h); NULL: "other" */
};

void ddci_client_init(struct ddci_client *c, const struct ddci_config *cfg);
void ddci_client_release(struct ddci_client *c);

/* Sends the call.  *out (may be NULL) receives the parsed response body
 * (NULL for an empty body).  Returns 0, DDCI_DRY_RUN, or an error; when an
 * event with DDCI_CALL_SPOOL fails with DDCI_EUNAVAIL and a spool dir is
 * configured, it is written there and the message says so.  Refuses
 * (DDCI_EUSAGE, nothing sent) an endpoint the site does not serve
 * (ddci_site_serves); a 403 names the permission the endpoint needs; an
 * event accepted with 202 ("delayed due to incident") is a success with a
 * warning on c->notice. */
int ddci_client_call(cJSON **out, struct ddci_client *c, const struct ddci_call *call) DDCI_WUR;

/* Paging.  next() is given the request of the page just read and its
 * response; it updates the call (path/body) for the following page and
 * returns 1 when there is one, 0 when done, < 0 on error.  on_page() sees
 * each page's parsed body; it returns 0 to go on, 1 to stop early, < 0 on
 * error.  Only one page is held at a time. */
struct ddci_pager {
	struct ddci_call call;
	int (*next)(struct ddci_pager *p, const cJSON *page);
	int (*on_page)(void *ctx, const cJSON *page);
	void *ctx;
	cJSON *body_owned;      /* body the pager may rewrite (freed by release) */
	char *path_owned;       /* path the pager may rewrite (freed by release) */
	int pages;
	int max_pages;          /* 0 = no limit */
};

int ddci_client_paginate(struct ddci_client *c, struct ddci_pager *p) DDCI_WUR;
void ddci_pager_release(struct ddci_pager *p);

/* The one way the API modules read a list endpoint: every page of a read
 * (application key, retried, printed by --dry-run) of `method` in `family`,
 * starting from the pager's call.path (or path_owned) and body_owned, then
 * as next() says.  Releases what the pager owns; p->pages counts the pages
 * read. */
int ddci_client_read_all(struct ddci_client *c, struct ddci_pager *p, const char *method,
			 const char *family) DDCI_WUR;

/* A POST search at the pager's call.path, read the same way, whose
 * next(p, NULL) sets the first page's body as it sets each following one
 * (so a module builds its request in one place); *pages counts the pages
 * read. */
int ddci_client_search_all(struct ddci_client *c, struct ddci_pager *p, const char *family, int *pages) DDCI_WUR;

/* From next(): the following page's path and/or body, taken over (NULL
 * keeps the current one). */
void ddci_pager_set_request(struct ddci_pager *p, char *path, cJSON *body);

#endif
