/* buf.c — the growable, size-limited byte buffer (see ddci/buf.h). */
#include "ddci/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t limit(const struct ddci_buf *b)
{
	return b->max ? b->max : DDCI_BUF_DEFAULT_MAX;
}

/* The first error sticks: later additions do nothing and return it. */
static int fail(struct ddci_buf *b, int err)
{
	b->err = err;
	return err;
}

/* Makes room for `extra` more bytes plus the NUL. */
static int grow(struct ddci_buf *b, size_t extra)
{
	size_t max = limit(b);
	size_t need, cap;
	char *p;

	if (b->err)
		return b->err;
	if (extra > max || b->len > max - extra)
		return fail(b, ddci_error_set(DDCI_ENOMEM, "data larger than %zu bytes", max));
	need = b->len + extra + 1;
	if (b->ptr && need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if (cap > max + 1)
		cap = max + 1;
	p = realloc(b->ptr, cap);
	if (!p)
		return fail(b, ddci_error_set(DDCI_ENOMEM, "out of memory (%zu bytes)", cap));
	b->ptr = p;
	b->cap = cap;
	return 0;
}

void ddci_buf_init(struct ddci_buf *b, size_t max)
{
	b->ptr = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
	b->err = 0;
}

int ddci_buf_add(struct ddci_buf *b, const void *data, size_t len)
{
	const char *d = data;
	int inside = b->ptr && d >= b->ptr && d < b->ptr + b->cap;
	size_t off = inside ? (size_t)(d - b->ptr) : 0;
	int err = grow(b, len);

	if (err)
		return err;
	if (inside) /* adding part of ourselves: grow() may have moved it */
		data = b->ptr + off;
	if (len)
		memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
	return 0;
}

int ddci_buf_adds(struct ddci_buf *b, const char *s)
{
	return ddci_buf_add(b, s ? s : "", s ? strlen(s) : 0);
}

int ddci_buf_addc(struct ddci_buf *b, char c)
{
	return ddci_buf_add(b, &c, 1);
}

/* Formats into the room left; vsnprintf's count (< 0 on error). */
static int format_in_room(struct ddci_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(b->ptr + b->len, b->cap - b->len, fmt, cp);
	va_end(cp);
	if (n < 0)
		b->ptr[b->len] = '\0';
	return n;
}

int ddci_buf_vaddf(struct ddci_buf *b, const char *fmt, va_list ap)
{
	int n, err;

	err = grow(b, 0);
	if (err)
		return err;
	n = format_in_room(b, fmt, ap);
	if (n >= 0 && (size_t)n >= b->cap - b->len) {
		err = grow(b, (size_t)n);
		if (err) {
			b->ptr[b->len] = '\0';
			return err;
		}
		n = format_in_room(b, fmt, ap);
	}
	if (n < 0)
		return fail(b, ddci_error_set(DDCI_EIO, "cannot format '%s'", fmt));
	b->len += (size_t)n;
	return 0;
}

int ddci_buf_addf(struct ddci_buf *b, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = ddci_buf_vaddf(b, fmt, ap);
	va_end(ap);
	return err;
}

int ddci_buf_add_json_escaped(struct ddci_buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	const unsigned char *run = p;
	int err = 0;

	/* Copy runs of plain bytes at once; escape the rest. */
	for (; *p; p++) {
		char esc[7];
		size_t n = 2;

		if (*p >= 0x20 && *p != '"' && *p != '\\')
			continue;
		esc[0] = '\\';
		switch (*p) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[*p >> 4];
			esc[5] = hex[*p & 15];
			n = 6;
		}
		err = ddci_buf_add(b, run, (size_t)(p - run));
		if (!err)
			err = ddci_buf_add(b, esc, n);
		if (err)
			return err;
		run = p + 1;
	}
	return ddci_buf_add(b, run, (size_t)(p - run));
}

int ddci_buf_fail(struct ddci_buf *b, int err)
{
	if (!b->err && err < 0)
		b->err = err;
	return b->err;
}

const char *ddci_buf_str(const struct ddci_buf *b)
{
	return b->ptr ? b->ptr : "";
}

int ddci_buf_error(const struct ddci_buf *b)
{
	return b->err;
}

void ddci_buf_reset(struct ddci_buf *b)
{
	b->len = 0;
	b->err = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
}

char *ddci_buf_detach(struct ddci_buf *b)
{
	char *p = b->ptr;

	if (!p)
		p = calloc(1, 1);
	b->ptr = NULL;
	b->len = 0;
	b->cap = 0;
	b->err = 0;
	return p;
}

void ddci_buf_release(struct ddci_buf *b)
{
	if (!b)
		return;
	free(b->ptr);
	b->ptr = NULL;
	b->len = 0;
	b->cap = 0;
	b->err = 0;
}
