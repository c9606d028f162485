/* flush.c — delivering the spool (see ddci/flush.h).
 *
 * The store (spool.c) knows files; this knows the client.  Each event goes
 * with the family and keys its file records, or, for a file written before
 * they were recorded, with what the caller's classify derives from its
 * method and path (the transport knows no endpoint).
 */
#include "ddci/flush.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "ddci/spool.h"
#include "ddci/timeutil.h"

#define LOCK_WAIT_DEFAULT_NS (30 * DDCI_NS_PER_SEC)

/* The call an entry makes; its family points into e or fam. */
static void call_for(struct ddci_call *call, char *fam, size_t size, const struct ddci_spool_entry *e,
		     ddci_flush_classify_fn *classify)
{
	unsigned flags = 0;

	fam[0] = '\0';
	if ((!e->family || e->app_key < 0) && classify) /* a file from before they were recorded */
		classify(fam, size, &flags, e->method, e->path);
	if (e->app_key >= 0)
		flags = e->app_key ? DDCI_CALL_APP_KEY : 0;
	call->method = e->method;
	call->path = e->path;
	call->event_id = e->event_id;
	call->family = e->family ? e->family : fam[0] ? fam : NULL;
	call->flags = DDCI_CALL_RETRY | (flags & DDCI_CALL_APP_KEY);
}

/* Sends one spooled event.  Returns the client's result. */
static int send_one(struct ddci_client *c, struct ddci_spool *s, const char *name,
		    ddci_flush_classify_fn *classify)
{
	struct ddci_spool_entry e;
	struct ddci_call call = { 0 };
	cJSON *check = NULL, *body = NULL;
	char fam[40];
	int err;

	err = ddci_spool_load_claimed(&e, s, name);
	if (err)
		return err;
	if (e.body && e.body[0]) {
		/* Send the body exactly as spooled (a raw node): re-printing
		 * parsed JSON would turn int64 timestamps into doubles. */
		check = cJSON_Parse(e.body);
		if (!check) {
			err = ddci_error_set(DDCI_EIO, "spool file '%s/%s' holds a body that is not JSON",
					     ddci_spool_dir(s), name);
			goto done;
		}
		body = cJSON_CreateRaw(e.body);
		if (!body) {
			err = ddci_error_oom();
			goto done;
		}
	}
	call_for(&call, fam, sizeof(fam), &e, classify);
	call.body = body;
	err = ddci_client_call(NULL, c, &call);
done:
	cJSON_Delete(check);
	cJSON_Delete(body);
	ddci_spool_entry_release(&e);
	return err;
}

/* The first error other than "unavailable", kept while the flush goes on. */
struct first {
	int err;
	char msg[1024];
};

static void keep_first(struct first *f, int err)
{
	if (!f->err) {
		f->err = err;
		snprintf(f->msg, sizeof(f->msg), "%s", ddci_error_last());
	}
}

/* A failed send goes back in the queue; the send's message is kept. */
static void keep_error(struct ddci_spool *s, const char *name)
{
	char msg[1024];

	snprintf(msg, sizeof(msg), "%s", ddci_error_last());
	if (ddci_spool_finish(s, name, DDCI_SPOOL_RETRY) == 0)
		ddci_error_set(0, "%s", msg);
}

/* Sends the queue in order.  Returns 0, or an error that stops the flush. */
static int send_queue(struct ddci_flush_stats *stats, struct first *first, struct ddci_client *c,
		      struct ddci_spool *s, const struct ddci_spool_queue *q, ddci_flush_classify_fn *classify)
{
	for (size_t i = 0; i < q->count; i++) {
		const char *name = q->names[i];
		int rc;

		if ((rc = ddci_spool_claim(s, name)) <= 0) {
			if (rc < 0)
				return rc;
			continue; /* gone meanwhile */
		}
		rc = send_one(c, s, name, classify);
		if (rc == 0) {
			stats->sent++;
			if ((rc = ddci_spool_finish(s, name, DDCI_SPOOL_SENT)) < 0)
				return rc;
			continue;
		}
		if (rc == DDCI_DRY_RUN) { /* printed, not sent: keep it */
			if ((rc = ddci_spool_finish(s, name, DDCI_SPOOL_RETRY)) < 0)
				return rc;
			continue;
		}
		if (rc == DDCI_EREJECT) {
			stats->rejected++;
			ddci_error_wrap(rc, "spooled event '%s' rejected", name);
			(void)ddci_spool_finish(s, name, DDCI_SPOOL_REJECTED);
		} else {
			stats->failed++;
			ddci_error_wrap(rc, "spooled event '%s'", name);
			keep_error(s, name);
		}
		if (rc == DDCI_EUNAVAIL || rc == DDCI_ENOMEM)
			return rc; /* Datadog is still away: the rest waits too */
		keep_first(first, rc);
	}
	return 0;
}

int ddci_flush(struct ddci_flush_stats *stats, struct ddci_client *c, const char *dir,
	       ddci_flush_classify_fn *classify)
{
	struct ddci_flush_stats local;
	struct ddci_spool_queue q = { 0 };
	struct ddci_spool *s = NULL;
	struct first first = { 0, "" };
	int err;
	int64_t deadline;

	if (!stats)
		stats = &local;
	memset(stats, 0, sizeof(*stats));
	err = ddci_spool_open(&s, dir);
	if (err || !s)
		goto done;
	deadline = c && c->cfg && c->cfg->deadline_mono_ns > 0
			   ? c->cfg->deadline_mono_ns
			   : ddci_time_mono_ns() + LOCK_WAIT_DEFAULT_NS;
	err = ddci_spool_lock(s, deadline);
	if (err)
		goto done;
	err = ddci_spool_list(&q, s);
	stats->found = q.found;
	stats->failed = q.unreadable;
	if (err)
		goto done;
	if (q.first_err) {
		first.err = q.first_err;
		snprintf(first.msg, sizeof(first.msg), "%s", q.first_msg);
	}
	err = send_queue(stats, &first, c, s, &q, classify);
	if (!err && first.err) {
		err = first.err;
		ddci_error_set(err, "%s", first.msg);
	}
done:
	ddci_spool_queue_release(&q);
	ddci_spool_close(s); /* releases the lock */
	return err;
}
