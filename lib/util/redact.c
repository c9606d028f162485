/* redact.c — keeping secrets out of everything we print or send (see
 * ddci/redact.h).  User-info is only ever looked for in a URL's authority
 * (between "://" and the next '/', '?' or '#'), so an '@' in a path is
 * left alone; the last '@' there ends it, so "u:p@ss@host" loses "u:p@ss". */
#include "ddci/redact.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ddci/buf.h"

static char **secrets; /* longest first, so a longer secret wins */
static size_t nsecrets;
static int lost;       /* a registration failed: refuse to redact */

/* Returns the "://" of a URL whose scheme starts at s, or NULL. */
static const char *scheme_sep(const char *s)
{
	const char *p = s;

	if (!isalpha((unsigned char)*p))
		return NULL;
	while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.')
		p++;
	return strncmp(p, "://", 3) == 0 ? p : NULL;
}

/* The last '@' in [s, end), or NULL. */
static const char *last_at(const char *s, const char *end)
{
	const char *at = NULL;

	for (; s < end; s++)
		if (*s == '@')
			at = s;
	return at;
}

/* For scp-like "user@host:path": the '@' ending the user-info (the last
 * '@' before the first '/' that still has a ':' after it), or NULL. */
static const char *scp_at(const char *url)
{
	const char *limit = url + strcspn(url, "/");
	const char *p;

	for (p = limit; p > url; p--) {
		if (p[-1] == '@' && memchr(p, ':', (size_t)(limit - p)))
			return p - 1;
	}
	return NULL;
}

static char *concat(const char *a, size_t alen, const char *b)
{
	size_t blen = strlen(b);
	char *s = malloc(alen + blen + 1);

	if (!s)
		return NULL;
	memcpy(s, a, alen);
	memcpy(s + alen, b, blen + 1);
	return s;
}

char *ddci_redact_url(const char *url)
{
	const char *sep, *auth, *at;

	if (!url)
		return strdup("");
	sep = scheme_sep(url);
	if (sep) {
		auth = sep + 3;
		at = last_at(auth, auth + strcspn(auth, "/?#"));
		if (at)
			return concat(url, (size_t)(auth - url), at + 1);
		return strdup(url);
	}
	at = scp_at(url);
	if (at) {
		const char *colon = memchr(url, ':', (size_t)(at - url));

		if (colon)
			return concat(url, (size_t)(colon - url), at);
	}
	return strdup(url);
}

