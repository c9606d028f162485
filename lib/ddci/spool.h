/* spool.h — the on-disk queue of events Datadog could not take yet.
 *
 * One file per event (0600, in a 0700 directory, written to a temp file and
 * renamed, never following symlinks), named from the event's deterministic
 * id so a retried step overwrites rather than duplicates.  The file holds
 * method, path and body only: never a key.  ddci_spool_flush() delivers in
 * order under an exclusive lock and deletes a file only once Datadog took it.
 */
#ifndef DDCI_SPOOL_H
#define DDCI_SPOOL_H

#include <stdint.h>

#include "ddci/error.h"

struct ddci_client;

struct ddci_spool_entry {
	char *name;     /* file name in the spool dir */
	char *method;
	char *path;
	char *body;
	int64_t queued_ns;
};

int ddci_spool_write(char **out_name, const char *dir, const char *event_id, const char *method,
		     const char *path, const char *body) DDCI_WUR;

struct ddci_flush_stats {
	int found, sent, failed, rejected;
};

/* Delivers every spooled event (oldest first).  Rejected ones (4xx) are
 * moved to DIR/rejected/ so they never block the queue.  Returns 0 when all
 * were delivered, else the first error (DDCI_EUNAVAIL stops the flush). */
int ddci_spool_flush(struct ddci_flush_stats *stats, struct ddci_client *c, const char *dir) DDCI_WUR;

int ddci_spool_read(struct ddci_spool_entry *e, const char *dir, const char *name) DDCI_WUR;
void ddci_spool_entry_release(struct ddci_spool_entry *e);

#endif
