/* endpoint.c — rate-limit families and key needs of Datadog's endpoints
 * (see ddci/endpoint.h).
 */
#include "ddci/endpoint.h"

#include <stdio.h>
#include <string.h>

#include "ddci/client.h"

void ddci_endpoint_family(char *buf, size_t size, const char *path)
{
	static const struct {
		const char *part, *name;
	} known[] = {
		{ "/dora/", DDCI_FAMILY_DORA },
		{ "/flaky-test-management", DDCI_FAMILY_FLAKY },
		{ "/ci/tests", DDCI_FAMILY_TESTS },
		{ "/synthetics/", DDCI_FAMILY_SYNTHETICS },
		{ "/cases", DDCI_FAMILY_CASES },
	};
	size_t len, n = 0;
	const char *seg;

	len = strcspn(path, "?#");
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		const char *at = strstr(path, known[i].part);

		if (at && (size_t)(at - path) < len) {
			snprintf(buf, size, "%s", known[i].name);
			return;
		}
	}
	seg = path;
	if (!strncmp(seg, "/api/v", 6)) {
		seg += 6;
		while (*seg >= '0' && *seg <= '9')
			seg++;
	}
	while (*seg == '/')
		seg++;
	while (n + 1 < size && n < 32 && seg[n] && seg[n] != '/' && seg[n] != '?' && seg[n] != '#') {
		char c = seg[n];

		buf[n] = ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') ? c : '_';
		n++;
	}
	if (n == 0)
		snprintf(buf, size, "other");
	else
		buf[n] = '\0';
}

void ddci_endpoint_classify(char *family, size_t size, unsigned *flags, const char *method, const char *path)
{
	ddci_endpoint_family(family, size, path);
	*flags = DDCI_CALL_RETRY;
	/* Events are POSTed with the API key; a change failure is a PATCH of
	 * /api/v2/dora/deployments/{id}, which needs the application key. */
	if (strcmp(method, "POST") != 0 || strncmp(path, "/api/v2/dora/deployments/", 25) == 0)
		*flags |= DDCI_CALL_APP_KEY;
}
