/* flush.h — delivering what the spool (ddci/spool.h) holds.
 *
 * Oldest first, under the spool's exclusive lock, each event sent through
 * the client with the rate-limit family and keys its file records; a file
 * is deleted only once Datadog took it, and a rejected one (4xx) is moved
 * to DIR/rejected/ so it never blocks the queue.
 */
#ifndef DDCI_FLUSH_H
#define DDCI_FLUSH_H

#include <stddef.h>

#include "ddci/client.h"
#include "ddci/error.h"

struct ddci_flush_stats {
	int found, sent, failed, rejected;
};

/* For files written before ddci recorded a call's family and keys: fills
 * in the family (into buf) and the DDCI_CALL_* flags from the method and
 * path (ddci_endpoint_classify does). */
typedef void ddci_flush_classify_fn(char *family, size_t size, unsigned *flags, const char *method,
				    const char *path);

/* Delivers every spooled event in `dir`.  `classify` may be NULL (older
 * files then go with the API key only, in family "other").  Returns 0 when
 * all were delivered, else the first error (DDCI_EUNAVAIL stops the
 * flush). */
int ddci_flush(struct ddci_flush_stats *stats, struct ddci_client *c, const char *dir,
	       ddci_flush_classify_fn *classify) DDCI_WUR;

#endif
