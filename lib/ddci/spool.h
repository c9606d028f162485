/* spool.h — the on-disk store of events Datadog could not take yet.
 *
 * One file per event (0600, in a 0700 directory, written to a temp file and
 * renamed, never following symlinks), named from the event's deterministic
 * id so a retried step overwrites rather than duplicates.  The file holds
 * the request (method, path, body) and what its API module chose for it
 * (rate-limit family, keys needed): never a key.  This is the store only;
 * delivering it is ddci/flush.h.
 */
#ifndef DDCI_SPOOL_H
#define DDCI_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "ddci/error.h"

/* An event to spool. */
struct ddci_spool_event {
	const char *method;
	const char *path;       /* starts with '/' */
	const char *body;       /* JSON text, or NULL */
	const char *event_id;   /* names the file; NULL or "": the body does */
	const char *family;     /* rate-limit family, or NULL */
	int app_key;            /* the endpoint needs the application key */
};

/* A spooled event, read back. */
struct ddci_spool_entry {
	char *name;     /* file name in the spool dir */
	char *method;
	char *path;
	char *body;
	char *event_id; /* or NULL */
	char *family;   /* NULL in files written before ddci recorded it */
	int app_key;    /* 1, 0, or -1 when the file does not say (older files) */
	int64_t queued_ns;
};

int ddci_spool_write(char **out_name, const char *dir, const struct ddci_spool_event *ev) DDCI_WUR;

int ddci_spool_read(struct ddci_spool_entry *e, const char *dir, const char *name) DDCI_WUR;
void ddci_spool_entry_release(struct ddci_spool_entry *e);

/* ---- the queue, for ddci/flush.h ---- */

/* An open spool directory (checked: ours, private, not a symlink). */
struct ddci_spool;

/* Opens an existing spool directory.  A missing one is no error: *out is
 * NULL (nothing was ever spooled). */
int ddci_spool_open(struct ddci_spool **out, const char *dir) DDCI_WUR;
void ddci_spool_close(struct ddci_spool *s);

/* The directory as messages name it. */
const char *ddci_spool_dir(const struct ddci_spool *s);

/* Waits for the exclusive lock on DIR/.lock until the deadline (monotonic
 * ns); held until ddci_spool_close(). */
int ddci_spool_lock(struct ddci_spool *s, int64_t deadline_mono_ns) DDCI_WUR;

/* The spooled events, oldest first.  A file that cannot be read would
 * fail every flush: it is moved to DIR/rejected/, counted in `unreadable`,
 * and the first such error is kept (code and message). */
struct ddci_spool_queue {
	char **names;
	size_t count;
	int found;              /* event files seen, readable or not */
	int unreadable;
	int first_err;
	char first_msg[1024];
};

int ddci_spool_list(struct ddci_spool_queue *q, struct ddci_spool *s) DDCI_WUR;
void ddci_spool_queue_release(struct ddci_spool_queue *q);

int ddci_spool_load(struct ddci_spool_entry *e, struct ddci_spool *s, const char *name) DDCI_WUR;

/* Sending an event without losing a newer version: the flush claims the
 * file (renames it to DIR/.claimed-<name>) before reading and sending it,
 * so a writer spooling the same event meanwhile makes a new file, which the
 * next flush sends; only the claimed version is ever deleted.  Returns 1
 * when claimed, 0 when the file is gone (taken meanwhile). */
int ddci_spool_claim(struct ddci_spool *s, const char *name) DDCI_WUR;
int ddci_spool_load_claimed(struct ddci_spool_entry *e, struct ddci_spool *s, const char *name) DDCI_WUR;

enum ddci_spool_outcome {
	DDCI_SPOOL_SENT,     /* delivered: the claimed file is removed */
	DDCI_SPOOL_REJECTED, /* moved to DIR/rejected/, out of the queue */
	DDCI_SPOOL_RETRY     /* back in the queue, unless a newer version is there */
};

/* What became of a claimed event.  Claimed files a crashed flush left
 * behind go back in the queue at the next ddci_spool_list(), which also
 * removes writers' temp files older than 15 minutes. */
int ddci_spool_finish(struct ddci_spool *s, const char *name, enum ddci_spool_outcome how);

/* An unreadable file: moved to DIR/rejected/ so it no longer blocks the
 * queue. */
int ddci_spool_reject(struct ddci_spool *s, const char *name);

#endif