static int default_port(const char *scheme, size_t slen, const char *port, size_t plen)
{
	static const struct {
		const char *scheme, *port;
	} defaults[] = { { "http", "80" },     { "https", "443" },   { "ssh", "22" },
			 { "git+ssh", "22" },  { "ssh+git", "22" },  { "git", "9418" } };
	size_t i;

	for (i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
		if (strlen(defaults[i].scheme) == slen &&
		    strncasecmp(defaults[i].scheme, scheme, slen) == 0 &&
		    strlen(defaults[i].port) == plen && memcmp(defaults[i].port, port, plen) == 0)
			return 1;
	}
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

static int add_lower(struct ddci_buf *b, const char *s, size_t len)
{
	int err = 0;
	size_t i;

	for (i = 0; i < len && !err; i++)
		err = ddci_buf_addc(b, (char)tolower((unsigned char)s[i]));
	return err;
}

int ddci_repository_id(char **out, const char *url)
{
	struct ddci_buf b = DDCI_BUF_INIT;
	const char *sep, *host, *hend, *port = NULL, *pend = NULL, *path;
	char *safe = NULL;
	int err = 0;

	*out = NULL;
	if (!url || !*url)
		return ddci_error_set(DDCI_EUSAGE, "empty repository url");
	sep = scheme_sep(url);
	if (sep) {
		const char *auth = sep + 3;
		const char *aend = auth + strcspn(auth, "/?#");
		const char *at = last_at(auth, aend);

		host = at ? at + 1 : auth;
		hend = aend;
		if (*host == '[') { /* IPv6 literal */
			const char *close = memchr(host, ']', (size_t)(aend - host));

			if (close && close + 1 < aend && close[1] == ':')
				port = close + 2;
			if (close)
				hend = close + 1;
		} else {
			const char *colon = memchr(host, ':', (size_t)(aend - host));

			if (colon) {
				hend = colon;
				port = colon + 1;
			}
		}
		if (port) {
			pend = aend;
			if (port == pend || default_port(url, (size_t)(sep - url), port, (size_t)(pend - port)))
				port = NULL;
		}
		path = aend;
		if (host == hend && strncasecmp(url, "file", 4) != 0) {
			safe = ddci_redact_url(url);
			err = ddci_error_set(DDCI_EUSAGE, "invalid repository url '%s': no host",
					     safe ? safe : "");
			goto done;
		}
	} else if (scp_at(url) || (strchr(url, ':') && strcspn(url, ":") < strcspn(url, "/") &&
				   strcspn(url, ":") > 1)) {
		/* scp-like [user@]host:path (a one-letter "host" is a drive letter). */
		const char *at = scp_at(url);

		host = at ? at + 1 : url;
		hend = strchr(host, ':');
		path = hend + 1;
	} else {
		/* A local path: use it as it is, tidied. */
		host = hend = url;
		path = url;
	}
	err = add_lower(&b, host, (size_t)(hend - host));
	if (!err && port) {
		err = ddci_buf_addc(&b, ':');
		if (!err)
			err = ddci_buf_add(&b, port, (size_t)(pend - port));
	}
	if (!err && host != hend && *path && *path != '/' && *path != '?' && *path != '#')
		err = ddci_buf_addc(&b, '/');
	if (!err)
		err = add_path(&b, path, strcspn(path, sep ? "?#" : ""));
	if (err)
		goto done;
	if (b.len == 0) {
		safe = ddci_redact_url(url);
		err = ddci_error_set(DDCI_EUSAGE, "invalid repository url '%s'", safe ? safe : "");
		goto done;
	}
	*out = ddci_buf_detach(&b);
	if (!*out)
		err = ddci_error_set(DDCI_ENOMEM, "out of memory");
done:
	free(safe);
	ddci_buf_release(&b);
	return err;
}

void ddci_redact_register(const char *secret)
{
	size_t len, i, j;
	char **grown;
	char *copy;

	if (!secret || (len = strlen(secret)) < 4)
		return;
	for (i = 0; i < nsecrets; i++)
		if (strcmp(secrets[i], secret) == 0)
			return;
	grown = realloc(secrets, (nsecrets + 1) * sizeof(*secrets));
	if (grown)
		secrets = grown;
	copy = strdup(secret);
	if (!grown || !copy) {
		free(copy);
		lost = 1;
		return;
	}
	for (i = 0; i < nsecrets && strlen(secrets[i]) >= len; i++)
		;
	for (j = nsecrets; j > i; j--)
		secrets[j] = secrets[j - 1];
	secrets[i] = copy;
	nsecrets++;
}

void ddci_redact_clear(void)
{
	size_t i;

	for (i = 0; i < nsecrets; i++) {
		explicit_bzero(secrets[i], strlen(secrets[i]));
		free(secrets[i]);
	}
	free(secrets);
	secrets = NULL;
	nsecrets = 0;
	lost = 0;
}

/* Length of the secret starting at p, or 0. */
static size_t secret_at(const char *p)
{
	size_t i;

	for (i = 0; i < nsecrets; i++) {
		size_t n = strlen(secrets[i]);

		if (*p == secrets[i][0] && strncmp(p, secrets[i], n) == 0)
			return n;
	}
	return 0;
}

char *ddci_redact_text(const char *text)
{
	struct ddci_buf b = DDCI_BUF_INIT;
	const char *p, *run;
	int err = 0;

	if (lost)
		return NULL; /* we might not know every secret: print nothing */
	if (!text)
		return strdup("");
	for (p = run = text; *p && !err;) {
		const char *skip_to = NULL;
		size_t n;

		if (p[0] == ':' && p[1] == '/' && p[2] == '/') {
			const char *auth = p + 3;
			const char *at = last_at(auth, auth + strcspn(auth, "/?# \t\r\n\"'<>`"));

			if (at) {
				err = ddci_buf_add(&b, run, (size_t)(auth - run));
				skip_to = at + 1;
			}
		} else if ((n = secret_at(p)) != 0) {
			err = ddci_buf_add(&b, run, (size_t)(p - run));
			if (!err)
				err = ddci_buf_adds(&b, "***");
			skip_to = p + n;
		}
		if (skip_to)
			p = run = skip_to;
		else
			p++;
	}
	if (!err)
		err = ddci_buf_add(&b, run, (size_t)(p - run));
	if (err) {
		ddci_buf_release(&b);
		return NULL;
	}
	return ddci_buf_detach(&b);
}
