/* channel_check.h — what "safe for its channel" means, as checks shared by
 * test_sanitize.c and tests/fuzz/fuzz_sanitize.c (sanitize.h's promises).
 * Each returns 1 when s keeps the channel's grammar, else 0.  Include after
 * <string.h>. */
#ifndef DDCI_TEST_CHANNEL_CHECK_H
#define DDCI_TEST_CHANNEL_CHECK_H

/* The code point at s and its length; -1 when s starts no valid UTF-8. */
static long cc_decode(const unsigned char *s, size_t *len)
{
	unsigned c = s[0];
	size_t n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
	long v = n == 1 ? (long)c : n == 2 ? (long)(c & 0x1f) : n == 3 ? (long)(c & 0x0f) : (long)(c & 0x07);
	static const long min[] = { 0, 0, 0x80, 0x800, 0x10000 };

	*len = 1;
	if (!n)
		return -1;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min[n] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return -1;
	*len = n;
	return v;
}

/* Valid UTF-8, no surrogate, no U+FFFE/U+FFFF, and no control character
 * other than those in `allowed`. */
static int cc_text_ok(const char *s, const char *allowed)
{
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t n;
		long cp = cc_decode(p, &n);

		if (cp < 0 || cp == 0xfffe || cp == 0xffff)
			return 0;
		if ((cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) && !(cp < 0x80 && strchr(allowed, (int)cp)))
			return 0;
		p += n;
	}
	return 1;
}

/* No line a CI runner would act on: none starting with "::" after blanks
 * (ASCII and Unicode), no GitLab section marker, no ESC or \r at all. */
static int cc_log_ok(const char *s)
{
	const char *line = s;

	if (strchr(s, '\033') || strchr(s, '\r') || strstr(s, "section_start:") || strstr(s, "section_end:"))
		return 0;
	while (line) {
		const unsigned char *p = (const unsigned char *)line;
		for (;;) {
			size_t n;
			long cp = cc_decode(p, &n);
			if (!(cp == ' ' || cp == '\t' || cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200b) ||
			      cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000 || cp == 0xfeff))
				break;
			p += n;
		}
		if (p[0] == ':' && p[1] == ':')
			return 0;
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return 1;
}

/* A Markdown table cell: one line, no cell break (a '|' after an even run
 * of backslashes), no HTML but <br>, no code span, link or heading. */
static int cc_md_cell_ok(const char *s)
{
	size_t bs = 0;

	if (!cc_text_ok(s, "") || s[0] == '#')
		return 0;
	for (const char *p = s; *p; p++) {
		if (!strncmp(p, "<br>", 4)) {
			p += 3;
			bs = 0;
			continue;
		}
		if (strchr("|[]", *p) && bs % 2 == 0)
			return 0;
		if (strchr("<>`", *p))
			return 0;
		bs = *p == '\\' ? bs + 1 : 0;
	}
	return 1;
}

/* Inside a Mermaid "quoted" label: no quote, backtick, "%%" or newline. */
static int cc_mermaid_ok(const char *s)
{
	return cc_text_ok(s, "") && !strpbrk(s, "\"`") && !strstr(s, "%%");
}

/* HTML/XML text or attribute: no markup character, '&' only as an entity. */
static int cc_markup_ok(const char *s, int xml)
{
	if (!cc_text_ok(s, xml ? "" : "\n\t") || strpbrk(s, "<>\"'"))
		return 0;
	for (const char *p = strchr(s, '&'); p; p = strchr(p + 1, '&')) {
		const char *semi = strchr(p, ';');
		if (!semi || semi - p > 6 || strspn(p + 1, "#abcdefghijklmnopqrstuvwxyz0123456789") != (size_t)(semi - p - 1))
			return 0;
	}
	return 1;
}

#endif
