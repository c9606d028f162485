/* fuzz_url — remote URL scrubbing and normalisation, and text redaction:
 * no credential may survive, nothing may crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ddci/redact.h"

#include "fuzz_common.h"

static int once;

/* Is there user-info (an @) left in the authority (between "://" and the next '/',
 * '?' or '#') of the first URL in s? */
static int authority_has_userinfo(const char *s)
{
	const char *a = strstr(s, "://"), *e;

	if (!a)
		return 0;
	a += 3;
	e = a + strcspn(a, "/?#");
	return memchr(a, '@', (size_t)(e - a)) != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), *r, *id = NULL;

	if (!s)
		return 0;
	if (!once) {
		ddci_redact_register("fuzzsecretkey0000");
		once = 1;
	}
	r = ddci_redact_url(s);
	/* "scheme://u:fuzzpw@host/..." must lose its password. */
	if (r && !strncmp(s, "https://u:fuzzpw@", 17) && authority_has_userinfo(r))
		abort();
	free(r);
	if (ddci_repository_id(&id, s) == 0)
		free(id);
	r = ddci_redact_text(s);
	if (r && strstr(r, "fuzzsecretkey0000"))
		abort();
	free(r);
	free(s);
	return 0;
}
