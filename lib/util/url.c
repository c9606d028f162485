/* url.c — URLs parsed once (see ddci/url.h).
 *
 * git takes three forms: "scheme://[user-info@]host[:port]/path", the
 * scp-like "[user@]host:path" (a ':' before any '/'), and local paths.  The
 * parse keeps what identifies the repository and drops what authenticates:
 * user-info (a scp-like login is kept only when it is a plain name such as
 * "git"), and query parameters that carry tokens.
 */
#include "ddci/url.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_LOGIN 64

static char *dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* The ":" of "scheme://" when a scheme starts at s, else NULL. */
static const char *scheme_end(const char *s, const char *end)
{
	const char *p = s;

	if (p >= end || !isalpha((unsigned char)*p))
		return NULL;
	while (p < end && (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.'))
		p++;
	return end - p >= 3 && !memcmp(p, "://", 3) ? p : NULL;
}

static int host_char(int c)
{
	return isalnum(c) || c == '.' || c == '-' || c == '_';
}

/* Whether a host name (or [IPv6]) starts at p and is followed by one of
 * `after` or the end; *hend = its end. */
static int host_at(const char **hend, const char *p, const char *end, const char *after)
{
	const char *q = p;

	if (q < end && *q == '[') {
		q = memchr(q, ']', (size_t)(end - q));
		if (!q)
			return 0;
		q++;
	} else {
		while (q < end && host_char((unsigned char)*q))
			q++;
	}
	*hend = q;
	return q > p && (q == end || strchr(after, *q));
}

const char *ddci_url_userinfo_end(const char *auth, const char *end)
{
	const char *sep = auth, *at = NULL, *p, *hend;

	while (sep < end && *sep != '/' && *sep != '?' && *sep != '#')
		sep++;
	for (p = auth; p < sep; p++)
		if (*p == '@')
			at = p;
	if (at || !memchr(auth, ':', (size_t)(sep - auth)))
		return at;
	/* "user:pass" with a '/', '?' or '#' in the password: the user-info runs
	 * to the last '@' that a host follows.  (A "host:port/path@x" is read
	 * that way too: losing a path beats sending a password.) */
	for (p = end; p-- > sep;)
		if (*p == '@' && host_at(&hend, p + 1, end, ":/?#"))
			return p;
	return NULL;
}

/* Query parameters that carry credentials. */
static int token_key(const char *k, size_t n)
{
	static const char *const names[] = { "access_token", "private_token", "token", "oauth_token" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == n && !strncasecmp(k, names[i], n))
			return 1;
	return (n >= 6 && !strncasecmp(k + n - 6, "_token", 6)) ||
	       (n >= 8 && !strncasecmp(k + n - 8, "password", 8));
}

/* path?query#fragment with the token parameters left out. */
static char *filter_query(const char *path, size_t n)
{
	const char *q = memchr(path, '?', n), *end = path + n, *frag, *p, *amp, *eq;
	struct ddci_buf b = DDCI_BUF_INIT;
	int err, first = 1;

	if (!q)
		return dup_n(path, n);
	frag = memchr(q, '#', (size_t)(end - q));
	if (!frag)
		frag = end;
	err = ddci_buf_add(&b, path, (size_t)(q - path));
	for (p = q + 1; !err && p <= frag; p = amp + 1) {
		amp = memchr(p, '&', (size_t)(frag - p));
		if (!amp)
			amp = frag;
		eq = memchr(p, '=', (size_t)(amp - p));
		if (amp == p || token_key(p, (size_t)((eq ? eq : amp) - p)))
			continue;
		err = ddci_buf_addc(&b, first ? '?' : '&');
		if (!err)
			err = ddci_buf_add(&b, p, (size_t)(amp - p));
		first = 0;
	}
	if (!err)
		err = ddci_buf_add(&b, frag, (size_t)(end - frag));
	if (err) {
		ddci_buf_release(&b);
		return NULL;
	}
	return ddci_buf_detach(&b);
}

/* scheme://[user-info@]host[:port]rest */
static int parse_scheme(struct ddci_url *u, const char *s, const char *colon, const char *end)
{
	const char *auth = colon + 3, *at = ddci_url_userinfo_end(auth, end);
	const char *host = at ? at + 1 : auth, *aend = host + strcspn(host, "/?#"), *hend, *port = NULL;

	if (aend > end)
		aend = end;
	hend = aend;
	if (*host == '[') {
		const char *close = memchr(host, ']', (size_t)(aend - host));

		if (close) {
			hend = close + 1;
			if (hend < aend && *hend == ':')
				port = hend + 1;
		}
	} else {
		const char *c = memchr(host, ':', (size_t)(aend - host));

		if (c) {
			hend = c;
			port = c + 1;
		}
	}
	u->kind = DDCI_URL_SCHEME;
	u->scheme = dup_n(s, (size_t)(colon - s));
	u->host = dup_n(host, (size_t)(hend - host));
	if (port && port < aend)
		u->port = dup_n(port, (size_t)(aend - port));
	u->path = filter_query(aend, (size_t)(end - aend));
	if (!u->scheme || !u->host || !u->path || (port && port < aend && !u->port))
		return ddci_error_oom();
	return 0;
}

/* The '@' ending a scp-like URL's user-info: the last one that a host and
 * ':' follow, before the first '/' (or anywhere when a ':' comes before
 * that '/': "user:pa/ss@host:path"). */
static const char *scp_at(const char *s, const char *end)
{
	const char *slash = memchr(s, '/', (size_t)(end - s)), *hend;

	if (!slash)
		slash = end;
	for (const char *p = end; p-- > s;) {
		if (*p != '@' || !host_at(&hend, p + 1, end, ":") || hend == end)
			continue;
		if (p < slash || memchr(s, ':', (size_t)(slash - s)))
			return p;
	}
	return NULL;
}

/* A login worth keeping: a plain user name, no password with it. */
static int plain_login(const char *s, size_t n)
{
	if (n == 0 || n > MAX_LOGIN)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!host_char((unsigned char)s[i]))
			return 0;
	return 1;
}

/* [login@]host:path, or a local path. */
static int parse_other(struct ddci_url *u, const char *s, const char *end)
{
	const char *at = scp_at(s, end), *host = at ? at + 1 : s;
	const char *colon = memchr(host, ':', (size_t)(end - host));
	const char *slash = memchr(host, '/', (size_t)(end - host));

	if (!at && (!colon || (slash && slash < colon) || colon - s < 2)) {
		u->kind = DDCI_URL_LOCAL; /* no host, or a drive letter "C:" */
		u->path = dup_n(s, (size_t)(end - s));
		return u->path ? 0 : ddci_error_oom();
	}
	u->kind = DDCI_URL_SCP;
	if (at) { /* the login, without a password */
		size_t n = strcspn(s, ":");

		if (n > (size_t)(at - s))
			n = (size_t)(at - s);
		if (plain_login(s, n) && !(u->login = dup_n(s, n)))
			return ddci_error_oom();
	}
	u->host = dup_n(host, (size_t)(colon - host));
	u->path = dup_n(colon + 1, (size_t)(end - colon - 1));
	return u->host && u->path ? 0 : ddci_error_oom();
}

int ddci_url_parse(struct ddci_url *u, const char *text)
{
	const char *s = text ? text : "", *end, *colon;
	int err;

	memset(u, 0, sizeof(*u));
	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	u->clean = 1;
	for (const char *p = s; p < end; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			u->clean = 0;
	colon = scheme_end(s, end);
	err = colon ? parse_scheme(u, s, colon, end) : parse_other(u, s, end);
	if (err)
		ddci_url_release(u);
	return err;
}

void ddci_url_release(struct ddci_url *u)
{
	if (!u)
		return;
	free(u->scheme);
	free(u->login);
	free(u->host);
	free(u->port);
	free(u->path);
	memset(u, 0, sizeof(*u));
}

char *ddci_url_format(const struct ddci_url *u)
{
	struct ddci_buf b = DDCI_BUF_INIT;
	int err = 0;

	switch (u->kind) {
	case DDCI_URL_SCHEME:
		err = ddci_buf_addf(&b, "%s://%s%s%s%s", u->scheme, u->host, u->port ? ":" : "",
				    u->port ? u->port : "", u->path);
		break;
	case DDCI_URL_SCP:
		err = ddci_buf_addf(&b, "%s%s%s:%s", u->login ? u->login : "", u->login ? "@" : "", u->host,
				    u->path);
		break;
	default:
		err = ddci_buf_adds(&b, u->path ? u->path : "");
	}
	if (err) {
		ddci_buf_release(&b);
		return NULL;
	}
	return ddci_buf_detach(&b);
}

int ddci_url_is_repository(const struct ddci_url *u)
{
	if (!u->clean)
		return 0;
	if (u->kind == DDCI_URL_SCHEME)
		return *u->host != '\0';
	return u->kind == DDCI_URL_SCP && *u->host && *u->path;
}

char *ddci_redact_url(const char *url)
{
	struct ddci_url u;
	char *s;

	if (ddci_url_parse(&u, url) < 0)
		return NULL;
	s = ddci_url_format(&u);
	ddci_url_release(&u);
	return s;
}

static int default_port(const char *scheme, const char *port)
{
	static const struct {
		const char *scheme, *port;
	} defaults[] = { { "http", "80" },     { "https", "443" },   { "ssh", "22" },
			 { "git+ssh", "22" },  { "ssh+git", "22" },  { "git", "9418" } };

	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		if (!strcasecmp(defaults[i].scheme, scheme) && !strcmp(defaults[i].port, port))
			return 1;
	return 0;
}

/* Appends a path without trailing '/', a ".git" suffix, then '/' again. */
static int add_path(struct ddci_buf *b, const char *path, size_t len)
{
	while (len && path[len - 1] == '/')
		len--;
	if (len >= 4 && memcmp(path + len - 4, ".git", 4) == 0)
		len -= 4;
	while (len && path[len - 1] == '/')
		len--;
	return ddci_buf_add(b, path, len);
}

static int invalid(const struct ddci_url *u, const char *why)
{
	char *safe = ddci_url_format(u);
	int err = ddci_error_set(DDCI_EUSAGE, "invalid repository url '%s'%s", safe ? safe : "", why);

	free(safe);
	return err;
}

int ddci_url_repository_id(char **out, const struct ddci_url *u)
{
	struct ddci_buf b = DDCI_BUF_INIT;
	const char *path = u->path ? u->path : "";
	size_t plen = strlen(path);
	int err = 0;

	*out = NULL;
	if (u->kind == DDCI_URL_SCHEME) {
		if (!*u->host && strcasecmp(u->scheme, "file") != 0)
			return invalid(u, ": no host");
		plen = strcspn(path, "?#");
	}
	for (const char *h = u->host; h && *h && !err; h++)
		err = ddci_buf_addc(&b, (char)tolower((unsigned char)*h));
	if (!err && u->port && *u->port && !(u->scheme && default_port(u->scheme, u->port)))
		err = ddci_buf_addf(&b, ":%s", u->port);
	if (!err && u->host && *u->host && plen && *path != '/')
		err = ddci_buf_addc(&b, '/');
	if (!err)
		err = add_path(&b, path, plen);
	if (!err && b.len == 0) {
		ddci_buf_release(&b);
		return u->kind == DDCI_URL_LOCAL && !plen ? ddci_error_set(DDCI_EUSAGE, "empty repository url")
							  : invalid(u, "");
	}
	if (!err && !(*out = ddci_buf_detach(&b)))
		err = ddci_error_oom();
	ddci_buf_release(&b);
	return err < 0 ? err : 0;
}

int ddci_repository_id(char **out, const char *url)
{
	struct ddci_url u;
	int err;

	*out = NULL;
	if (!url || !*url)
		return ddci_error_set(DDCI_EUSAGE, "empty repository url");
	if ((err = ddci_url_parse(&u, url)) < 0)
		return err;
	err = ddci_url_repository_id(out, &u);
	ddci_url_release(&u);
	return err;
}

int ddci_url_escape(struct ddci_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	int rc = ddci_buf_add(b, "", 0);

	for (const unsigned char *p = (const unsigned char *)s; !rc && p && *p; p++) {
		unsigned char c = *p;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
		    c == '.' || c == '_' || c == '~') {
			rc = ddci_buf_addc(b, (char)c);
		} else {
			char e[3] = { '%', hex[c >> 4], hex[c & 15] };

			rc = ddci_buf_add(b, e, sizeof(e));
		}
	}
	return rc;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* s[0..n) percent-decoded into b (emptied first), '+' a space; a '%' not
 * followed by two hex digits stays. */
static void add_decoded(struct ddci_buf *b, const char *s, size_t n)
{
	const char *end = s + n;

	ddci_buf_reset(b);
	for (const char *p = s; p < end; p++) {
		char c = *p;

		if (c == '%' && end - p >= 3 && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
			c = (char)(hexval(p[1]) * 16 + hexval(p[2]));
			p += 2;
		} else if (c == '+') {
			c = ' ';
		}
		ddci_buf_addc(b, c);
	}
}

int ddci_url_query_value(char **out, const char *url, const char *name)
{
	struct ddci_buf b = DDCI_BUF_INIT;
	const char *k, *eq;
	int rc = 0;

	*out = NULL;
	for (const char *p = strchr(url, '?'); p; p = strchr(p + 1, '&')) {
		k = p + 1;
		eq = k + strcspn(k, "=&#");
		if (*eq != '=')
			continue;
		add_decoded(&b, k, (size_t)(eq - k));
		if ((rc = ddci_buf_error(&b)) < 0)
			break;
		if (strcmp(ddci_buf_str(&b), name) != 0)
			continue;
		add_decoded(&b, eq + 1, strcspn(eq + 1, "&#"));
		if ((rc = ddci_buf_error(&b)) == 0 && b.len)
			*out = ddci_buf_detach(&b);
		break;
	}
	ddci_buf_release(&b);
	return rc;
}

int ddci_host_is_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (!strcasecmp(host, "localhost") || !strcasecmp(host, "localhost."))
		return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return 0;
}

void ddci_url_host_key(char *buf, size_t size, const char *url)
{
	const char *p = strstr(url, "://"), *end, *at;
	size_t n = 0;

	p = p ? p + 3 : url;
	end = p + strcspn(p, "/?#");
	at = memchr(p, '@', (size_t)(end - p));
	while (at) { /* the last '@' ends the user-info */
		p = at + 1;
		at = memchr(p, '@', (size_t)(end - p));
	}
	for (; p < end && n + 1 < size && n < 100; p++, n++) {
		char c = *p;

		buf[n] = ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
			  c == '-') ? c : '_';
	}
	buf[n] = '\0';
}
