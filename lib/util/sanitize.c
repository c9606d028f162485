/* sanitize.c — strings from data made safe for the channel they reach (see
 * ddci/sanitize.h).  One pass over the UTF-8 code points; each channel says
 * what a code point becomes. */
#include "ddci/sanitize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REPL "\xef\xbf\xbd"    /* U+FFFD */
#define FWCOLON "\xef\xbc\x9a" /* U+FF1A, a ':' no CI runner reads */

struct san {
	struct ddci_buf *out;
	enum ddci_chan ch;
	int blank;    /* only blanks so far on this line (or cell) */
	int pct;      /* Mermaid: the last character written was '%' */
};

/* The code point at s and its length; -1 for a byte that starts no valid
 * UTF-8 character (overlong, surrogate, past U+10FFFF, cut short): length 1. */
static size_t decode(const unsigned char *s, long *cp)
{
	unsigned c = s[0];
	size_t n;
	long v, min;

	*cp = -1;
	if (c < 0x80) {
		*cp = (long)c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2, v = c & 0x1f, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3, v = c & 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4, v = c & 0x07, min = 0x10000;
	} else {
		return 1;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) /* also stops at the NUL */
			return 1;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 1;
	*cp = v;
	return n;
}

static int is_control(long cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

/* Blanks a CI runner trims before looking for "::" (Unicode White_Space,
 * zero-width space and BOM). */
static int is_blank(long cp)
{
	return cp == ' ' || cp == '\t' || cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200b) ||
	       cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000 || cp == 0xfeff;
}

/* Terminal text (TEXT, LINES): returns how many bytes of p were used. */
static size_t put_term(struct san *st, const char *p, size_t n, long cp, int *rc)
{
	static const char *const markers[] = { "section_start:", "section_end:" };

	if (cp == '\n' || cp == '\t') {
		if (st->ch == DDCI_CHAN_LINES && cp == '\n')
			st->blank = 1;
		*rc = ddci_buf_addc(st->out, st->ch == DDCI_CHAN_LINES ? (char)cp : ' ');
		return n;
	}
	if (is_control(cp)) {
		st->blank = 0;
		*rc = ddci_buf_adds(st->out, REPL);
		return n;
	}
	if (st->blank && cp == ':' && p[1] == ':') {
		st->blank = 0;
		*rc = ddci_buf_adds(st->out, FWCOLON);
		return n;
	}
	for (size_t i = 0; i < 2; i++) {
		size_t len = strlen(markers[i]);
		if (!strncmp(p, markers[i], len)) {
			st->blank = 0;
			if ((*rc = ddci_buf_add(st->out, p, len - 1)) == 0)
				*rc = ddci_buf_adds(st->out, FWCOLON);
			return len;
		}
	}
	if (!is_blank(cp))
		st->blank = 0;
	*rc = ddci_buf_add(st->out, p, n);
	return n;
}

/* Markdown inline text and table cells. */
static int put_md(struct san *st, const char *p, size_t n, long cp)
{
	int first = st->blank;

	if (!is_blank(cp))
		st->blank = 0;
	switch (cp) {
	case '\n': return ddci_buf_adds(st->out, "<br>");
	case '\t': return ddci_buf_addc(st->out, ' ');
	case '\\': return ddci_buf_adds(st->out, "\\\\");
	case '|': return ddci_buf_adds(st->out, "\\|");
	case '[': return ddci_buf_adds(st->out, "\\[");
	case ']': return ddci_buf_adds(st->out, "\\]");
	case '<': return ddci_buf_adds(st->out, "&lt;");
	case '>': return ddci_buf_adds(st->out, "&gt;");
	case '&': return ddci_buf_adds(st->out, "&amp;");
	case '`': return ddci_buf_adds(st->out, "&#96;");
	case '#': return ddci_buf_adds(st->out, first ? "\\#" : "#");
	}
	return is_control(cp) ? ddci_buf_adds(st->out, REPL) : ddci_buf_add(st->out, p, n);
}

