/* fuzz_ci_env — CI provider detection from arbitrary variables: the input
 * is NAME=VALUE lines, looked up by a table getenv. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ddci/ci_env.h"

#include "fuzz_common.h"

#define MAXV 48
static char *names[MAXV], *values[MAXV];
static size_t nvars;

static const char *table_getenv(const char *name)
{
	size_t i;

	for (i = 0; i < nvars; i++)
		if (!strcmp(names[i], name))
			return values[i];
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *p[MAXV];
	size_t n = fuzz_split(&buf, p, MAXV, data, size), i;
	struct ddci_ci ci = DDCI_CI_INIT;

	nvars = 0;
	for (i = 0; i < n; i++) {
		char *eq = strchr(p[i], '=');
		if (!eq)
			continue;
		*eq = '\0';
		names[nvars] = p[i];
		values[nvars++] = eq + 1;
	}
	(void)ddci_ci_detect(&ci, table_getenv);
	ddci_ci_release(&ci);
	free(buf);
	return 0;
}
