/* redact.h — keeping secrets out of everything we print or send.
 *
 * URL user-info is removed (`https://user:pw@host/x` -> `https://host/x`),
 * and registered secrets (API/application keys) are masked wherever they
 * appear in text that is about to be printed or written to a file.
 */
#ifndef DDCI_REDACT_H
#define DDCI_REDACT_H

#include <stddef.h>

#include "ddci/error.h"

/* Returns a malloc'd copy of `url` without user-info; scp-like
 * `user@host:path` keeps its form but loses a password if any.
 * Returns NULL only on allocation failure. */
char *ddci_redact_url(const char *url);

/* Normalises a remote URL to Datadog's repository id:
 * `git@github.com:org/repo.git`, `https://u:p@github.com/org/repo`,
 * `ssh://git@host:22/org/repo.git` -> `github.com/org/repo` (host lowercased,
 * no port for http(s)/ssh defaults, no `.git`, no trailing slash). */
int ddci_repository_id(char **out, const char *url) DDCI_WUR;

/* Registers a secret (copied) to be masked by ddci_redact_text(). Strings
 * shorter than 4 bytes are ignored. */
void ddci_redact_register(const char *secret);
void ddci_redact_clear(void);

/* Returns a malloc'd copy of `text` with registered secrets replaced by
 * "***" and URL user-info removed. NULL on allocation failure. */
char *ddci_redact_text(const char *text);

#endif