/* HTML and XML text and attribute values. */
static int put_markup(struct san *st, const char *p, size_t n, long cp)
{
	int xml = st->ch == DDCI_CHAN_XML;

	switch (cp) {
	case '&': return ddci_buf_adds(st->out, "&amp;");
	case '<': return ddci_buf_adds(st->out, "&lt;");
	case '>': return ddci_buf_adds(st->out, "&gt;");
	case '"': return ddci_buf_adds(st->out, "&quot;");
	case '\'': return ddci_buf_adds(st->out, xml ? "&apos;" : "&#39;");
	case '\n': return xml ? ddci_buf_adds(st->out, "&#10;") : ddci_buf_addc(st->out, '\n');
	case '\t': return xml ? ddci_buf_adds(st->out, "&#9;") : ddci_buf_addc(st->out, '\t');
	}
	return is_control(cp) ? ddci_buf_adds(st->out, REPL) : ddci_buf_add(st->out, p, n);
}

static int put_other(struct san *st, const char *p, size_t n, long cp)
{
	int pct = st->pct;

	st->pct = 0;
	switch (st->ch) {
	case DDCI_CHAN_MERMAID:
		if (cp == '"' || cp == '`')
			return ddci_buf_addc(st->out, '\'');
		if (cp == '\n' || cp == '\t')
			return ddci_buf_addc(st->out, ' ');
		if (cp == '%') {
			st->pct = 1;
			return pct ? 0 : ddci_buf_addc(st->out, '%');
		}
		break;
	case DDCI_CHAN_JSON:
		if (cp == '\n' || cp == '\t')
			return ddci_buf_addc(st->out, (char)cp);
		if (is_control(cp)) {
			char esc[16];
			snprintf(esc, sizeof(esc), "\\u%04lx", (unsigned long)cp);
			return ddci_buf_adds(st->out, esc);
		}
		break;
	default: /* DOC */
		if (cp == '\n' || cp == '\t')
			return ddci_buf_addc(st->out, (char)cp);
		break;
	}
	return is_control(cp) ? ddci_buf_adds(st->out, REPL) : ddci_buf_add(st->out, p, n);
}

int ddci_san_add(struct ddci_buf *out, const char *s, enum ddci_chan ch)
{
	struct san st = { out, ch, 1, 0 };
	int rc = ddci_buf_add(out, "", 0); /* "" stays a string */

	for (const char *p = s ? s : ""; *p && rc == 0;) {
		long cp;
		size_t n = decode((const unsigned char *)p, &cp);

		if (cp < 0 || cp == 0xfffe || cp == 0xffff) {
			st.blank = st.pct = 0;
			rc = ddci_buf_adds(out, REPL);
		} else if (ch == DDCI_CHAN_TEXT || ch == DDCI_CHAN_LINES) {
			n = put_term(&st, p, n, cp, &rc);
		} else if (ch == DDCI_CHAN_MD) {
			rc = put_md(&st, p, n, cp);
		} else if (ch == DDCI_CHAN_HTML || ch == DDCI_CHAN_XML) {
			rc = put_markup(&st, p, n, cp);
		} else {
			rc = put_other(&st, p, n, cp);
		}
		p += n;
	}
	return rc < 0 ? rc : 0;
}

char *ddci_san_dup(const char *s, enum ddci_chan ch)
{
	struct ddci_buf b = DDCI_BUF_INIT;

	if (ddci_san_add(&b, s, ch) < 0) {
		ddci_buf_release(&b);
		return NULL;
	}
	return ddci_buf_detach(&b);
}

int ddci_san_check_id(const char *id, const char *what)
{
	size_t n = id ? strlen(id) : 0;
	int ok = n >= 16 && n <= 128 && id[0] != ':';

	for (size_t i = 0; ok && i < n; i++) {
		char c = id[i];
		ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
		     c == '_' || c == '.' || c == ':';
	}
	if (ok)
		return 0;
	return ddci_error_set(DDCI_EPROTO,
			      "unexpected response from Datadog: %s is not an id (16 to 128 letters, digits, - _ . :)",
			      what);
}
