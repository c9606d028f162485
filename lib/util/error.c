/* error.c — the last error message and request id (see ddci/error.h). */
#include "ddci/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MSG_MAX 1024

static _Thread_local char msg[MSG_MAX];
static _Thread_local char request_id[128];

/* Formats into dst (MSG_MAX bytes): "" if the format fails.  Both setters
 * format into a temporary first: the arguments may point at msg. */
static void vformat(char *dst, const char *fmt, va_list ap) DDCI_PRINTF(2, 0);
static void vformat(char *dst, const char *fmt, va_list ap)
{
	if (vsnprintf(dst, MSG_MAX, fmt, ap) < 0)
		dst[0] = '\0';
}

int ddci_error_set(int code, const char *fmt, ...)
{
	char tmp[MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vformat(tmp, fmt, ap);
	va_end(ap);
	memcpy(msg, tmp, sizeof(msg));
	return code;
}

int ddci_error_wrap(int code, const char *fmt, ...)
{
	char ctx[MSG_MAX];
	char tmp[MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vformat(ctx, fmt, ap);
	va_end(ap);
	if (msg[0] && ctx[0]) {
		size_t n = strlen(ctx);

		if (n > sizeof(tmp) - 3)
			n = sizeof(tmp) - 3;
		memcpy(tmp, ctx, n);
		memcpy(tmp + n, ": ", 2);
		n += 2;
		/* msg is NUL-terminated within MSG_MAX; truncate to fit. */
		memcpy(tmp + n, msg, sizeof(tmp) - n - 1);
		tmp[sizeof(tmp) - 1] = '\0';
	} else {
		memcpy(tmp, msg[0] ? msg : ctx, sizeof(tmp));
	}
	memcpy(msg, tmp, sizeof(msg));
	return code;
}

const char *ddci_error_last(void)
{
	return msg;
}

void ddci_error_clear(void)
{
	msg[0] = '\0';
	request_id[0] = '\0';
}

const char *ddci_error_request_id(void)
{
	return request_id;
}

void ddci_error_set_request_id(const char *id)
{
	snprintf(request_id, sizeof(request_id), "%s", id ? id : "");
}

enum ddci_exit ddci_exit_code(int err)
{
	if (err > 0)
		return DDCI_EXIT_GATE;
	switch (err) {
	case DDCI_OK:
		return DDCI_EXIT_OK;
	case DDCI_EUNAVAIL:
	case DDCI_EPROTO:
		return DDCI_EXIT_UNAVAIL;
	case DDCI_EREJECT:
		return DDCI_EXIT_REJECT;
	default: /* EUSAGE, ENOMEM, EIO, EGIT and anything unknown */
		return DDCI_EXIT_USAGE;
	}
}
