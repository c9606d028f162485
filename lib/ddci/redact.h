/* redact.h — keeping secrets out of everything we print.
 *
 * Registered secrets (API/application keys) are masked, and URL user-info
 * removed, wherever they appear in text that is about to be printed or
 * written to a file.  URLs that ddci sends are parsed without their
 * credentials in the first place (url.h: ddci_redact_url, ddci_repository_id).
 */
#ifndef DDCI_REDACT_H
#define DDCI_REDACT_H

#include <stddef.h>

#include "ddci/error.h"
#include "ddci/url.h"

/* Registers a secret (copied) to be masked by ddci_redact_text(). Strings
 * shorter than 4 bytes are ignored. */
void ddci_redact_register(const char *secret);
void ddci_redact_clear(void);

/* Returns a malloc'd copy of `text` with registered secrets replaced by
 * "***" and URL user-info removed. NULL on allocation failure. */
char *ddci_redact_text(const char *text);

/* The same for the registered secrets only: everything else is printed as
 * it is (--dry-run shows the body exactly as it is sent). */
char *ddci_redact_keys(const char *text);

#endif
