/* url.h — URLs, parsed once: git remote URLs (scheme://, scp-like, local
 * paths), escaping for request paths, loopback hosts.
 *
 * A URL is parsed into a struct that has no field for credentials: user-info
 * and token-carrying query parameters are dropped while parsing, so whatever
 * is printed or sent from the struct cannot carry them.
 */
#ifndef DDCI_URL_H
#define DDCI_URL_H

#include <stddef.h>

#include "ddci/buf.h"
#include "ddci/error.h"

enum ddci_url_kind {
	DDCI_URL_LOCAL = 0, /* a path: "/srv/git/repo.git", "../repo" */
	DDCI_URL_SCHEME,    /* "https://host:port/path?query#fragment" */
	DDCI_URL_SCP        /* "[login@]host:path", git's scp-like form */
};

struct ddci_url {
	enum ddci_url_kind kind;
	char *scheme; /* as written, SCHEME only */
	char *login;  /* SCP only: a plain ssh login such as "git", never a password */
	char *host;   /* "[::1]" keeps its brackets; "" for file:///x */
	char *port;   /* NULL when none */
	char *path;   /* the rest, token parameters dropped from the query */
	int clean;    /* no white space or control character inside */
};

#define DDCI_URL_INIT { DDCI_URL_LOCAL, NULL, NULL, NULL, NULL, NULL, 0 }

/* Parses `text` (white space around it ignored).  The user-info of a
 * scheme URL ends at the last '@' of the authority; a password holding '/',
 * '?' or '#' is recognised too ("user:a/b@host/x").  Query parameters named
 * access_token, private_token, token, oauth_token, or ending in "_token" or
 * "password", are dropped.  0 or DDCI_ENOMEM. */
int ddci_url_parse(struct ddci_url *out, const char *text) DDCI_WUR;
void ddci_url_release(struct ddci_url *u);

/* The URL as it is printed and sent: malloc'd, NULL on allocation failure. */
char *ddci_url_format(const struct ddci_url *u);

/* Whether it reads as a repository URL git would take: scheme://host/..., or
 * [login@]host:path, with no white space or control characters. */
int ddci_url_is_repository(const struct ddci_url *u);

/* Datadog's repository id: `github.com/org/repo` (host lowercased, no
 * default port, no `.git`, no trailing slash, no query). */
int ddci_url_repository_id(char **out, const struct ddci_url *u) DDCI_WUR;

/* Shorthands: parse, then format / repository id. */
char *ddci_redact_url(const char *url);
int ddci_repository_id(char **out, const char *url) DDCI_WUR;

/* In free text: the end of the user-info of the authority [auth, end)
 * (the '@'), or NULL when there is none. */
const char *ddci_url_userinfo_end(const char *auth, const char *end);

/* Percent-escapes everything but RFC 3986 unreserved characters. */
int ddci_url_escape(struct ddci_buf *b, const char *s) DDCI_WUR;
/* The value of the first query parameter of `url` whose name decodes to
 * `name` ("page[cursor]" matches page%5Bcursor%5D too), percent-decoded
 * with '+' a space: *out malloc'd, or NULL when there is none or it is
 * empty. */
int ddci_url_query_value(char **out, const char *url, const char *name) DDCI_WUR;

/* host[:port] of a URL as a file-name-safe key: user-info dropped,
 * anything but [A-Za-z0-9.-] made '_', at most 100 bytes. */
void ddci_url_host_key(char *buf, size_t size, const char *url);

/* localhost, 127.0.0.0/8 or ::1. */
int ddci_host_is_loopback(const char *host);

#endif
