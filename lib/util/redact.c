/* redact.c — keeping secrets out of everything we print (see
 * ddci/redact.h).  In free text, a URL's user-info is found the way url.c
 * finds it (ddci_url_userinfo_end), so an '@' in a path is left alone and
 * "u:p@ss@host" loses "u:p@ss". */
#include "ddci/redact.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ddci/buf.h"
#include "ddci/url.h"
#include "ddci/wipe.h"

static char **secrets; /* longest first, so a longer secret wins */
static size_t nsecrets;
static int lost;       /* a registration failed: refuse to redact */

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
		ddci_wipe_str(secrets[i]);
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

/* Masks registered secrets, and URL user-info too when `urls` is set. */
static char *redact(const char *text, int urls)
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

		if (urls && p[0] == ':' && p[1] == '/' && p[2] == '/') {
			const char *auth = p + 3;
			const char *at = ddci_url_userinfo_end(auth, auth + strcspn(auth, " \t\r\n\"'<>`"));

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

char *ddci_redact_text(const char *text)
{
	return redact(text, 1);
}

char *ddci_redact_keys(const char *text)
{
	return redact(text, 0);
}
