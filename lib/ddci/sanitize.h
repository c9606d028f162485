/* sanitize.h — the one output boundary: a string that came from data (test,
 * suite and group names, ids, server messages, flag values) is made safe for
 * the channel it reaches before it is printed or written.
 *
 * Every channel: invalid UTF-8, UTF-16 surrogates, U+FFFE and U+FFFF become
 * U+FFFD; C0 and C1 controls (ESC, \r and DEL included) become U+FFFD unless
 * the channel below keeps or escapes them.  Redaction (redact.h) is not done
 * here: output.h redacts first, then sanitises.
 */
#ifndef DDCI_SANITIZE_H
#define DDCI_SANITIZE_H

#include <stddef.h>

#include "ddci/buf.h"
#include "ddci/error.h"

enum ddci_chan {
	/* One line on a terminal or CI log (stdout, stderr, a table cell, an
	 * id): \n and \t become spaces.  A "::" that starts the text (after
	 * blanks), which GitHub runs as a workflow command, and GitLab's
	 * "section_start:" / "section_end:" get their first ':' replaced by
	 * U+FF1A (a full-width colon). */
	DDCI_CHAN_TEXT = 0,
	/* The same for several lines: \n and \t kept, every line checked. */
	DDCI_CHAN_LINES,
	/* A document ddci built (Markdown, HTML, XML, a GitHub file): \n and
	 * \t kept, nothing else escaped. */
	DDCI_CHAN_DOC,
	/* Markdown inline text or table cell: \ | [ ] as \\ \| \[ \]; < > &
	 * and ` as entities; a leading # as \#; \n as <br>. */
	DDCI_CHAN_MD,
	/* Inside a Mermaid "quoted" label: " and ` become ', "%%" becomes "%",
	 * \n and \t spaces. */
	DDCI_CHAN_MERMAID,
	/* HTML text and attribute values: & < > " ' as entities; \n \t kept. */
	DDCI_CHAN_HTML,
	/* XML text and attribute values: as HTML, \n \t as &#10; &#9;; no
	 * character XML 1.0 forbids. */
	DDCI_CHAN_XML,
	/* JSON text as cJSON prints it: raw controls (other than the \n \t of
	 * its layout) written as \u00XX escapes, UTF-8 made valid. */
	DDCI_CHAN_JSON,
};

/* Appends s (NULL is "") made safe for channel ch.  Returns 0 or DDCI_ENOMEM. */
int ddci_san_add(struct ddci_buf *out, const char *s, enum ddci_chan ch) DDCI_WUR;
/* A malloc'd sanitised copy of s, or NULL when out of memory. */
char *ddci_san_dup(const char *s, enum ddci_chan ch);

/* An id that came from the server, checked before it is printed or written
 * to $GITHUB_OUTPUT: the rule of ddci's own ids (16 to 128 of letters,
 * digits and - _ . :), not starting with ':'.  DDCI_EPROTO naming `what`
 * ("data.id") otherwise. */
int ddci_san_check_id(const char *id, const char *what) DDCI_WUR;

#endif
