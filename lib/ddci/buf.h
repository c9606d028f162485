/* buf.h — the growable byte buffer (like curl's dynbuf and git's strbuf).
 *
 * Always NUL-terminated once anything is added.  Each buffer has a size
 * limit (DDCI_BUF_DEFAULT_MAX unless set) so a hostile server cannot make
 * us allocate without bound: exceeding it fails with DDCI_ENOMEM.
 *
 * Errors stick: after the first failed addition the others do nothing and
 * return the same error, so a run of additions can be checked once, at the
 * end, with ddci_buf_error() (each addition still returns it too).
 */
#ifndef DDCI_BUF_H
#define DDCI_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "ddci/error.h"

#define DDCI_BUF_DEFAULT_MAX ((size_t)64 << 20) /* 64 MiB */

struct ddci_buf {
	char *ptr;  /* NULL until something is added; then NUL-terminated */
	size_t len;
	size_t cap;
	size_t max; /* 0 = DDCI_BUF_DEFAULT_MAX */
	int err;    /* the first failed addition's error, or 0 */
};

#define DDCI_BUF_INIT { NULL, 0, 0, 0, 0 }

void ddci_buf_init(struct ddci_buf *b, size_t max);
int ddci_buf_add(struct ddci_buf *b, const void *data, size_t len);
int ddci_buf_adds(struct ddci_buf *b, const char *s);
int ddci_buf_addc(struct ddci_buf *b, char c);
int ddci_buf_addf(struct ddci_buf *b, const char *fmt, ...) DDCI_PRINTF(2, 3);
int ddci_buf_vaddf(struct ddci_buf *b, const char *fmt, va_list ap);
/* Appends s with JSON string escaping, without the surrounding quotes. */
int ddci_buf_add_json_escaped(struct ddci_buf *b, const char *s);
/* 0, or the error of the first addition that failed since the buffer was
 * initialised, reset or detached (its message was set then). */
int ddci_buf_error(const struct ddci_buf *b) DDCI_WUR;
/* Makes err (< 0) the buffer's error unless it already has one: for a
 * helper writing to b that failed on its own (an allocation of its own, a
 * refused argument), so the one check at the end still sees it.  Returns
 * the buffer's error. */
int ddci_buf_fail(struct ddci_buf *b, int err);
/* Contents as a C string: "" when empty (never NULL). */
const char *ddci_buf_str(const struct ddci_buf *b);
void ddci_buf_reset(struct ddci_buf *b); /* len = 0 and no error, memory kept */
/* Hands the memory to the caller (free()); the buffer is left empty. */
char *ddci_buf_detach(struct ddci_buf *b);
void ddci_buf_release(struct ddci_buf *b);

#endif
