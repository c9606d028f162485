/* endpoint.h — what the API modules know about Datadog's endpoints that
 * the transport must not: the rate-limit family each belongs to (as
 * Datadog's X-RateLimit-Name groups them) and which need the application
 * key.  The API modules put both on each struct ddci_call; the spool
 * records them.  ddci_endpoint_classify() derives them from a method and
 * path, for spool files written before ddci recorded them.
 */
#ifndef DDCI_ENDPOINT_H
#define DDCI_ENDPOINT_H

#include <stddef.h>

#define DDCI_FAMILY_DORA "dora"
#define DDCI_FAMILY_FLAKY "flaky"
#define DDCI_FAMILY_TESTS "tests"
#define DDCI_FAMILY_SYNTHETICS "synthetics"
#define DDCI_FAMILY_CASES "cases"

/* The family of a request path into buf: one of the above, else the first
 * segment after /api/vN/ (characters other than [a-z0-9_-] made '_'),
 * else "other". */
void ddci_endpoint_family(char *buf, size_t size, const char *path);

/* Family (into buf) and DDCI_CALL_* flags (*flags: DDCI_CALL_RETRY, plus
 * DDCI_CALL_APP_KEY where the endpoint needs the application key) of a
 * spooled event's method and path. */
void ddci_endpoint_classify(char *family, size_t size, unsigned *flags, const char *method, const char *path);

#endif
