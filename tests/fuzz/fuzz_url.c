/* fuzz_url — remote URL scrubbing and normalisation, and text redaction:
 * no credential may survive, nothing may crash. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ddci/redact.h"

#include "fuzz_common.h"

static int once;

/* Does s start with "<scheme>://u:fuzzpw@"? */
static int has_scheme_password(const char *s)
{
	const char *p = s;

	if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		return 0;
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '+' ||
	       *p == '-' || *p == '.')
		p++;
	return !strncmp(p, "://u:fuzzpw@", 12);
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
	/* A URL "scheme://u:fuzzpw@..." must lose its password. */
	if (r && has_scheme_password(s) && strstr(r, "fuzzpw"))
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
